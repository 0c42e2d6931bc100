#!/usr/bin/env python3
"""Checks `tessera cert` output with independent implementations.

Usage: python3 test_cert.py /path/to/tessera

For every key type it builds a root, an intermediate, a server and a client
certificate with the tessera CLI, then checks that `openssl verify` (with
-purpose sslserver / sslclient), `certtool --verify` (GnuTLS) accept the
chains, that `openssl x509 -text` shows the SANs and EKUs, and that curl
accepts the server certificate in a real TLS handshake against
`openssl s_server` on 127.0.0.1 (with a client certificate for the mTLS set).
Prints "N passed, M failed" last and exits non-zero on any failure.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from tlspeers import exit_status, free_port  # noqa: E402

TESSERA = sys.argv[1] if len(sys.argv) > 1 else "tessera"
KEY_TYPES = ["ec-p256", "ec-p384", "rsa2048", "rsa3072", "rsa4096", "ed25519"]
passed = 0
failed = 0
skipped = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}\n{detail}")


def run(args, timeout=120):
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, "timeout: " + " ".join(args)
    return p.returncode, p.stdout + p.stderr


def tessera(*args):
    return run([TESSERA, "cert", *args])


def have(tool, checks=""):
    """Whether `tool` is installed; if not, the checks that need it are
    reported skipped."""
    global skipped
    if shutil.which(tool) is not None:
        return True
    skipped += 1
    print(f"SKIP {checks or tool + ' checks'}: {tool} not found")
    return False


def openssl_verify(ca, cert, purpose, untrusted=None):
    args = ["openssl", "verify", "-CAfile", ca, "-purpose", purpose]
    if untrusted:
        args += ["-untrusted", untrusted]
    return run(args + [cert])


def certtool_verify(ca, chain):
    rc, out = run(["certtool", "--verify", "--load-ca-certificate", ca, "--infile", chain])
    return rc == 0 and "Verified" in out and "trusted" in out, out


def curl_against_s_server(d, server_cert, server_key, ca, client_cert=None, client_key=None,
                          chain=None):
    """Starts openssl s_server with the tessera-made certificate and fetches a page with curl."""
    port = free_port()
    args = ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", server_cert,
            "-key", server_key, "-www"]
    if chain:
        args += ["-cert_chain", chain]
    if client_cert:
        args += ["-Verify", "1", "-CAfile", ca, "-verify_return_error"]
    srv = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        cargs = ["curl", "-sS", "--max-time", "10", "--cacert", ca,
                 "--resolve", f"localhost:{port}:127.0.0.1", f"https://localhost:{port}/"]
        if client_cert:
            cargs[1:1] = ["--cert", client_cert, "--key", client_key]
        return run(cargs, timeout=30)
    finally:
        srv.kill()
        srv.wait(timeout=5)


def test_key_type(kt, base):
    d = os.path.join(base, kt)
    os.makedirs(d)
    p = lambda n: os.path.join(d, n)
    rc, out = tessera("ca", "--out-cert", p("ca.pem"), "--out-key", p("ca.key"), "--key-type", kt,
                      "--subject", f"CN=Test Root {kt}, O=tessera tests, C=US", "--days", "30")
    check(f"{kt}: cert ca", rc == 0, out)
    rc, out = tessera("intermediate", "--ca", p("ca.pem"), "--ca-key", p("ca.key"),
                      "--out-cert", p("inter.pem"), "--out-key", p("inter.key"), "--key-type", kt)
    check(f"{kt}: cert intermediate", rc == 0, out)
    rc, out = tessera("server", "--ca", p("inter.pem"), "--ca-key", p("inter.key"),
                      "--dns", "localhost", "--dns", "www.example.test", "--ip", "127.0.0.1",
                      "--ip", "::1", "--out-cert", p("server.pem"), "--out-key", p("server.key"),
                      "--key-type", kt, "--chain")
    check(f"{kt}: cert server", rc == 0, out)
    rc, out = tessera("client", "--ca", p("inter.pem"), "--ca-key", p("inter.key"),
                      "--email", "alice@example.test", "--out-cert", p("client.pem"),
                      "--out-key", p("client.key"), "--key-type", kt)
    check(f"{kt}: cert client", rc == 0, out)
    check(f"{kt}: key file is private", os.stat(p("server.key")).st_mode & 0o077 == 0)

    rc, out = openssl_verify(p("ca.pem"), p("inter.pem"), "any")
    check(f"{kt}: openssl verify intermediate", rc == 0, out)
    rc, out = openssl_verify(p("ca.pem"), p("server.pem"), "sslserver", p("inter.pem"))
    check(f"{kt}: openssl verify -purpose sslserver", rc == 0, out)
    rc, out = openssl_verify(p("ca.pem"), p("client.pem"), "sslclient", p("inter.pem"))
    check(f"{kt}: openssl verify -purpose sslclient", rc == 0, out)
    rc, out = openssl_verify(p("ca.pem"), p("client.pem"), "sslserver", p("inter.pem"))
    check(f"{kt}: openssl refuses the client cert as a server cert", rc != 0, out)

    rc, text = run(["openssl", "x509", "-noout", "-text", "-in", p("server.pem")])
    check(f"{kt}: server SANs shown by openssl x509 -text",
          rc == 0 and "DNS:localhost" in text and "DNS:www.example.test" in text
          and "IP Address:127.0.0.1" in text and "IP Address:0:0:0:0:0:0:0:1" in text, text)
    check(f"{kt}: server EKU serverAuth",
          "TLS Web Server Authentication" in text and "TLS Web Client Authentication" not in text,
          text)
    rc, text = run(["openssl", "x509", "-noout", "-text", "-in", p("client.pem")])
    check(f"{kt}: client SAN and EKU",
          rc == 0 and "email:alice@example.test" in text
          and "TLS Web Client Authentication" in text, text)
    rc, text = run(["openssl", "x509", "-noout", "-text", "-in", p("inter.pem")])
    check(f"{kt}: intermediate is a CA with pathlen 0",
          "CA:TRUE, pathlen:0" in text and "Certificate Sign" in text, text)

    if have("certtool"):
        # server.pem holds the leaf followed by the intermediate (--chain).
        ok, out = certtool_verify(p("ca.pem"), p("server.pem"))
        check(f"{kt}: certtool --verify server chain", ok, out)
        with open(p("client-chain.pem"), "w") as f:
            f.write(open(p("client.pem")).read() + open(p("inter.pem")).read())
        ok, out = certtool_verify(p("ca.pem"), p("client-chain.pem"))
        check(f"{kt}: certtool --verify client chain", ok, out)


def test_local_mtls(base):
    d = os.path.join(base, "mtls")
    rc, out = tessera("local-mtls", "--dir", d)
    check("local-mtls: written", rc == 0, out)
    for n in ["ca.pem", "ca.key", "server.pem", "server.key", "client.pem", "client.key"]:
        check(f"local-mtls: {n} exists", os.path.exists(os.path.join(d, n)))
    p = lambda n: os.path.join(d, n)
    rc, out = openssl_verify(p("ca.pem"), p("server.pem"), "sslserver")
    check("local-mtls: openssl verify server", rc == 0, out)
    rc, out = openssl_verify(p("ca.pem"), p("client.pem"), "sslclient")
    check("local-mtls: openssl verify client", rc == 0, out)
    if have("certtool"):
        ok, out = certtool_verify(p("ca.pem"), p("server.pem"))
        check("local-mtls: certtool --verify server", ok, out)
    if have("curl"):
        rc, out = curl_against_s_server(d, p("server.pem"), p("server.key"), p("ca.pem"),
                                        p("client.pem"), p("client.key"))
        check("local-mtls: curl (client cert) accepts the server cert", rc == 0, out)


def test_curl_per_key_type(base):
    if not have("curl"):
        return
    for kt in ["ec-p256", "rsa2048", "ed25519"]:
        d = os.path.join(base, kt)
        rc, out = curl_against_s_server(d, os.path.join(d, "server.pem"),
                                        os.path.join(d, "server.key"), os.path.join(d, "ca.pem"),
                                        chain=os.path.join(d, "inter.pem"))
        # curl's OpenSSL backend handles Ed25519 server keys in TLS 1.3.
        check(f"{kt}: curl accepts the server chain", rc == 0, out)
    # And curl does check: another root does not vouch for the ec-p256 server.
    d = os.path.join(base, "ec-p256")
    rc, out = curl_against_s_server(d, os.path.join(d, "server.pem"), os.path.join(d, "server.key"),
                                    os.path.join(base, "rsa2048", "ca.pem"),
                                    chain=os.path.join(d, "inter.pem"))
    check("curl refuses the chain under an unrelated root", rc != 0, out)


def fresh_ca(base, name):
    """A directory base/name holding a new root CA (ca.pem, ca.key); returns it and a
    function naming files in it."""
    d = os.path.join(base, name)
    os.makedirs(d)
    p = lambda n: os.path.join(d, n)
    rc, out = tessera("ca", "--out-cert", p("ca.pem"), "--out-key", p("ca.key"))
    check(f"{name}: ca", rc == 0, out)
    return d, p


def test_errors(base):
    d, p = fresh_ca(base, "errors")
    rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"),
                      "--out-cert", p("s.pem"), "--out-key", p("s.key"))
    check("errors: server without names is refused", rc == 1 and "--dns or --ip" in out, out)
    rc, out = tessera("ca", "--out-cert", p("x.pem"), "--out-key", p("x.key"), "--key-type", "dsa")
    check("errors: unknown key type is refused", rc == 1 and "unknown key type" in out, out)
    rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--ip", "1.2.3",
                      "--out-cert", p("s.pem"), "--out-key", p("s.key"))
    check("errors: bad --ip is refused", rc == 1 and "not an IPv4 or IPv6" in out, out)
    rc, out = tessera("client", "--ca", p("ca.pem"), "--ca-key", p("ca.key"),
                      "--out-cert", p("c.pem"), "--out-key", p("c.key"))
    check("errors: client", rc == 0, out)
    rc, out = tessera("server", "--ca", p("c.pem"), "--ca-key", p("c.key"), "--dns", "x",
                      "--out-cert", p("s.pem"), "--out-key", p("s.key"))
    check("errors: a leaf cannot issue", rc == 1 and "not a CA" in out, out)
    rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("c.key"), "--dns", "x",
                      "--out-cert", p("s.pem"), "--out-key", p("s.key"))
    check("errors: mismatched CA key is refused", rc == 1 and "does not match" in out, out)
    rc, out = tessera("ca", "--out-key", p("x.key"))
    check("errors: missing --out-cert is a usage error", rc == 2, out)
    # --dns takes DNS names only (an address belongs in --ip; a wildcard only
    # as the whole left-most label over two more).
    for bad in ["exa mple.com", "127.0.0.1", "*", "*.*.example.com", "a..b", "ex@mple", "*.com"]:
        rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--dns", bad,
                          "--out-cert", p("bad.pem"), "--out-key", p("bad.key"))
        check(f"errors: --dns {bad!r} is refused", rc == 1 and "--dns" in out and
              not os.path.exists(p("bad.key")), out)
    # country names are two letters
    rc, out = tessera("ca", "--subject", "C=USA, CN=x", "--out-cert", p("x.pem"),
                      "--out-key", p("x.key"))
    check("errors: C=USA is refused", rc == 1 and "two-letter" in out, out)
    # numbers out of range are usage errors, not wrapped
    for args in (["ca", "--path-len", "4294967296"], ["ca", "--path-len", "-3"],
                 ["ca", "--days", "106751991167301"]):
        rc, out = tessera(*args, "--out-cert", p("x.pem"), "--out-key", p("x.key"))
        check(f"errors: {' '.join(args)} is a usage error", rc == 2, out)
    rc, out = tessera("crl", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--number", "-1",
                      "--out", p("x.crl"))
    check("errors: crl --number -1 is a usage error", rc == 2, out)
    # an input that is not a certificate file: a directory, an endless device
    rc, out = tessera("server", "--ca", d, "--ca-key", p("ca.key"), "--dns", "x",
                      "--out-cert", p("x.pem"), "--out-key", p("x.key"))
    check("errors: a directory as --ca is refused by name", rc == 1 and "directory" in out, out)
    if os.path.exists("/dev/zero"):
        rc, out = run([TESSERA, "verify", "--trust", p("ca.pem"), "/dev/zero"], timeout=60)
        check("errors: verify /dev/zero stops at the size limit", rc == 1 and "MiB" in out, out)


def test_outputs(base):
    """Outputs: never an input, existing files only with --force, no key in --chain."""
    _, p = fresh_ca(base, "outputs")
    ca_key = open(p("ca.key")).read()
    rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--dns", "a.example",
                      "--out-cert", p("ca.pem"), "--out-key", p("ca.key"), "--force")
    check("outputs: the CA's own files are never overwritten, even with --force",
          rc == 1 and "also an input" in out and open(p("ca.key")).read() == ca_key, out)
    rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--dns", "a.example",
                      "--out-cert", p("s.pem"), "--out-key", p("s.key"))
    check("outputs: server", rc == 0, out)
    key = open(p("s.key")).read()
    rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--dns", "a.example",
                      "--out-cert", p("s.pem"), "--out-key", p("s.key"))
    check("outputs: existing files are kept without --force",
          rc == 1 and "--force" in out and open(p("s.key")).read() == key, out)
    rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--dns", "a.example",
                      "--out-cert", p("s.pem"), "--out-key", p("s.key"), "--force")
    check("outputs: --force replaces them", rc == 0 and open(p("s.key")).read() != key, out)
    os.makedirs(p("adir"))
    rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--dns", "a.example",
                      "--out-cert", p("adir"), "--out-key", p("s.key"), "--force")
    check("outputs: a directory output is refused before the key is touched",
          rc == 1 and "directory" in out and open(p("s.key")).read() != key, out)
    # a symbolic link at an output is replaced, not written through
    with open(p("victim.txt"), "w") as f:
        f.write("keep me")
    os.symlink(p("victim.txt"), p("link.pem"))
    rc, out = tessera("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--dns", "a.example",
                      "--out-cert", p("link.pem"), "--out-key", p("l.key"), "--force")
    check("outputs: a link at --out-cert is replaced, its target kept",
          rc == 0 and open(p("victim.txt")).read() == "keep me" and not os.path.islink(p("link.pem")),
          out)
    # --chain appends the CA's certificates only, even from a cert+key file
    with open(p("combined.pem"), "w") as f:
        f.write(open(p("ca.pem")).read() + open(p("ca.key")).read())
    rc, out = tessera("server", "--ca", p("combined.pem"), "--ca-key", p("ca.key"),
                      "--dns", "z.example", "--chain", "--out-cert", p("z.pem"),
                      "--out-key", p("z.key"))
    text = open(p("z.pem")).read() if os.path.exists(p("z.pem")) else ""
    check("outputs: --chain copies certificates, never the CA's key",
          rc == 0 and "PRIVATE KEY" not in text and text.count("BEGIN CERTIFICATE") == 2, out + text)
    # local-mtls twice: the second run keeps the first CA
    rc, out = tessera("local-mtls", "--dir", p("lm"))
    check("outputs: local-mtls", rc == 0, out)
    lm_key = open(os.path.join(p("lm"), "ca.key")).read()
    rc, out = tessera("local-mtls", "--dir", p("lm"))
    check("outputs: local-mtls again keeps the CA without --force",
          rc == 1 and open(os.path.join(p("lm"), "ca.key")).read() == lm_key, out)
    # an intermediate under a pathlen:0 CA is refused
    rc, out = tessera("intermediate", "--ca", p("ca.pem"), "--ca-key", p("ca.key"),
                      "--out-cert", p("i.pem"), "--out-key", p("i.key"))
    check("outputs: intermediate", rc == 0, out)
    rc, out = tessera("intermediate", "--ca", p("i.pem"), "--ca-key", p("i.key"),
                      "--subject", "CN=below", "--out-cert", p("i2.pem"), "--out-key", p("i2.key"))
    check("outputs: no CA below a pathlen:0 intermediate",
          rc == 1 and "pathLenConstraint 0" in out, out)


def main():
    if not have("openssl"):
        print("openssl CLI not found")
        print("0 passed, 1 failed")
        return 1
    base = tempfile.mkdtemp(prefix="tessera-cert-test-")
    try:
        for kt in KEY_TYPES:
            test_key_type(kt, base)
        test_curl_per_key_type(base)
        test_local_mtls(base)
        test_errors(base)
        test_outputs(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return exit_status(passed, failed, skipped)


if __name__ == "__main__":
    sys.exit(main())

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
from tlspeers import free_port  # noqa: E402

TESSERA = sys.argv[1] if len(sys.argv) > 1 else "tessera"
KEY_TYPES = ["ec-p256", "ec-p384", "rsa2048", "rsa3072", "rsa4096", "ed25519"]
passed = 0
failed = 0


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


def have(tool):
    return shutil.which(tool) is not None


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


def test_errors(base):
    d = os.path.join(base, "errors")
    os.makedirs(d)
    p = lambda n: os.path.join(d, n)
    rc, out = tessera("ca", "--out-cert", p("ca.pem"), "--out-key", p("ca.key"))
    check("errors: ca", rc == 0, out)
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
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""CLI tests of keys on a PKCS #11 token: `--key pkcs11:...` (RFC 7512 URI) for
`tessera server` and `tessera client`, on a SoftHSM v2 token made here with
softhsm2-util from the test PKI's keys.

Usage: test_pkcs11.py /path/to/tessera

- a tessera server whose ECDSA key is on the token: openssl s_client (TLS 1.3)
  and tessera client verify it; its RSA key on the token: openssl s_client
  with TLS 1.2 (ECDHE-RSA) and TLS 1.3 (RSA-PSS);
- a tessera client whose key is on the token, against openssl s_server
  requiring a client certificate; `tessera bench` with the key on the token;
- the PIN from $TESSERA_PKCS11_PIN or the URI's pin-value, the module from
  the URI's module-path or $TESSERA_PKCS11_MODULE;
- a wrong PIN (one in the URI is not repeated in the message), a key that is not there, a module that does not load, and a
  token key that is not the certificate's: a clear error, exit status 1.

Everything on 127.0.0.1, free ports, bounded in time; prints one line per
check and "N passed, M failed, K skipped" last.
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from tlspeers import (Results, against_s_server, free_port, out_of, run, start,  # noqa: E402
                      stop, wait_port)

TESSERA = os.path.abspath(sys.argv[1])
PKI = os.path.join(HERE, "..", "vectors", "pki")
CA = os.path.join(PKI, "ca.pem")
MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "1234"
R = Results()


def pki(name):
    return os.path.join(PKI, name)


def uri(obj, query=""):
    return "pkcs11:token=tessera;object=%s?module-path=%s%s" % (obj, MODULE,
                                                                 "&" + query if query else "")


def make_token(d):
    """A SoftHSM token "tessera" with the test PKI's keys; SOFTHSM2_CONF set
    for this process and its children. Returns an error text or ""."""
    os.makedirs(os.path.join(d, "tokens"))
    conf = os.path.join(d, "softhsm2.conf")
    with open(conf, "w") as f:
        f.write("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n"
                % os.path.join(d, "tokens"))
    os.environ["SOFTHSM2_CONF"] = conf
    r = run(["softhsm2-util", "--init-token", "--free", "--label", "tessera", "--pin", PIN,
             "--so-pin", "5678"], timeout=30)
    if r.returncode != 0:
        return "softhsm2-util --init-token: " + out_of(r)
    for i, key in enumerate(["server-ec", "server-rsa", "client-ec"]):
        r = run(["softhsm2-util", "--import", pki(key + ".key"), "--token", "tessera", "--label",
                 key, "--id", "%02x" % (i + 1), "--pin", PIN], timeout=30)
        if r.returncode != 0:
            return "softhsm2-util --import %s: %s" % (key, out_of(r))
    return ""


def server(*args, env=None):
    port = free_port()
    p = start([TESSERA, "server", "--port", str(port), "--idle-timeout", "2", *args], env=env)
    if not wait_port(port, proc=p):
        return None, port, "".join(stop(p))
    return p, port, ""


def s_client(port, *extra):
    return run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername",
                "localhost", "-CAfile", CA, "-verify_return_error", "-ign_eof", *extra],
               input=b"GET / HTTP/1.0\r\n\r\n", timeout=20)


def test_server_keys():
    os.environ["TESSERA_PKCS11_PIN"] = PIN
    srv, port, err = server("--cert", pki("server-ec.pem"), "--key", uri("server-ec"), "--trace")
    if srv is None:
        R.check("server with its ECDSA key on the token starts", False, err)
        return
    try:
        o = s_client(port)
        t = run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", CA, "--servername",
                 "localhost", "--timeout", "10"], input=b"GET / HTTP/1.0\r\n\r\n", timeout=20)
    finally:
        _, trace = stop(srv)
    # The token signs on the server's signing threads (an asynchronous
    # KeySigner), not on the worker that runs the connection.
    waits = trace.count("waiting for the key signer's ecdsa_secp256r1_sha256 signature")
    R.check("the server's handshakes pause for the token's signature (asynchronous signer)",
            waits == 2 and trace.count("-> CertificateVerify") == 2, trace[-3000:])
    out = out_of(o)
    R.check("server key on the token (ECDSA P-256): openssl s_client verifies, TLS 1.3",
            o.returncode == 0 and "Verification: OK" in out and "TLSv1.3" in out and
            "Peer signature type: ECDSA" in out and b"<html>" in o.stdout, out[-1500:])
    R.check("... and tessera client", t.returncode == 0 and b"<html>" in t.stdout, out_of(t))

    srv, port, err = server("--cert", pki("server-rsa.pem"), "--key", uri("server-rsa"))
    if srv is None:
        R.check("server with its RSA key on the token starts", False, err)
        return
    try:
        o12 = s_client(port, "-tls1_2")
        o13 = s_client(port, "-tls1_3", "-sigalgs", "rsa_pss_rsae_sha384")
    finally:
        stop(srv)
    out = out_of(o12)
    R.check("server RSA key on the token: openssl s_client TLS 1.2 (ECDHE-RSA) verifies",
            o12.returncode == 0 and "Verification: OK" in out and "TLSv1.2" in out and
            "ECDHE-RSA" in out, out[-1500:])
    out = out_of(o13)
    R.check("... TLS 1.3 with RSA-PSS-SHA384 signed on the token",
            o13.returncode == 0 and "Verification: OK" in out and "TLSv1.3" in out and
            "RSA-PSS" in out and "SHA384" in out, out[-1500:])


def test_client_key():
    def client(port):
        return run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", CA, "--servername",
                    "localhost", "--timeout", "10", "--cert", pki("client-ec.pem"), "--key",
                    uri("client-ec", "pin-value=" + PIN)],
                   input=b"GET / HTTP/1.0\r\n\r\n", timeout=20,
                   env={k: v for k, v in os.environ.items() if k != "TESSERA_PKCS11_PIN"})
    r, sout = against_s_server(["-cert", pki("server-ec.pem"), "-key", pki("server-ec.key"),
                                "-Verify", "1", "-CAfile", CA, "-verify_return_error", "-www"],
                               client)
    R.check("client key on the token (PIN in the URI): openssl s_server requiring a client "
            "certificate takes it",
            r is not None and r.returncode == 0 and b"Protocol  : TLSv1.3" in r.stdout and
            # s_server's page shows the client certificate it verified.
            b"Client certificate" in r.stdout and
            b"Subject: CN=tessera test client" in r.stdout,
            (out_of(r) if r else "") + sout[-800:])


def test_bench():
    r = run([TESSERA, "bench", "--only", "handshake", "--time", "0.3", "--repeat", "1", "--cert",
             pki("server-ec.pem"), "--key", uri("server-ec"), "--ca", CA, "--servername",
             "localhost"], timeout=60)
    out = out_of(r)
    R.check("tessera bench --key pkcs11: handshakes with the key on the token",
            r.returncode == 0 and "handshake" in out and "/s" in out, out[-800:])


def test_errors():
    env = dict(os.environ, TESSERA_PKCS11_PIN="9999")
    cases = [
        ("a wrong PIN", ["--cert", pki("server-ec.pem"), "--key", uri("server-ec")], env,
         "PIN is incorrect"),
        ("a key that is not on the token",
         ["--cert", pki("server-ec.pem"), "--key", uri("nothing")], None,
         "no matching private key"),
        ("a module that does not load",
         ["--cert", pki("server-ec.pem"), "--key",
          "pkcs11:token=tessera;object=server-ec?module-path=/nonexistent/p11.so"], None,
         "cannot load the PKCS #11 module /nonexistent/p11.so"),
        ("the token's key is not the certificate's",
         ["--cert", pki("server-ec.pem"), "--key", uri("client-ec")], None,
         "does not match the certificate CN=localhost"),
        # The PIN from the URI is not repeated in the message.
        ("a wrong PIN in the URI",
         ["--cert", pki("server-ec.pem"), "--key", uri("server-ec", "pin-value=98765")],
         {k: v for k, v in os.environ.items() if k != "TESSERA_PKCS11_PIN"},
         "pin-value=***"),
    ]
    for what, args, e, says in cases:
        r = run([TESSERA, "server", "--port", str(free_port()), *args], timeout=20, env=e)
        out = out_of(r)
        R.check("server --key pkcs11 with %s: exit 1, says why" % what,
                r.returncode == 1 and says in out and "--key pkcs11:" in out and
                "98765" not in out, out[-800:])
    # The module from the environment, with no module-path in the URI.
    env = dict(os.environ, TESSERA_PKCS11_MODULE=MODULE)
    srv, port, err = server("--cert", pki("server-ec.pem"), "--key",
                            "pkcs11:token=tessera;object=server-ec", env=env)
    ok = srv is not None and s_client(port).returncode == 0
    if srv is not None:
        stop(srv)
    R.check("the module from $TESSERA_PKCS11_MODULE", ok, err)


def main():
    if not os.path.exists(MODULE) or shutil.which("softhsm2-util") is None:
        R.check("SoftHSM v2 is installed (make deps)", False, MODULE)
        R.finish()
    probe = subprocess.run([TESSERA, "server", "--port", str(free_port()), "--cert",
                            pki("server-ec.pem"),
                            "--key", "pkcs11:object=x"], capture_output=True, timeout=20)
    if b"built without PKCS #11" in probe.stderr:
        R.skip("PKCS #11 keys", "tessera built without PKCS #11 (-DTESSERA_PKCS11=OFF)")
        R.finish()
    d = tempfile.mkdtemp(prefix="tessera-pkcs11-")
    try:
        err = make_token(d)
        R.check("a SoftHSM token with the test keys", err == "", err)
        if not err:
            test_server_keys()
            test_client_key()
            test_bench()
            test_errors()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    R.finish()


main()

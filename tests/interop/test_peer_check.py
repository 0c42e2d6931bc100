#!/usr/bin/env python3
"""Peer authorization (`--allow-peer`, tessera::allow_peers / PeerCheck) against
OpenSSL, and `tessera cert --uri`.

Usage: test_peer_check.py /path/to/tessera

- `tessera cert client --uri` writes a URI SAN (a SPIFFE ID) that `openssl x509`
  prints; a relative URI is refused;
- a tessera server with --client-ca and --allow-peer URI:spiffe://... echoes
  `openssl s_client` presenting the allowed SPIFFE ID, and sends the
  access_denied alert (TLS 1.3 and TLS 1.2) to one with another ID from the
  same CA; a tessera client with the refused certificate is told
  access_denied, and the server names the certificate and why;
- a tessera client with --allow-peer spki-sha256:PIN (the pin computed here
  with openssl and hashlib, as RFC 7469 does) connects to `openssl s_server`,
  and with another pin refuses it: s_server receives access_denied;
- a tessera server with --psk-file and --allow-peer psk:ID accepts
  `openssl s_client -psk_identity ID` and refuses another identity of the file
  with access_denied;
- usage errors: a malformed --allow-peer entry on either side, and a server
  --allow-peer with no way for clients to authenticate.

Everything on 127.0.0.1, free ports, bounded in time.
"""
import base64
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tlspeers import (Pki, Results, against_s_server, free_port, openssl, run, start,  # noqa: E402
                      stop, wait_port)
from tlspeers import out_of  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()
API = "spiffe://example.org/ns/prod/sa/api"
DEV = "spiffe://example.org/ns/dev/sa/api"


def spki_pin(cert):
    """RFC 7469 2.4: base64(SHA-256(DER SubjectPublicKeyInfo)), computed with
    openssl and hashlib (not with tessera)."""
    pub = openssl("x509", "-in", cert, "-noout", "-pubkey").stdout
    der = run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def tessera_server(*args):
    # --idle-timeout: an echoed client is closed 2 s after its last bytes,
    # which ends s_client -ign_eof.
    port = free_port()
    p = start([TESSERA, "server", "--port", str(port), "--echo", "--idle-timeout", "2", *args])
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + stop(p)[1])
    return p, port


def s_client(port, *extra):
    # -ign_eof: s_client reads until the server closes, so a TLS 1.3 alert sent
    # after the client's Finished is seen.
    return run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername",
                "localhost", "-ign_eof", *extra], input=b"hello\n", timeout=15)


def echoed(r):
    return r.returncode == 0 and "hello" in r.stdout.decode(errors="replace") and \
        "alert" not in out_of(r)


def test_certificates(pki):
    srv, port = tessera_server("--cert", pki.server, "--key", pki.server_key, "--client-ca",
                               pki.ca, "--verify-client", "require", "--allow-peer", "URI:" + API,
                               "--allow-peer", "DNS:other.example")
    try:
        r = s_client(port, "-cert", pki.path("api.pem"), "-key", pki.path("api.key"), "-CAfile",
                     pki.ca)
        R.check("s_client with the allowed SPIFFE ID is echoed", echoed(r), out_of(r))
        r = s_client(port, "-cert", pki.path("dev.pem"), "-key", pki.path("dev.key"), "-CAfile",
                     pki.ca)
        R.check("s_client (TLS 1.3) with another SPIFFE ID gets access_denied",
                "alert access denied" in out_of(r), out_of(r))
        r = s_client(port, "-cert", pki.path("dev.pem"), "-key", pki.path("dev.key"), "-CAfile",
                     pki.ca, "-tls1_2")
        R.check("s_client (TLS 1.2) with another SPIFFE ID gets access_denied",
                "alert access denied" in out_of(r), out_of(r))
        r = s_client(port, "-cert", pki.client, "-key", pki.client_key, "-CAfile", pki.ca)
        R.check("s_client with a certificate without a SPIFFE ID gets access_denied",
                "alert access denied" in out_of(r), out_of(r))
        r = run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca, "--servername",
                 "localhost", "--cert", pki.path("dev.pem"), "--key", pki.path("dev.key")],
                input=b"ping\n", timeout=15)
        R.check("tessera client with the refused certificate is told access_denied",
                r.returncode != 0 and "access_denied" in out_of(r), out_of(r))
        r = run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca, "--servername",
                 "localhost", "--cert", pki.path("api.pem"), "--key", pki.path("api.key")],
                input=b"ping\n", timeout=15)
        R.check("tessera client with the allowed certificate is echoed",
                r.returncode == 0 and "ping" in r.stdout.decode(errors="replace"), out_of(r))
    finally:
        _, err = stop(srv)
    R.check("the server names the refused client and the allowlist",
            "access_denied: the peer check refused the client CN=dev [URI:%s]: not among the 2 "
            "allowed peer(s), spki-sha256:%s" % (DEV, spki_pin(pki.path("dev.pem"))) in err, err)


def test_pinning(pki):
    good, other = spki_pin(pki.server), spki_pin(pki.client)
    for pin, allowed in ((good, True), (other, False)):
        r, log = against_s_server(
            ["-cert", pki.server, "-key", pki.server_key],
            lambda port: run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca,
                              "--servername", "localhost", "--allow-peer", "spki-sha256:" + pin],
                             input=b"ping\n", timeout=15))
        if r is None:
            R.check("openssl s_server started", False, log)
            continue
        if allowed:
            R.check("tessera client with s_server's key pin connects",
                    r.returncode == 0 and "verified by" in out_of(r), out_of(r))
            R.check("its summary prints the pin as openssl computes it",
                    "peer key pin: spki-sha256:" + good + "\n" in out_of(r), out_of(r))
        else:
            R.check("tessera client with another pin refuses s_server",
                    r.returncode != 0 and "access_denied: the peer check refused the server "
                    "CN=localhost [DNS:localhost, IP:127.0.0.1, IP:::1]" in out_of(r), out_of(r))
            R.check("s_server received access_denied from the tessera client",
                    re.search(r"alert access denied", log) is not None, log)


def test_psk(pki):
    keys = {"device-16": os.urandom(32).hex(), "device-17": os.urandom(32).hex()}
    path = pki.path("psk.txt")
    with open(path, "w") as f:
        f.write("".join("%s:%s\n" % kv for kv in keys.items()))
    srv, port = tessera_server("--psk-file", path, "--allow-peer", "psk:device-17")
    try:
        r = s_client(port, "-tls1_3", "-psk_identity", "device-17", "-psk", keys["device-17"])
        R.check("s_client with the allowed PSK identity is echoed", echoed(r), out_of(r))
        r = s_client(port, "-tls1_3", "-psk_identity", "device-16", "-psk", keys["device-16"])
        R.check("s_client with another PSK of the file gets access_denied",
                "alert access denied" in out_of(r), out_of(r))
    finally:
        _, err = stop(srv)
    R.check("the server names the refused PSK identity",
            "the peer check refused the client external PSK 'device-16'" in err, err)


def test_usage(pki):
    port = free_port()  # nothing listens: every run here stops before connecting
    r = run([TESSERA, "server", "--port", str(port), "--cert", pki.server, "--key",
             pki.server_key, "--allow-peer", "URI:" + API], timeout=10)
    R.check("server --allow-peer without --client-ca or --psk-file is a usage error",
            r.returncode == 2 and "--allow-peer checks clients that authenticate" in out_of(r),
            out_of(r))
    r = run([TESSERA, "server", "--port", str(port), "--cert", pki.server, "--key",
             pki.server_key, "--client-ca", pki.ca, "--allow-peer", API], timeout=10)
    R.check("a server --allow-peer SPIFFE ID without URI: is a usage error saying so",
            r.returncode == 2 and "allowed peer '%s': unknown type 'spiffe' (a URI SAN is URI:%s)"
            % (API, API) in out_of(r), out_of(r))
    r = run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca, "--allow-peer",
             "spki-sha256:tooshort"], input=b"", timeout=10)
    R.check("a client --allow-peer with a bad pin is a usage error",
            r.returncode == 2 and "a SHA-256 pin is 44 characters of base64" in out_of(r),
            out_of(r))
    # Asking for client certificates without saying whom to trust would run
    # a server that asks for none.
    for mode in ("require", "optional", "post-handshake"):
        r = run([TESSERA, "server", "--port", str(port), "--cert", pki.server, "--key",
                 pki.server_key, "--verify-client", mode], timeout=10)
        R.check("server --verify-client %s without --client-ca is a usage error" % mode,
                r.returncode == 2 and "needs --client-ca" in out_of(r), out_of(r))
    # A port is digits only: "PORTx" is not PORT.
    r = run([TESSERA, "client", "127.0.0.1:%dx" % port, "--ca", pki.ca], input=b"", timeout=10)
    R.check("client HOST:PORTgarbage is a usage error", r.returncode == 2, out_of(r))


def main():
    pki = Pki()
    for name, uri in (("api", API), ("dev", DEV)):
        r = run([TESSERA, "cert", "client", "--ca", pki.ca, "--ca-key", pki.ca_key, "--subject",
                 "CN=" + name, "--uri", uri, "--out-cert", pki.path(name + ".pem"), "--out-key",
                 pki.path(name + ".key")])
        R.check("tessera cert client --uri " + uri, r.returncode == 0, out_of(r))
    text = out_of(run(["openssl", "x509", "-in", pki.path("api.pem"), "-noout", "-ext",
                       "subjectAltName"]))
    R.check("openssl prints the URI SAN", "URI:" + API in text, text)
    r = run([TESSERA, "cert", "client", "--ca", pki.ca, "--ca-key", pki.ca_key, "--uri",
             "example.org/api", "--out-cert", pki.path("x.pem"), "--out-key", pki.path("x.key")])
    R.check("tessera cert refuses a relative --uri",
            r.returncode != 0 and "is not an absolute URI" in out_of(r), out_of(r))
    test_certificates(pki)
    test_pinning(pki)
    test_psk(pki)
    test_usage(pki)
    R.finish()


main()

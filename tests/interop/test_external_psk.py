#!/usr/bin/env python3
"""TLS 1.3 external PSK interop (RFC 8446 2.2, 4.2.11): tessera client and
server with --psk-file against openssl (s_server -nocert -psk / s_client -psk)
and gnutls (gnutls-serv --pskpasswd / gnutls-cli --pskusername --pskkey).
Loopback only, free ports, every peer bounded in time and killed at the end.

What each peer can and cannot do here (OpenSSL 3.0, GnuTLS 3.7):
- A wrong key is refused by a tessera server with decrypt_error, as RFC 8446
  4.2.11 says; openssl s_server and gnutls-serv refuse a binder that does not
  verify with illegal_parameter instead, and the tests check what they send.
- openssl's -psk always uses SHA-256 (TLS_AES_128_GCM_SHA256), and gnutls-cli
  has no option for the PSK's hash, so SHA-384 PSKs (--psk-hash sha384) are
  tested between tessera endpoints only (tests/cli/test_psk.py); here a
  tessera server holding the same key as SHA-384 refuses openssl's SHA-256
  binder.
- openssl s_server -nocert cannot fall back to a certificate handshake, so
  the client's fail-closed and --ca fallback cases run against an s_server
  with a certificate and a PSK of another identity.
- gnutls-serv serves PSKs without a certificate (it warns that none is set);
  the key file for the gnutls tests is made by GnuTLS's psktool.

Usage: test_external_psk.py /path/to/tessera
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tlspeers import Pki, Results, free_port, run, start, stop, wait_port  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()
HAVE_GNUTLS = all(shutil.which(t) for t in ("gnutls-serv", "gnutls-cli", "psktool"))
GET = b"GET / HTTP/1.0\r\n\r\n"
ID = "device-17"
KEY = os.urandom(32).hex()
WRONG_KEY = os.urandom(32).hex()
GNUTLS_PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+ECDHE-PSK:+DHE-PSK:+PSK"
PAGE_PSK = ("<tr><th>Authenticated by</th><td>external PSK '%s' (no certificates; "
            "psk_dhe_ke: x25519 key exchange, forward secrecy)</td></tr>" % ID).encode()
SUMMARY_PSK = "authenticated by: external PSK '%s' (no certificates; psk_dhe_ke" % ID


def text(r):
    return (r.stdout + r.stderr).decode(errors="replace")


def psk_file(k, name, *lines):
    path = k.path(name)
    with open(path, "w") as f:
        f.write("# tessera interop PSKs\n" + "".join(line + "\n" for line in lines))
    return path


def tessera_server(*extra, psk=None, k=None, echo=False):
    """tessera server with --psk-file `psk` and, given `k`, the test PKI's certificate."""
    port = free_port()
    cmd = [TESSERA, "server", "--port", str(port), "--host", "127.0.0.1", "--idle-timeout", "3"]
    if psk:
        cmd += ["--psk-file", psk]
    if k:
        cmd += ["--cert", k.server, "--key", k.server_key]
    if echo:
        cmd.append("--echo")
    p = start(cmd + list(extra))
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + stop(p)[1])
    return p, port


def tessera_client(port, *extra, data=GET):
    return run([TESSERA, "client", "127.0.0.1:%d" % port, "--timeout", "10"] + list(extra),
               input=data, timeout=30)


def openssl_server(*extra, key=KEY, k=None):
    """openssl s_server -www with a PSK for ID: -nocert, or the PKI's certificate
    given `k`; (None, None) after a failed start check."""
    port = free_port()
    cmd = ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-tls1_3", "-www", "-psk",
           key, "-psk_identity", ID]
    cmd += ["-cert", k.server, "-key", k.server_key] if k else ["-nocert"]
    srv = start(cmd + list(extra))
    if not wait_port(port, proc=srv):
        R.check("openssl s_server %s start" % " ".join(extra), False, stop(srv)[1][-400:])
        return None, None
    return srv, port


def s_client(port, *extra, data=GET):
    return run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_3", "-ign_eof"]
               + list(extra), input=data, timeout=15)


def s_client_psk(port, *extra, key=KEY, identity=ID, data=GET):
    return s_client(port, "-psk", key, "-psk_identity", identity, *extra, data=data)


def tessera_client_vs_openssl():
    k = Pki("ec")
    good = psk_file(k, "good.psk", "%s:%s" % (ID, KEY))
    wrong = psk_file(k, "wrong.psk", "%s:%s" % (ID, WRONG_KEY))
    stranger = psk_file(k, "stranger.psk", "stranger:%s" % KEY)

    srv, port = openssl_server()
    if srv:
        try:
            r = tessera_client(port, "--psk-file", good, "--trace")
            out = text(r)
            R.check("tessera client -> openssl s_server -nocert -psk: request and page go through,"
                    " authenticated by the PSK (SHA-256 suite)",
                    r.returncode == 0 and b"HTTP/1.0 200 ok" in r.stdout and
                    b"Cipher is TLS_AES_128_GCM_SHA256" in r.stdout and SUMMARY_PSK in out and
                    "the server accepted our external PSK, so no certificate exchange" in out and
                    "<- Certificate" not in out, out[-1500:])
            r = tessera_client(port, "--psk-file", wrong)
        finally:
            _, err = stop(srv)
        R.check("tessera client with the wrong key: openssl s_server refuses the binder and "
                "sends illegal_parameter (not RFC 8446's decrypt_error)",
                r.returncode == 1 and "peer sent alert illegal_parameter" in text(r) and
                b"HTTP/1.0" not in r.stdout and "binder does not verify" in err,
                text(r)[-600:] + "\n--- s_server:\n" + err[-600:])

    # s_server with a certificate and the PSK of ID: a client offering another
    # identity gets a certificate handshake. PSK-only, tessera refuses it.
    srv, port = openssl_server(k=k)
    if not srv:
        return
    try:
        r = tessera_client(port, "--psk-file", stranger)
        refused = r
        r2 = tessera_client(port, "--psk-file", stranger, "--ca", k.ca, "--servername",
                            "localhost")
        r3 = tessera_client(port, "--psk-file", good, "--ca", k.ca, "--servername", "localhost")
    finally:
        _, err = stop(srv)
    R.check("tessera PSK-only client (no --ca): a server that does not take the PSK is refused "
            "with handshake_failure, nothing sent",
            refused.returncode == 1 and "handshake_failure: the server did not accept our external "
            "PSK, and certificate verification is off" in text(refused) and
            b"HTTP/1.0" not in refused.stdout, text(refused)[-600:])
    R.check("openssl s_server is told handshake_failure by the PSK-only client",
            "alert handshake failure" in err, err[-800:])
    R.check("tessera client --psk-file --ca: falls back to the verified certificate",
            r2.returncode == 0 and b"HTTP/1.0 200 ok" in r2.stdout and
            "peer certificate: CN=localhost" in text(r2) and "authenticated by:" not in text(r2),
            text(r2)[-800:])
    R.check("tessera client --psk-file --ca, the PSK the server knows: the PSK is used, no "
            "certificate", r3.returncode == 0 and SUMMARY_PSK in text(r3) and
            "peer certificate:" not in text(r3), text(r3)[-800:])


def openssl_client_vs_tessera_server():
    k = Pki("ec")
    psks = psk_file(k, "server.psk", "other:%s" % os.urandom(16).hex(), "%s:%s" % (ID, KEY))

    srv, port = tessera_server(psk=psks, echo=True)
    try:
        r = s_client_psk(port, data=b"ping over an external PSK\n")
    finally:
        stop(srv)
    R.check("openssl s_client -psk -> tessera server --psk-file --echo (no certificate): data "
            "both ways, no certificate",
            r.returncode == 0 and b"ping over an external PSK\n" in r.stdout and
            b"no peer certificate available" in r.stdout and
            b"TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256" in r.stdout, text(r)[-900:])

    srv, port = tessera_server("--trace", psk=psks)
    try:
        r = s_client_psk(port)
        wrong = s_client_psk(port, key=WRONG_KEY)
        stranger = s_client_psk(port, identity="stranger")
        plain = s_client(port)
    finally:
        _, err = stop(srv)
    R.check("tessera server page and --trace name the PSK",
            r.returncode == 0 and PAGE_PSK in r.stdout and
            "authenticated by external PSK '%s'" % ID in err and
            "external PSK '%s': the client's binder proves it holds the key" % ID in err,
            text(r)[-900:] + "\n--- server:\n" + err[-900:])
    R.check("openssl s_client with the wrong key is refused with decrypt_error",
            wrong.returncode != 0 and b"alert decrypt error" in wrong.stderr and
            b"<html>" not in wrong.stdout.lower() and
            "decrypt_error: the binder of external PSK '%s' does not verify" % ID in err,
            text(wrong)[-600:] + "\n--- server:\n" + err[-900:])
    R.check("openssl s_client with an unknown identity: handshake_failure from a server with "
            "no certificate",
            stranger.returncode != 0 and b"alert handshake failure" in stranger.stderr,
            text(stranger)[-600:])
    R.check("openssl s_client without a PSK: handshake_failure from a server with no "
            "certificate", plain.returncode != 0 and b"alert handshake failure" in plain.stderr,
            text(plain)[-600:])

    # The PSK's hash is part of it (RFC 8446 2.2): the same key as SHA-384 is
    # another PSK, and openssl's SHA-256 binder does not verify.
    srv, port = tessera_server("--psk-hash", "sha384", psk=psks)
    try:
        r = s_client_psk(port)
    finally:
        _, err = stop(srv)
    R.check("tessera server --psk-hash sha384 refuses openssl's SHA-256 PSK with decrypt_error",
            r.returncode != 0 and b"alert decrypt error" in r.stderr and "decrypt_error" in err,
            text(r)[-600:] + "\n--- server:\n" + err[-600:])

    # A server with a certificate and PSKs serves both kinds of client.
    srv, port = tessera_server(psk=psks, k=k)
    try:
        cert = s_client(port, "-CAfile", k.ca, "-servername", "localhost",
                        "-verify_return_error")
        psk = s_client_psk(port)
    finally:
        stop(srv)
    R.check("tessera server with --cert and --psk-file: a client without a PSK gets the "
            "verified certificate",
            cert.returncode == 0 and b"Verification: OK" in cert.stdout and
            b"subject=CN = localhost" in cert.stdout and
            b"<tr><th>Server signature scheme</th><td>ecdsa_secp256r1_sha256" in cert.stdout and
            b"Authenticated by" not in cert.stdout, text(cert)[-900:])
    R.check("tessera server with --cert and --psk-file: a PSK client gets no certificate",
            psk.returncode == 0 and PAGE_PSK in psk.stdout and
            b"no peer certificate available" in psk.stdout and
            b"<tr><th>Server signature scheme</th><td>-" in psk.stdout, text(psk)[-900:])


def gnutls_both_ways():
    if not HAVE_GNUTLS:
        R.skip("gnutls external PSKs", "gnutls-bin not installed")
        return
    k = Pki("ec")
    # The key file is made by GnuTLS's psktool (a random 32-byte key), which
    # shows tessera reads what GnuTLS writes.
    psks = k.path("gnutls.psk")
    r = run(["psktool", "-u", ID, "-p", psks], timeout=10)
    with open(psks) as f:
        lines = f.read().split()
    R.check("psktool writes one IDENTITY:HEXKEY line", r.returncode == 0 and len(lines) == 1 and
            lines[0].startswith(ID + ":") and len(lines[0]) == len(ID) + 1 + 64, text(r))
    key = lines[0].split(":", 1)[1]
    wrong = psk_file(k, "wrong.psk", "%s:%s" % (ID, WRONG_KEY))

    def gnutls_cli(port, key=key, priority=GNUTLS_PRIORITY):
        return run(["gnutls-cli", "--port", str(port), "--pskusername", ID, "--pskkey", key,
                    "--priority", priority, "127.0.0.1"], input=GET, timeout=20)

    srv, port = tessera_server(psk=psks)
    try:
        r = gnutls_cli(port)
        bad = gnutls_cli(port, key=WRONG_KEY)
    finally:
        _, err = stop(srv)
    R.check("gnutls-cli --pskusername/--pskkey -> tessera server (no certificate): PSK on both "
            "sides", r.returncode == 0 and
            ("- PSK authentication. Connected as '%s'" % ID).encode() in r.stdout and
            PAGE_PSK in r.stdout, text(r)[-900:])
    R.check("gnutls-cli with the wrong key is refused with decrypt_error",
            bad.returncode != 0 and b"Received alert [51]: Decrypt error" in bad.stdout + bad.stderr
            and "decrypt_error: the binder of external PSK" in err,
            text(bad)[-600:] + "\n--- server:\n" + err[-600:])

    # psk_ke (RFC 8446 4.2.9): only with --psk-modes psk_ke.
    ke_only = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-ECDHE-PSK:-DHE-PSK:+PSK"
    srv, port = tessera_server("--psk-modes", "psk_ke,psk_dhe_ke", psk=psks)
    try:
        r = gnutls_cli(port, priority=ke_only)
    finally:
        stop(srv)
    R.check("gnutls-cli +PSK only -> tessera --psk-modes psk_ke: no key exchange, and the page "
            "says so", r.returncode == 0 and
            b"psk_ke: no key exchange, no forward secrecy" in r.stdout and
            b"<tr><th>Key exchange group</th><td>(none)" in r.stdout, text(r)[-900:])
    srv, port = tessera_server(psk=psks)
    try:
        r = gnutls_cli(port, priority=ke_only)
    finally:
        stop(srv)
    R.check("gnutls-cli +PSK only -> tessera default (psk_dhe_ke only): refused",
            r.returncode != 0 and b"Received alert [40]" in r.stdout + r.stderr, text(r)[-600:])

    port = free_port()
    srv = start(["gnutls-serv", "--port", str(port), "--pskpasswd", psks, "--priority",
                 GNUTLS_PRIORITY, "--echo"])
    try:
        if not wait_port(port, proc=srv):
            R.check("gnutls-serv --pskpasswd start", False, stop(srv)[1][-400:])
            return
        r = tessera_client(port, "--psk-file", psks, data=b"ping over an external PSK\n")
        bad = tessera_client(port, "--psk-file", wrong, data=b"ping\n")
    finally:
        out, err = stop(srv)
    R.check("tessera client -> gnutls-serv --pskpasswd (no certificate): data echoed, PSK on "
            "both sides", r.returncode == 0 and r.stdout == b"ping over an external PSK\n" and
            SUMMARY_PSK in text(r) and "- PSK authentication. Connected as '%s'" % ID in out and
            "no private key and certificate pairs were set" in out + err,
            text(r)[-800:] + "\n--- gnutls-serv:\n" + (out + err)[-800:])
    R.check("tessera client with the wrong key: gnutls-serv refuses the binder with "
            "illegal_parameter (not RFC 8446's decrypt_error)",
            bad.returncode == 1 and "peer sent alert illegal_parameter" in text(bad) and
            "An illegal parameter has been received" in out + err,
            text(bad)[-600:] + "\n--- gnutls-serv:\n" + (out + err)[-800:])


if __name__ == "__main__":
    for t in [tessera_client_vs_openssl, openssl_client_vs_tessera_server, gnutls_both_ways]:
        try:
            t()
        except Exception as e:  # noqa: BLE001
            R.check(t.__name__, False, repr(e))
    R.finish()

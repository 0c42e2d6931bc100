#!/usr/bin/env python3
"""TLS 1.3 resumption interop: tickets issued by tessera resumed by openssl,
gnutls and Python's ssl; tickets issued by openssl and gnutls resumed by the
tessera client (--reconnect, --sess-out/--sess-in). Loopback only, every peer
bounded in time.

Usage: test_resumption.py /path/to/tessera
"""
import os
import shutil
import socket
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tlspeers import Pki, Results, free_port, run, start, stop, wait_port  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()
HAVE_GNUTLS = shutil.which("gnutls-serv") is not None and shutil.which("gnutls-cli") is not None
GET = b"GET / HTTP/1.0\r\n\r\n"


def text(r):
    return (r.stdout + r.stderr).decode(errors="replace")


def tessera_server(k, *extra, client_ca=None, echo=False):
    port = free_port()
    cmd = [TESSERA, "server", "--port", str(port), "--host", "127.0.0.1", "--cert", k.server,
           "--key", k.server_key] + list(extra)
    if client_ca:
        cmd += ["--client-ca", client_ca, "--verify-client", "require"]
    if echo:
        cmd.append("--echo")
    p = start(cmd)
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + stop(p)[1])
    return p, port


def openssl_server(k, *extra):
    """Starts openssl s_server with the test PKI; (None, None) after a failed
    start check."""
    port = free_port()
    srv = start(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", k.server, "-key",
                 k.server_key] + list(extra))
    if not wait_port(port, proc=srv):
        R.check("openssl s_server %s start" % " ".join(extra), False, stop(srv)[1][-400:])
        return None, None
    return srv, port


def s_client(port, k, *extra):
    return run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile", k.ca,
                "-servername", "localhost", "-verify_return_error", "-ign_eof"] + list(extra),
               input=GET, timeout=15)


def tessera_client(port, k, *extra, data=GET):
    return run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", k.ca, "--servername",
                "localhost", "--timeout", "10"] + list(extra), input=data, timeout=30)


def openssl_vs_tessera_server():
    k = Pki("ec")
    sess = os.path.join(k.dir, "openssl.sess")
    srv, port = tessera_server(k)
    try:
        r1 = s_client(port, k, "-sess_out", sess)
        r2 = s_client(port, k, "-sess_in", sess)
        R.check("openssl -sess_out/-sess_in resumes against tessera server",
                b"New, TLSv1.3" in r1.stdout and b"Reused, TLSv1.3" in r2.stdout and
                b"Resumed</th><td>yes" in r2.stdout and b"Resumed</th><td>no" in r1.stdout,
                text(r2)[-800:])
    finally:
        stop(srv)
    # A restarted server has new ticket keys: the old ticket falls back to a
    # full handshake instead of failing.
    srv, port = tessera_server(k)
    try:
        r3 = s_client(port, k, "-sess_in", sess)
        R.check("openssl ticket from before a restart: full handshake",
                r3.returncode == 0 and b"New, TLSv1.3" in r3.stdout, text(r3)[-600:])
    finally:
        stop(srv)
    # mTLS: the resumed connection still knows the client certificate.
    srv, port = tessera_server(k, client_ca=k.ca)
    try:
        csess = os.path.join(k.dir, "openssl-mtls.sess")
        r1 = s_client(port, k, "-cert", k.client, "-key", k.client_key, "-sess_out", csess)
        r2 = s_client(port, k, "-cert", k.client, "-key", k.client_key, "-sess_in", csess)
        R.check("openssl mTLS resumption keeps the client identity",
                r1.returncode == 0 and b"Reused, TLSv1.3" in r2.stdout and
                b"Resumed</th><td>yes" in r2.stdout and b"CN=tessera interop client" in r2.stdout,
                text(r2)[-800:])
    finally:
        stop(srv)


def tessera_client_vs_openssl():
    k = Pki("ec")
    srv, port = openssl_server(k, "-www")
    if not srv:
        return
    try:
        r = tessera_client(port, k, "--reconnect", "2", "--trace")
        out = text(r)
        R.check("tessera --reconnect 2 resumes against openssl s_server",
                r.returncode == 0 and out.count("resumed: yes") == 2 and
                out.count("resumed: no") == 1 and r.stdout.count(b"Reused, TLSv1.3") == 2,
                out[-800:])
        # The trace of a resumed connection has no Certificate step.
        tail = out[out.find("=== connection 2"):]
        R.check("resumed connection skips certificate steps in --trace",
                "<- Certificate" not in tail and "resuming: the server accepted our ticket" in tail,
                tail[:800])
        sess = os.path.join(k.dir, "tessera.sess")
        r1 = tessera_client(port, k, "--sess-out", sess)
        mode = oct(os.stat(sess).st_mode & 0o777) if os.path.exists(sess) else "missing"
        r2 = tessera_client(port, k, "--sess-in", sess)
        R.check("tessera --sess-out / --sess-in across processes against openssl",
                r1.returncode == 0 and mode == "0o600" and b"Reused, TLSv1.3" in r2.stdout and
                "resumed: yes" in text(r2),
                "mode %s; first: %s; second: %s" % (mode, text(r1)[-400:], text(r2)[-400:]))
    finally:
        stop(srv)


def gnutls_both_ways():
    if not HAVE_GNUTLS:
        R.skip("gnutls resumption", "gnutls-bin not installed")
        return
    k = Pki("ec")
    port = free_port()
    srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", k.server, "--x509keyfile",
                 k.server_key, "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3", "--echo"])
    try:
        if wait_port(port, proc=srv):
            r = tessera_client(port, k, "--reconnect", "1", data=b"resume me\n")
            out = text(r)
            R.check("tessera --reconnect resumes against gnutls-serv",
                    r.returncode == 0 and "resumed: yes" in out and
                    r.stdout.count(b"resume me") == 2, out[-800:])
        else:
            R.check("gnutls-serv start", False, stop(srv)[1][-400:])
    finally:
        stop(srv)
    srv, port = tessera_server(k, echo=True)
    try:
        r = run(["gnutls-cli", "--port", str(port), "--x509cafile", k.ca, "--priority",
                 "NORMAL:-VERS-ALL:+VERS-TLS1.3", "--resume", "localhost"],
                input=b"hello\n", timeout=20)
        R.check("gnutls-cli --resume against tessera server",
                b"This is a resumed session" in r.stdout, text(r)[-800:])
    finally:
        stop(srv)


def tls12_tickets_both_ways():
    k = Pki("ec")
    srv, port = tessera_server(k)
    try:
        sess = os.path.join(k.dir, "openssl12.sess")
        r1 = s_client(port, k, "-tls1_2", "-sess_out", sess)
        r2 = s_client(port, k, "-tls1_2", "-sess_in", sess)
        R.check("openssl TLS 1.2 session ticket resumes against tessera server",
                b"New, TLSv1.2" in r1.stdout and b"Reused, TLSv1.2" in r2.stdout and
                b"Resumed</th><td>yes" in r2.stdout, text(r2)[-800:])
    finally:
        stop(srv)
    srv, port = openssl_server(k, "-www", "-tls1_2")
    if not srv:
        return
    try:
        r = tessera_client(port, k, "--max-version", "1.2", "--reconnect", "1")
        out = text(r)
        R.check("tessera TLS 1.2 --reconnect resumes against openssl s_server",
                r.returncode == 0 and "resumed: yes" in out and
                r.stdout.count(b"Reused, TLSv1.2") == 1, out[-800:])
    finally:
        stop(srv)


def tls12_session_ids_both_ways():
    """RFC 5246 7.4.1.2-3 session IDs: clients without tickets (-no_ticket)."""
    k = Pki("ec")
    srv, port = tessera_server(k)
    try:
        sess = os.path.join(k.dir, "openssl12id.sess")
        r1 = s_client(port, k, "-tls1_2", "-no_ticket", "-sess_out", sess)
        r2 = s_client(port, k, "-tls1_2", "-no_ticket", "-sess_in", sess)
        R.check("openssl TLS 1.2 -no_ticket resumes by session ID against tessera server",
                b"New, TLSv1.2" in r1.stdout and b"Reused, TLSv1.2" in r2.stdout and
                b"Resumed</th><td>yes" in r2.stdout and b"TLS session ticket:" not in r2.stdout,
                text(r2)[-800:])
    finally:
        stop(srv)
    srv, port = openssl_server(k, "-www", "-tls1_2", "-no_ticket")
    if not srv:
        return
    try:
        r = tessera_client(port, k, "--max-version", "1.2", "--reconnect", "2", "--trace")
        out = text(r)
        R.check("tessera TLS 1.2 resumes by session ID against openssl s_server -no_ticket",
                r.returncode == 0 and out.count("resumed: yes") == 2 and
                "offering a TLS 1.2 session ID" in out and
                r.stdout.count(b"Reused, TLSv1.2") == 2, out[-800:])
    finally:
        stop(srv)


def python_vs_tessera_server():
    k = Pki("ec")
    srv, port = tessera_server(k, echo=True)
    ctx = ssl.create_default_context(cafile=k.ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ok, detail = False, ""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"first")
                s.recv(100)  # tickets arrive with the first reply
                session = s.session
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
                s.sendall(b"second")
                got = s.recv(100)
                ok = s.session_reused and got == b"second"
                detail = "reused=%s got=%r" % (s.session_reused, got)
    except Exception as e:  # noqa: BLE001
        detail = repr(e)
    finally:
        stop(srv)
    R.check("python ssl resumes a tessera ticket", ok, detail)


def early_data_both_ways():
    """0-RTT (RFC 8446 2.3): openssl s_client -early_data against the tessera
    server, and the tessera client's --early-data against openssl s_server
    -early_data; refusal by a server that takes none."""
    k = Pki("ec")
    req = os.path.join(k.dir, "early.txt")
    with open(req, "wb") as f:
        f.write(b"GET /early HTTP/1.0\r\n\r\n")
    sess = os.path.join(k.dir, "early.sess")
    srv, port = tessera_server(k, "--early-data", "16384")
    try:
        r1 = s_client(port, k, "-sess_out", sess)
        r2 = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile", k.ca,
                  "-servername", "localhost", "-verify_return_error", "-ign_eof", "-sess_in", sess,
                  "-early_data", req], input=b"", timeout=15)
        R.check("openssl -early_data accepted by the tessera server (0-RTT request answered)",
                b"Max Early Data: 16384" in r1.stdout and b"Reused, TLSv1.3" in r2.stdout and
                b"Early data was accepted" in r2.stdout and
                b"23 bytes accepted as 0-RTT (replayable)" in r2.stdout, text(r2)[-900:])
        # The same ticket again within the freshness window: a replay as far
        # as the server can tell (RFC 8446 8.2). It resumes, but the early
        # data is refused and skipped; s_client then sends the request itself.
        r3 = s_client(port, k, "-sess_in", sess, "-early_data", req)
        R.check("the same ticket's early data a second time is refused as a replay",
                b"Reused, TLSv1.3" in r3.stdout and b"Early data was rejected" in r3.stdout and
                b"offered, refused and skipped" in r3.stdout, text(r3)[-900:])
    finally:
        stop(srv)
    srv, port = openssl_server(k, "-early_data")
    if not srv:
        return
    try:
        tsess = os.path.join(k.dir, "tessera-early.sess")
        r1 = tessera_client(port, k, "--sess-out", tsess, data=b"")
        r2 = tessera_client(port, k, "--sess-in", tsess, "--early-data", req, "--trace",
                            data=b"")
    finally:
        out, err = stop(srv)
        out += err
    R.check("tessera --early-data accepted by openssl s_server -early_data",
            r1.returncode == 0 and r2.returncode == 0 and
            "early data: accepted (0-RTT, replayable)" in text(r2) and
            "Early data received:" in out and "GET /early" in out and "End of early data" in out,
            text(r2)[-300:] + "\n--- s_server:\n" + repr(out[-600:]))


def psk_ke_both_ways():
    """psk_ke (RFC 8446 4.2.9) by policy: openssl -allow_no_dhe_kex and tessera --psk-modes."""
    k = Pki("ec")
    sess = os.path.join(k.dir, "pskke.sess")
    srv, port = tessera_server(k, "--psk-modes", "psk_ke,psk_dhe_ke")
    try:
        s_client(port, k, "-sess_out", sess, "-allow_no_dhe_kex")
        r = s_client(port, k, "-sess_in", sess, "-allow_no_dhe_kex")
        R.check("openssl -allow_no_dhe_kex resumes with psk_ke against tessera --psk-modes",
                b"Reused, TLSv1.3" in r.stdout and b"PSK only, psk_ke" in r.stdout,
                text(r)[-800:])
    finally:
        stop(srv)
    srv, port = openssl_server(k, "-www", "-allow_no_dhe_kex")
    if not srv:
        return
    try:
        r = tessera_client(port, k, "--psk-modes", "psk_ke", "--reconnect", "1")
        R.check("tessera --psk-modes psk_ke resumes without key exchange against openssl",
                r.returncode == 0 and "resumed: yes (PSK only, psk_ke" in text(r) and
                b"Reused, TLSv1.3" in r.stdout, text(r)[-800:])
    finally:
        stop(srv)


if __name__ == "__main__":
    for t in [openssl_vs_tessera_server, tessera_client_vs_openssl, gnutls_both_ways,
              tls12_tickets_both_ways, tls12_session_ids_both_ways, python_vs_tessera_server,
              early_data_both_ways,
              psk_ke_both_ways]:
        try:
            t()
        except Exception as e:  # noqa: BLE001
            R.check(t.__name__, False, repr(e))
    R.finish()

#!/usr/bin/env python3
"""TLS 1.3 post-handshake client authentication (RFC 8446 4.2.6, 4.6.2) against
OpenSSL and GnuTLS: `tessera server --verify-client post-handshake` and
`tessera client --post-handshake-auth`.

Usage: test_post_handshake_auth.py /path/to/tessera

- a tessera server that asks for the client's certificate once the handshake is
  done answers `openssl s_client -enable_pha -cert ...` with a page naming the
  certificate; an s_client without -enable_pha is not asked, one without a
  certificate declines, one with a certificate from another CA is refused with
  unknown_ca (and the server says why); a TLS 1.2 client is not asked;
- Python's ssl client (post_handshake_auth = True) is asked and answers, and so
  does gnutls-cli --post-handshake-auth (on its ^reauth^ inline command);
- a tessera client with --post-handshake-auth answers a Python ssl server
  (OpenSSL underneath) that calls verify_client_post_handshake(): the server
  sees the client's certificate; without the option, OpenSSL refuses to ask
  (the client did not offer the extension);
- a tessera client answers a tessera server;
- a tessera client holding two certificates (--cert/--key twice) answers
  openssl s_server's CertificateRequest with the one the CA it names issued
  (select_client_certificate), in TLS 1.3 and 1.2.

Everything on 127.0.0.1, free ports, bounded in time.
"""
import os
import select
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tlspeers import (Pki, Results, against_s_server, free_port, run, start, stop,  # noqa: E402
                      wait_port)
from tlspeers import out_of  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()
GET = b"GET / HTTP/1.0\r\n\r\n"
ROW = "<tr><th>Post-handshake authentication</th><td>"


def tessera_server(pki):
    port = free_port()
    p = start([TESSERA, "server", "--port", str(port), "--cert", pki.server, "--key",
               pki.server_key, "--client-ca", pki.ca, "--verify-client", "post-handshake"])
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + stop(p)[1])
    return p, port


def s_client(port, *extra):
    # -ign_eof: s_client reads until the server closes (the page comes once
    # the client answered the request for its certificate).
    return run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername",
                "localhost", "-ign_eof", *extra], input=GET, timeout=15)


def python_client(port, pki, cert=True):
    ctx = ssl.create_default_context(cafile=pki.ca)
    ctx.post_handshake_auth = True
    if cert:
        ctx.load_cert_chain(pki.client, pki.client_key)
    page = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(GET)
            while True:
                try:
                    chunk = s.recv(4096)
                except ssl.SSLZeroReturnError:
                    break
                if not chunk:
                    break
                page += chunk
    return page.decode(errors="replace")


def test_tessera_server(pki):
    srv, port = tessera_server(pki)
    try:
        r = s_client(port, "-enable_pha", "-cert", pki.client, "-key", pki.client_key, "-CAfile",
                     pki.ca)
        R.check("s_client -enable_pha: the page names the certificate sent after the handshake",
                ROW + "asked after the handshake; the client sent CN=tessera interop client" in
                out_of(r) and "<th>Client certificate</th><td>CN=tessera interop client" in
                out_of(r), out_of(r)[-1500:])
        r = s_client(port, "-cert", pki.client, "-key", pki.client_key, "-CAfile", pki.ca)
        R.check("s_client without -enable_pha is not asked",
                ROW + "not asked: the client did not offer post_handshake_auth" in out_of(r) and
                "<th>Client certificate</th><td>(none)" in out_of(r), out_of(r)[-1500:])
        r = s_client(port, "-enable_pha", "-CAfile", pki.ca)
        R.check("s_client -enable_pha without a certificate declines",
                ROW + "asked after the handshake; the client declined" in out_of(r),
                out_of(r)[-1500:])
        r = s_client(port, "-enable_pha", "-cert", pki.rogue_client, "-key", pki.rogue_client_key,
                     "-CAfile", pki.ca)
        R.check("s_client -enable_pha with another CA's certificate gets unknown_ca",
                "alert unknown ca" in out_of(r) and ROW not in out_of(r), out_of(r)[-1500:])
        r = s_client(port, "-enable_pha", "-tls1_2", "-cert", pki.client, "-key", pki.client_key,
                     "-CAfile", pki.ca)
        R.check("a TLS 1.2 client is not asked",
                ROW + "not asked: only a TLS 1.3 server" in out_of(r), out_of(r)[-1500:])
        out = gnutls_client(port, pki)
        R.check("gnutls-cli --post-handshake-auth answers with its certificate (gnutls_reauth)",
                "*** Re-auth was performed" in out and
                ROW + "asked after the handshake; the client sent CN=tessera interop client" in
                out, out[-1500:])
        page = python_client(port, pki)
        R.check("Python ssl (post_handshake_auth) answers with its certificate",
                ROW + "asked after the handshake; the client sent CN=tessera interop client" in
                page, page[-1500:])
        # The tessera client half-closes at the end of stdin (close_notify),
        # after which it sends nothing: keep stdin open until the page came.
        out, err = tessera_client_interactive(port, pki, b"</html>")
        R.check("tessera client --post-handshake-auth answers a tessera server",
                ROW + "asked after the handshake; the client sent CN=tessera interop client" in
                out and "the server asked for our certificate; sent it" in err,
                out[-800:] + err[-800:])
    finally:
        _, err = stop(srv)
    R.check("the server reports each answer, and why it refused the other CA's certificate",
            "client certificate: asked after the handshake; the client sent CN=tessera interop "
            "client" in err and "client certificate: refused: cert_untrusted" in err, err)


def gnutls_client(port, pki):
    """gnutls-cli --post-handshake-auth against the tessera server: GnuTLS
    reports the server's request as a non-fatal GNUTLS_E_REAUTH_REQUEST and
    answers it (gnutls_reauth) on the inline command ^reauth^, sent once the
    request was seen; then the HTTP request. Returns its output."""
    cmd = ["gnutls-cli", "--port", str(port), "127.0.0.1", "--sni-hostname", "localhost",
           "--x509cafile", pki.ca, "--x509certfile", pki.client, "--x509keyfile",
           pki.client_key, "--post-handshake-auth", "--inline-commands"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out = read_until(p, b"Re-authentication was requested")
        p.stdin.write(b"^reauth^\n")
        p.stdin.flush()
        out += read_until(p, b"Re-auth")
        p.stdin.write(GET)
        p.stdin.flush()
        out += read_until(p, b"</html>")
    finally:
        p.kill()
        p.wait()
    return out.decode(errors="replace")


def read_until(p, marker, limit=10):
    """Reads p's stdout until `marker` appears (or `limit` seconds pass)."""
    buf = b""
    deadline = time.time() + limit
    while marker not in buf and time.time() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
    return buf


def tessera_client_interactive(port, pki, marker, first=GET, extra=("--post-handshake-auth",)):
    """Runs a tessera client with --cert/--key, writes `first`, waits for
    `marker` on its stdout, then ends its stdin; returns (stdout, stderr)."""
    p = start([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca, "--servername",
               "localhost", "--cert", pki.client, "--key", pki.client_key, *extra])
    try:
        if first:
            p.stdin.write(first)
            p.stdin.flush()
        out = read_until(p, marker)
        p.stdin.close()
        p.stdin = None
        rest, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        rest, err = b"", b"[timed out]"
    finally:
        stop(p)
    return (out + rest).decode(errors="replace"), err.decode(errors="replace")


def python_server(pki, result):
    """A Python ssl server (OpenSSL) on a free port that, once the handshake is
    done, asks for the client's certificate (sent with its banner), reads a
    line and answers with the subject it got. Returns (port, thread)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.server, pki.server_key)
    ctx.load_verify_locations(pki.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.post_handshake_auth = True  # no certificate in the handshake, then ask
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.settimeout(10)

    def serve():
        try:
            conn, _ = ls.accept()
            conn.settimeout(10)
            with ctx.wrap_socket(conn, server_side=True) as s:
                result["in handshake"] = s.getpeercert()
                try:
                    s.verify_client_post_handshake()
                except ssl.SSLError as e:
                    result["error"] = str(e)
                    s.sendall(b"cannot ask\n")
                    s.recv(1024)
                    return
                s.sendall(b"who are you?\n")
                result["line"] = s.recv(1024)
                cert = s.getpeercert() or {}
                subject = dict(x[0] for x in cert.get("subject", ()))
                result["subject"] = subject.get("commonName")
                s.sendall(("you are %s\n" % result["subject"]).encode())
                s.unwrap()
        except (OSError, ssl.SSLError) as e:
            result.setdefault("error", str(e))
        finally:
            ls.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return ls.getsockname()[1], t


def test_python_server(pki):
    result = {}
    port, t = python_server(pki, result)
    # The CertificateRequest comes before the banner: once the banner is out,
    # the client has answered; then it sends its line.
    p = start([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca, "--servername",
               "localhost", "--cert", pki.client, "--key", pki.client_key,
               "--post-handshake-auth"])
    try:
        banner = read_until(p, b"who are you?")
        p.stdin.write(b"hello\n")
        p.stdin.flush()
        reply = read_until(p, b"you are")
        p.stdin.close()
        p.stdin = None
        _, err = p.communicate(timeout=10)
    finally:
        stop(p)
    t.join(10)
    R.check("a Python ssl server sees no certificate in the handshake",
            "in handshake" in result and result["in handshake"] is None, repr(result))
    R.check("tessera client --post-handshake-auth answers OpenSSL's post-handshake request",
            result.get("subject") == "tessera interop client" and result.get("line") ==
            b"hello\n" and b"you are tessera interop client" in reply,
            repr(result) + repr(banner + reply))
    R.check("the tessera client says it was asked, and sent its certificate",
            b"the server asked for our certificate; sent it" in err, err.decode()[-800:])

    # Without --post-handshake-auth the extension is not offered, and OpenSSL
    # will not ask.
    result = {}
    port, t = python_server(pki, result)
    out, _ = tessera_client_interactive(port, pki, b"cannot ask", first=b"", extra=())
    t.join(10)
    R.check("without --post-handshake-auth, OpenSSL cannot ask (extension not received)",
            "EXTENSION_NOT_RECEIVED" in result.get("error", "") and "cannot ask" in out,
            repr(result) + out)


def test_choice_among_certificates(pki):
    """tessera client with two --cert/--key pairs (another CA's first) answers
    openssl s_server's CertificateRequest, which names the CA (-CAfile), with
    the certificate that CA issued; in the handshake (TLS 1.3 and 1.2)."""
    # Another CA and its client certificate (tessera cert local-mtls: "O=tessera,
    # CN=tessera client", issued by "O=tessera, CN=tessera local CA").
    other_dir = pki.path("other")
    made = run([TESSERA, "cert", "local-mtls", "--dir", other_dir], timeout=30)
    R.check("tessera cert local-mtls makes another CA", made.returncode == 0, out_of(made))

    class other:  # noqa: N801 (a namespace like Pki's fields)
        client = os.path.join(other_dir, "client.pem")
        client_key = os.path.join(other_dir, "client.key")

    def connect(version, *creds):
        args = []
        for cert, key in creds:
            args += ["--cert", cert, "--key", key]
        return against_s_server(
            ["-cert", pki.server, "-key", pki.server_key, "-Verify", "1", "-CAfile", pki.ca,
             version],
            lambda port: run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca,
                              "--servername", "localhost", *args, "--trace"], input=b"hello\n",
                             timeout=15))

    for version in ("-tls1_3", "-tls1_2"):
        r, log = connect(version, (other.client, other.client_key), (pki.client, pki.client_key))
        if r is None:
            R.check("openssl s_server started", False, log)
            continue
        R.check("two client certificates: s_server %s gets the one its CA issued" % version,
                r.returncode == 0 and "certificate resolver chose CN=tessera interop client" in
                out_of(r) and "subject=CN = tessera interop client" in log and
                "verify error" not in log, out_of(r)[-800:] + log[-800:])
    # The control: s_server's log shows a verify error for the other CA's
    # certificate (sent when it is the only one; s_server -Verify logs it).
    r, log = connect("-tls1_3", (other.client, other.client_key))
    R.check("control: s_server cannot verify the other CA's certificate",
            r is not None and "verify error" in log and "tessera client" in log, log[-800:])
    r = run([TESSERA, "client", "127.0.0.1:1", "--ca", pki.ca, "--cert", pki.client],
            timeout=10)
    R.check("a --cert without its --key is a usage error",
            r.returncode == 2 and "one --key for each --cert" in out_of(r), out_of(r))


def main():
    pki = Pki()
    test_tessera_server(pki)
    test_python_server(pki)
    test_choice_among_certificates(pki)
    R.finish()


if __name__ == "__main__":
    main()

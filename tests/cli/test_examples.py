#!/usr/bin/env python3
"""Runs the example programs in examples/ against real peers on loopback.

Usage: test_examples.py /path/to/build/bin/tessera
"""
import os
import socket
import ssl
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from tlspeers import Results, free_port, run, start, stop, wait_port, wait_stderr  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(TESSERA)), "examples")
PKI = os.path.join(HERE, "..", "vectors", "pki")
R = Results()


def pki(name):
    return os.path.join(PKI, name)


# What a refused TLS client sees: an alert or a reset, not a reply.
REFUSED = (ssl.SSLError, ConnectionResetError, BrokenPipeError)


def exchange(ctx, port, data):
    """Sends data to the server on 127.0.0.1:port over TLS (for the name
    localhost) and returns (the reply, or b"", the exception, or None)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(data)
                return s.recv(100), None
    except Exception as e:  # noqa: BLE001
        return b"", e


def echo_server():
    port = free_port()
    srv = start([os.path.join(EXAMPLES, "example_echo_server"), str(port), pki("server-ec.pem"),
                 pki("server-ec.key"), pki("ca.pem")])
    if not wait_port(port, proc=srv):
        R.check("echo_server starts", False, stop(srv)[1])
        return
    ctx = ssl.create_default_context(cafile=pki("ca.pem"))
    ctx.load_cert_chain(pki("client-ec.pem"), pki("client-ec.key"))
    got, e = exchange(ctx, port, b"hello example")
    R.check("example_echo_server echoes to an mTLS client", got == b"hello example", repr(e))
    # Without a client certificate the handshake must fail.
    got, e = exchange(ssl.create_default_context(cafile=pki("ca.pem")), port, b"x")
    refused = got == b"" and (e is None or isinstance(e, REFUSED))
    said = wait_stderr(srv, "certificate_required")
    # And it goes on serving.
    again, e = exchange(ctx, port, b"again")
    _, err = stop(srv)
    R.check("example_echo_server refuses a client without certificate (certificate_required)",
            refused and said, err)
    R.check("example_echo_server serves the next client", again == b"again", repr(e) + err)


def echo_server_allowlist():
    """The example with an allowlist: the test client's CN lets it in; a list
    that does not name it gets it the access_denied alert."""
    for allowed, ok in (("CN:tessera test client", True), ("CN:someone else", False)):
        port = free_port()
        srv = start([os.path.join(EXAMPLES, "example_echo_server"), str(port),
                     pki("server-ec.pem"), pki("server-ec.key"), pki("ca.pem"),
                     "URI:spiffe://example.org/other", allowed])
        if not wait_port(port, proc=srv):
            R.check("echo_server with an allowlist starts", False, stop(srv)[1])
            continue
        ctx = ssl.create_default_context(cafile=pki("ca.pem"))
        ctx.load_cert_chain(pki("client-ec.pem"), pki("client-ec.key"))
        got, e = exchange(ctx, port, b"hello example")
        detail = repr(e) if isinstance(e, REFUSED) else ""
        if not ok:
            wait_stderr(srv, "access_denied")
        _, err = stop(srv)
        if ok:
            R.check("example_echo_server lets in the client its allowlist names",
                    got == b"hello example", detail + err)
        else:
            R.check("example_echo_server refuses a trusted client its allowlist does not name",
                    got == b"" and "ACCESS_DENIED" in detail.upper() and "access_denied" in err,
                    detail + err)


def https_get():
    port = free_port()
    srv = start([TESSERA, "server", "--port", str(port), "--cert", pki("server-ec.pem"), "--key",
                 pki("server-ec.key")])
    if not wait_port(port, proc=srv):
        R.check("tessera server starts", False, stop(srv)[1])
        return
    r = run([os.path.join(EXAMPLES, "example_https_get"), "localhost", str(port), pki("ca.pem")],
            timeout=15)
    R.check("example_https_get fetches the status page",
            r.returncode == 0 and b"TLS connection established" in r.stdout, r.stderr.decode())
    r = run([os.path.join(EXAMPLES, "example_https_get"), "localhost", str(port),
             pki("rogue-ca.pem")], timeout=15)
    R.check("example_https_get refuses an untrusted server",
            r.returncode != 0 and b"cert_untrusted" in r.stderr, r.stderr.decode())
    stop(srv)
    # A certificate of the trusted CA for another name.
    port = free_port()
    srv = start([TESSERA, "server", "--port", str(port), "--cert", pki("server-other.pem"),
                 "--key", pki("server-other.key")])
    if not wait_port(port, proc=srv):
        R.check("tessera server starts (other.example)", False, stop(srv)[1])
        return
    r = run([os.path.join(EXAMPLES, "example_https_get"), "localhost", str(port), pki("ca.pem")],
            timeout=15)
    R.check("example_https_get refuses a certificate for another name",
            r.returncode != 0 and b"cert_name_mismatch" in r.stderr, r.stderr.decode())
    stop(srv)


def https_get_truncated():
    """A response cut short: the server sends part of an HTTP/1.0 body and
    closes the TCP connection without close_notify. The body ends at the
    close, so the example must fail, not print a partial page as complete."""
    port = free_port()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pki("server-ec.pem"), pki("server-ec.key"))
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1)
    listener.settimeout(15)
    served = {}

    def serve():
        try:
            raw, _ = listener.accept()
            raw.settimeout(10)
            tls = ctx.wrap_socket(raw, server_side=True)
            tls.recv(1000)
            tls.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nPARTIAL")
            # Close the socket under the TLS layer: no close_notify.
            raw_again = socket.socket(fileno=tls.detach())
            raw_again.shutdown(socket.SHUT_RDWR)
            raw_again.close()
            served["ok"] = True
        except Exception as e:  # noqa: BLE001
            served["error"] = repr(e)
        finally:
            listener.close()

    import threading
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    r = run([os.path.join(EXAMPLES, "example_https_get"), "localhost", str(port), pki("ca.pem")],
            timeout=15)
    t.join(20)
    R.check("the truncating server served its partial response", served.get("ok", False),
            served.get("error", ""))
    R.check("example_https_get fails on a response cut short without close_notify",
            r.returncode != 0 and b"truncated_connection" in r.stderr,
            "rc=%d stdout=%r stderr=%r" % (r.returncode, r.stdout, r.stderr))


def remote_key_server():
    """The asynchronous-signing example: each handshake pauses while its key
    service signs on another thread; a client that leaves mid-signature does
    not upset the next one."""
    port = free_port()
    srv = start([os.path.join(EXAMPLES, "example_remote_key_server"), str(port),
                 pki("server-ec.pem"), pki("server-ec.key")])
    if not wait_port(port, proc=srv):
        R.check("remote_key_server starts", False, stop(srv)[1])
        return
    got = {}
    detail = ""
    try:
        # A client that sends its ClientHello and leaves at once.
        ctx = ssl.create_default_context(cafile=pki("ca.pem"))
        outgoing = ssl.MemoryBIO()
        tls = ctx.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname="localhost")
        try:
            tls.do_handshake()
        except ssl.SSLWantReadError:
            pass
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(outgoing.read())
            raw.recv(1)  # the server's flight has begun: it asked for the signature
        for version in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
            ctx = ssl.create_default_context(cafile=pki("ca.pem"))
            ctx.maximum_version = version
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(b"hello remote key")
                    got[s.version()] = s.recv(100)
    except (OSError, ssl.SSLError) as e:
        detail = repr(e)
    _, err = stop(srv)
    R.check("example_remote_key_server echoes over TLS 1.3 and 1.2, its key signing elsewhere",
            got == {"TLSv1.3": b"hello remote key", "TLSv1.2": b"hello remote key"} and
            err.count("handshake paused: the key service is signing (ecdsa_secp256r1_sha256)")
            == 3 and err.count("handshake done") == 2, detail + err)


if __name__ == "__main__":
    echo_server()
    echo_server_allowlist()
    https_get()
    https_get_truncated()
    remote_key_server()
    R.finish()

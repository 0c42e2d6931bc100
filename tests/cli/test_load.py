#!/usr/bin/env python3
"""The event-loop server under load and faults, on loopback, in a few seconds.

Starts `tessera server --echo` (two workers, short handshake and idle
timeouts), drives it with `tessera bench load` (200 held connections, then 200
connections churning through full and resumed handshakes), then misbehaves with
raw sockets: resets in the middle of the ClientHello, after the ClientHello,
in the middle of an application data record, a client that connects and says
nothing (handshake timeout) and one that goes idle (idle timeout). Afterwards
the server's descriptor count must be back at its baseline and the server must
still serve. Also: the load generator refuses non-loopback targets, and
--max-open-per-peer closes a client's connection beyond its limit at accept.

Usage: test_load.py /path/to/build/bin/tessera
"""
import os
import re
import signal
import socket
import ssl
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from tlspeers import Results, free_port, run, start, stop, wait_port  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
PKI = os.path.join(HERE, "..", "vectors", "pki")
R = Results()
HANDSHAKE_TIMEOUT = 2
IDLE_TIMEOUT = 3


def pki(name):
    return os.path.join(PKI, name)


def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


def settle_fds(pid, want, timeout):
    """Waits until the server holds `want` descriptors; returns the last count."""
    deadline = time.time() + timeout
    n = fd_count(pid)
    while n != want and time.time() < deadline:
        time.sleep(0.1)
        n = fd_count(pid)
    return n


def field(name, text):
    m = re.search(r"^%s:\s+(\d+)" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


def load(port, *extra, timeout=40):
    r = run([TESSERA, "bench", "load", "127.0.0.1:%d" % port, "--ca", pki("ca.pem"),
             "--timeout", "10"] + list(extra), timeout=timeout)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def rst(sock):
    """Closes with SO_LINGER 0: the peer sees a reset, not a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def client_hello():
    """A real TLS 1.3 ClientHello from Python's ssl module (memory BIOs)."""
    ctx = ssl.create_default_context(cafile=pki("ca.pem"))
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def tls_client(port):
    ctx = ssl.create_default_context(cafile=pki("ca.pem"))
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def faults(port):
    hello = client_hello()
    R.check("python builds a ClientHello", len(hello) > 100 and hello[0] == 0x16, hello[:8])
    # Reset in the middle of the ClientHello record.
    for cut in (1, 5, len(hello) // 2):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(hello[:cut])
        time.sleep(0.05)
        rst(s)
    # Reset after the whole ClientHello, once the server's flight is on its way.
    firsts = []
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(hello)
        firsts.append(s.recv(5))
        rst(s)
    R.check("server answers each raw ClientHello with a handshake record",
            all(f[:1] == b"\x16" for f in firsts), firsts)
    # Reset in the middle of an application data record after a full handshake.
    echoes = []
    for _ in range(3):
        t = tls_client(port)
        t.sendall(b"ping")
        echoes.append(t.recv(4))
        os.write(t.fileno(), b"\x17\x03\x03\x40\x00" + b"\x00" * 100)
        time.sleep(0.05)
        rst(t)
    R.check("echo works before each mid-record reset", echoes == [b"ping"] * 3, echoes)
    # Many resets at once, in the middle of handshakes.
    socks = []
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(hello[:40])
        socks.append(s)
    time.sleep(0.1)
    for s in socks:
        rst(s)


def timeouts(port):
    # A client that connects and sends nothing is dropped after the handshake
    # timeout: the server cancels the handshake (RFC 8446 6.1: user_canceled,
    # then close_notify, as plaintext alert records) and closes.
    s = socket.create_connection(("127.0.0.1", port), timeout=HANDSHAKE_TIMEOUT + 5)
    t0 = time.time()
    got = b""
    try:
        while True:
            b = s.recv(100)
            if not b:
                break
            got += b
    except OSError:
        pass
    dt = time.time() - t0
    s.close()
    canceled = (len(got) == 14 and got[0] == 21 and got[5:7] == b"\x01\x5a" and got[7] == 21
                and got[12:14] == b"\x01\x00")
    R.check("silent client canceled (user_canceled, close_notify) and dropped after the "
            "handshake timeout (%.1f s)" % dt,
            canceled and HANDSHAKE_TIMEOUT - 0.5 <= dt <= HANDSHAKE_TIMEOUT + 10, (got, dt))
    # An established connection that goes quiet is closed after the idle timeout,
    # with close_notify.
    t = tls_client(port)
    t.settimeout(IDLE_TIMEOUT + 5)
    t0 = time.time()
    try:
        got = t.recv(100)
        how = "close_notify" if got == b"" else repr(got)
    except (ssl.SSLError, OSError) as e:
        how = str(e)
    dt = time.time() - t0
    t.close()
    R.check("idle connection closed with close_notify after the idle timeout (%.1f s)" % dt,
            how == "close_notify" and IDLE_TIMEOUT - 0.5 <= dt <= IDLE_TIMEOUT + 10, (how, dt))


def echo_once(port):
    """A new connection's echo of b"ping"; None if the connection is refused."""
    try:
        t = tls_client(port)
        t.sendall(b"ping")
        got = t.recv(4)
        t.close()
        return got or None
    except (ssl.SSLError, OSError):
        return None


def per_peer_limit():
    """--max-open-per-peer 2: a third connection from 127.0.0.1 is closed at
    accept (the TLS handshake fails), the first two go on, and once one
    closes a new one is served."""
    port = free_port()
    srv = start([TESSERA, "server", "--echo", "--port", str(port), "--cert", pki("server-ec.pem"),
                 "--key", pki("server-ec.key"), "--workers", "1", "--max-open-per-peer", "2"])
    try:
        if not wait_port(port, proc=srv):
            R.check("server with --max-open-per-peer starts", False, stop(srv)[1])
            return
        held = [tls_client(port), tls_client(port)]
        R.check("--max-open-per-peer 2: a third connection is closed at accept",
                echo_once(port) is None)
        echoes = []
        for t in held:
            t.sendall(b"ping")
            echoes.append(t.recv(4))
        R.check("--max-open-per-peer 2: the first two still echo", echoes == [b"ping"] * 2,
                echoes)
        held.pop().close()
        ok = False
        deadline = time.time() + 5
        while not ok and time.time() < deadline:  # the server sees the close first
            ok = echo_once(port) == b"ping"
            if not ok:
                time.sleep(0.1)
        R.check("--max-open-per-peer 2: after one closes, a new connection is served", ok)
        for t in held:
            t.close()
    finally:
        stop(srv)


def main():
    r = run([TESSERA, "bench", "load", "192.0.2.1:443"], timeout=20)
    R.check("load generator refuses a non-loopback target",
            r.returncode == 2 and b"loopback" in r.stderr, r.stderr)

    port = free_port()
    srv = start([TESSERA, "server", "--echo", "--port", str(port), "--cert", pki("server-ec.pem"),
                 "--key", pki("server-ec.key"), "--workers", "2", "--handshake-timeout",
                 str(HANDSHAKE_TIMEOUT), "--idle-timeout", str(IDLE_TIMEOUT)])
    if not wait_port(port, proc=srv):
        R.check("server starts", False, stop(srv)[1])
        R.finish()
    base = fd_count(srv.pid)
    time.sleep(0.3)
    base = settle_fds(srv.pid, base, 2)
    R.check("server has a descriptor baseline", base > 0, base)

    # 8 s: enough to establish 200 connections on a busy 2-core machine (about 0.5 s when it
    # is not).
    rc, out, err = load(port, "--connections", "200", "--duration", "8", "--interval", "200")
    R.check("200 held connections: exit 0", rc == 0, err[-600:] + out)
    R.check("200 held connections: all 200 held", field("connections held", out) == 200, out)
    R.check("200 held connections: zero errors", field("errors", out) == 0, out)
    R.check("200 held connections: bytes verified", (field("bytes verified", out) or 0) > 0, out)

    rc, out, err = load(port, "--connections", "200", "--duration", "6", "--requests", "2",
                        "--resume", "50", "--size", "3000")
    hs = re.search(r"handshakes:\s+(\d+) \(full (\d+), resumed (\d+)\)", out)
    R.check("churn with resumption: exit 0 and zero errors",
            rc == 0 and field("errors", out) == 0, err[-600:] + out)
    R.check("churn with resumption: full and resumed handshakes",
            hs is not None and int(hs.group(2)) > 0 and int(hs.group(3)) > 0, out)
    R.check("churn: more handshakes than connections (reconnects)",
            hs is not None and int(hs.group(1)) > 200, out)

    faults(port)
    timeouts(port)
    n = settle_fds(srv.pid, base, HANDSHAKE_TIMEOUT + 5)
    R.check("server descriptors back at baseline after resets and timeouts (%d, was %d)"
            % (n, base), n == base, n)

    rc, out, err = load(port, "--connections", "20", "--duration", "1", "--requests", "3")
    R.check("server still serves after the faults",
            rc == 0 and field("errors", out) == 0, err[-600:] + out)
    n = settle_fds(srv.pid, base, 5)
    R.check("descriptors back at baseline after the last run", n == base, (n, base))

    t0 = time.time()
    srv.send_signal(signal.SIGTERM)
    try:
        srv.wait(10)
    except Exception:
        pass
    # The drain is 2 s; the rest is slack for a loaded machine.
    R.check("server exits on SIGTERM within 9 s",
            srv.poll() == 0 and time.time() - t0 < 9, srv.poll())
    out, err = stop(srv)
    R.check("server reported the reset handshakes",
            "handshake with 127.0.0.1 failed" in err, err[-400:])
    per_peer_limit()
    R.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""CLI tests of TLS 1.3 external PSKs: `tessera server --psk-file` and
`tessera client --psk-file [--psk-identity] [--psk-hash]`.

Usage: test_psk.py /path/to/tessera

- usage and file errors: a server with neither --cert/--key nor --psk-file,
  --cert without --key, --client-ca or --ocsp-response without a certificate;
  malformed lines (no ':', a key that is not hex), a short key (refused with
  the library's message), a repeated identity, a file without a PSK, a missing
  file: each names the file and line and never prints the key; on the client,
  several PSKs without --psk-identity, an unknown --psk-identity, --crl /
  --ocsp / --sess-out with a PSK-only client, --psk-hash / --psk-identity
  without --psk-file, a TLS 1.2-only policy;
- handshakes between tessera client and tessera server (no certificate): data
  both ways and both summaries naming the PSK; SHA-384 PSKs get a SHA-384
  suite; a hash or key mismatch is decrypt_error on both sides; --psk-identity
  picks a line; psk_ke by --psk-modes; --reconnect makes a PSK handshake each
  time (no tickets);
- a server with a certificate and PSKs: a PSK-only client with a PSK it does
  not know fails closed (handshake_failure), and with --ca falls back to the
  certificate; a client with a known PSK uses it.

Everything on 127.0.0.1, free ports, bounded in time; prints one line per
check and "N passed, M failed, K skipped" last.
"""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from tlspeers import Results, free_port, run, start, stop, wait_port  # noqa: E402
from tlspeers import out_of  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()
KEY = os.urandom(32).hex()
KEY2 = os.urandom(48).hex()


def tessera(*args, timeout=30, data=b""):
    return run([TESSERA, *args], input=data, timeout=timeout)


class Dir:
    def __init__(self, d):
        self.d = d

    def p(self, name):
        return os.path.join(self.d, name)

    def write(self, name, body):
        with open(self.p(name), "w") as f:
            f.write(body)
        return self.p(name)


def server(*extra):
    port = free_port()
    p = start([TESSERA, "server", "--port", str(port), "--echo", "--idle-timeout", "2", *extra])
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + stop(p)[1])
    return p, port


def client(port, *extra, data=b"ping\n"):
    return tessera("client", "127.0.0.1:%d" % port, "--timeout", "10", *extra, data=data)


def test_errors(d):
    port = free_port()  # nothing listens: every run here stops before connecting
    r = tessera("server", "--port", str(port))
    R.check("server with neither --cert/--key nor --psk-file is a usage error",
            r.returncode == 2 and "give --cert and --key, --psk-file (TLS 1.3 external PSKs), "
            "or both" in out_of(r), out_of(r))
    good = d.write("good.psk", "device-17:%s\n" % KEY)
    r = tessera("server", "--port", str(port), "--cert", d.p("server.pem"), "--psk-file", good)
    R.check("server --cert without --key is a usage error",
            r.returncode == 2 and "--cert and --key go together" in out_of(r), out_of(r))
    r = tessera("server", "--port", str(port), "--psk-file", good, "--client-ca", d.p("ca.pem"))
    R.check("server --client-ca with only --psk-file is a usage error",
            r.returncode == 2 and "--client-ca needs --cert/--key" in out_of(r), out_of(r))
    r = tessera("server", "--port", str(port), "--psk-file", good, "--psk-hash", "sha512")
    R.check("--psk-hash sha512 is a usage error", r.returncode == 2, out_of(r))
    r = tessera("server", "--port", str(port), "--cert", d.p("server.pem"), "--key",
                d.p("server.key"), "--psk-hash", "sha384")
    R.check("--psk-hash without --psk-file is a usage error", r.returncode == 2, out_of(r))

    def server_error(name, body):
        path = d.write(name, body)
        r = tessera("server", "--port", str(port), "--psk-file", path)
        return r, path, out_of(r)

    secret = os.urandom(16).hex()
    r, path, out = server_error("nocolon.psk", "# ok so far\n\ndevice-17%s\n" % secret)
    R.check("a line without ':' is refused naming file and line, not printing the line",
            r.returncode == 1 and "loading --psk-file: config_invalid: %s:3: expected "
            "IDENTITY:HEXKEY" % path in out and secret not in out, out)
    r, path, out = server_error("odd.psk", "a:%s\nb:%s0\n" % (KEY, secret))
    R.check("an odd number of hex digits is refused naming the identity and line",
            r.returncode == 1 and "%s:2: the key of 'b' is not hex" % path in out and
            secret not in out, out)
    r, path, out = server_error("nothex.psk", "a:%sxy\n" % secret)
    R.check("a key that is not hex is refused", r.returncode == 1 and
            "%s:1: the key of 'a' is not hex" % path in out and secret not in out, out)
    r, path, out = server_error("short.psk", "a:%s\nshort:00112233445566778899aabbccddee\n" % KEY)
    R.check("a 15-byte key is refused with the library's message (offline guessing)",
            r.returncode == 1 and "%s:2: an external PSK needs 16 to 256 bytes of key (at least "
            "128 bits: a short key can be guessed offline from one recorded handshake), not 15"
            % path in out, out)
    r, path, out = server_error("dup.psk", "a:%s\nb:%s\na:%s\n" % (KEY, KEY2, KEY2))
    R.check("a repeated identity is refused naming both lines",
            r.returncode == 1 and "%s:3: identity 'a' is already on line 1" % path in out, out)
    r, path, out = server_error("empty.psk", "# no keys yet\n\n")
    R.check("a file without a PSK is refused",
            r.returncode == 1 and "%s holds no PSK" % path in out, out)
    r = tessera("server", "--port", str(port), "--psk-file", d.p("missing.psk"))
    R.check("a missing --psk-file is refused naming it",
            r.returncode == 1 and "cannot open %s" % d.p("missing.psk") in out_of(r), out_of(r))

    two = d.write("two.psk", "a:%s\nb:%s\n" % (KEY, KEY2))
    r = client(port, "--psk-file", two)
    R.check("client: a file of two PSKs without --psk-identity is refused",
            r.returncode == 1 and "loading --psk-file: config_invalid: %s holds 2 PSKs: choose "
            "one with --psk-identity" % two in out_of(r), out_of(r))
    r = client(port, "--psk-file", two, "--psk-identity", "c")
    R.check("client: an --psk-identity not in the file is refused",
            r.returncode == 1 and "has no PSK with identity 'c'" in out_of(r), out_of(r))
    r = client(port, "--psk-identity", "a")
    R.check("client: --psk-identity without --psk-file is a usage error",
            r.returncode == 2, out_of(r))
    r = client(port, "--psk-file", good, "--crl", good)
    R.check("client: --crl with a PSK-only client (no --ca) is a usage error",
            r.returncode == 2 and "--crl has no effect with --psk-file and no --ca" in out_of(r),
            out_of(r))
    r = client(port, "--psk-file", good, "--ocsp", "require")
    R.check("client: --ocsp with a PSK-only client is a usage error",
            r.returncode == 2 and "--ocsp has no effect with --psk-file and no --ca" in out_of(r),
            out_of(r))
    r = client(port, "--psk-file", good, "--sess-out", d.p("s.pem"))
    R.check("client: --sess-out with --psk-file is a usage error (no tickets are kept)",
            r.returncode == 2 and "--sess-in/--sess-out carry resumption tickets" in out_of(r)
            and not os.path.exists(d.p("s.pem")), out_of(r))
    r = client(port, "--psk-file", good, "--max-version", "1.2")
    R.check("client: an external PSK with a TLS 1.2-only policy is refused",
            r.returncode == 1 and "an external PSK needs TLS 1.3" in out_of(r), out_of(r))


def test_handshakes(d):
    psks = d.write("server.psk", "# fleet\ndevice-17:%s\ndevice-18:%s\n" % (KEY, KEY2))
    mine = d.write("device-17.psk", "device-17:%s\n" % KEY)
    wrong = d.write("wrong.psk", "device-17:%s\n" % os.urandom(32).hex())

    srv, port = server("--psk-file", psks, "--trace")
    try:
        r = client(port, "--psk-file", mine, "--trace")
        by_id = client(port, "--psk-file", psks, "--psk-identity", "device-18")
        bad = client(port, "--psk-file", wrong)
        again = client(port, "--psk-file", mine, "--reconnect", "1")
    finally:
        _, err = stop(srv)
    out = out_of(r)
    R.check("client -> server, both PSK-only: data both ways, the summary and --trace name the PSK",
            r.returncode == 0 and r.stdout == b"ping\n" and
            "authenticated by: external PSK 'device-17' (no certificates; psk_dhe_ke: x25519 key "
            "exchange, forward secrecy)" in out and
            "client: authenticated by external PSK 'device-17'" in out and
            "verified by: (external PSK: the server proved it holds the key)" in out and
            "server signature:" not in out and "peer certificate:" not in out, out)
    R.check("the server's --trace names the PSK",
            ": authenticated by external PSK 'device-17' (no certificates; psk_dhe_ke" in err and
            ", 2 external PSKs and no certificate)" in err, err)
    R.check("client --psk-identity picks the line",
            by_id.returncode == 0 and by_id.stdout == b"ping\n" and
            "authenticated by: external PSK 'device-18'" in out_of(by_id), out_of(by_id))
    R.check("a wrong key: decrypt_error on both sides",
            bad.returncode == 1 and "peer sent alert decrypt_error" in out_of(bad) and
            "decrypt_error: the binder of external PSK 'device-17' does not verify" in err,
            out_of(bad) + "\n--- server:\n" + err)
    R.check("--reconnect: a PSK handshake each time, no ticket resumption",
            again.returncode == 0 and out_of(again).count("authenticated by: external PSK") == 2
            and out_of(again).count("resumed: no") == 2 and again.stdout == b"ping\nping\n",
            out_of(again))

    srv, port = server("--psk-file", psks, "--psk-hash", "sha384")
    try:
        r = client(port, "--psk-file", mine, "--psk-hash", "sha384")
        mismatch = client(port, "--psk-file", mine)
    finally:
        _, err = stop(srv)
    R.check("--psk-hash sha384 on both sides: a SHA-384 suite",
            r.returncode == 0 and r.stdout == b"ping\n" and
            "cipher suite: TLS_AES_256_GCM_SHA384" in out_of(r) and
            "authenticated by: external PSK 'device-17'" in out_of(r), out_of(r))
    R.check("a SHA-256 client against the same key as SHA-384: decrypt_error",
            mismatch.returncode == 1 and "peer sent alert decrypt_error" in out_of(mismatch),
            out_of(mismatch))

    srv, port = server("--psk-file", psks, "--psk-modes", "psk_ke")
    try:
        r = client(port, "--psk-file", mine, "--psk-modes", "psk_ke")
    finally:
        stop(srv)
    R.check("--psk-modes psk_ke on both sides: no key exchange, and the summary says so",
            r.returncode == 0 and r.stdout == b"ping\n" and
            "(no certificates; psk_ke: no key exchange, no forward secrecy)" in out_of(r), out_of(r))

    # A server with a certificate and PSKs.
    stranger = d.write("stranger.psk", "stranger:%s\n" % KEY)
    srv, port = server("--psk-file", psks, "--cert", d.p("server.pem"), "--key",
                       d.p("server.key"))
    try:
        closed = client(port, "--psk-file", stranger)
        fallback = client(port, "--psk-file", stranger, "--ca", d.p("ca.pem"), "--servername",
                          "localhost")
        psk = client(port, "--psk-file", mine, "--ca", d.p("ca.pem"), "--servername",
                     "localhost")
    finally:
        stop(srv)
    R.check("PSK-only client, a server with a certificate that does not know the PSK: fails "
            "closed, nothing sent", closed.returncode == 1 and closed.stdout == b"" and
            "handshake_failure: the server did not accept our external PSK, and certificate "
            "verification is off" in out_of(closed), out_of(closed))
    R.check("--psk-file --ca: an unknown PSK falls back to the verified certificate",
            fallback.returncode == 0 and fallback.stdout == b"ping\n" and
            "peer certificate: CN=localhost" in out_of(fallback) and
            "authenticated by:" not in out_of(fallback), out_of(fallback))
    R.check("--psk-file --ca: a known PSK is used, no certificate",
            psk.returncode == 0 and "authenticated by: external PSK 'device-17'" in out_of(psk)
            and "peer certificate:" not in out_of(psk), out_of(psk))


def main():
    d = Dir(tempfile.mkdtemp(prefix="tessera-psk-"))
    try:
        ok = True
        for args in (("ca", "--out-cert", d.p("ca.pem"), "--out-key", d.p("ca.key")),
                     ("server", "--ca", d.p("ca.pem"), "--ca-key", d.p("ca.key"), "--dns",
                      "localhost", "--ip", "127.0.0.1", "--subject", "CN=localhost", "--out-cert",
                      d.p("server.pem"), "--out-key", d.p("server.key"))):
            r = tessera("cert", *args)
            R.check("cert " + args[0], r.returncode == 0, out_of(r))
            ok = ok and r.returncode == 0
        if ok:
            test_errors(d)
            test_handshakes(d)
    finally:
        shutil.rmtree(d.d, ignore_errors=True)
    R.finish()


main()

#!/usr/bin/env python3
"""CLI tests of the NSS key log (--keylog FILE, or $SSLKEYLOGFILE): a tessera
client and server, TLS 1.3 and TLS 1.2, each writing its own file.

Usage: test_keylog.py /path/to/tessera

- both files are created mode 0600 and hold the lines of their version:
  TLS 1.3 the handshake and traffic secrets and the exporter secret, TLS 1.2
  CLIENT_RANDOM with the master secret;
- client and server log the same secret for each label and the same client
  random (so Wireshark can decrypt with either);
- $SSLKEYLOGFILE works when --keylog is not given; a later run appends;
- a key log that cannot be written is named in one warning and the
  connection goes on.

Everything on 127.0.0.1, free ports, bounded in time; prints one line per
check and "N passed, M failed, K skipped" last.
"""
import os
import shutil
import stat
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from tlspeers import Results, free_port, out_of, run, start, stop, wait_port  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
PKI = os.path.join(HERE, "..", "vectors", "pki")
R = Results()
TLS13 = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
         "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"}


def pki(name):
    return os.path.join(PKI, name)


def lines(path):
    """{label: (client_random, secret)} of a key log file, and the line count."""
    out, n = {}, 0
    with open(path) as f:
        for line in f:
            n += 1
            label, random, secret = line.split()
            out[label] = (random, secret)
    return out, n


def handshake(d, tag, server_log, client_env=None, client_log=None, extra=()):
    port = free_port()
    srv = start([TESSERA, "server", "--port", str(port), "--echo", "--cert", pki("server-ec.pem"),
                 "--key", pki("server-ec.key"), "--keylog", server_log, *extra])
    try:
        if not wait_port(port, proc=srv):
            R.check("%s: server starts" % tag, False, stop(srv)[1])
            return None
        args = [TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki("ca.pem"), "--servername",
                "localhost", "--timeout", "10", *extra]
        if client_log:
            args += ["--keylog", client_log]
        env = dict(os.environ)
        env.pop("SSLKEYLOGFILE", None)
        env.update(client_env or {})
        return run(args, input=b"ping\n", timeout=30, env=env)
    finally:
        stop(srv)


def main():
    d = tempfile.mkdtemp(prefix="tessera-keylog-")
    old = os.umask(0o022)  # a default umask: the 0600 must come from tessera
    try:
        for version, extra, want in (("TLS 1.3", (), TLS13),
                                     ("TLS 1.2", ("--max-version", "1.2"), {"CLIENT_RANDOM"})):
            s_log, c_log = os.path.join(d, version + ".server"), os.path.join(d, version + ".client")
            r = handshake(d, version, s_log, client_log=c_log, extra=extra)
            if r is None:
                continue
            R.check("%s: the client connects" % version,
                    r.returncode == 0 and b"ping" in r.stdout, out_of(r)[-600:])
            for side, path in (("server", s_log), ("client", c_log)):
                mode = stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else None
                R.check("%s: the %s's key log is created 0600" % (version, side), mode == 0o600,
                        oct(mode) if mode is not None else "missing")
            if not (os.path.exists(s_log) and os.path.exists(c_log)):
                continue
            server, _ = lines(s_log)
            client, _ = lines(c_log)
            R.check("%s: the labels of the version" % version,
                    set(server) == want and set(client) == want, (sorted(server), sorted(client)))
            R.check("%s: client and server log the same secrets for the same client random"
                    % version, server == client and
                    len({random for random, _ in client.values()}) == 1, (server, client))
        # $SSLKEYLOGFILE, and appending.
        env_log = os.path.join(d, "env.log")
        for _ in range(2):
            r = handshake(d, "SSLKEYLOGFILE", os.path.join(d, "env.server"),
                          client_env={"SSLKEYLOGFILE": env_log})
        _, n = lines(env_log) if os.path.exists(env_log) else ({}, 0)
        R.check("$SSLKEYLOGFILE without --keylog; a second run appends", n == 2 * len(TLS13), n)
        # A key log that cannot be written: one warning, and the connection works.
        bad = os.path.join(d, "no-such-dir", "keys.log")
        r = handshake(d, "unwritable", os.path.join(d, "bad.server"), client_log=bad)
        err = r.stderr.decode(errors="replace") if r else ""
        R.check("an unwritable key log: one warning naming it, and the connection goes on",
                r is not None and r.returncode == 0 and b"ping" in r.stdout and
                err.count("cannot write the key log " + bad) == 1, err[-600:])
    finally:
        os.umask(old)
        shutil.rmtree(d, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()

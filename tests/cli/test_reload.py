#!/usr/bin/env python3
"""`tessera server` reloads --cert/--key on SIGHUP (a renewed certificate
without a restart, through ServerConfig::credential_resolver).

Usage: test_reload.py /path/to/tessera

- a server started with certificate A serves A; the files are replaced by B
  and the server gets SIGHUP: the next client (tessera client, and Python's
  ssl) sees B, and the server says it reloaded;
- files that no longer load (a key that does not match the certificate): the
  server keeps serving B and says why the reload failed;
- without SIGHUP, replaced files are not read.

Everything on 127.0.0.1, free ports, bounded in time.
"""
import os
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from tlspeers import Results, free_port, run, start, stop, wait_port  # noqa: E402
from tlspeers import out_of  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()


def tessera(*args, timeout=30):
    return run([TESSERA, *args], input=b"", timeout=timeout)


def served_subject(port, ca):
    r = run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", ca, "--servername", "localhost",
             "--timeout", "10"], input=b"", timeout=20)
    for line in out_of(r).splitlines():
        if line.strip().startswith("peer certificate:"):
            return line.split(":", 1)[1].strip()
    return "(none: %s)" % out_of(r)[-300:]


def python_sees(port, ca):
    ctx = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            cert = s.getpeercert()
    return dict(x[0] for x in cert["subject"]).get("organizationName", "")


def hup_and_wait(srv):
    os.killpg(srv.pid, signal.SIGHUP)
    time.sleep(0.3)  # the flag is read by the next handshake


def main():
    d = tempfile.mkdtemp(prefix="tessera-reload-")
    p = lambda name: os.path.join(d, name)  # noqa: E731
    try:
        ok = True
        for args in (("ca", "--out-cert", p("ca.pem"), "--out-key", p("ca.key")),
                     ("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--dns", "localhost",
                      "--subject", "CN=localhost, O=first", "--out-cert", p("a.pem"), "--out-key",
                      p("a.key")),
                     ("server", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--dns", "localhost",
                      "--subject", "CN=localhost, O=renewed", "--out-cert", p("b.pem"),
                      "--out-key", p("b.key"))):
            r = tessera("cert", *args)
            R.check("cert " + args[0], r.returncode == 0, out_of(r))
            ok = ok and r.returncode == 0
        if not ok:
            return
        shutil.copy(p("a.pem"), p("live.pem"))
        shutil.copy(p("a.key"), p("live.key"))
        port = free_port()
        srv = start([TESSERA, "server", "--port", str(port), "--cert", p("live.pem"), "--key",
                     p("live.key"), "--echo", "--idle-timeout", "2"])
        if not wait_port(port, proc=srv):
            R.check("tessera server starts", False, stop(srv)[1])
            return
        try:
            R.check("the server serves the first certificate",
                    served_subject(port, p("ca.pem")) == "CN=localhost, O=first",
                    served_subject(port, p("ca.pem")))
            shutil.copy(p("b.pem"), p("live.pem"))
            shutil.copy(p("b.key"), p("live.key"))
            R.check("replaced files are not read without SIGHUP",
                    served_subject(port, p("ca.pem")) == "CN=localhost, O=first")
            hup_and_wait(srv)
            got = served_subject(port, p("ca.pem"))
            R.check("after SIGHUP the next client gets the renewed certificate",
                    got == "CN=localhost, O=renewed", got)
            got = python_sees(port, p("ca.pem"))
            R.check("Python's ssl sees it too", got == "renewed", got)
            # A key that does not match the certificate: the reload fails, B stays.
            shutil.copy(p("a.key"), p("live.key"))
            hup_and_wait(srv)
            got = served_subject(port, p("ca.pem"))
            R.check("a reload that fails keeps the certificate in use",
                    got == "CN=localhost, O=renewed", got)
        finally:
            _, err = stop(srv)
        R.check("the server says it reloaded, naming the certificate",
                "reloaded %s (CN=localhost, O=renewed)" % p("live.pem") in err, err)
        R.check("the server says why a reload failed",
                "reload failed, keeping the current certificate:" in err, err)
    finally:
        shutil.rmtree(d, ignore_errors=True)
        R.finish()


main()

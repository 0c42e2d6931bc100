#!/usr/bin/env python3
"""CLI tests of revocation: `tessera cert crl`, `--crl` / `--crl-check` on
`tessera verify`, and tessera server against tessera client with CRLs.

Usage: test_crl.py /path/to/tessera

The PKI is made with `tessera cert`: a root, an intermediate under it, client
certificates under the intermediate (sent with the intermediate, --chain) and a
server certificate under the root. The CRLs are made with `tessera cert crl`
and read back by `openssl crl` (signature, serials, reason, number, dates).

- cert crl: --serial spellings, --number, --days, --reason, an empty CRL, and
  its refusals (a certificate another CA issued, even one whose issuer has the
  same name; a file of two certificates of this CA; a bad serial or reason,
  removeFromCRL; a leaf or a mismatched key as --ca); a chain file revokes its
  first certificate;
- verify: chain (default), leaf and best-effort over a two-level chain, with
  CRLs given as several files, one concatenated PEM file and DER; usage errors;
- handshakes (TLS 1.3 and 1.2), tessera server --client-ca --crl with tessera
  client: a revoked client certificate is refused and the client is told
  certificate_revoked; one not listed gets through; without a CRL from the
  intermediate (chain mode) the client is told certificate_unknown, and
  --crl-check leaf lets it through; tessera client --crl refuses a revoked
  server certificate; errors reading CRL files name the file.

Everything on 127.0.0.1, free ports, bounded in time; prints one line per
check and "N passed, M failed, K skipped" last.
"""
import datetime
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


def tessera(*args, timeout=60):
    return run([TESSERA, *args], timeout=timeout)


def openssl(*args):
    return run(["openssl", *args], timeout=60)


def serial_of(cert):
    """The certificate's serial as OpenSSL prints it (upper-case hex)."""
    r = openssl("x509", "-in", cert, "-noout", "-serial")
    return r.stdout.decode().strip().split("=", 1)[1].upper()


def crl_time(crl, which):
    """lastUpdate / nextUpdate of a CRL as `openssl crl` prints it, as a datetime."""
    r = openssl("crl", "-in", crl, "-noout", "-" + which)
    text = " ".join(r.stdout.decode().strip().split("=", 1)[1].split())
    return datetime.datetime.strptime(text, "%b %d %H:%M:%S %Y GMT").replace(
        tzinfo=datetime.timezone.utc)


class Pki:
    def __init__(self, d):
        self.d = d
        self.ok = True
        self._make("ca", "--out-cert", self.p("root.pem"), "--out-key", self.p("root.key"),
                   "--subject", "CN=crl test root")
        self._make("intermediate", "--ca", self.p("root.pem"), "--ca-key", self.p("root.key"),
                   "--out-cert", self.p("int.pem"), "--out-key", self.p("int.key"),
                   "--subject", "CN=crl test intermediate")
        self._make("server", "--ca", self.p("root.pem"), "--ca-key", self.p("root.key"),
                   "--dns", "localhost", "--ip", "127.0.0.1", "--out-cert", self.p("server.pem"),
                   "--out-key", self.p("server.key"))
        for name in ("alice", "bob"):
            self._make("client", "--ca", self.p("int.pem"), "--ca-key", self.p("int.key"),
                       "--subject", "CN=" + name, "--chain", "--out-cert", self.p(name + ".pem"),
                       "--out-key", self.p(name + ".key"))
        # Another CA with the same name as the intermediate (and its own key).
        self._make("ca", "--out-cert", self.p("twin.pem"), "--out-key", self.p("twin.key"),
                   "--subject", "CN=crl test intermediate")
        self._make("client", "--ca", self.p("twin.pem"), "--ca-key", self.p("twin.key"),
                   "--subject", "CN=alice", "--out-cert", self.p("twin-alice.pem"), "--out-key",
                   self.p("twin-alice.key"))

    def p(self, name):
        return os.path.join(self.d, name)

    def _make(self, *args):
        r = tessera("cert", *args)
        R.check("cert " + " ".join(args[:1]) + " " + os.path.basename(args[-1]),
                r.returncode == 0, out_of(r))
        self.ok = self.ok and r.returncode == 0

    def crl(self, name, issuer, *extra):
        """tessera cert crl by `issuer` ("root" or "int") into NAME.crl.pem."""
        out = self.p(name + ".crl.pem")
        r = tessera("cert", "crl", "--ca", self.p(issuer + ".pem"), "--ca-key",
                    self.p(issuer + ".key"), *extra, "--out", out)
        R.check("cert crl " + name, r.returncode == 0 and "wrote " + out in out_of(r), out_of(r))
        return out


def test_cert_crl(pki):
    p = pki.p
    crl = pki.crl("int-alice", "int", "--revoke", p("alice.pem"), "--reason", "keyCompromise",
                  "--number", "42", "--days", "3")
    r = openssl("crl", "-in", crl, "-noout", "-text", "-CAfile", p("int.pem"))
    text = out_of(r)
    R.check("openssl crl verifies the CRL with the intermediate",
            r.returncode == 0 and "verify OK" in text, text)
    R.check("openssl crl: issuer, number 42, alice's serial with keyCompromise",
            "Issuer: CN = crl test intermediate" in text and "X509v3 CRL Number: \n"
            "                42" in text and "Serial Number: " + serial_of(p("alice.pem")) in text
            and "Key Compromise" in text, text)
    R.check("openssl crl: bob is not listed", serial_of(p("bob.pem")) not in text, text)
    R.check("--revoke of a chain file lists its first certificate, not the issuer after it",
            serial_of(p("int.pem")) not in text, text)
    r = openssl("crl", "-in", crl, "-noout", "-CAfile", p("root.pem"))
    R.check("openssl crl refuses the signature under the root",
            "verify OK" not in out_of(r), out_of(r))
    now = datetime.datetime.now(datetime.timezone.utc)
    last, nxt = crl_time(crl, "lastupdate"), crl_time(crl, "nextupdate")
    R.check("lastUpdate is an hour ago",
            abs((now - last).total_seconds() - 3600) < 120, "%s %s" % (now, last))
    R.check("--days 3: nextUpdate in three days",
            abs((nxt - now).total_seconds() - 3 * 86400) < 120, "%s %s" % (now, nxt))
    crl = pki.crl("default-days", "int")
    nxt = crl_time(crl, "nextupdate")
    R.check("nextUpdate defaults to seven days",
            abs((nxt - now).total_seconds() - 7 * 86400) < 120, "%s %s" % (now, nxt))
    r = openssl("crl", "-in", crl, "-noout", "-text", "-CAfile", p("int.pem"))
    R.check("a CRL without --revoke lists nothing and verifies",
            "verify OK" in out_of(r) and "No Revoked Certificates." in out_of(r), out_of(r))

    # --serial: hex with colons or 0x, odd digit counts, the top bit set,
    # leading zeros; the same serial twice is listed once.
    crl = pki.crl("serials", "int", "--serial", "0x00:00:2a", "--serial", "abc", "--serial",
                  "FF", "--serial", "2A")
    r = openssl("crl", "-in", crl, "-noout", "-text")
    text = out_of(r)
    serials = [line.split(":", 1)[1].strip() for line in text.splitlines()
               if line.strip().startswith("Serial Number:")]
    R.check("--serial spellings as OpenSSL reads them (2A once, 0ABC, FF)",
            sorted(serials) == ["0ABC", "2A", "FF"], text)
    R.check("no --reason: no reason code", "Reason Code" not in text, text)

    # Refusals.
    out = p("refused.crl.pem")

    def crl_args(*extra, ca="int"):
        return tessera("cert", "crl", "--ca", p(ca + ".pem"), "--ca-key", p(ca + ".key"), *extra,
                       "--out", out)

    r = crl_args("--revoke", p("server.pem"))
    R.check("--revoke of another CA's certificate is refused",
            r.returncode == 1 and "was not issued by" in out_of(r), out_of(r))
    r = crl_args("--revoke", p("twin-alice.pem"))
    R.check("--revoke of a certificate from a same-name CA is refused (signature)",
            r.returncode == 1 and "was not issued by" in out_of(r), out_of(r))
    r = crl_args("--serial", "12:zz")
    R.check("a --serial that is not hex is refused",
            r.returncode == 1 and "not a hex number" in out_of(r), out_of(r))
    r = crl_args("--serial", "01" * 21)
    R.check("a --serial over 20 octets is refused",
            r.returncode == 1 and "20 octets" in out_of(r), out_of(r))
    r = crl_args("--reason", "bored")
    R.check("an unknown --reason is refused, listing the names",
            r.returncode == 1 and "unknown --reason" in out_of(r)
            and "keyCompromise" in out_of(r), out_of(r))
    r = crl_args("--reason", "removeFromCRL", "--serial", "2a")
    R.check("--reason removeFromCRL is refused (delta CRLs only, RFC 5280 5.3.1)",
            r.returncode == 1 and "only for delta CRLs" in out_of(r), out_of(r))
    # alice.pem and bob.pem are chain files (leaf, then the intermediate):
    # their leaves concatenated are two certificates of this CA in one file.
    with open(p("alice-and-bob.pem"), "w") as f:
        for name in ("alice", "bob"):
            with open(p(name + ".pem")) as c:
                f.write(c.read())
    r = crl_args("--revoke", p("alice-and-bob.pem"))
    R.check("a --revoke file of two certificates of this CA is refused, naming both",
            r.returncode == 1 and "more than one certificate issued by" in out_of(r)
            and "CN=alice" in out_of(r) and "CN=bob" in out_of(r), out_of(r))
    r = tessera("cert", "crl", "--ca", p("alice.pem"), "--ca-key", p("alice.key"), "--out", out)
    R.check("a leaf cannot issue a CRL", r.returncode == 1 and "not a CA" in out_of(r), out_of(r))
    r = tessera("cert", "crl", "--ca", p("int.pem"), "--ca-key", p("root.key"), "--out", out)
    R.check("a --ca-key that is not --ca's is refused",
            r.returncode == 1 and "does not match" in out_of(r), out_of(r))
    r = tessera("cert", "crl", "--ca", p("int.pem"), "--ca-key", p("int.key"))
    R.check("missing --out is a usage error", r.returncode == 2, out_of(r))
    for days in ("0", "-3"):
        r = tessera("cert", "crl", "--ca", p("int.pem"), "--ca-key", p("int.key"), "--days", days,
                    "--out", out)
        R.check("--days %s is a usage error (not the default)" % days,
                r.returncode == 2 and "--days" in out_of(r), out_of(r))
    R.check("nothing was written by the refused runs", not os.path.exists(out))


def test_verify(pki):
    p = pki.p
    root_crl = pki.crl("root-empty", "root")  # covers the intermediate, revokes nothing
    int_crl = pki.crl("int-revokes-alice", "int", "--serial", serial_of(p("alice.pem")),
                      "--reason", "superseded")

    def verify(leaf, *extra):
        r = tessera("verify", "--trust", p("root.pem"), "--purpose", "client", *extra, p(leaf))
        return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")

    both = ["--crl", root_crl, "--crl", int_crl]
    rc, out, err = verify("bob.pem", *both)
    R.check("verify chain: bob with CRLs from both issuers is OK", rc == 0, err)
    rc, out, err = verify("alice.pem", *both)
    R.check("verify chain: alice (revoked by --serial) is cert_revoked, with the reason",
            rc == 1 and err.startswith("cert_revoked: certificate 0 (CN=alice)")
            and "superseded" in err, err)
    rc, out, err = verify("bob.pem", "--crl", int_crl)
    R.check("verify chain (default): no CRL from the root for the intermediate is "
            "cert_revocation_unknown naming certificate 1",
            rc == 1 and err.startswith("cert_revocation_unknown: certificate 1 "
                                       "(CN=crl test intermediate)"), err)
    rc, out, err = verify("bob.pem", "--crl", int_crl, "--crl-check", "chain")
    R.check("verify --crl-check chain is the default", rc == 1 and
            err.startswith("cert_revocation_unknown: certificate 1"), err)
    rc, out, err = verify("bob.pem", "--crl", int_crl, "--crl-check", "leaf")
    R.check("verify leaf: the CRL for the leaf's issuer is enough", rc == 0, err)
    rc, out, err = verify("alice.pem", "--crl", int_crl, "--crl-check", "leaf")
    R.check("verify leaf: alice is still cert_revoked",
            rc == 1 and err.startswith("cert_revoked:"), err)
    rc, out, err = verify("bob.pem", "--crl", root_crl, "--crl-check", "leaf")
    R.check("verify leaf: no CRL from the leaf's issuer is cert_revocation_unknown (certificate 0)",
            rc == 1 and err.startswith("cert_revocation_unknown: certificate 0 (CN=bob)"), err)
    rc, out, err = verify("bob.pem", "--crl", root_crl, "--crl-check", "best-effort")
    R.check("verify best-effort: a leaf no CRL covers is OK", rc == 0, err)
    rc, out, err = verify("alice.pem", "--crl", int_crl, "--crl-check", "best-effort")
    R.check("verify best-effort: a listed serial is still cert_revoked",
            rc == 1 and err.startswith("cert_revoked:"), err)

    # One PEM file with both CRLs; a DER CRL.
    bundle = p("bundle.crl.pem")
    with open(bundle, "w") as f:
        f.write(open(root_crl).read() + open(int_crl).read())
    rc, out, err = verify("alice.pem", "--crl", bundle)
    R.check("verify: both CRLs in one PEM file (alice revoked)",
            rc == 1 and err.startswith("cert_revoked:"), err)
    rc, out, err = verify("bob.pem", "--crl", bundle)
    R.check("verify: both CRLs in one PEM file (bob OK)", rc == 0, err)
    der = p("int.crl.der")
    openssl("crl", "-in", int_crl, "-outform", "DER", "-out", der)
    rc, out, err = verify("alice.pem", "--crl", root_crl, "--crl", der)
    R.check("verify: a DER CRL", rc == 1 and err.startswith("cert_revoked:"), err)

    # Errors.
    rc, out, err = verify("bob.pem", "--crl", p("bob.pem"))
    R.check("verify: a --crl file without a CRL is a rejection naming the file",
            rc == 1 and p("bob.pem") in err, err)
    garbage = p("garbage.crl.der")
    with open(garbage, "wb") as f:
        f.write(b"\x30\x03\x02\x01\x01")
    rc, out, err = verify("bob.pem", "--crl", garbage)
    R.check("verify: an unparsable DER CRL is a rejection naming the file",
            rc == 1 and err.startswith("cert_parse:") and garbage in err, err)
    rc, out, err = verify("bob.pem", "--crl-check", "leaf")
    R.check("verify: --crl-check without --crl is a usage error", rc == 2, err)
    rc, out, err = verify("bob.pem", "--crl", int_crl, "--crl-check", "all")
    R.check("verify: an unknown --crl-check is a usage error", rc == 2, err)
    rc, out, err = verify("bob.pem", "--crl", p("nonexistent.crl"))
    R.check("verify: a nonexistent --crl file is a usage error", rc == 2, err)


def server(pki, *extra):
    port = free_port()
    p = start([TESSERA, "server", "--port", str(port), "--cert", pki.p("server.pem"), "--key",
               pki.p("server.key"), "--echo", "--idle-timeout", "2", *extra])
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + stop(p)[1])
    return p, port


def mtls_server(pki, *extra):
    return server(pki, "--client-ca", pki.p("root.pem"), "--verify-client", "require", *extra)


def client(pki, port, *extra, who=None):
    cmd = [TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.p("root.pem"), "--servername",
           "localhost", "--timeout", "10"]
    if who:
        cmd += ["--cert", pki.p(who + ".pem"), "--key", pki.p(who + ".key")]
    return run(cmd + list(extra), input=b"ping\n", timeout=20)


def test_handshakes(pki):
    p = pki.p
    root_crl = p("root-empty.crl.pem")
    int_crl = p("int-revokes-alice.crl.pem")
    for version in ("1.3", "1.2"):
        v = ["--max-version", version, "--min-version", version]
        srv, port = mtls_server(pki, "--crl", root_crl, "--crl", int_crl)
        try:
            r = client(pki, port, *v, who="alice")
            R.check("TLS %s: alice (revoked) is refused; the client is told certificate_revoked"
                    % version, r.returncode != 0 and "peer sent alert certificate_revoked"
                    in out_of(r) and b"ping" not in r.stdout, out_of(r))
            r = client(pki, port, *v, who="bob")
            R.check("TLS %s: bob (not listed) is echoed" % version,
                    r.returncode == 0 and r.stdout == b"ping\n", out_of(r))
        finally:
            _, err = stop(srv)
        R.check("TLS %s: the server names the revoked certificate" % version,
                "cert_revoked: client certificate rejected: certificate 0 (CN=alice)" in err
                and "reason: superseded" in err, err)

        # Chain mode needs a CRL from the root for the intermediate too.
        srv, port = mtls_server(pki, "--crl", int_crl)
        try:
            r = client(pki, port, *v, who="bob")
            R.check("TLS %s chain mode, no CRL for the intermediate: the client is told "
                    "certificate_unknown" % version, r.returncode != 0 and
                    "peer sent alert certificate_unknown" in out_of(r), out_of(r))
        finally:
            _, err = stop(srv)
        R.check("TLS %s: the server says which certificate no CRL covers" % version,
                "cert_revocation_unknown" in err and "certificate 1 (CN=crl test intermediate)"
                in err, err)
        srv, port = mtls_server(pki, "--crl", int_crl, "--crl-check", "leaf")
        try:
            r = client(pki, port, *v, who="bob")
            R.check("TLS %s --crl-check leaf: bob is echoed" % version,
                    r.returncode == 0 and r.stdout == b"ping\n", out_of(r))
            r = client(pki, port, *v, who="alice")
            R.check("TLS %s --crl-check leaf: alice is still refused" % version,
                    r.returncode != 0 and "certificate_revoked" in out_of(r), out_of(r))
        finally:
            stop(srv)

    # tessera client --crl: the server's certificate (issued by the root).
    server_crl = pki.crl("root-revokes-server", "root", "--revoke", p("server.pem"))
    srv, port = server(pki)
    try:
        r = client(pki, port, "--crl", server_crl)
        R.check("client --crl refuses a revoked server certificate with cert_revoked",
                r.returncode != 0 and "cert_revoked: server certificate rejected" in out_of(r),
                out_of(r))
        r = client(pki, port, "--crl", root_crl)
        R.check("client --crl connects when the root's CRL does not list the server",
                r.returncode == 0 and r.stdout == b"ping\n", out_of(r))
        r = client(pki, port, "--crl", int_crl)
        R.check("client --crl with no CRL from the server's issuer: cert_revocation_unknown",
                r.returncode != 0 and "cert_revocation_unknown" in out_of(r), out_of(r))
        r = client(pki, port, "--crl", int_crl, "--crl-check", "best-effort")
        R.check("client --crl-check best-effort connects", r.returncode == 0, out_of(r))
        r = client(pki, port, "--crl", p("bob.pem"))
        R.check("client: a --crl file without a CRL is refused, naming the file",
                r.returncode == 1 and "loading --crl" in out_of(r) and p("bob.pem") in out_of(r),
                out_of(r))
        r = client(pki, port, "--crl", root_crl, "--insecure")
        R.check("client: --crl with --insecure is a usage error",
                r.returncode == 2 and "--insecure" in out_of(r), out_of(r))
    finally:
        stop(srv)

    base = [TESSERA, "server", "--port", str(free_port()), "--cert", p("server.pem"), "--key",
            p("server.key")]
    r = run(base + ["--crl", root_crl], timeout=10)
    R.check("server: --crl without --client-ca is a usage error",
            r.returncode == 2 and "--client-ca" in out_of(r), out_of(r))
    r = run(base + ["--client-ca", p("root.pem"), "--crl", p("garbage.crl.der")], timeout=10)
    R.check("server: an unparsable --crl file is refused at start, naming the file",
            r.returncode == 1 and p("garbage.crl.der") in out_of(r), out_of(r))


def main():
    if not shutil.which("openssl"):
        R.skip("all", "openssl not found")
        R.finish()
    d = tempfile.mkdtemp(prefix="tessera-crl-")
    try:
        pki = Pki(d)
        if pki.ok:
            test_cert_crl(pki)
            test_verify(pki)
            test_handshakes(pki)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    R.finish()


main()

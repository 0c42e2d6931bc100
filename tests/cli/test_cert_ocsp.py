#!/usr/bin/env python3
"""CLI tests of `tessera cert ocsp`: OCSP responses (RFC 6960) read back and
verified by `openssl ocsp -respin ... -resp_text`.

Usage: test_cert_ocsp.py /path/to/tessera

The PKI is made with `tessera cert` (a CA, a server certificate, a second CA
and its certificate, a twin CA with the first CA's name); the delegated
responder certificates (extKeyUsage OCSPSigning, and one without it) are
issued by openssl with the CA's key, as a CA outside tessera would.

- good (default status), revoked with a reason, unknown, each read back by
  openssl (status, reason, thisUpdate / nextUpdate, --days) and its signature
  verified with the CA as trust anchor;
- a delegated responder: the response carries its certificate and openssl
  verifies it;
- refusals: a certificate another CA issued (and one from a same-name CA), a
  bad --status (usage), --reason without --status revoked (usage), a
  --responder-cert without OCSPSigning or not issued by --ca, a missing --out
  (usage); nothing is written by a refused run.

Bounded in time; the temp dir is removed; prints one line per check and
"N passed, M failed, K skipped" last.
"""
import datetime
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from tlspeers import Results, run  # noqa: E402
from tlspeers import out_of  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()

RESPONDER_EXT = """[responder]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
[plain]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
"""


def tessera(*args):
    return run([TESSERA, *args], timeout=60)


def openssl(*args):
    return run(["openssl", *args], timeout=60)


def ocsp_time(text, label):
    """A 'This Update:' / 'Next Update:' line of -resp_text as a datetime."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(label + ":"):
            value = " ".join(line.split(":", 1)[1].split())
            return datetime.datetime.strptime(value, "%b %d %H:%M:%S %Y GMT").replace(
                tzinfo=datetime.timezone.utc)
    return None


class Pki:
    def __init__(self, d):
        self.d = d
        self.ok = True
        self._tessera("ca", "--out-cert", self.p("ca.pem"), "--out-key", self.p("ca.key"),
                      "--subject", "CN=ocsp cli ca")
        self._tessera("server", "--ca", self.p("ca.pem"), "--ca-key", self.p("ca.key"), "--dns",
                      "localhost", "--chain", "--out-cert", self.p("leaf.pem"), "--out-key",
                      self.p("leaf.key"))
        self._tessera("ca", "--out-cert", self.p("other.pem"), "--out-key", self.p("other.key"),
                      "--subject", "CN=ocsp cli other ca")
        self._tessera("server", "--ca", self.p("other.pem"), "--ca-key", self.p("other.key"),
                      "--dns", "localhost", "--out-cert", self.p("other-leaf.pem"), "--out-key",
                      self.p("other-leaf.key"))
        self._tessera("ca", "--out-cert", self.p("twin.pem"), "--out-key", self.p("twin.key"),
                      "--subject", "CN=ocsp cli ca")
        self._tessera("server", "--ca", self.p("twin.pem"), "--ca-key", self.p("twin.key"),
                      "--dns", "localhost", "--out-cert", self.p("twin-leaf.pem"), "--out-key",
                      self.p("twin-leaf.key"))
        with open(self.p("ext.cnf"), "w") as f:
            f.write(RESPONDER_EXT)
        self._responder("responder", "ca", "responder")
        self._responder("responder-noeku", "ca", "plain")
        self._responder("responder-other", "other", "responder")

    def p(self, name):
        return os.path.join(self.d, name)

    def _tessera(self, *args):
        r = tessera("cert", *args)
        R.check("cert " + args[0] + " " + os.path.basename(args[-1]), r.returncode == 0,
                out_of(r))
        self.ok = self.ok and r.returncode == 0

    def _responder(self, name, ca, section):
        """An EC responder certificate issued by `ca` with openssl."""
        p = self.p
        steps = [
            ("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
             p(name + ".key")),
            ("req", "-new", "-key", p(name + ".key"), "-subj", "/CN=" + name, "-out",
             p(name + ".csr")),
            ("x509", "-req", "-in", p(name + ".csr"), "-CA", p(ca + ".pem"), "-CAkey",
             p(ca + ".key"), "-set_serial", "0x7001", "-days", "30", "-extfile", p("ext.cnf"),
             "-extensions", section, "-out", p(name + ".pem")),
        ]
        for s in steps:
            r = openssl(*s)
            if r.returncode != 0:
                R.check("openssl makes " + name, False, out_of(r))
                self.ok = False
                return
        R.check("openssl makes " + name, True)


def ocsp(pki, *extra, out=None, ca="ca", cert="leaf"):
    out = out or pki.p("resp.der")
    return tessera("cert", "ocsp", "--ca", pki.p(ca + ".pem"), "--ca-key", pki.p(ca + ".key"),
                   "--cert", pki.p(cert + ".pem"), *extra, "--out", out)


def read_back(pki, resp, ca="ca", cert="leaf"):
    """openssl's reading of a response, verified with `ca` as trust anchor."""
    r = openssl("ocsp", "-respin", resp, "-issuer", pki.p(ca + ".pem"), "-cert",
                pki.p(cert + ".pem"), "-CAfile", pki.p(ca + ".pem"), "-resp_text")
    return r.returncode, out_of(r)


def test_statuses(pki):
    p = pki.p
    leaf = p("leaf.pem")
    now = datetime.datetime.now(datetime.timezone.utc)

    resp = p("good.der")
    r = ocsp(pki, out=resp)
    R.check("cert ocsp (default good) writes the response and says so",
            r.returncode == 0 and "wrote " + resp in out_of(r) and ": good," in out_of(r)
            and "thisUpdate" in out_of(r) and "nextUpdate" in out_of(r), out_of(r))
    rc, text = read_back(pki, resp)
    R.check("openssl verifies the good response (signed by the CA)",
            rc == 0 and "Response verify OK" in text and leaf + ": good" in text, text)
    this, nxt = ocsp_time(text, "This Update"), ocsp_time(text, "Next Update")
    R.check("thisUpdate an hour ago, nextUpdate in seven days (default)",
            this is not None and nxt is not None
            and abs((now - this).total_seconds() - 3600) < 120
            and abs((nxt - now).total_seconds() - 7 * 86400) < 120, text)

    resp = p("revoked.der")
    r = ocsp(pki, "--status", "revoked", "--reason", "keyCompromise", "--days", "2", out=resp)
    R.check("cert ocsp --status revoked --reason keyCompromise",
            r.returncode == 0 and "revoked (reason keyCompromise)" in out_of(r), out_of(r))
    rc, text = read_back(pki, resp)
    R.check("openssl reads revoked with reason keyCompromise and verifies it",
            rc == 0 and "Response verify OK" in text and leaf + ": revoked" in text
            and "Reason: keyCompromise" in text, text)
    nxt = ocsp_time(text, "Next Update")
    R.check("--days 2: nextUpdate in two days",
            nxt is not None and abs((nxt - now).total_seconds() - 2 * 86400) < 120, text)
    r = ocsp(pki, "--days", "11", out=p("eleven.der"))
    R.check("--days over 10 is refused (clients use no response older than 10 days)",
            r.returncode == 1 and "at most 10 days" in out_of(r)
            and not os.path.exists(p("eleven.der")), out_of(r))

    resp = p("unknown.der")
    r = ocsp(pki, "--status", "unknown", out=resp)
    rc, text = read_back(pki, resp)
    R.check("cert ocsp --status unknown, read back as unknown",
            r.returncode == 0 and rc == 0 and "Response verify OK" in text
            and leaf + ": unknown" in text, out_of(r) + text)

    rc, text = read_back(pki, p("good.der"), ca="other")
    R.check("openssl refuses the response with another CA as anchor",
            "Response verify OK" not in text, text)


def test_delegated(pki):
    p = pki.p
    resp = p("delegated.der")
    r = ocsp(pki, "--responder-cert", p("responder.pem"), "--responder-key", p("responder.key"),
             out=resp)
    R.check("cert ocsp with a delegated responder",
            r.returncode == 0 and "signed by CN=responder (delegated responder)" in out_of(r),
            out_of(r))
    rc, text = read_back(pki, resp)
    R.check("openssl verifies the delegated response (responder certificate included)",
            rc == 0 and "Response verify OK" in text and p("leaf.pem") + ": good" in text
            and "Subject: CN=responder" in text, text)


def test_refusals(pki):
    p = pki.p
    out = p("refused.der")
    r = ocsp(pki, cert="other-leaf", out=out)
    R.check("a certificate another CA issued is refused",
            r.returncode == 1 and "was not issued by" in out_of(r), out_of(r))
    r = ocsp(pki, cert="twin-leaf", out=out)
    R.check("a certificate of a same-name CA is refused (signature)",
            r.returncode == 1 and "was not issued by" in out_of(r), out_of(r))
    r = ocsp(pki, "--status", "fine", out=out)
    R.check("a bad --status is a usage error", r.returncode == 2 and "--status" in out_of(r),
            out_of(r))
    r = ocsp(pki, "--reason", "keyCompromise", out=out)
    R.check("--reason without --status revoked is a usage error",
            r.returncode == 2 and "--reason needs --status revoked" in out_of(r), out_of(r))
    r = ocsp(pki, "--status", "revoked", "--reason", "bored", out=out)
    R.check("an unknown --reason is refused",
            r.returncode == 1 and "unknown --reason" in out_of(r), out_of(r))
    r = ocsp(pki, "--responder-cert", p("responder-noeku.pem"), "--responder-key",
             p("responder-noeku.key"), out=out)
    R.check("a --responder-cert without OCSPSigning is refused",
            r.returncode == 1 and "no extKeyUsage id-kp-OCSPSigning" in out_of(r), out_of(r))
    r = ocsp(pki, "--responder-cert", p("responder-other.pem"), "--responder-key",
             p("responder-other.key"), out=out)
    R.check("a --responder-cert not issued by --ca is refused",
            r.returncode == 1 and "was issued by CN=ocsp cli other ca" in out_of(r), out_of(r))
    r = ocsp(pki, "--responder-cert", p("responder.pem"), out=out)
    R.check("--responder-cert without --responder-key is a usage error", r.returncode == 2,
            out_of(r))
    r = tessera("cert", "ocsp", "--ca", p("ca.pem"), "--ca-key", p("ca.key"), "--cert",
                p("leaf.pem"))
    R.check("missing --out is a usage error", r.returncode == 2, out_of(r))
    R.check("nothing was written by the refused runs", not os.path.exists(out))


def main():
    if not shutil.which("openssl"):
        R.skip("all", "openssl not found")
        R.finish()
    d = tempfile.mkdtemp(prefix="tessera-ocsp-")
    try:
        pki = Pki(d)
        if pki.ok:
            test_statuses(pki)
            test_delegated(pki)
            test_refusals(pki)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    R.finish()


main()

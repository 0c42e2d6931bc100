#!/usr/bin/env python3
"""OCSP stapling (RFC 6066 8; TLS 1.3: RFC 8446 4.4.2.1) against OpenSSL and GnuTLS.

Usage: test_ocsp_stapling.py /path/to/tessera

The responses are made by OpenSSL's responder (`openssl ocsp -index ...
-respout`, signed by the CA) and by `tessera cert ocsp`.

- tessera server --ocsp-response staples to `openssl s_client -status` (TLS 1.3
  in the Certificate entry, TLS 1.2 in CertificateStatus): s_client prints the
  response and its "good" status; without -status nothing is sent; the
  response tessera cert ocsp wrote verifies with `openssl ocsp -respin`;
- tessera client --ocsp require against `openssl s_server -status_file` and
  `gnutls-serv --ocsp-response`, both versions: connects and reports "good";
  a "revoked" response is refused (certificate_revoked reaches s_server); a
  server that staples nothing is refused under require
  (bad_certificate_status_response reaches s_server) and accepted under
  if-stapled;
- gnutls-cli (which asks for and checks stapled responses) trusts a tessera
  server stapling OpenSSL's or tessera's good response;
- RFC 7633 must-staple: an OpenSSL-made certificate with tlsfeature
  status_request is refused without a stapled response and accepted with
  one; `tessera cert server --must-staple` writes the extension OpenSSL reads;
  tessera server warns when given such a certificate without a response;
- tessera server refuses at start a response that says revoked, or is about
  another certificate.

Everything on 127.0.0.1, free ports, bounded in time.
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tlspeers  # noqa: E402
from tlspeers import Pki, Results, free_port, openssl, run, start, stop, wait_port  # noqa: E402
from tlspeers import out_of  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()
HAVE_GNUTLS = shutil.which("gnutls-serv") is not None and shutil.which("gnutls-cli") is not None


def serial_hex(cert):
    text = openssl("x509", "-in", cert, "-noout", "-serial").stdout.decode()
    return text.strip().split("=", 1)[1].upper()


def subject_of(cert):
    text = openssl("x509", "-in", cert, "-noout", "-subject", "-nameopt", "compat").stdout.decode()
    return text.strip().split("=", 1)[1].strip()


def openssl_response(pki, name, cert, status="V"):
    """A response by OpenSSL's responder about `cert`, signed by the CA: status
    'V' (good) or 'R' (revoked, keyCompromise)."""
    index = pki.path(name + ".index.txt")
    with open(index, "w") as f:
        revoked = "200101000000Z,keyCompromise" if status == "R" else ""
        f.write("%s\t491231235959Z\t%s\t%s\tunknown\t%s\n" %
                (status, revoked, serial_hex(cert), subject_of(cert)))
    out = pki.path(name + ".der")
    openssl("ocsp", "-index", index, "-rsigner", pki.ca, "-rkey", pki.ca_key, "-CA", pki.ca,
            "-issuer", pki.ca, "-cert", cert, "-ndays", "2", "-respout", out)
    return out


def tessera_server(pki, *extra):
    port = free_port()
    p = start([TESSERA, "server", "--port", str(port), "--cert", pki.server, "--key",
               pki.server_key, "--echo", "--idle-timeout", "2", *extra])
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + stop(p)[1])
    return p, port


def tessera_client(port, pki, *extra):
    return run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca, "--servername",
                "localhost", *extra], input=b"ping\n", timeout=15)


def main():
    pki = Pki()
    good = openssl_response(pki, "good", pki.server)
    revoked = openssl_response(pki, "revoked", pki.server, "R")
    r = openssl("ocsp", "-respin", good, "-issuer", pki.ca, "-cert", pki.server, "-CAfile",
                pki.ca, "-no_nonce")
    R.check("openssl ocsp verifies its own response (sanity)",
            "good" in out_of(r) and "Response verify OK" in out_of(r), out_of(r))

    # --- tessera cert ocsp, verified by OpenSSL ---
    mine = pki.path("tessera.der")
    r = run([TESSERA, "cert", "ocsp", "--ca", pki.ca, "--ca-key", pki.ca_key, "--cert", pki.server,
             "--out", mine])
    R.check("tessera cert ocsp writes a response", r.returncode == 0 and os.path.exists(mine),
            out_of(r))
    r = run(["openssl", "ocsp", "-respin", mine, "-issuer", pki.ca, "-cert", pki.server, "-CAfile",
             pki.ca, "-no_nonce"])
    R.check("openssl ocsp verifies tessera's response and reads good",
            "Response verify OK" in out_of(r) and re.search(r": good", out_of(r)), out_of(r))

    # --- tessera server stapling, openssl s_client -status ---
    for resp, who in ((good, "OpenSSL's"), (mine, "tessera's")):
        srv, port = tessera_server(pki, "--ocsp-response", resp)
        try:
            for version in ("-tls1_3", "-tls1_2"):
                r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile",
                         pki.ca, "-servername", "localhost", "-status", version],
                        input=b"hello\n", timeout=15)
                text = out_of(r)
                R.check("s_client %s -status receives %s stapled response from tessera" %
                        (version, who),
                        "OCSP Response Status: successful" in text and "Cert Status: good" in text
                        and "Verify return code: 0 (ok)" in text, text[-1500:])
            # TLS 1.2 shows the answer in the ServerHello: status_request only
            # when s_client asked for it.
            for asked in (True, False):
                r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile",
                         pki.ca, "-servername", "localhost", "-tls1_2", "-tlsextdebug"] +
                        (["-status"] if asked else []), input=b"hello\n", timeout=15)
                text = out_of(r)
                acked = 'TLS server extension "status request"' in text
                R.check("TLS 1.2: tessera acknowledges status_request %s" %
                        ("when asked" if asked else "only when asked"),
                        acked == asked and "Verify return code: 0 (ok)" in text, text[-1500:])
            for version in ("1.3", "1.2"):
                r = tessera_client(port, pki, "--ocsp", "require", "--min-version", version,
                                   "--max-version", version)
                R.check("tessera client --ocsp require, TLS %s, against tessera server (%s)" %
                        (version, who),
                        r.returncode == 0 and "OCSP (stapled): good" in out_of(r), out_of(r))
        finally:
            stop(srv)

    # --- tessera client against openssl s_server -status_file ---
    def against_s_server(status_file, *client_args, version="1.3"):
        args = ["-cert", pki.server, "-key", pki.server_key]
        if status_file:
            args += ["-status_file", status_file]
        return tlspeers.against_s_server(
            args, lambda port: tessera_client(port, pki, *client_args, "--min-version", version,
                                              "--max-version", version))

    for version in ("1.3", "1.2"):
        r, log = against_s_server(good, "--ocsp", "require", version=version)
        R.check("tessera client --ocsp require, TLS %s: s_server's stapled good response" % version,
                r is not None and r.returncode == 0 and "OCSP (stapled): good" in out_of(r),
                out_of(r) if r else log)
        r, log = against_s_server(revoked, "--ocsp", "if-stapled", version=version)
        R.check("TLS %s: a stapled 'revoked' response is cert_revoked" % version,
                r is not None and r.returncode != 0 and "cert_revoked" in out_of(r)
                and "revoked at" in out_of(r), out_of(r) if r else log)
        R.check("TLS %s: s_server received certificate_revoked" % version,
                re.search(r"alert certificate revoked", log) is not None, log)
        r, log = against_s_server(None, "--ocsp", "require", version=version)
        R.check("TLS %s: require refuses a server that staples nothing" % version,
                r is not None and r.returncode != 0 and "cert_status_invalid" in out_of(r),
                out_of(r) if r else log)
        R.check("TLS %s: s_server received bad_certificate_status_response" % version,
                re.search(r"bad certificate status response|alert number 113", log) is not None, log)
        r, log = against_s_server(None, "--ocsp", "if-stapled", version=version)
        R.check("TLS %s: if-stapled accepts a server that staples nothing" % version,
                r is not None and r.returncode == 0 and "OCSP (stapled)" not in out_of(r),
                out_of(r) if r else log)

    # --- GnuTLS ---
    if HAVE_GNUTLS:
        for version, prio in (("1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.3"),
                              ("1.2", "NORMAL:-VERS-ALL:+VERS-TLS1.2")):
            port = free_port()
            g = start(["gnutls-serv", "--port", str(port), "--x509certfile", pki.server,
                       "--x509keyfile", pki.server_key, "--ocsp-response", good, "--priority",
                       prio, "--echo"])
            try:
                if not wait_port(port, proc=g):
                    R.check("gnutls-serv started", False, stop(g)[1][-400:])
                    continue
                r = tessera_client(port, pki, "--ocsp", "require", "--min-version", version,
                                   "--max-version", version)
                R.check("tessera client --ocsp require, TLS %s: gnutls-serv's stapled response" %
                        version, r.returncode == 0 and "OCSP (stapled): good" in out_of(r),
                        out_of(r))
            finally:
                stop(g)
        # gnutls-cli asks for a stapled response and checks one it gets: an
        # invalid one makes it distrust the certificate. The server sends
        # its leaf alone, so GnuTLS must find the CA (the responder) in its
        # trust store from the response's ResponderID.
        for resp, who in ((good, "OpenSSL's"), (mine, "tessera's")):
            srv, port = tessera_server(pki, "--ocsp-response", resp)
            try:
                r = run(["gnutls-cli", "--x509cafile", pki.ca, "--port", str(port), "127.0.0.1",
                         "--sni-hostname", "localhost", "--verify-hostname", "localhost"],
                        input=b"hello\n", timeout=15)
                text = out_of(r)
                R.check("gnutls-cli accepts %s response stapled by a tessera server" % who,
                        r.returncode == 0 and "Handshake was completed" in text
                        and "The certificate is trusted" in text and "OCSP" in text
                        and "invalid" not in text, text[-1500:])
            finally:
                stop(srv)
    else:
        R.skip("GnuTLS peers", "gnutls-serv / gnutls-cli not installed")

    # --- RFC 7633 must-staple: an OpenSSL-made certificate with tlsfeature ---
    ms_key = pki._genkey("must-staple")
    csr = pki.path("must-staple.csr")
    openssl("req", "-new", "-key", ms_key, "-subj", "/CN=localhost", "-out", csr)
    ext = pki.path("must-staple.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "tlsfeature=status_request\n")
    ms = pki.path("must-staple.pem")
    openssl("x509", "-req", "-in", csr, "-CA", pki.ca, "-CAkey", pki.ca_key, "-CAcreateserial",
            "-days", "30", "-out", ms, "-extfile", ext)
    ms_good = openssl_response(pki, "must-staple-good", ms)
    for status_file, ok in ((None, False), (ms_good, True)):
        args = ["-cert", ms, "-key", ms_key]
        if status_file:
            args += ["-status_file", status_file]
        r, log = tlspeers.against_s_server(
            args, lambda port: tessera_client(port, pki, "--ocsp", "if-stapled"))
        if r is None:
            R.check("openssl s_server started", False, log)
            continue
        if ok:
            R.check("a must-staple certificate with its response stapled is accepted",
                    r.returncode == 0 and "OCSP (stapled): good" in out_of(r), out_of(r))
        else:
            R.check("a must-staple certificate without a stapled response is refused",
                    r.returncode != 0 and "cert_status_invalid" in out_of(r)
                    and "RFC 7633" in out_of(r), out_of(r))
    mine_ms, mine_ms_key = pki.path("tessera-ms.pem"), pki.path("tessera-ms.key")
    r = run([TESSERA, "cert", "server", "--ca", pki.ca, "--ca-key", pki.ca_key, "--dns",
             "localhost", "--must-staple", "--out-cert", mine_ms, "--out-key", mine_ms_key])
    text = out_of(r)
    if r.returncode == 0:
        text = out_of(run(["openssl", "x509", "-in", mine_ms, "-noout", "-text"]))
    R.check("tessera cert server --must-staple: OpenSSL reads TLS Feature status_request",
            re.search(r"TLS Feature:\s*\n\s*status_request", text) is not None, text)
    r = run([TESSERA, "server", "--port", str(free_port()), "--cert", mine_ms, "--key",
             mine_ms_key, "--max-connections", "1", "--handshake-timeout", "1"], timeout=3)
    R.check("tessera server warns about a must-staple certificate without --ocsp-response",
            "requires OCSP stapling" in out_of(r), out_of(r))

    # --- tessera server refuses unusable responses at start ---
    other = openssl_response(pki, "other", pki.client)
    for resp, says, what in ((revoked, "cert_revoked", "a revoked response"),
                             (other, "not about", "a response about another certificate")):
        r = run([TESSERA, "server", "--port", str(free_port()), "--cert", pki.server, "--key",
                 pki.server_key, "--ocsp-response", resp], timeout=10)
        R.check("tessera server refuses %s at start" % what,
                r.returncode == 1 and "--ocsp-response" in out_of(r) and says in out_of(r),
                out_of(r))
    R.finish()


main()

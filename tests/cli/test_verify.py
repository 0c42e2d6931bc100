#!/usr/bin/env python3
"""CLI tests of `tessera verify`: exit codes, the first stderr line, --explain,
and a differential test against `openssl verify` over a corpus generated with
the openssl CLI (tests/vectors/x509v/gen.sh run into a temp dir).

Usage: python3 test_verify.py /path/to/tessera
Prints one line per check and a final "N passed, M failed"; exits non-zero on
any failure.
"""
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from tlspeers import exit_status  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "vectors", "x509v", "gen.sh")
NOW = "1780272000"  # 2026-06-01T00:00:00Z, inside the corpus' validity

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok    {name}")
    else:
        failed += 1
        print(f"FAIL  {name}  {detail}")


def run(args):
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def main():
    if len(sys.argv) != 2:
        print("usage: test_verify.py /path/to/tessera", file=sys.stderr)
        return 2
    tessera = sys.argv[1]
    if not shutil.which("openssl"):
        print("SKIP every check: openssl not found (it makes the test chains)")
        print("0 passed, 0 failed, 1 skipped")
        return exit_status(0, 0, 1)
    d = tempfile.mkdtemp(prefix="tessera-verify-")
    try:
        subprocess.run(["bash", GEN, d], check=True, capture_output=True, timeout=300)
        f = lambda n: os.path.join(d, n)

        def tv(leaf, untrusted=(), trusted=("root.pem",), extra=()):
            args = [tessera, "verify", "--at", NOW]
            for t in trusted:
                args += ["--trust", f(t)]
            for u in untrusted:
                args += ["--untrusted", f(u)]
            return run(args + list(extra) + [f(leaf)])

        # ---- exit codes and the first stderr line ----
        rc, out, err = tv("leaf.pem", ["int.pem"], extra=["--host", "www.example.com"])
        check("valid chain exits 0", rc == 0, f"rc={rc} err={err!r}")
        check("valid chain prints OK first", out.splitlines()[:1] == ["OK"], repr(out))
        check("valid chain lists the anchor", "CN=Test Root  [trust anchor]" in out, repr(out))
        # What --allow-peer can name the leaf by: its SANs as openssl prints
        # them, and its key pin as openssl and hashlib compute it (RFC 7469).
        san = subprocess.run(["openssl", "x509", "-in", f("leaf.pem"), "-noout", "-ext",
                              "subjectAltName"], capture_output=True, text=True).stdout
        # (openssl writes addresses as "IP Address:0:0:...:1"; tessera as the
        # RFC 5952 text --allow-peer IP: entries normalize to)
        names = [x.strip() for x in san.splitlines()[-1].split(",") if x.strip()]
        names = [n if not n.startswith("IP Address:") else
                 "IP:" + ("::1" if n.endswith("0:0:0:0:0:0:0:1") else n.split(":", 1)[1])
                 for n in names]
        check("valid chain prints the leaf's names",
              "  leaf names: " + ", ".join(names) + "\n" in out, repr(out) + repr(san))
        pub = subprocess.run(["openssl", "x509", "-in", f("leaf.pem"), "-noout", "-pubkey"],
                             capture_output=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                             capture_output=True).stdout
        pin = base64.b64encode(hashlib.sha256(der).digest()).decode()
        check("valid chain prints the leaf's key pin",
              "  leaf key pin: spki-sha256:" + pin + "\n" in out, repr(out))

        rc, out, err = tv("leaf.pem", ["int_expired.pem"])
        first = err.splitlines()[0] if err else ""
        check("expired intermediate exits 1", rc == 1, f"rc={rc}")
        check("expired: reason is the first stderr line",
              first == "cert_expired: certificate 1 (CN=Test Intermediate) expired at "
                       "2021-01-01T00:00:00Z", repr(first))

        rc, out, err = tv("leaf.pem", [])
        check("missing intermediate exits 1 naming the issuer",
              rc == 1 and err.startswith("cert_untrusted: certificate 0 (CN=www.example.com) "
                                         "issuer CN=Test Intermediate not found"), repr(err))

        rc, out, err = tv("leaf.pem", ["int.pem"], extra=["--host", "www.example.net"])
        check("host mismatch exits 1", rc == 1 and err.startswith("cert_name_mismatch:"), repr(err))

        garbage = f("garbage.pem")
        with open(garbage, "w") as g:
            g.write("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n")
        rc, out, err = tv("garbage.pem", ["int.pem"])
        check("unparsable leaf is a rejection (1)", rc == 1 and err.startswith("cert_parse:"),
              f"rc={rc} err={err!r}")

        rc, out, err = run([tessera, "verify", f("leaf.pem")])
        check("missing --trust is a usage error (2)", rc == 2, f"rc={rc}")
        rc, out, err = tv("leaf.pem", ["int.pem"], extra=["--purpose", "banana"])
        check("bad --purpose is a usage error (2)", rc == 2, f"rc={rc}")
        rc, out, err = tv("leaf.pem", ["int.pem"], extra=["--peer-name", "uri:x"])
        check("bad --peer-name is a usage error (2)", rc == 2, f"rc={rc}")
        rc, out, err = tv("leaf.pem", ["int.pem"], extra=["--eku", "frobnicate"])
        check("unknown --eku is a usage error (2)", rc == 2, f"rc={rc}")
        rc, out, err = tv("leaf.pem", ["int.pem"], extra=["--host", "a", "--ip", "1.2.3.4"])
        check("--host with --ip is a usage error (2)", rc == 2, f"rc={rc}")
        rc, out, err = run([tessera, "verify", "--trust", f("nonexistent.pem"), f("leaf.pem")])
        check("nonexistent --trust file is a usage error (2)", rc == 2, f"rc={rc}")

        rc, out, err = tv("leaf.pem", ["int.pem"],
                          extra=["--peer-name", "dns:foo.example.org", "--peer-name", "ip:::1",
                                 "--peer-name", "rfc822:admin@example.com", "--eku", "serverAuth",
                                 "--key-usage", "digitalSignature"])
        check("several --peer-name, --eku, --key-usage accepted", rc == 0, repr(err))
        rc, out, err = tv("leaf.pem", ["int.pem"], extra=["--key-usage", "keyEncipherment"])
        check("--key-usage not in the leaf rejects", rc == 1 and err.startswith("cert_bad_usage:"),
              repr(err))
        rc, out, err = tv("leaf_sub.pem", ["sub_int.pem", "int.pem"], extra=["--max-depth", "1"])
        check("--max-depth 1 rejects two intermediates",
              rc == 1 and err.startswith("cert_path_length:"), repr(err))
        rc, out, err = tv("leaf_revoked.pem", ["int.pem"], extra=["--crl", f("int_crl.pem")])
        check("--crl revokes", rc == 1 and err.startswith("cert_revoked:"), repr(err))
        rc, out, err = tv("leaf.pem", [], trusted=["int.pem"])
        check("a trusted intermediate is an anchor", rc == 0, repr(err))
        rc, out, err = tv("leaf.pem", ["int.pem"], trusted=[d])
        check("--trust takes a directory", rc == 0, repr(err))
        broken = os.path.join(d, "broken-trust")
        os.mkdir(broken)
        with open(os.path.join(broken, "a.pem"), "w") as fh:
            fh.write("not a certificate\n")
        with open(os.path.join(broken, "b.crt"), "w") as fh:
            fh.write("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        rc, out, err = tv("leaf.pem", ["int.pem"], trusted=[broken])
        check("a --trust directory of broken files names how many and the first",
              rc == 1 and "2 files skipped" in err and "a.pem" in err, repr(err))

        # ---- --explain ----
        rc, out, err = tv("leaf.pem", ["int.pem"], extra=["--explain", "--host", "www.example.com"])
        check("--explain on success", rc == 0 and "Chain (leaf first, 3 certificates):" in out
              and "Checks:" in out and "Result: OK" in out and "FAIL" not in out, out)
        check("--explain shows validity and key", "validity  2025-01-01T00:00:00Z .. "
              "2035-01-01T00:00:00Z" in out and "key       EC P-256, signed with "
              "ecdsa-with-SHA256" in out, out)
        rc, out, err = tv("leaf_pl.pem", ["under_pl0.pem", "pl0_int.pem"], extra=["--explain"])
        check("--explain on failure shows the failing check",
              rc == 1 and "FAIL  cert 2   pathLenConstraint" in out and "Result: REJECTED" in out,
              out)
        rc, out, err = tv("leaf.pem", ["int_by_root2.pem", "int.pem"],
                          trusted=["root2_expired.pem", "root.pem"], extra=["--explain"])
        check("--explain notes the abandoned path", rc == 0 and "Root Two" in out
              and "rejected" in out, out)

        # ---- differential against openssl verify ----
        # Each case: (name, leaf, untrusted, trusted, tessera extra, openssl extra,
        #             intended difference or None).
        # openssl runs with -auth_level 2 (112-bit security), under which it
        # refuses SHA-1 signatures and RSA-1024 keys as tessera always does.
        # Where the trust store holds a certificate that is not self-signed,
        # openssl needs -partial_chain to treat it as an anchor; tessera always
        # does.
        host = lambda h: (["--host", h], ["-verify_hostname", h])
        ip = lambda a: (["--ip", a], ["-verify_ip", a])
        email = lambda e: (["--email", e], ["-verify_email", e])
        none = ([], [])
        cases = [
            ("valid", "leaf.pem", ["int.pem"], ["root.pem"], none, None),
            ("leaf expired", "leaf_expired.pem", ["int.pem"], ["root.pem"], none, None),
            ("leaf not yet valid", "leaf_future.pem", ["int.pem"], ["root.pem"], none, None),
            ("intermediate expired", "leaf.pem", ["int_expired.pem"], ["root.pem"], none, None),
            ("expired alternative", "leaf.pem", ["int_expired.pem", "int.pem"], ["root.pem"],
             none, None),
            # Intended difference: OpenSSL 3.0 commits to the first issuer it
            # finds for the intermediate and does not backtrack when that
            # path ends in an expired root; tessera backtracks to Test Root.
            ("cross-signed, one root expired", "leaf.pem", ["int_by_root2.pem", "int.pem"],
             ["root2_expired.pem", "root.pem"], none, "tessera backtracks"),
            ("only the expired cross-signing root", "leaf.pem", ["int_by_root2.pem", "int.pem"],
             ["root2_expired.pem"], none, None),
            ("missing intermediate", "leaf.pem", [], ["root.pem"], none, None),
            ("unknown root", "leaf_other.pem", ["other_root.pem"], ["root.pem"], none, None),
            ("impostor signature", "leaf_badsig.pem", ["int.pem"], ["root.pem"], none, None),
            ("impostor key id", "leaf_wrong_akid.pem", ["int.pem"], ["root.pem"], none, None),
            ("two intermediates", "leaf_sub.pem", ["sub_int.pem", "int.pem"], ["root.pem"],
             none, None),
            ("max depth 1", "leaf_sub.pem", ["sub_int.pem", "int.pem"], ["root.pem"],
             (["--max-depth", "1"], ["-verify_depth", "1"]), None),
            ("max depth 2", "leaf_sub.pem", ["sub_int.pem", "int.pem"], ["root.pem"],
             (["--max-depth", "2"], ["-verify_depth", "2"]), None),
            ("pathlen violation", "leaf_pl.pem", ["under_pl0.pem", "pl0_int.pem"], ["root.pem"],
             none, None),
            ("nc ok", "leaf_nc_ok.pem", ["nc_int.pem"], ["root.pem"], none, None),
            ("nc dns not permitted", "leaf_nc_dns_bad.pem", ["nc_int.pem"], ["root.pem"], none,
             None),
            ("nc dns excluded", "leaf_nc_excluded.pem", ["nc_int.pem"], ["root.pem"], none, None),
            ("nc ip not permitted", "leaf_nc_ip_bad.pem", ["nc_int.pem"], ["root.pem"], none,
             None),
            ("client-only EKU for a server", "leaf_client.pem", ["int.pem"], ["root.pem"], none,
             None),
            ("client-only EKU for a client", "leaf_client.pem", ["int.pem"], ["root.pem"],
             (["--purpose", "client"], ["-purpose", "sslclient"]), None),
            ("keyUsage without digitalSignature", "leaf_ku.pem", ["int.pem"], ["root.pem"],
             none, None),
            ("unknown critical extension", "leaf_crit.pem", ["int.pem"], ["root.pem"], none,
             None),
            ("CA:FALSE intermediate", "leaf_under_noca.pem", ["noca_int.pem"], ["root.pem"],
             none, None),
            ("v1 intermediate", "leaf_under_v1.pem", ["v1_int.pem"], ["root.pem"], none, None),
            # Intended difference: a certificate in the trust store is an
            # anchor (RFC 5280 6.1.1 (d): name and key) and may issue even if
            # it is v1; OpenSSL -partial_chain still demands that a
            # non-self-signed anchor be a CA certificate.
            ("trusted v1 intermediate", "leaf_under_v1.pem", [], ["v1_int.pem"], none,
             "trust store vouches for v1 anchors"),
            ("trusted intermediate", "leaf.pem", [], ["int.pem"], none, None),
            ("SHA-1 signature", "leaf_sha1.pem", ["int.pem"], ["root.pem"], none, None),
            ("RSA-1024 key", "leaf_rsa1024.pem", ["int.pem"], ["root.pem"], none, None),
            ("hostile same-name set", "leaf_hostile.pem", ["hostile_set.pem"], ["root.pem"],
             none, None),
            # --crl-check leaf is OpenSSL's -crl_check, chain (the default)
            # its -crl_check_all: the root has issued no CRL for the
            # intermediate, so both refuse every chain in chain mode.
            ("revoked", "leaf_revoked.pem", ["int.pem"], ["root.pem"],
             (["--crl", f("int_crl.pem"), "--crl-check", "leaf"],
              ["-crl_check", "-CRLfile", f("int_crl.pem")]), None),
            ("not revoked", "leaf.pem", ["int.pem"], ["root.pem"],
             (["--crl", f("int_crl.pem"), "--crl-check", "leaf"],
              ["-crl_check", "-CRLfile", f("int_crl.pem")]), None),
            ("not revoked, no CRL for the intermediate", "leaf.pem", ["int.pem"], ["root.pem"],
             (["--crl", f("int_crl.pem")], ["-crl_check_all", "-CRLfile", f("int_crl.pem")]),
             None),
            ("revoked, no CRL for the intermediate", "leaf_revoked.pem", ["int.pem"],
             ["root.pem"],
             (["--crl", f("int_crl.pem")], ["-crl_check_all", "-CRLfile", f("int_crl.pem")]),
             None),
            ("host exact", "leaf.pem", ["int.pem"], ["root.pem"], host("www.example.com"), None),
            ("host case", "leaf.pem", ["int.pem"], ["root.pem"], host("WWW.Example.COM"), None),
            ("host wildcard", "leaf.pem", ["int.pem"], ["root.pem"], host("foo.example.org"),
             None),
            ("host wildcard two labels", "leaf.pem", ["int.pem"], ["root.pem"],
             host("a.b.example.org"), None),
            ("host wildcard bare domain", "leaf.pem", ["int.pem"], ["root.pem"],
             host("example.org"), None),
            ("host other", "leaf.pem", ["int.pem"], ["root.pem"], host("www.example.net"), None),
            # Intended difference: OpenSSL falls back to the subject CN when a
            # certificate has no dNSName SAN; RFC 9525 6.1.1 and the CA/B BRs
            # retired that, and tessera never matches the CN.
            ("host only in the CN", "leaf_cn_only.pem", ["int.pem"], ["root.pem"],
             host("cn-only.example.com"), "CN fallback refused"),
            ("CN is not a host name", "leaf_nc_ok.pem", ["nc_int.pem"], ["root.pem"],
             host("nc_ok"), None),
            ("ip v4", "leaf.pem", ["int.pem"], ["root.pem"], ip("127.0.0.1"), None),
            ("ip v6", "leaf.pem", ["int.pem"], ["root.pem"], ip("::1"), None),
            ("ip other", "leaf.pem", ["int.pem"], ["root.pem"], ip("10.0.0.1"), None),
            ("email", "leaf.pem", ["int.pem"], ["root.pem"], email("admin@example.com"), None),
            ("email other", "leaf.pem", ["int.pem"], ["root.pem"], email("root@example.com"),
             None),
        ]
        for name, leaf, untrusted, trusted, (t_extra, o_extra), diff in cases:
            rc_t, _, err_t = tv(leaf, untrusted, trusted, t_extra)
            oargs = ["openssl", "verify", "-attime", NOW, "-auth_level", "2", "-purpose",
                     "sslserver"]
            if "-purpose" in o_extra:
                oargs = oargs[:-2]
            bundle = os.path.join(d, "trust-" + "-".join(trusted))
            with open(bundle, "w") as b:
                for t in trusted:
                    b.write(open(f(t)).read())
            oargs += ["-CAfile", bundle]
            if any(t not in ("root.pem", "root2_expired.pem", "other_root.pem") for t in trusted):
                oargs.append("-partial_chain")
            for u in untrusted:
                oargs += ["-untrusted", f(u)]
            p = subprocess.run(oargs + o_extra + [f(leaf)], capture_output=True, text=True,
                               timeout=60)
            ours, theirs = rc_t == 0, p.returncode == 0
            if diff is None:
                check(f"differential: {name}: tessera {'accepts' if ours else 'rejects'}, "
                      f"openssl {'accepts' if theirs else 'rejects'}",
                      ours == theirs and rc_t in (0, 1),
                      f"tessera rc={rc_t} {err_t.strip()!r}; openssl: {p.stdout.strip()} "
                      f"{p.stderr.strip()}")
            else:
                check(f"differential: {name}: intended difference ({diff})", ours != theirs,
                      f"tessera rc={rc_t}; openssl rc={p.returncode}")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print(f"{passed} passed, {failed} failed, 0 skipped")
    return exit_status(passed, failed, 0)


if __name__ == "__main__":
    sys.exit(main())

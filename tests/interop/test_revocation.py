#!/usr/bin/env python3
"""Certificate revocation (CRLs, RFC 5280 6.3) in handshakes, against OpenSSL.

Usage: test_revocation.py /path/to/tessera

- `tessera cert crl` issues a CRL that `openssl crl -CAfile` verifies and that
  lists the revoked certificate's serial as OpenSSL prints it;
- `tessera verify --crl` with each --crl-check mode;
- a tessera server with --crl refuses a revoked client certificate that
  `openssl s_client` presents (s_client sees the certificate_revoked alert,
  TLS 1.3 and TLS 1.2) and accepts one that is not listed; with an expired CRL
  (chain mode) it refuses with certificate_unknown;
- a tessera client with --crl refuses `openssl s_server`'s revoked server
  certificate, and connects when the CRL does not list it;
- CRLs made by OpenSSL itself (`openssl ca -gencrl`) are read in handshakes.

Everything on 127.0.0.1, free ports, bounded in time.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tlspeers import (Pki, Results, against_s_server, free_port, openssl, run, start,  # noqa: E402
                      stop, wait_port)
from tlspeers import out_of  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()


def serial_hex(cert):
    """The certificate's serial as OpenSSL prints it (upper-case hex)."""
    text = openssl("x509", "-in", cert, "-noout", "-serial").stdout.decode()
    return text.strip().split("=", 1)[1].upper()


def openssl_crl(pki, name, revoke, last, next_):
    """A CRL made by `openssl ca -gencrl` for pki's CA, revoking `revoke` (a list
    of certificate paths), with lastUpdate / nextUpdate as YYMMDDHHMMSSZ."""
    db = pki.path("ca-db-" + name)
    os.makedirs(db)
    open(os.path.join(db, "index.txt"), "w").close()
    with open(os.path.join(db, "index.txt.attr"), "w") as f:
        f.write("unique_subject = no\n")
    with open(os.path.join(db, "crlnumber"), "w") as f:
        f.write("01\n")
    cnf = os.path.join(db, "ca.cnf")
    with open(cnf, "w") as f:
        f.write("[ca]\ndefault_ca = d\n[d]\ndir = %s\ndatabase = $dir/index.txt\n"
                "new_certs_dir = $dir\ncrlnumber = $dir/crlnumber\ndefault_md = sha256\n"
                "crl_extensions = crl_ext\n[crl_ext]\nauthorityKeyIdentifier = keyid:always\n" % db)
    common = ["-config", cnf, "-keyfile", pki.ca_key, "-cert", pki.ca]
    for cert in revoke:
        openssl("ca", *common, "-revoke", cert, "-crl_reason", "keyCompromise")
    out = pki.path(name + ".crl.pem")
    openssl("ca", *common, "-gencrl", "-out", out, "-crl_lastupdate", last, "-crl_nextupdate",
            next_)
    return out


def tessera_server(pki, *extra):
    # --idle-timeout: an echoed client that is not refused is closed 2 s after
    # its last bytes, which ends s_client -ign_eof.
    port = free_port()
    p = start([TESSERA, "server", "--port", str(port), "--cert", pki.server, "--key",
               pki.server_key, "--client-ca", pki.ca, "--verify-client", "require", "--echo",
               "--idle-timeout", "2", *extra])
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + stop(p)[1])
    return p, port


def s_client(port, cert, key, ca, *extra):
    # -ign_eof: s_client reads until the server closes, so a TLS 1.3 alert sent
    # after the client's Finished (or the echo) is seen.
    return run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-cert", cert, "-key",
                key, "-CAfile", ca, "-servername", "localhost", "-ign_eof", *extra],
               input=b"hello\n", timeout=15)


def tessera_client(port, pki, *extra, cert=None, key=None):
    cmd = [TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca, "--servername", "localhost"]
    if cert:
        cmd += ["--cert", cert, "--key", key]
    return run(cmd + list(extra), input=b"ping\n", timeout=15)


def main():
    pki = Pki()
    client2, client2_key = pki._leaf("client2", "tessera interop client 2", pki.ca, pki.ca_key,
                                     "clientAuth", None)

    # --- tessera cert crl, read by OpenSSL ---
    crl = pki.path("tessera.crl.pem")
    r = run([TESSERA, "cert", "crl", "--ca", pki.ca, "--ca-key", pki.ca_key, "--revoke",
             pki.client, "--reason", "keyCompromise", "--out", crl])
    R.check("tessera cert crl writes a CRL", r.returncode == 0 and os.path.exists(crl), out_of(r))
    r = run(["openssl", "crl", "-in", crl, "-noout", "-text", "-CAfile", pki.ca])
    text = out_of(r)
    R.check("openssl crl verifies the CRL's signature", r.returncode == 0 and "verify OK" in text,
            text)
    R.check("the CRL lists the client certificate's serial, with its reason",
            "Serial Number: " + serial_hex(pki.client) in text and "Key Compromise" in text, text)
    r = run([TESSERA, "cert", "crl", "--ca", pki.ca, "--ca-key", pki.ca_key, "--revoke",
             pki.rogue_client, "--out", pki.path("bad.crl.pem")])
    R.check("tessera cert crl refuses a certificate its CA did not issue",
            r.returncode != 0 and "was not issued by" in out_of(r), out_of(r))

    # --- tessera verify --crl ---
    def verify(leaf, *extra):
        return run([TESSERA, "verify", "--trust", pki.ca, "--purpose", "client", *extra, leaf])

    r = verify(pki.client, "--crl", crl)
    R.check("verify: the revoked client is cert_revoked",
            r.returncode == 1 and "cert_revoked" in out_of(r) and "keyCompromise" in out_of(r),
            out_of(r))
    r = verify(client2, "--crl", crl)
    R.check("verify: a client the CRL does not list is OK", r.returncode == 0, out_of(r))
    rogue_crl = pki.path("rogue.crl.pem")
    run([TESSERA, "cert", "crl", "--ca", pki.rogue_ca, "--ca-key", pki.rogue_ca_key, "--out",
         rogue_crl])
    r = verify(client2, "--crl", rogue_crl)
    R.check("verify: no CRL from the client's issuer is cert_revocation_unknown (chain mode)",
            r.returncode == 1 and "cert_revocation_unknown" in out_of(r), out_of(r))
    r = verify(client2, "--crl", rogue_crl, "--crl-check", "best-effort")
    R.check("verify: best-effort accepts it", r.returncode == 0, out_of(r))
    r = verify(pki.client, "--crl", rogue_crl, "--crl", crl, "--crl-check", "leaf")
    R.check("verify: leaf mode with two CRL files finds the revoked client",
            r.returncode == 1 and "cert_revoked" in out_of(r), out_of(r))

    # --- tessera server --crl, openssl s_client as the client ---
    srv, port = tessera_server(pki, "--crl", crl)
    try:
        r = s_client(port, pki.client, pki.client_key, pki.ca)
        R.check("s_client (TLS 1.3) with a revoked certificate gets certificate_revoked",
                "alert certificate revoked" in out_of(r), out_of(r))
        r = s_client(port, pki.client, pki.client_key, pki.ca, "-tls1_2")
        R.check("s_client (TLS 1.2) with a revoked certificate gets certificate_revoked",
                "alert certificate revoked" in out_of(r), out_of(r))
        r = s_client(port, client2, client2_key, pki.ca)
        R.check("s_client with a certificate the CRL does not list is echoed",
                r.returncode == 0 and "hello" in r.stdout.decode(errors="replace")
                and "alert" not in out_of(r), out_of(r))
        r = tessera_client(port, pki, cert=pki.client, key=pki.client_key)
        R.check("tessera client with the revoked certificate is told certificate_revoked",
                r.returncode != 0 and "certificate_revoked" in out_of(r), out_of(r))
    finally:
        _, err = stop(srv)
    R.check("the server says which certificate was revoked, and by which CRL",
            "cert_revoked: client certificate rejected" in err and "reason: keyCompromise" in err,
            err)

    # --- CRLs made by OpenSSL ---
    ossl_crl = openssl_crl(pki, "ossl", [pki.client], "200101000000Z", "491231235959Z")
    srv, port = tessera_server(pki, "--crl", ossl_crl)
    try:
        r = s_client(port, pki.client, pki.client_key, pki.ca)
        R.check("an OpenSSL-made CRL revokes the client in a tessera server",
                "alert certificate revoked" in out_of(r), out_of(r))
        r = tessera_client(port, pki, cert=client2, key=client2_key)
        R.check("an OpenSSL-made CRL lets an unlisted client through",
                r.returncode == 0 and "ping" in r.stdout.decode(errors="replace"), out_of(r))
    finally:
        stop(srv)

    expired = openssl_crl(pki, "expired", [], "200101000000Z", "200201000000Z")
    srv, port = tessera_server(pki, "--crl", expired)
    try:
        r = tessera_client(port, pki, cert=client2, key=client2_key)
        R.check("an expired CRL (chain mode) refuses the client with certificate_unknown",
                r.returncode != 0 and "certificate_unknown" in out_of(r), out_of(r))
    finally:
        _, err = stop(srv)
    R.check("the server says the CRL expired",
            "cert_revocation_unknown" in err and "expired (nextUpdate 2020-02-01" in err, err)
    srv, port = tessera_server(pki, "--crl", expired, "--crl-check", "best-effort")
    try:
        r = tessera_client(port, pki, cert=client2, key=client2_key)
        R.check("best-effort accepts the client despite the expired CRL",
                r.returncode == 0 and "ping" in r.stdout.decode(errors="replace"), out_of(r))
    finally:
        stop(srv)

    # --- tessera client --crl against openssl s_server ---
    server_crl = openssl_crl(pki, "server", [pki.server], "200101000000Z", "491231235959Z")
    for crl_file, revoked in ((server_crl, True), (crl, False)):
        r, log = against_s_server(["-cert", pki.server, "-key", pki.server_key],
                                  lambda port: tessera_client(port, pki, "--crl", crl_file))
        if r is None:
            R.check("openssl s_server started", False, log)
            continue
        if revoked:
            R.check("tessera client refuses s_server's revoked certificate",
                    r.returncode != 0 and "cert_revoked" in out_of(r)
                    and "server certificate rejected" in out_of(r), out_of(r))
            R.check("s_server received certificate_revoked from the tessera client",
                    re.search(r"alert certificate revoked", log) is not None, log)
        else:
            R.check("tessera client connects when the CRL does not list the server",
                    r.returncode == 0 and "verified by" in out_of(r), out_of(r))

    # --- option checks ---
    r = run([TESSERA, "server", "--port", str(free_port()), "--cert", pki.server, "--key",
             pki.server_key, "--crl", crl], timeout=10)
    R.check("tessera server refuses --crl without --client-ca",
            r.returncode == 2 and "--client-ca" in out_of(r), out_of(r))
    r = run([TESSERA, "verify", "--trust", pki.ca, "--crl", pki.server, pki.client])
    R.check("a --crl file without a CRL is refused, naming the file",
            r.returncode != 0 and pki.server in out_of(r), out_of(r))
    R.finish()


main()

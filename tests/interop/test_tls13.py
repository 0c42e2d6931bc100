#!/usr/bin/env python3
"""TLS 1.3 interop: tessera client and server against openssl, gnutls, curl and
Python's ssl module, on loopback, each peer bounded in time.

Usage: test_tls13.py /path/to/tessera
"""
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tlspeers import (Pki, Results, free_port, gnutls_exported, openssl_exported,  # noqa: E402
                      out_of, run, same_hex, start, stop, tessera_exported,
                      tessera_exported_all, wait_port)

TESSERA = os.path.abspath(sys.argv[1])
R = Results()
HAVE_GNUTLS = shutil.which("gnutls-serv") is not None and shutil.which("gnutls-cli") is not None
HAVE_CURL = shutil.which("curl") is not None


def tessera_server(pki, *extra, client_ca=None, verify="require", echo=False, host="127.0.0.1"):
    port = free_port()
    cmd = [TESSERA, "server", "--port", str(port), "--host", host, "--cert", pki.server, "--key",
           pki.server_key]
    if client_ca:
        cmd += ["--client-ca", client_ca, "--verify-client", verify]
    if echo:
        cmd.append("--echo")
    cmd += list(extra)
    p = start(cmd)
    if not wait_port(port, host=host, proc=p):
        out, err = stop(p)
        raise RuntimeError("tessera server did not start: " + err)
    return p, port


def tessera_client(port, pki, *extra, data=b"GET / HTTP/1.0\r\n\r\n", host="127.0.0.1",
                   servername="localhost", cert=None, key=None):
    cmd = [TESSERA, "client", "%s:%d" % (host if ":" not in host else "[" + host + "]", port),
           "--ca", pki.ca, "--servername", servername, "--timeout", "10"]
    if cert:
        cmd += ["--cert", cert, "--key", key]
    cmd += list(extra)
    return run(cmd, input=data, timeout=20)


def openssl_server(pki, *extra, www=True, verify_ca=None):
    port = free_port()
    cmd = ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", pki.server, "-key",
           pki.server_key, "-tls1_3"]
    if www:
        cmd.append("-www")
    if verify_ca:
        cmd += ["-Verify", "2", "-CAfile", verify_ca]
    cmd += list(extra)
    p = start(cmd)
    if not wait_port(port, proc=p):
        out, err = stop(p)
        raise RuntimeError("openssl s_server did not start: " + err)
    return p, port


# --- tessera client -> openssl s_server ------------------------------------
def client_vs_openssl():
    pki = Pki("ec")
    for group in ["x25519", "secp256r1", "secp384r1", "ffdhe2048"]:
        for suite in ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                      "TLS_CHACHA20_POLY1305_SHA256"]:
            srv, port = openssl_server(pki, "-groups", group.replace("secp256r1", "P-256")
                                       .replace("secp384r1", "P-384"),
                                       "-ciphersuites", suite)
            r = tessera_client(port, pki, "--groups", group, "--ciphers", suite)
            stop(srv)
            out = r.stdout.decode(errors="replace")
            R.check("client->openssl %s %s" % (group, suite),
                    r.returncode == 0 and "TLSv1.3" in out and suite in out,
                    r.stderr.decode(errors="replace")[-800:])
    # HelloRetryRequest: we send an x25519 share first, the server only takes P-384.
    srv, port = openssl_server(pki, "-groups", "P-384")
    r = tessera_client(port, pki, "--groups", "x25519,secp384r1", "--trace")
    stop(srv)
    err = r.stderr.decode(errors="replace")
    R.check("client->openssl HelloRetryRequest", r.returncode == 0 and "HelloRetryRequest" in err,
            err[-800:])
    R.check("client --trace names the AEAD backend",
            re.search(r"protected with TLS_\w+: [\w-]+ on (libcrypto|ipsec-mb) ", err) is not None,
            err[-800:])
    # mTLS: openssl requires a client certificate.
    srv, port = openssl_server(pki, verify_ca=pki.ca)
    r = tessera_client(port, pki, cert=pki.client, key=pki.client_key)
    stop(srv)
    R.check("client->openssl mTLS", r.returncode == 0 and b"TLSv1.3" in r.stdout,
            r.stderr.decode(errors="replace")[-800:])
    # A --ca bundle holding a certificate our parser refuses (the system
    # bundle has one: a 2046 GeneralizedTime) still verifies with the rest.
    bundle = pki.path("bundle.pem")
    with open(bundle, "w") as f:
        if os.path.exists("/etc/ssl/certs/ca-certificates.crt"):
            with open("/etc/ssl/certs/ca-certificates.crt") as sys_bundle:
                f.write(sys_bundle.read())
        f.write("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n")
        with open(pki.ca) as ca:
            f.write(ca.read())
    srv, port = openssl_server(pki)
    r = run([TESSERA, "client", "127.0.0.1:%d" % port, "--ca", bundle, "--servername",
             "localhost"], input=b"GET / HTTP/1.0\r\n\r\n", timeout=20)
    stop(srv)
    err = r.stderr.decode(errors="replace")
    R.check("client->openssl with a --ca bundle holding an unparsable certificate",
            r.returncode == 0 and b"TLSv1.3" in r.stdout and
            re.search(r"warning: --ca .*: skipped \d+ certificate\(s\) that do not parse", err)
            is not None, err[-800:])
    # Wrong host name is refused.
    srv, port = openssl_server(pki)
    r = tessera_client(port, pki, servername="not-localhost.example")
    stop(srv)
    R.check("client->openssl wrong host refused",
            r.returncode != 0 and b"cert_name_mismatch" in r.stderr, r.stderr.decode()[-400:])
    # Untrusted server certificate is refused.
    other = Pki("ec")
    srv, port = openssl_server(pki)
    r = tessera_client(port, other)
    stop(srv)
    R.check("client->openssl untrusted CA refused",
            r.returncode != 0 and b"cert_untrusted" in r.stderr, r.stderr.decode()[-400:])
    for kt in ["rsa", "ed25519", "p384"]:
        k = Pki(kt)
        srv, port = openssl_server(k)
        r = tessera_client(port, k)
        stop(srv)
        R.check("client->openssl %s server key" % kt, r.returncode == 0 and b"TLSv1.3" in r.stdout,
                r.stderr.decode(errors="replace")[-800:])


# --- GREASE ECH (draft-ietf-tls-esni-25 6.2): servers without ECH ignore it ----
def ech_grease():
    pki = Pki("ec")
    ext = "extension_type=UNKNOWN(65037)"  # encrypted_client_hello, as s_server -trace shows it
    # openssl s_server: one ClientHello, then one after a HelloRetryRequest
    # (our x25519 share first, the server takes P-384 only), which repeats
    # the extension byte for byte.
    for name, args, groups in [("", [], "x25519"), (" after HelloRetryRequest", ["-groups", "P-384"],
                                                     "x25519,secp384r1")]:
        srv, port = openssl_server(pki, "-trace", *args)
        r = tessera_client(port, pki, "--ech-grease", "--groups", groups)
        out, _ = stop(srv)
        text = out_of(r)
        # Each time the extension appears: its length and hex dump lines.
        blocks = [re.match(r"\d+\n(?:\s+[0-9a-f]{4} - .*\n)+", b)
                  for b in out.split(ext + ", length=")[1:]]
        blocks = [b.group(0) if b else None for b in blocks]
        want = 2 if args else 1
        R.check("client --ech-grease -> openssl%s: handshake, and s_server saw the extension%s"
                % (name, " twice, the same" if args else ""),
                r.returncode == 0 and b"TLSv1.3" in r.stdout and "ECH: GREASE only" in text and
                len(blocks) == want and None not in blocks and len(set(blocks)) == 1,
                "rc %d, %d extension(s) seen; %s" % (r.returncode, len(blocks), text[-600:]))
    # A TLS 1.2 server ignores it too (the ClientHello offers both versions).
    port = free_port()
    srv = start(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", pki.server,
                 "-key", pki.server_key, "-tls1_2", "-www"])
    if wait_port(port, proc=srv):
        r = tessera_client(port, pki, "--ech-grease")
        R.check("client --ech-grease -> openssl TLS 1.2 only",
                r.returncode == 0 and b"TLSv1.2" in r.stdout, out_of(r)[-600:])
    else:
        R.check("client --ech-grease -> openssl TLS 1.2 start", False, stop(srv)[1][-400:])
    stop(srv)
    if not HAVE_GNUTLS:
        R.skip("client --ech-grease -> gnutls", "gnutls-bin not installed")
        return
    port = free_port()
    srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", pki.server,
                 "--x509keyfile", pki.server_key, "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3",
                 "--echo"])
    if wait_port(port, proc=srv):
        r = tessera_client(port, pki, "--ech-grease", data=b"grease ping\n")
        R.check("client --ech-grease -> gnutls echo",
                r.returncode == 0 and b"grease ping" in r.stdout and
                "ECH: GREASE only" in out_of(r), out_of(r)[-600:])
    else:
        R.check("client --ech-grease -> gnutls start", False, stop(srv)[1][-400:])
    stop(srv)


# --- tessera client -> gnutls-serv -------------------------------------------
def client_vs_gnutls():
    if not HAVE_GNUTLS:
        R.skip("client->gnutls", "gnutls-bin not installed")
        return
    pki = Pki("ec")
    for prio, group in [("NORMAL:-VERS-ALL:+VERS-TLS1.3", "x25519"),
                        ("NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP384R1", "x25519,secp384r1")]:
        port = free_port()
        srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", pki.server,
                     "--x509keyfile", pki.server_key, "--priority", prio, "--echo"])
        if not wait_port(port, proc=srv):
            R.check("client->gnutls %s start" % group, False, stop(srv)[1][-400:])
            continue
        r = tessera_client(port, pki, "--groups", group, data=b"ping from tessera\n")
        stop(srv)
        R.check("client->gnutls %s echo" % group,
                r.returncode == 0 and b"ping from tessera" in r.stdout, r.stderr.decode()[-800:])
    # mTLS with gnutls requiring a certificate
    port = free_port()
    srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", pki.server, "--x509keyfile",
                 pki.server_key, "--x509cafile", pki.ca, "--require-client-cert", "--verify-client-cert",
                 "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3", "--echo"])
    if wait_port(port, proc=srv):
        r = tessera_client(port, pki, cert=pki.client, key=pki.client_key, data=b"mtls ping\n")
        R.check("client->gnutls mTLS", r.returncode == 0 and b"mtls ping" in r.stdout,
                r.stderr.decode()[-800:])
    else:
        R.check("client->gnutls mTLS: gnutls-serv starts", False, stop(srv)[1][-400:])
    stop(srv)


# --- openssl s_client -> tessera server -------------------------------------
def openssl_client_vs_server():
    pki = Pki("ec")
    srv, port = tessera_server(pki)
    for group in ["X25519", "P-256", "P-384", "ffdhe2048"]:
        for suite in ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                      "TLS_CHACHA20_POLY1305_SHA256"]:
            r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_3",
                     "-groups", group, "-ciphersuites", suite, "-CAfile", pki.ca,
                     "-verify_return_error", "-verify_hostname", "localhost", "-servername",
                     "localhost", "-ign_eof"], input=b"GET / HTTP/1.0\r\n\r\n", timeout=15)
            out = r.stdout.decode(errors="replace")
            R.check("openssl->server %s %s" % (group, suite),
                    r.returncode == 0 and "tessera: TLS connection established" in out and suite in out,
                    (out + r.stderr.decode(errors="replace"))[-800:])
    # HRR: s_client sends only an x25519 share but also supports P-256; server forced to P-256.
    stop(srv)
    srv, port = tessera_server(pki, "--groups", "secp256r1")
    r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_3", "-groups",
             "X25519:P-256", "-CAfile", pki.ca, "-verify_return_error", "-ign_eof"],
            input=b"GET / HTTP/1.0\r\n\r\n", timeout=15)
    out = r.stdout.decode(errors="replace")
    R.check("openssl->server HelloRetryRequest",
            r.returncode == 0 and "Hello retry</th><td>yes" in out, out[-800:])
    stop(srv)
    # mTLS required: with and without a client certificate, and an untrusted one.
    srv, port = tessera_server(pki, client_ca=pki.ca)
    r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_3", "-CAfile", pki.ca,
             "-cert", pki.client, "-key", pki.client_key, "-ign_eof"],
            input=b"GET / HTTP/1.0\r\n\r\n", timeout=15)
    out = r.stdout.decode(errors="replace")
    R.check("openssl->server mTLS", r.returncode == 0 and "CN=tessera interop client" in out,
            (out + r.stderr.decode())[-800:])
    r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_3", "-CAfile", pki.ca,
             "-ign_eof"], input=b"GET / HTTP/1.0\r\n\r\n", timeout=15)
    R.check("openssl->server mTLS missing cert refused",
            "certificate required" in r.stderr.decode(errors="replace") and
            "tessera: TLS connection established" not in r.stdout.decode(errors="replace"),
            r.stderr.decode(errors="replace")[-600:])
    r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_3", "-CAfile", pki.ca,
             "-cert", pki.rogue_client, "-key", pki.rogue_client_key, "-ign_eof"],
            input=b"GET / HTTP/1.0\r\n\r\n", timeout=15)
    R.check("openssl->server mTLS untrusted cert refused",
            "unknown ca" in r.stderr.decode(errors="replace") and
            "tessera: TLS connection established" not in r.stdout.decode(errors="replace"),
            r.stderr.decode(errors="replace")[-600:])
    stop(srv)


def gnutls_client_vs_server():
    if not HAVE_GNUTLS:
        R.skip("gnutls->server", "gnutls-bin not installed")
        return
    pki = Pki("ec")
    srv, port = tessera_server(pki, echo=True, client_ca=pki.ca, verify="optional")
    for prio in ["NORMAL:-VERS-ALL:+VERS-TLS1.3",
                 "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP256R1"]:
        r = run(["gnutls-cli", "--port", str(port), "--x509cafile", pki.ca, "--priority", prio,
                 "localhost"], input=b"hello gnutls\n", timeout=15)
        R.check("gnutls->server %s" % prio.split(":")[-1],
                r.returncode == 0 and b"hello gnutls" in r.stdout,
                (r.stdout + r.stderr).decode(errors="replace")[-800:])
    r = run(["gnutls-cli", "--port", str(port), "--x509cafile", pki.ca, "--x509certfile",
             pki.client, "--x509keyfile", pki.client_key, "--priority",
             "NORMAL:-VERS-ALL:+VERS-TLS1.3", "localhost"], input=b"mtls gnutls\n", timeout=15)
    R.check("gnutls->server mTLS", r.returncode == 0 and b"mtls gnutls" in r.stdout,
            (r.stdout + r.stderr).decode(errors="replace")[-800:])
    stop(srv)


def curl_vs_server():
    if not HAVE_CURL:
        R.skip("curl->server", "curl not installed")
        return
    pki = Pki("ec")
    srv, port = tessera_server(pki, "--alpn", "http/1.1")
    r = run(["curl", "-sS", "--max-time", "10", "--tlsv1.3", "--cacert", pki.ca,
             "https://localhost:%d/" % port, "--resolve", "localhost:%d:127.0.0.1" % port],
            timeout=15)
    out = r.stdout.decode(errors="replace")
    R.check("curl->server", r.returncode == 0 and "TLS connection established" in out and
            "http/1.1" in out, (out + r.stderr.decode())[-600:])
    stop(srv)
    srv, port = tessera_server(pki, client_ca=pki.ca)
    r = run(["curl", "-sS", "--max-time", "10", "--cacert", pki.ca, "--cert", pki.client, "--key",
             pki.client_key, "https://127.0.0.1:%d/" % port], timeout=15)
    R.check("curl->server mTLS (IP SAN)", r.returncode == 0 and
            b"CN=tessera interop client" in r.stdout, (r.stdout + r.stderr).decode()[-600:])
    stop(srv)


def python_vs_server():
    pki = Pki("ec")
    srv, port = tessera_server(pki, echo=True)
    ctx = ssl.create_default_context(cafile=pki.ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ok, detail = False, ""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                payload = os.urandom(100000)
                s.sendall(payload)
                got = b""
                while len(got) < len(payload):
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                ok = got == payload and s.version() == "TLSv1.3"
                detail = "%s %d bytes" % (s.version(), len(got))
    except Exception as e:  # noqa: BLE001
        detail = repr(e)
    R.check("python ssl->server echo 100 KB", ok, detail)
    stop(srv)


# --- RFC 8449 record_size_limit with GnuTLS, TLS 1.3 and TLS 1.2 -------------
# gnutls --recordsize=512 advertises 513 in TLS 1.3 (plaintext + content type)
# and 512 in TLS 1.2, and refuses a larger record (record_overflow). It ignores a
# peer's limit below 512, so tessera's own limit here is 600.
RSL_VERSIONS = [("TLS 1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.3", 513),
                ("TLS 1.2", "NORMAL:-VERS-ALL:+VERS-TLS1.2", 512)]


def record_size_limit_gnutls():
    if not HAVE_GNUTLS:
        R.skip("record_size_limit gnutls", "gnutls-bin not installed")
        return
    pki = Pki("ec")
    for ver, prio, limit in RSL_VERSIONS:
        # gnutls-cli -> tessera server (HTTP page): the page, longer than 512
        # bytes and written at once, is only readable if split to gnutls' limit.
        srv, port = tessera_server(pki)
        try:
            r = run(["gnutls-cli", "--port", str(port), "--x509cafile", pki.ca, "--priority", prio,
                     "--recordsize=512", "localhost"], input=b"GET / HTTP/1.0\r\n\r\n", timeout=15)
        finally:
            stop(srv)
        out = r.stdout.decode(errors="replace")
        page = out[out.find("HTTP/1.1 200"):] if "HTTP/1.1 200" in out else ""
        R.check("gnutls->server %s record_size_limit %d" % (ver, limit),
                r.returncode == 0 and len(page) > 512 and "</html>" in page and
                "<tr><th>Client record_size_limit</th><td>%d bytes (RFC 8449)</td></tr>" % limit
                in page, (out + r.stderr.decode(errors="replace"))[-800:])
        # tessera client -> gnutls-serv --echo: 5000 bytes written at once come
        # back whole, so every record we sent was within gnutls' limit.
        port = free_port()
        srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", pki.server,
                     "--x509keyfile", pki.server_key, "--priority", prio, "--recordsize=512",
                     "--echo"])
        if not wait_port(port, proc=srv):
            R.check("client->gnutls %s record_size_limit start" % ver, False, stop(srv)[1][-400:])
            continue
        try:
            r = tessera_client(port, pki, "--record-size-limit", "600", "--trace",
                               data=b"x" * 5000 + b"\n")
        finally:
            stop(srv)
        err = r.stderr.decode(errors="replace")  # trace and summary go to stderr
        R.check("client->gnutls %s record_size_limit %d, echo 5000 bytes" % (ver, limit),
                r.returncode == 0 and r.stdout.count(b"x") == 5000 and
                "record_size_limit: the peer takes records of up to %d bytes, we 600" % limit
                in err and "peer record_size_limit: %d bytes (RFC 8449" % limit in err,
                "%d x echoed; %s" % (r.stdout.count(b"x"), err[-800:]))


# --- RFC 8879 certificate compression ------------------------------------------
# No peer installed here speaks it (OpenSSL 3.0 has no support; Debian 12's
# GnuTLS 3.7.9 is built without its codecs and answers --compress-cert with
# "Unknown compression method"), so the CLI's client and server run against
# each other over loopback: mutual TLS, each compressing its certificate with
# its own first choice among the other's.
def cert_compression_cli():
    pki = Pki("ec")
    srv, port = tessera_server(pki, "--compress-cert", "brotli,zlib", "--trace",
                               client_ca=pki.ca)
    try:
        r = tessera_client(port, pki, "--compress-cert", "zlib,brotli,zstd", cert=pki.client,
                           key=pki.client_key)
    finally:
        _, serr = stop(srv)
    out, err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
    R.check("cert compression: the server's chain arrives brotli-compressed",
            r.returncode == 0 and "peer certificate compressed with: brotli (RFC 8879)" in err,
            err[-800:])
    R.check("cert compression: the client's certificate goes zlib-compressed",
            "our certificate compressed with: zlib (RFC 8879)" in err and
            "<tr><th>Certificate compression (RFC 8879)</th><td>ours: brotli; client's: zlib"
            "</td></tr>" in out, out[-800:])
    R.check("cert compression: the server's trace shows both directions",
            "takes certificates compressed with [zlib, brotli, zstd]" in serr and
            "compressed with brotli (" in serr and
            "<- CompressedCertificate (client): zlib, " in serr, serr[-1200:])
    # A client that does not offer it gets the plain Certificate.
    srv, port = tessera_server(pki, "--compress-cert", "brotli")
    try:
        r = tessera_client(port, pki)
    finally:
        stop(srv)
    err = r.stderr.decode(errors="replace")
    R.check("cert compression: not offered, not used",
            r.returncode == 0 and "compressed with" not in err, err[-600:])


# --- keying material exporter (RFC 8446 7.5) ----------------------------------
# Each side prints the value it exported; the checks compare them as hex,
# case-insensitively (openssl prints upper case, tessera and gnutls lower case).
EXPORT_LABEL = "EXPORTER-tessera-interop"


def exporter_openssl():
    pki = Pki("ec")
    # tessera client -> openssl s_server (no -www: s_server prints the exported
    # value only in its interactive mode), with SHA-256 and SHA-384 suites.
    for suite, n in [("TLS_AES_128_GCM_SHA256", 32), ("TLS_AES_256_GCM_SHA384", 48)]:
        srv, port = openssl_server(pki, "-ciphersuites", suite, "-keymatexport", EXPORT_LABEL,
                                   "-keymatexportlen", str(n), www=False)
        try:
            r = tessera_client(port, pki, "--ciphers", suite, "--export-label", EXPORT_LABEL,
                               "--export-length", str(n), data=b"exporter ping\n")
        finally:
            sout, serr = stop(srv)
        err = r.stderr.decode(errors="replace")
        ours = tessera_exported(err, EXPORT_LABEL, n)
        theirs = openssl_exported(sout, EXPORT_LABEL, n)
        R.check("exporter: client->openssl %s %d bytes" % (suite, n),
                r.returncode == 0 and "exporter ping" in sout and same_hex(ours, theirs, n),
                "tessera %s, openssl %s; %s" % (ours, theirs, err[-600:]))
    # openssl s_client -> tessera server (page mode): the page row, the server's
    # stderr line and s_client's value agree.
    srv, port = tessera_server(pki, "--export-label", EXPORT_LABEL)
    try:
        r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_3", "-CAfile",
                 pki.ca, "-verify_return_error", "-servername", "localhost", "-keymatexport",
                 EXPORT_LABEL, "-keymatexportlen", "32", "-ign_eof"],
                input=b"GET / HTTP/1.0\r\n\r\n", timeout=15)
    finally:
        _, serr = stop(srv)
    out = r.stdout.decode(errors="replace")
    theirs = openssl_exported(out, EXPORT_LABEL, 32)
    # html_escape leaves the single quote as is (it escapes < > & " only).
    m = re.search(r"<tr><th>Keying material</th><td>exported keying material \(label "
                  r"(?:'|&#39;)%s(?:'|&#39;), 32 bytes\): ([0-9a-f]+)</td></tr>" %
                  re.escape(EXPORT_LABEL), out)
    page = m.group(1) if m else None
    logged = tessera_exported(serr, EXPORT_LABEL, 32)
    R.check("exporter: openssl->server page row", r.returncode == 0 and same_hex(page, theirs, 32),
            "page %s, openssl %s; %s" % (page, theirs, out[-800:]))
    R.check("exporter: openssl->server stderr line", same_hex(logged, theirs, 32),
            "server %s, openssl %s; %s" % (logged, theirs, serr[-400:]))


def exporter_gnutls():
    if not HAVE_GNUTLS:
        R.skip("exporter gnutls", "gnutls-bin not installed")
        return
    pki = Pki("ec")
    prio = "NORMAL:-VERS-ALL:+VERS-TLS1.3"
    # tessera client -> gnutls-serv --keymatexport
    port = free_port()
    srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", pki.server, "--x509keyfile",
                 pki.server_key, "--priority", prio, "--echo", "--keymatexport=" + EXPORT_LABEL,
                 "--keymatexportsize=40"])
    try:
        if not wait_port(port, proc=srv):
            raise RuntimeError("gnutls-serv did not start")
        r = tessera_client(port, pki, "--export-label", EXPORT_LABEL, "--export-length", "40",
                           data=b"exporter gnutls\n")
    finally:
        sout, serr = stop(srv)
    err = r.stderr.decode(errors="replace")
    ours, theirs = tessera_exported(err, EXPORT_LABEL, 40), gnutls_exported(sout)
    R.check("exporter: client->gnutls 40 bytes",
            r.returncode == 0 and b"exporter gnutls" in r.stdout and same_hex(ours, theirs, 40),
            "tessera %s, gnutls %s; %s" % (ours, theirs, (err + sout)[-600:]))
    # RFC 9266 tls-exporter channel binding: gnutls-serv prints it for every
    # connection; it is the exporter with EXPORTER-Channel-Binding, 32 bytes, no context.
    port = free_port()
    srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", pki.server, "--x509keyfile",
                 pki.server_key, "--priority", prio, "--echo"])
    try:
        if not wait_port(port, proc=srv):
            raise RuntimeError("gnutls-serv did not start")
        r = tessera_client(port, pki, "--export-label", "EXPORTER-Channel-Binding",
                           data=b"channel binding\n")
    finally:
        sout, serr = stop(srv)
    err = r.stderr.decode(errors="replace")
    ours = tessera_exported(err, "EXPORTER-Channel-Binding", 32)
    m = re.search(r"'tls-exporter': ([0-9a-fA-F]+)", sout)
    theirs = m.group(1) if m else None
    R.check("exporter: client->gnutls RFC 9266 tls-exporter channel binding",
            r.returncode == 0 and same_hex(ours, theirs, 32),
            "tessera %s, gnutls %s; %s" % (ours, theirs, (err + sout)[-600:]))
    # gnutls-cli --keymatexport -> tessera server (echo)
    srv, port = tessera_server(pki, "--export-label", EXPORT_LABEL, "--export-length", "24",
                               echo=True)
    try:
        r = run(["gnutls-cli", "--port", str(port), "--x509cafile", pki.ca, "--priority", prio,
                 "--keymatexport=" + EXPORT_LABEL, "--keymatexportsize=24", "localhost"],
                input=b"exporter from gnutls\n", timeout=15)
    finally:
        _, serr = stop(srv)
    out = r.stdout.decode(errors="replace")
    ours, theirs = tessera_exported(serr, EXPORT_LABEL, 24), gnutls_exported(out)
    R.check("exporter: gnutls->server 24 bytes",
            r.returncode == 0 and "exporter from gnutls" in out and same_hex(ours, theirs, 24),
            "tessera %s, gnutls %s; %s" % (ours, theirs, (out + serr)[-600:]))


def exporter_context():
    """Neither s_client nor s_server takes an exporter context: tessera on both
    sides. The same label and context give the same value on both ends of a
    connection; another context (or none) gives another value."""
    pki = Pki("ec")
    ctx_a, ctx_b = "00112233445566778899aabbccddeeff", "00112233445566778899aabbccddeefe"
    srv, port = tessera_server(pki, "--export-label", EXPORT_LABEL, "--export-context", ctx_a,
                               echo=True)
    try:
        same = tessera_client(port, pki, "--export-label", EXPORT_LABEL, "--export-context", ctx_a,
                              data=b"context a\n")
        other = tessera_client(port, pki, "--export-label", EXPORT_LABEL, "--export-context",
                               ctx_b, data=b"context b\n")
        none = tessera_client(port, pki, "--export-label", EXPORT_LABEL, data=b"no context\n")
    finally:
        _, serr = stop(srv)
    # One line per connection, in order.
    logged = tessera_exported_all(serr, EXPORT_LABEL, 32, context=True)
    c_same = tessera_exported(same.stderr.decode(errors="replace"), EXPORT_LABEL, 32, context=True)
    c_other = tessera_exported(other.stderr.decode(errors="replace"), EXPORT_LABEL, 32,
                               context=True)
    c_none = tessera_exported(none.stderr.decode(errors="replace"), EXPORT_LABEL, 32)
    detail = "server %s; clients %s %s %s; %s" % (logged, c_same, c_other, c_none, serr[-400:])
    ok = len(logged) == 3 and all(x.returncode == 0 for x in (same, other, none))
    R.check("exporter: client->server same context, same value",
            ok and same_hex(c_same, logged[0], 32), detail)
    R.check("exporter: client->server other context, other value",
            ok and c_other is not None and len(c_other) == 64 and c_other != logged[1], detail)
    R.check("exporter: client->server no context vs context, other value",
            ok and c_none is not None and len(c_none) == 64 and c_none != logged[2], detail)


# --- tessera client relaying stdin: close_notify after NewSessionTickets -------
def client_relay_close_notify():
    """openssl s_server without -www sends two NewSessionTickets and no
    application data. Once stdin ends, the client must still read it and send
    its close_notify (it used to block reading the socket for application
    data and hang until killed, and openssl answered decode_error)."""
    pki = Pki("ec")
    srv, port = openssl_server(pki, "-msg", www=False)
    cmd = [TESSERA, "client", "127.0.0.1:%d" % port, "--ca", pki.ca, "--servername", "localhost",
           "--timeout", "10"]
    cli = start(cmd)  # stdin is a pipe
    rc, elapsed, err = None, None, ""
    try:
        cli.stdin.write(b"hi\n")
        cli.stdin.flush()
        time.sleep(1)  # the tickets arrive meanwhile
        t0 = time.time()
        try:
            _, e = cli.communicate(timeout=5)  # closes stdin: the end of input
            rc, elapsed, err = cli.returncode, time.time() - t0, e.decode(errors="replace")
        except subprocess.TimeoutExpired:
            err = stop(cli)[1] + "\n[client still running 5 s after its stdin closed; killed]"
    finally:
        stop(cli)
        sout, _ = stop(srv)
    # The probe connection of wait_port gets a decode_error too: look from the ClientHello on.
    conn = sout[sout.find("ClientHello"):] if "ClientHello" in sout else ""
    R.check("client relay: exits 0 after stdin ends (tickets, no app data)",
            rc == 0 and elapsed is not None and elapsed < 5,
            "rc %s after %s s; %s" % (rc, elapsed, err[-600:]))
    R.check("client relay: openssl got the data and our close_notify, no decode_error",
            "NewSessionTicket" in conn and "\nhi\n" in conn and
            "<<< TLS 1.3, Alert [length 0002], warning close_notify" in conn and
            "DONE" in conn and "decode_error" not in conn,
            "\n".join(line for line in conn.splitlines()
                      if line.startswith(("<<<", ">>>", "DONE", "hi")))[-1200:])


if __name__ == "__main__":
    for t in [client_vs_openssl, ech_grease, client_vs_gnutls, openssl_client_vs_server,
              gnutls_client_vs_server, record_size_limit_gnutls, cert_compression_cli,
              curl_vs_server,
              python_vs_server, exporter_openssl, exporter_gnutls, exporter_context,
              client_relay_close_notify]:
        try:
            t()
        except Exception as e:  # noqa: BLE001
            R.check(t.__name__, False, repr(e))
    R.finish()

#!/usr/bin/env python3
"""TLS 1.2 interop: tessera client and server against openssl, gnutls, curl and
Python's ssl module for every TLS 1.2 suite tessera implements, with mTLS,
version negotiation (downgrade protection, FALLBACK_SCSV), the extended master
secret policy and renegotiation refusal. Loopback only; every peer is bounded
in time.

Usage: test_tls12.py /path/to/tessera
"""
import os
import re
import shutil
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tlspeers import (Pki, Results, free_port, gnutls_exported, openssl,  # noqa: E402
                      openssl_exported, run, same_hex, start, stop, tessera_exported,
                      wait_port)

TESSERA = os.path.abspath(sys.argv[1])
R = Results()
HAVE_GNUTLS = shutil.which("gnutls-serv") is not None and shutil.which("gnutls-cli") is not None
HAVE_CURL = shutil.which("curl") is not None

# (IANA name, OpenSSL name, certificate key type, policy needed)
SUITES = [
    ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", "ec", "default"),
    ("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", "ec", "default"),
    ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", "ec",
     "default"),
    ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "rsa", "default"),
    ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "rsa", "default"),
    ("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "rsa",
     "default"),
    ("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", "rsa", "compat"),
    ("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", "rsa", "compat"),
    ("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", "rsa", "compat"),
    ("TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", "rsa", "compat"),
    ("TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", "rsa", "compat"),
]
PKIS = {}


def pki(kind):
    if kind not in PKIS:
        PKIS[kind] = Pki(kind)
    return PKIS[kind]


def tessera_server(k, *extra, client_ca=None, echo=False):
    port = free_port()
    cmd = [TESSERA, "server", "--port", str(port), "--host", "127.0.0.1", "--cert", k.server,
           "--key", k.server_key]
    if client_ca:
        cmd += ["--client-ca", client_ca, "--verify-client", "require"]
    if echo:
        cmd.append("--echo")
    cmd += list(extra)
    p = start(cmd)
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + stop(p)[1])
    return p, port


def tessera_client(port, k, *extra, data=b"GET / HTTP/1.0\r\n\r\n", cert=None, key=None):
    cmd = [TESSERA, "client", "127.0.0.1:%d" % port, "--ca", k.ca, "--servername", "localhost",
           "--timeout", "10"]
    if cert:
        cmd += ["--cert", cert, "--key", key]
    cmd += list(extra)
    return run(cmd, input=data, timeout=20)


def openssl_server(k, *extra, verify_ca=None, www=True, env=None):
    port = free_port()
    cmd = ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", k.server,
           "-key", k.server_key]
    if www:
        cmd.append("-www")
    cmd += list(extra)
    if verify_ca:
        cmd += ["-Verify", "2", "-CAfile", verify_ca]
    p = start(cmd, env=env)
    if not wait_port(port, proc=p):
        raise RuntimeError("openssl s_server did not start: " + stop(p)[1])
    return p, port


def s_client(port, k, *extra, data=b"GET / HTTP/1.0\r\n\r\n"):
    return run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile", k.ca,
                "-verify_return_error", "-verify_hostname", "localhost", "-servername",
                "localhost", "-ign_eof"] + list(extra), input=data, timeout=15)


def text(r):
    return (r.stdout + r.stderr).decode(errors="replace")


# --- tessera client -> openssl s_server, every suite ---------------------------
def client_vs_openssl():
    for iana, ossl, kind, policy in SUITES:
        k = pki(kind)
        for mtls in (False, True):
            srv, port = openssl_server(k, "-tls1_2", "-cipher", ossl,
                                       verify_ca=k.ca if mtls else None)
            args = ["--policy", policy, "--ciphers", iana, "--max-version", "1.2"]
            r = tessera_client(port, k, *args, cert=k.client if mtls else None,
                               key=k.client_key if mtls else None)
            stop(srv)
            out = r.stdout.decode(errors="replace")
            R.check("client->openssl %s%s" % (iana, " mTLS" if mtls else ""),
                    r.returncode == 0 and "TLSv1.2" in out and ossl in out and
                    "version: TLS 1.2" in text(r), text(r)[-800:])
    # The RSA key exchange suite named on the command line enables it even
    # under the default policy (the promise for --ciphers).
    k = pki("rsa")
    srv, port = openssl_server(k, "-tls1_2", "-cipher", "AES128-GCM-SHA256")
    r = tessera_client(port, k, "--ciphers", "AES128-GCM-SHA256", "--max-version", "1.2")
    stop(srv)
    R.check("client->openssl RSA kx enabled by --ciphers OpenSSL name",
            r.returncode == 0 and "TLS_RSA_WITH_AES_128_GCM_SHA256" in text(r), text(r)[-600:])
    # A default client (TLS 1.3 and 1.2) against a TLS 1.2-only server.
    k = pki("ec")
    srv, port = openssl_server(k, "-tls1_2")
    r = tessera_client(port, k)
    stop(srv)
    R.check("client(1.2+1.3)->openssl TLS 1.2-only server negotiates 1.2",
            r.returncode == 0 and "version: TLS 1.2" in text(r), text(r)[-600:])
    # openssl's DHE group (a custom 2048-bit one when no ffdhe is agreed) works.
    k = pki("rsa")
    srv, port = openssl_server(k, "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256")
    r = tessera_client(port, k, "--policy", "compat", "--groups", "x25519")
    stop(srv)
    R.check("client->openssl DHE with a server-chosen 2048-bit group",
            r.returncode == 0 and "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" in text(r),
            text(r)[-600:])
    # A 1024-bit custom DH group is refused (RFC 7919 5.1; policy min 2048 bits).
    dh = os.path.join(k.dir, "dh1024.pem")
    openssl("genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "dh_rfc5114:1", "-out", dh)
    srv, port = openssl_server(k, "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
                               "-dhparam", dh)
    r = tessera_client(port, k, "--policy", "compat", "--ciphers",
                       "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")
    stop(srv)
    R.check("client->openssl 1024-bit DH group refused",
            r.returncode != 0 and b"insufficient_security" in r.stderr and b"1024-bit" in r.stderr,
            text(r)[-600:])
    # RFC 8446 4.2.3: in TLS 1.2 the ecdsa_* schemes do not constrain the curve; a
    # P-384 server may sign its key exchange with ecdsa_secp256r1_sha256 (openssl does
    # when told to), and the client accepts it.
    k = pki("p384")
    srv, port = openssl_server(k, "-tls1_2", "-sigalgs", "ECDSA+SHA256")
    r = tessera_client(port, k, "--max-version", "1.2")
    stop(srv)
    R.check("client->openssl TLS 1.2, P-384 key signing with ecdsa_secp256r1_sha256",
            r.returncode == 0 and "version: TLS 1.2" in text(r) and
            "ecdsa_secp256r1_sha256" in text(r), text(r)[-600:])
    # TLS 1.3 offered but refused by policy: a TLS 1.3-only client against a 1.2 server.
    srv, port = openssl_server(pki("ec"), "-tls1_2")
    r = tessera_client(port, pki("ec"), "--min-version", "1.3")
    stop(srv)
    R.check("client(1.3 only)->openssl 1.2 server: protocol_version",
            r.returncode != 0 and b"protocol_version" in r.stderr, text(r)[-600:])


# --- openssl s_client -> tessera server, every suite ---------------------------
def openssl_client_vs_server():
    servers = {}
    try:
        for kind in ("ec", "rsa"):
            k = pki(kind)
            servers[kind] = tessera_server(k, "--policy", "compat")
            servers[kind + "-mtls"] = tessera_server(k, "--policy", "compat", client_ca=k.ca)
        for iana, ossl, kind, _ in SUITES:
            k = pki(kind)
            for mtls in (False, True):
                _, port = servers[kind + ("-mtls" if mtls else "")]
                extra = ["-tls1_2", "-cipher", ossl]
                if mtls:
                    extra += ["-cert", k.client, "-key", k.client_key]
                r = s_client(port, k, *extra)
                out = r.stdout.decode(errors="replace")
                R.check("openssl->server %s%s" % (iana, " mTLS" if mtls else ""),
                        r.returncode == 0 and "tessera: TLS connection established" in out and
                        iana in out and "TLS 1.2" in out and
                        (not mtls or "CN=tessera interop client" in out), text(r)[-800:])
        k = pki("ec")
        _, port = servers["ec-mtls"]
        r = s_client(port, k, "-tls1_2")
        R.check("openssl->server TLS 1.2 mTLS missing cert refused",
                "handshake failure" in r.stderr.decode(errors="replace") and
                b"tessera: TLS connection established" not in r.stdout, text(r)[-600:])
        _, port = servers["ec"]
        # RFC 7507: a client falling back to TLS 1.2 signals it; a 1.3 server refuses.
        r = s_client(port, k, "-tls1_2", "-fallback_scsv")
        R.check("openssl->server FALLBACK_SCSV refused with inappropriate_fallback",
                "inappropriate fallback" in r.stderr.decode(errors="replace") and
                b"tessera: TLS connection established" not in r.stdout, text(r)[-600:])
        # RFC 8446 4.1.3: our TLS 1.2 ServerHello carries the downgrade sentinel
        # ("DOWNGRD\x01"); openssl 3 as a 1.2+1.3 client would refuse such an
        # answer, so check that the default negotiation picks TLS 1.3.
        r = s_client(port, k)
        R.check("openssl->server default negotiates TLS 1.3",
                r.returncode == 0 and b"TLSv1.3" in r.stdout, text(r)[-600:])
    finally:
        for p, _ in servers.values():
            stop(p)
    # A TLS 1.2-only tessera server still answers TLS 1.2 clients, FALLBACK_SCSV included.
    k = pki("ec")
    srv, port = tessera_server(k, "--max-version", "1.2")
    r = s_client(port, k, "-tls1_2", "-fallback_scsv")
    stop(srv)
    R.check("openssl->server(1.2 only) FALLBACK_SCSV accepted",
            r.returncode == 0 and b"tessera: TLS connection established" in r.stdout,
            text(r)[-600:])
    # A TLS 1.3-only tessera server refuses a TLS 1.2 client.
    srv, port = tessera_server(k, "--policy", "strict")
    r = s_client(port, k, "-tls1_2")
    stop(srv)
    R.check("openssl->server(strict) TLS 1.2 client refused with protocol_version",
            "protocol version" in r.stderr.decode(errors="replace"), text(r)[-600:])


# --- gnutls -------------------------------------------------------------------
GNUTLS_KX = {
    "ec": ["ECDHE-ECDSA"],
    "rsa": ["ECDHE-RSA", "DHE-RSA", "RSA"],
}


def gnutls_both_ways():
    if not HAVE_GNUTLS:
        R.skip("gnutls TLS 1.2", "gnutls-bin not installed")
        return
    for kind, kxs in GNUTLS_KX.items():
        k = pki(kind)
        srv, port = tessera_server(k, "--policy", "compat", echo=True)
        try:
            for kx in kxs:
                for cipher in ("AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"):
                    if kx == "RSA" and cipher == "CHACHA20-POLY1305":
                        continue  # no such suite
                    prio = ("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+%s:-CIPHER-ALL:+%s" %
                            (kx, cipher))
                    r = run(["gnutls-cli", "--port", str(port), "--x509cafile", k.ca,
                             "--priority", prio, "localhost"], input=b"hello gnutls 1.2\n",
                            timeout=15)
                    R.check("gnutls->server TLS 1.2 %s %s" % (kx, cipher),
                            r.returncode == 0 and b"hello gnutls 1.2" in r.stdout and
                            b"TLS1.2" in r.stdout, text(r)[-600:])
        finally:
            stop(srv)
        # tessera client -> gnutls-serv, every suite
        for kx in kxs:
            for cipher in ("AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"):
                if kx == "RSA" and cipher == "CHACHA20-POLY1305":
                    continue
                port = free_port()
                prio = ("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+%s:-CIPHER-ALL:+%s" %
                        (kx, cipher))
                srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", k.server,
                             "--x509keyfile", k.server_key, "--priority", prio, "--echo"])
                if not wait_port(port, proc=srv):
                    R.check("client->gnutls TLS 1.2 %s %s start" % (kx, cipher), False,
                            stop(srv)[1][-400:])
                    continue
                r = tessera_client(port, k, "--policy", "compat", data=b"ping gnutls 1.2\n")
                stop(srv)
                want = cipher.replace("AES-128-GCM", "AES_128_GCM").replace(
                    "AES-256-GCM", "AES_256_GCM").replace("CHACHA20-POLY1305", "CHACHA20_POLY1305")
                R.check("client->gnutls TLS 1.2 %s %s" % (kx, cipher),
                        r.returncode == 0 and b"ping gnutls 1.2" in r.stdout and
                        "version: TLS 1.2" in text(r) and want in text(r), text(r)[-600:])
    k = pki("ec")
    # mTLS 1.2 with gnutls on both sides.
    srv, port = tessera_server(k, client_ca=k.ca, echo=True)
    r = run(["gnutls-cli", "--port", str(port), "--x509cafile", k.ca, "--x509certfile", k.client,
             "--x509keyfile", k.client_key, "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2",
             "localhost"], input=b"mtls gnutls 1.2\n", timeout=15)
    R.check("gnutls->server TLS 1.2 mTLS", r.returncode == 0 and b"mtls gnutls 1.2" in r.stdout,
            text(r)[-600:])
    # Renegotiation is refused (RFC 5746 signalled, but we never renegotiate).
    r = run(["gnutls-cli", "--port", str(port), "--x509cafile", k.ca, "--x509certfile", k.client,
             "--x509keyfile", k.client_key, "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2",
             "--rehandshake", "localhost"], input=b"", timeout=15)
    R.check("gnutls->server TLS 1.2 renegotiation refused",
            "ReHandshake has failed" in text(r) and "No renegotiation is allowed" in text(r),
            text(r)[-600:])
    stop(srv)
    port = free_port()
    srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", k.server, "--x509keyfile",
                 k.server_key, "--x509cafile", k.ca, "--require-client-cert",
                 "--verify-client-cert", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2", "--echo"])
    if wait_port(port, proc=srv):
        r = tessera_client(port, k, cert=k.client, key=k.client_key, data=b"mtls 1.2 ping\n")
        R.check("client->gnutls TLS 1.2 mTLS", r.returncode == 0 and b"mtls 1.2 ping" in r.stdout,
                text(r)[-600:])
    else:
        R.check("client->gnutls TLS 1.2 mTLS: gnutls-serv starts", False, stop(srv)[1][-400:])
    stop(srv)
    # RFC 7627: a server without the extended master secret is refused by the
    # default policy and accepted by compat.
    port = free_port()
    srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", k.server, "--x509keyfile",
                 k.server_key, "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH",
                 "--echo"])
    if wait_port(port, proc=srv):
        r = tessera_client(port, k, data=b"x\n")
        R.check("client->gnutls without EMS refused by default policy",
                r.returncode != 0 and b"extended master secret" in r.stderr, text(r)[-600:])
        r = tessera_client(port, k, "--policy", "compat", data=b"ems-less\n")
        R.check("client->gnutls without EMS accepted by compat",
                r.returncode == 0 and b"ems-less" in r.stdout and
                "extended master secret: no" in text(r), text(r)[-600:])
    else:
        R.check("client->gnutls without EMS: gnutls-serv starts", False, stop(srv)[1][-400:])
    stop(srv)


# --- curl and Python ssl ------------------------------------------------------
def curl_and_python():
    k = pki("ec")
    if HAVE_CURL:
        srv, port = tessera_server(k, "--alpn", "http/1.1")
        r = run(["curl", "-sS", "--max-time", "10", "--tlsv1.2", "--tls-max", "1.2", "--cacert",
                 k.ca, "https://localhost:%d/" % port, "--resolve",
                 "localhost:%d:127.0.0.1" % port], timeout=15)
        out = r.stdout.decode(errors="replace")
        R.check("curl->server TLS 1.2", r.returncode == 0 and "TLS 1.2" in out and
                "http/1.1" in out, text(r)[-600:])
        stop(srv)
    else:
        R.skip("curl->server TLS 1.2", "curl not installed")
    # Python ssl client (TLS 1.2 max) -> tessera server, echo 100 KB.
    srv, port = tessera_server(k, echo=True)
    ctx = ssl.create_default_context(cafile=k.ca)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
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
                ok = got == payload and s.version() == "TLSv1.2"
                detail = "%s %s %d bytes" % (s.version(), s.cipher(), len(got))
    except Exception as e:  # noqa: BLE001
        detail = repr(e)
    R.check("python ssl->server TLS 1.2 echo 100 KB", ok, detail)
    stop(srv)
    # tessera client -> Python ssl server (TLS 1.2 only), in a thread.
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.maximum_version = ssl.TLSVersion.TLSv1_2
    sctx.load_cert_chain(k.server, k.server_key)
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(15)
    port = lsock.getsockname()[1]
    seen = {}

    def serve():
        try:
            conn, _ = lsock.accept()
            with sctx.wrap_socket(conn, server_side=True) as s:
                data = s.recv(1024)
                seen["version"] = s.version()
                s.sendall(b"python says: " + data)
                s.unwrap()  # close_notify both ways, so the socket closes cleanly
        except Exception as e:  # noqa: BLE001
            seen["error"] = repr(e)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    r = tessera_client(port, k, data=b"hi python\n")
    t.join(15)
    lsock.close()
    R.check("client->python ssl server TLS 1.2",
            r.returncode == 0 and b"python says: hi python" in r.stdout and
            seen.get("version") == "TLSv1.2", str(seen) + " " + text(r)[-600:])


# --- keying material exporter (RFC 5705) and RFC 7627 5.4 -----------------------
EXPORT_LABEL = "EXPORTER-tessera-interop"


def no_ems_env(k):
    """An OPENSSL_CONF that turns the extended master secret off: openssl 3.0's
    s_server and s_client have no -no_ems switch, but SSL_CONF has
    'Options = -ExtendedMasterSecret' (SSL_OP_NO_EXTENDED_MASTER_SECRET)."""
    cnf = os.path.join(k.dir, "no-ems.cnf")
    with open(cnf, "w") as f:
        f.write("openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
                "[ssl_sect]\nsystem_default = system_default_sect\n"
                "[system_default_sect]\nOptions = -ExtendedMasterSecret\n")
    return dict(os.environ, OPENSSL_CONF=cnf)


def exporter_tls12():
    k = pki("ec")
    # tessera client -> openssl s_server -tls1_2 (no -www: s_server prints the
    # exported value only in its interactive mode); the SHA-256 and SHA-384 PRFs.
    for iana, ossl in [("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                        "ECDHE-ECDSA-AES128-GCM-SHA256"),
                       ("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                        "ECDHE-ECDSA-AES256-GCM-SHA384")]:
        srv, port = openssl_server(k, "-tls1_2", "-cipher", ossl, "-keymatexport", EXPORT_LABEL,
                                   "-keymatexportlen", "20", www=False)
        try:
            r = tessera_client(port, k, "--max-version", "1.2", "--ciphers", iana,
                               "--export-label", EXPORT_LABEL, "--export-length", "20",
                               data=b"exporter 1.2 ping\n")
        finally:
            sout, _ = stop(srv)
        ours = tessera_exported(text(r), EXPORT_LABEL, 20)
        theirs = openssl_exported(sout, EXPORT_LABEL, 20)
        R.check("exporter: client->openssl TLS 1.2 %s 20 bytes" % iana,
                r.returncode == 0 and "version: TLS 1.2" in text(r) and
                "exporter 1.2 ping" in sout and same_hex(ours, theirs, 20),
                "tessera %s, openssl %s; %s" % (ours, theirs, text(r)[-600:]))
    # openssl s_client -tls1_2 -> tessera server (page mode)
    srv, port = tessera_server(k, "--export-label", EXPORT_LABEL)
    try:
        r = s_client(port, k, "-tls1_2", "-keymatexport", EXPORT_LABEL, "-keymatexportlen", "32")
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
    R.check("exporter: openssl->server TLS 1.2 page row and stderr line",
            r.returncode == 0 and "TLS 1.2" in out and same_hex(page, theirs, 32) and
            same_hex(logged, theirs, 32),
            "page %s, stderr %s, openssl %s; %s" % (page, logged, theirs, text(r)[-600:]))
    if not HAVE_GNUTLS:
        R.skip("exporter gnutls TLS 1.2", "gnutls-bin not installed")
        return
    prio = "NORMAL:-VERS-ALL:+VERS-TLS1.2"
    port = free_port()
    srv = start(["gnutls-serv", "--port", str(port), "--x509certfile", k.server, "--x509keyfile",
                 k.server_key, "--priority", prio, "--echo", "--keymatexport=" + EXPORT_LABEL,
                 "--keymatexportsize=20"])
    try:
        if not wait_port(port, proc=srv):
            raise RuntimeError("gnutls-serv did not start")
        r = tessera_client(port, k, "--export-label", EXPORT_LABEL, "--export-length", "20",
                           data=b"exporter gnutls 1.2\n")
    finally:
        sout, _ = stop(srv)
    ours, theirs = tessera_exported(text(r), EXPORT_LABEL, 20), gnutls_exported(sout)
    R.check("exporter: client->gnutls TLS 1.2 20 bytes",
            r.returncode == 0 and "version: TLS 1.2" in text(r) and
            b"exporter gnutls 1.2" in r.stdout and same_hex(ours, theirs, 20),
            "tessera %s, gnutls %s; %s" % (ours, theirs, (text(r) + sout)[-600:]))
    srv, port = tessera_server(k, "--export-label", EXPORT_LABEL, echo=True)
    try:
        r = run(["gnutls-cli", "--port", str(port), "--x509cafile", k.ca, "--priority", prio,
                 "--keymatexport=" + EXPORT_LABEL, "--keymatexportsize=32", "localhost"],
                input=b"exporter from gnutls 1.2\n", timeout=15)
    finally:
        _, serr = stop(srv)
    ours, theirs = tessera_exported(serr, EXPORT_LABEL, 32), gnutls_exported(text(r))
    R.check("exporter: gnutls->server TLS 1.2 32 bytes",
            r.returncode == 0 and b"TLS1.2" in r.stdout and b"exporter from gnutls 1.2" in r.stdout
            and same_hex(ours, theirs, 32),
            "tessera %s, gnutls %s; %s" % (ours, theirs, (text(r) + serr)[-600:]))


def exporter_tls12_without_ems():
    """RFC 7627 5.4: no export from a TLS 1.2 connection without the extended
    master secret. The compat policy accepts the connection; the export fails."""
    k = pki("ec")
    env = no_ems_env(k)
    srv, port = openssl_server(k, "-tls1_2", "-keymatexport", EXPORT_LABEL, www=False, env=env)
    try:
        r = tessera_client(port, k, "--policy", "compat", "--max-version", "1.2",
                           "--export-label", EXPORT_LABEL, data=b"ems-less export\n")
    finally:
        sout, _ = stop(srv)
    line = next((ln for ln in text(r).splitlines() if ln.startswith("keying material export")),
                "")
    R.check("exporter: client->openssl TLS 1.2 without EMS: handshake ok, export refused",
            r.returncode == 0 and "version: TLS 1.2" in text(r) and
            "extended master secret: no" in text(r) and "ems-less export" in sout and
            line.startswith("keying material export failed: insufficient_security") and
            "RFC 7627" in line and "exported keying material" not in text(r),
            text(r)[-800:])
    # openssl s_client without EMS -> tessera server (compat, page mode)
    srv, port = tessera_server(k, "--policy", "compat", "--export-label", EXPORT_LABEL)
    try:
        r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile", k.ca,
                 "-verify_return_error", "-servername", "localhost", "-tls1_2", "-ign_eof"],
                input=b"GET / HTTP/1.0\r\n\r\n", timeout=15, env=env)
    finally:
        _, serr = stop(srv)
    out = r.stdout.decode(errors="replace")
    m = re.search(r"<tr><th>Keying material</th><td>(keying material export failed: [^<]*)</td>",
                  out)
    row = m.group(1) if m else ""
    R.check("exporter: openssl->server TLS 1.2 without EMS: handshake ok, export refused",
            r.returncode == 0 and "Extended master secret: no" in out and
            "<tr><th>Extended master secret</th><td>no</td></tr>" in out and
            row.startswith("keying material export failed: insufficient_security") and
            "RFC 7627" in row and "server: 127.0.0.1: keying material export failed: "
            "insufficient_security" in serr and "exported keying material" not in out + serr,
            (out + serr)[-800:])


if __name__ == "__main__":
    for t in [client_vs_openssl, openssl_client_vs_server, gnutls_both_ways, curl_and_python,
              exporter_tls12, exporter_tls12_without_ems]:
        try:
            t()
        except Exception as e:  # noqa: BLE001
            R.check(t.__name__, False, repr(e))
    R.finish()

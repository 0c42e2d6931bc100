#!/usr/bin/env python3
"""CLI tests of Encrypted Client Hello (draft-ietf-tls-esni-25): `tessera ech
keygen` / `tessera ech show`, `tessera server --ech-key` and `tessera client
--ech-config [--ech-retry]`.

Usage: test_ech.py /path/to/tessera

- keygen writes a key file (mode 0600, never over an existing file) and
  prints the ECHConfigList in base64 and a line describing the config;
  `ech show` reads the key file (public parts only), the base64 text, a file
  holding the base64 and a PEM ECHCONFIG block, and says whether tessera can
  use each config;
- bad inputs give a clear error and a non-zero exit status, never a crash:
  garbage base64, text that is neither a file nor base64, a missing file, a
  key file whose ECHCONFIG is another key's (ech show, server --ech-key,
  client --ech-config), a list of an unsupported version only, an IP address
  as public name, two keys with one config id, --ech-key with a TLS 1.2-only
  policy or without a certificate, --ech-retry without --ech-config;
- a server with --ech-key and certificates for both names (server-ec.pem for
  localhost, server-other.pem for the public name other.example) and a client
  with --ech-config for localhost: accepted, the client says the outer
  ClientHello named other.example, the server's log says accepted with SNI
  localhost, and its page says so too; a client without ECH gets "not
  offered"; --reconnect resumes inside ECH;
- a client with the config of another key: ech_required, the server's retry
  configs printed in base64 with the --ech-config hint, which then works; the
  server's log says refused, SNI other.example; with --ech-retry the second
  connection succeeds; a server that refuses its own retry configs (two
  servers with different keys behind one port, through a proxy here) is not
  retried a second time; a server without ECH sends no retry configs and is
  not retried.

No external TLS implementation on this machine supports ECH (Debian 12's
OpenSSL 3.0 s_client/s_server and GnuTLS 3.7 gnutls-cli have no ECH options,
nor has curl 7.88 or Python's ssl), so ECH is only tested tessera to tessera.

Everything on 127.0.0.1, free ports, bounded in time; prints one line per
check and "N passed, M failed, K skipped" last.
"""
import base64
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from tlspeers import Results, free_port, run, start, stop, wait_port  # noqa: E402
from tlspeers import out_of  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
PKI = os.path.join(HERE, "..", "vectors", "pki")
CA = os.path.join(PKI, "ca.pem")
CERTS = ["--cert", os.path.join(PKI, "server-ec.pem"), "--key", os.path.join(PKI, "server-ec.key"),
         "--cert", os.path.join(PKI, "server-other.pem"), "--key",
         os.path.join(PKI, "server-other.key")]
REQUEST = b"GET / HTTP/1.0\r\n\r\n"
R = Results()


def tessera(*args, timeout=30, data=b""):
    return run([TESSERA, *args], input=data, timeout=timeout)


def no_crash(r):
    """Exited by itself (no signal, no timeout)."""
    return r.returncode >= 0


def server(*extra):
    port = free_port()
    p = start([TESSERA, "server", "--port", str(port), "--idle-timeout", "2", *extra])
    if not wait_port(port, proc=p):
        raise RuntimeError("tessera server did not start: " + "".join(stop(p)))
    return p, port


def client(port, *extra, data=REQUEST, servername="localhost"):
    return tessera("client", "127.0.0.1:%d" % port, "--ca", CA, "--servername", servername,
                   "--timeout", "10", *extra, data=data)


def keygen(path, name="other.example", *extra):
    r = tessera("ech", "keygen", "--public-name", name, "--out", path, *extra)
    lines = r.stdout.decode(errors="replace").splitlines()
    return r, (lines[0] if lines else ""), (lines[1] if len(lines) > 1 else "")


def field(text, name):
    m = re.search(r"^\s*%s:\s*(.*)$" % re.escape(name), text, re.M)
    return m.group(1).strip() if m else None


def retry_configs_of(text):
    """The base64 line after the client's 'retry configs' line, or None."""
    m = re.search(r"the server's retry configs \(ECHConfigList, base64[^\n]*\n([A-Za-z0-9+/=]+)\n",
                  text)
    return m.group(1) if m else None


class Alternating:
    """A loopback TCP proxy on a free port sending each new connection to the
    next of `backends` in turn (a pool of servers whose ECH keys differ)."""

    def __init__(self, backends):
        self.backends = backends
        self.n = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _pipe(self, a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _serve(self):
        while not self.done.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            port = self.backends[self.n % len(self.backends)]
            self.n += 1
            try:
                b = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                c.close()
                continue
            c.settimeout(15)
            b.settimeout(15)
            for x, y in ((c, b), (b, c)):
                threading.Thread(target=self._pipe, args=(x, y), daemon=True).start()

    def close(self):
        self.done.set()
        self.thread.join(2)
        self.sock.close()


def test_keygen_and_show(d):
    key = os.path.join(d, "k42.pem")
    r, b64, desc = keygen(key, "other.example", "--config-id", "42")
    R.check("keygen: exit 0, base64 then a description on stdout",
            r.returncode == 0 and re.fullmatch(r"[A-Za-z0-9+/]+=*", b64) is not None and
            desc == "config 42, public name other.example, DHKEM(X25519, HKDF-SHA256), suites "
            "HKDF-SHA256 + AES-128-GCM, HKDF-SHA256 + ChaCha20Poly1305, maximum_name_length 0",
            out_of(r))
    mode = stat.S_IMODE(os.stat(key).st_mode) if os.path.exists(key) else None
    with open(key) as f:
        pem = f.read()
    R.check("keygen: the key file has mode 0600 and holds PRIVATE KEY and ECHCONFIG blocks",
            mode == 0o600 and "-----BEGIN PRIVATE KEY-----" in pem and
            "-----BEGIN ECHCONFIG-----" in pem, "mode %s\n%s" % (oct(mode or 0), out_of(r)))
    again, _, _ = keygen(key)
    with open(key) as f:
        unchanged = f.read() == pem
    R.check("keygen: an existing file is not overwritten",
            again.returncode == 1 and "already exists: not overwritten" in out_of(again) and
            unchanged, out_of(again))

    shown = tessera("ech", "show", key)
    out = out_of(shown)
    R.check("ech show KEYFILE: every field of the config, only the public parts",
            shown.returncode == 0 and field(out, "base64") == b64 and
            field(out, "version") == "0xfe0d (draft-ietf-tls-esni-25)" and
            field(out, "config id") == "42" and
            field(out, "KEM") == "DHKEM(X25519, HKDF-SHA256) (0x0020)" and
            "HKDF-SHA256 + AES-128-GCM (0x0001/0x0001)" in (field(out, "cipher suites") or "") and
            "HKDF-SHA256 + ChaCha20Poly1305" in (field(out, "cipher suites") or "") and
            (field(out, "maximum_name_length") or "").startswith("0") and
            field(out, "public_name") == "other.example" and field(out, "extensions") == "none"
            and (field(out, "usable by tessera") or "").startswith("yes") and
            "private key: X25519, matching the config's public key (not shown)" in out and
            "PRIVATE KEY-----" not in out, out)
    pub = field(out, "public key")
    from_b64 = tessera("ech", "show", b64)
    R.check("ech show BASE64: the same config as the key file's",
            from_b64.returncode == 0 and field(out_of(from_b64), "public key") == pub and
            field(out_of(from_b64), "config id") == "42" and
            "ECHConfigList from the base64 text: 1 config" in out_of(from_b64), out_of(from_b64))
    b64_file = os.path.join(d, "list.b64")
    with open(b64_file, "w") as f:
        f.write('ech="%s"\n' % b64)  # as a zone file or dig shows it
    pem_file = os.path.join(d, "list.pem")
    with open(pem_file, "w") as f:
        f.write(pem[pem.index("-----BEGIN ECHCONFIG-----"):])
    for path, what in ((b64_file, "base64"), (pem_file, "a PEM ECHCONFIG block")):
        r = tessera("ech", "show", path)
        R.check("ech show FILE holding %s" % what,
                r.returncode == 0 and field(out_of(r), "public key") == pub, out_of(r))

    r, _, desc = keygen(os.path.join(d, "random-id.pem"), "public.example",
                        "--max-name-length", "64")
    R.check("keygen: a random config id by default, --max-name-length",
            r.returncode == 0 and re.match(r"config \d{1,3}, public name public\.example, ", desc)
            is not None and desc.endswith("maximum_name_length 64"), out_of(r))
    r, _, _ = keygen(os.path.join(d, "ip.pem"), "192.0.2.1")
    R.check("keygen: an IP address as public name is refused",
            r.returncode == 1 and "reads as an IPv4 address" in out_of(r) and
            not os.path.exists(os.path.join(d, "ip.pem")), out_of(r))
    r, _, _ = keygen(os.path.join(d, "id.pem"), "other.example", "--config-id", "256")
    R.check("keygen: --config-id 256 is a usage error", r.returncode == 2, out_of(r))
    return key, b64


def test_bad_inputs(d, key):
    other_key = os.path.join(d, "k43.pem")
    keygen(other_key, "other.example", "--config-id", "43")
    with open(key) as f:
        mine = f.read()
    with open(other_key) as f:
        theirs = f.read()
    mismatched = os.path.join(d, "mismatched.pem")
    with open(mismatched, "w") as f:
        f.write(mine[:mine.index("-----BEGIN ECHCONFIG-----")] +
                theirs[theirs.index("-----BEGIN ECHCONFIG-----"):])
    os.chmod(mismatched, 0o600)
    garbage = base64.b64encode(b"not an ECH config list").decode()
    unsupported = base64.b64encode(bytes([0, 8, 0xfe, 0x0c, 0, 4, 1, 2, 3, 4])).decode()
    cases = [
        (("ech", "show", garbage), 1, "does not hold an ECHConfigList: ECHConfigList:",
         "ech show: base64 that is not an ECHConfigList"),
        (("ech", "show", "%%not-base64%%"), 1, "is neither a file nor base64 text",
         "ech show: neither a file nor base64"),
        (("ech", "show", os.path.join(d, "missing.pem")), 1, "No such file or directory",
         "ech show: a missing file"),
        (("ech", "show", mismatched), 1,
         "ECH key file: the ECHConfig's public key is not the private key's",
         "ech show: a key file with another key's config"),
        (("ech", "show", unsupported), 1, "0xfe0c (not a version tessera supports",
         "ech show: a list of an unsupported version only"),
        (("server", "--port", str(free_port()), *CERTS, "--ech-key", mismatched), 1,
         "loading --ech-key: config_invalid: %s: ECH key file: the ECHConfig's public key is not "
         "the private key's" % mismatched,
         "server --ech-key: a key file with another key's config"),
        (("server", "--port", str(free_port()), *CERTS, "--ech-key", key, "--ech-key", key), 1,
         "have the same config id 42", "server: two --ech-key with one config id"),
        (("server", "--port", str(free_port()), *CERTS, "--ech-key", key, "--max-version", "1.2"),
         2, "--ech-key needs TLS 1.3", "server: --ech-key with a TLS 1.2-only policy"),
        (("server", "--port", str(free_port()), "--psk-file", os.path.join(d, "x.psk"),
          "--ech-key", key), 2, "--ech-key needs --cert/--key", "server: --ech-key without a "
         "certificate"),
        (("client", "127.0.0.1:1", "--ech-config", garbage), 1,
         "loading --ech-config: config_invalid: the base64 text does not hold an ECHConfigList",
         "client: --ech-config garbage"),
        (("client", "127.0.0.1:1", "--ech-config", mismatched), 1,
         "ECH key file: the ECHConfig's public key is not the private key's",
         "client: --ech-config a key file with another key's config"),
        (("client", "127.0.0.1:1", "--ech-config", unsupported), 1,
         "config_invalid: no usable ECHConfig in the list", "client: --ech-config of an "
         "unsupported version only"),
        (("client", "127.0.0.1:1", "--ech-config", key, "--max-version", "1.2"), 1,
         "config_invalid: Encrypted Client Hello needs TLS 1.3",
         "client: --ech-config with a TLS 1.2-only policy"),
        (("client", "127.0.0.1:1", "--ech-retry"), 2, "--ech-retry needs --ech-config",
         "client: --ech-retry without --ech-config"),
    ]
    with open(os.path.join(d, "x.psk"), "w") as f:
        f.write("device:%s\n" % os.urandom(32).hex())
    for args, rc, says, what in cases:
        r = tessera(*args, timeout=15)
        R.check(what + ": a clear error, exit %d" % rc,
                no_crash(r) and r.returncode == rc and says in out_of(r) and
                "PRIVATE KEY" not in out_of(r), "rc=%d\n%s" % (r.returncode, out_of(r)))


def test_handshakes(d, key, b64):
    stale = os.path.join(d, "stale.pem")
    keygen(stale, "other.example", "--config-id", "42")  # same id, another key
    srv, port = server(*CERTS, "--ech-key", key)
    try:
        ok = client(port, "--ech-config", b64)
        plain = client(port)
        refused = client(port, "--ech-config", stale)
        hinted = retry_configs_of(out_of(refused))
        again = client(port, "--ech-config", hinted) if hinted else None
        retried = client(port, "--ech-config", stale, "--ech-retry")
        reconnect = client(port, "--ech-config", key, "--reconnect", "1")
        grease = client(port, "--ech-grease")
        both = client(port, "--ech-grease", "--ech-config", b64)
    finally:
        _, err = stop(srv)
    out = out_of(ok)
    R.check("server log: listening with the ECH key",
            "ECH: config 42 for other.example)" in err, err)
    R.check("--ech-config BASE64 to localhost: accepted, the outer ClientHello named the public "
            "name, the origin's certificate",
            ok.returncode == 0 and "ECH: accepted (outer ClientHello named other.example)" in out
            and "peer certificate: CN=localhost" in out and "SNI: localhost" in out, out)
    R.check("the server's page says ECH was accepted, with SNI localhost",
            "<th>SNI</th><td>localhost</td>" in ok.stdout.decode(errors="replace") and
            "<th>Encrypted Client Hello</th><td>accepted" in ok.stdout.decode(errors="replace"),
            ok.stdout.decode(errors="replace"))
    R.check("the server's log says accepted, SNI localhost",
            "ECH accepted: SNI localhost (from the encrypted ClientHello)" in err, err)
    R.check("a client without ECH: the page says not offered, the client's summary has no ECH line",
            plain.returncode == 0 and
            "<th>Encrypted Client Hello</th><td>not offered</td>" in plain.stdout.decode() and
            "ECH:" not in plain.stderr.decode(), out_of(plain))
    out = out_of(refused)
    R.check("a config of another key: ech_required, exit 1, nothing relayed",
            refused.returncode == 1 and "handshake failed: ech_required:" in out and
            "authenticated as other.example" in out and b"<html>" not in refused.stdout, out)
    R.check("... the server's retry configs printed in base64 (the server key's list), with the "
            "--ech-config hint",
            hinted == b64 and "retry on a new connection with --ech-config %s" % b64 in out and
            "config 42, public name other.example" in out, out)
    R.check("the server's log says refused, SNI other.example",
            re.search(r"ECH refused: none of our keys opens[^\n]*SNI other\.example", err)
            is not None and "peer sent alert ech_required" in err, err)
    R.check("the printed retry configs work on a new connection",
            again is not None and again.returncode == 0 and
            "ECH: accepted (outer ClientHello named other.example)" in out_of(again),
            out_of(again) if again else "no retry configs printed")
    out = out_of(retried)
    R.check("--ech-retry: refused, then accepted on the second connection",
            retried.returncode == 0 and out.count("handshake failed: ech_required") == 1 and
            "connecting again with the server's retry configs (once)" in out and
            "ECH: accepted (outer ClientHello named other.example)" in out and
            "peer certificate: CN=localhost" in out and b"<html>" in retried.stdout, out)
    out = out_of(reconnect)
    R.check("--ech-config KEYFILE --reconnect 1: both accepted, the second resumed inside ECH",
            reconnect.returncode == 0 and
            out.count("ECH: accepted (outer ClientHello named other.example)") == 2 and
            "resumed: yes" in out, out)

    out = out_of(grease)
    R.check("--ech-grease: the server cannot open it and sends its configs, which the client "
            "drops; the handshake goes on with SNI localhost",
            grease.returncode == 0 and
            "ECH: GREASE only (a random encrypted_client_hello; nothing was encrypted)" in out and
            "peer certificate: CN=localhost" in out and "retry configs" not in out and
            b"<html>" in grease.stdout and
            re.search(r"ECH refused: none of our keys opens[^\n]*GREASE[^\n]*SNI localhost", err)
            is not None, out + err)
    R.check("--ech-grease with --ech-config is a usage error",
            both.returncode == 2 and "--ech-grease stands in for ECH without a config" in
            out_of(both), out_of(both))

    # Two servers with different keys behind one port: the first refuses the
    # stale config and sends its own; the second refuses those too. The
    # client retries once only.
    other = os.path.join(d, "k7.pem")
    keygen(other, "other.example", "--config-id", "7")
    a, port_a = server(*CERTS, "--ech-key", key)
    b, port_b = server(*CERTS, "--ech-key", other)
    proxy = Alternating([port_a, port_b])
    try:
        twice = client(proxy.port, "--ech-config", stale, "--ech-retry")
    finally:
        proxy.close()
        stop(a)
        stop(b)
    out = out_of(twice)
    R.check("--ech-retry against servers that refuse their own retry configs: no second retry",
            twice.returncode == 1 and out.count("handshake failed: ech_required") == 2 and
            out.count("connecting again") == 1 and "not retrying again" in out, out)

    # A server without ECH: no retry configs, nothing to retry with.
    srv, port = server(*CERTS)
    try:
        none = client(port, "--ech-config", b64, "--ech-retry")
    finally:
        stop(srv)
    out = out_of(none)
    R.check("a server without ECH: ech_required, no retry configs, no retry",
            none.returncode == 1 and "sent no retry configs" in out and
            "connecting again" not in out, out)


def main():
    d = tempfile.mkdtemp(prefix="tessera-ech-")
    try:
        key, b64 = test_keygen_and_show(d)
        test_bad_inputs(d, key)
        test_handshakes(d, key, b64)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    R.finish()


main()

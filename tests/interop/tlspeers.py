"""Shared helpers for tessera's interop tests.

Everything runs on loopback (127.0.0.1 / ::1) on free ports; every process is
started in its own session, bounded in time, and killed (with its children) when
the test ends, so no process is left behind.
"""
import atexit
import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

_procs = []


def _cleanup():
    for p in _procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


atexit.register(_cleanup)
for _sig in (signal.SIGTERM, signal.SIGINT):
    signal.signal(_sig, lambda *a: (_cleanup(), sys.exit(1)))


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


_rng = random.Random(os.getpid() ^ int(time.time() * 1000))


def free_port(family=socket.AF_INET):
    """A port nothing listens on, for a peer about to be started.

    Chosen at random below the kernel's ephemeral range: a port the kernel
    hands out (bind to port 0) can be handed out again, to the source port of
    any outgoing connection (this test's or a parallel one's), before the
    peer binds it; ports below the range are only ever taken explicitly. A
    random pick per process makes two parallel tests unlikely to choose the
    same one, and the bind check skips ports already in use."""
    low, _ = _ephemeral_range()
    lo, hi = 20000, max(20001, low - 1)
    host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    for _ in range(200):
        port = _rng.randint(lo, hi)
        with socket.socket(family, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# Peers that cannot be told which address to listen on bind the wildcard
# address; they run with tests/interop/loopback_bind.cc preloaded, which
# makes that address loopback (CMake passes its path in this variable).
_WILDCARD_LISTENERS = ("gnutls-serv",)


def _loopback_env(cmd, env):
    if os.path.basename(cmd[0]) not in _WILDCARD_LISTENERS:
        return env
    shim = os.environ.get("TESSERA_LOOPBACK_BIND")
    if not shim or not os.path.exists(shim):
        raise RuntimeError("%s needs TESSERA_LOOPBACK_BIND (the loopback_bind library, set by "
                           "ctest) to stay on loopback; run the test through ctest" % cmd[0])
    env = dict(os.environ if env is None else env)
    env["LD_PRELOAD"] = shim + (" " + env["LD_PRELOAD"] if env.get("LD_PRELOAD") else "")
    return env


def start(cmd, **kw):
    """Starts a background process in its own session; output goes to pipes."""
    kw["env"] = _loopback_env(cmd, kw.get("env"))
    p = subprocess.Popen(cmd, stdin=kw.pop("stdin", subprocess.PIPE), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True, **kw)
    _procs.append(p)
    return p


def stop(p, timeout=5):
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    out, err = p.communicate()
    err = getattr(p, "stderr_so_far", b"") + err
    return out.decode(errors="replace"), err.decode(errors="replace")


def wait_stderr(p, needle, timeout=5):
    """Reads a process's stderr until it holds needle (bounded): a server
    reports a peer's failure after sending the alert the peer reacts to, so
    a test that stops it at once can lose the line. What was read is kept
    for stop(). Returns whether needle appeared."""
    buf = getattr(p, "stderr_so_far", b"")
    want = needle.encode()
    deadline = time.monotonic() + timeout
    fd = p.stderr.fileno()
    while want not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
    p.stderr_so_far = buf
    return want in buf


def out_of(r):
    """A finished process's stdout and stderr, as text."""
    return r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")


def run(cmd, input=None, timeout=20, **kw):
    """Runs a command to completion (bounded); returns CompletedProcess."""
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True, **kw)
    _procs.append(p)
    try:
        out, err = p.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return subprocess.CompletedProcess(cmd, -9, out, err + b"\n[timed out]")
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def against_s_server(server_args, client):
    """Starts `openssl s_server -accept 127.0.0.1:PORT -naccept 2 *server_args` on
    a free port (wait_port uses up one of the accepts), runs client(port), and
    stops s_server. Returns (client's result, s_server's stdout + stderr); the
    result is None if s_server did not start.

    s_server exits by itself once it has finished the client's connection (its
    second accept); it is given up to 5 s for that, so that what it logs about
    the client's last records (an alert, say) is read before it is stopped."""
    port = free_port()
    s = start(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-naccept", "2",
               *server_args])
    try:
        if not wait_port(port, proc=s):
            return None, "".join(stop(s))
        r = client(port)
        try:
            s.wait(5)
        except subprocess.TimeoutExpired:
            pass
    finally:
        out, err = stop(s)
    return r, out + err


def listening_addresses(port):
    """The local addresses of the TCP sockets listening on `port` (from /proc/net)."""
    found = []
    for name, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            with open(name) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: TCP_LISTEN
                continue
            # /proc/net prints each 32-bit word of the address in host order.
            raw = bytes.fromhex(addr_hex)
            words = [raw[i:i + 4][::-1] if sys.byteorder == "little" else raw[i:i + 4]
                     for i in range(0, size, 4)]
            family = socket.AF_INET if size == 4 else socket.AF_INET6
            found.append(socket.inet_ntop(family, b"".join(words)))
    return found


def check_loopback_only(port):
    """Raises unless every socket listening on `port` is on 127.0.0.1 or ::1."""
    addrs = listening_addresses(port)
    outside = [a for a in addrs if a not in ("127.0.0.1", "::1")]
    if outside:
        raise RuntimeError("a test peer listens on %s port %d: tests stay on loopback"
                           % (", ".join(outside), port))


def wait_port(port, host="127.0.0.1", timeout=10, proc=None):
    """Waits until `port` accepts connections; then checks that whatever
    listens on it does so on loopback only."""
    deadline = time.time() + timeout
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.socket(fam, socket.SOCK_STREAM) as s:
                s.settimeout(0.5)
                s.connect((host, port))
        except OSError:
            time.sleep(0.05)
            continue
        check_loopback_only(port)
        return True
    return False


def openssl(*args, timeout=30):
    r = run(["openssl", *args], timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), r.stderr.decode()))
    return r


class Pki:
    """A test PKI made with the openssl CLI: CA, server (localhost, 127.0.0.1, ::1),
    client, and a client from an unrelated CA. key: 'ec' (P-256), 'p384', 'rsa', 'ed25519'."""

    def __init__(self, key="ec"):
        self.dir = tempfile.mkdtemp(prefix="tessera-interop-")
        self.key = key
        self.ca, self.ca_key = self._ca("ca", "tessera interop CA")
        self.server, self.server_key = self._leaf("server", "localhost", self.ca, self.ca_key,
                                                  "serverAuth",
                                                  "DNS:localhost,IP:127.0.0.1,IP:::1")
        self.client, self.client_key = self._leaf("client", "tessera interop client", self.ca,
                                                  self.ca_key, "clientAuth", None)
        self.rogue_ca, self.rogue_ca_key = self._ca("rogue-ca", "rogue CA")
        self.rogue_client, self.rogue_client_key = self._leaf("rogue-client", "rogue client",
                                                              self.rogue_ca, self.rogue_ca_key,
                                                              "clientAuth", None)

    def path(self, name):
        return os.path.join(self.dir, name)

    def _genkey(self, name):
        out = self.path(name + ".key")
        if self.key == "rsa":
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", out)
        elif self.key == "ed25519":
            openssl("genpkey", "-algorithm", "ED25519", "-out", out)
        elif self.key == "p384":
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", out)
        else:
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", out)
        return out

    def _ca(self, name, cn):
        key = self._genkey(name)
        cert = self.path(name + ".pem")
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                    "subjectKeyIdentifier=hash\n")
        openssl("req", "-x509", "-new", "-key", key, "-subj", "/CN=" + cn, "-days", "30",
                "-out", cert, "-extensions", "v3", "-config", self._cnf(ext))
        return cert, key

    def _cnf(self, ext):
        cnf = ext + ".cnf"
        with open(ext) as f:
            body = f.read()
        with open(cnf, "w") as f:
            f.write("[req]\ndistinguished_name=dn\n[dn]\n[v3]\n" + body)
        return cnf

    def _leaf(self, name, cn, ca, ca_key, eku, san):
        key = self._genkey(name)
        csr = self.path(name + ".csr")
        cert = self.path(name + ".pem")
        openssl("req", "-new", "-key", key, "-subj", "/CN=" + cn, "-out", csr)
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature%s\n"
                    "extendedKeyUsage=%s\nauthorityKeyIdentifier=keyid\n" %
                    (",keyEncipherment" if self.key == "rsa" else "", eku))
            if san:
                f.write("subjectAltName=%s\n" % san)
        openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                "-days", "30", "-out", cert, "-extfile", ext)
        return cert, key


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("PASS", name, flush=True)
        else:
            self.failed += 1
            print("FAIL", name, detail, flush=True)

    def skip(self, name, why):
        self.skipped += 1
        print("SKIP", name, why, flush=True)

    def finish(self):
        print("%d passed, %d failed, %d skipped" % (self.passed, self.failed, self.skipped))
        _cleanup()
        sys.exit(exit_status(self.passed, self.failed, self.skipped))


# A script whose every check was skipped exits with SKIPPED (ctest's
# SKIP_RETURN_CODE, tests/CMakeLists.txt), so ctest reports it as not run,
# not as passed. With TESSERA_REQUIRE_PEERS=1 (.ci/run, where every peer is
# installed) any skipped check is a failure.
SKIPPED = 77


def exit_status(passed, failed, skipped):
    if failed:
        return 1
    if skipped and os.environ.get("TESSERA_REQUIRE_PEERS") == "1":
        print("FAIL %d checks skipped, and TESSERA_REQUIRE_PEERS=1 requires every peer" % skipped)
        return 1
    if skipped and not passed:
        return SKIPPED
    return 0


# --- keying material exporters: the value each tool prints ---------------------
def tessera_exported(text, label, length, context=False):
    """The hex value of tessera's 'exported keying material' line (client summary,
    server stderr), or None."""
    m = re.search(r"exported keying material \(label '%s', %d bytes%s\): ([0-9a-f]+)\n" %
                  (re.escape(label), length, ", with context" if context else ""), text)
    return m.group(1) if m else None


def tessera_exported_all(text, label, length, context=False):
    return re.findall(r"exported keying material \(label '%s', %d bytes%s\): ([0-9a-f]+)\n" %
                      (re.escape(label), length, ", with context" if context else ""), text)


def openssl_exported(text, label, length):
    """openssl s_client / s_server -keymatexport: the 'Keying material:' value, or None."""
    m = re.search(r"Keying material exporter:\s+Label: '%s'\s+Length: %d bytes\s+"
                  r"Keying material: ([0-9A-F]+)" % (re.escape(label), length), text)
    return m.group(1) if m else None


def gnutls_exported(text):
    """gnutls-cli / gnutls-serv --keymatexport: the '- Key material:' value, or None."""
    m = re.search(r"^- Key material: ([0-9a-fA-F]+)$", text, re.M)
    return m.group(1) if m else None


def same_hex(a, b, length):
    return a is not None and b is not None and len(a) == 2 * length and a.lower() == b.lower()

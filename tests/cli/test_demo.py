#!/usr/bin/env python3
"""`tessera demo` in each of its forms: TLS 1.3 mTLS (the README's main job),
the TLS 1.2 key exchanges, and resumption. Each must exit 0 and show the steps
that make it what it is. The TLS 1.3 demo ends with an Encrypted Client Hello
handshake (scene 7: the outer ClientHello names the public name only, the
server opens the inner one and answers it), which TLS 1.2 has not.

Usage: test_demo.py /path/to/build/bin/tessera
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from tlspeers import Results, run  # noqa: E402

TESSERA = os.path.abspath(sys.argv[1])
R = Results()

CASES = [
    ([], ["version: TLS 1.3", "-> CertificateVerify", "refused, as expected",
          "; OCSP response stapled (", "OCSP response stapled: good; thisUpdate",
          "4. A trusted client the server's allowlist does not name is refused",
          "sent alert access_denied", "client: <- alert fatal access_denied(49)",
          "5. The CA revokes the client certificate",
          "sent alert certificate_revoked", "client: <- alert fatal certificate_revoked(44)",
          "6. The server asks for the client certificate after the handshake",
          "; post-handshake authentication offered",
          "server: -> CertificateRequest (after the handshake)",
          "client: -> Finished: our answer to the CertificateRequest is complete",
          "result: the client proved who it is after the handshake",
          "7. Encrypted Client Hello: the name the client asks for travels encrypted",
          "ECH key             config 17, public name public.tessera.demo, "
          "DHKEM(X25519, HKDF-SHA256)",
          "client:    ECH: this ClientHello is encrypted (",
          "the outer ClientHello sent around it names only public.tessera.demo",
          "an observer of the client's first flight sees: SNI public.tessera.demo; "
          "encrypted_client_hello: config 17, ",
          "\"localhost\" appears nowhere in it",
          "server: <- ClientHello (outer): SNI of the public name; opened the encrypted "
          "ClientHello inside with config 17",
          "SNI localhost; random",
          "client:    ECH: accepted - the random's last 8 bytes confirm the server opened our "
          "encrypted ClientHello",
          "result: ECH accepted on both sides",
          "client: ECH: accepted (outer ClientHello named public.tessera.demo); server "
          "certificate O=tessera, CN=localhost",
          "server: SNI localhost (from the encrypted ClientHello)",
          "demo complete: everything went as expected"]),
    (["--tls1.2", "--kx", "ecdhe"], ["server chose TLS 1.2", "<- ServerKeyExchange",
                                     "-> CertificateStatus: our OCSP response",
                                     "<- CertificateStatus: OCSP response good",
                                     "Elliptic-curve Diffie-Hellman", "version: TLS 1.2"]),
    (["--tls1.2", "--kx", "dhe"], ["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "ffdhe2048",
                                   "Finite-field Diffie-Hellman", "refused, as expected"]),
    (["--tls1.2", "--kx", "rsa"], ["TLS_RSA_WITH_AES_128_GCM_SHA256", "encrypted with the server's",
                                   "implicit rejection", "key exchange group: none",
                                   "sent alert certificate_revoked"]),
    (["--resume"], ["-- resumed handshake --", "resuming: the server accepted our ticket",
                    "-- resumed with 0-RTT early data --", "-> EndOfEarlyData",
                    "as 0-RTT data, before the handshake finished",
                    "handshake time, median of 7", "demo complete"]),
]

for args, expect in CASES:
    r = run([TESSERA, "demo"] + args, timeout=120)
    out = (r.stdout + r.stderr).decode(errors="replace")
    missing = [e for e in expect if e not in out]
    # Encrypted Client Hello is TLS 1.3 only: no scene 7 with --tls1.2.
    if "--tls1.2" in args and "Encrypted Client Hello" in out:
        missing.append("(no Encrypted Client Hello scene with --tls1.2)")
    R.check("demo %s" % " ".join(args), r.returncode == 0 and not missing,
            "rc=%d missing=%s\n%s" % (r.returncode, missing, out[-1500:]))
# A bad --kx is a usage error.
r = run([TESSERA, "demo", "--tls1.2", "--kx", "psk"], timeout=30)
R.check("demo --kx psk refused", r.returncode == 2 and b"--kx must be" in r.stderr,
        r.stderr.decode(errors="replace"))
# Options the walk-through would otherwise drop without a word are refused.
for args, why in ((["--kx", "rsa"], b"add --tls1.2"),
                  (["--tls1.2", "--policy", "strict"], b"do not apply")):
    r = run([TESSERA, "demo"] + args, timeout=30)
    R.check("demo %s refused" % " ".join(args), r.returncode == 2 and why in r.stderr,
            r.stderr.decode(errors="replace"))
# An unknown command is named, with the list of commands.
r = run([TESSERA, "demoo"], timeout=30)
R.check("an unknown command is named, with the commands",
        r.returncode == 2 and b"unknown command 'demoo'" in r.stderr and b"demo" in r.stderr and
        b"verify" in r.stderr, r.stderr.decode(errors="replace"))
R.finish()

#!/usr/bin/env python3
"""Generates rsa_key_transport.txt: RSA-2048 ciphertexts (under rsa2048.key.pem)
of hand-built PKCS#1 v1.5 encryption blocks, valid and malformed, for
tests/unit/crypto/rsa_test.cc. Raw RSA is done by the openssl CLI
(pkeyutl -encrypt -pkeyopt rsa_padding_mode:none).

Line format: name expect client_version_hex premaster_hex ciphertext_hex
where expect is "premaster" (decrypts to premaster_hex) or "fallback"."""
import os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
K = 256
M = bytes.fromhex("0303") + bytes(range(1, 47))  # 48-byte premaster, version 3.3


def ps(n):
    return bytes((i % 255) + 1 for i in range(n))  # non-zero padding


def block(bt=2, first=0, pslen=K - 3 - 48, sep=0, msg=M):
    em = bytes([first, bt]) + ps(pslen) + bytes([sep]) + msg
    assert len(em) == K, (len(em))
    return em


def zero_in_ps():
    em = bytearray(block())
    em[2 + 100] = 0
    return bytes(em)


cases = [
    ("valid", "premaster", block()),
    ("wrong_version", "fallback", block(msg=bytes.fromhex("0301") + M[2:])),
    ("first_byte_nonzero", "fallback", block(first=1)),
    ("block_type_1", "fallback", block(bt=1)),
    ("zero_in_padding", "fallback", zero_in_ps()),
    ("no_separator", "fallback", block(sep=0x5a)),
    ("message_47_bytes", "fallback", block(pslen=K - 3 - 47, msg=M[:47])),
    ("message_49_bytes", "fallback", block(pslen=K - 3 - 49, msg=M + b"\x00")),
    ("padding_7_bytes", "fallback", block(pslen=7, msg=M + bytes(K - 3 - 7 - 48))),
]

out = []
for name, expect, em in cases:
    r = subprocess.run(
        ["openssl", "pkeyutl", "-encrypt", "-inkey", os.path.join(here, "rsa2048.key.pem"),
         "-pkeyopt", "rsa_padding_mode:none"], input=em, capture_output=True, check=True)
    out.append(f"{name} {expect} 0303 {M.hex()} {r.stdout.hex()}")
with open(os.path.join(here, "rsa_key_transport.txt"), "w") as f:
    f.write("\n".join(out) + "\n")

#!/usr/bin/env python3
"""Checks the include direction between layers (docs/design.md, section Layers).

Every `#include "<layer>/..."` in src/<m>/ must name a layer that <m> may depend
on; OpenSSL headers may only be included under src/crypto/openssl/ and
<intel-ipsec-mb.h> only under src/crypto/ipsecmb/; nothing in src/ or include/
includes libssl.
"""
import pathlib
import re
import sys

ALLOWED = {
    "base": {"base"},
    "wire": {"base", "wire"},
    "crypto": {"base", "crypto"},
    "record": {"base", "wire", "crypto", "record"},
    "x509": {"base", "crypto", "x509"},
    "handshake": {"base", "wire", "crypto", "record", "x509", "handshake"},
    "conn": {"base", "wire", "crypto", "record", "x509", "handshake", "conn"},
    "io": {"base", "wire", "crypto", "record", "x509", "handshake", "conn", "io"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def main(root: pathlib.Path) -> int:
    problems = []
    for path in sorted((root / "src").rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        rel = path.relative_to(root / "src")
        layer = rel.parts[0]
        text = path.read_text(errors="replace")
        for inc in INCLUDE.findall(text):
            top = inc.split("/")[0]
            if top == "openssl" and rel.parts[:2] != ("crypto", "openssl"):
                problems.append(f"src/{rel}: includes <{inc}> outside src/crypto/openssl/")
            if inc == "intel-ipsec-mb.h" and rel.parts[:2] != ("crypto", "ipsecmb"):
                problems.append(f"src/{rel}: includes <{inc}> outside src/crypto/ipsecmb/")
            if inc.startswith("openssl/ssl") or inc == "openssl/tls1.h":
                problems.append(f"src/{rel}: includes libssl header <{inc}>")
            if top in ALLOWED and top not in ALLOWED.get(layer, set()):
                problems.append(f"src/{rel}: layer '{layer}' may not include \"{inc}\"")
    for path in sorted((root / "include").rglob("*.h")):
        text = path.read_text(errors="replace")
        for inc in INCLUDE.findall(text):
            if inc.startswith("openssl/") or inc == "intel-ipsec-mb.h":
                problems.append(f"{path.relative_to(root)}: public header includes <{inc}>")
    for p in problems:
        print(p)
    print(f"layering: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")))

#!/usr/bin/env python3
"""Regenerates the rfc8448_*.hex files in this folder from RFC 8448.

Usage: extract_rfc8448.py [path/to/rfc8448.txt]  (default: /work/shared/rfcs/rfc8448.txt)
Each output file holds one line of lowercase hex, copied verbatim from the
trace (no computation). The selection below names the trace entry by
section, sender, step text and field name."""
import re, sys
path = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/rfcs/rfc8448.txt'
lines = open(path).read().split('\n')
section = None; actor = step = None; items = []; cur = None
for ln in lines:
    if ln.startswith('RFC 8448') or ln.startswith('Thomson') or '\f' in ln:
        continue
    m = re.match(r'^(\d+)\.\s+\S', ln)
    if m: section = int(m.group(1)); cur = None; continue
    m = re.match(r'^   \{(client|server)\}\s+(.*)$', ln)
    if m: actor, step = m.group(1), m.group(2).strip(); cur = None; continue
    m = re.match(r'^      ([A-Za-z][A-Za-z ]*?) \((\d+) octets\):\s+(.*)$', ln)
    if m:
        cur = [section, actor, step, m.group(1), int(m.group(2)), m.group(3).strip()]
        items.append(cur); continue
    m = re.match(r'^         ([0-9a-f]{2}( [0-9a-f]{2})*)\s*$', ln)
    if m and cur is not None:
        cur[5] += ' ' + m.group(1); continue
    if ln.strip() == '': continue
    if not ln.startswith('      ') : cur = None
for it in items:
    if it[5]=="(empty)": it[5]=""
    h = it[5].replace(' ', '')
    assert len(h) == 2*it[4], it
    it[5] = h

# (output name, section, sender, step prefix, field, occurrence index among matches)
WANT = [
    ("s3_client_hello", 3, "client", "construct a ClientHello", "ClientHello", 0),
    ("s3_server_hello", 3, "server", "construct a ServerHello", "ServerHello", 0),
    ("s3_encrypted_extensions", 3, "server", "construct an EncryptedExtensions", "EncryptedExtensions", 0),
    ("s3_certificate", 3, "server", "construct a Certificate handshake", "Certificate", 0),
    ("s3_certificate_verify", 3, "server", "construct a CertificateVerify", "CertificateVerify", 0),
    ("s3_server_finished", 3, "server", "construct a Finished", "Finished", 0),
    ("s3_client_finished", 3, "client", "construct a Finished", "Finished", 0),
    ("s3_new_session_ticket", 3, "server", "construct a NewSessionTicket", "NewSessionTicket", 0),
    ("s3_client_hello_record", 3, "client", "send handshake record", "complete record", 0),
    ("s3_server_hello_record", 3, "server", "send handshake record", "complete record", 0),
    ("s3_server_handshake_payload", 3, "server", "send handshake record", "payload", 1),
    ("s3_server_handshake_record", 3, "server", "send handshake record", "complete record", 1),
    ("s3_client_finished_record", 3, "client", "send handshake record", "complete record", 1),
    ("s3_server_ticket_record", 3, "server", "send handshake record", "complete record", 2),
    ("s3_client_appdata_payload", 3, "client", "send application_data record", "payload", 0),
    ("s3_client_appdata_record", 3, "client", "send application_data record", "complete record", 0),
    ("s3_server_appdata_payload", 3, "server", "send application_data record", "payload", 0),
    ("s3_server_appdata_record", 3, "server", "send application_data record", "complete record", 0),
    ("s3_client_alert_record", 3, "client", "send alert record", "complete record", 0),
    ("s3_server_alert_record", 3, "server", "send alert record", "complete record", 0),
    ("s5_client_hello1", 5, "client", "construct a ClientHello", "ClientHello", 0),
    ("s5_hello_retry_request", 5, "server", "construct a ServerHello", "ServerHello", 0),
    ("s5_client_hello2", 5, "client", "construct a ClientHello", "ClientHello", 1),
    ("s5_server_hello", 5, "server", "construct a ServerHello", "ServerHello", 1),
    ("s5_encrypted_extensions", 5, "server", "construct an EncryptedExtensions", "EncryptedExtensions", 0),
    ("s5_certificate", 5, "server", "construct a Certificate handshake", "Certificate", 0),
    ("s5_certificate_verify", 5, "server", "construct a CertificateVerify", "CertificateVerify", 0),
    ("s5_server_finished", 5, "server", "construct a Finished", "Finished", 0),
    ("s5_client_finished", 5, "client", "construct a Finished", "Finished", 0),
]

if __name__ == "__main__":
    import os
    out_dir = os.path.dirname(os.path.abspath(__file__))
    for name, sec, who, step_prefix, field, idx in WANT:
        found = [it for it in items if it[0] == sec and it[1] == who and
                 it[2].startswith(step_prefix) and it[3] == field]
        with open(os.path.join(out_dir, "rfc8448_" + name + ".hex"), "w") as f:
            f.write(found[idx][5] + "\n")

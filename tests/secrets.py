#!/usr/bin/env python3
"""secrets.py BIN CAPTURE...: no password misroute saw may appear in anything it wrote.

For each capture, the client's TCP payloads are read with scapy and every secret a mail or
HTTP client sent is collected, in every form it travelled in: POP3 PASS, IMAP LOGIN's second
argument, SMTP/IMAP/POP3 AUTH PLAIN (the whole base64 string and the decoded password), AUTH
LOGIN's password line (base64 and decoded), HTTP Basic credentials (base64 and the password).
Then misroute runs with --log-events, and its records and its standard error are searched for
each secret. Exits 1 and names the capture when one is found, or when a capture that holds a
password yields none (the extraction itself would be broken).
"""
import base64
import binascii
import re
import subprocess
import sys
import tempfile

from scapy.all import IP, IPv6, TCP, rdpcap  # Debian's python3-scapy


def client_lines(path):
    """Yield (stream key, text line) for TCP payload lines, in capture order."""
    for pkt in rdpcap(path):
        if TCP not in pkt or not bytes(pkt[TCP].payload):
            continue
        ip = pkt[IP] if IP in pkt else pkt[IPv6] if IPv6 in pkt else None
        if ip is None:
            continue
        key = (ip.src, pkt[TCP].sport, ip.dst, pkt[TCP].dport)
        for line in bytes(pkt[TCP].payload).split(b"\n"):
            yield key, line.rstrip(b"\r")


def b64(s):
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None


def secrets_of(path):
    """The secrets of path, less those that are part of a user name sent with them (POP3
    users whose password is their name): those can't be told from the name we do report."""
    found, users = set(), set()
    asked_password = set()   # streams whose server just asked "Password:" (AUTH LOGIN)
    for key, line in client_lines(path):
        words = line.split()
        rev = (key[2], key[3], key[0], key[1])
        if line.startswith(b"334 ") and b64(words[1] if len(words) > 1 else b"") == b"Password:":
            asked_password.add(rev)
            continue
        if key in asked_password and words:
            asked_password.discard(key)
            dec = b64(words[0])
            if dec:
                found.update({words[0], dec})
            continue
        up = line.upper()
        if up.startswith(b"USER ") and len(words) > 1:
            users.add(words[1])
        if up.startswith(b"PASS ") and len(words) > 1:
            found.add(line[5:].strip())
        elif len(words) >= 4 and words[1].upper() == b"LOGIN":
            users.add(words[2].strip(b'"'))
            found.add(words[3].strip(b'"'))
        elif b"PLAIN" in up and words:
            dec = b64(words[-1])
            if dec and dec.count(b"\0") == 2:
                users.add(dec.split(b"\0")[1])
                found.update({words[-1], dec.split(b"\0")[2]})
        m = re.match(rb"(?i)authorization:\s*basic\s+(\S+)", line)
        if m:
            dec = b64(m.group(1))
            if dec and b":" in dec:
                found.update({m.group(1), dec.split(b":", 1)[1]})
    return {s for s in found if len(s) >= 4 and not any(s in u for u in users)}


def main(argv):
    binary, caps = argv[0], argv[1:]
    bad, checked = [], 0
    for cap in caps:
        secrets = secrets_of(cap)
        if not secrets:
            continue
        checked += 1
        with tempfile.NamedTemporaryFile() as out:
            r = subprocess.run([binary, "-r", cap, "--log-events", "-o", out.name],
                               capture_output=True, timeout=300)
            written = open(out.name, "rb").read() + r.stdout + r.stderr
        leaked = [s for s in secrets if s in written]
        print(f"{cap}: {len(secrets)} secrets, {len(leaked)} found in the output")
        if leaked:
            bad.append(cap)
    print(f"captures with secrets: {checked}")
    return 1 if bad or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

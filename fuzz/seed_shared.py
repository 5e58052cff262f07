#!/usr/bin/env python3
# seed_shared.py OUTDIR CAPTURE...: seeds for the dissector fuzz targets from real captures —
# DNS messages, HTTP and TLS client streams, QUIC client datagrams and mail transcripts, each
# written in its target's input format into OUTDIR/NAME/ (named by content hash).
#
# Only for captures we may read but not commit (make fuzz uses it on the shared ones). The
# reassembly is crude (segments by sequence number, first copy wins, holes closed up): a seed
# only has to be near real traffic, the fuzzer does the rest. tcpdump turns pcapng into pcap.
import collections
import hashlib
import os
import struct
import subprocess
import sys

MAX_PER_TARGET = 200
MAX_STREAM = 16384  # bytes of one direction kept: what the reassembly hands a dissector
MAX_DATAGRAMS = 8   # QUIC datagrams of one flow

DNS_PORTS = {53, 5353, 5355}
HTTP_PORTS = {80, 8080, 8000, 8008, 3128}
TLS_PORTS = {443, 8443, 465, 993, 995}
MAIL_PORTS = {25: 1, 587: 1, 2525: 1, 143: 2, 110: 3}  # the protocol byte of fuzz_mail
MAIL_MARK = 0xFE
KNOWN_PORTS = DNS_PORTS | HTTP_PORTS | TLS_PORTS | set(MAIL_PORTS)


def read_pcap(path):
    """Yields (linktype, frame) for every record; pcapng goes through tcpdump first."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        r = subprocess.run(["tcpdump", "-r", path, "-w", "-"], capture_output=True)
        data = r.stdout
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        yield linktype, frame


def link_payload(linktype, frame):
    """(ethertype, bytes) of the network layer, or None."""
    if linktype == 1:  # Ethernet, with any 802.1Q/802.1ad tags
        if len(frame) < 14:
            return None
        etype, off = struct.unpack(">H", frame[12:14])[0], 14
        while etype in (0x8100, 0x88A8, 0x9100) and off + 4 <= len(frame):
            etype, off = struct.unpack(">H", frame[off + 2:off + 4])[0], off + 4
        return etype, frame[off:]
    if linktype == 113 and len(frame) >= 16:  # Linux cooked
        return struct.unpack(">H", frame[14:16])[0], frame[16:]
    if linktype == 276 and len(frame) >= 20:  # Linux cooked v2
        return struct.unpack(">H", frame[0:2])[0], frame[20:]
    if linktype in (101, 12, 14, 228, 229) and frame:  # raw IP
        return (0x86DD if frame[0] >> 4 == 6 else 0x0800), frame
    if linktype in (0, 108) and len(frame) >= 4:  # BSD loopback, either byte order
        fam = max(struct.unpack("<I", frame[:4])[0], struct.unpack(">I", frame[:4])[0])
        return (0x86DD if fam in (10, 24, 28, 30) else 0x0800), frame[4:]
    return None


def transport(etype, p):
    """(proto, src, dst, l4 bytes) of an unfragmented IPv4 or IPv6 packet, or None."""
    if etype == 0x0800 and len(p) >= 20 and p[0] >> 4 == 4:
        ihl = (p[0] & 15) * 4
        total = struct.unpack(">H", p[2:4])[0]
        if struct.unpack(">H", p[6:8])[0] & 0x3FFF:
            return None  # a fragment
        return p[9], p[12:16], p[16:20], p[ihl:max(total, ihl)]
    if etype == 0x86DD and len(p) >= 40 and p[0] >> 4 == 6:
        plen = struct.unpack(">H", p[4:6])[0]
        return p[6], p[8:24], p[24:40], p[40:40 + plen]
    return None


class Seeds:
    def __init__(self, top):
        self.top = top
        self.count = collections.Counter()

    def add(self, name, data):
        if not data or self.count[name] >= MAX_PER_TARGET:
            return
        folder = os.path.join(self.top, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, hashlib.sha1(data).hexdigest())
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.count[name] += 1


def stream_bytes(segs):
    """One direction from its (seq, bytes) segments: sorted, first copy wins, holes closed."""
    out, end = bytearray(), None
    for seq, data in sorted(segs, key=lambda s: s[0]):
        if end is not None and seq < end:
            data = data[end - seq:]
            seq = end
        out += data
        end = seq + len(data)
        if len(out) >= MAX_STREAM:
            break
    return bytes(out[:MAX_STREAM])


def seed_capture(path, seeds):
    tcp = collections.defaultdict(lambda: ([], []))   # flow -> segments per direction
    order = collections.defaultdict(list)             # flow -> (dir, bytes) as captured
    quic = collections.defaultdict(list)
    for linktype, frame in read_pcap(path):
        l3 = link_payload(linktype, frame)
        t = l3 and transport(*l3)
        if not t:
            continue
        proto, src, dst, l4 = t
        if proto == 17 and len(l4) >= 8:
            sport, dport = struct.unpack(">HH", l4[:4])
            payload = l4[8:]
            if sport in DNS_PORTS or dport in DNS_PORTS:
                seeds.add("dns", payload)
            elif dport == 443 and len(quic[(src, sport, dst)]) < MAX_DATAGRAMS:
                quic[(src, sport, dst)].append(payload)
        elif proto == 6 and len(l4) >= 20:
            sport, dport, seq = struct.unpack(">HHI", l4[:8])
            payload = l4[(l4[12] >> 4) * 4:]
            if not payload:
                continue
            to_server = dport in KNOWN_PORTS or (sport not in KNOWN_PORTS and dport < sport)
            key = (src, sport, dst, dport) if to_server else (dst, dport, src, sport)
            tcp[key][0 if to_server else 1].append((seq, payload))
            order[key].append((0 if to_server else 1, payload))
    for (_, _, _, port), (up, down) in tcp.items():
        if port in DNS_PORTS:
            seeds.add("dns", stream_bytes(up)[2:])
        elif port in HTTP_PORTS:
            seeds.add("http", stream_bytes(up))
            seeds.add("http", stream_bytes(down))
        elif port in TLS_PORTS:
            seeds.add("tls", stream_bytes(up))
    for key, pieces in order.items():
        proto = MAIL_PORTS.get(key[3])
        if not proto:
            continue
        t = bytearray([proto])
        for d, data in pieces:
            if len(t) + len(data) > MAX_STREAM:
                break
            t += bytes([MAIL_MARK, 1 if d == 0 else 0]) + data.replace(bytes([MAIL_MARK]), b"?")
        seeds.add("mail", bytes(t))
    for datagrams in quic.values():
        seeds.add("quic", b"".join(struct.pack(">H", len(d)) + d for d in datagrams))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: seed_shared.py OUTDIR CAPTURE...")
    seeds = Seeds(sys.argv[1])
    for path in sys.argv[2:]:
        try:
            seed_capture(path, seeds)
        except (OSError, struct.error, subprocess.SubprocessError) as e:
            print(f"seed_shared: {path}: skipped ({e})", file=sys.stderr)
    print("seed_shared: " + ", ".join(f"{k} {v}" for k, v in sorted(seeds.count.items())))


if __name__ == "__main__":
    main()

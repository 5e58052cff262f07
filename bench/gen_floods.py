#!/usr/bin/env python3
"""gen_floods.py KIND N [-o FILE]: writes one flood of issue 9 as a classic pcap, to stdout by
default, packet by packet: nothing is held, so a 1 GiB stream goes straight down a pipe
(python3 bench/gen_floods.py stream 1073741824 | misroute -r -).

Kinds (N is the size of the flood):
    syn           N new TCP flows, a SYN each from 10.1.0.0/16 ports 1024+ to 172.16.0.80:80,
                  one every microsecond: none ever answers or times out.
    dns           N DNS queries, each from its own client port (10.2.0.0/16) to 10.0.0.53 and
                  answered 5 us later with a distinct A record in 100.64.0.0/10 (every
                  answer is a new address for the passive DNS), one every 10 us.
    stream        one HTTP download of N body bytes (10.3.0.7 -> 10.3.0.80:80) in 1448-byte
                  segments, one every 10 us; every 700th segment (from the 50th) arrives 300
                  segments late, and the client acknowledges what it holds in order every
                  16 segments, so reassembly must hold out-of-order data.
    autodiscover  one client (10.4.0.7) making N autodiscover lookups, one every 500 us, for
                  autodiscover.hJ.example.com with J cycling over 2000 names, each answered
                  NXDOMAIN: N incidents of 2000 kinds, more than the detector keeps pending.
Planted in every flood, halfway and after the last flood packet: client 10.9.9.9 looks up
autodiscover.example.com (NXDOMAIN), the incident that must still be reported.

Deterministic: the same arguments give the same bytes (no clock, no unseeded random).
Standard library only (tools/pcapgen.py for checksums); frames are packed by hand for speed.
"""

import argparse
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

import pcapgen as pg  # noqa: E402

START_US = pg.utc_us(2026, 3, 2, 10, 0, 0)
MSS = 1448
PLANT_CLIENT = bytes([10, 9, 9, 9])
PLANT_NAME = "autodiscover.example.com"
RESOLVER = bytes([10, 0, 0, 53])
MAC_A, MAC_B = bytes.fromhex("525400090001"), bytes.fromhex("00005e0001fe")

_rec = struct.Struct("<IIII").pack
_ip = struct.Struct("!BBHHHBBH4s4s").pack
_tcp = struct.Struct("!HHIIBBHHH").pack
_udp = struct.Struct("!HHHH").pack
_pseudo = struct.Struct("!4s4sBBH").pack
sum16, checksum_of = pg.sum16, pg.checksum_of


class Writer:
    """Classic pcap records to a binary stream, buffered in batches."""

    def __init__(self, out):
        self.out = out
        self.buf = []
        self.count = 0
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, pg.LINKTYPE_ETHERNET))

    def packet(self, ts_us, ip_packet):
        frame = MAC_A + MAC_B + b"\x08\x00" + ip_packet
        sec, usec = divmod(ts_us, 1_000_000)
        self.buf.append(_rec(sec, usec, len(frame), len(frame)))
        self.buf.append(frame)
        self.count += 1
        if len(self.buf) >= 8192:
            self.flush()

    def flush(self):
        self.out.write(b"".join(self.buf))
        self.buf = []


def ipv4(src, dst, proto, l4, ident):
    h = _ip(0x45, 0, 20 + len(l4), ident & 0xFFFF, 0x4000, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", checksum_of(sum16(h))) + h[12:] + l4


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", payload_sum=None):
    h = _tcp(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    if payload_sum is None:
        payload_sum = sum16(payload)
    total = sum16(_pseudo(src, dst, 0, 6, 20 + len(payload))) + sum16(h) + payload_sum
    seg = h[:16] + struct.pack("!H", checksum_of(total)) + h[18:] + payload
    return ipv4(src, dst, 6, seg, seq >> 7)


def udp(src, dst, sport, dport, payload, ident):
    # UDP over IPv4 may carry no checksum (RFC 768): the flood needs none.
    return ipv4(src, dst, 17, _udp(sport, dport, 8 + len(payload), 0) + payload, ident)


def addr(a, b, c, d):
    return bytes([a, b & 255, c & 255, d & 255])


QTAIL = struct.pack("!HH", 1, 1)                   # type A, class IN
# The authority of an NXDOMAIN answer: example.com's SOA, its owner a pointer to the question
# name's parent (every flooded name is autodiscover.<zone>, the label at offset 12).
_soa = (pg.encode_name("ns.icann.org") + pg.encode_name("noc.dns.icann.org")
        + struct.pack("!IIIII", 2026030200, 7200, 3600, 1209600, 3600))
_hdr = struct.Struct("!HHHHHH").pack


def lookup(w, ts, client, sport, ident, name, answer=None, rtt=200):
    """A query from client:sport and its answer rtt us later: answer (4 address bytes) as one
    A record, or NXDOMAIN with the zone's SOA. Built by hand: a flood has a million."""
    qname = b"".join(bytes([len(x)]) + x for x in name.encode().split(b".")) + b"\0"
    q = _hdr(ident, 0x0100, 1, 0, 0, 0) + qname + QTAIL
    if answer is None:
        zone = 12 + 1 + qname[0]      # the parent of the first label
        r = (_hdr(ident, 0x8183, 1, 0, 1, 0) + qname + QTAIL
             + struct.pack("!HHHIH", 0xC000 | zone, 6, 1, 3600, len(_soa)) + _soa)
    else:
        r = (_hdr(ident, 0x8180, 1, 1, 0, 0) + qname + QTAIL
             + struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + answer)
    w.packet(ts, udp(client, RESOLVER, sport, 53, q, ident))
    w.packet(ts + rtt, udp(RESOLVER, client, 53, sport, r, ident))


def plant(w, ts, k):
    """The planted incident: 10.9.9.9 looks up autodiscover.example.com. Returns the time
    after it (packets stay in time order)."""
    lookup(w, ts, PLANT_CLIENT, 60000 + k, 0x7700 + k, PLANT_NAME)
    return ts + 300


def flood_syn(w, n):
    dst = bytes([172, 16, 0, 80])
    ts = START_US
    for i in range(n):
        if i == n // 2:
            ts = plant(w, ts, 0)
        # 64 ports per address, a new address every 64 flows: every 5-tuple is new.
        src = addr(10, 1 + (i >> 22), i >> 14, i >> 6)
        sport = 1024 + (i & 63) * 997
        w.packet(ts, tcp(src, dst, sport, 80, i * 2654435761, 0, pg.TCP_SYN))
        ts += 1
    plant(w, ts + 1000, 1)


def flood_dns(w, n):
    ts = START_US
    for i in range(n):
        if i == n // 2:
            ts = plant(w, ts, 0)
        client = addr(10, 2, i >> 8, i)
        sport = 1024 + (i >> 16) % 64000
        lookup(w, ts, client, sport, i & 0xFFFF, "r%d.flood.mail-corp.de" % i,
               addr(100, 64 + ((i >> 16) & 63), i >> 8, i), rtt=5)
        ts += 10
    plant(w, ts + 1000, 1)


def flood_stream(w, n):
    cli, srv = bytes([10, 3, 0, 7]), bytes([10, 3, 0, 80])
    cport, isn_c, isn_s = 50000, 0x1000, 0x9000000
    ts = START_US
    w.packet(ts, tcp(cli, srv, cport, 80, isn_c, 0, pg.TCP_SYN))
    w.packet(ts + 100, tcp(srv, cli, 80, cport, isn_s, isn_c + 1, pg.TCP_SYN | pg.TCP_ACK))
    w.packet(ts + 200, tcp(cli, srv, cport, 80, isn_c + 1, isn_s + 1, pg.TCP_ACK))
    req = b"GET /big.iso HTTP/1.1\r\nHost: files.mail-corp.de\r\nUser-Agent: flood/1\r\n\r\n"
    w.packet(ts + 300, tcp(cli, srv, cport, 80, isn_c + 1, isn_s + 1, pg.TCP_ACK | pg.TCP_PSH,
                           req))
    c_next = isn_c + 1 + len(req)
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: %d\r\n\r\n" % n)
    base = isn_s + 1
    w.packet(ts + 400, tcp(srv, cli, 80, cport, base, c_next, pg.TCP_ACK, head))
    base += len(head)
    ts += 500
    body = pg.pseudo_bytes("flood-stream", MSS)
    body_sum = sum16(body)
    segs = (n + MSS - 1) // MSS
    late = {}          # segment index -> the late segment sent after it
    holding = set()    # late segments not yet sent
    for k in range(segs):
        if k == segs // 2:
            ts = plant(w, ts, 0)
        if k % 700 == 50 and k + 300 < segs:
            late[k + 300] = k
            holding.add(k)
        else:
            send_seg(w, ts, srv, cli, cport, base, c_next, k, n, body, body_sum)
        ts += 10
        if k in late:
            j = late.pop(k)
            send_seg(w, ts, srv, cli, cport, base, c_next, j, n, body, body_sum)
            holding.discard(j)
            ts += 10
        if k % 16 == 15:
            # A cumulative ACK: up to the first segment the client still misses.
            acked = min(min(holding) if holding else k + 1, k + 1) * MSS
            w.packet(ts, tcp(cli, srv, cport, 80, c_next, base + min(acked, n), pg.TCP_ACK))
            ts += 10
    end = base + n
    w.packet(ts, tcp(cli, srv, cport, 80, c_next, end, pg.TCP_ACK))
    w.packet(ts + 10, tcp(srv, cli, 80, cport, end, c_next, pg.TCP_FIN | pg.TCP_ACK))
    w.packet(ts + 20, tcp(cli, srv, cport, 80, c_next, end + 1, pg.TCP_FIN | pg.TCP_ACK))
    w.packet(ts + 30, tcp(srv, cli, 80, cport, end + 1, c_next + 1, pg.TCP_ACK))
    plant(w, ts + 1000, 1)


def send_seg(w, ts, srv, cli, cport, base, ack, k, n, body, body_sum):
    """Body segment k of the stream (the last one may be short)."""
    size = min(MSS, n - k * MSS)
    data, s = (body, body_sum) if size == MSS else (body[:size], None)
    w.packet(ts, tcp(srv, cli, 80, cport, base + k * MSS, ack, pg.TCP_ACK, data, s))


def flood_autodiscover(w, n):
    client = bytes([10, 4, 0, 7])
    ts = START_US
    for i in range(n):
        if i == n // 2:
            ts = plant(w, ts, 0)
        lookup(w, ts, client, 1024 + i % 60000, i & 0xFFFF,
               "autodiscover.h%d.example.com" % (i % 2000))
        ts += 500
    plant(w, ts + 1000, 1)


FLOODS = {"syn": flood_syn, "dns": flood_dns, "stream": flood_stream,
          "autodiscover": flood_autodiscover}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=sorted(FLOODS))
    ap.add_argument("n", type=int)
    ap.add_argument("-o", "--output", help="file to write (default: stdout)")
    a = ap.parse_args()
    out = open(a.output, "wb") if a.output else sys.stdout.buffer
    w = Writer(out)
    try:
        FLOODS[a.kind](w, a.n)
        w.flush()
        out.flush()
    except BrokenPipeError:
        # The reader stopped early; its own status says why.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()

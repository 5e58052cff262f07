#!/usr/bin/env python3
r"""gen_malformed.py OUTDIR: writes misroute's malformed-input suite, one capture per case,
and OUTDIR/cases.tsv saying what each must give. Run by tests/malformed.sh at test time; the
captures are never committed.

Deterministic, standard library only (tools/pcapgen.py), prints nothing on success.

Every packet case is one small Ethernet capture: a valid DNS exchange for
before.mail-corp.de, the hostile packets, then valid traffic after them -- at least a DNS
exchange for after.mail-corp.de, and for a case inside a protocol a clean connection of that
protocol naming after.mail-corp.de -- so a skip that loses the rest of the capture fails.
File cases break the capture file itself and must end with a one-line error and status 1,
keeping what was read before the break.

cases.tsv, one line per case: NAME, a TAB, then checks separated by ' ; ':
    skip:COUNTER        the final metric record counts COUNTER (a name of core/stats.h
                        SKIP_REASONS, or flow_evicted) above zero
    noskip:COUNTER      ... and COUNTER stays zero (the case must not be mistaken for it)
    error:TEXT          exit status 1, stderr one line: "NAME.pcap: TEXT..." (after the path)
    event:DATASET:TEXT  a record of event.dataset DATASET holds TEXT (its JSON line)
    noevent:DATASET:TEXT no record of DATASET holds TEXT
Whatever the checks, misroute must not crash, trip a sanitizer or hang, and every line it
writes must be one JSON object (tests/malformed.sh).
"""

import io
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

import pcapgen as pg  # noqa: E402
from pcapgen import (A, Host, Network, PcapWriter, TcpSession, dns_query, encode_name,  # noqa: E402
                     utc_us)

START = utc_us(2026, 1, 20, 9, 0, 0)
CLIENT, RESOLVER = "192.168.60.10", "192.168.60.53"
CLIENT6, RESOLVER6 = "fd00:60::10", "fd00:60::53"
WEB, MAIL = "192.168.60.80", "192.168.60.25"

DNS_AFTER = 'event:misroute.dns:"question":{"name":"after.mail-corp.de"'
DNS_BEFORE = 'event:misroute.dns:"question":{"name":"before.mail-corp.de"'
HTTP_AFTER = 'event:misroute.http:"url":{"domain":"after.mail-corp.de"'
TLS_AFTER = 'event:misroute.tls:"server_name":"after.mail-corp.de"'
SMTP_AFTER = 'event:misroute.mail:"helo":"after-client"'
IMAP_AFTER = 'event:misroute.mail:"user":{"name":"after@mail-corp.de"'

CASES = []


def case(name, *checks):
    """Registers a packet case: fn(scene) writes the hostile part between before and after."""
    def register(fn):
        CASES.append((name, "packet", list(checks), fn))
        return fn
    return register


def file_case(name, *checks):
    """Registers a file case: fn(good_bytes) returns the broken file's bytes."""
    def register(fn):
        CASES.append((name, "file", list(checks), fn))
        return fn
    return register


class Scene:
    """One capture: a client, its resolver, a web and a mail server, and a clock."""

    def __init__(self, pcap):
        self.pcap = pcap
        self.net = Network(pcap, START)
        self.pc = Host(CLIENT, ttl=64, mac="52:54:00:60:00:10", first_port=40001)
        self.dns = Host(RESOLVER, ttl=64, mac="52:54:00:60:00:53")
        self.pc6 = Host(CLIENT6, ttl=64, mac="52:54:00:60:00:10", first_port=41001)
        self.dns6 = Host(RESOLVER6, ttl=64, mac="52:54:00:60:00:53")
        self.web = Host(WEB, ttl=64, mac="52:54:00:60:00:80")
        self.mail = Host(MAIL, ttl=64, mac="52:54:00:60:00:25")
        self.next_id = 0x3001

    def ident(self):
        self.next_id += 1
        return self.next_id - 1

    def lookup(self, name, addr="195.201.17.60"):
        """A valid query and its answer."""
        q = dns_query(self.ident(), name, "A")
        pg.dns_lookup(self.net, self.pc, self.dns, q, q.reply(answers=[A(name, addr)]),
                      rtt_ms=2.0)
        self.net.wait(10)

    def query_bytes(self, name="odd.mail-corp.de"):
        return dns_query(self.ident(), name, "A").to_bytes()

    def frame(self, src, dst, packet, *, caplen=None, orig_len=None, vlans=None):
        """Writes one IP packet framed for Ethernet; caplen cuts what is stored."""
        f = self.net.frame(src, dst, packet, vlans)
        self.pcap.write(self.net.now, f, orig_len=orig_len, caplen=caplen)
        self.net.now += self.net.tick
        self.net.wait(5)

    def udp4(self, payload, *, sport=None, to_server=True, **ip_kw):
        """An IPv4 UDP datagram between the client and the resolver, forced fields allowed."""
        src, dst = (self.pc, self.dns) if to_server else (self.dns, self.pc)
        sport = sport or self.pc.ephemeral_port()
        ports = (sport, 53) if to_server else (53, sport)
        dgram = pg.udp(src.ip, dst.ip, *ports, payload)
        return pg.ipv4(src.ip, dst.ip, pg.PROTO_UDP, dgram, ttl=64, ident=src.next_ip_id(),
                       **ip_kw)

    def session(self, server, port, **kw):
        return TcpSession(self.net, self.pc, server, port, rtt_ms=2.0, **kw)


# --- the capture file ------------------------------------------------------------------------

def good_capture():
    """A valid capture: the before and after lookups (the after one cut by file cases)."""
    buf = io.BytesIO()
    pcap = PcapWriter(buf)
    s = Scene(pcap)
    s.lookup("before.mail-corp.de")
    s.lookup("after.mail-corp.de")
    pcap.close()
    return buf.getvalue()


FILE_HDR = 24
REC_HDR = 16


def records(data):
    """(offset, caplen) of every record of a classic little-endian pcap."""
    out, off = [], FILE_HDR
    while off < len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        out.append((off, caplen))
        off += REC_HDR + caplen
    return out


@file_case("file-truncated-record", "error:truncated dump file", DNS_BEFORE)
def f_trunc_record(data):
    off, caplen = records(data)[-1]
    return data[:off + REC_HDR + caplen // 2]


@file_case("file-truncated-record-header", "error:truncated dump file", DNS_BEFORE)
def f_trunc_header(data):
    off, _ = records(data)[-1]
    return data[:off + 7]


@file_case("file-truncated-file-header", "error:truncated dump file")
def f_trunc_file_header(data):
    return data[:10]


@file_case("file-empty", "error:truncated dump file")
def f_empty(data):
    return b""


@file_case("file-wrong-magic", "error:unknown file format")
def f_magic(data):
    return struct.pack("<I", 0xDEADBEEF) + data[4:]


@file_case("file-huge-caplen", "error:invalid packet capture length", DNS_BEFORE)
def f_huge_caplen(data):
    off, _ = records(data)[-2]
    b = bytearray(data)
    struct.pack_into("<I", b, off + 8, 0xFFFFFFF0)
    return bytes(b)


@file_case("file-caplen-over-snaplen", "skip:caplen_short", DNS_BEFORE, DNS_AFTER)
def f_caplen_over_snaplen(data):
    """The file says snaplen 96; one record (a query in the middle) holds more than that.
    libpcap hands over the first 96 bytes: a cut packet, nothing worse."""
    b = bytearray(data)
    struct.pack_into("<I", b, 16, 96)
    return bytes(b) + long_query_records()


def long_query_records():
    """Records to append to a capture: a 200-byte query, then a valid lookup."""
    buf = io.BytesIO()
    pcap = PcapWriter(buf)
    s = Scene(pcap)
    s.net.now = START + 10_000_000
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes("x" * 60 + ".y" * 40 + ".mail-corp.de")))
    s.lookup("after.mail-corp.de")
    pcap.close()
    return buf.getvalue()[FILE_HDR:]


@file_case("file-caplen-over-len", DNS_BEFORE, DNS_AFTER)
def f_caplen_over_len(data):
    """A record whose captured length exceeds its wire length: read as what was captured."""
    off, _ = records(data)[0]
    b = bytearray(data)
    struct.pack_into("<I", b, off + 12, 20)
    return bytes(b)


# --- snaplen cuts: caplen < len at every layer -------------------------------------------------

ETH = 14


@case("snap-ethernet", "skip:link_short", DNS_AFTER)
def c_snap_eth(s):
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes()), caplen=10)


@case("snap-vlan-tag", "skip:link_short", DNS_AFTER)
def c_snap_vlan(s):
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes()), caplen=ETH + 1, vlans=(20,))


@case("snap-ipv4-header", "skip:ip4_short", DNS_AFTER)
def c_snap_ip4(s):
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes()), caplen=ETH + 12)


@case("snap-ipv4-options", "skip:ip4_hlen", DNS_AFTER)
def c_snap_ip4_opts(s):
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes(), options=b"\x01" * 8), caplen=ETH + 24)


@case("snap-ipv6-header", "skip:ip6_short", DNS_AFTER)
def c_snap_ip6(s):
    q = s.query_bytes()
    pkt = pg.ipv6(CLIENT6, RESOLVER6, pg.PROTO_UDP, pg.udp(CLIENT6, RESOLVER6, 41001, 53, q))
    s.frame(s.pc6, s.dns6, pkt, caplen=ETH + 30)


@case("snap-ipv6-extension", "skip:caplen_short", DNS_AFTER)
def c_snap_ip6_ext(s):
    q = s.query_bytes()
    body = pg.ipv6_options_header(pg.PROTO_UDP, b"\x01\x04\0\0\0\0") + \
        pg.udp(CLIENT6, RESOLVER6, 41002, 53, q)
    pkt = pg.ipv6(CLIENT6, RESOLVER6, pg.PROTO_HOPOPTS, body)
    s.frame(s.pc6, s.dns6, pkt, caplen=ETH + 40 + 4)


@case("snap-udp-header", "skip:caplen_short", DNS_AFTER)
def c_snap_udp(s):
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes()), caplen=ETH + 20 + 5)


@case("snap-tcp-header", "skip:caplen_short", DNS_AFTER)
def c_snap_tcp(s):
    seg = pg.tcp(CLIENT, WEB, 40100, 80, 1000, 0, pg.TCP_SYN)
    s.frame(s.pc, s.web, pg.ipv4(CLIENT, WEB, pg.PROTO_TCP, seg), caplen=ETH + 20 + 12)


@case("snap-tcp-options", "skip:caplen_short", DNS_AFTER)
def c_snap_tcp_opts(s):
    seg = pg.tcp(CLIENT, WEB, 40101, 80, 1000, 0, pg.TCP_SYN, options=pg.tcp_syn_options())
    s.frame(s.pc, s.web, pg.ipv4(CLIENT, WEB, pg.PROTO_TCP, seg), caplen=ETH + 20 + 24)


@case("snap-dns-answer", "skip:caplen_short", "noskip:dns_malformed", DNS_AFTER)
def c_snap_dns(s):
    """A response cut inside its answers: cut, not malformed."""
    q = dns_query(s.ident(), "cut.mail-corp.de", "A")
    r = q.reply(answers=[A("cut.mail-corp.de", "195.201.17.%d" % i) for i in range(40, 44)])
    sport = s.pc.ephemeral_port()
    s.frame(s.pc, s.dns, s.udp4(q.to_bytes(), sport=sport))
    s.frame(s.dns, s.pc, s.udp4(r.to_bytes(), sport=sport, to_server=False),
            caplen=ETH + 20 + 8 + 50)


@case("snap-ipv4-fragment", "skip:caplen_short", DNS_AFTER)
def c_snap_frag(s):
    dgram = pg.udp(RESOLVER, CLIENT, 53, 40200, b"\0" * 3000)
    frags = pg.ipv4_fragments(RESOLVER, CLIENT, pg.PROTO_UDP, dgram, ident=0x4242)
    s.frame(s.dns, s.pc, frags[0], caplen=200)
    for f in frags[1:]:
        s.frame(s.dns, s.pc, f)


@case("snap-http-segment", "skip:caplen_short", "skip:tcp_gap", HTTP_AFTER, DNS_AFTER)
def c_snap_http(s):
    """The first segment of a request cut by the snaplen: the rest of that request is lost,
    the next request on the same connection is read."""
    sess = s.session(s.web, 80).open()
    req = pg.http_request("GET", "/" + "a" * 1800, "cut.mail-corp.de")
    sess._pace(sess.client)
    seq = sess.seq[sess.client]
    sport, dport = sess._ports(sess.client)
    first, rest = req[:1400], req[1400:]
    seg = pg.tcp(CLIENT, WEB, sport, dport, seq, sess.seq[sess.server], pg.TCP_ACK, first)
    s.frame(s.pc, s.web, pg.ipv4(CLIENT, WEB, pg.PROTO_TCP, seg, df=True), caplen=ETH + 40 + 300)
    sess.segment(sess.client, seq + len(first), pg.TCP_ACK | pg.TCP_PSH, rest)
    sess.seq[sess.client] = seq + len(req)
    sess.ack(sess.server)
    sess.server_send(pg.http_response(404))
    sess.client_send(pg.http_request("GET", "/", "after.mail-corp.de"))
    sess.server_send(pg.http_response(200, body=b"ok"))
    sess.close()


# --- lying lengths in every header ---------------------------------------------------------------

@case("ipv4-totlen-beyond-frame", "skip:ip4_totlen", "noevent:misroute.dns:odd.mail-corp.de",
      DNS_AFTER)
def c_ip4_totlen_long(s):
    """Total length 1000 in a frame that holds (and carried) 62 bytes of IP: a lie, not a cut."""
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes(), total_length=1000))


@case("ipv4-totlen-below-header", "skip:ip4_totlen", DNS_AFTER)
def c_ip4_totlen_short(s):
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes(), total_length=12))


@case("ipv4-ihl-below-5", "skip:ip4_hlen", DNS_AFTER)
def c_ip4_ihl_short(s):
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes(), ihl=3))


@case("ipv4-ihl-beyond-packet", "skip:ip4_hlen", DNS_AFTER)
def c_ip4_ihl_long(s):
    """IHL 15 (60 bytes) on a 36-byte packet."""
    s.frame(s.pc, s.dns, s.udp4(b"\x30\x01" * 4, ihl=15))


@case("ipv4-option-length", "skip:ip4_options", 'event:misroute.dns:"name":"opt.mail-corp.de"',
      DNS_AFTER)
def c_ip4_option_len(s):
    """An option whose length byte is 0: counted, and the packet is still read."""
    s.frame(s.pc, s.dns, s.udp4(s.query_bytes("opt.mail-corp.de"), options=b"\x07\x00\0\0"))


@case("ipv6-plen-beyond-frame", "skip:ip6_plen", "noevent:misroute.dns:odd.mail-corp.de",
      DNS_AFTER)
def c_ip6_plen_long(s):
    q = s.query_bytes()
    pkt = pg.ipv6(CLIENT6, RESOLVER6, pg.PROTO_UDP, pg.udp(CLIENT6, RESOLVER6, 41003, 53, q),
                  payload_length=1000)
    s.frame(s.pc6, s.dns6, pkt)


@case("ipv6-plen-zero", "skip:ip6_plen", DNS_AFTER)
def c_ip6_plen_zero(s):
    q = s.query_bytes()
    pkt = pg.ipv6(CLIENT6, RESOLVER6, pg.PROTO_UDP, pg.udp(CLIENT6, RESOLVER6, 41004, 53, q),
                  payload_length=0)
    s.frame(s.pc6, s.dns6, pkt)


@case("ipv6-extension-length", "skip:ip6_ext", DNS_AFTER)
def c_ip6_ext_len(s):
    """A Hop-by-Hop header whose length says 248 bytes."""
    q = s.query_bytes()
    body = (bytes([pg.PROTO_UDP, 30]) + b"\x01\x04\0\0\0\0"
            + pg.udp(CLIENT6, RESOLVER6, 41005, 53, q))
    s.frame(s.pc6, s.dns6, pg.ipv6(CLIENT6, RESOLVER6, pg.PROTO_HOPOPTS, body))


@case("ipv6-extension-chain", "skip:ip6_ext_depth", DNS_AFTER)
def c_ip6_ext_chain(s):
    """Forty Destination Options headers in a row."""
    q = s.query_bytes()
    body = pg.udp(CLIENT6, RESOLVER6, 41006, 53, q)
    nh = pg.PROTO_UDP
    for _ in range(40):
        body = pg.ipv6_options_header(nh) + body
        nh = pg.PROTO_DSTOPTS
    s.frame(s.pc6, s.dns6, pg.ipv6(CLIENT6, RESOLVER6, nh, body))


@case("udp-length-beyond-ip", "skip:udp_len", DNS_AFTER)
def c_udp_len_long(s):
    q = s.query_bytes()
    dgram = pg.udp(CLIENT, RESOLVER, 40300, 53, q, length=8 + len(q) + 400)
    s.frame(s.pc, s.dns, pg.ipv4(CLIENT, RESOLVER, pg.PROTO_UDP, dgram))


@case("udp-length-below-header", "skip:udp_len", DNS_AFTER)
def c_udp_len_short(s):
    q = s.query_bytes()
    dgram = pg.udp(CLIENT, RESOLVER, 40301, 53, q, length=3)
    s.frame(s.pc, s.dns, pg.ipv4(CLIENT, RESOLVER, pg.PROTO_UDP, dgram))


def tcp_offset(seg, words):
    """seg with its data offset forced to words."""
    return seg[:12] + bytes([words << 4 | (seg[12] & 0x0F)]) + seg[13:]


@case("tcp-offset-below-5", "skip:tcp_hlen", DNS_AFTER)
def c_tcp_off_short(s):
    seg = tcp_offset(pg.tcp(CLIENT, WEB, 40400, 80, 5000, 0, pg.TCP_SYN), 3)
    s.frame(s.pc, s.web, pg.ipv4(CLIENT, WEB, pg.PROTO_TCP, seg))


@case("tcp-offset-beyond-packet", "skip:tcp_hlen", DNS_AFTER)
def c_tcp_off_long(s):
    seg = tcp_offset(pg.tcp(CLIENT, WEB, 40401, 80, 5000, 0, pg.TCP_SYN), 15)
    s.frame(s.pc, s.web, pg.ipv4(CLIENT, WEB, pg.PROTO_TCP, seg))


def dns_header(ident, flags, qd, an, ns, ar):
    return struct.pack("!HHHHHH", ident, flags, qd, an, ns, ar)


QTAIL = struct.pack("!HH", 1, 1)


@case("dns-qdcount", "skip:dns_malformed", DNS_AFTER)
def c_dns_qdcount(s):
    """A query whose header says 40 questions and holds one."""
    msg = dns_header(s.ident(), 0x0100, 40, 0, 0, 0) + encode_name("qd.mail-corp.de") + QTAIL
    s.frame(s.pc, s.dns, s.udp4(msg))


@case("dns-ancount", "skip:dns_malformed", DNS_AFTER)
def c_dns_ancount(s):
    q = dns_query(s.ident(), "an.mail-corp.de", "A")
    r = q.reply(answers=[A("an.mail-corp.de", "195.201.17.61")]).to_bytes(counts=(1, 200, 0, 0))
    s.frame(s.dns, s.pc, s.udp4(r, to_server=False))


@case("dns-rdlength", "skip:dns_malformed", DNS_AFTER)
def c_dns_rdlength(s):
    """An A record whose RDLENGTH says 65535."""
    q = encode_name("rd.mail-corp.de") + QTAIL
    rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 0xFFFF) + bytes([195, 201, 17, 62])
    s.frame(s.dns, s.pc, s.udp4(dns_header(s.ident(), 0x8180, 1, 1, 0, 0) + q + rr,
                                to_server=False))


def dns_tcp_session(s):
    sess = s.session(s.dns, 53).open()
    return sess


@case("dns-tcp-prefix-below-header", "skip:dns_tcp_len", DNS_AFTER)
def c_dns_tcp_short(s):
    sess = dns_tcp_session(s)
    sess.client_send(struct.pack("!H", 5) + b"\x30\x01\x01\x00\x00")
    sess.close()


@case("dns-tcp-prefix-beyond-stream", "skip:tcp_unfinished", DNS_AFTER)
def c_dns_tcp_long(s):
    """A length prefix of 65535 before a 34-byte query, then the connection closes."""
    sess = dns_tcp_session(s)
    sess.client_send(struct.pack("!H", 0xFFFF) + s.query_bytes("tcplen.mail-corp.de"))
    sess.close()


@case("dns-tcp-prefix-overlaps-next", "skip:dns_tcp_len", "skip:tcp_unfinished",
      'event:misroute.dns:"name":"tcp1.mail-corp.de"', DNS_AFTER)
def c_dns_tcp_overlap(s):
    """A prefix that claims 20 bytes too many, eating into the next message: the first message
    is read, its trailing bytes give the lie away (counted); the framing of the rest of the
    connection is lost, which the end of the stream counts."""
    sess = dns_tcp_session(s)
    m1 = s.query_bytes("tcp1.mail-corp.de")
    m2 = s.query_bytes("tcpx.mail-corp.de")
    m3 = s.query_bytes("tcp2.mail-corp.de")
    sess.client_send(struct.pack("!H", len(m1) + 20) + m1 + struct.pack("!H", len(m2)) + m2)
    sess.client_send(struct.pack("!H", len(m3)) + m3)
    sess.close()


def http_exchange(s, request, *, after=True, response=None):
    """A connection carrying request (raw bytes), a 200 answer unless told, then (after) a
    clean request for after.mail-corp.de on a new connection."""
    sess = s.session(s.web, 80).open()
    sess.client_send(request)
    if response is not False:
        sess.server_send(response or pg.http_response(200, body=b"ok"))
    sess.close()
    if after:
        sess = s.session(s.web, 80).open()
        sess.client_send(pg.http_request("GET", "/", "after.mail-corp.de"))
        sess.server_send(pg.http_response(200, body=b"ok"))
        sess.close()


def raw_http(head_lines, body=b""):
    return b"".join(x + b"\r\n" for x in head_lines) + b"\r\n" + body


@case("http-content-length-negative", "skip:http_malformed", HTTP_AFTER, DNS_AFTER)
def c_http_cl_neg(s):
    http_exchange(s, raw_http([b"POST /upload HTTP/1.1", b"Host: cl.mail-corp.de",
                               b"Content-Length: -5"], b"hello"))


@case("http-content-length-overflow", "skip:http_malformed", HTTP_AFTER, DNS_AFTER)
def c_http_cl_overflow(s):
    http_exchange(s, raw_http([b"POST /upload HTTP/1.1", b"Host: cl.mail-corp.de",
                               b"Content-Length: 99999999999999999999999999"], b"hello"))


@case("http-content-length-conflict", "skip:http_malformed", HTTP_AFTER, DNS_AFTER)
def c_http_cl_conflict(s):
    http_exchange(s, raw_http([b"POST /upload HTTP/1.1", b"Host: cl.mail-corp.de",
                               b"Content-Length: 5", b"Content-Length: 7"], b"hello"))


@case("http-content-length-beyond-stream", "skip:tcp_unfinished",
      'event:misroute.http:"domain":"cl.mail-corp.de"', HTTP_AFTER, DNS_AFTER)
def c_http_cl_long(s):
    """A request announcing a 1 GB body that sends 5 bytes, then the connection closes: the
    request is still reported (its body cut short), the missing body counted."""
    http_exchange(s, raw_http([b"POST /upload HTTP/1.1", b"Host: cl.mail-corp.de",
                               b"Content-Length: 1000000000"], b"hello"), response=False)


@case("http-response-length-beyond-stream", "skip:tcp_unfinished",
      'event:misroute.http:"domain":"rl.mail-corp.de"', HTTP_AFTER, DNS_AFTER)
def c_http_rl_long(s):
    """A response announcing 4 GB and a second request pipelined: both requests reported."""
    sess = s.session(s.web, 80).open()
    sess.client_send(pg.http_request("GET", "/a", "rl.mail-corp.de")
                     + pg.http_request("GET", "/b", "rl.mail-corp.de"))
    sess.server_send(raw_http([b"HTTP/1.1 200 OK", b"Content-Length: 4000000000"], b"x" * 100))
    sess.close()
    http_exchange(s, pg.http_request("GET", "/", "after.mail-corp.de"), after=False)


def chunked(chunks_raw):
    return raw_http([b"HTTP/1.1 200 OK", b"Transfer-Encoding: chunked"], chunks_raw)


@case("http-chunk-size-invalid", "skip:http_malformed", HTTP_AFTER, DNS_AFTER)
def c_http_chunk_bad(s):
    http_exchange(s, pg.http_request("GET", "/", "chunk.mail-corp.de"),
                  response=chunked(b"zz\r\nhello\r\n0\r\n\r\n"))


@case("http-chunk-size-overflow", "skip:http_malformed", HTTP_AFTER, DNS_AFTER)
def c_http_chunk_overflow(s):
    http_exchange(s, pg.http_request("GET", "/", "chunk.mail-corp.de"),
                  response=chunked(b"fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n"))


@case("http-chunk-size-beyond-stream", "skip:tcp_unfinished",
      'event:misroute.http:"domain":"chunk.mail-corp.de"', HTTP_AFTER, DNS_AFTER)
def c_http_chunk_long(s):
    http_exchange(s, pg.http_request("GET", "/", "chunk.mail-corp.de"),
                  response=chunked(b"7fffffff\r\nhello"))


@case("http-chunk-line-long", "skip:http_malformed", HTTP_AFTER, DNS_AFTER)
def c_http_chunk_line(s):
    http_exchange(s, pg.http_request("GET", "/", "chunk.mail-corp.de"),
                  response=chunked(b"5;" + b"e" * 9000 + b"\r\nhello\r\n0\r\n\r\n"))


def tls_session(s, hello, *, port=443, after=True):
    """A connection whose client opens with hello (raw bytes), then a clean one."""
    sess = s.session(s.web, port).open()
    sess.client_send(hello)
    sess.server_send(pg.tls_server_flight(seed="m"))
    sess.close()
    if after:
        sess = s.session(s.web, port).open()
        sess.client_send(pg.tls_client_hello("after.mail-corp.de", seed="after"))
        sess.server_send(pg.tls_server_flight(seed="after"))
        sess.close()


def hello_parts(sni="tls.mail-corp.de"):
    """A ClientHello split into (record header, handshake header, body)."""
    rec = pg.tls_client_hello(sni, seed="parts")
    return rec[:5], rec[5:9], rec[9:]


@case("tls-record-length-beyond-stream", "skip:tcp_unfinished", TLS_AFTER, DNS_AFTER)
def c_tls_rec_long(s):
    """A record header announcing 16384 bytes before a 300-byte hello, then the close."""
    rh, hh, body = hello_parts()
    tls_session(s, rh[:3] + struct.pack("!H", 16384) + hh + body)


@case("tls-record-length-short", "skip:tls_malformed", TLS_AFTER, DNS_AFTER)
def c_tls_rec_short(s):
    """A record length of 10: the handshake message runs past its record."""
    rh, hh, body = hello_parts()
    tls_session(s, rh[:3] + struct.pack("!H", 10) + hh + body)


@case("tls-handshake-length", "skip:tls_malformed", TLS_AFTER, DNS_AFTER)
def c_tls_hs_long(s):
    """A handshake length of 2^24 - 1 inside one record."""
    rh, hh, body = hello_parts()
    tls_session(s, rh + hh[:1] + b"\xff\xff\xff" + body)


@case("tls-extension-length", "skip:tls_malformed", TLS_AFTER, DNS_AFTER)
def c_tls_ext_len(s):
    """The server_name extension's length says 0x7fff."""
    rh, hh, body = hello_parts()
    at = body.find(b"\x00\x00" + struct.pack("!H", len("tls.mail-corp.de") + 5))
    assert at > 0
    body = body[:at + 2] + b"\x7f\xff" + body[at + 4:]
    tls_session(s, rh + hh + body)


def mail_session(s, port, turns, *, after=None):
    """A mail connection playing turns, closed; then the clean one of that protocol."""
    sess = s.session(s.mail, port).open()
    sess.play(turns)
    sess.close()
    if after == "smtp":
        sess = s.session(s.mail, 25).open()
        sess.play(pg.smtp_dialogue("mx.mail-corp.de", "after-client"))
        sess.close()
    elif after == "imap":
        sess = s.session(s.mail, 143).open()
        sess.play(pg.imap_dialogue("imap.mail-corp.de", user="after@mail-corp.de",
                                   password="Secr3t-after"))
        sess.close()


SMTP_BANNER = ("S", b"220 mx.mail-corp.de ESMTP ready\r\n")
IMAP_BANNER = ("S", b"* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] imap.mail-corp.de ready\r\n")


@case("imap-literal-huge", "skip:mail_bad_value", IMAP_AFTER, DNS_AFTER)
def c_imap_lit_huge(s):
    mail_session(s, 143, [IMAP_BANNER, ("C", b"a1 LOGIN {99999999999999999999}\r\n"),
                          ("S", b"a1 BAD literal too big\r\n"),
                          ("C", b"a2 LOGOUT\r\n"), ("S", b"* BYE\r\na2 OK\r\n")], after="imap")


@case("imap-literal-beyond-stream", "skip:mail_bad_value", IMAP_AFTER, DNS_AFTER)
def c_imap_lit_long(s):
    """A user name literal of 1 GB announced (non-synchronising; longer than MAIL_MAX_VALUE,
    so counted and not reported) and 3 bytes sent before the close."""
    mail_session(s, 143, [IMAP_BANNER, ("C", b"a1 LOGIN {1000000000+}\r\nbob")], after="imap")


@case("smtp-bdat-huge", "skip:mail_bad_value", SMTP_AFTER, DNS_AFTER)
def c_smtp_bdat(s):
    mail_session(s, 25, [SMTP_BANNER, ("C", b"EHLO client.mail-corp.de\r\n"),
                         ("S", b"250-mx.mail-corp.de\r\n250 CHUNKING\r\n"),
                         ("C", b"MAIL FROM:<a@mail-corp.de>\r\n"), ("S", b"250 Ok\r\n"),
                         ("C", b"RCPT TO:<b@mail-corp.de>\r\n"), ("S", b"250 Ok\r\n"),
                         ("C", b"BDAT 99999999999999999999999 LAST\r\nhello"),
                         ("S", b"501 bad size\r\n"), ("C", b"QUIT\r\n"), ("S", b"221 Bye\r\n")],
                 after="smtp")


# --- DNS names that loop, chain or point forward ---------------------------------------------

@case("dns-pointer-loop", "skip:dns_malformed", DNS_AFTER)
def c_dns_loop(s):
    """An answer name that is a label then a pointer back to that label."""
    q = encode_name("loop.mail-corp.de") + QTAIL
    at = 12 + len(q)
    rr = b"\x01x" + struct.pack("!H", 0xC000 | at) + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4"
    s.frame(s.dns, s.pc, s.udp4(dns_header(s.ident(), 0x8180, 1, 1, 0, 0) + q + rr,
                                to_server=False))


@case("dns-pointer-self", "skip:dns_malformed", DNS_AFTER)
def c_dns_self(s):
    q = encode_name("self.mail-corp.de") + QTAIL
    at = 12 + len(q)
    rr = struct.pack("!H", 0xC000 | at) + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4"
    s.frame(s.dns, s.pc, s.udp4(dns_header(s.ident(), 0x8180, 1, 1, 0, 0) + q + rr,
                                to_server=False))


@case("dns-pointer-forward", "skip:dns_malformed", DNS_AFTER)
def c_dns_forward(s):
    """A question name pointing forward, at the answer."""
    qname = b"\x03fwd" + struct.pack("!H", 0xC000 | (12 + 6 + 4))
    rr = encode_name("mail-corp.de") + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4"
    s.frame(s.dns, s.pc, s.udp4(dns_header(s.ident(), 0x8180, 1, 1, 0, 0) + qname + QTAIL + rr,
                                to_server=False))


@case("dns-pointer-chain", "skip:dns_malformed", DNS_AFTER)
def c_dns_chain(s):
    """Sixty pointers, each pointing at the one before it (every hop backwards), ending at the
    question name: more hops than DNS_MAX_POINTERS."""
    q = encode_name("chain.mail-corp.de") + QTAIL
    rdata_at = 12 + len(q) + 2 + 10
    ptrs = struct.pack("!H", 0xC00C)
    for i in range(1, 60):
        ptrs += struct.pack("!H", 0xC000 | (rdata_at + 2 * (i - 1)))
    rr1 = b"\xc0\x0c" + struct.pack("!HHIH", 65280, 1, 60, len(ptrs)) + ptrs
    last = rdata_at + len(ptrs) - 2
    rr2 = struct.pack("!H", 0xC000 | last) + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4"
    msg = dns_header(s.ident(), 0x8180, 1, 2, 0, 0) + q + rr1 + rr2
    s.frame(s.dns, s.pc, s.udp4(msg, to_server=False))


# --- 64 KiB lines ---------------------------------------------------------------------------------

BIG = 64 << 10


@case("http-header-line-64k", "skip:http_head_cap", HTTP_AFTER, DNS_AFTER)
def c_http_hdr_64k(s):
    http_exchange(s, raw_http([b"GET / HTTP/1.1", b"Host: big.mail-corp.de",
                               b"X-Big: " + b"b" * BIG]))


@case("http-uri-64k", "skip:http_head_cap", HTTP_AFTER, DNS_AFTER)
def c_http_uri_64k(s):
    http_exchange(s, raw_http([b"GET /" + b"u" * BIG + b" HTTP/1.1", b"Host: big.mail-corp.de"]))


@case("http-header-line-20k-then-request", "skip:http_head_cap",
      'event:misroute.http:"domain":"next.mail-corp.de"', DNS_AFTER)
def c_http_hdr_20k_next(s):
    """A head over HTTP_MAX_HEADER_BYTES but within the stream depth, then a clean request on
    the same connection: that one is read. (After a 64 KiB line the next request lies past
    the default --stream-depth, which is counted as tcp_depth instead.)"""
    sess = s.session(s.web, 80).open()
    sess.client_send(raw_http([b"GET / HTTP/1.1", b"Host: big.mail-corp.de",
                               b"X-Big: " + b"b" * (20 << 10)]))
    sess.client_send(pg.http_request("GET", "/next", "next.mail-corp.de"))
    sess.server_send(pg.http_response(400) + pg.http_response(200, body=b"ok"))
    sess.close()


@case("smtp-line-64k", "skip:mail_line_cap", SMTP_AFTER, DNS_AFTER)
def c_smtp_64k(s):
    mail_session(s, 25, [SMTP_BANNER, ("C", b"EHLO " + b"h" * BIG + b"\r\n"),
                         ("S", b"500 line too long\r\n"), ("C", b"QUIT\r\n"),
                         ("S", b"221 Bye\r\n")], after="smtp")


@case("imap-line-64k", "skip:mail_line_cap", IMAP_AFTER, DNS_AFTER)
def c_imap_64k(s):
    mail_session(s, 143, [IMAP_BANNER, ("C", b"a1 LOGIN " + b"u" * BIG + b" pw\r\n"),
                          ("S", b"a1 BAD too long\r\n"), ("C", b"a2 LOGOUT\r\n"),
                          ("S", b"* BYE\r\na2 OK\r\n")], after="imap")


@case("smtp-reply-64k", "skip:mail_line_cap", SMTP_AFTER, DNS_AFTER)
def c_smtp_reply_64k(s):
    mail_session(s, 25, [("S", b"220 " + b"r" * BIG + b"\r\n"),
                         ("C", b"EHLO client.mail-corp.de\r\n"), ("S", b"250 ok\r\n"),
                         ("C", b"QUIT\r\n"), ("S", b"221 Bye\r\n")], after="smtp")


# --- invalid UTF-8 and NUL bytes in every name field -----------------------------------------

BAD = b"b\xffa\xc3(d"            # 0xff never starts UTF-8; C3 28 is a broken pair


@case("dns-qname-bytes", r'event:misroute.dns:"name":"b\\255a\\195(d\\000z.mail-corp.de"',
      DNS_AFTER)
def c_dns_qname(s):
    q = dns_query(s.ident(), [BAD + b"\x00z", b"mail-corp", b"de"], "A")
    s.frame(s.pc, s.dns, s.udp4(q.to_bytes()))


def http_req_bytes(host=b"names.mail-corp.de", target=b"/", ua=b"agent/1.0"):
    return raw_http([b"GET " + target + b" HTTP/1.1", b"Host: " + host, b"User-Agent: " + ua])


@case("http-host-bytes", r'event:misroute.http:"url":{"domain":"b\\xffa\\xc3(d\u0000.mail-corp.de"',
      HTTP_AFTER, DNS_AFTER)
def c_http_host(s):
    http_exchange(s, http_req_bytes(host=BAD + b"\x00.mail-corp.de", target=b"/host"))


@case("http-uri-bytes", r'event:misroute.http:"original":"/\\xffa\\xc3(d\u0000"', HTTP_AFTER,
      DNS_AFTER)
def c_http_uri(s):
    http_exchange(s, http_req_bytes(target=b"/" + b"\xffa\xc3(d\x00"))


@case("http-user-agent-bytes",
      r'event:misroute.http:"user_agent":{"original":"b\\xffa\\xc3(d\u0000"', HTTP_AFTER, DNS_AFTER)
def c_http_ua(s):
    http_exchange(s, http_req_bytes(ua=BAD + b"\x00"))


@case("tls-sni-bytes", r'event:misroute.tls:"server_name":"b\\255a\\195(d\\000.mail-corp.de"',
      TLS_AFTER, DNS_AFTER)
def c_tls_sni(s):
    tls_session(s, pg.tls_client_hello(BAD + b"\x00.mail-corp.de", seed="sni"))


@case("smtp-ehlo-bytes", r'event:misroute.mail:"helo":"b\\xffa\\xc3(d"', SMTP_AFTER, DNS_AFTER)
def c_smtp_ehlo(s):
    mail_session(s, 25, [SMTP_BANNER, ("C", b"EHLO " + BAD + b"\r\n"), ("S", b"250 ok\r\n"),
                         ("C", b"QUIT\r\n"), ("S", b"221 Bye\r\n")], after="smtp")


@case("smtp-ehlo-nul", "skip:mail_bad_value", SMTP_AFTER, DNS_AFTER)
def c_smtp_ehlo_nul(s):
    mail_session(s, 25, [SMTP_BANNER, ("C", b"EHLO ho\x00st\r\n"), ("S", b"250 ok\r\n"),
                         ("C", b"QUIT\r\n"), ("S", b"221 Bye\r\n")], after="smtp")


@case("smtp-mail-from-bytes", "skip:mail_bad_value", SMTP_AFTER, DNS_AFTER)
def c_smtp_from(s):
    mail_session(s, 25, [SMTP_BANNER, ("C", b"EHLO client.mail-corp.de\r\n"),
                         ("S", b"250 ok\r\n"),
                         ("C", b"MAIL FROM:<u\x00@" + BAD + b".mail-corp.de>\r\n"),
                         ("S", b"250 Ok\r\n"), ("C", b"QUIT\r\n"), ("S", b"221 Bye\r\n")],
                 after="smtp")


@case("smtp-mail-from-utf8",
      r'event:misroute.mail:"mail_from_domains":["b\\xffa\\xc3(d.mail-corp.de"]', SMTP_AFTER,
      DNS_AFTER)
def c_smtp_from_utf8(s):
    """Invalid UTF-8 without a NUL is reported, escaped."""
    mail_session(s, 25, [SMTP_BANNER, ("C", b"EHLO client.mail-corp.de\r\n"),
                         ("S", b"250 ok\r\n"),
                         ("C", b"MAIL FROM:<u@" + BAD + b".mail-corp.de>\r\n"),
                         ("S", b"250 Ok\r\n"), ("C", b"QUIT\r\n"), ("S", b"221 Bye\r\n")],
                 after="smtp")


@case("imap-login-bytes", r'event:misroute.mail:"user":{"name":"b\\xffa\\xc3(d@mail-corp.de"',
      IMAP_AFTER, DNS_AFTER)
def c_imap_login(s):
    mail_session(s, 143, [IMAP_BANNER, ("C", b"a1 LOGIN " + BAD + b"@mail-corp.de pw\r\n"),
                          ("S", b"a1 NO bad\r\n"), ("C", b"a2 LOGOUT\r\n"),
                          ("S", b"* BYE\r\na2 OK\r\n")], after="imap")


@case("imap-login-nul", "skip:mail_bad_value", IMAP_AFTER, DNS_AFTER)
def c_imap_login_nul(s):
    """A NUL can only travel in a literal."""
    mail_session(s, 143, [IMAP_BANNER, ("C", b"a1 LOGIN {8+}\r\nu\x00@x.org pw\r\n"),
                          ("S", b"a1 NO bad\r\n"), ("C", b"a2 LOGOUT\r\n"),
                          ("S", b"* BYE\r\na2 OK\r\n")], after="imap")


# --- writing ---------------------------------------------------------------------------------

def write_packet_case(path, fn):
    with PcapWriter(path) as pcap:
        s = Scene(pcap)
        s.lookup("before.mail-corp.de")
        fn(s)
        s.net.wait(50)
        s.lookup("after.mail-corp.de")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    good = good_capture()
    with open(os.path.join(out, "cases.tsv"), "w") as tsv:
        for name, kind, checks, fn in CASES:
            path = os.path.join(out, name + ".pcap")
            if kind == "file":
                with open(path, "wb") as f:
                    f.write(fn(good))
            else:
                write_packet_case(path, fn)
            tsv.write("%s\t%s\n" % (name, " ; ".join(checks)))


if __name__ == "__main__":
    main()

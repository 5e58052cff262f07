#!/usr/bin/env python3
r"""Writes the small captures behind misroute's golden tests of the DNS path.

Every capture is deterministic (byte-identical on every run). Client 192.168.50.10 and
fd00:50::10, resolver 192.168.50.53 and fd00:50::53; names under mail-corp.de (a plain,
non-reserved domain) so the DNS path is tested on its own. DNS ids count up from 0x1001 in
each file, in packet order. Prints nothing on success.

dns-udp.pcap        one UDP query and its response per case:
    0x1001 A WWW.Mail-Corp.DE (EDNS 1232) -> 2 A (195.201.17.20, .21), OPT 1232
    0x1002 AAAA www.mail-corp.de -> 2a01:4f8:c17:b8f::2, ::3
    0x1003 A autoconfig.mail-corp.de -> CNAME Mail.Mail-Corp.DE (compressed
           case-insensitively, so the wire reads Mail.mail-corp.de), A 195.201.17.11
    0x1004 MX mail-corp.de -> 10 mx1, 20 mx2 (+ additional A/AAAA), sent uncompressed
    0x1005 NS mail-corp.de -> ns1.mail-corp.de, ns2.dns-host.net
    0x1006 PTR 11.17.201.195.in-addr.arpa -> mail.mail-corp.de
    0x1007 SRV _imaps._tcp.mail-corp.de -> 0 1 993 imap.mail-corp.de, 10 1 993 imap2...
    0x1008 TXT mail-corp.de -> "v=spf1 mx -all"; "part one" "part \"two\" \\";
           "caf\xc3\xa9" "bad\xffbyte\x07" (UTF-8, a 0xff byte, a control byte)
    0x1009 SOA mail-corp.de -> ns1.mail-corp.de hostmaster.mail-corp.de 2026011401 ...
    0x100a A nosuchhost.mail-corp.de -> NXDOMAIN, SOA in authority
    0x100b AAAA mail-corp.de -> NOERROR, no answer (NODATA), SOA in authority
    0x100c NS . (the root, EDNS DO) -> a/b.root-servers.net, OPT 1232 DO
    0x100d A a\001b.mail-corp.de (a label holding byte 1) -> NXDOMAIN
    0x100e A dot\.inlabel.mail-corp.de (a label holding a '.') -> A 195.201.17.30
    0x100f CAA mail-corp.de -> 0 issue "letsencrypt.org"
    0x1010 HTTPS www.mail-corp.de -> 1 . alpn=h2
    0x1011 TYPE65280 mail-corp.de -> 4 bytes of RDATA, a type misroute does not decode: no data
    0x1012 A <63-byte label>.<...> (a 255-byte wire name, the legal maximum) -> NXDOMAIN
dns-tcp.pcap        DNS over TCP (192.168.50.10 -> 192.168.50.53:53)
    port 50001: handshake; one client segment with two queries (0x1001 A www.mail-corp.de,
    0x1002 MX mail-corp.de); response 0x1001 in three segments (1 byte, 20 bytes, rest: the
    first splits the length prefix); response 0x1002 in two segments sent out of order, then
    the first one retransmitted; FIN close.
    port 50002: picked up mid-stream (no handshake): 0x1003 AAAA www.mail-corp.de and its
    answer, 0x1004 TXT mail-corp.de and its answer; FIN close.
dns-vlan-v6.pcap    tagged and IPv6 DNS, a query and its response each:
    0x1001 A www.mail-corp.de, QinQ: 802.1ad (0x88a8) VLAN 100 + 802.1Q VLAN 20
    0x1002 AAAA www.mail-corp.de, 802.1Q VLAN 20
    0x1003 A mail.mail-corp.de, two 802.1Q (0x8100) tags, VLAN 200 + 30
    0x1004 AAAA www.mail-corp.de over IPv6, untagged
    0x1005 MX mail-corp.de over IPv6, 802.1Q VLAN 20
    0x1006 A www.mail-corp.de over IPv6, the query behind a Hop-by-Hop options header
dns-frag.pcap       large responses that only exist as IP fragments:
    0x1001 TXT big.mail-corp.de (EDNS 4096) -> ~3 KB of TXT, IPv4 fragments at MTU 1500,
           sent last, first, middle
    0x1002 TXT big.mail-corp.de over IPv6 -> the same, IPv6 fragments at MTU 1280, in order
    0x1003 A www.mail-corp.de, unfragmented
dns-hostile.pcap    broken packets, each between valid neighbours (0x1001 ... 0x1007, queries
                    and answers for okN.mail-corp.de -> 195.201.17.N, N = 1..7):
    0x2001 response whose answer name is a pointer to itself (compression loop)
    0x2002 response whose answer name is a label plus a pointer back to that label
    0x2003 response whose question name points forward into the answer
    0x2004 query with a label length byte of 64 (0x40)
    0x2005 query with a 300-byte name (labels all <= 63)
    0x2006 response whose header says 5 answers but holds 1
    0x2007 response cut by the snaplen inside its first answer (caplen < len)
    0x2008 query whose UDP length says 100 bytes more than there are; 0x2009 one saying 6
    0x200a query whose IPv4 IHL says 15 (60 bytes); 0x200b one saying 3
    0x200c query in an IPv4 packet with version 7; 0x200d an IPv4 packet in an IPv6 frame
    0x200e query whose IPv4 total length says 1000; 0x200f one saying 24
    0x2010 UDP to port 53 with a 5-byte payload (shorter than a DNS header)
    0x2011 response with a pointer beyond the end of the message
    ICMP echo request/reply, ICMP port unreachable quoting query 0x2012
link-types/         one query (0x1001 A www.mail-corp.de) and its response per link type:
    ethernet.pcap, raw-ipv4.pcap and raw-ipv6.pcap (LINKTYPE_RAW), ipv4.pcap (228),
    ipv6.pcap (229), linux-sll.pcap, linux-sll2.pcap, null.pcap (BSD loopback, IPv4 and
    IPv6 with family 30), loop.pcap (OpenBSD loopback), ppp.pcap
tunnels/            the same query and response, then 0x1002 A autodiscover.example.com ->
                    NXDOMAIN (an incident), as a monitoring fabric delivers them, each frame
                    wrapped by the carrier 10.99.0.1 -> 10.99.0.2 (VLAN 99 where Ethernet):
    gre.pcap (IP in GRE), erspan2.pcap (ERSPAN type II, sequence numbers), erspan3.pcap
    (type III with the platform subheader, over IPv6), vxlan.pcap (VNI 4660, the mirrored
    frames tagged VLAN 20), geneve.pcap (with 8 bytes of options, over IPv6), mpls.pcap
    (two labels, no carrier IP)
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import pcapgen as pg  # noqa: E402
from pcapgen import (A, AAAA, CNAME, MX, NS, NXDOMAIN, OPT, PTR, RAW, SOA, SRV, TXT,  # noqa: E402
                     Host, Network, PcapWriter, dns_lookup, dns_query, encode_name, utc_us)

CLIENT4, RESOLVER4 = "192.168.50.10", "192.168.50.53"
CLIENT6, RESOLVER6 = "fd00:50::10", "fd00:50::53"
ZONE_SOA = SOA("mail-corp.de", "ns1.mail-corp.de", "hostmaster.mail-corp.de", 2026011401,
               10800, 3600, 604800, 3600, ttl=3600)


def hosts(v6=False):
    """The client and the resolver (both on the capture's own subnet)."""
    if v6:
        return (Host(CLIENT6, ttl=64, mac="52:54:00:50:00:10", first_port=50001),
                Host(RESOLVER6, ttl=64, mac="52:54:00:50:00:53"))
    return (Host(CLIENT4, ttl=64, mac="52:54:00:50:00:10", first_port=50001),
            Host(RESOLVER4, ttl=64, mac="52:54:00:50:00:53"))


class Ids:
    """DNS transaction ids counting up from a base, one per query."""

    def __init__(self, base=0x1001):
        self.next = base

    def __call__(self):
        self.next += 1
        return self.next - 1


def exchange(net, client, resolver, ident, name, qtype, *, edns=None, **reply):
    """A query and its response (reply keywords go to DnsMessage.reply)."""
    q = dns_query(ident, name, qtype, edns=edns)
    r = q.reply(**reply)
    dns_lookup(net, client, resolver, q, r, rtt_ms=2.0)
    net.wait(10)


# --- dns-udp.pcap ---------------------------------------------------------------------------

def long_name():
    """A name of exactly 255 bytes on the wire: 3 labels of 63, one of 61, the root byte."""
    labels = [b"a" * 63, b"b" * 63, b"c" * 63, b"d" * 61]
    assert len(encode_name(labels)) == 255
    return labels


def write_udp(path):
    """All the record types and name oddities, one query/response pair each."""
    with PcapWriter(path) as pcap:
        net = Network(pcap, utc_us(2026, 1, 14, 8, 0, 0))
        c, r = hosts()
        nid = Ids()

        def ex(name, qtype, **kw):
            exchange(net, c, r, nid(), name, qtype, **kw)

        ex("WWW.Mail-Corp.DE", "A", edns=OPT(1232),
           answers=[A("WWW.Mail-Corp.DE", "195.201.17.20"),
                    A("WWW.Mail-Corp.DE", "195.201.17.21")], additional=[OPT(1232)])
        ex("www.mail-corp.de", "AAAA", answers=[AAAA("www.mail-corp.de", "2a01:4f8:c17:b8f::2"),
                                                AAAA("www.mail-corp.de", "2a01:4f8:c17:b8f::3")])
        ex("autoconfig.mail-corp.de", "A",
           answers=[CNAME("autoconfig.mail-corp.de", "Mail.Mail-Corp.DE", ttl=3600),
                    A("Mail.Mail-Corp.DE", "195.201.17.11", ttl=3600)])
        ex("mail-corp.de", "MX", compress=False,
           answers=[MX("mail-corp.de", 10, "mx1.mail-corp.de"),
                    MX("mail-corp.de", 20, "mx2.mail-corp.de")],
           additional=[A("mx1.mail-corp.de", "195.201.17.25"),
                       A("mx2.mail-corp.de", "195.201.17.26"),
                       AAAA("mx1.mail-corp.de", "2a01:4f8:c17:b8f::25")])
        ex("mail-corp.de", "NS", answers=[NS("mail-corp.de", "ns1.mail-corp.de"),
                                          NS("mail-corp.de", "ns2.dns-host.net")])
        ex("11.17.201.195.in-addr.arpa", "PTR",
           answers=[PTR("11.17.201.195.in-addr.arpa", "mail.mail-corp.de")])
        ex("_imaps._tcp.mail-corp.de", "SRV",
           answers=[SRV("_imaps._tcp.mail-corp.de", 0, 1, 993, "imap.mail-corp.de"),
                    SRV("_imaps._tcp.mail-corp.de", 10, 1, 993, "imap2.mail-corp.de")])
        ex("mail-corp.de", "TXT",
           answers=[TXT("mail-corp.de", "v=spf1 mx -all"),
                    TXT("mail-corp.de", ["part one", 'part "two" \\']),
                    TXT("mail-corp.de", [b"caf\xc3\xa9", b"bad\xffbyte\x07"])])
        ex("mail-corp.de", "SOA", answers=[ZONE_SOA], aa=True)
        ex("nosuchhost.mail-corp.de", "A", rcode=NXDOMAIN, authority=[ZONE_SOA])
        ex("mail-corp.de", "AAAA", authority=[ZONE_SOA])
        ex(".", "NS", edns=OPT(1232, do=True),
           answers=[NS(".", "a.root-servers.net", ttl=518400),
                    NS(".", "b.root-servers.net", ttl=518400)],
           additional=[OPT(1232, do=True)])
        ex([b"a\x01b", b"mail-corp", b"de"], "A", rcode=NXDOMAIN, authority=[ZONE_SOA])
        dotted = [b"dot.inlabel", b"mail-corp", b"de"]
        ex(dotted, "A", answers=[A(dotted, "195.201.17.30")])
        ex("mail-corp.de", "CAA",
           answers=[RAW("mail-corp.de", "CAA", b"\x00\x05issueletsencrypt.org", ttl=3600)])
        ex("www.mail-corp.de", "HTTPS",
           answers=[RAW("www.mail-corp.de", "HTTPS",
                        struct.pack("!H", 1) + b"\0" + struct.pack("!HH", 1, 3) + b"\x02h2")])
        ex("mail-corp.de", 65280, answers=[RAW("mail-corp.de", 65280, b"\x01\x02\x03\x04")])
        ex(long_name(), "A", rcode=NXDOMAIN, authority=[pg.SOA(".", "a.root-servers.net",
                                                              "nstld.verisign-grs.com",
                                                              2026011400, 1800, 900, 604800,
                                                              86400, ttl=86400)])


# --- dns-tcp.pcap ---------------------------------------------------------------------------

def write_tcp(path):
    """DNS over TCP: pipelined queries, split, reordered and retransmitted responses, and a
    connection picked up mid-stream."""
    with PcapWriter(path) as pcap:
        net = Network(pcap, utc_us(2026, 1, 14, 8, 10, 0))
        c, r = hosts()

        q1 = dns_query(0x1001, "www.mail-corp.de", "A")
        q2 = dns_query(0x1002, "mail-corp.de", "MX")
        r1 = q1.reply(answers=[A("www.mail-corp.de", "195.201.17.20")])
        r2 = q2.reply(answers=[MX("mail-corp.de", 10, "mx1.mail-corp.de"),
                               MX("mail-corp.de", 20, "mx2.mail-corp.de")],
                      additional=[A("mx1.mail-corp.de", "195.201.17.25"),
                                  A("mx2.mail-corp.de", "195.201.17.26")])
        s = pg.TcpSession(net, c, r, 53, sport=50001, rtt_ms=1.5).open()
        s.client_send(pg.dns_over_tcp(q1, q2))
        s.server_send(pg.dns_over_tcp(r1), sizes=[1, 20])
        s.server_send(pg.dns_over_tcp(r2), sizes=[40], order=[1, 0], retransmit=[0])
        s.close()

        net.wait(500)
        q3 = dns_query(0x1003, "www.mail-corp.de", "AAAA")
        q4 = dns_query(0x1004, "mail-corp.de", "TXT")
        s = pg.TcpSession(net, c, r, 53, sport=50002, rtt_ms=1.5)      # no open(): mid-stream
        s.client_send(pg.dns_over_tcp(q3), ack=False)
        s.server_send(pg.dns_over_tcp(q3.reply(
            answers=[AAAA("www.mail-corp.de", "2a01:4f8:c17:b8f::2")])))
        s.client_send(pg.dns_over_tcp(q4), ack=False)
        s.server_send(pg.dns_over_tcp(q4.reply(answers=[TXT("mail-corp.de", "v=spf1 mx -all")])))
        s.close()


# --- dns-vlan-v6.pcap -----------------------------------------------------------------------

def write_vlan_v6(path):
    """QinQ, 802.1Q and double-0x8100 tagged IPv4 DNS; IPv6 DNS plain, tagged and behind a
    Hop-by-Hop header."""
    with PcapWriter(path) as pcap:
        net = Network(pcap, utc_us(2026, 1, 14, 8, 20, 0))
        c, r = hosts()
        c6, r6 = hosts(v6=True)

        def tagged(client, resolver, ident, name, qtype, vlans, answers):
            q = dns_query(ident, name, qtype)
            sport = client.ephemeral_port()
            net.udp(client, sport, resolver, 53, q.to_bytes(), vlans=vlans)
            net.wait(2)
            net.udp(resolver, 53, client, sport, q.reply(answers=answers).to_bytes(),
                    vlans=vlans)
            net.wait(10)

        tagged(c, r, 0x1001, "www.mail-corp.de", "A", pg.qinq(100, 20),
               [A("www.mail-corp.de", "195.201.17.20")])
        tagged(c, r, 0x1002, "www.mail-corp.de", "AAAA", (20,),
               [AAAA("www.mail-corp.de", "2a01:4f8:c17:b8f::2")])
        tagged(c, r, 0x1003, "mail.mail-corp.de", "A", (200, 30),
               [A("mail.mail-corp.de", "195.201.17.11")])
        tagged(c6, r6, 0x1004, "www.mail-corp.de", "AAAA", (),
               [AAAA("www.mail-corp.de", "2a01:4f8:c17:b8f::2")])
        tagged(c6, r6, 0x1005, "mail-corp.de", "MX", (20,),
               [MX("mail-corp.de", 10, "mx1.mail-corp.de")])

        # A query behind a Hop-by-Hop options header (Router Alert would be odd; PadN only).
        q = dns_query(0x1006, "www.mail-corp.de", "A")
        sport = c6.ephemeral_port()
        dgram = pg.udp(c6.ip, r6.ip, sport, 53, q.to_bytes())
        hbh = pg.ipv6_options_header(pg.PROTO_UDP)
        net.send_ip(c6, r6, pg.ipv6(c6.ip, r6.ip, pg.PROTO_HOPOPTS, hbh + dgram))
        net.wait(2)
        net.udp(r6, 53, c6, sport,
                q.reply(answers=[A("www.mail-corp.de", "195.201.17.20")]).to_bytes())


# --- dns-frag.pcap --------------------------------------------------------------------------

def big_txt_reply(query):
    """A response of about 3 KB: twelve TXT records of 240 bytes."""
    answers = [TXT("big.mail-corp.de", ("%02d-" % i + "x" * 237)) for i in range(12)]
    return query.reply(answers=answers, additional=[OPT(4096)])


def write_frag(path):
    """A large UDP DNS response fragmented in IPv4 (out of order) and in IPv6 (in order)."""
    with PcapWriter(path) as pcap:
        net = Network(pcap, utc_us(2026, 1, 14, 8, 30, 0))
        c, r = hosts()
        c6, r6 = hosts(v6=True)

        q = dns_query(0x1001, "big.mail-corp.de", "TXT", edns=OPT(4096))
        sport = c.ephemeral_port()
        net.udp(c, sport, r, 53, q.to_bytes())
        net.wait(3)
        dgram = pg.udp(r.ip, c.ip, 53, sport, big_txt_reply(q).to_bytes())
        frags = pg.ipv4_fragments(r.ip, c.ip, pg.PROTO_UDP, dgram, mtu=1500,
                                  ident=r.next_ip_id(), ttl=r.ttl)
        for i in (2, 0, 1):
            net.send_ip(r, c, frags[i])
        net.wait(10)

        q = dns_query(0x1002, "big.mail-corp.de", "TXT", edns=OPT(4096))
        sport = c6.ephemeral_port()
        net.udp(c6, sport, r6, 53, q.to_bytes())
        net.wait(3)
        dgram = pg.udp(r6.ip, c6.ip, 53, sport, big_txt_reply(q).to_bytes())
        for frag in pg.ipv6_fragments(r6.ip, c6.ip, pg.PROTO_UDP, dgram, mtu=1280,
                                      ident=0x5eed0001, hop_limit=r6.ttl):
            net.send_ip(r6, c6, frag)
        net.wait(10)

        exchange(net, c, r, 0x1003, "www.mail-corp.de", "A",
                 answers=[A("www.mail-corp.de", "195.201.17.20")])


# --- dns-hostile.pcap -----------------------------------------------------------------------

def dns_header(ident, flags, qd, an, ns, ar):
    """A raw DNS header."""
    return struct.pack("!HHHHHH", ident, flags, qd, an, ns, ar)


RESPONSE_FLAGS = 0x8180          # QR, RD, RA, NOERROR
QUERY_FLAGS = 0x0100             # RD
QTAIL = struct.pack("!HH", 1, 1)                         # type A, class IN
A_RR_TAIL = struct.pack("!HHIH", 1, 1, 300, 4) + bytes([195, 201, 17, 99])


def loop_self():
    """Answer name = a pointer to its own offset."""
    q = encode_name("loop.mail-corp.de") + QTAIL
    at = 12 + len(q)
    return dns_header(0x2001, RESPONSE_FLAGS, 1, 1, 0, 0) + q + \
        struct.pack("!H", 0xC000 | at) + A_RR_TAIL


def loop_label():
    """Answer name = label 'x' then a pointer back to that label: x.x.x.x... forever."""
    q = encode_name("loop2.mail-corp.de") + QTAIL
    at = 12 + len(q)
    return dns_header(0x2002, RESPONSE_FLAGS, 1, 1, 0, 0) + q + b"\x01x" + \
        struct.pack("!H", 0xC000 | at) + A_RR_TAIL


def forward_pointer():
    """Question name = 'fwd' + a pointer forward to a name inside the answer's RDATA."""
    qname_len = 4 + 2
    answer_owner = encode_name("fwd.mail-corp.de")
    rdata_at = 12 + qname_len + 4 + len(answer_owner) + 10
    q = b"\x03fwd" + struct.pack("!H", 0xC000 | rdata_at) + QTAIL
    target = encode_name("mail-corp.de")
    answer = answer_owner + struct.pack("!HHIH", 5, 1, 300, len(target)) + target
    return dns_header(0x2003, RESPONSE_FLAGS, 1, 1, 0, 0) + q + answer


def label_64():
    """A query whose first label length byte is 64 (0x40, an obsolete extended label type)."""
    name = b"\x40" + b"a" * 64 + encode_name("mail-corp.de")
    return dns_header(0x2004, QUERY_FLAGS, 1, 0, 0, 0) + name + QTAIL


def name_300():
    """A query whose name is 300+ bytes on the wire though each label is legal."""
    labels = [bytes([c]) * 59 for c in b"pqrst"] + [b"mail-corp", b"de"]
    name = encode_name(labels)
    assert len(name) > 300
    return dns_header(0x2005, QUERY_FLAGS, 1, 0, 0, 0) + name + QTAIL


def ancount_lies():
    """A response whose header claims 5 answers and holds one."""
    q = dns_query(0x2006, "many.mail-corp.de", "A")
    r = q.reply(answers=[A("many.mail-corp.de", "195.201.17.99")])
    return r.to_bytes(counts=(1, 5, 0, 0))


def pointer_out_of_bounds():
    """A response whose answer name points past the end of the message."""
    q = encode_name("oob.mail-corp.de") + QTAIL
    return dns_header(0x2011, RESPONSE_FLAGS, 1, 1, 0, 0) + q + b"\xc3\xff" + A_RR_TAIL


def write_hostile(path):
    """Malformed DNS, lying lengths and odd IP packets, each between valid exchanges."""
    with PcapWriter(path) as pcap:
        net = Network(pcap, utc_us(2026, 1, 14, 8, 40, 0))
        c, r = hosts()
        valid = iter(range(1, 8))

        def ok():
            n = next(valid)
            name = "ok%d.mail-corp.de" % n
            exchange(net, c, r, 0x1000 + n, name, "A", answers=[A(name, "195.201.17.%d" % n)])

        def raw_udp(src, dst, sport, dport, payload, **udp_kw):
            """A UDP datagram as an IP packet from src (no oddity above UDP)."""
            return net.ip(src, dst, pg.PROTO_UDP,
                          pg.udp(src.ip, dst.ip, sport, dport, payload, **udp_kw))

        def from_resolver(payload):
            net.send_ip(r, c, raw_udp(r, c, 53, c.ephemeral_port(), payload))
            net.wait(5)

        def from_client(payload):
            net.send_ip(c, r, raw_udp(c, r, c.ephemeral_port(), 53, payload))
            net.wait(5)

        def odd_ipv4(ident, **ip_kw):
            """A normal query from the client in an IPv4 header with forced fields."""
            q = dns_query(ident, "odd.mail-corp.de", "A").to_bytes()
            dgram = pg.udp(c.ip, r.ip, c.ephemeral_port(), 53, q)
            net.send_ip(c, r, pg.ipv4(c.ip, r.ip, pg.PROTO_UDP, dgram, ttl=c.ttl,
                                      ident=c.next_ip_id(), **ip_kw))
            net.wait(5)

        ok()
        from_resolver(loop_self())
        from_resolver(loop_label())
        ok()
        from_resolver(forward_pointer())
        from_client(label_64())
        from_client(name_300())
        ok()
        from_resolver(ancount_lies())

        # A response cut by the snaplen inside its first answer.
        q = dns_query(0x2007, "cut.mail-corp.de", "A")
        resp = q.reply(answers=[A("cut.mail-corp.de", "195.201.17.%d" % i) for i in (40, 41, 42)])
        sport = c.ephemeral_port()
        net.udp(c, sport, r, 53, q.to_bytes())
        net.wait(2)
        net.udp(r, 53, c, sport, resp.to_bytes(), caplen=14 + 20 + 8 + 40)
        net.wait(5)
        ok()

        # UDP lengths that lie: longer than the datagram, then shorter than a UDP header.
        for ident, length in ((0x2008, None), (0x2009, 6)):
            q = dns_query(ident, "udplen.mail-corp.de", "A").to_bytes()
            net.send_ip(c, r, raw_udp(c, r, c.ephemeral_port(), 53, q,
                                      length=length if length else 8 + len(q) + 100))
            net.wait(5)

        odd_ipv4(0x200A, ihl=15)
        odd_ipv4(0x200B, ihl=3)
        ok()
        odd_ipv4(0x200C, version=7)
        # An IPv4 packet in a frame whose EtherType says IPv6.
        q = dns_query(0x200D, "odd.mail-corp.de", "A").to_bytes()
        pkt = raw_udp(c, r, c.ephemeral_port(), 53, q)
        pcap.write(net.now, pg.ethernet(r.mac, c.mac, pg.ETH_IPV6, pkt))
        net.wait(5)
        odd_ipv4(0x200E, total_length=1000)
        odd_ipv4(0x200F, total_length=24)
        from_client(b"\x20\x10\x01\x00\x00")
        ok()
        from_resolver(pointer_out_of_bounds())

        # ICMP: an echo exchange, then a port unreachable quoting a DNS query.
        net.send_ip(c, r, net.ip(c, r, pg.PROTO_ICMP,
                                 pg.icmp(8, 0, struct.pack("!HH", 0x4D52, 1), b"misroute" * 4)))
        net.wait(1)
        net.send_ip(r, c, net.ip(r, c, pg.PROTO_ICMP,
                                 pg.icmp(0, 0, struct.pack("!HH", 0x4D52, 1), b"misroute" * 4)))
        net.wait(5)
        q = dns_query(0x2012, "unreach.mail-corp.de", "A").to_bytes()
        quoted = raw_udp(c, r, c.ephemeral_port(), 53, q)
        net.send_ip(c, r, quoted)
        net.wait(1)
        net.send_ip(r, c, net.ip(r, c, pg.PROTO_ICMP, pg.icmp(3, 3, b"\0\0\0\0", quoted)))
        net.wait(5)
        ok()


# --- link-types/ ----------------------------------------------------------------------------

LINK_TYPES = (
    ("ethernet.pcap", pg.LINKTYPE_ETHERNET, (False,)),
    ("raw-ipv4.pcap", pg.LINKTYPE_RAW, (False,)),
    ("raw-ipv6.pcap", pg.LINKTYPE_RAW, (True,)),
    ("ipv4.pcap", pg.LINKTYPE_IPV4, (False,)),
    ("ipv6.pcap", pg.LINKTYPE_IPV6, (True,)),
    ("linux-sll.pcap", pg.LINKTYPE_LINUX_SLL, (False,)),
    ("linux-sll2.pcap", pg.LINKTYPE_LINUX_SLL2, (False,)),
    ("null.pcap", pg.LINKTYPE_NULL, (False, True)),
    ("loop.pcap", pg.LINKTYPE_LOOP, (False,)),
    ("ppp.pcap", pg.LINKTYPE_PPP, (False,)),
)


def write_link_types(folder):
    """One tiny query/response capture per link type."""
    os.makedirs(folder, exist_ok=True)
    for name, linktype, families in LINK_TYPES:
        with PcapWriter(os.path.join(folder, name), linktype=linktype) as pcap:
            net = Network(pcap, utc_us(2026, 1, 14, 8, 50, 0), af_inet6=pg.AF_INET6_DARWIN)
            for v6 in families:
                c, r = hosts(v6)
                exchange(net, c, r, 0x1001, "www.mail-corp.de", "A",
                         answers=[A("www.mail-corp.de", "195.201.17.20")])


# --- tunnels/ ------------------------------------------------------------------------------

CARRIER4 = ("10.99.0.1", "10.99.0.2")
CARRIER6 = ("fd00:99::1", "fd00:99::2")
CARRIER_MACS = ("52:54:00:99:00:02", "52:54:00:99:00:01")


def inner_ip(frame):
    """The IP packet of an untagged Ethernet frame, and its ethertype."""
    return frame[14:], struct.unpack("!H", frame[12:14])[0]


def carrier(proto, payload, v6=False):
    """The carrier's frame: Ethernet tagged VLAN 99, IPv4 or IPv6, proto."""
    if v6:
        return pg.ethernet(*CARRIER_MACS, pg.ETH_IPV6,
                           pg.ipv6(*CARRIER6, proto, payload), vlans=(99,))
    return pg.ethernet(*CARRIER_MACS, pg.ETH_IPV4, pg.ipv4(*CARRIER4, proto, payload),
                       vlans=(99,))


def carrier_udp(dport, payload, v6=False):
    """A UDP datagram from the carrier to the tunnel port dport."""
    addrs = CARRIER6 if v6 else CARRIER4
    return carrier(pg.PROTO_UDP, pg.udp(*addrs, 49999, dport, payload), v6)


def counter():
    """A function counting up from 1: GRE sequence numbers."""
    n = [0]

    def next_seq():
        n[0] += 1
        return n[0]
    return next_seq


def gre_ip(frame):
    packet, ethertype = inner_ip(frame)
    return carrier(47, struct.pack("!HH", 0, ethertype) + packet)


def erspan2(seq):
    def wrap(frame):
        header = struct.pack("!HHI", 0x1000 | 20, 5, 9)  # version 1, VLAN 20, session 5
        return carrier(47, struct.pack("!HHI", 0x1000, 0x88BE, seq()) + header + frame)
    return wrap


def erspan3(seq):
    def wrap(frame):
        # version 2, session 5, a timestamp, the O bit and its 8-byte platform subheader
        header = struct.pack("!HHIHH", 0x2000, 5, 0x01020304, 0, 0x0001) + b"\x0a" * 8
        return carrier(47, struct.pack("!HHI", 0x1000, 0x22EB, seq()) + header + frame, True)
    return wrap


def vxlan(frame):
    tagged = frame[:12] + pg.vlan_tags((20,)) + frame[12:]
    return carrier_udp(4789, struct.pack("!II", 0x08000000, 0x1234 << 8) + tagged)


def geneve(frame):
    options = struct.pack("!HBB", 0x0102, 0x03, 0x01) + b"\x09" * 4
    header = struct.pack("!BBHI", len(options) // 4, 0, 0x6558, 42 << 8)
    return carrier_udp(6081, header + options + frame, True)


def mpls(frame):
    packet, _ = inner_ip(frame)
    labels = struct.pack("!II", 16 << 12 | 64, 17 << 12 | 0x100 | 64)
    return pg.ethernet(*CARRIER_MACS, 0x8847, labels + packet)


TUNNELS = (
    ("gre.pcap", lambda: gre_ip),
    ("erspan2.pcap", lambda: erspan2(counter())),
    ("erspan3.pcap", lambda: erspan3(counter())),
    ("vxlan.pcap", lambda: vxlan),
    ("geneve.pcap", lambda: geneve),
    ("mpls.pcap", lambda: mpls),
)


def write_tunnels(folder):
    """One small capture per tunnel: a lookup, and an autodiscover lookup for a reserved name."""
    os.makedirs(folder, exist_ok=True)
    for name, make_encap in TUNNELS:
        with PcapWriter(os.path.join(folder, name)) as pcap:
            net = Network(pcap, utc_us(2026, 1, 14, 8, 55, 0), encap=make_encap())
            c, r = hosts()
            exchange(net, c, r, 0x1001, "www.mail-corp.de", "A",
                     answers=[A("www.mail-corp.de", "195.201.17.20")])
            exchange(net, c, r, 0x1002, "autodiscover.example.com", "A", rcode=NXDOMAIN)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    write_udp(os.path.join(out, "dns-udp.pcap"))
    write_tcp(os.path.join(out, "dns-tcp.pcap"))
    write_vlan_v6(os.path.join(out, "dns-vlan-v6.pcap"))
    write_frag(os.path.join(out, "dns-frag.pcap"))
    write_hostile(os.path.join(out, "dns-hostile.pcap"))
    write_link_types(os.path.join(out, "link-types"))
    write_tunnels(os.path.join(out, "tunnels"))


if __name__ == "__main__":
    main()

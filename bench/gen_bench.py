#!/usr/bin/env python3
"""Writes the large, realistic mixed capture misroute's benchmark replays.

    python3 bench/gen_bench.py build/bench/mixed.pcap [--packets 1000000] [--seed 1] [-v]
    python3 bench/gen_bench.py build/bench/flood.pcap --flood [N]

Mixed mode: thousands of clients (IPv4 and IPv6, about 10% behind 802.1Q tags) behind four
resolvers, talking to a few thousand synthetic servers: DNS over UDP (A, AAAA, CNAME chains,
SRV, NXDOMAIN), HTTP/1.1 request/response, TLS 1.2/1.3 ClientHellos with server flights
(about one in ten ClientHellos split over two segments), short SMTP/IMAP/POP3 sessions
(plaintext logins and STARTTLS), and bulk TCP transfers in 1448-byte segments with ACKs
carrying about 70% of the bytes. About 0.5% of names are under reserved domains
(*.example.com, autodiscover.example.org, *.test). Exactly --packets packets, in timestamp
order. Flood mode: N distinct TCP SYN-only flows, for the memory benchmark.

Deterministic: the same arguments always give the same bytes (fixed seed, no wall clock).
Speed comes from templates: every DNS message, TLS flight and mail dialogue is built once by
pcapgen and reused; frames are assembled from per-flow precomputed headers, with checksums
computed arithmetically from cached partial sums.
"""

import argparse
import heapq
import os
import random
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

import pcapgen as pg  # noqa: E402

START_US = pg.utc_us(2026, 2, 2, 14, 0, 0)
SESSIONS_PER_SECOND = 1500            # about 16,000 packets per second of capture time
GATEWAY_MAC = pg.GATEWAY_MAC
SYN, ACK, PSH, FIN = pg.TCP_SYN, pg.TCP_ACK, pg.TCP_PSH, pg.TCP_FIN
SYN_OPTS = pg.tcp_syn_options(1460)
SEG = 1448                            # payload of a full segment with timestamps

# --- Frames -------------------------------------------------------------------------------

_pack_tcp = struct.Struct("!HHIIBBHHH").pack
_pack_ip4 = struct.Struct("!BBHHHBBH").pack
_pack_ip6 = struct.Struct("!IHBB").pack
_pack_udp = struct.Struct("!HHHH").pack
checksum_of = pg.checksum_of
sum16 = pg.sum16


class Payload:
    """Bytes with their checksum partial sum computed once."""
    __slots__ = ("data", "sum")

    def __init__(self, data):
        self.data = data
        self.sum = sum16(data)


EMPTY = Payload(b"")


class Endpoint:
    """An address as the wire shows it: packed address, MAC, TTL, VLAN tag bytes."""
    __slots__ = ("raw", "v6", "mac", "ttl", "tags")

    def __init__(self, ip, mac, ttl, vlan=0):
        self.raw = pg.ip_bytes(ip)
        self.v6 = len(self.raw) == 16
        self.mac, self.ttl = mac, ttl
        self.tags = struct.pack("!HH", pg.ETH_8021Q, vlan) if vlan else b""


class Flow:
    """One bidirectional flow's constant parts, precomputed so each frame costs a few packs.

    Direction 0 is client to server, 1 server to client. Keeps TCP sequence numbers and
    per-direction IPv4 identification counters.
    """
    __slots__ = ("v6", "eth", "addrs", "ttl", "ports", "ports_sum", "pseudo", "ipconst",
                 "ipid", "seq", "proto")

    def __init__(self, client, server, sport, dport, proto, rng):
        tags = client.tags or server.tags
        etype = struct.pack("!H", pg.ETH_IPV6 if client.v6 else pg.ETH_IPV4)
        self.v6 = client.v6
        self.proto = proto
        self.eth = (server.mac + client.mac + tags + etype, client.mac + server.mac + tags + etype)
        self.addrs = (client.raw + server.raw, server.raw + client.raw)
        self.ttl = (client.ttl, server.ttl)
        self.ports = ((sport, dport), (dport, sport))
        self.ports_sum = sport + dport
        self.pseudo = sum16(client.raw + server.raw) + proto    # same both ways
        if not self.v6:
            self.ipconst = tuple(sum16(_pack_ip4(0x45, 0, 0, 0, 0x4000 if proto == 6 else 0,
                                                 ttl, proto, 0) + self.addrs[d])
                                 for d, ttl in ((0, client.ttl), (1, server.ttl)))
            self.ipid = [rng.getrandbits(16), rng.getrandbits(16)]
        self.seq = [rng.getrandbits(32), rng.getrandbits(32)]

    def _ip(self, d, l4len):
        if self.v6:
            return _pack_ip6(0x60000000, l4len, self.proto, self.ttl[d]) + self.addrs[d]
        ident = self.ipid[d] = (self.ipid[d] + 1) & 0xFFFF
        tl = 20 + l4len
        return _pack_ip4(0x45, 0, tl, ident, 0x4000 if self.proto == 6 else 0, self.ttl[d],
                         self.proto, checksum_of(self.ipconst[d] + tl + ident)) + self.addrs[d]

    def tcp(self, d, flags, payload=EMPTY, opts=b"", win=64240):
        """One TCP frame in direction d; advances that direction's sequence number."""
        seq = self.seq[d]
        ack = self.seq[1 - d] if flags & ACK else 0
        hl = 20 + len(opts)
        l4len = hl + len(payload.data)
        total = (self.pseudo + l4len + self.ports_sum + (seq >> 16) + (seq & 0xFFFF)
                 + (ack >> 16) + (ack & 0xFFFF) + ((hl << 10) | flags) + win + payload.sum)
        if opts:
            total += sum16(opts)
        sp, dp = self.ports[d]
        seg = _pack_tcp(sp, dp, seq, ack, hl << 2, flags, win, checksum_of(total), 0)
        self.seq[d] = (seq + len(payload.data) + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF
        return self.eth[d] + self._ip(d, l4len) + seg + opts + payload.data

    def udp(self, d, data, data_sum):
        """One UDP frame in direction d."""
        length = 8 + len(data)
        sp, dp = self.ports[d]
        cs = checksum_of(self.pseudo + length + self.ports_sum + length + data_sum) or 0xFFFF
        return self.eth[d] + self._ip(d, length) + _pack_udp(sp, dp, length, cs) + data


# --- The population -----------------------------------------------------------------------

WORDS = ("shop", "news", "cloud", "media", "bank", "travel", "play", "photo", "data", "health",
         "auto", "home", "sport", "music", "learn", "food", "tech", "city", "green", "north")
TLDS = ("com", "com", "com", "net", "org", "de", "fr", "io", "co.uk", "com.br", "nl", "jp")
PREFIXES = ("www", "www", "www", "api", "cdn", "static", "img", "login", "m", "app", "video",
            "auth", "assets", "edge", "mail")
FIRST_OCTETS = (2, 5, 23, 31, 34, 35, 37, 45, 46, 52, 54, 62, 64, 66, 72, 77, 78, 81, 85, 88,
                91, 95, 104, 109, 128, 142, 145, 151, 157, 162, 176, 178, 185, 188, 193, 194,
                195, 212, 213, 216, 217)
RESERVED = (["host%d.example.com" % i for i in range(20)] + ["autodiscover.example.org",
            "autodiscover.example.com", "mail.example.com", "www.example.com"]
            + ["svc%d.test" % i for i in range(16)] + ["printer.test", "db01.test"])


class Host:
    """A server name and what DNS says about it."""
    __slots__ = ("name", "v4", "v6", "cname", "nx")

    def __init__(self, name, v4, v6, cname, nx=False):
        self.name, self.v4, self.v6, self.cname, self.nx = name, v4, v6, cname, nx


class World:
    """Clients, resolvers, servers and every template, drawn from one seeded generator."""

    def __init__(self, rng):
        self.rng = rng
        self.clients = self._clients()
        self.resolvers4 = [Endpoint("10.0.%d.53" % i, GATEWAY_MAC, 63) for i in range(4)]
        self.resolvers6 = [Endpoint("fd00:0:0:%x::53" % i, GATEWAY_MAC, 63) for i in range(4)]
        self.domains = ["%s%d.%s" % (rng.choice(WORDS), rng.randrange(1000), rng.choice(TLDS))
                        for _ in range(900)]
        self.hosts = self._hosts()
        self.reserved = [Host(n, [], [], None, nx=True) for n in RESERVED]
        # A popularity-skewed list to draw hosts from uniformly (Zipf-like).
        self.popular = rng.choices(self.hosts, weights=[1 / (r + 1) ** 0.9
                                                         for r in range(len(self.hosts))],
                                   k=30000)
        self.servers = {}
        self.templates = {}

    def _clients(self):
        """Thousands of clients: /24s in 10.0.0.0/8, 40% dual-stack, a tenth tagged."""
        rng, out = self.rng, []
        for i in range(6000):
            site, net, host = 1 + i % 20, (i // 20) % 30, 20 + i // 600     # all distinct
            vlan = (100 + site) if rng.random() < 0.10 else 0
            mac = bytes((0x02, 0x1C, site, net, host, i & 0xFF))
            ttl = 128 if rng.random() < 0.7 else 64
            v4 = Endpoint("10.%d.%d.%d" % (site, net, host), mac, ttl, vlan)
            v6 = (Endpoint("fd00:%x:%x::%x" % (site, net, host), mac, ttl, vlan)
                  if rng.random() < 0.4 else None)
            out.append((v4, v6))
        return out

    def _address4(self):
        rng = self.rng
        return "%d.%d.%d.%d" % (rng.choice(FIRST_OCTETS), rng.randrange(256), rng.randrange(256),
                                rng.randrange(1, 255))

    def _hosts(self):
        rng, out = self.rng, []
        for i in range(3000):
            domain = self.domains[i % len(self.domains)]
            name = "%s.%s" % (PREFIXES[(i // len(self.domains)) % len(PREFIXES)], domain)
            v4 = [self._address4() for _ in range(rng.choice((1, 1, 2, 4)))]
            v6 = (["2a%02x:%x:%x::%x" % (rng.randrange(16), rng.randrange(65536),
                                         rng.randrange(65536), rng.randrange(1, 65535))]
                  if rng.random() < 0.5 else [])
            cname = ("%s.cdn%d.%s" % (name.split(".")[1], rng.randrange(40),
                                      rng.choice(("akamaiedge.net", "cloudfront.net",
                                                  "fastly.net", "azureedge.net")))
                     if rng.random() < 0.25 else None)
            out.append(Host(name, v4, v6, cname))
        return out

    # -- picks -----------------------------------------------------------------------------

    def host(self):
        """A server name, now and then one under a reserved domain."""
        if self.rng.random() < 0.005:
            return self.rng.choice(self.reserved)
        return self.rng.choice(self.popular)

    def server(self, host, v6):
        """The Endpoint of a host (v6: its IPv6 address); reserved names get some address."""
        key = (host.name, v6)
        ep = self.servers.get(key)
        if ep is None:
            addrs = host.v6 if v6 else host.v4
            ip = addrs[0] if addrs else (self._address4() if not v6 else "2a05:d01c::%x"
                                         % self.rng.randrange(1, 65535))
            ep = self.servers[key] = Endpoint(ip, GATEWAY_MAC, self.rng.choice((44, 52, 56, 113,
                                                                                 116, 119)))
        return ep

    def client(self, want_v6):
        """A client Endpoint pair (v4, v6 or None) and the side to use."""
        v4, v6 = self.rng.choice(self.clients)
        return v6 if (want_v6 and v6 is not None) else v4

    # -- templates (built once, by pcapgen) ------------------------------------------------

    def template(self, key, build):
        t = self.templates.get(key)
        if t is None:
            t = self.templates[key] = build()
        return t

    def dns(self, host, qtype):
        """(query tail, its sum, response tail, its sum): the messages without their id."""
        def build():
            q = pg.dns_query(0, host.name, qtype)
            if host.nx:
                r = q.reply(rcode=pg.NXDOMAIN, authority=[pg.SOA(
                    host.name.split(".", 1)[-1] if host.name.count(".") > 1 else host.name,
                    "ns.icann.org", "noc.dns.icann.org", 2026010101, ttl=3600)])
            elif qtype == "SRV":
                r = q.reply(answers=[pg.SRV(host.name, 0, 1, 993,
                                            "imap." + host.name.split(".", 2)[-1])])
            else:
                answers, owner = [], host.name
                if host.cname:
                    answers.append(pg.CNAME(owner, host.cname, ttl=300))
                    owner = host.cname
                rec = pg.A if qtype == "A" else pg.AAAA
                addrs = host.v4 if qtype == "A" else host.v6
                answers += [rec(owner, a, ttl=60) for a in addrs]
                r = q.reply(answers=answers, authority=[] if answers else [pg.SOA(
                    host.name, "ns1." + host.name, "hostmaster." + host.name, 2026010101)])
            qb, rb = q.to_bytes()[2:], r.to_bytes()[2:]
            return qb, sum16(qb), rb, sum16(rb)
        return self.template(("dns", host.name, qtype), build)


# --- Sessions: generators of (timestamp, frame) -------------------------------------------

def dns_session(w, t):
    """One UDP query and its answer (A, AAAA, SRV; NXDOMAIN for reserved names)."""
    rng = w.rng
    r = rng.random()
    if r < 0.04:
        domain = rng.choice(w.domains)
        host = w.template(("srvhost", domain),
                          lambda: Host(rng.choice(("_autodiscover._tcp.", "_imaps._tcp.",
                                                   "_submission._tcp.")) + domain, [], [], None,
                                       nx=rng.random() < 0.5))
        qtype = "SRV"
    else:
        host = w.host()
        qtype = "AAAA" if r < 0.35 else "A"
    v6 = rng.random() < 0.5
    client = w.client(v6)
    resolver = rng.choice(w.resolvers6 if client.v6 else w.resolvers4)
    qb, qs, rb, rs = w.dns(host, qtype)
    flow = Flow(client, resolver, rng.randrange(49152, 65535), 53, pg.PROTO_UDP, rng)
    ident = rng.getrandbits(16)
    idb = struct.pack("!H", ident)
    yield t, flow.udp(0, idb + qb, ident + qs)
    yield t + rng.randrange(300, 40000), flow.udp(1, idb + rb, ident + rs)


def syn_opts_ts(val, ecr):
    """SYN options as Linux sends them: MSS, SACK-permitted, Timestamps, NOP, WS 7."""
    return struct.pack("!BBHBBBBIIBBBB", 2, 4, 1460, 4, 2, 8, 10, val & 0xFFFFFFFF,
                       ecr & 0xFFFFFFFF, 1, 3, 3, 7)


def handshake(flow, t, rtt, timestamps=None):
    """SYN, SYN/ACK, ACK (with timestamps=(client_val, server_val): TCP timestamps on);
    returns the frames with their times and the time after."""
    if timestamps:
        c, s = timestamps
        opts = (syn_opts_ts(c, 0), syn_opts_ts(s, c))
        last = ts_opt(c + rtt // 1000, s)
    else:
        opts, last = (SYN_OPTS, SYN_OPTS), b""
    return [(t, flow.tcp(0, SYN, opts=opts[0])), (t + rtt, flow.tcp(1, SYN | ACK, opts=opts[1])),
            (t + rtt + 30, flow.tcp(0, ACK, opts=last))], t + rtt + 60


def close(flow, t, rtt):
    """FIN/ACK, FIN/ACK, ACK from the client's side."""
    return [(t, flow.tcp(0, FIN | ACK)), (t + rtt, flow.tcp(1, FIN | ACK)),
            (t + rtt + 25, flow.tcp(0, ACK))]


def segments(data, mss=1460):
    """Payloads of at most mss bytes."""
    return [Payload(data[i:i + mss]) for i in range(0, len(data), mss)] or [EMPTY]


def send(flow, d, parts, t, gap=40):
    """Frames for the Payload parts in direction d, gap microseconds apart; PSH on the last."""
    out = []
    for i, p in enumerate(parts):
        out.append((t, flow.tcp(d, ACK | (PSH if i == len(parts) - 1 else 0), p)))
        t += gap
    return out, t


def http_session(w, t):
    """An HTTP/1.1 GET and a response of a few hundred bytes to a few KiB, then FIN."""
    rng = w.rng
    host = w.host()
    client = w.client(bool(host.v6) and rng.random() < 0.75)
    server = w.server(host, client.v6)
    flow = Flow(client, server, rng.randrange(49152, 65535), 80, pg.PROTO_TCP, rng)
    rtt = rng.randrange(2000, 90000)
    path = rng.choice(("/", "/index.html", "/api/v1/status", "/images/logo.png",
                       "/static/app.js", "/news/today", "/favicon.ico"))
    req = w.template(("http-req", host.name, path), lambda: segments(pg.http_request(
        "GET", path, host.name, [("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"),
                                 ("Accept", "*/*"), ("Connection", "keep-alive")])))
    size = rng.choice((180, 900, 2400, 5200))
    resp = w.template(("http-resp", size), lambda: segments(pg.http_response(
        200, [("Content-Type", "text/html; charset=utf-8"), ("Server", "nginx")],
        pg.pseudo_bytes("body%d" % size, size).hex()[:size])))
    frames, t = handshake(flow, t, rtt)
    out, t = send(flow, 0, req, t)
    frames += out
    out, t = send(flow, 1, resp, t + rtt)
    frames += out
    frames.append((t + 30, flow.tcp(0, ACK)))
    frames += close(flow, t + rng.randrange(1000, 200000), rtt)
    yield from frames


def tls_templates(w, sni, tls13, split):
    """ClientHello parts (one or two segments), server flight parts, client finish."""
    def build():
        ch = pg.tls_client_hello(sni, tls13=tls13, seed=sni)
        if split:
            cut = ch.index(sni.encode()) + len(sni) // 2        # inside the SNI name
            ch_parts = [Payload(ch[:cut]), Payload(ch[cut:])]
        else:
            ch_parts = [Payload(ch)]
        flight = segments(pg.tls_server_flight(tls13=tls13, seed=sni, cert_len=2800))
        fin = segments(pg.tls_client_finish(tls13=tls13, seed=sni))
        return ch_parts, flight, fin
    return w.template(("tls", sni, tls13, split), build)


APP_DATA = {}


def app_data(n):
    """An application_data record of n bytes (cached by size), as segments."""
    seg = APP_DATA.get(n)
    if seg is None:
        seg = APP_DATA[n] = segments(pg.tls_app_data(n, "bench%d" % n))
    return seg


def tls_session(w, t, dport=443, bulk=0):
    """A TLS connection: handshake, ClientHello (sometimes split), server flight, client
    finish, a request and a response; with bulk > 0 the response is bulk segments."""
    rng = w.rng
    host = w.host()
    client = w.client(bool(host.v6) and rng.random() < 0.75)
    server = w.server(host, client.v6)
    flow = Flow(client, server, rng.randrange(49152, 65535), dport, pg.PROTO_TCP, rng)
    rtt = rng.randrange(2000, 90000)
    tls13 = rng.random() < 0.7
    ch, flight, fin = tls_templates(w, host.name, tls13, rng.random() < 0.1)
    if bulk:
        stamps = (rng.getrandbits(31), rng.getrandbits(31))
        frames, t = handshake(flow, t, rtt, stamps)
        yield from frames
        yield from bulk_transfer(flow, t, rtt, bulk, stamps, ch, rng)
        return
    frames, t = handshake(flow, t, rtt)
    out, t = send(flow, 0, ch, t)
    frames += out
    out, t = send(flow, 1, flight, t + rtt)
    frames += out
    out, t = send(flow, 0, fin + app_data(rng.choice((90, 350, 700))), t + 200)
    frames += out
    out, t = send(flow, 1, app_data(rng.choice((200, 1300, 2600, 4200))), t + rtt)
    frames += out
    frames.append((t + 30, flow.tcp(0, ACK)))
    frames += close(flow, t + rng.randrange(1000, 300000), rtt)
    yield from frames


BULK_POOL = [Payload(pg.pseudo_bytes("bulk%d" % i, SEG)) for i in range(64)]


def bulk_transfer(flow, t, rtt, count, stamps, opener, rng):
    """After the client's opener (Payload parts), count full 1448-byte segments with TCP
    timestamps (stamps: the two sides' clock offsets), four in five downloads, the receiver
    ACKing every second segment, then FIN."""
    ts_c, ts_s = stamps
    t0 = t // 1000
    data_dir = 1 if rng.random() < 0.8 else 0
    gap = rng.randrange(60, 240)
    for p in opener:
        yield t, flow.tcp(0, ACK | PSH, p, opts=ts_opt(ts_c + t // 1000 - t0, ts_s))
        t += 40
    t += rtt
    pool = BULK_POOL
    k = rng.randrange(64)
    clocks = (ts_c, ts_s)
    sender, receiver = data_dir, 1 - data_dir
    for i in range(count):
        ms = t // 1000 - t0
        yield t, flow.tcp(sender, ACK, pool[(k + i) & 63],
                          opts=ts_opt(clocks[sender] + ms, clocks[receiver] + ms))
        if i & 1:
            yield t + 35, flow.tcp(receiver, ACK,
                                   opts=ts_opt(clocks[receiver] + ms, clocks[sender] + ms))
        t += gap
    for when, frame in close(flow, t + 200, rtt):
        yield when, frame


def ts_opt(val, ecr):
    """NOP, NOP, Timestamps."""
    return struct.pack("!BBBBII", 1, 1, 8, 10, val & 0xFFFFFFFF, ecr & 0xFFFFFFFF)


def bulk_session(w, t):
    """A bulk transfer: HTTPS (ClientHello first) or plain HTTP, 30 to 200 segments."""
    rng = w.rng
    count = rng.randrange(30, 200)
    if rng.random() < 0.6:
        yield from tls_session(w, t, 443, bulk=count)
        return
    host = w.host()
    client = w.client(bool(host.v6) and rng.random() < 0.75)
    server = w.server(host, client.v6)
    flow = Flow(client, server, rng.randrange(49152, 65535), rng.choice((80, 8080)),
                pg.PROTO_TCP, rng)
    rtt = rng.randrange(2000, 60000)
    stamps = (rng.getrandbits(31), rng.getrandbits(31))
    frames, t = handshake(flow, t, rtt, stamps)
    yield from frames
    req = w.template(("bulk-req", host.name), lambda: [Payload(pg.http_request(
        "GET", "/download/update-%d.bin" % rng.randrange(100), host.name,
        [("User-Agent", "Microsoft-Delivery-Optimization/10.0")]))])
    yield from bulk_transfer(flow, t, rtt, count, stamps, req, rng)


MAIL_USERS = ["%s.%s@%s" % (a, b, d) for a in ("anna", "ben", "chen", "dana", "eli", "femi")
              for b in ("k", "m", "s") for d in ("corp-mail.de", "firma.de", "example.com",
                                                 "acme-corp.com", "uni-nord.de", "shop24.net")]


def mail_session(w, t):
    """A short SMTP, IMAP or POP3 session: a plaintext login, or STARTTLS and a ClientHello."""
    rng = w.rng
    proto = rng.choice(("smtp", "smtp", "imap", "imap", "pop3"))
    user = rng.choice(MAIL_USERS)
    if user.endswith("example.com") and rng.random() < 0.9:
        user = user.replace("example.com", "firma.de")
    domain = user.split("@")[1]
    starttls = rng.random() < 0.6
    server_name = {"smtp": "smtp.", "imap": "imap.", "pop3": "pop."}[proto] + domain
    dport = {"smtp": rng.choice((25, 587)), "imap": 143, "pop3": 110}[proto]

    def build():
        password = "Pw-%d" % rng.randrange(10 ** 6)
        if proto == "smtp":
            turns = pg.smtp_dialogue(server_name, "ws-%d" % rng.randrange(900), user=user,
                                     password=password, auth=rng.choice(("PLAIN", "LOGIN")),
                                     starttls=starttls)
        elif proto == "imap":
            turns = pg.imap_dialogue(server_name, user=user, password=password,
                                     starttls=starttls)
        else:
            turns = pg.pop3_dialogue(server_name, user=user, password=password,
                                     starttls=starttls)
        out = [(0 if side == "C" else 1, segments(data)) for side, data in turns]
        if starttls:
            out.append((0, [Payload(pg.tls_client_hello(server_name, alpn=(), seed=server_name))]))
            out.append((1, segments(pg.tls_server_flight(seed=server_name, cert_len=1800))))
        return out
    turns = w.template(("mail", proto, user, starttls, dport), build)
    client = w.client(False)
    server = w.template(("mail-server", server_name),
                        lambda: Endpoint(w._address4(), GATEWAY_MAC, rng.choice((48, 52, 57))))
    flow = Flow(client, server, rng.randrange(49152, 65535), dport, pg.PROTO_TCP, rng)
    rtt = rng.randrange(2000, 60000)
    frames, t = handshake(flow, t, rtt)
    last = None
    for d, parts in turns:
        if last is not None:
            t += rtt if d == 1 else 800
        out, t = send(flow, d, parts, t)
        frames += out
        last = d
    frames.append((t + 30, flow.tcp(1 - last, ACK)))
    frames += close(flow, t + 5000, rtt)
    yield from frames


# Session kinds with their weights (per 1000 sessions).
KINDS = ((dns_session, 590), (http_session, 120), (tls_session, 230), (mail_session, 30),
         (bulk_session, 30))


def session_picker(rng):
    """A function drawing the next session kind by weight."""
    table = [kind for kind, weight in KINDS for _ in range(weight)]
    return lambda: table[rng.randrange(len(table))]


# --- Writing ------------------------------------------------------------------------------

class Writer:
    """A pcap writer batching records for speed."""

    def __init__(self, path):
        self.file = open(path, "wb")
        self.file.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535,
                                    pg.LINKTYPE_ETHERNET))
        self.buf = []
        self.packets = 0
        self.bytes = 0
        self._rec = struct.Struct("<IIII").pack

    def write(self, ts, frame):
        n = len(frame)
        self.buf.append(self._rec(ts // 1_000_000, ts % 1_000_000, n, n))
        self.buf.append(frame)
        self.packets += 1
        self.bytes += n
        if len(self.buf) >= 8192:
            self.file.write(b"".join(self.buf))
            self.buf = []

    def close(self):
        self.file.write(b"".join(self.buf))
        self.file.close()


def write_mixed(path, packets, seed):
    """The mixed capture: sessions start at random (seeded) times; their packets are merged
    in timestamp order until exactly `packets` are written."""
    rng = random.Random(seed)
    world = World(rng)
    pick = session_picker(rng)
    out = Writer(path)
    heap, order = [], 0
    next_start = START_US
    mean_gap = 1_000_000 / SESSIONS_PER_SECOND
    push, pop = heapq.heappush, heapq.heappop
    while out.packets < packets:
        if not heap or next_start <= heap[0][0]:
            gen = pick()(world, next_start)
            first = next(gen, None)
            if first is not None:
                push(heap, (first[0], order, first[1], gen))
                order += 1
            next_start += int(rng.expovariate(1.0) * mean_gap) + 1
            continue
        ts, _, frame, gen = pop(heap)
        out.write(ts, frame)
        nxt = next(gen, None)
        if nxt is not None:
            push(heap, (nxt[0], order, nxt[1], gen))
            order += 1
    out.close()
    return out


def write_flood(path, flows, seed):
    """flows distinct TCP SYN-only flows, 10 microseconds apart: source i+1 counts up through
    10.0.0.0/8 with port 1024 + (i * 7919) mod 64000, destinations are 256 servers on 443 or
    80. Frames are assembled directly (no Flow object) to keep a million of them quick."""
    rng = random.Random(seed)
    out = Writer(path)
    servers = []
    for _ in range(256):
        raw = pg.ip_bytes("%d.%d.%d.%d" % (rng.choice(FIRST_OCTETS), rng.randrange(256),
                                           rng.randrange(256), rng.randrange(1, 255)))
        servers.append((raw, sum16(raw)))
    opts_sum = sum16(SYN_OPTS)
    ip_const = sum16(_pack_ip4(0x45, 0, 52, 0, 0x4000, 64, pg.PROTO_TCP, 0))
    syn_word = (32 << 10) | SYN
    t = START_US
    for i in range(flows):
        n = i + 1
        src = bytes((10, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF))
        src_sum = (10 << 8) + ((n >> 16) & 0xFF) + (n & 0xFFFF)
        dst, dst_sum = servers[i & 255]
        sport, dport = 1024 + (i * 7919) % 64000, 443 if i & 1 else 80
        seq = rng.getrandbits(32)
        ident = rng.getrandbits(16)
        tcp_sum = (src_sum + dst_sum + pg.PROTO_TCP + 32 + sport + dport + (seq >> 16)
                   + (seq & 0xFFFF) + syn_word + 64240 + opts_sum)
        frame = (GATEWAY_MAC + b"\x02\xf1" + src + struct.pack("!H", pg.ETH_IPV4)
                 + _pack_ip4(0x45, 0, 52, ident, 0x4000, 64, pg.PROTO_TCP,
                             checksum_of(ip_const + ident + src_sum + dst_sum))
                 + src + dst
                 + _pack_tcp(sport, dport, seq, 0, 0x80, SYN, 64240, checksum_of(tcp_sum), 0)
                 + SYN_OPTS)
        out.write(t, frame)
        t += 10
    out.close()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("output", help="the pcap file to write")
    ap.add_argument("--packets", type=int, default=1_000_000, help="packets (mixed mode)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--flood", type=int, nargs="?", const=1_000_000, default=None,
                    metavar="N", help="write N SYN-only flows instead (default 1,000,000)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print a summary on stderr")
    args = ap.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    began = time.perf_counter()      # for the -v summary only; never in the output
    if args.flood is not None:
        out = write_flood(args.output, args.flood, args.seed)
    else:
        out = write_mixed(args.output, args.packets, args.seed)
    if args.verbose:
        print("%s: %d packets, %d bytes, %.1f s" % (args.output, out.packets, out.bytes,
                                                   time.perf_counter() - began), file=sys.stderr)


if __name__ == "__main__":
    main()

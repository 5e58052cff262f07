"""pcapgen: build small, deterministic classic pcap files for misroute's samples and tests.

Python 3 standard library only. Nothing here reads the wall clock or an unseeded random
source: the same calls always give the same bytes.

Layers, bottom up:

* ``PcapWriter``     -- the classic pcap file (microsecond timestamps), any link type.
* link framing       -- ``ethernet`` (with 802.1Q / QinQ tags), ``linux_sll``, ``linux_sll2``,
                        ``bsd_null``, ``ppp``; raw IP needs none.
* ``ipv4``/``ipv6``  -- IP packets with correct header checksum; fragmentation helpers.
* ``udp``/``tcp``/``icmp`` -- transport segments with correct checksums.
* ``Host``, ``Network``, ``TcpSession`` -- endpoints, a clock and a link, a TCP connection
                        with sequence numbers kept right.
* payload builders   -- DNS messages, TLS ClientHello and server flights, SMTP/IMAP/POP3
                        dialogues, HTTP/1.1 messages.

Typical use::

    with PcapWriter("out.pcap") as pcap:
        net = Network(pcap, start=utc_us(2026, 1, 14, 9, 0, 0))
        pc = Host("10.1.20.33", ttl=128)
        dns = Host("10.1.0.53")
        q = dns_query(0x1234, "example.net", "A")
        dns_lookup(net, pc, dns, q, q.reply(answers=[A("example.net", "192.0.2.1")]))
"""

import base64
import calendar
import functools
import hashlib
import ipaddress
import os
import struct
import time

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------

LINKTYPE_NULL = 0          # BSD loopback: 4-byte address family in the writer's byte order
LINKTYPE_ETHERNET = 1
LINKTYPE_PPP = 9
LINKTYPE_RAW = 101         # raw IPv4 or IPv6, told apart by the version nibble
LINKTYPE_LOOP = 108        # OpenBSD loopback: 4-byte address family, network byte order
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

ETH_IPV4 = 0x0800
ETH_ARP = 0x0806
ETH_8021Q = 0x8100
ETH_8021AD = 0x88A8        # the outer (service) tag of QinQ
ETH_IPV6 = 0x86DD

PROTO_HOPOPTS = 0
PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_IPV6_FRAG = 44
PROTO_ICMPV6 = 58
PROTO_DSTOPTS = 60

TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# The MAC every off-link address is seen behind on a mirror port.
GATEWAY_MAC = bytes.fromhex("00005e0001fe")


def utc_us(year, month, day, hour=0, minute=0, second=0, micro=0):
    """Microseconds since the epoch for a UTC calendar time (no wall clock involved)."""
    return calendar.timegm((year, month, day, hour, minute, second)) * 1_000_000 + micro


def pseudo_bytes(seed, n):
    """n bytes that look random, always the same for the same seed (str or bytes)."""
    if isinstance(seed, str):
        seed = seed.encode()
    return hashlib.shake_256(seed).digest(n) if n else b""


def stable_int(seed, bits=16):
    """A number of `bits` bits derived from seed, always the same for the same seed."""
    return int.from_bytes(pseudo_bytes(seed, (bits + 7) // 8), "big") & ((1 << bits) - 1)


# ---------------------------------------------------------------------------------------------
# The pcap file
# ---------------------------------------------------------------------------------------------

class PcapWriter:
    """Writes a classic little-endian pcap file (magic a1b2c3d4, version 2.4, microseconds).

    Use as a context manager or call close(). ``path`` may be a path or a binary file object.
    """

    def __init__(self, path, linktype=LINKTYPE_ETHERNET, snaplen=65535):
        self.linktype = linktype
        self.snaplen = snaplen
        self._own = isinstance(path, (str, os.PathLike))
        self.file = open(path, "wb") if self._own else path
        self.file.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        self.count = 0

    def write(self, ts_us, frame, orig_len=None, caplen=None):
        """Appends one record at time ts_us (integer microseconds since the epoch).

        caplen cuts the stored bytes (as a short snaplen would) while orig_len, by default
        the full frame length, still tells the length on the wire.
        """
        if orig_len is None:
            orig_len = len(frame)
        if caplen is not None:
            frame = frame[:caplen]
        sec, usec = divmod(ts_us, 1_000_000)
        self.file.write(struct.pack("<IIII", sec, usec, len(frame), orig_len))
        self.file.write(frame)
        self.count += 1

    def close(self):
        if self._own:
            self.file.close()
        else:
            self.file.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------------------------
# Checksums and addresses
# ---------------------------------------------------------------------------------------------

def sum16(data):
    """Ones' complement sum of data as big-endian 16-bit words, as a number modulo 0xffff.

    Sums of several parts can be added before checksum_of() as long as every part but the
    last has an even length. (2**16 = 1 mod 0xffff, so the big number's value modulo 0xffff
    is the sum of its 16-bit words modulo 0xffff; this is far faster than a loop.)
    """
    if len(data) & 1:
        data += b"\0"
    return int.from_bytes(data, "big") % 0xFFFF


def checksum_of(total):
    """The Internet checksum field for a sum of sum16() values over non-zero data."""
    total %= 0xFFFF
    return (~total & 0xFFFF) if total else 0


def inet_checksum(data):
    """The Internet checksum (RFC 1071) of data."""
    return checksum_of(sum16(data))


@functools.lru_cache(maxsize=65536)
def ip_bytes(addr):
    """The packed form of an IPv4 or IPv6 address given as text (bytes pass through)."""
    if isinstance(addr, bytes):
        return addr
    return ipaddress.ip_address(addr).packed


@functools.lru_cache(maxsize=4096)
def mac_bytes(text):
    """'02:00:0a:01:14:21' -> 6 bytes (bytes pass through)."""
    if isinstance(text, bytes):
        return text
    return bytes.fromhex(text.replace(":", "").replace("-", ""))


def pseudo_header_sum(src, dst, proto, length):
    """sum16 of the IPv4 or IPv6 pseudo-header used by UDP, TCP and ICMPv6 checksums."""
    s, d = ip_bytes(src), ip_bytes(dst)
    if len(s) == 4:
        return sum16(s + d + struct.pack("!BBH", 0, proto, length))
    return sum16(s + d + struct.pack("!IxxxB", length, proto))


# ---------------------------------------------------------------------------------------------
# Link layers
# ---------------------------------------------------------------------------------------------

def vlan_tags(vlans):
    """802.1Q tag bytes for vlans, outermost first. Each item is a VLAN id (tag 0x8100) or a
    (tpid, vid) or (tpid, vid, pcp) tuple; qinq() builds the usual service+customer pair."""
    out = b""
    for v in vlans:
        if isinstance(v, int):
            v = (ETH_8021Q, v)
        tpid, vid = v[0], v[1]
        pcp = v[2] if len(v) > 2 else 0
        out += struct.pack("!HH", tpid, (pcp << 13) | (vid & 0x0FFF))
    return out


def qinq(outer, inner):
    """An 802.1ad service tag (0x88a8) with VLAN outer around an 802.1Q tag with VLAN inner."""
    return ((ETH_8021AD, outer), (ETH_8021Q, inner))


def ethernet(dst, src, ethertype, payload, vlans=()):
    """An Ethernet II frame (no FCS), with optional 802.1Q/QinQ tags (see vlan_tags)."""
    header = mac_bytes(dst) + mac_bytes(src)
    if vlans:
        # Each tag is TPID + TCI; the real EtherType follows the last tag.
        tags = vlan_tags(vlans)
        return header + tags + struct.pack("!H", ethertype) + payload
    return header + struct.pack("!H", ethertype) + payload


def linux_sll(ethertype, payload, pkttype=0, addr=b"", hatype=1):
    """A Linux 'cooked' v1 frame (LINKTYPE_LINUX_SLL). pkttype 0 = to us, 4 = sent by us."""
    return struct.pack("!HHH8sH", pkttype, hatype, len(addr), addr.ljust(8, b"\0"),
                       ethertype) + payload


def linux_sll2(ethertype, payload, pkttype=0, addr=b"", ifindex=2, hatype=1):
    """A Linux 'cooked' v2 frame (LINKTYPE_LINUX_SLL2)."""
    return struct.pack("!HHIHBB8s", ethertype, 0, ifindex, hatype, pkttype, len(addr),
                       addr.ljust(8, b"\0")) + payload


AF_INET = 2
AF_INET6_BSD = 24          # NetBSD/OpenBSD value
AF_INET6_FREEBSD = 28
AF_INET6_DARWIN = 30


def bsd_null(family, payload, big_endian=False):
    """A BSD loopback frame: the address family as 4 bytes (LINKTYPE_NULL: the writer's
    byte order, here little-endian by default; LINKTYPE_LOOP: big_endian=True)."""
    return struct.pack(">I" if big_endian else "<I", family) + payload


def ppp(ip_packet):
    """A PPP frame in HDLC-like framing (address ff, control 03) carrying an IP packet."""
    proto = 0x0021 if ip_packet[0] >> 4 == 4 else 0x0057
    return struct.pack("!BBH", 0xFF, 0x03, proto) + ip_packet


# ---------------------------------------------------------------------------------------------
# IP
# ---------------------------------------------------------------------------------------------

def ipv4(src, dst, proto, payload, *, ident=0, ttl=64, tos=0, df=False, mf=False,
         frag_offset=0, options=b"", version=4, ihl=None, total_length=None, checksum=None):
    """An IPv4 packet: header (checksum computed) + payload.

    frag_offset is in bytes (a multiple of 8). version, ihl (in 32-bit words),
    total_length and checksum may be forced to wrong values for hostile tests.
    """
    options = options + b"\0" * (-len(options) % 4)
    header_len = 20 + len(options)
    if ihl is None:
        ihl = header_len // 4
    if total_length is None:
        total_length = header_len + len(payload)
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag_offset >> 3)
    header = struct.pack("!BBHHHBBH4s4s", (version << 4) | (ihl & 0x0F), tos, total_length,
                         ident & 0xFFFF, flags, ttl, proto, 0, ip_bytes(src), ip_bytes(dst))
    header += options
    if checksum is None:
        checksum = inet_checksum(header)
    return header[:10] + struct.pack("!H", checksum) + header[12:] + payload


def ipv6(src, dst, next_header, payload, *, hop_limit=64, traffic_class=0, flow_label=0,
         payload_length=None):
    """An IPv6 packet: fixed header + payload (which may start with extension headers)."""
    if payload_length is None:
        payload_length = len(payload)
    first = (6 << 28) | (traffic_class << 20) | (flow_label & 0xFFFFF)
    return struct.pack("!IHBB16s16s", first, payload_length, next_header, hop_limit,
                       ip_bytes(src), ip_bytes(dst)) + payload


def ipv6_options_header(next_header, options=b""):
    """A Hop-by-Hop or Destination Options extension header, padded with PadN to 8 bytes."""
    pad = -(len(options) + 2) % 8
    if pad == 1:
        options += b"\0"                       # Pad1
    elif pad:
        options += bytes([1, pad - 2]) + b"\0" * (pad - 2)   # PadN
    return struct.pack("!BB", next_header, (len(options) + 2) // 8 - 1) + options


def ipv6_fragment_header(next_header, offset, more, ident):
    """An IPv6 Fragment extension header; offset in bytes (a multiple of 8)."""
    return struct.pack("!BBHI", next_header, 0, offset | (1 if more else 0), ident)


def ipv4_fragments(src, dst, proto, payload, *, mtu=1500, ident=0, ttl=64):
    """Splits one IPv4 datagram carrying payload (a whole UDP datagram, say) into fragments
    of at most mtu bytes, in order. Returns the list of IPv4 packets."""
    step = (mtu - 20) // 8 * 8
    frags = []
    for off in range(0, len(payload), step):
        part = payload[off:off + step]
        more = off + step < len(payload)
        frags.append(ipv4(src, dst, proto, part, ident=ident, ttl=ttl, mf=more,
                          frag_offset=off))
    return frags


def ipv6_fragments(src, dst, next_header, payload, *, mtu=1280, ident=0, hop_limit=64):
    """Splits one IPv6 packet's payload (an upper-layer packet) into fragments of at most mtu
    bytes, each with a Fragment header, in order. Returns the list of IPv6 packets."""
    step = (mtu - 48) // 8 * 8
    frags = []
    for off in range(0, len(payload), step):
        part = payload[off:off + step]
        more = off + step < len(payload)
        hdr = ipv6_fragment_header(next_header, off, more, ident)
        frags.append(ipv6(src, dst, PROTO_IPV6_FRAG, hdr + part, hop_limit=hop_limit))
    return frags


def ip_packet(src, dst, proto, payload, *, ttl=64, ident=0, df=False):
    """An IPv4 or IPv6 packet, by the family of src."""
    if len(ip_bytes(src)) == 4:
        return ipv4(src, dst, proto, payload, ttl=ttl, ident=ident, df=df)
    return ipv6(src, dst, proto, payload, hop_limit=ttl)


# ---------------------------------------------------------------------------------------------
# Transport
# ---------------------------------------------------------------------------------------------

def udp(src, dst, sport, dport, payload, *, length=None, checksum=None):
    """A UDP datagram (header + payload) with the checksum over the pseudo-header.
    length forces the header's length field (which then lies)."""
    real = 8 + len(payload)
    header = struct.pack("!HHHH", sport, dport, real if length is None else length, 0)
    if checksum is None:
        total = pseudo_header_sum(src, dst, PROTO_UDP, real) + sum16(header) + sum16(payload)
        checksum = checksum_of(total) or 0xFFFF      # 0 means "no checksum" in UDP
    return header[:6] + struct.pack("!H", checksum) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", *, window=64240, options=b"",
        payload_sum=None):
    """A TCP segment (header + payload) with a correct checksum.

    payload_sum may pass sum16(payload) computed once, for speed when a payload repeats.
    """
    options = options + b"\0" * (-len(options) % 4)
    offset = (20 + len(options)) // 4
    header = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                         offset << 4, flags, window, 0, 0) + options
    if payload_sum is None:
        payload_sum = sum16(payload)
    total = (pseudo_header_sum(src, dst, PROTO_TCP, len(header) + len(payload))
             + sum16(header) + payload_sum)
    return header[:16] + struct.pack("!H", checksum_of(total)) + header[18:] + payload


def tcp_syn_options(mss=1460, wscale=8, sack=True):
    """SYN options in the order Windows sends them: MSS, NOP, WS, NOP, NOP, SACK-permitted."""
    opts = struct.pack("!BBH", 2, 4, mss)
    if wscale is not None:
        opts += struct.pack("!BBBB", 1, 3, 3, wscale)
    if sack:
        opts += struct.pack("!BBBB", 1, 1, 4, 2)
    return opts


def icmp(icmp_type, code, rest=b"\0\0\0\0", data=b""):
    """An ICMPv4 message: type, code, checksum, 4 bytes of rest-of-header, data."""
    msg = struct.pack("!BBH", icmp_type, code, 0) + rest + data
    return msg[:2] + struct.pack("!H", inet_checksum(msg)) + msg[4:]


def icmpv6(src, dst, icmp_type, code, rest=b"\0\0\0\0", data=b""):
    """An ICMPv6 message (checksum over the IPv6 pseudo-header)."""
    msg = struct.pack("!BBH", icmp_type, code, 0) + rest + data
    total = pseudo_header_sum(src, dst, PROTO_ICMPV6, len(msg)) + sum16(msg)
    return msg[:2] + struct.pack("!H", checksum_of(total)) + msg[4:]


# ---------------------------------------------------------------------------------------------
# Endpoints, the link and the clock
# ---------------------------------------------------------------------------------------------

class Host:
    """One endpoint as the capture point sees it.

    ip: address text. ttl: the TTL / hop limit its packets carry when they reach the capture
    point (128 for a local Windows PC, less for a server some hops away). mac: the source MAC
    of its frames on this link (local hosts: derived from the address; remote ones should pass
    GATEWAY_MAC). Keeps the next ephemeral port and the IPv4 identification counter.
    """

    def __init__(self, ip, *, ttl=64, mac=None, first_port=49152, ip_id=None):
        self.ip = ip
        self.raw = ip_bytes(ip)
        self.v6 = len(self.raw) == 16
        self.ttl = ttl
        self.mac = mac_bytes(mac) if mac is not None else b"\x02\x00" + self.raw[-4:]
        self._first_port = first_port
        self._port = first_port
        self._ip_id = stable_int("ipid" + ip) if ip_id is None else ip_id

    def ephemeral_port(self):
        """The next source port for a new connection from this host."""
        port = self._port
        self._port = self._port + 1 if self._port < 65535 else self._first_port
        return port

    def next_ip_id(self):
        """The next IPv4 identification value (a global counter, as Windows does)."""
        self._ip_id = (self._ip_id + 1) & 0xFFFF
        return self._ip_id


class Network:
    """Puts packets between Hosts into one PcapWriter, framed for its link type, stamped with a
    clock that starts at `start` (microseconds) and moves only when told (wait) or by `tick`
    microseconds after each packet, so no two packets share a timestamp.

    vlans: tags put on every Ethernet frame (see vlan_tags); may be overridden per packet.
    encap: a function wrapping every finished frame (a tunnel: GRE, ERSPAN, VXLAN ...).
    """

    def __init__(self, pcap, start, *, vlans=(), tick=25, af_inet6=AF_INET6_BSD, encap=None):
        self.pcap = pcap
        self.now = start
        self.vlans = vlans
        self.tick = tick
        self.af_inet6 = af_inet6      # the IPv6 family number on BSD loopback links
        self.encap = encap

    def wait(self, ms):
        """Moves the clock forward by ms milliseconds."""
        self.now += int(round(ms * 1000))

    def frame(self, src, dst, packet, vlans=None):
        """Frames an IP packet from Host src to Host dst for the writer's link type."""
        lt = self.pcap.linktype
        ethertype = ETH_IPV4 if packet[0] >> 4 != 6 else ETH_IPV6
        if lt == LINKTYPE_ETHERNET:
            return ethernet(dst.mac, src.mac, ethertype, packet,
                            self.vlans if vlans is None else vlans)
        if lt in (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6):
            return packet
        if lt == LINKTYPE_LINUX_SLL:
            return linux_sll(ethertype, packet, addr=src.mac)
        if lt == LINKTYPE_LINUX_SLL2:
            return linux_sll2(ethertype, packet, addr=src.mac)
        family = AF_INET if ethertype == ETH_IPV4 else self.af_inet6
        if lt == LINKTYPE_NULL:
            return bsd_null(family, packet)
        if lt == LINKTYPE_LOOP:
            return bsd_null(family, packet, big_endian=True)
        if lt == LINKTYPE_PPP:
            return ppp(packet)
        raise ValueError("unsupported link type %d" % lt)

    def send_ip(self, src, dst, packet, *, vlans=None, caplen=None):
        """Writes one IP packet from src to dst at the current time, then ticks the clock."""
        frame = self.frame(src, dst, packet, vlans)
        if self.encap:
            frame = self.encap(frame)
        self.pcap.write(self.now, frame, caplen=caplen)
        self.now += self.tick

    def ip(self, src, dst, proto, l4, *, df=False):
        """An IP packet from Host src to Host dst with src's TTL and next IPv4 id."""
        if src.v6:
            return ipv6(src.ip, dst.ip, proto, l4, hop_limit=src.ttl)
        return ipv4(src.ip, dst.ip, proto, l4, ttl=src.ttl, ident=src.next_ip_id(), df=df)

    def udp(self, src, sport, dst, dport, payload, **kw):
        """Sends one UDP datagram from src:sport to dst:dport."""
        self.send_ip(src, dst, self.ip(src, dst, PROTO_UDP,
                                       udp(src.ip, dst.ip, sport, dport, payload)), **kw)

    def tcp(self, src, sport, dst, dport, seq, ack, flags, payload=b"", *, window=64240,
            options=b"", **kw):
        """Sends one TCP segment (DF set, as every modern stack does)."""
        seg = tcp(src.ip, dst.ip, sport, dport, seq, ack, flags, payload, window=window,
                  options=options)
        self.send_ip(src, dst, self.ip(src, dst, PROTO_TCP, seg, df=True), **kw)


# ---------------------------------------------------------------------------------------------
# TCP sessions
# ---------------------------------------------------------------------------------------------

class TcpSession:
    """One TCP connection from client to server:dport on a Network, with seq/ack kept right.

    The capture point is taken to be near the client: a server's answer appears rtt_ms after
    the client's packet, the client's next packet think_ms after the server's.
    Initial sequence numbers derive from the 4-tuple (deterministic). A session that never
    calls open() is one picked up mid-stream.
    """

    def __init__(self, net, client, server, dport, *, sport=None, rtt_ms=20.0, think_ms=1.0,
                 mss=1460, client_window=64240, server_window=65160, client_isn=None,
                 server_isn=None):
        self.net, self.client, self.server = net, client, server
        self.sport = client.ephemeral_port() if sport is None else sport
        self.dport = dport
        self.rtt_ms, self.think_ms, self.mss = rtt_ms, think_ms, mss
        key = "%s:%d-%s:%d" % (client.ip, self.sport, server.ip, dport)
        self.client_isn = stable_int("c" + key, 32) if client_isn is None else client_isn
        self.server_isn = stable_int("s" + key, 32) if server_isn is None else server_isn
        self.seq = {client: self.client_isn + 1, server: self.server_isn + 1}
        self.window = {client: client_window, server: server_window}
        self.last_sender = None

    # -- helpers ---------------------------------------------------------------------------

    def _peer(self, host):
        return self.server if host is self.client else self.client

    def _ports(self, host):
        return (self.sport, self.dport) if host is self.client else (self.dport, self.sport)

    def _pace(self, sender):
        """Moves the clock before sender's packet: a round trip when the server answers the
        client, a think time when the client answers the server."""
        if self.last_sender is not None and self.last_sender is not sender:
            self.net.wait(self.rtt_ms if sender is self.server else self.think_ms)
        self.last_sender = sender

    def segment(self, sender, seq, flags, payload=b"", options=b""):
        """Sends one raw segment from sender with the given seq, acking all the peer sent."""
        sport, dport = self._ports(sender)
        peer = self._peer(sender)
        ack = self.seq[peer] if flags & TCP_ACK else 0
        self.net.tcp(sender, sport, peer, dport, seq, ack, flags, payload,
                     window=self.window[sender], options=options)

    # -- the connection --------------------------------------------------------------------

    def open(self):
        """The three-way handshake: SYN, SYN/ACK, ACK."""
        opts = tcp_syn_options(self.mss)
        self._pace(self.client)
        self.net.tcp(self.client, self.sport, self.server, self.dport, self.client_isn, 0,
                     TCP_SYN, window=self.window[self.client], options=opts)
        self._pace(self.server)
        self.net.tcp(self.server, self.dport, self.client, self.sport, self.server_isn,
                     self.client_isn + 1, TCP_SYN | TCP_ACK, window=self.window[self.server],
                     options=tcp_syn_options(self.mss, wscale=7))
        self._pace(self.client)
        self.segment(self.client, self.seq[self.client], TCP_ACK)
        return self

    def send(self, sender, data, *, sizes=None, order=None, retransmit=(), ack=True):
        """Sends data from sender (client or server) in segments of at most mss bytes, or of
        the given sizes. order: a permutation of segment indexes giving the order on the
        wire (out-of-order delivery). retransmit: indexes of segments sent again after the
        others. ack: the peer then acknowledges everything with a pure ACK."""
        sizes = list(sizes) if sizes else []
        if sum(sizes) < len(data):
            rest = len(data) - sum(sizes)
            sizes += [self.mss] * (rest // self.mss) + ([rest % self.mss] if rest % self.mss
                                                       else [])
        segs, off, base = [], 0, self.seq[sender]
        for n in sizes:
            if off >= len(data):
                break
            segs.append((base + off, data[off:off + n]))
            off += n
        self._pace(sender)
        for i in list(order if order is not None else range(len(segs))) + list(retransmit):
            seq, chunk = segs[i]
            last = i == len(segs) - 1
            self.segment(sender, seq, TCP_ACK | (TCP_PSH if last else 0), chunk)
            self.net.wait(0.05)
        self.seq[sender] = (base + len(data)) & 0xFFFFFFFF
        if ack:
            self.ack(self._peer(sender))
        return self

    def client_send(self, data, **kw):
        """send() from the client."""
        return self.send(self.client, data, **kw)

    def server_send(self, data, **kw):
        """send() from the server."""
        return self.send(self.server, data, **kw)

    def ack(self, sender):
        """A pure ACK from sender for everything its peer sent."""
        self._pace(sender)
        self.segment(sender, self.seq[sender], TCP_ACK)

    def play(self, dialogue):
        """Plays a dialogue: a list of ('C' | 'S', bytes). A message answered by the other
        side carries its ACK on the answer; a pure ACK is sent otherwise."""
        for i, (side, data) in enumerate(dialogue):
            sender = self.client if side == "C" else self.server
            nxt = dialogue[i + 1][0] if i + 1 < len(dialogue) else None
            self.send(sender, data, ack=(nxt == side or nxt is None))
        return self

    def close(self, by="client"):
        """Orderly close: FIN/ACK from one side, FIN/ACK from the other, last ACK."""
        first = self.client if by == "client" else self.server
        second = self._peer(first)
        for host in (first, second):
            self._pace(host)
            self.segment(host, self.seq[host], TCP_FIN | TCP_ACK)
            self.seq[host] = (self.seq[host] + 1) & 0xFFFFFFFF
        self._pace(first)
        self.segment(first, self.seq[first], TCP_ACK)

    def reset(self, by="client"):
        """An abortive close: RST/ACK from one side."""
        host = self.client if by == "client" else self.server
        self._pace(host)
        self.segment(host, self.seq[host], TCP_RST | TCP_ACK)


# ---------------------------------------------------------------------------------------------
# DNS
# ---------------------------------------------------------------------------------------------

TYPE = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
        "SRV": 33, "OPT": 41, "SVCB": 64, "HTTPS": 65, "ANY": 255, "CAA": 257}
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
CLASS_IN = 1


def qtype_code(qtype):
    """'AAAA' -> 28; numbers pass through."""
    return TYPE[qtype.upper()] if isinstance(qtype, str) else qtype


def name_labels(name):
    """The labels of a domain name as a tuple of bytes.

    name may be text ('www.Example.com', trailing dot optional, '' or '.' for the root,
    escapes '\\.' and '\\DDD' accepted) or already a sequence of bytes labels.
    """
    if not isinstance(name, str):
        return tuple(bytes(label) for label in name)
    if name in ("", "."):
        return ()
    labels, cur, i = [], bytearray(), 0
    while i < len(name):
        c = name[i]
        if c == "\\" and name[i + 1:i + 4].isdigit() and len(name[i + 1:i + 4]) == 3:
            cur.append(int(name[i + 1:i + 4]))
            i += 4
            continue
        if c == "\\":
            cur += name[i + 1].encode()
            i += 2
            continue
        if c == ".":
            labels.append(bytes(cur))
            cur = bytearray()
        else:
            cur += c.encode()
        i += 1
    if cur:
        labels.append(bytes(cur))
    return tuple(labels)


def encode_name(name):
    """A domain name in uncompressed wire form (labels and the final zero byte)."""
    return b"".join(bytes([len(lb)]) + lb for lb in name_labels(name)) + b"\0"


class Name:
    """A domain name inside RDATA; compressed when the message compresses and allowed."""

    def __init__(self, name, compressible=True):
        self.labels = name_labels(name)
        self.compressible = compressible


class RR:
    """One resource record. rdata is a list of parts: bytes, or Name for embedded names."""

    def __init__(self, name, rtype, rdata, ttl=300, rclass=CLASS_IN):
        self.name = name_labels(name)
        self.rtype = qtype_code(rtype)
        self.rdata = rdata if isinstance(rdata, list) else [rdata]
        self.ttl = ttl
        self.rclass = rclass


def A(name, addr, ttl=300):
    """An A record."""
    return RR(name, "A", ipaddress.IPv4Address(addr).packed, ttl)


def AAAA(name, addr, ttl=300):
    """An AAAA record."""
    return RR(name, "AAAA", ipaddress.IPv6Address(addr).packed, ttl)


def CNAME(name, target, ttl=300):
    """A CNAME record."""
    return RR(name, "CNAME", [Name(target)], ttl)


def NS(name, target, ttl=86400):
    """An NS record."""
    return RR(name, "NS", [Name(target)], ttl)


def PTR(name, target, ttl=3600):
    """A PTR record."""
    return RR(name, "PTR", [Name(target)], ttl)


def MX(name, preference, exchange, ttl=3600):
    """An MX record."""
    return RR(name, "MX", [struct.pack("!H", preference), Name(exchange)], ttl)


def SRV(name, priority, weight, port, target, ttl=3600):
    """An SRV record (target never compressed, per RFC 2782)."""
    return RR(name, "SRV", [struct.pack("!HHH", priority, weight, port),
                            Name(target, compressible=False)], ttl)


def TXT(name, strings, ttl=3600):
    """A TXT record of one or more character-strings (str or bytes, each <= 255 bytes)."""
    if isinstance(strings, (str, bytes)):
        strings = [strings]
    data = b""
    for s in strings:
        s = s.encode() if isinstance(s, str) else s
        data += bytes([len(s)]) + s
    return RR(name, "TXT", data, ttl)


def SOA(name, mname, rname, serial, refresh=7200, retry=3600, expire=1209600, minimum=3600,
        ttl=3600):
    """An SOA record."""
    return RR(name, "SOA", [Name(mname), Name(rname),
                            struct.pack("!IIIII", serial, refresh, retry, expire, minimum)], ttl)


def RAW(name, rtype, rdata, ttl=300, rclass=CLASS_IN):
    """A record of any type with opaque RDATA bytes."""
    return RR(name, rtype, rdata, ttl, rclass)


def OPT(udp_size=1232, do=False, ext_rcode=0, version=0, options=b""):
    """An EDNS(0) OPT pseudo-record (RFC 6891)."""
    ttl = (ext_rcode << 24) | (version << 16) | (0x8000 if do else 0)
    return RR((), "OPT", options, ttl, rclass=udp_size)


class _NameWriter:
    """Appends names to a message buffer, pointing back at earlier suffixes if allowed."""

    def __init__(self, buf, compress):
        self.buf, self.compress, self.seen = buf, compress, {}

    def write(self, labels, compressible=True):
        labels = tuple(labels)
        for i in range(len(labels)):
            key = tuple(lb.lower() for lb in labels[i:])
            if self.compress and compressible and key in self.seen:
                self.buf += struct.pack("!H", 0xC000 | self.seen[key])
                return
            if len(self.buf) < 0x3FFF:
                self.seen.setdefault(key, len(self.buf))
            self.buf += bytes([len(labels[i])]) + labels[i]
        self.buf += b"\0"


class DnsMessage:
    """A DNS message to build: header flags, questions and three record sections.

    to_bytes(compress) encodes it; counts may force header counts that lie.
    """

    def __init__(self, ident, *, qr=False, opcode=0, aa=False, tc=False, rd=True, ra=False,
                 ad=False, cd=False, rcode=NOERROR, compress=True):
        self.id = ident
        self.qr, self.opcode, self.aa, self.tc, self.rd = qr, opcode, aa, tc, rd
        self.ra, self.ad, self.cd, self.rcode = ra, ad, cd, rcode
        self.compress = compress
        self.questions, self.answers, self.authority, self.additional = [], [], [], []

    def question(self, name, qtype, qclass=CLASS_IN):
        """Adds a question; returns self."""
        self.questions.append((name_labels(name), qtype_code(qtype), qclass))
        return self

    def flags(self):
        return ((self.qr << 15) | (self.opcode << 11) | (self.aa << 10) | (self.tc << 9)
                | (self.rd << 8) | (self.ra << 7) | (self.ad << 5) | (self.cd << 4)
                | (self.rcode & 0xF))

    def to_bytes(self, counts=None):
        """The message in wire form. counts: (qd, an, ns, ar) to write instead of the real
        counts."""
        real = (len(self.questions), len(self.answers), len(self.authority),
                len(self.additional))
        buf = bytearray(struct.pack("!HHHHHH", self.id, self.flags(), *(counts or real)))
        names = _NameWriter(buf, self.compress)
        for labels, qtype, qclass in self.questions:
            names.write(labels)
            buf += struct.pack("!HH", qtype, qclass)
        for rr in self.answers + self.authority + self.additional:
            names.write(rr.name)
            buf += struct.pack("!HHI", rr.rtype, rr.rclass, rr.ttl)
            len_at = len(buf)
            buf += b"\0\0"
            for part in rr.rdata:
                if isinstance(part, Name):
                    names.write(part.labels, part.compressible)
                else:
                    buf += part
            struct.pack_into("!H", buf, len_at, len(buf) - len_at - 2)
        return bytes(buf)

    def reply(self, *, answers=(), authority=(), additional=(), rcode=NOERROR, aa=False,
              ra=True, tc=False, compress=None):
        """The response to this query: same id, questions and RD, QR set."""
        r = DnsMessage(self.id, qr=True, opcode=self.opcode, aa=aa, tc=tc, rd=self.rd, ra=ra,
                       cd=self.cd, rcode=rcode,
                       compress=self.compress if compress is None else compress)
        r.questions = list(self.questions)
        r.answers, r.authority = list(answers), list(authority)
        r.additional = list(additional)
        return r


def dns_query(ident, name, qtype, *, edns=None, rd=True):
    """A one-question query. edns: an OPT() record for the additional section."""
    q = DnsMessage(ident, rd=rd).question(name, qtype)
    if edns is not None:
        q.additional.append(edns)
    return q


def dns_over_tcp(*messages):
    """DNS messages (DnsMessage or bytes) each with its 2-byte length prefix (RFC 1035 4.2.2)."""
    out = b""
    for m in messages:
        wire = m.to_bytes() if isinstance(m, DnsMessage) else m
        out += struct.pack("!H", len(wire)) + wire
    return out


def dns_lookup(net, client, server, query, response, *, rtt_ms=12.0, sport=None):
    """A UDP query from client (from an ephemeral port) to server:53 and its response
    rtt_ms later (response None: no answer). Returns the source port used."""
    sport = client.ephemeral_port() if sport is None else sport
    q = query.to_bytes() if isinstance(query, DnsMessage) else query
    net.udp(client, sport, server, 53, q)
    if response is not None:
        net.wait(rtt_ms)
        r = response.to_bytes() if isinstance(response, DnsMessage) else response
        net.udp(server, 53, client, sport, r)
    return sport


# ---------------------------------------------------------------------------------------------
# TLS
# ---------------------------------------------------------------------------------------------

TLS_CHANGE_CIPHER_SPEC, TLS_ALERT, TLS_HANDSHAKE, TLS_APPLICATION_DATA = 20, 21, 22, 23
CIPHERS_TLS13 = [0x1301, 0x1302, 0x1303]
CIPHERS_TLS12 = [0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C,
                 0x009D, 0x002F, 0x0035]
GROUPS = [0x001D, 0x0017, 0x0018]            # x25519, secp256r1, secp384r1
SIGNATURE_ALGORITHMS = [0x0804, 0x0403, 0x0805, 0x0503, 0x0806, 0x0603, 0x0401, 0x0501,
                        0x0601]


def _u8_list(data):
    return bytes([len(data)]) + data


def _u16_list(data):
    return struct.pack("!H", len(data)) + data


def _u24_list(data):
    return struct.pack("!I", len(data))[1:] + data


def tls_record(content_type, body, version=0x0303):
    """One TLS record (no fragmentation: body <= 16 KiB + overhead)."""
    return struct.pack("!BHH", content_type, version, len(body)) + body


def tls_handshake(msg_type, body):
    """One handshake message: type, 24-bit length, body."""
    return bytes([msg_type]) + _u24_list(body)


def tls_extension(ext_type, data):
    return struct.pack("!HH", ext_type, len(data)) + data


def tls_client_hello(sni=None, *, alpn=("h2", "http/1.1"), tls13=True, seed="", ciphers=None,
                     groups=None):
    """A ClientHello in one handshake record.

    sni: the server_name (None: no SNI extension). alpn: protocol names (empty: none).
    tls13: offer TLS 1.3 (supported_versions 1.3+1.2, key_share x25519, TLS 1.3 suites
    first) or be a plain TLS 1.2 hello. seed makes random, session id and key share.
    """
    rnd = pseudo_bytes("ch" + seed, 32 + 32 + 32)
    if ciphers is None:
        ciphers = (CIPHERS_TLS13 if tls13 else []) + CIPHERS_TLS12
    groups = GROUPS if groups is None else groups
    exts = b""
    if sni is not None:
        host = sni.encode() if isinstance(sni, str) else sni
        exts += tls_extension(0, _u16_list(b"\0" + _u16_list(host)))
    exts += tls_extension(23, b"")                                   # extended_master_secret
    exts += tls_extension(0xFF01, b"\0")                             # renegotiation_info
    exts += tls_extension(10, _u16_list(b"".join(struct.pack("!H", g) for g in groups)))
    exts += tls_extension(11, _u8_list(b"\0"))                       # ec_point_formats
    exts += tls_extension(35, b"")                                   # session_ticket
    if alpn:
        names = b"".join(_u8_list(p.encode()) for p in alpn)
        exts += tls_extension(16, _u16_list(names))
    exts += tls_extension(5, b"\x01\0\0\0\0")                        # status_request
    exts += tls_extension(13, _u16_list(b"".join(struct.pack("!H", s)
                                                for s in SIGNATURE_ALGORITHMS)))
    if tls13:
        exts += tls_extension(51, _u16_list(struct.pack("!HH", 0x001D, 32) + rnd[64:96]))
        exts += tls_extension(45, _u8_list(b"\x01"))                 # psk_dhe_ke
        exts += tls_extension(43, _u8_list(b"\x03\x04\x03\x03"))     # supported_versions
    body = (b"\x03\x03" + rnd[:32] + _u8_list(rnd[32:64])
            + _u16_list(b"".join(struct.pack("!H", c) for c in ciphers))
            + _u8_list(b"\0") + _u16_list(exts))
    return tls_record(TLS_HANDSHAKE, tls_handshake(1, body), version=0x0301)


def tls_server_flight(*, tls13=True, seed="", alpn=None, cert_len=2600):
    """The server's first flight, with plausible structure and opaque contents.

    TLS 1.3: ServerHello (supported_versions 1.3, key_share x25519), ChangeCipherSpec and
    one application_data record standing for the encrypted EncryptedExtensions, Certificate,
    CertificateVerify and Finished. TLS 1.2: ServerHello, Certificate (one opaque
    'certificate' of cert_len bytes), ServerKeyExchange (opaque) and ServerHelloDone.
    """
    rnd = pseudo_bytes("sh" + seed, 32 + 32 + 32)
    if tls13:
        exts = (tls_extension(43, b"\x03\x04")
                + tls_extension(51, struct.pack("!HH", 0x001D, 32) + rnd[64:96]))
        body = (b"\x03\x03" + rnd[:32] + _u8_list(rnd[32:64]) + struct.pack("!H", 0x1302)
                + b"\0" + _u16_list(exts))
        out = tls_record(TLS_HANDSHAKE, tls_handshake(2, body))
        out += tls_record(TLS_CHANGE_CIPHER_SPEC, b"\x01")
        out += tls_app_data(cert_len + 400, seed="sf" + seed)
        return out
    exts = tls_extension(0xFF01, b"\0") + tls_extension(23, b"")
    if alpn:
        exts += tls_extension(16, _u16_list(_u8_list(alpn.encode())))
    body = (b"\x03\x03" + rnd[:32] + _u8_list(rnd[32:64]) + struct.pack("!H", 0xC02F)
            + b"\0" + _u16_list(exts))
    cert = pseudo_bytes("cert" + seed, cert_len)
    msgs = (tls_handshake(2, body)
            + tls_handshake(11, _u24_list(_u24_list(cert)))
            + tls_handshake(12, b"\x03\x00\x1d\x20" + rnd[64:96] + b"\x08\x04"
                            + _u16_list(pseudo_bytes("ske" + seed, 256)))
            + tls_handshake(14, b""))
    return tls_record(TLS_HANDSHAKE, msgs)


def tls_client_finish(*, tls13=True, seed=""):
    """The client's second flight: TLS 1.3 ChangeCipherSpec + encrypted Finished; TLS 1.2
    ClientKeyExchange, ChangeCipherSpec and the encrypted Finished handshake record."""
    if tls13:
        return tls_record(TLS_CHANGE_CIPHER_SPEC, b"\x01") + tls_app_data(37, "cf" + seed)
    cke = tls_handshake(16, _u8_list(pseudo_bytes("cke" + seed, 32)))
    return (tls_record(TLS_HANDSHAKE, cke) + tls_record(TLS_CHANGE_CIPHER_SPEC, b"\x01")
            + tls_record(TLS_HANDSHAKE, pseudo_bytes("cfin" + seed, 40)))


def tls_server_finish(*, tls13=True, seed=""):
    """The server's last handshake bytes: TLS 1.3 two NewSessionTickets (as application
    data); TLS 1.2 ChangeCipherSpec + encrypted Finished."""
    if tls13:
        return tls_app_data(250, "t1" + seed) + tls_app_data(250, "t2" + seed)
    return (tls_record(TLS_CHANGE_CIPHER_SPEC, b"\x01")
            + tls_record(TLS_HANDSHAKE, pseudo_bytes("sfin" + seed, 40)))


def tls_app_data(length, seed=""):
    """One application_data record with length opaque (encrypted-looking) bytes."""
    return tls_record(TLS_APPLICATION_DATA, pseudo_bytes("ad" + str(seed), length))


def tls_session(sess, sni, *, tls13=True, server_tls13=None, alpn=("h2", "http/1.1"),
                greeting=0, exchanges=((400, 2000),), cert_len=1400, seed=None):
    """Plays a whole TLS connection on an opened TcpSession: ClientHello, server flight,
    client finish, then an optional server-first record of `greeting` bytes (a mail banner
    under TLS) and for each (request_len, response_len) one application_data record each way.

    tls13: what the client offers; server_tls13: what the server picks (default: the same;
    False gives a TLS 1.2 connection from a 1.3-capable client). Does not close the session.
    """
    seed = sni if seed is None else seed
    s13 = tls13 if server_tls13 is None else server_tls13
    sess.client_send(tls_client_hello(sni, alpn=alpn, tls13=tls13, seed=seed), ack=False)
    sess.server_send(tls_server_flight(tls13=s13, seed=seed, alpn=alpn[0] if alpn else None,
                                       cert_len=cert_len), ack=False)
    sess.client_send(tls_client_finish(tls13=s13, seed=seed), ack=False)
    tickets = tls_server_finish(tls13=s13, seed=seed)
    if not s13 or greeting:
        sess.server_send(tickets + (tls_app_data(greeting, seed + "/greeting") if greeting
                                    else b""), ack=False)
        tickets = b""
    for i, (req, resp) in enumerate(exchanges):
        sess.client_send(tls_app_data(req, "%s/req%d" % (seed, i)), ack=False)
        sess.server_send(tickets + tls_app_data(resp, "%s/resp%d" % (seed, i)))
        tickets = b""
    return sess


# ---------------------------------------------------------------------------------------------
# Mail dialogues. Each returns a list of ('C' | 'S', bytes) turns for TcpSession.play().
# ---------------------------------------------------------------------------------------------

def b64(text):
    """Base64 of a str (UTF-8) or bytes, as str."""
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def _lines(*lines):
    return "".join(line + "\r\n" for line in lines).encode()


def smtp_dialogue(server_name, client_name, *, user=None, password=None, auth="PLAIN",
                  starttls=False, mail_from=None, rcpt=None, message=None):
    """An ESMTP dialogue: banner, EHLO, then either STARTTLS (the dialogue stops at the
    server's 220: TLS follows) or, if user is given, AUTH PLAIN (one line) or AUTH LOGIN
    (334 challenges), then an optional message (MAIL FROM, RCPT TO, DATA) and QUIT."""
    turns = [("S", _lines("220 %s ESMTP ready" % server_name)),
             ("C", _lines("EHLO %s" % client_name)),
             ("S", _lines("250-%s Hello %s" % (server_name, client_name), "250-SIZE 52428800",
                          "250-8BITMIME", "250-PIPELINING", "250-ENHANCEDSTATUSCODES",
                          "250-AUTH PLAIN LOGIN",
                          *(["250-STARTTLS"] if starttls else []), "250 SMTPUTF8"))]
    if starttls:
        turns += [("C", _lines("STARTTLS")), ("S", _lines("220 2.0.0 Ready to start TLS"))]
        return turns
    if user is not None:
        if auth.upper() == "PLAIN":
            turns += [("C", _lines("AUTH PLAIN " + b64("\0%s\0%s" % (user, password))))]
        else:
            turns += [("C", _lines("AUTH LOGIN")), ("S", _lines("334 VXNlcm5hbWU6")),
                      ("C", _lines(b64(user))), ("S", _lines("334 UGFzc3dvcmQ6")),
                      ("C", _lines(b64(password)))]
        turns += [("S", _lines("235 2.7.0 Authentication successful"))]
    if mail_from is not None:
        body = message or "Subject: test\r\n\r\nhello\r\n"
        turns += [("C", _lines("MAIL FROM:<%s>" % mail_from)), ("S", _lines("250 2.1.0 Ok")),
                  ("C", _lines("RCPT TO:<%s>" % rcpt)), ("S", _lines("250 2.1.5 Ok")),
                  ("C", _lines("DATA")),
                  ("S", _lines("354 End data with <CR><LF>.<CR><LF>")),
                  ("C", body.encode() + b".\r\n"),
                  ("S", _lines("250 2.0.0 Ok: queued as 4F2A1C0E3B"))]
    turns += [("C", _lines("QUIT")), ("S", _lines("221 2.0.0 Bye"))]
    return turns


def imap_quote(text):
    """An IMAP quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


IMAP_CAPS = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN"


def imap_dialogue(server_name, *, user=None, password=None, auth="LOGIN", starttls=False):
    """An IMAP dialogue: banner with capabilities, then either 'a1 STARTTLS' (stops at the
    server's OK: TLS follows) or, if user is given, 'a1 LOGIN user "password"' (auth LOGIN)
    or 'a1 AUTHENTICATE PLAIN <base64>' (auth PLAIN), SELECT INBOX and LOGOUT."""
    caps = IMAP_CAPS + (" STARTTLS" if starttls else "")
    turns = [("S", _lines("* OK [CAPABILITY %s] %s IMAP4 ready" % (caps, server_name)))]
    if starttls:
        return turns + [("C", _lines("a1 STARTTLS")),
                        ("S", _lines("a1 OK Begin TLS negotiation now"))]
    tag = 1
    if user is not None:
        if auth.upper() == "PLAIN":
            cmd = "a1 AUTHENTICATE PLAIN " + b64("\0%s\0%s" % (user, password))
        else:
            cmd = "a1 LOGIN %s %s" % (user, imap_quote(password))
        turns += [("C", _lines(cmd)),
                  ("S", _lines("a1 OK [CAPABILITY %s] Logged in" % IMAP_CAPS))]
        tag = 2
        turns += [("C", _lines("a%d SELECT INBOX" % tag)),
                  ("S", _lines("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                               "* 3 EXISTS", "* 0 RECENT",
                               "* OK [UIDVALIDITY 1736846400] UIDs valid",
                               "a%d OK [READ-WRITE] Select completed" % tag))]
        tag += 1
    turns += [("C", _lines("a%d LOGOUT" % tag)),
              ("S", _lines("* BYE Logging out", "a%d OK Logout completed" % tag))]
    return turns


def pop3_dialogue(server_name, *, user=None, password=None, starttls=False):
    """A POP3 dialogue: greeting, then either STLS (stops at +OK: TLS follows) or, if user is
    given, USER/PASS, STAT and QUIT."""
    turns = [("S", _lines("+OK %s POP3 server ready <1736.846400@%s>"
                          % (server_name, server_name)))]
    if starttls:
        return turns + [("C", _lines("STLS")), ("S", _lines("+OK Begin TLS negotiation"))]
    if user is not None:
        turns += [("C", _lines("USER %s" % user)), ("S", _lines("+OK")),
                  ("C", _lines("PASS %s" % password)), ("S", _lines("+OK Logged in.")),
                  ("C", _lines("STAT")), ("S", _lines("+OK 2 4821"))]
    turns += [("C", _lines("QUIT")), ("S", _lines("+OK Logging out."))]
    return turns


# ---------------------------------------------------------------------------------------------
# HTTP/1.1
# ---------------------------------------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(ts_us):
    """The IMF-fixdate (RFC 9110) of a timestamp in microseconds."""
    t = time.gmtime(ts_us // 1_000_000)
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (_DAYS[t.tm_wday], t.tm_mday,
                                                    _MONTHS[t.tm_mon - 1], t.tm_year,
                                                    t.tm_hour, t.tm_min, t.tm_sec)


def http_request(method, target, host, headers=(), body=b""):
    """An HTTP/1.1 request: request line, Host first, the given (name, value) headers, and
    Content-Length when there is a body."""
    body = body.encode() if isinstance(body, str) else body
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: " + host]
    lines += ["%s: %s" % h for h in headers]
    if body or method in ("POST", "PUT"):
        lines.append("Content-Length: %d" % len(body))
    return _lines(*lines, "") + body


_REASONS = {200: "OK", 204: "No Content", 301: "Moved Permanently", 302: "Found",
            304: "Not Modified", 401: "Unauthorized", 404: "Not Found"}


def http_response(status, headers=(), body=b"", reason=None):
    """An HTTP/1.1 response with the given headers and a Content-Length."""
    body = body.encode() if isinstance(body, str) else body
    lines = ["HTTP/1.1 %d %s" % (status, reason or _REASONS.get(status, "Status"))]
    lines += ["%s: %s" % h for h in headers]
    lines.append("Content-Length: %d" % len(body))
    return _lines(*lines, "") + body


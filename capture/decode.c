/* decode.c: link layer -> IPv4 (RFC 791) / IPv6 (RFC 8200) -> UDP (RFC 768) / TCP (RFC 9293). */
#include "capture/decode.h"

#include <assert.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include <string.h>

#include "capture/frag.h"
#include "core/cursor.h"

/* Link type numbers an older <pcap/dlt.h> may lack. LINKTYPE_RAW (101) is what files say;
 * libpcap hands it to us as DLT_RAW, but a reader of its own might not. */
#define DECODE_LINKTYPE_RAW 101
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#define ETH_P_IP4 0x0800
#define ETH_P_IP6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100 /* pre-802.1ad QinQ, still sent by some switches */
#define ETH_P_PPPOE 0x8864    /* PPPoE session stage */
#define ETH_P_MPLS_UC 0x8847  /* MPLS unicast */
#define ETH_P_MPLS_MC 0x8848  /* MPLS multicast */
#define ETH_P_TEB 0x6558      /* GRE and Geneve: transparent Ethernet bridging (and NVGRE) */
#define ETH_P_ERSPAN2 0x88be  /* GRE: ERSPAN type II, or type I without a sequence number */
#define ETH_P_ERSPAN3 0x22eb  /* GRE: ERSPAN type III */
#define ETH_P_PPP_GRE 0x880b  /* PPTP's enhanced GRE: PPP */
#define ETH_MIN_TYPE 1536     /* IEEE 802.3: a smaller type field is a frame length */

#define PPP_IP4 0x0021
#define PPP_IP6 0x0057

#define NFLOG_PAYLOAD 9       /* NFULA_PAYLOAD: the logged packet */
#define NFLOG_TYPE_MASK 0x3fff /* netlink attribute flags live in the top two bits */

#define IP4_HDR_MIN 20
#define IP4_MF 0x2000
#define IP4_OFFSET 0x1fff
#define IP6_HDR 40
#define IP6_NH_OFF 6          /* Next Header in the fixed header */
#define IP6_FRAG_MORE 0x0001
#define IP6_FRAG_OFFSET 0xfff8
#define UDP_HDR 8
#define UDP_PORT_VXLAN 4789   /* RFC 7348 */
#define UDP_PORT_GENEVE 6081  /* RFC 8926 */
#define VXLAN_HDR 8
#define VXLAN_FLAG_I 0x08     /* the VNI is valid: the one flag a VXLAN header must carry */
#define GENEVE_HDR 8
#define GRE_CSUM 0x8000
#define GRE_ROUTING 0x4000
#define GRE_KEY 0x2000
#define GRE_SEQ 0x1000
#define GRE_ACK 0x0080        /* version 1 only */
#define GRE_VERSION 0x0007
#define ERSPAN2_HDR 8
#define ERSPAN3_HDR 12
#define ERSPAN3_SUBHDR 8      /* the platform-specific subheader, when the O bit is set */
#define MPLS_BOTTOM 0x100     /* bottom of stack bit of a label stack entry */
#define PW_CONTROL_WORD 4     /* RFC 4385: the pseudowire control word before an Ethernet frame */
#define TCP_HDR_MIN 20

/* Everything one decode_packet call carries from layer to layer. */
struct decode_ctx {
	struct frag_table *frags;
	struct packet *pkt;
	struct stats *st;
	bool ip_counted;       /* st->ip_packets already counts this packet */
	bool bad_options;      /* IPv4 options were malformed: reported if the packet decodes */
	bool reassembled;      /* the current IP layer came out of reassembly */
	unsigned tunnels;      /* tunnel layers entered */
	size_t wire;           /* bytes the current IP layer had on the wire, captured or not */
};

/* What one IP header says about the bytes after it. */
struct decode_ip {
	uint8_t proto;         /* upper layer: after IPv6 extension headers */
	const uint8_t *body;   /* captured bytes of the payload */
	size_t body_cap;       /* captured: never more than body_len */
	size_t body_len;       /* what IP says the payload is */
};

enum decode_step {
	STEP_NEXT,   /* the header is fine: go on with ip->proto (a tunnel: with its inner packet) */
	STEP_WHOLE,  /* a datagram was reassembled: decode it again from its IP header */
	STEP_STOP,   /* counted under a skip reason, or a fragment kept */
	STEP_DONE,   /* the transport header is decoded: the packet is complete */
};

/* A tunnel's inner IP packet: where it starts, its captured bytes, and its bytes on the wire
 * (what the outer headers say, less the tunnel's own). */
struct decode_inner {
	const uint8_t *p;
	size_t len, wire;
	int version;           /* 4 or 6; 0: read the first nibble */
};

/* Whether misroute can decode this pcap DLT_* link type. */
bool decode_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DECODE_LINKTYPE_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_PPP:
	case DLT_PPP_SERIAL:
	case DLT_NFLOG:
		return true;
	default:
		return false;
	}
}

static bool decode_link_fail(struct decode_ctx *x, enum skip_reason r)
{
	stats_skip(x->st, r);
	return false;
}

static enum decode_step decode_stop(struct decode_ctx *x, enum skip_reason r)
{
	stats_skip(x->st, r);
	return STEP_STOP;
}

static enum decode_result decode_skip(struct decode_ctx *x, enum skip_reason r)
{
	stats_skip(x->st, r);
	return DECODE_SKIP;
}

static bool decode_is_vlan(uint16_t type)
{
	return type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ_OLD;
}

/* IEEE 802.2 LLC after an 802.3 length field. Only SNAP (RFC 1042: AA AA 03, an OUI, then
 * an ethertype) carries IP; STP, IPX and NetBIOS frames use other SAPs. */
static bool decode_llc_snap(struct decode_ctx *x, struct cur *c, uint16_t *type)
{
	uint8_t dsap = cur_u8(c);
	uint8_t ssap = cur_u8(c);
	uint8_t control = cur_u8(c);

	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* the LLC header is cut */
	if (dsap != 0xaa || (ssap & 0xfe) != 0xaa || control != 0x03)
		return decode_link_fail(x, SKIP_LINK_NOT_IP); /* not SNAP: not IP */
	cur_skip(c, 3); /* OUI: 0 for an ethertype, anything else is rare enough to try */
	*type = cur_be16(c);
	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* the SNAP header is cut */
	return true;
}

static bool decode_ppp(struct decode_ctx *x, struct cur *c, int *version);
static bool decode_ether(struct decode_ctx *x, struct cur *c, int *version);

/* One more tunnel level, if the depth allows (else counted). The frame inside an Ethernet
 * tunnel is the mirrored traffic: its own VLAN tags replace the carrier's. */
static bool decode_tunnel_enter(struct decode_ctx *x, bool ether)
{
	if (x->tunnels >= IP_MAX_TUNNEL_DEPTH)
		return decode_link_fail(x, SKIP_IP_TUNNEL_DEPTH); /* tunnels too deep */
	x->tunnels++;
	if (ether) {
		x->pkt->n_vlan = 0;
		x->pkt->vlan[0] = x->pkt->vlan[1] = 0;
	}
	return true;
}

/* MPLS (RFC 3032): label stack entries down to the one with the bottom of stack bit, then
 * IPv4 or IPv6 by the first nibble, or a pseudowire control word (RFC 4385, first nibble 0)
 * and an Ethernet frame (RFC 4448). */
static bool decode_mpls(struct decode_ctx *x, struct cur *c, int *version)
{
	for (unsigned n = 0;; n++) {
		if (n == LINK_MAX_MPLS_LABELS)
			return decode_link_fail(x, SKIP_TUNNEL_BAD); /* no real label stack */
		uint32_t entry = cur_be32(c);
		if (!cur_ok(c))
			return decode_link_fail(x, SKIP_LINK_SHORT); /* the stack is cut */
		if (entry & MPLS_BOTTOM)
			break;
	}
	if (!cur_has(c, 1))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* nothing after the stack */
	switch (cur_peek_at(c, cur_off(c)) >> 4) {
	case 4:
		*version = 4;
		return true;
	case 6:
		*version = 6;
		return true;
	case 0:
		cur_skip(c, PW_CONTROL_WORD);
		if (!cur_ok(c))
			return decode_link_fail(x, SKIP_LINK_SHORT); /* the control word is cut */
		return decode_tunnel_enter(x, true) && decode_ether(x, c, version);
	default:
		return decode_link_fail(x, SKIP_LINK_NOT_IP); /* a pseudowire without control word */
	}
}

/* PPPoE session (RFC 2516 section 4): version and type 1, code 0, session id, length, then
 * a PPP protocol field. */
static bool decode_pppoe(struct decode_ctx *x, struct cur *c, int *version)
{
	uint8_t vertype = cur_u8(c);
	uint8_t code = cur_u8(c);
	cur_skip(c, 4); /* session id, length: the IP length settles the packet */
	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* the PPPoE header is cut */
	if (vertype != 0x11 || code != 0)
		return decode_link_fail(x, SKIP_LINK_NOT_IP); /* not a session data packet */
	return decode_ppp(x, c, version);
}

/* Follows an ethertype through 802.1Q / 802.1ad tags (and, on Ethernet, one 802.2 LLC/SNAP
 * header) to IPv4, IPv6, a PPPoE session or an MPLS label stack. The outermost two VLAN ids
 * are kept, every tag is counted. */
static bool decode_ethertype(struct decode_ctx *x, struct cur *c, uint16_t type, bool llc,
			     int *version)
{
	struct packet *pkt = x->pkt;

	/* Each turn takes a tag (at most LINK_MAX_VLAN_TAGS of them) or the one SNAP header, so
	 * the last turn always finds the type. */
	for (unsigned turn = 0; turn < LINK_MAX_VLAN_TAGS + 2; turn++) {
		if (decode_is_vlan(type)) {
			if (pkt->n_vlan >= LINK_MAX_VLAN_TAGS)
				return decode_link_fail(x, SKIP_LINK_VLAN_DEPTH); /* no real net */
			uint16_t tci = cur_be16(c);
			type = cur_be16(c);
			if (!cur_ok(c))
				return decode_link_fail(x, SKIP_LINK_SHORT); /* the tag is cut */
			if (pkt->n_vlan < 2)
				pkt->vlan[pkt->n_vlan] = tci & 0x0fff;
			pkt->n_vlan++;
		} else if (type < ETH_MIN_TYPE && llc) {
			if (!decode_llc_snap(x, c, &type))
				return false; /* counted */
			llc = false;
		} else {
			break;
		}
	}
	if (type == ETH_P_IP4)
		*version = 4;
	else if (type == ETH_P_IP6)
		*version = 6;
	else if (type == ETH_P_PPPOE)
		return decode_pppoe(x, c, version);
	else if (type == ETH_P_MPLS_UC || type == ETH_P_MPLS_MC)
		return decode_mpls(x, c, version);
	else
		return decode_link_fail(x, SKIP_LINK_NOT_IP); /* ARP, LLDP, ... */
	return true;
}

/* Ethernet II or IEEE 802.3: destination, source, then a type or a length. */
static bool decode_ether(struct decode_ctx *x, struct cur *c, int *version)
{
	cur_skip(c, 12); /* MAC addresses */
	uint16_t type = cur_be16(c);
	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* shorter than an Ethernet header */
	return decode_ethertype(x, c, type, true, version);
}

/* Linux cooked v1 (16 bytes): packet type, ARPHRD type, address length, 8 address bytes,
 * protocol. Protocols below 1536 are Linux's own codes, never IP. */
static bool decode_sll(struct decode_ctx *x, struct cur *c, int *version)
{
	cur_skip(c, 14);
	uint16_t type = cur_be16(c);
	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* shorter than its header */
	return decode_ethertype(x, c, type, false, version);
}

/* Linux cooked v2 (20 bytes): protocol, reserved, interface index, ARPHRD type, packet
 * type, address length, 8 address bytes. */
static bool decode_sll2(struct decode_ctx *x, struct cur *c, int *version)
{
	uint16_t type = cur_be16(c);
	cur_skip(c, 18);
	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* shorter than its header */
	return decode_ethertype(x, c, type, false, version);
}

/* BSD loopback: a 4-byte address family. DLT_NULL writes it in the capturing host's order,
 * which the file does not tell, so both orders are tried (the two sets of values cannot be
 * confused); DLT_LOOP writes it in network order. IPv6 is 24, 28 or 30 depending on the BSD. */
static bool decode_loopback(struct decode_ctx *x, struct cur *c, bool any_order, int *version)
{
	struct cur f = cur_sub(c, 4);
	struct cur g = f;
	uint32_t be = cur_be32(&f);
	uint32_t le = cur_le32(&g);

	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* no family */
	if (!any_order)
		le = be;
	if (be == 2 || le == 2)
		*version = 4;
	else if (be == 24 || be == 28 || be == 30 || le == 24 || le == 28 || le == 30)
		*version = 6;
	else
		return decode_link_fail(x, SKIP_LINK_NOT_IP); /* another family */
	return true;
}

/* PPP in HDLC-like framing (RFC 1662): address FF and control 03 when present, then the
 * protocol, which RFC 1661 section 6.5 lets a sender shorten to one (odd) byte. */
static bool decode_ppp(struct decode_ctx *x, struct cur *c, int *version)
{
	if (cur_has(c, 2) && cur_peek_at(c, cur_off(c)) == 0xff &&
	    cur_peek_at(c, cur_off(c) + 1) == 0x03)
		cur_skip(c, 2);
	uint16_t proto = cur_u8(c);
	if (!(proto & 1))
		proto = (uint16_t)(proto << 8 | cur_u8(c));
	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* no protocol field */
	if (proto == PPP_IP4 || proto == (PPP_IP4 & 0xff))
		*version = 4;
	else if (proto == PPP_IP6 || proto == (PPP_IP6 & 0xff))
		*version = 6;
	else
		return decode_link_fail(x, SKIP_LINK_NOT_IP); /* LCP, IPCP, ... */
	return true;
}

/* DLT_PPP_SERIAL: PPP in HDLC framing, or Cisco HDLC (address 0F or 8F, control 00, then an
 * ethertype), which libpcap files under the same number. */
static bool decode_ppp_serial(struct decode_ctx *x, struct cur *c, int *version)
{
	uint8_t addr = cur_has(c, 1) ? cur_peek_at(c, cur_off(c)) : 0;

	if (addr != 0x0f && addr != 0x8f)
		return decode_ppp(x, c, version);
	cur_skip(c, 2);
	uint16_t type = cur_be16(c);
	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* shorter than its header */
	return decode_ethertype(x, c, type, false, version);
}

/* NFLOG lengths and types are in the byte order of the host that captured; libpcap swaps
 * them into ours when it reads a file written on the other kind of host. */
static uint16_t decode_host16(struct cur *c)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return cur_be16(c);
#else
	return cur_le16(c);
#endif
}

/* Linux NFLOG: family, version, resource id, then TLVs (length with its own 4-byte header,
 * type, value, padding to 4). The payload TLV holds the IP packet; a snaplen may cut it,
 * which the IP layer then sees. Every TLV is at least 4 bytes, so the walk ends. */
static bool decode_nflog(struct decode_ctx *x, struct cur *c, struct cur *net, int *version)
{
	uint8_t family = cur_u8(c);
	cur_skip(c, 3);
	if (!cur_ok(c))
		return decode_link_fail(x, SKIP_LINK_SHORT); /* no NFLOG header */
	if (family == 2)
		*version = 4;
	else if (family == 10)
		*version = 6;
	else
		return decode_link_fail(x, SKIP_LINK_NOT_IP); /* bridge or ARP logging */
	while (cur_left(c) >= 4) {
		size_t len = decode_host16(c);
		uint16_t type = decode_host16(c) & NFLOG_TYPE_MASK;
		if (len < 4)
			return decode_link_fail(x, SKIP_LINK_SHORT); /* would not advance */
		if (type == NFLOG_PAYLOAD) {
			size_t n = len - 4 < cur_left(c) ? len - 4 : cur_left(c);
			*net = cur_sub(c, n);
			return true;
		}
		cur_skip(c, len - 4);
		if (!cur_ok(c))
			return decode_link_fail(x, SKIP_LINK_SHORT); /* TLV runs past the capture */
		size_t pad = (4 - len % 4) % 4;
		cur_skip(c, pad < cur_left(c) ? pad : cur_left(c));
	}
	return decode_link_fail(x, SKIP_LINK_NOT_IP); /* a log entry without the packet */
}

/* Leaves net over the network layer and *version at 4, 6, or 0 (the version nibble says). */
static bool decode_link(struct decode_ctx *x, int dlt, struct cur *c, struct cur *net,
			int *version)
{
	bool ok = true;

	*version = 0;
	switch (dlt) {
	case DLT_EN10MB:
		ok = decode_ether(x, c, version);
		break;
	case DLT_LINUX_SLL:
		ok = decode_sll(x, c, version);
		break;
	case DLT_LINUX_SLL2:
		ok = decode_sll2(x, c, version);
		break;
	case DLT_RAW:
	case DECODE_LINKTYPE_RAW:
		break;
	case DLT_IPV4:
		*version = 4;
		break;
	case DLT_IPV6:
		*version = 6;
		break;
	case DLT_NULL:
		ok = decode_loopback(x, c, true, version);
		break;
	case DLT_LOOP:
		ok = decode_loopback(x, c, false, version);
		break;
	case DLT_PPP:
		ok = decode_ppp(x, c, version);
		break;
	case DLT_PPP_SERIAL:
		ok = decode_ppp_serial(x, c, version);
		break;
	case DLT_NFLOG:
		return decode_nflog(x, c, net, version);
	default:
		return decode_link_fail(x, SKIP_LINK_NOT_IP); /* decode_link_supported says no */
	}
	if (!ok)
		return false; /* counted */
	*net = cur_sub(c, cur_left(c));
	return true;
}

/* st->ip_packets counts packets, not headers: once for the outermost IP header. */
static void decode_count_ip(struct decode_ctx *x)
{
	if (!x->ip_counted && x->st)
		x->st->ip_packets++;
	x->ip_counted = true;
}

/* Hands one fragment to the table; on completion ip covers the whole datagram. */
static enum decode_step decode_reassemble(struct decode_ctx *x, const struct frag_in *in,
					  bool cut, struct decode_ip *ip)
{
	const uint8_t *whole = NULL;
	size_t len = 0;

	if (!x->frags)
		return decode_stop(x, SKIP_FRAG_TOO_MANY); /* reassembly off (decode.h) */
	if (cut)
		return decode_stop(x, SKIP_CAPLEN_SHORT); /* a cut fragment cannot be rebuilt */
	if (x->reassembled)
		return decode_stop(x, SKIP_FRAG_BAD); /* fragments nested in one datagram */
	switch (frag_add(x->frags, in, x->pkt->ts_us, x->st, &whole, &len)) {
	case FRAG_HELD:
		return STEP_STOP; /* kept until the rest comes: not a skip */
	case FRAG_DROPPED:
		return STEP_STOP; /* counted by the table */
	case FRAG_DONE:
		break;
	}
	x->pkt->reassembled = true;
	ip->body = whole;
	ip->body_cap = ip->body_len = len;
	return STEP_WHOLE;
}

/* Walks IPv4 options (RFC 791 section 3.1): EOL ends them, NOP is one byte, every other
 * option carries a length counting its own two bytes. False on a length that would not
 * advance or runs past the header; the caller still decodes the packet. */
static bool decode_ip4_options(struct cur o)
{
	while (cur_left(&o) > 0) {
		uint8_t type = cur_u8(&o);
		if (type == 0)
			return true; /* end of option list */
		if (type == 1)
			continue; /* no-operation */
		uint8_t len = cur_u8(&o);
		if (!cur_ok(&o) || len < 2)
			return false; /* no length, or one that would not advance */
		cur_skip(&o, len - 2u);
		if (!cur_ok(&o))
			return false; /* runs past the header */
	}
	return true;
}

/*
 * IPv4 header (RFC 791 section 3.1), checked in a fixed order: minimum length, version,
 * header length, total length. The length is settled once: the total length when the capture
 * holds more (Ethernet padding), the captured bytes when a snaplen cut it (payload_cut). A
 * total length past what the frame carried on the wire is a lie, not a cut.
 *
 *   | ver | ihl |  tos  |      total length      |
 *   |    identification  |flags| fragment offset  |
 *   |  ttl  | protocol   |     header checksum    |
 *   |          source    |    destination         |  options (ihl > 5)
 */
static enum decode_step decode_ip4(struct decode_ctx *x, const uint8_t *p, size_t caplen,
				   struct decode_ip *ip)
{
	struct packet *pkt = x->pkt;
	struct cur c = cur_make(p, caplen);

	if (caplen < IP4_HDR_MIN)
		return decode_stop(x, SKIP_IP4_SHORT); /* not even the fixed header */
	uint8_t vihl = cur_u8(&c);
	size_t hlen = (size_t)(vihl & 0x0f) * 4;
	if (vihl >> 4 != 4)
		return decode_stop(x, SKIP_IP4_VERSION); /* not IPv4 after all */
	if (hlen < IP4_HDR_MIN || hlen > caplen)
		return decode_stop(x, SKIP_IP4_HLEN); /* header shorter than itself, or cut */
	cur_skip(&c, 1); /* type of service */
	size_t total = cur_be16(&c);
	if (total < hlen)
		return decode_stop(x, SKIP_IP4_TOTLEN); /* a datagram smaller than its header */
	if (total > x->wire)
		return decode_stop(x, SKIP_IP4_TOTLEN); /* longer than the frame was on the wire */
	uint16_t id = cur_be16(&c);
	uint16_t frag = cur_be16(&c);
	pkt->ttl = cur_u8(&c);
	uint8_t proto = cur_u8(&c);
	cur_skip(&c, 2); /* checksum: offloading NICs leave garbage in captures */
	memset(pkt->src, 0, sizeof(pkt->src));
	memset(pkt->dst, 0, sizeof(pkt->dst));
	cur_copy(&c, pkt->src, 4);
	cur_copy(&c, pkt->dst, 4);
	struct cur options = cur_sub(&c, hlen - IP4_HDR_MIN);
	assert(cur_ok(&c)); /* hlen <= caplen was checked */
	decode_count_ip(x);

	bool cut = total > caplen;
	size_t have = cut ? caplen : total;
	pkt->ip_version = 4;
	pkt->l3 = p;
	pkt->l3_len = have;
	ip->proto = proto;
	ip->body_cap = have - hlen;
	ip->body_len = total - hlen;
	ip->body = cur_take(&c, ip->body_cap);
	if (frag & (IP4_MF | IP4_OFFSET)) {
		struct frag_in in = {
			.version = 4, .id = id, .proto = proto,
			.offset = (uint32_t)(frag & IP4_OFFSET) * 8, .more = (frag & IP4_MF) != 0,
			.hdr = p, .hdr_len = hlen, .data = ip->body, .data_len = ip->body_cap,
		};
		memcpy(in.src, pkt->src, 16);
		memcpy(in.dst, pkt->dst, 16);
		return decode_reassemble(x, &in, cut, ip);
	}
	if (!decode_ip4_options(options))
		x->bad_options = true;
	return STEP_NEXT;
}

/* Extension headers the walk steps over (RFC 8200 section 4.1); ESP and No Next Header end
 * the chain like an upper layer. */
static bool decode_ip6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH;
}

/* An extension header's length from its second byte: AH counts 4-byte words less 2
 * (RFC 4302), the others 8-byte units not counting the first (RFC 8200). */
static size_t decode_ip6_ext_len(uint8_t nh, size_t hl)
{
	if (nh == IPPROTO_FRAGMENT)
		return 8;
	if (nh == IPPROTO_AH)
		return (hl + 2) * 4;
	return (hl + 1) * 8;
}

/* The Fragment header (RFC 8200 section 4.5) at e's offset off, 8 bytes known to be there:
 * an atomic fragment (offset 0, M clear: RFC 6946) is stepped over, any other goes to
 * reassembly with the headers before it and all bytes after it. */
static enum decode_step decode_ip6_fragment(struct decode_ctx *x, const uint8_t *p,
					    struct cur *e, size_t nh_off, bool cut,
					    struct decode_ip *ip)
{
	size_t off = cur_off(e);
	uint8_t next = cur_u8(e);
	cur_skip(e, 1); /* reserved */
	uint16_t fo = cur_be16(e);
	uint32_t id = cur_be32(e);

	if ((fo & (IP6_FRAG_OFFSET | IP6_FRAG_MORE)) == 0)
		return STEP_NEXT; /* atomic: the datagram is whole */
	struct frag_in in = {
		.version = 6, .id = id, .proto = next,
		.offset = fo & IP6_FRAG_OFFSET, .more = (fo & IP6_FRAG_MORE) != 0,
		.hdr = p, .hdr_len = off, .nh_off = nh_off,
	};
	memcpy(in.src, x->pkt->src, 16);
	memcpy(in.dst, x->pkt->dst, 16);
	in.data_len = cur_left(e);
	in.data = cur_take(e, in.data_len);
	return decode_reassemble(x, &in, cut, ip);
}

/* Walks the extension header chain (RFC 8200 section 4) from the fixed header's Next
 * Header, at most IP6_MAX_EXT_HEADERS long. e covers the captured datagram, at offset 40;
 * total is the datagram's length as IP says it. A header past total is malformed, one past
 * the capture was cut by a snaplen. */
static enum decode_step decode_ip6_ext(struct decode_ctx *x, const uint8_t *p, struct cur *e,
				       size_t total, uint8_t nh, bool cut, struct decode_ip *ip)
{
	size_t nh_off = IP6_NH_OFF; /* the byte that named the current header */

	for (unsigned n = 0; decode_ip6_is_ext(nh); n++) {
		size_t off = cur_off(e);
		if (n == IP6_MAX_EXT_HEADERS)
			return decode_stop(x, SKIP_IP6_EXT_DEPTH); /* more than stacks send */
		if (nh == IPPROTO_HOPOPTS && off != IP6_HDR)
			return decode_stop(x, SKIP_IP6_EXT); /* hop-by-hop must come first */
		if (off + 8 > total)
			return decode_stop(x, SKIP_IP6_EXT); /* every header is 8 bytes or more */
		if (!cur_has(e, 8))
			return decode_stop(x, SKIP_CAPLEN_SHORT); /* snaplen cut the chain */
		uint8_t next = cur_peek_at(e, off);
		size_t len = decode_ip6_ext_len(nh, cur_peek_at(e, off + 1));
		if (len % 8 != 0 || off + len > total)
			return decode_stop(x, SKIP_IP6_EXT); /* AH not 8-aligned, or past the end */
		if (!cur_has(e, len))
			return decode_stop(x, SKIP_CAPLEN_SHORT); /* snaplen cut the chain */
		if (nh == IPPROTO_FRAGMENT) {
			enum decode_step s = decode_ip6_fragment(x, p, e, nh_off, cut, ip);
			if (s != STEP_NEXT)
				return s; /* held, counted, or whole */
		} else {
			cur_skip(e, len);
		}
		nh_off = off;
		nh = next;
	}
	ip->proto = nh;
	ip->body_len = total - cur_off(e);
	ip->body_cap = cur_left(e);
	ip->body = cur_take(e, ip->body_cap);
	return STEP_NEXT;
}

/*
 * IPv6 fixed header (RFC 8200 section 3), checked in order: minimum length, version,
 * payload length; then the extension headers.
 *
 *   | ver | traffic class | flow label              |
 *   |   payload length    | next header | hop limit |
 *   |  source (16)  |  destination (16)             |
 */
static enum decode_step decode_ip6(struct decode_ctx *x, const uint8_t *p, size_t caplen,
				   struct decode_ip *ip)
{
	struct packet *pkt = x->pkt;
	struct cur c = cur_make(p, caplen);

	if (caplen < IP6_HDR)
		return decode_stop(x, SKIP_IP6_SHORT); /* not even the fixed header */
	uint32_t vtf = cur_be32(&c);
	size_t plen = cur_be16(&c);
	uint8_t nh = cur_u8(&c);
	pkt->ttl = cur_u8(&c);
	if (vtf >> 28 != 6)
		return decode_stop(x, SKIP_IP6_VERSION); /* not IPv6 after all */
	if (plen == 0)
		return decode_stop(x, SKIP_IP6_PLEN); /* a jumbogram (RFC 2675), or empty */
	if (IP6_HDR + plen > x->wire)
		return decode_stop(x, SKIP_IP6_PLEN); /* longer than the frame was on the wire */
	cur_copy(&c, pkt->src, 16);
	cur_copy(&c, pkt->dst, 16);
	assert(cur_ok(&c)); /* caplen >= 40 was checked */
	decode_count_ip(x);

	size_t total = IP6_HDR + plen;
	bool cut = total > caplen;
	size_t have = cut ? caplen : total;
	pkt->ip_version = 6;
	pkt->l3 = p;
	pkt->l3_len = have;
	struct cur e = cur_make(p, have);
	cur_skip(&e, IP6_HDR);
	return decode_ip6_ext(x, p, &e, total, nh, cut, ip);
}

/* The packet decoded: fill the transport fields and report late IPv4 option trouble. */
static enum decode_result decode_ok(struct decode_ctx *x, uint8_t proto, uint16_t sport,
				    uint16_t dport)
{
	x->pkt->proto = proto;
	x->pkt->sport = sport;
	x->pkt->dport = dport;
	if (x->bad_options)
		stats_skip(x->st, SKIP_IP4_OPTIONS); /* decoded anyway: counted, not skipped */
	return DECODE_OK;
}

/* ---- tunnels inside IP ---- */

/* What a tunnel header says follows it. */
enum decode_carried { CARRIED_IP, CARRIED_ETHER, CARRIED_PPP, CARRIED_MPLS };

/* The tunnel header ended at c's offset into an outer payload of wire bytes on the wire;
 * *in becomes the inner IP packet, after the link headers `what` calls for (IP: version 4, 6,
 * or 0 for its first nibble). */
static enum decode_step decode_tunnel_inner(struct decode_ctx *x, struct cur *c, size_t wire,
					    enum decode_carried what, int version,
					    struct decode_inner *in)
{
	if (!decode_tunnel_enter(x, what == CARRIED_ETHER))
		return STEP_STOP; /* counted */
	bool ok = true;
	if (what == CARRIED_ETHER)
		ok = decode_ether(x, c, &version);
	else if (what == CARRIED_PPP)
		ok = decode_ppp(x, c, &version);
	else if (what == CARRIED_MPLS)
		ok = decode_mpls(x, c, &version);
	if (!ok)
		return STEP_STOP; /* counted */
	size_t off = cur_off(c);
	in->version = version;
	in->len = cur_left(c);
	in->p = cur_take(c, in->len);
	in->wire = wire > off ? wire - off : 0;
	return STEP_NEXT;
}

/* A tunnel header that ends early: a snaplen cut it, or the lengths around it lie. */
static enum decode_step decode_tunnel_short(struct decode_ctx *x, bool cut)
{
	return decode_stop(x, cut ? SKIP_CAPLEN_SHORT : SKIP_TUNNEL_BAD);
}

/* ERSPAN type II (8 bytes) and type III (12, and 8 more with the O bit) before the mirrored
 * frame (draft-foschiano-erspan-03). Sets *truncated from the T bit: the session cut the frame
 * short, so its IP lengths say more than the tunnel carries.
 *
 *   II:  | ver=1 | vlan | cos | en | T | session id | reserved | index |
 *   III: | ver=2 | vlan | cos | bso | T | session id | timestamp | sgt | P | ft | hw id |
 *        D | gra | O |
 */
static enum decode_step decode_erspan(struct decode_ctx *x, struct cur *c, bool type3, bool cut,
				      bool *ip_frame, bool *truncated)
{
	const uint8_t *h = cur_take(c, type3 ? ERSPAN3_HDR : ERSPAN2_HDR);
	if (!h)
		return decode_tunnel_short(x, cut);
	if (h[0] >> 4 != (type3 ? 2 : 1))
		return decode_stop(x, SKIP_TUNNEL_BAD); /* another ERSPAN version */
	*truncated = h[2] & 0x04;
	*ip_frame = false;
	if (type3) {
		unsigned ft = h[10] >> 2 & 0x1f;
		if (ft != 0 && ft != 2)
			return decode_stop(x, SKIP_TUNNEL_BAD); /* neither Ethernet nor IP */
		*ip_frame = ft == 2;
		if (h[11] & 0x01)
			cur_skip(c, ERSPAN3_SUBHDR);
	}
	return cur_ok(c) ? STEP_NEXT : decode_tunnel_short(x, cut);
}

/* GRE (RFC 2784; key and sequence number RFC 2890) and PPTP's enhanced GRE (RFC 2637 section
 * 4.1): flags and version, protocol type, the optional fields the flags announce, then IPv4,
 * IPv6, Ethernet (transparent bridging, NVGRE), ERSPAN type I, II or III, MPLS or PPP.
 *
 *   | C | R | K | S | s | recur | A | flags | ver |  protocol type  |
 *   [ checksum, reserved ]  [ key (v1: payload length, call id) ]  [ sequence ]  [ ack (v1) ]
 */
static enum decode_step decode_gre(struct decode_ctx *x, const struct decode_ip *ip,
				   struct decode_inner *in)
{
	bool cut = ip->body_cap < ip->body_len;
	struct cur c = cur_make(ip->body, ip->body_cap);
	uint16_t flags = cur_be16(&c);
	uint16_t type = cur_be16(&c);
	unsigned version = flags & GRE_VERSION;
	size_t optional = (flags & GRE_CSUM ? 4 : 0) + (flags & GRE_KEY ? 4 : 0) +
			  (flags & GRE_SEQ ? 4 : 0) + (flags & GRE_ACK ? 4 : 0);
	if (!cur_ok(&c))
		return decode_tunnel_short(x, cut);
	if (flags & GRE_ROUTING || version > 1 || (version == 0 && flags & GRE_ACK) ||
	    (version == 1 && (type != ETH_P_PPP_GRE || !(flags & GRE_KEY) || flags & GRE_CSUM)))
		return decode_stop(x, SKIP_TUNNEL_BAD); /* source routing (RFC 1701), v1 not PPTP */
	cur_skip(&c, optional);
	if (!cur_ok(&c))
		return decode_tunnel_short(x, cut);
	if (cur_left(&c) == 0 && !cut)
		return decode_stop(x, SKIP_IP_PROTO_OTHER); /* a keepalive or a bare PPTP ack */
	bool ip_frame = false, truncated = false;
	size_t wire = ip->body_len;
	switch (type) {
	case ETH_P_IP4:
		return decode_tunnel_inner(x, &c, wire, CARRIED_IP, 4, in);
	case ETH_P_IP6:
		return decode_tunnel_inner(x, &c, wire, CARRIED_IP, 6, in);
	case ETH_P_TEB:
		return decode_tunnel_inner(x, &c, wire, CARRIED_ETHER, 0, in);
	case ETH_P_MPLS_UC:
	case ETH_P_MPLS_MC:
		return decode_tunnel_inner(x, &c, wire, CARRIED_MPLS, 0, in);
	case ETH_P_PPP_GRE:
		return decode_tunnel_inner(x, &c, wire, CARRIED_PPP, 0, in);
	case ETH_P_ERSPAN2:
	case ETH_P_ERSPAN3:
		/* ERSPAN type I has no header and no sequence number; type II has both. */
		if ((type == ETH_P_ERSPAN3 || flags & GRE_SEQ) &&
		    decode_erspan(x, &c, type == ETH_P_ERSPAN3, cut, &ip_frame, &truncated) ==
			    STEP_STOP)
			return STEP_STOP; /* counted */
		return decode_tunnel_inner(x, &c, truncated ? SIZE_MAX : wire,
					   ip_frame ? CARRIED_IP : CARRIED_ETHER, 0, in);
	default:
		return decode_stop(x, SKIP_IP_PROTO_OTHER); /* WCCP, keepalives, ... */
	}
}

/* VXLAN (RFC 7348) on its port: flags with I set, VNI, then an Ethernet frame. Returns
 * STEP_DONE when the datagram is not VXLAN after all (plain UDP). */
static enum decode_step decode_vxlan(struct decode_ctx *x, struct cur *c, size_t wire, bool cut,
				     struct decode_inner *in)
{
	const uint8_t *h = cur_take(c, VXLAN_HDR);
	if (!h)
		return cut ? decode_stop(x, SKIP_CAPLEN_SHORT) : STEP_DONE;
	if (!(h[0] & VXLAN_FLAG_I))
		return STEP_DONE;
	return decode_tunnel_inner(x, c, wire, CARRIED_ETHER, 0, in);
}

/* Geneve (RFC 8926) on its port: version 0, options length in 4-byte words, protocol type,
 * VNI, the options, then an Ethernet frame or an IP packet. STEP_DONE: not Geneve. */
static enum decode_step decode_geneve(struct decode_ctx *x, struct cur *c, size_t wire, bool cut,
				      struct decode_inner *in)
{
	const uint8_t *h = cur_take(c, GENEVE_HDR);
	if (!h)
		return cut ? decode_stop(x, SKIP_CAPLEN_SHORT) : STEP_DONE;
	if (h[0] >> 6 != 0)
		return STEP_DONE;
	cur_skip(c, (size_t)(h[0] & 0x3f) * 4);
	if (!cur_ok(c))
		return decode_tunnel_short(x, cut);
	switch (h[2] << 8 | h[3]) {
	case ETH_P_TEB:
		return decode_tunnel_inner(x, c, wire, CARRIED_ETHER, 0, in);
	case ETH_P_IP4:
		return decode_tunnel_inner(x, c, wire, CARRIED_IP, 4, in);
	case ETH_P_IP6:
		return decode_tunnel_inner(x, c, wire, CARRIED_IP, 6, in);
	default:
		return decode_stop(x, SKIP_IP_PROTO_OTHER); /* another protocol inside */
	}
}

/* UDP (RFC 768): the length field must fit in what IP says; the payload is what the length
 * says, bounded by the capture. Datagrams to the VXLAN and Geneve ports are tunnels. */
static enum decode_step decode_udp(struct decode_ctx *x, const struct decode_ip *ip,
				   struct decode_inner *in)
{
	struct packet *pkt = x->pkt;
	struct cur c = cur_make(ip->body, ip->body_cap);

	if (ip->body_len < UDP_HDR)
		return decode_stop(x, SKIP_UDP_SHORT); /* IP leaves no room for the header */
	uint16_t sport = cur_be16(&c);
	uint16_t dport = cur_be16(&c);
	size_t ulen = cur_be16(&c);
	cur_skip(&c, 2); /* checksum */
	if (!cur_ok(&c))
		return decode_stop(x, SKIP_CAPLEN_SHORT); /* snaplen cut the header */
	if (ulen < UDP_HDR || ulen > ip->body_len)
		return decode_stop(x, SKIP_UDP_LEN); /* a length that lies */
	size_t want = ulen - UDP_HDR;
	size_t n = want < cur_left(&c) ? want : cur_left(&c);
	if (dport == UDP_PORT_VXLAN || dport == UDP_PORT_GENEVE) {
		struct cur t = c;
		t = cur_sub(&t, n);
		enum decode_step s = dport == UDP_PORT_VXLAN ? decode_vxlan(x, &t, want, n < want, in)
							     : decode_geneve(x, &t, want, n < want, in);
		if (s != STEP_DONE)
			return s;
	}
	pkt->payload_cut = n < want;
	pkt->payload_len = n;
	pkt->payload = cur_take(&c, n);
	(void)decode_ok(x, IPPROTO_UDP, sport, dport);
	return STEP_DONE;
}

/* TCP (RFC 9293 section 3.1): data offset of 5 words or more, inside what IP says; options
 * are stepped over (the flow layer needs none of them). */
static enum decode_result decode_tcp(struct decode_ctx *x, const struct decode_ip *ip)
{
	struct packet *pkt = x->pkt;
	struct cur c = cur_make(ip->body, ip->body_cap);

	if (ip->body_len < TCP_HDR_MIN)
		return decode_skip(x, SKIP_TCP_SHORT); /* IP leaves no room for the header */
	uint16_t sport = cur_be16(&c);
	uint16_t dport = cur_be16(&c);
	pkt->seq = cur_be32(&c);
	pkt->ack = cur_be32(&c);
	size_t hlen = (size_t)(cur_u8(&c) >> 4) * 4;
	pkt->tcp_flags = cur_u8(&c);
	cur_skip(&c, 6); /* window, checksum, urgent pointer */
	if (!cur_ok(&c))
		return decode_skip(x, SKIP_CAPLEN_SHORT); /* snaplen cut the header */
	if (hlen < TCP_HDR_MIN || hlen > ip->body_len)
		return decode_skip(x, SKIP_TCP_HLEN); /* data offset that lies */
	cur_skip(&c, hlen - TCP_HDR_MIN);
	if (!cur_ok(&c))
		return decode_skip(x, SKIP_CAPLEN_SHORT); /* snaplen cut the options */
	size_t want = ip->body_len - hlen;
	size_t n = want < cur_left(&c) ? want : cur_left(&c);
	pkt->payload_cut = n < want;
	pkt->payload_len = n;
	pkt->payload = cur_take(&c, n);
	return decode_ok(x, IPPROTO_TCP, sport, dport);
}

/* The IP version an inner packet's first nibble says; IPv4 checks report anything else. */
static int decode_version_of(const uint8_t *p, size_t len)
{
	struct cur v = cur_make(p, len);
	return cur_u8(&v) >> 4 == 6 ? 6 : 4;
}

/* Decodes IP layers from p (len captured bytes of x->wire on the wire) down to the transport:
 * IPv4 and IPv6 in IPv4 or IPv6 (RFC 2003, RFC 4213, RFC 2473), in GRE and ERSPAN, and in
 * VXLAN and Geneve, up to IP_MAX_TUNNEL_DEPTH deep, each layer possibly rebuilt from fragments
 * once. */
static enum decode_result decode_ip_layers(struct decode_ctx *x, const uint8_t *p, size_t len,
					   int version)
{
	if (version == 0)
		version = decode_version_of(p, len);
	/* Every layer takes one pass, and one more when it was rebuilt from fragments. */
	for (unsigned pass = 0; pass < 2 * (IP_MAX_TUNNEL_DEPTH + 1); pass++) {
		struct decode_ip ip = { 0 };
		enum decode_step s = version == 6 ? decode_ip6(x, p, len, &ip)
						  : decode_ip4(x, p, len, &ip);
		if (s == STEP_STOP)
			return DECODE_SKIP; /* counted, or a fragment kept */
		if (s == STEP_WHOLE) {
			x->reassembled = true;
			p = ip.body;
			len = x->wire = ip.body_len;
			continue;
		}
		struct decode_inner in;
		switch (ip.proto) {
		case IPPROTO_TCP:
			return decode_tcp(x, &ip);
		case IPPROTO_UDP:
			s = decode_udp(x, &ip, &in);
			break;
		case IPPROTO_GRE:
			s = decode_gre(x, &ip, &in);
			break;
		case IPPROTO_IPIP:
		case IPPROTO_IPV6: {
			/* the inner length is checked against what the outer header says */
			struct cur c = cur_make(ip.body, ip.body_cap);
			s = decode_tunnel_inner(x, &c, ip.body_len, CARRIED_IP,
						ip.proto == IPPROTO_IPIP ? 4 : 6, &in);
			break;
		}
		default:
			return decode_skip(x, SKIP_IP_PROTO_OTHER); /* ICMP, ESP, SCTP, ... */
		}
		if (s == STEP_DONE)
			return DECODE_OK;
		if (s != STEP_NEXT)
			return DECODE_SKIP; /* counted */
		x->reassembled = false;
		p = in.p;
		len = in.len;
		x->wire = in.wire;
		version = in.version ? in.version : decode_version_of(p, len);
	}
	return decode_skip(x, SKIP_IP_TUNNEL_DEPTH); /* unreachable: every layer ends in two */
}

enum decode_result decode_packet(int dlt, const uint8_t *frame, size_t caplen,
				 struct frag_table *frags, struct packet *pkt,
				 struct stats *st)
{
	struct decode_ctx x = { .frags = frags, .pkt = pkt, .st = st };
	uint64_t ts_us = pkt->ts_us;
	uint32_t wirelen = pkt->wirelen;

	/* A copy of a zero packet compiles to a few vector stores; memset of this size became a
	 * `rep stos`, whose start-up cost a quarter of this function's time. */
	static const struct packet zero;
	*pkt = zero;
	pkt->ts_us = ts_us;
	pkt->wirelen = wirelen;
	frag_expire(frags, ts_us, st); /* lazily; cheap when nothing is due */
	if (!frame)
		return decode_skip(&x, SKIP_LINK_SHORT); /* no bytes at all */
	struct cur c = cur_make(frame, caplen);
	struct cur net;
	int version;
	if (!decode_link(&x, dlt, &c, &net, &version))
		return DECODE_SKIP; /* counted */
	size_t n = cur_left(&net);
	/* The bytes a snaplen left out belong to the end of the packet, the network layer's; a
	 * record claiming fewer than were captured is not believed. */
	x.wire = n + (wirelen > caplen ? wirelen - caplen : 0);
	return decode_ip_layers(&x, cur_take(&net, n), n, version);
}

/* test_decode.c: decode.c on hand-built frames, every prefix of each, and the capture corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/decode.h"
#include "capture/frag.h"

#ifndef CORPUS
#define CORPUS "/work/shared/pcaps" /* the shared capture corpus; -DCORPUS=... elsewhere */
#endif

/* A packet built from the inside out: each wrapper puts a header in front. */
struct vec {
	size_t n;
	uint8_t b[70000];
};

static struct vec *vec_bytes(const void *b, size_t n)
{
	struct vec *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	v->n = n;
	memcpy(v->b, b, n);
	return v;
}

static struct vec *vec_new(const char *text)
{
	return vec_bytes(text, strlen(text));
}

static void vec_prepend(struct vec *v, const uint8_t *h, size_t n)
{
	assert_true(v->n + n <= sizeof(v->b));
	memmove(v->b + n, v->b, v->n);
	memcpy(v->b, h, n);
	v->n += n;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static const uint8_t SRC4[4] = { 10, 0, 0, 1 }, DST4[4] = { 192, 0, 2, 7 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 2 };

static void wrap_udp(struct vec *v, unsigned sport, unsigned dport)
{
	uint8_t h[8] = { 0 };
	put16(h, sport);
	put16(h + 2, dport);
	put16(h + 4, (unsigned)(v->n + 8));
	vec_prepend(v, h, 8);
}

/* TCP with optlen bytes of options (NOPs, then an MSS when there is room). */
static void wrap_tcp(struct vec *v, unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
		     uint8_t flags, size_t optlen)
{
	uint8_t h[60] = { 0 };
	size_t hl = 20 + optlen;
	put16(h, sport);
	put16(h + 2, dport);
	put32(h + 4, seq);
	put32(h + 8, ack);
	h[12] = (uint8_t)(hl / 4 << 4);
	h[13] = flags;
	put16(h + 14, 65535);
	memset(h + 20, 1, optlen);
	if (optlen >= 4) {
		h[20] = 2;
		h[21] = 4;
		put16(h + 22, 1460);
	}
	vec_prepend(v, h, hl);
}

static void wrap_ip4_opts(struct vec *v, uint8_t proto, const uint8_t *opts, size_t optlen)
{
	uint8_t h[60] = { 0 };
	size_t hl = 20 + optlen;
	h[0] = (uint8_t)(0x40 | hl / 4);
	put16(h + 2, (unsigned)(hl + v->n));
	put16(h + 4, 0x1234);
	h[6] = 0x40; /* DF */
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, SRC4, 4);
	memcpy(h + 16, DST4, 4);
	if (optlen)
		memcpy(h + 20, opts, optlen);
	vec_prepend(v, h, hl);
}

static void wrap_ip4(struct vec *v, uint8_t proto)
{
	wrap_ip4_opts(v, proto, NULL, 0);
}

static void wrap_ip6(struct vec *v, uint8_t nh)
{
	uint8_t h[40] = { 0x60, 0, 0, 0 };
	put16(h + 4, (unsigned)v->n);
	h[6] = nh;
	h[7] = 55;
	memcpy(h + 8, SRC6, 16);
	memcpy(h + 24, DST6, 16);
	vec_prepend(v, h, 40);
}

/* An 8-byte extension header (hop-by-hop, routing or destination options) or AH (12). */
static void wrap_ext6(struct vec *v, uint8_t type, uint8_t next)
{
	uint8_t h[16] = { next, 0 };
	size_t n = 8;
	if (type == 51) {
		h[1] = 2; /* (2 + 2) * 4 = 16 */
		n = 16;
	}
	if (type == 43)
		h[2] = 0; /* routing type 0, segments left 0 */
	vec_prepend(v, h, n);
}

static void wrap_ethertype(struct vec *v, unsigned type)
{
	uint8_t h[2];
	put16(h, type);
	vec_prepend(v, h, 2);
}

static void wrap_vlan(struct vec *v, unsigned tpid, unsigned vid)
{
	uint8_t h[4];
	put16(h, tpid);
	put16(h + 2, 0x2000 | vid); /* priority 1 */
	vec_prepend(v, h, 4);
}

static void wrap_macs(struct vec *v)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10 };
	vec_prepend(v, macs, 12);
}

static void wrap_ether(struct vec *v, unsigned type)
{
	wrap_ethertype(v, type);
	wrap_macs(v);
}

static void wrap_bytes(struct vec *v, const uint8_t *h, size_t n)
{
	vec_prepend(v, h, n);
}

/* The standard payload and the two flows it rides on. */
#define PAYLOAD "GET /Autodiscover/Autodiscover.xml HTTP/1.1\r\n\r\n"

static struct vec *udp4(void)
{
	struct vec *v = vec_new(PAYLOAD);
	wrap_udp(v, 40000, 53);
	wrap_ip4(v, 17);
	return v;
}

static struct vec *tcp6(void)
{
	struct vec *v = vec_new(PAYLOAD);
	wrap_tcp(v, 50000, 443, 1000, 2000, 0x18, 12);
	wrap_ip6(v, 6);
	return v;
}

static uint64_t skips_total(const struct stats *st)
{
	uint64_t n = 0;
	for (size_t i = 0; i < SKIP_MAX; i++)
		n += st->skip[i];
	return n;
}

/* Decodes a private copy of the first n bytes (so ASan sees any read past them) of a frame
 * that was wire bytes long: a snaplen cut when wire > n. */
static enum decode_result decode_cut(int dlt, const uint8_t *b, size_t n, size_t wire,
				     struct packet *pkt, struct stats *st, uint8_t **copy)
{
	*copy = malloc(n ? n : 1);
	assert_non_null(*copy);
	if (n)
		memcpy(*copy, b, n);
	pkt->ts_us = 1000000;
	pkt->wirelen = (uint32_t)wire;
	return decode_packet(dlt, *copy, n, NULL, pkt, st);
}

/* The same for a frame captured whole. */
static enum decode_result decode_copy(int dlt, const uint8_t *b, size_t n, struct packet *pkt,
				      struct stats *st, uint8_t **copy)
{
	return decode_cut(dlt, b, n, n, pkt, st, copy);
}

static void check_prefixes(int dlt, const uint8_t *b, size_t n, const struct packet *full);

/* Decodes v as one whole packet, expects DECODE_OK with no skip counted, and checks every
 * prefix of it against the result. pkt is left filled, its pointers cleared (they lent the
 * copy, which is gone). */
static void expect_ok(int dlt, const struct vec *v, struct packet *pkt)
{
	struct stats st = { 0 };
	uint8_t *copy;
	assert_int_equal(decode_copy(dlt, v->b, v->n, pkt, &st, &copy), DECODE_OK);
	assert_int_equal(skips_total(&st), 0);
	assert_int_equal(st.ip_packets, 1);
	assert_true(pkt->l3 >= copy && pkt->l3 + pkt->l3_len <= copy + v->n);
	assert_true(pkt->payload >= pkt->l3);
	assert_true(pkt->payload + pkt->payload_len <= pkt->l3 + pkt->l3_len);
	check_prefixes(dlt, v->b, v->n, pkt);
	free(copy);
	pkt->l3 = NULL;
	pkt->payload = NULL;
}

static void expect_skip(int dlt, const struct vec *v, enum skip_reason r)
{
	struct stats st = { 0 };
	struct packet pkt;
	uint8_t *copy;
	assert_int_equal(decode_copy(dlt, v->b, v->n, &pkt, &st, &copy), DECODE_SKIP);
	free(copy);
	if (st.skip[r] != 1)
		fail_msg("expected skip %s", skip_names[r]);
	assert_int_equal(skips_total(&st), 1);
	check_prefixes(dlt, v->b, v->n, NULL);
}

/* Every prefix, as a snaplen would cut it, decodes without a crash (ASan), to exactly one
 * skip or to a result that is consistent with the whole packet's: same flow, a prefix of its
 * payload. */
static void check_prefixes(int dlt, const uint8_t *b, size_t n, const struct packet *full)
{
	for (size_t k = 0; k < n; k++) {
		struct stats st = { 0 };
		struct packet pkt;
		uint8_t *copy;
		enum decode_result r = decode_cut(dlt, b, k, n, &pkt, &st, &copy);
		if (r == DECODE_SKIP) {
			assert_int_equal(skips_total(&st), 1);
		} else {
			assert_true(skips_total(&st) <= 1); /* IP4_OPTIONS only */
			assert_true(pkt.l3 >= copy && pkt.l3 + pkt.l3_len <= copy + k);
			assert_true(pkt.payload + pkt.payload_len <= copy + k);
			if (full) {
				assert_int_equal(pkt.sport, full->sport);
				assert_int_equal(pkt.dport, full->dport);
				assert_memory_equal(pkt.src, full->src, 16);
				assert_true(pkt.payload_len <= full->payload_len);
				assert_true(pkt.payload_cut ||
					    pkt.payload_len == full->payload_len);
				if (pkt.payload_len)
					assert_memory_equal(pkt.payload, full->payload,
							    pkt.payload_len);
			}
		}
		free(copy);
	}
}

/* ---- link layers ---- */

static void test_link_supported(void **state)
{
	(void)state;
	int yes[] = { 0, 1, 9, 12, 50, 101, 108, 113, 228, 229, 239, 276 };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(decode_link_supported(yes[i]));
	assert_false(decode_link_supported(105)); /* 802.11 */
	assert_false(decode_link_supported(127)); /* radiotap */
	assert_false(decode_link_supported(-1));
	struct vec *v = udp4();
	expect_skip(105, v, SKIP_LINK_NOT_IP);
	free(v);
	struct stats st = { 0 };
	struct packet pkt = { 0 };
	assert_int_equal(decode_packet(DLT_EN10MB, NULL, 0, NULL, &pkt, &st), DECODE_SKIP);
	assert_int_equal(st.skip[SKIP_LINK_SHORT], 1);
}

static void test_ether_udp4(void **state)
{
	(void)state;
	struct vec *v = udp4();
	wrap_ether(v, 0x0800);
	struct packet pkt;
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.ip_version, 4);
	assert_int_equal(pkt.proto, 17);
	assert_int_equal(pkt.sport, 40000);
	assert_int_equal(pkt.dport, 53);
	assert_int_equal(pkt.ttl, 64);
	assert_memory_equal(pkt.src, SRC4, 4);
	assert_memory_equal(pkt.dst, DST4, 4);
	static const uint8_t zero[12];
	assert_memory_equal(pkt.src + 4, zero, 12);
	assert_memory_equal(pkt.dst + 4, zero, 12);
	assert_int_equal(pkt.payload_len, strlen(PAYLOAD));
	assert_false(pkt.payload_cut);
	assert_false(pkt.reassembled);
	assert_int_equal(pkt.n_vlan, 0);
	assert_int_equal(pkt.l3_len, 20 + 8 + strlen(PAYLOAD));
	free(v);
}

static void test_ether_not_ip(void **state)
{
	(void)state;
	struct vec *v = vec_bytes("\x00\x01\x08\x00\x06\x04\x00\x01 arp request", 20);
	wrap_ether(v, 0x0806);
	expect_skip(DLT_EN10MB, v, SKIP_LINK_NOT_IP);
	free(v);
	v = vec_new("");
	wrap_macs(v);
	expect_skip(DLT_EN10MB, v, SKIP_LINK_SHORT); /* 12 bytes: no type */
	free(v);
}

static void test_vlan_stacks(void **state)
{
	(void)state;
	struct packet pkt;
	/* 802.1Q */
	struct vec *v = tcp6();
	wrap_ethertype(v, 0x86dd);
	wrap_vlan(v, 0x8100, 100);
	wrap_macs(v);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.n_vlan, 1);
	assert_int_equal(pkt.vlan[0], 100);
	assert_int_equal(pkt.vlan[1], 0);
	assert_int_equal(pkt.proto, 6);
	free(v);
	/* QinQ: 802.1ad outer, 802.1Q inner, then an old 0x9100 and a fourth: the cap */
	v = udp4();
	wrap_ethertype(v, 0x0800);
	wrap_vlan(v, 0x8100, 7);
	wrap_vlan(v, 0x9100, 30);
	wrap_vlan(v, 0x8100, 20);
	wrap_vlan(v, 0x88a8, 4095);
	wrap_macs(v);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.n_vlan, 4);
	assert_int_equal(pkt.vlan[0], 4095);
	assert_int_equal(pkt.vlan[1], 20);
	free(v);
	/* one more than LINK_MAX_VLAN_TAGS */
	v = udp4();
	wrap_ethertype(v, 0x0800);
	for (unsigned i = 0; i <= LINK_MAX_VLAN_TAGS; i++)
		wrap_vlan(v, 0x8100, i + 1);
	wrap_macs(v);
	expect_skip(DLT_EN10MB, v, SKIP_LINK_VLAN_DEPTH);
	free(v);
	/* VLAN 0 (priority tagging) still counts as a tag */
	v = udp4();
	wrap_ethertype(v, 0x0800);
	wrap_vlan(v, 0x8100, 0);
	wrap_macs(v);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.n_vlan, 1);
	assert_int_equal(pkt.vlan[0], 0);
	free(v);
}

static void test_llc_snap(void **state)
{
	(void)state;
	struct packet pkt;
	struct vec *v = udp4();
	static const uint8_t snap[8] = { 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00 };
	wrap_bytes(v, snap, 8);
	wrap_ether(v, (unsigned)v->n); /* 802.3 length */
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.dport, 53);
	free(v);
	/* SNAP carrying an 802.1Q tag */
	v = udp4();
	wrap_ethertype(v, 0x0800);
	wrap_vlan(v, 0x8100, 12);
	static const uint8_t snap_head[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
	wrap_bytes(v, snap_head, 6);
	wrap_ether(v, (unsigned)v->n);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.vlan[0], 12);
	free(v);
	/* spanning tree: LLC without SNAP */
	v = vec_bytes("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	static const uint8_t stp[3] = { 0x42, 0x42, 0x03 };
	wrap_bytes(v, stp, 3);
	wrap_ether(v, (unsigned)v->n);
	expect_skip(DLT_EN10MB, v, SKIP_LINK_NOT_IP);
	free(v);
	/* SNAP with a non-IP type */
	v = vec_new("appletalk");
	static const uint8_t snap_at[8] = { 0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0x9b };
	wrap_bytes(v, snap_at, 8);
	wrap_ether(v, (unsigned)v->n);
	expect_skip(DLT_EN10MB, v, SKIP_LINK_NOT_IP);
	free(v);
}

static void test_sll(void **state)
{
	(void)state;
	struct packet pkt;
	struct vec *v = udp4();
	static const uint8_t sll[14] = { 0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0 };
	wrap_ethertype(v, 0x0800);
	wrap_bytes(v, sll, 14);
	expect_ok(DLT_LINUX_SLL, v, &pkt);
	assert_int_equal(pkt.sport, 40000);
	free(v);
	v = vec_new("netlink bytes....");
	wrap_ethertype(v, 0x0004); /* LINUX_SLL_P_802_2 */
	wrap_bytes(v, sll, 14);
	expect_skip(DLT_LINUX_SLL, v, SKIP_LINK_NOT_IP);
	free(v);
	/* SLL2: protocol first */
	v = tcp6();
	static const uint8_t sll2[18] = { 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0 };
	wrap_bytes(v, sll2, 18);
	wrap_ethertype(v, 0x86dd);
	expect_ok(DLT_LINUX_SLL2, v, &pkt);
	assert_int_equal(pkt.ip_version, 6);
	assert_int_equal(pkt.dport, 443);
	free(v);
	/* SLL with a VLAN tag left in */
	v = udp4();
	wrap_ethertype(v, 0x0800);
	wrap_bytes(v, (const uint8_t *)"\x00\x2a", 2);
	wrap_ethertype(v, 0x8100);
	wrap_bytes(v, sll, 14);
	expect_ok(DLT_LINUX_SLL, v, &pkt);
	assert_int_equal(pkt.vlan[0], 42);
	free(v);
}

static void test_raw(void **state)
{
	(void)state;
	struct packet pkt;
	int dlts[] = { DLT_RAW, 101 };
	for (size_t i = 0; i < 2; i++) {
		struct vec *v = udp4();
		expect_ok(dlts[i], v, &pkt);
		assert_int_equal(pkt.ip_version, 4);
		free(v);
		v = tcp6();
		expect_ok(dlts[i], v, &pkt);
		assert_int_equal(pkt.ip_version, 6);
		free(v);
	}
	struct vec *v = udp4();
	expect_ok(228, v, &pkt);
	expect_skip(229, v, SKIP_IP6_VERSION); /* IPv4 read as IPv6 */
	free(v);
	v = tcp6();
	expect_ok(229, v, &pkt);
	expect_skip(228, v, SKIP_IP4_VERSION);
	v->b[0] = 0x50; /* version 5 on raw: the IPv4 checks name it */
	expect_skip(DLT_RAW, v, SKIP_IP4_VERSION);
	free(v);
}

static void test_loopback(void **state)
{
	(void)state;
	struct packet pkt;
	static const uint8_t le2[4] = { 2, 0, 0, 0 }, be2[4] = { 0, 0, 0, 2 };
	struct vec *v = udp4();
	wrap_bytes(v, le2, 4);
	expect_ok(DLT_NULL, v, &pkt);
	expect_skip(DLT_LOOP, v, SKIP_LINK_NOT_IP); /* LOOP is network order */
	free(v);
	v = udp4();
	wrap_bytes(v, be2, 4);
	expect_ok(DLT_NULL, v, &pkt);
	expect_ok(DLT_LOOP, v, &pkt);
	free(v);
	static const uint8_t fam6[][4] = { { 24, 0, 0, 0 }, { 0, 0, 0, 28 }, { 30, 0, 0, 0 } };
	for (size_t i = 0; i < 3; i++) {
		v = tcp6();
		wrap_bytes(v, fam6[i], 4);
		expect_ok(DLT_NULL, v, &pkt);
		assert_int_equal(pkt.ip_version, 6);
		free(v);
	}
	v = udp4();
	wrap_bytes(v, (const uint8_t *)"\x17\x00\x00\x00", 4); /* AF_IPX-ish */
	expect_skip(DLT_NULL, v, SKIP_LINK_NOT_IP);
	free(v);
}

static void test_ppp(void **state)
{
	(void)state;
	struct packet pkt;
	struct vec *v = udp4();
	wrap_bytes(v, (const uint8_t *)"\xff\x03\x00\x21", 4);
	expect_ok(DLT_PPP, v, &pkt);
	expect_ok(DLT_PPP_SERIAL, v, &pkt);
	free(v);
	v = udp4();
	wrap_bytes(v, (const uint8_t *)"\x00\x21", 2); /* no address and control */
	expect_ok(DLT_PPP, v, &pkt);
	free(v);
	v = udp4();
	wrap_bytes(v, (const uint8_t *)"\x21", 1); /* protocol field compressed */
	expect_ok(DLT_PPP, v, &pkt);
	free(v);
	v = tcp6();
	wrap_bytes(v, (const uint8_t *)"\xff\x03\x00\x57", 4);
	expect_ok(DLT_PPP, v, &pkt);
	assert_int_equal(pkt.ip_version, 6);
	free(v);
	v = vec_bytes("\x01\x01\x00\x04", 4);
	wrap_bytes(v, (const uint8_t *)"\xff\x03\xc0\x21", 4); /* LCP */
	expect_skip(DLT_PPP, v, SKIP_LINK_NOT_IP);
	free(v);
	v = udp4();
	wrap_bytes(v, (const uint8_t *)"\x0f\x00\x08\x00", 4); /* Cisco HDLC */
	expect_ok(DLT_PPP_SERIAL, v, &pkt);
	free(v);
	/* PPPoE session inside two VLAN tags, as ISPs deliver it */
	v = udp4();
	wrap_bytes(v, (const uint8_t *)"\x00\x21", 2);
	uint8_t pppoe[6] = { 0x11, 0x00, 0x55, 0x6a };
	put16(pppoe + 4, (unsigned)v->n);
	wrap_bytes(v, pppoe, 6);
	wrap_ethertype(v, 0x8864);
	wrap_vlan(v, 0x8100, 0x311);
	wrap_vlan(v, 0x8100, 0x1a5);
	wrap_macs(v);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.vlan[0], 0x1a5);
	assert_int_equal(pkt.vlan[1], 0x311);
	assert_int_equal(pkt.dport, 53);
	v->b[12 + 8 + 2 + 1] = 0x09; /* PADI: discovery, not data */
	expect_skip(DLT_EN10MB, v, SKIP_LINK_NOT_IP);
	free(v);
}

/* An NFLOG TLV header in front of the value already in v (little-endian: our hosts'). */
static void wrap_tlv(struct vec *v, unsigned type, size_t len)
{
	uint8_t h[4] = { (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)type, (uint8_t)(type >> 8) };
	vec_prepend(v, h, 4);
}

static void test_nflog(void **state)
{
	(void)state;
	struct packet pkt;
	/* header, a prefix TLV of 5 bytes (padded to 8), a hardware-type TLV, the payload */
	struct vec *v = udp4();
	size_t iplen = v->n;
	wrap_tlv(v, 9, 4 + iplen);
	static const uint8_t hw[8] = { 6, 0, 0x0a, 0, 0, 1, 0, 0 };
	wrap_bytes(v, hw, 8);
	static const uint8_t prefix[8] = { 5, 0, 0x0a, 0, 'x', 0, 0, 0 };
	wrap_bytes(v, prefix, 8);
	wrap_bytes(v, (const uint8_t *)"\x02\x00\x00\x01", 4);
	expect_ok(DLT_NFLOG, v, &pkt);
	assert_int_equal(pkt.dport, 53);
	assert_int_equal(pkt.l3_len, iplen);
	free(v);
	/* IPv6, payload first */
	v = tcp6();
	wrap_tlv(v, 9, 4 + v->n);
	wrap_bytes(v, (const uint8_t *)"\x0a\x00\x00\x00", 4);
	expect_ok(DLT_NFLOG, v, &pkt);
	assert_int_equal(pkt.ip_version, 6);
	free(v);
	/* no payload TLV */
	v = vec_new("");
	wrap_bytes(v, prefix, 8);
	wrap_bytes(v, (const uint8_t *)"\x02\x00\x00\x01", 4);
	expect_skip(DLT_NFLOG, v, SKIP_LINK_NOT_IP);
	free(v);
	/* a TLV length that would not advance */
	v = vec_bytes("\x02\x00\x09\x00", 4);
	wrap_bytes(v, (const uint8_t *)"\x02\x00\x00\x01", 4);
	expect_skip(DLT_NFLOG, v, SKIP_LINK_SHORT);
	free(v);
	/* bridge family */
	v = udp4();
	wrap_tlv(v, 9, 4 + v->n);
	wrap_bytes(v, (const uint8_t *)"\x07\x00\x00\x01", 4);
	expect_skip(DLT_NFLOG, v, SKIP_LINK_NOT_IP);
	free(v);
	/* a payload TLV longer than the capture (snaplen): decoded as far as it goes */
	v = udp4();
	wrap_tlv(v, 9, 4 + v->n + 100);
	wrap_bytes(v, (const uint8_t *)"\x02\x00\x00\x01", 4);
	expect_ok(DLT_NFLOG, v, &pkt);
	free(v);
}

/* ---- IPv4 ---- */

static void test_ip4_checks(void **state)
{
	(void)state;
	struct vec *v = udp4();
	struct vec *w = malloc(sizeof(*w));

	memcpy(w, v, sizeof(*w));
	w->n = 19;
	expect_skip(DLT_RAW, w, SKIP_IP4_SHORT);
	memcpy(w, v, sizeof(*w));
	w->b[0] = 0x45 ^ 0x10; /* version 5 */
	expect_skip(228, w, SKIP_IP4_VERSION);
	memcpy(w, v, sizeof(*w));
	w->b[0] = 0x44; /* 16-byte header */
	expect_skip(DLT_RAW, w, SKIP_IP4_HLEN);
	memcpy(w, v, sizeof(*w));
	w->b[0] = 0x4f; /* 60-byte header in a 75-byte packet: fits, but then */
	w->n = 59;      /* ... a capture shorter than the header */
	expect_skip(DLT_RAW, w, SKIP_IP4_HLEN);
	memcpy(w, v, sizeof(*w));
	put16(w->b + 2, 19);
	expect_skip(DLT_RAW, w, SKIP_IP4_TOTLEN);
	memcpy(w, v, sizeof(*w));
	put16(w->b + 2, (uint16_t)(v->n + 1)); /* a byte more than the frame had on the wire */
	expect_skip(DLT_RAW, w, SKIP_IP4_TOTLEN);
	memcpy(w, v, sizeof(*w));
	w->b[9] = 1; /* ICMP */
	expect_skip(DLT_RAW, w, SKIP_IP_PROTO_OTHER);
	w->b[9] = 47; /* GRE */
	expect_skip(DLT_RAW, w, SKIP_IP_PROTO_OTHER);
	free(w);
	free(v);
}

static void test_ip4_padding_and_cut(void **state)
{
	(void)state;
	struct packet pkt;
	/* Ethernet pads a short frame to 60 bytes: trimmed to the total length */
	struct vec *v = vec_new("hi");
	wrap_udp(v, 1, 2);
	wrap_ip4(v, 17);
	memcpy(v->b + v->n, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 14);
	v->n += 14;
	wrap_ether(v, 0x0800);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.payload_len, 2);
	assert_int_equal(pkt.l3_len, 30);
	free(v);
	/* snaplen cut: decoded, payload bounded by the capture and marked */
	v = udp4();
	struct stats st = { 0 };
	uint8_t *copy;
	assert_int_equal(decode_cut(DLT_RAW, v->b, 40, v->n, &pkt, &st, &copy), DECODE_OK);
	assert_int_equal(skips_total(&st), 0);
	assert_true(pkt.payload_cut);
	assert_int_equal(pkt.payload_len, 12);
	assert_int_equal(pkt.l3_len, 40);
	free(copy);
	/* the same 40 bytes in a record whose wire length says that was all: the total length
	 * lies */
	assert_int_equal(decode_copy(DLT_RAW, v->b, 40, &pkt, &st, &copy), DECODE_SKIP);
	assert_int_equal(st.skip[SKIP_IP4_TOTLEN], 1);
	free(copy);
	/* a wire length below the captured length is not believed */
	memset(&st, 0, sizeof st);
	assert_int_equal(decode_cut(DLT_RAW, v->b, v->n, 10, &pkt, &st, &copy), DECODE_OK);
	assert_int_equal(skips_total(&st), 0);
	free(copy);
	/* cut inside the UDP header: truncated, not malformed */
	assert_int_equal(decode_cut(DLT_RAW, v->b, 24, v->n, &pkt, &st, &copy), DECODE_SKIP);
	assert_int_equal(st.skip[SKIP_CAPLEN_SHORT], 1);
	free(copy);
	free(v);
}

static void test_ip4_options(void **state)
{
	(void)state;
	struct packet pkt;
	/* NOP, record route (7 bytes, one slot), EOL */
	static const uint8_t rr[12] = { 1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct vec *v = vec_new(PAYLOAD);
	wrap_udp(v, 5353, 5353);
	wrap_ip4_opts(v, 17, rr, 12);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.payload_len, strlen(PAYLOAD));
	free(v);

	/* malformed options are counted, the packet is still decoded */
	static const uint8_t bad[3][8] = {
		{ 1, 1, 0x44, 0, 0, 0, 0, 0 },   /* timestamp with length 0: would not advance */
		{ 0x83, 1, 0, 0, 0, 0, 0, 0 },   /* loose source route with length 1 */
		{ 1, 1, 1, 0x44, 40, 0, 0, 0 },  /* length past the header */
	};
	for (size_t i = 0; i < 3; i++) {
		v = vec_new(PAYLOAD);
		wrap_udp(v, 5353, 5353);
		wrap_ip4_opts(v, 17, bad[i], 8);
		struct stats st = { 0 };
		uint8_t *copy;
		assert_int_equal(decode_copy(DLT_RAW, v->b, v->n, &pkt, &st, &copy), DECODE_OK);
		assert_int_equal(st.skip[SKIP_IP4_OPTIONS], 1);
		assert_int_equal(skips_total(&st), 1);
		assert_int_equal(pkt.payload_len, strlen(PAYLOAD));
		free(copy);
		check_prefixes(DLT_RAW, v->b, v->n, NULL);
		/* another skip wins: the packet is counted once */
		v->b[9] = 1;
		expect_skip(DLT_RAW, v, SKIP_IP_PROTO_OTHER);
		free(v);
	}
}

/* ---- UDP and TCP ---- */

static void test_udp_checks(void **state)
{
	(void)state;
	/* IP leaves 4 bytes for UDP */
	struct vec *v = vec_new("abcd");
	wrap_ip4(v, 17);
	expect_skip(DLT_RAW, v, SKIP_UDP_SHORT);
	free(v);
	/* UDP length larger than IP's */
	v = udp4();
	put16(v->b + 24, 200);
	expect_skip(DLT_RAW, v, SKIP_UDP_LEN);
	put16(v->b + 24, 7);
	expect_skip(DLT_RAW, v, SKIP_UDP_LEN);
	free(v);
	/* UDP length smaller than IP's: the rest is trailer, not payload */
	struct packet pkt;
	v = udp4();
	put16(v->b + 24, 8 + 3);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.payload_len, 3);
	assert_false(pkt.payload_cut);
	free(v);
}

static void test_tcp_checks(void **state)
{
	(void)state;
	struct packet pkt;
	struct vec *v = vec_new(PAYLOAD);
	wrap_tcp(v, 25, 40001, 0xfffffff0u, 0x01020304, 0x12, 20);
	wrap_ip4(v, 6);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.seq, 0xfffffff0u);
	assert_int_equal(pkt.ack, 0x01020304);
	assert_int_equal(pkt.tcp_flags, TCP_SYN | TCP_ACK);
	assert_int_equal(pkt.payload_len, strlen(PAYLOAD));
	assert_int_equal(pkt.sport, 25);
	free(v);

	v = vec_new("0123456789abcdef");
	wrap_ip4(v, 6);
	expect_skip(DLT_RAW, v, SKIP_TCP_SHORT);
	free(v);

	v = vec_new("");
	wrap_tcp(v, 1, 2, 0, 0, TCP_SYN, 0);
	v->b[12] = 0x40; /* data offset 4 */
	wrap_ip4(v, 6);
	expect_skip(DLT_RAW, v, SKIP_TCP_HLEN);
	free(v);

	v = vec_new("");
	wrap_tcp(v, 1, 2, 0, 0, TCP_SYN, 8);
	v->b[12] = 0xf0; /* 60 bytes of header in a 28-byte segment */
	wrap_ip4(v, 6);
	expect_skip(DLT_RAW, v, SKIP_TCP_HLEN);
	free(v);

	/* options cut by a snaplen */
	v = vec_new(PAYLOAD);
	wrap_tcp(v, 1, 2, 0, 0, TCP_ACK, 20);
	wrap_ip4(v, 6);
	struct stats st = { 0 };
	uint8_t *copy;
	assert_int_equal(decode_cut(DLT_RAW, v->b, 50, v->n, &pkt, &st, &copy), DECODE_SKIP);
	assert_int_equal(st.skip[SKIP_CAPLEN_SHORT], 1);
	free(copy);
	free(v);
}

/* ---- IPv6 ---- */

static void test_ip6_checks(void **state)
{
	(void)state;
	struct vec *v = tcp6();
	struct vec *w = malloc(sizeof(*w));
	memcpy(w, v, sizeof(*w));
	w->n = 39;
	expect_skip(229, w, SKIP_IP6_SHORT);
	memcpy(w, v, sizeof(*w));
	w->b[0] = 0x40;
	expect_skip(229, w, SKIP_IP6_VERSION);
	memcpy(w, v, sizeof(*w));
	put16(w->b + 4, 0); /* jumbogram */
	expect_skip(DLT_RAW, w, SKIP_IP6_PLEN);
	memcpy(w, v, sizeof(*w));
	put16(w->b + 4, (uint16_t)(v->n - 40 + 1)); /* a byte more than the wire carried */
	expect_skip(DLT_RAW, w, SKIP_IP6_PLEN);
	memcpy(w, v, sizeof(*w));
	w->b[6] = 58; /* ICMPv6 */
	expect_skip(DLT_RAW, w, SKIP_IP_PROTO_OTHER);
	w->b[6] = 50; /* ESP */
	expect_skip(DLT_RAW, w, SKIP_IP_PROTO_OTHER);
	w->b[6] = 59; /* no next header */
	expect_skip(DLT_RAW, w, SKIP_IP_PROTO_OTHER);
	free(w);
	free(v);
}

static void test_ip6_ext_chain(void **state)
{
	(void)state;
	struct packet pkt;
	/* hop-by-hop, destination options, routing, AH, destination options, UDP */
	struct vec *v = vec_new(PAYLOAD);
	wrap_udp(v, 546, 547);
	wrap_ext6(v, 60, 17);
	wrap_ext6(v, 51, 60);
	wrap_ext6(v, 43, 51);
	wrap_ext6(v, 60, 43);
	wrap_ext6(v, 0, 60);
	wrap_ip6(v, 0);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.dport, 547);
	assert_int_equal(pkt.payload_len, strlen(PAYLOAD));
	assert_int_equal(pkt.ttl, 55);
	free(v);

	/* an atomic fragment (RFC 6946) is whole */
	v = vec_new(PAYLOAD);
	wrap_udp(v, 1, 2);
	wrap_bytes(v, (const uint8_t *)"\x11\x00\x00\x00\x00\x00\x00\x07", 8);
	wrap_ip6(v, 44);
	expect_ok(DLT_RAW, v, &pkt);
	assert_false(pkt.reassembled);
	free(v);

	/* IP6_MAX_EXT_HEADERS is fine, one more is not */
	for (unsigned extra = 0; extra < 2; extra++) {
		v = vec_new(PAYLOAD);
		wrap_udp(v, 1, 2);
		uint8_t next = 17;
		for (unsigned i = 0; i < IP6_MAX_EXT_HEADERS + extra; i++) {
			wrap_ext6(v, 60, next);
			next = 60;
		}
		wrap_ip6(v, 60);
		if (extra)
			expect_skip(DLT_RAW, v, SKIP_IP6_EXT_DEPTH);
		else
			expect_ok(DLT_RAW, v, &pkt);
		free(v);
	}

	/* hop-by-hop anywhere but first */
	v = vec_new(PAYLOAD);
	wrap_udp(v, 1, 2);
	wrap_ext6(v, 0, 17);
	wrap_ext6(v, 60, 0);
	wrap_ip6(v, 60);
	expect_skip(DLT_RAW, v, SKIP_IP6_EXT);
	free(v);

	/* an extension header longer than the payload length */
	v = vec_new(PAYLOAD);
	wrap_udp(v, 1, 2);
	wrap_ext6(v, 60, 17);
	v->b[1] = 200;
	wrap_ip6(v, 60);
	expect_skip(DLT_RAW, v, SKIP_IP6_EXT);
	free(v);

	/* a payload length too small for any extension header */
	v = vec_bytes("\x11\x00\x00\x00", 4);
	wrap_ip6(v, 60);
	expect_skip(DLT_RAW, v, SKIP_IP6_EXT);
	free(v);

	/* AH whose length is not a multiple of 8 */
	v = vec_new(PAYLOAD);
	wrap_udp(v, 1, 2);
	wrap_ext6(v, 51, 17);
	v->b[1] = 1; /* (1 + 2) * 4 = 12 */
	wrap_ip6(v, 51);
	expect_skip(DLT_RAW, v, SKIP_IP6_EXT);
	free(v);

	/* a chain cut by a snaplen */
	v = vec_new(PAYLOAD);
	wrap_udp(v, 1, 2);
	wrap_ext6(v, 60, 17);
	wrap_ip6(v, 60);
	struct stats st = { 0 };
	uint8_t *copy;
	assert_int_equal(decode_cut(DLT_RAW, v->b, 44, v->n, &pkt, &st, &copy), DECODE_SKIP);
	assert_int_equal(st.skip[SKIP_CAPLEN_SHORT], 1);
	free(copy);
	free(v);
}

/* ---- tunnels ---- */

static void test_tunnels(void **state)
{
	(void)state;
	struct packet pkt;
	/* 6in4 */
	struct vec *v = tcp6();
	wrap_ip4(v, 41);
	wrap_ether(v, 0x0800);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.ip_version, 6);
	assert_memory_equal(pkt.src, SRC6, 16);
	assert_int_equal(pkt.ttl, 55);
	assert_int_equal(pkt.l3_len, 40 + 32 + strlen(PAYLOAD));
	free(v);
	/* 4in4, then 4in6 and 6in6 */
	v = udp4();
	wrap_ip4(v, 4);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.ip_version, 4);
	assert_int_equal(pkt.l3_len, 28 + strlen(PAYLOAD));
	free(v);
	v = udp4();
	wrap_ip6(v, 4);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.ip_version, 4);
	free(v);
	v = tcp6();
	wrap_ext6(v, 60, 41);
	wrap_ip6(v, 60);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.ip_version, 6);
	free(v);
	/* IP_MAX_TUNNEL_DEPTH tunnels inside the outer header, then one more */
	v = udp4();
	for (unsigned i = 0; i < IP_MAX_TUNNEL_DEPTH; i++)
		wrap_ip4(v, 4);
	expect_ok(DLT_RAW, v, &pkt);
	wrap_ip6(v, 4);
	expect_skip(DLT_RAW, v, SKIP_IP_TUNNEL_DEPTH);
	free(v);
	/* an inner header longer than the outer one's payload lies, whatever was captured */
	v = udp4();
	put16(v->b + 2, (uint16_t)(v->n + 8));
	wrap_ip4(v, 4);
	expect_skip(DLT_RAW, v, SKIP_IP4_TOTLEN);
	free(v);
	/* ICMP inside a tunnel */
	v = vec_bytes("\x08\x00\x00\x00\x00\x01\x00\x01", 8);
	wrap_ip4(v, 1);
	wrap_ip4(v, 4);
	expect_skip(DLT_RAW, v, SKIP_IP_PROTO_OTHER);
	free(v);
}

/* GRE with the optional fields its flags announce (each filled with a pattern). */
static void wrap_gre(struct vec *v, unsigned flags, unsigned proto, size_t optional)
{
	uint8_t h[20] = { 0 };
	put16(h, flags);
	put16(h + 2, proto);
	for (size_t i = 0; i < optional; i++)
		h[4 + i] = (uint8_t)(0x11 * (i + 1));
	vec_prepend(v, h, 4 + optional);
}

/* The standard UDP payload in an Ethernet frame tagged with VLAN vid (0: untagged). */
static struct vec *udp4_frame(unsigned vid)
{
	struct vec *v = udp4();
	wrap_ethertype(v, 0x0800);
	if (vid)
		wrap_vlan(v, 0x8100, vid);
	wrap_macs(v);
	return v;
}

/* Outer IPv4 in Ethernet tagged with VLAN 10: the carrier's tag, which must not stick. */
static void wrap_carrier(struct vec *v, uint8_t proto)
{
	wrap_ip4(v, proto);
	wrap_ethertype(v, 0x0800);
	wrap_vlan(v, 0x8100, 10);
	wrap_macs(v);
}

static void expect_inner_udp4(const struct vec *v, struct packet *pkt)
{
	expect_ok(DLT_EN10MB, v, pkt);
	assert_int_equal(pkt->ip_version, 4);
	assert_memory_equal(pkt->src, SRC4, 4);
	assert_int_equal(pkt->sport, 40000);
	assert_int_equal(pkt->dport, 53);
	assert_int_equal(pkt->payload_len, strlen(PAYLOAD));
}

static void test_gre(void **state)
{
	(void)state;
	struct packet pkt;
	/* IPv4 in plain GRE; IPv6 with checksum, key and sequence number */
	struct vec *v = udp4();
	wrap_gre(v, 0, 0x0800, 0);
	wrap_carrier(v, 47);
	expect_inner_udp4(v, &pkt);
	assert_int_equal(pkt.n_vlan, 1); /* no Ethernet inside: the carrier's tag is the flow's */
	free(v);
	v = tcp6();
	wrap_gre(v, 0xb000, 0x86dd, 12);
	wrap_ip6(v, 47);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.ip_version, 6);
	assert_int_equal(pkt.dport, 443);
	free(v);
	/* Ethernet (transparent bridging, NVGRE's key): the inner frame's own tag replaces the
	 * carrier's */
	v = udp4_frame(77);
	wrap_gre(v, 0x2000, 0x6558, 4);
	wrap_carrier(v, 47);
	expect_inner_udp4(v, &pkt);
	assert_int_equal(pkt.n_vlan, 1);
	assert_int_equal(pkt.vlan[0], 77);
	free(v);
	/* PPTP's enhanced GRE: key (length, call id), sequence and ack, then PPP */
	v = udp4();
	wrap_bytes(v, (const uint8_t *)"\xff\x03\x00\x21", 4);
	wrap_gre(v, 0x3081, 0x880b, 12);
	wrap_carrier(v, 47);
	expect_inner_udp4(v, &pkt);
	free(v);
	/* MPLS over GRE */
	v = udp4();
	wrap_bytes(v, (const uint8_t *)"\x00\x01\x41\x40", 4);
	wrap_gre(v, 0, 0x8847, 0);
	wrap_carrier(v, 47);
	expect_inner_udp4(v, &pkt);
	free(v);
	/* what GRE cannot carry for us, and headers that lie */
	static const struct {
		unsigned flags, proto;
		size_t optional;
		enum skip_reason r;
	} bad[] = {
		{ 0x4000, 0x0800, 4, SKIP_TUNNEL_BAD },      /* source routing (RFC 1701) */
		{ 0x0002, 0x0800, 0, SKIP_TUNNEL_BAD },      /* version 2 */
		{ 0x2001, 0x0800, 4, SKIP_TUNNEL_BAD },      /* version 1 but not PPP */
		{ 0x0001, 0x880b, 0, SKIP_TUNNEL_BAD },      /* version 1 without the key */
		{ 0x0080, 0x0800, 4, SKIP_TUNNEL_BAD },      /* an ack in version 0 */
		{ 0, 0x883e, 0, SKIP_IP_PROTO_OTHER },       /* WCCP */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = udp4();
		wrap_gre(v, bad[i].flags, bad[i].proto, bad[i].optional);
		wrap_carrier(v, 47);
		expect_skip(DLT_EN10MB, v, bad[i].r);
		free(v);
	}
	/* a keepalive: a GRE header with nothing after it */
	v = vec_bytes("", 0);
	wrap_gre(v, 0, 0x0800, 0);
	wrap_carrier(v, 47);
	expect_skip(DLT_EN10MB, v, SKIP_IP_PROTO_OTHER);
	free(v);
	/* optional fields past the end of the datagram */
	v = vec_bytes("\0\0", 2);
	wrap_gre(v, 0xb000, 0x0800, 0);
	wrap_carrier(v, 47);
	expect_skip(DLT_EN10MB, v, SKIP_TUNNEL_BAD);
	free(v);
}

static void test_erspan(void **state)
{
	(void)state;
	struct packet pkt;
	/* type I: no sequence number, no header */
	struct vec *v = udp4_frame(0);
	wrap_gre(v, 0, 0x88be, 0);
	wrap_carrier(v, 47);
	expect_inner_udp4(v, &pkt);
	assert_int_equal(pkt.n_vlan, 0);
	free(v);
	/* type II: version 1, VLAN 20, session 5, index 9 */
	static const uint8_t ii[8] = { 0x10, 0x14, 0x00, 0x05, 0x00, 0x00, 0x00, 0x09 };
	v = udp4_frame(20);
	wrap_bytes(v, ii, sizeof(ii));
	wrap_gre(v, 0x1000, 0x88be, 4);
	wrap_carrier(v, 47);
	expect_inner_udp4(v, &pkt);
	assert_int_equal(pkt.vlan[0], 20);
	free(v);
	/* type III with the platform subheader (O bit), over IPv6 */
	static const uint8_t iii[12] = { 0x20, 0x14, 0x00, 0x05, 1, 2, 3, 4, 0, 0, 0x00, 0x01 };
	v = udp4_frame(0);
	wrap_bytes(v, (const uint8_t *)"\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11", 8);
	wrap_bytes(v, iii, sizeof(iii));
	wrap_gre(v, 0x1000, 0x22eb, 4);
	wrap_ip6(v, 47);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.dport, 53);
	free(v);
	/* type III carrying an IP frame (ft 2) */
	static const uint8_t iii_ip[12] = { 0x20, 0, 0, 5, 1, 2, 3, 4, 0, 0, 0x08, 0x00 };
	v = udp4();
	wrap_bytes(v, iii_ip, sizeof(iii_ip));
	wrap_gre(v, 0x1000, 0x22eb, 4);
	wrap_carrier(v, 47);
	expect_inner_udp4(v, &pkt);
	free(v);
	/* the T bit: the session cut the mirrored frame, whose lengths say more than it holds */
	static const uint8_t cut_ii[8] = { 0x10, 0x00, 0x04, 0x05, 0, 0, 0, 9 };
	v = udp4_frame(0);
	v->n -= 10;
	wrap_bytes(v, cut_ii, sizeof(cut_ii));
	wrap_gre(v, 0x1000, 0x88be, 4);
	wrap_carrier(v, 47);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_true(pkt.payload_cut);
	assert_int_equal(pkt.payload_len, strlen(PAYLOAD) - 10);
	free(v);
	/* without the T bit the same frame is a lie */
	v = udp4_frame(0);
	v->n -= 10;
	wrap_bytes(v, ii, sizeof(ii));
	wrap_gre(v, 0x1000, 0x88be, 4);
	wrap_carrier(v, 47);
	expect_skip(DLT_EN10MB, v, SKIP_IP4_TOTLEN);
	free(v);
	/* a type II header claiming version 2; a type III frame type that is neither */
	static const uint8_t wrong[8] = { 0x20, 0, 0, 5, 0, 0, 0, 9 };
	v = udp4_frame(0);
	wrap_bytes(v, wrong, sizeof(wrong));
	wrap_gre(v, 0x1000, 0x88be, 4);
	wrap_carrier(v, 47);
	expect_skip(DLT_EN10MB, v, SKIP_TUNNEL_BAD);
	free(v);
	static const uint8_t ft5[12] = { 0x20, 0, 0, 5, 1, 2, 3, 4, 0, 0, 0x14, 0x00 };
	v = udp4_frame(0);
	wrap_bytes(v, ft5, sizeof(ft5));
	wrap_gre(v, 0x1000, 0x22eb, 4);
	wrap_carrier(v, 47);
	expect_skip(DLT_EN10MB, v, SKIP_TUNNEL_BAD);
	free(v);
	/* an ARP frame mirrored */
	v = vec_bytes("\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	wrap_ether(v, 0x0806);
	wrap_gre(v, 0, 0x88be, 0);
	wrap_carrier(v, 47);
	expect_skip(DLT_EN10MB, v, SKIP_LINK_NOT_IP);
	free(v);
}

static void test_vxlan_geneve(void **state)
{
	(void)state;
	struct packet pkt;
	static const uint8_t vxlan[8] = { 0x08, 0, 0, 0, 0x00, 0x12, 0x34, 0 };
	struct vec *v = udp4_frame(30);
	wrap_bytes(v, vxlan, sizeof(vxlan));
	wrap_udp(v, 51000, 4789);
	wrap_carrier(v, 17);
	expect_inner_udp4(v, &pkt);
	assert_int_equal(pkt.vlan[0], 30);
	free(v);
	/* the VXLAN port without the I flag is plain UDP */
	static const uint8_t not_vxlan[8] = { 0x00, 0, 0, 0, 0x00, 0x12, 0x34, 0 };
	v = udp4_frame(0);
	wrap_bytes(v, not_vxlan, sizeof(not_vxlan));
	size_t inner = v->n;
	wrap_udp(v, 51000, 4789);
	wrap_carrier(v, 17);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.dport, 4789);
	assert_int_equal(pkt.payload_len, inner);
	free(v);
	/* and so is a datagram too short for the header */
	v = vec_bytes("\x08\0\0", 3);
	wrap_udp(v, 51000, 4789);
	wrap_carrier(v, 17);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.payload_len, 3);
	free(v);
	/* Geneve over IPv6 with 8 bytes of options */
	static const uint8_t geneve[16] = { 0x02, 0, 0x65, 0x58, 0, 0, 42, 0,
					    0x01, 0x02, 0x03, 0x01, 9, 9, 9, 9 };
	v = udp4_frame(0);
	wrap_bytes(v, geneve, sizeof(geneve));
	wrap_udp(v, 52000, 6081);
	wrap_ip6(v, 17);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.ip_version, 4);
	assert_int_equal(pkt.dport, 53);
	free(v);
	/* Geneve carrying IPv6 directly; options running past the datagram */
	static const uint8_t geneve6[8] = { 0x00, 0, 0x86, 0xdd, 0, 0, 42, 0 };
	v = tcp6();
	wrap_bytes(v, geneve6, sizeof(geneve6));
	wrap_udp(v, 52000, 6081);
	wrap_carrier(v, 17);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.dport, 443);
	free(v);
	static const uint8_t long_opts[8] = { 0x3f, 0, 0x65, 0x58, 0, 0, 42, 0 };
	v = udp4_frame(0);
	wrap_bytes(v, long_opts, sizeof(long_opts));
	wrap_udp(v, 52000, 6081);
	wrap_carrier(v, 17);
	expect_skip(DLT_EN10MB, v, SKIP_TUNNEL_BAD);
	free(v);
	/* IP_MAX_TUNNEL_DEPTH: VXLAN in GRE is two tunnels; IP-in-IP around them one too many */
	v = udp4_frame(0);
	wrap_bytes(v, vxlan, sizeof(vxlan));
	wrap_udp(v, 51000, 4789);
	wrap_ip4(v, 17);
	wrap_gre(v, 0, 0x0800, 0);
	wrap_ip4(v, 47);
	expect_ok(DLT_RAW, v, &pkt);
	assert_int_equal(pkt.dport, 53);
	wrap_ip4(v, 4);
	expect_skip(DLT_RAW, v, SKIP_IP_TUNNEL_DEPTH);
	free(v);
}

static void test_mpls(void **state)
{
	(void)state;
	struct packet pkt;
	/* two labels, IPv4; one label, IPv6 */
	struct vec *v = udp4();
	wrap_bytes(v, (const uint8_t *)"\x00\x01\x40\x40\x00\x02\x01\x40", 8);
	wrap_ether(v, 0x8847);
	expect_inner_udp4(v, &pkt);
	free(v);
	v = tcp6();
	wrap_bytes(v, (const uint8_t *)"\x00\x00\x21\x40", 4);
	wrap_ether(v, 0x8848);
	expect_ok(DLT_EN10MB, v, &pkt);
	assert_int_equal(pkt.ip_version, 6);
	free(v);
	/* Ethernet over MPLS behind a pseudowire control word, inside a VLAN */
	v = udp4_frame(0);
	wrap_bytes(v, (const uint8_t *)"\x00\x00\x00\x07", 4);
	wrap_bytes(v, (const uint8_t *)"\x00\x10\x01\x40", 4);
	wrap_ethertype(v, 0x8847);
	wrap_vlan(v, 0x8100, 10);
	wrap_macs(v);
	expect_inner_udp4(v, &pkt);
	assert_int_equal(pkt.n_vlan, 0);
	free(v);
	/* a stack with no bottom within LINK_MAX_MPLS_LABELS; a payload that is neither */
	v = udp4();
	for (unsigned i = 0; i < LINK_MAX_MPLS_LABELS; i++)
		wrap_bytes(v, (const uint8_t *)"\x00\x01\x40\x40", 4);
	wrap_ether(v, 0x8847);
	expect_skip(DLT_EN10MB, v, SKIP_TUNNEL_BAD);
	free(v);
	v = vec_bytes("\x55\x55\x55\x55", 4);
	wrap_bytes(v, (const uint8_t *)"\x00\x01\x41\x40", 4);
	wrap_ether(v, 0x8847);
	expect_skip(DLT_EN10MB, v, SKIP_LINK_NOT_IP);
	free(v);
}

/* ---- the shared capture corpus ---- */

/* One observation of a capture's tshark oracle: the packet that carried it. */
struct truth {
	unsigned frame;
	char src[64], dst[64];
	unsigned sport, dport;
};

static size_t truth_load(const char *path, struct truth *t, size_t max)
{
	char name[4200], line[8192];
	snprintf(name, sizeof(name), "%s.truth.tsv", path);
	FILE *f = fopen(name, "r");
	size_t n = 0;
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char kind[64];
		if (sscanf(line, "%63[^\t]\t%u\t%63[^\t]\t%u\t%63[^\t]\t%u", kind, &t[n].frame,
			   t[n].src, &t[n].sport, t[n].dst, &t[n].dport) == 6)
			n++;
	}
	fclose(f);
	return n;
}

static bool addr_eq(const char *text, const uint8_t *a)
{
	uint8_t b[16] = { 0 };
	if (inet_pton(AF_INET, text, b) == 1 || inet_pton(AF_INET6, text, b) == 1)
		return memcmp(a, b, 16) == 0;
	return false;
}

struct frame_seen {
	bool ok;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

struct corpus_totals {
	unsigned files, packets, decoded, truth_rows, failures;
};

static void corpus_file(const char *path, struct corpus_totals *tot)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc) {
		fail_msg("%s: %s", path, err);
		return;
	}
	int dlt = pcap_datalink(pc);
	if (!decode_link_supported(dlt))
		fail_msg("%s: link type %d not supported", path, dlt);
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	size_t cap = 1024, n = 0;
	struct frame_seen *seen = calloc(cap, sizeof(*seen));
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned ok = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		if (n == cap) {
			seen = realloc(seen, 2 * cap * sizeof(*seen));
			memset(seen + cap, 0, cap * sizeof(*seen));
			cap *= 2;
		}
		uint8_t *copy = malloc(h->caplen ? h->caplen : 1);
		memcpy(copy, data, h->caplen);
		struct packet pkt = { .ts_us = (uint64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec,
				      .wirelen = h->len };
		if (decode_packet(dlt, copy, h->caplen, ft, &pkt, &st) == DECODE_OK) {
			seen[n].ok = true;
			memcpy(seen[n].src, pkt.src, 16);
			memcpy(seen[n].dst, pkt.dst, 16);
			seen[n].sport = pkt.sport;
			seen[n].dport = pkt.dport;
			ok++;
		}
		free(copy);
		n++;
	}
	/* every message tshark saw rode on a packet we decoded, with the same flow */
	static struct truth t[4096];
	size_t nt = truth_load(path, t, 4096);
	for (size_t i = 0; i < nt; i++) {
		bool known = t[i].frame >= 1 && t[i].frame <= n;
		const struct frame_seen *s = known ? &seen[t[i].frame - 1] : NULL;
		/* mail_flow rows name the flow client first, whichever way the packet went */
		bool fwd = s && s->sport == t[i].sport && s->dport == t[i].dport &&
			   addr_eq(t[i].src, s->src) && addr_eq(t[i].dst, s->dst);
		bool rev = s && s->sport == t[i].dport && s->dport == t[i].sport &&
			   addr_eq(t[i].dst, s->src) && addr_eq(t[i].src, s->dst);
		if (!s || !s->ok || !(fwd || rev)) {
			print_error("%s: frame %u (%s:%u -> %s:%u) not decoded as tshark did\n",
				    path, t[i].frame, t[i].src, t[i].sport, t[i].dst, t[i].dport);
			tot->failures++;
		}
	}
	if (strstr(path, "/link/") && ok == 0) {
		print_error("%s: nothing decoded\n", path);
		tot->failures++;
	}
	tot->files++;
	tot->packets += (unsigned)n;
	tot->decoded += ok;
	tot->truth_rows += (unsigned)nt;
	free(seen);
	frag_free(ft);
	pcap_close(pc);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static void corpus_walk(const char *dir, struct corpus_totals *tot, unsigned depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	assert_non_null(d);
	assert_true(depth < 4);
	while ((e = readdir(d))) {
		char path[4096];
		struct stat sb;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			corpus_walk(path, tot, depth + 1);
		else if (has_suffix(path, ".pcap") || has_suffix(path, ".pcapng"))
			corpus_file(path, tot);
	}
	closedir(d);
}

static void test_corpus(void **state)
{
	(void)state;
	struct stat sb;
	if (stat(CORPUS, &sb) != 0) {
		print_message("[  SKIPPED ] %s does not exist\n", CORPUS);
		skip();
	}
	struct corpus_totals tot = { 0 };
	corpus_walk(CORPUS, &tot, 0);
	print_message("corpus: %u files, %u packets, %u decoded, %u oracle rows matched\n",
		      tot.files, tot.packets, tot.decoded, tot.truth_rows);
	assert_true(tot.files > 0);
	assert_int_equal(tot.failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_supported),
		cmocka_unit_test(test_ether_udp4),
		cmocka_unit_test(test_ether_not_ip),
		cmocka_unit_test(test_vlan_stacks),
		cmocka_unit_test(test_llc_snap),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_ppp),
		cmocka_unit_test(test_nflog),
		cmocka_unit_test(test_ip4_checks),
		cmocka_unit_test(test_ip4_padding_and_cut),
		cmocka_unit_test(test_ip4_options),
		cmocka_unit_test(test_udp_checks),
		cmocka_unit_test(test_tcp_checks),
		cmocka_unit_test(test_ip6_checks),
		cmocka_unit_test(test_ip6_ext_chain),
		cmocka_unit_test(test_tunnels),
		cmocka_unit_test(test_gre),
		cmocka_unit_test(test_erspan),
		cmocka_unit_test(test_vxlan_geneve),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

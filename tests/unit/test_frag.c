/* test_frag.c: IPv4 and IPv6 fragment reassembly through decode_packet, and its caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "capture/frag.h"

#define T0 1700000000000000ull /* packet time of the first fragment */

static const uint8_t SRC4[4] = { 198, 51, 100, 1 }, DST4[4] = { 203, 0, 113, 9 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A UDP datagram (header and n payload bytes) to cut into fragments. */
static size_t make_udp(uint8_t *d, size_t n)
{
	put16(d, 5353);
	put16(d + 2, 53);
	put16(d + 4, 8 + n);
	d[6] = d[7] = 0;
	for (size_t i = 0; i < n; i++)
		d[8 + i] = (uint8_t)(i * 7 + 3);
	return 8 + n;
}

/* One IPv4 fragment: header (hlen 20, or 60 with options) and data[off, off + len). */
static size_t ip4_frag(uint8_t *out, uint16_t id, uint8_t proto, const uint8_t *data,
		       size_t off, size_t len, bool more, size_t hlen)
{
	memset(out, 0, hlen);
	out[0] = (uint8_t)(0x40 | hlen / 4);
	put16(out + 2, hlen + len);
	put16(out + 4, id);
	put16(out + 6, (more ? 0x2000 : 0) | off / 8);
	out[8] = 64;
	out[9] = proto;
	memcpy(out + 12, SRC4, 4);
	memcpy(out + 16, DST4, 4);
	for (size_t i = 20; i < hlen; i++)
		out[i] = 1; /* NOP options */
	memcpy(out + hlen, data + off, len);
	return hlen + len;
}

/* One IPv6 fragment, with an optional hop-by-hop header before the Fragment header. */
static size_t ip6_frag(uint8_t *out, uint32_t id, uint8_t nh, const uint8_t *data, size_t off,
		       size_t len, bool more, bool hbh)
{
	size_t h = 40;
	memset(out, 0, 56);
	out[0] = 0x60;
	out[6] = hbh ? 0 : 44;
	out[7] = 64;
	memcpy(out + 8, SRC6, 16);
	memcpy(out + 24, DST6, 16);
	if (hbh) {
		out[40] = 44; /* next: Fragment; length 0: 8 bytes of PadN */
		out[42] = 1;
		out[43] = 4;
		h = 48;
	}
	out[h] = nh;
	put16(out + h + 2, off | (more ? 1 : 0));
	out[h + 4] = (uint8_t)(id >> 24);
	out[h + 5] = (uint8_t)(id >> 16);
	out[h + 6] = (uint8_t)(id >> 8);
	out[h + 7] = (uint8_t)id;
	memcpy(out + h + 8, data + off, len);
	put16(out + 4, h + 8 + len - 40);
	return h + 8 + len;
}

static uint64_t skips_total(const struct stats *st)
{
	uint64_t n = 0;
	for (size_t i = 0; i < SKIP_MAX; i++)
		n += st->skip[i];
	return n;
}

/* Decodes a private copy of the first n bytes of one raw-IP packet that was wire bytes long
 * (ASan sees overreads; wire > n is a snaplen cut). */
static enum decode_result feed_cut(struct frag_table *ft, const uint8_t *b, size_t n,
				   size_t wire, uint64_t ts, struct packet *pkt, struct stats *st)
{
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, b, n);
	pkt->ts_us = ts;
	pkt->wirelen = (uint32_t)wire;
	enum decode_result r = decode_packet(DLT_RAW, copy, n, ft, pkt, st);
	free(copy); /* a reassembled result lives in the table, not in copy */
	return r;
}

/* The same for a packet captured whole. */
static enum decode_result feed(struct frag_table *ft, const uint8_t *b, size_t n, uint64_t ts,
			       struct packet *pkt, struct stats *st)
{
	return feed_cut(ft, b, n, n, ts, pkt, st);
}

/* Expects the fragment to be held: a skip with nothing counted. */
static void feed_held(struct frag_table *ft, const uint8_t *b, size_t n, uint64_t ts,
		      struct stats *st)
{
	struct packet pkt;
	uint64_t before = skips_total(st);
	assert_int_equal(feed(ft, b, n, ts, &pkt, st), DECODE_SKIP);
	assert_int_equal(skips_total(st), before);
}

static void feed_skip(struct frag_table *ft, const uint8_t *b, size_t n, uint64_t ts,
		      struct stats *st, enum skip_reason r)
{
	struct packet pkt;
	uint64_t before = st->skip[r], total = skips_total(st);
	assert_int_equal(feed(ft, b, n, ts, &pkt, st), DECODE_SKIP);
	if (st->skip[r] != before + 1)
		fail_msg("expected skip %s", skip_names[r]);
	assert_int_equal(skips_total(st), total + 1);
}

/* The whole IPv4 datagram in pkt->l3 is well formed: lengths, flags, checksum. */
static void check_whole4(const struct packet *pkt, const uint8_t *udp, size_t udp_len)
{
	const uint8_t *h = pkt->l3;
	size_t hlen = (size_t)(h[0] & 0x0f) * 4;
	uint32_t sum = 0;
	assert_true(pkt->reassembled);
	assert_int_equal(pkt->l3_len, hlen + udp_len);
	assert_int_equal((size_t)h[2] << 8 | h[3], hlen + udp_len);
	assert_int_equal(h[6] & 0x3f, 0);
	assert_int_equal(h[7], 0);
	for (size_t i = 0; i < hlen; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff);
	assert_memory_equal(h + hlen, udp, udp_len);
	assert_int_equal(pkt->payload_len, udp_len - 8);
	assert_memory_equal(pkt->payload, udp + 8, udp_len - 8);
	assert_int_equal(pkt->sport, 5353);
	assert_int_equal(pkt->dport, 53);
}

/* Fragments [0,400) [400,800) [800,1208) of one datagram, in the order given. */
static void run_ip4_order(const unsigned *order, size_t n_pieces, size_t piece)
{
	static uint8_t udp[2000], f[4][2100];
	size_t ulen = make_udp(udp, 1200), flen[4];
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	struct packet pkt;
	for (size_t i = 0; i < n_pieces; i++) {
		size_t off = i * piece;
		size_t len = i + 1 == n_pieces ? ulen - off : piece;
		flen[i] = ip4_frag(f[i], 77, 17, udp, off, len, i + 1 < n_pieces, 20);
	}
	for (size_t i = 0; i + 1 < n_pieces; i++)
		feed_held(ft, f[order[i]], flen[order[i]], T0 + i, &st);
	unsigned last = order[n_pieces - 1];
	assert_int_equal(feed(ft, f[last], flen[last], T0 + 9, &pkt, &st), DECODE_OK);
	check_whole4(&pkt, udp, ulen);
	assert_int_equal(skips_total(&st), 0);
	assert_int_equal(st.frag_reassembled, 1);
	assert_int_equal(st.ip_packets, n_pieces);
	assert_int_equal(frag_pending(ft), 0);
	assert_int_equal(frag_memory(ft), 0);
	frag_free(ft);
}

static void test_ip4_in_order(void **state)
{
	(void)state;
	const unsigned order[3] = { 0, 1, 2 };
	run_ip4_order(order, 3, 400);
}

static void test_ip4_every_order(void **state)
{
	(void)state;
	/* all 24 orders of 4 pieces */
	unsigned a[4] = { 0, 1, 2, 3 };
	for (unsigned n = 0; n < 24; n++) {
		run_ip4_order(a, 4, 304);
		/* next permutation */
		int i = 2;
		while (i >= 0 && a[i] > a[i + 1])
			i--;
		if (i < 0)
			break;
		int j = 3;
		while (a[j] < a[i])
			j--;
		unsigned t = a[i];
		a[i] = a[j];
		a[j] = t;
		for (int l = i + 1, r = 3; l < r; l++, r--) {
			t = a[l];
			a[l] = a[r];
			a[r] = t;
		}
	}
}

static void test_ip4_duplicates(void **state)
{
	(void)state;
	static uint8_t udp[2000], f[3][2100];
	size_t ulen = make_udp(udp, 1200), n[3];
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	struct packet pkt;
	n[0] = ip4_frag(f[0], 9, 17, udp, 0, 400, true, 20);
	n[1] = ip4_frag(f[1], 9, 17, udp, 400, 400, true, 20);
	n[2] = ip4_frag(f[2], 9, 17, udp, 800, ulen - 800, false, 20);
	feed_held(ft, f[0], n[0], T0, &st);
	feed_held(ft, f[0], n[0], T0, &st);
	feed_held(ft, f[2], n[2], T0, &st);
	feed_held(ft, f[2], n[2], T0, &st);
	assert_int_equal(feed(ft, f[1], n[1], T0, &pkt, &st), DECODE_OK);
	check_whole4(&pkt, udp, ulen);
	/* a late copy starts a datagram of its own, which times out */
	feed_held(ft, f[1], n[1], T0 + 1, &st);
	assert_int_equal(frag_pending(ft), 1);
	frag_expire(ft, T0 + 1 + FRAG_TIMEOUT_US, &st);
	assert_int_equal(st.skip[SKIP_FRAG_TIMEOUT], 1);
	assert_int_equal(skips_total(&st), 1);
	frag_free(ft);
}

static void test_ip4_overlap(void **state)
{
	(void)state;
	static uint8_t udp[2000], f[3][2100];
	size_t ulen = make_udp(udp, 1200), n[3];
	struct stats st = { 0 };
	struct packet pkt;
	/* overlapping pieces that agree are fine in IPv4 */
	struct frag_table *ft = frag_new();
	n[0] = ip4_frag(f[0], 5, 17, udp, 0, 400, true, 20);
	n[1] = ip4_frag(f[1], 5, 17, udp, 200, 800, true, 20);
	n[2] = ip4_frag(f[2], 5, 17, udp, 800, ulen - 800, false, 20);
	feed_held(ft, f[1], n[1], T0, &st);
	feed_held(ft, f[2], n[2], T0, &st);
	assert_int_equal(feed(ft, f[0], n[0], T0, &pkt, &st), DECODE_OK);
	check_whole4(&pkt, udp, ulen);
	/* ... and that disagree are an evasion: the datagram goes */
	n[1] = ip4_frag(f[1], 6, 17, udp, 200, 400, true, 20);
	f[1][20 + 50] ^= 0xff; /* offset 250: inside [200, 400) */
	n[0] = ip4_frag(f[0], 6, 17, udp, 0, 400, true, 20);
	feed_held(ft, f[0], n[0], T0, &st);
	feed_skip(ft, f[1], n[1], T0, &st, SKIP_FRAG_OVERLAP);
	assert_int_equal(frag_pending(ft), 0);
	/* a conflicting duplicate too */
	feed_held(ft, f[0], n[0], T0, &st);
	f[0][30] ^= 1;
	feed_skip(ft, f[0], n[0], T0, &st, SKIP_FRAG_OVERLAP);
	assert_int_equal(frag_pending(ft), 0);
	frag_free(ft);
}

static void test_ip4_key(void **state)
{
	(void)state;
	static uint8_t udp[2000], f[4][2100];
	size_t ulen = make_udp(udp, 1200), n[4];
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	struct packet pkt;
	/* same id, different protocol: two datagrams (RFC 791) */
	n[0] = ip4_frag(f[0], 1, 17, udp, 0, 400, true, 20);
	n[1] = ip4_frag(f[1], 1, 6, udp, 400, ulen - 400, false, 20);
	n[2] = ip4_frag(f[2], 1, 17, udp, 400, ulen - 400, false, 20);
	feed_held(ft, f[0], n[0], T0, &st);
	feed_held(ft, f[1], n[1], T0, &st);
	assert_int_equal(frag_pending(ft), 2);
	assert_int_equal(feed(ft, f[2], n[2], T0, &pkt, &st), DECODE_OK);
	assert_int_equal(frag_pending(ft), 1);
	frag_free(ft); /* frees the held one (ASan checks) */
}

static void test_ip4_lies(void **state)
{
	(void)state;
	static uint8_t udp[2000], f[3][2100];
	size_t ulen = make_udp(udp, 1200), n[3];
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	/* a middle piece that is not a multiple of 8 */
	n[0] = ip4_frag(f[0], 2, 17, udp, 0, 100, true, 20);
	feed_skip(ft, f[0], n[0], T0, &st, SKIP_FRAG_BAD);
	assert_int_equal(frag_pending(ft), 0);
	/* two different ends */
	n[0] = ip4_frag(f[0], 3, 17, udp, 800, ulen - 800, false, 20);
	n[1] = ip4_frag(f[1], 3, 17, udp, 400, 400, false, 20);
	feed_held(ft, f[0], n[0], T0, &st);
	feed_skip(ft, f[1], n[1], T0, &st, SKIP_FRAG_BAD);
	assert_int_equal(frag_pending(ft), 0);
	/* data past the end */
	n[0] = ip4_frag(f[0], 4, 17, udp, 400, 400, false, 20);
	n[1] = ip4_frag(f[1], 4, 17, udp, 800, 400, true, 20);
	feed_held(ft, f[0], n[0], T0, &st);
	feed_skip(ft, f[1], n[1], T0, &st, SKIP_FRAG_BAD);
	/* an end before data already held */
	feed_held(ft, f[1], n[1], T0, &st);
	feed_skip(ft, f[0], n[0], T0, &st, SKIP_FRAG_BAD);
	assert_int_equal(frag_pending(ft), 0);
	/* a fragment cut by a snaplen cannot be rebuilt */
	n[0] = ip4_frag(f[0], 5, 17, udp, 0, 400, true, 20);
	struct packet pkt;
	uint64_t cut = st.skip[SKIP_CAPLEN_SHORT];
	assert_int_equal(feed_cut(ft, f[0], n[0] - 1, n[0], T0, &pkt, &st), DECODE_SKIP);
	assert_int_equal(st.skip[SKIP_CAPLEN_SHORT], cut + 1);
	/* the same bytes in a record that says they were all: the total length lies */
	feed_skip(ft, f[0], n[0] - 1, T0, &st, SKIP_IP4_TOTLEN);
	/* without a table, fragments are skipped */
	feed_skip(NULL, f[0], n[0], T0, &st, SKIP_FRAG_TOO_MANY);
	/* a whole datagram whose UDP length lies is still checked after reassembly */
	udp[5] = 0xff;
	n[0] = ip4_frag(f[0], 7, 17, udp, 0, 400, true, 20);
	n[1] = ip4_frag(f[1], 7, 17, udp, 400, ulen - 400, false, 20);
	feed_held(ft, f[0], n[0], T0, &st);
	feed_skip(ft, f[1], n[1], T0, &st, SKIP_UDP_LEN);
	assert_int_equal(st.frag_reassembled, 1);
	assert_int_equal(frag_pending(ft), 0);
	frag_free(ft);
}

static void test_timeout(void **state)
{
	(void)state;
	static uint8_t udp[2000], f[3][2100];
	size_t ulen = make_udp(udp, 1200), n[3];
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	struct packet pkt;
	n[0] = ip4_frag(f[0], 11, 17, udp, 0, 400, true, 20);
	n[2] = ip4_frag(f[2], 11, 17, udp, 800, ulen - 800, false, 20);
	feed_held(ft, f[0], n[0], T0, &st);
	feed_held(ft, f[2], n[2], T0 + 5, &st);
	frag_expire(ft, T0 - 1, &st); /* a clock that steps back expires nothing */
	frag_expire(ft, T0 + FRAG_TIMEOUT_US - 1, &st);
	assert_int_equal(frag_pending(ft), 1);
	frag_expire(ft, T0 + FRAG_TIMEOUT_US, &st);
	assert_int_equal(frag_pending(ft), 0);
	assert_int_equal(st.skip[SKIP_FRAG_TIMEOUT], 1);
	/* the missing piece comes too late: a new datagram, held */
	n[1] = ip4_frag(f[1], 11, 17, udp, 400, 400, true, 20);
	feed_held(ft, f[1], n[1], T0 + FRAG_TIMEOUT_US + 1, &st);
	/* decode_packet expires lazily, on any packet */
	uint8_t plain[64];
	size_t pn = ip4_frag(plain, 12, 17, udp, 0, 20, false, 20);
	put16(plain + 24, 20); /* UDP length of that 20-byte piece */
	assert_int_equal(feed(ft, plain, pn, T0 + 2 * FRAG_TIMEOUT_US + 1, &pkt, &st), DECODE_OK);
	assert_int_equal(frag_pending(ft), 0);
	assert_int_equal(st.skip[SKIP_FRAG_TIMEOUT], 2);
	frag_free(ft);
}

static void test_too_many_pending(void **state)
{
	(void)state;
	static uint8_t udp[2000], f[2100];
	make_udp(udp, 1200);
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	for (unsigned i = 0; i < FRAG_MAX_PENDING; i++) {
		size_t n = ip4_frag(f, (uint16_t)i, 17, udp, 0, 64, true, 20);
		feed_held(ft, f, n, T0, &st);
	}
	assert_int_equal(frag_pending(ft), FRAG_MAX_PENDING);
	size_t n = ip4_frag(f, 60000, 17, udp, 0, 64, true, 20);
	feed_skip(ft, f, n, T0, &st, SKIP_FRAG_TOO_MANY);
	/* pieces of datagrams already held still go in */
	n = ip4_frag(f, 3, 17, udp, 64, 64, true, 20);
	feed_held(ft, f, n, T0, &st);
	assert_true(frag_memory(ft) <= FRAG_MAX_BYTES);
	frag_expire(ft, T0 + FRAG_TIMEOUT_US, &st);
	assert_int_equal(st.skip[SKIP_FRAG_TIMEOUT], FRAG_MAX_PENDING);
	assert_int_equal(frag_memory(ft), 0);
	frag_free(ft);
}

static void test_memory_cap(void **state)
{
	(void)state;
	static uint8_t data[65536], f[2100];
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	/* last pieces far out: each datagram needs ~64 KiB at once */
	unsigned i;
	for (i = 0; i < FRAG_MAX_PENDING && st.skip[SKIP_FRAG_TOO_MANY] == 0; i++) {
		size_t n = ip4_frag(f, (uint16_t)i, 17, data, 65000, 16, false, 20);
		struct packet pkt;
		assert_int_equal(feed(ft, f, n, T0, &pkt, &st), DECODE_SKIP);
		assert_true(frag_memory(ft) <= FRAG_MAX_BYTES);
	}
	assert_int_equal(st.skip[SKIP_FRAG_TOO_MANY], 1);
	assert_true(i < FRAG_MAX_PENDING);
	assert_true(frag_pending(ft) > 100);
	frag_free(ft);
}

static void test_too_many_pieces(void **state)
{
	(void)state;
	static uint8_t udp[2000], f[2100];
	make_udp(udp, 1200);
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	for (unsigned i = 0; i < FRAG_MAX_PIECES; i++) {
		size_t n = ip4_frag(f, 8, 17, udp, i * 8, 8, true, 20);
		feed_held(ft, f, n, T0, &st);
	}
	size_t n = ip4_frag(f, 8, 17, udp, FRAG_MAX_PIECES * 8, 8, false, 20);
	feed_skip(ft, f, n, T0, &st, SKIP_FRAG_TOO_MANY);
	assert_int_equal(frag_pending(ft), 0);
	frag_free(ft);
}

static void test_too_big(void **state)
{
	(void)state;
	static uint8_t data[70000], f[2100];
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	/* the largest offset IPv4 can say, and 16 bytes more */
	size_t n = ip4_frag(f, 1, 17, data, 65528, 16, false, 20);
	feed_skip(ft, f, n, T0, &st, SKIP_FRAG_TOO_BIG);
	assert_int_equal(frag_pending(ft), 0);
	/* 65512 data bytes fit, but not behind a 60-byte header */
	make_udp(data, 65504);
	size_t piece = 1480;
	for (size_t off = 0; off < 65512; off += piece) {
		bool last = off + piece >= 65512;
		n = ip4_frag(f, 2, 17, data, off, last ? 65512 - off : piece, !last, 60);
		if (last)
			feed_skip(ft, f, n, T0, &st, SKIP_FRAG_TOO_BIG);
		else
			feed_held(ft, f, n, T0, &st);
	}
	assert_int_equal(frag_pending(ft), 0);
	/* behind a 20-byte header they do */
	struct packet pkt;
	for (size_t off = 0; off < 65512; off += piece) {
		bool last = off + piece >= 65512;
		n = ip4_frag(f, 3, 17, data, off, last ? 65512 - off : piece, !last, 20);
		if (last) {
			assert_int_equal(feed(ft, f, n, T0, &pkt, &st), DECODE_OK);
			assert_int_equal(pkt.l3_len, 65532);
			assert_int_equal(pkt.payload_len, 65504);
		} else {
			feed_held(ft, f, n, T0, &st);
		}
	}
	frag_free(ft);
}

static void test_ip6(void **state)
{
	(void)state;
	static uint8_t udp[2000], f[3][2100];
	size_t ulen = make_udp(udp, 1200), n[3];
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	struct packet pkt;
	n[0] = ip6_frag(f[0], 0xdeadbeef, 17, udp, 0, 400, true, false);
	n[1] = ip6_frag(f[1], 0xdeadbeef, 17, udp, 400, 400, true, false);
	n[2] = ip6_frag(f[2], 0xdeadbeef, 17, udp, 800, ulen - 800, false, false);
	/* reversed, with an exact duplicate (RFC 5722 lets it through) */
	feed_held(ft, f[2], n[2], T0, &st);
	feed_held(ft, f[1], n[1], T0, &st);
	feed_held(ft, f[1], n[1], T0, &st);
	assert_int_equal(feed(ft, f[0], n[0], T0, &pkt, &st), DECODE_OK);
	assert_true(pkt.reassembled);
	assert_int_equal(pkt.ip_version, 6);
	assert_int_equal(pkt.l3_len, 40 + ulen);
	assert_int_equal(pkt.l3[6], 17);
	assert_int_equal((size_t)pkt.l3[4] << 8 | pkt.l3[5], ulen);
	assert_memory_equal(pkt.l3 + 40, udp, ulen);
	assert_memory_equal(pkt.src, SRC6, 16);
	assert_int_equal(pkt.payload_len, ulen - 8);
	assert_int_equal(skips_total(&st), 0);

	/* any other overlap drops the datagram, even with the same bytes */
	n[1] = ip6_frag(f[1], 7, 17, udp, 200, 400, true, false);
	n[0] = ip6_frag(f[0], 7, 17, udp, 0, 400, true, false);
	feed_held(ft, f[0], n[0], T0, &st);
	feed_skip(ft, f[1], n[1], T0, &st, SKIP_FRAG_OVERLAP);
	assert_int_equal(frag_pending(ft), 0);
	/* a duplicate whose bytes differ */
	feed_held(ft, f[0], n[0], T0, &st);
	f[0][60] ^= 1;
	feed_skip(ft, f[0], n[0], T0, &st, SKIP_FRAG_OVERLAP);
	/* M set and a length that is not a multiple of 8 */
	n[0] = ip6_frag(f[0], 8, 17, udp, 0, 401, true, false);
	feed_skip(ft, f[0], n[0], T0, &st, SKIP_FRAG_BAD);
	assert_int_equal(frag_pending(ft), 0);
	frag_free(ft);
}

static void test_ip6_ext_chain(void **state)
{
	(void)state;
	/* hop-by-hop (unfragmentable), Fragment, then destination options and UDP (fragmentable) */
	static uint8_t body[2000], f[2][2100];
	size_t blen = make_udp(body + 8, 1200) + 8;
	body[0] = 17; /* destination options: next UDP, 8 bytes of PadN */
	body[2] = 1;
	body[3] = 4;
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	struct packet pkt;
	size_t n0 = ip6_frag(f[0], 1, 60, body, 0, 600, true, true);
	size_t n1 = ip6_frag(f[1], 1, 60, body, 600, blen - 600, false, true);
	f[1][48] = 6; /* RFC 8200: only the first fragment's Next Header counts */
	feed_held(ft, f[1], n1, T0, &st);
	assert_int_equal(feed(ft, f[0], n0, T0, &pkt, &st), DECODE_OK);
	assert_int_equal(pkt.l3_len, 48 + blen);
	assert_int_equal(pkt.l3[6], 0);  /* hop-by-hop still first */
	assert_int_equal(pkt.l3[40], 60); /* and now names destination options, not Fragment */
	assert_int_equal((size_t)pkt.l3[4] << 8 | pkt.l3[5], 8 + blen);
	assert_memory_equal(pkt.l3 + 48, body, blen);
	assert_int_equal(pkt.proto, 17);
	assert_int_equal(pkt.payload_len, 1200);

	/* a Fragment header inside a reassembled datagram: nesting only attacks use */
	static uint8_t inner[2000];
	size_t ilen = ip6_frag(inner, 99, 17, body + 8, 0, 64, true, false) - 40;
	memmove(inner, inner + 40, ilen); /* keep the Fragment header and its data */
	n0 = ip6_frag(f[0], 2, 44, inner, 0, 64, true, false);
	n1 = ip6_frag(f[1], 2, 44, inner, 64, ilen - 64, false, false);
	feed_held(ft, f[0], n0, T0, &st);
	feed_skip(ft, f[1], n1, T0, &st, SKIP_FRAG_BAD);
	assert_int_equal(frag_pending(ft), 0);
	frag_free(ft);
}

static void test_fragmented_tunnel(void **state)
{
	(void)state;
	/* IPv6 + UDP inside IPv4 fragments (6in4 across a small MTU) */
	static uint8_t inner[2000], udp[2000], f[2][2100];
	size_t ulen = make_udp(udp, 900);
	memset(inner, 0, 40);
	inner[0] = 0x60;
	put16(inner + 4, ulen);
	inner[6] = 17;
	inner[7] = 9;
	memcpy(inner + 8, SRC6, 16);
	memcpy(inner + 24, DST6, 16);
	memcpy(inner + 40, udp, ulen);
	size_t ilen = 40 + ulen;
	struct frag_table *ft = frag_new();
	struct stats st = { 0 };
	struct packet pkt;
	size_t n0 = ip4_frag(f[0], 42, 41, inner, 0, 512, true, 20);
	size_t n1 = ip4_frag(f[1], 42, 41, inner, 512, ilen - 512, false, 20);
	feed_held(ft, f[0], n0, T0, &st);
	assert_int_equal(feed(ft, f[1], n1, T0, &pkt, &st), DECODE_OK);
	assert_true(pkt.reassembled);
	assert_int_equal(pkt.ip_version, 6);
	assert_int_equal(pkt.ttl, 9);
	assert_int_equal(pkt.l3_len, ilen);
	assert_memory_equal(pkt.l3, inner, ilen);
	assert_memory_equal(pkt.payload, udp + 8, ulen - 8);

	/* and an inner IPv6 fragmented inside an outer that was fragmented too */
	static uint8_t in6[2][2100];
	size_t i0 = ip6_frag(in6[0], 5, 17, udp, 0, 504, true, false);
	size_t i1 = ip6_frag(in6[1], 5, 17, udp, 504, ulen - 504, false, false);
	feed_held(ft, in6[0], i0, T0, &st); /* first inner piece, bare */
	n0 = ip4_frag(f[0], 43, 41, in6[1], 0, 256, true, 20);
	n1 = ip4_frag(f[1], 43, 41, in6[1], 256, i1 - 256, false, 20);
	feed_held(ft, f[0], n0, T0, &st);
	assert_int_equal(feed(ft, f[1], n1, T0, &pkt, &st), DECODE_OK);
	assert_int_equal(st.frag_reassembled, 3);
	assert_int_equal(pkt.payload_len, ulen - 8);
	assert_memory_equal(pkt.payload, udp + 8, ulen - 8);
	assert_int_equal(skips_total(&st), 0);
	frag_free(ft);
}

/* Every prefix of every fragment, fed to one table: no crash, at most one skip each. */
static void test_truncations(void **state)
{
	(void)state;
	static uint8_t udp[2000], f[6][2100];
	size_t ulen = make_udp(udp, 300), n[6];
	n[0] = ip4_frag(f[0], 1, 17, udp, 0, 160, true, 60);
	n[1] = ip4_frag(f[1], 1, 17, udp, 160, ulen - 160, false, 20);
	n[2] = ip6_frag(f[2], 1, 17, udp, 0, 160, true, true);
	n[3] = ip6_frag(f[3], 1, 17, udp, 160, ulen - 160, false, true);
	n[4] = ip6_frag(f[4], 2, 17, udp, 0, 160, true, false);
	n[5] = ip6_frag(f[5], 2, 17, udp, 160, ulen - 160, false, false);
	struct frag_table *ft = frag_new();
	for (size_t v = 0; v < 6; v++) {
		for (size_t k = 0; k <= n[v]; k++) {
			struct stats st = { 0 };
			struct packet pkt;
			enum decode_result r = feed_cut(ft, f[v], k, n[v], T0 + k, &pkt, &st);
			assert_true(skips_total(&st) <= 1);
			if (r == DECODE_OK) {
				assert_true(pkt.reassembled);
				assert_int_equal(pkt.payload_len, 300);
			}
		}
	}
	frag_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_in_order),
		cmocka_unit_test(test_ip4_every_order),
		cmocka_unit_test(test_ip4_duplicates),
		cmocka_unit_test(test_ip4_overlap),
		cmocka_unit_test(test_ip4_key),
		cmocka_unit_test(test_ip4_lies),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_too_many_pending),
		cmocka_unit_test(test_memory_cap),
		cmocka_unit_test(test_too_many_pieces),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_ip6),
		cmocka_unit_test(test_ip6_ext_chain),
		cmocka_unit_test(test_fragmented_tunnel),
		cmocka_unit_test(test_truncations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_reasm.c: TCP reassembly (RFC 9293): hand cases, every split of a stream, a model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "core/limits.h"
#include "core/stats.h"
#include "flow/reasm.h"

#define OUT_MAX (1u << 17)
#define GAPS_MAX 256

/* What a consumer was handed and took: the bytes it consumed, and where in them each
 * gap-marked delivery began. */
struct sink {
	uint8_t *out;
	size_t len;
	size_t gap_at[GAPS_MAX];
	size_t n_gaps;
	size_t calls;
	size_t max_delivery;
	size_t hold;    /* sink_hold: consume nothing until this many bytes are offered */
	size_t n_msgs;  /* sink_msgs: whole messages consumed */
};

/* One direction under test with its own counters. */
struct fx {
	struct stats st;
	struct reasm_ctx ctx;
	struct reasm_dir d;
	struct sink k;
};

/* Deterministic bytes of a test stream: no two neighbours alike, no short period. */
static uint8_t byte_at(uint32_t i)
{
	return (uint8_t)(i * 131u + (i >> 8) * 7u + 1u);
}

/* xorshift64: a fixed seed gives the same cases on every run and machine. */
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)(rng_state % n) : 0;
}

static void sink_note(struct sink *k, size_t len, bool gap)
{
	k->calls++;
	if (len > k->max_delivery)
		k->max_delivery = len;
	if (gap && k->n_gaps < GAPS_MAX)
		k->gap_at[k->n_gaps++] = k->len;
}

static void sink_append(struct sink *k, const uint8_t *data, size_t len)
{
	assert_true(k->len + len <= OUT_MAX);
	memcpy(k->out + k->len, data, len);
	k->len += len;
}

/* Consumes everything. */
static size_t sink_all(void *arg, const uint8_t *data, size_t len, bool gap)
{
	struct sink *k = arg;
	sink_note(k, len, gap);
	sink_append(k, data, len);
	return len;
}

/* Consumes nothing, ever: a message longer than anything we buffer. */
static size_t sink_none(void *arg, const uint8_t *data, size_t len, bool gap)
{
	(void)data;
	sink_note(arg, len, gap);
	return 0;
}

/* Waits until k->hold bytes are offered, then consumes all. */
static size_t sink_hold(void *arg, const uint8_t *data, size_t len, bool gap)
{
	struct sink *k = arg;
	sink_note(k, len, gap);
	if (len < k->hold)
		return 0;
	sink_append(k, data, len);
	return len;
}

/* Messages behind a 2-byte big-endian length, consumed whole only: if a delivery ever
 * started anywhere but at a message boundary, the lengths read would be garbage. */
static size_t sink_msgs(void *arg, const uint8_t *data, size_t len, bool gap)
{
	struct sink *k = arg;
	sink_note(k, len, gap);
	assert_false(gap);
	size_t done = 0;
	while (len - done >= 2) {
		size_t m = (size_t)data[done] << 8 | data[done + 1];
		if (len - done - 2 < m)
			break;
		sink_append(k, data + done, 2 + m);
		k->n_msgs++;
		done += 2 + m;
	}
	return done;
}

/* Output space for the sinks of at most two live fixtures, taken in turn; never cleared. */
static uint8_t out_pool[2][OUT_MAX];
static unsigned out_next;

static void fx_init(struct fx *f, size_t depth, size_t memcap)
{
	memset(f, 0, sizeof *f);
	f->ctx.depth = depth;
	f->ctx.memcap = memcap;
	f->ctx.st = &f->st;
	reasm_dir_init(&f->d);
	f->k.out = out_pool[out_next++ % 2];
}

/* Every byte held is accounted, and nothing is held once freed. */
static void fx_check(const struct fx *f)
{
	assert_int_equal(f->ctx.mem_used, f->d.pending_cap + f->d.ooo_bytes);
	assert_true(f->ctx.mem_used <= f->ctx.memcap);
	assert_true(f->d.n_ooo <= REASM_MAX_OOO_SEGMENTS);
	assert_true(f->d.pending_len <= f->d.pending_cap);
	assert_true(f->d.pending_len < REASM_MAX_PENDING); /* a full one is dropped at once */
	assert_true(f->d.pending_cap <= REASM_MAX_PENDING);
	assert_true(f->k.max_delivery <= REASM_MAX_PENDING);
	if (f->d.closed)
		assert_int_equal(f->ctx.mem_used, 0);
}

static void fx_done(struct fx *f)
{
	fx_check(f);
	reasm_dir_free(&f->ctx, &f->d);
	assert_int_equal(f->ctx.mem_used, 0);
	assert_null(f->d.pending);
}

/* Sends stream bytes [from, to) at base + from, with the test stream's content. */
static void fx_seg(struct fx *f, uint32_t base, uint32_t from, uint32_t to, uint8_t flags,
		   reasm_deliver_fn fn)
{
	static uint8_t buf[OUT_MAX];
	assert_true(to - from <= OUT_MAX);
	for (uint32_t i = from; i < to; i++)
		buf[i - from] = byte_at(i);
	reasm_segment(&f->ctx, &f->d, base + from, flags, buf, to - from, fn, &f->k);
	fx_check(f);
}

/* Sends [from, to) with every byte different from the stream's. */
static void fx_seg_bad(struct fx *f, uint32_t base, uint32_t from, uint32_t to,
		       reasm_deliver_fn fn)
{
	uint8_t buf[4096];
	assert_true(to - from <= sizeof buf);
	for (uint32_t i = from; i < to; i++)
		buf[i - from] = (uint8_t)(byte_at(i) ^ 0x5a);
	reasm_segment(&f->ctx, &f->d, base + from, 0, buf, to - from, fn, &f->k);
	fx_check(f);
}

static void fx_syn(struct fx *f, uint32_t isn, reasm_deliver_fn fn)
{
	reasm_segment(&f->ctx, &f->d, isn, TCP_SYN, NULL, 0, fn, &f->k);
	fx_check(f);
}

/* The sink holds exactly stream bytes [from, to) at out[at...]. */
static void assert_stream(const struct fx *f, size_t at, uint32_t from, uint32_t to)
{
	assert_true(at + (to - from) <= f->k.len);
	for (uint32_t i = from; i < to; i++)
		assert_int_equal(f->k.out[at + i - from], byte_at(i));
}

static void test_in_order(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	uint32_t base = 1001;
	fx_syn(&f, base - 1, sink_all);
	fx_seg(&f, base, 0, 100, TCP_ACK, sink_all);
	fx_seg(&f, base, 100, 250, TCP_ACK | TCP_PSH, sink_all);
	fx_seg(&f, base, 250, 300, TCP_ACK, sink_all);
	assert_int_equal(f.k.len, 300);
	assert_stream(&f, 0, 0, 300);
	assert_int_equal(f.k.calls, 3);
	assert_int_equal(f.k.n_gaps, 0);
	assert_int_equal(f.d.delivered, 300);
	/* A consumer that takes everything never makes us copy or allocate. */
	assert_null(f.d.pending);
	assert_int_equal(f.ctx.mem_used, 0);
	/* Zero-length segments do nothing. */
	fx_seg(&f, base, 300, 300, TCP_ACK, sink_all);
	assert_int_equal(f.k.calls, 3);
	fx_done(&f);
}

static void test_retransmit_same(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	f.k.hold = 250;
	fx_syn(&f, 99, sink_hold);
	fx_seg(&f, 100, 0, 100, 0, sink_hold);
	fx_seg(&f, 100, 100, 200, 0, sink_hold);
	assert_int_equal(f.d.pending_len, 200);
	/* Still pending, so compared: same bytes, nothing counted, nothing delivered. */
	fx_seg(&f, 100, 50, 150, 0, sink_hold);
	fx_seg(&f, 100, 0, 200, 0, sink_hold);
	assert_int_equal(f.k.calls, 2);
	fx_seg(&f, 100, 150, 300, 0, sink_hold);
	assert_int_equal(f.k.len, 300);
	assert_stream(&f, 0, 0, 300);
	/* Consumed, so no longer comparable: ignored. */
	fx_seg(&f, 100, 0, 300, 0, sink_hold);
	assert_int_equal(f.k.len, 300);
	assert_int_equal(f.st.skip[SKIP_TCP_OVERLAP], 0);
	assert_int_equal(f.st.skip[SKIP_TCP_OLD_DATA], 0);
	assert_int_equal(f.k.n_gaps, 0);
	fx_done(&f);
}

static void test_retransmit_differs(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	f.k.hold = 250;
	fx_syn(&f, 99, sink_hold);
	fx_seg(&f, 100, 0, 100, 0, sink_hold);
	fx_seg_bad(&f, 100, 0, 100, sink_hold);        /* against pending */
	assert_int_equal(f.st.skip[SKIP_TCP_OVERLAP], 1);
	fx_seg(&f, 100, 200, 300, 0, sink_hold);
	fx_seg_bad(&f, 100, 200, 300, sink_hold);      /* against a held piece */
	assert_int_equal(f.st.skip[SKIP_TCP_OVERLAP], 2);
	fx_seg(&f, 100, 100, 200, 0, sink_hold);
	/* The first copies won everywhere. */
	assert_int_equal(f.k.len, 300);
	assert_stream(&f, 0, 0, 300);
	assert_int_equal(f.k.n_gaps, 0);
	fx_done(&f);
}

static void test_overlap_partial(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_all);
	fx_seg(&f, 1, 0, 10, 0, sink_all);
	fx_seg(&f, 1, 5, 15, 0, sink_all);
	assert_int_equal(f.k.len, 15);
	fx_seg(&f, 1, 30, 40, 0, sink_all);
	/* [20, 35): new bytes up to 30, then a differing copy of held ones. */
	uint8_t buf[15];
	for (uint32_t i = 20; i < 35; i++)
		buf[i - 20] = (uint8_t)(i < 30 ? byte_at(i) : ~byte_at(i));
	reasm_segment(&f.ctx, &f.d, 1 + 20, 0, buf, sizeof buf, sink_all, &f.k);
	assert_int_equal(f.st.skip[SKIP_TCP_OVERLAP], 1);
	assert_int_equal(f.d.n_ooo, 2);
	/* In order, running into the held pieces with the same bytes. */
	fx_seg(&f, 1, 15, 22, 0, sink_all);
	assert_int_equal(f.k.len, 40);
	assert_int_equal(f.d.n_ooo, 0);
	/* Held [50,55) [60,65) [70,75), then one segment across all of them: it fills the
	 * holes by extending the pieces, adding only one new piece for its head. */
	fx_seg(&f, 1, 50, 55, 0, sink_all);
	fx_seg(&f, 1, 60, 65, 0, sink_all);
	fx_seg(&f, 1, 70, 75, 0, sink_all);
	fx_seg(&f, 1, 42, 80, 0, sink_all);
	assert_int_equal(f.d.n_ooo, 4);
	fx_seg(&f, 1, 40, 42, 0, sink_all);
	assert_int_equal(f.k.len, 80);
	assert_stream(&f, 0, 0, 80);
	assert_int_equal(f.st.skip[SKIP_TCP_OVERLAP], 1);
	assert_int_equal(f.k.n_gaps, 0);
	fx_done(&f);
}

static void test_out_of_order_reverse(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 500, sink_all);
	for (int s = 9; s >= 1; s--)
		fx_seg(&f, 501, (uint32_t)s * 30, (uint32_t)s * 30 + 30, 0, sink_all);
	assert_int_equal(f.k.calls, 0);
	assert_int_equal(f.d.n_ooo, 9);
	fx_seg(&f, 501, 0, 30, 0, sink_all);
	assert_int_equal(f.k.len, 300);
	assert_stream(&f, 0, 0, 300);
	assert_int_equal(f.d.n_ooo, 0);
	assert_int_equal(f.ctx.mem_used, 0);
	/* After one loss the following segments extend one piece instead of adding pieces. */
	for (uint32_t s = 11; s < 100; s++)
		fx_seg(&f, 501, s * 30, s * 30 + 30, 0, sink_all);
	assert_int_equal(f.d.n_ooo, 1);
	fx_seg(&f, 501, 300, 330, 0, sink_all);
	assert_int_equal(f.k.len, 3000);
	assert_stream(&f, 0, 0, 3000);
	assert_int_equal(f.k.n_gaps, 0);
	fx_done(&f);
}

static void test_gap_filled_later(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 7, sink_all);
	fx_seg(&f, 8, 0, 100, 0, sink_all);
	fx_seg(&f, 8, 200, 300, 0, sink_all);
	assert_int_equal(f.k.len, 100);
	assert_true(f.ctx.mem_used > 0);
	fx_seg(&f, 8, 100, 200, 0, sink_all);
	assert_int_equal(f.k.len, 300);
	assert_stream(&f, 0, 0, 300);
	assert_int_equal(f.k.n_gaps, 0);
	assert_int_equal(f.ctx.mem_used, 0);
	fx_done(&f);
}

static void test_gap_peer_ack(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	uint32_t b = 70000;
	fx_syn(&f, b - 1, sink_all);
	fx_seg(&f, b, 0, 100, 0, sink_all);
	fx_seg(&f, b, 200, 300, 0, sink_all);
	reasm_peer_ack(&f.ctx, &f.d, b + 100, sink_all, &f.k);  /* nothing missed yet */
	assert_int_equal(f.st.skip[SKIP_TCP_GAP], 0);
	reasm_peer_ack(&f.ctx, &f.d, b + 300, sink_all, &f.k);
	fx_check(&f);
	assert_int_equal(f.st.skip[SKIP_TCP_GAP], 1);
	assert_int_equal(f.k.len, 200);
	assert_stream(&f, 0, 0, 100);
	assert_stream(&f, 100, 200, 300);
	assert_int_equal(f.k.n_gaps, 1);
	assert_int_equal(f.k.gap_at[0], 100);
	assert_int_equal(f.d.lost, 100);
	/* The missing bytes arriving late are behind us now: ignored, not old data. */
	fx_seg(&f, b, 100, 200, 0, sink_all);
	assert_int_equal(f.k.len, 200);
	assert_int_equal(f.st.skip[SKIP_TCP_OLD_DATA], 0);
	/* A hole with nothing held after it. */
	reasm_peer_ack(&f.ctx, &f.d, b + 350, sink_all, &f.k);
	fx_seg(&f, b, 350, 400, 0, sink_all);
	assert_int_equal(f.st.skip[SKIP_TCP_GAP], 2);
	assert_int_equal(f.k.n_gaps, 2);
	assert_int_equal(f.k.gap_at[1], 200);
	/* Three holes below one ack: one count each. */
	fx_seg(&f, b, 410, 420, 0, sink_all);
	fx_seg(&f, b, 430, 440, 0, sink_all);
	reasm_peer_ack(&f.ctx, &f.d, b + 450, sink_all, &f.k);
	assert_int_equal(f.st.skip[SKIP_TCP_GAP], 5);
	assert_int_equal(f.k.n_gaps, 4);
	assert_int_equal(f.k.len, 270);
	assert_stream(&f, 250, 410, 420);
	assert_stream(&f, 260, 430, 440);
	assert_int_equal(f.d.next_seq, b + 450);
	/* An ack behind us, or beyond any window, changes nothing. */
	reasm_peer_ack(&f.ctx, &f.d, b + 10, sink_all, &f.k);
	reasm_peer_ack(&f.ctx, &f.d, b + 450 + (1u << 31) - 1, sink_all, &f.k);
	assert_int_equal(f.st.skip[SKIP_TCP_GAP], 5);
	assert_int_equal(f.d.next_seq, b + 450);
	fx_done(&f);
}

static void test_gap_flush(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_all);
	fx_seg(&f, 1, 0, 100, 0, sink_all);
	fx_seg(&f, 1, 150, 200, 0, sink_all);
	fx_seg(&f, 1, 250, 300, 0, sink_all);
	reasm_flush(&f.ctx, &f.d, sink_all, &f.k);
	fx_check(&f);
	assert_true(f.d.closed);
	assert_int_equal(f.ctx.mem_used, 0);
	assert_int_equal(f.st.skip[SKIP_TCP_GAP], 2);
	assert_int_equal(f.k.len, 200);
	assert_stream(&f, 0, 0, 100);
	assert_stream(&f, 100, 150, 200);
	assert_stream(&f, 150, 250, 300);
	assert_int_equal(f.k.n_gaps, 2);
	assert_int_equal(f.k.gap_at[0], 100);
	assert_int_equal(f.k.gap_at[1], 150);
	/* Then nothing more. */
	fx_seg(&f, 1, 100, 150, 0, sink_all);
	fx_seg(&f, 1, 300, 400, 0, sink_all);
	reasm_flush(&f.ctx, &f.d, sink_all, &f.k);
	assert_int_equal(f.k.len, 200);
	fx_done(&f);
}

static void test_midstream(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	uint32_t b = 5000;
	/* A bare ACK tells nothing. */
	reasm_segment(&f.ctx, &f.d, b + 100, TCP_ACK, NULL, 0, sink_all, &f.k);
	assert_false(f.d.started);
	fx_seg(&f, b, 100, 200, TCP_ACK, sink_all);
	assert_true(f.d.started);
	fx_seg(&f, b, 200, 300, TCP_ACK, sink_all);
	/* Partly before where we started: that part is old, the rest already delivered. */
	fx_seg(&f, b, 50, 150, TCP_ACK, sink_all);
	assert_int_equal(f.st.skip[SKIP_TCP_OLD_DATA], 1);
	fx_seg(&f, b, 250, 350, TCP_ACK, sink_all);
	assert_int_equal(f.st.skip[SKIP_TCP_OLD_DATA], 1);
	assert_int_equal(f.k.len, 250);
	assert_stream(&f, 0, 100, 350);
	assert_int_equal(f.k.n_gaps, 0);
	/* Further ahead than any window (RFC 7323): not in flight, so as stale as old data. */
	fx_seg(&f, b + (1u << 30), 350, 360, TCP_ACK, sink_all);
	assert_int_equal(f.st.skip[SKIP_TCP_OLD_DATA], 2);
	assert_int_equal(f.d.n_ooo, 0);
	/* Just within the window it is past our depth instead. */
	fx_seg(&f, b + (1u << 30) - 1, 350, 360, TCP_ACK, sink_all);
	assert_int_equal(f.st.skip[SKIP_TCP_OLD_DATA], 2);
	assert_int_equal(f.st.skip[SKIP_TCP_DEPTH], 1);
	fx_done(&f);
}

static void test_wrap(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	uint32_t isn = 0xffffff00u, b = isn + 1;
	fx_syn(&f, isn, sink_all);
	/* Segments of 50 around the wrap (at stream byte 255), some out of order. */
	static const uint32_t order[] = { 0, 1, 2, 4, 3, 6, 5, 7, 9, 8, 11, 10 };
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		fx_seg(&f, b, order[i] * 50, order[i] * 50 + 50, 0, sink_all);
	assert_int_equal(f.k.len, 600);
	assert_stream(&f, 0, 0, 600);
	assert_int_equal(f.d.next_seq, b + 600);
	/* A hole across the wrap of a later stream, skipped by an ack. */
	struct fx g;
	fx_init(&g, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	uint32_t c = 0xfffffff0u;
	fx_seg(&g, c, 0, 10, 0, sink_all);
	fx_seg(&g, c, 30, 40, 0, sink_all);
	reasm_peer_ack(&g.ctx, &g.d, c + 40, sink_all, &g.k);
	assert_int_equal(g.k.len, 20);
	assert_stream(&g, 10, 30, 40);
	assert_int_equal(g.d.next_seq, 0x18u);
	assert_int_equal(f.k.n_gaps, 0);
	assert_int_equal(g.k.n_gaps, 1);
	fx_done(&g);
	fx_done(&f);
}

static void test_depth(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 250, REASM_DEFAULT_MEMCAP);
	f.k.hold = 1000; /* keeps bytes pending: the cut must free them */
	fx_syn(&f, 0, sink_hold);
	fx_seg(&f, 1, 0, 100, 0, sink_hold);
	fx_seg(&f, 1, 100, 200, 0, sink_hold);
	assert_true(f.ctx.mem_used > 0);
	assert_false(reasm_depth_reached(&f.ctx, &f.d));
	fx_seg(&f, 1, 200, 300, 0, sink_hold);
	assert_true(f.d.closed);
	assert_true(reasm_depth_reached(&f.ctx, &f.d));
	assert_int_equal(f.d.delivered, 250);
	assert_int_equal(f.ctx.mem_used, 0);
	assert_int_equal(f.st.skip[SKIP_TCP_DEPTH], 1);
	/* The depth cut the bytes the consumer held: not counted as unfinished. */
	assert_int_equal(f.st.skip[SKIP_TCP_UNFINISHED], 0);
	assert_int_equal(f.k.calls, 3);
	/* Past depth: counted per segment; a retransmission before it is not. */
	fx_seg(&f, 1, 300, 400, 0, sink_hold);
	fx_seg(&f, 1, 0, 100, 0, sink_hold);
	assert_int_equal(f.st.skip[SKIP_TCP_DEPTH], 2);
	assert_int_equal(f.k.calls, 3);
	fx_done(&f);

	/* Out-of-order bytes past depth are never held. */
	fx_init(&f, 250, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_all);
	fx_seg(&f, 1, 260, 300, 0, sink_all);
	assert_int_equal(f.d.n_ooo, 0);
	fx_seg(&f, 1, 200, 300, 0, sink_all);
	assert_int_equal(f.d.n_ooo, 1);
	assert_int_equal(f.st.skip[SKIP_TCP_DEPTH], 2);
	fx_seg(&f, 1, 0, 200, 0, sink_all);
	assert_true(f.d.closed);
	assert_int_equal(f.k.len, 250);
	assert_stream(&f, 0, 0, 250);
	fx_done(&f);

	/* A hole counts against depth too: the depth is of the stream, not of what we got. */
	fx_init(&f, 250, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_all);
	fx_seg(&f, 1, 0, 100, 0, sink_all);
	reasm_peer_ack(&f.ctx, &f.d, 1 + 1000, sink_all, &f.k);
	assert_true(f.d.closed);
	assert_int_equal(f.d.lost, 150);
	fx_done(&f);

	/* Depth 0: nothing is taken, and nothing allocated. */
	fx_init(&f, 0, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_all);
	fx_seg(&f, 1, 0, 100, 0, sink_all);
	assert_true(f.d.closed);
	assert_int_equal(f.k.calls, 0);
	assert_int_equal(f.st.skip[SKIP_TCP_DEPTH], 1);
	fx_done(&f);
}

static void test_ooo_cap(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_all);
	/* One-byte pieces with one-byte holes between: each needs an entry of its own. */
	for (uint32_t i = 0; i < REASM_MAX_OOO_SEGMENTS; i++)
		fx_seg(&f, 1, 1 + 2 * i, 2 + 2 * i, 0, sink_all);
	assert_int_equal(f.d.n_ooo, REASM_MAX_OOO_SEGMENTS);
	assert_int_equal(f.k.calls, 0);
	fx_seg(&f, 1, 1 + 2 * REASM_MAX_OOO_SEGMENTS, 2 + 2 * REASM_MAX_OOO_SEGMENTS, 0,
	       sink_all);
	/* The first hole was given up: the first piece went out after a gap. */
	assert_int_equal(f.st.skip[SKIP_TCP_OOO_CAP], 1);
	assert_int_equal(f.d.n_ooo, REASM_MAX_OOO_SEGMENTS);
	assert_int_equal(f.k.len, 1);
	assert_int_equal(f.k.out[0], byte_at(1));
	assert_int_equal(f.k.n_gaps, 1);
	reasm_flush(&f.ctx, &f.d, sink_all, &f.k);
	assert_int_equal(f.st.skip[SKIP_TCP_GAP], REASM_MAX_OOO_SEGMENTS);
	assert_int_equal(f.k.len, REASM_MAX_OOO_SEGMENTS + 1);
	for (uint32_t i = 0; i <= REASM_MAX_OOO_SEGMENTS; i++)
		assert_int_equal(f.k.out[i], byte_at(1 + 2 * i));
	fx_done(&f);

	/* A long segment starting in the hole given up on: its bytes after the hole still count. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_all);
	for (uint32_t i = 0; i < REASM_MAX_OOO_SEGMENTS; i++)
		fx_seg(&f, 1, 10 + 2 * i, 11 + 2 * i, 0, sink_all);
	fx_seg(&f, 1, 5, 300, 0, sink_all);
	assert_int_equal(f.st.skip[SKIP_TCP_OOO_CAP], 1);
	assert_int_equal(f.k.len, 290);
	assert_stream(&f, 0, 10, 300);
	assert_int_equal(f.k.n_gaps, 1);
	assert_int_equal(f.d.n_ooo, 0);
	assert_int_equal(f.d.lost, 10);
	fx_done(&f);
}

static void test_memcap(void **state)
{
	(void)state;
	struct fx f;
	/* Room for two held 1000-byte pieces with their headers, not three. */
	fx_init(&f, REASM_DEFAULT_DEPTH, 2500);
	fx_syn(&f, 0, sink_all);
	fx_seg(&f, 1, 1000, 2000, 0, sink_all);
	fx_seg(&f, 1, 3000, 4000, 0, sink_all);
	fx_seg(&f, 1, 5000, 6000, 0, sink_all);
	assert_int_equal(f.st.skip[SKIP_TCP_MEMCAP], 1);
	assert_int_equal(f.d.n_ooo, 2);
	size_t peak = f.ctx.mem_peak;
	assert_int_equal(peak, f.ctx.mem_used);
	assert_true(peak > 2000 && peak <= 2500);
	/* Extending a held piece is refused too. */
	fx_seg(&f, 1, 2000, 2500, 0, sink_all);
	assert_int_equal(f.st.skip[SKIP_TCP_MEMCAP], 2);
	/* In-order data needs no memory at all. */
	fx_seg(&f, 1, 0, 1000, 0, sink_all);
	assert_int_equal(f.k.len, 2000);
	reasm_flush(&f.ctx, &f.d, sink_all, &f.k);
	assert_int_equal(f.k.len, 3000);
	assert_stream(&f, 2000, 3000, 4000);
	assert_int_equal(f.k.n_gaps, 1);
	/* Everything given back; the peak stays. */
	assert_int_equal(f.ctx.mem_used, 0);
	assert_int_equal(f.ctx.mem_peak, peak);
	fx_done(&f);

	/* Pending refused: the partial message is lost, the next delivery is marked. */
	fx_init(&f, REASM_DEFAULT_DEPTH, 500);
	fx_syn(&f, 0, sink_none);
	for (uint32_t i = 0; i < 8; i++)
		fx_seg(&f, 1, i * 100, i * 100 + 100, 0, sink_none);
	assert_int_equal(f.st.skip[SKIP_TCP_MEMCAP], 1);
	assert_int_equal(f.k.n_gaps, 1);
	assert_int_equal(f.d.pending_len, 300);
	fx_done(&f);

	/* Not even the first unconsumed bytes fit. */
	fx_init(&f, REASM_DEFAULT_DEPTH, 50);
	fx_syn(&f, 0, sink_none);
	fx_seg(&f, 1, 0, 100, 0, sink_none);
	fx_seg(&f, 1, 100, 200, 0, sink_none);
	assert_int_equal(f.st.skip[SKIP_TCP_MEMCAP], 2);
	assert_int_equal(f.k.n_gaps, 1);
	assert_int_equal(f.ctx.mem_used, 0);
	fx_done(&f);
}

static void test_pending_cap(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_none);
	for (uint32_t i = 0; i < 20; i++)
		fx_seg(&f, 1, i * 1000, i * 1000 + 1000, 0, sink_none);
	assert_int_equal(f.st.skip[SKIP_TCP_PENDING_CAP], 1);
	assert_int_equal(f.k.n_gaps, 1);
	assert_int_equal(f.d.pending_len, 20000 - REASM_MAX_PENDING);
	assert_true(f.ctx.mem_used <= REASM_MAX_PENDING);
	fx_done(&f);

	/* One segment bigger than pending: handed in pieces no bigger than pending. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_none);
	fx_seg(&f, 1, 0, 40000, 0, sink_none);
	assert_int_equal(f.st.skip[SKIP_TCP_PENDING_CAP], 2);
	assert_int_equal(f.d.pending_len, 40000 - 2 * REASM_MAX_PENDING);
	assert_int_equal(f.k.n_gaps, 2);
	assert_int_equal(f.k.calls, 3);
	fx_done(&f);

	/* Exactly as much as pending holds, refused: dropped without being copied. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_none);
	fx_seg(&f, 1, 0, REASM_MAX_PENDING, 0, sink_none);
	assert_int_equal(f.st.skip[SKIP_TCP_PENDING_CAP], 1);
	assert_int_equal(f.k.calls, 1);
	assert_null(f.d.pending);
	fx_done(&f);
}

static void test_fin_rst(void **state)
{
	(void)state;
	struct fx f;
	/* FIN in order, with bytes left pending: closes and frees, and the message that never
	 * finished is counted. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	f.k.hold = 1000;
	fx_syn(&f, 0, sink_hold);
	fx_seg(&f, 1, 0, 100, 0, sink_hold);
	fx_seg(&f, 1, 100, 200, TCP_FIN, sink_hold);
	assert_true(f.d.closed);
	assert_int_equal(f.ctx.mem_used, 0);
	assert_int_equal(f.st.skip[SKIP_TCP_UNFINISHED], 1);
	reasm_flush(&f.ctx, &f.d, sink_hold, &f.k);
	assert_int_equal(f.st.skip[SKIP_TCP_UNFINISHED], 1); /* once */
	fx_done(&f);

	/* A FIN after whole messages loses nothing. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	f.k.hold = 200;
	fx_syn(&f, 0, sink_hold);
	fx_seg(&f, 1, 0, 100, 0, sink_hold);
	fx_seg(&f, 1, 100, 200, TCP_FIN, sink_hold);
	assert_true(f.d.closed);
	assert_int_equal(f.k.len, 200);
	assert_int_equal(f.st.skip[SKIP_TCP_UNFINISHED], 0);
	fx_done(&f);

	/* The flow ends with a message under way: the same count. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	f.k.hold = 1000;
	fx_syn(&f, 0, sink_hold);
	fx_seg(&f, 1, 0, 100, 0, sink_hold);
	reasm_flush(&f.ctx, &f.d, sink_hold, &f.k);
	assert_true(f.d.closed);
	assert_int_equal(f.ctx.mem_used, 0);
	assert_int_equal(f.st.skip[SKIP_TCP_UNFINISHED], 1);
	fx_done(&f);

	/* FIN ahead of a hole: closes once the hole fills. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_all);
	fx_seg(&f, 1, 0, 100, 0, sink_all);
	fx_seg(&f, 1, 200, 300, TCP_FIN | TCP_ACK, sink_all);
	assert_false(f.d.closed);
	fx_seg(&f, 1, 100, 200, 0, sink_all);
	assert_true(f.d.closed);
	assert_int_equal(f.k.len, 300);
	assert_stream(&f, 0, 0, 300);
	fx_done(&f);

	/* A bare FIN, and an ack covering it, after all data. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_syn(&f, 0, sink_all);
	fx_seg(&f, 1, 0, 100, 0, sink_all);
	fx_seg(&f, 1, 100, 100, TCP_FIN, sink_all);
	assert_true(f.d.closed);
	reasm_peer_ack(&f.ctx, &f.d, 1 + 101, sink_all, &f.k);
	assert_int_equal(f.st.skip[SKIP_TCP_GAP], 0);
	fx_done(&f);

	/* RST: everything held is dropped, later data is a no-op. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	f.k.hold = 1000;
	fx_syn(&f, 0, sink_hold);
	fx_seg(&f, 1, 0, 100, 0, sink_hold);
	fx_seg(&f, 1, 200, 300, 0, sink_hold);
	assert_true(f.ctx.mem_used > 0);
	fx_seg(&f, 1, 0, 0, TCP_RST, sink_hold);
	assert_true(f.d.closed);
	assert_int_equal(f.ctx.mem_used, 0);
	assert_int_equal(f.st.skip[SKIP_TCP_UNFINISHED], 1);
	size_t calls = f.k.calls;
	fx_seg(&f, 1, 100, 200, 0, sink_hold);
	assert_int_equal(f.k.calls, calls);
	fx_done(&f);

	/* A bare FIN on a direction that never started. */
	fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
	fx_seg(&f, 1, 0, 0, TCP_FIN | TCP_ACK, sink_all);
	assert_true(f.d.closed);
	fx_seg(&f, 1, 0, 100, 0, sink_all);
	assert_int_equal(f.k.calls, 0);
	fx_done(&f);
}

static void test_syn_flood(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct stats st = { 0 };
	struct reasm_ctx ctx = { .depth = REASM_DEFAULT_DEPTH, .memcap = REASM_DEFAULT_MEMCAP,
				 .st = &st };
	struct reasm_dir *dirs = calloc(N, sizeof *dirs);
	struct sink k = { 0 };
	assert_non_null(dirs);
	rng_state = 0x5eed;
	for (size_t i = 0; i < N; i++) {
		uint32_t isn = rnd(UINT32_MAX);
		reasm_dir_init(&dirs[i]);
		reasm_segment(&ctx, &dirs[i], isn, TCP_SYN, NULL, 0, sink_all, &k);
		reasm_segment(&ctx, &dirs[i], isn + 1, TCP_ACK, NULL, 0, sink_all, &k);
		reasm_peer_ack(&ctx, &dirs[i], isn + 1, sink_all, &k);
	}
	assert_int_equal(ctx.mem_used, 0);
	for (size_t i = 0; i < N; i++) {
		reasm_flush(&ctx, &dirs[i], sink_all, &k);
		reasm_dir_free(&ctx, &dirs[i]);
	}
	assert_int_equal(ctx.mem_used, 0);
	assert_int_equal(k.calls, 0);
	free(dirs);
}

/* --- A stream delivered under every split ------------------------------------------- */

#define SPLIT_LEN 300

static uint8_t split_stream[SPLIT_LEN];
static size_t split_msgs;

/* The stream is length-prefixed messages (bodies 0..97 bytes) so that the message consumer
 * can tell a boundary that moved. */
static void split_build(void)
{
	size_t at = 0, i = 0;
	split_msgs = 0;
	while (at < SPLIT_LEN) {
		size_t body = (i * 37 + 5) % 98;
		if (SPLIT_LEN - at - 2 < body || SPLIT_LEN - at - 2 - body < 2)
			body = SPLIT_LEN - at - 2;
		split_stream[at] = (uint8_t)(body >> 8);
		split_stream[at + 1] = (uint8_t)body;
		for (size_t j = 0; j < body; j++)
			split_stream[at + 2 + j] = byte_at((uint32_t)(at + j));
		at += 2 + body;
		split_msgs++;
		i++;
	}
}

struct piece {
	uint32_t from, to;
};

/* Sends the pieces in the given order after a SYN at isn, the piece that ends the stream
 * carrying FIN; checks both consumers got the stream exactly. */
static void split_run(const struct piece *pc, size_t n, uint32_t isn)
{
	for (int which = 0; which < 2; which++) {
		reasm_deliver_fn fn = which ? sink_msgs : sink_all;
		struct fx f;
		fx_init(&f, REASM_DEFAULT_DEPTH, REASM_DEFAULT_MEMCAP);
		reasm_segment(&f.ctx, &f.d, isn, TCP_SYN, NULL, 0, fn, &f.k);
		for (size_t i = 0; i < n; i++) {
			uint8_t flags = pc[i].to == SPLIT_LEN ? TCP_FIN | TCP_ACK : TCP_ACK;
			reasm_segment(&f.ctx, &f.d, isn + 1 + pc[i].from, flags,
				      split_stream + pc[i].from, pc[i].to - pc[i].from, fn, &f.k);
			fx_check(&f);
		}
		assert_int_equal(f.k.len, SPLIT_LEN);
		assert_memory_equal(f.k.out, split_stream, SPLIT_LEN);
		assert_int_equal(f.k.n_gaps, 0);
		assert_true(f.d.closed);
		if (which)
			assert_int_equal(f.k.n_msgs, split_msgs);
		assert_int_equal(f.st.skip[SKIP_TCP_OVERLAP], 0);
		fx_done(&f);
	}
}

static void test_every_split(void **state)
{
	(void)state;
	split_build();
	struct piece pc[64];
	/* Two pieces, at every cut, in both orders. */
	for (uint32_t i = 1; i < SPLIT_LEN; i++) {
		pc[0] = (struct piece){ 0, i };
		pc[1] = (struct piece){ i, SPLIT_LEN };
		split_run(pc, 2, 1000);
		pc[0] = (struct piece){ i, SPLIT_LEN };
		pc[1] = (struct piece){ 0, i };
		split_run(pc, 2, 0xffffff80u);
	}
	/* Three pieces, at every pair of cuts, in order and reversed. */
	for (uint32_t i = 1; i < SPLIT_LEN; i++) {
		for (uint32_t j = i + 1; j < SPLIT_LEN; j++) {
			pc[0] = (struct piece){ 0, i };
			pc[1] = (struct piece){ i, j };
			pc[2] = (struct piece){ j, SPLIT_LEN };
			split_run(pc, 3, 77);
			struct piece r[3] = { pc[2], pc[1], pc[0] };
			split_run(r, 3, 77);
		}
	}
	/* Random cuts, random order, random duplicate ranges (fixed seed). */
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int it = 0; it < 3000; it++) {
		uint32_t cuts[32];
		size_t nc = 1 + rnd(30), n = 0;
		for (size_t i = 0; i < nc; i++)
			cuts[i] = 1 + rnd(SPLIT_LEN - 1);
		/* Sort the cuts (insertion sort on at most 30). */
		for (size_t i = 1; i < nc; i++)
			for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
				uint32_t t = cuts[j];
				cuts[j] = cuts[j - 1];
				cuts[j - 1] = t;
			}
		uint32_t prev = 0;
		for (size_t i = 0; i <= nc; i++) {
			uint32_t c = i < nc ? cuts[i] : SPLIT_LEN;
			if (c > prev)
				pc[n++] = (struct piece){ prev, c };
			prev = c;
		}
		for (size_t i = n; i > 1; i--) {
			size_t j = rnd((uint32_t)i);
			struct piece t = pc[i - 1];
			pc[i - 1] = pc[j];
			pc[j] = t;
		}
		size_t dups = rnd(9);
		for (size_t i = 0; i < dups; i++) {
			uint32_t a = rnd(SPLIT_LEN), b = a + 1 + rnd(SPLIT_LEN - a);
			size_t at = rnd((uint32_t)n + 1);
			memmove(pc + at + 1, pc + at, (n - at) * sizeof *pc);
			pc[at] = (struct piece){ a, b };
			n++;
		}
		split_run(pc, n, rnd(4) ? rnd(UINT32_MAX) : 0xffffffffu - rnd(SPLIT_LEN));
	}
}

/* --- Randomised comparison with a simple model ----------------------------------------- */

/* The model keeps one flag and one byte per stream position, positions relative to base. */
#define M_N 400
#define M_LO 64
#define M_SIZE (M_LO + M_N + 128)

struct model {
	uint8_t first[M_SIZE];
	bool have[M_SIZE];
	int64_t start, cursor, fin;
	uint32_t depth;
	bool started, closed, fin_seen, gap_next;
	uint8_t out[M_SIZE];
	size_t out_len, gap_at[GAPS_MAX], n_gaps;
	unsigned gaps, overlaps, olds, depths;
};

static size_t m_at(int64_t pos)
{
	assert_true(pos >= -M_LO && pos + M_LO < M_SIZE);
	return (size_t)(pos + M_LO);
}

static int64_t m_limit(const struct model *m)
{
	return m->start + m->depth;
}

/* Where the direction ends: depth, or FIN. */
static int64_t m_stop(const struct model *m)
{
	return m->fin_seen && m->fin < m_limit(m) ? m->fin : m_limit(m);
}

static void m_check_close(struct model *m)
{
	if (m->cursor >= m_limit(m) || (m->fin_seen && m->cursor >= m->fin))
		m->closed = true;
}

static void m_drain(struct model *m)
{
	while (!m->closed && m->cursor < m_stop(m) && m->have[m_at(m->cursor)]) {
		if (m->gap_next && m->n_gaps < GAPS_MAX)
			m->gap_at[m->n_gaps++] = m->out_len;
		m->gap_next = false;
		m->out[m->out_len++] = m->first[m_at(m->cursor)];
		m->cursor++;
	}
	m_check_close(m);
}

/* Skips to the first held position below lim (or to lim): one gap. */
static void m_skip_below(struct model *m, int64_t lim)
{
	int64_t to = m->cursor;
	while (to < lim && !m->have[m_at(to)])
		to++;
	if (to > m_stop(m))
		to = m_stop(m);
	if (to <= m->cursor) {
		m->closed = true;
		return;
	}
	m->gaps++;
	m->gap_next = true;
	m->cursor = to;
	m_check_close(m);
	m_drain(m);
}

static void m_segment(struct model *m, int64_t pos, const uint8_t *p, size_t len, uint8_t flags)
{
	if (m->closed) {
		if (len && m->started && m->cursor - m->start >= m->depth &&
		    pos + (int64_t)len > m->cursor)
			m->depths++;
		return;
	}
	if (flags & TCP_RST) {
		m->closed = true;
		return;
	}
	if (!m->started) {
		if (!(flags & TCP_SYN) && len == 0) {
			if (flags & TCP_FIN)
				m->closed = true;
			return;
		}
		m->started = true;
		m->start = m->cursor = pos;
	}
	if ((flags & TCP_FIN) && !m->fin_seen) {
		m->fin_seen = true;
		m->fin = pos + (int64_t)len;
	}
	if (len > 0) {
		if (pos < m->cursor) {
			size_t old = (size_t)(m->cursor - pos) < len ? (size_t)(m->cursor - pos) : len;
			if (pos < m->start)
				m->olds++;
			pos += (int64_t)old;
			p += old;
			len -= old;
		}
		if (len > 0 && pos + (int64_t)len > m_limit(m)) {
			m->depths++;
			if (m->cursor == m_limit(m)) {
				m->closed = true;
				return;
			}
			len = pos >= m_limit(m) ? 0 : (size_t)(m_limit(m) - pos);
		}
		if (len > 0 && m->fin_seen && pos + (int64_t)len > m->fin)
			len = pos >= m->fin ? 0 : (size_t)(m->fin - pos);
		bool differs = false;
		for (size_t i = 0; i < len; i++) {
			size_t at = m_at(pos + (int64_t)i);
			if (!m->have[at]) {
				m->have[at] = true;
				m->first[at] = p[i];
			} else if (m->first[at] != p[i]) {
				differs = true;
			}
		}
		if (differs)
			m->overlaps++;
		m_drain(m);
	}
	m_check_close(m);
}

static void m_ack(struct model *m, int64_t ack)
{
	if (!m->started || m->closed || ack <= m->cursor)
		return;
	while (!m->closed && m->cursor < ack)
		m_skip_below(m, ack);
}

static void m_flush(struct model *m)
{
	while (m->started && !m->closed) {
		int64_t h = m->cursor;
		while (h < M_N + 100 && !m->have[m_at(h)])
			h++;
		if (h >= M_N + 100)
			break;
		m_skip_below(m, h + 1);
	}
	m->closed = true;
}

static void test_model(void **state)
{
	(void)state;
	static struct model m;
	static uint8_t buf[128];
	rng_state = 0x0dd5eedull;
	for (int it = 0; it < 10000; it++) {
		memset(&m, 0, sizeof m);
		uint32_t isn = rnd(3) ? rnd(UINT32_MAX) : 0xffffffffu - rnd(600);
		uint32_t r = rnd(5);
		m.depth = r == 0 ? rnd(50) : r == 1 ? 100000 : 50 + rnd(400);
		struct fx f;
		fx_init(&f, m.depth, REASM_DEFAULT_MEMCAP);
		bool syn = rnd(2);
		uint32_t base = syn ? isn + 1 : isn;
		if (syn) {
			reasm_segment(&f.ctx, &f.d, isn, TCP_SYN, NULL, 0, sink_all, &f.k);
			m_segment(&m, 0, NULL, 0, TCP_SYN);
		}
		size_t ops = 1 + rnd(25);
		for (size_t o = 0; o < ops; o++) {
			uint32_t kind = rnd(100);
			if (kind < 75) {
				int64_t pos = (int64_t)rnd(M_N + 40) - 40;
				size_t len = rnd(61);
				bool bad = rnd(8) == 0;
				for (size_t i = 0; i < len; i++)
					buf[i] = (uint8_t)(byte_at((uint32_t)(pos + (int64_t)i)) ^
							   (bad ? 0xa5 : 0));
				uint8_t flags = TCP_ACK | (rnd(20) == 0 ? TCP_FIN : 0);
				reasm_segment(&f.ctx, &f.d, base + (uint32_t)pos, flags, buf, len,
					      sink_all, &f.k);
				m_segment(&m, pos, buf, len, flags);
			} else if (kind < 95) {
				int64_t a = (int64_t)rnd(M_N + 80) - 20;
				reasm_peer_ack(&f.ctx, &f.d, base + (uint32_t)a, sink_all, &f.k);
				m_ack(&m, a);
			} else if (kind < 97) {
				reasm_segment(&f.ctx, &f.d, base, TCP_RST, NULL, 0, sink_all, &f.k);
				m_segment(&m, 0, NULL, 0, TCP_RST);
			} else {
				int64_t pos = (int64_t)rnd(M_N);
				reasm_segment(&f.ctx, &f.d, base + (uint32_t)pos, TCP_ACK, NULL, 0,
					      sink_all, &f.k);
				m_segment(&m, pos, NULL, 0, TCP_ACK);
			}
			fx_check(&f);
			assert_int_equal(f.d.closed, m.closed);
			assert_int_equal(f.k.len, m.out_len);
		}
		reasm_flush(&f.ctx, &f.d, sink_all, &f.k);
		m_flush(&m);
		assert_int_equal(f.k.len, m.out_len);
		assert_memory_equal(f.k.out, m.out, m.out_len);
		assert_int_equal(f.k.n_gaps, m.n_gaps);
		assert_memory_equal(f.k.gap_at, m.gap_at, m.n_gaps * sizeof m.gap_at[0]);
		assert_int_equal(f.d.delivered, m.out_len);
		assert_int_equal(f.st.skip[SKIP_TCP_GAP], m.gaps);
		assert_int_equal(f.st.skip[SKIP_TCP_OVERLAP], m.overlaps);
		assert_int_equal(f.st.skip[SKIP_TCP_OLD_DATA], m.olds);
		assert_int_equal(f.st.skip[SKIP_TCP_DEPTH], m.depths);
		assert_int_equal(f.st.skip[SKIP_TCP_OOO_CAP], 0);
		assert_int_equal(f.st.skip[SKIP_TCP_MEMCAP], 0);
		assert_int_equal(f.st.skip[SKIP_TCP_PENDING_CAP], 0);
		fx_done(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_retransmit_same),
		cmocka_unit_test(test_retransmit_differs),
		cmocka_unit_test(test_overlap_partial),
		cmocka_unit_test(test_out_of_order_reverse),
		cmocka_unit_test(test_gap_filled_later),
		cmocka_unit_test(test_gap_peer_ack),
		cmocka_unit_test(test_gap_flush),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_ooo_cap),
		cmocka_unit_test(test_memcap),
		cmocka_unit_test(test_pending_cap),
		cmocka_unit_test(test_fin_rst),
		cmocka_unit_test(test_syn_flood),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

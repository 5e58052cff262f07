/* reasm.c: TCP stream reassembly per direction (RFC 9293 section 3.4, RFC 7323 section 2.3). */
#include "flow/reasm.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "core/limits.h"

/* RFC 7323 section 2.3: no receive window exceeds 2^30 bytes, so data further ahead than that
 * cannot be in flight; it also keeps every offset and length below far from 32-bit overflow. */
#define REASM_WINDOW (1u << 30)
/* pending starts this small and doubles up to REASM_MAX_PENDING: most messages are short. */
#define REASM_PENDING_MIN 1024u

/* A copy of out-of-order bytes [seq, seq + len). A piece grows in place when the bytes just
 * after it arrive, so a run of segments after one loss stays one piece. */
struct reasm_seg {
	struct reasm_seg *next;
	uint32_t seq;
	uint32_t len;
	uint32_t cap;   /* bytes allocated in data */
	uint8_t data[];
};

enum reasm_put {
	REASM_PUT_DONE,  /* placed, or lost to the memcap (counted) */
	REASM_PUT_FULL,  /* needs a new piece and REASM_MAX_OOO_SEGMENTS are held: nothing done */
};

/* Offset of seq from next_seq in the signed 32-bit sense of RFC 9293 section 3.4, widened
 * so that adding a length cannot overflow. Written without a narrowing signed conversion. */
static int64_t reasm_off(const struct reasm_dir *d, uint32_t seq)
{
	uint32_t x = seq - d->next_seq;
	return x < 0x80000000u ? (int64_t)x : (int64_t)x - ((int64_t)1 << 32);
}

/* Offset from next_seq just past the held piece s. */
static int64_t reasm_end(const struct reasm_dir *d, const struct reasm_seg *s)
{
	return reasm_off(d, s->seq) + s->len;
}

/* Depth as the 32-bit counters can carry it; a larger setting means "the whole stream". */
static uint32_t reasm_depth(const struct reasm_ctx *ctx)
{
	return ctx->depth < UINT32_MAX ? (uint32_t)ctx->depth : UINT32_MAX;
}

/* Stream bytes passed so far: delivered or lost. The stream start is next_seq minus this. */
static uint64_t reasm_passed(const struct reasm_dir *d)
{
	return (uint64_t)d->delivered + d->lost;
}

/* Stream bytes from next_seq on that are still under depth. */
static uint32_t reasm_room(const struct reasm_ctx *ctx, const struct reasm_dir *d)
{
	uint64_t depth = reasm_depth(ctx), passed = reasm_passed(d);
	return passed < depth ? (uint32_t)(depth - passed) : 0;
}

/* Offset from next_seq at which the direction ends: its depth, or its FIN (RFC 9293 section
 * 3.4: no data follows a FIN). At or below 0 nothing more can be taken. */
static int64_t reasm_stop(const struct reasm_ctx *ctx, const struct reasm_dir *d)
{
	int64_t stop = reasm_room(ctx, d);
	if (d->fin_seen && reasm_off(d, d->fin_seq) < stop)
		stop = reasm_off(d, d->fin_seq);
	return stop;
}

/* Reserves n bytes of the memcap; false (nothing reserved) when they do not fit. */
static bool reasm_mem_take(struct reasm_ctx *ctx, size_t n)
{
	if (n > ctx->memcap || ctx->mem_used > ctx->memcap - n)
		return false;
	ctx->mem_used += n;
	if (ctx->mem_used > ctx->mem_peak)
		ctx->mem_peak = ctx->mem_used;
	return true;
}

/* Returns n reserved bytes to the memcap. */
static void reasm_mem_give(struct reasm_ctx *ctx, size_t n)
{
	assert(ctx->mem_used >= n);
	ctx->mem_used -= n;
}

/* Frees a piece the caller has already taken off the list, and returns its memory. */
static void reasm_seg_free(struct reasm_ctx *ctx, struct reasm_dir *d, struct reasm_seg *s)
{
	size_t size = sizeof *s + s->cap;
	assert(d->ooo_bytes >= size);
	d->ooo_bytes -= size;
	reasm_mem_give(ctx, size);
	free(s);
}

/* Frees everything the direction holds; its sequence state stays for later segments. */
static void reasm_release(struct reasm_ctx *ctx, struct reasm_dir *d)
{
	struct reasm_seg *s;
	while ((s = d->ooo) != NULL) {
		d->ooo = s->next;
		reasm_seg_free(ctx, d, s);
	}
	d->n_ooo = 0;
	free(d->pending);
	reasm_mem_give(ctx, d->pending_cap);
	d->pending = NULL;
	d->pending_len = d->pending_cap = 0;
}

/* Nothing more is taken in this direction; its memory goes back to ctx. */
static void reasm_close(struct reasm_ctx *ctx, struct reasm_dir *d)
{
	reasm_release(ctx, d);
	d->closed = true;
}

/* The stream ends (FIN, RST or the flow's end): bytes the consumer still leaves are the start
 * of a message that will never finish (a length that lies, a cut capture), lost with the
 * direction's memory; counted so the loss is seen. */
static void reasm_finish(struct reasm_ctx *ctx, struct reasm_dir *d)
{
	if (d->pending_len > 0)
		stats_skip(ctx->st, SKIP_TCP_UNFINISHED);
	reasm_close(ctx, d);
}

/* Ends the direction once every byte before the FIN has been passed. */
static void reasm_fin_check(struct reasm_ctx *ctx, struct reasm_dir *d)
{
	if (d->fin_seen && !d->closed && reasm_off(d, d->fin_seq) <= 0)
		reasm_finish(ctx, d);
}

/* The consumer's unconsumed bytes can never be continued (their next bytes were lost, or
 * they outgrew what we buffer): they are dropped and the next delivery is marked. */
static void reasm_lose(struct reasm_ctx *ctx, struct reasm_dir *d, enum skip_reason r)
{
	stats_skip(ctx->st, r);
	d->pending_len = 0;
	d->gap_next = true;
}

/* Resizes pending to cap bytes within the memcap; false leaves it as it was. */
static bool reasm_pending_resize(struct reasm_ctx *ctx, struct reasm_dir *d, size_t cap)
{
	size_t add = cap - d->pending_cap;
	if (!reasm_mem_take(ctx, add))
		return false;
	uint8_t *q = realloc(d->pending, cap);
	if (!q) {
		reasm_mem_give(ctx, add);
		return false;
	}
	d->pending = q;
	d->pending_cap = (uint32_t)cap;
	return true;
}

/* Copies n bytes (lent by the caller) after the pending ones. pending is allocated on first
 * need and doubles, so a stream pays for it once, not per segment; when the doubling does not
 * fit the memcap the exact need is tried. False: memory refused, nothing copied. */
static bool reasm_keep(struct reasm_ctx *ctx, struct reasm_dir *d, const uint8_t *p, size_t n)
{
	size_t need = (size_t)d->pending_len + n;
	assert(need <= REASM_MAX_PENDING);
	if (need > d->pending_cap) {
		size_t cap = d->pending_cap ? d->pending_cap : REASM_PENDING_MIN;
		while (cap < need)
			cap *= 2;
		if (cap > REASM_MAX_PENDING)
			cap = REASM_MAX_PENDING;
		if (!reasm_pending_resize(ctx, d, cap) && !reasm_pending_resize(ctx, d, need))
			return false;
	}
	memcpy(d->pending + d->pending_len, p, n);
	d->pending_len += (uint32_t)n;
	return true;
}

/* Lends n bytes to the consumer; returns how many it consumed. The gap mark goes with the
 * first delivery after a loss only. */
static size_t reasm_call(struct reasm_dir *d, const uint8_t *p, size_t n, reasm_deliver_fn fn,
			 void *arg)
{
	bool gap = d->gap_next;
	d->gap_next = false;
	size_t used = fn(arg, p, n, gap);
	assert(used <= n);
	return used < n ? used : n;
}

/* The bytes [next_seq, next_seq + n) are in order: next_seq moves past them and they go to
 * the consumer. p is lent by the caller and handed on directly when nothing is pending, so
 * only what the consumer leaves is copied. n is within the depth; the direction closes when
 * the depth is used up. During a call the data handed ends just before next_seq. */
static void reasm_take(struct reasm_ctx *ctx, struct reasm_dir *d, const uint8_t *p, size_t n,
		       reasm_deliver_fn fn, void *arg)
{
	assert(n <= reasm_room(ctx, d));
	while (n > 0) {
		size_t k;
		if (d->pending_len == 0) {
			k = n < REASM_MAX_PENDING ? n : REASM_MAX_PENDING;
			d->next_seq += (uint32_t)k;
			d->delivered += (uint32_t)k;
			size_t rest = k - reasm_call(d, p, k, fn, arg);
			if (rest == REASM_MAX_PENDING)
				reasm_lose(ctx, d, SKIP_TCP_PENDING_CAP);
			else if (rest > 0 && !reasm_keep(ctx, d, p + k - rest, rest))
				reasm_lose(ctx, d, SKIP_TCP_MEMCAP);
		} else {
			k = REASM_MAX_PENDING - d->pending_len;
			if (k > n)
				k = n;
			if (!reasm_keep(ctx, d, p, k)) {
				/* The partial message dies; p goes out directly on the next turn. */
				reasm_lose(ctx, d, SKIP_TCP_MEMCAP);
				continue;
			}
			d->next_seq += (uint32_t)k;
			d->delivered += (uint32_t)k;
			size_t used = reasm_call(d, d->pending, d->pending_len, fn, arg);
			d->pending_len -= (uint32_t)used;
			memmove(d->pending, d->pending + used, d->pending_len);
			if (d->pending_len == REASM_MAX_PENDING)
				reasm_lose(ctx, d, SKIP_TCP_PENDING_CAP);
		}
		p += k;
		n -= k;
	}
	if (reasm_room(ctx, d) == 0)
		reasm_close(ctx, d);
}

/* Gives up on [next_seq, to): the bytes were lost. Counts r once; the consumer's partial
 * message dies with them. Closes the direction when the hole reaches the depth or the FIN. */
static void reasm_skip(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t to,
		       enum skip_reason r)
{
	int64_t n = reasm_off(d, to), stop = reasm_stop(ctx, d);
	if (n > stop)
		n = stop;
	if (n <= 0) {
		/* Open with nothing left before the end cannot happen (the depth and the FIN
		 * close at once); closing anyway keeps every caller's loop finite. */
		if (stop <= 0)
			reasm_close(ctx, d);
		return;
	}
	reasm_lose(ctx, d, r);
	d->next_seq += (uint32_t)n;
	d->lost += (uint32_t)n;
	if (reasm_room(ctx, d) == 0)
		reasm_close(ctx, d);
	reasm_fin_check(ctx, d);
}

/* Delivers the held pieces that became contiguous with next_seq, up to the FIN if one was
 * seen (pieces held before it was may run past it), closing there. */
static void reasm_drain(struct reasm_ctx *ctx, struct reasm_dir *d, reasm_deliver_fn fn,
			void *arg)
{
	struct reasm_seg *s;
	reasm_fin_check(ctx, d);
	while (!d->closed && (s = d->ooo) != NULL && reasm_off(d, s->seq) <= 0) {
		/* Off the list first: the delivery may close the direction, which frees the list. */
		d->ooo = s->next;
		d->n_ooo--;
		int64_t from = -reasm_off(d, s->seq), n = (int64_t)s->len - from;
		if (n > reasm_stop(ctx, d))
			n = reasm_stop(ctx, d);
		if (n > 0)
			reasm_take(ctx, d, s->data + from, (size_t)n, fn, arg);
		reasm_seg_free(ctx, d, s);
		reasm_fin_check(ctx, d);
	}
}

/* Copies n bytes (lent) into a new piece at seq, within the memcap; NULL when refused. */
static struct reasm_seg *reasm_seg_new(struct reasm_ctx *ctx, struct reasm_dir *d,
				       uint32_t seq, const uint8_t *p, size_t n)
{
	size_t size = sizeof(struct reasm_seg) + n;
	if (!reasm_mem_take(ctx, size))
		return NULL;
	struct reasm_seg *s = malloc(size);
	if (!s) {
		reasm_mem_give(ctx, size);
		return NULL;
	}
	s->next = NULL;
	s->seq = seq;
	s->len = s->cap = (uint32_t)n;
	memcpy(s->data, p, n);
	d->ooo_bytes += size;
	return s;
}

/* Resizes the piece *sp to cap bytes within the memcap; *sp may move. False: unchanged. */
static bool reasm_seg_resize(struct reasm_ctx *ctx, struct reasm_dir *d,
			     struct reasm_seg **sp, size_t cap)
{
	size_t add = cap - (*sp)->cap;
	if (!reasm_mem_take(ctx, add))
		return false;
	struct reasm_seg *t = realloc(*sp, sizeof *t + cap);
	if (!t) {
		reasm_mem_give(ctx, add);
		return false;
	}
	t->cap = (uint32_t)cap;
	d->ooo_bytes += add;
	*sp = t;
	return true;
}

/* Appends n bytes (lent) to the piece *sp, which may move. Capacity doubles so a piece that
 * keeps growing is copied a bounded number of times in all. False: memory refused. */
static bool reasm_seg_extend(struct reasm_ctx *ctx, struct reasm_dir *d,
			     struct reasm_seg **sp, const uint8_t *p, size_t n)
{
	size_t need = (size_t)(*sp)->len + n;
	if (need > (*sp)->cap) {
		size_t cap = (*sp)->cap < REASM_WINDOW ? 2 * (size_t)(*sp)->cap : need;
		if (cap < need)
			cap = need;
		if (!reasm_seg_resize(ctx, d, sp, cap) && !reasm_seg_resize(ctx, d, sp, need))
			return false;
	}
	struct reasm_seg *s = *sp;
	memcpy(s->data + s->len, p, n);
	s->len += (uint32_t)n;
	return true;
}

/* Holds the bytes of [seq, seq + n) (lent; ahead of next_seq or starting at a held piece)
 * that no held piece has yet: first copy wins and differing overlaps are counted once. A
 * piece of it that starts where a held one ends extends that one; held pieces are never
 * copied again, so the work is linear in n and the number of pieces. Only the first piece can
 * need a new entry (every later one starts where a held piece ends), so FULL means nothing
 * was done. */
static enum reasm_put reasm_insert(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t seq,
				   const uint8_t *p, size_t n)
{
	int64_t a = reasm_off(d, seq), b = a + (int64_t)n, pos = a;
	struct reasm_seg **link = &d->ooo, **left = NULL;
	bool differs = false;

	while (pos < b) {
		while (*link && reasm_end(d, *link) <= pos) {
			left = link;
			link = &(*link)->next;
		}
		struct reasm_seg *s = *link;
		int64_t s_off = s ? reasm_off(d, s->seq) : b;
		if (s_off <= pos) {
			/* Already held: compare, keep the first copy. */
			int64_t hi = reasm_end(d, s) < b ? reasm_end(d, s) : b;
			if (memcmp(s->data + (pos - s_off), p + (pos - a), (size_t)(hi - pos)) != 0)
				differs = true;
			pos = hi;
			continue;
		}
		int64_t hi = s_off < b ? s_off : b;
		const uint8_t *q = p + (pos - a);
		size_t k = (size_t)(hi - pos);
		if (left && reasm_end(d, *left) == pos) {
			if (!reasm_seg_extend(ctx, d, left, q, k))
				stats_skip(ctx->st, SKIP_TCP_MEMCAP);
			link = &(*left)->next;
		} else {
			if (d->n_ooo >= REASM_MAX_OOO_SEGMENTS) {
				assert(pos == a);
				return REASM_PUT_FULL;
			}
			struct reasm_seg *t = reasm_seg_new(ctx, d, seq + (uint32_t)(pos - a), q, k);
			if (!t) {
				stats_skip(ctx->st, SKIP_TCP_MEMCAP);
			} else {
				t->next = s;
				*link = t;
				d->n_ooo++;
				left = link;
				link = &t->next;
			}
		}
		pos = hi;
	}
	if (differs)
		stats_skip(ctx->st, SKIP_TCP_OVERLAP);
	return REASM_PUT_DONE;
}

/* Places [seq, seq + n) (lent), already checked against the window, depth and FIN: the
 * in-order head goes to the consumer uncopied, the rest is held, then whatever became
 * contiguous is delivered. When the out-of-order cap refuses a piece, the first hole is
 * declared lost and the segment placed again; that delivers at least one held piece, so the
 * second turn finds a free entry. */
static void reasm_put(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t seq,
		      const uint8_t *p, size_t n, reasm_deliver_fn fn, void *arg)
{
	while (!d->closed) {
		int64_t off = reasm_off(d, seq);
		if (off < 0) {
			/* Part fell into a hole given up on below: those bytes are past. */
			if ((uint64_t)-off >= n)
				break;
			seq += (uint32_t)-off;
			p += -off;
			n -= (size_t)-off;
			off = 0;
		}
		if (off == 0) {
			size_t head = n;
			if (d->ooo && (uint64_t)reasm_off(d, d->ooo->seq) < head)
				head = (size_t)reasm_off(d, d->ooo->seq);
			reasm_take(ctx, d, p, head, fn, arg);
			if (d->closed || head == n)
				break;
			seq += (uint32_t)head;
			p += head;
			n -= head;
		}
		if (reasm_insert(ctx, d, seq, p, n) == REASM_PUT_DONE)
			break;
		reasm_skip(ctx, d, d->ooo->seq, SKIP_TCP_OOO_CAP);
		reasm_drain(ctx, d, fn, arg);
	}
	reasm_drain(ctx, d, fn, arg);
}

/* Old bytes [off, off + n) before next_seq (lent): counted when they precede the stream
 * start we saw, compared with what is still pending, otherwise ignored (first copy wins). */
static void reasm_old(struct reasm_ctx *ctx, struct reasm_dir *d, int64_t off,
		      const uint8_t *p, size_t n)
{
	int64_t end = off + (int64_t)n, lo = -(int64_t)d->pending_len;
	if (off < -(int64_t)reasm_passed(d))
		stats_skip(ctx->st, SKIP_TCP_OLD_DATA);
	if (off > lo)
		lo = off;
	if (lo < end && memcmp(d->pending + (lo + d->pending_len), p + (lo - off),
			       (size_t)(end - lo)) != 0)
		stats_skip(ctx->st, SKIP_TCP_OVERLAP);
}

/* The payload [seq, seq + len) of a segment of a started, open direction (lent): trimmed of
 * old bytes and cut at the depth (counted once per segment), then placed. */
static void reasm_data(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t seq,
		       const uint8_t *p, size_t len, reasm_deliver_fn fn, void *arg)
{
	int64_t off = reasm_off(d, seq);
	if (off >= (int64_t)REASM_WINDOW) {
		/* Beyond any window the sender could have: as stale as data behind us. */
		stats_skip(ctx->st, SKIP_TCP_OLD_DATA);
		return;
	}
	if (off < 0) {
		size_t old = (uint64_t)-off < len ? (size_t)-off : len;
		reasm_old(ctx, d, off, p, old);
		if (old == len)
			return;
		seq += (uint32_t)old;
		p += old;
		len -= old;
		off = 0;
	}
	uint32_t room = reasm_room(ctx, d);
	if (off + (int64_t)len > (int64_t)room) {
		stats_skip(ctx->st, SKIP_TCP_DEPTH);
		if (room == 0) {
			/* Only a depth of 0 gets here: nothing is ever taken. */
			reasm_close(ctx, d);
			return;
		}
		if (off >= (int64_t)room)
			return;
		len = (size_t)(room - off);
	}
	if (d->fin_seen) {
		/* Bytes after the FIN do not exist (RFC 9293 section 3.4); not a loss. */
		int64_t fin = reasm_off(d, d->fin_seq);
		if (off >= fin)
			return;
		if (off + (int64_t)len > fin)
			len = (size_t)(fin - off);
	}
	reasm_put(ctx, d, seq, p, len, fn, arg);
}

/* A direction owns nothing until its first byte that must wait. */
void reasm_dir_init(struct reasm_dir *d)
{
	memset(d, 0, sizeof *d);
}

/* A closed direction costs a few comparisons per segment; data it would have taken but for
 * the depth is still counted, once per segment. */
static void reasm_closed_segment(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t seq,
				 size_t len)
{
	if (len > 0 && d->started && reasm_passed(d) >= reasm_depth(ctx) &&
	    reasm_off(d, seq) + (int64_t)len > 0)
		stats_skip(ctx->st, SKIP_TCP_DEPTH);
}

/* data is lent for the call; only bytes that must wait are copied. */
void reasm_segment(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t seq, uint8_t flags,
		   const uint8_t *data, size_t len, reasm_deliver_fn fn, void *arg)
{
	assert(fn && (data || len == 0));
	/* A SYN occupies one sequence number before the data (RFC 9293 section 3.4). */
	uint32_t dseq = seq + ((flags & TCP_SYN) ? 1u : 0u);
	if (len > REASM_WINDOW)
		len = REASM_WINDOW;
	if (d->closed) {
		reasm_closed_segment(ctx, d, dseq, len);
		return;
	}
	if (flags & TCP_RST) {
		reasm_finish(ctx, d);
		return;
	}
	if (!d->started) {
		if (!(flags & TCP_SYN) && len == 0) {
			/* A bare ACK says nothing of where data starts; a bare FIN ends it. */
			if (flags & TCP_FIN)
				reasm_close(ctx, d);
			return;
		}
		d->started = true;
		d->next_seq = dseq;
	}
	if ((flags & TCP_FIN) && !d->fin_seen) {
		d->fin_seen = true;
		d->fin_seq = dseq + (uint32_t)len;
	}
	if (len > 0)
		reasm_data(ctx, d, dseq, data, len, fn, arg);
	reasm_fin_check(ctx, d);
	if (!d->closed && reasm_room(ctx, d) == 0)
		reasm_close(ctx, d); /* a depth of 0 is used up at the start */
}

/* Skips every hole below ack, one TCP_GAP each, delivering what lies between them. */
void reasm_peer_ack(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t ack,
		    reasm_deliver_fn fn, void *arg)
{
	if (!d->started || d->closed)
		return;
	int64_t a = reasm_off(d, ack);
	if (a <= 0 || a > (int64_t)REASM_WINDOW)
		return; /* nothing missed, or an ack no window allows */
	while (!d->closed && reasm_off(d, ack) > 0) {
		uint32_t to = ack;
		if (d->ooo && reasm_off(d, d->ooo->seq) < reasm_off(d, ack))
			to = d->ooo->seq;
		reasm_skip(ctx, d, to, SKIP_TCP_GAP);
		reasm_drain(ctx, d, fn, arg);
	}
}

/* Skips every hole, one TCP_GAP each, delivering all that is held; then closes. */
void reasm_flush(struct reasm_ctx *ctx, struct reasm_dir *d, reasm_deliver_fn fn, void *arg)
{
	while (d->started && !d->closed && d->ooo) {
		reasm_skip(ctx, d, d->ooo->seq, SKIP_TCP_GAP);
		reasm_drain(ctx, d, fn, arg);
	}
	if (!d->closed)
		reasm_finish(ctx, d);
}

bool reasm_depth_reached(const struct reasm_ctx *ctx, const struct reasm_dir *d)
{
	return reasm_passed(d) >= reasm_depth(ctx);
}

/* The direction keeps its sequence state; only memory is returned. */
void reasm_dir_free(struct reasm_ctx *ctx, struct reasm_dir *d)
{
	reasm_release(ctx, d);
}

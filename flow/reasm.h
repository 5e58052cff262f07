/* reasm.h: TCP stream reassembly, per direction, for the first `depth` bytes of a stream
 * (RFC 9293 sequence space). In order delivery to a consumer; retransmissions, overlaps
 * (first copy wins), out-of-order segments, streams picked up mid-way and holes that never
 * fill are handled; memory is bounded per direction and in total. */
#ifndef MISROUTE_REASM_H
#define MISROUTE_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"

/* Shared by all streams of one worker. */
struct reasm_ctx {
	size_t depth;      /* bytes per direction reassembled from the stream start (0: none) */
	size_t memcap;     /* bytes all directions may hold (pending + out of order) */
	size_t mem_used;
	struct stats *st;  /* skip counters; may be NULL */
	size_t mem_peak;   /* the most mem_used has been */
};

/* Hands the consumer the contiguous bytes not yet consumed, oldest first (at most
 * REASM_MAX_PENDING at a time; data is lent for the call). It returns how many it consumed
 * (0..len); the rest is handed again, with more after it, next time.
 * gap: bytes were lost just before data (a hole that never filled, a capped message): the
 * consumer drops any partial message it was parsing and resynchronises. The consumer must
 * not call back into reassembly for the same direction. */
typedef size_t (*reasm_deliver_fn)(void *arg, const uint8_t *data, size_t len, bool gap);

struct reasm_seg;

/* One direction of a stream; zero-initialised it is ready (reasm_dir_init does that).
 * Depth counts stream bytes passed from the start, delivered or lost: delivered + lost. */
struct reasm_dir {
	uint32_t next_seq;        /* sequence number of the next byte to deliver */
	uint32_t delivered;       /* bytes handed to the consumer so far (each byte once) */
	uint32_t lost;            /* bytes skipped over holes that never filled */
	uint32_t fin_seq;         /* sequence number of the FIN, when fin_seen */
	uint8_t *pending;         /* delivered but not consumed, at most REASM_MAX_PENDING */
	uint32_t pending_len, pending_cap;
	struct reasm_seg *ooo;    /* out-of-order pieces, sorted, never overlapping */
	size_t ooo_bytes;         /* heap they hold (headers and capacity), in ctx->mem_used */
	uint16_t n_ooo;
	bool started;             /* next_seq is known (SYN seen, or first data taken mid-way) */
	bool gap_next;            /* the next delivery follows lost bytes */
	bool fin_seen;
	bool closed;              /* FIN or RST seen, or depth reached: nothing more is taken */
};

void reasm_dir_init(struct reasm_dir *d);

/* One TCP segment of this direction: seq and flags as on the wire, its payload (lent for the
 * call). Delivers to fn whatever became contiguous. A SYN fixes where data starts (else the
 * first data does); a FIN closes the direction once every byte before it is passed, an RST at
 * once, either counting TCP_UNFINISHED when the consumer still leaves bytes unconsumed; a
 * closed direction frees its memory and ignores what follows. */
void reasm_segment(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t seq, uint8_t flags,
		   const uint8_t *data, size_t len, reasm_deliver_fn fn, void *arg);

/* The other direction acknowledged everything before ack: a hole below it was received by
 * the peer and missed by us, so it will never fill; skip it (counted as TCP_GAP). */
void reasm_peer_ack(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t ack,
		    reasm_deliver_fn fn, void *arg);

/* The stream ends (flow expiry or close): delivers what is held past any holes (one
 * TCP_GAP each), then closes the direction (TCP_UNFINISHED when bytes stay unconsumed). */
void reasm_flush(struct reasm_ctx *ctx, struct reasm_dir *d, reasm_deliver_fn fn, void *arg);

/* Whether the direction passed its depth: what followed was never looked at. */
bool reasm_depth_reached(const struct reasm_ctx *ctx, const struct reasm_dir *d);

/* Frees what the direction holds and returns its memory to ctx. */
void reasm_dir_free(struct reasm_ctx *ctx, struct reasm_dir *d);

#endif

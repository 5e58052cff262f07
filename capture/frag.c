/* frag.c: IP fragment reassembly (RFC 791 section 3.2, RFC 8200 section 4.5, RFC 5722),
 * bounded by FRAG_* in core/limits.h. */
#include "capture/frag.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/limits.h"

/* Buckets: a power of two, at least as many as datagrams we ever hold. A chain can never be
 * longer than FRAG_MAX_PENDING whatever the hash; the seed keeps it short in practice. */
#define FRAG_BUCKETS 2048
_Static_assert((FRAG_BUCKETS & (FRAG_BUCKETS - 1)) == 0, "FRAG_BUCKETS is a power of two");
_Static_assert(FRAG_BUCKETS >= FRAG_MAX_PENDING, "FRAG_BUCKETS covers FRAG_MAX_PENDING");

/* The largest whole datagram built: a 64 KiB IPv6 payload behind its 40-byte fixed header. */
#define FRAG_IP6_FIXED 40
#define FRAG_OUT_MAX (FRAG_MAX_DATAGRAM + FRAG_IP6_FIXED)

/* RFC 791: the datagram is identified by source, destination, protocol and identification;
 * RFC 8200: by source, destination and identification (proto is 0 for IPv6). */
struct frag_key {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t proto, version;
};

/* Bytes [start, end) of the fragmentable part that have arrived. */
struct frag_range {
	uint32_t start, end;
};

/* One datagram being rebuilt. Its data buffer holds each byte at its offset, so overlaps are
 * compared in place and the whole datagram is one copy away. */
struct frag_dgram {
	struct frag_dgram *next;          /* hash chain */
	struct frag_dgram *older, *newer; /* age list, by first fragment */
	struct frag_key key;
	uint64_t born_us;
	uint8_t *data;
	size_t cap;                       /* bytes allocated in data */
	uint8_t *hdr;                     /* first fragment's headers; NULL until it comes */
	size_t hdr_len, nh_off;
	uint8_t first_proto;              /* IPv6: Next Header of the first fragment */
	bool have_last;
	uint32_t total;                   /* data length, known once the last fragment came */
	unsigned n_pieces;                /* fragments taken, duplicates included */
	unsigned n_ranges;
	/* Sorted. IPv4: merged when they touch. IPv6: one per fragment (an exact duplicate must
	 * be told from an overlap, RFC 5722). */
	struct frag_range r[FRAG_MAX_PIECES];
};

struct frag_table {
	struct frag_dgram *bucket[FRAG_BUCKETS];
	struct frag_dgram *oldest, *newest;
	size_t pending;                   /* datagrams held */
	size_t bytes;                     /* their memory, against FRAG_MAX_BYTES */
	uint32_t seed;
	uint8_t *out;                     /* the last whole datagram, FRAG_OUT_MAX bytes */
};

/* Returns an empty table, or NULL when out of memory. frag_free releases it. */
struct frag_table *frag_new(void)
{
	struct frag_table *ft = calloc(1, sizeof(*ft));

	if (!ft)
		return NULL; /* out of memory */
	/* Pure code has no entropy source; the heap address differs between runs under ASLR,
	 * which is enough to keep a flood from aiming at one known bucket. */
	ft->seed = (uint32_t)((uintptr_t)ft >> 4) * 2654435761u;
	return ft;
}

static void frag_release(struct frag_table *ft, struct frag_dgram *dg)
{
	ft->bytes -= sizeof(*dg) + dg->cap + dg->hdr_len;
	ft->pending--;
	free(dg->data);
	free(dg->hdr);
	free(dg);
}

/* Frees the table, every datagram it holds and its output buffer. ft may be NULL. */
void frag_free(struct frag_table *ft)
{
	if (!ft)
		return; /* nothing to free */
	while (ft->oldest) {
		struct frag_dgram *dg = ft->oldest;
		ft->oldest = dg->newer;
		frag_release(ft, dg);
	}
	free(ft->out);
	free(ft);
}

size_t frag_pending(const struct frag_table *ft)
{
	return ft ? ft->pending : 0;
}

size_t frag_memory(const struct frag_table *ft)
{
	return ft ? ft->bytes : 0;
}

static uint32_t frag_hash(const struct frag_table *ft, const struct frag_key *k)
{
	uint64_t h = hash_bytes(ft->seed, k->src, 16);
	h = hash_bytes(h, k->dst, 16);
	return (uint32_t)hash_word(h, k->id | (uint64_t)k->proto << 32 | (uint64_t)k->version << 40);
}

static bool frag_key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->id == b->id && a->proto == b->proto && a->version == b->version &&
	       memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

static struct frag_dgram **frag_slot(struct frag_table *ft, const struct frag_key *k)
{
	return &ft->bucket[frag_hash(ft, k) & (FRAG_BUCKETS - 1)];
}

static struct frag_dgram *frag_find(struct frag_table *ft, const struct frag_key *k)
{
	for (struct frag_dgram *dg = *frag_slot(ft, k); dg; dg = dg->next)
		if (frag_key_eq(&dg->key, k))
			return dg;
	return NULL;
}

/* Unlinks dg from its chain and the age list, and frees it. */
static void frag_drop(struct frag_table *ft, struct frag_dgram *dg)
{
	struct frag_dgram **pp = frag_slot(ft, &dg->key);

	while (*pp != dg)
		pp = &(*pp)->next;
	*pp = dg->next;
	if (dg->older)
		dg->older->newer = dg->newer;
	else
		ft->oldest = dg->newer;
	if (dg->newer)
		dg->newer->older = dg->older;
	else
		ft->newest = dg->older;
	frag_release(ft, dg);
}

/* Drops datagrams whose first fragment came FRAG_TIMEOUT_US or more before now_us, counting
 * each once as FRAG_TIMEOUT. The age list is in arrival order, so the walk stops at the first
 * young datagram (a capture whose clock steps back only delays expiry, it never loses one). */
void frag_expire(struct frag_table *ft, uint64_t now_us, struct stats *st)
{
	if (!ft)
		return; /* reassembly is off */
	while (ft->oldest && now_us >= ft->oldest->born_us &&
	       now_us - ft->oldest->born_us >= FRAG_TIMEOUT_US) {
		stats_skip(st, SKIP_FRAG_TIMEOUT);
		frag_drop(ft, ft->oldest);
	}
}

/* A new datagram for key k, or NULL when a cap says no (the caller counts FRAG_TOO_MANY). */
static struct frag_dgram *frag_create(struct frag_table *ft, const struct frag_key *k,
				      uint64_t now_us)
{
	if (ft->pending >= FRAG_MAX_PENDING)
		return NULL; /* too many half-built datagrams */
	if (ft->bytes + sizeof(struct frag_dgram) > FRAG_MAX_BYTES)
		return NULL; /* memory cap */
	struct frag_dgram *dg = calloc(1, sizeof(*dg));
	if (!dg)
		return NULL; /* out of memory: same outcome as the cap */
	dg->key = *k;
	dg->born_us = now_us;
	struct frag_dgram **slot = frag_slot(ft, k);
	dg->next = *slot;
	*slot = dg;
	dg->older = ft->newest;
	if (ft->newest)
		ft->newest->newer = dg;
	else
		ft->oldest = dg;
	ft->newest = dg;
	ft->pending++;
	ft->bytes += sizeof(*dg);
	return dg;
}

/* Makes dg->data hold at least end bytes, doubling so a datagram arriving in order does not
 * reallocate for every fragment. False when the memory cap or malloc says no. */
static bool frag_grow(struct frag_table *ft, struct frag_dgram *dg, size_t end)
{
	if (end <= dg->cap)
		return true; /* already room */
	size_t cap = dg->cap ? dg->cap : 1024;
	while (cap < end)
		cap *= 2;
	if (cap > FRAG_MAX_DATAGRAM)
		cap = FRAG_MAX_DATAGRAM;
	if (dg->have_last && cap > dg->total)
		cap = dg->total; /* never more than the datagram */
	if (ft->bytes - dg->cap + cap > FRAG_MAX_BYTES)
		return false; /* memory cap */
	uint8_t *p = realloc(dg->data, cap);
	if (!p)
		return false; /* out of memory */
	ft->bytes = ft->bytes - dg->cap + cap;
	dg->data = p;
	dg->cap = cap;
	return true;
}

enum frag_overlap { FRAG_NEW, FRAG_DUPLICATE, FRAG_CONFLICT };

/* How [s, e) with bytes d relates to what dg holds. IPv6 (RFC 5722): only an exact duplicate
 * (same offset, length and bytes) may overlap. IPv4: overlaps are legal as long as the bytes
 * agree; which copy to believe when they do not is exactly what evasion attacks exploit, so
 * the datagram goes. */
static enum frag_overlap frag_overlap(const struct frag_dgram *dg, uint32_t s, uint32_t e,
				      const uint8_t *d)
{
	bool covered = false;

	for (unsigned i = 0; i < dg->n_ranges; i++) {
		const struct frag_range *r = &dg->r[i];
		if (r->end <= s || r->start >= e)
			continue; /* disjoint */
		uint32_t lo = r->start > s ? r->start : s;
		uint32_t hi = r->end < e ? r->end : e;
		if (memcmp(dg->data + lo, d + (lo - s), hi - lo) != 0)
			return FRAG_CONFLICT; /* same offsets, different bytes */
		if (dg->key.version == 6 && (r->start != s || r->end != e))
			return FRAG_CONFLICT; /* RFC 5722: any overlap kills the datagram */
		if (r->start <= s && r->end >= e)
			covered = true;
	}
	return covered ? FRAG_DUPLICATE : FRAG_NEW;
}

/* Records [s, e) in the sorted range list; IPv4 ranges merge with those they touch. The list
 * never outgrows FRAG_MAX_PIECES: there are no more ranges than fragments taken. */
static void frag_insert(struct frag_dgram *dg, uint32_t s, uint32_t e)
{
	unsigned i = 0;

	while (i < dg->n_ranges && dg->r[i].start < s)
		i++;
	assert(dg->n_ranges < FRAG_MAX_PIECES);
	memmove(&dg->r[i + 1], &dg->r[i], (dg->n_ranges - i) * sizeof(dg->r[0]));
	dg->r[i].start = s;
	dg->r[i].end = e;
	dg->n_ranges++;
	if (dg->key.version != 4)
		return; /* IPv6 keeps one range per fragment */
	unsigned w = 0;
	for (unsigned j = 1; j < dg->n_ranges; j++) {
		if (dg->r[j].start <= dg->r[w].end) {
			if (dg->r[j].end > dg->r[w].end)
				dg->r[w].end = dg->r[j].end;
		} else {
			dg->r[++w] = dg->r[j];
		}
	}
	dg->n_ranges = w + 1;
}

/* True when every byte from 0 to the last fragment's end has arrived. */
static bool frag_complete(const struct frag_dgram *dg)
{
	uint32_t at = 0;

	if (!dg->have_last || !dg->hdr)
		return false; /* no end, or no header to build on */
	for (unsigned i = 0; i < dg->n_ranges; i++) {
		if (dg->r[i].start > at)
			return false; /* a hole */
		if (dg->r[i].end > at)
			at = dg->r[i].end;
	}
	return at == dg->total;
}

static void frag_put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 791 header checksum over our own rebuilt header. */
static void frag_ip4_checksum(uint8_t *h, size_t hlen)
{
	uint32_t sum = 0;

	h[10] = h[11] = 0;
	for (size_t i = 0; i + 1 < hlen; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	frag_put16(h + 10, ~sum & 0xffff);
}

/* True when the whole datagram would be longer than IP can say (RFC 791 total length,
 * RFC 8200 payload length: both 16 bits). */
static bool frag_too_big(const struct frag_dgram *dg)
{
	size_t len = dg->hdr_len + dg->total;

	return dg->key.version == 4 ? len > FRAG_MAX_DATAGRAM
				    : len - FRAG_IP6_FIXED > FRAG_MAX_DATAGRAM;
}

/* Writes the whole datagram into ft->out; false when no buffer can be had. */
static bool frag_build(struct frag_table *ft, const struct frag_dgram *dg,
		       const uint8_t **whole, size_t *whole_len)
{
	size_t len = dg->hdr_len + dg->total;

	if (!ft->out)
		ft->out = malloc(FRAG_OUT_MAX);
	if (!ft->out)
		return false; /* out of memory */
	memcpy(ft->out, dg->hdr, dg->hdr_len);
	memcpy(ft->out + dg->hdr_len, dg->data, dg->total);
	if (dg->key.version == 4) {
		frag_put16(ft->out + 2, len);
		ft->out[6] &= 0xc0; /* keep DF and the reserved bit; clear MF and the offset */
		ft->out[7] = 0;
		frag_ip4_checksum(ft->out, dg->hdr_len);
	} else {
		frag_put16(ft->out + 4, len - FRAG_IP6_FIXED);
		ft->out[dg->nh_off] = dg->first_proto; /* the chain now skips the Fragment header */
	}
	*whole = ft->out;
	*whole_len = len;
	return true;
}

/* Drops dg and counts reason: the end of every failed datagram. */
static enum frag_status frag_fail(struct frag_table *ft, struct frag_dgram *dg,
				  struct stats *st, enum skip_reason reason)
{
	if (dg)
		frag_drop(ft, dg);
	stats_skip(st, reason);
	return FRAG_DROPPED;
}

/* Checks the last fragment's end against what the datagram already holds: a datagram with
 * two different ends, or data beyond its end, lies. */
static bool frag_end_consistent(const struct frag_dgram *dg, const struct frag_in *in,
				uint32_t end)
{
	if (in->more)
		return !dg->have_last || end <= dg->total;
	if (dg->have_last && dg->total != end)
		return false; /* two different ends */
	return dg->n_ranges == 0 || dg->r[dg->n_ranges - 1].end <= end;
}

/* Keeps a copy of the first fragment's headers, which the whole datagram is built on. */
static bool frag_keep_header(struct frag_table *ft, struct frag_dgram *dg,
			     const struct frag_in *in)
{
	if (dg->hdr)
		return true; /* the first copy stays */
	if (ft->bytes + in->hdr_len > FRAG_MAX_BYTES)
		return false; /* memory cap */
	dg->hdr = malloc(in->hdr_len);
	if (!dg->hdr)
		return false; /* out of memory */
	memcpy(dg->hdr, in->hdr, in->hdr_len);
	dg->hdr_len = in->hdr_len;
	dg->nh_off = in->nh_off;
	dg->first_proto = in->proto;
	ft->bytes += in->hdr_len;
	return true;
}

enum frag_status frag_add(struct frag_table *ft, const struct frag_in *in, uint64_t now_us,
			  struct stats *st, const uint8_t **whole, size_t *whole_len)
{
	assert(in->version == 4 ? in->hdr_len >= 20
				: in->hdr_len >= FRAG_IP6_FIXED && in->nh_off < in->hdr_len);
	/* RFC 8200: a fragment that is not the last must carry a multiple of 8 bytes, or the
	 * next offset cannot follow it; RFC 791 offsets say the same. */
	if (in->more && (in->data_len == 0 || in->data_len % 8 != 0))
		return frag_fail(ft, NULL, st, SKIP_FRAG_BAD); /* a middle piece that cannot fit */
	if (in->data_len > FRAG_MAX_DATAGRAM || in->offset + in->data_len > FRAG_MAX_DATAGRAM)
		return frag_fail(ft, NULL, st, SKIP_FRAG_TOO_BIG); /* ends past 64 KiB */
	uint32_t s = in->offset, e = (uint32_t)(in->offset + in->data_len);

	struct frag_key k = { .id = in->id, .version = in->version };
	memcpy(k.src, in->src, 16);
	memcpy(k.dst, in->dst, 16);
	k.proto = in->version == 4 ? in->proto : 0;
	struct frag_dgram *dg = frag_find(ft, &k);
	if (!dg)
		dg = frag_create(ft, &k, now_us);
	if (!dg)
		return frag_fail(ft, NULL, st, SKIP_FRAG_TOO_MANY); /* a cap said no */
	if (dg->n_pieces >= FRAG_MAX_PIECES)
		return frag_fail(ft, dg, st, SKIP_FRAG_TOO_MANY); /* a tiny-fragment flood */
	if (!frag_end_consistent(dg, in, e))
		return frag_fail(ft, dg, st, SKIP_FRAG_BAD); /* lengths that lie */

	enum frag_overlap ov = s < e ? frag_overlap(dg, s, e, in->data) : FRAG_DUPLICATE;
	if (ov == FRAG_CONFLICT)
		return frag_fail(ft, dg, st, SKIP_FRAG_OVERLAP); /* two versions of the bytes */
	if (!in->more) {
		dg->have_last = true; /* before growing: the buffer need not pass the end */
		dg->total = e;
	}
	if (ov == FRAG_NEW) {
		if (!frag_grow(ft, dg, e))
			return frag_fail(ft, dg, st, SKIP_FRAG_TOO_MANY); /* memory cap */
		memcpy(dg->data + s, in->data, in->data_len);
		frag_insert(dg, s, e);
	}
	if (s == 0 && !frag_keep_header(ft, dg, in))
		return frag_fail(ft, dg, st, SKIP_FRAG_TOO_MANY); /* memory cap */
	dg->n_pieces++;
	if (!frag_complete(dg))
		return FRAG_HELD; /* wait for the rest */
	if (frag_too_big(dg))
		return frag_fail(ft, dg, st, SKIP_FRAG_TOO_BIG); /* larger than IP can carry */
	if (!frag_build(ft, dg, whole, whole_len))
		return frag_fail(ft, dg, st, SKIP_FRAG_TOO_MANY); /* out of memory */
	frag_drop(ft, dg);
	if (st)
		st->frag_reassembled++;
	return FRAG_DONE;
}

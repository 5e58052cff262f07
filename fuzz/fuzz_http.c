/* fuzz_http.c: libFuzzer target for the HTTP/1.x stream parser (RFC 9112, dissectors/http.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_http.c dissectors/http.c \
 *         core/stats.c -lz -o build/fuzz_http && build/fuzz_http fuzz/corpus/http
 *
 * Each input is one direction of a connection, fed the way TCP reassembly hands it over
 * (unconsumed bytes again, with more after them, at most REASM_MAX_PENDING held): once in one
 * piece, once in pieces whose sizes come from a hash of the input, and once with bytes lost
 * here and there. The hash also picks what the engine would answer (keep bodies, HEAD,
 * CONNECT) and whether the stream is seen from its first byte. Besides the sanitizers it
 * checks the contract: the first two runs report the same messages, every string lies inside
 * its message's arena, kept bodies stay under the cap. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dissectors/http.h"

static uint8_t pending[REASM_MAX_PENDING];

struct fuzz_run {
	uint64_t digest;    /* of everything the callbacks saw */
	uint64_t rng;       /* piece sizes, losses and answers */
	unsigned responses;
	bool keep;
};

static void fuzz_check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static void fuzz_mix(struct fuzz_run *r, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		r->digest = (r->digest ^ b[i]) * 0x100000001b3ull;
}

static uint64_t fuzz_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void fuzz_str(struct fuzz_run *r, struct http_str s, const char *arena, uint32_t used)
{
	uint32_t tag = s.p ? s.len : UINT32_MAX;
	fuzz_mix(r, &tag, sizeof tag);
	if (!s.p)
		return;
	fuzz_check(s.p >= arena && s.len <= used && s.p - arena <= (ptrdiff_t)(used - s.len));
	fuzz_mix(r, s.p, s.len);
}

static void fuzz_body(struct fuzz_run *r, const struct http_body *b)
{
	fuzz_mix(r, &b->framing, sizeof b->framing);
	fuzz_mix(r, &b->wire_len, sizeof b->wire_len);
	fuzz_mix(r, &b->complete, sizeof b->complete);
	fuzz_check(b->len <= HTTP_MAX_BODY && (b->data != NULL || b->len == 0));
	fuzz_check(b->kept || b->data == NULL);
	if (b->data)
		fuzz_mix(r, b->data, b->len);
}

static void fuzz_request(void *arg, const struct http_request *rq)
{
	struct fuzz_run *r = arg;
	const struct http_str *s[] = { &rq->method, &rq->target, &rq->path, &rq->query, &rq->host,
				       &rq->host_header, &rq->target_host, &rq->user_agent,
				       &rq->anchor_mailbox, &rq->content_type, &rq->auth_scheme,
				       &rq->auth_user };
	fuzz_check(rq->arena_used <= HTTP_ARENA && rq->method.p && rq->target.p);
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		fuzz_str(r, *s[i], rq->arena, rq->arena_used);
	fuzz_mix(r, &rq->port, sizeof rq->port);
	fuzz_body(r, &rq->body);
}

static bool fuzz_want(void *arg, const struct http_request *rq)
{
	(void)rq;
	return ((struct fuzz_run *)arg)->keep;
}

static void fuzz_response_head(void *arg, const struct http_response *rs,
			       struct http_response_opts *o)
{
	struct fuzz_run *r = arg;
	(void)rs;
	/* The answers depend on the response's place in the stream only, so every run agrees. */
	uint64_t x = r->rng ^ (0x9e3779b97f4a7c15ull * ++r->responses);
	o->keep_body = r->keep;
	o->to_head = (x & 0xf0) == 0x10;
	o->to_connect = (x & 0xf0) == 0x20;
}

static void fuzz_response(void *arg, const struct http_response *rs)
{
	struct fuzz_run *r = arg;
	fuzz_check(rs->arena_used <= HTTP_ARENA && rs->status >= 100 && rs->status <= 999);
	fuzz_mix(r, &rs->status, sizeof rs->status);
	fuzz_str(r, rs->location, rs->arena, rs->arena_used);
	fuzz_str(r, rs->content_type, rs->arena, rs->arena_used);
	fuzz_body(r, &rs->body);
}

/* Feeds data in pieces (max_piece 0: all at once) and loses bytes one piece in lose_one_in
 * (0: never). */
static uint64_t fuzz_feed(const uint8_t *data, size_t size, uint64_t seed, size_t max_piece,
			  unsigned lose_one_in)
{
	struct fuzz_run r = { 0xcbf29ce484222325ull, seed | 1, 0, (seed & 3) != 0 };
	struct http_stream s;
	struct stats st;
	const struct http_callbacks cb = { fuzz_request, fuzz_want, fuzz_request, fuzz_response_head,
					   fuzz_response, &st };
	uint64_t rng = seed | 1;
	size_t held = 0, at = 0;
	bool gap = false;

	memset(&st, 0, sizeof st);
	http_stream_init(&s);
	s.from_start = (seed & 4) != 0; /* the SYN was seen: bytes that are not HTTP end it */
	while (at < size) {
		size_t piece = max_piece ? 1 + fuzz_next(&rng) % max_piece : size - at;
		if (piece > size - at)
			piece = size - at;
		if (lose_one_in && fuzz_next(&rng) % lose_one_in == 0) {
			held = 0;
			gap = true;
			at += piece;
			continue;
		}
		while (piece > 0) {
			size_t take = piece < sizeof pending - held ? piece : sizeof pending - held;
			memcpy(pending + held, data + at, take);
			held += take;
			at += take;
			piece -= take;
			size_t used = http_feed(&s, pending, held, gap, &cb, &r);
			fuzz_check(used <= held);
			gap = false;
			memmove(pending, pending + used, held - used);
			held -= used;
			/* The parser must never sit on a full window: it gives up on a head first. */
			fuzz_check(held < sizeof pending);
		}
	}
	http_finish(&s, &cb, &r);
	http_stream_free(&s);
	return r.digest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t seed = 0x84222325cbf29ce4ull;
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	uint64_t whole = fuzz_feed(data, size, seed, 0, 0);
	uint64_t split = fuzz_feed(data, size, seed, 1 + (seed >> 8) % 64, 0);
	fuzz_check(whole == split);
	(void)fuzz_feed(data, size, ~seed, 1 + (seed >> 16) % 512, 8);
	return 0;
}

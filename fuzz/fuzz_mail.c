/* fuzz_mail.c: libFuzzer target for the SMTP/IMAP/POP3 dissector (RFC 5321, RFC 4954, RFC 3501/9051, RFC 1939, RFC 4616; dissectors/mail.c).
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_mail.c \
 *         dissectors/mail.c core/stats.c -o build/fuzz_mail && build/fuzz_mail fuzz/corpus/mail
 *
 * An input is a connection transcript: its first byte picks the protocol the engine would pass
 * (bits 0-1: unknown, SMTP, IMAP, POP3), then segments each start with the byte 0xfe followed by
 * a flags byte (bit 0: from the client, bit 1: bytes were lost before it) and run to the next
 * 0xfe. Each transcript is fed the way TCP reassembly hands it over (unconsumed bytes again, with
 * more after them, at most REASM_MAX_PENDING held): once in whole segments, once in pieces whose
 * sizes come from a hash of the input (both must report the same events), and once more with
 * bytes lost here and there. Besides the sanitizers it checks the contract: consumed <= offered,
 * nothing taken after the TLS hand-over, TLS offsets where the other side stopped, every event
 * string bounded, terminated and free of CR/LF, and the session never holding a password given
 * with PASS (one that occurs nowhere else in the input). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dissectors/mail.h"
#include "flow/reasm.h"

#define FUZZ_MARK 0xfe

struct fuzz_run {
	struct mail_session s;
	uint8_t held[2][REASM_MAX_PENDING];
	size_t held_len[2];
	uint64_t consumed[2];
	bool tls[2];
	int feeding;
	uint64_t digest;   /* of every event */
	uint64_t rng;      /* piece sizes and losses */
	const uint8_t *input;
	size_t input_len;
};

static struct fuzz_run R;

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

static void fuzz_str(struct fuzz_run *r, const char *v)
{
	uint32_t tag = v ? (uint32_t)strlen(v) : UINT32_MAX;
	fuzz_mix(r, &tag, sizeof tag);
	if (!v)
		return;
	fuzz_check(tag <= MAIL_MAX_VALUE);
	fuzz_check(!memchr(v, '\r', tag) && !memchr(v, '\n', tag));
	fuzz_mix(r, v, tag);
}

static void fuzz_event(void *arg, const struct mail_event *ev)
{
	struct fuzz_run *r = arg;
	fuzz_mix(r, &ev->kind, sizeof ev->kind);
	fuzz_mix(r, &ev->proto, sizeof ev->proto);
	fuzz_mix(r, &ev->ok, sizeof ev->ok);
	fuzz_str(r, ev->value);
	fuzz_str(r, ev->user);
	fuzz_str(r, ev->domain);
	fuzz_str(r, ev->mech);
	fuzz_check(!ev->value || strlen(ev->value) == ev->value_len);
	if (ev->kind == MAIL_EV_TLS_START) {
		int d = ev->from_client ? 1 : 0;
		fuzz_check(!r->tls[d]);
		r->tls[d] = true;
		/* the other side stopped exactly where its TLS starts */
		if (d != r->feeding)
			fuzz_check(ev->offset == r->consumed[d]);
		fuzz_mix(r, &ev->offset, sizeof ev->offset);
	}
}

static const struct mail_callbacks fuzz_cbs = { fuzz_event };

static void fuzz_deliver(struct fuzz_run *r, int d, const uint8_t *p, size_t n, bool gap)
{
	if (r->tls[d])
		return;
	if (gap || r->held_len[d] + n > sizeof r->held[d]) {
		/* what the reassembly cannot hold is lost, and said so */
		r->held_len[d] = 0;
		gap = true;
		if (n > sizeof r->held[d]) {
			p += n - sizeof r->held[d];
			n = sizeof r->held[d];
		}
	}
	memcpy(r->held[d] + r->held_len[d], p, n);
	r->held_len[d] += n;
	r->feeding = d;
	size_t k = mail_feed(&r->s, d, r->held[d], r->held_len[d], gap, &fuzz_cbs, r);
	r->feeding = -1;
	fuzz_check(k <= r->held_len[d]);
	memmove(r->held[d], r->held[d] + k, r->held_len[d] - k);
	r->held_len[d] -= k;
	r->consumed[d] += k;
	for (int e = 0; e < 2; e++) {
		if (!r->tls[e])
			continue;
		fuzz_check(mail_is_tls(&r->s, e));
		r->held_len[e] = 0;
	}
}

/* The password of a "PASS " line must never be in the session. */
static void fuzz_no_pass(struct fuzz_run *r, const uint8_t *p, size_t n)
{
	if (n < 5 + 6 || memcmp(p, "PASS ", 5))
		return;
	const uint8_t *pw = p + 5;
	size_t k = 0;
	while (k < n - 5 && pw[k] > ' ' && pw[k] < 0x7f)
		k++;
	/* only a password found nowhere else in the input: another line may carry the same bytes
	 * for what they are (a tag, a mechanism name) */
	if (k >= 6 && !memmem(r->input, (size_t)(pw - r->input), pw, k) &&
	    !memmem(pw + 1, r->input_len - (size_t)(pw + 1 - r->input), pw, k))
		fuzz_check(!memmem(&r->s, sizeof r->s, pw, k));
}

enum fuzz_mode { FUZZ_WHOLE, FUZZ_PIECES, FUZZ_LOSSY };

static uint64_t fuzz_run(const uint8_t *data, size_t size, enum fuzz_mode mode, uint64_t seed)
{
	struct fuzz_run *r = &R;
	memset(r, 0, offsetof(struct fuzz_run, held));
	r->held_len[0] = r->held_len[1] = 0;
	r->consumed[0] = r->consumed[1] = 0;
	r->tls[0] = r->tls[1] = false;
	r->digest = 0xcbf29ce484222325ull;
	r->rng = seed | 1;
	r->input = data;
	r->input_len = size;
	mail_session_init(&r->s, (enum mail_proto)(data[0] & 3));
	size_t i = 1;
	while (i < size) {
		/* a segment: 0xfe, flags, bytes up to the next 0xfe */
		if (data[i] != FUZZ_MARK || i + 1 >= size) {
			i++;
			continue;
		}
		uint8_t flags = data[i + 1];
		size_t start = i + 2, end = start;
		while (end < size && data[end] != FUZZ_MARK)
			end++;
		int d = flags & 1;
		bool gap = flags & 2;
		const uint8_t *p = data + start;
		size_t n = end - start;
		if (d)
			for (size_t j = 0; j < n; j++)
				if (p[j] == 'P' && (j == 0 || p[j - 1] == '\n'))
					fuzz_no_pass(r, p + j, n - j);
		if (mode == FUZZ_WHOLE) {
			/* pieces of half what the reassembly holds: with what mail_feed may keep back
			 * (under MAIL_WAIT_MAX) they always fit, so nothing is lost that the other
			 * runs keep */
			size_t off = 0;
			do {
				size_t piece = n - off < REASM_MAX_PENDING / 2 ? n - off : REASM_MAX_PENDING / 2;
				fuzz_deliver(r, d, p + off, piece, gap && off == 0);
				off += piece;
			} while (off < n);
		} else {
			size_t off = 0;
			bool first = true;
			while (off < n || first) {
				size_t piece = 1 + (size_t)(fuzz_next(&r->rng) % 64);
				if (piece > n - off)
					piece = n - off;
				bool lost = mode == FUZZ_LOSSY && fuzz_next(&r->rng) % 16 == 0;
				if (lost && piece > 1) {
					off += piece / 2;
					piece -= piece / 2;
				}
				fuzz_deliver(r, d, p + off, piece, (first && gap) || lost);
				off += piece;
				first = false;
			}
		}
		i = end;
	}
	return r->digest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	uint64_t whole = fuzz_run(data, size, FUZZ_WHOLE, seed);
	uint64_t pieces = fuzz_run(data, size, FUZZ_PIECES, seed);
	fuzz_check(whole == pieces);
	(void)fuzz_run(data, size, FUZZ_LOSSY, seed);
	return 0;
}

/* fuzz_autodiscover.c: libFuzzer target for the autodiscover body parser and URL helpers (MS-OXDSCLI, MS-OXDISCO); the first byte picks the format.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_autodiscover.c \
 *         dissectors/autodiscover.c -ljansson -o build/fuzz_autodiscover \
 *         && build/fuzz_autodiscover fuzz/corpus/autodiscover
 *
 * First byte % 3: 0 no format, 1 XML, 2 JSON; the rest is the body. The same bytes then go
 * through the request-target helpers. Besides the sanitizers it checks the contract: a reason
 * whenever the parse is not OK, every kept string inside the arena, printable, '@' in every
 * mailbox, counts within their caps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/autodiscover.h"

/* Too big for the fuzzer's stack frames to want; one input at a time. */
static struct ad_result res;

/* A kept string must lie in the arena, end there, and be printable UTF-8: the record writer
 * relies on it. abort() makes a violation a finding. */
static void check(const char *s)
{
	if (!s)
		return;
	if (s < res.arena || s >= res.arena + sizeof res.arena)
		abort();
	size_t n = strnlen(s, (size_t)(res.arena + sizeof res.arena - s));
	if (s + n >= res.arena + sizeof res.arena)
		abort();
	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)s[i];
		if (b < 0x20 || b == 0x7f || b == 0xc0 || b == 0xc1 || b > 0xf4)
			abort();
	}
}

static void check_result(void)
{
	if (res.n_server > AD_MAX_SERVERS || res.n_mailbox > AD_MAX_MAILBOXES ||
	    res.arena_used > sizeof res.arena)
		abort();
	check(res.action);
	check(res.error);
	for (unsigned i = 0; i < res.n_mailbox; i++) {
		if (!res.mailbox[i].addr || !strchr(res.mailbox[i].addr, '@'))
			abort();
		check(res.mailbox[i].addr);
	}
	for (unsigned i = 0; i < res.n_server; i++) {
		const struct ad_server *v = &res.server[i];
		if (!v->source)
			abort();
		check(v->protocol);
		check(v->host);
		check(v->url);
		check(v->username);
		check(v->encryption);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char mbox[320];

	if (size == 0)
		return 0;
	enum ad_format fmt = data[0] % 3 == 0 ? AD_NONE : data[0] % 3 == 1 ? AD_XML : AD_JSON;
	enum dis_status st = autodiscover_parse(data + 1, size - 1, fmt, &res);
	if (st != DIS_OK && st != DIS_SHORT && st != DIS_MALFORMED)
		abort();
	if (st != DIS_OK && !res.reason)
		abort();
	check_result();

	/* The same bytes as a request-target and a Content-Type. */
	const char *s = (const char *)data + 1;
	size_t half = (size - 1) / 2;
	(void)autodiscover_path(s, size - 1);
	(void)autodiscover_format(s, half, s + half, size - 1 - half);
	if (autodiscover_url_mailbox(s, size - 1, mbox, sizeof mbox) &&
	    (strnlen(mbox, sizeof mbox) == sizeof mbox || !strchr(mbox, '@')))
		abort();
	return 0;
}

/* test_dpi.c: application names from nDPI's host patterns and address lists, for flows our
 * own dissectors recognised — and the memo in front of them, which must never change an
 * answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "flow/dpi.h"

/* A TLS flow to server a.b.c.d whose first name is name (NULL: none); its application. */
static const char *classify(struct dpi *d, const char *name, const uint8_t server[4],
			    char *out, size_t size)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	f.app = APP_TLS;
	f.proto = 6;
	f.ip_version = 4;
	f.sport = 443;
	memcpy(f.srv, server, 4);
	dpi_known(d, &f);
	dpi_observed(d, &f, name, name ? strlen(name) : 0);
	const char *n = dpi_name(d, &f);
	snprintf(out, size, "%s", n ? n : "(none)");
	return out;
}

static void test_known_names(void **state)
{
	(void)state;
	struct dpi *d = dpi_new();
	assert_non_null(d);
	const uint8_t doc[4] = { 192, 0, 2, 1 };
	char b[32];
	assert_string_equal(classify(d, "www.google.com", doc, b, sizeof b), "google");
	assert_string_equal(classify(d, "outlook.office365.com", doc, b, sizeof b), "microsoft365");
	assert_string_equal(classify(d, "no-pattern.example", doc, b, sizeof b), "tls");
	dpi_free(d);
}

/* Every protocol's name is as records write it without escaping: lower case, printable
 * ASCII, no quote or backslash. */
static void test_names_plain(void **state)
{
	(void)state;
	struct dpi *d = dpi_new();
	assert_non_null(d);
	unsigned named = 0;
	for (uint16_t id = 1; id < 1024; id++) {
		struct flow f;
		memset(&f, 0, sizeof f);
		f.ndpi_proto = id;
		const char *n = dpi_name(d, &f);
		if (!n)
			continue;
		named++;
		for (const char *p = n; *p; p++) {
			unsigned char c = (unsigned char)*p;
			assert_true(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\');
			assert_false(c >= 'A' && c <= 'Z');
		}
	}
	assert_true(named > 200);
	dpi_free(d);
}

/* Many names and addresses, asked again and again in an order that makes them take each
 * other's memo slots, give what a fresh module says of each once. */
static void test_memo_agrees(void **state)
{
	(void)state;
	static const char *const known[] = {
		"www.google.com", "mail.google.com", "www.facebook.com", "outlook.office365.com",
		"autodiscover.example.com", "example.com", "www.netflix.com", "api.twitter.com",
		"www.youtube.com", "teams.microsoft.com", "zoom.us", "github.com",
		"no-pattern.example", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.example.org",
	};
	/* More names and addresses than the memos have slots. */
	enum { NAMES = 12000, ADDRS = 40000, K = sizeof known / sizeof known[0] };
	static char names[NAMES][48], want[NAMES][32], awant[ADDRS][32];
	static uint8_t addrs[ADDRS][4];
	for (int i = 0; i < NAMES; i++) {
		if (i < K)
			snprintf(names[i], sizeof names[i], "%s", known[i]);
		else
			snprintf(names[i], sizeof names[i], i % 3 ? "n%d.example.org" : "n%d.googleapis.com", i);
	}
	/* Addresses across nDPI's lists: 8.8.8.8 and its neighbours, Microsoft's 13.64/11... */
	for (int i = 0; i < ADDRS; i++) {
		uint8_t a[4] = { (uint8_t)(i % 3 == 0 ? 8 : i % 3 == 1 ? 13 : 157), (uint8_t)(i * 7),
				 (uint8_t)(i / 7), (uint8_t)i };
		memcpy(addrs[i], a, 4);
	}
	const uint8_t doc[4] = { 192, 0, 2, 1 };
	struct dpi *fresh = dpi_new();
	assert_non_null(fresh);
	for (int i = 0; i < NAMES; i++)
		classify(fresh, names[i], doc, want[i], sizeof want[i]);
	for (int i = 0; i < ADDRS; i++)
		classify(fresh, NULL, addrs[i], awant[i], sizeof awant[i]);
	dpi_free(fresh);

	struct dpi *memo = dpi_new();
	assert_non_null(memo);
	char got[32];
	bool names_named = false, addrs_named = false;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < NAMES; i++) {
			int k = (i * 7 + round) % NAMES;
			assert_string_equal(classify(memo, names[k], doc, got, sizeof got), want[k]);
			names_named |= strcmp(want[k], "tls") != 0;
		}
		for (int i = 0; i < ADDRS; i++) {
			int k = (i * 7 + round) % ADDRS;
			assert_string_equal(classify(memo, NULL, addrs[k], got, sizeof got), awant[k]);
			addrs_named |= strcmp(awant[k], "tls") != 0;
		}
	}
	/* The patterns and the address lists did name some. */
	assert_true(names_named);
	assert_true(addrs_named);
	dpi_free(memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_memo_agrees),
		cmocka_unit_test(test_names_plain),
	};
	return cmocka_run_group_tests_name("dpi", tests, NULL, NULL);
}

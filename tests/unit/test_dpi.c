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

/* Many names and addresses, asked again and again in an order that makes them take each
 * other's memo slots, give what a fresh module says of each once. */
static void test_memo_agrees(void **state)
{
	(void)state;
	static const char *const names[] = {
		"www.google.com", "mail.google.com", "www.facebook.com", "outlook.office365.com",
		"autodiscover.example.com", "example.com", "www.netflix.com", "api.twitter.com",
		"www.youtube.com", "teams.microsoft.com", "zoom.us", "github.com",
		"no-pattern.example", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.example.org",
	};
	enum { N = sizeof names / sizeof names[0], ADDRS = 3000 };
	struct dpi *memo = dpi_new();
	assert_non_null(memo);
	char want[N][32], got[32];
	struct dpi *fresh = dpi_new();
	assert_non_null(fresh);
	const uint8_t doc[4] = { 192, 0, 2, 1 };
	for (size_t i = 0; i < N; i++)
		classify(fresh, names[i], doc, want[i], sizeof want[i]);
	/* Addresses across nDPI's lists: 8.8.8.8 and its neighbours, Microsoft's 13.64/11... */
	char awant[ADDRS][32];
	uint8_t addrs[ADDRS][4];
	for (int i = 0; i < ADDRS; i++) {
		uint8_t a[4] = { (uint8_t)(i % 3 == 0 ? 8 : i % 3 == 1 ? 13 : 157), (uint8_t)(i * 7),
				 (uint8_t)(i / 7), (uint8_t)i };
		memcpy(addrs[i], a, 4);
		classify(fresh, NULL, a, awant[i], sizeof awant[i]);
	}
	dpi_free(fresh);
	bool some_named = false;
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < N; i++)
			assert_string_equal(classify(memo, names[(i * 5 + (size_t)round) % N], doc, got,
						     sizeof got),
					    want[(i * 5 + (size_t)round) % N]);
		for (int i = 0; i < ADDRS; i++) {
			int k = (i * 7 + round) % ADDRS;
			assert_string_equal(classify(memo, NULL, addrs[k], got, sizeof got), awant[k]);
			some_named |= strcmp(awant[k], "tls") != 0;
		}
	}
	assert_true(some_named); /* the address lists did name some */
	dpi_free(memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_memo_agrees),
	};
	return cmocka_run_group_tests_name("dpi", tests, NULL, NULL);
}

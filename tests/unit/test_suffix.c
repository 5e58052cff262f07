/* test_suffix.c: registrable domains and public suffixes through the Public Suffix List. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/suffix.h"

static int setup(void **state)
{
	(void)state;
	return suffix_init();
}

static int teardown(void **state)
{
	(void)state;
	suffix_free();
	return 0;
}

static void test_registrable(void **state)
{
	(void)state;
	assert_string_equal(suffix_registrable("imapgms.jnet.sei.co.jp"), "sei.co.jp");
	assert_string_equal(suffix_registrable("smtpgms.jnet.sei.co.jp"), "sei.co.jp");
	assert_string_equal(suffix_registrable("autodiscover.example.com"), "example.com");
	assert_string_equal(suffix_registrable("a.b.example.co.uk"), "example.co.uk");
	assert_string_equal(suffix_registrable("prod.autodetect.outlook.cloud.microsoft"),
			    "cloud.microsoft");
	assert_null(suffix_registrable("com"));
	assert_null(suffix_registrable("co.jp"));
}

static void test_public(void **state)
{
	(void)state;
	assert_true(suffix_is_public("com"));
	assert_true(suffix_is_public("com.br"));
	assert_true(suffix_is_public("co.jp"));
	assert_false(suffix_is_public("example.com"));
	assert_false(suffix_is_public("autodiscover.com.br"));
}

static void test_same_site(void **state)
{
	(void)state;
	assert_true(suffix_same_site("imap.mail-corp.de", "autodiscover.mail-corp.de"));
	assert_false(suffix_same_site("imapgms.jnet.sei.co.jp", "example.com"));
	assert_false(suffix_same_site("notexample.com", "example.com"));
	assert_true(suffix_same_site("com", "com"));
	assert_false(suffix_same_site("com", "net"));
}

/* suffix_registrable answers as libpsl's own psl_registrable_domain, for names built on every
 * rule of the list (wildcards and exceptions included) at several depths, asked in an order
 * that sometimes finds the parent remembered and sometimes not, and asked again. */
static void test_same_as_libpsl(void **state)
{
	(void)state;
	const char *src = suffix_source();
	psl_ctx_t *ref = strcmp(src, "builtin") ? psl_load_file(src) : (psl_ctx_t *)psl_builtin();
	assert_non_null(ref);
	FILE *f = fopen("/usr/share/publicsuffix/public_suffix_list.dat", "r");
	if (!f) {
		psl_free(ref);
		skip(); /* the publicsuffix package is not installed */
	}
	static const char *const prefix[] = { "", "x.", "www.x.", "a.b.x.", "autodiscover.", "*" };
	char line[256], name[300];
	unsigned long asked = 0, named = 0;
	srand(11);
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n \t")] = '\0';
		if (!line[0] || (line[0] == '/' && line[1] == '/'))
			continue;
		const char *rule = line;
		if (rule[0] == '!')
			rule++;
		else if (rule[0] == '*' && rule[1] == '.')
			rule += 2;
		for (int k = 0; k < 2 * 6; k++) {
			const char *p = prefix[rand() % 6];
			if (p[0] == '*')
				p = rand() % 2 ? "city." : "q.city.";
			snprintf(name, sizeof name, "%s%s", p, rule);
			const char *want = psl_registrable_domain(ref, name);
			for (int again = 0; again < 2; again++) {
				const char *got = suffix_registrable(name);
				asked++;
				if (want == NULL) {
					assert_null(got);
				} else {
					assert_non_null(got);
					assert_string_equal(got, want);
					named++;
				}
			}
		}
	}
	fclose(f);
	psl_free(ref);
	/* Every rule was tried, and both answers (a domain, none) were seen many times. */
	assert_true(asked > 100000);
	assert_true(named > asked / 4 && named < asked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registrable),
		cmocka_unit_test(test_public),
		cmocka_unit_test(test_same_site),
		cmocka_unit_test(test_same_as_libpsl),
	};
	return cmocka_run_group_tests_name("suffix", tests, setup, teardown);
}

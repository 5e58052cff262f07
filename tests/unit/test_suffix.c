/* test_suffix.c: registrable domains and public suffixes through the Public Suffix List. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registrable),
		cmocka_unit_test(test_public),
		cmocka_unit_test(test_same_site),
	};
	return cmocka_run_group_tests_name("suffix", tests, setup, teardown);
}

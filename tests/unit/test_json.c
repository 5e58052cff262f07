/* test_json.c: the record writer — escaping, invalid UTF-8, nesting, overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "output/json.h"

static const char *one(const char *s, size_t n, char *buf, size_t cap)
{
	struct jw w;
	jw_begin(&w, buf, cap);
	jw_strn(&w, "k", s, n);
	return jw_end(&w) ? buf : NULL;
}

static void test_escapes(void **state)
{
	(void)state;
	char b[256];
	assert_string_equal(one("a\"b\\c", 5, b, sizeof b), "{\"k\":\"a\\\"b\\\\c\"}");
	assert_string_equal(one("\n\r\t\x01", 4, b, sizeof b), "{\"k\":\"\\n\\r\\t\\u0001\"}");
	assert_string_equal(one("a\0b", 3, b, sizeof b), "{\"k\":\"a\\u0000b\"}");
	/* Valid UTF-8 passes as it is: é, €, U+1F600. */
	assert_string_equal(one("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, b, sizeof b),
			    "{\"k\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	char b[256];
	/* A lone continuation byte, an overlong '/', a surrogate, a cut sequence, 0xff. */
	assert_string_equal(one("\x80", 1, b, sizeof b), "{\"k\":\"\\\\x80\"}");
	assert_string_equal(one("\xc0\xaf", 2, b, sizeof b), "{\"k\":\"\\\\xc0\\\\xaf\"}");
	assert_string_equal(one("\xed\xa0\x80", 3, b, sizeof b), "{\"k\":\"\\\\xed\\\\xa0\\\\x80\"}");
	assert_string_equal(one("a\xe2\x82", 3, b, sizeof b), "{\"k\":\"a\\\\xe2\\\\x82\"}");
	assert_string_equal(one("\xff" "z", 2, b, sizeof b), "{\"k\":\"\\\\xffz\"}");
	assert_string_equal(one("\xf4\x90\x80\x80", 4, b, sizeof b),
			    "{\"k\":\"\\\\xf4\\\\x90\\\\x80\\\\x80\"}");
}

static void test_nesting(void **state)
{
	(void)state;
	char b[256];
	struct jw w;
	jw_begin(&w, b, sizeof b);
	jw_obj_open(&w, "a");
	jw_uint(&w, "n", 18446744073709551615ull);
	jw_int(&w, "m", -5);
	jw_arr_open(&w, "l");
	jw_str(&w, NULL, "x");
	jw_bool(&w, NULL, true);
	jw_obj_open(&w, NULL);
	jw_obj_close(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_ts(&w, "t", 1768381200123456ull);
	assert_true(jw_end(&w) > 0);
	assert_string_equal(b, "{\"a\":{\"n\":18446744073709551615,\"m\":-5,\"l\":[\"x\",true,{}]},"
			       "\"t\":\"2026-01-14T09:00:00.123456Z\"}");
}

static void test_overflow(void **state)
{
	(void)state;
	char b[64];
	char big[200];
	memset(big, 'x', sizeof big);
	/* Every capacity gives either the whole record or nothing, never a cut line. */
	for (size_t cap = 1; cap < sizeof b; cap++) {
		struct jw w;
		jw_begin(&w, b, cap);
		jw_strn(&w, "k", big, 40);
		size_t n = jw_end(&w);
		if (n) {
			assert_int_equal(n, strlen(b));
			assert_int_equal(b[n - 1], '}');
		}
	}
	assert_null(one(big, sizeof big, b, sizeof b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_overflow),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}

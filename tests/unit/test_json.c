/* test_json.c: the record writer — escaping, invalid UTF-8, nesting, overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The escaper as the definition says it, one byte at a time, for test_every_position. */
static size_t reference(const uint8_t *s, size_t n, char *out)
{
	char *o = out;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c == '"' || c == '\\')
			o += sprintf(o, "\\%c", c);
		else if (c == '\n')
			o += sprintf(o, "\\n");
		else if (c < 0x20)
			o += sprintf(o, "\\u%04x", c);
		else if (c < 0x80)
			*o++ = (char)c;
		else if (c == 0xc3 && i + 1 < n && s[i + 1] == 0xa9)
			o += sprintf(o, "%c%c", c, s[++i]);
		else
			o += sprintf(o, "\\\\x%02x", c);
	}
	*o++ = '"';
	*o = '\0';
	return (size_t)(o - out);
}

/* Each byte that needs care, at every position of strings of 1 to 40 bytes: the writer
 * reads eight bytes at a time (four for short strings, and an overlapping word for the last
 * few), so every place in a word and every tail length occurs. Each string is given in a
 * buffer of its own length, where ASan sees a read past it. */
static void test_every_position(void **state)
{
	(void)state;
	static const uint8_t special[] = { 0x00, 0x01, 0x0a, 0x1f, '"', '\\', 0x7f, 0x80, 0xc3, 0xff };
	for (size_t n = 1; n <= 40; n++) {
		for (size_t at = 0; at < n; at++) {
			for (size_t k = 0; k < sizeof special; k++) {
				uint8_t s[48];
				for (size_t i = 0; i < n; i++)
					s[i] = (uint8_t)(0x20 + (i * 7 + k) % 0x5f);
				s[at] = special[k];
				if (special[k] == 0xc3 && at + 1 < n)
					s[at + 1] = 0xa9; /* é, valid UTF-8 */
				char want[400], got[512], expect[420];
				reference(s, n, want);
				snprintf(expect, sizeof expect, "{\"k\":%s}", want);
				char *exact = malloc(n);
				assert_non_null(exact);
				memcpy(exact, s, n);
				assert_non_null(one(exact, n, got, sizeof got));
				free(exact);
				assert_string_equal(got, expect);
			}
		}
	}
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
	jw_elem_str(&w, "x");
	jw_elem_bool(&w, true);
	jw_elem_obj_open(&w);
	jw_obj_close(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_ts(&w, "t", 1768381200123456ull);
	jw_uint_named(&w, "a\"b", 0);
	assert_true(jw_end(&w) > 0);
	assert_string_equal(b, "{\"a\":{\"n\":18446744073709551615,\"m\":-5,\"l\":[\"x\",true,{}]},"
			       "\"t\":\"2026-01-14T09:00:00.123456Z\",\"a\\\"b\":0}");
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

/* Decimal numbers as printf writes them: every value below 100,000, each side of every power
 * of ten, and random 64-bit values. */
static void test_u64(void **state)
{
	(void)state;
	char got[24], want[24];
	uint64_t edge[64]; /* 10^0 to 10^19, three each, and the largest */
	size_t n = 0;
	for (uint64_t p = 1;; p *= 10) {
		edge[n++] = p - 1;
		edge[n++] = p;
		edge[n++] = p + 1;
		if (p > UINT64_MAX / 10)
			break;
	}
	edge[n++] = UINT64_MAX;
	srand(3);
	for (uint64_t i = 0; i < 100000 + n + 100000; i++) {
		uint64_t v = i < 100000 ? i : i < 100000 + n ? edge[i - 100000]
			   : (uint64_t)rand() << 40 ^ (uint64_t)rand() << 20 ^ (uint64_t)rand();
		*jw_u64(got, v) = '\0';
		snprintf(want, sizeof want, "%llu", (unsigned long long)v);
		assert_string_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_every_position),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_overflow),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}

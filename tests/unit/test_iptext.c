/* test_iptext.c: address text against inet_ntop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/iptext.h"

/* Address text is inet_ntop's, byte for byte: the special IPv6 forms, then random addresses
 * with zero groups planted so every run length and position occurs. */
static void test_ip_text(void **state)
{
	(void)state;
	static const char *const v6[] = { "::", "::1", "1::", "::ffff:1.2.3.4", "::1.2.3.4",
					  "::ffff:0:1.2.3.4", "1:0:0:2:0:0:0:3", "1:0:0:2:0:0:3:4",
					  "fe80::1:0:0:1", "2001:db8::", "0:0:1::", "1:2:3:4:5:6:7:8",
					  "::ffff:0.0.0.0", "::0.0.0.2", "::100:0", "1:0:2:0:3:0:4:0" };
	char want[INET6_ADDRSTRLEN], got[IP_TEXT_MAX];
	uint8_t a[16];
	for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
		assert_int_equal(inet_pton(AF_INET6, v6[i], a), 1);
		inet_ntop(AF_INET6, a, want, sizeof want);
		assert_int_equal(ip_text(6, a, got), strlen(want));
		assert_string_equal(got, want);
	}
	srand(7);
	for (int k = 0; k < 200000; k++) {
		for (int i = 0; i < 16; i++)
			a[i] = (uint8_t)rand();
		for (int g = 0; g < 8; g++)
			if (rand() % 2)
				a[2 * g] = a[2 * g + 1] = 0;
		if (k % 7 == 0)
			memset(a, 0, 10), a[10] = a[11] = (k % 14) ? 0xff : 0;
		inet_ntop(AF_INET6, a, want, sizeof want);
		assert_int_equal(ip_text(6, a, got), strlen(want));
		assert_string_equal(got, want);
		inet_ntop(AF_INET, a, want, sizeof want);
		assert_int_equal(ip_text(4, a, got), strlen(want));
		assert_string_equal(got, want);
	}
}

/* Every byte value in every position of an IPv4 address, each written into a buffer of
 * INET_ADDRSTRLEN bytes exactly, so ASan sees any byte stored past it. */
static void test_ip4_every_byte(void **state)
{
	(void)state;
	char want[INET_ADDRSTRLEN];
	for (int pos = 0; pos < 4; pos++)
		for (int v = 0; v < 256; v++) {
			uint8_t a[4] = { 255, 100, 10, 0 };
			a[pos] = (uint8_t)v;
			char *got = malloc(INET_ADDRSTRLEN);
			assert_non_null(got);
			inet_ntop(AF_INET, a, want, sizeof want);
			assert_int_equal(ip_text(4, a, got), strlen(want));
			assert_string_equal(got, want);
			free(got);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_text),
		cmocka_unit_test(test_ip4_every_byte),
	};
	return cmocka_run_group_tests_name("iptext", tests, NULL, NULL);
}

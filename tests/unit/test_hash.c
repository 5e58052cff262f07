/* test_hash.c: hash_bytes reads every byte it is given and none other, and spreads keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

/* Each key in a buffer of its own length (ASan sees a read past it); flipping any bit of any
 * byte, or the seed, changes the hash, so every byte is read, the tail included; a key and
 * the same key one byte longer differ, so the length counts. */
static void test_every_byte_counts(void **state)
{
	(void)state;
	for (size_t n = 0; n <= 40; n++) {
		uint8_t *k = malloc(n ? n : 1);
		assert_non_null(k);
		for (size_t i = 0; i < n; i++)
			k[i] = (uint8_t)(i * 37 + n);
		uint64_t h = hash_bytes(7, k, n);
		assert_true(h == hash_bytes(7, k, n));
		assert_true(h != hash_bytes(8, k, n));
		for (size_t i = 0; i < n; i++)
			for (int bit = 0; bit < 8; bit++) {
				k[i] ^= (uint8_t)(1u << bit);
				assert_true(hash_bytes(7, k, n) != h);
				k[i] ^= (uint8_t)(1u << bit);
			}
		uint8_t longer[41] = { 0 };
		if (n)
			memcpy(longer, k, n);
		assert_true(hash_bytes(7, longer, n + 1) != h);
		free(k);
	}
}

/* 65,536 consecutive IPv4 addresses (as 16-byte keys) over 4,096 buckets, 16 each on
 * average: the low bits a table indexes by are spread, no bucket holds three times that. */
static void test_spread(void **state)
{
	(void)state;
	static unsigned load[4096];
	uint8_t a[16] = { 10, 0, 0, 0 };
	for (unsigned i = 0; i < 65536; i++) {
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		load[hash_bytes(0, a, 16) % 4096]++;
	}
	unsigned most = 0, empty = 0;
	for (size_t b = 0; b < 4096; b++) {
		if (load[b] > most)
			most = load[b];
		empty += load[b] == 0;
	}
	assert_true(most < 48);
	assert_int_equal(empty, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte_counts),
		cmocka_unit_test(test_spread),
	};
	return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}

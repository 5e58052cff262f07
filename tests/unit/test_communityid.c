/* test_communityid.c: Community ID v1 against the spec's published vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "flow/communityid.h"

static const uint8_t a4[4] = { 1, 2, 3, 4 };
static const uint8_t b4[4] = { 5, 6, 7, 8 };

static void check(uint16_t seed, uint8_t proto, const char *want)
{
	char out[COMMUNITY_ID_LEN];
	community_id_v1(seed, 4, a4, b4, proto, 1122, 3344, out);
	assert_string_equal(out, want);
	/* The reverse direction names the same flow. */
	community_id_v1(seed, 4, b4, a4, proto, 3344, 1122, out);
	assert_string_equal(out, want);
}

static void test_spec_vectors(void **state)
{
	(void)state;
	check(0, 6, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	check(0, 17, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=");
	check(1, 6, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=");
	check(1, 17, "1:OShq+iKDAMVouh/4bMxB9Sz4amw=");
}

static void test_ipv6_symmetric(void **state)
{
	(void)state;
	uint8_t a[16] = { 0xfe, 0x80, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };
	uint8_t b[16] = { 0xfe, 0x80, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
			  0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d };
	char x[COMMUNITY_ID_LEN], y[COMMUNITY_ID_LEN];
	community_id_v1(0, 6, a, b, 6, 443, 51000, x);
	community_id_v1(0, 6, b, a, 6, 51000, 443, y);
	assert_string_equal(x, y);
	assert_int_equal(strlen(x), COMMUNITY_ID_LEN - 1);
	/* Same address both ends: the port decides the order. */
	community_id_v1(0, 6, a, a, 17, 53, 5353, x);
	community_id_v1(0, 6, a, a, 17, 5353, 53, y);
	assert_string_equal(x, y);
}

/* The memo answers as community_id_v1 does, whatever the hints make collide; and it is read. */
static void test_memo(void **state)
{
	(void)state;
	static struct community_id_memo m; /* zeroed */
	uint8_t addr[8][16];
	srand(7);
	for (int i = 0; i < 8; i++)
		for (int k = 0; k < 16; k++)
			addr[i][k] = (uint8_t)rand();
	for (int round = 0; round < 20000; round++) {
		int v = rand() % 2 ? 6 : 4;
		const uint8_t *src = addr[rand() % 8], *dst = addr[rand() % 8];
		uint8_t proto = rand() % 2 ? 6 : 17;
		uint16_t sport = (uint16_t)(rand() % 3), dport = (uint16_t)(rand() % 3);
		char want[COMMUNITY_ID_LEN];
		community_id_v1(0, v, src, dst, proto, sport, dport, want);
		/* Three hints over 1,024 slots: tuples fight for slots and come back. */
		const char *got = community_id_memo(&m, (uint32_t)(rand() % 3) * 700, v, src, dst,
						    proto, sport, dport);
		assert_string_equal(got, want);
	}
	/* A planted answer is given back for its own tuple only. */
	const char *id = community_id_memo(&m, 5, 4, a4, b4, 6, 1122, 3344);
	assert_string_equal(id, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	strcpy(m.slot[5].id, "1:planted");
	assert_string_equal(community_id_memo(&m, 5, 4, a4, b4, 6, 1122, 3344), "1:planted");
	char want[COMMUNITY_ID_LEN];
	community_id_v1(0, 4, a4, b4, 6, 1122, 3345, want);
	assert_string_equal(community_id_memo(&m, 5, 4, a4, b4, 6, 1122, 3345), want);
	/* A v6 tuple whose first four bytes match a v4 one is its own flow. */
	uint8_t a6[16] = { 1, 2, 3, 4 }, b6[16] = { 5, 6, 7, 8 };
	community_id_v1(0, 6, a6, b6, 6, 1122, 3345, want);
	assert_string_equal(community_id_memo(&m, 5, 6, a6, b6, 6, 1122, 3345), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_vectors),
		cmocka_unit_test(test_ipv6_symmetric),
		cmocka_unit_test(test_memo),
	};
	return cmocka_run_group_tests_name("communityid", tests, NULL, NULL);
}

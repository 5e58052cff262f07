/* test_geo.c: geo look-ups against MaxMind's test databases (MaxMind DB spec 2.0) and
 * special-purpose address marking (RFC 6890, IANA special-purpose registries). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "enrich/geo.h"

/* $MISROUTE_SHARED/mmdb, else ../shared/mmdb from the repo root (where tests run). */
static char mmdb_dir[1024];

static bool have_mmdb(void)
{
	struct stat sb;
	const char *shared = getenv("MISROUTE_SHARED");
	snprintf(mmdb_dir, sizeof mmdb_dir, "%s/mmdb", shared && *shared ? shared : "../shared");
	return stat(mmdb_dir, &sb) == 0 && S_ISDIR(sb.st_mode);
}

#define NEED_MMDB()                                                                        \
	do {                                                                               \
		if (!have_mmdb()) {                                                        \
			printf("skipped: no test databases in %s (set MISROUTE_SHARED)\n", \
			       mmdb_dir);                                                  \
			skip();                                                            \
		}                                                                          \
	} while (0)

static const char *db_path(const char *name)
{
	static char path[4][2100]; /* mmdb_dir, a slash and a name of up to a line */
	static int n;
	char *p = path[n++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", mmdb_dir, name);
	return p;
}

/* Looks up a textual address: 4 or 6 by what inet_pton accepts. */
static void lookup(struct geo *g, const char *ip, struct geo_info *out)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, ip, a) == 1)
		geo_lookup(g, 4, a, out);
	else {
		assert_int_equal(inet_pton(AF_INET6, ip, a), 1);
		geo_lookup(g, 6, a, out);
	}
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_expected_lookups(void **state)
{
	(void)state;
	NEED_MMDB();
	FILE *f = fopen(db_path("expected-lookups.tsv"), "r");
	assert_non_null(f);
	char line[1024], cur_db[1024] = "";
	struct geo *g = NULL;
	int rows = 0;

	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *db = line, *ip = strchr(db, '\t');
		if (ip == NULL)
			continue;
		*ip++ = '\0';
		char *field = strchr(ip, '\t');
		assert_non_null(field);
		*field++ = '\0';
		char *want = strchr(field, '\t');
		assert_non_null(want);
		*want++ = '\0';
		if (strcmp(db, "database") == 0)
			continue;
		if (strcmp(db, cur_db) != 0) {
			geo_close(g);
			bool asn = strstr(db, "ASN") != NULL;
			g = geo_open(asn ? "/nonexistent" : db_path(db), asn ? db_path(db) : "/nonexistent");
			assert_non_null(g);
			assert_true(starts(geo_status(g, asn ? GEO_DB_ASN : GEO_DB_CITY), "loaded "));
			snprintf(cur_db, sizeof cur_db, "%s", db);
		}
		struct geo_info gi;
		lookup(g, ip, &gi);
		if (strcmp(field, "(no entry)") == 0)
			assert_false(gi.known);
		else if (strcmp(field, "country.iso_code") == 0)
			assert_string_equal(gi.country, want);
		else if (strcmp(field, "city.names.en") == 0)
			assert_string_equal(gi.city, want);
		else if (strcmp(field, "location.latitude") == 0) {
			assert_true(gi.has_location);
			assert_true(fabs(gi.lat - strtod(want, NULL)) < 1e-5);
		} else if (strcmp(field, "location.longitude") == 0) {
			assert_true(gi.has_location);
			assert_true(fabs(gi.lon - strtod(want, NULL)) < 1e-5);
		} else if (strcmp(field, "autonomous_system_number") == 0)
			assert_int_equal(gi.asn, strtoul(want, NULL, 10));
		else if (strcmp(field, "autonomous_system_organization") == 0)
			assert_string_equal(gi.as_org, want);
		else
			fail_msg("unknown field %s", field);
		if (strcmp(field, "(no entry)") != 0)
			assert_true(gi.known);
		rows++;
	}
	geo_close(g);
	fclose(f);
	assert_true(rows >= 140);
}

static void test_city_and_asn_together(void **state)
{
	(void)state;
	NEED_MMDB();
	struct geo *g = geo_open(db_path("GeoLite2-City-Test.mmdb"), db_path("GeoLite2-ASN-Test.mmdb"));
	struct geo_info gi;

	lookup(g, "89.160.20.113", &gi);
	assert_true(gi.known);
	assert_null(gi.special);
	assert_string_equal(gi.country, "SE");
	assert_string_equal(gi.city, "Link\xc3\xb6ping");
	assert_int_equal(gi.asn, 29518);
	assert_string_equal(gi.as_org, "Bredband2 AB");

	/* City entry without a city: country and location only. */
	lookup(g, "67.43.156.1", &gi);
	assert_string_equal(gi.country, "BT");
	assert_string_equal(gi.city, "");
	assert_true(gi.has_location);

	/* ASN entry without an organisation field. */
	lookup(g, "12.81.96.1", &gi);
	assert_int_equal(gi.asn, 7018);
	assert_string_equal(gi.as_org, "");

	/* Public but in neither database. */
	lookup(g, "8.8.8.8", &gi);
	assert_false(gi.known);
	assert_null(gi.special);

	/* An empty answer written over a full one leaves nothing of it for a reader. */
	const char *over[] = { "10.1.2.3", "8.8.8.8" };
	for (size_t i = 0; i < 2; i++) {
		lookup(g, "89.160.20.113", &gi);
		assert_true(gi.known && gi.has_location && gi.asn && gi.country[0] && gi.city[0]);
		lookup(g, over[i], &gi);
		assert_false(gi.known);
		assert_false(gi.has_location);
		assert_int_equal(gi.asn, 0);
		assert_string_equal(gi.as_org, "");
		assert_string_equal(gi.country, "");
		assert_string_equal(gi.city, "");
		if (i == 0)
			assert_string_equal(gi.special, "private");
		else
			assert_null(gi.special);
	}
	lookup(g, "89.160.20.113", &gi); /* and the full one comes back from the cache */
	assert_string_equal(gi.city, "Link\xc3\xb6ping");
	geo_close(g);
}

static void test_ipv6(void **state)
{
	(void)state;
	NEED_MMDB();
	struct geo *g = geo_open(db_path("GeoLite2-City-Test.mmdb"), db_path("GeoLite2-ASN-Test.mmdb"));
	struct geo_info gi;

	lookup(g, "2001:218::1", &gi);
	assert_true(gi.known);
	assert_string_equal(gi.country, "JP");
	assert_true(fabs(gi.lat - 35.68536) < 1e-5 && fabs(gi.lon - 139.75309) < 1e-5);
	lookup(g, "2001:1700::1", &gi);
	assert_int_equal(gi.asn, 6730);
	assert_string_equal(gi.as_org, "Sunrise Communications AG");

	/* IPv4-mapped IPv6 is the IPv4 address: same answer, and the same cache entry. */
	struct geo_stats s0, s1;
	lookup(g, "81.2.69.142", &gi);
	geo_stats(g, &s0);
	lookup(g, "::ffff:81.2.69.142", &gi);
	geo_stats(g, &s1);
	assert_string_equal(gi.city, "London");
	assert_int_equal(s1.cache_hits, s0.cache_hits + 1);
	/* NAT64 well-known prefix (RFC 6052) carries an IPv4 address too. */
	lookup(g, "64:ff9b::5159:458e", &gi); /* 81.89.69.142: not in the test data */
	assert_null(gi.special);
	lookup(g, "64:ff9b::a01:203", &gi); /* 10.1.2.3 */
	assert_string_equal(gi.special, "private");
	geo_close(g);
}

static void check_special(struct geo *g, const char *ip, const char *want)
{
	struct geo_info gi;
	lookup(g, ip, &gi);
	if (gi.special == NULL || strcmp(gi.special, want) != 0)
		fail_msg("%s: want %s, got %s", ip, want, gi.special ? gi.special : "(global)");
	assert_false(gi.known);
	assert_int_equal(gi.asn, 0);
	assert_string_equal(gi.country, "");
}

static void test_special(void **state)
{
	(void)state;
	/* With databases if there are any, so a look-up that should not happen would count. */
	bool have = have_mmdb();
	struct geo *g = geo_open(have ? db_path("GeoLite2-City-Test.mmdb") : "/nonexistent",
				 have ? db_path("GeoLite2-ASN-Test.mmdb") : "/nonexistent");
	check_special(g, "10.1.2.3", "private");
	check_special(g, "172.31.255.255", "private");
	check_special(g, "127.0.0.1", "loopback");
	check_special(g, "192.168.1.1", "private");
	check_special(g, "100.64.0.1", "cgnat");
	check_special(g, "100.127.255.255", "cgnat");
	check_special(g, "169.254.1.1", "link-local");
	check_special(g, "192.0.2.1", "documentation");
	check_special(g, "198.51.100.7", "documentation");
	check_special(g, "203.0.113.200", "documentation");
	check_special(g, "198.19.0.1", "benchmarking");
	check_special(g, "224.0.0.1", "multicast");
	check_special(g, "239.255.255.250", "multicast");
	check_special(g, "240.0.0.1", "reserved");
	check_special(g, "254.1.2.3", "reserved");
	check_special(g, "255.255.255.255", "broadcast");
	check_special(g, "0.0.0.0", "unspecified");
	check_special(g, "0.1.2.3", "this-network");
	check_special(g, "::", "unspecified");
	check_special(g, "::1", "loopback");
	check_special(g, "fe80::1", "link-local");
	check_special(g, "fc00::1", "private");
	check_special(g, "fd12:3456::1", "private");
	check_special(g, "febf::1", "link-local");
	check_special(g, "fdff::1", "private");
	check_special(g, "2001:db8::1", "documentation");
	check_special(g, "3fff::1", "documentation");
	check_special(g, "ff02::1", "multicast");
	check_special(g, "100::1", "discard");
	check_special(g, "2001::1", "ietf-protocol");
	check_special(g, "::ffff:10.0.0.1", "private");
	check_special(g, "::ffff:127.0.0.1", "loopback");
	check_special(g, "4000::1", "reserved");

	struct geo_stats st;
	geo_stats(g, &st);
	assert_int_equal(st.db_lookups, 0);
	assert_int_equal(st.cache_hits, 0);

	/* Neighbours of the blocks are global. */
	struct geo_info gi;
	const char *global[] = { "100.63.255.255", "100.128.0.0", "172.32.0.1", "11.0.0.1",
				 "192.0.3.1", "223.255.255.255", "2001:200::1", "2606:4700::1111" };
	for (size_t i = 0; i < sizeof global / sizeof global[0]; i++) {
		lookup(g, global[i], &gi);
		if (gi.special != NULL)
			fail_msg("%s marked %s", global[i], gi.special);
	}
	geo_close(g);
}

static void test_missing(void **state)
{
	(void)state;
	struct geo *g = geo_open("/nonexistent/GeoLite2-City.mmdb", "/nonexistent/GeoLite2-ASN.mmdb");
	assert_non_null(g);
	assert_string_equal(geo_status(g, GEO_DB_CITY), "missing: /nonexistent/GeoLite2-City.mmdb");
	assert_string_equal(geo_status(g, GEO_DB_ASN), "missing: /nonexistent/GeoLite2-ASN.mmdb");
	struct geo_info gi;
	lookup(g, "81.2.69.142", &gi);
	assert_false(gi.known);
	assert_null(gi.special);
	lookup(g, "81.2.69.142", &gi);
	assert_false(gi.known);
	/* With nothing to search, nothing is remembered either. */
	struct geo_stats st;
	geo_stats(g, &st);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.db_lookups, 0);
	assert_int_equal(st.cache_hits, 0);
	geo_close(g);

	/* The default search: whatever the host has, the status says which. */
	g = geo_open(NULL, NULL);
	assert_non_null(g);
	for (int i = 0; i < 2; i++) {
		const char *s = geo_status(g, i);
		printf("default %s: %s\n", i ? "asn" : "city", s);
		assert_true(starts(s, "missing: searched ") || starts(s, "loaded /") ||
			    starts(s, "/"));
	}
	geo_close(g);
	assert_string_equal(geo_status(NULL, 0), "no such database");
	geo_close(NULL);
}

/* Looks up a spread of addresses, both families, to walk as much of a tree as possible. */
static void sweep(struct geo *g)
{
	struct geo_info gi;
	uint8_t a[16] = { 0 };
	for (unsigned i = 0; i < 4096; i++) {
		uint32_t x = i * 2654435761u;
		a[0] = (uint8_t)(x >> 24), a[1] = (uint8_t)(x >> 16), a[2] = (uint8_t)(x >> 8), a[3] = (uint8_t)i;
		geo_lookup(g, 4, a, &gi);
		a[0] = 0x20, a[1] = (uint8_t)(x >> 24), a[2] = (uint8_t)(x >> 16);
		geo_lookup(g, 6, a, &gi);
	}
	memset(a, 0, sizeof a);
	geo_lookup(g, 5, a, &gi); /* not a version */
	assert_false(gi.known);
	geo_lookup(g, 4, NULL, &gi);
	assert_false(gi.known);
}

static void test_broken(void **state)
{
	(void)state;
	NEED_MMDB();
	struct geo *g = geo_open(db_path("GeoIP2-City-Test-Invalid-Node-Count.mmdb"), "/nonexistent");
	const char *s = geo_status(g, GEO_DB_CITY);
	printf("invalid node count: %s\n", s);
	assert_true(starts(s, db_path("GeoIP2-City-Test-Invalid-Node-Count.mmdb")));
	assert_non_null(strstr(s, "metadata"));
	sweep(g);
	geo_close(g);

	/* Opens, but the double of this record is corrupt: counted, location dropped. */
	g = geo_open(db_path("GeoIP2-City-Test-Broken-Double-Format.mmdb"), NULL);
	assert_true(starts(geo_status(g, GEO_DB_CITY), "loaded "));
	struct geo_info gi;
	lookup(g, "2001:220::1", &gi);
	assert_false(gi.has_location);
	struct geo_stats st;
	geo_stats(g, &st);
	assert_true(st.errors > 0);
	geo_close(g);

	const char *broken[] = { "MaxMind-DB-test-broken-pointers-24.mmdb",
				 "MaxMind-DB-test-broken-search-tree-24.mmdb",
				 "bad-data/libmaxminddb-corrupt-search-tree.mmdb",
				 "bad-data/libmaxminddb-deep-nesting.mmdb",
				 "bad-data/libmaxminddb-metadata-marker-only.mmdb",
				 "bad-data/libmaxminddb-offset-integer-overflow.mmdb" };
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		g = geo_open(db_path(broken[i]), db_path(broken[i]));
		printf("%s: %s\n", broken[i], geo_status(g, GEO_DB_CITY));
		sweep(g);
		lookup(g, "1.1.1.1", &gi);
		lookup(g, "1.1.1.3", &gi);
		geo_close(g);
	}
}

static void test_layouts(void **state)
{
	(void)state;
	NEED_MMDB();
	struct geo_info gi;

	/* Country database in the city slot: a country and nothing else. */
	struct geo *g = geo_open(db_path("GeoLite2-Country-Test.mmdb"), NULL);
	lookup(g, "81.2.69.142", &gi);
	assert_string_equal(gi.country, "GB");
	assert_string_equal(gi.city, "");
	assert_false(gi.has_location);
	geo_close(g);

	/* ISP database has the ASN fields. */
	g = geo_open("/nonexistent", db_path("GeoIP2-ISP-Test.mmdb"));
	assert_true(starts(geo_status(g, GEO_DB_ASN), "loaded "));
	lookup(g, "1.128.0.1", &gi);
	assert_int_equal(gi.asn, 1221);
	assert_string_equal(gi.as_org, "Telstra Pty Ltd");
	geo_close(g);

	/* Databases in the wrong slots are refused, with the reason. */
	g = geo_open(db_path("GeoLite2-ASN-Test.mmdb"), db_path("GeoLite2-City-Test.mmdb"));
	assert_non_null(strstr(geo_status(g, GEO_DB_CITY), "database_type GeoLite2-ASN is not"));
	assert_non_null(strstr(geo_status(g, GEO_DB_ASN), "database_type GeoLite2-City is not"));
	lookup(g, "1.0.0.1", &gi);
	assert_false(gi.known);
	geo_close(g);

	/* An IPv4-only tree: IPv6 look-ups are absent, not errors. */
	g = geo_open(db_path("MaxMind-DB-test-ipv4-24.mmdb"), NULL);
	assert_non_null(strstr(geo_status(g, GEO_DB_CITY), "not recognised"));
	lookup(g, "2a02:cf40::1", &gi);
	struct geo_stats st;
	geo_stats(g, &st);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.not_found, 1);
	geo_close(g);
}

static void test_cache(void **state)
{
	(void)state;
	NEED_MMDB();
	struct geo *g = geo_open(db_path("GeoLite2-City-Test.mmdb"), db_path("GeoLite2-ASN-Test.mmdb"));
	struct geo_info a, b;
	struct geo_stats st;

	lookup(g, "81.2.69.142", &a);
	lookup(g, "81.2.69.142", &b);
	assert_memory_equal(&a, &b, sizeof a);
	lookup(g, "8.8.8.8", &a); /* absent answers are cached too */
	lookup(g, "8.8.8.8", &a);
	lookup(g, "2001:218::1", &a);
	lookup(g, "2001:218::1", &b);
	assert_string_equal(b.country, "JP");
	geo_stats(g, &st);
	assert_int_equal(st.lookups, 6);
	assert_int_equal(st.cache_hits, 3);
	assert_int_equal(st.db_lookups, 6); /* two databases for each of three misses */
	assert_int_equal(st.not_found, 4); /* 8.8.8.8 in both; 81.2.69.142, 2001:218::1 lack ASN */

	/* Many addresses: every answer from the cache equals a fresh one. */
	for (unsigned i = 0; i < 3 * GEO_CACHE_SIZE; i++) {
		uint8_t ip[4] = { 81, 2, (uint8_t)(i >> 8), (uint8_t)i };
		geo_lookup(g, 4, ip, &a);
		geo_set_cache(g, false);
		geo_lookup(g, 4, ip, &b);
		geo_set_cache(g, true);
		assert_memory_equal(&a, &b, sizeof a);
	}

	geo_set_cache(g, false);
	struct geo_stats s0;
	geo_stats(g, &s0);
	lookup(g, "81.2.69.142", &a);
	lookup(g, "81.2.69.142", &a);
	geo_stats(g, &st);
	assert_int_equal(st.cache_hits, s0.cache_hits);
	assert_int_equal(st.db_lookups, s0.db_lookups + 4);
	assert_string_equal(a.city, "London");
	geo_close(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected_lookups),
		cmocka_unit_test(test_city_and_asn_together),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_special),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

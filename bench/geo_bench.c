/* geo_bench.c: geo_lookup throughput with the cache on and off, over 1,000,000 look-ups
 * drawn from 1,000 public addresses (MaxMind DB test databases given on the command line).
 * Usage: geo_bench CITY.mmdb ASN.mmdb */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enrich/geo.h"

#define BENCH_ADDRS 1000
#define BENCH_LOOKUPS 1000000

struct bench_addr {
	int ver;
	uint8_t a[16];
};

/* xorshift64: fixed seed, so every run looks up the same sequence. */
static uint64_t bench_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Addresses the test databases hold, so part of the set finds entries and reads fields. */
static const uint8_t bench_known_v4[][4] = {
	{ 81, 2, 69, 142 }, { 89, 160, 20, 113 }, { 216, 160, 83, 57 }, { 175, 16, 199, 1 },
	{ 2, 125, 160, 217 }, { 67, 43, 156, 1 }, { 1, 0, 0, 1 }, { 1, 128, 0, 1 },
	{ 12, 81, 92, 1 }, { 214, 78, 120, 1 },
};

static void bench_fill(struct geo *g, struct bench_addr *set)
{
	uint64_t s = 0x9e3779b97f4a7c15u;
	size_t n = 0;
	struct geo_info gi;

	for (size_t i = 0; i < sizeof bench_known_v4 / sizeof bench_known_v4[0]; i++, n++) {
		set[n].ver = 4;
		memcpy(set[n].a, bench_known_v4[i], 4);
	}
	/* The rest random, four IPv4 to one IPv6 (2000::/3), special-purpose ones redrawn. */
	while (n < BENCH_ADDRS) {
		uint64_t r = bench_rand(&s);
		memset(set[n].a, 0, 16);
		if (n % 5 != 0) {
			set[n].ver = 4;
			memcpy(set[n].a, &r, 4);
		} else {
			set[n].ver = 6;
			memcpy(set[n].a, &r, 8);
			set[n].a[0] = (uint8_t)(0x20 | (set[n].a[0] & 0x1f));
			set[n].a[15] = 1;
		}
		geo_lookup(g, set[n].ver, set[n].a, &gi);
		if (gi.special == NULL)
			n++;
	}
}

static void bench_run(struct geo *g, const struct bench_addr *set, const char *label)
{
	uint64_t s = 0x2545f4914f6cdd1du;
	struct geo_info gi;
	struct geo_stats s0, s1;
	unsigned known = 0;

	geo_stats(g, &s0);
	double t0 = bench_now();
	for (unsigned i = 0; i < BENCH_LOOKUPS; i++) {
		const struct bench_addr *b = &set[bench_rand(&s) % BENCH_ADDRS];
		geo_lookup(g, b->ver, b->a, &gi);
		known += gi.known;
	}
	double dt = bench_now() - t0;
	geo_stats(g, &s1);
	printf("%-9s %10.0f lookups/s  (%.1f ns each; %u known; cache hits %.1f%%, db lookups %llu)\n",
	       label, BENCH_LOOKUPS / dt, dt * 1e9 / BENCH_LOOKUPS, known,
	       100.0 * (double)(s1.cache_hits - s0.cache_hits) / BENCH_LOOKUPS,
	       (unsigned long long)(s1.db_lookups - s0.db_lookups));
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CITY.mmdb ASN.mmdb\n", argv[0]);
		return 2;
	}
	struct geo *g = geo_open(argv[1], argv[2]);
	if (g == NULL) {
		fprintf(stderr, "geo_open: out of memory\n");
		return 1;
	}
	printf("city: %s\nasn:  %s\n", geo_status(g, GEO_DB_CITY), geo_status(g, GEO_DB_ASN));
	static struct bench_addr set[BENCH_ADDRS];
	geo_set_cache(g, false);
	bench_fill(g, set);
	bench_run(g, set, "no cache");
	geo_set_cache(g, true);
	bench_run(g, set, "cache");
	geo_close(g);
	return 0;
}

/* rules_bench.c: name lookups per second against a rule set of N generated rules, to show
 * that matching costs O(labels) whatever the number of rules. Usage: rules_bench N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rules/rules.h"

#define BENCH_NAMES 4096
#define BENCH_LOOKUPS 4000000

static double bench_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: rules_bench N\n");
		return 2;
	}
	unsigned long n = strtoul(argv[1], NULL, 10);
	char path[] = "/tmp/misroute-rules-bench-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!fp) {
		perror("rules_bench");
		return 1;
	}
	/* A mix of the three name patterns and of address ranges, as a big feed would have. */
	for (unsigned long i = 0; i < n; i++) {
		switch (i % 4) {
		case 0: fprintf(fp, "reserved d%lu.example%lu.com\n", i, i % 97); break;
		case 1: fprintf(fp, "watched =host%lu.corp%lu.net\n", i, i % 89); break;
		case 2: fprintf(fp, "reserved *.w%lu.test%lu.org\n", i, i % 83); break;
		default: fprintf(fp, "reserved 10.%lu.%lu.%lu/32\n", (i >> 16) & 255, (i >> 8) & 255, i & 255); break;
		}
	}
	fclose(fp);

	struct rules_diag diag;
	memset(&diag, 0, sizeof diag);
	const char *files[] = { path };
	double t0 = bench_now();
	struct ruleset *rs = rules_load(files, 1, &diag);
	double load = bench_now() - t0;
	unlink(path);
	if (!rs) {
		fprintf(stderr, "rules_bench: %s\n", diag.n ? diag.msg[0] : "load failed");
		return 1;
	}
	/* Half the names hit a rule, half miss; 3 to 6 labels, like real traffic. */
	static char names[BENCH_NAMES][96];
	for (unsigned i = 0; i < BENCH_NAMES; i++) {
		unsigned long k = n ? (i * 2654435761u) % n : 0;
		if (i % 2)
			snprintf(names[i], sizeof names[i], "www.miss%u.example.org", i);
		else if (k % 4 == 0)
			snprintf(names[i], sizeof names[i], "a.d%lu.example%lu.com", k, k % 97);
		else if (k % 4 == 2)
			snprintf(names[i], sizeof names[i], "x.y.w%lu.test%lu.org", k, k % 83);
		else
			snprintf(names[i], sizeof names[i], "host%lu.corp%lu.net", k, k % 89);
	}
	unsigned long hits = 0;
	t0 = bench_now();
	for (unsigned long i = 0; i < BENCH_LOOKUPS; i++)
		hits += rules_match_name(rs, names[i % BENCH_NAMES]) != NULL;
	double secs = bench_now() - t0;
	printf("rules %lu loaded in %.3f s; %d lookups in %.3f s: %.0f lookups/s (%lu hits)\n",
	       rules_count(rs), load, BENCH_LOOKUPS, secs, BENCH_LOOKUPS / secs, hits);
	rules_free(rs);
	return 0;
}

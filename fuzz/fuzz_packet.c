/* fuzz_packet.c: libFuzzer target for the whole packet path — an input is a capture file (pcap
 * or pcapng) read from memory, whose records go through one engine as main.c sends them, with
 * the bundled rules and every event record written (to /dev/null).
 *
 * Each input gets an engine of its own, freed at the end, so an input's findings do not depend
 * on the ones before it and LeakSanitizer sees every leak. The rule set and the public suffix
 * list are loaded once: they are read-only for the engine. So is nDPI's detection module, for
 * the most part, and building it is nine tenths of an input's time under the sanitizers (its
 * host and address tries): the Makefile links this target with --wrap=dpi_new,--wrap=dpi_free
 * so every engine gets the one module, built at the first input. What nDPI keeps between
 * flows (its LRU caches, protocol tallies) may carry over from one input to the next. */
#include <gcrypt.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/decode.h"
#include "engine/engine.h"
#include "output/output.h"
#include "rules/rules.h"
#include "rules/suffix.h"

/* Records read per input: keeps every input's run time bounded. */
#define FUZZ_MAX_RECORDS 2000
/* Fewer flows than records per input, so eviction of the oldest flow is in reach. */
#define FUZZ_MAX_FLOWS 1024
/* Flow hashing and jansson's tables seeded alike on every run, so an input replays exactly. */
#define FUZZ_HASH_SEED 0x6d6973726f757465ull
#define FUZZ_JSON_SEED 0x6d697372u

static struct ruleset *fuzz_rules;
struct dpi;
static struct dpi *fuzz_dpi;

/* The one nDPI module (see the top of the file); ld's --wrap names. */
struct dpi *__real_dpi_new(void);
struct dpi *__wrap_dpi_new(void);
void __wrap_dpi_free(struct dpi *d);

struct dpi *__wrap_dpi_new(void)
{
	if (!fuzz_dpi)
		fuzz_dpi = __real_dpi_new();
	return fuzz_dpi;
}

void __wrap_dpi_free(struct dpi *d)
{
	(void)d; /* kept for the next engine */
}

/* rules/default.rules of the source tree: the binary is in build/fuzz/fuzz/, build/san/fuzz/ or
 * build/fuzz/; else relative to the working folder (make runs from the top). */
static const char *fuzz_rules_path(char *buf, size_t size)
{
	char exe[4000];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		static const char *const up[] = { "/../../rules/default.rules",
						  "/../../../rules/default.rules" };
		for (size_t i = 0; i < sizeof up / sizeof up[0]; i++) {
			snprintf(buf, size, "%s%s", exe, up[i]);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	snprintf(buf, size, "rules/default.rules");
	return buf;
}

/* What main.c does once before any engine: libraries, public suffixes, rules. Called from the
 * first input, as replay.c has no LLVMFuzzerInitialize; a failure here is the harness's, so it
 * aborts with the reason. */
static void fuzz_init(void)
{
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	json_object_seed(FUZZ_JSON_SEED);
	if (suffix_init() < 0) {
		fprintf(stderr, "fuzz_packet: no public suffix list\n");
		abort();
	}
	char path[4200];
	const char *files[] = { fuzz_rules_path(path, sizeof path) };
	struct rules_diag diag;
	fuzz_rules = rules_load(files, 1, &diag);
	if (!fuzz_rules) {
		fprintf(stderr, "fuzz_packet: %s\n", diag.n ? diag.msg[0] : files[0]);
		abort();
	}
}

/* Every record of the capture open in p through a new engine, then the end of the run. */
static void fuzz_replay(pcap_t *p)
{
	int dlt = pcap_datalink(p);
	/* main.c refuses a capture of a link type it does not decode */
	if (!decode_link_supported(dlt))
		return;
	struct engine_config cfg;
	engine_config_defaults(&cfg);
	cfg.max_flows = FUZZ_MAX_FLOWS;
	cfg.hash_seed = FUZZ_HASH_SEED;
	cfg.log_events = true;
	static const char *const sinks[] = { "/dev/null" };
	char err[512];
	struct output *out = output_open(sinks, 1, err, sizeof err);
	if (!out) {
		fprintf(stderr, "fuzz_packet: %s\n", err);
		abort();
	}
	struct engine *e = engine_new(&cfg, fuzz_rules, out, err, sizeof err);
	if (!e) {
		fprintf(stderr, "fuzz_packet: %s\n", err);
		abort();
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	for (unsigned n = 0; n < FUZZ_MAX_RECORDS && pcap_next_ex(p, &h, &data) == 1; n++) {
		uint64_t ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		engine_packet(e, dlt, data, h->caplen, h->len, ts_us);
	}
	engine_finish(e);
	engine_metric(&e, 1, NULL, true);
	engine_free(e);
	(void)output_close(out, NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		fuzz_init();
		ready = true;
	}
	/* fmemopen refuses an empty buffer; the stream is only read, the cast is for its type */
	if (size == 0)
		return 0;
	FILE *fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		fclose(fp);
		return 0;
	}
	fuzz_replay(p);
	pcap_close(p); /* closes fp too */
	return 0;
}

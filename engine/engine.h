/* engine.h: one packet pipeline — decode, flows, reassembly, dissectors, records. One engine
 * per worker; nothing in it is shared. */
#ifndef MISROUTE_ENGINE_H
#define MISROUTE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "output/output.h"

struct ruleset;

struct engine_config {
	uint32_t max_flows;      /* flow table cap */
	size_t stream_depth;     /* TCP bytes reassembled per direction */
	size_t reasm_memcap;     /* bytes all streams may hold */
	uint64_t hash_seed;      /* 0: random */
	bool log_events;         /* write an event record per observation */
	uint64_t context_us;     /* an autodiscover lookup keeps a client suspect this long */
	uint64_t alert_window_us; /* repeats of an incident within this are one record */
};

void engine_config_defaults(struct engine_config *c);

struct engine;

/* A pipeline writing to out (borrowed: the caller closes it after engine_free).
 * NULL with a reason in err when it cannot start (nDPI, memory). */
struct engine *engine_new(const struct engine_config *cfg, const struct ruleset *rules,
			  struct output *out, char *err, size_t errlen);
struct geo;
/* ASN and geo databases for both ends of every record (borrowed; NULL: none). */
void engine_set_geo(struct engine *e, struct geo *g);

/* A reloaded rule set (borrowed, like the first): used from the next packet on. */
void engine_set_rules(struct engine *e, const struct ruleset *rules);
void engine_free(struct engine *e);

/* One captured frame of link type dlt. */
void engine_packet(struct engine *e, int dlt, const uint8_t *frame, size_t caplen,
		   uint32_t wirelen, uint64_t ts_us);

/* Ends every flow (the end of a replay): flushes streams, releases state. */
void engine_finish(struct engine *e);

/* Capture-side counters for the metric record. */
struct capture_counters {
	bool valid;
	uint64_t received, dropped, ifdropped;
};

/* Writes a metric record now (final: the end of the run). */
void engine_metric(struct engine *e, const struct capture_counters *cc, bool final);

/* Writes a configuration record now (a rule reload that worked, or one that failed). */
void engine_notice(struct engine *e, bool error, const char *message);

const struct stats *engine_stats(const struct engine *e);

#endif

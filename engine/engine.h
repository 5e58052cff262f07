/* engine.h: one packet pipeline — decode, flows, reassembly, dissectors, records. One engine
 * per worker, owning its flows; detection and the output are shared between workers. */
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
struct geo;

/* What the engines of several workers share: detection (behind a lock), the output and the
 * rules. ENGINE_MAX_WORKERS engines at most share one. */
#define ENGINE_MAX_WORKERS 64
struct engine_shared;

/* NULL with a reason in err when memory is short. rules and out are borrowed. */
struct engine_shared *engine_shared_new(const struct engine_config *cfg,
					const struct ruleset *rules, struct output *out, char *err,
					size_t errlen);
/* Writes every pending incident (after the last engine_finish of its workers). */
void engine_shared_finish(struct engine_shared *sh);
void engine_shared_free(struct engine_shared *sh);

/* One worker's pipeline on sh: its own flows, reassembly, nDPI; packets of one flow must
 * always reach the same engine. NULL with a reason in err when it cannot start. */
struct engine *engine_new_worker(struct engine_shared *sh, char *err, size_t errlen);

/* A pipeline of its own (a replay): engine_new_worker on a shared part it owns. */
struct engine *engine_new(const struct engine_config *cfg, const struct ruleset *rules,
			  struct output *out, char *err, size_t errlen);
/* Frees e, and its shared part when engine_new made it. */
void engine_free(struct engine *e);

struct engine_shared *engine_shared_of(struct engine *e);

/* ASN and geo databases for both ends of every record (borrowed; NULL: none). A geo is used
 * by one engine only: its cache is not shared. */
void engine_set_geo(struct engine *e, struct geo *g);

/* A reloaded rule set (borrowed, like the first): used from the next observation on. */
void engine_set_rules(struct engine_shared *sh, const struct ruleset *rules);

/* Worker (0..63) is dropping packets now, or no longer: incidents raised while any worker
 * is say so. */
void engine_set_capture_loss(struct engine_shared *sh, unsigned worker, bool lossy);

struct summary;
/* Every incident written from now on is also counted in s (borrowed; NULL: none). */
void engine_set_summary(struct engine_shared *sh, struct summary *s);

/* Incident records written so far. */
uint64_t engine_incidents(struct engine_shared *sh);

/* One captured frame of link type dlt. */
void engine_packet(struct engine *e, int dlt, const uint8_t *frame, size_t caplen,
		   uint32_t wirelen, uint64_t ts_us);

/* Time passes without packets (a quiet live capture; now_us from the clock that stamps the
 * packets): flows time out and incidents whose window closed are written. */
void engine_advance(struct engine *e, uint64_t now_us);

/* Ends every flow (the end of a replay): flushes streams, releases state; an engine of its
 * own also writes its pending incidents. */
void engine_finish(struct engine *e);

/* Writes one metric record now for the engines es[0..n) of one shared part, with the capture
 * counters of each (cc[0..n), or NULL for a replay); final: the end of the run. No engine may
 * take packets meanwhile. */
void engine_metric(struct engine *const *es, size_t n, const struct capture_counters *cc,
		   bool final);

/* Writes a configuration record now (a rule reload that worked, or one that failed). */
void engine_notice(struct engine_shared *sh, bool error, const char *message);

const struct stats *engine_stats(const struct engine *e);

#endif

/* detect.h: observations -> incidents. A per-client autodiscover context, passive DNS
 * (address -> names), the six incident kinds, and aggregation of repeats in a time window. */
#ifndef MISROUTE_DETECT_H
#define MISROUTE_DETECT_H

#include <stdint.h>

#include "core/obs.h"
#include "detect/alert.h"

struct ruleset;
struct detector;

/* Called for each incident when its aggregation window closes (or at the end). */
typedef void (*detect_emit_fn)(void *arg, const struct alert *a);

struct detect_config {
	uint64_t context_us;   /* how long an autodiscover lookup makes a client suspect */
	uint64_t window_us;    /* repeats of one incident within this are one record */
};

void detect_config_defaults(struct detect_config *c);

/* NULL when memory is short. rules is borrowed and may be swapped with detect_set_rules. */
struct detector *detect_new(const struct detect_config *cfg, const struct ruleset *rules,
			    detect_emit_fn emit, void *arg);
void detect_free(struct detector *d);
void detect_set_rules(struct detector *d, const struct ruleset *rules);

/* Whether the capture is dropping packets now: incidents raised meanwhile say so. */
void detect_set_capture_loss(struct detector *d, bool lossy);

/* One observation (o->conn filled). Everything kept is copied. */
void detect_observe(struct detector *d, const struct obs *o);

/* Writes the incidents whose window closed before now_us (packet time). */
void detect_tick(struct detector *d, uint64_t now_us);

/* Writes every pending incident (the end of a replay). */
void detect_flush(struct detector *d);

/* Incidents found so far (before aggregation), for the metric record. */
uint64_t detect_count(const struct detector *d, enum alert_kind k);
/* Bytes the detector has held at most: its fixed tables and the most incidents it kept
 * pending at once (at most DETECT_MAX_PENDING). */
size_t detect_memory(const struct detector *d);
/* Entries taken over in a full client or passive-DNS table (the least recently used of the
 * probe window made room). */
uint64_t detect_evicted(const struct detector *d);

#endif

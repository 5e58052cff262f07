/* record.h: ECS records (Elastic Common Schema field names) as single JSON lines. */
#ifndef MISROUTE_RECORD_H
#define MISROUTE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/obs.h"
#include "core/stats.h"
#include "detect/alert.h"
#include "output/output.h"

/* Writes the `event` record of one observation into buf[0..cap) without a newline.
 * Returns its length, 0 when it did not fit (then nothing in buf is to be written). */
size_t record_event(char *buf, size_t cap, const struct obs *o);

struct geo;

/* Writes the `alert` record of one incident (aggregated: count, first and last time). */
size_t record_alert(char *buf, size_t cap, const struct alert *a);

/* What the metric record reports besides the counters of struct stats. */
struct metric_extra {
	uint64_t ts_us;               /* packet time the metric stands for */
	bool final;                   /* the end of a run, not a periodic report */
	const struct capture_counters *caps; /* each live worker's capture, or none (replay) */
	size_t n_caps;
	uint64_t flows_active;
	size_t mem_flows, mem_reasm, mem_reasm_peak, mem_frag, mem_ndpi, mem_detect;
	const char *const *app_names; /* nDPI app of flows, with their counts */
	const uint64_t *app_counts;
	size_t n_apps;
	const struct geo *geo;        /* for the databases' status, or NULL: no geo at all */
	struct geo_stats geo_stats;   /* of every worker's geo */
	const struct output_sink_stats *sinks; /* network sinks, in -o order */
	size_t n_sinks;
};

/* Writes a configuration event (event.dataset misroute.config): a change that worked, or an
 * error (with error.message) after which the old configuration stays. */
size_t record_notice(char *buf, size_t cap, uint64_t ts_us, bool error, const char *message);

/* Writes the `metric` record: counters, skip reasons, memory. */
size_t record_metric(char *buf, size_t cap, const struct stats *st, const struct metric_extra *x);

#endif

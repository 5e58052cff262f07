/* live.h: live capture with several workers — one libpcap source (an AF_PACKET fanout
 * member) and one engine per worker thread, sharing detection and the output. */
#ifndef MISROUTE_LIVE_H
#define MISROUTE_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "capture/source.h"
#include "engine/engine.h"

struct live_config {
	struct live_opts capture;
	const char *filter;        /* BPF, or NULL */
	unsigned workers;          /* 1..ENGINE_MAX_WORKERS */
	const int *cpus;           /* worker i runs on cpus[i % n_cpus]; n_cpus 0: anywhere */
	size_t n_cpus;
	unsigned drop_percent;     /* a worker losing more than this in a second is lossy */
	const char *geoip_city, *geoip_asn; /* each worker opens its own (see geo.h) */
};

struct live;

/* Opens every worker's capture (fanout when there are several) and engine on sh. Nothing
 * runs yet: privileges may be dropped before live_start. NULL with a reason in err. */
struct live *live_open(const struct live_config *c, struct engine_shared *sh, char *err,
		       size_t errlen);

/* Starts the worker threads (signals stay with the caller's thread). 0, or -1 and err. */
int live_start(struct live *l, char *err, size_t errlen);

/* A worker stopped on a capture error (the interface went away): true, with its reason. */
bool live_failed(struct live *l, char *err, size_t errlen);

/* Writes a metric record for all workers now (final: after live_stop). */
void live_metric(struct live *l, bool final);

/* Stops and joins the workers, ends their flows and writes every pending incident. */
void live_stop(struct live *l);

void live_close(struct live *l);

#endif

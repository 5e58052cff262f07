/* output.h: where records go — the sinks named by -o: stdout ('-'), files (appended), and the
 * network sinks of netsink.h: syslog://host:port (RFC 5424 over TCP, octet counting),
 * syslog+udp://host:port (RFC 5426), redis://host:port/key (RPUSH), redis://host:port/key?stream
 * and redis+stream://host:port/key (XADD key * record JSON). */
#ifndef MISROUTE_OUTPUT_H
#define MISROUTE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

/* Counters of one network sink (see netsink.h): records accepted into its queue, taken by the
 * peer, dropped (queue full, or rejected by Redis), connection attempts after the first, and
 * still queued now. spec is the -o argument, valid while the output is open. */
struct output_sink_stats {
	const char *spec;
	uint64_t queued;
	uint64_t sent;
	uint64_t dropped;
	uint64_t reconnects;
	uint64_t pending;
};

/* How long output_close waits for network sinks to drain, by default. */
#define OUTPUT_CLOSE_TIMEOUT_MS 5000

struct output;

/* Opens every sink in specs[0..n) (n == 0: stdout). On failure returns NULL and writes a
 * one-line reason naming the spec into err. */
struct output *output_open(const char *const *specs, size_t n, char *err, size_t errlen);

/* Starts the network sinks' writer threads (records written before wait in their queues):
 * called once privileges are dropped. 0, or -1 with a reason in err. */
int output_start(struct output *o, char *err, size_t errlen);

/* Writes one record (len bytes, no newline) and a newline to every sink, whole even when
 * several threads write at once. Network sinks copy it into their queue and never block; a
 * full queue drops it and counts the drop. */
void output_write(struct output *o, const char *rec, size_t len);

/* Flushes every sink; returns 0, or -1 when a sink failed to write (err says which). */
int output_flush(struct output *o, char *err, size_t errlen);

/* Reopens file sinks (after logrotate moved them); returns 0 or -1 with err. */
int output_reopen(struct output *o, char *err, size_t errlen);

/* Fills st[0..max) with the counters of the network sinks, in -o order, and returns how many
 * network sinks there are (may exceed max). Cheap: one lock per sink. */
size_t output_stats(struct output *o, struct output_sink_stats *st, size_t max);

/* Sets how long output_close waits for network sinks to drain (default
 * OUTPUT_CLOSE_TIMEOUT_MS). */
void output_set_close_timeout(struct output *o, unsigned ms);

/* Flushes and closes every sink; returns 0 or -1 when a sink failed (err says which). Network
 * sinks get until the close timeout to send what they hold; a sink that could not deliver
 * everything (dropped when full, or still queued at the deadline) is a failure, and err names
 * each such sink with its counts. */
int output_close(struct output *o, char *err, size_t errlen);

#endif

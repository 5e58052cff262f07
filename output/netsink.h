/* netsink.h: network sinks for -o — syslog over TCP (RFC 5424 framed by octet counting,
 * RFC 6587 §3.4.1) and UDP (RFC 5426), and Redis lists (RPUSH) and streams (XADD) through
 * hiredis. Each sink owns a bounded queue and one writer thread, so a slow or dead collector
 * never blocks the capture: when the queue is full the new record is dropped and counted. */
#ifndef MISROUTE_NETSINK_H
#define MISROUTE_NETSINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Queue bounds per sink: records and bytes (whichever is reached first). The record bound can
 * be lowered for tests with the environment variable MISROUTE_SINK_QUEUE=N (1..NETSINK_QUEUE). */
#define NETSINK_QUEUE 10000u
#define NETSINK_QUEUE_BYTES (64u << 20)
/* Reconnect backoff: starts here, doubles on every failed attempt, capped. */
#define NETSINK_BACKOFF_MIN_MS 100
#define NETSINK_BACKOFF_MAX_MS 5000
/* Connect and I/O timeouts, so a writer thread always notices a close deadline. */
#define NETSINK_IO_TIMEOUT_MS 1000
#define NETSINK_HOST_MAX 255
#define NETSINK_KEY_MAX 256
/* Largest syslog header (PRI, version, timestamp, hostname, app, procid, "- -") plus frame. */
#define NETSINK_HEADER_MAX (NETSINK_HOST_MAX + 96)

enum netsink_kind {
	NETSINK_SYSLOG_TCP,   /* syslog://host:port */
	NETSINK_SYSLOG_UDP,   /* syslog+udp://host:port */
	NETSINK_REDIS_LIST,   /* redis://host:port/key */
	NETSINK_REDIS_STREAM, /* redis://host:port/key?stream, redis+stream://host:port/key */
};

struct netsink_addr {
	enum netsink_kind kind;
	char host[NETSINK_HOST_MAX + 1]; /* without the brackets of an IPv6 literal */
	uint16_t port;
	char key[NETSINK_KEY_MAX + 1];   /* Redis only; "" for syslog */
};

/* Counters of one sink, read under its lock. A record is "queued" when output_write accepted
 * it, "sent" when the peer took it (Redis replied; syslog: the kernel accepted the bytes),
 * "dropped" when the queue was full or Redis rejected it for good. "reconnects" counts every
 * connection attempt after the first. "pending" is what the queue holds now. */
struct netsink_stats {
	uint64_t queued;
	uint64_t sent;
	uint64_t dropped;
	uint64_t reconnects;
	uint64_t pending;
};

struct netsink;

/* True when spec names a network sink by its scheme (it may still be malformed). */
bool netsink_is_spec(const char *spec);

/* Parses spec strictly into a: scheme, host (name, IPv4, or [IPv6]), port 1..65535, and for
 * Redis a non-empty key. Returns 0, or -1 with a one-line reason naming spec in err. */
__attribute__((warn_unused_result))
int netsink_parse(const char *spec, struct netsink_addr *a, char *err, size_t errlen);

/* Syslog severity (RFC 5424 §6.2.1) of a record: alert 4 (warning), metric and config 5
 * (notice), anything else 6 (informational). Looks only at the first "kind" member. */
int netsink_severity(const char *rec, size_t len);

/* Writes the RFC 5424 header "<PRI>1 TIMESTAMP HOSTNAME misroute PROCID - - " for facility
 * local0 into buf (cap bytes, NUL-terminated) and returns its length, or -1 when it does not
 * fit. ts_us is microseconds since the epoch (UTC); host is used as is when it is printable
 * ASCII without spaces, else "-". */
int netsink_syslog_header(char *buf, size_t cap, int severity, int64_t ts_us, const char *host,
			  long pid);

/* Opens a sink for spec; records queue until netsink_start. The collector need not be
 * reachable: the writer keeps retrying. Returns NULL with a one-line reason in err (bad spec,
 * out of memory). */
struct netsink *netsink_open(const char *spec, char *err, size_t errlen);

/* Starts the writer thread (after privileges are dropped, so that it holds none); 0, or -1
 * with a reason in err. */
int netsink_start(struct netsink *s, char *err, size_t errlen);

/* Copies rec (len bytes, no newline) into the queue, or drops and counts it when the queue is
 * full. Never blocks on the network. */
void netsink_push(struct netsink *s, const char *rec, size_t len);

/* Fills st with the sink's counters. */
void netsink_stats(struct netsink *s, struct netsink_stats *st);

/* Asks the writer to finish: it keeps sending until the queue is empty or deadline_ms
 * (CLOCK_MONOTONIC, milliseconds) has passed. Returns at once; netsink_close waits. */
void netsink_drain(struct netsink *s, int64_t deadline_ms);

/* Waits for the drain started by netsink_drain (or drains now with deadline_ms), stops the
 * writer, frees everything and returns the number of records never delivered: dropped plus
 * still queued at the deadline. s may be NULL. */
uint64_t netsink_close(struct netsink *s, int64_t deadline_ms, struct netsink_stats *last);

/* Milliseconds on CLOCK_MONOTONIC, for deadlines. */
int64_t netsink_now_ms(void);

#endif

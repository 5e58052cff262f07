/* obs.h: observations — what the dissectors saw, with the connection it was seen on.
 * Produced by the engine, consumed by detection and by the record writer. */
#ifndef MISROUTE_OBS_H
#define MISROUTE_OBS_H

#include <stdbool.h>
#include <stdint.h>

struct dns_msg;

enum obs_kind {
	OBS_DNS,
};

/* The message's connection: source is the sender of this message. */
struct obs_conn {
	uint64_t ts_us;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint16_t vlan[2];
	uint8_t n_vlan;
	uint8_t ip_version;
	uint8_t transport;        /* IPPROTO_TCP / IPPROTO_UDP */
	const char *application;  /* nDPI's name for the flow, or NULL */
	const char *community_id;
};

struct obs {
	enum obs_kind kind;
	struct obs_conn conn;
	union {
		const struct dns_msg *dns;
	} u;
};

#endif

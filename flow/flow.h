/* flow.h: the bidirectional flow table: 5-tuple + VLAN keys, a seeded symmetric hash,
 * idle timeouts by packet time, a hard cap with eviction of the least recently seen flow. */
#ifndef MISROUTE_FLOW_H
#define MISROUTE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/decode.h"
#include "core/stats.h"
#include "flow/reasm.h"

struct ndpi_flow_struct;

/* Application protocols our own dissectors handle. */
enum flow_app {
	APP_UNKNOWN = 0,  /* not decided yet */
	APP_NONE,         /* decided: nothing we dissect */
	APP_DNS,
	APP_HTTP,
	APP_TLS,
	APP_MAIL,
	APP_QUIC,
};

/* Timeout classes, one LRU list each so every list is ordered by idle time. */
enum flow_lru { LRU_TCP, LRU_TCP_CLOSED, LRU_UDP, LRU_COUNT };

/* Per-direction app-parser state that is not in the reassembler. */
struct flow_app_dir {
	bool resync;  /* bytes were lost: find the next message boundary */
	bool tls;     /* this direction carries TLS (from the start, or after STARTTLS) */
	bool done;    /* nothing more to dissect here: its bytes are not reassembled */
};

/* One flow. The client is the sender of the first packet (or the receiver of a SYN-ACK
 * seen first); dir 0 is client -> server. Exactly four cache lines, aligned in the pool: what
 * every packet reads (key, app, per-direction state, hash chain) is in the first line, its
 * counters and times in the second, so a packet of a flow with nothing left to dissect
 * touches two lines. */
struct flow {
	/* line 0 */
	uint8_t cli[16], srv[16];
	uint16_t cport, sport;
	uint16_t vlan[2];
	uint8_t proto, ip_version;
	uint8_t lru;              /* enum flow_lru */
	uint8_t app;              /* enum flow_app */
	uint8_t syn_seen;         /* bit per direction: the stream start is known */
	uint8_t fin_seen;         /* bit per direction */
	bool rst_seen;
	bool ndpi_done;           /* classification over: nDPI state freed */
	bool sniffed;             /* the first payload was looked at to find the protocol */
	uint8_t mail_proto;       /* enum mail_proto guessed from the port (APP_MAIL) */
	struct flow_app_dir appdir[2];
	uint16_t lru_tick;        /* when it last moved to its LRU list's tail (flow_lookup) */
	uint32_t hnext;           /* hash chain (index + 1; 0 ends) */
	/* line 1 */
	uint32_t lprev, lnext;    /* LRU list (index + 1; 0 ends) */
	uint32_t pkts[2];
	uint64_t bytes[2];
	uint64_t first_us, last_us;
	struct ndpi_flow_struct *ndpi;
	void *app_state;          /* the dissectors' per-flow state, owned by the engine */
	/* lines 2 and 3: classification and reassembly, while they last */
	bool ndpi_named;          /* dpi_observed has matched a name */
	bool ndpi_addr;           /* ... and the server's address */
	uint8_t ndpi_packets;     /* packets nDPI has had */
	uint16_t ndpi_proto;      /* nDPI's app protocol id (master when app is unknown) */
	uint16_t ndpi_master;
	struct reasm_dir stream[2];
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct flow) == 256, "struct flow is four cache lines");
_Static_assert(offsetof(struct flow, lprev) == 64, "struct flow's first line");

/* Called for each flow that leaves the table (timeout, eviction, or the table's end) before
 * its memory is reused: the owner flushes streams and frees what the flow holds. */
typedef void (*flow_release_fn)(void *arg, struct flow *f);

struct flow_table;

/* A table of at most max_flows flows. seed salts the hash (0: drawn from getrandom).
 * Returns NULL when memory is short. */
struct flow_table *flow_table_new(uint32_t max_flows, uint64_t seed, flow_release_fn release,
				  void *arg);
/* Releases every flow (calling release), least recently seen first; the table stays usable. */
void flow_table_clear(struct flow_table *ft);
/* Releases every flow (calling release) and frees the table. */
void flow_table_free(struct flow_table *ft);

/* Finds or creates the flow of pkt at time pkt->ts_us and marks it seen. *dir is 0 when pkt
 * goes client -> server. When the table is full the least recently seen flow is evicted
 * (counted as FLOW_EVICTED). Never fails once the table exists. */
struct flow *flow_lookup(struct flow_table *ft, const struct packet *pkt, int *dir,
			 struct stats *st);

/* TCP state changes the timeout class: call after the flags of a packet were applied. */
void flow_touch_closed(struct flow_table *ft, struct flow *f);

/* Releases flows idle past their timeout at time now_us (counted in st->flows_expired). */
void flow_expire(struct flow_table *ft, uint64_t now_us, struct stats *st);

uint32_t flow_table_count(const struct flow_table *ft);
size_t flow_table_memory(const struct flow_table *ft);

#endif

/* internal.h: what the engine's files share — the engine itself and the per-protocol glue
 * between the reassembled streams, the dissectors and the observations. */
#ifndef MISROUTE_ENGINE_INTERNAL_H
#define MISROUTE_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "capture/decode.h"
#include "core/limits.h"
#include "core/obs.h"
#include "detect/detect.h"
#include "enrich/geo.h"
#include "dissectors/autodiscover.h"
#include "dissectors/dns.h"
#include "dissectors/quic.h"
#include "dissectors/tls.h"
#include "engine/engine.h"
#include "flow/communityid.h"
#include "flow/dpi.h"
#include "flow/flow.h"
#include "flow/reasm.h"

/* The CRYPTO bytes of a QUIC Initial framed as TLS records for the ClientHello reader. */
#define QUIC_RECORD_BUF (QUIC_MAX_CRYPTO + 5 * (QUIC_MAX_CRYPTO / 16384 + 1))
/* Flows gathering a QUIC ClientHello at once (about 19 KiB each): a flood of Initials costs
 * at most this many; the rest are counted. */
#define QUIC_MAX_LIVE 4096

/* What the engines of all workers share. Detection sits behind the lock so that a lookup
 * seen by one worker and the mail connection seen by another still meet; incidents are
 * written from rec under the same lock. */
struct engine_shared {
	pthread_mutex_t mu;
	struct engine_config cfg;
	struct output *out;
	struct detector *det;
	uint64_t now_us;             /* the latest packet time any worker has told detection */
	uint64_t alerts[ALERT_RESERVED_ADDR + 1]; /* incident records written, by kind */
	uint64_t records_written;    /* ... and all records written from here */
	atomic_ullong lossy;         /* one bit per worker whose capture drops packets now */
	struct summary *summary;     /* told every incident written, or NULL */
	char rec[RECORD_MAX];
};

struct engine {
	struct engine_config cfg;
	struct stats st;
	struct engine_shared *sh;
	bool own_shared;         /* made by engine_new, freed with the engine */
	struct output *out;
	struct flow_table *flows;
	struct frag_table *frags;
	struct dpi *dpi;
	struct reasm_ctx reasm;
	struct geo *geo;         /* borrowed; NULL: no enrichment */
	bool geo_on;             /* at least one of its databases is loaded */
	struct geo_info geo_src, geo_dst;
	struct geo_info geo_answers[DNS_MAX_RRS];
	uint64_t now_us, last_expire_us;
	/* The flow and direction a stream delivery belongs to (set around reasm calls). */
	struct flow *cur_flow;
	int cur_dir;
	/* Scratch for one message at a time: large, so one per engine, never per flow. */
	struct dns_msg dns;
	struct tls_hello tls;
	struct tls_fp_memo tls_memo;
	struct community_id_memo cid_memo;
	struct ad_result ad_req, ad_resp;
	uint32_t quic_live;      /* flows holding a QUIC CRYPTO accumulator */
	uint8_t quic_records[QUIC_RECORD_BUF];
	char rec[RECORD_MAX];
};

/* Fills o->conn for a message sent in direction dir of f at time ts_us, and writes its
 * event record when --log-events asked for them. */
void engine_observe(struct engine *e, struct flow *f, int dir, uint64_t ts_us, struct obs *o);

/* Deliver functions for flow/reasm.h, one per protocol; arg is the engine, whose cur_flow and
 * cur_dir say which stream the bytes belong to. */
size_t app_dns_stream(void *arg, const uint8_t *data, size_t len, bool gap);
size_t app_http_stream(void *arg, const uint8_t *data, size_t len, bool gap);
size_t app_tls_stream(void *arg, const uint8_t *data, size_t len, bool gap);
size_t app_mail_stream(void *arg, const uint8_t *data, size_t len, bool gap);

/* One DNS message (UDP payload or a TCP frame) sent in direction dir of f; cut: a snaplen
 * cut its end off, which was counted already. */
void app_dns_message(struct engine *e, struct flow *f, int dir, const uint8_t *p, size_t len,
		     bool cut);

/* One UDP datagram of a QUIC flow from the client: its Initial packets. */
void app_quic_datagram(struct engine *e, struct flow *f, int dir, const uint8_t *p, size_t len);
void app_quic_end(struct engine *e, struct flow *f);

/* The flow ends: what is still pending is written, the per-flow state freed. */
void app_http_end(struct engine *e, struct flow *f);
/* The mail protocol a mail flow turned out to speak, or NULL. */
const char *app_mail_protocol(const struct flow *f);
void app_mail_end(struct engine *e, struct flow *f);

#endif

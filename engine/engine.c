/* engine.c: the packet path of engine.h — decode, flow, nDPI, reassembly, DNS, records. */
#include "engine/engine.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "capture/frag.h"
#include "core/cursor.h"
#include "core/limits.h"
#include "core/obs.h"
#include "dissectors/dns.h"
#include "flow/communityid.h"
#include "flow/dpi.h"
#include "flow/flow.h"
#include "flow/reasm.h"
#include "output/record.h"

/* Flow and fragment timeouts are checked once per second of packet time. */
#define ENGINE_EXPIRE_EVERY_US 1000000ull
/* Applications listed in the final metric record at most. */
#define ENGINE_MAX_APPS 512

struct engine {
	struct engine_config cfg;
	struct stats st;
	struct output *out;
	struct flow_table *flows;
	struct frag_table *frags;
	struct dpi *dpi;
	struct reasm_ctx reasm;
	uint64_t now_us, last_expire_us;
	/* The flow and direction a stream delivery belongs to (set around reasm calls). */
	struct flow *cur_flow;
	int cur_dir;
	struct dns_msg dns;      /* scratch for one message */
	char rec[RECORD_MAX];    /* scratch for one record */
};

void engine_config_defaults(struct engine_config *c)
{
	memset(c, 0, sizeof *c);
	c->max_flows = FLOW_DEFAULT_MAX;
	c->stream_depth = REASM_DEFAULT_DEPTH;
	c->reasm_memcap = REASM_DEFAULT_MEMCAP;
}

static void engine_release_flow(void *arg, struct flow *f);

struct engine *engine_new(const struct engine_config *cfg, struct output *out, char *err,
			  size_t errlen)
{
	struct engine *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	e->out = out;
	e->reasm.depth = cfg->stream_depth;
	e->reasm.memcap = cfg->reasm_memcap;
	e->reasm.st = &e->st;
	e->flows = flow_table_new(cfg->max_flows, cfg->hash_seed, engine_release_flow, e);
	e->frags = frag_new();
	e->dpi = dpi_new();
	if (!e->flows || !e->frags || !e->dpi) {
		snprintf(err, errlen, "%s", !e->dpi ? "nDPI failed to initialise" : "out of memory");
		engine_free(e);
		return NULL;
	}
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	flow_table_free(e->flows);
	frag_free(e->frags);
	dpi_free(e->dpi);
	free(e);
}

static void engine_emit(struct engine *e, size_t len)
{
	if (len == 0) {
		stats_skip(&e->st, SKIP_RECORD_TRUNCATED);
		return;
	}
	output_write(e->out, e->rec, len);
	e->st.records_written++;
}

/* The connection of a message sent in direction dir of flow f. */
static void engine_conn(const struct engine *e, const struct flow *f, int dir, uint64_t ts_us,
			char cid[COMMUNITY_ID_LEN], struct obs_conn *c)
{
	memset(c, 0, sizeof *c);
	c->ts_us = ts_us;
	memcpy(c->src, dir ? f->srv : f->cli, 16);
	memcpy(c->dst, dir ? f->cli : f->srv, 16);
	c->sport = dir ? f->sport : f->cport;
	c->dport = dir ? f->cport : f->sport;
	c->vlan[0] = f->vlan[0];
	c->vlan[1] = f->vlan[1];
	c->n_vlan = f->vlan[1] ? 2 : f->vlan[0] ? 1 : 0;
	c->ip_version = f->ip_version;
	c->transport = f->proto;
	c->application = dpi_name(e->dpi, f);
	community_id_v1(0, f->ip_version, f->cli, f->srv, f->proto, f->cport, f->sport, cid);
	c->community_id = cid;
}

static void engine_dns_message(struct engine *e, struct flow *f, int dir, const uint8_t *p,
			       size_t len)
{
	enum dis_status rc = dns_parse(p, len, &e->dns);
	if (rc != DIS_OK) {
		stats_skip(&e->st, rc == DIS_SHORT ? SKIP_DNS_SHORT : SKIP_DNS_MALFORMED);
		return;
	}
	/* A partial parse keeps what came before the fault (or the cap) and says why. */
	if (e->dns.rr_dropped)
		stats_skip(&e->st, SKIP_DNS_RR_CAP);
	else if (e->dns.reason)
		stats_skip(&e->st, SKIP_DNS_MALFORMED);
	e->st.obs_dns++;
	if (!e->cfg.log_events)
		return;
	char cid[COMMUNITY_ID_LEN];
	struct obs o = { .kind = OBS_DNS, .u.dns = &e->dns };
	engine_conn(e, f, dir, e->now_us, cid, &o.conn);
	engine_emit(e, record_event(e->rec, sizeof e->rec, &o));
}

/* A DNS message without its length prefix, as a stream picked up mid-message shows it:
 * plausible when the bytes parse whole as one message with at least one question. */
static bool engine_dns_bare(struct engine *e, const uint8_t *p, size_t len)
{
	return dns_parse(p, len, &e->dns) == DIS_OK && !e->dns.reason && e->dns.n_q > 0;
}

/* DNS over TCP (RFC 1035 section 4.2.2, RFC 7766): messages behind a 2-byte length. After
 * lost bytes or on a stream picked up mid-way, the first bytes are checked before they are
 * trusted as a length prefix. */
static size_t engine_dns_stream(void *arg, const uint8_t *data, size_t len, bool gap)
{
	struct engine *e = arg;
	struct flow *f = e->cur_flow;
	struct flow_app_dir *ad = &f->appdir[e->cur_dir];
	if (gap)
		ad->resync = true;
	struct cur c = cur_make(data, len);
	size_t done = 0;
	while (cur_has(&c, 2)) {
		uint16_t mlen = cur_be16(&c);
		if (mlen < 12) {
			/* Shorter than a DNS header: not a length prefix. */
			stats_skip(&e->st, SKIP_DNS_TCP_LEN);
			ad->resync = true;
			return len;
		}
		if (!cur_has(&c, mlen)) {
			if (ad->resync && engine_dns_bare(e, data + done, len - done)) {
				engine_dns_message(e, f, e->cur_dir, data + done, len - done);
				ad->resync = false;
				return len;
			}
			return done;
		}
		const uint8_t *msg = cur_take(&c, mlen);
		ad->resync = false;
		engine_dns_message(e, f, e->cur_dir, msg, mlen);
		done = cur_off(&c);
	}
	return done;
}

static reasm_deliver_fn engine_stream_consumer(const struct flow *f)
{
	return f->app == APP_DNS ? engine_dns_stream : NULL;
}

static void engine_release_flow(void *arg, struct flow *f)
{
	struct engine *e = arg;
	reasm_deliver_fn fn = engine_stream_consumer(f);
	for (int d = 0; d < 2; d++) {
		if (fn) {
			e->cur_flow = f;
			e->cur_dir = d;
			reasm_flush(&e->reasm, &f->stream[d], fn, e);
		}
		reasm_dir_free(&e->reasm, &f->stream[d]);
	}
	dpi_flow_done(e->dpi, f);
	dpi_tally(e->dpi, f);
}

static bool engine_is_dns_port(uint16_t port)
{
	/* DNS, multicast DNS (RFC 6762) and LLMNR (RFC 4795) share the message format. */
	return port == 53 || port == 5353 || port == 5355;
}

static void engine_classify(struct engine *e, struct flow *f)
{
	if (f->app != APP_UNKNOWN)
		return;
	if (engine_is_dns_port(f->sport) || engine_is_dns_port(f->cport))
		f->app = APP_DNS;
	else if (f->ndpi_done) {
		const char *n = dpi_name(e->dpi, f);
		if (n && strcmp(n, "dns") == 0)
			f->app = APP_DNS;
	}
}

static void engine_tcp(struct engine *e, struct flow *f, int dir, const struct packet *pkt)
{
	if (pkt->tcp_flags & TCP_SYN)
		f->syn_seen |= (uint8_t)(1u << dir);
	if (pkt->tcp_flags & TCP_FIN)
		f->fin_seen |= (uint8_t)(1u << dir);
	if (pkt->tcp_flags & TCP_RST)
		f->rst_seen = true;
	if (f->rst_seen || f->fin_seen == 3)
		flow_touch_closed(e->flows, f);

	reasm_deliver_fn fn = engine_stream_consumer(f);
	if (!fn)
		return;
	e->cur_flow = f;
	if (!(f->syn_seen & (1u << dir)) && !f->stream[dir].started)
		f->appdir[dir].resync = true;
	/* An ACK proves a hole in the other direction will never fill, but on a SPAN port the
	 * ACK often overtakes the data it acknowledges: only a direction already waiting on a
	 * hole (holding out-of-order data) is moved past it. */
	if ((pkt->tcp_flags & TCP_ACK) && f->stream[!dir].n_ooo > 0) {
		e->cur_dir = !dir;
		reasm_peer_ack(&e->reasm, &f->stream[!dir], pkt->ack, fn, e);
	}
	e->cur_dir = dir;
	size_t before = f->stream[dir].delivered;
	reasm_segment(&e->reasm, &f->stream[dir], pkt->seq, pkt->tcp_flags, pkt->payload,
		      pkt->payload_len, fn, e);
	e->st.tcp_bytes_reassembled += f->stream[dir].delivered - before;
}

void engine_packet(struct engine *e, int dlt, const uint8_t *frame, size_t caplen,
		   uint32_t wirelen, uint64_t ts_us)
{
	e->st.packets++;
	e->st.bytes += wirelen;
	if (ts_us > e->now_us)
		e->now_us = ts_us;
	if (e->now_us - e->last_expire_us >= ENGINE_EXPIRE_EVERY_US) {
		e->last_expire_us = e->now_us;
		flow_expire(e->flows, e->now_us, &e->st);
		frag_expire(e->frags, e->now_us, &e->st);
	}

	struct packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.ts_us = ts_us;
	pkt.wirelen = wirelen;
	if (decode_packet(dlt, frame, caplen, e->frags, &pkt, &e->st) != DECODE_OK)
		return;

	int dir;
	struct flow *f = flow_lookup(e->flows, &pkt, &dir, &e->st);
	f->pkts[dir]++;
	f->bytes[dir] += wirelen;
	dpi_packet(e->dpi, f, &pkt, &e->st);
	engine_classify(e, f);

	if (pkt.proto == IPPROTO_TCP)
		engine_tcp(e, f, dir, &pkt);
	else if (f->app == APP_DNS && pkt.payload_len > 0)
		engine_dns_message(e, f, dir, pkt.payload, pkt.payload_len);
}

void engine_finish(struct engine *e)
{
	flow_table_clear(e->flows);
}

void engine_metric(struct engine *e, const struct capture_counters *cc, bool final)
{
	const char *names[ENGINE_MAX_APPS];
	uint64_t counts[ENGINE_MAX_APPS];
	struct metric_extra x = {
		.ts_us = e->now_us,
		.final = final,
		.flows_active = flow_table_count(e->flows),
		.mem_flows = flow_table_memory(e->flows),
		.mem_reasm = e->reasm.mem_used,
		.mem_frag = frag_memory(e->frags),
		.mem_ndpi = dpi_memory(e->dpi),
		.app_names = names,
		.app_counts = counts,
	};
	x.n_apps = dpi_tallies(e->dpi, names, counts, ENGINE_MAX_APPS);
	if (cc && cc->valid) {
		x.cap_stats_valid = true;
		x.cap_received = cc->received;
		x.cap_dropped = cc->dropped;
		x.cap_ifdropped = cc->ifdropped;
	}
	engine_emit(e, record_metric(e->rec, sizeof e->rec, &e->st, &x));
}

const struct stats *engine_stats(const struct engine *e) { return &e->st; }

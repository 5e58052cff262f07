/* engine.c: the packet path of engine.h — decode, flow, nDPI, reassembly, the dissectors'
 * glue (app_*.c), records. */
#include "engine/engine.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/frag.h"
#include "dissectors/mail.h"
#include "engine/internal.h"
#include "flow/communityid.h"
#include "output/record.h"
#include "output/summary.h"

/* Flow and fragment timeouts are checked once per second of packet time. */
#define ENGINE_EXPIRE_EVERY_US 1000000ull
/* Applications listed in the final metric record at most. */
#define ENGINE_MAX_APPS 512

void engine_config_defaults(struct engine_config *c)
{
	memset(c, 0, sizeof *c);
	c->max_flows = FLOW_DEFAULT_MAX;
	c->stream_depth = REASM_DEFAULT_DEPTH;
	c->reasm_memcap = REASM_DEFAULT_MEMCAP;
	c->context_us = DETECT_DEFAULT_CONTEXT_US;
	c->alert_window_us = DETECT_DEFAULT_WINDOW_US;
}

static void engine_release_flow(void *arg, struct flow *f);
static void engine_alert(void *arg, const struct alert *a);

struct engine_shared *engine_shared_new(const struct engine_config *cfg,
					const struct ruleset *rules, struct output *out, char *err,
					size_t errlen)
{
	struct engine_shared *sh = calloc(1, sizeof *sh);
	struct detect_config dc = { cfg->context_us, cfg->alert_window_us };
	if (!sh || !(sh->det = detect_new(&dc, rules, engine_alert, sh))) {
		snprintf(err, errlen, "out of memory");
		free(sh);
		return NULL;
	}
	sh->cfg = *cfg;
	sh->out = out;
	pthread_mutex_init(&sh->mu, NULL);
	return sh;
}

void engine_shared_free(struct engine_shared *sh)
{
	if (!sh)
		return;
	detect_free(sh->det);
	pthread_mutex_destroy(&sh->mu);
	free(sh);
}

struct engine *engine_new_worker(struct engine_shared *sh, char *err, size_t errlen)
{
	struct engine *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = sh->cfg;
	e->sh = sh;
	e->out = sh->out;
	e->reasm.depth = e->cfg.stream_depth;
	e->reasm.memcap = e->cfg.reasm_memcap;
	e->reasm.st = &e->st;
	e->flows = flow_table_new(e->cfg.max_flows, e->cfg.hash_seed, engine_release_flow, e);
	e->frags = frag_new();
	e->dpi = dpi_new();
	if (!e->flows || !e->frags || !e->dpi) {
		snprintf(err, errlen, "%s", !e->dpi ? "nDPI failed to initialise" : "out of memory");
		engine_free(e);
		return NULL;
	}
	return e;
}

struct engine *engine_new(const struct engine_config *cfg, const struct ruleset *rules,
			  struct output *out, char *err, size_t errlen)
{
	struct engine_shared *sh = engine_shared_new(cfg, rules, out, err, errlen);
	if (!sh)
		return NULL;
	struct engine *e = engine_new_worker(sh, err, errlen);
	if (!e) {
		engine_shared_free(sh);
		return NULL;
	}
	e->own_shared = true;
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	flow_table_free(e->flows);
	frag_free(e->frags);
	dpi_free(e->dpi);
	if (e->own_shared)
		engine_shared_free(e->sh);
	free(e);
}

void engine_set_geo(struct engine *e, struct geo *g)
{
	e->geo = g;
	e->geo_on = g && (strncmp(geo_status(g, GEO_DB_CITY), "loaded", 6) == 0 ||
			  strncmp(geo_status(g, GEO_DB_ASN), "loaded", 6) == 0);
}

struct engine_shared *engine_shared_of(struct engine *e) { return e->sh; }

void engine_set_rules(struct engine_shared *sh, const struct ruleset *rules)
{
	pthread_mutex_lock(&sh->mu);
	detect_set_rules(sh->det, rules);
	pthread_mutex_unlock(&sh->mu);
}

void engine_set_capture_loss(struct engine_shared *sh, unsigned worker, bool lossy)
{
	unsigned long long bit = 1ull << (worker % 64);
	if (lossy)
		atomic_fetch_or(&sh->lossy, bit);
	else
		atomic_fetch_and(&sh->lossy, ~bit);
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

/* Detection's callback, under the shared lock. An alert's fields are bounded well under
 * RECORD_MAX, so its record always fits. */
static void engine_alert(void *arg, const struct alert *a)
{
	struct engine_shared *sh = arg;
	size_t len = record_alert(sh->rec, sizeof sh->rec, a);
	if (len == 0)
		return;
	output_write(sh->out, sh->rec, len);
	sh->alerts[a->kind]++;
	sh->records_written++;
	if (sh->summary)
		summary_add(sh->summary, a);
}

void engine_set_summary(struct engine_shared *sh, struct summary *s)
{
	pthread_mutex_lock(&sh->mu);
	sh->summary = s;
	pthread_mutex_unlock(&sh->mu);
}

uint64_t engine_incidents(struct engine_shared *sh)
{
	uint64_t n = 0;
	pthread_mutex_lock(&sh->mu);
	for (int k = 0; k <= ALERT_RESERVED_ADDR; k++)
		n += sh->alerts[k];
	pthread_mutex_unlock(&sh->mu);
	return n;
}

void engine_observe(struct engine *e, struct flow *f, int dir, uint64_t ts_us, struct obs *o)
{
	if (o->kind == OBS_TLS && o->u.tls->hello->has_sni)
		dpi_observed(e->dpi, f, o->u.tls->hello->sni, strlen(o->u.tls->hello->sni));
	else if (o->kind == OBS_HTTP && o->u.http->host.p)
		dpi_observed(e->dpi, f, o->u.http->host.p, o->u.http->host.len);
	else if (o->kind == OBS_DNS && o->u.dns->n_q > 0)
		dpi_observed(e->dpi, f, o->u.dns->q[0].name, o->u.dns->q[0].name_len);
	else if (o->kind != OBS_FLOW)
		dpi_observed(e->dpi, f, NULL, 0);
	struct obs_conn *c = &o->conn;
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
	bool written = e->cfg.log_events && o->kind != OBS_FLOW;
	if (written) /* else detection computes it for what it keeps; flows are 256 bytes */
		c->community_id = community_id_memo(&e->cid_memo, (uint32_t)((uintptr_t)f >> 8),
						    f->ip_version, f->cli, f->srv, f->proto,
						    f->cport, f->sport);
	c->to_server = dir == 0;
	if (e->geo && o->kind != OBS_FLOW) {
		geo_lookup(e->geo, c->ip_version, c->src, &e->geo_src);
		geo_lookup(e->geo, c->ip_version, c->dst, &e->geo_dst);
		c->src_geo = &e->geo_src;
		c->dst_geo = &e->geo_dst;
	}
	c->mail_protocol = f->mail_proto != MAIL_UNKNOWN ? mail_proto_name(f->mail_proto)
						 : app_mail_protocol(f);
	if (written)
		engine_emit(e, record_event(e->rec, sizeof e->rec, o));
	struct engine_shared *sh = e->sh;
	pthread_mutex_lock(&sh->mu);
	detect_set_capture_loss(sh->det, atomic_load_explicit(&sh->lossy, memory_order_relaxed));
	detect_observe(sh->det, o);
	pthread_mutex_unlock(&sh->mu);
}

/* The deliver function for direction dir of f, or NULL when its bytes are not wanted. */
static reasm_deliver_fn engine_consumer(const struct flow *f, int dir)
{
	if (f->appdir[dir].done)
		return NULL;
	switch (f->app) {
	case APP_DNS:
		return app_dns_stream;
	case APP_HTTP:
		return app_http_stream;
	case APP_TLS:
		return dir == 0 ? app_tls_stream : NULL;
	case APP_MAIL:
		return app_mail_stream;
	default:
		return NULL;
	}
}

static void engine_release_flow(void *arg, struct flow *f)
{
	struct engine *e = arg;
	e->cur_flow = f;
	for (int d = 0; d < 2; d++) {
		reasm_deliver_fn fn = engine_consumer(f, d);
		e->cur_dir = d;
		if (fn)
			reasm_flush(&e->reasm, &f->stream[d], fn, e);
		reasm_dir_free(&e->reasm, &f->stream[d]);
	}
	if (f->app == APP_HTTP)
		app_http_end(e, f);
	else if (f->app == APP_MAIL || f->app == APP_TLS)
		app_mail_end(e, f);
	else if (f->app == APP_QUIC)
		app_quic_end(e, f);
	struct obs_flow fl = { { f->pkts[0], f->pkts[1] }, { f->bytes[0], f->bytes[1] },
			       f->first_us, f->last_us };
	struct obs o = { .kind = OBS_FLOW, .u.flow = &fl };
	engine_observe(e, f, 0, f->last_us, &o);
	dpi_flow_done(e->dpi, f);
	dpi_tally(e->dpi, f);
}

/* Protocols known by the server's port (IANA service names registry). */
static void engine_by_port(struct flow *f)
{
	uint16_t p = f->sport, c = f->cport;
	bool tcp = f->proto == IPPROTO_TCP;
	/* DNS, multicast DNS (RFC 6762) and LLMNR (RFC 4795) share the message format. */
	if (p == 53 || p == 5353 || p == 5355 || c == 53 || c == 5353 || c == 5355) {
		f->app = APP_DNS;
		return;
	}
	if (!tcp)
		return;
	switch (p) {
	case 80: case 8080: case 8000: case 8008: case 3128:
		f->app = APP_HTTP;
		break;
	case 443: case 8443:
		f->app = APP_TLS;
		break;
	case 465:
		f->app = APP_TLS;
		f->mail_proto = MAIL_SMTP;
		break;
	case 993:
		f->app = APP_TLS;
		f->mail_proto = MAIL_IMAP;
		break;
	case 995:
		f->app = APP_TLS;
		f->mail_proto = MAIL_POP3;
		break;
	case 25: case 587: case 2525:
		f->app = APP_MAIL;
		f->mail_proto = MAIL_SMTP;
		break;
	case 143:
		f->app = APP_MAIL;
		f->mail_proto = MAIL_IMAP;
		break;
	case 110:
		f->app = APP_MAIL;
		f->mail_proto = MAIL_POP3;
		break;
	}
}

static bool engine_starts_with(const uint8_t *p, size_t len, const char *s)
{
	size_t n = strlen(s);
	return len >= n && memcmp(p, s, n) == 0;
}

/* The first payload of a flow on a port that says nothing: a TLS record from the client, an
 * HTTP method, or a mail server's greeting tell the protocol on any port. */
static void engine_sniff(struct flow *f, int dir, const uint8_t *p, size_t len)
{
	static const char *const methods[] = { "GET ", "POST ", "PUT ", "HEAD ", "OPTIONS ",
					       "DELETE ", "CONNECT ", "PATCH " };
	f->sniffed = true;
	if (dir == 0 && len >= 3 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 0x04) {
		f->app = APP_TLS;
		return;
	}
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (engine_starts_with(p, len, methods[i])) {
			f->app = APP_HTTP;
			return;
		}
	if (dir == 1 && (engine_starts_with(p, len, "220") || engine_starts_with(p, len, "* OK") ||
			 engine_starts_with(p, len, "+OK"))) {
		f->app = APP_MAIL;
		f->mail_proto = MAIL_UNKNOWN;
		return;
	}
	f->app = APP_NONE;
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

	reasm_deliver_fn fn = engine_consumer(f, dir);
	if (!fn)
		return;
	e->cur_flow = f;
	if (!(f->syn_seen & (1u << dir)) && !f->stream[dir].started)
		f->appdir[dir].resync = true;
	/* An ACK proves a hole in the other direction will never fill, but on a SPAN port the
	 * ACK often overtakes the data it acknowledges: only a direction already waiting on a
	 * hole (holding out-of-order data) is moved past it. */
	reasm_deliver_fn back = engine_consumer(f, !dir);
	if ((pkt->tcp_flags & TCP_ACK) && back && f->stream[!dir].n_ooo > 0) {
		e->cur_dir = !dir;
		reasm_peer_ack(&e->reasm, &f->stream[!dir], pkt->ack, back, e);
	}
	e->cur_dir = dir;
	size_t before = f->stream[dir].delivered;
	reasm_segment(&e->reasm, &f->stream[dir], pkt->seq, pkt->tcp_flags, pkt->payload,
		      pkt->payload_len, fn, e);
	e->st.tcp_bytes_reassembled += f->stream[dir].delivered - before;
	/* Nothing more to read in this direction: give its memory back now. */
	if (f->appdir[dir].done)
		reasm_dir_free(&e->reasm, &f->stream[dir]);
}

/* Incidents whose window closed by now_us (packet time, the latest of any worker) are
 * written. */
static void engine_tick(struct engine_shared *sh, uint64_t now_us)
{
	pthread_mutex_lock(&sh->mu);
	if (now_us > sh->now_us)
		sh->now_us = now_us;
	detect_tick(sh->det, sh->now_us);
	pthread_mutex_unlock(&sh->mu);
}

/* Packet time moves on: once a second, flows and fragments time out and incidents whose
 * window closed are written. */
void engine_advance(struct engine *e, uint64_t ts_us)
{
	if (ts_us > e->now_us)
		e->now_us = ts_us;
	if (e->now_us - e->last_expire_us >= ENGINE_EXPIRE_EVERY_US) {
		e->last_expire_us = e->now_us;
		flow_expire(e->flows, e->now_us, &e->st);
		frag_expire(e->frags, e->now_us, &e->st);
		engine_tick(e->sh, e->now_us);
	}
}

void engine_packet(struct engine *e, int dlt, const uint8_t *frame, size_t caplen,
		   uint32_t wirelen, uint64_t ts_us)
{
	e->st.packets++;
	e->st.bytes += wirelen;
	engine_advance(e, ts_us);

	struct packet pkt; /* decode_packet clears it but for these two */
	pkt.ts_us = ts_us;
	pkt.wirelen = wirelen;
	if (decode_packet(dlt, frame, caplen, e->frags, &pkt, &e->st) != DECODE_OK)
		return;
	/* Decoded, but a snaplen cut the payload: what follows reads a prefix of it. Counted once
	 * here, so the dissector that misses the end does not call it malformed as well. */
	if (pkt.payload_cut)
		stats_skip(&e->st, SKIP_CAPLEN_SHORT);

	int dir;
	struct flow *f = flow_lookup(e->flows, &pkt, &dir, &e->st);
	if (f->pkts[0] + f->pkts[1] == 0)
		engine_by_port(f);
	f->pkts[dir]++;
	f->bytes[dir] += wirelen;
	if (f->app == APP_UNKNOWN && pkt.payload_len > 0) {
		if (pkt.proto == IPPROTO_TCP && !f->sniffed)
			engine_sniff(f, dir, pkt.payload, pkt.payload_len);
		/* QUIC on any port: the client's first datagram is a long-header Initial. */
		else if (pkt.proto == IPPROTO_UDP && dir == 0 &&
			 quic_is_initial(pkt.payload, pkt.payload_len))
			f->app = APP_QUIC;
	}
	/* nDPI only for what our own dissectors do not recognise. */
	if (f->app > APP_NONE)
		dpi_known(e->dpi, f);
	dpi_packet(e->dpi, f, &pkt, &e->st);
	/* A DNS server on a port of its own is known once nDPI has seen it. */
	if (f->app == APP_UNKNOWN && pkt.proto == IPPROTO_UDP && f->ndpi_done) {
		const char *n = dpi_name(e->dpi, f);
		f->app = n && strcmp(n, "dns") == 0 ? APP_DNS : APP_NONE;
	}

	if (pkt.proto == IPPROTO_TCP)
		engine_tcp(e, f, dir, &pkt);
	else if (f->app == APP_DNS && pkt.payload_len > 0)
		app_dns_message(e, f, dir, pkt.payload, pkt.payload_len, pkt.payload_cut);
	else if (f->app == APP_QUIC && dir == 0)
		app_quic_datagram(e, f, dir, pkt.payload, pkt.payload_len);
}

void engine_finish(struct engine *e)
{
	flow_table_clear(e->flows);
	if (e->own_shared)
		engine_shared_finish(e->sh);
}

void engine_shared_finish(struct engine_shared *sh)
{
	pthread_mutex_lock(&sh->mu);
	detect_flush(sh->det);
	pthread_mutex_unlock(&sh->mu);
}

/* Adds the counts of name to the merged tallies (names[0..*n)). */
static void engine_tally(const char **names, uint64_t *counts, size_t *n, const char *name,
			 uint64_t count)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(names[i], name)) {
			counts[i] += count;
			return;
		}
	if (*n < ENGINE_MAX_APPS) {
		names[*n] = name;
		counts[(*n)++] = count;
	}
}

void engine_metric(struct engine *const *es, size_t n, const struct capture_counters *cc,
		   bool final)
{
	const char *names[ENGINE_MAX_APPS], *one[ENGINE_MAX_APPS];
	uint64_t counts[ENGINE_MAX_APPS], one_counts[ENGINE_MAX_APPS];
	struct engine_shared *sh = es[0]->sh;
	struct stats total = { 0 };
	struct capture_counters caps[ENGINE_MAX_WORKERS];
	struct metric_extra x = { .final = final, .app_names = names, .app_counts = counts };
	/* Every counter is a uint64_t: the engines' sets add up member by member. */
	_Static_assert(sizeof(struct stats) % sizeof(uint64_t) == 0, "struct stats holds counters only");
	uint64_t *sum = (uint64_t *)&total;
	for (size_t i = 0; i < n; i++) {
		const struct engine *e = es[i];
		const uint64_t *add = (const uint64_t *)&e->st;
		for (size_t k = 0; k < sizeof total / sizeof *sum; k++)
			sum[k] += add[k];
		if (e->now_us > x.ts_us)
			x.ts_us = e->now_us;
		x.flows_active += flow_table_count(e->flows);
		x.mem_flows += flow_table_memory(e->flows);
		x.mem_reasm += e->reasm.mem_used;
		x.mem_reasm_peak += e->reasm.mem_peak;
		x.mem_frag += frag_memory(e->frags);
		x.mem_ndpi += dpi_memory(e->dpi);
		size_t k = dpi_tallies(e->dpi, one, one_counts, ENGINE_MAX_APPS);
		for (size_t j = 0; j < k && j < ENGINE_MAX_APPS; j++)
			engine_tally(names, counts, &x.n_apps, one[j], one_counts[j]);
		if (e->geo) {
			struct geo_stats gs;
			geo_stats(e->geo, &gs);
			x.geo = e->geo;
			x.geo_stats.lookups += gs.lookups;
			x.geo_stats.cache_hits += gs.cache_hits;
			x.geo_stats.db_lookups += gs.db_lookups;
			x.geo_stats.not_found += gs.not_found;
			x.geo_stats.errors += gs.errors;
		}
		if (cc && cc[i].valid && i < ENGINE_MAX_WORKERS) {
			caps[x.n_caps] = cc[i];
			caps[x.n_caps++].packets = e->st.packets;
		}
	}
	x.caps = caps;
	struct output_sink_stats sinks[16];
	x.n_sinks = output_stats(sh->out, sinks, 16);
	x.sinks = sinks;

	pthread_mutex_lock(&sh->mu);
	x.mem_detect = detect_memory(sh->det);
	/* The detector keeps its own count; the record lists it with the other reasons. */
	total.skip[SKIP_DETECT_EVICTED] = detect_evicted(sh->det);
	for (int k = 0; k <= ALERT_RESERVED_ADDR; k++)
		total.alerts[k] += sh->alerts[k];
	total.records_written += sh->records_written;
	size_t len = record_metric(sh->rec, sizeof sh->rec, &total, &x);
	if (len) {
		output_write(sh->out, sh->rec, len);
		sh->records_written++;
	}
	pthread_mutex_unlock(&sh->mu);
}

void engine_notice(struct engine_shared *sh, bool error, const char *message)
{
	pthread_mutex_lock(&sh->mu);
	size_t len = record_notice(sh->rec, sizeof sh->rec, sh->now_us, error, message);
	if (len) {
		output_write(sh->out, sh->rec, len);
		sh->records_written++;
	}
	pthread_mutex_unlock(&sh->mu);
}

const struct stats *engine_stats(const struct engine *e) { return &e->st; }

/* record.c: ECS records for observations and statistics (Elastic Common Schema 8.x names;
 * fields ECS has no home for live under misroute.*). */
#include "output/record.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "dissectors/dns.h"
#include "output/json.h"

static void record_ip(struct jw *w, const char *key, int version, const uint8_t *a)
{
	char t[INET6_ADDRSTRLEN];
	inet_ntop(version == 6 ? AF_INET6 : AF_INET, a, t, sizeof t);
	jw_str(w, key, t);
}

static void record_endpoint(struct jw *w, const char *key, int version, const uint8_t *a,
			    uint16_t port)
{
	jw_obj_open(w, key);
	record_ip(w, "ip", version, a);
	jw_uint(w, "port", port);
	jw_obj_close(w);
}

static void record_network(struct jw *w, const struct obs_conn *c, const char *protocol)
{
	jw_obj_open(w, "network");
	jw_str(w, "type", c->ip_version == 6 ? "ipv6" : "ipv4");
	jw_str(w, "transport", c->transport == IPPROTO_TCP ? "tcp" : "udp");
	jw_str(w, "protocol", protocol);
	if (c->application)
		jw_str(w, "application", c->application);
	jw_str(w, "community_id", c->community_id);
	if (c->n_vlan > 0) {
		jw_obj_open(w, "vlan");
		jw_uint(w, "id", c->vlan[0]);
		jw_obj_close(w);
	}
	if (c->n_vlan > 1) {
		jw_obj_open(w, "inner");
		jw_obj_open(w, "vlan");
		jw_uint(w, "id", c->vlan[1]);
		jw_obj_close(w);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

static void record_head(struct jw *w, const struct obs_conn *c, const char *dataset)
{
	jw_ts(w, "@timestamp", c->ts_us);
	jw_obj_open(w, "event");
	jw_str(w, "kind", "event");
	jw_arr_open(w, "category");
	jw_str(w, NULL, "network");
	jw_arr_close(w);
	jw_arr_open(w, "type");
	jw_str(w, NULL, "protocol");
	jw_arr_close(w);
	jw_str(w, "dataset", dataset);
	jw_obj_close(w);
	record_endpoint(w, "source", c->ip_version, c->src, c->sport);
	record_endpoint(w, "destination", c->ip_version, c->dst, c->dport);
}

static const char *const dns_opcodes[16] = { "QUERY", "IQUERY", "STATUS", NULL, "NOTIFY",
					     "UPDATE", "DSO" };

static void record_dns_rr(struct jw *w, const struct dns_rr *rr)
{
	char tn[16];
	jw_obj_open(w, NULL);
	jw_str(w, "name", rr->name);
	jw_str(w, "type", dns_type_name(rr->type, tn, sizeof tn));
	jw_str(w, "class", rr->rclass == 1 ? "IN" : rr->rclass == 3 ? "CH" : rr->rclass == 4 ? "HS" : "OTHER");
	jw_uint(w, "ttl", rr->ttl);
	jw_str(w, "data", rr->data);
	jw_obj_close(w);
}

static void record_dns_section(struct jw *w, const char *key, const struct dns_msg *m,
			       enum dns_section sec)
{
	bool any = false;
	for (uint16_t i = 0; i < m->n_rr; i++) {
		if (m->rr[i].section != sec)
			continue;
		if (!any)
			jw_arr_open(w, key);
		any = true;
		record_dns_rr(w, &m->rr[i]);
	}
	if (any)
		jw_arr_close(w);
}

static void record_dns_flags(struct jw *w, const struct dns_msg *m)
{
	const struct { bool on; const char *name; } flags[] = {
		{ m->aa, "AA" }, { m->tc, "TC" }, { m->rd, "RD" }, { m->ra, "RA" },
		{ m->ad, "AD" }, { m->cd, "CD" }, { m->edns_do, "DO" },
	};
	jw_arr_open(w, "header_flags");
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (flags[i].on)
			jw_str(w, NULL, flags[i].name);
	jw_arr_close(w);
}

static void record_dns(struct jw *w, const struct dns_msg *m)
{
	char tn[16], op[16];
	jw_obj_open(w, "dns");
	jw_str(w, "type", m->qr ? "answer" : "query");
	jw_str(w, "id", (snprintf(op, sizeof op, "%u", m->id), op));
	if (dns_opcodes[m->opcode & 15])
		jw_str(w, "op_code", dns_opcodes[m->opcode & 15]);
	else
		jw_str(w, "op_code", (snprintf(op, sizeof op, "OPCODE%u", m->opcode), op));
	record_dns_flags(w, m);
	if (m->qr)
		jw_str(w, "response_code", dns_rcode_name(m->rcode, tn, sizeof tn));
	if (m->n_q > 0) {
		jw_obj_open(w, "question");
		jw_str(w, "name", m->q[0].name);
		jw_str(w, "type", dns_type_name(m->q[0].type, tn, sizeof tn));
		jw_str(w, "class", m->q[0].qclass == 1 ? "IN" : "OTHER");
		jw_obj_close(w);
	}
	record_dns_section(w, "answers", m, DNS_ANSWER);
	bool any_ip = false;
	for (uint16_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section != DNS_ANSWER || (rr->type != 1 && rr->type != 28))
			continue;
		if (!any_ip)
			jw_arr_open(w, "resolved_ip");
		any_ip = true;
		jw_str(w, NULL, rr->data);
	}
	if (any_ip)
		jw_arr_close(w);
	jw_obj_close(w);

	/* What ECS has no field for: further questions, authority and additional records,
	 * EDNS, and what the parser could not keep. */
	bool other_sections = false;
	for (uint16_t i = 0; i < m->n_rr && !other_sections; i++)
		other_sections = m->rr[i].section != DNS_ANSWER;
	if (m->n_q < 2 && !other_sections && !m->edns && !m->rr_dropped && !m->reason)
		return;
	jw_obj_open(w, "misroute");
	jw_obj_open(w, "dns");
	if (m->n_q > 1) {
		jw_arr_open(w, "questions");
		for (uint16_t i = 1; i < m->n_q; i++) {
			jw_obj_open(w, NULL);
			jw_str(w, "name", m->q[i].name);
			jw_str(w, "type", dns_type_name(m->q[i].type, tn, sizeof tn));
			jw_obj_close(w);
		}
		jw_arr_close(w);
	}
	record_dns_section(w, "authorities", m, DNS_AUTHORITY);
	record_dns_section(w, "additionals", m, DNS_ADDITIONAL);
	if (m->edns) {
		jw_obj_open(w, "edns");
		jw_uint(w, "udp_size", m->edns_udp_size);
		jw_uint(w, "version", m->edns_version);
		jw_obj_close(w);
	}
	if (m->rr_dropped)
		jw_uint(w, "records_not_kept", m->rr_dropped);
	if (m->reason)
		jw_str(w, "malformed", m->reason);
	jw_obj_close(w);
	jw_obj_close(w);
}

size_t record_event(char *buf, size_t cap, const struct obs *o)
{
	struct jw w;
	jw_begin(&w, buf, cap);
	switch (o->kind) {
	case OBS_DNS:
		record_head(&w, &o->conn, "misroute.dns");
		record_network(&w, &o->conn, "dns");
		record_dns(&w, o->u.dns);
		break;
	}
	return jw_end(&w);
}

size_t record_metric(char *buf, size_t cap, const struct stats *st, const struct metric_extra *x)
{
	struct jw w;
	jw_begin(&w, buf, cap);
	jw_ts(&w, "@timestamp", x->ts_us);
	jw_obj_open(&w, "event");
	jw_str(&w, "kind", "metric");
	jw_str(&w, "dataset", "misroute.stats");
	jw_str(&w, "action", x->final ? "final" : "periodic");
	jw_obj_close(&w);
	jw_obj_open(&w, "misroute");
	jw_obj_open(&w, "stats");
	jw_uint(&w, "packets", st->packets);
	jw_uint(&w, "bytes", st->bytes);
	jw_uint(&w, "ip_packets", st->ip_packets);
	jw_uint(&w, "fragments_reassembled", st->frag_reassembled);
	if (x->cap_stats_valid) {
		jw_obj_open(&w, "capture");
		jw_uint(&w, "received", x->cap_received);
		jw_uint(&w, "dropped", x->cap_dropped);
		jw_uint(&w, "if_dropped", x->cap_ifdropped);
		jw_obj_close(&w);
	}
	jw_obj_open(&w, "flows");
	jw_uint(&w, "created", st->flows_created);
	jw_uint(&w, "active", x->flows_active);
	jw_uint(&w, "expired", st->flows_expired);
	jw_uint(&w, "evicted", st->skip[SKIP_FLOW_EVICTED]);
	if (x->n_apps) {
		jw_obj_open(&w, "by_application");
		for (size_t i = 0; i < x->n_apps; i++)
			jw_uint(&w, x->app_names[i], x->app_counts[i]);
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	jw_uint(&w, "tcp_bytes_reassembled", st->tcp_bytes_reassembled);
	jw_obj_open(&w, "observations");
	jw_uint(&w, "dns", st->obs_dns);
	jw_obj_close(&w);
	jw_obj_open(&w, "records");
	jw_uint(&w, "written", st->records_written);
	jw_obj_close(&w);
	/* Every reason, zero or not, so a dashboard sees the same fields in every record. */
	jw_obj_open(&w, "skipped");
	for (int r = 0; r < SKIP_MAX; r++)
		if (r != SKIP_FLOW_EVICTED)
			jw_uint(&w, skip_names[r], st->skip[r]);
	jw_obj_close(&w);
	jw_obj_open(&w, "memory");
	jw_uint(&w, "flows", x->mem_flows);
	jw_uint(&w, "reassembly", x->mem_reasm);
	jw_uint(&w, "fragments", x->mem_frag);
	jw_uint(&w, "ndpi", x->mem_ndpi);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_obj_close(&w);
	return jw_end(&w);
}

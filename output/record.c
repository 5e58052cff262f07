/* record.c: ECS records for observations and statistics (Elastic Common Schema 8.x names;
 * fields ECS has no home for live under misroute.*). */
#include "output/record.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "dissectors/autodiscover.h"
#include "dissectors/dns.h"
#include "dissectors/tls.h"
#include "core/iptext.h"
#include "core/limits.h"
#include "enrich/geo.h"
#include "flow/communityid.h"
#include "output/json.h"
#include "rules/suffix.h"

/* ECS as.* and geo.* of one end; a special-purpose address is named in geo.name. */
static void record_geo(struct jw *w, const struct geo_info *g)
{
	if (g->asn) {
		jw_obj_open(w, "as");
		jw_uint(w, "number", g->asn);
		if (g->as_org[0]) {
			jw_obj_open(w, "organization");
			jw_str(w, "name", g->as_org);
			jw_obj_close(w);
		}
		jw_obj_close(w);
	}
	if (!g->special && !g->country[0] && !g->city[0] && !g->has_location)
		return;
	jw_obj_open(w, "geo");
	if (g->special)
		jw_lit(w, "name", g->special); /* geo.c's names of the blocks */
	if (g->country[0])
		jw_str(w, "country_iso_code", g->country);
	if (g->city[0])
		jw_str(w, "city_name", g->city);
	if (g->has_location) {
		jw_obj_open(w, "location");
		jw_double(w, "lat", g->lat);
		jw_double(w, "lon", g->lon);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

static void record_endpoint(struct jw *w, const char *qk, size_t qn, int version, const uint8_t *a,
			    uint16_t port, const struct obs_str *domain, const struct geo_info *g)
{
	jw_open_q(w, qk, qn, '{');
	jw_ip(w, "ip", version, a);
	jw_uint(w, "port", port);
	if (g)
		record_geo(w, g);
	if (domain && domain->p) {
		jw_strn(w, "domain", domain->p, domain->len);
		char name[NAME_TEXT_MAX];
		if (domain->len < sizeof name) {
			memcpy(name, domain->p, domain->len);
			name[domain->len] = '\0';
			const char *reg = suffix_registrable(name);
			if (reg)
				jw_str(w, "registered_domain", reg);
		}
	}
	jw_obj_close(w);
}

static void record_network(struct jw *w, const struct obs_conn *c, const char *protocol)
{
	jw_obj_open(w, "network");
	jw_lit(w, "type", c->ip_version == 6 ? "ipv6" : "ipv4");
	jw_lit(w, "transport", c->transport == IPPROTO_TCP ? "tcp" : "udp");
	if (protocol)
		jw_lit(w, "protocol", protocol);
	if (c->application)
		jw_lit(w, "application", c->application); /* dpi.h: nothing to escape */
	jw_lit(w, "community_id", c->community_id); /* "1:" and base64 */
	if (c->n_vlan > 0) {
		jw_obj_open(w, "vlan");
		jw_uint_str(w, "id", c->vlan[0]);
		jw_obj_close(w);
	}
	if (c->n_vlan > 1) {
		jw_obj_open(w, "inner");
		jw_obj_open(w, "vlan");
		jw_uint_str(w, "id", c->vlan[1]);
		jw_obj_close(w);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

/* @timestamp, event.*, source.* and destination.* (with the name the client asked for). */
static void record_head(struct jw *w, const struct obs_conn *c, const char *dataset,
			const struct obs_str *dest_domain)
{
	jw_ts(w, "@timestamp", c->ts_us);
	jw_frag(w, "\"event\":{\"kind\":\"event\",\"category\":[\"network\"],\"type\":[\"protocol\"]");
	jw_lit(w, "dataset", dataset);
	jw_obj_close(w);
	record_endpoint(w, JW_QK("source"), c->ip_version, c->src, c->sport, NULL, c->src_geo);
	record_endpoint(w, JW_QK("destination"), c->ip_version, c->dst, c->dport, dest_domain, c->dst_geo);
}

static const char *const dns_opcodes[16] = { "QUERY", "IQUERY", "STATUS", NULL, "NOTIFY",
					     "UPDATE", "DSO" };

/* RFC 1035 3.2.4 class mnemonics; others as "CLASSnnn" (RFC 3597 section 5). */
static void record_dns_class(struct jw *w, uint16_t rclass)
{
	char b[16];
	const char *n = rclass == 1 ? "IN" : rclass == 3 ? "CH" : rclass == 4 ? "HS" : NULL;
	if (!n) {
		snprintf(b, sizeof b, "CLASS%u", rclass);
		n = b;
	}
	jw_lit(w, "class", n);
}

static void record_dns_rr(struct jw *w, const struct dns_rr *rr)
{
	char tn[16];
	jw_elem_obj_open(w);
	jw_strn(w, "name", rr->name, rr->name_len);
	jw_lit(w, "type", dns_type_name(rr->type, tn, sizeof tn));
	record_dns_class(w, rr->rclass);
	jw_uint(w, "ttl", rr->ttl);
	if (rr->data_len) /* none for a type dns.c does not decode */
		jw_strn(w, "data", rr->data, rr->data_len);
	jw_obj_close(w);
}

static void record_dns_section(struct jw *w, const char *qk, size_t qn, const struct dns_msg *m,
			       enum dns_section sec)
{
	bool any = false;
	for (uint16_t i = 0; i < m->n_rr; i++) {
		if (m->rr[i].section != sec)
			continue;
		if (!any)
			jw_open_q(w, qk, qn, '[');
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
			jw_elem_str(w, flags[i].name);
	jw_arr_close(w);
}

static void record_geo(struct jw *w, const struct geo_info *g);

/* misroute.dns.answer_enrichment: ASN and geo of each address answered (ECS has no place for
 * them inside dns.answers). */
static void record_dns_answer_geo(struct jw *w, const struct dns_msg *m,
				  const struct geo_info *geo)
{
	bool any = false;
	for (uint16_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section != DNS_ANSWER || (rr->type != 1 && rr->type != 28))
			continue;
		if (!any)
			jw_arr_open(w, "answer_enrichment");
		any = true;
		jw_elem_obj_open(w);
		jw_strn(w, "ip", rr->data, rr->data_len);
		record_geo(w, &geo[i]);
		jw_obj_close(w);
	}
	if (any)
		jw_arr_close(w);
}

static void record_dns(struct jw *w, const struct dns_msg *m, const struct geo_info *answer_geo)
{
	char tn[16], op[16];
	jw_obj_open(w, "dns");
	jw_lit(w, "type", m->qr ? "answer" : "query");
	jw_uint_str(w, "id", m->id);
	if (dns_opcodes[m->opcode & 15])
		jw_lit(w, "op_code", dns_opcodes[m->opcode & 15]);
	else
		jw_lit(w, "op_code", (snprintf(op, sizeof op, "OPCODE%u", m->opcode), op));
	record_dns_flags(w, m);
	if (m->qr)
		jw_lit(w, "response_code", dns_rcode_name(m->rcode, tn, sizeof tn));
	if (m->n_q > 0) {
		jw_obj_open(w, "question");
		jw_strn(w, "name", m->q[0].name, m->q[0].name_len);
		jw_lit(w, "type", dns_type_name(m->q[0].type, tn, sizeof tn));
		record_dns_class(w, m->q[0].qclass);
		jw_obj_close(w);
	}
	record_dns_section(w, JW_QK("answers"), m, DNS_ANSWER);
	bool any_ip = false;
	for (uint16_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section != DNS_ANSWER || (rr->type != 1 && rr->type != 28))
			continue;
		if (!any_ip)
			jw_arr_open(w, "resolved_ip");
		any_ip = true;
		jw_elem_strn(w, rr->data, rr->data_len);
	}
	if (any_ip)
		jw_arr_close(w);
	jw_obj_close(w);

	/* What ECS has no field for: further questions, authority and additional records,
	 * EDNS, and what the parser could not keep. */
	bool other_sections = false;
	for (uint16_t i = 0; i < m->n_rr && !other_sections; i++)
		other_sections = m->rr[i].section != DNS_ANSWER;
	bool answer_ips = false;
	for (uint16_t i = 0; i < m->n_rr && answer_geo && !answer_ips; i++)
		answer_ips = m->rr[i].section == DNS_ANSWER && (m->rr[i].type == 1 || m->rr[i].type == 28);
	if (m->n_q < 2 && !other_sections && !m->edns && !m->rr_dropped && !m->reason && !answer_ips)
		return;
	jw_obj_open(w, "misroute");
	jw_obj_open(w, "dns");
	if (m->n_q > 1) {
		jw_arr_open(w, "questions");
		for (uint16_t i = 1; i < m->n_q; i++) {
			jw_elem_obj_open(w);
			jw_strn(w, "name", m->q[i].name, m->q[i].name_len);
			jw_lit(w, "type", dns_type_name(m->q[i].type, tn, sizeof tn));
			jw_obj_close(w);
		}
		jw_arr_close(w);
	}
	record_dns_section(w, JW_QK("authorities"), m, DNS_AUTHORITY);
	record_dns_section(w, JW_QK("additionals"), m, DNS_ADDITIONAL);
	if (answer_ips)
		record_dns_answer_geo(w, m, answer_geo);
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

static void record_ostr(struct jw *w, const char *qk, size_t qn, const struct obs_str *s)
{
	if (s->p)
		jw_strn_q(w, qk, qn, s->p, s->len);
}

static bool record_has_at(const struct obs_str *s)
{
	return s->p && memchr(s->p, '@', s->len) != NULL;
}

static void record_autodiscover(struct jw *w, const char *qk, size_t qn, const struct ad_result *ad)
{
	jw_open_q(w, qk, qn, '{');
	if (ad->action)
		jw_str(w, "action", ad->action);
	if (ad->error)
		jw_str(w, "error", ad->error);
	if (ad->n_mailbox) {
		jw_arr_open(w, "mailboxes");
		for (uint16_t i = 0; i < ad->n_mailbox; i++) {
			jw_elem_obj_open(w);
			jw_str(w, "address", ad->mailbox[i].addr);
			jw_str(w, "source", ad->mailbox[i].source);
			if (ad->mailbox[i].redirect)
				jw_bool(w, "redirect", true);
			jw_obj_close(w);
		}
		jw_arr_close(w);
	}
	if (ad->n_server) {
		jw_arr_open(w, "servers");
		for (uint16_t i = 0; i < ad->n_server; i++) {
			const struct ad_server *sv = &ad->server[i];
			jw_elem_obj_open(w);
			if (sv->protocol)
				jw_str(w, "protocol", sv->protocol);
			if (sv->host)
				jw_str(w, "host", sv->host);
			if (sv->port)
				jw_uint(w, "port", sv->port);
			if (sv->url)
				jw_str(w, "url", sv->url);
			if (sv->username)
				jw_str(w, "username", sv->username);
			if (sv->encryption)
				jw_str(w, "encryption", sv->encryption);
			jw_str(w, "source", sv->source);
			if (sv->redirect)
				jw_bool(w, "redirect", true);
			jw_obj_close(w);
		}
		jw_arr_close(w);
	}
	if (ad->truncated)
		jw_bool(w, "truncated", true);
	if (ad->reason)
		jw_str(w, "malformed", ad->reason);
	jw_obj_close(w);
}

/* ECS url.*, http.*, user_agent.*, user.* and destination.domain of one exchange. */
static void record_http(struct jw *w, const struct obs_http *h)
{
	if (h->host.p) {
		jw_obj_open(w, "url");
		/* ECS keeps the brackets of an IPv6 literal in url.domain. */
		if (h->host_ipv6) {
			char b[300];
			int n = snprintf(b, sizeof b, "[%.*s]", (int)(h->host.len < 290 ? h->host.len : 290),
					 h->host.p);
			jw_strn(w, "domain", b, (size_t)n);
		} else {
			record_ostr(w, JW_QK("domain"), &h->host);
		}
		if (h->port)
			jw_uint(w, "port", h->port);
	} else {
		jw_obj_open(w, "url");
	}
	record_ostr(w, JW_QK("original"), &h->target);
	record_ostr(w, JW_QK("path"), &h->path);
	record_ostr(w, JW_QK("query"), &h->query);
	jw_obj_close(w);
	jw_obj_open(w, "http");
	jw_str(w, "version", h->version.p);
	jw_obj_open(w, "request");
	record_ostr(w, JW_QK("method"), &h->method);
	record_ostr(w, JW_QK("mime_type"), &h->req_content_type);
	if (h->req_body_bytes) {
		jw_obj_open(w, "body");
		jw_uint(w, "bytes", h->req_body_bytes);
		jw_obj_close(w);
	}
	jw_obj_close(w);
	if (h->has_response) {
		jw_obj_open(w, "response");
		jw_uint(w, "status_code", h->status);
		record_ostr(w, JW_QK("mime_type"), &h->resp_content_type);
		if (h->resp_body_bytes) {
			jw_obj_open(w, "body");
			jw_uint(w, "bytes", h->resp_body_bytes);
			jw_obj_close(w);
		}
		jw_obj_close(w);
	}
	jw_obj_close(w);
	if (h->user_agent.p) {
		jw_obj_open(w, "user_agent");
		record_ostr(w, JW_QK("original"), &h->user_agent);
		jw_obj_close(w);
	}
	if (h->auth_user.p) {
		jw_obj_open(w, "user");
		record_ostr(w, JW_QK("name"), &h->auth_user);
		if (record_has_at(&h->auth_user))
			record_ostr(w, JW_QK("email"), &h->auth_user);
		jw_obj_close(w);
	}
	if (!h->auth_scheme.p && !h->anchor_mailbox.p && !h->location.p && !h->mailbox &&
	    !h->ad_request && !h->ad_response)
		return;
	jw_obj_open(w, "misroute");
	jw_obj_open(w, "http");
	record_ostr(w, JW_QK("auth_scheme"), &h->auth_scheme);
	record_ostr(w, JW_QK("anchor_mailbox"), &h->anchor_mailbox);
	record_ostr(w, JW_QK("location"), &h->location);
	if (h->mailbox)
		jw_str(w, "mailbox", h->mailbox);
	jw_obj_close(w);
	if (h->ad_request)
		record_autodiscover(w, JW_QK("autodiscover_request"), h->ad_request);
	if (h->ad_response)
		record_autodiscover(w, JW_QK("autodiscover"), h->ad_response);
	jw_obj_close(w);
}

static void record_tls(struct jw *w, const struct obs_tls *t)
{
	const struct tls_hello *h = t->hello;
	jw_obj_open(w, "tls");
	jw_obj_open(w, "client");
	if (h->has_sni)
		jw_str(w, "server_name", h->sni);
	jw_str(w, "ja3", h->ja3_md5);
	jw_obj_close(w);
	if (h->n_alpn)
		jw_str(w, "next_protocol", h->alpn[0]);
	jw_obj_close(w);
	jw_obj_open(w, "misroute");
	jw_obj_open(w, "tls");
	jw_str(w, "ja4", h->ja4);
	if (h->n_alpn) {
		jw_arr_open(w, "alpn");
		for (uint8_t i = 0; i < h->n_alpn; i++)
			jw_elem_str(w, h->alpn[i]);
		jw_arr_close(w);
	}
	static const char hex[] = "0123456789abcdef";
	const char v[] = { '0', 'x', hex[h->version >> 12 & 15], hex[h->version >> 8 & 15],
			   hex[h->version >> 4 & 15], hex[h->version & 15], '\0' };
	jw_lit(w, "offered_version", v); /* snprintf cost a twentieth of a TLS record */
	if (h->ech)
		jw_bool(w, "ech", true);
	jw_obj_close(w);
	jw_obj_close(w);
}

static void record_strings(struct jw *w, const char *qk, size_t qn, const char *const *v, size_t n)
{
	if (!n)
		return;
	jw_open_q(w, qk, qn, '[');
	for (size_t i = 0; i < n; i++)
		jw_elem_str(w, v[i]);
	jw_arr_close(w);
}

static void record_mail(struct jw *w, const struct obs_mail *m)
{
	jw_obj_open(w, "misroute");
	jw_obj_open(w, "mail");
	if (m->banner_host)
		jw_str(w, "banner_host", m->banner_host);
	if (m->helo)
		jw_str(w, "helo", m->helo);
	jw_lit(w, "tls", m->implicit_tls ? "implicit" : m->starttls ? "starttls" : "none");
	if (m->starttls_asked)
		jw_bool(w, "starttls_asked", true);
	jw_uint(w, "logins", m->logins);
	record_strings(w, JW_QK("mail_from_domains"), m->mail_from, m->n_mail_from);
	record_strings(w, JW_QK("rcpt_to_domains"), m->rcpt_to, m->n_rcpt_to);
	jw_obj_close(w);
	jw_obj_close(w);
}

static void record_login(struct jw *w, const struct obs_login *l)
{
	if (l->user) {
		jw_obj_open(w, "user");
		jw_str(w, "name", l->user);
		if (strchr(l->user, '@'))
			jw_str(w, "email", l->user);
		jw_obj_close(w);
	}
	jw_obj_open(w, "misroute");
	jw_obj_open(w, "login");
	jw_str(w, "method", l->method);
	if (l->mechanism)
		jw_str(w, "mechanism", l->mechanism);
	if (l->result >= 0)
		jw_lit(w, "result", l->result ? "success" : "failure");
	jw_obj_close(w);
	jw_obj_close(w);
}

size_t record_event(char *buf, size_t cap, const struct obs *o)
{
	struct jw w;
	jw_begin(&w, buf, cap);
	switch (o->kind) {
	case OBS_DNS:
		record_head(&w, &o->conn, "misroute.dns", NULL);
		record_network(&w, &o->conn, "dns");
		record_dns(&w, o->u.dns, o->answer_geo);
		break;
	case OBS_HTTP:
		record_head(&w, &o->conn, "misroute.http", o->u.http->host.p && !o->u.http->host_ipv6
								? &o->u.http->host : NULL);
		record_network(&w, &o->conn, "http");
		record_http(&w, o->u.http);
		break;
	case OBS_TLS: {
		const struct obs_tls *t = o->u.tls;
		const char *sni = t->hello->has_sni ? t->hello->sni : NULL;
		struct obs_str d = { sni, sni ? strlen(sni) : 0 };
		record_head(&w, &o->conn, "misroute.tls", sni ? &d : NULL);
		record_network(&w, &o->conn, t->quic ? "quic" : "tls");
		record_tls(&w, t);
		break;
	}
	case OBS_MAIL:
		record_head(&w, &o->conn, "misroute.mail", NULL);
		record_network(&w, &o->conn, o->u.mail->protocol);
		record_mail(&w, o->u.mail);
		break;
	case OBS_LOGIN:
		record_head(&w, &o->conn, "misroute.mail", NULL);
		record_network(&w, &o->conn, o->u.login->protocol);
		record_login(&w, o->u.login);
		break;
	case OBS_FLOW:
		return 0; /* flows feed detection only */
	}
	return jw_end(&w);
}

static void record_related_add(struct jw *w, const char *const *seen, size_t n, const char *v)
{
	if (!v || !v[0])
		return;
	for (size_t i = 0; i < n; i++)
		if (seen[i] && !strcmp(seen[i], v))
			return;
	jw_elem_str(w, v);
}

/* ECS related.*: every address, host and user the incident involves, once each. */
static void record_related(struct jw *w, const struct alert *a)
{
	char src[IP_TEXT_MAX], dst[IP_TEXT_MAX];
	ip_text(a->conn.ip_version, a->conn.src, src);
	ip_text(a->conn.ip_version, a->conn.dst, dst);
	jw_obj_open(w, "related");
	jw_arr_open(w, "ip");
	jw_elem_str(w, src);
	if (strcmp(src, dst))
		jw_elem_str(w, dst);
	jw_arr_close(w);
	const char *hosts[4 + ALERT_MAX_EVIDENCE] = { a->name, a->domain, a->server_name };
	size_t n = 3;
	for (uint8_t i = 0; i < a->n_evidence; i++)
		if (!strchr(a->evidence[i].name, '@'))
			hosts[n++] = a->evidence[i].name;
	jw_arr_open(w, "hosts");
	for (size_t i = 0; i < n; i++)
		if (hosts[i] && hosts[i][0] && !strchr(hosts[i], '@') && strcmp(hosts[i], dst))
			record_related_add(w, hosts, i, hosts[i]);
	jw_arr_close(w);
	if (a->user[0]) {
		jw_arr_open(w, "user");
		jw_elem_str(w, a->user);
		jw_arr_close(w);
	}
	jw_obj_close(w);
}

size_t record_alert(char *buf, size_t cap, const struct alert *a)
{
	struct jw w;
	jw_begin(&w, buf, cap);
	jw_ts(&w, "@timestamp", a->first_us);
	jw_obj_open(&w, "event");
	jw_str(&w, "kind", "alert");
	jw_arr_open(&w, "category");
	jw_elem_str(&w, "network");
	jw_elem_str(&w, "intrusion_detection");
	if (a->kind == ALERT_CREDENTIALS)
		jw_elem_str(&w, "authentication");
	jw_arr_close(&w);
	jw_arr_open(&w, "type");
	jw_elem_str(&w, "indicator");
	jw_arr_close(&w);
	jw_str(&w, "dataset", "misroute.alert");
	jw_uint(&w, "severity", a->severity);
	jw_ts(&w, "start", a->first_us);
	jw_ts(&w, "end", a->last_us);
	jw_obj_close(&w);
	jw_obj_open(&w, "rule");
	jw_str(&w, "id", a->rule_id);
	jw_str(&w, "name", alert_kind_name(a->kind));
	jw_str(&w, "ruleset", "misroute");
	if (a->rule_description[0])
		jw_str(&w, "description", a->rule_description);
	if (a->rule_reference[0])
		jw_str(&w, "reference", a->rule_reference);
	jw_obj_close(&w);
	jw_str(&w, "message", a->message);
	struct obs_str dom = { a->server_name, strlen(a->server_name) };
	record_endpoint(&w, JW_QK("source"), a->conn.ip_version, a->conn.src, a->conn.sport, NULL,
			a->have_geo ? &a->src_geo : NULL);
	record_endpoint(&w, JW_QK("destination"), a->conn.ip_version, a->conn.dst, a->conn.dport,
			a->server_name[0] ? &dom : NULL, a->have_geo ? &a->dst_geo : NULL);
	struct obs_conn c = a->conn;
	c.community_id = a->community_id;
	c.application = a->application[0] ? a->application : NULL;
	record_network(&w, &c, a->protocol[0] ? a->protocol : NULL);
	if (a->user[0]) {
		jw_obj_open(&w, "user");
		jw_str(&w, "name", a->user);
		if (strchr(a->user, '@'))
			jw_str(&w, "email", a->user);
		jw_obj_close(&w);
	}
	jw_obj_open(&w, "threat");
	jw_str(&w, "framework", "MITRE ATT&CK");
	if (a->n_techniques) {
		jw_obj_open(&w, "technique");
		jw_arr_open(&w, "id");
		for (uint8_t i = 0; i < a->n_techniques; i++)
			jw_elem_str(&w, a->techniques[i]);
		jw_arr_close(&w);
		jw_obj_close(&w);
	}
	jw_arr_open(&w, "enrichments");
	jw_elem_obj_open(&w);
	jw_obj_open(&w, "matched");
	jw_str(&w, "atomic", a->atomic);
	jw_str(&w, "field", a->field);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	record_related(&w, a);
	jw_obj_open(&w, "misroute");
	jw_uint(&w, "count", a->count);
	jw_str(&w, "incident", alert_kind_name(a->kind));
	if (a->capture_loss)
		jw_bool(&w, "capture_loss", true);
	if (a->domain[0])
		jw_str(&w, "domain", a->domain);
	jw_arr_open(&w, "evidence");
	for (uint8_t i = 0; i < a->n_evidence; i++) {
		const struct alert_evidence *ev = &a->evidence[i];
		char cid[COMMUNITY_ID_LEN];
		const struct alert_where *at = &ev->at;
		community_id_v1(0, at->ip_version, at->src, at->dst, at->transport, at->sport,
				at->dport, cid);
		jw_elem_obj_open(&w);
		jw_ts(&w, "@timestamp", at->ts_us);
		jw_str(&w, "kind", ev->kind);
		jw_str(&w, "name", ev->name);
		jw_str(&w, "community_id", cid);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	return jw_end(&w);
}

size_t record_notice(char *buf, size_t cap, uint64_t ts_us, bool error, const char *message)
{
	struct jw w;
	jw_begin(&w, buf, cap);
	jw_ts(&w, "@timestamp", ts_us);
	jw_obj_open(&w, "event");
	jw_str(&w, "kind", "event");
	jw_arr_open(&w, "category");
	jw_elem_str(&w, "configuration");
	jw_arr_close(&w);
	jw_arr_open(&w, "type");
	jw_elem_str(&w, error ? "error" : "change");
	jw_arr_close(&w);
	jw_str(&w, "dataset", "misroute.config");
	jw_str(&w, "outcome", error ? "failure" : "success");
	jw_obj_close(&w);
	jw_str(&w, "message", message);
	if (error) {
		jw_obj_open(&w, "error");
		jw_str(&w, "message", message);
		jw_obj_close(&w);
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
	if (x->n_caps) {
		struct capture_counters t = { 0 };
		for (size_t i = 0; i < x->n_caps; i++) {
			t.received += x->caps[i].received;
			t.dropped += x->caps[i].dropped;
			t.ifdropped += x->caps[i].ifdropped;
		}
		jw_obj_open(&w, "capture");
		jw_uint(&w, "received", t.received);
		jw_uint(&w, "dropped", t.dropped);
		jw_uint(&w, "if_dropped", t.ifdropped);
		jw_arr_open(&w, "workers");
		for (size_t i = 0; i < x->n_caps; i++) {
			jw_elem_obj_open(&w);
			jw_uint(&w, "worker", i);
			jw_uint(&w, "received", x->caps[i].received);
			jw_uint(&w, "dropped", x->caps[i].dropped);
			jw_uint(&w, "if_dropped", x->caps[i].ifdropped);
			jw_uint(&w, "packets", x->caps[i].packets);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
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
			jw_uint_named(&w, x->app_names[i], x->app_counts[i]);
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	jw_uint(&w, "tcp_bytes_reassembled", st->tcp_bytes_reassembled);
	jw_obj_open(&w, "observations");
	jw_uint(&w, "dns", st->obs_dns);
	jw_uint(&w, "http", st->obs_http);
	jw_uint(&w, "tls", st->obs_tls);
	jw_uint(&w, "quic", st->obs_quic);
	jw_uint(&w, "mail", st->obs_mail);
	jw_uint(&w, "login", st->obs_login);
	jw_obj_close(&w);
	jw_obj_open(&w, "incidents");
	for (int k = ALERT_AUTODISCOVER; k <= ALERT_RESERVED_ADDR; k++)
		jw_uint_named(&w, alert_kind_name((enum alert_kind)k), st->alerts[k]);
	jw_obj_close(&w);
	jw_obj_open(&w, "records");
	jw_uint(&w, "written", st->records_written);
	jw_obj_close(&w);
	/* Every reason, zero or not, so a dashboard sees the same fields in every record. */
	jw_obj_open(&w, "skipped");
	for (int r = 0; r < SKIP_MAX; r++)
		if (r != SKIP_FLOW_EVICTED)
			jw_uint_named(&w, skip_names[r], st->skip[r]);
	jw_obj_close(&w);
	if (x->geo) {
		const struct geo_stats gs = x->geo_stats;
		jw_obj_open(&w, "geo");
		jw_uint(&w, "lookups", gs.lookups);
		jw_uint(&w, "cache_hits", gs.cache_hits);
		jw_uint(&w, "db_lookups", gs.db_lookups);
		jw_uint(&w, "not_found", gs.not_found);
		jw_uint(&w, "errors", gs.errors);
		jw_obj_close(&w);
		/* Why enrichment fields are absent, when they are: a database missing or broken. */
		jw_obj_open(&w, "geo_status");
		jw_str(&w, "city", geo_status(x->geo, GEO_DB_CITY));
		jw_str(&w, "asn", geo_status(x->geo, GEO_DB_ASN));
		jw_obj_close(&w);
	}
	if (x->n_sinks) {
		jw_arr_open(&w, "sinks");
		for (size_t i = 0; i < x->n_sinks; i++) {
			const struct output_sink_stats *k = &x->sinks[i];
			jw_elem_obj_open(&w);
			jw_str(&w, "spec", k->spec);
			jw_uint(&w, "queued", k->queued);
			jw_uint(&w, "sent", k->sent);
			jw_uint(&w, "dropped", k->dropped);
			jw_uint(&w, "reconnects", k->reconnects);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
	}
	jw_obj_open(&w, "memory");
	jw_uint(&w, "flows", x->mem_flows);
	jw_uint(&w, "reassembly", x->mem_reasm);
	jw_uint(&w, "reassembly_peak", x->mem_reasm_peak);
	jw_uint(&w, "fragments", x->mem_frag);
	jw_uint(&w, "ndpi", x->mem_ndpi);
	jw_uint(&w, "detect", x->mem_detect);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_obj_close(&w);
	return jw_end(&w);
}

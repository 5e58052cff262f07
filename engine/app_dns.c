/* app_dns.c: DNS messages from UDP payloads and from TCP streams (RFC 1035 4.2, RFC 7766). */
#include <string.h>

#include "core/cursor.h"
#include "engine/internal.h"

void app_dns_message(struct engine *e, struct flow *f, int dir, const uint8_t *p, size_t len,
		     bool cut)
{
	enum dis_status rc = dns_parse(p, len, &e->dns);
	/* The end a snaplen cut off (counted as CAPLEN_SHORT) is missing, not malformed. */
	if (rc != DIS_OK) {
		if (!cut)
			stats_skip(&e->st, rc == DIS_SHORT ? SKIP_DNS_SHORT : SKIP_DNS_MALFORMED);
		return;
	}
	/* A partial parse keeps what came before the fault (or the cap) and says why. */
	if (e->dns.rr_dropped)
		stats_skip(&e->st, SKIP_DNS_RR_CAP);
	else if (e->dns.reason && !cut)
		stats_skip(&e->st, SKIP_DNS_MALFORMED);
	e->st.obs_dns++;
	struct obs o = { .kind = OBS_DNS, .u.dns = &e->dns };
	/* The addresses a name resolves to, enriched like the ends of the connection. */
	if (e->geo_on && e->cfg.log_events) {
		for (uint16_t i = 0; i < e->dns.n_rr; i++) {
			const struct dns_rr *rr = &e->dns.rr[i];
			if (rr->section == DNS_ANSWER && rr->has_addr)
				geo_lookup(e->geo, rr->type == 28 ? 6 : 4, rr->addr, &e->geo_answers[i]);
		}
		o.answer_geo = e->geo_answers;
	}
	engine_observe(e, f, dir, e->now_us, &o);
}

/* A DNS message without its length prefix, as a stream picked up mid-message shows it:
 * plausible when the bytes parse whole as one message with at least one question. */
static bool app_dns_bare(struct engine *e, const uint8_t *p, size_t len)
{
	return dns_parse(p, len, &e->dns) == DIS_OK && !e->dns.reason && e->dns.n_q > 0;
}

/* Messages behind a 2-byte length. After lost bytes or on a stream picked up mid-way, the
 * first bytes are checked before they are trusted as a length prefix. */
size_t app_dns_stream(void *arg, const uint8_t *data, size_t len, bool gap)
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
			if (ad->resync && app_dns_bare(e, data + done, len - done)) {
				app_dns_message(e, f, e->cur_dir, data + done, len - done, false);
				ad->resync = false;
				return len;
			}
			return done;
		}
		const uint8_t *msg = cur_take(&c, mlen);
		ad->resync = false;
		app_dns_message(e, f, e->cur_dir, msg, mlen, false);
		done = cur_off(&c);
		/* A whole message that ends before its frame: the prefix lied, so the next one is
		 * not where it says. The bytes after it are looked at as after a loss. */
		if (!e->dns.reason && e->dns.used < mlen) {
			stats_skip(&e->st, SKIP_DNS_TCP_LEN);
			ad->resync = true;
		}
	}
	return done;
}

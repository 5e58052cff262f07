/* app_tls.c: the TLS ClientHello at the start of a client stream (RFC 8446 4.1.2), from the
 * first byte or after STARTTLS. */
#include "engine/internal.h"

size_t app_tls_stream(void *arg, const uint8_t *data, size_t len, bool gap)
{
	struct engine *e = arg;
	struct flow *f = e->cur_flow;
	struct flow_app_dir *ad = &f->appdir[e->cur_dir];
	/* A hello is read once, from its first byte: after a loss there is nothing to find. */
	if (ad->done || gap) {
		ad->done = true;
		return len;
	}
	enum dis_status rc = tls_client_hello(data, len, &e->tls);
	if (rc == DIS_SHORT)
		return 0; /* the rest of the hello is in later segments */
	ad->done = true;
	if (rc != DIS_OK) {
		stats_skip(&e->st, SKIP_TLS_MALFORMED);
		return len;
	}
	e->st.obs_tls++;
	if (e->cfg.log_events) /* only event records carry them */
		tls_fingerprints(&e->tls, &e->tls_memo);
	struct obs_tls t = { .hello = &e->tls };
	struct obs o = { .kind = OBS_TLS, .u.tls = &t };
	engine_observe(e, f, e->cur_dir, e->now_us, &o);
	return len;
}

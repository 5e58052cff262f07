/* app_quic.c: the TLS ClientHello inside QUIC Initial packets (RFC 9000 17.2.2, RFC 9001 5,
 * RFC 9369), gathered across Initials and read like any other ClientHello. */
#include <stdlib.h>

#include "engine/internal.h"

void app_quic_datagram(struct engine *e, struct flow *f, int dir, const uint8_t *p, size_t len)
{
	struct quic_crypto *acc = f->app_state;
	if (!acc) {
		if (e->quic_live >= QUIC_MAX_LIVE || !(acc = calloc(1, sizeof *acc))) {
			stats_skip(&e->st, SKIP_APP_ALLOC);
			return;
		}
		quic_crypto_reset(acc);
		f->app_state = acc;
		e->quic_live++;
	}
	/* Server Initials and later packets fail to decrypt with the client's keys: that is
	 * expected, not malformed. */
	if (quic_initial(p, len, acc) != DIS_OK || acc->pkt.crypto_bytes == 0)
		return;
	size_t n = quic_frame_as_record(acc->bytes, acc->contig, e->quic_records,
					sizeof e->quic_records);
	/* Each Initial that carries (a part completing) the ClientHello is one observation, as
	 * a retransmitted or retried Initial is a new attempt by the client. */
	if (n == 0 || tls_client_hello(e->quic_records, n, &e->tls) != DIS_OK)
		return;
	e->st.obs_quic++;
	if (e->cfg.log_events) /* only event records carry them */
		tls_fingerprints(&e->tls, &e->tls_memo);
	struct obs_tls t = { .hello = &e->tls, .quic = true };
	struct obs o = { .kind = OBS_TLS, .u.tls = &t };
	engine_observe(e, f, dir, e->now_us, &o);
}

void app_quic_end(struct engine *e, struct flow *f)
{
	if (!f->app_state)
		return;
	free(f->app_state);
	f->app_state = NULL;
	e->quic_live--;
}

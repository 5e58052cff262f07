/* dpi.h: the one wrapper around nDPI: per-flow application classification. nDPI sees a
 * flow's first packets with payload only, and its per-flow state is freed as soon as the
 * classification is over. */
#ifndef MISROUTE_DPI_H
#define MISROUTE_DPI_H

#include <stddef.h>

#include "capture/decode.h"
#include "core/stats.h"
#include "flow/flow.h"

struct dpi;

/* Loads nDPI with every protocol enabled; NULL when it cannot. */
struct dpi *dpi_new(void);
void dpi_free(struct dpi *d);

/* Gives nDPI one packet of flow f (nothing once f->ndpi_done). Allocates the flow's nDPI
 * state on its first packet with payload, frees it when nDPI has decided or has had
 * FLOW_NDPI_MAX_PACKETS packets. */
void dpi_packet(struct dpi *d, struct flow *f, const struct packet *pkt, struct stats *st);

/* Our own dissectors recognised f (f->app, f->mail_proto, the ports): nDPI is not run on
 * it, and its application is the protocol until dpi_observed says more. */
void dpi_known(struct dpi *d, struct flow *f);

/* A message of f was observed, naming name (TLS SNI, HTTP Host, a DNS question; NULL: none).
 * For a flow nDPI does not run on, nDPI's host patterns may name the application ("gmail")
 * from the first name, else its address lists from the server's address. Work done once per
 * flow, and only for flows with something to report. */
void dpi_observed(struct dpi *d, struct flow *f, const char *name, size_t len);

/* Ends classification of f now (flow released): keeps nDPI's best guess, frees its state. */
void dpi_flow_done(struct dpi *d, struct flow *f);

/* The flow's application protocol in lower case ("dns", "tls", "google"), or NULL when
 * nDPI does not know it (yet): printable ASCII with no quote or backslash. */
const char *dpi_name(const struct dpi *d, const struct flow *f);

/* Counts a flow that ends under its application name (for the metric record). */
void dpi_tally(struct dpi *d, const struct flow *f);
/* Fills names/counts with the non-zero tallies in protocol-id order; returns how many. */
size_t dpi_tallies(const struct dpi *d, const char **names, uint64_t *counts, size_t max);

/* Bytes of nDPI flow state alive now. */
size_t dpi_memory(const struct dpi *d);

#endif

/* alert.h: an incident as detection hands it to the record writer — copied, self-contained
 * (a rule reload or a flow's end cannot pull anything from under it). */
#ifndef MISROUTE_ALERT_H
#define MISROUTE_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/obs.h"
#include "enrich/geo.h"

#define ALERT_MAX_EVIDENCE 8
#define ALERT_NAME 256
#define ALERT_TECHNIQUES 8

/* The incident kinds of DESIGN.md "What counts as an incident". */
enum alert_kind {
	ALERT_AUTODISCOVER = 1,  /* autodiscover for a reserved domain */
	ALERT_OUTSIDE,           /* an answer (DNS or autodiscover) pointing outside the domain */
	ALERT_MAIL_AFTER,        /* mail connection after reserved autodiscover */
	ALERT_CREDENTIALS,       /* credentials for a reserved or watched account sent outward */
	ALERT_BACKOFF,           /* autodiscover.<public suffix> */
	ALERT_RESERVED_ADDR,     /* a connection to a reserved address range */
};

/* When, and on which connection, something was observed. Passive DNS keeps one per name it
 * remembers, so the connection is kept as it came and its Community ID made only when a
 * record is written. */
struct alert_where {
	uint64_t ts_us;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t transport, ip_version;
};

/* One observation in the chain of evidence. */
struct alert_evidence {
	struct alert_where at;
	/* "dns_query", "dns_answer", "http", "tls", "mail", "login" or "flow" */
	char kind[16];
	char name[ALERT_NAME];
};

struct alert {
	enum alert_kind kind;
	uint8_t severity;
	uint32_t count;               /* repeats aggregated into this record */
	uint64_t first_us, last_us;
	char rule_id[128], rule_description[256], rule_reference[256];
	char techniques[ALERT_TECHNIQUES][16];
	uint8_t n_techniques;
	/* The connection of the first occurrence; its strings copied below. */
	struct obs_conn conn;
	char community_id[32], application[32], protocol[16];
	struct geo_info src_geo, dst_geo; /* copies; conn's pointers are set when written */
	bool have_geo;
	bool capture_loss;            /* the capture dropped packets while it was raised */
	char name[ALERT_NAME];        /* the name the incident is about (aggregation key) */
	char domain[ALERT_NAME];      /* the reserved or watched domain D */
	char atomic[ALERT_NAME];      /* threat.enrichments.matched.atomic: the observed value */
	char field[48];               /* ... and the field it came from */
	char server_name[ALERT_NAME]; /* destination.domain, when known */
	char user[ALERT_NAME];        /* user.name, never a secret */
	char message[1024];
	struct alert_evidence evidence[ALERT_MAX_EVIDENCE];
	uint8_t n_evidence;
};

/* The kind's name, rule.name of its records ("mail-after-reserved-autodiscover"). */
const char *alert_kind_name(enum alert_kind k);

#endif

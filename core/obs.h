/* obs.h: observations — what the dissectors saw, with the connection it was seen on.
 * Produced by the engine, consumed by detection and by the record writer. Everything is
 * lent for the duration of one call. */
#ifndef MISROUTE_OBS_H
#define MISROUTE_OBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dns_msg;
struct geo_info;
struct tls_hello;
struct ad_result;

enum obs_kind {
	OBS_DNS,
	OBS_HTTP,
	OBS_TLS,       /* a TLS ClientHello, or a QUIC Initial's (conn.transport tells) */
	OBS_MAIL,      /* one mail connection, at its end */
	OBS_LOGIN,     /* one login attempt on a mail connection */
	OBS_FLOW,      /* a flow that ended (for detection only: no event record) */
};

/* The message's connection: source is the sender of this message. */
struct obs_conn {
	uint64_t ts_us;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint16_t vlan[2];
	uint8_t n_vlan;
	uint8_t ip_version;
	uint8_t transport;        /* IPPROTO_TCP / IPPROTO_UDP */
	const char *application;  /* nDPI's name for the flow, or NULL */
	const char *community_id;  /* NULL when no record of the observation is written */
	const char *mail_protocol; /* "smtp", "imap", "pop3" when the flow is mail, else NULL */
	bool to_server;           /* source is the client (the side that opened the flow) */
	const struct geo_info *src_geo, *dst_geo; /* ASN and geo of both ends, or NULL */
};

/* Bytes from the network with their length: may hold NUL or invalid UTF-8. */
struct obs_str {
	const char *p;            /* NULL: absent */
	size_t len;
};

struct obs_http {
	struct obs_str method, target, path, query, version;
	struct obs_str host;      /* normalised, no port, no brackets */
	bool host_ipv6;
	uint16_t port;            /* written in Host or the target; 0 when not */
	struct obs_str user_agent, anchor_mailbox, req_content_type;
	struct obs_str auth_scheme, auth_user;  /* the Basic user only; never a secret */
	uint64_t req_body_bytes;
	bool has_response;
	uint16_t status;
	struct obs_str location, resp_content_type;
	uint64_t resp_body_bytes;
	const char *mailbox;      /* the autodiscover mailbox named by the URL, or NULL */
	const struct ad_result *ad_request, *ad_response; /* parsed autodiscover bodies */
};

struct obs_tls {
	const struct tls_hello *hello; /* the parsed ClientHello */
	bool quic;                     /* it came in QUIC Initial packets */
};

struct obs_mail {
	const char *protocol;     /* "smtp", "imap", "pop3" */
	const char *banner_host;  /* server name from its greeting, or NULL */
	const char *helo;         /* SMTP HELO/EHLO name, or NULL */
	bool starttls_asked, starttls;   /* the client asked; the server agreed */
	bool implicit_tls;        /* TLS from the first byte (465, 993, 995) */
	unsigned logins;
	const char *const *mail_from; size_t n_mail_from;  /* sender domains */
	const char *const *rcpt_to; size_t n_rcpt_to;      /* recipient domains */
};

struct obs_login {
	const char *protocol;
	const char *user;         /* never a password */
	const char *method;       /* "sasl", "login", "user", "apop" */
	const char *mechanism;    /* SASL mechanism, or NULL */
	int result;               /* 1 accepted, 0 refused, -1 not seen */
	const char *banner_host;  /* the server's name from its greeting, or NULL */
};

/* A flow at its end: did both sides talk? */
struct obs_flow {
	uint32_t pkts[2];         /* client -> server, server -> client */
	uint64_t bytes[2];
	uint64_t first_us, last_us;
};

struct obs {
	enum obs_kind kind;
	struct obs_conn conn;
	/* OBS_DNS: ASN and geo of each answer record's address, parallel to dns->rr (entries of
	 * records that are not A/AAAA answers are unused), or NULL. */
	const struct geo_info *answer_geo;
	union {
		const struct dns_msg *dns;
		const struct obs_http *http;
		const struct obs_tls *tls;
		const struct obs_mail *mail;
		const struct obs_login *login;
		const struct obs_flow *flow;
	} u;
};

#endif

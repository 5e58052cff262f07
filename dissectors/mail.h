/* mail.h: SMTP (RFC 5321, AUTH RFC 4954), IMAP (RFC 3501/9051) and POP3 (RFC 1939) sessions from reassembled streams, with SASL PLAIN (RFC 4616) and LOGIN; secrets are skipped, never kept.
 *
 * Also followed: RFC 3207 and RFC 2595 (STARTTLS, STLS), RFC 3030 (BDAT), RFC 2920 (pipelining),
 * RFC 7888 (LITERAL+), RFC 4959 (SASL-IR), RFC 2449 (CAPA), RFC 5034 (POP3 AUTH), RFC 2195
 * (CRAM-MD5). No password, PLAIN password, LOGIN password line, APOP digest, CRAM digest or
 * OAuth token is ever copied into the session or an event; decoded SASL data is wiped.
 *
 * Wiring: one struct mail_session per TCP connection, both directions fed through mail_feed from
 * the reassembly's deliver function. Events come in the order the bytes are consumed; an attempt
 * is reported once (MAIL_EV_AUTH, as soon as its user is read) and its verdict follows later
 * (MAIL_EV_AUTH_RESULT) when the server's reply is seen. STARTTLS: MAIL_EV_STARTTLS_CMD when the
 * client asks, MAIL_EV_STARTTLS when the server answers, then one MAIL_EV_TLS_START per
 * direction with the stream offset where its TLS bytes begin: hand that direction, from there,
 * to the TLS ClientHello parser (SNI). */
#ifndef MISROUTE_MAIL_H
#define MISROUTE_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

/* A reported value (host, client name, capability, address, user) longer than this is not
 * reported (counted in values_bad): RFC 5321 4.5.3.1.3 caps a path at 256 octets, and names
 * and capabilities are far shorter. */
#define MAIL_MAX_VALUE 320
/* IMAP tags kept to pair a command with its tagged reply (clients use a few characters). */
#define MAIL_MAX_TAG 31
/* SMTP/POP3 commands awaiting a reply that matters (AUTH, STARTTLS, DATA, CAPA, ...); replies
 * are paired by order, so other commands only need a counter. */
#define MAIL_MAX_PENDING 16
/* Bytes a client may send while it should be waiting for the server's answer (STARTTLS, DATA,
 * an IMAP synchronising literal, a SASL step) before we stop waiting and assume the server said
 * yes: below REASM_MAX_PENDING so the engine never has to drop them. */
#define MAIL_WAIT_MAX (2 * MAIL_MAX_LINE)

enum mail_proto {
	MAIL_UNKNOWN = 0, /* decide from the server greeting (or, without one, the client) */
	MAIL_SMTP,
	MAIL_IMAP,
	MAIL_POP3,
};

enum mail_ev_kind {
	MAIL_EV_PROTO,        /* the protocol is known: ev.proto (once per session) */
	MAIL_EV_BANNER,       /* server greeting; value: host name in it (lower-case) or NULL */
	MAIL_EV_HELO,         /* SMTP HELO/EHLO; value: the client's name; ehlo */
	MAIL_EV_CAPA,         /* one capability: an SMTP EHLO reply line ("AUTH PLAIN LOGIN"), an
	                       * IMAP CAPABILITY atom ("AUTH=PLAIN"), a POP3 CAPA line */
	MAIL_EV_STARTTLS_CMD, /* the client asked for TLS (STARTTLS, STLS) */
	MAIL_EV_STARTTLS,     /* the server answered it: ok */
	MAIL_EV_TLS_START,    /* direction from_client turns to TLS at stream offset `offset` */
	MAIL_EV_AUTH,         /* a login attempt: method, mech, user (NULL when unknown) */
	MAIL_EV_AUTH_RESULT,  /* the server's verdict on the last attempt: ok */
	MAIL_EV_MAIL_FROM,    /* SMTP MAIL FROM: value address ("" for <>), domain or NULL */
	MAIL_EV_RCPT_TO,      /* SMTP RCPT TO: value address, domain or NULL */
};

enum mail_auth_method {
	MAIL_AUTH_SASL,       /* SMTP AUTH, IMAP AUTHENTICATE, POP3 AUTH: mech says which */
	MAIL_AUTH_IMAP_LOGIN, /* IMAP LOGIN user password */
	MAIL_AUTH_POP3_USER,  /* POP3 USER / PASS */
	MAIL_AUTH_POP3_APOP,  /* POP3 APOP user digest */
};

/* Lent to on_event for the call only: copy what you keep. Strings are NUL-terminated, never
 * contain NUL, CR or LF, are at most MAIL_MAX_VALUE bytes, and are otherwise the bytes as sent
 * (they may be invalid UTF-8: escape on output). Host names and domains are lower-cased. */
struct mail_event {
	enum mail_ev_kind kind;
	enum mail_proto proto;
	bool from_client;     /* the direction whose bytes caused it; TLS_START: the one that turns */
	bool ok;              /* STARTTLS, AUTH_RESULT */
	bool ehlo;            /* HELO: it was EHLO */
	enum mail_auth_method method; /* AUTH, AUTH_RESULT */
	const char *mech;     /* AUTH, AUTH_RESULT with MAIL_AUTH_SASL: mechanism, upper-case */
	const char *value;    /* see the kinds */
	size_t value_len;
	const char *user;     /* AUTH: the login name (PLAIN: authcid, or authzid if that is empty) */
	const char *domain;   /* MAIL_FROM, RCPT_TO: after the last '@', lower-case */
	uint64_t offset;      /* TLS_START: bytes of that direction before the first TLS byte */
	uint16_t code;        /* SMTP reply code that decided STARTTLS / AUTH_RESULT, else 0 */
};

struct mail_callbacks {
	void (*on_event)(void *arg, const struct mail_event *ev);
};

/* What was skipped, per session (the engine adds them to its statistics). */
struct mail_counters {
	uint32_t lines_long;   /* lines over MAIL_MAX_LINE, skipped to their end */
	uint32_t base64_bad;   /* SASL responses that are not base64: no user */
	uint32_t literal_bad;  /* IMAP literal markers out of range, not followed */
	uint32_t values_bad;   /* values over MAIL_MAX_VALUE or holding NUL/CR/LF: not reported */
	uint32_t gaps;         /* deliveries after lost bytes: resynchronised at the next line */
	uint32_t waits_forced; /* client data while waiting for an answer never seen: assumed yes */
	uint32_t unpaired;     /* replies with no command, or commands over MAIL_MAX_PENDING */
	uint32_t replies_bad;  /* server lines that are not replies of the protocol */
};

struct mail_pending {
	uint32_t seq;          /* number of the command (counted from 1; 0 is the greeting) */
	uint8_t kind;          /* what its reply means (mail.c) */
};

/* Per-direction line reader state. */
struct mail_dir {
	uint64_t consumed;     /* bytes of this direction consumed so far (stream offset) */
	uint64_t lit_left;     /* IMAP literal or SMTP BDAT bytes still to pass over */
	uint8_t mode;          /* what the next line is (mail.c) */
	uint8_t lit_kind;      /* what the literal holds (mail.c) */
	bool skip_line;        /* discarding to the end of an overlong line, or after a gap */
	bool in_cont;          /* the next line continues a command/response after a literal */
};

/* One connection, caller-owned (328 bytes on x86-64); mail_session_init makes it ready, nothing
 * to free. No field ever holds a password or a SASL response. Readable by the caller: proto (once
 * decided), gave_up (not mail: everything is consumed from then on, the engine may stop feeding)
 * and cnt. */
struct mail_session {
	struct mail_dir dir[2];           /* [0] server -> client, [1] client -> server */
	struct mail_counters cnt;
	struct mail_pending pend[MAIL_MAX_PENDING]; /* SMTP/POP3, oldest first */
	uint32_t cmd_seq, reply_seq;      /* SMTP/POP3 commands sent / replies completed */
	uint16_t reply_line;              /* lines so far of the SMTP reply under way */
	uint8_t n_pend;
	uint8_t proto;                    /* enum mail_proto */
	uint8_t wait;                     /* the client is waiting for the server's answer to this */
	uint8_t sasl_mech;                /* SASL exchange under way (mail.c) */
	uint8_t sasl_step;                /* client responses to it so far */
	uint8_t sasl_left;                /* responses expected when the server cannot be seen */
	uint8_t auth_method;              /* enum mail_auth_method of the attempt under way */
	uint8_t imap_cmd;                 /* IMAP command being sent across literals (mail.c) */
	uint8_t imap_arg;                 /* LOGIN: arguments already passed */
	bool proto_told, banner_done;
	bool maybe_smtp;                  /* a 220 greeting without "SMTP": EHLO/HELO will tell */
	bool gave_up;                     /* not mail */
	bool server_seen;                 /* the server direction delivered something */
	bool guess;                       /* answers may be lost: decide waits from the client */
	bool auth_open;                   /* an attempt was reported and has no verdict yet */
	bool auth_told;                   /* MAIL_EV_AUTH sent for the attempt under way */
	bool sasl_on;                     /* a SASL exchange is under way */
	uint8_t tag_kind;                 /* IMAP: what the reply to `tag` decides (mail.c) */
	char tag[MAIL_MAX_TAG + 1];       /* IMAP: tag of the LOGIN/AUTHENTICATE/STARTTLS pending */
	char cur_tag[MAIL_MAX_TAG + 1];   /* IMAP: tag of a command being sent across literals */
	char mech[24];                    /* SASL mechanism name of the attempt, upper-case */
};

/* Prepares s for a new connection. MAIL_UNKNOWN decides from the server greeting: "220 ... SMTP"
 * (or, after a 220 without that word, a client EHLO/HELO) -> SMTP, "* OK" / "* PREAUTH" -> IMAP,
 * "+OK" -> POP3; anything else and the session gives up (s->gave_up) and consumes all. */
void mail_session_init(struct mail_session *s, enum mail_proto proto);

/* Feeds bytes of one direction (from_client: client -> server), as a reasm_deliver_fn does:
 * p[0..len) are the bytes not yet consumed, gap says bytes were lost before them (the partial
 * line is dropped: parsing resumes at the next line). Consumes whole lines (CRLF or bare LF) and
 * literal/BDAT data, calls cb->on_event for what they mean, and returns how many bytes it
 * consumed; the rest must come back with more.
 * It holds bytes back (returns less than len) when a line is incomplete, when a whole IMAP user
 * literal is needed, and while the client waits for the server's answer (STARTTLS, DATA, a
 * synchronising literal, a SASL step) — at most MAIL_WAIT_MAX, after which it assumes the answer
 * was yes. After MAIL_EV_TLS_START for a direction it consumes nothing more of it: the bytes from
 * that event's offset on (for the current call: p + the return value) belong to TLS.
 * The event strings are lent for the callback only. */
size_t mail_feed(struct mail_session *s, int from_client, const uint8_t *p, size_t len, bool gap,
		 const struct mail_callbacks *cb, void *arg);

/* True once the direction has turned to TLS. */
bool mail_is_tls(const struct mail_session *s, int from_client);

/* "smtp", "imap", "pop3" or "unknown". */
const char *mail_proto_name(enum mail_proto proto);

#endif

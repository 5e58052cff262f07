/* http.h: HTTP/1.x message streams (RFC 9112 2-7, RFC 9110 6-8 and 11, RFC 7617 Basic). */
#ifndef MISROUTE_HTTP_H
#define MISROUTE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/stats.h"

/* A string copied from the network: len bytes at p, which may hold any byte (NUL, invalid
 * UTF-8, control bytes); p is NOT NUL-terminated, always use len. p is NULL when the field was
 * absent (an empty field is p != NULL, len 0). cut: the value was longer than its cap and
 * only its first len bytes are kept. */
struct http_str {
	const char *p;
	uint32_t len;
	bool cut;
};

/* How the request-target was written (RFC 9112 3.2). */
enum http_target_form {
	HTTP_TARGET_ORIGIN = 0,    /* /path?query */
	HTTP_TARGET_ABSOLUTE,      /* scheme://authority/path?query (to a proxy) */
	HTTP_TARGET_AUTHORITY,     /* host:port (CONNECT) */
	HTTP_TARGET_ASTERISK,      /* * (OPTIONS) */
	HTTP_TARGET_OTHER,         /* anything else, kept as sent */
};

/* How the end of a body is found (RFC 9112 6.3). */
enum http_framing {
	HTTP_FRAME_NONE = 0,       /* no body: HEAD and CONNECT answers, 1xx/204/304, bodiless requests */
	HTTP_FRAME_LENGTH,         /* Content-Length */
	HTTP_FRAME_CHUNKED,        /* Transfer-Encoding: chunked */
	HTTP_FRAME_CLOSE,          /* response read until the connection closes */
};

/* The content coding of a body (RFC 9110 8.4): only gzip and deflate are decoded. */
enum http_coding {
	HTTP_CODING_IDENTITY = 0,
	HTTP_CODING_GZIP,          /* gzip, x-gzip */
	HTTP_CODING_DEFLATE,       /* deflate: zlib-wrapped, or raw deflate as some servers send */
	HTTP_CODING_OTHER,         /* br, compress, stacked codings...: kept as on the wire */
};

/* A message body. data is lent for the callback only (the parser owns and reuses it). */
struct http_body {
	enum http_framing framing;
	enum http_coding coding;
	const uint8_t *data;       /* kept bytes, decoded; NULL unless the caller asked for them */
	uint32_t len;              /* bytes at data, at most HTTP_MAX_BODY */
	uint64_t wire_len;         /* body bytes seen, after de-chunking and before decoding */
	uint64_t content_length;   /* as announced, when framing is HTTP_FRAME_LENGTH */
	bool kept;                 /* the caller asked for the body */
	bool cut;                  /* more than HTTP_MAX_BODY decoded bytes: the rest was dropped */
	bool decode_error;         /* gzip/deflate data was corrupt: data holds what decoded before */
	bool complete;             /* false: a gap or the end of the stream came first */
};

/* A request (RFC 9112 3). Every string points into arena and lives as long as the struct,
 * which the parser owns and lends for the callback. */
struct http_request {
	struct http_str method;
	struct http_str target;         /* request-target as sent (url.original), see http_feed */
	struct http_str path;           /* its path (no query or fragment); NULL for authority and
					 * asterisk form */
	struct http_str query;          /* after '?', up to any '#', NULL when there is no '?' */
	enum http_target_form form;
	uint8_t version_major, version_minor;

	/* url.domain: the Host header normalised (lower-case, no port, no [] around an IPv6
	 * literal, no trailing dots); without a Host header, the authority of an absolute-form
	 * or authority-form target normalised alike. NULL when neither exists (HTTP/1.0). */
	struct http_str host;
	uint16_t port;                  /* port of the same source, 0 when none was written */
	bool host_ipv6;                 /* host was a bracketed IPv6 literal (ECS url.domain wants
					 * the brackets back) */
	bool host_from_target;          /* host came from the target, not from a Host header */
	bool host_dup;                  /* more than one Host header (the first is kept) */
	struct http_str host_header;    /* the Host header value as sent, port included (trimmed) */
	struct http_str target_host;    /* the target's authority normalised like host, when it has one */

	struct http_str user_agent;
	struct http_str anchor_mailbox; /* X-AnchorMailbox */
	struct http_str content_type;
	/* Authorization: the scheme as sent ("Basic", "NTLM", "Bearer"...) and, for Basic, the
	 * user name decoded from base64 (the part before the first ':'). The password is never
	 * stored. auth_user is NULL for other schemes and for credentials that do not decode or
	 * have no ':'. */
	struct http_str auth_scheme;
	struct http_str auth_user;
	bool target_redacted;           /* an absolute-form target carried user:password@; the
					 * password was replaced by "***" in target */

	uint16_t n_headers;             /* field lines, continuation lines not counted */
	bool te_and_cl;                 /* Transfer-Encoding and Content-Length both present
					 * (RFC 9112 6.3: chunked wins; a smuggling sign) */
	bool bad_framing;               /* the body length could not be known: the parser skips
					 * to the next request line */
	struct http_body body;

	uint32_t arena_used;
	char arena[HTTP_ARENA];
};

/* A response (RFC 9112 4). Strings as in http_request. */
struct http_response {
	uint16_t status;
	uint8_t version_major, version_minor;
	struct http_str location;
	struct http_str content_type;
	uint16_t n_headers;
	bool te_and_cl;
	bool bad_framing;
	struct http_body body;

	uint32_t arena_used;
	char arena[HTTP_ARENA];
};

/* What the engine, which pairs responses with requests, tells the parser about the response
 * whose head was just parsed: the parser of one direction cannot know it. */
struct http_response_opts {
	bool keep_body;     /* keep up to HTTP_MAX_BODY decoded bytes of the body */
	bool to_head;       /* it answers a HEAD request: no body, whatever the head says */
	bool to_connect;    /* it answers CONNECT: a 2xx has no body and starts a tunnel */
};

/* The caller's side; every member may be NULL. Each callback gets the arg given to http_feed;
 * the struct it receives is lent for the call. */
struct http_callbacks {
	/* A request head is complete. */
	void (*on_request)(void *arg, const struct http_request *rq);
	/* Asked right after on_request when the request has a body: keep it (decoded, capped)? */
	bool (*want_body)(void *arg, const struct http_request *rq);
	/* The body of a request that had one is complete (or cut short: body.complete). */
	void (*on_request_body)(void *arg, const struct http_request *rq);
	/* A response head is complete: fill *o (zeroed) before its body is read (rs->body is not
	 * set yet, except its coding). Without this callback a response to HEAD is taken to have
	 * the body its head announces. */
	void (*on_response_head)(void *arg, const struct http_response *rs,
				 struct http_response_opts *o);
	/* A response is complete with its body (or cut short: body.complete). 1xx responses are
	 * interim (RFC 9110 15.2): the same request gets another response after them. */
	void (*on_response)(void *arg, const struct http_response *rs);
	/* Skip counters (HTTP_*), may be NULL. */
	struct stats *st;
};

struct http_msg;
struct http_decoder;

/* One direction of one connection; caller-owned, small (the parse state of a message lives on
 * the heap only while the message is in progress). Zero-initialised it is ready. Members are
 * private to http.c. Either direction may carry requests or responses: each message's first
 * line tells which. */
struct http_stream {
	uint8_t state;
	bool line_start;              /* resync: the next byte starts a line */
	bool from_start;              /* set by the caller: its first byte is the stream's first;
				       * cleared by a gap */
	uint64_t consumed;            /* bytes consumed so far */
	uint32_t scan;                /* unconsumed bytes already searched for a line end */
	uint32_t lines;               /* trailer lines so far */
	uint32_t trailer_bytes;
	uint64_t remaining;           /* body or chunk bytes still to come */
	struct http_msg *msg;         /* the message in progress */
	struct http_decoder *dec;     /* its kept body and inflate state, when kept */
	const char *reason;           /* why the last message was refused (for tests and logs) */
};

void http_stream_init(struct http_stream *s);

/* Feeds the bytes of one direction, as TCP reassembly delivers them (flow/reasm.h): p[0..len)
 * starts with the bytes not consumed last time. Returns how many bytes were consumed; the
 * rest must be handed again, with more after them. Heads, chunk-size lines and trailer lines
 * are parsed in place, so they are not consumed until complete; body bytes are consumed as
 * they arrive. gap: bytes were lost before p: a message in progress is reported cut short and
 * the parser resynchronises on the next request or status line.
 * Calls the callbacks in cb as messages complete. A head longer than HTTP_MAX_HEADER_BYTES
 * (which is not above REASM_MAX_PENDING) or with more than HTTP_MAX_HEADERS field lines, an
 * invalid start line, Content-Length or chunk size is counted (cb->st) and skipped: the parser
 * looks for the next start line; but when from_start is set, bytes that are no start line
 * within the first HTTP_VIOLATION_WINDOW bytes end the parsing (http_opaque).
 * Request-target: the bytes after the method up to the next space, as tshark reports it (a
 * target with spaces in it is cut at the first); an absolute-form target's password is masked. */
size_t http_feed(struct http_stream *s, const uint8_t *p, size_t len, bool gap,
		 const struct http_callbacks *cb, void *arg);

/* The direction ended (FIN, RST, expiry), after the last http_feed: a response read until the
 * connection closes is complete and reported; any other message in progress is reported cut
 * short. Then the stream is idle again. */
void http_finish(struct http_stream *s, const struct http_callbacks *cb, void *arg);

/* Whether the stream stopped carrying HTTP (a tunnel, HTTP/2, or bytes that were never
 * HTTP): nothing more will be parsed, and the caller need not deliver more. */
bool http_opaque(const struct http_stream *s);

/* Whether body bytes that a message's Content-Length or chunk size announced are still to
 * come (before http_finish: the stream ending now leaves them missing). A partial line is not
 * the parser's: the reassembly still holds it. */
bool http_unfinished(const struct http_stream *s);

/* Frees what the stream holds (no callbacks); it is zero-initialised again afterwards. */
void http_stream_free(struct http_stream *s);

#endif

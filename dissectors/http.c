/* http.c: HTTP/1.x stream parser (RFC 9112 2.2, 3, 4, 5.2, 6, 7.1; RFC 9110 7.2, 8.4, 8.6, 11.6.2, 15; RFC 7617 2). */
#define ZLIB_CONST
#include "dissectors/http.h"

#include "core/base64.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Heads are parsed in place from what reassembly holds, so a head must fit in it. */
_Static_assert(HTTP_MAX_HEADER_BYTES <= REASM_MAX_PENDING, "a head must fit the reassembly window");
/* A request keeps a target and at most 8 other values (see http.h): they always fit. */
_Static_assert(HTTP_ARENA >= HTTP_MAX_TARGET + 8 * HTTP_MAX_VALUE + 64, "arena too small");

enum {
	/* The longest registered method (RFC 9110 16.1 registry) is 17 bytes; a longer first
	 * token is not a method, and refusing it early keeps resynchronisation cheap. */
	HTTP_MAX_METHOD = 32,
	/* A chunk-size line with its extensions. */
	HTTP_MAX_CHUNK_LINE = HTTP_MAX_VALUE,
	/* Body bytes kept before the buffer first grows. */
	HTTP_BODY_FIRST = 4096,
};

enum http_state {
	HTTP_S_IDLE = 0,      /* before a start line (a zeroed stream is here) */
	HTTP_S_BODY_LEN,      /* s->remaining body bytes to come */
	HTTP_S_CHUNK_SIZE,    /* a chunk-size line */
	HTTP_S_CHUNK_DATA,    /* s->remaining bytes of chunk data */
	HTTP_S_CHUNK_END,     /* the CRLF after chunk data */
	HTTP_S_TRAILER,       /* trailer lines up to the empty line */
	HTTP_S_BODY_CLOSE,    /* body up to the end of the stream */
	HTTP_S_RESYNC,        /* looking for a start line after an error or a gap */
	HTTP_S_TUNNEL,        /* after CONNECT or 101: HTTP again, or something else for good */
	HTTP_S_OPAQUE,        /* not HTTP any more: consume everything */
};

/* The message in progress, from its head to the end of its body. */
struct http_msg {
	bool response;
	bool has_body;        /* a request body follows its head (on_request_body is due) */
	bool tunnel;          /* after this message the connection may stop carrying HTTP */
	union {
		struct http_request rq;
		struct http_response rs;
	} u;
};

/* A kept body: bytes (decoded when the coding is gzip or deflate) and the inflate state. */
struct http_decoder {
	uint8_t *buf;
	uint32_t len, cap;
	enum http_coding coding;
	z_stream z;
	bool z_init;
	bool done;            /* nothing more is decoded: the end, the cap or an error */
	bool cut, error;
	uint8_t sniff[2];     /* the first body bytes, to tell zlib/gzip from raw deflate */
	uint8_t n_sniff;
};

/* Arena space of one message: strings are appended and never moved. */
struct http_arena {
	char *buf;
	uint32_t *used;
	uint32_t cap;
};

/* A string being appended to the arena, at most lim bytes. */
struct http_w {
	struct http_arena *a;
	uint32_t start, lim;
	bool cut;
};

/* What a head says about framing and coding, gathered over its fields. */
struct http_head {
	struct http_arena ar;
	bool has_cl, cl_bad;
	uint64_t cl;
	bool has_te, te_chunked;   /* te_chunked: chunked is the final transfer coding */
	uint8_t n_codings;         /* codings other than identity and chunked, TE then CE */
	enum http_coding coding;
	bool upgrade;
	uint16_t n_headers;
	uint16_t target_port;      /* port of the target's authority */
	bool target_ipv6;
};

/* The parsed first line. */
struct http_start {
	bool response;
	const uint8_t *method, *target;
	size_t method_len, target_len;
	uint8_t major, minor;
	uint16_t status;
};

/* ---- locale-free character classes ---- */

static bool http_is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static bool http_is_alpha(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool http_is_ows(uint8_t c) { return c == ' ' || c == '\t'; }
static bool http_is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static uint8_t http_lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

/* RFC 9110 5.6.2 tchar. */
static bool http_is_tchar(uint8_t c)
{
	if (http_is_digit(c) || http_is_alpha(c))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
	case '-': case '.': case '^': case '_': case '`': case '|': case '~':
		return true;
	default:
		return false;
	}
}

static int http_hex(uint8_t c)
{
	if (http_is_digit(c))
		return c - '0';
	c = http_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* p[0..n) equals the lower-case literal lit, ignoring ASCII case. */
static bool http_ieq(const uint8_t *p, size_t n, const char *lit)
{
	size_t i = 0;
	for (; i < n && lit[i]; i++)
		if (http_lower(p[i]) != (uint8_t)lit[i])
			return false;
	return i == n && lit[i] == '\0';
}

static const uint8_t *http_memrchr(const uint8_t *p, uint8_t c, size_t n)
{
	while (n > 0) {
		n--;
		if (p[n] == c)
			return p + n;
	}
	return NULL;
}

/* Zeroes memory that held credential bytes in a way the compiler may not drop. */
static void http_wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;
	while (n--)
		*v++ = 0;
}

static void http_count(const struct http_callbacks *cb, enum skip_reason r)
{
	stats_skip(cb->st, r);
}

/* ---- arena ---- */

static struct http_w http_w_begin(struct http_arena *a, size_t cap)
{
	uint32_t room = a->cap - *a->used;
	struct http_w w = { a, *a->used, cap < room ? (uint32_t)cap : room, false };
	return w;
}

static void http_w_put(struct http_w *w, uint8_t c)
{
	if (*w->a->used - w->start >= w->lim) {
		w->cut = true;
		return;
	}
	w->a->buf[(*w->a->used)++] = (char)c;
}

static void http_w_puts(struct http_w *w, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		http_w_put(w, p[i]);
}

/* Drops trailing bytes of the string being written while they match the predicate. */
static void http_w_rtrim(struct http_w *w, bool (*drop)(uint8_t))
{
	while (*w->a->used > w->start && drop((uint8_t)w->a->buf[*w->a->used - 1]))
		(*w->a->used)--;
}

static struct http_str http_w_end(const struct http_w *w)
{
	struct http_str s = { w->a->buf + w->start, *w->a->used - w->start, w->cut };
	return s;
}

static struct http_str http_copy(struct http_arena *a, const uint8_t *p, size_t n, size_t cap)
{
	struct http_w w = http_w_begin(a, cap);
	http_w_puts(&w, p, n);
	return http_w_end(&w);
}

/* A field value as RFC 9112 5 and 5.2 read it: without surrounding whitespace, and with each
 * obs-fold (a line break followed by spaces or tabs) replaced by one space. The raw value may
 * span continuation lines. */
static struct http_str http_copy_value(struct http_arena *a, const uint8_t *p, size_t n,
				       size_t cap)
{
	struct http_w w = http_w_begin(a, cap);
	size_t i = 0;
	while (i < n && http_is_space(p[i]))
		i++;
	while (i < n) {
		bool fold = p[i] == '\n' || (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n');
		if (!fold) {
			http_w_put(&w, p[i++]);
			continue;
		}
		while (i < n && http_is_space(p[i]))
			i++;
		http_w_put(&w, ' ');
	}
	http_w_rtrim(&w, http_is_space);
	return http_w_end(&w);
}

/* ---- hosts ---- */

static bool http_is_dot(uint8_t c) { return c == '.'; }

/* Port digits after a host: 0 when absent or not a port. */
static uint16_t http_port(const uint8_t *p, size_t n)
{
	if (n == 0 || n > 5)
		return 0;
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!http_is_digit(p[i]))
			return 0;
		v = v * 10 + (uint32_t)(p[i] - '0');
	}
	return v <= 65535 ? (uint16_t)v : 0;
}

/* Normalises the host of an authority (RFC 9110 7.2, RFC 3986 3.2.2): the port goes, an IPv6
 * literal loses its brackets, letters are lower-cased, trailing dots go (a name with a dot
 * more is the same name to DNS, and must match the same rules). Other bytes are kept as they
 * are: the record writer escapes them. */
static struct http_str http_host_norm(struct http_arena *a, const uint8_t *p, size_t n,
				      uint16_t *port, bool *ipv6)
{
	const uint8_t *h = p, *end = p + n;
	size_t hn = n;
	*port = 0;
	*ipv6 = false;
	if (n > 0 && p[0] == '[') {
		const uint8_t *rb = memchr(p, ']', n);
		if (rb) {
			h = p + 1;
			hn = (size_t)(rb - h);
			*ipv6 = true;
			if (rb + 1 < end && rb[1] == ':')
				*port = http_port(rb + 2, (size_t)(end - rb - 2));
		}
	} else {
		const uint8_t *colon = memchr(p, ':', n);
		/* Two colons or more: an IPv6 address without brackets, no port to strip. */
		if (colon && !memchr(colon + 1, ':', (size_t)(end - colon - 1))) {
			hn = (size_t)(colon - p);
			*port = http_port(colon + 1, (size_t)(end - colon - 1));
		}
	}
	struct http_w w = http_w_begin(a, HTTP_MAX_VALUE);
	for (size_t i = 0; i < hn; i++)
		http_w_put(&w, http_lower(h[i]));
	if (!*ipv6)
		http_w_rtrim(&w, http_is_dot);
	return http_w_end(&w);
}

/* ---- request-target (RFC 9112 3.2, RFC 3986 3) ---- */

/* Length of "scheme://" at the start of t, or 0. */
static size_t http_scheme_len(const uint8_t *t, size_t n)
{
	size_t i = 0;
	if (n == 0 || !http_is_alpha(t[0]))
		return 0;
	while (i < n && (http_is_alpha(t[i]) || http_is_digit(t[i]) || t[i] == '+' ||
			 t[i] == '-' || t[i] == '.'))
		i++;
	if (n - i >= 3 && t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/')
		return i + 3;
	return 0;
}

/* End of the authority that starts at t[from]: the first '/', '?' or '#', or n. */
static size_t http_authority_end(const uint8_t *t, size_t from, size_t n)
{
	size_t i = from;
	while (i < n && t[i] != '/' && t[i] != '?' && t[i] != '#')
		i++;
	return i;
}

static enum http_target_form http_target_form(const uint8_t *t, size_t n, bool connect)
{
	if (n == 1 && t[0] == '*')
		return HTTP_TARGET_ASTERISK;
	if (n > 0 && t[0] == '/')
		return HTTP_TARGET_ORIGIN;
	if (http_scheme_len(t, n))
		return HTTP_TARGET_ABSOLUTE;
	if (connect)
		return HTTP_TARGET_AUTHORITY;
	return HTTP_TARGET_OTHER;
}

/* Copies the target as sent, except that the password of an absolute-form target's userinfo
 * ("http://user:secret@host/") becomes "***": a secret is never kept. */
static void http_copy_target(struct http_arena *a, struct http_request *rq, const uint8_t *t,
			     size_t n)
{
	size_t sl = rq->form == HTTP_TARGET_ABSOLUTE ? http_scheme_len(t, n) : 0;
	const uint8_t *at = NULL, *colon = NULL;
	if (sl) {
		size_t ae = http_authority_end(t, sl, n);
		at = http_memrchr(t + sl, '@', ae - sl);
		if (at)
			colon = memchr(t + sl, ':', (size_t)(at - (t + sl)));
	}
	if (!colon) {
		rq->target = http_copy(a, t, n, HTTP_MAX_TARGET);
		return;
	}
	struct http_w w = http_w_begin(a, HTTP_MAX_TARGET);
	http_w_puts(&w, t, (size_t)(colon - t) + 1);
	http_w_puts(&w, (const uint8_t *)"***", 3);
	http_w_puts(&w, at, (size_t)(t + n - at));
	rq->target = http_w_end(&w);
	rq->target_redacted = true;
}

/* Path and query as slices of the kept target, and its authority normalised. */
static void http_split_target(struct http_head *h, struct http_request *rq)
{
	struct http_arena *a = &h->ar;
	const uint8_t *t = (const uint8_t *)rq->target.p;
	size_t n = rq->target.len, ps = 0;
	if (rq->form == HTTP_TARGET_ASTERISK)
		return;
	if (rq->form == HTTP_TARGET_AUTHORITY) {
		rq->target_host = http_host_norm(a, t, n, &h->target_port, &h->target_ipv6);
		return;
	}
	if (rq->form == HTTP_TARGET_ABSOLUTE) {
		size_t sl = http_scheme_len(t, n);
		ps = http_authority_end(t, sl, n);
		const uint8_t *at = http_memrchr(t + sl, '@', ps - sl);
		size_t hs = at ? (size_t)(at - t) + 1 : sl;
		rq->target_host = http_host_norm(a, t + hs, ps - hs, &h->target_port, &h->target_ipv6);
	}
	size_t pe = ps;
	while (pe < n && t[pe] != '?' && t[pe] != '#')
		pe++;
	rq->path = (struct http_str){ rq->target.p + ps, (uint32_t)(pe - ps), rq->target.cut && pe == n };
	if (pe < n && t[pe] == '?') {
		size_t qe = pe + 1;
		while (qe < n && t[qe] != '#')
			qe++;
		rq->query = (struct http_str){ rq->target.p + pe + 1, (uint32_t)(qe - pe - 1),
					       rq->target.cut && qe == n };
	}
}

/* ---- Authorization (RFC 9110 11.6.2, RFC 7617 2) ---- */

/* The user-id of Basic credentials (base64 of "user:password"). Decodes one byte at a time
 * and stops at the first ':', so the password is never decoded at all; the few bits of it
 * already read and the decoded user on the stack are wiped. NULL user when the credentials
 * do not decode or hold no ':'. */
static struct http_str http_basic_user(struct http_arena *a, const uint8_t *p, size_t n)
{
	uint8_t user[HTTP_MAX_VALUE];
	size_t ulen = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	bool colon = false, cut = false;
	struct http_str out = { NULL, 0, false };

	for (size_t i = 0; i < n && !colon; i++) {
		int v = b64_value(p[i]);
		if (v < 0)
			break; /* '=' padding, or not base64: the user ends here without a ':' */
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits < 8)
			continue;
		bits -= 8;
		uint8_t byte = (uint8_t)(acc >> bits);
		acc &= (1u << bits) - 1;
		if (byte == ':')
			colon = true;
		else if (ulen < sizeof user)
			user[ulen++] = byte;
		else
			cut = true;
	}
	if (colon) {
		out = http_copy(a, user, ulen, HTTP_MAX_VALUE);
		out.cut |= cut;
	}
	http_wipe(user, sizeof user);
	http_wipe(&acc, sizeof acc);
	return out;
}

static void http_authorization(struct http_arena *a, struct http_request *rq, const uint8_t *p,
			       size_t n)
{
	size_t i = 0, s0, t0;
	if (rq->auth_scheme.p)
		return; /* the first one counts */
	while (i < n && http_is_space(p[i]))
		i++;
	s0 = i;
	while (i < n && http_is_tchar(p[i]))
		i++;
	rq->auth_scheme = http_copy(a, p + s0, i - s0, HTTP_MAX_VALUE);
	if (!http_ieq(p + s0, i - s0, "basic"))
		return;
	while (i < n && http_is_space(p[i]))
		i++;
	t0 = i;
	while (i < n && !http_is_space(p[i]))
		i++;
	rq->auth_user = http_basic_user(a, p + t0, i - t0);
}

/* ---- framing fields (RFC 9110 8.6, RFC 9112 6.1, RFC 9110 8.4) ---- */

/* The next comma-separated element of a list value, without whitespace; false at the end. */
static bool http_next_elem(const uint8_t *p, size_t n, size_t *pos, const uint8_t **e, size_t *en)
{
	size_t i = *pos;
	while (i < n && (http_is_space(p[i]) || p[i] == ','))
		i++;
	if (i >= n) {
		*pos = i;
		return false;
	}
	size_t s0 = i;
	while (i < n && p[i] != ',')
		i++;
	size_t s1 = i;
	while (s1 > s0 && http_is_space(p[s1 - 1]))
		s1--;
	*e = p + s0;
	*en = s1 - s0;
	*pos = i;
	return true;
}

/* Content-Length: every element of every such field must be the same decimal number
 * (RFC 9110 8.6 allows "5, 5"); a sign, an empty value, other bytes, a conflict or more than
 * 2^62 make the framing unknowable (RFC 9112 6.3 item 5). */
static void http_content_length(struct http_head *h, const uint8_t *p, size_t n)
{
	size_t pos = 0, en;
	const uint8_t *e;
	bool any = false;
	while (http_next_elem(p, n, &pos, &e, &en)) {
		uint64_t v = 0;
		any = true;
		for (size_t i = 0; i < en && !h->cl_bad; i++) {
			if (!http_is_digit(e[i]) || v > (UINT64_C(1) << 62) / 10)
				h->cl_bad = true;
			else
				v = v * 10 + (uint64_t)(e[i] - '0');
		}
		if (h->has_cl && v != h->cl)
			h->cl_bad = true;
		h->has_cl = true;
		h->cl = v;
	}
	if (!any) {
		h->has_cl = true;
		h->cl_bad = true;
	}
}

static enum http_coding http_coding_of(const uint8_t *e, size_t en)
{
	if (http_ieq(e, en, "gzip") || http_ieq(e, en, "x-gzip"))
		return HTTP_CODING_GZIP;
	if (http_ieq(e, en, "deflate"))
		return HTTP_CODING_DEFLATE;
	return HTTP_CODING_OTHER;
}

/* One more coding applied to the body; two or more stacked are not decoded. */
static void http_add_coding(struct http_head *h, enum http_coding c)
{
	h->n_codings++;
	h->coding = h->n_codings == 1 ? c : HTTP_CODING_OTHER;
}

/* Transfer-Encoding: chunked only counts as the final coding (RFC 9112 6.1); codings before
 * it (gzip, chunked) apply to the content like Content-Encoding would. */
static void http_transfer_encoding(struct http_head *h, const uint8_t *p, size_t n)
{
	size_t pos = 0, en;
	const uint8_t *e;
	h->has_te = true;
	while (http_next_elem(p, n, &pos, &e, &en)) {
		if (h->te_chunked) /* something after chunked: chunked was not final */
			h->te_chunked = false;
		if (http_ieq(e, en, "chunked"))
			h->te_chunked = true;
		else if (!http_ieq(e, en, "identity"))
			http_add_coding(h, http_coding_of(e, en));
	}
}

static void http_content_encoding(struct http_head *h, const uint8_t *p, size_t n)
{
	size_t pos = 0, en;
	const uint8_t *e;
	while (http_next_elem(p, n, &pos, &e, &en))
		if (!http_ieq(e, en, "identity"))
			http_add_coding(h, http_coding_of(e, en));
}

/* ---- head ---- */

static bool http_version(const uint8_t *p, size_t n, uint8_t *major, uint8_t *minor)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || !http_is_digit(p[5]) || p[6] != '.' ||
	    !http_is_digit(p[7]))
		return false;
	*major = (uint8_t)(p[5] - '0');
	*minor = (uint8_t)(p[7] - '0');
	return true;
}

/* Parses a start line p[0..n), line end excluded (RFC 9112 3 and 4). Lenient where servers
 * are: several spaces after the method, trailing whitespace. The request-target is the token
 * after the method (what tshark reports for "GET /a b HTTP/1.1"); the version is the line's
 * last token. Returns 0, -1 when it is not an HTTP/1.x start line, -2 for an HTTP/2 preface. */
static int http_start_line(const uint8_t *p, size_t n, struct http_start *st)
{
	size_t i = 0;
	memset(st, 0, sizeof *st);
	while (n > 0 && http_is_space(p[n - 1]))
		n--;
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		if (n < 12 || !http_version(p, 8, &st->major, &st->minor) || st->major != 1 ||
		    p[8] != ' ' || !http_is_digit(p[9]) || !http_is_digit(p[10]) ||
		    !http_is_digit(p[11]) || (n > 12 && p[12] != ' '))
			return -1;
		st->response = true;
		st->status = (uint16_t)((p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0'));
		return st->status >= 100 ? 0 : -1;
	}
	while (i < n && i <= HTTP_MAX_METHOD && http_is_tchar(p[i]))
		i++;
	if (i == 0 || i > HTTP_MAX_METHOD || i >= n || p[i] != ' ')
		return -1;
	st->method = p;
	st->method_len = i;
	while (i < n && p[i] == ' ')
		i++;
	st->target = p + i;
	while (i < n && p[i] != ' ')
		i++;
	st->target_len = (size_t)(p + i - st->target);
	const uint8_t *sp = http_memrchr(p, ' ', n);
	if (st->target_len == 0 || sp < st->target + st->target_len ||
	    !http_version(sp + 1, (size_t)(p + n - sp - 1), &st->major, &st->minor))
		return -1;
	if (st->major == 2)
		return -2;
	return st->major == 1 ? 0 : -1;
}

static void http_request_field(struct http_head *h, struct http_request *rq, const uint8_t *name,
			       size_t nn, const uint8_t *v, size_t vn)
{
	struct http_arena *a = &h->ar;
	if (http_ieq(name, nn, "host")) {
		if (rq->host_header.p)
			rq->host_dup = true;
		else
			rq->host_header = http_copy_value(a, v, vn, HTTP_MAX_VALUE);
	} else if (http_ieq(name, nn, "user-agent")) {
		if (!rq->user_agent.p)
			rq->user_agent = http_copy_value(a, v, vn, HTTP_MAX_VALUE);
	} else if (http_ieq(name, nn, "x-anchormailbox")) {
		if (!rq->anchor_mailbox.p)
			rq->anchor_mailbox = http_copy_value(a, v, vn, HTTP_MAX_VALUE);
	} else if (http_ieq(name, nn, "content-type")) {
		if (!rq->content_type.p)
			rq->content_type = http_copy_value(a, v, vn, HTTP_MAX_VALUE);
	} else if (http_ieq(name, nn, "authorization")) {
		http_authorization(a, rq, v, vn);
	} else if (http_ieq(name, nn, "upgrade")) {
		h->upgrade = true;
	}
}

static void http_response_field(struct http_head *h, struct http_response *rs, const uint8_t *name,
				size_t nn, const uint8_t *v, size_t vn)
{
	if (http_ieq(name, nn, "location")) {
		if (!rs->location.p)
			rs->location = http_copy_value(&h->ar, v, vn, HTTP_MAX_TARGET);
	} else if (http_ieq(name, nn, "content-type")) {
		if (!rs->content_type.p)
			rs->content_type = http_copy_value(&h->ar, v, vn, HTTP_MAX_VALUE);
	}
}

/* One field line, with its continuation lines in v[0..vn). */
static void http_field(struct http_head *h, struct http_msg *m, const uint8_t *name, size_t nn,
		       const uint8_t *v, size_t vn)
{
	if (http_ieq(name, nn, "content-length"))
		http_content_length(h, v, vn);
	else if (http_ieq(name, nn, "transfer-encoding"))
		http_transfer_encoding(h, v, vn);
	else if (http_ieq(name, nn, "content-encoding"))
		http_content_encoding(h, v, vn);
	else if (m->response)
		http_response_field(h, &m->u.rs, name, nn, v, vn);
	else
		http_request_field(h, &m->u.rq, name, nn, v, vn);
}

/* Walks the field lines of p[0..n) (after the start line, through the empty line). A line
 * that starts with a space or tab continues the field before it (obs-fold, RFC 9112 5.2); a
 * line without a colon or with a name that is not a token is ignored with its continuations,
 * as lenient servers do. Fails when there are more than HTTP_MAX_HEADERS fields. */
static int http_fields(struct http_head *h, struct http_msg *m, const uint8_t *p, size_t n)
{
	const uint8_t *name = NULL, *v = NULL;
	size_t nn = 0, vn = 0, i = 0;
	while (i < n) {
		const uint8_t *lf = memchr(p + i, '\n', n - i);
		size_t le = lf ? (size_t)(lf - p) : n, next = lf ? le + 1 : n;
		size_t ce = le > i && p[le - 1] == '\r' ? le - 1 : le;
		if (ce > i && http_is_ows(p[i])) {
			if (name)
				vn = ce - (size_t)(v - p);
			i = next;
			continue;
		}
		if (name)
			http_field(h, m, name, nn, v, vn);
		name = NULL;
		if (ce == i)
			break; /* the empty line */
		if (++h->n_headers > HTTP_MAX_HEADERS)
			return -1;
		const uint8_t *colon = memchr(p + i, ':', ce - i);
		size_t k = i;
		while (colon && p + k < colon && http_is_tchar(p[k]))
			k++;
		if (colon && p + k == colon && k > i) {
			name = p + i;
			nn = k - i;
			v = colon + 1;
			vn = (size_t)(p + ce - v);
		}
		i = next;
	}
	if (name)
		http_field(h, m, name, nn, v, vn);
	return 0;
}

/* ---- message lifetime ---- */

static struct http_body *http_body_of(struct http_msg *m)
{
	return m->response ? &m->u.rs.body : &m->u.rq.body;
}

static void http_dec_reset(struct http_decoder *d)
{
	if (d->z_init)
		inflateEnd(&d->z);
	free(d->buf);
	memset(d, 0, sizeof *d);
}

static void http_free_msg(struct http_stream *s)
{
	free(s->msg);
	s->msg = NULL;
	if (s->dec) {
		http_dec_reset(s->dec);
		free(s->dec);
		s->dec = NULL;
	}
}

/* Reports the message in progress (its body complete or cut short) and forgets it. */
static void http_msg_done(struct http_stream *s, const struct http_callbacks *cb, void *arg,
			  bool complete)
{
	struct http_msg *m = s->msg;
	struct http_body *b = http_body_of(m);
	b->complete = complete;
	if (s->dec) {
		b->data = s->dec->buf;
		b->len = s->dec->len;
		b->cut = s->dec->cut;
		b->decode_error = s->dec->error;
	}
	if (m->response) {
		if (cb->on_response)
			cb->on_response(arg, &m->u.rs);
	} else if (m->has_body && cb->on_request_body) {
		cb->on_request_body(arg, &m->u.rq);
	}
	s->state = m->tunnel && complete ? HTTP_S_TUNNEL : HTTP_S_IDLE;
	http_free_msg(s);
}

/* Gives up on the bytes at hand: counted, and the next start line is looked for after the
 * current line. */
static void http_refuse(struct http_stream *s, const struct http_callbacks *cb, enum skip_reason r,
			const char *why)
{
	http_count(cb, r);
	s->reason = why;
	s->state = HTTP_S_RESYNC;
	s->line_start = false;
	s->scan = 0;
}

/* No start line where one must be. Within the first HTTP_VIOLATION_WINDOW bytes of a
 * direction seen from its first byte, with none lost (a protocol violation, for Zeek), it is
 * not HTTP and nothing more is parsed; otherwise the next start line is looked for. */
static void http_bad_start(struct http_stream *s, const struct http_callbacks *cb)
{
	http_refuse(s, cb, SKIP_HTTP_MALFORMED, "start line");
	if (s->from_start && s->consumed < HTTP_VIOLATION_WINDOW)
		s->state = HTTP_S_OPAQUE;
}

/* A body that went wrong half way: the message is reported cut short, then resync. */
static void http_abort(struct http_stream *s, const struct http_callbacks *cb, void *arg,
		       enum skip_reason r, const char *why)
{
	http_msg_done(s, cb, arg, false);
	http_refuse(s, cb, r, why);
}

/* ---- body ---- */

static bool http_dec_grow(struct http_decoder *d, size_t want)
{
	if (want <= d->cap)
		return true;
	size_t cap = d->cap ? d->cap : HTTP_BODY_FIRST;
	while (cap < want)
		cap *= 2;
	if (cap > HTTP_MAX_BODY)
		cap = HTTP_MAX_BODY;
	uint8_t *nb = realloc(d->buf, cap);
	if (!nb)
		return false;
	d->buf = nb;
	d->cap = (uint32_t)cap;
	return true;
}

static void http_dec_cut(struct http_decoder *d, const struct http_callbacks *cb)
{
	d->cut = true;
	d->done = true;
	http_count(cb, SKIP_HTTP_BODY_CAP);
}

static void http_dec_append(struct http_decoder *d, const struct http_callbacks *cb,
			    const uint8_t *p, size_t n)
{
	size_t room = HTTP_MAX_BODY - d->len, take = n < room ? n : room;
	if (!http_dec_grow(d, d->len + take)) {
		d->done = true;
		http_count(cb, SKIP_HTTP_ALLOC);
		return;
	}
	if (take)
		memcpy(d->buf + d->len, p, take);
	d->len += (uint32_t)take;
	if (take < n)
		http_dec_cut(d, cb);
}

/* Picks the wrapper from the first two bytes: gzip magic or a valid zlib header (RFC 1950
 * 2.2: CM 8, window <= 32 KiB, check bits) go to zlib's automatic detection, anything else
 * is raw deflate, which some servers send for "deflate" (RFC 9110 8.4.1.2 says zlib). */
static bool http_dec_start_z(struct http_decoder *d)
{
	const uint8_t *b = d->sniff;
	bool gzip = b[0] == 0x1f && b[1] == 0x8b;
	bool zlib = (b[0] & 0x0f) == 8 && (b[0] >> 4) <= 7 && ((unsigned)b[0] << 8 | b[1]) % 31 == 0;
	memset(&d->z, 0, sizeof d->z);
	if (inflateInit2(&d->z, gzip || zlib ? 15 + 32 : -15) != Z_OK)
		return false;
	d->z_init = true;
	return true;
}

/* Inflates p[0..n) into the body buffer up to HTTP_MAX_BODY. When the buffer is full, one
 * more byte of output decides whether the body was really cut. */
static void http_dec_z(struct http_decoder *d, const struct http_callbacks *cb, const uint8_t *p,
		       size_t n)
{
	while (n > 0 && !d->done) {
		uInt step = n > (1u << 30) ? (1u << 30) : (uInt)n;
		d->z.next_in = p;
		d->z.avail_in = step;
		while (d->z.avail_in > 0 && !d->done) {
			uint8_t probe;
			bool full = d->len == HTTP_MAX_BODY;
			if (!full && d->len == d->cap && !http_dec_grow(d, (size_t)d->len + 1)) {
				d->done = true;
				http_count(cb, SKIP_HTTP_ALLOC);
				break;
			}
			d->z.next_out = full ? &probe : d->buf + d->len;
			d->z.avail_out = full ? 1 : d->cap - d->len;
			uInt before = d->z.avail_out;
			int rc = inflate(&d->z, Z_NO_FLUSH);
			uInt made = before - d->z.avail_out;
			if (full && made) {
				http_wipe(&probe, 1);
				http_dec_cut(d, cb);
				break;
			}
			d->len += made;
			if (rc == Z_STREAM_END) {
				d->done = true; /* anything after the stream is ignored */
			} else if (rc == Z_BUF_ERROR) {
				if (d->z.avail_out > 0)
					break; /* no progress without more input */
			} else if (rc != Z_OK) {
				d->error = true;
				d->done = true;
				http_count(cb, SKIP_HTTP_DECODE);
			}
		}
		size_t used = step - d->z.avail_in;
		if (used == 0)
			break;
		p += used;
		n -= used;
	}
}

static void http_dec_inflate(struct http_decoder *d, const struct http_callbacks *cb,
			     const uint8_t *p, size_t n)
{
	if (!d->z_init) {
		while (n > 0 && d->n_sniff < sizeof d->sniff) {
			d->sniff[d->n_sniff++] = *p++;
			n--;
		}
		if (d->n_sniff < sizeof d->sniff)
			return;
		if (!http_dec_start_z(d)) {
			d->done = true;
			http_count(cb, SKIP_HTTP_ALLOC);
			return;
		}
		http_dec_z(d, cb, d->sniff, sizeof d->sniff);
	}
	http_dec_z(d, cb, p, n);
}

/* Body bytes p[0..n) (de-chunked): counted, and kept when the caller asked. */
static void http_body_data(struct http_stream *s, const struct http_callbacks *cb,
			   const uint8_t *p, size_t n)
{
	http_body_of(s->msg)->wire_len += n;
	struct http_decoder *d = s->dec;
	if (!d || d->done || n == 0)
		return;
	if (d->coding == HTTP_CODING_GZIP || d->coding == HTTP_CODING_DEFLATE)
		http_dec_inflate(d, cb, p, n);
	else
		http_dec_append(d, cb, p, n);
}

static void http_keep_body(struct http_stream *s, const struct http_callbacks *cb)
{
	struct http_body *b = http_body_of(s->msg);
	s->dec = calloc(1, sizeof *s->dec);
	if (!s->dec) {
		http_count(cb, SKIP_HTTP_ALLOC);
		return;
	}
	s->dec->coding = b->coding;
	b->kept = true;
}

/* Sets the state that reads the body the head announced. */
static void http_body_start(struct http_stream *s, const struct http_callbacks *cb, void *arg)
{
	struct http_body *b = http_body_of(s->msg);
	switch (b->framing) {
	case HTTP_FRAME_LENGTH:
		s->state = HTTP_S_BODY_LEN;
		s->remaining = b->content_length;
		break;
	case HTTP_FRAME_CHUNKED:
		s->state = HTTP_S_CHUNK_SIZE;
		break;
	case HTTP_FRAME_CLOSE:
		s->state = HTTP_S_BODY_CLOSE;
		break;
	case HTTP_FRAME_NONE:
		http_msg_done(s, cb, arg, true);
		break;
	}
}

/* ---- heads to messages ---- */

/* Framing of a request (RFC 9112 6.3 items 4-7): a transfer coding other than a final
 * chunked cannot be framed, and neither can a bad Content-Length. */
static void http_request_framing(struct http_head *h, struct http_request *rq)
{
	struct http_body *b = &rq->body;
	rq->te_and_cl = h->has_te && h->has_cl;
	if (h->has_te) {
		b->framing = HTTP_FRAME_CHUNKED;
		rq->bad_framing = !h->te_chunked;
	} else if (h->has_cl) {
		b->framing = h->cl > 0 || h->cl_bad ? HTTP_FRAME_LENGTH : HTTP_FRAME_NONE;
		b->content_length = h->cl;
		rq->bad_framing = h->cl_bad;
	}
	b->coding = h->coding;
}

/* Framing of a response (RFC 9112 6.3 items 1-8), with what only the engine knows. */
static void http_response_framing(struct http_head *h, struct http_response *rs,
				  const struct http_response_opts *o, bool *tunnel)
{
	struct http_body *b = &rs->body;
	uint16_t st = rs->status;
	rs->te_and_cl = h->has_te && h->has_cl;
	b->coding = h->coding;
	*tunnel = st == 101 || (o->to_connect && st >= 200 && st < 300);
	if (o->to_head || *tunnel || st < 200 || st == 204 || st == 304) {
		b->framing = HTTP_FRAME_NONE;
	} else if (h->has_te) {
		b->framing = h->te_chunked ? HTTP_FRAME_CHUNKED : HTTP_FRAME_CLOSE;
	} else if (h->has_cl) {
		b->framing = h->cl > 0 || h->cl_bad ? HTTP_FRAME_LENGTH : HTTP_FRAME_NONE;
		b->content_length = h->cl;
		rs->bad_framing = h->cl_bad;
	} else {
		b->framing = HTTP_FRAME_CLOSE;
	}
}

static void http_request_start(struct http_head *h, struct http_request *rq,
			       const struct http_start *st)
{
	struct http_arena *a = &h->ar;
	rq->method = http_copy(a, st->method, st->method_len, HTTP_MAX_METHOD);
	rq->version_major = st->major;
	rq->version_minor = st->minor;
	rq->form = http_target_form(st->target, st->target_len,
				    http_ieq(st->method, st->method_len, "connect"));
	http_copy_target(a, rq, st->target, st->target_len);
	http_split_target(h, rq);
}

/* url.domain: the Host header, else the target's authority (RFC 9112 3.2.2 would prefer the
 * target for absolute form; the Host header is what the client named, and both are kept). */
static void http_request_host(struct http_head *h, struct http_request *rq)
{
	const struct http_str *hh = &rq->host_header;
	if (hh->p && hh->len > 0) {
		rq->host = http_host_norm(&h->ar, (const uint8_t *)hh->p, hh->len, &rq->port,
					  &rq->host_ipv6);
		rq->host.cut |= hh->cut;
	} else if (rq->target_host.p) {
		rq->host = rq->target_host;
		rq->port = h->target_port;
		rq->host_ipv6 = h->target_ipv6;
		rq->host_from_target = true;
	} else {
		rq->host = *hh; /* absent, or present and empty */
	}
}

static struct http_msg *http_msg_new(bool response)
{
	struct http_msg *m = malloc(sizeof *m);
	if (!m)
		return NULL;
	/* The arena needs no clearing: every string in it is written before it is pointed to. */
	if (response)
		memset(m, 0, offsetof(struct http_msg, u) + offsetof(struct http_response, arena));
	else
		memset(m, 0, offsetof(struct http_msg, u) + offsetof(struct http_request, arena));
	m->response = response;
	return m;
}

static void http_head_arena(struct http_head *h, struct http_msg *m)
{
	memset(h, 0, sizeof *h);
	if (m->response) {
		h->ar.buf = m->u.rs.arena;
		h->ar.used = &m->u.rs.arena_used;
	} else {
		h->ar.buf = m->u.rq.arena;
		h->ar.used = &m->u.rq.arena_used;
	}
	h->ar.cap = HTTP_ARENA;
}

/* A request head is parsed: report it, then read its body. */
static void http_request_ready(struct http_stream *s, struct http_head *h,
			       const struct http_callbacks *cb, void *arg)
{
	struct http_request *rq = &s->msg->u.rq;
	http_request_host(h, rq);
	http_request_framing(h, rq);
	rq->n_headers = h->n_headers;
	s->msg->tunnel = h->upgrade || http_ieq((const uint8_t *)rq->method.p, rq->method.len, "connect");
	if (cb->on_request)
		cb->on_request(arg, rq);
	if (rq->bad_framing) {
		http_free_msg(s);
		http_refuse(s, cb, SKIP_HTTP_MALFORMED, "request framing");
		s->line_start = true; /* the next request may follow the head directly */
		return;
	}
	s->msg->has_body = rq->body.framing != HTTP_FRAME_NONE;
	if (s->msg->has_body && cb->want_body && cb->want_body(arg, rq))
		http_keep_body(s, cb);
	http_body_start(s, cb, arg);
}

static void http_response_ready(struct http_stream *s, struct http_head *h,
				const struct http_callbacks *cb, void *arg)
{
	struct http_response *rs = &s->msg->u.rs;
	struct http_response_opts o = { false, false, false };
	rs->n_headers = h->n_headers;
	rs->body.coding = h->coding;
	if (cb->on_response_head)
		cb->on_response_head(arg, rs, &o);
	http_response_framing(h, rs, &o, &s->msg->tunnel);
	if (rs->bad_framing) {
		http_msg_done(s, cb, arg, false);
		http_refuse(s, cb, SKIP_HTTP_MALFORMED, "response framing");
		s->line_start = true;
		return;
	}
	if (o.keep_body && rs->body.framing != HTTP_FRAME_NONE)
		http_keep_body(s, cb);
	http_body_start(s, cb, arg);
}

/* A complete head p[0..n) (through its empty line). Returns the bytes consumed: n, or 0 when
 * the head is refused (the state then says what comes next). */
static size_t http_head(struct http_stream *s, const uint8_t *p, size_t n,
			const struct http_callbacks *cb, void *arg)
{
	struct http_start st;
	struct http_head h;
	const uint8_t *lf = memchr(p, '\n', n);
	size_t l0 = lf ? (size_t)(lf - p) : n;
	int rc = http_start_line(p, l0, &st);
	if (rc == -2) {
		s->state = HTTP_S_OPAQUE; /* HTTP/2 with prior knowledge: not ours */
		return 0;
	}
	if (rc < 0) {
		http_bad_start(s, cb);
		return 0;
	}
	s->msg = http_msg_new(st.response);
	if (!s->msg) {
		http_refuse(s, cb, SKIP_HTTP_ALLOC, "out of memory");
		return 0;
	}
	http_head_arena(&h, s->msg);
	if (st.response) {
		s->msg->u.rs.status = st.status;
		s->msg->u.rs.version_major = st.major;
		s->msg->u.rs.version_minor = st.minor;
	} else {
		http_request_start(&h, &s->msg->u.rq, &st);
	}
	if (http_fields(&h, s->msg, p + l0 + 1, n - l0 - 1) < 0) {
		http_free_msg(s);
		http_refuse(s, cb, SKIP_HTTP_HEAD_CAP, "too many fields");
		return 0;
	}
	if (st.response)
		http_response_ready(s, &h, cb, arg);
	else
		http_request_ready(s, &h, cb, arg);
	return n;
}

/* ---- lines ---- */

/* Length of the line at p through its LF, or 0 while it has not arrived; at most max bytes
 * are searched, and *over says they were all there without an LF. s->scan remembers how far
 * a previous call searched the same bytes, so one byte at a time stays linear. */
static size_t http_line(struct http_stream *s, const uint8_t *p, size_t len, size_t max, bool *over)
{
	size_t lim = len < max ? len : max;
	if (s->scan > lim)
		s->scan = 0; /* not the bytes we saw: search again */
	const uint8_t *lf = memchr(p + s->scan, '\n', lim - s->scan);
	*over = false;
	if (lf) {
		s->scan = 0;
		return (size_t)(lf - p) + 1;
	}
	s->scan = (uint32_t)lim;
	*over = len >= max;
	return 0;
}

/* Length of the head at p through the empty line that ends it (LF LF or LF CR LF), or 0. */
static size_t http_head_end(struct http_stream *s, const uint8_t *p, size_t len)
{
	size_t lim = len < HTTP_MAX_HEADER_BYTES ? len : HTTP_MAX_HEADER_BYTES;
	size_t i = s->scan <= lim ? s->scan : 0;
	while (i < lim) {
		const uint8_t *lf = memchr(p + i, '\n', lim - i);
		if (!lf) {
			i = lim;
			break;
		}
		size_t at = (size_t)(lf - p);
		size_t end = 0;
		if (at + 1 < lim && p[at + 1] == '\n')
			end = at + 2;
		else if (at + 2 < lim && p[at + 1] == '\r' && p[at + 2] == '\n')
			end = at + 3;
		if (end) {
			s->scan = 0;
			return end;
		}
		if (at + 1 >= lim || (p[at + 1] == '\r' && at + 2 >= lim)) {
			i = at; /* what follows this LF decides */
			break;
		}
		i = at + 1;
	}
	s->scan = (uint32_t)i;
	return 0;
}

/* Is the line at p (through its LF, n bytes) the start of a message? */
static bool http_is_start(const uint8_t *p, size_t n)
{
	struct http_start st;
	size_t l = n > 0 && p[n - 1] == '\n' ? n - 1 : n;
	return http_start_line(p, l, &st) == 0;
}

/* Could p[0..len) begin a start line? Rejects most body bytes without waiting for an LF. */
static bool http_may_start(const uint8_t *p, size_t len)
{
	size_t i = 0;
	while (i < len && i <= HTTP_MAX_METHOD && http_is_tchar(p[i]))
		i++;
	if (i == len)
		return true; /* all token so far */
	if (i >= 4 && memcmp(p, "HTTP", 4) == 0 && p[i] == '/')
		return true;
	return i > 0 && i <= HTTP_MAX_METHOD && p[i] == ' ';
}

/* ---- states ---- */

static size_t http_step_idle(struct http_stream *s, const uint8_t *p, size_t len,
			     const struct http_callbacks *cb, void *arg)
{
	size_t i = 0;
	while (i < len && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i > 0) {
		s->scan = 0; /* RFC 9112 2.2: empty lines before a start line are ignored */
		return i;
	}
	if (len == 0)
		return 0;
	/* Bytes that cannot begin a start line are refused now, not after a head's worth. */
	if (!http_may_start(p, len)) {
		http_bad_start(s, cb);
		return 0;
	}
	size_t hl = http_head_end(s, p, len);
	if (hl == 0) {
		if (len >= HTTP_MAX_HEADER_BYTES)
			http_refuse(s, cb, SKIP_HTTP_HEAD_CAP, "head too long");
		return 0;
	}
	return http_head(s, p, hl, cb, arg);
}

/* Skips bytes up to a line that is a valid start line. */
static size_t http_step_resync(struct http_stream *s, const uint8_t *p, size_t len)
{
	if (len == 0)
		return 0;
	if (s->line_start && http_may_start(p, len)) {
		bool over;
		size_t n = http_line(s, p, len, HTTP_MAX_HEADER_BYTES, &over);
		if (n == 0 && !over)
			return 0;
		if (n > 0 && http_is_start(p, n)) {
			s->state = HTTP_S_IDLE;
			return 0;
		}
	}
	s->scan = 0;
	const uint8_t *lf = memchr(p, '\n', len);
	s->line_start = lf != NULL;
	return lf ? (size_t)(lf - p) + 1 : len;
}

/* After CONNECT or 101 the connection carries a tunnel, or HTTP again when the request was
 * refused: HTTP if the next line is a start line, otherwise nothing more is parsed (and
 * nothing is counted: TLS in a tunnel is not an error). */
static size_t http_step_tunnel(struct http_stream *s, const uint8_t *p, size_t len)
{
	size_t i = 0;
	while (i < len && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i > 0)
		return i;
	if (len == 0)
		return 0;
	if (!http_may_start(p, len)) {
		s->state = HTTP_S_OPAQUE;
		return 0;
	}
	bool over;
	size_t n = http_line(s, p, len, HTTP_MAX_HEADER_BYTES, &over);
	if (n == 0 && !over)
		return 0;
	s->scan = 0;
	s->state = n > 0 && http_is_start(p, n) ? HTTP_S_IDLE : HTTP_S_OPAQUE;
	return 0;
}

/* chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1, 7.1.1): extensions are skipped; a size of more
 * than 15 hex digits' worth is an overflow, not a size. */
static size_t http_step_chunk_size(struct http_stream *s, const uint8_t *p, size_t len,
				   const struct http_callbacks *cb, void *arg)
{
	bool over;
	size_t n = http_line(s, p, len, HTTP_MAX_CHUNK_LINE, &over), i = 0;
	uint64_t v = 0;
	if (n == 0) {
		if (over)
			http_abort(s, cb, arg, SKIP_HTTP_MALFORMED, "chunk line too long");
		return 0;
	}
	while (i < n && http_is_ows(p[i]))
		i++;
	size_t d0 = i;
	for (; i < n && http_hex(p[i]) >= 0; i++) {
		if (v > (UINT64_MAX >> 4)) {
			http_abort(s, cb, arg, SKIP_HTTP_MALFORMED, "chunk size overflow");
			return 0;
		}
		v = v << 4 | (uint64_t)http_hex(p[i]);
	}
	if (i == d0 || (p[i] != ';' && p[i] != '\r' && p[i] != '\n' && !http_is_ows(p[i]))) {
		http_abort(s, cb, arg, SKIP_HTTP_MALFORMED, "chunk size");
		return 0;
	}
	if (v == 0) {
		s->state = HTTP_S_TRAILER;
		s->lines = 0;
		s->trailer_bytes = 0;
	} else {
		s->state = HTTP_S_CHUNK_DATA;
		s->remaining = v;
	}
	return n;
}

static size_t http_step_chunk_end(struct http_stream *s, const uint8_t *p, size_t len,
				  const struct http_callbacks *cb, void *arg)
{
	if (len == 0 || (p[0] == '\r' && len < 2))
		return 0;
	size_t n = p[0] == '\n' ? 1 : (p[0] == '\r' && p[1] == '\n') ? 2 : 0;
	if (n == 0) {
		http_abort(s, cb, arg, SKIP_HTTP_MALFORMED, "chunk without CRLF");
		return 0;
	}
	s->state = HTTP_S_CHUNK_SIZE;
	return n;
}

/* trailer-section (RFC 9112 7.1.2): read and dropped, bounded like a head. */
static size_t http_step_trailer(struct http_stream *s, const uint8_t *p, size_t len,
				const struct http_callbacks *cb, void *arg)
{
	bool over;
	size_t n = http_line(s, p, len, HTTP_MAX_HEADER_BYTES - s->trailer_bytes, &over);
	if (n == 0) {
		if (over)
			http_abort(s, cb, arg, SKIP_HTTP_HEAD_CAP, "trailer too long");
		return 0;
	}
	if (n == 1 || (n == 2 && p[0] == '\r')) {
		http_msg_done(s, cb, arg, true);
		return n;
	}
	s->trailer_bytes += (uint32_t)n;
	if (++s->lines > HTTP_MAX_HEADERS || s->trailer_bytes >= HTTP_MAX_HEADER_BYTES) {
		http_abort(s, cb, arg, SKIP_HTTP_HEAD_CAP, "trailer too long");
		return n;
	}
	return n;
}

static size_t http_step_data(struct http_stream *s, const uint8_t *p, size_t len,
			     const struct http_callbacks *cb, void *arg)
{
	size_t take = len;
	if (s->state != HTTP_S_BODY_CLOSE && s->remaining < take)
		take = (size_t)s->remaining;
	http_body_data(s, cb, p, take);
	if (s->state == HTTP_S_BODY_CLOSE)
		return take;
	s->remaining -= take;
	if (s->remaining == 0) {
		if (s->state == HTTP_S_CHUNK_DATA)
			s->state = HTTP_S_CHUNK_END;
		else
			http_msg_done(s, cb, arg, true);
	}
	return take;
}

static size_t http_step(struct http_stream *s, const uint8_t *p, size_t len,
			const struct http_callbacks *cb, void *arg)
{
	switch ((enum http_state)s->state) {
	case HTTP_S_IDLE:
		return http_step_idle(s, p, len, cb, arg);
	case HTTP_S_BODY_LEN:
	case HTTP_S_CHUNK_DATA:
	case HTTP_S_BODY_CLOSE:
		return len ? http_step_data(s, p, len, cb, arg) : 0;
	case HTTP_S_CHUNK_SIZE:
		return http_step_chunk_size(s, p, len, cb, arg);
	case HTTP_S_CHUNK_END:
		return http_step_chunk_end(s, p, len, cb, arg);
	case HTTP_S_TRAILER:
		return http_step_trailer(s, p, len, cb, arg);
	case HTTP_S_RESYNC:
		return http_step_resync(s, p, len);
	case HTTP_S_TUNNEL:
		return http_step_tunnel(s, p, len);
	case HTTP_S_OPAQUE:
		return len;
	}
	s->state = HTTP_S_RESYNC; /* not reachable: a state we never set */
	return 0;
}

/* ---- public ---- */

void http_stream_init(struct http_stream *s)
{
	memset(s, 0, sizeof *s);
}

/* Bytes were lost: the message in progress is reported cut short, and unless the connection
 * stopped carrying HTTP the parser looks for the next start line. */
static void http_gap(struct http_stream *s, const struct http_callbacks *cb, void *arg)
{
	if (s->msg)
		http_msg_done(s, cb, arg, false);
	s->scan = 0;
	s->from_start = false;
	if (s->state != HTTP_S_OPAQUE) {
		s->state = HTTP_S_RESYNC;
		s->line_start = true;
	}
}

size_t http_feed(struct http_stream *s, const uint8_t *p, size_t len, bool gap,
		 const struct http_callbacks *cb, void *arg)
{
	static const struct http_callbacks none;
	static const uint8_t empty[1];
	size_t off = 0;
	if (!cb)
		cb = &none;
	if (!p) {
		p = empty;
		len = 0;
	}
	if (gap)
		http_gap(s, cb, arg);
	for (;;) {
		uint8_t before = s->state;
		size_t n = http_step(s, p + off, len - off, cb, arg);
		off += n;
		s->consumed += n;
		if (n == 0 && s->state == before)
			break;
	}
	return off;
}

void http_finish(struct http_stream *s, const struct http_callbacks *cb, void *arg)
{
	static const struct http_callbacks none;
	if (!cb)
		cb = &none;
	if (s->msg)
		http_msg_done(s, cb, arg, s->state == HTTP_S_BODY_CLOSE);
	http_stream_free(s);
}

bool http_opaque(const struct http_stream *s)
{
	return s->state == HTTP_S_OPAQUE;
}

bool http_unfinished(const struct http_stream *s)
{
	return s->msg && (s->state == HTTP_S_BODY_LEN || s->state == HTTP_S_CHUNK_DATA);
}

void http_stream_free(struct http_stream *s)
{
	http_free_msg(s);
	memset(s, 0, sizeof *s);
}

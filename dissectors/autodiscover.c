/* autodiscover.c: Autodiscover / autodetect / autoconfig bodies and request URLs (MS-OXDISCO 3.1.5, MS-OXDSCLI 2.2.3-2.2.4, 3.2.5 and 4; XML 1.0 sections 2.4-2.8, 4.1; RFC 3629 section 4). */
#include "dissectors/autodiscover.h"

#include <jansson.h>
#include <stddef.h>
#include <string.h>

#include "core/cursor.h"

#define AD_MUST_CHECK __attribute__((warn_unused_result))

/* ---- characters (ASCII only: no locale may change what a byte means) ---- */

static uint8_t ad_lower(uint8_t b)
{
	return b >= 'A' && b <= 'Z' ? (uint8_t)(b - 'A' + 'a') : b;
}

static bool ad_is_space(uint8_t b)
{
	return b == ' ' || b == '\t' || b == '\r' || b == '\n';
}

static bool ad_is_digit(uint8_t b)
{
	return b >= '0' && b <= '9';
}

static int ad_hex(uint8_t b)
{
	if (ad_is_digit(b))
		return b - '0';
	b = ad_lower(b);
	return b >= 'a' && b <= 'f' ? b - 'a' + 10 : -1;
}

/* b is one of the bytes of set (strchr alone would also find the terminating NUL). */
static bool ad_in(uint8_t b, const char *set)
{
	return b != 0 && strchr(set, b) != NULL;
}

/* s[0..n) equals the ASCII text lit, ignoring case. */
static bool ad_ieq(const uint8_t *s, size_t n, const char *lit)
{
	size_t i = 0;
	for (; i < n && lit[i]; i++)
		if (ad_lower(s[i]) != ad_lower((uint8_t)lit[i]))
			return false;
	return i == n && lit[i] == 0;
}

/* s[0..n) starts with lit, ignoring case. */
static bool ad_iprefix(const uint8_t *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return k <= n && ad_ieq(s, k, lit);
}

/* s[0..n) ends with lit, ignoring case. */
static bool ad_isuffix(const uint8_t *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return k <= n && ad_ieq(s + n - k, k, lit);
}

static void ad_trim(const uint8_t **s, size_t *n)
{
	while (*n && ad_is_space((*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n && ad_is_space((*s)[*n - 1]))
		(*n)--;
}

/* Length of the valid UTF-8 sequence that starts s[0..n) (RFC 3629 section 4: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 when there is none. */
static size_t ad_utf8_len(const uint8_t *s, size_t n)
{
	uint8_t b = s[0], lo = 0x80, hi = 0xbf;
	size_t k;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		k = 2;
	else if (b >= 0xe0 && b <= 0xef)
		k = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		k = 4;
	else
		return 0;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return k;
}

/* Encodes a code point the caller has checked (<= U+10FFFF, not a surrogate) as UTF-8. */
static size_t ad_utf8_put(uint32_t cp, uint8_t u[4])
{
	if (cp < 0x80) {
		u[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (uint8_t)(0xc0 | cp >> 6);
		u[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (uint8_t)(0xe0 | cp >> 12);
		u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (uint8_t)(0xf0 | cp >> 18);
	u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
	u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
	u[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* ---- text output ---- */

/* Text written into a bounded buffer; a byte that does not fit marks it full, and a full
 * text is never kept (a cut host name would name a different host). */
struct ad_out {
	char *buf;
	size_t cap, len;
	bool full;
};

static void ad_putc(struct ad_out *o, uint8_t ch)
{
	if (o->len >= o->cap) {
		o->full = true;
		return;
	}
	o->buf[o->len++] = (char)ch;
}

/* "\DDD", always three digits, as dns.c writes unprintable bytes: one escape for all names. */
static void ad_put_ddd(struct ad_out *o, uint8_t b)
{
	ad_putc(o, '\\');
	ad_putc(o, (uint8_t)('0' + b / 100));
	ad_putc(o, (uint8_t)('0' + b / 10 % 10));
	ad_putc(o, (uint8_t)('0' + b % 10));
}

/* Free text: valid UTF-8 kept, control bytes and bytes that are not UTF-8 as \DDD, so the
 * string is safe for the JSON writer (jansson drops invalid UTF-8 silently). */
static void ad_put_text(struct ad_out *o, const uint8_t *s, size_t n, bool lower)
{
	for (size_t i = 0; i < n;) {
		uint8_t b = s[i];
		size_t k = ad_utf8_len(s + i, n - i);
		if (b < 0x20 || b == 0x7f || k == 0) {
			ad_put_ddd(o, b);
			i++;
		} else if (k == 1) {
			ad_putc(o, lower ? ad_lower(b) : b);
			i++;
		} else {
			for (size_t j = 0; j < k; j++)
				ad_putc(o, s[i + j]);
			i += k;
		}
	}
}

/* The host part of a server field: the part after a user part ("guid@domain" is how Exchange
 * Online names its EXCH server), without the [] of an IPv6 literal or a :port, one trailing
 * dot dropped, lower-cased and escaped as dns.c writes names so the two compare equal. */
static void ad_put_host(struct ad_out *o, const uint8_t *s, size_t n)
{
	size_t colons = 0, colon = 0;

	ad_trim(&s, &n);
	for (size_t i = n; i > 0; i--)
		if (s[i - 1] == '@') {
			s += i;
			n -= i;
			break;
		}
	if (n && s[0] == '[') {
		size_t e = 1;
		while (e < n && s[e] != ']')
			e++;
		s++;
		n = e - 1;
	} else {
		for (size_t i = 0; i < n; i++)
			if (s[i] == ':') {
				colons++;
				colon = i;
			}
		if (colons == 1) /* more than one is a bare IPv6 address, not host:port */
			n = colon;
	}
	if (n && s[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = ad_lower(s[i]);
		if (b == '\\') {
			ad_putc(o, '\\');
			ad_putc(o, '\\');
		} else if (b < 0x21 || b > 0x7e) {
			ad_put_ddd(o, b);
		} else {
			ad_putc(o, b);
		}
	}
}

/* Bytes a domain part may not hold in anything a client would send mail to. */
static bool ad_domain_byte_bad(uint8_t b)
{
	return ad_in(b, "/?#\\\"<>,;()");
}

/* Writes s as a mailbox, local part as given and domain lower-cased without its trailing dot,
 * when it is one: a non-empty local part (<= 256 bytes, more than RFC 5321's 64 because real
 * systems exceed it), '@' (the last one), a domain of 1..255 bytes, no spaces or control
 * bytes, valid UTF-8. Returns false, writing nothing, when it is not. */
static bool ad_put_addr(struct ad_out *o, const uint8_t *s, size_t n)
{
	size_t at = n;

	ad_trim(&s, &n);
	for (size_t i = n; i > 0; i--)
		if (s[i - 1] == '@') {
			at = i - 1;
			break;
		}
	if (at >= n || at == 0 || at > 256)
		return false;
	const uint8_t *d = s + at + 1;
	size_t dn = n - at - 1;
	if (dn && d[dn - 1] == '.')
		dn--;
	if (dn == 0 || dn > 255 || d[0] == '.')
		return false;
	for (size_t i = 0; i < at + 1 + dn;) {
		size_t k = ad_utf8_len(s + i, n - i);
		if (k == 0 || s[i] <= 0x20 || s[i] == 0x7f)
			return false;
		if (i > at && ad_domain_byte_bad(s[i]))
			return false;
		i += k;
	}
	for (size_t i = 0; i <= at; i++)
		ad_putc(o, s[i]);
	for (size_t i = 0; i < dn; i++)
		ad_putc(o, ad_lower(d[i]));
	return true;
}

/* ---- URLs (RFC 3986 section 3.2) ---- */

struct ad_url {
	size_t auth;      /* offset of the authority (0 when there is no scheme) */
	size_t auth_end;  /* offset just past it */
	size_t host_at;   /* offset of the host, after any user:password@ */
	size_t host_off, host_len;
	uint16_t port;    /* explicit, else the scheme's default, else 0 */
};

static uint16_t ad_port(const uint8_t *s, size_t n)
{
	uint32_t v = 0;
	if (n == 0 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!ad_is_digit(s[i]))
			return 0;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	return v <= 65535 ? (uint16_t)v : 0;
}

/* "443/..." after a ':' makes "host:443/..." an authority, not a scheme. */
static bool ad_port_follows(const uint8_t *s, size_t n)
{
	size_t k = 0;
	while (k < n && ad_is_digit(s[k]))
		k++;
	return k > 0 && (k == n || ad_in(s[k], "/?#\\"));
}

static bool ad_scheme_byte(uint8_t b)
{
	b = ad_lower(b);
	return (b >= 'a' && b <= 'z') || ad_is_digit(b) || b == '+' || b == '-' || b == '.';
}

/* The host and port of a URL. Backslash ends the authority as '/' does because browsers and
 * Windows HTTP stacks read it so. A URL without a scheme ("mail.example.com/ews") is read as
 * authority first; one starting with '/' has no host. */
static void ad_url_split(const uint8_t *s, size_t n, struct ad_url *u)
{
	size_t i = 0, j = 0, e, hs;

	memset(u, 0, sizeof *u);
	while (j < n && j < 32 && ad_scheme_byte(s[j]))
		j++;
	if (j > 0 && j + 3 <= n && s[j] == ':' && s[j + 1] == '/' && s[j + 2] == '/')
		i = j + 3;
	else if (n >= 2 && s[0] == '/' && s[1] == '/')
		i = 2;
	else if ((n && s[0] == '/') || (j < n && s[j] == ':' && !ad_port_follows(s + j + 1, n - j - 1)))
		return; /* a path, or a scheme without an authority (mailto:) */
	for (e = i; e < n && !ad_in(s[e], "/?#\\"); e++)
		;
	hs = i;
	for (size_t k = e; k > i; k--)
		if (s[k - 1] == '@') {
			hs = k;
			break;
		}
	u->auth = i;
	u->auth_end = e;
	u->host_at = hs;
	u->host_off = hs;
	if (hs < e && s[hs] == '[') {
		size_t r = hs + 1;
		while (r < e && s[r] != ']')
			r++;
		u->host_off = hs + 1;
		u->host_len = r - hs - 1;
		if (r + 1 < e && s[r + 1] == ':')
			u->port = ad_port(s + r + 2, e - r - 2);
	} else {
		size_t c = hs;
		while (c < e && s[c] != ':')
			c++;
		u->host_len = c - hs;
		if (c < e)
			u->port = ad_port(s + c + 1, e - c - 1);
	}
	if (u->port == 0 && i == j + 3 && ad_ieq(s, j, "https"))
		u->port = 443;
	else if (u->port == 0 && i == j + 3 && ad_ieq(s, j, "http"))
		u->port = 80;
}

/* ---- the result ---- */

static struct ad_out ad_arena_open(struct ad_result *r)
{
	size_t used = r->arena_used;
	struct ad_out o = { r->arena + used, used < AD_ARENA ? AD_ARENA - used - 1 : 0, 0, false };
	return o;
}

/* Keeps the text written since ad_arena_open; NULL when it was empty or did not fit. */
static const char *ad_arena_close(struct ad_result *r, struct ad_out *o)
{
	if (o->full) {
		r->truncated = true;
		return NULL;
	}
	if (o->len == 0)
		return NULL;
	o->buf[o->len] = 0;
	r->arena_used += o->len + 1;
	return o->buf;
}

static const char *ad_store_text(struct ad_result *r, const uint8_t *s, size_t n, bool lower)
{
	struct ad_out o = ad_arena_open(r);
	ad_put_text(&o, s, n, lower);
	return ad_arena_close(r, &o);
}

static const char *ad_store_host(struct ad_result *r, const uint8_t *s, size_t n)
{
	struct ad_out o = ad_arena_open(r);
	ad_put_host(&o, s, n);
	return ad_arena_close(r, &o);
}

/* A server field holding a URL ("https://mail.example.com/", seen in hand-written answers)
 * names the URL's host, not "https". */
static const char *ad_store_server(struct ad_result *r, const uint8_t *s, size_t n)
{
	struct ad_url u;

	if (!memmem(s, n, "://", 3))
		return ad_store_host(r, s, n);
	ad_url_split(s, n, &u);
	return u.host_len ? ad_store_host(r, s + u.host_off, u.host_len) : NULL;
}

/* A user name: an address is normalised as one, anything else ("DOMAIN\user") kept as text. */
static const char *ad_store_user(struct ad_result *r, const uint8_t *s, size_t n)
{
	struct ad_out o = ad_arena_open(r);
	if (!ad_put_addr(&o, s, n))
		ad_put_text(&o, s, n, false);
	return ad_arena_close(r, &o);
}

/* The URL without its user:password@ part: a password must never reach a record. */
static const char *ad_store_url(struct ad_result *r, const uint8_t *s, size_t n,
				const struct ad_url *u)
{
	struct ad_out o = ad_arena_open(r);
	ad_put_text(&o, s, u->auth, false);
	ad_put_text(&o, s + u->host_at, n - u->host_at, false);
	return ad_arena_close(r, &o);
}

/* Adds a distinct mailbox; returns false when s is not an address. A repeat (autodetect names
 * the user in "email" and in every "username") is not kept twice. */
static bool ad_add_mailbox(struct ad_result *r, const uint8_t *s, size_t n, const char *source,
			   bool redirect)
{
	size_t mark = r->arena_used;
	struct ad_out o = ad_arena_open(r);

	if (!ad_put_addr(&o, s, n))
		return false;
	const char *a = ad_arena_close(r, &o);
	if (!a)
		return true;
	for (uint16_t i = 0; i < r->n_mailbox; i++)
		if (strcmp(r->mailbox[i].addr, a) == 0) {
			r->arena_used = mark;
			return true;
		}
	if (r->n_mailbox == AD_MAX_MAILBOXES) {
		r->mailboxes_dropped++;
		r->arena_used = mark;
		return true;
	}
	struct ad_mailbox *m = &r->mailbox[r->n_mailbox++];
	m->addr = a;
	m->source = source;
	m->redirect = redirect;
	return true;
}

static struct ad_server *ad_new_server(struct ad_result *r, const char *source)
{
	if (r->n_server == AD_MAX_SERVERS) {
		r->servers_dropped++;
		return NULL;
	}
	struct ad_server *v = &r->server[r->n_server++];
	memset(v, 0, sizeof *v);
	v->source = source;
	return v;
}

/* An entry for a URL field: its host and port, the URL itself as evidence. A URL cut at
 * AD_MAX_TEXT keeps its host only when the authority ended before the cut. */
static void ad_add_url(struct ad_result *r, const uint8_t *s, size_t n, const char *source,
		       const char *protocol, bool redirect, bool cut)
{
	struct ad_url u;

	ad_trim(&s, &n);
	if (n == 0)
		return;
	struct ad_server *v = ad_new_server(r, source);
	if (!v)
		return;
	ad_url_split(s, n, &u);
	v->protocol = protocol;
	v->redirect = redirect;
	v->url = ad_store_url(r, s, n, &u);
	if (cut && u.auth_end == n)
		return;
	v->host = u.host_len ? ad_store_host(r, s + u.host_off, u.host_len) : NULL;
	v->port = u.port;
}

/* ---- XML (POX, mobilesync, autoconfig) ----
 *
 * A small scanner, not a general XML parser: it checks what a client's parser would reject
 * (unbalanced tags, bad references, unterminated constructs) so that a document the client
 * could not read is reported as such, and collects the text of the elements listed below.
 * No entity a DOCTYPE declares is ever expanded: there is nothing to amplify. */

enum ad_field {
	F_NONE, F_MAILBOX, F_REDIRECT_ADDR, F_REDIRECT_URL, F_ACTION, F_ERROR,
	F_TYPE, F_HOST, F_PORT, F_USER, F_ENC, F_URL, F_BOX, F_REQUEST,
};

struct ad_name {
	const char *name; /* canonical spelling: also the evidence "source" */
	uint8_t field;
};

/* Local names, matched ignoring case. Type/Server/Port/LoginName/SSL and their autoconfig
 * twins count only inside a server container (F_BOX); "Server" is itself a container under
 * mobilesync's Settings. */
static const struct ad_name ad_xml_names[] = {
	{ "EMailAddress", F_MAILBOX }, { "AutoDiscoverSMTPAddress", F_MAILBOX },
	{ "RedirectAddr", F_REDIRECT_ADDR }, { "Redirect", F_REDIRECT_ADDR },
	{ "RedirectUrl", F_REDIRECT_URL },
	{ "Action", F_ACTION }, { "ErrorCode", F_ERROR },
	{ "Type", F_TYPE },
	{ "Server", F_HOST }, { "hostname", F_HOST },
	{ "Port", F_PORT },
	{ "LoginName", F_USER }, { "username", F_USER },
	{ "SSL", F_ENC }, { "Encryption", F_ENC }, { "socketType", F_ENC },
	{ "ASUrl", F_URL }, { "EwsUrl", F_URL }, { "EmwsUrl", F_URL }, { "OOFUrl", F_URL },
	{ "OABUrl", F_URL }, { "UMUrl", F_URL }, { "EcpUrl", F_URL }, { "OWAUrl", F_URL },
	{ "Url", F_URL }, { "InternalUrl", F_URL }, { "ExternalUrl", F_URL },
	{ "Protocol", F_BOX }, { "incomingServer", F_BOX }, { "outgoingServer", F_BOX },
	{ "Request", F_REQUEST },
};

static const struct ad_name *ad_lookup(const struct ad_name *t, size_t nt, const uint8_t *s,
				       size_t n)
{
	for (size_t i = 0; i < nt; i++)
		if (ad_ieq(s, n, t[i].name))
			return &t[i];
	return NULL;
}

struct ad_elem {
	const uint8_t *name; /* local name, in the body */
	size_t name_len;
	const char *canon;   /* table spelling, NULL when not in the table */
	uint8_t field;
	bool collect;        /* plain text so far: its text is a value we keep */
	bool box;            /* it opened a server container */
};

enum { AD_ENTRY_NONE = -1, AD_ENTRY_DROPPED = -2 };

/* A server container (POX Protocol, autoconfig incomingServer/outgoingServer, mobilesync
 * Server): the entries made inside it get its protocol, which may come after them. */
struct ad_box {
	unsigned depth;     /* index of its element on the stack */
	uint16_t first;     /* first entry made inside it */
	int entry;          /* its Server/hostname entry, or AD_ENTRY_* */
	const char *type;   /* its protocol, lower-cased */
	const char *name;   /* the container's name, the main entry's source until a host comes */
};

struct ad_xml {
	struct cur c;
	struct ad_result *r;
	const char *why;     /* not well-formed, or over a limit: DIS_MALFORMED */
	const char *cut;     /* the body ended first: DIS_SHORT */
	struct ad_elem el[AD_MAX_DEPTH];
	unsigned depth;
	struct ad_box box[AD_MAX_DEPTH];
	unsigned n_box;
	unsigned elements;
	bool root_done;
	const uint8_t *type_attr; /* Type="..." of the start tag being read */
	size_t type_attr_len;
	uint8_t text[AD_MAX_TEXT];
	size_t text_len;
	bool text_over;
};

static int ad_bad(struct ad_xml *x, const char *why)
{
	if (!x->why && !x->cut)
		x->why = why;
	return -1;
}

static int ad_cut(struct ad_xml *x, const char *why)
{
	if (!x->why && !x->cut)
		x->cut = why;
	return -1;
}

/* The next byte, or -1 at the end; never moves or fails the cursor. */
static int ad_peek(const struct cur *c)
{
	struct cur t = *c;
	uint8_t b = cur_u8(&t);
	return cur_ok(&t) ? b : -1;
}

enum ad_match { AD_NO, AD_YES, AD_PART };

/* Whether the next bytes are lit; AD_PART when the body ends inside what could be it, so a
 * cut "<!-" is reported as cut, not as a bad tag. */
static enum ad_match ad_at(const struct cur *c, const char *lit)
{
	struct cur t = *c;
	for (size_t i = 0; lit[i]; i++) {
		if (!cur_has(&t, 1))
			return AD_PART;
		if (cur_u8(&t) != (uint8_t)lit[i])
			return AD_NO;
	}
	return AD_YES;
}

/* Moves past the first `end`; cut when the body ends first. */
static AD_MUST_CHECK int ad_skip_past(struct ad_xml *x, const char *end, const char *why)
{
	for (;;) {
		enum ad_match m = ad_at(&x->c, end);
		if (m == AD_YES) {
			cur_skip(&x->c, strlen(end));
			return 0;
		}
		if (m == AD_PART)
			return ad_cut(x, why);
		cur_skip(&x->c, 1);
	}
}

/* Text for the open element: kept when it collects, leading whitespace dropped so padding
 * cannot push a value out of the buffer; outside the root only whitespace is allowed. */
static AD_MUST_CHECK int ad_text_put(struct ad_xml *x, const uint8_t *s, size_t n)
{
	if (x->depth == 0) {
		for (size_t i = 0; i < n; i++)
			if (!ad_is_space(s[i]))
				return ad_bad(x, "text outside the root element");
		return 0;
	}
	if (!x->el[x->depth - 1].collect)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (x->text_len == 0 && ad_is_space(s[i]))
			continue;
		if (x->text_len == sizeof x->text) {
			x->text_over = true;
			return 0;
		}
		x->text[x->text_len++] = s[i];
	}
	return 0;
}

/* &#N; / &#xN; naming an XML Char (XML 1.0 section 2.2): not NUL, not a surrogate, not
 * U+FFFE/U+FFFF, nothing above U+10FFFF. */
static AD_MUST_CHECK int ad_charref(const uint8_t *s, size_t n, uint32_t *cp)
{
	bool hex = n && s[0] == 'x';
	uint32_t v = 0;
	size_t i = hex ? 1 : 0;

	if (i == n)
		return -1;
	for (; i < n; i++) {
		int d = hex ? ad_hex(s[i]) : (ad_is_digit(s[i]) ? s[i] - '0' : -1);
		if (d < 0)
			return -1;
		v = v * (hex ? 16u : 10u) + (uint32_t)d;
		if (v > 0x10ffff) /* also keeps v from overflowing */
			return -1;
	}
	if (v < 0x20 && v != 0x9 && v != 0xa && v != 0xd)
		return -1;
	if ((v >= 0xd800 && v <= 0xdfff) || v == 0xfffe || v == 0xffff)
		return -1;
	*cp = v;
	return 0;
}

/* A reference at '&' (XML 1.0 section 4.1): the five predefined entities and character
 * references; any other name is an error, as it is for the client's parser. */
static AD_MUST_CHECK int ad_xml_ref(struct ad_xml *x)
{
	static const struct { const char *name; uint8_t ch; } ents[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	};
	uint8_t ref[12], u[4];
	size_t n = 0;
	uint32_t cp = 0;

	cur_skip(&x->c, 1);
	for (;;) {
		int b = ad_peek(&x->c);
		if (b < 0)
			return ad_cut(x, "document ends inside a reference");
		cur_skip(&x->c, 1);
		if (b == ';')
			break;
		if (n == sizeof ref) /* &#x0010FFFF; is the longest useful one */
			return ad_bad(x, "reference too long");
		ref[n++] = (uint8_t)b;
	}
	if (n > 1 && ref[0] == '#') {
		if (ad_charref(ref + 1, n - 1, &cp) < 0)
			return ad_bad(x, "invalid character reference");
		return ad_text_put(x, u, ad_utf8_put(cp, u));
	}
	for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
		if (n == strlen(ents[i].name) && memcmp(ref, ents[i].name, n) == 0)
			return ad_text_put(x, &ents[i].ch, 1);
	return ad_bad(x, "unknown entity reference");
}

/* Character data up to the next '<'. */
static AD_MUST_CHECK int ad_xml_text(struct ad_xml *x)
{
	for (;;) {
		int b = ad_peek(&x->c);
		if (b < 0 || b == '<')
			return 0;
		if (b == '&') {
			if (ad_xml_ref(x) < 0)
				return -1;
			continue;
		}
		uint8_t ch = (uint8_t)b;
		cur_skip(&x->c, 1);
		if (ad_text_put(x, &ch, 1) < 0)
			return -1;
	}
}

/* An XML name: bytes up to whitespace, '/', '>', '=' or a quote. The body ending inside it is
 * a cut; '<' or '&' inside it is an error. */
static AD_MUST_CHECK int ad_xml_name(struct ad_xml *x, const uint8_t **name, size_t *n)
{
	struct cur t = x->c;
	size_t k = 0;

	for (;;) {
		if (!cur_has(&t, 1))
			return ad_cut(x, "document ends inside a tag");
		uint8_t b = cur_u8(&t);
		if (ad_is_space(b) || b == '/' || b == '>' || b == '=' || b == '"' || b == '\'')
			break;
		if (b == '<' || b == '&')
			return ad_bad(x, "invalid character in a name");
		k++;
	}
	*name = cur_take(&x->c, k);
	*n = k;
	return 0;
}

/* The local part of a qualified name: namespace prefixes are ignored. */
static void ad_local(const uint8_t **s, size_t *n)
{
	for (size_t i = *n; i > 0; i--)
		if ((*s)[i - 1] == ':') {
			*s += i;
			*n -= i;
			return;
		}
}

static void ad_skip_space(struct cur *c)
{
	int b;
	while ((b = ad_peek(c)) >= 0 && ad_is_space((uint8_t)b))
		cur_skip(c, 1);
}

static struct ad_box *ad_box_top(struct ad_xml *x)
{
	return x->n_box ? &x->box[x->n_box - 1] : NULL;
}

/* The container's Server/hostname entry, made when its first field arrives. */
static struct ad_server *ad_box_main(struct ad_xml *x)
{
	struct ad_box *b = ad_box_top(x);
	if (!b)
		return NULL;
	if (b->entry == AD_ENTRY_NONE) {
		struct ad_server *v = ad_new_server(x->r, b->name);
		b->entry = v ? (int)(v - x->r->server) : AD_ENTRY_DROPPED;
	}
	return b->entry >= 0 ? &x->r->server[b->entry] : NULL;
}

/* Entries made inside the container get its protocol now that all of it has been read. */
static void ad_box_fix(struct ad_xml *x, const struct ad_box *b)
{
	for (uint16_t i = b->first; i < x->r->n_server; i++)
		if (!x->r->server[i].protocol)
			x->r->server[i].protocol = b->type;
}

/* Closes the innermost container. A main entry that never got a host (only SSL or LoginName
 * were given) names no server: it is removed. */
static void ad_box_close(struct ad_xml *x)
{
	struct ad_box *b = &x->box[--x->n_box];
	struct ad_result *r = x->r;

	ad_box_fix(x, b);
	if (b->entry >= 0 && !r->server[b->entry].host) {
		uint16_t m = (uint16_t)b->entry;
		memmove(&r->server[m], &r->server[m + 1],
			(size_t)(r->n_server - m - 1) * sizeof r->server[0]);
		r->n_server--;
	}
}

static void ad_box_open(struct ad_xml *x, const char *name)
{
	struct ad_box *b = &x->box[x->n_box++];
	b->depth = x->depth - 1;
	b->first = x->r->n_server;
	b->entry = AD_ENTRY_NONE;
	b->name = name;
	b->type = x->type_attr_len ? ad_store_text(x->r, x->type_attr, x->type_attr_len, true)
				   : NULL;
}

/* The value of a field element, at its end tag. */
static void ad_xml_value(struct ad_xml *x, const struct ad_elem *e)
{
	struct ad_result *r = x->r;
	struct ad_box *b = ad_box_top(x);
	struct ad_server *v;
	const uint8_t *s = x->text;
	size_t n = x->text_len;
	bool cut = x->text_over; /* a cut name or address would name a different one */

	ad_trim(&s, &n);
	if (cut)
		r->truncated = true;
	switch (e->field) {
	case F_MAILBOX:
	case F_REDIRECT_ADDR:
		if (n && (cut || !ad_add_mailbox(r, s, n, e->canon, e->field == F_REDIRECT_ADDR)))
			r->ignored++;
		break;
	case F_REDIRECT_URL:
	case F_URL:
		ad_add_url(r, s, n, e->canon, e->field == F_URL && b ? b->type : NULL,
			   e->field == F_REDIRECT_URL, cut);
		break;
	case F_ACTION:
		r->action = ad_store_text(r, s, n, false);
		break;
	case F_ERROR:
		r->error = ad_store_text(r, s, n, false);
		break;
	case F_TYPE:
		if (b && b->depth + 1 == x->depth) /* only the container's own Type */
			b->type = ad_store_text(r, s, n, true);
		break;
	case F_HOST:
		if (cut)
			r->ignored++;
		else if ((v = ad_box_main(x)) && n) {
			v->host = ad_store_server(r, s, n);
			v->source = e->canon;
		}
		break;
	case F_PORT:
		if ((v = ad_box_main(x)))
			v->port = ad_port(s, n);
		if (v && !v->port)
			r->ignored++;
		break;
	case F_USER:
		if ((v = ad_box_main(x)))
			v->username = ad_store_user(r, s, n);
		if (!cut)
			(void)ad_add_mailbox(r, s, n, e->canon, false);
		break;
	case F_ENC:
		if ((v = ad_box_main(x)))
			v->encryption = ad_store_text(r, s, n, true);
		break;
	default:
		break;
	}
}

/* Whether an element's text is a value: container fields count only inside a container. */
static bool ad_field_collects(uint8_t f, bool in_box)
{
	switch (f) {
	case F_MAILBOX: case F_REDIRECT_ADDR: case F_REDIRECT_URL: case F_ACTION: case F_ERROR:
	case F_URL:
		return true;
	case F_TYPE: case F_HOST: case F_PORT: case F_USER: case F_ENC:
		return in_box;
	default:
		return false;
	}
}

static AD_MUST_CHECK int ad_xml_close(struct ad_xml *x)
{
	struct ad_elem *e = &x->el[--x->depth];

	if (e->collect)
		ad_xml_value(x, e);
	if (e->box)
		ad_box_close(x);
	if (x->depth == 0)
		x->root_done = true;
	return 0;
}

static AD_MUST_CHECK int ad_xml_open(struct ad_xml *x, const uint8_t *name, size_t n, bool empty)
{
	if (x->root_done)
		return ad_bad(x, "a second root element");
	if (x->depth == AD_MAX_DEPTH)
		return ad_bad(x, "elements nested deeper than AD_MAX_DEPTH");
	if (++x->elements > AD_MAX_ELEMENTS)
		return ad_bad(x, "more than AD_MAX_ELEMENTS elements");
	ad_local(&name, &n);
	const struct ad_name *t = ad_lookup(ad_xml_names,
					    sizeof ad_xml_names / sizeof ad_xml_names[0], name, n);
	struct ad_elem *parent = x->depth ? &x->el[x->depth - 1] : NULL;
	uint8_t field = t ? t->field : F_NONE;

	if (parent)
		parent->collect = false; /* mixed content: not a plain value */
	if (field == F_HOST && parent && ad_ieq(parent->name, parent->name_len, "Settings"))
		field = F_BOX; /* mobilesync: Action/Settings/Server holds Type and Url */
	struct ad_elem *e = &x->el[x->depth++];
	e->name = name;
	e->name_len = n;
	e->canon = t ? t->name : NULL;
	e->field = field;
	e->collect = ad_field_collects(field, x->n_box > 0);
	e->box = field == F_BOX;
	if (e->collect) {
		x->text_len = 0;
		x->text_over = false;
	}
	if (e->box)
		ad_box_open(x, t->name);
	if (field == F_REQUEST)
		x->r->request = true;
	return empty ? ad_xml_close(x) : 0;
}

/* One attribute: name, '=', a quoted value. Only Type is kept (POX <Protocol Type="mapiHttp">,
 * autoconfig <incomingServer type="imap">); xmlns:type declares a prefix and is not it. */
static AD_MUST_CHECK int ad_xml_attr(struct ad_xml *x)
{
	const uint8_t *an, *av;
	size_t ann, avn = 0;

	if (ad_xml_name(x, &an, &ann) < 0)
		return -1;
	if (ann == 0)
		return ad_bad(x, "attribute without a name");
	ad_skip_space(&x->c);
	int q = ad_peek(&x->c);
	if (q < 0)
		return ad_cut(x, "document ends inside a tag");
	if (q != '=')
		return ad_bad(x, "attribute without a value");
	cur_skip(&x->c, 1);
	ad_skip_space(&x->c);
	q = ad_peek(&x->c);
	if (q < 0)
		return ad_cut(x, "document ends inside a tag");
	if (q != '"' && q != '\'')
		return ad_bad(x, "attribute value without quotes");
	cur_skip(&x->c, 1);
	for (struct cur t = x->c;; avn++) {
		int b = ad_peek(&t);
		if (b < 0)
			return ad_cut(x, "document ends inside an attribute value");
		if (b == q)
			break;
		cur_skip(&t, 1);
	}
	av = cur_take(&x->c, avn);
	cur_skip(&x->c, 1);
	bool xmlns = ad_iprefix(an, ann, "xmlns");
	ad_local(&an, &ann);
	if (!xmlns && ad_ieq(an, ann, "type")) {
		x->type_attr = av;
		x->type_attr_len = avn;
	}
	return 0;
}

/* A start tag after its '<'. */
static AD_MUST_CHECK int ad_xml_start(struct ad_xml *x)
{
	const uint8_t *name;
	size_t n;

	if (ad_xml_name(x, &name, &n) < 0)
		return -1;
	if (n == 0)
		return ad_bad(x, "element without a name");
	x->type_attr = NULL;
	x->type_attr_len = 0;
	for (;;) {
		ad_skip_space(&x->c);
		int b = ad_peek(&x->c);
		if (b < 0)
			return ad_cut(x, "document ends inside a tag");
		if (b == '>') {
			cur_skip(&x->c, 1);
			return ad_xml_open(x, name, n, false);
		}
		if (b == '/') {
			enum ad_match m = ad_at(&x->c, "/>");
			if (m == AD_PART)
				return ad_cut(x, "document ends inside a tag");
			if (m == AD_NO)
				return ad_bad(x, "'/' inside a tag");
			cur_skip(&x->c, 2);
			return ad_xml_open(x, name, n, true);
		}
		if (ad_xml_attr(x) < 0)
			return -1;
	}
}

/* An end tag after its "</": it must close the open element (local names, any case). */
static AD_MUST_CHECK int ad_xml_end(struct ad_xml *x)
{
	const uint8_t *name;
	size_t n;

	if (ad_xml_name(x, &name, &n) < 0)
		return -1;
	ad_skip_space(&x->c);
	int b = ad_peek(&x->c);
	if (b < 0)
		return ad_cut(x, "document ends inside a tag");
	if (b != '>')
		return ad_bad(x, "bad end tag");
	cur_skip(&x->c, 1);
	if (x->depth == 0)
		return ad_bad(x, "end tag without a start tag");
	ad_local(&name, &n);
	const struct ad_elem *e = &x->el[x->depth - 1];
	if (n == 0 || n != e->name_len)
		return ad_bad(x, "end tag does not match its start tag");
	for (size_t i = 0; i < n; i++)
		if (ad_lower(name[i]) != ad_lower(e->name[i]))
			return ad_bad(x, "end tag does not match its start tag");
	return ad_xml_close(x);
}

/* <!DOCTYPE ...> and other declarations, before the root only: skipped whole, quotes and an
 * internal subset's brackets respected. */
static AD_MUST_CHECK int ad_xml_decl(struct ad_xml *x)
{
	size_t brackets = 0;
	int quote = 0;

	if (x->depth > 0 || x->root_done)
		return ad_bad(x, "declaration inside the document");
	cur_skip(&x->c, 2);
	for (;;) {
		int b = ad_peek(&x->c);
		if (b < 0)
			return ad_cut(x, "document ends inside a declaration");
		cur_skip(&x->c, 1);
		if (quote) {
			if (b == quote)
				quote = 0;
		} else if (b == '"' || b == '\'') {
			quote = b;
		} else if (b == '[') {
			brackets++;
		} else if (b == ']' && brackets) {
			brackets--;
		} else if (b == '>' && brackets == 0) {
			return 0;
		}
	}
}

/* <![CDATA[ ... ]]>: its bytes are text as they stand. */
static AD_MUST_CHECK int ad_xml_cdata(struct ad_xml *x)
{
	if (x->depth == 0)
		return ad_bad(x, "CDATA outside the root element");
	cur_skip(&x->c, 9);
	for (;;) {
		enum ad_match m = ad_at(&x->c, "]]>");
		if (m == AD_YES) {
			cur_skip(&x->c, 3);
			return 0;
		}
		if (m == AD_PART)
			return ad_cut(x, "document ends inside CDATA");
		uint8_t ch = cur_u8(&x->c);
		if (ad_text_put(x, &ch, 1) < 0)
			return -1;
	}
}

/* Markup at '<'. Each branch is told apart by its opening bytes; the body ending inside them
 * is a cut. */
static AD_MUST_CHECK int ad_xml_markup(struct ad_xml *x)
{
	static const char *const opens[] = { "<?", "<!--", "<![CDATA[", "<!", "</" };
	size_t i;

	for (i = 0; i < sizeof opens / sizeof opens[0]; i++) {
		enum ad_match m = ad_at(&x->c, opens[i]);
		if (m == AD_PART)
			return ad_cut(x, "document ends inside a tag");
		if (m == AD_YES)
			break;
	}
	switch (i) {
	case 0:
		cur_skip(&x->c, 2);
		return ad_skip_past(x, "?>", "document ends inside a processing instruction");
	case 1:
		cur_skip(&x->c, 4);
		return ad_skip_past(x, "-->", "document ends inside a comment");
	case 2:
		return ad_xml_cdata(x);
	case 3:
		return ad_xml_decl(x);
	case 4:
		cur_skip(&x->c, 2);
		return ad_xml_end(x);
	default:
		cur_skip(&x->c, 1);
		return ad_xml_start(x);
	}
}

/* Entries of containers the body left open still get their protocol. */
static void ad_xml_finish(struct ad_xml *x)
{
	for (unsigned i = x->n_box; i > 0; i--)
		ad_box_fix(x, &x->box[i - 1]);
	if (!x->why && !x->cut && x->depth > 0)
		x->cut = "document ends before its root element closes";
	if (!x->why && !x->cut && !x->root_done)
		x->cut = "no root element";
}

static enum dis_status ad_xml_parse(struct cur c, struct ad_result *r)
{
	struct ad_xml x;

	memset(&x, 0, offsetof(struct ad_xml, text));
	x.text_len = 0;
	x.text_over = false;
	x.c = c;
	x.r = r;
	while (cur_left(&x.c) > 0) {
		int rc = ad_peek(&x.c) == '<' ? ad_xml_markup(&x) : ad_xml_text(&x);
		if (rc < 0)
			break;
	}
	ad_xml_finish(&x);
	if (x.why) {
		r->reason = x.why;
		return DIS_MALFORMED;
	}
	if (x.cut) {
		r->reason = x.cut;
		return DIS_SHORT;
	}
	return DIS_OK;
}

/* ---- JSON (autodiscover.json v2, autodetect) ---- */

enum ad_jkey {
	J_NONE, J_PROTO, J_SERVICE, J_HOST, J_PORT, J_ENC, J_USER, J_MAILBOX, J_REDIRECT_ADDR,
	J_URL, J_REDIRECT_URL, J_REDIRECT, J_ERROR,
};

/* Keys, matched ignoring case, at any depth: autodetect's protocols[] entries, v2's
 * {"Protocol","Url"}, and the spellings other autodiscover front ends use. */
static const struct ad_name ad_json_names[] = {
	{ "protocol", J_PROTO }, { "type", J_PROTO }, { "service", J_SERVICE },
	{ "hostname", J_HOST }, { "host", J_HOST }, { "server", J_HOST }, { "serverName", J_HOST },
	{ "port", J_PORT },
	{ "encryption", J_ENC }, { "ssl", J_ENC }, { "socketType", J_ENC },
	{ "username", J_USER }, { "user", J_USER }, { "loginName", J_USER },
	{ "email", J_MAILBOX }, { "emailAddress", J_MAILBOX }, { "smtpAddress", J_MAILBOX },
	{ "autodiscoverSmtpAddress", J_MAILBOX },
	{ "redirectAddr", J_REDIRECT_ADDR }, { "redirectAddress", J_REDIRECT_ADDR },
	{ "url", J_URL }, { "ewsUrl", J_URL }, { "asUrl", J_URL }, { "oabUrl", J_URL },
	{ "oofUrl", J_URL }, { "owaUrl", J_URL }, { "ecpUrl", J_URL }, { "internalUrl", J_URL },
	{ "externalUrl", J_URL },
	{ "redirectUrl", J_REDIRECT_URL }, { "redirect", J_REDIRECT },
	{ "errorCode", J_ERROR },
};

struct ad_json {
	struct ad_result *r;
	unsigned nodes;
	const char *why;
};

/* What one object says about its server, gathered before any entry is made because keys come
 * in any order. */
struct ad_jobj {
	json_t *proto, *service; /* copied to the arena only once an entry needs it */
	const char *protocol;
	bool proto_done;
	uint16_t port;
	json_t *enc, *user;
	bool have_host;
};

static const struct ad_name *ad_jkey(const char *key)
{
	return ad_lookup(ad_json_names, sizeof ad_json_names / sizeof ad_json_names[0],
			 (const uint8_t *)key, strlen(key));
}

/* A JSON string's bytes (jansson checked their UTF-8; NUL may be inside), at most
 * AD_MAX_TEXT of them as for XML text. */
static bool ad_jstr(const json_t *v, const uint8_t **s, size_t *n)
{
	if (!json_is_string(v))
		return false;
	*s = (const uint8_t *)json_string_value(v);
	*n = json_string_length(v);
	if (*n > AD_MAX_TEXT)
		*n = AD_MAX_TEXT;
	return true;
}

static bool ad_jcut(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) > AD_MAX_TEXT;
}

/* A port: an integer 1..65535, or a string of digits (a lenient client accepts both). */
static uint16_t ad_jport(const json_t *v)
{
	const uint8_t *s;
	size_t n;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		return i >= 1 && i <= 65535 ? (uint16_t)i : 0;
	}
	if (ad_jstr(v, &s, &n))
		return ad_port(s, n);
	return 0;
}

/* First pass over an object: protocol (protocol/type before service), port, encryption, user. */
static void ad_json_gather(struct ad_json *j, json_t *obj, struct ad_jobj *o)
{
	const char *key;
	json_t *v;

	memset(o, 0, sizeof *o);
	json_object_foreach(obj, key, v) {
		const struct ad_name *t = ad_jkey(key);
		uint8_t k = t ? t->field : J_NONE;
		if (k == J_PROTO && json_is_string(v) && !o->proto) {
			o->proto = v;
		} else if (k == J_SERVICE && json_is_string(v) && !o->service) {
			o->service = v;
		} else if (k == J_PORT) {
			if (!(o->port = ad_jport(v)))
				j->r->ignored++;
		} else if (k == J_ENC) {
			o->enc = v;
		} else if (k == J_USER) {
			o->user = v;
		}
	}
}

/* The object's protocol, lower-cased: "protocol"/"type" before "service". Stored on first use
 * so objects that name no server cannot fill the arena. */
static const char *ad_jproto(struct ad_json *j, struct ad_jobj *o)
{
	const json_t *v = o->proto ? o->proto : o->service;
	const uint8_t *s;
	size_t n;

	if (!o->proto_done && v && ad_jstr(v, &s, &n))
		o->protocol = ad_store_text(j->r, s, n, true);
	o->proto_done = true;
	return o->protocol;
}

/* The object's hostname entry, with everything gathered about it. */
static void ad_json_host(struct ad_json *j, struct ad_jobj *o, const char *source,
			 const uint8_t *s, size_t n)
{
	const uint8_t *t;
	size_t tn;
	struct ad_server *v = ad_new_server(j->r, source);

	if (!v)
		return;
	v->protocol = ad_jproto(j, o);
	v->host = ad_store_server(j->r, s, n);
	v->port = o->port;
	if (o->enc && ad_jstr(o->enc, &t, &tn))
		v->encryption = ad_store_text(j->r, t, tn, true);
	if (o->user && ad_jstr(o->user, &t, &tn))
		v->username = ad_store_user(j->r, t, tn);
}

static AD_MUST_CHECK int ad_json_value(struct ad_json *j, json_t *v, unsigned depth);

/* One key of an object: its value made into entries or mailboxes, then walked. */
static AD_MUST_CHECK int ad_json_member(struct ad_json *j, struct ad_jobj *o, const char *key,
					json_t *v, unsigned depth)
{
	const struct ad_name *t = ad_jkey(key);
	uint8_t k = t ? t->field : J_NONE;
	const uint8_t *s = NULL; /* set by ad_jstr when str */
	size_t n = 0;
	bool str = ad_jstr(v, &s, &n);
	bool cut = ad_jcut(v);
	bool scalar = !json_is_object(v) && !json_is_array(v);
	bool named = k == J_HOST || k == J_MAILBOX || k == J_REDIRECT_ADDR || k == J_REDIRECT;

	if (cut)
		j->r->truncated = true;
	if ((!str && scalar && (named || k == J_URL || k == J_REDIRECT_URL)) || (cut && named)) {
		j->r->ignored++;
	} else if (str && k == J_HOST && !o->have_host) {
		o->have_host = true;
		ad_json_host(j, o, t->name, s, n);
	} else if (str && k == J_URL) {
		ad_add_url(j->r, s, n, t->name, ad_jproto(j, o), false, cut);
	} else if (str && (k == J_REDIRECT_URL || (k == J_REDIRECT && memmem(s, n, "://", 3)))) {
		ad_add_url(j->r, s, n, t->name, ad_jproto(j, o), true, cut);
	} else if (str && (k == J_MAILBOX || k == J_REDIRECT_ADDR || k == J_REDIRECT)) {
		if (!ad_add_mailbox(j->r, s, n, t->name, k != J_MAILBOX))
			j->r->ignored++;
	} else if (str && k == J_USER && !cut) {
		(void)ad_add_mailbox(j->r, s, n, t->name, false);
	} else if (str && k == J_ERROR && !j->r->error) {
		j->r->error = ad_store_text(j->r, s, n, false);
	}
	return scalar ? 0 : ad_json_value(j, v, depth + 1);
}

static AD_MUST_CHECK int ad_json_object(struct ad_json *j, json_t *obj, unsigned depth)
{
	struct ad_jobj o;
	const char *key;
	json_t *v;

	ad_json_gather(j, obj, &o);
	json_object_foreach(obj, key, v) {
		if (++j->nodes > AD_MAX_ELEMENTS) {
			j->why = "more than AD_MAX_ELEMENTS JSON values";
			return -1;
		}
		if (ad_json_member(j, &o, key, v, depth) < 0)
			return -1;
	}
	return 0;
}

/* Walks a value: objects are read, arrays walked, at most AD_MAX_DEPTH deep and
 * AD_MAX_ELEMENTS values in all (jansson alone allows 2048 levels). */
static AD_MUST_CHECK int ad_json_value(struct ad_json *j, json_t *v, unsigned depth)
{
	size_t i;
	json_t *e;

	if (++j->nodes > AD_MAX_ELEMENTS) {
		j->why = "more than AD_MAX_ELEMENTS JSON values";
		return -1;
	}
	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (depth >= AD_MAX_DEPTH) {
		j->why = "JSON nested deeper than AD_MAX_DEPTH";
		return -1;
	}
	if (json_is_object(v))
		return ad_json_object(j, v, depth);
	json_array_foreach(v, i, e)
		if (ad_json_value(j, e, depth + 1) < 0)
			return -1;
	return 0;
}

/* Feeds jansson the body with each byte that is not UTF-8 read as '?': one mis-encoded
 * display name must not hide the servers in the rest of the document. */
struct ad_feed {
	struct cur c;
};

static size_t ad_json_feed(void *buf, size_t size, void *arg)
{
	struct ad_feed *f = arg;
	uint8_t *out = buf;
	size_t n = 0;

	while (n < size && cur_left(&f->c) > 0) {
		struct cur t = f->c;
		size_t left = cur_left(&t);
		const uint8_t *p = cur_take(&t, left < 4 ? left : 4);
		size_t k = ad_utf8_len(p, left < 4 ? left : 4);
		if (k == 0) {
			out[n++] = '?';
			cur_skip(&f->c, 1);
			continue;
		}
		if (n + k > size)
			break; /* the next call takes it whole */
		memcpy(out + n, cur_take(&f->c, k), k);
		n += k;
	}
	return n;
}

static const char *ad_json_why(const json_error_t *err)
{
	switch (json_error_code(err)) {
	case json_error_premature_end_of_input:
		return "JSON ends early";
	case json_error_stack_overflow:
		return "JSON nested deeper than the parser allows";
	case json_error_null_byte_in_key:
		return "NUL byte in a JSON key";
	case json_error_end_of_input_expected:
		return "text after the JSON document";
	case json_error_out_of_memory:
		return "out of memory parsing JSON";
	default:
		return "invalid JSON";
	}
}

static enum dis_status ad_json_parse(struct cur c, struct ad_result *r)
{
	struct ad_feed f = { c };
	struct ad_json j = { r, 0, NULL };
	json_error_t err;
	json_t *root = json_load_callback(ad_json_feed, &f, JSON_ALLOW_NUL, &err);

	if (!root) {
		r->reason = ad_json_why(&err);
		return json_error_code(&err) == json_error_premature_end_of_input ? DIS_SHORT
										  : DIS_MALFORMED;
	}
	int rc = ad_json_value(&j, root, 0);
	json_decref(root);
	if (rc < 0) {
		r->reason = j.why;
		return DIS_MALFORMED;
	}
	return DIS_OK;
}

/* ---- entry points ---- */

enum dis_status autodiscover_parse(const uint8_t *body, size_t len, enum ad_format fmt,
				   struct ad_result *out)
{
	static const uint8_t empty[1];
	enum dis_status st;

	if (!body) { /* a cursor over NULL would add an offset to a null pointer */
		body = empty;
		len = 0;
	}
	struct cur c = cur_make(body, len);
	memset(out, 0, offsetof(struct ad_result, arena));
	out->fmt = fmt;
	if (ad_at(&c, "\xef\xbb\xbf") == AD_YES)
		cur_skip(&c, 3);
	size_t n = cur_left(&c);
	if (n > AD_MAX_BODY) { /* read the first part: a cut body still names its servers */
		n = AD_MAX_BODY;
		out->truncated = true;
	}
	struct cur b = cur_sub(&c, n);
	if (fmt == AD_XML) {
		st = ad_xml_parse(b, out);
	} else if (fmt == AD_JSON) {
		st = ad_json_parse(b, out);
	} else {
		out->reason = "no format to parse the body with";
		return DIS_MALFORMED;
	}
	if (st == DIS_SHORT && cur_left(&c) > 0)
		out->reason = "body longer than AD_MAX_BODY";
	return st;
}

/* The path of a request-target: absolute-form's scheme and authority dropped (RFC 9112
 * section 3.2.2), query and fragment cut off. */
static void ad_target_path(const uint8_t *s, size_t n, const uint8_t **path, size_t *plen)
{
	size_t i = 0, e;

	if (ad_iprefix(s, n, "http://") || ad_iprefix(s, n, "https://")) {
		i = ad_iprefix(s, n, "http://") ? 7 : 8;
		while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
			i++;
	}
	for (e = i; e < n && s[e] != '?' && s[e] != '#'; e++)
		;
	*path = s + i;
	*plen = e - i;
}

bool autodiscover_path(const char *path, size_t len)
{
	const uint8_t *p;
	size_t n;

	if (!path)
		return false;
	ad_target_path((const uint8_t *)path, len, &p, &n);
	return ad_ieq(p, n, "/autodiscover") || ad_iprefix(p, n, "/autodiscover/") ||
	       ad_ieq(p, n, "/autodetect/detect") || ad_iprefix(p, n, "/autodetect/detect/") ||
	       ad_ieq(p, n, "/.well-known/autoconfig/mail/config-v1.1.xml") ||
	       ad_ieq(p, n, "/mail/config-v1.1.xml");
}

/* The format a path implies when the Content-Type says nothing useful. */
static enum ad_format ad_format_of_path(const uint8_t *p, size_t n)
{
	if (ad_isuffix(p, n, ".xml") || ad_isuffix(p, n, ".svc"))
		return AD_XML;
	if (ad_iprefix(p, n, "/autodiscover/autodiscover.json") || ad_iprefix(p, n, "/autodetect/"))
		return AD_JSON;
	return AD_NONE;
}

enum ad_format autodiscover_format(const char *path, size_t path_len, const char *content_type,
				   size_t ct_len)
{
	const uint8_t *p, *m = (const uint8_t *)content_type;
	size_t n, mn = 0;

	if (!autodiscover_path(path, path_len))
		return AD_NONE;
	ad_target_path((const uint8_t *)path, path_len, &p, &n);
	if (!m)
		ct_len = 0;
	while (ct_len && ad_is_space(m[0])) {
		m++;
		ct_len--;
	}
	while (mn < ct_len && m[mn] != ';' && !ad_is_space(m[mn]))
		mn++;
	/* Servers that label every file text/plain or octet-stream say nothing: the path decides. */
	if (mn == 0 || ad_ieq(m, mn, "text/plain") || ad_ieq(m, mn, "application/octet-stream"))
		return ad_format_of_path(p, n);
	if (ad_ieq(m, mn, "text/xml") || ad_ieq(m, mn, "application/xml") ||
	    ad_isuffix(m, mn, "+xml"))
		return AD_XML;
	if (ad_ieq(m, mn, "application/json") || ad_ieq(m, mn, "text/json") ||
	    ad_isuffix(m, mn, "+json"))
		return AD_JSON;
	return AD_NONE;
}

/* Percent-decodes s[0..n) (RFC 3986 section 2.1) into buf; a '%' not followed by two hex
 * digits stays as it is. False when the result does not fit. */
static bool ad_pct_decode(const uint8_t *s, size_t n, uint8_t *buf, size_t cap, size_t *len)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = s[i];
		if (b == '%' && i + 2 < n && ad_hex(s[i + 1]) >= 0 && ad_hex(s[i + 2]) >= 0) {
			b = (uint8_t)(ad_hex(s[i + 1]) << 4 | ad_hex(s[i + 2]));
			i += 2;
		}
		if (k == cap)
			return false;
		buf[k++] = b;
	}
	*len = k;
	return true;
}

/* Writes the percent-decoded s as a normalised address to out; false when it is not one. */
static bool ad_try_addr(const uint8_t *s, size_t n, char *out, size_t size)
{
	uint8_t buf[520]; /* 256 + '@' + 255, with slack */
	size_t k;
	struct ad_out o = { out, size - 1, 0, false };

	if (!ad_pct_decode(s, n, buf, sizeof buf, &k) || !ad_put_addr(&o, buf, k) || o.full)
		return false;
	out[o.len] = 0;
	return true;
}

/* The Email / EmailAddress query parameter (Outlook, Thunderbird). */
static bool ad_query_mailbox(const uint8_t *s, size_t n, char *out, size_t size)
{
	size_t i = 0;

	while (i < n && s[i] != '?' && s[i] != '#')
		i++;
	while (i < n && s[i] != '#') {
		size_t a = ++i, eq = 0;
		while (i < n && s[i] != '&' && s[i] != ';' && s[i] != '#') {
			if (!eq && s[i] == '=')
				eq = i;
			i++;
		}
		if (eq && (ad_ieq(s + a, eq - a, "email") || ad_ieq(s + a, eq - a, "emailaddress")) &&
		    ad_try_addr(s + eq + 1, i - eq - 1, out, size))
			return true;
	}
	return false;
}

/* A path segment after autodiscover.json/ that is an address (v2: .../v1.0/user@domain). */
static bool ad_path_mailbox(const uint8_t *p, size_t n, char *out, size_t size)
{
	static const char key[] = "/autodiscover/autodiscover.json/";
	size_t i = sizeof key - 1;

	if (!ad_iprefix(p, n, key))
		return false;
	while (i < n) {
		size_t a = i;
		while (i < n && p[i] != '/')
			i++;
		if (ad_try_addr(p + a, i - a, out, size))
			return true;
		i++;
	}
	return false;
}

bool autodiscover_url_mailbox(const char *target, size_t len, char *out, size_t size)
{
	const uint8_t *s = (const uint8_t *)target, *p;
	size_t n;

	if (size == 0)
		return false;
	out[0] = 0;
	if (!target)
		return false;
	if (ad_query_mailbox(s, len, out, size))
		return true;
	ad_target_path(s, len, &p, &n);
	if (ad_path_mailbox(p, n, out, size))
		return true;
	out[0] = 0;
	return false;
}

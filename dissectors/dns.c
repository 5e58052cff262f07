/* dns.c: DNS messages (RFC 1035 3.3, 4.1; RFC 3596, 2782, 6891 6.1, 9460 2.2, 8659, 7553, 3597). */
#include "dissectors/dns.h"

#include <string.h>

#include "core/cursor.h"
#include "core/iptext.h"

#define DNS_MUST_CHECK __attribute__((warn_unused_result))

enum {
	DNS_HEADER_LEN = 12,
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6, DNS_T_PTR = 12,
	DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_SRV = 33, DNS_T_DNAME = 39,
	DNS_T_OPT = 41, DNS_T_SVCB = 64, DNS_T_HTTPS = 65, DNS_T_SPF = 99, DNS_T_URI = 256,
	DNS_T_CAA = 257,
};

/* Text written into the message's arena. A writer without a buffer is a sink: records we do
 * not keep go through the same parsing code (so they are validated and skipped alike) and
 * simply report that nothing was stored. */
struct dns_out {
	char *buf;
	size_t cap, len;
	bool full;      /* a byte did not fit: the text is incomplete and must not be kept */
};

/* Parse state: one cursor over the whole message, because compression pointers are offsets
 * from its first byte, and the first reason the parse stopped. */
struct dns_ctx {
	struct cur c;
	const char *why;
	const char *soft;  /* a fault that did not stop the parse (an overlong name) */
	bool arena_full;   /* a record did not fit in the arena */
	bool have_opt;     /* the first OPT record was seen (RFC 6891 6.1.1 allows one) */
};

static int dns_fail(struct dns_ctx *x, const char *why)
{
	x->why = why;
	return -1;
}

/* ---- text output ---- */

static void dns_putc(struct dns_out *o, char ch)
{
	if (o->len >= o->cap) {
		o->full = true;
		return;
	}
	o->buf[o->len++] = ch;
}

static void dns_puts(struct dns_out *o, const char *s)
{
	size_t n = strlen(s), room = o->cap - o->len;
	if (n > room) {
		n = room;
		o->full = true;
	}
	if (n) { /* an output with no room may have no buffer */
		memcpy(o->buf + o->len, s, n);
		o->len += n;
	}
}

static void dns_put_u32(struct dns_out *o, uint32_t v)
{
	char d[10];
	size_t n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		dns_putc(o, d[--n]);
}

/* RFC 1035 5.1 "\DDD": always three decimal digits so the next character cannot be read as
 * part of the number. */
static void dns_put_ddd(struct dns_out *o, uint8_t b)
{
	dns_putc(o, '\\');
	dns_putc(o, (char)('0' + b / 100));
	dns_putc(o, (char)('0' + b / 10 % 10));
	dns_putc(o, (char)('0' + b % 10));
}

/* One byte of a name label: lower-cased (ASCII only, no locale), '.' and '\' escaped so the
 * text splits back into the same labels, anything outside 0x21..0x7e as \DDD. */
static void dns_put_label_byte(struct dns_out *o, uint8_t b)
{
	if (b >= 'A' && b <= 'Z')
		b = (uint8_t)(b - 'A' + 'a');
	if (b == '.' || b == '\\') {
		dns_putc(o, '\\');
		dns_putc(o, (char)b);
	} else if (b < 0x21 || b > 0x7e) {
		dns_put_ddd(o, b);
	} else {
		dns_putc(o, (char)b);
	}
}

/* A label byte as it is written when it needs no escape (lower-cased), else 0: a table built
 * when compiling, so that a plain byte costs a load and a test. */
#define DNS_PLAIN(b)                                                                  \
	((b) < 0x21 || (b) > 0x7e || (b) == '.' || (b) == '\\' ? 0                    \
	 : (b) >= 'A' && (b) <= 'Z'                           ? (b) | 0x20 : (b))
#define DNS_PLAIN4(b) DNS_PLAIN(b), DNS_PLAIN((b) + 1), DNS_PLAIN((b) + 2), DNS_PLAIN((b) + 3)
#define DNS_PLAIN16(b) DNS_PLAIN4(b), DNS_PLAIN4((b) + 4), DNS_PLAIN4((b) + 8), DNS_PLAIN4((b) + 12)
#define DNS_PLAIN64(b) \
	DNS_PLAIN16(b), DNS_PLAIN16((b) + 16), DNS_PLAIN16((b) + 32), DNS_PLAIN16((b) + 48)
static const uint8_t dns_plain[256] = { DNS_PLAIN64(0), DNS_PLAIN64(64), DNS_PLAIN64(128),
					DNS_PLAIN64(192) };

/* A whole label: its plain bytes (nearly all) in one pass with one room check, the rest as
 * dns_put_label_byte writes them. */
static void dns_put_label(struct dns_out *o, const uint8_t *label, size_t len)
{
	size_t i = 0;
	if (len <= o->cap - o->len) {
		char *p = o->buf + o->len;
		for (; i < len; i++) {
			uint8_t c = dns_plain[label[i]];
			if (!c)
				break;
			p[i] = (char)c;
		}
		o->len += i;
	}
	for (; i < len; i++)
		dns_put_label_byte(o, label[i]);
}

/* One byte inside a quoted character-string: spaces are fine between quotes, '"' and '\' are
 * escaped, other bytes outside 0x20..0x7e as \DDD; case is kept (TXT is data, not a name). */
static void dns_put_string_byte(struct dns_out *o, uint8_t b)
{
	if (b == '"' || b == '\\') {
		dns_putc(o, '\\');
		dns_putc(o, (char)b);
	} else if (b < 0x20 || b > 0x7e) {
		dns_put_ddd(o, b);
	} else {
		dns_putc(o, (char)b);
	}
}

static void dns_put_quoted(struct dns_out *o, const uint8_t *s, size_t n)
{
	dns_putc(o, '"');
	for (size_t i = 0; i < n; i++)
		dns_put_string_byte(o, s[i]);
	dns_putc(o, '"');
}

/* ---- names (RFC 1035 4.1.4) ----
 *
 *   label:    | 00 len (6 bits, 1..63) | len bytes ... |     len 0 ends the name (root)
 *   pointer:  | 11 offset (14 bits)    | offset ...    |     continue reading at offset
 *   01 and 10 prefixes are the retired extended label types (RFC 6891 5): malformed.
 */

/* Reads the name at the cursor and writes its presentation form to o. The cursor moves past
 * the bytes the name occupies in place (up to and including its first pointer). Those bytes
 * must lie before `end` (the end of the RDATA, or of the message). Each pointer must go to an
 * offset lower than the one before it (the first: lower than the name's start), which alone
 * ends every loop; DNS_MAX_POINTERS bounds the work further. A pointer that breaks these
 * rules, or a name longer than DNS_MAX_NAME, makes the name invalid but not the message: where
 * the name ends in place is still known, so the records after it are not lost (a malformed
 * name must not hide the answers behind it). Its text stops there and x->soft says why. */
DNS_MUST_CHECK
static int dns_name(struct dns_ctx *x, size_t end, struct dns_out *o)
{
	const struct cur *msg = &x->c;
	struct cur w = cur_make(msg->p, end < msg->len ? end : msg->len);
	cur_seek(&w, cur_off(msg));
	size_t limit = cur_off(msg);   /* the next pointer must go below this */
	size_t after = 0;              /* where the caller continues, once a pointer was taken */
	unsigned hops = 0;
	size_t wire = 0;               /* uncompressed length: length bytes, labels and the 0 */

	for (;;) {
		uint8_t len = cur_u8(&w);
		if ((len & 0xc0) == 0xc0) {
			size_t target = (size_t)(len & 0x3f) << 8 | cur_u8(&w);
			if (!cur_ok(&w))
				break;
			if (hops == 0)
				after = cur_off(&w);
			if (target >= limit || hops == DNS_MAX_POINTERS) {
				/* The name's text ends here, but where its bytes end in place is
				 * known (after its first pointer): flag it, keep parsing. */
				x->soft = target >= limit ? "compression pointer not backwards"
							  : "too many compression pointers";
				hops++;
				break;
			}
			hops++;
			/* Jumps land before the name, so the rest may be read up to the end
			 * of the whole message. */
			limit = target;
			w = cur_make(msg->p, msg->len);
			cur_seek(&w, target);
			continue;
		}
		if (len & 0xc0)
			return dns_fail(x, "extended label type");
		wire += 1u + len;
		if (len == 0)
			break;
		const uint8_t *label = cur_take(&w, len);
		if (!label)
			break;
		if (wire > DNS_MAX_NAME)
			continue;
		if (wire > 1u + len)
			dns_putc(o, '.');
		dns_put_label(o, label, len);
	}
	if (!cur_ok(&w)) {
		if (hops == 0 && end < msg->len)
			return dns_fail(x, "name runs past rdata");
		return dns_fail(x, "name truncated");
	}
	if (wire > DNS_MAX_NAME)
		x->soft = "name longer than 255 bytes";
	if (wire == 1)
		dns_putc(o, '.');
	cur_seek(&x->c, hops ? after : cur_off(&w));
	return 0;
}

/* ---- RDATA (RFC 1035 3.3, and the RFC named at each type) ---- */

/* Reads the next 16-bit field and writes it in decimal. */
static void dns_put_be16(struct dns_out *o, struct cur *c)
{
	dns_put_u32(o, cur_be16(c));
}

/* A (RFC 1035 3.4.1) and AAAA (RFC 3596 2.2); the text is dotted quad or RFC 5952 canonical
 * form, as inet_ntop gives. */
DNS_MUST_CHECK
static int dns_rd_addr(struct dns_ctx *x, size_t n, struct dns_out *o, int version)
{
	uint8_t a[16];
	char text[IP_TEXT_MAX];
	if (n != (version == 4 ? 4u : 16u))
		return dns_fail(x, version == 4 ? "A rdata not 4 bytes" : "AAAA rdata not 16 bytes");
	cur_copy(&x->c, a, n);
	ip_text(version, a, text);
	dns_puts(o, text);
	return 0;
}

/* TXT and SPF (RFC 1035 3.3.14): one or more <character-string>s filling the RDATA. */
DNS_MUST_CHECK
static int dns_rd_txt(struct dns_ctx *x, size_t end, struct dns_out *o)
{
	for (bool first = true; cur_off(&x->c) < end; first = false) {
		uint8_t len = cur_u8(&x->c);
		if (cur_off(&x->c) + len > end)
			return dns_fail(x, "TXT string runs past rdata");
		const uint8_t *s = cur_take(&x->c, len);
		if (!s)
			return dns_fail(x, "TXT string truncated");
		if (!first)
			dns_putc(o, ' ');
		dns_put_quoted(o, s, len);
	}
	return 0;
}

/* CAA (RFC 8659 4.1):  | flags | tag len | tag ... | value (rest of the RDATA) |
 * Printed `flags tag "value"`; tags match case-insensitively, so the tag is lower-cased. */
DNS_MUST_CHECK
static int dns_rd_caa(struct dns_ctx *x, size_t end, struct dns_out *o)
{
	uint8_t flags = cur_u8(&x->c);
	uint8_t tlen = cur_u8(&x->c);
	if (!cur_ok(&x->c) || tlen == 0 || cur_off(&x->c) + tlen > end)
		return dns_fail(x, "CAA tag runs past rdata");
	const uint8_t *tag = cur_take(&x->c, tlen);
	size_t vlen = end - cur_off(&x->c);
	const uint8_t *val = cur_take(&x->c, vlen);
	if (!tag || !val)
		return dns_fail(x, "CAA truncated");
	dns_put_u32(o, flags);
	dns_putc(o, ' ');
	for (size_t i = 0; i < tlen; i++)
		dns_put_label_byte(o, tag[i]);
	dns_putc(o, ' ');
	dns_put_quoted(o, val, vlen);
	return 0;
}

/* URI (RFC 7553 4.5):  | priority | weight | target (rest of the RDATA, at least 1 byte) | */
DNS_MUST_CHECK
static int dns_rd_uri(struct dns_ctx *x, size_t end, struct dns_out *o)
{
	if (cur_off(&x->c) + 5 > end)
		return dns_fail(x, "URI rdata too short");
	dns_put_be16(o, &x->c);
	dns_putc(o, ' ');
	dns_put_be16(o, &x->c);
	dns_putc(o, ' ');
	size_t n = end - cur_off(&x->c);
	const uint8_t *t = cur_take(&x->c, n);
	if (!t)
		return dns_fail(x, "URI truncated");
	dns_put_quoted(o, t, n);
	return 0;
}

/* A type we do not decode (DNSSEC's keys and signatures, most often): its RDATA is skipped
 * and it has no text, as tshark and Suricata show none. An RFC 3597 hex dump of a signature
 * was a kilobyte of noise in a record. */
DNS_MUST_CHECK
static int dns_rd_skip(struct dns_ctx *x, size_t n)
{
	if (!cur_take(&x->c, n))
		return dns_fail(x, "rdata truncated");
	return 0;
}

/* Writes the presentation form of the RDATA of a record of `type`, which occupies the next
 * n bytes of the message (the caller checked they are there). Fails when the RDATA does not
 * have the shape its type requires; on success the cursor is at the end of the RDATA. */
DNS_MUST_CHECK
static int dns_rdata(struct dns_ctx *x, uint16_t type, size_t n, struct dns_out *o)
{
	size_t end = cur_off(&x->c) + n;
	int r;

	switch (type) {
	case DNS_T_A:
		r = dns_rd_addr(x, n, o, 4);
		break;
	case DNS_T_AAAA:
		r = dns_rd_addr(x, n, o, 6);
		break;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_DNAME:
		r = dns_name(x, end, o);
		break;
	case DNS_T_MX:   /* RFC 1035 3.3.9: | preference | exchange | */
		dns_put_be16(o, &x->c);
		dns_putc(o, ' ');
		r = dns_name(x, end, o);
		break;
	case DNS_T_SRV:  /* RFC 2782: | priority | weight | port | target | */
		for (int i = 0; i < 3; i++) {
			dns_put_be16(o, &x->c);
			dns_putc(o, ' ');
		}
		r = dns_name(x, end, o);
		break;
	case DNS_T_SOA:  /* RFC 1035 3.3.13: | mname | rname | serial refresh retry expire minimum | */
		r = dns_name(x, end, o);
		dns_putc(o, ' ');
		if (r == 0)
			r = dns_name(x, end, o);
		for (int i = 0; i < 5 && r == 0; i++) {
			dns_putc(o, ' ');
			dns_put_u32(o, cur_be32(&x->c));
		}
		break;
	case DNS_T_TXT:
	case DNS_T_SPF:
		r = dns_rd_txt(x, end, o);
		break;
	case DNS_T_SVCB: /* RFC 9460 2.2: | priority | target | params ... |; params are skipped */
	case DNS_T_HTTPS:
		dns_put_be16(o, &x->c);
		dns_putc(o, ' ');
		r = dns_name(x, end, o);
		if (r == 0 && cur_off(&x->c) <= end)
			cur_seek(&x->c, end);
		break;
	case DNS_T_CAA:
		r = dns_rd_caa(x, end, o);
		break;
	case DNS_T_URI:
		r = dns_rd_uri(x, end, o);
		break;
	default:
		r = dns_rd_skip(x, n);
		break;
	}
	if (r)
		return r;
	/* The fixed fields read above may have run past the RDATA (or the message). */
	if (!cur_ok(&x->c) || cur_off(&x->c) > end)
		return dns_fail(x, "rdata shorter than its type needs");
	if (cur_off(&x->c) != end)
		return dns_fail(x, "rdata longer than its type needs");
	return 0;
}

/* ---- records (RFC 1035 4.1.2, 4.1.3) ----
 *
 *   question:  | QNAME ... | QTYPE (16) | QCLASS (16) |
 *   record:    | NAME ... | TYPE (16) | CLASS (16) | TTL (32) | RDLENGTH (16) | RDATA ... |
 */

static struct dns_out dns_out_arena(struct dns_msg *m)
{
	struct dns_out o = { m->arena, sizeof m->arena, m->arena_used, false };
	return o;
}

static struct dns_out dns_out_sink(void)
{
	struct dns_out o = { NULL, 0, 0, false };
	return o;
}

/* OPT pseudo-record (RFC 6891 6.1.2, 6.1.3): CLASS is the sender's UDP payload size, TTL is
 *   | EXTENDED-RCODE (8) | VERSION (8) | DO (1) | Z (15) |
 * and the extended rcode is the upper 8 bits of a 12-bit rcode whose low 4 are the header's. */
static void dns_opt(struct dns_msg *m, uint16_t rclass, uint32_t ttl)
{
	m->edns = true;
	m->edns_udp_size = rclass;
	m->edns_version = (uint8_t)(ttl >> 16);
	m->edns_do = (ttl >> 15 & 1) != 0;
	m->rcode = (uint16_t)((ttl >> 24) << 4 | (m->rcode & 0xfu));
}

/* Parses one question; keeps it while there is room (the rest are validated, not kept). */
DNS_MUST_CHECK
static int dns_question(struct dns_ctx *x, struct dns_msg *m)
{
	bool keep = m->n_q < DNS_MAX_QUESTIONS;
	struct dns_out o = keep ? dns_out_arena(m) : dns_out_sink();
	size_t name_at = o.len;

	if (cur_left(&x->c) == 0)
		return dns_fail(x, "fewer questions than qdcount");
	if (dns_name(x, x->c.len, &o))
		return -1;
	dns_putc(&o, '\0');
	uint16_t type = cur_be16(&x->c);
	uint16_t qclass = cur_be16(&x->c);
	if (!cur_ok(&x->c))
		return dns_fail(x, "question truncated");
	if (!keep)
		return 0;
	if (o.full) {
		x->arena_full = true;
		return 0;
	}
	struct dns_question *q = &m->q[m->n_q++];
	q->name = m->arena + name_at;
	q->name_len = (uint16_t)(o.len - 1 - name_at);
	q->type = type;
	q->qclass = qclass;
	m->arena_used = o.len;
	return 0;
}

/* Parses one resource record of `section`. OPT feeds the EDNS fields and is not kept; other
 * records are kept while there is a slot and arena room, else counted in rr_dropped. A
 * record that fails ends the parse (its RDLENGTH cannot be trusted to find the next one). */
DNS_MUST_CHECK
static int dns_rr(struct dns_ctx *x, struct dns_msg *m, uint8_t section)
{
	bool keep = m->n_rr < DNS_MAX_RRS;
	struct dns_out o = keep ? dns_out_arena(m) : dns_out_sink();
	size_t name_at = o.len;

	if (cur_left(&x->c) == 0)
		return dns_fail(x, "fewer records than the header counts");
	if (dns_name(x, x->c.len, &o))
		return -1;
	dns_putc(&o, '\0');
	uint16_t type = cur_be16(&x->c);
	uint16_t rclass = cur_be16(&x->c);
	uint32_t ttl = cur_be32(&x->c);
	uint16_t rdlen = cur_be16(&x->c);
	if (!cur_ok(&x->c))
		return dns_fail(x, "record truncated");
	if (!cur_has(&x->c, rdlen))
		return dns_fail(x, "rdata truncated");

	if (type == DNS_T_OPT) {
		/* RFC 6891 6.1.1: a second OPT makes the message bad; we keep the first. */
		if (!x->have_opt)
			dns_opt(m, rclass, ttl);
		x->have_opt = true;
		cur_skip(&x->c, rdlen);
		return 0;
	}

	/* The address of an A or AAAA record, for those who need it as bytes, not text. */
	uint8_t addr[16] = { 0 };
	bool has_addr = (type == DNS_T_A && rdlen == 4) || (type == DNS_T_AAAA && rdlen == 16);
	if (has_addr) {
		struct cur peek = x->c;
		cur_copy(&peek, addr, rdlen);
	}
	size_t data_at = o.len;
	if (dns_rdata(x, type, rdlen, &o))
		return -1;
	dns_putc(&o, '\0');
	if (!keep || o.full) {
		/* A big record (e.g. a long TXT) may not fit while later small ones do, so
		 * keep trying: the kept records stay in wire order, with gaps counted. */
		if (keep)
			x->arena_full = true;
		m->rr_dropped++;
		return 0;
	}
	struct dns_rr *rr = &m->rr[m->n_rr++];
	rr->name = m->arena + name_at;
	rr->data = m->arena + data_at;
	rr->name_len = (uint16_t)(data_at - 1 - name_at);
	rr->data_len = (uint16_t)(o.len - 1 - data_at);
	rr->ttl = ttl;
	rr->type = type;
	rr->rclass = rclass;
	rr->section = section;
	rr->has_addr = has_addr;
	memcpy(rr->addr, addr, sizeof addr);
	m->arena_used = o.len;
	return 0;
}

/* ---- the message (RFC 1035 4.1.1) ----
 *
 *   | ID (16)                                                           |
 *   | QR | OPCODE (4) | AA | TC | RD | RA | Z | AD | CD | RCODE (4)     |
 *   | QDCOUNT (16) | ANCOUNT (16) | NSCOUNT (16) | ARCOUNT (16)         |
 */
static void dns_header(struct cur *c, struct dns_msg *m)
{
	m->id = cur_be16(c);
	uint16_t f = cur_be16(c);
	m->qr = (f & 0x8000) != 0;
	m->opcode = (uint8_t)(f >> 11 & 0xf);
	m->aa = (f & 0x0400) != 0;
	m->tc = (f & 0x0200) != 0;
	m->rd = (f & 0x0100) != 0;
	m->ra = (f & 0x0080) != 0;
	m->ad = (f & 0x0020) != 0; /* RFC 4035 3.2.3 */
	m->cd = (f & 0x0010) != 0;
	m->rcode = f & 0xf;
	m->qdcount = cur_be16(c);
	m->ancount = cur_be16(c);
	m->nscount = cur_be16(c);
	m->arcount = cur_be16(c);
}

enum dis_status dns_parse(const uint8_t *p, size_t len, struct dns_msg *m)
{
	/* Only the fields before the questions need clearing: a question, a record and a string
	 * in the arena are each written whole before they are counted or pointed to. That spares
	 * 3 KiB of stores per message. */
	memset(m, 0, offsetof(struct dns_msg, q));
	struct dns_ctx x = { .c = cur_make(p, len) };

	/* Too short for a header: maybe the rest is in the next segment. */
	if (len < DNS_HEADER_LEN) {
		m->reason = "header truncated";
		return DIS_SHORT;
	}
	dns_header(&x.c, m);

	for (unsigned i = 0; i < m->qdcount; i++) {
		/* Without its questions a message cannot be matched to anything. */
		if (dns_question(&x, m)) {
			m->reason = x.why;
			return DIS_MALFORMED;
		}
	}

	const uint16_t count[3] = { m->ancount, m->nscount, m->arcount };
	const uint8_t section[3] = { DNS_ANSWER, DNS_AUTHORITY, DNS_ADDITIONAL };
	for (int s = 0; s < 3 && !x.why; s++)
		for (unsigned i = 0; i < count[s] && !x.why; i++)
			if (dns_rr(&x, m, section[s]))
				break;

	m->used = cur_off(&x.c);
	if (x.why)
		m->reason = x.why;
	else if (x.soft)
		m->reason = x.soft;
	else if (x.arena_full)
		m->reason = "arena full";
	else if (m->rr_dropped)
		m->reason = "more records than DNS_MAX_RRS";
	return DIS_OK;
}

/* ---- names for numbers ---- */

struct dns_mnemonic {
	uint16_t value;
	const char *name;
};

/* IANA "Resource Record (RR) TYPEs" registry. */
static const struct dns_mnemonic dns_types[] = {
	{ 1, "A" }, { 2, "NS" }, { 3, "MD" }, { 4, "MF" }, { 5, "CNAME" }, { 6, "SOA" },
	{ 7, "MB" }, { 8, "MG" }, { 9, "MR" }, { 10, "NULL" }, { 11, "WKS" }, { 12, "PTR" },
	{ 13, "HINFO" }, { 14, "MINFO" }, { 15, "MX" }, { 16, "TXT" }, { 17, "RP" },
	{ 18, "AFSDB" }, { 19, "X25" }, { 20, "ISDN" }, { 21, "RT" }, { 22, "NSAP" },
	{ 23, "NSAP-PTR" }, { 24, "SIG" }, { 25, "KEY" }, { 26, "PX" }, { 27, "GPOS" },
	{ 28, "AAAA" }, { 29, "LOC" }, { 30, "NXT" }, { 31, "EID" }, { 32, "NIMLOC" },
	{ 33, "SRV" }, { 34, "ATMA" }, { 35, "NAPTR" }, { 36, "KX" }, { 37, "CERT" },
	{ 38, "A6" }, { 39, "DNAME" }, { 40, "SINK" }, { 41, "OPT" }, { 42, "APL" },
	{ 43, "DS" }, { 44, "SSHFP" }, { 45, "IPSECKEY" }, { 46, "RRSIG" }, { 47, "NSEC" },
	{ 48, "DNSKEY" }, { 49, "DHCID" }, { 50, "NSEC3" }, { 51, "NSEC3PARAM" },
	{ 52, "TLSA" }, { 53, "SMIMEA" }, { 55, "HIP" }, { 56, "NINFO" }, { 57, "RKEY" },
	{ 58, "TALINK" }, { 59, "CDS" }, { 60, "CDNSKEY" }, { 61, "OPENPGPKEY" },
	{ 62, "CSYNC" }, { 63, "ZONEMD" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" },
	{ 100, "UINFO" }, { 101, "UID" }, { 102, "GID" }, { 103, "UNSPEC" }, { 104, "NID" },
	{ 105, "L32" }, { 106, "L64" }, { 107, "LP" }, { 108, "EUI48" }, { 109, "EUI64" },
	{ 249, "TKEY" }, { 250, "TSIG" }, { 251, "IXFR" }, { 252, "AXFR" }, { 253, "MAILB" },
	{ 254, "MAILA" }, { 255, "ANY" }, { 256, "URI" }, { 257, "CAA" }, { 258, "AVC" },
	{ 259, "DOA" }, { 260, "AMTRELAY" }, { 261, "RESINFO" }, { 32768, "TA" },
	{ 32769, "DLV" },
};

/* IANA "DNS RCODEs" registry; 16 is also BADSIG, but only inside TSIG/SIG(0) records. */
static const struct dns_mnemonic dns_rcodes[] = {
	{ 0, "NOERROR" }, { 1, "FORMERR" }, { 2, "SERVFAIL" }, { 3, "NXDOMAIN" },
	{ 4, "NOTIMP" }, { 5, "REFUSED" }, { 6, "YXDOMAIN" }, { 7, "YXRRSET" },
	{ 8, "NXRRSET" }, { 9, "NOTAUTH" }, { 10, "NOTZONE" }, { 11, "DSOTYPENI" },
	{ 16, "BADVERS" }, { 17, "BADKEY" }, { 18, "BADTIME" }, { 19, "BADMODE" },
	{ 20, "BADNAME" }, { 21, "BADALG" }, { 22, "BADTRUNC" }, { 23, "BADCOOKIE" },
};

/* The mnemonic for v, or prefix and v in decimal written into buf. */
static const char *dns_mnemonic(const struct dns_mnemonic *t, size_t n, uint16_t v,
				const char *prefix, char *buf, size_t size)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	struct dns_out o = { buf, size, 0, false };
	dns_puts(&o, prefix);
	dns_put_u32(&o, v);
	if (size == 0)
		return "";
	buf[o.len < size ? o.len : size - 1] = '\0';
	return buf;
}

const char *dns_type_name(uint16_t type, char *buf, size_t size)
{
	return dns_mnemonic(dns_types, sizeof dns_types / sizeof dns_types[0], type, "TYPE",
			    buf, size);
}

const char *dns_rcode_name(uint16_t rcode, char *buf, size_t size)
{
	return dns_mnemonic(dns_rcodes, sizeof dns_rcodes / sizeof dns_rcodes[0], rcode,
			    "RCODE", buf, size);
}

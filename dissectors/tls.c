/* tls.c: TLS ClientHello dissector (RFC 8446 §4.1.2 and §5.1, RFC 6066 §3, RFC 7301 §3.1, RFC 8701; JA3, FoxIO JA4). */
#include "dissectors/tls.h"

#include <gcrypt.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/hash.h"

#define TLS_MUST_CHECK __attribute__((warn_unused_result))

enum {
	TLS_REC_HANDSHAKE = 22,
	TLS_REC_HEADER = 5,
	TLS_HS_HEADER = 4,
	TLS_HS_CLIENT_HELLO = 1,
	TLS_MAX_RECORD = 1 << 14,  /* RFC 8446 5.1: a plaintext record carries at most 2^14 bytes */
	TLS_RANDOM = 32,
	TLS_MAX_SESSION_ID = 32,
	TLS_EXT_SNI = 0x0000,
	TLS_EXT_GROUPS = 0x000a,
	TLS_EXT_POINT_FORMATS = 0x000b,
	TLS_EXT_SIG_ALGS = 0x000d,
	TLS_EXT_ALPN = 0x0010,
	TLS_EXT_VERSIONS = 0x002b,
	TLS_EXT_ECH = 0xfe0d,
	TLS_SNI_HOST_NAME = 0,
	TLS_SSL2_CLIENT_HELLO = 1,
};

/* Text written into a fixed buffer, always NUL-terminated. A piece that does not fit whole
 * is not written at all (so an escape is never cut in half) and `full` is set. */
struct tls_text {
	char *buf;
	size_t cap, len;
	bool full;
};

static struct tls_text tls_text_make(char *buf, size_t cap)
{
	struct tls_text t = { buf, cap, 0, false };
	if (cap)
		buf[0] = '\0';
	return t;
}

static void tls_put(struct tls_text *t, const char *s, size_t n)
{
	if (t->full || t->len + n >= t->cap) {
		t->full = true;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void tls_putc(struct tls_text *t, char ch) { tls_put(t, &ch, 1); }

static void tls_put_dec(struct tls_text *t, unsigned v)
{
	char d[10];
	size_t n = sizeof(d);
	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n);
	tls_put(t, d + n, sizeof(d) - n);
}

static const char tls_hexdig[] = "0123456789abcdef";

static void tls_put_hex16(struct tls_text *t, uint16_t v)
{
	char h[4] = { tls_hexdig[v >> 12], tls_hexdig[v >> 8 & 0xf], tls_hexdig[v >> 4 & 0xf],
	              tls_hexdig[v & 0xf] };
	tls_put(t, h, sizeof(h));
}

/* One byte of a name or protocol id as misroute writes them everywhere: '\' doubled so a
 * literal backslash cannot be read as the start of an escape, anything outside 0x21..0x7e
 * as RFC 1035 \DDD (always three digits). */
static void tls_put_escaped(struct tls_text *t, uint8_t b)
{
	if (b == '\\') {
		tls_put(t, "\\\\", 2);
	} else if (b < 0x21 || b > 0x7e) {
		char e[4] = { '\\', (char)('0' + b / 100), (char)('0' + b / 10 % 10),
		              (char)('0' + b % 10) };
		tls_put(t, e, sizeof(e));
	} else {
		tls_putc(t, (char)b);
	}
}

bool tls_is_grease(uint16_t v)
{
	/* RFC 8701 2: both bytes equal, each of the form 0x?a. */
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static enum dis_status tls_fail(struct tls_hello *out, enum dis_status st, const char *why)
{
	out->reason = why;
	return st;
}

/* ---- records (RFC 8446 5.1) ----
 *
 *   record:     | type 22 | version 3.x (2) | length (2) | fragment ...        |
 *   handshake:  | msg_type 1 | length (3) | ClientHello ...  |  (spread over one or more
 *                                                               fragments, in order)
 */

/* Reads one record header and takes its fragment. Checks each header byte as soon as it is
 * there, so that a stream that is not TLS is refused at its first bytes rather than waited
 * for. DIS_SHORT when the record is not complete yet. */
TLS_MUST_CHECK
static enum dis_status tls_record(struct cur *c, struct tls_hello *out, struct cur *frag,
                                  uint16_t *version)
{
	if (!cur_has(c, 1))
		return tls_fail(out, DIS_SHORT, "record header incomplete");
	if (cur_u8(c) != TLS_REC_HANDSHAKE)
		return tls_fail(out, DIS_MALFORMED, "not a handshake record");
	if (!cur_has(c, 1))
		return tls_fail(out, DIS_SHORT, "record header incomplete");
	uint8_t major = cur_u8(c);
	if (major != 3)
		return tls_fail(out, DIS_MALFORMED, "record version is not 3.x");
	if (!cur_has(c, 3))
		return tls_fail(out, DIS_SHORT, "record header incomplete");
	*version = (uint16_t)(major << 8 | cur_u8(c));
	uint16_t rlen = cur_be16(c);
	/* RFC 8446 5.1 forbids empty handshake fragments; refusing them also makes every record
	 * we walk cost at least six bytes of input. */
	if (rlen == 0)
		return tls_fail(out, DIS_MALFORMED, "empty handshake record");
	if (rlen > TLS_MAX_RECORD)
		return tls_fail(out, DIS_MALFORMED, "record longer than 2^14 bytes");
	if (!cur_has(c, rlen)) {
		/* The part that has come still lets the caller refuse a stream early. */
		*frag = cur_sub(c, cur_left(c));
		return tls_fail(out, DIS_SHORT, "record incomplete");
	}
	*frag = cur_sub(c, rlen);
	return DIS_OK;
}

/* Where the hello lies in the input, found by tls_walk. */
struct tls_span {
	struct cur first;  /* the first record's fragment */
	size_t need;       /* handshake header + body, once the header is known; else 0 */
	size_t have;       /* handshake bytes in the records walked */
	uint8_t hdr[TLS_HS_HEADER];
	size_t n_hdr;
};

/* Learns the handshake header from the first fragment bytes, wherever records split it. */
TLS_MUST_CHECK
static enum dis_status tls_hs_header(struct tls_span *s, struct cur frag, struct tls_hello *out)
{
	while (s->n_hdr < TLS_HS_HEADER && cur_left(&frag))
		s->hdr[s->n_hdr++] = cur_u8(&frag);
	if (s->n_hdr >= 1 && s->hdr[0] != TLS_HS_CLIENT_HELLO)
		return tls_fail(out, DIS_MALFORMED, "first handshake message is not a ClientHello");
	if (s->n_hdr < TLS_HS_HEADER || s->need)
		return DIS_OK;
	size_t body = (size_t)s->hdr[1] << 16 | (size_t)s->hdr[2] << 8 | s->hdr[3];
	if (body > TLS_MAX_HELLO - TLS_HS_HEADER)
		return tls_fail(out, DIS_MALFORMED, "ClientHello longer than TLS_MAX_HELLO");
	s->need = TLS_HS_HEADER + body;
	return DIS_OK;
}

/* Walks records from the start of the stream until they hold the whole ClientHello.
 * On DIS_OK the cursor stands after the last record that carried part of it. */
TLS_MUST_CHECK
static enum dis_status tls_walk(struct cur *c, struct tls_span *s, struct tls_hello *out)
{
	for (;;) {
		struct cur frag = cur_make(NULL, 0);
		uint16_t version = 0;
		enum dis_status st = tls_record(c, out, &frag, &version);
		if (st == DIS_SHORT && tls_hs_header(s, frag, out) == DIS_MALFORMED)
			return DIS_MALFORMED;
		if (st != DIS_OK)
			return st;
		if (out->n_records == 0) {
			out->record_version = version;
			s->first = frag;
		}
		out->n_records++;
		st = tls_hs_header(s, frag, out);
		if (st != DIS_OK)
			return st;
		s->have += cur_left(&frag);
		if (s->need && s->have >= s->need)
			return DIS_OK;
	}
}

/* Copies the hello's bytes out of the records tls_walk accepted into out->hs. */
static void tls_gather(const uint8_t *p, size_t len, const struct tls_span *s,
                       struct tls_hello *out)
{
	struct cur c = cur_make(p, len);
	out->hs_len = 0;
	while (out->hs_len < s->need && cur_ok(&c)) {
		cur_skip(&c, 3);
		struct cur frag = cur_sub(&c, cur_be16(&c));
		size_t n = cur_left(&frag);
		if (n > s->need - out->hs_len)
			n = s->need - out->hs_len;
		cur_copy(&frag, out->hs + out->hs_len, n);
		out->hs_len += n;
	}
}

/* ---- ClientHello (RFC 8446 4.1.2) ----
 *
 *   | legacy_version (2) | random (32) | session_id <0..32> (1-byte length) |
 *   | cipher_suites <2..2^16-2> (2) | compression_methods <1..2^8-1> (1) |
 *   | extensions <8..2^16-1> (2): { type (2) | length (2) | data }...  |  (absent before TLS 1.3)
 */

/* Reads big-endian 16-bit values to the end of l, keeping up to cap. False when a byte is
 * left over: the length was odd. */
TLS_MUST_CHECK
static bool tls_list16(struct cur *l, uint16_t *dst, uint16_t cap, uint16_t *n,
                       struct tls_hello *out)
{
	while (cur_left(l) >= 2) {
		uint16_t v = cur_be16(l);
		if (*n < cap)
			dst[(*n)++] = v;
		else
			out->truncated = true;
	}
	return cur_left(l) == 0;
}

/* A list with a 1- or 2-byte length prefix that must fill the extension data exactly. */
static struct cur tls_prefixed(struct cur *d, size_t prefix)
{
	size_t n = prefix == 1 ? cur_u8(d) : cur_be16(d);
	struct cur l = cur_sub(d, n);
	if (cur_left(d) != 0)
		cur_fail(&l);
	return l;
}

/* The host name as misroute writes names: lower-case ASCII, one trailing dot dropped, at
 * most TLS_MAX_SNI bytes, escaped by tls_put_escaped. */
static void tls_sni_text(struct cur c, struct tls_hello *out)
{
	size_t n = cur_left(&c);
	if (n > 1 && cur_peek_at(&c, n - 1) == '.')
		n--;
	if (n > TLS_MAX_SNI) {
		n = TLS_MAX_SNI;
		out->truncated = true;
	}
	struct tls_text t = tls_text_make(out->sni, sizeof(out->sni));
	for (size_t i = 0; i < n; i++) {
		uint8_t b = cur_u8(&c);
		if (b >= 'A' && b <= 'Z')
			b = (uint8_t)(b - 'A' + 'a');
		tls_put_escaped(&t, b);
	}
	out->has_sni = true;
}

/* RFC 6066 3: server_name_list <1..2^16-1> of { name_type (1) | name <1..2^16-1> (2) }.
 * The first host_name is kept; other name types are skipped. An empty extension (the form a
 * server echoes) is accepted: it names nothing. */
TLS_MUST_CHECK
static bool tls_ext_sni(struct cur *d, struct tls_hello *out)
{
	out->has_sni_ext = true;
	if (cur_left(d) == 0)
		return true;
	struct cur l = tls_prefixed(d, 2);
	while (cur_ok(&l) && cur_left(&l)) {
		uint8_t type = cur_u8(&l);
		struct cur name = cur_sub(&l, cur_be16(&l));
		if (cur_ok(&l) && cur_left(&name) && type == TLS_SNI_HOST_NAME && !out->has_sni)
			tls_sni_text(name, out);
	}
	return cur_ok(&l);
}

/* JA4's two ALPN characters: the first and last byte of the first protocol id when both
 * are ASCII letters or digits, else the first and last hex digit of the whole id. */
static bool tls_alnum(uint8_t b)
{
	return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
}

static void tls_ja4_alpn(struct cur id, struct tls_hello *out)
{
	size_t n = cur_left(&id);
	if (n == 0)
		return;
	uint8_t first = cur_peek_at(&id, 0), last = cur_peek_at(&id, n - 1);
	if (tls_alnum(first) && tls_alnum(last)) {
		out->alpn_ja4[0] = (char)first;
		out->alpn_ja4[1] = (char)last;
	} else {
		out->alpn_ja4[0] = tls_hexdig[first >> 4];
		out->alpn_ja4[1] = tls_hexdig[last & 0xf];
	}
}

/* RFC 7301 3.1: protocol_name_list <2..2^16-1> of { length (1) | id <1..2^8-1> }. */
TLS_MUST_CHECK
static bool tls_ext_alpn(struct cur *d, struct tls_hello *out)
{
	out->has_alpn = true;
	struct cur l = tls_prefixed(d, 2);
	bool first = true;
	while (cur_ok(&l) && cur_left(&l)) {
		struct cur id = cur_sub(&l, cur_u8(&l));
		if (!cur_ok(&l))
			break;
		if (first)
			tls_ja4_alpn(id, out);
		first = false;
		if (out->n_alpn >= TLS_MAX_ALPN) {
			out->truncated = true;
			continue;
		}
		struct tls_text t = tls_text_make(out->alpn[out->n_alpn++], TLS_ALPN_TEXT);
		while (cur_left(&id))
			tls_put_escaped(&t, cur_u8(&id));
		out->truncated |= t.full;
	}
	return cur_ok(&l);
}

/* RFC 8422 5.1.2: ec_point_format_list <1..2^8-1> of single bytes. */
TLS_MUST_CHECK
static bool tls_ext_point_formats(struct cur *d, struct tls_hello *out)
{
	struct cur l = tls_prefixed(d, 1);
	while (cur_ok(&l) && cur_left(&l)) {
		uint8_t v = cur_u8(&l);
		if (out->n_point_formats < TLS_MAX_POINT_FORMATS)
			out->point_formats[out->n_point_formats++] = v;
		else
			out->truncated = true;
	}
	return cur_ok(&l);
}

/* Extensions whose data is one length-prefixed list of 16-bit values: supported_groups
 * (RFC 8446 4.2.7), signature_algorithms (4.2.3), supported_versions (4.2.1). */
TLS_MUST_CHECK
static bool tls_ext_list16(struct cur *d, size_t prefix, uint16_t *dst, uint16_t cap,
                           uint16_t *n, struct tls_hello *out)
{
	struct cur l = tls_prefixed(d, prefix);
	return cur_ok(&l) && tls_list16(&l, dst, cap, n, out);
}

/* Dispatches one extension's data; false when its inner lengths lie. */
TLS_MUST_CHECK
static bool tls_extension(uint16_t type, struct cur *d, struct tls_hello *out)
{
	switch (type) {
	case TLS_EXT_SNI:
		return tls_ext_sni(d, out);
	case TLS_EXT_ALPN:
		return tls_ext_alpn(d, out);
	case TLS_EXT_GROUPS:
		return tls_ext_list16(d, 2, out->groups, TLS_MAX_GROUPS, &out->n_groups, out);
	case TLS_EXT_SIG_ALGS:
		return tls_ext_list16(d, 2, out->sig_algs, TLS_MAX_SIG_ALGS, &out->n_sig_algs, out);
	case TLS_EXT_VERSIONS:
		/* The ClientHello form: a 1-byte length (RFC 8446 4.2.1). */
		return tls_ext_list16(d, 1, out->versions, TLS_MAX_VERSIONS, &out->n_versions, out);
	case TLS_EXT_POINT_FORMATS:
		return tls_ext_point_formats(d, out);
	case TLS_EXT_ECH:
		/* The payload is encrypted; the visible SNI is the outer (public) name. */
		out->ech = true;
		return true;
	default:
		return true;
	}
}

/* RFC 8446 4.2 allows each extension type once, and servers (BoringSSL, OpenSSL) refuse a
 * hello that repeats one, so no real client does. Checked against the kept types only. */
static bool tls_seen(const struct tls_hello *out, uint16_t type)
{
	for (size_t i = 0; i < out->n_exts; i++)
		if (out->exts[i] == type)
			return true;
	return false;
}

/* Walks the extensions block: keeps each type in order, parses those we report. */
TLS_MUST_CHECK
static enum dis_status tls_extensions(struct cur *e, struct tls_hello *out)
{
	/* Each step takes at least the 4-byte extension header: the loop ends. */
	while (cur_left(e)) {
		uint16_t type = cur_be16(e);
		struct cur d = cur_sub(e, cur_be16(e));
		if (!cur_ok(e))
			return tls_fail(out, DIS_MALFORMED, "extension longer than the extensions block");
		if (tls_seen(out, type))
			return tls_fail(out, DIS_MALFORMED, "extension type repeated");
		out->exts_total++;
		if (out->n_exts < TLS_MAX_EXTS)
			out->exts[out->n_exts++] = type;
		else
			out->truncated = true;
		if (!tls_extension(type, &d, out))
			return tls_fail(out, DIS_MALFORMED, "extension data length lies");
	}
	return DIS_OK;
}

/* Parses a complete ClientHello body: every length must fit inside it, so a read past its
 * end is a lie (DIS_MALFORMED), never a reason to wait. */
TLS_MUST_CHECK
static enum dis_status tls_hello_body(struct cur *b, struct tls_hello *out)
{
	out->hello_version = cur_be16(b);
	cur_skip(b, TLS_RANDOM);
	uint8_t sid = cur_u8(b);
	if (!cur_ok(b))
		return tls_fail(out, DIS_MALFORMED, "ClientHello shorter than its fixed fields");
	if (sid > TLS_MAX_SESSION_ID)
		return tls_fail(out, DIS_MALFORMED, "session id longer than 32 bytes");
	cur_skip(b, sid);
	uint16_t cs_len = cur_be16(b);
	struct cur cs = cur_sub(b, cs_len);
	if (!cur_ok(b))
		return tls_fail(out, DIS_MALFORMED, "session id or cipher suites length lies");
	if (!tls_list16(&cs, out->ciphers, TLS_MAX_CIPHERS, &out->n_ciphers, out))
		return tls_fail(out, DIS_MALFORMED, "odd cipher suites length");
	out->ciphers_total = cs_len / 2;
	cur_skip(b, cur_u8(b));
	if (!cur_ok(b))
		return tls_fail(out, DIS_MALFORMED, "compression methods length lies");
	/* TLS 1.2 and older may end the hello here (RFC 5246 7.4.1.2). */
	if (cur_left(b) == 0)
		return DIS_OK;
	struct cur e = cur_sub(b, cur_be16(b));
	if (!cur_ok(b))
		return tls_fail(out, DIS_MALFORMED, "extensions length lies");
	/* A server rejects bytes after the extensions too (OpenSSL: length mismatch). */
	if (cur_left(b))
		return tls_fail(out, DIS_MALFORMED, "bytes after the extensions");
	return tls_extensions(&e, out);
}

/* The version JA4 and the records show: supported_versions says what the client really
 * offers; legacy_version is frozen at 0x0303 by TLS 1.3. */
static uint16_t tls_best_version(const struct tls_hello *h)
{
	uint16_t best = 0;
	for (size_t i = 0; i < h->n_versions; i++)
		if (!tls_is_grease(h->versions[i]) && h->versions[i] > best)
			best = h->versions[i];
	return best ? best : h->hello_version;
}

/* ---- fingerprints ---- */

static void tls_hash_hex(int algo, const char *s, size_t n, char *hex, size_t digits)
{
	uint8_t dig[32];
	gcry_md_hash_buffer(algo, dig, s, n);
	for (size_t i = 0; i < digits; i++)
		hex[i] = tls_hexdig[i % 2 ? dig[i / 2] & 0xf : dig[i / 2] >> 4];
	hex[digits] = '\0';
}

static void tls_ja3_list(struct tls_text *t, const uint16_t *v, size_t n)
{
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		if (!first)
			tls_putc(t, '-');
		tls_put_dec(t, v[i]);
		first = false;
	}
}

/* JA3 (Salesforce): "version,ciphers,extensions,groups,point formats" in decimal, each list
 * '-' separated in wire order, GREASE left out; then its MD5. */
static void tls_ja3(struct tls_hello *h)
{
	struct tls_text t = tls_text_make(h->ja3, sizeof(h->ja3));
	tls_put_dec(&t, h->hello_version);
	tls_putc(&t, ',');
	tls_ja3_list(&t, h->ciphers, h->n_ciphers);
	tls_putc(&t, ',');
	tls_ja3_list(&t, h->exts, h->n_exts);
	tls_putc(&t, ',');
	tls_ja3_list(&t, h->groups, h->n_groups);
	tls_putc(&t, ',');
	for (size_t i = 0; i < h->n_point_formats; i++) {
		if (i)
			tls_putc(&t, '-');
		tls_put_dec(&t, h->point_formats[i]);
	}
	tls_hash_hex(GCRY_MD_MD5, h->ja3, t.len, h->ja3_md5, 32);
}

static int tls_cmp16(const void *a, const void *b)
{
	const uint16_t *x = a, *y = b;
	return (*x > *y) - (*x < *y);
}

/* Copies the non-GREASE values of v to dst (at most cap), leaving out SNI and ALPN when
 * asked (JA4 has them in its first part already), sorted when asked. */
static size_t tls_ja4_values(const uint16_t *v, size_t n, uint16_t *dst, bool sort,
                             bool no_sni_alpn)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		if (no_sni_alpn && (v[i] == TLS_EXT_SNI || v[i] == TLS_EXT_ALPN))
			continue;
		dst[k++] = v[i];
	}
	if (sort && k > 32) {
		qsort(dst, k, sizeof(*dst), tls_cmp16);
	} else if (sort) { /* the usual few: insertion sort, no calls */
		for (size_t i = 1; i < k; i++) {
			uint16_t x = dst[i];
			size_t j = i;
			for (; j > 0 && dst[j - 1] > x; j--)
				dst[j] = dst[j - 1];
			dst[j] = x;
		}
	}
	return k;
}

static void tls_hex_list(struct tls_text *t, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			tls_putc(t, ',');
		tls_put_hex16(t, v[i]);
	}
}

static const char *tls_ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

static size_t tls_ja4_count(const uint16_t *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += !tls_is_grease(v[i]);
	return k > 99 ? 99 : k;
}

/* JA4 part a: "t" (TLS over TCP), version, "d" with SNI or "i", cipher and extension counts
 * (GREASE left out, at most 99), the ALPN characters. */
static void tls_ja4_a(struct tls_text *t, const struct tls_hello *h)
{
	size_t nc = tls_ja4_count(h->ciphers, h->n_ciphers);
	size_t ne = tls_ja4_count(h->exts, h->n_exts);
	char a[4] = { h->has_sni_ext ? 'd' : 'i', (char)('0' + nc / 10), (char)('0' + nc % 10) };
	tls_putc(t, 't');
	tls_put(t, tls_ja4_version(h->version), 2);
	tls_put(t, a, 3);
	tls_putc(t, (char)('0' + ne / 10));
	tls_putc(t, (char)('0' + ne % 10));
	tls_put(t, h->alpn_ja4, 2);
}

/* JA4 parts b and c before hashing: the sorted cipher list; the sorted extension list
 * without SNI and ALPN, then '_' and the signature algorithms in wire order when there are
 * any. Returns false for an empty list, which JA4 writes as twelve zeros. */
static bool tls_ja4_b(struct tls_text *t, const struct tls_hello *h)
{
	uint16_t v[TLS_MAX_CIPHERS];
	size_t n = tls_ja4_values(h->ciphers, h->n_ciphers, v, true, false);
	tls_hex_list(t, v, n);
	return n > 0;
}

static bool tls_ja4_c(struct tls_text *t, const struct tls_hello *h)
{
	uint16_t v[TLS_MAX_EXTS > TLS_MAX_SIG_ALGS ? TLS_MAX_EXTS : TLS_MAX_SIG_ALGS];
	size_t n = tls_ja4_values(h->exts, h->n_exts, v, true, true);
	if (n == 0)
		return false;
	tls_hex_list(t, v, n);
	size_t ns = tls_ja4_values(h->sig_algs, h->n_sig_algs, v, false, false);
	if (ns) {
		tls_putc(t, '_');
		tls_hex_list(t, v, ns);
	}
	return true;
}

/* Room for the longest part b or c text: every kept value as 4 hex digits and a separator. */
#define TLS_JA4_LIST_TEXT (5 * (TLS_MAX_CIPHERS + TLS_MAX_EXTS + TLS_MAX_SIG_ALGS) + 1)

static void tls_ja4_hashed(struct tls_text *t, bool (*part)(struct tls_text *,
                                                           const struct tls_hello *),
                           const struct tls_hello *h)
{
	char raw[TLS_JA4_LIST_TEXT];
	struct tls_text r = tls_text_make(raw, sizeof(raw));
	char hex[13] = "000000000000";
	if (part(&r, h))
		tls_hash_hex(GCRY_MD_SHA256, raw, r.len, hex, 12);
	tls_put(t, hex, 12);
}

/* FoxIO JA4 for TLS over TCP: a_b_c with b and c the first 12 hex digits of SHA-256. */
static void tls_ja4(struct tls_hello *h)
{
	struct tls_text t = tls_text_make(h->ja4, sizeof(h->ja4));
	tls_ja4_a(&t, h);
	tls_putc(&t, '_');
	tls_ja4_hashed(&t, tls_ja4_b, h);
	tls_putc(&t, '_');
	tls_ja4_hashed(&t, tls_ja4_c, h);
}

size_t tls_ja4_raw(const struct tls_hello *h, char *buf, size_t size)
{
	char raw[TLS_JA4_TEXT + 2 * TLS_JA4_LIST_TEXT];
	struct tls_text t = tls_text_make(raw, sizeof(raw));
	tls_ja4_a(&t, h);
	tls_putc(&t, '_');
	(void)tls_ja4_b(&t, h);
	tls_putc(&t, '_');
	(void)tls_ja4_c(&t, h);
	if (size) {
		size_t n = t.len < size ? t.len : size - 1;
		memcpy(buf, raw, n);
		buf[n] = '\0';
	}
	return t.len;
}

/* ---- entry point ---- */

/* SSLv2-compatible hello (RFC 5246 E.2): a 2-byte length with the top bit set, then
 * msg_type 1. It cannot carry extensions, so there is nothing for us in it. */
TLS_MUST_CHECK
static enum dis_status tls_sslv2(struct cur *c, struct tls_hello *out)
{
	if (!cur_has(c, 3))
		return tls_fail(out, DIS_SHORT, "record header incomplete");
	cur_skip(c, 2);
	if (cur_u8(c) != TLS_SSL2_CLIENT_HELLO)
		return tls_fail(out, DIS_MALFORMED, "not a handshake record");
	out->sslv2 = true;
	return tls_fail(out, DIS_MALFORMED, "SSLv2-compatible ClientHello (unsupported)");
}

static void tls_reset(struct tls_hello *out)
{
	/* Everything but the scratch buffer, which is rewritten before it is read. */
	memset(out, 0, offsetof(struct tls_hello, hs));
	memcpy(out->alpn_ja4, "00", 3);
}

enum dis_status tls_client_hello(const uint8_t *p, size_t len, struct tls_hello *out)
{
	tls_reset(out);
	struct cur c = cur_make(p, len);
	if (!cur_has(&c, 1))
		return tls_fail(out, DIS_SHORT, "no bytes yet");
	if (cur_peek_at(&c, 0) & 0x80)
		return tls_sslv2(&c, out);

	struct tls_span s = { .n_hdr = 0 };
	enum dis_status st = tls_walk(&c, &s, out);
	if (st != DIS_OK)
		return st;
	out->consumed = cur_off(&c);

	/* One record holds it all (the usual case): parse in place; else gather the pieces. */
	struct cur body;
	if (cur_left(&s.first) >= s.need) {
		body = s.first;
		cur_skip(&body, TLS_HS_HEADER);
		body = cur_sub(&body, s.need - TLS_HS_HEADER);
	} else {
		tls_gather(p, len, &s, out);
		body = cur_make(out->hs, out->hs_len);
		cur_skip(&body, TLS_HS_HEADER);
	}
	st = tls_hello_body(&body, out);
	if (st != DIS_OK)
		return st;
	out->version = tls_best_version(out);
	return DIS_OK;
}

/* A memo key: the inputs of JA3 and JA4, GREASE left out, each list after its length. */
struct tls_fp_key {
	size_t len;
	bool fits;
	uint8_t b[TLS_FP_MEMO_KEY];
};

static void tls_key_put(struct tls_fp_key *k, const void *p, size_t n)
{
	if (k->len + n > sizeof(k->b)) {
		k->fits = false;
		return;
	}
	memcpy(k->b + k->len, p, n);
	k->len += n;
}

_Static_assert(TLS_MAX_CIPHERS >= TLS_MAX_EXTS && TLS_MAX_CIPHERS >= TLS_MAX_GROUPS &&
	       TLS_MAX_CIPHERS >= TLS_MAX_SIG_ALGS, "tls_key_list's scratch holds any list");

static void tls_key_list(struct tls_fp_key *k, const uint16_t *v, size_t n)
{
	uint16_t kept[TLS_MAX_CIPHERS];
	uint16_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!tls_is_grease(v[i]))
			kept[m++] = v[i];
	tls_key_put(k, &m, sizeof(m));
	tls_key_put(k, kept, m * sizeof(kept[0]));
}

static bool tls_fp_key_of(const struct tls_hello *h, struct tls_fp_key *k)
{
	k->len = 0;
	k->fits = true;
	const uint16_t head[3] = { h->hello_version, h->version, h->n_point_formats };
	tls_key_put(k, head, sizeof(head));
	tls_key_put(k, &h->has_sni_ext, sizeof(h->has_sni_ext));
	tls_key_put(k, h->alpn_ja4, 2);
	tls_key_put(k, h->point_formats, h->n_point_formats);
	tls_key_list(k, h->ciphers, h->n_ciphers);
	tls_key_list(k, h->exts, h->n_exts);
	tls_key_list(k, h->groups, h->n_groups);
	tls_key_list(k, h->sig_algs, h->n_sig_algs);
	return k->fits;
}

static size_t tls_memo_index(const uint8_t *p, size_t n)
{
	return hash_bytes(0, p, n) % TLS_FP_MEMO;
}

void tls_fingerprints(struct tls_hello *h, struct tls_fp_memo *memo)
{
	struct tls_fp_slot *m = NULL;
	struct tls_fp_key k;
	if (memo && tls_fp_key_of(h, &k)) {
		m = &memo->slot[tls_memo_index(k.b, k.len)];
		if (m->key_len == k.len && memcmp(m->key, k.b, k.len) == 0) {
			memcpy(h->ja3, m->ja3, strlen(m->ja3) + 1);
			memcpy(h->ja3_md5, m->ja3_md5, sizeof(h->ja3_md5));
			memcpy(h->ja4, m->ja4, sizeof(h->ja4));
			return;
		}
	}
	tls_ja3(h);
	tls_ja4(h);
	size_t ja3_len = strlen(h->ja3);
	if (m && ja3_len < sizeof(m->ja3)) {
		m->key_len = (uint16_t)k.len;
		memcpy(m->key, k.b, k.len);
		memcpy(m->ja3, h->ja3, ja3_len + 1);
		memcpy(m->ja3_md5, h->ja3_md5, sizeof(m->ja3_md5));
		memcpy(m->ja4, h->ja4, sizeof(m->ja4));
	}
}

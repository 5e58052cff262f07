/* json.c: the streaming JSON writer of json.h (RFC 8259 strings, RFC 3629 UTF-8 checks). */
#include "output/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void jw_begin(struct jw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
	w->depth = 0;
	w->need_comma[0] = false;
	jw_obj_open(w, NULL);
}

size_t jw_end(struct jw *w)
{
	jw_obj_close(w);
	if (w->overflow || w->len >= w->cap)
		return 0;
	w->buf[w->len] = '\0';
	return w->len;
}

static void jw_put(struct jw *w, const char *s, size_t n)
{
	/* One byte stays free for the NUL that jw_end writes. */
	if (w->overflow || n >= w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void jw_putc(struct jw *w, char c)
{
	if (w->overflow || w->len + 1 >= w->cap) {
		w->overflow = true;
		return;
	}
	w->buf[w->len++] = c;
}

/* Length of the valid UTF-8 sequence at s[0..n), 0 when it is not one (overlongs,
 * surrogates and code points past U+10FFFF are invalid, RFC 3629 section 4). */
static size_t jw_utf8_len(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Bytes a JSON string holds as they are, one bit each for 0x00-0x7f: 0x20-0x7f but the quote
 * (0x22) and the backslash (0x5c). */
static const uint64_t jw_plain[2] = { 0xfffffffb00000000ull, 0xffffffffefffffffull };

static inline bool jw_is_plain(uint8_t c)
{
	return c < 0x80 && (jw_plain[c >> 6] >> (c & 63) & 1);
}

static void jw_quoted(struct jw *w, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = (const uint8_t *)str;
	jw_putc(w, '"');
	size_t i = 0;
	while (i < n && !w->overflow) {
		/* Copy the longest run that needs no escaping in one go. */
		size_t run = i;
		while (run < n && jw_is_plain(s[run]))
			run++;
		if (run > i) {
			jw_put(w, (const char *)s + i, run - i);
			i = run;
			continue;
		}
		uint8_t c = s[i];
		char esc[7];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jw_put(w, esc, 2);
			i++;
		} else if (c < 0x20) {
			const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
			if (named) {
				jw_put(w, named, 2);
			} else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				jw_put(w, esc, 6);
			}
			i++;
		} else {
			size_t len = jw_utf8_len(s + i, n - i);
			if (len) {
				jw_put(w, (const char *)s + i, len);
				i += len;
			} else {
				/* Not UTF-8: keep the byte visible as text, "\xHH". */
				memcpy(esc, "\\\\x", 3);
				esc[3] = hex[c >> 4];
				esc[4] = hex[c & 15];
				jw_put(w, esc, 5);
				i++;
			}
		}
	}
	jw_putc(w, '"');
}

/* s[0..n) in quotes, as it is: for text of the program's own (keys, constants, numbers). */
static void jw_put_quoted(struct jw *w, const char *s, size_t n)
{
	if (w->overflow || n + 2 >= w->cap - w->len) {
		w->overflow = true;
		return;
	}
	char *p = w->buf + w->len;
	p[0] = '"';
	memcpy(p + 1, s, n);
	p[n + 1] = '"';
	w->len += n + 2;
}

static void jw_key(struct jw *w, const char *key, size_t n)
{
	if (w->need_comma[w->depth])
		jw_putc(w, ',');
	w->need_comma[w->depth] = true;
	if (key) { /* keys are the program's own ASCII names: nothing to escape */
		jw_put_quoted(w, key, n);
		jw_putc(w, ':');
	}
}

static void jw_open(struct jw *w, const char *key, size_t klen, char c)
{
	if (w->depth > 0 || w->len > 0)
		jw_key(w, key, klen);
	jw_putc(w, c);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->overflow = true;
		return;
	}
	w->need_comma[++w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
	jw_putc(w, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_open_k(struct jw *w, const char *key, size_t klen) { jw_open(w, key, klen, '{'); }
void jw_obj_close(struct jw *w) { jw_close(w, '}'); }
void jw_arr_open_k(struct jw *w, const char *key, size_t klen) { jw_open(w, key, klen, '['); }
void jw_arr_close(struct jw *w) { jw_close(w, ']'); }

void jw_strn_k(struct jw *w, const char *key, size_t klen, const char *s, size_t n)
{
	jw_key(w, key, klen);
	jw_quoted(w, s, n);
}

void jw_str_k(struct jw *w, const char *key, size_t klen, const char *s)
{
	jw_strn_k(w, key, klen, s, strlen(s));
}

/* Writes v in decimal right-aligned at end[-1] and before; returns where it starts. */
static char *jw_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void jw_uint_str_k(struct jw *w, const char *key, size_t klen, uint64_t v)
{
	char num[24];
	char *p = jw_digits(num + sizeof num, v);
	jw_key(w, key, klen);
	jw_put_quoted(w, p, (size_t)(num + sizeof num - p));
}

void jw_uint_k(struct jw *w, const char *key, size_t klen, uint64_t v)
{
	char num[24];
	char *p = jw_digits(num + sizeof num, v);
	jw_key(w, key, klen);
	jw_put(w, p, (size_t)(num + sizeof num - p));
}

void jw_int_k(struct jw *w, const char *key, size_t klen, int64_t v)
{
	char num[24];
	char *p = jw_digits(num + sizeof num, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	jw_key(w, key, klen);
	jw_put(w, p, (size_t)(num + sizeof num - p));
}

void jw_bool_k(struct jw *w, const char *key, size_t klen, bool v)
{
	jw_key(w, key, klen);
	jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_double_k(struct jw *w, const char *key, size_t klen, double v)
{
	char num[40];
	int n = snprintf(num, sizeof num, "%.6g", v);
	jw_key(w, key, klen);
	jw_put(w, num, (size_t)n);
}

void jw_lit_k(struct jw *w, const char *key, size_t klen, const char *s)
{
	jw_key(w, key, klen);
	jw_put_quoted(w, s, strlen(s));
}

static size_t jw_ip4(const uint8_t *a, char *buf)
{
	char *p = buf;
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	*p = '\0';
	return (size_t)(p - buf);
}

size_t jw_ip_text(int version, const uint8_t *a, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	if (version != 6)
		return jw_ip4(a, buf);
	uint16_t w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	/* The first longest run of two or more zero groups becomes "::". */
	int best = -1, blen = 0;
	for (int i = 0; i < 8;) {
		if (w[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !w[j])
			j++;
		if (j - i > blen) {
			best = i;
			blen = j - i;
		}
		i = j;
	}
	if (blen < 2)
		best = -1;
	char *p = buf;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + blen) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		/* IPv4-compatible and IPv4-mapped addresses end in dotted quad. */
		if (i == 6 && best == 0 && (blen == 6 || (blen == 5 && w[5] == 0xffff)))
			return (size_t)(p - buf) + jw_ip4(a + 12, p);
		bool lead = true;
		for (int shift = 12; shift >= 0; shift -= 4) {
			unsigned d = w[i] >> shift & 15;
			if (d || !lead || shift == 0) {
				*p++ = hex[d];
				lead = false;
			}
		}
	}
	if (best >= 0 && best + blen == 8)
		*p++ = ':';
	*p = '\0';
	return (size_t)(p - buf);
}

void jw_ip_k(struct jw *w, const char *key, size_t klen, int version, const uint8_t *a)
{
	char t[JW_IP_TEXT];
	size_t n = jw_ip_text(version, a, t);
	jw_key(w, key, klen);
	jw_put_quoted(w, t, n);
}

void jw_time(uint64_t ts_us, char *buf, size_t size)
{
	/* Records come in time order: the date and time of the last second are kept, per
	 * thread, and only the microseconds are written anew. */
	static _Thread_local uint64_t cached_secs = UINT64_MAX;
	static _Thread_local char cached[64];
	uint64_t secs = ts_us / 1000000;
	if (secs != cached_secs) {
		time_t t = (time_t)secs;
		struct tm tm;
		/* Four-digit years only: a capture's timestamps can say anything. */
		if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999) {
			t = 253402300799; /* 9999-12-31T23:59:59 */
			gmtime_r(&t, &tm);
		}
		snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		cached_secs = secs;
	}
	if (size < 28) {
		if (size)
			buf[0] = '\0';
		return;
	}
	memcpy(buf, cached, 20);
	uint32_t us = (uint32_t)(ts_us % 1000000);
	for (int i = 25; i >= 20; i--, us /= 10)
		buf[i] = (char)('0' + us % 10);
	buf[26] = 'Z';
	buf[27] = '\0';
}

void jw_ts_k(struct jw *w, const char *key, size_t klen, uint64_t ts_us)
{
	char t[40];
	jw_time(ts_us, t, sizeof t);
	jw_lit_k(w, key, klen, t);
}

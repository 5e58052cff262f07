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
	w->comma = false;
	jw_open_q(w, NULL, 0, '{');
}

size_t jw_end(struct jw *w)
{
	jw_close(w, '}');
	if (w->overflow)
		return 0;
	w->buf[w->len] = '\0';
	return w->len;
}

char *jw_overflow(struct jw *w)
{
	w->overflow = true;
	w->cap = w->len;
	return NULL;
}

/* n bytes as they are, where room is not known. */
static char *jw_raw(struct jw *w, char *p, const char *s, size_t n)
{
	jw_done(w, p);
	if (n >= w->cap - w->len)
		return jw_overflow(w);
	memcpy(p, s, n);
	return p + n;
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

/* Non-zero when one of the eight bytes of x is below 0x20, '"', '\\' or above 0x7f (a borrow
 * can only mark bytes beyond one that is marked for itself). */
static inline uint64_t jw_word_special(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
	uint64_t control = (x - ones * 0x20) & ~x;
	uint64_t is_quote = (quote - ones) & ~quote;
	uint64_t is_backslash = (backslash - ones) & ~backslash;
	return (control | is_quote | is_backslash | x) & ones * 0x80;
}

/* Length of the longest prefix of s[0..n) that JSON holds as it is: eight bytes at a time,
 * the last few read padded with spaces, then byte by byte from the word that holds one. */
static inline size_t jw_plain_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0;
	uint64_t x;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		if (jw_word_special(x))
			break;
	}
	if (i + 8 > n) {
		x = 0x2020202020202020ull;
		memcpy(&x, s + i, n - i);
		if (!jw_word_special(x))
			return n;
	}
	while (i < n && jw_is_plain(s[i]))
		i++;
	return i;
}

/* Copies the plain prefix of s[0..n) to p and returns its length. Most strings are plain
 * throughout: each word is checked and stored as it is, the last bytes as one more word that
 * overlaps the one before, so no byte before s or after s + n is read and no call is made. */
static inline size_t jw_copy_plain(char *p, const uint8_t *s, size_t n)
{
	size_t i = 0;
	uint64_t x;
	if (n >= 8) {
		for (; i + 8 <= n; i += 8) {
			memcpy(&x, s + i, 8);
			if (jw_word_special(x))
				break;
			memcpy(p + i, &x, 8);
		}
		if (i == n)
			return n;
		memcpy(&x, s + n - 8, 8);
		if (i + 8 > n && !jw_word_special(x)) {
			memcpy(p + n - 8, &x, 8);
			return n;
		}
	} else if (n >= 4) {
		uint32_t head, tail;
		memcpy(&head, s, 4);
		memcpy(&tail, s + n - 4, 4);
		if (!jw_word_special((uint64_t)head | (uint64_t)tail << 32)) {
			memcpy(p, &head, 4);
			memcpy(p + n - 4, &tail, 4);
			return n;
		}
	}
	for (; i < n && jw_is_plain(s[i]); i++)
		p[i] = (char)s[i];
	return i;
}

void jw_quoted_at(struct jw *w, char *p, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = (const uint8_t *)str;
	*p++ = '"';
	size_t i = jw_copy_plain(p, s, n);
	p += i;
	if (i == n) { /* room for n + 2 was made by jw_member */
		*p++ = '"';
		jw_done(w, p);
		return;
	}
	while (i < n && p) {
		size_t run = i + jw_plain_prefix(s + i, n - i);
		if (run > i) {
			p = jw_raw(w, p, (const char *)s + i, run - i);
			i = run;
			continue;
		}
		uint8_t c = s[i];
		char esc[6];
		size_t len = 1, elen;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			elen = 2;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			esc[0] = '\\';
			esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			elen = 2;
		} else if (c < 0x20) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		} else if ((len = jw_utf8_len(s + i, n - i)) != 0) {
			p = jw_raw(w, p, (const char *)s + i, len);
			i += len;
			continue;
		} else {
			/* Not UTF-8: keep the byte visible as text, "\xHH". */
			len = 1;
			memcpy(esc, "\\\\x", 3);
			esc[3] = hex[c >> 4];
			esc[4] = hex[c & 15];
			elen = 5;
		}
		p = jw_raw(w, p, esc, elen);
		i += len;
	}
	if (p && (p = jw_raw(w, p, "\"", 1)) != NULL)
		jw_done(w, p);
}

void jw_uint_named(struct jw *w, const char *key, uint64_t v)
{
	jw_strn_q(w, NULL, 0, key, strlen(key));
	if (21 >= w->cap - w->len) {
		jw_overflow(w);
		return;
	}
	char *p = w->buf + w->len;
	*p++ = ':';
	jw_done(w, jw_u64(p, v));
}

char *jw_u64(char *p, uint64_t v)
{
	/* Two digits a division: ports, sizes and counts fill every record. */
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char num[20], *end = num + sizeof num, *d = end;
	while (v >= 100) {
		d -= 2;
		memcpy(d, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		d -= 2;
		memcpy(d, pairs + 2 * v, 2);
	} else {
		*--d = (char)('0' + v);
	}
	memcpy(p, d, (size_t)(end - d));
	return p + (end - d);
}

void jw_double_q(struct jw *w, const char *qk, size_t qn, double v)
{
	char num[40];
	int n = snprintf(num, sizeof num, "%.6g", v);
	char *p = jw_member(w, qk, qn, sizeof num);
	if (!p)
		return;
	memcpy(p, num, (size_t)n);
	jw_done(w, p + n);
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
	if (size < JW_TIME_TEXT) {
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

/* json.h: a small streaming JSON writer for records (RFC 8259), into one bounded buffer.
 * Strings from the network go through jw_str, which escapes what JSON requires and writes
 * every byte that is not valid UTF-8 (RFC 3629) as the six characters "\\xHH", so a record is
 * always one valid line whatever the packet held.
 *
 * Keys are literals of our own (ASCII, nothing to escape). Each writer is a macro that glues
 * the key's quotes and colon to it when compiling, and an inline function that checks the
 * room for key and value once and copies the key with a copy of constant size: a record of
 * sixty fields costs little more than its bytes. */
#ifndef MISROUTE_JSON_H
#define MISROUTE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/iptext.h"

struct jw {
	char *buf;          /* caller-owned, cap bytes */
	size_t cap, len;    /* after an overflow cap == len: nothing more fits */
	bool overflow;      /* the record did not fit: it is cut and marked invalid */
	bool comma;         /* the next member or element needs a ',' first */
};

/* Starts a record (an object) in buf[0..cap). */
void jw_begin(struct jw *w, char *buf, size_t cap);
/* Ends the record; returns its length, or 0 when it overflowed (nothing valid to write). */
size_t jw_end(struct jw *w);

/* Marks the record overflowed; returns NULL. */
char *jw_overflow(struct jw *w);

/* Room for the ',' a member may need, its quoted key qk[0..qn) (qn 0 inside an array) and
 * `value` bytes, one byte always kept for the NUL jw_end writes. Writes the comma and the key
 * and returns where the value goes, NULL when the record overflowed. */
static inline char *jw_member(struct jw *w, const char *qk, size_t qn, size_t value)
{
	if (__builtin_expect(1 + qn + value >= w->cap - w->len, 0))
		return jw_overflow(w);
	char *p = w->buf + w->len;
	*p = ',';
	p += w->comma;
	if (qn)
		memcpy(p, qk, qn);
	w->comma = true;
	return p + qn;
}

static inline void jw_done(struct jw *w, const char *p) { w->len = (size_t)(p - w->buf); }

/* Decimal digits of v at p; returns the end. */
char *jw_u64(char *p, uint64_t v);
/* s[0..n) quoted and escaped at p, where n + 2 bytes fit (jw_member); more room is checked. */
void jw_quoted_at(struct jw *w, char *p, const char *s, size_t n);

static inline void jw_open_q(struct jw *w, const char *qk, size_t qn, char c)
{
	char *p = jw_member(w, qk, qn, 1);
	if (!p)
		return;
	*p++ = c;
	jw_done(w, p);
	w->comma = false;
}

static inline void jw_close(struct jw *w, char c)
{
	if (__builtin_expect(1 >= w->cap - w->len, 0)) {
		jw_overflow(w);
		return;
	}
	w->buf[w->len++] = c;
	w->comma = true;
}

static inline void jw_strn_q(struct jw *w, const char *qk, size_t qn, const char *s, size_t n)
{
	char *p = jw_member(w, qk, qn, n + 2);
	if (p)
		jw_quoted_at(w, p, s, n);
}

static inline void jw_uint_q(struct jw *w, const char *qk, size_t qn, uint64_t v)
{
	char *p = jw_member(w, qk, qn, 20);
	if (p)
		jw_done(w, jw_u64(p, v));
}

/* A number written as a JSON string (ECS keywords such as dns.id and vlan.id). */
static inline void jw_uint_str_q(struct jw *w, const char *qk, size_t qn, uint64_t v)
{
	char *p = jw_member(w, qk, qn, 22);
	if (!p)
		return;
	*p++ = '"';
	p = jw_u64(p, v);
	*p++ = '"';
	jw_done(w, p);
}

static inline void jw_int_q(struct jw *w, const char *qk, size_t qn, int64_t v)
{
	char *p = jw_member(w, qk, qn, 21);
	if (!p)
		return;
	if (v < 0)
		*p++ = '-';
	jw_done(w, jw_u64(p, v < 0 ? 0 - (uint64_t)v : (uint64_t)v));
}

static inline void jw_bool_q(struct jw *w, const char *qk, size_t qn, bool v)
{
	char *p = jw_member(w, qk, qn, 5);
	if (!p)
		return;
	memcpy(p, v ? "true" : "false", 5);
	jw_done(w, p + (v ? 4 : 5));
}

/* A string of the program's own that needs no escaping (a dataset name, "ipv4"). */
static inline void jw_lit_q(struct jw *w, const char *qk, size_t qn, const char *s)
{
	size_t n = __builtin_strlen(s);
	char *p = jw_member(w, qk, qn, n + 2);
	if (!p)
		return;
	*p++ = '"';
	memcpy(p, s, n);
	p += n;
	*p++ = '"';
	jw_done(w, p);
}

void jw_double_q(struct jw *w, const char *qk, size_t qn, double v);

/* Members of our own, given as the JSON text of a constant ("\"a\":1,\"b\":{\"c\":2"), written as
 * they are where a member goes: for the runs of fields that every record of a kind repeats. */
static inline void jw_frag_q(struct jw *w, const char *json, size_t n)
{
	char *p = jw_member(w, NULL, 0, n);
	if (!p)
		return;
	memcpy(p, json, n);
	jw_done(w, p + n);
}

static inline void jw_ip_q(struct jw *w, const char *qk, size_t qn, int version, const uint8_t *a)
{
	char *p = jw_member(w, qk, qn, IP_TEXT_MAX + 2);
	if (!p)
		return;
	*p++ = '"';
	p += ip_text(version, a, p);
	*p++ = '"';
	jw_done(w, p);
}

/* RFC 3339 UTC with microseconds, e.g. "2026-01-12T09:14:03.123456Z"; buf >= 28 bytes. */
#define JW_TIME_TEXT 28
void jw_time(uint64_t ts_us, char *buf, size_t size);

static inline void jw_ts_q(struct jw *w, const char *qk, size_t qn, uint64_t ts_us)
{
	char *p = jw_member(w, qk, qn, JW_TIME_TEXT + 2);
	if (!p)
		return;
	*p++ = '"';
	jw_time(ts_us, p, JW_TIME_TEXT);
	p += JW_TIME_TEXT - 1;
	*p++ = '"';
	jw_done(w, p);
}

/* The writers. `key` is a string literal; the jw_elem_* forms write array elements. A helper
 * that writes under a key of its caller's takes JW_QK(key) and calls the jw_*_q forms. */
#define JW_QK(key) "\"" key "\":", sizeof("\"" key "\":") - 1

#define jw_obj_open(w, key) jw_open_q(w, JW_QK(key), '{')
#define jw_arr_open(w, key) jw_open_q(w, JW_QK(key), '[')
#define jw_obj_close(w) jw_close(w, '}')
#define jw_arr_close(w) jw_close(w, ']')
#define jw_str(w, key, s) jw_str_q(w, JW_QK(key), s)
#define jw_strn(w, key, s, n) jw_strn_q(w, JW_QK(key), s, n)
#define jw_uint(w, key, v) jw_uint_q(w, JW_QK(key), v)
#define jw_uint_str(w, key, v) jw_uint_str_q(w, JW_QK(key), v)
#define jw_int(w, key, v) jw_int_q(w, JW_QK(key), v)
#define jw_bool(w, key, v) jw_bool_q(w, JW_QK(key), v)
#define jw_double(w, key, v) jw_double_q(w, JW_QK(key), v)
#define jw_lit(w, key, s) jw_lit_q(w, JW_QK(key), s)
#define jw_ip(w, key, version, a) jw_ip_q(w, JW_QK(key), version, a)
#define jw_ts(w, key, ts_us) jw_ts_q(w, JW_QK(key), ts_us)
#define jw_frag(w, json) jw_frag_q(w, json, sizeof(json) - 1)

#define jw_elem_obj_open(w) jw_open_q(w, NULL, 0, '{')
#define jw_elem_str(w, s) jw_str_q(w, NULL, 0, s)
#define jw_elem_strn(w, s, n) jw_strn_q(w, NULL, 0, s, n)
#define jw_elem_lit(w, s) jw_lit_q(w, NULL, 0, s)
#define jw_elem_bool(w, v) jw_bool_q(w, NULL, 0, v)

static inline void jw_str_q(struct jw *w, const char *qk, size_t qn, const char *s)
{
	jw_strn_q(w, qk, qn, s, strlen(s));
}

/* A number under a key known only when running (a table's names), escaped as a string is. */
void jw_uint_named(struct jw *w, const char *key, uint64_t v);

#endif

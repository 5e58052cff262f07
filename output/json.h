/* json.h: a small streaming JSON writer for records (RFC 8259), into one bounded buffer.
 * Strings from the network go through jw_str, which escapes what JSON requires and writes
 * every byte that is not valid UTF-8 (RFC 3629) as the six characters "\\xHH", so a record is
 * always one valid line whatever the packet held. */
#ifndef MISROUTE_JSON_H
#define MISROUTE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 16

struct jw {
	char *buf;          /* caller-owned, cap bytes */
	size_t cap, len;
	bool overflow;      /* the record did not fit: it is cut and marked invalid */
	uint8_t depth;
	bool need_comma[JW_MAX_DEPTH];
};

/* Starts a record (an object) in buf[0..cap). */
void jw_begin(struct jw *w, char *buf, size_t cap);
/* Ends the record; returns its length, or 0 when it overflowed (nothing valid to write). */
size_t jw_end(struct jw *w);

/* Keys are literals of our own (ASCII, nothing to escape); NULL key inside an array. Each
 * writer is an inline wrapper, so that a literal key's length is known when compiling. */
static inline size_t jw_klen(const char *key) { return key ? __builtin_strlen(key) : 0; }

void jw_obj_open_k(struct jw *w, const char *key, size_t klen);
void jw_obj_close(struct jw *w);
void jw_arr_open_k(struct jw *w, const char *key, size_t klen);
void jw_arr_close(struct jw *w);
/* A string from anywhere: escaped as JSON needs, bytes that are not UTF-8 as "\\xHH". */
void jw_str_k(struct jw *w, const char *key, size_t klen, const char *s);
void jw_strn_k(struct jw *w, const char *key, size_t klen, const char *s, size_t n);
void jw_uint_k(struct jw *w, const char *key, size_t klen, uint64_t v);
void jw_int_k(struct jw *w, const char *key, size_t klen, int64_t v);
void jw_bool_k(struct jw *w, const char *key, size_t klen, bool v);
void jw_double_k(struct jw *w, const char *key, size_t klen, double v);
/* A string of the program's own that needs no escaping (a dataset name, "ipv4"). */
void jw_lit_k(struct jw *w, const char *key, size_t klen, const char *s);
/* A number written as a JSON string (ECS keywords such as dns.id and vlan.id). */
void jw_uint_str_k(struct jw *w, const char *key, size_t klen, uint64_t v);

static inline void jw_obj_open(struct jw *w, const char *key) { jw_obj_open_k(w, key, jw_klen(key)); }
static inline void jw_arr_open(struct jw *w, const char *key) { jw_arr_open_k(w, key, jw_klen(key)); }
static inline void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_str_k(w, key, jw_klen(key), s);
}
static inline void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	jw_strn_k(w, key, jw_klen(key), s, n);
}
static inline void jw_uint(struct jw *w, const char *key, uint64_t v)
{
	jw_uint_k(w, key, jw_klen(key), v);
}
static inline void jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_int_k(w, key, jw_klen(key), v);
}
static inline void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_bool_k(w, key, jw_klen(key), v);
}
static inline void jw_double(struct jw *w, const char *key, double v)
{
	jw_double_k(w, key, jw_klen(key), v);
}
static inline void jw_lit(struct jw *w, const char *key, const char *s)
{
	jw_lit_k(w, key, jw_klen(key), s);
}
static inline void jw_uint_str(struct jw *w, const char *key, uint64_t v)
{
	jw_uint_str_k(w, key, jw_klen(key), v);
}

/* An IPv4 (version 4: a[0..4)) or IPv6 address (a[0..16)) as text, exactly as inet_ntop
 * writes it (RFC 5952 for IPv6, with its "::ffff:1.2.3.4" forms). buf holds at least
 * JW_IP_TEXT bytes; returns the length. */
#define JW_IP_TEXT 46
size_t jw_ip_text(int version, const uint8_t *a, char *buf);
void jw_ip_k(struct jw *w, const char *key, size_t klen, int version, const uint8_t *a);
static inline void jw_ip(struct jw *w, const char *key, int version, const uint8_t *a)
{
	jw_ip_k(w, key, jw_klen(key), version, a);
}

/* RFC 3339 UTC with microseconds, e.g. "2026-01-12T09:14:03.123456Z"; buf >= 32 bytes. */
void jw_time(uint64_t ts_us, char *buf, size_t size);
void jw_ts_k(struct jw *w, const char *key, size_t klen, uint64_t ts_us);
static inline void jw_ts(struct jw *w, const char *key, uint64_t ts_us)
{
	jw_ts_k(w, key, jw_klen(key), ts_us);
}

#endif

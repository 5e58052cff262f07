/* cursor.h: the one way packet and file bytes are read — a bounds-checked cursor
 * with a sticky error (after a read past the end every later read returns 0).
 *
 * Usage: do a group of reads, then check cur_ok() once.
 *
 *     struct cur c = cur_make(p, len);
 *     uint16_t id = cur_be16(&c);
 *     uint16_t flags = cur_be16(&c);
 *     if (!cur_ok(&c)) return DIS_SHORT;
 */
#ifndef MISROUTE_CURSOR_H
#define MISROUTE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
	const uint8_t *p; /* start of the window */
	size_t len;       /* bytes in the window */
	size_t off;       /* next byte to read */
	bool err;         /* sticky: set by the first read past the end */
};

static inline struct cur cur_make(const uint8_t *p, size_t len)
{
	/* A NULL buffer becomes an empty one, so no read ever does arithmetic on NULL. */
	static const uint8_t empty[1];
	struct cur c = { p ? p : empty, p ? len : 0, 0, false };
	return c;
}

static inline bool cur_ok(const struct cur *c) { return !c->err; }
static inline size_t cur_left(const struct cur *c) { return c->err ? 0 : c->len - c->off; }
static inline size_t cur_off(const struct cur *c) { return c->off; }

/* True when n more bytes can be read; never sets the error. */
static inline bool cur_has(const struct cur *c, size_t n)
{
	return !c->err && n <= c->len - c->off;
}

/* Marks the cursor failed: every later read returns 0. */
static inline void cur_fail(struct cur *c) { c->err = true; }

static inline const uint8_t *cur_take(struct cur *c, size_t n)
{
	if (!cur_has(c, n)) {
		c->err = true;
		return NULL;
	}
	const uint8_t *q = c->p + c->off;
	c->off += n;
	return q;
}

static inline void cur_skip(struct cur *c, size_t n) { (void)cur_take(c, n); }

static inline uint8_t cur_u8(struct cur *c)
{
	const uint8_t *q = cur_take(c, 1);
	return q ? q[0] : 0;
}

static inline uint16_t cur_be16(struct cur *c)
{
	const uint8_t *q = cur_take(c, 2);
	return q ? (uint16_t)((unsigned)q[0] << 8 | q[1]) : 0;
}

static inline uint16_t cur_le16(struct cur *c)
{
	const uint8_t *q = cur_take(c, 2);
	return q ? (uint16_t)((unsigned)q[1] << 8 | q[0]) : 0;
}

static inline uint32_t cur_be32(struct cur *c)
{
	const uint8_t *q = cur_take(c, 4);
	return q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3] : 0;
}

static inline uint32_t cur_le32(struct cur *c)
{
	const uint8_t *q = cur_take(c, 4);
	return q ? (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0] : 0;
}

/* Copies n bytes into dst (zeroes it on failure). */
static inline void cur_copy(struct cur *c, void *dst, size_t n)
{
	const uint8_t *q = cur_take(c, n);
	if (q)
		memcpy(dst, q, n);
	else
		memset(dst, 0, n);
}

/* A sub-cursor over the next n bytes; the parent moves past them. */
static inline struct cur cur_sub(struct cur *c, size_t n)
{
	const uint8_t *q = cur_take(c, n);
	struct cur s = { q, q ? n : 0, 0, q == NULL };
	return s;
}

/* Moves to an absolute offset inside the window (for DNS compression pointers). */
static inline void cur_seek(struct cur *c, size_t off)
{
	if (c->err || off > c->len)
		c->err = true;
	else
		c->off = off;
}

/* Reads the byte at an absolute offset without moving; 0 and error when outside. */
static inline uint8_t cur_peek_at(struct cur *c, size_t off)
{
	if (c->err || off >= c->len) {
		c->err = true;
		return 0;
	}
	return c->p[off];
}

#endif

/* hash.h: the hash behind misroute's tables and memos. Tables a packet can fill salt it with
 * a seed drawn at start (flows, fragments, the detector's tables) or hold only what the
 * configuration put in them; memos are caches, where a collision costs a miss and nothing
 * more. */
#ifndef MISROUTE_HASH_H
#define MISROUTE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HASH_K 0x9e3779b97f4a7c15ull

/* One step: h with the 64 bits of w folded in. */
static inline uint64_t hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * HASH_K;
	return h ^ h >> 29;
}

/* seed continued over p[0..n), eight bytes a step: a DNS name or an address costs a few
 * multiplications, where a byte at a time chained one per byte. The last bytes are read as
 * words that overlap the ones before (or, under four bytes, as three single bytes), so no
 * byte outside p[0..n) is read; n itself is hashed, which keeps the overlaps apart. The
 * result is mixed whole (MurmurHash3's finaliser), so any of its bits can index a table. */
static inline uint64_t hash_bytes(uint64_t seed, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = hash_word(seed, n), w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		h = hash_word(h, w);
	}
	if (n >= 8) {
		if (i < n) {
			memcpy(&w, b + n - 8, 8);
			h = hash_word(h, w);
		}
	} else if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, b, 4);
		memcpy(&hi, b + n - 4, 4);
		h = hash_word(h, (uint64_t)hi << 32 | lo);
	} else if (n > 0) {
		h = hash_word(h, (uint64_t)b[0] << 16 | (uint64_t)b[n / 2] << 8 | b[n - 1]);
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ h >> 33;
}

#endif

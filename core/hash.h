/* hash.h: FNV-1a, the one byte hash behind misroute's tables and memos. Tables a packet can
 * fill salt the starting value (flows and fragments use a seed drawn at start) or hold only
 * what the configuration put in them; memos are direct-mapped caches, where a collision costs
 * a miss and nothing more. */
#ifndef MISROUTE_HASH_H
#define MISROUTE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV32_BASIS 2166136261u
#define HASH_FNV64_BASIS 14695981039346656037ull

/* h continued over p[0..n). Start from HASH_FNV32_BASIS (or it xor a seed). */
static inline uint32_t hash_fnv32(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static inline uint64_t hash_fnv64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

#endif

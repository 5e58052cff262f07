/* suffix.c: the Public Suffix List through libpsl, behind suffix.h. */
#include "rules/suffix.h"

#include <libpsl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/hash.h"

/* The Debian publicsuffix package's compiled list. */
#define SUFFIX_DAFSA "/usr/share/publicsuffix/public_suffix_list.dafsa"

static const psl_ctx_t *suffix_ctx;
static bool suffix_loaded; /* suffix_ctx was loaded from a file: ours to free */

/* Recent answers of suffix_registrable, per thread: the same few thousand names come back
 * again and again, and a lookup in the list costs a couple of thousand instructions. */
#define SUFFIX_CACHE 4096
#define SUFFIX_CACHE_NAME 80
struct suffix_entry {
	uint64_t hash;
	int16_t at;                  /* offset of the registrable domain, -1: none */
	char name[SUFFIX_CACHE_NAME];
};
static _Thread_local struct suffix_entry suffix_cache[SUFFIX_CACHE];

int suffix_init(void)
{
	if (suffix_ctx)
		return 0;
	psl_ctx_t *ctx = psl_load_file(SUFFIX_DAFSA);
	if (ctx) {
		suffix_ctx = ctx;
		suffix_loaded = true;
		return 0;
	}
	suffix_ctx = psl_builtin();
	return suffix_ctx ? 0 : -1;
}

void suffix_free(void)
{
	if (suffix_loaded)
		psl_free((psl_ctx_t *)suffix_ctx);
	suffix_ctx = NULL;
	suffix_loaded = false;
	memset(suffix_cache, 0, sizeof suffix_cache);
}

const char *suffix_source(void)
{
	return suffix_loaded ? SUFFIX_DAFSA : "builtin";
}

static uint64_t suffix_hash(const char *s, size_t n)
{
	return hash_bytes(0, s, n) | 1; /* 0 marks an empty slot */
}

/* The registrable domain of name[0..n), remembered. libpsl tests the suffixes of a name from
 * the left (a.b.example.com, b.example.com, ...) until one is public, and answers the name
 * before that one. So a name's answer follows from one test of its own and its parent's
 * answer; parents (example.com) come back far more often than names, and remembering them too
 * turns most first sightings of a name into that one test. */
static const char *suffix_lookup(const char *name, size_t n)
{
	if (n >= SUFFIX_CACHE_NAME)
		return psl_registrable_domain(suffix_ctx, name);
	uint64_t h = suffix_hash(name, n);
	struct suffix_entry *e = &suffix_cache[h % SUFFIX_CACHE];
	if (e->hash == h && !strcmp(e->name, name))
		return e->at < 0 ? NULL : name + e->at;
	const char *reg, *dot = memchr(name, '.', n);
	if (!dot || dot == name || dot[1] == '\0' || dot[1] == '.') {
		reg = psl_registrable_domain(suffix_ctx, name); /* no parent to build on */
	} else if (psl_is_public_suffix(suffix_ctx, name)) {
		reg = NULL;
	} else {
		const char *up = suffix_lookup(dot + 1, n - (size_t)(dot + 1 - name));
		reg = up ? up : name;
	}
	/* The recursion may have taken this slot: fill it now. */
	e->hash = h;
	e->at = reg ? (int16_t)(reg - name) : -1;
	memcpy(e->name, name, n + 1);
	return reg;
}

const char *suffix_registrable(const char *name)
{
	if (!suffix_ctx || !name)
		return NULL;
	return suffix_lookup(name, strlen(name));
}

bool suffix_is_public(const char *name)
{
	return suffix_ctx && name && psl_is_public_suffix2(suffix_ctx, name, PSL_TYPE_ANY);
}

bool suffix_same_site(const char *a, const char *b)
{
	const char *ra = suffix_registrable(a), *rb = suffix_registrable(b);
	/* Without a registrable domain (an address, a bare suffix) only the same name is. */
	if (!ra || !rb)
		return a && b && strcmp(a, b) == 0;
	return strcmp(ra, rb) == 0;
}

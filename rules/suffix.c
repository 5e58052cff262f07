/* suffix.c: the Public Suffix List through libpsl, behind suffix.h. */
#include "rules/suffix.h"

#include <libpsl.h>
#include <stddef.h>
#include <string.h>

/* The Debian publicsuffix package's compiled list. */
#define SUFFIX_DAFSA "/usr/share/publicsuffix/public_suffix_list.dafsa"

static const psl_ctx_t *suffix_ctx;
static bool suffix_loaded; /* suffix_ctx was loaded from a file: ours to free */

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
}

const char *suffix_source(void)
{
	return suffix_loaded ? SUFFIX_DAFSA : "builtin";
}

const char *suffix_registrable(const char *name)
{
	return suffix_ctx && name ? psl_registrable_domain(suffix_ctx, name) : NULL;
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

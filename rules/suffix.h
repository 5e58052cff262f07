/* suffix.h: public suffixes and registrable domains (the Public Suffix List, through libpsl):
 * what "outside the domain" and "autodiscover.<public suffix>" mean. */
#ifndef MISROUTE_SUFFIX_H
#define MISROUTE_SUFFIX_H

#include <stdbool.h>

/* Loads the list: Debian's publicsuffix package when present (kept up to date by apt),
 * else the copy built into libpsl. Returns 0, or -1 when neither is available. Call once
 * before any other suffix_ function, before threads start. */
int suffix_init(void);
void suffix_free(void);

/* Which list is in use, for the metric record and --check-rules ("file", "builtin"). */
const char *suffix_source(void);

/* The registrable domain of a normalised name (one label below its public suffix:
 * imapgms.jnet.sei.co.jp -> sei.co.jp), pointing into name; NULL when name is itself a public
 * suffix or has none. */
const char *suffix_registrable(const char *name);

/* Whether a normalised name is a public suffix (com, co.jp, com.br; the list's ICANN and
 * private sections both count: a stranger can register below either). */
bool suffix_is_public(const char *name);

/* Whether two normalised names share their registrable domain. */
bool suffix_same_site(const char *a, const char *b);

#endif

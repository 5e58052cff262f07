/* rules.h: what misroute matches observations against — reserved, watched and allowed names
 * and address ranges, from rule files and Zeek Intel framework files. */
#ifndef MISROUTE_RULES_H
#define MISROUTE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rule_class {
	RULE_RESERVED = 1, /* must never carry real traffic */
	RULE_WATCHED,      /* the organisation's own: report when its mail goes outside it */
	RULE_ALLOWED,      /* an exception to the others */
};

enum rule_kind {
	RULE_EXACT,     /* "=host.example.com": that name only */
	RULE_DOMAIN,    /* "example.com": the name and every name below it, on label boundaries */
	RULE_WILDCARD,  /* "*.example.com": every name below it, not the name itself */
	RULE_ADDR,      /* "192.0.2.0/24", "2001:db8::/32", a single address */
};

#define RULE_MAX_TECHNIQUES 8
#define RULE_MAX_ANSWERS 32

/* An address range: IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d), prefix counted alike. */
struct rule_cidr {
	uint8_t addr[16];
	uint8_t prefix; /* 0..128 */
};

struct rule {
	const char *id;            /* given, or made from file and line */
	const char *pattern;       /* normalised, as written ("=a.b", "a.b", "*.a.b", "192.0.2.0/24") */
	const char *description;   /* may be NULL */
	const char *reference;     /* may be NULL */
	const char *file;          /* where it was defined */
	unsigned line;
	enum rule_class cls;
	enum rule_kind kind;
	uint8_t severity;          /* 0..100 */
	uint8_t n_techniques;
	const char *techniques[RULE_MAX_TECHNIQUES]; /* ATT&CK ids, "T1557" or "T1557.001" */
	/* DNS answers that are legitimate for a reserved name (answers=...): addresses in these
	 * ranges; answers_any: any answer is fine (no answers= given on a watched/allowed rule). */
	uint8_t n_answers;
	bool answers_any;
	/* n_answers ranges (at most RULE_MAX_ANSWERS), owned by the rule set; NULL when none.
	 * A pointer, not an array, so a million rules stay small: readers index it as before. */
	const struct rule_cidr *answers;
	struct rule_cidr cidr;     /* RULE_ADDR */
};

struct ruleset;

/* Problems found while loading, each "FILE:LINE: reason" (at most RULES_MAX_DIAG kept, the
 * rest counted). */
#define RULES_MAX_DIAG 64
struct rules_diag {
	unsigned errors, warnings;   /* all of them, kept or not */
	unsigned n;
	char msg[RULES_MAX_DIAG][512];
	bool is_error[RULES_MAX_DIAG];
};

/* Loads and validates rule files in order (a file whose first non-comment line is a Zeek
 * "#fields" header is read as Intel framework data). Errors (syntax, bad values, unreadable or
 * recursive include, conflicting classes for one pattern) and warnings (exact duplicates) go
 * to diag, which is cleared first (it may be NULL). Returns the set, or NULL when there was any
 * error. The syntax is described at the top of rules/rules.c and of rules/default.rules. */
struct ruleset *rules_load(const char *const *files, size_t n, struct rules_diag *diag);

/* The same for one rule file held in memory: name is used in messages and as the base of
 * relative includes (which are read from disk). data need not be NUL-terminated. */
struct ruleset *rules_load_buffer(const char *name, const char *data, size_t len,
				  struct rules_diag *diag);
void rules_free(struct ruleset *rs);
size_t rules_count(const struct ruleset *rs);
/* Rule i (0 <= i < rules_count), in the order loaded; NULL past the end. For listings. */
const struct rule *rules_at(const struct ruleset *rs, size_t i);

/* Normalises a name as rules and observations both are: ASCII lower case, no trailing dot,
 * non-ASCII UTF-8 labels converted to IDNA A-labels. Returns the length written to out (NUL
 * terminated), or 0 when the name is not a valid name (empty label, label > 63, name > 253, a
 * character other than letters, digits, '-' and '_', IDNA rejects the label, out too small). */
size_t rules_normalize(const char *name, size_t len, char *out, size_t size);

/* The rule deciding a normalised name: the most specific pattern that matches (an exact name
 * before a wildcard before a domain at the same depth, a deeper one before a shallower one;
 * "*.d", "=d" and "d" all count at the depth of d, so the domain a.d beats the wildcard *.d).
 * An allowed rule is returned like the others: the caller treats it as "no incident". NULL when
 * no rule matches. Costs O(labels of name), whatever the number of rules. ASCII case and one
 * trailing dot are ignored; a label that no rule can hold (a \DDD escape) matches nothing,
 * but the labels to its right still do. */
const struct rule *rules_match_name(const struct ruleset *rs, const char *name);

/* The most specific range containing addr (ip_version 4: 4 bytes; 6: 16, IPv4-mapped IPv6
 * addresses match IPv4 ranges). NULL when none. */
const struct rule *rules_match_addr(const struct ruleset *rs, int ip_version, const uint8_t *addr);

/* Whether a DNS answer address is legitimate for the reserved name matched by r. */
bool rules_answer_ok(const struct rule *r, int ip_version, const uint8_t *addr);

const char *rules_class_name(enum rule_class c);

#endif

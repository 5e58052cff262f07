/* rules.c: rule files and Zeek Intel framework files -> a rule set; name and address matching.
 * Names follow RFC 1035 2.3.4 (labels 1..63 bytes, names up to 253 characters in text form)
 * and IDNA2008 / UTS #46 non-transitional processing (RFC 5891) for non-ASCII labels.
 *
 * Rule file syntax, one rule per line:
 *
 *   # comment; blank lines ignored; leading and trailing blanks (space, tab) ignored;
 *   # a '#' that starts a word (outside quotes) comments out the rest of the line
 *   include other.rules     # relative to the including file's folder; nested at most
 *                           # RULES_MAX_INCLUDE_DEPTH deep; a cycle is an error
 *   CLASS PATTERN [key=value ...]
 *
 *   CLASS    reserved | watched | allowed
 *   PATTERN  name        the name and every name below it, on label boundaries
 *                        (example.com: example.com, a.example.com; never notexample.com)
 *            =name       that name only
 *            *.name      every name below name, not name itself
 *            address     IPv4 or IPv6 address, or CIDR (192.0.2.0/24, 2001:db8::/32);
 *                        bits set past the prefix are an error
 *   key=value, each key at most once; a value is a bare word or "quoted" with \" and \\:
 *     id=          stable identifier (default: FILE-BASENAME:LINE)
 *     severity=    0..100 (default: reserved 70, watched 50, allowed 0)
 *     description= free text          reference= a URL
 *     technique=   ATT&CK ids, comma-separated, Tnnnn or Tnnnn.nnn, at most RULE_MAX_TECHNIQUES
 *     answers=     DNS answers legitimate for the name, comma-separated: addresses, CIDRs and
 *                  the keywords none, loopback (127.0.0.0/8, ::1/128) and private (10/8,
 *                  172.16/12, 192.168/16, 169.254/16, 100.64/10, fc00::/7, fe80::/10). Without
 *                  it a reserved name may have no answer at all, a watched or allowed one any.
 *                  Names only.
 *
 * Names are normalised by rules_normalize (ASCII lower case, trailing dot dropped, non-ASCII
 * labels to A-labels). Errors, each "FILE:LINE: reason" (an unreadable top-level file is
 * "FILE: reason"): unknown class, bad pattern, bad or unknown or repeated option, bad value,
 * unterminated quote, include problems, a line over RULES_MAX_LINE bytes, bytes that are not
 * UTF-8 or are control characters, and one pattern given two classes. The same pattern given
 * twice with one class is a warning, and the first definition stays.
 *
 * A file whose leading '#' lines include a "#fields" header is a Zeek Intel framework file:
 * tab-separated columns indicator, indicator_type (required), meta.source, meta.desc,
 * meta.url, meta.misroute_class (optional; '-' or "(empty)" is empty). Intel::DOMAIN becomes an
 * exact-name rule (Zeek matches that name only), Intel::ADDR an address, Intel::SUBNET a CIDR;
 * other types are skipped with one warning per file. Class reserved unless
 * meta.misroute_class says otherwise; id "intel:SOURCE:INDICATOR", or "intel:FILE:LINE"
 * without a source.
 *
 * Matching: names live in a reversed-label tree (a node per distinct suffix, found through one
 * open-addressing hash keyed by (parent node, label)), so a lookup walks the name's labels
 * from the right, O(labels) whatever the number of rules. Address ranges are IPv4-mapped IPv6
 * in one hash keyed by (prefix length, masked address), probed from the longest prefix length
 * in use down: O(distinct prefix lengths).
 */
#include "rules/rules.h"

#include "core/hash.h"
#include "core/iptext.h"
#include "core/limits.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <idn2.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Caps: RULES_MAX_* in core/limits.h. */
#define RULES_NAME_MAX 253               /* RFC 1035 2.3.4 in text form, no trailing dot */
#define RULES_LABEL_MAX 63
#define RULES_ARENA_CHUNK (64u << 10)

/* ---- small helpers: locale-free character tests ---- */

static bool rc_blank(char c) { return c == ' ' || c == '\t'; }
static bool rc_digit(char c) { return c >= '0' && c <= '9'; }
static char rc_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }
/* Letters, digits, hyphen, and underscore (service labels such as _autodiscover._tcp). */
static bool rc_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || rc_digit(c) || c == '-' || c == '_';
}

/* ---- arena: strings and answer lists live as long as the rule set ---- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

struct ruleset {
	struct rule *rules;
	uint32_t n, cap;
	struct arena_chunk *arena;
	/* Reversed-label tree. Node 0 is the root; edges[] holds node ids (0 = empty slot). */
	struct rnode *nodes;
	uint32_t n_nodes, cap_nodes;
	uint32_t *edges;
	uint32_t edge_mask;
	/* Address ranges: slots hold rule index + 1 (0 = empty). */
	uint32_t *aslots;
	uint32_t amask, an;
	/* Prefix lengths in use, longest first: [0] those of ranges that hold IPv4-mapped
	 * addresses, [1] those of ranges that hold others (a lookup tries only its own). */
	uint8_t lens[2][129];
	unsigned n_lens[2];
};

struct rnode {
	const char *label;     /* in the arena, lower case */
	uint32_t parent;
	uint32_t hash;         /* of (parent, label), kept for rehashing */
	uint32_t exact, domain, wildcard; /* rule index + 1, 0 = none */
	uint8_t len;
};

static void *arena_alloc(struct ruleset *rs, size_t n)
{
	struct arena_chunk *c = rs->arena;
	if (!c || c->size - c->used < n) {
		size_t size = n > RULES_ARENA_CHUNK ? n : RULES_ARENA_CHUNK;
		c = malloc(sizeof *c + size);
		if (!c)
			return NULL;
		c->next = rs->arena;
		c->used = 0;
		c->size = size;
		rs->arena = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

static const char *arena_strndup(struct ruleset *rs, const char *s, size_t n)
{
	char *p = arena_alloc(rs, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static const char *arena_strdup(struct ruleset *rs, const char *s)
{
	return s ? arena_strndup(rs, s, strlen(s)) : NULL;
}

/* ---- diagnostics ---- */

struct loader {
	struct ruleset *rs;
	struct rules_diag *diag;
	unsigned errors;
	unsigned depth;                                /* files open, outermost first */
	char *open[RULES_MAX_INCLUDE_DEPTH + 1];       /* their canonical paths (may be NULL) */
	bool full;                                     /* RULES_MAX_RULES reached, said once */
};

/* Drops a UTF-8 sequence that snprintf cut in two, so a message stays valid UTF-8. */
static void diag_trim_utf8(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && n - i < 3)
		i--;
	if (i == 0 || (unsigned char)s[i - 1] < 0xC0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

__attribute__((format(printf, 5, 6)))
static void diag_add(struct loader *ld, bool error, const char *file, unsigned line,
		     const char *fmt, ...)
{
	if (error)
		ld->errors++;
	struct rules_diag *d = ld->diag;
	if (!d)
		return;
	if (error)
		d->errors++;
	else
		d->warnings++;
	if (d->n >= RULES_MAX_DIAG)
		return;
	char *m = d->msg[d->n];
	size_t size = sizeof d->msg[0];
	int k = line ? snprintf(m, size, "%s:%u: ", file, line) : snprintf(m, size, "%s: ", file);
	if (k > 0 && (size_t)k < size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(m + k, size - (size_t)k, fmt, ap);
		va_end(ap);
	}
	diag_trim_utf8(m);
	d->is_error[d->n++] = error;
}

/* At most 80 bytes of s for quoting in a message, cut on a UTF-8 boundary. */
static int quote_len(const char *s, size_t n)
{
	if (n <= 80)
		return (int)n;
	n = 80;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

/* ---- names ---- */

size_t rules_normalize(const char *name, size_t len, char *out, size_t size)
{
	if (!name || !out || size == 0)
		return 0;
	if (len > 0 && name[len - 1] == '.')
		len--;
	/* An IDN label may be longer in UTF-8 than its A-label, but never four times as long. */
	if (len == 0 || len > 4 * RULES_NAME_MAX)
		return 0;
	size_t o = 0;
	for (size_t i = 0; i <= len; i++) {
		size_t s = i;
		bool ascii = true;
		for (; i < len && name[i] != '.'; i++)
			if ((unsigned char)name[i] >= 0x80)
				ascii = false;
		size_t llen = i - s;
		if (llen == 0 || llen > 4 * RULES_LABEL_MAX)
			return 0; /* empty label ("a..b", ".a") or hopeless */
		if (o > 0) {
			if (o + 1 >= size)
				return 0;
			out[o++] = '.';
		}
		if (ascii) {
			if (o + llen >= size)
				return 0;
			for (size_t j = s; j < i; j++) {
				char c = rc_lower(name[j]);
				if (!rc_name_char(c))
					return 0; /* '*', '\\' (a \DDD escape), blanks, NUL... */
				out[o++] = c;
			}
			continue;
		}
		char label[4 * RULES_LABEL_MAX + 1];
		memcpy(label, name + s, llen);
		label[llen] = '\0';
		char *a = NULL;
		if (idn2_to_ascii_8z(label, &a, IDN2_NONTRANSITIONAL) != IDN2_OK || !a)
			return 0;
		size_t alen = strlen(a);
		bool ok = o + alen < size;
		for (size_t j = 0; ok && j < alen; j++) {
			char c = rc_lower(a[j]);
			/* UTS #46 maps full-width dots to '.', so an A-label may hold several labels. */
			ok = rc_name_char(c) || c == '.';
			out[o++] = c;
		}
		idn2_free(a);
		if (!ok)
			return 0;
	}
	/* Check the result as a whole: label and name lengths, no empty label from mapping. */
	if (o > RULES_NAME_MAX)
		return 0;
	size_t run = 0;
	for (size_t j = 0; j < o; j++) {
		if (out[j] != '.') {
			if (++run > RULES_LABEL_MAX)
				return 0;
		} else if (run == 0) {
			return 0;
		} else {
			run = 0;
		}
	}
	if (run == 0)
		return 0;
	out[o] = '\0';
	return o;
}

/* ---- addresses ---- */

static void cidr_map4(const uint8_t *a4, uint8_t *a16)
{
	memset(a16, 0, 10);
	a16[10] = a16[11] = 0xff;
	memcpy(a16 + 12, a4, 4);
}

static bool cidr_is_mapped(const uint8_t *a)
{
	static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(a, pre, 12) == 0;
}

static void cidr_mask(const uint8_t *in, unsigned prefix, uint8_t *out)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
		out[i] = (uint8_t)(in[i] & (uint8_t)(0xff00u >> bits));
	}
}

static bool cidr_contains(const struct rule_cidr *c, const uint8_t *a16)
{
	uint8_t m[16];
	cidr_mask(a16, c->prefix, m);
	return memcmp(m, c->addr, 16) == 0;
}

/* Parses "ADDR" or "ADDR/PREFIX" (IPv4 or IPv6). Sets *why on failure. */
static int cidr_parse(const char *s, size_t len, struct rule_cidr *out, const char **why)
{
	char buf[64];
	*why = "bad address";
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	bool v6 = strchr(buf, ':') != NULL;
	uint8_t raw[16];
	if (v6 ? inet_pton(AF_INET6, buf, raw) != 1 : inet_pton(AF_INET, buf, raw) != 1)
		return -1;
	unsigned max = v6 ? 128 : 32, prefix = max;
	if (slash) {
		const char *p = slash + 1;
		size_t n = strlen(p);
		*why = "bad prefix length";
		if (n == 0 || n > 3)
			return -1;
		prefix = 0;
		for (size_t i = 0; i < n; i++) {
			if (!rc_digit(p[i]))
				return -1;
			prefix = prefix * 10 + (unsigned)(p[i] - '0');
		}
		if (prefix > max)
			return -1;
	}
	if (v6)
		memcpy(out->addr, raw, 16);
	else
		cidr_map4(raw, out->addr);
	out->prefix = (uint8_t)(v6 ? prefix : prefix + 96);
	uint8_t m[16];
	cidr_mask(out->addr, out->prefix, m);
	if (memcmp(m, out->addr, 16) != 0) {
		*why = "address has bits set past the prefix length";
		return -1;
	}
	return 0;
}

/* Canonical text: IPv4 for mapped ranges of /96 or longer; the prefix only when it is not a
 * single address. */
static void cidr_format(const struct rule_cidr *c, char *out, size_t size)
{
	char a[IP_TEXT_MAX];
	unsigned prefix = c->prefix, max = 128;
	if (cidr_is_mapped(c->addr) && prefix >= 96) {
		ip_text(4, c->addr + 12, a);
		prefix -= 96;
		max = 32;
	} else {
		ip_text(6, c->addr, a);
	}
	if (prefix == max)
		snprintf(out, size, "%s", a);
	else
		snprintf(out, size, "%s/%u", a, prefix);
}

/* The address form a lookup uses: 16 bytes, IPv4 mapped. False for other versions. */
static bool addr_to16(int ip_version, const uint8_t *addr, uint8_t *a16)
{
	if (!addr)
		return false;
	if (ip_version == 4)
		cidr_map4(addr, a16);
	else if (ip_version == 6)
		memcpy(a16, addr, 16);
	else
		return false;
	return true;
}

/* ---- hashing: FNV-1a with a final avalanche; the tables are built from configuration only,
 * lookups never insert, so a packet cannot lengthen a probe sequence. ---- */

static uint32_t hash_fin(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* FNV-1a over the label lower-cased, a byte at a time, salted with its parent's hash. */
static uint32_t hash_label(uint32_t parent, const char *s, size_t n)
{
	uint32_t h = 2166136261u ^ hash_fin(parent + 0x9e3779b9u);
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)rc_lower(s[i]);
		h *= 16777619u;
	}
	return hash_fin(h);
}

static uint32_t hash_cidr(const uint8_t *a16, unsigned prefix)
{
	return (uint32_t)hash_bytes(prefix, a16, 16);
}

/* ---- the name tree ---- */

static bool label_eq(const struct rnode *n, const char *s, size_t len)
{
	if (n->len != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (n->label[i] != rc_lower(s[i]))
			return false;
	return true;
}

static uint32_t tree_find(const struct ruleset *rs, uint32_t parent, const char *s, size_t len)
{
	if (!rs->edges || len == 0 || len > RULES_LABEL_MAX)
		return 0;
	uint32_t h = hash_label(parent, s, len);
	for (uint32_t i = h & rs->edge_mask;; i = (i + 1) & rs->edge_mask) {
		uint32_t id = rs->edges[i];
		if (id == 0)
			return 0;
		const struct rnode *n = &rs->nodes[id];
		if (n->hash == h && n->parent == parent && label_eq(n, s, len))
			return id;
	}
}

static void tree_place(struct ruleset *rs, uint32_t id)
{
	uint32_t i = rs->nodes[id].hash & rs->edge_mask;
	while (rs->edges[i])
		i = (i + 1) & rs->edge_mask;
	rs->edges[i] = id;
}

/* Keeps the edge table at most half full. */
static int tree_grow(struct ruleset *rs)
{
	if (rs->n_nodes == rs->cap_nodes) {
		uint32_t cap = rs->cap_nodes ? rs->cap_nodes * 2 : 256;
		struct rnode *n = realloc(rs->nodes, (size_t)cap * sizeof *n);
		if (!n)
			return -1;
		rs->nodes = n;
		rs->cap_nodes = cap;
	}
	size_t slots = rs->edges ? (size_t)rs->edge_mask + 1 : 0;
	if ((size_t)rs->n_nodes * 2 < slots)
		return 0;
	size_t ns = slots ? slots * 2 : 512;
	uint32_t *e = calloc(ns, sizeof *e);
	if (!e)
		return -1;
	free(rs->edges);
	rs->edges = e;
	rs->edge_mask = (uint32_t)(ns - 1);
	for (uint32_t id = 1; id < rs->n_nodes; id++)
		tree_place(rs, id);
	return 0;
}

/* The node for a normalised name, made when missing. 0 on allocation failure. */
static uint32_t tree_node(struct ruleset *rs, const char *name)
{
	uint32_t node = 0;
	const char *end = name + strlen(name);
	while (end > name) {
		const char *s = end;
		while (s > name && s[-1] != '.')
			s--;
		size_t len = (size_t)(end - s);
		uint32_t child = tree_find(rs, node, s, len);
		if (!child) {
			if (tree_grow(rs) < 0)
				return 0;
			const char *label = arena_strndup(rs, s, len);
			if (!label)
				return 0;
			child = rs->n_nodes++;
			rs->nodes[child] = (struct rnode){ .label = label, .parent = node,
				.hash = hash_label(node, s, len), .len = (uint8_t)len };
			tree_place(rs, child);
		}
		node = child;
		end = s > name ? s - 1 : s;
	}
	return node;
}

/* ---- the address table ---- */

static uint32_t *addr_slot(const struct ruleset *rs, const uint8_t *a16, unsigned prefix)
{
	if (!rs->aslots)
		return NULL;
	for (uint32_t i = hash_cidr(a16, prefix) & rs->amask;; i = (i + 1) & rs->amask) {
		uint32_t r = rs->aslots[i];
		if (r == 0)
			return &rs->aslots[i];
		const struct rule_cidr *c = &rs->rules[r - 1].cidr;
		if (c->prefix == prefix && memcmp(c->addr, a16, 16) == 0)
			return &rs->aslots[i];
	}
}

static int addr_grow(struct ruleset *rs)
{
	size_t slots = rs->aslots ? (size_t)rs->amask + 1 : 0;
	if (((size_t)rs->an + 1) * 2 <= slots)
		return 0;
	size_t ns = slots ? slots * 2 : 64;
	uint32_t *old = rs->aslots;
	rs->aslots = calloc(ns, sizeof *rs->aslots);
	if (!rs->aslots) {
		rs->aslots = old;
		return -1;
	}
	rs->amask = (uint32_t)(ns - 1);
	for (size_t i = 0; i < slots; i++)
		if (old[i]) {
			const struct rule_cidr *c = &rs->rules[old[i] - 1].cidr;
			*addr_slot(rs, c->addr, c->prefix) = old[i];
		}
	free(old);
	return 0;
}

static void addr_note_len(struct ruleset *rs, const struct rule_cidr *c)
{
	static const uint8_t zero4[4];
	uint8_t mapped[16];
	cidr_map4(zero4, mapped);
	bool holds[2] = {
		c->prefix < 96 ? cidr_contains(c, mapped) : cidr_is_mapped(c->addr),
		c->prefix < 96 || !cidr_is_mapped(c->addr),
	};
	for (int side = 0; side < 2; side++) {
		uint8_t *lens = rs->lens[side];
		unsigned i = 0, n = rs->n_lens[side];
		if (!holds[side])
			continue;
		while (i < n && lens[i] > c->prefix)
			i++;
		if (i < n && lens[i] == c->prefix)
			continue;
		memmove(lens + i + 1, lens + i, n - i);
		lens[i] = c->prefix;
		rs->n_lens[side]++;
	}
}

/* ---- adding a rule ---- */

/* A rule as parsed, its strings still in the caller's buffers. */
struct rule_draft {
	struct rule r;
	const char *name;                  /* normalised, for name rules */
	struct rule_cidr answers[RULE_MAX_ANSWERS];
};

static const char *class_word(enum rule_class c) { return rules_class_name(c); }

/* Where the pattern's rule index lives: a node slot or an address slot. NULL on allocation
 * failure. */
static uint32_t *rule_slot(struct ruleset *rs, const struct rule_draft *d)
{
	if (d->r.kind == RULE_ADDR) {
		if (addr_grow(rs) < 0)
			return NULL;
		return addr_slot(rs, d->r.cidr.addr, d->r.cidr.prefix);
	}
	uint32_t node = tree_node(rs, d->name);
	if (!node)
		return NULL;
	struct rnode *n = &rs->nodes[node];
	return d->r.kind == RULE_EXACT ? &n->exact : d->r.kind == RULE_WILDCARD ? &n->wildcard : &n->domain;
}

/* Copies the draft into the set; a pattern already present is a conflict (another class) or
 * a duplicate (same class: warning, first one kept). */
static void rule_add(struct loader *ld, struct rule_draft *d)
{
	struct ruleset *rs = ld->rs;
	struct rule *r = &d->r;
	if (rs->n >= RULES_MAX_RULES) {
		if (!ld->full)
			diag_add(ld, true, r->file, r->line, "more than %u rules", RULES_MAX_RULES);
		ld->full = true;
		return;
	}
	if (rs->n == rs->cap) {
		uint32_t cap = rs->cap ? rs->cap * 2 : 64;
		struct rule *v = realloc(rs->rules, (size_t)cap * sizeof *v);
		if (!v)
			goto oom;
		rs->rules = v;
		rs->cap = cap;
	}
	uint32_t *slot = rule_slot(rs, d);
	if (!slot)
		goto oom;
	if (*slot) {
		const struct rule *o = &rs->rules[*slot - 1];
		if (o->cls != r->cls)
			diag_add(ld, true, r->file, r->line, "%s is %s here but %s at %s:%u", r->pattern,
				 class_word(r->cls), class_word(o->cls), o->file, o->line);
		else
			diag_add(ld, false, r->file, r->line, "duplicate of %s at %s:%u, ignored",
				 r->pattern, o->file, o->line);
		return;
	}
	struct rule *n = &rs->rules[rs->n];
	*n = *r;
	n->id = arena_strdup(rs, r->id);
	n->pattern = arena_strdup(rs, r->pattern);
	n->description = arena_strdup(rs, r->description);
	n->reference = arena_strdup(rs, r->reference);
	bool ok = n->id && n->pattern && (n->description || !r->description) &&
		  (n->reference || !r->reference);
	for (unsigned i = 0; i < r->n_techniques; i++)
		ok = ok && (n->techniques[i] = arena_strdup(rs, r->techniques[i])) != NULL;
	n->answers = NULL;
	if (r->n_answers) {
		struct rule_cidr *a = arena_alloc(rs, r->n_answers * sizeof *a);
		ok = ok && a;
		if (a)
			memcpy(a, d->answers, r->n_answers * sizeof *a);
		n->answers = a;
	}
	if (!ok)
		goto oom;
	*slot = ++rs->n;
	if (r->kind == RULE_ADDR) {
		rs->an++;
		addr_note_len(rs, &r->cidr);
	}
	return;
oom:
	diag_add(ld, true, r->file, r->line, "out of memory");
}

/* ---- patterns and option values ---- */

/* A ':' or '/' cannot be in a name; digits and dots alone are an IPv4 address. */
static bool looks_like_addr(const char *s, size_t n)
{
	if (memchr(s, ':', n) || memchr(s, '/', n))
		return true;
	bool digit = false;
	for (size_t i = 0; i < n; i++) {
		if (!rc_digit(s[i]) && s[i] != '.')
			return false;
		digit = true;
	}
	return digit;
}

/* Fills kind, pattern text (into pat, PAT_MAX) and name or cidr. */
#define PAT_MAX (RULES_NAME_MAX + 3)
static int pattern_parse(const char *s, size_t n, struct rule_draft *d, char *pat,
			 const char **why)
{
	enum rule_kind kind = RULE_DOMAIN;
	size_t skip = 0;
	if (n >= 1 && s[0] == '=') {
		kind = RULE_EXACT;
		skip = 1;
	} else if (n >= 2 && s[0] == '*' && s[1] == '.') {
		kind = RULE_WILDCARD;
		skip = 2;
	}
	if (looks_like_addr(s + skip, n - skip)) {
		if (skip) {
			*why = "an address takes no '=' or '*.'";
			return -1;
		}
		if (cidr_parse(s, n, &d->r.cidr, why) < 0)
			return -1;
		d->r.kind = RULE_ADDR;
		cidr_format(&d->r.cidr, pat, PAT_MAX);
		return 0;
	}
	const char *pre = kind == RULE_EXACT ? "=" : kind == RULE_WILDCARD ? "*." : "";
	size_t pl = strlen(pre);
	if (rules_normalize(s + skip, n - skip, pat + pl, PAT_MAX - pl) == 0) {
		*why = "bad name (empty label, label over 63 bytes, name over 253, or a character "
		       "a name cannot hold)";
		return -1;
	}
	memcpy(pat, pre, pl);
	d->r.kind = kind;
	d->name = pat + pl;
	return 0;
}

static bool technique_ok(const char *s, size_t n)
{
	if (n != 5 && n != 9)
		return false;
	if (s[0] != 'T')
		return false;
	for (size_t i = 1; i < n; i++)
		if (i == 5 ? s[i] != '.' : !rc_digit(s[i]))
			return false;
	return true;
}

/* technique=T1557,T1557.001: pointers into buf, which the caller keeps alive. */
static int techniques_parse(char *v, struct rule *r, const char **why)
{
	r->n_techniques = 0;
	for (char *s = v;;) {
		char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		if (!technique_ok(s, n)) {
			*why = "bad technique (want Tnnnn or Tnnnn.nnn)";
			return -1;
		}
		if (r->n_techniques == RULE_MAX_TECHNIQUES) {
			*why = "too many techniques";
			return -1;
		}
		s[n] = '\0';
		r->techniques[r->n_techniques++] = s;
		if (!c)
			return 0;
		s = c + 1;
	}
}

static const char *const answers_loopback[] = { "127.0.0.0/8", "::1/128" };
static const char *const answers_private[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10",
	"fc00::/7", "fe80::/10",
};

static int answers_push(struct rule_draft *d, const char *s, size_t n, const char **why)
{
	if (d->r.n_answers == RULE_MAX_ANSWERS) {
		*why = "too many answers";
		return -1;
	}
	return cidr_parse(s, n, &d->answers[d->r.n_answers++], why);
}

static int answers_parse(const char *v, struct rule_draft *d, const char **why)
{
	bool none = false;
	d->r.n_answers = 0;
	for (const char *s = v;;) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		int rc = 0;
		if (n == 4 && memcmp(s, "none", 4) == 0) {
			none = true;
		} else if (n == 8 && memcmp(s, "loopback", 8) == 0) {
			for (size_t i = 0; rc == 0 && i < 2; i++)
				rc = answers_push(d, answers_loopback[i], strlen(answers_loopback[i]), why);
		} else if (n == 7 && memcmp(s, "private", 7) == 0) {
			for (size_t i = 0; rc == 0 && i < sizeof answers_private / sizeof *answers_private; i++)
				rc = answers_push(d, answers_private[i], strlen(answers_private[i]), why);
		} else {
			rc = answers_push(d, s, n, why);
			if (rc < 0 && n == 0)
				*why = "empty item in answers";
		}
		if (rc < 0)
			return -1;
		if (!c)
			break;
		s = c + 1;
	}
	if (none && d->r.n_answers) {
		*why = "answers=none with addresses";
		return -1;
	}
	return 0;
}

/* ---- rule lines ---- */

/* Reads one word at *p: bare (to the next blank) or "quoted" with \" and \\, decoded into
 * *out (advanced past a NUL). Returns 0, or -1 with *why. */
static int word_read(const char **p, const char *end, char **out, const char **why)
{
	const char *s = *p;
	char *o = *out;
	if (s < end && *s == '"') {
		for (s++;; s++) {
			if (s == end) {
				*why = "unterminated quote";
				return -1;
			}
			if (*s == '"')
				break;
			if (*s == '\\') {
				if (s + 1 == end || (s[1] != '"' && s[1] != '\\')) {
					*why = "bad escape in quotes (only \\\" and \\\\)";
					return -1;
				}
				s++;
			}
			*o++ = *s;
		}
		s++;
		if (s < end && !rc_blank(*s)) {
			*why = "text after closing quote";
			return -1;
		}
	} else {
		for (; s < end && !rc_blank(*s); s++) {
			if (*s == '"') {
				*why = "quote inside a bare word";
				return -1;
			}
			*o++ = *s;
		}
	}
	*o++ = '\0';
	*p = s;
	*out = o;
	return 0;
}

static void skip_blanks(const char **p, const char *end)
{
	while (*p < end && rc_blank(**p))
		(*p)++;
}

/* True at the end of the line or at a comment. */
static bool at_end(const char **p, const char *end)
{
	skip_blanks(p, end);
	return *p == end || **p == '#';
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void load_file(struct loader *ld, const char *from, unsigned from_line, const char *path);

static void line_include(struct loader *ld, const char *file, unsigned line, const char *p,
			 const char *end, char *scratch)
{
	const char *why = NULL;
	char *o = scratch;
	if (at_end(&p, end)) {
		diag_add(ld, true, file, line, "include needs a file name");
		return;
	}
	if (word_read(&p, end, &o, &why) < 0) {
		diag_add(ld, true, file, line, "%s", why);
		return;
	}
	if (!at_end(&p, end)) {
		diag_add(ld, true, file, line, "include takes one file name");
		return;
	}
	if (scratch[0] == '\0') {
		diag_add(ld, true, file, line, "include needs a file name");
		return;
	}
	char path[PATH_MAX];
	const char *slash = strrchr(file, '/');
	int k;
	if (scratch[0] == '/' || !slash)
		k = snprintf(path, sizeof path, "%s", scratch);
	else
		k = snprintf(path, sizeof path, "%.*s/%s", (int)(slash - file), file, scratch);
	if (k < 0 || (size_t)k >= sizeof path) {
		diag_add(ld, true, file, line, "include path too long");
		return;
	}
	load_file(ld, file, line, path);
}

/* One option: key=value into the draft. */
static int option_apply(struct rule_draft *d, const char *key, char *val, unsigned *seen,
			const char **why)
{
	static const char *const keys[] = { "id", "severity", "description", "reference",
					    "technique", "answers" };
	unsigned k = 0;
	while (k < 6 && strcmp(key, keys[k]) != 0)
		k++;
	if (k == 6) {
		*why = "unknown option";
		return -1;
	}
	if (*seen & (1u << k)) {
		*why = "option given twice";
		return -1;
	}
	*seen |= 1u << k;
	if (val[0] == '\0') {
		*why = "empty value";
		return -1;
	}
	switch (k) {
	case 0: d->r.id = val; return 0;
	case 2: d->r.description = val; return 0;
	case 3: d->r.reference = val; return 0;
	case 4: return techniques_parse(val, &d->r, why);
	case 5:
		if (d->r.kind == RULE_ADDR) {
			*why = "answers= applies to names only";
			return -1;
		}
		d->r.answers_any = false;
		return answers_parse(val, d, why);
	default: break;
	}
	unsigned sev = 0;
	size_t n = strlen(val);
	*why = "bad severity (want 0..100)";
	if (n > 3)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!rc_digit(val[i]))
			return -1;
		sev = sev * 10 + (unsigned)(val[i] - '0');
	}
	if (sev > 100)
		return -1;
	d->r.severity = (uint8_t)sev;
	return 0;
}

static const uint8_t class_severity[] = { [RULE_RESERVED] = 70, [RULE_WATCHED] = 50,
					  [RULE_ALLOWED] = 0 };

static bool class_parse(const char *s, size_t n, enum rule_class *c)
{
	for (int k = RULE_RESERVED; k <= RULE_ALLOWED; k++) {
		const char *w = rules_class_name((enum rule_class)k);
		if (strlen(w) == n && memcmp(w, s, n) == 0) {
			*c = (enum rule_class)k;
			return true;
		}
	}
	return false;
}

/* One line, blanks trimmed, not a comment. scratch holds RULES_MAX_LINE + 1 bytes. */
static void line_rule(struct loader *ld, const char *file, unsigned line, const char *p,
		      const char *end, char *scratch)
{
	const char *w = p;
	while (p < end && !rc_blank(*p))
		p++;
	size_t wn = (size_t)(p - w);
	if (wn == 7 && memcmp(w, "include", 7) == 0) {
		line_include(ld, file, line, p, end, scratch);
		return;
	}
	struct rule_draft d;
	memset(&d.r, 0, sizeof d.r);
	d.name = NULL;
	if (!class_parse(w, wn, &d.r.cls)) {
		diag_add(ld, true, file, line, "unknown class '%.*s' (want reserved, watched, allowed "
			 "or include)", quote_len(w, wn), w);
		return;
	}
	if (at_end(&p, end)) {
		diag_add(ld, true, file, line, "missing pattern");
		return;
	}
	const char *ps = p;
	while (p < end && !rc_blank(*p))
		p++;
	char pat[PAT_MAX];
	const char *why = NULL;
	if (pattern_parse(ps, (size_t)(p - ps), &d, pat, &why) < 0) {
		diag_add(ld, true, file, line, "bad pattern '%.*s': %s", quote_len(ps, (size_t)(p - ps)),
			 ps, why);
		return;
	}
	d.r.pattern = pat;
	d.r.file = file;
	d.r.line = line;
	d.r.severity = class_severity[d.r.cls];
	d.r.answers_any = d.r.cls != RULE_RESERVED;
	unsigned seen = 0;
	char *o = scratch;
	while (!at_end(&p, end)) {
		const char *ks = p;
		while (p < end && *p != '=' && !rc_blank(*p))
			p++;
		if (p == end || *p != '=' || p == ks) {
			diag_add(ld, true, file, line, "bad option '%.*s' (want key=value)",
				 quote_len(ks, (size_t)(p - ks)), ks);
			return;
		}
		char key[16];
		size_t kn = (size_t)(p - ks);
		if (kn >= sizeof key) {
			diag_add(ld, true, file, line, "unknown option '%.*s'", quote_len(ks, kn), ks);
			return;
		}
		memcpy(key, ks, kn);
		key[kn] = '\0';
		p++;
		char *val = o;
		if (word_read(&p, end, &o, &why) < 0 || option_apply(&d, key, val, &seen, &why) < 0) {
			diag_add(ld, true, file, line, "%s: %s", key, why);
			return;
		}
	}
	char idbuf[PATH_MAX + 16];
	if (!d.r.id) {
		snprintf(idbuf, sizeof idbuf, "%s:%u", base_name(file), line);
		d.r.id = idbuf;
	}
	rule_add(ld, &d);
}

/* ---- file text: lines, checks, the two formats ---- */

/* Valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF) without control characters
 * other than tab: everything a message or a record may quote. */
static bool text_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
		if (len == 0 || c > 0xF4 || n - i < len)
			return false;
		unsigned cp = c & (0x7f >> len);
		for (size_t j = 1; j < len; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		i += len;
	}
	return true;
}

struct lines {
	const char *p, *end;
	unsigned no;
};

/* The next line (without "\n" or "\r\n"); false at the end. */
static bool lines_next(struct lines *ls, const char **s, size_t *n)
{
	if (ls->p >= ls->end)
		return false;
	const char *nl = memchr(ls->p, '\n', (size_t)(ls->end - ls->p));
	const char *e = nl ? nl : ls->end;
	*s = ls->p;
	*n = (size_t)(e - ls->p);
	if (*n > 0 && e[-1] == '\r')
		(*n)--;
	ls->p = nl ? nl + 1 : ls->end;
	ls->no++;
	return true;
}

/* Checks a line; trims blanks. False (after an error) when it cannot be used. */
static bool line_check(struct loader *ld, const char *file, unsigned no, const char **s, size_t *n)
{
	if (*n > RULES_MAX_LINE) {
		diag_add(ld, true, file, no, "line longer than %u bytes", RULES_MAX_LINE);
		return false;
	}
	if (!text_ok((const unsigned char *)*s, *n)) {
		diag_add(ld, true, file, no, "control character or invalid UTF-8");
		return false;
	}
	while (*n > 0 && rc_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && rc_blank((*s)[*n - 1]))
		(*n)--;
	return true;
}

static bool is_fields_line(const char *s, size_t n)
{
	/* Zeek writes its separator (a tab) after the keyword; "#fields of study" is a comment. */
	return n > 8 && memcmp(s, "#fields\t", 8) == 0;
}

/* A Zeek intel file: its leading comment lines include "#fields". */
static bool is_intel(const char *data, size_t len)
{
	struct lines ls = { data, data + len, 0 };
	const char *s;
	size_t n;
	while (lines_next(&ls, &s, &n)) {
		while (n > 0 && rc_blank(*s)) {
			s++;
			n--;
		}
		if (n == 0)
			continue;
		if (s[0] != '#')
			return false;
		if (is_fields_line(s, n))
			return true;
	}
	return false;
}

static void load_rules_text(struct loader *ld, const char *file, const char *data, size_t len)
{
	char *scratch = malloc(RULES_MAX_LINE + 2);
	if (!scratch) {
		diag_add(ld, true, file, 0, "out of memory");
		return;
	}
	struct lines ls = { data, data + len, 0 };
	const char *s;
	size_t n;
	while (lines_next(&ls, &s, &n)) {
		if (!line_check(ld, file, ls.no, &s, &n) || n == 0 || s[0] == '#')
			continue;
		line_rule(ld, file, ls.no, s, s + n, scratch);
	}
	free(scratch);
}

/* ---- Zeek intel ---- */

enum { ZC_INDICATOR, ZC_TYPE, ZC_SOURCE, ZC_DESC, ZC_URL, ZC_CLASS, ZC_N };
static const char *const zeek_columns[ZC_N] = { "indicator", "indicator_type", "meta.source",
						"meta.desc", "meta.url", "meta.misroute_class" };

/* Splits s on tabs into cols (at most max), NUL-terminating in place. Returns the count, or
 * max + 1 when there are more. */
static size_t tab_split(char *s, char **cols, size_t max)
{
	size_t k = 0;
	for (;;) {
		if (k == max)
			return max + 1;
		cols[k++] = s;
		char *t = strchr(s, '\t');
		if (!t)
			return k;
		*t = '\0';
		s = t + 1;
	}
}

static const char *zeek_value(char **cols, const int *idx, int c)
{
	if (idx[c] < 0)
		return NULL;
	const char *v = cols[idx[c]];
	return v[0] == '\0' || strcmp(v, "-") == 0 || strcmp(v, "(empty)") == 0 ? NULL : v;
}

/* "#fields\tindicator\tindicator_type..." -> column positions. */
static bool zeek_header(struct loader *ld, const char *file, unsigned no, char *line,
			int *idx, size_t *ncols)
{
	char *cols[RULES_MAX_INTEL_COLUMNS + 1];
	for (int c = 0; c < ZC_N; c++)
		idx[c] = -1;
	size_t n = tab_split(line, cols, RULES_MAX_INTEL_COLUMNS + 1);
	if (n > RULES_MAX_INTEL_COLUMNS + 1) {
		diag_add(ld, true, file, no, "more than %u columns", RULES_MAX_INTEL_COLUMNS);
		return false;
	}
	for (size_t i = 1; i < n; i++)
		for (int c = 0; c < ZC_N; c++)
			if (strcmp(cols[i], zeek_columns[c]) == 0)
				idx[c] = (int)i - 1;
	*ncols = n - 1;
	if (idx[ZC_INDICATOR] < 0 || idx[ZC_TYPE] < 0) {
		diag_add(ld, true, file, no, "#fields lacks indicator or indicator_type");
		return false;
	}
	return true;
}

/* One data row. Returns false when its type is not one misroute uses. */
static bool zeek_row(struct loader *ld, const char *file, unsigned no, char *line,
		     const int *idx, size_t ncols)
{
	char *cols[RULES_MAX_INTEL_COLUMNS];
	size_t n = tab_split(line, cols, ncols);
	if (n != ncols) {
		diag_add(ld, true, file, no, "%zu columns where #fields names %zu",
			 n > ncols ? ncols + 1 : n, ncols);
		return true;
	}
	const char *ind = zeek_value(cols, idx, ZC_INDICATOR);
	const char *type = zeek_value(cols, idx, ZC_TYPE);
	if (!type || !ind) {
		diag_add(ld, true, file, no, "empty indicator or indicator_type");
		return true;
	}
	bool domain = strcmp(type, "Intel::DOMAIN") == 0;
	bool addr = strcmp(type, "Intel::ADDR") == 0;
	if (!domain && !addr && strcmp(type, "Intel::SUBNET") != 0)
		return false;
	struct rule_draft d;
	memset(&d.r, 0, sizeof d.r);
	char pat[PAT_MAX];
	const char *why = "bad indicator";
	d.r.cls = RULE_RESERVED;
	const char *cls = zeek_value(cols, idx, ZC_CLASS);
	if (cls && !class_parse(cls, strlen(cls), &d.r.cls)) {
		diag_add(ld, true, file, no, "meta.misroute_class must be reserved, watched or allowed");
		return true;
	}
	if (domain) {
		d.r.kind = RULE_EXACT;
		pat[0] = '=';
		if (rules_normalize(ind, strlen(ind), pat + 1, sizeof pat - 1) == 0)
			goto bad;
		d.name = pat + 1;
	} else {
		/* ADDR is one address; SUBNET always carries its prefix. */
		if ((strchr(ind, '/') != NULL) == addr)
			goto bad;
		if (cidr_parse(ind, strlen(ind), &d.r.cidr, &why) < 0)
			goto bad;
		d.r.kind = RULE_ADDR;
		cidr_format(&d.r.cidr, pat, sizeof pat);
	}
	const char *src = zeek_value(cols, idx, ZC_SOURCE);
	char id[2 * RULES_MAX_LINE];
	if (src)
		snprintf(id, sizeof id, "intel:%s:%s", src, ind);
	else
		snprintf(id, sizeof id, "intel:%s:%u", base_name(file), no);
	d.r.id = id;
	d.r.pattern = pat;
	d.r.file = file;
	d.r.line = no;
	d.r.severity = class_severity[d.r.cls];
	d.r.answers_any = d.r.cls != RULE_RESERVED;
	d.r.description = zeek_value(cols, idx, ZC_DESC);
	d.r.reference = zeek_value(cols, idx, ZC_URL);
	rule_add(ld, &d);
	return true;
bad:
	diag_add(ld, true, file, no, "bad %s indicator '%.*s': %s", type,
		 quote_len(ind, strlen(ind)), ind, why);
	return true;
}

static void load_intel_text(struct loader *ld, const char *file, const char *data, size_t len)
{
	char *buf = malloc(RULES_MAX_LINE + 1);
	if (!buf) {
		diag_add(ld, true, file, 0, "out of memory");
		return;
	}
	int idx[ZC_N];
	size_t ncols = 0;
	bool have_header = false;
	unsigned skipped = 0, first_skipped = 0;
	struct lines ls = { data, data + len, 0 };
	const char *s;
	size_t n;
	while (lines_next(&ls, &s, &n)) {
		if (n <= RULES_MAX_LINE)
			while (n > 0 && s[n - 1] == ' ')
				n--; /* trailing spaces, not tabs: a tab may end an empty last column */
		if (n > RULES_MAX_LINE || !text_ok((const unsigned char *)s, n)) {
			const char *t = s;
			size_t tn = n;
			(void)line_check(ld, file, ls.no, &t, &tn);
			continue;
		}
		if (n == 0)
			continue;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (buf[0] == '#') {
			if (is_fields_line(buf, n))
				have_header = zeek_header(ld, file, ls.no, buf, idx, &ncols);
			continue;
		}
		if (!have_header)
			continue; /* the header was bad and said so */
		if (!zeek_row(ld, file, ls.no, buf, idx, ncols) && skipped++ == 0)
			first_skipped = ls.no;
	}
	if (skipped)
		diag_add(ld, false, file, first_skipped,
			 "%u indicators of types other than Intel::DOMAIN, ADDR and SUBNET skipped",
			 skipped);
	free(buf);
}

/* ---- files ---- */

/* The whole of a regular file (O_NONBLOCK: a FIFO named as a rule file must not hang us). */
static char *file_read(const char *path, size_t *len, const char **why)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return NULL;
	}
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) < 0) {
		*why = strerror(errno);
	} else if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
	} else if ((unsigned long long)st.st_size > RULES_MAX_FILE_BYTES) {
		*why = "file larger than 1 GiB";
	} else if (!(buf = malloc((size_t)st.st_size + 1))) {
		*why = "out of memory";
	} else {
		size_t got = 0, want = (size_t)st.st_size;
		while (got < want) {
			ssize_t k = read(fd, buf + got, want - got);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break; /* shrank while reading: take what is there */
			got += (size_t)k;
		}
		*len = got;
	}
	close(fd);
	return buf;
}

/* Loads text as the file named name (interned for the rules' file field). */
static void load_text(struct loader *ld, const char *name, const char *data, size_t len)
{
	const char *file = arena_strdup(ld->rs, name);
	if (!file) {
		diag_add(ld, true, name, 0, "out of memory");
		return;
	}
	if (is_intel(data, len))
		load_intel_text(ld, file, data, len);
	else
		load_rules_text(ld, file, data, len);
}

/* Loads path; from/from_line name the include line that asked for it (NULL at top level). */
static void load_file(struct loader *ld, const char *from, unsigned from_line, const char *path)
{
	if (ld->depth > RULES_MAX_INCLUDE_DEPTH) {
		diag_add(ld, true, from, from_line, "includes nested deeper than %u",
			 RULES_MAX_INCLUDE_DEPTH);
		return;
	}
	char *canon = realpath(path, NULL);
	for (unsigned i = 0; canon && i < ld->depth; i++)
		if (ld->open[i] && strcmp(ld->open[i], canon) == 0) {
			diag_add(ld, true, from, from_line, "include cycle: %s includes itself", path);
			free(canon);
			return;
		}
	const char *why = NULL;
	size_t len = 0;
	char *data = file_read(path, &len, &why);
	if (!data) {
		if (from)
			diag_add(ld, true, from, from_line, "cannot include %s: %s", path, why);
		else
			diag_add(ld, true, path, 0, "cannot read: %s", why);
		free(canon);
		return;
	}
	ld->open[ld->depth++] = canon;
	load_text(ld, path, data, len);
	ld->open[--ld->depth] = NULL;
	free(canon);
	free(data);
}

static struct ruleset *loader_start(struct loader *ld, struct rules_diag *diag)
{
	memset(ld, 0, sizeof *ld);
	ld->diag = diag;
	if (diag)
		memset(diag, 0, sizeof *diag);
	ld->rs = calloc(1, sizeof *ld->rs);
	if (!ld->rs)
		return NULL;
	/* The root node: the empty name. */
	if (tree_grow(ld->rs) < 0) {
		rules_free(ld->rs);
		return NULL;
	}
	ld->rs->nodes[0] = (struct rnode){ .label = "" };
	ld->rs->n_nodes = 1;
	return ld->rs;
}

static struct ruleset *loader_finish(struct loader *ld)
{
	if (ld->errors == 0)
		return ld->rs;
	rules_free(ld->rs);
	return NULL;
}

struct ruleset *rules_load(const char *const *files, size_t n, struct rules_diag *diag)
{
	struct loader ld;
	if (!loader_start(&ld, diag))
		return NULL;
	for (size_t i = 0; i < n; i++)
		load_file(&ld, NULL, 0, files[i]);
	return loader_finish(&ld);
}

struct ruleset *rules_load_buffer(const char *name, const char *data, size_t len,
				  struct rules_diag *diag)
{
	struct loader ld;
	if (!loader_start(&ld, diag))
		return NULL;
	ld.open[0] = realpath(name, NULL);
	ld.depth = 1;
	load_text(&ld, name, data ? data : "", data ? len : 0);
	free(ld.open[0]);
	return loader_finish(&ld);
}

void rules_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (struct arena_chunk *c = rs->arena, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(rs->rules);
	free(rs->nodes);
	free(rs->edges);
	free(rs->aslots);
	free(rs);
}

size_t rules_count(const struct ruleset *rs)
{
	return rs ? rs->n : 0;
}

const struct rule *rules_at(const struct ruleset *rs, size_t i)
{
	return rs && i < rs->n ? &rs->rules[i] : NULL;
}

/* ---- matching ---- */

const struct rule *rules_match_name(const struct ruleset *rs, const char *name)
{
	if (!rs || !name)
		return NULL;
	const char *end = name + strlen(name);
	if (end > name && end[-1] == '.')
		end--;
	const struct rule *best = NULL;
	uint32_t node = 0;
	while (end > name) {
		const char *s = end;
		while (s > name && s[-1] != '.')
			s--;
		node = tree_find(rs, node, s, (size_t)(end - s));
		if (!node)
			break;
		const struct rnode *n = &rs->nodes[node];
		bool full = s == name;
		/* Deeper wins, so each matching node replaces what the shallower ones found; at one
		 * node the exact name beats the wildcard, which beats the domain. */
		uint32_t r = full ? n->exact : n->wildcard;
		if (!r)
			r = n->domain;
		if (r)
			best = &rs->rules[r - 1];
		if (full)
			break;
		end = s - 1;
	}
	return best;
}

const struct rule *rules_match_addr(const struct ruleset *rs, int ip_version, const uint8_t *addr)
{
	uint8_t a[16], m[16];
	if (!rs || !addr_to16(ip_version, addr, a))
		return NULL;
	int side = cidr_is_mapped(a) ? 0 : 1;
	for (unsigned i = 0; i < rs->n_lens[side]; i++) {
		cidr_mask(a, rs->lens[side][i], m);
		const uint32_t *slot = addr_slot(rs, m, rs->lens[side][i]);
		if (slot && *slot)
			return &rs->rules[*slot - 1];
	}
	return NULL;
}

bool rules_answer_ok(const struct rule *r, int ip_version, const uint8_t *addr)
{
	uint8_t a[16];
	if (!r || r->answers_any)
		return true;
	if (!addr_to16(ip_version, addr, a))
		return false;
	for (unsigned i = 0; i < r->n_answers; i++)
		if (cidr_contains(&r->answers[i], a))
			return true;
	return false;
}

const char *rules_class_name(enum rule_class c)
{
	switch (c) {
	case RULE_RESERVED: return "reserved";
	case RULE_WATCHED: return "watched";
	case RULE_ALLOWED: return "allowed";
	}
	return "unknown";
}

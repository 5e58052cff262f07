/* detect.c: the incidents of DESIGN.md from observations — per-client autodiscover context,
 * passive DNS, and aggregation of repeats within a window. */
#include "detect/detect.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/hash.h"
#include "core/iptext.h"
#include "core/limits.h"
#include "dissectors/autodiscover.h"
#include "dissectors/dns.h"
#include "dissectors/tls.h"
#include "flow/communityid.h"
#include "rules/rules.h"
#include "rules/suffix.h"

/* Base severities by kind: a credential sent outward is worse than a lookup. The rule's own
 * severity raises them, never lowers them. */
static const uint8_t detect_base_severity[] = {
	[ALERT_AUTODISCOVER] = 60, [ALERT_OUTSIDE] = 70, [ALERT_MAIL_AFTER] = 80,
	[ALERT_CREDENTIALS] = 90, [ALERT_BACKOFF] = 70, [ALERT_RESERVED_ADDR] = 40,
};

static const char *const alert_kind_names[] = {
	[ALERT_AUTODISCOVER] = "autodiscover-reserved-domain",
	[ALERT_OUTSIDE] = "answer-outside-domain",
	[ALERT_MAIL_AFTER] = "mail-after-reserved-autodiscover",
	[ALERT_CREDENTIALS] = "credentials-sent-outward",
	[ALERT_BACKOFF] = "autodiscover-public-suffix",
	[ALERT_RESERVED_ADDR] = "reserved-address-connection",
};

/* An address and when it was last used: the keys of a table live apart from its entries, so
 * that a probe reads a few adjacent cache lines, not one whole entry per step. */
struct detect_key {
	uint8_t ip[16];
	uint64_t last_us;
	bool used;
};

/* Open addressing over cap (a power of two) keys and their entries of esize bytes. */
struct detect_table {
	struct detect_key *keys;
	char *entries;
	size_t esize;
	unsigned cap;
	uint64_t seed;     /* the detector's */
};

/* What a client looked up autodiscover for, and when. */
struct detect_ctx {
	uint64_t ts_us;
	uint8_t cls;                  /* enum rule_class of D */
	char domain[ALERT_NAME];
	struct alert_evidence ev;
};

struct detect_client {
	struct detect_ctx ctx[DETECT_CTX_PER_CLIENT];
};

/* Passive DNS: the names an address was an answer for, each until its TTL runs out. An
 * address's entry is one cache line; each name, with the DNS exchange that gave it, is a
 * record in a ring written front to back. An answer so writes one line at random and the
 * ring's head, where it wrote 1.3 KB of evidence in place before, a tenth of a replay's time.
 * A name whose record the ring has since written over is forgotten (counted as evicted). */
struct detect_pdns {
	uint8_t ip[16];
	uint32_t expires_s[DETECT_PDNS_NAMES]; /* packet time in seconds; 0: an empty slot */
	uint32_t name_hash[DETECT_PDNS_NAMES];
	uint32_t ref[DETECT_PDNS_NAMES];       /* its record: ring position / 8, low 32 bits */
};
_Static_assert(sizeof(struct detect_pdns) == 64, "a passive-DNS entry is one cache line");

/* An entry's key: a tag of its address's hash (0: never used) and when its last name
 * expires. */
struct detect_pdns_key {
	uint32_t tag, until;
};

struct detect_pdns_rec {
	uint64_t pos;                 /* where it was written: tells it from what overwrote it */
	struct alert_where at;        /* the DNS exchange */
	uint8_t name_len;
	char name[];                  /* name_len bytes and a NUL */
};
_Static_assert(ALERT_NAME <= 256, "a name's length fits name_len");
_Static_assert((DETECT_PDNS_RING & (DETECT_PDNS_RING - 1)) == 0 && DETECT_PDNS_RING >= 4096,
	       "the ring is a power of two");

struct detector {
	struct detect_config cfg;
	const struct ruleset *rules;
	detect_emit_fn emit;
	void *arg;
	struct detect_table clients;     /* DETECT_MAX_CLIENTS struct detect_client */
	struct detect_pdns_key *pdns_keys; /* DETECT_MAX_PDNS, open addressing */
	struct detect_pdns *pdns;        /* the entries of the keys, in pdns_mem */
	void *pdns_mem;
	char *ring;                      /* DETECT_PDNS_RING bytes of struct detect_pdns_rec */
	uint64_t ring_pos;               /* bytes written into the ring since the start */
	uint64_t seed;                   /* of every hash of the tables */
	struct alert *pending[DETECT_MAX_PENDING]; /* a ring, oldest first */
	unsigned head, n;
	unsigned n_peak;                 /* the most pending at once */
	uint64_t evicted;                /* table entries taken over */
	uint64_t raised[ALERT_RESERVED_ADDR + 1];
	bool lossy;                      /* the capture drops packets now */
	struct alert scratch;
};

const char *alert_kind_name(enum alert_kind k)
{
	return alert_kind_names[k];
}

void detect_config_defaults(struct detect_config *c)
{
	c->context_us = DETECT_DEFAULT_CONTEXT_US;
	c->window_us = DETECT_DEFAULT_WINDOW_US;
}

_Static_assert((DETECT_MAX_CLIENTS & (DETECT_MAX_CLIENTS - 1)) == 0, "a power of two");
_Static_assert((DETECT_MAX_PDNS & (DETECT_MAX_PDNS - 1)) == 0, "a power of two");

static int detect_table_init(struct detect_table *t, unsigned cap, size_t esize, uint64_t seed)
{
	t->seed = seed;
	/* calloc'd pages cost nothing until a slot is used. */
	t->keys = calloc(cap, sizeof *t->keys);
	t->entries = calloc(cap, esize);
	t->esize = esize;
	t->cap = cap;
	return t->keys && t->entries ? 0 : -1;
}

static void detect_table_free(struct detect_table *t)
{
	free(t->keys);
	free(t->entries);
}

static size_t detect_table_memory(const struct detect_table *t)
{
	return (size_t)t->cap * (sizeof *t->keys + t->esize);
}

struct detector *detect_new(const struct detect_config *cfg, const struct ruleset *rules,
			    detect_emit_fn emit, void *arg)
{
	struct detector *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->rules = rules;
	d->emit = emit;
	d->arg = arg;
	/* The tables hold addresses and names from the network: a seed nobody outside can guess
	 * keeps a flood of chosen ones from aiming at one probe window or one name's hash. */
	if (getrandom(&d->seed, sizeof d->seed, 0) != (ssize_t)sizeof d->seed)
		d->seed = 0x646574656374696full;
	/* calloc'd pages cost nothing until a slot or the ring's head reaches them; the
	 * entries are aligned to their cache lines. */
	d->pdns_mem = calloc(1, DETECT_MAX_PDNS * sizeof *d->pdns + 63);
	d->pdns = (struct detect_pdns *)(((uintptr_t)d->pdns_mem + 63) & ~(uintptr_t)63);
	d->pdns_keys = calloc(DETECT_MAX_PDNS, sizeof *d->pdns_keys);
	d->ring = calloc(1, DETECT_PDNS_RING);
	if (detect_table_init(&d->clients, DETECT_MAX_CLIENTS, sizeof(struct detect_client),
			      d->seed) < 0 ||
	    !d->pdns_mem || !d->pdns_keys || !d->ring) {
		detect_free(d);
		return NULL;
	}
	return d;
}

void detect_free(struct detector *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->n; i++)
		free(d->pending[(d->head + i) % DETECT_MAX_PENDING]);
	detect_table_free(&d->clients);
	free(d->pdns_mem);
	free(d->pdns_keys);
	free(d->ring);
	free(d);
}

void detect_set_rules(struct detector *d, const struct ruleset *rules) { d->rules = rules; }

uint64_t detect_count(const struct detector *d, enum alert_kind k) { return d->raised[k]; }

size_t detect_memory(const struct detector *d)
{
	return sizeof *d + detect_table_memory(&d->clients) +
	       DETECT_MAX_PDNS * (sizeof(struct detect_pdns) + sizeof(struct detect_pdns_key)) +
	       DETECT_PDNS_RING +
	       (size_t)d->n_peak * sizeof(struct alert);
}

uint64_t detect_evicted(const struct detector *d) { return d->evicted; }

/* ---- small helpers ---- */

static void detect_copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint32_t detect_hash_ip(uint64_t seed, const uint8_t ip[16])
{
	return (uint32_t)hash_bytes(seed, ip, 16);
}

/* The entry for ip: found, or (create) a free one or the least recently used of the probe
 * window taken over, zeroed (counted in *evicted). NULL when absent and not created. */
#define DETECT_PROBE 8
static void *detect_slot(struct detect_table *t, const uint8_t ip[16], bool create,
			 uint64_t now_us, uint64_t *evicted)
{
	uint32_t h = detect_hash_ip(t->seed, ip);
	struct detect_key *victim = NULL;
	for (unsigned p = 0; p < DETECT_PROBE; p++) {
		struct detect_key *k = &t->keys[(h + p) & (t->cap - 1)];
		if (k->used && !memcmp(k->ip, ip, 16)) {
			k->last_us = now_us;
			return t->entries + (size_t)(k - t->keys) * t->esize;
		}
		if (!victim || (victim->used && (!k->used || k->last_us < victim->last_us)))
			victim = k;
	}
	if (!create)
		return NULL;
	if (victim->used)
		(*evicted)++;
	memcpy(victim->ip, ip, 16);
	victim->used = true;
	victim->last_us = now_us;
	char *e = t->entries + (size_t)(victim - t->keys) * t->esize;
	memset(e, 0, t->esize);
	return e;
}

static void detect_ip16(int version, const uint8_t *a, uint8_t out[16])
{
	memcpy(out, a, 16);
	if (version == 4)
		memset(out + 4, 0, 12);
}

/* The client of the connection: the side that opened it. */
static const uint8_t *detect_client_ip(const struct obs_conn *c)
{
	return c->to_server ? c->src : c->dst;
}

static const uint8_t *detect_server_ip(const struct obs_conn *c)
{
	return c->to_server ? c->dst : c->src;
}

/* The connection's Community ID into buf (COMMUNITY_ID_LEN): the engine computes it only
 * for the records it writes, and it is the same from either end. */
static const char *detect_cid(const struct obs_conn *c, char *buf)
{
	if (c->community_id)
		return c->community_id;
	community_id_v1(0, c->ip_version, c->src, c->dst, c->transport, c->sport, c->dport, buf);
	return buf;
}

static void detect_where(struct alert_where *at, const struct obs *o)
{
	const struct obs_conn *c = &o->conn;
	at->ts_us = c->ts_us;
	memcpy(at->src, c->src, 16);
	memcpy(at->dst, c->dst, 16);
	at->sport = c->sport;
	at->dport = c->dport;
	at->transport = c->transport;
	at->ip_version = c->ip_version;
}

static void detect_evidence(struct alert_evidence *ev, const struct obs *o, const char *kind,
			    const char *name)
{
	detect_where(&ev->at, o);
	detect_copy(ev->kind, sizeof ev->kind, kind);
	detect_copy(ev->name, sizeof ev->name, name);
}

/* D when name is autodiscover.D or _autodiscover._tcp.D, else NULL. */
static const char *detect_autodiscover_domain(const char *name)
{
	static const char *const prefixes[] = { "autodiscover.", "_autodiscover._tcp." };
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], n) == 0 && name[n])
			return name + n;
	}
	return NULL;
}

/* Whether host lies inside D: the same registrable domain, or a name the rules allow. */
static bool detect_inside(const struct detector *d, const char *host, const char *domain)
{
	if (suffix_same_site(host, domain))
		return true;
	const struct rule *r = rules_match_name(d->rules, host);
	return r && r->cls == RULE_ALLOWED;
}

/* ---- incidents ---- */

/* Starts an alert of kind k about name from observation o, from rule r (NULL: misroute's own
 * built-in detection). */
static struct alert *detect_begin(struct detector *d, enum alert_kind k, const struct rule *r,
				  const struct obs *o, const char *name)
{
	struct alert *a = &d->scratch;
	memset(a, 0, sizeof *a);
	a->kind = k;
	a->count = 1;
	a->first_us = a->last_us = o->conn.ts_us;
	a->severity = detect_base_severity[k];
	a->capture_loss = d->lossy;
	if (r) {
		if (r->severity > a->severity)
			a->severity = r->severity;
		detect_copy(a->rule_id, sizeof a->rule_id, r->id);
		detect_copy(a->rule_description, sizeof a->rule_description, r->description);
		detect_copy(a->rule_reference, sizeof a->rule_reference, r->reference);
		for (uint8_t i = 0; i < r->n_techniques && i < ALERT_TECHNIQUES; i++)
			detect_copy(a->techniques[a->n_techniques++], sizeof a->techniques[0],
				    r->techniques[i]);
	}
	/* Alerts read client -> server, whichever way the message went. */
	a->conn = o->conn;
	if (!o->conn.to_server) {
		memcpy(a->conn.src, o->conn.dst, 16);
		memcpy(a->conn.dst, o->conn.src, 16);
		a->conn.sport = o->conn.dport;
		a->conn.dport = o->conn.sport;
		a->conn.to_server = true;
	}
	if (o->conn.src_geo && o->conn.dst_geo) {
		a->have_geo = true;
		a->src_geo = o->conn.to_server ? *o->conn.src_geo : *o->conn.dst_geo;
		a->dst_geo = o->conn.to_server ? *o->conn.dst_geo : *o->conn.src_geo;
	}
	a->conn.src_geo = a->conn.dst_geo = NULL;
	char cid[COMMUNITY_ID_LEN];
	detect_copy(a->community_id, sizeof a->community_id, detect_cid(&o->conn, cid));
	detect_copy(a->application, sizeof a->application, o->conn.application);
	a->conn.community_id = a->community_id;
	a->conn.application = o->conn.application ? a->application : NULL;
	a->conn.mail_protocol = NULL;
	detect_copy(a->name, sizeof a->name, name);
	const char *proto = o->conn.mail_protocol;
	if (o->kind == OBS_DNS)
		proto = "dns";
	else if (o->kind == OBS_HTTP)
		proto = "http";
	else if (o->kind == OBS_TLS && !proto)
		proto = o->u.tls->quic ? "quic" : "tls";
	detect_copy(a->protocol, sizeof a->protocol, proto);
	return a;
}

static void detect_add_evidence(struct alert *a, const struct alert_evidence *ev)
{
	if (a->n_evidence < ALERT_MAX_EVIDENCE && ev->kind[0])
		a->evidence[a->n_evidence++] = *ev;
}

static bool detect_same(const struct alert *x, const struct alert *y)
{
	return x->kind == y->kind && !strcmp(x->rule_id, y->rule_id) &&
	       !memcmp(x->conn.src, y->conn.src, 16) && !strcmp(x->name, y->name);
}

static void detect_write_oldest(struct detector *d)
{
	struct alert *a = d->pending[d->head];
	d->pending[d->head] = NULL;
	d->head = (d->head + 1) % DETECT_MAX_PENDING;
	d->n--;
	d->emit(d->arg, a);
	free(a);
}

/* Counts a repeat into the pending record of the same incident, or keeps a new one. */
static void detect_submit(struct detector *d, const struct alert *a)
{
	d->raised[a->kind]++;
	for (unsigned i = 0; i < d->n; i++) {
		struct alert *p = d->pending[(d->head + i) % DETECT_MAX_PENDING];
		if (detect_same(p, a)) {
			p->count++;
			p->capture_loss |= a->capture_loss;
			if (a->last_us > p->last_us)
				p->last_us = a->last_us;
			return;
		}
	}
	if (d->n == DETECT_MAX_PENDING)
		detect_write_oldest(d); /* a flood of distinct incidents: write early, lose none */
	struct alert *copy = malloc(sizeof *copy);
	if (!copy) {
		d->emit(d->arg, a); /* no memory to aggregate: write it as it is */
		return;
	}
	*copy = *a;
	/* The connection's strings point into the alert itself: into the copy from now on. */
	copy->conn.community_id = copy->community_id;
	copy->conn.application = copy->application[0] ? copy->application : NULL;
	d->pending[(d->head + d->n) % DETECT_MAX_PENDING] = copy;
	d->n++;
	if (d->n > d->n_peak)
		d->n_peak = d->n;
}

void detect_set_capture_loss(struct detector *d, bool lossy)
{
	d->lossy = lossy;
}

void detect_tick(struct detector *d, uint64_t now_us)
{
	while (d->n && d->pending[d->head]->first_us + d->cfg.window_us <= now_us)
		detect_write_oldest(d);
}

void detect_flush(struct detector *d)
{
	while (d->n)
		detect_write_oldest(d);
}

/* ---- context: who looked up autodiscover for what ---- */

static void detect_remember(struct detector *d, const struct obs *o, const char *domain,
			    enum rule_class cls, const struct alert_evidence *ev)
{
	uint8_t ip[16];
	detect_ip16(o->conn.ip_version, detect_client_ip(&o->conn), ip);
	struct detect_client *c = detect_slot(&d->clients, ip, true, o->conn.ts_us, &d->evicted);
	struct detect_ctx *slot = &c->ctx[0];
	for (unsigned i = 0; i < DETECT_CTX_PER_CLIENT; i++) {
		if (!strcmp(c->ctx[i].domain, domain)) {
			slot = &c->ctx[i];
			break;
		}
		if (c->ctx[i].ts_us < slot->ts_us)
			slot = &c->ctx[i];
	}
	slot->ts_us = o->conn.ts_us;
	slot->cls = (uint8_t)cls;
	detect_copy(slot->domain, sizeof slot->domain, domain);
	slot->ev = *ev;
}

static struct detect_client *detect_client_of(struct detector *d, const struct obs *o)
{
	uint8_t ip[16];
	detect_ip16(o->conn.ip_version, detect_client_ip(&o->conn), ip);
	return detect_slot(&d->clients, ip, false, o->conn.ts_us, NULL);
}

/* ---- passive DNS: address -> names ---- */

/* The entry of ip: found, or (create) an empty one or the one whose names expire first of
 * the probe window taken over (counted as evicted). NULL when absent and not created. The
 * probe reads the small keys (in the second-level cache) and one entry: the one that may
 * match, or the one taken. An entry with no name left is empty, whatever address it held. */
static struct detect_pdns *detect_pdns_entry(struct detector *d, const uint8_t ip[16],
					     bool create, uint32_t now_s)
{
	uint32_t h = detect_hash_ip(d->seed, ip), tag = h | 1;
	struct detect_pdns_key *victim = NULL;
	uint32_t victim_until = UINT32_MAX;
	for (unsigned p = 0; p < DETECT_PROBE; p++) {
		struct detect_pdns_key *k = &d->pdns_keys[(h + p) & (DETECT_MAX_PDNS - 1)];
		/* An entry with nothing live is as good as empty. */
		uint32_t until = k->until > now_s ? k->until : 0;
		if (until && k->tag == tag) {
			struct detect_pdns *e = &d->pdns[k - d->pdns_keys];
			if (!memcmp(e->ip, ip, 16))
				return e;
		}
		if (until < victim_until) {
			victim = k;
			victim_until = until;
		}
	}
	if (!create)
		return NULL;
	if (victim_until > 0)
		d->evicted++;
	victim->tag = tag;
	victim->until = 0;
	struct detect_pdns *e = &d->pdns[victim - d->pdns_keys];
	memset(e, 0, sizeof *e);
	memcpy(e->ip, ip, 16);
	return e;
}

/* Appends name[0..n) with o's exchange to the ring; returns its reference. */
static uint32_t detect_pdns_write(struct detector *d, const struct obs *o, const char *name,
				  size_t n)
{
	size_t len = (offsetof(struct detect_pdns_rec, name) + n + 1 + 7) & ~(size_t)7;
	size_t off = (size_t)(d->ring_pos & (DETECT_PDNS_RING - 1));
	if (off + len > DETECT_PDNS_RING) { /* a record never wraps: the tail is left unused */
		d->ring_pos += DETECT_PDNS_RING - off;
		off = 0;
	}
	struct detect_pdns_rec *r = (void *)(d->ring + off);
	r->pos = d->ring_pos;
	detect_where(&r->at, o);
	r->name_len = (uint8_t)n;
	memcpy(r->name, name, n);
	r->name[n] = '\0';
	uint32_t ref = (uint32_t)(d->ring_pos >> 3);
	d->ring_pos += len;
	return ref;
}

/* The record ref names, or NULL when the ring has written over it since. A reference keeps
 * 35 bits of the position, so a record written 32 GiB later in the same place passes for it:
 * the name's hash h tells that one apart. Every length is checked against the ring. */
static const struct detect_pdns_rec *detect_pdns_read(const struct detector *d, uint32_t ref,
						      uint32_t h)
{
	const size_t head = offsetof(struct detect_pdns_rec, name);
	size_t off = ((size_t)ref << 3) & (DETECT_PDNS_RING - 1);
	if (off + head + 1 > DETECT_PDNS_RING)
		return NULL;
	const struct detect_pdns_rec *r = (const void *)(d->ring + off);
	if ((uint32_t)(r->pos >> 3) != ref || off + head + r->name_len + 1 > DETECT_PDNS_RING ||
	    r->name[r->name_len] != '\0' || (uint32_t)hash_bytes(d->seed, r->name, r->name_len) != h)
		return NULL;
	return r;
}

/* Packet time in seconds, kept low enough that an expiry (a TTL later) fits 32 bits. */
static uint32_t detect_seconds(uint64_t ts_us)
{
	const uint64_t max = UINT32_MAX - DETECT_PDNS_MAX_TTL - 1;
	uint64_t s = ts_us / 1000000u;
	return (uint32_t)(s < max ? s : max);
}

/* Remembers that rr's address was an answer for rr's name and for the question's. */
static void detect_pdns_add(struct detector *d, const struct obs *o, const struct dns_rr *rr,
			    const char *qname)
{
	uint32_t now_s = detect_seconds(o->conn.ts_us);
	struct detect_pdns *p = detect_pdns_entry(d, rr->addr, true, now_s);
	uint32_t ttl = rr->ttl < DETECT_PDNS_MIN_TTL ? DETECT_PDNS_MIN_TTL
		     : rr->ttl > DETECT_PDNS_MAX_TTL ? DETECT_PDNS_MAX_TTL : rr->ttl;
	const char *names[2] = { rr->name, qname };
	for (int k = 0; k < 2; k++) {
		if (!names[k] || (k == 1 && !strcmp(names[0], names[1])))
			continue;
		size_t n = strnlen(names[k], ALERT_NAME - 1);
		uint32_t h = (uint32_t)hash_bytes(d->seed, names[k], n);
		/* The name's own slot, else the one that expires first (an empty one first). */
		unsigned slot = 0;
		for (unsigned i = 0; i < DETECT_PDNS_NAMES; i++) {
			if (p->expires_s[i] > now_s && p->name_hash[i] == h) {
				slot = i;
				break;
			}
			uint32_t a = p->expires_s[i] > now_s ? p->expires_s[i] : 0;
			uint32_t b = p->expires_s[slot] > now_s ? p->expires_s[slot] : 0;
			if (a < b)
				slot = i;
		}
		/* Live until the TTL's last second has passed. */
		p->expires_s[slot] = now_s + ttl + 1;
		struct detect_pdns_key *key = &d->pdns_keys[p - d->pdns];
		if (key->until < p->expires_s[slot])
			key->until = p->expires_s[slot];
		p->name_hash[slot] = h;
		p->ref[slot] = detect_pdns_write(d, o, names[k], n);
	}
}

/* The names the server of o was resolved from (still within their TTL), as evidence. */
static unsigned detect_pdns_names(struct detector *d, const struct obs *o,
				  struct alert_evidence *out, unsigned max)
{
	uint8_t ip[16];
	detect_ip16(o->conn.ip_version, detect_server_ip(&o->conn), ip);
	uint32_t now_s = detect_seconds(o->conn.ts_us);
	struct detect_pdns *p = detect_pdns_entry(d, ip, false, now_s);
	unsigned n = 0;
	for (unsigned i = 0; p && i < DETECT_PDNS_NAMES && n < max; i++) {
		if (p->expires_s[i] <= now_s)
			continue;
		const struct detect_pdns_rec *r = detect_pdns_read(d, p->ref[i], p->name_hash[i]);
		if (!r) {
			p->expires_s[i] = 0; /* the ring wrote over it within its TTL */
			d->evicted++;
			continue;
		}
		struct alert_evidence *ev = &out[n++];
		ev->at = r->at;
		detect_copy(ev->kind, sizeof ev->kind, "dns_answer");
		memcpy(ev->name, r->name, (size_t)r->name_len + 1);
	}
	return n;
}

/* ---- the kinds ---- */

/* Kinds 1 and 5: a DNS query, an HTTP Host or a TLS server name naming autodiscover.D. */
static void detect_autodiscover_name(struct detector *d, const struct obs *o, const char *name,
				     const char *evkind)
{
	const char *domain = detect_autodiscover_domain(name);
	if (!domain)
		return;
	struct alert_evidence ev;
	detect_evidence(&ev, o, evkind, name);
	if (suffix_is_public(domain)) {
		struct alert *a = detect_begin(d, ALERT_BACKOFF, NULL, o, name);
		detect_copy(a->rule_id, sizeof a->rule_id, "misroute-autodiscover-public-suffix");
		detect_copy(a->rule_description, sizeof a->rule_description,
			    "Autodiscover backing off to a name under a public suffix, which anyone can register");
		detect_copy(a->rule_reference, sizeof a->rule_reference,
			    "https://www.akamai.com/blog/security/autodiscovering-the-great-leak");
		detect_copy(a->techniques[a->n_techniques++], sizeof a->techniques[0], "T1557");
		detect_copy(a->domain, sizeof a->domain, domain);
		detect_copy(a->atomic, sizeof a->atomic, name);
		detect_copy(a->field, sizeof a->field, evkind);
		detect_add_evidence(a, &ev);
		snprintf(a->message, sizeof a->message,
			 "A client looked up %s: autodiscover backing off to the public suffix %s",
			 name, domain);
		detect_submit(d, a);
		return;
	}
	const struct rule *r = rules_match_name(d->rules, name);
	if (!r || r->cls == RULE_ALLOWED)
		return;
	detect_remember(d, o, domain, r->cls, &ev);
	if (r->cls != RULE_RESERVED)
		return;
	struct alert *a = detect_begin(d, ALERT_AUTODISCOVER, r, o, name);
	detect_copy(a->domain, sizeof a->domain, domain);
	detect_copy(a->atomic, sizeof a->atomic, name);
	detect_copy(a->field, sizeof a->field, evkind);
	detect_add_evidence(a, &ev);
	snprintf(a->message, sizeof a->message,
		 "A client looked for the mail servers of the reserved domain %s (%s)", domain, name);
	detect_submit(d, a);
}

/* Kind 1 by mailbox: an autodiscover request for user@D. */
static void detect_mailbox(struct detector *d, const struct obs *o, const char *mailbox)
{
	const char *at = strrchr(mailbox, '@');
	char domain[ALERT_NAME];
	if (!at || !rules_normalize(at + 1, strlen(at + 1), domain, sizeof domain))
		return;
	const struct rule *r = rules_match_name(d->rules, domain);
	if (!r || r->cls == RULE_ALLOWED)
		return;
	struct alert_evidence ev;
	detect_evidence(&ev, o, "http", mailbox);
	detect_remember(d, o, domain, r->cls, &ev);
	if (r->cls != RULE_RESERVED)
		return;
	struct alert *a = detect_begin(d, ALERT_AUTODISCOVER, r, o, domain);
	detect_copy(a->domain, sizeof a->domain, domain);
	detect_copy(a->atomic, sizeof a->atomic, mailbox);
	detect_copy(a->field, sizeof a->field, "misroute.http.mailbox");
	detect_add_evidence(a, &ev);
	snprintf(a->message, sizeof a->message,
		 "A client asked autodiscover for the mailbox %s of the reserved domain %s", mailbox,
		 domain);
	detect_submit(d, a);
}

/* Kind 2 from DNS: a reserved name that resolves where it may not, or whose alias leaves it. */
static void detect_dns_answer(struct detector *d, const struct obs *o, const struct dns_msg *m)
{
	for (uint16_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section != DNS_ANSWER)
			continue;
		if (rr->has_addr)
			detect_pdns_add(d, o, rr, m->n_q ? m->q[0].name : NULL);
		const struct rule *r = rules_match_name(d->rules, rr->name);
		if (!r || r->cls != RULE_RESERVED)
			continue;
		bool bad;
		if (r->n_answers == 0 && !r->answers_any) {
			bad = true; /* this name must not resolve at all */
		} else if (rr->has_addr) {
			bad = !rules_answer_ok(r, rr->type == 28 ? 6 : 4, rr->addr);
		} else if (rr->type == 5) {
			bad = !detect_inside(d, rr->data, rr->name);
		} else {
			bad = false;
		}
		if (!bad)
			continue;
		struct alert *a = detect_begin(d, ALERT_OUTSIDE, r, o, rr->name);
		detect_copy(a->domain, sizeof a->domain, rr->name);
		/* A record of a type dns.c does not decode (an RRSIG beside the address) has no
		 * data: the name itself is what was observed. */
		bool data = rr->data_len > 0;
		detect_copy(a->atomic, sizeof a->atomic, data ? rr->data : rr->name);
		detect_copy(a->field, sizeof a->field, data ? "dns.answers.data" : "dns.answers.name");
		struct alert_evidence ev;
		detect_evidence(&ev, o, "dns_answer", rr->name);
		detect_add_evidence(a, &ev);
		char tn[16];
		if (rr->type == 5)
			snprintf(a->message, sizeof a->message,
				 "The reserved name %s is an alias of %s, outside its domain", rr->name,
				 rr->data);
		else if (data)
			snprintf(a->message, sizeof a->message, "The reserved name %s resolved to %s",
				 rr->name, rr->data);
		else
			snprintf(a->message, sizeof a->message, "The reserved name %s has %s records",
				 rr->name, dns_type_name(rr->type, tn, sizeof tn));
		detect_submit(d, a);
	}
}

/* Kind 2 from an autodiscover answer: the mailbox's domain sent to servers outside it. */
static void detect_ad_answer(struct detector *d, const struct obs *o, const char *mailbox,
			     const struct ad_result *ad)
{
	if (!mailbox && ad->n_mailbox)
		mailbox = ad->mailbox[0].addr;
	const char *at = mailbox ? strrchr(mailbox, '@') : NULL;
	char domain[ALERT_NAME];
	if (!at || !rules_normalize(at + 1, strlen(at + 1), domain, sizeof domain))
		return;
	const struct rule *r = rules_match_name(d->rules, domain);
	if (!r || r->cls == RULE_ALLOWED)
		return;
	for (uint16_t i = 0; i < ad->n_server; i++) {
		const char *host = ad->server[i].host;
		if (!host || detect_inside(d, host, domain))
			continue;
		struct alert *a = detect_begin(d, ALERT_OUTSIDE, r, o, host);
		detect_copy(a->domain, sizeof a->domain, domain);
		detect_copy(a->atomic, sizeof a->atomic, host);
		detect_copy(a->field, sizeof a->field, "misroute.autodiscover.servers.host");
		detect_copy(a->user, sizeof a->user, mailbox);
		struct alert_evidence ev;
		detect_evidence(&ev, o, "http", host);
		detect_add_evidence(a, &ev);
		snprintf(a->message, sizeof a->message,
			 "An autodiscover answer sends the mailbox %s to the %s server %s, outside %s",
			 mailbox, ad->server[i].protocol ? ad->server[i].protocol : "mail", host,
			 domain);
		detect_submit(d, a);
	}
}

/* Whether any name the server is known by (from the connection, or from passive DNS) lies
 * inside domain. */
static bool detect_server_inside(const struct detector *d, const char *const *names,
				 unsigned n_names, const struct alert_evidence *pd,
				 unsigned n_pd, const char *domain)
{
	for (unsigned k = 0; k < n_names; k++)
		if (detect_inside(d, names[k], domain))
			return true;
	for (unsigned k = 0; k < n_pd; k++)
		if (detect_inside(d, pd[k].name, domain))
			return true;
	return false;
}

/* Kind 3: a mail connection from a client with a live autodiscover context for D, to a server
 * whose known names all lie outside D. names: what this connection says (SNI, banner). */
static void detect_mail_after(struct detector *d, const struct obs *o, const char *const *names,
			      unsigned n_names)
{
	struct detect_client *c = detect_client_of(d, o);
	if (!c)
		return;
	struct alert_evidence pd[DETECT_PDNS_NAMES];
	unsigned n_pd = detect_pdns_names(d, o, pd, DETECT_PDNS_NAMES);
	if (n_names + n_pd == 0)
		return; /* a server we know nothing about: no claim either way */
	for (unsigned i = 0; i < DETECT_CTX_PER_CLIENT; i++) {
		const struct detect_ctx *x = &c->ctx[i];
		if (!x->domain[0] || o->conn.ts_us > x->ts_us + d->cfg.context_us)
			continue;
		if (detect_server_inside(d, names, n_names, pd, n_pd, x->domain))
			continue;
		const char *server = n_names ? names[0] : pd[0].name;
		const struct rule *r = rules_match_name(d->rules, x->domain);
		struct alert *a = detect_begin(d, ALERT_MAIL_AFTER, r, o, server);
		detect_copy(a->domain, sizeof a->domain, x->domain);
		detect_copy(a->atomic, sizeof a->atomic, server);
		detect_copy(a->field, sizeof a->field, "destination.domain");
		detect_copy(a->server_name, sizeof a->server_name, server);
		detect_add_evidence(a, &x->ev);
		for (unsigned k = 0; k < n_pd; k++)
			detect_add_evidence(a, &pd[k]);
		struct alert_evidence ev;
		detect_evidence(&ev, o, o->kind == OBS_TLS ? "tls" : "mail", server);
		detect_add_evidence(a, &ev);
		char ip[IP_TEXT_MAX];
		ip_text(a->conn.ip_version, a->conn.dst, ip);
		snprintf(a->message, sizeof a->message,
			 "After autodiscover for %s, a client connected to the %s server %s (%s), outside that domain",
			 x->domain, o->conn.mail_protocol ? o->conn.mail_protocol : "mail", server, ip);
		detect_submit(d, a);
	}
}

/* Kind 4: user@D (D reserved or watched) logging in to a server not inside D. */
static void detect_credentials(struct detector *d, const struct obs *o, const char *user,
			       const char *const *names, unsigned n_names, const char *field)
{
	const char *at = strrchr(user, '@');
	char domain[ALERT_NAME];
	if (!at || !rules_normalize(at + 1, strlen(at + 1), domain, sizeof domain))
		return;
	const struct rule *r = rules_match_name(d->rules, domain);
	if (!r || r->cls == RULE_ALLOWED)
		return;
	struct alert_evidence pd[DETECT_PDNS_NAMES];
	unsigned n_pd = detect_pdns_names(d, o, pd, DETECT_PDNS_NAMES);
	bool inside = detect_server_inside(d, names, n_names, pd, n_pd, domain);
	/* A watched account may log in to a server we cannot name; a reserved one never may. */
	if (inside || (r->cls == RULE_WATCHED && n_names + n_pd == 0))
		return;
	const char *server = n_names ? names[0] : n_pd ? pd[0].name : "";
	struct alert *a = detect_begin(d, ALERT_CREDENTIALS, r, o, user);
	detect_copy(a->domain, sizeof a->domain, domain);
	detect_copy(a->atomic, sizeof a->atomic, user);
	detect_copy(a->field, sizeof a->field, field);
	detect_copy(a->user, sizeof a->user, user);
	detect_copy(a->server_name, sizeof a->server_name, server);
	struct detect_client *c = detect_client_of(d, o);
	for (unsigned i = 0; c && i < DETECT_CTX_PER_CLIENT; i++)
		if (!strcmp(c->ctx[i].domain, domain))
			detect_add_evidence(a, &c->ctx[i].ev);
	for (unsigned k = 0; k < n_pd; k++)
		detect_add_evidence(a, &pd[k]);
	struct alert_evidence ev;
	detect_evidence(&ev, o, o->kind == OBS_LOGIN ? "login" : "http", user);
	detect_add_evidence(a, &ev);
	char ip[IP_TEXT_MAX];
	ip_text(a->conn.ip_version, a->conn.dst, ip);
	snprintf(a->message, sizeof a->message,
		 "The credentials of %s went to %s%s%s%s, outside %s", user, ip,
		 server[0] ? " (" : "", server, server[0] ? ")" : "", domain);
	detect_submit(d, a);
}

/* Kind 6: both sides of a connection talked, and one end is a reserved address range. */
static void detect_flow(struct detector *d, const struct obs *o, const struct obs_flow *fl)
{
	if (fl->pkts[0] == 0 || fl->pkts[1] == 0)
		return;
	const uint8_t *server = detect_server_ip(&o->conn);
	const struct rule *r = rules_match_addr(d->rules, o->conn.ip_version, server);
	if (!r || r->cls != RULE_RESERVED)
		return;
	char ip[IP_TEXT_MAX];
	ip_text(o->conn.ip_version, server, ip);
	struct alert *a = detect_begin(d, ALERT_RESERVED_ADDR, r, o, ip);
	a->first_us = fl->first_us;
	a->last_us = fl->last_us;
	detect_copy(a->atomic, sizeof a->atomic, ip);
	detect_copy(a->field, sizeof a->field, "destination.ip");
	struct alert_evidence ev;
	detect_evidence(&ev, o, "flow", ip);
	ev.at.ts_us = fl->first_us;
	detect_add_evidence(a, &ev);
	snprintf(a->message, sizeof a->message,
		 "A client exchanged traffic with %s, in the reserved range %s", ip, r->pattern);
	detect_submit(d, a);
}

/* A name from the network, normalised like the rules' (HTTP Host is bytes with a length). */
static bool detect_name(const struct obs_str *s, char *out, size_t size)
{
	return s->p && rules_normalize(s->p, s->len, out, size) > 0;
}

static void detect_http(struct detector *d, const struct obs *o, const struct obs_http *h)
{
	char host[ALERT_NAME];
	bool have_host = detect_name(&h->host, host, sizeof host);
	if (have_host)
		detect_autodiscover_name(d, o, host, "http");
	if (h->mailbox)
		detect_mailbox(d, o, h->mailbox);
	if (h->ad_response)
		detect_ad_answer(d, o, h->mailbox, h->ad_response);
	char user[ALERT_NAME];
	if (h->auth_user.p && h->auth_user.len < sizeof user && memchr(h->auth_user.p, '@', h->auth_user.len)) {
		memcpy(user, h->auth_user.p, h->auth_user.len);
		user[h->auth_user.len] = '\0';
		const char *names[1] = { host };
		detect_credentials(d, o, user, names, have_host, "user.name");
	}
}

void detect_observe(struct detector *d, const struct obs *o)
{
	switch (o->kind) {
	case OBS_DNS: {
		const struct dns_msg *m = o->u.dns;
		if (!m->qr && m->n_q)
			detect_autodiscover_name(d, o, m->q[0].name, "dns_query");
		else if (m->qr)
			detect_dns_answer(d, o, m);
		break;
	}
	case OBS_HTTP:
		detect_http(d, o, o->u.http);
		break;
	case OBS_TLS: {
		const struct tls_hello *h = o->u.tls->hello;
		const char *sni = h->has_sni ? h->sni : NULL;
		if (sni)
			detect_autodiscover_name(d, o, sni, "tls");
		if (o->conn.mail_protocol) {
			const char *names[1] = { sni };
			detect_mail_after(d, o, names, sni != NULL);
		}
		break;
	}
	case OBS_MAIL: {
		const struct obs_mail *m = o->u.mail;
		/* TLS connections were judged at their ClientHello. */
		if (m->implicit_tls || m->starttls)
			break;
		const char *names[1] = { m->banner_host };
		detect_mail_after(d, o, names, m->banner_host != NULL);
		break;
	}
	case OBS_LOGIN: {
		const struct obs_login *l = o->u.login;
		if (!l->user)
			break;
		const char *names[1] = { l->banner_host };
		detect_credentials(d, o, l->user, names, l->banner_host != NULL, "user.name");
		break;
	}
	case OBS_FLOW:
		detect_flow(d, o, o->u.flow);
		break;
	}
}

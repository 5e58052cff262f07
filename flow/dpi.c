/* dpi.c: the nDPI wrapper of dpi.h (nDPI 4.2 API). Nothing else includes nDPI's headers. */
#include "flow/dpi.h"

#include <ndpi_api.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "core/hash.h"
#include "core/limits.h"
#include "dissectors/mail.h"

/* nDPI knows a few hundred protocols; names are cached lower-cased at start, printable
 * ASCII but for the quote and the backslash (each other byte becomes '_'), so records write
 * them as they are. */
#define DPI_NAME_MAX 24

/* What nDPI said of the last names and server addresses it was asked about: its host
 * automaton and address tree cost about a microsecond a question in cache misses, and the
 * same few thousand names and servers come back all day. Sets of two, the latest first: a
 * table that held one per slot lost half of 3,000 names to collisions. A name is known by a
 * 64-bit hash under a seed drawn at start, so nobody outside can make two names collide, and
 * an entry is 16 bytes whatever the name's length. */
#define DPI_MEMO_NAMES 16384
#define DPI_MEMO_ADDRS 16384

struct dpi_name_memo {
	uint64_t key;         /* the name's hash, odd; 0: empty */
	int id;
};

struct dpi_addr_memo {
	uint32_t addr;
	bool used;
	uint16_t id;
};

struct dpi {
	struct ndpi_detection_module_struct *mod;
	struct dpi_name_memo name_memo[DPI_MEMO_NAMES];   /* 256 KiB */
	struct dpi_addr_memo addr_memo[DPI_MEMO_ADDRS];   /* 128 KiB */
	uint64_t seed;
	size_t live;          /* flows holding nDPI state */
	uint32_t n_names;
	char (*names)[DPI_NAME_MAX];
	uint64_t *tally;      /* ended flows per protocol id; [n_names] is "unknown" */
};

/* nDPI's start-up builds some 100,000 small nodes (its address trees, its name automata),
 * 5 MB that live as long as the module: a malloc and, at the end, a free each were half of
 * misroute's start-up. They are cut from one arena instead, reserved once (address space
 * only: a page costs memory when it is written) and unmapped with the last module. What nDPI
 * allocates later (flow state, its caches) comes from malloc, and its frees of arena memory
 * are no-ops. An arena that is full, or that cannot be mapped, leaves nDPI on malloc. */
#define DPI_ARENA_SIZE ((size_t)256 << 20)

static pthread_mutex_t dpi_arena_mu = PTHREAD_MUTEX_INITIALIZER;
/* Set under the mutex when the first module starts, cleared when the last one ends: never
 * while a worker thread runs nDPI. */
static char *dpi_arena, *dpi_arena_top;
static unsigned dpi_arena_users;
/* Only the thread that starts a module, and only while it does, allocates from the arena. */
static _Thread_local bool dpi_arena_on;

static void *dpi_arena_malloc(size_t n)
{
	n = (n + 15) & ~(size_t)15; /* malloc's alignment */
	if (dpi_arena_on && n <= (size_t)(dpi_arena + DPI_ARENA_SIZE - dpi_arena_top)) {
		void *p = dpi_arena_top;
		dpi_arena_top += n;
		return p;
	}
	return malloc(n);
}

static void dpi_arena_free(void *p)
{
	if (dpi_arena && (char *)p >= dpi_arena && (char *)p < dpi_arena + DPI_ARENA_SIZE)
		return;
	free(p);
}

/* Ends a module (NULL: one that failed to start); the last one unmaps the arena. */
static void dpi_module_free(struct ndpi_detection_module_struct *mod)
{
	if (mod)
		ndpi_exit_detection_module(mod);
	pthread_mutex_lock(&dpi_arena_mu);
	if (--dpi_arena_users == 0 && dpi_arena) {
		munmap(dpi_arena, DPI_ARENA_SIZE);
		dpi_arena = dpi_arena_top = NULL;
	}
	pthread_mutex_unlock(&dpi_arena_mu);
}

/* ndpi_init_detection_module with every protocol on, its allocations from the arena. */
static struct ndpi_detection_module_struct *dpi_module_new(void)
{
	pthread_mutex_lock(&dpi_arena_mu);
	if (dpi_arena_users++ == 0) {
		void *a = mmap(NULL, DPI_ARENA_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		dpi_arena = dpi_arena_top = a == MAP_FAILED ? NULL : a;
#ifdef MADV_HUGEPAGE
		/* nDPI's start-up walks its address trees, 5 MB of nodes, tens of thousands
		 * of times: on 2 MiB pages the walk misses no TLB, and a few faults fill them
		 * where 1,300 did. */
		if (dpi_arena)
			madvise(dpi_arena, DPI_ARENA_SIZE, MADV_HUGEPAGE);
#endif
		set_ndpi_malloc(dpi_arena_malloc);
		set_ndpi_free(dpi_arena_free);
	}
	dpi_arena_on = dpi_arena != NULL;
	struct ndpi_detection_module_struct *mod = ndpi_init_detection_module(ndpi_no_prefs);
	if (mod) {
		NDPI_PROTOCOL_BITMASK all;
		NDPI_BITMASK_SET_ALL(all);
		ndpi_set_protocol_detection_bitmask2(mod, &all);
		ndpi_finalize_initialization(mod);
	}
	dpi_arena_on = false;
	pthread_mutex_unlock(&dpi_arena_mu);
	if (!mod)
		dpi_module_free(NULL);
	return mod;
}

struct dpi *dpi_new(void)
{
	struct dpi *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->mod = dpi_module_new();
	if (!d->mod) {
		free(d);
		return NULL;
	}
	if (getrandom(&d->seed, sizeof d->seed, 0) != (ssize_t)sizeof d->seed)
		d->seed = 0x6d656d6f2d736565ull;
	d->n_names = ndpi_get_num_supported_protocols(d->mod);
	d->names = calloc(d->n_names ? d->n_names : 1, sizeof *d->names);
	d->tally = calloc(d->n_names + 1, sizeof *d->tally);
	if (!d->names || !d->tally) {
		dpi_free(d);
		return NULL;
	}
	for (uint32_t i = 0; i < d->n_names; i++) {
		const char *n = ndpi_get_proto_name(d->mod, (uint16_t)i);
		for (size_t k = 0; n && n[k] && k + 1 < DPI_NAME_MAX; k++) {
			unsigned char c = (unsigned char)n[k];
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c + 32);
			else if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
				c = '_';
			d->names[i][k] = (char)c;
		}
	}
	return d;
}

void dpi_free(struct dpi *d)
{
	if (!d)
		return;
	if (d->mod)
		dpi_module_free(d->mod);
	free(d->names);
	free(d->tally);
	free(d);
}

static void dpi_release_state(struct dpi *d, struct flow *f)
{
	if (f->ndpi) {
		ndpi_free_flow(f->ndpi);
		f->ndpi = NULL;
		d->live--;
	}
	f->ndpi_done = true;
}

static void dpi_take(struct flow *f, ndpi_protocol p)
{
	f->ndpi_proto = p.app_protocol;
	f->ndpi_master = p.master_protocol;
}

void dpi_packet(struct dpi *d, struct flow *f, const struct packet *pkt, struct stats *st)
{
	/* Handshakes and pure ACKs tell nDPI nothing we need; a SYN flood costs no state. */
	if (f->ndpi_done || pkt->payload_len == 0 || pkt->l3_len > 0xffff)
		return;
	if (!f->ndpi) {
		f->ndpi = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
		if (!f->ndpi) {
			stats_skip(st, SKIP_NDPI_ALLOC);
			f->ndpi_done = true;
			return;
		}
		memset(f->ndpi, 0, SIZEOF_FLOW_STRUCT);
		d->live++;
	}
	ndpi_protocol p = ndpi_detection_process_packet(d->mod, f->ndpi, pkt->l3,
						       (unsigned short)pkt->l3_len, pkt->ts_us / 1000);
	dpi_take(f, p);
	f->ndpi_packets++;
	if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN || f->ndpi_packets >= FLOW_NDPI_MAX_PACKETS)
		dpi_flow_done(d, f);
}

/* The nDPI protocol our classification stands for; UNKNOWN when it has none. */
static uint16_t dpi_of_app(const struct flow *f)
{
	switch (f->app) {
	case APP_DNS:
		return f->sport == 5353 || f->cport == 5353   ? NDPI_PROTOCOL_MDNS
		       : f->sport == 5355 || f->cport == 5355 ? NDPI_PROTOCOL_LLMNR
							      : NDPI_PROTOCOL_DNS;
	case APP_HTTP:
		return NDPI_PROTOCOL_HTTP;
	case APP_QUIC:
		return NDPI_PROTOCOL_QUIC;
	case APP_TLS:
		return f->mail_proto == MAIL_SMTP   ? NDPI_PROTOCOL_MAIL_SMTPS
		       : f->mail_proto == MAIL_IMAP ? NDPI_PROTOCOL_MAIL_IMAPS
		       : f->mail_proto == MAIL_POP3 ? NDPI_PROTOCOL_MAIL_POPS
						    : NDPI_PROTOCOL_TLS;
	case APP_MAIL:
		return f->mail_proto == MAIL_SMTP   ? NDPI_PROTOCOL_MAIL_SMTP
		       : f->mail_proto == MAIL_IMAP ? NDPI_PROTOCOL_MAIL_IMAP
		       : f->mail_proto == MAIL_POP3 ? NDPI_PROTOCOL_MAIL_POP
						    : NDPI_PROTOCOL_UNKNOWN;
	default:
		return NDPI_PROTOCOL_UNKNOWN;
	}
}

void dpi_known(struct dpi *d, struct flow *f)
{
	uint16_t proto = dpi_of_app(f);
	if (f->ndpi_done || proto == NDPI_PROTOCOL_UNKNOWN)
		return;
	f->ndpi_master = proto;
	f->ndpi_proto = NDPI_PROTOCOL_UNKNOWN;
	dpi_release_state(d, f);
}

/* ndpi_match_string_subprotocol, remembered. host is NUL-terminated, len bytes. */
static int dpi_match_name(struct dpi *d, const char *host, size_t len)
{
	uint64_t key = hash_bytes(d->seed, host, len) | 1;
	struct dpi_name_memo *set = &d->name_memo[(key >> 1) % (DPI_MEMO_NAMES / 2) * 2];
	if (set[0].key == key)
		return set[0].id;
	if (set[1].key == key) {
		struct dpi_name_memo t = set[1];
		set[1] = set[0];
		set[0] = t;
		return t.id;
	}
	ndpi_protocol_match_result r;
	memset(&r, 0, sizeof r);
	int id = ndpi_match_string_subprotocol(d->mod, (char *)host, (u_int)len, &r);
	set[1] = set[0];
	set[0] = (struct dpi_name_memo){ key, id };
	return id;
}

/* ndpi_network_ptree_match on an IPv4 address (network order), remembered. */
static uint16_t dpi_match_addr(struct dpi *d, const uint8_t a[4])
{
	uint32_t addr;
	memcpy(&addr, a, 4);
	uint64_t h = hash_bytes(d->seed, a, 4);
	struct dpi_addr_memo *set = &d->addr_memo[h % (DPI_MEMO_ADDRS / 2) * 2];
	if (set[0].used && set[0].addr == addr)
		return set[0].id;
	if (set[1].used && set[1].addr == addr) {
		struct dpi_addr_memo t = set[1];
		set[1] = set[0];
		set[0] = t;
		return t.id;
	}
	struct in_addr server = { .s_addr = addr };
	set[1] = set[0];
	set[0] = (struct dpi_addr_memo){ addr, true, ndpi_network_ptree_match(d->mod, &server) };
	return set[0].id;
}

void dpi_observed(struct dpi *d, struct flow *f, const char *name, size_t len)
{
	if (f->ndpi_packets || f->ndpi_named)
		return; /* nDPI ran on it, or it is named already */
	char host[256];
	if (name && len > 0 && len < sizeof host) {
		f->ndpi_named = true; /* the first name decides, as it would for nDPI */
		memcpy(host, name, len);
		host[len] = '\0';
		int id = dpi_match_name(d, host, len);
		if (id > NDPI_PROTOCOL_UNKNOWN && id != f->ndpi_master) {
			f->ndpi_proto = (uint16_t)id;
			return;
		}
	}
	if (f->ndpi_addr || f->ip_version != 4)
		return;
	f->ndpi_addr = true;
	uint16_t by_addr = dpi_match_addr(d, f->srv);
	if (by_addr != f->ndpi_master)
		f->ndpi_proto = by_addr;
}

void dpi_flow_done(struct dpi *d, struct flow *f)
{
	if (f->ndpi && f->ndpi_proto == NDPI_PROTOCOL_UNKNOWN) {
		uint8_t guessed = 0;
		dpi_take(f, ndpi_detection_giveup(d->mod, f->ndpi, 1, &guessed));
	}
	dpi_release_state(d, f);
}

/* The protocol id a flow is known by, or d->n_names when nDPI has no name for it. */
static uint32_t dpi_id(const struct dpi *d, const struct flow *f)
{
	uint16_t id = f->ndpi_proto != NDPI_PROTOCOL_UNKNOWN ? f->ndpi_proto : f->ndpi_master;
	if (id == NDPI_PROTOCOL_UNKNOWN || id >= d->n_names || !d->names[id][0])
		return d->n_names;
	return id;
}

const char *dpi_name(const struct dpi *d, const struct flow *f)
{
	uint32_t id = dpi_id(d, f);
	return id < d->n_names ? d->names[id] : NULL;
}

void dpi_tally(struct dpi *d, const struct flow *f)
{
	d->tally[dpi_id(d, f)]++;
}

size_t dpi_tallies(const struct dpi *d, const char **names, uint64_t *counts, size_t max)
{
	size_t n = 0;
	for (uint32_t id = 0; id <= d->n_names && n < max; id++) {
		if (!d->tally[id])
			continue;
		names[n] = id < d->n_names ? d->names[id] : "unknown";
		counts[n++] = d->tally[id];
	}
	return n;
}

size_t dpi_memory(const struct dpi *d)
{
	return d->live * SIZEOF_FLOW_STRUCT;
}

/* flow.c: the flow table of flow.h — a chained hash over a fixed pool, three LRU lists. */
#include "flow/flow.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "core/limits.h"

struct flow_table {
	struct flow *pool;        /* cap slots, committed by the kernel as they are touched */
	uint32_t *buckets;        /* index + 1 of the first flow of each chain */
	uint32_t cap, mask;
	uint32_t count;           /* flows in use */
	uint32_t fresh;           /* slots [fresh, cap) hold no flow since the start or a clear */
	uint32_t touched;         /* slots ever used: what the pool holds in memory */
	uint32_t free_list;       /* released slots, chained through hnext */
	uint32_t head[LRU_COUNT], tail[LRU_COUNT];
	uint64_t seed;
	flow_release_fn release;
	void *arg;
};

/* The LRU lists' tick: 2^20 microseconds, about a second. */
#define FLOW_LRU_TICK_SHIFT 20

static const uint64_t flow_timeout_us[LRU_COUNT] = {
	[LRU_TCP] = FLOW_TIMEOUT_TCP_US,
	[LRU_TCP_CLOSED] = FLOW_TIMEOUT_TCP_CLOSED_US,
	[LRU_UDP] = FLOW_TIMEOUT_UDP_US,
};

static inline struct flow *flow_at(struct flow_table *ft, uint32_t ref)
{
	return ref ? &ft->pool[ref - 1] : NULL;
}

static inline uint32_t flow_ref(const struct flow_table *ft, const struct flow *f)
{
	return (uint32_t)(f - ft->pool) + 1;
}

static inline uint64_t flow_mix(uint64_t h, uint64_t x)
{
	h = (h ^ x) * 0x9e3779b97f4a7c15ull;
	return h ^ h >> 29;
}

static uint64_t flow_load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Symmetric: both directions order their endpoints the same way before hashing (any order
 * the two directions agree on will do: here that of the addresses' words as integers). */
static uint32_t flow_hash(const struct flow_table *ft, const uint8_t *a, uint16_t pa,
			  const uint8_t *b, uint16_t pb, uint8_t proto, const uint16_t vlan[2])
{
	uint64_t a0 = flow_load64(a), a1 = flow_load64(a + 8);
	uint64_t b0 = flow_load64(b), b1 = flow_load64(b + 8);
	if (a0 > b0 || (a0 == b0 && (a1 > b1 || (a1 == b1 && pa > pb)))) {
		uint64_t t0 = a0, t1 = a1;
		uint16_t tp = pa;
		a0 = b0;
		a1 = b1;
		pa = pb;
		b0 = t0;
		b1 = t1;
		pb = tp;
	}
	uint64_t h = ft->seed;
	h = flow_mix(h, a0);
	h = flow_mix(h, a1);
	h = flow_mix(h, b0);
	h = flow_mix(h, b1);
	h = flow_mix(h, (uint64_t)pa << 48 | (uint64_t)pb << 32 | (uint64_t)vlan[0] << 16 | vlan[1]);
	h = flow_mix(h, proto);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static uint32_t flow_hash_of(const struct flow_table *ft, const struct flow *f)
{
	return flow_hash(ft, f->cli, f->cport, f->srv, f->sport, f->proto, f->vlan);
}

/* Asks for 2 MiB pages under the pool: lookups land anywhere in tens of megabytes, and with
 * 4 KiB pages nearly every one also missed the TLB. Only a hint; calloc'd pages still cost
 * nothing until touched, 2 MiB at a time. */
static void flow_hint_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = 2u << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + n) & ~(huge - 1);
	if (e > a)
		madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

struct flow_table *flow_table_new(uint32_t max_flows, uint64_t seed, flow_release_fn release,
				  void *arg)
{
	if (max_flows == 0 || max_flows > (1u << 30))
		return NULL;
	struct flow_table *ft = calloc(1, sizeof *ft);
	if (!ft)
		return NULL;
	uint32_t nb = 1;
	while (nb < max_flows)
		nb <<= 1;
	/* Anonymous pages: aligned for struct flow's cache lines, zero, and paid for only once
	 * touched. */
	size_t pool_size = (size_t)max_flows * sizeof *ft->pool;
	void *pool = mmap(NULL, pool_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ft->pool = pool == MAP_FAILED ? NULL : pool;
	ft->buckets = calloc(nb, sizeof *ft->buckets);
	if (!ft->pool || !ft->buckets) {
		if (ft->pool)
			munmap(ft->pool, pool_size);
		free(ft->buckets);
		free(ft);
		return NULL;
	}
	flow_hint_huge(ft->pool, pool_size);
	flow_hint_huge(ft->buckets, (size_t)nb * sizeof *ft->buckets);
	/* A seed nobody outside can guess keeps a flood from aiming at one chain. */
	if (seed == 0 && getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
		seed = 0x6d6973726f757465ull;
	ft->seed = seed;
	ft->cap = max_flows;
	ft->mask = nb - 1;
	ft->release = release;
	ft->arg = arg;
	return ft;
}

static void flow_lru_unlink(struct flow_table *ft, struct flow *f)
{
	struct flow *p = flow_at(ft, f->lprev), *n = flow_at(ft, f->lnext);
	if (p)
		p->lnext = f->lnext;
	else
		ft->head[f->lru] = f->lnext;
	if (n)
		n->lprev = f->lprev;
	else
		ft->tail[f->lru] = f->lprev;
	f->lprev = f->lnext = 0;
}

static void flow_lru_append(struct flow_table *ft, struct flow *f)
{
	uint32_t ref = flow_ref(ft, f);
	f->lprev = ft->tail[f->lru];
	f->lnext = 0;
	if (f->lprev)
		flow_at(ft, f->lprev)->lnext = ref;
	else
		ft->head[f->lru] = ref;
	ft->tail[f->lru] = ref;
}

/* Takes a flow out of the table: the owner releases what it holds, the slot is reused (and
 * zeroed then, by flow_create). */
static void flow_remove(struct flow_table *ft, struct flow *f)
{
	if (ft->release)
		ft->release(ft->arg, f);
	uint32_t ref = flow_ref(ft, f);
	uint32_t *link = &ft->buckets[flow_hash_of(ft, f) & ft->mask];
	while (*link && *link != ref)
		link = &flow_at(ft, *link)->hnext;
	if (*link == ref)
		*link = f->hnext;
	flow_lru_unlink(ft, f);
	f->hnext = ft->free_list;
	ft->free_list = ref;
	ft->count--;
}

/* The least recently seen flow of all lists: the one a full table gives up. */
static struct flow *flow_oldest(struct flow_table *ft)
{
	struct flow *old = NULL;
	for (int l = 0; l < LRU_COUNT; l++) {
		struct flow *h = flow_at(ft, ft->head[l]);
		if (h && (!old || h->last_us < old->last_us))
			old = h;
	}
	return old;
}

/* Every flow is released, oldest first, but none is unhooked from its hash chain: the chains
 * and the free list are dropped whole afterwards, and every slot counts as fresh again. An
 * empty table's chains are all empty already (and its buckets maybe never touched). */
void flow_table_clear(struct flow_table *ft)
{
	bool chains = ft->count > 0;
	struct flow *f;
	while ((f = flow_oldest(ft))) {
		flow_lru_unlink(ft, f);
		if (ft->release)
			ft->release(ft->arg, f);
	}
	if (chains)
		memset(ft->buckets, 0, ((size_t)ft->mask + 1) * sizeof *ft->buckets);
	ft->count = 0;
	ft->fresh = 0;
	ft->free_list = 0;
}

void flow_table_free(struct flow_table *ft)
{
	if (!ft)
		return;
	flow_table_clear(ft);
	munmap(ft->pool, (size_t)ft->cap * sizeof *ft->pool);
	free(ft->buckets);
	free(ft);
}

static bool flow_matches(const struct flow *f, const struct packet *pkt, int *dir)
{
	if (f->proto != pkt->proto || f->ip_version != pkt->ip_version ||
	    f->vlan[0] != pkt->vlan[0] || f->vlan[1] != pkt->vlan[1])
		return false;
	if (f->cport == pkt->sport && f->sport == pkt->dport && !memcmp(f->cli, pkt->src, 16) &&
	    !memcmp(f->srv, pkt->dst, 16)) {
		*dir = 0;
		return true;
	}
	if (f->cport == pkt->dport && f->sport == pkt->sport && !memcmp(f->cli, pkt->dst, 16) &&
	    !memcmp(f->srv, pkt->src, 16)) {
		*dir = 1;
		return true;
	}
	return false;
}

/* Who opened the connection: the sender of a SYN, the receiver of a SYN-ACK; with neither,
 * the side on the higher (ephemeral) port when the other is a well-known one. */
static bool flow_sender_is_client(const struct packet *pkt)
{
	if (pkt->proto == 6 && (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		return true;
	if (pkt->proto == 6 && (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		return false;
	if (pkt->sport < 1024 && pkt->dport >= 1024)
		return false;
	return true;
}

static struct flow *flow_create(struct flow_table *ft, const struct packet *pkt, uint32_t h,
				struct stats *st)
{
	if (ft->count >= ft->cap) {
		flow_remove(ft, flow_oldest(ft));
		stats_skip(st, SKIP_FLOW_EVICTED);
	}
	uint32_t ref = ft->free_list;
	if (ref)
		ft->free_list = flow_at(ft, ref)->hnext;
	else
		ref = ++ft->fresh;
	if (ft->fresh > ft->touched)
		ft->touched = ft->fresh;
	struct flow *f = flow_at(ft, ref);
	memset(f, 0, sizeof *f);
	bool cli = flow_sender_is_client(pkt);
	memcpy(f->cli, cli ? pkt->src : pkt->dst, 16);
	memcpy(f->srv, cli ? pkt->dst : pkt->src, 16);
	f->cport = cli ? pkt->sport : pkt->dport;
	f->sport = cli ? pkt->dport : pkt->sport;
	f->vlan[0] = pkt->vlan[0];
	f->vlan[1] = pkt->vlan[1];
	f->proto = pkt->proto;
	f->ip_version = pkt->ip_version;
	f->lru = pkt->proto == 6 ? LRU_TCP : LRU_UDP;
	f->first_us = f->last_us = pkt->ts_us;
	f->lru_tick = (uint16_t)(pkt->ts_us >> FLOW_LRU_TICK_SHIFT);
	reasm_dir_init(&f->stream[0]);
	reasm_dir_init(&f->stream[1]);
	f->hnext = ft->buckets[h & ft->mask];
	ft->buckets[h & ft->mask] = ref;
	flow_lru_append(ft, f);
	ft->count++;
	if (st)
		st->flows_created++;
	return f;
}

struct flow *flow_lookup(struct flow_table *ft, const struct packet *pkt, int *dir,
			 struct stats *st)
{
	uint32_t h = flow_hash(ft, pkt->src, pkt->sport, pkt->dst, pkt->dport, pkt->proto,
			       pkt->vlan);
	struct flow *f;
	for (f = flow_at(ft, ft->buckets[h & ft->mask]); f; f = flow_at(ft, f->hnext))
		if (flow_matches(f, pkt, dir))
			break;
	if (!f) {
		f = flow_create(ft, pkt, h, st);
		*dir = memcmp(f->cli, pkt->src, 16) || f->cport != pkt->sport;
	}
	/* Packet times can step back a little across files or interfaces; never go back. */
	if (pkt->ts_us > f->last_us)
		f->last_us = pkt->ts_us;
	/* A flow moves to the tail of its LRU list at most once a tick: that spares most packets
	 * the cache misses of writing to its two neighbours, and the lists stay in order to
	 * within a tick, so expiry and eviction come at most that late. */
	uint16_t tick = (uint16_t)(pkt->ts_us >> FLOW_LRU_TICK_SHIFT);
	if (f->lru_tick != tick && ft->tail[f->lru] != flow_ref(ft, f)) {
		flow_lru_unlink(ft, f);
		flow_lru_append(ft, f);
		f->lru_tick = tick;
	}
	return f;
}

void flow_touch_closed(struct flow_table *ft, struct flow *f)
{
	if (f->lru != LRU_TCP)
		return;
	flow_lru_unlink(ft, f);
	f->lru = LRU_TCP_CLOSED;
	flow_lru_append(ft, f);
}

void flow_expire(struct flow_table *ft, uint64_t now_us, struct stats *st)
{
	for (int l = 0; l < LRU_COUNT; l++) {
		struct flow *f;
		while ((f = flow_at(ft, ft->head[l])) && now_us > f->last_us &&
		       now_us - f->last_us > flow_timeout_us[l]) {
			flow_remove(ft, f);
			if (st)
				st->flows_expired++;
		}
	}
}

uint32_t flow_table_count(const struct flow_table *ft) { return ft->count; }

size_t flow_table_memory(const struct flow_table *ft)
{
	return (size_t)ft->touched * sizeof(struct flow) + ((size_t)ft->mask + 1) * sizeof(uint32_t);
}

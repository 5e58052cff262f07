/* test_flow.c: the flow table — both directions, VLANs, eviction, timeouts, release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "flow/flow.h"

static unsigned released;

static void on_release(void *arg, struct flow *f)
{
	(void)arg;
	(void)f;
	released++;
}

static struct packet mk(uint32_t a, uint16_t pa, uint32_t b, uint16_t pb, uint8_t proto,
			uint8_t flags, uint64_t ts)
{
	struct packet p;
	memset(&p, 0, sizeof p);
	p.ip_version = 4;
	for (int i = 0; i < 4; i++) {
		p.src[i] = (uint8_t)(a >> (24 - 8 * i));
		p.dst[i] = (uint8_t)(b >> (24 - 8 * i));
	}
	p.sport = pa;
	p.dport = pb;
	p.proto = proto;
	p.tcp_flags = flags;
	p.ts_us = ts;
	return p;
}

static void test_both_directions(void **state)
{
	(void)state;
	struct stats st = { 0 };
	struct flow_table *ft = flow_table_new(16, 1, on_release, NULL);
	struct packet q = mk(0x0a000001, 40000, 0x0a000035, 53, 17, 0, 1);
	struct packet r = mk(0x0a000035, 53, 0x0a000001, 40000, 17, 0, 2);
	int d1, d2;
	struct flow *f1 = flow_lookup(ft, &q, &d1, &st);
	struct flow *f2 = flow_lookup(ft, &r, &d2, &st);
	assert_ptr_equal(f1, f2);
	assert_int_equal(d1, 0);
	assert_int_equal(d2, 1);
	assert_int_equal(f1->cport, 40000);
	assert_int_equal(st.flows_created, 1);
	/* Another VLAN is another flow. */
	q.vlan[0] = 7;
	assert_ptr_not_equal(flow_lookup(ft, &q, &d1, &st), f1);
	assert_int_equal(flow_table_count(ft), 2);
	released = 0;
	flow_table_free(ft);
	assert_int_equal(released, 2);
}

static void test_client_side(void **state)
{
	(void)state;
	struct stats st = { 0 };
	struct flow_table *ft = flow_table_new(16, 1, on_release, NULL);
	int dir;
	/* A SYN-ACK seen first: its receiver opened the connection. */
	struct packet sa = mk(0x0a000002, 443, 0x0a000001, 50000, 6, TCP_SYN | TCP_ACK, 1);
	struct flow *f = flow_lookup(ft, &sa, &dir, &st);
	assert_int_equal(dir, 1);
	assert_int_equal(f->sport, 443);
	/* Mid-stream: the well-known port is the server. */
	struct packet mid = mk(0x0a000003, 993, 0x0a000001, 50001, 6, TCP_ACK, 1);
	f = flow_lookup(ft, &mid, &dir, &st);
	assert_int_equal(dir, 1);
	assert_int_equal(f->sport, 993);
	flow_table_free(ft);
}

static void test_eviction_bounded(void **state)
{
	(void)state;
	struct stats st = { 0 };
	released = 0;
	struct flow_table *ft = flow_table_new(1000, 0, on_release, NULL);
	size_t mem = 0;
	for (uint32_t i = 0; i < 100000; i++) {
		struct packet p = mk(0x0a000000 + i, 1024 + (uint16_t)(i & 0x7fff), 0x0a0000ff, 80, 6,
				     TCP_SYN, i);
		int dir;
		flow_lookup(ft, &p, &dir, &st);
		if (i == 999)
			mem = flow_table_memory(ft);
	}
	assert_int_equal(flow_table_count(ft), 1000);
	assert_int_equal(st.skip[SKIP_FLOW_EVICTED], 99000);
	assert_int_equal(released, 99000);
	assert_int_equal(flow_table_memory(ft), mem);
	/* The newest flows survived: the last one is still found, not re-created. */
	struct packet last = mk(0x0a000000 + 99999, 1024 + (99999 & 0x7fff), 0x0a0000ff, 80, 6, 0, 1e5);
	int dir;
	uint64_t created = st.flows_created;
	flow_lookup(ft, &last, &dir, &st);
	assert_int_equal(st.flows_created, created);
	flow_table_free(ft);
}

static void test_timeouts(void **state)
{
	(void)state;
	struct stats st = { 0 };
	struct flow_table *ft = flow_table_new(16, 1, on_release, NULL);
	int dir;
	struct packet u = mk(1, 1000, 2, 53, 17, 0, 0);
	struct packet t = mk(1, 1001, 2, 443, 6, TCP_SYN, 0);
	struct packet c = mk(1, 1002, 2, 443, 6, TCP_SYN, 0);
	flow_lookup(ft, &u, &dir, &st);
	flow_lookup(ft, &t, &dir, &st);
	flow_touch_closed(ft, flow_lookup(ft, &c, &dir, &st));
	flow_expire(ft, FLOW_TIMEOUT_TCP_CLOSED_US + 1, &st);
	assert_int_equal(flow_table_count(ft), 2);
	flow_expire(ft, FLOW_TIMEOUT_UDP_US + 1, &st);
	assert_int_equal(flow_table_count(ft), 1);
	/* Activity keeps a flow alive. */
	t.ts_us = FLOW_TIMEOUT_TCP_US;
	flow_lookup(ft, &t, &dir, &st);
	flow_expire(ft, FLOW_TIMEOUT_TCP_US + 2, &st);
	assert_int_equal(flow_table_count(ft), 1);
	flow_expire(ft, 2 * FLOW_TIMEOUT_TCP_US + 1, &st);
	assert_int_equal(flow_table_count(ft), 0);
	assert_int_equal(st.flows_expired, 3);
	flow_table_free(ft);
}

/* A flow seen again in a later second moves behind the others: a full table gives up the
 * flow that has been idle longest, to within the second the LRU lists are kept to. Within
 * one second it does not move, and the order is that of the flows' first packets. */
static void test_lru_order(void **state)
{
	(void)state;
	struct stats st = { 0 };
	int dir;
	const uint64_t second = 1000000;
	for (int later = 0; later < 2; later++) {
		struct flow_table *ft = flow_table_new(2, 1, on_release, NULL);
		struct packet a = mk(1, 1000, 2, 443, 6, TCP_SYN, 10 * second);
		struct packet b = mk(1, 1001, 2, 443, 6, TCP_SYN, 10 * second + 1);
		flow_lookup(ft, &a, &dir, &st);
		flow_lookup(ft, &b, &dir, &st);
		/* a again: two seconds later, or within the same one */
		a.ts_us = later ? 12 * second : 10 * second + 2;
		flow_lookup(ft, &a, &dir, &st);
		struct packet c = mk(1, 1002, 2, 443, 6, TCP_SYN, a.ts_us + 1);
		flow_lookup(ft, &c, &dir, &st);
		/* The survivor among a and b is found, not created again. */
		uint64_t created = st.flows_created;
		flow_lookup(ft, later ? &a : &b, &dir, &st);
		assert_int_equal(st.flows_created, created);
		flow_lookup(ft, later ? &b : &a, &dir, &st);
		assert_int_equal(st.flows_created, created + 1);
		flow_table_free(ft);
	}
}

/* A cleared table releases every flow and starts over: nothing of the old flows is found,
 * and a slot used again (fresh after the clear, or off the free list) comes back zeroed. */
static void test_clear_and_reuse(void **state)
{
	(void)state;
	struct stats st = { 0 };
	int dir;
	struct flow_table *ft = flow_table_new(64, 1, on_release, NULL);
	for (uint16_t i = 0; i < 40; i++) {
		struct packet p = mk(1, (uint16_t)(1000 + i), 2, 443, 6, TCP_SYN, 1 + i);
		struct flow *f = flow_lookup(ft, &p, &dir, &st);
		f->app = APP_TLS;
		f->pkts[0] = 7;
	}
	size_t mem = flow_table_memory(ft);
	released = 0;
	flow_table_clear(ft);
	assert_int_equal(released, 40);
	assert_int_equal(flow_table_count(ft), 0);
	assert_int_equal(flow_table_memory(ft), mem);
	for (int round = 0; round < 2; round++) {
		uint64_t created = st.flows_created;
		for (uint16_t i = 0; i < 40; i++) {
			struct packet p = mk(1, (uint16_t)(1000 + i), 2, 443, 6, TCP_SYN, 100 + i);
			struct flow *f = flow_lookup(ft, &p, &dir, &st);
			assert_int_equal(f->app, APP_UNKNOWN);
			assert_int_equal(f->pkts[0], 0);
			assert_int_equal(f->cport, 1000 + i);
			f->app = APP_TLS;
			f->pkts[0] = 7;
		}
		assert_int_equal(st.flows_created, created + 40);
		/* Found again, not created. */
		for (uint16_t i = 0; i < 40; i++) {
			struct packet p = mk(2, 443, 1, (uint16_t)(1000 + i), 6, TCP_ACK, 200 + i);
			assert_int_equal(flow_lookup(ft, &p, &dir, &st)->pkts[0], 7);
			assert_int_equal(dir, 1);
		}
		assert_int_equal(st.flows_created, created + 40);
		assert_int_equal(flow_table_count(ft), 40);
		/* Round two takes its slots off the free list the timeouts fill. */
		flow_expire(ft, 1000 * 1000000ull, &st);
		assert_int_equal(flow_table_count(ft), 0);
	}
	flow_table_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions),
		cmocka_unit_test(test_client_side),
		cmocka_unit_test(test_eviction_bounded),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_clear_and_reuse),
	};
	return cmocka_run_group_tests_name("flow", tests, NULL, NULL);
}

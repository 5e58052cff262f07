/* test_detect.c: detection — aggregation of repeats, the window, the caps on every table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/detect.h"
#include "dissectors/dns.h"
#include "rules/rules.h"
#include "rules/suffix.h"

static struct ruleset *rs;
static unsigned emitted;
static uint32_t counts;
static char last_name[ALERT_NAME];
static char last_atomic[ALERT_NAME], last_field[48], last_message[1024];
static unsigned lossy;

static void on_alert(void *arg, const struct alert *a)
{
	(void)arg;
	emitted++;
	lossy += a->capture_loss;
	counts += a->count;
	snprintf(last_name, sizeof last_name, "%s", a->name);
	snprintf(last_atomic, sizeof last_atomic, "%s", a->atomic);
	snprintf(last_field, sizeof last_field, "%s", a->field);
	snprintf(last_message, sizeof last_message, "%s", a->message);
}

static int setup(void **state)
{
	(void)state;
	char path[] = "/tmp/misroute-detect-XXXXXX";
	int fd = mkstemp(path);
	const char text[] = "reserved example.com id=t-example\nreserved test id=t-test\n";
	if (fd < 0 || write(fd, text, sizeof text - 1) != (ssize_t)(sizeof text - 1))
		return -1;
	close(fd);
	const char *files[] = { path };
	rs = rules_load(files, 1, NULL);
	unlink(path);
	return rs && suffix_init() == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rules_free(rs);
	suffix_free();
	return 0;
}

/* A DNS query for name from client 10.0.x.y at time ts (seconds). */
static void query(struct detector *d, struct dns_msg *m, uint32_t client, const char *name,
		  uint64_t ts)
{
	memset(m, 0, offsetof(struct dns_msg, arena));
	snprintf(m->arena, sizeof m->arena, "%s", name);
	m->q[0].name = m->arena;
	m->q[0].name_len = (uint16_t)strlen(m->arena);
	m->q[0].type = 1;
	m->n_q = 1;
	struct obs o = { .kind = OBS_DNS, .u.dns = m };
	o.conn.ts_us = ts * 1000000;
	o.conn.ip_version = 4;
	o.conn.src[0] = 10;
	o.conn.src[1] = (uint8_t)(client >> 16);
	o.conn.src[2] = (uint8_t)(client >> 8);
	o.conn.src[3] = (uint8_t)client;
	o.conn.dst[0] = 10;
	o.conn.dst[3] = 53;
	o.conn.transport = 17;
	o.conn.community_id = "1:x";
	o.conn.to_server = true;
	detect_observe(d, &o);
}

/* The answer to a query for name, from 10.0.0.53: one record of type with text data (empty:
 * a type dns.c does not decode), and the address when it is an A record. */
static void answer(struct detector *d, struct dns_msg *m, const char *name, uint16_t type,
		   const char *data, const uint8_t addr[4])
{
	memset(m, 0, offsetof(struct dns_msg, arena));
	size_t n = strlen(name);
	memcpy(m->arena, name, n + 1);
	memcpy(m->arena + n + 1, data, strlen(data) + 1);
	m->qr = true;
	m->q[0] = (struct dns_question){ m->arena, (uint16_t)n, type, 1 };
	m->n_q = 1;
	struct dns_rr *rr = &m->rr[0];
	rr->name = m->arena;
	rr->name_len = (uint16_t)n;
	rr->data = m->arena + n + 1;
	rr->data_len = (uint16_t)strlen(data);
	rr->ttl = 60;
	rr->type = type;
	rr->rclass = 1;
	rr->section = DNS_ANSWER;
	rr->has_addr = addr != NULL;
	if (addr)
		memcpy(rr->addr, addr, 4);
	m->n_rr = 1;
	struct obs o = { .kind = OBS_DNS, .u.dns = m };
	o.conn.ts_us = 200 * 1000000ull;
	o.conn.ip_version = 4;
	o.conn.src[0] = 10;
	o.conn.src[3] = 53;
	o.conn.dst[0] = 10;
	o.conn.dst[3] = 9;
	o.conn.transport = 17;
	o.conn.community_id = "1:x";
	detect_observe(d, &o);
}

/* An A record for name, address 203.0.113.last, with ttl, from 10.0.0.53 at ts (seconds). */
static void address(struct detector *d, struct dns_msg *m, const char *name, uint8_t last,
		    uint32_t ttl, uint64_t ts)
{
	memset(m, 0, offsetof(struct dns_msg, arena));
	size_t n = strlen(name);
	memcpy(m->arena, name, n + 1);
	char *data = m->arena + n + 1;
	snprintf(data, 16, "203.0.113.%u", last);
	m->qr = true;
	m->q[0] = (struct dns_question){ m->arena, (uint16_t)n, 1, 1 };
	m->n_q = 1;
	struct dns_rr *rr = &m->rr[0];
	*rr = (struct dns_rr){ .name = m->arena, .name_len = (uint16_t)n, .data = data,
			       .data_len = (uint16_t)strlen(data), .ttl = ttl, .type = 1,
			       .rclass = 1, .section = DNS_ANSWER, .has_addr = true };
	const uint8_t a[4] = { 203, 0, 113, last };
	memcpy(rr->addr, a, 4);
	m->n_rr = 1;
	struct obs o = { .kind = OBS_DNS, .u.dns = m };
	o.conn.ts_us = ts * 1000000;
	o.conn.ip_version = 4;
	memcpy(o.conn.src, (const uint8_t[]){ 10, 0, 0, 53 }, 4);
	memcpy(o.conn.dst, (const uint8_t[]){ 10, 0, 0, 9 }, 4);
	o.conn.sport = 53;
	o.conn.dport = 40000;
	o.conn.transport = 17;
	o.conn.community_id = "1:x";
	detect_observe(d, &o);
}

/* A plain IMAP connection from client 10.0.0.1 to 203.0.113.last at ts (seconds). */
static void imap(struct detector *d, uint8_t last, uint64_t ts)
{
	struct obs_mail mail = { .protocol = "imap" };
	struct obs o = { .kind = OBS_MAIL, .u.mail = &mail };
	o.conn.ts_us = ts * 1000000;
	o.conn.ip_version = 4;
	memcpy(o.conn.src, (const uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(o.conn.dst, (const uint8_t[]){ 203, 0, 113, last }, 4);
	o.conn.sport = 50000;
	o.conn.dport = 143;
	o.conn.transport = 6;
	o.conn.community_id = "1:y";
	o.conn.to_server = true;
	o.conn.mail_protocol = "imap";
	detect_observe(d, &o);
}

/* Passive DNS names a mail server by the answer that gave its address, for the answer's TTL
 * and while the ring still holds the answer: after either, as for a server never answered
 * for, we know nothing about the server, and no claim is made. */
static void test_passive_dns(void **state)
{
	(void)state;
	static struct dns_msg m;
	struct detect_config cfg;
	detect_config_defaults(&cfg);
	struct detector *d = detect_new(&cfg, rs, on_alert, NULL);
	query(d, &m, 1, "autodiscover.example.com", 100); /* client 10.0.0.1 */
	detect_flush(d);
	address(d, &m, "mail.elsewhere.net", 5, 300, 110);
	emitted = 0;
	imap(d, 5, 120);
	imap(d, 6, 120); /* no name for this one */
	detect_flush(d);
	assert_int_equal(emitted, 1);
	assert_string_equal(last_atomic, "mail.elsewhere.net");
	assert_non_null(strstr(last_message, "mail.elsewhere.net (203.0.113.5)"));
	imap(d, 5, 110 + 300); /* the TTL's last second */
	detect_flush(d);
	assert_int_equal(emitted, 2);
	imap(d, 5, 110 + 301); /* past it */
	detect_flush(d);
	assert_int_equal(emitted, 2);
	assert_int_equal(detect_evicted(d), 0);
	detect_free(d);

	/* The same name for another address, answered over and over, fills the ring twice: the
	 * first answer's record is written over (by one of the same name and length) while its
	 * address keeps its entry and its TTL. */
	d = detect_new(&cfg, rs, on_alert, NULL);
	query(d, &m, 1, "autodiscover.example.com", 100);
	detect_flush(d);
	address(d, &m, "mail.elsewhere.net", 5, 3600, 110);
	for (unsigned i = 0; i < 2 * DETECT_PDNS_RING / 80; i++)
		address(d, &m, "mail.elsewhere.net", 7, 3600, 111);
	emitted = 0;
	imap(d, 5, 120);
	assert_int_equal(detect_evicted(d), 1);
	imap(d, 7, 120); /* the flood's own address is still known */
	detect_flush(d);
	assert_int_equal(emitted, 1);
	assert_non_null(strstr(last_message, "(203.0.113.7)"));
	detect_free(d);
}

/* A name that must not resolve, answered: by an address, the incident names the address; by
 * a record dns.c does not decode (an RRSIG, no data), it names the name and the type. */
static void test_reserved_answer(void **state)
{
	(void)state;
	static struct dns_msg m;
	struct detect_config cfg;
	detect_config_defaults(&cfg);
	emitted = 0;
	struct detector *d = detect_new(&cfg, rs, on_alert, NULL);
	const uint8_t a[4] = { 192, 0, 2, 1 };
	answer(d, &m, "www.example.com", 1, "192.0.2.1", a);
	detect_flush(d);
	assert_int_equal(emitted, 1);
	assert_string_equal(last_atomic, "192.0.2.1");
	assert_string_equal(last_field, "dns.answers.data");
	assert_string_equal(last_message, "The reserved name www.example.com resolved to 192.0.2.1");
	answer(d, &m, "www.test", 46, "", NULL);
	detect_flush(d);
	assert_int_equal(emitted, 2);
	assert_string_equal(last_atomic, "www.test");
	assert_string_equal(last_field, "dns.answers.name");
	assert_string_equal(last_message, "The reserved name www.test has RRSIG records");
	detect_free(d);
}

static void test_aggregation(void **state)
{
	(void)state;
	static struct dns_msg m;
	struct detect_config cfg;
	detect_config_defaults(&cfg);
	emitted = counts = 0;
	struct detector *d = detect_new(&cfg, rs, on_alert, NULL);
	for (int i = 0; i < 3; i++)
		query(d, &m, 1, "autodiscover.example.com", 100 + i);
	query(d, &m, 1, "autodiscover.a.test", 104);       /* another rule and name */
	query(d, &m, 2, "autodiscover.example.com", 105);   /* another client */
	query(d, &m, 1, "autodiscover.notexample.com", 106); /* no rule */
	query(d, &m, 1, "www.example.com", 107);            /* not autodiscover */
	assert_int_equal(emitted, 0); /* all still in their window */
	detect_tick(d, (100 + 600) * 1000000ull);
	assert_int_equal(emitted, 1); /* the first, with its two repeats */
	assert_int_equal(counts, 3);
	detect_flush(d);
	assert_int_equal(emitted, 3);
	assert_int_equal(counts, 5);
	assert_int_equal(detect_count(d, ALERT_AUTODISCOVER), 5);
	detect_free(d);
}

/* A flood of distinct incidents and clients: every one is written, memory stays put. */
static void test_flood_bounded(void **state)
{
	(void)state;
	static struct dns_msg m;
	struct detect_config cfg;
	detect_config_defaults(&cfg);
	emitted = counts = 0;
	struct detector *d = detect_new(&cfg, rs, on_alert, NULL);
	size_t mem0 = detect_memory(d);
	char name[64];
	for (uint32_t i = 0; i < 100000; i++) {
		snprintf(name, sizeof name, "autodiscover.h%u.test", i);
		query(d, &m, i, name, 1000);
	}
	/* At the most pending, which the peak remembers after the flush. */
	assert_int_equal(detect_memory(d), mem0 + (size_t)DETECT_MAX_PENDING * sizeof(struct alert));
	detect_flush(d);
	assert_int_equal(detect_memory(d), mem0 + (size_t)DETECT_MAX_PENDING * sizeof(struct alert));
	assert_int_equal(emitted, 100000);
	assert_int_equal(counts, 100000);
	/* 100,000 clients through a table of DETECT_MAX_CLIENTS: the rest made room. */
	assert_true(detect_evicted(d) >= 100000 - DETECT_MAX_CLIENTS);
	assert_true(detect_evicted(d) < 100000);
	detect_free(d);

	/* One client again and again evicts nothing. */
	d = detect_new(&cfg, rs, on_alert, NULL);
	for (uint32_t i = 0; i < 1000; i++)
		query(d, &m, 7, "autodiscover.example.com", 1000 + i);
	assert_int_equal(detect_evicted(d), 0);
	detect_free(d);
}

/* An incident raised while the capture drops packets says so, and so does its aggregate
 * when only a repeat was raised then; one raised after the loss ended does not. */
static void test_capture_loss(void **state)
{
	(void)state;
	static struct dns_msg m;
	struct detect_config cfg;
	detect_config_defaults(&cfg);
	emitted = counts = lossy = 0;
	struct detector *d = detect_new(&cfg, rs, on_alert, NULL);
	query(d, &m, 1, "autodiscover.example.com", 100);
	detect_set_capture_loss(d, true);
	query(d, &m, 1, "autodiscover.example.com", 101); /* a repeat, while lossy */
	query(d, &m, 2, "autodiscover.example.com", 102); /* a new one, while lossy */
	detect_set_capture_loss(d, false);
	query(d, &m, 3, "autodiscover.example.com", 103);
	detect_flush(d);
	assert_int_equal(emitted, 3);
	assert_int_equal(lossy, 2);
	detect_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_loss),
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_reserved_answer),
		cmocka_unit_test(test_flood_bounded),
		cmocka_unit_test(test_passive_dns),
	};
	return cmocka_run_group_tests_name("detect", tests, setup, teardown);
}

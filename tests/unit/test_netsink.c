/* test_netsink.c: network sink specs, syslog severity and the RFC 5424 header, and the queue
 * bound (a sink whose collector never answers drops and counts, and closes in bounded time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/netsink.h"

static void ok_spec(const char *spec, enum netsink_kind kind, const char *host, unsigned port,
		    const char *key)
{
	struct netsink_addr a;
	char err[256] = "";
	int rc = netsink_parse(spec, &a, err, sizeof err);
	if (rc != 0)
		fail_msg("%s: %s", spec, err);
	assert_int_equal(a.kind, kind);
	assert_string_equal(a.host, host);
	assert_int_equal(a.port, port);
	assert_string_equal(a.key, key);
}

static void bad_spec(const char *spec)
{
	struct netsink_addr a;
	char err[1024] = "";
	if (netsink_parse(spec, &a, err, sizeof err) == 0)
		fail_msg("%s: accepted", spec);
	assert_non_null(strstr(err, spec)); /* the reason names the spec */
	assert_null(strchr(err, '\n'));
}

static void test_parse_good(void **state)
{
	(void)state;
	ok_spec("syslog://127.0.0.1:514", NETSINK_SYSLOG_TCP, "127.0.0.1", 514, "");
	ok_spec("syslog+udp://logs.example-1.net:65535", NETSINK_SYSLOG_UDP, "logs.example-1.net",
		65535, "");
	ok_spec("redis://localhost:6379/misroute", NETSINK_REDIS_LIST, "localhost", 6379, "misroute");
	ok_spec("redis://[::1]:6379/k:1", NETSINK_REDIS_LIST, "::1", 6379, "k:1");
	ok_spec("redis://h:1/k?stream", NETSINK_REDIS_STREAM, "h", 1, "k");
	ok_spec("redis+stream://[fe80::1]:7000/ev", NETSINK_REDIS_STREAM, "fe80::1", 7000, "ev");
	assert_true(netsink_is_spec("redis+stream://x"));
	assert_false(netsink_is_spec("/var/log/redis://x"));
	assert_false(netsink_is_spec("-"));
}

static void test_parse_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"syslog://", "syslog://:514", "syslog://h", "syslog://h:", "syslog://h:0",
		"syslog://h:65536", "syslog://h:0514x", "syslog://h:1234567", "syslog://h:-1",
		"syslog://h:514/", "syslog://h :514", "syslog+udp://[::1]", "syslog+udp://[::1:514",
		"syslog://[]:514", "syslog://[nothex]:514", "redis://h:6379", "redis://h:6379/",
		"redis://h:6379/?stream", "redis://h:6379/k?list", "redis://h:6379/k?stream?stream",
		"redis+stream://h:1/k?stream", "redis://h:1/a b", "redis://[::1]6379/k", "ftp://h:1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		bad_spec(bad[i]);
	/* every truncation of a good spec that cuts into or before the key's first byte */
	const char *good = "redis://[::1]:6379/key";
	char buf[64];
	for (size_t n = 0; n <= strlen("redis://[::1]:6379/"); n++) {
		struct netsink_addr a;
		char err[256];
		memcpy(buf, good, n);
		buf[n] = '\0';
		assert_int_equal(netsink_parse(buf, &a, err, sizeof err), -1);
	}
	/* a host and a key one past their bounds */
	char host[NETSINK_HOST_MAX + 40], key[NETSINK_KEY_MAX + 40];
	char big[NETSINK_HOST_MAX + NETSINK_KEY_MAX + 64];
	memset(host, 'a', NETSINK_HOST_MAX + 1);
	host[NETSINK_HOST_MAX + 1] = '\0';
	snprintf(big, sizeof big, "syslog://%s:1", host);
	bad_spec(big);
	host[NETSINK_HOST_MAX] = '\0';
	snprintf(big, sizeof big, "syslog://%s:1", host);
	struct netsink_addr a;
	char err[256];
	assert_int_equal(netsink_parse(big, &a, err, sizeof err), 0);
	memset(key, 'k', NETSINK_KEY_MAX + 1);
	key[NETSINK_KEY_MAX + 1] = '\0';
	snprintf(big, sizeof big, "redis://h:1/%s", key);
	bad_spec(big);
}

static void test_severity(void **state)
{
	(void)state;
	const char *alert = "{\"@timestamp\":\"x\",\"event\":{\"kind\":\"alert\"},\"k\":{\"kind\":\"event\"}}";
	assert_int_equal(netsink_severity(alert, strlen(alert)), 4);
	assert_int_equal(netsink_severity("{\"event\":{\"kind\":\"metric\"}}", 27), 5);
	assert_int_equal(netsink_severity("{\"kind\":\"config\"}", 17), 5);
	assert_int_equal(netsink_severity("{\"kind\":\"event\"}", 16), 6);
	assert_int_equal(netsink_severity("{\"kind\":\"alerts\"}", 17), 6);
	assert_int_equal(netsink_severity("{}", 2), 6);
	/* cut inside the value: never reads past len */
	assert_int_equal(netsink_severity("{\"kind\":\"alert", 14), 6);
	assert_int_equal(netsink_severity("{\"kind\":\"ale", 12), 6);
}

static void test_header(void **state)
{
	(void)state;
	char b[NETSINK_HEADER_MAX];
	/* 2026-11-28T20:26:42.000123Z */
	int64_t ts = 1795897602LL * 1000000 + 123;
	int n = netsink_syslog_header(b, sizeof b, 4, ts, "sensor-1", 4242);
	assert_string_equal(b, "<132>1 2026-11-28T20:26:42.000123Z sensor-1 misroute 4242 - - ");
	assert_int_equal(n, (int)strlen(b));
	netsink_syslog_header(b, sizeof b, 6, 0, "bad host", 1);
	assert_string_equal(b, "<134>1 1970-01-01T00:00:00.000000Z - misroute 1 - - ");
	netsink_syslog_header(b, sizeof b, 5, 0, "", 1);
	assert_string_equal(b, "<133>1 1970-01-01T00:00:00.000000Z - misroute 1 - - ");
	assert_int_equal(netsink_syslog_header(b, 10, 5, 0, "h", 1), -1);
	assert_int_equal(netsink_syslog_header(b, sizeof b, 5, -1, "h", 1), -1);
}

/* A collector that refuses connections: port 1 on loopback. The queue (2 records by the test
 * variable) holds two, drops the rest, and close reports every record as lost in bounded time. */
static void test_queue_bound(void **state)
{
	(void)state;
	setenv("MISROUTE_SINK_QUEUE", "2", 1);
	char err[256];
	struct netsink *s = netsink_open("syslog://127.0.0.1:1", err, sizeof err);
	unsetenv("MISROUTE_SINK_QUEUE");
	assert_non_null(s);
	assert_int_equal(netsink_start(s, err, sizeof err), 0);
	for (int i = 0; i < 10; i++)
		netsink_push(s, "{\"kind\":\"event\"}", 16);
	struct netsink_stats st;
	netsink_stats(s, &st);
	assert_int_equal(st.queued, 2);
	assert_int_equal(st.dropped, 8);
	assert_int_equal(st.sent, 0);
	int64_t t0 = netsink_now_ms();
	uint64_t lost = netsink_close(s, t0 + 300, &st);
	assert_int_equal(lost, 10);
	assert_int_equal(st.pending, 2);
	assert_true(netsink_now_ms() - t0 < 300 + 2 * NETSINK_IO_TIMEOUT_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_queue_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

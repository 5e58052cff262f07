/* test_record.c: the records and the summary that live capture added — capture loss on an
 * incident, each worker's capture counters in a metric record, the end-of-replay summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "output/record.h"
#include "output/summary.h"

static char buf[RECORD_MAX];

/* An incident from client 10.0.0.c to 192.0.2.d about name. */
static void make_alert(struct alert *a, uint8_t c, uint8_t d, const char *name)
{
	memset(a, 0, sizeof *a);
	a->kind = ALERT_AUTODISCOVER;
	a->count = 2;
	snprintf(a->rule_id, sizeof a->rule_id, "t-example");
	snprintf(a->name, sizeof a->name, "%s", name);
	a->conn.ip_version = 4;
	a->conn.transport = 17;
	a->conn.to_server = true;
	memcpy(a->conn.src, (uint8_t[]){ 10, 0, 0, c }, 4);
	memcpy(a->conn.dst, (uint8_t[]){ 192, 0, 2, d }, 4);
	a->conn.community_id = a->community_id;
}

static void test_capture_loss_field(void **state)
{
	(void)state;
	static struct alert a;
	make_alert(&a, 1, 1, "autodiscover.example.com");
	size_t n = record_alert(buf, sizeof buf, &a);
	assert_true(n > 0);
	assert_null(strstr(buf, "capture_loss"));
	a.capture_loss = true;
	n = record_alert(buf, sizeof buf, &a);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "\"count\":2,\"incident\":\"autodiscover-reserved-domain\","
				    "\"capture_loss\":true"));
}

static void test_worker_counters(void **state)
{
	(void)state;
	static struct stats st;
	const struct capture_counters caps[2] = { { true, 100, 5, 1, 94 }, { true, 50, 0, 0, 50 } };
	struct metric_extra x = { .final = true, .caps = caps, .n_caps = 2 };
	assert_true(record_metric(buf, sizeof buf, &st, &x) > 0);
	assert_non_null(strstr(buf, "\"capture\":{\"received\":150,\"dropped\":5,\"if_dropped\":1,"
				    "\"workers\":[{\"worker\":0,\"received\":100,\"dropped\":5,"
				    "\"if_dropped\":1,\"packets\":94},{\"worker\":1,\"received\":50,"
				    "\"dropped\":0,\"if_dropped\":0,\"packets\":50}]}"));
	x.n_caps = 0; /* a replay: no capture object at all */
	assert_true(record_metric(buf, sizeof buf, &st, &x) > 0);
	assert_null(strstr(buf, "\"capture\""));
}

static void test_summary(void **state)
{
	(void)state;
	static struct alert a;
	struct summary *s = summary_new();
	assert_non_null(s);
	/* Client 10.0.0.1 raises 7 incidents; clients .2 to .8 one each. */
	for (uint8_t i = 1; i <= 14; i++) {
		make_alert(&a, i <= 7 ? 1 : (uint8_t)(i - 6), 9, "autodiscover.example.com");
		if (i == 3) {
			a.have_geo = true;
			a.dst_geo.asn = 2514;
			snprintf(a.dst_geo.country, sizeof a.dst_geo.country, "JP");
			snprintf(a.dst_geo.as_org, sizeof a.dst_geo.as_org, "NTT PC");
		}
		summary_add(s, &a);
	}
	assert_int_equal(summary_incidents(s), 14);
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	summary_print(s, fp);
	fclose(fp);
	assert_non_null(strstr(text, "misroute: 14 incidents\n  by rule:\n"
				     "        14  autodiscover-reserved-domain t-example, 28 times\n"));
	assert_non_null(strstr(text, "  top clients:\n         7  10.0.0.1, 14 times\n"
				     "         1  10.0.0.2, 2 times\n"));
	/* Five lines per table; the three clients beyond are one line. */
	assert_non_null(strstr(text, "         1  10.0.0.5, 2 times\n         3  others\n"));
	assert_non_null(strstr(text, "  top destinations:\n        14  192.0.2.9  [JP, AS2514 NTT PC], 28 times\n"));
	free(text);
	summary_free(s);

	/* A server name and an AS name with terminal escapes reach the terminal as text. */
	s = summary_new();
	assert_non_null(s);
	make_alert(&a, 1, 9, "autodiscover.example.com");
	snprintf(a.server_name, sizeof a.server_name, "x\x1b]0;owned\x07.example");
	a.have_geo = true;
	a.dst_geo.asn = 2514;
	snprintf(a.dst_geo.country, sizeof a.dst_geo.country, "JP");
	snprintf(a.dst_geo.as_org, sizeof a.dst_geo.as_org, "Org\x1b[2J\xc3\xa9");
	summary_add(s, &a);
	fp = open_memstream(&text, &len);
	summary_print(s, fp);
	fclose(fp);
	assert_null(strchr(text, 0x1b));
	assert_null(strchr(text, 0x07));
	assert_non_null(strstr(text, "(x\\x1b]0;owned\\x07.example)  [JP, AS2514 Org\\x1b[2J\\xc3\\xa9]"));
	free(text);
	summary_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_loss_field),
		cmocka_unit_test(test_worker_counters),
		cmocka_unit_test(test_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

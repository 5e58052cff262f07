/* test_dns.c: dissectors/dns.c on hand-made, hostile, truncated and captured messages (RFC 1035 4.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/dns.h"

/* One parse result at a time: the struct is ~20 KiB, too big to want on every stack frame. */
static struct dns_msg msg;

/* ---- hand-made vectors ----
 *
 * A response header (id 0x1234, QR RD RA, one question, one answer) and the question
 * "example.com A IN" with its name at offset 12, so records can point to it with c0 0c.
 * The record vectors below are one answer each and are appended to it. */
static const uint8_t resp_head[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01,
};

/* Owner c0 0c (example.com), TYPE, class IN, TTL 300, RDLENGTH. */
#define RR_HEAD(type, rdlen) \
	0xc0, 0x0c, (type) >> 8, (type) & 0xff, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, (rdlen)

static const uint8_t rr_a[] = { RR_HEAD(1, 4), 93, 184, 216, 34 };
static const uint8_t rr_aaaa[] = {
	RR_HEAD(28, 16), 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
};
static const uint8_t rr_aaaa_mapped[] = {
	RR_HEAD(28, 16), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1,
};
static const uint8_t rr_cname[] = { RR_HEAD(5, 6), 3, 'w', 'w', 'w', 0xc0, 0x0c };
static const uint8_t rr_ns[] = { RR_HEAD(2, 6), 3, 'n', 's', '1', 0xc0, 0x0c };
static const uint8_t rr_ptr[] = {
	RR_HEAD(12, 18), 4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	3, 'n', 'e', 't', 0,
};
static const uint8_t rr_dname[] = {
	RR_HEAD(39, 13), 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0,
};
static const uint8_t rr_mx[] = { RR_HEAD(15, 9), 0, 10, 4, 'm', 'a', 'i', 'l', 0xc0, 0x0c };
static const uint8_t rr_srv[] = {
	RR_HEAD(33, 21), 0, 0, 0, 5, 0x01, 0xbb,
	12, 'a', 'u', 't', 'o', 'd', 'i', 's', 'c', 'o', 'v', 'e', 'r', 0xc0, 0x0c,
};
static const uint8_t rr_txt[] = { RR_HEAD(16, 4), 1, 'a', 1, 'b' };
/* A quote, a backslash, a control byte, a space, a high byte, then an empty string. */
static const uint8_t rr_txt_escape[] = {
	RR_HEAD(16, 8), 6, 'x', '"', '\\', 0x01, ' ', 0xff, 0,
};
static const uint8_t rr_spf[] = {
	RR_HEAD(99, 12), 11, 'v', '=', 's', 'p', 'f', '1', ' ', '-', 'a', 'l', 'l',
};
static const uint8_t rr_soa[] = {
	RR_HEAD(6, 39), 3, 'n', 's', '1', 0xc0, 0x0c,
	10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, 0x0c,
	0x78, 0xa3, 0xf1, 0x75, /* serial 2024010101 */
	0x00, 0x00, 0x1c, 0x20, /* refresh 7200 */
	0x00, 0x00, 0x0e, 0x10, /* retry 3600 */
	0x00, 0x12, 0x75, 0x00, /* expire 1209600 */
	0x00, 0x00, 0x01, 0x2c, /* minimum 300 */
};
/* Priority 1, target the root, then an alpn=h2 parameter that the summary leaves out. */
static const uint8_t rr_https[] = {
	RR_HEAD(65, 10), 0, 1, 0, 0x00, 0x01, 0x00, 0x03, 2, 'h', '2',
};
static const uint8_t rr_svcb[] = {
	RR_HEAD(64, 19), 0, 16, 3, 's', 'v', 'c', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	3, 'n', 'e', 't', 0,
};
static const uint8_t rr_caa[] = {
	RR_HEAD(257, 22), 0, 5, 'i', 's', 's', 'u', 'e',
	'l', 'e', 't', 's', 'e', 'n', 'c', 'r', 'y', 'p', 't', '.', 'o', 'r', 'g',
};
/* Critical flag; tags match case-insensitively so the tag is printed lower-case. */
static const uint8_t rr_caa_upper[] = {
	RR_HEAD(257, 12), 128, 9, 'I', 'S', 'S', 'U', 'E', 'W', 'I', 'L', 'D', ';',
};
static const uint8_t rr_uri[] = {
	RR_HEAD(256, 24), 0, 10, 0, 1,
	'h', 't', 't', 'p', 's', ':', '/', '/', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c',
	'o', 'm', '/',
};
static const uint8_t rr_unknown[] = { RR_HEAD(0x1234, 3), 0x0a, 0x0b, 0xfc };
static const uint8_t rr_null_empty[] = { RR_HEAD(10, 0) };
/* RFC 3597 also for types that have a presentation form we do not write. */
static const uint8_t rr_ds[] = { RR_HEAD(43, 5), 0x4e, 0x20, 8, 2, 0xab };

struct rr_case {
	const char *what;
	const uint8_t *rr;
	size_t len;
	uint16_t type;
	const char *data;
};

#define RR_CASE(v, type, data) { #v, v, sizeof v, type, data }

static const struct rr_case rr_cases[] = {
	RR_CASE(rr_a, 1, "93.184.216.34"),
	RR_CASE(rr_aaaa, 28, "2001:db8::1"),
	RR_CASE(rr_aaaa_mapped, 28, "::ffff:192.0.2.1"),
	RR_CASE(rr_cname, 5, "www.example.com"),
	RR_CASE(rr_ns, 2, "ns1.example.com"),
	RR_CASE(rr_ptr, 12, "host.example.net"),
	RR_CASE(rr_dname, 39, "example.org"),
	RR_CASE(rr_mx, 15, "10 mail.example.com"),
	RR_CASE(rr_srv, 33, "0 5 443 autodiscover.example.com"),
	RR_CASE(rr_txt, 16, "\"a\" \"b\""),
	RR_CASE(rr_txt_escape, 16, "\"x\\\"\\\\\\001 \\255\" \"\""),
	RR_CASE(rr_spf, 99, "\"v=spf1 -all\""),
	RR_CASE(rr_soa, 6,
		"ns1.example.com hostmaster.example.com 2024010101 7200 3600 1209600 300"),
	RR_CASE(rr_https, 65, "1 ."),
	RR_CASE(rr_svcb, 64, "16 svc.example.net"),
	RR_CASE(rr_caa, 257, "0 issue \"letsencrypt.org\""),
	RR_CASE(rr_caa_upper, 257, "128 issuewild \";\""),
	RR_CASE(rr_uri, 256, "10 1 \"https://example.com/\""),
	/* Types dns.c does not decode: no text. */
	RR_CASE(rr_unknown, 0x1234, ""),
	RR_CASE(rr_null_empty, 10, ""),
	RR_CASE(rr_ds, 43, ""),
};

#define N_RR_CASES (sizeof rr_cases / sizeof rr_cases[0])

/* resp_head followed by one record: the message a record vector stands for. */
static size_t with_head(uint8_t *out, size_t cap, const uint8_t *rr, size_t len)
{
	assert_true(sizeof resp_head + len <= cap);
	memcpy(out, resp_head, sizeof resp_head);
	memcpy(out + sizeof resp_head, rr, len);
	return sizeof resp_head + len;
}

/* Parses exactly len bytes from a heap copy, so ASan sees any read past the end. */
static enum dis_status parse_exact(const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	if (len)
		memcpy(copy, p, len);
	enum dis_status st = dns_parse(copy, len, &msg);
	free(copy);
	return st;
}

/* Every string the result points to lies inside the arena, within the used part, and is as
 * long as its length field says. */
static void assert_strings_in_arena(const struct dns_msg *m)
{
	assert_true(m->arena_used <= sizeof m->arena);
	const char *lo = m->arena, *hi = m->arena + m->arena_used;
	for (unsigned i = 0; i < m->n_q; i++) {
		assert_true(m->q[i].name >= lo && m->q[i].name < hi);
		assert_non_null(memchr(m->q[i].name, '\0', (size_t)(hi - m->q[i].name)));
		assert_int_equal(strlen(m->q[i].name), m->q[i].name_len);
	}
	for (unsigned i = 0; i < m->n_rr; i++) {
		assert_true(m->rr[i].name >= lo && m->rr[i].name < hi);
		assert_true(m->rr[i].data >= lo && m->rr[i].data < hi);
		assert_non_null(memchr(m->rr[i].data, '\0', (size_t)(hi - m->rr[i].data)));
		assert_int_equal(strlen(m->rr[i].name), m->rr[i].name_len);
		assert_int_equal(strlen(m->rr[i].data), m->rr[i].data_len);
	}
}

/* ---- every record type ---- */

static void test_record_types(void **state)
{
	(void)state;
	uint8_t buf[256];
	for (size_t i = 0; i < N_RR_CASES; i++) {
		const struct rr_case *c = &rr_cases[i];
		size_t n = with_head(buf, sizeof buf, c->rr, c->len);
		assert_int_equal(dns_parse(buf, n, &msg), DIS_OK);
		assert_null(msg.reason);
		assert_int_equal(msg.id, 0x1234);
		assert_true(msg.qr);
		assert_int_equal(msg.n_q, 1);
		assert_string_equal(msg.q[0].name, "example.com");
		assert_int_equal(msg.q[0].type, 1);
		assert_int_equal(msg.q[0].qclass, 1);
		assert_int_equal(msg.n_rr, 1);
		assert_int_equal(msg.rr_dropped, 0);
		assert_string_equal(msg.rr[0].name, "example.com");
		assert_int_equal(msg.rr[0].type, c->type);
		assert_int_equal(msg.rr[0].rclass, 1);
		assert_int_equal(msg.rr[0].ttl, 300);
		assert_int_equal(msg.rr[0].section, DNS_ANSWER);
		assert_string_equal(msg.rr[0].data, c->data);
		/* An address record also keeps its address as bytes, the same as its text. */
		bool addr = c->type == 1 || c->type == 28;
		assert_int_equal(msg.rr[0].has_addr, addr);
		if (addr) {
			char text[INET6_ADDRSTRLEN];
			inet_ntop(c->type == 28 ? AF_INET6 : AF_INET, msg.rr[0].addr, text, sizeof text);
			assert_string_equal(text, c->data);
		}
		assert_false(msg.edns);
		assert_strings_in_arena(&msg);
	}
}

/* ---- header, questions, EDNS ---- */

static const uint8_t header_flags[] = {
	/* id, QR opcode=5 AA TC RD | RA Z AD CD rcode=5, no sections */
	0xbe, 0xef, 0xaf, 0xb5, 0, 0, 0, 0, 0, 0, 0, 0,
};

static void test_header_flags(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(header_flags, sizeof header_flags, &msg), DIS_OK);
	assert_int_equal(msg.id, 0xbeef);
	assert_true(msg.qr && msg.aa && msg.tc && msg.rd && msg.ra && msg.ad && msg.cd);
	assert_int_equal(msg.opcode, 5);
	assert_int_equal(msg.rcode, 5);
	assert_int_equal(msg.n_q + msg.n_rr, 0);
	assert_null(msg.reason);
}

/* Query with mixed-case name and an OPT record: UDP 4096, version 0, DO set. */
static const uint8_t query_edns[] = {
	0xab, 0xcd, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 1,
	3, 'W', 'w', 'W', 7, 'E', 'x', 'A', 'm', 'P', 'l', 'E', 3, 'C', 'O', 'M', 0, 0, 28, 0, 1,
	0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0x00, 0, 0,
};

static void test_query_edns(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(query_edns, sizeof query_edns, &msg), DIS_OK);
	assert_false(msg.qr);
	assert_true(msg.rd && msg.ad);
	assert_int_equal(msg.n_q, 1);
	assert_string_equal(msg.q[0].name, "www.example.com");
	assert_int_equal(msg.q[0].type, 28);
	assert_true(msg.edns);
	assert_int_equal(msg.edns_udp_size, 4096);
	assert_int_equal(msg.edns_version, 0);
	assert_true(msg.edns_do);
	assert_int_equal(msg.rcode, 0);
	assert_int_equal(msg.n_rr, 0); /* OPT is not a record */
	assert_int_equal(msg.rr_dropped, 0);
	assert_null(msg.reason);
	assert_int_equal(msg.used, sizeof query_edns);
	/* Bytes after the last record are not the message's: used says where it ended. */
	uint8_t trail[sizeof query_edns + 7];
	memcpy(trail, query_edns, sizeof query_edns);
	memset(trail + sizeof query_edns, 0xab, 7);
	assert_int_equal(dns_parse(trail, sizeof trail, &msg), DIS_OK);
	assert_null(msg.reason);
	assert_int_equal(msg.used, sizeof query_edns);
}

/* Labels "A.b", "c\d", bytes 00 20 7f, byte ff, "!~": case folded, '.' and '\' escaped,
 * bytes outside 0x21..0x7e as \DDD, the printable edges kept. */
static const uint8_t query_escape[] = {
	0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
	3, 'A', '.', 'b', 3, 'c', '\\', 'D', 3, 0x00, 0x20, 0x7f, 1, 0xff, 2, '!', '~', 0,
	0, 1, 0, 1,
};

static void test_name_escaping(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(query_escape, sizeof query_escape, &msg), DIS_OK);
	assert_string_equal(msg.q[0].name, "a\\.b.c\\\\d.\\000\\032\\127.\\255.!~");
}

/* Every byte value, alone in a two-byte label after "x": written as RFC 1035 says. */
static void test_name_every_byte(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		const uint8_t q[] = { 0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				      2, 'x', (uint8_t)b, 0, 0, 1, 0, 1 };
		char want[8];
		if (b >= 'A' && b <= 'Z')
			snprintf(want, sizeof want, "x%c", (char)(b + 32));
		else if (b == '.' || b == '\\')
			snprintf(want, sizeof want, "x\\%c", (char)b);
		else if (b < 0x21 || b > 0x7e)
			snprintf(want, sizeof want, "x\\%03u", b);
		else
			snprintf(want, sizeof want, "x%c", (char)b);
		assert_int_equal(dns_parse(q, sizeof q, &msg), DIS_OK);
		assert_string_equal(msg.q[0].name, want);
		assert_int_equal(msg.q[0].name_len, strlen(want));
	}
}

static const uint8_t query_root[] = {
	0, 2, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1,
};

static void test_root_name(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(query_root, sizeof query_root, &msg), DIS_OK);
	assert_string_equal(msg.q[0].name, ".");
	assert_int_equal(msg.q[0].type, 2);
}

/* Response with header rcode 0 and an OPT whose extended rcode is 1: 1 << 4 | 0 = 16. */
static const uint8_t resp_badvers[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 1,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
	0, 0, 41, 0x04, 0xd0, 0x01, 0x00, 0x00, 0x00, 0, 0,
};
/* Header rcode 3 (NXDOMAIN), extended rcode 1, EDNS version 1: 19. */
static const uint8_t resp_ext_rcode[] = {
	0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 1,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
	0, 0, 41, 0x02, 0x00, 0x01, 0x01, 0x00, 0x00, 0, 4, 0, 10, 0, 0, /* empty cookie opt */
};
/* NXDOMAIN with a plain OPT: the rcode stays 3. */
static const uint8_t resp_nx_opt[] = {
	0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 1,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
	0, 0, 41, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0,
};

static void test_edns_extended_rcode(void **state)
{
	(void)state;
	char b[16];
	assert_int_equal(dns_parse(resp_badvers, sizeof resp_badvers, &msg), DIS_OK);
	assert_true(msg.edns);
	assert_int_equal(msg.edns_udp_size, 1232);
	assert_false(msg.edns_do);
	assert_int_equal(msg.rcode, 16);
	assert_string_equal(dns_rcode_name(msg.rcode, b, sizeof b), "BADVERS");

	assert_int_equal(dns_parse(resp_ext_rcode, sizeof resp_ext_rcode, &msg), DIS_OK);
	assert_int_equal(msg.rcode, 19);
	assert_int_equal(msg.edns_version, 1);
	assert_null(msg.reason);

	assert_int_equal(dns_parse(resp_nx_opt, sizeof resp_nx_opt, &msg), DIS_OK);
	assert_int_equal(msg.rcode, 3);
	assert_string_equal(dns_rcode_name(msg.rcode, b, sizeof b), "NXDOMAIN");
}

/* All three sections, an OPT between two additional records, and an additional record
 * whose owner points into the NS record's RDATA (offset 57). */
static const uint8_t resp_sections[] = {
	0x12, 0x34, 0x85, 0x80, 0, 1, 0, 1, 0, 1, 0, 2,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
	RR_HEAD(1, 4), 192, 0, 2, 1,
	RR_HEAD(2, 6), 3, 'n', 's', '1', 0xc0, 0x0c,
	0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0,
	0xc0, 57, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 53,
};

static void test_sections(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(resp_sections, sizeof resp_sections, &msg), DIS_OK);
	assert_null(msg.reason);
	assert_true(msg.aa);
	assert_int_equal(msg.n_rr, 3);
	assert_int_equal(msg.rr[0].section, DNS_ANSWER);
	assert_int_equal(msg.rr[1].section, DNS_AUTHORITY);
	assert_string_equal(msg.rr[1].data, "ns1.example.com");
	assert_int_equal(msg.rr[2].section, DNS_ADDITIONAL);
	assert_string_equal(msg.rr[2].name, "ns1.example.com");
	assert_string_equal(msg.rr[2].data, "192.0.2.53");
	assert_int_equal(msg.rr[2].ttl, 3600);
	assert_true(msg.edns && msg.edns_do);
}

/* A second OPT is a protocol error (RFC 6891 6.1.1): the first one counts. */
static const uint8_t resp_two_opt[] = {
	0x12, 0x34, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 2,
	0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0,
	0, 0, 41, 0x10, 0x00, 0x0f, 0, 0x80, 0, 0, 0,
};

static void test_two_opt(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(resp_two_opt, sizeof resp_two_opt, &msg), DIS_OK);
	assert_int_equal(msg.edns_udp_size, 1232);
	assert_false(msg.edns_do);
	assert_int_equal(msg.rcode, 0);
	assert_int_equal(msg.n_rr, 0);
}

/* ---- malformed input ---- */

static const uint8_t q_ptr_self[] = {
	0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1,
};
static const uint8_t q_ptr_forward[] = {
	0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x12, 0, 1, 0, 1, 1, 'a', 0,
};
/* "www" then a pointer back to the name's own start: a loop through a label. */
static const uint8_t q_ptr_own_start[] = {
	0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 0xc0, 0x0c, 0, 1, 0, 1,
};
static const uint8_t q_label_0x40[] = {
	0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 'a', 0, 0, 1, 0, 1,
};
static const uint8_t q_label_0x80[] = {
	0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x81, 'a', 0, 0, 1, 0, 1,
};
/* qdcount 2, one question. */
static const uint8_t q_count_lies[] = {
	0, 1, 0x01, 0x00, 0, 2, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1,
};
static const uint8_t q_truncated[] = {
	0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0,
};

struct bad_case {
	const char *what;
	const uint8_t *p;
	size_t len;
	const char *reason;
};

#define BAD(v, reason) { #v, v, sizeof v, reason }

static const struct bad_case bad_questions[] = {
	BAD(q_label_0x40, "extended label type"),
	BAD(q_label_0x80, "extended label type"),
	BAD(q_count_lies, "fewer questions than qdcount"),
	BAD(q_truncated, "question truncated"),
};

/* A pointer that is not backwards ends the name's text, not the parse: the question is
 * kept (its name cut where the bad pointer stood) and the message says why. */
static const struct bad_case soft_questions[] = {
	BAD(q_ptr_self, "compression pointer not backwards"),
	BAD(q_ptr_forward, "compression pointer not backwards"),
	BAD(q_ptr_own_start, "compression pointer not backwards"),
};

static void test_soft_questions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof soft_questions / sizeof soft_questions[0]; i++) {
		const struct bad_case *c = &soft_questions[i];
		assert_int_equal(parse_exact(c->p, c->len), DIS_OK);
		assert_string_equal(msg.reason, c->reason);
		assert_int_equal(msg.n_q, msg.qdcount);
	}
}

static void test_bad_questions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_questions / sizeof bad_questions[0]; i++) {
		const struct bad_case *c = &bad_questions[i];
		assert_int_equal(parse_exact(c->p, c->len), DIS_MALFORMED);
		assert_string_equal(msg.reason, c->reason);
		/* The header is still there for counting and matching. */
		assert_int_equal(msg.id, 1);
	}
}

/* Answers after the question of resp_head (ancount patched by the test). */
static const uint8_t an_ptr_forward[] = { 0xc0, 0x30, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4 };
static const uint8_t an_rdata_truncated[] = { RR_HEAD(1, 10), 1, 2, 3, 4 };
static const uint8_t an_record_truncated[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0 };
static const uint8_t an_a_rdlen_5[] = { RR_HEAD(1, 5), 1, 2, 3, 4, 5 };
static const uint8_t an_aaaa_rdlen_4[] = { RR_HEAD(28, 4), 1, 2, 3, 4 };
static const uint8_t an_cname_extra[] = { RR_HEAD(5, 8), 3, 'w', 'w', 'w', 0xc0, 0x0c, 0xaa, 0xbb };
/* RDLENGTH 4 cuts the name before its pointer; the bytes after are the next record. */
static const uint8_t an_cname_past_rdlen[] = {
	RR_HEAD(5, 4), 3, 'w', 'w', 'w', 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4,
};
static const uint8_t an_mx_rdlen_1[] = { RR_HEAD(15, 1), 0, 10, 0xc0, 0x0c };
static const uint8_t an_soa_short[] = { RR_HEAD(6, 20), 0xc0, 0x0c, 0xc0, 0x0c,
	0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 };
static const uint8_t an_txt_past[] = { RR_HEAD(16, 3), 5, 'a', 'b', 'c', 'd', 'e' };
static const uint8_t an_caa_no_tag[] = { RR_HEAD(257, 3), 0, 0, 'x' };
static const uint8_t an_uri_short[] = { RR_HEAD(256, 4), 0, 1, 0, 1 };
static const uint8_t an_https_past[] = { RR_HEAD(65, 3), 0, 1, 3, 'a', 'b', 'c', 0 };

static const struct bad_case bad_answers[] = {
	BAD(an_rdata_truncated, "rdata truncated"),
	BAD(an_record_truncated, "record truncated"),
	BAD(an_a_rdlen_5, "A rdata not 4 bytes"),
	BAD(an_aaaa_rdlen_4, "AAAA rdata not 16 bytes"),
	BAD(an_cname_extra, "rdata longer than its type needs"),
	BAD(an_cname_past_rdlen, "name runs past rdata"),
	BAD(an_mx_rdlen_1, "name runs past rdata"),
	BAD(an_soa_short, "rdata shorter than its type needs"),
	BAD(an_txt_past, "TXT string runs past rdata"),
	BAD(an_caa_no_tag, "CAA tag runs past rdata"),
	BAD(an_uri_short, "URI rdata too short"),
	BAD(an_https_past, "name runs past rdata"),
};

/* A bad record ends the parse after the question: DIS_OK, nothing kept, a reason. */
static void test_bad_answers(void **state)
{
	(void)state;
	uint8_t buf[256];
	for (size_t i = 0; i < sizeof bad_answers / sizeof bad_answers[0]; i++) {
		const struct bad_case *c = &bad_answers[i];
		size_t n = with_head(buf, sizeof buf, c->p, c->len);
		assert_int_equal(parse_exact(buf, n), DIS_OK);
		assert_int_equal(msg.n_q, 1);
		assert_int_equal(msg.n_rr, 0);
		assert_non_null(msg.reason);
		assert_string_equal(msg.reason, c->reason);
	}
}

/* An owner name that points forwards is cut, its record kept: the address is not lost. */
static void test_forward_owner(void **state)
{
	(void)state;
	uint8_t buf[256];
	size_t n = with_head(buf, sizeof buf, an_ptr_forward, sizeof an_ptr_forward);
	assert_int_equal(parse_exact(buf, n), DIS_OK);
	assert_int_equal(msg.n_rr, 1);
	assert_string_equal(msg.rr[0].name, "");
	assert_string_equal(msg.rr[0].data, "1.2.3.4");
	assert_string_equal(msg.reason, "compression pointer not backwards");
}

/* ancount 65535 with three records: the three are kept, the lie is reported. */
static void test_lying_count(void **state)
{
	(void)state;
	uint8_t buf[256];
	size_t n = with_head(buf, sizeof buf, rr_a, sizeof rr_a);
	for (int i = 0; i < 2; i++) {
		memcpy(buf + n, rr_a, sizeof rr_a);
		n += sizeof rr_a;
	}
	buf[6] = 0xff;
	buf[7] = 0xff;
	assert_int_equal(parse_exact(buf, n), DIS_OK);
	assert_int_equal(msg.ancount, 65535);
	assert_int_equal(msg.n_rr, 3);
	assert_string_equal(msg.reason, "fewer records than the header counts");
}

/* A bad record in the middle: the one before is kept, nothing after it. */
static void test_bad_record_ends_parse(void **state)
{
	(void)state;
	uint8_t buf[256];
	size_t n = with_head(buf, sizeof buf, rr_a, sizeof rr_a);
	memcpy(buf + n, an_a_rdlen_5, sizeof an_a_rdlen_5);
	n += sizeof an_a_rdlen_5;
	memcpy(buf + n, rr_mx, sizeof rr_mx);
	n += sizeof rr_mx;
	buf[7] = 3;
	assert_int_equal(parse_exact(buf, n), DIS_OK);
	assert_int_equal(msg.n_rr, 1);
	assert_string_equal(msg.rr[0].data, "93.184.216.34");
	assert_string_equal(msg.reason, "A rdata not 4 bytes");
}

/* ---- limits: name length, pointer hops, questions, records, arena ---- */

/* A growing message for the tests that need many bytes. */
struct wbuf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct wbuf *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof w->b);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void put_u8(struct wbuf *w, uint8_t v) { put(w, &v, 1); }

static void put_be16(struct wbuf *w, uint16_t v)
{
	put_u8(w, (uint8_t)(v >> 8));
	put_u8(w, (uint8_t)v);
}

/* Header with the given counts, response flags. */
static void put_header(struct wbuf *w, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	w->n = 0;
	put_be16(w, 0x4242);
	put_be16(w, 0x8180);
	put_be16(w, qd);
	put_be16(w, an);
	put_be16(w, ns);
	put_be16(w, ar);
}

static void put_label(struct wbuf *w, uint8_t len, char fill)
{
	put_u8(w, len);
	for (unsigned i = 0; i < len; i++)
		put_u8(w, (uint8_t)fill);
}

/* A question whose name has the given label lengths (each a run of one letter). */
static void put_question_labels(struct wbuf *w, const uint8_t *lens, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_label(w, lens[i], (char)('a' + i));
	put_u8(w, 0);
	put_be16(w, 1);
	put_be16(w, 1);
}

static void test_name_length(void **state)
{
	(void)state;
	struct wbuf w;
	/* 3 * (1 + 63) + (1 + 61) + 1 = 255 bytes on the wire: the longest name. */
	static const uint8_t ok[] = { 63, 63, 63, 61 };
	put_header(&w, 1, 0, 0, 0);
	put_question_labels(&w, ok, 4);
	assert_int_equal(parse_exact(w.b, w.n), DIS_OK);
	assert_int_equal(strlen(msg.q[0].name), 63 * 3 + 61 + 3);

	/* An answer adding one label of 1 in front of it through a pointer: 257. The name is
	 * invalid but walked to its end: the record is kept with its text cut at the limit. */
	w.b[7] = 1;
	static const uint8_t rr[] = { 1, 'x', 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4 };
	put(&w, rr, sizeof rr);
	assert_int_equal(parse_exact(w.b, w.n), DIS_OK);
	assert_int_equal(msg.n_rr, 1);
	assert_string_equal(msg.rr[0].data, "1.2.3.4");
	assert_true(strlen(msg.rr[0].name) < 255);
	assert_string_equal(msg.reason, "name longer than 255 bytes");

	/* 256 in place, in a question, followed by an answer pointing back at the question:
	 * the answer after the bad name is still found (ndpi_malformed_dns.pcap does this). */
	static const uint8_t too_long[] = { 63, 63, 63, 62 };
	put_header(&w, 1, 0, 0, 0);
	put_question_labels(&w, too_long, 4);
	w.b[7] = 1;
	put(&w, rr + 2, sizeof rr - 2);
	assert_int_equal(parse_exact(w.b, w.n), DIS_OK);
	assert_string_equal(msg.reason, "name longer than 255 bytes");
	assert_int_equal(msg.n_q, 1);
	assert_int_equal(msg.n_rr, 1);
	assert_string_equal(msg.rr[0].data, "1.2.3.4");
}

/* Question "example.com" at 12, then an unknown-type answer whose RDATA is a ladder of
 * `hops - 1` pointers each pointing two bytes lower (the lowest to 12), then an answer whose
 * owner points to the top of the ladder: that name takes `hops` pointers. */
static void build_chain(struct wbuf *w, unsigned hops)
{
	put_header(w, 1, 2, 0, 0);
	put(w, resp_head + 12, sizeof resp_head - 12);
	static const uint8_t rr_head[] = { 0xc0, 0x0c, 0xff, 0x00, 0, 1, 0, 0, 0, 1 };
	put(w, rr_head, sizeof rr_head);
	put_be16(w, (uint16_t)(2 * (hops - 1)));
	size_t base = w->n;
	for (unsigned i = 0; i < hops - 1; i++) {
		size_t target = i == 0 ? 12 : base + 2 * (i - 1);
		put_be16(w, (uint16_t)(0xc000 | target));
	}
	put_be16(w, (uint16_t)(0xc000 | (base + 2 * (hops - 2))));
	static const uint8_t tail[] = { 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 10, 0, 0, 1 };
	put(w, tail, sizeof tail);
}

static void test_pointer_hops(void **state)
{
	(void)state;
	struct wbuf w;
	build_chain(&w, DNS_MAX_POINTERS);
	assert_int_equal(parse_exact(w.b, w.n), DIS_OK);
	assert_null(msg.reason);
	assert_int_equal(msg.n_rr, 2);
	assert_string_equal(msg.rr[1].name, "example.com");
	assert_string_equal(msg.rr[1].data, "10.0.0.1");

	/* One hop more: the name is cut, the record and the message are not. */
	build_chain(&w, DNS_MAX_POINTERS + 1);
	assert_int_equal(parse_exact(w.b, w.n), DIS_OK);
	assert_int_equal(msg.n_rr, 2);
	assert_string_equal(msg.rr[1].data, "10.0.0.1");
	assert_string_equal(msg.reason, "too many compression pointers");
}

static void test_question_cap(void **state)
{
	(void)state;
	struct wbuf w;
	put_header(&w, DNS_MAX_QUESTIONS + 2, 0, 0, 0);
	for (unsigned i = 0; i < DNS_MAX_QUESTIONS + 2; i++) {
		uint8_t len = 1;
		put_question_labels(&w, &len, 1);
		w.b[w.n - 6] = (uint8_t)('a' + i);
	}
	assert_int_equal(parse_exact(w.b, w.n), DIS_OK);
	assert_int_equal(msg.n_q, DNS_MAX_QUESTIONS);
	assert_int_equal(msg.qdcount, DNS_MAX_QUESTIONS + 2);
	assert_string_equal(msg.q[DNS_MAX_QUESTIONS - 1].name, "h");
}

/* DNS_MAX_RRS + 6 A records and then an OPT: the first DNS_MAX_RRS are kept, the rest
 * counted, and the OPT after them still read. */
static void test_rr_cap(void **state)
{
	(void)state;
	struct wbuf w;
	unsigned n = DNS_MAX_RRS + 6;
	put_header(&w, 1, (uint16_t)n, 0, 1);
	put(&w, resp_head + 12, sizeof resp_head - 12);
	for (unsigned i = 0; i < n; i++) {
		static const uint8_t h[] = { RR_HEAD(1, 4), 10, 0, 0 };
		put(&w, h, sizeof h);
		put_u8(&w, (uint8_t)i);
	}
	static const uint8_t opt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
	put(&w, opt, sizeof opt);
	assert_int_equal(parse_exact(w.b, w.n), DIS_OK);
	assert_int_equal(msg.n_rr, DNS_MAX_RRS);
	assert_int_equal(msg.rr_dropped, 6);
	assert_string_equal(msg.rr[DNS_MAX_RRS - 1].data, "10.0.0.63");
	assert_true(msg.edns);
	assert_string_equal(msg.reason, "more records than DNS_MAX_RRS");
	assert_strings_in_arena(&msg);
}

/* TXT records of two 255-byte strings of 0x01 (about 2 KiB of text each) until the arena
 * cannot take one more, then a small A record that still fits. */
static void test_arena_exhaustion(void **state)
{
	(void)state;
	struct wbuf w;
	unsigned big = DNS_ARENA / 2000 + 3;
	put_header(&w, 1, (uint16_t)(big + 1), 0, 0);
	put(&w, resp_head + 12, sizeof resp_head - 12);
	for (unsigned i = 0; i < big; i++) {
		static const uint8_t h[] = { 0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 1, 0x02, 0x00 };
		put(&w, h, sizeof h);
		put_label(&w, 255, 0x01);
		put_label(&w, 255, 0x01);
	}
	put(&w, rr_a, sizeof rr_a);

	assert_int_equal(parse_exact(w.b, w.n), DIS_OK);
	assert_string_equal(msg.reason, "arena full");
	assert_true(msg.rr_dropped > 0);
	assert_int_equal(msg.n_rr + msg.rr_dropped, big + 1);
	assert_strings_in_arena(&msg);
	for (unsigned i = 0; i + 1 < msg.n_rr; i++) {
		assert_int_equal(msg.rr[i].type, 16);
		assert_int_equal(strlen(msg.rr[i].data), 2 * (2 + 255 * 4) + 1);
	}
	assert_int_equal(msg.rr[msg.n_rr - 1].type, 1);
	assert_string_equal(msg.rr[msg.n_rr - 1].data, "93.184.216.34");
}

/* ---- real payloads from /work/shared/pcaps (answers as tshark printed them) ---- */
/* zeek_dns-https.pcap frame 2 (udp, 134 bytes) */
static const uint8_t cap_https[] = {
	0xf2, 0x9f, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x0a, 0x63, 0x6c, 0x6f, 0x75, 0x64, 0x66, 0x6c, 0x61, 0x72, 0x65, 0x03,
	0x63, 0x6f, 0x6d, 0x00, 0x00, 0x41, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x41,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x81, 0x00, 0x4f, 0x00, 0x01, 0x00, 0x00,
	0x01, 0x00, 0x18, 0x02, 0x68, 0x33, 0x05, 0x68, 0x33, 0x2d, 0x32, 0x39,
	0x05, 0x68, 0x33, 0x2d, 0x32, 0x38, 0x05, 0x68, 0x33, 0x2d, 0x32, 0x37,
	0x02, 0x68, 0x32, 0x00, 0x04, 0x00, 0x08, 0x68, 0x10, 0x84, 0xe5, 0x68,
	0x10, 0x85, 0xe5, 0x00, 0x06, 0x00, 0x20, 0x26, 0x06, 0x47, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x10, 0x84, 0xe5, 0x26,
	0x06, 0x47, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68,
	0x10, 0x85, 0xe5, 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
};
/* zeek_dns-txt-multiple.pcap frame 2 (udp, 508 bytes) */
static const uint8_t cap_txt[] = {
	0x6d, 0xaf, 0x85, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x05, 0x00, 0x05,
	0x04, 0x66, 0x6c, 0x6b, 0x72, 0x0a, 0x5f, 0x64, 0x6f, 0x6d, 0x61, 0x69,
	0x6e, 0x6b, 0x65, 0x79, 0x06, 0x66, 0x6c, 0x69, 0x63, 0x6b, 0x72, 0x03,
	0x63, 0x6f, 0x6d, 0x00, 0x00, 0x10, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x05,
	0x00, 0x01, 0x00, 0x00, 0x03, 0x84, 0x00, 0x07, 0x04, 0x66, 0x61, 0x31,
	0x34, 0xc0, 0x11, 0xc0, 0x38, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x03,
	0x84, 0x00, 0x18, 0x04, 0x66, 0x61, 0x31, 0x34, 0x0a, 0x5f, 0x64, 0x6f,
	0x6d, 0x61, 0x69, 0x6e, 0x6b, 0x65, 0x79, 0x05, 0x79, 0x61, 0x68, 0x6f,
	0x6f, 0xc0, 0x23, 0xc0, 0x4b, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x1c,
	0x20, 0x00, 0xe3, 0x7f, 0x6b, 0x3d, 0x72, 0x73, 0x61, 0x3b, 0x20, 0x70,
	0x3d, 0x4d, 0x49, 0x47, 0x66, 0x4d, 0x41, 0x30, 0x47, 0x43, 0x53, 0x71,
	0x47, 0x53, 0x49, 0x62, 0x33, 0x44, 0x51, 0x45, 0x42, 0x41, 0x51, 0x55,
	0x41, 0x41, 0x34, 0x47, 0x4e, 0x41, 0x44, 0x43, 0x42, 0x69, 0x51, 0x4b,
	0x42, 0x67, 0x51, 0x44, 0x50, 0x64, 0x50, 0x66, 0x79, 0x4a, 0x4d, 0x32,
	0x52, 0x32, 0x47, 0x71, 0x4d, 0x79, 0x5a, 0x4d, 0x31, 0x66, 0x6c, 0x54,
	0x7a, 0x46, 0x65, 0x44, 0x49, 0x55, 0x2b, 0x65, 0x37, 0x4b, 0x6d, 0x69,
	0x4b, 0x52, 0x77, 0x35, 0x79, 0x7a, 0x33, 0x58, 0x68, 0x74, 0x2b, 0x63,
	0x67, 0x45, 0x49, 0x69, 0x48, 0x6d, 0x6d, 0x35, 0x6c, 0x49, 0x47, 0x42,
	0x75, 0x57, 0x43, 0x63, 0x35, 0x72, 0x74, 0x69, 0x79, 0x30, 0x43, 0x63,
	0x78, 0x65, 0x50, 0x70, 0x71, 0x63, 0x63, 0x50, 0x4b, 0x6a, 0x6e, 0x62,
	0x48, 0x53, 0x72, 0x44, 0x49, 0x32, 0x33, 0x50, 0x55, 0x2b, 0x48, 0x4f,
	0x75, 0x71, 0x4a, 0x36, 0x65, 0x72, 0x67, 0x45, 0x31, 0x49, 0x4f, 0x73,
	0x4c, 0x36, 0x4c, 0x4f, 0x45, 0x67, 0x47, 0x36, 0x59, 0x54, 0x35, 0x33,
	0x76, 0x4d, 0x62, 0x38, 0x5a, 0x36, 0x55, 0x69, 0x42, 0x53, 0x73, 0x59,
	0x50, 0x6c, 0x72, 0x44, 0x45, 0x43, 0x2b, 0x38, 0x43, 0x55, 0x49, 0x6b,
	0x54, 0x4c, 0x4d, 0x4c, 0x58, 0x4a, 0x61, 0x75, 0x52, 0x4b, 0x35, 0x62,
	0x4e, 0x52, 0x4b, 0x56, 0x31, 0x41, 0x54, 0x47, 0x7a, 0x47, 0x46, 0x70,
	0x66, 0x33, 0x54, 0x6a, 0x5a, 0x74, 0x57, 0x77, 0x49, 0x44, 0x41, 0x51,
	0x41, 0x42, 0xc0, 0x50, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0xa3, 0x00,
	0x00, 0x06, 0x03, 0x6e, 0x73, 0x35, 0xc0, 0x5b, 0xc0, 0x50, 0x00, 0x02,
	0x00, 0x01, 0x00, 0x02, 0xa3, 0x00, 0x00, 0x06, 0x03, 0x6e, 0x73, 0x34,
	0xc0, 0x5b, 0xc0, 0x50, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0xa3, 0x00,
	0x00, 0x06, 0x03, 0x6e, 0x73, 0x33, 0xc0, 0x5b, 0xc0, 0x50, 0x00, 0x02,
	0x00, 0x01, 0x00, 0x02, 0xa3, 0x00, 0x00, 0x06, 0x03, 0x6e, 0x73, 0x32,
	0xc0, 0x5b, 0xc0, 0x50, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0xa3, 0x00,
	0x00, 0x06, 0x03, 0x6e, 0x73, 0x31, 0xc0, 0x5b, 0xc1, 0xa6, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x12, 0x75, 0x00, 0x00, 0x04, 0x44, 0xb4, 0x83, 0x10,
	0xc1, 0x94, 0x00, 0x01, 0x00, 0x01, 0x00, 0x12, 0x75, 0x00, 0x00, 0x04,
	0x44, 0x8e, 0xff, 0x10, 0xc1, 0x82, 0x00, 0x01, 0x00, 0x01, 0x00, 0x12,
	0x75, 0x00, 0x00, 0x04, 0xcb, 0x54, 0xdd, 0x35, 0xc1, 0x70, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x12, 0x75, 0x00, 0x00, 0x04, 0x62, 0x8a, 0x0b, 0x9d,
	0xc1, 0x5e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x12, 0x75, 0x00, 0x00, 0x04,
	0x77, 0xa0, 0xf7, 0x7c,
};
/* suricata_dns-udp-eve-log-srv_input.pcap frame 2 (udp, 159 bytes) */
static const uint8_t cap_srv[] = {
	0xeb, 0x56, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
	0x04, 0x5f, 0x73, 0x69, 0x70, 0x04, 0x5f, 0x75, 0x64, 0x70, 0x03, 0x73,
	0x69, 0x70, 0x05, 0x76, 0x6f, 0x69, 0x63, 0x65, 0x06, 0x67, 0x6f, 0x6f,
	0x67, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x21, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x01, 0x13, 0x00, 0x26,
	0x00, 0x14, 0x00, 0x01, 0x13, 0xc4, 0x0d, 0x73, 0x69, 0x70, 0x2d, 0x61,
	0x6e, 0x79, 0x63, 0x61, 0x73, 0x74, 0x2d, 0x32, 0x05, 0x76, 0x6f, 0x69,
	0x63, 0x65, 0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x03, 0x63, 0x6f,
	0x6d, 0x00, 0xc0, 0x0c, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x01, 0x13,
	0x00, 0x26, 0x00, 0x0a, 0x00, 0x01, 0x13, 0xc4, 0x0d, 0x73, 0x69, 0x70,
	0x2d, 0x61, 0x6e, 0x79, 0x63, 0x61, 0x73, 0x74, 0x2d, 0x31, 0x05, 0x76,
	0x6f, 0x69, 0x63, 0x65, 0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x03,
	0x63, 0x6f, 0x6d, 0x00, 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00,
};
/* suricata_dns-udp-nxdomain-soa.pcap frame 2 (udp, 122 bytes) */
static const uint8_t cap_nxdomain[] = {
	0x82, 0x95, 0x81, 0x83, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
	0x03, 0x64, 0x6e, 0x65, 0x04, 0x6f, 0x69, 0x73, 0x66, 0x03, 0x6e, 0x65,
	0x74, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x10, 0x00, 0x06, 0x00, 0x01,
	0x00, 0x00, 0x03, 0x83, 0x00, 0x45, 0x06, 0x6e, 0x73, 0x2d, 0x31, 0x31,
	0x30, 0x09, 0x61, 0x77, 0x73, 0x64, 0x6e, 0x73, 0x2d, 0x31, 0x33, 0x03,
	0x63, 0x6f, 0x6d, 0x00, 0x11, 0x61, 0x77, 0x73, 0x64, 0x6e, 0x73, 0x2d,
	0x68, 0x6f, 0x73, 0x74, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0x06, 0x61,
	0x6d, 0x61, 0x7a, 0x6f, 0x6e, 0xc0, 0x3b, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x00, 0x1c, 0x20, 0x00, 0x00, 0x03, 0x84, 0x00, 0x12, 0x75, 0x00, 0x00,
	0x01, 0x51, 0x80, 0x00, 0x00, 0x29, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
};
/* ndpi_dns-invalid-chars.pcap frame 2 (udp, 64 bytes) */
static const uint8_t cap_invalid_chars[] = {
	0x9f, 0x6c, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x03, 0x77, 0x77, 0x77, 0x17, 0x61, 0x6c, 0x6c, 0x79, 0x6f, 0x75, 0x72,
	0x62, 0x61, 0x73, 0x65, 0x73, 0x61, 0x72, 0x65, 0x01, 0x02, 0x03, 0x6f,
	0x6e, 0x67, 0x74, 0x6f, 0x02, 0x63, 0x6e, 0x00, 0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04,
	0x13, 0xb9, 0x8d, 0xf1,
};
/* arkime_dns-mx.pcap frame 2 (udp, 174 bytes) */
static const uint8_t cap_mx[] = {
	0x4c, 0x17, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x02,
	0x02, 0x6d, 0x78, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x0f, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x1c,
	0x00, 0x0a, 0x08, 0x63, 0x6c, 0x75, 0x73, 0x74, 0x65, 0x72, 0x35, 0x02,
	0x75, 0x73, 0x0b, 0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x6c, 0x61,
	0x62, 0x73, 0xc0, 0x0f, 0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00,
	0x0e, 0x10, 0x00, 0x0e, 0x00, 0x14, 0x09, 0x63, 0x6c, 0x75, 0x73, 0x74,
	0x65, 0x72, 0x35, 0x61, 0xc0, 0x2f, 0xc0, 0x0c, 0x00, 0x02, 0x00, 0x01,
	0x00, 0x00, 0x0e, 0x10, 0x00, 0x15, 0x04, 0x64, 0x6e, 0x73, 0x32, 0x0d,
	0x73, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x74, 0x72, 0x61, 0x6e, 0x73, 0x69,
	0x74, 0xc0, 0x0f, 0xc0, 0x0c, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x0e,
	0x10, 0x00, 0x07, 0x04, 0x64, 0x6e, 0x73, 0x31, 0xc0, 0x6b, 0xc0, 0x66,
	0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x05, 0x16, 0x00, 0x04, 0x41, 0x3d,
	0xbc, 0x04, 0xc0, 0x87, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0d, 0xe7,
	0x00, 0x04, 0x45, 0x14, 0x5f, 0x04,
};
/* suricata_dns-udp-google.com-a-aaaa-mx.pcap frame 4 (udp, 67 bytes) */
static const uint8_t cap_aaaa[] = {
	0x8d, 0x70, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00,
	0x00, 0x1c, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00,
	0x01, 0x2b, 0x00, 0x10, 0x26, 0x07, 0xf8, 0xb0, 0x40, 0x0f, 0x08, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x0e, 0x00, 0x00, 0x29, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* zeek_max-compression-depth.pcap frame 1 (udp, 132 bytes) */
static const uint8_t cap_pointer_chain[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x61, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x61, 0x00, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 0x7f, 0x00, 0x00, 0x01,
	0xc0, 0x13, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04,
	0x7f, 0x00, 0x00, 0x02, 0xc0, 0x24, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
	0x01, 0x2c, 0x00, 0x04, 0x7f, 0x00, 0x00, 0x03, 0xc0, 0x34, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 0x7f, 0x00, 0x00, 0x04,
	0xc0, 0x44, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04,
	0x7f, 0x00, 0x00, 0x05, 0xc0, 0x54, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
	0x01, 0x2c, 0x00, 0x04, 0x7f, 0x00, 0x00, 0x06, 0xc0, 0x64, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 0x7f, 0x00, 0x00, 0x07,
};
/* tcpdump_dns-zlip-1.pcap frame 1 (udp, 35 bytes) */
static const uint8_t cap_zlip[] = {
	0xed, 0x69, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc0, 0x0c, 0xc0, 0x07, 0xc0, 0x10, 0xc0, 0x17, 0xc0, 0x20, 0xc0, 0x27,
	0xc0, 0x30, 0xc0, 0xff, 0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
};
/* zeek_dns-corrupt.pcap frame 2 (udp, 69 bytes) */
static const uint8_t cap_corrupt[] = {
	0xb8, 0x23, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
	0x04, 0x7a, 0x65, 0x65, 0x6b, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x01,
	0x00, 0x01, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
	0x00, 0x04, 0xc0, 0x00, 0x4e, 0xd4, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 0xc0, 0x00, 0x4e, 0x96, 0x00, 0x00,
	0x29, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* zeek_dns-edns-cookie.pcap frame 6 (tcp, 84 bytes) */
static const uint8_t cap_edns_cookie[] = {
	0x80, 0x76, 0x85, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x09, 0x77, 0x69, 0x6b, 0x69, 0x70, 0x65, 0x64, 0x69, 0x61, 0x03, 0x6f,
	0x72, 0x67, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x01, 0x00,
	0x01, 0x00, 0x00, 0x02, 0x58, 0x00, 0x04, 0xd0, 0x50, 0x9a, 0xe0, 0x00,
	0x00, 0x29, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x0a,
	0x00, 0x10, 0xc8, 0x14, 0x98, 0x5a, 0x92, 0x8a, 0x63, 0x42, 0x3d, 0xcd,
	0x3e, 0x4f, 0x7b, 0xa9, 0x24, 0x7a, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x72,
};

/* "name TYPE data" of each kept ANSWER-section record, as the truth files write them. */
static void assert_answers(const char *const *want, size_t n)
{
	char line[2048], tb[16];
	size_t k = 0;
	for (unsigned i = 0; i < msg.n_rr; i++) {
		const struct dns_rr *rr = &msg.rr[i];
		if (rr->section != DNS_ANSWER)
			continue;
		assert_true(k < n);
		snprintf(line, sizeof line, "%s %s %s", rr->name,
			 dns_type_name(rr->type, tb, sizeof tb), rr->data);
		assert_string_equal(line, want[k]);
		k++;
	}
	assert_int_equal(k, n);
}

#define ASSERT_ANSWERS(...)                                                   \
	do {                                                                  \
		static const char *const want_[] = { __VA_ARGS__ };           \
		assert_answers(want_, sizeof want_ / sizeof want_[0]);        \
	} while (0)

static void test_capture_https(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_https, sizeof cap_https, &msg), DIS_OK);
	assert_null(msg.reason);
	assert_string_equal(msg.q[0].name, "cloudflare.com");
	ASSERT_ANSWERS("cloudflare.com HTTPS 1 .");
	assert_true(msg.edns);
	assert_int_equal(msg.edns_udp_size, 4096);
}

static void test_capture_txt_cname(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_txt, sizeof cap_txt, &msg), DIS_OK);
	assert_null(msg.reason);
	ASSERT_ANSWERS(
		"flkr._domainkey.flickr.com CNAME fa14._domainkey.flickr.com",
		"fa14._domainkey.flickr.com CNAME fa14._domainkey.yahoo.com",
		"fa14._domainkey.yahoo.com TXT \"k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDPdPfy"
		"JM2R2GqMyZM1flTzFeDIU+e7KmiKRw5yz3Xht+cgEIiHmm5lIGBuWCc5rtiy0CcxePpqccPKjn\" "
		"\"HSrDI23PU+HOuqJ6ergE1IOsL6LOEgG6YT53vMb8Z6UiBSsYPlrDEC+8CUIkTLMLXJauRK5bNRKV1ATGzGFp"
		"f3TjZtWwIDAQAB\"");
	assert_int_equal(msg.n_rr, 13); /* plus 5 NS and 5 glue A */
	assert_string_equal(msg.rr[3].name, "_domainkey.yahoo.com");
	assert_string_equal(msg.rr[3].data, "ns5.yahoo.com");
	assert_int_equal(msg.rr[12].section, DNS_ADDITIONAL);
}

static void test_capture_srv(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_srv, sizeof cap_srv, &msg), DIS_OK);
	assert_null(msg.reason);
	assert_int_equal(msg.q[0].type, 33);
	ASSERT_ANSWERS(
		"_sip._udp.sip.voice.google.com SRV 20 1 5060 sip-anycast-2.voice.google.com",
		"_sip._udp.sip.voice.google.com SRV 10 1 5060 sip-anycast-1.voice.google.com");
}

static void test_capture_nxdomain_soa(void **state)
{
	(void)state;
	char b[16];
	assert_int_equal(dns_parse(cap_nxdomain, sizeof cap_nxdomain, &msg), DIS_OK);
	assert_null(msg.reason);
	assert_string_equal(msg.q[0].name, "dne.oisf.net");
	assert_string_equal(dns_rcode_name(msg.rcode, b, sizeof b), "NXDOMAIN");
	assert_answers(NULL, 0);
	assert_int_equal(msg.n_rr, 1);
	assert_int_equal(msg.rr[0].section, DNS_AUTHORITY);
	assert_string_equal(msg.rr[0].name, "oisf.net");
	assert_int_equal(msg.rr[0].type, 6);
	assert_string_equal(msg.rr[0].data, "ns-110.awsdns-13.com awsdns-hostmaster.amazon.com "
					    "1 7200 900 1209600 86400");
}

static void test_capture_invalid_chars(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_invalid_chars, sizeof cap_invalid_chars, &msg), DIS_OK);
	assert_null(msg.reason);
	ASSERT_ANSWERS("www.allyourbasesare\\001\\002\\003ongto.cn A 19.185.141.241");
}

static void test_capture_mx(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_mx, sizeof cap_mx, &msg), DIS_OK);
	assert_null(msg.reason);
	ASSERT_ANSWERS("mx.com MX 10 cluster5.us.messagelabs.com",
		       "mx.com MX 20 cluster5a.us.messagelabs.com");
	assert_int_equal(msg.n_rr, 6);
}

static void test_capture_aaaa(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_aaaa, sizeof cap_aaaa, &msg), DIS_OK);
	assert_null(msg.reason);
	ASSERT_ANSWERS("google.com AAAA 2607:f8b0:400f:801::200e");
	assert_true(msg.edns);
	assert_int_equal(msg.edns_udp_size, 512);
}

/* Zeek's max-compression-depth: owner names that are chains of 1 to 6 pointers. */
static void test_capture_pointer_chain(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_pointer_chain, sizeof cap_pointer_chain, &msg), DIS_OK);
	assert_null(msg.reason);
	ASSERT_ANSWERS("a A 127.0.0.1", "a A 127.0.0.2", "a A 127.0.0.3", "a A 127.0.0.4",
		       "a A 127.0.0.5", "a A 127.0.0.6", "a A 127.0.0.7");
}

/* tcpdump's dns-zlip-1: a question name that is a pointer to itself (tshark has no answer). */
static void test_capture_zlip(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_zlip, sizeof cap_zlip, &msg), DIS_OK);
	assert_string_equal(msg.reason, "compression pointer not backwards");
	assert_int_equal(msg.n_q, 1);
	assert_string_equal(msg.q[0].name, "");
}

static void test_capture_corrupt(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_corrupt, sizeof cap_corrupt, &msg), DIS_OK);
	ASSERT_ANSWERS("zeek.org A 192.0.78.212", "zeek.org A 192.0.78.150");
	assert_true(msg.edns);
}

/* DNS over TCP, the length prefix removed; the response carries an EDNS cookie. */
static void test_capture_edns_cookie(void **state)
{
	(void)state;
	assert_int_equal(dns_parse(cap_edns_cookie, sizeof cap_edns_cookie, &msg), DIS_OK);
	assert_null(msg.reason);
	ASSERT_ANSWERS("wikipedia.org A 208.80.154.224");
	assert_true(msg.edns);
	assert_int_equal(msg.edns_udp_size, 1024);
}

/* ---- hostile bytes: every prefix and every one-byte corruption of every vector ---- */

struct vec {
	const char *what;
	const uint8_t *p;
	size_t len;
	bool rr_only; /* one record: resp_head goes in front */
};

#define VEC(v) { #v, v, sizeof v, false }

static const struct vec full_vecs[] = {
	VEC(header_flags), VEC(query_edns), VEC(query_escape), VEC(query_root),
	VEC(resp_badvers), VEC(resp_ext_rcode), VEC(resp_nx_opt), VEC(resp_sections),
	VEC(resp_two_opt), VEC(q_ptr_self), VEC(q_ptr_forward), VEC(q_ptr_own_start),
	VEC(q_label_0x40), VEC(q_label_0x80), VEC(q_count_lies), VEC(q_truncated),
	VEC(cap_https), VEC(cap_txt), VEC(cap_srv), VEC(cap_nxdomain), VEC(cap_invalid_chars),
	VEC(cap_mx), VEC(cap_aaaa), VEC(cap_pointer_chain), VEC(cap_zlip), VEC(cap_corrupt),
	VEC(cap_edns_cookie),
};

/* All vectors as messages, one at a time: returns false after the last. */
static bool vec_get(size_t i, uint8_t *buf, size_t cap, size_t *len, const char **what)
{
	size_t n_full = sizeof full_vecs / sizeof full_vecs[0];
	size_t n_bad = sizeof bad_answers / sizeof bad_answers[0];
	if (i < n_full) {
		assert_true(full_vecs[i].len <= cap);
		memcpy(buf, full_vecs[i].p, full_vecs[i].len);
		*len = full_vecs[i].len;
		*what = full_vecs[i].what;
		return true;
	}
	i -= n_full;
	if (i < N_RR_CASES) {
		*len = with_head(buf, cap, rr_cases[i].rr, rr_cases[i].len);
		*what = rr_cases[i].what;
		return true;
	}
	i -= N_RR_CASES;
	if (i < n_bad) {
		*len = with_head(buf, cap, bad_answers[i].p, bad_answers[i].len);
		*what = bad_answers[i].what;
		return true;
	}
	return false;
}

/* Parse p[0..k) for every k < len: short or malformed, or a partial result that says why;
 * never more records than the whole message gave, never a string outside the arena. */
static void test_every_truncation(void **state)
{
	(void)state;
	uint8_t buf[1024];
	size_t len;
	const char *what;
	for (size_t i = 0; vec_get(i, buf, sizeof buf, &len, &what); i++) {
		dns_parse(buf, len, &msg);
		unsigned full_rr = msg.n_rr, full_q = msg.n_q;
		for (size_t k = 0; k < len; k++) {
			enum dis_status st = parse_exact(buf, k);
			if (k < 12) {
				if (st != DIS_SHORT)
					fail_msg("%s: %zu bytes gave %d", what, k, st);
				continue;
			}
			if (st == DIS_OK && msg.reason == NULL)
				fail_msg("%s: %zu of %zu bytes parsed without a reason", what, k, len);
			assert_non_null(msg.reason);
			assert_true(msg.n_rr <= full_rr);
			assert_true(msg.n_q <= full_q);
			assert_strings_in_arena(&msg);
		}
	}
}

/* Each byte of each vector replaced by values that matter to a DNS parser (pointer and
 * extended-label prefixes, zero, the longest label, all ones, one bit off). */
static void test_every_byte_corrupted(void **state)
{
	(void)state;
	uint8_t buf[1024];
	size_t len;
	const char *what;
	for (size_t i = 0; vec_get(i, buf, sizeof buf, &len, &what); i++) {
		for (size_t k = 0; k < len; k++) {
			uint8_t keep = buf[k];
			const uint8_t vals[] = { 0x00, 0x3f, 0x40, 0x80, 0xc0, 0xff,
						 (uint8_t)(keep ^ 0x01), (uint8_t)(keep ^ 0x80) };
			for (size_t v = 0; v < sizeof vals; v++) {
				buf[k] = vals[v];
				enum dis_status st = parse_exact(buf, len);
				assert_true(st == DIS_OK || st == DIS_MALFORMED);
				assert_true(st == DIS_OK || msg.reason != NULL);
				assert_strings_in_arena(&msg);
			}
			buf[k] = keep;
		}
	}
}

/* ---- names for numbers ---- */

static void test_type_and_rcode_names(void **state)
{
	(void)state;
	char b[12];
	assert_string_equal(dns_type_name(1, b, sizeof b), "A");
	assert_string_equal(dns_type_name(28, b, sizeof b), "AAAA");
	assert_string_equal(dns_type_name(65, b, sizeof b), "HTTPS");
	assert_string_equal(dns_type_name(257, b, sizeof b), "CAA");
	assert_string_equal(dns_type_name(4660, b, sizeof b), "TYPE4660");
	assert_string_equal(dns_type_name(65535, b, sizeof b), "TYPE65535");
	assert_string_equal(dns_type_name(0, b, sizeof b), "TYPE0");
	assert_string_equal(dns_rcode_name(0, b, sizeof b), "NOERROR");
	assert_string_equal(dns_rcode_name(2, b, sizeof b), "SERVFAIL");
	assert_string_equal(dns_rcode_name(3, b, sizeof b), "NXDOMAIN");
	assert_string_equal(dns_rcode_name(23, b, sizeof b), "BADCOOKIE");
	assert_string_equal(dns_rcode_name(12, b, sizeof b), "RCODE12");
	assert_string_equal(dns_rcode_name(4095, b, sizeof b), "RCODE4095");
	/* A buffer too small is cut, still terminated. */
	char small[5];
	assert_string_equal(dns_type_name(4660, small, sizeof small), "TYPE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_types),
		cmocka_unit_test(test_header_flags),
		cmocka_unit_test(test_query_edns),
		cmocka_unit_test(test_name_escaping),
		cmocka_unit_test(test_name_every_byte),
		cmocka_unit_test(test_root_name),
		cmocka_unit_test(test_edns_extended_rcode),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_two_opt),
		cmocka_unit_test(test_soft_questions),
		cmocka_unit_test(test_forward_owner),
		cmocka_unit_test(test_bad_questions),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_lying_count),
		cmocka_unit_test(test_bad_record_ends_parse),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_pointer_hops),
		cmocka_unit_test(test_question_cap),
		cmocka_unit_test(test_rr_cap),
		cmocka_unit_test(test_arena_exhaustion),
		cmocka_unit_test(test_capture_https),
		cmocka_unit_test(test_capture_txt_cname),
		cmocka_unit_test(test_capture_srv),
		cmocka_unit_test(test_capture_nxdomain_soa),
		cmocka_unit_test(test_capture_invalid_chars),
		cmocka_unit_test(test_capture_mx),
		cmocka_unit_test(test_capture_aaaa),
		cmocka_unit_test(test_capture_pointer_chain),
		cmocka_unit_test(test_capture_zlip),
		cmocka_unit_test(test_capture_corrupt),
		cmocka_unit_test(test_capture_edns_cookie),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_byte_corrupted),
		cmocka_unit_test(test_type_and_rcode_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

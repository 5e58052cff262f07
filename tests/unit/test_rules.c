/* test_rules.c: rules/rules.c — rule file syntax and errors, name normalisation (RFC 1035
 * 2.3.4, IDNA), name and address matching, includes, Zeek intel files, the bundled
 * default.rules against tests/rules/default-names.tsv, and 100,000 generated rules.
 * Rule files are written into a temporary folder; the test runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules.h"

static char tmpdir[256];
static struct rules_diag diag;

/* ---- helpers ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/test_rules.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes text to tmpdir/name and returns the full path (static buffer rotation of 8). */
static const char *write_file(const char *name, const char *text)
{
	static char paths[8][512];
	static unsigned k;
	char *p = paths[k++ % 8];
	snprintf(p, 512, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static struct ruleset *load_str(const char *text)
{
	return rules_load_buffer("t.rules", text, strlen(text), &diag);
}

static void dump_diag(void)
{
	for (unsigned i = 0; i < diag.n; i++)
		print_message("  diag: %s\n", diag.msg[i]);
}

/* The message that starts with prefix and contains needle, or a failure. */
static void expect_msg(bool error, const char *prefix, const char *needle)
{
	for (unsigned i = 0; i < diag.n; i++)
		if (diag.is_error[i] == error && strncmp(diag.msg[i], prefix, strlen(prefix)) == 0 &&
		    strstr(diag.msg[i], needle))
			return;
	print_message("no %s \"%s...%s\"\n", error ? "error" : "warning", prefix, needle);
	dump_diag();
	fail();
}

/* Loading text must fail with one error at t.rules:LINE containing needle. */
static void expect_error(const char *text, unsigned line, const char *needle)
{
	struct ruleset *rs = load_str(text);
	if (rs) {
		print_message("loaded: %s\n", text);
		rules_free(rs);
		fail();
	}
	char prefix[64];
	snprintf(prefix, sizeof prefix, "t.rules:%u: ", line);
	expect_msg(true, prefix, needle);
	assert_int_equal(diag.errors, 1);
}

static struct ruleset *load_ok(const char *text)
{
	struct ruleset *rs = load_str(text);
	if (!rs || diag.errors) {
		dump_diag();
		fail();
	}
	return rs;
}

static const char *id_of(const struct rule *r) { return r ? r->id : "none"; }

static const char *match(const struct ruleset *rs, const char *name)
{
	return id_of(rules_match_name(rs, name));
}

/* Matches a textual address (IPv4 as version 4, IPv6 as version 6). */
static const struct rule *match_ip(const struct ruleset *rs, const char *text)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, text, a) == 1)
		return rules_match_addr(rs, 4, a);
	assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	return rules_match_addr(rs, 6, a);
}

static bool answer_ok(const struct rule *r, const char *text)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, text, a) == 1)
		return rules_answer_ok(r, 4, a);
	assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	return rules_answer_ok(r, 6, a);
}

static const char *norm(const char *in)
{
	static char out[300];
	return rules_normalize(in, strlen(in), out, sizeof out) ? out : "";
}

/* ---- normalisation ---- */

static void test_normalize(void **state)
{
	(void)state;
	assert_string_equal(norm("Example.COM"), "example.com");
	assert_string_equal(norm("example.com."), "example.com");
	assert_string_equal(norm("_Autodiscover._TCP.example.com"), "_autodiscover._tcp.example.com");
	assert_string_equal(norm("bücher.example"), "xn--bcher-kva.example");
	assert_string_equal(norm("BÜCHER.Example."), "xn--bcher-kva.example");
	assert_string_equal(norm("xn--bcher-kva.example"), "xn--bcher-kva.example");
	/* Full-width dot (U+FF0E) maps to '.' under UTS #46. */
	assert_string_equal(norm("a\xef\xbc\x8e" "b\xc3\xbc.example"), "a.xn--b-eha.example");
	assert_string_equal(norm(""), "");
	assert_string_equal(norm("."), "");
	assert_string_equal(norm(".example.com"), "");
	assert_string_equal(norm("a..example"), "");
	assert_string_equal(norm("example.com.."), "");
	assert_string_equal(norm("a\\046b.example"), "");  /* a \DDD escape is not a name */
	assert_string_equal(norm("*.example"), "");
	assert_string_equal(norm("a b.example"), "");
	assert_string_equal(norm("a@b.example"), "");
	assert_string_equal(norm("\xff.example"), "");       /* not UTF-8 */
	assert_string_equal(norm("a.\xc3\xbc\xc3"), "");    /* cut UTF-8 */

	char l63[64], l64[65];
	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l64, 'a', 64);
	l64[64] = '\0';
	assert_string_equal(norm(l63), l63);
	assert_string_equal(norm(l64), "");

	/* 253 characters is the longest name; 254 is too long (with or without a dot added). */
	char n253[260];
	memset(n253, 'a', 253);
	for (int i = 63; i < 253; i += 64)
		n253[i] = '.';
	n253[253] = '\0';
	assert_int_equal(strlen(norm(n253)), 253);
	n253[253] = '.';
	n253[254] = '\0';
	assert_int_equal(strlen(norm(n253)), 253);
	n253[253] = 'a';
	assert_string_equal(norm(n253), "");

	/* An embedded NUL and a too small output. */
	char out[8];
	assert_int_equal(rules_normalize("a\0b", 3, out, sizeof out), 0);
	assert_int_equal(rules_normalize("example.com", 11, out, sizeof out), 0);
	assert_int_equal(rules_normalize("abc", 3, out, 4), 3);
	assert_int_equal(rules_normalize(NULL, 0, out, sizeof out), 0);
}

/* ---- pattern kinds and specificity ---- */

static void test_pattern_kinds(void **state)
{
	(void)state;
	struct ruleset *rs = load_ok(
		"reserved  example.com  id=dom\n"
		"watched   =mail.corp.example   id=exact\n"
		"allowed   *.internal.corp.example id=wild\n"
		"reserved  Bücher.Example. id=idn\n");
	assert_int_equal(rules_count(rs), 4);
	assert_string_equal(match(rs, "example.com"), "dom");
	assert_string_equal(match(rs, "a.example.com"), "dom");
	assert_string_equal(match(rs, "a.b.c.example.com"), "dom");
	assert_string_equal(match(rs, "EXAMPLE.Com."), "dom");
	assert_string_equal(match(rs, "notexample.com"), "none");
	assert_string_equal(match(rs, "example.com.br"), "none");
	assert_string_equal(match(rs, "com"), "none");
	assert_string_equal(match(rs, "mail.corp.example"), "exact");
	assert_string_equal(match(rs, "x.mail.corp.example"), "none");
	assert_string_equal(match(rs, "corp.example"), "none");
	assert_string_equal(match(rs, "a.internal.corp.example"), "wild");
	assert_string_equal(match(rs, "a.b.internal.corp.example"), "wild");
	assert_string_equal(match(rs, "internal.corp.example"), "none");
	assert_string_equal(match(rs, "xn--bcher-kva.example"), "idn");
	assert_string_equal(match(rs, "www.xn--bcher-kva.example"), "idn");
	/* Observed names with escapes or empty labels still match the labels they end with. */
	assert_string_equal(match(rs, "a\\032b.example.com"), "dom");
	assert_string_equal(match(rs, "a..example.com"), "dom");
	assert_string_equal(match(rs, ""), "none");
	assert_string_equal(match(rs, "."), "none");

	const struct rule *r = rules_match_name(rs, "a.internal.corp.example");
	assert_string_equal(r->pattern, "*.internal.corp.example");
	assert_int_equal(r->kind, RULE_WILDCARD);
	assert_int_equal(r->cls, RULE_ALLOWED);
	r = rules_match_name(rs, "mail.corp.example");
	assert_string_equal(r->pattern, "=mail.corp.example");
	assert_int_equal(r->kind, RULE_EXACT);
	r = rules_match_name(rs, "example.com");
	assert_string_equal(r->pattern, "example.com");
	assert_int_equal(r->kind, RULE_DOMAIN);
	assert_string_equal(r->file, "t.rules");
	assert_int_equal(r->line, 1);
	assert_string_equal(rules_match_name(rs, "bücher.example") ? "?" : "none", "none");
	rules_free(rs);
}

static void test_most_specific(void **state)
{
	(void)state;
	struct ruleset *rs = load_ok(
		"reserved x.example id=dom-x\n"
		"watched *.x.example id=wild-x\n"
		"allowed =x.example id=exact-x\n"
		"allowed a.x.example id=dom-a\n"
		"reserved =b.a.x.example id=exact-b\n"
		"reserved *.c.x.example id=wild-c\n"
		"allowed c.x.example id=dom-c\n");
	assert_string_equal(match(rs, "x.example"), "exact-x");   /* exact > domain */
	assert_string_equal(match(rs, "q.x.example"), "wild-x");  /* wildcard > domain */
	assert_string_equal(match(rs, "q.q.x.example"), "wild-x");
	assert_string_equal(match(rs, "a.x.example"), "dom-a");   /* deeper > shallower */
	assert_string_equal(match(rs, "z.a.x.example"), "dom-a");
	assert_string_equal(match(rs, "b.a.x.example"), "exact-b");
	assert_string_equal(match(rs, "z.b.a.x.example"), "dom-a");
	assert_string_equal(match(rs, "c.x.example"), "dom-c");   /* wildcard does not cover its base */
	assert_string_equal(match(rs, "d.c.x.example"), "wild-c");
	assert_string_equal(match(rs, "example"), "none");
	rules_free(rs);

	/* An allowed exception inside a reserved domain, and a reserved name inside a watched one. */
	rs = load_ok("reserved example.com\nallowed =www.example.com id=ok\n"
		     "watched corp.example id=corp\nreserved test.corp.example id=bad\n");
	assert_int_equal(rules_match_name(rs, "www.example.com")->cls, RULE_ALLOWED);
	assert_int_equal(rules_match_name(rs, "a.www.example.com")->cls, RULE_RESERVED);
	assert_int_equal(rules_match_name(rs, "mail.corp.example")->cls, RULE_WATCHED);
	assert_string_equal(match(rs, "a.test.corp.example"), "bad");
	/* Without id=, the id is FILE:LINE. */
	assert_string_equal(match(rs, "a.example.com"), "t.rules:1");
	rules_free(rs);
}

/* ---- options ---- */

static void test_options(void **state)
{
	(void)state;
	struct ruleset *rs = load_ok(
		"# a comment\n"
		"\n"
		"   \t  \n"
		"  reserved  example.com  id=rfc2606-example-com severity=60 "
		"reference=https://www.rfc-editor.org/rfc/rfc2606 technique=T1557,T1557.001 "
		"description=\"Reserved for \\\"documentation\\\" \\\\ (RFC 2606)\" "
		"answers=93.184.215.0/24,2606:2800:21f::/48   # trailing comment\r\n"
		"watched corp.example description=Ours\n"
		"allowed ok.example\n"
		"reserved r.example answers=none\n"
		"reserved l.example answers=loopback,192.0.2.7\n"
		"watched p.example answers=private\n"
		"reserved 192.0.2.0/24 severity=0\n"
		"reserved 198.51.100.0/24 severity=100 description=\"\xc3\xa9t\xc3\xa9 #not-a-comment\"\n");
	const struct rule *r = rules_match_name(rs, "www.example.com");
	assert_string_equal(r->id, "rfc2606-example-com");
	assert_int_equal(r->severity, 60);
	assert_string_equal(r->reference, "https://www.rfc-editor.org/rfc/rfc2606");
	assert_string_equal(r->description, "Reserved for \"documentation\" \\ (RFC 2606)");
	assert_int_equal(r->n_techniques, 2);
	assert_string_equal(r->techniques[0], "T1557");
	assert_string_equal(r->techniques[1], "T1557.001");
	assert_int_equal(r->line, 4);
	assert_false(r->answers_any);
	assert_int_equal(r->n_answers, 2);
	assert_true(answer_ok(r, "93.184.215.14"));
	assert_true(answer_ok(r, "::ffff:93.184.215.14"));
	assert_true(answer_ok(r, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"));
	assert_false(answer_ok(r, "93.184.216.34"));
	assert_false(answer_ok(r, "2606:2800:220::1"));
	uint8_t a[16] = { 0 };
	assert_false(rules_answer_ok(r, 5, a));

	r = rules_match_name(rs, "mail.corp.example");
	assert_int_equal(r->severity, 50);
	assert_string_equal(r->description, "Ours");
	assert_null(r->reference);
	assert_int_equal(r->n_techniques, 0);
	assert_true(r->answers_any);
	assert_true(answer_ok(r, "8.8.8.8"));
	r = rules_match_name(rs, "ok.example");
	assert_int_equal(r->severity, 0);
	assert_true(r->answers_any);

	/* Reserved without answers=, and answers=none: no answer is legitimate. */
	r = rules_match_name(rs, "r.example");
	assert_int_equal(r->severity, 70);
	assert_false(r->answers_any);
	assert_int_equal(r->n_answers, 0);
	assert_false(answer_ok(r, "127.0.0.1"));
	r = rules_match_name(rs, "l.example");
	assert_int_equal(r->n_answers, 3);
	assert_true(answer_ok(r, "127.0.0.1"));
	assert_true(answer_ok(r, "127.255.255.254"));
	assert_true(answer_ok(r, "::1"));
	assert_true(answer_ok(r, "192.0.2.7"));
	assert_false(answer_ok(r, "192.0.2.8"));
	assert_false(answer_ok(r, "::2"));
	assert_false(answer_ok(r, "128.0.0.1"));
	/* A watched rule with answers= is held to them. */
	r = rules_match_name(rs, "p.example");
	assert_false(r->answers_any);
	assert_int_equal(r->n_answers, 7);
	for (const char *const *ip = (const char *const[]){ "10.1.2.3", "172.16.0.1", "172.31.255.255",
			"192.168.1.1", "169.254.1.1", "100.64.0.1", "100.127.255.255", "fc00::1",
			"fdff::1", "fe80::1", NULL }; *ip; ip++)
		assert_true(answer_ok(r, *ip));
	for (const char *const *ip = (const char *const[]){ "172.32.0.1", "100.128.0.1", "11.0.0.1",
			"127.0.0.1", "fec0::1", "2001:db8::1", NULL }; *ip; ip++)
		assert_false(answer_ok(r, *ip));

	assert_int_equal(match_ip(rs, "192.0.2.1")->severity, 0);
	r = match_ip(rs, "198.51.100.1");
	assert_int_equal(r->severity, 100);
	assert_string_equal(r->description, "\xc3\xa9t\xc3\xa9 #not-a-comment");
	assert_true(rules_answer_ok(NULL, 4, a));
	rules_free(rs);
}

/* ---- errors, each at its FILE:LINE ---- */

static void test_errors(void **state)
{
	(void)state;
	expect_error("bogus example.com\n", 1, "unknown class 'bogus'");
	expect_error("# c\nReserved example.com\n", 2, "unknown class");
	expect_error("reserved\n", 1, "missing pattern");
	expect_error("reserved   # nothing\n", 1, "missing pattern");
	expect_error("\n\nreserved a..example\n", 3, "bad pattern 'a..example'");
	expect_error("reserved .example\n", 1, "bad pattern");
	expect_error("reserved example.\xc3\n", 1, "invalid UTF-8");
	expect_error("reserved ex\x01mple\n", 1, "control character");
	expect_error("reserved *.\n", 1, "bad pattern");
	expect_error("reserved =\n", 1, "bad pattern");
	expect_error("reserved a.*.example\n", 1, "bad pattern");
	expect_error("reserved **.example\n", 1, "bad pattern");
	expect_error("reserved a\\046b.example\n", 1, "bad pattern");
	expect_error("reserved aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example\n", 1,
		     "bad pattern");
	char longname[400] = "reserved ";
	for (int i = 0; i < 5; i++)
		strcat(longname, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(longname, "example\n");
	expect_error(longname, 1, "bad pattern");
	expect_error("reserved 192.0.2.1/24\n", 1, "bits set past the prefix");
	expect_error("reserved 2001:db8::1/32\n", 1, "bits set past the prefix");
	expect_error("reserved 10.0.0.0/33\n", 1, "bad prefix length");
	expect_error("reserved 2001:db8::/129\n", 1, "bad prefix length");
	expect_error("reserved 10.0.0.0/\n", 1, "bad prefix length");
	expect_error("reserved 10.0.0.0/8x\n", 1, "bad prefix length");
	expect_error("reserved 1.2.3\n", 1, "bad address");
	expect_error("reserved 256.1.1.1\n", 1, "bad address");
	expect_error("reserved 2001:db8::g\n", 1, "bad address");
	expect_error("reserved =192.0.2.1\n", 1, "takes no '='");
	expect_error("reserved a.example id\n", 1, "bad option 'id'");
	expect_error("reserved a.example =x\n", 1, "bad option");
	expect_error("reserved a.example colour=red\n", 1, "colour: unknown option");
	expect_error("reserved a.example averyveryverylongkey=1\n", 1, "unknown option");
	expect_error("reserved a.example id=a id=b\n", 1, "id: option given twice");
	expect_error("reserved a.example id=\n", 1, "id: empty value");
	expect_error("reserved a.example severity=101\n", 1, "bad severity");
	expect_error("reserved a.example severity=-1\n", 1, "bad severity");
	expect_error("reserved a.example severity=1000\n", 1, "bad severity");
	expect_error("reserved a.example severity=5x\n", 1, "bad severity");
	expect_error("reserved a.example description=\"open\n", 1, "unterminated quote");
	expect_error("reserved a.example description=\"a\\\"\n", 1, "unterminated quote");
	expect_error("reserved a.example description=\"a\\n\"\n", 1, "bad escape");
	expect_error("reserved a.example description=\"a\"b\n", 1, "text after closing quote");
	expect_error("reserved a.example description=a\"b\"\n", 1, "quote inside a bare word");
	expect_error("reserved a.example technique=T155\n", 1, "bad technique");
	expect_error("reserved a.example technique=t1557\n", 1, "bad technique");
	expect_error("reserved a.example technique=T1557.01\n", 1, "bad technique");
	expect_error("reserved a.example technique=T1557,\n", 1, "bad technique");
	expect_error("reserved a.example technique=T1,T2,T3,T4,T5,T6,T7,T8,T9\n", 1, "bad technique");
	expect_error("reserved a.example technique=T0001,T0002,T0003,T0004,T0005,T0006,T0007,T0008,T0009\n",
		     1, "too many techniques");
	expect_error("reserved a.example answers=none,10.0.0.1\n", 1, "answers=none with addresses");
	expect_error("reserved a.example answers=10.0.0.1,,10.0.0.2\n", 1, "empty item");
	expect_error("reserved a.example answers=10.0.0.1/8\n", 1, "bits set past");
	expect_error("reserved a.example answers=example.com\n", 1, "bad address");
	expect_error("reserved 192.0.2.0/24 answers=loopback\n", 1, "names only");
	char many[1024] = "reserved a.example answers=private,private,private,private,private";
	strcat(many, "\n");
	expect_error(many, 1, "too many answers");
	expect_error("include\n", 1, "include needs a file name");
	expect_error("include a b\n", 1, "include takes one file name");
	expect_error("include \"\"\n", 1, "include needs a file name");

	/* A line over 4 KiB is an error; one of exactly 4096 bytes is not. */
	char *big = malloc(8192);
	assert_non_null(big);
	memset(big, ' ', 5000);
	memcpy(big, "reserved a.example", 18);
	strcpy(big + 5000, "\n");
	expect_error(big, 1, "line longer than 4096 bytes");
	memset(big, ' ', 4096);
	memcpy(big, "reserved a.example", 18);
	strcpy(big + 4096, "\nreserved b.example\n");
	struct ruleset *rs = load_ok(big);
	assert_int_equal(rules_count(rs), 2);
	rules_free(rs);
	free(big);

	/* Errors do not stop the reading: every one is reported. */
	assert_null(load_str("reserved a..b\nbogus x\nreserved ok.example\nreserved 1.2.3.4/40\n"));
	assert_int_equal(diag.errors, 3);
	expect_msg(true, "t.rules:1: ", "bad pattern");
	expect_msg(true, "t.rules:2: ", "unknown class");
	expect_msg(true, "t.rules:4: ", "bad prefix length");
}

static void test_conflicts_duplicates(void **state)
{
	(void)state;
	expect_error("reserved example.com id=a\nallowed example.com id=b\n", 2,
		     "example.com is allowed here but reserved at t.rules:1");
	expect_error("reserved 192.0.2.0/24\nwatched 192.0.2.0/24\n", 2, "192.0.2.0/24 is watched here");
	expect_error("reserved Example.COM.\nwatched example.com\n", 2, "is watched here");
	expect_error("reserved =a.example\nwatched =A.example\n", 2, "=a.example is watched");
	expect_error("reserved ::ffff:192.0.2.0/120\nallowed 192.0.2.0/24\n", 2, "is allowed here");

	/* Same class: a warning, the first definition stays. */
	struct ruleset *rs = load_ok("reserved example.com id=first\nreserved EXAMPLE.com. id=second\n");
	assert_int_equal(diag.warnings, 1);
	expect_msg(false, "t.rules:2: ", "duplicate of example.com at t.rules:1");
	assert_int_equal(rules_count(rs), 1);
	assert_string_equal(match(rs, "example.com"), "first");
	rules_free(rs);

	/* One name as exact, wildcard and domain is three patterns, not a conflict. */
	rs = load_ok("reserved a.example\nallowed =a.example\nwatched *.a.example\n");
	assert_int_equal(rules_count(rs), 3);
	assert_int_equal(diag.warnings, 0);
	rules_free(rs);
}

/* ---- addresses ---- */

static void test_addresses(void **state)
{
	(void)state;
	struct ruleset *rs = load_ok(
		"reserved 10.0.0.0/8 id=ten\n"
		"allowed 10.1.0.0/16 id=ten-one\n"
		"watched 10.1.2.3 id=host\n"
		"reserved 0.0.0.0 id=zero4\n"
		"reserved :: id=zero6\n"
		"reserved 2001:DB8::/32 id=doc6\n"
		"allowed 2001:db8:1::/48 id=doc6-1\n"
		"reserved 2001:db8:1::1/128 id=doc6-host\n"
		"reserved ::ffff:198.51.100.0/120 id=mapped\n");
	assert_string_equal(id_of(match_ip(rs, "10.2.3.4")), "ten");
	assert_string_equal(id_of(match_ip(rs, "10.1.9.9")), "ten-one");
	assert_string_equal(id_of(match_ip(rs, "10.1.2.3")), "host");
	assert_string_equal(id_of(match_ip(rs, "10.1.2.4")), "ten-one");
	assert_string_equal(id_of(match_ip(rs, "::ffff:10.1.2.3")), "host");
	assert_string_equal(id_of(match_ip(rs, "::ffff:10.9.0.0")), "ten");
	assert_string_equal(id_of(match_ip(rs, "11.0.0.0")), "none");
	assert_string_equal(id_of(match_ip(rs, "9.255.255.255")), "none");
	assert_string_equal(id_of(match_ip(rs, "0.0.0.0")), "zero4");
	assert_string_equal(id_of(match_ip(rs, "0.0.0.1")), "none");
	assert_string_equal(id_of(match_ip(rs, "::")), "zero6");
	assert_string_equal(id_of(match_ip(rs, "::1")), "none");
	assert_string_equal(id_of(match_ip(rs, "2001:db8::1")), "doc6");
	assert_string_equal(id_of(match_ip(rs, "2001:db8:1:2::1")), "doc6-1");
	assert_string_equal(id_of(match_ip(rs, "2001:db8:1::1")), "doc6-host");
	assert_string_equal(id_of(match_ip(rs, "2001:db9::")), "none");
	assert_string_equal(id_of(match_ip(rs, "198.51.100.77")), "mapped");
	/* ::10.1.2.3 (IPv4-compatible, deprecated) is not IPv4-mapped. */
	assert_string_equal(id_of(match_ip(rs, "::10.1.2.3")), "none");
	const struct rule *r = match_ip(rs, "10.1.2.3");
	assert_int_equal(r->kind, RULE_ADDR);
	assert_string_equal(r->pattern, "10.1.2.3");
	assert_int_equal(r->cidr.prefix, 128);
	assert_string_equal(match_ip(rs, "10.9.9.9")->pattern, "10.0.0.0/8");
	assert_int_equal(match_ip(rs, "10.9.9.9")->cidr.prefix, 104);
	assert_string_equal(match_ip(rs, "2001:db8::5")->pattern, "2001:db8::/32");
	assert_string_equal(match_ip(rs, "::")->pattern, "::");
	assert_string_equal(match_ip(rs, "198.51.100.1")->pattern, "198.51.100.0/24");
	uint8_t a[16] = { 0 };
	assert_null(rules_match_addr(rs, 5, a));
	assert_null(rules_match_addr(rs, 4, NULL));
	assert_null(rules_match_name(rs, "10.1.2.3"));
	rules_free(rs);

	/* /0 in each family. An IPv4 /0 is ::ffff:0:0/96: all of IPv4 and nothing else. */
	rs = load_ok("reserved 0.0.0.0/0 id=all4\n");
	assert_string_equal(id_of(match_ip(rs, "255.255.255.255")), "all4");
	assert_string_equal(id_of(match_ip(rs, "::ffff:1.2.3.4")), "all4");
	assert_string_equal(id_of(match_ip(rs, "2001:db8::1")), "none");
	assert_string_equal(match_ip(rs, "1.1.1.1")->pattern, "0.0.0.0/0");
	rules_free(rs);
	rs = load_ok("reserved ::/0 id=all6\nallowed 255.255.255.255/32 id=bcast\n");
	assert_string_equal(id_of(match_ip(rs, "2001:db8::1")), "all6");
	assert_string_equal(id_of(match_ip(rs, "1.2.3.4")), "all6");
	assert_string_equal(id_of(match_ip(rs, "255.255.255.255")), "bcast");
	assert_string_equal(id_of(match_ip(rs, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")), "all6");
	assert_string_equal(match_ip(rs, "::")->pattern, "::/0");
	rules_free(rs);
	/* IPv6 ranges shorter than /96 may or may not hold the IPv4-mapped block. */
	rs = load_ok("reserved ::/64 id=low\nreserved 2000::/3 id=global\n");
	assert_string_equal(id_of(match_ip(rs, "1.2.3.4")), "low");
	assert_string_equal(id_of(match_ip(rs, "::ffff:1.2.3.4")), "low");
	assert_string_equal(id_of(match_ip(rs, "::1")), "low");
	assert_string_equal(id_of(match_ip(rs, "2001:db8::1")), "global");
	assert_string_equal(id_of(match_ip(rs, "fe80::1")), "none");
	rules_free(rs);

	/* Names and addresses do not see each other; an empty set matches nothing. */
	rs = load_ok("");
	assert_int_equal(rules_count(rs), 0);
	assert_null(match_ip(rs, "1.2.3.4"));
	assert_string_equal(match(rs, "example.com"), "none");
	rules_free(rs);
	assert_null(rules_match_name(NULL, "a"));
	assert_null(rules_match_addr(NULL, 4, a));
	assert_int_equal(rules_count(NULL), 0);
	rules_free(NULL);
	assert_string_equal(rules_class_name(RULE_RESERVED), "reserved");
	assert_string_equal(rules_class_name(RULE_WATCHED), "watched");
	assert_string_equal(rules_class_name(RULE_ALLOWED), "allowed");
	assert_string_equal(rules_class_name((enum rule_class)0), "unknown");
}

/* ---- files and includes ---- */

static void test_includes(void **state)
{
	(void)state;
	char text[1024];
	assert_int_equal(mkdir(strcat(strcpy(text, tmpdir), "/sub"), 0700), 0);
	write_file("sub/leaf.rules", "watched corp.example id=leaf\n");
	write_file("sub/mid.rules", "include leaf.rules\nreserved mid.example id=mid\n");
	const char *top = write_file("top.rules", "# top\ninclude \"sub/mid.rules\"  # relative\n"
				     "reserved top.example id=top\n");
	struct ruleset *rs = rules_load(&top, 1, &diag);
	if (!rs)
		dump_diag();
	assert_non_null(rs);
	assert_int_equal(rules_count(rs), 3);
	const struct rule *r = rules_match_name(rs, "a.corp.example");
	assert_string_equal(r->id, "leaf");
	assert_non_null(strstr(r->file, "sub/leaf.rules"));
	assert_int_equal(r->line, 1);
	assert_string_equal(match(rs, "mid.example"), "mid");
	rules_free(rs);

	/* A cycle, through two files and directly. */
	const char *a = write_file("cyc-a.rules", "reserved a.example\ninclude cyc-b.rules\n");
	write_file("cyc-b.rules", "\ninclude cyc-a.rules\n");
	assert_null(rules_load(&a, 1, &diag));
	snprintf(text, sizeof text, "%s/cyc-b.rules:2: ", tmpdir);
	expect_msg(true, text, "include cycle");
	assert_int_equal(diag.errors, 1);
	const char *self = write_file("self.rules", "include self.rules\n");
	assert_null(rules_load(&self, 1, &diag));
	snprintf(text, sizeof text, "%s:1: ", self);
	expect_msg(true, text, "include cycle");

	/* Including one file twice (no cycle) gives duplicate warnings only. */
	const char *twice = write_file("twice.rules", "include sub/leaf.rules\ninclude sub/leaf.rules\n");
	rs = rules_load(&twice, 1, &diag);
	assert_non_null(rs);
	assert_int_equal(diag.warnings, 1);
	rules_free(rs);

	/* Too deep: d0 -> d1 -> ... -> d11. */
	for (int i = 0; i < 12; i++) {
		char name[32], body[64];
		snprintf(name, sizeof name, "d%d.rules", i);
		snprintf(body, sizeof body, "include d%d.rules\n", i + 1);
		write_file(name, body);
	}
	write_file("d12.rules", "reserved deep.example\n");
	const char *d0 = write_file("d0.rules", "include d1.rules\n");
	assert_null(rules_load(&d0, 1, &diag));
	expect_msg(true, tmpdir, "includes nested deeper than 8");
	assert_int_equal(diag.errors, 1);

	/* Missing, a folder, and an unreadable top-level file. */
	const char *miss = write_file("miss.rules", "reserved a.example\ninclude nope.rules\n");
	assert_null(rules_load(&miss, 1, &diag));
	snprintf(text, sizeof text, "%s:2: ", miss);
	expect_msg(true, text, "cannot include");
	expect_msg(true, text, "No such file or directory");
	const char *dir = write_file("dir.rules", "include sub\n");
	assert_null(rules_load(&dir, 1, &diag));
	expect_msg(true, "", "not a regular file");
	const char *none = "/nonexistent/x.rules";
	assert_null(rules_load(&none, 1, &diag));
	assert_string_equal(diag.msg[0], "/nonexistent/x.rules: cannot read: No such file or directory");

	/* Several files: one set, conflicts across files are errors. */
	const char *two[2] = { write_file("one.rules", "reserved x.example\n"),
			       write_file("two.rules", "\nallowed x.example\n") };
	assert_null(rules_load(two, 2, &diag));
	snprintf(text, sizeof text, "%s:2: ", two[1]);
	expect_msg(true, text, "x.example is allowed here but reserved at");
	two[1] = write_file("two.rules", "allowed =x.example\n");
	rs = rules_load(two, 2, &diag);
	assert_non_null(rs);
	assert_int_equal(rules_count(rs), 2);
	rules_free(rs);
	rs = rules_load(NULL, 0, &diag);
	assert_non_null(rs);
	assert_int_equal(rules_count(rs), 0);
	rules_free(rs);
}

/* ---- Zeek intel ---- */

static void test_intel(void **state)
{
	(void)state;
	const char *f = write_file("feed.intel",
		"#separator \\x09\n"
		"#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\tmeta.do_notice\n"
		"Evil.Example.\tIntel::DOMAIN\tfeedA\tPhishing kit host\thttps://feed.example/1\tT\n"
		"198.51.100.9\tIntel::ADDR\t-\t-\t-\tF\n"
		"2001:db8:bad::/48\tIntel::SUBNET\tfeedA\t(empty)\t-\tT\n"
		"http://x.example/a\tIntel::URL\tfeedA\t-\t-\tT\n"
		"\n"
		"d41d8cd98f00b204e9800998ecf8427e\tIntel::FILE_HASH\tfeedA\t-\t-\tT\n");
	struct ruleset *rs = rules_load(&f, 1, &diag);
	if (!rs)
		dump_diag();
	assert_non_null(rs);
	assert_int_equal(rules_count(rs), 3);
	assert_int_equal(diag.warnings, 1);
	char prefix[600];
	snprintf(prefix, sizeof prefix, "%s:6: ", f);
	expect_msg(false, prefix, "2 indicators of types other than");
	const struct rule *r = rules_match_name(rs, "evil.example");
	assert_non_null(r);
	assert_int_equal(r->kind, RULE_EXACT);
	assert_int_equal(r->cls, RULE_RESERVED);
	assert_int_equal(r->severity, 70);
	assert_string_equal(r->id, "intel:feedA:Evil.Example.");
	assert_string_equal(r->pattern, "=evil.example");
	assert_string_equal(r->description, "Phishing kit host");
	assert_string_equal(r->reference, "https://feed.example/1");
	assert_int_equal(r->line, 3);
	assert_null(rules_match_name(rs, "a.evil.example")); /* Zeek matches the name itself */
	r = match_ip(rs, "198.51.100.9");
	assert_string_equal(r->id, "intel:feed.intel:4");
	assert_null(r->description);
	assert_null(match_ip(rs, "198.51.100.10"));
	r = match_ip(rs, "2001:db8:bad:1::1");
	assert_string_equal(r->pattern, "2001:db8:bad::/48");
	assert_null(r->description);
	rules_free(rs);

	/* A class column, and the columns in another order. */
	rs = load_ok("#fields\tindicator_type\tindicator\tmeta.misroute_class\n"
		     "Intel::DOMAIN\tcorp.example\twatched\n"
		     "Intel::DOMAIN\tok.example\tallowed\n"
		     "Intel::DOMAIN\tbad.example\t-\n");
	assert_int_equal(rules_match_name(rs, "corp.example")->cls, RULE_WATCHED);
	assert_int_equal(rules_match_name(rs, "corp.example")->severity, 50);
	assert_true(rules_match_name(rs, "corp.example")->answers_any);
	assert_int_equal(rules_match_name(rs, "ok.example")->cls, RULE_ALLOWED);
	assert_int_equal(rules_match_name(rs, "bad.example")->cls, RULE_RESERVED);
	assert_string_equal(rules_match_name(rs, "bad.example")->id, "intel:t.rules:4");
	rules_free(rs);

	/* Errors. */
	expect_error("#fields\tindicator\tmeta.source\nx.example\ta\n", 1, "lacks indicator or indicator_type");
	expect_error("#fields\tindicator\tindicator_type\nx.example\tIntel::DOMAIN\textra\n", 2,
		     "3 columns where #fields names 2");
	expect_error("#fields\tindicator\tindicator_type\nx.example\n", 2, "1 columns where");
	expect_error("#fields\tindicator\tindicator_type\na..example\tIntel::DOMAIN\n", 2,
		     "bad Intel::DOMAIN indicator 'a..example'");
	expect_error("#fields\tindicator\tindicator_type\n192.0.2.0/24\tIntel::ADDR\n", 2, "bad Intel::ADDR");
	expect_error("#fields\tindicator\tindicator_type\n192.0.2.1\tIntel::SUBNET\n", 2, "bad Intel::SUBNET");
	expect_error("#fields\tindicator\tindicator_type\n192.0.2.1/24\tIntel::SUBNET\n", 2, "bits set past");
	expect_error("#fields\tindicator\tindicator_type\n-\tIntel::DOMAIN\n", 2, "empty indicator");
	expect_error("#fields\tindicator\tindicator_type\tmeta.misroute_class\nx.example\tIntel::DOMAIN\tbogus\n",
		     2, "meta.misroute_class must be");
	expect_error("#fields\tindicator\tindicator_type\tmeta.misroute_class\n"
		     "x.example\tIntel::DOMAIN\treserved\nx.example\tIntel::DOMAIN\tallowed\n", 3,
		     "=x.example is allowed here but reserved at t.rules:2");
	expect_error("#fields\tindicator\tindicator_type\nx.example\tIntel::DOMAIN\xff\n", 2, "invalid UTF-8");
	/* "#fields" after data is a comment in a rule file. */
	struct ruleset *plain = load_ok("reserved a.example\n#fields\tindicator\tindicator_type\n");
	assert_int_equal(rules_count(plain), 1);
	rules_free(plain);
}

/* ---- the bundled rules ---- */

static void test_default_rules(void **state)
{
	(void)state;
	const char *path = "rules/default.rules";
	struct ruleset *rs = rules_load(&path, 1, &diag);
	if (!rs || diag.n)
		dump_diag();
	assert_non_null(rs);
	assert_int_equal(diag.errors + diag.warnings, 0);
	assert_true(rules_count(rs) >= 23);

	FILE *f = fopen("tests/rules/default-names.tsv", "r");
	assert_non_null(f);
	char line[512];
	unsigned checked = 0, bad = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		const char *name = line, *want = tab + 1;
		uint8_t a[16];
		const struct rule *r;
		if (inet_pton(AF_INET, name, a) == 1)
			r = rules_match_addr(rs, 4, a);
		else if (inet_pton(AF_INET6, name, a) == 1)
			r = rules_match_addr(rs, 6, a);
		else
			r = rules_match_name(rs, name);
		char got[256];
		if (r)
			snprintf(got, sizeof got, "%s %s", rules_class_name(r->cls), r->id);
		else
			snprintf(got, sizeof got, "none");
		if (strcmp(got, want) != 0) {
			print_message("default-names.tsv: %s: want \"%s\", got \"%s\"\n", name, want, got);
			bad++;
		}
		checked++;
	}
	fclose(f);
	assert_int_equal(bad, 0);
	assert_true(checked >= 60);

	/* Every bundled rule has an RFC (or ICANN) reference, T1557 and a description. */
	const char *probe[] = { "a.test", "a.example", "a.invalid", "localhost", "a.example.com",
				"example.com", "www.example.org", "a.local", "a.onion", "home.arpa",
				"a.alt", "a.internal" };
	for (size_t i = 0; i < sizeof probe / sizeof *probe; i++) {
		const struct rule *r = rules_match_name(rs, probe[i]);
		assert_non_null(r);
		assert_non_null(r->description);
		assert_true(strncmp(r->reference, "https://www.rfc-editor.org/rfc/rfc", 34) == 0 ||
			    strncmp(r->reference, "https://www.icann.org/", 22) == 0);
		assert_int_equal(r->n_techniques, 1);
		assert_string_equal(r->techniques[0], "T1557");
		assert_int_equal(r->cls, RULE_RESERVED);
	}

	/* Legitimate answers. */
	const struct rule *r = rules_match_name(rs, "autodiscover.example.com");
	assert_false(answer_ok(r, "93.184.215.14"));
	assert_false(answer_ok(r, "127.0.0.1"));
	r = rules_match_name(rs, "example.com");
	assert_true(answer_ok(r, "93.184.215.14"));
	assert_true(answer_ok(r, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"));
	assert_true(answer_ok(r, "23.192.228.80"));
	assert_false(answer_ok(r, "203.0.113.5"));
	r = rules_match_name(rs, "www.example.net");
	assert_true(answer_ok(r, "96.7.128.175"));
	assert_false(answer_ok(r, "8.8.8.8"));
	r = rules_match_name(rs, "foo.localhost");
	assert_true(answer_ok(r, "127.0.0.1"));
	assert_true(answer_ok(r, "::1"));
	assert_false(answer_ok(r, "10.0.0.1"));
	r = rules_match_name(rs, "printer.local");
	assert_true(answer_ok(r, "192.168.1.20"));
	assert_true(answer_ok(r, "fe80::1"));
	assert_false(answer_ok(r, "8.8.8.8"));
	r = rules_match_name(rs, "nas.home.arpa");
	assert_true(answer_ok(r, "10.0.0.2"));
	r = rules_match_name(rs, "corp.internal");
	assert_true(answer_ok(r, "172.16.1.1"));
	assert_false(answer_ok(r, "1.1.1.1"));
	r = rules_match_name(rs, "x.test");
	assert_false(answer_ok(r, "127.0.0.1"));
	r = rules_match_name(rs, "x.onion");
	assert_false(answer_ok(r, "10.0.0.1"));
	rules_free(rs);
}

/* ---- scale ---- */

#define GEN_RULES 100000

/* Rule i: a domain, an exact name, a wildcard or an address range, by i % 4; every tenth of
 * them allowed, to mix classes. */
static void gen_rule(unsigned i, char *out, size_t size)
{
	const char *cls = i % 10 == 0 ? "allowed" : i % 10 == 1 ? "watched" : "reserved";
	switch (i % 4) {
	case 0: snprintf(out, size, "%s d%u.z%u.gen id=g%u\n", cls, i, i % 97, i); break;
	case 1: snprintf(out, size, "%s =e%u.z%u.gen id=g%u\n", cls, i, i % 97, i); break;
	case 2: snprintf(out, size, "%s *.w%u.gen id=g%u\n", cls, i, i); break;
	default:
		if (i % 8 == 3)
			snprintf(out, size, "%s 10.%u.%u.%u id=g%u\n", cls, (i >> 16) & 255, (i >> 8) & 255, i & 255, i);
		else
			snprintf(out, size, "%s 2001:db8:%x:%x::/64 id=g%u\n", cls, i >> 16, i & 0xffff, i);
	}
}

static void test_many_rules(void **state)
{
	(void)state;
	size_t cap = (size_t)GEN_RULES * 64, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (unsigned i = 0; i < GEN_RULES; i++) {
		gen_rule(i, text + len, cap - len);
		len += strlen(text + len);
	}
	struct ruleset *rs = rules_load_buffer("gen.rules", text, len, &diag);
	free(text);
	if (!rs)
		dump_diag();
	assert_non_null(rs);
	assert_int_equal(rules_count(rs), GEN_RULES);
	char name[128], id[32];
	for (unsigned i = 0; i < GEN_RULES; i++) {
		snprintf(id, sizeof id, "g%u", i);
		const struct rule *r = NULL, *miss = NULL;
		switch (i % 4) {
		case 0:
			snprintf(name, sizeof name, "mail.d%u.z%u.gen", i, i % 97);
			r = rules_match_name(rs, name);
			snprintf(name, sizeof name, "xd%u.z%u.gen", i, i % 97);
			miss = rules_match_name(rs, name);
			break;
		case 1:
			snprintf(name, sizeof name, "E%u.Z%u.GEN.", i, i % 97);
			r = rules_match_name(rs, name);
			snprintf(name, sizeof name, "a.e%u.z%u.gen", i, i % 97);
			miss = rules_match_name(rs, name);
			break;
		case 2:
			snprintf(name, sizeof name, "a.b.w%u.gen", i);
			r = rules_match_name(rs, name);
			snprintf(name, sizeof name, "w%u.gen", i);
			miss = rules_match_name(rs, name);
			break;
		default: {
			uint8_t a[16];
			if (i % 8 == 3) {
				uint8_t a4[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
				r = rules_match_addr(rs, 4, a4);
				a4[1] = 200;
				miss = rules_match_addr(rs, 4, a4);
			} else {
				memset(a, 0, 16);
				a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
				a[4] = (uint8_t)(i >> 24), a[5] = (uint8_t)(i >> 16);
				a[6] = (uint8_t)(i >> 8), a[7] = (uint8_t)i;
				a[15] = 1;
				r = rules_match_addr(rs, 6, a);
				a[2] = 0x0e;
				miss = rules_match_addr(rs, 6, a);
			}
		}
		}
		if (!r || strcmp(r->id, id) != 0 || miss) {
			print_message("rule %u: got %s, miss %s\n", i, id_of(r), id_of(miss));
			fail();
		}
		assert_int_equal(r->cls, i % 10 == 0 ? RULE_ALLOWED : i % 10 == 1 ? RULE_WATCHED : RULE_RESERVED);
	}
	rules_free(rs);
}

/* The bundled files are named relative to the repository root: when started elsewhere (from
 * a build folder), move to the nearest parent of the executable that holds them. */
static void find_top(void)
{
	char path[4096];
	if (access("rules/default.rules", R_OK) == 0 || !realpath("/proc/self/exe", path))
		return;
	for (char *slash; (slash = strrchr(path, '/')) != NULL;) {
		*slash = '\0';
		char probe[4200];
		snprintf(probe, sizeof probe, "%s/rules/default.rules", path);
		if (access(probe, R_OK) == 0) {
			(void)!chdir(path);
			return;
		}
	}
}

int main(void)
{
	find_top();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_pattern_kinds),
		cmocka_unit_test(test_most_specific),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_conflicts_duplicates),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_intel),
		cmocka_unit_test(test_default_rules),
		cmocka_unit_test(test_many_rules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

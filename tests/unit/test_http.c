/* test_http.c: the HTTP/1.x stream parser (RFC 9112 2-7, RFC 9110 7.2, 8.4, 8.6, 11.6.2,
 * RFC 7617) on vectors from the shared captures and hand-made ones, each fed whole, split in
 * two at every byte and one byte at a time through a stand-in for TCP reassembly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dissectors/http.h"

/* ---- what the callbacks saw, as text ----
 *
 * Every event becomes one line; a vector's expected output is that text, and every way of
 * splitting the vector must give the same text. Absent strings are left out, bytes outside
 * 0x20..0x7e (and '\') are written \xNN. */

struct ctx {
	char *log;
	size_t len, cap;
	bool keep_requests;                  /* want_body answer */
	struct http_response_opts opts[8];   /* given to the responses, in order */
	unsigned n_opts, n_resp_heads;
	struct stats st;
	const char *secret;                  /* must appear nowhere in a request */
	unsigned secret_seen;
	unsigned requests;
	bool from_start;                     /* http_stream's: seen from the stream's first byte */
};

static void logf_(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(c->log + c->len, c->cap - c->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if (c->len + (size_t)n < c->cap) {
			c->len += (size_t)n;
			return;
		}
		c->cap = c->cap ? c->cap * 2 + (size_t)n : 4096 + (size_t)n;
		c->log = realloc(c->log, c->cap);
		assert_non_null(c->log);
	}
}

static void log_bytes(struct ctx *c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			logf_(c, "%c", p[i]);
		else
			logf_(c, "\\x%02x", p[i]);
	}
}

static void log_str(struct ctx *c, const char *key, struct http_str s)
{
	if (!s.p)
		return;
	logf_(c, " %s=", key);
	log_bytes(c, (const uint8_t *)s.p, s.len);
	if (s.cut)
		logf_(c, "[cut]");
}

static void log_body(struct ctx *c, const struct http_body *b)
{
	logf_(c, " framing=%d coding=%d wire=%llu complete=%d", (int)b->framing, (int)b->coding,
	      (unsigned long long)b->wire_len, b->complete);
	if (!b->kept)
		return;
	logf_(c, " kept=%u%s%s", b->len, b->cut ? " cut" : "", b->decode_error ? " error" : "");
	uint32_t h = 2166136261u; /* FNV-1a over all of it, the first 48 bytes shown */
	for (uint32_t i = 0; i < b->len; i++)
		h = (h ^ b->data[i]) * 16777619u;
	logf_(c, " fnv=%08x data=", h);
	log_bytes(c, b->data, b->len < 48 ? b->len : 48);
}

static void check_secret(struct ctx *c, const void *mem, size_t n)
{
	if (c->secret && memmem(mem, n, c->secret, strlen(c->secret)))
		c->secret_seen++;
}

static void on_request(void *arg, const struct http_request *rq)
{
	struct ctx *c = arg;
	c->requests++;
	check_secret(c, rq, sizeof *rq);
	logf_(c, "REQ");
	log_str(c, "m", rq->method);
	log_str(c, "t", rq->target);
	logf_(c, " v=%u.%u form=%d", rq->version_major, rq->version_minor, (int)rq->form);
	log_str(c, "path", rq->path);
	log_str(c, "q", rq->query);
	log_str(c, "host", rq->host);
	if (rq->port)
		logf_(c, " port=%u", rq->port);
	log_str(c, "hh", rq->host_header);
	log_str(c, "th", rq->target_host);
	log_str(c, "ua", rq->user_agent);
	log_str(c, "mbx", rq->anchor_mailbox);
	log_str(c, "ct", rq->content_type);
	log_str(c, "auth", rq->auth_scheme);
	log_str(c, "user", rq->auth_user);
	logf_(c, "%s%s%s%s%s%s", rq->host_ipv6 ? " ipv6" : "", rq->host_from_target ? " from_target" : "",
	      rq->host_dup ? " host_dup" : "", rq->te_and_cl ? " te_and_cl" : "",
	      rq->bad_framing ? " bad_framing" : "", rq->target_redacted ? " redacted" : "");
	log_body(c, &rq->body);
	logf_(c, "\n");
}

static bool want_body(void *arg, const struct http_request *rq)
{
	(void)rq;
	return ((struct ctx *)arg)->keep_requests;
}

static void on_request_body(void *arg, const struct http_request *rq)
{
	struct ctx *c = arg;
	check_secret(c, rq, sizeof *rq);
	logf_(c, "BODY");
	log_str(c, "t", rq->target);
	log_body(c, &rq->body);
	logf_(c, "\n");
}

static void on_response_head(void *arg, const struct http_response *rs, struct http_response_opts *o)
{
	struct ctx *c = arg;
	(void)rs;
	if (c->n_resp_heads < c->n_opts)
		*o = c->opts[c->n_resp_heads];
	c->n_resp_heads++;
}

static void on_response(void *arg, const struct http_response *rs)
{
	struct ctx *c = arg;
	logf_(c, "RSP %u v=%u.%u", rs->status, rs->version_major, rs->version_minor);
	log_str(c, "loc", rs->location);
	log_str(c, "ct", rs->content_type);
	logf_(c, "%s%s", rs->te_and_cl ? " te_and_cl" : "", rs->bad_framing ? " bad_framing" : "");
	log_body(c, &rs->body);
	logf_(c, "\n");
}

/* ---- a stand-in for flow/reasm.c ----
 *
 * Hands the parser what it did not consume, with the new bytes after it; at most
 * REASM_MAX_PENDING bytes are held, and a parser that holds on to all of them loses them
 * (the next delivery says gap), as reassembly does. */

struct emu {
	struct http_stream s;
	struct http_callbacks cb;
	struct ctx *c;
	uint8_t *buf;
	size_t len;
	bool gap;
};

static void emu_init(struct emu *e, struct ctx *c)
{
	memset(e, 0, sizeof *e);
	http_stream_init(&e->s);
	e->s.from_start = c->from_start;
	e->c = c;
	e->cb = (struct http_callbacks){ on_request, want_body, on_request_body, on_response_head,
					 on_response, &c->st };
	e->buf = malloc(REASM_MAX_PENDING);
	assert_non_null(e->buf);
}

static void emu_feed(struct emu *e, const uint8_t *p, size_t n)
{
	do {
		size_t room = REASM_MAX_PENDING - e->len, take = n < room ? n : room;
		memcpy(e->buf + e->len, p, take);
		e->len += take;
		p += take;
		n -= take;
		size_t used = http_feed(&e->s, e->buf, e->len, e->gap, &e->cb, e->c);
		assert_true(used <= e->len);
		e->gap = false;
		memmove(e->buf, e->buf + used, e->len - used);
		e->len -= used;
		if (e->len == REASM_MAX_PENDING) {
			e->len = 0;
			e->gap = true;
		}
	} while (n > 0);
}

/* Bytes were lost: what is held goes, and the next delivery says so. */
static void emu_gap(struct emu *e)
{
	e->len = 0;
	e->gap = true;
}

static void emu_feed_str(struct emu *e, const char *s)
{
	emu_feed(e, (const uint8_t *)s, strlen(s));
}

static void emu_end(struct emu *e)
{
	http_finish(&e->s, &e->cb, e->c);
	free(e->buf);
	http_stream_free(&e->s);
}

static void ctx_reset(struct ctx *c, const struct ctx *proto)
{
	free(c->log);
	*c = *proto;
	c->log = NULL;
	c->len = c->cap = 0;
	logf_(c, "%s", "");
}

/* Feeds v in pieces ending at the offsets cuts[0..n) (ascending, then the rest). */
static void run_cuts(struct ctx *c, const struct ctx *proto, const uint8_t *v, size_t n,
		     const size_t *cuts, size_t ncuts)
{
	struct emu e;
	size_t at = 0;
	ctx_reset(c, proto);
	emu_init(&e, c);
	for (size_t i = 0; i < ncuts; i++) {
		emu_feed(&e, v + at, cuts[i] - at);
		at = cuts[i];
	}
	emu_feed(&e, v + at, n - at);
	emu_end(&e);
}

static void run_whole(struct ctx *c, const struct ctx *proto, const uint8_t *v, size_t n)
{
	run_cuts(c, proto, v, n, NULL, 0);
}

/* The vector whole gives `want` (when not NULL), and so does every split in two and the
 * byte-at-a-time feed, with the same counters. */
static void check_vector(const struct ctx *proto, const void *vec, size_t n, const char *want)
{
	const uint8_t *v = vec;
	struct ctx whole = { 0 }, c = { 0 };
	run_whole(&whole, proto, v, n);
	if (want) {
		if (strcmp(whole.log, want) != 0)
			fprintf(stderr, "got:\n%swant:\n%s", whole.log, want);
		assert_string_equal(whole.log, want);
	}
	for (size_t k = 1; k < n; k++) {
		run_cuts(&c, proto, v, n, &k, 1);
		if (strcmp(c.log, whole.log) != 0)
			fprintf(stderr, "split at %zu:\n%swhole:\n%s", k, c.log, whole.log);
		assert_string_equal(c.log, whole.log);
		assert_memory_equal(c.st.skip, whole.st.skip, sizeof c.st.skip);
	}
	size_t *cuts = malloc(n * sizeof *cuts);
	assert_non_null(cuts);
	for (size_t k = 1; k < n; k++)
		cuts[k - 1] = k;
	run_cuts(&c, proto, v, n, cuts, n ? n - 1 : 0);
	assert_string_equal(c.log, whole.log);
	assert_memory_equal(c.st.skip, whole.st.skip, sizeof c.st.skip);
	free(cuts);
	free(whole.log);
	free(c.log);
}

#define S(lit) (lit), sizeof(lit) - 1
static const struct ctx plain = { 0 };

/* ---- vectors from the shared captures ---- */

/* http/ndpi_WebattackRCE.pcap: Nikto asks for the autodiscover file over HTTP/1.0 without
 * Host; the engine must still see the path. */
static const char nikto_autodiscover[] =
	"GET /Autodiscover/Autodiscover.xml HTTP/1.0\r\n"
	"User-Agent: Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:headers: IIS internal IP)\r\n"
	"Connection: Keep-Alive\r\n\r\n";

/* http/suricata_http-uri-spaces_input.pcap: tshark reports the target "/uri". */
static const char uri_spaces[] =
	"GET /uri afterspace HTTP/1.1\r\n"
	"Host: 127.0.0.1:8000\r\n"
	"User-Agent: curl/7.54.0\r\n"
	"Accept: */*\r\n\r\n";

/* http/suricata_http-connect-simple_input.pcap, both directions (note the stray LF after
 * each head). */
static const char connect_rq[] =
	"CONNECT abc:443 HTTP/1.1\r\nUser-Agent: Victor/1.0\r\n\r\n\n"
	"GET / HTTP/1.1\r\nUser-Agent: Victor/1.0\r\n\r\n\n";
static const char connect_rs[] =
	"HTTP/1.1 200 OK\r\nServer: VictorServer/1.0\r\n\r\n\n"
	"HTTP/1.1 200 OK\r\nServer: VictorServer/1.0\r\n\r\n";

/* http/ndpi_http-proxy.pcapng: absolute-form to a proxy. */
static const char proxy_rq[] =
	"GET http://http.com/ HTTP/1.1\r\n"
	"Host: http.com\r\n"
	"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:91.0) Gecko/20100101 Firefox/91.0\r\n"
	"Accept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n"
	"DNT: 1\r\nConnection: keep-alive\r\nPragma: no-cache\r\nCache-Control: no-cache\r\n\r\n";

/* http/ndpi_http-lines-split.pcap: every line in a segment of its own; a port in Host. */
static const char lines_split_rq[] =
	"GET / HTTP/1.1\r\nHost: toni.lan:31337\r\nUser-Agent: uclient-fetch\r\n\r\n";

/* http/zeek_pipelined-requests.pcap: two of the pipelined requests, back to back. */
static const char pipelined_rq[] =
	"GET /style/enhanced.css HTTP/1.1\r\nHost: www.mozilla.org\r\n"
	"User-Agent: Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5\r\n"
	"Accept: text/css,*/*;q=0.1\r\nKeep-Alive: 300\r\nConnection: keep-alive\r\n"
	"Referer: http://www.mozilla.org/projects/calendar/\r\n\r\n"
	"GET /script/urchin.js HTTP/1.1\r\nHost: www.mozilla.org\r\n"
	"User-Agent: Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5\r\n"
	"Accept: */*\r\nKeep-Alive: 300\r\nConnection: keep-alive\r\n"
	"Referer: http://www.mozilla.org/projects/calendar/\r\n\r\n";

/* http/arkime_v6-http.pcap: the response head and the start of its body (Content-Length cut
 * down to what is here). */
static const char v6_rs[] =
	"HTTP/1.1 200 OK\r\nDate: Sun, 05 Aug 2007 19:16:44 GMT\r\nServer: Apache\r\n"
	"Content-Length: 26\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n"
	"<!DOCTYPE HTML PUBLIC \"-//";

static void test_nikto_no_host(void **state)
{
	(void)state;
	static const char want[] =
		"REQ m=GET t=/Autodiscover/Autodiscover.xml v=1.0 form=0 path=/Autodiscover/Autodiscover.xml"
		" ua=Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:headers: IIS internal IP)"
		" framing=0 coding=0 wire=0 complete=0\n";
	check_vector(&plain, S(nikto_autodiscover), want);
}

static void test_uri_spaces(void **state)
{
	(void)state;
	static const char want[] =
		"REQ m=GET t=/uri v=1.1 form=0 path=/uri host=127.0.0.1 port=8000 hh=127.0.0.1:8000"
		" ua=curl/7.54.0 framing=0 coding=0 wire=0 complete=0\n";
	check_vector(&plain, S(uri_spaces), want);
}

static void test_connect(void **state)
{
	(void)state;
	static const char want_rq[] =
		"REQ m=CONNECT t=abc:443 v=1.1 form=2 host=abc port=443 th=abc ua=Victor/1.0 from_target"
		" framing=0 coding=0 wire=0 complete=0\n"
		"REQ m=GET t=/ v=1.1 form=0 path=/ ua=Victor/1.0 framing=0 coding=0 wire=0 complete=0\n";
	check_vector(&plain, S(connect_rq), want_rq);
	/* The engine says the first response answers CONNECT: no body, and HTTP goes on. */
	struct ctx c = { 0 };
	c.n_opts = 1;
	c.opts[0].to_connect = true;
	static const char want_rs[] = "RSP 200 v=1.1 framing=0 coding=0 wire=0 complete=1\n"
				      "RSP 200 v=1.1 framing=3 coding=0 wire=0 complete=1\n";
	check_vector(&c, S(connect_rs), want_rs);
	/* Not told, the first has no length and runs to the end of the stream. */
	check_vector(&plain, S(connect_rs), "RSP 200 v=1.1 framing=3 coding=0 wire=46 complete=1\n");
}

/* After CONNECT the tunnel carries TLS: nothing more is parsed, and nothing is counted. */
static void test_connect_tunnel_tls(void **state)
{
	(void)state;
	static const char v[] = "CONNECT [2001:DB8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n"
				"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03GET / HTTP/1.1\r\n\r\n";
	static const char want[] =
		"REQ m=CONNECT t=[2001:DB8::1]:443 v=1.1 form=2 host=2001:db8::1 port=443"
		" hh=[2001:db8::1]:443 th=2001:db8::1 ipv6 framing=0 coding=0 wire=0 complete=0\n";
	struct ctx c = { 0 };
	check_vector(&c, S(v), want);
	struct ctx r = { 0 };
	run_whole(&r, &plain, (const uint8_t *)v, sizeof v - 1);
	for (int i = 0; i < SKIP_MAX; i++)
		assert_int_equal(r.st.skip[i], 0);
	free(r.log);
}

static void test_proxy_absolute(void **state)
{
	(void)state;
	static const char want[] =
		"REQ m=GET t=http://http.com/ v=1.1 form=1 path=/ host=http.com hh=http.com th=http.com"
		" ua=Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:91.0) Gecko/20100101 Firefox/91.0"
		" framing=0 coding=0 wire=0 complete=0\n";
	check_vector(&plain, S(proxy_rq), want);
}

static void test_lines_split(void **state)
{
	(void)state;
	check_vector(&plain, S(lines_split_rq),
		     "REQ m=GET t=/ v=1.1 form=0 path=/ host=toni.lan port=31337 hh=toni.lan:31337"
		     " ua=uclient-fetch framing=0 coding=0 wire=0 complete=0\n");
}

static void test_pipelined(void **state)
{
	(void)state;
	static const char ua[] =
		" ua=Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5";
	char want[1024];
	snprintf(want, sizeof want,
		 "REQ m=GET t=/style/enhanced.css v=1.1 form=0 path=/style/enhanced.css host=www.mozilla.org"
		 " hh=www.mozilla.org%s framing=0 coding=0 wire=0 complete=0\n"
		 "REQ m=GET t=/script/urchin.js v=1.1 form=0 path=/script/urchin.js host=www.mozilla.org"
		 " hh=www.mozilla.org%s framing=0 coding=0 wire=0 complete=0\n",
		 ua, ua);
	check_vector(&plain, S(pipelined_rq), want);
}

static void test_response_length(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	c.n_opts = 1;
	c.opts[0].keep_body = true;
	check_vector(&c, S(v6_rs),
		     "RSP 200 v=1.1 ct=text/html framing=1 coding=0 wire=26 complete=1 kept=26 fnv=23d7fbb1"
		     " data=<!DOCTYPE HTML PUBLIC \"-//\n");
	/* Not asked for: counted, not kept. */
	check_vector(&plain, S(v6_rs), "RSP 200 v=1.1 ct=text/html framing=1 coding=0 wire=26 complete=1\n");
}

/* ---- request line, Host and target forms ---- */

static void test_host_normalised(void **state)
{
	(void)state;
	static const struct {
		const char *host, *want;
	} cases[] = {
		{ "Example.COM", "host=example.com hh=Example.COM" },
		{ "Example.COM.:8080", "host=example.com port=8080 hh=Example.COM.:8080" },
		{ "example.com..", "host=example.com hh=example.com.." },
		{ "[2001:DB8::1]:8443", "host=2001:db8::1 port=8443 hh=[2001:DB8::1]:8443 ipv6" },
		{ "[::1]", "host=::1 hh=[::1] ipv6" },
		{ "2001:db8::2", "host=2001:db8::2 hh=2001:db8::2" },
		{ "a.example:99999", "host=a.example hh=a.example:99999" },
		{ "  spaced.example  ", "host=spaced.example hh=spaced.example" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char v[256], want[512];
		snprintf(v, sizeof v, "GET /a?b=c HTTP/1.1\r\nHost: %s\r\n\r\n", cases[i].host);
		snprintf(want, sizeof want,
			 "REQ m=GET t=/a?b=c v=1.1 form=0 path=/a q=b=c %s framing=0 coding=0 wire=0 complete=0\n",
			 cases[i].want);
		check_vector(&plain, v, strlen(v), want);
	}
}

static void test_target_forms(void **state)
{
	(void)state;
	/* Absolute form without Host: the domain comes from the target (with its port). */
	check_vector(&plain, S("GET http://Proxy.Example:8080/p/q?x=1#f HTTP/1.0\r\n\r\n"),
		     "REQ m=GET t=http://Proxy.Example:8080/p/q?x=1#f v=1.0 form=1 path=/p/q q=x=1"
		     " host=proxy.example port=8080 th=proxy.example from_target framing=0 coding=0 wire=0"
		     " complete=0\n");
	/* With Host, Host wins; both are kept. */
	check_vector(&plain, S("GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n"),
		     "REQ m=GET t=http://a.example/ v=1.1 form=1 path=/ host=b.example hh=b.example"
		     " th=a.example framing=0 coding=0 wire=0 complete=0\n");
	/* An empty Host falls back to the target. */
	check_vector(&plain, S("GET http://a.example HTTP/1.1\r\nHost:\r\n\r\n"),
		     "REQ m=GET t=http://a.example v=1.1 form=1 path= host=a.example hh= th=a.example"
		     " from_target framing=0 coding=0 wire=0 complete=0\n");
	check_vector(&plain, S("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"),
		     "REQ m=OPTIONS t=* v=1.1 form=3 host=x hh=x framing=0 coding=0 wire=0 complete=0\n");
	/* Nikto's "GET . HTTP/1.0" is kept as sent. */
	check_vector(&plain, S("GET . HTTP/1.0\r\n\r\n"),
		     "REQ m=GET t=. v=1.0 form=4 path=. framing=0 coding=0 wire=0 complete=0\n");
	/* Bare LF line ends, several spaces after the method, trailing space. */
	check_vector(&plain, S("HEAD   /x HTTP/1.1 \nHost: y\n\n"),
		     "REQ m=HEAD t=/x v=1.1 form=0 path=/x host=y hh=y framing=0 coding=0 wire=0 complete=0\n");
}

/* A password in the target's userinfo is masked in url.original and kept nowhere. */
static void test_target_userinfo(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	c.secret = "hunter2";
	check_vector(&c, S("GET ftp://bob:hunter2@files.example/x HTTP/1.1\r\n\r\n"),
		     "REQ m=GET t=ftp://bob:***@files.example/x v=1.1 form=1 path=/x host=files.example"
		     " th=files.example from_target redacted framing=0 coding=0 wire=0 complete=0\n");
	static const char v[] = "GET http://bob:hunter2@h/ HTTP/1.1\r\n\r\n";
	struct ctx r = { 0 };
	run_whole(&r, &c, (const uint8_t *)v, sizeof v - 1);
	assert_int_equal(r.requests, 1);
	assert_int_equal(r.secret_seen, 0);
	free(r.log);
}

static void test_bad_start_lines(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"GET /\r\n\r\n",                           /* HTTP/0.9: no version */
		"GET / HTTP/1.1x\r\n\r\n",
		"GET / HTTP/3.0\r\n\r\n",
		"G\x01T / HTTP/1.1\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"HTTP/1.1 099 x\r\n\r\n",
		"AVERYVERYVERYVERYVERYVERYVERYLONGMETHOD / HTTP/1.1\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ctx c = { 0 };
		run_whole(&c, &plain, (const uint8_t *)bad[i], strlen(bad[i]));
		assert_string_equal(c.log, "");
		assert_int_equal(c.st.skip[SKIP_HTTP_MALFORMED], 1);
		free(c.log);
		check_vector(&plain, bad[i], strlen(bad[i]), "");
	}
}

/* Garbage before a request (a stream picked up mid-way) is skipped up to the request line. */
static void test_garbage_then_request(void **state)
{
	(void)state;
	static const char v[] = "ody text\r\nmore of it\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n";
	struct ctx c = { 0 };
	check_vector(&plain, S(v),
		     "REQ m=GET t=/a v=1.1 form=0 path=/a host=h hh=h framing=0 coding=0 wire=0 complete=0\n");
	run_whole(&c, &plain, (const uint8_t *)v, sizeof v - 1);
	assert_int_equal(c.st.skip[SKIP_HTTP_MALFORMED], 1);
	free(c.log);
}

/* From a stream's first byte, bytes that are no start line within its first 10 KiB mean it
 * is not HTTP: nothing after is parsed, and reassembly may stop. Later, or after lost bytes,
 * the parser resynchronises on the next start line as before. */
static void test_not_http_from_start(void **state)
{
	(void)state;
	static const struct ctx from_start = { .from_start = true };
	static const char junk[] = "\x16\x03\x01 binary\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char req[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char later[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n\x16\x03\x01 binary\r\n"
				    "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char a[] = "REQ m=GET t=/a v=1.1 form=0 path=/a host=h hh=h framing=0 "
				"coding=0 wire=0 complete=0\n";
	static const char b[] = "REQ m=GET t=/b v=1.1 form=0 path=/b host=h hh=h framing=0 "
				"coding=0 wire=0 complete=0\n";
	check_vector(&from_start, S(junk), "");
	check_vector(&plain, S(junk), a);
	check_vector(&from_start, S(later), a);
	char both[sizeof a + sizeof b];
	snprintf(both, sizeof both, "%s%s", a, b);
	check_vector(&plain, S(later), both);

	struct ctx c = { 0 };
	ctx_reset(&c, &from_start);
	struct emu e;
	emu_init(&e, &c);
	emu_feed_str(&e, junk);
	assert_true(http_opaque(&e.s));
	assert_int_equal(c.st.skip[SKIP_HTTP_MALFORMED], 1);
	emu_end(&e);
	/* Lost bytes first: the stream is picked up mid-way, and resynchronises. */
	ctx_reset(&c, &from_start);
	emu_init(&e, &c);
	emu_gap(&e);
	emu_feed_str(&e, junk);
	assert_false(http_opaque(&e.s));
	assert_string_equal(c.log, a);
	emu_end(&e);
	/* Past the first 10 KiB, a bad line is skipped. */
	ctx_reset(&c, &from_start);
	emu_init(&e, &c);
	for (unsigned i = 0; i < HTTP_VIOLATION_WINDOW / (sizeof req - 1) + 1; i++)
		emu_feed_str(&e, req);
	unsigned before = c.requests;
	emu_feed_str(&e, later);
	assert_false(http_opaque(&e.s));
	assert_int_equal(c.requests, before + 2);
	emu_end(&e);
	free(c.log);
}

/* HTTP/2 with prior knowledge is not HTTP/1: dropped silently. */
static void test_h2_preface(void **state)
{
	(void)state;
	static const char v[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00"
				"GET / HTTP/1.1\r\n\r\n";
	struct ctx c = { 0 };
	check_vector(&plain, v, sizeof v - 1, "");
	run_whole(&c, &plain, (const uint8_t *)v, sizeof v - 1);
	assert_int_equal(c.st.skip[SKIP_HTTP_MALFORMED], 0);
	free(c.log);
}

/* ---- header fields ---- */

static void test_obs_fold(void **state)
{
	(void)state;
	check_vector(&plain,
		     S("GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0\r\n  (folded;\r\n\t twice)  \r\n"
		       "Host:\r\n  Folded.Example\r\nX-AnchorMailbox: user@example.com\r\n\r\n"),
		     "REQ m=GET t=/ v=1.1 form=0 path=/ host=folded.example hh=Folded.Example"
		     " ua=Mozilla/5.0 (folded; twice) mbx=user@example.com framing=0 coding=0 wire=0"
		     " complete=0\n");
	/* A continuation line before any field, lines without a colon, and a name with a space
	 * are ignored; case does not matter in names. */
	check_vector(&plain,
		     S("GET / HTTP/1.1\r\n  stray\r\nno colon here\r\nHost : bad.example\r\n"
		       "hOsT: good.example\r\nhost: second.example\r\n\r\n"),
		     "REQ m=GET t=/ v=1.1 form=0 path=/ host=good.example hh=good.example host_dup"
		     " framing=0 coding=0 wire=0 complete=0\n");
}

/* The Host value is bytes: a NUL or invalid UTF-8 is kept, with its length, for the writer
 * to escape; letters are still lower-cased. */
static void test_host_binary(void **state)
{
	(void)state;
	check_vector(&plain, S("GET / HTTP/1.1\r\nHost: Ex\0am\xff\xfeple.COM\r\n\r\n"),
		     "REQ m=GET t=/ v=1.1 form=0 path=/ host=ex\\x00am\\xff\\xfeple.com"
		     " hh=Ex\\x00am\\xff\\xfeple.COM framing=0 coding=0 wire=0 complete=0\n");
}

/* Basic credentials give the user; the password is not in the struct, not even encoded. */
static void test_basic_auth(void **state)
{
	(void)state;
	/* "alice@example.com:s3cr3t-Pa55" */
	static const char v[] =
		"GET /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.example.com\r\n"
		"Authorization: Basic YWxpY2VAZXhhbXBsZS5jb206czNjcjN0LVBhNTU=\r\n\r\n";
	static const char want[] =
		"REQ m=GET t=/autodiscover/autodiscover.xml v=1.1 form=0 path=/autodiscover/autodiscover.xml"
		" host=autodiscover.example.com hh=autodiscover.example.com auth=Basic"
		" user=alice@example.com framing=0 coding=0 wire=0 complete=0\n";
	static const char *const secrets[] = { "s3cr3t-Pa55", "czNjcjN0LVBhNTU", "YWxpY2VAZXhhbXBsZS5jb206czNjcjN0LVBhNTU" };
	for (size_t i = 0; i < 3; i++) {
		struct ctx c = { 0 };
		c.secret = secrets[i];
		check_vector(&c, S(v), want);
		struct ctx r = { 0 };
		run_whole(&r, &c, (const uint8_t *)v, sizeof v - 1);
		assert_int_equal(r.requests, 1);
		assert_int_equal(r.secret_seen, 0);
		assert_null(memmem(r.log, r.len, secrets[i], strlen(secrets[i])));
		free(r.log);
	}
	/* Other schemes: the scheme only. No ':' in Basic: no user. Unpadded base64 works. */
	check_vector(&plain, S("GET / HTTP/1.1\r\nAuthorization: NTLM TlRMTVNTUAABAAAA\r\n\r\n"),
		     "REQ m=GET t=/ v=1.1 form=0 path=/ auth=NTLM framing=0 coding=0 wire=0 complete=0\n");
	check_vector(&plain, S("GET / HTTP/1.1\r\nAuthorization: basic bm9jb2xvbg==\r\n\r\n"),
		     "REQ m=GET t=/ v=1.1 form=0 path=/ auth=basic framing=0 coding=0 wire=0 complete=0\n");
	check_vector(&plain, S("GET / HTTP/1.1\r\nAuthorization: Basic dTpw\r\n\r\n"), /* "u:p" */
		     "REQ m=GET t=/ v=1.1 form=0 path=/ auth=Basic user=u framing=0 coding=0 wire=0"
		     " complete=0\n");
}

/* ---- bodies ---- */

/* An autodiscover POST: the body is kept when want_body says so, reported after the head. */
static void test_request_body(void **state)
{
	(void)state;
	static const char v[] =
		"POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.example.com\r\n"
		"Content-Type: text/xml\r\nContent-Length: 42\r\n\r\n"
		"<EMailAddress>a@example.com</EMailAddress>"
		"GET /next HTTP/1.1\r\n\r\n";
	struct ctx c = { 0 };
	c.keep_requests = true;
	check_vector(&c, v, sizeof v - 1, NULL);
	struct ctx r = { 0 };
	run_whole(&r, &c, (const uint8_t *)v, sizeof v - 1);
	assert_non_null(strstr(r.log, "BODY t=/autodiscover/autodiscover.xml framing=1 coding=0 wire=42"
				      " complete=1 kept=42"));
	assert_non_null(strstr(r.log, "data=<EMailAddress>a@example.com</EMailAddress>\n"));
	assert_non_null(strstr(r.log, "\nREQ m=GET t=/next"));
	free(r.log);
}

static const char chunked_rs[] =
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
	"5;name=val;q=\"x\"\r\nhello\r\n"
	"000007 \r\n, world\r\n"
	"0\r\nExpires: never\r\nX-Trailer: 1\r\n\r\n"
	"HTTP/1.1 204 No Content\r\n\r\n";

static void test_chunked(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	c.n_opts = 1;
	c.opts[0].keep_body = true;
	check_vector(&c, S(chunked_rs),
		     "RSP 200 v=1.1 ct=text/plain framing=2 coding=0 wire=12 complete=1 kept=12 fnv=4d0ea41d"
		     " data=hello, world\n"
		     "RSP 204 v=1.1 framing=0 coding=0 wire=0 complete=1\n");
	/* Chunked requests too, and chunked beats Content-Length. */
	check_vector(&plain,
		     S("POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
		       "2\r\nab\r\n0\r\n\r\nGET /y HTTP/1.1\r\n\r\n"),
		     "REQ m=POST t=/x v=1.1 form=0 path=/x te_and_cl framing=2 coding=1 wire=0 complete=0\n"
		     "BODY t=/x framing=2 coding=1 wire=2 complete=1\n"
		     "REQ m=GET t=/y v=1.1 form=0 path=/y framing=0 coding=0 wire=0 complete=0\n");
}

/* Builds body in the given zlib wrapper: 15+16 gzip, 15 zlib, -15 raw deflate. */
static size_t deflate_vec(const uint8_t *in, size_t n, int wbits, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	return len;
}

/* An autodiscover reply, coded each way, whole and chunked: the body decodes the same. */
static void test_gzip_deflate(void **state)
{
	(void)state;
	static const char xml[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover><Response><Account><Protocol>"
		"<Type>IMAP</Type><Server>imap.example.net</Server><Port>993</Port></Protocol>"
		"</Account></Response></Autodiscover>";
	static const struct {
		int wbits;
		const char *ce;
		int coding;
	} kinds[] = { { 15 + 16, "gzip", 1 }, { 15 + 16, "x-gzip", 1 }, { 15, "deflate", 2 },
		      { -15, "deflate", 2 } };
	uint8_t z[512], v[1024];
	char want[512];
	struct ctx c = { 0 };
	c.n_opts = 2;
	c.opts[0].keep_body = c.opts[1].keep_body = true;

	/* The plain body once, for its hash. */
	struct ctx p = { 0 };
	char pv[512];
	int pn = snprintf(pv, sizeof pv, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", sizeof xml - 1, xml);
	run_whole(&p, &c, (const uint8_t *)pv, (size_t)pn);
	const char *fnv = strstr(p.log, " fnv=");
	assert_non_null(fnv);

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		size_t zn = deflate_vec((const uint8_t *)xml, sizeof xml - 1, kinds[k].wbits, z, sizeof z);
		int n = snprintf((char *)v, sizeof v,
				 "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %zu\r\n\r\n",
				 kinds[k].ce, zn);
		memcpy(v + n, z, zn);
		size_t len = (size_t)n + zn;
		/* The same body chunked in pieces of 7, after it. */
		len += (size_t)snprintf((char *)v + len, sizeof v - len,
					"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nTransfer-Encoding: chunked\r\n\r\n",
					kinds[k].ce);
		for (size_t i = 0; i < zn; i += 7) {
			size_t m = zn - i < 7 ? zn - i : 7;
			len += (size_t)snprintf((char *)v + len, sizeof v - len, "%zx\r\n", m);
			memcpy(v + len, z + i, m);
			len += m;
			memcpy(v + len, "\r\n", 2);
			len += 2;
		}
		memcpy(v + len, "0\r\n\r\n", 5);
		len += 5;
		assert_true(len < sizeof v);
		struct ctx r = { 0 };
		run_whole(&r, &c, v, len);
		snprintf(want, sizeof want, "RSP 200 v=1.1 framing=1 coding=%d wire=%zu complete=1 kept=%zu%.14s",
			 kinds[k].coding, zn, sizeof xml - 1, fnv);
		assert_non_null(strstr(r.log, want));
		snprintf(want, sizeof want, "framing=2 coding=%d wire=%zu complete=1 kept=%zu%.14s",
			 kinds[k].coding, zn, sizeof xml - 1, fnv);
		assert_non_null(strstr(r.log, want));
		for (int i = 0; i < SKIP_MAX; i++)
			assert_int_equal(r.st.skip[i], 0);
		free(r.log);
		check_vector(&c, v, len, NULL); /* and every split gives the same */
	}
	free(p.log);
}

static void test_corrupt_gzip(void **state)
{
	(void)state;
	static const uint8_t v[] = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\n\r\n"
				   "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff";
	struct ctx c = { 0 };
	c.n_opts = 1;
	c.opts[0].keep_body = true;
	check_vector(&c, v, sizeof v - 1,
		     "RSP 200 v=1.1 framing=1 coding=1 wire=12 complete=1 kept=0 error fnv=811c9dc5 data=\n");
	struct ctx r = { 0 };
	run_whole(&r, &c, v, sizeof v - 1);
	assert_int_equal(r.st.skip[SKIP_HTTP_DECODE], 1);
	free(r.log);
}

/* Kept bodies stop at HTTP_MAX_BODY, decoded or not; the cut is flagged and counted. */
static void test_body_cap(void **state)
{
	(void)state;
	size_t big = HTTP_MAX_BODY + 1000;
	uint8_t *plainb = calloc(1, big), *z = malloc(big), *v = malloc(2 * big);
	assert_true(plainb && z && v);
	for (size_t i = 0; i < big; i++)
		plainb[i] = (uint8_t)('a' + i % 26);
	struct ctx c = { 0 };
	c.n_opts = 3;
	c.opts[0].keep_body = c.opts[1].keep_body = c.opts[2].keep_body = true;

	int n = snprintf((char *)v, 2 * big, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", big);
	memcpy(v + n, plainb, big);
	size_t len = (size_t)n + big;
	size_t zn = deflate_vec(plainb, big, 15 + 16, z, big);
	len += (size_t)snprintf((char *)v + len, 2 * big - len,
				"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n", zn);
	memcpy(v + len, z, zn);
	len += zn;
	/* Exactly HTTP_MAX_BODY decoded bytes is not a cut. */
	size_t zx = deflate_vec(plainb, HTTP_MAX_BODY, 15 + 16, z, big);
	len += (size_t)snprintf((char *)v + len, 2 * big - len,
				"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n", zx);
	memcpy(v + len, z, zx);
	len += zx;

	struct ctx r = { 0 };
	size_t cuts[] = { 1, 100, 5000, 60000, len - 3 };
	char want[256];
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0)
			run_whole(&r, &c, v, len);
		else
			run_cuts(&r, &c, v, len, cuts, sizeof cuts / sizeof cuts[0]);
		snprintf(want, sizeof want, "framing=1 coding=0 wire=%zu complete=1 kept=%u cut", big,
			 HTTP_MAX_BODY);
		assert_non_null(strstr(r.log, want));
		snprintf(want, sizeof want, "framing=1 coding=1 wire=%zu complete=1 kept=%u cut", zn,
			 HTTP_MAX_BODY);
		assert_non_null(strstr(r.log, want));
		snprintf(want, sizeof want, "framing=1 coding=1 wire=%zu complete=1 kept=%u fnv", zx,
			 HTTP_MAX_BODY);
		assert_non_null(strstr(r.log, want));
		assert_int_equal(r.st.skip[SKIP_HTTP_BODY_CAP], 2);
	}
	free(r.log);
	free(plainb);
	free(z);
	free(v);
}

/* A response without a length runs to the end of the stream (http_finish). */
static void test_until_close(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	c.n_opts = 1;
	c.opts[0].keep_body = true;
	check_vector(&c, S("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>\r\n\r\nGET / HTTP/1.1\r\n"),
		     "RSP 200 v=1.0 ct=text/html framing=3 coding=0 wire=26 complete=1 kept=26"
		     " fnv=125c4fcd data=<html>\\x0d\\x0a\\x0d\\x0aGET / HTTP/1.1\\x0d\\x0a\n");
	/* Transfer-Encoding other than a final chunked on a response: also to the end. */
	check_vector(&plain, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc"),
		     "RSP 200 v=1.1 framing=3 coding=1 wire=3 complete=1\n");
}

/* Feeds v whole and says whether body bytes it announced are still missing. */
static bool unfinished_after(const char *v)
{
	struct http_stream s;
	http_stream_init(&s);
	size_t n = strlen(v), used = http_feed(&s, (const uint8_t *)v, n, false, NULL, NULL);
	assert_int_equal(used, n);
	bool r = http_unfinished(&s);
	http_finish(&s, NULL, NULL);
	assert_false(http_unfinished(&s));
	return r;
}

/* A body its framing says is longer than the stream is unfinished (the engine counts it when
 * the stream ends there); complete messages and a response read to the close are not. */
static void test_body_beyond_stream(void **state)
{
	(void)state;
	assert_true(unfinished_after("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\nhello"));
	assert_true(unfinished_after("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				     "7fffffff\r\nhello"));
	assert_true(unfinished_after("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 99\r\n\r\nhi"));
	assert_false(unfinished_after("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
	assert_false(unfinished_after("HTTP/1.0 200 OK\r\n\r\nto the close"));
	assert_false(unfinished_after("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
}

/* Responses that have no body whatever their head says (RFC 9112 6.3 items 1-2). */
static void test_no_body_responses(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	c.n_opts = 2;
	c.opts[0].to_head = true;
	check_vector(&c,
		     S("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
		       "HTTP/1.1 100 Continue\r\n\r\n"
		       "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
		       "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nLocation: /moved\r\n\r\n"
		       "HTTP/1.1 302 Found\r\nLocation: https://autodiscover-s.outlook.com/autodiscover/autodiscover.xml\r\n"
		       "Content-Length: 0\r\n\r\n"),
		     "RSP 200 v=1.1 framing=0 coding=0 wire=0 complete=1\n"
		     "RSP 100 v=1.1 framing=0 coding=0 wire=0 complete=1\n"
		     "RSP 204 v=1.1 framing=0 coding=0 wire=0 complete=1\n"
		     "RSP 304 v=1.1 loc=/moved framing=0 coding=0 wire=0 complete=1\n"
		     "RSP 302 v=1.1 loc=https://autodiscover-s.outlook.com/autodiscover/autodiscover.xml"
		     " framing=0 coding=0 wire=0 complete=1\n");
}

/* 101 hands the connection to another protocol: what follows is not parsed or counted. */
static void test_switching_protocols(void **state)
{
	(void)state;
	static const char v[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
				"\x81\x05hello\x81\x7e\x00\x10HTTP/1.1 200 OK\r\n\r\n";
	check_vector(&plain, S(v), "RSP 101 v=1.1 framing=0 coding=0 wire=0 complete=1\n");
	struct ctx r = { 0 };
	run_whole(&r, &plain, (const uint8_t *)v, sizeof v - 1);
	for (int i = 0; i < SKIP_MAX; i++)
		assert_int_equal(r.st.skip[i], 0);
	free(r.log);
	/* A refused upgrade: the client goes on with HTTP. */
	check_vector(&plain,
		     S("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /after HTTP/1.1\r\n\r\n"),
		     "REQ m=GET t=/ws v=1.1 form=0 path=/ws framing=0 coding=0 wire=0 complete=0\n"
		     "REQ m=GET t=/after v=1.1 form=0 path=/after framing=0 coding=0 wire=0 complete=0\n");
}

/* ---- hostile input ---- */

/* A 1 MB header line: the head is refused at HTTP_MAX_HEADER_BYTES without holding more,
 * and the request after it is found. */
static void test_huge_line(void **state)
{
	(void)state;
	size_t big = 1u << 20;
	static const char head[] = "GET /first HTTP/1.1\r\nX-Big: ";
	static const char tail[] = "\r\n\r\nGET /second HTTP/1.1\r\nHost: ok.example\r\n\r\n";
	size_t len = sizeof head - 1 + big + sizeof tail - 1;
	uint8_t *v = malloc(len);
	assert_non_null(v);
	memcpy(v, head, sizeof head - 1);
	memset(v + sizeof head - 1, 'x', big);
	memcpy(v + sizeof head - 1 + big, tail, sizeof tail - 1);
	size_t cuts[1024];
	for (size_t i = 0; i < 1024; i++)
		cuts[i] = (i + 1) * 1000;
	struct ctx r = { 0 };
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0)
			run_whole(&r, &plain, v, len);
		else
			run_cuts(&r, &plain, v, len, cuts, 1024);
		assert_string_equal(r.log, "REQ m=GET t=/second v=1.1 form=0 path=/second host=ok.example"
					   " hh=ok.example framing=0 coding=0 wire=0 complete=0\n");
		assert_int_equal(r.st.skip[SKIP_HTTP_HEAD_CAP], 1);
	}
	free(r.log);
	free(v);
}

static void test_many_headers(void **state)
{
	(void)state;
	/* 10,000 fields: far over the byte cap. */
	size_t cap = 100000, len = 0;
	char *v = malloc(cap);
	assert_non_null(v);
	len += (size_t)snprintf(v, cap, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 10000; i++)
		len += (size_t)snprintf(v + len, cap - len, "a%d: b\r\n", i % 10);
	len += (size_t)snprintf(v + len, cap - len, "\r\nGET /ok HTTP/1.1\r\n\r\n");
	struct ctx r = { 0 };
	run_whole(&r, &plain, (const uint8_t *)v, len);
	assert_string_equal(r.log, "REQ m=GET t=/ok v=1.1 form=0 path=/ok framing=0 coding=0 wire=0 complete=0\n");
	assert_int_equal(r.st.skip[SKIP_HTTP_HEAD_CAP], 1);

	/* HTTP_MAX_HEADERS fields are fine, one more is not (within the byte cap). */
	for (int extra = 0; extra < 2; extra++) {
		len = (size_t)snprintf(v, cap, "GET /n HTTP/1.1\r\n");
		for (int i = 0; i < HTTP_MAX_HEADERS + extra; i++)
			len += (size_t)snprintf(v + len, cap - len, "a:\r\n");
		len += (size_t)snprintf(v + len, cap - len, "\r\n");
		run_whole(&r, &plain, (const uint8_t *)v, len);
		assert_int_equal(r.requests, extra ? 0 : 1);
		assert_int_equal(r.st.skip[SKIP_HTTP_HEAD_CAP], extra);
	}
	free(r.log);
	free(v);
}

static void test_chunk_overflow(void **state)
{
	(void)state;
	static const char v[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				"ffffffffffffffffff\r\nxx\r\n0\r\n\r\n"
				"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	check_vector(&plain, S(v), "RSP 200 v=1.1 framing=2 coding=0 wire=0 complete=0\n"
				   "RSP 404 v=1.1 framing=0 coding=0 wire=0 complete=1\n");
	struct ctx r = { 0 };
	run_whole(&r, &plain, (const uint8_t *)v, sizeof v - 1);
	assert_int_equal(r.st.skip[SKIP_HTTP_MALFORMED], 1);
	/* Other bad chunk framing: no digits, junk after the size, data without its CRLF. */
	static const char *const bad[] = { "zz\r\n", "5x\r\nhello\r\n", "5\r\nhelloXX" };
	for (size_t i = 0; i < 3; i++) {
		char b[256];
		int n = snprintf(b, sizeof b, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%s", bad[i]);
		run_whole(&r, &plain, (const uint8_t *)b, (size_t)n);
		assert_non_null(strstr(r.log, "BODY t=/ framing=2 coding=0"));
		assert_non_null(strstr(r.log, "complete=0\n"));
		assert_int_equal(r.st.skip[SKIP_HTTP_MALFORMED], 1);
	}
	free(r.log);
}

static void test_content_length(void **state)
{
	(void)state;
	/* Repeats of one value are one value (RFC 9110 8.6). */
	check_vector(&plain,
		     S("POST /a HTTP/1.1\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nokGET /b HTTP/1.1\r\n\r\n"),
		     "REQ m=POST t=/a v=1.1 form=0 path=/a framing=1 coding=0 wire=0 complete=0\n"
		     "BODY t=/a framing=1 coding=0 wire=2 complete=1\n"
		     "REQ m=GET t=/b v=1.1 form=0 path=/b framing=0 coding=0 wire=0 complete=0\n");
	/* Negative, conflicting, empty, overflowing: the head is reported with bad_framing, and
	 * the parser resynchronises on the next request line. */
	static const char *const bad[] = {
		"Content-Length: -1\r\n", "Content-Length: 5\r\nContent-Length: 6\r\n",
		"Content-Length: 5, 6\r\n", "Content-Length:\r\n", "Content-Length: 99999999999999999999\r\n",
		"Content-Length: 0x10\r\n", "Content-Length: +5\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char v[256];
		int n = snprintf(v, sizeof v, "POST /p HTTP/1.1\r\n%s\r\nhello\r\nGET /q HTTP/1.1\r\n\r\n", bad[i]);
		struct ctx r = { 0 };
		run_whole(&r, &plain, (const uint8_t *)v, (size_t)n);
		assert_int_equal(r.st.skip[SKIP_HTTP_MALFORMED], 1);
		free(r.log);
		check_vector(&plain, v, (size_t)n,
			     "REQ m=POST t=/p v=1.1 form=0 path=/p bad_framing framing=1 coding=0 wire=0 complete=0\n"
			     "REQ m=GET t=/q v=1.1 form=0 path=/q framing=0 coding=0 wire=0 complete=0\n");
	}
	/* A response with a bad length is reported cut short. */
	check_vector(&plain, S("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello"),
		     "RSP 200 v=1.1 bad_framing framing=1 coding=0 wire=0 complete=0\n");
	/* A request with a transfer coding that is not a final chunked cannot be framed. */
	check_vector(&plain, S("POST /g HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxyz\r\n"),
		     "REQ m=POST t=/g v=1.1 form=0 path=/g bad_framing framing=2 coding=1 wire=0 complete=0\n");
}

/* A gap in the middle of a body: that message is reported cut short and the next request
 * is parsed. */
static void test_gap_in_body(void **state)
{
	(void)state;
	static const char a[] = "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n"
				"0123456789012345678901234567890123456789";
	static const char b[] = "56789\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n";
	struct ctx proto = { 0 }, c = { 0 };
	struct emu e;
	proto.keep_requests = true;
	ctx_reset(&c, &proto);
	emu_init(&e, &c);
	emu_feed(&e, (const uint8_t *)a, sizeof a - 1);
	emu_gap(&e);
	emu_feed(&e, (const uint8_t *)b, sizeof b - 1);
	emu_end(&e);
	assert_string_equal(c.log,
			    "REQ m=POST t=/upload v=1.1 form=0 path=/upload host=h hh=h framing=1 coding=0 wire=0"
			    " complete=0\n"
			    "BODY t=/upload framing=1 coding=0 wire=40 complete=0 kept=40 fnv=21036095"
			    " data=0123456789012345678901234567890123456789\n"
			    "REQ m=GET t=/next v=1.1 form=0 path=/next host=h hh=h framing=0 coding=0 wire=0"
			    " complete=0\n");
	for (int i = 0; i < SKIP_MAX; i++)
		assert_int_equal(c.st.skip[i], 0);
	free(c.log);

	/* A gap inside a head, then a response body chunk: dropped quietly up to the next head. */
	struct ctx d = { 0 };
	ctx_reset(&d, &plain);
	emu_init(&e, &d);
	emu_feed_str(&e, "HTTP/1.1 200 OK\r\nContent-Le");
	emu_gap(&e);
	emu_feed_str(&e, "t of a body\r\nHTTP/1.1 404 x\r\nContent-Length: 1\r\n\r\nz");
	emu_end(&e);
	assert_string_equal(d.log, "RSP 404 v=1.1 framing=1 coding=0 wire=1 complete=1\n");
	free(d.log);
}

/* Values over their caps are cut and flagged, never overrun. */
static void test_long_values(void **state)
{
	(void)state;
	size_t cap = 3 * HTTP_MAX_TARGET, len;
	char *v = malloc(cap), *user = malloc(2 * HTTP_MAX_VALUE + 1), *b64 = malloc(4 * HTTP_MAX_VALUE);
	assert_true(v && user && b64);
	memset(user, 'u', 2 * HTTP_MAX_VALUE);
	memcpy(user + 2 * HTTP_MAX_VALUE - 2, ":p", 2);
	/* base64 by hand: 2048 bytes is a multiple of 3 away from padding only at the end. */
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t bn = 0, un = 2 * HTTP_MAX_VALUE;
	for (size_t i = 0; i < un; i += 3) {
		uint32_t x = (uint32_t)(uint8_t)user[i] << 16 | (i + 1 < un ? (uint32_t)(uint8_t)user[i + 1] << 8 : 0) |
			     (i + 2 < un ? (uint8_t)user[i + 2] : 0);
		b64[bn++] = tab[x >> 18 & 63];
		b64[bn++] = tab[x >> 12 & 63];
		b64[bn++] = i + 1 < un ? tab[x >> 6 & 63] : '=';
		b64[bn++] = i + 2 < un ? tab[x & 63] : '=';
	}
	len = (size_t)snprintf(v, cap, "GET /");
	memset(v + len, 'p', HTTP_MAX_TARGET);
	len += HTTP_MAX_TARGET;
	len += (size_t)snprintf(v + len, cap - len, " HTTP/1.1\r\nUser-Agent: ");
	memset(v + len, 'a', 2000);
	len += 2000;
	len += (size_t)snprintf(v + len, cap - len, "\r\nAuthorization: Basic %.*s\r\n\r\n", (int)bn, b64);
	struct ctx r = { 0 };
	run_whole(&r, &plain, (const uint8_t *)v, len);
	assert_int_equal(r.requests, 1);
	/* Target and path cut at HTTP_MAX_TARGET, the others at HTTP_MAX_VALUE. */
	assert_non_null(strstr(r.log, "pppp[cut] v=1.1"));
	assert_non_null(strstr(r.log, "pppp[cut] ua="));
	char *ua = strstr(r.log, " ua=");
	assert_non_null(ua);
	assert_int_equal(strspn(ua + 4, "a"), HTTP_MAX_VALUE);
	assert_memory_equal(ua + 4 + HTTP_MAX_VALUE, "[cut] auth=Basic user=", 22);
	char *u = strstr(r.log, " user=");
	assert_int_equal(strspn(u + 6, "u"), HTTP_MAX_VALUE);
	assert_memory_equal(u + 6 + HTTP_MAX_VALUE, "[cut] ", 6);
	free(r.log);
	free(v);
	free(user);
	free(b64);
}

/* A body cut by the end of the stream is reported cut short. */
static void test_finish_mid_body(void **state)
{
	(void)state;
	check_vector(&plain, S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
		     "RSP 200 v=1.1 framing=1 coding=0 wire=3 complete=0\n");
	/* An incomplete head at the end reports nothing. */
	check_vector(&plain, S("GET / HTTP/1.1\r\nHost: x\r\n"), "");
}

/* The callbacks may all be missing, and the caller may pass no bytes. */
static void test_null_callbacks(void **state)
{
	(void)state;
	struct http_stream s;
	http_stream_init(&s);
	assert_int_equal(http_feed(&s, NULL, 0, false, NULL, NULL), 0);
	static const char v[] = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab";
	assert_int_equal(http_feed(&s, (const uint8_t *)v, sizeof v - 1, false, NULL, NULL), sizeof v - 1);
	http_finish(&s, NULL, NULL);
	http_stream_free(&s);
	http_stream_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nikto_no_host),
		cmocka_unit_test(test_uri_spaces),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_connect_tunnel_tls),
		cmocka_unit_test(test_proxy_absolute),
		cmocka_unit_test(test_lines_split),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_response_length),
		cmocka_unit_test(test_host_normalised),
		cmocka_unit_test(test_target_forms),
		cmocka_unit_test(test_target_userinfo),
		cmocka_unit_test(test_bad_start_lines),
		cmocka_unit_test(test_garbage_then_request),
		cmocka_unit_test(test_not_http_from_start),
		cmocka_unit_test(test_h2_preface),
		cmocka_unit_test(test_obs_fold),
		cmocka_unit_test(test_host_binary),
		cmocka_unit_test(test_basic_auth),
		cmocka_unit_test(test_request_body),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_gzip_deflate),
		cmocka_unit_test(test_corrupt_gzip),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_until_close),
		cmocka_unit_test(test_body_beyond_stream),
		cmocka_unit_test(test_no_body_responses),
		cmocka_unit_test(test_switching_protocols),
		cmocka_unit_test(test_huge_line),
		cmocka_unit_test(test_many_headers),
		cmocka_unit_test(test_chunk_overflow),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_gap_in_body),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_finish_mid_body),
		cmocka_unit_test(test_null_callbacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

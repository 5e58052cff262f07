/* test_mail.c: the mail dissector (RFC 5321, RFC 4954, RFC 3501/9051, RFC 1939, RFC 4616) on exchanges from the shared captures (passwords replaced by fakes) and made-up ones, fed whole, split at every byte and byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/mail.h"

/* ---- a harness that delivers like flow/reasm: unconsumed bytes come back with the next ---- */

struct seg {
	int client;      /* 1: client -> server */
	const char *p;
	size_t n;
	bool gap;        /* bytes were lost just before this segment */
};

#define C(s) { 1, s, sizeof(s) - 1, false }
#define S(s) { 0, s, sizeof(s) - 1, false }
#define CGAP(s) { 1, s, sizeof(s) - 1, true }
#define SGAP(s) { 0, s, sizeof(s) - 1, true }

#define HELD_MAX (64u << 10)
#define LOG_MAX (64u << 10)

struct harness {
	struct mail_session s;
	uint8_t held[2][HELD_MAX];
	size_t held_len[2];
	uint64_t consumed[2];
	uint64_t delivered[2];
	bool tls[2];
	uint64_t tls_off[2];
	int feeding;                /* direction inside mail_feed */
	char log[LOG_MAX];
	size_t log_len;
	const char *const *secrets; /* must appear in no event and never in the session */
};

static struct harness H;

static void h_log(struct harness *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(h->log + h->log_len, LOG_MAX - h->log_len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < LOG_MAX - h->log_len);
	h->log_len += (size_t)n;
}

/* Every string an event lends: bounded, terminated, no CR/LF, no secret. */
static void h_check_str(struct harness *h, const char *v)
{
	if (!v)
		return;
	size_t n = strlen(v);
	assert_true(n <= MAIL_MAX_VALUE);
	assert_null(memchr(v, '\r', n));
	assert_null(memchr(v, '\n', n));
	for (const char *const *sec = h->secrets; sec && *sec; sec++)
		assert_null(memmem(v, n, *sec, strlen(*sec)));
}

static const char *const method_names[] = { "sasl", "imap-login", "pop3-user", "apop" };

static void h_event(void *arg, const struct mail_event *ev)
{
	struct harness *h = arg;
	h_check_str(h, ev->value);
	h_check_str(h, ev->user);
	h_check_str(h, ev->domain);
	h_check_str(h, ev->mech);
	if (ev->value)
		assert_int_equal(strlen(ev->value), ev->value_len);
	const char *v = ev->value ? ev->value : "-";
	switch (ev->kind) {
	case MAIL_EV_PROTO:
		h_log(h, "proto %s\n", mail_proto_name(ev->proto));
		break;
	case MAIL_EV_BANNER:
		h_log(h, "banner %s\n", v);
		break;
	case MAIL_EV_HELO:
		h_log(h, "%s %s\n", ev->ehlo ? "ehlo" : "helo", v);
		break;
	case MAIL_EV_CAPA:
		h_log(h, "capa %s\n", v);
		break;
	case MAIL_EV_STARTTLS_CMD:
		h_log(h, "starttls?\n");
		break;
	case MAIL_EV_STARTTLS:
		h_log(h, "starttls %s\n", ev->ok ? "ok" : "refused");
		break;
	case MAIL_EV_TLS_START: {
		int d = ev->from_client ? 1 : 0;
		h_log(h, "tls %s %llu\n", d ? "client" : "server", (unsigned long long)ev->offset);
		assert_false(h->tls[d]);
		h->tls[d] = true;
		h->tls_off[d] = ev->offset;
		/* the direction not being fed stopped right where TLS starts */
		if (d != h->feeding)
			assert_int_equal(ev->offset, h->consumed[d]);
		break;
	}
	case MAIL_EV_AUTH:
		h_log(h, "auth %s%s%s %s\n", method_names[ev->method], ev->mech ? " " : "",
		      ev->mech ? ev->mech : "", ev->user ? ev->user : "-");
		break;
	case MAIL_EV_AUTH_RESULT:
		h_log(h, "auth-result %s\n", ev->ok ? "ok" : "fail");
		break;
	case MAIL_EV_MAIL_FROM:
	case MAIL_EV_RCPT_TO:
		h_log(h, "%s <%s> %s\n", ev->kind == MAIL_EV_MAIL_FROM ? "from" : "rcpt", v,
		      ev->domain ? ev->domain : "-");
		break;
	default:
		fail_msg("unknown event %d", (int)ev->kind);
	}
}

static const struct mail_callbacks cbs = { h_event };

static void h_init(struct harness *h, enum mail_proto proto, const char *const *secrets)
{
	memset(h, 0, sizeof *h);
	mail_session_init(&h->s, proto);
	h->secrets = secrets;
}

static void h_check_session(struct harness *h)
{
	for (const char *const *sec = h->secrets; sec && *sec; sec++)
		assert_null(memmem(&h->s, sizeof h->s, *sec, strlen(*sec)));
}

/* One delivery of direction d, as the reassembly gives it. */
static void h_deliver(struct harness *h, int d, const uint8_t *p, size_t n, bool gap)
{
	h->delivered[d] += n;
	if (h->tls[d])
		return; /* the TLS parser's now */
	if (gap)
		h->held_len[d] = 0;
	assert_true(h->held_len[d] + n <= HELD_MAX);
	memcpy(h->held[d] + h->held_len[d], p, n);
	h->held_len[d] += n;
	h->feeding = d;
	size_t k = mail_feed(&h->s, d, h->held[d], h->held_len[d], gap, &cbs, h);
	h->feeding = -1;
	assert_true(k <= h->held_len[d]);
	memmove(h->held[d], h->held[d] + k, h->held_len[d] - k);
	h->held_len[d] -= k;
	h->consumed[d] += k;
	h_check_session(h);
	for (int e = 0; e < 2; e++) {
		if (h->tls[e]) {
			/* what is held from the TLS offset on goes to the TLS parser */
			assert_int_equal(h->consumed[e], h->tls_off[e]);
			h->held_len[e] = 0;
		} else if (!h->s.gave_up) {
			/* never more than the reassembly can hold */
			assert_true(h->held_len[e] < MAIL_WAIT_MAX);
		}
	}
}

enum split { WHOLE, SPLIT, BYTES };

/* Feeds a vector: whole segments, segment i split at k, or every segment byte by byte. */
static void h_run(struct harness *h, const struct seg *v, size_t nv, enum split mode, size_t i,
		  size_t k)
{
	for (size_t j = 0; j < nv; j++) {
		const uint8_t *p = (const uint8_t *)v[j].p;
		if (mode == BYTES) {
			for (size_t b = 0; b < v[j].n; b++)
				h_deliver(h, v[j].client, p + b, 1, v[j].gap && b == 0);
		} else if (mode == SPLIT && j == i) {
			h_deliver(h, v[j].client, p, k, v[j].gap);
			h_deliver(h, v[j].client, p + k, v[j].n - k, false);
		} else {
			h_deliver(h, v[j].client, p, v[j].n, v[j].gap);
		}
	}
}

/* The vector gives `expect` however its segments are cut. */
static void check(const struct seg *v, size_t nv, enum mail_proto proto, const char *expect,
		  const char *const *secrets)
{
	h_init(&H, proto, secrets);
	h_run(&H, v, nv, WHOLE, 0, 0);
	assert_string_equal(H.log, expect);
	for (size_t i = 0; i < nv; i++) {
		for (size_t k = 1; k < v[i].n; k++) {
			h_init(&H, proto, secrets);
			h_run(&H, v, nv, SPLIT, i, k);
			if (strcmp(H.log, expect))
				fail_msg("segment %zu split at %zu:\n%s\nexpected:\n%s", i, k, H.log,
					 expect);
		}
	}
	h_init(&H, proto, secrets);
	h_run(&H, v, nv, BYTES, 0, 0);
	assert_string_equal(H.log, expect);
}

#define CHECK(v, proto, expect, secrets) check(v, sizeof(v) / sizeof(v[0]), proto, expect, secrets)

/* ---- SMTP, from the shared captures ---- */

/* zeek_smtp.pcap: Exim, AUTH LOGIN over two 334 steps (the password is a fake). */
static const char *const smtp_login_secrets[] = { "Fake#Pw-1", "RmFrZSNQdy0x", NULL };
static const struct seg smtp_login[] = {
	S("220-xc90.websitewelcome.com ESMTP Exim 4.69 #1 Mon, 05 Oct 2009 01:05:54 -0500 \r\n"
	  "220-We do not authorize the use of this system to transport unsolicited, \r\n"
	  "220 and/or bulk e-mail.\r\n"),
	C("EHLO GP\r\n"),
	S("250-xc90.websitewelcome.com Hello GP [122.162.143.157]\r\n250-SIZE 52428800\r\n"
	  "250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250-STARTTLS\r\n250 HELP\r\n"),
	C("AUTH LOGIN\r\n"),
	S("334 VXNlcm5hbWU6\r\n"),
	C("Z3VycGFydGFwQHBhdHJpb3RzLmlu\r\n"),
	S("334 UGFzc3dvcmQ6\r\n"),
	C("RmFrZSNQdy0x\r\n"),
	S("235 Authentication succeeded\r\n"),
	C("MAIL FROM: <gurpartap@patriots.in>\r\n"),
	S("250 OK\r\n"),
	C("RCPT TO: <raj_deol2002in@yahoo.co.in>\r\n"),
	S("250 Accepted\r\n"),
	C("DATA\r\n"),
	S("354 Enter message, ending with \".\" on a line by itself\r\n"),
	C("From: \"Gurpartap Singh\" <gurpartap@patriots.in>\r\nTo: <raj_deol2002in@yahoo.co.in>\r\n"
	  "Subject: SMTP\r\n\r\nAUTH PLAIN AGZha2UAZmFrZQ==\r\nMAIL FROM:<not@a.command>\r\n"
	  "..leading dot\r\n.\r\n"),
	S("250 OK id=1Mugho-0003Dg-Un\r\n"),
	C("QUIT\r\n"),
	S("221 xc90.websitewelcome.com closing connection\r\n"),
};

static void test_smtp_auth_login(void **state)
{
	(void)state;
	CHECK(smtp_login, MAIL_SMTP,
	      "proto smtp\n"
	      "banner xc90.websitewelcome.com\n"
	      "ehlo GP\n"
	      "capa SIZE 52428800\n"
	      "capa PIPELINING\n"
	      "capa AUTH PLAIN LOGIN\n"
	      "capa STARTTLS\n"
	      "capa HELP\n"
	      "auth sasl LOGIN gurpartap@patriots.in\n"
	      "auth-result ok\n"
	      "from <gurpartap@patriots.in> patriots.in\n"
	      "rcpt <raj_deol2002in@yahoo.co.in> yahoo.co.in\n",
	      smtp_login_secrets);
	assert_int_equal(H.s.cnt.base64_bad, 0);
	assert_int_equal(H.s.cnt.unpaired, 0);
}

/* arkime_smtp-data-250.pcap: AOL, a multi-line greeting, AUTH PLAIN with the initial response
 * (tshark reports the authcid), then an unsolicited 421 at the end. */
static const char *const smtp_plain_secrets[] = { "FakePw-2", NULL };
static const struct seg smtp_plain[] = {
	S("220-mtaout-ma02.r1000.mx.aol.com ESMTP MUA/Third Party Client Interface\r\n"
	  "220-AOL and its affiliated companies do not\r\n"
	  "220 which no reverse-DNS (PTR record) assigned.\r\n"),
	C("EHLO localhost\r\n"),
	S("250-mtaout-ma02.r1000.mx.aol.com\r\n250-PIPELINING\r\n250-AUTH PLAIN XAOL-UAS-MB LOGIN\r\n"
	  "250 DSN\r\n"),
	C("AUTH PLAIN ADEyMzQ1Njc4QGFvbC5jb20ARmFrZVB3LTI=\r\n"),
	S("235 2.7.0 Authentication successful\r\n"),
	C("MAIL FROM: <12345678@aol.com>\r\n"),
	S("250 2.1.0 Ok\r\n"),
	C("RCPT TO: <xxxx.xxxxxx@xxxxx.com>\r\n"),
	S("250 2.1.5 Ok\r\n"),
	C("DATA\r\n"),
	S("354 End data with <CR><LF>.<CR><LF>\r\n"),
	C("Date: Fri, 06 Dec 2013 08:48:53 -0500\r\nSubject: Re: xxx\r\n\r\nXxxxx==\r\n\r\n.\r\n"),
	S("250 2.0.0 Ok: queued as 1D2BFE000094\r\n"
	  "421 4.4.2 mtaout-ma02.r1000.mx.aol.com Error: timeout exceeded\r\n"),
};

static void test_smtp_auth_plain(void **state)
{
	(void)state;
	CHECK(smtp_plain, MAIL_SMTP,
	      "proto smtp\n"
	      "banner mtaout-ma02.r1000.mx.aol.com\n"
	      "ehlo localhost\n"
	      "capa PIPELINING\n"
	      "capa AUTH PLAIN XAOL-UAS-MB LOGIN\n"
	      "capa DSN\n"
	      "auth sasl PLAIN 12345678@aol.com\n"
	      "auth-result ok\n"
	      "from <12345678@aol.com> aol.com\n"
	      "rcpt <xxxx.xxxxxx@xxxxx.com> xxxxx.com\n",
	      smtp_plain_secrets);
	assert_int_equal(H.s.cnt.unpaired, 1); /* the 421 answers no command */
}

/* ndpi_smtp-starttls.pcap (IPv6, Postfix): STARTTLS, then the TLS records. */
static const struct seg smtp_starttls[] = {
	S("220 jw-vm08-int-dns.webernetz.net ESMTP Postfix (Ubuntu)\r\n"),
	C("EHLO [IPv6:2003:de:2016:125:fc36:8317:4e86:cb72]\r\n"),
	S("250-jw-vm08-int-dns.webernetz.net\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 DSN\r\n"),
	C("STARTTLS\r\n"),
	S("220 2.0.0 Ready to start TLS\r\n"),
	C("\x16\x03\x01\x00\xb1\x01\x00\x00\xad\x03\x03Q,\xed" "D\x10T\xd9\xfb\r\n"),
	S("\x16\x03\x03\x00=\x02\x00\x00" "9\x03\x03\xe3Q\n"),
	C("\x17\x03\x03\x00T\r\n"),
};

static void test_smtp_starttls(void **state)
{
	(void)state;
	CHECK(smtp_starttls, MAIL_SMTP,
	      "proto smtp\n"
	      "banner jw-vm08-int-dns.webernetz.net\n"
	      "ehlo [IPv6:2003:de:2016:125:fc36:8317:4e86:cb72]\n"
	      "capa PIPELINING\n"
	      "capa STARTTLS\n"
	      "capa DSN\n"
	      "starttls?\n"
	      "starttls ok\n"
	      "tls server 162\n"
	      "tls client 60\n",
	      NULL);
	assert_true(mail_is_tls(&H.s, 1) && mail_is_tls(&H.s, 0));
	/* after the hand-over nothing more is taken */
	const uint8_t more[] = "EHLO again\r\n";
	assert_int_equal(mail_feed(&H.s, 1, more, sizeof more - 1, false, &cbs, &H), 0);
	assert_int_equal(mail_feed(&H.s, 0, more, sizeof more - 1, false, &cbs, &H), 0);
}

/* suricata smtp-simple-session: HELO, lower-case commands, a message. */
static const struct seg smtp_simple[] = {
	S("220 mail.example.com ESMTP Postfix\r\n"),
	C("helo client.example.com\r\n"),
	S("250 mail.example.com\r\n"),
	C("mail from:<alice@example.com>\r\n"),
	S("250 2.1.0 Ok\r\n"),
	C("rcpt to:<bob@Example.COM>\r\n"),
	S("250 2.1.5 Ok\r\n"),
	C("data\r\n"),
	S("354 End data with <CR><LF>.<CR><LF>\r\n"),
	C("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: single-session\r\n\r\n"
	  "Single SMTP message in one TCP session.\r\n.\r\nQUIT\r\n"),
	S("250 2.0.0 Ok: queued as EBBB147EEBBB\r\n221 2.0.0 Bye\r\n"),
};

static void test_smtp_simple(void **state)
{
	(void)state;
	CHECK(smtp_simple, MAIL_SMTP,
	      "proto smtp\n"
	      "banner mail.example.com\n"
	      "helo client.example.com\n"
	      "from <alice@example.com> example.com\n"
	      "rcpt <bob@Example.COM> example.com\n",
	      NULL);
	assert_int_equal(H.s.cnt.unpaired, 0);
}

/* ---- SMTP, made up ---- */

/* AUTH LOGIN with the user inline, then AUTH PLAIN over a 334 with an empty authcid after a
 * failure, and a pipelined group. */
static const char *const smtp_steps_secrets[] = { "FakePw-14", "RmFrZVB3LTE0", "FakePw-16", NULL };
static const struct seg smtp_steps[] = {
	S("220 mx.example.net ESMTP\r\n"),
	C("EHLO client\r\n"),
	S("250-mx.example.net\r\n250 AUTH LOGIN PLAIN\r\n"),
	C("AUTH LOGIN YWxpY2VAZXhhbXBsZS5jb20=\r\n"),
	S("334 UGFzc3dvcmQ6\r\n"),
	C("RmFrZVB3LTE0\r\n"),
	S("535 5.7.8 Authentication failed\r\n"),
	C("auth plain\r\n"),
	S("334 \r\n"),
	C("YWRtaW4AZGF2ZUBleGFtcGxlLmNvbQBGYWtlUHctMTY=\r\n"),
	S("235 2.7.0 Authentication successful\r\n"),
	C("MAIL FROM:<> SIZE=100\r\nRCPT TO:<@relay.example:carol@Mail.Example.ORG> NOTIFY=NEVER\r\n"
	  "RCPT TO:postmaster\r\nDATA\r\n"),
	S("250 Ok\r\n250 Ok\r\n250 Ok\r\n354 Go\r\n"),
	C("body\r\n.\r\n"),
	S("250 Queued\r\n"),
};

static void test_smtp_auth_steps(void **state)
{
	(void)state;
	CHECK(smtp_steps, MAIL_SMTP,
	      "proto smtp\n"
	      "banner mx.example.net\n"
	      "ehlo client\n"
	      "capa AUTH LOGIN PLAIN\n"
	      "auth sasl LOGIN alice@example.com\n"
	      "auth-result fail\n"
	      "auth sasl PLAIN dave@example.com\n"
	      "auth-result ok\n"
	      "from <> -\n"
	      "rcpt <carol@Mail.Example.ORG> mail.example.org\n"
	      "rcpt <postmaster> -\n",
	      smtp_steps_secrets);
	assert_int_equal(H.s.cnt.unpaired, 0);
}

/* PLAIN whose authcid is empty reports the authzid; CRAM-MD5 and XOAUTH2 name the user too. */
static const char *const smtp_mechs_secrets[] = { "FakePw-13", "FakeTok-15",
						  "0123456789abcdef0123456789abcdef", NULL };
static const struct seg smtp_mechs[] = {
	S("220 mx.example.net ESMTP\r\n"),
	C("AUTH PLAIN Ym9iQGV4YW1wbGUuY29tAABGYWtlUHctMTM=\r\n"),
	S("535 no\r\n"),
	C("AUTH CRAM-MD5\r\n"),
	S("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
	C("YWxpY2VAZXhhbXBsZS5jb20gMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\r\n"),
	S("535 no\r\n"),
	C("AUTH XOAUTH2 dXNlcj1jYXJvbEBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBGYWtlVG9rLTE1AQE=\r\n"),
	S("334 eyJzdGF0dXMiOiI0MDEifQ==\r\n"),
	C("\r\n"),
	S("535 no\r\n"),
	C("AUTH GSSAPI\r\n"),
	S("334 \r\n"),
	C("YIIB...\r\n"),
	S("334 AAAA\r\n"),
	C("\r\n"),
	S("235 ok\r\n"),
	C("QUIT\r\n"),
};

/* RFC 4954 4: after an initial response that ends a one-round mechanism the client may
 * pipeline on; replies still pair with their commands. */
static const struct seg smtp_pipelined_auth[] = {
	S("220 mx.example.net ESMTP\r\n"),
	C("EHLO c\r\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAEZha2VQdy0xMg==\r\nMAIL FROM:<alice@example.com>\r\n"
	  "RCPT TO:<bob@example.org>\r\nDATA\r\n"),
	S("250 mx\r\n235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
	C("AUTH PLAIN is body text\r\n.\r\nAUTH LOGIN\r\n"),
	S("250 queued\r\n503 already authenticated\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
};

static void test_smtp_pipelined_auth(void **state)
{
	(void)state;
	static const char *const secrets[] = { "FakePw-12", NULL };
	CHECK(smtp_pipelined_auth, MAIL_SMTP,
	      "proto smtp\n"
	      "banner mx.example.net\n"
	      "ehlo c\n"
	      "auth sasl PLAIN alice@example.com\n"
	      "from <alice@example.com> example.com\n"
	      "rcpt <bob@example.org> example.org\n"
	      "auth-result ok\n"
	      "auth sasl LOGIN -\n"
	      "auth-result fail\n",
	      secrets);
	assert_int_equal(H.s.cnt.unpaired, 0);
}

static void test_smtp_auth_mechs(void **state)
{
	(void)state;
	CHECK(smtp_mechs, MAIL_SMTP,
	      "proto smtp\n"
	      "banner mx.example.net\n"
	      "auth sasl PLAIN bob@example.com\n"
	      "auth-result fail\n"
	      "auth sasl CRAM-MD5 alice@example.com\n"
	      "auth-result fail\n"
	      "auth sasl XOAUTH2 carol@example.com\n"
	      "auth-result fail\n"
	      "auth sasl GSSAPI -\n"
	      "auth-result ok\n",
	      smtp_mechs_secrets);
	assert_int_equal(H.s.cnt.base64_bad, 0);
}

/* STARTTLS refused: the session goes on in the clear; a refused DATA sends no message; a BDAT
 * chunk is skipped by its size whatever it holds. */
static const struct seg smtp_refusals[] = {
	S("220 mx.example.net ESMTP\r\n"),
	C("STARTTLS\r\n"),
	S("454 4.7.0 TLS not available\r\n"),
	C("MAIL FROM:<a@example.com>\r\n"),
	S("250 ok\r\n"),
	C("DATA\r\n"),
	S("554 5.5.1 No valid recipients\r\n"),
	C("RCPT TO:<b@example.com>\r\n"),
	S("250 ok\r\n"),
	C("BDAT 36\r\nAUTH PLAIN AGFhAGJi\r\nRCPT TO:<x@y>\r\n"),
	C("BDAT 0 LAST\r\nRCPT TO:<c@example.com>\r\n"),
	S("250 ok\r\n250 ok\r\n250 ok\r\n"),
};

static void test_smtp_refusals(void **state)
{
	(void)state;
	CHECK(smtp_refusals, MAIL_SMTP,
	      "proto smtp\n"
	      "banner mx.example.net\n"
	      "starttls?\n"
	      "starttls refused\n"
	      "from <a@example.com> example.com\n"
	      "rcpt <b@example.com> example.com\n"
	      "rcpt <c@example.com> example.com\n",
	      NULL);
	assert_false(mail_is_tls(&H.s, 1));
	assert_int_equal(H.s.cnt.unpaired, 0);
}

/* ---- IMAP ---- */

/* ndpi_imap.pcap: LOGIN with atoms (the password is a fake), then a FETCH whose literal holds
 * lines that must not be read as responses. */
static const char *const imap_login_secrets[] = { "FakePw5", NULL };
static const struct seg imap_login[] = {
	S("* OK IMAP4Rev1 Server Version 4.9.04.012\r\n"),
	C("C00000 CAPABILITY\r\n"),
	S("* CAPABILITY IMAP4rev1 IDLE AUTH=LOGIN AUTH=PLAIN AUTH=CRAM-MD5\r\n"
	  "C00000 OK CAPABILITY completed\r\n"),
	C("C00001 LOGIN samir FakePw5\r\n"),
	S("C00001 OK LOGIN completed\r\n"),
	C("C00002 LIST \"\" \"*\"\r\n"),
	S("* LIST () \"/\" INBOX\r\n* LIST () \"/\" \"Sent Messages\"\r\nC00002 OK LIST Completed\r\n"),
	C("C00005 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER])\r\n"),
	S("* 1 FETCH (UID 10 FLAGS (\\Recent) BODY[HEADER] {42}\r\n"
	  "* CAPABILITY FAKE\r\nC00001 NO not this\r\n)\r\nC00005 OK UID FETCH completed\r\n"),
};

static void test_imap_login(void **state)
{
	(void)state;
	CHECK(imap_login, MAIL_IMAP,
	      "proto imap\n"
	      "banner -\n"
	      "capa IMAP4rev1\n"
	      "capa IDLE\n"
	      "capa AUTH=LOGIN\n"
	      "capa AUTH=PLAIN\n"
	      "capa AUTH=CRAM-MD5\n"
	      "auth imap-login samir\n"
	      "auth-result ok\n",
	      imap_login_secrets);
}

/* ndpi_imap-starttls.pcap: capabilities in the greeting's response code, STARTTLS, TLS. */
static const struct seg imap_starttls[] = {
	S("* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR STARTTLS AUTH=LOGIN AUTH=PLAIN] "
	  "IMAP server ready H migmx013 104568 IMAP-0M0Unb-1YwIOs2b5K-00uE1x\r\n"),
	C(". CAPABILITY\r\n"),
	S("* CAPABILITY IMAP4rev1 STARTTLS\r\n. OK CAPABILITY completed\r\n"),
	C(". STARTTLS\r\n"),
	S(". OK Begin TLS negotiation now\r\n"),
	C("\x16\x03\x01\x01" "9\x01\x00\x01" "5\x03\x03\x14\x18\r\n"),
	S("\x16\x03\x03\x00W\x02\x00\x00S\x03\x03U\r\n"),
};

static void test_imap_starttls(void **state)
{
	(void)state;
	CHECK(imap_starttls, MAIL_IMAP,
	      "proto imap\n"
	      "banner -\n"
	      "capa IMAP4rev1\n"
	      "capa LITERAL+\n"
	      "capa SASL-IR\n"
	      "capa STARTTLS\n"
	      "capa AUTH=LOGIN\n"
	      "capa AUTH=PLAIN\n"
	      "capa IMAP4rev1\n"
	      "capa STARTTLS\n"
	      "starttls?\n"
	      "starttls ok\n"
	      "tls server 235\n"
	      "tls client 26\n",
	      NULL);
}

/* Synchronising literals for user and password, each after the server's "+". */
static const char *const imap_lit_secrets[] = { "FakePw-10", NULL };
static const struct seg imap_literal[] = {
	S("* OK [CAPABILITY IMAP4rev1] imap.example.com ready\r\n"),
	C("a1 LOGIN {5}\r\n"),
	S("+ Ready for literal data\r\n"),
	C("alice {9}\r\n"),
	S("+ Ready\r\n"),
	C("FakePw-10\r\n"),
	S("a1 OK LOGIN completed\r\n"),
	C("a2 SELECT INBOX\r\n"),
};

static void test_imap_literal(void **state)
{
	(void)state;
	CHECK(imap_literal, MAIL_IMAP,
	      "proto imap\n"
	      "banner imap.example.com\n"
	      "capa IMAP4rev1\n"
	      "auth imap-login alice\n"
	      "auth-result ok\n",
	      imap_lit_secrets);
}

/* LITERAL+ (RFC 7888): the literals follow at once; then a quoted user with escapes and a
 * refused login; then an atom user with a literal password. */
static const char *const imap_litplus_secrets[] = { "FakePw-11", "Fa\"kePw", "FakePw-12", NULL };
static const struct seg imap_literal_plus[] = {
	S("* OK imap.example.com IMAP4rev1 ready.\r\n"),
	C("a1 LOGIN {5+}\r\nalice {9+}\r\nFakePw-11\r\n"),
	S("a1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"),
	C("a2 LOGIN \"al\\\"i\\\\ce\" \"Fa\\\"kePw\"\r\n"),
	S("a2 NO nope\r\n"),
	C("a3 login bob {9}\r\n"),
	S("+ go\r\n"),
	C("FakePw-12\r\n"),
	S("a3 OK [CAPABILITY IMAP4rev1 MOVE] Logged in\r\n"),
};

static void test_imap_literal_plus_quoted(void **state)
{
	(void)state;
	CHECK(imap_literal_plus, MAIL_IMAP,
	      "proto imap\n"
	      "banner imap.example.com\n"
	      "auth imap-login alice\n"
	      "auth-result fail\n"
	      "auth imap-login al\"i\\ce\n"
	      "auth-result fail\n"
	      "auth imap-login bob\n"
	      "auth-result ok\n"
	      "capa IMAP4rev1\n"
	      "capa MOVE\n",
	      imap_litplus_secrets);
}

/* AUTHENTICATE PLAIN with SASL-IR (RFC 4959) and over a "+" continuation; a cancelled one. */
static const char *const imap_auth_secrets[] = { "FakePw-12", "FakePw-2", NULL };
static const struct seg imap_authenticate[] = {
	S("* OK ready\r\n"),
	C("A1 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUuY29tAEZha2VQdy0xMg==\r\n"),
	S("A1 NO failed\r\n"),
	C("A2 AUTHENTICATE PLAIN\r\n"),
	S("+ \r\n"),
	C("ADEyMzQ1Njc4QGFvbC5jb20ARmFrZVB3LTI=\r\n"),
	S("A2 OK done\r\n"),
	C("A3 AUTHENTICATE LOGIN\r\n"),
	S("+ VXNlcm5hbWU6\r\n"),
	C("*\r\n"),
	S("A3 BAD cancelled\r\n"),
	C("A4 LOGOUT\r\n"),
};

static void test_imap_authenticate(void **state)
{
	(void)state;
	CHECK(imap_authenticate, MAIL_IMAP,
	      "proto imap\n"
	      "banner -\n"
	      "auth sasl PLAIN alice@example.com\n"
	      "auth-result fail\n"
	      "auth sasl PLAIN 12345678@aol.com\n"
	      "auth-result ok\n"
	      "auth sasl LOGIN -\n"
	      "auth-result fail\n",
	      imap_auth_secrets);
}

/* A literal the server refuses: the client never sends it and goes on with a new command. */
static const struct seg imap_huge_literal[] = {
	S("* OK ready\r\n"),
	C("a1 LOGIN {4294967295}\r\n"),
	S("a1 NO [TOOBIG] literal too big\r\n"),
	C("a2 LOGIN bob \"FakePw\"\r\n"),
	S("a2 OK\r\n"),
	C("a3 APPEND INBOX {99999999999}\r\n"),
	S("a3 BAD bad literal\r\n"),
	C("a4 NOOP\r\n"),
};

/* APPEND with accepted literals: the message is passed over, whatever lines it holds. */
static const struct seg imap_append[] = {
	S("* OK ready\r\n"),
	C("a1 APPEND INBOX (\\Seen) {35}\r\n"),
	S("+ Ready for literal data\r\n"),
	C("a9 LOGIN mallory x\r\nSubject: hi\r\n\r\n\r\n"),
	S("a1 OK APPEND completed\r\n"),
	C("a2 APPEND INBOX ~{6+}\r\nb LOGI {0+}\r\n\r\n"),
	S("a2 OK\r\n"),
	C("a3 LOGIN carol x\r\n"),
};

static void test_imap_append(void **state)
{
	(void)state;
	CHECK(imap_append, MAIL_IMAP, "proto imap\nbanner -\nauth imap-login carol\n", NULL);
}

static void test_imap_huge_literal(void **state)
{
	(void)state;
	CHECK(imap_huge_literal, MAIL_IMAP,
	      "proto imap\n"
	      "banner -\n"
	      "auth imap-login -\n"
	      "auth-result fail\n"
	      "auth imap-login bob\n"
	      "auth-result ok\n",
	      NULL);
	assert_int_equal(H.s.cnt.values_bad, 1);  /* a 4 GiB user */
	assert_int_equal(H.s.cnt.literal_bad, 1); /* a number over 32 bits */
}

/* ---- POP3 ---- */

/* ndpi_pop3.pcap: USER/PASS (the password is a fake), listings and a message whose lines look
 * like replies. */
static const char *const pop3_user_secrets[] = { "FakePw7", NULL };
static const struct seg pop3_user[] = {
	S("+OK POP server ready H migmxus005\r\n"),
	C("user cicciopernacchio@mail.com\r\n"),
	S("+OK password required for user \"cicciopernacchio@mail.com\"\r\n"),
	C("pass FakePw7\r\n"),
	S("+OK mailbox \"cicciopernacchio@mail.com\" has 2 messages (17672 octets) H migmxus005\r\n"),
	C("list\r\n"),
	S("+OK\r\n1 16196\r\n2 1476\r\n.\r\n"),
	C("retr 2\r\n"),
	S("+OK\r\nReturn-Path: <lorenzo.miniero@unina.it>\r\n-ERR not a reply\r\n+OK neither\r\n"
	  "..stuffed\r\n.\r\n"),
	C("quit\r\n"),
	S("+OK POP server signing off\r\n"),
};

static void test_pop3_user(void **state)
{
	(void)state;
	CHECK(pop3_user, MAIL_POP3,
	      "proto pop3\n"
	      "banner -\n"
	      "auth pop3-user cicciopernacchio@mail.com\n"
	      "auth-result ok\n",
	      pop3_user_secrets);
	assert_int_equal(H.s.cnt.unpaired, 0);
	assert_int_equal(H.s.cnt.replies_bad, 0);
}

/* ndpi_pop3.pcap, another connection: CAPA, AUTH PLAIN over "+ " (password faked). */
static const char *const pop3_sasl_secrets[] = { "FakePw-8", NULL };
static const struct seg pop3_sasl[] = {
	S("+OK POP server ready H mimap8 0MHXFQ-1VDgSF1308-003NYq\r\n"),
	C("AUTH\r\n"),
	S("-ERR 1 argument required\r\n"),
	C("CAPA\r\n"),
	S("+OK Capability list follows\r\nTOP\r\nUSER\r\nSTLS\r\nSASL PLAIN\r\n.\r\n"),
	C("AUTH PLAIN\r\n"),
	S("+ \r\n"),
	C("AGRpZ2l0YWxpbnZlc3RpZ2F0b3JAbmV0d29ya3NpbXMuY29tAEZha2VQdy04\r\n"),
	S("-ERR authentication failed\r\n"),
};

static void test_pop3_sasl(void **state)
{
	(void)state;
	CHECK(pop3_sasl, MAIL_POP3,
	      "proto pop3\n"
	      "banner -\n"
	      "capa TOP\n"
	      "capa USER\n"
	      "capa STLS\n"
	      "capa SASL PLAIN\n"
	      "auth sasl PLAIN digitalinvestigator@networksims.com\n"
	      "auth-result fail\n",
	      pop3_sasl_secrets);
}

/* ndpi_pop3_stls.pcap: STLS, then TLS. */
static const struct seg pop3_stls[] = {
	S("+OK lavad\r\n"),
	C("AUTH\r\n"),
	S("-ERR Unrecognized command.\r\n"),
	C("CAPA\r\n"),
	S("+OK Capabilities follow.\r\nTOP\r\nSTLS\r\nIMPLEMENTATION lavad 4.3.0\r\n.\r\n"),
	C("STLS\r\n"),
	S("+OK Ready to start TLS negotiation.\r\n"),
	C("\x16\x03\x01\x00\xa3\x01\x00\x00\x9f\x03\x01P;\r\n"),
	S("\x16\x03\x01\x00" "5\x02\x00\x00" "1\x03\x01P;\n"),
};

static void test_pop3_stls(void **state)
{
	(void)state;
	CHECK(pop3_stls, MAIL_POP3,
	      "proto pop3\n"
	      "banner -\n"
	      "capa TOP\n"
	      "capa STLS\n"
	      "capa IMPLEMENTATION lavad 4.3.0\n"
	      "starttls?\n"
	      "starttls ok\n"
	      "tls server 144\n"
	      "tls client 18\n",
	      NULL);
}

/* zeek pop3-unknown-commands.pcap: bare LF line ends, and a server that sends garbage. */
static const char *const pop3_lf_secrets[] = { "FakeZ", NULL };
static const struct seg pop3_lf[] = {
	S("+OK example.com POP3-Server\n"),
	C("USER zeek@zeek.org\n"),
	S("+OK Please enter your password\n"),
	C("PASS FakeZ\n"),
	S("+OK mailbox locked and ready\n"),
	C("STAT\n"),
	S("+\r\r..\r\r..x\r\r\n.\r\r\t\t'\nx\n+OK 1 236\n"),
	C("QUIT\n"),
	S("+OK Bye\n"),
	C("APOP mrose c4c9334bac560ecc979e58001b3e22fb\n"),
	S("-ERR no\n"),
	C("USER nobody\n"),
	S("-ERR no such user\n"),
};

static void test_pop3_bare_lf_apop(void **state)
{
	(void)state;
	static const char *const secrets[] = { "FakeZ", "c4c9334bac560ecc979e58001b3e22fb", NULL };
	(void)pop3_lf_secrets;
	CHECK(pop3_lf, MAIL_POP3,
	      "proto pop3\n"
	      "banner example.com\n"
	      "auth pop3-user zeek@zeek.org\n"
	      "auth-result ok\n"
	      "auth apop mrose\n"
	      "auth-result fail\n"
	      "auth pop3-user nobody\n"
	      "auth-result fail\n",
	      secrets);
}

/* ---- protocol from the greeting, on any port ---- */

static void test_unknown_port(void **state)
{
	(void)state;
	static const struct seg smtp[] = {
		S("220 smtp.example.org ESMTP ready\r\n"), C("EHLO me\r\n"), S("250 smtp.example.org\r\n"),
	};
	CHECK(smtp, MAIL_UNKNOWN, "proto smtp\nbanner smtp.example.org\nehlo me\n", NULL);
	static const struct seg imap[] = {
		S("* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"), C("1 LOGIN u p\r\n"), S("1 OK\r\n"),
	};
	CHECK(imap, MAIL_UNKNOWN,
	      "proto imap\nbanner -\ncapa IMAP4rev1\nauth imap-login u\nauth-result ok\n", NULL);
	static const struct seg pop3[] = {
		S("+OK Dovecot ready. <1896.697170952@pop.example.org>\r\n"), C("USER u\r\n"), S("+OK\r\n"),
	};
	CHECK(pop3, MAIL_UNKNOWN, "proto pop3\nbanner -\nauth pop3-user u\n", NULL);
	/* a 220 without "SMTP": the client's EHLO tells */
	static const struct seg smtp_quiet[] = {
		S("220 mail.example.org\r\n"), C("EHLO me\r\n"), S("250-mail.example.org\r\n250 8BITMIME\r\n"),
	};
	CHECK(smtp_quiet, MAIL_UNKNOWN, "proto smtp\nehlo me\ncapa 8BITMIME\n", NULL);
	/* FTP greets with 220 too, HTTP with something else: not mail, everything is consumed */
	static const struct seg ftp[] = {
		S("220 ProFTPD Server ready.\r\n"), C("USER anonymous\r\n"), S("331 Password required\r\n"),
	};
	CHECK(ftp, MAIL_UNKNOWN, "", NULL);
	assert_true(H.s.gave_up);
	static const struct seg http[] = {
		C("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), S("HTTP/1.1 200 OK\r\n\r\n"),
	};
	CHECK(http, MAIL_UNKNOWN, "", NULL);
	assert_true(H.s.gave_up);
	static const struct seg ssh[] = {
		S("SSH-2.0-OpenSSH_9.2\r\n"), C("SSH-2.0-PuTTY\r\n"),
	};
	CHECK(ssh, MAIL_UNKNOWN, "", NULL);
	assert_true(H.s.gave_up);
	/* the client is held until the greeting decides */
	static const struct seg early[] = {
		S("+OK"), C("USER u\r\n"), S(" hi\r\n"), C("PASS p\r\n"), S("+OK\r\n+OK\r\n"),
	};
	CHECK(early, MAIL_UNKNOWN, "proto pop3\nbanner -\nauth pop3-user u\nauth-result ok\n", NULL);
}

/* A capture of the client side only: waits cannot be answered, the client's own next bytes
 * decide. */
static void test_client_only(void **state)
{
	(void)state;
	static const char *const secrets[] = { "Fake#Pw-1", "RmFrZSNQdy0x", NULL };
	static const struct seg smtp[] = {
		C("EHLO GP\r\nAUTH LOGIN\r\n"), C("Z3VycGFydGFwQHBhdHJpb3RzLmlu\r\n"), C("RmFrZSNQdy0x\r\n"),
		C("MAIL FROM:<gurpartap@patriots.in>\r\nDATA\r\n"), C("AUTH PLAIN AAAA\r\n.\r\n"),
		C("STARTTLS\r\n"), C("\x16\x03\x01\x00\x05hello"),
	};
	CHECK(smtp, MAIL_UNKNOWN,
	      "proto smtp\n"
	      "ehlo GP\n"
	      "auth sasl LOGIN gurpartap@patriots.in\n"
	      "from <gurpartap@patriots.in> patriots.in\n"
	      "starttls?\n"
	      "tls client 136\n",
	      secrets);
	static const struct seg imap[] = {
		C("a LOGIN {5}\r\n"), C("alice {3}\r\n"), C("pwd\r\n"), C("b LOGIN bob x\r\n"),
	};
	CHECK(imap, MAIL_UNKNOWN, "proto imap\nauth imap-login alice\nauth imap-login bob\n", NULL);
	static const struct seg pop3[] = {
		C("CAPA\r\nUSER u\r\nPASS p\r\nSTLS\r\n"), C("RETR 1\r\n"),
	};
	CHECK(pop3, MAIL_UNKNOWN, "proto pop3\nauth pop3-user u\nstarttls?\n", NULL);
}

/* ---- hostile input ---- */

static void feed_chunks(struct harness *h, int d, const uint8_t *p, size_t n, size_t chunk)
{
	for (size_t off = 0; off < n; off += chunk)
		h_deliver(h, d, p + off, n - off < chunk ? n - off : chunk, false);
}

static void feed_str(struct harness *h, int d, const char *s)
{
	h_deliver(h, d, (const uint8_t *)s, strlen(s), false);
}

/* A 1 MB line is skipped to its end and counted; what follows is read. */
static void test_long_line(void **state)
{
	(void)state;
	size_t n = 1u << 20;
	uint8_t *big = malloc(n);
	assert_non_null(big);
	memset(big, 'A', n);
	for (int d = 0; d < 2; d++) {
		h_init(&H, MAIL_SMTP, NULL);
		feed_str(&H, 0, "220 mx.example.com ESMTP\r\n");
		feed_chunks(&H, d, big, n, 1460);
		feed_str(&H, d, d ? "\r\nEHLO x\r\n" : "\r\n");
		if (!d)
			feed_str(&H, 1, "EHLO x\r\n");
		assert_int_equal(H.s.cnt.lines_long, 1);
		assert_string_equal(H.log, "proto smtp\nbanner mx.example.com\nehlo x\n");
	}
	/* a whole 1 MB delivery at once, and a line of exactly MAIL_MAX_LINE bytes */
	h_init(&H, MAIL_POP3, NULL);
	assert_int_equal(mail_feed(&H.s, 1, big, n, false, &cbs, &H), n);
	assert_int_equal(mail_feed(&H.s, 1, (const uint8_t *)"\n", 1, false, &cbs, &H), 1);
	memset(big, 'x', MAIL_MAX_LINE);
	memcpy(big, "USER ", 5);
	big[MAIL_MAX_LINE - 2] = '\r';
	big[MAIL_MAX_LINE - 1] = '\n';
	assert_int_equal(mail_feed(&H.s, 1, big, MAIL_MAX_LINE, false, &cbs, &H), MAIL_MAX_LINE);
	assert_int_equal(H.s.cnt.lines_long, 1);
	assert_int_equal(H.s.cnt.values_bad, 1); /* a user of 4089 bytes is not reported */
	free(big);
}

/* A SASL response longer than a line (a big GSSAPI token) is passed over; the exchange goes on. */
static void test_long_sasl(void **state)
{
	(void)state;
	static char token[6001];
	memset(token, 'Q', sizeof token - 1);
	h_init(&H, MAIL_SMTP, NULL);
	feed_str(&H, 0, "220 mx ESMTP\r\n");
	feed_str(&H, 1, "AUTH GSSAPI\r\n");
	feed_str(&H, 0, "334 \r\n");
	feed_chunks(&H, 1, (const uint8_t *)token, sizeof token - 1, 1000);
	feed_str(&H, 1, "\r\n");
	feed_str(&H, 0, "235 ok\r\n");
	feed_str(&H, 1, "MAIL FROM:<a@b.example>\r\n");
	assert_string_equal(H.log, "proto smtp\nbanner mx\nauth sasl GSSAPI -\nauth-result ok\n"
				   "from <a@b.example> b.example\n");
	assert_int_equal(H.s.cnt.lines_long, 1);
}

/* Invalid base64 gives no user, counted; so does a PLAIN message without its NULs. */
static void test_bad_base64(void **state)
{
	(void)state;
	static const struct seg v[] = {
		S("220 mx ESMTP\r\n"),
		C("AUTH PLAIN not*base64!\r\n"), S("501 bad\r\n"),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"), C("Zm9v=YmFy\r\n"), S("501 bad\r\n"),
		C("AUTH PLAIN Zm9vYmFy\r\n"), S("535 no\r\n"),
		C("AUTH LOGIN A\r\n"), S("501 bad\r\n"),
	};
	CHECK(v, MAIL_SMTP,
	      "proto smtp\nbanner mx\n"
	      "auth sasl PLAIN -\nauth-result fail\n"
	      "auth sasl LOGIN -\nauth-result fail\n"
	      "auth sasl PLAIN -\nauth-result fail\n"
	      "auth sasl LOGIN -\nauth-result fail\n",
	      NULL);
	assert_int_equal(H.s.cnt.base64_bad, 4);
}

/* NUL bytes inside lines: values holding them are not reported, the rest goes on. */
static void test_nul_bytes(void **state)
{
	(void)state;
	static const struct seg v[] = {
		S("220 mx\0evil ESMTP\r\n"),
		C("EHLO a\0b\r\n"), S("250 ok\r\n"),
		C("MAIL FROM:<a\0@example.com>\r\n"), S("250 ok\r\n"),
		C("AUTH PLAIN AGEAYgBj\r\n"), S("235 ok\r\n"),
		C("\0\0\0\r\n"), S("500 what\r\n"),
		C("RCPT TO:<b@example.com>\r\n"),
	};
	CHECK(v, MAIL_SMTP,
	      "proto smtp\nbanner -\nehlo -\nauth sasl PLAIN a\nauth-result ok\n"
	      "rcpt <b@example.com> example.com\n",
	      NULL);
	assert_int_equal(H.s.cnt.values_bad, 2);
}

/* Lost bytes in the middle of a command: the partial line is dropped, the next one is read. */
static void test_gap(void **state)
{
	(void)state;
	static const struct seg v[] = {
		S("* OK ready\r\n"),
		C("a1 LOGIN al"), CGAP("ice FakePw\r\na2 LOGIN bob FakePw\r\n"),
		S("a2 OK\r\n"),
	};
	static const char *const secrets[] = { "FakePw", NULL };
	CHECK(v, MAIL_IMAP, "proto imap\nbanner -\nauth imap-login bob\nauth-result ok\n", secrets);
	assert_int_equal(H.s.cnt.gaps, 1);
	/* lost server bytes while the client waits: the client's own bytes decide */
	static const struct seg w[] = {
		S("220 mx ESMTP\r\n"), C("AUTH LOGIN\r\n"), SGAP("ost 334\r\n"),
		C("YWxpY2VAZXhhbXBsZS5jb20=\r\n"), C("RmFrZVB3LTE0\r\n"), C("MAIL FROM:<q@example.com>\r\n"),
		S("250 ok\r\n"),
	};
	static const char *const wsec[] = { "FakePw-14", "RmFrZVB3LTE0", NULL };
	CHECK(w, MAIL_SMTP,
	      "proto smtp\nbanner mx\nauth sasl LOGIN alice@example.com\n"
	      "from <q@example.com> example.com\n",
	      wsec);
	/* a gap at the very start (picked up mid-stream) */
	static const struct seg m[] = {
		CGAP("M FROM:<x@y>\r\nRCPT TO:<b@example.com>\r\n"), SGAP("50 ok\r\n250 ok\r\n"),
	};
	CHECK(m, MAIL_SMTP, "proto smtp\nrcpt <b@example.com> example.com\n", NULL);
}

/* One session fed many logins carrying the same password: it is never in an event, never in
 * the session, whatever the protocol and whatever the encoding. */
static void test_password_never_kept(void **state)
{
	(void)state;
	static const char *const secrets[] = { "S3cr3t-Pw", "UzNjcjN0LVB3", NULL };
	/* base64: "\0u@example.com\0S3cr3t-Pw", "S3cr3t-Pw", "u@example.com" */
	static const struct seg smtp[] = {
		S("220 mx ESMTP\r\n"),
		C("AUTH PLAIN AHVAZXhhbXBsZS5jb20AUzNjcjN0LVB3\r\n"), S("535 no\r\n"),
		C("AUTH PLAIN\r\n"), S("334 \r\n"), C("AHVAZXhhbXBsZS5jb20AUzNjcjN0LVB3\r\n"), S("535 no\r\n"),
		C("AUTH LOGIN dUBleGFtcGxlLmNvbQ==\r\n"), S("334 UGFzc3dvcmQ6\r\n"), C("UzNjcjN0LVB3\r\n"),
		S("535 no\r\n"),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"), C("dUBleGFtcGxlLmNvbQ==\r\n"),
		S("334 UGFzc3dvcmQ6\r\n"), C("UzNjcjN0LVB3\r\n"), S("535 no\r\n"),
		/* a server that asks for the password first: that response is no user */
		C("AUTH LOGIN\r\n"), S("334 UGFzc3dvcmQ6\r\n"), C("UzNjcjN0LVB3\r\n"), S("235 ok\r\n"),
	};
	CHECK(smtp, MAIL_SMTP,
	      "proto smtp\nbanner mx\n"
	      "auth sasl PLAIN u@example.com\nauth-result fail\n"
	      "auth sasl PLAIN u@example.com\nauth-result fail\n"
	      "auth sasl LOGIN u@example.com\nauth-result fail\n"
	      "auth sasl LOGIN u@example.com\nauth-result fail\n"
	      "auth sasl LOGIN -\nauth-result ok\n",
	      secrets);
	static const struct seg imap[] = {
		S("* OK ready\r\n"),
		C("1 LOGIN u S3cr3t-Pw\r\n"), S("1 NO\r\n"),
		C("2 LOGIN \"u\" \"S3cr3t-Pw\"\r\n"), S("2 NO\r\n"),
		C("3 LOGIN u {9}\r\n"), S("+ \r\n"), C("S3cr3t-Pw\r\n"), S("3 NO\r\n"),
		C("4 LOGIN {1+}\r\nu {9+}\r\nS3cr3t-Pw\r\n"), S("4 NO\r\n"),
		C("5 AUTHENTICATE PLAIN AHVAZXhhbXBsZS5jb20AUzNjcjN0LVB3\r\n"), S("5 NO\r\n"),
		C("6 AUTHENTICATE LOGIN\r\n"), S("+ cGFzc3dvcmQ6\r\n"), C("UzNjcjN0LVB3\r\n"), S("6 OK\r\n"),
		/* a client that sends a refused literal anyway: the password reads as a command
		 * line, and its first word must not be kept as a tag */
		C("7 LOGIN u {9}\r\n"), S("7 NO refused\r\n"), C("S3cr3t-Pw\r\n"), C("S3cr3t-Pw {3}\r\n"),
		S("S3cr3t-Pw BAD\r\n"),
	};
	CHECK(imap, MAIL_IMAP,
	      "proto imap\nbanner -\n"
	      "auth imap-login u\nauth-result fail\n"
	      "auth imap-login u\nauth-result fail\n"
	      "auth imap-login u\nauth-result fail\n"
	      "auth imap-login u\nauth-result fail\n"
	      "auth sasl PLAIN u@example.com\nauth-result fail\n"
	      "auth sasl LOGIN -\nauth-result ok\n"
	      "auth imap-login u\nauth-result fail\n",
	      secrets);
	static const struct seg pop3[] = {
		S("+OK ready\r\n"), C("USER u\r\nPASS S3cr3t-Pw\r\n"), S("+OK\r\n-ERR\r\n"),
		C("AUTH PLAIN AHVAZXhhbXBsZS5jb20AUzNjcjN0LVB3\r\n"), S("+OK\r\n"),
	};
	CHECK(pop3, MAIL_POP3,
	      "proto pop3\nbanner -\n"
	      "auth pop3-user u\nauth-result fail\n"
	      "auth sasl PLAIN u@example.com\nauth-result ok\n",
	      secrets);
}

/* Counters and odd calls. */
static void test_misc(void **state)
{
	(void)state;
	h_init(&H, MAIL_IMAP, NULL);
	assert_int_equal(mail_feed(&H.s, 0, NULL, 5, false, &cbs, &H), 0);
	assert_int_equal(mail_feed(&H.s, 1, (const uint8_t *)"x", 0, true, NULL, NULL), 0);
	assert_int_equal(H.s.cnt.gaps, 1);
	assert_string_equal(mail_proto_name(MAIL_SMTP), "smtp");
	assert_string_equal(mail_proto_name(MAIL_UNKNOWN), "unknown");
	/* a bad proto is taken as unknown */
	mail_session_init(&H.s, (enum mail_proto)42);
	assert_int_equal(H.s.proto, MAIL_UNKNOWN);
	/* more than MAIL_MAX_PENDING commands whose reply matters, pipelined */
	h_init(&H, MAIL_POP3, NULL);
	feed_str(&H, 0, "+OK hi\r\n");
	for (int i = 0; i < MAIL_MAX_PENDING + 4; i++)
		feed_str(&H, 1, "CAPA\r\n");
	assert_int_equal(H.s.cnt.unpaired, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_auth_login),
		cmocka_unit_test(test_smtp_auth_plain),
		cmocka_unit_test(test_smtp_starttls),
		cmocka_unit_test(test_smtp_simple),
		cmocka_unit_test(test_smtp_auth_steps),
		cmocka_unit_test(test_smtp_pipelined_auth),
		cmocka_unit_test(test_smtp_auth_mechs),
		cmocka_unit_test(test_smtp_refusals),
		cmocka_unit_test(test_imap_login),
		cmocka_unit_test(test_imap_starttls),
		cmocka_unit_test(test_imap_literal),
		cmocka_unit_test(test_imap_literal_plus_quoted),
		cmocka_unit_test(test_imap_authenticate),
		cmocka_unit_test(test_imap_append),
		cmocka_unit_test(test_imap_huge_literal),
		cmocka_unit_test(test_pop3_user),
		cmocka_unit_test(test_pop3_sasl),
		cmocka_unit_test(test_pop3_stls),
		cmocka_unit_test(test_pop3_bare_lf_apop),
		cmocka_unit_test(test_unknown_port),
		cmocka_unit_test(test_client_only),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_long_sasl),
		cmocka_unit_test(test_bad_base64),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_password_never_kept),
		cmocka_unit_test(test_misc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

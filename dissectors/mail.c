/* mail.c: SMTP (RFC 5321, RFC 3207, RFC 3030, AUTH RFC 4954), IMAP (RFC 3501/9051, RFC 7888) and POP3 (RFC 1939, RFC 2449, RFC 5034) sessions with SASL PLAIN (RFC 4616); secrets are skipped, never kept. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base64.h"
#include "core/cursor.h"
#include "dissectors/mail.h"

enum { MAIL_SERVER = 0, MAIL_CLIENT = 1 };

/* What the next line of a direction is. */
enum mail_mode {
	MODE_LINES = 0, /* commands (client) or replies (server) */
	MODE_BODY,      /* SMTP message after DATA, POP3 multi-line response: up to "." */
	MODE_CAPA,      /* POP3 CAPA response: a capability a line, up to "." */
	MODE_SASL,      /* client: a SASL response */
	MODE_TLS,       /* the direction turned to TLS: nothing more is ours */
};

/* What literal bytes hold: skipped, or an IMAP LOGIN user name (short: read whole). */
enum mail_lit { LIT_SKIP = 0, LIT_USER };

/* What the client waits for. Its bytes are held (not consumed) until the server answers, since
 * the answer decides what they are: TLS or text, a message or commands, a literal or a new
 * command, a SASL response or a command. */
enum mail_wait { W_NONE = 0, W_GREETING, W_TLS, W_DATA, W_LITERAL, W_SASL };

/* What a reply means, by the command it answers. */
enum mail_pkind {
	P_NONE = 0, P_GREETING, P_EHLO, P_AUTH, P_TLS, P_DATA, P_USER, P_PASS, P_APOP, P_CAPA,
	P_MULTI, P_UNSOLICITED,
};

/* SASL mechanisms whose first client response names the user. */
enum mail_sasl { SASL_OTHER = 0, SASL_PLAIN, SASL_LOGIN, SASL_CRAM, SASL_XOAUTH2 };

enum mail_icmd { IC_NONE = 0, IC_LOGIN, IC_OTHER };

enum mail_astr { AS_BAD = 0, AS_STRING, AS_LITERAL };

/* A SASL response line is at most MAIL_MAX_LINE bytes of base64: this holds it decoded. */
#define MAIL_SASL_MAX (MAIL_MAX_LINE / 4 * 3 + 3)
/* RFC 1035 2.3.4: a host name is at most 253 characters in text form. */
#define MAIL_HOST_MAX 253

/* One mail_feed call. */
struct mail_ctx {
	struct mail_session *s;
	const struct mail_callbacks *cb;
	void *arg;
	int d;       /* the direction being fed */
	uint64_t at; /* stream offset of direction d just past what is being handled */
	bool stop;   /* direction d turned to TLS: consume no more of it */
};

/* ---- locale-free character tests ---- */

static bool mail_digit(int c) { return c >= '0' && c <= '9'; }
static bool mail_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static uint8_t mail_lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }
static uint8_t mail_upper(uint8_t c) { return c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c; }

static bool mail_host_char(int c)
{
	return mail_alpha(c) || mail_digit(c) || c == '-' || c == '.' || c == '_';
}

/* ---- text on top of the cursor: every byte is read through mail_at ---- */

/* Byte i of what is left in c; 0 past the end. */
static uint8_t mail_at(const struct cur *c, size_t i)
{
	return i < cur_left(c) ? c->p[c->off + i] : 0;
}

static int mail_peek(const struct cur *c) { return cur_left(c) ? mail_at(c, 0) : -1; }

/* Where what is left in c starts (only read through a length from cur_left). */
static const uint8_t *mail_ptr(const struct cur *c) { return cur_left(c) ? c->p + c->off : NULL; }

/* Moves past spaces; true when there was one at least. */
static bool mail_spaces(struct cur *c)
{
	bool any = false;
	while (mail_peek(c) == ' ') {
		cur_skip(c, 1);
		any = true;
	}
	return any;
}

/* The bytes up to the next space or the end, as a cursor of their own. */
static struct cur mail_word(struct cur *c)
{
	size_t n = 0;
	while (n < cur_left(c) && mail_at(c, n) != ' ')
		n++;
	return cur_sub(c, n);
}

/* Case-insensitive: is what is left in w exactly s (upper-case)? */
static bool mail_is(const struct cur *w, const char *s)
{
	size_t n = strlen(s);
	if (cur_left(w) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (mail_upper(mail_at(w, i)) != (uint8_t)s[i])
			return false;
	return true;
}

/* Case-insensitive prefix s (upper-case): moves past it when it is there. */
static bool mail_prefix(struct cur *c, const char *s)
{
	size_t n = strlen(s);
	if (cur_left(c) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (mail_upper(mail_at(c, i)) != (uint8_t)s[i])
			return false;
	cur_skip(c, n);
	return true;
}

/* Case-insensitive: does s (upper-case) occur in what is left in c? */
static bool mail_contains(const struct cur *c, const char *s)
{
	struct cur t = *c;
	while (cur_left(&t)) {
		struct cur u = t;
		if (mail_prefix(&u, s))
			return true;
		cur_skip(&t, 1);
	}
	return false;
}

/* Drops trailing spaces (POP3 arguments as clients send them). */
static struct cur mail_trim(struct cur c)
{
	size_t n = cur_left(&c);
	while (n && mail_at(&c, n - 1) == ' ')
		n--;
	return cur_sub(&c, n);
}

/* ---- base64 (RFC 4648 section 4), for SASL responses ---- */

/* Decodes what is left in in into out[0..cap); padding may be left out (some clients do), but
 * any other byte, padding in the middle or a dangling 6 bits make it invalid. The caller wipes
 * out afterwards whatever the result: it may hold a password. */
static bool mail_b64_decode(struct cur in, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t n = cur_left(&in), pad = 0;
	while (n && pad < 2 && mail_at(&in, n - 1) == '=') {
		n--;
		pad++;
	}
	if ((pad && (n + pad) % 4) || n % 4 == 1)
		return false;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value(mail_at(&in, i));
		if (v < 0)
			return false;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (k == cap)
				return false;
			out[k++] = (uint8_t)(acc >> bits);
		}
	}
	*outlen = k;
	return true;
}

/* ---- events ---- */

static struct mail_event mail_ev(const struct mail_ctx *x, enum mail_ev_kind kind)
{
	struct mail_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.from_client = x->d == MAIL_CLIENT;
	return ev;
}

static void mail_emit(struct mail_ctx *x, struct mail_event *ev)
{
	ev->proto = (enum mail_proto)x->s->proto;
	if (x->cb && x->cb->on_event)
		x->cb->on_event(x->arg, ev);
}

/* Copies v[0..n) into buf (MAIL_MAX_VALUE + 1 bytes) as an event string, lower-cased if asked.
 * False, and counted, when it is too long or holds NUL, CR or LF: a consumer keeping C strings or
 * writing lines must never be handed those. */
static bool mail_value(struct mail_session *s, const uint8_t *v, size_t n, char *buf, bool lower)
{
	if (n > MAIL_MAX_VALUE) {
		s->cnt.values_bad++;
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i] == 0 || v[i] == '\r' || v[i] == '\n') {
			s->cnt.values_bad++;
			return false;
		}
		buf[i] = (char)(lower ? mail_lower(v[i]) : v[i]);
	}
	buf[n] = '\0';
	return true;
}

/* An event carrying what is left in v (nothing when v is empty or not reportable). */
static void mail_emit_value(struct mail_ctx *x, enum mail_ev_kind kind, struct cur v, bool lower)
{
	char buf[MAIL_MAX_VALUE + 1];
	struct mail_event ev = mail_ev(x, kind);
	if (cur_left(&v) && mail_value(x->s, mail_ptr(&v), cur_left(&v), buf, lower)) {
		ev.value = buf;
		ev.value_len = cur_left(&v);
	}
	mail_emit(x, &ev);
}

static void mail_tell_proto(struct mail_ctx *x)
{
	struct mail_session *s = x->s;
	if (s->proto_told || s->proto == MAIL_UNKNOWN)
		return;
	s->proto_told = true;
	struct mail_event ev = mail_ev(x, MAIL_EV_PROTO);
	mail_emit(x, &ev);
}

static void mail_decide(struct mail_ctx *x, enum mail_proto proto)
{
	x->s->proto = (uint8_t)proto;
	if (x->s->wait == W_GREETING)
		x->s->wait = W_NONE;
	mail_tell_proto(x);
}

/* ---- pairing SMTP/POP3 replies with commands, by order (RFC 2920 pipelining keeps it) ---- */

static void mail_pend_pop(struct mail_session *s)
{
	if (!s->n_pend)
		return;
	s->n_pend--;
	memmove(s->pend, s->pend + 1, s->n_pend * sizeof s->pend[0]);
}

/* Numbers the command just sent; remembers it when its reply matters. */
static void mail_push(struct mail_session *s, uint8_t kind)
{
	uint32_t seq = s->cmd_seq++;
	if (kind == P_NONE)
		return;
	if (s->n_pend == MAIL_MAX_PENDING) {
		s->cnt.unpaired++;
		return;
	}
	s->pend[s->n_pend].seq = seq;
	s->pend[s->n_pend].kind = kind;
	s->n_pend++;
}

/* What the reply under way answers. */
static uint8_t mail_pend_kind(struct mail_session *s)
{
	if (s->reply_seq >= s->cmd_seq)
		return P_UNSOLICITED;
	while (s->n_pend && s->pend[0].seq < s->reply_seq)
		mail_pend_pop(s);
	if (s->n_pend && s->pend[0].seq == s->reply_seq)
		return s->pend[0].kind;
	return P_NONE;
}

static void mail_reply_done(struct mail_session *s)
{
	if (s->reply_seq >= s->cmd_seq) {
		s->cnt.unpaired++;
		return;
	}
	if (s->n_pend && s->pend[0].seq == s->reply_seq)
		mail_pend_pop(s);
	s->reply_seq++;
}

/* Lost bytes may have held commands or replies: pairing starts afresh rather than pairing
 * wrongly (a lost EHLO reply taken for an AUTH verdict would be a false success). */
static void mail_pend_reset(struct mail_session *s)
{
	s->n_pend = 0;
	s->reply_seq = s->cmd_seq;
	s->reply_line = 0;
}

/* ---- TLS hand-over ---- */

/* Direction d turns to TLS: its bytes from the reported offset on belong to the TLS parser. */
static void mail_tls_start(struct mail_ctx *x, int d)
{
	struct mail_dir *md = &x->s->dir[d];
	if (md->mode == MODE_TLS)
		return;
	md->mode = MODE_TLS;
	md->lit_left = 0;
	md->skip_line = false;
	struct mail_event ev = mail_ev(x, MAIL_EV_TLS_START);
	ev.from_client = d == MAIL_CLIENT;
	/* The other direction consumed nothing past its STARTTLS/STLS line: it was waiting. */
	ev.offset = d == x->d ? x->at : md->consumed;
	if (d == x->d)
		x->stop = true;
	mail_emit(x, &ev);
}

static void mail_starttls_cmd(struct mail_ctx *x)
{
	struct mail_event ev = mail_ev(x, MAIL_EV_STARTTLS_CMD);
	mail_emit(x, &ev);
	x->s->wait = W_TLS;
}

static void mail_answer_tls(struct mail_ctx *x, bool ok, uint16_t code)
{
	struct mail_session *s = x->s;
	struct mail_event ev = mail_ev(x, MAIL_EV_STARTTLS);
	ev.ok = ok;
	ev.code = code;
	mail_emit(x, &ev);
	if (s->wait == W_TLS)
		s->wait = W_NONE;
	if (!ok)
		return;
	mail_tls_start(x, MAIL_SERVER);
	mail_tls_start(x, MAIL_CLIENT);
}

static void mail_answer_data(struct mail_session *s, bool ok)
{
	if (s->wait != W_DATA)
		return;
	s->wait = W_NONE;
	if (ok)
		s->dir[MAIL_CLIENT].mode = MODE_BODY;
}

/* ---- logins ---- */

static void mail_auth_begin(struct mail_session *s, enum mail_auth_method m)
{
	s->auth_method = (uint8_t)m;
	s->auth_told = false;
	s->auth_open = true;
	if (m != MAIL_AUTH_SASL)
		s->mech[0] = '\0';
}

/* Reports the attempt under way, once, with its user when known (user NULL: not known). */
static void mail_auth_tell(struct mail_ctx *x, const uint8_t *user, size_t n)
{
	struct mail_session *s = x->s;
	if (s->auth_told || !s->auth_open)
		return;
	s->auth_told = true;
	char buf[MAIL_MAX_VALUE + 1];
	struct mail_event ev = mail_ev(x, MAIL_EV_AUTH);
	ev.method = (enum mail_auth_method)s->auth_method;
	ev.mech = s->auth_method == MAIL_AUTH_SASL ? s->mech : NULL;
	if (user && n && mail_value(s, user, n, buf, false))
		ev.user = buf;
	mail_emit(x, &ev);
}

static void mail_sasl_end(struct mail_session *s)
{
	s->sasl_on = false;
	s->sasl_left = 0;
	if (s->wait == W_SASL)
		s->wait = W_NONE;
	if (s->dir[MAIL_CLIENT].mode == MODE_SASL)
		s->dir[MAIL_CLIENT].mode = MODE_LINES;
}

/* The server's verdict on the attempt under way (none: nothing to say). */
static void mail_auth_verdict(struct mail_ctx *x, bool ok, uint16_t code)
{
	struct mail_session *s = x->s;
	mail_sasl_end(s);
	if (!s->auth_open)
		return;
	mail_auth_tell(x, NULL, 0);
	struct mail_event ev = mail_ev(x, MAIL_EV_AUTH_RESULT);
	ev.ok = ok;
	ev.code = code;
	ev.method = (enum mail_auth_method)s->auth_method;
	ev.mech = s->auth_method == MAIL_AUTH_SASL ? s->mech : NULL;
	mail_emit(x, &ev);
	s->auth_open = false;
	s->auth_told = false;
}

/* ---- SASL ---- */

static enum mail_sasl mail_sasl_lookup(const char *mech)
{
	if (!strcmp(mech, "PLAIN"))
		return SASL_PLAIN;
	if (!strcmp(mech, "LOGIN"))
		return SASL_LOGIN;
	if (!strcmp(mech, "CRAM-MD5"))
		return SASL_CRAM;
	if (!strcmp(mech, "XOAUTH2"))
		return SASL_XOAUTH2;
	return SASL_OTHER;
}

/* Client responses each mechanism sends, used only when the server's side cannot be seen:
 * LOGIN sends the user then the password; the others name the user in their only response. */
static uint8_t mail_sasl_rounds(enum mail_sasl m)
{
	switch (m) {
	case SASL_LOGIN:
		return 2;
	case SASL_PLAIN:
	case SASL_CRAM:
	case SASL_XOAUTH2:
		return 1;
	default:
		return 0;
	}
}

/* RFC 4616: authzid NUL authcid NUL passwd; the user is the authcid, or the authzid when the
 * authcid is empty. */
static void mail_sasl_plain(struct mail_ctx *x, const uint8_t *d, size_t n)
{
	const uint8_t *z1 = memchr(d, 0, n);
	const uint8_t *z2 = z1 ? memchr(z1 + 1, 0, n - (size_t)(z1 + 1 - d)) : NULL;
	if (!z2) {
		x->s->cnt.base64_bad++;
		mail_auth_tell(x, NULL, 0);
		return;
	}
	size_t zlen = (size_t)(z1 - d), clen = (size_t)(z2 - z1 - 1);
	if (clen)
		mail_auth_tell(x, z1 + 1, clen);
	else
		mail_auth_tell(x, d, zlen);
}

/* CRAM-MD5 (RFC 2195): "user SP hexdigest"; the digest is left alone. */
static void mail_sasl_cram(struct mail_ctx *x, const uint8_t *d, size_t n)
{
	size_t sp = n;
	while (sp && d[sp - 1] != ' ')
		sp--;
	mail_auth_tell(x, d, sp ? sp - 1 : 0);
}

/* XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A; the token is left alone. */
static void mail_sasl_xoauth2(struct mail_ctx *x, const uint8_t *d, size_t n)
{
	if (n < 5 || memcmp(d, "user=", 5)) {
		mail_auth_tell(x, NULL, 0);
		return;
	}
	const uint8_t *end = memchr(d + 5, 0x01, n - 5);
	mail_auth_tell(x, d + 5, end ? (size_t)(end - d - 5) : n - 5);
}

/* One client response of the exchange under way. Only the first response of a mechanism that
 * names the user there is decoded; a LOGIN password (second response) never is. */
static void mail_sasl_response(struct mail_ctx *x, struct cur line)
{
	struct mail_session *s = x->s;
	uint8_t step = s->sasl_step;
	if (s->sasl_step < UINT8_MAX)
		s->sasl_step++;
	if (s->sasl_left)
		s->sasl_left--;
	if (mail_is(&line, "*")) {
		/* RFC 4954 4: the client cancels; the server answers 501 */
		s->sasl_left = 0;
		mail_auth_tell(x, NULL, 0);
		return;
	}
	if (step != 0 || s->sasl_mech == SASL_OTHER)
		return;
	uint8_t dec[MAIL_SASL_MAX];
	size_t n = 0;
	if (mail_is(&line, "=")) {
		/* RFC 4954 4: an empty initial response */
	} else if (!mail_b64_decode(line, dec, sizeof dec, &n)) {
		s->cnt.base64_bad++;
		mail_auth_tell(x, NULL, 0);
		explicit_bzero(dec, sizeof dec);
		return;
	}
	switch (s->sasl_mech) {
	case SASL_PLAIN:
		mail_sasl_plain(x, dec, n);
		break;
	case SASL_LOGIN:
		mail_auth_tell(x, dec, n);
		break;
	case SASL_CRAM:
		mail_sasl_cram(x, dec, n);
		break;
	case SASL_XOAUTH2:
		mail_sasl_xoauth2(x, dec, n);
		break;
	default:
		break;
	}
	explicit_bzero(dec, sizeof dec);
}

/* AUTH / AUTHENTICATE mech [initial-response]: c is left after the mechanism. */
static void mail_sasl_begin(struct mail_ctx *x, struct cur mech, struct cur *c)
{
	struct mail_session *s = x->s;
	size_t k = 0;
	/* RFC 4422 3.1: mechanism names are upper-case letters, digits, '-' and '_', at most 20 */
	while (k < cur_left(&mech) && k < sizeof s->mech - 1) {
		uint8_t ch = mail_upper(mail_at(&mech, k));
		if (!mail_alpha(ch) && !mail_digit(ch) && ch != '-' && ch != '_')
			break;
		s->mech[k++] = (char)ch;
	}
	s->mech[k] = '\0';
	s->sasl_mech = (uint8_t)(k == cur_left(&mech) ? mail_sasl_lookup(s->mech) : SASL_OTHER);
	mail_auth_begin(s, MAIL_AUTH_SASL);
	s->sasl_on = true;
	s->sasl_step = 0;
	s->sasl_left = mail_sasl_rounds((enum mail_sasl)s->sasl_mech);
	bool ir = mail_spaces(c) && cur_left(c);
	if (ir)
		mail_sasl_response(x, mail_word(c));
	if (s->sasl_mech == SASL_OTHER)
		mail_auth_tell(x, NULL, 0);
	/* The client waits for the server's challenge or verdict, and so does the dissector, but
	 * after an initial response that completes a one-round mechanism the client may go on at
	 * once (RFC 4954 4, pipelining): read on; a challenge still turns the next line into a
	 * response. */
	if (ir && s->sasl_left == 0 && s->sasl_mech != SASL_OTHER && s->sasl_mech != SASL_LOGIN)
		return;
	s->wait = W_SASL;
}

/* The server asks for the next response (334, "+ "). */
/* The server asks for the next response (334, "+ "); its challenge is what is left in ch. */
static void mail_sasl_cont(struct mail_session *s, struct cur ch)
{
	if (!s->sasl_on || (s->wait != W_SASL && s->wait != W_NONE))
		return;
	s->wait = W_NONE;
	s->dir[MAIL_CLIENT].mode = MODE_SASL;
	if (s->sasl_mech != SASL_LOGIN || s->sasl_step > 0)
		return;
	/* LOGIN prompts are "Username:" then "Password:": when the server asks for the password
	 * first, the next response must not be taken (and reported) as the user */
	uint8_t prompt[16];
	size_t n = 0;
	mail_spaces(&ch);
	if (cur_left(&ch) <= 20 && mail_b64_decode(ch, prompt, sizeof prompt, &n) && n >= 4) {
		struct cur t = cur_make(prompt, n);
		if (mail_prefix(&t, "PASS"))
			s->sasl_step = 1;
	}
}

/* ---- server greetings ---- */

/* SMTP: "220 host ..." (RFC 5321 4.2): the first word, when it can be a host name. */
static void mail_smtp_banner(struct mail_ctx *x, struct cur text)
{
	struct cur w = mail_word(&text);
	size_t n = cur_left(&w);
	bool ok = n > 0 && n <= MAIL_HOST_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = mail_host_char(mail_at(&w, i));
	mail_emit_value(x, MAIL_EV_BANNER, ok ? w : cur_make(NULL, 0), true);
}

/* Does w look like a fully qualified name (not a version number or an address)? Trailing
 * punctuation of the sentence it ends is dropped. */
static bool mail_fqdn(struct cur *w)
{
	size_t n = cur_left(w);
	while (n && (mail_at(w, n - 1) == '.' || mail_at(w, n - 1) == ',' ||
		     mail_at(w, n - 1) == ';' || mail_at(w, n - 1) == ':' || mail_at(w, n - 1) == ')'))
		n--;
	if (n == 0 || n > MAIL_HOST_MAX || mail_at(w, 0) == '.')
		return false;
	size_t label = 0, dots = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = mail_at(w, i);
		if (!mail_host_char(ch))
			return false;
		if (ch == '.') {
			if (mail_at(w, i + 1) == '.')
				return false;
			dots++;
			label = i + 1;
		}
	}
	if (!dots || !mail_alpha(mail_at(w, label)))
		return false;
	*w = cur_sub(w, n);
	return true;
}

/* IMAP and POP3 greetings have no fixed place for the host: the first word that looks like one. */
static void mail_banner_fqdn(struct mail_ctx *x, struct cur text)
{
	while (cur_left(&text)) {
		mail_spaces(&text);
		struct cur w = mail_word(&text);
		if (mail_fqdn(&w)) {
			mail_emit_value(x, MAIL_EV_BANNER, w, true);
			return;
		}
	}
	mail_emit_value(x, MAIL_EV_BANNER, cur_make(NULL, 0), true);
}

/* ---- SMTP ---- */

/* "MAIL FROM:<addr> params" / "RCPT TO:<addr> params" (RFC 5321 4.1.1.2-3); c after the verb. */
static void mail_smtp_path(struct mail_ctx *x, struct cur *c, const char *key,
			   enum mail_ev_kind kind)
{
	mail_spaces(c);
	if (!mail_prefix(c, key))
		return;
	mail_spaces(c);
	size_t n = 0;
	if (mail_peek(c) == '<') {
		cur_skip(c, 1);
		while (n < cur_left(c) && mail_at(c, n) != '>')
			n++;
	} else {
		while (n < cur_left(c) && mail_at(c, n) != ' ')
			n++;
	}
	struct cur a = cur_sub(c, n);
	/* RFC 5321 4.1.2: an obsolete source route "@a,@b:user@d" is skipped */
	if (mail_peek(&a) == '@') {
		size_t i = 0;
		while (i < cur_left(&a) && mail_at(&a, i) != ':')
			i++;
		cur_skip(&a, i < cur_left(&a) ? i + 1 : i);
	}
	size_t at = cur_left(&a);
	while (at && mail_at(&a, at - 1) != '@')
		at--;
	char abuf[MAIL_MAX_VALUE + 1], dbuf[MAIL_MAX_VALUE + 1];
	struct mail_event ev = mail_ev(x, kind);
	if (!mail_value(x->s, mail_ptr(&a), cur_left(&a), abuf, false))
		return;
	ev.value = abuf;
	ev.value_len = cur_left(&a);
	if (at && at < cur_left(&a) && mail_value(x->s, mail_ptr(&a) + at, cur_left(&a) - at, dbuf, true))
		ev.domain = dbuf;
	mail_emit(x, &ev);
}

/* BDAT size [LAST] (RFC 3030): size bytes of message follow the line at once. */
static void mail_smtp_bdat(struct mail_ctx *x, struct cur *c)
{
	mail_spaces(c);
	struct cur w = mail_word(c);
	uint64_t v = 0;
	size_t n = cur_left(&w);
	if (n == 0 || n > 18) {
		x->s->cnt.literal_bad++;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!mail_digit(mail_at(&w, i))) {
			x->s->cnt.literal_bad++;
			return;
		}
		v = v * 10 + (uint64_t)(mail_at(&w, i) - '0');
	}
	x->s->dir[MAIL_CLIENT].lit_left = v;
	x->s->dir[MAIL_CLIENT].lit_kind = LIT_SKIP;
}

static void mail_smtp_client(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	struct cur verb = mail_word(c);
	if (mail_is(&verb, "EHLO") || mail_is(&verb, "HELO")) {
		bool ehlo = mail_is(&verb, "EHLO");
		mail_spaces(c);
		struct cur name = mail_word(c);
		char buf[MAIL_MAX_VALUE + 1];
		struct mail_event ev = mail_ev(x, MAIL_EV_HELO);
		ev.ehlo = ehlo;
		if (cur_left(&name) && mail_value(s, mail_ptr(&name), cur_left(&name), buf, false)) {
			ev.value = buf;
			ev.value_len = cur_left(&name);
		}
		mail_emit(x, &ev);
		mail_push(s, ehlo ? P_EHLO : P_NONE);
	} else if (mail_is(&verb, "STARTTLS")) {
		mail_push(s, P_TLS);
		mail_starttls_cmd(x);
	} else if (mail_is(&verb, "AUTH")) {
		mail_push(s, P_AUTH);
		mail_spaces(c);
		mail_sasl_begin(x, mail_word(c), c);
	} else if (mail_is(&verb, "MAIL")) {
		mail_push(s, P_NONE);
		mail_smtp_path(x, c, "FROM:", MAIL_EV_MAIL_FROM);
	} else if (mail_is(&verb, "RCPT")) {
		mail_push(s, P_NONE);
		mail_smtp_path(x, c, "TO:", MAIL_EV_RCPT_TO);
	} else if (mail_is(&verb, "DATA")) {
		mail_push(s, P_DATA);
		s->wait = W_DATA;
	} else if (mail_is(&verb, "BDAT")) {
		mail_push(s, P_NONE);
		mail_smtp_bdat(x, c);
	} else {
		mail_push(s, P_NONE);
	}
}

/* "ddd" then SP, '-' (more lines follow) or the end (RFC 5321 4.2). */
static bool mail_smtp_code(struct cur *c, uint16_t *code, bool *final)
{
	if (cur_left(c) < 3 || !mail_digit(mail_at(c, 0)) || !mail_digit(mail_at(c, 1)) ||
	    !mail_digit(mail_at(c, 2)))
		return false;
	*code = (uint16_t)((mail_at(c, 0) - '0') * 100 + (mail_at(c, 1) - '0') * 10 +
			   (mail_at(c, 2) - '0'));
	int sep = cur_left(c) > 3 ? mail_at(c, 3) : -1;
	if (sep != -1 && sep != ' ' && sep != '-')
		return false;
	*final = sep != '-';
	cur_skip(c, sep == -1 ? 3 : 4);
	return true;
}

static void mail_smtp_server(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	uint16_t code;
	bool final;
	if (!mail_smtp_code(c, &code, &final)) {
		s->cnt.replies_bad++;
		return;
	}
	uint8_t kind = mail_pend_kind(s);
	uint16_t idx = s->reply_line;
	s->reply_line = final ? 0 : (uint16_t)(idx < UINT16_MAX ? idx + 1 : idx);
	switch (kind) {
	case P_GREETING:
		if (idx == 0)
			mail_smtp_banner(x, *c);
		s->banner_done = true;
		break;
	case P_EHLO:
		/* RFC 5321 4.1.1.1: the first line greets, each further line is an extension */
		if (idx > 0 && code == 250)
			mail_emit_value(x, MAIL_EV_CAPA, *c, false);
		break;
	case P_TLS:
		if (final)
			mail_answer_tls(x, code == 220, code);
		break;
	case P_AUTH:
		if (final && code == 334) {
			/* a challenge: the same command goes on */
			mail_sasl_cont(s, *c);
			return;
		}
		if (final)
			mail_auth_verdict(x, code / 100 == 2, code);
		break;
	case P_DATA:
		if (final)
			mail_answer_data(s, code == 354);
		break;
	default:
		break;
	}
	if (final)
		mail_reply_done(s);
}

/* ---- IMAP ---- */

/* Does the line end in a literal marker "{n}", "{n+}" (RFC 7888) or "~{n}" (RFC 9051 literal8)?
 * *start is where the marker begins. A marker with a number over 32 bits is counted and not
 * followed (RFC 9051 9: number is 32 bits); a server would refuse it too. */
static bool mail_literal_end(struct mail_session *s, const struct cur *c, uint64_t *n,
			     bool *sync, size_t *start)
{
	size_t len = cur_left(c);
	if (len < 3 || mail_at(c, len - 1) != '}')
		return false;
	size_t i = len - 1;
	*sync = true;
	if (mail_at(c, i - 1) == '+') {
		*sync = false;
		i--;
	}
	size_t end = i;
	while (i && mail_digit(mail_at(c, i - 1)))
		i--;
	if (i == end || i == 0 || mail_at(c, i - 1) != '{')
		return false;
	size_t brace = i - 1, digits = end - i;
	size_t from = brace && mail_at(c, brace - 1) == '~' ? brace - 1 : brace;
	if (from && mail_at(c, from - 1) != ' ' && mail_at(c, from - 1) != '(')
		return false;
	uint64_t v = 0;
	for (size_t k = i; k < end && digits <= 10; k++)
		v = v * 10 + (uint64_t)(mail_at(c, k) - '0');
	if (digits > 10 || v > UINT32_MAX) {
		s->cnt.literal_bad++;
		return false;
	}
	*n = v;
	*start = from;
	return true;
}

/* A command or response line of direction x->d ended: when in a literal marker, the literal's
 * bytes follow and then the same command or response goes on. */
static void mail_imap_tail(struct mail_ctx *x, const struct cur *c)
{
	struct mail_session *s = x->s;
	struct mail_dir *md = &s->dir[x->d];
	uint64_t n;
	bool sync;
	size_t start;
	if (!mail_literal_end(s, c, &n, &sync, &start)) {
		md->in_cont = false;
		if (x->d == MAIL_CLIENT)
			s->imap_cmd = IC_NONE;
		return;
	}
	md->lit_left = n;
	md->lit_kind = LIT_SKIP;
	md->in_cont = true;
	/* RFC 9051 7.5: a synchronising literal is sent only after the server's "+" */
	if (x->d == MAIL_CLIENT && sync)
		s->wait = W_LITERAL;
}

/* One astring (RFC 9051 9): an atom, a quoted string ("\"" and "\\" escape) or a literal
 * marker that must end the line. The string goes into out when out is given (a password is
 * passed over and never copied); *n is SIZE_MAX when it is longer than MAIL_MAX_VALUE. */
static enum mail_astr mail_astring(struct mail_session *s, struct cur *c, uint8_t *out, size_t *n,
				   uint64_t *lit, bool *sync)
{
	size_t k = 0;
	bool longer = false;
	int ch = mail_peek(c);
	if (ch == '"') {
		cur_skip(c, 1);
		for (;;) {
			int b = mail_peek(c);
			if (b < 0)
				return AS_BAD;
			cur_skip(c, 1);
			if (b == '"')
				break;
			if (b == '\\') {
				b = mail_peek(c);
				if (b < 0)
					return AS_BAD;
				cur_skip(c, 1);
			}
			if (out && k < MAIL_MAX_VALUE)
				out[k++] = (uint8_t)b;
			else if (out)
				longer = true;
		}
		*n = longer ? SIZE_MAX : k;
		return AS_STRING;
	}
	if (ch == '{' || ch == '~') {
		size_t start;
		if (!mail_literal_end(s, c, lit, sync, &start) || start != 0)
			return AS_BAD;
		cur_skip(c, cur_left(c));
		return AS_LITERAL;
	}
	struct cur w = mail_word(c);
	size_t wl = cur_left(&w);
	if (!wl)
		return AS_BAD;
	*n = wl <= MAIL_MAX_VALUE ? wl : SIZE_MAX;
	if (out && wl <= MAIL_MAX_VALUE)
		cur_copy(&w, out, wl);
	return AS_STRING;
}

/* Keeps an IMAP tag (RFC 9051 9: astring characters but '+') to pair the tagged reply; a tag
 * longer than MAIL_MAX_TAG or with odd bytes is not kept, and its reply is not paired. */
static void mail_tag_copy(char *dst, const struct cur *tag)
{
	size_t n = cur_left(tag);
	dst[0] = '\0';
	if (n == 0 || n > MAIL_MAX_TAG)
		return;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = mail_at(tag, i);
		if (ch <= ' ' || ch >= 0x7f || ch == '+')
			return;
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)mail_at(tag, i);
	dst[n] = '\0';
}

static bool mail_tag_is(const struct cur *tag, const char *kept)
{
	size_t n = strlen(kept);
	if (n == 0 || cur_left(tag) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (mail_at(tag, i) != (uint8_t)kept[i])
			return false;
	return true;
}

/* LOGIN userid password (RFC 9051 6.2.3), from where the last line or literal left it. The user
 * is reported as soon as it is read; the password is passed over without being copied. */
static void mail_imap_login(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	struct mail_dir *md = &s->dir[MAIL_CLIENT];
	uint8_t user[MAIL_MAX_VALUE];
	md->in_cont = false;
	while (s->imap_arg < 2 && mail_spaces(c)) {
		bool is_user = s->imap_arg == 0;
		size_t n = 0;
		uint64_t lit = 0;
		bool sync = false;
		enum mail_astr r = mail_astring(s, c, is_user ? user : NULL, &n, &lit, &sync);
		if (r == AS_BAD)
			break;
		s->imap_arg++;
		if (r == AS_LITERAL) {
			md->lit_left = lit;
			md->in_cont = true;
			md->lit_kind = is_user && lit <= MAIL_MAX_VALUE ? LIT_USER : LIT_SKIP;
			if (is_user && lit > MAIL_MAX_VALUE) {
				s->cnt.values_bad++;
				mail_auth_tell(x, NULL, 0);
			}
			if (sync)
				s->wait = W_LITERAL;
			return;
		}
		if (is_user && n == SIZE_MAX)
			s->cnt.values_bad++;
		if (is_user)
			mail_auth_tell(x, n == SIZE_MAX ? NULL : user, n == SIZE_MAX ? 0 : n);
	}
	/* The command ended, whole or not: an attempt whose user could not be read still counts. */
	mail_auth_tell(x, NULL, 0);
	s->imap_cmd = IC_NONE;
}

/* IMAP command names (RFC 9051 6) are letters only. */
static bool mail_imap_verb(const struct cur *verb)
{
	size_t n = cur_left(verb);
	if (n < 2 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!mail_alpha(mail_at(verb, i)))
			return false;
	return true;
}

static void mail_imap_client(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	if (s->dir[MAIL_CLIENT].in_cont) {
		if (s->imap_cmd == IC_LOGIN)
			mail_imap_login(x, c);
		else
			mail_imap_tail(x, c);
		return;
	}
	struct cur line = *c;
	struct cur tag = mail_word(c);
	mail_spaces(c);
	struct cur verb = mail_word(c);
	/* tags are kept only for the commands whose replies matter, so that a line out of step
	 * (a password taken for a command) never leaves its first word in the session */
	s->cur_tag[0] = '\0';
	if (mail_is(&verb, "LOGIN")) {
		mail_tag_copy(s->tag, &tag);
		s->tag_kind = P_AUTH;
		mail_auth_begin(s, MAIL_AUTH_IMAP_LOGIN);
		s->imap_cmd = IC_LOGIN;
		s->imap_arg = 0;
		mail_imap_login(x, c);
	} else if (mail_is(&verb, "AUTHENTICATE")) {
		mail_tag_copy(s->tag, &tag);
		s->tag_kind = P_AUTH;
		mail_spaces(c);
		mail_sasl_begin(x, mail_word(c), c);
	} else if (mail_is(&verb, "STARTTLS")) {
		mail_tag_copy(s->tag, &tag);
		s->tag_kind = P_TLS;
		mail_starttls_cmd(x);
	} else {
		s->imap_cmd = IC_OTHER;
		mail_imap_tail(x, &line);
	}
	/* a refused synchronising literal (here or on a later line of the command) is told by the
	 * tagged reply to this command; a line whose second word is no command name is no command
	 * (it may be a password out of step) and its tag is not kept */
	if (s->dir[MAIL_CLIENT].in_cont && mail_imap_verb(&verb))
		mail_tag_copy(s->cur_tag, &tag);
}

/* "+ ..." from the server: go on with the literal or the SASL exchange that waits for it. */
static void mail_imap_cont(struct mail_session *s, struct cur ch)
{
	if (s->wait == W_LITERAL) {
		s->wait = W_NONE;
		return;
	}
	mail_sasl_cont(s, ch);
}

/* Capability atoms, from "* CAPABILITY a b c" or a "[CAPABILITY a b c]" response code. */
static void mail_imap_capas(struct mail_ctx *x, struct cur t, bool in_code)
{
	while (cur_left(&t)) {
		mail_spaces(&t);
		struct cur w = mail_word(&t);
		size_t n = cur_left(&w);
		bool last = false;
		if (in_code) {
			size_t i = 0;
			while (i < n && mail_at(&w, i) != ']')
				i++;
			last = i < n;
			w = cur_sub(&w, i);
		}
		if (cur_left(&w))
			mail_emit_value(x, MAIL_EV_CAPA, w, false);
		if (last)
			return;
	}
}

/* A tagged reply: the verdict on LOGIN/AUTHENTICATE, the answer to STARTTLS, or the refusal of
 * a synchronising literal (the command then ended without it). */
static void mail_imap_tagged(struct mail_ctx *x, const struct cur *tag, bool ok)
{
	struct mail_session *s = x->s;
	if (s->wait == W_LITERAL && mail_tag_is(tag, s->cur_tag)) {
		struct mail_dir *mc = &s->dir[MAIL_CLIENT];
		mc->lit_left = 0;
		mc->in_cont = false;
		s->imap_cmd = IC_NONE;
		s->wait = W_NONE;
	}
	if (!mail_tag_is(tag, s->tag))
		return;
	s->tag[0] = '\0';
	if (s->tag_kind == P_AUTH)
		mail_auth_verdict(x, ok, 0);
	else if (s->tag_kind == P_TLS)
		mail_answer_tls(x, ok, 0);
}

static void mail_imap_server(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	if (s->dir[MAIL_SERVER].in_cont) {
		mail_imap_tail(x, c);
		return;
	}
	struct cur t = *c;
	struct cur tag = mail_word(&t);
	if (mail_is(&tag, "+")) {
		mail_imap_cont(s, t);
		return;
	}
	mail_spaces(&t);
	struct cur status = mail_word(&t);
	mail_spaces(&t);
	bool ok = mail_is(&status, "OK");
	bool cond = ok || mail_is(&status, "NO") || mail_is(&status, "BAD") ||
		    mail_is(&status, "PREAUTH") || mail_is(&status, "BYE");
	if (mail_is(&tag, "*")) {
		if (!s->banner_done && cond) {
			struct cur text = t;
			/* the response code "[...]" comes before the human text */
			if (mail_peek(&text) == '[') {
				size_t i = 0;
				while (i < cur_left(&text) && mail_at(&text, i) != ']')
					i++;
				cur_skip(&text, i < cur_left(&text) ? i + 1 : i);
			}
			mail_banner_fqdn(x, text);
		}
		s->banner_done = true;
		if (mail_is(&status, "CAPABILITY"))
			mail_imap_capas(x, t, false);
	} else {
		mail_imap_tagged(x, &tag, ok);
		if (x->stop)
			return;
	}
	struct cur code = t;
	if (cond && mail_prefix(&code, "[CAPABILITY "))
		mail_imap_capas(x, code, true);
	mail_imap_tail(x, c);
}

/* ---- POP3 ---- */

static void mail_pop3_client(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	struct cur verb = mail_word(c);
	bool arg = mail_spaces(c) && cur_left(c);
	if (mail_is(&verb, "USER")) {
		mail_push(s, P_USER);
		mail_auth_begin(s, MAIL_AUTH_POP3_USER);
		struct cur u = mail_trim(*c);
		mail_auth_tell(x, mail_ptr(&u), cur_left(&u));
	} else if (mail_is(&verb, "PASS")) {
		/* the password is not looked at */
		mail_push(s, P_PASS);
	} else if (mail_is(&verb, "APOP")) {
		/* APOP name digest (RFC 1939 7): the digest is not looked at */
		mail_push(s, P_APOP);
		mail_auth_begin(s, MAIL_AUTH_POP3_APOP);
		struct cur name = mail_word(c);
		mail_auth_tell(x, mail_ptr(&name), cur_left(&name));
	} else if (mail_is(&verb, "AUTH")) {
		/* bare AUTH lists the mechanisms, as a multi-line response (RFC 5034 note) */
		if (!arg) {
			mail_push(s, P_MULTI);
		} else {
			mail_push(s, P_AUTH);
			mail_sasl_begin(x, mail_word(c), c);
		}
	} else if (mail_is(&verb, "STLS")) {
		mail_push(s, P_TLS);
		mail_starttls_cmd(x);
	} else if (mail_is(&verb, "CAPA")) {
		mail_push(s, P_CAPA);
	} else if (mail_is(&verb, "LIST") || mail_is(&verb, "UIDL")) {
		/* RFC 1939 5: with an argument one line, without one a listing */
		mail_push(s, arg ? P_NONE : P_MULTI);
	} else if (mail_is(&verb, "RETR") || mail_is(&verb, "TOP")) {
		mail_push(s, P_MULTI);
	} else {
		mail_push(s, P_NONE);
	}
}

/* A line of a multi-line response; "." ends it, a leading '.' is stuffing (RFC 1939 3). */
static void mail_pop3_body(struct mail_ctx *x, struct cur *c)
{
	struct mail_dir *md = &x->s->dir[MAIL_SERVER];
	if (mail_is(c, ".")) {
		md->mode = MODE_LINES;
		return;
	}
	if (md->mode != MODE_CAPA)
		return;
	if (mail_peek(c) == '.')
		cur_skip(c, 1);
	mail_emit_value(x, MAIL_EV_CAPA, *c, false);
}

static void mail_pop3_server(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	struct mail_dir *md = &s->dir[MAIL_SERVER];
	if (md->mode == MODE_BODY || md->mode == MODE_CAPA) {
		mail_pop3_body(x, c);
		return;
	}
	bool ok;
	if (mail_prefix(c, "+OK")) {
		ok = true;
	} else if (mail_prefix(c, "-ERR")) {
		ok = false;
	} else if (mail_peek(c) == '+' && (cur_left(c) == 1 || mail_at(c, 1) == ' ')) {
		/* RFC 5034 4: "+ challenge" continues AUTH */
		if (mail_pend_kind(s) == P_AUTH) {
			cur_skip(c, 1);
			mail_sasl_cont(s, *c);
		} else {
			s->cnt.replies_bad++;
		}
		return;
	} else {
		s->cnt.replies_bad++;
		return;
	}
	switch (mail_pend_kind(s)) {
	case P_GREETING:
		if (ok)
			mail_banner_fqdn(x, *c);
		s->banner_done = true;
		break;
	case P_USER:
		if (!ok)
			mail_auth_verdict(x, false, 0);
		break;
	case P_PASS:
	case P_APOP:
	case P_AUTH:
		mail_auth_verdict(x, ok, 0);
		break;
	case P_TLS:
		mail_answer_tls(x, ok, 0);
		break;
	case P_CAPA:
		if (ok)
			md->mode = MODE_CAPA;
		break;
	case P_MULTI:
		if (ok)
			md->mode = MODE_BODY;
		break;
	default:
		break;
	}
	mail_reply_done(s);
}

/* ---- protocol unknown: the server greeting decides ---- */

static void mail_server_line(struct mail_ctx *x, struct cur *c);
static void mail_client_cmd(struct mail_ctx *x, struct cur *c);

static void mail_unknown_server(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	struct cur t = *c;
	uint16_t code;
	bool final;
	if (mail_prefix(&t, "+OK")) {
		mail_decide(x, MAIL_POP3);
	} else if (mail_prefix(&t, "* OK") || mail_prefix(&t, "* PREAUTH") ||
		   mail_prefix(&t, "* BYE")) {
		mail_decide(x, MAIL_IMAP);
	} else if (mail_smtp_code(&t, &code, &final) && code == 220 && !s->maybe_smtp) {
		if (mail_contains(&t, "SMTP")) {
			mail_decide(x, MAIL_SMTP);
		} else {
			/* FTP greets with 220 too: let the client's EHLO/HELO tell */
			if (final) {
				s->maybe_smtp = true;
				s->banner_done = true;
				s->wait = W_NONE;
				mail_reply_done(s);
			}
			return;
		}
	} else {
		s->gave_up = true;
		return;
	}
	mail_server_line(x, c);
}

static void mail_unknown_client(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	struct cur t = *c;
	struct cur verb = mail_word(&t);
	mail_spaces(&t);
	struct cur verb2 = mail_word(&t);
	if (mail_is(&verb, "EHLO") || mail_is(&verb, "HELO")) {
		mail_decide(x, MAIL_SMTP);
	} else if (!s->server_seen && (mail_is(&verb, "CAPA") || mail_is(&verb, "STLS") ||
				       mail_is(&verb, "APOP"))) {
		/* a capture of the client side only: its first command has to tell */
		mail_decide(x, MAIL_POP3);
	} else if (!s->server_seen && cur_left(&verb) &&
		   (mail_is(&verb2, "CAPABILITY") || mail_is(&verb2, "LOGIN") ||
		    mail_is(&verb2, "AUTHENTICATE") || mail_is(&verb2, "STARTTLS") ||
		    mail_is(&verb2, "ID") || mail_is(&verb2, "NOOP"))) {
		mail_decide(x, MAIL_IMAP);
	} else {
		s->gave_up = true;
		return;
	}
	mail_client_cmd(x, c);
}

/* ---- dispatch ---- */

static void mail_client_cmd(struct mail_ctx *x, struct cur *c)
{
	/* a new command is paired afresh */
	x->s->guess = false;
	switch (x->s->proto) {
	case MAIL_SMTP:
		mail_smtp_client(x, c);
		break;
	case MAIL_IMAP:
		mail_imap_client(x, c);
		break;
	case MAIL_POP3:
		mail_pop3_client(x, c);
		break;
	default:
		mail_unknown_client(x, c);
		break;
	}
}

static void mail_client_line(struct mail_ctx *x, struct cur *c)
{
	struct mail_session *s = x->s;
	struct mail_dir *md = &s->dir[MAIL_CLIENT];
	if (md->mode == MODE_SASL) {
		md->mode = MODE_LINES;
		mail_sasl_response(x, *c);
		/* the next challenge or the verdict decides what the next line is */
		if (s->sasl_on)
			s->wait = W_SASL;
		return;
	}
	if (md->mode == MODE_BODY) {
		/* RFC 5321 4.5.2: "." alone ends the message, which then gets a reply */
		if (mail_is(c, ".")) {
			md->mode = MODE_LINES;
			mail_push(s, P_NONE);
		}
		return;
	}
	mail_client_cmd(x, c);
}

static void mail_server_line(struct mail_ctx *x, struct cur *c)
{
	switch (x->s->proto) {
	case MAIL_SMTP:
		mail_smtp_server(x, c);
		break;
	case MAIL_IMAP:
		mail_imap_server(x, c);
		break;
	case MAIL_POP3:
		mail_pop3_server(x, c);
		break;
	default:
		mail_unknown_server(x, c);
		break;
	}
}

/* A line over MAIL_MAX_LINE is skipped; what it was still moves the state on as far as it can
 * be known: a command that gets a reply, a SASL response that was consumed. */
static void mail_long_line(struct mail_ctx *x)
{
	struct mail_session *s = x->s;
	struct mail_dir *md = &s->dir[x->d];
	s->cnt.lines_long++;
	md->skip_line = true;
	md->in_cont = false;
	/* no greeting or first command is that long: this is not mail */
	if (s->proto == MAIL_UNKNOWN)
		s->gave_up = true;
	if (x->d != MAIL_CLIENT)
		return;
	if (md->mode == MODE_SASL) {
		md->mode = MODE_LINES;
		mail_sasl_response(x, cur_make(NULL, 0));
		if (s->sasl_on)
			s->wait = W_SASL;
	} else if (md->mode == MODE_LINES) {
		s->imap_cmd = IC_NONE;
		if (s->proto == MAIL_SMTP || s->proto == MAIL_POP3)
			mail_push(s, P_NONE);
	}
}

/* The client waits for an answer the server may never show (a capture of one side, lost
 * bytes, or more client bytes than a waiting client sends): decide as the client's own
 * behaviour says the answer was. */
static void mail_assume(struct mail_ctx *x, const uint8_t *p, size_t n)
{
	struct mail_session *s = x->s;
	uint8_t w = s->wait;
	s->wait = W_NONE;
	if (s->server_seen)
		s->cnt.waits_forced++;
	switch (w) {
	case W_TLS:
		/* a TLS record (RFC 8446 5.1: handshake is type 22) means the server said yes */
		if (n && p[0] == 0x16)
			mail_tls_start(x, MAIL_CLIENT);
		break;
	case W_DATA:
		s->dir[MAIL_CLIENT].mode = MODE_BODY;
		break;
	case W_SASL:
		if (s->sasl_left)
			s->dir[MAIL_CLIENT].mode = MODE_SASL;
		else
			mail_sasl_end(s);
		break;
	default:
		/* W_LITERAL: the literal follows; W_GREETING: the client line has to tell */
		break;
	}
}

/* Lost bytes before this delivery: drop the partial line and whatever was under way that the
 * lost bytes may have changed. */
static void mail_resync(struct mail_ctx *x)
{
	struct mail_session *s = x->s;
	struct mail_dir *md = &s->dir[x->d];
	s->cnt.gaps++;
	md->skip_line = true;
	md->lit_left = 0;
	md->in_cont = false;
	mail_pend_reset(s);
	if (x->d == MAIL_CLIENT) {
		s->imap_cmd = IC_NONE;
		if (s->wait == W_LITERAL)
			s->wait = W_NONE;
		if (s->sasl_on)
			mail_sasl_end(s);
	} else {
		/* the answers the client waits for may be among the lost bytes, and the replies
		 * to come can no longer be paired: until its next command, the client's own bytes
		 * decide */
		s->guess = true;
	}
}

/* Handles one unit of p[0..n) of direction x->d: literal bytes, the rest of a skipped line, or
 * a whole line. Returns the bytes consumed, 0 when more are needed or the direction stops. */
static size_t mail_step(struct mail_ctx *x, const uint8_t *p, size_t n)
{
	struct mail_session *s = x->s;
	struct mail_dir *md = &s->dir[x->d];
	if (md->mode == MODE_TLS) {
		x->stop = true;
		return 0;
	}
	if (s->gave_up)
		return n;
	if (x->d == MAIL_CLIENT && s->wait != W_NONE) {
		if (s->server_seen && !s->guess && n < MAIL_WAIT_MAX)
			return 0;
		mail_assume(x, p, n);
		if (md->mode == MODE_TLS)
			return 0;
	}
	if (md->lit_left) {
		if (md->lit_kind == LIT_USER) {
			/* a user literal is short (<= MAIL_MAX_VALUE): report it whole */
			if (n < md->lit_left)
				return 0;
			size_t k = (size_t)md->lit_left;
			md->lit_left = 0;
			mail_auth_tell(x, p, k);
			return k;
		}
		size_t k = md->lit_left < n ? (size_t)md->lit_left : n;
		md->lit_left -= k;
		return k;
	}
	if (md->skip_line) {
		const uint8_t *lf = memchr(p, '\n', n);
		if (!lf)
			return n;
		md->skip_line = false;
		return (size_t)(lf - p) + 1;
	}
	const uint8_t *lf = memchr(p, '\n', n < MAIL_MAX_LINE ? n : MAIL_MAX_LINE);
	if (!lf) {
		if (n < MAIL_MAX_LINE)
			return 0;
		mail_long_line(x);
		return MAIL_MAX_LINE;
	}
	size_t total = (size_t)(lf - p) + 1, len = total - 1;
	if (len && p[len - 1] == '\r')
		len--;
	x->at += total;
	struct cur c = cur_make(p, len);
	if (x->d == MAIL_CLIENT)
		mail_client_line(x, &c);
	else
		mail_server_line(x, &c);
	return total;
}

void mail_session_init(struct mail_session *s, enum mail_proto proto)
{
	memset(s, 0, sizeof *s);
	s->proto = (uint8_t)(proto <= MAIL_POP3 ? proto : MAIL_UNKNOWN);
	/* the greeting is the reply to the connection: command 0 */
	s->cmd_seq = 1;
	s->pend[0].seq = 0;
	s->pend[0].kind = P_GREETING;
	s->n_pend = 1;
	if (s->proto == MAIL_UNKNOWN)
		s->wait = W_GREETING;
}

size_t mail_feed(struct mail_session *s, int from_client, const uint8_t *p, size_t len, bool gap,
		 const struct mail_callbacks *cb, void *arg)
{
	struct mail_ctx x = { s, cb, arg, from_client ? MAIL_CLIENT : MAIL_SERVER, 0, false };
	struct mail_dir *md = &s->dir[x.d];
	if (!p)
		len = 0;
	mail_tell_proto(&x);
	if (md->mode == MODE_TLS)
		return 0;
	if (x.d == MAIL_SERVER && (len || gap))
		s->server_seen = true;
	if (gap)
		mail_resync(&x);
	size_t off = 0;
	while (off < len && !x.stop) {
		x.at = md->consumed + off;
		size_t k = mail_step(&x, p + off, len - off);
		if (k == 0)
			break;
		off += k;
	}
	md->consumed += off;
	return off;
}

bool mail_is_tls(const struct mail_session *s, int from_client)
{
	return s->dir[from_client ? MAIL_CLIENT : MAIL_SERVER].mode == MODE_TLS;
}

const char *mail_proto_name(enum mail_proto proto)
{
	switch (proto) {
	case MAIL_SMTP:
		return "smtp";
	case MAIL_IMAP:
		return "imap";
	case MAIL_POP3:
		return "pop3";
	default:
		return "unknown";
	}
}

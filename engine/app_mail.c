/* app_mail.c: SMTP, IMAP and POP3 connections — one observation per connection when it ends
 * and one per login attempt; after STARTTLS the client's bytes go to the TLS reader. */
#include <stdlib.h>
#include <string.h>

#include "dissectors/mail.h"
#include "engine/internal.h"

/* Sender and recipient domains kept per connection; the rest are counted in the record. */
#define APP_MAIL_DOMAINS 8
#define APP_MAIL_NAME 256

struct app_mail {
	struct mail_session m;
	char banner[APP_MAIL_NAME], helo[APP_MAIL_NAME];
	bool starttls_asked, starttls;
	unsigned logins;
	/* The login under way, written when the server answers or the next one starts. */
	bool login_open;
	int login_result;
	uint64_t login_ts;
	uint8_t login_method;
	char login_user[APP_MAIL_NAME + 64], login_mech[24];
	char from[APP_MAIL_DOMAINS][APP_MAIL_NAME], rcpt[APP_MAIL_DOMAINS][APP_MAIL_NAME];
	uint8_t n_from, n_rcpt;
};

static void app_mail_copy(char *dst, size_t size, const char *src)
{
	if (!src) {
		dst[0] = '\0';
		return;
	}
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void app_mail_add_domain(char (*list)[APP_MAIL_NAME], uint8_t *n, const char *d)
{
	if (!d || !d[0])
		return;
	for (uint8_t i = 0; i < *n; i++)
		if (strcmp(list[i], d) == 0)
			return;
	if (*n < APP_MAIL_DOMAINS)
		app_mail_copy(list[(*n)++], APP_MAIL_NAME, d);
}

static const char *const app_mail_methods[] = {
	[MAIL_AUTH_SASL] = "sasl",
	[MAIL_AUTH_IMAP_LOGIN] = "login",
	[MAIL_AUTH_POP3_USER] = "user",
	[MAIL_AUTH_POP3_APOP] = "apop",
};

static void app_mail_login_flush(struct engine *e, struct flow *f, struct app_mail *a)
{
	if (!a->login_open)
		return;
	a->login_open = false;
	struct obs_login l = {
		.protocol = mail_proto_name(a->m.proto),
		.user = a->login_user[0] ? a->login_user : NULL,
		.method = app_mail_methods[a->login_method],
		.mechanism = a->login_mech[0] ? a->login_mech : NULL,
		.result = a->login_result,
		.banner_host = a->banner[0] ? a->banner : NULL,
	};
	e->st.obs_login++;
	struct obs o = { .kind = OBS_LOGIN, .u.login = &l };
	engine_observe(e, f, 0, a->login_ts, &o);
}

static void app_mail_on_event(void *arg, const struct mail_event *ev)
{
	struct engine *e = arg;
	struct flow *f = e->cur_flow;
	struct app_mail *a = f->app_state;
	switch (ev->kind) {
	case MAIL_EV_PROTO:
		break;
	case MAIL_EV_BANNER:
		app_mail_copy(a->banner, sizeof a->banner, ev->value);
		break;
	case MAIL_EV_HELO:
		app_mail_copy(a->helo, sizeof a->helo, ev->value);
		break;
	case MAIL_EV_CAPA:
		break;
	case MAIL_EV_STARTTLS_CMD:
		a->starttls_asked = true;
		break;
	case MAIL_EV_STARTTLS:
		a->starttls = ev->ok;
		break;
	case MAIL_EV_TLS_START:
		f->appdir[ev->from_client ? 0 : 1].tls = true;
		break;
	case MAIL_EV_AUTH:
		app_mail_login_flush(e, f, a);
		a->login_open = true;
		a->logins++;
		a->login_result = -1;
		a->login_ts = e->now_us;
		a->login_method = (uint8_t)ev->method;
		app_mail_copy(a->login_user, sizeof a->login_user, ev->user);
		app_mail_copy(a->login_mech, sizeof a->login_mech, ev->mech);
		break;
	case MAIL_EV_AUTH_RESULT:
		a->login_result = ev->ok;
		app_mail_login_flush(e, f, a);
		break;
	case MAIL_EV_MAIL_FROM:
		app_mail_add_domain(a->from, &a->n_from, ev->domain);
		break;
	case MAIL_EV_RCPT_TO:
		app_mail_add_domain(a->rcpt, &a->n_rcpt, ev->domain);
		break;
	}
}

size_t app_mail_stream(void *arg, const uint8_t *data, size_t len, bool gap)
{
	struct engine *e = arg;
	struct flow *f = e->cur_flow;
	int dir = e->cur_dir;
	if (!f->app_state) {
		f->app_state = calloc(1, sizeof(struct app_mail));
		if (!f->app_state) {
			stats_skip(&e->st, SKIP_APP_ALLOC);
			f->appdir[0].done = f->appdir[1].done = true;
			return len;
		}
		mail_session_init(&((struct app_mail *)f->app_state)->m, f->mail_proto);
	}
	struct app_mail *a = f->app_state;
	if (f->appdir[dir].tls)
		return dir == 0 ? app_tls_stream(arg, data, len, gap) : len;
	struct mail_callbacks cb = { .on_event = app_mail_on_event };
	size_t used = mail_feed(&a->m, dir == 0, data, len, gap, &cb, e);
	if (a->m.gave_up) {
		/* Not mail after all: nothing more to read on either side. */
		f->appdir[0].done = f->appdir[1].done = true;
		return len;
	}
	/* The rest of this delivery is the start of TLS (after STARTTLS). */
	if (f->appdir[dir].tls && used < len)
		used += dir == 0 ? app_tls_stream(arg, data + used, len - used, false) : len - used;
	return used;
}

const char *app_mail_protocol(const struct flow *f)
{
	const struct app_mail *a = f->app == APP_MAIL ? f->app_state : NULL;
	return a && a->m.proto != MAIL_UNKNOWN ? mail_proto_name(a->m.proto) : NULL;
}

/* Copies the counters of the mail parser into the skip reasons once, at the end. */
static void app_mail_count(struct engine *e, const struct mail_session *m)
{
	e->st.skip[SKIP_MAIL_LINE_CAP] += m->cnt.lines_long;
	e->st.skip[SKIP_MAIL_BAD_VALUE] += m->cnt.base64_bad + m->cnt.literal_bad +
					   m->cnt.values_bad + m->cnt.replies_bad;
}

/* A mail connection over TLS from its first byte (465, 993, 995): known by its port. */
static void app_mail_implicit(struct engine *e, struct flow *f)
{
	struct obs_mail m = {
		.protocol = mail_proto_name(f->mail_proto),
		.implicit_tls = true,
	};
	e->st.obs_mail++;
	struct obs o = { .kind = OBS_MAIL, .u.mail = &m };
	engine_observe(e, f, 0, f->first_us, &o);
}

void app_mail_end(struct engine *e, struct flow *f)
{
	if (f->app == APP_TLS) {
		if (f->mail_proto != MAIL_UNKNOWN)
			app_mail_implicit(e, f);
		return;
	}
	struct app_mail *a = f->app_state;
	if (!a)
		return;
	app_mail_login_flush(e, f, a);
	app_mail_count(e, &a->m);
	if (a->m.proto != MAIL_UNKNOWN) {
		const char *from[APP_MAIL_DOMAINS], *rcpt[APP_MAIL_DOMAINS];
		for (uint8_t i = 0; i < a->n_from; i++)
			from[i] = a->from[i];
		for (uint8_t i = 0; i < a->n_rcpt; i++)
			rcpt[i] = a->rcpt[i];
		struct obs_mail m = {
			.protocol = mail_proto_name(a->m.proto),
			.banner_host = a->banner[0] ? a->banner : NULL,
			.helo = a->helo[0] ? a->helo : NULL,
			.starttls_asked = a->starttls_asked,
			.starttls = a->starttls,
			.logins = a->logins,
			.mail_from = from,
			.n_mail_from = a->n_from,
			.rcpt_to = rcpt,
			.n_rcpt_to = a->n_rcpt,
		};
		e->st.obs_mail++;
		struct obs o = { .kind = OBS_MAIL, .u.mail = &m };
		engine_observe(e, f, 0, f->first_us, &o);
	}
	explicit_bzero(a, sizeof *a);
	free(a);
	f->app_state = NULL;
}

/* app_http.c: HTTP/1.x exchanges — requests paired with their responses in order (RFC 9112
 * section 9.3: responses come in the order of the requests), autodiscover bodies parsed. */
#include <stdlib.h>
#include <string.h>

#include "dissectors/http.h"
#include "engine/internal.h"

/* Requests waiting for their response on one connection; a client that pipelines more than
 * this gets its oldest written without one. */
#define APP_HTTP_PENDING 16

/* A request kept until its response: its fields copied into one allocation. */
struct http_pending {
	uint64_t ts_us;
	int dir;                     /* direction the request went */
	bool head, connect;          /* the response has no body / opens a tunnel */
	bool autodiscover;
	struct obs_http h;
	char mailbox[256];           /* from the URL, X-AnchorMailbox or the request body */
	char text[];                 /* the strings h points into */
};

struct app_http {
	struct http_stream s[2];
	struct http_pending *q[APP_HTTP_PENDING];
	unsigned head, n;
};

static struct app_http *app_http_state(struct engine *e, struct flow *f)
{
	if (!f->app_state) {
		struct app_http *a = calloc(1, sizeof *a);
		if (!a) {
			stats_skip(&e->st, SKIP_APP_ALLOC);
			return NULL;
		}
		/* A direction whose SYN was seen is parsed from its first byte. */
		for (int d = 0; d < 2; d++)
			a->s[d].from_start = (f->syn_seen >> d) & 1;
		f->app_state = a;
	}
	return f->app_state;
}

static size_t app_http_len(const struct http_str *s)
{
	return s->p ? s->len : 0;
}

/* Copies s into *out, at *at in text. */
static void app_http_copy(char *text, size_t *at, const struct http_str *s, struct obs_str *out)
{
	if (!s->p) {
		out->p = NULL;
		out->len = 0;
		return;
	}
	memcpy(text + *at, s->p, s->len);
	out->p = text + *at;
	out->len = s->len;
	*at += s->len;
}

static void app_http_set_mailbox(struct http_pending *p, const char *m, size_t n)
{
	if (p->mailbox[0] || n == 0 || n >= sizeof p->mailbox || !memchr(m, '@', n))
		return;
	memcpy(p->mailbox, m, n);
	p->mailbox[n] = '\0';
	p->h.mailbox = p->mailbox;
}

static void app_http_emit(struct engine *e, struct flow *f, struct http_pending *p,
			  const struct http_response *rs)
{
	struct obs_http *h = &p->h;
	if (rs) {
		h->has_response = true;
		h->status = rs->status;
		h->location.p = rs->location.p;
		h->location.len = app_http_len(&rs->location);
		h->resp_content_type.p = rs->content_type.p;
		h->resp_content_type.len = app_http_len(&rs->content_type);
		h->resp_body_bytes = rs->body.wire_len;
		h->ad_response = NULL;
		if (p->autodiscover && rs->body.kept && rs->body.len > 0) {
			enum ad_format fmt = autodiscover_format(p->h.path.p, p->h.path.len,
								 rs->content_type.p,
								 app_http_len(&rs->content_type));
			if (fmt != AD_NONE) {
				(void)autodiscover_parse(rs->body.data, rs->body.len, fmt, &e->ad_resp);
				h->ad_response = &e->ad_resp;
			}
		}
	}
	e->st.obs_http++;
	struct obs o = { .kind = OBS_HTTP, .u.http = h };
	engine_observe(e, f, p->dir, p->ts_us, &o);
	free(p);
}

static struct http_pending *app_http_pop(struct app_http *a)
{
	if (a->n == 0)
		return NULL;
	struct http_pending *p = a->q[a->head];
	a->q[a->head] = NULL;
	a->head = (a->head + 1) % APP_HTTP_PENDING;
	a->n--;
	return p;
}

static struct http_pending *app_http_newest(struct app_http *a)
{
	return a->n ? a->q[(a->head + a->n - 1) % APP_HTTP_PENDING] : NULL;
}

static void app_http_on_request(void *arg, const struct http_request *rq)
{
	struct engine *e = arg;
	struct flow *f = e->cur_flow;
	struct app_http *a = f->app_state;
	const struct http_str *fields[] = { &rq->method, &rq->target, &rq->host, &rq->user_agent,
					    &rq->anchor_mailbox, &rq->content_type,
					    &rq->auth_scheme, &rq->auth_user };
	size_t need = 0;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		need += app_http_len(fields[i]);
	struct http_pending *p = calloc(1, sizeof *p + need + 1);
	if (!p) {
		stats_skip(&e->st, SKIP_APP_ALLOC);
		return;
	}
	if (a->n == APP_HTTP_PENDING)
		app_http_emit(e, f, app_http_pop(a), NULL);
	p->ts_us = e->now_us;
	p->dir = e->cur_dir;
	struct obs_http *h = &p->h;
	size_t at = 0;
	app_http_copy(p->text, &at, &rq->method, &h->method);
	app_http_copy(p->text, &at, &rq->target, &h->target);
	app_http_copy(p->text, &at, &rq->host, &h->host);
	app_http_copy(p->text, &at, &rq->user_agent, &h->user_agent);
	app_http_copy(p->text, &at, &rq->anchor_mailbox, &h->anchor_mailbox);
	app_http_copy(p->text, &at, &rq->content_type, &h->req_content_type);
	app_http_copy(p->text, &at, &rq->auth_scheme, &h->auth_scheme);
	app_http_copy(p->text, &at, &rq->auth_user, &h->auth_user);
	/* path and query are slices of the target: point into the copy at the same offsets. */
	if (rq->path.p && rq->target.p) {
		h->path.p = h->target.p + (rq->path.p - rq->target.p);
		h->path.len = rq->path.len;
	}
	if (rq->query.p && rq->target.p) {
		h->query.p = h->target.p + (rq->query.p - rq->target.p);
		h->query.len = rq->query.len;
	}
	static const char *const versions[] = { "0.9", "1.0", "1.1" };
	unsigned v = rq->version_major == 1 ? 1u + (rq->version_minor >= 1) : 0;
	h->version.p = versions[v];
	h->version.len = 3;
	h->host_ipv6 = rq->host_ipv6;
	h->port = rq->port;
	p->head = h->method.len == 4 && memcmp(h->method.p, "HEAD", 4) == 0;
	p->connect = h->method.len == 7 && memcmp(h->method.p, "CONNECT", 7) == 0;
	p->autodiscover = h->path.p && autodiscover_path(h->path.p, h->path.len);
	if (p->autodiscover && h->target.p) {
		char m[256];
		if (autodiscover_url_mailbox(h->target.p, h->target.len, m, sizeof m))
			app_http_set_mailbox(p, m, strlen(m));
	}
	if (p->autodiscover && h->anchor_mailbox.p)
		app_http_set_mailbox(p, h->anchor_mailbox.p, h->anchor_mailbox.len);
	a->q[(a->head + a->n) % APP_HTTP_PENDING] = p;
	a->n++;
}

/* Only autodiscover requests with a body are worth keeping it (a POX request names the
 * mailbox in its XML). */
static bool app_http_want_body(void *arg, const struct http_request *rq)
{
	(void)arg;
	return rq->path.p && autodiscover_path(rq->path.p, rq->path.len);
}

static void app_http_on_request_body(void *arg, const struct http_request *rq)
{
	struct engine *e = arg;
	struct app_http *a = e->cur_flow->app_state;
	struct http_pending *p = app_http_newest(a);
	if (!p || !p->autodiscover)
		return;
	p->h.req_body_bytes = rq->body.wire_len;
	if (!rq->body.kept || rq->body.len == 0)
		return;
	enum ad_format fmt = autodiscover_format(rq->path.p, rq->path.len, rq->content_type.p,
						 app_http_len(&rq->content_type));
	if (fmt == AD_NONE)
		return;
	(void)autodiscover_parse(rq->body.data, rq->body.len, fmt, &e->ad_req);
	if (e->ad_req.n_mailbox > 0)
		app_http_set_mailbox(p, e->ad_req.mailbox[0].addr, strlen(e->ad_req.mailbox[0].addr));
}

static void app_http_on_response_head(void *arg, const struct http_response *rs,
				      struct http_response_opts *o)
{
	(void)rs;
	struct engine *e = arg;
	struct app_http *a = e->cur_flow->app_state;
	struct http_pending *p = a->n ? a->q[a->head] : NULL;
	if (!p)
		return;
	o->to_head = p->head;
	o->to_connect = p->connect;
	o->keep_body = p->autodiscover;
}

static void app_http_on_response(void *arg, const struct http_response *rs)
{
	struct engine *e = arg;
	struct app_http *a = e->cur_flow->app_state;
	/* 1xx answers other than 101 are interim: the final response is still to come. */
	if (rs->status >= 100 && rs->status < 200 && rs->status != 101)
		return;
	struct http_pending *p = app_http_pop(a);
	if (p)
		app_http_emit(e, e->cur_flow, p, rs);
}

static struct http_callbacks app_http_callbacks(struct engine *e)
{
	struct http_callbacks cb = {
		.on_request = app_http_on_request,
		.want_body = app_http_want_body,
		.on_request_body = app_http_on_request_body,
		.on_response_head = app_http_on_response_head,
		.on_response = app_http_on_response,
		.st = &e->st,
	};
	return cb;
}

size_t app_http_stream(void *arg, const uint8_t *data, size_t len, bool gap)
{
	struct engine *e = arg;
	struct app_http *a = app_http_state(e, e->cur_flow);
	if (!a)
		return len;
	struct http_callbacks cb = app_http_callbacks(e);
	struct http_stream *s = &a->s[e->cur_dir];
	size_t n = http_feed(s, data, len, gap, &cb, e);
	if (http_opaque(s))
		e->cur_flow->appdir[e->cur_dir].done = true; /* no more to reassemble */
	return n;
}

void app_http_end(struct engine *e, struct flow *f)
{
	struct app_http *a = f->app_state;
	if (!a)
		return;
	struct http_callbacks cb = app_http_callbacks(e);
	e->cur_flow = f;
	for (int d = 0; d < 2; d++) {
		e->cur_dir = d;
		/* Body bytes a length announced never came: a length that lies, or a capture that
		 * stopped; not when the stream depth was what cut the message. */
		if (http_unfinished(&a->s[d]) && !reasm_depth_reached(&e->reasm, &f->stream[d]))
			stats_skip(&e->st, SKIP_TCP_UNFINISHED);
		http_finish(&a->s[d], &cb, e);
		http_stream_free(&a->s[d]);
	}
	struct http_pending *p;
	while ((p = app_http_pop(a)))
		app_http_emit(e, f, p, NULL);
	free(a);
	f->app_state = NULL;
}

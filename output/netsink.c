/* netsink.c: the network sinks of netsink.h — syslog RFC 5424 over TCP (octet counting,
 * RFC 6587 §3.4.1) or UDP (RFC 5426), Redis RPUSH/XADD — each a bounded queue drained by one
 * writer thread that reconnects with exponential backoff.
 *
 * Delivery: the record being sent stays at the head of the queue until the peer took it, and
 * is sent again after a reconnect. A Redis command that ran but whose reply was lost is thus
 * sent twice: a record may be duplicated at most once per reconnect. Syslog has no
 * acknowledgement: a TCP record counts as sent once the kernel accepted it, and the writer
 * checks the connection before each record, so only records in flight at the moment the
 * collector dies can be lost. */
#include "output/netsink.h"

#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#define NETSINK_FACILITY_LOCAL0 16

struct netsink_entry {
	char *rec;
	size_t len;
	int64_t ts_us; /* when output_write took it: the syslog TIMESTAMP */
};

enum netsink_sent { NETSINK_OK, NETSINK_RETRY, NETSINK_REJECT };

struct netsink {
	struct netsink_addr a;
	char *spec;

	/* Shared with the writer, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t work; /* a record arrived, a drain began, or stop */
	pthread_cond_t done; /* a record left the queue, or the writer exited */
	struct netsink_entry *q;
	size_t cap, head, count, bytes;
	bool started, draining, stop, exited;
	int64_t deadline_ms;
	struct netsink_stats st;

	/* The writer's own. */
	pthread_t thread;
	int fd;
	redisContext *redis;
	char hostname[NETSINK_HOST_MAX + 1];
	long pid;
	unsigned attempts;
	int backoff_ms;
};

int64_t netsink_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t netsink_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct timespec netsink_abstime(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	return ts;
}

/* --- spec parsing -------------------------------------------------------------------------- */

static const struct {
	const char *scheme;
	enum netsink_kind kind;
} netsink_schemes[] = {
	{ "syslog://", NETSINK_SYSLOG_TCP },
	{ "syslog+udp://", NETSINK_SYSLOG_UDP },
	{ "redis://", NETSINK_REDIS_LIST },
	{ "redis+stream://", NETSINK_REDIS_STREAM },
};

bool netsink_is_spec(const char *spec)
{
	for (size_t i = 0; i < sizeof netsink_schemes / sizeof netsink_schemes[0]; i++)
		if (strncmp(spec, netsink_schemes[i].scheme, strlen(netsink_schemes[i].scheme)) == 0)
			return true;
	return false;
}

static bool netsink_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

int netsink_parse(const char *spec, struct netsink_addr *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	const char *p = NULL;
	for (size_t i = 0; i < sizeof netsink_schemes / sizeof netsink_schemes[0]; i++) {
		size_t n = strlen(netsink_schemes[i].scheme);
		if (strncmp(spec, netsink_schemes[i].scheme, n) == 0) {
			a->kind = netsink_schemes[i].kind;
			p = spec + n;
			break;
		}
	}
	if (!p) {
		snprintf(err, errlen, "%s: unknown scheme (syslog://, syslog+udp://, redis://, "
			 "redis+stream://)", spec);
		return -1;
	}

	/* host: [IPv6] or a name/IPv4 made of letters, digits, '-', '.', '_' */
	const char *h = p, *he;
	if (*p == '[') {
		h = p + 1;
		he = strchr(h, ']');
		if (!he) {
			snprintf(err, errlen, "%s: missing ']' after IPv6 address", spec);
			return -1;
		}
		p = he + 1;
	} else {
		while (netsink_host_char(*p))
			p++;
		he = p;
	}
	size_t hlen = (size_t)(he - h);
	if (hlen == 0 || hlen > NETSINK_HOST_MAX) {
		snprintf(err, errlen, "%s: bad host", spec);
		return -1;
	}
	memcpy(a->host, h, hlen);
	a->host[hlen] = '\0';
	if (h != spec && h[-1] == '[') {
		struct in6_addr in6;
		if (inet_pton(AF_INET6, a->host, &in6) != 1) {
			snprintf(err, errlen, "%s: bad IPv6 address '%s'", spec, a->host);
			return -1;
		}
	}

	/* :port, required, 1..65535, digits only */
	if (*p != ':') {
		snprintf(err, errlen, "%s: expected ':PORT' after the host", spec);
		return -1;
	}
	p++;
	unsigned long port = 0;
	size_t digits = 0;
	while (*p >= '0' && *p <= '9' && digits < 6) {
		port = port * 10 + (unsigned long)(*p - '0');
		p++;
		digits++;
	}
	if (digits == 0 || port < 1 || port > 65535 || (*p >= '0' && *p <= '9')) {
		snprintf(err, errlen, "%s: port must be 1..65535", spec);
		return -1;
	}
	a->port = (uint16_t)port;

	if (a->kind == NETSINK_SYSLOG_TCP || a->kind == NETSINK_SYSLOG_UDP) {
		if (*p != '\0') {
			snprintf(err, errlen, "%s: unexpected '%s' after the port", spec, p);
			return -1;
		}
		return 0;
	}

	/* /key[?stream]: printable ASCII without spaces or '?' */
	if (*p != '/') {
		snprintf(err, errlen, "%s: expected '/KEY' after the port", spec);
		return -1;
	}
	const char *k = ++p;
	while (*p > ' ' && *p < 0x7f && *p != '?')
		p++;
	size_t klen = (size_t)(p - k);
	if (klen == 0 || klen > NETSINK_KEY_MAX) {
		snprintf(err, errlen, "%s: the Redis key must be 1..%d printable characters", spec,
			 NETSINK_KEY_MAX);
		return -1;
	}
	memcpy(a->key, k, klen);
	a->key[klen] = '\0';
	if (strcmp(p, "?stream") == 0 && a->kind == NETSINK_REDIS_LIST) {
		a->kind = NETSINK_REDIS_STREAM;
	} else if (*p != '\0') {
		snprintf(err, errlen, "%s: unexpected '%s' after the key", spec, p);
		return -1;
	}
	return 0;
}

/* --- RFC 5424 ------------------------------------------------------------------------------ */

int netsink_severity(const char *rec, size_t len)
{
	static const char tag[] = "\"kind\":\"";
	const char *k = memmem(rec, len, tag, sizeof tag - 1);
	if (!k)
		return 6;
	k += sizeof tag - 1;
	size_t rest = len - (size_t)(k - rec);
#define NETSINK_IS(word) (rest > sizeof(word) - 1 && memcmp(k, word "\"", sizeof(word)) == 0)
	if (NETSINK_IS("alert"))
		return 4;
	if (NETSINK_IS("metric") || NETSINK_IS("config"))
		return 5;
#undef NETSINK_IS
	return 6;
}

/*   <PRI>1 SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD SP MSG
 *   <134>1 2026-11-28T20:26:42.123456Z sensor1 misroute 4242 - - {"@timestamp":...} */
int netsink_syslog_header(char *buf, size_t cap, int severity, int64_t ts_us, const char *host,
			  long pid)
{
	bool host_ok = host[0] != '\0' && strlen(host) <= NETSINK_HOST_MAX;
	for (const char *c = host; *c && host_ok; c++)
		host_ok = *c > ' ' && *c < 0x7f;
	time_t secs = (time_t)(ts_us / 1000000);
	struct tm tm;
	if (ts_us < 0 || !gmtime_r(&secs, &tm))
		return -1;
	int n = snprintf(buf, cap, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%06ldZ %s misroute %ld - - ",
			 NETSINK_FACILITY_LOCAL0 * 8 + severity, tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(ts_us % 1000000),
			 host_ok ? host : "-", pid);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}

/* --- connections (writer thread only) ------------------------------------------------------ */

static void netsink_disconnect(struct netsink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->redis)
		redisFree(s->redis);
	s->redis = NULL;
}

static bool netsink_connected(const struct netsink *s)
{
	return s->fd >= 0 || s->redis != NULL;
}

/* A TCP connect bounded by NETSINK_IO_TIMEOUT_MS; the socket is left blocking with send and
 * receive timeouts of the same length. */
static int netsink_connect_tcp(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		if (poll(&pfd, 1, NETSINK_IO_TIMEOUT_MS) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0)
			goto fail;
	}
	int fl = fcntl(fd, F_GETFL);
	struct timeval tv = { .tv_sec = NETSINK_IO_TIMEOUT_MS / 1000,
			      .tv_usec = (NETSINK_IO_TIMEOUT_MS % 1000) * 1000 };
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

static int netsink_connect_syslog(struct netsink *s)
{
	bool udp = s->a.kind == NETSINK_SYSLOG_UDP;
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM };
	char port[8];
	snprintf(port, sizeof port, "%u", (unsigned)s->a.port);
	struct addrinfo *res;
	if (getaddrinfo(s->a.host, port, &hints, &res) != 0)
		return -1;
	for (struct addrinfo *ai = res; ai && s->fd < 0; ai = ai->ai_next) {
		if (!udp) {
			s->fd = netsink_connect_tcp(ai);
			continue;
		}
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			s->fd = fd;
		else if (fd >= 0)
			close(fd);
	}
	freeaddrinfo(res);
	return s->fd >= 0 ? 0 : -1;
}

static int netsink_connect_redis(struct netsink *s)
{
	struct timeval tv = { .tv_sec = NETSINK_IO_TIMEOUT_MS / 1000,
			      .tv_usec = (NETSINK_IO_TIMEOUT_MS % 1000) * 1000 };
	redisContext *c = redisConnectWithTimeout(s->a.host, s->a.port, tv);
	if (!c || c->err || redisSetTimeout(c, tv) != REDIS_OK) {
		if (c)
			redisFree(c);
		return -1;
	}
	s->redis = c;
	return 0;
}

/* True when the collector closed a syslog TCP connection (it never sends us anything). */
static bool netsink_peer_gone(int fd)
{
	char c;
	ssize_t r = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static enum netsink_sent netsink_send_syslog(struct netsink *s, const struct netsink_entry *e)
{
	char hdr[NETSINK_HEADER_MAX + 24];
	char *h = hdr + 24; /* room for the "LEN " frame prefix before the header */
	int sev = netsink_severity(e->rec, e->len);
	int hl = netsink_syslog_header(h, NETSINK_HEADER_MAX, sev, e->ts_us, s->hostname, s->pid);
	if (hl < 0)
		return NETSINK_REJECT;
	size_t hlen = (size_t)hl;
	if (s->a.kind == NETSINK_SYSLOG_TCP) {
		if (netsink_peer_gone(s->fd))
			return NETSINK_RETRY;
		char frame[24];
		int fl = snprintf(frame, sizeof frame, "%zu ", hlen + e->len);
		h -= fl;
		memcpy(h, frame, (size_t)fl);
		hlen += (size_t)fl;
	}
	struct iovec iov[2] = { { h, hlen }, { e->rec, e->len } };
	size_t total = hlen + e->len, done = 0;
	while (done < total) {
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t w = sendmsg(s->fd, &m, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EMSGSIZE)
			return NETSINK_REJECT; /* a datagram too large for UDP: no retry helps */
		if (w <= 0)
			return NETSINK_RETRY;
		done += (size_t)w;
		/* advance the iovecs past a partial write */
		for (int i = 0; i < 2 && w > 0; i++) {
			size_t take = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
			iov[i].iov_base = (char *)iov[i].iov_base + take;
			iov[i].iov_len -= take;
			w -= (ssize_t)take;
		}
	}
	return NETSINK_OK;
}

static bool netsink_transient(const char *msg)
{
	static const char *const t[] = { "LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY" };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strncmp(msg, t[i], strlen(t[i])) == 0)
			return true;
	return false;
}

static enum netsink_sent netsink_send_redis(struct netsink *s, const struct netsink_entry *e)
{
	redisReply *r;
	if (s->a.kind == NETSINK_REDIS_STREAM)
		r = redisCommand(s->redis, "XADD %s * record %b", s->a.key, e->rec, e->len);
	else
		r = redisCommand(s->redis, "RPUSH %s %b", s->a.key, e->rec, e->len);
	if (!r)
		return NETSINK_RETRY;
	enum netsink_sent out = NETSINK_OK;
	if (r->type == REDIS_REPLY_ERROR)
		out = r->str && netsink_transient(r->str) ? NETSINK_RETRY : NETSINK_REJECT;
	freeReplyObject(r);
	return out;
}

/* --- the writer ---------------------------------------------------------------------------- */

/* Sleeps for the current backoff (cut short by a drain deadline or stop), then doubles it.
 * Called with mu held. */
static void netsink_backoff(struct netsink *s)
{
	int64_t until = netsink_now_ms() + s->backoff_ms;
	if (s->draining && s->deadline_ms < until)
		until = s->deadline_ms;
	struct timespec ts = netsink_abstime(until);
	bool was_draining = s->draining;
	while (!s->stop && was_draining == s->draining && netsink_now_ms() < until)
		if (pthread_cond_timedwait(&s->work, &s->mu, &ts) == ETIMEDOUT)
			break;
	s->backoff_ms = s->backoff_ms * 2 > NETSINK_BACKOFF_MAX_MS ? NETSINK_BACKOFF_MAX_MS
								  : s->backoff_ms * 2;
}

static void *netsink_writer(void *arg)
{
	struct netsink *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->count == 0 && !s->draining && !s->stop)
			pthread_cond_wait(&s->work, &s->mu);
		if (s->stop || (s->draining && (s->count == 0 || netsink_now_ms() >= s->deadline_ms)))
			break;
		struct netsink_entry e = s->q[s->head]; /* stays queued until the peer took it */
		if (!netsink_connected(s)) {
			if (s->attempts++ > 0)
				s->st.reconnects++;
			pthread_mutex_unlock(&s->mu);
			int rc = s->a.kind == NETSINK_REDIS_LIST || s->a.kind == NETSINK_REDIS_STREAM
					 ? netsink_connect_redis(s)
					 : netsink_connect_syslog(s);
			pthread_mutex_lock(&s->mu);
			if (rc < 0) {
				netsink_backoff(s);
				continue;
			}
		}
		pthread_mutex_unlock(&s->mu);
		enum netsink_sent r = s->redis ? netsink_send_redis(s, &e) : netsink_send_syslog(s, &e);
		if (r == NETSINK_RETRY)
			netsink_disconnect(s);
		pthread_mutex_lock(&s->mu);
		if (r == NETSINK_RETRY) {
			netsink_backoff(s);
			continue;
		}
		s->backoff_ms = NETSINK_BACKOFF_MIN_MS;
		s->head = (s->head + 1) % s->cap;
		s->count--;
		s->bytes -= e.len;
		if (r == NETSINK_OK)
			s->st.sent++;
		else
			s->st.dropped++;
		free(e.rec);
		pthread_cond_broadcast(&s->done);
	}
	s->exited = true;
	pthread_cond_broadcast(&s->done);
	pthread_mutex_unlock(&s->mu);
	netsink_disconnect(s);
	return NULL;
}

/* --- the public side ----------------------------------------------------------------------- */

static size_t netsink_queue_cap(void)
{
	const char *env = getenv("MISROUTE_SINK_QUEUE");
	if (!env || !*env)
		return NETSINK_QUEUE;
	char *end;
	unsigned long v = strtoul(env, &end, 10);
	if (*end != '\0' || v < 1 || v > NETSINK_QUEUE)
		return NETSINK_QUEUE;
	return (size_t)v;
}

struct netsink *netsink_open(const char *spec, char *err, size_t errlen)
{
	struct netsink_addr a;
	if (netsink_parse(spec, &a, err, errlen) < 0)
		return NULL;
	struct netsink *s = calloc(1, sizeof *s);
	if (!s)
		goto oom;
	s->a = a;
	s->fd = -1;
	s->pid = (long)getpid();
	s->backoff_ms = NETSINK_BACKOFF_MIN_MS;
	s->cap = netsink_queue_cap();
	s->spec = strdup(spec);
	s->q = calloc(s->cap, sizeof *s->q);
	if (!s->spec || !s->q)
		goto oom;
	if (gethostname(s->hostname, sizeof s->hostname - 1) < 0)
		s->hostname[0] = '\0';

	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work, &ca);
	pthread_cond_init(&s->done, &ca);
	pthread_condattr_destroy(&ca);
	return s;
oom:
	if (s) {
		free(s->q);
		free(s->spec);
		free(s);
	}
	snprintf(err, errlen, "%s: out of memory", spec);
	return NULL;
}

int netsink_start(struct netsink *s, char *err, size_t errlen)
{
	/* The writer takes no signals: they stay with the capture thread, whose blocking reads
	 * they must interrupt; SIGPIPE from hiredis's write() turns into EPIPE. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&s->thread, NULL, netsink_writer, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot start the writer thread: %s", s->spec, strerror(rc));
		return -1;
	}
	s->started = true;
	return 0;
}

void netsink_push(struct netsink *s, const char *rec, size_t len)
{
	char *copy = malloc(len ? len : 1);
	pthread_mutex_lock(&s->mu);
	if (!copy || s->count == s->cap || s->bytes + len > NETSINK_QUEUE_BYTES) {
		s->st.dropped++;
		pthread_mutex_unlock(&s->mu);
		free(copy);
		return;
	}
	memcpy(copy, rec, len);
	s->q[(s->head + s->count) % s->cap] = (struct netsink_entry){ copy, len, netsink_now_us() };
	s->count++;
	s->bytes += len;
	s->st.queued++;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->mu);
}

void netsink_stats(struct netsink *s, struct netsink_stats *st)
{
	pthread_mutex_lock(&s->mu);
	*st = s->st;
	st->pending = s->count;
	pthread_mutex_unlock(&s->mu);
}

void netsink_drain(struct netsink *s, int64_t deadline_ms)
{
	pthread_mutex_lock(&s->mu);
	if (!s->draining) {
		s->draining = true;
		s->deadline_ms = deadline_ms;
		pthread_cond_broadcast(&s->work);
	}
	pthread_mutex_unlock(&s->mu);
}

uint64_t netsink_close(struct netsink *s, int64_t deadline_ms, struct netsink_stats *last)
{
	if (!s)
		return 0;
	netsink_drain(s, deadline_ms);
	pthread_mutex_lock(&s->mu);
	struct timespec ts = netsink_abstime(s->deadline_ms);
	while (s->started && s->count > 0 && !s->exited && netsink_now_ms() < s->deadline_ms)
		pthread_cond_timedwait(&s->done, &s->mu, &ts);
	s->stop = true;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->mu);
	/* The writer notices stop within NETSINK_IO_TIMEOUT_MS (bounded connect and send). */
	if (s->started)
		pthread_join(s->thread, NULL);

	struct netsink_stats st = s->st;
	st.pending = s->count;
	for (size_t i = 0; i < s->count; i++)
		free(s->q[(s->head + i) % s->cap].rec);
	if (last)
		*last = st;
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->done);
	pthread_mutex_destroy(&s->mu);
	free(s->q);
	free(s->spec);
	free(s);
	return st.dropped + st.pending;
}

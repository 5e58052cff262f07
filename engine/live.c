/* live.c: the workers of live.h. Each thread reads its own fanout socket into its own engine;
 * a per-worker lock lets the main thread read the worker's counters for metric records. */
#include "engine/live.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "enrich/geo.h"

/* Capture statistics are read (and drops judged) once per this many microseconds. */
#define LIVE_STATS_EVERY_US 1000000ull

struct live_worker {
	struct live *l;
	unsigned id;
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;          /* held while the engine works and while it is read */
	struct source *src;
	struct engine *e;
	struct geo *geo;
	struct capture_counters cc;  /* as of the last poll */
	uint64_t next_stats_us;
	char err[256];               /* why the worker stopped, when it failed */
};

struct live {
	struct live_config cfg;
	struct engine_shared *sh;
	atomic_bool stop;
	atomic_bool failed;
	unsigned n;
	struct live_worker w[ENGINE_MAX_WORKERS];
};

static uint64_t live_now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

struct live *live_open(const struct live_config *c, struct engine_shared *sh, char *err,
		       size_t errlen)
{
	if (c->workers < 1 || c->workers > ENGINE_MAX_WORKERS) {
		snprintf(err, errlen, "--workers: from 1 to %d", ENGINE_MAX_WORKERS);
		return NULL;
	}
	struct live *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->cfg = *c;
	l->sh = sh;
	/* A group id of our own: two misroute processes on one interface each see everything. */
	struct live_opts lo = c->capture;
	lo.fanout_group = c->workers > 1 ? (int)(getpid() & 0xffff) : 0;
	for (unsigned i = 0; i < c->workers; i++) {
		struct live_worker *w = &l->w[i];
		w->l = l;
		w->id = i;
		pthread_mutex_init(&w->mu, NULL);
		l->n = i + 1;
		w->src = source_open_live(&lo, c->filter, err, errlen);
		if (!w->src || !(w->e = engine_new_worker(sh, err, errlen))) {
			live_close(l);
			return NULL;
		}
		w->geo = geo_open(c->geoip_city, c->geoip_asn);
		engine_set_geo(w->e, w->geo);
	}
	return l;
}

/* Reads the worker's capture counters and tells detection whether it loses packets now. */
static void live_poll_stats(struct live_worker *w)
{
	struct capture_counters before = w->cc;
	w->cc.valid = source_stats(w->src, &w->cc.received, &w->cc.dropped, &w->cc.ifdropped);
	if (!w->cc.valid || !before.valid)
		return;
	uint64_t seen = w->cc.received - before.received;
	uint64_t lost = w->cc.dropped - before.dropped + w->cc.ifdropped - before.ifdropped;
	bool lossy = lost > 0 && lost * 100 > (uint64_t)w->l->cfg.drop_percent * (seen + lost);
	engine_set_capture_loss(w->l->sh, w->id, lossy);
}

static void *live_worker_main(void *arg)
{
	struct live_worker *w = arg;
	struct live *l = w->l;
	int dlt = source_datalink(w->src);
	while (!atomic_load_explicit(&l->stop, memory_order_relaxed)) {
		const uint8_t *data;
		size_t caplen;
		uint32_t wirelen;
		uint64_t ts_us;
		int rc = source_next(w->src, &data, &caplen, &wirelen, &ts_us, w->err,
				     sizeof w->err);
		uint64_t now = rc == 1 ? ts_us : live_now_us();
		pthread_mutex_lock(&w->mu);
		if (rc == 1)
			engine_packet(w->e, dlt, data, caplen, wirelen, ts_us);
		else if (rc == 0)
			engine_advance(w->e, now); /* a quiet link: flows and incidents still age */
		if (now >= w->next_stats_us) {
			w->next_stats_us = now + LIVE_STATS_EVERY_US;
			live_poll_stats(w);
		}
		pthread_mutex_unlock(&w->mu);
		if (rc < 0) {
			atomic_store(&l->failed, true);
			break;
		}
	}
	return NULL;
}

int live_start(struct live *l, char *err, size_t errlen)
{
	/* Workers take no signals: the main thread handles them between its own waits. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = 0;
	for (unsigned i = 0; i < l->n && rc == 0; i++) {
		struct live_worker *w = &l->w[i];
		pthread_mutex_lock(&w->mu);
		live_poll_stats(w); /* counters start at zero for the loss judgement */
		pthread_mutex_unlock(&w->mu);
		rc = pthread_create(&w->thread, NULL, live_worker_main, w);
		if (rc != 0) {
			snprintf(err, errlen, "cannot start worker %u: %s", i, strerror(rc));
			break;
		}
		w->started = true;
		if (l->cfg.n_cpus) {
			cpu_set_t set;
			int cpu = l->cfg.cpus[i % l->cfg.n_cpus];
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			rc = pthread_setaffinity_np(w->thread, sizeof set, &set);
			if (rc != 0)
				snprintf(err, errlen, "worker %u: cannot run on CPU %d: %s", i, cpu,
					 strerror(rc));
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0 ? 0 : -1;
}

bool live_failed(struct live *l, char *err, size_t errlen)
{
	if (!atomic_load(&l->failed))
		return false;
	for (unsigned i = 0; i < l->n; i++)
		if (l->w[i].err[0]) {
			snprintf(err, errlen, "%s", l->w[i].err);
			break;
		}
	return true;
}

void live_metric(struct live *l, bool final)
{
	struct engine *es[ENGINE_MAX_WORKERS];
	struct capture_counters cc[ENGINE_MAX_WORKERS];
	for (unsigned i = 0; i < l->n; i++) {
		struct live_worker *w = &l->w[i];
		pthread_mutex_lock(&w->mu);
		if (final)
			live_poll_stats(w);
		es[i] = w->e;
		cc[i] = w->cc;
	}
	engine_metric(es, l->n, cc, final);
	for (unsigned i = 0; i < l->n; i++)
		pthread_mutex_unlock(&l->w[i].mu);
}

void live_stop(struct live *l)
{
	atomic_store(&l->stop, true);
	for (unsigned i = 0; i < l->n; i++)
		if (l->w[i].started) {
			pthread_join(l->w[i].thread, NULL);
			l->w[i].started = false;
		}
	for (unsigned i = 0; i < l->n; i++)
		if (l->w[i].e)
			engine_finish(l->w[i].e);
	engine_shared_finish(l->sh);
}

void live_close(struct live *l)
{
	if (!l)
		return;
	if (!atomic_load(&l->stop))
		live_stop(l);
	for (unsigned i = 0; i < l->n; i++) {
		struct live_worker *w = &l->w[i];
		engine_free(w->e);
		geo_close(w->geo);
		source_close(w->src);
		pthread_mutex_destroy(&w->mu);
	}
	free(l);
}

/* output.c: the sinks of output.h — stdout and files here, network sinks in netsink.c. */
#include "output/output.h"
#include "output/netsink.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTPUT_MAX_SINKS 16
/* The stdio buffer of each file and of stdout: glibc keeps its 4 KiB default unless the
 * buffer is the caller's. */
#define OUTPUT_BUFFER (64u << 10)

struct sink {
	const char *spec;   /* as given on the command line; "-" is stdout */
	FILE *fp;           /* NULL for a network sink */
	char *buffer;       /* fp's, OUTPUT_BUFFER bytes (stdout has one of its own) */
	struct netsink *net;
	bool failed;        /* a write failed: reported once at flush or close */
	int err;
};

struct output {
	pthread_mutex_t mu;   /* one record at a time from any worker; reopen and flush too */
	size_t n;
	unsigned close_timeout_ms;
	struct sink sinks[OUTPUT_MAX_SINKS];
};

/* Opens path for appending. A symbolic link is followed only when it belongs to us or to
 * root: one planted by another user (in /tmp, say) must not make a root process write where
 * that user chose. */
static FILE *output_fopen(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0 && errno == ELOOP) {
		struct stat st;
		if (lstat(path, &st) == 0 && st.st_uid != 0 && st.st_uid != geteuid()) {
			snprintf(err, errlen, "%s: a symbolic link owned by user %u: not followed", path,
				 (unsigned)st.st_uid);
			return NULL;
		}
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	}
	FILE *fp = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return fp;
}

static void output_buffer(struct sink *s)
{
	static char stdout_buffer[OUTPUT_BUFFER];
	static bool stdout_buffered;
	if (s->fp == stdout) {
		if (!stdout_buffered)
			setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
		stdout_buffered = true;
		return;
	}
	if (!s->buffer)
		s->buffer = malloc(OUTPUT_BUFFER);
	if (s->buffer)
		setvbuf(s->fp, s->buffer, _IOFBF, OUTPUT_BUFFER);
}

static int output_open_sink(struct sink *s, char *err, size_t errlen)
{
	if (strcmp(s->spec, "-") == 0) {
		s->fp = stdout;
	} else if (netsink_is_spec(s->spec)) {
		s->net = netsink_open(s->spec, err, errlen);
		return s->net ? 0 : -1;
	} else {
		s->fp = output_fopen(s->spec, err, errlen);
		if (!s->fp)
			return -1;
	}
	output_buffer(s);
	return 0;
}

struct output *output_open(const char *const *specs, size_t n, char *err, size_t errlen)
{
	static const char *const stdout_spec[] = { "-" };
	if (n == 0) {
		specs = stdout_spec;
		n = 1;
	}
	if (n > OUTPUT_MAX_SINKS) {
		snprintf(err, errlen, "too many outputs (at most %d)", OUTPUT_MAX_SINKS);
		return NULL;
	}
	struct output *o = calloc(1, sizeof *o);
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&o->mu, NULL);
	for (size_t i = 0; i < n; i++) {
		o->sinks[i].spec = specs[i];
		if (output_open_sink(&o->sinks[i], err, errlen) < 0) {
			o->n = i;
			output_close(o, NULL, 0);
			return NULL;
		}
	}
	o->n = n;
	o->close_timeout_ms = OUTPUT_CLOSE_TIMEOUT_MS;
	return o;
}

int output_start(struct output *o, char *err, size_t errlen)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->sinks[i].net && netsink_start(o->sinks[i].net, err, errlen) < 0)
			return -1;
	return 0;
}

void output_write(struct output *o, const char *rec, size_t len)
{
	pthread_mutex_lock(&o->mu);
	for (size_t i = 0; i < o->n; i++) {
		struct sink *s = &o->sinks[i];
		if (s->net) {
			netsink_push(s->net, rec, len);
			continue;
		}
		if (s->failed)
			continue;
		/* o->mu serialises every use of the sinks' streams: stdio's own lock, taken twice
		 * a record, is not needed. */
		if (fwrite_unlocked(rec, 1, len, s->fp) != len ||
		    putc_unlocked('\n', s->fp) == EOF) {
			s->failed = true;
			s->err = errno;
		}
	}
	pthread_mutex_unlock(&o->mu);
}

static int output_check(struct output *o, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; i < o->n; i++) {
		struct sink *s = &o->sinks[i];
		if (s->net)
			continue; /* its losses are counted, and reported at close */
		if (!s->failed && fflush(s->fp) != 0) {
			s->failed = true;
			s->err = errno;
		}
		if (s->failed && rc == 0) {
			if (err)
				snprintf(err, errlen, "%s: write failed: %s", s->spec, strerror(s->err));
			rc = -1;
		}
	}
	return rc;
}

int output_flush(struct output *o, char *err, size_t errlen)
{
	pthread_mutex_lock(&o->mu);
	int rc = output_check(o, err, errlen);
	pthread_mutex_unlock(&o->mu);
	return rc;
}

int output_reopen(struct output *o, char *err, size_t errlen)
{
	pthread_mutex_lock(&o->mu);
	int rc = output_check(o, err, errlen);
	for (size_t i = 0; i < o->n; i++) {
		struct sink *s = &o->sinks[i];
		if (s->fp == stdout || s->net)
			continue;
		FILE *fp = output_fopen(s->spec, err, errlen);
		if (!fp) {
			rc = -1;
			continue; /* keep writing to the old file rather than lose records */
		}
		fclose(s->fp);
		s->fp = fp;
		s->failed = false;
		output_buffer(s); /* the old file is closed: its buffer is free again */
	}
	pthread_mutex_unlock(&o->mu);
	return rc;
}

size_t output_stats(struct output *o, struct output_sink_stats *st, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < o->n; i++) {
		if (!o->sinks[i].net)
			continue;
		if (k < max) {
			struct netsink_stats ns;
			netsink_stats(o->sinks[i].net, &ns);
			st[k] = (struct output_sink_stats){ o->sinks[i].spec, ns.queued, ns.sent,
							    ns.dropped, ns.reconnects, ns.pending };
		}
		k++;
	}
	return k;
}

void output_set_close_timeout(struct output *o, unsigned ms)
{
	o->close_timeout_ms = ms;
}

/* Drains every network sink against one shared deadline, so n sinks cost one timeout, and
 * appends "SPEC: N of M records not delivered (...)" to err for each that lost records. */
static int output_close_net(struct output *o, char *err, size_t errlen, bool have_err)
{
	int64_t deadline = netsink_now_ms() + o->close_timeout_ms;
	for (size_t i = 0; i < o->n; i++)
		if (o->sinks[i].net)
			netsink_drain(o->sinks[i].net, deadline);
	int rc = 0;
	size_t used = have_err && err ? strlen(err) : 0;
	for (size_t i = 0; i < o->n; i++) {
		struct sink *s = &o->sinks[i];
		if (!s->net)
			continue;
		struct netsink_stats st;
		uint64_t lost = netsink_close(s->net, deadline, &st);
		s->net = NULL;
		if (lost == 0)
			continue;
		rc = -1;
		if (err && used < errlen) {
			int w = snprintf(err + used, errlen - used,
					 "%s%s: %llu of %llu records not delivered (dropped %llu, "
					 "undelivered at close %llu, reconnects %llu)",
					 used ? "; " : "", s->spec, (unsigned long long)lost,
					 (unsigned long long)(st.queued + st.dropped),
					 (unsigned long long)st.dropped, (unsigned long long)st.pending,
					 (unsigned long long)st.reconnects);
			used += w > 0 ? (size_t)w : 0;
		}
	}
	return rc;
}

int output_close(struct output *o, char *err, size_t errlen)
{
	if (!o)
		return 0;
	int rc = output_check(o, err, errlen);
	if (output_close_net(o, err, errlen, rc < 0) < 0)
		rc = -1;
	for (size_t i = 0; i < o->n; i++) {
		if (o->sinks[i].fp && o->sinks[i].fp != stdout && fclose(o->sinks[i].fp) != 0 && rc == 0) {
			if (err)
				snprintf(err, errlen, "%s: %s", o->sinks[i].spec, strerror(errno));
			rc = -1;
		}
		free(o->sinks[i].buffer);
	}
	pthread_mutex_destroy(&o->mu);
	free(o);
	return rc;
}

/* output.c: the stdout and file sinks of output.h. */
#include "output/output.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTPUT_MAX_SINKS 16
#define OUTPUT_BUFFER (256u << 10)

struct sink {
	const char *spec;   /* as given on the command line; "-" is stdout */
	FILE *fp;
	bool failed;        /* a write failed: reported once at flush or close */
	int err;
};

struct output {
	size_t n;
	struct sink sinks[OUTPUT_MAX_SINKS];
};

static bool output_scheme(const char *spec, const char *scheme)
{
	return strncmp(spec, scheme, strlen(scheme)) == 0;
}

static int output_open_sink(struct sink *s, char *err, size_t errlen)
{
	if (strcmp(s->spec, "-") == 0) {
		s->fp = stdout;
	} else if (output_scheme(s->spec, "syslog://") || output_scheme(s->spec, "syslog+udp://") ||
		   output_scheme(s->spec, "redis://")) {
		snprintf(err, errlen, "%s: syslog and Redis sinks are not available in this version",
			 s->spec);
		return -1;
	} else {
		s->fp = fopen(s->spec, "a");
		if (!s->fp) {
			snprintf(err, errlen, "%s: %s", s->spec, strerror(errno));
			return -1;
		}
	}
	setvbuf(s->fp, NULL, _IOFBF, OUTPUT_BUFFER);
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
	for (size_t i = 0; i < n; i++) {
		o->sinks[i].spec = specs[i];
		if (output_open_sink(&o->sinks[i], err, errlen) < 0) {
			o->n = i;
			output_close(o, NULL, 0);
			return NULL;
		}
	}
	o->n = n;
	return o;
}

void output_write(struct output *o, const char *rec, size_t len)
{
	for (size_t i = 0; i < o->n; i++) {
		struct sink *s = &o->sinks[i];
		if (s->failed)
			continue;
		if (fwrite(rec, 1, len, s->fp) != len || putc('\n', s->fp) == EOF) {
			s->failed = true;
			s->err = errno;
		}
	}
}

static int output_check(struct output *o, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; i < o->n; i++) {
		struct sink *s = &o->sinks[i];
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
	return output_check(o, err, errlen);
}

int output_reopen(struct output *o, char *err, size_t errlen)
{
	int rc = output_check(o, err, errlen);
	for (size_t i = 0; i < o->n; i++) {
		struct sink *s = &o->sinks[i];
		if (s->fp == stdout)
			continue;
		FILE *fp = fopen(s->spec, "a");
		if (!fp) {
			if (err)
				snprintf(err, errlen, "%s: %s", s->spec, strerror(errno));
			rc = -1;
			continue; /* keep writing to the old file rather than lose records */
		}
		fclose(s->fp);
		s->fp = fp;
		s->failed = false;
		setvbuf(s->fp, NULL, _IOFBF, OUTPUT_BUFFER);
	}
	return rc;
}

int output_close(struct output *o, char *err, size_t errlen)
{
	if (!o)
		return 0;
	int rc = output_check(o, err, errlen);
	for (size_t i = 0; i < o->n; i++)
		if (o->sinks[i].fp && o->sinks[i].fp != stdout && fclose(o->sinks[i].fp) != 0 && rc == 0) {
			if (err)
				snprintf(err, errlen, "%s: %s", o->sinks[i].spec, strerror(errno));
			rc = -1;
		}
	free(o);
	return rc;
}

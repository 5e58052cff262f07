/* output.h: where records go — the sinks named by -o: stdout ('-') and files (appended). */
#ifndef MISROUTE_OUTPUT_H
#define MISROUTE_OUTPUT_H

#include <stddef.h>

struct output;

/* Opens every sink in specs[0..n) (n == 0: stdout). On failure returns NULL and writes a
 * one-line reason naming the spec into err. */
struct output *output_open(const char *const *specs, size_t n, char *err, size_t errlen);

/* Writes one record (len bytes, no newline) and a newline to every sink. */
void output_write(struct output *o, const char *rec, size_t len);

/* Flushes every sink; returns 0, or -1 when a sink failed to write (err says which). */
int output_flush(struct output *o, char *err, size_t errlen);

/* Reopens file sinks (after logrotate moved them); returns 0 or -1 with err. */
int output_reopen(struct output *o, char *err, size_t errlen);

/* Flushes and closes every sink; returns 0 or -1 when a sink failed (err says which). */
int output_close(struct output *o, char *err, size_t errlen);

#endif

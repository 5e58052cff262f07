/* daemon.h: what running as a service needs — a pidfile that also keeps a second instance
 * out, and dropping privileges once the capture and the outputs are open. */
#ifndef MISROUTE_DAEMON_H
#define MISROUTE_DAEMON_H

#include <stddef.h>

/* Creates path (never through a symlink), locks it and writes our pid. Returns its descriptor,
 * or -1 with a reason in err (another process holds the lock, or the file cannot be made). */
int pidfile_open(const char *path, char *err, size_t errlen);

/* Empties and removes the pidfile (removal may fail once privileges are gone: an empty file
 * names no process) and closes fd. */
void pidfile_close(int fd, const char *path);

/* Becomes user and group (either may be NULL; a user alone brings its own group), with no
 * supplementary groups; then gives up every capability, ambient ones included, and the
 * means to gain new ones. Call before any thread starts: capabilities belong to threads.
 * 0, or -1 with a reason in err. */
int privs_drop(const char *user, const char *group, char *err, size_t errlen);

#endif

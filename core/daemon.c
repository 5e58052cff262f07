/* daemon.c: the pidfile and the privilege drop of daemon.h. */
#include "core/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int pidfile_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "--pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	if (lockf(fd, F_TLOCK, 0) < 0) {
		char other[32] = "";
		ssize_t n = pread(fd, other, sizeof other - 1, 0);
		other[n > 0 ? n : 0] = '\0';
		other[strcspn(other, "\n")] = '\0';
		snprintf(err, errlen, "--pidfile %s: already in use by process %s", path,
			 other[0] ? other : "(unknown)");
		close(fd);
		return -1;
	}
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
		snprintf(err, errlen, "--pidfile %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void pidfile_close(int fd, const char *path)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) < 0 || unlink(path) < 0) {
		/* Nothing to do: the lock goes with the descriptor, the file says nothing. */
	}
	close(fd);
}

/* Clears the calling thread's effective, permitted and inheritable sets. */
static int privs_clear_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	memset(d, 0, sizeof d);
	return (int)syscall(SYS_capset, &h, d);
}

int privs_drop(const char *user, const char *group, char *err, size_t errlen)
{
	uid_t uid = 0;
	gid_t gid = 0;
	bool have_gid = false;
	if (user) {
		errno = 0;
		struct passwd *pw = getpwnam(user);
		if (!pw) {
			snprintf(err, errlen, "-u %s: no such user", user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		have_gid = true;
	}
	if (group) {
		struct group *gr = getgrnam(group);
		if (!gr) {
			snprintf(err, errlen, "-g %s: no such group", group);
			return -1;
		}
		gid = gr->gr_gid;
		have_gid = true;
	}
	if (have_gid && (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0)) {
		snprintf(err, errlen, "cannot become group %u: %s", (unsigned)gid, strerror(errno));
		return -1;
	}
	if (user && setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "cannot become user %s: %s", user, strerror(errno));
		return -1;
	}
	/* A process that started as another user with capabilities granted (systemd's
	 * AmbientCapabilities) keeps them across the steps above: give them up here. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s", strerror(errno));
		return -1;
	}
	if (privs_clear_caps() < 0) {
		snprintf(err, errlen, "cannot give up capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

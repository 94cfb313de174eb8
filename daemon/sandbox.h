/*
 * sandbox.h - what the parse child gives up before it reads a byte of a
 * message: file descriptors it does not need, root, the filesystem beyond
 * its work directory and the system's read-only files (Landlock, where the
 * kernel has it), and the system calls that would reach out of the
 * process: sockets, executing programs, new processes, ptrace, io_uring,
 * mounts, namespaces, kernel keys and modules (a libseccomp filter whose
 * action is to kill the process).  A child that tries dies by SIGSYS and
 * the parent records the message's problem; the daemon carries on.
 */
#ifndef INTAKE_SANDBOX_H
#define INTAKE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The unprivileged identity a child started as root drops to. */
struct sandbox_user {
	bool drop;             /* the parent is root */
	uid_t uid;
	gid_t gid;
};

/* In the parent, once: resolve user (e.g. "nobody") when running as root.
 * 0 ok (nothing to do when not root), -1 with err. */
int sandbox_user_resolve(const char *user, struct sandbox_user *u, char *err, size_t errlen);

/* Close every descriptor from 3 up except the n in keep. */
void sandbox_close_fds(const int *keep, size_t n);

/*
 * In the child: drop to u (chowning workdir to it first), no new
 * privileges, not dumpable, Landlock (read-only /usr, /etc/ld.so.cache,
 * /proc and /sys/devices/system/cpu; full access below workdir only), then
 * the seccomp filter.  0 ok, -1 with err (then the child must not parse).
 * landlock_r says whether Landlock is in force.
 */
int sandbox_enter(const struct sandbox_user *u, int workdir, bool *landlock_r,
                  char *err, size_t errlen);

/* In the parent, before forking children: build the seccomp filter once
 * so that each child only loads it.  Optional (sandbox_enter builds it
 * when it was not prepared); 0 ok, -1 with err. */
int sandbox_prepare(char *err, size_t errlen);
/* The Landlock ABI version the kernel offers (0 = none). */
int sandbox_landlock_abi(void);

#endif

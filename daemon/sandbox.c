#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int sandbox_user_resolve(const char *user, struct sandbox_user *u, char *err, size_t errlen)
{
	struct passwd *pw;

	memset(u, 0, sizeof(*u));
	if (geteuid() != 0)
		return 0;
	errno = 0;
	pw = getpwnam(user && *user ? user : "nobody");
	if (!pw) {
		snprintf(err, errlen, "parse_user %s: %s", user && *user ? user : "nobody",
		         errno ? strerror(errno) : "no such user");
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "parse_user %s is root: the parse child must not run as root",
		         pw->pw_name);
		return -1;
	}
	u->drop = true;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

void sandbox_close_fds(const int *keep, size_t n)
{
	int k[16];
	unsigned from = 3;

	if (n > 16)
		n = 16;
	memcpy(k, keep, n * sizeof(*k));
	qsort(k, n, sizeof(*k), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (k[i] < (int)from)
			continue;
		if ((unsigned)k[i] > from && syscall(SYS_close_range, from, (unsigned)k[i] - 1, 0) != 0)
			for (int fd = (int)from; fd < k[i]; fd++)
				close(fd);
		from = (unsigned)k[i] + 1;
	}
	if (syscall(SYS_close_range, from, ~0U, 0) != 0)
		for (int fd = (int)from; fd < 1024; fd++)
			close(fd);
}

int sandbox_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

static uint64_t landlock_all(int abi)
{
	uint64_t a = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	             LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	             LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	             LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	             LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	             LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	             LANDLOCK_ACCESS_FS_MAKE_SYM;

	if (abi >= 2)
		a |= LANDLOCK_ACCESS_FS_REFER;
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		a |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	return a;
}

static int add_path(int ruleset, int parent_fd, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access };
	int fd = parent_fd >= 0 ? parent_fd : open(path, O_PATH | O_CLOEXEC);
	int r;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;    /* nothing there to allow */
	pb.parent_fd = fd;
	r = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	if (parent_fd < 0)
		close(fd);
	return r;
}

/*
 * Only what a parser needs: shared libraries, gconv modules, the magic
 * database and locales under /usr; the loader cache and the time zone;
 * the child's own /proc entry (ASan and glibc read it); the CPU count.
 * Everything below workdir, where the child writes what it extracts.  Not
 * the state directory, not /etc/intake, not /home.
 */
static int landlock(int workdir, bool *on, char *err, size_t errlen)
{
	const uint64_t ro = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	int abi = sandbox_landlock_abi(), rs;
	struct landlock_ruleset_attr attr;
	uint64_t all;

	*on = false;
	if (abi <= 0)
		return 0;       /* kernel without Landlock: seccomp and the rest still hold */
	all = landlock_all(abi);
	attr = (struct landlock_ruleset_attr){ .handled_access_fs = all };
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0) {
		snprintf(err, errlen, "landlock_create_ruleset: %s", strerror(errno));
		return -1;
	}
	if (add_path(rs, -1, "/usr", ro | LANDLOCK_ACCESS_FS_EXECUTE) != 0 ||
	    add_path(rs, -1, "/etc/ld.so.cache", LANDLOCK_ACCESS_FS_READ_FILE) != 0 ||
	    add_path(rs, -1, "/etc/localtime", LANDLOCK_ACCESS_FS_READ_FILE) != 0 ||
	    add_path(rs, -1, "/proc/self", ro) != 0 ||
	    add_path(rs, -1, "/sys/devices/system/cpu", ro) != 0 ||
	    add_path(rs, workdir, NULL, all & ~LANDLOCK_ACCESS_FS_EXECUTE) != 0) {
		snprintf(err, errlen, "landlock_add_rule: %s", strerror(errno));
		close(rs);
		return -1;
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
		snprintf(err, errlen, "landlock_restrict_self: %s", strerror(errno));
		close(rs);
		return -1;
	}
	close(rs);
	*on = true;
	return 0;
}

static int deny(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;       /* not on this architecture */
	return seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, nr, 0);
}

/*
 * The filter is built once per process and kept, with its BPF program:
 * building it (resolving some 80 names, adding the rules, generating the
 * program) cost a parse child several milliseconds, as much as a small
 * message's whole MIME walk.  A child forked after sandbox_prepare()
 * inherits both and only hands the program to the kernel; the flags are
 * those seccomp_load() uses with default attributes (none).
 */
static scmp_filter_ctx prepared;
static struct sock_filter *prepared_bpf;
static size_t prepared_len;

static void export_bpf(void)
{
	int fd = memfd_create("intake-seccomp", MFD_CLOEXEC);
	off_t n;

	if (fd < 0)
		return;
	if (seccomp_export_bpf(prepared, fd) == 0 && (n = lseek(fd, 0, SEEK_END)) > 0 &&
	    n % (off_t)sizeof(struct sock_filter) == 0 && n / (off_t)sizeof(struct sock_filter) <= 4096) {
		prepared_bpf = malloc((size_t)n);
		if (prepared_bpf && pread(fd, prepared_bpf, (size_t)n, 0) == n) {
			prepared_len = (size_t)n / sizeof(struct sock_filter);
		} else {
			free(prepared_bpf);
			prepared_bpf = NULL;
		}
	}
	close(fd);
}

static scmp_filter_ctx build_filter(char *err, size_t errlen)
{
	static const char *const denied[] = {
		/* reaching out */
		"socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
		/* programs and processes */
		"execve", "execveat", "fork", "vfork",
		"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
		/* kernel surfaces a parser never needs */
		"io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open",
		"userfaultfd", "keyctl", "add_key", "request_key",
		/* mounts and namespaces */
		"mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree",
		"move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
		/* identity, once dropped */
		"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups",
		"setfsuid", "setfsgid",
		/* the machine */
		"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
		"reboot", "swapon", "swapoff", "acct", "quotactl", "syslog", "settimeofday",
		"clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
		"iopl", "ioperm", "mknod", "mknodat", "open_by_handle_at", "name_to_handle_at",
		"personality", "lookup_dcookie",
	};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r = 0;

	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]) && r == 0; i++)
		r = deny(ctx, denied[i]);
	/* Threads (the page evictor) yes, new processes no.  clone3 takes
	 * its flags in memory a filter cannot read: make glibc fall back to
	 * clone, where it can. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(clone), 1,
		                     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r != 0) {
		seccomp_release(ctx);
		snprintf(err, errlen, "seccomp: %s", strerror(-r));
		return NULL;
	}
	return ctx;
}

int sandbox_prepare(char *err, size_t errlen)
{
	if (!prepared) {
		prepared = build_filter(err, errlen);
		if (prepared)
			export_bpf();
	}
	return prepared ? 0 : -1;
}

static int seccomp_filter(char *err, size_t errlen)
{
	int r;

	if (sandbox_prepare(err, errlen) != 0)
		return -1;
	if (prepared_bpf) {
		struct sock_fprog prog = { (unsigned short)prepared_len, prepared_bpf };

		/* no_new_privs is set: an unprivileged process may install it */
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
			return 0;
	}
	r = seccomp_load(prepared);
	if (r != 0) {
		snprintf(err, errlen, "seccomp: %s", strerror(-r));
		return -1;
	}
	return 0;
}

int sandbox_enter(const struct sandbox_user *u, int workdir, bool *landlock_r,
                  char *err, size_t errlen)
{
	*landlock_r = false;
	if (u && u->drop) {
		if (fchown(workdir, u->uid, u->gid) != 0) {
			snprintf(err, errlen, "chown of the work directory: %s", strerror(errno));
			return -1;
		}
		if (setgroups(0, NULL) != 0 || setresgid(u->gid, u->gid, u->gid) != 0 ||
		    setresuid(u->uid, u->uid, u->uid) != 0) {
			snprintf(err, errlen, "dropping to uid %u: %s", (unsigned)u->uid, strerror(errno));
			return -1;
		}
		if (setuid(0) == 0) {
			snprintf(err, errlen, "root could be regained after dropping it");
			return -1;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		snprintf(err, errlen, "prctl: %s", strerror(errno));
		return -1;
	}
	if (landlock(workdir, landlock_r, err, errlen) != 0)
		return -1;
	return seccomp_filter(err, errlen);
}

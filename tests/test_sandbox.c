/*
 * The parse child's sandbox: a child that tries to open a socket, run a
 * program or start a process is killed, the message gets a problem, and the
 * next message goes in; it cannot read or write outside its work directory
 * (Landlock, where the kernel has it); it holds no descriptor of the
 * parent's; started as root it runs as parse_user.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest_fixture.h"
#include "sandbox.h"
#include "testutil.h"
#include "worker.h"

static const char fine[] =
	"From: =?UTF-8?B?6KGh5Y2X5Y6/?= <hengnan-gxj@hengyang.gov.example>\r\n"
	"Subject: =?UTF-8?B?6KGh5Y2X5Y6/5bel5L+h5bGA?=\r\nMessage-ID: <fine@test>\r\n"
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n"
	"--b\r\nContent-Type: application/octet-stream; name=\"a.txt\"\r\n"
	"Content-Disposition: attachment; filename=\"a.txt\"\r\n\r\nhello\r\n--b--\r\n";

static const char fine2[] =
	"From: =?UTF-8?B?6KGh5Y2X5Y6/?= <hengnan-gxj@hengyang.gov.example>\r\n"
	"Subject: =?UTF-8?B?6KGh5Y2X5Y6/5bel5L+h5bGA?=\r\nMessage-ID: <fine2@test>\r\n"
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n"
	"--b\r\nContent-Type: application/octet-stream; name=\"b.txt\"\r\n"
	"Content-Disposition: attachment; filename=\"b.txt\"\r\n\r\nworld\r\n--b--\r\n";

static char *outside;   /* a path outside the work directory */

static void probe_socket(int workdir)
{
	(void)workdir;
	(void)socket(AF_INET, SOCK_STREAM, 0);
	_exit(42);       /* reached only if the filter let it through */
}

static void probe_exec(int workdir)
{
	(void)workdir;
	execl("/bin/true", "true", (char *)NULL);
	_exit(42);
}

static void probe_fork(int workdir)
{
	(void)workdir;
	if (fork() == 0)
		_exit(0);
	_exit(42);
}

/* Exits 42 (a protocol problem for the parent) if it could get out. */
static void probe_filesystem(int workdir)
{
	int fd;

	(void)workdir;
	if ((fd = open("/etc/passwd", O_RDONLY)) >= 0)
		_exit(42);
	if ((fd = open(outside, O_RDONLY)) >= 0)
		_exit(42);
	if ((fd = open(tu_printf("%s.new", outside), O_WRONLY | O_CREAT, 0600)) >= 0)
		_exit(42);
	/* Inside its work directory it may write. */
	fd = openat(workdir, "probe", O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		_exit(43);
	close(fd);
	unlinkat(workdir, "probe", 0);
}

/* Only the message, the work directory and the pipe: three descriptors
 * above stderr. */
static void probe_fds(int workdir)
{
	int open_fds = 0;

	(void)workdir;
	for (int fd = 3; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			open_fds++;
	if (open_fds != 3)
		_exit(40 + open_fds);
}

static void probe_not_root(int workdir)
{
	(void)workdir;
	if (getuid() == 0 || geteuid() == 0 || getgid() == 0)
		_exit(42);
}

static void killed_then_next_goes_in(void (*probe)(int))
{
	struct fixture fx;
	struct ingest_outcome o, o2;
	json_t *sub;

	fixture_setup(&fx, NULL);
	worker_sandbox_probe = probe;
	assert_int_equal(fixture_ingest_buf(&fx, fine, sizeof(fine) - 1,
	                                    "2023-05-12T10:00:00+08:00", &o), 0);
	worker_sandbox_probe = NULL;
	assert_string_equal(o.status, "rejected");
	/* Killed before it read a header: there is no address to answer, and
	 * the ledger says so rather than owing a reply it cannot send. */
	assert_null(o.reply);
	assert_int_equal(o.nfiles, 0);
	sub = fixture_submission(&fx, o.message);
	assert_true(submission_has_problem(sub, "worker-crashed"));
	json_decref(sub);
	/* The daemon carries on. */
	assert_int_equal(fixture_ingest_buf(&fx, fine2, sizeof(fine2) - 1,
	                                    "2023-05-12T10:05:00+08:00", &o2), 0);
	assert_int_equal(o2.nfiles, 1);
	fixture_teardown(&fx);
}

static void test_socket_kills_the_child(void **state)
{
	(void)state;
	killed_then_next_goes_in(probe_socket);
}

static void test_exec_kills_the_child(void **state)
{
	(void)state;
	killed_then_next_goes_in(probe_exec);
}

static void test_fork_kills_the_child(void **state)
{
	(void)state;
	killed_then_next_goes_in(probe_fork);
}

/* A probe that returns normally leaves the message to parse as usual. */
static void parses_normally_with(void (*probe)(int))
{
	struct fixture fx;
	struct ingest_outcome o;
	json_t *sub;

	fixture_setup(&fx, NULL);
	worker_sandbox_probe = probe;
	assert_int_equal(fixture_ingest_buf(&fx, fine, sizeof(fine) - 1,
	                                    "2023-05-12T10:00:00+08:00", &o), 0);
	worker_sandbox_probe = NULL;
	sub = fixture_submission(&fx, o.message);
	if (submission_has_problem(sub, "worker-crashed") ||
	    submission_has_problem(sub, "worker-protocol")) {
		char *txt = json_dumps(sub, JSON_INDENT(2));

		fprintf(stderr, "%s\n", txt);
		free(txt);
		fail_msg("the probe found the sandbox open");
	}
	assert_int_equal(o.nfiles, 1);
	json_decref(sub);
	fixture_teardown(&fx);
}

static void test_filesystem_confined(void **state)
{
	char *dir = tu_tempdir();

	(void)state;
	if (sandbox_landlock_abi() <= 0) {
		fprintf(stderr, "# this kernel has no Landlock: filesystem confinement not testable here\n");
		tu_rmrf(dir);
		free(dir);
		skip();
	}
	outside = tu_printf("%s/secret.txt", dir);
	assert_int_equal(tu_write_file(outside, "other county's dossier", 22), 0);
	chmod(outside, 0644);
	chmod(dir, 0755);
	parses_normally_with(probe_filesystem);
	{
		char *n = tu_printf("%s.new", outside);

		assert_int_equal(access(n, F_OK), -1);
		free(n);
	}
	fprintf(stderr, "# Landlock ABI %d in force\n", sandbox_landlock_abi());
	free(outside);
	tu_rmrf(dir);
	free(dir);
}

static void test_no_inherited_descriptors(void **state)
{
	int extra = open("/dev/null", O_RDONLY);     /* without O_CLOEXEC, like a leak */

	(void)state;
	parses_normally_with(probe_fds);
	close(extra);
}

static void test_root_drops_to_parse_user(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "# not root: nothing to drop\n");
		skip();
	}
	parses_normally_with(probe_not_root);
}

static void test_parse_user_must_not_be_root(void **state)
{
	struct sandbox_user u;
	char err[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(sandbox_user_resolve("root", &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "must not run as root"));
	assert_int_equal(sandbox_user_resolve("no-such-user-here", &u, err, sizeof(err)), -1);
	assert_int_equal(sandbox_user_resolve(NULL, &u, err, sizeof(err)), 0);
	assert_true(u.drop);
	assert_true(u.uid != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_kills_the_child),
		cmocka_unit_test(test_exec_kills_the_child),
		cmocka_unit_test(test_fork_kills_the_child),
		cmocka_unit_test(test_filesystem_confined),
		cmocka_unit_test(test_no_inherited_descriptors),
		cmocka_unit_test(test_root_drops_to_parse_user),
		cmocka_unit_test(test_parse_user_must_not_be_root),
	};
	return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}

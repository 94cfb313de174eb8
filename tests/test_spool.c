/* Spool: atomic, content-addressed, idempotent, locked, private. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spool.h"
#include "testutil.h"

static const char msg[] = "From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n";

static void test_store_is_content_addressed_and_idempotent(void **state)
{
	char *dir = tu_tempdir(), err[256], hex[65], hex2[65], path[512];
	struct spool *s = NULL;
	bool existed = true;
	struct stat st;
	size_t len;
	char *back;

	(void)state;
	assert_int_equal(spool_open(dir, false, &s, err, sizeof(err)), 0);
	assert_int_equal(spool_store_buf(s, msg, sizeof(msg) - 1, hex, &existed, err, sizeof(err)), 0);
	assert_false(existed);
	assert_int_equal(strlen(hex), 64);
	/* sha256 of the bytes, as `sha256sum` would print it */
	char want[65];
	spool_sha256_hex(msg, sizeof(msg) - 1, want);
	assert_string_equal(hex, want);
	back = tu_read_file(spool_message_path(s, hex, path, sizeof(path)), &len);
	assert_non_null(back);
	assert_int_equal(len, sizeof(msg) - 1);
	assert_memory_equal(back, msg, len);
	free(back);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	assert_int_equal(spool_store_buf(s, msg, sizeof(msg) - 1, hex2, &existed, err, sizeof(err)), 0);
	assert_true(existed);
	assert_string_equal(hex, hex2);
	spool_close(&s);
	assert_null(s);
	tu_rmrf(dir);
	free(dir);
}

static void test_store_fd_streams_and_caps(void **state)
{
	char *dir = tu_tempdir(), err[256], hex[65], *src;
	struct spool *s = NULL;
	bool existed;
	uint64_t size = 0;
	int fd;
	size_t big = 3u << 20;
	char *buf = malloc(big);

	(void)state;
	for (size_t i = 0; i < big; i++)
		buf[i] = (char)('a' + i % 26);
	src = tu_printf("%s/in.eml", dir);
	assert_int_equal(tu_write_file(src, buf, big), 0);
	assert_int_equal(spool_open(dir, false, &s, err, sizeof(err)), 0);
	fd = open(src, O_RDONLY);
	assert_int_equal(spool_store_fd(s, fd, 0, hex, &existed, &size, err, sizeof(err)), 0);
	assert_int_equal(size, big);
	close(fd);
	/* Over the cap: refused, nothing left in spool/tmp. */
	fd = open(src, O_RDONLY);
	assert_int_equal(spool_store_fd(s, fd, 1 << 20, hex, &existed, &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "limit"));
	close(fd);
	char *tmp = tu_printf("%s/spool/tmp", dir);
	int n = 0;
	char *cmd = tu_printf("ls -A %s | wc -l", tmp);
	FILE *p = popen(cmd, "r");
	free(cmd);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	assert_int_equal(n, 0);
	spool_close(&s);
	free(tmp);
	free(src);
	free(buf);
	tu_rmrf(dir);
	free(dir);
}

static void test_lock_excludes_second_process(void **state)
{
	char *dir = tu_tempdir(), err[256];
	struct spool *s = NULL, *s2 = NULL;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(spool_open(dir, false, &s, err, sizeof(err)), 0);
	pid = fork();
	if (pid == 0) {
		int r = spool_open(dir, false, &s2, err, sizeof(err));
		_exit(r == -1 && strstr(err, "in use") ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	spool_close(&s);
	/* Released: a new opener gets it. */
	assert_int_equal(spool_open(dir, false, &s2, err, sizeof(err)), 0);
	spool_close(&s2);
	tu_rmrf(dir);
	free(dir);
}

static void test_open_purges_partial_writes(void **state)
{
	char *dir = tu_tempdir(), err[256];
	struct spool *s = NULL;
	char *leftover, *work;

	(void)state;
	assert_int_equal(spool_open(dir, false, &s, err, sizeof(err)), 0);
	spool_close(&s);
	leftover = tu_printf("%s/spool/tmp/123.0", dir);
	assert_int_equal(tu_write_file(leftover, "half", 4), 0);
	work = tu_printf("%s/work/deadbeef", dir);
	assert_int_equal(mkdir(work, 0700), 0);
	assert_int_equal(spool_open(dir, false, &s, err, sizeof(err)), 0);
	assert_int_equal(access(leftover, F_OK), -1);
	assert_int_equal(access(work, F_OK), -1);
	spool_close(&s);
	free(leftover);
	free(work);
	tu_rmrf(dir);
	free(dir);
}

static void test_work_dir_commit(void **state)
{
	char *dir = tu_tempdir(), err[256], hex[65], path[512];
	struct spool *s = NULL;
	bool existed;
	int wd, fd;

	(void)state;
	assert_int_equal(spool_open(dir, false, &s, err, sizeof(err)), 0);
	assert_int_equal(spool_store_buf(s, msg, sizeof(msg) - 1, hex, &existed, err, sizeof(err)), 0);
	wd = spool_work_dir(s, hex, err, sizeof(err));
	assert_true(wd >= 0);
	fd = openat(wd, "0001", O_WRONLY | O_CREAT, 0600);
	assert_true(write(fd, "x", 1) == 1);
	close(fd);
	close(wd);
	assert_int_equal(spool_commit_files(s, hex, err, sizeof(err)), 0);
	assert_int_equal(access(spool_file_path(s, hex, "0001", path, sizeof(path)), R_OK), 0);
	/* A bad name never reaches the file system. */
	assert_int_equal(spool_open_message(s, "../../etc/passwd"), -1);
	assert_int_equal(spool_work_dir(s, "../x", err, sizeof(err)), -1);
	spool_close(&s);
	tu_rmrf(dir);
	free(dir);
}

/* Pieces (IMAP partial fetches) give the same file as one write; a cap
 * is EFBIG; an aborted writer leaves nothing. */
static void test_writer_pieces(void **state)
{
	char *dir = tu_tempdir(), err[256], hex[65], want[65], *tmp;
	struct spool *s = NULL;
	struct spool_writer *w = NULL;
	bool existed = true;
	size_t n;
	char **left;

	(void)state;
	assert_int_equal(spool_open(dir, false, &s, err, sizeof(err)), 0);
	assert_int_equal(spool_writer_begin(s, 0, &w, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(msg) - 1; i += 7)
		assert_int_equal(spool_writer_write(w, msg + i, i + 7 < sizeof(msg) - 1 ? 7 : sizeof(msg) - 1 - i,
		                                    err, sizeof(err)), 0);
	assert_int_equal(spool_writer_size(w), sizeof(msg) - 1);
	assert_int_equal(spool_writer_finish(&w, hex, &existed, err, sizeof(err)), 0);
	assert_null(w);
	assert_false(existed);
	spool_sha256_hex(msg, sizeof(msg) - 1, want);
	assert_string_equal(hex, want);
	/* Again: already there. */
	assert_int_equal(spool_writer_begin(s, 0, &w, err, sizeof(err)), 0);
	assert_int_equal(spool_writer_write(w, msg, sizeof(msg) - 1, err, sizeof(err)), 0);
	assert_int_equal(spool_writer_finish(&w, hex, &existed, err, sizeof(err)), 0);
	assert_true(existed);
	/* Over the cap. */
	assert_int_equal(spool_writer_begin(s, 10, &w, err, sizeof(err)), 0);
	assert_int_equal(spool_writer_write(w, msg, 8, err, sizeof(err)), 0);
	assert_int_equal(spool_writer_write(w, msg, 8, err, sizeof(err)), -1);
	assert_int_equal(spool_last_errno(s), EFBIG);
	assert_non_null(strstr(err, "larger than the limit"));
	spool_writer_abort(&w);
	assert_null(w);
	tmp = tu_printf("%s/spool/tmp", dir);
	left = tu_list_files(tmp, &n);
	assert_int_equal(n, 0);
	tu_free_list(left, n);
	/* Let go of the lock and take it again: a child can take it between. */
	spool_unlock(s);
	assert_false(spool_locked(s));
	{
		pid_t pid = fork();

		if (pid == 0) {
			struct spool *s2 = NULL;
			char e2[256];

			_exit(spool_open(dir, false, &s2, e2, sizeof(e2)) == 0 ? 0 : 1);
		}
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_int_equal(spool_lock(s, false, err, sizeof(err)), 0);
	assert_true(spool_locked(s));
	free(tmp);
	spool_close(&s);
	tu_rmrf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_is_content_addressed_and_idempotent),
		cmocka_unit_test(test_store_fd_streams_and_caps),
		cmocka_unit_test(test_lock_excludes_second_process),
		cmocka_unit_test(test_open_purges_partial_writes),
		cmocka_unit_test(test_work_dir_commit),
		cmocka_unit_test(test_writer_pieces),
	};
	return cmocka_run_group_tests_name("spool", tests, NULL, NULL);
}

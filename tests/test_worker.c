/*
 * The parse child: bounded memory whatever the attachment size, and a
 * child that crashes on hostile input is a recorded problem while intake
 * goes on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest_fixture.h"
#include "spool.h"
#include "mime.h"
#include "testutil.h"
#include "sandbox.h"
#include "textract.h"
#include "worker.h"

/* Write a message with one base64 attachment of n pseudo-random bytes
 * (incompressible, so no archive tricks are involved). */
static char *big_message(const char *dir, size_t n, char sha_r[65])
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *path = tu_printf("%s/big.eml", dir);
	FILE *f = fopen(path, "wb");
	uint32_t x = 2463534242u;
	unsigned char in[57];
	char line[80];

	assert_non_null(f);
	fputs("From: =?UTF-8?B?5rK75Lic5Y6/5bel5L+h5bGA?= <qidong-gxj@hengyang.gov.example>\r\n"
	      "To: sme-intake@hengyang-gxj.example\r\nSubject: big\r\nMessage-ID: <big@test>\r\n"
	      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n"
	      "--b\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\n"
	      "Content-Disposition: attachment; filename=\"scan.pdf\"\r\n"
	      "Content-Transfer-Encoding: base64\r\n\r\n", f);
	for (size_t done = 0; done < n; done += sizeof(in)) {
		size_t k = n - done < sizeof(in) ? n - done : sizeof(in), o = 0;
		for (size_t i = 0; i < k; i++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			in[i] = (unsigned char)x;
		}
		for (size_t i = 0; i < k; i += 3) {
			unsigned v = (unsigned)in[i] << 16 | (i + 1 < k ? (unsigned)in[i + 1] << 8 : 0) |
			             (i + 2 < k ? in[i + 2] : 0);
			line[o++] = t[v >> 18 & 63];
			line[o++] = t[v >> 12 & 63];
			line[o++] = i + 1 < k ? t[v >> 6 & 63] : '=';
			line[o++] = i + 2 < k ? t[v & 63] : '=';
		}
		line[o++] = '\r';
		line[o++] = '\n';
		fwrite(line, 1, o, f);
	}
	fputs("--b--\r\n", f);
	fclose(f);
	(void)sha_r;
	return path;
}

static void test_peak_rss_bounded_for_large_attachment(void **state)
{
	struct fixture fx;
	struct ingest_outcome o;
	char sha[65];
	char *path;
	pid_t pid;
	int status;
	struct rusage ru;
	const size_t size = 160u << 20;   /* 160 MB decoded, ~216 MB of mail */

	(void)state;
	fixture_setup(&fx, NULL);
	path = big_message(fx.dir, size, sha);
	/* Measure in a grandchild so RUSAGE_CHILDREN covers exactly this run. */
	pid = fork();
	if (pid == 0) {
		int r = fixture_ingest(&fx, path, "2023-05-12T10:00:00+08:00", &o);
		getrusage(RUSAGE_SELF, &ru);
		long self = ru.ru_maxrss;
		getrusage(RUSAGE_CHILDREN, &ru);
		fprintf(stderr, "# ingest of %zu MB attachment: parent RSS %ld MB, parse child RSS %ld MB\n",
		        size >> 20, self / 1024, ru.ru_maxrss / 1024);
#if TU_ASAN
		/* ASan's shadow memory and quarantine inflate RSS: the bound is
		 * asserted by the plain build only. */
		_exit(r == 0 && o.nfiles == 1 ? 0 : 1);
#else
		_exit(r == 0 && o.nfiles == 1 && ru.ru_maxrss < 64 * 1024 ? 0 : 1);
#endif
	}
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(path);
	fixture_teardown(&fx);
}

/* libetpan 1.9.4 dies in mailmime_parse on this boundary (LIBRARIES.md 4). */
static const char crasher[] =
	"From: x@qq.example\r\nSubject: boom\r\nMIME-Version: 1.0\r\n"
	"Content-Type: multipart/mixed; boundary=\"\\\"\"\r\n\r\n"
	"--\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--\"--\r\n";

static const char fine[] =
	"From: =?UTF-8?B?6KGh5Y2X5Y6/?= <hengnan-gxj@hengyang.gov.example>\r\n"
	"Subject: =?UTF-8?B?6KGh5Y2X5Y6/5bel5L+h5bGA?=\r\nMessage-ID: <fine@test>\r\n"
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n"
	"--b\r\nContent-Type: application/octet-stream; name=\"a.txt\"\r\n"
	"Content-Disposition: attachment; filename=\"a.txt\"\r\n\r\nhello\r\n--b--\r\n";

static void test_crashing_message_is_a_problem_and_intake_goes_on(void **state)
{
	struct fixture fx;
	struct ingest_outcome o, o2;
	json_t *sub;
	char path[512];

	(void)state;
	fixture_setup(&fx, NULL);
	assert_int_equal(fixture_ingest_buf(&fx, crasher, sizeof(crasher) - 1,
	                                    "2023-05-12T10:00:00+08:00", &o), 0);
	assert_false(o.duplicate);
	assert_string_equal(o.status, "rejected");
	assert_string_equal(o.reply, "error-notice");
	sub = fixture_submission(&fx, o.message);
	assert_true(submission_has_problem(sub, "worker-crashed") ||
	            submission_has_problem(sub, "mime-unparseable"));
	json_decref(sub);
	/* The raw message is kept. */
	assert_int_equal(access(spool_message_path(fx.app.spool, o.sha256, path, sizeof(path)), R_OK), 0);
	/* And the next one is processed normally. */
	assert_int_equal(fixture_ingest_buf(&fx, fine, sizeof(fine) - 1,
	                                    "2023-05-12T10:05:00+08:00", &o2), 0);
	assert_int_equal(o2.nfiles, 1);
	assert_true(o2.message > o.message);
	fixture_teardown(&fx);
}

static void test_same_bytes_twice_is_a_noop(void **state)
{
	struct fixture fx;
	struct ingest_outcome o, o2;

	(void)state;
	fixture_setup(&fx, NULL);
	assert_int_equal(fixture_ingest_buf(&fx, fine, sizeof(fine) - 1, "2023-05-12T10:05:00+08:00", &o), 0);
	assert_false(o.duplicate);
	assert_int_equal(fixture_ingest_buf(&fx, fine, sizeof(fine) - 1, "2023-05-13T10:05:00+08:00", &o2), 0);
	assert_true(o2.duplicate);
	assert_int_equal(o2.message, o.message);
	{
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger), "SELECT count(*) FROM messages", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 1);
		sqlite3_finalize(st);
	}
	fixture_teardown(&fx);
}

static void test_recovery_records_spooled_but_unrecorded(void **state)
{
	struct fixture fx;
	char sha[65], err[256];
	bool existed;
	unsigned n = 0;

	(void)state;
	fixture_setup(&fx, NULL);
	/* A crash between spool and ledger leaves exactly this. */
	assert_int_equal(spool_store_buf(fx.app.spool, fine, sizeof(fine) - 1, sha, &existed, err, sizeof(err)), 0);
	assert_int_equal(ledger_message_by_sha(fx.app.ledger, sha), 0);
	assert_int_equal(ingest_recover(&fx.app.ingest, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_true(ledger_message_by_sha(fx.app.ledger, sha) > 0);
	assert_int_equal(ingest_recover(&fx.app.ingest, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	fixture_teardown(&fx);
}

/* --- parse ahead --- */

struct ahead_ctx {
	struct ingest *in;
	const char *sha;     /* NULL: nothing to start */
	bool started;
};

/* worker_idle, as intakectl and intaked use it: once the next message
 * is in the spool, start parsing it. */
static bool ahead_step(void *p)
{
	struct ahead_ctx *c = p;

	if (c->sha && !c->started) {
		ingest_ahead(c->in, c->sha);
		c->started = true;
	}
	return false;
}

/* Everything the parse decides, row by row, as text. */
static char *ledger_dump(struct fixture *fx)
{
	sqlite3_stmt *st;
	size_t len = 0;
	char *out = NULL;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx->app.ledger),
		"SELECT m.id, m.sha256, m.received_at, f.seq, f.parent, f.path, f.size, f.sha256,"
		" f.mime, f.container, ifnull(f.stored, '-'), ifnull(f.dossier, 0),"
		" (SELECT group_concat(kind || ':' || reason, '|') FROM problems p WHERE p.file = f.id)"
		" FROM messages m LEFT JOIN files f ON f.message = m.id ORDER BY m.id, f.seq",
		-1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++)
			fprintf(f, "%s\t", sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i) : "");
		fputc('\n', f);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx->app.ledger),
		"SELECT message, kind, reason FROM problems WHERE file IS NULL ORDER BY id", -1, &st, NULL),
		SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(f, "%s %s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		        sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	fclose(f);
	return out;
}

/* The shipped examples, spooled first, then recorded in order; with
 * ahead, each message's successor is parsed while it is. */
static char *ingest_examples_spooled(bool ahead, unsigned *aheads_r)
{
	struct fixture fx;
	char *paths[64], *times[64], sha[64][65], line[1024], err[512];
	FILE *tsv = fopen("examples/received.tsv", "r");
	unsigned n = 0, aheads = 0;
	char *dump;

	assert_non_null(tsv);
	while (fgets(line, sizeof(line), tsv) && n < 64) {
		char *tab = strchr(line, '\t'), *nl;

		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		if ((nl = strchr(tab + 1, '\n')) != NULL)
			*nl = '\0';
		paths[n] = tu_printf("examples/%s", line);
		times[n] = strdup(tab + 1);
		n++;
	}
	fclose(tsv);
	assert_true(n >= 10);
	fixture_setup(&fx, NULL);
	for (unsigned i = 0; i < n; i++) {
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		bool existed;
		uint64_t size;

		assert_true(fd >= 0);
		assert_int_equal(spool_store_fd(fx.app.spool, fd, 0, sha[i], &existed, &size, err, sizeof(err)), 0);
		close(fd);
	}
	for (unsigned i = 0; i < n; i++) {
		struct ahead_ctx c = { &fx.app.ingest, ahead && i + 1 < n ? sha[i + 1] : NULL, false };
		struct ingest_outcome o;
		struct ingest_time rt = { .source = "cli" };

		assert_int_equal(campaign_parse_time(times[i], &rt.t, &rt.offset_min), 0);
		worker_idle = ahead_step;
		worker_idle_ctx = &c;
		assert_int_equal(ingest_spooled(&fx.app.ingest, sha[i], &rt, &o, err, sizeof(err)), 0);
		worker_idle = NULL;
		worker_idle_ctx = NULL;
		if (fx.app.ingest.ahead)
			aheads++;
		free(paths[i]);
		free(times[i]);
	}
	assert_null(fx.app.ingest.ahead);
	/*
	 * An archive opened whole is not stored (its entries are); an
	 * attached one that could not be (06's encrypted zip, 07's refused
	 * entries, 08's bomb) is kept as sent, a nested one never.  Every stored file is there with its size.
	 */
	{
		sqlite3_stmt *st;
		unsigned containers = 0, kept = 0, stored = 0;

		assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
			"SELECT m.sha256, f.seq, f.container, f.stored, f.size, f.depth FROM files f"
			" JOIN messages m ON m.id = f.message", -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			char *p = tu_printf("%s/state/files/%s/%04d", fx.dir, sqlite3_column_text(st, 0),
			                    sqlite3_column_int(st, 1));
			bool has = sqlite3_column_type(st, 3) != SQLITE_NULL;
			struct stat sb;

			if (sqlite3_column_int(st, 2)) {
				containers++;
				if (has) {
					kept++;
					assert_int_equal(sqlite3_column_int(st, 5), 0);
				}
			}
			if (has) {
				stored++;
				assert_int_equal(stat(p, &sb), 0);
				assert_int_equal(sb.st_size, sqlite3_column_int64(st, 4));
			} else {
				assert_int_not_equal(stat(p, &sb), 0);
			}
			free(p);
		}
		sqlite3_finalize(st);
		assert_int_equal(kept, 3);
		assert_true(containers > kept);
		assert_true(stored > containers);
	}
	dump = ledger_dump(&fx);
	fixture_teardown(&fx);
	*aheads_r = aheads;
	return dump;
}

/* Parsing the next message while the current one is parsed changes
 * nothing that is recorded, and every message is recorded in turn. */
static void test_parse_ahead_records_the_same(void **state)
{
	unsigned a0, a1;
	char *one = ingest_examples_spooled(false, &a0);
	char *two = ingest_examples_spooled(true, &a1);

	(void)state;
	assert_int_equal(a0, 0);
	/* ingest_ahead() declines on a nearly full disk (256 MiB spare) */
	{
		struct statvfs sv;
		char *tmp = tu_tempdir();

		if (statvfs(tmp, &sv) == 0 && (unsigned long long)sv.f_bavail * sv.f_frsize > (1ULL << 30))
			assert_true(a1 >= 10);
		else
			fprintf(stderr, "# little free space under %s: parse ahead not required\n", tmp);
		tu_rmrf(tmp);
		free(tmp);
	}
	assert_string_equal(one, two);
	free(one);
	free(two);
}

/* A parse ahead nobody takes (the message was skipped after all) is
 * stopped and its work directory removed; the message is parsed again
 * when it does come. */
static void test_parse_ahead_not_taken(void **state)
{
	struct fixture fx;
	char sha_a[65], sha_b[65], err[512], *wd;
	struct ingest_outcome o;
	struct ahead_ctx c;
	struct stat sb;
	bool existed;
	uint64_t size;
	int fd;

	(void)state;
	fixture_setup(&fx, NULL);
	assert_int_equal(spool_store_buf(fx.app.spool, fine, sizeof(fine) - 1, sha_a, &existed, err, sizeof(err)), 0);
	fd = open("examples/01-zhuhui-foxmail-base-complete.eml", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(spool_store_fd(fx.app.spool, fd, 0, sha_b, &existed, &size, err, sizeof(err)), 0);
	close(fd);
	/* Not for the message being parsed, nor for one recorded. */
	c = (struct ahead_ctx){ &fx.app.ingest, sha_a, false };
	worker_idle = ahead_step;
	worker_idle_ctx = &c;
	assert_int_equal(ingest_spooled(&fx.app.ingest, sha_a, NULL, &o, err, sizeof(err)), 0);
	assert_null(fx.app.ingest.ahead);
	assert_false(ingest_ahead(&fx.app.ingest, sha_a));
	assert_null(fx.app.ingest.ahead);
	/* Started, then not taken: the next message is another one.  While
	 * it is ahead, the turn is taken for any other message. */
	assert_true(ingest_ahead(&fx.app.ingest, sha_b));
	assert_true(ingest_ahead(&fx.app.ingest, sha_b));
	assert_false(ingest_ahead(&fx.app.ingest, sha_a));
	assert_non_null(fx.app.ingest.ahead);
	wd = tu_printf("%s/state/work/%s", fx.dir, sha_b);
	assert_int_equal(stat(wd, &sb), 0);
	worker_idle = NULL;
	worker_idle_ctx = NULL;
	assert_int_equal(ingest_spooled(&fx.app.ingest, sha_a, NULL, &o, err, sizeof(err)), 0);
	assert_true(o.duplicate);
	assert_null(fx.app.ingest.ahead);
	assert_int_not_equal(stat(wd, &sb), 0);
	assert_int_equal(ingest_spooled(&fx.app.ingest, sha_b, NULL, &o, err, sizeof(err)), 0);
	assert_false(o.duplicate);
	assert_true(o.nfiles > 0);
	free(wd);
	fixture_teardown(&fx);
}

/* The parent forks the zygote once; every parse child is the zygote's.
 * A zygote that died is started again; worker_shutdown() reaps it. */
static void test_children_come_from_one_zygote(void **state)
{
	struct fixture fx;
	struct ingest_outcome o;
	int z1, z2;
	pid_t child = 0;

	(void)state;
	worker_shutdown();
	fixture_setup(&fx, NULL);
	assert_int_equal(worker_zygote_pid(), -1);
	assert_int_equal(fixture_ingest_buf(&fx, fine, sizeof(fine) - 1, NULL, &o), 0);
	z1 = worker_zygote_pid();
	assert_true(z1 > 0);
	assert_int_equal(tu_children(getpid(), &child), 1);
	assert_int_equal(child, z1);
	assert_int_equal(fixture_ingest(&fx, "examples/01-zhuhui-foxmail-base-complete.eml", NULL, &o), 0);
	assert_true(o.nfiles > 0);
	assert_int_equal(worker_zygote_pid(), z1);
	assert_int_equal(tu_children(getpid(), NULL), 1);
	/* Killed (an OOM kill, an administrator): the next parse starts
	 * another and goes on. */
	assert_int_equal(kill(z1, SIGKILL), 0);
	assert_int_equal(fixture_ingest(&fx, "examples/03-qidong-qq-personal-address.eml", NULL, &o), 0);
	assert_false(o.duplicate);
	z2 = worker_zygote_pid();
	assert_true(z2 > 0);
	assert_int_not_equal(z2, z1);
	worker_shutdown();
	assert_int_equal(worker_zygote_pid(), -1);
	assert_int_equal(tu_children(getpid(), NULL), 0);
	fixture_teardown(&fx);
}

/* A child over its wall-clock budget is killed; the message is recorded
 * with the reason, its raw bytes stay in the spool, intake goes on. */
static void test_child_over_time_limit_is_a_problem(void **state)
{
	size_t saved_min = mime_skeleton_min;
	struct fixture fx;
	struct ingest_outcome o, o2;
	char sha[65], path[512];
	char *big;
	json_t *sub;

	(void)state;
	fixture_setup(&fx, "parse_wall_seconds = 1\n");
	/*
	 * The child must need well over a second.  Since big messages are
	 * parsed as a skeleton and base64 is decoded at about 1 GB/s, a
	 * 160 MB attachment fits in it, so: 360 MB, parsed whole by libetpan
	 * (the forked child inherits the switch), about twice the budget; the
	 * 520 MB message also shows the child can map a message near
	 * max_message_bytes (worker-protocol, not worker-limit, before).
	 */
	big = big_message(fx.dir, 360u << 20, sha);
	mime_skeleton_min = SIZE_MAX;
	assert_int_equal(fixture_ingest(&fx, big, "2023-05-12T10:00:00+08:00", &o), 0);
	mime_skeleton_min = saved_min;
	sub = fixture_submission(&fx, o.message);
	assert_non_null(sub);
	assert_true(submission_has_problem(sub, "worker-limit"));
	assert_string_not_equal(json_string_value(json_object_get(sub, "status")), "accepted");
	json_decref(sub);
	assert_int_equal(access(spool_message_path(fx.app.spool, o.sha256, path, sizeof(path)), R_OK), 0);
	assert_int_equal(fixture_ingest_buf(&fx, fine, sizeof(fine) - 1, "2023-05-12T10:05:00+08:00", &o2), 0);
	assert_int_equal(o2.nfiles, 1);
	unlink(big);
	free(big);
	fixture_teardown(&fx);
}

/* ---- the text phase (issue 9) ---- */

/* A message carrying the files of tests/data/textract as base64
 * attachments, plus an inline logo of the letter. */
static char *docs_message(const char *dir, const char *const *files)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *path = tu_printf("%s/docs.eml", dir);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs("From: =?UTF-8?B?6ZuB5bOw5Yy65bel5L+h5bGA?= <yanfeng-gxj@hengyang.gov.example>\r\n"
	      "To: sme-intake@hengyang-gxj.example\r\nSubject: docs\r\nMessage-ID: <docs@test>\r\n"
	      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	      "--b\r\nContent-Type: multipart/related; boundary=\"r\"\r\n\r\n"
	      "--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>见附件<img src=\"cid:logo\"></p>\r\n"
	      "--r\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n", f);
	{
		size_t n;
		char *png = tu_read_file("tests/data/textract/licence.png", &n);
		assert_non_null(png);
		for (size_t i = 0; i < n; i += 57) {
			for (size_t j = i; j < i + 57 && j < n; j += 3) {
				unsigned v = (unsigned)(unsigned char)png[j] << 16 |
				             (j + 1 < n ? (unsigned)(unsigned char)png[j + 1] << 8 : 0) |
				             (j + 2 < n ? (unsigned char)png[j + 2] : 0);
				fputc(t[v >> 18 & 63], f);
				fputc(t[v >> 12 & 63], f);
				fputc(j + 1 < n ? t[v >> 6 & 63] : '=', f);
				fputc(j + 2 < n ? t[v & 63] : '=', f);
			}
			fputs("\r\n", f);
		}
		free(png);
	}
	fputs("--r--\r\n", f);
	for (const char *const *p = files; *p; p++) {
		char *src = tu_printf("tests/data/textract/%s", *p);
		size_t n;
		char *buf = tu_read_file(src, &n);

		assert_non_null(buf);
		fprintf(f, "--b\r\nContent-Type: application/octet-stream\r\n"
		        "Content-Disposition: attachment; filename=\"%s\"\r\n"
		        "Content-Transfer-Encoding: base64\r\n\r\n", *p);
		for (size_t i = 0; i < n; i += 57) {
			for (size_t j = i; j < i + 57 && j < n; j += 3) {
				unsigned v = (unsigned)(unsigned char)buf[j] << 16 |
				             (j + 1 < n ? (unsigned)(unsigned char)buf[j + 1] << 8 : 0) |
				             (j + 2 < n ? (unsigned char)buf[j + 2] : 0);
				fputc(t[v >> 18 & 63], f);
				fputc(t[v >> 12 & 63], f);
				fputc(j + 1 < n ? t[v >> 6 & 63] : '=', f);
				fputc(j + 2 < n ? t[v & 63] : '=', f);
			}
			fputs("\r\n", f);
		}
		free(buf);
		free(src);
	}
	fputs("--b--\r\n", f);
	fclose(f);
	return path;
}

static const struct worker_file *by_name(const struct worker_result *r, const char *name)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].name, name) == 0)
			return &r->files[i];
	fail_msg("no file %s", name);
	return NULL;
}

/* In the child, after it entered its sandbox: Landlock must be keeping
 * it from /etc (where the kernel has Landlock), so the OCR below ran
 * confined, not in a sandbox opened up for Tesseract. */
static void probe_confined(int workdir)
{
	int fd;

	(void)workdir;
	if (sandbox_landlock_abi() > 0 && (fd = open("/etc/passwd", O_RDONLY)) >= 0)
		_exit(9);
}

/* Parse path in a forked, sandboxed child with these limits. */
static void parse_with(const char *path, const char *dir, struct intake_limits *lim,
                       struct worker_result *r)
{
	char err[256] = "", *wd = tu_printf("%s/work-%u", dir, (unsigned)lim->ocr);
	int fd = open(path, O_RDONLY), wfd;

	tu_rmrf(wd);
	assert_int_equal(mkdir(wd, 0700), 0);
	wfd = open(wd, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0 && wfd >= 0);
	worker_sandbox_probe = probe_confined;
	if (worker_parse(fd, wfd, lim, true, r, err, sizeof(err)) != 0)
		fail_msg("worker_parse: %s", err);
	worker_sandbox_probe = NULL;
	close(fd);
	close(wfd);
	free(wd);
}

/*
 * The child reads each document's text and OCRs the scans inside its
 * sandbox (seccomp, Landlock: Tesseract's data under /usr is readable),
 * and the parent gets it with the file; the letter's inline logo is not
 * read; ocr = off leaves scans with a note.
 */
static void test_text_of_documents_and_scans(void **state)
{
	static const char *const files[] = { "form.docx", "text.pdf", "licence.png", "scan.pdf",
	                                     "encrypted.pdf", "list.csv", NULL };
	char *dir = tu_tempdir(), *path = docs_message(dir, files);
	struct intake_limits lim = { .ocr = LIMIT_OCR_ON };
	struct worker_result r;
	const struct worker_file *f;

	(void)state;
	if (!worker_ocr_data())
		skip();
	parse_with(path, dir, &lim, &r);
	assert_int_equal(r.outcome, WORKER_OK);
	f = by_name(&r, "form.docx");
	assert_true(f->text_done);
	assert_int_equal(f->text_source, TEXT_OOXML);
	assert_int_equal(f->text_confidence, 100);
	assert_non_null(strstr(f->text, "衡阳市科技企业孵化器认定申请表"));
	assert_non_null(strstr(f->text, "孵化场地面积\t12500\t平方米"));
	assert_int_equal(strlen(f->text), f->text_len);
	f = by_name(&r, "text.pdf");
	assert_int_equal(f->text_source, TEXT_PDF);
	assert_true(f->text_len > 0);
	/* The scans: Tesseract in the sandboxed child. */
	f = by_name(&r, "licence.png");
	assert_int_equal(f->text_source, TEXT_OCR);
	assert_non_null(strstr(f->text, "营业执照"));
	assert_true(f->text_confidence > 50);
	f = by_name(&r, "scan.pdf");
	assert_int_equal(f->text_source, TEXT_OCR);
	assert_non_null(strstr(f->text, "营业执照"));
	f = by_name(&r, "encrypted.pdf");
	assert_true(f->text_done);
	assert_null(f->text);
	assert_non_null(f->text_note);
	/* The letter's logo is no document. */
	for (size_t i = 0; i < r.nfiles; i++)
		if (r.files[i].body_image)
			assert_false(r.files[i].text_done);
	worker_result_free(&r);

	/* ocr = off: the scans keep a note, the documents their text. */
	lim = (struct intake_limits){ .ocr = LIMIT_OCR_OFF };
	parse_with(path, dir, &lim, &r);
	assert_int_equal(r.outcome, WORKER_OK);
	f = by_name(&r, "licence.png");
	assert_true(f->text_done);
	assert_int_equal(f->text_source, TEXT_NONE);
	assert_null(f->text);
	assert_non_null(f->text_note);
	assert_int_equal(by_name(&r, "form.docx")->text_source, TEXT_OOXML);
	worker_result_free(&r);
	unlink(path);
	free(path);
	tu_rmrf(dir);
	free(dir);
}

/* Bounds: text_bytes caps each text, text_files the files read; an OCR
 * budget (ocr_extra_seconds) too small for one more file skips OCR with a
 * note instead of letting the child be killed. */
static void test_text_bounds(void **state)
{
	static const char *const files[] = { "form.docx", "text.pdf", "licence.png", "sheet.xlsx", NULL };
	char *dir = tu_tempdir(), *path = docs_message(dir, files);
	struct intake_limits lim = { .ocr = LIMIT_OCR_ON, .text_bytes = 1024, .text_files = 3,
	                             .ocr_ms = 2000, .ocr_extra_seconds = 3 };
	struct worker_result r;
	const struct worker_file *f;

	(void)state;
	parse_with(path, dir, &lim, &r);
	assert_int_equal(r.outcome, WORKER_OK);
	for (size_t i = 0; i < r.nfiles; i++)
		assert_true(r.files[i].text_len <= 1024);
	/* 2000 + 2000 ms claimed for the first scan exceeds 3 s: not OCR'd. */
	f = by_name(&r, "licence.png");
	assert_true(f->text_done);
	assert_int_equal(f->text_source, TEXT_NONE);
	assert_non_null(strstr(f->text_note, "文字识别用时已达上限"));
	/* The fourth file is past text_files. */
	f = by_name(&r, "sheet.xlsx");
	assert_true(f->text_done);
	assert_null(f->text);
	assert_non_null(strstr(f->text_note, "超过 3 个"));
	worker_result_free(&r);
	unlink(path);
	free(path);
	tu_rmrf(dir);
	free(dir);
}

/* A message's CPU and wall-clock limits grow by what each OCR'd file
 * claims: one CPU second and two wall seconds are far too little for
 * Tesseract (about 2 s of CPU for this page), yet the scan is read and the
 * child is not killed. */
static void test_ocr_budget_grows_the_limits(void **state)
{
	static const char *const files[] = { "licence.png", "scan.pdf", NULL };
	char *dir = tu_tempdir(), *path = docs_message(dir, files);
	struct intake_limits lim = { .ocr = LIMIT_OCR_ON, .cpu_seconds = 1, .wall_seconds = 2,
	                             .ocr_ms = TU_ASAN ? 120000 : 20000 };
	struct worker_result r;

	(void)state;
	if (!worker_ocr_data())
		skip();
	parse_with(path, dir, &lim, &r);
	assert_int_equal(r.outcome, WORKER_OK);
	assert_int_equal(by_name(&r, "licence.png")->text_source, TEXT_OCR);
	assert_int_equal(by_name(&r, "scan.pdf")->text_source, TEXT_OCR);
	worker_result_free(&r);
	unlink(path);
	free(path);
	tu_rmrf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crashing_message_is_a_problem_and_intake_goes_on),
		cmocka_unit_test(test_same_bytes_twice_is_a_noop),
		cmocka_unit_test(test_parse_ahead_records_the_same),
		cmocka_unit_test(test_parse_ahead_not_taken),
		cmocka_unit_test(test_children_come_from_one_zygote),
		cmocka_unit_test(test_recovery_records_spooled_but_unrecorded),
		cmocka_unit_test(test_peak_rss_bounded_for_large_attachment),
		cmocka_unit_test(test_child_over_time_limit_is_a_problem),
		cmocka_unit_test(test_text_of_documents_and_scans),
		cmocka_unit_test(test_text_bounds),
		cmocka_unit_test(test_ocr_budget_grows_the_limits),
	};
	return cmocka_run_group_tests_name("worker", tests, NULL, NULL);
}

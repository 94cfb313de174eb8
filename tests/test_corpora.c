/*
 * Every message and archive of ../shared/corpora (public test data written
 * by other projects) through the whole pipeline: spool, parse child,
 * classification, ledger.  No local error, nothing lost, nothing written
 * outside the state directory, and the hard files of the corpora README
 * yield the right names and problems.  Prints the figures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ingest_fixture.h"
#include "testutil.h"

static struct fixture fx;
static unsigned n_messages, n_archives, n_dups;

static bool is_expected_output(const char *path)
{
	static const char *const skip_suffix[] = {
		".json", ".xml", ".out", "README.md", ".gitattributes", ".list",
		"ARTISTIC-LICENSE.txt", "COPYING", "README.txt", NULL
	};
	size_t n = strlen(path);

	for (const char *const *s = skip_suffix; *s; s++) {
		size_t k = strlen(*s);
		if (n >= k && strcmp(path + n - k, *s) == 0)
			return true;
	}
	/* mime4j's decoded bodies: X_decoded_1_2.txt / .bin */
	return strstr(path, "_decoded") != NULL;
}

static char *b64(const unsigned char *in, size_t n, size_t *len_r)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t cap = (n + 2) / 3 * 4 + n / 57 * 2 + 8, o = 0;
	char *out = malloc(cap);

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		             (i + 2 < n ? in[i + 2] : 0);
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
		if ((i / 3 + 1) % 19 == 0) {
			out[o++] = '\r';
			out[o++] = '\n';
		}
	}
	out[o] = '\0';
	*len_r = o;
	return out;
}

/* Wrap an archive as a county would send it: one base64 attachment. */
static char *wrap_archive(const char *name, const unsigned char *data, size_t n, size_t *len_r)
{
	size_t bl;
	char *body = b64(data, n, &bl), *msg;

	msg = tu_printf("From: corpus@test.example\r\nTo: sme-intake@hengyang-gxj.example\r\n"
	                "Subject: corpus archive %s\r\nMessage-ID: <%s@corpus.example>\r\n"
	                "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n"
	                "--=_b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件。\r\n"
	                "--=_b\r\nContent-Type: application/octet-stream; name=\"%s\"\r\n"
	                "Content-Disposition: attachment; filename=\"%s\"\r\n"
	                "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--=_b--\r\n",
	                name, name, name, name, body);
	free(body);
	*len_r = strlen(msg);
	return msg;
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct ingest_outcome o;
	(void)ftw;

	if (flag != FTW_F || !S_ISREG(st->st_mode) || is_expected_output(path))
		return 0;
	if (strstr(path, "/archives/")) {
		size_t n;
		unsigned char *data;
		char *name = strdup(strrchr(path, '/') + 1), *msg;
		size_t ml;
		if (strlen(name) > 3 && strcmp(name + strlen(name) - 3, ".uu") == 0) {
			name[strlen(name) - 3] = '\0';
			data = (unsigned char *)tu_uudecode_file(path, &n);
		} else {
			data = (unsigned char *)tu_read_file(path, &n);
		}
		assert_non_null(data);
		msg = wrap_archive(name, data, n, &ml);
		if (fixture_ingest_buf(&fx, msg, ml, "2023-05-12T10:00:00+08:00", &o) != 0)
			fail_msg("pipeline failed on %s", path);
		n_archives++;
		free(msg);
		free(data);
		free(name);
	} else {
		if (fixture_ingest(&fx, path, "2023-05-12T10:00:00+08:00", &o) != 0)
			fail_msg("pipeline failed on %s", path);
		n_messages++;
	}
	if (o.duplicate)
		n_dups++;
	else
		assert_true(o.message > 0);
	return 0;
}

static long long scalar(const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static bool file_named(const char *name)
{
	sqlite3_stmt *st;
	bool found;

	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
		"SELECT 1 FROM files WHERE name = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static bool problem_for(const char *subject_like, const char *kind)
{
	sqlite3_stmt *st;
	bool found;

	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
		"SELECT 1 FROM problems p JOIN messages m ON m.id = p.message"
		" WHERE m.subject LIKE ? AND p.kind = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, subject_like, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static void test_whole_corpora_through_pipeline(void **state)
{
	char *root = tu_printf("%s", tu_corpora());
	struct timespec t0, t1;
	struct rusage ru;
	sqlite3_stmt *st;

	(void)state;
	/* The corpora are MIME and archive samples: OCR of their pictures
	 * would time Tesseract, not this pipeline (it tripled the run);
	 * text layers are still read.  OCR is test_textract's, test_content's
	 * and test_ingest's. */
	fixture_setup(&fx, "ocr = off\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(nftw(root, visit, 32, FTW_PHYS), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(n_messages > 500);
	assert_true(n_archives > 200);

	/* Every distinct input is one message row; nothing lost. */
	assert_int_equal(scalar("SELECT count(*) FROM messages"), n_messages + n_archives - n_dups);
	/* Archive entry paths are cleaned; (MIME file names such as "/tmp/whoa"
	 * are only data: every file is stored under a name we chose.) */
	assert_int_equal(scalar("SELECT count(*) FROM files WHERE depth > 0 AND"
	                        " (path LIKE '%/../%' OR path LIKE '%/./%' OR path LIKE '%//%')"), 0);
	assert_int_equal(scalar("SELECT count(*) FROM files WHERE stored NOT GLOB '[0-9][0-9][0-9][0-9]*'"), 0);
	{
		sqlite3_stmt *ic;
		assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger), "PRAGMA integrity_check", -1, &ic, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(ic), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(ic, 0), "ok");
		sqlite3_finalize(ic);
	}

	/* Hard files (corpora README). */
	assert_true(file_named("[삼성생명]2020.08.14 데일리 경제뉴스.pdf"));
	assert_true(file_named("01029_402110_10620_RGT06902_PRT180ML_20200803_101820.pdf"));
	assert_true(file_named("中文路径.txt"));
	assert_true(file_named("七个房间.txt"));
	assert_true(problem_for("corpus archive zip-slip.zip", "path-refused"));
	assert_true(problem_for("corpus archive zip-slip-win.zip", "path-refused"));
	assert_true(problem_for("corpus archive zbsm.zip", "archive-bomb"));
	assert_true(problem_for("corpus archive test_symlink_dotdot.zip", "link-refused"));
	assert_true(problem_for("corpus archive test_leading_slash.tar", "path-refused"));

	getrusage(RUSAGE_CHILDREN, &ru);
	print_message("corpora: %u messages + %u archives (%u duplicate inputs) in %.1f s; "
	              "%lld files recorded; parse child peak RSS %ld MB\n",
	              n_messages, n_archives, n_dups,
	              (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	              scalar("SELECT count(*) FROM files"), ru.ru_maxrss / 1024);
	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
		"SELECT kind, count(*) FROM problems GROUP BY kind ORDER BY 2 DESC", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		print_message("  problem %-22s %lld\n", sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
		"SELECT kind, count(*) FROM messages GROUP BY kind ORDER BY 2 DESC", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		print_message("  message kind %-16s %lld\n", sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	fixture_teardown(&fx);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_corpora_through_pipeline),
	};
	return cmocka_run_group_tests_name("corpora", tests, NULL, NULL);
}

/*
 * Ledger schema v6 (issue 9: document text, assignment confidence, the
 * eligibility pre-check) over a populated v5 ledger: the migration keeps
 * every row, is recorded in schema_migrations like v3-v5, runs once, and
 * the staff tools read the old rows (no text) and the new ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_fixture.h"
#include "staff.h"
#include "testutil.h"

static long long q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *q_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	char *out = strdup(""), *n;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		n = tu_printf("%s%s\n", out, v ? v : "NULL");
		free(out);
		out = n;
	}
	sqlite3_finalize(st);
	return out;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *e = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
		fail_msg("%s: %s", sql, e ? e : "?");
}

/* What a v5 intake wrote: the examples ingested, then everything of v6
 * taken away again (tables, columns, index, its schema_migrations row). */
static void make_v5(struct fixture *fx, char **ledger_r, long long counts[4])
{
	sqlite3 *db;

	fixture_setup(fx, FIXTURE_OCR_OFF);
	assert_true(fixture_ingest_examples(fx) > 5);
	*ledger_r = tu_printf("%s/state/intake.db", fx->dir);
	app_close(&fx->app);
	assert_int_equal(sqlite3_open(*ledger_r, &db), SQLITE_OK);
	exec_ok(db, "BEGIN; DROP TABLE file_text; DROP TABLE eligibility; DROP INDEX dossiers_credit_code;"
	            " ALTER TABLE assignments DROP COLUMN confidence;"
	            " ALTER TABLE assignments DROP COLUMN by_content;"
	            " DELETE FROM schema_migrations WHERE version = 6; PRAGMA user_version = 5; COMMIT");
	/* A v5 ledger had credit_code (since v1) but never filled it. */
	exec_ok(db, "UPDATE dossiers SET credit_code = NULL");
	assert_int_equal(q_int(db, "PRAGMA user_version"), 5);
	assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'file_text'"), 0);
	counts[0] = q_int(db, "SELECT count(*) FROM messages");
	counts[1] = q_int(db, "SELECT count(*) FROM files");
	counts[2] = q_int(db, "SELECT count(*) FROM assignments");
	counts[3] = q_int(db, "SELECT count(*) FROM dossiers");
	sqlite3_close(db);
}

static void test_v5_to_v6(void **state)
{
	struct fixture fx;
	char err[1024] = "", *ledger, *s;
	long long before[4];
	sqlite3 *db;
	json_t *d;

	(void)state;
	make_v5(&fx, &ledger, before);
	/* The next writer migrates. */
	if (app_load(&fx.app, fx.conf, err, sizeof(err)) != 0 ||
	    app_open_state(&fx.app, false, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(sqlite3_open(ledger, &db), SQLITE_OK);
	assert_int_equal(q_int(db, "PRAGMA user_version"), 6);
	s = q_text(db, "SELECT version FROM schema_migrations ORDER BY version");
	assert_string_equal(s, "1\n2\n3\n4\n5\n6\n");
	free(s);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), before[0]);
	assert_int_equal(q_int(db, "SELECT count(*) FROM files"), before[1]);
	assert_int_equal(q_int(db, "SELECT count(*) FROM assignments"), before[2]);
	assert_int_equal(q_int(db, "SELECT count(*) FROM dossiers"), before[3]);
	/* Old assignments: no confidence, not by content; no text rows. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM assignments WHERE confidence IS NOT NULL OR by_content <> 0"), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM file_text"), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM eligibility"), 0);
	sqlite3_close(db);

	/* show reads an old dossier: no text, no code, no pre-check. */
	d = staff_show(fx.app.ledger, fx.app.camp, 1, err, sizeof(err));
	assert_non_null(d);
	assert_true(json_is_null(json_object_get(d, "credit_code")));
	assert_int_equal(json_array_size(json_object_get(d, "eligibility")), 0);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(d, "files"), 0), "text")));
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(d, "files"), 0), "by_content")));
	json_decref(d);

	/* New rows go in beside the old ones; reopening runs nothing again. */
	{
		struct ledger_text t = { .source = "pdf", .confidence = 100, .pages = 1,
		                         .text = "营业执照\n统一社会信用代码\t91430400MA4L3C8R4Q", .text_len = 0 };
		t.text_len = strlen(t.text);
		assert_int_equal(ledger_begin(fx.app.ledger), 0);
		assert_int_equal(ledger_insert_text(fx.app.ledger, 1, &t), 0);
		assert_int_equal(ledger_assign_ex(fx.app.ledger, 1, "B02", "内容含“营业执照”", "machine", 87, true), 0);
		assert_int_equal(ledger_set_credit_code(fx.app.ledger, 1, "91430400MA4L3C8R4Q"), 1);
		assert_int_equal(ledger_set_credit_code(fx.app.ledger, 1, "91430400MA4L3C8R4Q"), 0);
		assert_int_equal(ledger_commit(fx.app.ledger), 0);
	}
	app_close(&fx.app);
	if (app_load(&fx.app, fx.conf, err, sizeof(err)) != 0 ||
	    app_open_state(&fx.app, false, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(sqlite3_open(ledger, &db), SQLITE_OK);
	assert_int_equal(q_int(db, "SELECT count(*) FROM schema_migrations WHERE version = 6"), 1);
	assert_int_equal(q_int(db, "SELECT confidence FROM assignments WHERE file = 1 AND current = 1"), 87);
	assert_int_equal(q_int(db, "SELECT text_len FROM file_text WHERE file = 1"), 56);
	sqlite3_close(db);
	free(ledger);
	fixture_teardown(&fx);
}

/* A text longer than the excerpt is cut on a character boundary. */
static void test_text_excerpt_cut(void **state)
{
	struct fixture fx;
	char *big = malloc(LEDGER_TEXT_EXCERPT * 2), *ledger;
	sqlite3 *db;
	size_t n = 0;

	(void)state;
	fixture_setup(&fx, FIXTURE_OCR_OFF);
	assert_true(fixture_ingest_examples(&fx) > 0);
	/* "申" is 3 bytes: 4096 is not a multiple of 3. */
	while (n + 3 <= LEDGER_TEXT_EXCERPT * 2 - 1) {
		memcpy(big + n, "申", 3);
		n += 3;
	}
	big[n] = '\0';
	{
		struct ledger_text t = { .source = "ooxml", .confidence = 100, .text = big, .text_len = n };
		assert_int_equal(ledger_begin(fx.app.ledger), 0);
		assert_int_equal(ledger_insert_text(fx.app.ledger, 1, &t), 0);
		assert_int_equal(ledger_commit(fx.app.ledger), 0);
	}
	ledger = tu_printf("%s/state/intake.db", fx.dir);
	assert_int_equal(sqlite3_open(ledger, &db), SQLITE_OK);
	assert_int_equal(q_int(db, "SELECT length(CAST(excerpt AS BLOB)) FROM file_text WHERE file = 1"), 4095);
	assert_int_equal(q_int(db, "SELECT truncated FROM file_text WHERE file = 1"), 1);
	assert_int_equal(q_int(db, "SELECT text_len FROM file_text WHERE file = 1"), (long long)n);
	sqlite3_close(db);
	free(ledger);
	free(big);
	fixture_teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v5_to_v6),
		cmocka_unit_test(test_text_excerpt_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The service's health and privacy tools, end to end through the
 * programs: intaked --check-config against a real Dovecot (good, wrong
 * password, broken config, broken campaign); intakectl status healthy and
 * unhealthy, with its exit code and --json keys; the retention purge from
 * intakectl (dry run first) and from intaked; a ledger of schema version 2
 * read by status and migrated; and the system calls intaked and intakectl
 * make, under strace, all allowed by the units' SystemCallFilter=.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imapd_fixture.h"
#include "testutil.h"

static char *dir, *ctl;
static struct imapd d;

/* 2023-05-12T10:00:00+08:00: long past any retention period. */
#define OLD_RECEIVED 1683856800LL

static int setup(void **state)
{
	char *imapdir;

	(void)state;
	dir = tu_tempdir();
	chmod(dir, 0711);
	imapdir = tu_printf("%s/imapd", dir);
	mkdir(imapdir, 0755);
	if (imapd_start(&d, imapdir, NULL) != 0)
		return -1;
	free(imapdir);
	ctl = tu_printf("%.*sintakectl", (int)(strlen(intaked_path()) - strlen("intaked")),
	                intaked_path());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	imapd_stop(&d);
	tu_rmrf(dir);
	free(d.dir);
	free(dir);
	free(ctl);
	return 0;
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_check_config_good(void **state)
{
	char *conf = tu_printf("%s/good.conf", dir), *out = NULL;
	int rc;

	(void)state;
	imapd_write_conf(&d, conf, "/nonexistent-state", "starttls", NULL, NULL);
	rc = tu_run(&out, "%s --check-config -c %s", intaked_path(), conf);
	fprintf(stderr, "%s", out);
	assert_int_equal(rc, 0);
	assert_int_equal(count_lines(out), 5);
	assert_non_null(strstr(out, ": ok\ncampaign "));
	/* The OCR state: on here when the chi_sim data is installed. */
	assert_non_null(strstr(out, access("/usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata", R_OK) == 0
	                            ? "\nocr: on (auto: data /usr/share/tesseract-ocr/" : "\nocr: off ("));
	assert_non_null(strstr(out, "(starttls): ok, login bureau"));
	assert_non_null(strstr(out, "smtp: not configured"));
	free(out);
	free(conf);
}

static void test_check_config_wrong_password(void **state)
{
	char *conf = tu_printf("%s/wrongpw.conf", dir), *pw = tu_printf("%s/wrongpw", dir);
	char *extra = tu_printf("password_file = %s\n", pw), *out = NULL;
	int rc;

	(void)state;
	tu_write_file(pw, "not-the-password\n", 17);
	imapd_write_conf(&d, conf, "/nonexistent-state", "starttls", NULL, extra);
	rc = tu_run(&out, "%s --check-config -c %s", intaked_path(), conf);
	fprintf(stderr, "%s", out);
	assert_int_equal(rc, 1);
	assert_int_equal(count_lines(out), 5);
	assert_non_null(strstr(out, "(starttls): FAILED: "));
	assert_null(strstr(out, "not-the-password"));
	free(out);
	free(extra);
	free(pw);
	free(conf);
}

static void test_check_config_broken(void **state)
{
	char *conf = tu_printf("%s/broken.conf", dir), *out = NULL;
	char *text;
	int rc;

	(void)state;
	text = tu_printf("[intake]\nstate_dir = /x\ncampaign = /x\nbogus = 1\n");
	tu_write_file(conf, text, strlen(text));
	free(text);
	rc = tu_run(&out, "%s --check-config -c %s", intaked_path(), conf);
	fprintf(stderr, "%s", out);
	assert_int_equal(rc, 2);
	assert_int_equal(count_lines(out), 1);
	assert_true(strncmp(out, "config ", 7) == 0);
	assert_non_null(strstr(out, ": FAILED: "));
	assert_non_null(strstr(out, "bogus"));
	free(out);
	/* A campaign that is not there: the config line passes, that one not. */
	text = tu_printf("[intake]\nstate_dir = /x\ncampaign = /nonexistent/campaign.conf\n");
	tu_write_file(conf, text, strlen(text));
	free(text);
	rc = tu_run(&out, "%s --check-config -c %s", intaked_path(), conf);
	fprintf(stderr, "%s", out);
	assert_int_equal(rc, 2);
	assert_int_equal(count_lines(out), 2);
	assert_non_null(strstr(out, ": ok\ncampaign /nonexistent/campaign.conf: FAILED: "));
	free(out);
	free(conf);
}

static json_t *status_json(const char *conf, int *rc_r)
{
	char *out = NULL;
	json_error_t e;
	json_t *j;

	*rc_r = tu_run(&out, "%s -c %s status --json 2>/dev/null", ctl, conf);
	j = json_loads(out, 0, &e);
	if (!j)
		fprintf(stderr, "status --json: %s\n%s\n", e.text, out);
	assert_non_null(j);
	free(out);
	return j;
}

static bool has_problem(const json_t *st, const char *part)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(st, "problems"), i, p)
		if (strstr(json_string_value(p), part))
			return true;
	return false;
}

static long long sql_int(const char *state, const char *sql)
{
	return ledger_int(state, sql);
}

static void sql_exec(const char *state, const char *sql)
{
	assert_int_equal(tu_run(NULL, "sqlite3 %s/intake.db \"%s\"", state, sql), 0);
}

static unsigned count_files(const char *root)
{
	size_t n;
	char **v = tu_list_files(root, &n);

	tu_free_list(v, n);
	return (unsigned)n;
}

/*
 * intaked over IMAP with retention_days = 30: old mail has its extracted
 * files purged by the daemon itself, status says healthy, then each kind
 * of trouble makes it say unhealthy.  The same run, under strace, gives
 * the system calls that the units must allow.
 */
static void test_daemon_status_and_retention(void **state)
{
	char *conf = tu_printf("%s/daemon.conf", dir), *st = tu_printf("%s/state-daemon", dir);
	char *log = tu_printf("%s/intaked.log", dir), *trace = tu_printf("%s/strace.log", dir);
	char *files = tu_printf("%s/files", st), *spool = tu_printf("%s/spool", st);
	char *out = NULL;
	bool traced = !TU_ASAN && tu_run(NULL, "strace -V") == 0;
	json_t *j;
	int rc;

	(void)state;
	imapd_write_conf(&d, conf, st, "starttls", NULL, "poll_interval = 5\n[intake]\nretention_days = 30\n");
	/* Never ran: unhealthy. */
	j = status_json(conf, &rc);
	assert_int_equal(rc, 1);
	assert_false(json_is_true(json_object_get(j, "healthy")));
	json_decref(j);
	imapd_deliver(&d, "examples/01-zhuhui-foxmail-base-complete.eml", (time_t)OLD_RECEIVED);
	imapd_deliver(&d, "examples/02-yanfeng-outlook-gbk-zip-institution.eml", (time_t)OLD_RECEIVED);
	imapd_deliver(&d, "examples/05-leiyang-thunderbird-7z-nested-zips.eml", 0);
	rc = tu_run(&out, "%s%s %s -c %s --once", traced ? "strace -f -qq -o " : "",
	            traced ? trace : "", intaked_path(), conf);
	fprintf(stderr, "%s", out);
	free(out);
	assert_int_equal(rc, 0);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM messages"), 3);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM audit WHERE who = 'retention'"
	                             " AND action = 'purge-files'"), 2);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM messages WHERE files_purged_at IS NOT NULL"), 2);
	assert_true(sql_int(st, "SELECT last_purge_at FROM daemon_status") > 0);
	/* The recent message keeps its files; every raw message stays. */
	assert_true(count_files(files) > 0);
	assert_int_equal(count_files(spool), 3);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM messages m WHERE m.files_purged_at IS NULL"
	                             " AND EXISTS (SELECT 1 FROM files f WHERE f.message = m.id"
	                             " AND f.stored IS NOT NULL)"), 1);

	j = status_json(conf, &rc);
	{
		char *dump = json_dumps(j, JSON_INDENT(1));
		fprintf(stderr, "%s\n", dump);
		free(dump);
	}
	assert_int_equal(rc, 0);
	assert_true(json_is_true(json_object_get(j, "healthy")));
	assert_int_equal(json_array_size(json_object_get(j, "problems")), 0);
	assert_true(json_is_string(json_object_get(json_object_get(j, "daemon"), "last_ok_at")));
	assert_true(json_is_string(json_object_get(json_object_get(j, "daemon"), "last_poll_at")));
	assert_true(json_is_integer(json_object_get(json_object_get(j, "deadline"), "days_left")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "messages"), "recorded")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "messages"), "quarantined")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "messages"),
	                                                    "unrecorded_in_spool")), 0);
	assert_true(json_integer_value(json_object_get(json_object_get(j, "disk"), "spool_bytes")) > 0);
	assert_true(json_integer_value(json_object_get(json_object_get(j, "disk"), "db_bytes")) > 0);
	/* No [smtp]: nothing composed, nothing waiting. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "replies"), "pending")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "retention"),
	                                                    "purged_messages")), 2);
	json_decref(j);
	/* The text for staff says the same. */
	rc = tu_run(&out, "%s -c %s status", ctl, conf);
	fprintf(stderr, "%s", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "正常"));
	free(out);

	/* No successful poll for longer than 3 x poll_interval + 60 s. */
	sql_exec(st, "UPDATE daemon_status SET last_ok_at = last_ok_at - 1000");
	j = status_json(conf, &rc);
	assert_int_equal(rc, 1);
	assert_true(has_problem(j, "no successful poll"));
	json_decref(j);
	sql_exec(st, "UPDATE daemon_status SET last_ok_at = last_ok_at + 1000");
	/* The latest cycle failed. */
	sql_exec(st, "UPDATE daemon_status SET last_error_at = last_ok_at + 1,"
	             " last_error = 'IMAP connect failed'");
	j = status_json(conf, &rc);
	assert_int_equal(rc, 1);
	assert_true(has_problem(j, "last cycle failed: IMAP connect failed"));
	json_decref(j);
	sql_exec(st, "UPDATE daemon_status SET last_error_at = NULL, last_error = NULL");
	/* A quarantined message. */
	sql_exec(st, "INSERT INTO fetch_attempts VALUES ('INBOX', 1, 99, 5, 'bad', 0, 1, 1)");
	j = status_json(conf, &rc);
	assert_int_equal(rc, 1);
	assert_true(has_problem(j, "1 message(s) quarantined"));
	json_decref(j);
	sql_exec(st, "DELETE FROM fetch_attempts");
	/* As if intaked had just polled again (a slow machine may have taken
	 * longer than the staleness limit to get here). */
	sql_exec(st, "UPDATE daemon_status SET last_ok_at = strftime('%s', 'now'),"
	             " last_poll_at = strftime('%s', 'now')");
	j = status_json(conf, &rc);
	if (rc != 0) {
		char *txt = json_dumps(json_object_get(j, "problems"), 0);

		fprintf(stderr, "problems: %s\n", txt);
		free(txt);
	}
	assert_int_equal(rc, 0);
	json_decref(j);

	if (traced) {
		/* intakectl as the report unit runs it (status, purge). */
		rc = tu_run(NULL, "strace -f -qq -o %s.ctl %s -c %s status; strace -f -qq -o %s.ctl2 %s -c %s"
		            " purge; cat %s.ctl2 >> %s.ctl", trace, ctl, conf, trace, ctl, conf, trace, trace);
		/* Run as root here, so SQLite's fchown and the parse child's drop
		 * to parse_user appear; under the unit (User=intake) they do not. */
		rc = tu_run(&out, "sh tests/service/syscalls.sh systemd/intaked.service.in %s"
		            " fchown setgroups setresgid setresuid setuid", trace);
		fprintf(stderr, "intaked: %s", out);
		assert_int_equal(rc, 0);
		free(out);
		rc = tu_run(&out, "grep -c 'prlimit64\\|setrlimit' %s", trace);
		assert_true(atoi(out) >= 5);   /* the parse child's limits */
		free(out);
		rc = tu_run(&out, "sh tests/service/syscalls.sh systemd/intake-report.service.in %s.ctl fchown",
		            trace);
		fprintf(stderr, "intakectl: %s", out);
		assert_int_equal(rc, 0);
		free(out);
	} else {
		fprintf(stderr, "system calls not checked (no strace, or a sanitizer build)\n");
	}
	free(conf);
	free(st);
	free(log);
	free(trace);
	free(files);
	free(spool);
}

static char *offline_conf(const char *name, const char *extra, char **state_r)
{
	char *conf = tu_printf("%s/%s.conf", dir, name), *cwd = getcwd(NULL, 0);
	char *text;

	*state_r = tu_printf("%s/state-%s", dir, name);
	text = tu_printf("[intake]\nstate_dir = %s\ncampaign = %s/campaigns/hengyang-2023.conf\n%s",
	                 *state_r, cwd, extra);
	tu_write_file(conf, text, strlen(text));
	free(text);
	free(cwd);
	return conf;
}

static void test_purge_cli(void **state)
{
	char *st, *conf = offline_conf("purge", "retention_days = 30\n", &st);
	char *files = tu_printf("%s/files", st), *out = NULL, *before, *after;
	json_t *j;
	int rc;

	(void)state;
	assert_int_equal(tu_run(&out, "%s -c %s ingest --received 2023-05-12T10:00:00+08:00"
	                        " examples/01-zhuhui-foxmail-base-complete.eml"
	                        " examples/02-yanfeng-outlook-gbk-zip-institution.eml"
	                        " examples/04-hengnan-wps-raw-gbk-headers.eml && %s -c %s ingest"
	                        " --received $(date +%%Y-%%m-%%dT%%H:%%M:%%S+08:00 -d @$(date +%%s))"
	                        " examples/05-leiyang-thunderbird-7z-nested-zips.eml",
	                        ctl, conf, ctl, conf), 0);
	free(out);
	before = ledger_text(st, "SELECT id, ifnull(files_purged_at, '-') FROM messages ORDER BY id");
	tu_run(&out, "cd %s && find . | sort | xargs ls -ld --time-style=+%%s | md5sum", files);
	/* Dry run: lists, changes nothing. */
	rc = tu_run(&after, "%s -c %s purge --dry-run", ctl, conf);
	fprintf(stderr, "%s", after);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(after, "试运行：3 封"));
	free(after);
	tu_run(&after, "cd %s && find . | sort | xargs ls -ld --time-style=+%%s | md5sum", files);
	assert_string_equal(out, after);
	free(after);
	free(out);
	after = ledger_text(st, "SELECT id, ifnull(files_purged_at, '-') FROM messages ORDER BY id");
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM audit"), 0);
	/* The purge. */
	rc = tu_run(&out, "%s -c %s purge", ctl, conf);
	fprintf(stderr, "%s", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "3 封邮件的提取文件"));
	free(out);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM audit WHERE who = 'retention'"
	                             " AND action = 'purge-files' AND target IN (SELECT sha256 FROM messages)"), 3);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM messages"), 4);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM messages WHERE files_purged_at IS NOT NULL"
	                             " AND received_at = 1683856800"), 3);
	{
		char *spool = tu_printf("%s/spool", st);
		assert_int_equal(count_files(spool), 4);
		free(spool);
	}
	/* Only the recent message's files are left. */
	out = ledger_text(st, "SELECT sha256 FROM messages WHERE files_purged_at IS NULL");
	out[strcspn(out, "\n")] = '\0';
	{
		size_t n;
		char **v = tu_list_files(files, &n);

		assert_true(n > 0);
		for (size_t i = 0; i < n; i++)
			assert_non_null(strstr(v[i], out));
		tu_free_list(v, n);
	}
	free(out);
	/* What staff see. */
	tu_run(&out, "%s -c %s submissions --json", ctl, conf);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_true(json_is_string(json_object_get(json_array_get(j, 0), "files_purged_at")));
	assert_true(json_is_null(json_object_get(json_array_get(j, 3), "files_purged_at")));
	json_decref(j);
	free(out);
	tu_run(&out, "%s -c %s submissions", ctl, conf);
	assert_non_null(strstr(out, "purged by retention policy"));
	free(out);
	/* Nothing more to do the second time; status (no [imap]) is healthy. */
	rc = tu_run(&out, "%s -c %s purge", ctl, conf);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "0 封"));
	free(out);
	j = status_json(conf, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "retention"),
	                                                    "purged_messages")), 3);
	json_decref(j);
	free(before);
	free(files);
	free(conf);
	free(st);
}

static void test_purge_without_policy(void **state)
{
	char *st, *conf = offline_conf("nopolicy", "", &st), *out = NULL;

	(void)state;
	assert_int_equal(tu_run(&out, "%s -c %s purge", ctl, conf), 0);
	assert_non_null(strstr(out, "retention_days not set"));
	free(out);
	assert_int_equal(tu_run(&out, "%s -c %s purge --bogus", ctl, conf), 2);
	free(out);
	free(conf);
	free(st);
}

/* A ledger written before version 5 (user_version 2; v6 is taken away too, no schema_migrations):
 * status reads it as it is; the next writer migrates it. */
static void test_ledger_from_v2(void **state)
{
	char *st, *conf = offline_conf("v2", "", &st), *out = NULL;
	json_t *j;
	int rc;

	(void)state;
	assert_int_equal(tu_run(&out, "%s -c %s ingest --received 2023-05-12T10:00:00+08:00"
	                        " examples/01-zhuhui-foxmail-base-complete.eml", ctl, conf), 0);
	free(out);
	sql_exec(st, "DROP TABLE schema_migrations; DROP TABLE daemon_status; DROP TABLE replies;"
	             " DROP TABLE file_text; DROP TABLE eligibility; DROP INDEX dossiers_credit_code;"
	             " ALTER TABLE assignments DROP COLUMN confidence;"
	             " ALTER TABLE assignments DROP COLUMN by_content;"
	             " ALTER TABLE messages DROP COLUMN files_purged_at;"
	             " ALTER TABLE messages DROP COLUMN no_reply_reason; PRAGMA user_version = 2");
	j = status_json(conf, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "messages"), "recorded")), 1);
	json_decref(j);
	assert_int_equal(sql_int(st, "PRAGMA user_version"), 2);
	assert_int_equal(tu_run(&out, "%s -c %s submissions --json", ctl, conf), 0);
	free(out);
	assert_int_equal(sql_int(st, "PRAGMA user_version"), 6);
	out = ledger_text(st, "SELECT version FROM schema_migrations ORDER BY version");
	assert_string_equal(out, "1\n2\n3\n4\n5\n6\n");
	free(out);
	free(conf);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: it delivers the mail that makes INBOX exist. */
		cmocka_unit_test(test_daemon_status_and_retention),
		cmocka_unit_test(test_check_config_good),
		cmocka_unit_test(test_check_config_wrong_password),
		cmocka_unit_test(test_check_config_broken),
		cmocka_unit_test(test_purge_cli),
		cmocka_unit_test(test_purge_without_policy),
		cmocka_unit_test(test_ledger_from_v2),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * The SMTP-dependent staff commands, through bin/intakectl against a real
 * SMTP server on 127.0.0.1 (aiosmtpd, tests/smtp_sink.py), the captured
 * mail read back with Python's email package (tests/parse_mail.py):
 *   report --mail   recipients, decoded subject, Auto-Submitted, the HTML
 *                   report, the XLSX attachment (Chinese RFC 2231 name, a
 *                   valid zip with the Annex sheets), the audit row; a
 *                   refused recipient, SMTP down, bad recipient config;
 *   assign --notify on the examples ledger: one updated reply, marked, of
 *                   the right kind, In-Reply-To the county's message, the
 *                   original kept; nothing for a late dossier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest_fixture.h"
#include "outbox.h"
#include "reply.h"
#include "smtpsink.h"
#include "testutil.h"

#define OUR_FROM "sme-intake@hengyang-gxj.example"
#define CHIEF "chief@hengyang-gxj.example"
#define DEPUTY "deputy@hengyang-gxj.example"

static struct fixture fx;
static struct sink sink;
static char *bin, *mail;

static int teardown(void **state)
{
	(void)state;
	if (sink.pid > 0)
		sink_stop(&sink);
	fixture_teardown(&fx);
	free(bin);
	free(mail);
	bin = mail = NULL;
	return 0;
}

static char *conf_text(unsigned port, const char *recipients)
{
	return tu_printf(FIXTURE_OCR_OFF "[smtp]\nhost = 127.0.0.1\nport = %u\nsecurity = none\nfrom = " OUR_FROM "\n"
	                 "timeout = 5\n%s%s%s", port, recipients ? "[report]\nrecipients = " : "",
	                 recipients ? recipients : "", recipients ? "\n" : "");
}

/* The examples ingested with the sink up; the state lock let go so that
 * bin/intakectl can take it. */
static void start(const char *const *sink_args, const char *recipients)
{
	const char *b = getenv("INTAKE_BIN");
	char cwd[4096], *conf, *dir = tu_tempdir();

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	bin = b && *b == '/' ? tu_printf("%s/intakectl", b) : tu_printf("%s/%s/intakectl", cwd, b && *b ? b : "bin");
	mail = tu_printf("%s/mail", dir);
	free(dir);
	sink_start(&sink, mail, 0, sink_args);
	conf = conf_text(sink.port, recipients);
	fixture_setup(&fx, conf);
	free(conf);
	assert_int_equal(fixture_ingest_examples(&fx), 20);
}

static void let_go(void)
{
	ledger_close(&fx.app.ledger);
	spool_close(&fx.app.spool);
}

static void take_back(void)
{
	char err[512];

	if (app_open_state(&fx.app, false, err, sizeof(err)) != 0)
		fail_msg("reopen: %s", err);
}

/* Another config file for the same state: other [smtp] port, recipients. */
static char *other_conf(unsigned port, const char *recipients)
{
	char cwd[4096], *path = tu_printf("%s/other-%u.conf", fx.dir, port), *smtp = conf_text(port, recipients);
	char *text;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	text = tu_printf("[intake]\nstate_dir = %s/state\ncampaign = %s/campaigns/hengyang-2023.conf\n%s",
	                 fx.dir, cwd, smtp);
	assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
	free(text);
	free(smtp);
	return path;
}

static int run(char **out_r, const char *fmt, ...)
{
	va_list ap;
	char *cmd = NULL, *full, *path, *out;
	size_t len;
	int st;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	full = tu_printf("%s > %s/cli.out 2>&1", cmd, fx.dir);
	st = system(full);
	path = tu_printf("%s/cli.out", fx.dir);
	out = tu_read_file(path, &len);
	free(path);
	free(full);
	free(cmd);
	if (out_r)
		*out_r = out;
	else
		free(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static bool has(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle) != NULL;
}

#define assert_has(hay, needle) do { \
		if (!has((hay), (needle))) \
			fail_msg("\"%s\" not found in:\n%s", (needle), (hay) ? (hay) : "(null)"); \
	} while (0)

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long sql_int(const char *sql, long long arg)
{
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger), sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static char *sql_text(const char *sql, long long arg)
{
	sqlite3_stmt *st;
	char *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger), sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		s = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

static bool has_string(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strstr(json_string_value(v), s))
			return true;
	return false;
}

/* ---- report --mail ---- */

static void test_report_mail(void **state)
{
	json_t *cap, *m, *att, *env;
	char *out, *raw, *path, *detail;
	size_t i, len;

	(void)state;
	start(NULL, CHIEF ",  " DEPUTY);
	let_go();
	assert_int_equal(run(&out, "%s -c %s report --mail --date 2023-05-15 --by 测试员", bin, fx.conf), 0);
	assert_has(out, "2/2");
	print_message("%s", out);
	free(out);
	/* one transaction per recipient, the same message */
	assert_true(sink_wait_count(mail, 2, 5000));
	cap = sink_parse(mail);
	assert_int_equal(json_array_size(cap), 2);
	assert_string_equal(jstr(json_array_get(cap, 0), "message_id"), jstr(json_array_get(cap, 1), "message_id"));
	json_array_foreach(cap, i, m) {
		env = json_object_get(m, "envelope");
		assert_string_equal(jstr(env, "mail_from"), OUR_FROM);
		assert_int_equal(json_array_size(json_object_get(env, "rcpt_tos")), 1);
		assert_string_equal(json_string_value(json_array_get(json_object_get(env, "rcpt_tos"), 0)),
		                    i == 0 ? CHIEF : DEPUTY);
		assert_true(json_has_string(json_object_get(m, "to"), CHIEF));
		assert_true(json_has_string(json_object_get(m, "to"), DEPUTY));
		assert_string_equal(jstr(m, "from_addr"), OUR_FROM);
		assert_string_equal(jstr(m, "subject"), "【申报材料接收日报】2023年5月15日（截止还有4天）");
		assert_string_equal(jstr(m, "auto_submitted"), "auto-generated");
		assert_true(reply_is_ours(jstr(m, "message_id") + 1, OUR_FROM));
		assert_non_null(jstr(m, "date"));
		assert_has(jstr(m, "date"), "+0800");
		assert_string_equal(jstr(m, "content_type"), "multipart/mixed");
		assert_true(json_has_string(json_object_get(m, "content_types"), "multipart/alternative"));
		assert_true(json_has_string(json_object_get(m, "content_types"), "text/plain"));
		assert_true(json_has_string(json_object_get(m, "content_types"), "text/html"));
		assert_int_equal(json_array_size(json_object_get(m, "defects")), 0);
		assert_true(json_integer_value(json_object_get(m, "max_line")) < 998);
		assert_int_equal(json_integer_value(json_object_get(m, "bare_lf")), 0);
		/* the text summary */
		assert_has(jstr(m, "body"), "申报材料接收日报");
		assert_has(jstr(m, "body"), "截止还有4天");
		assert_has(jstr(m, "body"), "尚未报送的县市区、园区");
		/* the HTML report with the county table */
		assert_has(jstr(m, "html"), "<table>");
		assert_has(jstr(m, "html"), "各县市区、园区报送情况");
		assert_has(jstr(m, "html"), "珠晖区");
		assert_has(jstr(m, "html"), "常宁市宜潭众创空间运营有限公司");
		/* the XLSX */
		assert_int_equal(json_array_size(json_object_get(m, "attachments")), 1);
		att = json_array_get(json_object_get(m, "attachments"), 0);
		assert_string_equal(jstr(att, "content_type"),
		                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
		assert_string_equal(jstr(att, "filename"), "衡阳市申报材料接收日报-2023-05-15.xlsx");
		assert_true(json_is_true(json_object_get(att, "zip")));
		assert_true(json_is_true(json_object_get(att, "zip_ok")));
		assert_true(json_has_string(json_object_get(att, "members"), "xl/workbook.xml"));
		assert_true(has_string(json_object_get(att, "sheets"), "附件2"));
		assert_true(has_string(json_object_get(att, "sheets"), "附件4"));
		assert_true(json_has_string(json_object_get(att, "sheets"), "日报"));
	}
	/* On the wire: RFC 2231 unquoted, an RFC 2047 name= for old clients. */
	path = tu_printf("%s/0001.eml", mail);
	raw = tu_read_file(path, &len);
	assert_has(raw, "filename*=UTF-8''%E8%A1%A1%E9%98%B3%E5%B8%82");
	assert_has(raw, "name=\"=?UTF-8?B?");
	assert_has(raw, "Subject: =?UTF-8?B?");
	assert_false(has(raw, "etPan."));
	print_message("report mail: %zu bytes\n", len);
	free(raw);
	free(path);
	json_decref(cap);
	take_back();
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE action = 'report-mail' AND ? > 0", 1), 1);
	detail = sql_text("SELECT detail FROM audit WHERE action = 'report-mail' AND ? > 0", 1);
	assert_has(detail, "2023-05-15");
	assert_has(detail, CHIEF "（已发送）");
	assert_has(detail, DEPUTY "（已发送）");
	free(detail);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE action = 'report-mail' AND who = '测试员' AND ? > 0", 1), 1);
	/* The outbox of replies was not touched. */
	assert_int_equal(sql_int("SELECT count(*) FROM replies WHERE state = 'sent' AND ? > 0", 1), 0);
}

static void test_report_mail_failures(void **state)
{
	static const char *const refuse[] = { "--refuse-rcpt", DEPUTY, NULL };
	char *out, *conf;
	unsigned down;

	(void)state;
	start(refuse, CHIEF " " DEPUTY);
	let_go();
	/* one recipient refused: the other still gets it, exit 1 */
	assert_int_equal(run(&out, "%s -c %s report --mail --date 2023-05-18", bin, fx.conf), 1);
	assert_has(out, DEPUTY "：被拒收");
	assert_has(out, "550");
	assert_has(out, "1/2");
	free(out);
	assert_true(sink_wait_count(mail, 1, 5000));
	assert_int_equal(sink_count(mail), 1);
	/* SMTP down */
	down = sink_free_port();
	conf = other_conf(down, CHIEF);
	assert_int_equal(run(&out, "%s -c %s report --mail", bin, conf), 1);
	assert_has(out, "无法连接发信服务器");
	assert_has(out, "SMTP server unavailable");
	assert_has(out, CHIEF "：未发送");
	free(out);
	free(conf);
	/* bad recipient config: 2, nothing sent */
	conf = other_conf(sink.port, CHIEF ", not-an-address");
	assert_int_equal(run(&out, "%s -c %s report --mail", bin, conf), 2);
	assert_has(out, "not-an-address");
	assert_has(out, "不是有效的邮件地址");
	free(out);
	free(conf);
	conf = other_conf(sink.port, "\"Chief\" <" CHIEF ">");
	assert_int_equal(run(NULL, "%s -c %s report --mail", bin, conf), 2);
	free(conf);
	conf = other_conf(sink.port, NULL);
	assert_int_equal(run(&out, "%s -c %s report --mail", bin, conf), 2);
	assert_has(out, "未配置收件人");
	free(out);
	free(conf);
	assert_int_equal(run(NULL, "%s -c %s report --mail -o x.xlsx", bin, fx.conf), 2);
	assert_int_equal(sink_count(mail), 1);
	take_back();
	/* the failed attempts are on record too */
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE action = 'report-mail' AND ? > 0", 1), 2);
}

/* ---- assign --notify ---- */

static const json_t *last_of(const json_t *cap)
{
	return json_array_get(cap, json_array_size(cap) - 1);
}

static void test_assign_notify(void **state)
{
	struct outbox_stats st;
	char err[512], *out, *county_id, *orig_id, *want;
	long long file, msg, orig, audit_before, replies_before, late_file, late_msg;
	json_t *cap;
	const json_t *u;

	(void)state;
	start(NULL, NULL);
	assert_int_equal(outbox_flush_stats(&fx.app, false, &st, err, sizeof(err)), 0);
	assert_int_equal(st.sent, 18);
	assert_true(sink_wait_count(mail, 18, 5000));
	/* Dossier 11 is complete; take its audit report (B05) away. */
	file = sql_int("SELECT f.id FROM files f JOIN assignments a ON a.file = f.id AND a.current = 1"
	               " WHERE f.dossier = ? AND a.item = 'B05'", 11);
	assert_true(file > 0);
	assert_int_equal(reply_update_target(fx.app.ledger, file, &msg), 0);
	assert_int_equal(msg, sql_int("SELECT max(message) FROM message_dossiers WHERE dossier = ?", 11));
	orig = sql_int("SELECT id FROM replies WHERE message = ? AND update_of IS NULL", msg);
	assert_true(orig > 0);
	county_id = sql_text("SELECT message_id FROM messages WHERE id = ?", msg);
	orig_id = sql_text("SELECT message_id FROM replies WHERE id = ?", orig);
	assert_non_null(county_id);
	audit_before = sql_int("SELECT count(*) FROM audit WHERE ? > 0", 1);
	let_go();

	assert_int_equal(run(&out, "%s -c %s assign %lld none --notify --by 测试员", bin, fx.conf, file), 0);
	assert_has(out, "材料齐全 → 材料不全");
	assert_has(out, "已向");
	print_message("%s", out);
	free(out);
	assert_true(sink_wait_count(mail, 19, 5000));
	cap = sink_parse(mail);
	assert_int_equal(json_array_size(cap), 19);   /* exactly one new mail */
	u = last_of(cap);
	want = tu_printf("<%s>", county_id);
	assert_string_equal(jstr(u, "in_reply_to"), want);
	assert_has(jstr(u, "references"), want);
	free(want);
	want = tu_printf("<%s>", orig_id);
	assert_has(jstr(u, "x_intake_update_of"), want);   /* folded by libetpan: a leading space */
	assert_string_not_equal(jstr(u, "message_id"), want);
	free(want);
	assert_true(reply_is_ours(jstr(u, "message_id") + 1, OUR_FROM));
	assert_true(strncmp(jstr(u, "subject"), "（更正）", strlen("（更正）")) == 0);
	assert_has(jstr(u, "subject"), "补件");
	assert_true(strncmp(jstr(u, "x_intake_reply"), "missing-items ", 14) == 0);
	assert_true(strncmp(jstr(u, "body"), "【更正】本局已对贵单位报送的材料重新审核", strlen("【更正】本局已对贵单位报送的材料重新审核")) == 0);
	assert_has(jstr(u, "body"), "审计报告");
	assert_string_equal(jstr(u, "auto_submitted"), "auto-replied");
	assert_int_equal(json_array_size(json_object_get(u, "defects")), 0);
	print_message("notify: %s\n%s\n", jstr(u, "subject"), jstr(u, "body"));
	json_decref(cap);
	take_back();
	/* the original stays, the update is a row of its own */
	assert_int_equal(sql_int("SELECT count(*) FROM replies WHERE message = ?", msg), 2);
	assert_int_equal(sql_int("SELECT count(*) FROM replies WHERE id = ? AND state = 'sent' AND update_of IS NULL", orig), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM replies WHERE update_of = ? AND state = 'sent'"
	                         " AND kind = 'missing-items'", orig), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE ? > 0", 1), audit_before + 2);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE action = 'notify' AND target = 'message:' || ?", msg), 1);

	/* ... and given back: complete again, an updated receipt. */
	let_go();
	assert_int_equal(run(&out, "%s -c %s assign %lld B05 --notify --by 测试员", bin, fx.conf, file), 0);
	assert_has(out, "材料不全 → 材料齐全");
	free(out);
	assert_true(sink_wait_count(mail, 20, 5000));
	cap = sink_parse(mail);
	assert_int_equal(json_array_size(cap), 20);
	u = last_of(cap);
	assert_true(strncmp(jstr(u, "x_intake_reply"), "receipt ", 8) == 0);
	assert_true(strncmp(jstr(u, "subject"), "（更正）", strlen("（更正）")) == 0);
	assert_has(jstr(u, "subject"), "回执");
	json_decref(cap);
	take_back();
	assert_int_equal(sql_int("SELECT count(*) FROM replies WHERE message = ?", msg), 3);
	replies_before = sql_int("SELECT count(*) FROM replies WHERE ? > 0", 1);
	audit_before = sql_int("SELECT count(*) FROM audit WHERE ? > 0", 1);

	/* A late dossier: refused before any change, nothing sent. */
	late_file = sql_int("SELECT f.id FROM files f JOIN messages m ON m.id = f.message WHERE m.late = ?"
	                    " AND f.dossier IS NOT NULL AND f.container = 0 AND f.ignored = 0 ORDER BY f.id", 1);
	assert_true(late_file > 0);
	assert_int_equal(reply_update_target(fx.app.ledger, late_file, &late_msg), 0);
	let_go();
	assert_int_equal(run(&out, "%s -c %s assign %lld none --notify --by 测试员", bin, fx.conf, late_file), 1);
	assert_has(out, "逾期");
	assert_has(out, "未作任何改动");
	free(out);
	take_back();
	assert_int_equal(sink_count(mail), 20);
	assert_int_equal(sql_int("SELECT count(*) FROM replies WHERE ? > 0", 1), replies_before);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE ? > 0", 1), audit_before);
	free(county_id);
	free(orig_id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_report_mail, teardown),
		cmocka_unit_test_teardown(test_report_mail_failures, teardown),
		cmocka_unit_test_teardown(test_assign_notify, teardown),
	};
	return cmocka_run_group_tests_name("reportmail", tests, NULL, NULL);
}

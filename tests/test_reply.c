/*
 * Replies end to end: every shipped example is ingested in order, the
 * outbox is sent to a real SMTP server on 127.0.0.1 (aiosmtpd), and the
 * captured mail is read back with Python's email package: recipients,
 * headers, decoded subject and body, the items and files listed for each
 * case.  Then every case that must never be answered, the per-recipient
 * cap, Reply-To, and template errors at campaign load.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest_fixture.h"
#include "outbox.h"
#include "query.h"
#include "reply.h"
#include "smtpsink.h"
#include "testutil.h"

#define OUR_FROM "sme-intake@hengyang-gxj.example"

/* The sink of the running test, stopped by the teardown even when the
 * test fails half-way. */
static struct sink sink;

static int stop_sink(void **state)
{
	(void)state;
	if (sink.pid > 0)
		sink_stop(&sink);
	return 0;
}

static char *smtp_conf(unsigned port, const char *more)
{
	return tu_printf(FIXTURE_OCR_OFF "[smtp]\nhost = 127.0.0.1\nport = %u\nsecurity = none\nfrom = " OUR_FROM "\n%s",
	                 port, more ? more : "");
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

static long long count_sql(struct fixture *fx, const char *sql, long long arg)
{
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx->app.ledger), sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The captured reply whose In-Reply-To names message_id. */
static const json_t *reply_to_msg(const json_t *captured, const char *message_id)
{
	char *want = tu_printf("<%s>", message_id);
	const json_t *found = NULL;
	size_t i, n = 0;
	json_t *m;

	json_array_foreach(captured, i, m)
		if (jstr(m, "in_reply_to") && strcmp(jstr(m, "in_reply_to"), want) == 0) {
			found = m;
			n++;
		}
	free(want);
	assert_true(n <= 1);   /* one reply per message, never two */
	return found;
}

static void check_items(const struct campaign *c, const char *body, const json_t *ids, const char *prefix)
{
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v) {
		const struct campaign_item *it = campaign_item_by_id(c, json_string_value(v));
		char *line;
		assert_non_null(it);
		if (it->program < 0)   /* county papers have no number in the notice */
			line = tu_printf("%s%s", prefix, it->title);
		else if (it->number)
			line = tu_printf("%s%u. %s", prefix, it->number, it->title);
		else
			line = tu_printf("%s%s. %s", prefix, it->id, it->title);
		assert_has(body, line);
		free(line);
	}
}

/* Every applicant of the message, as the ledger names it (expected.json
 * names them as the clerk wrote them; test_examples compares those). */
static void check_applicants(struct fixture *fx, long long msg, const char *body)
{
	sqlite3_stmt *st;
	int n = 0;

	assert_int_equal(sqlite3_prepare_v2(ledger_db(fx->app.ledger),
		"SELECT d.applicant FROM message_dossiers md JOIN dossiers d ON d.id = md.dossier"
		" WHERE md.message = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, msg);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *line = tu_printf("申报单位：%s\n", (const char *)sqlite3_column_text(st, 0));
		assert_has(body, line);
		free(line);
		n++;
	}
	sqlite3_finalize(st);
	assert_true(n > 0);
}

static void test_examples_get_the_right_reply(void **state)
{
	struct fixture fx;
	struct outbox_stats st;
	char err[1024] = "", *conf, *dir, *tsv, *line, *save = NULL;
	json_t *expected, *captured, *subs, *dossiers;
	json_error_t je;
	size_t len, i, answered = 0;
	json_t *e;

	(void)state;
	dir = tu_tempdir();
	char *mail = tu_printf("%s/mail", dir);
	sink_start(&sink, mail, 0, NULL);
	conf = smtp_conf(sink.port, NULL);
	fixture_setup(&fx, conf);
	free(conf);
	tsv = tu_read_file("examples/received.tsv", &len);
	assert_non_null(tsv);
	for (line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *path;
		struct ingest_outcome o;
		if (!tab)
			continue;
		*tab = '\0';
		path = tu_printf("examples/%s", line);
		assert_int_equal(fixture_ingest(&fx, path, tab + 1, &o), 0);
		free(path);
	}
	free(tsv);
	assert_int_equal(outbox_flush_stats(&fx.app, false, &st, err, sizeof(err)), 0);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.deferred, 0);
	assert_int_equal(st.sent, 18);
	assert_true(sink_wait_count(mail, 18, 5000));
	/* A second flush has nothing left to send. */
	assert_int_equal(outbox_flush_stats(&fx.app, true, &st, err, sizeof(err)), 0);
	assert_int_equal(st.sent, 0);

	captured = sink_parse(mail);
	assert_int_equal(json_array_size(captured), 18);
	expected = json_load_file("examples/expected.json", 0, &je);
	assert_non_null(expected);
	subs = query_submissions(fx.app.ledger, fx.app.camp);
	dossiers = fixture_dossiers(&fx);
	json_array_foreach(expected, i, e) {
		const json_t *sub = NULL, *cap, *v;
		const char *kind = jstr(e, "reply");
		size_t j;
		/* submissions are in ingestion order, as expected.json */
		sub = json_array_get(subs, i);
		assert_non_null(sub);
		cap = reply_to_msg(captured, jstr(sub, "message_id"));
		if (!kind) {
			/* 13 (out of office) and 15 (bounce): recorded, never answered */
			assert_null(cap);
			assert_true(json_is_null(json_object_get(sub, "reply")));
			assert_non_null(jstr(sub, "no_reply_reason"));
			continue;
		}
		if (!cap)
			fail_msg("%s: no reply captured", jstr(e, "file"));
		answered++;
		assert_string_equal(jstr(sub, "reply"), kind);
		const char *body = jstr(cap, "body"), *subject = jstr(cap, "subject");
		long long msg = json_integer_value(json_object_get(sub, "id"));
		char *rno = tu_printf("hengyang-2023-%06lld", msg);
		/* headers */
		assert_string_equal(jstr(cap, "auto_submitted"), "auto-replied");
		assert_string_equal(jstr(cap, "from_addr"), OUR_FROM);
		assert_string_equal(jstr(cap, "from_display"), "衡阳市工业和信息化局中小企业科");
		assert_string_equal(jstr(cap, "content_type"), "text/plain");
		assert_string_equal(jstr(cap, "charset"), "utf-8");
		assert_int_equal(json_array_size(json_object_get(cap, "defects")), 0);
		assert_int_equal(json_integer_value(json_object_get(cap, "bare_lf")), 0);
		assert_true(json_integer_value(json_object_get(cap, "max_line")) < 998);
		assert_has(jstr(cap, "message_id"), "<intake.");
		assert_has(jstr(cap, "message_id"), "@hengyang-gxj.example>");
		assert_has(jstr(cap, "references"), jstr(sub, "message_id"));
		assert_has(jstr(cap, "x_intake_reply"), kind);
		assert_has(subject, rno);
		assert_has(body, rno);
		/* recipients: Reply-To else From, on the envelope too */
		{
			const json_t *to = json_object_get(cap, "to");
			const json_t *env = json_object_get(cap, "envelope");
			assert_int_equal(json_array_size(to), 1);
			assert_string_equal(json_string_value(json_array_get(to, 0)), jstr(sub, "sender"));
			assert_string_equal(json_string_value(json_array_get(json_object_get(env, "rcpt_tos"), 0)),
			                    jstr(sub, "sender"));
			assert_string_equal(jstr(env, "mail_from"), OUR_FROM);
		}
		if (jstr(sub, "county_name"))
			assert_has(body, jstr(sub, "county_name"));
		/* per kind */
		if (strcmp(kind, "receipt") == 0) {
			assert_has(subject, "【回执】");
			assert_has(body, "纸质版（1份）");
			assert_has(body, "北京时间");
			check_applicants(&fx, msg, body);
			json_array_foreach(json_object_get(e, "dossiers"), j, v)
				check_items(fx.app.camp, body, json_object_get(v, "present"), "  ");
			/* every file with its SHA-256 */
			{
				sqlite3_stmt *q;
				assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
					"SELECT sha256, name FROM files WHERE message = ? AND ignored = 0 AND body_image = 0",
					-1, &q, NULL), SQLITE_OK);
				sqlite3_bind_int64(q, 1, msg);
				while (sqlite3_step(q) == SQLITE_ROW) {
					assert_has(body, (const char *)sqlite3_column_text(q, 0));
					assert_has(body, (const char *)sqlite3_column_text(q, 1));
				}
				sqlite3_finalize(q);
			}
		} else if (strcmp(kind, "missing-items") == 0) {
			assert_has(subject, "【补件通知】");
			assert_has(body, "补报方式");
			check_applicants(&fx, msg, body);
			json_array_foreach(json_object_get(e, "dossiers"), j, v)
				check_items(fx.app.camp, body, json_object_get(v, "missing"), "缺：");
			check_items(fx.app.camp, body, json_object_get(e, "county_missing"), "缺：");
		} else if (strcmp(kind, "late-notice") == 0) {
			assert_has(subject, "【逾期通知】");
			assert_has(body, "过期不予受理");
			assert_has(body, "2023年5月20日 09:12:00");
			assert_has(body, "登记存档");
		} else if (strcmp(kind, "error-notice") == 0) {
			assert_has(subject, "【处理异常通知】");
			assert_has(body, "未能从中读取");
			assert_has(body, "找不到任何分隔标记");
		}
		/* the problems, with file names */
		if (strncmp(jstr(e, "file"), "06-", 3) == 0) {
			/* twelve encrypted entries of one archive: one line naming them */
			assert_has(body, "中有 12 个文件已加密");
			assert_has(body, "14.社保证明.pdf");
			assert_int_equal(count_sql(&fx, "SELECT count(*) FROM problems WHERE message = ? AND kind = 'archive-encrypted'", msg), 12);
		}
		if (strncmp(jstr(e, "file"), "07-", 3) == 0) {
			assert_has(body, "../../etc/evil.txt");
			assert_has(body, "符号链接");
		}
		if (strncmp(jstr(e, "file"), "08-", 3) == 0)
			assert_has(body, "压缩炸弹");
		if (strncmp(jstr(e, "file"), "09-", 3) == 0)
			assert_has(body, "6.营业执照副本.pdf");
		if (strncmp(jstr(e, "file"), "12-", 3) == 0)
			assert_has(body, "https://wx.mail.qq.com/ftn/download");
		if (strncmp(jstr(e, "file"), "19-", 3) == 0)
			assert_has(body, "IMG_2034.jpg");
		if (strncmp(jstr(e, "file"), "10b-", 4) == 0) {
			/* the supplement that completes a dossier says so */
			assert_has(body, "补报的申报材料已收到");
			assert_has(body, "本次补件后，该单位材料已齐全");
		}
		if (strncmp(jstr(e, "file"), "01-", 3) == 0)
			assert_false(has(body, "本次补件后"));
		free(rno);
	}
	assert_int_equal(answered, 18);
	(void)dossiers;
	json_decref(dossiers);
	json_decref(subs);
	json_decref(expected);
	json_decref(captured);
	sink_stop(&sink);
	fixture_teardown(&fx);
	free(mail);
	tu_rmrf(dir);
	free(dir);
}

/* ---- never answered ---- */

static char *letter(const char *extra_headers, const char *from, const char *msgid)
{
	return tu_printf("From: %s\r\nTo: " OUR_FROM "\r\nDate: Fri, 12 May 2023 10:00:00 +0800\r\n"
	                 "Subject: =?UTF-8?B?56WB5Lic5Y6/5Yib5paw5Yib5Lia5Z+65Zyw55Sz5oql?=\r\n"   /* 祁东县创新创业基地申报 */
	                 "Message-ID: <%s>\r\n%sMIME-Version: 1.0\r\n"
	                 "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	                 "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfile\r\n"
	                 "--b\r\nContent-Type: application/pdf\r\n"
	                 "Content-Disposition: attachment; filename*=UTF-8''1.%%E7%%94%%B3%%E8%%AF%%B7%%E8%%A1%%A8.pdf\r\n\r\n"
	                 "%%PDF-1.4\r\n%%%%EOF\r\n--b--\r\n", from, msgid, extra_headers ? extra_headers : "");
}

struct case_ {
	const char *name, *headers, *from, *msgid, *received, *reason;
};

static void test_never_answered(void **state)
{
	static const struct case_ cases[] = {
		{ "auto-submitted", "Auto-Submitted: auto-replied\r\n", "qidong-gxj@hengyang.gov.example", "a1@x", "2023-05-12T10:00:00+08:00", "自动回复" },
		{ "x-autoreply", "X-Autoreply: yes\r\n", "qidong-gxj@hengyang.gov.example", "a2@x", "2023-05-12T10:00:00+08:00", "自动回复" },
		{ "null return path", "Return-Path: <>\r\n", "qidong-gxj@hengyang.gov.example", "b1@x", "2023-05-12T10:00:00+08:00", "退信" },
		{ "mailer-daemon", NULL, "MAILER-DAEMON@mx.hengyang.gov.example", "b2@x", "2023-05-12T10:00:00+08:00", "退信" },
		{ "list", "List-Id: <county.lists.example>\r\n", "qidong-gxj@hengyang.gov.example", "l1@x", "2023-05-12T10:00:00+08:00", "邮件列表" },
		{ "bulk", "Precedence: bulk\r\n", "qidong-gxj@hengyang.gov.example", "l2@x", "2023-05-12T10:00:00+08:00", "群发" },
		{ "our own reply", NULL, "qidong-gxj@hengyang.gov.example", "intake.hengyang-2023-000001.0123456789abcdef@hengyang-gxj.example", "2023-05-12T10:00:00+08:00", "本系统自己发出" },
		{ "to ourselves", NULL, OUR_FROM, "o2@x", "2023-05-12T10:00:00+08:00", "本局自己的邮箱" },
		{ "reply-to ourselves", "Reply-To: SME-Intake@hengyang-gxj.example\r\n", "qidong-gxj@hengyang.gov.example", "o3@x", "2023-05-12T10:00:00+08:00", "本局自己的邮箱" },
		{ "before the call opened", NULL, "qidong-gxj@hengyang.gov.example", "t1@x", "2023-05-01T10:00:00+08:00", "早于申报通知发布" },
		{ "long after the deadline", NULL, "qidong-gxj@hengyang.gov.example", "t2@x", "2023-07-01T10:00:00+08:00", "不再发送逾期通知" },
		{ "no address", NULL, "undisclosed-recipients:;", "n1@x", "2023-05-12T10:00:00+08:00", "回复地址" },
	};
	struct fixture fx;
	char *conf = smtp_conf(1, NULL);

	(void)state;
	fixture_setup(&fx, conf);
	free(conf);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ingest_outcome o;
		char *m = letter(cases[i].headers, cases[i].from, cases[i].msgid);
		json_t *s;

		assert_int_equal(fixture_ingest_buf(&fx, m, strlen(m), cases[i].received, &o), 0);
		free(m);
		s = fixture_submission(&fx, o.message);
		if (!json_is_null(json_object_get(s, "reply")) || o.reply)
			fail_msg("%s: answered (%s)", cases[i].name, jstr(s, "reply"));
		if (!has(jstr(s, "no_reply_reason"), cases[i].reason))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", cases[i].name, jstr(s, "no_reply_reason"), cases[i].reason);
		assert_int_equal(count_sql(&fx, "SELECT count(*) FROM replies WHERE message = ?", o.message), 0);
		json_decref(s);
	}
	/* A plain submission in the same state is answered. */
	{
		struct ingest_outcome o;
		char *m = letter("Reply-To: clerk@qidong.example\r\n", "qidong-gxj@hengyang.gov.example", "ok@x");
		assert_int_equal(fixture_ingest_buf(&fx, m, strlen(m), "2023-05-12T10:00:00+08:00", &o), 0);
		free(m);
		assert_non_null(o.reply);
		assert_int_equal(count_sql(&fx, "SELECT count(*) FROM replies WHERE message = ?"
		                                " AND recipient = 'clerk@qidong.example'", o.message), 1);
	}
	fixture_teardown(&fx);
}

/* Our own reply, fed back into intake (a county mailbox that bounces it
 * back to us unchanged, or a forwarding loop), is never answered. */
static void test_own_reply_fed_back(void **state)
{
	struct fixture fx;
	struct outbox_stats st;
	struct ingest_outcome o;
	char err[512], *dir = tu_tempdir(), *mail = tu_printf("%s/mail", dir), *conf, *path, *raw;
	size_t len;
	json_t *s;

	(void)state;
	sink_start(&sink, mail, 0, NULL);
	conf = smtp_conf(sink.port, NULL);
	fixture_setup(&fx, conf);
	free(conf);
	assert_int_equal(fixture_ingest(&fx, "examples/01-zhuhui-foxmail-base-complete.eml", "2023-05-10T09:41:22+08:00", &o), 0);
	assert_int_equal(outbox_flush_stats(&fx.app, false, &st, err, sizeof(err)), 0);
	assert_int_equal(st.sent, 1);
	assert_true(sink_wait_count(mail, 1, 5000));
	path = tu_printf("%s/0001.eml", mail);
	raw = tu_read_file(path, &len);
	assert_non_null(raw);
	assert_int_equal(fixture_ingest_buf(&fx, raw, len, "2023-05-10T09:45:00+08:00", &o), 0);
	s = fixture_submission(&fx, o.message);
	assert_true(json_is_null(json_object_get(s, "reply")));
	assert_has(jstr(s, "no_reply_reason"), "本系统自己发出");
	assert_int_equal(count_sql(&fx, "SELECT count(*) FROM replies WHERE ? > 0", 1), 1);
	json_decref(s);
	free(raw);
	free(path);
	sink_stop(&sink);
	fixture_teardown(&fx);
	free(mail);
	tu_rmrf(dir);
	free(dir);
}

static void test_rate_limit_per_recipient(void **state)
{
	static const char *const times[] = {
		"2023-05-12T09:00:00+08:00", "2023-05-12T12:00:00+08:00", "2023-05-12T18:00:00+08:00",
		"2023-05-13T08:59:59+08:00", "2023-05-13T09:00:01+08:00",
	};
	static const bool answered[] = { true, true, false, false, true };
	struct fixture fx;
	char *conf = smtp_conf(1, "max_replies_per_day = 2\n");

	(void)state;
	fixture_setup(&fx, conf);
	free(conf);
	for (size_t i = 0; i < 5; i++) {
		struct ingest_outcome o;
		char id[32], *m;
		json_t *s;
		snprintf(id, sizeof(id), "rate%zu@x", i);
		m = letter(NULL, "1356627781@qq.example", id);
		assert_int_equal(fixture_ingest_buf(&fx, m, strlen(m), times[i], &o), 0);
		free(m);
		s = fixture_submission(&fx, o.message);
		if (answered[i]) {
			assert_non_null(o.reply);
			assert_true(json_is_null(json_object_get(s, "no_reply_reason")));
		} else {
			assert_null(o.reply);
			assert_has(jstr(s, "no_reply_reason"), "max_replies_per_day = 2");
		}
		json_decref(s);
	}
	fixture_teardown(&fx);
}

/* ---- templates at campaign load ---- */

static void write_campaign(const char *dir, const char *receipt_text, const char *missing_path)
{
	size_t len;
	char *base = tu_read_file("campaigns/hengyang-2023.conf", &len), *cut, *conf, *p, cwd[4096];

	assert_non_null(base);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	cut = strstr(base, "\n[replies]");
	assert_non_null(cut);
	cut[1] = '\0';
	p = tu_printf("%s/receipt.txt", dir);
	assert_int_equal(tu_write_file(p, receipt_text, strlen(receipt_text)), 0);
	free(p);
	conf = tu_printf("%s[replies]\nreceipt = receipt.txt\nmissing_items = %s\n"
	                 "late_notice = %s/campaigns/hengyang-2023/late-notice.txt\n"
	                 "error_notice = %s/campaigns/hengyang-2023/error-notice.txt\n"
	                 "from_name = 衡阳市工业和信息化局中小企业科\n", base,
	                 missing_path, cwd, cwd);
	p = tu_printf("%s/campaign.conf", dir);
	assert_int_equal(tu_write_file(p, conf, strlen(conf)), 0);
	free(p);
	p = tu_printf("%s/intake.conf", dir);
	free(conf);
	conf = tu_printf("[intake]\nstate_dir = %s/state\ncampaign = %s/campaign.conf\n", dir, dir);
	assert_int_equal(tu_write_file(p, conf, strlen(conf)), 0);
	free(p);
	free(conf);
	free(base);
}

static void load_expect(const char *dir, const char *want)
{
	struct app a;
	char err[1024] = "", *p = tu_printf("%s/intake.conf", dir);
	int r = app_load(&a, p, err, sizeof(err));

	app_close(&a);
	free(p);
	if (!want) {
		if (r != 0)
			fail_msg("app_load: %s", err);
		return;
	}
	assert_int_equal(r, -1);
	if (!has(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void test_template_errors_at_load(void **state)
{
	char *dir = tu_tempdir(), cwd[4096], *missing, *want;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	missing = tu_printf("%s/campaigns/hengyang-2023/missing-items.txt", cwd);
	write_campaign(dir, "Subject: 回执 {{receipt_no}}\n\n{{recipient_name}}：\n{{#dossiers}}\n{{applicant}}\n{{/dossiers}}\n", missing);
	load_expect(dir, NULL);
	/* an unknown placeholder, with the template's own line */
	write_campaign(dir, "Subject: 回执 {{receipt_no}}\n\n{{recipient_name}}：\n您好 {{applicant_name}}\n", missing);
	want = tu_printf("%s/receipt.txt:4: unknown placeholder {{applicant_name}}", dir);
	load_expect(dir, want);
	free(want);
	write_campaign(dir, "Subject: 回执 {{receipt}}\n\nx\n", missing);
	load_expect(dir, "receipt.txt:1: unknown placeholder {{receipt}}");
	write_campaign(dir, "回执\n\nx\n", missing);
	load_expect(dir, "receipt.txt:1: the first line must be \"Subject: ...\"");
	write_campaign(dir, "Subject: x\nbody\n", missing);
	load_expect(dir, "receipt.txt:2: a blank line must follow");
	write_campaign(dir, "Subject: x\n\n{{#dossiers}}\n{{#missing}}\n{{/dossiers}}\n", missing);
	load_expect(dir, "receipt.txt:5: {{/dossiers}} closes nothing here");
	/* a template file that is not there: the campaign's line */
	write_campaign(dir, "Subject: x\n\ny\n", "nowhere.txt");
	want = tu_printf("%s/campaign.conf:", dir);
	load_expect(dir, want);
	load_expect(dir, "template for missing-items");
	free(want);
	free(missing);
	tu_rmrf(dir);
	free(dir);
}

static void test_reply_is_ours(void **state)
{
	(void)state;
	assert_true(reply_is_ours("intake.hengyang-2023-000001.00ff@hengyang-gxj.example", OUR_FROM));
	assert_true(reply_is_ours("<intake.x.y@HENGYANG-GXJ.example>", OUR_FROM));
	assert_false(reply_is_ours("intake.x.y@other.example", OUR_FROM));
	assert_false(reply_is_ours("abc@hengyang-gxj.example", OUR_FROM));
	assert_false(reply_is_ours(NULL, OUR_FROM));
	assert_false(reply_is_ours("intake.x@hengyang-gxj.example", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_examples_get_the_right_reply, stop_sink),
		cmocka_unit_test(test_never_answered),
		cmocka_unit_test_teardown(test_own_reply_fed_back, stop_sink),
		cmocka_unit_test(test_rate_limit_per_recipient),
		cmocka_unit_test(test_template_errors_at_load),
		cmocka_unit_test(test_reply_is_ours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

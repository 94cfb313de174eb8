/*
 * Ingest rules that depend on time and on earlier messages: the deadline is
 * inclusive in Asia/Shanghai and judged on the received time only; mail from
 * before the call opened or long after the deadline is recorded but owed no
 * reply; late files never complete an on-time dossier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_fixture.h"
#include "report.h"
#include "reportdb.h"
#include "staff.h"
#include "testutil.h"
#include "worker.h"

/* A loose-file submission from 祁东县 for one base unit; n distinguishes
 * messages, names lists the attached file names. */
static char *submission(int n, const char *date, const char *subject, const char *const *names)
{
	char *msg = tu_printf("From: =?UTF-8?B?56WB5Lic5Y6/5bel5L+h5bGA?= <qidong-gxj@hengyang.gov.example>\r\n"
	                      "To: sme-intake@hengyang-gxj.example\r\nDate: %s\r\n"
	                      "Subject: %s\r\nMessage-ID: <t%d@qidong.example>\r\nMIME-Version: 1.0\r\n"
	                      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	                      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件。\r\n",
	                      date, subject, n);
	for (const char *const *p = names; *p; p++) {
		char *part = tu_printf("%s--b\r\nContent-Type: application/pdf\r\n"
		                       "Content-Disposition: attachment; filename*=UTF-8''%s\r\n\r\n"
		                       "%%PDF-1.4\r\n%%%%EOF\r\n", msg, *p);
		free(msg);
		msg = part;
	}
	char *end = tu_printf("%s--b--\r\n", msg);
	free(msg);
	return end;
}

/* Percent-encoded UTF-8 names (RFC 2231), as Thunderbird writes them. */
#define N_B01 "1.%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf"                 /* 1.申请表.pdf */
#define N_B13 "13.%E7%9C%9F%E5%AE%9E%E6%80%A7%E5%A3%B0%E6%98%8E.pdf" /* 13.真实性声明.pdf */
#define SUBJ "=?UTF-8?B?56WB5Lic5Y6/LeihoemYs+elgeS4nOe6ouaYn+WtteWMluWbreaciemZkOWFrOWPuC3liJvmlrDliJvkuJrln7rlnLDnlLPmiqU=?="
/* 祁东县-衡阳祁东红星孵化园有限公司-创新创业基地申报 */

static json_t *ingest_one(struct fixture *fx, int n, const char *received, const char *date)
{
	static const char *const names[] = { N_B01, NULL };
	char *m = submission(n, date, SUBJ, names);
	struct ingest_outcome o;

	assert_int_equal(fixture_ingest_buf(fx, m, strlen(m), received, &o), 0);
	free(m);
	return fixture_submission(fx, o.message);
}

static void test_deadline_inclusive_and_on_received_time(void **state)
{
	struct fixture fx;
	json_t *s;

	(void)state;
	fixture_setup(&fx, NULL);
	/* The last second of 19 May in Beijing is on time... */
	s = ingest_one(&fx, 1, "2023-05-19T23:59:59+08:00", "Fri, 19 May 2023 23:59:00 +0800");
	assert_false(json_is_true(json_object_get(s, "late")));
	assert_string_equal(json_string_value(json_object_get(s, "received_at")), "2023-05-19T23:59:59+08:00");
	json_decref(s);
	/* ...the same instant written in UTC is the same instant... */
	s = ingest_one(&fx, 2, "2023-05-19T15:59:59Z", "Fri, 19 May 2023 23:59:00 +0800");
	assert_false(json_is_true(json_object_get(s, "late")));
	json_decref(s);
	/* ...and one second later is late, whatever the Date header claims. */
	s = ingest_one(&fx, 3, "2023-05-20T00:00:00+08:00", "Thu, 18 May 2023 09:00:00 +0800");
	assert_true(json_is_true(json_object_get(s, "late")));
	assert_string_equal(json_string_value(json_object_get(s, "status")), "late");
	assert_string_equal(json_string_value(json_object_get(s, "reply")), "late-notice");
	json_decref(s);
	fixture_teardown(&fx);
}

static void test_no_reply_before_opening_or_long_after_deadline(void **state)
{
	struct fixture fx;
	json_t *s;

	(void)state;
	fixture_setup(&fx, NULL);
	s = ingest_one(&fx, 1, "2023-05-07T18:00:00+08:00", "Sun, 7 May 2023 18:00:00 +0800");
	assert_true(json_is_null(json_object_get(s, "reply")));
	assert_string_not_equal(json_string_value(json_object_get(s, "status")), "ignored");
	json_decref(s);
	s = ingest_one(&fx, 2, "2023-07-01T09:00:00+08:00", "Sat, 1 Jul 2023 09:00:00 +0800");
	assert_string_equal(json_string_value(json_object_get(s, "status")), "late");
	assert_true(json_is_null(json_object_get(s, "reply")));
	json_decref(s);
	fixture_teardown(&fx);
}

static void test_late_supplement_does_not_complete_on_time_dossier(void **state)
{
	static const char *const first[] = { N_B01, NULL };
	static const char *const second[] = { N_B13, NULL };
	struct fixture fx;
	struct ingest_outcome o1, o2;
	json_t *d;
	char *m;
	/* 补件：衡阳祁东红星孵化园有限公司 */
	const char *supp = "=?UTF-8?B?6KGl5Lu277ya6KGh6Ziz56WB5Lic57qi5pif5a215YyW5Zut5pyJ6ZmQ5YWs5Y+4?=";

	(void)state;
	fixture_setup(&fx, NULL);
	m = submission(1, "Mon, 15 May 2023 10:00:00 +0800", SUBJ, first);
	assert_int_equal(fixture_ingest_buf(&fx, m, strlen(m), "2023-05-15T10:00:00+08:00", &o1), 0);
	free(m);
	m = submission(2, "Sat, 20 May 2023 10:00:00 +0800", supp, second);
	assert_int_equal(fixture_ingest_buf(&fx, m, strlen(m), "2023-05-20T10:00:00+08:00", &o2), 0);
	free(m);
	d = fixture_dossiers(&fx);
	/* One dossier: the supplement merged into it... */
	assert_int_equal(json_array_size(d), 1);
	json_t *d0 = json_array_get(d, 0);
	assert_int_equal(json_array_size(json_object_get(d0, "messages")), 2);
	/* ...but its late file does not count. */
	assert_true(json_has_string(json_object_get(d0, "present"), "B01"));
	assert_false(json_has_string(json_object_get(d0, "present"), "B13"));
	assert_true(json_has_string(json_object_get(d0, "missing"), "B13"));
	assert_false(json_is_true(json_object_get(d0, "complete")));
	json_decref(d);
	fixture_teardown(&fx);
}

/* ---- content (issue 9): files named 扫描全能王…, IMG_…, 附件5 ---- */

/* Ingest tests/content files under their own (content-free) names. */
static void ingest_content_files(struct fixture *fx, const char *from, const char *subject, int n,
                                 const char *received, const char *const *files,
                                 struct ingest_outcome *o)
{
	const char *paths[32];
	char *hdr = tu_printf("From: %s\r\nSubject: %s\r\nMessage-ID: <content%d@county.example>\r\n"
	                      "Date: Fri, 12 May 2023 10:00:00 +0800\r\n", from, subject, n);
	char *msg = tu_printf("%s/content%d.eml", fx->dir, n);
	size_t k;

	for (k = 0; files[k]; k++) {
		assert_true(k < 31);
		paths[k] = tu_printf("tests/content/%s", files[k]);
	}
	paths[k] = NULL;
	tu_write_mime(msg, hdr, paths, files);
	assert_int_equal(fixture_ingest(fx, msg, received, o), 0);
	for (k = 0; paths[k]; k++)
		free((void *)(uintptr_t)paths[k]);
	free(hdr);
	free(msg);
}

/* The 14 files of 衡阳市雁城创新创业园运营管理有限公司 (雁峰区), none of
 * them named after what it is (7 are scans), and 雁峰区's own 推荐报告 and
 * 推荐汇总表 (C01, C02). */
static const char *const yc_files[] = {
	"文档4.docx", "附件 (2).docx",
	"新建 Microsoft Word 文档.docx", "附件5.docx", "工作簿1.xlsx", "新建 XLSX 工作表.xlsx",
	"扫描全能王 2023-05-10 10.23.pdf", "IMG_2034.jpg", "扫描全能王 2023-05-10 10.31.pdf",
	"文档1.pdf", "微信图片_20230512093015.png", "新建 Microsoft Word 文档 (2).docx", "文档2.pdf",
	"IMG_2041.jpg", "IMG_2045.jpg", "扫描全能王 2023-05-10 10.40.pdf", NULL,
};
/* Under AddressSanitizer Tesseract runs several times slower: give it time. */
#define OCR_ON (TU_ASAN ? "ocr = on\nocr_ms = 180000\nocr_extra_seconds = 7200\n" : "ocr = on\n")
#define YC_FROM "=?UTF-8?B?6ZuB5bOw5Yy65bel5L+h5bGA?= <yanfeng-gxj@hengyang.gov.example>"
#define YC_SUBJ "雁峰区-衡阳市雁城创新创业园运营管理有限公司-创新创业基地申报材料"
#define YC_CODE "91430406MA4QX7K201"

static size_t count_by_content(const json_t *show)
{
	size_t i, n = 0;
	json_t *f;

	json_array_foreach(json_object_get(show, "files"), i, f)
		n += json_is_true(json_object_get(f, "by_content"));
	return n;
}

/*
 * A complete dossier whose files say nothing by name: recognised by what
 * they say (text layers and OCR), so the county gets its receipt, not a
 * wrong 补件通知; show tells staff how each was recognised.  With OCR off
 * the scans are not recognised and the dossier is incomplete: the reply is
 * then a missing-items notice, which OCR is there to avoid.
 */
static void test_content_only_names_get_a_receipt(void **state)
{
	struct fixture fx;
	struct ingest_outcome o;
	char err[256] = "";
	json_t *d, *show;

	(void)state;
	if (!worker_ocr_data())
		skip();
	fixture_setup(&fx, OCR_ON);
	ingest_content_files(&fx, YC_FROM, YC_SUBJ, 1, "2023-05-12T10:00:00+08:00", yc_files, &o);
	d = fixture_dossiers(&fx);
	assert_int_equal(json_array_size(d), 1);
	show = staff_show(fx.app.ledger, fx.app.camp, json_integer_value(json_object_get(json_array_get(d, 0), "id")),
	                  err, sizeof(err));
	assert_non_null(show);
	{
		char *missing = json_dumps(json_object_get(show, "missing"), 0);
		if (strcmp(o.status, "accepted") != 0) {
			staff_print_show(stderr, show, fx.app.camp);
			fail_msg("status %s, missing %s", o.status, missing);
		}
		free(missing);
	}
	assert_string_equal(o.reply, "receipt");
	assert_true(json_is_true(json_object_get(show, "complete")));
	assert_true(count_by_content(show) >= 12);
	assert_string_equal(json_string_value(json_object_get(show, "credit_code")), YC_CODE);
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		staff_print_show(out, show, fx.app.camp);
		fclose(out);
		assert_non_null(strstr(buf, "内容识别："));
		assert_non_null(strstr(buf, "，置信度 "));
		assert_non_null(strstr(buf, "文字：文字识别（OCR），识别置信度 "));
		assert_non_null(strstr(buf, "统一社会信用代码：" YC_CODE));
		free(buf);
	}
	json_decref(show);
	json_decref(d);
	fixture_teardown(&fx);

	/* The same mail with OCR off. */
	fixture_setup(&fx, "ocr = off\n");
	ingest_content_files(&fx, YC_FROM, YC_SUBJ, 1, "2023-05-12T10:00:00+08:00", yc_files, &o);
	assert_string_equal(o.status, "incomplete");
	assert_string_equal(o.reply, "missing-items");
	fixture_teardown(&fx);
}

#define HN_FROM "=?UTF-8?B?6KGh5Y2X5Y6/5bel5L+h5bGA?= <hengnan-gxj@hengyang.gov.example>"
#define QD_FROM "=?UTF-8?B?56WB5Lic5Y6/5bel5L+h5bGA?= <qidong-gxj@hengyang.gov.example>"
#define YJ_CODE "91430422MA4L3C8R4C"

/*
 * A supplement that spells the unit differently is merged by the credit
 * code its documents carry; another county's dossier with the same code
 * is a duplicate-unit problem for staff (in the report's 重复申报), never
 * in the county's reply.
 */
static void test_supplement_by_code_and_duplicate_unit(void **state)
{
	static const char *const first[] = { "附件1.pdf", "附件2.pdf", "CamScanner 05-11-2023 15.02.pdf", NULL };
	static const char *const second[] = { "附件3.docx", "mmexport1683712345678.jpg", NULL };
	static const char *const other[] = { "CamScanner 05-11-2023 15.02.pdf", NULL };
	struct fixture fx;
	struct ingest_outcome o1, o2, o3;
	json_t *d, *d0, *sub;
	long long id;

	(void)state;
	if (!worker_ocr_data())
		skip();
	fixture_setup(&fx, OCR_ON);
	ingest_content_files(&fx, HN_FROM, "衡南县-衡南县云集科技孵化器有限公司-创新创业基地申报", 1,
	                     "2023-05-12T10:00:00+08:00", first, &o1);
	ingest_content_files(&fx, HN_FROM, "补件：云集孵化基地（社保证明、人员名单）", 2,
	                     "2023-05-13T10:00:00+08:00", second, &o2);
	d = fixture_dossiers(&fx);
	assert_int_equal(json_array_size(d), 1);
	d0 = json_array_get(d, 0);
	id = json_integer_value(json_object_get(d0, "id"));
	assert_int_equal(json_array_size(json_object_get(d0, "messages")), 2);
	assert_true(json_has_string(json_object_get(d0, "present"), "B01"));
	assert_true(json_has_string(json_object_get(d0, "present"), "B06"));
	assert_true(json_has_string(json_object_get(d0, "present"), "B14"));
	json_decref(d);
	{
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
			"SELECT credit_code FROM dossiers WHERE id = ?", -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int64(st, 1, id);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), YJ_CODE);
		sqlite3_finalize(st);
		assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
			"SELECT evidence FROM message_dossiers WHERE message = ?", -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int64(st, 1, o2.message);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		if (!strstr((const char *)sqlite3_column_text(st, 0), YJ_CODE))
			fail_msg("merge evidence: %s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}

	/* 祁东县 sends a unit under another name with the same licence. */
	ingest_content_files(&fx, QD_FROM, "祁东县-衡阳云集孵化器有限责任公司-创新创业基地申报", 3,
	                     "2023-05-14T10:00:00+08:00", other, &o3);
	d = fixture_dossiers(&fx);
	assert_int_equal(json_array_size(d), 2);
	json_decref(d);
	sub = fixture_submission(&fx, o3.message);
	assert_true(submission_has_problem(sub, "duplicate-unit"));
	json_decref(sub);
	sub = fixture_submission(&fx, o1.message);
	assert_false(submission_has_problem(sub, "duplicate-unit"));
	json_decref(sub);
	{
		/* Not in the reply the county reads. */
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
			"SELECT count(*) FROM replies WHERE message = ? AND instr(CAST(raw AS TEXT), ?) > 0", -1, &st,
			NULL), SQLITE_OK);
		sqlite3_bind_int64(st, 1, o3.message);
		sqlite3_bind_text(st, 2, YJ_CODE, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
	}
	{
		/* The report's 重复申报 lists both. */
		struct report r;
		char err[256] = "", *buf = NULL;
		size_t len = 0;
		FILE *out;
		time_t day;

		day = report_day_start(fx.app.camp, 2023, 5, 14);
		assert_int_equal(reportdb_build(fx.app.ledger, fx.app.camp, day, day + 86400, &r, err, sizeof(err)), 0);
		out = open_memstream(&buf, &len);
		assert_int_equal(report_text(&r, out), 0);
		fclose(out);
		assert_non_null(strstr(buf, "六、重复申报（同一统一社会信用代码，1 组）\n" YJ_CODE "：#"));
		free(buf);
		report_free(&r);
	}
	fixture_teardown(&fx);
}

/*
 * The pre-check of 祁东县洪桥创业服务有限公司's form (an .xlsx named 工作簿2):
 * five conditions fail, with the values read; advice for staff that
 * changes nothing in the reply, unless the campaign says so
 * (check_affects_reply): then the reply lists the failed conditions.
 */
static void test_eligibility_advice_and_campaign_switch(void **state)
{
	static const char *const files[] = { "工作簿2.xlsx", "Doc1.docx", NULL };
	const char *subj = "祁东县-祁东县洪桥创业服务有限公司-创新创业基地申报";
	struct fixture fx;
	struct ingest_outcome o;
	json_t *sub, *show, *e;
	char err[256] = "";
	size_t i, nfail = 0;
	long long id;

	(void)state;
	for (int affects = 0; affects < 2; affects++) {
		fixture_setup(&fx, "ocr = off\n");
		fx.app.camp->check_affects_reply = affects;
		ingest_content_files(&fx, QD_FROM, subj, 1, "2023-05-12T10:00:00+08:00", files, &o);
		assert_string_equal(o.reply, "missing-items");   /* B02... are missing anyway */
		sub = fixture_submission(&fx, o.message);
		assert_int_equal(submission_has_problem(sub, "eligibility"), affects);
		json_decref(sub);
		{
			json_t *d = fixture_dossiers(&fx);
			id = json_integer_value(json_object_get(json_array_get(d, 0), "id"));
			json_decref(d);
		}
		show = staff_show(fx.app.ledger, fx.app.camp, id, err, sizeof(err));
		assert_non_null(show);
		nfail = 0;
		json_array_foreach(json_object_get(show, "eligibility"), i, e) {
			nfail += strcmp(json_string_value(json_object_get(e, "status")), "fail") == 0;
			assert_true(json_is_array(json_object_get(e, "values")));
		}
		assert_int_equal(nfail, 5);
		json_decref(show);
		{
			/* Problems (which the reply lists) only when the campaign says so. */
			sqlite3_stmt *st;
			assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger),
				"SELECT count(*) FROM problems WHERE message = ? AND kind = 'eligibility'", -1, &st, NULL), SQLITE_OK);
			sqlite3_bind_int64(st, 1, o.message);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int(st, 0), affects ? 5 : 0);
			sqlite3_finalize(st);
		}
		fixture_teardown(&fx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline_inclusive_and_on_received_time),
		cmocka_unit_test(test_no_reply_before_opening_or_long_after_deadline),
		cmocka_unit_test(test_late_supplement_does_not_complete_on_time_dossier),
		cmocka_unit_test(test_content_only_names_get_a_receipt),
		cmocka_unit_test(test_supplement_by_code_and_duplicate_unit),
		cmocka_unit_test(test_eligibility_advice_and_campaign_switch),
	};
	return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}

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
#include "testutil.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline_inclusive_and_on_received_time),
		cmocka_unit_test(test_no_reply_before_opening_or_long_after_deadline),
		cmocka_unit_test(test_late_supplement_does_not_complete_on_time_dossier),
	};
	return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}

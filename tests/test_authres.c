/*
 * Sender trust: Authentication-Results of the bureau's own server judged
 * (RFC 8601; DMARC, aligned DKIM or SPF), forged headers below it ignored;
 * and through ingest, [intake] trust_authserv_id and senders = strict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "ingest_fixture.h"
#include "testutil.h"

#define ID "mx.hengyang-gxj.example"

struct ar_case {
	const char *headers, *from_domain;
	enum authres_verdict want;
	const char *evidence;       /* substring */
};

static void test_judge(void **state)
{
	static const struct ar_case cases[] = {
		/* QQ Mail as Postfix + OpenDMARC write it. */
		{ ID "; dkim=pass (1024-bit key) header.d=qq.com header.i=@qq.com header.b=abc;"
		  " spf=pass (mx: domain of 1356627781@qq.com designates 1.2.3.4) smtp.mailfrom=1356627781@qq.com;"
		  " dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=qq.com",
		  "qq.com", AUTHRES_PASS, "=pass" },
		/* No DMARC result, but DKIM aligned by subdomain. */
		{ ID "; dkim=pass header.d=mail.163.com; spf=softfail smtp.mailfrom=x@bounce.example",
		  "163.com", AUTHRES_PASS, "dkim=pass header.d=mail.163.com" },
		/* SPF aligned, written with spaces and a version. */
		{ ID " 1; spf = pass smtp.mailfrom = clerk@hengyang.gov.example",
		  "hengyang.gov.example", AUTHRES_PASS, "spf=pass" },
		/* Quoted and case-insensitive. */
		{ "MX.HENGYANG-GXJ.EXAMPLE; DMARC=Pass header.from=\"qq.com\"", "qq.com", AUTHRES_PASS, "dmarc" },
		/* Failures. */
		{ ID "; dkim=fail header.d=qq.com; spf=fail smtp.mailfrom=qq.com; dmarc=fail header.from=qq.com",
		  "qq.com", AUTHRES_FAIL, "dmarc=fail" },
		{ ID "; dkim=pass header.d=evil.example; dmarc=none header.from=qq.com",
		  "qq.com", AUTHRES_FAIL, "nothing aligned with qq.com passed" },
		{ ID "; dmarc=pass header.from=evil.example", "qq.com", AUTHRES_FAIL, "nothing aligned" },
		{ ID "; none", "qq.com", AUTHRES_FAIL, "no results" },
		/* Not aligned: a suffix that is not a subdomain. */
		{ ID "; dkim=pass header.d=tqq.com", "qq.com", AUTHRES_FAIL, "nothing aligned" },
		/* A forged "pass" below our server's real verdict does not count. */
		{ ID "; dmarc=fail header.from=qq.com\n" ID "; dmarc=pass header.from=qq.com",
		  "qq.com", AUTHRES_FAIL, "dmarc=fail" },
		/* Other servers' headers are not ours to trust. */
		{ "mx.evil.example; dmarc=pass header.from=qq.com", "qq.com", AUTHRES_NONE, "no Authentication-Results" },
		{ NULL, "qq.com", AUTHRES_NONE, "no Authentication-Results" },
		/* A comment hiding a semicolon, and one hiding "pass". */
		{ ID " (ours; trust me); dkim=fail (dkim=pass header.d=qq.com) header.d=qq.com",
		  "qq.com", AUTHRES_FAIL, "dkim=fail" },
		/* No From domain: nothing can align. */
		{ ID "; dmarc=pass header.from=qq.com", NULL, AUTHRES_FAIL, "(no From)" },
	};
	char ev[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum authres_verdict v = authres_judge(cases[i].headers, ID, cases[i].from_domain, ev, sizeof(ev));

		if (v != cases[i].want || !strstr(ev, cases[i].evidence))
			fail_msg("case %zu: verdict %d (want %d), evidence \"%s\" (want \"%s\")", i, v,
			         cases[i].want, ev, cases[i].evidence);
	}
}

static void test_judge_bounded_on_garbage(void **state)
{
	char *big = malloc(100000), ev[64];

	(void)state;
	memset(big, '(', 99999);
	big[99999] = '\0';
	assert_int_equal(authres_judge(big, ID, "qq.com", ev, sizeof(ev)), AUTHRES_NONE);
	memcpy(big, ID ";", strlen(ID) + 1);
	for (size_t i = strlen(ID) + 1; i < 99999; i++)
		big[i] = (i % 3) ? ';' : '=';
	assert_int_equal(authres_judge(big, ID, "qq.com", ev, sizeof(ev)), AUTHRES_FAIL);
	free(big);
}

/* A submission from 祁东县's registered address, with optional
 * Authentication-Results lines and From address. */
static char *message(int n, const char *from, const char *authres)
{
	return tu_printf("%sFrom: =?UTF-8?B?56WB5Lic5Y6/5bel5L+h5bGA?= <%s>\r\n"
	                 "To: sme-intake@hengyang-gxj.example\r\n"
	                 "Subject: =?UTF-8?B?56WB5Lic5Y6/55Sz5oql5p2Q5paZ?=\r\nMessage-ID: <a%d@qidong.example>\r\n"
	                 "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	                 "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n"
	                 "--b\r\nContent-Type: application/pdf\r\n"
	                 "Content-Disposition: attachment; filename*=UTF-8''1.%%E7%%94%%B3%%E8%%AF%%B7%%E8%%A1%%A8.pdf\r\n\r\n"
	                 "%%PDF-1.4\r\n%%%%EOF\r\n--b--\r\n", authres ? authres : "", from, n);
}

static json_t *ingest(struct fixture *fx, int n, const char *from, const char *authres,
                      struct ingest_outcome *o)
{
	char *m = message(n, from, authres);

	assert_int_equal(fixture_ingest_buf(fx, m, strlen(m), "2023-05-12T10:00:00+08:00", o), 0);
	free(m);
	return fixture_submission(fx, o->message);
}

static void test_trust_authserv_id(void **state)
{
	struct fixture fx;
	struct ingest_outcome o;
	json_t *s;

	(void)state;
	fixture_setup(&fx, "trust_authserv_id = " ID "\n");
	/* Authenticated by our server: a submission like any other. */
	s = ingest(&fx, 1, "qidong-gxj@hengyang.gov.example",
	           "Authentication-Results: " ID "; dkim=pass header.d=hengyang.gov.example;"
	           " dmarc=pass header.from=hengyang.gov.example\r\n", &o);
	assert_string_equal(o.status, "incomplete");
	assert_non_null(o.reply);
	json_decref(s);
	/* Spoofed From: DMARC failed at our server; a forged pass added by
	 * the sender further down changes nothing. */
	s = ingest(&fx, 2, "qidong-gxj@hengyang.gov.example",
	           "Authentication-Results: " ID "; dmarc=fail header.from=hengyang.gov.example\r\n"
	           "Authentication-Results: " ID "; dmarc=pass header.from=hengyang.gov.example\r\n", &o);
	assert_string_equal(o.status, "ignored");
	assert_null(o.reply);
	assert_int_equal(o.ndossiers, 0);
	assert_true(submission_has_problem(s, "sender-unauthenticated"));
	json_decref(s);
	/* No header of ours at all (e.g. injected past the MTA). */
	s = ingest(&fx, 3, "qidong-gxj@hengyang.gov.example", NULL, &o);
	assert_string_equal(o.status, "ignored");
	assert_true(submission_has_problem(s, "sender-unauthenticated"));
	json_decref(s);
	fixture_teardown(&fx);
}

static void test_senders_strict_and_open(void **state)
{
	struct fixture fx;
	struct ingest_outcome o;
	json_t *s;

	(void)state;
	fixture_setup(&fx, "senders = strict\n");
	s = ingest(&fx, 1, "someone@qq.example", NULL, &o);
	assert_string_equal(o.status, "ignored");
	assert_null(o.reply);
	assert_true(submission_has_problem(s, "sender-unknown"));
	json_decref(s);
	s = ingest(&fx, 2, "qidong-gxj@hengyang.gov.example", NULL, &o);
	assert_string_equal(o.status, "incomplete");
	assert_true(json_is_true(json_object_get(s, "sender_verified")));
	json_decref(s);
	fixture_teardown(&fx);

	/* Open (the default): anyone submits; staff see the address is not
	 * registered. */
	fixture_setup(&fx, NULL);
	s = ingest(&fx, 1, "someone@qq.example", NULL, &o);
	assert_string_equal(o.status, "incomplete");
	assert_true(json_is_false(json_object_get(s, "sender_verified")));
	json_decref(s);
	fixture_teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_judge_bounded_on_garbage),
		cmocka_unit_test(test_trust_authserv_id),
		cmocka_unit_test(test_senders_strict_and_open),
	};
	return cmocka_run_group_tests_name("authres", tests, NULL, NULL);
}

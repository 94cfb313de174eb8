/* Config: every error names FILE:LINE; paths are relative to the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "netsec.h"
#include "testutil.h"

static char *write_conf(const char *dir, const char *text)
{
	char *p = tu_printf("%s/intake.conf", dir);

	assert_int_equal(tu_write_file(p, text, strlen(text)), 0);
	return p;
}

static void test_minimal_config_and_defaults(void **state)
{
	char *dir = tu_tempdir(), err[512] = "";
	char *p = write_conf(dir, "; comment\n[intake]\nstate_dir = state\ncampaign = /etc/intake/c.conf\n"
	                          "max_ratio = 50\nmax_uncompressed_bytes = 512M\n");
	struct config *c = NULL;

	(void)state;
	assert_int_equal(config_load(p, &c, err, sizeof(err)), 0);
	char *want = tu_printf("%s/state", dir);
	assert_string_equal(c->state_dir, want);
	assert_string_equal(c->campaign, "/etc/intake/c.conf");
	assert_int_equal(c->limits.ratio, 50);
	assert_int_equal(c->limits.uncompressed_bytes, 512ULL << 20);
	assert_int_equal(c->limits.archive_depth, LIMIT_DEF_ARCHIVE_DEPTH);
	assert_int_equal(c->limits.ocr, LIMIT_OCR_AUTO);
	assert_false(c->imap.set);
	/* replies: generous defaults */
	assert_int_equal(c->smtp.max_replies_per_day, 30);
	assert_int_equal(c->smtp.timeout, 30);
	assert_int_equal(c->smtp.retry_seconds, 60);
	assert_int_equal(c->smtp.give_up_hours, 72);
	config_free(&c);
	assert_null(c);
	free(want);
	free(p);
	tu_rmrf(dir);
	free(dir);
}

struct bad_case {
	const char *text;
	const char *expect;   /* substring of the error, after FILE */
};

static void test_errors_name_file_and_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "[intake]\nstate_dir = s\ncampain = c\n", ":3: unknown key \"campain\" in [intake]" },
		{ "[intake]\nstate_dir = s\ncampaign = c\nmax_ratio = lots\n", ":4: bad value \"lots\" for max_ratio" },
		{ "[intake]\nstate_dir = s\n[pop3]\nhost = x\n", ":4: unknown section [pop3]" },
		{ "[intake]\nstate_dir = s\n", "[intake] campaign is required" },
		{ "[imap]\nsecurity = maybe\n", ":2: bad value \"maybe\" for security" },
		{ "[intake]\nthis is not ini\n", ":2: syntax error" },
		{ "[intake]\nstate_dir = s\ncampaign = c\n[imap]\nhost = mail.example.org\nsecurity = none\n",
		  "security = none sends the password in clear" },
		{ "[intake]\nstate_dir = s\ncampaign = c\n[imap]\nuser = u\n", "[imap] host is required" },
		{ "[intake]\nstate_dir = s\ncampaign = c\n[imap]\nhost = h\nfetch_chunk = 1\n",
		  ":6: bad value \"1\" for fetch_chunk" },
		{ "[intake]\nstate_dir = s\ncampaign = c\n[imap]\nhost = h\nmax_attempts = 0\n",
		  ":6: bad value \"0\" for max_attempts" },
		{ "[intake]\nstate_dir = s\ncampaign = c\n[smtp]\nhost = h\nmailbox = INBOX\n",
		  ":6: unknown key \"mailbox\" in [smtp]" },
		{ "[smtp]\nfrom = 衡阳 <sme@x.example>\n", ":2: bad value" },
		{ "[smtp]\nfrom = no-at-sign\n", ":2: bad value" },
		{ "[smtp]\nmax_replies_per_day = 0\n", ":2: bad value \"0\" for max_replies_per_day" },
		{ "[smtp]\nretry_seconds = soon\n", ":2: bad value" },
		{ "[imap]\nmax_replies_per_day = 3\n", ":2: unknown key \"max_replies_per_day\" in [imap]" },
		{ "[intake]\nocr = maybe\n", ":2: bad value \"maybe\" for ocr" },
		{ "[intake]\ntext_bytes = 2M\n", ":2: bad value \"2M\" for text_bytes" },
		{ "[intake]\ntext_files = 0\n", ":2: bad value \"0\" for text_files" },
		{ "[intake]\nocr_ms = 10\n", ":2: bad value \"10\" for ocr_ms" },
	};
	char *dir = tu_tempdir();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512] = "";
		struct config *c = NULL;
		char *p = write_conf(dir, cases[i].text);
		assert_int_equal(config_load(p, &c, err, sizeof(err)), -1);
		assert_null(c);
		if (!strstr(err, cases[i].expect))
			fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, cases[i].expect);
		assert_non_null(strstr(err, p));
		free(p);
	}
	tu_rmrf(dir);
	free(dir);
}

/* [intake] document text and OCR (issue 9). */
static void test_text_keys(void **state)
{
	char *dir = tu_tempdir(), err[512] = "";
	char *p = write_conf(dir, "[intake]\nstate_dir = s\ncampaign = c\nocr = off\ntext_bytes = 16K\n"
	                          "text_pages = 3\ntext_files = 12\nocr_ms = 5000\nocr_extra_seconds = 90\n");
	struct config *c = NULL;

	(void)state;
	assert_int_equal(config_load(p, &c, err, sizeof(err)), 0);
	assert_int_equal(c->limits.ocr, LIMIT_OCR_OFF);
	assert_int_equal(c->limits.text_bytes, 16384);
	assert_int_equal(c->limits.text_pages, 3);
	assert_int_equal(c->limits.text_files, 12);
	assert_int_equal(c->limits.ocr_ms, 5000);
	assert_int_equal(c->limits.ocr_extra_seconds, 90);
	config_free(&c);
	free(p);
	p = write_conf(dir, "[intake]\nstate_dir = s\ncampaign = c\nocr = on\n");
	assert_int_equal(config_load(p, &c, err, sizeof(err)), 0);
	assert_int_equal(c->limits.ocr, LIMIT_OCR_ON);
	config_free(&c);
	free(p);
	tu_rmrf(dir);
	free(dir);
}

static void test_imap_defaults(void **state)
{
	char *dir = tu_tempdir(), err[512] = "";
	char *p = write_conf(dir, "[intake]\nstate_dir = s\ncampaign = c\n[imap]\nhost = 127.0.0.1\n"
	                          "security = none\nuser = bureau\npassword_file = pw\n");
	struct config *c = NULL;
	char *want;

	(void)state;
	assert_int_equal(config_load(p, &c, err, sizeof(err)), 0);
	assert_true(c->imap.set);
	assert_string_equal(c->imap.security, "none");      /* loopback: allowed */
	assert_string_equal(c->imap.mailbox, "INBOX");
	assert_int_equal(c->imap.poll_interval, 60);
	assert_int_equal(c->imap.timeout, 60);
	assert_int_equal(c->imap.max_attempts, 5);
	assert_int_equal(c->imap.fetch_chunk, 1u << 20);
	assert_int_equal(c->imap.max_backoff, 300);
	want = tu_printf("%s/pw", dir);
	assert_string_equal(c->imap.password_file, want);
	config_free(&c);
	free(want);
	free(p);
	/* The default security is TLS. */
	p = write_conf(dir, "[intake]\nstate_dir = s\ncampaign = c\n[imap]\nhost = mail.example.org\n");
	assert_int_equal(config_load(p, &c, err, sizeof(err)), 0);
	assert_string_equal(c->imap.security, "tls");
	config_free(&c);
	free(p);
	tu_rmrf(dir);
	free(dir);
}

static void test_loopback_and_passwords(void **state)
{
	char *dir = tu_tempdir(), err[256];
	char *p = tu_printf("%s/pw", dir);
	char *pw;

	(void)state;
	assert_true(netsec_is_loopback("127.0.0.1"));
	assert_true(netsec_is_loopback("127.3.2.1"));
	assert_true(netsec_is_loopback("::1"));
	assert_true(netsec_is_loopback("localhost"));
	assert_false(netsec_is_loopback("128.0.0.1"));
	assert_false(netsec_is_loopback("localhost.example.org"));
	assert_false(netsec_is_loopback("10.0.0.1"));
	assert_true(netsec_is_ip_literal("10.0.0.1"));
	assert_true(netsec_is_ip_literal("fe80::1"));
	assert_false(netsec_is_ip_literal("mail.example.org"));

	/* One line, with or without its newline or CRLF. */
	tu_write_file(p, "s3cret\r\n", 8);
	pw = netsec_read_password(p, err, sizeof(err));
	assert_string_equal(pw, "s3cret");
	netsec_free_password(pw);
	tu_write_file(p, "s3cret", 6);
	pw = netsec_read_password(p, err, sizeof(err));
	assert_string_equal(pw, "s3cret");
	netsec_free_password(pw);
	/* Refused: empty, two lines, a CR inside, missing. */
	tu_write_file(p, "\n", 1);
	assert_null(netsec_read_password(p, err, sizeof(err)));
	assert_non_null(strstr(err, "empty"));
	tu_write_file(p, "a\nb\n", 4);
	assert_null(netsec_read_password(p, err, sizeof(err)));
	assert_non_null(strstr(err, "more than one line"));
	tu_write_file(p, "a\rb\n", 4);
	assert_null(netsec_read_password(p, err, sizeof(err)));
	assert_non_null(strstr(err, "CR"));
	assert_null(netsec_read_password("/nonexistent/pw", err, sizeof(err)));
	/* A relative name is looked up in $CREDENTIALS_DIRECTORY first. */
	tu_write_file(p, "fromcreds\n", 10);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	pw = netsec_read_password("pw", err, sizeof(err));
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_non_null(pw);
	assert_string_equal(pw, "fromcreds");
	netsec_free_password(pw);
	free(p);
	tu_rmrf(dir);
	free(dir);
}

static void test_missing_file(void **state)
{
	char err[512] = "";
	struct config *c = NULL;

	(void)state;
	assert_int_equal(config_load("/nonexistent/intake.conf", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/intake.conf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_config_and_defaults),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_text_keys),
		cmocka_unit_test(test_imap_defaults),
		cmocka_unit_test(test_loopback_and_passwords),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

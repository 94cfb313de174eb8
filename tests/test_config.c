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
		{ "[smtp]\nfrom = 衡阳 <sme@x.example>\n", ":2: bad value" },
		{ "[smtp]\nfrom = no-at-sign\n", ":2: bad value" },
		{ "[smtp]\nmax_replies_per_day = 0\n", ":2: bad value \"0\" for max_replies_per_day" },
		{ "[smtp]\nretry_seconds = soon\n", ":2: bad value" },
		{ "[imap]\nmax_replies_per_day = 3\n", ":2: unknown key \"max_replies_per_day\" in [imap]" },
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
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

/*
 * The intakectl command-line contract other tools drive: arguments, exit
 * codes, and the keys of dossiers --json and submissions --json.
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
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static char *dir, *conf, *bin, *cwd;

/* Run a shell command; returns its exit status, output in *out_r. */
static int run(char **out_r, const char *fmt, ...)
{
	va_list ap;
	char *cmd = NULL, *full, *out;
	FILE *p;
	size_t len;
	int st;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	full = tu_printf("%s > %s/out 2>&1", cmd, dir);
	p = popen(full, "r");
	assert_non_null(p);
	st = pclose(p);
	free(full);
	free(cmd);
	char *path = tu_printf("%s/out", dir);
	out = tu_read_file(path, &len);
	free(path);
	if (out_r)
		*out_r = out;
	else
		free(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int setup(void **state)
{
	const char *b = getenv("INTAKE_BIN");
	char buf[4096];

	(void)state;
	dir = tu_tempdir();
	assert_non_null(getcwd(buf, sizeof(buf)));
	cwd = strdup(buf);
	if (b && *b == '/')
		bin = tu_printf("%s/intakectl", b);
	else
		bin = tu_printf("%s/%s/intakectl", cwd, b && *b ? b : "bin");
	conf = tu_printf("%s/intake.conf", dir);
	char *text = tu_printf("[intake]\nstate_dir = state\ncampaign = %s/campaigns/hengyang-2023.conf\n", cwd);
	assert_int_equal(tu_write_file(conf, text, strlen(text)), 0);
	free(text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(dir);
	free(dir);
	free(conf);
	free(bin);
	free(cwd);
	return 0;
}

static void test_usage_and_errors(void **state)
{
	char *out;
	char *bad = tu_printf("%s/bad.conf", dir);

	(void)state;
	assert_int_equal(run(&out, "%s --version", bin), 0);
	assert_non_null(strstr(out, "intakectl "));
	free(out);
	assert_int_equal(run(NULL, "%s", bin), 2);
	assert_int_equal(run(NULL, "%s -c %s frobnicate", bin, conf), 2);
	assert_int_equal(run(NULL, "%s -c %s ingest --received yesterday x.eml", bin, conf), 2);
	assert_int_equal(tu_write_file(bad, "[intake]\nstate_dir = s\nstatedir = t\n", 35), 0);
	assert_int_equal(run(&out, "%s -c %s dossiers", bin, bad), 1);
	assert_non_null(strstr(out, "bad.conf:3: unknown key \"statedir\""));
	free(out);
	assert_int_equal(run(&out, "%s -c %s ingest /nonexistent/x.eml", bin, conf), 1);
	assert_non_null(strstr(out, "/nonexistent/x.eml"));
	free(out);
	free(bad);
}

/*
 * Several files in one ingest: each next file is copied into the spool
 * while the previous one is parsed.  A missing file, a duplicate and a
 * file too big for max_message_bytes in the middle of the list must be
 * reported for themselves and leave the others as a one-by-one ingest
 * would; nothing half-copied may stay behind in the spool.
 */
static void test_ingest_many_files(void **state)
{
	char *out, *sdir = tu_printf("%s/many", dir), *mconf = tu_printf("%s/many.conf", dir);
	char *text = tu_printf("[intake]\nstate_dir = %s\ncampaign = %s/campaigns/hengyang-2023.conf\n"
	                       "max_message_bytes = 20000\n", sdir, cwd);
	char *spool = tu_printf("%s/spool", sdir);
	char **names;
	size_t n, eml = 0, other = 0;
	const char *b = "examples/03-qidong-qq-personal-address.eml";         /* 14.8 KB */
	const char *c = "examples/12-hengshan-qq-big-attachment-link.eml";    /* 6.5 KB */
	const char *big = "examples/01-zhuhui-foxmail-base-complete.eml";     /* 27.7 KB */
	char *p1, *p2, *p3, *p4, *p5;

	(void)state;
	assert_int_equal(tu_write_file(mconf, text, strlen(text)), 0);
	assert_int_equal(run(&out, "cd %s && %s -c %s ingest %s /nonexistent/y.eml %s %s %s", cwd, bin,
	                     mconf, b, b, c, big), 1);
	/* one line per file: results on stdout in the order given, errors
	 * on stderr (the two streams are buffered differently) */
	{
		char *l1 = tu_printf("%s：已登记", b), *l2 = tu_printf("%s：重复邮件", b);
		char *l3 = tu_printf("%s：已登记", c), *l4 = tu_printf("%s: message larger", big);

		p1 = strstr(out, l1);
		p2 = p1 ? strstr(p1, l2) : NULL;
		p3 = p2 ? strstr(p2, l3) : NULL;
		p4 = strstr(out, "/nonexistent/y.eml: No such file");
		p5 = strstr(out, l4);
		if (!p1 || !p2 || !p3 || !p4 || !p5)
			fail_msg("unexpected ingest output:\n%s", out);
		free(l1);
		free(l2);
		free(l3);
		free(l4);
	}
	free(out);
	names = tu_list_files(spool, &n);
	for (size_t i = 0; i < n; i++) {
		if (strstr(names[i], ".eml"))
			eml++;
		else
			other++;
	}
	tu_free_list(names, n);
	if (eml != 2 || other != 0)
		fail_msg("spool holds %zu messages and %zu other files, expected 2 and 0", eml, other);
	free(spool);
	free(text);
	free(mconf);
	free(sdir);
}

static bool has_keys(json_t *o, const char *const *keys)
{
	for (const char *const *k = keys; *k; k++)
		if (!json_object_get(o, *k)) {
			print_error("missing key %s\n", *k);
			return false;
		}
	return true;
}

static void test_ingest_and_json_contract(void **state)
{
	static const char *const dkeys[] = { "id", "program", "applicant", "county", "sender",
		"received_at", "late", "complete", "present", "missing", "files", "messages", NULL };
	static const char *const skeys[] = { "id", "message_id", "sender", "county", "received_at",
		"late", "status", "dossiers", "county_present", "county_missing", "reply", "problems", NULL };
	static const char *const fkeys[] = { "name", "item", "mime", NULL };
	json_error_t jerr;
	json_t *j, *o, *f;
	size_t i, k;
	char *out;

	(void)state;
	assert_int_equal(run(&out, "%s -c %s ingest --received 2023-05-10T09:41:22+08:00 "
	                     "%s/examples/01-zhuhui-foxmail-base-complete.eml", bin, conf, cwd), 0);
	assert_non_null(strstr(out, "已登记"));
	assert_non_null(strstr(out, "receipt"));
	free(out);
	assert_int_equal(run(&out, "%s -c %s ingest --received 2023-05-20T09:12:00+08:00 "
	                     "%s/examples/11-hengdong-late.eml %s/examples/01-zhuhui-foxmail-base-complete.eml",
	                     bin, conf, cwd, cwd), 0);
	assert_non_null(strstr(out, "late-notice"));
	assert_non_null(strstr(out, "重复邮件"));
	free(out);

	assert_int_equal(run(&out, "%s -c %s dossiers --json", bin, conf), 0);
	j = json_loads(out, 0, &jerr);
	free(out);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 2);
	json_array_foreach(j, i, o) {
		assert_true(has_keys(o, dkeys));
		const char *prog = json_string_value(json_object_get(o, "program"));
		assert_true(strcmp(prog, "base") == 0 || strcmp(prog, "institution") == 0);
		/* RFC 3339 with its UTC offset */
		assert_non_null(strstr(json_string_value(json_object_get(o, "received_at")), "+08:00"));
		assert_true(json_array_size(json_object_get(o, "files")) > 0);
		json_array_foreach(json_object_get(o, "files"), k, f)
			assert_true(has_keys(f, fkeys));
	}
	json_decref(j);

	assert_int_equal(run(&out, "%s -c %s submissions --json", bin, conf), 0);
	j = json_loads(out, 0, &jerr);
	free(out);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 2);
	json_array_foreach(j, i, o) {
		assert_true(has_keys(o, skeys));
		assert_true(json_is_array(json_object_get(o, "problems")));
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "status")), "accepted");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "status")), "late");
	json_decref(j);

	/* The text views speak Chinese to staff. */
	assert_int_equal(run(&out, "%s -c %s dossiers", bin, conf), 0);
	assert_non_null(strstr(out, "材料齐全"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_and_errors),
		cmocka_unit_test(test_ingest_and_json_contract),
		cmocka_unit_test(test_ingest_many_files),
	};
	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}

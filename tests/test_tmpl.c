/*
 * Reply templates: placeholders, lists, flags, standalone section lines,
 * and every mistake staff can make named with FILE:LINE at load time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

static const struct tmpl_field item[] = {
	{ "number", TMPL_TEXT, NULL }, { "title", TMPL_TEXT, NULL }, { NULL, TMPL_TEXT, NULL }
};
static const struct tmpl_field dossier[] = {
	{ "applicant", TMPL_TEXT, NULL }, { "complete", TMPL_FLAG, NULL },
	{ "missing", TMPL_LIST, item }, { NULL, TMPL_TEXT, NULL }
};
static const struct tmpl_field top[] = {
	{ "county", TMPL_TEXT, NULL }, { "late", TMPL_FLAG, NULL },
	{ "dossiers", TMPL_LIST, dossier }, { NULL, TMPL_TEXT, NULL }
};

static char *render(const char *text, const struct tmpl_rec *data)
{
	struct tmpl *t = NULL;
	char err[512] = "", *out = NULL;

	if (tmpl_parse(text, strlen(text), "t.txt", 1, top, &t, err, sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	assert_int_equal(tmpl_render(t, data, &out, NULL, err, sizeof(err)), 0);
	tmpl_free(&t);
	return out;
}

static void expect_error(const char *text, unsigned first_line, const char *want)
{
	struct tmpl *t = NULL;
	char err[512] = "";

	assert_int_equal(tmpl_parse(text, strlen(text), "receipt.txt", first_line, top, &t, err, sizeof(err)), -1);
	assert_null(t);
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static struct tmpl_rec *sample(void)
{
	struct tmpl_rec *r = tmpl_rec_new(), *d, *m;

	tmpl_set(r, "county", "珠晖区");
	d = tmpl_add_row(r, "dossiers");
	tmpl_set(d, "applicant", "甲公司");
	tmpl_set_flag(d, "complete", false);
	m = tmpl_add_row(d, "missing");
	tmpl_set(m, "number", "5");
	tmpl_set(m, "title", "审计报告");
	m = tmpl_add_row(d, "missing");
	tmpl_setf(m, "number", "%d", 14);
	tmpl_set(m, "title", "社保证明");
	d = tmpl_add_row(r, "dossiers");
	tmpl_set(d, "applicant", "乙中心");
	tmpl_set_flag(d, "complete", true);
	return r;
}

static void test_placeholders_lists_flags(void **state)
{
	struct tmpl_rec *r = sample();
	char *out;

	(void)state;
	out = render("{{county}}：\n"
	             "{{#dossiers}}\n"
	             "【{{applicant}}】\n"
	             "  {{#complete}}齐全{{/complete}}{{^complete}}不全{{/complete}}\n"
	             "{{#missing}}\n"
	             "  缺 {{ number }}. {{title}}（{{county}}）\n"
	             "{{/missing}}\n"
	             "{{/dossiers}}\n"
	             "{{^late}}\n"
	             "按时\n"
	             "{{/late}}\n"
	             "{{! a comment line disappears }}\n"
	             "完", r);
	assert_string_equal(out, "珠晖区：\n"
	                         "【甲公司】\n"
	                         "  不全\n"
	                         "  缺 5. 审计报告（珠晖区）\n"
	                         "  缺 14. 社保证明（珠晖区）\n"
	                         "【乙中心】\n"
	                         "  齐全\n"
	                         "按时\n"
	                         "完");
	free(out);
	tmpl_rec_free(&r);
	assert_null(r);
}

static void test_unset_values_render_empty(void **state)
{
	struct tmpl_rec *r = tmpl_rec_new();
	char *out;

	(void)state;
	out = render("[{{county}}]{{#dossiers}}x{{/dossiers}}{{^dossiers}}无{{/dossiers}}", r);
	assert_string_equal(out, "[]无");
	free(out);
	out = render("{{#county}}有县{{/county}}{{^county}}无县{{/county}}", r);
	assert_string_equal(out, "无县");
	free(out);
	tmpl_rec_free(&r);
	/* no data at all */
	out = render("a{{county}}b", NULL);
	assert_string_equal(out, "ab");
	free(out);
}

static void test_values_are_never_templates(void **state)
{
	struct tmpl_rec *r = tmpl_rec_new();
	char *out;

	(void)state;
	/* A county's subject full of braces is text, not a template. */
	tmpl_set(r, "county", "{{#dossiers}}{{county}}{{/dossiers}}");
	out = render("<{{county}}>", r);
	assert_string_equal(out, "<{{#dossiers}}{{county}}{{/dossiers}}>");
	free(out);
	tmpl_rec_free(&r);
}

static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	expect_error("第一行\n第二行 {{countyy}}\n", 3, "receipt.txt:4: unknown placeholder {{countyy}}");
	expect_error("{{#dossiers}}\n{{applicant}}\n", 1, "receipt.txt:1: {{#dossiers}} is never closed");
	expect_error("x\n{{/dossiers}}\n", 1, "receipt.txt:2: {{/dossiers}} closes nothing");
	expect_error("{{#dossiers}}\n{{#missing}}\n{{/dossiers}}\n", 1, "receipt.txt:3: {{/dossiers}} closes nothing here");
	expect_error("{{dossiers}}", 1, "is a list; use {{#dossiers}}");
	expect_error("{{late}}", 1, "is a yes/no flag");
	expect_error("a {{county\n}}", 1, "receipt.txt:1: '{{' without '}}'");
	expect_error("{{Bad-Name}}", 1, "bad placeholder");
	expect_error("{{}}", 1, "empty or overlong placeholder");
	/* a row's names exist only inside its list */
	expect_error("{{applicant}}", 1, "unknown placeholder {{applicant}} (known here: county, late, dossiers)");
	expect_error("{{^dossiers}}{{applicant}}{{/dossiers}}", 1, "unknown placeholder {{applicant}}");
}

static void test_limits(void **state)
{
	struct tmpl *t = NULL;
	char err[512], *big, *deep;
	size_t n = TMPL_MAX_BYTES + 1;

	(void)state;
	big = malloc(n);
	memset(big, 'x', n);
	assert_int_equal(tmpl_parse(big, n, "big.txt", 1, top, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	free(big);
	assert_int_equal(tmpl_parse("a\0b", 3, "nul.txt", 1, top, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
	/* Nesting beyond the cap is refused, not recursed into. */
	deep = calloc(TMPL_MAX_DEPTH + 2, 16);
	for (unsigned i = 0; i < TMPL_MAX_DEPTH + 1; i++)
		strcat(deep, "{{#late}}");
	assert_int_equal(tmpl_parse(deep, strlen(deep), "deep.txt", 1, top, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nested deeper"));
	free(deep);
}

static void test_output_cap(void **state)
{
	struct tmpl *t = NULL;
	struct tmpl_rec *r = tmpl_rec_new();
	char err[512], *out = NULL, *chunk = malloc(1 << 20);

	(void)state;
	memset(chunk, 'y', (1 << 20) - 1);
	chunk[(1 << 20) - 1] = '\0';
	for (int i = 0; i < 9; i++)
		tmpl_set(tmpl_add_row(r, "dossiers"), "applicant", chunk);
	assert_int_equal(tmpl_parse("{{#dossiers}}{{applicant}}{{/dossiers}}", 39, "t", 1, top, &t, err, sizeof(err)), 0);
	assert_int_equal(tmpl_render(t, r, &out, NULL, err, sizeof(err)), -1);
	assert_null(out);
	assert_non_null(strstr(err, "larger than"));
	tmpl_free(&t);
	tmpl_rec_free(&r);
	free(chunk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders_lists_flags),
		cmocka_unit_test(test_unset_values_render_empty),
		cmocka_unit_test(test_values_are_never_templates),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_output_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

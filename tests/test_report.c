/*
 * The daily report on a ledger built from examples/: its contents, the CJK
 * column alignment of the text, the CSV read back by Python's csv module
 * (BOM, RFC 4180), the XLSX unzipped and read back by Python (Annex 2/4
 * headers identical to the notice's), and the HTML printed to PDF by
 * headless Chromium.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest_fixture.h"
#include "reportdb.h"
#include "testutil.h"

#define NOTICE "../shared/seed/000_4b465eacb7976e9f.txt"
#define CHROMIUM "/usr/bin/chromium"

static struct fixture fx;

static int setup(void **state)
{
	(void)state;
	fixture_setup(&fx, FIXTURE_OCR_OFF);
	assert_int_equal(fixture_ingest_examples(&fx), 20);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_teardown(&fx);
	return 0;
}

static void build(int y, int m, int d, struct report *r)
{
	char err[512];
	time_t day = report_day_start(fx.app.camp, y, m, d);

	assert_true(day != (time_t)-1);
	if (reportdb_build(fx.app.ledger, fx.app.camp, day, day + 3600, r, err, sizeof(err)) != 0)
		fail_msg("reportdb_build: %s", err);
}

static char *render_text(const struct report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_text(r, f), 0);
	fclose(f);
	return buf;
}

/* The line of text that starts with prefix. */
static char *line_of(const char *text, const char *prefix)
{
	for (const char *p = text; p && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return strndup(p, n);
		p = nl ? nl + 1 : NULL;
	}
	fail_msg("no line starting with \"%s\" in:\n%s", prefix, text);
	return NULL;
}

/* Run a command; its stdout in *out_r (may be NULL). */
static int run(char **out_r, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[8192];
	int st;

	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		buf = realloc(buf, len + n + 1);
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	}
	st = pclose(p);
	if (out_r)
		*out_r = buf ? buf : strdup("");
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static json_t *read_back(const char *kind, const char *path)
{
	char *cmd = tu_printf("/usr/bin/python3 tests/report_read.py %s '%s'", kind, path), *out;
	json_error_t jerr;
	json_t *j;

	assert_int_equal(run(&out, cmd), 0);
	j = json_loads(out, 0, &jerr);
	if (!j)
		fail_msg("report_read.py %s: %s\n%s", kind, jerr.text, out);
	free(out);
	free(cmd);
	return j;
}

static void test_width_and_clean(void **state)
{
	char *c;

	(void)state;
	assert_int_equal(report_width("abc"), 3);
	assert_int_equal(report_width("衡阳A"), 5);
	assert_int_equal(report_width("ＡＢ"), 4);          /* fullwidth forms */
	assert_int_equal(report_width("（〔2023〕）"), 12);  /* CJK punctuation is wide */
	assert_int_equal(report_width("e\xCC\x81"), 1);     /* combining acute */
	assert_int_equal(report_width("\xF0\xA0\x80\x80"), 2); /* U+20000, extension B */
	c = report_clean("a\x1b[31mb\xE2\x80\xAE" "c\xff");
	assert_string_equal(c, "a\xEF\xBF\xBD[31mb\xEF\xBF\xBD" "c\xEF\xBF\xBD");
	free(c);
}

static void test_text_contents(void **state)
{
	struct report r;
	char *t, *l;

	(void)state;
	build(2023, 5, 15, &r);
	t = render_text(&r);
	assert_non_null(strstr(t, "报告日期：2023年5月15日（星期一）"));
	assert_non_null(strstr(t, "申报截止：2023年5月19日 23:59（北京时间），还有 4 天"));
	assert_non_null(strstr(t, "今日收到申报邮件 5 封，新增申报单位 5 个；累计申报邮件 10 封，申报单位 11 个"));
	assert_non_null(strstr(t, "另收到非申报邮件 1 封"));
	assert_non_null(strstr(t, "尚未报送（7 个）：衡阳县、衡山县、衡东县、衡阳高新技术产业开发区"));
	/* per county: messages today / to date, bases, institutions, complete,
	 * incomplete, late, problems, county papers */
	l = line_of(t, "常宁市");
	assert_non_null(strstr(l, "缺推荐报告、推荐汇总表"));
	free(l);
	l = line_of(t, "珠晖区");
	assert_non_null(strstr(l, "齐全"));
	free(l);
	/* the missing items of each incomplete dossier, by number and title */
	l = line_of(t, "#10 ");
	assert_non_null(strstr(l, "南岳区"));
	assert_non_null(strstr(l, "6.法人证书或营业执照"));
	assert_non_null(strstr(l, "（今日新增）"));
	free(l);
	l = line_of(t, "#2 ");
	assert_non_null(strstr(l, "8.主要人员情况及资格证书、社保证明"));
	assert_null(strstr(l, "今日新增"));
	free(l);
	/* problems of the day, one line per message and kind */
	l = line_of(t, "来信#6 常宁市【压缩包加密】");
	assert_non_null(strstr(l, "（同类共 12 项）"));
	free(l);
	assert_non_null(strstr(t, "来信#9 南岳区【可执行程序】"));
	assert_null(strstr(t, "来信#5 "));    /* 12 May: not today */
	free(t);
	report_free(&r);
}

/* Every row of the county table ends its numbers at the same terminal
 * column: CJK names count two columns each. */
static void test_text_alignment(void **state)
{
	struct report r;
	char *t, *p;
	size_t want = 0, rows = 0;
	int dashes = 0;

	(void)state;
	build(2023, 5, 18, &r);
	t = render_text(&r);
	/* the rows between the two rules, and 合计 after them */
	for (p = t; p && *p; ) {
		char *nl = strchr(p, '\n');
		char *line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
		if (strncmp(line, "----", 4) == 0) {
			dashes++;
		} else if (dashes == 1 || (dashes == 2 && strncmp(line, "合计", 6) == 0)) {
			char *last = NULL;
			for (char *q = line; *q; q++)
				if (*q >= '0' && *q <= '9')
					last = q;
			assert_non_null(last);
			last[1] = '\0';
			if (!want)
				want = report_width(line);
			else if (report_width(line) != want)
				fail_msg("misaligned row (%zu columns, want %zu): %s", report_width(line), want, line);
			rows++;
		}
		free(line);
		p = nl ? nl + 1 : NULL;
	}
	assert_true(rows >= 17);   /* 16 counties and parks + 合计 */
	free(t);
	report_free(&r);
}

static void test_days_and_late(void **state)
{
	struct report r;
	char *t, *l;

	(void)state;
	build(2023, 5, 9, &r);   /* before any mail */
	t = render_text(&r);
	assert_non_null(strstr(t, "尚未报送（16 个）"));
	assert_non_null(strstr(t, "还有 10 天"));
	assert_int_equal(r.ndossiers, 0);
	free(t);
	report_free(&r);

	build(2023, 5, 19, &r);
	t = render_text(&r);
	assert_non_null(strstr(t, "今天截止"));
	free(t);
	report_free(&r);

	build(2023, 5, 20, &r);
	t = render_text(&r);
	assert_non_null(strstr(t, "已截止 1 天"));
	assert_non_null(strstr(t, "三、逾期报送的申报单位（1 个，过期不予受理）"));
	l = line_of(t, "#18 ");
	assert_non_null(strstr(l, "衡东县"));
	assert_non_null(strstr(l, "收到于 2023-05-20 09:12"));
	free(l);
	/* 10b completed the second Zhuhui unit on 18 May: no longer listed
	 * (among the incomplete ones; section 五 is the form pre-check) */
	{
		char *five = strstr(t, "\n五、");
		if (five)
			*five = '\0';
	}
	assert_null(strstr(t, "#11 "));
	free(t);
	report_free(&r);
}

/* A report of one hostile dossier, for quoting and escaping. */
static void hostile(struct report *r)
{
	static char *missing[] = { "B05" };

	memset(r, 0, sizeof(*r));
	r->c = fx.app.camp;
	r->year = 2023, r->month = 5, r->day = 15;
	r->day_start = report_day_start(fx.app.camp, 2023, 5, 15);
	r->day_end = r->day_start + 86400;
	r->ncounties = fx.app.camp->ncounties + 1;
	r->counties = calloc(r->ncounties, sizeof(*r->counties));
	r->counties[0].msgs = 1;
	r->ndossiers = 1;
	r->dossiers = calloc(1, sizeof(*r->dossiers));
	r->dossiers[0].id = 1;
	r->dossiers[0].county = 0;
	r->dossiers[0].applicant = strdup("=HYPERLINK(\"x\"),<script>alert(1)</script>\x1b[2J 公司");
	r->dossiers[0].missing = calloc(1, sizeof(char *));
	r->dossiers[0].missing[0] = strdup(missing[0]);
	r->dossiers[0].nmissing = 1;
}

static void test_csv(void **state)
{
	struct report r;
	char err[512], *path = tu_printf("%s/r.csv", fx.dir);
	json_t *j, *rows, *row;
	size_t i;
	bool found = false;

	(void)state;
	build(2023, 5, 15, &r);
	assert_int_equal(reportdb_write(&r, REPORT_CSV, path, err, sizeof(err)), 0);
	report_free(&r);
	j = read_back("csv", path);
	assert_true(json_is_true(json_object_get(j, "bom")));
	rows = json_object_get(j, "rows");
	assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 0), 1)), "2023-05-15");
	assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 2), 0)), "县市区、园区");
	json_array_foreach(rows, i, row)
		if (json_array_size(row) > 7 && json_is_string(json_array_get(row, 0)) &&
		    strcmp(json_string_value(json_array_get(row, 0)), "10") == 0) {
			assert_string_equal(json_string_value(json_array_get(row, 1)), "南岳区");
			assert_string_equal(json_string_value(json_array_get(row, 6)), "材料不全");
			assert_non_null(strstr(json_string_value(json_array_get(row, 7)), "6.创业基地运营主体的法人证书或营业执照副本复印件"));
			found = true;
		}
	assert_true(found);
	json_decref(j);

	/* RFC 4180 quoting and formula neutralising, read back by csv. */
	hostile(&r);
	assert_int_equal(reportdb_write(&r, REPORT_CSV, path, err, sizeof(err)), 0);
	report_free(&r);
	j = read_back("csv", path);
	found = false;
	json_array_foreach(json_object_get(j, "rows"), i, row)
		if (json_array_size(row) > 3 && strcmp(json_string_value(json_array_get(row, 0)), "1") == 0) {
			assert_string_equal(json_string_value(json_array_get(row, 3)),
			                    "'=HYPERLINK(\"x\"),<script>alert(1)</script>\xEF\xBF\xBD[2J 公司");
			found = true;
		}
	assert_true(found);
	json_decref(j);
	free(path);
}

static void test_xlsx(void **state)
{
	struct report r;
	char err[512], *path = tu_printf("%s/r.xlsx", fx.dir);
	json_t *j, *notice = NULL, *s2 = NULL, *s4 = NULL, *v;
	const char *name;
	struct stat sb;

	(void)state;
	build(2023, 5, 18, &r);
	assert_int_equal(reportdb_write(&r, REPORT_XLSX, path, err, sizeof(err)), 0);
	report_free(&r);
	assert_int_equal(stat(path, &sb), 0);
	print_message("xlsx: %lld bytes\n", (long long)sb.st_size);
	j = read_back("xlsx", path);
	json_object_foreach(j, name, v) {
		if (strncmp(name, "附件2", 7) == 0)
			s2 = v;
		if (strncmp(name, "附件4", 7) == 0)
			s4 = v;
	}
	assert_non_null(json_object_get(j, "日报"));
	assert_non_null(json_object_get(j, "申报单位"));
	assert_non_null(s2);
	assert_non_null(s4);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "日报"), "A6")), "珠晖区");

	if (access(NOTICE, R_OK) == 0) {
		notice = read_back("notice", NOTICE);
	} else {
		print_message("note: %s not found; comparing with the campaign file only\n", NOTICE);
	}
	for (int k = 0; k < 2; k++) {
		json_t *sheet = k ? s4 : s2;
		const struct campaign_program *pr = &fx.app.camp->programs[k];
		json_t *n = notice ? json_object_get(notice, k ? "4" : "2") : NULL;
		assert_string_equal(json_string_value(json_object_get(sheet, "A1")), pr->summary_title);
		assert_string_equal(json_string_value(json_object_get(sheet, "A2")), "填报单位:");
		if (n) {
			assert_string_equal(json_string_value(json_object_get(n, "title")), pr->summary_title);
			assert_string_equal(json_string_value(json_object_get(n, "unit")), "填报单位:");
			assert_int_equal(json_array_size(json_object_get(n, "columns")), pr->summary_columns.n);
		}
		for (size_t c = 0; c < pr->summary_columns.n; c++) {
			char ref[8];
			snprintf(ref, sizeof(ref), "%c3", (char)('A' + c));
			const char *got = json_string_value(json_object_get(sheet, ref));
			assert_non_null(got);
			if (n)
				assert_string_equal(got, json_string_value(json_array_get(json_object_get(n, "columns"), c)));
			assert_string_equal(got, pr->summary_columns.v[c]);
		}
		/* filled: 序号 and 单位名称; blank: everything staff must supply */
		assert_string_equal(json_string_value(json_object_get(sheet, "A4")), "1");
		assert_non_null(json_object_get(sheet, "B4"));
		assert_null(json_object_get(sheet, "C4"));
		assert_null(json_object_get(sheet, "D4"));
	}
	/* Annex 2: on-time base dossiers by county; 珠晖区's two come first */
	assert_string_equal(json_string_value(json_object_get(s2, "B4")), "衡阳市珠晖区湘江科创孵化园有限公司");
	if (notice) {
		const char *note = json_string_value(json_object_get(json_object_get(notice, "2"), "note"));
		bool seen = false;
		json_object_foreach(s2, name, v)
			if (name[0] == 'A' && note && strcmp(json_string_value(v), note) == 0)
				seen = true;
		assert_true(seen);
	}
	json_decref(notice);
	json_decref(j);
	free(path);
}

/*
 * The advisory sections (issue 9): 资格初审 lists the dossiers whose form
 * failed or left undecided a condition, with the messages; 重复申报 the
 * dossiers of any county sharing a credit code; the XLSX 申报单位 sheet
 * has both as columns.  Rows are added in a transaction rolled back after.
 */
static void test_eligibility_and_duplicates(void **state)
{
	struct report r;
	char err[512], *text, *path = tu_printf("%s/e.csv", fx.dir), *xpath = tu_printf("%s/e.xlsx", fx.dir);
	char *html = NULL;
	size_t hlen = 0;
	json_t *j, *row, *sheet;
	size_t i;
	int found = 0;

	(void)state;
	assert_int_equal(ledger_begin(fx.app.ledger), 0);
	/* Only these rows: the examples' own forms were checked on ingest. */
	assert_int_equal(sqlite3_exec(ledger_db(fx.app.ledger), "DELETE FROM eligibility;"
	                              " UPDATE dossiers SET credit_code = NULL", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(ledger_set_credit_code(fx.app.ledger, 1, "91430406MA4QX7K201"), 1);
	assert_int_equal(ledger_set_credit_code(fx.app.ledger, 10, "91430406MA4QX7K201"), 1);
	assert_int_equal(ledger_insert_eligibility(fx.app.ledger, 10, 0, "floor_area", "fail",
	                 "总建筑面积 15000 平方米，条件为 20000 平方米以上", "[]"), 0);
	assert_int_equal(ledger_insert_eligibility(fx.app.ledger, 10, 0, "staff", "unknown",
	                 "申请表中未读到专职服务人员数", "[]"), 0);
	assert_int_equal(ledger_insert_eligibility(fx.app.ledger, 10, 0, "established", "pass",
	                 "成立满 2 年", "[]"), 0);
	assert_int_equal(ledger_insert_eligibility(fx.app.ledger, 2, 0, "established", "pass",
	                 "成立满 2 年", "[]"), 0);
	build(2023, 5, 18, &r);
	text = render_text(&r);
	{
		char *l = line_of(text, "五、资格初审");
		assert_non_null(strstr(l, "1 个单位"));
		free(l);
		l = line_of(text, "#10");
		free(l);
		assert_non_null(strstr(text, "1 项不符：总建筑面积 15000 平方米，条件为 20000 平方米以上；"
		                             "另 1 项无法判断：申请表中未读到专职服务人员数\n"));
		l = line_of(text, "六、重复申报");
		assert_non_null(strstr(l, "1 组"));
		free(l);
		l = line_of(text, "91430406MA4QX7K201：#1 ");
		assert_non_null(strstr(l, "；#10 南岳区"));
		free(l);
	}
	free(text);
	assert_int_equal(reportdb_write(&r, REPORT_CSV, path, err, sizeof(err)), 0);
	assert_int_equal(reportdb_write(&r, REPORT_XLSX, xpath, err, sizeof(err)), 0);
	assert_int_equal(reportdb_html(&r, &html, &hlen), 0);
	assert_non_null(strstr(html, "<h2>五、资格初审"));
	assert_non_null(strstr(html, "<h2>六、重复申报（同一统一社会信用代码，1 组）</h2>"));
	free(html);
	report_free(&r);
	ledger_rollback(fx.app.ledger);

	j = read_back("csv", path);
	json_array_foreach(json_object_get(j, "rows"), i, row) {
		const char *c0 = json_string_value(json_array_get(row, 0));
		if (c0 && strcmp(c0, "10") == 0 && json_array_size(row) == 5) {
			assert_non_null(strstr(json_string_value(json_array_get(row, 4)), "1 项不符"));
			found |= 1;
		}
		if (c0 && strcmp(c0, "91430406MA4QX7K201") == 0)
			found |= json_array_size(row) == 5 ? 2 : 0;
	}
	assert_int_equal(found, 3);
	json_decref(j);
	j = read_back("xlsx", xpath);
	sheet = json_object_get(j, "申报单位");
	assert_string_equal(json_string_value(json_object_get(sheet, "J1")), "统一社会信用代码");
	assert_string_equal(json_string_value(json_object_get(sheet, "K1")), "资格初审（仅供参考）");
	assert_string_equal(json_string_value(json_object_get(sheet, "L1")), "重复申报");
	/* The row of each dossier by its id in column A. */
	{
		const char *name;
		json_t *v;
		char r1[16] = "", r2[16] = "", r10[16] = "", ref[24];

		json_object_foreach(sheet, name, v) {
			if (name[0] != 'A')
				continue;
			if (strcmp(json_string_value(v), "1") == 0)
				snprintf(r1, sizeof(r1), "%s", name + 1);
			if (strcmp(json_string_value(v), "2") == 0)
				snprintf(r2, sizeof(r2), "%s", name + 1);
			if (strcmp(json_string_value(v), "10") == 0)
				snprintf(r10, sizeof(r10), "%s", name + 1);
		}
		assert_true(r1[0] && r2[0] && r10[0]);
		snprintf(ref, sizeof(ref), "J%s", r1);
		assert_string_equal(json_string_value(json_object_get(sheet, ref)), "91430406MA4QX7K201");
		snprintf(ref, sizeof(ref), "L%s", r1);
		assert_string_equal(json_string_value(json_object_get(sheet, ref)), "同 #10");
		snprintf(ref, sizeof(ref), "K%s", r2);
		assert_string_equal(json_string_value(json_object_get(sheet, ref)), "符合");
		snprintf(ref, sizeof(ref), "K%s", r10);
		assert_non_null(strstr(json_string_value(json_object_get(sheet, ref)), "1 项不符：总建筑面积"));
	}
	json_decref(j);
	free(path);
	free(xpath);
}

static void test_html_chromium(void **state)
{
	struct report r;
	char err[512], *path = tu_printf("%s/r.html", fx.dir), *pdf = tu_printf("%s/r.pdf", fx.dir);
	char *html, *cmd, *out;
	size_t len;
	struct stat sb;
	int rc;

	(void)state;
	hostile(&r);
	assert_int_equal(reportdb_html(&r, &html, &len), 0);
	/* escaped, never markup */
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	free(html);
	report_free(&r);

	build(2023, 5, 15, &r);
	assert_int_equal(reportdb_write(&r, REPORT_HTML, path, err, sizeof(err)), 0);
	report_free(&r);
	html = tu_read_file(path, &len);
	assert_non_null(html);
	/* one self-contained file: no external assets */
	assert_null(strstr(html, "http:"));
	assert_null(strstr(html, "https:"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, " src="));
	assert_null(strstr(html, "url("));
	assert_non_null(strstr(html, "size: A4"));
	assert_non_null(strstr(html, "Noto Sans CJK SC"));
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	free(html);

	if (access(CHROMIUM, X_OK) != 0) {
		print_message("SKIPPED: %s is not installed (Debian package chromium); "
		              "the HTML was not rendered\n", CHROMIUM);
		skip();
	}
	/* Rendered once: Chromium takes seconds. */
	cmd = tu_printf("timeout 300 " CHROMIUM " --headless --no-sandbox --disable-gpu --no-first-run "
	                "--user-data-dir='%s/chromium' --print-to-pdf='%s' 'file://%s' 2>&1",
	                fx.dir, pdf, path);
	rc = run(&out, cmd);
	if (rc != 0)
		fail_msg("chromium exited %d:\n%s", rc, out);
	/* Chromium logs D-Bus noise in containers; page errors are what count. */
	assert_null(strstr(out, "Uncaught"));
	assert_null(strstr(out, "ERR_FILE_NOT_FOUND"));
	assert_int_equal(stat(pdf, &sb), 0);
	assert_true(sb.st_size > 1000);
	html = tu_read_file(pdf, &len);
	assert_memory_equal(html, "%PDF-", 5);
	print_message("chromium: %lld-byte PDF\n", (long long)sb.st_size);
	free(html);
	free(out);
	free(cmd);
	free(path);
	free(pdf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width_and_clean),
		cmocka_unit_test(test_text_contents),
		cmocka_unit_test(test_text_alignment),
		cmocka_unit_test(test_days_and_late),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_eligibility_and_duplicates),
		cmocka_unit_test(test_html_chromium),
	};
	return cmocka_run_group_tests_name("report", tests, setup, teardown);
}

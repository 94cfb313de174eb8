/*
 * The queue tools on a ledger built from examples/: list filters, assign
 * (completeness recomputed, audit row, staff vs machine), mark-paper,
 * export (safe names, contents by sha256, collisions), reprocess (a dry
 * run changes nothing; after a campaign edit it reports and applies the
 * change and keeps staff decisions), the operator, and the intakectl
 * commands' exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest_fixture.h"
#include "ledger.h"
#include "query.h"
#include "report.h"
#include "reprocess.h"
#include "staff.h"
#include "testutil.h"

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

static json_t *dossier(long long id)
{
	char err[256];
	json_t *d = staff_show(fx.app.ledger, fx.app.camp, id, err, sizeof(err));

	if (!d)
		fail_msg("show %lld: %s", id, err);
	return d;
}

/* Id of the dossier's file whose name contains needle, or with item. */
static long long file_where(long long d, const char *name_part, const char *item)
{
	json_t *j = dossier(d), *f;
	long long id = 0;
	size_t i;

	json_array_foreach(json_object_get(j, "files"), i, f) {
		const char *it = json_string_value(json_object_get(f, "item"));
		if (name_part && strstr(json_string_value(json_object_get(f, "name")), name_part))
			id = json_integer_value(json_object_get(f, "id"));
		if (item && it && strcmp(it, item) == 0)
			id = json_integer_value(json_object_get(f, "id"));
	}
	json_decref(j);
	assert_true(id > 0);
	return id;
}

static size_t audit_rows(void)
{
	json_t *j = staff_log(fx.app.ledger, fx.app.camp, 0);
	size_t n = json_array_size(j);

	json_decref(j);
	return n;
}

static void test_operator(void **state)
{
	char who[STAFF_OPERATOR_MAX + 1], err[256];
	char *saved_sudo = getenv("SUDO_USER") ? strdup(getenv("SUDO_USER")) : NULL;
	char *saved_user = getenv("USER") ? strdup(getenv("USER")) : NULL;
	char longname[100];

	(void)state;
	assert_int_equal(staff_operator("张三", who, sizeof(who), err, sizeof(err)), 0);
	assert_string_equal(who, "张三");
	setenv("SUDO_USER", "alice", 1);
	assert_int_equal(staff_operator(NULL, who, sizeof(who), err, sizeof(err)), 0);
	assert_string_equal(who, "alice");
	unsetenv("SUDO_USER");
	setenv("USER", "bob", 1);
	assert_int_equal(staff_operator(NULL, who, sizeof(who), err, sizeof(err)), 0);
	assert_string_equal(who, "bob");
	assert_int_equal(staff_operator("machine", who, sizeof(who), err, sizeof(err)), -1);
	assert_int_equal(staff_operator("a\nb", who, sizeof(who), err, sizeof(err)), -1);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(staff_operator(longname, who, sizeof(who), err, sizeof(err)), -1);
	if (saved_sudo)
		setenv("SUDO_USER", saved_sudo, 1);
	if (saved_user)
		setenv("USER", saved_user, 1);
	free(saved_sudo);
	free(saved_user);
}

static void expect_name(const char *item, const char *orig, const char *want)
{
	char *n = staff_export_name(fx.app.camp, item, orig);

	assert_non_null(n);
	assert_string_equal(n, want);
	free(n);
}

static void test_export_names(void **state)
{
	char orig[1200] = "";
	char *n, *clean;

	(void)state;
	expect_name("B01", "1.申请表.docx", "01-申请表-1.申请表.docx");
	expect_name("B14", "社保.pdf", "B14-社保证明-社保.pdf");
	expect_name(NULL, "../../etc/passwd", "00-未归类-.._.._etc_passwd");
	expect_name(NULL, "a\x01" "b\nc\xE2\x80\xAE" "d.pdf", "00-未归类-a_b_c_d.pdf");
	expect_name("S03", "C:\\x*y?.pdf", "03-成立批文或登记执照-C__x_y_.pdf");
	expect_name("B06", "执照. .pdf", "06-法人证书或营业执照-执照.pdf");
	expect_name("B06", "", "06-法人证书或营业执照-file");
	for (int i = 0; i < 300; i++)
		strcat(orig, "长");
	strcat(orig, ".pdf");
	n = staff_export_name(fx.app.camp, "B05", orig);
	assert_true(strlen(n) <= STAFF_EXPORT_NAME_MAX);
	assert_string_equal(n + strlen(n) - 4, ".pdf");
	clean = report_clean(n);        /* still valid UTF-8: cut on a boundary */
	assert_string_equal(clean, n);
	free(clean);
	free(n);
}

static void test_list_filters(void **state)
{
	struct staff_filter f = { NULL, NULL, false, false };
	char err[256];
	json_t *j, *d;
	size_t i;

	(void)state;
	j = staff_list(fx.app.ledger, fx.app.camp, &f, err, sizeof(err));
	assert_int_equal(json_array_size(j), 18);
	json_decref(j);
	f.county = "珠晖区";
	j = staff_list(fx.app.ledger, fx.app.camp, &f, err, sizeof(err));
	assert_int_equal(json_array_size(j), 2);
	json_decref(j);
	f.county = "zhuhui";         /* the id works too */
	f.incomplete = true;
	j = staff_list(fx.app.ledger, fx.app.camp, &f, err, sizeof(err));
	assert_int_equal(json_array_size(j), 0);   /* 10b completed the second unit */
	json_decref(j);
	f.county = NULL;
	f.program = "institution";
	j = staff_list(fx.app.ledger, fx.app.camp, &f, err, sizeof(err));
	json_array_foreach(j, i, d) {
		assert_string_equal(json_string_value(json_object_get(d, "program")), "institution");
		assert_false(json_is_true(json_object_get(d, "complete")));
		assert_false(json_is_true(json_object_get(d, "late")));
	}
	assert_int_equal(json_array_size(j), 3);   /* 雁峰, 石鼓, 综保 */
	json_decref(j);
	f.program = NULL;
	f.incomplete = false;
	f.late = true;
	j = staff_list(fx.app.ledger, fx.app.camp, &f, err, sizeof(err));
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "county")), "hengdong");
	json_decref(j);
	f.late = false;
	f.county = "火星县";
	assert_null(staff_list(fx.app.ledger, fx.app.camp, &f, err, sizeof(err)));
	assert_non_null(strstr(err, "火星县"));
}

static void test_mark_paper(void **state)
{
	char err[256];
	bool changed;
	size_t before = audit_rows();
	json_t *d;

	(void)state;
	assert_int_equal(staff_mark_paper(fx.app.ledger, 4, "李四", &changed, err, sizeof(err)), 0);
	assert_true(changed);
	assert_int_equal(staff_mark_paper(fx.app.ledger, 4, "李四", &changed, err, sizeof(err)), 0);
	assert_false(changed);
	assert_int_equal(audit_rows(), before + 1);
	d = dossier(4);
	assert_true(json_is_true(json_object_get(d, "paper_received")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(d, "audit"), 0), "who")), "李四");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(d, "audit"), 0), "action")), "mark-paper");
	json_decref(d);
	assert_int_equal(staff_mark_paper(fx.app.ledger, 9999, "李四", &changed, err, sizeof(err)), -1);
}

static void test_assign(void **state)
{
	struct staff_assign_result res;
	char err[512];
	long long f = file_where(11, NULL, "B05");
	json_t *d, *log, *row;
	size_t before = audit_rows();

	(void)state;
	/* The audit report taken away: the dossier is no longer complete. */
	assert_int_equal(staff_assign(fx.app.ledger, fx.app.camp, f, NULL, "测试员", &res, err, sizeof(err)), 0);
	assert_int_equal(res.dossier, 11);
	assert_string_equal(res.before, "B05");
	assert_string_equal(res.after, "");
	assert_true(res.complete_before);
	assert_false(res.complete_after);
	d = dossier(11);
	assert_false(json_is_true(json_object_get(d, "complete")));
	assert_true(json_has_string(json_object_get(d, "missing"), "B05"));
	log = json_object_get(d, "audit");
	row = json_array_get(log, json_array_size(log) - 1);
	assert_string_equal(json_string_value(json_object_get(row, "who")), "测试员");
	assert_string_equal(json_string_value(json_object_get(row, "action")), "assign");
	assert_string_equal(json_string_value(json_object_get(row, "target")), "dossier:11");
	assert_non_null(strstr(json_string_value(json_object_get(row, "detail")), "B05 → 未归类"));
	assert_non_null(strstr(json_string_value(json_object_get(row, "at")), "+08:00"));
	json_decref(d);
	/* ... and given back. */
	assert_int_equal(staff_assign(fx.app.ledger, fx.app.camp, f, "B05", "测试员", &res, err, sizeof(err)), 0);
	assert_true(res.complete_after);
	assert_int_equal(audit_rows(), before + 2);
	/* Refused, with nothing written: */
	assert_int_equal(staff_assign(fx.app.ledger, fx.app.camp, f, "S01", "测试员", &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "中小微企业核心服务机构"));
	assert_int_equal(staff_assign(fx.app.ledger, fx.app.camp, 999999, "B01", "测试员", &res, err, sizeof(err)), -1);
	assert_int_equal(staff_assign(fx.app.ledger, fx.app.camp, f, "B99", "测试员", &res, err, sizeof(err)), -1);
	assert_int_equal(audit_rows(), before + 2);
	/* machine's evidence replaced by the operator's */
	d = dossier(11);
	{
		size_t i;
		json_t *file;
		json_array_foreach(json_object_get(d, "files"), i, file)
			if (json_integer_value(json_object_get(file, "id")) == f)
				assert_string_equal(json_string_value(json_object_get(file, "assigned_by")), "测试员");
	}
	json_decref(d);
}

static void test_export(void **state)
{
	char err[512], *dir = tu_printf("%s/export", fx.dir), *out = NULL;
	size_t len = 0, nfiles = 0, i;
	FILE *o = open_memstream(&out, &len);
	unsigned n, n2;
	json_t *d = dossier(1), *f;
	char **list;

	(void)state;
	assert_int_equal(staff_export(fx.app.ledger, fx.app.camp, fx.app.cfg->state_dir, 1, dir, "王五", o,
	                              &n, err, sizeof(err)), 0);
	fclose(o);
	assert_int_equal(n, json_array_size(json_object_get(d, "files")));
	assert_non_null(strstr(out, "01-申请表-"));
	free(out);
	list = tu_list_files(dir, &nfiles);
	assert_int_equal(nfiles, n);
	/* every exported file is a ledger file, byte for byte */
	for (size_t k = 0; k < nfiles; k++) {
		size_t flen;
		char *data = tu_read_file(list[k], &flen), hex[65];
		const char *base = strrchr(list[k], '/') + 1;
		bool match = false;
		spool_sha256_hex(data, flen, hex);
		json_array_foreach(json_object_get(d, "files"), i, f)
			if (strcmp(json_string_value(json_object_get(f, "sha256")), hex) == 0 &&
			    strstr(base, json_string_value(json_object_get(f, "name"))))
				match = true;
		if (!match)
			fail_msg("%s: no ledger file with this name and sha256 %s", base, hex);
		assert_true((base[0] >= '0' && base[0] <= '9') || strncmp(base, "B14-", 4) == 0);
		free(data);
	}
	tu_free_list(list, nfiles);
	/* a second export beside the first: nothing overwritten */
	o = open_memstream(&out, &len);
	assert_int_equal(staff_export(fx.app.ledger, fx.app.camp, fx.app.cfg->state_dir, 1, dir, "王五", o,
	                              &n2, err, sizeof(err)), 0);
	fclose(o);
	assert_non_null(strstr(out, " (2)."));
	free(out);
	list = tu_list_files(dir, &nfiles);
	assert_int_equal(nfiles, 2 * n);
	tu_free_list(list, nfiles);
	/* the executable of 南岳 is not exported */
	o = open_memstream(&out, &len);
	assert_int_equal(staff_export(fx.app.ledger, fx.app.camp, fx.app.cfg->state_dir, 10, dir, "王五", o,
	                              &n2, err, sizeof(err)), 0);
	fclose(o);
	assert_non_null(strstr(out, "可执行程序"));
	free(out);
	json_decref(d);
	free(dir);
}

/*
 * 常宁's zip is encrypted: nothing in it could be read, so the attachment
 * is kept as sent.  show lists it with a line saying so, export writes it
 * byte for byte, and assign refuses only archives that were opened.
 */
static void test_kept_archive_shown_and_exported(void **state)
{
	char err[512], *dir = tu_printf("%s/export-kept", fx.dir), *out = NULL, *txt = NULL;
	size_t len = 0, i, nfiles = 0;
	long long id = 0, fid = 0, opened = 0;
	const char *sha = NULL;
	json_t *d = NULL, *f;
	char **list, hex[65];
	unsigned n;
	FILE *o;

	(void)state;
	for (long long k = 1; !fid; k++) {
		char e2[256];
		json_t *j = staff_show(fx.app.ledger, fx.app.camp, k, e2, sizeof(e2));

		if (!j)
			fail_msg("no dossier lists a kept archive (%s)", e2);
		json_array_foreach(json_object_get(j, "files"), i, f)
			if (json_is_true(json_object_get(f, "kept_archive"))) {
				fid = json_integer_value(json_object_get(f, "id"));
				sha = json_string_value(json_object_get(f, "sha256"));
				id = k;
			}
		if (fid)
			d = j;
		else
			json_decref(j);
	}
	/* show, as text */
	o = open_memstream(&txt, &len);
	staff_print_show(o, d, fx.app.camp);
	fclose(o);
	assert_non_null(strstr(txt, "原件已保留"));
	free(txt);
	/* export */
	o = open_memstream(&out, &len);
	assert_int_equal(staff_export(fx.app.ledger, fx.app.camp, fx.app.cfg->state_dir, id, dir, "王五", o,
	                              &n, err, sizeof(err)), 0);
	fclose(o);
	assert_true(n >= 1);
	list = tu_list_files(dir, &nfiles);
	assert_int_equal(nfiles, n);
	for (size_t k = 0; k < nfiles; k++) {
		size_t flen;
		char *data = tu_read_file(list[k], &flen);

		spool_sha256_hex(data, flen, hex);
		if (sha && strcmp(hex, sha) == 0)
			sha = NULL;   /* found */
		free(data);
	}
	assert_null(sha);
	tu_free_list(list, nfiles);
	free(out);
	json_decref(d);
	/* assign: the kept archive may be judged; an opened one may not */
	{
		struct staff_assign_result res;
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(ledger_db(fx.app.ledger), "SELECT id FROM files"
		                 " WHERE container = 1 AND stored IS NULL ORDER BY id LIMIT 1", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		opened = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		assert_int_not_equal(staff_assign(fx.app.ledger, fx.app.camp, opened, "B05", "王五",
		                                  &res, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "已解开的压缩包"));
	}
	free(dir);
}

/* text with the first "patterns = " after anchor given extra words first. */
static char *more_patterns(char *text, const char *anchor, const char *words)
{
	char *p = strstr(text, anchor), *out;

	assert_non_null(p);
	p = strstr(p, "patterns = ");
	assert_non_null(p);
	out = tu_printf("%.*spatterns = %s, %s", (int)(p - text), text, words, p + strlen("patterns = "));
	free(text);
	return out;
}

static void test_reprocess(void **state)
{
	struct campaign *old = fx.app.camp, *edited = NULL;
	struct reprocess_opts o = { 19, false, true, "赵六", NULL };
	struct reprocess_stats st;
	char err[1024], *text, *out = NULL;
	size_t len = 0, audit_before;
	long long img = file_where(17, "IMG_2034", NULL);
	struct staff_assign_result res;
	json_t *before, *after, *d;

	(void)state;
	/* Unchanged campaign: nothing to do. */
	o.out = open_memstream(&out, &len);
	assert_int_equal(reprocess_run(&fx.app.ingest, &o, &st, err, sizeof(err)), 0);
	fclose(o.out);
	assert_int_equal(st.files_changed, 0);
	assert_non_null(strstr(out, "无变化"));
	/* The parse child read every document's text again. */
	assert_non_null(strstr(out, "重新读取 6 个文件的内容"));
	free(out);

	/* Staff decided one photo; then the campaign learns two new patterns. */
	assert_int_equal(staff_assign(fx.app.ledger, fx.app.camp, img, "S03", "王五", &res, err, sizeof(err)), 0);
	text = tu_read_file("campaigns/hengyang-2023.conf", &len);
	assert_non_null(text);
	text = more_patterns(text, "[item S02]", "扫描全能王");
	text = more_patterns(text, "[item S04]", "img");
	if (campaign_parse(text, strlen(text), "edited.conf", &edited, err, sizeof(err)) != 0)
		fail_msg("edited campaign: %s", err);
	free(text);
	fx.app.camp = edited;
	fx.app.ingest.camp = edited;

	before = query_dossiers(fx.app.ledger, fx.app.camp);
	audit_before = audit_rows();
	o.out = open_memstream(&out, &len);
	assert_int_equal(reprocess_run(&fx.app.ingest, &o, &st, err, sizeof(err)), 0);
	fclose(o.out);
	print_message("%s", out);
	assert_non_null(strstr(out, "新增 S02"));
	assert_non_null(strstr(out, "新增 S04"));
	assert_non_null(strstr(out, "保留 王五 的人工判定 S03"));
	assert_int_equal(st.files_changed, 3);   /* two scans → S02, IMG_2035 → S04 */
	assert_int_equal(st.staff_kept, 1);
	/* the dry run wrote nothing */
	after = query_dossiers(fx.app.ledger, fx.app.camp);
	assert_true(json_equal(before, after));
	assert_int_equal(audit_rows(), audit_before);
	json_decref(after);
	free(out);

	/* For real. */
	o.dry_run = false;
	o.out = open_memstream(&out, &len);
	assert_int_equal(reprocess_run(&fx.app.ingest, &o, &st, err, sizeof(err)), 0);
	fclose(o.out);
	free(out);
	d = dossier(17);
	assert_true(json_has_string(json_object_get(d, "present"), "S02"));
	assert_true(json_has_string(json_object_get(d, "present"), "S03"));
	assert_true(json_has_string(json_object_get(d, "present"), "S04"));
	json_decref(d);
	assert_int_equal(audit_rows(), audit_before + 1);
	d = staff_log(fx.app.ledger, fx.app.camp, 17);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, json_array_size(d) - 1), "action")), "reprocess");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, json_array_size(d) - 1), "target")), "message:19");
	json_decref(d);
	/* staff's S03 still stands, by 王五 */
	assert_int_equal(staff_assign(fx.app.ledger, fx.app.camp, img, "S03", "王五", &res, err, sizeof(err)), 0);
	assert_string_equal(res.before, "S03");
	json_decref(before);

	/* A message that is not a readable submission, and one that does not exist. */
	o.message = 10;
	o.out = open_memstream(&out, &len);
	assert_int_equal(reprocess_run(&fx.app.ingest, &o, &st, err, sizeof(err)), 0);
	fclose(o.out);
	assert_non_null(strstr(out, "不是可读的申报邮件"));
	free(out);
	o.message = 9999;
	o.out = open_memstream(&out, &len);
	assert_int_equal(reprocess_run(&fx.app.ingest, &o, &st, err, sizeof(err)), -1);
	fclose(o.out);
	free(out);

	fx.app.camp = old;
	fx.app.ingest.camp = old;
	campaign_free(&edited);
}

/* ---- the commands, through bin/intakectl ---- */

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

static void test_commands(void **state)
{
	const char *b = getenv("INTAKE_BIN");
	char cwd[4096], *bin, *out, err[512];
	size_t audit_before;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	bin = b && *b == '/' ? tu_printf("%s/intakectl", b) : tu_printf("%s/%s/intakectl", cwd, b && *b ? b : "bin");
	/* intakectl waits for the state lock this process holds: let go. */
	ledger_close(&fx.app.ledger);
	spool_close(&fx.app.spool);

	assert_int_equal(run(&out, "%s -c %s report --date 2023-05-15", bin, fx.conf), 0);
	assert_non_null(strstr(out, "申报材料接收日报"));
	free(out);
	/* no [report] recipients here (test_reportmail sends it) */
	assert_int_equal(run(&out, "%s -c %s report --mail", bin, fx.conf), 2);
	assert_non_null(strstr(out, "未配置收件人"));
	free(out);
	assert_int_equal(run(NULL, "%s -c %s report --format pdf", bin, fx.conf), 2);
	assert_int_equal(run(NULL, "%s -c %s report --format xlsx", bin, fx.conf), 2);
	assert_int_equal(run(NULL, "%s -c %s report --date 2023-02-30", bin, fx.conf), 2);
	assert_int_equal(run(NULL, "%s -c %s report -o %s/r.xlsx --date 2023-05-18", bin, fx.conf, fx.dir), 0);
	assert_int_equal(run(&out, "%s -c %s list --county 珠晖区 --json", bin, fx.conf), 0);
	{
		json_error_t jerr;
		json_t *j = json_loads(out, 0, &jerr);
		assert_non_null(j);
		assert_int_equal(json_array_size(j), 2);
		json_decref(j);
	}
	free(out);
	assert_int_equal(run(&out, "%s -c %s list --incomplete", bin, fx.conf), 0);
	assert_non_null(strstr(out, "缺少："));
	free(out);
	assert_int_equal(run(NULL, "%s -c %s list --county 火星县", bin, fx.conf), 2);
	assert_int_equal(run(NULL, "%s -c %s list --program shop", bin, fx.conf), 2);
	assert_int_equal(run(NULL, "%s -c %s show abc", bin, fx.conf), 2);
	assert_int_equal(run(NULL, "%s -c %s show 9999", bin, fx.conf), 1);
	assert_int_equal(run(&out, "%s -c %s show 7", bin, fx.conf), 0);
	assert_non_null(strstr(out, "常宁市宜潭众创空间运营有限公司"));
	assert_non_null(strstr(out, "【压缩包加密】"));
	/* issue 9: every document says where its text came from; the credit
	 * code and the pre-check have their lines even when nothing was read. */
	assert_non_null(strstr(out, "          文字："));
	assert_non_null(strstr(out, "\n统一社会信用代码："));
	assert_non_null(strstr(out, "\n资格初审（仅供参考，不影响回复）："));
	free(out);
	assert_int_equal(run(&out, "%s -c %s show 17 --json", bin, fx.conf), 0);
	{
		json_error_t jerr;
		json_t *j = json_loads(out, 0, &jerr), *f, *t;
		size_t i, ntext = 0;

		assert_non_null(j);
		assert_true(json_is_array(json_object_get(j, "eligibility")));
		assert_true(json_is_array(json_object_get(j, "same_credit_code")));
		assert_non_null(json_object_get(j, "credit_code"));
		json_array_foreach(json_object_get(j, "files"), i, f) {
			assert_true(json_is_boolean(json_object_get(f, "by_content")));
			assert_non_null(json_object_get(f, "confidence"));
			t = json_object_get(f, "text");
			if (!json_is_object(t))
				continue;
			ntext++;
			assert_non_null(json_string_value(json_object_get(t, "source")));
			assert_true(json_is_integer(json_object_get(t, "bytes")));
		}
		/* The application form (docx) and both scans (PDFs with text). */
		assert_true(ntext >= 3);
		json_decref(j);
	}
	free(out);
	assert_int_equal(run(NULL, "%s -c %s assign 1", bin, fx.conf), 2);
	assert_int_equal(run(NULL, "%s -c %s assign 1 X99 --by 甲", bin, fx.conf), 2);
	assert_int_equal(run(&out, "%s -c %s mark-paper 2 --by 李四", bin, fx.conf), 0);
	assert_non_null(strstr(out, "李四"));
	free(out);
	assert_int_equal(run(&out, "%s -c %s log 2", bin, fx.conf), 0);
	assert_non_null(strstr(out, "mark-paper"));
	assert_non_null(strstr(out, "李四"));
	free(out);
	assert_int_equal(run(&out, "%s -c %s reprocess --all --dry-run --by 甲", bin, fx.conf), 0);
	assert_non_null(strstr(out, "试运行"));
	free(out);
	assert_int_equal(run(NULL, "%s -c %s reprocess --dry-run", bin, fx.conf), 2);
	assert_int_equal(run(NULL, "%s -c %s export 1 --by 甲", bin, fx.conf), 2);
	assert_int_equal(run(&out, "%s -c %s export 1 -o %s/cli-export --by 甲", bin, fx.conf, fx.dir), 0);
	assert_non_null(strstr(out, "共导出"));
	free(out);

	if (app_open_state(&fx.app, false, err, sizeof(err)) != 0)
		fail_msg("reopen: %s", err);
	/* --notify without [smtp] fails before anything is written
	 * (test_reportmail sends one) */
	audit_before = audit_rows();
	ledger_close(&fx.app.ledger);
	spool_close(&fx.app.spool);
	assert_int_equal(run(&out, "%s -c %s assign 217 S02 --notify --by 甲", bin, fx.conf), 1);
	assert_non_null(strstr(out, "未作任何改动"));
	free(out);
	if (app_open_state(&fx.app, false, err, sizeof(err)) != 0)
		fail_msg("reopen: %s", err);
	assert_int_equal(audit_rows(), audit_before);
	free(bin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_operator),
		cmocka_unit_test(test_export_names),
		cmocka_unit_test(test_list_filters),
		cmocka_unit_test(test_mark_paper),
		cmocka_unit_test(test_assign),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_kept_archive_shown_and_exported),
		cmocka_unit_test(test_reprocess),
		cmocka_unit_test(test_commands),
	};
	return cmocka_run_group_tests_name("staff", tests, setup, teardown);
}

#include "staff.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "query.h"
#include "report.h"
#include "spool.h"

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void sqlerr(struct ledger *l, char *err, size_t errlen)
{
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(l));
}

/* ---- operator and audit ---- */

int staff_operator(const char *by, char *buf, size_t size, char *err, size_t errlen)
{
	const char *who = by;

	if (!who || !*who) {
		who = getenv("SUDO_USER");
		if (!who || !*who)
			who = getenv("USER");
		if (!who || !*who)
			who = getlogin();
	}
	if (!who || !*who) {
		snprintf(err, errlen, "无法确定操作人，请用 --by 姓名 指明 (no operator: use --by NAME)");
		return -1;
	}
	if (strlen(who) > STAFF_OPERATOR_MAX || strlen(who) >= size) {
		snprintf(err, errlen, "操作人名称过长（最多 %d 字节）", STAFF_OPERATOR_MAX);
		return -1;
	}
	for (const unsigned char *q = (const unsigned char *)who; *q; q++)
		if (*q < 0x20 || *q == 0x7F) {
			snprintf(err, errlen, "操作人名称含控制字符");
			return -1;
		}
	if (strcmp(who, "machine") == 0) {
		snprintf(err, errlen, "“machine”保留给自动分类，不能作为操作人");
		return -1;
	}
	snprintf(buf, size, "%s", who);
	return 0;
}

int staff_audit(struct ledger *l, const char *who, const char *action, const char *target,
                const char *detail)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(ledger_db(l),
		"INSERT INTO audit (at, who, action, target, detail) VALUES (strftime('%s','now'),?,?,?,?)",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, who, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_TRANSIENT);
	if (target)
		sqlite3_bind_text(st, 3, target, -1, SQLITE_TRANSIENT);
	if (detail)
		sqlite3_bind_text(st, 4, detail, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

/* ---- list and show ---- */

int staff_county(const struct campaign *c, const char *w)
{
	for (size_t i = 0; i < c->ncounties; i++) {
		if (strcmp(c->counties[i].id, w) == 0 || strcmp(c->counties[i].name, w) == 0)
			return (int)i;
		for (size_t k = 0; k < c->counties[i].aliases.n; k++)
			if (strcmp(c->counties[i].aliases.v[k], w) == 0)
				return (int)i;
	}
	return -1;
}

json_t *staff_list(struct ledger *l, const struct campaign *c, const struct staff_filter *f,
                   char *err, size_t errlen)
{
	json_t *all, *out, *d;
	size_t i;
	int county = -1;

	if (f->county && (county = staff_county(c, f->county)) < 0) {
		snprintf(err, errlen, "未知县市区或园区：%s", f->county);
		return NULL;
	}
	if (f->program && campaign_program_index(c, f->program) < 0) {
		snprintf(err, errlen, "未知申报类别：%s（可用：base 基地、institution 机构）", f->program);
		return NULL;
	}
	all = query_dossiers(l, c);
	if (!all) {
		sqlerr(l, err, errlen);
		return NULL;
	}
	out = json_array();
	json_array_foreach(all, i, d) {
		const char *dc = json_string_value(json_object_get(d, "county"));
		const char *dp = json_string_value(json_object_get(d, "program"));
		bool late = json_is_true(json_object_get(d, "late"));
		if (county >= 0 && (!dc || strcmp(dc, c->counties[county].id) != 0))
			continue;
		if (f->program && (!dp || strcmp(dp, f->program) != 0))
			continue;
		if (f->incomplete && (json_is_true(json_object_get(d, "complete")) || late))
			continue;
		if (f->late && !late)
			continue;
		json_array_append(out, d);
	}
	json_decref(all);
	return out;
}

/* The replies table arrives with the replies work (schema v3); until then
 * there is nothing to show.  Read generically so that this keeps working
 * whatever columns it gets, as long as it has a `message` column. */
static json_t *replies_of(struct ledger *l, long long dossier, bool *available_r)
{
	sqlite3_stmt *st;
	json_t *a = json_array();

	*available_r = false;
	if (sqlite3_prepare_v2(ledger_db(l),
		"SELECT * FROM replies WHERE message IN (SELECT message FROM message_dossiers WHERE dossier = ?)"
		" ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return a;
	*available_r = true;
	sqlite3_bind_int64(st, 1, dossier);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();
		for (int k = 0; k < sqlite3_column_count(st); k++) {
			const char *name = sqlite3_column_name(st, k);
			switch (sqlite3_column_type(st, k)) {
			case SQLITE_INTEGER:
				json_object_set_new(o, name, json_integer(sqlite3_column_int64(st, k)));
				break;
			case SQLITE_NULL:
				json_object_set_new(o, name, json_null());
				break;
			case SQLITE_TEXT:
				json_object_set_new(o, name, json_string(col_text(st, k)));
				break;
			default:
				break;   /* blobs (raw messages) are not for this view */
			}
		}
		json_array_append_new(a, o);
	}
	sqlite3_finalize(st);
	return a;
}

static json_t *problems_of(struct ledger *l, long long dossier)
{
	sqlite3_stmt *st;
	json_t *a = json_array();

	st = query_prepare(l,
		"SELECT p.message, p.file, p.kind, p.reason FROM problems p"
		" LEFT JOIN files f ON f.id = p.file"
		" WHERE p.message IN (SELECT message FROM message_dossiers WHERE dossier = ?1)"
		" AND (p.file IS NULL OR f.dossier = ?1 OR f.dossier IS NULL) ORDER BY p.id", dossier);
	if (!st)
		return a;
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();
		json_object_set_new(o, "message", json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(o, "file", sqlite3_column_type(st, 1) == SQLITE_NULL ? json_null()
		                               : json_integer(sqlite3_column_int64(st, 1)));
		json_object_set_new(o, "kind", json_string(col_text(st, 2)));
		json_object_set_new(o, "reason", json_string(col_text(st, 3)));
		json_array_append_new(a, o);
	}
	sqlite3_finalize(st);
	return a;
}

/* What the file says (schema v6): the text read, the assignment's
 * confidence and whether the content decided it. */
static void add_content(struct ledger *l, json_t *files)
{
	sqlite3_stmt *st;
	size_t i;
	json_t *f;

	if (!ledger_has_table(l, "file_text") ||
	    sqlite3_prepare_v2(ledger_db(l),
		"SELECT t.source, t.confidence, t.pages, t.truncated, t.text_len, t.note,"
		" a.confidence, a.by_content, t.file IS NOT NULL"
		" FROM files f LEFT JOIN file_text t ON t.file = f.id"
		" LEFT JOIN assignments a ON a.file = f.id AND a.current = 1 WHERE f.id = ?",
		-1, &st, NULL) != SQLITE_OK)
		return;
	json_array_foreach(files, i, f) {
		json_t *t = json_null();

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(f, "id")));
		if (sqlite3_step(st) != SQLITE_ROW)
			continue;
		if (sqlite3_column_int(st, 8)) {
			t = json_object();
			json_object_set_new(t, "source", json_string(col_text(st, 0)));
			json_object_set_new(t, "confidence", json_integer(sqlite3_column_int(st, 1)));
			json_object_set_new(t, "pages", json_integer(sqlite3_column_int(st, 2)));
			json_object_set_new(t, "truncated", json_boolean(sqlite3_column_int(st, 3)));
			json_object_set_new(t, "bytes", json_integer(sqlite3_column_int64(st, 4)));
			json_object_set_new(t, "note", col_text(st, 5) ? json_string(col_text(st, 5)) : json_null());
		}
		json_object_set_new(f, "text", t);
		json_object_set_new(f, "confidence", sqlite3_column_type(st, 6) == SQLITE_NULL ? json_null()
		                                     : json_integer(sqlite3_column_int(st, 6)));
		json_object_set_new(f, "by_content", json_boolean(sqlite3_column_int(st, 7)));
	}
	sqlite3_finalize(st);
}

/* The unit's credit code and the other dossiers that carry it. */
static void add_credit_code(struct ledger *l, const struct campaign *c, json_t *d, long long dossier)
{
	sqlite3_stmt *st;
	json_t *same = json_array();
	const char *code = NULL;

	if (sqlite3_prepare_v2(ledger_db(l), "SELECT credit_code FROM dossiers WHERE id = ?", -1, &st,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, dossier);
		if (sqlite3_step(st) == SQLITE_ROW && col_text(st, 0) && *col_text(st, 0))
			json_object_set_new(d, "credit_code", json_string(col_text(st, 0)));
		sqlite3_finalize(st);
	}
	code = json_string_value(json_object_get(d, "credit_code"));
	if (!code)
		json_object_set_new(d, "credit_code", json_null());
	if (code && sqlite3_prepare_v2(ledger_db(l),
		"SELECT id, county, program, applicant FROM dossiers WHERE credit_code = ? AND id <> ? ORDER BY id",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, dossier);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *o = json_object();
			int ci = campaign_county_index(c, col_text(st, 1));
			json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
			json_object_set_new(o, "county", json_string(col_text(st, 1)));
			json_object_set_new(o, "county_name", ci >= 0 ? json_string(c->counties[ci].name) : json_null());
			json_object_set_new(o, "program", json_string(col_text(st, 2)));
			json_object_set_new(o, "applicant", json_string(col_text(st, 3)));
			json_array_append_new(same, o);
		}
		sqlite3_finalize(st);
	}
	json_object_set_new(d, "same_credit_code", same);
}

json_t *staff_eligibility(struct ledger *l, long long dossier)
{
	sqlite3_stmt *st;
	json_t *a = json_array();

	if (!ledger_has_table(l, "eligibility") ||
	    sqlite3_prepare_v2(ledger_db(l),
		"SELECT rule, status, message, vals, file FROM eligibility WHERE dossier = ? ORDER BY id",
		-1, &st, NULL) != SQLITE_OK)
		return a;
	sqlite3_bind_int64(st, 1, dossier);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object(), *vals = NULL;
		const char *vj = col_text(st, 3);
		if (vj)
			vals = json_loads(vj, 0, NULL);
		json_object_set_new(o, "rule", json_string(col_text(st, 0)));
		json_object_set_new(o, "status", json_string(col_text(st, 1)));
		json_object_set_new(o, "message", col_text(st, 2) ? json_string(col_text(st, 2)) : json_null());
		json_object_set_new(o, "values", vals ? vals : json_null());
		json_object_set_new(o, "file", sqlite3_column_type(st, 4) == SQLITE_NULL ? json_null()
		                               : json_integer(sqlite3_column_int64(st, 4)));
		json_array_append_new(a, o);
	}
	sqlite3_finalize(st);
	return a;
}

json_t *staff_show(struct ledger *l, const struct campaign *c, long long dossier,
                   char *err, size_t errlen)
{
	json_t *all = query_dossiers(l, c), *d, *found = NULL;
	size_t i;
	bool avail;

	if (!all) {
		sqlerr(l, err, errlen);
		return NULL;
	}
	json_array_foreach(all, i, d)
		if (json_integer_value(json_object_get(d, "id")) == dossier) {
			found = json_incref(d);
			break;
		}
	json_decref(all);
	if (!found) {
		snprintf(err, errlen, "没有编号为 %lld 的申报单位", dossier);
		return NULL;
	}
	add_content(l, json_object_get(found, "files"));
	add_credit_code(l, c, found, dossier);
	json_object_set_new(found, "eligibility", staff_eligibility(l, dossier));
	json_object_set_new(found, "problems", problems_of(l, dossier));
	json_object_set_new(found, "replies", replies_of(l, dossier, &avail));
	json_object_set_new(found, "replies_available", json_boolean(avail));
	json_object_set_new(found, "audit", staff_log(l, c, dossier));
	return found;
}

static void print_items(FILE *out, const struct campaign *c, const json_t *a)
{
	size_t i;
	json_t *v;

	if (json_array_size(a) == 0) {
		fputs("无", out);
		return;
	}
	json_array_foreach(a, i, v) {
		char label[1024];
		report_item_label(c, json_string_value(v), false, label, sizeof(label));
		fprintf(out, "%s%s %s", i ? "、" : "", json_string_value(v), label);
	}
}

static void print_clean(FILE *out, const char *s)
{
	char *cl = report_clean(s ? s : "");

	fputs(cl ? cl : "", out);
	free(cl);
}

void staff_print_list(FILE *out, const json_t *list, const struct campaign *c)
{
	size_t i;
	json_t *d;

	json_array_foreach(list, i, d) {
		const char *cn = json_string_value(json_object_get(d, "county_name"));
		const char *prog = json_string_value(json_object_get(d, "program"));
		bool late = json_is_true(json_object_get(d, "late"));
		fprintf(out, "#%-4lld %s  %s  ", (long long)json_integer_value(json_object_get(d, "id")),
		        cn ? cn : "县区未识别", report_program_short(c, prog ? campaign_program_index(c, prog) : -1));
		print_clean(out, json_string_value(json_object_get(d, "applicant")));
		fprintf(out, "  %s%s\n", late ? "逾期" : json_is_true(json_object_get(d, "complete")) ? "材料齐全" : "材料不全",
		        json_is_true(json_object_get(d, "paper_received")) ? "，纸质已收" : "");
		if (!late && !json_is_true(json_object_get(d, "complete"))) {
			fputs("      缺少：", out);
			print_items(out, c, json_object_get(d, "missing"));
			fputc('\n', out);
		}
	}
	fprintf(out, "共 %zu 个申报单位\n", json_array_size(list));
}

static const char *source_zh(const char *s)
{
	static const struct { const char *k, *zh; } m[] = {
		{ "ooxml", "Office 文档" }, { "pdf", "PDF 文字层" }, { "legacy", "旧版 Office/WPS 文档" },
		{ "plain", "纯文本" }, { "ocr", "文字识别（OCR）" },
	};

	for (size_t i = 0; s && i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(s, m[i].k) == 0)
			return m[i].zh;
	return "无";
}

/* "文字：PDF 文字层，2 页，1834 字节" / "文字：无（扫描件，未启用文字识别）" */
static void print_text_line(FILE *out, const json_t *t)
{
	const char *src, *note;

	if (!json_is_object(t))
		return;
	src = json_string_value(json_object_get(t, "source"));
	note = json_string_value(json_object_get(t, "note"));
	fprintf(out, "          文字：%s", source_zh(src));
	if (src && strcmp(src, "none") != 0) {
		if (strcmp(src, "ocr") == 0)
			fprintf(out, "，识别置信度 %lld", (long long)json_integer_value(json_object_get(t, "confidence")));
		if (json_integer_value(json_object_get(t, "pages")) > 0)
			fprintf(out, "，共 %lld 页", (long long)json_integer_value(json_object_get(t, "pages")));
		fprintf(out, "，读取 %lld 字节%s", (long long)json_integer_value(json_object_get(t, "bytes")),
		        json_is_true(json_object_get(t, "truncated")) ? "（已截断）" : "");
	}
	if (note) {
		fputs("（", out);
		print_clean(out, note);
		fputs("）", out);
	}
	fputc('\n', out);
}

static const char *elig_zh(const char *status)
{
	if (status && strcmp(status, "pass") == 0)
		return "符合";
	if (status && strcmp(status, "fail") == 0)
		return "不符";
	return "无法判断";
}

/* The values read, once: every row carries the same form's values. */
static void print_values(FILE *out, const json_t *vals)
{
	size_t i, n = 0;
	json_t *v;

	if (!json_is_array(vals))
		return;
	fputs("  读取的数值：", out);
	json_array_foreach(vals, i, v) {
		const char *label = json_string_value(json_object_get(v, "label"));
		const char *raw = json_string_value(json_object_get(v, "raw"));
		if (!json_is_true(json_object_get(v, "found")))
			continue;
		fputs(n++ ? "；" : "", out);
		print_clean(out, label ? label : json_string_value(json_object_get(v, "field")));
		fputc(' ', out);
		print_clean(out, raw ? raw : "");
	}
	if (n == 0)
		fputs("无", out);
	fputc('\n', out);
}

void staff_print_eligibility(FILE *out, const json_t *rows)
{
	size_t i, nfail = 0, nunknown = 0;
	json_t *v;

	json_array_foreach(rows, i, v) {
		const char *st = json_string_value(json_object_get(v, "status"));
		nfail += st && strcmp(st, "fail") == 0;
		nunknown += st && strcmp(st, "unknown") == 0;
	}
	fputs("\n资格初审（仅供参考，不影响回复）：", out);
	if (json_array_size(rows) == 0) {
		fputs("未读取到申请表数值\n", out);
		return;
	}
	if (nfail == 0 && nunknown == 0)
		fputs("各项条件均符合\n", out);
	else
		fprintf(out, "%zu 项不符，%zu 项无法判断\n", nfail, nunknown);
	json_array_foreach(rows, i, v) {
		fprintf(out, "  【%s】", elig_zh(json_string_value(json_object_get(v, "status"))));
		print_clean(out, json_string_value(json_object_get(v, "message")));
		fputc('\n', out);
	}
	print_values(out, json_object_get(json_array_get(rows, 0), "values"));
}

void staff_print_show(FILE *out, const json_t *d, const struct campaign *c)
{
	size_t i;
	json_t *v;
	const char *cn = json_string_value(json_object_get(d, "county_name"));
	const char *pt = json_string_value(json_object_get(d, "program_title"));

	fprintf(out, "申报单位 #%lld  ", (long long)json_integer_value(json_object_get(d, "id")));
	print_clean(out, json_string_value(json_object_get(d, "applicant")));
	fprintf(out, "\n县市区、园区：%s\n申报类别：%s\n", cn ? cn : "县区未识别", pt ? pt : "类别未定");
	fprintf(out, "首次收到：%s　最近收到：%s\n", json_string_value(json_object_get(d, "first_received_at")),
	        json_string_value(json_object_get(d, "received_at")));
	fprintf(out, "状态：%s%s　纸质材料：%s\n",
	        json_is_true(json_object_get(d, "complete")) ? "材料齐全" : "材料不全",
	        json_is_true(json_object_get(d, "late")) ? "（逾期）" : "",
	        json_is_true(json_object_get(d, "paper_received")) ? "已收" : "未收");
	fputs("已收：", out);
	print_items(out, c, json_object_get(d, "present"));
	fputs("\n缺少：", out);
	print_items(out, c, json_object_get(d, "missing"));
	fputs("\n来信：", out);
	json_array_foreach(json_object_get(d, "messages"), i, v)
		fprintf(out, "%s#%lld", i ? "、" : "", (long long)json_integer_value(v));
	fputs("\n统一社会信用代码：", out);
	print_clean(out, json_string_value(json_object_get(d, "credit_code")) ?
	            json_string_value(json_object_get(d, "credit_code")) : "未读取到");
	json_array_foreach(json_object_get(d, "same_credit_code"), i, v) {
		const char *cn2 = json_string_value(json_object_get(v, "county_name"));
		fprintf(out, "%s#%lld %s ", i ? "、" : "（重复申报：同一代码另见 ",
		        (long long)json_integer_value(json_object_get(v, "id")), cn2 ? cn2 : "县区未识别");
		print_clean(out, json_string_value(json_object_get(v, "applicant")));
		if (i + 1 == json_array_size(json_object_get(d, "same_credit_code")))
			fputs("）", out);
	}
	fputs("\n\n文件（编号  对应材料  类型  文件名 / 依据）\n", out);
	json_array_foreach(json_object_get(d, "files"), i, v) {
		const char *item = json_string_value(json_object_get(v, "item"));
		const char *by = json_string_value(json_object_get(v, "assigned_by"));
		char label[1024] = "未归类";
		if (item)
			report_item_label(c, item, false, label, sizeof(label));
		fprintf(out, "  #%-5lld %-4s %s  %s  ", (long long)json_integer_value(json_object_get(v, "id")),
		        item ? item : "-", label, json_string_value(json_object_get(v, "mime")));
		print_clean(out, json_string_value(json_object_get(v, "path")));
		fputc('\n', out);
		if (json_is_true(json_object_get(v, "by_content")) && item && (!by || strcmp(by, "machine") == 0)) {
			json_t *conf = json_object_get(v, "confidence");
			fprintf(out, "          内容识别：%s", label);
			if (json_is_integer(conf))
				fprintf(out, "，置信度 %lld", (long long)json_integer_value(conf));
			fputs("，依据 ", out);
			print_clean(out, json_string_value(json_object_get(v, "evidence")));
			fputc('\n', out);
		} else if (json_string_value(json_object_get(v, "evidence")) || (by && strcmp(by, "machine") != 0)) {
			fputs("          依据：", out);
			print_clean(out, json_string_value(json_object_get(v, "evidence")));
			if (by && strcmp(by, "machine") != 0)
				fprintf(out, "（%s 人工改判）", by);
			fputc('\n', out);
		}
		if (json_is_true(json_object_get(v, "kept_archive")))
			fputs("          压缩包未能完整解开（见下方问题），原件已保留：可用 export 导出后自行打开\n", out);
		print_text_line(out, json_object_get(v, "text"));
	}
	staff_print_eligibility(out, json_object_get(d, "eligibility"));
	fputs("\n问题：", out);
	if (json_array_size(json_object_get(d, "problems")) == 0)
		fputs("无", out);
	fputc('\n', out);
	json_array_foreach(json_object_get(d, "problems"), i, v) {
		fprintf(out, "  来信#%lld【%s】", (long long)json_integer_value(json_object_get(v, "message")),
		        report_problem_zh(json_string_value(json_object_get(v, "kind"))));
		print_clean(out, json_string_value(json_object_get(v, "reason")));
		fputc('\n', out);
	}
	fputs("\n已发回复：", out);
	if (!json_is_true(json_object_get(d, "replies_available")))
		fputs("（本版本尚无回复记录）\n", out);
	else if (json_array_size(json_object_get(d, "replies")) == 0)
		fputs("无\n", out);
	else {
		fputc('\n', out);
		json_array_foreach(json_object_get(d, "replies"), i, v) {
			char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fprintf(out, "  %s\n", s ? s : "");
			free(s);
		}
	}
	fputs("\n操作记录：", out);
	if (json_array_size(json_object_get(d, "audit")) == 0)
		fputs("无\n", out);
	else {
		fputc('\n', out);
		staff_print_log(out, json_object_get(d, "audit"));
	}
}

/* ---- assign ---- */

static int dossier_complete(struct ledger *l, const struct campaign *c, long long d, bool *complete_r)
{
	struct ledger_items it;
	sqlite3_stmt *st;
	int prog = -1;

	st = query_prepare(l, "SELECT program FROM dossiers WHERE id = ?", d);
	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		prog = campaign_program_index(c, col_text(st, 0));
	sqlite3_finalize(st);
	if (ledger_dossier_state(l, c, d, 0, &it) != 0)
		return -1;
	*complete_r = prog >= 0 && it.nmissing == 0;
	ledger_items_free(&it);
	return 0;
}

int staff_assign(struct ledger *l, const struct campaign *c, long long file, const char *item,
                 const char *who, struct staff_assign_result *res, char *err, size_t errlen)
{
	const struct campaign_item *ci = NULL;
	sqlite3_stmt *st = NULL;
	char name[512] = "", target[64], *detail = NULL, *evidence = NULL;
	int prog = -1, rc, ret = -1;
	bool ignored = false, opened_archive = false, in_txn = false;

	memset(res, 0, sizeof(*res));
	if (item) {
		ci = campaign_item_by_id(c, item);
		if (!ci) {
			snprintf(err, errlen, "申报目录中没有 %s 这一项", item);
			return -1;
		}
	}
	if (ledger_begin(l) != 0)
		goto sql;
	in_txn = true;
	st = query_prepare(l,
		"SELECT f.dossier, f.ignored, " LEDGER_OPENED_ARCHIVE ", f.name, m.county, d.program,"
		" (SELECT item FROM assignments a WHERE a.file = f.id AND a.current = 1)"
		" FROM files f JOIN messages m ON m.id = f.message LEFT JOIN dossiers d ON d.id = f.dossier"
		" WHERE f.id = ?", file);
	if (!st)
		goto sql;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			goto sql;
		snprintf(err, errlen, "没有编号为 %lld 的文件", file);
		goto out;
	}
	res->dossier = sqlite3_column_int64(st, 0);
	ignored = sqlite3_column_int(st, 1) != 0;
	opened_archive = sqlite3_column_int(st, 2) != 0;
	snprintf(name, sizeof(name), "%s", col_text(st, 3));
	snprintf(res->county, sizeof(res->county), "%s", col_text(st, 4) ? col_text(st, 4) : "");
	if (col_text(st, 5))
		prog = campaign_program_index(c, col_text(st, 5));
	snprintf(res->before, sizeof(res->before), "%s", col_text(st, 6) ? col_text(st, 6) : "");
	sqlite3_finalize(st);
	st = NULL;
	if (opened_archive) {
		snprintf(err, errlen, "文件 #%lld 是已解开的压缩包，请改判其中的文件", file);
		goto out;
	}
	if (ignored) {
		snprintf(err, errlen, "文件 #%lld 是系统垃圾文件（如 Thumbs.db、__MACOSX），不属于申报材料", file);
		goto out;
	}
	if (ci && ci->program >= 0) {
		if (res->dossier == 0) {
			snprintf(err, errlen, "文件 #%lld 不属于任何申报单位，只能归为县级材料（推荐报告、推荐汇总表）或 none", file);
			goto out;
		}
		if (prog >= 0 && ci->program != prog) {
			snprintf(err, errlen, "%s 属于“%s”目录，而申报单位 #%lld 申报的是“%s”", ci->id,
			         c->programs[ci->program].title, res->dossier, c->programs[prog].title);
			goto out;
		}
	}
	if (res->dossier && dossier_complete(l, c, res->dossier, &res->complete_before) != 0)
		goto sql;
	snprintf(res->after, sizeof(res->after), "%s", item ? item : "");
	if (asprintf(&evidence, "%s 人工改判%s%s%s", who, res->before[0] ? "（原为 " : "（原未归类",
	             res->before, res->before[0] ? "）" : "）") < 0 ||
	    asprintf(&detail, "文件 #%lld“%s”：%s → %s", file, name, res->before[0] ? res->before : "未归类",
	             item ? item : "未归类") < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (res->dossier)
		snprintf(target, sizeof(target), "dossier:%lld", res->dossier);
	else
		snprintf(target, sizeof(target), "file:%lld", file);
	if (ledger_assign(l, file, item, evidence, who) != 0 ||
	    staff_audit(l, who, "assign", target, detail) != 0)
		goto sql;
	if (res->dossier && dossier_complete(l, c, res->dossier, &res->complete_after) != 0)
		goto sql;
	if (ledger_commit(l) != 0)
		goto sql;
	in_txn = false;
	ret = 0;
	goto out;
sql:
	sqlerr(l, err, errlen);
out:
	sqlite3_finalize(st);
	if (in_txn)
		ledger_rollback(l);
	free(detail);
	free(evidence);
	return ret;
}

/* ---- mark-paper ---- */

int staff_mark_paper(struct ledger *l, long long dossier, const char *who, bool *changed_r,
                     char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char target[64];
	int rc;

	*changed_r = false;
	if (ledger_begin(l) != 0)
		goto sql;
	st = query_prepare(l, "SELECT paper_received FROM dossiers WHERE id = ?", dossier);
	if (!st)
		goto sql;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		ledger_rollback(l);
		if (rc != SQLITE_DONE)
			goto sql;
		snprintf(err, errlen, "没有编号为 %lld 的申报单位", dossier);
		return -1;
	}
	*changed_r = sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	st = NULL;
	if (*changed_r) {
		st = query_prepare(l, "UPDATE dossiers SET paper_received = 1 WHERE id = ?", dossier);
		if (!st)
			goto sql;
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
		snprintf(target, sizeof(target), "dossier:%lld", dossier);
		if (rc != SQLITE_DONE || staff_audit(l, who, "mark-paper", target, "纸质材料已收到") != 0)
			goto sql;
	}
	if (ledger_commit(l) != 0)
		goto sql;
	return 0;
sql:
	sqlerr(l, err, errlen);
	sqlite3_finalize(st);
	ledger_rollback(l);
	return -1;
}

/* ---- export ---- */

/* Append s to buf made safe: '_' for path separators, characters Windows
 * refuses, controls, bidi controls and invalid UTF-8. */
static size_t safe_append(char *buf, size_t o, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p && o + 5 < size) {
		size_t n = 1;
		bool bad = false;
		if (*p < 0x80) {
			bad = *p < 0x20 || *p == 0x7F || strchr("/\\:*?\"<>|", *p) != NULL;
		} else {
			char tmp[8] = { 0 };
			char *cl;
			n = (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 1;
			for (size_t k = 1; k < n; k++)
				if ((p[k] & 0xC0) != 0x80) {
					n = 1;
					break;
				}
			memcpy(tmp, p, n);
			cl = report_clean(tmp);
			/* report_clean() marks what must not be shown with U+FFFD */
			bad = n == 1 || !cl || strcmp(cl, tmp) != 0;
			free(cl);
		}
		if (bad) {
			buf[o++] = '_';
			p += n;
			continue;
		}
		memcpy(buf + o, p, n);
		o += n;
		p += n;
	}
	buf[o] = '\0';
	return o;
}

/* Cut to at most max bytes on a character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* ".pdf", ".docx", ".tar.gz"'s ".gz": a dot and 1 to 10 ASCII letters or digits. */
static bool is_extension(const char *dot)
{
	size_t n = strlen(dot + 1);

	if (n == 0 || n > 10)
		return false;
	for (const char *q = dot + 1; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
			return false;
	return true;
}

char *staff_export_name(const struct campaign *c, const char *item, const char *original)
{
	const struct campaign_item *ci = item ? campaign_item_by_id(c, item) : NULL;
	char prefix[512], base[1024], ext[16] = "", *out;
	const char *dot;
	size_t o = 0, blen, room;

	if (ci && ci->number > 0)
		o = (size_t)snprintf(prefix, sizeof(prefix), "%02u-", ci->number);
	else if (ci)
		o = (size_t)snprintf(prefix, sizeof(prefix), "%s-", ci->id);
	else
		o = (size_t)snprintf(prefix, sizeof(prefix), "00-");
	o = safe_append(prefix, o, sizeof(prefix), ci ? ci->short_title : "未归类");
	prefix[o++] = '-';
	prefix[o] = '\0';
	safe_append(base, 0, sizeof(base), original && *original ? original : "file");
	/* Keep a short extension whatever the cut. */
	dot = strrchr(base, '.');
	if (dot && dot != base && is_extension(dot)) {
		snprintf(ext, sizeof(ext), "%s", dot);
		base[dot - base] = '\0';
	}
	/* Windows drops trailing dots and spaces; a leading dot hides a file. */
	blen = strlen(base);
	while (blen && (base[blen - 1] == '.' || base[blen - 1] == ' '))
		base[--blen] = '\0';
	room = STAFF_EXPORT_NAME_MAX - strlen(ext);
	o = utf8_cut(prefix, strlen(prefix), room);
	prefix[o] = '\0';
	blen = utf8_cut(base, blen, room - o);
	base[blen] = '\0';
	if (asprintf(&out, "%s%s%s", prefix, base, ext) < 0)
		return NULL;
	return out;
}

/* Create dir/name exclusively, trying "name (2).ext" ... on a collision. */
static int create_unique(int dfd, const char *name, char **final_r)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);

	for (unsigned k = 1; k < 1000; k++) {
		char *n;
		int fd;
		if (k == 1)
			n = strdup(name);
		else if (asprintf(&n, "%.*s (%u)%s", (int)utf8_cut(name, stem, STAFF_EXPORT_NAME_MAX - 24),
		                  name, k, name + stem) < 0)
			n = NULL;
		if (!n)
			return -1;
		fd = openat(dfd, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*final_r = n;
			return fd;
		}
		free(n);
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* Copy src to out_fd and check its sha256. */
static int copy_checked(const char *src, int out_fd, const char *sha_expect, char *err, size_t errlen)
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[SPOOL_HEX_LEN + 1], buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (in < 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return -1;
	}
	sha256_init(&ctx);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		sha256_update(&ctx, (size_t)n, (const uint8_t *)buf);
		if (spool_write_full(out_fd, buf, (size_t)n) != 0) {
			snprintf(err, errlen, "write: %s", strerror(errno));
			close(in);
			return -1;
		}
	}
	close(in);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return -1;
	}
	sha256_digest(&ctx, sizeof(d), d);
	spool_hex(d, sizeof(d), hex);
	if (strcmp(hex, sha_expect) != 0) {
		snprintf(err, errlen, "%s: 内容与登记时不符（sha256 %s，登记为 %s）", src, hex, sha_expect);
		return -1;
	}
	return 0;
}

static bool only_digits(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int staff_export(struct ledger *l, const struct campaign *c, const char *state_dir,
                 long long dossier, const char *dir, const char *who, FILE *out,
                 unsigned *n_r, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int dfd = -1, ret = -1, rc;
	unsigned skipped = 0;
	char target[64], detail[4200];

	*n_r = 0;
	st = query_prepare(l, "SELECT 1 FROM dossiers WHERE id = ?", dossier);
	if (!st)
		goto sql;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_ROW) {
		snprintf(err, errlen, "没有编号为 %lld 的申报单位", dossier);
		return -1;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	st = query_prepare(l,
		"SELECT f.id, f.name, f.stored, f.sha256, f.kind, m.sha256,"
		" (SELECT item FROM assignments a WHERE a.file = f.id AND a.current = 1)"
		" FROM files f JOIN messages m ON m.id = f.message"
		/* Opened archives are exported as their entries; an attached one
		 * that could not be read whole was kept and is exported as sent. */
		" WHERE f.dossier = ? AND f.ignored = 0 AND NOT " LEDGER_OPENED_ARCHIVE
		" ORDER BY f.message, f.seq", dossier);
	if (!st)
		goto sql;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long fid = sqlite3_column_int64(st, 0);
		const char *name = col_text(st, 1), *stored = col_text(st, 2), *sha = col_text(st, 3);
		const char *kind = col_text(st, 4), *msha = col_text(st, 5), *item = col_text(st, 6);
		char src[4096], *fname = NULL, *final = NULL;
		int fd;

		if (strcmp(kind, "executable") == 0 || strcmp(kind, "script") == 0) {
			fprintf(out, "跳过 #%lld：可执行程序或脚本，已隔离，不导出\n", fid);
			skipped++;
			continue;
		}
		if (!only_digits(stored) || strlen(msha) != SPOOL_HEX_LEN) {
			fprintf(out, "跳过 #%lld：文件未能保存（无法读取）\n", fid);
			skipped++;
			continue;
		}
		snprintf(src, sizeof(src), "%s/files/%s/%s", state_dir, msha, stored);
		fname = staff_export_name(c, item, name);
		if (!fname) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		fd = create_unique(dfd, fname, &final);
		if (fd < 0) {
			snprintf(err, errlen, "%s/%s: %s", dir, fname, strerror(errno));
			free(fname);
			goto out;
		}
		if (copy_checked(src, fd, sha, err, errlen) != 0 || fsync(fd) != 0 || close(fd) != 0) {
			if (!*err)
				snprintf(err, errlen, "%s/%s: %s", dir, final, strerror(errno));
			unlinkat(dfd, final, 0);
			free(fname);
			free(final);
			goto out;
		}
		fprintf(out, "#%lld → %s/", fid, dir);
		print_clean(out, final);
		fputc('\n', out);
		(*n_r)++;
		free(fname);
		free(final);
	}
	if (rc != SQLITE_DONE)
		goto sql;
	sqlite3_finalize(st);
	st = NULL;
	snprintf(target, sizeof(target), "dossier:%lld", dossier);
	snprintf(detail, sizeof(detail), "导出 %u 个文件到 %.4000s%s", *n_r, dir, skipped ? "（有文件未导出）" : "");
	if (ledger_begin(l) != 0 || staff_audit(l, who, "export", target, detail) != 0 || ledger_commit(l) != 0) {
		ledger_rollback(l);
		goto sql;
	}
	ret = 0;
	goto out;
sql:
	sqlerr(l, err, errlen);
out:
	sqlite3_finalize(st);
	if (dfd >= 0)
		close(dfd);
	return ret;
}

/* ---- log ---- */

json_t *staff_log(struct ledger *l, const struct campaign *c, long long dossier)
{
	sqlite3_stmt *st;
	json_t *a = json_array();
	char t1[64], t2[64];

	snprintf(t1, sizeof(t1), "dossier:%lld", dossier);
	st = query_prepare(l,
		"SELECT id, at, who, action, target, detail FROM audit"
		" WHERE ?1 = 0 OR target = ?2"
		" OR target IN (SELECT 'file:' || id FROM files WHERE dossier = ?1)"
		" OR target IN (SELECT 'message:' || message FROM message_dossiers WHERE dossier = ?1)"
		" ORDER BY id", dossier);
	if (!st)
		return a;
	sqlite3_bind_text(st, 2, t1, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();
		time_t at = (time_t)sqlite3_column_int64(st, 1);
		campaign_format_time(at, c->tz_offset_min, t2, sizeof(t2));
		json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(o, "at", json_string(t2));
		json_object_set_new(o, "who", json_string(col_text(st, 2)));
		json_object_set_new(o, "action", json_string(col_text(st, 3)));
		json_object_set_new(o, "target", col_text(st, 4) ? json_string(col_text(st, 4)) : json_null());
		json_object_set_new(o, "detail", col_text(st, 5) ? json_string(col_text(st, 5)) : json_null());
		json_array_append_new(a, o);
	}
	sqlite3_finalize(st);
	return a;
}

void staff_print_log(FILE *out, const json_t *rows)
{
	size_t i;
	json_t *v;

	json_array_foreach(rows, i, v) {
		const char *target = json_string_value(json_object_get(v, "target"));
		fprintf(out, "  %s  ", json_string_value(json_object_get(v, "at")));
		print_clean(out, json_string_value(json_object_get(v, "who")));
		fprintf(out, "  %s  %s  ", json_string_value(json_object_get(v, "action")), target ? target : "-");
		print_clean(out, json_string_value(json_object_get(v, "detail")));
		fputc('\n', out);
	}
	if (json_array_size(rows) == 0)
		fputs("  （无操作记录）\n", out);
}

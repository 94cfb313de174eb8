#include "xlsx_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define PAPER_A4 9

struct fmts {
	lxw_format *title, *meta, *head, *cell, *wrap, *num, *sum, *sumnum, *plain;
};

static void make_formats(lxw_workbook *wb, struct fmts *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 16);
	format_set_align(f->title, LXW_ALIGN_CENTER);
	format_set_align(f->title, LXW_ALIGN_VERTICAL_CENTER);
	f->meta = workbook_add_format(wb);
	f->plain = workbook_add_format(wb);
	f->head = workbook_add_format(wb);
	format_set_bold(f->head);
	format_set_border(f->head, LXW_BORDER_THIN);
	format_set_text_wrap(f->head);
	format_set_align(f->head, LXW_ALIGN_CENTER);
	format_set_align(f->head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_bg_color(f->head, 0xE8E8E8);
	f->cell = workbook_add_format(wb);
	format_set_border(f->cell, LXW_BORDER_THIN);
	format_set_align(f->cell, LXW_ALIGN_VERTICAL_TOP);
	f->wrap = workbook_add_format(wb);
	format_set_border(f->wrap, LXW_BORDER_THIN);
	format_set_text_wrap(f->wrap);
	format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
	f->num = workbook_add_format(wb);
	format_set_border(f->num, LXW_BORDER_THIN);
	format_set_align(f->num, LXW_ALIGN_VERTICAL_TOP);
	f->sum = workbook_add_format(wb);
	format_set_border(f->sum, LXW_BORDER_THIN);
	format_set_bold(f->sum);
	f->sumnum = workbook_add_format(wb);
	format_set_border(f->sumnum, LXW_BORDER_THIN);
	format_set_bold(f->sumnum);
}

/* Every string from the ledger goes through here: control characters out. */
static void put(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *f)
{
	char *c = report_clean(s ? s : "");

	if (c && *c)
		worksheet_write_string(ws, row, col, c, f);
	else
		worksheet_write_blank(ws, row, col, f);
	free(c);
}

static void page_setup(lxw_worksheet *ws, bool landscape, lxw_row_t repeat_first, lxw_row_t repeat_last)
{
	worksheet_set_paper(ws, PAPER_A4);
	if (landscape)
		worksheet_set_landscape(ws);
	worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.6);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_repeat_rows(ws, repeat_first, repeat_last);
}

static void sheet_summary(lxw_workbook *wb, const struct report *r, const struct fmts *f)
{
	const struct campaign *c = r->c;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "日报");
	lxw_col_t ncol = (lxw_col_t)(3 + c->nprograms + 6);
	lxw_row_t row = 0;
	char buf[1024], dl[64], left[64];
	unsigned tot[16] = { 0 };
	size_t silent = 0;

	snprintf(buf, sizeof(buf), "%s%s 申报材料接收日报", c->issuer, c->office);
	worksheet_merge_range(ws, row, 0, row, ncol - 1, buf, f->title);
	worksheet_set_row(ws, row++, 28, NULL);
	snprintf(buf, sizeof(buf), "%s（%s）", c->title, c->notice_ref);
	put(ws, row++, 0, buf, f->meta);
	report_deadline_text(r, dl, sizeof(dl));
	report_days_left_text(r, left, sizeof(left));
	snprintf(buf, sizeof(buf), "报告日期：%d年%d月%d日，统计至当日 24:00（北京时间）；申报截止：%s，%s",
	         r->year, r->month, r->day, dl, left);
	put(ws, row++, 0, buf, f->meta);
	row++;

	lxw_row_t head = row;
	lxw_col_t col = 0;
	put(ws, row, col++, "县市区、园区", f->head);
	put(ws, row, col++, "今日来信", f->head);
	put(ws, row, col++, "累计来信", f->head);
	for (size_t p = 0; p < c->nprograms; p++)
		put(ws, row, col++, report_program_short(c, (int)p), f->head);
	put(ws, row, col++, "今日新增单位", f->head);
	put(ws, row, col++, "材料齐全", f->head);
	put(ws, row, col++, "材料不全", f->head);
	put(ws, row, col++, "逾期", f->head);
	put(ws, row, col++, "问题（累计）", f->head);
	put(ws, row, col++, "县级材料", f->head);
	row++;
	for (size_t i = 0; i < r->ncounties; i++) {
		const struct report_county *k = &r->counties[i];
		bool unknown = i >= c->ncounties;
		unsigned v[16];
		size_t nv = 0;
		if (unknown && k->msgs == 0)
			continue;
		if (!unknown && k->msgs == 0)
			silent++;
		v[nv++] = k->msgs_today;
		v[nv++] = k->msgs;
		for (size_t p = 0; p < c->nprograms; p++)
			v[nv++] = k->dossiers[p];
		v[nv++] = k->new_today;
		v[nv++] = k->complete;
		v[nv++] = k->incomplete;
		v[nv++] = k->late;
		v[nv++] = k->problems;
		put(ws, row, 0, report_county_name(c, unknown ? -1 : (int)i), f->cell);
		for (size_t n = 0; n < nv; n++) {
			worksheet_write_number(ws, row, (lxw_col_t)(1 + n), v[n], f->num);
			tot[n] += v[n];
		}
		report_county_missing_text(r, k, buf, sizeof(buf));
		put(ws, row, (lxw_col_t)(1 + nv), k->msgs ? buf : "尚未报送", f->cell);
		row++;
	}
	put(ws, row, 0, "合计", f->sum);
	for (lxw_col_t n = 0; n + 2 < ncol; n++)
		worksheet_write_number(ws, row, (lxw_col_t)(1 + n), tot[n], f->sumnum);
	worksheet_write_blank(ws, row, ncol - 1, f->sum);
	row += 2;
	snprintf(buf, sizeof(buf), "尚未报送（%zu 个）：", silent);
	for (size_t i = 0, n = 0; i < c->ncounties; i++)
		if (r->counties[i].msgs == 0) {
			size_t o = strlen(buf);
			snprintf(buf + o, sizeof(buf) - o, "%s%s", n++ ? "、" : "", c->counties[i].name);
		}
	if (!silent)
		strncat(buf, "无", sizeof(buf) - strlen(buf) - 1);
	put(ws, row++, 0, buf, f->plain);
	if (r->other_msgs) {
		snprintf(buf, sizeof(buf), "另收到非申报邮件 %u 封（自动回复、退信等），不计入统计。", r->other_msgs);
		put(ws, row++, 0, buf, f->plain);
	}
	worksheet_set_column(ws, 0, 0, 24, NULL);
	worksheet_set_column(ws, 1, ncol - 2, 9, NULL);
	worksheet_set_column(ws, ncol - 1, ncol - 1, 26, NULL);
	page_setup(ws, true, head, head);
}

static void sheet_dossiers(lxw_workbook *wb, const struct report *r, const struct fmts *f)
{
	static const char *const head[] = { "编号", "县市区、园区", "类别", "申报单位", "首次收到",
		"今日新增", "状态", "缺少材料", "纸质材料", "统一社会信用代码", "资格初审（仅供参考）", "重复申报" };
	static const double widths[] = { 7, 18, 8, 36, 17, 9, 10, 60, 9, 22, 50, 16 };
	const lxw_col_t ncol = (lxw_col_t)(sizeof(head) / sizeof(head[0]));
	const struct campaign *c = r->c;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "申报单位");
	char buf[8192];
	lxw_row_t row = 0;

	for (lxw_col_t k = 0; k < ncol; k++) {
		put(ws, row, k, head[k], f->head);
		worksheet_set_column(ws, k, k, widths[k], NULL);
	}
	row++;
	for (size_t i = 0; i < r->ndossiers; i++, row++) {
		const struct report_dossier *d = &r->dossiers[i];
		worksheet_write_number(ws, row, 0, (double)d->id, f->num);
		put(ws, row, 1, report_county_name(c, d->county), f->cell);
		put(ws, row, 2, report_program_short(c, d->program), f->cell);
		put(ws, row, 3, d->applicant, f->wrap);
		report_local_time_text(r, d->first_received, buf, sizeof(buf));
		put(ws, row, 4, buf, f->cell);
		put(ws, row, 5, d->today ? "是" : "", f->cell);
		put(ws, row, 6, d->late ? "逾期" : d->complete ? "材料齐全" : "材料不全", f->cell);
		if (d->complete)
			buf[0] = '\0';
		else
			report_missing_text(r, d, true, "\n", buf, sizeof(buf));
		put(ws, row, 7, buf, f->wrap);
		put(ws, row, 8, d->paper ? "已收" : "未收", f->cell);
		put(ws, row, 9, d->credit_code ? d->credit_code : "", f->cell);
		if (d->elig_checked)
			report_elig_text(d, buf, sizeof(buf));
		else
			buf[0] = '\0';
		put(ws, row, 10, buf, f->wrap);
		buf[0] = '\0';
		for (size_t j = 0; d->credit_code && j < r->ndossiers; j++) {
			size_t o = strlen(buf);
			if (j != i && r->dossiers[j].credit_code &&
			    strcmp(r->dossiers[j].credit_code, d->credit_code) == 0)
				snprintf(buf + o, sizeof(buf) - o, "%s同 #%lld", o ? "、" : "", r->dossiers[j].id);
		}
		put(ws, row, 11, buf, f->cell);
	}
	worksheet_autofilter(ws, 0, 0, row > 1 ? row - 1 : 1, ncol - 1);
	worksheet_freeze_panes(ws, 1, 0);
	page_setup(ws, true, 0, 0);
}

static void sheet_problems(lxw_workbook *wb, const struct report *r, const struct fmts *f)
{
	static const char *const head[] = { "来信编号", "县市区、园区", "收到时间", "今日", "问题类型", "说明" };
	static const double widths[] = { 9, 18, 17, 6, 14, 90 };
	lxw_worksheet *ws = workbook_add_worksheet(wb, "问题");
	char buf[64];
	lxw_row_t row = 0;

	for (lxw_col_t k = 0; k < 6; k++) {
		put(ws, row, k, head[k], f->head);
		worksheet_set_column(ws, k, k, widths[k], NULL);
	}
	row++;
	for (size_t i = 0; i < r->nproblems; i++, row++) {
		const struct report_problem *p = &r->problems[i];
		worksheet_write_number(ws, row, 0, (double)p->message, f->num);
		put(ws, row, 1, report_county_name(r->c, p->county), f->cell);
		report_local_time_text(r, p->received, buf, sizeof(buf));
		put(ws, row, 2, buf, f->cell);
		put(ws, row, 3, p->today ? "是" : "", f->cell);
		put(ws, row, 4, report_problem_zh(p->kind), f->cell);
		put(ws, row, 5, p->reason, f->wrap);
	}
	worksheet_autofilter(ws, 0, 0, row > 1 ? row - 1 : 1, 5);
	worksheet_freeze_panes(ws, 1, 0);
	page_setup(ws, true, 0, 0);
}

/*
 * The county summary table of the notice (附件2 / 附件4): title, the
 * 填报单位 line, the header row verbatim, one row per on-time dossier of the
 * program (late ones are 不予受理), the note.  Columns the campaign marks in
 * summary_fill come from the ledger; the rest stay blank for staff.  The
 * recommending county of each row is in a cell comment, outside the layout.
 */
static void sheet_annex(lxw_workbook *wb, const struct report *r, int program, const struct fmts *f)
{
	const struct campaign *c = r->c;
	const struct campaign_program *pr = &c->programs[program];
	lxw_col_t ncol = (lxw_col_t)pr->summary_columns.n;
	char name[512], buf[512];
	lxw_worksheet *ws;
	lxw_row_t row = 0;
	unsigned seq = 0;

	/* Sheet names: at most 31 characters, none of []:*?/\ */
	snprintf(name, sizeof(name), "%s %s", pr->summary_annex, report_program_short(c, program));
	if (pr->summary_title) {
		char full[256];
		snprintf(full, sizeof(full), "%s %s", pr->summary_annex, pr->summary_title);
		if (workbook_validate_sheet_name(wb, full) == LXW_NO_ERROR)
			snprintf(name, sizeof(name), "%s", full);
	}
	ws = workbook_add_worksheet(wb, name);
	if (!ws)
		return;
	if (pr->summary_title) {
		if (ncol > 1)
			worksheet_merge_range(ws, row, 0, row, ncol - 1, "", f->title);
		put(ws, row, 0, pr->summary_title, f->title);
		worksheet_set_row(ws, row, 28, NULL);
		row++;
	}
	if (pr->summary_unit)
		put(ws, row++, 0, pr->summary_unit, f->plain);
	lxw_row_t head = row;
	for (lxw_col_t k = 0; k < ncol; k++) {
		const char *h = pr->summary_columns.v[k];
		size_t w = report_width(h);
		put(ws, row, k, h, f->head);
		worksheet_set_column(ws, k, k, w < 8 ? 8 : w > 40 ? 22 : (double)w * 0.6 + 4, NULL);
	}
	worksheet_set_row(ws, row, 48, NULL);
	row++;
	for (size_t i = 0; i < r->ndossiers; i++) {
		const struct report_dossier *d = &r->dossiers[i];
		if (d->program != program || d->late)
			continue;
		seq++;
		for (lxw_col_t k = 0; k < ncol; k++) {
			const char *src = campaign_summary_source(pr, k);
			if (!src) {
				worksheet_write_blank(ws, row, k, f->wrap);
			} else if (strcmp(src, "seq") == 0) {
				worksheet_write_number(ws, row, k, seq, f->num);
			} else if (strcmp(src, "applicant") == 0) {
				put(ws, row, k, d->applicant, f->wrap);
				snprintf(buf, sizeof(buf), "推荐单位：%s；台账编号 #%lld%s",
				         report_county_name(c, d->county), d->id,
				         d->complete ? "" : "；材料不全");
				char *cl = report_clean(buf);
				if (cl)
					worksheet_write_comment(ws, row, k, cl);
				free(cl);
			} else if (strcmp(src, "county") == 0) {
				put(ws, row, k, report_county_name(c, d->county), f->wrap);
			} else if (strcmp(src, "credit_code") == 0) {
				put(ws, row, k, d->credit_code, f->wrap);
			}
		}
		row++;
	}
	if (pr->summary_note)
		put(ws, row + 1, 0, pr->summary_note, f->plain);
	page_setup(ws, ncol > 6, head, head);
}

int xlsx_report_write(const struct report *r, const char *path, char *err, size_t errlen)
{
	lxw_workbook *wb = workbook_new(path);
	struct fmts f;
	lxw_error e;

	if (!wb) {
		snprintf(err, errlen, "%s: cannot create the workbook", path);
		return -1;
	}
	make_formats(wb, &f);
	sheet_summary(wb, r, &f);
	sheet_dossiers(wb, r, &f);
	sheet_problems(wb, r, &f);
	for (size_t p = 0; p < r->c->nprograms; p++)
		if (r->c->programs[p].summary_columns.n > 0)
			sheet_annex(wb, r, (int)p, &f);
	e = workbook_close(wb);
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "%s: %s", path, lxw_strerror(e));
		return -1;
	}
	return 0;
}

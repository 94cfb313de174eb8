#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->ndossiers; i++) {
		struct report_dossier *d = &r->dossiers[i];
		free(d->applicant);
		free(d->credit_code);
		free(d->elig_text);
		free(d->elig_unknown_text);
		for (size_t k = 0; k < d->nmissing; k++)
			free(d->missing[k]);
		free(d->missing);
	}
	for (size_t i = 0; i < r->ncounties; i++) {
		for (size_t k = 0; k < r->counties[i].ncounty_missing; k++)
			free(r->counties[i].county_missing[k]);
		free(r->counties[i].county_missing);
	}
	for (size_t i = 0; i < r->nproblems; i++) {
		free(r->problems[i].kind);
		free(r->problems[i].reason);
	}
	free(r->dossiers);
	free(r->counties);
	free(r->problems);
	memset(r, 0, sizeof(*r));
}

/* ---- days in the campaign's zone (a fixed offset: Asia/Shanghai has had
 * no daylight saving since 1991) ---- */

void report_day_of(const struct campaign *c, time_t t, int *y, int *m, int *d)
{
	time_t local = t + (time_t)c->tz_offset_min * 60;
	struct tm tm;

	gmtime_r(&local, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

time_t report_day_start(const struct campaign *c, int y, int m, int d)
{
	struct tm tm;
	time_t t;

	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	if (tm.tm_mday != d)   /* 2023-02-30 */
		return -1;
	return t - (time_t)c->tz_offset_min * 60;
}

/* ---- UTF-8, display width, neutralising ---- */

/* Decode one code point; returns its length, 0 for an invalid sequence. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return *cp >= 0x80 ? 2 : 0;
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return *cp >= 0x800 && (*cp < 0xD800 || *cp > 0xDFFF) ? 3 : 0;
	}
	if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		      ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return *cp >= 0x10000 && *cp <= 0x10FFFF ? 4 : 0;
	}
	return 0;
}

/*
 * East Asian Width W and F (Unicode 15, UAX #11), the ranges Chinese text
 * uses: Hangul Jamo, CJK radicals to CJK symbols and punctuation, kana,
 * CJK compatibility, extension A, unified ideographs, Yi, Hangul
 * syllables, compatibility ideographs, vertical and small forms,
 * fullwidth forms, emoji, and the supplementary ideographic planes.
 */
static const struct { uint32_t lo, hi; } wide[] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
	{ 0x2E80, 0x303E }, { 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF },
	{ 0xA000, 0xA4CF }, { 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF },
	{ 0xFE10, 0xFE19 }, { 0xFE30, 0xFE6F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 },
	{ 0x1F300, 0x1F64F }, { 0x1F900, 0x1F9FF }, { 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
};

static unsigned cp_width(uint32_t cp)
{
	if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
	    (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF)
		return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i].lo && cp <= wide[i].hi)
			return 2;
	return 1;
}

size_t report_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t w = 0;

	while (s && *s) {
		uint32_t cp;
		size_t n = utf8_next(s, &cp);
		if (n == 0) {
			w++;     /* shown as U+FFFD */
			s++;
			continue;
		}
		w += cp_width(cp);
		s += n;
	}
	return w;
}

static bool cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

char *report_clean(const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t len = strlen((const char *)s), o = 0;
	char *out = malloc(len * 3 + 1);   /* UNSAFE: each byte becomes at most 3 */

	if (!out)
		return NULL;
	while (*s) {
		uint32_t cp;
		size_t n = utf8_next(s, &cp);
		if (n == 0 || cp_unsafe(cp)) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			s += n ? n : 1;
			continue;
		}
		memcpy(out + o, s, n);
		o += n;
		s += n;
	}
	out[o] = '\0';
	return out;
}

/* ---- campaign wording ---- */

void report_item_label(const struct campaign *c, const char *id, bool full, char *buf, size_t size)
{
	const struct campaign_item *it = campaign_item_by_id(c, id);

	if (!it)
		snprintf(buf, size, "%s", id);
	else if (it->number > 0)
		snprintf(buf, size, "%u.%s", it->number, full ? it->title : it->short_title);
	else
		snprintf(buf, size, "%s", full ? it->title : it->short_title);
}

const char *report_problem_zh(const char *kind)
{
	static const struct { const char *kind, *zh; } t[] = {
		{ "mime-unparseable", "邮件无法读取" }, { "mime-limit", "邮件结构超限" },
		{ "name-undecodable", "文件名乱码" }, { "part-decode", "附件解码失败" },
		{ "archive-encrypted", "压缩包加密" }, { "archive-corrupt", "压缩包损坏" },
		{ "archive-unsupported", "压缩格式不支持" }, { "archive-depth", "压缩包嵌套过深" },
		{ "archive-bomb", "疑似压缩炸弹" }, { "path-refused", "路径越界" },
		{ "link-refused", "链接文件" }, { "special-refused", "特殊文件" },
		{ "executable", "可执行程序" }, { "type-mismatch", "扩展名不符" },
		{ "unrecognised", "文件未归类" }, { "empty-file", "空文件" },
		{ "big-attachment-link", "超大附件链接" }, { "unknown-county", "县区未识别" },
		{ "unknown-program", "类别未识别" }, { "unknown-applicant", "单位未识别" },
		{ "no-attachment", "无附件" }, { "worker-crashed", "解析进程崩溃" },
		{ "worker-limit", "解析超时或超限" }, { "worker-protocol", "解析进程异常" },
		{ "duplicate-file", "重复文件" }, { "duplicate-unit", "重复申报" },
		{ "eligibility", "不符合申报条件" }, { "sender-unverified", "发件人未登记" },
	};

	for (size_t i = 0; kind && i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].kind, kind) == 0)
			return t[i].zh;
	return kind ? kind : "";
}

const char *report_program_short(const struct campaign *c, int program)
{
	const char *t;
	size_t n;

	if (program < 0 || (size_t)program >= c->nprograms)
		return "类别未定";
	/* The last two characters of the title: 基地, 机构. */
	t = c->programs[program].title;
	n = strlen(t);
	if (n >= 6 && ((unsigned char)t[n - 6] & 0xF0) == 0xE0 && ((unsigned char)t[n - 3] & 0xF0) == 0xE0)
		return t + n - 6;
	return t;
}

const char *report_county_name(const struct campaign *c, int county)
{
	if (county < 0 || (size_t)county >= c->ncounties)
		return "县区未识别";
	return c->counties[county].name;
}

/* ---- shared arithmetic ---- */

/* Sums over all counties (county_missing unused); returns how many
 * counties sent nothing. */
static size_t add_totals(const struct report *r, struct report_county *t)
{
	size_t silent = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < r->ncounties; i++) {
		const struct report_county *k = &r->counties[i];
		t->msgs_today += k->msgs_today;
		t->msgs += k->msgs;
		for (size_t p = 0; p < CAMPAIGN_MAX_PROGRAMS; p++)
			t->dossiers[p] += k->dossiers[p];
		t->unknown_program += k->unknown_program;
		t->new_today += k->new_today;
		t->complete += k->complete;
		t->incomplete += k->incomplete;
		t->late += k->late;
		t->problems_today += k->problems_today;
		t->problems += k->problems;
		if (i < r->c->ncounties && k->msgs == 0)
			silent++;
	}
	return silent;
}

/* Name of row i of the county table; NULL when it is not shown (the
 * "county unknown" row when no message went there). */
static const char *county_row_name(const struct report *r, size_t i)
{
	if (i < r->c->ncounties)
		return report_county_name(r->c, (int)i);
	return r->counties[i].msgs ? report_county_name(r->c, -1) : NULL;
}

#define COUNTY_VALUES_MAX (CAMPAIGN_MAX_PROGRAMS + 8)

/*
 * The numbers of a county row (or of the totals) in column order: letters
 * today and to date, dossiers per program, [new today,] complete,
 * incomplete, late, [problems today,] problems.  detail adds the bracketed
 * columns (CSV).  Returns how many; v holds COUNTY_VALUES_MAX.
 */
static size_t county_values(const struct campaign *c, const struct report_county *k, bool detail,
                            unsigned *v)
{
	size_t n = 0;

	v[n++] = k->msgs_today;
	v[n++] = k->msgs;
	for (size_t p = 0; p < c->nprograms; p++)
		v[n++] = k->dossiers[p];
	if (detail)
		v[n++] = k->new_today;
	v[n++] = k->complete;
	v[n++] = k->incomplete;
	v[n++] = k->late;
	if (detail)
		v[n++] = k->problems_today;
	v[n++] = k->problems;
	return n;
}

/* Dossiers received late, and on time but incomplete. */
static void count_late(const struct report *r, size_t *nlate, size_t *nincomplete)
{
	*nlate = *nincomplete = 0;
	for (size_t i = 0; i < r->ndossiers; i++) {
		if (r->dossiers[i].late)
			(*nlate)++;
		else if (!r->dossiers[i].complete)
			(*nincomplete)++;
	}
}

static size_t count_today_problems(const struct report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nproblems; i++)
		n += r->problems[i].today;
	return n;
}

/* End of the run of problems from i on with i's message and kind: they are
 * shown as one line (an encrypted zip is one problem per entry). */
static size_t problem_run_end(const struct report *r, size_t i)
{
	const struct report_problem *p = &r->problems[i];
	size_t j = i + 1;

	while (j < r->nproblems && r->problems[j].message == p->message &&
	       strcmp(r->problems[j].kind, p->kind) == 0)
		j++;
	return j;
}

static const char *const weekday_zh[] = { "日", "一", "二", "三", "四", "五", "六" };

static int weekday(const struct report *r)
{
	time_t mid = r->day_start + 43200;
	struct tm tm;

	gmtime_r(&mid, &tm);
	return tm.tm_wday;
}

/* "还有 4 天" / "今天截止" / "已截止 2 天" */
void report_days_left_text(const struct report *r, char *buf, size_t size)
{
	if (r->days_left > 0)
		snprintf(buf, size, "还有 %ld 天", r->days_left);
	else if (r->days_left == 0)
		snprintf(buf, size, "今天截止");
	else
		snprintf(buf, size, "已截止 %ld 天", -r->days_left);
}

void report_deadline_text(const struct report *r, char *buf, size_t size)
{
	time_t local = r->c->deadline + (time_t)r->c->tz_offset_min * 60;
	struct tm tm;

	gmtime_r(&local, &tm);
	snprintf(buf, size, "%d年%d月%d日 %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min);
}

void report_local_time_text(const struct report *r, time_t t, char *buf, size_t size)
{
	time_t local = t + (time_t)r->c->tz_offset_min * 60;
	struct tm tm;

	gmtime_r(&local, &tm);
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min);
}

/* Missing items of a dossier, joined with sep. */
void report_missing_text(const struct report *r, const struct report_dossier *d, bool full,
                         const char *sep, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	if (d->program < 0) {
		snprintf(buf, size, "申报类别未能识别，无法核对目录");
		return;
	}
	for (size_t k = 0; k < d->nmissing && o < size; k++) {
		char label[1024];
		report_item_label(r->c, d->missing[k], full, label, sizeof(label));
		o += (size_t)snprintf(buf + o, size - o, "%s%s", k ? sep : "", label);
	}
}

void report_county_missing_text(const struct report *r, const struct report_county *k,
                                char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	if (k->msgs == 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (k->ncounty_missing == 0) {
		snprintf(buf, size, "齐全");
		return;
	}
	o = (size_t)snprintf(buf, size, "缺");
	for (size_t m = 0; m < k->ncounty_missing && o < size; m++) {
		char label[256];
		report_item_label(r->c, k->county_missing[m], false, label, sizeof(label));
		o += (size_t)snprintf(buf + o, size - o, "%s%s", m ? "、" : "", label);
	}
}

static const char *dossier_status(const struct report_dossier *d)
{
	if (d->late)
		return "逾期";
	return d->complete ? "材料齐全" : "材料不全";
}

/* ---- text ---- */

/* s, cleaned, padded with spaces to `cols` display columns (left or right). */
static void put_cell(FILE *out, const char *s, size_t cols, bool right)
{
	char *c = report_clean(s);
	size_t w = report_width(c ? c : "");

	if (right)
		for (size_t i = w; i < cols; i++)
			fputc(' ', out);
	fputs(c ? c : "", out);
	if (!right)
		for (size_t i = w; i < cols; i++)
			fputc(' ', out);
	free(c);
}

static void put_clean(FILE *out, const char *s)
{
	char *c = report_clean(s);

	fputs(c ? c : "", out);
	free(c);
}

static void text_header(const struct report *r, FILE *out)
{
	const struct campaign *c = r->c;
	char dl[64], left[64], gen[80];

	report_deadline_text(r, dl, sizeof(dl));
	report_days_left_text(r, left, sizeof(left));
	report_local_time_text(r, r->generated, gen, sizeof(gen));
	fprintf(out, "%s%s 申报材料接收日报\n", c->issuer, c->office);
	fprintf(out, "%s（%s）\n", c->title, c->notice_ref);
	fprintf(out, "报告日期：%d年%d月%d日（星期%s），统计至当日 24:00（北京时间）\n",
	        r->year, r->month, r->day, weekday_zh[weekday(r)]);
	fprintf(out, "申报截止：%s（北京时间），%s\n", dl, left);
	fprintf(out, "生成时间：%s\n\n", gen);
}

/* The 编号, county, program and applicant columns of a dossier's line. */
static void text_dossier_cells(FILE *out, const struct campaign *c, const struct report_dossier *d,
                               size_t wc, size_t wa)
{
	char id[32];

	snprintf(id, sizeof(id), "#%lld", d->id);
	put_cell(out, id, 6, false);
	put_cell(out, report_county_name(c, d->county), wc + 2, false);
	put_cell(out, report_program_short(c, d->program), 10, false);
	put_cell(out, d->applicant, wa + 2, false);
}

/* A row of the county table: name, the numbers, and last (NULL for none). */
static void text_county_row(FILE *out, const struct campaign *c, const char *name, size_t wname,
                            const struct report_county *k, const char *last)
{
	unsigned v[COUNTY_VALUES_MAX];
	size_t n = county_values(c, k, false, v);

	put_cell(out, name, wname, false);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %*u", i < 2 ? 8 : 4, v[i]);
	if (last)
		fprintf(out, "  %s", last);
	fputc('\n', out);
}

static void text_extra(const struct report *r, FILE *out);

int report_text(const struct report *r, FILE *out)
{
	const struct campaign *c = r->c;
	static const char *const head[] = { "县市区、园区", "今日来信", "累计来信", NULL };
	static const char *const tail[] = { "齐全", "不全", "逾期", "问题", "县级材料" };
	size_t wname = report_width(head[0]), ncols, nincomplete, nlate, ntoday_p, silent;
	struct report_county t;
	char buf[4096];

	silent = add_totals(r, &t);
	for (size_t i = 0; i < r->ncounties; i++)
		if (report_width(report_county_name(c, i < c->ncounties ? (int)i : -1)) > wname)
			wname = report_width(report_county_name(c, i < c->ncounties ? (int)i : -1));
	text_header(r, out);

	fputs("一、各县市区、园区报送情况（单位：封、个；问题为累计）\n", out);
	put_cell(out, head[0], wname, false);
	fputs("  今日来信  累计来信", out);
	for (size_t p = 0; p < c->nprograms; p++) {
		fputs("  ", out);
		put_cell(out, report_program_short(c, (int)p), 4, true);
	}
	for (size_t k = 0; k < 4; k++) {
		fputs("  ", out);
		put_cell(out, tail[k], 4, true);
	}
	fprintf(out, "  %s\n", tail[4]);
	ncols = wname + 20 + (c->nprograms + 4) * 6 + 10;
	for (size_t i = 0; i < ncols; i++)
		fputc('-', out);
	fputc('\n', out);
	for (size_t i = 0; i < r->ncounties; i++) {
		const char *name = county_row_name(r, i);
		if (!name)
			continue;
		report_county_missing_text(r, &r->counties[i], buf, sizeof(buf));
		text_county_row(out, c, name, wname, &r->counties[i], buf);
	}
	for (size_t i = 0; i < ncols; i++)
		fputc('-', out);
	fputc('\n', out);
	text_county_row(out, c, "合计", wname, &t, NULL);
	fputc('\n', out);
	fprintf(out, "今日收到申报邮件 %u 封，新增申报单位 %u 个；累计申报邮件 %u 封，申报单位 %zu 个",
	        t.msgs_today, t.new_today, t.msgs, r->ndossiers);
	if (t.unknown_program)
		fprintf(out, "（其中类别未识别 %u 个）", t.unknown_program);
	fputs("。\n", out);
	if (r->other_msgs)
		fprintf(out, "另收到非申报邮件 %u 封（今日 %u 封；自动回复、退信等），不计入以上统计。\n",
		        r->other_msgs, r->other_msgs_today);
	fprintf(out, "尚未报送（%zu 个）：", silent);
	for (size_t i = 0, n = 0; i < c->ncounties; i++)
		if (r->counties[i].msgs == 0)
			fprintf(out, "%s%s", n++ ? "、" : "", c->counties[i].name);
	fputs(silent ? "\n\n" : "无\n\n", out);

	count_late(r, &nlate, &nincomplete);
	fprintf(out, "二、材料不全的申报单位（%zu 个）\n", nincomplete);
	{
		size_t wc = report_width("县市区、园区"), wa = report_width("申报单位");
		for (size_t i = 0; i < r->ndossiers; i++) {
			const struct report_dossier *d = &r->dossiers[i];
			char *a = report_clean(d->applicant);
			if (report_width(report_county_name(c, d->county)) > wc)
				wc = report_width(report_county_name(c, d->county));
			if (a && report_width(a) > wa)
				wa = report_width(a);
			free(a);
		}
		if (nincomplete) {
			put_cell(out, "编号", 6, false);
			put_cell(out, "县市区、园区", wc + 2, false);
			put_cell(out, "类别", 10, false);
			put_cell(out, "申报单位", wa + 2, false);
			fputs("缺少材料\n", out);
		}
		for (size_t i = 0; i < r->ndossiers; i++) {
			const struct report_dossier *d = &r->dossiers[i];
			if (d->late || d->complete)
				continue;
			text_dossier_cells(out, c, d, wc, wa);
			report_missing_text(r, d, false, "、", buf, sizeof(buf));
			fprintf(out, "%s%s\n", buf, d->today ? "（今日新增）" : "");
		}
		if (!nincomplete)
			fputs("无\n", out);
		fputc('\n', out);

		fprintf(out, "三、逾期报送的申报单位（%zu 个，过期不予受理）\n", nlate);
		for (size_t i = 0; i < r->ndossiers; i++) {
			const struct report_dossier *d = &r->dossiers[i];
			char when[80];
			if (!d->late)
				continue;
			report_local_time_text(r, d->first_received, when, sizeof(when));
			text_dossier_cells(out, c, d, wc, wa);
			fprintf(out, "收到于 %s\n", when);
		}
		if (!nlate)
			fputs("无\n", out);
		fputc('\n', out);
	}

	ntoday_p = count_today_problems(r);
	fprintf(out, "四、今日来信中的问题（%zu 项）\n", ntoday_p);
	for (size_t i = 0; i < r->nproblems;) {
		const struct report_problem *p = &r->problems[i];
		size_t j = problem_run_end(r, i);
		if (p->today) {
			fprintf(out, "来信#%lld %s【%s】", p->message, report_county_name(c, p->county),
			        report_problem_zh(p->kind));
			put_clean(out, p->reason);
			if (j - i > 1)
				fprintf(out, "（同类共 %zu 项）", j - i);
			fputc('\n', out);
		}
		i = j;
	}
	if (!ntoday_p)
		fputs("无\n", out);
	text_extra(r, out);
	return ferror(out) ? -1 : 0;
}

/* ---- 资格初审 and 重复申报, shared by the renderings ---- */

void report_elig_text(const struct report_dossier *d, char *buf, size_t size)
{
	/* Undecided conditions are listed when few; many mean the form's
	 * values could not be read at all, which one phrase says better. */
	const unsigned few = 2;
	size_t o = 0;

	buf[0] = '\0';
	if (!d->elig_checked) {
		snprintf(buf, size, "未读取到申请表数值");
		return;
	}
	if (d->elig_fail == 0 && d->elig_unknown == 0) {
		snprintf(buf, size, "符合");
		return;
	}
	if (d->elig_fail > 0) {
		snprintf(buf, size, "%u 项不符：%s", d->elig_fail, d->elig_text ? d->elig_text : "");
		o = strlen(buf);
	}
	if (d->elig_unknown > 0 && o < size) {
		if (d->elig_unknown <= few && d->elig_unknown_text)
			snprintf(buf + o, size - o, "%s%u 项无法判断：%s", o ? "；另 " : "", d->elig_unknown,
			         d->elig_unknown_text);
		else
			snprintf(buf + o, size - o, "%s%u 项无法判断（未能从申请表读出相应数值，请人工核对）",
			         o ? "；另 " : "", d->elig_unknown);
	}
}

static bool elig_flagged(const struct report_dossier *d)
{
	return d->elig_checked && (d->elig_fail > 0 || d->elig_unknown > 0);
}

size_t report_dup_next(const struct report *r, size_t i)
{
	const char *code = r->dossiers[i].credit_code;

	if (!code || !*code)
		return r->ndossiers;
	for (size_t j = i + 1; j < r->ndossiers; j++)
		if (r->dossiers[j].credit_code && strcmp(r->dossiers[j].credit_code, code) == 0)
			return j;
	return r->ndossiers;
}

bool report_dup_first(const struct report *r, size_t i)
{
	const char *code = r->dossiers[i].credit_code;

	if (!code || !*code || report_dup_next(r, i) == r->ndossiers)
		return false;
	for (size_t j = 0; j < i; j++)
		if (r->dossiers[j].credit_code && strcmp(r->dossiers[j].credit_code, code) == 0)
			return false;
	return true;
}

static size_t count_flagged(const struct report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ndossiers; i++)
		n += elig_flagged(&r->dossiers[i]);
	return n;
}

static size_t count_dups(const struct report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ndossiers; i++)
		n += report_dup_first(r, i);
	return n;
}

static void text_extra(const struct report *r, FILE *out)
{
	const struct campaign *c = r->c;
	char buf[4096], id[32];
	size_t n = count_flagged(r), nd = count_dups(r);

	fprintf(out, "\n五、资格初审（仅供参考，按申请表所填数值与通知条件比对；%zu 个单位有不符或无法判断的条件）\n", n);
	for (size_t i = 0; i < r->ndossiers; i++) {
		const struct report_dossier *d = &r->dossiers[i];
		if (!elig_flagged(d))
			continue;
		snprintf(id, sizeof(id), "#%lld", d->id);
		put_cell(out, id, 6, false);
		put_cell(out, report_county_name(c, d->county), report_width(report_county_name(c, d->county)) + 2, false);
		put_clean(out, d->applicant);
		report_elig_text(d, buf, sizeof(buf));
		fputs("：", out);
		put_clean(out, buf);
		fputc('\n', out);
	}
	if (!n)
		fputs("无\n", out);
	fprintf(out, "\n六、重复申报（同一统一社会信用代码，%zu 组）\n", nd);
	for (size_t i = 0; i < r->ndossiers; i++) {
		if (!report_dup_first(r, i))
			continue;
		put_clean(out, r->dossiers[i].credit_code);
		fputs("：", out);
		for (size_t j = i, k = 0; j < r->ndossiers; j = report_dup_next(r, j), k++) {
			const struct report_dossier *d = &r->dossiers[j];
			fprintf(out, "%s#%lld %s %s ", k ? "；" : "", d->id, report_county_name(c, d->county),
			        report_program_short(c, d->program));
			put_clean(out, d->applicant);
		}
		fputc('\n', out);
	}
	if (!nd)
		fputs("无\n", out);
}

/* ---- CSV (RFC 4180, UTF-8 with BOM so that Excel and WPS read it) ---- */

/* A text cell that Excel or WPS would take for a formula (=, +, -, @ not
 * followed by a digit) gets a leading apostrophe: applicant names and
 * reasons quote names from the mailbox (CSV injection). */
static bool formula_like(const char *v)
{
	if (*v == '=' || *v == '+' || *v == '@')
		return true;
	return *v == '-' && !(v[1] >= '0' && v[1] <= '9');
}

static void csv_field(FILE *out, const char *s, bool first)
{
	char *c = s ? report_clean(s) : NULL;
	const char *v = c ? c : "";
	bool formula = formula_like(v);

	if (!first)
		fputc(',', out);
	if (formula || strpbrk(v, ",\"\r\n")) {
		fputc('"', out);
		if (formula)
			fputc('\'', out);
		for (const char *q = v; *q; q++) {
			if (*q == '"')
				fputc('"', out);
			fputc(*q, out);
		}
		fputc('"', out);
	} else {
		fputs(v, out);
	}
	free(c);
}

static void csv_uint(FILE *out, unsigned v)
{
	fprintf(out, ",%u", v);
}

static void csv_end(FILE *out)
{
	fputs("\r\n", out);
}

/* A header row of fixed cells (first = starts the row). */
static void csv_cells(FILE *out, const char *const *cells, size_t n, bool first)
{
	for (size_t i = 0; i < n; i++)
		csv_field(out, cells[i], first && i == 0);
}
#define CSV_CELLS(out, first, ...) \
	do { \
		static const char *const cells_[] = { __VA_ARGS__ }; \
		csv_cells(out, cells_, sizeof(cells_) / sizeof(cells_[0]), first); \
	} while (0)

/* The 编号, county, program and applicant cells of a dossier. */
static void csv_dossier_cells(FILE *out, const struct campaign *c, const struct report_dossier *d,
                              bool first)
{
	char id[32];

	snprintf(id, sizeof(id), "%lld", d->id);
	csv_field(out, id, first);
	csv_field(out, report_county_name(c, d->county), false);
	csv_field(out, report_program_short(c, d->program), false);
	csv_field(out, d->applicant, false);
}

/* A row of the county table: name, the numbers in detail, last. */
static void csv_county_row(FILE *out, const struct campaign *c, const char *name,
                           const struct report_county *k, const char *last)
{
	unsigned v[COUNTY_VALUES_MAX];
	size_t n = county_values(c, k, true, v);

	csv_field(out, name, true);
	for (size_t i = 0; i < n; i++)
		csv_uint(out, v[i]);
	csv_field(out, last, false);
	csv_end(out);
}

int report_csv(const struct report *r, FILE *out)
{
	const struct campaign *c = r->c;
	struct report_county t;
	char buf[8192], date[32], left[64];

	add_totals(r, &t);
	fputs("\xEF\xBB\xBF", out);
	snprintf(date, sizeof(date), "%04d-%02d-%02d", r->year, r->month, r->day);
	report_days_left_text(r, left, sizeof(left));
	snprintf(buf, sizeof(buf), "%s%s申报材料接收日报", c->issuer, c->office);
	csv_field(out, buf, true);
	csv_field(out, date, false);
	csv_field(out, left, false);
	csv_end(out);
	csv_end(out);

	CSV_CELLS(out, true, "县市区、园区", "今日来信", "累计来信");
	for (size_t p = 0; p < c->nprograms; p++) {
		snprintf(buf, sizeof(buf), "%s（个）", report_program_short(c, (int)p));
		csv_field(out, buf, false);
	}
	CSV_CELLS(out, false, "今日新增单位", "材料齐全", "材料不全", "逾期", "今日问题", "累计问题",
	          "县级材料");
	csv_end(out);
	for (size_t i = 0; i < r->ncounties; i++) {
		const char *name = county_row_name(r, i);
		if (!name)
			continue;
		report_county_missing_text(r, &r->counties[i], buf, sizeof(buf));
		csv_county_row(out, c, name, &r->counties[i],
		               r->counties[i].msgs ? buf : "尚未报送");
	}
	csv_county_row(out, c, "合计", &t, "");
	csv_end(out);

	CSV_CELLS(out, true, "编号", "县市区、园区", "类别", "申报单位", "首次收到", "今日新增", "状态",
	          "缺少材料", "纸质材料");
	csv_end(out);
	for (size_t i = 0; i < r->ndossiers; i++) {
		const struct report_dossier *d = &r->dossiers[i];
		char when[80];
		report_local_time_text(r, d->first_received, when, sizeof(when));
		csv_dossier_cells(out, c, d, true);
		csv_field(out, when, false);
		csv_field(out, d->today ? "是" : "", false);
		csv_field(out, dossier_status(d), false);
		report_missing_text(r, d, true, "；", buf, sizeof(buf));
		csv_field(out, d->complete ? "" : buf, false);
		csv_field(out, d->paper ? "已收" : "未收", false);
		csv_end(out);
	}
	csv_end(out);

	CSV_CELLS(out, true, "来信编号", "县市区、园区", "收到时间", "今日", "问题类型", "说明");
	csv_end(out);
	for (size_t i = 0; i < r->nproblems; i++) {
		const struct report_problem *p = &r->problems[i];
		char id[32], when[80];
		snprintf(id, sizeof(id), "%lld", p->message);
		report_local_time_text(r, p->received, when, sizeof(when));
		csv_field(out, id, true);
		csv_field(out, report_county_name(c, p->county), false);
		csv_field(out, when, false);
		csv_field(out, p->today ? "是" : "", false);
		csv_field(out, report_problem_zh(p->kind), false);
		csv_field(out, p->reason, false);
		csv_end(out);
	}
	csv_end(out);

	CSV_CELLS(out, true, "资格初审编号", "县市区、园区", "类别", "申报单位", "资格初审（仅供参考）");
	csv_end(out);
	for (size_t i = 0; i < r->ndossiers; i++) {
		const struct report_dossier *d = &r->dossiers[i];
		if (!elig_flagged(d))
			continue;
		report_elig_text(d, buf, sizeof(buf));
		csv_dossier_cells(out, c, d, true);
		csv_field(out, buf, false);
		csv_end(out);
	}
	csv_end(out);

	CSV_CELLS(out, true, "重复申报代码", "申报单位编号", "县市区、园区", "类别", "申报单位");
	csv_end(out);
	for (size_t i = 0; i < r->ndossiers; i++) {
		if (!report_dup_first(r, i))
			continue;
		for (size_t j = i; j < r->ndossiers; j = report_dup_next(r, j)) {
			const struct report_dossier *d = &r->dossiers[j];
			csv_field(out, d->credit_code, true);
			csv_dossier_cells(out, c, d, false);
			csv_end(out);
		}
	}
	return ferror(out) ? -1 : 0;
}

/* ---- HTML: one file, no external assets, printable on A4 ---- */

static void html_text(FILE *out, const char *s)
{
	char *c = report_clean(s);

	for (const char *q = c ? c : ""; *q; q++) {
		switch (*q) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*q, out);
		}
	}
	free(c);
}

static void html_td(FILE *out, const char *s, const char *cls)
{
	if (cls)
		fprintf(out, "<td class=\"%s\">", cls);
	else
		fputs("<td>", out);
	html_text(out, s);
	fputs("</td>", out);
}

static void html_num(FILE *out, unsigned v)
{
	fprintf(out, "<td class=\"n\">%u</td>", v);
}

static const char html_style[] =
	"@page { size: A4; margin: 14mm 12mm; }\n"
	"html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	"body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"Microsoft YaHei\", "
	"\"PingFang SC\", \"WenQuanYi Micro Hei\", \"SimSun\", \"Songti SC\", sans-serif; "
	"font-size: 10.5pt; color: #000; margin: 0; }\n"
	"h1 { font-size: 16pt; text-align: center; margin: 0 0 4pt; }\n"
	"h2 { font-size: 12pt; margin: 12pt 0 4pt; break-after: avoid; }\n"
	".meta { text-align: center; margin: 0 0 2pt; }\n"
	"table { border-collapse: collapse; width: 100%; margin: 4pt 0; }\n"
	"th, td { border: 0.6pt solid #444; padding: 2pt 4pt; vertical-align: top; }\n"
	"th { background: #e8e8e8; font-weight: bold; }\n"
	"thead { display: table-header-group; }\n"
	"tr { break-inside: avoid; }\n"
	"td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"
	"tr.sum td { font-weight: bold; border-top: 1.2pt solid #000; }\n"
	".late { color: #a00; }\n"
	"p { margin: 3pt 0; }\n";

/* A section's table with its header cells (th), or 无 when it has no rows;
 * true when the rows and html_table_end() are to follow. */
static bool html_table_start(FILE *out, size_t nrows, const char *th)
{
	if (nrows == 0) {
		fputs("<p>无</p>\n", out);
		return false;
	}
	fprintf(out, "<table>\n<thead><tr>%s</tr></thead>\n<tbody>\n", th);
	return true;
}

static void html_table_end(FILE *out)
{
	fputs("</tbody>\n</table>\n", out);
}

/* The 编号, county, program and applicant cells of a dossier. */
static void html_dossier_cells(FILE *out, const struct campaign *c, const struct report_dossier *d)
{
	fprintf(out, "<td>#%lld</td>", d->id);
	html_td(out, report_county_name(c, d->county), NULL);
	html_td(out, report_program_short(c, d->program), NULL);
	html_td(out, d->applicant, NULL);
}

/* A dossier's row opened by tr: its cells, then last. */
static void html_dossier_row(FILE *out, const struct campaign *c, const char *tr,
                             const struct report_dossier *d, const char *last)
{
	fputs(tr, out);
	html_dossier_cells(out, c, d);
	html_td(out, last, NULL);
	fputs("</tr>\n", out);
}

/* A row of the county table opened by tr: name, the numbers, last. */
static void html_county_row(FILE *out, const struct campaign *c, const char *tr, const char *name,
                            const struct report_county *k, const char *last)
{
	unsigned v[COUNTY_VALUES_MAX];
	size_t n = county_values(c, k, false, v);

	fputs(tr, out);
	html_td(out, name, NULL);
	for (size_t i = 0; i < n; i++)
		html_num(out, v[i]);
	html_td(out, last, NULL);
	fputs("</tr>\n", out);
}

int report_html(const struct report *r, FILE *out)
{
	const struct campaign *c = r->c;
	struct report_county t;
	char buf[8192], dl[64], left[64], gen[80];
	size_t nincomplete, nlate, ntoday_p, silent;

	silent = add_totals(r, &t);
	report_deadline_text(r, dl, sizeof(dl));
	report_days_left_text(r, left, sizeof(left));
	report_local_time_text(r, r->generated, gen, sizeof(gen));
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n", out);
	fputs("<title>", out);
	snprintf(buf, sizeof(buf), "申报材料接收日报 %04d-%02d-%02d", r->year, r->month, r->day);
	html_text(out, buf);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_style);
	fputs("<h1>", out);
	html_text(out, c->issuer);
	html_text(out, c->office);
	fputs(" 申报材料接收日报</h1>\n<p class=\"meta\">", out);
	html_text(out, c->title);
	fputs("（", out);
	html_text(out, c->notice_ref);
	fprintf(out, "）</p>\n<p class=\"meta\">报告日期：%d年%d月%d日（星期%s），统计至当日 24:00（北京时间）"
	        "　申报截止：%s，<b>%s</b>　生成时间：%s</p>\n",
	        r->year, r->month, r->day, weekday_zh[weekday(r)], dl, left, gen);

	fputs("<h2>一、各县市区、园区报送情况</h2>\n<table>\n<thead><tr><th>县市区、园区</th>"
	      "<th>今日来信</th><th>累计来信</th>", out);
	for (size_t p = 0; p < c->nprograms; p++) {
		fputs("<th>", out);
		html_text(out, report_program_short(c, (int)p));
		fputs("</th>", out);
	}
	fputs("<th>材料齐全</th><th>材料不全</th><th>逾期</th><th>问题（累计）</th><th>县级材料</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < r->ncounties; i++) {
		const char *name = county_row_name(r, i);
		if (!name)
			continue;
		report_county_missing_text(r, &r->counties[i], buf, sizeof(buf));
		html_county_row(out, c, "<tr>", name, &r->counties[i],
		                r->counties[i].msgs ? buf : "尚未报送");
	}
	html_county_row(out, c, "<tr class=\"sum\">", "合计", &t, "");
	html_table_end(out);
	fprintf(out, "<p>今日收到申报邮件 %u 封，新增申报单位 %u 个；累计申报邮件 %u 封，申报单位 %zu 个。",
	        t.msgs_today, t.new_today, t.msgs, r->ndossiers);
	if (r->other_msgs)
		fprintf(out, "另收到非申报邮件 %u 封（自动回复、退信等），不计入统计。", r->other_msgs);
	fprintf(out, "</p>\n<p>尚未报送（%zu 个）：", silent);
	for (size_t i = 0, n = 0; i < c->ncounties; i++)
		if (r->counties[i].msgs == 0) {
			if (n++)
				fputs("、", out);
			html_text(out, c->counties[i].name);
		}
	fputs(silent ? "</p>\n" : "无</p>\n", out);

	count_late(r, &nlate, &nincomplete);
	fprintf(out, "<h2>二、材料不全的申报单位（%zu 个）</h2>\n", nincomplete);
	if (html_table_start(out, nincomplete, "<th>编号</th><th>县市区、园区</th><th>类别</th><th>申报单位</th>"
	                     "<th>缺少材料</th>")) {
		for (size_t i = 0; i < r->ndossiers; i++) {
			const struct report_dossier *d = &r->dossiers[i];
			if (d->late || d->complete)
				continue;
			report_missing_text(r, d, false, "、", buf, sizeof(buf));
			if (d->today)
				strncat(buf, "（今日新增）", sizeof(buf) - strlen(buf) - 1);
			html_dossier_row(out, c, "<tr>", d, buf);
		}
		html_table_end(out);
	}
	fprintf(out, "<h2>三、逾期报送的申报单位（%zu 个，过期不予受理）</h2>\n", nlate);
	if (html_table_start(out, nlate, "<th>编号</th><th>县市区、园区</th><th>类别</th><th>申报单位</th>"
	                     "<th>收到时间</th>")) {
		for (size_t i = 0; i < r->ndossiers; i++) {
			const struct report_dossier *d = &r->dossiers[i];
			char when[80];
			if (!d->late)
				continue;
			report_local_time_text(r, d->first_received, when, sizeof(when));
			html_dossier_row(out, c, "<tr class=\"late\">", d, when);
		}
		html_table_end(out);
	}
	ntoday_p = count_today_problems(r);
	fprintf(out, "<h2>四、今日来信中的问题（%zu 项）</h2>\n", ntoday_p);
	if (html_table_start(out, ntoday_p, "<th>来信</th><th>县市区、园区</th><th>问题</th><th>说明</th>")) {
		for (size_t i = 0; i < r->nproblems;) {
			const struct report_problem *p = &r->problems[i];
			size_t j = problem_run_end(r, i);
			if (p->today) {
				fprintf(out, "<tr><td>#%lld</td>", p->message);
				html_td(out, report_county_name(c, p->county), NULL);
				html_td(out, report_problem_zh(p->kind), NULL);
				snprintf(buf, sizeof(buf), "%s", p->reason);
				if (j - i > 1) {
					size_t o = strlen(buf);
					snprintf(buf + o, sizeof(buf) - o, "（同类共 %zu 项）", j - i);
				}
				html_td(out, buf, NULL);
				fputs("</tr>\n", out);
			}
			i = j;
		}
		html_table_end(out);
	}
	{
		size_t nf = count_flagged(r), nd = count_dups(r);

		fprintf(out, "<h2>五、资格初审（仅供参考；%zu 个单位有不符或无法判断的条件）</h2>\n", nf);
		if (html_table_start(out, nf, "<th>编号</th><th>县市区、园区</th><th>类别</th><th>申报单位</th>"
		                     "<th>资格初审</th>")) {
			for (size_t i = 0; i < r->ndossiers; i++) {
				const struct report_dossier *d = &r->dossiers[i];
				if (!elig_flagged(d))
					continue;
				report_elig_text(d, buf, sizeof(buf));
				html_dossier_row(out, c, "<tr>", d, buf);
			}
			html_table_end(out);
		}
		fprintf(out, "<h2>六、重复申报（同一统一社会信用代码，%zu 组）</h2>\n", nd);
		if (html_table_start(out, nd, "<th>统一社会信用代码</th><th>编号</th><th>县市区、园区</th>"
		                     "<th>类别</th><th>申报单位</th>")) {
			for (size_t i = 0; i < r->ndossiers; i++) {
				if (!report_dup_first(r, i))
					continue;
				for (size_t j = i; j < r->ndossiers; j = report_dup_next(r, j)) {
					const struct report_dossier *d = &r->dossiers[j];
					fputs("<tr>", out);
					html_td(out, d->credit_code, NULL);
					html_dossier_cells(out, c, d);
					fputs("</tr>\n", out);
				}
			}
			html_table_end(out);
		}
	}
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? -1 : 0;
}

/*
 * eligibility.c - read the application form's values from its text and
 * check them against the campaign's [check PROGRAM] rules.
 *
 * The text comes from textract (table rows as lines, cells split by '\t';
 * a PDF's cells may also be broken over several lines, an OCR'd form has
 * no tabs at all).  It is cut into cells (at tabs and line ends), each
 * with its line and column; a label is a cell whose letters are the label
 * (or hold it with a few characters more: "其中：专职服务人员", "服务收 入
 * （万元"); its value is what follows "：" or the label in the same cell,
 * else the next non-blank cell.  "| year" fields are read in one of the
 * two layouts of the notice's forms:
 *   附件1: a header row "年份 | 资产总额 | … | 入驻企业数 …" and a row per
 *          year "2022年 | 19800 | …": by column, else by the order of the
 *          labels in the header when a PDF broke its cells;
 *   附件3: a header row "年度 | 2021年 | 2022年" and a row per value
 *          "服务收入（万元） | 85 | 96": by column, else by the year's rank.
 * A value that is blank, a range ("20-30"), or not a number in a known
 * unit is "not found": its rules say 未能读出 and never fail.
 *
 * Pure: no I/O; every loop is bounded by the text (at most TEXT_MAX bytes
 * and CELL_MAX cells) and the campaign.
 */
#include "eligibility.h"
#include "utf8.h"
#include "uscc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX (256U << 10)  /* bytes of text read */
#define CELL_MAX 16384U        /* cells kept */
#define LABEL_SLACK 10U        /* characters a label cell may have beyond the label */
#define SQM_PER_MU (10000.0 / 15.0)  /* 1 亩 = 666.67 平方米 */

struct cell {
	const char *s;         /* raw text, not NUL-terminated */
	size_t n;
	unsigned line, col;    /* line number, column (cell index in its line, blanks counted) */
	char *norm;            /* letters, digits and CJK only; ASCII lower case */
	unsigned cps;          /* characters of norm */
	bool blank;
	bool alone;            /* the only non-blank cell of its line */
};

struct grid {
	struct cell *c;
	size_t n;
};

/* ------------------------------------------------------------ text */

/* Letters, digits, CJK and '%' of [s, s+n), lower case; *cps_r characters. */
static char *norm_n(const char *s, size_t n, unsigned *cps_r)
{
	char *out = malloc(n + 1);     /* UNSAFE: every character shrinks or stays */
	size_t i = 0, o = 0;
	unsigned k = 0;

	if (!out)
		return NULL;
	while (i < n) {
		uint32_t cp;
		size_t l = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		uint32_t h = utf8_halfwidth(cp);

		if ((h >= '0' && h <= '9') || (h >= 'a' && h <= 'z') || h == '%') {
			out[o++] = (char)h;
			k++;
		} else if (h >= 'A' && h <= 'Z') {
			out[o++] = (char)(h + 32);
			k++;
		} else if (utf8_is_cjk(cp)) {
			memcpy(out + o, s + i, l);
			o += l;
			k++;
		}
		i += l;
	}
	out[o] = '\0';
	if (cps_r)
		*cps_r = k;
	return out;
}

static void grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->c[i].norm);
	free(g->c);
	g->c = NULL;
	g->n = 0;
}

static int grid_build(const char *text, size_t len, struct grid *g)
{
	size_t i = 0, cap = 0;
	unsigned line = 0;

	memset(g, 0, sizeof(*g));
	if (!text)
		return 0;
	if (len > TEXT_MAX)
		len = TEXT_MAX;
	while (i < len && g->n < CELL_MAX) {
		const char *ls = text + i;
		size_t ll = 0, first = g->n, nonblank = 0;
		unsigned col = 0;

		while (i + ll < len && ls[ll] != '\n' && ls[ll] != '\f')
			ll++;
		for (size_t a = 0; a <= ll && g->n < CELL_MAX;) {
			const char *tab = memchr(ls + a, '\t', ll - a);
			size_t cl = tab ? (size_t)(tab - (ls + a)) : ll - a;
			struct cell *c;

			if (g->n == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct cell *nv = realloc(g->c, ncap * sizeof(*nv));
				if (!nv)
					return -1;
				g->c = nv;
				cap = ncap;
			}
			c = &g->c[g->n];
			c->s = ls + a;
			c->n = cl;
			c->line = line;
			c->col = col++;
			c->norm = norm_n(c->s, c->n, &c->cps);
			if (!c->norm)
				return -1;
			c->blank = c->norm[0] == '\0';
			c->alone = false;
			if (!c->blank)
				nonblank++;
			g->n++;
			if (!tab)
				break;
			a += cl + 1;
		}
		for (size_t k = first; k < g->n; k++)
			g->c[k].alone = !g->c[k].blank && nonblank == 1;
		i += ll + 1;
		line++;
	}
	return 0;
}

/* ------------------------------------------------------------ labels */

/* The cell that best carries one of labels: equal, else holding it with
 * the fewest extra characters (at most LABEL_SLACK), earliest on ties.
 * from: first cell considered.  -1 if none. */
static long find_label(const struct grid *g, const struct strlist *labels, size_t from)
{
	long best = -1;
	unsigned best_extra = ~0U;

	for (size_t k = 0; k < labels->n; k++) {
		unsigned lcps;
		char *ln = norm_n(labels->v[k], strlen(labels->v[k]), &lcps);

		if (!ln)
			return -1;
		if (*ln)
			for (size_t i = from; i < g->n; i++) {
				const struct cell *c = &g->c[i];
				unsigned extra;

				if (c->blank || c->cps < lcps || c->cps - lcps > LABEL_SLACK ||
				    !strstr(c->norm, ln))
					continue;
				extra = c->cps - lcps;
				if (extra < best_extra || (extra == best_extra && (long)i < best)) {
					best = (long)i;
					best_extra = extra;
				}
			}
		free(ln);
	}
	return best;
}

/* ------------------------------------------------------------ values */

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static const char *skip_blank(const char *p, const char *e)
{
	while (p < e) {
		if (*p == ' ' || *p == '\t') {
			p++;
		} else if (e - p >= 3 && memcmp(p, "\xE3\x80\x80", 3) == 0) {
			p += 3;
		} else {
			break;
		}
	}
	return p;
}

static bool starts(const char *p, const char *e, const char *w)
{
	size_t n = strlen(w);
	return (size_t)(e - p) >= n && memcmp(p, w, n) == 0;
}

/* Read a decimal number ("1,200.5", full-width digits not expected after
 * textract); returns the end or NULL. */
static const char *read_num(const char *p, const char *e, double *v)
{
	double x = 0, scale = 0;
	bool any = false;

	while (p < e && (is_digit(*p) || (*p == ',' && any && p + 1 < e && is_digit(p[1])))) {
		if (*p != ',')
			x = x * 10 + (*p - '0');
		any = true;
		p++;
	}
	if (any && p + 1 < e && *p == '.' && is_digit(p[1])) {
		scale = 1;
		p++;
		while (p < e && is_digit(*p)) {
			scale /= 10;
			x += scale * (*p - '0');
			p++;
		}
	}
	if (!any)
		return NULL;
	*v = x;
	return p;
}

/* A range or an alternative after a number: "20-30", "20~30", "20至30". */
static bool range_follows(const char *p, const char *e)
{
	p = skip_blank(p, e);
	if (p < e && (*p == '-' || *p == '~')) {
		p = skip_blank(p + 1, e);
		return p < e && is_digit(*p);
	}
	if (starts(p, e, "至") || starts(p, e, "到") || starts(p, e, "～") || starts(p, e, "－") ||
	    starts(p, e, "—")) {
		p = skip_blank(p + 3, e);
		return p < e && is_digit(*p);
	}
	return false;
}

/*
 * A number in the field's unit from the start of [p, e): "52000", "2.3万㎡",
 * "500万元", "30亩", "12人", "70%".  Text after the unit is allowed (a PDF
 * may run the next label into the cell).  Returns false when there is no
 * number, a range, or a unit that does not fit the field.
 */
static bool parse_number(const char *p, const char *e, const char *unit, double *out)
{
	double v;
	const char *q;
	bool wan = false, yi = false;

	p = skip_blank(p, e);
	if (starts(p, e, "约") || starts(p, e, "共"))
		p = skip_blank(p + 3, e);
	q = read_num(p, e, &v);
	if (!q)
		return false;
	if (range_follows(q, e))
		return false;
	q = skip_blank(q, e);
	if (starts(q, e, "万")) {
		wan = true;
		q += 3;
	} else if (starts(q, e, "亿")) {
		yi = true;
		q += 3;
	}
	if (wan)
		v *= 10000;
	if (yi)
		v *= 100000000;
	q = skip_blank(q, e);
	if (strcmp(unit, "%") != 0 && (starts(q, e, "%") || starts(q, e, "％")))
		return false;      /* a share is no amount */
	if (strcmp(unit, "万元") == 0 || strcmp(unit, "元") == 0) {
		bool yuan = starts(q, e, "元");
		/* In 万元 fields a bare number is in 万元 already ("单位：万元"). */
		if (strcmp(unit, "万元") == 0 && (wan || yi || yuan))
			v /= 10000;
		if (!yuan && starts(q, e, "平方米"))
			return false;
	} else if (strcmp(unit, "平方米") == 0) {
		if (starts(q, e, "亩"))
			v *= SQM_PER_MU;
		else if (starts(q, e, "公顷"))
			v *= 10000;
		else if (starts(q, e, "元") || starts(q, e, "人") || starts(q, e, "家"))
			return false;
	} else if (strcmp(unit, "%") == 0) {
		if (wan || yi)
			return false;
	} else {
		/* 人 家 次 场 个: counts */
		if (starts(q, e, "元") || starts(q, e, "平方米") || starts(q, e, "%") || starts(q, e, "亩"))
			return false;
	}
	*out = v;
	return true;
}

static int days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

/* "2019年3月12日", "2019年 3月", "2019-03-12", "2019.3.12", "2019/3/12".
 * A year alone is not a date (成立 1 年以上 needs more). */
static bool parse_date(const char *p, const char *e, int *y, int *m, int *d)
{
	double a, b, c = 1;
	const char *q;

	p = skip_blank(p, e);
	q = read_num(p, e, &a);
	if (!q || q - p != 4 || a < 1900 || a > 2100)
		return false;
	q = skip_blank(q, e);
	if (starts(q, e, "年"))
		q += 3;
	else if (q < e && (*q == '-' || *q == '.' || *q == '/'))
		q++;
	else
		return false;
	q = skip_blank(q, e);
	p = q;
	q = read_num(p, e, &b);
	if (!q || q - p > 2 || b < 1 || b > 12 || b != (double)(long)b)
		return false;
	q = skip_blank(q, e);
	if (starts(q, e, "月"))
		q += 3;
	else if (q < e && (*q == '-' || *q == '.' || *q == '/'))
		q++;
	q = skip_blank(q, e);
	p = q;
	if (p < e && is_digit(*p)) {
		q = read_num(p, e, &c);
		if (!q || q - p > 2 || c < 1 || c != (double)(long)c)
			return false;
	}
	*y = (int)a;
	*m = (int)b;
	*d = (int)c;
	return *d <= days_in(*y, *m);
}

/* After the label's last character in the cell: skip punctuation and
 * parenthesised words ("（平方米）", "："); the rest, if any. */
static const char *after_label(const struct cell *c, const char *label, const char **e_r)
{
	size_t ln = strlen(label), k;
	const char *last, *p, *e = c->s + c->n;
	int depth = 0;

	/* the label's last character, as bytes */
	k = ln;
	while (k > 0 && ((unsigned char)label[k - 1] & 0xC0) == 0x80)
		k--;
	if (k == 0)
		return NULL;
	k--;
	last = memmem(c->s, c->n, label + k, ln - k);
	if (!last)
		return NULL;
	p = last + (ln - k);
	while (p < e) {
		uint32_t cp;
		size_t l = utf8_decode((const unsigned char *)p, (size_t)(e - p), &cp);
		uint32_t h = utf8_halfwidth(cp);

		if (h == '(' || cp == 0x3010) {
			depth++;
		} else if (h == ')' || cp == 0x3011) {
			if (depth > 0)
				depth--;
		} else if (depth == 0 && !(h == ' ' || h == ':' || h == ';' || h == ',' || h == '_' ||
		                           h == '"' || h == '\'' || h == '|' ||
		                           (cp >= 0x2000 && cp <= 0x206F) ||
		                           (cp >= 0x3000 && cp <= 0x303F) || h == 0xFFFD)) {
			break;
		}
		p += l;
	}
	*e_r = e;
	return p < e ? p : NULL;
}

/* The next non-blank cell after i (any line), or -1. */
static long next_value_cell(const struct grid *g, size_t i)
{
	for (size_t k = i + 1; k < g->n; k++)
		if (!g->c[k].blank)
			return (long)k;
	return -1;
}

/* ------------------------------------------------------------ reading */

/* Raw cell text, trimmed, at most 120 bytes at a character boundary. */
static char *raw_of(const char *s, size_t n)
{
	const char *e = s + n;

	s = skip_blank(s, e);
	while (e > s && (e[-1] == ' ' || e[-1] == '\r'))
		e--;
	n = (size_t)(e - s);
	{
		/* valid UTF-8 only (the text is hostile, messages go to JSON),
		 * no control characters, at most 120 bytes */
		char *out = malloc(n + 1);
		size_t i = 0, o = 0;

		if (!out)
			return NULL;
		while (i < n) {
			uint32_t cp;
			size_t l = utf8_decode((const unsigned char *)s + i, n - i, &cp);

			if (o + l > 120)
				break;
			if (cp == 0xFFFD && l == 1) {
				/* a bad byte: dropped */
			} else if (cp < 0x20 || cp == 0x7F) {
				out[o++] = ' ';
			} else {
				memcpy(out + o, s + i, l);
				o += l;
			}
			i += l;
		}
		out[o] = '\0';
		return out;
	}
}

/* Set v from text [p, e) for field f; false if it does not parse. */
static int set_value(struct elig_value *v, const struct campaign_check_field *f,
                     const char *p, const char *e, bool *ok)
{
	*ok = false;
	free(v->raw);
	v->raw = raw_of(p, (size_t)(e - p));
	if (!v->raw)
		return -1;
	if (f->date) {
		int y, m, d;
		if (parse_date(p, e, &y, &m, &d)) {
			free(v->date);
			v->date = xasprintf("%04d-%02d-%02d", y, m, d);
			if (!v->date)
				return -1;
			v->num = y * 10000.0 + m * 100 + d;
			*ok = true;
		}
	} else {
		*ok = parse_number(p, e, f->unit, &v->num);
	}
	v->found = *ok;
	return 0;
}

/* A plain field: label cell, then the value in it or in the next cell. */
static int read_plain(const struct grid *g, const struct campaign_check_field *f, struct elig_value *v)
{
	long li = find_label(g, &f->labels, 0), ni;
	const struct cell *c;
	const char *p, *e = NULL;
	bool ok;

	if (li < 0) {
		/* OCR keeps no cells: "工作人数 11 大专以上学历人数 10" is one line.
		 * A label inside a longer cell counts only when a value follows
		 * it right away. */
		for (size_t i = 0; i < g->n; i++)
			for (size_t k = 0; k < f->labels.n; k++) {
				char *ln = norm_n(f->labels.v[k], strlen(f->labels.v[k]), NULL);
				bool in;

				if (!ln)
					return -1;
				in = *ln && !g->c[i].blank && strstr(g->c[i].norm, ln);
				free(ln);
				if (!in)
					continue;
				p = after_label(&g->c[i], f->labels.v[k], &e);
				if (p && e > p && is_digit(*skip_blank(p, e))) {
					if (set_value(v, f, p, e, &ok) != 0)
						return -1;
					if (ok)
						return 0;
					free(v->raw);
					v->raw = NULL;
				}
			}
		return 0;
	}
	c = &g->c[li];
	for (size_t k = 0; k < f->labels.n; k++) {
		unsigned lc;
		char *ln = norm_n(f->labels.v[k], strlen(f->labels.v[k]), &lc);
		bool in = ln && *ln && strstr(c->norm, ln);

		free(ln);
		if (!in)
			continue;
		p = after_label(c, f->labels.v[k], &e);
		if (p && e > p) {
			if (set_value(v, f, p, e, &ok) != 0)
				return -1;
			if (ok)
				return 0;
		}
		break;
	}
	ni = next_value_cell(g, (size_t)li);
	if (ni < 0)
		return 0;
	c = &g->c[ni];
	return set_value(v, f, c->s, c->s + c->n, &ok);
}

/* "2022年", "2022 年", "2022年度", or a bare "2022" near the data year:
 * a year cell, the year or 0 ("1386" is a value). */
static unsigned year_cell(const struct cell *c, unsigned year)
{
	const char *n = c->norm;
	unsigned y;

	if (strlen(n) < 4 || !is_digit(n[0]) || !is_digit(n[1]) || !is_digit(n[2]) || !is_digit(n[3]))
		return 0;
	y = (unsigned)atoi(n);
	if (y < 1990 || y > 2100)
		return 0;
	if (strcmp(n + 4, "年") == 0 || strcmp(n + 4, "年度") == 0)
		return y;
	if (n[4] == '\0' && y + 5 >= year && y <= year + 1)
		return y;
	return 0;
}

/* First and end index of the cells of line ln at or after from. */
static void line_span(const struct grid *g, size_t at, size_t *a, size_t *b)
{
	size_t i = at, j = at;

	while (i > 0 && g->c[i - 1].line == g->c[at].line)
		i--;
	while (j < g->n && g->c[j].line == g->c[at].line)
		j++;
	*a = i;
	*b = j;
}

/*
 * 附件1 layout: rows per year.  The data row is the line whose first
 * non-blank cell is the year; the header is the nearest line above it with
 * a 年份/年度 cell.
 */
static int read_year_rows(const struct grid *g, const struct campaign_check *ck,
                          const struct campaign_check_field *f, size_t fi, struct elig_value *v, bool *done)
{
	size_t drow = 0, da, db, ha = 0, hb = 0;
	bool have = false, ok;
	long hy = -1;

	*done = false;
	for (size_t i = 0; i < g->n && !have; i++) {
		size_t a, b, k;
		if (g->c[i].blank || year_cell(&g->c[i], ck->year) != ck->year)
			continue;
		line_span(g, i, &a, &b);
		for (k = a; k < b && g->c[k].blank; k++)
			;
		if (k == i && b - i > 1) {
			drow = i;
			have = true;
		}
	}
	if (!have)
		return 0;
	line_span(g, drow, &da, &db);
	for (size_t i = da; i-- > 0;) {
		if (g->c[i].blank)
			continue;
		if (strcmp(g->c[i].norm, "年份") == 0 || strcmp(g->c[i].norm, "年度") == 0) {
			hy = (long)i;
			break;
		}
		if (da - i > 400)
			break;
	}
	if (hy < 0)
		return 0;
	line_span(g, (size_t)hy, &ha, &hb);
	/* By column: the label is one cell of the header line. */
	{
		struct grid hl = { g->c + hy, hb - (size_t)hy };
		long li = find_label(&hl, &f->labels, 0);
		int others = 0;

		/* "资产总额 营业收入 入驻企业数" in one cell: a PDF merged them */
		for (size_t k = 0; li >= 0 && k < ck->nfields; k++) {
			const struct campaign_check_field *o = &ck->fields[k];
			if (k == fi || !o->by_year)
				continue;
			for (size_t w = 0; w < o->labels.n; w++) {
				char *ln = norm_n(o->labels.v[w], strlen(o->labels.v[w]), NULL);
				bool in;
				if (!ln)
					return -1;
				in = *ln && strstr(g->c[hy + li].norm, ln) && !strstr(ln, g->c[hy + li].norm);
				free(ln);
				if (in) {
					others++;
					break;
				}
			}
		}
		if (li >= 0 && others == 0) {
			unsigned col = g->c[hy + li].col - g->c[hy].col + g->c[drow].col;
			for (size_t k = da; k < db; k++)
				if (g->c[k].col == col) {
					*done = true;
					if (g->c[k].blank)
						return 0;
					return set_value(v, f, g->c[k].s, g->c[k].s + g->c[k].n, &ok);
				}
			return 0;
		}
	}
	/* By order: the header's cells were broken (PDF).  Join the text from
	 * the 年份 cell to the first year row, place every year field of this
	 * check in it, and take the data row's values in that order. */
	{
		size_t end = (size_t)hy, jl = 0;
		char *joined;
		size_t rank = 0, nfound = 0, nvals = 0;
		long mypos = -1, pos_of[64];

		if (ck->nfields > 64)
			return 0;      /* more columns than any form has */
		for (size_t k = 0; k < 64; k++)
			pos_of[k] = -1;

		while (end < da && year_cell(&g->c[end], ck->year) == 0)
			end++;
		for (size_t k = (size_t)hy + 1; k < end; k++)
			jl += strlen(g->c[k].norm);
		joined = malloc(jl + 1);
		if (!joined)
			return -1;
		jl = 0;
		for (size_t k = (size_t)hy + 1; k < end; k++) {
			size_t l = strlen(g->c[k].norm);
			memcpy(joined + jl, g->c[k].norm, l);
			jl += l;
		}
		joined[jl] = '\0';
		for (size_t k = 0; k < ck->nfields; k++) {
			const struct campaign_check_field *o = &ck->fields[k];
			long pos = -1;

			if (!o->by_year || o->date)
				continue;
			for (size_t w = 0; w < o->labels.n && pos < 0; w++) {
				char *ln = norm_n(o->labels.v[w], strlen(o->labels.v[w]), NULL);
				const char *hit;

				if (!ln) {
					free(joined);
					return -1;
				}
				hit = *ln ? strstr(joined, ln) : NULL;
				if (hit)
					pos = hit - joined;
				free(ln);
			}
			if (pos < 0)
				continue;
			nfound++;
			if (k == fi)
				mypos = pos;
			pos_of[k < 64 ? k : 63] = pos;
		}
		if (mypos >= 0)
			for (size_t k = 0; k < ck->nfields && k < 64; k++)
				if (k != fi && pos_of[k] >= 0 && pos_of[k] < mypos)
					rank++;
		free(joined);
		if (mypos < 0)
			return 0;
		for (size_t k = drow + 1; k < db; k++)
			if (!g->c[k].blank)
				nvals++;
		*done = true;
		if (nvals != nfound)
			return 0;      /* a blank value or a column we do not know: no guess */
		for (size_t k = drow + 1; k < db; k++) {
			if (g->c[k].blank)
				continue;
			if (rank-- == 0)
				return set_value(v, f, g->c[k].s, g->c[k].s + g->c[k].n, &ok);
		}
	}
	return 0;
}

/*
 * 附件3 layout: a header line with two or more year cells, rows per value
 * below it.  By column when the label's line has the year's column, else
 * the label's values in the year's rank (a PDF broke the row).
 */
static int read_year_cols(const struct grid *g, const struct campaign_check *ck,
                          const struct campaign_check_field *f, struct elig_value *v)
{
	long li = find_label(g, &f->labels, 0);
	size_t la, lb, hcol = 0, rank = 0, nyears = 0;
	long hdr = -1;
	bool ok, have_col = false;

	if (li < 0)
		return 0;
	/* the nearest line above with two or more year cells */
	for (size_t i = (size_t)li; i-- > 0;) {
		size_t a, b, n = 0;
		if (g->c[i].blank || year_cell(&g->c[i], ck->year) == 0)
			continue;
		line_span(g, i, &a, &b);
		for (size_t k = a; k < b; k++)
			if (!g->c[k].blank && year_cell(&g->c[k], ck->year))
				n++;
		if (n >= 2) {
			hdr = (long)a;
			nyears = 0;
			for (size_t k = a; k < b; k++)
				if (!g->c[k].blank && year_cell(&g->c[k], ck->year)) {
					if (year_cell(&g->c[k], ck->year) == ck->year) {
						hcol = g->c[k].col;
						have_col = true;
						rank = nyears;
					}
					nyears++;
				}
			break;
		}
		i = a;     /* skip the rest of that line */
		if (i == 0)
			break;
	}
	if (hdr < 0 || !have_col)
		return 0;
	line_span(g, (size_t)li, &la, &lb);
	if (lb - la > 2) {
		for (size_t k = (size_t)li + 1; k < lb; k++)
			if (g->c[k].col == hcol) {
				if (g->c[k].blank)
					return 0;
				return set_value(v, f, g->c[k].s, g->c[k].s + g->c[k].n, &ok);
			}
	}
	/* By rank: the next nyears non-blank cells that are numbers. */
	{
		size_t seen = 0;
		for (size_t k = (size_t)li + 1; k < g->n && seen < nyears; k++) {
			double x;
			const struct cell *c = &g->c[k];
			if (c->blank)
				continue;
			if (!parse_number(c->s, c->s + c->n, f->unit, &x))
				return 0;  /* a label: fewer values than years */
			if (seen++ == rank)
				return set_value(v, f, c->s, c->s + c->n, &ok);
		}
	}
	return 0;
}

static int read_field(const struct grid *g, const struct campaign_check *ck, size_t fi, struct elig_value *v)
{
	const struct campaign_check_field *f = &ck->fields[fi];
	bool done = false;

	if (f->labels.n == 0)
		return 0;          /* a ratio of its own: computed later */
	if (!f->by_year)
		return read_plain(g, f, v);
	if (read_year_rows(g, ck, f, fi, v, &done) != 0)
		return -1;
	if (done || v->found)
		return 0;
	return read_year_cols(g, ck, f, v);
}

/* The text after the last colon of a cell, or NULL. */
static const char *after_colon(const struct cell *lc)
{
	const char *colon = NULL, *e = lc->s + lc->n;

	for (size_t b = 0; b < lc->n; b++)
		if (lc->s[b] == ':')
			colon = lc->s + b + 1;
		else if (lc->n - b >= 3 && memcmp(lc->s + b, "\xEF\xBC\x9A", 3) == 0)
			colon = lc->s + b + 3;
	if (!colon || skip_blank(colon, e) == e)
		return NULL;
	return colon;
}

/* A unit's name has four CJK characters or more and one of the
 * campaign's unit words (公司, 中心, 园 ...) when it has any. */
static char *name_value(const struct campaign *c, const char *p, const char *e)
{
	char *r = raw_of(p, (size_t)(e - p));
	unsigned cjk = 0;
	bool unit = c->unit_words.n == 0;

	for (size_t k = 0; r && k < c->unit_words.n && !unit; k++)
		unit = strstr(r, c->unit_words.v[k]) != NULL;
	if (r && !unit) {
		free(r);
		return NULL;
	}

	for (size_t b = 0; r && r[b];) {
		uint32_t cp;
		b += utf8_decode((const unsigned char *)r + b, strlen(r + b), &cp);
		if (utf8_is_cjk(cp))
			cjk++;
	}
	if (r && cjk >= 4)
		return r;
	free(r);
	return NULL;
}

/* The unit's name: "申请单位（盖章）：X" (a cell starting with a form label,
 * its value after the colon), else "单位名称 | X" (the next cell on the
 * label's line). */
static char *read_applicant(const struct campaign *c, const struct grid *g)
{
	for (size_t k = 0; k < c->form_labels.n; k++) {
		struct strlist one = { &c->form_labels.v[k], 1 };
		char *ln = norm_n(c->form_labels.v[k], strlen(c->form_labels.v[k]), NULL);
		long li;

		if (!ln)
			return NULL;
		for (size_t i = 0; *ln && i < g->n; i++) {
			const char *p;
			char *r;

			if (strncmp(g->c[i].norm, ln, strlen(ln)) != 0 || !(p = after_colon(&g->c[i])))
				continue;
			if ((r = name_value(c, p, g->c[i].s + g->c[i].n)) != NULL) {
				free(ln);
				return r;
			}
		}
		free(ln);
		li = find_label(g, &one, 0);
		if (li >= 0) {
			long ni = next_value_cell(g, (size_t)li);
			char *r;

			if (ni >= 0 && g->c[ni].line == g->c[li].line &&
			    (r = name_value(c, g->c[ni].s, g->c[ni].s + g->c[ni].n)) != NULL)
				return r;
		}
	}
	return NULL;
}

int elig_read(const struct campaign *c, int prog, const char *text, size_t len,
              struct elig_values *out)
{
	const struct campaign_check *ck = campaign_check_of(c, prog);
	struct grid g;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!ck)
		return 0;
	if (grid_build(text, len, &g) != 0)
		goto out;
	out->v = calloc(ck->nfields + 1, sizeof(*out->v));
	if (!out->v)
		goto out;
	out->n = ck->nfields;
	for (size_t i = 0; i < ck->nfields; i++) {
		out->v[i].field = ck->fields[i].id;
		out->v[i].label = ck->fields[i].labels.n ? ck->fields[i].labels.v[0] : ck->fields[i].id;
		if (read_field(&g, ck, i, &out->v[i]) != 0)
			goto out;
	}
	/* Ratios: a field not read from the form, from its two parts. */
	for (size_t i = 0; i < ck->nfields; i++) {
		const struct campaign_check_field *f = &ck->fields[i];
		const struct elig_value *a, *b;
		struct elig_value *v = &out->v[i];

		if (f->num < 0 || v->found)
			continue;
		a = &out->v[f->num];
		b = &out->v[f->den];
		if (!a->found || !b->found || b->num <= 0)
			continue;
		v->num = a->num / b->num * 100.0;
		v->found = true;
		free(v->raw);
		v->raw = xasprintf("%s %s / %s %s", a->label, a->raw ? a->raw : "", b->label, b->raw ? b->raw : "");
		if (!v->raw)
			goto out;
	}
	if (text && len) {
		char code[1][USCC_LEN + 1];
		if (uscc_find(text, len > TEXT_MAX ? TEXT_MAX : len, code, 1) == 1 &&
		    !(out->credit_code = strdup(code[0])))
			goto out;
	}
	out->applicant = read_applicant(c, &g);
	ret = 0;
out:
	grid_free(&g);
	if (ret != 0)
		elig_values_free(out);
	return ret;
}

/* ------------------------------------------------------------ checks */

/* "52000", "16.5", "0.25": at most two decimals, no trailing zeros. */
static void fmt_num(double v, char *buf, size_t n)
{
	char *dot;

	snprintf(buf, n, "%.2f", v);
	dot = strchr(buf, '.');
	if (dot) {
		char *e = buf + strlen(buf);
		while (e > dot && (e[-1] == '0'))
			*--e = '\0';
		if (e > buf && e[-1] == '.')
			e[-1] = '\0';
	}
}

static const char *unit_shown(const char *unit)
{
	return strcmp(unit, "%") == 0 ? "%" : unit;
}

static bool compare(double a, enum check_op op, double b)
{
	const double eps = 1e-9;

	switch (op) {
	case CHECK_GE: return a >= b - eps;
	case CHECK_GT: return a > b + eps;
	case CHECK_LE: return a <= b + eps;
	case CHECK_LT: return a < b - eps;
	case CHECK_EQ: return a - b <= eps && b - a <= eps;
	}
	return false;
}

/* "条件为 20000 平方米以上" */
static char *condition(const struct campaign_check_rule *r, const char *unit)
{
	char n[48];
	const char *sp = strcmp(unit, "%") == 0 ? "" : " ";

	fmt_num(r->number, n, sizeof(n));
	if (r->years)
		return xasprintf(r->op == CHECK_GE ? "条件为成立 %s 年以上" : r->op == CHECK_GT ? "条件为成立超过 %s 年" :
		                 r->op == CHECK_EQ ? "条件为成立 %s 年" : "条件为成立不满 %s 年", n);
	switch (r->op) {
	case CHECK_GE: return xasprintf("条件为 %s%s%s以上", n, sp, unit);
	case CHECK_GT: return xasprintf("条件为超过 %s%s%s", n, sp, unit);
	case CHECK_LE: return xasprintf("条件为 %s%s%s以下", n, sp, unit);
	case CHECK_LT: return xasprintf("条件为低于 %s%s%s", n, sp, unit);
	case CHECK_EQ: return xasprintf("条件为 %s%s%s", n, sp, unit);
	}
	return NULL;
}

/* Whole years from y-m-d to the deadline's local date. */
static int years_to(const struct campaign *c, int y, int m, int d)
{
	time_t t = c->deadline + (time_t)c->tz_offset_min * 60;
	struct tm tm;
	int n;

	if (!gmtime_r(&t, &tm))
		return -1;
	n = tm.tm_year + 1900 - y;
	if (tm.tm_mon + 1 < m || (tm.tm_mon + 1 == m && tm.tm_mday < d))
		n--;
	return n;
}

/* The institution type: a variant_labels cell's value, else the longest
 * variant keyword in the whole form; a tie is unknown. */
static int choose_variant(const struct campaign_check *ck, const struct grid *g)
{
	int best = -1;
	unsigned bestc = 0;
	bool tie = false;

	if (ck->nvariants == 0)
		return -1;
	for (int pass = 0; pass < 2 && best < 0; pass++) {
		for (size_t lk = 0; lk < (pass ? 1 : ck->variant_labels.n); lk++) {
			char *val = NULL;

			if (pass == 0) {
				struct strlist one = { &ck->variant_labels.v[lk], 1 };
				long li = find_label(g, &one, 0), ni;
				size_t vl = 0;

				if (li < 0)
					continue;
				ni = next_value_cell(g, (size_t)li);
				if (ni < 0)
					continue;
				/* the value, with the lone cells that continue it on the
				 * next lines ("专业性（检验检" + "测）") */
				for (long k = ni; k < (long)g->n && k <= ni + 2; k++) {
					if (k > ni && !g->c[k].alone)
						break;
					vl += strlen(g->c[k].norm);
				}
				val = malloc(vl + 1);
				if (!val)
					return -2;
				val[0] = '\0';
				for (long k = ni; k < (long)g->n && k <= ni + 2; k++) {
					if (k > ni && !g->c[k].alone)
						break;
					strcat(val, g->c[k].norm);
				}
			} else {
				size_t tl = 0;
				for (size_t k = 0; k < g->n; k++)
					tl += strlen(g->c[k].norm) + 1;
				val = malloc(tl + 1);
				if (!val)
					return -2;
				tl = 0;
				for (size_t k = 0; k < g->n; k++) {
					size_t l = strlen(g->c[k].norm);
					memcpy(val + tl, g->c[k].norm, l);
					tl += l;
					val[tl++] = '|';
				}
				val[tl] = '\0';
			}
			for (size_t vi = 0; vi < ck->nvariants; vi++) {
				const struct campaign_check_variant *va = &ck->variants[vi];
				for (size_t w = 0; w < va->keywords.n; w++) {
					unsigned kc;
					char *kn = norm_n(va->keywords.v[w], strlen(va->keywords.v[w]), &kc);
					if (!kn) {
						free(val);
						return -2;
					}
					if (*kn && strstr(val, kn)) {
						if (kc > bestc) {
							bestc = kc;
							best = (int)vi;
							tie = false;
						} else if (kc == bestc && best != (int)vi) {
							tie = true;
						}
					}
					free(kn);
				}
			}
			free(val);
		}
		if (tie) {
			best = -1;
			tie = false;
			bestc = 0;
			if (pass == 0)
				break;     /* the cells disagree: do not guess from the body */
		}
	}
	return tie ? -1 : best;
}

static int add_flag(struct elig_report *r, const char *rule, enum elig_status st, char *msg)
{
	struct elig_flag *nv;

	if (!msg)
		return -1;
	nv = realloc(r->flags, (r->n + 1) * sizeof(*nv));
	if (!nv) {
		free(msg);
		return -1;
	}
	r->flags = nv;
	nv[r->n].rule = rule;
	nv[r->n].status = st;
	nv[r->n].message = msg;
	r->n++;
	if (st == ELIG_FAIL)
		r->failed++;
	else if (st == ELIG_UNKNOWN)
		r->unknown++;
	return 0;
}

int elig_check(const struct campaign *c, int prog, const struct elig_values *v,
               const char *text, size_t len, struct elig_report *out)
{
	const struct campaign_check *ck = campaign_check_of(c, prog);
	struct grid g;
	bool variant_flagged = false;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->variant = -1;
	if (!ck || !v)
		return 0;
	if (grid_build(text, len, &g) != 0)
		goto out;
	if (ck->nvariants > 0) {
		out->variant = choose_variant(ck, &g);
		if (out->variant == -2) {
			out->variant = -1;
			goto out;
		}
	}
	for (size_t i = 0; i < ck->nrules; i++) {
		const struct campaign_check_rule *r = &ck->rules[i];
		const struct campaign_check_field *f = &ck->fields[r->field];
		const struct elig_value *val = (size_t)r->field < v->n ? &v->v[r->field] : NULL;
		const char *label = f->labels.n ? f->labels.v[0] : f->id;
		char *cond, n[48], *msg;
		bool pass;

		if (r->variant >= 0 && out->variant < 0) {
			if (!variant_flagged) {
				char *titles = strdup("");
				for (size_t k = 0; titles && k < ck->nvariants; k++) {
					char *t2 = xasprintf("%s%s%s", titles, k ? "、" : "", ck->variants[k].title);
					free(titles);
					titles = t2;
				}
				if (!titles)
					goto out;
				msg = xasprintf("未能判断机构类型（%s），各类型的条件未检查；请在申请表“%s”一栏写明",
				                titles, ck->variant_labels.n ? ck->variant_labels.v[0] : "机构类型");
				free(titles);
				if (add_flag(out, "variant", ELIG_UNKNOWN, msg) != 0)
					goto out;
				variant_flagged = true;
			}
			continue;
		}
		if (r->variant >= 0 && r->variant != out->variant)
			continue;
		cond = condition(r, unit_shown(f->unit));
		if (!cond)
			goto out;
		if (!val || !val->found) {
			if (val && val->raw && *val->raw)
				msg = xasprintf("申请表“%s”一栏为“%s”，无法读出%s，%s", label, val->raw,
				                f->date ? "日期" : "数值", cond);
			else
				msg = xasprintf("未能从申请表读出“%s”，%s", label, cond);
			free(cond);
			if (add_flag(out, r->id, ELIG_UNKNOWN, msg) != 0)
				goto out;
			continue;
		}
		if (r->years) {
			int y = 0, m = 0, d = 0, yrs;
			sscanf(val->date ? val->date : "", "%d-%d-%d", &y, &m, &d);
			yrs = years_to(c, y, m, d);
			pass = compare(yrs, r->op, r->number);
			msg = xasprintf("%s %s（至申报截止日满 %d 年），%s，%s", label, val->date, yrs < 0 ? 0 : yrs,
			                cond, pass ? "符合" : "不符合");
		} else {
			fmt_num(val->num, n, sizeof(n));
			pass = compare(val->num, r->op, r->number);
			if (f->num >= 0 && val->raw && strstr(val->raw, " / "))
				msg = xasprintf("%s %s%s（%s），%s，%s", label, n, unit_shown(f->unit), val->raw,
				                cond, pass ? "符合" : "不符合");
			else
				msg = xasprintf("%s %s%s%s，%s，%s", label, n, strcmp(f->unit, "%") ? " " : "",
				                unit_shown(f->unit), cond, pass ? "符合" : "不符合");
		}
		free(cond);
		if (add_flag(out, r->id, pass ? ELIG_PASS : ELIG_FAIL, msg) != 0)
			goto out;
	}
	ret = 0;
out:
	grid_free(&g);
	if (ret != 0)
		elig_report_free(out);
	return ret;
}

void elig_values_free(struct elig_values *v)
{
	if (!v)
		return;
	for (size_t i = 0; v->v && i < v->n; i++) {
		free(v->v[i].raw);
		free(v->v[i].date);
	}
	free(v->v);
	free(v->applicant);
	free(v->credit_code);
	memset(v, 0, sizeof(*v));
}

void elig_report_free(struct elig_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->flags && i < r->n; i++)
		free(r->flags[i].message);
	free(r->flags);
	memset(r, 0, sizeof(*r));
	r->variant = -1;
}

/*
 * classify.c - files of one message to dossiers and checklist items.
 *
 * The order of work in classify_message():
 *   1. each file alone: ignorable?  executable?  its normalised name, its
 *      leading catalogue number, its best item in every program and among
 *      the county items.  County items (推荐报告, 推荐汇总表) leave the
 *      dossier structure here, so a county packet's own papers never split
 *      or name a dossier;
 *   2. units: the files of one top-level archive are one unit, unless the
 *      archive holds two or more folders (or inner archives) that name
 *      units, after stepping down through folders that only name the county
 *      or the call ("祁东县/", "2023年申报材料/"); loose attachments are one
 *      unit; each unit gets its applicant from its own names;
 *   3. each unit's program from its folder, archive and subject words;
 *   4. units of one message that name the same applicant become one;
 *   5. a unit still without program takes the one its files point to;
 *   6. a unit that names a known dossier of the county (or, in a 补件
 *      message, the county's only one) is merged into it;
 *   7. every file of a unit gets at most one item of the unit's program.
 * Every step writes its evidence in Chinese.  Work and memory are O(files)
 * (plus a sort); no step recurses on input, and long subjects are read
 * only up to TEXT_MAX bytes.
 */
#include "classify.h"
#include "utf8.h"
#include "textract.h"
#include "uscc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UNKNOWN_APPLICANT "未识别申报单位"
#define MAX_DESCENT 8U      /* folder levels stepped through to find units */
#define MAX_ANCESTORS 8U    /* nearest folders read for a file's item */
#define TEXT_MAX 512U       /* bytes of a subject or name read for names */
#define MIN_NAME_CHARS 3U   /* a unit name has at least this many letters */

/* ------------------------------------------------------------ UTF-8 */

/* Enclosed numbers (①, ⑴, ⒈) as their value, 0 otherwise. */
static unsigned enclosed_number(uint32_t cp)
{
	if (cp >= 0x2460 && cp <= 0x2473)
		return cp - 0x2460 + 1;
	if (cp >= 0x2474 && cp <= 0x2487)
		return cp - 0x2474 + 1;
	if (cp >= 0x2488 && cp <= 0x249B)
		return cp - 0x2488 + 1;
	return 0;
}

/* Non-ASCII code points that are punctuation, symbols or invisible for
 * our purposes: dropped by normalisation, separators for segmenting. */
static bool is_punct_cp(uint32_t cp)
{
	if (cp == 0x3007)
		return false;                  /* 〇 is a numeral */
	return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
	       (cp >= 0x2000 && cp <= 0x206F) ||  /* general punctuation: “” — … */
	       (cp >= 0x2190 && cp <= 0x2BFF) ||  /* arrows, boxes, shapes, ①... */
	       (cp >= 0x3000 && cp <= 0x303F) ||  /* 、。《》【】〔〕 */
	       (cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE6F) ||
	       (cp >= 0xFF00 && cp <= 0xFFEF) ||  /* what is left of full width */
	       cp == 0xFEFF || cp == 0xFFFD || (cp >= 0x1F000 && cp <= 0x1FAFF);
}

static bool ascii_alnum(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* Whether the code point separates words in a name (after utf8_halfwidth()). */
static bool is_sep(uint32_t cp)
{
	if (cp < 0x80)
		return !ascii_alnum(cp);
	return is_punct_cp(cp);
}

static unsigned cps_of(const char *s, size_t n)
{
	unsigned k = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			k++;
	return k;
}

/* Length of a trailing ".ext" (1 to 5 ASCII letters or digits, at least one
 * letter, not the whole base name), 0 if none. */
static size_t ext_len(const char *s, size_t n)
{
	size_t i = n, letters = 0;

	while (i > 0 && n - i <= 5) {
		char ch = s[i - 1];
		if (ch == '.')
			break;
		if (!ascii_alnum((unsigned char)ch))
			return 0;
		if (!(ch >= '0' && ch <= '9'))
			letters++;
		i--;
	}
	if (i == 0 || s[i - 1] != '.' || i == n || letters == 0)
		return 0;
	if (i - 1 == 0 || s[i - 2] == '/')
		return 0;                      /* ".DS_Store": no extension */
	return n - (i - 1);
}

/* Normalise [s, s+n) into out (n + 1 bytes): the output is never longer. */
static size_t norm_into(const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		unsigned en;

		cp = utf8_halfwidth(cp);
		if (cp < 0x80) {
			if (cp >= 'A' && cp <= 'Z')
				out[o++] = (char)(cp + 32);
			else if (ascii_alnum(cp))
				out[o++] = (char)cp;
		} else if ((en = enclosed_number(cp)) != 0) {
			/* UNSAFE: ⑳ (3 bytes) becomes "20" (2 bytes): never longer */
			if (en >= 10)
				out[o++] = (char)('0' + en / 10);
			out[o++] = (char)('0' + en % 10);
		} else if (!is_punct_cp(cp)) {
			memcpy(out + o, s + i, k);
			o += k;
		}
		i += k;
	}
	out[o] = '\0';
	return o;
}

static char *norm_n(const char *s, size_t n, bool strip_ext)
{
	char *out;

	if (strip_ext)
		n -= ext_len(s, n);
	out = malloc(n + 1);
	if (out)
		norm_into(s, n, out);
	return out;
}

char *classify_normalise(const char *name)
{
	const char *base;

	if (!name)
		name = "";
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	/* The extension belongs to the last component only. */
	return norm_n(name, strlen(name), *base != '\0');
}

/* Half-width copy (full-width ASCII to ASCII, U+3000 to space), bounded to
 * TEXT_MAX bytes at a character boundary; the output is never longer. */
static char *half_n(const char *s, size_t n, size_t *len_r)
{
	char *out;
	size_t i = 0, o = 0;

	if (n > TEXT_MAX) {
		n = TEXT_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	/* UNSAFE: each character is written as itself, one ASCII byte or a
	 * space: never longer than its input, so n + 1 bytes suffice. */
	out = malloc(n + 1);
	if (!out)
		return NULL;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		uint32_t h = utf8_halfwidth(cp);

		if (h != cp)
			out[o++] = (char)h;
		else if (cp == 0xFFFD)
			out[o++] = ' ';
		else {
			memcpy(out + o, s + i, k);
			o += k;
		}
		i += k;
	}
	out[o] = '\0';
	*len_r = o;
	return out;
}

/* Quoted text in evidence and reasons is cut to QUOTE_MAX bytes at a
 * character boundary ("%.*s%s" with clip() and clip_mark()): a subject may
 * be a quarter of a megabyte. */
#define QUOTE_MAX 240U

static int clip(const char *s, size_t n)
{
	if (n > QUOTE_MAX) {
		n = QUOTE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return (int)n;
}

static const char *clip_mark(size_t n)
{
	return n > QUOTE_MAX ? "…" : "";
}

static int lower_ascii(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

/* [s, s+n) starts with w (w lower-case ASCII or other bytes). */
static bool ci_prefix(const char *s, size_t n, const char *w, size_t wn)
{
	if (wn > n)
		return false;
	for (size_t i = 0; i < wn; i++)
		if (lower_ascii((unsigned char)s[i]) != (unsigned char)w[i])
			return false;
	return true;
}

static const char *ci_find(const char *s, size_t n, const char *w, size_t wn)
{
	if (wn == 0 || wn > n)
		return NULL;
	for (size_t i = 0; i + wn <= n; i++)
		if (ci_prefix(s + i, n - i, w, wn))
			return s + i;
	return NULL;
}

/* ------------------------------------------------------- the matcher */

struct npat {
	char *s;               /* normalised */
	size_t len;
	unsigned cps;          /* length in characters: "longest match" */
	const char *orig;      /* as written in the campaign, for evidence */
	int owner;             /* item, program or county index */
	bool multi;            /* a conjunction "推荐+报告": parts joined by '\x01' */
};

struct plist {
	struct npat *v;
	size_t n;
};

struct matcher {
	const struct campaign *c;
	struct plist *ipat, *iexc;   /* per item */
	struct plist prog[CAMPAIGN_MAX_PROGRAMS];
	struct plist annex[CAMPAIGN_MAX_PROGRAMS];
	struct plist counties;       /* names and aliases, owner = county */
	struct plist trim;           /* noise + supplement words: cut at name ends */
	struct plist strip;          /* trim + places + counties: not a name */
	struct plist keystrip;       /* strip + key_strip: dropped from keys */
	struct plist places;         /* places + county names and aliases */
	struct plist unitw;
	struct plist supp;
	struct plist ignore;         /* raw globs, lower-cased */
	struct plist *ctitle, *cbody; /* per item: content title patterns, body phrases */
	struct plist generic;        /* generic file-name words */
	struct plist negative;       /* title words of texts that are no item */
	struct plist formlab;        /* form cells naming the applicant */
};

static int plist_reserve(struct plist *l, size_t more)
{
	struct npat *nv = realloc(l->v, (l->n + more + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	l->v = nv;
	return 0;
}

/*
 * Normalise a pattern.  "推荐+报告" (or "＋") is a conjunction: each part
 * is normalised alone and the parts are joined with '\x01', which no
 * normalised name contains; see pat_match().
 */
static char *norm_pattern(const char *orig, bool *multi_r)
{
	size_t n = strlen(orig), o = 0;
	/* UNSAFE: each part only shrinks, and each '\x01' stands for a '+'
	 * (or a 3-byte '＋') of the input: n + 1 bytes suffice. */
	char *out = malloc(n + 1), *part = malloc(n + 1);
	const char *s = orig;

	*multi_r = false;
	if (!out || !part) {
		free(out);
		free(part);
		return NULL;
	}
	out[0] = '\0';
	for (;;) {
		const char *plus = strchr(s, '+'), *fw = strstr(s, "\xEF\xBC\x8B");
		const char *e = plus && (!fw || plus < fw) ? plus : fw;
		size_t k = norm_into(s, e ? (size_t)(e - s) : strlen(s), part);

		if (k > 0) {
			if (o > 0) {
				out[o++] = '\x01';
				*multi_r = true;
			}
			memcpy(out + o, part, k + 1);
			o += k;
		}
		if (!e)
			break;
		s = e + (e == plus ? 1 : 3);
	}
	free(part);
	return out;
}

static int plist_add(struct plist *l, const char *orig, int owner, bool normalise)
{
	struct npat *p;
	bool multi = false;

	if (plist_reserve(l, 1) != 0)
		return -1;
	p = &l->v[l->n];
	if (normalise) {
		p->s = norm_pattern(orig, &multi);
	} else {
		p->s = strdup(orig);
		if (p->s)
			for (char *q = p->s; *q; q++)
				*q = (char)lower_ascii((unsigned char)*q);
	}
	if (!p->s)
		return -1;
	p->len = strlen(p->s);
	if (p->len == 0) {             /* pure punctuation: would match anything */
		free(p->s);
		return 0;
	}
	p->multi = multi;
	p->cps = cps_of(p->s, p->len);
	if (multi)
		for (const char *q = p->s; *q; q++)
			if (*q == '\x01')
				p->cps--;      /* the separators are not characters */
	p->orig = orig;
	p->owner = owner;
	l->n++;
	return 0;
}

/* Whether a normalised name holds pattern p (a conjunction: every part, in
 * order, not overlapping). */
static bool pat_match(const char *norm, const struct npat *p)
{
	const char *q = norm, *part = p->s;

	if (!p->multi)
		return strstr(norm, p->s) != NULL;
	while (*part) {
		const char *sep = strchr(part, '\x01');
		size_t len = sep ? (size_t)(sep - part) : strlen(part);
		const char *hit = NULL;

		for (const char *c = q; (c = strchr(c, part[0])) != NULL; c++)
			if (strncmp(c, part, len) == 0) {
				hit = c;
				break;
			}
		if (!hit)
			return false;
		q = hit + len;
		part += len + (sep ? 1 : 0);
	}
	return true;
}

static int plist_add_list(struct plist *l, const struct strlist *sl, int owner)
{
	for (size_t i = 0; i < sl->n; i++)
		if (plist_add(l, sl->v[i], owner, true) != 0)
			return -1;
	return 0;
}

static void plist_free(struct plist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].s);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int cmp_longest(const void *a, const void *b)
{
	const struct npat *x = a, *y = b;

	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return strcmp(x->s, y->s);
}

static void plist_sort(struct plist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_longest);
}

static void matcher_free(struct matcher *m)
{
	if (m->ipat) {
		for (size_t i = 0; i < m->c->nitems; i++) {
			plist_free(&m->ipat[i]);
			plist_free(&m->iexc[i]);
		}
	}
	if (m->ctitle) {
		for (size_t i = 0; i < m->c->nitems; i++) {
			plist_free(&m->ctitle[i]);
			plist_free(&m->cbody[i]);
		}
	}
	free(m->ctitle);
	free(m->cbody);
	plist_free(&m->generic);
	plist_free(&m->negative);
	plist_free(&m->formlab);
	free(m->ipat);
	free(m->iexc);
	for (size_t p = 0; p < CAMPAIGN_MAX_PROGRAMS; p++) {
		plist_free(&m->prog[p]);
		plist_free(&m->annex[p]);
	}
	plist_free(&m->counties);
	plist_free(&m->trim);
	plist_free(&m->strip);
	plist_free(&m->keystrip);
	plist_free(&m->places);
	plist_free(&m->unitw);
	plist_free(&m->supp);
	plist_free(&m->ignore);
}

static int add_places(struct plist *l, const struct campaign *c)
{
	if (plist_add_list(l, &c->places, -1) != 0)
		return -1;
	for (size_t i = 0; i < c->ncounties; i++) {
		if (c->counties[i].name && plist_add(l, c->counties[i].name, (int)i, true) != 0)
			return -1;
		if (plist_add_list(l, &c->counties[i].aliases, (int)i) != 0)
			return -1;
	}
	return 0;
}

static int matcher_build(struct matcher *m, const struct campaign *c)
{
	memset(m, 0, sizeof(*m));
	m->c = c;
	m->ipat = calloc(c->nitems + 1, sizeof(*m->ipat));
	m->iexc = calloc(c->nitems + 1, sizeof(*m->iexc));
	m->ctitle = calloc(c->nitems + 1, sizeof(*m->ctitle));
	m->cbody = calloc(c->nitems + 1, sizeof(*m->cbody));
	if (!m->ipat || !m->iexc || !m->ctitle || !m->cbody)
		return -1;
	for (size_t i = 0; i < c->nitems; i++)
		if (plist_add_list(&m->ctitle[i], &c->items[i].content, (int)i) != 0 ||
		    plist_add_list(&m->cbody[i], &c->items[i].content_body, (int)i) != 0)
			return -1;
	if (plist_add_list(&m->generic, &c->generic_names, -1) != 0 ||
	    plist_add_list(&m->negative, &c->negative_content, -1) != 0 ||
	    plist_add_list(&m->formlab, &c->form_labels, -1) != 0)
		return -1;
	plist_sort(&m->generic);
	for (size_t i = 0; i < c->nitems; i++)
		if (plist_add_list(&m->ipat[i], &c->items[i].patterns, (int)i) != 0 ||
		    plist_add_list(&m->iexc[i], &c->items[i].excludes, (int)i) != 0)
			return -1;
	for (size_t p = 0; p < c->nprograms && p < CAMPAIGN_MAX_PROGRAMS; p++) {
		if (plist_add_list(&m->prog[p], &c->programs[p].patterns, (int)p) != 0)
			return -1;
		if (c->programs[p].annex && plist_add(&m->annex[p], c->programs[p].annex, (int)p, true) != 0)
			return -1;
	}
	for (size_t i = 0; i < c->ncounties; i++) {
		if (c->counties[i].name && plist_add(&m->counties, c->counties[i].name, (int)i, true) != 0)
			return -1;
		if (plist_add_list(&m->counties, &c->counties[i].aliases, (int)i) != 0)
			return -1;
	}
	if (plist_add_list(&m->trim, &c->applicant_noise, -1) != 0 ||
	    plist_add_list(&m->trim, &c->supplement_words, -1) != 0 ||
	    plist_add_list(&m->strip, &c->applicant_noise, -1) != 0 ||
	    plist_add_list(&m->strip, &c->supplement_words, -1) != 0 ||
	    add_places(&m->strip, c) != 0 ||
	    plist_add_list(&m->keystrip, &c->key_strip, -1) != 0 ||
	    plist_add_list(&m->keystrip, &c->applicant_noise, -1) != 0 ||
	    plist_add_list(&m->keystrip, &c->supplement_words, -1) != 0 ||
	    add_places(&m->keystrip, c) != 0 ||
	    add_places(&m->places, c) != 0 ||
	    plist_add_list(&m->unitw, &c->unit_words, -1) != 0 ||
	    plist_add_list(&m->supp, &c->supplement_words, -1) != 0)
		return -1;
	for (size_t i = 0; i < c->ignore_names.n; i++)
		if (plist_add(&m->ignore, c->ignore_names.v[i], -1, false) != 0)
			return -1;
	plist_sort(&m->trim);
	plist_sort(&m->strip);
	plist_sort(&m->keystrip);
	plist_sort(&m->places);
	return 0;
}

/* ------------------------------------------------------ pattern match */

struct best {
	int item;              /* index into c->items, -1 none */
	unsigned cps;
	const struct npat *pat;
	bool num_ok;           /* the leading catalogue number agrees */
};

static bool excluded(const struct matcher *m, size_t item, const char *norm)
{
	const struct plist *ex = &m->iexc[item];

	for (size_t k = 0; k < ex->n; k++)
		if (pat_match(norm, &ex->v[k]))
			return true;
	return false;
}

/*
 * The best item of program prog (-1: county items) for a normalised name:
 * the longest pattern wins, excludes veto; on equal length the item whose
 * number is the name's leading catalogue number wins, then campaign order.
 */
static void best_match(const struct matcher *m, const char *norm, unsigned num, int prog,
                       struct best *b)
{
	const struct campaign *c = m->c;

	b->item = -1;
	b->cps = 0;
	b->pat = NULL;
	b->num_ok = false;
	for (size_t i = 0; i < c->nitems; i++) {
		const struct plist *pl = &m->ipat[i];
		bool vetoed = false, checked = false;

		if (c->items[i].program != prog)
			continue;
		for (size_t k = 0; k < pl->n; k++) {
			const struct npat *p = &pl->v[k];
			bool better;

			if (!pat_match(norm, p))
				continue;
			if (!checked) {
				vetoed = excluded(m, i, norm);
				checked = true;
			}
			if (vetoed)
				break;
			better = p->cps > b->cps ||
			         (p->cps == b->cps && b->item != (int)i && num && c->items[i].number == num &&
			          c->items[b->item].number != num);
			if (better) {
				b->item = (int)i;
				b->cps = p->cps;
				b->pat = p;
			}
		}
	}
	b->num_ok = b->item >= 0 && num && c->items[b->item].number == num;
}

static int item_by_number(const struct campaign *c, int prog, unsigned num)
{
	if (num == 0)
		return -1;
	for (size_t i = 0; i < c->nitems; i++)
		if (c->items[i].program == prog && c->items[i].number == num)
			return (int)i;
	return -1;
}

/*
 * The leading catalogue number of a name ("3.主要管理人员名单", "06-营业执照",
 * "（5）审计报告", "⑤"), 0 if none.  One or two digits only: "2022年度" is a
 * year and "001.jpg" a scanner's page.  "附件1" is an annex, not an item.
 * *bare_r: nothing but the number is left (no CJK after it): "5.pdf".
 */
static unsigned lead_number(const char *name, size_t n, bool *bare_r)
{
	size_t len, i = 0, nd = 0;
	char *h = NULL;
	unsigned v = 0;
	bool bare = false;

	*bare_r = false;
	n -= ext_len(name, n);
	h = half_n(name, n, &len);
	if (!h)
		return 0;
	while (i < len && (h[i] == ' ' || h[i] == '(' || h[i] == '[' || h[i] == '_'))
		i++;
	if (len - i >= 3 && memcmp(h + i, "第", 3) == 0)
		i += 3;
	if (i < len) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)h + i, len - i, &cp);
		unsigned en = enclosed_number(cp);
		if (en) {
			v = en;
			i += k;
			nd = 1;
		}
	}
	if (!nd && i < len && h[i] >= '0' && h[i] <= '9') {
		size_t j = i;
		while (j < len && h[j] >= '0' && h[j] <= '9')
			j++;
		nd = j - i;
		if (nd > 2) {
			free(h);
			return 0;
		}
		v = (unsigned)atoi(h + i);
		i = j;
	}
	if (!nd || v == 0) {
		free(h);
		return 0;
	}
	if (i < len) {
		uint32_t cp;
		utf8_decode((const unsigned char *)h + i, len - i, &cp);
		/* "10万元", "3年", "5G": a quantity, not a number in a list */
		if ((cp < 0x80 && ascii_alnum(cp) && !(cp >= '0' && cp <= '9')) ||
		    cp == 0x5E74 /* 年 */ || cp == 0x6708 /* 月 */ || cp == 0x65E5 /* 日 */ ||
		    cp == 0x4E07 /* 万 */ || cp == 0x4EBA /* 人 */ || cp == 0x5BB6 /* 家 */ ||
		    cp == 0x5143 /* 元 */ || cp == 0x4E2A /* 个 */ || cp == 0x53F7 /* 号 */) {
			free(h);
			return 0;
		}
	}
	bare = true;
	while (i < len) {
		uint32_t cp;
		i += utf8_decode((const unsigned char *)h + i, len - i, &cp);
		if (utf8_is_cjk(cp))
			bare = false;
	}
	free(h);
	*bare_r = bare;
	return v;
}

/* ------------------------------------------------------ ignore names */

/* '*' matches any run; ASCII case-insensitive; iterative (one star back). */
static bool glob_match(const char *g, size_t gn, const char *s, size_t sn)
{
	size_t gi = 0, si = 0, star = (size_t)-1, ss = 0;

	while (si < sn) {
		if (gi < gn && g[gi] == '*') {
			star = gi++;
			ss = si;
		} else if (gi < gn && lower_ascii((unsigned char)g[gi]) == lower_ascii((unsigned char)s[si])) {
			gi++;
			si++;
		} else if (star != (size_t)-1) {
			gi = star + 1;
			si = ++ss;
		} else {
			return false;
		}
	}
	while (gi < gn && g[gi] == '*')
		gi++;
	return gi == gn;
}

/* Which ignore entry makes this path ignorable, or NULL.  "X/" names a
 * folder anywhere in the path; other entries name the last component. */
static const char *ignored_by(const struct matcher *m, const char *path)
{
	const char *comp = path;

	if (!path)
		return NULL;
	while (*comp) {
		const char *end = strchr(comp, '/');
		size_t n = end ? (size_t)(end - comp) : strlen(comp);
		bool last = end == NULL || end[1] == '\0';

		for (size_t k = 0; k < m->ignore.n; k++) {
			const char *g = m->ignore.v[k].s;
			size_t gl = m->ignore.v[k].len;

			if (g[gl - 1] == '/') {
				if (!last && glob_match(g, gl - 1, comp, n))
					return m->ignore.v[k].orig;
			} else if (last && glob_match(g, gl, comp, n)) {
				return m->ignore.v[k].orig;
			}
		}
		if (!end)
			break;
		comp = end + 1;
	}
	return NULL;
}

/* -------------------------------------------------- names of units */

/* The best item the text points to in one program (or the county items). */
struct cbest {
	int item;              /* -1 none */
	int conf;              /* 0..100 after the OCR factor and ambiguity */
	char *ev;              /* 内容“…”含“…” */
};

struct finfo {
	const struct classify_file *f;
	const char *name;      /* never NULL */
	const char *display;   /* path, else name */
	const char *inner;     /* NULL: attached directly */
	char *norm;            /* normalised base name */
	unsigned num;          /* leading catalogue number, 0 none */
	bool bare;             /* nothing but that number */
	bool ignored, exec, arch, empty;
	bool county_arch;      /* an archive named as a county item */
	bool orphan;           /* in a county packet, outside every unit folder */
	int county_item;       /* index into c->items, -1 */
	struct best own[CAMPAIGN_MAX_PROGRAMS];
	int unit;              /* -1: none */
	int next;              /* next member of the same unit */
	int item;              /* final decision */
	char *evidence;
	bool generic;          /* the name says nothing ([names] generic) */
	struct cbest cown[CAMPAIGN_MAX_PROGRAMS];
	struct cbest ccounty;
	size_t tz_len;         /* bytes of text covering the title zone */
	int conf;              /* confidence of the decision */
	bool by_content;
	bool weak;             /* decided by a bare catalogue number only */
};

enum ukind { U_LOOSE, U_ARCHIVE, U_COMP, U_LEFTOVER };

struct unit {
	enum ukind kind;
	int top;
	const char *top_name;      /* borrowed */
	const char *base;          /* an inner path whose first plen bytes ... */
	size_t plen;               /* ... are the packet folders above the unit */
	const char *comp;          /* its folder or inner archive, NULL if none */
	size_t complen;
	bool comp_arch;
	size_t skip;               /* inner bytes that are not item folders */
	char *applicant;
	char *app_ev;
	bool app_known;
	bool app_unit;             /* the name has a unit word */
	int program;
	char *prog_ev;
	int parent;                /* merged into this unit, -1 */
	int head;                  /* first member */
	size_t first;              /* smallest member index */
	size_t nmem;
	long long merge_into;
	char *merge_ev;
	int dossier;
	char credit[USCC_LEN + 1]; /* "" none */
	const char *credit_file;   /* the file it was read from */
};

struct cx {
	const struct classify_input *in;
	const struct campaign *c;
	struct matcher m;
	problem_fn problem;
	void *pctx;
	struct finfo *fi;
	size_t nf;
	struct unit *u;
	size_t nu, capu;
	bool oom;
};

static bool next_seg(const char *h, size_t n, size_t *pos, size_t *a, size_t *b)
{
	size_t i = *pos;
	uint32_t cp;

	while (i < n) {
		size_t k = utf8_decode((const unsigned char *)h + i, n - i, &cp);
		if (!is_sep(cp))
			break;
		i += k;
	}
	if (i >= n)
		return false;
	*a = i;
	while (i < n) {
		size_t k = utf8_decode((const unsigned char *)h + i, n - i, &cp);
		if (is_sep(cp))
			break;
		i += k;
	}
	*b = i;
	*pos = i;
	return true;
}

/* The word of l (sorted longest first) that starts s, or NULL. */
static const struct npat *word_at(const struct plist *l, const char *s, size_t n)
{
	for (size_t w = 0; w < l->n; w++)
		if (ci_prefix(s, n, l->v[w].s, l->v[w].len))
			return &l->v[w];
	return NULL;
}

/* CJK characters and ASCII letters left in [s, s+n) once every word of l
 * is cut out (l sorted longest first). */
static void leftover(const struct plist *l, const char *s, size_t n, unsigned *cjk, unsigned *letters)
{
	size_t i = 0;

	*cjk = *letters = 0;
	while (i < n) {
		const struct npat *word = word_at(l, s + i, n - i);
		uint32_t cp;

		if (word) {
			i += word->len;
			continue;
		}
		i += utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (utf8_is_cjk(cp))
			(*cjk)++;
		else if (cp < 0x80 && ascii_alnum(cp) && !(cp >= '0' && cp <= '9'))
			(*letters)++;
	}
}

/* Only noise, places, county names, digits: names no unit. */
static bool is_noise(const struct matcher *m, const char *s, size_t n)
{
	unsigned cjk, letters;

	leftover(&m->strip, s, n, &cjk, &letters);
	return cjk < 2 && letters < 2;
}

/*
 * End of the last unit word in [s, s+n) (公司, 园区, 中心 ...), 0 if none.
 * Unit words inside noise do not count: the 基地 of 创新创业基地 and the
 * 机构 of 核心服务机构 name the call, not the applicant.  n is at most
 * TEXT_MAX (the text comes from half_n()).
 */
static size_t unit_end(const struct matcher *m, const char *s, size_t n)
{
	char masked[TEXT_MAX + 1];
	size_t best = 0, i = 0;

	if (n > TEXT_MAX)
		n = TEXT_MAX;
	/* Most pieces hold no unit word at all: skip the masking then. */
	for (size_t w = 0; w < m->unitw.n && best == 0; w++)
		if (ci_find(s, n, m->unitw.v[w].s, m->unitw.v[w].len))
			best = 1;
	if (best == 0)
		return 0;
	best = 0;
	memcpy(masked, s, n);
	while (i < n) {
		const struct npat *word = word_at(&m->trim, masked + i, n - i);
		uint32_t cp;

		if (word) {
			memset(masked + i, '\x01', word->len);
			i += word->len;
		} else {
			i += utf8_decode((const unsigned char *)masked + i, n - i, &cp);
		}
	}
	for (size_t w = 0; w < m->unitw.n; w++) {
		const struct npat *p = &m->unitw.v[w];
		const char *q = masked;

		while ((q = ci_find(q, n - (size_t)(q - masked), p->s, p->len)) != NULL) {
			size_t end = (size_t)(q - masked) + p->len;
			if (end > best)
				best = end;
			q++;
		}
	}
	return best;
}

static unsigned content_chars(const char *s, size_t n)
{
	unsigned cjk, letters;
	struct plist none = { NULL, 0 };

	leftover(&none, s, n, &cjk, &letters);
	return cjk + letters;
}

static bool trim_ok(const struct matcher *m, const char *h, size_t a, size_t b, bool had_unit)
{
	return b > a && !is_noise(m, h + a, b - a) && (!had_unit || unit_end(m, h + a, b - a) != 0);
}

/*
 * Where a unit name starts after the sender's own words: "衡南县推荐|衡南县
 * 联众…", "祁东县工信局|衡阳市祁东县…".  A leading run of places and noise
 * that holds some noise and is followed by a place is cut; the place that
 * follows begins the name.  "衡阳市中小微企业服务中心" keeps its middle: no
 * place follows the noise.  Returns a when there is nothing to cut.
 */
static size_t lead_sender(const struct matcher *m, const char *h, size_t a, size_t b)
{
	size_t i = a;
	bool noise = false;

	while (i < b) {
		const struct npat *w = word_at(&m->trim, h + i, b - i);
		const struct npat *pl = word_at(&m->places, h + i, b - i);

		/* the longer reading wins: 衡阳市 is a place, not 衡阳 + 市 */
		if (w && (!pl || w->len >= pl->len)) {
			noise = true;
			i += w->len;
		} else if (pl) {
			if (noise)
				return i;
			i += pl->len;
		} else {
			break;
		}
	}
	return a;
}

/*
 * Cut a segment down to the unit's name: after its last unit word
 * ("衡阳XX科技有限公司营业执照" -> "...有限公司"), then numbering, years and
 * noise at either end, as long as what is left still names a unit.
 * Place words are not noise, so "衡阳市..." keeps its city.
 */
static void trim_seg(const struct matcher *m, const char *h, size_t *a_r, size_t *b_r)
{
	size_t a = *a_r, b = *b_r, ue = unit_end(m, h + a, b - a);
	bool had = ue != 0;

	if (had)
		b = a + ue;
	/* Each round removes at least one byte; the cap bounds the work on a
	 * long run of noise ("材料材料材料..."). */
	for (unsigned round = 0; round < 64 && b > a; round++) {
		bool moved = false;

		if (h[a] >= '0' && h[a] <= '9') {
			size_t na = a;
			while (na < b && h[na] >= '0' && h[na] <= '9')
				na++;
			if (b - na >= 3 && memcmp(h + na, "年", 3) == 0)
				na += 3;
			if (trim_ok(m, h, na, b, had)) {
				a = na;
				continue;
			}
		}
		for (size_t w = 0; w < m->trim.n; w++) {
			const struct npat *p = &m->trim.v[w];
			if (ci_prefix(h + a, b - a, p->s, p->len)) {
				if (trim_ok(m, h, a + p->len, b, had)) {
					a += p->len;
					moved = true;
				}
				break;
			}
		}
		if (moved)
			continue;
		{
			size_t na = lead_sender(m, h, a, b);
			if (na > a && trim_ok(m, h, na, b, had)) {
				a = na;
				continue;
			}
		}
		for (size_t w = 0; w < m->trim.n; w++) {
			const struct npat *p = &m->trim.v[w];
			if (p->len <= b - a && ci_prefix(h + b - p->len, p->len, p->s, p->len)) {
				if (trim_ok(m, h, a, b - p->len, had)) {
					b -= p->len;
					moved = true;
				}
				break;
			}
		}
		if (!moved)
			break;
	}
	*a_r = a;
	*b_r = b;
}

/*
 * The unit's name in a folder name, archive name, subject or file name:
 * split at punctuation and spaces, drop the pieces that are only noise,
 * places or numbering, prefer a piece naming a unit (公司, 园, 中心 ...),
 * then the longest.  need_unit: only a piece naming a unit will do
 * (subjects and file names say too much else).  NULL if nothing fits.
 */
static char *name_from(struct cx *x, const char *text, size_t n, bool strip_ext, bool need_unit,
                       bool *unit_r)
{
	const struct matcher *m = &x->m;
	size_t hn, pos = 0, a, b, ba = 0, bb = 0;
	char *h, *res = NULL;
	bool found = false, bunit = false;
	unsigned bcps = 0;

	if (unit_r)
		*unit_r = false;
	if (!text)
		return NULL;
	if (strip_ext)
		n -= ext_len(text, n);
	h = half_n(text, n, &hn);
	if (!h) {
		x->oom = true;
		return NULL;
	}
	while (next_seg(h, hn, &pos, &a, &b)) {
		bool uw;
		unsigned cps;

		trim_seg(m, h, &a, &b);
		if (b <= a || is_noise(m, h + a, b - a))
			continue;
		uw = unit_end(m, h + a, b - a) != 0;
		if (uw && content_chars(h + a, b - a) < MIN_NAME_CHARS)
			continue;          /* "公司" alone names nobody */
		if (need_unit && !uw)
			continue;
		cps = cps_of(h + a, b - a);
		if (!found || (uw && !bunit) || (uw == bunit && cps > bcps)) {
			found = true;
			bunit = uw;
			bcps = cps;
			ba = a;
			bb = b;
		}
	}
	if (found) {
		res = strndup(h + ba, bb - ba);
		if (!res)
			x->oom = true;
		if (unit_r)
			*unit_r = bunit;
	}
	free(h);
	return res;
}

/* Cut every word of l out of a normalised string. */
static char *cut_words(const struct plist *l, const char *s)
{
	size_t n = strlen(s), i = 0, o = 0;
	char *out = malloc(n + 1);     /* UNSAFE: only ever removes bytes */

	if (!out)
		return NULL;
	while (i < n) {
		const struct npat *word = word_at(l, s + i, n - i);
		uint32_t cp;
		size_t k;

		if (word) {
			i += word->len;
			continue;
		}
		k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	return out;
}

static char *key_of(const struct matcher *m, const char *applicant)
{
	char *n = norm_n(applicant, strlen(applicant), false), *k;

	if (!n)
		return NULL;
	k = cut_words(&m->keystrip, n);
	if (k && *k == '\0') {
		/* Nothing but legal form and place: compare the whole. */
		free(k);
		return n;
	}
	free(n);
	return k;
}

/* --------------------------------------------------------- county */

struct cmatch {
	int county;
	unsigned cps;
	size_t pos;
	const struct npat *w;
};

/* Longest county name or alias in a normalised text; on equal length the
 * earlier one ("南岳衡山" is 南岳区). */
static void find_county(const struct matcher *m, const char *norm, struct cmatch *r)
{
	for (size_t k = 0; k < m->counties.n; k++) {
		const struct npat *w = &m->counties.v[k];
		const char *p = strstr(norm, w->s);
		size_t pos;

		if (!p)
			continue;
		pos = (size_t)(p - norm);
		if (r->county < 0 || w->cps > r->cps || (w->cps == r->cps && pos < r->pos)) {
			r->county = w->owner;
			r->cps = w->cps;
			r->pos = pos;
			r->w = w;
		}
	}
}

static int county_in_text(struct cx *x, const char *text, bool strip_ext, struct cmatch *r)
{
	size_t n;
	char *norm;

	if (!text)
		return 0;
	n = strlen(text);
	if (n > TEXT_MAX * 8)
		n = TEXT_MAX * 8;      /* a county name is near the start of anything useful */
	norm = norm_n(text, n, strip_ext);
	if (!norm)
		return -1;
	find_county(&x->m, norm, r);
	free(norm);
	return 0;
}

static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at : NULL;
}

int classify_county(const struct campaign *c, const char *from_addr,
                    const char *from_display, const char *subject,
                    const char *const *names, size_t nnames,
                    struct classify_county *r)
{
	struct cx x;
	struct cmatch cm = { -1, 0, 0, NULL };
	const char *src = NULL;
	int ret = -1;
	char *addr = NULL;

	memset(&x, 0, sizeof(x));
	r->county = -1;
	r->by_sender = false;
	r->evidence = NULL;
	if (!c)
		return -1;
	x.c = c;
	if (matcher_build(&x.m, c) != 0)
		goto out;

	/* 1. the sender map: a full address first, then "@domain" */
	if (from_addr && *from_addr) {
		const char *dom;
		addr = strdup(from_addr);
		if (!addr)
			goto out;
		for (char *q = addr; *q; q++)
			*q = (char)lower_ascii((unsigned char)*q);
		dom = domain_of(addr);
		for (int pass = 0; pass < 2 && r->county < 0; pass++)
			for (size_t i = 0; i < c->ncounties && r->county < 0; i++)
				for (size_t s = 0; s < c->counties[i].senders.n; s++) {
					const char *snd = c->counties[i].senders.v[s];
					bool hit = pass == 0 ? snd[0] != '@' && strcmp(snd, addr) == 0
					                     : snd[0] == '@' && dom && strcmp(snd, dom) == 0;
					if (!hit)
						continue;
					r->county = (int)i;
					r->by_sender = true;
					r->evidence = pass == 0
						? xasprintf("发件人 %s 属于%s", snd, c->counties[i].name)
						: xasprintf("发件人域名 %s 属于%s", snd, c->counties[i].name);
					if (!r->evidence)
						goto out;
					break;
				}
		if (r->county >= 0) {
			ret = 0;
			goto out;
		}
	}

	/* 2. names in the display name, then the subject, then files */
	if (county_in_text(&x, from_display, false, &cm) != 0)
		goto out;
	if (cm.county >= 0) {
		r->county = cm.county;
		r->evidence = xasprintf("发件人名称“%.*s%s”含“%s”", clip(from_display, strlen(from_display)),
		                        from_display, clip_mark(strlen(from_display)), cm.w->orig);
		goto found;
	}
	if (county_in_text(&x, subject, false, &cm) != 0)
		goto out;
	if (cm.county >= 0) {
		r->county = cm.county;
		r->evidence = xasprintf("邮件主题含“%s”", cm.w->orig);
		goto found;
	}
	for (size_t i = 0; names && i < nnames; i++) {
		const char *p = names[i];
		struct cmatch one = { -1, 0, 0, NULL };

		/* Component by component: "衡阳/县级推荐" must not read 衡阳县. */
		while (p && *p) {
			const char *e = strchr(p, '/');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			char *comp = strndup(p, n);
			struct cmatch cc = { -1, 0, 0, NULL };

			if (!comp || county_in_text(&x, comp, e == NULL, &cc) != 0) {
				free(comp);
				goto out;
			}
			free(comp);
			if (cc.county >= 0 && (one.county < 0 || cc.cps > one.cps))
				one = cc;
			p = e ? e + 1 : NULL;
		}
		if (one.county >= 0 && (cm.county < 0 || one.cps > cm.cps)) {
			cm = one;
			src = names[i];
		}
	}
	if (cm.county >= 0) {
		r->county = cm.county;
		r->evidence = xasprintf("文件名“%.*s%s”含“%s”", clip(src, strlen(src)), src,
		                        clip_mark(strlen(src)), cm.w->orig);
		goto found;
	}
	r->evidence = xasprintf("发件人 %.*s%s 不在名单中，发件人名称、邮件主题和文件名中也没有县市区或园区名称",
	                        addr ? clip(addr, strlen(addr)) : (int)strlen("（空）"), addr ? addr : "（空）",
	                        addr ? clip_mark(strlen(addr)) : "");
found:
	if (!r->evidence)
		goto out;
	ret = 0;
out:
	if (ret != 0) {
		free(r->evidence);
		r->evidence = NULL;
		r->county = -1;
		r->by_sender = false;
	}
	free(addr);
	matcher_free(&x.m);
	return ret;
}

void classify_county_free(struct classify_county *r)
{
	if (!r)
		return;
	free(r->evidence);
	r->evidence = NULL;
}

char *classify_applicant_key(const struct campaign *c, const char *applicant)
{
	struct matcher m;
	char *k = NULL;

	if (!c || !applicant)
		return NULL;
	if (matcher_build(&m, c) == 0)
		k = key_of(&m, applicant);
	matcher_free(&m);
	return k;
}

/* ------------------------------------------------- one file alone */

static void report(struct cx *x, const char *kind, const char *subject, const char *reason)
{
	if (x->problem && reason)
		x->problem(x->pctx, kind, subject, reason);
}

/* Best match over every program and the county items; returns the
 * largest program length through *pcps. */
static void match_all(const struct cx *x, const char *norm, unsigned num,
                      struct best *own, struct best *cb, unsigned *pcps)
{
	*pcps = 0;
	for (size_t p = 0; p < x->c->nprograms; p++) {
		best_match(&x->m, norm, num, (int)p, &own[p]);
		if (own[p].cps > *pcps)
			*pcps = own[p].cps;
	}
	best_match(&x->m, norm, num, -1, cb);
}

static bool has_archive_ext(const char *s, size_t n)
{
	static const char *const exts[] = { ".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz" };

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t el = strlen(exts[i]);
		if (n > el && strncasecmp(s + n - el, exts[i], el) == 0)
			return true;
	}
	return false;
}

/* A folder or archive whose name names a unit: not read for items. */
static bool names_unit(struct cx *x, const char *s, size_t n)
{
	bool uw = false, r;
	char *nm = name_from(x, s, n, true, true, &uw);

	r = nm != NULL;
	free(nm);
	return r;
}

/*
 * Neither name nor folders decide: the text may say it is the county's
 * own paper (关于推荐…的报告), when that reads more strongly than any
 * program's item.
 */
static int county_by_content(struct cx *x, struct finfo *fi)
{
	const struct cbest *cb = &fi->ccounty;

	if (cb->item < 0 || cb->conf < (int)x->c->content_min_confidence)
		return 0;
	for (size_t p = 0; p < x->c->nprograms; p++)
		if (fi->cown[p].item >= 0 && fi->cown[p].conf >= cb->conf)
			return 0;
	fi->county_item = cb->item;
	fi->conf = cb->conf;
	fi->by_content = true;
	fi->evidence = xasprintf("%s；%s（县市区推荐材料）",
	                         fi->generic ? "文件名不说明内容" : "文件名未对应申报目录", cb->ev);
	return fi->evidence ? 0 : -1;
}

/*
 * Is the file a county item (C01/C02)?  By its own name when a county
 * pattern is strictly longer than any program's; a name matching nothing
 * takes the nearest folder, inner archive or top archive that matches
 * anything ("推荐报告/扫描1.jpg").
 */
static int county_check(struct cx *x, struct finfo *fi)
{
	struct best cb;
	unsigned pcps;
	const char *inner = fi->inner;

	match_all(x, fi->norm, fi->num, fi->own, &cb, &pcps);
	if (fi->exec || fi->empty)
		return 0;
	if (cb.item >= 0 && cb.cps > pcps) {
		if (fi->arch) {
			fi->county_arch = true;
			return 0;
		}
		fi->county_item = cb.item;
		fi->conf = 100;
		fi->evidence = xasprintf("文件名“%s”含“%s”（县市区推荐材料）", fi->name, cb.pat->orig);
		return fi->evidence ? 0 : -1;
	}
	if (pcps > 0 || cb.item >= 0 || fi->arch)
		return 0;
	if (!inner)
		return county_by_content(x, fi);

	/* Ancestors, nearest first: folders of the inner path, then the
	 * attachment it came from. */
	{
		const char *end = strrchr(inner, '/');
		bool top_done = false;
		unsigned seen = 0;

		for (;;) {
			const char *start;
			size_t n;
			char *norm;
			unsigned num;
			bool bare, is_top = false;
			struct best own[CAMPAIGN_MAX_PROGRAMS], acb;

			if (end && seen++ < MAX_ANCESTORS) {
				start = end;
				while (start > inner && start[-1] != '/')
					start--;
				n = (size_t)(end - start);
			} else if (!top_done && fi->f->top_name) {
				start = fi->f->top_name;
				n = strlen(start);
				is_top = true;
				top_done = true;
			} else {
				break;
			}
			if (names_unit(x, start, n)) {
				if (x->oom)
					return -1;
				if (is_top)
					break;
				end = start > inner ? start - 1 : NULL;
				continue;
			}
			norm = norm_n(start, n, true);
			if (!norm)
				return -1;
			num = lead_number(start, n, &bare);
			match_all(x, norm, num, own, &acb, &pcps);
			free(norm);
			if (pcps > 0 || acb.item >= 0) {
				if (acb.item >= 0 && acb.cps > pcps) {
					fi->county_item = acb.item;
					fi->conf = 90;
					fi->evidence = xasprintf("所在%s“%.*s”含“%s”（县市区推荐材料）",
					                         is_top || has_archive_ext(start, n) ? "压缩包" : "文件夹",
					                         (int)n, start, acb.pat->orig);
					return fi->evidence ? 0 : -1;
				}
				return 0;
			}
			if (is_top)
				break;
			end = start > inner ? start - 1 : NULL;
		}
	}
	return county_by_content(x, fi);
}

/* ---------------------------------------------------------- content */

#define TITLE_LINES 8U        /* non-empty lines of the title zone */
#define TITLE_LONG 40U        /* a longer line is body text, not a title */
#define BODY_MAX (32U << 10)  /* bytes of the first page read for body phrases */
#define QUOTE_CHARS 40U       /* characters of text quoted in evidence */

/* Up to QUOTE_CHARS characters of a line, tabs as spaces, "…" if cut. */
static char *quote_line(const char *s, size_t n)
{
	size_t i = 0, o = 0, chars = 0;
	char *out = malloc(n + 4);     /* UNSAFE: each byte copied once, plus "…" and NUL */

	if (!out)
		return NULL;
	while (i < n && chars < QUOTE_CHARS) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);

		if (cp == '\t' || cp == 0xFFFD) {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
		} else {
			memcpy(out + o, s + i, k);
			o += k;
		}
		i += k;
		chars++;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	if (i < n) {
		memcpy(out + o, "\xE2\x80\xA6", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* Every part of a (possibly "+"-joined) pattern, in any order: OCR of a
 * two-column licence reads its fields out of order. */
static bool body_match(const char *norm, const struct npat *p, unsigned *parts)
{
	const char *part = p->s;

	*parts = 0;
	while (*part) {
		const char *sep = strchr(part, '\x01');
		size_t len = sep ? (size_t)(sep - part) : strlen(part);
		bool hit = false;

		for (const char *c = norm; !hit && (c = strchr(c, part[0])) != NULL; c++)
			hit = strncmp(c, part, len) == 0;
		if (!hit)
			return false;
		(*parts)++;
		part += len + (sep ? 1 : 0);
	}
	return *parts > 0;
}

/* The first part of a pattern as written ("营业执照" of "营业执照+…"). */
static size_t first_part_len(const char *orig)
{
	const char *plus = strchr(orig, '+'), *fw = strstr(orig, "\xEF\xBC\x8B");
	const char *e = plus && (!fw || plus < fw) ? plus : fw;

	return e ? (size_t)(e - orig) : strlen(orig);
}

/* "一、", "（二）", "3.", "4、", "第一章": a section of the document, not
 * its title. */
static bool section_heading(const char *s, size_t n)
{
	static const char *const cn[] = { "一", "二", "三", "四", "五", "六", "七", "八", "九", "十" };
	size_t i = 0;
	bool num = false;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i >= 3 && (memcmp(s + i, "（", 3) == 0 || memcmp(s + i, "第", 3) == 0))
		i += 3;
	else if (i < n && s[i] == '(')
		i++;
	for (;;) {
		bool hit = false;
		for (size_t k = 0; k < sizeof(cn) / sizeof(cn[0]); k++)
			if (n - i >= 3 && memcmp(s + i, cn[k], 3) == 0) {
				i += 3;
				hit = num = true;
			}
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			i++;
			hit = num = true;
		}
		if (!hit)
			break;
	}
	if (!num || i >= n)
		return false;
	return (n - i >= 3 && (memcmp(s + i, "、", 3) == 0 || memcmp(s + i, "）", 3) == 0 ||
	                       memcmp(s + i, "章", 3) == 0 || memcmp(s + i, "．", 3) == 0)) ||
	       (s[i] == '.' && i + 1 < n && !(s[i + 1] >= '0' && s[i + 1] <= '9')) || s[i] == ')';
}

struct tline {
	const char *s;         /* the raw line */
	size_t n;
	char *norm;
	unsigned cps;          /* characters after normalisation */
	bool row;              /* a table row of two or more cells */
	bool heading;          /* a numbered section heading: "三、服务开展情况" */
	bool prose;            /* a sentence ("…，…。"): body text, never a title */
};

struct cscore {
	int score;             /* before the OCR factor */
	const struct tline *line;  /* title line, or NULL for a body match */
	const char *body_line; /* raw line of the body quote */
	size_t body_n;
	const struct npat *pat;
};

/* The first raw line of [t, t+n) whose normalised form holds w. */
static const char *line_with(const char *t, size_t n, const char *w, size_t *ln_r, bool *oom)
{
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t ln = nl ? (size_t)(nl - (t + i)) : n - i;
		char *norm = norm_n(t + i, ln, false);

		if (!norm) {
			*oom = true;
			return NULL;
		}
		if (strstr(norm, w)) {
			free(norm);
			*ln_r = ln;
			return t + i;
		}
		free(norm);
		i += ln + 1;
	}
	return NULL;
}

/*
 * Score every item against the file's text.  Title: a content pattern in
 * one of the first TITLE_LINES non-empty lines, stronger for a longer
 * pattern and an early line, weaker in a long line.  Body: every part of a
 * content_body phrase somewhere on the first page, stronger with more
 * parts.  Both for one item add up.  A negative word (通知, 发票) in the
 * first three lines vetoes every item whose title match is not on that
 * line, and every body match.  OCR text scales the score by its own
 * confidence; a close second item in the same program lowers it.
 */
static int content_pass(struct cx *x, struct finfo *fi)
{
	const struct classify_file *f = fi->f;
	const struct campaign *c = x->c;
	const struct matcher *m = &x->m;
	struct tline tl[TITLE_LINES];
	size_t nt = 0, page, i = 0, bodylen;
	char *bnorm = NULL;
	const char *neg = NULL;
	int ret = -1, factor = 100;
	struct cscore *sc = NULL;
	bool oom = false;

	for (size_t p = 0; p < CAMPAIGN_MAX_PROGRAMS; p++)
		fi->cown[p].item = -1;
	fi->ccounty.item = -1;
	if (!f->text || f->text_len == 0 || c->nitems == 0)
		return 0;
	page = f->text_len;
	{
		const char *ff = memchr(f->text, '\f', f->text_len);
		if (ff)
			page = (size_t)(ff - f->text);
	}
	bodylen = page > BODY_MAX ? BODY_MAX : page;
	while (i < page && nt < TITLE_LINES) {
		const char *nl = memchr(f->text + i, '\n', page - i);
		size_t ln = nl ? (size_t)(nl - (f->text + i)) : page - i;
		char *norm;

		if (ln > TEXT_MAX * 4)
			ln = TEXT_MAX * 4;
		norm = norm_n(f->text + i, ln, false);
		if (!norm)
			goto out;
		if (*norm) {
			tl[nt].s = f->text + i;
			tl[nt].n = ln;
			tl[nt].norm = norm;
			tl[nt].cps = cps_of(norm, strlen(norm));
			tl[nt].row = false;
			tl[nt].heading = section_heading(f->text + i, ln);
			tl[nt].prose = memmem(f->text + i, ln, "。", 3) != NULL ||
			               memmem(f->text + i, ln, "，", 3) != NULL;
			{
				unsigned cells = 0;
				const char *q = f->text + i, *e = f->text + i + ln;
				while (q < e) {
					const char *tab = memchr(q, '\t', (size_t)(e - q));
					const char *ce = tab ? tab : e;
					for (const char *r = q; r < ce; r++)
						if (*r != ' ' && *r != '\r') {
							cells++;
							break;
						}
					q = tab ? tab + 1 : e;
				}
				tl[nt].row = cells >= 2;
			}
			nt++;
			fi->tz_len = (size_t)(f->text + i + ln - f->text);
		} else {
			free(norm);
		}
		i += (nl ? (size_t)(nl - (f->text + i)) : page - i) + 1;
	}
	bnorm = norm_n(f->text, bodylen, false);
	sc = calloc(c->nitems + 1, sizeof(*sc));
	if (!bnorm || !sc)
		goto out;
	/* A title ending in a negative word: "关于召开…的通知", "增值税普通发票". */
	for (size_t k = 0; k < nt && k < 3 && !neg; k++) {
		size_t ln = strlen(tl[k].norm);

		if (tl[k].cps > TITLE_LONG || tl[k].row)
			continue;
		for (size_t w = 0; w < m->negative.n && !neg; w++)
			if (ln >= m->negative.v[w].len &&
			    strcmp(tl[k].norm + ln - m->negative.v[w].len, m->negative.v[w].s) == 0)
				neg = m->negative.v[w].s;
	}

	for (size_t it = 0; it < c->nitems; it++) {
		struct cscore *s = &sc[it];
		int title = 0, body = 0;
		const struct plist *pl = &m->ctitle[it], *bl = &m->cbody[it];

		for (size_t k = 0; k < nt; k++) {
			if (tl[k].row || tl[k].prose || excluded(m, it, tl[k].norm))
				continue;      /* a table row or a sentence is no title */
			for (size_t q = 0; q < pl->n; q++) {
				const struct npat *pt = &pl->v[q];
				int v;

				if (!pat_match(tl[k].norm, pt))
					continue;
				if (neg && !strstr(pt->s, neg))
					continue;      /* 关于…的通知 names no item, unless the pattern says 通知 */
				v = 60 + 3 * (int)(pt->cps < 8 ? pt->cps : 8) + (k == 0 ? 12 : k < 3 ? 6 : 0) -
				    (tl[k].cps > TITLE_LONG ? 20 : 0) - (tl[k].heading ? 15 : 0);
				if (v > title) {
					title = v;
					s->line = &tl[k];
					s->pat = pt;
				}
			}
		}
		if (!neg)
			for (size_t q = 0; q < bl->n; q++) {
				unsigned parts;
				int v;

				if (!body_match(bnorm, &bl->v[q], &parts))
					continue;
				v = 45 + 8 * (int)parts;
				if (v > 85)
					v = 85;
				if (v > body) {
					body = v;
					/* The title, when one matched, is the quote; else the
					 * line of the phrase's first part. */
					if (title == 0) {
						size_t fl = first_part_len(bl->v[q].orig);
						char *w = norm_n(bl->v[q].orig, fl, false);
						if (!w)
							goto out;
						s->body_line = line_with(f->text, bodylen, w, &s->body_n, &oom);
						free(w);
						if (oom)
							goto out;
						s->line = NULL;
						s->pat = &bl->v[q];
					}
				}
			}
		s->score = title > body ? title : body;
		if (title && body)
			s->score += 10;
		if (s->score > 100)
			s->score = 100;
	}

	if (f->text_source == TEXT_OCR) {
		int tc = f->text_confidence < 0 ? 0 : f->text_confidence > 100 ? 100 : f->text_confidence;
		factor = 50 + tc / 2;
	}
	/* Best per program and among the county items. */
	for (int p = -1; p < (int)c->nprograms; p++) {
		struct cbest *b = p < 0 ? &fi->ccounty : &fi->cown[p];
		int best = -1, second = 0, conf;
		const struct cscore *s;
		char *q;

		for (size_t it = 0; it < c->nitems; it++) {
			if (c->items[it].program != p || sc[it].score == 0)
				continue;
			if (best < 0 || sc[it].score > sc[best].score) {
				if (best >= 0)
					second = sc[best].score;
				best = (int)it;
			} else if (sc[it].score > second) {
				second = sc[it].score;
			}
		}
		if (best < 0)
			continue;
		s = &sc[best];
		conf = s->score * factor / 100;
		if (second && s->score - second < 5)
			conf -= 15;        /* two items read alike: say so in the number */
		if (conf < 1)
			conf = 1;
		b->item = best;
		b->conf = conf;
		if (s->line)
			q = quote_line(s->line->s, s->line->n);
		else if (s->body_line)
			q = quote_line(s->body_line, s->body_n);
		else
			q = quote_line(f->text, bodylen);
		if (!q)
			goto out;
		b->ev = xasprintf("内容“%s”含“%s”（%s，置信度 %d）", q, s->pat->orig,
		                  f->text_source == TEXT_OCR ? "文字识别" : "按文件内容", conf);
		free(q);
		if (!b->ev)
			goto out;
	}
	ret = 0;
out:
	for (size_t k = 0; k < nt; k++)
		free(tl[k].norm);
	free(bnorm);
	free(sc);
	return ret;
}

/* A name of nothing but generic words and digits ("扫描全能王 2023-05-10",
 * "IMG_2034", "附件5", "新建 Microsoft Word 文档"). */
static int generic_name(const struct cx *x, struct finfo *fi)
{
	char *cut;
	bool only_digits = true;

	if (x->m.generic.n == 0 || !fi->norm)
		return 0;
	cut = cut_words(&x->m.generic, fi->norm);
	if (!cut)
		return -1;
	for (const char *q = cut; *q; q++)
		if (!(*q >= '0' && *q <= '9'))
			only_digits = false;
	fi->generic = only_digits && strcmp(cut, fi->norm) != 0;
	free(cut);
	return 0;
}

/* The applicant named in a form cell (单位名称, 基地名称, 申请单位：…). */
static char *form_applicant(struct cx *x, const char *t, size_t n, const char **label_r)
{
	size_t i = 0;

	if (n > BODY_MAX)
		n = BODY_MAX;
	while (i < n) {
		const char *line = t + i, *nl = memchr(line, '\n', n - i);
		size_t ln = nl ? (size_t)(nl - line) : n - i, a = 0;

		while (a < ln) {
			const char *tab = memchr(line + a, '\t', ln - a);
			size_t cl = tab ? (size_t)(tab - (line + a)) : ln - a;
			char *cn = cl <= TEXT_MAX ? norm_n(line + a, cl, false) : NULL;

			if (cl <= TEXT_MAX && !cn) {
				x->oom = true;
				return NULL;
			}
			for (size_t w = 0; cn && w < x->m.formlab.n; w++) {
				const struct npat *lab = &x->m.formlab.v[w];
				const char *v = NULL, *colon;
				size_t vn = 0;
				char *nm;
				bool uw;

				if (strncmp(cn, lab->s, lab->len) != 0)
					continue;
				/* "申请单位（盖章）：衡阳…" in the cell, else the next cell */
				colon = memmem(line + a, cl, "\xEF\xBC\x9A", 3);
				if (colon) {
					v = colon + 3;
				} else if ((colon = memchr(line + a, ':', cl)) != NULL) {
					v = colon + 1;
				}
				if (v)
					vn = (size_t)(line + a + cl - v);
				if (!v || vn == 0) {
					if (!tab)
						break;
					v = tab + 1;
					{
						const char *t2 = memchr(v, '\t', (size_t)(line + ln - v));
						vn = t2 ? (size_t)(t2 - v) : (size_t)(line + ln - v);
					}
				}
				nm = name_from(x, v, vn, false, true, &uw);
				if (x->oom) {
					free(cn);
					return NULL;
				}
				if (nm) {
					free(cn);
					*label_r = lab->orig;
					return nm;
				}
			}
			free(cn);
			a += cl + 1;
		}
		i += ln + 1;
	}
	return NULL;
}

static int file_pass(struct cx *x)
{
	for (size_t i = 0; i < x->nf; i++) {
		const struct classify_file *f = &x->in->files[i];
		struct finfo *fi = &x->fi[i];
		const char *rule;

		fi->f = f;
		fi->name = f->name ? f->name : "";
		fi->display = f->path ? f->path : fi->name;
		fi->inner = f->inner;
		fi->county_item = -1;
		fi->unit = -1;
		fi->next = -1;
		fi->item = -1;
		for (size_t p = 0; p < CAMPAIGN_MAX_PROGRAMS; p++)
			fi->own[p].item = -1;
		fi->arch = f->container || f->kind == SNIFF_ARCHIVE;
		fi->exec = f->kind == SNIFF_EXECUTABLE || f->kind == SNIFF_SCRIPT;
		fi->empty = f->kind == SNIFF_EMPTY;
		if (f->body_image) {
			fi->ignored = true;
			fi->evidence = strdup("邮件正文中的图片（签名、标志等），不属于申报材料");
		} else if ((rule = ignored_by(&x->m, f->path)) != NULL ||
		           (rule = ignored_by(&x->m, f->inner)) != NULL ||
		           (rule = ignored_by(&x->m, fi->name)) != NULL) {
			fi->ignored = true;
			fi->evidence = xasprintf("系统自动生成的文件（%s），不属于申报材料", rule);
		}
		if (fi->ignored) {
			if (!fi->evidence)
				return -1;
			continue;
		}
		fi->norm = norm_n(fi->name, strlen(fi->name), true);
		if (!fi->norm)
			return -1;
		fi->num = lead_number(fi->name, strlen(fi->name), &fi->bare);
		if (generic_name(x, fi) != 0 || content_pass(x, fi) != 0)
			return -1;
		if (fi->generic)
			fi->num = 0;       /* "附件5", "IMG_0005": no catalogue number */
		if (county_check(x, fi) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ units */

static int new_unit(struct cx *x, enum ukind kind, int top, const char *top_name)
{
	struct unit *u;

	if (x->nu == x->capu) {
		size_t ncap = x->capu ? x->capu * 2 : 8;
		struct unit *nv = realloc(x->u, ncap * sizeof(*nv));
		if (!nv) {
			x->oom = true;
			return -1;
		}
		x->u = nv;
		x->capu = ncap;
	}
	u = &x->u[x->nu];
	memset(u, 0, sizeof(*u));
	u->kind = kind;
	u->top = top;
	u->top_name = top_name ? top_name : "";
	u->program = -1;
	u->parent = -1;
	u->head = -1;
	u->dossier = -1;
	return (int)x->nu++;
}

static bool structural(const struct finfo *fi)
{
	return !fi->ignored && fi->county_item < 0 && !fi->county_arch;
}

struct ent {
	int top;
	const char *inner;
	size_t idx;
};

static int cmp_ent(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int r;

	if (x->top != y->top)
		return x->top < y->top ? -1 : 1;
	r = strcmp(x->inner, y->inner);
	if (r)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

struct comp {
	const char *s;
	size_t len;
	bool dir, arch, item, named_unit;
	char *name;            /* unit name found in it (owned until a unit takes it) */
	int unit;
};

static int cmp_comp(const void *a, const void *b)
{
	const struct comp *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->s, y->s, n);

	if (r)
		return r;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* A folder named like an item ("06-营业执照", "3") holds items, not a unit. */
static int comp_info(struct cx *x, struct comp *cp)
{
	char *norm = norm_n(cp->s, cp->len, true);
	struct best own[CAMPAIGN_MAX_PROGRAMS], cb;
	unsigned pcps, num;
	bool bare;

	if (!norm)
		return -1;
	num = lead_number(cp->s, cp->len, &bare);
	match_all(x, norm, num, own, &cb, &pcps);
	free(norm);
	cp->name = name_from(x, cp->s, cp->len, true, false, &cp->named_unit);
	/* "耒阳市融信中小企业融资服务有限公司" holds the B11 word 融资服务 but
	 * names a unit: a folder naming a unit is never an item folder. */
	cp->item = !cp->named_unit && (pcps > 0 || cb.item >= 0 || (num && bare));
	return x->oom ? -1 : 0;
}

/* Gather the distinct components below base[0..plen) of the group. */
static size_t gather(struct cx *x, const struct ent *e, size_t gb, size_t ge,
                     const char *base, size_t plen, struct comp *comps)
{
	size_t nc = 0, o = 0;

	for (size_t i = gb; i < ge; i++) {
		const struct finfo *fi = &x->fi[e[i].idx];
		const char *rest, *slash;

		if (!structural(fi) || (plen && strncmp(e[i].inner, base, plen) != 0))
			continue;
		rest = e[i].inner + plen;
		slash = strchr(rest, '/');
		if (!slash && !fi->arch)
			continue;
		comps[nc].s = rest;
		comps[nc].len = slash ? (size_t)(slash - rest) : strlen(rest);
		comps[nc].dir = slash != NULL;
		comps[nc].arch = !slash || has_archive_ext(rest, comps[nc].len);
		comps[nc].item = comps[nc].named_unit = false;
		comps[nc].name = NULL;
		comps[nc].unit = -1;
		nc++;
	}
	if (nc > 1)
		qsort(comps, nc, sizeof(comps[0]), cmp_comp);
	for (size_t i = 0; i < nc; i++) {
		if (o && cmp_comp(&comps[o - 1], &comps[i]) == 0) {
			comps[o - 1].dir |= comps[i].dir;
			comps[o - 1].arch |= comps[i].arch;
			continue;
		}
		comps[o++] = comps[i];
	}
	return o;
}

static int set_applicant(struct cx *x, struct unit *u, char *name, bool unitword,
                         const char *what, const char *src, size_t srclen)
{
	u->applicant = name;
	u->app_known = true;
	u->app_unit = unitword;
	u->app_ev = xasprintf("取自%s“%.*s%s”", what, clip(src, srclen), src, clip_mark(srclen));
	if (!u->app_ev) {
		x->oom = true;
		return -1;
	}
	return 0;
}

/*
 * One top-level archive: one unit, or one per unit folder / inner archive
 * when two or more of them name units.  Returns the unit the archive
 * itself belongs to (-1 when split or empty), -2 on allocation failure.
 */
static int process_group(struct cx *x, const struct ent *e, size_t gb, size_t ge, struct comp *comps)
{
	const char *base = NULL, *top_name = x->fi[e[gb].idx].f->top_name;
	size_t plen = 0, nc, nstrong = 0, nstruct = 0, nnamed = 0;
	unsigned depth = 0;
	int top = e[gb].top, ret = -1;

	for (size_t i = gb; i < ge; i++)
		if (structural(&x->fi[e[i].idx]))
			nstruct++;
	if (nstruct == 0)
		return -1;

	/* Step down through single folders that only name the county or the
	 * call: "祁东县/", "2023年申报材料/". */
	for (;;) {
		nc = gather(x, e, gb, ge, base, plen, comps);
		if (nc == 1 && comps[0].dir && depth < MAX_DESCENT) {
			if (comp_info(x, &comps[0]) != 0)
				return -2;
			if (!comps[0].item && !comps[0].name) {
				const char *nb = NULL;
				for (size_t i = gb; i < ge && !nb; i++)
					if ((plen == 0 || strncmp(e[i].inner, base, plen) == 0) &&
					    strncmp(e[i].inner + plen, comps[0].s, comps[0].len) == 0 &&
					    e[i].inner[plen + comps[0].len] == '/')
						nb = e[i].inner;
				if (nb) {
					base = nb;
					plen += comps[0].len + 1;
					depth++;
					free(comps[0].name);
					continue;
				}
			}
			free(comps[0].name);
			comps[0].name = NULL;
		}
		break;
	}
	for (size_t k = 0; k < nc; k++) {
		if (comp_info(x, &comps[k]) != 0)
			goto out_oom;
		if (!comps[k].item && comps[k].name) {
			nnamed++;
			if (comps[k].named_unit || comps[k].arch)
				nstrong++;
		}
	}

	if (nstrong >= 2) {
		int leftover = -1;

		for (size_t k = 0; k < nc; k++) {
			struct unit *u;
			int ui;

			if (comps[k].item || !comps[k].name)
				continue;
			ui = new_unit(x, U_COMP, top, top_name);
			if (ui < 0)
				goto out_oom;
			u = &x->u[ui];
			u->base = base;
			u->plen = plen;
			u->comp = comps[k].s;
			u->complen = comps[k].len;
			u->comp_arch = comps[k].arch;
			u->skip = plen + comps[k].len + 1;
			if (set_applicant(x, u, comps[k].name, comps[k].named_unit,
			                  comps[k].arch ? "压缩包名" : "文件夹名", comps[k].s, comps[k].len) != 0) {
				comps[k].name = NULL;
				goto out_oom;
			}
			comps[k].name = NULL;
			comps[k].unit = ui;
		}
		for (size_t i = gb; i < ge; i++) {
			struct finfo *fi = &x->fi[e[i].idx];
			const char *inner = e[i].inner;

			if (!structural(fi))
				continue;
			if (plen == 0 || strncmp(inner, base, plen) == 0) {
				const char *rest = inner + plen, *slash = strchr(rest, '/');
				struct comp key, *hit;

				if (slash || fi->arch) {
					key.s = rest;
					key.len = slash ? (size_t)(slash - rest) : strlen(rest);
					hit = bsearch(&key, comps, nc, sizeof(comps[0]), cmp_comp);
					if (hit && hit->unit >= 0) {
						fi->unit = hit->unit;
						continue;
					}
				}
			}
			if (fi->arch)
				continue;      /* a packet-level archive: its entries are the units */
			if (leftover < 0) {
				leftover = new_unit(x, U_LEFTOVER, top, top_name);
				if (leftover < 0)
					goto out_oom;
				x->u[leftover].base = base;
				x->u[leftover].plen = plen;
				x->u[leftover].skip = plen;
			}
			fi->unit = leftover;
		}
		ret = -1;
	} else {
		int ui = new_unit(x, U_ARCHIVE, top, top_name);
		struct unit *u;
		struct comp *named = NULL;
		char *tname = NULL;
		bool tunit = false;

		if (ui < 0)
			goto out_oom;
		u = &x->u[ui];
		u->base = base;
		u->plen = plen;
		u->skip = plen;
		if (nnamed == 1)
			for (size_t k = 0; k < nc; k++)
				if (!comps[k].item && comps[k].name)
					named = &comps[k];
		if (named) {
			u->comp = named->s;
			u->complen = named->len;
			u->comp_arch = named->arch;
		}
		if (top_name) {
			tname = name_from(x, top_name, strlen(top_name), true, false, &tunit);
			if (x->oom)
				goto out_oom;
		}
		/* The folder inside, unless only the archive's name has a unit word. */
		if (named && (named->named_unit || !tunit)) {
			if (set_applicant(x, u, named->name, named->named_unit,
			                  named->arch ? "压缩包名" : "文件夹名", named->s, named->len) != 0) {
				named->name = NULL;
				free(tname);
				goto out_oom;
			}
			named->name = NULL;
			free(tname);
		} else if (tname) {
			if (set_applicant(x, u, tname, tunit, "压缩包名", top_name, strlen(top_name)) != 0)
				goto out_oom;
		}
		for (size_t i = gb; i < ge; i++)
			if (structural(&x->fi[e[i].idx]))
				x->fi[e[i].idx].unit = ui;
		ret = ui;
	}
	for (size_t k = 0; k < nc; k++)
		free(comps[k].name);
	return ret;
out_oom:
	for (size_t k = 0; k < nc; k++)
		free(comps[k].name);
	x->oom = true;
	return -2;
}

static int root(const struct cx *x, int u)
{
	/* Merges only ever point at a unit that is itself a root, so this
	 * takes at most two steps. */
	while (u >= 0 && x->u[u].parent >= 0)
		u = x->u[u].parent;
	return u;
}

static int build_units(struct cx *x)
{
	struct ent *e = NULL;
	struct comp *comps = NULL;
	int *grp = NULL;
	size_t ne = 0;
	int loose = -1, ret = -1;

	e = calloc(x->nf + 1, sizeof(*e));
	comps = calloc(x->nf + 1, sizeof(*comps));
	grp = calloc(x->nf + 1, sizeof(*grp));
	if (!e || !comps || !grp)
		goto out;
	for (size_t i = 0; i < x->nf; i++) {
		const struct finfo *fi = &x->fi[i];
		if (fi->ignored || !fi->inner)
			continue;
		e[ne].top = fi->f->top;
		e[ne].inner = fi->inner;
		e[ne].idx = i;
		ne++;
	}
	if (ne > 1)
		qsort(e, ne, sizeof(e[0]), cmp_ent);
	for (size_t gb = 0; gb < ne;) {
		size_t ge = gb + 1;
		int r;

		while (ge < ne && e[ge].top == e[gb].top)
			ge++;
		r = process_group(x, e, gb, ge, comps);
		if (r == -2)
			goto out;
		for (size_t i = gb; i < ge; i++)
			grp[i] = r;
		gb = ge;
	}

	for (size_t i = 0; i < x->nf; i++) {
		struct finfo *fi = &x->fi[i];

		if (fi->ignored || fi->inner || fi->county_item >= 0)
			continue;
		if (fi->arch) {
			/* The archive itself: with its unit when it is one unit. */
			size_t lo = 0, hi = ne;
			if (fi->county_arch)
				continue;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (e[mid].top < fi->f->top)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < ne && e[lo].top == fi->f->top) {
				fi->unit = grp[lo];
				continue;
			}
			/* Nothing listed inside (encrypted, damaged): a unit of its own. */
			fi->unit = new_unit(x, U_ARCHIVE, fi->f->top, fi->name);
			if (fi->unit < 0)
				goto out;
			{
				struct unit *u = &x->u[fi->unit];
				bool uw;
				char *nm = name_from(x, fi->name, strlen(fi->name), true, false, &uw);
				if (x->oom)
					goto out;
				if (nm && set_applicant(x, u, nm, uw, "压缩包名", fi->name, strlen(fi->name)) != 0)
					goto out;
			}
			continue;
		}
		if (loose < 0) {
			loose = new_unit(x, U_LOOSE, fi->f->top, NULL);
			if (loose < 0)
				goto out;
		}
		fi->unit = loose;
	}
	ret = 0;
out:
	if (ret != 0)
		x->oom = true;
	free(e);
	free(comps);
	free(grp);
	return ret;
}

/* Units that will become dossiers: roots with members. */
static size_t count_live(const struct cx *x)
{
	size_t n = 0;

	for (size_t k = 0; k < x->nu; k++)
		if (x->u[k].parent < 0 && x->u[k].nmem > 0)
			n++;
	return n;
}

static void link_members(struct cx *x)
{
	for (size_t k = 0; k < x->nu; k++) {
		x->u[k].head = -1;
		x->u[k].nmem = 0;
		x->u[k].first = (size_t)-1;
	}
	for (size_t i = x->nf; i-- > 0;) {
		struct finfo *fi = &x->fi[i];
		int r;

		if (fi->unit < 0)
			continue;
		r = root(x, fi->unit);
		fi->unit = r;
		fi->next = x->u[r].head;
		x->u[r].head = (int)i;
		x->u[r].nmem++;
		x->u[r].first = i;
	}
}

/*
 * Files beside the unit folders of a county packet ("说明.docx") form a
 * dossier of their own only if one of them is a checklist item; otherwise
 * they are reported as unrecognised and belong to no dossier.
 */
static void drop_idle_leftovers(struct cx *x)
{
	for (size_t k = 0; k < x->nu; k++) {
		struct unit *u = &x->u[k];
		bool any = false;

		if (u->kind != U_LEFTOVER || u->nmem == 0)
			continue;
		for (int i = u->head; i >= 0 && !any; i = x->fi[i].next)
			for (size_t p = 0; p < x->c->nprograms; p++)
				if (x->fi[i].own[p].item >= 0)
					any = true;
		if (any)
			continue;
		for (int i = u->head; i >= 0; i = x->fi[i].next) {
			x->fi[i].unit = -1;
			x->fi[i].orphan = true;
		}
	}
	link_members(x);
}

/* Applicants for units whose own names said nothing. */
static int name_fallbacks(struct cx *x)
{
	const char *subj = x->in->subject;
	size_t live;

	link_members(x);
	drop_idle_leftovers(x);
	live = count_live(x);
	for (size_t k = 0; k < x->nu; k++) {
		struct unit *u = &x->u[k];
		bool uw;
		char *nm;

		if (u->parent >= 0 || u->nmem == 0 || u->app_known || u->kind == U_LEFTOVER)
			continue;
		/* The subject names the message, so it names a unit only when the
		 * message has one, or for the loose files. */
		if (subj && (live == 1 || u->kind == U_LOOSE)) {
			nm = name_from(x, subj, strlen(subj), false, true, &uw);
			if (x->oom)
				return -1;
			if (nm) {
				if (set_applicant(x, u, nm, uw, "邮件主题", subj, strlen(subj)) != 0)
					return -1;
				continue;
			}
		}
		if (u->kind == U_LOOSE) {
			for (int i = u->head; i >= 0 && !u->app_known; i = x->fi[i].next) {
				const struct finfo *fi = &x->fi[i];
				nm = name_from(x, fi->name, strlen(fi->name), true, true, &uw);
				if (x->oom)
					return -1;
				if (nm && set_applicant(x, u, nm, uw, "文件名", fi->name, strlen(fi->name)) != 0)
					return -1;
			}
			if (u->app_known)
				continue;
		}
		/* The files say nothing by name: the form's 单位名称 cell. */
		for (int i = u->head; i >= 0; i = x->fi[i].next) {
			const struct finfo *fi = &x->fi[i];
			const char *label = NULL;

			if (!fi->f->text || fi->ignored)
				continue;
			nm = form_applicant(x, fi->f->text, fi->f->text_len, &label);
			if (x->oom)
				return -1;
			if (nm) {
				u->applicant = nm;
				u->app_known = true;
				u->app_unit = true;
				u->app_ev = xasprintf("取自文件“%s”中“%s”一栏", fi->name, label);
				if (!u->app_ev)
					return -1;
				break;
			}
		}
	}
	return 0;
}

/* ---------------------------------------------------------- program */

/* The one program a text names (the longest pattern; a tie names none). */
static int program_in(const struct cx *x, const char *text, size_t n, bool strip_ext,
                      const struct npat **w_r, bool *oom)
{
	char *norm;
	int bestp = -1;
	unsigned bestc = 0;
	bool tie = false;

	*w_r = NULL;
	if (!text || n == 0)
		return -1;
	if (n > TEXT_MAX * 8)
		n = TEXT_MAX * 8;
	norm = norm_n(text, n, strip_ext);
	if (!norm) {
		*oom = true;
		return -1;
	}
	for (size_t p = 0; p < x->c->nprograms; p++) {
		const struct plist *pl = &x->m.prog[p];
		const struct npat *w = NULL;

		for (size_t k = 0; k < pl->n; k++)
			if ((!w || pl->v[k].cps > w->cps) && pat_match(norm, &pl->v[k]))
				w = &pl->v[k];
		if (!w)
			continue;
		if (w->cps > bestc) {
			bestc = w->cps;
			bestp = (int)p;
			*w_r = w;
			tie = false;
		} else if (w->cps == bestc) {
			tie = true;
		}
	}
	free(norm);
	return tie ? -1 : bestp;
}

/* The program with the highest count, or -1 when all are 0 or the highest
 * is shared; *bestn_r is that count. */
static int sole_best(const unsigned *n, size_t nprograms, unsigned *bestn_r)
{
	int bestp = -1;
	unsigned bestn = 0;
	bool tie = false;

	for (size_t p = 0; p < nprograms; p++) {
		if (n[p] > bestn) {
			bestn = n[p];
			bestp = (int)p;
			tie = false;
		} else if (n[p] && n[p] == bestn) {
			tie = true;
		}
	}
	*bestn_r = bestn;
	return tie ? -1 : bestp;
}

static int program_by_text(struct cx *x, struct unit *u)
{
	const struct npat *w;
	bool oom = false;
	int p;

	if (u->comp) {
		p = program_in(x, u->comp, u->complen, true, &w, &oom);
		if (p >= 0) {
			u->program = p;
			u->prog_ev = xasprintf("%s“%.*s”含“%s”", u->comp_arch ? "压缩包名" : "文件夹名",
			                       (int)u->complen, u->comp, w->orig);
			goto done;
		}
	}
	if (u->plen) {
		/* Packet folders above the unit, nearest first. */
		size_t end = u->plen - 1;
		for (;;) {
			size_t start = end;
			while (start > 0 && u->base[start - 1] != '/')
				start--;
			p = program_in(x, u->base + start, end - start, true, &w, &oom);
			if (p >= 0) {
				u->program = p;
				u->prog_ev = xasprintf("文件夹名“%.*s”含“%s”", (int)(end - start), u->base + start, w->orig);
				goto done;
			}
			if (start == 0)
				break;
			end = start - 1;
		}
	}
	if (u->kind != U_LOOSE && u->top_name && *u->top_name) {
		p = program_in(x, u->top_name, strlen(u->top_name), true, &w, &oom);
		if (p >= 0) {
			u->program = p;
			u->prog_ev = xasprintf("压缩包名“%s”含“%s”", u->top_name, w->orig);
			goto done;
		}
	}
	if (x->in->subject) {
		p = program_in(x, x->in->subject, strlen(x->in->subject), false, &w, &oom);
		if (p >= 0) {
			u->program = p;
			u->prog_ev = xasprintf("邮件主题含“%s”", w->orig);
			goto done;
		}
	}
	return oom ? -1 : 0;
done:
	if (!u->prog_ev || oom) {
		x->oom = true;
		return -1;
	}
	return 0;
}

/* The annex number of a program in a name: "附件3申报书" is institution. */
static int annex_program(const struct cx *x, const char *norm)
{
	for (size_t p = 0; p < x->c->nprograms; p++) {
		const struct plist *a = &x->m.annex[p];
		for (size_t k = 0; k < a->n; k++) {
			const char *q = norm;
			while ((q = strstr(q, a->v[k].s)) != NULL) {
				char nx = q[a->v[k].len];
				if (!(nx >= '0' && nx <= '9'))
					return (int)p;
				q++;
			}
		}
	}
	return -1;
}

/* The program words in the files' title zones ("衡阳市中小微企业核心服务机构
 * 申请表"): the program most files name, if one does. */
static int program_by_titles(struct cx *x, struct unit *u)
{
	unsigned n[CAMPAIGN_MAX_PROGRAMS] = { 0 };
	int example[CAMPAIGN_MAX_PROGRAMS];
	const struct npat *word[CAMPAIGN_MAX_PROGRAMS];
	int bestp;
	unsigned bestn;
	bool oom = false;

	for (int i = u->head; i >= 0; i = x->fi[i].next) {
		const struct finfo *fi = &x->fi[i];
		const struct npat *w;
		int p;

		if (!fi->f->text || fi->tz_len == 0)
			continue;
		p = program_in(x, fi->f->text, fi->tz_len, false, &w, &oom);
		if (oom) {
			x->oom = true;
			return -1;
		}
		if (p < 0)
			continue;
		if (n[p]++ == 0) {
			example[p] = i;
			word[p] = w;
		}
	}
	bestp = sole_best(n, x->c->nprograms, &bestn);
	if (bestp < 0)
		return 0;
	u->program = bestp;
	u->prog_ev = xasprintf("按文件内容判断：文件“%s”的标题含“%s”", x->fi[example[bestp]].name,
	                       word[bestp]->orig);
	if (!u->prog_ev) {
		x->oom = true;
		return -1;
	}
	return 0;
}

/* Files that fit one program's checklist only decide it. */
static int program_by_items(struct cx *x, struct unit *u)
{
	unsigned excl[CAMPAIGN_MAX_PROGRAMS] = { 0 };
	int example[CAMPAIGN_MAX_PROGRAMS];
	int bestp;
	unsigned bestn;

	for (size_t p = 0; p < CAMPAIGN_MAX_PROGRAMS; p++)
		example[p] = -1;
	for (int i = u->head; i >= 0; i = x->fi[i].next) {
		const struct finfo *fi = &x->fi[i];
		int only = -1, nmatch = 0, ap;

		if (fi->exec || fi->arch || fi->empty || !fi->norm)
			continue;
		for (size_t p = 0; p < x->c->nprograms; p++)
			if (fi->own[p].item >= 0) {
				only = (int)p;
				nmatch++;
			}
		if (nmatch != 1 && !fi->generic && (ap = annex_program(x, fi->norm)) >= 0) {
			only = ap;
			nmatch = 1;
		}
		if (nmatch == 0)
			for (size_t p = 0; p < x->c->nprograms; p++)
				if (fi->cown[p].item >= 0 && fi->cown[p].conf >= (int)x->c->content_min_confidence) {
					only = (int)p;
					nmatch++;
				}
		if (nmatch == 1) {
			excl[only]++;
			if (example[only] < 0)
				example[only] = i;
		}
	}
	bestp = sole_best(excl, x->c->nprograms, &bestn);
	if (bestp < 0)
		return program_by_titles(x, u);
	{
		const struct finfo *ex = &x->fi[example[bestp]];
		const struct best *b = &ex->own[bestp];
		u->program = bestp;
		if (b->item >= 0)
			u->prog_ev = xasprintf("按所附文件判断：%u个文件只见于%s的申报目录，如“%s”对应“%s”",
			                       bestn, x->c->programs[bestp].title, ex->name,
			                       x->c->items[b->item].short_title);
		else
			u->prog_ev = xasprintf("按所附文件判断：%u个文件只见于%s的申报目录，如“%s”",
			                       bestn, x->c->programs[bestp].title, ex->name);
	}
	if (!u->prog_ev) {
		x->oom = true;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ merges */

static int merge_units(struct cx *x, int into, int from, const char *why)
{
	struct unit *a = &x->u[into], *b = &x->u[from];

	b->parent = into;
	if (a->program < 0 && b->program >= 0) {
		a->program = b->program;
		free(a->prog_ev);
		a->prog_ev = b->prog_ev;
		b->prog_ev = NULL;
	}
	if (!a->app_known && b->app_known) {
		free(a->applicant);
		free(a->app_ev);
		a->applicant = b->applicant;
		a->app_ev = b->app_ev;
		a->app_known = true;
		a->app_unit = b->app_unit;
		b->applicant = b->app_ev = NULL;
	}
	if (why) {
		char *ev = a->app_ev ? xasprintf("%s；%s", a->app_ev, why) : strdup(why);
		if (!ev) {
			x->oom = true;
			return -1;
		}
		free(a->app_ev);
		a->app_ev = ev;
	}
	return 0;
}

/* Units of one message naming the same applicant are one dossier (two
 * archives "…(1).zip", "…(2).zip"; loose files plus the unit's zip). */
struct keyed {
	char *key;
	size_t unit;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	if (r)
		return r;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

static int merge_same_applicant(struct cx *x)
{
	struct keyed *kv = calloc(x->nu + 1, sizeof(*kv));
	size_t nk = 0;
	int ret = -1;

	if (!kv)
		goto out;
	for (size_t k = 0; k < x->nu; k++)
		if (x->u[k].parent < 0 && x->u[k].nmem > 0 && x->u[k].app_known) {
			kv[nk].key = key_of(&x->m, x->u[k].applicant);
			kv[nk].unit = k;
			if (!kv[nk++].key)
				goto out;
		}
	if (nk > 1)
		qsort(kv, nk, sizeof(kv[0]), cmp_keyed);
	/* In each run of equal keys, a unit joins the earliest unit of the run
	 * whose program does not contradict its own.  Such roots differ in
	 * program, so a run has at most nprograms + 1 of them. */
	for (size_t a = 0; a < nk;) {
		size_t b = a + 1;
		int roots[CAMPAIGN_MAX_PROGRAMS + 1];
		size_t nr = 0;

		while (b < nk && strcmp(kv[a].key, kv[b].key) == 0)
			b++;
		for (size_t j = a; j < b; j++) {
			const struct unit *u = &x->u[kv[j].unit];
			int into = -1;

			for (size_t r = 0; r < nr && into < 0; r++) {
				const struct unit *v = &x->u[roots[r]];
				if (u->program < 0 || v->program < 0 || u->program == v->program)
					into = roots[r];
			}
			if (into >= 0) {
				if (merge_units(x, into, (int)kv[j].unit, NULL) != 0)
					goto out;
			} else if (nr < sizeof(roots) / sizeof(roots[0])) {
				roots[nr++] = (int)kv[j].unit;
			}
		}
		a = b;
	}
	link_members(x);
	/* Loose files without a name of their own go with the message's only
	 * other unit. */
	{
		int loose = -1, other = -1, nother = 0;
		for (size_t k = 0; k < x->nu; k++) {
			const struct unit *u = &x->u[k];
			if (u->parent >= 0 || u->nmem == 0)
				continue;
			if (u->kind == U_LOOSE)
				loose = (int)k;
			else if (u->kind != U_LEFTOVER) {
				other = (int)k;
				nother++;
			}
		}
		if (loose >= 0 && !x->u[loose].app_known && nother == 1) {
			if (merge_units(x, other, loose, NULL) != 0)
				goto out;
			link_members(x);
		}
	}
	ret = 0;
out:
	if (kv)
		for (size_t k = 0; k < nk; k++)
			free(kv[k].key);
	free(kv);
	if (ret)
		x->oom = true;
	return ret;
}

static bool has_supplement_word(const struct cx *x, const char *text, size_t n, bool strip_ext)
{
	char *norm;
	bool hit = false;

	if (!text || !n)
		return false;
	if (n > TEXT_MAX * 8)
		n = TEXT_MAX * 8;
	norm = norm_n(text, n, strip_ext);
	if (!norm)
		return false;
	for (size_t k = 0; k < x->m.supp.n && !hit; k++)
		hit = strstr(norm, x->m.supp.v[k].s) != NULL;
	free(norm);
	return hit;
}

/*
 * The subject, an archive name or a folder name says 补件.  File names do
 * not count: "补充说明.docx" or "租赁补充协议.pdf" come with first
 * submissions too, and a false 补件 may merge a new unit into an old one.
 */
static bool is_supplement(const struct cx *x)
{
	if (x->in->subject && has_supplement_word(x, x->in->subject, strlen(x->in->subject), false))
		return true;
	for (size_t i = 0; i < x->nf; i++) {
		const struct finfo *fi = &x->fi[i];
		const char *p;

		if (fi->ignored)
			continue;
		if (!fi->inner) {
			if (fi->arch && has_supplement_word(x, fi->name, strlen(fi->name), true))
				return true;
			continue;
		}
		if (fi->f->top_name && has_supplement_word(x, fi->f->top_name, strlen(fi->f->top_name), true))
			return true;
		for (p = fi->inner; (p = strchr(p, '/')) != NULL; p++) {
			const char *s = p;
			while (s > fi->inner && s[-1] != '/')
				s--;
			if (has_supplement_word(x, s, (size_t)(p - s), true))
				return true;
		}
	}
	return false;
}

static bool known_named(const struct classify_known *k)
{
	return k->applicant && *k->applicant && strcmp(k->applicant, UNKNOWN_APPLICANT) != 0;
}

static int adopt_known(struct cx *x, struct unit *u, const struct classify_known *k)
{
	if (!u->app_known && known_named(k)) {
		free(u->applicant);
		free(u->app_ev);
		u->applicant = strdup(k->applicant);
		u->app_ev = xasprintf("补件，申报单位按已有材料“%s”确定", k->applicant);
		u->app_known = true;
		if (!u->applicant || !u->app_ev)
			return -1;
	}
	if (u->program < 0 && k->program >= 0 && (size_t)k->program < x->c->nprograms) {
		free(u->prog_ev);
		u->program = k->program;
		u->prog_ev = xasprintf("补件，类别按已有材料（%s）确定", x->c->programs[k->program].title);
		if (!u->prog_ev)
			return -1;
	}
	return 0;
}

/* Whether a file's name or text makes it an item that carries the
 * applicant's own credit code (licence, application form). */
static bool credit_item(const struct cx *x, const struct finfo *fi)
{
	const struct campaign *c = x->c;

	for (size_t p = 0; p < c->nprograms; p++) {
		if (fi->own[p].item >= 0 && c->items[fi->own[p].item].credit_code)
			return true;
		if (fi->own[p].item < 0 && fi->cown[p].item >= 0 &&
		    fi->cown[p].conf >= (int)c->content_min_confidence &&
		    c->items[fi->cown[p].item].credit_code)
			return true;
	}
	return false;
}

/* Each unit's credit code: the first valid one in the text of its licence
 * or form (a lease or an audit report names other units too). */
static void unit_credit_codes(struct cx *x)
{
	for (size_t k = 0; k < x->nu; k++) {
		struct unit *u = &x->u[k];

		if (u->parent >= 0 || u->nmem == 0)
			continue;
		for (int i = u->head; i >= 0 && !u->credit[0]; i = x->fi[i].next) {
			const struct finfo *fi = &x->fi[i];
			char code[1][USCC_LEN + 1];

			if (!fi->f->text || !credit_item(x, fi))
				continue;
			if (uscc_find(fi->f->text, fi->f->text_len, code, 1) == 1) {
				memcpy(u->credit, code[0], sizeof(u->credit));
				u->credit_file = fi->name;
			}
		}
	}
}

/* Units of one message with the same credit code are one unit, whatever
 * their names ("雁城科技.zip" and "衡阳市雁城科技有限公司（补充）.zip"). */
static int merge_same_code(struct cx *x)
{
	bool merged = false;

	for (size_t a = 0; a < x->nu; a++) {
		struct unit *ua = &x->u[a];

		if (ua->parent >= 0 || ua->nmem == 0 || !ua->credit[0])
			continue;
		for (size_t b = a + 1; b < x->nu; b++) {
			struct unit *ub = &x->u[b];
			char *why;

			if (ub->parent >= 0 || ub->nmem == 0 || strcmp(ua->credit, ub->credit) != 0 ||
			    (ua->program >= 0 && ub->program >= 0 && ua->program != ub->program))
				continue;
			why = xasprintf("“%s”与“%s”中的统一社会信用代码同为 %s，合为一份材料",
			                ua->credit_file, ub->credit_file, ua->credit);
			if (!why || merge_units(x, (int)a, (int)b, why) != 0) {
				free(why);
				x->oom = true;
				return -1;
			}
			free(why);
			merged = true;
		}
	}
	if (merged)
		link_members(x);
	return 0;
}

/* Which known dossier of the county each unit adds to. */
static int merge_known(struct cx *x, bool supplement)
{
	const struct classify_input *in = x->in;
	char **kk = NULL;
	int ret = -1;

	if (in->nknown == 0 || !in->known)
		return 0;
	kk = calloc(in->nknown, sizeof(*kk));
	if (!kk)
		goto out;
	for (size_t j = 0; j < in->nknown; j++)
		if (known_named(&in->known[j]) && !(kk[j] = key_of(&x->m, in->known[j].applicant)))
			goto out;
	for (size_t k = 0; k < x->nu; k++) {
		struct unit *u = &x->u[k];
		const struct classify_known *hit = NULL;

		if (u->parent >= 0 || u->nmem == 0)
			continue;
		if (u->credit[0]) {
			for (size_t j = 0; j < in->nknown && !hit; j++)
				if (in->known[j].credit_code && strcmp(in->known[j].credit_code, u->credit) == 0)
					hit = &in->known[j];
			if (hit) {
				const char *ka = known_named(hit) ? hit->applicant : UNKNOWN_APPLICANT;
				char *uk = u->app_known ? key_of(&x->m, u->applicant) : NULL;
				bool differ = u->app_known && (!uk || !kk[hit - in->known] ||
				                               strcmp(uk, kk[hit - in->known]) != 0);

				if (u->app_known && !uk)
					goto out;
				free(uk);
				u->merge_into = hit->id;
				if (differ)
					u->merge_ev = xasprintf("统一社会信用代码 %s（见“%s”）与已有材料“%.*s%s”相同，"
					                        "虽单位名称写作“%s”，仍为同一单位", u->credit, u->credit_file,
					                        clip(ka, strlen(ka)), ka, clip_mark(strlen(ka)), u->applicant);
				else
					u->merge_ev = xasprintf("统一社会信用代码 %s（见“%s”）与已有材料“%.*s%s”相同",
					                        u->credit, u->credit_file, clip(ka, strlen(ka)), ka,
					                        clip_mark(strlen(ka)));
				if (!u->merge_ev || adopt_known(x, u, hit) != 0)
					goto out;
				continue;
			}
		}
		if (u->app_known) {
			char *key = key_of(&x->m, u->applicant);
			if (!key)
				goto out;
			for (size_t j = 0; j < in->nknown; j++) {
				if (!kk[j] || strcmp(kk[j], key) != 0)
					continue;
				if (!hit || (u->program >= 0 && in->known[j].program == u->program &&
				             hit->program != u->program))
					hit = &in->known[j];
			}
			free(key);
			if (hit) {
				u->merge_into = hit->id;
				u->merge_ev = xasprintf("申报单位“%s”与已有材料“%.*s%s”为同一单位", u->applicant,
				                        clip(hit->applicant, strlen(hit->applicant)), hit->applicant,
				                        clip_mark(strlen(hit->applicant)));
				if (!u->merge_ev || adopt_known(x, u, hit) != 0)
					goto out;
				continue;
			}
		}
		if (!supplement)
			continue;
		{
			const struct classify_known *only = NULL;
			size_t n = 0;
			if (u->program >= 0) {
				for (size_t j = 0; j < in->nknown; j++)
					if (in->known[j].program == u->program || in->known[j].program < 0) {
						only = &in->known[j];
						n++;
					}
				if (n == 1) {
					u->merge_ev = xasprintf("补件邮件，本县市区仅有一份%s材料“%s”",
					                        x->c->programs[u->program].title,
					                        known_named(only) ? only->applicant : UNKNOWN_APPLICANT);
				}
			}
			if (n != 1 && (u->program < 0 || (in->nknown == 1 && in->known[0].program < 0))) {
				n = in->nknown;
				only = &in->known[0];
				if (n == 1)
					u->merge_ev = xasprintf("补件邮件，本县市区仅有一份已有材料“%s”",
					                        known_named(only) ? only->applicant : UNKNOWN_APPLICANT);
			}
			if (n == 1) {
				if (!u->merge_ev || adopt_known(x, u, only) != 0)
					goto out;
				u->merge_into = only->id;
			}
		}
	}
	ret = 0;
out:
	if (kk)
		for (size_t j = 0; j < in->nknown; j++)
			free(kk[j]);
	free(kk);
	if (ret)
		x->oom = true;
	return ret;
}

/* -------------------------------------------------------------- items */

/* The item a file is in program p.  by_number: the program is known, so a
 * bare catalogue number may decide. */
static int assign_item(struct cx *x, const struct unit *u, struct finfo *fi, int p, bool by_number)
{
	const struct campaign *c = x->c;
	const struct best *b = &fi->own[p];
	const char *inner = fi->inner;

	if (b->item >= 0) {
		fi->item = b->item;
		fi->conf = 100;
		if (b->num_ok)
			fi->evidence = xasprintf("文件名“%s”含“%s”，且以目录序号“%u”开头", fi->name, b->pat->orig, fi->num);
		else
			fi->evidence = xasprintf("文件名“%s”含“%s”", fi->name, b->pat->orig);
		return fi->evidence ? 0 : -1;
	}
	/* The folders it sits in, nearest first, below the unit's own. */
	if (inner) {
		size_t skip = u->skip;
		const char *end = strrchr(inner, '/');

		if (u->plen && strncmp(inner, u->base, u->plen) != 0)
			skip = 0;
		if (skip > strlen(inner))
			skip = strlen(inner);
		for (unsigned seen = 0; end && end > inner + skip && seen < MAX_ANCESTORS; seen++) {
			const char *start = end;
			size_t n;
			char *norm;
			unsigned num;
			bool bare;
			struct best ab;
			int it = -1;

			while (start > inner + skip && start[-1] != '/')
				start--;
			n = (size_t)(end - start);
			if (names_unit(x, start, n)) {
				if (x->oom)
					return -1;
				end = start > inner ? start - 1 : NULL;
				continue;
			}
			norm = norm_n(start, n, true);
			if (!norm)
				return -1;
			num = lead_number(start, n, &bare);
			best_match(&x->m, norm, num, p, &ab);
			free(norm);
			if (ab.item >= 0) {
				fi->item = ab.item;
				fi->conf = 90;
				fi->evidence = xasprintf("所在%s“%.*s”含“%s”", has_archive_ext(start, n) ? "压缩包" : "文件夹",
				                         (int)n, start, ab.pat->orig);
				return fi->evidence ? 0 : -1;
			}
			if (by_number && num && bare && (it = item_by_number(c, p, num)) >= 0) {
				fi->item = it;
				fi->conf = 50;
				fi->weak = true;
				fi->evidence = xasprintf("所在文件夹“%.*s”仅有目录序号“%u”，按%s第%u项归类（仅凭序号，请核对）",
				                         (int)n, start, num, c->programs[p].title, num);
				return fi->evidence ? 0 : -1;
			}
			end = start > inner ? start - 1 : NULL;
		}
	}
	if (by_number && fi->num && fi->bare) {
		int it = item_by_number(c, p, fi->num);
		if (it >= 0) {
			fi->item = it;
			fi->conf = 50;
			fi->weak = true;
			fi->evidence = xasprintf("文件名仅有目录序号“%u”，按%s第%u项归类（仅凭序号，请核对）", fi->num,
			                         c->programs[p].title, fi->num);
			return fi->evidence ? 0 : -1;
		}
	}
	return 0;
}

/*
 * The text decides when the name did not: no item from the name or its
 * folders, or only a bare catalogue number that the text contradicts.
 */
static int assign_by_content(struct cx *x, struct finfo *fi, int p)
{
	const struct campaign *c = x->c;
	const struct cbest *cb = &fi->cown[p];
	char *ev;

	if (cb->item < 0 || cb->conf < (int)c->content_min_confidence)
		return 0;
	if (fi->item >= 0 && !fi->weak)
		return 0;
	if (fi->item == cb->item) {
		ev = xasprintf("%s；%s", fi->evidence, cb->ev);
		if (cb->conf > fi->conf)
			fi->conf = cb->conf;
	} else if (fi->item >= 0) {
		ev = xasprintf("%s；但%s，按内容归入“%s”", fi->evidence, cb->ev, c->items[cb->item].short_title);
		fi->conf = cb->conf;
	} else {
		ev = xasprintf("%s；%s", fi->generic ? "文件名不说明内容" : "文件名未对应申报目录", cb->ev);
		fi->conf = cb->conf;
	}
	if (!ev)
		return -1;
	free(fi->evidence);
	fi->evidence = ev;
	fi->item = cb->item;
	fi->by_content = true;
	return 0;
}

static int assign_unit(struct cx *x, struct unit *u)
{
	const struct campaign *c = x->c;
	int p = u->program;
	bool known = p >= 0;

	if (!known) {
		/* Try every program; keep the one more files fit. */
		unsigned counts[CAMPAIGN_MAX_PROGRAMS] = { 0 }, bestn = 0;
		unsigned *stamp = calloc(c->nitems + 1, sizeof(*stamp));
		char *ev;

		if (!stamp)
			return -1;
		for (size_t q = 0; q < c->nprograms; q++)
			for (int i = u->head; i >= 0; i = x->fi[i].next) {
				const struct best *b = &x->fi[i].own[q];
				const struct cbest *cb = &x->fi[i].cown[q];
				int it = b->item >= 0 ? b->item
				       : cb->item >= 0 && cb->conf >= (int)c->content_min_confidence ? cb->item : -1;
				if (x->fi[i].exec || x->fi[i].arch || x->fi[i].empty || it < 0)
					continue;
				if (stamp[it] != q + 1) {
					stamp[it] = (unsigned)q + 1;
					counts[q]++;
				}
			}
		free(stamp);
		for (size_t q = 0; q < c->nprograms; q++)
			if (counts[q] > bestn) {
				bestn = counts[q];
				p = (int)q;
			}
		if (p >= 0)
			ev = xasprintf("无法判断申报类别；按%s的申报目录试归类（对应%u项）", c->programs[p].title, bestn);
		else
			ev = strdup("无法判断申报类别；所附文件也未对应任何一类的申报目录");
		if (!ev)
			return -1;
		free(u->prog_ev);
		u->prog_ev = ev;
	}
	for (int i = u->head; i >= 0; i = x->fi[i].next) {
		struct finfo *fi = &x->fi[i];

		if (fi->exec) {
			fi->evidence = strdup("可执行程序或脚本，不能作为申报材料");
		} else if (fi->arch) {
			fi->evidence = strdup("压缩包，按其中的文件归类");
		} else if (fi->empty) {
			fi->evidence = strdup("空文件（0字节），不计入申报材料");
		} else {
			if (p >= 0 && assign_item(x, u, fi, p, known) != 0)
				return -1;
			if (p >= 0 && assign_by_content(x, fi, p) != 0)
				return -1;
			if (fi->item < 0) {
				const struct cbest *cb = p >= 0 ? &fi->cown[p] : NULL;
				char *why;

				if (cb && cb->item >= 0)
					why = xasprintf("文件“%s”未能对应申报目录中的任何一项；其内容疑似“%s”，但把握不足"
					                "（%s，低于 %u），请人工核对", fi->name, c->items[cb->item].short_title,
					                cb->ev, c->content_min_confidence);
				else
					why = xasprintf("文件“%s”未能对应申报目录中的任何一项，请核对文件名", fi->name);
				if (!why)
					return -1;
				report(x, PROB_UNRECOGNISED, fi->display, why);
				fi->evidence = why;
			}
		}
		if (!fi->evidence)
			return -1;
	}
	return 0;
}

/* "衡阳市中小微企业创新创业基地还是中小微企业核心服务机构" */
static char *program_choice(const struct campaign *c)
{
	char *s = strdup(""), *t;

	for (size_t p = 0; s && p < c->nprograms; p++) {
		t = xasprintf("%s%s%s", s, p ? "还是" : "", c->programs[p].title);
		free(s);
		s = t;
	}
	return s;
}

static char *unit_label(const struct cx *x, const struct unit *u)
{
	switch (u->kind) {
	case U_COMP:
		return xasprintf("%s/%.*s%.*s", u->top_name, (int)u->plen, u->base ? u->base : "",
		                 (int)u->complen, u->comp);
	case U_ARCHIVE:
	case U_LEFTOVER:
		return strdup(u->top_name);
	case U_LOOSE:
	default:
		if (!x->in->subject)
			return strdup("邮件附件");
		return xasprintf("%.*s%s", clip(x->in->subject, strlen(x->in->subject)), x->in->subject,
		                 clip_mark(strlen(x->in->subject)));
	}
}

static int unit_problems(struct cx *x, struct unit *u)
{
	char *label = unit_label(x, u), *why = NULL;

	if (!label)
		return -1;
	if (!u->app_known) {
		why = strdup("未能从文件夹名、压缩包名或邮件主题中识别申报单位名称，请在压缩包名或邮件主题中写明申报单位全称");
		if (!why)
			goto fail;
		report(x, PROB_UNKNOWN_APPLICANT, label, why);
		free(why);
	}
	if (u->program < 0) {
		char *choice = program_choice(x->c);
		if (!choice)
			goto fail;
		const char *who = u->app_known ? u->applicant : label;
		why = xasprintf("无法判断“%.*s%s”申报的是%s，请在压缩包名或邮件主题中写明申报类别",
		                clip(who, strlen(who)), who, clip_mark(strlen(who)), choice);
		free(choice);
		if (!why)
			goto fail;
		report(x, PROB_UNKNOWN_PROGRAM, label, why);
		free(why);
	}
	free(label);
	return 0;
fail:
	free(label);
	return -1;
}

/* ------------------------------------------------------------- result */

static int cmp_first(const void *a, const void *b)
{
	const struct unit *const *x = a, *const *y = b;

	return (*x)->first < (*y)->first ? -1 : (*x)->first > (*y)->first;
}

static void free_units(struct cx *x)
{
	for (size_t k = 0; k < x->nu; k++) {
		free(x->u[k].applicant);
		free(x->u[k].app_ev);
		free(x->u[k].prog_ev);
		free(x->u[k].merge_ev);
	}
	free(x->u);
	x->u = NULL;
	x->nu = 0;
}

int classify_message(const struct classify_input *in, struct classify_result *r,
                     problem_fn problem, void *ctx)
{
	struct cx x;
	struct unit **order = NULL;
	size_t nd = 0;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	if (!in || !in->c || (in->nfiles && !in->files))
		return -1;
	x.in = in;
	x.c = in->c;
	x.problem = problem;
	x.pctx = ctx;
	x.nf = in->nfiles;
	if (matcher_build(&x.m, in->c) != 0)
		goto out;
	x.fi = calloc(x.nf + 1, sizeof(*x.fi));
	if (!x.fi)
		goto out;

	if (file_pass(&x) != 0 || build_units(&x) != 0 || name_fallbacks(&x) != 0)
		goto out;
	for (size_t k = 0; k < x.nu; k++)
		if (x.u[k].parent < 0 && x.u[k].nmem > 0 && program_by_text(&x, &x.u[k]) != 0)
			goto out;
	if (merge_same_applicant(&x) != 0)
		goto out;
	for (size_t k = 0; k < x.nu; k++)
		if (x.u[k].parent < 0 && x.u[k].nmem > 0 && x.u[k].program < 0 &&
		    program_by_items(&x, &x.u[k]) != 0)
			goto out;
	r->supplement = is_supplement(&x);
	unit_credit_codes(&x);
	if (merge_same_code(&x) != 0 || merge_known(&x, r->supplement) != 0)
		goto out;

	/* Dossiers in the order their first file arrived. */
	order = calloc(x.nu + 1, sizeof(*order));
	if (!order)
		goto out;
	for (size_t k = 0; k < x.nu; k++)
		if (x.u[k].parent < 0 && x.u[k].nmem > 0)
			order[nd++] = &x.u[k];
	if (nd > 1)
		qsort(order, nd, sizeof(order[0]), cmp_first);
	for (size_t d = 0; d < nd; d++) {
		order[d]->dossier = (int)d;
		if (unit_problems(&x, order[d]) != 0 || assign_unit(&x, order[d]) != 0)
			goto out;
	}
	for (size_t i = 0; i < x.nf; i++) {
		struct finfo *fi = &x.fi[i];

		if (!fi->orphan)
			continue;
		if (fi->exec) {
			fi->evidence = strdup("可执行程序或脚本，不能作为申报材料");
		} else if (fi->empty) {
			fi->evidence = strdup("空文件（0字节），不计入申报材料");
		} else {
			fi->evidence = xasprintf("文件“%s”不在任何申报单位的文件夹中，也未能对应申报目录中的任何一项，请核对",
			                         fi->name);
			if (fi->evidence)
				report(&x, PROB_UNRECOGNISED, fi->display, fi->evidence);
		}
		if (!fi->evidence)
			goto out;
	}
	if (x.oom)
		goto out;

	r->dossiers = calloc(nd + 1, sizeof(*r->dossiers));
	r->files = calloc(x.nf + 1, sizeof(*r->files));
	if (!r->dossiers || !r->files)
		goto out;
	r->ndossiers = nd;
	r->nfiles = x.nf;
	for (size_t d = 0; d < nd; d++) {
		struct unit *u = order[d];
		struct classify_dossier *dd = &r->dossiers[d];

		dd->applicant = u->app_known ? u->applicant : strdup(UNKNOWN_APPLICANT);
		dd->applicant_evidence = u->app_known ? u->app_ev
			: strdup("未能从文件夹名、压缩包名或邮件主题中识别申报单位");
		if (!u->app_known) {
			free(u->applicant);
			free(u->app_ev);
		}
		u->applicant = u->app_ev = NULL;
		dd->program = u->program;
		dd->program_evidence = u->prog_ev;
		u->prog_ev = NULL;
		if (u->credit[0] && !(dd->credit_code = strdup(u->credit)))
			goto out;
		dd->merge_into = u->merge_into;
		dd->merge_evidence = u->merge_ev;
		u->merge_ev = NULL;
		if (!dd->applicant || !dd->applicant_evidence || !dd->program_evidence)
			goto out;
	}
	for (size_t i = 0; i < x.nf; i++) {
		struct finfo *fi = &x.fi[i];
		struct classify_assignment *a = &r->files[i];

		a->file_id = in->files[i].id;
		a->ignored = fi->ignored;
		a->dossier = -1;
		a->confidence = fi->conf;
		a->by_content = fi->by_content;
		if (fi->county_item >= 0) {
			a->item = x.c->items[fi->county_item].id;
		} else if (!fi->ignored && fi->unit >= 0) {
			a->dossier = x.u[fi->unit].dossier;
			a->item = fi->item >= 0 ? x.c->items[fi->item].id : NULL;
			if (fi->item < 0) {
				a->confidence = 0;
				a->by_content = false;
			}
		} else if (!fi->ignored && !fi->evidence) {
			fi->evidence = strdup(fi->arch ? "压缩包，按其中的文件归类" : "不属于任何申报单位");
		}
		a->evidence = fi->evidence;
		fi->evidence = NULL;
		if (!a->evidence)
			goto out;
	}
	ret = 0;
out:
	if (ret != 0)
		classify_result_free(r);
	if (x.fi) {
		for (size_t i = 0; i < x.nf; i++) {
			free(x.fi[i].norm);
			free(x.fi[i].evidence);
			for (size_t p = 0; p < CAMPAIGN_MAX_PROGRAMS; p++)
				free(x.fi[i].cown[p].ev);
			free(x.fi[i].ccounty.ev);
		}
		free(x.fi);
	}
	free(order);
	free_units(&x);
	matcher_free(&x.m);
	return ret;
}

void classify_result_free(struct classify_result *r)
{
	if (!r)
		return;
	if (r->dossiers)
		for (size_t d = 0; d < r->ndossiers; d++) {
			free(r->dossiers[d].applicant);
			free(r->dossiers[d].applicant_evidence);
			free(r->dossiers[d].program_evidence);
			free(r->dossiers[d].merge_evidence);
			free(r->dossiers[d].credit_code);
		}
	free(r->dossiers);
	if (r->files)
		for (size_t i = 0; i < r->nfiles; i++)
			free(r->files[i].evidence);
	free(r->files);
	memset(r, 0, sizeof(*r));
}

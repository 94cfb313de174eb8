/*
 * uscc.c - the unified social credit code (GB 32100-2015).
 *
 * Layout of the 18 characters:
 *   1      registration authority (1 机构编制, 5 民政, 9 工商, Y 其他 ...)
 *   2      type of unit under that authority
 *   3-8    administrative division code (6 digits)
 *   9-17   organisation code (GB 11714: 8 characters and its own check)
 *   18     check character over 1-17
 * The alphabet is 0-9 and the capitals without I, O, S, V, Z; the check
 * character is 31 - (sum of value * 3^i mod 31) mod 31.
 *
 * uscc_find() reads text as it comes out of documents and OCR: full-width
 * forms, lower case, spaces or hyphens inside the code, and the letters
 * OCR confuses with digits (O I Z S B for 0 1 2 5 8).  A correction is kept
 * only when it makes the check character agree, so a correction can never
 * turn a wrong code into an accepted one by itself: at most one of the
 * variants of a candidate passes by chance (1 in 31).
 */
#include "uscc.h"

#include <stdint.h>
#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const unsigned weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
static const unsigned org_weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };

/* Registration authorities of GB 32100 appendix A. */
static const char authorities[] = "123456789ANY";

static int value_of(char ch)
{
	const char *p;

	if (ch == '\0')
		return -1;
	p = strchr(alphabet, ch);
	return p ? (int)(p - alphabet) : -1;
}

char uscc_check_char(const char *first17)
{
	unsigned sum = 0;

	if (!first17)
		return 0;
	for (size_t i = 0; i < 17; i++) {
		int v = value_of(first17[i]);
		if (v < 0)
			return 0;
		sum += (unsigned)v * weights[i];
	}
	return alphabet[(31 - sum % 31) % 31];
}

bool uscc_valid(const char *s)
{
	char c;

	if (!s || strlen(s) != USCC_LEN)
		return false;
	c = uscc_check_char(s);
	return c != 0 && c == s[17];
}

/* GB 11714 check of the embedded organisation code (characters 9-17). */
static bool org_code_ok(const char *code)
{
	const char *oc = code + 8;
	unsigned sum = 0, c;
	char want;

	for (size_t i = 0; i < 8; i++) {
		char ch = oc[i];
		unsigned v;
		if (ch >= '0' && ch <= '9')
			v = (unsigned)(ch - '0');
		else if (ch >= 'A' && ch <= 'Z')
			v = (unsigned)(ch - 'A') + 10;
		else
			return false;
		sum += v * org_weights[i];
	}
	c = 11 - sum % 11;
	want = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	return oc[8] == want;
}

/* ---------------------------------------------------------------- find */

#define RUN_MAX   64U      /* characters of one run of letters/digits kept */
#define LABEL_NEAR 160U    /* bytes after a 信用代码 label that count as "near" */

struct cand {
	char code[USCC_LEN + 1];
	unsigned score;
	size_t pos;            /* byte offset, for a stable order */
};

struct finder {
	struct cand *out;
	size_t max, n;
	/* the run being collected */
	char ch[RUN_MAX];
	size_t at[RUN_MAX];    /* byte offset of each character */
	bool tok[RUN_MAX];     /* a token boundary (space, hyphen) before it */
	size_t len;
	bool overflow;
	bool near;             /* the run starts near a label */
};

static size_t u8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t need;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) { need = 1; v = c & 0x1Fu; }
	else if (c >= 0xE0 && c <= 0xEF) { need = 2; v = c & 0x0Fu; }
	else if (c >= 0xF0 && c <= 0xF4) { need = 3; v = c & 0x07u; }
	else { *cp = 0xFFFD; return 1; }
	if (n < need + 1) {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = v << 6 | (s[i] & 0x3Fu);
	}
	*cp = v;
	return need + 1;
}

/* An OCR confusion's digit, or 0. */
static char confusion(char ch)
{
	switch (ch) {
	case 'O': return '0';
	case 'I': return '1';
	case 'Z': return '2';
	case 'S': return '5';
	case 'B': return '8';
	default: return 0;
	}
}

static void add(struct finder *f, const char *code, unsigned score, size_t pos)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->out[i].code, code) == 0) {
			if (score > f->out[i].score)
				f->out[i].score = score;
			return;
		}
	if (f->n < f->max) {
		memcpy(f->out[f->n].code, code, USCC_LEN + 1);
		f->out[f->n].score = score;
		f->out[f->n].pos = pos;
		f->n++;
		return;
	}
	/* Full: replace the weakest when this one is stronger. */
	{
		size_t w = 0;
		for (size_t i = 1; i < f->n; i++)
			if (f->out[i].score < f->out[w].score)
				w = i;
		if (score > f->out[w].score) {
			memcpy(f->out[w].code, code, USCC_LEN + 1);
			f->out[w].score = score;
			f->out[w].pos = pos;
		}
	}
}

/*
 * One 18-character candidate as read.  Letters that are never in a code
 * (O I Z S) must be OCR slips for digits; the division code (3-8) is all
 * digits; a B elsewhere may be a B or an 8.  Every variant is tried, the
 * uncorrected one first; one that passes the check is kept.
 */
static void try_candidate(struct finder *f, const char *raw, size_t pos, bool exact)
{
	char code[USCC_LEN + 1];
	size_t bpos[USCC_LEN], nb = 0;
	unsigned fixes = 0, score;

	for (size_t i = 0; i < USCC_LEN; i++) {
		char ch = raw[i], d = confusion(ch);
		bool division = i >= 2 && i <= 7;

		if (!division && ch == 'B') {
			code[i] = ch;
			bpos[nb++] = i;
		} else if (division ? (ch >= '0' && ch <= '9') : value_of(ch) >= 0) {
			code[i] = ch;
		} else if (d) {
			code[i] = d;
			fixes++;
		} else {
			return;
		}
	}
	code[USCC_LEN] = '\0';
	if (!strchr(authorities, code[0]))
		return;
	if (nb > 4)
		nb = 4;                /* at most 16 variants */
	for (unsigned mask = 0; mask < (1U << nb); mask++) {
		char v[USCC_LEN + 1];
		unsigned nfix = fixes;

		memcpy(v, code, sizeof(v));
		for (size_t k = 0; k < nb; k++)
			if (mask & (1U << k)) {
				v[bpos[k]] = '8';
				nfix++;
			}
		if (!uscc_valid(v))
			continue;
		/* Without a label nearby, a corrected reading needs the
		 * organisation code's own check too: two checks agreeing by
		 * chance is 1 in 341. */
		if (nfix && !f->near && !org_code_ok(v))
			continue;
		score = 1;
		if (f->near)
			score += 8;
		if (org_code_ok(v))
			score += 4;
		if (nfix == 0)
			score += 2;
		if (exact)
			score += 1;
		add(f, v, score, pos);
		return;
	}
}

/*
 * A run of letters and digits, possibly split by spaces or hyphens into
 * tokens.  Candidates: any stretch of whole tokens that is exactly 18
 * characters ("9143 0400 MA4L..." or a code beside a year), and, inside a
 * longer token, every window of 18 near a label only.
 */
static void flush_run(struct finder *f)
{
	char raw[USCC_LEN + 1];

	if (f->overflow || f->len < USCC_LEN) {
		f->len = 0;
		f->overflow = false;
		return;
	}
	for (size_t s = 0; s + USCC_LEN <= f->len; s++) {
		if ((s > 0 && !f->tok[s]) || (s + USCC_LEN < f->len && !f->tok[s + USCC_LEN]))
			continue;
		memcpy(raw, f->ch + s, USCC_LEN);
		raw[USCC_LEN] = '\0';
		try_candidate(f, raw, f->at[s], true);
	}
	if (f->near) {
		for (size_t s = 0; s + USCC_LEN <= f->len; s++) {
			bool inside = true;
			for (size_t k = s + 1; k < s + USCC_LEN; k++)
				if (f->tok[k])
					inside = false;
			if (!inside)
				continue;
			memcpy(raw, f->ch + s, USCC_LEN);
			raw[USCC_LEN] = '\0';
			try_candidate(f, raw, f->at[s], false);
		}
	}
	f->len = 0;
	f->overflow = false;
}

size_t uscc_find(const char *text, size_t len, char (*out)[USCC_LEN + 1], size_t max)
{
	struct cand cands[16];
	struct finder f;
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, label_end = (size_t)-1;
	uint32_t last4[4] = { 0, 0, 0, 0 };
	bool pending_tok = false;

	if (!text || !out || max == 0)
		return 0;
	memset(&f, 0, sizeof(f));
	f.out = cands;
	f.max = sizeof(cands) / sizeof(cands[0]);
	while (i < len) {
		uint32_t cp;
		size_t k = u8_next(s + i, len - i, &cp);
		char ch = 0;
		bool sep = false;

		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0;          /* full width to ASCII */
		if (cp >= 'a' && cp <= 'z')
			cp -= 32;
		if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z'))
			ch = (char)cp;
		else if (cp == ' ' || cp == '-' || cp == 0x3000 || cp == 0xA0 ||
		         (cp >= 0x2010 && cp <= 0x2015))
			sep = true;

		if (ch) {
			if (f.len == 0)
				f.near = label_end != (size_t)-1 && i - label_end <= LABEL_NEAR;
			if (f.len < RUN_MAX) {
				f.ch[f.len] = ch;
				f.at[f.len] = i;
				f.tok[f.len] = pending_tok && f.len > 0;
				f.len++;
			} else {
				f.overflow = true;
			}
			pending_tok = false;
		} else if (sep) {
			pending_tok = true;
		} else {
			flush_run(&f);
			pending_tok = false;
			/* Label 信用代码, spaces inside ignored. */
			if (cp > 0x7F) {
				memmove(last4, last4 + 1, 3 * sizeof(last4[0]));
				last4[3] = cp;
				if (last4[0] == 0x4FE1 && last4[1] == 0x7528 && last4[2] == 0x4EE3 &&
				    last4[3] == 0x7801)
					label_end = i + k;
			}
		}
		i += k;
	}
	flush_run(&f);

	/* Best first; equal scores in text order. */
	for (size_t a = 1; a < f.n; a++) {
		struct cand t = cands[a];
		size_t b = a;
		while (b > 0 && (cands[b - 1].score < t.score ||
		                 (cands[b - 1].score == t.score && cands[b - 1].pos > t.pos))) {
			cands[b] = cands[b - 1];
			b--;
		}
		cands[b] = t;
	}
	if (f.n > max)
		f.n = max;
	for (size_t a = 0; a < f.n; a++)
		memcpy(out[a], cands[a].code, USCC_LEN + 1);
	return f.n;
}

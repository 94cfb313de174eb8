/*
 * campaign.c - load and check a campaign file (format: intake-campaign(5)).
 *
 * The text goes through inifile_parse(), which hands us (section, key,
 * value, line).  inih reports neither section headers nor whether a line
 * was a continuation, so we keep a cursor over the same text that follows
 * the line numbers forward: it opens each section at its header line (so a
 * repeated or empty [item B01] is caught, with the header's line) and
 * tells whether a value came from an indented continuation line.  The
 * cursor only moves forward, so the whole file is scanned once.
 *
 * Checks that need the whole file (references to programs defined later,
 * required keys, deadline after opens) run after the parse and report the
 * line of the key or section concerned.
 */
#include "campaign.h"
#include "inifile.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A campaign file is written by staff, but it is still parsed with care
 * (and fuzzed): these caps keep a mistaken or hostile file from costing
 * more than a few megabytes. */
#define CAMPAIGN_MAX_ITEMS    1024U
#define CAMPAIGN_MAX_COUNTIES 512U
#define CAMPAIGN_MAX_LIST     2048U   /* entries in one list */
#define CAMPAIGN_MAX_ID       32U     /* bytes in an item, program or county id */

enum sect { S_NONE, S_CAMPAIGN, S_PROGRAM, S_ITEM, S_COUNTY, S_NAMES, S_APPLICANT, S_REPLIES, S_CHECK };

static const char *const sect_names[] = {
	[S_NONE] = "", [S_CAMPAIGN] = "campaign", [S_PROGRAM] = "program",
	[S_ITEM] = "item", [S_COUNTY] = "county", [S_NAMES] = "names",
	[S_APPLICANT] = "applicant", [S_REPLIES] = "replies", [S_CHECK] = "check",
};

/* Every section seen, for duplicate detection and for errors found after
 * the parse ("[item B05] has no patterns" names the header line). */
struct seen {
	enum sect kind;
	char *id;              /* owned; NULL for singletons */
	int index;             /* program / item / county index, -1 otherwise */
	unsigned line;         /* header line */
	uint32_t set;          /* keys given in it (bit per key of its table) */
	uint32_t set_line[16]; /* line of each key, for later errors */
};

struct item_ref {
	char *program;         /* owned: the program key as written */
	unsigned line;
};

struct pctx {
	struct campaign *c;
	const char *filename;
	char msg[512];         /* full "FILE:LINE: reason" of our own refusals */
	bool failed;
	/* forward cursor over the text */
	const char *text;
	size_t len, pos;
	unsigned cur_line;     /* line the cursor has passed */
	bool indented;         /* the line at cur_line began with blank space */
	bool cont;             /* ... and inih took it as a continuation */
	/* sections */
	struct seen *seen;
	size_t nseen, capseen;
	struct seen *cur;      /* NULL before the first section */
	/* deferred checks */
	struct item_ref *refs; /* parallel to c->items */
	size_t capitems, capcounties;
	int opens_off, deadline_off;
	bool min_conf_set;
	size_t capchecks;
};

/* ---- small helpers ---- */

static int fail(struct pctx *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct pctx *p, unsigned line, const char *fmt, ...)
{
	char reason[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!p->failed) {
		if (line)
			snprintf(p->msg, sizeof(p->msg), "%s:%u: %s", p->filename, line, reason);
		else
			snprintf(p->msg, sizeof(p->msg), "%s: %s", p->filename, reason);
	}
	p->failed = true;
	return -1;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

static int begin_section(struct pctx *p, const char *section, unsigned line);

/*
 * Advance the cursor over every line up to and including `line`.  Section
 * headers are opened here, from the text itself, so that an empty section
 * (which inih never reports) is still checked and counted.  inih has
 * already accepted every line the cursor passes.
 */
static int cursor_to(struct pctx *p, unsigned line)
{
	while (p->cur_line < line && p->pos < p->len) {
		const char *s = p->text + p->pos;
		size_t rest = p->len - p->pos;
		const char *nl = memchr(s, '\n', rest);
		size_t linelen = nl ? (size_t)(nl - s) : rest;
		size_t skip = 0;

		p->cur_line++;
		p->pos += linelen + (nl ? 1 : 0);
		if (p->cur_line == 1 && linelen >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
			skip = 3;  /* inih accepts a UTF-8 BOM on the first line */
		p->indented = linelen > skip && (s[skip] == ' ' || s[skip] == '\t');
		if (linelen > skip && s[skip] == '[') {
			const char *close = memchr(s + skip, ']', linelen - skip);
			char name[128];
			size_t n;

			if (!close)
				return fail(p, p->cur_line, "section header without ']'");
			n = (size_t)(close - (s + skip + 1));
			if (n >= sizeof(name))
				return fail(p, p->cur_line, "section name too long");
			memcpy(name, s + skip + 1, n);
			name[n] = '\0';
			if (begin_section(p, name, p->cur_line) != 0)
				return -1;
		}
	}
	return 0;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* One UTF-8 code point (0xFFFD for a bad byte); returns its length. */
static size_t next_cp(const unsigned char *s, uint32_t *cp)
{
	size_t need = s[0] < 0x80 ? 0 : s[0] >= 0xF0 ? 3 : s[0] >= 0xE0 ? 2 : s[0] >= 0xC0 ? 1 : 0;
	uint32_t v = s[0] < 0x80 ? s[0] : s[0] & (0x3Fu >> need);

	if (s[0] >= 0x80 && need == 0) {
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

/*
 * Whether an entry holds anything that survives name normalisation (see
 * classify_normalise(): letters, digits, CJK): a pattern of pure
 * punctuation such as "（）" would match every name.
 */
static bool has_substance(const char *s)
{
	while (*s) {
		uint32_t cp;

		s += next_cp((const unsigned char *)s, &cp);
		if ((cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ||
		    (cp >= 0xC0 && cp < 0x2000 && cp != 0xD7 && cp != 0xF7) ||  /* other letters */
		    (cp >= 0x2460 && cp <= 0x249B) ||                            /* ① ⑴ ⒈ */
		    cp == 0x3007 || (cp >= 0x3040 && cp <= 0x30FF) ||            /* 〇, kana */
		    (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
		    (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) ||
		    (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
		    (cp >= 0xFF41 && cp <= 0xFF5A))
			return true;
	}
	return false;
}

/*
 * Split a list value at ',' and '，' (U+FF0C) and append the trimmed
 * entries.  Empty entries (a trailing comma before a continuation line)
 * are skipped.
 */
enum lmode { L_WORDS, L_ADDRESSES, L_GLOBS };

static int list_append(struct pctx *p, unsigned line, const char *key,
                       struct strlist *l, const char *value, enum lmode mode)
{
	const char *s = value;

	while (*s) {
		const char *e = s;
		size_t n;

		while (*e && *e != ',' && strncmp(e, "\xEF\xBC\x8C", 3) != 0)
			e++;
		n = (size_t)(e - s);
		/* trim ASCII blanks and U+3000 */
		for (;;) {
			if (n && is_blank(*s)) { s++; n--; }
			else if (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0) { s += 3; n -= 3; }
			else break;
		}
		for (;;) {
			if (n && is_blank(s[n - 1])) n--;
			else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0) n -= 3;
			else break;
		}
		if (n > 0) {
			char *d, **nv;

			if (l->n >= CAMPAIGN_MAX_LIST)
				return fail(p, line, "too many entries in '%s' (at most %u)", key, CAMPAIGN_MAX_LIST);
			d = strndup(s, n);
			if (!d)
				return fail(p, line, "out of memory");
			if (mode == L_ADDRESSES)
				for (char *q = d; *q; q++)
					if (*q >= 'A' && *q <= 'Z')
						*q = (char)(*q + 32);
			if (mode == L_ADDRESSES) {
				const char *at = strchr(d, '@');
				bool bad = !at || strchr(at + 1, '@') || at[1] == '\0';
				for (const char *q = d; *q && !bad; q++)
					if (is_blank(*q) || *q == '<' || *q == '>' || *q == '"')
						bad = true;
				if (bad) {
					fail(p, line, "bad sender '%s' in '%s' (expected user@domain or @domain)", d, key);
					free(d);
					return -1;
				}
			} else if (mode == L_WORDS && !has_substance(d)) {
				fail(p, line, "entry '%s' in '%s' has no letters, digits or CJK characters", d, key);
				free(d);
				return -1;
			}
			nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
			if (!nv) {
				free(d);
				return fail(p, line, "out of memory");
			}
			l->v = nv;
			l->v[l->n++] = d;
		}
		if (!*e)
			break;
		s = e + (*e == ',' ? 1 : 3);
	}
	return 0;
}

static int set_string(struct pctx *p, unsigned line, const char *key, char **dst, const char *value)
{
	if (*value == '\0')
		return fail(p, line, "'%s' is empty", key);
	free(*dst);
	*dst = strdup(value);
	if (!*dst)
		return fail(p, line, "out of memory");
	return 0;
}

static int parse_uint(struct pctx *p, unsigned line, const char *key, const char *value,
                      unsigned max, unsigned *out)
{
	unsigned long v = 0;
	const char *s = value;

	if (!*s)
		return fail(p, line, "'%s' is empty", key);
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return fail(p, line, "'%s' must be a whole number, not '%s'", key, value);
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return fail(p, line, "'%s' = %s is out of range (0 to %u)", key, value, max);
	}
	*out = (unsigned)v;
	return 0;
}

static int parse_bool(struct pctx *p, unsigned line, const char *key, const char *value, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "required" };
	static const char *const no[] = { "no", "false", "0", "optional" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) { *out = true; return 0; }
		if (strcasecmp(value, no[i]) == 0) { *out = false; return 0; }
	}
	return fail(p, line, "'%s' must be yes or no, not '%s'", key, value);
}

static bool valid_id(const char *s, size_t n)
{
	if (n == 0 || n > CAMPAIGN_MAX_ID)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/* ---- sections ---- */

static int begin_section(struct pctx *p, const char *section, unsigned line)
{
	const char *s = section, *e, *id;
	size_t klen, idlen;
	enum sect kind = S_NONE;
	struct seen *sn;
	struct campaign *c = p->c;

	while (is_blank(*s))
		s++;
	e = s;
	while (*e && !is_blank(*e))
		e++;
	klen = (size_t)(e - s);
	id = e;
	while (is_blank(*id))
		id++;
	idlen = strlen(id);
	while (idlen && is_blank(id[idlen - 1]))
		idlen--;

	for (size_t k = 1; k < sizeof(sect_names) / sizeof(sect_names[0]); k++)
		if (strlen(sect_names[k]) == klen && strncmp(s, sect_names[k], klen) == 0)
			kind = (enum sect)k;
	if (kind == S_NONE)
		return fail(p, line, "unknown section [%s] (expected campaign, program KEY, item ID, county ID, names, applicant, replies or check PROGRAM)", section);

	if (kind == S_PROGRAM || kind == S_ITEM || kind == S_COUNTY || kind == S_CHECK) {
		if (!valid_id(id, idlen))
			return fail(p, line, "[%s] needs an id of letters, digits, '_' or '-' (at most %u)", section, CAMPAIGN_MAX_ID);
		if (kind == S_PROGRAM && idlen == 6 && strncmp(id, "county", 6) == 0)
			return fail(p, line, "'county' is reserved for county-level items and cannot name a program");
	} else if (idlen) {
		return fail(p, line, "[%.*s] takes no id", (int)klen, s);
	}

	for (size_t i = 0; i < p->nseen; i++) {
		struct seen *o = &p->seen[i];
		if (o->kind != kind)
			continue;
		if (!o->id || (strlen(o->id) == idlen && strncmp(o->id, id, idlen) == 0)) {
			if (kind == S_ITEM)
				return fail(p, line, "duplicate item id '%.*s' (first at line %u)", (int)idlen, id, o->line);
			return fail(p, line, "duplicate section [%s] (first at line %u)", section, o->line);
		}
	}

	if (p->nseen == p->capseen) {
		size_t ncap = p->capseen ? p->capseen * 2 : 32;
		struct seen *nv = realloc(p->seen, ncap * sizeof(*nv));
		if (!nv)
			return fail(p, line, "out of memory");
		p->seen = nv;
		p->capseen = ncap;
	}
	sn = &p->seen[p->nseen];
	memset(sn, 0, sizeof(*sn));
	sn->kind = kind;
	sn->line = line;
	sn->index = -1;
	if (idlen) {
		sn->id = strndup(id, idlen);
		if (!sn->id)
			return fail(p, line, "out of memory");
	}
	p->nseen++;
	p->cur = sn;

	switch (kind) {
	case S_PROGRAM:
		if (c->nprograms >= CAMPAIGN_MAX_PROGRAMS)
			return fail(p, line, "too many programs (at most %d)", CAMPAIGN_MAX_PROGRAMS);
		sn->index = (int)c->nprograms;
		memset(&c->programs[c->nprograms], 0, sizeof(c->programs[0]));
		c->programs[c->nprograms].key = strdup(sn->id);
		if (!c->programs[c->nprograms].key)
			return fail(p, line, "out of memory");
		c->nprograms++;
		break;
	case S_ITEM:
		if (c->nitems >= CAMPAIGN_MAX_ITEMS)
			return fail(p, line, "too many items (at most %u)", CAMPAIGN_MAX_ITEMS);
		if (c->nitems == p->capitems) {
			size_t ncap = p->capitems ? p->capitems * 2 : 32;
			struct campaign_item *ni = realloc(c->items, ncap * sizeof(*ni));
			struct item_ref *nr;
			if (!ni)
				return fail(p, line, "out of memory");
			c->items = ni;
			nr = realloc(p->refs, ncap * sizeof(*nr));
			if (!nr)
				return fail(p, line, "out of memory");
			p->refs = nr;
			p->capitems = ncap;
		}
		sn->index = (int)c->nitems;
		memset(&c->items[c->nitems], 0, sizeof(c->items[0]));
		memset(&p->refs[c->nitems], 0, sizeof(p->refs[0]));
		c->items[c->nitems].program = -1;
		c->items[c->nitems].id = strdup(sn->id);
		c->nitems++;
		if (!c->items[c->nitems - 1].id)
			return fail(p, line, "out of memory");
		break;
	case S_CHECK:
		if (c->nchecks >= CAMPAIGN_MAX_PROGRAMS)
			return fail(p, line, "too many [check] sections (at most %d)", CAMPAIGN_MAX_PROGRAMS);
		if (c->nchecks == p->capchecks) {
			struct campaign_check *nv = realloc(c->checks, CAMPAIGN_MAX_PROGRAMS * sizeof(*nv));
			if (!nv)
				return fail(p, line, "out of memory");
			c->checks = nv;
			p->capchecks = CAMPAIGN_MAX_PROGRAMS;
		}
		sn->index = (int)c->nchecks;
		memset(&c->checks[c->nchecks], 0, sizeof(c->checks[0]));
		c->checks[c->nchecks].program = -1;
		c->nchecks++;
		break;
	case S_COUNTY:
		if (c->ncounties >= CAMPAIGN_MAX_COUNTIES)
			return fail(p, line, "too many counties (at most %u)", CAMPAIGN_MAX_COUNTIES);
		if (c->ncounties == p->capcounties) {
			size_t ncap = p->capcounties ? p->capcounties * 2 : 32;
			struct campaign_county *nc = realloc(c->counties, ncap * sizeof(*nc));
			if (!nc)
				return fail(p, line, "out of memory");
			c->counties = nc;
			p->capcounties = ncap;
		}
		sn->index = (int)c->ncounties;
		memset(&c->counties[c->ncounties], 0, sizeof(c->counties[0]));
		c->counties[c->ncounties].id = strdup(sn->id);
		c->ncounties++;
		if (!c->counties[c->ncounties - 1].id)
			return fail(p, line, "out of memory");
		break;
	default:
		break;
	}
	return 0;
}

/* ---- keys, one table per section ---- */

enum ktype { K_STR, K_LIST, K_LIST_LOWER_ADDR, K_UINT, K_BOOL, K_TIME, K_REF };

struct keydef {
	const char *name;
	enum ktype type;
	bool required;
	unsigned max;          /* K_UINT */
};

static const struct keydef campaign_keys[] = {
	{ "id", K_STR, true, 0 },
	{ "title", K_STR, true, 0 },
	{ "issuer", K_STR, true, 0 },
	{ "office", K_STR, true, 0 },
	{ "notice_ref", K_STR, true, 0 },
	{ "opens", K_TIME, true, 0 },
	{ "deadline", K_TIME, true, 0 },
	{ "tz", K_STR, true, 0 },
	{ "late_reply_days", K_UINT, true, 3650 },
	{ "content_min_confidence", K_UINT, false, 100 },
	{ "check_affects_reply", K_BOOL, false, 0 },
	{ NULL, K_STR, false, 0 }
};
static const struct keydef program_keys[] = {
	{ "title", K_STR, true, 0 },
	{ "annex", K_STR, true, 0 },
	{ "summary_annex", K_STR, true, 0 },
	{ "patterns", K_LIST, true, 0 },
	{ "summary_title", K_STR, false, 0 },
	{ "summary_unit", K_STR, false, 0 },
	{ "summary_note", K_STR, false, 0 },
	{ "summary_columns", K_LIST, false, 0 },
	{ "summary_fill", K_LIST, false, 0 },
	{ NULL, K_STR, false, 0 }
};
static const struct keydef item_keys[] = {
	{ "program", K_REF, true, 0 },
	{ "number", K_UINT, true, 999 },
	{ "title", K_STR, true, 0 },
	{ "short", K_STR, true, 0 },
	{ "required", K_BOOL, true, 0 },
	{ "patterns", K_LIST, true, 0 },
	{ "excludes", K_LIST, false, 0 },
	{ "content", K_LIST, false, 0 },
	{ "content_body", K_LIST, false, 0 },
	{ "credit_code", K_BOOL, false, 0 },
	{ NULL, K_STR, false, 0 }
};
static const struct keydef county_keys[] = {
	{ "name", K_STR, true, 0 },
	{ "kind", K_STR, true, 0 },
	{ "aliases", K_LIST, false, 0 },
	{ "senders", K_LIST_LOWER_ADDR, false, 0 },
	{ NULL, K_STR, false, 0 }
};
static const struct keydef names_keys[] = {
	{ "ignore", K_LIST, false, 0 },
	{ "supplement", K_LIST, false, 0 },
	{ "generic", K_LIST, false, 0 },
	{ "negative_content", K_LIST, false, 0 },
	{ NULL, K_STR, false, 0 }
};
static const struct keydef applicant_keys[] = {
	{ "noise", K_LIST, false, 0 },
	{ "places", K_LIST, false, 0 },
	{ "unit_words", K_LIST, false, 0 },
	{ "key_strip", K_LIST, false, 0 },
	{ "form_labels", K_LIST, false, 0 },
	{ NULL, K_STR, false, 0 }
};
/* Fixed keys of [check PROGRAM]; field.ID, ratio.ID, variant.ID and
 * rule.[VARIANT.]ID are read by check_key(). */
static const struct keydef check_keys[] = {
	{ "year", K_UINT, true, 9999 },
	{ "variant_labels", K_LIST, false, 0 },
	{ NULL, K_STR, false, 0 }
};

/* The order of the template keys is enum campaign_reply's. */
static const struct keydef replies_keys[] = {
	{ "receipt", K_STR, true, 0 },
	{ "missing_items", K_STR, true, 0 },
	{ "late_notice", K_STR, true, 0 },
	{ "error_notice", K_STR, true, 0 },
	{ "from_name", K_STR, true, 0 },
	{ NULL, K_STR, false, 0 }
};

static const struct keydef *keys_of(enum sect k)
{
	switch (k) {
	case S_CAMPAIGN: return campaign_keys;
	case S_PROGRAM: return program_keys;
	case S_ITEM: return item_keys;
	case S_COUNTY: return county_keys;
	case S_NAMES: return names_keys;
	case S_APPLICANT: return applicant_keys;
	case S_REPLIES: return replies_keys;
	case S_CHECK: return check_keys;
	default: return NULL;
	}
}

/* Where key `name` of the current section is stored. */
static void *slot(struct pctx *p, const char *name)
{
	struct campaign *c = p->c;
	struct seen *sn = p->cur;

	switch (sn->kind) {
	case S_CAMPAIGN:
		if (!strcmp(name, "id")) return &c->id;
		if (!strcmp(name, "title")) return &c->title;
		if (!strcmp(name, "issuer")) return &c->issuer;
		if (!strcmp(name, "office")) return &c->office;
		if (!strcmp(name, "notice_ref")) return &c->notice_ref;
		if (!strcmp(name, "opens")) return &c->opens;
		if (!strcmp(name, "deadline")) return &c->deadline;
		if (!strcmp(name, "tz")) return &c->tz_name;
		if (!strcmp(name, "late_reply_days")) return &c->late_reply_days;
		if (!strcmp(name, "content_min_confidence")) {
			p->min_conf_set = true;
			return &c->content_min_confidence;
		}
		if (!strcmp(name, "check_affects_reply")) return &c->check_affects_reply;
		break;
	case S_PROGRAM: {
		struct campaign_program *pr = &c->programs[sn->index];
		if (!strcmp(name, "title")) return &pr->title;
		if (!strcmp(name, "annex")) return &pr->annex;
		if (!strcmp(name, "summary_annex")) return &pr->summary_annex;
		if (!strcmp(name, "patterns")) return &pr->patterns;
		if (!strcmp(name, "summary_title")) return &pr->summary_title;
		if (!strcmp(name, "summary_unit")) return &pr->summary_unit;
		if (!strcmp(name, "summary_note")) return &pr->summary_note;
		if (!strcmp(name, "summary_columns")) return &pr->summary_columns;
		if (!strcmp(name, "summary_fill")) return &pr->summary_fill;
		break;
	}
	case S_ITEM: {
		struct campaign_item *it = &c->items[sn->index];
		if (!strcmp(name, "program")) return &p->refs[sn->index];
		if (!strcmp(name, "number")) return &it->number;
		if (!strcmp(name, "title")) return &it->title;
		if (!strcmp(name, "short")) return &it->short_title;
		if (!strcmp(name, "required")) return &it->required;
		if (!strcmp(name, "patterns")) return &it->patterns;
		if (!strcmp(name, "excludes")) return &it->excludes;
		if (!strcmp(name, "content")) return &it->content;
		if (!strcmp(name, "content_body")) return &it->content_body;
		if (!strcmp(name, "credit_code")) return &it->credit_code;
		break;
	}
	case S_COUNTY: {
		struct campaign_county *co = &c->counties[sn->index];
		if (!strcmp(name, "name")) return &co->name;
		if (!strcmp(name, "kind")) return &co->kind;
		if (!strcmp(name, "aliases")) return &co->aliases;
		if (!strcmp(name, "senders")) return &co->senders;
		break;
	}
	case S_NAMES:
		if (!strcmp(name, "ignore")) return &c->ignore_names;
		if (!strcmp(name, "supplement")) return &c->supplement_words;
		if (!strcmp(name, "generic")) return &c->generic_names;
		if (!strcmp(name, "negative_content")) return &c->negative_content;
		break;
	case S_APPLICANT:
		if (!strcmp(name, "noise")) return &c->applicant_noise;
		if (!strcmp(name, "places")) return &c->places;
		if (!strcmp(name, "unit_words")) return &c->unit_words;
		if (!strcmp(name, "key_strip")) return &c->key_strip;
		if (!strcmp(name, "form_labels")) return &c->form_labels;
		break;
	case S_CHECK: {
		struct campaign_check *ck = &c->checks[sn->index];
		if (!strcmp(name, "year")) return &ck->year;
		if (!strcmp(name, "variant_labels")) return &ck->variant_labels;
		break;
	}
	case S_REPLIES:
		for (int k = 0; k < CAMPAIGN_REPLY_KINDS; k++)
			if (!strcmp(name, replies_keys[k].name)) return &c->reply_template[k];
		if (!strcmp(name, "from_name")) return &c->reply_from_name;
		break;
	default:
		break;
	}
	return NULL;
}

/* inih does not strip "; comment" from continuation lines. */
static void strip_inline_comment(char *v)
{
	size_t n;

	for (char *q = v; *q; q++)
		if (*q == ';' && (q == v || is_blank(q[-1]))) {
			*q = '\0';
			break;
		}
	n = strlen(v);
	while (n && is_blank(v[n - 1]))
		v[--n] = '\0';
}

static void c_reply_line(struct campaign *c, unsigned k, unsigned line)
{
	c->reply_template_line[k] = line;
}

/* ---- [check PROGRAM]: field.ID, ratio.ID, variant.ID, rule.[VARIANT.]ID ---- */

#define CHECK_MAX_ENTRIES 128U   /* fields, variants or rules in one section */

static const char *const check_units[] = { "万元", "元", "平方米", "人", "家", "次", "场", "个", "%", "date", NULL };

/* Split off the next '|' part of s, trimmed; NULL when none left. */
static char *next_part(char **s)
{
	char *b = *s, *e;

	if (!b)
		return NULL;
	e = strchr(b, '|');
	*s = e ? e + 1 : NULL;
	if (e)
		*e = '\0';
	while (is_blank(*b))
		b++;
	for (size_t n = strlen(b); n && is_blank(b[n - 1]); n--)
		b[n - 1] = '\0';
	return b;
}

static int field_index(const struct campaign_check *ck, const char *id, size_t n)
{
	for (size_t i = 0; i < ck->nfields; i++)
		if (strlen(ck->fields[i].id) == n && strncmp(ck->fields[i].id, id, n) == 0)
			return (int)i;
	return -1;
}

static int variant_index(const struct campaign_check *ck, const char *id, size_t n)
{
	for (size_t i = 0; i < ck->nvariants; i++)
		if (strlen(ck->variants[i].id) == n && strncmp(ck->variants[i].id, id, n) == 0)
			return (int)i;
	return -1;
}

static struct campaign_check_field *new_field(struct pctx *p, struct campaign_check *ck,
                                              const char *id, unsigned line)
{
	struct campaign_check_field *nv, *f;

	if (ck->nfields >= CHECK_MAX_ENTRIES) {
		fail(p, line, "too many fields in one [check] (at most %u)", CHECK_MAX_ENTRIES);
		return NULL;
	}
	nv = realloc(ck->fields, (ck->nfields + 1) * sizeof(*nv));
	if (!nv) {
		fail(p, line, "out of memory");
		return NULL;
	}
	ck->fields = nv;
	f = &nv[ck->nfields];
	memset(f, 0, sizeof(*f));
	f->num = f->den = -1;
	f->line = line;
	f->id = strdup(id);
	if (!f->id) {
		fail(p, line, "out of memory");
		return NULL;
	}
	ck->nfields++;
	return f;
}

/* "field.ID = UNIT | LABEL, LABEL... [| year]" */
static int check_field(struct pctx *p, struct campaign_check *ck, const char *id, char *v, unsigned line)
{
	char *rest = v, *unit = next_part(&rest), *labels = next_part(&rest), *opt = next_part(&rest);
	struct campaign_check_field *f;
	bool known = false;

	if (field_index(ck, id, strlen(id)) >= 0)
		return fail(p, line, "field '%s' defined twice in this [check]", id);
	for (const char *const *u = check_units; *u; u++)
		known |= unit && strcmp(unit, *u) == 0;
	if (!known)
		return fail(p, line, "field.%s: unit '%s' is not one of 万元, 元, 平方米, 人, 家, 次, 场, 个, %%, date "
		            "(expected UNIT | LABEL, LABEL... [| year])", id, unit ? unit : "");
	if (!labels || !*labels)
		return fail(p, line, "field.%s has no form labels (expected UNIT | LABEL, LABEL... [| year])", id);
	if (opt && strcmp(opt, "year") != 0)
		return fail(p, line, "field.%s: the third part may only be 'year', not '%s'", id, opt);
	if (next_part(&rest))
		return fail(p, line, "field.%s has too many '|' parts", id);
	if (!(f = new_field(p, ck, id, line)))
		return -1;
	f->unit = strdup(unit);
	if (!f->unit)
		return fail(p, line, "out of memory");
	f->date = strcmp(unit, "date") == 0;
	f->by_year = opt != NULL;
	return list_append(p, line, "labels", &f->labels, labels, L_WORDS);
}

/* "ratio.ID = NUM / DEN [| LABEL, ...]": a percentage, the fallback of a
 * field of the same id read from the form, or a field of its own. */
static int check_ratio(struct pctx *p, struct campaign_check *ck, const char *id, char *v, unsigned line)
{
	char *rest = v, *expr = next_part(&rest), *labels = next_part(&rest), *slash;
	int fi = field_index(ck, id, strlen(id)), a, b;
	struct campaign_check_field *f;
	size_t an, bn;
	const char *bs;

	if (!expr || !(slash = strchr(expr, '/')))
		return fail(p, line, "ratio.%s must be FIELD / FIELD [| LABEL]", id);
	an = (size_t)(slash - expr);
	while (an && is_blank(expr[an - 1]))
		an--;
	bs = slash + 1;
	while (is_blank(*bs))
		bs++;
	bn = strlen(bs);
	if ((a = field_index(ck, expr, an)) < 0 || (b = field_index(ck, bs, bn)) < 0)
		return fail(p, line, "ratio.%s uses a field not defined above it ('%.*s')", id,
		            a < 0 ? (int)an : (int)bn, a < 0 ? expr : bs);
	if (ck->fields[a].date || ck->fields[b].date || a == fi || b == fi)
		return fail(p, line, "ratio.%s must divide two number fields other than itself", id);
	if (fi >= 0) {
		f = &ck->fields[fi];
		if (f->num >= 0)
			return fail(p, line, "ratio '%s' defined twice in this [check]", id);
		if (strcmp(f->unit, "%") != 0)
			return fail(p, line, "ratio.%s: field.%s must have unit %% to take a ratio", id, id);
		if (labels && *labels)
			return fail(p, line, "ratio.%s: the labels belong to field.%s", id, id);
	} else {
		if (!labels || !*labels)
			return fail(p, line, "ratio.%s needs a label for messages (FIELD / FIELD | LABEL)", id);
		if (!(f = new_field(p, ck, id, line)))
			return -1;
		f->unit = strdup("%");
		if (!f->unit)
			return fail(p, line, "out of memory");
		if (list_append(p, line, "labels", &f->labels, labels, L_WORDS) != 0)
			return -1;
	}
	f->num = a;
	f->den = b;
	return 0;
}

/* "variant.ID = TITLE | KEYWORD, KEYWORD..." */
static int check_variant(struct pctx *p, struct campaign_check *ck, const char *id, char *v, unsigned line)
{
	char *rest = v, *title = next_part(&rest), *kw = next_part(&rest);
	struct campaign_check_variant *nv, *va;

	if (variant_index(ck, id, strlen(id)) >= 0)
		return fail(p, line, "variant '%s' defined twice in this [check]", id);
	if (!title || !*title || !kw || !*kw || next_part(&rest))
		return fail(p, line, "variant.%s must be TITLE | KEYWORD, KEYWORD...", id);
	if (ck->nrules > 0)
		return fail(p, line, "variant.%s must come before the rules", id);
	if (ck->nvariants >= CHECK_MAX_ENTRIES)
		return fail(p, line, "too many variants in one [check] (at most %u)", CHECK_MAX_ENTRIES);
	nv = realloc(ck->variants, (ck->nvariants + 1) * sizeof(*nv));
	if (!nv)
		return fail(p, line, "out of memory");
	ck->variants = nv;
	va = &nv[ck->nvariants];
	memset(va, 0, sizeof(*va));
	ck->nvariants++;
	va->id = strdup(id);
	va->title = strdup(title);
	if (!va->id || !va->title)
		return fail(p, line, "out of memory");
	return list_append(p, line, "keywords", &va->keywords, kw, L_WORDS);
}

static bool id_char(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch == '_' || ch == '-';
}

/* "rule.[VARIANT.]ID = [years(]FIELD[)] OP NUMBER" */
static int check_rule(struct pctx *p, struct campaign_check *ck, const char *id, const char *v, unsigned line)
{
	static const struct { const char *s; enum check_op op; } ops[] = {
		{ ">=", CHECK_GE }, { "<=", CHECK_LE }, { ">", CHECK_GT }, { "<", CHECK_LT }, { "=", CHECK_EQ },
	};
	struct campaign_check_rule r, *nv;
	const char *q = v, *fs, *dot = strchr(id, '.');
	size_t fn;
	bool op_found = false;
	char *end;

	memset(&r, 0, sizeof(r));
	r.variant = -1;
	r.line = line;
	if (dot) {
		if ((r.variant = variant_index(ck, id, (size_t)(dot - id))) < 0)
			return fail(p, line, "rule.%s names unknown variant '%.*s' (define variant.%.*s above it)",
			            id, (int)(dot - id), id, (int)(dot - id), id);
		if (!valid_id(dot + 1, strlen(dot + 1)))
			return fail(p, line, "rule.%s: bad rule id", id);
	} else if (!valid_id(id, strlen(id))) {
		return fail(p, line, "rule.%s: bad rule id (letters, digits, '_' or '-')", id);
	}
	for (size_t i = 0; i < ck->nrules; i++)
		if (strcmp(ck->rules[i].id, id) == 0)
			return fail(p, line, "rule '%s' defined twice in this [check]", id);
	while (is_blank(*q))
		q++;
	if (strncmp(q, "years(", 6) == 0) {
		r.years = true;
		q += 6;
	}
	fs = q;
	while (id_char(*q))
		q++;
	fn = (size_t)(q - fs);
	if (r.years) {
		if (*q != ')')
			return fail(p, line, "rule.%s: years( without ')'", id);
		q++;
	}
	if (fn == 0)
		return fail(p, line, "rule.%s must be FIELD OP NUMBER or years(FIELD) OP NUMBER, not '%s'", id, v);
	if ((r.field = field_index(ck, fs, fn)) < 0)
		return fail(p, line, "rule.%s uses unknown field '%.*s' (define field.%.*s above it)",
		            id, (int)fn, fs, (int)fn, fs);
	if (r.years != ck->fields[r.field].date)
		return fail(p, line, r.years ? "rule.%s: years() needs a date field" :
		            "rule.%s: a date field is compared as years(FIELD)", id);
	while (is_blank(*q))
		q++;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && !op_found; i++)
		if (strncmp(q, ops[i].s, strlen(ops[i].s)) == 0) {
			r.op = ops[i].op;
			q += strlen(ops[i].s);
			op_found = true;
		}
	if (!op_found)
		return fail(p, line, "rule.%s: expected one of >= > <= < = after the field", id);
	while (is_blank(*q))
		q++;
	if (!((*q >= '0' && *q <= '9') || *q == '.'))
		return fail(p, line, "rule.%s: expected a number after the operator, not '%s'", id, q);
	r.number = strtod(q, &end);
	while (is_blank(*end))
		end++;
	if (*end)
		return fail(p, line, "rule.%s: unexpected '%s' after the number", id, end);
	if (ck->nrules >= CHECK_MAX_ENTRIES)
		return fail(p, line, "too many rules in one [check] (at most %u)", CHECK_MAX_ENTRIES);
	nv = realloc(ck->rules, (ck->nrules + 1) * sizeof(*nv));
	if (!nv)
		return fail(p, line, "out of memory");
	ck->rules = nv;
	r.id = strdup(id);
	if (!r.id)
		return fail(p, line, "out of memory");
	nv[ck->nrules++] = r;
	return 0;
}

static int check_key(struct pctx *p, const char *key, const char *value, unsigned line)
{
	struct campaign_check *ck = &p->c->checks[p->cur->index];
	const char *dot = strchr(key, '.'), *id = dot + 1;
	size_t kl = (size_t)(dot - key);
	char *v;
	int ret;

	if (!*id || (!valid_id(id, strlen(id)) && !(kl == 4 && strncmp(key, "rule", 4) == 0)))
		return fail(p, line, "'%s': bad id after '.' (letters, digits, '_' or '-')", key);
	v = strdup(value);
	if (!v)
		return fail(p, line, "out of memory");
	if (kl == 5 && strncmp(key, "field", 5) == 0)
		ret = check_field(p, ck, id, v, line);
	else if (kl == 5 && strncmp(key, "ratio", 5) == 0)
		ret = check_ratio(p, ck, id, v, line);
	else if (kl == 7 && strncmp(key, "variant", 7) == 0)
		ret = check_variant(p, ck, id, v, line);
	else if (kl == 4 && strncmp(key, "rule", 4) == 0)
		ret = check_rule(p, ck, id, v, line);
	else
		ret = fail(p, line, "unknown key '%s' in [check %s] (expected year, variant_labels, field.ID, "
		           "ratio.ID, variant.ID or rule.ID)", key, p->cur->id);
	free(v);
	return ret;
}

static int on_key(void *ctx, const char *section, const char *key, const char *value, unsigned line)
{
	struct pctx *p = ctx;
	const struct keydef *kd, *keys;
	unsigned ki = 0;
	void *dst;
	char *v = NULL;
	int ret = -1;

	(void)section;         /* ours, read from the header line itself */
	if (cursor_to(p, line) != 0)
		return -1;
	if (!p->cur)
		return fail(p, line, "'%s' is outside any [section]", key);

	/* inih continues the previous key on an indented line, but only once
	 * the section has a key: the first key may itself be indented. */
	p->cont = p->indented && p->cur->set != 0;
	if (p->cur->kind == S_CHECK && strchr(key, '.')) {
		if (p->cont)
			return fail(p, line, "'%s' cannot continue on an indented line (only lists can)", key);
		p->cur->set |= 1U << 31;   /* a key was given: later indented lines continue it */
		return check_key(p, key, value, line);
	}
	keys = keys_of(p->cur->kind);
	for (kd = keys; kd->name; kd++, ki++)
		if (strcmp(kd->name, key) == 0)
			break;
	if (!kd->name) {
		if (p->cur->id)
			return fail(p, line, "unknown key '%s' in [%s %s]", key, sect_names[p->cur->kind], p->cur->id);
		return fail(p, line, "unknown key '%s' in [%s]", key, sect_names[p->cur->kind]);
	}

	v = strdup(value);
	if (!v)
		return fail(p, line, "out of memory");
	if (p->cont)
		strip_inline_comment(v);

	if (p->cont && kd->type != K_LIST && kd->type != K_LIST_LOWER_ADDR) {
		fail(p, line, "'%s' cannot continue on an indented line (only lists can)", key);
		goto out;
	}
	if (!p->cont && (p->cur->set & (1U << ki))) {
		fail(p, line, "'%s' given twice in this section (first at line %u)", key, p->cur->set_line[ki]);
		goto out;
	}
	if (!p->cont) {
		p->cur->set |= 1U << ki;
		p->cur->set_line[ki] = line;
	}

	dst = slot(p, key);
	switch (kd->type) {
	case K_STR:
		if (p->cur->kind == S_COUNTY && strcmp(key, "kind") == 0 &&
		    strcmp(v, "county") != 0 && strcmp(v, "park") != 0) {
			fail(p, line, "'kind' must be county or park, not '%s'", v);
			goto out;
		}
		if (set_string(p, line, key, dst, v) != 0)
			goto out;
		if (p->cur->kind == S_REPLIES && ki < CAMPAIGN_REPLY_KINDS)
			c_reply_line(p->c, ki, line);
		break;
	case K_LIST:
		if (list_append(p, line, key, dst, v,
		                strcmp(key, "ignore") == 0 ? L_GLOBS : L_WORDS) != 0)
			goto out;
		break;
	case K_LIST_LOWER_ADDR:
		if (list_append(p, line, key, dst, v, L_ADDRESSES) != 0)
			goto out;
		break;
	case K_UINT:
		if (parse_uint(p, line, key, v, kd->max, dst) != 0)
			goto out;
		break;
	case K_BOOL:
		if (parse_bool(p, line, key, v, dst) != 0)
			goto out;
		break;
	case K_TIME: {
		int off = 0;
		if (campaign_parse_time(v, dst, &off) != 0) {
			fail(p, line, "'%s' must be an RFC 3339 time with offset, e.g. 2023-05-19T23:59:59+08:00, not '%s'", key, v);
			goto out;
		}
		if (strcmp(key, "opens") == 0)
			p->opens_off = off;
		else
			p->deadline_off = off;
		break;
	}
	case K_REF: {
		struct item_ref *r = dst;
		if (!*v) {
			fail(p, line, "'program' is empty");
			goto out;
		}
		free(r->program);
		r->program = v;
		r->line = line;
		v = NULL;
		break;
	}
	}
	ret = 0;
out:
	free(v);
	return ret;
}

/* ---- checks after the parse ---- */

static const struct seen *find_seen(const struct pctx *p, enum sect kind, int index)
{
	for (size_t i = 0; i < p->nseen; i++)
		if (p->seen[i].kind == kind && (index < 0 || p->seen[i].index == index))
			return &p->seen[i];
	return NULL;
}

static int check_required(struct pctx *p, const struct seen *sn)
{
	const struct keydef *keys = keys_of(sn->kind);
	unsigned ki = 0;

	for (const struct keydef *kd = keys; kd->name; kd++, ki++)
		if (kd->required && !(sn->set & (1U << ki))) {
			if (sn->id)
				return fail(p, sn->line, "[%s %s] has no '%s'", sect_names[sn->kind], sn->id, kd->name);
			return fail(p, sn->line, "[%s] has no '%s'", sect_names[sn->kind], kd->name);
		}
	return 0;
}

static unsigned key_line(const struct seen *sn, const char *name)
{
	const struct keydef *keys = keys_of(sn->kind);
	unsigned ki = 0;

	for (const struct keydef *kd = keys; kd->name; kd++, ki++)
		if (strcmp(kd->name, name) == 0)
			return (sn->set & (1U << ki)) ? sn->set_line[ki] : sn->line;
	return sn->line;
}

/* The i-th name-or-alias of a county: 0 is its name. */
static const char *county_word(const struct campaign_county *co, size_t k)
{
	return k == 0 ? co->name : co->aliases.v[k - 1];
}

static int check_counties(struct pctx *p)
{
	struct campaign *c = p->c;

	/* A sender, name or alias of two counties would make the answer depend
	 * on file order: refuse it, at the later county. */
	for (size_t i = 0; i < c->ncounties; i++) {
		const struct campaign_county *a = &c->counties[i];
		const struct seen *sa = find_seen(p, S_COUNTY, (int)i);

		for (size_t j = 0; j < i; j++) {
			const struct campaign_county *b = &c->counties[j];

			for (size_t s = 0; s < a->senders.n; s++)
				for (size_t t = 0; t < b->senders.n; t++)
					if (strcmp(a->senders.v[s], b->senders.v[t]) == 0)
						return fail(p, key_line(sa, "senders"), "sender '%s' of [county %s] already belongs to [county %s]",
						            a->senders.v[s], a->id, b->id);
			for (size_t s = 0; s <= a->aliases.n; s++)
				for (size_t t = 0; t <= b->aliases.n; t++) {
					const char *w = county_word(a, s), *v = county_word(b, t);
					if (w && v && strcmp(w, v) == 0)
						return fail(p, key_line(sa, s ? "aliases" : "name"),
						            "'%s' of [county %s] already names [county %s]", w, a->id, b->id);
				}
		}
	}
	return 0;
}

/* summary_fill entries are "N:source" with N a column and source known. */
static int check_summaries(struct pctx *p)
{
	static const char *const sources[] = { "seq", "applicant", "county", "credit_code", NULL };
	struct campaign *c = p->c;

	for (size_t i = 0; i < c->nprograms; i++) {
		const struct campaign_program *pr = &c->programs[i];
		const struct seen *sn = find_seen(p, S_PROGRAM, (int)i);
		unsigned line = sn ? key_line(sn, "summary_fill") : 0;

		if (pr->summary_fill.n > 0 && pr->summary_columns.n == 0)
			return fail(p, line, "[program %s] has summary_fill but no summary_columns", pr->key);
		for (size_t k = 0; k < pr->summary_fill.n; k++) {
			const char *e = pr->summary_fill.v[k], *colon = strchr(e, ':');
			char *end = NULL;
			unsigned long n = strtoul(e, &end, 10);
			bool known = false;

			if (!colon || end != colon || n == 0 || n > pr->summary_columns.n)
				return fail(p, line, "summary_fill entry '%s' is not N:source with N a column "
				            "(1 to %zu)", e, pr->summary_columns.n);
			for (const char *const *s = sources; *s; s++)
				known |= strcmp(colon + 1, *s) == 0;
			if (!known)
				return fail(p, line, "summary_fill entry '%s': unknown source (known: %s)",
				            e, CAMPAIGN_SUMMARY_SOURCES);
		}
	}
	return 0;
}

const char *campaign_summary_source(const struct campaign_program *pr, size_t col)
{
	for (size_t k = 0; k < pr->summary_fill.n; k++) {
		const char *e = pr->summary_fill.v[k], *colon = strchr(e, ':');
		if (colon && strtoul(e, NULL, 10) == col + 1)
			return colon + 1;
	}
	return NULL;
}

static int validate(struct pctx *p)
{
	struct campaign *c = p->c;
	const struct seen *sc = find_seen(p, S_CAMPAIGN, -1);

	if (!sc)
		return fail(p, 0, "no [campaign] section");
	for (size_t i = 0; i < p->nseen; i++)
		if (check_required(p, &p->seen[i]) != 0)
			return -1;
	if (c->deadline <= c->opens) {
		char a[40], b[40];
		campaign_format_time(c->deadline, p->deadline_off, a, sizeof(a));
		campaign_format_time(c->opens, p->opens_off, b, sizeof(b));
		return fail(p, key_line(sc, "deadline"), "deadline %s is not after opens %s", a, b);
	}
	c->tz_offset_min = p->deadline_off;
	if (c->nprograms == 0)
		return fail(p, 0, "no [program KEY] section");
	if (c->ncounties == 0)
		return fail(p, 0, "no [county ID] section");
	if (check_summaries(p) != 0)
		return -1;
	if (!p->min_conf_set)
		c->content_min_confidence = 60;
	for (size_t i = 0; i < p->nseen; i++) {
		const struct seen *sn = &p->seen[i];
		struct campaign_check *ck;

		if (sn->kind != S_CHECK)
			continue;
		ck = &c->checks[sn->index];
		ck->program = campaign_program_index(c, sn->id);
		if (ck->program < 0)
			return fail(p, sn->line, "[check %s] names no program", sn->id);
		if (ck->nrules == 0)
			return fail(p, sn->line, "[check %s] has no rule.ID", sn->id);
		if (ck->nvariants == 1)
			return fail(p, sn->line, "[check %s] has one variant: give two or more, or none", sn->id);
		if (ck->nvariants > 0 && ck->variant_labels.n == 0)
			return fail(p, sn->line, "[check %s] has variants but no variant_labels", sn->id);
	}

	for (size_t i = 0; i < c->nitems; i++) {
		struct campaign_item *it = &c->items[i];
		const struct item_ref *r = &p->refs[i];

		if (strcmp(r->program, "county") == 0) {
			it->program = -1;
		} else {
			it->program = campaign_program_index(c, r->program);
			if (it->program < 0) {
				char known[256] = "";
				for (size_t k = 0; k < c->nprograms; k++) {
					size_t kl = strlen(known);
					snprintf(known + kl, sizeof(known) - kl, "%s%s", k ? ", " : "", c->programs[k].key);
				}
				return fail(p, r->line, "item %s names unknown program '%s' (known: %s, or county)",
				            it->id, r->program, known);
			}
		}
		if (it->number == 0)
			continue;
		for (size_t j = 0; j < i; j++)
			if (c->items[j].program == it->program && c->items[j].number == it->number)
				return fail(p, key_line(find_seen(p, S_ITEM, (int)i), "number"),
				            "item %s has number %u, like item %s of the same program",
				            it->id, it->number, c->items[j].id);
	}
	return check_counties(p);
}

/* ---- public ---- */

int campaign_parse(const char *text, size_t len, const char *filename,
                   struct campaign **c_r, char *err, size_t errlen)
{
	struct pctx p;
	struct campaign *c = NULL;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	*c_r = NULL;
	if (errlen)
		err[0] = '\0';
	if (!filename)
		filename = "(campaign)";
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", filename);
		return -1;
	}
	p.c = c;
	p.filename = filename;
	p.text = text;
	p.len = len;

	if (memchr(text, '\0', len)) {
		fail(&p, 0, "contains a NUL byte");
		goto out;
	}
	if (inifile_parse(text, len, filename, on_key, &p, err, errlen) != 0) {
		/* Our own refusals carry the line we chose (a section header for a
		 * duplicate section); inih's syntax errors keep its message. */
		if (!p.failed)
			goto out_keep;
		goto out;
	}
	/* Headers after the last key: an empty section at the end. */
	if (cursor_to(&p, (unsigned)-1) != 0 || validate(&p) != 0)
		goto out;
	*c_r = c;
	c = NULL;
	ret = 0;
	goto out_keep;
out:
	snprintf(err, errlen, "%s", p.msg);
out_keep:
	for (size_t i = 0; i < p.nseen; i++)
		free(p.seen[i].id);
	free(p.seen);
	if (p.refs) {
		size_t n = c ? c->nitems : (*c_r ? (*c_r)->nitems : 0);
		for (size_t i = 0; i < n; i++)
			free(p.refs[i].program);
		free(p.refs);
	}
	campaign_free(&c);
	return ret;
}

void campaign_free(struct campaign **cp)
{
	struct campaign *c;

	if (!cp || !*cp)
		return;
	c = *cp;
	free(c->id);
	free(c->title);
	free(c->issuer);
	free(c->office);
	free(c->notice_ref);
	free(c->tz_name);
	for (size_t i = 0; i < c->nprograms; i++) {
		free(c->programs[i].key);
		free(c->programs[i].title);
		free(c->programs[i].annex);
		free(c->programs[i].summary_annex);
		strlist_free(&c->programs[i].patterns);
		free(c->programs[i].summary_title);
		free(c->programs[i].summary_unit);
		free(c->programs[i].summary_note);
		strlist_free(&c->programs[i].summary_columns);
		strlist_free(&c->programs[i].summary_fill);
	}
	for (size_t i = 0; i < c->nitems; i++) {
		free(c->items[i].id);
		free(c->items[i].title);
		free(c->items[i].short_title);
		strlist_free(&c->items[i].patterns);
		strlist_free(&c->items[i].excludes);
		strlist_free(&c->items[i].content);
		strlist_free(&c->items[i].content_body);
	}
	free(c->items);
	for (size_t i = 0; i < c->ncounties; i++) {
		free(c->counties[i].id);
		free(c->counties[i].name);
		free(c->counties[i].kind);
		strlist_free(&c->counties[i].aliases);
		strlist_free(&c->counties[i].senders);
	}
	free(c->counties);
	strlist_free(&c->ignore_names);
	strlist_free(&c->supplement_words);
	strlist_free(&c->applicant_noise);
	strlist_free(&c->places);
	strlist_free(&c->unit_words);
	strlist_free(&c->key_strip);
	for (int k = 0; k < CAMPAIGN_REPLY_KINDS; k++)
		free(c->reply_template[k]);
	free(c->reply_from_name);
	strlist_free(&c->generic_names);
	strlist_free(&c->negative_content);
	strlist_free(&c->form_labels);
	for (size_t i = 0; i < c->nchecks; i++) {
		struct campaign_check *ck = &c->checks[i];
		strlist_free(&ck->variant_labels);
		for (size_t k = 0; k < ck->nvariants; k++) {
			free(ck->variants[k].id);
			free(ck->variants[k].title);
			strlist_free(&ck->variants[k].keywords);
		}
		free(ck->variants);
		for (size_t k = 0; k < ck->nfields; k++) {
			free(ck->fields[k].id);
			free(ck->fields[k].unit);
			strlist_free(&ck->fields[k].labels);
		}
		free(ck->fields);
		for (size_t k = 0; k < ck->nrules; k++)
			free(ck->rules[k].id);
		free(ck->rules);
	}
	free(c->checks);
	free(c);
	*cp = NULL;
}

int campaign_program_index(const struct campaign *c, const char *key)
{
	if (!c || !key)
		return -1;
	for (size_t i = 0; i < c->nprograms; i++)
		if (strcmp(c->programs[i].key, key) == 0)
			return (int)i;
	return -1;
}

const struct campaign_item *campaign_item_by_id(const struct campaign *c, const char *id)
{
	if (!c || !id)
		return NULL;
	for (size_t i = 0; i < c->nitems; i++)
		if (strcmp(c->items[i].id, id) == 0)
			return &c->items[i];
	return NULL;
}

const struct campaign_check *campaign_check_of(const struct campaign *c, int prog)
{
	if (!c || prog < 0)
		return NULL;
	for (size_t i = 0; i < c->nchecks; i++)
		if (c->checks[i].program == prog)
			return &c->checks[i];
	return NULL;
}

int campaign_county_index(const struct campaign *c, const char *id)
{
	if (!c || !id)
		return -1;
	for (size_t i = 0; i < c->ncounties; i++)
		if (strcmp(c->counties[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* ---- RFC 3339 ---- */

static bool digits(const char *s, unsigned n, int *v)
{
	int r = 0;

	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

int campaign_parse_time(const char *s, time_t *t_r, int *offset_min_r)
{
	int Y, M, D, h, m, sec, oh = 0, om = 0, off;
	struct tm tm;
	time_t t;

	if (!s || !t_r)
		return -1;
	/* YYYY-MM-DDTHH:MM:SS */
	if (strlen(s) < 20 || !digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' ||
	    !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &m) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || h > 23 || m > 59 || sec > 60)
		return -1;
	/* RFC 3339 allows a leap second; we hold it to the second before, so
	 * "23:59:60" stays on its day. */
	if (sec == 60)
		sec = 59;
	s += 19;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		off = 0;
		s++;
	} else if (*s == '+' || *s == '-') {
		if (!digits(s + 1, 2, &oh) || s[3] != ':' || !digits(s + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = oh * 60 + om;
		if (*s == '-')
			off = -off;
		s += 6;
	} else {
		return -1;
	}
	if (*s)
		return -1;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	/* timegm() reads the fields as UTC: the process TZ plays no part. */
	t = timegm(&tm);
	*t_r = t - (time_t)off * 60;
	if (offset_min_r)
		*offset_min_r = off;
	return 0;
}

void campaign_format_time(time_t t, int offset_min, char *buf, size_t size)
{
	struct tm tm;
	time_t local;
	int a;

	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (offset_min < -(23 * 60 + 59) || offset_min > 23 * 60 + 59)
		return;
	if (__builtin_add_overflow(t, (time_t)offset_min * 60, &local))
		return;
	if (!gmtime_r(&local, &tm))
		return;
	a = offset_min < 0 ? -offset_min : offset_min;
	if (offset_min == 0)
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		         offset_min < 0 ? '-' : '+', a / 60, a % 60);
}

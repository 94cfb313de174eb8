/*
 * mime.c - walk one RFC 5322 message with libetpan and hand out its parts.
 *
 * libetpan builds the tree and decodes bodies.  Everything that carries
 * names or envelope facts is read from the raw header bytes here instead,
 * because libetpan loses data on the way (LIBRARIES.md 4): Content-Type
 * is RFC 2047-decoded as a whole with 8-bit bytes turned into '?', RFC 2231
 * is not implemented, and "gb2312" is read as GBK, not GB18030.
 */
#include "mime.h"
#include "names.h"
#include "b64.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>
#include <libetpan/charconv.h>

#define MIME_B64_WINDOW  (1U << 20)   /* encoded bytes per base64 window: <= 768 KiB out */
#define MIME_QP_WINDOW   (1U << 19)   /* QP may turn LF into CRLF: <= 1 MiB out */
#define MIME_RAW_WINDOW  MIME_WINDOW_MAX
#define MIME_MAX_PARAMS  256U         /* parameters kept per header field */
#define MIME_TYPE_MAX    127U         /* "type/subtype" bytes kept */
#define MIME_ID_MAX      998U         /* Message-ID / Content-ID bytes kept */
#define MIME_SHORT_MAX   1024U        /* Auto-Submitted, Precedence, ... */
#define MIME_REPARSE_FACTOR 4U        /* re-parse budget, in message lengths */

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Trim white space from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
	while (*n > 0 && is_ws((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_ws((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* Any bytes to a valid UTF-8 C string (strings handed to callers). */
static char *utf8_dup(const char *s, size_t n, size_t max)
{
	return names_to_utf8(s, n > max ? max : n, NULL, 0, NULL);
}

/* ------------------------------------------------------------------ */
/* Raw header fields                                                   */

struct rawhdr {
	const char *name;
	size_t name_len;
	const char *value;     /* raw, folded, without the final line break */
	size_t value_len;
};

static bool header_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7F || c == ':')
			return false;
	}
	return true;
}

/*
 * Next header field in [*pp, end).  Stops (false) at the empty line that
 * ends a header block or at end.  Lines that are not "name: value" are
 * skipped: a lenient reader, as the message is not ours to fix.
 */
static bool rawhdr_next(const char **pp, const char *end, struct rawhdr *h)
{
	const char *p = *pp;

	while (p < end) {
		const char *line = p, *eol, *colon, *q;
		size_t nl;

		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
			break;                                  /* blank line */
		eol = memchr(p, '\n', (size_t)(end - p));
		eol = eol ? eol : end;
		colon = memchr(line, ':', (size_t)(eol - line));
		/* field end: the first line break not followed by WSP */
		q = eol;
		while (q < end && q + 1 < end && (q[1] == ' ' || q[1] == '\t')) {
			const char *n2 = memchr(q + 1, '\n', (size_t)(end - q - 1));

			q = n2 ? n2 : end;
		}
		p = q < end ? q + 1 : end;
		if (colon == NULL || line[0] == ' ' || line[0] == '\t')
			continue;
		nl = (size_t)(colon - line);
		while (nl > 0 && (line[nl - 1] == ' ' || line[nl - 1] == '\t'))
			nl--;
		if (!header_name_ok(line, nl))
			continue;
		h->name = line;
		h->name_len = nl;
		h->value = colon + 1;
		h->value_len = (size_t)(q - colon - 1);
		if (h->value_len > 0 && h->value[h->value_len - 1] == '\r')
			h->value_len--;
		*pp = p;
		return true;
	}
	*pp = p;
	return false;
}

static bool rawhdr_is(const struct rawhdr *h, const char *name)
{
	return h->name_len == strlen(name) &&
	       strncasecmp(h->name, name, h->name_len) == 0;
}

/*
 * Unfold (drop CR/LF before white space), trim, and cap at max bytes.
 * *cut_r tells whether the cap was hit.
 */
static char *unfold_value(const char *v, size_t n, size_t max, size_t *len_r,
                          bool *cut_r)
{
	char *o;
	size_t ol = 0;
	const char *s = v;
	size_t sn = n;

	*cut_r = false;
	trim(&s, &sn);
	o = malloc((sn < max ? sn : max) + 1);
	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < sn; i++) {
		char c = s[i];

		if (c == '\r' || c == '\n') {
			if (i + 1 < sn && (s[i + 1] == ' ' || s[i + 1] == '\t' ||
			    s[i + 1] == '\n'))
				continue;
			c = ' ';
		}
		if (ol == max) {
			*cut_r = true;
			break;
		}
		o[ol++] = c;
	}
	o[ol] = '\0';
	*len_r = ol;
	return o;
}

/* ------------------------------------------------------------------ */
/* MIME parameters, from raw bytes                                     */

struct plist {
	struct names_param v[MIME_MAX_PARAMS];
	size_t n;
	char *type;             /* lower-cased first token, or NULL */
	bool present;           /* the header field was there */
};

static void plist_clear(struct plist *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free((char *)(uintptr_t)pl->v[i].name);
		free((char *)(uintptr_t)pl->v[i].value);
	}
	pl->n = 0;
	free(pl->type);
	pl->type = NULL;
	pl->present = false;
}

/*
 * Unquote a quoted-string starting after the opening quote.  A backslash
 * escapes only '"' and '\\', and not when it is the trail byte of a GBK
 * character: GBK trail bytes include 0x5C, and clients that send raw GBK
 * names do not escape them.  Returns bytes consumed (incl. closing quote);
 * out may be NULL to measure only.
 */
static size_t unquote(const char *s, size_t n, char *out, size_t *olen)
{
	size_t i = 0, o = 0, run = 0;
	bool pending = false;   /* previous byte was a GBK lead byte */

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"') {
			i++;
			break;
		}
		if (c == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\')) {
			bool trail = pending;

			/* a complete UTF-8 run before it: not GBK after all */
			if (trail && names_is_utf8(s + run, i - run))
				trail = false;
			if (!trail) {
				if (out != NULL)
					out[o] = s[i + 1];
				o++;
				i += 2;
				pending = false;
				run = i;
				continue;
			}
		}
		if (out != NULL)
			out[o] = (char)c;
		o++;
		if (c < 0x80)
			run = i + 1;
		pending = !pending && c >= 0x81;
		i++;
	}
	*olen = o;
	return i;
}

static bool plist_add(struct plist *pl, const char *name, size_t nl,
                      const char *val, size_t vl, bool quoted)
{
	char *n, *v;
	size_t ol = vl;

	if (pl->n == MIME_MAX_PARAMS)
		return true;    /* bounded: later parameters are ignored */
	n = dup_n(name, nl);
	v = malloc(vl + 1);
	if (n == NULL || v == NULL) {
		free(n);
		free(v);
		return false;
	}
	if (quoted)
		unquote(val, vl, v, &ol);
	else
		memcpy(v, val, vl);
	v[ol] = '\0';
	pl->v[pl->n].name = n;
	pl->v[pl->n].value = v;
	pl->v[pl->n].value_len = ol;
	pl->n++;
	return true;
}

/*
 * "type; a=b; c="d"" of an unfolded Content-Type or Content-Disposition.
 * Lenient: an unquoted value runs to the next ';' (raw 8-bit names and
 * Outlook's filename==?utf-8?B?...?= both need that).
 */
static int params_parse(const char *s, size_t n, struct plist *pl)
{
	size_t i = 0, t0;

	pl->present = true;
	while (i < n && is_ws((unsigned char)s[i]))
		i++;
	t0 = i;
	while (i < n && s[i] != ';' && !is_ws((unsigned char)s[i]) && s[i] != '(')
		i++;
	if (i > t0) {
		pl->type = dup_n(s + t0, i - t0 > MIME_TYPE_MAX ? MIME_TYPE_MAX : i - t0);
		if (pl->type == NULL)
			return -1;
		lower_ascii(pl->type);
	}
	for (;;) {
		size_t n0, n1, v0, v1;
		bool quoted = false;

		while (i < n && s[i] != ';')
			i++;
		if (i >= n)
			break;
		i++;
		while (i < n && is_ws((unsigned char)s[i]))
			i++;
		n0 = i;
		while (i < n && s[i] != '=' && s[i] != ';')
			i++;
		if (i >= n || s[i] != '=')
			continue;
		n1 = i;
		while (n1 > n0 && is_ws((unsigned char)s[n1 - 1]))
			n1--;
		i++;
		while (i < n && is_ws((unsigned char)s[i]))
			i++;
		if (i < n && s[i] == '"') {
			size_t olen;

			quoted = true;
			v0 = i + 1;
			v1 = v0 + unquote(s + v0, n - v0, NULL, &olen);
			i = v1;
			/* v1 is one past the closing quote, if there was one */
			if (v1 > v0 && s[v1 - 1] == '"')
				v1--;
		} else {
			v0 = i;
			while (i < n && s[i] != ';')
				i++;
			v1 = i;
			while (v1 > v0 && is_ws((unsigned char)s[v1 - 1]))
				v1--;
		}
		if (n1 == n0)
			continue;
		if (!plist_add(pl, s + n0, n1 - n0, s + v0, v1 - v0, quoted))
			return -1;
	}
	return 0;
}

static const char *plist_get(const struct plist *pl, const char *name)
{
	for (size_t i = 0; i < pl->n; i++)
		if (strcasecmp(pl->v[i].name, name) == 0)
			return pl->v[i].value;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* libetpan's boundary crash                                           */

/*
 * Replays what libetpan does with one Content-Type value (mailmime.c:
 * RFC 2047-decode as us-ascii, then mailmime_content_parse) and checks
 * the boundary mailmime_extract_boundary would strncpy with len - 2.
 */
static bool content_type_crashes(const char *value)
{
	struct mailmime_content *ct = NULL;
	char *decoded = NULL;
	size_t idx = 0;
	bool bad = false;
	int r;

	r = mailmime_encoded_phrase_parse("us-ascii", value, strlen(value), &idx,
	                                  "utf-8", &decoded);
	idx = 0;
	if (r == MAILIMF_NO_ERROR)
		r = mailmime_content_parse(decoded, strlen(decoded), &idx, &ct);
	else
		r = mailmime_content_parse(value, strlen(value), &idx, &ct);
	if (r == MAILIMF_NO_ERROR && ct != NULL && ct->ct_type != NULL &&
	    ct->ct_type->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
	    ct->ct_type->tp_data.tp_composite_type != NULL &&
	    ct->ct_type->tp_data.tp_composite_type->ct_type ==
	        MAILMIME_COMPOSITE_TYPE_MULTIPART) {
		const char *b = mailmime_content_param_get(ct, (char *)"boundary");

		bad = b != NULL && b[0] == '"' && b[1] == '\0';
	}
	if (ct != NULL)
		mailmime_content_free(ct);
	free(decoded);
	return bad;
}

#define KNOWN_CRASH_WINDOW (1U << 20)

static bool known_crash_scan(const char *msg, size_t len,
                             void (*progress)(void *ctx, const char *upto), void *ctx)
{
	static const char key[] = "content-type";
	const size_t kl = sizeof(key) - 1;
	size_t i = 0;

	if (msg == NULL)
		return false;
	/*
	 * Every "content-type" followed by white space and ':' anywhere, not
	 * only at line starts: a superset of what libetpan parses as a
	 * header costs only false alarms on messages that contain this exact
	 * odd pattern.  Found from the ':' backwards, because memchr() skips
	 * a base64 body (which has no ':') at memory speed; the match set is
	 * the one a forward scan from every position gives.
	 */
	size_t from = 0;        /* where memchr() goes on; i is where a match may start */

	while (i + kl < len) {
		const char *colon;
		size_t q, r, p, term, st;
		char *value;
		bool bad;

		/* in windows, so a long base64 body is reported read as it goes */
		if (from < i)
			from = i;
		colon = memchr(msg + from, ':', len - from < KNOWN_CRASH_WINDOW ? len - from
		                                                               : KNOWN_CRASH_WINDOW);
		if (colon == NULL) {
			from += len - from < KNOWN_CRASH_WINDOW ? len - from : KNOWN_CRASH_WINDOW;
			if (from >= len)
				break;
			if (progress != NULL)
				progress(ctx, msg + from);
			continue;
		}
		q = (size_t)(colon - msg);
		from = q + 1;
		r = q;
		while (r > i && is_ws((unsigned char)msg[r - 1]))
			r--;
		if (r < i + kl || strncasecmp(msg + r - kl, key, kl) != 0) {
			i = q + 1;
			continue;
		}
		p = q + 1;
		while (p < len && (msg[p] == ' ' || msg[p] == '\t'))
			p++;
		/* libetpan's mailimf_unstructured_parse: the value ends at the
		 * line break that is not followed by WSP */
		term = len;
		st = 0;
		for (size_t k = p; k < len; k++) {
			char c = msg[k];

			if (st == 2) {          /* after LF */
				if (c == ' ' || c == '\t') {
					st = 0;
					term = len;
					continue;
				}
				break;
			}
			if (c == '\r' || c == '\n') {
				if (st == 0)
					term = k;
				st = c == '\n' ? 2 : 1;
			} else {
				st = 0;
				term = len;
			}
		}
		value = strndup(msg + p, term - p);   /* stops at NUL like libetpan */
		if (value == NULL)
			return false;
		bad = content_type_crashes(value);
		free(value);
		if (bad)
			return true;
		/*
		 * Continue after this value: a "content-type" inside a folded
		 * value is not a header, and skipping keeps the scan linear.
		 */
		i = term > r - kl + 1 ? term : r - kl + 1;
	}
	return false;
}

bool mime_known_crash(const char *msg, size_t len)
{
	return known_crash_scan(msg, len, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* libetpan's charset hook                                             */

/*
 * libetpan reads "gb2312" as GBK, silently falls back to Latin-1 for
 * labels glibc does not know (x-gbk) and turns raw 8-bit Content-Type
 * bytes into '?'.  Route the GBK family through GB18030 and unlabelled
 * (us-ascii) bytes through our UTF-8-else-GB18030 guess; everything else
 * goes back to libetpan's iconv path.
 */
static int intake_charconv(const char *tocode, const char *fromcode,
                           const char *str, size_t length, char *result,
                           size_t *result_len)
{
	char norm[80];
	const char *cs;
	char *out;
	size_t ol;

	if (tocode == NULL || fromcode == NULL ||
	    (strcasecmp(tocode, "utf-8") != 0 && strcasecmp(tocode, "utf8") != 0))
		return MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET;
	names_charset_normalise(fromcode, norm, sizeof(norm));
	if (strcmp(norm, "GB18030") == 0)
		cs = "GB18030";
	else if (strcmp(norm, "US-ASCII") == 0)
		cs = NULL;
	else
		return MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET;
	out = names_to_utf8(str, length, cs, *result_len, NULL);
	if (out == NULL)
		return MAIL_CHARCONV_ERROR_MEMORY;
	ol = strlen(out);
	memcpy(result, out, ol);
	*result_len = ol;
	free(out);
	return MAIL_CHARCONV_NO_ERROR;
}

/* ------------------------------------------------------------------ */
/* The walk                                                            */

struct walk {
	struct intake_limits lim;
	const struct mime_sink *sink;
	struct mime_info *info;
	const char *msg;
	size_t len;
	unsigned leaves;
	size_t reparse_left;    /* bytes walk_reparsed() may still parse */
	bool depth_reported, parts_reported, header_reported, reparse_reported;
	bool stopped;
	unsigned char *b64out;  /* one decoded base64 window, reused by every part */
	const struct mailmime *checked; /* a multipart whose delimiters skeleton_build() checked */
	const char *evicted;    /* the sink was told the bytes before this are read */
};

/*
 * The passes over the whole message before the tree exists (the crash
 * check, the skeleton's delimiter search) tell the sink how far they have
 * read, in steps of at least MIME_EVICT_STEP, so a caller that mapped the
 * message can drop those pages as it goes (worker.c).
 */
#define MIME_EVICT_STEP (4U << 20)

static void read_upto(void *ctx, const char *p)
{
	struct walk *w = ctx;

	if (w->sink->consumed == NULL || p < w->evicted + MIME_EVICT_STEP)
		return;
	w->sink->consumed(w->sink->ctx, w->evicted, (size_t)(p - w->evicted));
	w->evicted = p;
}

static void problem(struct walk *w, const char *kind, const char *subject,
                    const char *reason)
{
	if (w->sink != NULL && w->sink->problem != NULL)
		w->sink->problem(w->sink->ctx, kind, subject, reason);
}

/* A message-wide limit's problem, reported the first time only
 * (*reported).  The reason is fmt filled in. */
static void limit_once(struct walk *w, bool *reported, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void limit_once(struct walk *w, bool *reported, const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	if (*reported)
		return;
	*reported = true;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	problem(w, PROB_MIME_LIMIT, NULL, reason);
}

static void header_too_long(struct walk *w, const struct rawhdr *h)
{
	char name[130], reason[256];

	if (w->header_reported)
		return;
	w->header_reported = true;
	snprintf(name, sizeof(name), "%.*s", (int)h->name_len, h->name);
	snprintf(reason, sizeof(reason),
	         "邮件头“%s”超过 %zu 字节，超出部分未读取", name,
	         w->lim.header_bytes);
	problem(w, PROB_MIME_LIMIT, name, reason);
}

/* The raw value of a field, capped at header_bytes (problem if cut). */
static const char *capped_value(struct walk *w, const struct rawhdr *h,
                                size_t *len_r)
{
	*len_r = h->value_len;
	if (h->value_len > w->lim.header_bytes) {
		header_too_long(w, h);
		*len_r = w->lim.header_bytes;
	}
	return h->value;
}

static char *unfold_capped(struct walk *w, const struct rawhdr *h,
                           size_t *len_r)
{
	bool cut;
	size_t vl;
	const char *v = capped_value(w, h, &vl);

	char *u = unfold_value(v, vl, w->lim.header_bytes, len_r, &cut);

	if (cut)
		header_too_long(w, h);
	return u;
}

/* ---- addresses ---- */

/* Position of c in s[0..n) outside quotes, comments and <>, or n. */
static size_t find_top(const char *s, size_t n, char c)
{
	int depth = 0;
	bool angle = false;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == c && depth == 0 && !angle)
			return i;
		if (ch == '"' && depth == 0) {
			size_t ol;

			/* unquote() knows raw GBK trail bytes are not escapes */
			i += unquote(s + i + 1, n - i - 1, NULL, &ol);
		} else if (ch == '(')
			depth++;
		else if (ch == ')' && depth > 0)
			depth--;
		else if (ch == '<' && depth == 0)
			angle = true;
		else if (ch == '>' && depth == 0)
			angle = false;
	}
	return n;
}

/* addr-spec: no white space, lower-cased domain, valid UTF-8. */
static char *clean_addr(const char *s, size_t n)
{
	char *a = malloc(n + 1), *at, *u;
	size_t o = 0;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!is_ws((unsigned char)s[i]) && s[i] != '<' && s[i] != '>')
			a[o++] = s[i];
	a[o] = '\0';
	if (strncasecmp(a, "mailto:", 7) == 0)
		memmove(a, a + 7, strlen(a + 7) + 1);
	at = strrchr(a, '@');
	if (at != NULL)
		lower_ascii(at);
	u = names_to_utf8(a, strlen(a), NULL, 0, NULL);
	free(a);
	return u;
}

/*
 * First mailbox of an address field: "Name <a@b>", "a@b (Name)", "a@b".
 * The display name is decoded from its raw bytes (RFC 2047 words, raw
 * GBK or UTF-8) because libetpan's phrase parser drops 8-bit data.
 */
static void parse_mailbox(struct walk *w, const char *v, size_t n,
                          char **addr_r, char **display_r)
{
	size_t end = find_top(v, n, ',');
	size_t lt = find_top(v, end, '<');
	const char *d = NULL;
	size_t dl = 0;

	*addr_r = NULL;
	if (display_r)
		*display_r = NULL;
	if (lt < end) {
		const char *a = v + lt + 1;
		const char *gt = memchr(a, '>', end - lt - 1);
		size_t al = gt ? (size_t)(gt - a) : end - lt - 1;

		trim(&a, &al);
		if (al > 0)
			*addr_r = clean_addr(a, al);
		d = v;
		dl = lt;
	} else {
		/* "a@b (Name)": the comment is the old way to give a name */
		const char *op = memchr(v, '(', end);
		size_t al = op ? (size_t)(op - v) : end;
		const char *a = v;

		trim(&a, &al);
		if (al > 0)
			*addr_r = clean_addr(a, al);
		if (op != NULL) {
			const char *cp = memchr(op, ')', end - (size_t)(op - v));

			d = op + 1;
			dl = cp ? (size_t)(cp - d) : end - (size_t)(d - v);
		}
	}
	if (display_r == NULL || d == NULL)
		return;
	trim(&d, &dl);
	if (dl >= 2 && d[0] == '"') {
		char *tmp = malloc(dl);
		size_t ol = 0;

		if (tmp == NULL)
			return;
		unquote(d + 1, dl - 1, tmp, &ol);
		if (ol > 0)
			*display_r = names_decode_header(tmp, ol, w->lim.header_bytes,
			                                 NULL);
		free(tmp);
	} else if (dl > 0) {
		*display_r = names_decode_header(d, dl, w->lim.header_bytes, NULL);
	}
	if (*display_r != NULL && (*display_r)[0] == '\0') {
		free(*display_r);
		*display_r = NULL;
	}
}

/* "<id>" -> "id"; the first id of a list. */
static char *parse_msgid(const char *v, size_t n)
{
	const char *lt = memchr(v, '<', n), *gt;
	const char *s = v;
	size_t l = n;

	if (lt != NULL) {
		gt = memchr(lt, '>', n - (size_t)(lt - v));
		s = lt + 1;
		l = gt ? (size_t)(gt - s) : n - (size_t)(s - v);
	} else {
		/* no brackets: first white-space separated token */
		trim(&s, &l);
		for (size_t i = 0; i < l; i++)
			if (is_ws((unsigned char)s[i])) {
				l = i;
				break;
			}
	}
	trim(&s, &l);
	if (l == 0)
		return NULL;
	return utf8_dup(s, l, MIME_ID_MAX);
}

static char *short_lower(const char *v, size_t n)
{
	char *s = utf8_dup(v, n, MIME_SHORT_MAX);

	if (s != NULL)
		lower_ascii(s);
	return s;
}

static bool token_in(const char *v, const char *tok)
{
	size_t tl = strlen(tok);

	for (const char *p = v; (p = strcasestr(p, tok)) != NULL; p += tl) {
		bool left = p == v || !isalnum((unsigned char)p[-1]);
		bool right = !isalnum((unsigned char)p[tl]);

		if (left && right)
			return true;
	}
	return false;
}

/* Type "type/subtype" of a parsed Content-Type, or "text/plain". */
static void top_type(struct walk *w, const char *v, size_t n)
{
	struct plist pl;
	const char *rt;

	memset(&pl, 0, sizeof(pl));
	if (params_parse(v, n, &pl) == 0 && pl.type != NULL &&
	    strchr(pl.type, '/') != NULL) {
		w->info->top_type = utf8_dup(pl.type, strlen(pl.type), MIME_TYPE_MAX);
		rt = plist_get(&pl, "report-type");
		if (strcmp(pl.type, "multipart/report") == 0 && rt != NULL &&
		    strcasecmp(rt, "disposition-notification") == 0)
			w->info->has_disposition_notification = true;
	}
	plist_clear(&pl);
}

enum env_field {
	ENV_OTHER, ENV_SUBJECT, ENV_FROM, ENV_REPLY_TO, ENV_RETURN_PATH,
	ENV_MESSAGE_ID, ENV_IN_REPLY_TO, ENV_DATE, ENV_AUTO_SUBMITTED,
	ENV_PRECEDENCE, ENV_LIST_ID, ENV_LIST_UNSUBSCRIBE, ENV_X_AUTOREPLY,
	ENV_X_AUTO_RESPONSE_SUPPRESS, ENV_CONTENT_TYPE, ENV_AUTH_RESULTS,
};

static enum env_field env_field_of(const struct rawhdr *h)
{
	static const struct {
		const char *name;
		enum env_field f;
	} tab[] = {
		{ "Subject", ENV_SUBJECT }, { "From", ENV_FROM },
		{ "Reply-To", ENV_REPLY_TO }, { "Return-Path", ENV_RETURN_PATH },
		{ "Message-ID", ENV_MESSAGE_ID }, { "In-Reply-To", ENV_IN_REPLY_TO },
		{ "Date", ENV_DATE }, { "Auto-Submitted", ENV_AUTO_SUBMITTED },
		{ "Precedence", ENV_PRECEDENCE }, { "List-Id", ENV_LIST_ID },
		{ "List-Unsubscribe", ENV_LIST_UNSUBSCRIBE },
		{ "X-Autoreply", ENV_X_AUTOREPLY }, { "X-Autorespond", ENV_X_AUTOREPLY },
		{ "X-Auto-Response-Suppress", ENV_X_AUTO_RESPONSE_SUPPRESS },
		{ "Content-Type", ENV_CONTENT_TYPE },
		{ "Authentication-Results", ENV_AUTH_RESULTS },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (rawhdr_is(h, tab[i].name))
			return tab[i].f;
	return ENV_OTHER;
}

#define SET_ONCE(field, expr) do { if ((field) == NULL) (field) = (expr); } while (0)

/* One envelope field, unfolded value u. The first occurrence counts. */
static void envelope_field(struct walk *w, enum env_field f, const char *u,
                           size_t ul, bool *list_id_seen)
{
	struct mime_info *in = w->info;

	switch (f) {
	case ENV_FROM:
		if (in->from_addr == NULL && in->from_display == NULL)
			parse_mailbox(w, u, ul, &in->from_addr, &in->from_display);
		break;
	case ENV_REPLY_TO:
		if (in->reply_to_addr == NULL)
			parse_mailbox(w, u, ul, &in->reply_to_addr, NULL);
		break;
	case ENV_RETURN_PATH:
		if (in->return_path == NULL) {
			parse_mailbox(w, u, ul, &in->return_path, NULL);
			if (in->return_path == NULL)
				in->return_path = strdup("");   /* "<>": a bounce */
		}
		break;
	case ENV_MESSAGE_ID:
		SET_ONCE(in->message_id, parse_msgid(u, ul));
		break;
	case ENV_IN_REPLY_TO:
		SET_ONCE(in->in_reply_to, parse_msgid(u, ul));
		break;
	case ENV_DATE:
		SET_ONCE(in->date_raw, utf8_dup(u, ul, MIME_SHORT_MAX));
		break;
	case ENV_AUTO_SUBMITTED:
		SET_ONCE(in->auto_submitted, short_lower(u, ul));
		break;
	case ENV_AUTH_RESULTS:
		/* Every one, in order (the receiving server's is on top), as
		 * lines; bounded in count and length. */
		if (in->nauth_results < MIME_AUTH_RESULTS_MAX) {
			char *v = utf8_dup(u, ul < MIME_AUTH_RESULT_LEN ? ul : MIME_AUTH_RESULT_LEN, MIME_AUTH_RESULT_LEN);
			size_t old = in->auth_results ? strlen(in->auth_results) : 0;
			char *n;

			if (v != NULL) {
				for (char *q = v; *q; q++)
					if (*q == '\n' || *q == '\r')
						*q = ' ';
				n = realloc(in->auth_results, old + strlen(v) + 2);
				if (n != NULL) {
					if (old)
						n[old++] = '\n';
					strcpy(n + old, v);
					in->auth_results = n;
					in->nauth_results++;
				}
				free(v);
			}
		}
		break;
	case ENV_PRECEDENCE:
		SET_ONCE(in->precedence, short_lower(u, ul));
		break;
	case ENV_LIST_ID:
		/* List-Id wins over a List-Unsubscribe seen earlier */
		if (!*list_id_seen) {
			char *l = utf8_dup(u, ul, MIME_SHORT_MAX);

			if (l != NULL) {
				free(in->list_id);
				in->list_id = l;
				*list_id_seen = true;
			}
		}
		break;
	case ENV_LIST_UNSUBSCRIBE:
		SET_ONCE(in->list_id, utf8_dup(u, ul, MIME_SHORT_MAX));
		break;
	case ENV_X_AUTOREPLY:
		if (!(strcasecmp(u, "no") == 0 || strcasecmp(u, "false") == 0 ||
		      strcmp(u, "0") == 0))
			in->x_autoreply = true;
		break;
	case ENV_X_AUTO_RESPONSE_SUPPRESS:
		/* Outlook puts "All" (or "OOF") on its own automatic replies */
		if (token_in(u, "all") || token_in(u, "oof"))
			in->x_autoreply = true;
		break;
	case ENV_CONTENT_TYPE:
		if (in->top_type == NULL)
			top_type(w, u, ul);
		break;
	case ENV_SUBJECT:
	case ENV_OTHER:
		break;
	}
}

/* Fill struct mime_info from the top header block [msg, end). */
static void read_envelope(struct walk *w, const char *msg, const char *end)
{
	struct mime_info *in = w->info;
	const char *p = msg;
	struct rawhdr h;
	bool list_id_seen = false;

	while (rawhdr_next(&p, end, &h)) {
		enum env_field f = env_field_of(&h);
		size_t ul;
		char *u;

		if (f == ENV_OTHER) {
			if (h.value_len > w->lim.header_bytes)
				header_too_long(w, &h);
			continue;
		}
		if (f == ENV_SUBJECT) {
			/* raw bytes, folding included: names.c unfolds and decodes */
			size_t vl;
			const char *v = capped_value(w, &h, &vl);

			SET_ONCE(in->subject, names_decode_header(v, vl,
			         w->lim.header_bytes, NULL));
			continue;
		}
		u = unfold_capped(w, &h, &ul);
		if (u == NULL)
			continue;
		envelope_field(w, f, u, ul, &list_id_seen);
		free(u);
	}
	if (in->top_type == NULL)
		in->top_type = strdup("text/plain");
}

/* ---- one part's MIME headers ---- */

struct partmeta {
	struct plist ct, cd;
	char *content_id;
};

static void partmeta_free(struct partmeta *m)
{
	plist_clear(&m->ct);
	plist_clear(&m->cd);
	free(m->content_id);
	m->content_id = NULL;
}

static int read_part_headers(struct walk *w, const char *hs, const char *he,
                             struct partmeta *m)
{
	const char *p = hs;
	struct rawhdr h;

	while (rawhdr_next(&p, he, &h)) {
		struct plist *pl = NULL;
		size_t ul;
		char *u;

		if (rawhdr_is(&h, "Content-Type"))
			pl = &m->ct;
		else if (rawhdr_is(&h, "Content-Disposition"))
			pl = &m->cd;
		else if (!rawhdr_is(&h, "Content-ID"))
			continue;
		if (pl != NULL && pl->present)
			continue;       /* the first one counts, as in libetpan */
		u = unfold_capped(w, &h, &ul);
		if (u == NULL)
			return -1;
		if (pl != NULL) {
			if (params_parse(u, ul, pl) < 0) {
				free(u);
				return -1;
			}
		} else if (m->content_id == NULL) {
			m->content_id = parse_msgid(u, ul);
		}
		free(u);
	}
	return 0;
}

/* libetpan's view of the same parameters, when the raw bytes are absent. */
static void libetpan_params(struct mailmime *node, struct partmeta *m)
{
	struct mailmime_single_fields sf;
	clistiter *it;

	mailmime_single_fields_init(&sf, node->mm_mime_fields,
	                            node->mm_content_type);
	if (!m->cd.present && sf.fld_disposition != NULL) {
		struct mailmime_disposition_type *dt = sf.fld_disposition->dsp_type;

		m->cd.present = true;
		if (dt != NULL)
			m->cd.type = strdup(dt->dsp_type == MAILMIME_DISPOSITION_TYPE_INLINE
			                    ? "inline" : "attachment");
		for (it = clist_begin(sf.fld_disposition->dsp_parms); it != NULL;
		     it = clist_next(it)) {
			struct mailmime_disposition_parm *dp = clist_content(it);

			if (dp->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME &&
			    dp->pa_data.pa_filename != NULL)
				plist_add(&m->cd, "filename", 8, dp->pa_data.pa_filename,
				          strlen(dp->pa_data.pa_filename), false);
			else if (dp->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER &&
			         dp->pa_data.pa_parameter != NULL &&
			         dp->pa_data.pa_parameter->pa_name != NULL &&
			         dp->pa_data.pa_parameter->pa_value != NULL)
				plist_add(&m->cd, dp->pa_data.pa_parameter->pa_name,
				          strlen(dp->pa_data.pa_parameter->pa_name),
				          dp->pa_data.pa_parameter->pa_value,
				          strlen(dp->pa_data.pa_parameter->pa_value), false);
		}
	}
	if (!m->ct.present && node->mm_content_type != NULL) {
		m->ct.present = true;
		for (it = clist_begin(node->mm_content_type->ct_parameters); it != NULL;
		     it = clist_next(it)) {
			struct mailmime_parameter *pa = clist_content(it);

			if (pa->pa_name != NULL && pa->pa_value != NULL)
				plist_add(&m->ct, pa->pa_name, strlen(pa->pa_name),
				          pa->pa_value, strlen(pa->pa_value), false);
		}
	}
	if (m->content_id == NULL && sf.fld_id != NULL)
		m->content_id = utf8_dup(sf.fld_id, strlen(sf.fld_id), MIME_ID_MAX);
}

static void content_type_str(const struct mailmime_content *ct, char *buf,
                             size_t size)
{
	const char *t = "text", *st = "plain";

	if (ct != NULL && ct->ct_type != NULL) {
		const struct mailmime_type *ty = ct->ct_type;

		if (ty->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
		    ty->tp_data.tp_discrete_type != NULL) {
			switch (ty->tp_data.tp_discrete_type->dt_type) {
			case MAILMIME_DISCRETE_TYPE_TEXT: t = "text"; break;
			case MAILMIME_DISCRETE_TYPE_IMAGE: t = "image"; break;
			case MAILMIME_DISCRETE_TYPE_AUDIO: t = "audio"; break;
			case MAILMIME_DISCRETE_TYPE_VIDEO: t = "video"; break;
			case MAILMIME_DISCRETE_TYPE_APPLICATION: t = "application"; break;
			default:
				t = ty->tp_data.tp_discrete_type->dt_extension;
				break;
			}
		} else if (ty->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
		           ty->tp_data.tp_composite_type != NULL) {
			switch (ty->tp_data.tp_composite_type->ct_type) {
			case MAILMIME_COMPOSITE_TYPE_MESSAGE: t = "message"; break;
			case MAILMIME_COMPOSITE_TYPE_MULTIPART: t = "multipart"; break;
			default:
				t = ty->tp_data.tp_composite_type->ct_token;
				break;
			}
		}
		st = ct->ct_subtype;
	}
	snprintf(buf, size, "%s/%s", t ? t : "application", st ? st : "octet-stream");
	for (char *p = buf; *p; p++) {
		unsigned char c = (unsigned char)*p;

		/* libetpan tokens are ASCII atoms; keep the string printable */
		*p = c < 0x21 || c >= 0x7F ? '_' : (char)tolower(c);
	}
}

/* ---- body decoding ---- */

/* Bytes libetpan's QP decoder misreads: evidence of damage. */
static bool qp_damaged(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t j;

		if (s[i] != '=')
			continue;
		if (i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			i += 2;
			continue;
		}
		/* soft break, possibly after transport padding */
		j = i + 1;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j >= n || s[j] == '\r' || s[j] == '\n')
			continue;
		return true;
	}
	return false;
}

static int emit(struct walk *w, const void *buf, size_t len)
{
	if (len == 0 || w->sink->part_data == NULL)
		return 0;
	if (w->sink->part_data(w->sink->ctx, buf, len) < 0) {
		w->stopped = true;
		return -1;
	}
	return 0;
}

/*
 * Decode in windows: identity encodings are handed out as slices of the
 * mapping; base64 goes through b64.c (libetpan's decoding, byte for byte,
 * at several times its speed, judging damage in the same pass) into one
 * window-sized buffer; QP goes through mailmime_part_parse_partial(), so
 * peak memory is one window whatever the part size (LIBRARIES.md 4).
 * QP never uses the non-partial decoder: libetpan 1.9.4's reads one byte
 * past the end when the input ends in "=X" (found by fuzz_mime; the byte
 * lands in the output too), so the last window is decoded partially as
 * well and the at most 2-byte tail it leaves ("=", "=\r", "=X") is
 * finished here.  Returns -1 only when the sink stopped the walk.
 */
static int deliver_b64(struct walk *w, const char *data, size_t len,
                       const char *name, bool *ok)
{
	unsigned char *out;
	struct b64_dec d;
	size_t n;

	if (w->b64out == NULL)
		w->b64out = malloc(b64_out_max(MIME_B64_WINDOW));
	out = w->b64out;
	if (out == NULL) {
		*ok = false;
		problem(w, PROB_PART_DECODE, name, "内容解码失败，文件不完整");
		return 0;
	}
	b64_init(&d);
	for (size_t off = 0; off < len; off += n) {
		n = len - off < MIME_B64_WINDOW ? len - off : MIME_B64_WINDOW;
		if (emit(w, out, b64_decode(&d, data + off, n, out)) < 0)
			return -1;
		if (w->sink->consumed != NULL)
			w->sink->consumed(w->sink->ctx, data + off, n);
	}
	if (emit(w, out, b64_final(&d, out)) < 0)
		return -1;
	if (b64_damaged(&d)) {
		*ok = false;
		problem(w, PROB_PART_DECODE, name,
		        "附件内容的 Base64 编码有损坏，解出的文件可能不完整");
	}
	return 0;
}

static int deliver(struct walk *w, const char *data, size_t len, int enc,
                   const char *name, bool *ok)
{
	size_t idx = 0;

	*ok = true;
	if (enc == MAILMIME_MECHANISM_BASE64)
		return deliver_b64(w, data, len, name, ok);
	if (enc != MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		for (size_t off = 0; off < len; off += MIME_RAW_WINDOW) {
			size_t n = len - off < MIME_RAW_WINDOW ? len - off : MIME_RAW_WINDOW;

			if (emit(w, data + off, n) < 0)
				return -1;
			if (w->sink->consumed != NULL)
				w->sink->consumed(w->sink->ctx, data + off, n);
		}
		return 0;
	}
	if (qp_damaged(data, len)) {
		*ok = false;
		problem(w, PROB_PART_DECODE, name,
		        "内容的 Quoted-Printable 编码有错误，解出的内容可能不准确");
	}
	while (idx < len) {
		size_t start = idx, wend = len - idx > MIME_QP_WINDOW ? idx + MIME_QP_WINDOW : len;
		char *out = NULL;
		size_t outlen = 0;
		int er;

		if (mailmime_part_parse_partial(data, wend, &idx, enc, &out,
		                                &outlen) != MAILIMF_NO_ERROR) {
			*ok = false;
			problem(w, PROB_PART_DECODE, name, "内容解码失败，文件不完整");
			return 0;
		}
		er = emit(w, out, outlen);
		mmap_string_unref(out);
		if (er < 0)
			return -1;
		if (wend == len)
			break;
		if (idx <= start)
			idx = wend;     /* a window with no whole unit: skip it */
	}
	/* QP tail: "=" and "=\r" are soft breaks; a broken "=X" stays as is */
	if (idx + 2 == len && data[idx] == '=' && data[idx + 1] != '\r' &&
	    data[idx + 1] != '\n')
		return emit(w, data + idx, 2);
	return 0;
}

/* ---- leaves and containers ---- */

struct ctx {
	unsigned depth;
	bool in_forward, in_related;
};

/* Why names.c flagged a name: bad bytes, a cut, or a guessed charset. */
static void name_problem(struct walk *w, const char *fname)
{
	char reason[160];

	if (strstr(fname, "\xEF\xBF\xBD") != NULL) {
		problem(w, PROB_NAME_UNDECODABLE, fname,
		        "附件文件名中有无法识别的字符，已用“\xEF\xBF\xBD”代替，请核对文件名");
	} else if (strlen(fname) + 16 >= w->lim.name_bytes) {
		snprintf(reason, sizeof(reason),
		         "附件文件名超过 %zu 字节，已截短", w->lim.name_bytes);
		problem(w, PROB_MIME_LIMIT, fname, reason);
	} else {
		problem(w, PROB_NAME_UNDECODABLE, fname,
		        "附件文件名的字符集无法确认，显示的文件名可能不准确");
	}
}

static int walk_leaf(struct walk *w, struct mailmime *node, const char *path,
                     const char *hs, const char *he, const struct ctx *c)
{
	struct partmeta m;
	struct mime_part part;
	char ctype[MIME_TYPE_MAX + 1];
	char *charset = NULL, *fname = NULL, *raw = NULL;
	size_t raw_len = 0;
	bool lossy = false, ok = true;
	struct mailmime_data *body = node->mm_body;
	int ret = 0, r;

	memset(&m, 0, sizeof(m));
	if (w->leaves >= w->lim.mime_parts) {
		limit_once(w, &w->parts_reported,
		           "邮件包含的部分超过 %u 个，其余部分未处理",
		           w->lim.mime_parts);
		return 0;
	}
	w->leaves++;
	w->info->parts = w->leaves;

	if (hs != NULL && read_part_headers(w, hs, he, &m) < 0) {
		ret = -1;
		goto out;
	}
	libetpan_params(node, &m);
	content_type_str(node->mm_content_type, ctype, sizeof(ctype));
	{
		/* only a stated charset: libetpan's getter invents "us-ascii" */
		const char *cs = plist_get(&m.ct, "charset");

		if (cs != NULL && *cs != '\0')
			charset = utf8_dup(cs, strlen(cs), 64);
	}
	fname = names_filename(m.cd.v, m.cd.n, m.ct.v, m.ct.n, w->lim.name_bytes,
	                       &lossy, &raw, &raw_len);
	if (fname != NULL && lossy)
		name_problem(w, fname);

	memset(&part, 0, sizeof(part));
	part.path = path;
	part.depth = c->depth;
	part.content_type = ctype;
	part.charset = charset;
	part.filename = fname;
	part.filename_raw = raw;
	part.filename_raw_len = raw_len;
	part.filename_lossy = lossy;
	if (m.cd.type == NULL)
		part.disposition = m.cd.present ? MIME_DISP_ATTACHMENT : MIME_DISP_NONE;
	else if (strcmp(m.cd.type, "inline") == 0)
		part.disposition = MIME_DISP_INLINE;
	else
		part.disposition = MIME_DISP_ATTACHMENT; /* RFC 2183 2.8: unknown = attachment */
	part.content_id = m.content_id;
	part.in_forward = c->in_forward;
	part.in_related = c->in_related;
	part.is_body = (strcmp(ctype, "text/plain") == 0 ||
	                strcmp(ctype, "text/html") == 0) &&
	               fname == NULL && part.disposition != MIME_DISP_ATTACHMENT;

	r = w->sink->part_begin ? w->sink->part_begin(w->sink->ctx, &part) : 0;
	if (r < 0) {
		w->stopped = true;
		ret = -1;
		goto out;
	}
	if (r > 0)
		goto out;
	if (body != NULL && body->dt_type == MAILMIME_DATA_TEXT &&
	    body->dt_data.dt_text.dt_data != NULL) {
		if (deliver(w, body->dt_data.dt_text.dt_data,
		            body->dt_data.dt_text.dt_length, body->dt_encoding,
		            fname, &ok) < 0) {
			ret = -1;
			goto out;
		}
	}
	if (w->sink->part_end && w->sink->part_end(w->sink->ctx, ok) < 0) {
		w->stopped = true;
		ret = -1;
	}
out:
	partmeta_free(&m);
	free(charset);
	free(fname);
	free(raw);
	return ret;
}

static const char *body_start(const struct mailmime *node)
{
	if (node == NULL || node->mm_body == NULL ||
	    node->mm_body->dt_type != MAILMIME_DATA_TEXT)
		return NULL;
	return node->mm_body->dt_data.dt_text.dt_data;
}

static char *path_child(const char *path, unsigned i)
{
	char *p = NULL;

	if (asprintf(&p, "%s%s%u", path, *path ? "." : "", i) < 0)
		return NULL;
	return p;
}

static bool in_msg(const struct walk *w, const char *a, const char *b)
{
	return a != NULL && b != NULL && a >= w->msg && b >= a &&
	       b <= w->msg + w->len;
}

static int walk_node(struct walk *w, struct mailmime *node, const char *path,
                     const char *hs, const char *he, const struct ctx *c);

static int walk_message(struct walk *w, struct mailmime *node, const char *path,
                        const char *hs, const char *he, const struct ctx *c,
                        bool top)
{
	struct mailmime *inner = node->mm_data.mm_message.mm_msg_mime;
	struct ctx ic = *c;
	const char *ihs, *ihe;
	char *ipath = NULL;
	int ret;

	if (inner == NULL)              /* unreadable inside: keep the bytes */
		return walk_leaf(w, node, *path ? path : "1", hs, he, c);
	if (!top) {
		ic.depth = c->depth + 1;
		ic.in_forward = true;
		ic.in_related = false;
	}
	/* the inner message's headers run from its body start to its body */
	ihs = body_start(node);
	ihe = body_start(inner);
	if (!in_msg(w, ihs, ihe))
		ihs = ihe = NULL;
	/* IMAP numbering: a non-multipart body of a message is "<path>.1" */
	if (inner->mm_type == MAILMIME_MULTIPLE)
		ipath = strdup(path);
	else
		ipath = path_child(path, 1);
	if (ipath == NULL)
		return -1;
	ret = walk_node(w, inner, ipath, ihs, ihe, &ic);
	free(ipath);
	return ret;
}

/* Delimiter lines of one multipart body: "--b" and "--b--" at line start. */
static void scan_delims(const char *s, size_t n, const char *b, bool *open_r,
                        bool *close_r, const char **first_end_r,
                        const char **last_r)
{
	size_t bl = strlen(b);

	*open_r = *close_r = false;
	*first_end_r = NULL;
	*last_r = NULL;
	for (size_t i = 0; i + 2 + bl <= n; ) {
		const char *nl;

		if (s[i] == '-' && s[i + 1] == '-' && memcmp(s + i + 2, b, bl) == 0) {
			size_t e = i + 2 + bl;

			if (!*open_r) {
				nl = memchr(s + e, '\n', n - e);
				*first_end_r = nl ? nl + 1 : s + n;
			}
			*open_r = true;
			*last_r = s + i;
			if (e + 2 <= n && s[e] == '-' && s[e + 1] == '-') {
				*close_r = true;
				return;
			}
		}
		nl = memchr(s + i, '\n', n - i);
		if (nl == NULL)
			break;
		i = (size_t)(nl - s) + 1;
	}
}

/*
 * Walk a node parsed again from [ts, te): mailmime_parse() reads a MIME
 * part like a message whose header is the part header.
 */
static int walk_reparsed(struct walk *w, const char *ts, const char *te,
                         const char *path, const struct ctx *c, bool *done_r)
{
	struct mailmime *sub = NULL, *inner;
	size_t idx = 0;
	int ret = 0;

	*done_r = false;
	if (mailmime_parse(ts, (size_t)(te - ts), &idx, &sub) != MAILIMF_NO_ERROR ||
	    sub == NULL)
		return 0;
	inner = sub->mm_type == MAILMIME_MESSAGE ?
	        sub->mm_data.mm_message.mm_msg_mime : NULL;
	if (inner != NULL) {
		const char *he = body_start(inner);

		*done_r = true;
		ret = walk_node(w, inner, path, ts, in_msg(w, ts, he) ? he : NULL, c);
	}
	mailmime_free(sub);
	return ret;
}

static bool all_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/*
 * libetpan 1.9.4 ends a last part that has no closing delimiter at the
 * last line starting with '-' (mailmime_body_part_dash2_parse sets its end
 * there and never resets it): a truncated upload loses the tail of its
 * last part, and a nested multipart all of its parts.  When the closing
 * delimiter is missing, the last part is parsed again up to the end of
 * its parent.  A body without any delimiter line is all preamble (RFC
 * 2046 5.1.1) and has no parts; libetpan would make it one.
 */
static int walk_multipart(struct walk *w, struct mailmime *node,
                          const char *path, const struct ctx *c)
{
	struct ctx cc = *c;
	clist *list = node->mm_data.mm_multipart.mm_mp_list;
	const char *st = node->mm_content_type ?
	                 node->mm_content_type->ct_subtype : NULL;
	const struct mailmime_data *body = node->mm_body;
	char *boundary = NULL;
	const char *ts = NULL, *te = NULL;
	unsigned i = 0, nchild = list ? (unsigned)clist_count(list) : 0;
	bool repair = false;
	int ret = 0;

	cc.depth = c->depth + 1;
	if (st != NULL && strcasecmp(st, "related") == 0)
		cc.in_related = true;
	if (node->mm_content_type != NULL && body != NULL &&
	    body->dt_type == MAILMIME_DATA_TEXT && body->dt_data.dt_text.dt_data)
		boundary = mailmime_extract_boundary(node->mm_content_type);
	if (boundary != NULL && *boundary != '\0') {
		const char *bs = body->dt_data.dt_text.dt_data;
		size_t bl = body->dt_data.dt_text.dt_length;
		const char *first_end, *last_delim;
		bool open, close;

		if (node == w->checked) {
			open = close = true;    /* no need to read 200 MB again */
			first_end = last_delim = NULL;
		} else {
			scan_delims(bs, bl, boundary, &open, &close, &first_end, &last_delim);
		}
		if (!open) {
			/* Not a single delimiter: whatever the county attached is
			 * lost in an unreadable preamble.  Say so, rather than
			 * report a letter without attachments. */
			if (bl > 0 && !all_space(bs, bl))
				problem(w, PROB_MIME_UNPARSEABLE, NULL,
				        "邮件声明含有多个部分（正文和附件），但找不到任何分隔标记，内容无法读取，可能在发送或传输中被截断或损坏");
			free(boundary);
			return 0;
		}
		if (!close) {
			te = bs + bl;
			if (nchild > 0) {
				struct mailmime *last = clist_content(clist_end(list));

				ts = last->mm_mime_start;
				/* a final "--b" without "--" still ends the part */
				if (last_delim != NULL && last_delim > ts)
					te = last_delim;
			}
			while (te > bs && (te[-1] == '\n' || te[-1] == '\r'))
				te--;
			if (nchild > 0) {
				struct mailmime *last = clist_content(clist_end(list));

				repair = in_msg(w, ts, te) &&
				         te > last->mm_mime_start + last->mm_length;
			} else {
				ts = first_end;
				repair = in_msg(w, ts, te) && te > ts;
			}
		}
	}
	free(boundary);
	/*
	 * A re-parse costs what libetpan's parse of that region costs, and
	 * nested unterminated multiparts re-parse nested regions: a budget
	 * of a few message lengths keeps a hostile nest of them from
	 * multiplying libetpan's own (depth x size) parse time by the depth.
	 */
	if (repair && (size_t)(te - ts) > w->reparse_left) {
		repair = false;
		limit_once(w, &w->reparse_reported,
		           "邮件中多处分隔符缺失，部分内容可能未完整读取");
	}
	if (repair)
		w->reparse_left -= (size_t)(te - ts);

	for (clistiter *it = clist_begin(list); it != NULL; it = clist_next(it)) {
		struct mailmime *child = clist_content(it);
		const char *chs = child->mm_mime_start, *che = body_start(child);
		bool done = false;
		char *cp;

		cp = path_child(path, ++i);
		if (cp == NULL)
			return -1;
		if (repair && clist_next(it) == NULL) {
			ret = walk_reparsed(w, ts, te, cp, &cc, &done);
			repair = false;
		}
		if (!done && ret == 0) {
			if (!in_msg(w, chs, che))
				chs = che = NULL;
			ret = walk_node(w, child, cp, chs, che, &cc);
		}
		free(cp);
		if (ret < 0)
			return -1;
		if (w->leaves >= w->lim.mime_parts && w->parts_reported)
			return 0;
	}
	if (repair) {           /* no child at all: parse the first part */
		char *cp = path_child(path, 1);
		bool done;

		if (cp == NULL)
			return -1;
		ret = walk_reparsed(w, ts, te, cp, &cc, &done);
		free(cp);
	}
	return ret < 0 ? -1 : 0;
}

static int walk_node(struct walk *w, struct mailmime *node, const char *path,
                     const char *hs, const char *he, const struct ctx *c)
{
	if (w->stopped)
		return -1;
	if (c->depth > w->info->max_depth)
		w->info->max_depth = c->depth;
	if (c->depth > w->lim.mime_depth) {
		limit_once(w, &w->depth_reported,
		           "邮件嵌套层数超过 %u 层，更深层的内容未处理",
		           w->lim.mime_depth);
		return 0;
	}
	switch (node->mm_type) {
	case MAILMIME_MULTIPLE:
		return walk_multipart(w, node, path, c);
	case MAILMIME_MESSAGE:
		return walk_message(w, node, path, hs, he, c, false);
	default:
		return walk_leaf(w, node, *path ? path : "1", hs, he, c);
	}
}

/* mbox "From " separator line: not a header, and libetpan chokes on it. */
static size_t skip_mbox_from(const char *msg, size_t len)
{
	const char *nl;

	if (len < 5 || memcmp(msg, "From ", 5) != 0)
		return 0;
	nl = memchr(msg, '\n', len);
	return nl ? (size_t)(nl - msg) + 1 : 0;
}

/*
 * Lines of only spaces before the header: no header field starts with
 * white space, so libetpan would take the whole message for a body.
 */
static size_t skip_blank_lines(const char *msg, size_t len)
{
	size_t i = 0, line = 0;
	bool blank = false;      /* the current line has a space or tab */

	while (i < len) {
		if (msg[i] == ' ' || msg[i] == '\t') {
			blank = true;
			i++;
		} else if (msg[i] == '\r') {
			i++;
		} else if (msg[i] == '\n' && blank) {
			/* an empty line is not skipped: it ends an empty header */
			line = ++i;
			blank = false;
		} else {
			break;
		}
	}
	return line;
}

/* End of the top header block (start of the blank line), for read_envelope. */
static const char *header_block_end(const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len;

	while (p < end) {
		const char *nl;

		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
			return p;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return end;
		p = nl + 1;
	}
	return end;
}

/* ------------------------------------------------------------------ */
/* Skeletons of big messages                                           */

/*
 * libetpan finds the parts of a multipart one byte at a time, and reads
 * the last part three times (mailmime_body_part_dash2_transport_crlf_parse
 * fails on the closing delimiter, then the close parser starts over from
 * the part's beginning): for a 200 MB message with one big attachment,
 * 0.4 s and a third of the parse child's time.  When the top-level
 * multipart is well formed, libetpan is given a skeleton instead: the
 * message with the bodies of its large parts cut after their first bytes.
 * Every pointer of the tree it builds is then moved back onto the message,
 * and each cut body ends where the real one does.
 *
 * "Well formed" is narrow on purpose, so that libetpan would read the
 * message exactly as it reads the skeleton: each delimiter line is
 * "--boundary" at a line start followed by transport padding and a line
 * break, the last one "--boundary--"; no other line starts with
 * "--boundary"; the first delimiter starts the body or a line; no part is
 * empty or starts with a blank line (libetpan swallows that line); and
 * every cut part turns out to be a leaf.  Anything else is parsed whole,
 * as before.  test_mime walks every fixture and corpus message both ways.
 */
size_t mime_skeleton_min = 1U << 20;
size_t mime_elide_min = 64U << 10;
unsigned long mime_skeleton_walks;

#define SKEL_KEEP      16U           /* body bytes kept of a cut part */
#define SKEL_HEAD_MAX  (64U << 10)   /* a cut part's header must end within this */
#define SKEL_BOUNDARY_MAX 200U

struct seg {
	size_t syn, real, len;
};

struct skeleton {
	char *buf;
	size_t len;
	struct seg *segs;
	size_t nsegs;
	size_t nparts;
	size_t *cut_end;       /* real end of each part, 0 when not cut */
};

static void skeleton_free(struct skeleton *sk)
{
	free(sk->buf);
	free(sk->segs);
	free(sk->cut_end);
	memset(sk, 0, sizeof(*sk));
}

/* The boundary of a top-level multipart, from libetpan's own reading of
 * the header block alone.  malloc'd, or NULL. */
static char *top_boundary(const char *msg, size_t body)
{
	struct mailmime *top = NULL, *in;
	char *b = NULL;
	size_t idx = 0;

	if (mailmime_parse(msg, body, &idx, &top) != MAILIMF_NO_ERROR || top == NULL)
		return NULL;
	in = top->mm_type == MAILMIME_MESSAGE ? top->mm_data.mm_message.mm_msg_mime : NULL;
	if (in != NULL && in->mm_type == MAILMIME_MULTIPLE && in->mm_content_type != NULL)
		b = mailmime_extract_boundary(in->mm_content_type);
	mailmime_free(top);
	if (b != NULL && (*b == '\0' || strlen(b) > SKEL_BOUNDARY_MAX)) {
		free(b);
		b = NULL;
	}
	return b;
}

static bool skel_add(struct skeleton *sk, const char *msg, size_t from, size_t to)
{
	struct seg *ns;

	if (to <= from)
		return true;
	ns = realloc(sk->segs, (sk->nsegs + 1) * sizeof(*ns));
	if (ns == NULL)
		return false;
	sk->segs = ns;
	sk->segs[sk->nsegs++] = (struct seg){ sk->len, from, to - from };
	memcpy(sk->buf + sk->len, msg + from, to - from);
	sk->len += to - from;
	return true;
}

/* Where a part's body starts (after the blank line), within max bytes;
 * 0 when its header does not end there. */
static size_t part_body_start(const char *p, size_t n)
{
	const char *he = header_block_end(p, n);
	size_t h = (size_t)(he - p);

	if (h >= n)
		return 0;
	if (p[h] == '\r')
		return h + 2 <= n && p[h + 1] == '\n' ? h + 2 : 0;
	return h + 1;
}

/*
 * The first "\n--boundary" in [s, s + n), or NULL.  Found from the '-':
 * a base64 body has none, so memchr() crosses it at memory speed, where
 * memmem() compared its way through (8% of a big message's parse).
 */
static const char *find_delim(struct walk *w, const char *s, size_t n, const char *b, size_t bl)
{
	const char *p = s, *end = s + n;

	while ((size_t)(end - p) >= bl + 3) {
		size_t left = (size_t)(end - p) - 1;
		const char *q = memchr(p + 1, '-', left < MIME_EVICT_STEP ? left : MIME_EVICT_STEP);

		if (q == NULL) {
			if (left <= MIME_EVICT_STEP)
				return NULL;
			p += MIME_EVICT_STEP;
			read_upto(w, p);
			continue;
		}
		if ((size_t)(end - q) < bl + 2)
			return NULL;
		if (q[-1] == '\n' && q[1] == '-' && memcmp(q + 2, b, bl) == 0)
			return q - 1;
		p = q;
	}
	return NULL;
}

static bool skeleton_build(struct walk *w, const char *msg, size_t len, struct skeleton *sk)
{
	const char *he = header_block_end(msg, len), *d;
	size_t body, bl, at, from = 0, pi = 0;
	char *b = NULL, *pat = NULL;
	bool ok = false;

	memset(sk, 0, sizeof(*sk));
	body = (size_t)(he - msg);
	if (body + 2 <= len && msg[body] == '\r' && msg[body + 1] == '\n')
		body += 2;
	else if (body < len && msg[body] == '\n')
		body += 1;
	else
		return false;
	/* the header block is all libetpan reads here: check it first */
	if (known_crash_scan(msg, body, NULL, NULL))
		return false;
	b = top_boundary(msg, body);
	if (b == NULL)
		return false;
	bl = strlen(b);
	if (asprintf(&pat, "\n--%s", b) < 0) {
		pat = NULL;
		goto out;
	}
	/* the first delimiter: at the body's start or a line's start, and
	 * no "--boundary" anywhere before it */
	d = memmem(msg + body, len - body, pat + 1, bl + 2);
	if (d == NULL || (d != msg + body && d[-1] != '\n'))
		goto out;
	sk->buf = malloc(len < (8U << 20) ? len : (8U << 20));
	sk->cut_end = NULL;
	if (sk->buf == NULL)
		goto out;
	at = (size_t)(d - msg);
	for (;;) {
		size_t after = at + 2 + bl, ps, pe, bs;
		const char *nx;

		if (after + 2 > len)
			goto out;
		if (msg[after] == '-' && msg[after + 1] == '-') {
			/* the close: the last delimiter of the message */
			if (pi == 0 || find_delim(w, msg + after, len - after, b, bl) != NULL)
				goto out;
			break;
		}
		ps = after;
		while (ps < len && (msg[ps] == ' ' || msg[ps] == '\t'))
			ps++;
		if (ps + 1 < len && msg[ps] == '\r' && msg[ps + 1] == '\n')
			ps += 2;
		else if (ps < len && msg[ps] == '\n')
			ps += 1;
		else
			goto out;           /* "--boundaryX": libetpan reads on */
		/* a part that starts with a blank line loses it in libetpan */
		{
			size_t q = ps;

			while (q < len && (msg[q] == ' ' || msg[q] == '\t'))
				q++;
			if (q < len && (msg[q] == '\n' || (msg[q] == '\r' && q + 1 < len && msg[q + 1] == '\n')))
				goto out;
		}
		nx = find_delim(w, msg + ps, len - ps, b, bl);
		if (nx == NULL)
			goto out;           /* no closing delimiter */
		pe = (size_t)(nx - msg);
		if (pe > ps && msg[pe - 1] == '\r')
			pe--;
		if (pe <= ps)
			goto out;           /* an empty part */
		{
			size_t *nc = realloc(sk->cut_end, (pi + 1) * sizeof(*nc));

			if (nc == NULL)
				goto out;
			sk->cut_end = nc;
			sk->cut_end[pi] = 0;
		}
		if (pe - ps > mime_elide_min &&
		    (bs = part_body_start(msg + ps, pe - ps < SKEL_HEAD_MAX ? pe - ps : SKEL_HEAD_MAX)) != 0 &&
		    bs + SKEL_KEEP < pe - ps) {
			size_t keep = ps + bs + SKEL_KEEP;

			if (sk->len + (keep - from) > (8U << 20) || !skel_add(sk, msg, from, keep))
				goto out;
			from = pe;
			sk->cut_end[pi] = pe;
		}
		read_upto(w, msg + pe);
		pi++;
		at = (size_t)(nx - msg) + 1;
	}
	sk->nparts = pi;
	if (from == 0)
		goto out;               /* nothing worth cutting */
	if (sk->len + (len - from) > (8U << 20) || !skel_add(sk, msg, from, len))
		goto out;
	ok = true;
out:
	free(b);
	free(pat);
	if (!ok)
		skeleton_free(sk);
	return ok;
}

/* A skeleton offset, or an end offset, back onto the message.  An offset
 * where two segments meet maps to the start of the later one: that is
 * where a cut body really ends. */
static const char *skel_map(const struct skeleton *sk, const char *msg, size_t off)
{
	size_t lo = 0, hi = sk->nsegs;

	if (off == sk->len) {
		const struct seg *l = &sk->segs[sk->nsegs - 1];

		return msg + l->real + l->len;
	}
	while (hi - lo > 1) {           /* last segment with syn <= off */
		size_t mid = (lo + hi) / 2;

		if (sk->segs[mid].syn <= off)
			lo = mid;
		else
			hi = mid;
	}
	return msg + sk->segs[lo].real + (off - sk->segs[lo].syn);
}

/* Move [p, p + *len) from the skeleton onto the message; false when it is
 * not inside the skeleton (libetpan computed something odd). */
static bool skel_map_range(const struct skeleton *sk, const char *msg, const char **p,
                           size_t *len)
{
	size_t off;
	const char *s, *e;

	if (*p < sk->buf || *p > sk->buf + sk->len)
		return false;
	off = (size_t)(*p - sk->buf);
	if (*len > sk->len - off)
		return false;
	s = skel_map(sk, msg, off);
	e = skel_map(sk, msg, off + *len);
	if (e < s)
		return false;
	*p = s;
	*len = (size_t)(e - s);
	return true;
}

static bool skel_map_data(const struct skeleton *sk, const char *msg, struct mailmime_data *d)
{
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT || d->dt_data.dt_text.dt_data == NULL)
		return true;
	return skel_map_range(sk, msg, &d->dt_data.dt_text.dt_data, &d->dt_data.dt_text.dt_length);
}

static bool skel_map_node(const struct skeleton *sk, const char *msg, struct mailmime *n,
                          unsigned depth)
{
	if (n == NULL)
		return true;
	if (depth > 64)
		return false;
	if (n->mm_mime_start != NULL && !skel_map_range(sk, msg, &n->mm_mime_start, &n->mm_length))
		return false;
	if (!skel_map_data(sk, msg, n->mm_body))
		return false;
	switch (n->mm_type) {
	case MAILMIME_MULTIPLE:
		if (!skel_map_data(sk, msg, n->mm_data.mm_multipart.mm_preamble) ||
		    !skel_map_data(sk, msg, n->mm_data.mm_multipart.mm_epilogue))
			return false;
		for (clistiter *it = clist_begin(n->mm_data.mm_multipart.mm_mp_list); it;
		     it = clist_next(it))
			if (!skel_map_node(sk, msg, clist_content(it), depth + 1))
				return false;
		return true;
	case MAILMIME_MESSAGE:
		return skel_map_node(sk, msg, n->mm_data.mm_message.mm_msg_mime, depth + 1);
	default:
		return true;
	}
}

/*
 * Parse the skeleton and move its tree onto the message.  NULL when the
 * tree is not the one the checks promised (then the caller parses the
 * whole message).
 */
static struct mailmime *skeleton_parse(struct skeleton *sk, const char *msg,
                                       const struct mailmime **top_r)
{
	struct mailmime *root = NULL, *in;
	clistiter *it;
	size_t idx = 0, i = 0;

	if (mailmime_parse(sk->buf, sk->len, &idx, &root) != MAILIMF_NO_ERROR || root == NULL)
		return NULL;
	in = root->mm_type == MAILMIME_MESSAGE ? root->mm_data.mm_message.mm_msg_mime : NULL;
	if (in == NULL || in->mm_type != MAILMIME_MULTIPLE ||
	    clist_count(in->mm_data.mm_multipart.mm_mp_list) != (int)sk->nparts ||
	    !skel_map_node(sk, msg, root, 0))
		goto fail;
	for (it = clist_begin(in->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it), i++) {
		struct mailmime *c = clist_content(it);
		const struct mailmime_data *d = c->mm_body;

		if (sk->cut_end[i] == 0)
			continue;
		/* a cut part must be a leaf whose body now ends where it really does */
		if (c->mm_type != MAILMIME_SINGLE || d == NULL || d->dt_type != MAILMIME_DATA_TEXT ||
		    d->dt_data.dt_text.dt_data + d->dt_data.dt_text.dt_length != msg + sk->cut_end[i])
			goto fail;
	}
	*top_r = in;
	return root;
fail:
	mailmime_free(root);
	return NULL;
}

int mime_walk(const char *msg, size_t len, const struct intake_limits *lim,
              const struct mime_sink *sink, struct mime_info *info_r)
{
	static const struct mime_sink null_sink;
	struct walk w;
	struct mailmime *root = NULL;
	struct ctx c = { 0, false, false };
	struct skeleton sk = { 0 };
	size_t idx = 0, skip;
	int ret = -1, r;

	memset(&w, 0, sizeof(w));
	if (lim != NULL)
		w.lim = *lim;
	limits_fill(&w.lim);
	w.sink = sink ? sink : &null_sink;
	w.info = info_r;
	memset(info_r, 0, sizeof(*info_r));
	if (msg == NULL) {
		msg = "";
		len = 0;
	}
	if (len > w.lim.message_bytes) {
		char reason[160];

		snprintf(reason, sizeof(reason),
		         "邮件大小超过 %llu 字节，超出部分未处理",
		         (unsigned long long)w.lim.message_bytes);
		problem(&w, PROB_MIME_LIMIT, NULL, reason);
		len = (size_t)w.lim.message_bytes;
	}
	skip = skip_mbox_from(msg, len);
	skip += skip_blank_lines(msg + skip, len - skip);
	msg += skip;
	len -= skip;
	w.msg = msg;
	w.len = len;
	w.reparse_left = len <= SIZE_MAX / MIME_REPARSE_FACTOR ?
	                 len * MIME_REPARSE_FACTOR : SIZE_MAX;

	read_envelope(&w, msg, header_block_end(msg, len));

	extended_charconv = intake_charconv;
	/*
	 * libetpan reads what it is given: the skeleton, when there is one,
	 * so the crash check covers the skeleton (its bytes are the message's
	 * own); otherwise, or if that check fires, the whole message.
	 */
	w.evicted = msg;
	if (len >= mime_skeleton_min && skeleton_build(&w, msg, len, &sk) &&
	    !known_crash_scan(sk.buf, sk.len, NULL, NULL) &&
	    (root = skeleton_parse(&sk, msg, &w.checked)) != NULL)
		mime_skeleton_walks++;
	if (root == NULL) {
		w.evicted = msg;
		if (known_crash_scan(msg, len, read_upto, &w)) {
			problem(&w, PROB_MIME_UNPARSEABLE, NULL,
			        "邮件结构无法解析，可能已损坏（分隔符格式异常）");
			goto out;
		}
	}
	r = root != NULL ? MAILIMF_NO_ERROR : mailmime_parse(msg, len, &idx, &root);
	if (r != MAILIMF_NO_ERROR || root == NULL) {
		problem(&w, PROB_MIME_UNPARSEABLE, NULL,
		        "邮件结构无法解析，可能已损坏");
		goto out;
	}
	if (root->mm_type == MAILMIME_MESSAGE) {
		r = walk_message(&w, root, "", NULL, NULL, &c, true);
	} else {
		const char *bs = body_start(root);

		r = walk_node(&w, root, "", msg, in_msg(&w, msg, bs) ? bs : msg, &c);
	}
	ret = r < 0 || w.stopped ? -1 : 0;
out:
	if (root != NULL)
		mailmime_free(root);
	skeleton_free(&sk);
	free(w.b64out);
	return ret;
}

void mime_info_free(struct mime_info *info)
{
	if (info == NULL)
		return;
	free(info->subject);
	free(info->from_addr);
	free(info->from_display);
	free(info->reply_to_addr);
	free(info->return_path);
	free(info->message_id);
	free(info->in_reply_to);
	free(info->date_raw);
	free(info->auto_submitted);
	free(info->auth_results);
	free(info->precedence);
	free(info->list_id);
	free(info->top_type);
	memset(info, 0, sizeof(*info));
}

/* ------------------------------------------------------------------ */
/* Big-attachment links (QQ 超大附件, 163/126 网易 大附件)             */

#define LINK_MAX        64U    /* links reported per text */
#define LINK_URL_MAX    4096U  /* longer "URLs" are not links we know */
#define LINK_NAME_MAX   255U   /* bytes of a file name shown near a link */
#define LINK_LOOK_BACK  1024U  /* bytes before a link searched for its name */
#define LINK_LOOK_AHEAD 512U   /* bytes after a link searched for its name */

struct link {
	char *url;
	char *name;
	size_t pos, end;        /* the URL's bytes in the text */
	bool in_href;
};

/* Growable text for stripped HTML; small and bounded by its input. */
struct tbuf {
	char *p;
	size_t len, cap;
};

static void tb_add(struct tbuf *t, const char *s, size_t n)
{
	if (t->p == NULL || t->len + n + 1 > t->cap) {
		size_t nc = (t->len + n + 1) * 2;
		char *np = realloc(t->p, nc);

		if (np == NULL)
			return;
		t->p = np;
		t->cap = nc;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static const char *memmem_ci(const char *h, size_t hl, const char *n)
{
	size_t nl = strlen(n);

	for (size_t i = 0; i + nl <= hl; i++)
		if (strncasecmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}

/* Encode code point cp as UTF-8 into out (>= 4 bytes); 0 if invalid. */
static size_t utf8_put(unsigned long cp, char *out)
{
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* An HTML entity at s: its text into out, bytes consumed, or 0. */
static size_t entity(const char *s, size_t n, char *out, size_t *olen)
{
	static const struct {
		const char *name, *text;
	} ents[] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
		{ "&quot;", "\"" }, { "&nbsp;", " " }, { "&#39;", "'" },
		{ "&apos;", "'" },
	};

	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		size_t el = strlen(ents[i].name);

		if (el <= n && strncasecmp(s, ents[i].name, el) == 0) {
			*olen = strlen(ents[i].text);
			memcpy(out, ents[i].text, *olen);
			return el;
		}
	}
	if (n >= 4 && s[1] == '#') {
		size_t i = 2;
		unsigned long cp = 0;
		bool hex = s[2] == 'x' || s[2] == 'X';

		if (hex)
			i++;
		while (i < n && i < 12 && (hex ? isxdigit((unsigned char)s[i])
		                               : isdigit((unsigned char)s[i]))) {
			cp = cp * (hex ? 16 : 10) +
			     (unsigned long)(isdigit((unsigned char)s[i]) ? s[i] - '0'
			                     : (tolower((unsigned char)s[i]) - 'a' + 10));
			i++;
		}
		if (i < n && s[i] == ';' && i > (hex ? 3U : 2U)) {
			*olen = utf8_put(cp, out);
			if (*olen > 0)
				return i + 1;
		}
	}
	return 0;
}

/* Tags that do not break a line of text ("<a>name</a> (45M)" is one line). */
static bool inline_tag(const char *s, size_t n)
{
	static const char *const tags[] = {
		"a", "span", "font", "b", "strong", "em", "i", "u", "small", "big",
	};
	size_t i = 1;

	if (i < n && s[i] == '/')
		i++;
	for (size_t k = 0; k < sizeof(tags) / sizeof(tags[0]); k++) {
		size_t tl = strlen(tags[k]);

		if (i + tl < n && strncasecmp(s + i, tags[k], tl) == 0 &&
		    (s[i + tl] == '>' || is_ws((unsigned char)s[i + tl]) ||
		     s[i + tl] == '/'))
			return true;
	}
	return false;
}

/* Visible text of an HTML (or plain) fragment: tags out, entities in. */
static void strip_html(const char *s, size_t n, struct tbuf *t)
{
	size_t i = 0, run = 0;

	while (i < n) {
		char buf[8];
		size_t bl, used;

		if (s[i] == '<') {
			const char *gt = memchr(s + i, '>', n - i);

			if (gt == NULL)
				break;          /* a cut tag at the end of the window */
			tb_add(t, s + run, i - run);
			if (!inline_tag(s + i, (size_t)(gt - s - i) + 1))
				tb_add(t, "\n", 1);
			i = (size_t)(gt - s) + 1;
			run = i;
			continue;
		}
		if (s[i] == '&' && (used = entity(s + i, n - i, buf, &bl)) > 0) {
			tb_add(t, s + run, i - run);
			tb_add(t, buf, bl);
			i += used;
			run = i;
			continue;
		}
		i++;
	}
	tb_add(t, s + run, i - run);
}

/* "45.2M", "1.2 GB", "800K", "12 字节" right after an opening parenthesis. */
static bool size_follows(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	if (i >= n || !isdigit((unsigned char)s[i]))
		return false;
	while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '.' || s[i] == ','))
		i++;
	while (i < n && s[i] == ' ')
		i++;
	if (i < n && strchr("KkMmGgTtBb", s[i]) != NULL)
		return true;
	return i + 6 <= n && memcmp(s + i, "字节", 6) == 0;
}

static bool name_stop(const char *s, size_t i)
{
	unsigned char c = (unsigned char)s[i];

	return c == '\n' || c == '\r' || c == '\t' || c == '<' || c == '>' ||
	       c == '|' || c == ':' || c == '"';
}

/* Trimmed name in [a, b) of t, or NULL when it does not look like one. */
static char *name_from(const char *t, size_t a, size_t b)
{
	const char *s = t + a;
	size_t n = b - a;

	trim(&s, &n);
	/* U+3000 ideographic space, common in Chinese layouts */
	while (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0) {
		s += 3;
		n -= 3;
	}
	while (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
		n -= 3;
	trim(&s, &n);
	if (n == 0 || n > LINK_NAME_MAX || !names_is_utf8(s, n) ||
	    memmem_ci(s, n, "http") != NULL)
		return NULL;
	return dup_n(s, n);
}

/* The line before position i (its start and end), skipping blank lines. */
static bool prev_line(const char *t, size_t i, size_t *a, size_t *b)
{
	size_t e = i;

	for (;;) {
		size_t st;

		while (e > 0 && (t[e - 1] == '\n' || t[e - 1] == '\r'))
			e--;
		if (e == 0)
			return false;
		st = e;
		while (st > 0 && t[st - 1] != '\n')
			st--;
		for (size_t k = st; k < e; k++)
			if (!is_ws((unsigned char)t[k])) {
				*a = st;
				*b = e;
				return true;
			}
		e = st;
	}
}

/*
 * Names shown next to a size, as QQ and 163 lay them out:
 *   "申报材料.zip (45.2M, 2023年6月1日 10:00 到期)"   name, then "(" size
 *   "申报材料.zip\n45.2M 2023年6月16日 14:03 到期"     a line of size and
 *                                                      expiry under the name
 * last picks the last such name in t, else the first.
 */
static char *sized_name(const char *t, size_t n, bool last)
{
	char *best = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t after, q, st, a, b;
		char *nm = NULL;

		if (t[i] == '(')
			after = i + 1;
		else if (i + 3 <= n && memcmp(t + i, "\xEF\xBC\x88", 3) == 0)
			after = i + 3;
		else if ((i == 0 || t[i - 1] == '\n') && isdigit((unsigned char)t[i]))
			after = i;
		else
			continue;
		if (!size_follows(t + after, n - after))
			continue;
		if (after == i) {
			/* a size line: must say when it expires, name above it */
			const char *nl = memchr(t + i, '\n', n - i);
			size_t ll = nl ? (size_t)(nl - t) - i : n - i;

			if (memmem(t + i, ll, "到期", 6) == NULL || !prev_line(t, i, &a, &b))
				continue;
			nm = name_from(t, a, b);
		} else {
			q = i;
			while (q > 0 && (t[q - 1] == ' ' || t[q - 1] == '\t'))
				q--;
			st = q;
			while (st > 0 && !name_stop(t, st - 1) && q - st < LINK_NAME_MAX)
				st--;
			/* "：" (full-width colon) also starts the name */
			for (size_t k = st; k + 3 <= q; k++)
				if (memcmp(t + k, "\xEF\xBC\x9A", 3) == 0)
					st = k + 3;
			nm = name_from(t, st, q);
		}
		if (nm == NULL)
			continue;
		free(best);
		best = nm;
		if (!last)
			break;
	}
	return best;
}

/* "x.zip" shaped: a dot and a short alphanumeric extension at the end. */
static bool looks_like_file(const char *s)
{
	const char *dot = strrchr(s, '.');
	size_t el;

	if (dot == NULL || dot == s)
		return false;
	el = strlen(dot + 1);
	if (el == 0 || el > 10)
		return false;
	for (const char *p = dot + 1; *p; p++)
		if (!isalnum((unsigned char)*p))
			return false;
	return true;
}

/* Does text start (after blanks) with "(45.2M" or "（45.2M"? */
static bool starts_with_size(const char *t, size_t n)
{
	size_t i = strspn(t, " \n");

	if (i < n && t[i] == '(')
		return size_follows(t + i + 1, n - i - 1);
	if (i + 3 <= n && memcmp(t + i, "\xEF\xBC\x88", 3) == 0)
		return size_follows(t + i + 3, n - i - 3);
	return false;
}

/*
 * The visible text of the <a> whose href holds the link ending at end,
 * when it is a file name: "x.zip", or any text followed by "(45.2M".
 * "下载" or "进入下载页面" is not.
 */
static char *anchor_name(const char *text, size_t len, size_t end)
{
	const char *gt = memchr(text + end, '>', len - end);
	const char *close;
	size_t a, b, lim;
	struct tbuf t = { 0 }, after = { 0 };
	char *nm = NULL;

	if (gt == NULL)
		return NULL;
	a = (size_t)(gt - text) + 1;
	lim = len - a < LINK_LOOK_BACK ? len - a : LINK_LOOK_BACK;
	close = memmem_ci(text + a, lim, "</a");
	if (close == NULL)
		return NULL;
	b = (size_t)(close - text);
	strip_html(text + a, b - a, &t);
	if (t.p != NULL)
		nm = name_from(t.p, 0, t.len);
	free(t.p);
	if (nm == NULL || strchr(nm, '\n') != NULL) {
		free(nm);
		return NULL;
	}
	if (looks_like_file(nm))
		return nm;
	gt = memchr(text + b, '>', len - b);
	if (gt != NULL) {
		size_t c = (size_t)(gt - text) + 1;

		strip_html(text + c, len - c < 200 ? len - c : 200, &after);
	}
	if (after.p == NULL || !starts_with_size(after.p, after.len)) {
		free(nm);
		nm = NULL;
	}
	free(after.p);
	return nm;
}

static bool host_is(const char *host, const char *dom)
{
	size_t hl = strlen(host), dl = strlen(dom);

	if (hl == dl)
		return strcmp(host, dom) == 0;
	return hl > dl && host[hl - dl - 1] == '.' && strcmp(host + hl - dl, dom) == 0;
}

/*
 * Known download pages.  With a provider's marker text in the message
 * ("从QQ邮箱发来的超大附件"), any download-looking link on its domains
 * counts too, so that a changed URL layout is still noticed.
 */
static bool big_link(const char *url, bool marker)
{
	char host[256], path[LINK_URL_MAX + 1];
	const char *p = strstr(url, "://"), *e;
	size_t hl;

	if (p == NULL)
		return false;
	p += 3;
	e = p + strcspn(p, "/?#:");
	hl = (size_t)(e - p);
	if (hl == 0 || hl >= sizeof(host))
		return false;
	memcpy(host, p, hl);
	host[hl] = '\0';
	lower_ascii(host);
	e += strcspn(e, "/?#");
	snprintf(path, sizeof(path), "%s", e);
	lower_ascii(path);

	if ((host_is(host, "mail.qq.com") || host_is(host, "exmail.qq.com")) &&
	    (strncmp(path, "/cgi-bin/ftnexs_download", 24) == 0 ||
	     strncmp(path, "/ftn/download", 13) == 0))
		return true;
	if ((host_is(host, "mail.163.com") || host_is(host, "mail.126.com") ||
	     host_is(host, "mail.yeah.net")) &&
	    strstr(path, "large-attachment-download") != NULL)
		return true;
	if (strncmp(host, "fs.mail.", 8) == 0 &&
	    (host_is(host, "163.com") || host_is(host, "126.com") ||
	     host_is(host, "yeah.net")))
		return true;
	if (host_is(host, "163.com") &&
	    strstr(path, "cloud-attachment-download") != NULL)
		return true;
	if (marker &&
	    (host_is(host, "qq.com") || host_is(host, "163.com") ||
	     host_is(host, "126.com") || host_is(host, "yeah.net")) &&
	    (strstr(path, "ftn") != NULL || strstr(path, "download") != NULL ||
	     strstr(path, "attach") != NULL))
		return true;
	return false;
}

static bool url_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7F && c != '"' && c != '\'' && c != '<' &&
	       c != '>' && c != '\\' && c != '`';
}

/* Decode "&amp;" and friends inside an href or a URL shown as text. */
static char *url_decode_entities(const char *s, size_t n)
{
	struct tbuf t = { 0 };
	size_t i = 0, run = 0;

	while (i < n) {
		char buf[8];
		size_t bl, used;

		if (s[i] == '&' && (used = entity(s + i, n - i, buf, &bl)) > 0) {
			tb_add(&t, s + run, i - run);
			tb_add(&t, buf, bl);
			i += used;
			run = i;
			continue;
		}
		i++;
	}
	tb_add(&t, s + run, n - run);
	return t.p;
}

unsigned mime_find_big_attachments(const char *text, size_t len,
                                   mime_link_fn fn, void *ctx)
{
	static const char *const markers[] = {
		"超大附件", "云附件", "大附件",
	};
	struct link *links = NULL;
	size_t nlinks = 0, nocc = 0;
	struct link occ[LINK_MAX * 2];
	bool marker = false;
	unsigned count = 0;

	if (text == NULL || len == 0)
		return 0;
	for (size_t k = 0; k < sizeof(markers) / sizeof(markers[0]); k++)
		if (memmem(text, len, markers[k], strlen(markers[k])) != NULL)
			marker = true;

	/* 1: every occurrence of a known link, in text order */
	for (size_t i = 0; i + 8 < len && nocc < LINK_MAX * 2; i++) {
		size_t e;
		char *url;

		if ((text[i] | 0x20) != 'h')
			continue;
		if (strncasecmp(text + i, "http://", 7) != 0 &&
		    strncasecmp(text + i, "https://", 8) != 0)
			continue;
		e = i;
		while (e < len && url_byte((unsigned char)text[e]))
			e++;
		if (e - i > LINK_URL_MAX) {
			i = e;
			continue;
		}
		url = url_decode_entities(text + i, e - i);
		if (url == NULL)
			break;
		if (!big_link(url, marker)) {
			free(url);
			i = e;
			continue;
		}
		memset(&occ[nocc], 0, sizeof(occ[nocc]));
		occ[nocc].url = url;
		occ[nocc].pos = i;
		occ[nocc].end = e;
		{
			/* inside href="..." or href='...' or href=... ? */
			size_t b = i;

			while (b > 0 && (text[b - 1] == '"' || text[b - 1] == '\'' ||
			       text[b - 1] == ' '))
				b--;
			occ[nocc].in_href = b >= 5 && text[b - 1] == '=' &&
			                    strncasecmp(text + b - 5, "href", 4) == 0;
		}
		nocc++;
		i = e;
	}

	/* 2: a name for each occurrence */
	for (size_t k = 0; k < nocc; k++) {
		struct link *o = &occ[k];
		size_t from, to;
		struct tbuf t = { 0 };

		if (o->in_href)
			o->name = anchor_name(text, len, o->end);
		if (o->name == NULL) {
			from = k > 0 ? occ[k - 1].end : 0;
			if (o->pos - from > LINK_LOOK_BACK)
				from = o->pos - LINK_LOOK_BACK;
			strip_html(text + from, o->pos - from, &t);
			if (t.p != NULL)
				o->name = sized_name(t.p, t.len, true);
			free(t.p);
			t.p = NULL;
			t.len = t.cap = 0;
		}
		if (o->name == NULL) {
			to = k + 1 < nocc ? occ[k + 1].pos : len;
			if (to - o->end > LINK_LOOK_AHEAD)
				to = o->end + LINK_LOOK_AHEAD;
			/* skip the rest of the tag the link sits in */
			strip_html(text + o->end, to - o->end, &t);
			if (t.p != NULL)
				o->name = sized_name(t.p, t.len, false);
			free(t.p);
		}
	}

	/* 3: one report per distinct URL, first name found wins */
	links = calloc(nocc ? nocc : 1, sizeof(*links));
	if (links == NULL)
		goto out;
	for (size_t k = 0; k < nocc; k++) {
		size_t j;

		for (j = 0; j < nlinks; j++)
			if (strcmp(links[j].url, occ[k].url) == 0)
				break;
		if (j == nlinks) {
			if (nlinks == LINK_MAX)
				continue;
			links[nlinks].url = occ[k].url;
			links[nlinks].name = occ[k].name;
			occ[k].url = occ[k].name = NULL;
			nlinks++;
		} else if (links[j].name == NULL && occ[k].name != NULL) {
			links[j].name = occ[k].name;
			occ[k].name = NULL;
		}
	}
	for (size_t j = 0; j < nlinks; j++) {
		if (fn != NULL)
			fn(ctx, links[j].url, links[j].name);
		count++;
	}
out:
	for (size_t k = 0; k < nocc; k++) {
		free(occ[k].url);
		free(occ[k].name);
	}
	for (size_t j = 0; j < nlinks; j++) {
		free(links[j].url);
		free(links[j].name);
	}
	free(links);
	return count;
}

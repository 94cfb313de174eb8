/*
 * names.c - header text and file names to UTF-8.
 *
 * Decoding is lenient (every byte sequence gives a result) but honest: a
 * byte we could not read becomes U+FFFD and sets the caller's lossy flag,
 * never a silent '?' or a dropped byte (LIBRARIES.md 9: no //IGNORE).
 */
#include "names.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAMES_CHARSET_MAX   64U   /* longest charset label we look at */
#define NAMES_2231_SEGMENTS 128U  /* RFC 2231 continuations kept per name */
#define NAMES_2231_INDEX    9999U /* highest continuation index accepted */
#define NAMES_EXT_KEEP      16U   /* extension bytes kept when truncating */
#define NAMES_ICONV_CACHE   8U

static const char UTF8_REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */
static const char UTF8_EURO[] = "\xE2\x82\xAC";        /* U+20AC */

/* ------------------------------------------------------------------ */
/* Bounded output buffer                                               */

/*
 * A growable buffer that never holds more than max bytes (0 = no cap).
 * Content is always valid UTF-8 by construction: callers append whole
 * characters only, so cutting at the cap only needs a boundary search.
 */
struct sbuf {
	char *p;
	size_t len, cap, max;
	bool over;   /* something did not fit */
	bool nomem;  /* allocation failed */
};

static void sbuf_init(struct sbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static bool sbuf_reserve(struct sbuf *b, size_t more)
{
	size_t want, ncap;
	char *np;

	if (b->nomem)
		return false;
	if (more > SIZE_MAX - b->len - 1) { /* UNSAFE: overflow guard */
		b->nomem = true;
		return false;
	}
	want = b->len + more + 1;
	if (want <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 64;
	while (ncap < want)
		ncap = ncap > SIZE_MAX / 2 ? want : ncap * 2;
	np = realloc(b->p, ncap);
	if (np == NULL) {
		b->nomem = true;
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

/* Length of the longest prefix of s[0..n) that ends on a UTF-8 boundary. */
static size_t utf8_cut(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/*
 * Append valid UTF-8.  When the cap would be exceeded, keep the longest
 * prefix that ends on a character boundary and mark the buffer over.
 */
static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (n == 0 || b->nomem || b->over)
		return;
	if (b->max && n > b->max - b->len) {
		size_t room = b->max - b->len;

		/* s[room] exists because n > room */
		room = utf8_cut(s, room);
		b->over = true;
		n = room;
		if (n == 0)
			return;
	}
	if (!sbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static char *sbuf_take(struct sbuf *b)
{
	char *p;

	if (b->nomem) {
		free(b->p);
		b->p = NULL;
		return NULL;
	}
	if (b->p == NULL && !sbuf_reserve(b, 0))
		return NULL;
	b->p[b->len] = '\0';
	p = b->p;
	b->p = NULL;
	return p;
}

static void sbuf_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* A plain byte buffer (decoded RFC 2047 / 2231 bytes before conversion). */
struct bbuf {
	unsigned char *p;
	size_t len, cap;
	bool nomem;
};

static void bbuf_add(struct bbuf *b, const void *s, size_t n)
{
	if (n == 0 || b->nomem)
		return;
	if (n > SIZE_MAX / 2 - b->len) { /* UNSAFE: overflow guard */
		b->nomem = true;
		return;
	}
	if (b->len + n > b->cap) {
		size_t ncap = b->cap ? b->cap : 64;
		unsigned char *np;

		while (ncap < b->len + n)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (np == NULL) {
			b->nomem = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void bbuf_addc(struct bbuf *b, unsigned char c)
{
	bbuf_add(b, &c, 1);
}

/* ------------------------------------------------------------------ */
/* Charset labels                                                      */

/* Labels that all mean "the GBK family": decode as GB18030, a superset. */
static const char *const GB_LABELS[] = {
	"gb2312", "gbk", "cp936", "x-gbk", "gb_2312-80", "euc-cn", "936",
	"x-gb18030", "windows-936", "gb18030", "csgb2312", "ms936", "x-euc-cn",
	"cn-gb", "gb_2312", "gb2312-80", "csgbk", "x-cp936", "chinese",
	"iso-ir-58", "csiso58gb231280", "gb-2312", "gb18030-2000",
	"gb18030-2005", "gb18030-2022", "x-gb2312", "ibm-1386", "cp1386",
};

/* Labels glibc does not know, with the name it does know. */
static const struct {
	const char *label, *iconv_name;
} ALIASES[] = {
	{ "utf8", "UTF-8" },
	{ "utf-8", "UTF-8" },
	{ "x-utf8", "UTF-8" },
	{ "unicode-1-1-utf-8", "UTF-8" },
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "windows-949", "CP949" },
	{ "x-sjis", "SJIS" },
	{ "windows-31j", "CP932" },
	{ "x-big5", "BIG5" },
	{ "big5hkscs", "BIG5-HKSCS" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "latin1", "ISO-8859-1" },
	{ "ascii", "US-ASCII" },
	{ "us_ascii", "US-ASCII" },
	{ "ansi_x3.4-1968", "US-ASCII" },
};

void names_charset_normalise(const char *label, char *buf, size_t size)
{
	char low[NAMES_CHARSET_MAX + 1];
	size_t i, n = 0;
	const char *s = label ? label : "";
	const char *e;
	const char *out = NULL;

	if (buf == NULL || size == 0)
		return;
	/* Labels arrive quoted, padded or with an RFC 2231 "*lang" suffix. */
	while (*s == ' ' || *s == '\t' || *s == '"' || *s == '\'')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '"' ||
	    e[-1] == '\''))
		e--;
	for (const char *p = s; p < e && *p != '*' && n < NAMES_CHARSET_MAX; p++)
		low[n++] = (char)tolower((unsigned char)*p);
	low[n] = '\0';

	for (i = 0; i < sizeof(GB_LABELS) / sizeof(GB_LABELS[0]); i++)
		if (strcmp(low, GB_LABELS[i]) == 0)
			out = "GB18030";
	for (i = 0; out == NULL && i < sizeof(ALIASES) / sizeof(ALIASES[0]); i++)
		if (strcmp(low, ALIASES[i].label) == 0)
			out = ALIASES[i].iconv_name;
	if (out != NULL) {
		size_t ol = strlen(out);

		if (ol >= size)
			ol = size - 1;
		memcpy(buf, out, ol);
		buf[ol] = '\0';
		return;
	}
	for (i = 0; i < n && i + 1 < size; i++)
		buf[i] = (char)toupper((unsigned char)low[i]);
	buf[i] = '\0';
}

/* Labels that promise nothing about 8-bit bytes: we guess instead. */
static bool charset_is_guess(const char *norm)
{
	static const char *const guess[] = {
		"", "US-ASCII", "UNKNOWN-8BIT", "X-UNKNOWN", "UNKNOWN",
		"DEFAULT", "8BIT", "X-USER-DEFINED", "BINARY",
	};

	for (size_t i = 0; i < sizeof(guess) / sizeof(guess[0]); i++)
		if (strcmp(norm, guess[i]) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */

/*
 * Length of the valid UTF-8 sequence at s (n bytes available), or 0.
 * Rejects overlongs, surrogates and code points above U+10FFFF.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		if (n >= 2 && (s[1] & 0xC0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = 0x80, hi = 0xBF;

		if (c == 0xE0)
			lo = 0xA0;      /* overlong */
		else if (c == 0xED)
			hi = 0x9F;      /* surrogates */
		if (n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80)
			return 3;
		return 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = 0x80, hi = 0xBF;

		if (c == 0xF0)
			lo = 0x90;      /* overlong */
		else if (c == 0xF4)
			hi = 0x8F;      /* above U+10FFFF */
		if (n >= 4 && s[1] >= lo && s[1] <= hi &&
		    (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80)
			return 4;
		return 0;
	}
	return 0;
}

bool names_is_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (s == NULL)
		return n == 0;
	while (i < n) {
		size_t l;

		if (u[i] < 0x80) {
			i++;
			continue;
		}
		l = utf8_seq(u + i, n - i);
		if (l == 0)
			return false;
		i += l;
	}
	return true;
}

static bool all_ascii(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 0x80)
			return false;
	return true;
}

/*
 * Append bytes that are meant to be UTF-8: valid sequences are copied,
 * each invalid byte becomes U+FFFD.  NUL becomes U+FFFD as well because
 * callers get C strings back and a NUL would silently cut the name.
 */
static void add_utf8_checked(struct sbuf *b, const unsigned char *s, size_t n,
                             bool *lossy)
{
	size_t i = 0, run = 0;

	while (i < n && !b->over && !b->nomem) {
		size_t l = s[i] == 0 ? 0 : utf8_seq(s + i, n - i);

		if (l == 0) {
			sbuf_add(b, (const char *)s + run, i - run);
			sbuf_add(b, UTF8_REPLACEMENT, 3);
			*lossy = true;
			i++;
			run = i;
			continue;
		}
		i += l;
	}
	if (i > run)
		sbuf_add(b, (const char *)s + run, i - run);
}

/* ------------------------------------------------------------------ */
/* iconv                                                               */

/*
 * Descriptors are cached per process: a parse child decodes thousands of
 * words with two or three charsets, and iconv_open loads gconv modules.
 * Failed opens are cached too.  Not thread-safe (one process per message).
 */
static struct {
	char name[NAMES_CHARSET_MAX + 1];
	iconv_t cd;
	bool used;
} iconv_cache[NAMES_ICONV_CACHE];
static unsigned iconv_cache_next;

static iconv_t cached_iconv(const char *norm)
{
	unsigned i;
	iconv_t cd;

	for (i = 0; i < NAMES_ICONV_CACHE; i++)
		if (iconv_cache[i].used && strcmp(iconv_cache[i].name, norm) == 0)
			return iconv_cache[i].cd;
	cd = iconv_open("UTF-8", norm);
	i = iconv_cache_next++ % NAMES_ICONV_CACHE;
	if (iconv_cache[i].used && iconv_cache[i].cd != (iconv_t)-1)
		iconv_close(iconv_cache[i].cd);
	snprintf(iconv_cache[i].name, sizeof(iconv_cache[i].name), "%s", norm);
	iconv_cache[i].cd = cd;
	iconv_cache[i].used = true;
	return cd;
}

void names_preload(void)
{
	(void)cached_iconv("GB18030");
	(void)cached_iconv("GBK");
}

/*
 * Convert with a strict descriptor and repair by hand: on EILSEQ skip
 * one byte and write U+FFFD (or U+20AC for the GBK-only 0x80 when reading
 * GB18030), on a truncated tail write one U+FFFD.  Returns -1 when the
 * charset is unknown to iconv (nothing appended).
 */
static int add_iconv(struct sbuf *b, const char *norm, const unsigned char *s,
                     size_t n, bool *lossy)
{
	iconv_t cd = cached_iconv(norm);
	bool gb = strcmp(norm, "GB18030") == 0;
	char tmp[4096];
	char *in = (char *)(uintptr_t)s; /* iconv's prototype is not const */
	size_t inleft = n;

	if (cd == (iconv_t)-1)
		return -1;
	iconv(cd, NULL, NULL, NULL, NULL);
	while (inleft > 0 && !b->over && !b->nomem) {
		char *out = tmp;
		size_t outleft = sizeof(tmp);
		size_t r = iconv(cd, &in, &inleft, &out, &outleft);
		int err = r == (size_t)-1 ? errno : 0;

		add_utf8_checked(b, (const unsigned char *)tmp,
		                 (size_t)(out - tmp), lossy);
		if (r != (size_t)-1 || err == E2BIG)
			continue;
		if (err == EILSEQ) {
			if (gb && (unsigned char)*in == 0x80) {
				sbuf_add(b, UTF8_EURO, 3);
			} else {
				sbuf_add(b, UTF8_REPLACEMENT, 3);
				*lossy = true;
			}
			in++;
			inleft--;
			iconv(cd, NULL, NULL, NULL, NULL);
			continue;
		}
		/* EINVAL: incomplete sequence at the end of the input */
		sbuf_add(b, UTF8_REPLACEMENT, 3);
		*lossy = true;
		inleft = 0;
	}
	/* Flush the shift state of stateful charsets (ISO-2022-JP). */
	{
		char *out = tmp;
		size_t outleft = sizeof(tmp);

		iconv(cd, NULL, NULL, &out, &outleft);
		add_utf8_checked(b, (const unsigned char *)tmp,
		                 (size_t)(out - tmp), lossy);
	}
	return 0;
}

/*
 * Valid UTF-8 with at least one multibyte character, cut inside its last
 * character: a name truncated by the sender's mailer (seen from Yahoo).
 */
static bool utf8_truncated(const unsigned char *s, size_t n)
{
	size_t i = 0;
	bool multi = false;

	while (i < n) {
		size_t l = s[i] < 0x80 ? 1 : utf8_seq(s + i, n - i);

		if (l == 0)
			break;
		multi |= l > 1;
		i += l;
	}
	if (i == n || !multi || n - i > 3)
		return false;
	/* the tail must be a lead byte plus continuation bytes, nothing else */
	if (s[i] < 0xC2 || s[i] > 0xF4)
		return false;
	for (size_t k = i + 1; k < n; k++)
		if ((s[k] & 0xC0) != 0x80)
			return false;
	return true;
}

/*
 * Bytes of unknown or unstated charset: UTF-8 if the whole run is valid
 * (or only cut short), else GB18030 (the clients we serve write CP936
 * when not UTF-8).
 */
static void add_guess(struct sbuf *b, const unsigned char *s, size_t n,
                      bool *lossy)
{
	if (names_is_utf8((const char *)s, n) || utf8_truncated(s, n)) {
		add_utf8_checked(b, s, n, lossy);
		return;
	}
	if (add_iconv(b, "GB18030", s, n, lossy) < 0) {
		/* No GB18030 module installed: still give valid UTF-8. */
		add_utf8_checked(b, s, n, lossy);
	}
}

/* Decode bytes labelled with charset (NULL or a guess label = guess). */
static void add_charset(struct sbuf *b, const unsigned char *s, size_t n,
                        const char *charset, bool *lossy)
{
	char norm[NAMES_CHARSET_MAX + 1];

	if (charset == NULL) {
		add_guess(b, s, n, lossy);
		return;
	}
	names_charset_normalise(charset, norm, sizeof(norm));
	if (charset_is_guess(norm)) {
		add_guess(b, s, n, lossy);
		return;
	}
	if (strcmp(norm, "UTF-8") == 0) {
		add_utf8_checked(b, s, n, lossy);
		return;
	}
	if (add_iconv(b, norm, s, n, lossy) == 0)
		return;
	/*
	 * A label nobody knows: ASCII is safe to keep, anything else is our
	 * guess and is flagged so nobody mistakes it for a faithful decoding.
	 */
	if (!all_ascii(s, n))
		*lossy = true;
	add_guess(b, s, n, lossy);
}

char *names_to_utf8(const char *s, size_t n, const char *charset,
                    size_t max_out, bool *lossy_r)
{
	struct sbuf b;
	bool lossy = false;

	sbuf_init(&b, max_out);
	if (s != NULL)
		add_charset(&b, (const unsigned char *)s, n, charset, &lossy);
	if (b.over) {
		sbuf_free(&b);
		return NULL;
	}
	if (lossy_r && lossy)
		*lossy_r = true;
	return sbuf_take(&b);
}

/* ------------------------------------------------------------------ */
/* RFC 2047                                                            */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Lenient base64: skips foreign characters, stops at padding. */
static void b64_decode(struct bbuf *out, const unsigned char *s, size_t n)
{
	unsigned acc = 0, bits = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		int v = b64val(s[i]);

		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			bbuf_addc(out, (unsigned char)(acc >> bits));
			acc &= (1U << bits) - 1;
		}
	}
}

/* RFC 2047 4.2 Q: "_" is space, "=XX" a byte, a stray "=" stays. */
static void q_decode(struct bbuf *out, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_') {
			bbuf_addc(out, ' ');
		} else if (s[i] == '=' && i + 2 < n &&
		           hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			bbuf_addc(out, (unsigned char)(hexval(s[i + 1]) << 4 |
			                               hexval(s[i + 2])));
			i += 2;
		} else {
			bbuf_addc(out, s[i]);
		}
	}
}

struct eword {
	char charset[NAMES_CHARSET_MAX + 1]; /* normalised */
	char enc;                             /* 'B' or 'Q' */
	const unsigned char *text;
	size_t text_len;
	size_t len;                           /* bytes of the whole word */
};

/*
 * Where the next "?=" and the next white space are.  Both only move
 * forward, so trying "=?" at every position stays linear: without them
 * "=?a?B?x" repeated 40,000 times costs a scan to the end per attempt.
 */
struct escan {
	const unsigned char *u;
	size_t n;
	bool qe_ok, ws_ok;
	size_t qe, qe_from;  /* first "?=" at or after qe_from (n = none) */
	size_t ws, ws_from;  /* first white space at or after ws_from */
};

static bool is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_qe(const struct escan *e, size_t i)
{
	return i + 1 < e->n && e->u[i] == '?' && e->u[i + 1] == '=';
}

/*
 * Queries come at nearly increasing positions (a later "=?" with a
 * shorter charset can start its text up to a charset's length earlier),
 * so only the small gap before the cached range is ever rescanned.
 */
static size_t escan_qe(struct escan *e, size_t from)
{
	size_t i = from;

	if (e->qe_ok && from <= e->qe) {
		while (i < e->qe_from && !is_qe(e, i))
			i++;
		if (i >= e->qe_from)
			i = e->qe;
	} else {
		while (i < e->n && !is_qe(e, i))
			i++;
	}
	e->qe_ok = true;
	e->qe_from = from;
	e->qe = i;
	return i;
}

static size_t escan_ws(struct escan *e, size_t from)
{
	size_t i = from;

	if (e->ws_ok && from <= e->ws) {
		while (i < e->ws_from && !is_wsp(e->u[i]))
			i++;
		if (i >= e->ws_from)
			i = e->ws;
	} else {
		while (i < e->n && !is_wsp(e->u[i]))
			i++;
	}
	e->ws_ok = true;
	e->ws_from = from;
	e->ws = i;
	return i;
}

/*
 * Parse "=?charset[*lang]?E?text?=" at position at.  White space is not
 * allowed in any piece (RFC 2047 2), which keeps a literal "=?" harmless.
 */
static bool eword_parse(struct escan *e, size_t at, struct eword *w)
{
	const unsigned char *s = e->u;
	size_t n = e->n, i = at + 2, cs_start, cs_end, end;
	char raw[NAMES_CHARSET_MAX + 1];

	if (n - at < 8 || s[at] != '=' || s[at + 1] != '?')
		return false;
	cs_start = i;
	while (i < n && i - cs_start < NAMES_CHARSET_MAX && s[i] != '?' &&
	    s[i] > ' ' && s[i] < 0x7F)
		i++;
	cs_end = i;
	if (i >= n || s[i] != '?' || cs_end == cs_start)
		return false;
	i++;
	if (i + 1 >= n || s[i + 1] != '?')
		return false;
	w->enc = (char)toupper(s[i]);
	if (w->enc != 'B' && w->enc != 'Q')
		return false;
	i += 2;
	end = escan_qe(e, i);
	if (end >= n || escan_ws(e, i) < end)
		return false;
	w->text = s + i;
	w->text_len = end - i;
	w->len = end + 2 - at;
	memcpy(raw, s + cs_start, cs_end - cs_start);
	raw[cs_end - cs_start] = '\0';
	names_charset_normalise(raw, w->charset, sizeof(w->charset));
	return true;
}

/* State of one header decode: a pending run of same-charset words. */
struct hdec {
	struct sbuf *out;
	bool *lossy;
	struct bbuf pend;
	char pend_cs[NAMES_CHARSET_MAX + 1];
	bool have_pend;
};

static void hdec_flush_words(struct hdec *h)
{
	if (!h->have_pend)
		return;
	if (h->pend.nomem)
		h->out->nomem = true;
	else
		add_charset(h->out, h->pend.p, h->pend.len, h->pend_cs, h->lossy);
	h->pend.len = 0;
	h->pend.nomem = false;
	h->have_pend = false;
}

/*
 * Unfold (RFC 5322 2.2.3: drop CRLF before white space; a stray CR or LF
 * becomes a space) into a fresh buffer.
 */
static unsigned char *unfold(const char *s, size_t n, size_t *len_r)
{
	unsigned char *u = malloc(n + 1);
	size_t o = 0;

	if (u == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' || c == '\n') {
			size_t j = i;

			if (c == '\r' && j + 1 < n && s[j + 1] == '\n')
				j++;
			if (j + 1 < n && (s[j + 1] == ' ' || s[j + 1] == '\t')) {
				i = j;
				continue;
			}
			u[o++] = ' ';
			i = j;
			continue;
		}
		u[o++] = c;
	}
	u[o] = '\0';
	*len_r = o;
	return u;
}

/*
 * Core of names_decode_header, appending to out.  Whitespace between two
 * encoded words is dropped (RFC 2047 6.2); adjacent words of one charset
 * are joined as bytes before conversion so that a GBK or UTF-8 character
 * split across two words survives.
 */
static void decode_words(struct sbuf *out, const unsigned char *u, size_t n,
                         bool *lossy)
{
	struct hdec h;
	struct escan es = { .u = u, .n = n };
	size_t i = 0, lit = 0;
	bool last_word = false;

	memset(&h, 0, sizeof(h));
	h.out = out;
	h.lossy = lossy;
	while (i < n && !out->over && !out->nomem) {
		struct eword w;
		struct bbuf dec = { 0 };

		if (u[i] != '=' || i + 1 >= n || u[i + 1] != '?' ||
		    !eword_parse(&es, i, &w)) {
			i++;
			continue;
		}
		/* literal run [lit, i) before this word */
		if (i > lit) {
			bool only_ws = true;

			for (size_t k = lit; k < i; k++)
				if (!is_wsp(u[k]))
					only_ws = false;
			if (!(last_word && only_ws)) {
				hdec_flush_words(&h);
				add_guess(out, u + lit, i - lit, lossy);
			}
		}
		if (w.enc == 'B')
			b64_decode(&dec, w.text, w.text_len);
		else
			q_decode(&dec, w.text, w.text_len);
		if (h.have_pend && strcmp(h.pend_cs, w.charset) != 0)
			hdec_flush_words(&h);
		if (!h.have_pend) {
			memcpy(h.pend_cs, w.charset, sizeof(h.pend_cs));
			h.have_pend = true;
		}
		if (dec.nomem)
			h.pend.nomem = true;
		bbuf_add(&h.pend, dec.p, dec.len);
		free(dec.p);
		i += w.len;
		lit = i;
		last_word = true;
	}
	hdec_flush_words(&h);
	if (n > lit && !out->over)
		add_guess(out, u + lit, n - lit, lossy);
	free(h.pend.p);
}

/* Trim ASCII white space on both ends of a finished result, in place. */
static void trim_result(struct sbuf *b)
{
	size_t s = 0, e = b->len;

	if (b->p == NULL)
		return;
	while (s < e && is_wsp((unsigned char)b->p[s]))
		s++;
	while (e > s && is_wsp((unsigned char)b->p[e - 1]))
		e--;
	memmove(b->p, b->p + s, e - s);
	b->len = e - s;
	b->p[b->len] = '\0';
}

char *names_decode_header(const char *s, size_t n, size_t max_out,
                          bool *lossy_r)
{
	struct sbuf b;
	unsigned char *u;
	size_t ulen;
	bool lossy = false;

	sbuf_init(&b, max_out);
	u = unfold(s ? s : "", s ? n : 0, &ulen);
	if (u == NULL)
		return NULL;
	decode_words(&b, u, ulen, &lossy);
	free(u);
	trim_result(&b);
	if (b.over)
		lossy = true;      /* truncated to max_out: information lost */
	if (lossy_r && lossy)
		*lossy_r = true;
	return sbuf_take(&b);
}

/* ------------------------------------------------------------------ */
/* File names                                                          */

struct seg {
	unsigned idx;
	bool encoded;
	const struct names_param *p;
};

/* Does param name match base + "*..." ?  Fills index/encoded. */
static bool rfc2231_name(const char *name, const char *base, bool *single,
                         unsigned *idx, bool *encoded)
{
	size_t bl = strlen(base);
	const char *r;
	unsigned v = 0;

	if (name == NULL || strncasecmp(name, base, bl) != 0 || name[bl] != '*')
		return false;
	r = name + bl + 1;
	if (*r == '\0') {
		*single = true;
		*idx = 0;
		*encoded = true;
		return true;
	}
	if (!isdigit((unsigned char)*r))
		return false;
	while (isdigit((unsigned char)*r)) {
		v = v * 10 + (unsigned)(*r - '0');
		if (v > NAMES_2231_INDEX)
			return false;
		r++;
	}
	*encoded = false;
	if (*r == '*') {
		*encoded = true;
		r++;
	}
	if (*r != '\0')
		return false;
	*single = false;
	*idx = v;
	return true;
}

static void pct_decode(struct bbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			bbuf_addc(out, (unsigned char)(hexval((unsigned char)s[i + 1]) << 4 |
			                               hexval((unsigned char)s[i + 2])));
			i += 2;
		} else {
			bbuf_addc(out, (unsigned char)s[i]);
		}
	}
}

/*
 * RFC 2231 "base*" or "base*0*", "base*1", ...: collect, sort by index,
 * take charset'lang' from the first segment, join and decode.  Returns
 * false when the family has no such parameter.
 */
static bool decode_2231(const struct names_param *ps, size_t np,
                        const char *base, struct sbuf *out, bool *lossy,
                        struct bbuf *raw)
{
	struct seg segs[NAMES_2231_SEGMENTS];
	size_t ns = 0;
	const struct names_param *single = NULL;
	struct bbuf bytes = { 0 };
	char charset[NAMES_CHARSET_MAX + 1] = "";
	bool any_encoded = false, have_charset = false;

	for (size_t i = 0; i < np; i++) {
		bool sg, enc;
		unsigned idx;
		size_t k;

		if (ps[i].value == NULL ||
		    !rfc2231_name(ps[i].name, base, &sg, &idx, &enc))
			continue;
		if (sg) {
			if (single == NULL)
				single = &ps[i];
			continue;
		}
		/* keep the first of duplicate indexes; bounded count */
		for (k = 0; k < ns; k++)
			if (segs[k].idx == idx)
				break;
		if (k < ns || ns == NAMES_2231_SEGMENTS)
			continue;
		/* insertion sort keeps segs ordered by index */
		k = ns++;
		while (k > 0 && segs[k - 1].idx > idx) {
			segs[k] = segs[k - 1];
			k--;
		}
		segs[k].idx = idx;
		segs[k].encoded = enc;
		segs[k].p = &ps[i];
	}
	if (single != NULL) {
		ns = 1;
		segs[0].idx = 0;
		segs[0].encoded = true;
		segs[0].p = single;
	}
	if (ns == 0)
		return false;

	for (size_t k = 0; k < ns; k++) {
		const char *v = segs[k].p->value;
		size_t vl = segs[k].p->value_len;

		bbuf_add(raw, v, vl);
		if (!segs[k].encoded) {
			bbuf_add(&bytes, v, vl);
			continue;
		}
		any_encoded = true;
		if (k == 0) {
			/* charset'lang'data; without both quotes it is all data */
			const char *q1 = memchr(v, '\'', vl), *q2 = NULL;

			if (q1 != NULL)
				q2 = memchr(q1 + 1, '\'', vl - (size_t)(q1 + 1 - v));
			if (q1 != NULL && q2 != NULL) {
				size_t cl = (size_t)(q1 - v);

				if (cl > NAMES_CHARSET_MAX)
					cl = NAMES_CHARSET_MAX;
				memcpy(charset, v, cl);
				charset[cl] = '\0';
				have_charset = cl > 0;
				vl -= (size_t)(q2 + 1 - v);
				v = q2 + 1;
			}
		}
		pct_decode(&bytes, v, vl);
	}
	if (bytes.nomem) {
		out->nomem = true;
	} else if (!any_encoded) {
		/* plain continuations may carry RFC 2047 words or raw bytes */
		decode_words(out, bytes.p, bytes.len, lossy);
	} else {
		add_charset(out, bytes.p, bytes.len,
		            have_charset ? charset : NULL, lossy);
	}
	free(bytes.p);
	return true;
}

/* The plain "base" parameter: RFC 2047 words in the value, or raw bytes. */
static bool decode_plain(const struct names_param *ps, size_t np,
                         const char *base, struct sbuf *out, bool *lossy,
                         struct bbuf *raw)
{
	for (size_t i = 0; i < np; i++) {
		unsigned char *u;
		size_t ul;

		if (ps[i].name == NULL || ps[i].value == NULL ||
		    strcasecmp(ps[i].name, base) != 0)
			continue;
		bbuf_add(raw, ps[i].value, ps[i].value_len);
		u = unfold(ps[i].value, ps[i].value_len, &ul);
		if (u == NULL) {
			out->nomem = true;
			return true;
		}
		decode_words(out, u, ul, lossy);
		free(u);
		return true;
	}
	return false;
}

/*
 * Cut a name to max bytes, keeping a short extension: "申报材料....zip"
 * is more use to the classifier than a name that lost its ".zip".
 */
static void fit_name(struct sbuf *b, const char *full, size_t len, size_t max)
{
	const char *dot = NULL;
	size_t ext = 0, keep;

	for (size_t i = len; i > 0 && len - i < NAMES_EXT_KEEP; i--) {
		if (full[i - 1] == '.') {
			dot = full + i - 1;
			break;
		}
	}
	if (dot != NULL)
		ext = len - (size_t)(dot - full);
	if (ext >= max)
		ext = 0;
	keep = utf8_cut(full, max - ext);
	sbuf_init(b, 0);
	sbuf_add(b, full, keep);
	if (ext)
		sbuf_add(b, dot, ext);
}

/*
 * Decode one name source (RFC 2231 or plain, of filename or name) into
 * *b, uncapped.  Returns false when the source is absent.
 */
static bool decode_source(const struct names_param *ps, size_t np, bool ext,
                          const char *base, struct sbuf *b, bool *lossy,
                          struct bbuf *raw)
{
	bool got;

	if (ps == NULL || np == 0)
		return false;
	sbuf_init(b, 0);
	if (ext)
		got = decode_2231(ps, np, base, b, lossy, raw);
	else
		got = decode_plain(ps, np, base, b, lossy, raw);
	if (got)
		trim_result(b);
	return got;
}

char *names_filename(const struct names_param *disp, size_t ndisp,
                     const struct names_param *ctype, size_t nctype,
                     size_t max_out, bool *lossy_r,
                     char **raw_r, size_t *raw_len_r)
{
	static const struct {
		bool disp;
		bool ext;  /* RFC 2231 */
		const char *base;
	} order[] = {
		{ true, true, "filename" },
		{ true, false, "filename" },
		{ false, true, "name" },
		{ false, false, "name" },
	};
	struct sbuf b = { 0 };
	struct bbuf raw = { 0 };
	char *ret = NULL, *raw_copy = NULL;
	bool lossy = false, found = false;

	if (raw_r)
		*raw_r = NULL;
	if (raw_len_r)
		*raw_len_r = 0;
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]) && !found; o++) {
		lossy = false;
		raw.len = 0;
		if (!decode_source(order[o].disp ? disp : ctype,
		                   order[o].disp ? ndisp : nctype, order[o].ext,
		                   order[o].base, &b, &lossy, &raw))
			continue;
		if (b.nomem || raw.nomem)
			goto out;
		/* an empty name tells nothing: try the next source */
		found = b.len > 0;
		if (!found)
			sbuf_free(&b);
	}
	if (!found)
		goto out;
	if (max_out && b.len > max_out) {
		struct sbuf f;

		/* decoded uncapped, then fitted: the cut must keep the extension */
		fit_name(&f, b.p, b.len, max_out);
		sbuf_free(&b);
		b = f;
		lossy = true;
	}
	if (raw_r) {
		raw_copy = malloc(raw.len + 1);
		if (raw_copy == NULL)
			goto out;
		if (raw.len)
			memcpy(raw_copy, raw.p, raw.len);
		raw_copy[raw.len] = '\0';
	}
	ret = sbuf_take(&b);
	if (ret == NULL)
		goto out;
	if (raw_r) {
		*raw_r = raw_copy;
		raw_copy = NULL;
		if (raw_len_r)
			*raw_len_r = raw.len;
	}
	if (lossy && lossy_r)
		*lossy_r = true;
out:
	sbuf_free(&b);
	free(raw.p);
	free(raw_copy);
	return ret;
}

char *names_archive_path(const char *raw, size_t n, size_t max_out,
                         bool *lossy_r)
{
	struct sbuf b;
	bool lossy = false;
	char *ret;

	sbuf_init(&b, 0);
	if (raw != NULL)
		add_guess(&b, (const unsigned char *)raw, n, &lossy);
	if (max_out && b.len > max_out && !b.nomem) {
		struct sbuf f;

		fit_name(&f, b.p, b.len, max_out);
		sbuf_free(&b);
		b = f;
		lossy = true;
	}
	ret = sbuf_take(&b);
	if (ret != NULL && lossy && lossy_r)
		*lossy_r = true;
	return ret;
}

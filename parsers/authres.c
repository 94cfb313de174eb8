#include "authres.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AR_MAX_TOKENS 64

/* One header with comments removed and quoted strings unquoted, split
 * into resinfo segments at ';'.  Each token is "name=value" or a bare
 * word.  Works in a private copy. */
struct ar {
	char buf[2048];
	char *seg[AR_MAX_TOKENS];        /* start of each ';' segment */
	size_t nseg;
};

static void ar_parse(struct ar *a, const char *line, size_t len)
{
	size_t o = 0;
	int depth = 0;
	bool quoted = false;

	a->nseg = 0;
	for (size_t i = 0; i < len && o + 1 < sizeof(a->buf); i++) {
		char ch = line[i];

		if (quoted) {
			if (ch == '\\' && i + 1 < len)
				a->buf[o++] = line[++i];
			else if (ch == '"')
				quoted = false;
			else
				a->buf[o++] = ch;
			continue;
		}
		if (depth > 0) {
			if (ch == '\\' && i + 1 < len)
				i++;
			else if (ch == '(')
				depth++;
			else if (ch == ')')
				depth--;
			continue;
		}
		if (ch == '(') {
			depth = 1;
			a->buf[o++] = ' ';
		} else if (ch == '"') {
			quoted = true;
		} else if (ch == ';') {
			a->buf[o++] = '\0';
		} else {
			a->buf[o++] = (char)(isspace((unsigned char)ch) ? ' ' : ch);
		}
	}
	a->buf[o] = '\0';
	for (size_t i = 0, start = 0; i <= o && a->nseg < AR_MAX_TOKENS; i++) {
		if (a->buf[i] == '\0') {
			a->seg[a->nseg++] = a->buf + start;
			start = i + 1;
		}
	}
}

/* The value of "key=" in a segment (case-insensitive key), into out. */
static bool seg_get(const char *seg, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	const char *p = seg;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *tok = p;
		while (*p && *p != ' ')
			p++;
		size_t tl = (size_t)(p - tok);
		/* "key = value" with spaces is legal CFWS: join it. */
		if (tl == kl && strncasecmp(tok, key, kl) == 0) {
			const char *q = p;
			while (*q == ' ')
				q++;
			if (*q == '=') {
				q++;
				while (*q == ' ')
					q++;
				p = q;
				while (*p && *p != ' ')
					p++;
				snprintf(out, outlen, "%.*s", (int)(p - q), q);
				return true;
			}
		}
		if (tl > kl && strncasecmp(tok, key, kl) == 0 && tok[kl] == '=') {
			snprintf(out, outlen, "%.*s", (int)(tl - kl - 1), tok + kl + 1);
			return true;
		}
	}
	return false;
}

/* The method and result of a segment: its first "method[/v]=result". */
static bool seg_method(const char *seg, char *method, size_t ml, char *result, size_t rl)
{
	const char *p = seg, *eq, *end;

	while (*p == ' ')
		p++;
	end = p;
	while (*end && *end != ' ')
		end++;
	eq = memchr(p, '=', (size_t)(end - p));
	if (!eq) {
		/* "dkim = pass" */
		const char *q = end;
		while (*q == ' ')
			q++;
		if (*q != '=')
			return false;
		snprintf(method, ml, "%.*s", (int)(end - p), p);
		q++;
		while (*q == ' ')
			q++;
		end = q;
		while (*end && *end != ' ')
			end++;
		snprintf(result, rl, "%.*s", (int)(end - q), q);
	} else {
		snprintf(method, ml, "%.*s", (int)(eq - p), p);
		snprintf(result, rl, "%.*s", (int)(end - eq - 1), eq + 1);
	}
	{
		char *slash = strchr(method, '/');
		if (slash)
			*slash = '\0';
	}
	return method[0] != '\0';
}

/* Relaxed alignment without a public-suffix list: equal, or one a
 * subdomain of the other (mail.qq.com and qq.com). */
static bool aligned(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b || !*a || !*b)
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la == lb)
		return strcasecmp(a, b) == 0;
	if (la > lb)
		return a[la - lb - 1] == '.' && strcasecmp(a + la - lb, b) == 0;
	return b[lb - la - 1] == '.' && strcasecmp(b + lb - la, a) == 0;
}

/* The domain part of an address or a bare domain. */
static const char *domain_of(const char *v)
{
	const char *at = strrchr(v, '@');

	return at ? at + 1 : v;
}

enum authres_verdict authres_judge(const char *headers, const char *authserv_id,
                                   const char *from_domain, char *evidence, size_t evlen)
{
	const char *line = headers;

	snprintf(evidence, evlen, "no Authentication-Results from %s", authserv_id ? authserv_id : "?");
	if (!headers || !authserv_id || !*authserv_id)
		return AUTHRES_NONE;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		struct ar *a = malloc(sizeof(*a));
		char id[256] = "", seen[512] = "";
		bool pass = false;

		if (!a)
			return AUTHRES_NONE;
		ar_parse(a, line, len);
		if (a->nseg > 0)
			sscanf(a->seg[0], " %255s", id);
		if (strcasecmp(id, authserv_id) != 0) {
			free(a);
			line = nl ? nl + 1 : NULL;
			continue;
		}
		/* The topmost header of our server decides. */
		for (size_t i = 1; i < a->nseg && !pass; i++) {
			char method[32], result[32], v[256];

			if (!seg_method(a->seg[i], method, sizeof(method), result, sizeof(result)))
				continue;
			if (strlen(seen) + strlen(method) + strlen(result) + 3 < sizeof(seen))
				snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s=%s",
				         seen[0] ? " " : "", method, result);
			if (strcasecmp(result, "pass") != 0)
				continue;
			if (strcasecmp(method, "dmarc") == 0) {
				/* header.from names the domain DMARC judged. */
				if (!seg_get(a->seg[i], "header.from", v, sizeof(v)) ||
				    (from_domain && strcasecmp(domain_of(v), from_domain) == 0)) {
					snprintf(evidence, evlen, "%s: dmarc=pass header.from=%s", id,
					         from_domain ? from_domain : "?");
					pass = from_domain != NULL;
				}
			} else if (strcasecmp(method, "dkim") == 0) {
				if ((seg_get(a->seg[i], "header.d", v, sizeof(v)) ||
				     seg_get(a->seg[i], "header.i", v, sizeof(v))) &&
				    aligned(domain_of(v), from_domain)) {
					snprintf(evidence, evlen, "%s: dkim=pass header.d=%s aligned with %s", id,
					         domain_of(v), from_domain);
					pass = true;
				}
			} else if (strcasecmp(method, "spf") == 0) {
				if (seg_get(a->seg[i], "smtp.mailfrom", v, sizeof(v)) &&
				    aligned(domain_of(v), from_domain)) {
					snprintf(evidence, evlen, "%s: spf=pass smtp.mailfrom=%s aligned with %s", id,
					         domain_of(v), from_domain);
					pass = true;
				}
			}
		}
		if (!pass)
			snprintf(evidence, evlen, "%s: %s, nothing aligned with %s passed", id,
			         seen[0] ? seen : "no results", from_domain ? from_domain : "(no From)");
		free(a);
		return pass ? AUTHRES_PASS : AUTHRES_FAIL;
	}
	return AUTHRES_NONE;
}

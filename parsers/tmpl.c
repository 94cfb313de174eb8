#include "tmpl.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ntype { N_TEXT, N_VAR, N_SECT, N_INV };

struct node {
	enum ntype type;
	char *s;               /* owned: text, or the name */
	size_t len;            /* of text */
	struct node *kids;     /* owned: sections */
	size_t nkids;
};

struct tmpl {
	struct node *nodes;
	size_t n;
};

struct pstate {
	const char *text;
	size_t len, pos;
	const char *filename;
	unsigned first_line;
	char *err;
	size_t errlen;
	const struct tmpl_field *scope[TMPL_MAX_DEPTH + 1];
	unsigned depth;
};

static unsigned line_at(const struct pstate *p, size_t pos)
{
	unsigned line = p->first_line;

	for (size_t i = 0; i < pos && i < p->len; i++)
		if (p->text[i] == '\n')
			line++;
	return line;
}

static int perr(struct pstate *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct pstate *p, size_t pos, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->filename, line_at(p, pos), reason);
	return -1;
}

static void free_nodes(struct node *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].s);
		free_nodes(v[i].kids, v[i].nkids);
	}
	free(v);
}

void tmpl_free(struct tmpl **tp)
{
	struct tmpl *t = *tp;

	if (!t)
		return;
	free_nodes(t->nodes, t->n);
	free(t);
	*tp = NULL;
}

static int push(struct pstate *p, struct node **v, size_t *n, enum ntype type,
                const char *s, size_t len)
{
	struct node *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return perr(p, p->pos, "out of memory");
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	nv[*n].type = type;
	nv[*n].len = len;
	nv[*n].s = malloc(len + 1);
	if (!nv[*n].s)
		return perr(p, p->pos, "out of memory");
	memcpy(nv[*n].s, s, len);
	nv[*n].s[len] = '\0';
	(*n)++;
	return 0;
}

static const struct tmpl_field *lookup(const struct pstate *p, const char *name)
{
	for (unsigned d = p->depth + 1; d-- > 0;)
		for (const struct tmpl_field *f = p->scope[d]; f && f->name; f++)
			if (strcmp(f->name, name) == 0)
				return f;
	return NULL;
}

/* "a, b, c": the names visible here, for the error message. */
static void known_names(const struct pstate *p, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned d = p->depth + 1; d-- > 0;)
		for (const struct tmpl_field *f = p->scope[d]; f && f->name; f++) {
			int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", f->name);
			if (w < 0 || (size_t)w >= size - used)
				return;
			used += (size_t)w;
		}
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/*
 * Parse nodes up to the {{/close}} that matches (close NULL: to the end).
 * On return p->pos is after the closing tag.
 */
static int parse_block(struct pstate *p, const char *close, size_t open_pos,
                       struct node **v_r, size_t *n_r)
{
	struct node *v = NULL;
	size_t n = 0, seg = p->pos;

	*v_r = NULL;
	*n_r = 0;
	for (;;) {
		const char *open = NULL, *end;
		size_t tag, inner, after, ls, name_len;
		char sigil = 0, name[64];
		const char *ns;
		bool standalone;

		for (size_t i = p->pos; i + 1 < p->len; i++)
			if (p->text[i] == '{' && p->text[i + 1] == '{') {
				open = p->text + i;
				break;
			}
		if (!open) {
			if (close) {
				perr(p, open_pos, "{{#%s}} is never closed with {{/%s}}", close, close);
				goto fail;
			}
			if (p->len > seg && push(p, &v, &n, N_TEXT, p->text + seg, p->len - seg) != 0)
				goto fail;
			p->pos = p->len;
			break;
		}
		tag = (size_t)(open - p->text);
		end = NULL;
		for (size_t i = tag + 2; i + 1 < p->len; i++) {
			if (p->text[i] == '\n')
				break;
			if (p->text[i] == '}' && p->text[i + 1] == '}') {
				end = p->text + i;
				break;
			}
		}
		if (!end) {
			perr(p, tag, "'{{' without '}}' on the same line");
			goto fail;
		}
		after = (size_t)(end - p->text) + 2;
		inner = tag + 2;
		while (inner < (size_t)(end - p->text) && blank(p->text[inner]))
			inner++;
		if (p->text[inner] == '#' || p->text[inner] == '^' || p->text[inner] == '/' ||
		    p->text[inner] == '!')
			sigil = p->text[inner++];
		while (inner < (size_t)(end - p->text) && blank(p->text[inner]))
			inner++;
		ns = p->text + inner;
		name_len = (size_t)(end - ns);
		while (name_len && blank(ns[name_len - 1]))
			name_len--;
		if (sigil != '!') {
			if (name_len == 0 || name_len >= sizeof(name)) {
				perr(p, tag, "empty or overlong placeholder '%.*s'", (int)(after - tag), open);
				goto fail;
			}
			for (size_t i = 0; i < name_len; i++)
				if (!((ns[i] >= 'a' && ns[i] <= 'z') || (ns[i] >= '0' && ns[i] <= '9') ||
				      ns[i] == '_')) {
					perr(p, tag, "bad placeholder '%.*s' (names are lower-case letters, digits and '_')",
					     (int)(after - tag), open);
					goto fail;
				}
			memcpy(name, ns, name_len);
			name[name_len] = '\0';
		}

		/* Standalone: only blanks around the tag on its line. */
		ls = tag;
		while (ls > 0 && p->text[ls - 1] != '\n')
			ls--;
		standalone = sigil != 0 && ls >= seg;
		for (size_t i = ls; standalone && i < tag; i++)
			standalone = blank(p->text[i]);
		if (standalone) {
			size_t i = after;
			while (i < p->len && blank(p->text[i]))
				i++;
			standalone = i >= p->len || p->text[i] == '\n';
			if (standalone)
				after = i < p->len ? i + 1 : i;
		}
		if (!standalone)
			ls = tag;
		if (ls > seg && push(p, &v, &n, N_TEXT, p->text + seg, ls - seg) != 0)
			goto fail;
		p->pos = after;
		seg = after;

		if (sigil == '!')
			continue;
		if (sigil == '/') {
			if (!close || strcmp(close, name) != 0) {
				if (close)
					perr(p, tag, "{{/%s}} closes nothing here; {{#%s}} (line %u) is still open",
					     name, close, line_at(p, open_pos));
				else
					perr(p, tag, "{{/%s}} closes nothing", name);
				goto fail;
			}
			break;
		}
		{
			const struct tmpl_field *f = lookup(p, name);
			char known[512];

			if (!f) {
				known_names(p, known, sizeof(known));
				perr(p, tag, "unknown placeholder {{%s}} (known here: %s)", name, known);
				goto fail;
			}
			if (sigil == 0) {
				if (f->type != TMPL_TEXT) {
					perr(p, tag, "{{%s}} is a %s; use {{#%s}}...{{/%s}}", name,
					     f->type == TMPL_LIST ? "list" : "yes/no flag", name, name);
					goto fail;
				}
				if (push(p, &v, &n, N_VAR, name, name_len) != 0)
					goto fail;
				continue;
			}
			if (p->depth >= TMPL_MAX_DEPTH) {
				perr(p, tag, "sections nested deeper than %u", TMPL_MAX_DEPTH);
				goto fail;
			}
			if (push(p, &v, &n, sigil == '#' ? N_SECT : N_INV, name, name_len) != 0)
				goto fail;
			/* Inside {{#list}} the row's names are visible. */
			p->scope[++p->depth] = sigil == '#' && f->type == TMPL_LIST ? f->row : NULL;
			{
				struct node *kids;
				size_t nkids;
				int r = parse_block(p, name, tag, &kids, &nkids);
				p->depth--;
				if (r != 0)
					goto fail;
				v[n - 1].kids = kids;
				v[n - 1].nkids = nkids;
			}
			seg = p->pos;
		}
	}
	*v_r = v;
	*n_r = n;
	return 0;
fail:
	free_nodes(v, n);
	return -1;
}

int tmpl_parse(const char *text, size_t len, const char *filename, unsigned first_line,
               const struct tmpl_field *schema, struct tmpl **t_r, char *err, size_t errlen)
{
	struct pstate p;
	struct tmpl *t;

	*t_r = NULL;
	memset(&p, 0, sizeof(p));
	p.text = text;
	p.len = len;
	p.filename = filename;
	p.first_line = first_line;
	p.err = err;
	p.errlen = errlen;
	p.scope[0] = schema;
	if (len > TMPL_MAX_BYTES)
		return perr(&p, 0, "template larger than %u bytes", TMPL_MAX_BYTES);
	if (memchr(text, '\0', len))
		return perr(&p, (size_t)((const char *)memchr(text, '\0', len) - text), "NUL byte in template");
	t = calloc(1, sizeof(*t));
	if (!t)
		return perr(&p, 0, "out of memory");
	if (parse_block(&p, NULL, 0, &t->nodes, &t->n) != 0) {
		free(t);
		return -1;
	}
	*t_r = t;
	return 0;
}

/* ---- data ---- */

struct entry {
	char *name;
	enum tmpl_type type;
	char *text;
	bool flag;
	struct tmpl_rec **rows;
	size_t nrows;
};

struct tmpl_rec {
	struct entry *v;
	size_t n;
	bool *oom;             /* the root's flag */
	bool oom_root;
};

struct tmpl_rec *tmpl_rec_new(void)
{
	struct tmpl_rec *r = calloc(1, sizeof(*r));

	if (r)
		r->oom = &r->oom_root;
	return r;
}

void tmpl_rec_free(struct tmpl_rec **rp)
{
	struct tmpl_rec *r = *rp;

	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].text);
		for (size_t j = 0; j < r->v[i].nrows; j++)
			tmpl_rec_free(&r->v[i].rows[j]);
		free(r->v[i].rows);
	}
	free(r->v);
	free(r);
	*rp = NULL;
}

static struct entry *entry(struct tmpl_rec *r, const char *name, enum tmpl_type type)
{
	struct entry *nv;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0) {
			if (r->v[i].type != type) {
				*r->oom = true;   /* a program bug; fail the render */
				return NULL;
			}
			return &r->v[i];
		}
	nv = realloc(r->v, (r->n + 1) * sizeof(*nv));
	if (!nv) {
		*r->oom = true;
		return NULL;
	}
	r->v = nv;
	memset(&nv[r->n], 0, sizeof(nv[r->n]));
	nv[r->n].name = strdup(name);
	nv[r->n].type = type;
	if (!nv[r->n].name) {
		*r->oom = true;
		return NULL;
	}
	return &r->v[r->n++];
}

void tmpl_set(struct tmpl_rec *r, const char *name, const char *value)
{
	struct entry *e;
	char *s;

	if (!r || !(e = entry(r, name, TMPL_TEXT)))
		return;
	s = strdup(value ? value : "");
	if (!s) {
		*r->oom = true;
		return;
	}
	free(e->text);
	e->text = s;
}

void tmpl_setf(struct tmpl_rec *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	if (!r)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*r->oom = true;
		return;
	}
	tmpl_set(r, name, s);
	free(s);
}

void tmpl_set_flag(struct tmpl_rec *r, const char *name, bool on)
{
	struct entry *e;

	if (r && (e = entry(r, name, TMPL_FLAG)))
		e->flag = on;
}

struct tmpl_rec *tmpl_add_row(struct tmpl_rec *r, const char *name)
{
	struct entry *e;
	struct tmpl_rec **nv, *row;

	if (!r || !(e = entry(r, name, TMPL_LIST)))
		return NULL;
	row = calloc(1, sizeof(*row));
	nv = row ? realloc(e->rows, (e->nrows + 1) * sizeof(*nv)) : NULL;
	if (!nv) {
		free(row);
		*r->oom = true;
		return NULL;
	}
	row->oom = r->oom;
	e->rows = nv;
	e->rows[e->nrows++] = row;
	return row;
}

/* ---- rendering ---- */

struct out {
	char *buf;
	size_t len, cap;
	bool full;
};

static int out_add(struct out *o, const char *s, size_t n)
{
	if (n > TMPL_MAX_OUTPUT - o->len) {   /* UNSAFE-checked: len <= MAX */
		o->full = true;
		return -1;
	}
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *nb;
		while (cap < o->len + n + 1)
			cap *= 2;
		nb = realloc(o->buf, cap);
		if (!nb)
			return -1;
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	return 0;
}

static const struct entry *find(const struct tmpl_rec *const *stack, unsigned depth, const char *name)
{
	for (unsigned d = depth + 1; d-- > 0;)
		for (size_t i = 0; stack[d] && i < stack[d]->n; i++)
			if (strcmp(stack[d]->v[i].name, name) == 0)
				return &stack[d]->v[i];
	return NULL;
}

static bool truthy(const struct entry *e)
{
	if (!e)
		return false;
	switch (e->type) {
	case TMPL_TEXT: return e->text && e->text[0];
	case TMPL_FLAG: return e->flag;
	case TMPL_LIST: return e->nrows > 0;
	}
	return false;
}

static int render_nodes(const struct node *v, size_t n, const struct tmpl_rec **stack,
                        unsigned depth, struct out *o)
{
	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &v[i];
		const struct entry *e;

		switch (nd->type) {
		case N_TEXT:
			if (out_add(o, nd->s, nd->len) != 0)
				return -1;
			break;
		case N_VAR:
			e = find(stack, depth, nd->s);
			if (e && e->type == TMPL_TEXT && e->text && out_add(o, e->text, strlen(e->text)) != 0)
				return -1;
			break;
		case N_INV:
			if (!truthy(find(stack, depth, nd->s)) &&
			    render_nodes(nd->kids, nd->nkids, stack, depth, o) != 0)
				return -1;
			break;
		case N_SECT:
			e = find(stack, depth, nd->s);
			if (!truthy(e))
				break;
			if (e->type != TMPL_LIST) {
				if (render_nodes(nd->kids, nd->nkids, stack, depth, o) != 0)
					return -1;
				break;
			}
			if (depth + 1 > TMPL_MAX_DEPTH)
				return -1;
			for (size_t j = 0; j < e->nrows; j++) {
				stack[depth + 1] = e->rows[j];
				if (render_nodes(nd->kids, nd->nkids, stack, depth + 1, o) != 0)
					return -1;
			}
			break;
		}
	}
	return 0;
}

int tmpl_render(const struct tmpl *t, const struct tmpl_rec *data, char **out_r, size_t *len_r,
                char *err, size_t errlen)
{
	const struct tmpl_rec *stack[TMPL_MAX_DEPTH + 2];
	struct out o = { NULL, 0, 0, false };

	*out_r = NULL;
	if (len_r)
		*len_r = 0;
	if (data && *data->oom) {
		snprintf(err, errlen, "template data: out of memory");
		return -1;
	}
	memset(stack, 0, sizeof(stack));
	stack[0] = data;
	if (out_add(&o, "", 0) != 0 || render_nodes(t->nodes, t->n, stack, 0, &o) != 0) {
		if (o.full)
			snprintf(err, errlen, "rendered text larger than %u bytes", TMPL_MAX_OUTPUT);
		else
			snprintf(err, errlen, "out of memory");
		free(o.buf);
		return -1;
	}
	*out_r = o.buf;
	if (len_r)
		*len_r = o.len;
	return 0;
}

/*
 * tmpl.h - reply templates: plain text that staff edit, with placeholders
 * the program fills in, and no code.
 *
 *   {{name}}              the text value of name
 *   {{#name}}...{{/name}} a list: the block once per row, where the row's
 *                         names are visible; a flag or text: the block once
 *                         when it is set / not empty
 *   {{^name}}...{{/name}} the block once when name is empty, unset or false
 *   {{! comment }}        nothing
 *
 * A line holding only a section tag or a comment (and blanks) disappears
 * whole, so blocks can sit on lines of their own.  Names are looked up in
 * the innermost row first, then outwards.  Every name is checked against a
 * schema when the template is parsed: an unknown name, a list used as text,
 * an unclosed or stray section is an error naming FILE:LINE.  Nothing in a
 * template can loop other than over the rows the program hands in, so
 * rendering is bounded by the data.
 *
 * All memory belongs to the caller through the _free() functions; rows
 * added with tmpl_add_row() belong to their parent.
 */
#ifndef INTAKE_TMPL_H
#define INTAKE_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#define TMPL_MAX_BYTES   (256U << 10)  /* template text */
#define TMPL_MAX_DEPTH   16U           /* nested sections */
#define TMPL_MAX_OUTPUT  (8U << 20)    /* rendered text */

enum tmpl_type { TMPL_TEXT, TMPL_FLAG, TMPL_LIST };

/* A schema is an array ending with name NULL; a list names the schema of
 * its rows. */
struct tmpl_field {
	const char *name;
	enum tmpl_type type;
	const struct tmpl_field *row;
};

struct tmpl;

/* Parse text (len bytes, need not be NUL-terminated) whose first line is
 * line first_line of filename (for messages).  -1 with "FILE:LINE: reason"
 * in err. */
int tmpl_parse(const char *text, size_t len, const char *filename, unsigned first_line,
               const struct tmpl_field *schema, struct tmpl **t_r, char *err, size_t errlen);
void tmpl_free(struct tmpl **t);

/* ---- data ---- */

struct tmpl_rec;

struct tmpl_rec *tmpl_rec_new(void);
void tmpl_rec_free(struct tmpl_rec **r);
/* Set a value (copied).  r may be NULL (then nothing happens); a failed
 * allocation is remembered and makes tmpl_render() fail, so callers need
 * not check each call. */
void tmpl_set(struct tmpl_rec *r, const char *name, const char *value);
void tmpl_setf(struct tmpl_rec *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tmpl_set_flag(struct tmpl_rec *r, const char *name, bool on);
/* Append a row to list name (created on first use); the row belongs to r.
 * NULL when out of memory (remembered as above). */
struct tmpl_rec *tmpl_add_row(struct tmpl_rec *r, const char *name);

/* Render into a malloc'd NUL-terminated string. */
int tmpl_render(const struct tmpl *t, const struct tmpl_rec *data, char **out_r, size_t *len_r,
                char *err, size_t errlen);

#endif

#include "inifile.h"

#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct reader {
	const char *p, *end;
	unsigned line;         /* number of the line last handed to inih */
};

struct pass {
	inifile_fn fn;
	void *ctx;
	struct reader *rd;
	char *err;
	size_t errlen;
	bool refused;
	unsigned refused_line;
};

/* inih calls this like fgets(). */
static char *read_line(char *buf, int size, void *stream)
{
	struct reader *rd = stream;
	size_t n = 0;

	if (rd->p >= rd->end || size < 2)
		return NULL;
	while (rd->p < rd->end && n + 1 < (size_t)size) {
		char ch = *rd->p++;
		buf[n++] = ch;
		if (ch == '\n')
			break;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		rd->line++;
	else if (rd->p >= rd->end)
		rd->line++;
	/* A line longer than the buffer is cut by inih's own limit; we count it
	 * once, when its newline finally arrives. */
	return buf;
}

static int handler(void *user, const char *section, const char *key,
                   const char *value)
{
	struct pass *ps = user;

	if (ps->refused)
		return 0;
	ps->err[0] = '\0';
	if (ps->fn(ps->ctx, section, key, value, ps->rd->line) != 0) {
		ps->refused = true;
		ps->refused_line = ps->rd->line;
		return 0;
	}
	return 1;
}

int inifile_parse(const char *text, size_t len, const char *filename,
                  inifile_fn fn, void *ctx, char *err, size_t errlen)
{
	struct reader rd = { text, text + len, 0 };
	struct pass ps = { fn, ctx, &rd, err, errlen, false, 0 };
	char reason[512];
	int r;

	/* Debian's libinih exposes its build options as globals: use a heap
	 * line buffer that grows, so long pattern lists are not cut at 200. */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = 16384;
	ini_stop_on_first_error = true;
	ini_allow_multiline = true;

	if (errlen > 0)
		err[0] = '\0';
	r = ini_parse_stream(read_line, &rd, handler, &ps);
	if (ps.refused) {
		snprintf(reason, sizeof(reason), "%s", err);
		snprintf(err, errlen, "%s:%u: %s", filename, ps.refused_line, reason);
		return -1;
	}
	if (r > 0) {
		snprintf(err, errlen, "%s:%d: syntax error (expected [section], key = value, or an indented continuation)",
		         filename, r);
		return -1;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot parse (out of memory)", filename);
		return -1;
	}
	return 0;
}

#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog_name = "intake";
static bool prefix;

void log_init(const char *prog)
{
	prog_name = prog;
	prefix = getenv("JOURNAL_STREAM") != NULL || !isatty(STDERR_FILENO);
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* One event, one line: a reason quoted from a server stays inside it. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (prefix)
		fprintf(stderr, "<%d>%s: %s\n", prio & 7, prog_name, line);
	else
		fprintf(stderr, "%s: %s\n", prog_name, line);
}

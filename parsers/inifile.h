/*
 * inifile.h - INI text to (section, key, value, line) callbacks, via inih.
 *
 * inih itself reports no line number to its handler; we feed it line by line
 * and count, so every complaint about a config or campaign file can name
 * FILE:LINE.  Lines may be long (Chinese pattern lists); an indented line
 * continues the previous key's value and arrives as another call with the
 * same key.
 */
#ifndef INTAKE_INIFILE_H
#define INTAKE_INIFILE_H

#include <stddef.h>

/* Return 0 to go on, -1 to stop (the callback has written err). */
typedef int (*inifile_fn)(void *ctx, const char *section, const char *key,
                          const char *value, unsigned line);

/*
 * Parse text.  Returns 0, or -1 with "FILE:LINE: reason" in err (FILE is
 * filename) for a syntax error or a callback's refusal.  A callback that
 * refuses writes its reason (without the FILE:LINE prefix) into err.
 */
int inifile_parse(const char *text, size_t len, const char *filename,
                  inifile_fn fn, void *ctx, char *err, size_t errlen);

#endif

/*
 * uscc.h - the unified social credit code (统一社会信用代码, GB 32100-2015):
 * 18 characters, registration authority + type + 6-digit division code +
 * 9-character organisation code (itself with a GB 11714 check) + the
 * check character over the first 17 (weights 3^i mod 31 over the 31-char
 * alphabet 0-9 A-H J-N P-R T U W-Y).
 */
#ifndef INTAKE_USCC_H
#define INTAKE_USCC_H

#include <stdbool.h>
#include <stddef.h>

#define USCC_LEN 18

/* s has exactly 18 characters (upper case after normalisation). */
bool uscc_valid(const char *s);

/* The check character for the first 17 characters, or 0 if one is not in
 * the alphabet. */
char uscc_check_char(const char *first17);

/*
 * Find valid codes in UTF-8 text: tolerant of full-width letters/digits,
 * lower case, spaces or OCR confusions inside the code (O/0, I/1 fixed
 * only when that makes the check character agree).  Prefers codes near a
 * "统一社会信用代码" label.  Writes up to max distinct codes (each 19
 * bytes with the NUL) in order of confidence; returns how many.
 */
size_t uscc_find(const char *text, size_t len, char (*out)[USCC_LEN + 1], size_t max);

#endif

/*
 * utf8.h - the few UTF-8 and CJK facts the text parsers share
 * (classify.c reading names and document titles, eligibility.c reading
 * form cells), and the allocating printf both build their evidence
 * strings with.  Pure.
 */
#ifndef INTAKE_UTF8_H
#define INTAKE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode the character at s (n > 0 bytes left) into *cp; returns its
 * length.  A malformed, overlong, surrogate or cut sequence gives U+FFFD
 * and a length of 1, so a caller always advances. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* A CJK ideograph (unified, extensions A to G, compatibility) or 〇. */
bool utf8_is_cjk(uint32_t cp);

/* Full-width ASCII (U+FF01..FF5E) and the ideographic space as ASCII;
 * anything else unchanged. */
uint32_t utf8_halfwidth(uint32_t cp);

/* asprintf() returning the string, or NULL when out of memory. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

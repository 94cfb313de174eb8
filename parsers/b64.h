/*
 * b64.h - streaming base64 body decoder for MIME parts.
 *
 * Decodes exactly as libetpan 1.9.4's mailmime_base64_body_parse() does,
 * so the bytes a county's attachment decodes to do not depend on which
 * code decoded them: every byte outside the alphabet (line breaks, '=',
 * garbage) is skipped, each four alphabet characters give three bytes,
 * and a final group of one, two or three characters gives one, one or
 * two bytes.  It also judges, in the same pass, whether the body was
 * damaged (a byte that is neither alphabet, padding nor white space;
 * data after padding; a dangling single character) - what mime.c reports
 * as a decoding problem.
 *
 * One pass, no allocation: the caller supplies the output buffer, at
 * least b64_out_max(n) bytes for n input bytes.
 */
#ifndef INTAKE_B64_H
#define INTAKE_B64_H

#include <stdbool.h>
#include <stddef.h>

struct b64_dec {
	unsigned char q[4];    /* alphabet values of a group not yet complete */
	unsigned nq;
	size_t valid;          /* alphabet characters before the first '=' */
	bool pad_seen;
	bool bad;              /* damaged: see above */
};

static inline size_t b64_out_max(size_t n) { return n / 4 * 3 + 3; }

void b64_init(struct b64_dec *d);
/* Decode n bytes; returns the bytes written to out. */
size_t b64_decode(struct b64_dec *d, const char *src, size_t n, unsigned char *out);
/* End of the body: the final partial group (0..2 bytes). */
size_t b64_final(struct b64_dec *d, unsigned char *out);
/* After b64_final(): was the body damaged? */
bool b64_damaged(const struct b64_dec *d);

#endif

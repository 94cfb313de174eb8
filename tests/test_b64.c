/*
 * test_b64.c - parsers/b64.c against the decoder it replaces: libetpan's
 * mailmime_part_parse() must give the same bytes for every input, and the
 * damage verdict must be the rule mime.c applied before (reference_damaged
 * below is that rule, kept here as the oracle).  Inputs: hand-picked edge
 * cases, then pseudo-random bodies mixing alphabet, line breaks, padding
 * and garbage, each decoded whole and in every split into windows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libetpan/libetpan.h>

#include "b64.h"

static bool reference_damaged(const char *s, size_t n)
{
	size_t valid = 0, i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool data = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		            (c >= '0' && c <= '9') || c == '+' || c == '/';

		if (data)
			valid++;
		else if (c == '=')
			break;
		else if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return true;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';

		if (!ws && c != '=')
			return true;
	}
	return valid % 4 == 1;
}

/* Decode with b64.c in windows of step bytes (0 = whole). */
static unsigned char *ours(const char *s, size_t n, size_t step, size_t *len_r, bool *bad_r)
{
	unsigned char *out = malloc(b64_out_max(n) + 3);
	struct b64_dec d;
	size_t o = 0;

	assert_non_null(out);
	b64_init(&d);
	if (step == 0)
		step = n ? n : 1;
	for (size_t off = 0; off < n; off += step)
		o += b64_decode(&d, s + off, n - off < step ? n - off : step, out + o);
	o += b64_final(&d, out + o);
	*len_r = o;
	*bad_r = b64_damaged(&d);
	return out;
}

static void check_one(const char *s, size_t n)
{
	char *ref = NULL;
	size_t idx = 0, rlen = 0;
	int r = mailmime_part_parse(s, n, &idx, MAILMIME_MECHANISM_BASE64, &ref, &rlen);
	static const size_t steps[] = { 0, 1, 2, 3, 5, 7, 64, 77 };

	assert_int_equal(r, MAILIMF_NO_ERROR);
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		size_t len;
		bool bad;
		unsigned char *o = ours(s, n, steps[k], &len, &bad);

		if (len != rlen || memcmp(o, ref, rlen) != 0) {
			fprintf(stderr, "mismatch (step %zu): input \"%.*s\": %zu vs libetpan %zu bytes\n",
			        steps[k], (int)n, s, len, rlen);
			fail();
		}
		if (bad != reference_damaged(s, n)) {
			fprintf(stderr, "damage verdict differs (step %zu): \"%.*s\"\n",
			        steps[k], (int)n, s);
			fail();
		}
		free(o);
	}
	mmap_string_unref(ref);
}

static void test_edge_cases(void **state)
{
	static const char *const cases[] = {
		"", "A", "AA", "AAA", "AAAA", "QQ==", "QUI=", "QUJD", "QUJDRA==",
		"QUJD\r\nRA==\r\n", "QU\r\nJD", "=", "====", "QQ==QQ==", "QQ=\r\n=",
		"QUJD!RA==", "QUJD RA==", "\r\n\r\n", "QUJDRA=", "QUJDR", "QUJDRA==x",
		"  QUJD\tRA==  ", "QUJD\x80RA", "QUJD\vRA==", "QUJD\fRA==", "-_-_",
		"////", "++++", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\nAAAA",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_one(cases[i], strlen(cases[i]));
	check_one("QUJD\0RA==", 9);     /* NUL is garbage, not an end */
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static unsigned next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 32);
}

static void test_random_bodies(void **state)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char buf[600];

	(void)state;
	for (int round = 0; round < 4000; round++) {
		size_t n = next() % sizeof(buf);
		unsigned noise = next() % 4;     /* 0: clean lines ... 3: much garbage */

		for (size_t i = 0; i < n; i++) {
			unsigned k = next() % 100;

			if (i % 78 == 76)
				buf[i] = '\r';
			else if (i % 78 == 77)
				buf[i] = '\n';
			else if (noise > 0 && k < noise * 2)
				buf[i] = "= \t!\x80-.\v"[next() % 8];
			else if (noise > 1 && k < noise * 3)
				buf[i] = (char)(next() & 0xff);
			else
				buf[i] = alpha[next() % 64];
		}
		check_one(buf, n);
	}
}

/* Unbroken runs (no line breaks: the four-character fast path runs
 * their whole length) with one odd character at every position, so the
 * fast path meets padding, white space and garbage at every offset. */
static void test_vector_blocks(void **state)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char odd[] = "=\r\n \t!\x80.-\0";
	char buf[260];

	(void)state;
	for (size_t n = 44; n <= sizeof(buf); n += 27)
		for (size_t at = 0; at < n; at++)
			for (size_t k = 0; k < sizeof(odd) - 1; k++) {
				for (size_t i = 0; i < n; i++)
					buf[i] = alpha[next() % 64];
				buf[at] = odd[k];
				check_one(buf, n);
			}
	/* every alphabet character in every lane */
	for (size_t shift = 0; shift < 64; shift++) {
		for (size_t i = 0; i < 256; i++)
			buf[i] = alpha[(i + shift) % 64];
		check_one(buf, 256);
	}
}

/* A body in the shape mail clients write: 76-char lines, CRLF, padding. */
static void test_large_clean_body(void **state)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 3u << 20, len;
	char *s = malloc(n + 8);
	bool bad;
	unsigned char *o;
	size_t i = 0;

	(void)state;
	assert_non_null(s);
	while (i + 78 <= n) {
		for (int k = 0; k < 76; k++)
			s[i++] = alpha[next() % 64];
		s[i++] = '\r';
		s[i++] = '\n';
	}
	memcpy(s + i, "QQ==\r\n", 6);
	i += 6;
	check_one(s, i);
	o = ours(s, i, 1u << 20, &len, &bad);
	assert_false(bad);
	assert_int_equal(len % 3, 1);
	free(o);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_random_bodies),
		cmocka_unit_test(test_vector_blocks),
		cmocka_unit_test(test_large_clean_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

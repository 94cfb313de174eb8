/*
 * fuzz_mime.c - libFuzzer target for parsers/mime.c.
 *
 * Walks the input as a message with default limits and checks what the
 * sink sees: windows within MIME_WINDOW_MAX, begin/data/end in order,
 * names and problem texts valid UTF-8.  The input is also scanned for
 * big-attachment links, as body text.
 *
 * Differential: the input is walked a second time with the skeleton of
 * big messages forced (mime.c), and everything the sink saw must be the
 * same (a running hash of part headers, bytes and problems).
 *
 * libetpan 1.9.4 crashes on a boundary that unquotes to a lone '"'
 * (LIBRARIES.md 4).  The product survives that by walking in a forked
 * child; here such inputs are skipped so the fuzzer explores further.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "names.h"

#define FUZZ_MAX_INPUT (512U << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fstate {
	bool in_part;
	size_t size;
	size_t part_bytes;
	uint64_t fp;           /* everything seen, hashed */
};

static void fp_add(struct fstate *st, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		st->fp ^= b[i];
		st->fp *= 0x100000001b3ULL;
	}
	st->fp ^= n;
	st->fp *= 0x100000001b3ULL;
}

static void fp_str(struct fstate *st, const char *s)
{
	if (s == NULL)
		fp_add(st, "\xff", 1);
	else
		fp_add(st, s, strlen(s));
}

static void utf8_or_null(const char *s)
{
	if (s != NULL && !names_is_utf8(s, strlen(s)))
		abort();
}

static int f_begin(void *ctx, const struct mime_part *p)
{
	struct fstate *st = ctx;

	if (st->in_part || p->path == NULL || p->content_type == NULL)
		abort();
	utf8_or_null(p->filename);
	utf8_or_null(p->charset);
	utf8_or_null(p->content_id);
	if (p->filename != NULL && strlen(p->filename) > LIMIT_DEF_NAME_BYTES)
		abort();
	st->in_part = true;
	st->part_bytes = 0;
	fp_str(st, p->path);
	fp_str(st, p->content_type);
	fp_str(st, p->charset);
	fp_str(st, p->filename);
	fp_str(st, p->content_id);
	fp_add(st, &p->depth, sizeof(p->depth));
	fp_add(st, &p->disposition, sizeof(p->disposition));
	{
		unsigned char fl[5] = { p->filename_lossy, p->in_forward, p->in_related, p->is_body, 0 };

		fp_add(st, fl, sizeof(fl));
	}
	return 0;
}

static int f_data(void *ctx, const void *buf, size_t len)
{
	struct fstate *st = ctx;
	volatile unsigned char sink = 0;

	if (!st->in_part || len == 0 || len > MIME_WINDOW_MAX)
		abort();
	/* touch every byte: the window must be readable */
	for (size_t i = 0; i < len; i++)
		sink ^= ((const unsigned char *)buf)[i];
	(void)sink;
	st->part_bytes += len;
	fp_add(st, buf, len);
	if (st->part_bytes > 2 * st->size + 16)
		abort();
	return 0;
}

static int f_end(void *ctx, bool ok)
{
	struct fstate *st = ctx;

	if (!st->in_part)
		abort();
	fp_add(st, &ok, sizeof(ok));
	st->in_part = false;
	return 0;
}

static void f_problem(void *ctx, const char *kind, const char *subject,
                      const char *reason)
{
	struct fstate *st = ctx;

	if (kind == NULL || reason == NULL)
		abort();
	fp_str(st, kind);
	fp_str(st, subject);
	fp_str(st, reason);
	utf8_or_null(subject);
	utf8_or_null(reason);
}

static void f_link(void *ctx, const char *url, const char *name)
{
	(void)ctx;
	if (url == NULL)
		abort();
	utf8_or_null(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = (const char *)data;
	struct fstate st = { false, size, 0, 0 }, st2 = { false, size, 0, 0 };
	struct mime_sink sink = { &st, f_begin, f_data, f_end, f_problem, NULL };
	struct mime_sink sink2 = { &st2, f_begin, f_data, f_end, f_problem, NULL };
	struct mime_info info, info2;
	size_t smin = mime_skeleton_min, emin = mime_elide_min;
	int r1, r2;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (mime_known_crash(msg, size))
		return 0;
	mime_skeleton_min = SIZE_MAX;
	r1 = mime_walk(msg, size, NULL, &sink, &info);
	mime_skeleton_min = 0;
	mime_elide_min = 0;
	r2 = mime_walk(msg, size, NULL, &sink2, &info2);
	mime_skeleton_min = smin;
	mime_elide_min = emin;
	if (r1 != r2 || st.fp != st2.fp || info.parts != info2.parts)
		abort();
	mime_info_free(&info2);
	if (st.in_part)
		abort();
	utf8_or_null(info.subject);
	utf8_or_null(info.from_display);
	utf8_or_null(info.from_addr);
	utf8_or_null(info.date_raw);
	if (info.parts > LIMIT_DEF_MIME_PARTS)
		abort();
	mime_info_free(&info);
	mime_find_big_attachments(msg, size, f_link, NULL);
	return 0;
}

/*
 * fuzz_mime.c - libFuzzer target for parsers/mime.c.
 *
 * Walks the input as a message with default limits and checks what the
 * sink sees: windows within MIME_WINDOW_MAX, begin/data/end in order,
 * names and problem texts valid UTF-8.  The input is also scanned for
 * big-attachment links, as body text.
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
};

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
	if (st->part_bytes > 2 * st->size + 16)
		abort();
	return 0;
}

static int f_end(void *ctx, bool ok)
{
	struct fstate *st = ctx;

	(void)ok;
	if (!st->in_part)
		abort();
	st->in_part = false;
	return 0;
}

static void f_problem(void *ctx, const char *kind, const char *subject,
                      const char *reason)
{
	(void)ctx;
	if (kind == NULL || reason == NULL)
		abort();
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
	struct fstate st = { false, size, 0 };
	struct mime_sink sink = { &st, f_begin, f_data, f_end, f_problem, NULL };
	struct mime_info info;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (mime_known_crash(msg, size))
		return 0;
	mime_walk(msg, size, NULL, &sink, &info);
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

/*
 * fuzz_unpack.c - libFuzzer target for parsers/unpack.c.
 *
 * The input is an archive: it is written to a memfd (unpack reads an fd)
 * and unpacked with default limits into a sink that only counts, checking
 * on the way that every delivered path is clean.  Inputs over 512 KiB are
 * ignored, as in libarchive's own zip fuzzer.
 */
#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "unpack.h"

#define FUZZ_MAX_INPUT (512U << 10)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct count {
	uint64_t bytes;
	unsigned entries, problems;
	bool open;
};

static int c_begin(void *ctx, const struct unpack_entry *e)
{
	struct count *c = ctx;
	const char *why;
	char *again;

	/* Invariants of a delivered path: relative, clean, stable. */
	if (e->path == NULL || e->path[0] == '\0' || e->path[0] == '/' ||
	    strstr(e->path, "\\") != NULL || strcmp(e->path, "..") == 0 ||
	    strncmp(e->path, "../", 3) == 0 || strstr(e->path, "/../") != NULL)
		abort();
	again = unpack_clean_path(e->path, &why);
	if (again == NULL || strcmp(again, e->path) != 0)
		abort();
	free(again);
	if (c->open)
		abort();         /* begin without the previous end */
	c->open = true;
	c->entries++;
	return 0;
}

static int c_data(void *ctx, const void *buf, size_t len)
{
	struct count *c = ctx;
	const unsigned char *p = buf;
	volatile unsigned char touch;

	if (!c->open || len == 0)
		abort();
	/* Touch both ends so ASan sees a short or stale buffer. */
	touch = (unsigned char)(p[0] ^ p[len - 1]);
	(void)touch;
	c->bytes += len;
	return 0;
}

static int c_end(void *ctx, bool ok)
{
	struct count *c = ctx;

	(void)ok;
	if (!c->open)
		abort();
	c->open = false;
	return 0;
}

static void c_problem(void *ctx, const char *kind, const char *subject, const char *reason)
{
	struct count *c = ctx;

	if (kind == NULL || subject == NULL || reason == NULL || reason[0] == '\0')
		abort();
	c->problems++;
}

static int fuzz_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The daemon runs with this locale (LIBRARIES.md section 0). */
	setlocale(LC_CTYPE, "C.UTF-8");
	fuzz_fd = memfd_create("fuzz_unpack", 0);
	return fuzz_fd < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct count c = { 0, 0, 0, false };
	struct unpack_sink sink = { &c, c_begin, c_data, c_end, c_problem };
	struct unpack_budget budget = { 0, 0, 0 };
	int r;

	if (size > FUZZ_MAX_INPUT || fuzz_fd < 0)
		return 0;
	if (ftruncate(fuzz_fd, 0) != 0 || pwrite(fuzz_fd, data, size, 0) != (ssize_t)size ||
	    lseek(fuzz_fd, 0, SEEK_SET) != 0)
		return 0;
	/* A stale ENOMEM made libarchive 3.6.2 exit(1) on a bad name (found
	 * here); keep provoking that class of bug. */
	errno = ENOMEM;
	r = unpack_fd(fuzz_fd, "fuzz.zip", 0, NULL, &budget, &sink);
	if (c.open)
		abort();         /* an entry left without its end */
	if (r < 0 && c.problems == 0)
		abort();         /* a failure must be explained */
	if (budget.bytes_out != c.bytes || budget.entries < c.entries)
		abort();
	return 0;
}

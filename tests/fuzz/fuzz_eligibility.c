/*
 * fuzz_eligibility.c - libFuzzer target for parsers/eligibility.c.
 *
 * Input: the first byte chooses the program of the shipped campaign
 * (campaigns/hengyang-2023.conf from the project root, or
 * $INTAKE_CAMPAIGN); the rest is a form's text in textract's shape.
 * elig_read() and elig_check() must not fail, every value and message
 * must be valid UTF-8, the counts must agree with the flags, and a value
 * read is never negative.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "eligibility.h"
#include "names.h"

#define MAX_INPUT (256U << 10)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct campaign *shipped;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("INTAKE_CAMPAIGN");
	FILE *f;
	char *buf;
	long n;
	char err[512];

	(void)argc;
	(void)argv;
	if (!path)
		path = "campaigns/hengyang-2023.conf";
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_eligibility: cannot open %s (run from the project root)\n", path);
		abort();
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	if (campaign_parse(buf, (size_t)n, path, &shipped, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	free(buf);
	return 0;
}

static void utf8(const char *s)
{
	if (s && !names_is_utf8(s, strlen(s)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elig_values v;
	struct elig_report r;
	const char *text;
	size_t len, failed = 0, unknown = 0;
	int prog;

	if (size == 0 || size > MAX_INPUT)
		return 0;
	prog = data[0] % (int)(shipped->nprograms + 1);   /* one past: no [check] */
	text = (const char *)data + 1;
	len = size - 1;
	if (elig_read(shipped, prog, text, len, &v) != 0)
		abort();
	for (size_t i = 0; i < v.n; i++) {
		utf8(v.v[i].raw);
		utf8(v.v[i].date);
		if (v.v[i].found && !(v.v[i].num >= 0))
			abort();
	}
	utf8(v.applicant);
	utf8(v.credit_code);
	if (elig_check(shipped, prog, &v, text, len, &r) != 0)
		abort();
	for (size_t i = 0; i < r.n; i++) {
		if (!r.flags[i].message || !r.flags[i].rule)
			abort();
		utf8(r.flags[i].message);
		failed += r.flags[i].status == ELIG_FAIL;
		unknown += r.flags[i].status == ELIG_UNKNOWN;
	}
	if (failed != r.failed || unknown != r.unknown)
		abort();
	elig_values_free(&v);
	elig_report_free(&r);
	return 0;
}

/*
 * fuzz_sniff.c - libFuzzer target for parsers/sniff.c (sniff_buffer).
 *
 * The first input byte picks the display name (so the extension rules run
 * too); the whole input is sniffed.  Inputs over 512 KiB are ignored.
 */
#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sniff.h"

#define FUZZ_MAX_INPUT (512U << 10)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sniff *fuzz_sniff;

static const char *const names[] = {
	NULL, "营业执照.pdf", "申请表.docx", "汇总.xlsx", "材料.zip", "材料.rar", "材料.7z",
	"a.tar.gz", "notes.gz", "照片.jpg", "run.bat", "说明.txt", "x.exe", "电子证照.ofd",
	"a.wps", "a.", ".", "a.pdf. ", "dir/x.js", "a\\b.hta",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	setlocale(LC_CTYPE, "C.UTF-8");
	fuzz_sniff = sniff_new(err, sizeof(err));
	if (fuzz_sniff == NULL) {
		fprintf(stderr, "sniff_new: %s\n", err);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sniff_result r;
	const char *name;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	name = size > 0 ? names[data[0] % (sizeof(names) / sizeof(names[0]))] : NULL;
	errno = ENOMEM;        /* see fuzz_unpack.c */
	if (sniff_buffer(fuzz_sniff, data, size, name, &r) == 0) {
		if (memchr(r.mime, '\0', sizeof(r.mime)) == NULL || r.kind > SNIFF_OTHER)
			abort();
		if (size == 0 && r.kind != SNIFF_EMPTY)
			abort();
		(void)sniff_kind_name(r.kind);
	}
	return 0;
}

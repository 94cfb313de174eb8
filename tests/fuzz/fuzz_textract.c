/*
 * fuzz_textract.c - libFuzzer target for parsers/textract.c (text_extract).
 *
 * The first input byte picks the sniffed type the extractor is told (so
 * a PDF may arrive labelled as DOCX and so on: the dispatcher trusts the
 * signature first); the rest is the file, written to a memfd.  OCR is
 * off (Tesseract is not what is fuzzed here, and one run takes seconds);
 * images then stop at the note.  Inputs over 512 KiB are ignored.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sniff.h"
#include "textract.h"

#define FUZZ_MAX_INPUT (512U << 10)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_fd = -1;

static const char *const mimes[] = {
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/pdf", "application/msword", "application/vnd.ms-excel", "text/rtf",
	"text/plain", "image/png", "application/octet-stream",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_fd = memfd_create("fuzz-textract", MFD_CLOEXEC);
	if (fuzz_fd < 0) {
		perror("memfd_create");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text_limits lim = { .max_bytes = 16384, .max_pages = 2,
	                           .max_xml_bytes = 4U << 20, .ocr = false,
	                           .max_pixels = 4U << 20 };
	struct text_result r;
	const char *mime;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	mime = mimes[data[0] % (sizeof(mimes) / sizeof(mimes[0]))];
	data++;
	size--;
	if (ftruncate(fuzz_fd, 0) != 0 ||
	    (size > 0 && pwrite(fuzz_fd, data, size, 0) != (ssize_t)size))
		return 0;
	errno = 0;
	if (text_extract(fuzz_fd, strncmp(mime, "image/", 6) == 0 ? SNIFF_IMAGE : SNIFF_DOCUMENT,
	                 mime, &lim, &r) != 0)
		return 0;
	/* the promised shape */
	if (r.text != NULL) {
		if (r.len == 0 || r.len > lim.max_bytes || strlen(r.text) != r.len ||
		    memchr(r.text, '\r', r.len) != NULL || r.source == TEXT_NONE)
			abort();
	} else if (r.source != TEXT_NONE || r.len != 0 || r.note == NULL) {
		abort();
	}
	if (r.confidence < 0 || r.confidence > 100)
		abort();
	text_result_free(&r);
	return 0;
}

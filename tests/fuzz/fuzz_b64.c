/*
 * libFuzzer, differential: parsers/b64.c must decode every input to the
 * bytes libetpan's mailmime_part_parse() gives, whole and split at an
 * input-chosen window size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t step, idx = 0, rlen = 0, o = 0;
	char *ref = NULL;
	unsigned char *out;
	struct b64_dec d;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 97 + 1;
	s++;
	size--;
	if (mailmime_part_parse(s, size, &idx, MAILMIME_MECHANISM_BASE64, &ref, &rlen) !=
	    MAILIMF_NO_ERROR)
		abort();
	out = malloc(b64_out_max(size) + 3);
	if (out == NULL)
		abort();
	b64_init(&d);
	for (size_t off = 0; off < size; off += step)
		o += b64_decode(&d, s + off, size - off < step ? size - off : step, out + o);
	o += b64_final(&d, out + o);
	if (o != rlen || memcmp(out, ref, rlen) != 0)
		abort();
	free(out);
	mmap_string_unref(ref);
	return 0;
}

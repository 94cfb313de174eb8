/*
 * fuzz_uscc.c - libFuzzer target for parsers/uscc.c.
 *
 * The input is text handed to uscc_find(); every code it returns must be
 * 18 characters that pass uscc_valid(), distinct, and at most max of them.
 * uscc_valid() and uscc_check_char() also see the input's first bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uscc.h"

#define FUZZ_MAX_INPUT (256U << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[8][USCC_LEN + 1], head[USCC_LEN + 1];
	size_t n, max;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	max = size ? (size_t)(data[0] % 9) : 4;
	n = uscc_find((const char *)data, size, out, max);
	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (strlen(out[i]) != USCC_LEN || !uscc_valid(out[i]))
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(out[i], out[j]) == 0)
				abort();
	}
	if (size >= USCC_LEN) {
		char c;
		memcpy(head, data, USCC_LEN);
		head[USCC_LEN] = '\0';
		c = uscc_check_char(head);
		if (uscc_valid(head) && (c == 0 || c != head[17]))
			abort();
	}
	return 0;
}

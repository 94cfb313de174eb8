/*
 * fuzz_names.c - libFuzzer target for parsers/names.c.
 *
 * Input layout (any bytes are fine, this only gives the mutator structure
 * to find): line 1 is a charset label; the whole input is also decoded as
 * a header; every later line "name=value" is a parameter, to the
 * Content-Type list when it starts with "c:", else to Content-Disposition.
 * Every output must be valid UTF-8 and within the limit it was given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intake_limits.h"
#include "names.h"

#define FUZZ_MAX_INPUT (512U << 10)
#define FUZZ_MAX_PARAMS 64U

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *out, size_t max_out)
{
	if (out == NULL)
		return;
	if (!names_is_utf8(out, strlen(out)))
		abort();
	if (max_out && strlen(out) > max_out)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl, *p, *end = s + size;
	struct names_param disp[FUZZ_MAX_PARAMS], ctype[FUZZ_MAX_PARAMS];
	char *names[2 * FUZZ_MAX_PARAMS];
	size_t nd = 0, nc = 0, nn = 0;
	char label[65];
	bool lossy = false;
	char *out, *raw = NULL;
	size_t raw_len = 0, ll;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	out = names_decode_header(s, size, LIMIT_DEF_HEADER_BYTES, &lossy);
	check(out, LIMIT_DEF_HEADER_BYTES);
	free(out);
	out = names_decode_header(s, size, 16, &lossy);
	check(out, 16);
	free(out);

	nl = memchr(s, '\n', size);
	ll = nl ? (size_t)(nl - s) : size;
	if (ll > 64)
		ll = 64;
	memcpy(label, s, ll);
	label[ll] = '\0';
	out = names_to_utf8(s, size, label, 0, &lossy);
	check(out, 0);
	free(out);
	out = names_to_utf8(s, size, NULL, LIMIT_DEF_NAME_BYTES, &lossy);
	check(out, LIMIT_DEF_NAME_BYTES);
	free(out);
	out = names_archive_path(s, size, LIMIT_DEF_NAME_BYTES, &lossy);
	check(out, LIMIT_DEF_NAME_BYTES);
	free(out);

	for (p = nl ? nl + 1 : end; p < end && nn < 2 * FUZZ_MAX_PARAMS; ) {
		const char *le = memchr(p, '\n', (size_t)(end - p));
		const char *eq;
		bool to_ct = false;

		le = le ? le : end;
		if (le - p >= 2 && p[0] == 'c' && p[1] == ':') {
			to_ct = true;
			p += 2;
		}
		eq = memchr(p, '=', (size_t)(le - p));
		if (eq != NULL) {
			struct names_param *np;

			if (to_ct && nc < FUZZ_MAX_PARAMS)
				np = &ctype[nc++];
			else if (!to_ct && nd < FUZZ_MAX_PARAMS)
				np = &disp[nd++];
			else
				np = NULL;
			if (np != NULL) {
				names[nn] = strndup(p, (size_t)(eq - p));
				if (names[nn] == NULL)
					abort();
				np->name = names[nn++];
				np->value = eq + 1;     /* not NUL-terminated: length only */
				np->value_len = (size_t)(le - eq - 1);
			}
		}
		p = le < end ? le + 1 : end;
	}
	out = names_filename(disp, nd, ctype, nc, LIMIT_DEF_NAME_BYTES, &lossy,
	                     &raw, &raw_len);
	check(out, LIMIT_DEF_NAME_BYTES);
	if ((out == NULL) != (raw == NULL))
		abort();
	free(out);
	free(raw);
	out = names_filename(disp, nd, ctype, nc, 8, &lossy, NULL, NULL);
	check(out, 8);
	free(out);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	return 0;
}

/*
 * fuzz_tmpl - reply templates are written by staff, but parsed with care:
 * parse any bytes against a small schema and render what parses.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tmpl.h"

static const struct tmpl_field row[] = {
	{ "name", TMPL_TEXT, NULL }, { "ok", TMPL_FLAG, NULL }, { NULL, TMPL_TEXT, NULL }
};
static const struct tmpl_field top[] = {
	{ "title", TMPL_TEXT, NULL }, { "late", TMPL_FLAG, NULL }, { "rows", TMPL_LIST, row },
	{ NULL, TMPL_TEXT, NULL }
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl *t = NULL;
	struct tmpl_rec *r;
	char err[512], *out = NULL;

	if (size > 65536)
		return 0;
	if (tmpl_parse((const char *)data, size, "fuzz.txt", 1, top, &t, err, sizeof(err)) != 0)
		return 0;
	r = tmpl_rec_new();
	tmpl_set(r, "title", "{{title}}");
	for (int i = 0; i < 3; i++) {
		struct tmpl_rec *x = tmpl_add_row(r, "rows");
		tmpl_setf(x, "name", "n%d", i);
		tmpl_set_flag(x, "ok", i & 1);
	}
	if (tmpl_render(t, r, &out, NULL, err, sizeof(err)) == 0)
		free(out);
	tmpl_rec_free(&r);
	tmpl_free(&t);
	return 0;
}

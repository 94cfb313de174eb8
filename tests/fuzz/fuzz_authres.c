/* libFuzzer: Authentication-Results judging over arbitrary header text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), ev[256];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)authres_judge(s, "mx.hengyang-gxj.example", "qq.com", ev, sizeof(ev));
	(void)authres_judge(s, "mx.hengyang-gxj.example", NULL, ev, sizeof(ev));
	free(s);
	return 0;
}

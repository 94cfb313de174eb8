/* Triage: what is not a submission is recognised and never answered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "triage.h"

struct tcase {
	struct mime_info in;
	const char *want;
};

static void test_triage_table(void **state)
{
	static char empty[] = "";
	const struct tcase cases[] = {
		{ { .subject = (char *)(uintptr_t)"珠晖区创新创业基地申报材料", .from_addr = (char *)(uintptr_t)"zhuhui-gxj@hengyang.gov.example" }, TRIAGE_SUBMISSION },
		{ { .subject = (char *)(uintptr_t)"自动回复：申报材料", .from_addr = (char *)(uintptr_t)"x@qq.example" }, TRIAGE_AUTO_REPLY },
		{ { .subject = (char *)(uintptr_t)"Re: 材料", .auto_submitted = (char *)(uintptr_t)"auto-replied" }, TRIAGE_AUTO_REPLY },
		{ { .subject = (char *)(uintptr_t)"Re: 材料", .auto_submitted = (char *)(uintptr_t)"no" }, TRIAGE_SUBMISSION },
		{ { .subject = (char *)(uintptr_t)"Out of Office: x", }, TRIAGE_AUTO_REPLY },
		{ { .subject = (char *)(uintptr_t)"x", .x_autoreply = true }, TRIAGE_AUTO_REPLY },
		{ { .subject = (char *)(uintptr_t)"Undelivered Mail Returned to Sender", .from_addr = (char *)(uintptr_t)"MAILER-DAEMON@mx.example" }, TRIAGE_BOUNCE },
		{ { .subject = (char *)(uintptr_t)"x", .return_path = empty }, TRIAGE_BOUNCE },
		{ { .subject = (char *)(uintptr_t)"x", .top_type = (char *)(uintptr_t)"multipart/report" }, TRIAGE_BOUNCE },
		{ { .subject = (char *)(uintptr_t)"已读：申报材料", }, TRIAGE_READ_RECEIPT },
		{ { .subject = (char *)(uintptr_t)"x", .has_disposition_notification = true, .top_type = (char *)(uintptr_t)"multipart/report" }, TRIAGE_READ_RECEIPT },
		{ { .subject = (char *)(uintptr_t)"周报", .list_id = (char *)(uintptr_t)"<news.example>" }, TRIAGE_LIST },
		{ { .subject = (char *)(uintptr_t)"广告", .precedence = (char *)(uintptr_t)"bulk" }, TRIAGE_LIST },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *ev = NULL;
		const char *got = triage_message(&cases[i].in, &ev);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu (%s): got %s, want %s", i, cases[i].in.subject, got, cases[i].want);
		if (strcmp(got, TRIAGE_SUBMISSION) == 0)
			assert_null(ev);
		else
			assert_non_null(ev);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_triage_table),
	};
	return cmocka_run_group_tests_name("triage", tests, NULL, NULL);
}

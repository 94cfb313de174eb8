/*
 * test_uscc.c - the unified social credit code: the GB 32100-2015 check
 * character, and finding codes in document and OCR text.
 *
 * The codes below were computed with the standard's algorithm (weights
 * 3^i mod 31 over the 31-character alphabet; the organisation code part
 * with GB 11714's weights 3,7,9,10,5,8,4,2).  Two are public: the example
 * of GB 32100-2015 itself (91350100M000100Y43) and the code on a large
 * company's published licence (914403001922038216); both check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "uscc.h"

/* Computed for Hengyang (division codes 4304xx). */
#define CODE_A "91430400MA4L12346W"   /* 工商, 衡阳市 */
#define CODE_B "91430406MA4PXK2Q71"   /* 工商, 雁峰区 */
#define CODE_C "52430400MJ1234AB44"   /* 民政: a 协会 */
#define CODE_D "12430400446880129M"   /* 机构编制: a public institution */
#define CODE_E "91430481MA4Q0B8E38"   /* a real B and an 8 inside */
#define STD_EXAMPLE "91350100M000100Y43"
#define PUBLIC_CODE "914403001922038216"

static void test_check_char(void **state)
{
	static const char *const good[] = { CODE_A, CODE_B, CODE_C, CODE_D, CODE_E, STD_EXAMPLE,
	                                    PUBLIC_CODE };
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(uscc_valid(good[i]));
		assert_int_equal(uscc_check_char(good[i]), good[i][17]);
	}
	assert_int_equal(uscc_check_char("91350100M000100Y4"), '3');
	/* one character changed, two swapped, wrong length */
	assert_false(uscc_valid("91430400MA4L12346X"));
	assert_false(uscc_valid("91430400MA4L12347W"));
	assert_false(uscc_valid("19430400MA4L12346W"));
	assert_false(uscc_valid("91430400MA4L12346"));
	assert_false(uscc_valid("91430400MA4L12346W0"));
	assert_false(uscc_valid(""));
	assert_false(uscc_valid(NULL));
	/* letters outside the alphabet, lower case: not normalised here */
	assert_false(uscc_valid("91430400MA4L1234OW"));
	assert_false(uscc_valid("91430400ma4l12346w"));
	assert_int_equal(uscc_check_char("9143040OMA4L12346"), 0);
	assert_int_equal(uscc_check_char(NULL), 0);
}

static size_t find(const char *text, char (*out)[USCC_LEN + 1], size_t max)
{
	return uscc_find(text, strlen(text), out, max);
}

static void expect_one(const char *text, const char *code)
{
	char out[4][USCC_LEN + 1];
	size_t n = find(text, out, 4);

	if (n != 1 || strcmp(out[0], code) != 0)
		fail_msg("in \"%s\": found %zu, first %s; expected %s", text, n, n ? out[0] : "-", code);
}

static void expect_none(const char *text)
{
	char out[4][USCC_LEN + 1];
	size_t n = find(text, out, 4);

	if (n != 0)
		fail_msg("in \"%s\": found %s, expected nothing", text, out[0]);
}

static void test_find_plain(void **state)
{
	(void)state;
	expect_one(CODE_A, CODE_A);
	expect_one("统一社会信用代码：" CODE_A "\n法定代表人：张三", CODE_A);
	/* the application form's cell, as textract writes a table row */
	expect_one("统一社会 信用代码\t" CODE_B "\t\t", CODE_B);
	/* between CJK without any separator */
	expect_one("名称衡阳市某某科技有限公司代码" CODE_C "类型", CODE_C);
	expect_one("Unified Social Credit Code: " PUBLIC_CODE ".", PUBLIC_CODE);
	expect_one("(" STD_EXAMPLE ")", STD_EXAMPLE);
	/* a year before it in the same cell */
	expect_one("2023 " CODE_D, CODE_D);
}

static void test_find_forms(void **state)
{
	(void)state;
	/* full-width digits and letters */
	expect_one("统一社会信用代码：９１４３０４００ＭＡ４Ｌ１２３４６Ｗ", CODE_A);
	/* lower case */
	expect_one("代码 91430406ma4pxk2q71", CODE_B);
	/* spaces, full-width spaces and hyphens inside */
	expect_one("信用代码 9143 0400 MA4L 1234 6W", CODE_A);
	expect_one("信用代码 914304\xE3\x80\x80" "00MA4L12346W", CODE_A);
	expect_one("信用代码 91430400-MA4L1234-6W", CODE_A);
	expect_one("信用代码 ９１４３０４００－ＭＡ４Ｌ１２３４６Ｗ", CODE_A);
}

static void test_find_ocr(void **state)
{
	(void)state;
	/* O, I in the division code and the organisation code */
	expect_one("统一社会信用代码 9I43O4O6MA4PXK2Q71", CODE_B);
	/* S for 5, Z for 2 */
	expect_one("统一社会信用代码 SZ43O4OOMJ1234AB44", CODE_C);
	/* B for 8: only the reading whose check agrees is taken, and a real
	 * B stays a B */
	expect_one("统一社会信用代码 91430481MA4Q0BBE38", CODE_E);
	expect_one("统一社会信用代码 91430481MA4Q0B8E3B", CODE_E);
	expect_one("统一社会信用代码 " CODE_E, CODE_E);
	/* a slip that no correction repairs: nothing, not a guess */
	expect_none("统一社会信用代码 91430400MA4L1234GW");
	expect_none("统一社会信用代码 9I430400MA4L12346X");
	/* a corrected reading far from any label also needs the
	 * organisation code check: this one has it */
	expect_one("某某公司 9I43O4O6MA4PXK2Q71", CODE_B);
}

static void test_find_negative(void **state)
{
	(void)state;
	expect_none("");
	expect_none("营业执照");
	/* bank account and phone numbers */
	expect_none("开户行账号 6228480402564890018 电话 18773453503");
	expect_none("身份证号 430421199001011234");
	/* an 18-digit number with a bad check */
	expect_none("编号 914304001234567890");
	/* 17 and 19 characters with no label near */
	expect_none("91430400MA4L12346");
	expect_none("91430400MA4L12346W1");
	/* a code run into other letters far from a label is not cut out */
	expect_none("REF91430400MA4L12346WX");
	/* an unknown registration authority */
	{
		char code[USCC_LEN + 1] = "B1430400MA4L1234";
		code[16] = '6';
		code[17] = uscc_check_char("B1430400MA4L12346");
		expect_none(code);
	}
}

static void test_find_label_first(void **state)
{
	char out[4][USCC_LEN + 1];
	size_t n;

	(void)state;
	/* a code near the label wins over an earlier one elsewhere */
	n = find("委托方 " CODE_D " 负责人……\n统一社会信用代码：" CODE_A, out, 4);
	assert_int_equal(n, 2);
	assert_string_equal(out[0], CODE_A);
	assert_string_equal(out[1], CODE_D);
	/* the same code twice is one code */
	n = find(CODE_A " " "\n" CODE_A "\n" CODE_A, out, 4);
	assert_int_equal(n, 1);
	/* max bounds the output */
	n = find(CODE_A "\n" CODE_B "\n" CODE_C "\n" CODE_D, out, 2);
	assert_int_equal(n, 2);
	n = find(CODE_A "\n" CODE_B "\n" CODE_C "\n" CODE_D, out, 4);
	assert_int_equal(n, 4);
	assert_string_equal(out[0], CODE_A);  /* equal score: text order */
	/* a window inside a longer run, near the label */
	n = find("统一社会信用代码:" CODE_A "X", out, 4);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], CODE_A);
	/* label split by spaces (OCR) still counts */
	n = find("信 用 代 码\n9I43O4O6MA4PXK2Q71", out, 4);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], CODE_B);
	assert_int_equal(uscc_find(NULL, 0, out, 4), 0);
	assert_int_equal(uscc_find(CODE_A, 18, out, 0), 0);
}

static void test_find_bounds(void **state)
{
	/* long runs of letters, invalid UTF-8, truncated sequences */
	size_t n = 200000;
	char *big = malloc(n + 1), out[4][USCC_LEN + 1];

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)("9143 0400MA4L12346W\xE4\xBF\xA1\xFF"[i % 23]);
	big[n] = '\0';
	assert_true(uscc_find(big, n, out, 4) <= 4);
	memset(big, 'A', n);
	assert_int_equal(uscc_find(big, n, out, 4), 0);
	memcpy(big + n - 18, CODE_A, 18);
	assert_int_equal(uscc_find(big, n, out, 4), 0);   /* the end of a long run */
	free(big);
	assert_int_equal(uscc_find("\xE4\xBF", 2, out, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_char),
		cmocka_unit_test(test_find_plain),
		cmocka_unit_test(test_find_forms),
		cmocka_unit_test(test_find_ocr),
		cmocka_unit_test(test_find_negative),
		cmocka_unit_test(test_find_label_first),
		cmocka_unit_test(test_find_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

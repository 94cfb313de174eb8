/*
 * test_names.c - charset labels, UTF-8 checks, RFC 2047 / 2231 decoding
 * and file name selection (parsers/names.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "names.h"

#define P(n, v) { (n), (v), sizeof(v) - 1 }

/* ---- helpers ---- */

static void assert_utf8(const char *s)
{
	assert_non_null(s);
	assert_true(names_is_utf8(s, strlen(s)));
}

static void check_header(const char *in, const char *want, bool want_lossy)
{
	bool lossy = false;
	char *out = names_decode_header(in, strlen(in), 0, &lossy);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(lossy, want_lossy);
	free(out);
}

static char *fname(const struct names_param *d, size_t nd,
                   const struct names_param *c, size_t nc, bool *lossy)
{
	char *out = names_filename(d, nd, c, nc, 0, lossy, NULL, NULL);

	if (out != NULL)
		assert_utf8(out);
	return out;
}

/* ---- charset labels ---- */

static void test_charset_normalise(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "gb2312", "GB18030" }, { "GB2312", "GB18030" },
		{ "gbk", "GB18030" }, { "GBK", "GB18030" }, { "cp936", "GB18030" },
		{ "x-gbk", "GB18030" }, { "X-GBK", "GB18030" },
		{ "gb_2312-80", "GB18030" }, { "euc-cn", "GB18030" },
		{ "936", "GB18030" }, { "x-gb18030", "GB18030" },
		{ "windows-936", "GB18030" }, { "GB18030", "GB18030" },
		{ "\"gbk\"", "GB18030" }, { " Gb2312 ", "GB18030" },
		{ "gbk*zh-cn", "GB18030" },       /* RFC 2231 language suffix */
		{ "utf8", "UTF-8" }, { "UTF-8", "UTF-8" }, { "utf-8", "UTF-8" },
		{ "iso-8859-1", "ISO-8859-1" }, { "big5", "BIG5" },
		{ "ks_c_5601-1987", "CP949" }, { "us-ascii", "US-ASCII" },
		{ "", "" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		names_charset_normalise(cases[i].in, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
	names_charset_normalise(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* truncated to the buffer, still terminated */
	names_charset_normalise("iso-8859-15", buf, 4);
	assert_string_equal(buf, "ISO");
}

/* ---- UTF-8 validation ---- */

static void test_is_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		bool ok;
	} cases[] = {
		{ "plain ascii", 11, true },
		{ "\xE4\xB8\xAD\xE6\x96\x87", 6, true },       /* 中文 */
		{ "\xF0\xA0\x80\x80", 4, true },               /* U+20000 */
		{ "\xF4\x8F\xBF\xBF", 4, true },               /* U+10FFFF */
		{ "\xC0\xAF", 2, false },                      /* overlong '/' */
		{ "\xC1\xBF", 2, false },                      /* overlong */
		{ "\xE0\x80\xAF", 3, false },                  /* overlong 3-byte */
		{ "\xF0\x80\x80\xAF", 4, false },              /* overlong 4-byte */
		{ "\xED\xA0\x80", 3, false },                  /* surrogate D800 */
		{ "\xED\xBF\xBF", 3, false },                  /* surrogate DFFF */
		{ "\xF4\x90\x80\x80", 4, false },              /* above U+10FFFF */
		{ "\xE4\xB8", 2, false },                      /* truncated */
		{ "\x80", 1, false },                          /* lone continuation */
		{ "\xFF", 1, false },
		{ "\xD6\xD0\xCE\xC4", 4, false },              /* GBK 中文 */
		{ "", 0, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(names_is_utf8(cases[i].s, cases[i].n), cases[i].ok);
}

/* ---- conversion ---- */

static void test_gbk_only_char_with_gb2312_label(void **state)
{
	bool lossy = false;
	/* 镕 (E9 46) is not in GB2312; clients label GBK text "gb2312" */
	char *out = names_to_utf8("\xE9\x46", 2, "gb2312", 0, &lossy);

	(void)state;
	assert_string_equal(out, "镕");
	assert_false(lossy);
	free(out);
}

static void test_0x80_is_euro(void **state)
{
	bool lossy = false;
	char *out = names_to_utf8("\x80" "100", 4, "gbk", 0, &lossy);

	(void)state;
	assert_string_equal(out, "€100");
	assert_false(lossy);
	free(out);
	/* 0x80 as a trail byte is an ordinary GBK character (81 80 = 亐) */
	out = names_to_utf8("\x81\x80", 2, "cp936", 0, &lossy);
	assert_string_equal(out, "亐");
	assert_false(lossy);
	free(out);
}

static void test_gb18030_four_byte(void **state)
{
	bool lossy = false;
	char *out = names_to_utf8("\x95\x32\x82\x36" "\xA2\xE3", 6, "GB18030", 0,
	                          &lossy);

	(void)state;
	assert_string_equal(out, "𠀀€");   /* U+20000, € as A2 E3 */
	assert_false(lossy);
	free(out);
}

static void test_guess_charset(void **state)
{
	bool lossy = false;
	char *out;

	(void)state;
	out = names_to_utf8("\xE7\x94\xB3\xE6\x8A\xA5", 6, NULL, 0, &lossy);
	assert_string_equal(out, "申报");
	free(out);
	out = names_to_utf8("\xC9\xEA\xB1\xA8", 4, NULL, 0, &lossy);
	assert_string_equal(out, "申报");
	assert_false(lossy);
	free(out);
	/* "us-ascii" promises nothing about 8-bit bytes: guessed too */
	out = names_to_utf8("\xC9\xEA\xB1\xA8", 4, "us-ascii", 0, &lossy);
	assert_string_equal(out, "申报");
	assert_false(lossy);
	free(out);
	/* UTF-8 cut inside its last character (seen from Yahoo) */
	out = names_to_utf8("\xD0\x9A\xD0", 3, NULL, 0, &lossy);
	assert_string_equal(out, "К\xEF\xBF\xBD");
	assert_true(lossy);
	free(out);
}

static void test_invalid_bytes_become_fffd(void **state)
{
	bool lossy = false;
	char *out;

	(void)state;
	/* FF FF in the middle of GB18030, truncated lead byte at the end */
	out = names_to_utf8("\xD6\xD0\xFF\xCE\xC4\xD6", 6, "gbk", 0, &lossy);
	assert_string_equal(out, "中\xEF\xBF\xBD文\xEF\xBF\xBD");
	assert_true(lossy);
	free(out);
	lossy = false;
	out = names_to_utf8("a\xC0\xAF" "b", 4, "utf-8", 0, &lossy);
	assert_string_equal(out, "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
	assert_true(lossy);
	free(out);
	/* NUL would cut a C string short: it is replaced and flagged */
	lossy = false;
	out = names_to_utf8("a\0b", 3, "utf-8", 0, &lossy);
	assert_string_equal(out, "a\xEF\xBF\xBD" "b");
	assert_true(lossy);
	free(out);
	/* lossy_r may be NULL */
	out = names_to_utf8("\xFF", 1, "utf-8", 0, NULL);
	assert_string_equal(out, "\xEF\xBF\xBD");
	free(out);
}

static void test_unknown_charset_is_honest(void **state)
{
	bool lossy = false;
	char *out;

	(void)state;
	out = names_to_utf8("report.pdf", 10, "x-no-such-charset", 0, &lossy);
	assert_string_equal(out, "report.pdf");
	assert_false(lossy);        /* ASCII reads the same in any charset */
	free(out);
	out = names_to_utf8("\xC9\xEA\xB1\xA8", 4, "x-no-such-charset", 0, &lossy);
	assert_string_equal(out, "申报");
	assert_true(lossy);         /* a guess, and it says so */
	free(out);
}

static void test_max_out(void **state)
{
	bool lossy = false;
	char *out;
	char big[600];

	(void)state;
	/* names_to_utf8: exactly at the cap is fine, one byte over is NULL */
	out = names_to_utf8("\xD6\xD0\xCE\xC4", 4, "gbk", 6, &lossy);
	assert_string_equal(out, "中文");
	free(out);
	assert_null(names_to_utf8("\xD6\xD0\xCE\xC4", 4, "gbk", 5, &lossy));

	/* headers are cut at a character boundary, never mid-character */
	out = names_decode_header("=?utf-8?B?5Lit5paH5Lit5paH?=", 28, 7, &lossy);
	assert_string_equal(out, "中文");
	assert_true(strlen(out) <= 7);
	assert_true(lossy);
	free(out);

	/* file names keep their extension when cut */
	memset(big, 'a', sizeof(big));
	memcpy(big + sizeof(big) - 4, ".zip", 4);
	{
		struct names_param d[] = { { "filename", big, sizeof(big) } };

		lossy = false;
		out = names_filename(d, 1, NULL, 0, 100, &lossy, NULL, NULL);
		assert_non_null(out);
		assert_int_equal(strlen(out), 100);
		assert_string_equal(out + 96, ".zip");
		assert_true(lossy);
		free(out);
	}
	/* multibyte names: cut on a boundary, result valid UTF-8 */
	{
		static const char cjk[] = "=?utf-8?B?55Sz5oql5p2Q5paZ55Sz5oql5p2Q5paZ55Sz5oql5p2Q5paZ?=.pdf";
		struct names_param d[] = { P("filename", cjk) };

		out = names_filename(d, 1, NULL, 0, 20, &lossy, NULL, NULL);
		assert_non_null(out);
		assert_true(strlen(out) <= 20);
		assert_utf8(out);
		assert_string_equal(out + strlen(out) - 4, ".pdf");
		free(out);
	}
}

/* ---- RFC 2047 ---- */

static void test_rfc2047_b_and_q(void **state)
{
	(void)state;
	check_header("=?utf-8?B?55Sz5oql5p2Q5paZ?=", "申报材料", false);
	check_header("=?UTF-8?Q?=E7=94=B3=E6=8A=A5_2023?=", "申报 2023", false);
	check_header("=?gb2312?B?1cXPyMn6?=", "张先生", false);
	/* odd-case labels and encodings (letters test data) */
	check_header("=?Gbk?b?sKzA8r16ILeivP7Iyw==?=", "艾莉絲 发件人", false);
	check_header("=?gBK?q?=B0=AC=C0=F2=BDz_=B7=A2=BC=FE=C8=CB?=", "艾莉絲 发件人", false);
	/* RFC 2231 language in an encoded word */
	check_header("=?utf-8*zh-cn?B?5Lit5paH?=", "中文", false);
	/* not an encoded word: left as it is */
	check_header("=?utf-8?X?abc?= and =?broken", "=?utf-8?X?abc?= and =?broken", false);
	check_header("a=?b", "a=?b", false);
	/* charset labels: 64 bytes are read, longer ones are no word at all
	 * (found by fuzz_mime: a 65-byte label overflowed a stack buffer) */
	check_header("=?" "x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "?Q?ok?=",
	             "ok", false);
	check_header("=?" "x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "?Q?ok?=",
	             "=?x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?Q?ok?=",
	             false);
}

static void test_rfc2047_whitespace(void **state)
{
	(void)state;
	/* dropped between words, kept between word and text */
	check_header("=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab", false);
	check_header("=?utf-8?Q?a?=\r\n =?utf-8?Q?b?=", "ab", false);
	check_header("=?utf-8?Q?a?= b =?utf-8?Q?c?=", "a b c", false);
	check_header("x =?utf-8?Q?a?=", "x a", false);
	/* folded plain text keeps its space */
	check_header("Fwd:\r\n hello", "Fwd: hello", false);
}

static void test_rfc2047_split_gbk_char(void **state)
{
	(void)state;
	/* 中 = D6 D0, one byte per word: joined before conversion */
	check_header("=?gbk?B?1g==?= =?gbk?B?0A==?=", "中", false);
	check_header("=?GB2312?Q?=D6?=\r\n\t=?gb2312?Q?=D0=CE=C4?=", "中文", false);
	/* a UTF-8 character split across B words (Outlook, Apple) */
	check_header("=?utf-8?B?5Lit5g==?= =?utf-8?B?loc=?=", "中文", false);
}

static void test_rfc2047_mixed_charsets(void **state)
{
	(void)state;
	/* letters: a UTF-8 word, text, then a GBK word */
	check_header("=?UTF-8?B?8J+Tpw==?= Test\r\n =?gbK?B?yqnKz8qzyqjKtw==?=",
	             "📧 Test 施氏食狮史", false);
	check_header("=?UTF-8?B?8J+Tpw==?= =?gbk?B?yqnKzw==?=", "📧施氏", false);
}

static void test_rfc2047_unknown_charset(void **state)
{
	bool lossy = false;
	char *out;

	(void)state;
	out = names_decode_header("=?x-unknown?Q?abc?=", 19, 0, &lossy);
	assert_string_equal(out, "abc");
	assert_false(lossy);
	free(out);
	out = names_decode_header("=?x-bogus?B?1dDOxA==?=", 22, 0, &lossy);
	assert_utf8(out);
	assert_true(lossy);
	free(out);
}

static void test_raw_8bit_header(void **state)
{
	(void)state;
	check_header("\xB9\xD8\xD3\xDA\xC9\xEA\xB1\xA8", "关于申报", false);     /* GBK */
	check_header("\xE5\x85\xB3\xE4\xBA\x8E", "关于", false);               /* UTF-8 */
	check_header("Re: \xC9\xEA\xB1\xA8 =?utf-8?B?5p2Q5paZ?=", "Re: 申报 材料", false);
}

static void test_rfc2047_linear_time(void **state)
{
	/* 40,000 "=?a?B?x" with no "?=" anywhere: must not rescan per "=?" */
	const char unit[] = "=?a?B?x";
	size_t n = 40000 * (sizeof(unit) - 1);
	char *s = malloc(n + 1);
	clock_t t0;
	char *out;

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < 40000; i++)
		memcpy(s + i * (sizeof(unit) - 1), unit, sizeof(unit) - 1);
	s[n] = '\0';
	t0 = clock();
	out = names_decode_header(s, n, 0, NULL);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	assert_string_equal(out, s);
	free(out);
	free(s);
}

/* ---- RFC 2231 ---- */

static void test_rfc2231_single(void **state)
{
	static const struct {
		const char *value, *want;
	} cases[] = {
		{ "gbk''%C9%EA%B1%A8%B1%ED.xlsx", "申报表.xlsx" },
		{ "GB2312''%D5%C5%C8%FD.doc", "张三.doc" },
		{ "utf-8''%E7%94%B3%E6%8A%A5.pdf", "申报.pdf" },
		{ "UTF-8'zh-cn'%E7%94%B3%E6%8A%A5.pdf", "申报.pdf" },   /* language tag */
		{ "''plain.txt", "plain.txt" },                          /* no charset */
		{ "%E7%94%B3.txt", "申.txt" },                           /* no quotes at all */
		{ "utf-8''100%.txt", "100%.txt" },                       /* stray % kept */
	};
	bool lossy = false;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct names_param d[] = {
			{ "filename*", cases[i].value, strlen(cases[i].value) },
		};
		char *out = fname(d, 1, NULL, 0, &lossy);

		assert_string_equal(out, cases[i].want);
		free(out);
	}
	assert_false(lossy);
}

static void test_rfc2231_continuation(void **state)
{
	bool lossy = false;
	char *out, *raw = NULL;
	size_t raw_len = 0;
	/* out of order, charset only on segment 0, GBK char 报 (B1 A8)
	 * split between segments, a plain (unencoded) last segment */
	struct names_param d[] = {
		P("filename*2", "-final.doc"),
		P("filename*0*", "gbk'zh-cn'%C9%EA%B1"),
		P("filename*1*", "%A8%B1%ED"),
	};

	(void)state;
	out = names_filename(d, 3, NULL, 0, 0, &lossy, &raw, &raw_len);
	assert_string_equal(out, "申报表-final.doc");
	assert_false(lossy);
	assert_int_equal(raw_len, strlen("gbk'zh-cn'%C9%EA%B1%A8%B1%ED-final.doc"));
	assert_memory_equal(raw, "gbk'zh-cn'%C9%EA%B1%A8%B1%ED-final.doc", raw_len);
	free(out);
	free(raw);
}

static void test_rfc2231_utf8_continuation(void **state)
{
	bool lossy = false;
	/* mikel-mail japanese_attachment_long_name.eml, shortened */
	struct names_param d[] = {
		P("filename*0*", "utf-8''%E3%81%8B%E3%81%8D"),
		P("filename*1*", "%E3%81%8F.txt"),
	};
	char *out = fname(d, 2, NULL, 0, &lossy);

	(void)state;
	assert_string_equal(out, "かきく.txt");
	free(out);
}

static void test_rfc2231_duplicates_and_bound(void **state)
{
	struct names_param d[300];
	char vals[300][4];
	bool lossy = false;
	char *out;

	(void)state;
	/* duplicate index: the first one counts */
	{
		struct names_param dd[] = {
			P("filename*0", "a"), P("filename*1", "b"), P("filename*1", "X"),
		};

		out = fname(dd, 3, NULL, 0, &lossy);
		assert_string_equal(out, "ab");
		free(out);
	}
	/* 300 segments: only the first 128 are kept */
	for (size_t i = 0; i < 300; i++) {
		static char names[300][16];

		snprintf(names[i], sizeof(names[i]), "filename*%zu", i);
		snprintf(vals[i], sizeof(vals[i]), "x");
		d[i].name = names[i];
		d[i].value = vals[i];
		d[i].value_len = 1;
	}
	out = fname(d, 300, NULL, 0, &lossy);
	assert_int_equal(strlen(out), 128);
	free(out);
}

/* ---- RFC 2047 inside quoted parameters ---- */

static void test_rfc2047_in_quotes(void **state)
{
	bool lossy = false;
	char *out;
	/* Foxmail: one word, label gb2312, GBK-only 镕 inside */
	struct names_param fox[] = { P("filename", "=?gb2312?B?z+bpRr/GvLwuZG9jeA==?=") };
	/* rspamd fname.eml: two words folded across lines inside quotes */
	struct names_param fold[] = {
		P("filename", "=?UTF-8?B?W+yCvOyEseyDneuqhV0yMDIwLjA4Lg==?=\r\n =?UTF-8?B?MTQg642w7J2866asIOqyveygnOuJtOyKpC5wZGY=?="),
	};
	/* unquoted filename==?utf-8?B?...?= */
	struct names_param unq[] = {
		P("filename", "=?utf-8?B?MDEwMjlfNDAyMTEwXzEwNjIwX1JHVDA2OTAyX1BSVDE4ME1MXzIwMjAwODAzXzEwMTgyMC5wZGY=?="),
	};

	(void)state;
	out = fname(fox, 1, NULL, 0, &lossy);
	assert_string_equal(out, "湘镕科技.docx");
	free(out);
	out = fname(fold, 1, NULL, 0, &lossy);
	assert_string_equal(out, "[삼성생명]2020.08.14 데일리 경제뉴스.pdf");
	free(out);
	out = fname(unq, 1, NULL, 0, &lossy);
	assert_string_equal(out, "01029_402110_10620_RGT06902_PRT180ML_20200803_101820.pdf");
	free(out);
	assert_false(lossy);
}

static void test_raw_gbk_filename(void **state)
{
	bool lossy = false;
	char *out, *raw = NULL;
	size_t raw_len = 0;
	/* 錦誠 both end in 0x5C: an unescaped backslash inside the quotes */
	static const char gbk[] = "\xE5\x5C\xD5\x5C\xBF\xC6\xBC\xBC.doc";
	struct names_param d[] = { P("filename", gbk) };

	(void)state;
	out = names_filename(d, 1, NULL, 0, 0, &lossy, &raw, &raw_len);
	assert_string_equal(out, "錦誠科技.doc");
	assert_false(lossy);
	assert_int_equal(raw_len, sizeof(gbk) - 1);
	assert_memory_equal(raw, gbk, raw_len);
	free(out);
	free(raw);
	/* raw UTF-8 stays UTF-8 */
	{
		struct names_param u[] = { P("name", "\xE7\x94\xB3\xE6\x8A\xA5.pdf") };

		out = fname(NULL, 0, u, 1, &lossy);
		assert_string_equal(out, "申报.pdf");
		free(out);
	}
}

static void test_preference_order(void **state)
{
	bool lossy = false;
	char *out;
	struct names_param d_all[] = {
		P("filename", "plain.txt"),
		P("filename*", "utf-8''star.txt"),
	};
	struct names_param c_all[] = {
		P("name", "ctname.txt"),
		P("name*", "utf-8''ctstar.txt"),
	};
	struct names_param d_plain[] = { P("filename", "plain.txt") };
	struct names_param d_empty[] = { P("filename", "") };
	struct names_param c_name[] = { P("name", "ctname.txt") };

	(void)state;
	out = fname(d_all, 2, c_all, 2, &lossy);
	assert_string_equal(out, "star.txt");            /* filename* */
	free(out);
	out = fname(d_plain, 1, c_all, 2, &lossy);
	assert_string_equal(out, "plain.txt");           /* then filename */
	free(out);
	out = fname(NULL, 0, c_all, 2, &lossy);
	assert_string_equal(out, "ctstar.txt");          /* then name* */
	free(out);
	out = fname(d_empty, 1, c_name, 1, &lossy);
	assert_string_equal(out, "ctname.txt");          /* empty says nothing */
	free(out);
	assert_null(fname(NULL, 0, NULL, 0, &lossy));
	{
		struct names_param other[] = { P("charset", "utf-8"), P("size", "12") };
		char *raw = (char *)1;
		size_t rl = 99;

		assert_null(names_filename(other, 2, other, 2, 0, &lossy, &raw, &rl));
		assert_null(raw);
		assert_int_equal(rl, 0);
	}
	/* parameter names are case-insensitive */
	{
		struct names_param up[] = { P("FileName", "UP.TXT") };

		out = fname(up, 1, NULL, 0, &lossy);
		assert_string_equal(out, "UP.TXT");
		free(out);
	}
	assert_false(lossy);
}

static void test_japanese_ctype_name(void **state)
{
	bool lossy = false;
	/* mikel-mail japanese_attachment_long_name.eml: name= is RFC 2047
	 * split over three words in quotes; filename* is the same name */
	struct names_param c[] = {
		P("name", "=?utf-8?B?44GL44GN44GP44GR44GT44GL44GN44GP44GR44GT44GL44GN44GP?=\r\n =?utf-8?B?44GR44GT44GL44GN44GP44GR44GT44GL44GN44GP44GR44GTLnR4?=\r\n =?utf-8?B?dA==?="),
	};
	char *out = fname(NULL, 0, c, 1, &lossy);

	(void)state;
	assert_string_equal(out, "かきくけこかきくけこかきくけこかきくけこかきくけこ.txt");
	assert_false(lossy);
	free(out);
}

static void test_lossy_flag(void **state)
{
	bool lossy = false;
	char *out;
	/* mikel-mail attachment_with_encoded_name.eml: 0x8A is not ISO-2022-JP */
	struct names_param c[] = {
		P("name*", "iso-2022-jp'ja'01%20Quien%20Te%20Dij%8aat.%20Pitbull.mp3"),
	};
	struct names_param ok[] = { P("filename", "fine.pdf") };

	(void)state;
	out = fname(NULL, 0, c, 1, &lossy);
	assert_string_equal(out, "01 Quien Te Dij\xEF\xBF\xBD" "at. Pitbull.mp3");
	assert_true(lossy);
	free(out);
	lossy = false;
	out = fname(ok, 1, NULL, 0, &lossy);
	assert_false(lossy);
	free(out);
}

static void test_archive_path(void **state)
{
	bool lossy = false;
	char *out;

	(void)state;
	/* adm-zip chs_name.zip: GBK 中文路径.txt without the UTF-8 flag */
	out = names_archive_path("\xD6\xD0\xCE\xC4\xC2\xB7\xBE\xB6.txt", 12, 0, &lossy);
	assert_string_equal(out, "中文路径.txt");
	free(out);
	out = names_archive_path("dir/\xE6\x96\x87.txt", 11, 0, &lossy);
	assert_string_equal(out, "dir/文.txt");
	free(out);
	assert_false(lossy);
	out = names_archive_path("aaaaaaaaaaaaaaaa.zip", 20, 10, &lossy);
	assert_true(strlen(out) <= 10);
	assert_string_equal(out + strlen(out) - 4, ".zip");
	assert_true(lossy);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charset_normalise),
		cmocka_unit_test(test_is_utf8),
		cmocka_unit_test(test_gbk_only_char_with_gb2312_label),
		cmocka_unit_test(test_0x80_is_euro),
		cmocka_unit_test(test_gb18030_four_byte),
		cmocka_unit_test(test_guess_charset),
		cmocka_unit_test(test_invalid_bytes_become_fffd),
		cmocka_unit_test(test_unknown_charset_is_honest),
		cmocka_unit_test(test_max_out),
		cmocka_unit_test(test_rfc2047_b_and_q),
		cmocka_unit_test(test_rfc2047_whitespace),
		cmocka_unit_test(test_rfc2047_split_gbk_char),
		cmocka_unit_test(test_rfc2047_mixed_charsets),
		cmocka_unit_test(test_rfc2047_unknown_charset),
		cmocka_unit_test(test_raw_8bit_header),
		cmocka_unit_test(test_rfc2047_linear_time),
		cmocka_unit_test(test_rfc2231_single),
		cmocka_unit_test(test_rfc2231_continuation),
		cmocka_unit_test(test_rfc2231_utf8_continuation),
		cmocka_unit_test(test_rfc2231_duplicates_and_bound),
		cmocka_unit_test(test_rfc2047_in_quotes),
		cmocka_unit_test(test_raw_gbk_filename),
		cmocka_unit_test(test_preference_order),
		cmocka_unit_test(test_japanese_ctype_name),
		cmocka_unit_test(test_lossy_flag),
		cmocka_unit_test(test_archive_path),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}

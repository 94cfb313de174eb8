/*
 * test_textract.c - parsers/textract.c and parsers/ocr.c: the text of
 * documents, scans read by Tesseract, and the limits that hold on hostile
 * files.
 *
 * Fixtures: tests/data/textract/ (made by make-fixtures.py there, which
 * says what each holds); the legacy Word 97 and BIFF8 files are built here
 * with libgsf's OLE2 writer, byte by byte, as Word and Excel lay them out.
 * The last test runs the extractors inside the parse child's sandbox.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsf/gsf-output-memory.h>
#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-utils.h>

#include "ocr.h"
#include "sandbox.h"
#include "textract.h"
#include "sniff.h"
#include "testutil.h"

#define DATA "tests/data/textract/"
#define MIME_DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define MIME_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define MIME_PPTX "application/vnd.openxmlformats-officedocument.presentationml.presentation"

static struct text_limits lim_default(void)
{
	/* OCR's wall-clock budget generous: make check runs on loaded
	 * machines (a 2 s-CPU page took 14 s of wall time at load 8) */
	struct text_limits l = { .ocr = true, .ocr_ms = 120000 };

	text_limits_fill(&l);
	return l;
}

static int extract_file(const char *name, int kind, const char *mime,
                        const struct text_limits *lim, struct text_result *r)
{
	char *path = tu_printf(DATA "%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	free(path);
	assert_true(fd >= 0);
	rc = text_extract(fd, kind, mime, lim, r);
	close(fd);
	return rc;
}

static int extract_mem(const void *buf, size_t len, int kind, const char *mime,
                       const struct text_limits *lim, struct text_result *r)
{
	int fd = memfd_create("textract-test", MFD_CLOEXEC), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	rc = text_extract(fd, kind, mime, lim, r);
	close(fd);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k = u[i] < 0x80 ? 1 : (u[i] & 0xE0) == 0xC0 ? 2 : (u[i] & 0xF0) == 0xE0 ? 3 :
		           (u[i] & 0xF8) == 0xF0 ? 4 : 0;
		if (k == 0 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((u[i + j] & 0xC0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

/* The shape textract.h promises, whatever the input. */
static void assert_shape(const struct text_result *r, const struct text_limits *lim)
{
	if (r->text == NULL) {
		assert_int_equal(r->len, 0);
		assert_int_equal(r->source, TEXT_NONE);
		return;
	}
	assert_int_equal(strlen(r->text), r->len);
	assert_true(r->len <= lim->max_bytes);
	assert_true(valid_utf8(r->text, r->len));
	assert_null(memchr(r->text, '\r', r->len));
	assert_true(r->source != TEXT_NONE);
	assert_true(r->confidence >= 0 && r->confidence <= 100);
}

static void test_docx_paragraphs_and_table(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	assert_int_equal(extract_file("form.docx", SNIFF_DOCUMENT, MIME_DOCX, &l, &r), 0);
	assert_int_equal(r.source, TEXT_OOXML);
	assert_int_equal(r.confidence, 100);
	/* two pages of three (page breaks), table rows with '\t' cells, a run
	 * of spaces collapsed to one */
	assert_string_equal(r.text,
	                    "衡阳市科技企业孵化器认定申请表\n"
	                    "申报单位：衡阳市 雁峰区创新创业服务中心\n"
	                    "项目\t数值\t单位\n"
	                    "孵化场地面积\t12500\t平方米\n"
	                    "在孵企业数量\t56\t家\n"
	                    "统一社会信用代码：91430400MA4L16XB1K\f"
	                    "第二页：承诺书");
	assert_true(r.truncated);
	assert_null(r.note);
	assert_shape(&r, &l);
	text_result_free(&r);

	l.max_pages = 1;
	assert_int_equal(extract_file("form.docx", SNIFF_DOCUMENT, MIME_DOCX, &l, &r), 0);
	assert_non_null(strstr(r.text, "91430400MA4L16XB1K"));
	assert_null(strstr(r.text, "第二页"));
	assert_null(strchr(r.text, '\f'));
	text_result_free(&r);

	l.max_pages = 10;
	assert_int_equal(extract_file("form.docx", SNIFF_DOCUMENT, MIME_DOCX, &l, &r), 0);
	assert_non_null(strstr(r.text, "承诺书\f第三页：附件清单"));
	assert_false(r.truncated);
	assert_int_equal(r.pages, 3);
	text_result_free(&r);
}

static void test_docx_other_writers(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	/* prefix ns0, a text box once (not its mc:Fallback copy), no deleted
	 * text, no field code, entities neither loaded nor expanded, a nested
	 * table folded into its cell, paragraphs in a cell joined by a space */
	assert_int_equal(extract_file("odd.docx", SNIFF_DOCUMENT, MIME_DOCX, &l, &r), 0);
	assert_int_equal(r.source, TEXT_OOXML);
	assert_string_equal(r.text, "标题\n文本框\n外 内一 内二\t第一段 第二段\n结尾 完");
	text_result_free(&r);
}

static void test_xlsx_sheets(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	assert_int_equal(extract_file("sheet.xlsx", SNIFF_DOCUMENT, MIME_XLSX, &l, &r), 0);
	assert_int_equal(r.source, TEXT_OOXML);
	/* shared strings, numbers as written, a row starting at E5, a date
	 * (a number in a date format) as a date, the same number without
	 * one as written, the third sheet past max_pages */
	assert_string_equal(r.text,
	                    "指标\t数值\t备注\n"
	                    "场地面积\t12500\t平方米\n"
	                    "自有产权比例\t0.65\n"
	                    "说明\n"
	                    "成立日期\t2016-03-18\t44927\f"
	                    "企业名称\t从业人数\n"
	                    "衡阳智造科技有限公司\t38");
	assert_int_equal(r.pages, 3);
	assert_true(r.truncated);
	assert_shape(&r, &l);
	text_result_free(&r);
}

static void test_pptx_slides_in_order(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	assert_int_equal(extract_file("slides.pptx", SNIFF_DOCUMENT, MIME_PPTX, &l, &r), 0);
	assert_int_equal(r.source, TEXT_OOXML);
	assert_string_equal(r.text, "孵化器年度汇报\n衡阳市科技局\f运营情况\n服务收入320万元");
	assert_int_equal(r.pages, 2);
	assert_false(r.truncated);
	text_result_free(&r);
}

static void test_pdf_text_layer(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	assert_int_equal(extract_file("text.pdf", SNIFF_DOCUMENT, "application/pdf", &l, &r), 0);
	assert_int_equal(r.source, TEXT_PDF);
	assert_int_equal(r.confidence, 100);
	assert_string_equal(r.text,
	                    "营业执照\n"
	                    "统一社会信用代码 91430400MA4L16XB1K\n"
	                    "名称 衡阳市雁峰区创新创业服务中心\f"
	                    "第二页 经营范围：科技企业孵化服务");
	assert_int_equal(r.pages, 3);
	assert_true(r.truncated);
	assert_shape(&r, &l);
	text_result_free(&r);
}

static void test_pdf_encrypted(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	assert_int_equal(extract_file("encrypted.pdf", SNIFF_DOCUMENT, "application/pdf", &l, &r),
	                 0);
	assert_int_equal(r.source, TEXT_NONE);
	assert_null(r.text);
	assert_string_equal(r.note, "PDF 已加密，无法读取");
	text_result_free(&r);
}

static void assert_licence(const struct text_result *r)
{
	assert_int_equal(r->source, TEXT_OCR);
	assert_non_null(r->text);
	assert_non_null(strstr(r->text, "营业执照"));
	assert_non_null(strstr(r->text, "统一社会信用代码"));
	assert_non_null(strstr(r->text, "91430400MA4L16XB1K"));
	/* no spaces between CJK glyphs */
	assert_non_null(strstr(r->text, "衡阳市雁峰区创新创业服务中心"));
	assert_true(r->confidence >= 70);
}

static void test_ocr_image(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	assert_int_equal(extract_file("licence.png", SNIFF_IMAGE, "image/png", &l, &r), 0);
	assert_licence(&r);
	assert_shape(&r, &l);
	text_result_free(&r);
}

static void test_ocr_turned_page(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	assert_int_equal(extract_file("licence-rot90.png", SNIFF_IMAGE, "image/png", &l, &r), 0);
	assert_licence(&r);
	text_result_free(&r);
}

static void test_ocr_scanned_pdf(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	assert_int_equal(extract_file("scan.pdf", SNIFF_DOCUMENT, "application/pdf", &l, &r), 0);
	assert_licence(&r);
	assert_int_equal(r.pages, 1);
	text_result_free(&r);

	l.ocr = false;
	assert_int_equal(extract_file("scan.pdf", SNIFF_DOCUMENT, "application/pdf", &l, &r), 0);
	assert_int_equal(r.source, TEXT_NONE);
	assert_string_equal(r.note, "扫描件，未启用文字识别");
	text_result_free(&r);

	assert_int_equal(extract_file("licence.png", SNIFF_IMAGE, "image/png", &l, &r), 0);
	assert_int_equal(r.source, TEXT_NONE);
	assert_string_equal(r.note, "扫描件，未启用文字识别");
	text_result_free(&r);
}

static void test_ocr_limits(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;
	double t0;

	(void)state;
	/* 1240 x 1754 pixels: refused before its pixels are decoded */
	l.max_pixels = 1000000;
	assert_int_equal(extract_file("licence.png", SNIFF_IMAGE, "image/png", &l, &r), 0);
	assert_int_equal(r.source, TEXT_NONE);
	assert_string_equal(r.note, "图片过大，未做文字识别");
	text_result_free(&r);

	/* a rendered PDF page comes down to what max_pixels allows */
	assert_int_equal(extract_file("scan.pdf", SNIFF_DOCUMENT, "application/pdf", &l, &r), 0);
	assert_true(r.source == TEXT_OCR || r.source == TEXT_NONE);
	text_result_free(&r);

	/* the deadline holds */
	l = lim_default();
	l.ocr_ms = 300;
	t0 = now_s();
	assert_int_equal(extract_file("licence-rot90.png", SNIFF_IMAGE, "image/png", &l, &r), 0);
	assert_true(now_s() - t0 < 5.0);
	assert_true(r.truncated);
	assert_string_equal(r.note, "文字识别超时");
	text_result_free(&r);

	/* missing language data: a note, not a failure */
	l = lim_default();
	l.ocr_langs = "xx_nonexistent";
	assert_int_equal(extract_file("licence.png", SNIFF_IMAGE, "image/png", &l, &r), 0);
	assert_int_equal(r.source, TEXT_NONE);
	assert_non_null(r.note);
	assert_non_null(strstr(r.note, "语言数据缺失"));
	text_result_free(&r);
	ocr_end();
}

/* A page that draws one glyph a million times: MuPDF's interpretation
 * stops at the file's deadline (ocr_ms), not at the CPU limit. */
static void test_pdf_deadline(void **state)
{
	static const char op[] = "BT /F1 12 Tf 72 720 Td (A) Tj ET\n";
	const size_t nops = 1000000, clen = nops * (sizeof(op) - 1);
	struct text_limits l = lim_default();
	struct text_result r;
	char *pdf = malloc(clen + 4096), *p;
	size_t off[6], n;
	double t0;

	(void)state;
	assert_non_null(pdf);
	p = pdf + sprintf(pdf, "%%PDF-1.4\n");
	off[1] = (size_t)(p - pdf);
	p += sprintf(p, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	off[2] = (size_t)(p - pdf);
	p += sprintf(p, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
	off[3] = (size_t)(p - pdf);
	p += sprintf(p, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
	                " /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n");
	off[4] = (size_t)(p - pdf);
	p += sprintf(p, "4 0 obj\n<< /Length %zu >>\nstream\n", clen);
	for (size_t i = 0; i < nops; i++, p += sizeof(op) - 1)
		memcpy(p, op, sizeof(op) - 1);
	p += sprintf(p, "\nendstream\nendobj\n");
	off[5] = (size_t)(p - pdf);
	p += sprintf(p, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n");
	n = (size_t)(p - pdf);
	p += sprintf(p, "xref\n0 6\n0000000000 65535 f \n");
	for (int i = 1; i <= 5; i++)
		p += sprintf(p, "%010zu 00000 n \n", off[i]);
	p += sprintf(p, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", n);

	l.ocr = false;
	l.ocr_ms = 100;
	t0 = now_s();
	assert_int_equal(extract_mem(pdf, (size_t)(p - pdf), SNIFF_DOCUMENT, "application/pdf", &l,
	                             &r), 0);
	assert_true(now_s() - t0 < 2.0);
	assert_string_equal(r.note, "PDF 解析超时，只读了前一部分");
	assert_true(r.truncated);
	assert_shape(&r, &l);
	text_result_free(&r);
	free(pdf);
}

static void test_rtf_and_csv(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	/* \'hh in GBK, \uN with its fallback skipped, a table row */
	assert_int_equal(extract_file("form.rtf", SNIFF_DOCUMENT, "text/rtf", &l, &r), 0);
	assert_int_equal(r.source, TEXT_PLAIN);
	assert_string_equal(r.text, "申请表\n面积 12500\n孵化\t56");
	text_result_free(&r);

	/* GBK text, CRLF */
	assert_int_equal(extract_file("list.csv", SNIFF_DOCUMENT, "text/plain", &l, &r), 0);
	assert_int_equal(r.source, TEXT_PLAIN);
	assert_string_equal(r.text, "企业名称,从业人数\n衡阳智造科技有限公司,38");
	text_result_free(&r);
}

static void test_max_bytes(void **state)
{
	static const char *const files[][2] = {
		{ "form.docx", MIME_DOCX }, { "sheet.xlsx", MIME_XLSX },
		{ "text.pdf", "application/pdf" }, { "form.rtf", "text/rtf" },
	};
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		for (size_t max = 1; max < 30; max += 7) {
			l.max_bytes = max;
			assert_int_equal(extract_file(files[i][0], SNIFF_DOCUMENT, files[i][1], &l, &r),
			                 0);
			assert_shape(&r, &l);
			assert_true(r.truncated || r.text == NULL);
			text_result_free(&r);
		}
	}
}

static void test_zip_bomb_refused(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;

	(void)state;
	/* word/document.xml inflates to 4 MiB */
	l.max_xml_bytes = 1 << 20;
	assert_int_equal(extract_file("bomb.docx", SNIFF_DOCUMENT, MIME_DOCX, &l, &r), 0);
	assert_int_equal(r.source, TEXT_NONE);
	assert_null(r.text);
	assert_string_equal(r.note, "文档部件 word/document.xml 超过大小上限，未读取");
	assert_true(r.truncated);
	text_result_free(&r);

	/* under a larger limit it is read, but only max_bytes of it */
	l.max_xml_bytes = 8 << 20;
	l.max_bytes = 4096;
	assert_int_equal(extract_file("bomb.docx", SNIFF_DOCUMENT, MIME_DOCX, &l, &r), 0);
	assert_int_equal(r.source, TEXT_OOXML);
	assert_true(r.len <= 4096 && r.len > 4000);
	assert_true(r.truncated);
	assert_shape(&r, &l);
	text_result_free(&r);
}

/* Every fixture cut short at many lengths, and flipped bytes: no crash,
 * the shape holds, and garbage says nothing. */
static void test_truncated_and_garbage(void **state)
{
	static const char *const files[][3] = {
		{ "form.docx", MIME_DOCX, "" }, { "sheet.xlsx", MIME_XLSX, "" },
		{ "slides.pptx", MIME_PPTX, "" }, { "text.pdf", "application/pdf", "" },
		{ "encrypted.pdf", "application/pdf", "" }, { "form.rtf", "text/rtf", "" },
	};
	struct text_limits l = lim_default();
	struct text_result r;
	unsigned seed = 9;

	(void)state;
	l.ocr = false;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = tu_printf(DATA "%s", files[i][0]);
		size_t len;
		char *buf = tu_read_file(path, &len);

		assert_non_null(buf);
		for (size_t cut = 0; cut < len; cut += len / 23 + 1) {
			assert_int_equal(extract_mem(buf, cut ? cut : 1, SNIFF_DOCUMENT, files[i][1], &l,
			                             &r), 0);
			assert_shape(&r, &l);
			if (r.text == NULL)
				assert_non_null(r.note);
			text_result_free(&r);
		}
		for (int k = 0; k < 20; k++) {
			char *m = malloc(len);
			assert_non_null(m);
			memcpy(m, buf, len);
			for (int j = 0; j < 8; j++)
				m[rand_r(&seed) % len] = (char)rand_r(&seed);
			assert_int_equal(extract_mem(m, len, SNIFF_DOCUMENT, files[i][1], &l, &r), 0);
			assert_shape(&r, &l);
			text_result_free(&r);
			free(m);
		}
		free(buf);
		free(path);
	}
	{
		char g[4096];
		static const char *const mimes[] = {
			MIME_DOCX, "application/pdf", "application/msword", "image/png", "image/jpeg",
		};
		for (size_t i = 0; i < sizeof(g); i++)
			g[i] = (char)rand_r(&seed);
		for (size_t i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++) {
			l.ocr = true;
			memcpy(g, i == 1 ? "%PDF-1.7" : i == 2 ? "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" :
			          i == 3 ? "\x89PNG\r\n\x1A\n" : "PK\3\4\0\0\0\0", 8);
			assert_int_equal(extract_mem(g, sizeof(g), SNIFF_DOCUMENT, mimes[i], &l, &r), 0);
			assert_int_equal(r.source, TEXT_NONE);
			assert_null(r.text);
			assert_non_null(r.note);
			text_result_free(&r);
		}
	}
	/* an empty file */
	{
		int fd = memfd_create("empty", MFD_CLOEXEC);
		assert_int_equal(text_extract(fd, SNIFF_DOCUMENT, "application/pdf", &l, &r), 0);
		assert_int_equal(r.source, TEXT_NONE);
		assert_string_equal(r.note, "空文件");
		text_result_free(&r);
		close(fd);
	}
}

/* ---- legacy OLE2 documents, built with libgsf ---- */

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xFFFF);
	put16(p + 2, v >> 16);
}

struct stream {
	const char *name;
	const unsigned char *data;
	size_t len;
};

static unsigned char *ole_build(const struct stream *s, size_t n, size_t *len_r)
{
	GsfOutput *sink;
	GsfOutfile *ole;
	unsigned char *out;

	gsf_init();
	sink = gsf_output_memory_new();
	ole = gsf_outfile_msole_new(sink);
	assert_non_null(ole);
	for (size_t i = 0; i < n; i++) {
		GsfOutput *c = gsf_outfile_new_child(GSF_OUTFILE(ole), s[i].name, FALSE);
		assert_true(gsf_output_write(c, s[i].len, s[i].data));
		gsf_output_close(c);
		g_object_unref(c);
	}
	gsf_output_close(GSF_OUTPUT(ole));
	g_object_unref(ole);
	*len_r = (size_t)gsf_output_size(sink);
	out = malloc(*len_r);
	assert_non_null(out);
	memcpy(out, gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(sink)), *len_r);
	g_object_unref(sink);
	return out;
}

/* UTF-8 to UTF-16LE (BMP), the Word/Excel way; returns code units. */
static size_t utf16(const char *s, unsigned char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 0;

	while (*u) {
		unsigned c;
		if (*u < 0x80)
			c = *u++;
		else if ((*u & 0xE0) == 0xC0)
			c = (unsigned)(u[0] & 0x1F) << 6 | (u[1] & 0x3F), u += 2;
		else
			c = (unsigned)(u[0] & 0x0F) << 12 | (unsigned)(u[1] & 0x3F) << 6 | (u[2] & 0x3F),
			u += 3;
		put16(out + 2 * n++, c);
	}
	return n;
}

/*
 * A Word 97 document: FIB (csw 14, cslw 22 with ccpText, cbRgFcLcb 93
 * with fcClx/lcbClx), text at 0x400, the Clx in 1Table with two pieces:
 * UTF-16 Chinese (a paragraph, a two-cell table row, a field whose code is
 * hidden) and an 8-bit cp1252 piece.
 */
static unsigned char *make_doc(size_t *len_r)
{
	static const char piece1[] = "申请表\r项目\a数值\a\a场地面积\a12500\a\a"
	                             "\x13 PAGE \x14" "1\x15 页\r";
	static const char piece2[] = "Total 56\x96" "ok\r";
	unsigned char wd[4096] = { 0 }, tbl[256] = { 0 };
	size_t n1, n2 = sizeof(piece2) - 1;
	unsigned char *clx = tbl;
	uint32_t fc2;

	put16(wd, 0xA5EC);
	put16(wd + 2, 0x00C1);
	put16(wd + 0x0A, 0x0200);          /* fWhichTblStm: 1Table */
	put16(wd + 32, 14);
	put16(wd + 62, 22);
	put16(wd + 152, 93);
	n1 = utf16(piece1, wd + 0x400);
	fc2 = (uint32_t)(0x400 + n1 * 2);
	memcpy(wd + fc2, piece2, n2);
	put32(wd + 64 + 3 * 4, (uint32_t)(n1 + n2));    /* ccpText */
	/* Clx: Pcdt with PlcPcd of two pieces */
	clx[0] = 0x02;
	put32(clx + 1, 4 * 3 + 8 * 2);
	put32(clx + 5, 0);
	put32(clx + 9, (uint32_t)n1);
	put32(clx + 13, (uint32_t)(n1 + n2));
	put32(clx + 17 + 2, 0x400);                     /* piece 1: UTF-16 at 0x400 */
	put32(clx + 25 + 2, 0x40000000u | (fc2 * 2));   /* piece 2: compressed */
	put32(wd + 154 + 33 * 8, 0);                    /* fcClx */
	put32(wd + 154 + 33 * 8 + 4, 5 + 4 * 3 + 8 * 2);
	{
		struct stream s[] = { { "WordDocument", wd, sizeof(wd) }, { "1Table", tbl, sizeof(tbl) } };
		return ole_build(s, 2, len_r);
	}
}

static size_t rec(unsigned char *p, unsigned type, const unsigned char *data, size_t n)
{
	put16(p, type);
	put16(p + 2, (unsigned)n);
	memcpy(p + 4, data, n);
	return 4 + n;
}

/* A BIFF8 workbook: globals (BOF, FORMAT, XF, BOUNDSHEET, SST whose last
 * string is split by a CONTINUE record, EOF), one sheet (LABELSST,
 * NUMBER, RK; dates by their XF's format). */
static unsigned char *make_xls(size_t *len_r)
{
	unsigned char wb[2048], d[256];
	size_t o = 0, n;

	memset(d, 0, sizeof(d));
	put16(d, 0x0600);
	put16(d + 2, 0x0005);
	o += rec(wb + o, 0x0809, d, 16);
	/* a custom date format (164) and three XFs: general, 164, built-in 14 */
	put16(d, 164);
	n = utf16("yyyy\"年\"m\"月\"d\"日\"", d + 5);
	put16(d + 2, (unsigned)n);
	d[4] = 0x01;
	o += rec(wb + o, 0x041E, d, 5 + 2 * n);
	for (unsigned i = 0; i < 3; i++) {
		memset(d, 0, 20);
		put16(d + 2, i == 0 ? 0 : i == 1 ? 164 : 14);
		o += rec(wb + o, 0x00E0, d, 20);
	}
	memset(d, 0, sizeof(d));
	d[6] = 6;
	d[7] = 0;
	memcpy(d + 8, "Sheet1", 6);
	o += rec(wb + o, 0x0085, d, 14);
	/* SST: 3 strings, UTF-16 */
	put32(d, 3);
	put32(d + 4, 3);
	n = 8;
	{
		const char *strs[] = { "指标", "数值" };
		for (int i = 0; i < 2; i++) {
			size_t k = utf16(strs[i], d + n + 3);
			put16(d + n, (unsigned)k);
			d[n + 2] = 0x01;
			n += 3 + 2 * k;
		}
	}
	/* "说明书": the first glyph here, two in the CONTINUE */
	put16(d + n, 3);
	d[n + 2] = 0x01;
	n += 3;
	n += 2 * utf16("说", d + n);
	o += rec(wb + o, 0x00FC, d, n);
	d[0] = 0x01;
	n = 1 + 2 * utf16("明书", d + 1);
	o += rec(wb + o, 0x003C, d, n);
	o += rec(wb + o, 0x000A, d, 0);
	/* the sheet */
	memset(d, 0, sizeof(d));
	put16(d, 0x0600);
	put16(d + 2, 0x0010);
	o += rec(wb + o, 0x0809, d, 16);
	for (unsigned i = 0; i < 2; i++) {
		memset(d, 0, 10);
		put16(d, 0);
		put16(d + 2, i);
		put32(d + 6, i);
		o += rec(wb + o, 0x00FD, d, 10);
	}
	{
		double v = 12500;
		memset(d, 0, 14);
		put16(d, 1);
		memcpy(d + 6, &v, 8);
		o += rec(wb + o, 0x0203, d, 14);
	}
	memset(d, 0, 10);
	put16(d, 1);
	put16(d + 2, 1);
	put32(d + 6, (65u << 2) | 0x03);                /* RK: 65 / 100 */
	o += rec(wb + o, 0x027E, d, 10);
	memset(d, 0, 10);
	put16(d, 1);
	put16(d + 2, 3);
	put32(d + 6, 2);
	o += rec(wb + o, 0x00FD, d, 10);
	/* row 2: 42447 in XF 1 (custom date), 44927 in XF 2 (built-in date)
	 * as an integer RK, 44927 in XF 0 (a number) */
	{
		double v = 42447;
		memset(d, 0, 14);
		put16(d, 2);
		put16(d + 4, 1);
		memcpy(d + 6, &v, 8);
		o += rec(wb + o, 0x0203, d, 14);
		memset(d, 0, 10);
		put16(d, 2);
		put16(d + 2, 1);
		put16(d + 4, 2);
		put32(d + 6, (44927u << 2) | 0x02);
		o += rec(wb + o, 0x027E, d, 10);
		v = 44927;
		memset(d, 0, 14);
		put16(d, 2);
		put16(d + 2, 2);
		memcpy(d + 6, &v, 8);
		o += rec(wb + o, 0x0203, d, 14);
	}
	o += rec(wb + o, 0x000A, d, 0);
	{
		struct stream s[] = { { "Workbook", wb, o } };
		return ole_build(s, 1, len_r);
	}
}

/* With TEXTRACT_SEEDS=dir, the built files become fuzz_textract seeds
 * (its first byte picks the type: 4 msword, 5 ms-excel). */
static void write_seed(const char *name, unsigned char type, const void *buf, size_t len)
{
	const char *dir = getenv("TEXTRACT_SEEDS");
	char *path, *b;

	if (dir == NULL)
		return;
	path = tu_printf("%s/%s", dir, name);
	b = malloc(len + 1);
	assert_non_null(b);
	b[0] = (char)type;
	memcpy(b + 1, buf, len);
	assert_int_equal(tu_write_file(path, b, len + 1), 0);
	free(b);
	free(path);
}

static void test_legacy_word_and_excel(void **state)
{
	struct text_limits l = lim_default();
	struct text_result r;
	size_t len;
	unsigned char *doc, *xls;

	(void)state;
	doc = make_doc(&len);
	write_seed("legacy-doc", 4, doc, len);
	assert_int_equal(extract_mem(doc, len, SNIFF_DOCUMENT, "application/msword", &l, &r), 0);
	assert_int_equal(r.source, TEXT_LEGACY);
	assert_string_equal(r.text, "申请表\n项目\t数值\n场地面积\t12500\n1 页\nTotal 56–ok");
	text_result_free(&r);
	/* every truncation of it: no crash */
	for (size_t cut = 1; cut < len; cut += 97) {
		assert_int_equal(extract_mem(doc, cut, SNIFF_DOCUMENT, "application/msword", &l, &r), 0);
		assert_shape(&r, &l);
		text_result_free(&r);
	}
	free(doc);

	xls = make_xls(&len);
	write_seed("legacy-xls", 5, xls, len);
	assert_int_equal(extract_mem(xls, len, SNIFF_DOCUMENT, "application/vnd.ms-excel", &l, &r),
	                 0);
	assert_int_equal(r.source, TEXT_LEGACY);
	assert_string_equal(r.text, "指标\t数值\n12500\t0.65\t\t说明书\n2016-03-18\t2023-01-01\t44927");
	assert_int_equal(r.pages, 1);
	text_result_free(&r);
	free(xls);
}

static void test_wanted(void **state)
{
	(void)state;
	assert_true(text_wanted(SNIFF_IMAGE, "image/jpeg"));
	assert_true(text_wanted(SNIFF_DOCUMENT, "application/pdf"));
	assert_true(text_wanted(SNIFF_DOCUMENT, MIME_DOCX));
	assert_false(text_wanted(SNIFF_DOCUMENT, "application/ofd"));
	assert_false(text_wanted(SNIFF_ARCHIVE, "application/zip"));
	assert_false(text_wanted(SNIFF_EXECUTABLE, "application/x-dosexec"));
}

/* ---- inside the parse child's sandbox ---- */

static int sandboxed_checks(int docx, int pdf, int png)
{
	struct text_limits l = lim_default();
	struct text_result r;

	/* the engine is loaded inside the sandbox, as a fresh child would */
	ocr_end();
	if (text_extract(docx, SNIFF_DOCUMENT, MIME_DOCX, &l, &r) != 0 || r.source != TEXT_OOXML ||
	    strstr(r.text, "孵化场地面积\t12500\t平方米") == NULL)
		return 10;
	text_result_free(&r);
	if (text_extract(pdf, SNIFF_DOCUMENT, "application/pdf", &l, &r) != 0 ||
	    r.source != TEXT_PDF || strstr(r.text, "营业执照") == NULL)
		return 11;
	text_result_free(&r);
	if (text_extract(png, SNIFF_IMAGE, "image/png", &l, &r) != 0 || r.source != TEXT_OCR ||
	    strstr(r.text, "营业执照") == NULL || strstr(r.text, "91430400MA4L16XB1K") == NULL)
		return 12;
	text_result_free(&r);
	ocr_end();
	return 0;
}

static void test_under_the_sandbox(void **state)
{
	struct sandbox_user u = { 0 };
	char err[256], *dir = tu_tempdir();
	int docx = open(DATA "form.docx", O_RDONLY | O_CLOEXEC);
	int pdf = open(DATA "text.pdf", O_RDONLY | O_CLOEXEC);
	int png = open(DATA "licence.png", O_RDONLY | O_CLOEXEC);
	int workdir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), status;
	pid_t pid;

	(void)state;
	assert_true(docx >= 0 && pdf >= 0 && png >= 0 && workdir >= 0);
	assert_int_equal(sandbox_user_resolve("nobody", &u, err, sizeof(err)), 0);
	assert_int_equal(sandbox_prepare(err, sizeof(err)), 0);
	/* the parse child's descriptors: the files are readable by "nobody"
	 * only through these */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bool ll;
		if (sandbox_enter(&u, workdir, &ll, err, sizeof(err)) != 0) {
			fprintf(stderr, "sandbox_enter: %s\n", err);
			_exit(2);
		}
		if (!ll && sandbox_landlock_abi() > 0)
			_exit(3);       /* the kernel has Landlock: it must be on */
		_exit(sandboxed_checks(docx, pdf, png));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the sandboxed child died of signal %d%s", WTERMSIG(status),
		         WTERMSIG(status) == SIGSYS ? " (a system call the filter kills)" : "");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(docx);
	close(pdf);
	close(png);
	close(workdir);
	tu_rmrf(dir);
	free(dir);
}

int main(int argc, char **argv)
{
	/* libgomp reads OMP_THREAD_LIMIT before main() (see ocr.c): start
	 * again with it, or the sandboxed child forked after OCR ran here
	 * would inherit a dead OpenMP pool. */
	if (getenv("OMP_THREAD_LIMIT") == NULL) {
		setenv("OMP_THREAD_LIMIT", "1", 1);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "re-exec: %s\n", strerror(errno));
		return 1;
	}
	(void)argc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docx_paragraphs_and_table),
		cmocka_unit_test(test_docx_other_writers),
		cmocka_unit_test(test_xlsx_sheets),
		cmocka_unit_test(test_pptx_slides_in_order),
		cmocka_unit_test(test_pdf_text_layer),
		cmocka_unit_test(test_pdf_encrypted),
		cmocka_unit_test(test_pdf_deadline),
		cmocka_unit_test(test_rtf_and_csv),
		cmocka_unit_test(test_legacy_word_and_excel),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_zip_bomb_refused),
		cmocka_unit_test(test_truncated_and_garbage),
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_ocr_image),
		cmocka_unit_test(test_ocr_turned_page),
		cmocka_unit_test(test_ocr_scanned_pdf),
		cmocka_unit_test(test_ocr_limits),
		cmocka_unit_test(test_under_the_sandbox),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * textract.h - the words a document says: text of the first pages of
 * OOXML (DOCX/XLSX/PPTX), PDF text layers, legacy OLE2 Word/Excel/WPS
 * where readable, and OCR of images and PDFs without a text layer.
 *
 * Pure over bytes: reads one file open on fd, no network, no database,
 * no writes.  Runs only in the sandboxed parse child (everything it
 * parses is hostile).  Every limit is a hard bound: bytes of text out,
 * pages, XML bytes read, pixels rendered, OCR milliseconds.
 *
 * Text shape, what classify.c and eligibility.c read:
 *   - UTF-8, '\n' between paragraphs/lines, no '\r';
 *   - a table row is one line, its cells separated by '\t' (merged
 *     cells appear once); spreadsheet rows likewise;
 *   - runs of white space inside a cell collapse to one space;
 *   - a form feed '\f' between pages/slides/sheets.
 */
#ifndef INTAKE_TEXTRACT_H
#define INTAKE_TEXTRACT_H

#include <stdbool.h>
#include <stddef.h>

enum text_source {
	TEXT_NONE = 0,    /* nothing read (note says why) */
	TEXT_OOXML,       /* DOCX/XLSX/PPTX parts */
	TEXT_PDF,         /* a PDF text layer */
	TEXT_LEGACY,      /* OLE2 .doc/.xls/.wps/.et */
	TEXT_PLAIN,       /* text/plain, text/csv, RTF stripped */
	TEXT_OCR,         /* Tesseract over an image or a rendered PDF page */
};

struct text_limits {
	size_t max_bytes;     /* text out (default 64 KiB) */
	unsigned max_pages;   /* pages/slides/sheets read (default 2) */
	size_t max_xml_bytes; /* decompressed XML read per OOXML part (default 32 MiB) */
	bool ocr;             /* [intake] ocr = on|off */
	unsigned ocr_ms;      /* wall-clock budget per file for OCR (default 20000) */
	unsigned ocr_pages;   /* pages OCR'd (default 1) */
	size_t max_pixels;    /* decoded/rendered image size (default 40 Mpx) */
	const char *ocr_langs; /* default "chi_sim+eng" */
	const char *tessdata; /* NULL = Tesseract's default data path */
};

struct text_result {
	char *text;           /* NUL-terminated, len bytes; NULL when nothing */
	size_t len;
	enum text_source source;
	int confidence;       /* 0..100: OCR mean word confidence; 100 for text layers */
	unsigned pages;       /* pages the document has, when known (0 unknown) */
	bool truncated;       /* stopped at a limit */
	char *note;           /* Chinese, for staff: why there is no text ("PDF 已加密",
	                         "扫描件，未启用文字识别", "文字识别超时") or NULL */
};

/* Fill unset (zero) limits with the defaults. */
void text_limits_fill(struct text_limits *l);

/*
 * Extract the text of the file open on fd (read from offset 0).  kind is
 * its enum sniff_kind, mime its sniffed type ("application/pdf",
 * "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
 * "image/jpeg" ...).  Returns 0 with r filled (r->source TEXT_NONE and a
 * note when the file says nothing readable), -1 on allocation failure.
 * Never crashes or loops on malformed input: that is what fuzz_textract
 * is for.
 */
int text_extract(int fd, int kind, const char *mime, const struct text_limits *lim,
                 struct text_result *r);
void text_result_free(struct text_result *r);

/* The kinds worth extracting: documents and images. */
bool text_wanted(int kind, const char *mime);

#endif

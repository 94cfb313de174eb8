/*
 * textract.c - the text of the first pages of a document (see textract.h).
 *
 * The file is mapped read-only and every reader works over that buffer:
 * libarchive (zip) + libxml2's streaming reader for OOXML, MuPDF for PDF
 * (its allocations counted against a budget), libgsf for OLE2 Word/Excel
 * binaries, a small scanner for RTF and plain text, and ocr.c for images
 * and PDF pages without a text layer.  All output goes through one bounded
 * text builder (struct tb) that gives the shape textract.h promises.
 */
#include "textract.h"

#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/xmlreader.h>
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-utils.h>

#include "ocr.h"
#include "sniff.h"

#define TX_DEFAULT_BYTES   (64U << 10)
#define TX_DEFAULT_PAGES   2U
#define TX_DEFAULT_XML     (32U << 20)
#define TX_DEFAULT_OCR_MS  20000U
#define TX_DEFAULT_PX      (40U * 1000U * 1000U)
#define TX_MAX_XML_DEPTH   256
#define TX_MAX_COL_GAP     64     /* empty cells kept for a spreadsheet column gap */
#define TX_OCR_MIN_CHARS   16     /* a PDF page with fewer is "without text" */
#define TX_MAX_FILE        ((size_t)1 << 30)

void text_limits_fill(struct text_limits *l)
{
	if (l->max_bytes == 0)
		l->max_bytes = TX_DEFAULT_BYTES;
	if (l->max_pages == 0)
		l->max_pages = TX_DEFAULT_PAGES;
	if (l->max_xml_bytes == 0)
		l->max_xml_bytes = TX_DEFAULT_XML;
	if (l->ocr_ms == 0)
		l->ocr_ms = TX_DEFAULT_OCR_MS;
	if (l->ocr_pages == 0)
		l->ocr_pages = 1;
	if (l->max_pixels == 0)
		l->max_pixels = TX_DEFAULT_PX;
	if (l->ocr_langs == NULL)
		l->ocr_langs = "chi_sim+eng";
}

bool text_wanted(int kind, const char *mime)
{
	if (kind == SNIFF_IMAGE)
		return true;
	if (kind != SNIFF_DOCUMENT || mime == NULL)
		return false;
	/* OFD and ODF: no reader here (yet). */
	return strcmp(mime, "application/ofd") != 0 &&
	       strncmp(mime, "application/vnd.oasis.opendocument.", 35) != 0;
}

/* ---- the text builder ---- */

struct tb {
	char *p;
	size_t len, cap, max;
	bool full;          /* max reached: readers stop */
	bool space;         /* white space seen since the last character */
	bool nomem;
	unsigned pages;     /* page breaks written + 1 once there is text */
};

static int tb_reserve(struct tb *b, size_t n)
{
	char *np;
	size_t ncap;

	if (b->len + n + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < b->len + n + 1)
		ncap *= 2;
	if ((np = realloc(b->p, ncap)) == NULL) {
		b->nomem = b->full = true;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

static char tb_last(const struct tb *b)
{
	return b->len ? b->p[b->len - 1] : '\n';
}

/* Raw bytes (one whole UTF-8 sequence at most per call site's chunk). */
static void tb_raw(struct tb *b, const char *s, size_t n)
{
	if (b->full)
		return;
	if (b->len + n > b->max) {
		b->full = true;
		return;
	}
	if (tb_reserve(b, n) != 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	unsigned c = s[0];
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	cp = k == 2 ? (c & 0x1Fu) : k == 3 ? (c & 0x0Fu) : (c & 0x07u);
	for (size_t i = 1; i < k; i++)
		cp = cp << 6 | (s[i] & 0x3Fu);
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k;
}

/*
 * Text inside a line or cell: white space (ASCII, NBSP, U+3000 ideographic
 * space) collapses to one space, never at the start of a line or cell;
 * control characters and invalid UTF-8 are dropped.
 */
static void tb_text(struct tb *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n && !b->full) {
		if (u[i] == ' ' || u[i] == '\t' || u[i] == '\n' || u[i] == '\r' ||
		    u[i] == '\f' || u[i] == '\v') {
			b->space = true;
			i++;
			continue;
		}
		if (u[i] < 0x20 || u[i] == 0x7F) {
			i++;
			continue;
		}
		if ((k = utf8_len(u + i, n - i)) == 0) {
			i++;
			continue;
		}
		if ((k == 2 && u[i] == 0xC2 && u[i + 1] == 0xA0) ||
		    (k == 3 && u[i] == 0xE3 && u[i + 1] == 0x80 && u[i + 2] == 0x80)) {
			b->space = true;
			i += k;
			continue;
		}
		if (b->space) {
			char last = tb_last(b);
			if (last != '\n' && last != '\t' && last != '\f')
				tb_raw(b, " ", 1);
			b->space = false;
		}
		tb_raw(b, s + i, k);
		i += k;
	}
}

static void tb_str(struct tb *b, const char *s)
{
	tb_text(b, s, strlen(s));
}

/* One character of the Basic Multilingual Plane, as UTF-8, through
 * tb_text. */
static void tb_bmp(struct tb *b, uint32_t c)
{
	char u[3];
	size_t n = 0;

	if (c < 0x80) {
		u[n++] = (char)c;
	} else if (c < 0x800) {
		u[n++] = (char)(0xC0 | c >> 6);
		u[n++] = (char)(0x80 | (c & 0x3F));
	} else {
		u[n++] = (char)(0xE0 | c >> 12);
		u[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[n++] = (char)(0x80 | (c & 0x3F));
	}
	tb_text(b, u, n);
}

/* Ends a line; blank lines are not written. */
static void tb_nl(struct tb *b)
{
	char last = tb_last(b);

	b->space = false;
	if (last != '\n' && last != '\f')
		tb_raw(b, "\n", 1);
}

static void tb_tab(struct tb *b)
{
	b->space = false;
	tb_raw(b, "\t", 1);
}

/* A page break: the page's last newline becomes '\f'.  Nothing when the
 * page said nothing. */
static void tb_page(struct tb *b)
{
	b->space = false;
	if (b->len == 0 || tb_last(b) == '\f')
		return;
	if (tb_last(b) == '\n')
		b->p[b->len - 1] = '\f';
	else
		tb_raw(b, "\f", 1);
}

/* Trailing tabs of a row go; an empty row is not a line. */
static void tb_row_end(struct tb *b, size_t row_start)
{
	while (b->len > row_start && b->p[b->len - 1] == '\t')
		b->len--;
	if (b->p)
		b->p[b->len] = '\0';
	tb_nl(b);
}

static void tb_finish(struct tb *b, struct text_result *r)
{
	while (b->len > 0 && (b->p[b->len - 1] == '\n' || b->p[b->len - 1] == '\f' ||
	                      b->p[b->len - 1] == '\t' || b->p[b->len - 1] == ' '))
		b->len--;
	if (b->len == 0) {
		free(b->p);
		b->p = NULL;
	} else {
		b->p[b->len] = '\0';
	}
	r->text = b->p;
	r->len = b->len;
	r->truncated = r->truncated || b->full;
	b->p = NULL;
	b->len = b->cap = 0;
}

static void set_note(struct text_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_note(struct text_result *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (r->note != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		r->note = s;
	va_end(ap);
}

static size_t count_visible(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char u = (unsigned char)s[i];
		if (u > 0x20 && (u & 0xC0) != 0x80)
			c++;
	}
	return c;
}

/* ---- OOXML ---- */

struct zsrc {
	struct archive *a;
	size_t read, max;
	bool over;
	bool failed;
};

static int zread(void *ctx, char *buf, int len)
{
	struct zsrc *z = ctx;
	la_ssize_t n;

	if (z->over)
		return -1;
	n = archive_read_data(z->a, buf, (size_t)len);
	if (n < 0) {
		z->failed = true;
		return -1;
	}
	z->read += (size_t)n;
	if (z->read > z->max) {
		z->over = true;
		return -1;
	}
	return (int)n;
}

static int zclose(void *ctx)
{
	(void)ctx;
	return 0;
}

static void xml_quiet(void *arg, xmlErrorPtr err)
{
	(void)arg;
	(void)err;
}

enum part_kind { PART_DOCX, PART_SST, PART_STYLES, PART_SHEET, PART_SLIDE };

#define XLSX_MAX_XF 4096

struct xlsx_sst {
	char **s;
	size_t n, cap;
	size_t bytes, max_bytes;
	/* styles: which cell formats (cellXfs index) show a date */
	bool xf_date[XLSX_MAX_XF];
	unsigned char custom_date[64];  /* bitmap of custom numFmtIds 164..675 */
};

struct part_ctx {
	enum part_kind kind;
	struct tb *b;
	struct xlsx_sst *sst;
	const struct text_limits *lim;
	unsigned page_breaks;   /* DOCX: explicit breaks seen */
	size_t mark;            /* b->len at the last break */
	bool stop;
};

static bool name_is(const xmlChar *local, const xmlChar *prefix, const char *p, const char *l)
{
	return local != NULL && strcmp((const char *)local, l) == 0 &&
	       (p == NULL || (prefix != NULL && strcmp((const char *)prefix, p) == 0));
}

/* An attribute of WordprocessingML (transitional or strict), whatever
 * prefix the writer chose. */
static xmlChar *docx_attr(xmlTextReaderPtr rd, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttributeNs(rd, (const xmlChar *)name,
	        BAD_CAST "http://schemas.openxmlformats.org/wordprocessingml/2006/main");

	if (v == NULL)
		v = xmlTextReaderGetAttributeNs(rd, (const xmlChar *)name,
		        BAD_CAST "http://purl.oclc.org/ooxml/wordprocessingml/main");
	return v;
}

static void docx_page_break(struct part_ctx *c)
{
	if (c->b->len == c->mark)
		return;
	c->page_breaks++;
	if (c->page_breaks >= c->lim->max_pages) {
		c->stop = true;
		c->b->full = true;      /* the rest is not read: truncated */
		return;
	}
	tb_page(c->b);
	c->mark = c->b->len;
}

/* The next node of a part: 1 with its type and local name; 0 at the end
 * or on a read error (the part ends as read); -1 when nested deeper than
 * TX_MAX_XML_DEPTH. */
static int xml_next(xmlTextReaderPtr rd, int *type, const xmlChar **ln)
{
	if (xmlTextReaderRead(rd) != 1)
		return 0;
	if (xmlTextReaderDepth(rd) > TX_MAX_XML_DEPTH)
		return -1;
	*type = xmlTextReaderNodeType(rd);
	*ln = xmlTextReaderConstLocalName(rd);
	return 1;
}

/* The row of an outer table being read in document.xml or a slide: a
 * row is a line, and each cell after the first starts with '\t'. */
struct xml_row {
	size_t start;           /* where the row's text begins in b */
	bool first_cell;
};

static void xml_row_start(struct tb *b, struct xml_row *row)
{
	tb_nl(b);
	row->start = b->len;
	row->first_cell = true;
}

static void xml_cell_start(struct tb *b, struct xml_row *row)
{
	if (!row->first_cell)
		tb_tab(b);
	row->first_cell = false;
}

/* The reader's current text node, appended to b. */
static void tb_xml_text(struct tb *b, xmlTextReaderPtr rd)
{
	const xmlChar *v = xmlTextReaderConstValue(rd);

	if (v != NULL)
		tb_text(b, (const char *)v, strlen((const char *)v));
}

/*
 * word/document.xml: w:p ends a line; inside an outer table's cell a
 * paragraph is a space; w:tr is a line, w:tc cells separated by '\t';
 * nested tables fold into their cell.  mc:Fallback repeats mc:Choice and
 * is skipped, as are deleted text and field codes (not w:t).
 */
static int parse_docx(xmlTextReaderPtr rd, struct part_ctx *c)
{
	struct tb *b = c->b;
	int tbl = 0, skip_depth = -1, r;
	bool in_t = false;
	struct xml_row row = { 0, true };

	while (!c->stop && !b->full && (r = xmlTextReaderRead(rd)) == 1) {
		int type = xmlTextReaderNodeType(rd);
		int depth = xmlTextReaderDepth(rd);
		const xmlChar *ln = xmlTextReaderConstLocalName(rd);

		if (depth > TX_MAX_XML_DEPTH)
			return -1;
		if (skip_depth >= 0) {
			if (type == XML_READER_TYPE_END_ELEMENT && depth == skip_depth)
				skip_depth = -1;
			continue;
		}
		if (type == XML_READER_TYPE_ELEMENT) {
			bool empty = xmlTextReaderIsEmptyElement(rd);
			if (name_is(ln, NULL, NULL, "Fallback") && !empty) {
				skip_depth = depth;
			} else if (name_is(ln, NULL, NULL, "t")) {
				in_t = !empty;
			} else if (name_is(ln, NULL, NULL, "tab")) {
				b->space = true;
			} else if (name_is(ln, NULL, NULL, "br") || name_is(ln, NULL, NULL, "cr")) {
				xmlChar *t = docx_attr(rd, "type");
				if (t != NULL && strcmp((char *)t, "page") == 0 && tbl == 0)
					docx_page_break(c);
				else if (tbl > 0)
					b->space = true;
				else
					tb_nl(b);
				xmlFree(t);
			} else if (name_is(ln, NULL, NULL, "lastRenderedPageBreak") && tbl == 0) {
				docx_page_break(c);
			} else if (name_is(ln, NULL, NULL, "tbl") && !empty) {
				if (tbl++ == 0)
					tb_nl(b);
			} else if (name_is(ln, NULL, NULL, "tr") && tbl == 1 && !empty) {
				xml_row_start(b, &row);
			} else if (name_is(ln, NULL, NULL, "tc") && tbl == 1) {
				xml_cell_start(b, &row);
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (name_is(ln, NULL, NULL, "t")) {
				in_t = false;
			} else if (name_is(ln, NULL, NULL, "p")) {
				if (tbl == 0)
					tb_nl(b);
				else
					b->space = true;
			} else if (name_is(ln, NULL, NULL, "tr") && tbl == 1) {
				tb_row_end(b, row.start);
			} else if (name_is(ln, NULL, NULL, "tbl") && tbl > 0) {
				tbl--;
			}
		} else if ((type == XML_READER_TYPE_TEXT ||
		            type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
		            type == XML_READER_TYPE_CDATA) && in_t) {
			tb_xml_text(b, rd);
		}
	}
	return 0;
}

/* PPTX slide: a:p a line, a:br a line, a:t text, a:tbl rows and cells. */
static int parse_slide(xmlTextReaderPtr rd, struct part_ctx *c)
{
	struct tb *b = c->b;
	int r = 0, type;
	const xmlChar *ln;
	bool in_t = false;
	struct xml_row row = { 0, true };
	int tbl = 0;

	while (!b->full && (r = xml_next(rd, &type, &ln)) == 1) {
		if (type == XML_READER_TYPE_ELEMENT) {
			bool empty = xmlTextReaderIsEmptyElement(rd);
			if (name_is(ln, NULL, NULL, "t"))
				in_t = !empty;
			else if (name_is(ln, NULL, NULL, "br"))
				tbl ? (void)(b->space = true) : tb_nl(b);
			else if (name_is(ln, NULL, NULL, "tbl") && !empty)
				tbl++;
			else if (name_is(ln, NULL, NULL, "tr") && tbl == 1 && !empty)
				xml_row_start(b, &row);
			else if (name_is(ln, NULL, NULL, "tc") && tbl == 1)
				xml_cell_start(b, &row);
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (name_is(ln, NULL, NULL, "t"))
				in_t = false;
			else if (name_is(ln, NULL, NULL, "p"))
				tbl ? (void)(b->space = true) : tb_nl(b);
			else if (name_is(ln, NULL, NULL, "tr") && tbl == 1)
				tb_row_end(b, row.start);
			else if (name_is(ln, NULL, NULL, "tbl") && tbl > 0)
				tbl--;
		} else if ((type == XML_READER_TYPE_TEXT ||
		            type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) && in_t) {
			tb_xml_text(b, rd);
		}
	}
	return r < 0 ? -1 : 0;
}

/* xl/sharedStrings.xml: each si's t runs (not the phonetic rPh). */
static int parse_sst(xmlTextReaderPtr rd, struct part_ctx *c)
{
	struct xlsx_sst *sst = c->sst;
	struct tb cur = { .max = 4096 };
	bool in_si = false, in_t = false;
	int rph = 0, r, ret = 0, type;
	const xmlChar *ln;

	while ((r = xml_next(rd, &type, &ln)) == 1) {
		if (type == XML_READER_TYPE_ELEMENT) {
			bool empty = xmlTextReaderIsEmptyElement(rd);
			if (name_is(ln, NULL, NULL, "si")) {
				in_si = true;
				cur.len = 0;
				cur.full = cur.space = false;
				if (cur.p)
					cur.p[0] = '\0';
				if (empty)
					goto si_end;
			} else if (name_is(ln, NULL, NULL, "rPh") && !empty) {
				rph++;
			} else if (name_is(ln, NULL, NULL, "t") && in_si && !rph) {
				in_t = !empty;
			}
			continue;
		}
		if (type == XML_READER_TYPE_END_ELEMENT) {
			if (name_is(ln, NULL, NULL, "t"))
				in_t = false;
			else if (name_is(ln, NULL, NULL, "rPh") && rph > 0)
				rph--;
			else if (name_is(ln, NULL, NULL, "si") && in_si)
				goto si_end;
			continue;
		}
		if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) &&
		    in_t)
			tb_xml_text(&cur, rd);
		continue;
si_end:
		in_si = in_t = false;
		if (sst->bytes + cur.len + 1 > sst->max_bytes)
			break;
		if (sst->n == sst->cap) {
			size_t ncap = sst->cap ? sst->cap * 2 : 256;
			char **ns = realloc(sst->s, ncap * sizeof(*ns));
			if (ns == NULL) {
				ret = -2;
				break;
			}
			sst->s = ns;
			sst->cap = ncap;
		}
		if ((sst->s[sst->n] = strndup(cur.p ? cur.p : "", cur.len)) == NULL) {
			ret = -2;
			break;
		}
		sst->bytes += cur.len + 1;
		sst->n++;
	}
	if (r < 0)
		ret = -1;
	if (cur.nomem)
		ret = -2;
	free(cur.p);
	return ret;
}

/* A number format code that shows a date: y, m with d, or d outside
 * quotes and brackets ("yyyy-mm-dd", "yyyy\"年\"m\"月\"d\"日\""). */
static bool format_is_date(const char *f)
{
	bool q = false, br = false, y = false, d = false;

	for (; *f; f++) {
		if (*f == '"')
			q = !q;
		else if (!q && *f == '[')
			br = true;
		else if (!q && *f == ']')
			br = false;
		else if (!q && !br && *f == '\\' && f[1])
			f++;
		else if (!q && !br && (*f == 'y' || *f == 'Y'))
			y = true;
		else if (!q && !br && (*f == 'd' || *f == 'D'))
			d = true;
	}
	return y || d;
}

/* Built-in number formats that show dates: 14-17, 22, 27-36 and 50-58
 * (the Chinese locale's 年月日 forms); custom ones (164 up) by bitmap. */
static bool numfmt_is_date(unsigned long n, const unsigned char *custom, size_t custom_bytes)
{
	return (n >= 14 && n <= 17) || n == 22 || (n >= 27 && n <= 36) || (n >= 50 && n <= 58) ||
	       (n >= 164 && n < 164 + 8 * custom_bytes && (custom[(n - 164) / 8] >> ((n - 164) % 8) & 1));
}

/* xl/styles.xml: numFmts (custom codes) then cellXfs (numFmtId per xf). */
static int parse_styles(xmlTextReaderPtr rd, struct part_ctx *c)
{
	struct xlsx_sst *st = c->sst;
	bool in_xfs = false;
	unsigned nxf = 0;
	int r, type;
	const xmlChar *ln;

	while ((r = xml_next(rd, &type, &ln)) == 1) {
		if (type == XML_READER_TYPE_END_ELEMENT && name_is(ln, NULL, NULL, "cellXfs"))
			break;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (name_is(ln, NULL, NULL, "numFmt")) {
			xmlChar *id = xmlTextReaderGetAttribute(rd, BAD_CAST "numFmtId");
			xmlChar *code = xmlTextReaderGetAttribute(rd, BAD_CAST "formatCode");
			unsigned long n = id ? strtoul((char *)id, NULL, 10) : 0;
			if (code && n >= 164 && n < 164 + 8 * sizeof(st->custom_date) &&
			    format_is_date((char *)code))
				st->custom_date[(n - 164) / 8] |= (unsigned char)(1u << ((n - 164) % 8));
			xmlFree(id);
			xmlFree(code);
		} else if (name_is(ln, NULL, NULL, "cellXfs")) {
			in_xfs = true;
		} else if (in_xfs && name_is(ln, NULL, NULL, "xf") && nxf < XLSX_MAX_XF) {
			xmlChar *id = xmlTextReaderGetAttribute(rd, BAD_CAST "numFmtId");
			unsigned long n = id ? strtoul((char *)id, NULL, 10) : 0;
			st->xf_date[nxf++] = numfmt_is_date(n, st->custom_date, sizeof(st->custom_date));
			xmlFree(id);
		}
	}
	return r < 0 ? -1 : 0;
}

/* An Excel serial day (1900 system) as YYYY-MM-DD; false when it is not
 * a plausible date. */
static bool serial_day(double d, char *out, size_t outlen)
{
	long days, z, era, doe, yoe, doy, mp, dd, mm, yy;

	if (!(d >= 1.0 && d < 2958466.0))
		return false;
	days = (long)d;
	if (days >= 60)
		days--;             /* Excel's 1900-02-29 */
	/* days since 1970-01-01 (serial 25569) -> civil date (Howard
	 * Hinnant's algorithm) */
	z = days - 25568 + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	dd = doy - (153 * mp + 2) / 5 + 1;
	mm = mp < 10 ? mp + 3 : mp - 9;
	yy = yoe + era * 400 + (mm <= 2);
	snprintf(out, outlen, "%04ld-%02ld-%02ld", yy, mm, dd);
	return true;
}

static bool serial_date(const char *v, char *out, size_t outlen)
{
	char *end;
	double d = strtod(v, &end);

	return end != v && *end == '\0' && serial_day(d, out, outlen);
}

/* "AB12" -> column 28 (1-based); 0 when not a reference. */
static unsigned col_of(const char *ref)
{
	unsigned col = 0;

	for (; *ref >= 'A' && *ref <= 'Z'; ref++) {
		col = col * 26 + (unsigned)(*ref - 'A' + 1);
		if (col > 20000)
			return 0;
	}
	return col;
}

/*
 * A worksheet: each row a line, its cells '\t'-separated at their column
 * (a gap of empty columns keeps its tabs, up to TX_MAX_COL_GAP); shared
 * strings looked up, numbers and inline strings as written.
 */
static int parse_sheet(xmlTextReaderPtr rd, struct part_ctx *c)
{
	struct tb *b = c->b;
	struct xlsx_sst *sst = c->sst;
	unsigned col = 0, next_col = 1;
	bool in_v = false, in_t = false, is_sst = false, is_date = false;
	size_t row_start = 0;
	int r = 0, type;
	const xmlChar *ln;

	while (!b->full && (r = xml_next(rd, &type, &ln)) == 1) {
		if (type == XML_READER_TYPE_ELEMENT) {
			bool empty = xmlTextReaderIsEmptyElement(rd);
			if (name_is(ln, NULL, NULL, "row")) {
				tb_nl(b);
				row_start = b->len;
				next_col = 1;
				if (empty)
					tb_row_end(b, row_start);
			} else if (name_is(ln, NULL, NULL, "c")) {
				xmlChar *ref = xmlTextReaderGetAttribute(rd, BAD_CAST "r");
				xmlChar *t = xmlTextReaderGetAttribute(rd, BAD_CAST "t");
				xmlChar *sx = xmlTextReaderGetAttribute(rd, BAD_CAST "s");
				unsigned long xf = sx ? strtoul((char *)sx, NULL, 10) : 0;
				col = ref ? col_of((const char *)ref) : 0;
				if (col == 0)
					col = next_col;
				is_sst = t != NULL && strcmp((char *)t, "s") == 0;
				/* a number shown as a date reads as one */
				is_date = (t == NULL || strcmp((char *)t, "n") == 0) &&
				          xf < XLSX_MAX_XF && sst->xf_date[xf];
				xmlFree(ref);
				xmlFree(t);
				xmlFree(sx);
				/* cells separated at their columns; a row starts at its
				 * first cell */
				if (b->len > row_start || next_col > 1) {
					unsigned gap = col > next_col ? col - next_col + 1 : 1;
					if (gap > TX_MAX_COL_GAP)
						gap = TX_MAX_COL_GAP;
					for (unsigned i = 0; i < gap; i++)
						tb_tab(b);
				}
				next_col = col + 1;
			} else if (name_is(ln, NULL, NULL, "v")) {
				in_v = !empty;
			} else if (name_is(ln, NULL, NULL, "t")) {
				in_t = !empty;
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (name_is(ln, NULL, NULL, "v"))
				in_v = false;
			else if (name_is(ln, NULL, NULL, "t"))
				in_t = false;
			else if (name_is(ln, NULL, NULL, "row"))
				tb_row_end(b, row_start);
		} else if (type == XML_READER_TYPE_TEXT && (in_v || in_t)) {
			const char *v = (const char *)xmlTextReaderConstValue(rd);
			if (v == NULL)
				continue;
			if (in_v && is_sst) {
				char *end;
				unsigned long i;
				errno = 0;
				i = strtoul(v, &end, 10);
				if (errno == 0 && end != v && i < sst->n)
					tb_str(b, sst->s[i]);
			} else if (in_v && is_date) {
				char date[64];
				tb_str(b, serial_date(v, date, sizeof(date)) ? date : v);
			} else {
				tb_text(b, v, strlen(v));
			}
		}
	}
	return r < 0 ? -1 : 0;
}

struct zip_job {
	const void *buf;
	size_t len;
	const struct text_limits *lim;
	struct text_result *r;
};

/*
 * Stream the member named name through the part parser.  1 done, 0 no
 * such member, -1 unreadable, -2 out of memory.  A member that says it is
 * bigger than max_xml_bytes is refused unread; one that grows past it is
 * cut there.
 */
static int zip_part(const struct zip_job *j, const char *name, struct part_ctx *pc)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int ret = 0, r;

	if (a == NULL)
		return -2;
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, j->buf, j->len) != ARCHIVE_OK) {
		ret = -1;
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *p = archive_entry_pathname(e);
		struct zsrc z = { .a = a, .max = j->lim->max_xml_bytes };
		xmlTextReaderPtr rd;

		if (p == NULL || strcmp(p, name) != 0)
			continue;
		if (archive_entry_size_is_set(e) &&
		    (uint64_t)archive_entry_size(e) > j->lim->max_xml_bytes) {
			set_note(j->r, "文档部件 %s 超过大小上限，未读取", name);
			j->r->truncated = true;
			ret = -1;
			goto out;
		}
		rd = xmlReaderForIO(zread, zclose, &z, NULL, NULL,
		                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		                    XML_PARSE_COMPACT);
		if (rd == NULL) {
			ret = -2;
			goto out;
		}
		xmlTextReaderSetStructuredErrorHandler(rd, xml_quiet, NULL);
		switch (pc->kind) {
		case PART_DOCX:
			r = parse_docx(rd, pc);
			break;
		case PART_SST:
			r = parse_sst(rd, pc);
			break;
		case PART_STYLES:
			r = parse_styles(rd, pc);
			break;
		case PART_SHEET:
			r = parse_sheet(rd, pc);
			break;
		default:
			r = parse_slide(rd, pc);
			break;
		}
		xmlFreeTextReader(rd);
		if (r == -2) {
			ret = -2;
			goto out;
		}
		if (z.over) {
			set_note(j->r, "文档部件 %s 超过大小上限，只读了前一部分", name);
			j->r->truncated = true;
		}
		ret = 1;
		goto out;
	}
	ret = r == ARCHIVE_EOF ? 0 : -1;
out:
	archive_read_free(a);
	return ret;
}

/* Members whose names are prefix<N>.xml, N >= 1: their count. */
static unsigned zip_count(const struct zip_job *j, const char *prefix, bool *is_zip)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t pl = strlen(prefix);
	unsigned n = 0, seen = 0;

	*is_zip = false;
	if (a == NULL)
		return 0;
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, j->buf, j->len) == ARCHIVE_OK) {
		int r;
		while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
			const char *p = archive_entry_pathname(e);
			*is_zip = true;
			if (++seen > 100000)
				break;
			if (p != NULL && strncmp(p, prefix, pl) == 0 && p[pl] >= '1' && p[pl] <= '9' &&
			    strspn(p + pl, "0123456789") + pl + 4 == strlen(p) &&
			    strcmp(p + strlen(p) - 4, ".xml") == 0)
				n++;
		}
	}
	archive_read_free(a);
	return n;
}

enum ooxml_type { OOXML_DOCX, OOXML_XLSX, OOXML_PPTX };

static int extract_ooxml(const void *buf, size_t len, enum ooxml_type t,
                         const struct text_limits *lim, struct text_result *r)
{
	struct zip_job j = { buf, len, lim, r };
	struct tb b = { .max = lim->max_bytes };
	struct xlsx_sst sst = { .max_bytes = lim->max_xml_bytes };
	struct part_ctx pc = { .b = &b, .sst = &sst, .lim = lim };
	bool is_zip = false;
	int ret = 0, rc;
	char name[64];

	if (t == OOXML_DOCX) {
		(void)zip_count(&j, "word/header", &is_zip);
		pc.kind = PART_DOCX;
		rc = zip_part(&j, "word/document.xml", &pc);
		if (rc == -2)
			goto nomem;
		if (pc.page_breaks > 0 || b.len > 0)
			r->pages = pc.stop ? 0 : pc.page_breaks + 1;
	} else {
		const char *prefix = t == OOXML_XLSX ? "xl/worksheets/sheet" : "ppt/slides/slide";
		unsigned n = zip_count(&j, prefix, &is_zip);
		r->pages = n;
		if (t == OOXML_XLSX) {
			pc.kind = PART_SST;
			if (zip_part(&j, "xl/sharedStrings.xml", &pc) == -2)
				goto nomem;
			pc.kind = PART_STYLES;
			if (zip_part(&j, "xl/styles.xml", &pc) == -2)
				goto nomem;
		}
		pc.kind = t == OOXML_XLSX ? PART_SHEET : PART_SLIDE;
		/* Sheets/slides by their number: sheet1, sheet2 ... (the
		 * workbook order in all files Excel and WPS write). */
		for (unsigned i = 1, done = 0; i <= n && i <= 4096 && done < lim->max_pages; i++) {
			snprintf(name, sizeof(name), "%s%u.xml", prefix, i);
			rc = zip_part(&j, name, &pc);
			if (rc == -2)
				goto nomem;
			if (rc == 1) {
				done++;
				tb_page(&b);
				if (done == lim->max_pages && done < n)
					r->truncated = true;
			}
		}
	}
	if (b.nomem)
		goto nomem;
	tb_finish(&b, r);
	if (r->text != NULL) {
		r->source = TEXT_OOXML;
		r->confidence = 100;
	} else {
		set_note(r, is_zip ? "文档中没有文字" : "文档已损坏，无法读取");
	}
	goto out;
nomem:
	ret = -1;
out:
	for (size_t i = 0; i < sst.n; i++)
		free(sst.s[i]);
	free(sst.s);
	free(b.p);
	return ret;
}

/* ---- PDF (MuPDF) ---- */

/*
 * MuPDF's allocations: a byte budget, and a clock.  MuPDF has no deadline
 * of its own; a hostile page can take long to interpret, and nearly all
 * of that work allocates, so every 8th allocation checks the clock and,
 * past the deadline, fails (and every one after it): MuPDF throws, the
 * page is given up.  Device calls (one per text run, path, image) check
 * it too: see dl_wrap().
 */
struct fz_budget {
	size_t used, max;
	long long deadline;     /* CLOCK_MONOTONIC ms */
	unsigned calls;
	bool expired;
};

static long long mono_ms(void);

static bool fzb_expired(struct fz_budget *bu)
{
	if (!bu->expired && (++bu->calls & 7) == 0 && mono_ms() > bu->deadline)
		bu->expired = true;
	return bu->expired;
}

/* 16 bytes before each block hold its size (keeps max_align_t alignment). */
#define FZ_HDR 16

static void *fzb_malloc(void *user, size_t size)
{
	struct fz_budget *bu = user;
	unsigned char *p;

	if (size > bu->max - bu->used || size > SIZE_MAX - FZ_HDR || fzb_expired(bu))
		return NULL;
	if ((p = malloc(size + FZ_HDR)) == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	bu->used += size;
	return p + FZ_HDR;
}

static void fzb_free(void *user, void *ptr)
{
	struct fz_budget *bu = user;
	unsigned char *p;
	size_t size;

	if (ptr == NULL)
		return;
	p = (unsigned char *)ptr - FZ_HDR;
	memcpy(&size, p, sizeof(size));
	bu->used -= size;
	free(p);
}

static void *fzb_realloc(void *user, void *ptr, size_t size)
{
	struct fz_budget *bu = user;
	unsigned char *p, *np;
	size_t old;

	if (ptr == NULL)
		return fzb_malloc(user, size);
	if (size == 0) {
		fzb_free(user, ptr);
		return NULL;
	}
	p = (unsigned char *)ptr - FZ_HDR;
	memcpy(&old, p, sizeof(old));
	if (size > old && (size - old > bu->max - bu->used || size > SIZE_MAX - FZ_HDR))
		return NULL;
	if (fzb_expired(bu))
		return NULL;
	if ((np = realloc(p, size + FZ_HDR)) == NULL)
		return NULL;
	memcpy(np, &size, sizeof(size));
	bu->used = bu->used - old + size;
	return np + FZ_HDR;
}

/*
 * The deadline on the device side: a page whose content stream draws the
 * same glyph ten million times allocates little.  The device MuPDF
 * interprets into (stext or draw) has its drawing calls wrapped: each
 * checks the clock first and throws past the deadline.  One device at a
 * time (the parse child is single-threaded), so the originals live in a
 * static.
 */
static struct {
	fz_device orig;
	struct fz_budget *bu;
} dl;

static void dl_check(fz_context *ctx)
{
	if (dl.bu != NULL && (dl.bu->expired || mono_ms() > dl.bu->deadline)) {
		dl.bu->expired = true;
		fz_throw(ctx, FZ_ERROR_GENERIC, "deadline");
	}
}

static void dl_fill_path(fz_context *ctx, fz_device *dev, const fz_path *p, int eo, fz_matrix m,
                         fz_colorspace *cs, const float *c, float a, fz_color_params cp)
{
	dl_check(ctx);
	dl.orig.fill_path(ctx, dev, p, eo, m, cs, c, a, cp);
}

static void dl_stroke_path(fz_context *ctx, fz_device *dev, const fz_path *p,
                           const fz_stroke_state *st, fz_matrix m, fz_colorspace *cs,
                           const float *c, float a, fz_color_params cp)
{
	dl_check(ctx);
	dl.orig.stroke_path(ctx, dev, p, st, m, cs, c, a, cp);
}

static void dl_clip_path(fz_context *ctx, fz_device *dev, const fz_path *p, int eo, fz_matrix m,
                         fz_rect sc)
{
	dl_check(ctx);
	dl.orig.clip_path(ctx, dev, p, eo, m, sc);
}

static void dl_fill_text(fz_context *ctx, fz_device *dev, const fz_text *t, fz_matrix m,
                         fz_colorspace *cs, const float *c, float a, fz_color_params cp)
{
	dl_check(ctx);
	dl.orig.fill_text(ctx, dev, t, m, cs, c, a, cp);
}

static void dl_stroke_text(fz_context *ctx, fz_device *dev, const fz_text *t,
                           const fz_stroke_state *st, fz_matrix m, fz_colorspace *cs,
                           const float *c, float a, fz_color_params cp)
{
	dl_check(ctx);
	dl.orig.stroke_text(ctx, dev, t, st, m, cs, c, a, cp);
}

static void dl_clip_text(fz_context *ctx, fz_device *dev, const fz_text *t, fz_matrix m,
                         fz_rect sc)
{
	dl_check(ctx);
	dl.orig.clip_text(ctx, dev, t, m, sc);
}

static void dl_ignore_text(fz_context *ctx, fz_device *dev, const fz_text *t, fz_matrix m)
{
	dl_check(ctx);
	dl.orig.ignore_text(ctx, dev, t, m);
}

static void dl_fill_shade(fz_context *ctx, fz_device *dev, fz_shade *sh, fz_matrix m, float a,
                          fz_color_params cp)
{
	dl_check(ctx);
	dl.orig.fill_shade(ctx, dev, sh, m, a, cp);
}

static void dl_fill_image(fz_context *ctx, fz_device *dev, fz_image *img, fz_matrix m, float a,
                          fz_color_params cp)
{
	dl_check(ctx);
	dl.orig.fill_image(ctx, dev, img, m, a, cp);
}

static void dl_fill_image_mask(fz_context *ctx, fz_device *dev, fz_image *img, fz_matrix m,
                               fz_colorspace *cs, const float *c, float a, fz_color_params cp)
{
	dl_check(ctx);
	dl.orig.fill_image_mask(ctx, dev, img, m, cs, c, a, cp);
}

static void dl_pop_clip(fz_context *ctx, fz_device *dev)
{
	dl_check(ctx);
	dl.orig.pop_clip(ctx, dev);
}

/* Wrap dev's drawing calls (those it has) with the deadline of bu. */
static void dl_wrap(fz_device *dev, struct fz_budget *bu)
{
	dl.orig = *dev;
	dl.bu = bu;
#define DL_WRAP(f) if (dev->f != NULL) dev->f = dl_##f
	DL_WRAP(fill_path);
	DL_WRAP(stroke_path);
	DL_WRAP(clip_path);
	DL_WRAP(fill_text);
	DL_WRAP(stroke_text);
	DL_WRAP(clip_text);
	DL_WRAP(ignore_text);
	DL_WRAP(fill_shade);
	DL_WRAP(fill_image);
	DL_WRAP(fill_image_mask);
	DL_WRAP(pop_clip);
#undef DL_WRAP
}

static void fz_quiet(void *user, const char *message)
{
	(void)user;
	(void)message;
}

/* CJK ideographs and punctuation, fullwidth forms: no spaces between. */
static bool cjk(int c)
{
	return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x3000 && c <= 0x303F) ||
	       (c >= 0x20000 && c <= 0x2FFFF);
}

/*
 * A page's text layer.  MuPDF's lines are joined again when they sit on
 * one baseline left to right (many generators, and PDFs printed from WPS,
 * place CJK glyphs one by one, which MuPDF reads as one line per glyph);
 * a wide gap on a baseline is a table cell ('\t'), a narrow one a space.
 */
static void stext_page_text(fz_context *ctx, fz_stext_page *sp, struct tb *b)
{
	char u[8];
	bool have_prev = false;
	float py = 0, pright = 0, psize = 0;
	int pc = 0;

	(void)ctx;
	for (fz_stext_block *blk = sp->first_block; blk != NULL && !b->full; blk = blk->next) {
		if (blk->type != FZ_STEXT_BLOCK_TEXT)
			continue;
		for (fz_stext_line *ln = blk->u.t.first_line; ln != NULL && !b->full; ln = ln->next) {
			fz_stext_char *c0 = ln->first_char;
			if (c0 == NULL)
				continue;
			if (have_prev) {
				float sz = psize > 1.0f ? psize : 10.0f;
				float gap = c0->origin.x - pright;
				if (fabsf(c0->origin.y - py) < sz * 0.4f && gap > -sz * 0.5f) {
					if (gap > sz * 2.0f)
						tb_tab(b);
					else if (gap > sz * (cjk(pc) && cjk(c0->c) ? 1.0f : 0.3f))
						b->space = true;
				} else {
					tb_nl(b);
				}
			}
			for (fz_stext_char *ch = c0; ch != NULL && !b->full; ch = ch->next) {
				int c = ch->c;
				if (c < 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
					continue;
				tb_text(b, u, (size_t)fz_runetochar(u, c));
				py = ch->origin.y;
				psize = ch->size;
				pc = c;
				pright = fmaxf(ch->quad.ur.x, ch->quad.lr.x);
				have_prev = true;
			}
		}
	}
	tb_nl(b);
}

static int ocr_run_pixels(const unsigned char *px, int w, int h, int bpp, int stride, int dpi,
                          const struct text_limits *lim, unsigned ms, struct tb *b,
                          struct text_result *r);

/* Render one page to gray at up to 300 dpi within max_pixels and OCR it. */
static fz_pixmap *pdf_render(fz_context *ctx, fz_page *page, size_t max_pixels,
                             struct fz_budget *bu, int *dpi_r)
{
	fz_pixmap *volatile pix = NULL;
	fz_device *volatile dev = NULL;
	volatile float dpi = 300.0f;

	fz_try(ctx) {
		fz_rect box = fz_bound_page(ctx, page);
		float w = box.x1 - box.x0, h = box.y1 - box.y0;
		if (!(w > 1.0f && h > 1.0f && w < 20000.0f && h < 20000.0f))
			fz_throw(ctx, FZ_ERROR_GENERIC, "page size");
		while (dpi > 50.0f && (double)(w * dpi / 72.0f) * (double)(h * dpi / 72.0f) >
		                          (double)max_pixels)
			dpi -= 25.0f;
		{
			fz_matrix ctm = fz_scale(dpi / 72.0f, dpi / 72.0f);
			fz_irect bbox = fz_round_rect(fz_transform_rect(box, ctm));
			pix = fz_new_pixmap_with_bbox(ctx, fz_device_gray(ctx), bbox, NULL, 0);
			fz_clear_pixmap_with_value(ctx, pix, 0xFF);
			dev = fz_new_draw_device(ctx, fz_identity, pix);
			dl_wrap(dev, bu);
			fz_run_page(ctx, page, dev, ctm, NULL);
			fz_close_device(ctx, dev);
		}
	}
	fz_always(ctx)
		fz_drop_device(ctx, dev);
	fz_catch(ctx) {
		fz_drop_pixmap(ctx, pix);
		pix = NULL;
	}
	*dpi_r = (int)dpi;
	return pix;
}

static int pdf_ocr_page(fz_context *ctx, fz_page *page, const struct text_limits *lim,
                        struct fz_budget *bu, unsigned ms, struct tb *b, struct text_result *r)
{
	fz_pixmap *pix;
	int dpi = 0, ret = 0;

	if ((pix = pdf_render(ctx, page, lim->max_pixels, bu, &dpi)) == NULL) {
		set_note(r, "PDF 页面无法渲染，未做文字识别");
		return 0;
	}
	if ((size_t)pix->w * (size_t)pix->h <= lim->max_pixels)
		ret = ocr_run_pixels(pix->samples, pix->w, pix->h, 1, (int)pix->stride, dpi, lim,
		                     ms, b, r);
	else
		set_note(r, "PDF 页面过大，未做文字识别");
	fz_drop_pixmap(ctx, pix);
	return ret;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pdf_document *pdf_open(fz_context *ctx, const void *buf, size_t len)
{
	fz_stream *volatile stm = NULL;
	pdf_document *volatile doc = NULL;

	fz_try(ctx) {
		stm = fz_open_memory(ctx, buf, len);
		doc = pdf_open_document_with_stream(ctx, stm);
	}
	fz_always(ctx)
		fz_drop_stream(ctx, stm);
	fz_catch(ctx)
		doc = NULL;
	return doc;
}

static int pdf_pages(fz_context *ctx, pdf_document *doc)
{
	volatile int n = -1;

	fz_try(ctx)
		n = pdf_count_pages(ctx, doc);
	fz_catch(ctx)
		n = -1;
	return n;
}

/* Page i's text layer into b; the page (to render) or NULL. */
static fz_page *pdf_page_text(fz_context *ctx, pdf_document *doc, int i, struct fz_budget *bu,
                              struct tb *b)
{
	fz_page *volatile page = NULL;
	fz_stext_page *volatile sp = NULL;
	fz_device *volatile dev = NULL;

	fz_try(ctx) {
		page = fz_load_page(ctx, (fz_document *)doc, i);
		sp = fz_new_stext_page(ctx, fz_bound_page(ctx, page));
		dev = fz_new_stext_device(ctx, sp, NULL);
		dl_wrap(dev, bu);
		fz_run_page(ctx, page, dev, fz_identity, NULL);
		fz_close_device(ctx, dev);
		stext_page_text(ctx, sp, b);
	}
	fz_always(ctx) {
		fz_drop_device(ctx, dev);
		fz_drop_stext_page(ctx, sp);
	}
	fz_catch(ctx) {
		/* keep the page: text may be partial, rendering may still work */
	}
	return page;
}

static int extract_pdf(const void *buf, size_t len, const struct text_limits *lim,
                       struct text_result *r)
{
	/* MuPDF's own work (not Tesseract's) has ocr_ms too */
	struct fz_budget bu = { 0, ((size_t)256 << 20) + lim->max_pixels * 2, LLONG_MAX, 0, false };
	fz_alloc_context alloc = { &bu, fzb_malloc, fzb_realloc, fzb_free };
	fz_context *ctx;
	pdf_document *doc = NULL;
	struct tb b = { .max = lim->max_bytes };
	int ret = 0, npages;
	unsigned text_pages = 0, ocrd = 0;
	long long t0 = mono_ms();

	if ((ctx = fz_new_context(&alloc, NULL, 32 << 20)) == NULL)
		return -1;
	bu.deadline = mono_ms() + lim->ocr_ms;
	fz_set_warning_callback(ctx, fz_quiet, NULL);
	fz_set_error_callback(ctx, fz_quiet, NULL);
	if ((doc = pdf_open(ctx, buf, len)) == NULL) {
		set_note(r, bu.expired ? "PDF 解析超时，只读了前一部分" : "PDF 已损坏，无法读取");
		r->truncated = bu.expired;
		goto out;
	}
	if (pdf_needs_password(ctx, doc)) {
		set_note(r, "PDF 已加密，无法读取");
		goto out;
	}
	if ((npages = pdf_pages(ctx, doc)) < 0) {
		set_note(r, "PDF 已损坏，无法读取");
		goto out;
	}
	r->pages = (unsigned)npages;
	if (npages > (int)lim->max_pages)
		r->truncated = true;
	for (int i = 0; i < npages && i < (int)lim->max_pages && !b.full; i++) {
		size_t before = b.len;
		fz_page *page = pdf_page_text(ctx, doc, i, &bu, &b);

		if (count_visible(b.p ? b.p + before : "", b.len - before) >= TX_OCR_MIN_CHARS) {
			text_pages++;
		} else {
			/* (almost) no text layer: a scan */
			if (b.p)
				b.p[b.len = before] = '\0';
			if (page != NULL && lim->ocr && ocrd < lim->ocr_pages) {
				long long left = (long long)lim->ocr_ms - (mono_ms() - t0);
				if (left > 200) {
					long long t1 = mono_ms();
					int orc = pdf_ocr_page(ctx, page, lim, &bu, (unsigned)left, &b, r);
					bu.deadline += mono_ms() - t1;
					if (orc < 0) {
						fz_drop_page(ctx, page);
						ret = -1;
						goto out;
					}
					ocrd++;
				} else {
					set_note(r, "文字识别超时");
				}
			}
		}
		fz_drop_page(ctx, page);
		tb_page(&b);
		if (bu.expired)
			break;
	}
	if (bu.expired) {
		set_note(r, "PDF 解析超时，只读了前一部分");
		r->truncated = true;
	}
	if (b.nomem) {
		ret = -1;
		goto out;
	}
	tb_finish(&b, r);
	if (r->text != NULL && (text_pages > 0 || r->source == TEXT_NONE)) {
		r->source = TEXT_PDF;
		r->confidence = 100;
	} else if (r->text == NULL) {
		set_note(r, lim->ocr ? "PDF 中没有文字" : "扫描件，未启用文字识别");
	}
out:
	free(b.p);
	fz_drop_document(ctx, (fz_document *)doc);
	fz_drop_context(ctx);
	dl.bu = NULL;
	return ret;
}

/* ---- OCR glue ---- */

static int ocr_take(struct ocr_out *o, int rc, struct tb *b, struct text_result *r)
{
	if (rc < 0) {
		ocr_out_free(o);
		return -1;
	}
	if (o->text != NULL && count_visible(o->text, o->len) > 0) {
		const char *s = o->text, *e = o->text + o->len;
		while (s < e) {
			const char *nl = memchr(s, '\n', (size_t)(e - s));
			size_t n = nl ? (size_t)(nl - s) : (size_t)(e - s);
			tb_text(b, s, n);
			tb_nl(b);
			s += n + (nl != NULL);
		}
		r->source = TEXT_OCR;
		r->confidence = o->confidence;
	}
	if (o->timed_out) {
		r->truncated = true;
		set_note(r, "文字识别超时");
	}
	if (o->note != NULL)
		set_note(r, "%s", o->note);
	ocr_out_free(o);
	return 0;
}

static bool ocr_ready(const struct text_limits *lim, struct ocr_limits *ol, struct text_result *r)
{
	char *note = NULL;

	ol->ms = lim->ocr_ms;
	ol->max_pixels = lim->max_pixels;
	ol->langs = lim->ocr_langs;
	ol->tessdata = lim->tessdata;
	if (ocr_init(ol, &note) != 0) {
		set_note(r, "%s", note ? note : "文字识别不可用");
		free(note);
		return false;
	}
	return true;
}

static int ocr_run_pixels(const unsigned char *px, int w, int h, int bpp, int stride, int dpi,
                          const struct text_limits *lim, unsigned ms, struct tb *b,
                          struct text_result *r)
{
	struct ocr_limits ol;
	struct ocr_out o = { 0 };

	if (!ocr_ready(lim, &ol, r))
		return 0;
	ol.ms = ms;
	return ocr_take(&o, ocr_pixels(px, w, h, bpp, stride, dpi, &ol, &o), b, r);
}

static int extract_image(const void *buf, size_t len, const struct text_limits *lim,
                         struct text_result *r)
{
	struct ocr_limits ol;
	struct ocr_out o = { 0 };
	struct tb b = { .max = lim->max_bytes };

	if (!lim->ocr) {
		set_note(r, "扫描件，未启用文字识别");
		return 0;
	}
	if (!ocr_ready(lim, &ol, r))
		return 0;
	r->pages = 1;
	if (ocr_take(&o, ocr_image(buf, len, &ol, &o), &b, r) < 0 || b.nomem) {
		free(b.p);
		return -1;
	}
	tb_finish(&b, r);
	if (r->text == NULL) {
		r->source = TEXT_NONE;
		r->confidence = 0;
		set_note(r, "图片中未识别出文字");
	}
	return 0;
}

/* ---- legacy OLE2: Word 97 binary (.doc/.wps), BIFF8 (.xls/.et) ---- */

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A whole OLE stream, at most max bytes; NULL when absent or too big. */
static unsigned char *ole_stream(GsfInfile *ole, const char *name, size_t max, size_t *len_r)
{
	GsfInput *in = gsf_infile_child_by_name(ole, name);
	unsigned char *p = NULL;
	gsf_off_t size;

	if (in == NULL)
		return NULL;
	size = gsf_input_size(in);
	if (size > 0 && (uint64_t)size <= max && (p = malloc((size_t)size)) != NULL) {
		if (gsf_input_read(in, (size_t)size, p) == NULL) {
			free(p);
			p = NULL;
		} else {
			*len_r = (size_t)size;
		}
	}
	g_object_unref(in);
	return p;
}

static const uint16_t cp1252_hi[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
	0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

struct word_state {
	struct tb *b;
	int field;          /* nesting of field codes being skipped */
	bool after_cell;
	size_t row_start;
	unsigned pages, max_pages;
	bool stop;
};

static void word_char(struct word_state *w, uint32_t c)
{
	if (c == 0x13) {            /* field begin: skip its code */
		w->field++;
		return;
	}
	if (c == 0x14 || c == 0x15) { /* separator / end: show the result */
		if (w->field > 0)
			w->field--;
		return;
	}
	if (w->field > 0)
		return;
	if (c == 0x07) {            /* cell mark; two in a row end the row */
		if (w->after_cell) {
			tb_row_end(w->b, w->row_start);
			w->row_start = w->b->len;
			w->after_cell = false;
		} else {
			tb_tab(w->b);
			w->after_cell = true;
		}
		return;
	}
	if (w->after_cell && w->b->len > 0 && w->b->p[w->b->len - 1] == '\t' && c == 0x0D) {
		return;
	}
	w->after_cell = false;
	if (c == 0x0D || c == 0x0B) {
		/* a paragraph: a line, but not inside a row being built */
		if (w->b->len > w->row_start && memchr(w->b->p + w->row_start, '\t',
		                                       w->b->len - w->row_start) != NULL)
			w->b->space = true;
		else {
			tb_nl(w->b);
			w->row_start = w->b->len;
		}
		return;
	}
	if (c == 0x0C) {
		if (++w->pages >= w->max_pages) {
			w->stop = true;
			w->b->full = true;
			return;
		}
		tb_page(w->b);
		w->row_start = w->b->len;
		return;
	}
	if (c == 0x1E) {
		tb_text(w->b, "-", 1);
		return;
	}
	if (c == 0x09) {
		w->b->space = true;
		return;
	}
	if (c < 0x20)
		return;
	if (c >= 0xD800 && c <= 0xDFFF)
		return;
	/* A row's cell text: tb_text only; rows are lines of their own. */
	tb_bmp(w->b, c);
}

/*
 * Word 97-2003 (and WPS, which writes the same): the FIB gives the table
 * stream (0Table/1Table) and the Clx in it; the Clx's piece table maps
 * character positions to runs of 8-bit (cp1252) or UTF-16LE text in the
 * WordDocument stream.  Only the main document (ccpText characters).
 */
static int word_text(GsfInfile *ole, const struct text_limits *lim, struct tb *b,
                     struct text_result *r)
{
	unsigned char *wd = NULL, *tbl = NULL;
	size_t wdlen = 0, tbllen = 0;
	size_t pos;
	uint32_t ccp_text, fc_clx, lcb_clx;
	uint16_t flags, csw, cslw, cbfc;
	struct word_state ws = { .b = b, .max_pages = lim->max_pages };
	int ret = 0;

	wd = ole_stream(ole, "WordDocument", (size_t)256 << 20, &wdlen);
	if (wd == NULL || wdlen < 0x44) {
		ret = 1;
		goto out;
	}
	if (le16(wd) != 0xA5EC && le16(wd) != 0xA5DC) {
		ret = 1;
		goto out;
	}
	flags = le16(wd + 0x0A);
	if (flags & 0x0100) {       /* fEncrypted */
		set_note(r, "Word 文档已加密，无法读取");
		goto out;
	}
	pos = 32;
	csw = le16(wd + pos);
	pos += 2 + (size_t)csw * 2;
	if (pos + 2 > wdlen)
		goto bad;
	cslw = le16(wd + pos);
	pos += 2;
	if (cslw < 4 || pos + (size_t)cslw * 4 + 2 > wdlen)
		goto bad;
	ccp_text = le32(wd + pos + 3 * 4);
	pos += (size_t)cslw * 4;
	cbfc = le16(wd + pos);
	pos += 2;
	if (cbfc < 34 || pos + 34 * 8 > wdlen)
		goto bad;
	fc_clx = le32(wd + pos + 33 * 8);
	lcb_clx = le32(wd + pos + 33 * 8 + 4);
	tbl = ole_stream(ole, (flags & 0x0200) ? "1Table" : "0Table", (size_t)256 << 20, &tbllen);
	if (tbl == NULL || fc_clx >= tbllen || lcb_clx > tbllen - fc_clx)
		goto bad;
	{
		const unsigned char *c = tbl + fc_clx, *ce = c + lcb_clx;
		/* Prc entries first, then the Pcdt */
		while (c < ce && *c == 0x01) {
			if (ce - c < 3)
				goto bad;
			c += 3 + le16(c + 1);
		}
		if (c >= ce || *c != 0x02 || ce - c < 5)
			goto bad;
		{
			uint32_t lcb = le32(c + 1);
			const unsigned char *plc = c + 5;
			size_t npcd;
			uint32_t cp_done = 0;

			if (lcb > (size_t)(ce - plc) || lcb < 16 || (lcb - 4) % 12 != 0)
				goto bad;
			npcd = (lcb - 4) / 12;
			for (size_t i = 0; i < npcd && !b->full && !ws.stop && cp_done < ccp_text; i++) {
				uint32_t cp0 = le32(plc + i * 4), cp1 = le32(plc + (i + 1) * 4);
				const unsigned char *pcd = plc + (npcd + 1) * 4 + i * 8;
				uint32_t fc = le32(pcd + 2);
				bool compressed = (fc & 0x40000000u) != 0;
				size_t off, n;

				if (cp1 <= cp0)
					continue;
				n = cp1 - cp0;
				if (n > ccp_text - cp_done)
					n = ccp_text - cp_done;
				fc &= 0x3FFFFFFFu;
				off = compressed ? fc / 2 : fc;
				if (off > wdlen || n > (wdlen - off) / (compressed ? 1 : 2))
					goto bad;
				for (size_t k = 0; k < n && !b->full && !ws.stop; k++) {
					uint32_t ch;
					if (compressed) {
						ch = wd[off + k];
						if (ch >= 0x80 && ch < 0xA0 && cp1252_hi[ch - 0x80])
							ch = cp1252_hi[ch - 0x80];
					} else {
						ch = le16(wd + off + 2 * k);
					}
					word_char(&ws, ch);
				}
				cp_done += (uint32_t)n;
			}
		}
	}
	r->truncated = r->truncated || ws.stop;
	goto out;
bad:
	set_note(r, "Word 文档结构损坏，无法读取");
out:
	free(wd);
	free(tbl);
	return ret;
}

/* BIFF8 record reader over the Workbook stream with CONTINUE handling for
 * strings. */
struct biff {
	const unsigned char *p;
	size_t len, pos;            /* pos: next record header */
	uint16_t type;
	const unsigned char *data;  /* current record (or continue) data */
	size_t dlen, dpos;
};

static bool biff_next(struct biff *x)
{
	if (x->pos + 4 > x->len)
		return false;
	x->type = le16(x->p + x->pos);
	x->dlen = le16(x->p + x->pos + 2);
	if (x->pos + 4 + x->dlen > x->len)
		return false;
	x->data = x->p + x->pos + 4;
	x->dpos = 0;
	x->pos += 4 + x->dlen;
	return true;
}

/* Move into the following CONTINUE record. */
static bool biff_continue(struct biff *x)
{
	if (x->pos + 4 > x->len || le16(x->p + x->pos) != 0x003C)
		return false;
	return biff_next(x);
}

static bool biff_bytes(struct biff *x, unsigned char *out, size_t n)
{
	while (n > 0) {
		size_t k;
		if (x->dpos == x->dlen && !biff_continue(x))
			return false;
		k = x->dlen - x->dpos;
		if (k > n)
			k = n;
		if (out) {
			memcpy(out, x->data + x->dpos, k);
			out += k;
		}
		x->dpos += k;
		n -= k;
	}
	return true;
}

/* An XLUnicodeRichExtendedString (SST) or XLUnicodeString (LABEL) into
 * the builder (UTF-8). */
static bool biff_string(struct biff *x, bool rich_ext, struct tb *out)
{
	unsigned char h[4];
	uint32_t cch, runs = 0, ext = 0;
	unsigned char fl;

	if (!biff_bytes(x, h, 2))
		return false;
	cch = le16(h);
	if (!biff_bytes(x, &fl, 1))
		return false;
	if (rich_ext && (fl & 0x08)) {
		if (!biff_bytes(x, h, 2))
			return false;
		runs = le16(h);
	}
	if (rich_ext && (fl & 0x04)) {
		if (!biff_bytes(x, h, 4))
			return false;
		ext = le32(h);
	}
	for (uint32_t i = 0; i < cch; i++) {
		uint32_t c;

		if (x->dpos == x->dlen) {
			/* a string split by CONTINUE: the new record restates the width */
			if (!biff_continue(x) || !biff_bytes(x, &fl, 1))
				return false;
		}
		if (fl & 0x01) {
			if (!biff_bytes(x, h, 2))
				return false;
			c = le16(h);
		} else {
			if (!biff_bytes(x, h, 1))
				return false;
			c = h[0];
		}
		if (out == NULL || c < 0x20 || (c >= 0xD800 && c <= 0xDFFF)) {
			if (out && (c == '\n' || c == '\t'))
				out->space = true;
			continue;
		}
		tb_bmp(out, c);
	}
	if (runs > 0 && !biff_bytes(x, NULL, (size_t)runs * 4))
		return false;
	if (ext > 0 && !biff_bytes(x, NULL, ext))
		return false;
	return true;
}

static double rk_value(uint32_t rk)
{
	double d;

	if (rk & 0x02) {
		d = (double)((int32_t)rk >> 2);
	} else {
		uint64_t bits = (uint64_t)(rk & 0xFFFFFFFCu) << 32;
		memcpy(&d, &bits, sizeof(d));
	}
	return (rk & 0x01) ? d / 100.0 : d;
}

struct xls_cells {
	struct tb *b;
	long row;
	unsigned next_col;
	size_t row_start;
	/* XF records: which show a date (FORMAT records' codes first) */
	bool xf_date[XLSX_MAX_XF];
	unsigned nxf;
	unsigned char custom_date[64];
};

static void xls_cell(struct xls_cells *xc, unsigned row, unsigned col)
{
	struct tb *b = xc->b;

	if ((long)row != xc->row) {
		if (xc->row >= 0)
			tb_row_end(b, xc->row_start);
		xc->row = row;
		xc->row_start = b->len;
		xc->next_col = 0;
	}
	if (xc->next_col > 0) {
		unsigned gap = col >= xc->next_col ? col - xc->next_col + 1 : 1;
		if (gap > TX_MAX_COL_GAP)
			gap = TX_MAX_COL_GAP;
		for (unsigned i = 0; i < gap; i++)
			tb_tab(b);
	}
	xc->next_col = col + 1;
}

static void xls_number(struct xls_cells *xc, unsigned row, unsigned col, unsigned xf, double d)
{
	char s[64];

	if (d != d)
		return;
	xls_cell(xc, row, col);
	if (xf < xc->nxf && xc->xf_date[xf] && serial_day(d, s, sizeof(s))) {
		tb_str(xc->b, s);
		return;
	}
	snprintf(s, sizeof(s), "%.15g", d);
	tb_str(xc->b, s);
}

static int xls_text(GsfInfile *ole, const struct text_limits *lim, struct tb *b,
                    struct text_result *r)
{
	unsigned char *wb;
	size_t wblen = 0;
	struct biff x;
	struct tb one = { .max = 8192 };
	char **sst = NULL;
	size_t nsst = 0, sst_bytes = 0;
	unsigned sheets = 0, sheets_seen = 0;
	int depth = 0, ret = 0;
	bool in_sheet = false;
	struct xls_cells xc = { .b = b, .row = -1 };

	wb = ole_stream(ole, "Workbook", (size_t)256 << 20, &wblen);
	if (wb == NULL)
		wb = ole_stream(ole, "Book", (size_t)256 << 20, &wblen);
	if (wb == NULL)
		return 1;
	x = (struct biff){ .p = wb, .len = wblen };
	while (!b->full && biff_next(&x)) {
		switch (x.type) {
		case 0x0809:     /* BOF */
			if (x.dlen >= 4) {
				uint16_t dt = le16(x.data + 2);
				depth++;
				if (dt == 0x0010 && depth == 1) {
					/* a worksheet substream */
					in_sheet = sheets < lim->max_pages;
					sheets++;
					if (in_sheet && sheets > 1) {
						if (xc.row >= 0)
							tb_row_end(b, xc.row_start);
						tb_page(b);
						xc.row = -1;
					}
				} else if (depth == 1 && dt != 0x0005) {
					in_sheet = false;
				}
				if (depth > 1)
					depth = 1;
			}
			break;
		case 0x000A:     /* EOF */
			depth = 0;
			in_sheet = false;
			break;
		case 0x041E:     /* FORMAT: a custom number format's code */
			if (x.dlen >= 5) {
				unsigned id = le16(x.data);
				struct tb code = { .max = 256 };
				x.dpos = 2;
				if (id >= 164 && id < 164 + 8 * sizeof(xc.custom_date) &&
				    biff_string(&x, false, &code) && code.p != NULL &&
				    format_is_date(code.p))
					xc.custom_date[(id - 164) / 8] |= (unsigned char)(1u << ((id - 164) % 8));
				free(code.p);
			}
			break;
		case 0x00E0:     /* XF */
			if (x.dlen >= 4 && xc.nxf < XLSX_MAX_XF)
				xc.xf_date[xc.nxf++] = numfmt_is_date(le16(x.data + 2), xc.custom_date,
				                                      sizeof(xc.custom_date));
			break;
		case 0x0085:     /* BOUNDSHEET */
			sheets_seen++;
			break;
		case 0x002F:     /* FILEPASS */
			set_note(r, "Excel 文档已加密，无法读取");
			goto out;
		case 0x00FC: {   /* SST */
			uint32_t n;
			if (x.dlen < 8)
				break;
			n = le32(x.data + 4);
			x.dpos = 8;
			for (uint32_t i = 0; i < n && i < 1000000; i++) {
				char **ns;
				one.len = 0;
				one.full = one.space = false;
				if (one.p)
					one.p[0] = '\0';
				if (!biff_string(&x, true, &one))
					break;
				if (one.nomem || sst_bytes + one.len + 1 > lim->max_xml_bytes)
					break;
				if ((nsst & (nsst + 1)) == 0 || nsst == 0) {
					ns = realloc(sst, (nsst * 2 + 2) * sizeof(*ns));
					if (ns == NULL) {
						ret = -1;
						goto out;
					}
					sst = ns;
				}
				if ((sst[nsst] = strndup(one.p ? one.p : "", one.len)) == NULL) {
					ret = -1;
					goto out;
				}
				sst_bytes += one.len + 1;
				nsst++;
			}
			break;
		}
		case 0x00FD:     /* LABELSST */
			if (in_sheet && x.dlen >= 10) {
				uint32_t i = le32(x.data + 6);
				if (i < nsst) {
					xls_cell(&xc, le16(x.data), le16(x.data + 2));
					tb_str(b, sst[i]);
				}
			}
			break;
		case 0x0204:     /* LABEL */
			if (in_sheet && x.dlen >= 9) {
				xls_cell(&xc, le16(x.data), le16(x.data + 2));
				x.dpos = 6;
				(void)biff_string(&x, false, b);
			}
			break;
		case 0x0203:     /* NUMBER */
			if (in_sheet && x.dlen >= 14) {
				double d;
				memcpy(&d, x.data + 6, sizeof(d));
				xls_number(&xc, le16(x.data), le16(x.data + 2), le16(x.data + 4), d);
			}
			break;
		case 0x027E:     /* RK */
			if (in_sheet && x.dlen >= 10)
				xls_number(&xc, le16(x.data), le16(x.data + 2), le16(x.data + 4),
				           rk_value(le32(x.data + 6)));
			break;
		case 0x00BD:     /* MULRK */
			if (in_sheet && x.dlen >= 12) {
				unsigned row = le16(x.data), col = le16(x.data + 2);
				size_t nrk = (x.dlen - 6) / 6;
				for (size_t k = 0; k < nrk && !b->full; k++)
					xls_number(&xc, row, col + (unsigned)k, le16(x.data + 4 + k * 6),
					           rk_value(le32(x.data + 4 + k * 6 + 2)));
			}
			break;
		default:
			break;
		}
	}
	if (xc.row >= 0)
		tb_row_end(b, xc.row_start);
	r->pages = sheets_seen ? sheets_seen : sheets;
	if (sheets > lim->max_pages)
		r->truncated = true;
out:
	for (size_t i = 0; i < nsst; i++)
		free(sst[i]);
	free(sst);
	free(one.p);
	free(wb);
	return ret;
}

static void glib_quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer user)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)user;
}

static int extract_ole(const void *buf, size_t len, const struct text_limits *lim,
                       struct text_result *r)
{
	GsfInput *in;
	GsfInfile *ole;
	GError *err = NULL;
	struct tb b = { .max = lim->max_bytes };
	int rc, ret = 0;
	static bool gsf_ready;

	if (!gsf_ready) {
		/* libgsf reports a hostile file's bad block numbers as GLib
		 * criticals on stderr, and carries on: not for the log. */
		static const char *const domains[] = { "libgsf", "libgsf:msole", "libgsf:utils",
		                                       "GLib-GObject", "GLib" };
		gsf_init();
		for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
			g_log_set_handler(domains[i], G_LOG_LEVEL_MASK, glib_quiet, NULL);
		gsf_ready = true;
	}
	if ((in = gsf_input_memory_new(buf, (gsf_off_t)len, FALSE)) == NULL)
		return -1;
	ole = gsf_infile_msole_new(in, &err);
	g_object_unref(in);
	if (ole == NULL) {
		if (err)
			g_error_free(err);
		set_note(r, "文档已损坏，无法读取");
		return 0;
	}
	rc = word_text(ole, lim, &b, r);
	if (rc == 1)
		rc = xls_text(ole, lim, &b, r);
	g_object_unref(ole);
	if (rc < 0 || b.nomem) {
		free(b.p);
		return -1;
	}
	if (rc == 1) {
		free(b.p);
		set_note(r, "不支持的旧版 Office 文档（如 PPT），未读取文字");
		return 0;
	}
	tb_finish(&b, r);
	if (r->text != NULL) {
		r->source = TEXT_LEGACY;
		r->confidence = 100;
	} else {
		set_note(r, "文档中没有文字");
	}
	return ret;
}

/* ---- plain text and RTF ---- */

/* GBK (GB 18030) bytes to UTF-8 via iconv; NULL when iconv is missing. */
static char *gbk_to_utf8(const char *s, size_t n, size_t *out_len)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	char *out, *ip = (char *)(uintptr_t)s, *op;
	size_t il = n, ol, cap;

	if (cd == (iconv_t)-1)
		return NULL;
	cap = n * 2 + 16;
	if ((out = malloc(cap)) == NULL) {
		iconv_close(cd);
		return NULL;
	}
	op = out;
	ol = cap - 1;
	while (il > 0) {
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
			if (errno == E2BIG)
				break;
			ip++;      /* skip an invalid byte */
			il--;
		}
	}
	*op = '\0';
	*out_len = (size_t)(op - out);
	iconv_close(cd);
	return out;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = s[i] < 0x80 ? 1 : utf8_len(s + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

static void lines_into(struct tb *b, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && !b->full) {
		size_t j = i;
		while (j < n && s[j] != '\n' && s[j] != '\r' && s[j] != '\f')
			j++;
		/* CSV and TSV cells keep their tabs */
		for (size_t k = i; k < j && !b->full;) {
			size_t t = k;
			while (t < j && s[t] != '\t')
				t++;
			tb_text(b, s + k, t - k);
			if (t < j)
				tb_tab(b);
			k = t + (t < j);
		}
		tb_nl(b);
		if (j < n && s[j] == '\f')
			tb_page(b);
		i = j + 1;
	}
}

/* The end of a plain or RTF text: b's text into r, or -1 when out of
 * memory. */
static int plain_finish(struct tb *b, struct text_result *r)
{
	if (b->nomem) {
		free(b->p);
		return -1;
	}
	tb_finish(b, r);
	if (r->text) {
		r->source = TEXT_PLAIN;
		r->confidence = 100;
	} else {
		set_note(r, "文件中没有文字");
	}
	return 0;
}

static int extract_plain(const void *buf, size_t len, const struct text_limits *lim,
                         struct text_result *r)
{
	struct tb b = { .max = lim->max_bytes };
	const unsigned char *s = buf;
	char *conv = NULL;
	size_t n = len, clen = 0;

	if (n > lim->max_bytes * 4)
		n = lim->max_bytes * 4, r->truncated = true;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		s += 3, n -= 3;
	if (!valid_utf8(s, n) && (conv = gbk_to_utf8((const char *)s, n, &clen)) != NULL)
		lines_into(&b, conv, clen);
	else
		lines_into(&b, (const char *)s, n);
	free(conv);
	return plain_finish(&b, r);
}

/*
 * RTF: groups, control words and symbols; text of destinations that are
 * not body text ({\*...}, fonttbl, colortbl, stylesheet, info, pict ...)
 * is skipped.  \par and \line end lines, \cell and \row make table rows,
 * \uN (with \ucN fallback skipping) and \'hh (in the document's ANSI code
 * page, GBK for \ansicpg936 or a GB2312 font) give the characters.
 */
static int extract_rtf(const void *buf, size_t len, const struct text_limits *lim,
                       struct text_result *r)
{
	enum { MAXG = 64 };
	struct tb b = { .max = lim->max_bytes };
	const char *s = buf, *e = s + len;
	int depth = 0, skip_at = -1;
	int uc[MAXG + 1];
	int uskip = 0;
	unsigned char hex[2];
	int nhex = 0;
	size_t row_start = 0;
	bool in_row = false;
	iconv_t cd = iconv_open("UTF-8", "GB18030");

	uc[0] = 1;
	while (s < e && !b.full) {
		char c = *s++;
		if (c == '{') {
			if (depth < MAXG) {
				uc[depth + 1] = uc[depth];
			}
			depth++;
			if (s < e && *s == '\\' && s + 1 < e && s[1] == '*' && skip_at < 0)
				skip_at = depth;
			continue;
		}
		if (c == '}') {
			if (skip_at == depth)
				skip_at = -1;
			if (depth > 0)
				depth--;
			continue;
		}
		if (c == '\r' || c == '\n')
			continue;
		if (c != '\\') {
			if (skip_at >= 0)
				continue;
			if (uskip > 0) {
				uskip--;
				continue;
			}
			tb_text(&b, &c, 1);
			continue;
		}
		if (s >= e)
			break;
		c = *s;
		if (c == '\'' && e - s >= 3) {
			/* \'hh: bytes of the ANSI code page (GBK pairs) */
			char h[3] = { s[1], s[2], 0 };
			char *end;
			long v = strtol(h, &end, 16);
			s += 3;
			if (end != h + 2 || skip_at >= 0)
				continue;
			if (uskip > 0) {
				uskip--;
				continue;
			}
			hex[nhex++] = (unsigned char)v;
			if (hex[0] < 0x80 || nhex == 2) {
				if (hex[0] < 0x80) {
					char ch = (char)hex[0];
					tb_text(&b, &ch, 1);
				} else if (cd != (iconv_t)-1) {
					char out[8], *ip = (char *)hex, *op = out;
					size_t il = 2, ol = sizeof(out);
					iconv(cd, NULL, NULL, NULL, NULL);
					if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
						tb_text(&b, out, (size_t)(op - out));
				}
				nhex = 0;
			}
			continue;
		}
		nhex = 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
			s++;
			if (skip_at >= 0)
				continue;
			if (c == '\\' || c == '{' || c == '}')
				tb_text(&b, &c, 1);
			else if (c == '~')
				b.space = true;
			else if (c == '*' && skip_at < 0)
				skip_at = depth;
			continue;
		}
		{
			char word[32];
			size_t wl = 0;
			long param = 0;
			bool has_param = false, neg = false;

			while (s < e && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) {
				if (wl < sizeof(word) - 1)
					word[wl++] = *s;
				s++;
			}
			word[wl] = '\0';
			if (s < e && *s == '-')
				neg = true, s++;
			while (s < e && *s >= '0' && *s <= '9') {
				if (param < 10000000)
					param = param * 10 + (*s - '0');
				has_param = true;
				s++;
			}
			if (neg)
				param = -param;
			if (s < e && *s == ' ')
				s++;
			if (!strcmp(word, "fonttbl") || !strcmp(word, "colortbl") ||
			    !strcmp(word, "stylesheet") || !strcmp(word, "info") ||
			    !strcmp(word, "pict") || !strcmp(word, "object") ||
			    !strcmp(word, "header") || !strcmp(word, "footer") ||
			    !strcmp(word, "listtable") || !strcmp(word, "listoverridetable") ||
			    !strcmp(word, "themedata") || !strcmp(word, "datastore") ||
			    !strcmp(word, "latentstyles") || !strcmp(word, "rsidtbl") ||
			    !strcmp(word, "generator") || !strcmp(word, "xmlnstbl") ||
			    !strcmp(word, "fldinst")) {
				if (skip_at < 0)
					skip_at = depth;
				continue;
			}
			if (skip_at >= 0)
				continue;
			if (!strcmp(word, "uc") && has_param && depth <= MAXG) {
				uc[depth] = param < 0 || param > 8 ? 1 : (int)param;
			} else if (!strcmp(word, "u") && has_param) {
				long v = param < 0 ? param + 65536 : param;
				if (v >= 0x20 && (v < 0xD800 || v > 0xDFFF) && v <= 0xFFFF)
					tb_bmp(&b, (uint32_t)v);
				uskip = uc[depth <= MAXG ? depth : MAXG];
			} else if (!strcmp(word, "par") || !strcmp(word, "line") ||
			           !strcmp(word, "sect")) {
				if (in_row)
					b.space = true;
				else
					tb_nl(&b);
			} else if (!strcmp(word, "page")) {
				tb_page(&b);
			} else if (!strcmp(word, "tab")) {
				b.space = true;
			} else if (!strcmp(word, "trowd")) {
				if (!in_row) {
					tb_nl(&b);
					row_start = b.len;
					in_row = true;
				}
			} else if (!strcmp(word, "cell")) {
				tb_tab(&b);
			} else if (!strcmp(word, "row")) {
				tb_row_end(&b, row_start);
				in_row = false;
			}
		}
	}
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return plain_finish(&b, r);
}

/* ---- dispatch ---- */

static bool has_prefix(const char *s, const char *p)
{
	return s != NULL && strncmp(s, p, strlen(p)) == 0;
}

static int extract_buffer(const unsigned char *buf, size_t len, int kind, const char *mime,
                          const struct text_limits *lim, struct text_result *r)
{
	static const char ooxml[] = "application/vnd.openxmlformats-officedocument.";
	(void)kind;

	/* Readers skip junk before a PDF's header (within 1 KiB) */
	if (memmem(buf, len < 1024 ? len : 1024, "%PDF-", 5) != NULL ||
	    (has_prefix(mime, "application/pdf") && len >= 4 && memcmp(buf, "PK\3\4", 4) != 0 &&
	     memcmp(buf, "\xD0\xCF\x11\xE0", 4) != 0))
		return extract_pdf(buf, len, lim, r);
	if (len >= 4 && memcmp(buf, "PK\3\4", 4) == 0) {
		if (has_prefix(mime, ooxml)) {
			const char *t = mime + sizeof(ooxml) - 1;
			if (has_prefix(t, "wordprocessingml"))
				return extract_ooxml(buf, len, OOXML_DOCX, lim, r);
			if (has_prefix(t, "spreadsheetml"))
				return extract_ooxml(buf, len, OOXML_XLSX, lim, r);
			if (has_prefix(t, "presentationml"))
				return extract_ooxml(buf, len, OOXML_PPTX, lim, r);
		}
		set_note(r, "不支持的文档格式，未读取文字");
		return 0;
	}
	if (len >= 8 && memcmp(buf, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		return extract_ole(buf, len, lim, r);
	if (len >= 5 && memcmp(buf, "{\\rtf", 5) == 0)
		return extract_rtf(buf, len, lim, r);
	if (has_prefix(mime, "image/") ||
	    (len >= 3 && memcmp(buf, "\xFF\xD8\xFF", 3) == 0) ||
	    (len >= 8 && memcmp(buf, "\x89PNG\r\n\x1A\n", 8) == 0) ||
	    (len >= 4 && (memcmp(buf, "II*\0", 4) == 0 || memcmp(buf, "MM\0*", 4) == 0)))
		return extract_image(buf, len, lim, r);
	if (has_prefix(mime, "text/") || has_prefix(mime, "application/csv"))
		return extract_plain(buf, len, lim, r);
	set_note(r, "不支持的文件格式，未读取文字");
	return 0;
}

int text_extract(int fd, int kind, const char *mime, const struct text_limits *lim_in,
                 struct text_result *r)
{
	struct text_limits lim = { 0 };
	struct stat st;
	void *map = MAP_FAILED;
	int ret;

	memset(r, 0, sizeof(*r));
	if (lim_in != NULL)
		lim = *lim_in;
	text_limits_fill(&lim);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		set_note(r, "文件无法读取");
		return r->note ? 0 : -1;
	}
	if (st.st_size == 0) {
		set_note(r, "空文件");
		return r->note ? 0 : -1;
	}
	if ((uint64_t)st.st_size > TX_MAX_FILE) {
		set_note(r, "文件过大，未读取文字");
		return r->note ? 0 : -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		set_note(r, "文件无法读取");
		return r->note ? 0 : -1;
	}
	ret = extract_buffer(map, (size_t)st.st_size, kind, mime, &lim, r);
	munmap(map, (size_t)st.st_size);
	if (ret != 0) {
		text_result_free(r);
		return -1;
	}
	if (r->text == NULL) {
		r->source = TEXT_NONE;
		r->confidence = 0;
		r->len = 0;
	}
	return 0;
}

void text_result_free(struct text_result *r)
{
	if (r == NULL)
		return;
	free(r->text);
	free(r->note);
	r->text = r->note = NULL;
	r->len = 0;
}

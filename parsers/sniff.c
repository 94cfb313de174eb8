/*
 * sniff.c - what a file really is, whatever its name says (libmagic).
 *
 * libmagic gives the MIME type (LIBRARIES.md section 7).  Three answers need
 * a second look, done with libarchive over the same bytes and bounded:
 *  - application/zip: OOXML, OFD, ODF, jar and apk are zips too; the first
 *    SNIFF_ZIP_MEMBERS member names decide (libmagic 5.44 has no OFD rule);
 *  - gzip/bzip2/xz: an archive only if the first 512 decompressed bytes are
 *    a valid tar header, otherwise a single compressed file (OTHER);
 *  - application/octet-stream starting with a zip signature: libmagic gave
 *    up on a damaged zip that libarchive can still list.
 */
#include "sniff.h"

#define SNIFF_MAGIC_BYTES (1U << 18)   /* libmagic bytes_max, head and tail */

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "arcsrc.h"

/* Members of a zip looked at before deciding it is a plain archive. */
#define SNIFF_ZIP_MEMBERS 64
/* Bytes of an ODF "mimetype" member read. */
#define SNIFF_ODF_MIME_MAX 100
/* A tar header block. */
#define SNIFF_TAR_BLOCK 512
/* xz dictionaries above this are not decoded here (xz -9 uses 64 MiB). */
#define SNIFF_XZ_DICT_MAX (128ULL << 20)

struct sniff {
	magic_t magic;   /* owned */
};

/* ---- reading through libarchive --------------------------------------- */

/* A reader over src with the given filter (ARCHIVE_FILTER_NONE: zip only,
 * else that one filter and the raw format).  NULL on failure. */
static struct archive *src_open(struct arcsrc *s, int filter)
{
	struct archive *a = archive_read_new();
	int r;

	if (a == NULL)
		return NULL;
	/* The filter is appended, not bid for: bidding repeats on the output,
	 * and 3.6.2 hangs on a gzip holding a gzip with an endless name. */
	if (filter != ARCHIVE_FILTER_NONE)
		r = archive_read_append_filter(a, filter) == ARCHIVE_OK &&
		    archive_read_support_format_raw(a) == ARCHIVE_OK;
	else
		r = archive_read_support_format_zip(a) == ARCHIVE_OK;
	if (!r || arcsrc_attach(s, a) != 0 ||
	    (errno = 0, archive_read_open1(a)) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* ---- zip packages ------------------------------------------------------ */

struct zip_members {
	unsigned count;
	bool content_types, word, xl, ppt, ofd, manifest_mf, class_file,
	     android_manifest, dex;
	char odf_mime[SNIFF_ODF_MIME_MAX + 1]; /* "mimetype" member, if any */
};

static bool has_prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool has_suffix_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Note what one member name tells; a leading "./" or "/" is ignored. */
static void note_member(struct zip_members *z, struct archive *a, const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (name[0] == '/')
		name++;
	if (strcasecmp(name, "[Content_Types].xml") == 0)
		z->content_types = true;
	else if (has_prefix_ci(name, "word/"))
		z->word = true;
	else if (has_prefix_ci(name, "xl/"))
		z->xl = true;
	else if (has_prefix_ci(name, "ppt/"))
		z->ppt = true;
	else if (strcasecmp(name, "OFD.xml") == 0)
		z->ofd = true;      /* GB/T 33190: OFD.xml at the package root */
	else if (strcmp(name, "META-INF/MANIFEST.MF") == 0)
		z->manifest_mf = true;
	else if (strcmp(name, "AndroidManifest.xml") == 0)
		z->android_manifest = true;
	else if (strcmp(name, "classes.dex") == 0)
		z->dex = true;
	else if (has_suffix_ci(name, ".class"))
		z->class_file = true;
	else if (strcmp(name, "mimetype") == 0 && z->odf_mime[0] == '\0') {
		/* ODF: the media type is the member's content, a few bytes. */
		ssize_t n = archive_read_data(a, z->odf_mime, SNIFF_ODF_MIME_MAX);

		z->odf_mime[n > 0 ? (size_t)n : 0] = '\0';
		z->odf_mime[strcspn(z->odf_mime, "\r\n")] = '\0';
	}
}

/*
 * libarchive 3.6.2 exit(1)s ("No memory") when a name conversion fails
 * while errno holds a stale ENOMEM (see unpack.c): clear it first.
 */
static int next_header(struct archive *a, struct archive_entry **e)
{
	errno = 0;
	return archive_read_next_header(a, e);
}

static const char *ent_pathname(struct archive_entry *e)
{
	errno = 0;
	return archive_entry_pathname(e);
}

/* List up to SNIFF_ZIP_MEMBERS members; false when it is no readable zip. */
static bool list_zip(struct arcsrc *s, struct zip_members *z)
{
	struct archive *a = src_open(s, ARCHIVE_FILTER_NONE);
	struct archive_entry *e;

	memset(z, 0, sizeof(*z));
	if (a == NULL)
		return false;
	while (z->count < SNIFF_ZIP_MEMBERS) {
		int r = next_header(a, &e);
		const char *name;

		if (r == ARCHIVE_EOF || r == ARCHIVE_FATAL)
			break;
		if (r < ARCHIVE_WARN)
			continue;
		z->count++;
		name = ent_pathname(e);
		if (name != NULL)
			note_member(z, a, name);
	}
	archive_read_free(a);
	return z->count > 0;
}

/* Refine a zip's answer from its members. */
static void classify_zip(struct arcsrc *s, struct sniff_result *r)
{
	struct zip_members z;

	if (!list_zip(s, &z))
		return;   /* libmagic's answer stands */
	r->kind = SNIFF_ARCHIVE;
	if (strcmp(r->mime, "application/octet-stream") == 0)
		snprintf(r->mime, sizeof(r->mime), "application/zip");
	if (z.content_types && (z.word || z.xl || z.ppt)) {
		snprintf(r->mime, sizeof(r->mime), "application/vnd.openxmlformats-officedocument.%s",
		         z.word ? "wordprocessingml.document" :
		         z.xl ? "spreadsheetml.sheet" : "presentationml.presentation");
		r->kind = SNIFF_DOCUMENT;
	} else if (z.ofd) {
		snprintf(r->mime, sizeof(r->mime), "application/ofd");
		r->kind = SNIFF_DOCUMENT;
	} else if (has_prefix_ci(z.odf_mime, "application/vnd.oasis.opendocument.")) {
		snprintf(r->mime, sizeof(r->mime), "%s", z.odf_mime);
		r->kind = SNIFF_DOCUMENT;
	} else if (z.android_manifest && z.dex) {
		snprintf(r->mime, sizeof(r->mime), "application/vnd.android.package-archive");
		r->kind = SNIFF_EXECUTABLE;
	} else if (z.manifest_mf && z.class_file) {
		snprintf(r->mime, sizeof(r->mime), "application/java-archive");
		r->kind = SNIFF_EXECUTABLE;
	} else if (z.odf_mime[0] != '\0') {
		/* EPUB and friends: a package, not a dossier archive. */
		r->kind = SNIFF_OTHER;
	}
}

/* A valid tar header block: the checksum (unsigned or the historic signed
 * sum) matches and a name is present. */
static bool tar_header_ok(const unsigned char *h)
{
	unsigned long stored = 0, usum = 0;
	long ssum = 0;
	size_t i;
	bool digits = false;

	if (h[0] == '\0')
		return false;
	for (i = 148; i < 156 && h[i] == ' '; i++)
		;
	for (; i < 156 && h[i] >= '0' && h[i] <= '7'; i++) {
		stored = stored * 8 + (unsigned long)(h[i] - '0');
		digits = true;
	}
	if (!digits)
		return false;
	for (i = 0; i < SNIFF_TAR_BLOCK; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];

		usum += c;
		ssum += (signed char)c;
	}
	return stored == usum || (long)stored == ssum;
}

/* Does a compressed stream hold a tar?  Reads one decompressed block. */
static bool holds_tar(struct arcsrc *s, int filter)
{
	struct archive *a;
	struct archive_entry *e;
	unsigned char block[SNIFF_TAR_BLOCK];
	size_t got = 0;
	bool ok = false;

	/* Not worth reserving gigabytes to look at 512 bytes: let unpack try
	 * it under the worker's limits and say what happened. */
	if (filter == ARCHIVE_FILTER_XZ && arcsrc_xz_dict_size(s) > SNIFF_XZ_DICT_MAX)
		return true;
	/* A stream that does not even decompress (a truncated .tar.gz) is
	 * handed to unpack too, which reports it damaged: as a plain file it
	 * would pass without a problem. */
	a = src_open(s, filter);
	if (a == NULL)
		return true;
	if (next_header(a, &e) >= ARCHIVE_WARN) {
		while (got < sizeof(block)) {
			ssize_t n = archive_read_data(a, block + got, sizeof(block) - got);

			if (n < 0)
				ok = true;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		ok = ok || (got == sizeof(block) && tar_header_ok(block));
	} else {
		ok = true;
	}
	archive_read_free(a);
	return ok;
}

/* ---- MIME type to kind ------------------------------------------------- */

static bool mime_in(const char *mime, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(mime, *list) == 0)
			return true;
	return false;
}

static const char *const MIME_EXECUTABLE[] = {
	"application/x-executable", "application/x-pie-executable",
	"application/x-sharedlib", "application/x-object", "application/x-elf",
	"application/x-dosexec", "application/vnd.microsoft.portable-executable",
	"application/x-msdownload", "application/x-ms-ne-executable",
	"application/x-mach-binary", "application/x-mach-o-executable",
	"application/java-archive", "application/x-java-archive",
	"application/x-java-applet", "application/java-vm",
	"application/x-msi", "application/x-ms-installer", "application/vnd.ms-msi",
	"application/vnd.android.package-archive", "application/x-bytecode.python",
	NULL
};

static const char *const MIME_SCRIPT[] = {
	"text/x-shellscript", "application/x-shellscript", "text/x-sh",
	"application/x-sh", "application/x-csh", "text/x-msdos-batch",
	"text/x-python", "application/x-python", "text/x-perl",
	"application/x-perl", "text/x-php", "application/x-php",
	"text/javascript", "application/javascript", "application/x-javascript",
	"text/x-vbscript", "text/vbscript", "application/x-powershell",
	"text/x-powershell", "application/hta", "text/x-ruby", "text/x-lua",
	"text/x-tcl", "text/x-awk", "application/x-ms-shortcut",
	NULL
};

static const char *const MIME_DOCUMENT[] = {
	"application/pdf", "application/msword", "application/vnd.ms-excel",
	"application/vnd.ms-powerpoint", "application/vnd.ms-office",
	"application/x-ole-storage", "application/CDFV2", "application/vnd.ms-works",
	"application/ofd", "application/rtf", "application/xml",
	"application/xhtml+xml", "application/csv", "application/json",
	"application/vnd.ms-outlook",
	NULL
};

static const char *const MIME_ARCHIVE[] = {
	"application/zip", "application/x-zip-compressed", "application/x-7z-compressed",
	"application/x-rar", "application/vnd.rar", "application/x-rar-compressed",
	"application/x-tar", "application/x-gtar",
	NULL
};

/* The one filter of a compressed-stream MIME type, else NONE. */
static int mime_filter(const char *mime)
{
	if (strcmp(mime, "application/gzip") == 0 || strcmp(mime, "application/x-gzip") == 0)
		return ARCHIVE_FILTER_GZIP;
	if (strcmp(mime, "application/x-bzip2") == 0)
		return ARCHIVE_FILTER_BZIP2;
	if (strcmp(mime, "application/x-xz") == 0)
		return ARCHIVE_FILTER_XZ;
	return ARCHIVE_FILTER_NONE;
}

static enum sniff_kind mime_kind(const char *mime)
{
	if (mime_in(mime, MIME_EXECUTABLE))
		return SNIFF_EXECUTABLE;
	if (mime_in(mime, MIME_SCRIPT) ||
	    (strncmp(mime, "text/x-", 7) == 0 && strstr(mime, "script") != NULL))
		return SNIFF_SCRIPT;
	if (mime_in(mime, MIME_DOCUMENT) || strncmp(mime, "text/", 5) == 0 ||
	    strncmp(mime, "application/vnd.openxmlformats-officedocument.", 46) == 0 ||
	    strncmp(mime, "application/vnd.oasis.opendocument.", 35) == 0 ||
	    strncmp(mime, "application/vnd.ms-word", 23) == 0 ||
	    strncmp(mime, "application/vnd.ms-excel", 24) == 0 ||
	    strncmp(mime, "application/vnd.ms-powerpoint", 29) == 0)
		return SNIFF_DOCUMENT;
	if (strncmp(mime, "image/", 6) == 0)
		return SNIFF_IMAGE;
	if (mime_in(mime, MIME_ARCHIVE))
		return SNIFF_ARCHIVE;
	return SNIFF_OTHER;
}

/* ---- names ------------------------------------------------------------- */

/*
 * The lower-cased extension of a display name into ext ("" if none).
 * Trailing dots and spaces are dropped first: Windows drops them, so
 * "营业执照.exe. " runs as an .exe.
 */
static void name_ext(const char *name, char *ext, size_t extsz)
{
	const char *base, *dot, *end;
	size_t n, i;

	ext[0] = '\0';
	if (name == NULL)
		return;
	base = name;
	for (const char *p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	end = base + strlen(base);
	while (end > base && (end[-1] == '.' || end[-1] == ' '))
		end--;
	dot = NULL;
	for (const char *p = base; p < end; p++)
		if (*p == '.')
			dot = p;
	if (dot == NULL || dot == base)
		return;
	n = (size_t)(end - dot - 1);
	if (n == 0 || n >= extsz)
		return;
	for (i = 0; i < n; i++) {
		char c = dot[1 + i];

		ext[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	ext[n] = '\0';
}

static bool word_in(const char *w, const char *list)
{
	size_t n = strlen(w);
	const char *p = list;

	if (n == 0)
		return false;
	while ((p = strstr(p, w)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static const char EXT_DOCUMENT[] =
	"pdf doc docx docm dot dotx xls xlsx xlsm xlt xltx ppt pptx pptm pps ppsx "
	"ofd wps wpt et ett dps dpt rtf txt csv odt ods odp html htm xml";
static const char EXT_IMAGE[] = "jpg jpeg jpe png gif bmp tif tiff webp heic";
static const char EXT_ARCHIVE[] = "zip rar 7z tar gz tgz bz2 tbz tbz2 xz txz";
static const char EXT_COMPRESSOR[] = "gz bz2 xz";
static const char EXT_SCRIPT[] =
	"bat cmd ps1 psm1 vbs vbe js jse wsf wsh sh bash py pl php hta lnk scr reg";

/* The kind a name's extension claims, or SNIFF_OTHER for no claim. */
static enum sniff_kind ext_claim(const char *ext)
{
	if (word_in(ext, EXT_DOCUMENT))
		return SNIFF_DOCUMENT;
	if (word_in(ext, EXT_IMAGE))
		return SNIFF_IMAGE;
	if (word_in(ext, EXT_ARCHIVE))
		return SNIFF_ARCHIVE;
	return SNIFF_OTHER;
}

/* ---- the whole decision ------------------------------------------------ */

static void set_result(struct sniff_result *r, const char *mime, enum sniff_kind kind)
{
	snprintf(r->mime, sizeof(r->mime), "%s", mime);
	r->kind = kind;
	r->ext_mismatch = false;
}

/* Everything after libmagic answered: refine, then check the name. */
static void finish(struct arcsrc *s, const char *name, struct sniff_result *r)
{
	char ext[16];
	enum sniff_kind claim;
	int filter = mime_filter(r->mime);
	size_t head_len;
	const unsigned char *head = arcsrc_head(s, &head_len);
	bool zip_sig = head_len >= 4 && memcmp(head, "PK\x03\x04", 4) == 0;

	r->kind = mime_kind(r->mime);
	if (strcmp(r->mime, "application/zip") == 0 ||
	    strcmp(r->mime, "application/x-zip-compressed") == 0 ||
	    (strcmp(r->mime, "application/octet-stream") == 0 && zip_sig))
		classify_zip(s, r);
	else if (filter != ARCHIVE_FILTER_NONE)
		r->kind = holds_tar(s, filter) ? SNIFF_ARCHIVE : SNIFF_OTHER;

	name_ext(name, ext, sizeof(ext));
	/* A text file named .bat/.ps1/.js... runs when double-clicked. */
	if (word_in(ext, EXT_SCRIPT) && (r->kind == SNIFF_DOCUMENT || r->kind == SNIFF_OTHER) &&
	    (strncmp(r->mime, "text/", 5) == 0 || strcmp(r->mime, "application/x-ms-shortcut") == 0))
		r->kind = SNIFF_SCRIPT;
	claim = ext_claim(ext);
	r->ext_mismatch = claim != SNIFF_OTHER && claim != r->kind;
	/* A .gz that is a single gzip'd file says what it is. */
	if (r->ext_mismatch && word_in(ext, EXT_COMPRESSOR) && filter != ARCHIVE_FILTER_NONE)
		r->ext_mismatch = false;
}

struct sniff *sniff_new(char *err, size_t errlen)
{
	struct sniff *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		snprintf(err, errlen, "sniff: out of memory");
		return NULL;
	}
	/* MAGIC_ERROR: report a read error instead of guessing from a prefix. */
	s->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
	if (s->magic == NULL) {
		snprintf(err, errlen, "magic_open: %s", strerror(errno));
		goto fail;
	}
	if (magic_load(s->magic, NULL) != 0) {
		snprintf(err, errlen, "magic_load: %s", magic_error(s->magic));
		goto fail;
	}
	/*
	 * libmagic 5.44 reads up to bytes_max (7 MiB) from the head of a
	 * file and as much again from its tail (for rules at offsets from
	 * the end), each into a fresh buffer: for a dossier of multi-MB
	 * scans that was most of the parse child's page faults and a third
	 * of its time.  Type rules look at the first KiBs and the zip/CDF
	 * directories, which libmagic reads through the descriptor, not
	 * the buffer, and a zip libmagic calls plain zip is opened by
	 * classify_zip() (OOXML, OFD, ...); 256 KiB
	 * keeps every answer of the test corpora and examples.
	 */
	{
		size_t bytes_max = SNIFF_MAGIC_BYTES;

		if (magic_setparam(s->magic, MAGIC_PARAM_BYTES_MAX, &bytes_max) != 0) {
			snprintf(err, errlen, "magic_setparam: %s", magic_error(s->magic));
			goto fail;
		}
	}
	return s;
fail:
	sniff_free(&s);
	return NULL;
}

void sniff_free(struct sniff **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	if ((*sp)->magic != NULL)
		magic_close((*sp)->magic);
	free(*sp);
	*sp = NULL;
}

int sniff_buffer(struct sniff *s, const void *buf, size_t len, const char *name,
                 struct sniff_result *r)
{
	struct arcsrc src;
	const char *t;

	set_result(r, "application/octet-stream", SNIFF_OTHER);
	if (len == 0) {
		set_result(r, "application/x-empty", SNIFF_EMPTY);
		return 0;
	}
	if (s == NULL || buf == NULL)
		return -1;
	t = magic_buffer(s->magic, buf, len);
	if (t == NULL)
		return -1;
	snprintf(r->mime, sizeof(r->mime), "%s", t);
	arcsrc_init_mem(&src, buf, len);
	finish(&src, name, r);
	arcsrc_free(&src);
	return 0;
}

int sniff_fd(struct sniff *s, int fd, const char *name, struct sniff_result *r)
{
	struct arcsrc src;
	struct stat st;
	const char *t;
	off_t cur;
	int ret = -1;

	memset(&src, 0, sizeof(src));
	set_result(r, "application/octet-stream", SNIFF_OTHER);
	if (s == NULL || fstat(fd, &st) != 0)
		return -1;
	cur = S_ISREG(st.st_mode) ? lseek(fd, 0, SEEK_CUR) : (off_t)-1;
	if (cur >= 0 && st.st_size <= cur) {
		set_result(r, "application/x-empty", SNIFF_EMPTY);
		return 0;
	}
	/* libmagic reads from the current offset and restores it. */
	t = magic_descriptor(s->magic, fd);
	if (t == NULL)
		return -1;
	snprintf(r->mime, sizeof(r->mime), "%s", t);
	r->kind = mime_kind(r->mime);
	if (strcmp(r->mime, "application/x-empty") == 0) {
		r->kind = SNIFF_EMPTY;
		return 0;
	}
	/* A pipe: nothing more can be read without consuming it. */
	if (cur < 0)
		return 0;
	/* A regular file at the offset libmagic restored: read with pread(),
	 * so the caller's offset is never moved. */
	if (arcsrc_init_fd(&src, fd) != 0)
		goto out;
	finish(&src, name, r);
	ret = 0;
out:
	arcsrc_free(&src);
	return ret;
}

const char *sniff_kind_name(enum sniff_kind k)
{
	switch (k) {
	case SNIFF_DOCUMENT:   return "document";
	case SNIFF_IMAGE:      return "image";
	case SNIFF_ARCHIVE:    return "archive";
	case SNIFF_EXECUTABLE: return "executable";
	case SNIFF_SCRIPT:     return "script";
	case SNIFF_EMPTY:      return "empty";
	case SNIFF_OTHER:      return "other";
	}
	return "other";
}

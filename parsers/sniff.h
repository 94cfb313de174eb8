/*
 * sniff.h - what a file really is, whatever its name says (libmagic).
 *
 * One struct sniff per process (libmagic cookies are not thread-safe); it
 * loads the default magic database once.  Office Open XML and OFD files are
 * zip packages but are documents: they are told apart by their member names
 * (via libarchive), and never reported as archives to unpack.  Legacy CDF
 * (.doc/.xls/.ppt, Kingsoft WPS/ET) are documents too.
 */
#ifndef INTAKE_SNIFF_H
#define INTAKE_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

enum sniff_kind {
	SNIFF_DOCUMENT,   /* pdf, office, ofd, wps, rtf, text documents */
	SNIFF_IMAGE,      /* jpeg, png, tiff, bmp, gif, webp */
	SNIFF_ARCHIVE,    /* zip, 7z, rar, tar(.gz/.bz2/.xz): unpack it */
	SNIFF_EXECUTABLE, /* ELF, PE, Mach-O, MSI, Java class/jar, apk */
	SNIFF_SCRIPT,     /* shell, batch, powershell, vbs, js, hta, python ... */
	SNIFF_EMPTY,      /* zero bytes */
	SNIFF_OTHER,      /* anything else (audio, unknown binary) */
};

struct sniff_result {
	char mime[128];        /* e.g. "application/pdf", "application/ofd" */
	enum sniff_kind kind;
	bool ext_mismatch;     /* the extension claims another kind (x.pdf is an exe) */
};

struct sniff;

/* Returns NULL and writes a reason to err on failure. */
struct sniff *sniff_new(char *err, size_t errlen);
void sniff_free(struct sniff **s);

/*
 * Sniff the file open on fd (offset preserved).  name is the display name
 * (for the extension check; may be NULL).  Returns 0, or -1 when libmagic
 * failed (r is then "application/octet-stream", SNIFF_OTHER).
 */
int sniff_fd(struct sniff *s, int fd, const char *name, struct sniff_result *r);

/*
 * Added with parsers/sniff.c: zips are classified by their first 64 member
 * names (OOXML, OFD, ODF, jar and apk are not ARCHIVE); gzip/bzip2/xz are
 * ARCHIVE only when their first 512 decompressed bytes are a valid tar
 * header.  On a pipe, sniff_fd() gives libmagic's answer only (looking at
 * members would consume it).  ext_mismatch is never set for an empty file,
 * nor for a single compressed file named .gz/.bz2/.xz.  Names ending in
 * .bat/.cmd/.ps1/.vbs/.js/.sh/.py/.hta/.lnk/.scr (and a few more) make a
 * text file a SCRIPT.
 */

/* Same over a buffer (tests, fuzzing). */
int sniff_buffer(struct sniff *s, const void *buf, size_t len, const char *name,
                 struct sniff_result *r);

const char *sniff_kind_name(enum sniff_kind k);

#endif

/*
 * ocr.h - Tesseract (libtesseract C API, leptonica for decoding) over
 * an image in memory or a rendered page.  Pure over bytes: no network,
 * reads only Tesseract's language data below /usr/share.
 *
 * Bounded: images larger than max_pixels are refused before decoding
 * their pixels; recognition runs under a deadline (Tesseract's
 * ETEXT_DESC monitor) and the parse child's own CPU limit; one thread
 * (OMP_THREAD_LIMIT=1), so the seccomp filter's thread rules hold.
 */
#ifndef INTAKE_OCR_H
#define INTAKE_OCR_H

#include <stdbool.h>
#include <stddef.h>

struct ocr_limits {
	unsigned ms;          /* deadline for recognition */
	size_t max_pixels;
	const char *langs;    /* "chi_sim+eng" */
	const char *tessdata; /* NULL = default */
};

struct ocr_out {
	char *text;           /* UTF-8, NUL-terminated (CJK inter-glyph spaces removed) */
	size_t len;
	int confidence;       /* mean word confidence 0..100 */
	bool timed_out;
	char *note;           /* why nothing, in Chinese, or NULL */
};

/* Load the engine once per child; later calls reuse it.  -1 with a note
 * in *note_r (malloc'd) when the language data is missing. */
int ocr_init(const struct ocr_limits *lim, char **note_r);
void ocr_end(void);

/* An encoded image (JPEG/PNG/TIFF/BMP/GIF/WebP as leptonica reads them). */
int ocr_image(const void *buf, size_t len, const struct ocr_limits *lim, struct ocr_out *o);
/* Raw 8-bit gray (bpp 1) or RGB (bpp 3) pixels, e.g. a rendered PDF page. */
int ocr_pixels(const unsigned char *px, int w, int h, int bpp, int stride,
               int dpi, const struct ocr_limits *lim, struct ocr_out *o);
void ocr_out_free(struct ocr_out *o);

#endif

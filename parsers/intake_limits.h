/*
 * intake_limits.h - every cap applied to untrusted input, in one place.
 *
 * A field left 0 means "use the documented default" (limits_fill()).
 * The defaults are chosen for the Hengyang dossiers: a county mails a few
 * zips of 2-50 MB; anything far beyond that is hostile or a mistake.
 */
#ifndef INTAKE_LIMITS_H
#define INTAKE_LIMITS_H

#include <stdint.h>
#include <stddef.h>

#define LIMIT_DEF_MESSAGE_BYTES      (512ULL << 20) /* raw message size */
#define LIMIT_DEF_MIME_DEPTH         32U            /* multipart/message nesting */
#define LIMIT_DEF_MIME_PARTS         2000U          /* parts in one message */
#define LIMIT_DEF_HEADER_BYTES       (256U << 10)   /* one header field, unfolded */
#define LIMIT_DEF_NAME_BYTES         1024U          /* one file name, UTF-8 */
#define LIMIT_DEF_ARCHIVE_DEPTH      3U             /* archive inside archive inside ... */
#define LIMIT_DEF_ARCHIVE_ENTRIES    5000U          /* entries over the whole message */
#define LIMIT_DEF_UNCOMPRESSED_BYTES (2048ULL << 20)/* extracted bytes, whole message */
#define LIMIT_DEF_ENTRY_BYTES        (1024ULL << 20)/* one extracted entry */
#define LIMIT_DEF_RATIO              200U           /* uncompressed / compressed, per archive */
#define LIMIT_DEF_CPU_SECONDS        120U           /* parse child CPU time */
#define LIMIT_DEF_WALL_SECONDS       300U           /* parse child wall clock */
#define LIMIT_DEF_ADDRESS_SPACE      (512ULL << 20) /* parse child RLIMIT_AS */
#define LIMIT_DEF_BODY_TEXT_BYTES    (512U << 10)   /* body text kept for link scanning */
#define LIMIT_DEF_TEXT_BYTES         (64U << 10)    /* document text kept per file */
#define LIMIT_DEF_TEXT_PAGES         2U             /* pages/slides/sheets read per file */
#define LIMIT_DEF_TEXT_FILES         40U            /* files per message whose text is read */
#define LIMIT_DEF_OCR_MS             20000U         /* OCR wall-clock budget per file */
#define LIMIT_DEF_OCR_EXTRA_SECONDS  600U           /* most OCR may add to a child's CPU and wall time */

/* [intake] ocr: auto = on when Tesseract's chi_sim data is installed. */
enum limit_ocr { LIMIT_OCR_AUTO = 0, LIMIT_OCR_ON = 1, LIMIT_OCR_OFF = 2 };

struct intake_limits {
	uint64_t message_bytes;
	unsigned mime_depth;
	unsigned mime_parts;
	size_t   header_bytes;
	size_t   name_bytes;
	unsigned archive_depth;
	unsigned archive_entries;
	uint64_t uncompressed_bytes;
	uint64_t entry_bytes;
	unsigned ratio;
	unsigned cpu_seconds;
	unsigned wall_seconds;
	uint64_t address_space;
	size_t   body_text_bytes;
	size_t   text_bytes;
	unsigned text_pages;
	unsigned text_files;
	unsigned ocr;               /* enum limit_ocr */
	unsigned ocr_ms;
	unsigned ocr_extra_seconds; /* cap on the CPU/wall time OCR adds per message */
};

/* Replace every 0 field of *l with its default. */
static inline void limits_fill(struct intake_limits *l)
{
#define LIMIT_FILL(f, d) do { if (l->f == 0) l->f = (d); } while (0)
	LIMIT_FILL(message_bytes, LIMIT_DEF_MESSAGE_BYTES);
	LIMIT_FILL(mime_depth, LIMIT_DEF_MIME_DEPTH);
	LIMIT_FILL(mime_parts, LIMIT_DEF_MIME_PARTS);
	LIMIT_FILL(header_bytes, LIMIT_DEF_HEADER_BYTES);
	LIMIT_FILL(name_bytes, LIMIT_DEF_NAME_BYTES);
	LIMIT_FILL(archive_depth, LIMIT_DEF_ARCHIVE_DEPTH);
	LIMIT_FILL(archive_entries, LIMIT_DEF_ARCHIVE_ENTRIES);
	LIMIT_FILL(uncompressed_bytes, LIMIT_DEF_UNCOMPRESSED_BYTES);
	LIMIT_FILL(entry_bytes, LIMIT_DEF_ENTRY_BYTES);
	LIMIT_FILL(ratio, LIMIT_DEF_RATIO);
	LIMIT_FILL(cpu_seconds, LIMIT_DEF_CPU_SECONDS);
	LIMIT_FILL(wall_seconds, LIMIT_DEF_WALL_SECONDS);
	LIMIT_FILL(address_space, LIMIT_DEF_ADDRESS_SPACE);
	LIMIT_FILL(body_text_bytes, LIMIT_DEF_BODY_TEXT_BYTES);
	LIMIT_FILL(text_bytes, LIMIT_DEF_TEXT_BYTES);
	LIMIT_FILL(text_pages, LIMIT_DEF_TEXT_PAGES);
	LIMIT_FILL(text_files, LIMIT_DEF_TEXT_FILES);
	LIMIT_FILL(ocr_ms, LIMIT_DEF_OCR_MS);
	LIMIT_FILL(ocr_extra_seconds, LIMIT_DEF_OCR_EXTRA_SECONDS);
#undef LIMIT_FILL
}

#endif

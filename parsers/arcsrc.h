/*
 * arcsrc.h - the bytes libarchive reads: a caller's fd or buffer.
 *
 * sniff and unpack hand libarchive what they were given, never a path.  A
 * regular file is read with pread() from the offset the fd had, so the
 * caller's offset never moves and the seekable zip and 7z readers can jump
 * around; a pipe is read() once through, with no seek or skip; a buffer is
 * read in place.  The source also answers what is asked before libarchive
 * is let loose on the bytes: the first few, exact reads at an offset, and
 * the dictionary an xz stream will make liblzma reserve.
 *
 * The caller embeds struct arcsrc (as curl embeds struct dynbuf); its fields
 * belong to arcsrc.c.  The fd and the buffer remain the caller's and must
 * outlive the source; everything else is released by arcsrc_free().
 */
#ifndef INTAKE_ARCSRC_H
#define INTAKE_ARCSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct archive;

/* Bytes peeked at the start: enough to recognise a gzip/bzip2/xz stream. */
#define ARCSRC_HEAD_LEN 6U

struct arcsrc {
	const unsigned char *mem;  /* borrowed; NULL for an fd */
	unsigned char *buf;        /* owned, one read's worth; fd only */
	int fd;                    /* borrowed; -1 for a buffer */
	bool seekable;             /* false: a pipe */
	off_t base;                /* fd offset at the start */
	int64_t size;              /* bytes from base to EOF; -1 when unknown */
	int64_t pos;               /* our position, relative to base */
	unsigned char head[ARCSRC_HEAD_LEN]; /* first bytes, zeros past head_len */
	size_t head_len;
	size_t head_used;          /* of head, already handed to libarchive (pipes) */
};

/* A source over [buf, buf+len), which stays borrowed.  Cannot fail. */
void arcsrc_init_mem(struct arcsrc *s, const void *buf, size_t len);

/*
 * A source over fd from its current offset, with the first bytes peeked.
 * A regular file is seekable and its offset is left alone; anything else
 * is read() as a stream, and the peeked bytes are handed to libarchive
 * first.  0, or -1 on failure (call arcsrc_free() either way).
 */
int arcsrc_init_fd(struct arcsrc *s, int fd);

/* Release what the source owns; the fd stays open.  Safe after a failed
 * or zeroed init, and twice. */
void arcsrc_free(struct arcsrc *s);

/*
 * Make s the read source of a (before archive_read_open1()).  A seekable
 * source starts again at its first byte and also gets the seek callback
 * (without it the zip reader streams local headers and 7z cannot be read
 * at all); a stream can be attached once only.  0, or -1 on failure.
 */
int arcsrc_attach(struct arcsrc *s, struct archive *a);

bool arcsrc_seekable(const struct arcsrc *s);

/* Bytes from the start to EOF; -1 when unknown (a pipe). */
int64_t arcsrc_size(const struct arcsrc *s);

/* The first bytes of the source; *len_r of them (up to ARCSRC_HEAD_LEN). */
const unsigned char *arcsrc_head(const struct arcsrc *s, size_t *len_r);

/* Exactly len bytes at off (from the start) of a seekable source; false
 * when they are not all there or cannot be read. */
bool arcsrc_pread(const struct arcsrc *s, uint64_t off, void *buf, size_t len);

/*
 * The LZMA2 dictionary size declared by the first block of an xz stream,
 * 0 if it cannot be read.  liblzma reserves it before decoding a byte (a
 * 100 KB file can ask for 1.5 GiB).
 */
uint64_t arcsrc_xz_dict_size(const struct arcsrc *s);

#endif

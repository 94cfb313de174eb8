/*
 * arcsrc.c - the bytes libarchive reads: a caller's fd or buffer.
 *
 * Shared by sniff.c and unpack.c.  Offsets handed to the callbacks come
 * from archive headers and are hostile; see src_seek().
 */
#include "arcsrc.h"

#include <archive.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Size of one read from an fd. */
#define ARCSRC_READ_BLOCK 65536

/* ---- libarchive callbacks ---------------------------------------------- */

static ssize_t src_read(struct archive *a, void *cd, const void **buf_r)
{
	struct arcsrc *s = cd;
	ssize_t n;

	/* On a pipe the peeked magic bytes were consumed: hand them over first. */
	if (!s->seekable && s->head_used < s->head_len) {
		*buf_r = s->head + s->head_used;
		n = (ssize_t)(s->head_len - s->head_used);
		s->head_used = s->head_len;
		return n;
	}
	/* At or past the end (a seek may go there): nothing more, and
	 * base + pos is never computed for a far offset. */
	if (s->size >= 0 && s->pos >= s->size)
		return 0;
	if (s->mem != NULL) {
		n = (ssize_t)(s->size - s->pos);
		*buf_r = s->mem + s->pos;
		s->pos = s->size;
		return n;
	}
	do {
		if (s->seekable)
			n = pread(s->fd, s->buf, ARCSRC_READ_BLOCK, s->base + s->pos);
		else
			n = read(s->fd, s->buf, ARCSRC_READ_BLOCK);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	*buf_r = s->buf;
	s->pos += n;
	return n;
}

static int64_t src_seek(struct archive *a, void *cd, int64_t off, int whence)
{
	struct arcsrc *s = cd;
	int64_t from = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->pos : s->size;

	/* UNSAFE: offsets come from archive headers; refuse overflow and < 0. */
	if ((off > 0 && from > INT64_MAX - off) || from + off < 0) {
		archive_set_error(a, EINVAL, "seek out of range");
		return ARCHIVE_FATAL;
	}
	s->pos = from + off;
	return s->pos;
}

static int64_t src_skip(struct archive *a, void *cd, int64_t req)
{
	struct arcsrc *s = cd;
	int64_t avail;

	(void)a;
	if (!s->seekable || req <= 0)
		return 0;
	/* Past EOF the reader gets 0 bytes and reports truncation itself. */
	avail = s->size > s->pos ? s->size - s->pos : 0;
	if (req > avail)
		req = avail;
	s->pos += req;
	return req;
}

/* ---- setting up -------------------------------------------------------- */

void arcsrc_init_mem(struct arcsrc *s, const void *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->mem = buf;
	s->fd = -1;
	s->seekable = true;
	s->size = (int64_t)len;
	s->head_len = len < ARCSRC_HEAD_LEN ? len : ARCSRC_HEAD_LEN;
	if (s->head_len > 0)
		memcpy(s->head, buf, s->head_len);
}

int arcsrc_init_fd(struct arcsrc *s, int fd)
{
	struct stat st;
	off_t cur;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->size = -1;
	if (fstat(fd, &st) != 0)
		return -1;
	cur = S_ISREG(st.st_mode) ? lseek(fd, 0, SEEK_CUR) : (off_t)-1;
	if (cur >= 0) {
		s->seekable = true;
		s->base = cur;
		s->size = st.st_size > cur ? (int64_t)(st.st_size - cur) : 0;
	}
	s->buf = malloc(ARCSRC_READ_BLOCK);
	if (s->buf == NULL)
		return -1;
	/* Peek the magic; on a pipe the bytes are kept for src_read(). */
	if (s->seekable) {
		size_t n = s->size < (int64_t)ARCSRC_HEAD_LEN ? (size_t)s->size : ARCSRC_HEAD_LEN;

		if (!arcsrc_pread(s, 0, s->head, n))
			return -1;
		s->head_len = n;
	} else {
		while (s->head_len < ARCSRC_HEAD_LEN) {
			ssize_t n = read(fd, s->head + s->head_len, ARCSRC_HEAD_LEN - s->head_len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -1;
			if (n == 0)
				break;
			s->head_len += (size_t)n;
		}
	}
	return 0;
}

void arcsrc_free(struct arcsrc *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	s->buf = NULL;
}

int arcsrc_attach(struct arcsrc *s, struct archive *a)
{
	if (s->seekable)
		s->pos = 0;
	if (archive_read_set_callback_data(a, s) != ARCHIVE_OK ||
	    archive_read_set_read_callback(a, src_read) != ARCHIVE_OK ||
	    archive_read_set_skip_callback(a, src_skip) != ARCHIVE_OK)
		return -1;
	if (s->seekable && archive_read_set_seek_callback(a, src_seek) != ARCHIVE_OK)
		return -1;
	return 0;
}

/* ---- reading ahead of libarchive --------------------------------------- */

bool arcsrc_seekable(const struct arcsrc *s)
{
	return s->seekable;
}

int64_t arcsrc_size(const struct arcsrc *s)
{
	return s->size;
}

const unsigned char *arcsrc_head(const struct arcsrc *s, size_t *len_r)
{
	*len_r = s->head_len;
	return s->head;
}

bool arcsrc_pread(const struct arcsrc *s, uint64_t off, void *buf, size_t len)
{
	size_t got = 0;

	if (!s->seekable || s->size < 0 || off > (uint64_t)s->size ||
	    len > (uint64_t)s->size - off)
		return false;
	if (s->mem != NULL) {
		memcpy(buf, s->mem + off, len);
		return true;
	}
	while (got < len) {
		ssize_t n = pread(s->fd, (char *)buf + got, len - got,
		                  s->base + (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

uint64_t arcsrc_xz_dict_size(const struct arcsrc *s)
{
	unsigned char h[12 + 1024];
	size_t n = s->size > 0 && (uint64_t)s->size < sizeof(h) ? (size_t)s->size : sizeof(h);
	size_t hsize, i, f, nfilters;
	uint64_t dict = 0;

	if (n < 14 || !arcsrc_pread(s, 0, h, n) || h[12] == 0)
		return 0;
	hsize = ((size_t)h[12] + 1) * 4;
	if (12 + hsize > n)
		return 0;
	nfilters = (size_t)(h[13] & 3) + 1;
	i = 14;
	/* Skip the optional compressed and uncompressed sizes (VLIs). */
	for (f = 0x40; f <= 0x80; f <<= 1) {
		if (h[13] & f) {
			while (i < 12 + hsize && (h[i] & 0x80))
				i++;
			i++;
		}
	}
	for (f = 0; f < nfilters && i + 2 < 12 + hsize; f++) {
		unsigned id = h[i], psize = h[i + 1];

		/* IDs and property sizes of the known filters fit one byte. */
		if ((id & 0x80) || (psize & 0x80) || i + 2 + psize > 12 + hsize)
			return 0;
		if (id == 0x21 && psize == 1 && h[i + 2] <= 40) {
			unsigned p = h[i + 2];

			dict = p == 40 ? 0xFFFFFFFFu : (uint64_t)(2 | (p & 1)) << (p / 2 + 11);
		}
		i += 2 + psize;
	}
	return dict;
}

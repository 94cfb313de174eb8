#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct spool {
	char *dir;        /* state_dir, owned */
	int dirfd;        /* state_dir */
	int lockfd;
	bool locked;
	unsigned tmpseq;
	int last_errno;   /* errno of the last failed spool write */
};

void spool_hex(const uint8_t *d, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void spool_sha256_hex(const void *buf, size_t len, char hex_r[SPOOL_HEX_LEN + 1])
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_init(&c);
	sha256_update(&c, len, buf);
	sha256_digest(&c, sizeof(d), d);
	spool_hex(d, sizeof(d), hex_r);
}

static bool valid_hex(const char *hex)
{
	size_t i;

	for (i = 0; hex[i]; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	return i == SPOOL_HEX_LEN;
}

static int mkdir_at(int dirfd, const char *name)
{
	if (mkdirat(dirfd, name, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* Open dirfd/name to read its entries, not following a link; NULL when
 * it cannot be.  *fd_r is its descriptor, closed with the DIR. */
static DIR *open_dir_at(int dirfd, const char *name, int *fd_r)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return NULL;
	}
	*fd_r = fd;
	return d;
}

/* The next entry of d other than . and .., NULL at the end. */
static struct dirent *next_entry(DIR *d)
{
	struct dirent *e;

	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			break;
	return e;
}

/* Remove every entry under dirfd/name (one or two levels: our layout). */
static void purge_dir(int dirfd, const char *name, bool remove_self)
{
	struct dirent *e;
	int fd;
	DIR *d = open_dir_at(dirfd, name, &fd);

	if (!d)
		return;
	while ((e = next_entry(d)) != NULL) {
		/* Linux says EISDIR for a directory (POSIX allows EPERM). */
		if (unlinkat(fd, e->d_name, 0) != 0 && (errno == EISDIR || errno == EPERM))
			purge_dir(fd, e->d_name, true);
	}
	closedir(d);
	if (remove_self)
		unlinkat(dirfd, name, AT_REMOVEDIR);
}

static int fsync_dirat(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int spool_open(const char *state_dir, bool wait_lock, struct spool **s_r,
               char *err, size_t errlen)
{
	struct spool *s = calloc(1, sizeof(*s));
	static const char *const subdirs[] = { "spool", "spool/tmp", "work", "files" };

	*s_r = NULL;
	if (!s)
		goto nomem;
	s->dirfd = s->lockfd = -1;
	s->dir = strdup(state_dir);
	if (!s->dir)
		goto nomem;
	if (mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create state directory %s: %s", state_dir, strerror(errno));
		goto fail;
	}
	s->dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		snprintf(err, errlen, "cannot open state directory %s: %s", state_dir, strerror(errno));
		goto fail;
	}
	/* Dossiers hold personal data: nobody else may read the state. */
	(void)fchmod(s->dirfd, 0700);
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		if (mkdir_at(s->dirfd, subdirs[i]) != 0) {
			snprintf(err, errlen, "cannot create %s/%s: %s", state_dir, subdirs[i], strerror(errno));
			goto fail;
		}
	}
	s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0) {
		snprintf(err, errlen, "cannot open %s/lock: %s", state_dir, strerror(errno));
		goto fail;
	}
	if (spool_lock(s, wait_lock, err, errlen) != 0)
		goto fail;
	*s_r = s;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	spool_close(&s);
	return -1;
}

int spool_lock(struct spool *s, bool wait, char *err, size_t errlen)
{
	if (s->locked)
		return 0;
	if (flock(s->lockfd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "state directory %s is in use by another intake process", s->dir);
		else
			snprintf(err, errlen, "cannot lock %s/lock: %s", s->dir, strerror(errno));
		return -1;
	}
	s->locked = true;
	/* Leftovers of a crash: partial spool writes and half-parsed output.
	 * Neither is referenced by the ledger (OpenSMTPD purges incoming/),
	 * and whoever wrote them held this lock and no longer does. */
	purge_dir(s->dirfd, "spool/tmp", false);
	purge_dir(s->dirfd, "work", false);
	return 0;
}

void spool_unlock(struct spool *s)
{
	if (s->locked && flock(s->lockfd, LOCK_UN) == 0)
		s->locked = false;
}

bool spool_locked(const struct spool *s)
{
	return s->locked;
}

void spool_close(struct spool **sp)
{
	struct spool *s = *sp;

	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	free(s);
	*sp = NULL;
}

const char *spool_state_dir(const struct spool *s)
{
	return s->dir;
}

char *spool_message_path(const struct spool *s, const char *hex, char *buf, size_t size)
{
	snprintf(buf, size, "%s/spool/%s.eml", s->dir, hex);
	return buf;
}

char *spool_file_path(const struct spool *s, const char *hex, const char *stored,
                      char *buf, size_t size)
{
	snprintf(buf, size, "%s/files/%s/%s", s->dir, hex, stored);
	return buf;
}

int spool_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A message written in pieces (IMAP partial fetches) or at once: stream into
 * spool/tmp while hashing, then make it durable under its hash.  Order is
 * important: data fsync, close checked, rename, directory fsync.
 */
struct spool_writer {
	struct spool *s;
	char tmpname[64];
	struct sha256_ctx c;
	uint64_t total, max_bytes, written_back;
	int fd;
};

#define WRITEBACK_STEP (8ULL << 20)

void spool_writeback(int fd, uint64_t *done, uint64_t total)
{
	if (total < *done + WRITEBACK_STEP)
		return;
	(void)sync_file_range(fd, (off64_t)*done, (off64_t)(total - *done), SYNC_FILE_RANGE_WRITE);
	*done = total;
}

static void werror(struct spool *s, const char *what, char *err, size_t errlen)
{
	s->last_errno = errno;
	snprintf(err, errlen, "%s in %s: %s", what, s->dir, strerror(errno));
}

int spool_writer_begin(struct spool *s, uint64_t max_bytes, struct spool_writer **w_r,
                       char *err, size_t errlen)
{
	struct spool_writer *w = calloc(1, sizeof(*w));

	*w_r = NULL;
	s->last_errno = 0;
	if (!w) {
		s->last_errno = ENOMEM;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->s = s;
	w->max_bytes = max_bytes;
	snprintf(w->tmpname, sizeof(w->tmpname), "spool/tmp/%ld.%u", (long)getpid(), s->tmpseq++);
	w->fd = openat(s->dirfd, w->tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		werror(s, "cannot create a spool file", err, errlen);
		free(w);
		return -1;
	}
	sha256_init(&w->c);
	*w_r = w;
	return 0;
}

int spool_writer_write(struct spool_writer *w, const void *buf, size_t len,
                       char *err, size_t errlen)
{
	if (w->max_bytes && (w->total + len > w->max_bytes || w->total + len < w->total)) {
		w->s->last_errno = EFBIG;
		snprintf(err, errlen, "message larger than the limit of %llu bytes",
		         (unsigned long long)w->max_bytes);
		return -1;
	}
	w->total += len;
	sha256_update(&w->c, len, buf);
	if (spool_write_full(w->fd, buf, len) != 0) {
		werror(w->s, "cannot write the spool", err, errlen);
		return -1;
	}
	spool_writeback(w->fd, &w->written_back, w->total);
	return 0;
}

uint64_t spool_writer_size(const struct spool_writer *w)
{
	return w->total;
}

void spool_writer_abort(struct spool_writer **wp)
{
	struct spool_writer *w = *wp;

	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	unlinkat(w->s->dirfd, w->tmpname, 0);
	free(w);
	*wp = NULL;
}

int spool_writer_finish(struct spool_writer **wp, char hex_r[SPOOL_HEX_LEN + 1],
                        bool *existed_r, char *err, size_t errlen)
{
	struct spool_writer *w = *wp;
	struct spool *s = w->s;
	uint8_t d[SHA256_DIGEST_SIZE];
	char final[96];
	struct stat st;

	*existed_r = false;
	sha256_digest(&w->c, sizeof(d), d);
	spool_hex(d, sizeof(d), hex_r);
	snprintf(final, sizeof(final), "spool/%s.eml", hex_r);
	if (fstatat(s->dirfd, final, &st, 0) == 0 && (uint64_t)st.st_size == w->total) {
		/* Same bytes already durable: drop the copy. */
		*existed_r = true;
		spool_writer_abort(wp);
		return 0;
	}
	if (fsync(w->fd) != 0)
		goto werr;
	if (close(w->fd) != 0) {
		w->fd = -1;
		goto werr;
	}
	w->fd = -1;
	if (renameat(s->dirfd, w->tmpname, s->dirfd, final) != 0)
		goto werr;
	if (fsync_dirat(s->dirfd, "spool") != 0)
		goto werr;
	free(w);
	*wp = NULL;
	return 0;
werr:
	werror(s, "cannot write the spool", err, errlen);
	spool_writer_abort(wp);
	return -1;
}

int spool_last_errno(const struct spool *s)
{
	return s->last_errno;
}

void *spool_block_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, len, MADV_DONTFORK);   /* only an optimisation */
	return p;
}

void spool_block_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

#define STORE_BLOCK (1u << 20)

static int store(struct spool *s, int in_fd, const void *buf, size_t len,
                 uint64_t max_bytes, char hex_r[SPOOL_HEX_LEN + 1],
                 bool *existed_r, uint64_t *size_r, char *err, size_t errlen)
{
	struct spool_writer *w;
	uint64_t total = 0;
	char *blk = NULL;
	int ret = -1;

	*existed_r = false;
	if (spool_writer_begin(s, max_bytes, &w, err, errlen) != 0)
		return -1;
	if (in_fd >= 0) {
		blk = spool_block_alloc(STORE_BLOCK);
		if (!blk) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		for (;;) {
			ssize_t n = read(in_fd, blk, STORE_BLOCK);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				snprintf(err, errlen, "read error: %s", strerror(errno));
				goto out;
			}
			if (n == 0)
				break;
			if (spool_writer_write(w, blk, (size_t)n, err, errlen) != 0)
				goto out;
		}
	} else if (spool_writer_write(w, buf, len, err, errlen) != 0) {
		goto out;
	}
	total = w->total;
	ret = spool_writer_finish(&w, hex_r, existed_r, err, errlen);
out:
	spool_writer_abort(&w);
	if (size_r)
		*size_r = total;
	spool_block_free(blk, STORE_BLOCK);
	return ret;
}

int spool_store_fd(struct spool *s, int in_fd, uint64_t max_bytes,
                   char hex_r[SPOOL_HEX_LEN + 1], bool *existed_r,
                   uint64_t *size_r, char *err, size_t errlen)
{
	return store(s, in_fd, NULL, 0, max_bytes, hex_r, existed_r, size_r, err, errlen);
}

int spool_store_buf(struct spool *s, const void *buf, size_t len,
                    char hex_r[SPOOL_HEX_LEN + 1], bool *existed_r,
                    char *err, size_t errlen)
{
	return store(s, -1, buf, len, 0, hex_r, existed_r, NULL, err, errlen);
}

int spool_open_message(struct spool *s, const char *hex)
{
	char name[96];

	if (!valid_hex(hex)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(name, sizeof(name), "spool/%s.eml", hex);
	return openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

int spool_work_dir(struct spool *s, const char *hex, char *err, size_t errlen)
{
	char name[96];
	int fd;

	if (!valid_hex(hex)) {
		snprintf(err, errlen, "bad spool name");
		return -1;
	}
	snprintf(name, sizeof(name), "work/%s", hex);
	purge_dir(s->dirfd, name, true);
	if (mkdirat(s->dirfd, name, 0700) != 0) {
		snprintf(err, errlen, "cannot create %s/%s: %s", s->dir, name, strerror(errno));
		return -1;
	}
	fd = openat(s->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errlen, "cannot open %s/%s: %s", s->dir, name, strerror(errno));
	return fd;
}

void spool_discard_work(struct spool *s, const char *hex)
{
	char name[96];

	if (!valid_hex(hex))
		return;
	snprintf(name, sizeof(name), "work/%s", hex);
	purge_dir(s->dirfd, name, true);
}

int spool_commit_files(struct spool *s, const char *hex, char *err, size_t errlen)
{
	char from[96], to[96];
	int wfd;

	if (!valid_hex(hex)) {
		snprintf(err, errlen, "bad spool name");
		return -1;
	}
	snprintf(from, sizeof(from), "work/%s", hex);
	snprintf(to, sizeof(to), "files/%s", hex);
	/* The extracted files can always be made again from the raw message,
	 * so one syncfs() for all of them is enough before they are named in
	 * the ledger; per-file fsync would cost a disk flush per entry. */
	wfd = openat(s->dirfd, from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd < 0) {
		snprintf(err, errlen, "cannot open %s/%s: %s", s->dir, from, strerror(errno));
		return -1;
	}
	if (syncfs(wfd) != 0) {
		snprintf(err, errlen, "cannot sync %s: %s", s->dir, strerror(errno));
		close(wfd);
		return -1;
	}
	close(wfd);
	purge_dir(s->dirfd, to, true);
	if (renameat(s->dirfd, from, s->dirfd, to) != 0 || fsync_dirat(s->dirfd, "files") != 0) {
		snprintf(err, errlen, "cannot move %s to %s: %s", from, to, strerror(errno));
		return -1;
	}
	return 0;
}

/* Regular files and their bytes under dirfd/name (our layout: two levels
 * at most; symlinks are not followed, there are none). */
static void tally(int dirfd, const char *name, unsigned depth, unsigned *n, uint64_t *bytes)
{
	struct dirent *e;
	struct stat st;
	int fd;
	DIR *d = open_dir_at(dirfd, name, &fd);

	if (!d)
		return;
	while ((e = next_entry(d)) != NULL) {
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			(*n)++;
			*bytes += (uint64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode) && depth < 4) {
			tally(fd, e->d_name, depth + 1, n, bytes);
		}
	}
	closedir(d);
}

int spool_remove_files(struct spool *s, const char *hex, bool dry_run, unsigned *nfiles_r,
                       uint64_t *bytes_r, char *err, size_t errlen)
{
	char name[96];
	struct stat st;

	*nfiles_r = 0;
	*bytes_r = 0;
	if (!valid_hex(hex)) {
		snprintf(err, errlen, "bad spool name");
		return -1;
	}
	snprintf(name, sizeof(name), "files/%s", hex);
	tally(s->dirfd, name, 0, nfiles_r, bytes_r);
	if (dry_run)
		return 0;
	purge_dir(s->dirfd, name, true);
	/* purge_dir() is best effort; here the point is that nothing stays. */
	if (fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s/%s", s->dir, name);
		return -1;
	}
	if (fsync_dirat(s->dirfd, "files") != 0) {
		snprintf(err, errlen, "cannot sync %s/files: %s", s->dir, strerror(errno));
		return -1;
	}
	return 0;
}

int spool_usage(const char *state_dir, const char *sub, unsigned *nfiles_r, uint64_t *bytes_r)
{
	int dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	*nfiles_r = 0;
	*bytes_r = 0;
	if (dfd < 0)
		return -1;
	if (fstatat(dfd, sub, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
		*nfiles_r = 1;
		*bytes_r = (uint64_t)st.st_size;
	} else {
		tally(dfd, sub, 0, nfiles_r, bytes_r);
	}
	close(dfd);
	return 0;
}

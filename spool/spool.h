/*
 * spool.h - the durable, content-addressed store of raw messages and the
 * files extracted from them.
 *
 * Layout under state_dir (0700, files 0600):
 *   lock                 one process works a state directory at a time
 *   spool/<sha256>.eml   every message exactly as received
 *   spool/tmp/           partial writes; purged at open
 *   work/<sha256>/       a parse child's output while it runs
 *   files/<sha256>/NNNN  extracted files of a recorded message, named by us
 *   intake.db            the ledger (spool/ledger.h)
 *
 * A message file is written to spool/tmp, fsync'd, renamed into place and
 * the directory fsync'd before anything else happens to it, so a crash at
 * any instant leaves either no file or the whole file.  The name is the
 * SHA-256 of the bytes: storing the same bytes twice is a no-op.
 */
#ifndef INTAKE_SPOOL_H
#define INTAKE_SPOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define SPOOL_HEX_LEN 64

struct spool;

/* Create the layout if needed, take the lock (fails at once if another
 * process holds it, unless wait), purge spool/tmp and work/. */
int spool_open(const char *state_dir, bool wait_lock, struct spool **s_r,
               char *err, size_t errlen);
void spool_close(struct spool **s);

/*
 * The lock: spool_open() takes it; a long-running daemon lets go of it
 * while it waits for mail so intakectl can work, and takes it again (which
 * purges what a crashed holder left in spool/tmp and work/).
 */
int spool_lock(struct spool *s, bool wait, char *err, size_t errlen);
void spool_unlock(struct spool *s);
bool spool_locked(const struct spool *s);

const char *spool_state_dir(const struct spool *s);

/*
 * Copy everything readable from in_fd into the spool (at most max_bytes;
 * more is an error), durably.  hex_r receives the SHA-256 name, existed_r
 * whether those bytes were already spooled.
 */
int spool_store_fd(struct spool *s, int in_fd, uint64_t max_bytes,
                   char hex_r[SPOOL_HEX_LEN + 1], bool *existed_r,
                   uint64_t *size_r, char *err, size_t errlen);
int spool_store_buf(struct spool *s, const void *buf, size_t len,
                    char hex_r[SPOOL_HEX_LEN + 1], bool *existed_r,
                    char *err, size_t errlen);

/*
 * Incremental writing (IMAP partial fetches): begin, write pieces, finish
 * (durable under its hash, existed_r when those bytes were already there)
 * or abort.  finish and abort free the writer.  More than max_bytes (0 = no
 * limit) fails with EFBIG.
 */
struct spool_writer;
int spool_writer_begin(struct spool *s, uint64_t max_bytes, struct spool_writer **w_r,
                       char *err, size_t errlen);
int spool_writer_write(struct spool_writer *w, const void *buf, size_t len,
                       char *err, size_t errlen);
uint64_t spool_writer_size(const struct spool_writer *w);
int spool_writer_finish(struct spool_writer **w, char hex_r[SPOOL_HEX_LEN + 1],
                        bool *existed_r, char *err, size_t errlen);
void spool_writer_abort(struct spool_writer **w);
/* errno of the last failed write (ENOSPC, EDQUOT, EFBIG...), 0 if none. */
int spool_last_errno(const struct spool *s);

/* Open a spooled message read-only; returns fd or -1. */
int spool_open_message(struct spool *s, const char *hex);

/* A fresh, empty work directory for hex; returns an O_DIRECTORY fd or -1. */
int spool_work_dir(struct spool *s, const char *hex, char *err, size_t errlen);
/* Make work/<hex> the message's files/<hex> (replacing an older one), durably. */
int spool_commit_files(struct spool *s, const char *hex, char *err, size_t errlen);
/* Remove work/<hex> after a failed attempt. */
void spool_discard_work(struct spool *s, const char *hex);

/*
 * Remove files/<hex>/ (the retention policy): the raw message stays.
 * *nfiles_r and *bytes_r say what was there (0 when nothing was); with
 * dry_run nothing is removed.  Needs the lock.
 */
int spool_remove_files(struct spool *s, const char *hex, bool dry_run, unsigned *nfiles_r,
                       uint64_t *bytes_r, char *err, size_t errlen);
/* Regular files and bytes under state_dir/sub ("spool", "files", or a
 * file name); read-only, no lock.  -1 when state_dir cannot be opened. */
int spool_usage(const char *state_dir, const char *sub, unsigned *nfiles_r, uint64_t *bytes_r);

/* Path helpers (into buf; return buf). */
char *spool_message_path(const struct spool *s, const char *hex, char *buf, size_t size);
char *spool_file_path(const struct spool *s, const char *hex, const char *stored,
                      char *buf, size_t size);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void spool_hex(const uint8_t *d, size_t n, char *out);
/* write() all of buf, retrying on EINTR and short writes; 0 or -1 (errno). */
int spool_write_full(int fd, const void *buf, size_t len);
/*
 * Start writing back what was written to fd since *done (total bytes now),
 * in steps of at least 8 MiB, without waiting: the fsync or syncfs that
 * makes the file durable then finds most of it already on the disk
 * instead of writing it all while the caller waits.  Best effort.
 */
void spool_writeback(int fd, uint64_t *done, uint64_t total);

/*
 * A copy buffer of len bytes that a fork()ed parse child does not share.
 * A page the parent writes after fork() is otherwise copied once more
 * (a fault and a TLB shootdown per 4 KiB): a seventh of ingest time when
 * the next message is copied into the spool while the child parses.
 * NULL when out of memory.
 */
void *spool_block_alloc(size_t len);
void spool_block_free(void *p, size_t len);

/* Hex SHA-256 of a buffer (for tests and callers that hash in memory). */
void spool_sha256_hex(const void *buf, size_t len, char hex_r[SPOOL_HEX_LEN + 1]);

#endif

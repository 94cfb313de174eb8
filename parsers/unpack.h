/*
 * unpack.h - list and stream the entries of one archive (libarchive).
 *
 * Formats read: zip, 7z, rar (v4), rar5, tar (plain, gzip, bzip2, xz), and
 * single-file gzip/bzip2/xz are NOT unpacked (they are reported as
 * unsupported unless they hold a tar).  Only these formats and filters are
 * registered, never _all.
 *
 * Nothing is written to disk here: the caller's sink receives each regular
 * file entry's bytes in bounded blocks and names the output itself.  Entry
 * paths are data only: decoded to UTF-8 (UTF-8 flag or valid UTF-8, else
 * GB18030), '\\' treated as a separator, and every absolute path, drive
 * letter, ".." component, empty name, symlink, hardlink and device entry is
 * refused with a recorded problem.  Encrypted, corrupt and truncated
 * archives become problems.  Budgets shared across a whole message (bytes,
 * entries) stop bombs early; the ratio is checked per archive against the
 * archive's own size.
 *
 * Nesting is the caller's business: it sniffs each extracted entry and calls
 * unpack_fd() again with depth + 1 (unpack refuses depth > archive_depth).
 */
#ifndef INTAKE_UNPACK_H
#define INTAKE_UNPACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "intake_limits.h"
#include "problem.h"

/* Shared across every archive of one message. */
struct unpack_budget {
	uint64_t bytes_out;   /* uncompressed bytes handed to sinks so far */
	unsigned entries;     /* entries seen so far (all types) */
	unsigned depth_refused; /* archives refused for depth (reported once) */
};

struct unpack_entry {
	const char *path;      /* sanitised relative UTF-8 path, '/' separated */
	const char *raw;       /* the name bytes as stored */
	size_t raw_len;
	bool name_lossy;       /* decoding the name needed U+FFFD */
	bool name_was_legacy;  /* decoded from GB18030 (no UTF-8 flag, not UTF-8) */
	int64_t declared_size; /* what the header claims, -1 if unknown */
};

/*
 * entry_begin returns 0 to receive the data, 1 to skip the entry, -1 to
 * stop.  entry_data: -1 stops.  entry_end's ok is false when the entry's
 * data could not be read completely (a problem has been reported, and the
 * bytes already delivered should be discarded).
 *
 * Added with parsers/unpack.c: every entry_begin that returned 0 is
 * followed by exactly one entry_end, also when reading stops inside the
 * entry (ok is then false); entry_end returning -1 stops too.  Any
 * callback may be NULL (no entry_begin: receive everything).  Only regular
 * files reach entry_begin; directories pass silently.  A stop asked for by
 * the sink makes unpack_fd() return -1 without a problem of its own.
 * Strings in the entry and in problems are valid UTF-8, borrowed for the
 * duration of the call.
 */
struct unpack_sink {
	void *ctx;
	int  (*entry_begin)(void *ctx, const struct unpack_entry *e);
	int  (*entry_data)(void *ctx, const void *buf, size_t len);
	int  (*entry_end)(void *ctx, bool ok);
	problem_fn problem;
};

/*
 * Read the archive open on fd (from its current offset; fd is not closed).
 * name is the archive's own display name, used in problem subjects
 * ("outer.zip/inner.7z").  Returns 0 when the archive was read to its end
 * (individual entries may have been refused), -1 when it could not be read
 * at all or reading stopped early (bomb, corrupt, encrypted headers, sink
 * stop); a problem has then been reported.
 */
/*
 * Added with parsers/unpack.c:
 * - lim may be NULL (all defaults); budget may be NULL (a budget for this
 *   archive alone).  The caller decides what depth the outermost archive
 *   has; anything deeper than lim->archive_depth is refused unread.
 * - A regular file is read with pread() from the starting offset: the fd's
 *   offset is left as it was.  A pipe is read once, front to back: zip is
 *   then streamed from its local headers and 7z cannot be read.
 * - Limits count real decompressed bytes, never declared sizes.  Entries
 *   that are skipped or refused are still decompressed to get past them in
 *   solid/compressed streams, and that work is capped too.  The ratio is
 *   judged once 10 MiB came out of the archive, against its size on disk.
 * - A zip entry whose name in the central directory (what Windows
 *   Explorer, 7-Zip and WinRAR show) differs from its local header (what is
 *   read) is refused as a path problem.
 */
int unpack_fd(int fd, const char *name, unsigned depth,
              const struct intake_limits *lim, struct unpack_budget *budget,
              const struct unpack_sink *sink);

/*
 * Sanitise one archive path (exposed for tests and fuzzing).  On success
 * returns a malloc'd clean relative path ('/' separated, no empty, "." or
 * ".." components, no leading '/', no drive letter) and 0; otherwise NULL
 * and a reason in Chinese through *why_r (static string).
 */
char *unpack_clean_path(const char *utf8, const char **why_r);

#endif

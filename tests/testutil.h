/*
 * testutil.h - small helpers shared by the test programs (not by the product).
 */
#ifndef INTAKE_TESTUTIL_H
#define INTAKE_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* 1 in a build with AddressSanitizer (gcc or clang), else 0: tests of
 * RLIMIT_AS and of RSS bounds cannot run under its shadow memory. */
#if defined(__SANITIZE_ADDRESS__)
#define TU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_ASAN 1
#endif
#endif
#ifndef TU_ASAN
#define TU_ASAN 0
#endif

/* A fresh directory under $TMPDIR (or /tmp); malloc'd path. Aborts on failure. */
char *tu_tempdir(void);
/* rm -rf, for a directory tu_tempdir() made. */
void tu_rmrf(const char *path);
/* Whole file into a malloc'd, NUL-terminated buffer; NULL if unreadable. */
char *tu_read_file(const char *path, size_t *len_r);
int tu_write_file(const char *path, const void *buf, size_t len);
/* Path of the shared corpora: $INTAKE_CORPORA or ../shared/corpora. */
const char *tu_corpora(void);
/* Decode a libarchive-style .uu file ("begin MODE NAME" ... "end"). */
char *tu_uudecode_file(const char *path, size_t *len_r);
/* Every regular file below root (no symlinks followed), sorted; malloc'd
 * paths in a malloc'd array.  Aborts if root cannot be walked. */
char **tu_list_files(const char *root, size_t *n_r);
void tu_free_list(char **list, size_t n);
/* Run a shell command; its exit status (128+signal when killed), its
 * stdout and stderr together in *out_r (malloc'd) unless out_r is NULL. */
int tu_run(char **out_r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A multipart/mixed message as a county clerk's client writes it: the
 * header lines given (From, Subject, Message-ID ... each ending in CRLF),
 * a short text body, then each file of paths attached in base64 under the
 * matching name of names (UTF-8, RFC 2231).  Written to out; aborts on
 * failure.
 */
void tu_write_mime(const char *out, const char *headers, const char *const *paths,
                   const char *const *names);
/* How many children process pid has (/proc/PID/task/PID/children), the
 * first of them in *first_r unless NULL (left alone when none); -1 when
 * the list cannot be read (pid gone). */
int tu_children(pid_t pid, pid_t *first_r);
/* snprintf into a malloc'd string. */
char *tu_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

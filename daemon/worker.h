/*
 * worker.h - the parse child: the only code that touches a message's
 * attacker-controlled bytes with libetpan, libarchive and libmagic.
 *
 * worker_parse() forks a child with resource limits (address space, CPU
 * time, file size, open files) and a wall-clock timeout.  The child maps the
 * spool file, walks the MIME tree, writes every attachment and every archive
 * entry into the work directory under names it makes up (0001, 0002, ...),
 * sniffs each, unpacks archives (nested up to the depth limit), and reports
 * length-prefixed records over a pipe.  The parent decodes them with
 * bounds-checked getters into a struct worker_result.  A child that dies,
 * hangs or sends garbage becomes a problem on the message; whatever it
 * reported before that is kept.
 *
 * Ownership: the result owns all its strings; worker_result_free().
 */
#ifndef INTAKE_WORKER_H
#define INTAKE_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "intake_limits.h"
#include "mime.h"

struct worker_file {
	unsigned seq;          /* 1.. in the order found; also the stored name */
	unsigned parent;       /* seq of the archive it came from, 0 = attachment */
	unsigned depth;        /* 0 = attached to the mail, 1 = inside an archive ... */
	int top;               /* index of the top-level attachment (0..) */
	char *part;            /* MIME part number it came from */
	char *path;            /* display path "a.zip/单位/x.pdf" */
	char *name;            /* base name */
	char *top_name;        /* name of the top-level attachment */
	char *inner;           /* path inside the top-level archive, NULL if attached */
	char *name_raw;        /* bytes as sent */
	size_t name_raw_len;
	bool name_lossy;
	uint64_t size;
	char sha256[65];
	char mime[128];
	int kind;              /* enum sniff_kind */
	bool ext_mismatch;
	bool container;        /* an archive that was opened */
	bool body_image;       /* inline image of the letter */
	bool in_forward;
	char stored[16];       /* file name under files/<msg>/; "" for an archive that
	                          was opened (its entries are stored, not it), unless
	                          it was attached and not read whole (then kept) */
	/* What the document says (textract.h), read in the child; text NULL
	 * when nothing was read (text_note says why, or the file was not a
	 * document/image).  text_source is an enum text_source. */
	bool text_done;        /* a REC_TEXT arrived for this file */
	char *text;
	size_t text_len;
	int text_source;
	int text_confidence;   /* 0..100 */
	unsigned text_pages;
	bool text_truncated;
	char *text_note;
};

struct worker_problem {
	unsigned file;         /* seq, 0 = the message */
	char *kind;
	char *subject;
	char *reason;
};

enum worker_outcome {
	WORKER_OK,
	WORKER_CRASHED,        /* died by a signal */
	WORKER_LIMIT,          /* CPU, memory or wall-clock limit */
	WORKER_PROTOCOL,       /* sent garbage or stopped early */
};

struct worker_result {
	struct mime_info info;
	bool mime_ok;          /* the structure could be read */
	bool received_known;   /* a Received: header gave a time */
	time_t received;
	int received_offset;   /* minutes east of UTC */
	struct worker_file *files;
	size_t nfiles;
	struct worker_problem *problems;
	size_t nproblems;
	enum worker_outcome outcome;
	int status;            /* raw wait status of the child */
	int local_errno;       /* set only while parsing: see worker_parse() */
};

/*
 * Parse the message open on msg_fd into work_dirfd.  With fork_child false
 * the same code runs in-process (tests, fuzzing).  Returns 0 when a result
 * was produced (it may carry a crash outcome), -1 on a local error (fork,
 * pipe, or the child could not write the work directory: ENOSPC, EDQUOT,
 * EIO, EROFS) with err and errno set: then nothing about the message is
 * known and it must not be recorded.
 */
int worker_parse(int msg_fd, int work_dirfd, const struct intake_limits *lim,
                 bool fork_child, struct worker_result *r,
                 char *err, size_t errlen);
void worker_result_free(struct worker_result *r);

/*
 * The same parse in two steps, so that the next message can be parsed
 * while the current one is waited for: worker_start() forks the child;
 * worker_finish() waits for it (doing worker_idle work meanwhile), fills
 * r exactly as worker_parse() would and frees the job.  worker_abandon()
 * kills it and frees it.  msg_fd and work_dirfd must stay open until then.
 *
 * worker_set_background(j): the one job whose pipe is read while another
 * is waited for (NULL: none); it must be cleared (or finished, which
 * clears it) before j is freed.
 */
struct worker_job;
int worker_start(int msg_fd, int work_dirfd, const struct intake_limits *lim,
                 struct worker_job **jp, char *err, size_t errlen);
int worker_finish(struct worker_job *j, struct worker_result *r, char *err, size_t errlen);
void worker_abandon(struct worker_job *j);
void worker_set_background(struct worker_job *j);

/*
 * Children are forked by a small zygote process started at the first
 * worker_start() (see worker.c).  worker_shutdown() ends it and reaps
 * it, so that its children's resource usage counts as the caller's
 * (wait4, time(1)); app_close() calls it.  It does nothing while a job
 * is running.
 */
void worker_shutdown(void);
/* The zygote's pid, -1 when none runs (tests, status). */
int worker_zygote_pid(void);

/* The identity a forked child drops to when the parent is root (see
 * sandbox.h); by default it keeps the parent's. */
struct sandbox_user;
void worker_set_sandbox_user(const struct sandbox_user *u);
/* Tests only: called in a forked child just after it entered its
 * sandbox, to prove what the sandbox forbids. */
extern void (*worker_sandbox_probe)(int workdir);

/*
 * OCR: [intake] ocr = on|off|auto; auto is on when Tesseract's Simplified
 * Chinese data is installed (worker_ocr_data(): its path, or NULL).
 */
const char *worker_ocr_data(void);
bool worker_ocr_enabled(const struct intake_limits *lim);

/* Called at least every 5 s while the parent waits for a child (intaked
 * pings the systemd watchdog from it); NULL = nothing. */
extern void (*worker_heartbeat)(void);

/*
 * Other work for the parent while a child parses: called between polls
 * of the child's pipe, it does one bounded step (intaked fetches one
 * chunk of the next message, intakectl copies one block of the next
 * file) and returns true while it has more.  The child's output is read
 * between steps, so a step must be short (milliseconds).  NULL = none.
 */
extern bool (*worker_idle)(void *ctx);
extern void *worker_idle_ctx;

#endif

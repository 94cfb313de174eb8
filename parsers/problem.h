/*
 * problem.h - the vocabulary of recorded problems.
 *
 * Every rejection or doubt about input becomes one problem: a stable kind
 * (English, for tools and tests), the thing it concerns (a file name, a link),
 * and a plain reason in Simplified Chinese that can be quoted to the county.
 * Parsers report problems through a callback and go on where they can.
 */
#ifndef INTAKE_PROBLEM_H
#define INTAKE_PROBLEM_H

/* Stable kinds.  Reports and tests key on these strings. */
#define PROB_MIME_UNPARSEABLE   "mime-unparseable"   /* message structure unreadable */
#define PROB_MIME_LIMIT         "mime-limit"         /* too deep / too many parts / header too long */
#define PROB_NAME_UNDECODABLE   "name-undecodable"   /* file name bytes not valid in any charset tried */
#define PROB_PART_DECODE        "part-decode"        /* base64/QP body damaged */
#define PROB_ARCHIVE_ENCRYPTED  "archive-encrypted"  /* password protected */
#define PROB_ARCHIVE_CORRUPT    "archive-corrupt"    /* damaged or truncated */
#define PROB_ARCHIVE_UNSUPPORTED "archive-unsupported" /* format we do not read (split volume, ...) */
#define PROB_ARCHIVE_DEPTH      "archive-depth"      /* nested beyond the depth limit */
#define PROB_ARCHIVE_BOMB       "archive-bomb"       /* size, ratio or entry-count limit hit */
#define PROB_PATH_REFUSED       "path-refused"       /* absolute path, "..", drive letter */
#define PROB_LINK_REFUSED       "link-refused"       /* symlink or hardlink entry */
#define PROB_SPECIAL_REFUSED    "special-refused"    /* device, fifo, socket entry */
#define PROB_EXECUTABLE         "executable"         /* program or script: never a checklist item */
#define PROB_TYPE_MISMATCH      "type-mismatch"      /* extension says one thing, content another */
#define PROB_UNRECOGNISED       "unrecognised"       /* file matched no checklist item */
#define PROB_EMPTY_FILE         "empty-file"         /* zero bytes */
#define PROB_BIG_ATTACHMENT     "big-attachment-link"/* QQ/163 超大附件: a link, not a file */
#define PROB_UNKNOWN_COUNTY     "unknown-county"     /* sender maps to no county */
#define PROB_UNKNOWN_PROGRAM    "unknown-program"    /* cannot tell base from institution */
#define PROB_UNKNOWN_APPLICANT  "unknown-applicant"  /* no applicant name found */
#define PROB_NO_ATTACHMENT      "no-attachment"      /* a submission with no files */
#define PROB_WORKER_CRASHED     "worker-crashed"     /* parse child died by a signal */
#define PROB_WORKER_LIMIT       "worker-limit"       /* parse child hit a time/memory limit */
#define PROB_WORKER_PROTOCOL    "worker-protocol"    /* parse child sent garbage */
#define PROB_DUPLICATE_FILE     "duplicate-file"     /* same bytes twice in one dossier */
#define PROB_SENDER_UNVERIFIED  "sender-unverified"  /* not in the campaign's sender map */
#define PROB_SENDER_UNKNOWN     "sender-unknown"     /* senders = strict and not in the map */
#define PROB_SENDER_UNAUTHENTICATED "sender-unauthenticated" /* our MTA's DMARC/DKIM/SPF did not pass */
#define PROB_ELIGIBILITY        "eligibility"        /* a condition of the notice failed (only with check_affects_reply) */
#define PROB_DUPLICATE_UNIT     "duplicate-unit"     /* two dossiers carry one credit code (advisory, staff only) */

/*
 * The callback a parser reports through.  subject may be NULL.  All strings
 * are UTF-8, borrowed for the duration of the call.
 */
typedef void (*problem_fn)(void *ctx, const char *kind, const char *subject,
                           const char *reason_zh);

#endif

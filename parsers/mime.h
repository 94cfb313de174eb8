/*
 * mime.h - walk one RFC 5322 message (libetpan) and hand out its parts.
 *
 * In: the raw message bytes (usually an mmap of the spool file) and limits.
 * Out: the envelope facts needed to judge the message (struct mime_info)
 * and, through a sink, every leaf part with its decoded bytes delivered in
 * bounded windows, never the whole part in one buffer.
 *
 * Attached message/rfc822 parts (forwarded mail) are descended into; their
 * leaves are reported with in_forward set.  Nothing here touches a file or
 * a socket.  Ownership: everything in struct mime_info belongs to it and is
 * released by mime_info_free(); part fields passed to the sink are borrowed
 * for the duration of the callback.
 */
#ifndef INTAKE_MIME_H
#define INTAKE_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include "intake_limits.h"
#include "problem.h"

struct mime_info {
	char *subject;          /* UTF-8, decoded; NULL if absent */
	char *from_addr;        /* addr-spec, lower-cased domain; NULL if absent */
	char *from_display;     /* UTF-8 display name; NULL if absent */
	char *reply_to_addr;    /* first Reply-To addr-spec */
	char *return_path;      /* Return-Path addr-spec ("" for <>); NULL if absent */
	char *message_id;       /* without <>; NULL if absent */
	char *in_reply_to;      /* first id, without <> */
	char *date_raw;         /* Date header as sent (evidence only) */
	char *auto_submitted;   /* Auto-Submitted value, lower-cased */
	char *precedence;       /* Precedence value, lower-cased */
	char *list_id;          /* List-Id or List-Unsubscribe present: its value */
	char *top_type;         /* top-level content type, "multipart/report" ... */
	char *auth_results;     /* Authentication-Results values, top first, one per line */
	unsigned nauth_results;
	bool  x_autoreply;      /* X-Autoreply / X-Autorespond / X-Auto-Response-Suppress: All(OOF) */
	bool  has_disposition_notification; /* is a read receipt (report-type=disposition-notification) */
	unsigned parts;         /* leaves seen */
	unsigned max_depth;     /* deepest nesting seen */
};

void mime_info_free(struct mime_info *info);

/* Authentication-Results headers kept: how many, how long each. */
#define MIME_AUTH_RESULTS_MAX 8
#define MIME_AUTH_RESULT_LEN 1024

enum mime_disposition { MIME_DISP_NONE, MIME_DISP_INLINE, MIME_DISP_ATTACHMENT };

struct mime_part {
	const char *path;        /* IMAP-style part number: "1", "2.1", ... */
	unsigned depth;          /* nesting depth, 0 = top */
	const char *content_type;/* lower-case "type/subtype" */
	const char *charset;     /* charset parameter or NULL */
	const char *filename;    /* decoded UTF-8 name or NULL (body text has none) */
	const char *filename_raw;/* undecoded bytes of the name, or NULL */
	size_t filename_raw_len;
	bool filename_lossy;     /* some bytes of the name could not be decoded */
	enum mime_disposition disposition;
	const char *content_id;  /* without <>, or NULL */
	bool in_forward;         /* inside an attached message/rfc822 */
	bool in_related;         /* inside multipart/related (HTML body images) */
	bool is_body;            /* text/plain or text/html without a name: the letter itself */
};

/* Largest buffer one part_data call receives (decoded bytes). */
#define MIME_WINDOW_MAX (1U << 20)

/*
 * Callbacks.  part_begin returns 0 to receive the part's data, 1 to skip
 * it, -1 to stop the walk.  part_data gets decoded bytes in windows of at
 * most about 1 MiB; a -1 return stops the walk.  part_end's ok is false
 * when decoding failed midway (a problem has been reported).
 * part_end is called only for parts whose data was requested, and not
 * after a callback stopped the walk.  Any callback may be NULL.
 */
struct mime_sink {
	void *ctx;
	int  (*part_begin)(void *ctx, const struct mime_part *part);
	int  (*part_data)(void *ctx, const void *buf, size_t len);
	int  (*part_end)(void *ctx, bool ok);
	problem_fn problem;
	/* Optional: the walk is done with the message's bytes [p, p + len)
	 * (an attachment body decoded window by window), so a caller that
	 * mapped the message may drop those pages. */
	void (*consumed)(void *ctx, const char *p, size_t len);
};

/*
 * Walk the message.  Returns 0 when the structure was read (problems may
 * still have been reported), -1 when nothing could be parsed (a problem of
 * kind PROB_MIME_UNPARSEABLE was reported) or the sink stopped the walk.
 * info_r is filled as far as the headers could be read, in both cases.
 *
 * libetpan crashes on some crafted boundaries (LIBRARIES.md 4): callers
 * must run this in a process they can afford to lose.
 */
int mime_walk(const char *msg, size_t len, const struct intake_limits *lim,
              const struct mime_sink *sink, struct mime_info *info_r);

/*
 * True when msg holds a Content-Type whose boundary libetpan 1.9.4 would
 * unquote to a lone '"' (boundary="\"" or an RFC 2047 form of it): that
 * input crashes mailmime_parse (LIBRARIES.md 4).  mime_walk() checks this
 * itself and reports PROB_MIME_UNPARSEABLE; fuzzers use it to skip such
 * inputs.  It narrows the crash, it does not replace the forked child.
 */
bool mime_known_crash(const char *msg, size_t len);

/*
 * Messages of at least mime_skeleton_min bytes whose top-level multipart
 * is well formed are parsed by libetpan as a skeleton: the bodies of
 * leaf parts longer than mime_elide_min are cut to their first bytes, and
 * the tree is moved back onto the message afterwards (mime.c explains).
 * Exposed so tests can force the skeleton on small messages and compare
 * both walks.
 */
extern size_t mime_skeleton_min, mime_elide_min;
extern unsigned long mime_skeleton_walks;   /* walks that used a skeleton */

/*
 * Find "super-attachment" download links (QQ Mail 超大附件, 163 网易邮箱
 * 大附件, ...) in body text (UTF-8, plain or HTML).  Calls fn once per link
 * found with the URL and the file name shown next to it when one is
 * recognisable (else NULL).  Returns the number of links.
 */
typedef void (*mime_link_fn)(void *ctx, const char *url, const char *name);
unsigned mime_find_big_attachments(const char *text, size_t len,
                                   mime_link_fn fn, void *ctx);

#endif

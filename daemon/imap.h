/*
 * imap.h - one IMAP session to the bureau mailbox (libetpan), reduced to
 * what intake needs: connect and verify, log in, select, list new UIDs,
 * stream one message into the spool in partial fetches, mark it
 * processed, and wait for more (IDLE or a timed poll).
 *
 * Every network operation runs under the session timeout, and every
 * command under a watchdog that cancels the stream after a deadline
 * (libetpan 1.9.4 spins forever when the server closes inside a literal,
 * LIBRARIES.md 2).  After any error the session is unusable: free it and
 * connect again.  A session is used by one thread.
 */
#ifndef INTAKE_IMAP_H
#define INTAKE_IMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include "config.h"
#include "spool.h"

struct imap;

/* The keywords intake sets on the server. */
#define IMAP_KW_PROCESSED "$IntakeProcessed"
#define IMAP_KW_QUARANTINED "$IntakeQuarantined"

/* What went wrong, so the caller can decide between retry and give up. */
enum imap_fail {
	IMAP_OK = 0,
	IMAP_FAIL_NET,       /* connect, timeout, server gone: retry with backoff */
	IMAP_FAIL_TLS,       /* certificate refused, STARTTLS missing: configuration */
	IMAP_FAIL_AUTH,      /* login refused: configuration */
	IMAP_FAIL_PROTO,     /* the server said NO/BAD to a command */
	IMAP_FAIL_LOCAL,     /* spool write (disk full...), memory */
	IMAP_FAIL_GONE,      /* the message is no longer on the server */
};

struct imap_msg {
	uint32_t uid;
	uint64_t size;        /* RFC822.SIZE, a hint only */
	time_t internaldate;
	int offset_min;       /* minutes east of UTC of INTERNALDATE */
	bool has_internaldate;
	bool processed;       /* carries IMAP_KW_PROCESSED */
	bool quarantined;     /* carries IMAP_KW_QUARANTINED */
};

/*
 * Connect, verify the certificate (tls, starttls), log in, select the
 * configured mailbox.  password may be NULL for none.  On failure *why and
 * err say what.
 */
int imap_open(const struct config_mail *cfg, const char *password, unsigned timeout_s,
              struct imap **im_r, enum imap_fail *why, char *err, size_t errlen);
void imap_close(struct imap **im, bool logout);

uint32_t imap_uidvalidity(const struct imap *im);
bool imap_has_idle(const struct imap *im);
bool imap_has_move(const struct imap *im);
/* The session's capabilities (for --check-config), static storage. */
const char *imap_describe(const struct imap *im, char *buf, size_t size);

/* UIDs of every message with UID > after, ascending (UID SEARCH UID n:*:
 * no other criteria, so no server rejects it). */
int imap_list_new(struct imap *im, uint32_t after, uint32_t **uids_r, size_t *n_r,
                  enum imap_fail *why, char *err, size_t errlen);
/* One message's flags, INTERNALDATE and RFC822.SIZE, asked for alone so
 * a message the server cannot read fails by itself (IMAP_FAIL_GONE: no
 * such message any more). */
int imap_fetch_meta(struct imap *im, uint32_t uid, struct imap_msg *m,
                    enum imap_fail *why, char *err, size_t errlen);

/*
 * Stream message uid into a spool writer in partial fetches of chunk
 * bytes (BODY.PEEK[]<off.len>: \Seen is not set), from byte off (the
 * writer already holds the bytes before it).  progress (may be NULL) is
 * called after every chunk.  IMAP_FAIL_GONE when the server has no such
 * message any more.
 */
int imap_fetch_to_spool(struct imap *im, uint32_t uid, size_t chunk, struct spool_writer *w,
                        uint64_t off, void (*progress)(void *), void *ctx,
                        enum imap_fail *why, char *err, size_t errlen);
/* One of those partial fetches, at *off (advanced); *done_r once the
 * message has ended. */
int imap_fetch_chunk(struct imap *im, uint32_t uid, size_t chunk, struct spool_writer *w,
                     uint64_t *off, bool *done_r, enum imap_fail *why, char *err, size_t errlen);

/* Mark processed: \Seen and IMAP_KW_PROCESSED, then a move to
 * processed_mailbox when configured (MOVE, else UIDPLUS COPY + EXPUNGE). */
int imap_mark_processed(struct imap *im, uint32_t uid, enum imap_fail *why,
                        char *err, size_t errlen);
/* Flag a message intake gave up on (not \Seen, so people notice it). */
int imap_mark_quarantined(struct imap *im, uint32_t uid, enum imap_fail *why,
                          char *err, size_t errlen);

/*
 * Wait until the server reports new mail, wake_fd is readable, or
 * timeout_ms passes: IDLE when the server offers it, else a NOOP after a
 * plain wait.  heartbeat (may be NULL) is called at least every
 * beat_ms while waiting.  Returns 0 (check for mail), -1 on error.
 */
int imap_wait(struct imap *im, int wake_fd, int timeout_ms, int beat_ms,
              void (*heartbeat)(void *), void *ctx,
              enum imap_fail *why, char *err, size_t errlen);

#endif

/*
 * outbox.h - sending what reply_record() queued, and showing it to staff.
 *
 * outbox_flush() opens one SMTP session and offers every reply that is
 * due: queued with next_attempt_at passed, or left "sending" by a crash
 * (resent byte for byte, so with the same Message-ID: at least once, and a
 * duplicate is recognisable).  Before each reply the intent is committed
 * (state sending, attempts + 1); after the server's answer the outcome:
 * sent; failed for a 5xx (kept for staff, never retried); queued again for
 * a 4xx or a broken session, with next_attempt_at doubling from [smtp]
 * retry_seconds up to 6 hours, until [smtp] give_up_hours have passed
 * since composition (then failed).
 *
 * The daemon calls outbox_flush() after each ingest pass; intakectl send
 * calls outbox_send_now(), which ignores the backoff (staff asked).
 */
#ifndef INTAKE_OUTBOX_H
#define INTAKE_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>
#include "app.h"

struct outbox_stats {
	unsigned sent;         /* accepted by the server */
	unsigned failed;       /* refused for good this time (5xx, or gave up) */
	unsigned deferred;     /* still queued after a temporary failure */
};

/* 0 when the outbox was worked through (some replies may be deferred: see
 * the counts); -1 with err for a ledger error or an SMTP session that
 * could not be opened (then every due reply is deferred). */
int outbox_flush_stats(struct app *a, bool force, struct outbox_stats *st, char *err, size_t errlen);
int outbox_flush(struct app *a, unsigned *sent, unsigned *failed, char *err, size_t errlen);

/* Every reply, oldest first: id, message, kind, recipient, subject,
 * message_id, receipt_no, state, attempts, created_at, next_attempt_at,
 * last_attempt_at, sent_at (RFC 3339 or null), last_error.  NULL on error. */
json_t *outbox_list(struct app *a);
int outbox_print(FILE *out, const json_t *replies);

#endif

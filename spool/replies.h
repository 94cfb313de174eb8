/*
 * replies.h - the durable outbox in the ledger (table replies, schema v3;
 * updates of a reply since v4)
 * and the reason a message is not answered (messages.no_reply_reason).
 *
 * A reply row is inserted inside the caller's ingest transaction; the
 * state changes of sending are each their own statement (autocommit), so
 * the intent ("sending", attempts + 1) is durable before the first SMTP
 * byte and the outcome right after the server's answer.
 *
 * Strings in struct replies_row are owned by it; replies_row_free().
 */
#ifndef INTAKE_REPLIES_H
#define INTAKE_REPLIES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "ledger.h"

struct replies_row {
	long long id, message;
	long long update_of;   /* 0 for the message's reply; else the reply this one corrects */
	char *kind, *receipt_no, *message_id, *env_from, *recipient, *subject, *state, *last_error;
	char *raw;             /* the whole message, CRLF */
	size_t raw_len;
	int attempts;
	time_t created_at, next_attempt_at, last_attempt_at, sent_at;
};

int replies_insert(struct ledger *l, const struct replies_row *r, long long *id_r);
/* The message's own reply (not an update): id and Message-ID (malloc'd);
 * *id_r = 0 when it has none. */
int replies_original(struct ledger *l, long long msg, long long *id_r, char **message_id_r);
void replies_row_free(struct replies_row *r);

/* Replies to recipient (any case) for messages received in
 * (t - 86400, t]. */
int replies_count_day(struct ledger *l, const char *recipient, time_t t, unsigned *n_r);

int replies_set_no_reply(struct ledger *l, long long msg, const char *reason);

/* Ids of replies to try now: queued and due (all queued when force), and
 * any left "sending" by a crash.  Oldest first; malloc'd array. */
int replies_due(struct ledger *l, time_t now, bool force, long long **ids_r, size_t *n_r);
int replies_get(struct ledger *l, long long id, struct replies_row *r_r);

int replies_mark_sending(struct ledger *l, long long id, time_t now);
int replies_mark_sent(struct ledger *l, long long id, time_t now);
int replies_mark_retry(struct ledger *l, long long id, time_t next, const char *error);
int replies_mark_failed(struct ledger *l, long long id, const char *error);
/* A failed attempt that never reached one reply (no session): counted
 * and shown on it all the same. */
int replies_note_attempt(struct ledger *l, long long id, time_t now, time_t next, const char *error);

#endif

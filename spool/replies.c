#include "replies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int step_done(struct ledger *l, sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	sqlite3_finalize(st);
	(void)l;
	return r == SQLITE_DONE ? 0 : -1;
}

static sqlite3_stmt *prep(struct ledger *l, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(ledger_db(l), sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	return st;
}

static void text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int replies_insert(struct ledger *l, const struct replies_row *r, long long *id_r)
{
	sqlite3_stmt *st = prep(l,
		"INSERT INTO replies (message, kind, receipt_no, message_id, env_from, recipient, subject,"
		" raw, state, attempts, created_at, next_attempt_at, update_of)"
		" VALUES (?,?,?,?,?,?,?,?,'queued',0,?,?,?)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, r->message);
	text_or_null(st, 2, r->kind);
	text_or_null(st, 3, r->receipt_no);
	text_or_null(st, 4, r->message_id);
	text_or_null(st, 5, r->env_from);
	text_or_null(st, 6, r->recipient);
	text_or_null(st, 7, r->subject);
	sqlite3_bind_blob(st, 8, r->raw, (int)r->raw_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)r->created_at);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)r->created_at);
	if (r->update_of > 0)
		sqlite3_bind_int64(st, 11, r->update_of);
	else
		sqlite3_bind_null(st, 11);
	if (step_done(l, st) != 0)
		return -1;
	if (id_r)
		*id_r = sqlite3_last_insert_rowid(ledger_db(l));
	return 0;
}

int replies_original(struct ledger *l, long long msg, long long *id_r, char **message_id_r)
{
	sqlite3_stmt *st = prep(l, "SELECT id, message_id FROM replies WHERE message = ? AND update_of IS NULL");
	int r;

	*id_r = 0;
	*message_id_r = NULL;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*id_r = sqlite3_column_int64(st, 0);
		*message_id_r = strdup((const char *)sqlite3_column_text(st, 1));
		if (!*message_id_r)
			r = SQLITE_NOMEM;
	}
	sqlite3_finalize(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : -1;
}

void replies_row_free(struct replies_row *r)
{
	free(r->kind);
	free(r->receipt_no);
	free(r->message_id);
	free(r->env_from);
	free(r->recipient);
	free(r->subject);
	free(r->state);
	free(r->last_error);
	free(r->raw);
	memset(r, 0, sizeof(*r));
}

int replies_count_day(struct ledger *l, const char *recipient, time_t t, unsigned *n_r)
{
	sqlite3_stmt *st = prep(l,
		"SELECT count(*) FROM replies r JOIN messages m ON m.id = r.message"
		" WHERE lower(r.recipient) = lower(?) AND m.received_at > ? AND m.received_at <= ?");
	int r;

	*n_r = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)t - 86400);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)t);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*n_r = (unsigned)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : -1;
}

int replies_set_no_reply(struct ledger *l, long long msg, const char *reason)
{
	sqlite3_stmt *st = prep(l, "UPDATE messages SET no_reply_reason = ? WHERE id = ?");

	if (!st)
		return -1;
	text_or_null(st, 1, reason);
	sqlite3_bind_int64(st, 2, msg);
	return step_done(l, st);
}

int replies_due(struct ledger *l, time_t now, bool force, long long **ids_r, size_t *n_r)
{
	sqlite3_stmt *st = prep(l,
		"SELECT id FROM replies WHERE state = 'sending'"
		" OR (state = 'queued' AND (?1 OR next_attempt_at <= ?2)) ORDER BY id");
	int r;

	*ids_r = NULL;
	*n_r = 0;
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, force);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	r = ledger_step_ids(st, ids_r, n_r);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? strdup(s) : NULL;
}

int replies_get(struct ledger *l, long long id, struct replies_row *r)
{
	sqlite3_stmt *st = prep(l,
		"SELECT id, message, kind, receipt_no, message_id, env_from, recipient, subject, state,"
		" last_error, raw, attempts, created_at, next_attempt_at, last_attempt_at, sent_at, update_of"
		" FROM replies WHERE id = ?");
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const void *raw = sqlite3_column_blob(st, 10);
		int rawlen = sqlite3_column_bytes(st, 10);

		r->id = sqlite3_column_int64(st, 0);
		r->message = sqlite3_column_int64(st, 1);
		r->update_of = sqlite3_column_int64(st, 16);
		r->kind = dup_col(st, 2);
		r->receipt_no = dup_col(st, 3);
		r->message_id = dup_col(st, 4);
		r->env_from = dup_col(st, 5);
		r->recipient = dup_col(st, 6);
		r->subject = dup_col(st, 7);
		r->state = dup_col(st, 8);
		r->last_error = dup_col(st, 9);
		r->raw = malloc((size_t)rawlen + 1);
		if (r->raw) {
			if (rawlen > 0)
				memcpy(r->raw, raw, (size_t)rawlen);
			r->raw[rawlen] = '\0';
			r->raw_len = (size_t)rawlen;
		}
		r->attempts = sqlite3_column_int(st, 11);
		r->created_at = (time_t)sqlite3_column_int64(st, 12);
		r->next_attempt_at = (time_t)sqlite3_column_int64(st, 13);
		r->last_attempt_at = (time_t)sqlite3_column_int64(st, 14);
		r->sent_at = (time_t)sqlite3_column_int64(st, 15);
		ret = r->raw && r->kind && r->message_id && r->env_from && r->recipient ? 0 : -1;
	}
	sqlite3_finalize(st);
	if (ret != 0)
		replies_row_free(r);
	return ret;
}

static int update(struct ledger *l, const char *sql, long long id, long long a, long long b,
                  const char *text)
{
	sqlite3_stmt *st = prep(l, sql);

	if (!st)
		return -1;
	/* Parameters a statement does not use are ignored (SQLITE_RANGE). */
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, a);
	sqlite3_bind_int64(st, 3, b);
	text_or_null(st, 4, text);
	return step_done(l, st);
}

int replies_mark_sending(struct ledger *l, long long id, time_t now)
{
	return update(l, "UPDATE replies SET state = 'sending', attempts = attempts + 1,"
	                 " last_attempt_at = ?2 WHERE id = ?1", id, now, 0, NULL);
}

int replies_mark_sent(struct ledger *l, long long id, time_t now)
{
	return update(l, "UPDATE replies SET state = 'sent', sent_at = ?2, last_error = NULL"
	                 " WHERE id = ?1", id, now, 0, NULL);
}

int replies_mark_retry(struct ledger *l, long long id, time_t next, const char *error)
{
	return update(l, "UPDATE replies SET state = 'queued', next_attempt_at = ?2, last_error = ?4"
	                 " WHERE id = ?1", id, next, 0, error);
}

int replies_mark_failed(struct ledger *l, long long id, const char *error)
{
	return update(l, "UPDATE replies SET state = 'failed', last_error = ?4"
	                 " WHERE id = ?1", id, 0, 0, error);
}

int replies_note_attempt(struct ledger *l, long long id, time_t now, time_t next, const char *error)
{
	return update(l, "UPDATE replies SET state = 'queued', attempts = attempts + 1,"
	                 " last_attempt_at = ?2, next_attempt_at = ?3, last_error = ?4 WHERE id = ?1",
	              id, now, next, error);
}

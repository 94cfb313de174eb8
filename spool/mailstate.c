#include "mailstate.h"

#include <stdio.h>
#include <time.h>

static sqlite3_stmt *prep(struct ledger *l, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(ledger_db(l), sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	return st;
}

static int step_done(sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

/* Bind mailbox, UIDVALIDITY and UID as parameters i, i+1, i+2. */
static void bind_uid(sqlite3_stmt *st, int i, const char *mailbox, uint32_t uidvalidity, uint32_t uid)
{
	sqlite3_bind_text(st, i, mailbox, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, i + 1, uidvalidity);
	sqlite3_bind_int64(st, i + 2, uid);
}

int mailstate_get(struct ledger *l, const char *mailbox, uint32_t *uidvalidity_r,
                  uint32_t *last_uid_r)
{
	sqlite3_stmt *st = prep(l, "SELECT uidvalidity, last_uid FROM mailbox_state WHERE mailbox = ?");
	int r;

	*uidvalidity_r = *last_uid_r = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, mailbox, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*uidvalidity_r = (uint32_t)sqlite3_column_int64(st, 0);
		*last_uid_r = (uint32_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? 1 : -1;
}

int mailstate_set(struct ledger *l, const char *mailbox, uint32_t uidvalidity, uint32_t last_uid)
{
	sqlite3_stmt *st = prep(l,
		"INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid, updated_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (mailbox) DO UPDATE SET"
		" uidvalidity = ?2, last_uid = ?3, updated_at = ?4");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, mailbox, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, uidvalidity);
	sqlite3_bind_int64(st, 3, last_uid);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	return step_done(st);
}

long long mailstate_message_by_uid(struct ledger *l, const char *mailbox, uint32_t uidvalidity,
                                   uint32_t uid)
{
	sqlite3_stmt *st = prep(l, "SELECT id FROM messages WHERE mailbox = ? AND uidvalidity = ?"
	                           " AND uid = ?");

	if (!st)
		return -1;
	bind_uid(st, 1, mailbox, uidvalidity, uid);
	return ledger_step_id(st);
}

int mailstate_failed(struct ledger *l, const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                     const char *reason, unsigned max_attempts, bool *quarantined_r)
{
	sqlite3_stmt *st = prep(l,
		"INSERT INTO fetch_attempts (mailbox, uidvalidity, uid, attempts, last_error, last_at,"
		" quarantined) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6 <= 1)"
		" ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE SET attempts = attempts + 1,"
		" last_error = ?4, last_at = ?5, quarantined = quarantined OR attempts + 1 >= ?6"
		" RETURNING quarantined");
	int r;

	*quarantined_r = false;
	if (!st)
		return -1;
	bind_uid(st, 1, mailbox, uidvalidity, uid);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 6, max_attempts);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*quarantined_r = sqlite3_column_int(st, 0) != 0;
		r = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int mailstate_is_quarantined(struct ledger *l, const char *mailbox, uint32_t uidvalidity,
                             uint32_t uid)
{
	sqlite3_stmt *st = prep(l, "SELECT quarantined, flagged FROM fetch_attempts WHERE mailbox = ?"
	                           " AND uidvalidity = ? AND uid = ?");
	int r, q = 0;

	if (!st)
		return -1;
	bind_uid(st, 1, mailbox, uidvalidity, uid);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		q = sqlite3_column_int(st, 0) == 0 ? 0 : sqlite3_column_int(st, 1) ? 1 : 2;
	else if (r != SQLITE_DONE)
		q = -1;
	sqlite3_finalize(st);
	return q;
}

/* Run a write statement whose parameters are mailbox, UIDVALIDITY, UID. */
static int uid_done(struct ledger *l, const char *sql, const char *mailbox, uint32_t uidvalidity,
                    uint32_t uid)
{
	sqlite3_stmt *st = prep(l, sql);

	if (!st)
		return -1;
	bind_uid(st, 1, mailbox, uidvalidity, uid);
	return step_done(st);
}

int mailstate_clear(struct ledger *l, const char *mailbox, uint32_t uidvalidity, uint32_t uid)
{
	return uid_done(l, "DELETE FROM fetch_attempts WHERE mailbox = ? AND uidvalidity = ?"
	                   " AND uid = ? AND quarantined = 0", mailbox, uidvalidity, uid);
}

int mailstate_set_flagged(struct ledger *l, const char *mailbox, uint32_t uidvalidity, uint32_t uid)
{
	return uid_done(l, "UPDATE fetch_attempts SET flagged = 1 WHERE mailbox = ?"
	                   " AND uidvalidity = ? AND uid = ?", mailbox, uidvalidity, uid);
}

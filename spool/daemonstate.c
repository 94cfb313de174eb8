#include "daemonstate.h"

#include <stdlib.h>
#include <string.h>

/* One statement with up to ?1, ?2 (integers) and ?3 (text); binding a
 * number a statement does not use is a harmless SQLITE_RANGE. */
static int run(struct ledger *l, const char *sql, long long a, long long b, const char *text)
{
	sqlite3_stmt *st = NULL;
	int r;

	if (sqlite3_prepare_v2(ledger_db(l), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (text)
		sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 3);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int daemonstate_started(struct ledger *l, long pid, time_t now)
{
	return run(l, "INSERT INTO daemon_status (id, pid, started_at) VALUES (1, ?1, ?2)"
	              " ON CONFLICT (id) DO UPDATE SET pid = ?1, started_at = ?2",
	           pid, (long long)now, NULL);
}

int daemonstate_cycle(struct ledger *l, time_t now, const char *error)
{
	if (!error)
		return run(l, "INSERT INTO daemon_status (id, last_poll_at, last_ok_at) VALUES (1, ?1, ?2)"
		              " ON CONFLICT (id) DO UPDATE SET last_poll_at = ?1, last_ok_at = ?2",
		           (long long)now, (long long)now, NULL);
	return run(l, "INSERT INTO daemon_status (id, last_poll_at, last_error_at, last_error)"
	              " VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET last_poll_at = ?1,"
	              " last_error_at = ?2, last_error = ?3",
	           (long long)now, (long long)now, error);
}

int daemonstate_alive(struct ledger *l, time_t now)
{
	return run(l, "INSERT INTO daemon_status (id, last_ok_at) VALUES (1, ?1)"
	              " ON CONFLICT (id) DO UPDATE SET last_ok_at = ?1",
	           (long long)now, 0, NULL);
}

int daemonstate_purged(struct ledger *l, time_t now)
{
	return run(l, "INSERT INTO daemon_status (id, last_purge_at) VALUES (1, ?1)"
	              " ON CONFLICT (id) DO UPDATE SET last_purge_at = ?1",
	           (long long)now, 0, NULL);
}

int daemonstate_get(struct ledger *l, struct daemonstate *ds)
{
	sqlite3_stmt *st = NULL;
	int r;

	memset(ds, 0, sizeof(*ds));
	if (!ledger_has_table(l, "daemon_status"))
		return 1;
	if (sqlite3_prepare_v2(ledger_db(l), "SELECT ifnull(pid, 0), ifnull(started_at, 0),"
	                       " ifnull(last_poll_at, 0), ifnull(last_ok_at, 0), ifnull(last_error_at, 0),"
	                       " last_error, ifnull(last_purge_at, 0) FROM daemon_status WHERE id = 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(st, 5);

		ds->pid = sqlite3_column_int64(st, 0);
		ds->started_at = (time_t)sqlite3_column_int64(st, 1);
		ds->last_poll_at = (time_t)sqlite3_column_int64(st, 2);
		ds->last_ok_at = (time_t)sqlite3_column_int64(st, 3);
		ds->last_error_at = (time_t)sqlite3_column_int64(st, 4);
		ds->last_purge_at = (time_t)sqlite3_column_int64(st, 6);
		ds->last_error = e ? strdup(e) : NULL;
	}
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? 1 : -1;
}

void daemonstate_free(struct daemonstate *ds)
{
	free(ds->last_error);
	memset(ds, 0, sizeof(*ds));
}

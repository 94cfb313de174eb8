#include "retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct due {
	long long id;
	char sha[SPOOL_HEX_LEN + 1];
	time_t received_at;
};

/* The messages due, read completely before anything changes. */
static int list_due(struct ledger *l, time_t cutoff, struct due **v_r, size_t *n_r)
{
	sqlite3_stmt *st = NULL;
	struct due *v = NULL;
	size_t n = 0, cap = 0;
	int r;

	*v_r = NULL;
	*n_r = 0;
	if (sqlite3_prepare_v2(ledger_db(l),
		"SELECT id, sha256, received_at FROM messages m WHERE files_purged_at IS NULL"
		" AND received_at < ?1 AND EXISTS (SELECT 1 FROM files f WHERE f.message = m.id"
		" AND f.stored IS NOT NULL) ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)cutoff);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 1);

		if (n == cap) {
			struct due *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				r = SQLITE_NOMEM;
				break;
			}
			v = nv;
		}
		v[n].id = sqlite3_column_int64(st, 0);
		snprintf(v[n].sha, sizeof(v[n].sha), "%s", sha ? sha : "");
		v[n].received_at = (time_t)sqlite3_column_int64(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		free(v);
		return -1;
	}
	*v_r = v;
	*n_r = n;
	return 0;
}

static int record(struct ledger *l, const struct due *d, unsigned nfiles, uint64_t bytes,
                  unsigned days, time_t now)
{
	sqlite3_stmt *up = NULL, *au = NULL;
	char detail[200];
	int ret = -1;

	snprintf(detail, sizeof(detail), "message %lld: %u extracted file(s), %llu bytes removed"
	         " (retention_days = %u); raw message kept", d->id, nfiles,
	         (unsigned long long)bytes, days);
	if (ledger_begin(l) != 0)
		return -1;
	if (sqlite3_prepare_v2(ledger_db(l), "UPDATE messages SET files_purged_at = ? WHERE id = ?",
	                       -1, &up, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ledger_db(l), "INSERT INTO audit (at, who, action, target, detail)"
	                       " VALUES (?, 'retention', 'purge-files', ?, ?)", -1, &au, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(up, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(up, 2, d->id);
	sqlite3_bind_int64(au, 1, (sqlite3_int64)now);
	sqlite3_bind_text(au, 2, d->sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(au, 3, detail, -1, SQLITE_STATIC);
	if (sqlite3_step(up) != SQLITE_DONE || sqlite3_step(au) != SQLITE_DONE)
		goto out;
	ret = ledger_commit(l);
out:
	sqlite3_finalize(up);
	sqlite3_finalize(au);
	if (ret != 0)
		ledger_rollback(l);
	return ret;
}

int retention_purge(struct spool *s, struct ledger *l, unsigned days, time_t now, bool dry_run,
                    void (*each)(void *ctx, const struct retention_item *it), void *ctx,
                    struct retention_stats *st_r, char *err, size_t errlen)
{
	struct due *v = NULL;
	size_t n = 0;
	int ret = -1;

	memset(st_r, 0, sizeof(*st_r));
	if (days == 0)
		return 0;
	if (list_due(l, now - (time_t)days * 86400, &v, &n) != 0) {
		snprintf(err, errlen, "ledger: %s", ledger_errmsg(l));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct retention_item it = { v[i].id, v[i].sha, v[i].received_at, 0, 0 };

		/* Files first: if the ledger step fails, the next run finds the
		 * message again (its files rows still name stored files) and
		 * only records it. */
		if (spool_remove_files(s, v[i].sha, dry_run, &it.nfiles, &it.bytes, err, errlen) != 0)
			goto out;
		if (!dry_run && record(l, &v[i], it.nfiles, it.bytes, days, now) != 0) {
			snprintf(err, errlen, "ledger: %s", ledger_errmsg(l));
			goto out;
		}
		st_r->messages++;
		st_r->files += it.nfiles;
		st_r->bytes += it.bytes;
		if (each)
			each(ctx, &it);
	}
	ret = 0;
out:
	free(v);
	return ret;
}

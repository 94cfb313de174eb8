#include "ledger.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ledger {
	sqlite3 *db;
	char err[256];
};

/*
 * Schema version 1.  Dates are Unix seconds plus the offset they were given
 * in (minutes east of UTC), so RFC 3339 output keeps the sender's offset.
 */
static const char *const schema_v1 =
"CREATE TABLE messages ("
"  id INTEGER PRIMARY KEY,"
"  sha256 TEXT NOT NULL UNIQUE,"
"  size INTEGER NOT NULL,"
"  message_id TEXT, subject TEXT, sender TEXT, sender_display TEXT, reply_to TEXT,"
"  date_header TEXT, in_reply_to TEXT,"
"  received_at INTEGER NOT NULL, received_offset INTEGER NOT NULL,"
"  received_source TEXT NOT NULL,"
"  ingested_at INTEGER NOT NULL,"
"  county TEXT, county_evidence TEXT, sender_verified INTEGER NOT NULL DEFAULT 0,"
"  kind TEXT NOT NULL, kind_evidence TEXT,"
"  parsed INTEGER NOT NULL, late INTEGER NOT NULL, supplement INTEGER NOT NULL DEFAULT 0,"
"  reply TEXT,"
"  mailbox TEXT, uidvalidity INTEGER, uid INTEGER"
");"
"CREATE INDEX messages_county ON messages(county);"
"CREATE TABLE dossiers ("
"  id INTEGER PRIMARY KEY,"
"  county TEXT NOT NULL,"                 /* '' when unknown */
"  program TEXT NOT NULL,"                /* '' when unknown */
"  applicant TEXT NOT NULL,"
"  applicant_key TEXT NOT NULL,"
"  first_message INTEGER NOT NULL REFERENCES messages(id),"
"  credit_code TEXT,"
"  paper_received INTEGER NOT NULL DEFAULT 0,"
"  UNIQUE (county, program, applicant_key)"
");"
"CREATE TABLE message_dossiers ("
"  message INTEGER NOT NULL REFERENCES messages(id),"
"  dossier INTEGER NOT NULL REFERENCES dossiers(id),"
"  evidence TEXT,"
"  PRIMARY KEY (message, dossier)"
");"
"CREATE TABLE files ("
"  id INTEGER PRIMARY KEY,"
"  message INTEGER NOT NULL REFERENCES messages(id),"
"  parent INTEGER REFERENCES files(id),"
"  seq INTEGER NOT NULL,"
"  part TEXT, path TEXT NOT NULL, name TEXT NOT NULL, name_raw BLOB,"
"  name_lossy INTEGER NOT NULL DEFAULT 0, depth INTEGER NOT NULL,"
"  size INTEGER NOT NULL, sha256 TEXT NOT NULL, mime TEXT NOT NULL, kind TEXT NOT NULL,"
"  ext_mismatch INTEGER NOT NULL DEFAULT 0, container INTEGER NOT NULL DEFAULT 0,"
"  body_image INTEGER NOT NULL DEFAULT 0, ignored INTEGER NOT NULL DEFAULT 0,"
"  stored TEXT,"
"  dossier INTEGER REFERENCES dossiers(id),"
"  UNIQUE (message, seq)"
");"
"CREATE INDEX files_dossier ON files(dossier);"
"CREATE TABLE assignments ("
"  id INTEGER PRIMARY KEY,"
"  file INTEGER NOT NULL REFERENCES files(id),"
"  item TEXT,"
"  evidence TEXT,"
"  by TEXT NOT NULL,"                     /* 'machine' or an operator */
"  at INTEGER NOT NULL,"
"  current INTEGER NOT NULL DEFAULT 1"
");"
"CREATE INDEX assignments_file ON assignments(file, current);"
"CREATE TABLE problems ("
"  id INTEGER PRIMARY KEY,"
"  message INTEGER NOT NULL REFERENCES messages(id),"
"  file INTEGER REFERENCES files(id),"
"  kind TEXT NOT NULL, subject TEXT, reason TEXT NOT NULL"
");"
"CREATE INDEX problems_message ON problems(message);"
"CREATE TABLE audit ("
"  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, who TEXT NOT NULL,"
"  action TEXT NOT NULL, target TEXT, detail TEXT"
");";

/*
 * Version 2: IMAP state.  Per mailbox the UIDVALIDITY and the highest UID
 * fully processed (spooled, recorded and marked on the server), and per
 * message UID the failed attempts, so a message that keeps failing is
 * quarantined instead of blocking the queue.
 */
static const char *const schema_v2 =
"CREATE TABLE mailbox_state ("
"  mailbox TEXT PRIMARY KEY,"
"  uidvalidity INTEGER NOT NULL,"
"  last_uid INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL"
");"
"CREATE TABLE fetch_attempts ("
"  mailbox TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,"
"  attempts INTEGER NOT NULL, last_error TEXT, last_at INTEGER NOT NULL,"
"  quarantined INTEGER NOT NULL DEFAULT 0,"
"  flagged INTEGER NOT NULL DEFAULT 0,"     /* $IntakeQuarantined set on the server */
"  PRIMARY KEY (mailbox, uidvalidity, uid)"
");"
"CREATE INDEX messages_uid ON messages(mailbox, uidvalidity, uid);";

/*
 * Version 3: replies.  One row per message answered: the whole reply as
 * it goes on the wire (raw), composed in the transaction that records the
 * message, with its Message-ID fixed there, so a resend after a crash is
 * byte for byte the same mail.  state: queued -> sending (intent, committed
 * before SMTP) -> sent | queued again (temporary failure, next_attempt_at)
 * | failed (permanent, shown to staff).  A message not answered says why in
 * messages.no_reply_reason.
 */
static const char *const schema_v3 =
"CREATE TABLE replies ("
"  id INTEGER PRIMARY KEY,"
"  message INTEGER NOT NULL UNIQUE REFERENCES messages(id),"
"  kind TEXT NOT NULL,"
"  receipt_no TEXT NOT NULL,"
"  message_id TEXT NOT NULL UNIQUE,"        /* without <> */
"  env_from TEXT NOT NULL,"
"  recipient TEXT NOT NULL,"                /* lower case */
"  subject TEXT NOT NULL,"                  /* as rendered, for staff */
"  raw BLOB NOT NULL,"
"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),"
"  attempts INTEGER NOT NULL DEFAULT 0,"
"  created_at INTEGER NOT NULL,"
"  next_attempt_at INTEGER NOT NULL,"
"  last_attempt_at INTEGER, sent_at INTEGER,"
"  last_error TEXT"
");"
"CREATE INDEX replies_due ON replies(state, next_attempt_at);"
"CREATE INDEX replies_recipient ON replies(recipient);"
"ALTER TABLE messages ADD COLUMN no_reply_reason TEXT;";

/*
 * Version 4: updated replies.  A staff correction (intakectl assign
 * --notify) sends the county an updated reply to a message already
 * answered; the original stays on record and the update is a row of its
 * own (update_of = the reply it corrects), with its own Message-ID.  So
 * replies.message is no longer UNIQUE: only one original reply per message
 * (replies_original).  SQLite cannot drop a column constraint: the table is
 * rebuilt, ids kept.
 */
static const char *const schema_v4 =
"CREATE TABLE replies_v4 ("
"  id INTEGER PRIMARY KEY,"
"  message INTEGER NOT NULL REFERENCES messages(id),"
"  kind TEXT NOT NULL,"
"  receipt_no TEXT NOT NULL,"
"  message_id TEXT NOT NULL UNIQUE,"
"  env_from TEXT NOT NULL,"
"  recipient TEXT NOT NULL,"
"  subject TEXT NOT NULL,"
"  raw BLOB NOT NULL,"
"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),"
"  attempts INTEGER NOT NULL DEFAULT 0,"
"  created_at INTEGER NOT NULL,"
"  next_attempt_at INTEGER NOT NULL,"
"  last_attempt_at INTEGER, sent_at INTEGER,"
"  last_error TEXT,"
"  update_of INTEGER REFERENCES replies_v4(id)"
");"
"INSERT INTO replies_v4 (id, message, kind, receipt_no, message_id, env_from, recipient, subject, raw,"
"  state, attempts, created_at, next_attempt_at, last_attempt_at, sent_at, last_error)"
"  SELECT id, message, kind, receipt_no, message_id, env_from, recipient, subject, raw,"
"  state, attempts, created_at, next_attempt_at, last_attempt_at, sent_at, last_error FROM replies;"
"DROP TABLE replies;"
"ALTER TABLE replies_v4 RENAME TO replies;"
"CREATE UNIQUE INDEX replies_original ON replies(message) WHERE update_of IS NULL;"
"CREATE INDEX replies_message ON replies(message);"
"CREATE INDEX replies_due ON replies(state, next_attempt_at);"
"CREATE INDEX replies_recipient ON replies(recipient);";

/*
 * Version 5: service health and the retention policy.  One row of what
 * intaked last did (intakectl status reads it), and when a message's
 * extracted files were purged by [intake] retention_days (the raw
 * message and every ledger row stay; the audit table says what went).
 */
static const char *const schema_v5 =
"CREATE TABLE daemon_status ("
"  id INTEGER PRIMARY KEY CHECK (id = 1),"
"  pid INTEGER, started_at INTEGER,"
"  last_poll_at INTEGER,"                 /* last cycle, whatever its outcome */
"  last_ok_at INTEGER,"                   /* last cycle that worked the mailbox through */
"  last_error_at INTEGER, last_error TEXT,"
"  last_purge_at INTEGER"
");"
"ALTER TABLE messages ADD COLUMN files_purged_at INTEGER;";

/*
 * Version 6: what the documents say (issue 9).  Per file the text read in
 * the parse child (source, OCR confidence, pages, why none) with an
 * excerpt of at most 4 KiB for staff; per assignment how sure the machine
 * was and whether the content (not the name) decided it; the advisory
 * eligibility pre-check of a dossier's application form, one row per rule
 * with the values read (JSON).  dossiers.credit_code exists since v1 and
 * is filled from now on; an index finds a unit's other dossiers by it.
 */
static const char *const schema_v6 =
"CREATE TABLE file_text ("
"  file INTEGER PRIMARY KEY REFERENCES files(id),"
"  source TEXT NOT NULL,"                 /* none ooxml pdf legacy plain ocr */
"  confidence INTEGER NOT NULL DEFAULT 0,"
"  pages INTEGER NOT NULL DEFAULT 0,"
"  truncated INTEGER NOT NULL DEFAULT 0,"
"  text_len INTEGER NOT NULL DEFAULT 0,"  /* bytes read, before the excerpt cut */
"  note TEXT,"
"  excerpt TEXT"
");"
"ALTER TABLE assignments ADD COLUMN confidence INTEGER;"
"ALTER TABLE assignments ADD COLUMN by_content INTEGER NOT NULL DEFAULT 0;"
"CREATE INDEX dossiers_credit_code ON dossiers(credit_code) WHERE credit_code IS NOT NULL;"
"CREATE TABLE eligibility ("
"  id INTEGER PRIMARY KEY,"
"  dossier INTEGER NOT NULL REFERENCES dossiers(id),"
"  file INTEGER REFERENCES files(id),"    /* the form read */
"  rule TEXT NOT NULL,"
"  status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'unknown')),"
"  message TEXT,"
"  vals TEXT,"                            /* JSON: the form values read */
"  checked_at INTEGER NOT NULL"
");"
"CREATE INDEX eligibility_dossier ON eligibility(dossier);";

/*
 * Migrations, applied in order, each in its own transaction.  Branches add
 * their numbers
 * independently, so a ledger may have run 5 before 3 exists in the code:
 * applied versions are recorded one by one in schema_migrations, and every
 * listed version not recorded there runs, whatever user_version says
 * (user_version is the highest applied, for the refusal of newer ledgers).
 */
static const struct migration {
	int version;
	const char *const *sql;
} migrations[] = {
	{ 1, &schema_v1 },
	{ 2, &schema_v2 },
	{ 3, &schema_v3 },
	{ 4, &schema_v4 },
	{ 5, &schema_v5 },
	{ 6, &schema_v6 },
};

static int exec(struct ledger *l, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(l->err, sizeof(l->err), "%s", msg ? msg : sqlite3_errmsg(l->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

const char *ledger_errmsg(struct ledger *l)
{
	return l->err[0] ? l->err : sqlite3_errmsg(l->db);
}

sqlite3 *ledger_db(struct ledger *l)
{
	return l->db;
}

static int user_version(struct ledger *l)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(l->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* 1 when a row says the migration ran, 0 not, -1 error.  Before
 * schema_migrations existed, versions were contiguous: user_version said
 * it all. */
static int migration_applied(struct ledger *l, int version)
{
	sqlite3_stmt *st;
	int r, v;

	if (!ledger_has_table(l, "schema_migrations")) {
		v = user_version(l);
		return v < 0 ? -1 : version <= v;
	}
	if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM schema_migrations WHERE version = ?", -1, &st,
	                       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(st, 1, version);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

/* Run one migration in its own transaction, unless it ran already (looked
 * at inside the transaction: two processes may open a new ledger at once). */
static int migrate(struct ledger *l, const struct migration *m)
{
	char sql[160];
	int r, v;

	if (exec(l, "BEGIN IMMEDIATE") != 0)
		return -1;
	r = migration_applied(l, m->version);
	if (r != 0)
		goto done;
	r = -1;
	if (!ledger_has_table(l, "schema_migrations")) {
		/* First use: what user_version covered ran under the old scheme. */
		v = user_version(l);
		if (v < 0 || exec(l, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
		                     " applied_at INTEGER NOT NULL)") != 0)
			goto done;
		for (size_t i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
			if (migrations[i].version > v)
				continue;
			snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES (%d, strftime('%%s'))",
			         migrations[i].version);
			if (exec(l, sql) != 0)
				goto done;
		}
	}
	if (exec(l, *m->sql) != 0)
		goto done;
	snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES (%d, strftime('%%s'))",
	         m->version);
	if (exec(l, sql) != 0)
		goto done;
	/* user_version is transactional: a failed migration leaves the old one. */
	v = user_version(l);
	if (v < 0)
		goto done;
	if (m->version > v) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", m->version);
		if (exec(l, sql) != 0)
			goto done;
	}
	r = 0;
done:
	if (r < 0) {
		ledger_rollback(l);
		return -1;
	}
	return exec(l, "COMMIT");
}

static int open_db(const char *path, bool readonly, struct ledger **l_r, char *err, size_t errlen)
{
	struct ledger *l = calloc(1, sizeof(*l));
	int v;

	*l_r = NULL;
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (sqlite3_open_v2(path, &l->db, readonly ? SQLITE_OPEN_READONLY :
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open ledger %s: %s", path,
		         l->db ? sqlite3_errmsg(l->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(l->db, 1);
	sqlite3_busy_timeout(l->db, 10000);
	if (!readonly && (exec(l, "PRAGMA journal_mode=WAL") != 0 ||
	                  exec(l, "PRAGMA synchronous=FULL") != 0))
		goto sqlfail;
	if (exec(l, "PRAGMA foreign_keys=ON") != 0)
		goto sqlfail;
	v = user_version(l);
	if (v < 0)
		goto sqlfail;
	if (v > LEDGER_SCHEMA_VERSION) {
		snprintf(err, errlen, "ledger %s has schema version %d; this intake knows only up to %d",
		         path, v, LEDGER_SCHEMA_VERSION);
		goto fail;
	}
	for (size_t i = 0; !readonly && i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		int r = migration_applied(l, migrations[i].version);

		if (r < 0 || (r == 0 && migrate(l, &migrations[i]) != 0))
			goto sqlfail;
	}
	*l_r = l;
	return 0;
sqlfail:
	snprintf(err, errlen, "ledger %s: %s", path, ledger_errmsg(l));
fail:
	ledger_close(&l);
	return -1;
}

int ledger_open(const char *path, struct ledger **l_r, char *err, size_t errlen)
{
	return open_db(path, false, l_r, err, errlen);
}

int ledger_open_readonly(const char *path, struct ledger **l_r, char *err, size_t errlen)
{
	return open_db(path, true, l_r, err, errlen);
}

bool ledger_has_table(struct ledger *l, const char *name)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

void ledger_close(struct ledger **lp)
{
	struct ledger *l = *lp;

	if (!l)
		return;
	sqlite3_close_v2(l->db);
	free(l);
	*lp = NULL;
}

int ledger_begin(struct ledger *l)
{
	return exec(l, "BEGIN IMMEDIATE");
}

int ledger_commit(struct ledger *l)
{
	return exec(l, "COMMIT");
}

void ledger_rollback(struct ledger *l)
{
	char save[sizeof(l->err)];

	memcpy(save, l->err, sizeof(save));
	if (sqlite3_get_autocommit(l->db) == 0)
		exec(l, "ROLLBACK");
	memcpy(l->err, save, sizeof(save));
}

/* Prepare, or record why not. */
static sqlite3_stmt *prep(struct ledger *l, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(l->err, sizeof(l->err), "%s", sqlite3_errmsg(l->db));
		return NULL;
	}
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Bind a row id, or NULL for none (0). */
static void bind_id(sqlite3_stmt *st, int i, long long id)
{
	if (id > 0)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* Step a write statement to completion and finalize it. */
static int done(struct ledger *l, sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	if (r != SQLITE_DONE) {
		snprintf(l->err, sizeof(l->err), "%s", sqlite3_errmsg(l->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Run a write statement whose one parameter is a row id. */
static int done_id(struct ledger *l, const char *sql, long long id)
{
	sqlite3_stmt *st = prep(l, sql);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return done(l, st);
}

long long ledger_step_id(sqlite3_stmt *st)
{
	long long id = 0;
	int r = sqlite3_step(st);

	if (r == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (r != SQLITE_DONE)
		id = -1;
	sqlite3_finalize(st);
	return id;
}

int ledger_step_ids(sqlite3_stmt *st, long long **ids_r, size_t *n_r)
{
	long long *v = NULL;
	size_t n = 0;
	int r;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		long long *nv = realloc(v, (n + 1) * sizeof(*nv));
		if (!nv) {
			r = SQLITE_NOMEM;
			break;
		}
		v = nv;
		v[n++] = sqlite3_column_int64(st, 0);
	}
	if (r != SQLITE_DONE) {
		free(v);
		return r;
	}
	*ids_r = v;
	*n_r = n;
	return r;
}

long long ledger_message_by_sha(struct ledger *l, const char *sha256)
{
	sqlite3_stmt *st = prep(l, "SELECT id FROM messages WHERE sha256 = ?");

	if (!st)
		return -1;
	bind_text(st, 1, sha256);
	return ledger_step_id(st);
}

int ledger_insert_message(struct ledger *l, const struct ledger_message *m, long long *id_r)
{
	sqlite3_stmt *st = prep(l,
		"INSERT INTO messages (sha256, size, message_id, subject, sender, sender_display,"
		" reply_to, date_header, in_reply_to, received_at, received_offset, received_source,"
		" ingested_at, county, county_evidence, sender_verified, kind, kind_evidence,"
		" parsed, late, supplement, mailbox, uidvalidity, uid)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,strftime('%s','now'),?,?,?,?,?,?,?,?,?,?,?)");

	if (!st)
		return -1;
	bind_text(st, 1, m->sha256);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)m->size);
	bind_text(st, 3, m->message_id);
	bind_text(st, 4, m->subject);
	bind_text(st, 5, m->sender);
	bind_text(st, 6, m->sender_display);
	bind_text(st, 7, m->reply_to);
	bind_text(st, 8, m->date_header);
	bind_text(st, 9, m->in_reply_to);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)m->received_at);
	sqlite3_bind_int(st, 11, m->received_offset);
	bind_text(st, 12, m->received_source);
	bind_text(st, 13, m->county);
	bind_text(st, 14, m->county_evidence);
	sqlite3_bind_int(st, 15, m->sender_verified);
	bind_text(st, 16, m->kind);
	bind_text(st, 17, m->kind_evidence);
	sqlite3_bind_int(st, 18, m->parsed);
	sqlite3_bind_int(st, 19, m->late);
	sqlite3_bind_int(st, 20, m->supplement);
	bind_text(st, 21, m->mailbox);
	if (m->mailbox) {
		sqlite3_bind_int64(st, 22, m->uidvalidity);
		sqlite3_bind_int64(st, 23, m->uid);
	}
	if (done(l, st) != 0)
		return -1;
	*id_r = sqlite3_last_insert_rowid(l->db);
	return 0;
}

int ledger_set_reply(struct ledger *l, long long msg, const char *reply_kind)
{
	sqlite3_stmt *st = prep(l, "UPDATE messages SET reply = ? WHERE id = ?");

	if (!st)
		return -1;
	bind_text(st, 1, reply_kind);
	sqlite3_bind_int64(st, 2, msg);
	return done(l, st);
}

void ledger_known_free(struct classify_known *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++) {
		/* classify_known borrows its strings as const; we own them here. */
		free((void *)(uintptr_t)k[i].applicant);
		free((void *)(uintptr_t)k[i].credit_code);
		for (size_t j = 0; j < k[i].nitems; j++)
			free((void *)(uintptr_t)k[i].items[j]);
		free((void *)(uintptr_t)k[i].items);
	}
	free(k);
}

static int collect(struct ledger *l, sqlite3_stmt *st, char ***v_r, size_t *n_r);

static int items_of_dossier(struct ledger *l, long long d, char ***v_r, size_t *n_r)
{
	sqlite3_stmt *st = prep(l,
		"SELECT DISTINCT a.item FROM files f JOIN assignments a ON a.file = f.id AND a.current = 1"
		" WHERE f.dossier = ? AND a.item IS NOT NULL ORDER BY a.item");

	*v_r = NULL;
	*n_r = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, d);
	return collect(l, st, v_r, n_r);
}

int ledger_known_dossiers(struct ledger *l, const struct campaign *c, const char *county,
                          struct classify_known **k_r, size_t *n_r)
{
	sqlite3_stmt *st = prep(l, "SELECT id, program, applicant, credit_code FROM dossiers WHERE county = ? ORDER BY id");
	struct classify_known *k = NULL;
	size_t n = 0;
	int r;

	*k_r = NULL;
	*n_r = 0;
	if (!st)
		return -1;
	bind_text(st, 1, county ? county : "");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct classify_known *nk = realloc(k, (n + 1) * sizeof(*nk));
		char **items;
		size_t ni;
		if (!nk)
			break;
		k = nk;
		memset(&k[n], 0, sizeof(k[n]));
		k[n].id = sqlite3_column_int64(st, 0);
		k[n].program = campaign_program_index(c, (const char *)sqlite3_column_text(st, 1));
		k[n].applicant = strdup((const char *)sqlite3_column_text(st, 2));
		if (sqlite3_column_text(st, 3) && *sqlite3_column_text(st, 3))
			k[n].credit_code = strdup((const char *)sqlite3_column_text(st, 3));
		if (items_of_dossier(l, k[n].id, &items, &ni) == 0) {
			k[n].items = (const char *const *)items;
			k[n].nitems = ni;
		}
		n++;
	}
	sqlite3_finalize(st);
	*k_r = k;
	*n_r = n;
	return r == SQLITE_DONE ? 0 : -1;
}

static int link_dossier(struct ledger *l, long long msg, long long d, const char *evidence)
{
	sqlite3_stmt *st = prep(l,
		"INSERT INTO message_dossiers (message, dossier, evidence) VALUES (?,?,?)"
		" ON CONFLICT (message, dossier) DO NOTHING");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	sqlite3_bind_int64(st, 2, d);
	bind_text(st, 3, evidence);
	return done(l, st);
}

int ledger_dossier_for(struct ledger *l, long long msg, const char *county,
                       const char *program, const char *applicant, const char *key,
                       const char *evidence, long long merge_into, long long *id_r)
{
	sqlite3_stmt *st;
	long long id = 0;
	int r;

	if (merge_into > 0) {
		id = merge_into;
	} else {
		st = prep(l, "SELECT id FROM dossiers WHERE county = ? AND program = ? AND applicant_key = ?");
		if (!st)
			return -1;
		bind_text(st, 1, county ? county : "");
		bind_text(st, 2, program ? program : "");
		bind_text(st, 3, key);
		r = sqlite3_step(st);
		if (r == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			return -1;
	}
	if (id == 0) {
		st = prep(l, "INSERT INTO dossiers (county, program, applicant, applicant_key, first_message)"
		             " VALUES (?,?,?,?,?)");
		if (!st)
			return -1;
		bind_text(st, 1, county ? county : "");
		bind_text(st, 2, program ? program : "");
		bind_text(st, 3, applicant);
		bind_text(st, 4, key);
		sqlite3_bind_int64(st, 5, msg);
		if (done(l, st) != 0)
			return -1;
		id = sqlite3_last_insert_rowid(l->db);
	} else if (program && *program) {
		/* A supplement may tell us the program a first message did not. */
		st = prep(l, "UPDATE dossiers SET program = ? WHERE id = ? AND program = ''"
		             " AND NOT EXISTS (SELECT 1 FROM dossiers d2 WHERE d2.county = dossiers.county"
		             " AND d2.program = ? AND d2.applicant_key = dossiers.applicant_key)");
		if (!st)
			return -1;
		bind_text(st, 1, program);
		sqlite3_bind_int64(st, 2, id);
		bind_text(st, 3, program);
		if (done(l, st) != 0)
			return -1;
	}
	if (link_dossier(l, msg, id, evidence) != 0)
		return -1;
	*id_r = id;
	return 0;
}

int ledger_insert_file(struct ledger *l, const struct ledger_file *f, long long *id_r)
{
	sqlite3_stmt *st = prep(l,
		"INSERT INTO files (message, parent, seq, part, path, name, name_raw, name_lossy, depth,"
		" size, sha256, mime, kind, ext_mismatch, container, body_image, ignored, stored, dossier)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, f->message);
	bind_id(st, 2, f->parent);
	sqlite3_bind_int(st, 3, (int)f->seq);
	bind_text(st, 4, f->part);
	bind_text(st, 5, f->path);
	bind_text(st, 6, f->name);
	if (f->name_raw)
		sqlite3_bind_blob(st, 7, f->name_raw, (int)f->name_raw_len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int(st, 8, f->name_lossy);
	sqlite3_bind_int(st, 9, (int)f->depth);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)f->size);
	bind_text(st, 11, f->sha256);
	bind_text(st, 12, f->mime);
	bind_text(st, 13, f->kind);
	sqlite3_bind_int(st, 14, f->ext_mismatch);
	sqlite3_bind_int(st, 15, f->container);
	sqlite3_bind_int(st, 16, f->body_image);
	sqlite3_bind_int(st, 17, f->ignored);
	bind_text(st, 18, f->stored);
	bind_id(st, 19, f->dossier);
	if (done(l, st) != 0)
		return -1;
	*id_r = sqlite3_last_insert_rowid(l->db);
	return 0;
}

int ledger_assign(struct ledger *l, long long file, const char *item,
                  const char *evidence, const char *by)
{
	return ledger_assign_ex(l, file, item, evidence, by, -1, false);
}

int ledger_assign_ex(struct ledger *l, long long file, const char *item,
                     const char *evidence, const char *by, int confidence, bool by_content)
{
	sqlite3_stmt *st;

	if (done_id(l, "UPDATE assignments SET current = 0 WHERE file = ? AND current = 1", file) != 0)
		return -1;
	st = prep(l, "INSERT INTO assignments (file, item, evidence, by, at, confidence, by_content)"
	             " VALUES (?,?,?,?,strftime('%s','now'),?,?)");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, file);
	bind_text(st, 2, item);
	bind_text(st, 3, evidence);
	bind_text(st, 4, by);
	if (confidence >= 0)
		sqlite3_bind_int(st, 5, confidence > 100 ? 100 : confidence);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int(st, 6, by_content);
	return done(l, st);
}

/* The longest prefix of s[0..n) of at most max bytes that ends on a
 * UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

int ledger_insert_text(struct ledger *l, long long file, const struct ledger_text *t)
{
	sqlite3_stmt *st = prep(l,
		"INSERT INTO file_text (file, source, confidence, pages, truncated, text_len, note, excerpt)"
		" VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (file) DO UPDATE SET source = excluded.source,"
		" confidence = excluded.confidence, pages = excluded.pages, truncated = excluded.truncated,"
		" text_len = excluded.text_len, note = excluded.note, excerpt = excluded.excerpt");
	size_t cut;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, file);
	bind_text(st, 2, t->source);
	sqlite3_bind_int(st, 3, t->confidence);
	sqlite3_bind_int(st, 4, (int)t->pages);
	sqlite3_bind_int(st, 5, t->truncated || t->text_len > LEDGER_TEXT_EXCERPT);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)t->text_len);
	bind_text(st, 7, t->note);
	if (t->text && t->text_len > 0) {
		cut = utf8_cut(t->text, t->text_len, LEDGER_TEXT_EXCERPT);
		sqlite3_bind_text(st, 8, t->text, (int)cut, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 8);
	}
	return done(l, st);
}

int ledger_set_credit_code(struct ledger *l, long long dossier, const char *code)
{
	sqlite3_stmt *st = prep(l, "UPDATE dossiers SET credit_code = ? WHERE id = ?"
	                           " AND (credit_code IS NULL OR credit_code = '')");

	if (!st)
		return -1;
	bind_text(st, 1, code);
	sqlite3_bind_int64(st, 2, dossier);
	if (done(l, st) != 0)
		return -1;
	return sqlite3_changes(l->db) > 0 ? 1 : 0;
}

int ledger_same_code(struct ledger *l, long long dossier, long long **ids_r, size_t *n_r)
{
	sqlite3_stmt *st = prep(l,
		"SELECT o.id FROM dossiers d JOIN dossiers o ON o.credit_code = d.credit_code AND o.id <> d.id"
		" WHERE d.id = ? AND d.credit_code IS NOT NULL AND d.credit_code <> '' ORDER BY o.id");
	int r;

	*ids_r = NULL;
	*n_r = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, dossier);
	r = ledger_step_ids(st, ids_r, n_r);
	if (r != SQLITE_DONE)
		snprintf(l->err, sizeof(l->err), "%s", sqlite3_errmsg(l->db));
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int ledger_clear_eligibility(struct ledger *l, long long dossier)
{
	return done_id(l, "DELETE FROM eligibility WHERE dossier = ?", dossier);
}

int ledger_insert_eligibility(struct ledger *l, long long dossier, long long file,
                              const char *rule, const char *status, const char *message,
                              const char *vals_json)
{
	sqlite3_stmt *st = prep(l,
		"INSERT INTO eligibility (dossier, file, rule, status, message, vals, checked_at)"
		" VALUES (?,?,?,?,?,?,strftime('%s','now'))");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, dossier);
	bind_id(st, 2, file);
	bind_text(st, 3, rule);
	bind_text(st, 4, status);
	bind_text(st, 5, message);
	bind_text(st, 6, vals_json);
	return done(l, st);
}

int ledger_insert_problem(struct ledger *l, long long msg, long long file,
                          const char *kind, const char *subject, const char *reason)
{
	sqlite3_stmt *st = prep(l, "INSERT INTO problems (message, file, kind, subject, reason) VALUES (?,?,?,?,?)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	bind_id(st, 2, file);
	bind_text(st, 3, kind);
	bind_text(st, 4, subject);
	bind_text(st, 5, reason);
	return done(l, st);
}

/* ---- derived state ---- */

void ledger_items_free(struct ledger_items *it)
{
	for (size_t i = 0; i < it->npresent; i++)
		free(it->present[i]);
	for (size_t i = 0; i < it->nmissing; i++)
		free(it->missing[i]);
	free(it->present);
	free(it->missing);
	memset(it, 0, sizeof(*it));
}

static bool in_set(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* Fill present/missing from a set of found item ids, for the items of
 * program (index; -1 = county items), in campaign order. */
static int items_from(const struct campaign *c, int program, char **found, size_t nfound,
                      struct ledger_items *it)
{
	memset(it, 0, sizeof(*it));
	it->present = calloc(c->nitems + 1, sizeof(char *));
	it->missing = calloc(c->nitems + 1, sizeof(char *));
	if (!it->present || !it->missing)
		return -1;
	for (size_t i = 0; i < c->nitems; i++) {
		const struct campaign_item *ci = &c->items[i];
		if (ci->program != program)
			continue;
		if (in_set(found, nfound, ci->id))
			it->present[it->npresent++] = strdup(ci->id);
		else if (ci->required)
			it->missing[it->nmissing++] = strdup(ci->id);
	}
	return 0;
}

static int collect(struct ledger *l, sqlite3_stmt *st, char ***v_r, size_t *n_r)
{
	char **v = NULL;
	size_t n = 0;
	int r;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		char **nv;
		if (!s || in_set(v, n, s))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*nv));
		if (!nv)
			break;
		v = nv;
		v[n++] = strdup(s);
	}
	if (r != SQLITE_DONE)
		snprintf(l->err, sizeof(l->err), "%s", sqlite3_errmsg(l->db));
	sqlite3_finalize(st);
	*v_r = v;
	*n_r = n;
	return r == SQLITE_DONE ? 0 : -1;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int ledger_dossier_state(struct ledger *l, const struct campaign *c, long long dossier,
                         long long as_of, struct ledger_items *it_r)
{
	sqlite3_stmt *st;
	char **found = NULL;
	size_t nfound = 0;
	int program, r;
	bool dossier_late = false;

	memset(it_r, 0, sizeof(*it_r));
	st = prep(l, "SELECT d.program, m.late FROM dossiers d JOIN messages m ON m.id = d.first_message WHERE d.id = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, dossier);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		snprintf(l->err, sizeof(l->err), "no dossier %lld", dossier);
		return -1;
	}
	program = campaign_program_index(c, (const char *)sqlite3_column_text(st, 0));
	dossier_late = sqlite3_column_int(st, 1) != 0;
	sqlite3_finalize(st);
	/* Late files do not complete an on-time dossier: 过期不予受理. */
	st = prep(l,
		"SELECT a.item FROM files f JOIN assignments a ON a.file = f.id AND a.current = 1"
		" JOIN messages m ON m.id = f.message"
		" WHERE f.dossier = ?1 AND a.item IS NOT NULL AND (?2 = 0 OR f.message <= ?2)"
		" AND (m.late = 0 OR ?3)");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, dossier);
	sqlite3_bind_int64(st, 2, as_of);
	sqlite3_bind_int(st, 3, dossier_late);
	if (collect(l, st, &found, &nfound) != 0)
		return -1;
	r = program >= 0 ? items_from(c, program, found, nfound, it_r) : 0;
	if (program < 0) {
		/* Unknown program: nothing can be judged complete. */
		it_r->present = calloc(nfound + 1, sizeof(char *));
		it_r->missing = calloc(1, sizeof(char *));
		for (size_t i = 0; it_r->present && i < nfound; i++)
			it_r->present[it_r->npresent++] = strdup(found[i]);
	}
	free_list(found, nfound);
	return r;
}

int ledger_county_state(struct ledger *l, const struct campaign *c, const char *county,
                        long long as_of, struct ledger_items *it_r)
{
	sqlite3_stmt *st;
	char **found = NULL;
	size_t nfound = 0;
	int r;

	memset(it_r, 0, sizeof(*it_r));
	/* As for dossiers: late papers do not complete a county that was on
	 * time, but a county whose every message came late is described as
	 * it is (its lateness is in the status). */
	st = prep(l,
		"SELECT a.item FROM files f JOIN assignments a ON a.file = f.id AND a.current = 1"
		" JOIN messages m ON m.id = f.message"
		" WHERE m.county = ?1 AND m.kind = 'submission' AND a.item IS NOT NULL"
		" AND (?2 = 0 OR f.message <= ?2)"
		" AND (m.late = 0 OR NOT EXISTS (SELECT 1 FROM messages m2 WHERE m2.county = ?1"
		"      AND m2.kind = 'submission' AND m2.late = 0 AND (?2 = 0 OR m2.id <= ?2)))");
	if (!st)
		return -1;
	bind_text(st, 1, county ? county : "");
	sqlite3_bind_int64(st, 2, as_of);
	if (collect(l, st, &found, &nfound) != 0)
		return -1;
	r = items_from(c, -1, found, nfound, it_r);
	free_list(found, nfound);
	return r;
}

/* Problems that leave something unreadable: the message cannot be accepted. */
#define BLOCKING_KINDS "'mime-unparseable', 'part-decode', 'archive-encrypted', 'archive-corrupt'," \
	" 'archive-unsupported', 'archive-bomb', 'archive-depth', 'big-attachment-link'," \
	" 'worker-crashed', 'worker-limit', 'worker-protocol', 'mime-limit'"

int ledger_message_status(struct ledger *l, const struct campaign *c, long long msg,
                          const char **status_r)
{
	sqlite3_stmt *st;
	char county[128] = "", kind[32] = "";
	bool late, parsed, complete = true, blocking = false, any_file = false;
	int r;

	st = prep(l, "SELECT kind, late, parsed, county FROM messages WHERE id = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	snprintf(kind, sizeof(kind), "%s", (const char *)sqlite3_column_text(st, 0));
	late = sqlite3_column_int(st, 1);
	parsed = sqlite3_column_int(st, 2);
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		snprintf(county, sizeof(county), "%s", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);

	if (strcmp(kind, "submission") != 0) {
		*status_r = "ignored";
		return 0;
	}
	if (late) {
		*status_r = "late";
		return 0;
	}
	/* Anything usable?  A file that is neither ignored nor a container. */
	st = prep(l, "SELECT count(*) FROM files WHERE message = ? AND ignored = 0 AND container = 0"
	             " AND kind NOT IN ('empty')");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	if (sqlite3_step(st) == SQLITE_ROW)
		any_file = sqlite3_column_int64(st, 0) > 0;
	sqlite3_finalize(st);
	if (!parsed || !any_file) {
		/* Nothing usable.  A readable letter whose files travel as
		 * download links is incomplete (the county can attach them); any
		 * other is rejected with an error notice. */
		bool links = false;
		st = prep(l, "SELECT count(*) FROM problems WHERE message = ? AND kind = 'big-attachment-link'");
		if (st) {
			sqlite3_bind_int64(st, 1, msg);
			if (sqlite3_step(st) == SQLITE_ROW)
				links = sqlite3_column_int64(st, 0) > 0;
			sqlite3_finalize(st);
		}
		*status_r = links && parsed ? "incomplete" : "rejected";
		return 0;
	}
	st = prep(l, "SELECT 1 FROM problems WHERE message = ? AND kind IN (" BLOCKING_KINDS ") LIMIT 1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	blocking = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	st = prep(l, "SELECT dossier FROM message_dossiers WHERE message = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct ledger_items it;
		if (ledger_dossier_state(l, c, sqlite3_column_int64(st, 0), msg, &it) != 0) {
			sqlite3_finalize(st);
			return -1;
		}
		if (it.nmissing > 0)
			complete = false;
		ledger_items_free(&it);
	}
	sqlite3_finalize(st);
	st = prep(l, "SELECT count(*) FROM message_dossiers md JOIN dossiers d ON d.id = md.dossier"
	             " WHERE md.message = ? AND d.program = ''");
	if (st) {
		sqlite3_bind_int64(st, 1, msg);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
			complete = false;
		sqlite3_finalize(st);
	}
	{
		struct ledger_items ci;
		if (ledger_county_state(l, c, county[0] ? county : NULL, msg, &ci) != 0)
			return -1;
		if (ci.nmissing > 0)
			complete = false;
		ledger_items_free(&ci);
	}
	*status_r = complete && !blocking ? "accepted" : "incomplete";
	return 0;
}

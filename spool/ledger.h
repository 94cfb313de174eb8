/*
 * ledger.h - the SQLite ledger: what was received, what it held, what was
 * decided and why.
 *
 * WAL, synchronous=FULL, foreign keys on, schema versioned with
 * PRAGMA user_version (refuses a newer version than it knows).  Every
 * write happens inside ledger_begin()/ledger_commit(): one transaction per
 * message.  Completeness and submission status are derived from the rows
 * (ledger_dossier_state(), ledger_message_state()), never stored twice; the
 * only stored judgement is the reply kind owed, fixed when the message is
 * recorded.
 *
 * Strings returned in structs are owned by the struct; free with the
 * matching _free().
 */
#ifndef INTAKE_LEDGER_H
#define INTAKE_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include <sqlite3.h>
#include "campaign.h"
#include "classify.h"

#define LEDGER_SCHEMA_VERSION 6

struct ledger;

int ledger_open(const char *path, struct ledger **l_r, char *err, size_t errlen);
/*
 * For readers that must not wait for or disturb the writer (intakectl
 * status): no migrations, nothing created; a ledger of an older schema
 * opens too, so ask ledger_has_table() before using a newer table.
 */
int ledger_open_readonly(const char *path, struct ledger **l_r, char *err, size_t errlen);
bool ledger_has_table(struct ledger *l, const char *name);
void ledger_close(struct ledger **l);
sqlite3 *ledger_db(struct ledger *l);   /* for read-only queries */
const char *ledger_errmsg(struct ledger *l);

int ledger_begin(struct ledger *l);      /* BEGIN IMMEDIATE */
int ledger_commit(struct ledger *l);
void ledger_rollback(struct ledger *l);

/*
 * For queries over ledger_db() in the spool modules.  ledger_step_id():
 * the first column of the first row, 0 when there is no row, -1 on error;
 * st is finalized.  ledger_step_ids(): the first column of every row into
 * a malloc'd array (*ids_r and *n_r set only on success); SQLITE_DONE, or
 * the code that stopped it (SQLITE_NOMEM when out of memory); st is left
 * to the caller to finalize, so sqlite3_errmsg() still tells why.
 */
long long ledger_step_id(sqlite3_stmt *st);
int ledger_step_ids(sqlite3_stmt *st, long long **ids_r, size_t *n_r);

/*
 * SQL over files aliased f: an archive that was opened, which its entries
 * stand for (not stored).  An attached archive that could not be read
 * whole is a container too, but kept (stored) and listed as a file.
 */
#define LEDGER_OPENED_ARCHIVE "(f.container = 1 AND f.stored IS NULL)"

/* Id of the message with these spooled bytes, 0 if none, -1 on error. */
long long ledger_message_by_sha(struct ledger *l, const char *sha256);

struct ledger_message {
	const char *sha256;
	uint64_t size;
	const char *message_id, *subject, *sender, *sender_display, *reply_to;
	const char *date_header, *in_reply_to;
	time_t received_at;
	int received_offset;          /* minutes east of UTC */
	const char *received_source;  /* "cli", "received-header", "ingest-time", "imap" */
	const char *county;           /* campaign county id or NULL */
	const char *county_evidence;
	bool sender_verified;         /* in the campaign's sender map */
	const char *kind;             /* submission, auto-reply, bounce, list, read-receipt */
	const char *kind_evidence;
	bool parsed;                  /* the structure could be read */
	bool late;
	bool supplement;
	const char *mailbox;          /* IMAP origin, NULL when not from IMAP */
	uint32_t uidvalidity, uid;
};

int ledger_insert_message(struct ledger *l, const struct ledger_message *m, long long *id_r);
int ledger_set_reply(struct ledger *l, long long msg, const char *reply_kind /* NULL */);

/* Existing dossiers of one county (county NULL = unknown county), with the
 * items they have; for classify_message()'s supplement matching. */
int ledger_known_dossiers(struct ledger *l, const struct campaign *c, const char *county,
                          struct classify_known **k_r, size_t *n_r);
void ledger_known_free(struct classify_known *k, size_t n);

/* Find or create the dossier (county, program, applicant key); a
 * merge_into id wins when non-zero.  Links it to the message. */
int ledger_dossier_for(struct ledger *l, long long msg, const char *county,
                       const char *program, const char *applicant, const char *key,
                       const char *evidence, long long merge_into, long long *id_r);

struct ledger_file {
	long long message;
	long long parent;             /* ledger id of the containing archive, 0 none */
	unsigned seq;
	const char *part, *path, *name;
	const void *name_raw;
	size_t name_raw_len;
	bool name_lossy;
	unsigned depth;
	uint64_t size;
	const char *sha256, *mime, *kind;
	bool ext_mismatch, container, body_image, ignored;
	const char *stored;
	long long dossier;            /* 0 = none */
};
int ledger_insert_file(struct ledger *l, const struct ledger_file *f, long long *id_r);

/* A new current assignment for a file (item NULL = none), by "machine" or
 * an operator; any previous one stops being current. */
int ledger_assign(struct ledger *l, long long file, const char *item,
                  const char *evidence, const char *by);

/* The same with how sure the machine was (0..100, -1 = not said) and
 * whether the file's content, not its name, decided it (schema v6). */
int ledger_assign_ex(struct ledger *l, long long file, const char *item,
                     const char *evidence, const char *by, int confidence, bool by_content);

int ledger_insert_problem(struct ledger *l, long long msg, long long file,
                          const char *kind, const char *subject, const char *reason);

/* ---- document text and the pre-check (schema v6) ---- */

#define LEDGER_TEXT_EXCERPT 4096  /* bytes of a file's text kept for staff */

struct ledger_text {
	const char *source;           /* none ooxml pdf legacy plain ocr */
	int confidence;
	unsigned pages;
	bool truncated;
	const char *note;             /* why no text, or NULL */
	const char *text;             /* UTF-8; the first LEDGER_TEXT_EXCERPT bytes are kept */
	size_t text_len;
};
/* Insert or replace the text row of a file. */
int ledger_insert_text(struct ledger *l, long long file, const struct ledger_text *t);

/* Record a dossier's unified social credit code unless it has one:
 * 1 when recorded, 0 when it had one, -1 on error. */
int ledger_set_credit_code(struct ledger *l, long long dossier, const char *code);
/* Other dossiers (any county, any program) with the same credit code as
 * this one; malloc'd ids, ascending. */
int ledger_same_code(struct ledger *l, long long dossier, long long **ids_r, size_t *n_r);

/* The pre-check of a dossier is replaced whenever a form is read. */
int ledger_clear_eligibility(struct ledger *l, long long dossier);
int ledger_insert_eligibility(struct ledger *l, long long dossier, long long file,
                              const char *rule, const char *status /* pass fail unknown */,
                              const char *message, const char *vals_json);

/* ---- derived state ---- */

struct ledger_items {
	char **present;               /* item ids, campaign order */
	size_t npresent;
	char **missing;               /* required item ids not present */
	size_t nmissing;
};
void ledger_items_free(struct ledger_items *it);

/*
 * Items of a dossier as of a message (as_of 0 = now).  Files from late
 * messages count only when the dossier itself was late from the start.
 */
int ledger_dossier_state(struct ledger *l, const struct campaign *c, long long dossier,
                         long long as_of, struct ledger_items *it_r);
/* County items (C01, C02) of a county as of a message (0 = now). */
int ledger_county_state(struct ledger *l, const struct campaign *c, const char *county,
                        long long as_of, struct ledger_items *it_r);

/* Status of a message as of itself: accepted, incomplete, late, rejected,
 * ignored (static strings). */
int ledger_message_status(struct ledger *l, const struct campaign *c, long long msg,
                          const char **status_r);

#endif

/*
 * ingest.h - one message from bytes to ledger rows: the path every message
 * takes, from a file (intakectl ingest) or from IMAP (intaked).
 *
 *   spool (durable, by hash) -> parse child -> triage -> county ->
 *   classify -> one ledger transaction (message, dossiers, files,
 *   assignments, problems, reply owed) -> extracted files committed.
 *
 * Ingesting bytes already in the ledger is a no-op.  A message spooled but
 * not yet recorded (a crash between the two) is picked up by
 * ingest_recover().
 */
#ifndef INTAKE_INGEST_H
#define INTAKE_INGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "campaign.h"
#include "config.h"
#include "ledger.h"
#include "spool.h"

struct reply_templates;

struct ingest {
	const struct config *cfg;
	const struct campaign *camp;
	struct spool *spool;
	struct ledger *ledger;
	bool in_process;       /* parse without forking (tests only) */
	const struct reply_templates *replies;  /* NULL: compose no replies (reply.h) */
	struct ingest_ahead *ahead;  /* the next message, parsing (ingest_ahead()) */
	char current[65];            /* the message ingest_spooled() is parsing */
};

struct ingest_outcome {
	char sha256[65];
	long long message;     /* ledger id */
	bool duplicate;        /* these bytes were already recorded */
	const char *status;    /* accepted, incomplete, late, rejected, ignored */
	const char *reply;     /* reply owed, or NULL */
	char county[64];       /* id or "" */
	unsigned ndossiers, nfiles, nproblems;
};

/* received: the server's INTERNALDATE (or --received); NULL = take it from
 * the first Received: header, else the time of ingest. */
struct ingest_time {
	time_t t;
	int offset_min;
	const char *source;
	/* Where it came from on the IMAP server (mailbox NULL: not IMAP). */
	const char *mailbox;
	uint32_t uidvalidity, uid;
};

int ingest_fd(struct ingest *in, int fd, const struct ingest_time *received,
              struct ingest_outcome *o, char *err, size_t errlen);
int ingest_spooled(struct ingest *in, const char *sha256, const struct ingest_time *received,
                   struct ingest_outcome *o, char *err, size_t errlen);

/* The classification input for a parsed message, one entry per file,
 * borrowing the result's strings (free() the array); NULL when out of
 * memory.  Shared with reprocess, which classifies stored messages again. */
struct worker_result;
struct classify_file *ingest_classify_files(const struct worker_result *wr);

/*
 * What the documents of a recorded message say, inside the caller's
 * transaction (schema v6): each file's text row (replaced on reprocess),
 * each dossier's unified social credit code and a duplicate-unit problem
 * when another dossier of the campaign carries the same code, and the
 * advisory eligibility pre-check of each dossier whose application form
 * came with text.  file_ids[i] is the ledger id of wr->files[i];
 * dossier_ids[k] that of cr->dossiers[k] (0 = none).  cr may be NULL
 * (not a submission): then only the text rows.
 */
struct classify_result;
int ingest_content(struct ingest *in, long long msg, const struct worker_result *wr,
                   const struct classify_result *cr, const long long *file_ids,
                   const long long *dossier_ids, char *err, size_t errlen);

/* Record every spooled message the ledger does not know yet. */
int ingest_recover(struct ingest *in, unsigned *n_r, char *err, size_t errlen);

/*
 * Parse ahead: start parsing the spooled message sha now, in a second
 * child, while ingest_spooled() still waits for the current one (the two
 * run on two cores); ingest_spooled(sha) then takes its result.  Nothing
 * is recorded until that call, in order.  Does nothing in-process, when a
 * message is already ahead, for the message being parsed, or for one
 * already recorded; true when sha is (now) the one ahead.
 * ingest_ahead_drop() kills one nobody took.
 */
bool ingest_ahead(struct ingest *in, const char *sha);
void ingest_ahead_drop(struct ingest *in);

#endif

/*
 * reprocess.h - classify stored messages again after a campaign fix (a new
 * name pattern, a corrected title) and show what changes.
 *
 * Each message is parsed again from its raw bytes (spool/<sha>.eml) in the
 * parse child, exactly as at ingest, and classified with the campaign now
 * loaded.  The new item of each file (matched to the ledger by its seq and
 * checked by its sha256) replaces the machine's; an assignment made by
 * staff (by != 'machine') stays authoritative.  Dossier membership, the
 * county and the reply already owed are kept: only items move.
 *
 * Per message, one transaction: the changes are applied, the dossiers'
 * items and status compared before and after, and then the transaction is
 * rolled back (dry run) or committed with an audit row.  So a dry run
 * shows exactly what a real run would do, and changes nothing.
 */
#ifndef INTAKE_REPROCESS_H
#define INTAKE_REPROCESS_H

#include <stdbool.h>
#include <stdio.h>
#include "ingest.h"

struct reprocess_opts {
	long long message;     /* one message id, or 0 with all */
	bool all;              /* every submission that could be read */
	bool dry_run;
	const char *who;       /* operator, for the audit row */
	FILE *out;             /* what changes, in Chinese */
};

struct reprocess_stats {
	unsigned messages, changed_messages, files_changed, staff_kept, skipped;
};

int reprocess_run(struct ingest *in, const struct reprocess_opts *o, struct reprocess_stats *st,
                  char *err, size_t errlen);

#endif

/*
 * retention.h - the privacy policy of [intake] retention_days: the files
 * extracted from a message (state_dir/files/<sha256>/) are removed once it
 * was received more than N days ago.  The raw message in spool/ and every
 * ledger row stay, so what was received and decided can still be shown;
 * the message row gets files_purged_at, and the audit table one row per
 * message (who 'retention', action 'purge-files', target the spool id,
 * detail counts only, never a name or content).
 *
 * The caller holds the spool lock.  Each message is one step: files
 * removed, then its ledger rows in one transaction; a crash between the two
 * is finished by the next run.
 */
#ifndef INTAKE_RETENTION_H
#define INTAKE_RETENTION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "ledger.h"
#include "spool.h"

struct retention_item {
	long long message;
	const char *sha256;       /* borrowed, valid during the callback */
	time_t received_at;
	unsigned nfiles;          /* files found under files/<sha256>/ */
	uint64_t bytes;
};

struct retention_stats {
	unsigned messages, files;
	uint64_t bytes;
};

/*
 * Purge (or with dry_run only list) the extracted files of every message
 * received before now - days * 86400 that still has some.  each (may be
 * NULL) is called once per message.  days 0 does nothing.  0 ok, -1 with
 * err (the messages before the failing one stay purged).
 */
int retention_purge(struct spool *s, struct ledger *l, unsigned days, time_t now, bool dry_run,
                    void (*each)(void *ctx, const struct retention_item *it), void *ctx,
                    struct retention_stats *st_r, char *err, size_t errlen);

#endif

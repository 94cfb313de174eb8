/*
 * status.h - intakectl status: is the intake service healthy, for staff
 * and for monitoring.  Reads the state directory without its lock and the
 * ledger read-only, so it works (and never waits) while intaked runs.
 *
 * Unhealthy, each with a line in "problems":
 *   - the state directory or the ledger cannot be read;
 *   - [imap] is configured and intaked has not worked the mailbox through
 *     (or waited on it connected) for more than 3 x poll_interval + 60 s,
 *     or never has;
 *   - the last error is newer than the last success (the latest cycle
 *     failed);
 *   - messages are quarantined (fetch_attempts.quarantined);
 *   - replies failed (once the replies table exists).
 * Everything else (pending spool files, the deadline, disk use) is shown,
 * not judged.
 */
#ifndef INTAKE_STATUS_H
#define INTAKE_STATUS_H

#include <jansson.h>
#include <stdio.h>
#include <time.h>
#include "campaign.h"
#include "config.h"

#define STATUS_GRACE_SECONDS 60

/* A new object (keys in docs/intakectl.1); "healthy" is its verdict.
 * NULL only when out of memory. */
json_t *status_collect(const struct config *cfg, const struct campaign *c, time_t now);
/* The same for staff, in Chinese. */
void status_print(FILE *out, const json_t *st);

#endif

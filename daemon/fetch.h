/*
 * fetch.h - the mailbox loop of intaked: every new message on the server
 * into the spool, through ingest, then marked on the server; exactly once.
 *
 * Order for each message (ascending UID), so a crash at any instant is
 * recovered by the next run:
 *   1. stream it into the spool (partial fetches; durable under its hash)
 *   2. ingest: one ledger transaction, recording mailbox/UIDVALIDITY/UID
 *   3. mark it on the server (\Seen + $IntakeProcessed, or a move)
 *   4. advance the mailbox's last UID in the ledger
 * A message already in the ledger by UID (crash after 2) is only marked; a
 * message already in the ledger by content (UIDVALIDITY changed, or the
 * same bytes twice) is recorded once.  A message that fails max_attempts
 * times is quarantined (recorded, flagged $IntakeQuarantined on the server)
 * instead of holding up the ones after it.
 */
#ifndef INTAKE_FETCH_H
#define INTAKE_FETCH_H

#include <stdbool.h>
#include "app.h"
#include "imap.h"

struct fetch_stats {
	unsigned fetched;       /* spooled and recorded */
	unsigned duplicates;    /* bytes already recorded */
	unsigned marked_only;   /* recorded earlier, only marked now */
	unsigned quarantined;
	unsigned failed;        /* attempts that failed this time */
	unsigned long long bytes;
};

/*
 * The next message, fetched while the parse child works on the current
 * one (worker_idle): its bytes go into an open spool writer that only
 * one() commits, after the same checks as an unfetched message, so a
 * quarantined or already recorded message never becomes a spool file
 * that recovery would pick up.
 */
struct prefetch {
	uint32_t uid;            /* 0 = none */
	enum { PF_START, PF_BODY, PF_SPOOLED, PF_FAILED } st;
	struct imap_msg meta;
	struct spool_writer *w;
	uint64_t off;
	char sha[65];            /* PF_SPOOLED: committed to the spool */
	bool ahead;              /* and being parsed ahead (ingest_ahead()) */
};

/* The next two messages are fetched while one is parsed. */
#define FETCH_AHEAD 2

struct fetcher {
	struct app *app;
	struct prefetch pf[FETCH_AHEAD];
	char *password;          /* IMAP password, wiped on free */
	struct imap *im;
	unsigned net_failures;   /* consecutive, for the backoff */
	int stop_fd;             /* readable = stop after the current message (-1 none) */
	void (*heartbeat)(void *);
	void *hb_ctx;
	struct fetch_stats total;
	char last_error[512];
};

int fetcher_init(struct fetcher *f, struct app *a, char *err, size_t errlen);
void fetcher_free(struct fetcher *f);

/*
 * Connect if needed and process every message waiting.  Returns 0 when the
 * mailbox was worked through (some messages may have failed and wait for a
 * retry: *pending_r counts them), -1 when the cycle stopped early (*why
 * says why; IMAP_FAIL_NET means reconnect after a backoff, IMAP_FAIL_LOCAL
 * a local problem such as a full disk).
 */
int fetcher_cycle(struct fetcher *f, unsigned *pending_r, enum imap_fail *why,
                  char *err, size_t errlen);

/* Seconds to wait before the next connection attempt (exponential with
 * jitter, capped at [imap] max_backoff). */
unsigned fetcher_backoff(struct fetcher *f);

#endif

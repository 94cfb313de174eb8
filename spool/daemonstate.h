/*
 * daemonstate.h - what intaked last did, in the ledger (table daemon_status
 * of schema version 5), for intakectl status and monitoring: when it
 * started, when it last polled, when a cycle last worked the mailbox
 * through, the last error and when the retention policy last ran.
 *
 * Writes are small single statements outside any other transaction; a
 * failure to write is worth a log line, never a stop.
 */
#ifndef INTAKE_DAEMONSTATE_H
#define INTAKE_DAEMONSTATE_H

#include <stdbool.h>
#include <time.h>
#include "ledger.h"

struct daemonstate {
	long long pid;
	time_t started_at, last_poll_at, last_ok_at, last_error_at, last_purge_at; /* 0 = never */
	char *last_error;      /* owned, NULL when none */
};

int daemonstate_started(struct ledger *l, long pid, time_t now);
/* A finished cycle: error NULL when it worked the mailbox through. */
int daemonstate_cycle(struct ledger *l, time_t now, const char *error);
/* Connected and waiting for mail without error (IDLE or between polls). */
int daemonstate_alive(struct ledger *l, time_t now);
int daemonstate_purged(struct ledger *l, time_t now);

/* 0 read, 1 nothing recorded yet (or a ledger older than version 5), -1
 * error (ledger_errmsg).  daemonstate_free() the result. */
int daemonstate_get(struct ledger *l, struct daemonstate *ds_r);
void daemonstate_free(struct daemonstate *ds);

#endif

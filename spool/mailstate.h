/*
 * mailstate.h - the ledger's memory of the IMAP mailbox: per mailbox the
 * UIDVALIDITY and the highest UID fully processed, and per UID the failed
 * attempts and quarantine.  Tables of schema version 2 (ledger.c).
 */
#ifndef INTAKE_MAILSTATE_H
#define INTAKE_MAILSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include "ledger.h"

/* 0 found, 1 nothing stored yet, -1 error (ledger_errmsg). */
int mailstate_get(struct ledger *l, const char *mailbox, uint32_t *uidvalidity_r,
                  uint32_t *last_uid_r);
int mailstate_set(struct ledger *l, const char *mailbox, uint32_t uidvalidity, uint32_t last_uid);

/* Ledger id of the message recorded from this UID, 0 none, -1 error. */
long long mailstate_message_by_uid(struct ledger *l, const char *mailbox, uint32_t uidvalidity,
                                   uint32_t uid);

/*
 * Count a failed attempt at a UID with its reason; quarantine it when the
 * attempts reach max_attempts (0 = at once).  *quarantined_r says whether
 * it now is.
 */
int mailstate_failed(struct ledger *l, const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                     const char *reason, unsigned max_attempts, bool *quarantined_r);
/* 0 not quarantined, 1 quarantined and flagged on the server, 2
 * quarantined but not flagged yet, -1 error. */
int mailstate_is_quarantined(struct ledger *l, const char *mailbox, uint32_t uidvalidity,
                             uint32_t uid);
int mailstate_set_flagged(struct ledger *l, const char *mailbox, uint32_t uidvalidity, uint32_t uid);
/* Forget the failures of a UID that finally went through. */
int mailstate_clear(struct ledger *l, const char *mailbox, uint32_t uidvalidity, uint32_t uid);

#endif

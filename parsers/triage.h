/*
 * triage.h - is this message a submission at all?
 *
 * Auto-replies (RFC 3834 Auto-Submitted, Exchange/QQ out-of-office
 * markers), bounces (null return path, MAILER-DAEMON, multipart/report
 * delivery-status), read receipts (disposition-notification) and list or
 * bulk mail are recorded but are not submissions and are never answered:
 * answering them is how mail loops start.
 */
#ifndef INTAKE_TRIAGE_H
#define INTAKE_TRIAGE_H

#include "mime.h"

#define TRIAGE_SUBMISSION   "submission"
#define TRIAGE_AUTO_REPLY   "auto-reply"
#define TRIAGE_BOUNCE       "bounce"
#define TRIAGE_READ_RECEIPT "read-receipt"
#define TRIAGE_LIST         "list"

/* Returns one of the TRIAGE_* strings; *evidence_r gets a static Chinese
 * explanation (NULL for submissions). */
const char *triage_message(const struct mime_info *in, const char **evidence_r);

#endif

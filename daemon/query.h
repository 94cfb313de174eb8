/*
 * query.h - read-only views of the ledger for intakectl and reports:
 * dossiers and submissions as JSON (jansson) or as text for staff.
 */
#ifndef INTAKE_QUERY_H
#define INTAKE_QUERY_H

#include <jansson.h>
#include <stdio.h>
#include "campaign.h"
#include "ledger.h"

/* sql prepared on l with ?1 bound to the integer v (an id, a time); NULL
 * on an error (ledger_errmsg tells why). */
sqlite3_stmt *query_prepare(struct ledger *l, const char *sql, long long v);

/* New references; NULL on error (ledger_errmsg tells why). */
json_t *query_dossiers(struct ledger *l, const struct campaign *c);
json_t *query_submissions(struct ledger *l, const struct campaign *c);

/* Staff wording for a status / reply kind (static strings). */
const char *query_status_zh(const char *status);
const char *query_reply_zh(const char *reply);

/* Text for the terminal, in Chinese. */
int query_print_dossiers(FILE *out, const json_t *dossiers, const struct campaign *c);
int query_print_submissions(FILE *out, const json_t *subs, const struct campaign *c);

#endif

/*
 * staff.h - the tools bureau staff work the queue with: list and show
 * dossiers, correct the machine (assign a file to another item), record
 * the paper copy, export a dossier's files for printing and archiving, and
 * read the audit log.
 *
 * Every change by staff is one ledger transaction that also writes an
 * audit row (who, when, what, target, detail).  Targets are "dossier:N",
 * "file:N" (a county-level file with no dossier) or "message:N".
 *
 * JSON values returned are new references; NULL on error (ledger_errmsg
 * tells why).
 */
#ifndef INTAKE_STAFF_H
#define INTAKE_STAFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "campaign.h"
#include "ledger.h"

#define STAFF_OPERATOR_MAX 64

/* The operator to record: by when given, else $SUDO_USER, $USER,
 * getlogin().  Refuses empty, over-long, "machine" and names with control
 * characters. */
int staff_operator(const char *by, char *buf, size_t size, char *err, size_t errlen);

/* One audit row, inside the caller's transaction. */
int staff_audit(struct ledger *l, const char *who, const char *action, const char *target,
                const char *detail);

/* Index of the county or park named by its id, name or an alias; -1 if none. */
int staff_county(const struct campaign *c, const char *word);

struct staff_filter {
	const char *county;    /* id or name (雁峰区 / yanfeng), NULL = all */
	const char *program;   /* base / institution, NULL = all */
	bool incomplete, late;
};
/* Dossiers (the objects of query_dossiers()) that pass the filter; NULL
 * with err when the county or program names nothing or the ledger fails. */
json_t *staff_list(struct ledger *l, const struct campaign *c, const struct staff_filter *f,
                   char *err, size_t errlen);

/* One dossier with its files (type, item, evidence, who assigned it), the
 * problems of its messages, the replies sent (none until the replies
 * table exists) and its audit rows.  NULL with err "no such dossier". */
json_t *staff_show(struct ledger *l, const struct campaign *c, long long dossier,
                   char *err, size_t errlen);
void staff_print_show(FILE *out, const json_t *d, const struct campaign *c);
/* The advisory pre-check of a dossier (schema v6): one object per rule,
 * {rule, status pass|fail|unknown, message, values [...], file}; printed
 * as the 资格初审 section of show. */
json_t *staff_eligibility(struct ledger *l, long long dossier);
void staff_print_eligibility(FILE *out, const json_t *rows);
void staff_print_list(FILE *out, const json_t *list, const struct campaign *c);

struct staff_assign_result {
	long long dossier;     /* 0 for a county-level file */
	char before[8], after[8]; /* item ids, "" = none */
	bool complete_before, complete_after;
	char county[64];
};
/* Reassign a file to item (NULL = no item) as operator who. */
int staff_assign(struct ledger *l, const struct campaign *c, long long file, const char *item,
                 const char *who, struct staff_assign_result *res, char *err, size_t errlen);

/* Record that the paper copy of a dossier arrived; *changed_r false when
 * it was already recorded (no audit row then). */
int staff_mark_paper(struct ledger *l, long long dossier, const char *who, bool *changed_r,
                     char *err, size_t errlen);

/* "<number>-<short title>-<original name>" made safe for any file system:
 * no path separators or control characters, no leading dot, at most
 * STAFF_EXPORT_NAME_MAX bytes (the extension kept).  malloc'd. */
#define STAFF_EXPORT_NAME_MAX 200
char *staff_export_name(const struct campaign *c, const char *item, const char *original);

/* Copy the dossier's files as received into dir (created if missing),
 * named by staff_export_name(), a collision getting " (2)", " (3)"...;
 * each copy is checked against the sha256 the ledger recorded.  Prints one
 * line per file to out.  The operator and the export go into the audit
 * log. */
int staff_export(struct ledger *l, const struct campaign *c, const char *state_dir,
                 long long dossier, const char *dir, const char *who, FILE *out,
                 unsigned *n_r, char *err, size_t errlen);

/* Audit rows, newest last; dossier 0 = all, else those of the dossier and
 * of its files. */
json_t *staff_log(struct ledger *l, const struct campaign *c, long long dossier);
void staff_print_log(FILE *out, const json_t *rows);

#endif

/*
 * reportdb.h - the daily intake report: its rows from the ledger, and the
 * files staff read (text, CSV, HTML, XLSX).
 *
 * This is also the seam for `report --mail` (the replies/SMTP work): build
 * the report with reportdb_build(), take the HTML body from reportdb_html()
 * and write the XLSX attachment with reportdb_write(..., REPORT_XLSX, path).
 *
 * "Cumulative" means received up to the end of the report day (Beijing
 * time, the campaign's offset); dossier completeness is as of the last
 * message received by then, with the assignments as they stand now (a
 * staff correction made later shows in an earlier day's report too).
 */
#ifndef INTAKE_REPORTDB_H
#define INTAKE_REPORTDB_H

#include <stddef.h>
#include <time.h>
#include "campaign.h"
#include "ledger.h"
#include "report.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_HTML, REPORT_XLSX };

/* "text", "csv", "html", "xlsx"; -1 if none of them. */
int reportdb_parse_format(const char *s, enum report_format *f_r);

/* The report of the day starting at day_start (report_day_start()); now is
 * the generation time shown.  r is freed with report_free(). */
int reportdb_build(struct ledger *l, const struct campaign *c, time_t day_start, time_t now,
                   struct report *r, char *err, size_t errlen);

/* Write the report to path, atomically (a temporary file beside it, then
 * rename), or to stdout when path is NULL (not for XLSX). */
int reportdb_write(const struct report *r, enum report_format f, const char *path,
                   char *err, size_t errlen);

/* The HTML rendering in memory (malloc'd, NUL-terminated), for a mail body. */
int reportdb_html(const struct report *r, char **buf_r, size_t *len_r);

#endif

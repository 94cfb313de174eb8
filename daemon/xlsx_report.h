/*
 * xlsx_report.h - the daily report as an Excel/WPS workbook (libxlsxwriter):
 * the daily summary, every dossier, the problems, and the county summary
 * tables of the notice (附件2, 附件4) in their exact column layout, filled
 * with what the ledger knows and blank where staff fill in.
 */
#ifndef INTAKE_XLSX_REPORT_H
#define INTAKE_XLSX_REPORT_H

#include <stddef.h>
#include "report.h"

/* Write the workbook to path (overwritten).  0, or -1 with err set. */
int xlsx_report_write(const struct report *r, const char *path, char *err, size_t errlen);

#endif

/*
 * eligibility.h - the advisory pre-check: read the application form's
 * (申请表) values from its extracted text (textract.h shape: table rows
 * as lines, cells separated by '\t') and check them against the notice's
 * conditions for the program and institution type.
 *
 * Data, not code: the form labels to look for, the units, the rules and
 * their thresholds all come from the campaign file ([check ...] sections,
 * parsed by campaign.c), so next year's notice needs a new campaign file.
 * Pure: no I/O.  Results are advice for staff; they change a reply only
 * when the campaign says so (campaign check_affects_reply).
 */
#ifndef INTAKE_ELIGIBILITY_H
#define INTAKE_ELIGIBILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "campaign.h"

enum elig_status { ELIG_PASS, ELIG_FAIL, ELIG_UNKNOWN };

struct elig_value {
	const char *field;     /* campaign field id ("floor_area"), borrowed */
	const char *label;     /* its Chinese label ("总建筑面积"), borrowed */
	bool found;
	double num;            /* in the campaign's unit (万元, 人, 平方米, 家, %) */
	char *raw;             /* the cell text as read ("2.3万㎡") */
	char *date;            /* YYYY-MM-DD for date fields, else NULL */
};

struct elig_values {
	struct elig_value *v;
	size_t n;
	char *applicant;       /* the unit's name from the form, if read */
	char *credit_code;     /* a valid USCC from the form, if present */
};

struct elig_flag {
	const char *rule;      /* campaign rule id, borrowed */
	enum elig_status status;
	char *message;         /* "总建筑面积 15000 平方米，条件为 20000 平方米以上" */
};

struct elig_report {
	int variant;           /* institution type chosen (index), -1 n/a or unknown */
	struct elig_flag *flags;
	size_t n;
	size_t failed, unknown;
};

/* Read the form fields of program prog from text.  0, or -1 on ENOMEM. */
int elig_read(const struct campaign *c, int prog, const char *text, size_t len,
              struct elig_values *out);
/* Check the values against the program's rules as of the deadline. */
int elig_check(const struct campaign *c, int prog, const struct elig_values *v,
               const char *text, size_t len, struct elig_report *out);
void elig_values_free(struct elig_values *v);
void elig_report_free(struct elig_report *r);

#endif

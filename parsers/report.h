/*
 * report.h - the daily intake report as rows, and its renderings for staff:
 * text for the terminal (CJK-aligned columns), CSV (UTF-8 with BOM, RFC
 * 4180) and one self-contained printable HTML page (A4).
 *
 * Pure: the rows are filled by daemon/reportdb.c from the ledger; here they
 * only become bytes on a FILE * the caller hands in.  The XLSX rendering
 * needs libxlsxwriter and a path, and lives in daemon/xlsx_report.c.
 *
 * Every string in the rows may come from a hostile mailbox (applicant
 * names, problem reasons quoting file names): the renderers neutralise
 * control and bidi characters (text, CSV) and escape markup (HTML).
 *
 * A struct report owns its rows and their strings; report_free().  The
 * campaign is borrowed and must outlive it.
 */
#ifndef INTAKE_REPORT_H
#define INTAKE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include "campaign.h"

struct report_dossier {
	long long id;
	int program;           /* index into c->programs, -1 unknown */
	int county;            /* index into c->counties, -1 unknown */
	char *applicant;       /* owned */
	char *credit_code;     /* owned, NULL when unknown */
	bool late;             /* its first message came after the deadline */
	bool complete;         /* program known and nothing required missing */
	bool paper;            /* paper copy received (mark-paper) */
	bool today;            /* first received on the report day */
	time_t first_received;
	int first_offset;      /* minutes east of UTC it was received in */
	size_t npresent;
	char **missing;        /* owned item ids, campaign order */
	size_t nmissing;
	/* The advisory pre-check of its application form (资格初审), when one
	 * was read: rules failed and undecided, and the messages of each
	 * joined with "；" (owned, NULL when none). */
	bool elig_checked;
	unsigned elig_fail, elig_unknown;
	char *elig_text;       /* failed */
	char *elig_unknown_text;
};

struct report_county {
	unsigned msgs_today, msgs;       /* submissions received that day / to date */
	unsigned dossiers[CAMPAIGN_MAX_PROGRAMS]; /* to date, per program */
	unsigned unknown_program;
	unsigned new_today;              /* dossiers first received that day */
	unsigned complete, incomplete, late;
	unsigned problems_today, problems;
	char **county_missing;           /* owned: C01/C02 still missing (only when msgs > 0) */
	size_t ncounty_missing;
};

struct report_problem {
	long long message;
	int county;            /* -1 unknown */
	bool today;
	time_t received;
	int offset;
	char *kind;            /* owned */
	char *reason;          /* owned, plain Chinese */
};

struct report {
	const struct campaign *c;        /* borrowed */
	int year, month, day;            /* the report day, in the campaign's zone */
	time_t day_start, day_end;       /* [start, end) of that day */
	time_t generated;
	long days_left;                  /* deadline day minus report day; < 0 after it */
	struct report_county *counties;  /* c->ncounties + 1: the last is "county unknown" */
	size_t ncounties;
	struct report_dossier *dossiers; /* received by the end of the day, by county then id */
	size_t ndossiers;
	struct report_problem *problems; /* of messages received by the end of the day */
	size_t nproblems;
	unsigned other_msgs_today, other_msgs; /* auto-replies, bounces, ...: not submissions */
};

void report_free(struct report *r);

/* The day (y, m, d) in the campaign's zone containing t. */
void report_day_of(const struct campaign *c, time_t t, int *y, int *m, int *d);
/* Start of day y-m-d in the campaign's zone; -1 if the date is invalid. */
time_t report_day_start(const struct campaign *c, int y, int m, int d);

/* Renderings.  Return 0, or -1 when writing failed. */
int report_text(const struct report *r, FILE *out);
int report_csv(const struct report *r, FILE *out);
int report_html(const struct report *r, FILE *out);

/* ---- helpers shared with the XLSX writer and the staff tools ---- */

/* Columns a UTF-8 string takes on a terminal: East Asian wide and
 * fullwidth characters 2, combining marks 0, others 1. */
size_t report_width(const char *s);
/* A malloc'd copy safe to print: C0/C1 controls, DEL and bidi controls
 * become U+FFFD, invalid UTF-8 bytes too.  NULL on allocation failure. */
char *report_clean(const char *s);
/* "3.人员名单" (number and short title), or the short title alone for an
 * item without a number; full = the notice's full title instead. */
void report_item_label(const struct campaign *c, const char *id, bool full, char *buf, size_t size);
/* "2023年5月19日 23:59": the deadline in the campaign's zone. */
void report_deadline_text(const struct report *r, char *buf, size_t size);
/* "还有 4 天" / "今天截止" / "已截止 2 天" */
void report_days_left_text(const struct report *r, char *buf, size_t size);
/* "2023-05-18 09:30": t in the campaign's zone. */
void report_local_time_text(const struct report *r, time_t t, char *buf, size_t size);
/* Missing items of a dossier (labels as report_item_label(), full or
 * short), joined with sep; a sentence instead when its program is unknown. */
void report_missing_text(const struct report *r, const struct report_dossier *d, bool full,
                         const char *sep, char *buf, size_t size);
/* 县级材料 cell of a county: "缺推荐报告、推荐汇总表", "齐全", or "-" when
 * it sent nothing. */
void report_county_missing_text(const struct report *r, const struct report_county *k,
                                char *buf, size_t size);
/* Staff wording for a problem kind (static), the kind itself if unknown. */
const char *report_problem_zh(const char *kind);
/* Short name of a program for tables: 基地 / 机构 (from its title), or 类别未定. */
const char *report_program_short(const struct campaign *c, int program);
/* Name of a county index, 县区未识别 for -1 / out of range. */
const char *report_county_name(const struct campaign *c, int county);
/* 资格初审 cell of a dossier: "2 项不符：…；另 1 项无法判断：…", "符合",
 * "7 项无法判断（未能从申请表读出相应数值，请人工核对）" */
void report_elig_text(const struct report_dossier *d, char *buf, size_t size);
/* Index of the next dossier after i carrying d[i]'s credit code, or
 * r->ndossiers; report_dup_first() is true when d[i] is the first of a
 * group of two or more (the 重复申报 list). */
size_t report_dup_next(const struct report *r, size_t i);
bool report_dup_first(const struct report *r, size_t i);

#endif

/*
 * classify.h - from the files of one message to applicant dossiers and
 * checklist items, with the evidence for every decision.
 *
 * Pure: in, the campaign, the message's envelope facts and its file list;
 * out, decisions.  The ledger stores them; completeness is derived there.
 *
 * Two steps, because merging a supplement needs what the ledger knows
 * about the county:
 *   1. classify_county(): which county or park sent this (sender map, then
 *      display name, subject, file and folder names against the aliases);
 *   2. classify_message(): split into dossiers, decide each program and
 *      applicant, assign each file to at most one item, mark county items
 *      (C01/C02) and ignorable files, and say which known dossier a
 *      supplement belongs to.
 * Result memory belongs to the result; free with classify_result_free().
 */
#ifndef INTAKE_CLASSIFY_H
#define INTAKE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include "campaign.h"
#include "sniff.h"
#include "problem.h"

struct classify_file {
	unsigned id;           /* the caller's id, echoed in the result */
	const char *name;      /* base name, UTF-8 */
	const char *path;      /* display path: "单位A.zip/单位A/营业执照.pdf" */
	int top;               /* index of the top-level attachment it came from */
	const char *top_name;  /* that attachment's name ("单位A.zip" or "申请表.doc") */
	const char *inner;     /* path inside the top-level archive ("单位A/营业执照.pdf"),
	                          NULL for a file attached directly */
	enum sniff_kind kind;
	const char *mime;
	bool container;        /* an archive that was unpacked: its entries stand for it */
	bool body_image;       /* inline image of the letter (signature, logo) */
	/* What the document says (textract.h shape), NULL/0 when not read.
	 * Used only when the name decides nothing (see classify_message()). */
	const char *text;
	size_t text_len;
	int text_source;       /* enum text_source */
	int text_confidence;   /* 0..100 (OCR mean word confidence; 100 for text layers) */
};

struct classify_known {    /* a dossier the ledger already holds for this county */
	long long id;
	int program;
	const char *applicant;
	const char *const *items; /* item ids it has */
	size_t nitems;
	const char *credit_code;  /* its unified social credit code, NULL if none */
};

struct classify_input {
	const struct campaign *c;
	const char *subject;       /* UTF-8 or NULL */
	const char *from_addr;
	const char *from_display;
	const struct classify_file *files;
	size_t nfiles;
	const struct classify_known *known; /* this county's existing dossiers */
	size_t nknown;
};

struct classify_county {
	int county;            /* index into c->counties, -1 unknown */
	bool by_sender;        /* true when the sender map decided it */
	char *evidence;        /* how it was decided */
};

struct classify_dossier {
	char *applicant;       /* the unit's name as best found, never NULL ("未识别申报单位" if unknown) */
	char *applicant_evidence;
	int program;           /* index into c->programs, -1 unknown */
	char *program_evidence;
	long long merge_into;  /* id of a known dossier this supplements, 0 = new */
	char *merge_evidence;
	char *credit_code;     /* a valid USCC from its licence or form text, NULL if none */
};

struct classify_assignment {
	unsigned file_id;
	int dossier;           /* index into result dossiers, -1 for county-level or none */
	const char *item;      /* item id (borrowed from the campaign) or NULL */
	char *evidence;        /* "文件名“3.营业执照副本.pdf”含“营业执照”" */
	bool ignored;          /* not part of any dossier (__MACOSX, Thumbs.db, signature image) */
	int confidence;        /* 0..100: 100 by name, less by folder or number, content's own */
	bool by_content;       /* the item was decided by the document's text */
};

struct classify_result {
	struct classify_dossier *dossiers;
	size_t ndossiers;
	struct classify_assignment *files; /* one per input file, same order */
	size_t nfiles;
	bool supplement;       /* the message presents itself as a 补件 */
};

int classify_county(const struct campaign *c, const char *from_addr,
                    const char *from_display, const char *subject,
                    const char *const *names, size_t nnames,
                    struct classify_county *r);
void classify_county_free(struct classify_county *r);

/*
 * Content: a file whose name decides nothing (no item pattern in its name
 * or folders, or only a bare catalogue number; a generic name such as
 * 扫描全能王…, IMG_…, 附件5 from the campaign's [names] generic takes no
 * number) is classified by its text, when it has one: the title zone
 * (first 8 non-empty lines of the first page, table rows and numbered
 * headings aside) against the items' content patterns, the first page
 * against their content_body phrases; a title ending in a negative word
 * (通知, 发票, 函) names no item.  An assignment needs the campaign's
 * content_min_confidence; a weaker match is reported as unrecognised with
 * what it resembles.  The applicant may come from a form's 单位名称 cell,
 * the dossier's credit code from its licence or form, and a known dossier
 * with the same code takes the unit whatever its name.
 *
 * Returns 0, or -1 on allocation failure.  Problems (unknown program,
 * unknown applicant, unrecognised file, executable) are reported through
 * problem/ctx with the file's display path as subject.
 */
int classify_message(const struct classify_input *in,
                     struct classify_result *r,
                     problem_fn problem, void *ctx);
void classify_result_free(struct classify_result *r);

/* Normalise a name for matching: strip the extension, full-width ASCII to
 * half-width, drop spaces and punctuation, lower-case ASCII.  malloc'd. */
char *classify_normalise(const char *name);

/* The key under which two spellings of an applicant compare equal. */
char *classify_applicant_key(const struct campaign *c, const char *applicant);

#endif

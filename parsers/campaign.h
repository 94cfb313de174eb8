/*
 * campaign.h - one call for applications, as data.
 *
 * Everything that changes from one notice to the next lives in a campaign
 * file (INI, parsed with inih; format in docs/intake-campaign.5 and the
 * comments of campaigns/hengyang-2023.conf): the programs, their checklist
 * items with titles and name patterns, the county-level items, opening date,
 * deadline with its UTC offset, the counties and parks with their aliases
 * and sender addresses, and the names of files that are never part of a
 * dossier.  No code may hold any of it.
 *
 * campaign_parse() works on a buffer; the caller reads the file.  The
 * struct campaign and everything it points to belong to it and are freed by
 * campaign_free().
 */
#ifndef INTAKE_CAMPAIGN_H
#define INTAKE_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define CAMPAIGN_MAX_PROGRAMS 8

/* Reply kinds with a template in [replies], in this order. */
enum campaign_reply { CAMPAIGN_REPLY_RECEIPT, CAMPAIGN_REPLY_MISSING, CAMPAIGN_REPLY_LATE,
                      CAMPAIGN_REPLY_ERROR, CAMPAIGN_REPLY_KINDS };

struct strlist {
	char **v;
	size_t n;
};

struct campaign_program {
	char *key;             /* "base", "institution": the JSON value */
	char *title;           /* 中小微企业创新创业基地 */
	char *annex;           /* 附件1 */
	char *summary_annex;   /* 附件2: the county summary table for it */
	struct strlist patterns; /* words naming the program in subjects, names */
	/* The county summary table (附件2/附件4) exactly as the notice lays it
	 * out, for reports; all optional (summary_columns.n == 0: none). */
	char *summary_title;   /* 衡阳市中小微企业创新创业基地推荐汇总表 */
	char *summary_unit;    /* "填报单位:" line above the table */
	char *summary_note;    /* "注：..." line below it */
	struct strlist summary_columns; /* column headers, in order, verbatim */
	struct strlist summary_fill;    /* "N:source": column N (1-based) filled from the
	                                   ledger; source is one of CAMPAIGN_SUMMARY_SOURCES */
};

/* What a summary column can be filled with; any other column is left blank
 * for staff. */
#define CAMPAIGN_SUMMARY_SOURCES "seq, applicant, county, credit_code"

struct campaign_item {
	char *id;              /* "B01", "S13", "C01" */
	int program;           /* index into programs, -1 for county items */
	unsigned number;       /* number in the notice's 申报目录, 0 if none */
	char *title;           /* full title as in the notice */
	char *short_title;     /* for tables: 申请表 */
	bool required;
	struct strlist patterns; /* substrings that recognise it in a normalised name */
	struct strlist excludes; /* substrings that veto a match (in names and in title text) */
	/* Content (document text), used when the file name decides nothing: */
	struct strlist content;      /* title patterns, matched in the title zone */
	struct strlist content_body; /* strong body phrases ("营业执照+统一社会信用代码+法定代表人") */
	bool credit_code;        /* its text carries the applicant's own credit code */
};

struct campaign_county {
	char *id;              /* "yanfeng" */
	char *name;            /* 雁峰区 */
	char *kind;            /* "county" or "park" */
	struct strlist aliases;/* other ways to write the name: 雁峰, 雁峰区工信局 */
	struct strlist senders;/* addresses (lower case) or "@domain" */
};

/* [check PROGRAM]: the advisory pre-check of the application form
 * (eligibility.h).  Format in campaigns/hengyang-2023.conf. */
enum check_op { CHECK_GE, CHECK_GT, CHECK_LE, CHECK_LT, CHECK_EQ };

struct campaign_check_field {
	char *id;              /* "floor_area" */
	char *unit;            /* 万元 元 平方米 人 家 次 % or "date" */
	bool date;
	struct strlist labels; /* form cell labels, first is the display label */
	bool by_year;          /* read in the data year's row or column */
	int num, den;          /* a ratio (percent) of two fields, -1 if none */
	unsigned line;
};

struct campaign_check_variant {
	char *id;              /* "general" */
	char *title;           /* 综合性服务机构 */
	struct strlist keywords;
};

struct campaign_check_rule {
	char *id;              /* "floor_area", "general.area" */
	int variant;           /* index into variants, -1: every variant */
	int field;             /* index into fields */
	bool years;            /* years(field): whole years from the date to the deadline */
	enum check_op op;
	double number;
	unsigned line;
};

struct campaign_check {
	int program;           /* index into programs */
	unsigned year;         /* the data year of "近两年" tables (2022) */
	struct strlist variant_labels; /* cells naming the variant: 机构类型, 申报类别 */
	struct campaign_check_variant *variants;
	size_t nvariants;
	struct campaign_check_field *fields;
	size_t nfields;
	struct campaign_check_rule *rules;
	size_t nrules;
};

struct campaign {
	char *id;              /* hengyang-2023 */
	char *title;
	char *issuer;          /* 衡阳市工业和信息化局 */
	char *office;          /* 中小企业科 */
	char *notice_ref;      /* 衡市工信中小企业〔2023〕12号 */
	time_t opens;          /* publication: mail before it is never answered */
	time_t deadline;       /* last instant accepted (inclusive) */
	int tz_offset_min;     /* the notice's offset, +480 for Asia/Shanghai */
	char *tz_name;         /* "Asia/Shanghai" */
	unsigned late_reply_days; /* late notices only within this window */
	struct campaign_program programs[CAMPAIGN_MAX_PROGRAMS];
	size_t nprograms;
	struct campaign_item *items;
	size_t nitems;
	struct campaign_county *counties;
	size_t ncounties;
	struct strlist ignore_names;   /* __MACOSX/, Thumbs.db, .DS_Store ... (basename or dir component, case-insensitive) */
	struct strlist supplement_words; /* 补件, 补充材料, 补交 */
	struct strlist applicant_noise;  /* words stripped to get the applicant name: 申报材料, 申报书, 附件 ... */
	/* Added with the campaign file format (intake-campaign(5), [applicant]): */
	struct strlist places;     /* place words that may begin a unit name (衡阳市, 衡阳): never cut from
	                              a name, but a segment of only places and noise is not a name */
	struct strlist unit_words; /* words that end a unit name: 公司, 园, 中心, 协会, 孵化器 ... */
	struct strlist key_strip;  /* dropped when comparing applicant names: 有限公司, 股份 ... */
	/* [replies] (optional; all or nothing): the template file of each reply
	 * kind as written (relative to the campaign file's directory), the line
	 * it was given on, and the display name of our From:. */
	char *reply_template[CAMPAIGN_REPLY_KINDS];
	unsigned reply_template_line[CAMPAIGN_REPLY_KINDS];
	char *reply_from_name;
	/* Content classification ([campaign] content_min_confidence, [names]
	 * generic and negative_content, [applicant] form_labels): */
	unsigned content_min_confidence; /* 0..100; below it no assignment (default 60) */
	struct strlist generic_names;    /* file-name words that say nothing: 扫描全能王, IMG ... */
	struct strlist negative_content; /* title words of texts that are no item: 通知, 发票 ... */
	struct strlist form_labels;      /* form cells naming the applicant: 单位名称, 基地名称 ... */
	/* The pre-check ([check PROGRAM] sections). */
	struct campaign_check *checks;
	size_t nchecks;
	bool check_affects_reply;        /* [campaign] check_affects_reply (default no) */
};

/*
 * Parse campaign text.  filename is used in messages only.  On error returns
 * -1 with "FILE:LINE: reason" in err.  Validation: ids unique, every item's
 * program known, deadline after opens, at least one program and county.
 */
int campaign_parse(const char *text, size_t len, const char *filename,
                   struct campaign **c_r, char *err, size_t errlen);
void campaign_free(struct campaign **c);

int campaign_program_index(const struct campaign *c, const char *key);
const struct campaign_item *campaign_item_by_id(const struct campaign *c, const char *id);
int campaign_county_index(const struct campaign *c, const char *id);
/* The [check] section of program prog, or NULL. */
const struct campaign_check *campaign_check_of(const struct campaign *c, int prog);

/* Source of summary column col (0-based) of program pr ("seq",
 * "applicant", ...), or NULL when staff fill it in. */
const char *campaign_summary_source(const struct campaign_program *pr, size_t col);

/* Parse RFC 3339 ("2023-05-19T23:59:59+08:00", also "Z", fraction ignored).
 * Returns 0 and the instant; -1 if malformed.  offset_min_r may be NULL. */
int campaign_parse_time(const char *s, time_t *t_r, int *offset_min_r);

/* Format t as RFC 3339 at the given offset: "2023-05-19T23:59:59+08:00". */
void campaign_format_time(time_t t, int offset_min, char *buf, size_t size);

#endif

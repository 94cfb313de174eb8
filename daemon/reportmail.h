/*
 * reportmail.h - the daily report as a mail for [report] recipients
 * (intakectl report --mail): one message, From [smtp] from, an RFC 2047
 * subject such as 【申报材料接收日报】2023年5月15日（截止还有4天）, our own
 * Message-ID, Date in the campaign's zone, Auto-Submitted: auto-generated
 * (RFC 3834), multipart/mixed holding a multipart/alternative (a short
 * text/plain summary, the self-contained HTML report) and the XLSX
 * attached with an RFC 2231 Chinese file name (and an RFC 2047 name= for
 * old clients).  Built with libetpan's MIME builder and reply.h's helpers;
 * sent directly by the caller (smtp.h), not through the reply outbox.
 */
#ifndef INTAKE_REPORTMAIL_H
#define INTAKE_REPORTMAIL_H

#include <stddef.h>
#include "config.h"
#include "report.h"

/* "[report] recipients": addresses separated by commas, semicolons or
 * white space; each must be a plain addr-spec (reply_sane_address()).
 * -1 with err naming the bad one, or saying there is none. */
int reportmail_recipients(const char *list, char ***v_r, size_t *n_r, char *err, size_t errlen);
void reportmail_recipients_free(char **v, size_t n);

struct reportmail {
	char *raw;             /* the whole message, CRLF */
	size_t len;
	char *subject;         /* as decoded */
	char *filename;        /* of the XLSX attachment */
	char message_id[256];  /* without <> */
	size_t xlsx_len, html_len;
};

/* Compose the mail of report r.  tmpdir: where the XLSX is written for a
 * moment (a private directory is made inside it and removed). */
int reportmail_compose(const struct report *r, const struct config *cfg, char *const *rcpts, size_t n,
                       const char *tmpdir, struct reportmail *m, char *err, size_t errlen);
void reportmail_free(struct reportmail *m);

#endif

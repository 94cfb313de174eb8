#include "triage.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool starts_with_ci(const char *s, const char *prefix)
{
	return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool subject_starts(const char *subject, const char *const *prefixes)
{
	const char *s = subject;

	if (!s)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	for (; *prefixes; prefixes++)
		if (starts_with_ci(s, *prefixes))
			return true;
	return false;
}

/* What QQ Mail, 163, Outlook, Exchange and Foxmail put in subjects of
 * automatic replies and non-delivery reports. */
static const char *const auto_subjects[] = {
	"自动回复", "Auto:", "Auto Reply", "AutoReply", "Automatic reply", "Out of Office",
	"Out-of-Office", "休假自动回复", "[自动回复]", "【自动回复】", NULL
};
static const char *const bounce_subjects[] = {
	"Undeliverable", "Undelivered Mail", "Delivery Status Notification", "Mail delivery failed",
	"Returned mail", "Delivery Failure", "系统退信", "退信", "邮件投递失败", "未能送达", NULL
};
static const char *const receipt_subjects[] = {
	"已读:", "已读：", "Read:", "已读回执", "Read receipt", NULL
};

const char *triage_message(const struct mime_info *in, const char **evidence_r)
{
	const char *from = in->from_addr;

	*evidence_r = NULL;
	if (in->has_disposition_notification || subject_starts(in->subject, receipt_subjects)) {
		*evidence_r = "阅读回执（disposition-notification）";
		return TRIAGE_READ_RECEIPT;
	}
	if ((in->top_type && strcmp(in->top_type, "multipart/report") == 0) ||
	    (in->return_path && in->return_path[0] == '\0') ||
	    (from && (starts_with_ci(from, "mailer-daemon@") || starts_with_ci(from, "postmaster@"))) ||
	    subject_starts(in->subject, bounce_subjects)) {
		*evidence_r = "退信（空的 Return-Path、MAILER-DAEMON 或 multipart/report）";
		return TRIAGE_BOUNCE;
	}
	if ((in->auto_submitted && strcasecmp(in->auto_submitted, "no") != 0) || in->x_autoreply ||
	    (in->precedence && strcasecmp(in->precedence, "auto_reply") == 0) ||
	    subject_starts(in->subject, auto_subjects)) {
		*evidence_r = "自动回复（Auto-Submitted、X-Autoreply 或“自动回复”主题）";
		return TRIAGE_AUTO_REPLY;
	}
	if (in->list_id || (in->precedence && (strcasecmp(in->precedence, "bulk") == 0 ||
	                                       strcasecmp(in->precedence, "list") == 0 ||
	                                       strcasecmp(in->precedence, "junk") == 0))) {
		*evidence_r = "邮件列表或群发邮件（List-Id / Precedence）";
		return TRIAGE_LIST;
	}
	return TRIAGE_SUBMISSION;
}

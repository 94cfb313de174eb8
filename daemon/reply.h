/*
 * reply.h - the one reply a recorded message gets: receipt (回执),
 * missing-items notice (补件通知), late notice (逾期通知) or error notice
 * (处理异常通知), composed from the campaign's templates, or the recorded
 * reason it gets none.
 *
 * The templates are named in the campaign's [replies] section (one file
 * per kind, "Subject: ..." on the first line, a blank line, then the
 * body; syntax in tmpl.h and intake-campaign(5)) and are parsed and checked
 * when the campaign is loaded.
 *
 * reply_record() runs inside the transaction that records the message
 * (ingest.c calls it just before committing): it renders the reply, builds
 * the MIME message (libetpan) with a Message-ID fixed now, and inserts it
 * into the outbox (replies.h), so a message is never recorded without its
 * reply or the reason it has none.
 */
#ifndef INTAKE_REPLY_H
#define INTAKE_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include "campaign.h"
#include "ingest.h"
#include "ledger.h"

struct reply_templates;

/* Read and check the campaign's templates (paths relative to the
 * directory of campaign_path).  *t_r = NULL when the campaign has no
 * [replies] section.  Errors name FILE:LINE. */
int reply_templates_load(const struct campaign *c, const char *campaign_path,
                         struct reply_templates **t_r, char *err, size_t errlen);
void reply_templates_free(struct reply_templates **t);

/*
 * Within the ingest transaction, after messages.reply holds the kind owed
 * (*reply_io, NULL for none): never answer our own mail, mail whose answer
 * would go to ourselves, or a recipient over [smtp] max_replies_per_day;
 * record why a message is not answered; compose and queue the reply.
 * *reply_io becomes NULL when the reply is withheld.  Composition needs
 * [smtp] from and the templates; without them the kind owed is recorded
 * and nothing is queued.
 */
int reply_record(struct ingest *in, long long msg, const char **reply_io, char *err, size_t errlen);

/* Our Message-IDs: "intake.<receipt>.<random>@<domain of [smtp] from>". */
bool reply_is_ours(const char *message_id, const char *from_addr);
/* A new one of ours (without <>): "intake.<tag>.<random>@<domain of from>". */
void reply_message_id(const char *tag, const char *from, char *buf, size_t size);

/* ---- helpers for other mail we compose (intakectl report --mail) ---- */

/* An addr-spec we are willing to write to: printable ASCII, one '@',
 * nothing that could end a header or an SMTP command. */
bool reply_sane_address(const char *a);
/* RFC 2047 encoded words (UTF-8, B) of at most max_word bytes of text
 * each, cut between characters, separated by one space (36 for a Subject,
 * LIBRARIES.md 5); plain short ASCII is returned as it is.  malloc'd. */
char *reply_encode_words(const char *s, size_t max_word);
/* LF -> CRLF (CRs dropped first), for a body to be base64-encoded. */
char *reply_crlf(const char *s, size_t *len_r);
/* Now, for a Date: header, in the campaign's zone (minutes east of UTC). */
struct mailimf_date_time;
struct mailimf_date_time *reply_date_now(int tz_min);
/* The header of a mail of ours: Date now (reply_date_now()), From
 * enc_name <from>, To each of to[0..nto), Message-ID <msgid>, In-Reply-To
 * irt and References refs (clists of malloc'd ids, or NULL), Subject
 * enc_subject.  enc_name, irt, refs and enc_subject are taken, also when
 * it fails.  NULL when out of memory. */
struct mailimf_fields;
struct clist_s;
struct mailimf_fields *reply_fields(int tz_min, char *enc_name, const char *from, const char *const *to,
                                    size_t nto, const char *msgid, struct clist_s *irt, struct clist_s *refs,
                                    char *enc_subject);
/* A text part (type "text/plain" or "text/html"), UTF-8, base64; text is
 * not copied and must live until the message is written. */
struct mailmime;
struct mailmime *reply_text_part(const char *type, char *text, size_t len);
/* msg written out, malloc'd and NUL-terminated, its length in *len_r; NULL
 * when out of memory. */
char *reply_write_mime(struct mailmime *msg, size_t *len_r);

/* ---- updated replies: intakectl assign FILE ITEM --notify ---- */

#define REPLY_UPDATE_MARK "（更正）"

/* The message whose reply a correction of file updates: the latest
 * message of the file's dossier, else the file's own message (a county
 * paper).  *msg_r = 0 when there is no such file. */
int reply_update_target(struct ledger *l, long long file, long long *msg_r);

/* Whether msg may get an updated reply: 0 with *why_r NULL when it may, 0
 * with *why_r (malloc'd, Chinese with an English hint) when it may not: not
 * a submission, owed no reply (no_reply_reason), late, never answered, no
 * templates or [smtp] from.  -1 on a ledger error. */
int reply_update_check(struct ingest *in, long long msg, char **why_r);

struct reply_update_result {
	long long reply;       /* the new row in replies */
	long long message, update_of;
	const char *kind;      /* receipt or missing-items, as the message stands now */
	char message_id[256];  /* ours, without <> */
	char recipient[256];
};
/*
 * Inside the caller's transaction, after a staff correction: compose the
 * reply msg would get now (receipt when its dossiers are complete,
 * missing-items otherwise) from the same templates, marked as an update
 * (subject prefixed with REPLY_UPDATE_MARK, a first paragraph saying the
 * bureau re-examined the files and which reply it replaces), with a new
 * Message-ID, In-Reply-To/References to the county's message and
 * X-Intake-Update-Of naming the original reply; queue it in the outbox as
 * a new row (update_of = the original, which stays on record).  0 with
 * *why_r set when none is owed (as reply_update_check()).
 */
int reply_update(struct ingest *in, long long msg, struct reply_update_result *res,
                 char **why_r, char *err, size_t errlen);

#endif

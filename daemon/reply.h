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

#endif

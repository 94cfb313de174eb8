#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "replies.h"
#include "smtp.h"

/* Next try after attempts failures: retry_seconds, doubled each time, at
 * most CONFIG_SMTP_RETRY_MAX. */
static time_t backoff(const struct config_mail *m, int attempts)
{
	time_t d = m->retry_seconds ? m->retry_seconds : CONFIG_SMTP_RETRY_SECONDS;

	for (int i = 1; i < attempts && d < CONFIG_SMTP_RETRY_MAX; i++)
		d *= 2;
	return d < CONFIG_SMTP_RETRY_MAX ? d : CONFIG_SMTP_RETRY_MAX;
}

static bool given_up(const struct config_mail *m, const struct replies_row *r, time_t now)
{
	return now - r->created_at >= (time_t)m->give_up_hours * 3600;
}

/* A temporary failure: queued again, or failed once we have tried long
 * enough.  Returns -1 on a ledger error. */
static int defer(struct app *a, const struct replies_row *r, time_t now, const char *why,
                 bool counted, struct outbox_stats *st)
{
	const struct config_mail *m = &a->cfg->smtp;
	struct ledger *l = a->ledger;
	int attempts = r->attempts + (counted ? 0 : 1);

	if (given_up(m, r, now)) {
		char *msg = NULL;
		if (asprintf(&msg, "%u 小时内未能发出，已放弃：%s", m->give_up_hours, why) < 0)
			return -1;
		if ((!counted && replies_note_attempt(l, r->id, now, now, why) != 0) ||
		    replies_mark_failed(l, r->id, msg) != 0) {
			free(msg);
			return -1;
		}
		free(msg);
		st->failed++;
		return 0;
	}
	st->deferred++;
	if (counted)
		return replies_mark_retry(l, r->id, now + backoff(m, attempts), why);
	return replies_note_attempt(l, r->id, now, now + backoff(m, attempts), why);
}

int outbox_flush_stats(struct app *a, bool force, struct outbox_stats *st, char *err, size_t errlen)
{
	struct ledger *l = a->ledger;
	struct smtp_session *s = NULL;
	long long *ids = NULL;
	size_t n = 0, i = 0;
	time_t now = time(NULL);
	char why[512];
	int ret = -1;

	memset(st, 0, sizeof(*st));
	if (replies_due(l, now, force, &ids, &n) != 0) {
		snprintf(err, errlen, "ledger: %s", ledger_errmsg(l));
		return -1;
	}
	if (n == 0) {
		free(ids);
		return 0;
	}
	if (smtp_open(&a->cfg->smtp, &s, why, sizeof(why)) != 0) {
		/* Nothing was said to anyone: every due reply waits, and shows why. */
		for (i = 0; i < n; i++) {
			struct replies_row r;
			if (replies_get(l, ids[i], &r) != 0)
				goto sqlerr;
			if (defer(a, &r, now, why, false, st) != 0) {
				replies_row_free(&r);
				goto sqlerr;
			}
			replies_row_free(&r);
		}
		snprintf(err, errlen, "%s", why);
		goto out;
	}
	for (i = 0; i < n && smtp_alive(s); i++) {
		struct replies_row r;
		enum smtp_outcome o;
		int rr;

		if (replies_get(l, ids[i], &r) != 0)
			goto sqlerr;
		/* Intent first: a crash after the server took it leaves
		 * "sending", and the next flush sends the same bytes again. */
		now = time(NULL);
		if (replies_mark_sending(l, r.id, now) != 0) {
			replies_row_free(&r);
			goto sqlerr;
		}
		r.attempts++;
		o = smtp_send(s, r.env_from, r.recipient, r.raw, r.raw_len, why, sizeof(why));
		/* The backoff counts from the attempt (last_attempt_at), the
		 * sent time is when the server took it. */
		switch (o) {
		case SMTP_SENT:
			rr = replies_mark_sent(l, r.id, time(NULL));
			st->sent++;
			break;
		case SMTP_PERMFAIL:
			rr = replies_mark_failed(l, r.id, why);
			st->failed++;
			break;
		default:
			rr = defer(a, &r, now, why, true, st);
			break;
		}
		replies_row_free(&r);
		if (rr != 0)
			goto sqlerr;
	}
	/* The session broke: the rest were not tried and stay as they are. */
	st->deferred += (unsigned)(n - i);
	ret = 0;
	goto out;
sqlerr:
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(l));
out:
	smtp_close(&s);
	free(ids);
	return ret;
}

int outbox_flush(struct app *a, unsigned *sent, unsigned *failed, char *err, size_t errlen)
{
	struct outbox_stats st;
	int r = outbox_flush_stats(a, false, &st, err, errlen);

	*sent = st.sent;
	*failed = st.failed;
	return r;
}

static json_t *time_or_null(const struct app *a, sqlite3_stmt *st, int i)
{
	char buf[64];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	campaign_format_time((time_t)sqlite3_column_int64(st, i), a->camp->tz_offset_min, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *text_or_null(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? json_string(s) : json_null();
}

json_t *outbox_list(struct app *a)
{
	sqlite3_stmt *st;
	json_t *out = json_array();

	if (sqlite3_prepare_v2(ledger_db(a->ledger),
		"SELECT id, message, kind, recipient, subject, message_id, receipt_no, state, attempts,"
		" created_at, next_attempt_at, last_attempt_at, sent_at, last_error, update_of FROM replies ORDER BY id",
		-1, &st, NULL) != SQLITE_OK) {
		json_decref(out);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();
		bool queued = strcmp((const char *)sqlite3_column_text(st, 7), "queued") == 0;
		json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(o, "message", json_integer(sqlite3_column_int64(st, 1)));
		json_object_set_new(o, "kind", text_or_null(st, 2));
		json_object_set_new(o, "recipient", text_or_null(st, 3));
		json_object_set_new(o, "subject", text_or_null(st, 4));
		json_object_set_new(o, "message_id", text_or_null(st, 5));
		json_object_set_new(o, "receipt_no", text_or_null(st, 6));
		json_object_set_new(o, "state", text_or_null(st, 7));
		json_object_set_new(o, "attempts", json_integer(sqlite3_column_int(st, 8)));
		json_object_set_new(o, "created_at", time_or_null(a, st, 9));
		json_object_set_new(o, "next_attempt_at", queued ? time_or_null(a, st, 10) : json_null());
		json_object_set_new(o, "last_attempt_at", time_or_null(a, st, 11));
		json_object_set_new(o, "sent_at", time_or_null(a, st, 12));
		json_object_set_new(o, "last_error", text_or_null(st, 13));
		json_object_set_new(o, "update_of", sqlite3_column_type(st, 14) == SQLITE_NULL ? json_null() :
		                    json_integer(sqlite3_column_int64(st, 14)));
		json_array_append_new(out, o);
	}
	sqlite3_finalize(st);
	return out;
}

static const char *state_zh(const char *s)
{
	if (!s) return "-";
	if (strcmp(s, "queued") == 0) return "待发送";
	if (strcmp(s, "sending") == 0) return "发送中（中断后将重发）";
	if (strcmp(s, "sent") == 0) return "已发送";
	if (strcmp(s, "failed") == 0) return "发送失败";
	return s;
}

int outbox_print(FILE *out, const json_t *replies)
{
	size_t i;
	json_t *r;

	json_array_foreach(replies, i, r) {
		const char *err = json_string_value(json_object_get(r, "last_error"));
		const char *next = json_integer_value(json_object_get(r, "attempts")) > 0 ?
		                   json_string_value(json_object_get(r, "next_attempt_at")) : NULL;
		json_t *upd = json_object_get(r, "update_of");
		char upd_s[48] = "";

		if (json_is_integer(upd))
			snprintf(upd_s, sizeof(upd_s), "（更正 #%lld）", (long long)json_integer_value(upd));
		fprintf(out, "#%lld 来信#%lld | %s%s | %s | %s | 尝试 %lld 次%s%s\n",
		        (long long)json_integer_value(json_object_get(r, "id")),
		        (long long)json_integer_value(json_object_get(r, "message")),
		        query_reply_zh(json_string_value(json_object_get(r, "kind"))), upd_s,
		        json_string_value(json_object_get(r, "recipient")),
		        state_zh(json_string_value(json_object_get(r, "state"))),
		        (long long)json_integer_value(json_object_get(r, "attempts")),
		        next ? "，下次 " : "", next ? next : "");
		fprintf(out, "    %s\n", json_string_value(json_object_get(r, "subject")));
		if (err)
			fprintf(out, "    最近错误：%s\n", err);
	}
	if (json_array_size(replies) == 0)
		fputs("尚无回复。\n", out);
	return 0;
}

#include "query.h"

#include <stdlib.h>
#include <string.h>

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Times are shown in the campaign's zone (Beijing time), whatever offset
 * the server stamped them with (the ledger keeps that one). */
static json_t *time_json(const struct campaign *c, time_t t, int offset)
{
	char buf[64];

	(void)offset;
	campaign_format_time(t, c->tz_offset_min, buf, sizeof(buf));
	return json_string(buf);
}

sqlite3_stmt *query_prepare(struct ledger *l, const char *sql, long long v)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(ledger_db(l), sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, v);
	return st;
}

static json_t *id_array(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *county_name(const struct campaign *c, const char *id)
{
	int i = id ? campaign_county_index(c, id) : -1;

	return i >= 0 ? c->counties[i].name : NULL;
}

static json_t *dossier_files(struct ledger *l, long long d)
{
	sqlite3_stmt *st;
	json_t *a = json_array();

	st = query_prepare(l,
		"SELECT f.id, f.name, f.path, a.item, f.mime, f.kind, f.size, f.sha256, f.message, a.evidence, a.by,"
		" m.files_purged_at IS NOT NULL, f.container"
		" FROM files f JOIN messages m ON m.id = f.message"
		" LEFT JOIN assignments a ON a.file = f.id AND a.current = 1"
		/* An opened archive is its entries; one that could not be read
		 * whole was kept as sent and is listed (worker.c, REC_KEPT). */
		" WHERE f.dossier = ? AND f.ignored = 0 AND NOT " LEDGER_OPENED_ARCHIVE
		" ORDER BY f.message, f.seq", d);
	if (!st)
		return a;
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *f = json_object();
		json_object_set_new(f, "id", json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(f, "name", json_string(col_text(st, 1)));
		json_object_set_new(f, "path", json_string(col_text(st, 2)));
		json_object_set_new(f, "item", str_or_null(col_text(st, 3)));
		json_object_set_new(f, "mime", json_string(col_text(st, 4)));
		json_object_set_new(f, "kind", json_string(col_text(st, 5)));
		json_object_set_new(f, "size", json_integer(sqlite3_column_int64(st, 6)));
		json_object_set_new(f, "sha256", json_string(col_text(st, 7)));
		json_object_set_new(f, "message", json_integer(sqlite3_column_int64(st, 8)));
		json_object_set_new(f, "evidence", str_or_null(col_text(st, 9)));
		json_object_set_new(f, "assigned_by", str_or_null(col_text(st, 10)));
		/* The bytes are gone (retention_days); the row stays. */
		json_object_set_new(f, "purged", json_boolean(sqlite3_column_int(st, 11)));
		/* An attached archive not read whole, kept as sent. */
		json_object_set_new(f, "kept_archive", json_boolean(sqlite3_column_int(st, 12)));
		json_array_append_new(a, f);
	}
	sqlite3_finalize(st);
	return a;
}

json_t *query_dossiers(struct ledger *l, const struct campaign *c)
{
	sqlite3 *db = ledger_db(l);
	sqlite3_stmt *st = NULL, *ms = NULL;
	json_t *out = json_array();

	if (sqlite3_prepare_v2(db,
		"SELECT d.id, d.program, d.applicant, d.county, m.sender, m.late, d.paper_received,"
		" (SELECT received_at FROM messages m2 JOIN message_dossiers md ON md.message = m2.id"
		"   WHERE md.dossier = d.id ORDER BY m2.id DESC LIMIT 1),"
		" (SELECT received_offset FROM messages m2 JOIN message_dossiers md ON md.message = m2.id"
		"   WHERE md.dossier = d.id ORDER BY m2.id DESC LIMIT 1),"
		" m.received_at, m.received_offset"
		" FROM dossiers d JOIN messages m ON m.id = d.first_message ORDER BY d.id",
		-1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT message FROM message_dossiers WHERE dossier = ? ORDER BY message",
		-1, &ms, NULL) != SQLITE_OK)
		goto fail;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *prog = col_text(st, 1), *county = col_text(st, 3);
		struct ledger_items it;
		json_t *o = json_object(), *msgs = json_array();
		int pi = campaign_program_index(c, prog);

		if (ledger_dossier_state(l, c, id, 0, &it) != 0)
			goto fail;
		json_object_set_new(o, "id", json_integer(id));
		json_object_set_new(o, "program", pi >= 0 ? json_string(prog) : json_null());
		json_object_set_new(o, "program_title", pi >= 0 ? json_string(c->programs[pi].title) : json_null());
		json_object_set_new(o, "applicant", json_string(col_text(st, 2)));
		json_object_set_new(o, "county", county && *county ? json_string(county) : json_null());
		json_object_set_new(o, "county_name", str_or_null(county_name(c, county)));
		json_object_set_new(o, "sender", str_or_null(col_text(st, 4)));
		json_object_set_new(o, "received_at", time_json(c, (time_t)sqlite3_column_int64(st, 7), sqlite3_column_int(st, 8)));
		json_object_set_new(o, "first_received_at", time_json(c, (time_t)sqlite3_column_int64(st, 9), sqlite3_column_int(st, 10)));
		json_object_set_new(o, "late", json_boolean(sqlite3_column_int(st, 5)));
		json_object_set_new(o, "complete", json_boolean(pi >= 0 && it.nmissing == 0));
		json_object_set_new(o, "present", id_array(it.present, it.npresent));
		json_object_set_new(o, "missing", id_array(it.missing, it.nmissing));
		json_object_set_new(o, "paper_received", json_boolean(sqlite3_column_int(st, 6)));
		json_object_set_new(o, "files", dossier_files(l, id));
		sqlite3_reset(ms);
		sqlite3_bind_int64(ms, 1, id);
		while (sqlite3_step(ms) == SQLITE_ROW)
			json_array_append_new(msgs, json_integer(sqlite3_column_int64(ms, 0)));
		json_object_set_new(o, "messages", msgs);
		ledger_items_free(&it);
		json_array_append_new(out, o);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ms);
	return out;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(ms);
	json_decref(out);
	return NULL;
}

json_t *query_submissions(struct ledger *l, const struct campaign *c)
{
	sqlite3 *db = ledger_db(l);
	sqlite3_stmt *st = NULL, *ds = NULL, *ps = NULL;
	json_t *out = json_array();

	if (sqlite3_prepare_v2(db,
		"SELECT id, message_id, sender, county, received_at, received_offset, late, reply,"
		" subject, sha256, kind, kind_evidence, sender_display, received_source, county_evidence,"
		" sender_verified, supplement, date_header, no_reply_reason, files_purged_at"
		" FROM messages ORDER BY id", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT dossier FROM message_dossiers WHERE message = ? ORDER BY dossier",
		-1, &ds, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT kind, subject, reason, file FROM problems WHERE message = ? ORDER BY id",
		-1, &ps, NULL) != SQLITE_OK)
		goto fail;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *county = col_text(st, 3), *status = NULL;
		json_t *o = json_object(), *dl = json_array(), *pr = json_array(), *pd = json_array();
		struct ledger_items ci;

		if (ledger_message_status(l, c, id, &status) != 0 ||
		    ledger_county_state(l, c, county, id, &ci) != 0)
			goto fail;
		json_object_set_new(o, "id", json_integer(id));
		json_object_set_new(o, "message_id", str_or_null(col_text(st, 1)));
		json_object_set_new(o, "sha256", json_string(col_text(st, 9)));
		json_object_set_new(o, "subject", str_or_null(col_text(st, 8)));
		json_object_set_new(o, "sender", str_or_null(col_text(st, 2)));
		json_object_set_new(o, "sender_display", str_or_null(col_text(st, 12)));
		json_object_set_new(o, "sender_verified", json_boolean(sqlite3_column_int(st, 15)));
		json_object_set_new(o, "county", county ? json_string(county) : json_null());
		json_object_set_new(o, "county_name", str_or_null(county_name(c, county)));
		json_object_set_new(o, "county_evidence", str_or_null(col_text(st, 14)));
		json_object_set_new(o, "received_at", time_json(c, (time_t)sqlite3_column_int64(st, 4), sqlite3_column_int(st, 5)));
		json_object_set_new(o, "received_source", json_string(col_text(st, 13)));
		json_object_set_new(o, "date_header", str_or_null(col_text(st, 17)));
		json_object_set_new(o, "late", json_boolean(sqlite3_column_int(st, 6)));
		json_object_set_new(o, "kind", json_string(col_text(st, 10)));
		json_object_set_new(o, "kind_evidence", str_or_null(col_text(st, 11)));
		json_object_set_new(o, "supplement", json_boolean(sqlite3_column_int(st, 16)));
		json_object_set_new(o, "status", json_string(status));
		sqlite3_reset(ds);
		sqlite3_bind_int64(ds, 1, id);
		while (sqlite3_step(ds) == SQLITE_ROW)
			json_array_append_new(dl, json_integer(sqlite3_column_int64(ds, 0)));
		json_object_set_new(o, "dossiers", dl);
		json_object_set_new(o, "county_present", id_array(ci.present, ci.npresent));
		json_object_set_new(o, "county_missing", county ? id_array(ci.missing, ci.nmissing)
		                                                : id_array(ci.missing, ci.nmissing));
		ledger_items_free(&ci);
		json_object_set_new(o, "reply", str_or_null(col_text(st, 7)));
		json_object_set_new(o, "no_reply_reason", str_or_null(col_text(st, 18)));
		json_object_set_new(o, "files_purged_at", sqlite3_column_type(st, 19) == SQLITE_NULL ?
		                    json_null() : time_json(c, (time_t)sqlite3_column_int64(st, 19), 0));
		sqlite3_reset(ps);
		sqlite3_bind_int64(ps, 1, id);
		while (sqlite3_step(ps) == SQLITE_ROW) {
			json_t *p = json_object();
			char *s = NULL;
			if (asprintf(&s, "%s: %s", col_text(ps, 0), col_text(ps, 2)) >= 0) {
				json_array_append_new(pr, json_string(s));
				free(s);
			}
			json_object_set_new(p, "kind", json_string(col_text(ps, 0)));
			json_object_set_new(p, "subject", str_or_null(col_text(ps, 1)));
			json_object_set_new(p, "reason", json_string(col_text(ps, 2)));
			json_object_set_new(p, "file", sqlite3_column_type(ps, 3) == SQLITE_NULL ? json_null()
			                                   : json_integer(sqlite3_column_int64(ps, 3)));
			json_array_append_new(pd, p);
		}
		json_object_set_new(o, "problems", pr);
		json_object_set_new(o, "problem_details", pd);
		json_array_append_new(out, o);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ds);
	sqlite3_finalize(ps);
	return out;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(ds);
	sqlite3_finalize(ps);
	json_decref(out);
	return NULL;
}

const char *query_status_zh(const char *s)
{
	if (!s)
		return "-";
	if (strcmp(s, "accepted") == 0) return "材料齐全，已受理";
	if (strcmp(s, "incomplete") == 0) return "材料不全";
	if (strcmp(s, "late") == 0) return "逾期";
	if (strcmp(s, "rejected") == 0) return "无法读取";
	if (strcmp(s, "ignored") == 0) return "非申报邮件，不处理";
	return s;
}

const char *query_reply_zh(const char *r)
{
	if (!r)
		return "不回复";
	if (strcmp(r, "receipt") == 0) return "回执（receipt）";
	if (strcmp(r, "missing-items") == 0) return "补件通知（missing-items）";
	if (strcmp(r, "late-notice") == 0) return "逾期通知（late-notice）";
	if (strcmp(r, "error-notice") == 0) return "处理异常通知（error-notice）";
	return r;
}

static void print_ids(FILE *out, const json_t *a)
{
	size_t i;
	json_t *v;

	if (json_array_size(a) == 0) {
		fputs("无", out);
		return;
	}
	json_array_foreach(a, i, v)
		fprintf(out, "%s%s", i ? "," : "", json_string_value(v));
}

int query_print_dossiers(FILE *out, const json_t *dossiers, const struct campaign *c)
{
	size_t i;
	json_t *d;

	(void)c;
	json_array_foreach(dossiers, i, d) {
		const char *cn = json_string_value(json_object_get(d, "county_name"));
		const char *pt = json_string_value(json_object_get(d, "program_title"));
		fprintf(out, "#%lld %s | %s | %s | %s%s\n",
		        (long long)json_integer_value(json_object_get(d, "id")),
		        cn ? cn : "未知县区", pt ? pt : "类别未定",
		        json_string_value(json_object_get(d, "applicant")),
		        json_is_true(json_object_get(d, "complete")) ? "材料齐全" : "材料不全",
		        json_is_true(json_object_get(d, "late")) ? "（逾期）" : "");
		fputs("    已收：", out);
		print_ids(out, json_object_get(d, "present"));
		fputs("\n    缺少：", out);
		print_ids(out, json_object_get(d, "missing"));
		fputc('\n', out);
	}
	if (json_array_size(dossiers) == 0)
		fputs("尚无申报材料。\n", out);
	return 0;
}

int query_print_submissions(FILE *out, const json_t *subs, const struct campaign *c)
{
	size_t i, j;
	json_t *s, *p;

	(void)c;
	json_array_foreach(subs, i, s) {
		const char *cn = json_string_value(json_object_get(s, "county_name"));
		const char *reply = json_string_value(json_object_get(s, "reply"));
		fprintf(out, "#%lld %s | %s | %s%s | %s | 应回复：%s\n",
		        (long long)json_integer_value(json_object_get(s, "id")),
		        json_string_value(json_object_get(s, "received_at")),
		        cn ? cn : "未知县区",
		        json_string_value(json_object_get(s, "sender")) ? json_string_value(json_object_get(s, "sender")) : "-",
		        json_is_false(json_object_get(s, "sender_verified")) ? "（未登记的发件地址）" : "",
		        query_status_zh(json_string_value(json_object_get(s, "status"))), query_reply_zh(reply));
		if (!reply && json_string_value(json_object_get(s, "no_reply_reason")))
			fprintf(out, "    不回复的原因：%s\n", json_string_value(json_object_get(s, "no_reply_reason")));
		if (json_is_string(json_object_get(s, "files_purged_at")))
			fprintf(out, "    提取文件已按保存期限删除（purged by retention policy）：%s\n",
			        json_string_value(json_object_get(s, "files_purged_at")));
		json_array_foreach(json_object_get(s, "problem_details"), j, p)
			fprintf(out, "    问题[%s] %s\n", json_string_value(json_object_get(p, "kind")),
			        json_string_value(json_object_get(p, "reason")));
	}
	if (json_array_size(subs) == 0)
		fputs("尚未收到邮件。\n", out);
	return 0;
}

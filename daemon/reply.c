#include "reply.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>
#include <libetpan/libetpan.h>

#include "app.h"
#include "query.h"
#include "replies.h"
#include "tmpl.h"
#include "triage.h"

/* ---- what templates may say ---- */

static const struct tmpl_field item_fields[] = {
	{ "id", TMPL_TEXT, NULL },          /* B05 */
	{ "number", TMPL_TEXT, NULL },      /* 5, or the id when the notice gives none */
	{ "title", TMPL_TEXT, NULL },       /* as in the notice's 申报目录 */
	{ "short", TMPL_TEXT, NULL },
	{ NULL, TMPL_TEXT, NULL }
};

static const struct tmpl_field file_fields[] = {
	{ "name", TMPL_TEXT, NULL },        /* path inside archives, as the county named it */
	{ "sha256", TMPL_TEXT, NULL },
	{ "size", TMPL_TEXT, NULL },        /* bytes */
	{ "item_id", TMPL_TEXT, NULL },     /* empty when not recognised */
	{ "item_number", TMPL_TEXT, NULL },
	{ "item_title", TMPL_TEXT, NULL },
	{ "item_short", TMPL_TEXT, NULL },
	{ "recognised", TMPL_FLAG, NULL },
	{ NULL, TMPL_TEXT, NULL }
};

static const struct tmpl_field problem_fields[] = {
	{ "text", TMPL_TEXT, NULL },
	{ NULL, TMPL_TEXT, NULL }
};

static const struct tmpl_field dossier_fields[] = {
	{ "applicant", TMPL_TEXT, NULL },
	{ "program", TMPL_TEXT, NULL },       /* 中小微企业创新创业基地, or empty */
	{ "annex", TMPL_TEXT, NULL },         /* 附件1 */
	{ "program_known", TMPL_FLAG, NULL },
	{ "complete", TMPL_FLAG, NULL },
	{ "completed_now", TMPL_FLAG, NULL }, /* this message made it complete */
	{ "earlier", TMPL_FLAG, NULL },       /* the dossier existed before this message */
	{ "present", TMPL_LIST, item_fields },
	{ "missing", TMPL_LIST, item_fields },
	{ "files", TMPL_LIST, file_fields },  /* its files in this message */
	{ NULL, TMPL_TEXT, NULL }
};

static const struct tmpl_field top_fields[] = {
	{ "issuer", TMPL_TEXT, NULL },
	{ "office", TMPL_TEXT, NULL },
	{ "notice_ref", TMPL_TEXT, NULL },
	{ "campaign_title", TMPL_TEXT, NULL },
	{ "from_name", TMPL_TEXT, NULL },
	{ "deadline", TMPL_TEXT, NULL },        /* 2023年5月19日 23:59:59, campaign time zone */
	{ "late_reply_days", TMPL_TEXT, NULL },
	{ "receipt_no", TMPL_TEXT, NULL },
	{ "received_at", TMPL_TEXT, NULL },     /* campaign time zone (Beijing time) */
	{ "today", TMPL_TEXT, NULL },           /* 2023年5月10日 */
	{ "recipient_name", TMPL_TEXT, NULL },  /* county name, else display name, else address */
	{ "county_name", TMPL_TEXT, NULL },
	{ "sender", TMPL_TEXT, NULL },
	{ "subject", TMPL_TEXT, NULL },         /* theirs */
	{ "their_message_id", TMPL_TEXT, NULL },
	{ "supplement", TMPL_FLAG, NULL },
	{ "completes", TMPL_FLAG, NULL },       /* some dossier became complete with it */
	{ "has_missing", TMPL_FLAG, NULL },
	{ "has_problems", TMPL_FLAG, NULL },
	{ "has_dossiers", TMPL_FLAG, NULL },
	{ "has_county_present", TMPL_FLAG, NULL },
	{ "has_county_missing", TMPL_FLAG, NULL },
	{ "has_county_files", TMPL_FLAG, NULL },
	{ "has_archives", TMPL_FLAG, NULL },
	{ "file_count", TMPL_TEXT, NULL },
	{ "dossiers", TMPL_LIST, dossier_fields },
	{ "county_present", TMPL_LIST, item_fields },
	{ "county_missing", TMPL_LIST, item_fields },
	{ "county_files", TMPL_LIST, file_fields }, /* files outside any dossier */
	{ "archives", TMPL_LIST, file_fields },     /* archives, also nested ones, as received */
	{ "problems", TMPL_LIST, problem_fields },
	{ NULL, TMPL_TEXT, NULL }
};

static const char *const kind_names[CAMPAIGN_REPLY_KINDS] = {
	[CAMPAIGN_REPLY_RECEIPT] = "receipt", [CAMPAIGN_REPLY_MISSING] = "missing-items",
	[CAMPAIGN_REPLY_LATE] = "late-notice", [CAMPAIGN_REPLY_ERROR] = "error-notice",
};

struct reply_templates {
	struct tmpl *subject[CAMPAIGN_REPLY_KINDS];
	struct tmpl *body[CAMPAIGN_REPLY_KINDS];
	char *from_name;
};

void reply_templates_free(struct reply_templates **tp)
{
	struct reply_templates *t = *tp;

	if (!t)
		return;
	for (int k = 0; k < CAMPAIGN_REPLY_KINDS; k++) {
		tmpl_free(&t->subject[k]);
		tmpl_free(&t->body[k]);
	}
	free(t->from_name);
	free(t);
	*tp = NULL;
}

/* "Subject: ...", a blank line, the body. */
static int load_one(struct reply_templates *t, int k, const char *path, const char *text,
                    size_t len, char *err, size_t errlen)
{
	const char *end, *nl, *subj, *body;
	size_t slen;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	end = text + len;
	if (len < 8 || strncasecmp(text, "Subject:", 8) != 0) {
		snprintf(err, errlen, "%s:1: the first line must be \"Subject: ...\"", path);
		return -1;
	}
	nl = memchr(text, '\n', len);
	subj = text + 8;
	slen = (size_t)((nl ? nl : end) - subj);
	while (slen && (*subj == ' ' || *subj == '\t')) {
		subj++;
		slen--;
	}
	while (slen && (subj[slen - 1] == '\r' || subj[slen - 1] == ' ' || subj[slen - 1] == '\t'))
		slen--;
	body = nl ? nl + 1 : end;
	if (body < end) {
		/* line 2 must be empty */
		if (!(*body == '\n' || (*body == '\r' && body + 1 < end && body[1] == '\n'))) {
			snprintf(err, errlen, "%s:2: a blank line must follow the Subject line", path);
			return -1;
		}
		body = (const char *)memchr(body, '\n', (size_t)(end - body)) + 1;
	}
	if (tmpl_parse(subj, slen, path, 1, top_fields, &t->subject[k], err, errlen) != 0)
		return -1;
	return tmpl_parse(body, (size_t)(end - body), path, 3, top_fields, &t->body[k], err, errlen);
}

int reply_templates_load(const struct campaign *c, const char *campaign_path,
                         struct reply_templates **t_r, char *err, size_t errlen)
{
	struct reply_templates *t = NULL;
	char *dir = NULL, *slash;
	int ret = -1;

	*t_r = NULL;
	if (!c->reply_template[0])
		return 0;
	t = calloc(1, sizeof(*t));
	dir = strdup(campaign_path);
	if (!t || !dir || !(t->from_name = strdup(c->reply_from_name))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	for (int k = 0; k < CAMPAIGN_REPLY_KINDS; k++) {
		char *path = NULL, *text, rerr[512];
		size_t len;
		int r;

		if (asprintf(&path, "%s%s", c->reply_template[k][0] == '/' ? "" : dir,
		             c->reply_template[k]) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		text = app_read_file(path, TMPL_MAX_BYTES, &len, rerr, sizeof(rerr));
		if (!text) {
			snprintf(err, errlen, "%s:%u: template for %s: %s", campaign_path,
			         c->reply_template_line[k], kind_names[k], rerr);
			free(path);
			goto out;
		}
		r = load_one(t, k, path, text, len, err, errlen);
		free(text);
		free(path);
		if (r != 0)
			goto out;
	}
	*t_r = t;
	t = NULL;
	ret = 0;
out:
	reply_templates_free(&t);
	free(dir);
	return ret;
}

/* ---- small helpers ---- */

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static int kind_index(const char *kind)
{
	for (int k = 0; k < CAMPAIGN_REPLY_KINDS; k++)
		if (kind && strcmp(kind, kind_names[k]) == 0)
			return k;
	return -1;
}

/* "2023年5月10日 09:41:22" in the campaign's zone. */
static void zh_time(time_t t, int off_min, bool with_time, char *buf, size_t size)
{
	time_t local = t + (time_t)off_min * 60;
	struct tm tm;

	gmtime_r(&local, &tm);
	if (with_time)
		snprintf(buf, size, "%d年%d月%d日 %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, size, "%d年%d月%d日", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* An addr-spec we are willing to write to: printable ASCII, one '@',
 * nothing that could end a header or an SMTP command. */
bool reply_sane_address(const char *a)
{
	const char *at;

	if (!a || !*a || strlen(a) > 254)
		return false;
	at = strchr(a, '@');
	if (!at || at == a || !at[1] || strchr(at + 1, '@'))
		return false;
	for (const char *q = a; *q; q++) {
		unsigned char ch = (unsigned char)*q;
		if (ch <= ' ' || ch >= 0x7f || strchr("<>()[],;:\\\"", ch))
			return false;
	}
	return true;
}

bool reply_is_ours(const char *message_id, const char *from_addr)
{
	const char *at = from_addr ? strrchr(from_addr, '@') : NULL;
	size_t n, dl;

	if (!message_id || !at)
		return false;
	if (*message_id == '<')
		message_id++;
	n = strlen(message_id);
	if (n && message_id[n - 1] == '>')
		n--;
	dl = strlen(at);
	return n > dl && strncasecmp(message_id, "intake.", 7) == 0 &&
	       strncasecmp(message_id + n - dl, at, dl) == 0;
}

static void set_item(struct tmpl_rec *r, const struct campaign *c, const char *id)
{
	const struct campaign_item *it = campaign_item_by_id(c, id);

	tmpl_set(r, "id", id);
	if (it && it->number)
		tmpl_setf(r, "number", "%u", it->number);
	else
		tmpl_set(r, "number", id);
	tmpl_set(r, "title", it ? it->title : id);
	tmpl_set(r, "short", it ? it->short_title : id);
}

static void add_items(struct tmpl_rec *r, const char *list, const struct campaign *c,
                      char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		set_item(tmpl_add_row(r, list), c, ids[i]);
}

static void set_file(struct tmpl_rec *r, const struct campaign *c, sqlite3_stmt *st)
{
	/* columns: name, sha256, size, item */
	const struct campaign_item *it = campaign_item_by_id(c, col(st, 3));

	tmpl_set(r, "name", col(st, 0));
	tmpl_set(r, "sha256", col(st, 1));
	tmpl_setf(r, "size", "%lld", (long long)sqlite3_column_int64(st, 2));
	tmpl_set(r, "item_id", it ? it->id : "");
	if (it && it->number)
		tmpl_setf(r, "item_number", "%u", it->number);
	else
		tmpl_set(r, "item_number", it ? it->id : "");
	tmpl_set(r, "item_title", it ? it->title : "");
	tmpl_set(r, "item_short", it ? it->short_title : "");
	tmpl_set_flag(r, "recognised", it != NULL);
}

static int add_files(struct ledger *l, struct tmpl_rec *r, const char *list,
                     const struct campaign *c, const char *sql, long long a, long long b)
{
	sqlite3_stmt *st;
	int rc;

	st = query_prepare(l, sql, a);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 2, b);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		set_file(tmpl_add_row(r, list), c, st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

#define FILE_COLS "f.name, f.sha256, f.size, a.item FROM files f" \
	" LEFT JOIN assignments a ON a.file = f.id AND a.current = 1"

/* ---- problems, as the county should read them ---- */

/* Problems that are ours to sort out, not the county's. */
static bool internal_problem(const char *kind)
{
	return strcmp(kind, "sender-unverified") == 0 || strcmp(kind, "unknown-county") == 0 ||
	       strcmp(kind, "duplicate-unit") == 0;
}

/* What a group of same-kind entries of one archive share. */
static const char *group_phrase(const char *kind)
{
	static const struct { const char *kind, *phrase; } t[] = {
		{ "archive-encrypted", "已加密，无法读取，请发送未加密的压缩包" },
		{ "path-refused", "路径越出压缩包目录或为绝对路径，已拒绝" },
		{ "link-refused", "是符号链接或硬链接，不是普通文件，已拒绝" },
		{ "special-refused", "是设备或特殊文件，已拒绝" },
		{ "unrecognised", "未能对应申报目录中的任何一项，请核对文件名" },
		{ "executable", "实际为可执行程序或脚本，不作为申报材料，已隔离" },
		{ "empty-file", "为空文件（0 字节）" },
		{ "type-mismatch", "的扩展名与实际内容不符" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].kind, kind) == 0)
			return t[i].phrase;
	return NULL;
}

#define GROUP_MAX_NAMES 20

struct prow {
	char *kind, *subject, *reason, *archive, *archive_path;
	long long file;
	bool container, used;
};

static int add_problems(struct ledger *l, struct tmpl_rec *top, long long msg, bool *any_r)
{
	sqlite3_stmt *st;
	struct prow *v = NULL;
	size_t n = 0;
	int rc, ret = -1;

	*any_r = false;
	st = query_prepare(l,
		"SELECT p.kind, p.subject, p.reason, p.file, f.container, f.name, f.path FROM problems p"
		" LEFT JOIN files f ON f.id = p.file WHERE p.message = ? ORDER BY p.id", msg);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct prow *nv;
		if (internal_problem(col(st, 0)))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*nv));
		if (!nv)
			break;
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		v[n].kind = strdup(col(st, 0));
		v[n].subject = strdup(col(st, 1));
		v[n].reason = strdup(col(st, 2));
		v[n].file = sqlite3_column_int64(st, 3);
		v[n].container = sqlite3_column_int(st, 4) != 0;
		v[n].archive = strdup(col(st, 5));
		v[n].archive_path = strdup(col(st, 6));
		n++;
		if (!v[n - 1].kind || !v[n - 1].subject || !v[n - 1].reason || !v[n - 1].archive ||
		    !v[n - 1].archive_path)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto out;
	for (size_t i = 0; i < n; i++) {
		size_t count = 0, shown = 0, plen;
		char *names = NULL, *text = NULL;
		const char *phrase;

		if (v[i].used)
			continue;
		for (size_t j = i; j < n; j++)
			if (!v[j].used && v[j].container && v[j].file == v[i].file &&
			    strcmp(v[j].kind, v[i].kind) == 0)
				count++;
		phrase = group_phrase(v[i].kind);
		if (!v[i].container || count < 2 || !phrase) {
			tmpl_set(tmpl_add_row(top, "problems"), "text", v[i].reason);
			v[i].used = true;
			continue;
		}
		/* One line per archive and kind: 12 encrypted entries are one
		 * problem with the county's 12 names, not 12 problems. */
		plen = strlen(v[i].archive_path);
		for (size_t j = i; j < n; j++) {
			const char *name;
			char *nn;
			if (v[j].used || !v[j].container || v[j].file != v[i].file ||
			    strcmp(v[j].kind, v[i].kind) != 0)
				continue;
			v[j].used = true;
			if (++shown > GROUP_MAX_NAMES)
				continue;
			name = v[j].subject;
			if (strncmp(name, v[i].archive_path, plen) == 0 && name[plen] == '/')
				name += plen + 1;
			if (asprintf(&nn, "%s%s“%s”", names ? names : "", names ? "、" : "", name) < 0)
				goto out;
			free(names);
			names = nn;
		}
		if (asprintf(&text, "压缩包“%s”中有 %zu 个文件%s：%s%s", v[i].archive, count, phrase,
		             names ? names : "", shown > GROUP_MAX_NAMES ? "等" : "") < 0) {
			free(names);
			goto out;
		}
		tmpl_set(tmpl_add_row(top, "problems"), "text", text);
		free(text);
		free(names);
	}
	*any_r = n > 0;
	ret = 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(v[i].kind);
		free(v[i].subject);
		free(v[i].reason);
		free(v[i].archive);
		free(v[i].archive_path);
	}
	free(v);
	return ret;
}

/* ---- the data a template sees ---- */

struct msgrow {
	char kind[32];
	char *kind_evidence, *sender, *sender_display, *reply_to, *message_id, *in_reply_to;
	char *subject, *county;
	time_t received_at;
	int received_offset;
	bool supplement;
};

static void msgrow_free(struct msgrow *m)
{
	free(m->kind_evidence);
	free(m->sender);
	free(m->sender_display);
	free(m->reply_to);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->subject);
	free(m->county);
	memset(m, 0, sizeof(*m));
}

static char *dup_or_null(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? strdup(s) : NULL;
}

static int load_message(struct ledger *l, long long msg, struct msgrow *m)
{
	sqlite3_stmt *st;
	int ret = -1;

	memset(m, 0, sizeof(*m));
	st = query_prepare(l,
		"SELECT kind, kind_evidence, sender, sender_display, reply_to, message_id, in_reply_to,"
		" subject, county, received_at, received_offset, supplement FROM messages WHERE id = ?", msg);
	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(m->kind, sizeof(m->kind), "%s", col(st, 0));
		m->kind_evidence = dup_or_null(st, 1);
		m->sender = dup_or_null(st, 2);
		m->sender_display = dup_or_null(st, 3);
		m->reply_to = dup_or_null(st, 4);
		m->message_id = dup_or_null(st, 5);
		m->in_reply_to = dup_or_null(st, 6);
		m->subject = dup_or_null(st, 7);
		m->county = dup_or_null(st, 8);
		m->received_at = (time_t)sqlite3_column_int64(st, 9);
		m->received_offset = sqlite3_column_int(st, 10);
		m->supplement = sqlite3_column_int(st, 11) != 0;
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

static int add_dossiers(struct ledger *l, const struct campaign *c, struct tmpl_rec *top,
                        long long msg, bool *completes_r, bool *missing_r)
{
	sqlite3_stmt *st;
	int rc, ret = -1;

	st = query_prepare(l,
		"SELECT d.id, d.program, d.applicant, d.first_message FROM message_dossiers md"
		" JOIN dossiers d ON d.id = md.dossier WHERE md.message = ? ORDER BY d.id", msg);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long d = sqlite3_column_int64(st, 0);
		int pi = campaign_program_index(c, col(st, 1));
		bool earlier = sqlite3_column_int64(st, 3) < msg, complete, was_complete = false;
		struct ledger_items it, before;
		struct tmpl_rec *r = tmpl_add_row(top, "dossiers");

		if (ledger_dossier_state(l, c, d, msg, &it) != 0)
			goto out;
		complete = pi >= 0 && it.nmissing == 0;
		if (earlier && complete) {
			if (ledger_dossier_state(l, c, d, msg - 1, &before) != 0) {
				ledger_items_free(&it);
				goto out;
			}
			was_complete = before.nmissing == 0;
			ledger_items_free(&before);
		}
		tmpl_set(r, "applicant", col(st, 2));
		tmpl_set(r, "program", pi >= 0 ? c->programs[pi].title : "");
		tmpl_set(r, "annex", pi >= 0 ? c->programs[pi].annex : "");
		tmpl_set_flag(r, "program_known", pi >= 0);
		tmpl_set_flag(r, "complete", complete);
		tmpl_set_flag(r, "completed_now", complete && earlier && !was_complete);
		tmpl_set_flag(r, "earlier", earlier);
		add_items(r, "present", c, it.present, it.npresent);
		add_items(r, "missing", c, it.missing, it.nmissing);
		if (complete && earlier && !was_complete)
			*completes_r = true;
		if (!complete)
			*missing_r = true;
		ledger_items_free(&it);
		if (add_files(l, r, "files", c, "SELECT " FILE_COLS " WHERE f.message = ?1 AND f.dossier = ?2"
		              " AND f.ignored = 0 AND f.container = 0 ORDER BY f.seq", msg, d) != 0)
			goto out;
	}
	ret = rc == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return ret;
}

static int count_of(struct ledger *l, const char *sql, long long msg, long long *n_r)
{
	sqlite3_stmt *st;
	int r;

	st = query_prepare(l, sql, msg);
	if (!st)
		return -1;
	r = sqlite3_step(st);
	*n_r = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : -1;
}

static struct tmpl_rec *build_data(struct ledger *l, const struct campaign *c, const char *from_name,
                                   long long msg, const struct msgrow *m, const char *receipt_no)
{
	struct tmpl_rec *top = tmpl_rec_new();
	struct ledger_items ci;
	char buf[64];
	bool completes = false, missing = false, problems = false;
	int county = m->county ? campaign_county_index(c, m->county) : -1;
	long long n = 0;

	if (!top)
		return NULL;
	tmpl_set(top, "issuer", c->issuer);
	tmpl_set(top, "office", c->office);
	tmpl_set(top, "notice_ref", c->notice_ref);
	tmpl_set(top, "campaign_title", c->title);
	tmpl_set(top, "from_name", from_name);
	zh_time(c->deadline, c->tz_offset_min, true, buf, sizeof(buf));
	tmpl_set(top, "deadline", buf);
	tmpl_setf(top, "late_reply_days", "%u", c->late_reply_days);
	tmpl_set(top, "receipt_no", receipt_no);
	zh_time(m->received_at, c->tz_offset_min, true, buf, sizeof(buf));
	tmpl_set(top, "received_at", buf);
	zh_time(time(NULL), c->tz_offset_min, false, buf, sizeof(buf));
	tmpl_set(top, "today", buf);
	tmpl_set(top, "county_name", county >= 0 ? c->counties[county].name : "");
	tmpl_set(top, "recipient_name", county >= 0 ? c->counties[county].name :
	         m->sender_display && *m->sender_display ? m->sender_display : m->sender);
	tmpl_set(top, "sender", m->sender);
	tmpl_set(top, "subject", m->subject && *m->subject ? m->subject : "（无主题）");
	tmpl_set(top, "their_message_id", m->message_id ? m->message_id : "");
	tmpl_set_flag(top, "supplement", m->supplement);
	if (add_dossiers(l, c, top, msg, &completes, &missing) != 0)
		goto fail;
	if (ledger_county_state(l, c, m->county, msg, &ci) != 0)
		goto fail;
	add_items(top, "county_present", c, ci.present, ci.npresent);
	add_items(top, "county_missing", c, ci.missing, ci.nmissing);
	tmpl_set_flag(top, "has_county_present", ci.npresent > 0);
	tmpl_set_flag(top, "has_county_missing", ci.nmissing > 0);
	if (ci.nmissing)
		missing = true;
	ledger_items_free(&ci);
	if (add_files(l, top, "county_files", c, "SELECT " FILE_COLS " WHERE f.message = ?1 AND f.dossier IS NULL"
	              " AND f.ignored = 0 AND f.container = 0 AND f.body_image = 0 ORDER BY f.seq",
	              msg, 0) != 0 ||
	    add_files(l, top, "archives", c, "SELECT " FILE_COLS " WHERE f.message = ?1"
	              " AND f.container = 1 ORDER BY f.seq", msg, 0) != 0)
		goto fail;
	if (add_problems(l, top, msg, &problems) != 0)
		goto fail;
	if (count_of(l, "SELECT count(*) FROM message_dossiers WHERE message = ?", msg, &n) != 0)
		goto fail;
	tmpl_set_flag(top, "has_dossiers", n > 0);
	if (count_of(l, "SELECT count(*) FROM files f WHERE message = ? AND dossier IS NULL AND ignored = 0"
	             " AND container = 0 AND body_image = 0", msg, &n) != 0)
		goto fail;
	tmpl_set_flag(top, "has_county_files", n > 0);
	if (count_of(l, "SELECT count(*) FROM files f WHERE message = ? AND container = 1",
	             msg, &n) != 0)
		goto fail;
	tmpl_set_flag(top, "has_archives", n > 0);
	if (count_of(l, "SELECT count(*) FROM files WHERE message = ? AND ignored = 0"
	             " AND container = 0 AND body_image = 0", msg, &n) != 0)
		goto fail;
	tmpl_setf(top, "file_count", "%lld", n);
	tmpl_set_flag(top, "completes", completes);
	tmpl_set_flag(top, "has_missing", missing);
	tmpl_set_flag(top, "has_problems", problems);
	return top;
fail:
	tmpl_rec_free(&top);
	return NULL;
}

/* ---- the message ---- */

/*
 * RFC 2047 encoded words of at most max_word bytes of UTF-8 each (36 for
 * unstructured text), cut between
 * characters, separated by a space (where libetpan folds; LIBRARIES.md 5).
 * Plain printable ASCII is left as it is.
 */
char *reply_encode_words(const char *s, size_t max_word)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), cap, used = 0;
	bool plain = n < 60;
	char *out;

	for (size_t i = 0; plain && i < n; i++)
		plain = (unsigned char)s[i] >= ' ' && (unsigned char)s[i] < 0x7f &&
		        !(s[i] == '=' && s[i + 1] == '?');
	if (plain)
		return strdup(s);
	cap = n / max_word * 64 + 64 + n * 2;   /* UNSAFE-checked: n is a rendered subject, bounded */
	out = malloc(cap);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t take = n - i < max_word ? n - i : max_word;
		/* back up to a character boundary */
		while (take < n - i && take > 0 && ((unsigned char)s[i + take] & 0xC0) == 0x80)
			take--;
		if (take == 0)
			take = n - i < max_word ? n - i : max_word;
		used += (size_t)snprintf(out + used, cap - used, "%s=?UTF-8?B?", used ? " " : "");
		for (size_t j = 0; j < take; j += 3) {
			uint32_t v = (uint32_t)(unsigned char)s[i + j] << 16;
			size_t left = take - j;
			if (left > 1)
				v |= (uint32_t)(unsigned char)s[i + j + 1] << 8;
			if (left > 2)
				v |= (unsigned char)s[i + j + 2];
			out[used++] = b64[v >> 18 & 63];
			out[used++] = b64[v >> 12 & 63];
			out[used++] = left > 1 ? b64[v >> 6 & 63] : '=';
			out[used++] = left > 2 ? b64[v & 63] : '=';
		}
		used += (size_t)snprintf(out + used, cap - used, "?=");
		i += take;
	}
	out[used] = '\0';
	return out;
}

/* Control characters (a CR or LF from a county's subject) become spaces. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			*s = ' ';
}

/* LF -> CRLF, dropping any CR already there. */
char *reply_crlf(const char *s, size_t *len_r)
{
	size_t n = strlen(s), lf = 0, j = 0;
	char *o;

	for (size_t i = 0; i < n; i++)
		lf += s[i] == '\n';
	o = malloc(n + lf + 1);   /* UNSAFE-checked: lf <= n */
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r')
			continue;
		if (s[i] == '\n')
			o[j++] = '\r';
		o[j++] = s[i];
	}
	o[j] = '\0';
	*len_r = j;
	return o;
}

struct mailimf_date_time *reply_date_now(int tz_min)
{
	time_t now = time(NULL), local = now + (time_t)tz_min * 60;
	struct tm tm;
	int zone;

	/* Date: in the campaign's zone, not the process's. */
	gmtime_r(&local, &tm);
	zone = (tz_min < 0 ? -1 : 1) * ((abs(tz_min) / 60) * 100 + abs(tz_min) % 60);
	return mailimf_date_time_new(tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour,
	                             tm.tm_min, tm.tm_sec, zone);
}

static void free_ids(clist *l)
{
	if (!l)
		return;
	for (clistiter *it = clist_begin(l); it; it = clist_next(it))
		free(clist_content(it));
	clist_free(l);
}

struct mailimf_fields *reply_fields(int tz_min, char *enc_name, const char *from, const char *const *to,
                                    size_t nto, const char *msgid, struct clist_s *irt, struct clist_s *refs,
                                    char *enc_subject)
{
	struct mailimf_date_time *dt = reply_date_now(tz_min);
	struct mailimf_mailbox_list *fl = mailimf_mailbox_list_new_empty();
	struct mailimf_address_list *tl = mailimf_address_list_new_empty();
	struct mailimf_fields *f = NULL;
	bool ok = dt && fl && tl && mailimf_mailbox_list_add(fl, mailimf_mailbox_new(enc_name, strdup(from))) == 0;

	if (ok)
		enc_name = NULL;
	for (size_t i = 0; ok && i < nto; i++)
		ok = mailimf_address_list_add_mb(tl, NULL, strdup(to[i])) == 0;
	if (ok)
		f = mailimf_fields_new_with_data_all(dt, fl, NULL, NULL, tl, NULL, NULL, strdup(msgid), irt, refs,
		                                     enc_subject);
	if (f)
		return f;
	if (dt)
		mailimf_date_time_free(dt);
	if (fl)
		mailimf_mailbox_list_free(fl);
	free(enc_name);
	if (tl)
		mailimf_address_list_free(tl);
	free_ids(irt);
	free_ids(refs);
	free(enc_subject);
	return NULL;
}

struct mailmime *reply_text_part(const char *type, char *text, size_t len)
{
	struct mailmime_content *ct = mailmime_content_new_with_str(type);
	struct mailmime_parameter *cs = mailmime_param_new_with_data("charset", "utf-8");
	struct mailmime_fields *mf = mailmime_fields_new_encoding(MAILMIME_MECHANISM_BASE64);
	struct mailmime *p = NULL;

	if (!ct || !cs || !mf || clist_append(ct->ct_parameters, cs) != 0)
		goto fail;
	cs = NULL;
	p = mailmime_new_empty(ct, mf);
	if (!p)
		goto fail;
	/* Not copied: text lives until after mailmime_write_mem(). */
	mailmime_set_body_text(p, text, len);
	return p;
fail:
	if (ct)
		mailmime_content_free(ct);
	if (cs)
		mailmime_parameter_free(cs);
	if (mf)
		mailmime_fields_free(mf);
	return NULL;
}


/* In-Reply-To and References of our answer to m (RFC 5322 3.6.4): theirs,
 * after their own References (we keep only their In-Reply-To of those).
 * Both NULL when m has no Message-ID; -1 when out of memory. */
static int thread_ids(const struct msgrow *m, clist **irt_r, clist **refs_r)
{
	clist *irt, *refs;

	*irt_r = *refs_r = NULL;
	if (!m->message_id || !*m->message_id)
		return 0;
	irt = clist_new();
	refs = clist_new();
	if (!irt || !refs || clist_append(irt, strdup(m->message_id)) != 0)
		goto fail;
	if (m->in_reply_to && *m->in_reply_to && strcmp(m->in_reply_to, m->message_id) != 0 &&
	    clist_append(refs, strdup(m->in_reply_to)) != 0)
		goto fail;
	if (clist_append(refs, strdup(m->message_id)) != 0)
		goto fail;
	*irt_r = irt;
	*refs_r = refs;
	return 0;
fail:
	free_ids(irt);
	free_ids(refs);
	return -1;
}

char *reply_write_mime(struct mailmime *msg, size_t *len_r)
{
	MMAPString *mm = mmap_string_new("");
	char *raw = NULL;
	int col = 0;

	if (!mm)
		return NULL;
	if (mailmime_write_mem(mm, &col, msg) == MAILIMF_NO_ERROR && (raw = malloc(mm->len + 1))) {
		memcpy(raw, mm->str, mm->len);
		raw[mm->len] = '\0';
		*len_r = mm->len;
	}
	mmap_string_free(mm);
	return raw;
}

struct composed {
	char *subject;         /* as rendered */
	char *raw;
	size_t raw_len;
};

static int build_mime(const struct msgrow *m, const char *from_name, const char *from,
                      const char *to, const char *msgid, const char *subject, const char *body,
                      const char *kind, const char *receipt_no, int tz_min, const char *updates,
                      struct composed *out, char *err, size_t errlen)
{
	struct mailimf_fields *f = NULL;
	struct mailmime *msg = NULL, *part = NULL;
	clist *irt = NULL, *refs = NULL;
	char *enc_subject = NULL, *enc_name = NULL, *text = NULL, *xr = NULL;
	size_t text_len = 0;
	int ret = -1;

	enc_subject = reply_encode_words(subject, 36);
	/* A display name in one word when it fits (45 bytes make 72
	 * characters): some parsers keep the space between two words of a
	 * phrase. */
	enc_name = reply_encode_words(from_name, 45);
	text = reply_crlf(body, &text_len);
	if (!enc_subject || !enc_name || !text)
		goto nomem;
	if (thread_ids(m, &irt, &refs) != 0)
		goto nomem;
	f = reply_fields(tz_min, enc_name, from, &to, 1, msgid, irt, refs, enc_subject);
	enc_name = NULL;
	enc_subject = NULL;
	if (!f)
		goto nomem;
	if (asprintf(&xr, "%s %s", kind, receipt_no) < 0)
		goto nomem;
	/* RFC 3834: we are an automatic responder; Exchange reads the other. */
	if (mailimf_fields_add(f, mailimf_field_new_custom(strdup("Auto-Submitted"), strdup("auto-replied"))) != 0 ||
	    mailimf_fields_add(f, mailimf_field_new_custom(strdup("X-Auto-Response-Suppress"), strdup("All"))) != 0 ||
	    mailimf_fields_add(f, mailimf_field_new_custom(strdup("X-Intake-Reply"), xr)) != 0)
		goto nomem;
	xr = NULL;
	/* An update names the reply it corrects (ours, so never a loop). */
	if (updates) {
		if (asprintf(&xr, "<%s>", updates) < 0)
			goto nomem;
		if (mailimf_fields_add(f, mailimf_field_new_custom(strdup("X-Intake-Update-Of"), xr)) != 0)
			goto nomem;
		xr = NULL;
	}
	part = reply_text_part("text/plain", text, text_len);
	if (!part)
		goto nomem;
	msg = mailmime_new_message_data(NULL);
	if (!msg)
		goto nomem;
	mailmime_set_imf_fields(msg, f);
	f = NULL;
	if (mailmime_smart_add_part(msg, part) != MAILIMF_NO_ERROR)
		goto nomem;
	part = NULL;
	out->raw = reply_write_mime(msg, &out->raw_len);
	out->subject = strdup(subject);
	if (!out->raw || !out->subject)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "composing the reply: out of memory");
	free(out->raw);
	free(out->subject);
	out->raw = out->subject = NULL;
out:
	if (f)
		mailimf_fields_free(f);
	free(enc_subject);
	free(enc_name);
	free(xr);
	if (msg)
		mailmime_free(msg);
	if (part)
		mailmime_free(part);
	free(text);
	return ret;
}

static void random_hex(char *buf, size_t size)
{
	unsigned char r[8];
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* No entropy source: time and pid still make it unique
			 * enough for a Message-ID. */
			uint64_t v = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)buf;
			memcpy(r, &v, sizeof(r));
			break;
		}
		got += (size_t)n;
	}
	snprintf(buf, size, "%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
	         r[6], r[7]);
}

void reply_message_id(const char *tag, const char *from, char *buf, size_t size)
{
	char rnd[20];
	const char *at = from ? strrchr(from, '@') : NULL;

	random_hex(rnd, sizeof(rnd));
	snprintf(buf, size, "intake.%s.%s%s", tag, rnd, at ? at : "@localhost");
}

/* Why a message gets no reply, given the kind owed is NULL. */
static char *why_not(const struct campaign *c, const struct msgrow *m)
{
	char *s = NULL, when[64];

	if (strcmp(m->kind, TRIAGE_SUBMISSION) != 0) {
		if (asprintf(&s, "%s，不回复，以免邮件循环", m->kind_evidence ? m->kind_evidence : m->kind) < 0)
			return NULL;
	} else if (m->received_at < c->opens) {
		zh_time(c->opens, c->tz_offset_min, false, when, sizeof(when));
		if (asprintf(&s, "收到时间早于申报通知发布（%s），不是本次申报的来信，不回复", when) < 0)
			return NULL;
	} else if (m->received_at > c->deadline) {
		if (asprintf(&s, "收到时间已超过截止时间 %u 天以上，不再发送逾期通知", c->late_reply_days) < 0)
			return NULL;
	} else {
		s = strdup("无需回复");
	}
	return s;
}

int reply_record(struct ingest *in, long long msg, const char **reply_io, char *err, size_t errlen)
{
	const struct campaign *c = in->camp;
	const struct config_mail *smtp = &in->cfg->smtp;
	const struct reply_templates *t = in->replies;
	struct ledger *l = in->ledger;
	struct msgrow m;
	struct tmpl_rec *data = NULL;
	struct composed comp = { NULL, NULL, 0 };
	char *reason = NULL, *subject = NULL, *body = NULL, receipt_no[96], msgid[256];
	const char *to;
	unsigned today = 0;
	int k, ret = -1;

	if (load_message(l, msg, &m) != 0) {
		snprintf(err, errlen, "ledger: message %lld: %s", msg, ledger_errmsg(l));
		return -1;
	}
	to = m.reply_to && reply_sane_address(m.reply_to) ? m.reply_to : m.sender;
	if (reply_is_ours(m.message_id, smtp->from)) {
		reason = strdup("本系统自己发出的回复邮件，不回复");
	} else if (*reply_io && smtp->from && to && strcasecmp(to, smtp->from) == 0) {
		reason = strdup("回复地址是本局自己的邮箱，不回复");
	} else if (!*reply_io) {
		reason = why_not(c, &m);
	} else if (!reply_sane_address(to)) {
		reason = strdup("来信没有可用的回复地址（From / Reply-To），无法回复");
	} else {
		if (replies_count_day(l, to, m.received_at, &today) != 0)
			goto sqlerr;
		if (today >= smtp->max_replies_per_day &&
		    asprintf(&reason, "24 小时内已向 %s 自动回复 %u 封，达到上限（max_replies_per_day = %u），不再回复",
		             to, today, smtp->max_replies_per_day) < 0)
			goto nomem;
	}
	if (reason || !*reply_io) {
		if (!reason)
			goto nomem;
		if (*reply_io && ledger_set_reply(l, msg, NULL) != 0)
			goto sqlerr;
		*reply_io = NULL;
		if (replies_set_no_reply(l, msg, reason) != 0)
			goto sqlerr;
		ret = 0;
		goto out;
	}
	k = kind_index(*reply_io);
	if (!t || !smtp->from || k < 0) {
		/* Nothing to compose with: the kind owed stays recorded. */
		ret = 0;
		goto out;
	}
	snprintf(receipt_no, sizeof(receipt_no), "%s-%06lld", c->id, msg);
	reply_message_id(receipt_no, smtp->from, msgid, sizeof(msgid));
	data = build_data(l, c, t->from_name, msg, &m, receipt_no);
	if (!data)
		goto sqlerr;
	if (tmpl_render(t->subject[k], data, &subject, NULL, err, errlen) != 0 ||
	    tmpl_render(t->body[k], data, &body, NULL, err, errlen) != 0)
		goto out;
	one_line(subject);
	if (build_mime(&m, t->from_name, smtp->from, to, msgid, subject, body, *reply_io, receipt_no,
	               c->tz_offset_min, NULL, &comp, err, errlen) != 0)
		goto out;
	{
		struct replies_row row = {
			.message = msg, .kind = (char *)(uintptr_t)*reply_io, .receipt_no = receipt_no,
			.message_id = msgid, .env_from = smtp->from, .recipient = (char *)(uintptr_t)to,
			.subject = comp.subject, .raw = comp.raw, .raw_len = comp.raw_len,
			.created_at = time(NULL),
		};
		if (replies_insert(l, &row, NULL) != 0)
			goto sqlerr;
	}
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
	goto out;
sqlerr:
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(l));
out:
	tmpl_rec_free(&data);
	free(reason);
	free(subject);
	free(body);
	free(comp.raw);
	free(comp.subject);
	msgrow_free(&m);
	return ret;
}

/* ---- updated replies (intakectl assign --notify) ---- */

int reply_update_target(struct ledger *l, long long file, long long *msg_r)
{
	sqlite3_stmt *st;
	int r;

	*msg_r = 0;
	st = query_prepare(l,
		"SELECT coalesce((SELECT max(md.message) FROM message_dossiers md WHERE md.dossier = f.dossier),"
		" f.message) FROM files f WHERE f.id = ?", file);
	if (!st)
		return -1;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*msg_r = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : -1;
}

/* The kind an update of msg would be, or why there is none (*why_r
 * malloc'd).  -1 on a ledger error. */
static int update_kind(struct ingest *in, long long msg, const struct msgrow *m, const char **kind_r,
                       long long *orig_r, char **why_r)
{
	struct ledger *l = in->ledger;
	const char *status = NULL;
	char *reason = NULL, *orig_id = NULL;
	sqlite3_stmt *st;
	int rc;

	*kind_r = NULL;
	*why_r = NULL;
	*orig_r = 0;
	if (strcmp(m->kind, TRIAGE_SUBMISSION) != 0)
		return asprintf(why_r, "来信 #%lld 不是申报材料（%s），不发送更正通知 (not a submission)", msg,
		                m->kind_evidence ? m->kind_evidence : m->kind) < 0 ? -1 : 0;
	st = query_prepare(l, "SELECT no_reply_reason FROM messages WHERE id = ?", msg);
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		reason = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return -1;
	if (reason) {
		rc = asprintf(why_r, "来信 #%lld 按规定不回复（%s），不发送更正通知 (owed no reply)", msg, reason);
		free(reason);
		return rc < 0 ? -1 : 0;
	}
	if (ledger_message_status(l, in->camp, msg, &status) != 0)
		return -1;
	if (strcmp(status, "late") == 0)
		return asprintf(why_r, "来信 #%lld 在截止时间之后收到，逾期不予受理，不发送更正通知 (late)", msg) < 0 ? -1 : 0;
	if (strcmp(status, "accepted") == 0)
		*kind_r = "receipt";
	else if (strcmp(status, "incomplete") == 0)
		*kind_r = "missing-items";
	else
		return asprintf(why_r, "来信 #%lld 的状态为 %s，不发送更正通知", msg, status) < 0 ? -1 : 0;
	if (replies_original(l, msg, orig_r, &orig_id) != 0)
		return -1;
	free(orig_id);
	if (*orig_r == 0) {
		*kind_r = NULL;
		return asprintf(why_r, "来信 #%lld 尚无回复记录，没有可更正的回复 (never answered)", msg) < 0 ? -1 : 0;
	}
	if (!in->replies || !in->cfg->smtp.from) {
		*kind_r = NULL;
		return asprintf(why_r, "未配置 [smtp] from 或活动的回复模板，无法发送更正通知") < 0 ? -1 : 0;
	}
	return 0;
}

int reply_update_check(struct ingest *in, long long msg, char **why_r)
{
	struct msgrow m;
	const char *kind;
	long long orig;
	int r;

	*why_r = NULL;
	if (load_message(in->ledger, msg, &m) != 0)
		return -1;
	r = update_kind(in, msg, &m, &kind, &orig, why_r);
	msgrow_free(&m);
	return r;
}

int reply_update(struct ingest *in, long long msg, struct reply_update_result *res,
                 char **why_r, char *err, size_t errlen)
{
	const struct campaign *c = in->camp;
	const struct config_mail *smtp = &in->cfg->smtp;
	const struct reply_templates *t = in->replies;
	struct ledger *l = in->ledger;
	struct msgrow m;
	struct tmpl_rec *data = NULL;
	struct composed comp = { NULL, NULL, 0 };
	struct replies_row orig;
	char *subject = NULL, *body = NULL, *usubject = NULL, *ubody = NULL, receipt_no[96], when[64];
	const char *to, *kind;
	int k, ret = -1;

	memset(res, 0, sizeof(*res));
	memset(&orig, 0, sizeof(orig));
	*why_r = NULL;
	if (load_message(l, msg, &m) != 0) {
		snprintf(err, errlen, "ledger: message %lld: %s", msg, ledger_errmsg(l));
		return -1;
	}
	if (update_kind(in, msg, &m, &kind, &res->update_of, why_r) != 0)
		goto sqlerr;
	if (!kind) {
		ret = 0;
		goto out;
	}
	if (replies_get(l, res->update_of, &orig) != 0)
		goto sqlerr;
	/* To whom the original went (Reply-To, else From, as checked then). */
	to = orig.recipient;
	k = kind_index(kind);
	snprintf(receipt_no, sizeof(receipt_no), "%s-%06lld", c->id, msg);
	reply_message_id(receipt_no, smtp->from, res->message_id, sizeof(res->message_id));
	data = build_data(l, c, t->from_name, msg, &m, receipt_no);
	if (!data)
		goto sqlerr;
	if (tmpl_render(t->subject[k], data, &subject, NULL, err, errlen) != 0 ||
	    tmpl_render(t->body[k], data, &body, NULL, err, errlen) != 0)
		goto out;
	one_line(subject);
	zh_time(orig.sent_at ? orig.sent_at : orig.created_at, c->tz_offset_min, true, when, sizeof(when));
	if (asprintf(&usubject, "%s%s", REPLY_UPDATE_MARK, subject) < 0 ||
	    asprintf(&ubody, "【更正】本局已对贵单位报送的材料重新审核。本通知更正并取代本局于 %s 发出的%s"
	             "（回执编号 %s），请以本通知为准。\n\n%s", when,
	             strcmp(orig.kind, "receipt") == 0 ? "回执" : strcmp(orig.kind, "missing-items") == 0 ?
	             "补件通知" : "回复", receipt_no, body) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (build_mime(&m, t->from_name, smtp->from, to, res->message_id, usubject, ubody, kind, receipt_no,
	               c->tz_offset_min, orig.message_id, &comp, err, errlen) != 0)
		goto out;
	{
		struct replies_row row = {
			.message = msg, .update_of = res->update_of, .kind = (char *)(uintptr_t)kind,
			.receipt_no = receipt_no, .message_id = res->message_id, .env_from = smtp->from,
			.recipient = (char *)(uintptr_t)to, .subject = comp.subject, .raw = comp.raw,
			.raw_len = comp.raw_len, .created_at = time(NULL),
		};
		if (replies_insert(l, &row, &res->reply) != 0)
			goto sqlerr;
	}
	res->message = msg;
	res->kind = kind;
	snprintf(res->recipient, sizeof(res->recipient), "%s", to);
	ret = 0;
	goto out;
sqlerr:
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(l));
out:
	tmpl_rec_free(&data);
	free(subject);
	free(body);
	free(usubject);
	free(ubody);
	free(comp.raw);
	free(comp.subject);
	replies_row_free(&orig);
	msgrow_free(&m);
	return ret;
}

#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemonstate.h"
#include "ledger.h"
#include "spool.h"

static json_t *time_or_null(const struct campaign *c, time_t t)
{
	char buf[64];

	if (!t)
		return json_null();
	campaign_format_time(t, c->tz_offset_min, buf, sizeof(buf));
	return json_string(buf);
}

static void problem(json_t *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(json_t *st, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(json_object_get(st, "problems"), json_string(buf));
	json_object_set_new(st, "healthy", json_false());
}

/* One integer from a query, or -1 (a missing table included). */
static long long count(struct ledger *l, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(ledger_db(l), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Spooled messages the ledger does not name: a crash between spool and
 * ledger, or intaked in the middle of one. */
static long long unrecorded(const char *state_dir, struct ledger *l)
{
	char path[4096];
	sqlite3_stmt *st = NULL;
	struct dirent *e;
	long long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/spool", state_dir);
	d = opendir(path);
	if (!d)
		return -1;
	if (sqlite3_prepare_v2(ledger_db(l), "SELECT 1 FROM messages WHERE sha256 = ?", -1, &st,
	                       NULL) != SQLITE_OK) {
		closedir(d);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len != SPOOL_HEX_LEN + 4 || strcmp(e->d_name + SPOOL_HEX_LEN, ".eml") != 0)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, e->d_name, SPOOL_HEX_LEN, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_ROW)
			n++;
	}
	sqlite3_finalize(st);
	closedir(d);
	return n;
}

static json_t *count_or_null(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static void disk(json_t *st, const char *state_dir)
{
	static const char *const parts[][2] = {
		{ "spool", "spool" }, { "files", "files" }, { "db", "intake.db" },
		{ "db_wal", "intake.db-wal" },
	};
	json_t *o = json_object();
	uint64_t total = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		unsigned n = 0;
		uint64_t b = 0;

		spool_usage(state_dir, parts[i][1], &n, &b);
		if (i == 3) {
			json_object_set_new(o, "db_bytes", json_integer((json_int_t)(b +
			    json_integer_value(json_object_get(o, "db_bytes")))));
		} else {
			char key[32];

			snprintf(key, sizeof(key), "%s_bytes", parts[i][0]);
			json_object_set_new(o, key, json_integer((json_int_t)b));
			snprintf(key, sizeof(key), "%s_files", parts[i][0]);
			if (i < 2)
				json_object_set_new(o, key, json_integer(n));
		}
		total += b;
	}
	json_object_set_new(o, "total_bytes", json_integer((json_int_t)total));
	json_object_set_new(st, "disk", o);
}

/*
 * Replies (schema version 3): waiting = queued or sending, failed = refused
 * for good; null ("n/a") when the ledger predates the table.
 */
static void replies(json_t *st, struct ledger *l)
{
	json_t *o = json_object();
	long long pending = -1, failed = -1;

	if (ledger_has_table(l, "replies")) {
		pending = count(l, "SELECT count(*) FROM replies WHERE state IN ('queued', 'sending')");
		failed = count(l, "SELECT count(*) FROM replies WHERE state = 'failed'");
	}
	json_object_set_new(o, "pending", count_or_null(pending));
	json_object_set_new(o, "failed", count_or_null(failed));
	json_object_set_new(st, "replies", o);
	if (failed > 0)
		problem(st, "%lld reply(ies) failed", failed);
}

static void deadline(json_t *st, const struct campaign *c, time_t now)
{
	json_t *o = json_object();
	long long off = (long long)c->tz_offset_min * 60;
	/* Calendar days in the campaign's zone: 0 on the last day. */
	long long days = ((long long)c->deadline + off) / 86400 - ((long long)now + off) / 86400;

	json_object_set_new(o, "at", time_or_null(c, c->deadline));
	json_object_set_new(o, "days_left", json_integer(days));
	json_object_set_new(o, "passed", json_boolean(now > c->deadline));
	json_object_set_new(st, "deadline", o);
}

static void daemon_part(json_t *st, const struct config *cfg, const struct campaign *c,
                        struct ledger *l, time_t now)
{
	struct daemonstate ds;
	json_t *o = json_object();
	long long limit = 3LL * cfg->imap.poll_interval + STATUS_GRACE_SECONDS;
	int r = daemonstate_get(l, &ds);

	json_object_set_new(o, "pid", ds.pid ? json_integer(ds.pid) : json_null());
	json_object_set_new(o, "started_at", time_or_null(c, ds.started_at));
	json_object_set_new(o, "last_poll_at", time_or_null(c, ds.last_poll_at));
	json_object_set_new(o, "last_ok_at", time_or_null(c, ds.last_ok_at));
	json_object_set_new(o, "last_ok_age_seconds", ds.last_ok_at ? json_integer(now - ds.last_ok_at)
	                                                            : json_null());
	json_object_set_new(o, "stale_after_seconds", cfg->imap.set ? json_integer(limit) : json_null());
	json_object_set_new(o, "last_error_at", time_or_null(c, ds.last_error_at));
	json_object_set_new(o, "last_error", ds.last_error ? json_string(ds.last_error) : json_null());
	json_object_set_new(o, "last_purge_at", time_or_null(c, ds.last_purge_at));
	json_object_set_new(st, "daemon", o);
	if (r < 0)
		problem(st, "ledger: %s", ledger_errmsg(l));
	if (cfg->imap.set) {
		if (!ds.last_ok_at)
			problem(st, "intaked has never polled the mailbox successfully");
		else if (now - ds.last_ok_at > limit)
			problem(st, "no successful poll for %lld s (limit %lld s = 3 x poll_interval + %d)",
			        (long long)(now - ds.last_ok_at), limit, STATUS_GRACE_SECONDS);
	}
	if (ds.last_error_at && ds.last_error_at >= ds.last_ok_at)
		problem(st, "the last cycle failed: %s", ds.last_error ? ds.last_error : "?");
	daemonstate_free(&ds);
}

json_t *status_collect(const struct config *cfg, const struct campaign *c, time_t now)
{
	json_t *st = json_object(), *msgs;
	struct ledger *l = NULL;
	char path[4096], err[1024] = "";
	struct stat sb;
	long long quarantined;

	if (!st)
		return NULL;
	json_object_set_new(st, "healthy", json_true());
	json_object_set_new(st, "problems", json_array());
	json_object_set_new(st, "now", time_or_null(c, now));
	json_object_set_new(st, "state_dir", json_string(cfg->state_dir));
	json_object_set_new(st, "campaign", json_string(c->id));
	deadline(st, c, now);
	{
		json_t *ret = json_object();

		json_object_set_new(ret, "days", json_integer(cfg->retention_days));
		json_object_set_new(st, "retention", ret);
	}
	json_object_set_new(st, "imap_configured", json_boolean(cfg->imap.set));
	snprintf(path, sizeof(path), "%s/intake.db", cfg->state_dir);
	if (stat(cfg->state_dir, &sb) != 0) {
		problem(st, "state directory %s: %s", cfg->state_dir, strerror(errno));
		return st;
	}
	disk(st, cfg->state_dir);
	if (stat(path, &sb) != 0) {
		problem(st, "no ledger at %s: nothing taken in yet", path);
		return st;
	}
	if (ledger_open_readonly(path, &l, err, sizeof(err)) != 0) {
		problem(st, "%s", err);
		return st;
	}
	daemon_part(st, cfg, c, l, now);
	msgs = json_object();
	quarantined = count(l, "SELECT count(*) FROM fetch_attempts WHERE quarantined <> 0");
	json_object_set_new(msgs, "recorded", count_or_null(count(l, "SELECT count(*) FROM messages")));
	json_object_set_new(msgs, "unrecorded_in_spool", count_or_null(unrecorded(cfg->state_dir, l)));
	json_object_set_new(msgs, "quarantined", count_or_null(quarantined));
	json_object_set_new(msgs, "retrying", count_or_null(
		count(l, "SELECT count(*) FROM fetch_attempts WHERE quarantined = 0")));
	json_object_set_new(st, "messages", msgs);
	if (quarantined > 0)
		problem(st, "%lld message(s) quarantined: see the ledger's fetch_attempts", quarantined);
	json_object_set_new(json_object_get(st, "retention"), "purged_messages", count_or_null(
		count(l, ledger_has_table(l, "daemon_status") ?
		      "SELECT count(*) FROM messages WHERE files_purged_at IS NOT NULL" : "SELECT 0")));
	replies(st, l);
	ledger_close(&l);
	return st;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static void size_text(json_int_t b, char *buf, size_t len)
{
	if (b >= 10LL << 20)
		snprintf(buf, len, "%lld MB", (long long)(b >> 20));
	else if (b >= 10LL << 10)
		snprintf(buf, len, "%lld KB", (long long)(b >> 10));
	else
		snprintf(buf, len, "%lld B", (long long)b);
}

static void count_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "n/a");
}

void status_print(FILE *out, const json_t *st)
{
	const json_t *d = json_object_get(st, "daemon"), *m = json_object_get(st, "messages");
	const json_t *disk_o = json_object_get(st, "disk"), *dl = json_object_get(st, "deadline");
	const json_t *rep = json_object_get(st, "replies"), *ret = json_object_get(st, "retention");
	char a[32], b[32], c3[32], n1[32], n2[32], n3[32];
	size_t i;
	json_t *p;

	fprintf(out, "intake 状态：%s（%s）\n", json_is_true(json_object_get(st, "healthy")) ?
	        "正常" : "异常", json_is_true(json_object_get(st, "healthy")) ? "healthy" : "unhealthy");
	fprintf(out, "  时间：%s；状态目录：%s\n", str(st, "now"), str(st, "state_dir"));
	if (d) {
		fprintf(out, "  intaked：启动于 %s；上次轮询 %s；上次成功 %s\n", str(d, "started_at"),
		        str(d, "last_poll_at"), str(d, "last_ok_at"));
		if (json_is_string(json_object_get(d, "last_error")))
			fprintf(out, "  上次错误（%s）：%s\n", str(d, "last_error_at"), str(d, "last_error"));
		else
			fputs("  上次错误：无\n", out);
	}
	if (m) {
		count_text(json_object_get(m, "unrecorded_in_spool"), n1, sizeof(n1));
		count_text(json_object_get(m, "quarantined"), n2, sizeof(n2));
		count_text(json_object_get(m, "retrying"), n3, sizeof(n3));
		fprintf(out, "  邮件：已登记 %lld 封；已入库未登记 %s 封；隔离 %s 封；重试中 %s 封\n",
		        (long long)json_integer_value(json_object_get(m, "recorded")), n1, n2, n3);
	}
	if (rep) {
		count_text(json_object_get(rep, "pending"), n1, sizeof(n1));
		count_text(json_object_get(rep, "failed"), n2, sizeof(n2));
		fprintf(out, "  回复邮件：待发送 %s；发送失败 %s\n", n1, n2);
	}
	if (disk_o) {
		size_text(json_integer_value(json_object_get(disk_o, "spool_bytes")), a, sizeof(a));
		size_text(json_integer_value(json_object_get(disk_o, "files_bytes")), b, sizeof(b));
		size_text(json_integer_value(json_object_get(disk_o, "db_bytes")), c3, sizeof(c3));
		size_text(json_integer_value(json_object_get(disk_o, "total_bytes")), n1, sizeof(n1));
		fprintf(out, "  磁盘占用：原始邮件 %s（%lld 封），提取文件 %s（%lld 个），数据库 %s，合计 %s\n",
		        a, (long long)json_integer_value(json_object_get(disk_o, "spool_files")), b,
		        (long long)json_integer_value(json_object_get(disk_o, "files_files")), c3, n1);
	}
	if (json_integer_value(json_object_get(ret, "days")) > 0) {
		count_text(json_object_get(ret, "purged_messages"), n1, sizeof(n1));
		fprintf(out, "  保存期限：提取文件保存 %lld 天，已按期限删除 %s 封邮件的提取文件\n",
		        (long long)json_integer_value(json_object_get(ret, "days")), n1);
	} else {
		fputs("  保存期限：未设置（提取文件永久保存）\n", out);
	}
	if (dl) {
		long long left = json_integer_value(json_object_get(dl, "days_left"));

		if (json_is_true(json_object_get(dl, "passed")))
			fprintf(out, "  申报截止：%s，已截止 %lld 天\n", str(dl, "at"), left < 0 ? -left : 0);
		else
			fprintf(out, "  申报截止：%s，还剩 %lld 天%s\n", str(dl, "at"), left,
			        left == 0 ? "（今日截止）" : "");
	}
	json_array_foreach(json_object_get(st, "problems"), i, p)
		fprintf(out, "  问题：%s\n", json_string_value(p));
}

#include "staffcmd.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outbox.h"
#include "replies.h"
#include "reply.h"
#include "reportdb.h"
#include "reportmail.h"
#include "reprocess.h"
#include "smtp.h"
#include "staff.h"

void staffcmd_usage(FILE *f)
{
	fputs("  intakectl -c CONF report [--date YYYY-MM-DD] [--format text|csv|html|xlsx] [-o FILE]\n"
	      "  intakectl -c CONF report --mail [--date YYYY-MM-DD] [--by OPERATOR]\n"
	      "  intakectl -c CONF list [--county X] [--program base|institution] [--incomplete] [--late] [--json]\n"
	      "  intakectl -c CONF show DOSSIER-ID [--json]\n"
	      "  intakectl -c CONF assign FILE-ID ITEM|none [--notify] [--by OPERATOR]\n"
	      "  intakectl -c CONF mark-paper DOSSIER-ID [--by OPERATOR]\n"
	      "  intakectl -c CONF export DOSSIER-ID -o DIR [--by OPERATOR]\n"
	      "  intakectl -c CONF reprocess MESSAGE-ID|--all [--dry-run] [--by OPERATOR]\n"
	      "  intakectl -c CONF log [DOSSIER-ID] [--json]\n", f);
}

static int usage_err(const char *msg)
{
	fprintf(stderr, "intakectl: %s\n用法 / usage:\n", msg);
	staffcmd_usage(stderr);
	return 2;
}

/* "12" or "#12", > 0. */
static int parse_id(const char *s, long long *id_r)
{
	char *end;
	long long v;

	if (*s == '#')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		return -1;
	*id_r = v;
	return 0;
}

int staffcmd_open_state(struct app *a)
{
	char err[1024];

	if (app_open_state(a, true, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: %s\n", err);
		return -1;
	}
	return 0;
}

int staffcmd_list_args(int argc, char **argv, long long *id_r, bool *as_json_r)
{
	*as_json_r = false;
	if (id_r)
		*id_r = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*as_json_r = true;
		else if (id_r && *id_r == 0 && parse_id(argv[i], id_r) == 0)
			continue;
		else
			return -1;
	}
	return 0;
}

int staffcmd_print_json(json_t *j)
{
	int r = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : 1;

	fputc('\n', stdout);
	return r;
}

static int who_of(const char *by, char *who, size_t size)
{
	char err[256];

	if (staff_operator(by, who, size, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: %s\n", err);
		return -1;
	}
	return 0;
}

/* ---- report ---- */

/*
 * report --mail: compose once, then one SMTP transaction per recipient so
 * each gets its own verdict.  Exit 0 when every recipient was accepted, 1
 * otherwise, 2 for a configuration that cannot work (recipients, [smtp]).
 */
static int report_mail(struct app *a, time_t day, time_t now, const char *by)
{
	const struct config *cfg = a->cfg;
	struct report r;
	struct reportmail m;
	struct smtp_session *s = NULL;
	char **rcpts = NULL, who[STAFF_OPERATOR_MAX + 1], err[1024], why[512], date[16], *detail = NULL;
	size_t n = 0, ok = 0;
	bool *sent = NULL;
	struct timespec t0, t1;
	FILE *df;
	size_t dlen;
	int ret = 1;

	if (reportmail_recipients(cfg->report_recipients, &rcpts, &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: report --mail: %s\n", err);
		return 2;
	}
	if (!cfg->smtp.set || !cfg->smtp.host || !cfg->smtp.from || !reply_sane_address(cfg->smtp.from)) {
		fprintf(stderr, "intakectl: report --mail: 未配置 [smtp] host 与 from (no [smtp] host and from)\n");
		reportmail_recipients_free(rcpts, n);
		return 2;
	}
	/* A timer has no login: it is named, not refused. */
	if (by || getenv("SUDO_USER") || getenv("USER")) {
		if (who_of(by, who, sizeof(who)) != 0) {
			reportmail_recipients_free(rcpts, n);
			return by ? 2 : 1;
		}
	} else {
		snprintf(who, sizeof(who), "intakectl");
	}
	if (staffcmd_open_state(a) != 0) {
		reportmail_recipients_free(rcpts, n);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (reportdb_build(a->ledger, a->camp, day, now, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: report: %s\n", err);
		reportmail_recipients_free(rcpts, n);
		return 1;
	}
	snprintf(date, sizeof(date), "%04d-%02d-%02d", r.year, r.month, r.day);
	if (reportmail_compose(&r, cfg, rcpts, n, getenv("TMPDIR"), &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: report --mail: %s\n", err);
		report_free(&r);
		reportmail_recipients_free(rcpts, n);
		return 1;
	}
	report_free(&r);
	sent = calloc(n, sizeof(*sent));
	if (!sent) {
		fprintf(stderr, "intakectl: out of memory\n");
		goto out;
	}
	if (smtp_open(&cfg->smtp, &s, why, sizeof(why)) != 0) {
		fprintf(stderr, "intakectl: report --mail: 无法连接发信服务器，日报未发出 (SMTP server unavailable, nothing sent): %s\n",
		        why);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  %s：未发送 (not sent)\n", rcpts[i]);
	} else {
		for (size_t i = 0; i < n; i++) {
			enum smtp_outcome o = smtp_send(s, cfg->smtp.from, rcpts[i], m.raw, m.len, why, sizeof(why));
			if (o == SMTP_SENT) {
				sent[i] = true;
				ok++;
				printf("  %s：已发送 (accepted)\n", rcpts[i]);
			} else {
				fprintf(stderr, "intakectl: report --mail: %s：%s (%s): %s\n", rcpts[i],
				        o == SMTP_PERMFAIL ? "被拒收" : "暂时未能发送",
				        o == SMTP_PERMFAIL ? "refused" : "not sent, try again later", why);
			}
		}
		smtp_close(&s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The audit row says who sent what to whom, also when it failed. */
	df = open_memstream(&detail, &dlen);
	if (df) {
		fprintf(df, "日报 %s；收件人 ", date);
		for (size_t i = 0; i < n; i++)
			fprintf(df, "%s%s（%s）", i ? "、" : "", rcpts[i], sent[i] ? "已发送" : "未发送");
		fprintf(df, "；Message-ID <%s>；%zu 字节", m.message_id, m.len);
		fclose(df);
	}
	if (!detail || ledger_begin(a->ledger) != 0 ||
	    staff_audit(a->ledger, who, "report-mail", NULL, detail) != 0 || ledger_commit(a->ledger) != 0) {
		fprintf(stderr, "intakectl: report --mail: audit log: %s\n", ledger_errmsg(a->ledger));
		ledger_rollback(a->ledger);
		goto out;
	}
	printf("日报 %s（%s）已发送给 %zu/%zu 位收件人；邮件 %zu 字节（HTML %zu，XLSX %zu），用时 %.2f 秒\n",
	       date, m.subject, ok, n, m.len, m.html_len, m.xlsx_len,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	ret = ok == n ? 0 : 1;
out:
	free(detail);
	free(sent);
	reportmail_free(&m);
	reportmail_recipients_free(rcpts, n);
	return ret;
}

static int cmd_report(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "mail", no_argument, NULL, 'm' },
		{ "by", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *date = NULL, *out = NULL, *by = NULL;
	enum report_format fmt = REPORT_TEXT;
	bool fmt_given = false, mail = false;
	struct report r;
	char err[1024];
	time_t day, now = time(NULL);
	int ch, y, m, d;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': date = optarg; break;
		case 'f':
			if (reportdb_parse_format(optarg, &fmt) != 0)
				return usage_err("--format: text, csv, html or xlsx");
			fmt_given = true;
			break;
		case 'o': out = optarg; break;
		case 'm': mail = true; break;
		case 'b': by = optarg; break;
		default: return usage_err("report: unknown option");
		}
	}
	if (optind < argc)
		return usage_err("report takes no arguments");
	if (mail && (fmt_given || out))
		return usage_err("report --mail sends HTML and XLSX: no --format or -o with it");
	if (by && !mail)
		return usage_err("report: --by only with --mail");
	if (!fmt_given && out) {
		/* The file name says what is wanted: 日报.xlsx */
		const char *dot = strrchr(out, '.');
		if (dot && reportdb_parse_format(dot + 1, &fmt) != 0)
			fmt = REPORT_TEXT;
	}
	if (fmt == REPORT_XLSX && !out)
		return usage_err("--format xlsx needs -o FILE");
	if (date) {
		char tail;
		if (sscanf(date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
		    (day = report_day_start(a->camp, y, m, d)) == (time_t)-1)
			return usage_err("--date: a day as YYYY-MM-DD, e.g. 2023-05-15");
	} else {
		report_day_of(a->camp, now, &y, &m, &d);
		day = report_day_start(a->camp, y, m, d);
	}
	if (mail)
		return report_mail(a, day, now, by);
	if (staffcmd_open_state(a) != 0)
		return 1;
	if (reportdb_build(a->ledger, a->camp, day, now, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: report: %s\n", err);
		return 1;
	}
	if (reportdb_write(&r, fmt, out, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: report: %s\n", err);
		report_free(&r);
		return 1;
	}
	report_free(&r);
	if (out)
		fprintf(stderr, "日报已写入 %s\n", out);
	return 0;
}

/* ---- list, show, log ---- */

/* What staff_list() or staff_show() returned (j, taken), on stdout as JSON
 * or as print writes it; when NULL, err on stderr. */
static int print_result(json_t *j, const char *err, bool as_json,
                        void (*print)(FILE *, const json_t *, const struct campaign *),
                        const struct campaign *c)
{
	int r = 0;

	if (!j) {
		fprintf(stderr, "intakectl: %s\n", err);
		return 1;
	}
	if (as_json)
		r = staffcmd_print_json(j);
	else
		print(stdout, j, c);
	json_decref(j);
	return r;
}

static int cmd_list(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "county", required_argument, NULL, 'c' },
		{ "program", required_argument, NULL, 'p' },
		{ "incomplete", no_argument, NULL, 'i' },
		{ "late", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct staff_filter f = { NULL, NULL, false, false };
	bool as_json = false;
	char err[1024];
	json_t *j;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': f.county = optarg; break;
		case 'p': f.program = optarg; break;
		case 'i': f.incomplete = true; break;
		case 'l': f.late = true; break;
		case 'j': as_json = true; break;
		default: return usage_err("list: unknown option");
		}
	}
	if (optind < argc)
		return usage_err("list takes no arguments");
	if (f.program && campaign_program_index(a->camp, f.program) < 0)
		return usage_err("--program: base or institution");
	if (f.county && staff_county(a->camp, f.county) < 0) {
		fprintf(stderr, "intakectl: --county: 未知县市区或园区：%s\n", f.county);
		return 2;
	}
	if (staffcmd_open_state(a) != 0)
		return 1;
	j = staff_list(a->ledger, a->camp, &f, err, sizeof(err));
	return print_result(j, err, as_json, staff_print_list, a->camp);
}

static int cmd_show(struct app *a, int argc, char **argv)
{
	long long id = 0;
	bool as_json = false;
	char err[1024];
	json_t *j;

	if (staffcmd_list_args(argc, argv, &id, &as_json) != 0)
		return usage_err("show DOSSIER-ID [--json]");
	if (id == 0)
		return usage_err("show needs a dossier id (as in `list`)");
	if (staffcmd_open_state(a) != 0)
		return 1;
	j = staff_show(a->ledger, a->camp, id, err, sizeof(err));
	return print_result(j, err, as_json, staff_print_show, a->camp);
}

static int cmd_log(struct app *a, int argc, char **argv)
{
	long long id = 0;
	bool as_json = false;
	json_t *j;
	int r = 0;

	if (staffcmd_list_args(argc, argv, &id, &as_json) != 0)
		return usage_err("log [DOSSIER-ID] [--json]");
	if (staffcmd_open_state(a) != 0)
		return 1;
	j = staff_log(a->ledger, a->camp, id);
	if (as_json)
		r = staffcmd_print_json(j);
	else
		staff_print_log(stdout, j);
	json_decref(j);
	return r;
}

/* ---- changes ---- */

/* assign --notify, after the reassignment committed: the updated reply of
 * msg composed and queued (with its audit row) in one transaction, then
 * the outbox flushed at once. */
static int notify_update(struct app *a, long long file, long long msg, const char *who)
{
	struct reply_update_result u;
	struct outbox_stats st;
	struct replies_row row;
	char err[1024] = "", *why = NULL, *detail = NULL, target[48];
	int ret = 1;

	memset(&row, 0, sizeof(row));
	if (ledger_begin(a->ledger) != 0)
		goto sqlerr;
	if (reply_update(&a->ingest, msg, &u, &why, err, sizeof(err)) != 0) {
		ledger_rollback(a->ledger);
		fprintf(stderr, "intakectl: assign --notify: %s；改判已保存，未通知 (reassigned, county not told)\n", err);
		return 1;
	}
	if (why) {
		ledger_rollback(a->ledger);
		fprintf(stderr, "intakectl: assign --notify: %s；改判已保存，未通知 (reassigned, county not told)\n", why);
		free(why);
		return 1;
	}
	snprintf(target, sizeof(target), "message:%lld", msg);
	if (asprintf(&detail, "文件 #%lld 改判后向 %s 发送更正%s（回复 #%lld，更正 #%lld），Message-ID <%s>", file,
	             u.recipient, strcmp(u.kind, "receipt") == 0 ? "回执" : "补件通知", u.reply, u.update_of,
	             u.message_id) < 0 ||
	    staff_audit(a->ledger, who, "notify", target, detail) != 0 || ledger_commit(a->ledger) != 0) {
		free(detail);
		goto sqlerr;
	}
	free(detail);
	if (outbox_flush_stats(a, true, &st, err, sizeof(err)) != 0 && !err[0])
		snprintf(err, sizeof(err), "outbox");
	if (replies_get(a->ledger, u.reply, &row) != 0)
		goto sqlerr;
	if (strcmp(row.state, "sent") == 0) {
		printf("已向 %s 发送更正%s（来信 #%lld，%s）\n", u.recipient,
		       strcmp(u.kind, "receipt") == 0 ? "回执" : "补件通知", msg, row.subject);
		ret = 0;
	} else if (strcmp(row.state, "failed") == 0) {
		fprintf(stderr, "intakectl: assign --notify: 更正通知被拒收 (refused): %s\n",
		        row.last_error ? row.last_error : err);
	} else {
		fprintf(stderr, "intakectl: assign --notify: 更正通知暂未发出，已留在发件箱，intaked 将自动重试"
		        " (queued, will be retried): %s\n", row.last_error ? row.last_error : err);
	}
	replies_row_free(&row);
	return ret;
sqlerr:
	fprintf(stderr, "intakectl: ledger: %s\n", ledger_errmsg(a->ledger));
	ledger_rollback(a->ledger);
	return 1;
}

static int cmd_assign(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "notify", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *by = NULL, *item;
	struct staff_assign_result res;
	char who[STAFF_OPERATOR_MAX + 1], err[1024];
	long long file, msg = 0;
	bool notify = false;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': by = optarg; break;
		case 'n': notify = true; break;
		default: return usage_err("assign: unknown option");
		}
	}
	if (argc - optind != 2 || parse_id(argv[optind], &file) != 0)
		return usage_err("assign FILE-ID ITEM|none (file ids as in `show`)");
	item = strcmp(argv[optind + 1], "none") == 0 ? NULL : argv[optind + 1];
	if (item && !campaign_item_by_id(a->camp, item))
		return usage_err("ITEM: an item id of the campaign (B01…B14, S01…S13, C01, C02) or none");
	if (who_of(by, who, sizeof(who)) != 0)
		return 1;
	if (staffcmd_open_state(a) != 0)
		return 1;
	/* Before any change: staff must not believe the county will be told
	 * when it will not be. */
	if (notify) {
		char *why = NULL;
		if (!a->cfg->smtp.set || !a->cfg->smtp.host || !a->cfg->smtp.from) {
			fprintf(stderr, "intakectl: assign --notify: 未配置 [smtp] host 与 from，无法通知；未作任何改动"
			        " (no [smtp]: nothing changed)\n");
			return 1;
		}
		if (reply_update_target(a->ledger, file, &msg) != 0) {
			fprintf(stderr, "intakectl: ledger: %s\n", ledger_errmsg(a->ledger));
			return 1;
		}
		if (msg && reply_update_check(&a->ingest, msg, &why) != 0) {
			fprintf(stderr, "intakectl: ledger: %s\n", ledger_errmsg(a->ledger));
			return 1;
		}
		if (why) {
			fprintf(stderr, "intakectl: assign --notify: %s；未作任何改动，如仍要改判请去掉 --notify"
			        " (nothing changed; run without --notify to reassign only)\n", why);
			free(why);
			return 1;
		}
	}
	if (staff_assign(a->ledger, a->camp, file, item, who, &res, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: %s\n", err);
		return 1;
	}
	printf("文件 #%lld：%s → %s（操作人 %s）\n", file, res.before[0] ? res.before : "未归类",
	       res.after[0] ? res.after : "未归类", who);
	if (res.dossier)
		printf("申报单位 #%lld：%s → %s\n", res.dossier, res.complete_before ? "材料齐全" : "材料不全",
		       res.complete_after ? "材料齐全" : "材料不全");
	if (notify)
		return notify_update(a, file, msg, who);
	return 0;
}

static int cmd_mark_paper(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *by = NULL;
	char who[STAFF_OPERATOR_MAX + 1], err[1024];
	long long id;
	bool changed;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'b')
			by = optarg;
		else
			return usage_err("mark-paper: unknown option");
	}
	if (argc - optind != 1 || parse_id(argv[optind], &id) != 0)
		return usage_err("mark-paper DOSSIER-ID");
	if (who_of(by, who, sizeof(who)) != 0 || staffcmd_open_state(a) != 0)
		return 1;
	if (staff_mark_paper(a->ledger, id, who, &changed, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: %s\n", err);
		return 1;
	}
	printf(changed ? "申报单位 #%lld：已登记收到纸质材料（操作人 %s）\n"
	               : "申报单位 #%lld：纸质材料此前已登记，未改动（%s）\n", id, who);
	return 0;
}

static int cmd_export(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *by = NULL, *dir = NULL;
	char who[STAFF_OPERATOR_MAX + 1], err[1024] = "";
	long long id;
	unsigned n;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': by = optarg; break;
		case 'o': dir = optarg; break;
		default: return usage_err("export: unknown option");
		}
	}
	if (argc - optind != 1 || parse_id(argv[optind], &id) != 0 || !dir || !*dir)
		return usage_err("export DOSSIER-ID -o DIR");
	if (who_of(by, who, sizeof(who)) != 0 || staffcmd_open_state(a) != 0)
		return 1;
	if (staff_export(a->ledger, a->camp, a->cfg->state_dir, id, dir, who, stdout, &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: export: %s\n", err);
		return 1;
	}
	printf("共导出 %u 个文件\n", n);
	return 0;
}

static int cmd_reprocess(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "by", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct reprocess_opts o = { 0, false, false, NULL, stdout };
	struct reprocess_stats st;
	const char *by = NULL;
	char who[STAFF_OPERATOR_MAX + 1], err[1024] = "";
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': o.all = true; break;
		case 'n': o.dry_run = true; break;
		case 'b': by = optarg; break;
		default: return usage_err("reprocess: unknown option");
		}
	}
	if (o.all ? argc != optind : (argc - optind != 1 || parse_id(argv[optind], &o.message) != 0))
		return usage_err("reprocess MESSAGE-ID|--all [--dry-run] (message ids as in `submissions`)");
	if (who_of(by, who, sizeof(who)) != 0 || staffcmd_open_state(a) != 0)
		return 1;
	o.who = who;
	if (o.dry_run)
		puts("【试运行】以下为按当前申报目录重新分类将产生的变化，台账未作任何改动：");
	if (reprocess_run(&a->ingest, &o, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: reprocess: %s\n", err);
		return 1;
	}
	printf("共检查来信 %u 封，%u 封有变化，%u 个文件改变归类%s；保留人工判定 %u 处；跳过 %u 封\n",
	       st.messages, st.changed_messages, st.files_changed, o.dry_run ? "（未写入）" : "",
	       st.staff_kept, st.skipped);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct app *, int, char **);
} cmds[] = {
	{ "report", cmd_report },
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "assign", cmd_assign },
	{ "mark-paper", cmd_mark_paper },
	{ "export", cmd_export },
	{ "reprocess", cmd_reprocess },
	{ "log", cmd_log },
};

bool staffcmd_known(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return true;
	return false;
}

int staffcmd_run(struct app *a, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, argv[0]) == 0)
			return cmds[i].run(a, argc, argv);
	return 2;
}

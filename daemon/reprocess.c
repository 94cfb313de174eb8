#include "reprocess.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "ingest.h"
#include "query.h"
#include "report.h"
#include "staff.h"
#include "worker.h"

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* What a dossier (or, with id 0, the county) looks like at one moment. */
struct snap {
	long long id;
	char applicant[256];
	struct ledger_items it;
	bool complete;
};

struct msgsnap {
	struct snap *d;
	size_t nd;
	struct snap county;
	const char *status;
};

static void msgsnap_free(struct msgsnap *m)
{
	for (size_t i = 0; i < m->nd; i++)
		ledger_items_free(&m->d[i].it);
	free(m->d);
	ledger_items_free(&m->county.it);
	memset(m, 0, sizeof(*m));
}

static int take_snap(struct ledger *l, const struct campaign *c, long long msg, const char *county,
                     struct msgsnap *m)
{
	sqlite3_stmt *st;
	int rc;

	memset(m, 0, sizeof(*m));
	st = query_prepare(l,
		"SELECT d.id, d.applicant, d.program FROM message_dossiers md JOIN dossiers d ON d.id = md.dossier"
		" WHERE md.message = ? ORDER BY d.id", msg);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct snap *nd = realloc(m->d, (m->nd + 1) * sizeof(*nd)), *s;
		if (!nd)
			break;
		m->d = nd;
		s = &m->d[m->nd];
		memset(s, 0, sizeof(*s));
		s->id = sqlite3_column_int64(st, 0);
		snprintf(s->applicant, sizeof(s->applicant), "%s", col_text(st, 1));
		if (ledger_dossier_state(l, c, s->id, 0, &s->it) != 0)
			break;
		s->complete = campaign_program_index(c, col_text(st, 2)) >= 0 && s->it.nmissing == 0;
		m->nd++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (ledger_county_state(l, c, county, 0, &m->county.it) != 0)
		return -1;
	m->county.complete = m->county.it.nmissing == 0;
	return ledger_message_status(l, c, msg, &m->status);
}

static bool in_list(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* "新增 5.审计报告及会计报表；失去 …；材料不全 → 材料齐全"; false if nothing changed. */
static bool describe(const struct campaign *c, const struct snap *a, const struct snap *b, FILE *out,
                     const char *label)
{
	bool changed = false;
	char l[1024];

	for (size_t i = 0; i < b->it.npresent; i++)
		if (!in_list(a->it.present, a->it.npresent, b->it.present[i])) {
			if (!changed)
				fprintf(out, "  %s：", label);
			report_item_label(c, b->it.present[i], false, l, sizeof(l));
			fprintf(out, "%s新增 %s %s", changed ? "；" : "", b->it.present[i], l);
			changed = true;
		}
	for (size_t i = 0; i < a->it.npresent; i++)
		if (!in_list(b->it.present, b->it.npresent, a->it.present[i])) {
			if (!changed)
				fprintf(out, "  %s：", label);
			report_item_label(c, a->it.present[i], false, l, sizeof(l));
			fprintf(out, "%s失去 %s %s", changed ? "；" : "", a->it.present[i], l);
			changed = true;
		}
	if (a->complete != b->complete) {
		if (!changed)
			fprintf(out, "  %s：", label);
		fprintf(out, "%s%s → %s", changed ? "；" : "", a->complete ? "材料齐全" : "材料不全",
		        b->complete ? "材料齐全" : "材料不全");
		changed = true;
	}
	if (changed)
		fputc('\n', out);
	return changed;
}

struct fileinfo {
	long long id, dossier;
	char sha[65];
	char item[8];          /* current item, "" none */
	char by[72];           /* who made the current assignment, "" none */
	int program;           /* of its dossier, -1 unknown / none */
};

static int file_by_seq(struct ledger *l, const struct campaign *c, long long msg, unsigned seq,
                       struct fileinfo *fi)
{
	sqlite3_stmt *st;
	int rc;

	memset(fi, 0, sizeof(*fi));
	fi->program = -1;
	st = query_prepare(l,
		"SELECT f.id, f.sha256, coalesce(f.dossier, 0), d.program, a.item, a.by"
		" FROM files f LEFT JOIN dossiers d ON d.id = f.dossier"
		" LEFT JOIN assignments a ON a.file = f.id AND a.current = 1"
		" WHERE f.message = ? AND f.seq = ?", msg);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 2, (int)seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		fi->id = sqlite3_column_int64(st, 0);
		snprintf(fi->sha, sizeof(fi->sha), "%s", col_text(st, 1));
		fi->dossier = sqlite3_column_int64(st, 2);
		if (col_text(st, 3))
			fi->program = campaign_program_index(c, col_text(st, 3));
		snprintf(fi->item, sizeof(fi->item), "%s", col_text(st, 4) ? col_text(st, 4) : "");
		snprintf(fi->by, sizeof(fi->by), "%s", col_text(st, 5) ? col_text(st, 5) : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Apply the new classification of one message inside the open transaction. */
static int apply(struct ingest *in, long long msg, const struct worker_result *wr,
                 const struct classify_result *cr, const struct reprocess_opts *o,
                 struct reprocess_stats *stats, unsigned *nchanged_r, char *err, size_t errlen)
{
	const struct campaign *c = in->camp;

	*nchanged_r = 0;
	for (size_t i = 0; i < wr->nfiles; i++) {
		const struct worker_file *f = &wr->files[i];
		const struct classify_assignment *a = &cr->files[i];
		const char *item = a->ignored ? NULL : a->item;
		const struct campaign_item *ci = item ? campaign_item_by_id(c, item) : NULL;
		struct fileinfo fi;
		int r = file_by_seq(in->ledger, c, msg, f->seq, &fi);

		if (r < 0) {
			snprintf(err, errlen, "ledger: %s", ledger_errmsg(in->ledger));
			return -1;
		}
		if (r == 0 || strcmp(fi.sha, f->sha256) != 0) {
			/* The parse no longer yields the files the ledger holds (a
			 * parser change, not a campaign fix): do not guess. */
			snprintf(err, errlen, "来信 #%lld 重新解析得到的文件与登记的不一致（第 %u 个文件），未处理",
			         msg, f->seq);
			return 1;
		}
		if (strcmp(fi.item, item ? item : "") == 0)
			continue;
		if (fi.by[0] && strcmp(fi.by, "machine") != 0) {
			fprintf(o->out, "  文件 #%lld 保留 %s 的人工判定 %s（重新分类为 %s）\n", fi.id, fi.by,
			        fi.item[0] ? fi.item : "未归类", item ? item : "未归类");
			stats->staff_kept++;
			continue;
		}
		/* Only items move, never files between dossiers. */
		if (ci && ci->program >= 0 && (fi.dossier == 0 || (fi.program >= 0 && fi.program != ci->program))) {
			fprintf(o->out, "  文件 #%lld 重新分类为 %s，但与所属申报单位的类别不符，未改\n", fi.id, item);
			continue;
		}
		{
			char *ev = NULL;
			if (asprintf(&ev, "重新分类：%s", a->evidence ? a->evidence : "未能对应申报目录") < 0)
				ev = NULL;
			fprintf(o->out, "  文件 #%lld “", fi.id);
			{
				char *cl = report_clean(f->path);
				fputs(cl ? cl : "", o->out);
				free(cl);
			}
			fprintf(o->out, "”：%s → %s\n", fi.item[0] ? fi.item : "未归类", item ? item : "未归类");
			r = ledger_assign_ex(in->ledger, fi.id, item, ev, "machine", a->confidence, a->by_content);
			free(ev);
			if (r != 0) {
				snprintf(err, errlen, "ledger: %s", ledger_errmsg(in->ledger));
				return -1;
			}
		}
		(*nchanged_r)++;
	}
	return 0;
}

/*
 * The text was read again by the parse child: its rows, the credit codes
 * and the pre-check follow the new reading.  Dossiers are those the
 * ledger holds for the files (reprocess never moves files between them).
 */
static int content_again(struct ingest *in, long long msg, const struct worker_result *wr,
                         const struct classify_result *cr, unsigned *ntext_r, char *err, size_t errlen)
{
	long long *fids = calloc(wr->nfiles + 1, sizeof(*fids));
	long long *dids = calloc(cr->ndossiers + 1, sizeof(*dids));
	int r = -1;

	*ntext_r = 0;
	if (!fids || !dids) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < wr->nfiles; i++) {
		struct fileinfo fi;
		int k = i < cr->nfiles ? cr->files[i].dossier : -1;

		if (file_by_seq(in->ledger, in->camp, msg, wr->files[i].seq, &fi) < 0) {
			snprintf(err, errlen, "ledger: %s", ledger_errmsg(in->ledger));
			goto out;
		}
		fids[i] = fi.id;
		if (k >= 0 && (size_t)k < cr->ndossiers && !dids[k] && fi.dossier > 0)
			dids[k] = fi.dossier;
		*ntext_r += wr->files[i].text_done && fi.id > 0;
	}
	r = ingest_content(in, msg, wr, cr, fids, dids, err, errlen);
out:
	free(fids);
	free(dids);
	return r;
}

static int one_message(struct ingest *in, long long msg, const char *sha, const char *county,
                       const struct reprocess_opts *o, struct reprocess_stats *stats,
                       char *err, size_t errlen)
{
	const struct campaign *c = in->camp;
	struct ledger *l = in->ledger;
	struct worker_result wr;
	struct classify_result cr;
	struct classify_known *known = NULL;
	struct classify_file *cf = NULL;
	struct msgsnap before, after;
	size_t nknown = 0;
	unsigned nchanged = 0, ntext = 0;
	bool parsed = false, classified = false, in_txn = false, any = false;
	int fd = -1, wd = -1, ret = -1, r;

	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	fd = spool_open_message(in->spool, sha);
	if (fd < 0) {
		snprintf(err, errlen, "来信 #%lld：原始邮件 spool/%s.eml 无法打开：%s", msg, sha, strerror(errno));
		goto out;
	}
	wd = spool_work_dir(in->spool, sha, err, errlen);
	if (wd < 0)
		goto out;
	if (worker_parse(fd, wd, &in->cfg->limits, !in->in_process, &wr, err, errlen) != 0)
		goto out;
	parsed = true;
	cf = ingest_classify_files(&wr);
	if (!cf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (ledger_known_dossiers(l, c, county, &known, &nknown) != 0)
		goto sql;
	{
		struct classify_input ci = {
			.c = c, .subject = wr.info.subject, .from_addr = wr.info.from_addr,
			.from_display = wr.info.from_display, .files = cf, .nfiles = wr.nfiles,
			.known = known, .nknown = nknown,
		};
		if (classify_message(&ci, &cr, NULL, NULL) != 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		classified = true;
	}

	if (ledger_begin(l) != 0)
		goto sql;
	in_txn = true;
	if (take_snap(l, c, msg, county, &before) != 0)
		goto sql;
	fprintf(o->out, "来信 #%lld：\n", msg);
	r = apply(in, msg, &wr, &cr, o, stats, &nchanged, err, errlen);
	if (r < 0)
		goto out;
	if (r > 0) {
		fprintf(o->out, "  %s\n", err);
		err[0] = '\0';
		stats->skipped++;
		ret = 0;
		goto out;
	}
	if (content_again(in, msg, &wr, &cr, &ntext, err, errlen) != 0)
		goto out;
	if (take_snap(l, c, msg, county, &after) != 0)
		goto sql;
	for (size_t i = 0; i < before.nd && i < after.nd; i++) {
		char label[512];
		char *cl = report_clean(before.d[i].applicant);
		snprintf(label, sizeof(label), "申报单位 #%lld %s", before.d[i].id, cl ? cl : "");
		free(cl);
		any |= describe(c, &before.d[i], &after.d[i], o->out, label);
	}
	any |= describe(c, &before.county, &after.county, o->out, "县级材料");
	if (strcmp(before.status, after.status) != 0) {
		fprintf(o->out, "  来信状态：%s → %s（新的回复通知待回复功能处理）\n",
		        query_status_zh(before.status), query_status_zh(after.status));
		any = true;
	}
	if (nchanged == 0 && !any)
		fputs("  无变化\n", o->out);
	stats->files_changed += nchanged;
	if (nchanged > 0)
		stats->changed_messages++;
	if (ntext > 0)
		fprintf(o->out, "  重新读取 %u 个文件的内容\n", ntext);
	if (o->dry_run || (nchanged == 0 && ntext == 0)) {
		ledger_rollback(l);
		in_txn = false;
	} else {
		char target[64], detail[160];
		snprintf(target, sizeof(target), "message:%lld", msg);
		snprintf(detail, sizeof(detail), "按当前申报目录重新分类，%u 个文件的归类改变；重新读取 %u 个文件的内容",
		         nchanged, ntext);
		if (staff_audit(l, o->who, "reprocess", target, detail) != 0 || ledger_commit(l) != 0)
			goto sql;
		in_txn = false;
	}
	ret = 0;
	goto out;
sql:
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(l));
out:
	if (in_txn)
		ledger_rollback(l);
	msgsnap_free(&before);
	msgsnap_free(&after);
	if (classified)
		classify_result_free(&cr);
	ledger_known_free(known, nknown);
	free(cf);
	if (parsed)
		worker_result_free(&wr);
	if (wd >= 0) {
		close(wd);
		spool_discard_work(in->spool, sha);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

int reprocess_run(struct ingest *in, const struct reprocess_opts *o, struct reprocess_stats *stats,
                  char *err, size_t errlen)
{
	sqlite3_stmt *st;
	struct { long long id; char sha[65]; char county[64]; bool has_county; } *v = NULL;
	size_t n = 0;
	int rc, ret = 0;

	memset(stats, 0, sizeof(*stats));
	/* Collect first: the statement must not stay open across the
	 * per-message write transactions. */
	if (sqlite3_prepare_v2(ledger_db(in->ledger),
		"SELECT id, sha256, county, kind, parsed FROM messages WHERE (?1 = 0 OR id = ?1) ORDER BY id",
		-1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "ledger: %s", ledger_errmsg(in->ledger));
		return -1;
	}
	sqlite3_bind_int64(st, 1, o->all ? 0 : o->message);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		void *nv;
		if (strcmp(col_text(st, 3), "submission") != 0 || !sqlite3_column_int(st, 4)) {
			if (!o->all)
				fprintf(o->out, "来信 #%lld 不是可读的申报邮件，无需重新分类\n", sqlite3_column_int64(st, 0));
			continue;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[n].id = sqlite3_column_int64(st, 0);
		snprintf(v[n].sha, sizeof(v[n].sha), "%s", col_text(st, 1));
		v[n].has_county = col_text(st, 2) != NULL;
		snprintf(v[n].county, sizeof(v[n].county), "%s", col_text(st, 2) ? col_text(st, 2) : "");
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "ledger: %s", ledger_errmsg(in->ledger));
		free(v);
		return -1;
	}
	if (!o->all && n == 0 && o->message > 0) {
		sqlite3_stmt *q;
		bool exists = false;
		if (sqlite3_prepare_v2(ledger_db(in->ledger), "SELECT 1 FROM messages WHERE id = ?", -1, &q, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(q, 1, o->message);
			exists = sqlite3_step(q) == SQLITE_ROW;
			sqlite3_finalize(q);
		}
		if (!exists) {
			snprintf(err, errlen, "没有编号为 %lld 的来信", o->message);
			free(v);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		stats->messages++;
		if (one_message(in, v[i].id, v[i].sha, v[i].has_county ? v[i].county : NULL, o, stats,
		                err, errlen) != 0) {
			ret = -1;
			break;
		}
	}
	free(v);
	return ret;
}

#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <jansson.h>

#include "authres.h"
#include "classify.h"
#include "eligibility.h"
#include "problem.h"
#include "reply.h"
#include "sniff.h"
#include "textract.h"
#include "triage.h"
#include "worker.h"

/* Problems found by classification, held until the message row exists. */
struct plist {
	struct { char *kind, *subject, *reason; } *v;
	size_t n;
};

static void plist_add(void *ctx, const char *kind, const char *subject, const char *reason)
{
	struct plist *pl = ctx;
	void *nv = realloc(pl->v, (pl->n + 1) * sizeof(*pl->v));

	if (!nv)
		return;
	pl->v = nv;
	pl->v[pl->n].kind = strdup(kind);
	pl->v[pl->n].subject = subject ? strdup(subject) : NULL;
	pl->v[pl->n].reason = strdup(reason ? reason : "");
	pl->n++;
}

static void plist_free(struct plist *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free(pl->v[i].kind);
		free(pl->v[i].subject);
		free(pl->v[i].reason);
	}
	free(pl->v);
	memset(pl, 0, sizeof(*pl));
}

static bool sender_in_map(const struct campaign *c, const char *addr)
{
	const char *at;

	if (!addr)
		return false;
	at = strrchr(addr, '@');
	for (size_t i = 0; i < c->ncounties; i++) {
		const struct strlist *s = &c->counties[i].senders;
		for (size_t j = 0; j < s->n; j++) {
			if (strcasecmp(s->v[j], addr) == 0)
				return true;
			if (s->v[j][0] == '@' && at && strcasecmp(s->v[j], at) == 0)
				return true;
		}
	}
	return false;
}

/* Problems the parent derives from facts about a file. */
static int file_problems(struct ledger *lg, long long msg, long long fid,
                         const struct worker_file *f, bool submission)
{
	char *reason = NULL;
	int r = 0;

	if (!submission)
		return 0;
	if (f->kind == SNIFF_EXECUTABLE || f->kind == SNIFF_SCRIPT) {
		if (asprintf(&reason, "文件“%s”实际为可执行程序或脚本（%s），不作为申报材料，已隔离", f->path, f->mime) < 0)
			return -1;
		r = ledger_insert_problem(lg, msg, fid, PROB_EXECUTABLE, f->path, reason);
	} else if (f->ext_mismatch) {
		if (asprintf(&reason, "文件“%s”的扩展名与实际内容（%s）不符", f->path, f->mime) < 0)
			return -1;
		r = ledger_insert_problem(lg, msg, fid, PROB_TYPE_MISMATCH, f->path, reason);
	} else if (f->kind == SNIFF_EMPTY && !f->body_image) {
		if (asprintf(&reason, "文件“%s”为空文件（0 字节）", f->path) < 0)
			return -1;
		r = ledger_insert_problem(lg, msg, fid, PROB_EMPTY_FILE, f->path, reason);
	}
	free(reason);
	return r;
}

/*
 * Ledger id of the file the child numbered seq (0 for none).  The child
 * hands out seq 1, 2, ... in order and only skips numbers, so the file is
 * nearly always at index seq - 1 or just before it; look there first.
 */
static long long file_id_of_seq(const struct worker_result *wr, const long long *file_ids,
                                unsigned seq)
{
	size_t start, j;

	if (seq == 0 || wr->nfiles == 0)
		return 0;
	start = (size_t)seq - 1 < wr->nfiles ? (size_t)seq - 1 : wr->nfiles - 1;
	for (j = start + 1; j-- > 0 && wr->files[j].seq >= seq;)
		if (wr->files[j].seq == seq)
			return file_ids[j];
	for (j = 0; j < wr->nfiles; j++)
		if (wr->files[j].seq == seq)
			return file_ids[j];
	return 0;
}

static bool worker_has_problem(const struct worker_result *wr, const char *kind)
{
	for (size_t i = 0; i < wr->nproblems; i++)
		if (strcmp(wr->problems[i].kind, kind) == 0)
			return true;
	return false;
}

static const char *reply_owed(const struct campaign *c, const char *kind, const char *status,
                              time_t received)
{
	if (strcmp(kind, TRIAGE_SUBMISSION) != 0)
		return NULL;
	/* Mail from before the call opened is history, not a submission to
	 * this campaign: a new installation on an old mailbox must not answer. */
	if (received < c->opens)
		return NULL;
	if (strcmp(status, "late") == 0) {
		if (received > c->deadline + (time_t)c->late_reply_days * 86400)
			return NULL;
		return "late-notice";
	}
	if (strcmp(status, "accepted") == 0)
		return "receipt";
	if (strcmp(status, "incomplete") == 0)
		return "missing-items";
	if (strcmp(status, "rejected") == 0)
		return "error-notice";
	return NULL;
}

struct classify_file *ingest_classify_files(const struct worker_result *wr)
{
	struct classify_file *cf = calloc(wr->nfiles + 1, sizeof(*cf));

	for (size_t i = 0; cf && i < wr->nfiles; i++) {
		const struct worker_file *f = &wr->files[i];
		cf[i] = (struct classify_file){
			.id = (unsigned)i, .name = f->name, .path = f->path, .top = f->top,
			.top_name = f->top_name, .inner = f->inner, .kind = (enum sniff_kind)f->kind,
			.mime = f->mime, .container = f->container, .body_image = f->body_image,
			.text = f->text, .text_len = f->text_len, .text_source = f->text_source,
			.text_confidence = f->text_confidence,
		};
	}
	return cf;
}

/* ---- what the documents say (schema v6) ---- */

static const char *text_source_name(int s)
{
	switch (s) {
	case TEXT_OOXML: return "ooxml";
	case TEXT_PDF: return "pdf";
	case TEXT_LEGACY: return "legacy";
	case TEXT_PLAIN: return "plain";
	case TEXT_OCR: return "ocr";
	default: return "none";
	}
}

/* The application form of a program: its first item in the notice's
 * 申报目录 (B01, S01: 申请表). */
static const char *form_item(const struct campaign *c, int prog)
{
	const struct campaign_item *best = NULL;

	for (size_t i = 0; i < c->nitems; i++) {
		const struct campaign_item *it = &c->items[i];
		if (it->program == prog && it->number > 0 && (!best || it->number < best->number))
			best = it;
	}
	return best ? best->id : NULL;
}

static json_t *values_json(const struct elig_values *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < v->n; i++) {
		const struct elig_value *e = &v->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "field", json_string(e->field ? e->field : ""));
		json_object_set_new(o, "label", e->label ? json_string(e->label) : json_null());
		json_object_set_new(o, "found", json_boolean(e->found));
		json_object_set_new(o, "num", e->found && !e->date ? json_real(e->num) : json_null());
		json_object_set_new(o, "raw", e->raw ? json_string(e->raw) : json_null());
		json_object_set_new(o, "date", e->date ? json_string(e->date) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

static const char *elig_status_name(enum elig_status s)
{
	return s == ELIG_PASS ? "pass" : s == ELIG_FAIL ? "fail" : "unknown";
}

/* Read the form's values, check them, replace the dossier's pre-check.
 * Advice for staff; only a campaign with check_affects_reply puts a
 * failed condition into the county's reply (as an eligibility problem). */
static int record_eligibility(struct ingest *in, long long msg, long long dossier, int prog,
                              long long file, const struct worker_file *f)
{
	const struct campaign *c = in->camp;
	struct elig_values v;
	struct elig_report rep;
	json_t *vj;
	char *vals;
	int r = -1;

	memset(&v, 0, sizeof(v));
	memset(&rep, 0, sizeof(rep));
	if (elig_read(c, prog, f->text, f->text_len, &v) != 0)
		return -1;
	if (elig_check(c, prog, &v, f->text, f->text_len, &rep) != 0) {
		elig_values_free(&v);
		return -1;
	}
	vj = values_json(&v);
	vals = vj ? json_dumps(vj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(vj);
	if (rep.n > 0 && ledger_clear_eligibility(in->ledger, dossier) == 0) {
		r = 0;
		for (size_t i = 0; i < rep.n && r == 0; i++)
			r = ledger_insert_eligibility(in->ledger, dossier, file, rep.flags[i].rule,
			                              elig_status_name(rep.flags[i].status),
			                              rep.flags[i].message, vals);
		if (r == 0 && c->check_affects_reply) {
			/* reprocess reads the form again: its problems are replaced */
			sqlite3_stmt *st;
			if (sqlite3_prepare_v2(ledger_db(in->ledger), "DELETE FROM problems WHERE message = ?"
			                       " AND file = ? AND kind = '" PROB_ELIGIBILITY "'", -1, &st, NULL) != SQLITE_OK)
				r = -1;
			else {
				sqlite3_bind_int64(st, 1, msg);
				sqlite3_bind_int64(st, 2, file);
				r = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
				sqlite3_finalize(st);
			}
		}
		for (size_t i = 0; r == 0 && c->check_affects_reply && i < rep.n; i++) {
			char *reason = NULL;
			if (rep.flags[i].status != ELIG_FAIL)
				continue;
			if (asprintf(&reason, "申请表“%s”：%s", f->path,
			             rep.flags[i].message ? rep.flags[i].message : rep.flags[i].rule) < 0)
				r = -1;
			else
				r = ledger_insert_problem(in->ledger, msg, file, PROB_ELIGIBILITY, f->path, reason);
			free(reason);
		}
	} else if (rep.n == 0) {
		r = 0;
	}
	free(vals);
	elig_values_free(&v);
	elig_report_free(&rep);
	return r;
}

/* duplicate-unit: another dossier of the campaign (any county or program)
 * carries this dossier's credit code.  Staff only (reply.c keeps it out
 * of the county's reply). */
static int duplicate_units(struct ingest *in, long long msg, long long dossier)
{
	struct ledger *lg = in->ledger;
	sqlite3_stmt *st = NULL;
	long long *ids = NULL;
	size_t n = 0;
	int r = 0;

	if (ledger_same_code(lg, dossier, &ids, &n) != 0)
		return -1;
	if (n > 0 && sqlite3_prepare_v2(ledger_db(lg),
		"SELECT d.id, d.county, d.applicant, d.credit_code, o.applicant FROM dossiers d, dossiers o"
		" WHERE d.id = ? AND o.id = ?", -1, &st, NULL) != SQLITE_OK)
		r = -1;
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *reason = NULL;
		const char *cid;
		int ci;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int64(st, 2, dossier);
		if (sqlite3_step(st) != SQLITE_ROW)
			continue;
		cid = (const char *)sqlite3_column_text(st, 1);
		ci = cid ? campaign_county_index(in->camp, cid) : -1;
		if (asprintf(&reason, "“%s”的统一社会信用代码 %s 与已登记的申报单位 #%lld“%s”（%s）相同，"
		             "可能是同一单位重复申报，请人工核对",
		             (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 3),
		             ids[i], (const char *)sqlite3_column_text(st, 2),
		             ci >= 0 ? in->camp->counties[ci].name : "县区未识别") < 0) {
			r = -1;
			break;
		}
		r = ledger_insert_problem(lg, msg, 0, PROB_DUPLICATE_UNIT,
		                          (const char *)sqlite3_column_text(st, 3), reason);
		free(reason);
	}
	sqlite3_finalize(st);
	free(ids);
	return r;
}

/* The file of dossier k that is its application form with text: the
 * text layer of a document before an OCR reading. */
static int form_file(const struct campaign *c, const struct worker_result *wr,
                     const struct classify_result *cr, size_t k, int prog)
{
	const char *form = form_item(c, prog);
	int best = -1;

	if (!form)
		return -1;
	for (size_t i = 0; i < wr->nfiles && i < cr->nfiles; i++) {
		const struct classify_assignment *a = &cr->files[i];
		const struct worker_file *f = &wr->files[i];
		if (a->dossier != (int)k || !a->item || strcmp(a->item, form) != 0 || !f->text)
			continue;
		if (best < 0 || (wr->files[best].text_source == TEXT_OCR && f->text_source != TEXT_OCR))
			best = (int)i;
	}
	return best;
}

int ingest_content(struct ingest *in, long long msg, const struct worker_result *wr,
                   const struct classify_result *cr, const long long *file_ids,
                   const long long *dossier_ids, char *err, size_t errlen)
{
	const struct campaign *c = in->camp;
	struct ledger *lg = in->ledger;

	for (size_t i = 0; i < wr->nfiles; i++) {
		const struct worker_file *f = &wr->files[i];
		struct ledger_text t = {
			.source = text_source_name(f->text_source), .confidence = f->text_confidence,
			.pages = f->text_pages, .truncated = f->text_truncated, .note = f->text_note,
			.text = f->text, .text_len = f->text_len,
		};
		if (!f->text_done || file_ids[i] <= 0)
			continue;
		if (ledger_insert_text(lg, file_ids[i], &t) != 0)
			goto sqlerr;
	}
	if (!cr)
		return 0;
	for (size_t k = 0; k < cr->ndossiers; k++) {
		const struct classify_dossier *d = &cr->dossiers[k];
		int ff;

		if (!dossier_ids[k])
			continue;
		if (d->credit_code && *d->credit_code) {
			/* Once per dossier: when its code is first recorded. */
			int set = ledger_set_credit_code(lg, dossier_ids[k], d->credit_code);
			if (set < 0 || (set > 0 && duplicate_units(in, msg, dossier_ids[k]) != 0))
				goto sqlerr;
		}
		if (d->program < 0 || (ff = form_file(c, wr, cr, k, d->program)) < 0)
			continue;
		if (record_eligibility(in, msg, dossier_ids[k], d->program, file_ids[ff], &wr->files[ff]) != 0)
			goto sqlerr;
	}
	return 0;
sqlerr:
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(lg));
	return -1;
}

/* Everything after the parse, in one transaction. */
static int record(struct ingest *in, const char *sha, uint64_t size,
                  const struct ingest_time *rt, struct worker_result *wr,
                  struct ingest_outcome *o, char *err, size_t errlen)
{
	const struct campaign *c = in->camp;
	struct ledger *lg = in->ledger;
	struct ledger_message lm;
	struct classify_county cc;
	struct classify_result cr;
	struct classify_known *known = NULL;
	size_t nknown = 0;
	struct classify_file *cf = NULL;
	const char **names = NULL;
	long long *dossier_ids = NULL, *file_ids = NULL, msg = 0;
	struct plist pl = { NULL, 0 };
	const char *kind, *kind_ev, *status = NULL, *county_id = NULL;
	bool submission, classified = false, in_txn = false;
	char trust_ev[384], trust_reason[640];
	int ret = -1;

	memset(&cc, 0, sizeof(cc));
	memset(&cr, 0, sizeof(cr));
	cc.county = -1;
	kind = triage_message(&wr->info, &kind_ev);
	submission = strcmp(kind, TRIAGE_SUBMISSION) == 0;
	/* Who may submit: anyone by default (clerks write from personal
	 * addresses; unmapped senders are shown to staff as unverified),
	 * only mapped senders with senders = strict, and with
	 * trust_authserv_id only mail our own server authenticated. */
	if (submission && in->cfg->trust_authserv_id) {
		const char *at = wr->info.from_addr ? strrchr(wr->info.from_addr, '@') : NULL;

		if (authres_judge(wr->info.auth_results, in->cfg->trust_authserv_id,
		                  at ? at + 1 : NULL, trust_ev, sizeof(trust_ev)) != AUTHRES_PASS) {
			kind = "unauthenticated";
			kind_ev = trust_ev;
			submission = false;
			snprintf(trust_reason, sizeof(trust_reason),
			         "发件人未通过本局邮件服务器的身份验证（%s），可能是冒用的地址，未作为申报材料受理",
			         trust_ev);
			plist_add(&pl, PROB_SENDER_UNAUTHENTICATED, wr->info.from_addr, trust_reason);
		}
	}
	if (submission && in->cfg->senders_strict && !sender_in_map(c, wr->info.from_addr)) {
		kind = "unknown-sender";
		snprintf(trust_ev, sizeof(trust_ev), "%s is not in the campaign's sender map",
		         wr->info.from_addr ? wr->info.from_addr : "(no From)");
		kind_ev = trust_ev;
		submission = false;
		snprintf(trust_reason, sizeof(trust_reason),
		         "发件地址 %s 不在本次申报登记的县市区发件地址名单中，未作为申报材料受理",
		         wr->info.from_addr ? wr->info.from_addr : "（无）");
		plist_add(&pl, PROB_SENDER_UNKNOWN, wr->info.from_addr, trust_reason);
	}

	cf = ingest_classify_files(wr);
	names = calloc(wr->nfiles + 1, sizeof(*names));
	file_ids = calloc(wr->nfiles + 1, sizeof(*file_ids));
	if (!cf || !names || !file_ids)
		goto nomem;
	for (size_t i = 0; i < wr->nfiles; i++)
		names[i] = wr->files[i].path;
	if (classify_county(c, wr->info.from_addr, wr->info.from_display, wr->info.subject,
	                    names, wr->nfiles, &cc) != 0)
		goto nomem;
	/* Only a submission is counted as received from a county: an
	 * auto-reply from a county's mailbox is not something it sent us. */
	if (cc.county >= 0 && submission)
		county_id = c->counties[cc.county].id;

	if (ledger_begin(lg) != 0)
		goto sqlerr;
	in_txn = true;
	if (submission && wr->mime_ok) {
		struct classify_input ci = {
			.c = c, .subject = wr->info.subject, .from_addr = wr->info.from_addr,
			.from_display = wr->info.from_display, .files = cf, .nfiles = wr->nfiles,
		};
		if (ledger_known_dossiers(lg, c, county_id, &known, &nknown) != 0)
			goto sqlerr;
		ci.known = known;
		ci.nknown = nknown;
		if (classify_message(&ci, &cr, plist_add, &pl) != 0)
			goto nomem;
		classified = true;
	}

	memset(&lm, 0, sizeof(lm));
	lm.sha256 = sha;
	lm.size = size;
	lm.message_id = wr->info.message_id;
	lm.subject = wr->info.subject;
	lm.sender = wr->info.from_addr;
	lm.sender_display = wr->info.from_display;
	lm.reply_to = wr->info.reply_to_addr;
	lm.date_header = wr->info.date_raw;
	lm.in_reply_to = wr->info.in_reply_to;
	lm.received_at = rt->t;
	lm.received_offset = rt->offset_min;
	lm.received_source = rt->source;
	lm.mailbox = rt->mailbox;
	lm.uidvalidity = rt->uidvalidity;
	lm.uid = rt->uid;
	lm.county = county_id;
	lm.county_evidence = county_id ? cc.evidence : NULL;
	lm.sender_verified = sender_in_map(c, wr->info.from_addr);
	lm.kind = kind;
	lm.kind_evidence = kind_ev;
	lm.parsed = wr->mime_ok;
	lm.late = rt->t > c->deadline;
	lm.supplement = classified && cr.supplement;
	if (ledger_insert_message(lg, &lm, &msg) != 0)
		goto sqlerr;

	/* Dossiers, in classification order. */
	if (classified && cr.ndossiers > 0) {
		dossier_ids = calloc(cr.ndossiers, sizeof(*dossier_ids));
		if (!dossier_ids)
			goto nomem;
		for (size_t i = 0; i < cr.ndossiers; i++) {
			const struct classify_dossier *d = &cr.dossiers[i];
			const char *prog = d->program >= 0 ? c->programs[d->program].key : "";
			char *key = classify_applicant_key(c, d->applicant);
			char *ev = NULL;
			int rr;
			if (!key)
				goto nomem;
			if (asprintf(&ev, "%s%s%s%s%s", d->applicant_evidence ? d->applicant_evidence : "",
			             d->program_evidence ? "；" : "", d->program_evidence ? d->program_evidence : "",
			             d->merge_evidence ? "；" : "", d->merge_evidence ? d->merge_evidence : "") < 0)
				ev = NULL;
			rr = ledger_dossier_for(lg, msg, county_id, prog, d->applicant, key, ev,
			                        d->merge_into, &dossier_ids[i]);
			free(key);
			free(ev);
			if (rr != 0)
				goto sqlerr;
		}
	}

	/* Files, then their assignments and the problems they carry. */
	for (size_t i = 0; i < wr->nfiles; i++) {
		const struct worker_file *f = &wr->files[i];
		const struct classify_assignment *a = classified ? &cr.files[i] : NULL;
		struct ledger_file lf = {
			.message = msg, .seq = f->seq, .part = f->part, .path = f->path, .name = f->name,
			.name_raw = f->name_raw, .name_raw_len = f->name_raw_len, .name_lossy = f->name_lossy,
			.depth = f->depth, .size = f->size, .sha256 = f->sha256, .mime = f->mime,
			.kind = sniff_kind_name((enum sniff_kind)f->kind), .ext_mismatch = f->ext_mismatch,
			.container = f->container, .body_image = f->body_image,
			.ignored = a ? a->ignored : false, .stored = f->stored[0] ? f->stored : NULL,
		};
		lf.parent = file_id_of_seq(wr, file_ids, f->parent);
		if (a && a->dossier >= 0 && (size_t)a->dossier < cr.ndossiers)
			lf.dossier = dossier_ids[a->dossier];
		if (ledger_insert_file(lg, &lf, &file_ids[i]) != 0)
			goto sqlerr;
		if (a && (a->item || a->evidence) &&
		    ledger_assign_ex(lg, file_ids[i], a->item, a->evidence, "machine", a->confidence,
		                     a->by_content) != 0)
			goto sqlerr;
		/* Junk the campaign ignores (AppleDouble, Thumbs.db) raises nothing. */
		if (!(a && a->ignored) && file_problems(lg, msg, file_ids[i], f, submission) != 0)
			goto sqlerr;
	}
	if (ingest_content(in, msg, wr, classified ? &cr : NULL, file_ids, dossier_ids, err, errlen) != 0)
		goto out;
	for (size_t i = 0; i < wr->nproblems; i++) {
		const struct worker_problem *p = &wr->problems[i];
		long long fid = file_id_of_seq(wr, file_ids, p->file);
		if (ledger_insert_problem(lg, msg, fid, p->kind, p->subject, p->reason) != 0)
			goto sqlerr;
	}
	for (size_t i = 0; i < pl.n; i++) {
		long long fid = 0;
		for (size_t j = 0; j < wr->nfiles && pl.v[i].subject; j++)
			if (strcmp(wr->files[j].path, pl.v[i].subject) == 0)
				fid = file_ids[j];
		if (ledger_insert_problem(lg, msg, fid, pl.v[i].kind, pl.v[i].subject, pl.v[i].reason) != 0)
			goto sqlerr;
	}
	if (submission && wr->mime_ok && cc.county < 0 &&
	    ledger_insert_problem(lg, msg, 0, PROB_UNKNOWN_COUNTY, wr->info.from_addr,
	                          "无法确定报送单位所属的县市区或园区，已转工作人员人工核对") != 0)
		goto sqlerr;
	if (submission && wr->mime_ok && wr->nfiles == 0 && !worker_has_problem(wr, PROB_MIME_UNPARSEABLE) &&
	    ledger_insert_problem(lg, msg, 0, PROB_NO_ATTACHMENT, NULL, "邮件中没有附件") != 0)
		goto sqlerr;

	if (ledger_message_status(lg, c, msg, &status) != 0)
		goto sqlerr;
	o->reply = reply_owed(c, kind, status, rt->t);
	if (ledger_set_reply(lg, msg, o->reply) != 0)
		goto sqlerr;
	/* The reply (or why none) commits with the message. */
	if (reply_record(in, msg, &o->reply, err, errlen) != 0)
		goto out;
	/* The extracted files are named in the ledger only once they are in
	 * their final place. */
	if (spool_commit_files(in->spool, sha, err, errlen) != 0)
		goto out;
	if (ledger_commit(lg) != 0)
		goto sqlerr;
	in_txn = false;
	o->message = msg;
	o->status = status;
	snprintf(o->county, sizeof(o->county), "%s", county_id ? county_id : "");
	o->ndossiers = classified ? (unsigned)cr.ndossiers : 0;
	o->nfiles = (unsigned)wr->nfiles;
	{
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(ledger_db(lg), "SELECT count(*) FROM problems WHERE message = ?",
		                       -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, msg);
			if (sqlite3_step(st) == SQLITE_ROW)
				o->nproblems = (unsigned)sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
	}
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
	goto out;
sqlerr:
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(lg));
out:
	if (in_txn)
		ledger_rollback(lg);
	plist_free(&pl);
	if (classified)
		classify_result_free(&cr);
	classify_county_free(&cc);
	ledger_known_free(known, nknown);
	free(cf);
	free(names);
	free(file_ids);
	free(dossier_ids);
	return ret;
}

struct ingest_ahead {
	char sha[SPOOL_HEX_LEN + 1];
	int fd, wd;
	struct worker_job *job;
};

void ingest_ahead_drop(struct ingest *in)
{
	struct ingest_ahead *ah = in->ahead;

	if (!ah)
		return;
	in->ahead = NULL;
	worker_set_background(NULL);
	worker_abandon(ah->job);
	close(ah->wd);
	close(ah->fd);
	spool_discard_work(in->spool, ah->sha);
	free(ah);
}

/*
 * A parse ahead is speculative: it must not take the disk space the
 * message being parsed needs.  With less free than this plus four times
 * the next message, messages go one at a time, and a full disk stops
 * intake at the message that filled it, as without parse ahead.
 */
#define AHEAD_MIN_FREE (256ULL << 20)

static bool room_for_ahead(struct ingest *in, int fd)
{
	struct statvfs sv;
	struct stat st;

	if (fstat(fd, &st) != 0 || statvfs(spool_state_dir(in->spool), &sv) != 0)
		return false;
	return (unsigned long long)sv.f_bavail * sv.f_frsize >=
	       AHEAD_MIN_FREE + 4ULL * (unsigned long long)st.st_size;
}

bool ingest_ahead(struct ingest *in, const char *sha)
{
	struct ingest_ahead *ah;
	char err[256];

	if (in->ahead)
		return strcmp(in->ahead->sha, sha) == 0;
	if (in->in_process || strlen(sha) != SPOOL_HEX_LEN ||
	    strcmp(sha, in->current) == 0 || ledger_message_by_sha(in->ledger, sha) != 0)
		return false;
	ah = calloc(1, sizeof(*ah));
	if (!ah)
		return false;
	memcpy(ah->sha, sha, sizeof(ah->sha));
	ah->wd = -1;
	ah->fd = spool_open_message(in->spool, sha);
	if (ah->fd >= 0 && !room_for_ahead(in, ah->fd)) {
		close(ah->fd);
		free(ah);
		return false;
	}
	if (ah->fd >= 0)
		ah->wd = spool_work_dir(in->spool, sha, err, sizeof(err));
	/* Any failure here is met again, and reported, when its turn comes. */
	if (ah->fd < 0 || ah->wd < 0 ||
	    worker_start(ah->fd, ah->wd, &in->cfg->limits, &ah->job, err, sizeof(err)) != 0) {
		if (ah->wd >= 0)
			close(ah->wd);
		if (ah->fd >= 0)
			close(ah->fd);
		free(ah);
		return false;
	}
	in->ahead = ah;
	worker_set_background(ah->job);
	return true;
}

int ingest_spooled(struct ingest *in, const char *sha, const struct ingest_time *received,
                   struct ingest_outcome *o, char *err, size_t errlen)
{
	struct ingest_ahead *ah = NULL;
	struct worker_result wr;
	struct ingest_time rt;
	int fd = -1, wd = -1, ret = -1;
	long long existing;
	off_t size;

	memset(o, 0, sizeof(*o));
	snprintf(o->sha256, sizeof(o->sha256), "%s", sha);
	if (in->ahead && strcmp(in->ahead->sha, sha) == 0) {
		ah = in->ahead;
		in->ahead = NULL;
		worker_set_background(NULL);
	} else {
		ingest_ahead_drop(in);   /* a message skipped after all */
	}
	existing = ledger_message_by_sha(in->ledger, sha);
	if (existing != 0 && ah) {
		in->ahead = ah;          /* cannot be: ingest_ahead() looked */
		ingest_ahead_drop(in);
		ah = NULL;
	}
	if (existing < 0) {
		snprintf(err, errlen, "ledger: %s", ledger_errmsg(in->ledger));
		return -1;
	}
	if (existing > 0) {
		o->duplicate = true;
		o->message = existing;
		return 0;
	}
	snprintf(in->current, sizeof(in->current), "%s", sha);
	if (ah) {
		int r;

		fd = ah->fd;
		wd = ah->wd;
		r = worker_finish(ah->job, &wr, err, errlen);
		free(ah);
		size = lseek(fd, 0, SEEK_END);
		if (r != 0)
			goto out;
		goto parsed;
	}
	fd = spool_open_message(in->spool, sha);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open spooled message %s: %s", sha, strerror(errno));
		return -1;
	}
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, 0, SEEK_SET);
	wd = spool_work_dir(in->spool, sha, err, errlen);
	if (wd < 0)
		goto out;
	if (worker_parse(fd, wd, &in->cfg->limits, !in->in_process, &wr, err, errlen) != 0)
		goto out;
parsed:
	if (received) {
		rt = *received;
	} else if (wr.received_known) {
		rt = (struct ingest_time){ .t = wr.received, .offset_min = wr.received_offset, .source = "received-header" };
	} else {
		rt = (struct ingest_time){ .t = time(NULL), .offset_min = in->camp->tz_offset_min, .source = "ingest-time" };
	}
	ret = record(in, sha, (uint64_t)(size < 0 ? 0 : size), &rt, &wr, o, err, errlen);
	worker_result_free(&wr);
out:
	{
		/* The caller tells a full disk from a bad message by errno. */
		int e = errno;

		if (ret != 0)
			spool_discard_work(in->spool, sha);
		if (wd >= 0)
			close(wd);
		close(fd);
		in->current[0] = '\0';
		errno = e;
	}
	return ret;
}

int ingest_fd(struct ingest *in, int fd, const struct ingest_time *received,
              struct ingest_outcome *o, char *err, size_t errlen)
{
	char sha[SPOOL_HEX_LEN + 1];
	bool existed;
	uint64_t size;

	memset(o, 0, sizeof(*o));
	/* Durable before anything else happens to it. */
	if (spool_store_fd(in->spool, fd, in->cfg->limits.message_bytes, sha, &existed, &size,
	                   err, errlen) != 0)
		return -1;
	return ingest_spooled(in, sha, received, o, err, errlen);
}

int ingest_recover(struct ingest *in, unsigned *n_r, char *err, size_t errlen)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	int ret = 0;

	*n_r = 0;
	snprintf(path, sizeof(path), "%s/spool", spool_state_dir(in->spool));
	d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char sha[SPOOL_HEX_LEN + 1];
		struct ingest_outcome o;
		size_t n = strlen(e->d_name);
		if (n != SPOOL_HEX_LEN + 4 || strcmp(e->d_name + SPOOL_HEX_LEN, ".eml") != 0)
			continue;
		memcpy(sha, e->d_name, SPOOL_HEX_LEN);
		sha[SPOOL_HEX_LEN] = '\0';
		if (ledger_message_by_sha(in->ledger, sha) != 0)
			continue;
		if (ingest_spooled(in, sha, NULL, &o, err, errlen) != 0) {
			ret = -1;
			break;
		}
		(*n_r)++;
	}
	closedir(d);
	return ret;
}

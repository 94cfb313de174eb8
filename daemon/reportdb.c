#include "reportdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query.h"
#include "xlsx_report.h"

int reportdb_parse_format(const char *s, enum report_format *f_r)
{
	static const struct { const char *name; enum report_format f; } t[] = {
		{ "text", REPORT_TEXT }, { "csv", REPORT_CSV }, { "html", REPORT_HTML }, { "xlsx", REPORT_XLSX },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].name) == 0) {
			*f_r = t[i].f;
			return 0;
		}
	return -1;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Index of a county id in the report's county rows: unknown is the last. */
static size_t county_row(const struct campaign *c, const char *id)
{
	int i = id && *id ? campaign_county_index(c, id) : -1;

	return i >= 0 ? (size_t)i : c->ncounties;
}

static char **dup_list(char **v, size_t n)
{
	char **out = calloc(n + 1, sizeof(*out));

	for (size_t i = 0; out && i < n; i++)
		out[i] = strdup(v[i]);
	return out;
}

static int by_county_then_id(const void *a, const void *b)
{
	const struct report_dossier *x = a, *y = b;
	int cx = x->county < 0 ? 1 << 30 : x->county, cy = y->county < 0 ? 1 << 30 : y->county;

	if (cx != cy)
		return cx < cy ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int messages(struct ledger *l, const struct campaign *c, struct report *r, long long *as_of_r)
{
	sqlite3_stmt *st;
	long long max_before = 0, max_all = 0;
	int rc;

	if (sqlite3_prepare_v2(ledger_db(l), "SELECT id, county, kind, received_at FROM messages ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		time_t at = (time_t)sqlite3_column_int64(st, 3);
		bool today = at >= r->day_start && at < r->day_end;

		max_all = id;
		if (at >= r->day_end)
			continue;
		max_before = id;
		if (strcmp(col_text(st, 2), "submission") != 0) {
			r->other_msgs++;
			r->other_msgs_today += today;
			continue;
		}
		struct report_county *k = &r->counties[county_row(c, col_text(st, 1))];
		k->msgs++;
		k->msgs_today += today;
	}
	sqlite3_finalize(st);
	/* As of the last message received by the end of the day; all of them
	 * (0) when nothing later has come in. */
	*as_of_r = max_before == max_all ? 0 : (max_before ? max_before : -1);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The dossier's advisory pre-check as it stands (schema v6; not kept by
 * day: a later form replaces it). */
static int eligibility(struct ledger *l, struct report_dossier *d)
{
	sqlite3_stmt *st;
	size_t flen = 0, ulen = 0;
	int rc;

	if (!ledger_has_table(l, "eligibility"))
		return 0;
	st = query_prepare(l, "SELECT status, message FROM eligibility WHERE dossier = ? ORDER BY id", d->id);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = col_text(st, 0), *msg = col_text(st, 1);
		bool fail = strcmp(status, "fail") == 0;
		char **t = fail ? &d->elig_text : &d->elig_unknown_text;
		size_t *len = fail ? &flen : &ulen, ml;
		char *nt;

		d->elig_checked = true;
		if (strcmp(status, "pass") == 0)
			continue;
		if (fail)
			d->elig_fail++;
		else
			d->elig_unknown++;
		if (!msg)
			continue;
		ml = strlen(msg);
		nt = realloc(*t, *len + ml + 4);
		if (!nt) {
			rc = SQLITE_NOMEM;
			break;
		}
		*t = nt;
		if (*len) {
			memcpy(nt + *len, "；", 3);
			*len += 3;
		}
		memcpy(nt + *len, msg, ml + 1);
		*len += ml;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int dossiers(struct ledger *l, const struct campaign *c, struct report *r, long long as_of)
{
	sqlite3_stmt *st;
	int rc;

	st = query_prepare(l,
		"SELECT d.id, d.program, d.applicant, d.county, d.credit_code, d.paper_received,"
		" m.late, m.received_at, m.received_offset"
		" FROM dossiers d JOIN messages m ON m.id = d.first_message"
		" WHERE m.received_at < ? ORDER BY d.id", (sqlite3_int64)r->day_end);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_dossier *nd = realloc(r->dossiers, (r->ndossiers + 1) * sizeof(*nd)), *d;
		struct ledger_items it;
		size_t row;

		if (!nd)
			goto fail;
		r->dossiers = nd;
		d = &r->dossiers[r->ndossiers];
		memset(d, 0, sizeof(*d));
		d->id = sqlite3_column_int64(st, 0);
		d->program = campaign_program_index(c, col_text(st, 1));
		d->applicant = strdup(col_text(st, 2));
		row = county_row(c, col_text(st, 3));
		d->county = row < c->ncounties ? (int)row : -1;
		d->credit_code = col_text(st, 4) ? strdup(col_text(st, 4)) : NULL;
		d->paper = sqlite3_column_int(st, 5) != 0;
		d->late = sqlite3_column_int(st, 6) != 0;
		d->first_received = (time_t)sqlite3_column_int64(st, 7);
		d->first_offset = sqlite3_column_int(st, 8);
		d->today = d->first_received >= r->day_start;
		r->ndossiers++;
		if (!d->applicant)
			goto fail;
		if (ledger_dossier_state(l, c, d->id, as_of, &it) != 0)
			goto fail;
		d->npresent = it.npresent;
		d->nmissing = it.nmissing;
		d->missing = dup_list(it.missing, it.nmissing);
		ledger_items_free(&it);
		if (!d->missing)
			goto fail;
		d->complete = d->program >= 0 && d->nmissing == 0;
		if (eligibility(l, d) != 0)
			goto fail;

		struct report_county *k = &r->counties[row];
		if (d->program >= 0)
			k->dossiers[d->program]++;
		else
			k->unknown_program++;
		k->new_today += d->today;
		if (d->late)
			k->late++;
		else if (d->complete)
			k->complete++;
		else
			k->incomplete++;
	}
	sqlite3_finalize(st);
	if (r->ndossiers > 1)
		qsort(r->dossiers, r->ndossiers, sizeof(*r->dossiers), by_county_then_id);
	return rc == SQLITE_DONE ? 0 : -1;
fail:
	sqlite3_finalize(st);
	return -1;
}

static int problems(struct ledger *l, const struct campaign *c, struct report *r)
{
	sqlite3_stmt *st;
	int rc;

	st = query_prepare(l,
		"SELECT p.message, m.county, m.received_at, m.received_offset, p.kind, p.reason, m.kind"
		" FROM problems p JOIN messages m ON m.id = p.message"
		" WHERE m.received_at < ? ORDER BY p.message, p.id", (sqlite3_int64)r->day_end);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_problem *np, *p;
		size_t row = county_row(c, col_text(st, 1));

		if (strcmp(col_text(st, 6), "submission") != 0)
			continue;
		np = realloc(r->problems, (r->nproblems + 1) * sizeof(*np));
		if (!np)
			goto fail;
		r->problems = np;
		p = &r->problems[r->nproblems++];
		p->message = sqlite3_column_int64(st, 0);
		p->county = row < c->ncounties ? (int)row : -1;
		p->received = (time_t)sqlite3_column_int64(st, 2);
		p->offset = sqlite3_column_int(st, 3);
		p->today = p->received >= r->day_start;
		p->kind = strdup(col_text(st, 4));
		p->reason = strdup(col_text(st, 5) ? col_text(st, 5) : "");
		if (!p->kind || !p->reason)
			goto fail;
		r->counties[row].problems++;
		r->counties[row].problems_today += p->today;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
fail:
	sqlite3_finalize(st);
	return -1;
}

int reportdb_build(struct ledger *l, const struct campaign *c, time_t day_start, time_t now,
                   struct report *r, char *err, size_t errlen)
{
	long long as_of = 0;
	int dy, dm, dd;

	memset(r, 0, sizeof(*r));
	r->c = c;
	r->day_start = day_start;
	r->day_end = day_start + 86400;
	r->generated = now;
	report_day_of(c, day_start, &r->year, &r->month, &r->day);
	report_day_of(c, c->deadline, &dy, &dm, &dd);
	r->days_left = (long)((report_day_start(c, dy, dm, dd) - day_start) / 86400);
	r->ncounties = c->ncounties + 1;
	r->counties = calloc(r->ncounties, sizeof(*r->counties));
	if (!r->counties)
		goto nomem;
	if (messages(l, c, r, &as_of) != 0)
		goto sqlfail;
	if (as_of >= 0) {
		if (dossiers(l, c, r, as_of) != 0 || problems(l, c, r) != 0)
			goto sqlfail;
		for (size_t i = 0; i < c->ncounties; i++) {
			struct ledger_items it;
			struct report_county *k = &r->counties[i];
			if (k->msgs == 0)
				continue;
			if (ledger_county_state(l, c, c->counties[i].id, as_of, &it) != 0)
				goto sqlfail;
			k->county_missing = dup_list(it.missing, it.nmissing);
			k->ncounty_missing = it.nmissing;
			ledger_items_free(&it);
			if (!k->county_missing)
				goto nomem;
		}
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	report_free(r);
	return -1;
sqlfail:
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(l));
	report_free(r);
	return -1;
}

static int render(const struct report *r, enum report_format f, FILE *out)
{
	switch (f) {
	case REPORT_TEXT: return report_text(r, out);
	case REPORT_CSV: return report_csv(r, out);
	case REPORT_HTML: return report_html(r, out);
	case REPORT_XLSX: break;
	}
	return -1;
}

int reportdb_html(const struct report *r, char **buf_r, size_t *len_r)
{
	FILE *f = open_memstream(buf_r, len_r);
	int ret;

	if (!f)
		return -1;
	ret = report_html(r, f);
	if (fclose(f) != 0)
		ret = -1;
	if (ret != 0) {
		free(*buf_r);
		*buf_r = NULL;
	}
	return ret;
}

int reportdb_write(const struct report *r, enum report_format f, const char *path,
                   char *err, size_t errlen)
{
	char *tmp = NULL;
	FILE *out = NULL;
	int fd = -1, ret = -1;

	if (!path) {
		if (f == REPORT_XLSX) {
			snprintf(err, errlen, "XLSX needs an output file (-o FILE)");
			return -1;
		}
		if (render(r, f, stdout) != 0 || fflush(stdout) != 0) {
			snprintf(err, errlen, "writing the report: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	/* Beside the target, so that rename() replaces it in one step. */
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (f == REPORT_XLSX) {
		close(fd);
		fd = -1;
		if (xlsx_report_write(r, tmp, err, errlen) != 0)
			goto out;
	} else {
		out = fdopen(fd, "w");
		if (!out) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			goto out;
		}
		fd = -1;
		if (render(r, f, out) != 0 || fflush(out) != 0 || fsync(fileno(out)) != 0) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			goto out;
		}
		if (fclose(out) != 0) {
			out = NULL;
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			goto out;
		}
		out = NULL;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (out)
		fclose(out);
	if (fd >= 0)
		close(fd);
	if (tmp && ret != 0)
		unlink(tmp);
	free(tmp);
	return ret;
}

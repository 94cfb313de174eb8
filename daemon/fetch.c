#include "fetch.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "mailstate.h"
#include "netsec.h"
#include "worker.h"

int fetcher_init(struct fetcher *f, struct app *a, char *err, size_t errlen)
{
	const struct config_mail *m = &a->cfg->imap;

	memset(f, 0, sizeof(*f));
	f->app = a;
	f->stop_fd = -1;
	if (!m->set) {
		snprintf(err, errlen, "%s: no [imap] section: nothing to poll", a->cfg->path);
		return -1;
	}
	if (m->password_file) {
		f->password = netsec_read_password(m->password_file, err, errlen);
		if (!f->password)
			return -1;
	}
	return 0;
}

/* Committed but not taken: the spool keeps it (ingest_recover() or the
 * next fetch records it); its parse ahead is stopped. */
static void slot_drop(struct fetcher *f, unsigned k)
{
	if (f->pf[k].ahead)
		ingest_ahead_drop(&f->app->ingest);
	spool_writer_abort(&f->pf[k].w);
	memset(&f->pf[k], 0, sizeof(f->pf[k]));
}

/* The first slot's message is taken (or dropped): the queue moves on. */
static void slot_shift(struct fetcher *f)
{
	for (unsigned k = 0; k + 1 < FETCH_AHEAD; k++)
		f->pf[k] = f->pf[k + 1];
	memset(&f->pf[FETCH_AHEAD - 1], 0, sizeof(f->pf[0]));
}

static void prefetch_drop(struct fetcher *f)
{
	for (unsigned k = 0; k < FETCH_AHEAD; k++)
		slot_drop(f, k);
}

/*
 * worker_idle: one step of fetching the queued messages, in order; each
 * is committed to the spool once whole and parsed ahead as soon as the
 * turn is free (ingest_ahead()).  Any failure just ends the prefetch at
 * that message; one() then takes it the ordinary way and meets the
 * failure again where it is counted, reported and retried.  False when
 * only waiting is left.
 */
static bool prefetch_step(void *ctx)
{
	struct fetcher *f = ctx;
	const struct config *cfg = f->app->cfg;
	enum imap_fail why;
	char err[512];
	bool done;

	for (unsigned k = 0; k < FETCH_AHEAD; k++) {
		struct prefetch *pf = &f->pf[k];

		if (pf->uid == 0)
			return false;
		switch (pf->st) {
		case PF_START:
			pf->meta = (struct imap_msg){ .uid = pf->uid };
			if (imap_fetch_meta(f->im, pf->uid, &pf->meta, &why, err, sizeof(err)) != 0 ||
			    (cfg->limits.message_bytes && pf->meta.size > cfg->limits.message_bytes) ||
			    spool_writer_begin(f->app->spool, cfg->limits.message_bytes, &pf->w,
			                       err, sizeof(err)) != 0) {
				pf->st = PF_FAILED;
				return false;
			}
			pf->st = PF_BODY;
			return true;
		case PF_BODY:
			if (imap_fetch_chunk(f->im, pf->uid, cfg->imap.fetch_chunk, pf->w, &pf->off,
			                     &done, &why, err, sizeof(err)) != 0) {
				spool_writer_abort(&pf->w);
				pf->st = PF_FAILED;
				return false;
			}
			if (!done)
				return true;
			/* Whole: commit it; it is recorded only when its turn comes. */
			{
				bool existed;

				if (spool_writer_finish(&pf->w, pf->sha, &existed, err, sizeof(err)) != 0) {
					pf->st = PF_FAILED;
					return false;
				}
			}
			pf->st = PF_SPOOLED;
			return true;
		case PF_SPOOLED:
			if (!pf->ahead && !(pf->ahead = ingest_ahead(&f->app->ingest, pf->sha)))
				return false;   /* the turn is taken: later */
			continue;
		default:
			return false;
		}
	}
	return false;
}

void fetcher_free(struct fetcher *f)
{
	prefetch_drop(f);
	imap_close(&f->im, true);
	netsec_free_password(f->password);
	f->password = NULL;
}

static bool stop_requested(const struct fetcher *f)
{
	struct pollfd p = { f->stop_fd, POLLIN, 0 };

	return f->stop_fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

unsigned fetcher_backoff(struct fetcher *f)
{
	unsigned cap = f->app->cfg->imap.max_backoff, base = 1, n = f->net_failures;
	unsigned r = 0;

	while (n-- > 1 && base < cap)
		base *= 2;
	if (base > cap)
		base = cap;
	/* Full jitter over the upper half: many daemons restarted together
	 * (a server reboot) do not come back in step. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned)rand();
	return base / 2 + (base > 1 ? r % (base - base / 2 + 1) : 1);
}

static void beat(struct fetcher *f)
{
	if (f->heartbeat)
		f->heartbeat(f->hb_ctx);
}

static void progress_cb(void *ctx)
{
	beat(ctx);
}

/* errno values that say the machine, not the message, is the problem. */
static bool local_trouble(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EROFS || e == EIO || e == ENOMEM ||
	       e == EMFILE || e == ENFILE;
}

/* Flag a quarantined message on the server, once. */
static void flag_quarantined(struct fetcher *f, const char *mbox, uint32_t uv, uint32_t uid)
{
	enum imap_fail why;
	char err[512];

	if (!f->im)
		return;
	if (imap_mark_quarantined(f->im, uid, &why, err, sizeof(err)) != 0) {
		log_msg(LOG_WARNING, "uid %u: cannot flag it %s on the server yet: %s", uid,
		        IMAP_KW_QUARANTINED, err);
		return;
	}
	if (mailstate_set_flagged(f->app->ledger, mbox, uv, uid) != 0)
		log_msg(LOG_ERR, "uid %u: ledger: %s", uid, ledger_errmsg(f->app->ledger));
}

/* Count a failed attempt; quarantine when due.  The server is told at
 * once when the connection still stands (conn_ok), else on the next pass. */
static void attempt_failed(struct fetcher *f, const char *mbox, uint32_t uv, uint32_t uid,
                           const char *reason, unsigned max, bool conn_ok)
{
	bool q = false;

	f->total.failed++;
	if (mailstate_failed(f->app->ledger, mbox, uv, uid, reason, max, &q) != 0) {
		log_msg(LOG_ERR, "uid %u: cannot record the failure: %s", uid,
		        ledger_errmsg(f->app->ledger));
		return;
	}
	if (!q) {
		log_msg(LOG_WARNING, "uid %u: attempt failed, will retry: %s", uid, reason);
		return;
	}
	f->total.quarantined++;
	log_msg(LOG_ERR, "uid %u: quarantined after %u attempt(s): %s", uid, max ? max : 1, reason);
	if (conn_ok)
		flag_quarantined(f, mbox, uv, uid);
}

/*
 * One message.  0 done (recorded and marked, or quarantined, or gone);
 * 1 failed this time (retry later); -1 the cycle must stop (*why).
 */
static int one(struct fetcher *f, const char *mbox, uint32_t uv, uint32_t uid,
               uint32_t next_uid, uint32_t next2_uid, enum imap_fail *why, char *err, size_t errlen)
{
	struct imap_msg meta = { .uid = uid }, *m = &meta;
	struct app *a = f->app;
	const struct config_mail *cm = &a->cfg->imap;
	struct spool_writer *w = NULL;
	char sha[SPOOL_HEX_LEN + 1], reason[640];
	struct ingest_outcome o;
	struct ingest_time rt;
	uint64_t off = 0;
	long long id;
	bool existed;
	int q, r;

	*why = IMAP_OK;
	q = mailstate_is_quarantined(a->ledger, mbox, uv, uid);
	if (q < 0)
		goto sqlerr;
	if (q == 2)
		flag_quarantined(f, mbox, uv, uid);
	if (q > 0)
		return 0;
	id = mailstate_message_by_uid(a->ledger, mbox, uv, m->uid);
	if (id < 0)
		goto sqlerr;
	if (id > 0) {
		/* Recorded before a crash or a lost connection: only the mark
		 * is missing. */
		if (imap_mark_processed(f->im, m->uid, why, err, errlen) != 0)
			return *why == IMAP_FAIL_PROTO ? 1 : -1;
		f->total.marked_only++;
		log_msg(LOG_INFO, "uid %u: already recorded as message %lld; marked processed", m->uid, id);
		return 0;
	}
	/* Fetched, or begun, while an earlier message was parsed; one queued
	 * before it and passed over (quarantined, recorded) is dropped. */
	while (f->pf[0].uid != 0 && f->pf[0].uid != uid && f->pf[1].uid == uid) {
		slot_drop(f, 0);
		slot_shift(f);
	}
	if (f->pf[0].uid == uid && f->pf[0].st == PF_SPOOLED) {
		meta = f->pf[0].meta;
		memcpy(sha, f->pf[0].sha, sizeof(sha));
		slot_shift(f);           /* taken, with its parse ahead */
		goto spooled;
	}
	if (f->pf[0].uid == uid && f->pf[0].st == PF_BODY) {
		meta = f->pf[0].meta;
		w = f->pf[0].w;
		off = f->pf[0].off;
		slot_shift(f);
		goto have_writer;
	}
	prefetch_drop(f);
	if (imap_fetch_meta(f->im, uid, &meta, why, err, errlen) != 0) {
		if (*why == IMAP_FAIL_GONE) {
			log_msg(LOG_WARNING, "uid %u: %s; skipped", uid, err);
			*why = IMAP_OK;
			return 0;
		}
		if (*why == IMAP_FAIL_LOCAL)
			return -1;
		attempt_failed(f, mbox, uv, uid, err, cm->max_attempts, *why != IMAP_FAIL_NET);
		return *why == IMAP_FAIL_NET ? -1 : 1;
	}
	if (a->cfg->limits.message_bytes && m->size > a->cfg->limits.message_bytes) {
		snprintf(reason, sizeof(reason), "message of %llu bytes is larger than max_message_bytes (%llu)",
		         (unsigned long long)m->size, (unsigned long long)a->cfg->limits.message_bytes);
		attempt_failed(f, mbox, uv, uid, reason, 0, true);
		return 0;
	}
	if (spool_writer_begin(a->spool, a->cfg->limits.message_bytes, &w, err, errlen) != 0) {
		*why = IMAP_FAIL_LOCAL;
		return -1;
	}
have_writer:
	if (imap_fetch_to_spool(f->im, m->uid, cm->fetch_chunk, w, off, progress_cb, f, why, err,
	                        errlen) != 0) {
		int e = spool_last_errno(a->spool);

		spool_writer_abort(&w);
		if (*why == IMAP_FAIL_GONE) {
			log_msg(LOG_WARNING, "uid %u: %s; skipped", m->uid, err);
			*why = IMAP_OK;
			return 0;
		}
		if (*why == IMAP_FAIL_LOCAL && e == EFBIG) {
			attempt_failed(f, mbox, uv, uid, err, 0, true);
			*why = IMAP_OK;
			return 0;
		}
		if (*why == IMAP_FAIL_LOCAL && local_trouble(e))
			return -1;
		attempt_failed(f, mbox, uv, uid, err, cm->max_attempts, *why != IMAP_FAIL_NET);
		return *why == IMAP_FAIL_NET ? -1 : 1;
	}
	if (spool_writer_finish(&w, sha, &existed, err, errlen) != 0) {
		*why = IMAP_FAIL_LOCAL;
		return -1;
	}
spooled:
	beat(f);
	if (m->has_internaldate)
		rt = (struct ingest_time){ .t = m->internaldate, .offset_min = m->offset_min,
		                           .source = "imap" };
	else
		rt = (struct ingest_time){ .t = time(NULL), .offset_min = a->camp->tz_offset_min,
		                           .source = "ingest-time" };
	rt.mailbox = mbox;
	rt.uidvalidity = uv;
	rt.uid = m->uid;
	/* While the child parses this one, fetch the next two. */
	if (next_uid != 0 && !stop_requested(f)) {
		if (f->pf[0].uid != next_uid) {
			prefetch_drop(f);
			f->pf[0] = (struct prefetch){ .uid = next_uid, .st = PF_START };
		}
		if (next2_uid != 0 && f->pf[1].uid != next2_uid) {
			slot_drop(f, 1);
			f->pf[1] = (struct prefetch){ .uid = next2_uid, .st = PF_START };
		}
		worker_idle = prefetch_step;
		worker_idle_ctx = f;
	}
	r = ingest_spooled(&a->ingest, sha, &rt, &o, err, errlen);
	worker_idle = NULL;
	worker_idle_ctx = NULL;
	if (r != 0) {
		int e = errno;

		if (local_trouble(e) || local_trouble(spool_last_errno(a->spool)) ||
		    strstr(err, "disk is full")) {
			*why = IMAP_FAIL_LOCAL;
			return -1;
		}
		snprintf(reason, sizeof(reason), "spool %s: %s", sha, err);
		attempt_failed(f, mbox, uv, uid, reason, cm->max_attempts, true);
		return 1;
	}
	f->total.bytes += m->size;
	if (o.duplicate) {
		f->total.duplicates++;
		log_msg(LOG_INFO, "uid %u: spool %.12s already recorded as message %lld (same bytes)",
		        m->uid, sha, o.message);
	} else {
		f->total.fetched++;
		log_msg(LOG_INFO, "uid %u: spool %.12s message %lld: %s, county %s, %u dossier(s), "
		        "%u file(s), %u problem(s), reply %s", m->uid, sha, o.message,
		        o.status ? o.status : "-", o.county[0] ? o.county : "-", o.ndossiers, o.nfiles,
		        o.nproblems, o.reply ? o.reply : "none");
	}
	if (imap_mark_processed(f->im, m->uid, why, err, errlen) != 0) {
		/* Recorded: the next run only marks it. */
		log_msg(LOG_WARNING, "uid %u: recorded but not yet marked: %s", m->uid, err);
		return *why == IMAP_FAIL_PROTO ? 1 : -1;
	}
	if (mailstate_clear(a->ledger, mbox, uv, m->uid) != 0)
		goto sqlerr;
	return 0;
sqlerr:
	*why = IMAP_FAIL_LOCAL;
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(a->ledger));
	return -1;
}

int fetcher_cycle(struct fetcher *f, unsigned *pending_r, enum imap_fail *why,
                  char *err, size_t errlen)
{
	struct app *a = f->app;
	const struct config_mail *cm = &a->cfg->imap;
	const char *mbox = cm->mailbox;
	uint32_t *msgs = NULL;
	uint32_t uv, stored_uv, last;
	size_t n = 0;
	bool blocked = false;
	int ret = -1, r;

	*pending_r = 0;
	*why = IMAP_OK;
	if (!f->im) {
		if (imap_open(cm, f->password, cm->timeout, &f->im, why, err, errlen) != 0) {
			if (*why == IMAP_FAIL_NET)
				f->net_failures++;
			return -1;
		}
		log_msg(LOG_INFO, "connected to %s:%u (%s), mailbox %s", cm->host, cm->port, cm->security,
		        mbox);
	}
	uv = imap_uidvalidity(f->im);
	r = mailstate_get(a->ledger, mbox, &stored_uv, &last);
	if (r < 0)
		goto sqlerr;
	if (r == 0 && stored_uv != uv) {
		log_msg(LOG_WARNING, "mailbox %s: UIDVALIDITY changed from %u to %u: rescanning it all; "
		        "messages already recorded are recognised by their content", mbox, stored_uv, uv);
		last = 0;
	}
	if (r != 0 || stored_uv != uv) {
		if (mailstate_set(a->ledger, mbox, uv, last) != 0)
			goto sqlerr;
	}
	if (imap_list_new(f->im, last, &msgs, &n, why, err, errlen) != 0)
		goto out;
	f->net_failures = 0;
	if (n == 0) {
		ret = 0;
		goto out;
	}
	/* Only now hold the state directory: intakectl may use it between
	 * cycles. */
	if (spool_lock(a->spool, true, err, errlen) != 0) {
		*why = IMAP_FAIL_LOCAL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (stop_requested(f)) {
			*pending_r += (unsigned)(n - i);
			break;
		}
		r = one(f, mbox, uv, msgs[i], i + 1 < n ? msgs[i + 1] : 0, i + 2 < n ? msgs[i + 2] : 0,
		        why, err, errlen);
		beat(f);
		if (r < 0) {
			*pending_r += (unsigned)(n - i);
			goto out;
		}
		if (r > 0) {
			blocked = true;
			(*pending_r)++;
			continue;
		}
		/* last_uid moves only over an unbroken run of finished UIDs. */
		if (!blocked && mailstate_set(a->ledger, mbox, uv, msgs[i]) != 0)
			goto sqlerr;
	}
	ret = 0;
	goto out;
sqlerr:
	*why = IMAP_FAIL_LOCAL;
	snprintf(err, errlen, "ledger: %s", ledger_errmsg(a->ledger));
out:
	prefetch_drop(f);
	if (ret != 0 && *why == IMAP_FAIL_NET) {
		imap_close(&f->im, false);
		f->net_failures++;
	}
	if (ret != 0)
		snprintf(f->last_error, sizeof(f->last_error), "%s", err);
	spool_unlock(a->spool);
	free(msgs);
	return ret;
}

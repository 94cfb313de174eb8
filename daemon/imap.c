#include "imap.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libetpan/libetpan.h>

#include "netsec.h"

/*
 * The watchdog: a thread that cancels the stream when a command outlives
 * its deadline.  Armed around every command, disarmed after it.
 */
struct guard {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct timespec deadline;
	mailstream *stream;
	bool armed, fired, stop, started;
};

struct imap {
	mailimap *s;
	const struct config_mail *cfg;
	unsigned timeout_s;
	uint32_t uidvalidity;
	bool idle, move, uidplus, keywords;
	struct guard g;
};

static void *guard_main(void *p)
{
	struct guard *g = p;

	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		if (!g->armed) {
			pthread_cond_wait(&g->cv, &g->mu);
			continue;
		}
		if (pthread_cond_timedwait(&g->cv, &g->mu, &g->deadline) == ETIMEDOUT && g->armed) {
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > g->deadline.tv_sec ||
			    (now.tv_sec == g->deadline.tv_sec && now.tv_nsec >= g->deadline.tv_nsec)) {
				g->fired = true;
				g->armed = false;
				if (g->stream)
					mailstream_cancel(g->stream);
			}
		}
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

static int guard_start(struct guard *g)
{
	pthread_condattr_t ca;

	if (pthread_mutex_init(&g->mu, NULL) != 0)
		return -1;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&g->cv, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		pthread_mutex_destroy(&g->mu);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	if (pthread_create(&g->th, NULL, guard_main, g) != 0) {
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
		return -1;
	}
	g->started = true;
	return 0;
}

static void guard_stop(struct guard *g)
{
	if (!g->started)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = true;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->th, NULL);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	g->started = false;
}

static void arm(struct imap *im, unsigned seconds)
{
	struct guard *g = &im->g;

	pthread_mutex_lock(&g->mu);
	clock_gettime(CLOCK_MONOTONIC, &g->deadline);
	g->deadline.tv_sec += seconds;
	g->stream = im->s ? im->s->imap_stream : NULL;
	g->armed = true;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Disarm; true when the watchdog fired during the command. */
static bool disarm(struct imap *im)
{
	struct guard *g = &im->g;
	bool fired;

	pthread_mutex_lock(&g->mu);
	g->armed = false;
	fired = g->fired;
	pthread_mutex_unlock(&g->mu);
	return fired;
}

/* A command's deadline: generous next to the per-read timeout, which
 * catches a silent server; this catches one that never stops talking. */
static unsigned cmd_deadline(const struct imap *im)
{
	return im->timeout_s * 4 + 10;
}

static enum imap_fail classify_error(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_SSL:
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
	case MAILIMAP_ERROR_BAD_STATE:
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_MEMORY:
	case MAILIMAP_ERROR_FATAL:
		return IMAP_FAIL_NET;
	case MAILIMAP_ERROR_LOGIN:
		return IMAP_FAIL_AUTH;
	case MAILIMAP_ERROR_STARTTLS:
		return IMAP_FAIL_TLS;
	default:
		return IMAP_FAIL_PROTO;
	}
}

/* The server's own words for the last response, for messages to staff. */
static const char *server_text(const struct imap *im)
{
	const char *t = im->s ? im->s->imap_response : NULL;

	return t && *t ? t : "";
}

static int fail(struct imap *im, int r, const char *what, enum imap_fail *why,
                char *err, size_t errlen)
{
	bool fired = im->g.started ? disarm(im) : false;

	*why = fired ? IMAP_FAIL_NET : classify_error(r);
	if (fired)
		snprintf(err, errlen, "IMAP %s: no complete answer within %u s (connection dropped)",
		         what, cmd_deadline(im));
	else
		snprintf(err, errlen, "IMAP %s failed (libetpan error %d)%s%s", what, r,
		         server_text(im)[0] ? ": " : "", server_text(im));
	return -1;
}

static void tls_cb(struct mailstream_ssl_context *c, void *data)
{
	const char *host = data;

	/* RFC 6066: no SNI for an IP literal. */
	if (!netsec_is_ip_literal(host))
		mailstream_ssl_set_server_name(c, (char *)(uintptr_t)host);
}

static void read_selection(struct imap *im)
{
	struct mailimap_selection_info *si = im->s->imap_selection_info;
	clistiter *it;

	im->uidvalidity = si ? si->sel_uidvalidity : 0;
	im->keywords = false;
	if (!si || !si->sel_perm_flags)
		return;
	for (it = clist_begin(si->sel_perm_flags); it; it = clist_next(it)) {
		struct mailimap_flag_perm *fp = clist_content(it);

		if (fp->fl_type == MAILIMAP_FLAG_PERM_ALL)
			im->keywords = true;
		else if (fp->fl_flag && fp->fl_flag->fl_type == MAILIMAP_FLAG_KEYWORD &&
		         fp->fl_flag->fl_data.fl_keyword &&
		         strcmp(fp->fl_flag->fl_data.fl_keyword, IMAP_KW_PROCESSED) == 0)
			im->keywords = true;
	}
}

static int refresh_caps(struct imap *im, enum imap_fail *why, char *err, size_t errlen)
{
	struct mailimap_capability_data *cd = NULL;
	int r;

	arm(im, cmd_deadline(im));
	r = mailimap_capability(im->s, &cd);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, r, "CAPABILITY", why, err, errlen);
	disarm(im);
	mailimap_capability_data_free(cd);
	im->idle = mailimap_has_idle(im->s);
	im->move = mailimap_has_extension(im->s, "MOVE");
	im->uidplus = mailimap_has_extension(im->s, "UIDPLUS");
	return 0;
}

int imap_open(const struct config_mail *cfg, const char *password, unsigned timeout_s,
              struct imap **im_r, enum imap_fail *why, char *err, size_t errlen)
{
	struct imap *im = calloc(1, sizeof(*im));
	const char *sec = cfg->security ? cfg->security : "tls";
	uint16_t port = (uint16_t)(cfg->port ? cfg->port : strcmp(sec, "tls") == 0 ? 993 : 143);
	int r;

	*im_r = NULL;
	*why = IMAP_FAIL_LOCAL;
	if (!im || guard_start(&im->g) != 0) {
		snprintf(err, errlen, "out of memory");
		free(im);
		return -1;
	}
	im->cfg = cfg;
	im->timeout_s = timeout_s ? timeout_s : 60;
	if (strcmp(sec, "none") == 0 && !netsec_is_loopback(cfg->host)) {
		*why = IMAP_FAIL_TLS;
		snprintf(err, errlen, "IMAP: security = none is allowed only for a loopback host, not %s",
		         cfg->host);
		goto failed;
	}
	im->s = mailimap_new(0, NULL);
	if (!im->s) {
		snprintf(err, errlen, "out of memory");
		goto failed;
	}
	mailimap_set_timeout(im->s, im->timeout_s);
	arm(im, cmd_deadline(im));
	if (strcmp(sec, "tls") == 0)
		r = mailimap_ssl_connect_with_callback(im->s, cfg->host, port, tls_cb,
		                                       (void *)(uintptr_t)cfg->host);
	else
		r = mailimap_socket_connect(im->s, cfg->host, port);
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED && r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		fail(im, r, "connect", why, err, errlen);
		snprintf(err + strlen(err), errlen - strlen(err), " (%s:%u)", cfg->host, port);
		if (*why != IMAP_FAIL_AUTH)
			*why = IMAP_FAIL_NET;
		goto failed;
	}
	disarm(im);
	if (strcmp(sec, "starttls") == 0) {
		arm(im, cmd_deadline(im));
		r = mailimap_socket_starttls_with_callback(im->s, tls_cb, (void *)(uintptr_t)cfg->host);
		if (r != MAILIMAP_NO_ERROR) {
			/* Never fall back to plaintext. */
			fail(im, r, "STARTTLS", why, err, errlen);
			*why = r == MAILIMAP_ERROR_STREAM ? IMAP_FAIL_NET : IMAP_FAIL_TLS;
			goto failed;
		}
		disarm(im);
	}
	if (strcmp(sec, "none") != 0 &&
	    netsec_verify_peer(im->s->imap_stream, cfg->host, cfg->ca_file, err, errlen) != 0) {
		*why = IMAP_FAIL_TLS;
		goto failed;
	}
	/* Capabilities seen before TLS are stale (and could be forged). */
	if (refresh_caps(im, why, err, errlen) != 0)
		goto failed;
	if (im->s->imap_state == MAILIMAP_STATE_NON_AUTHENTICATED) {
		if (mailimap_has_extension(im->s, "LOGINDISABLED")) {
			*why = IMAP_FAIL_AUTH;
			snprintf(err, errlen, "IMAP: the server refuses LOGIN on this connection (LOGINDISABLED)");
			goto failed;
		}
		if (!cfg->user || !password || strpbrk(cfg->user, "\r\n") || strpbrk(password, "\r\n")) {
			*why = IMAP_FAIL_AUTH;
			snprintf(err, errlen, "IMAP: user and password_file are needed to log in");
			goto failed;
		}
		arm(im, cmd_deadline(im));
		r = mailimap_login(im->s, cfg->user, password);
		if (r != MAILIMAP_NO_ERROR) {
			fail(im, r, "LOGIN", why, err, errlen);
			if (r != MAILIMAP_ERROR_STREAM)
				*why = IMAP_FAIL_AUTH;
			goto failed;
		}
		disarm(im);
		if (refresh_caps(im, why, err, errlen) != 0)
			goto failed;
	}
	arm(im, cmd_deadline(im));
	r = mailimap_select(im->s, cfg->mailbox ? cfg->mailbox : "INBOX");
	if (r != MAILIMAP_NO_ERROR) {
		fail(im, r, "SELECT", why, err, errlen);
		goto failed;
	}
	disarm(im);
	read_selection(im);
	if (im->uidvalidity == 0) {
		*why = IMAP_FAIL_PROTO;
		snprintf(err, errlen, "IMAP: the server gave no UIDVALIDITY for %s",
		         cfg->mailbox ? cfg->mailbox : "INBOX");
		goto failed;
	}
	*why = IMAP_OK;
	*im_r = im;
	return 0;
failed:
	imap_close(&im, false);
	return -1;
}

void imap_close(struct imap **imp, bool logout)
{
	struct imap *im = *imp;

	if (!im)
		return;
	if (im->s) {
		if (logout && im->s->imap_stream) {
			arm(im, im->timeout_s + 5);
			mailimap_logout(im->s);
			disarm(im);
		}
		/* The guard must not touch a stream being freed. */
		guard_stop(&im->g);
		mailimap_free(im->s);
	}
	guard_stop(&im->g);
	free(im);
	*imp = NULL;
}

uint32_t imap_uidvalidity(const struct imap *im)
{
	return im->uidvalidity;
}

bool imap_has_idle(const struct imap *im)
{
	return im->idle;
}

bool imap_has_move(const struct imap *im)
{
	return im->move;
}

const char *imap_describe(const struct imap *im, char *buf, size_t size)
{
	snprintf(buf, size, "UIDVALIDITY %u%s%s%s%s", im->uidvalidity,
	         im->idle ? ", IDLE" : "", im->move ? ", MOVE" : "", im->uidplus ? ", UIDPLUS" : "",
	         im->keywords ? ", keywords" : ", no keywords");
	return buf;
}

static void date_of(const struct mailimap_date_time *dt, struct imap_msg *m)
{
	struct tm tm = { 0 };
	int z = dt->dt_zone, sign = z < 0 ? -1 : 1;

	if (z < 0)
		z = -z;
	tm.tm_year = dt->dt_year - 1900;
	tm.tm_mon = dt->dt_month - 1;
	tm.tm_mday = dt->dt_day;
	tm.tm_hour = dt->dt_hour;
	tm.tm_min = dt->dt_min;
	tm.tm_sec = dt->dt_sec;
	m->offset_min = sign * (z / 100 * 60 + z % 100);
	m->internaldate = timegm(&tm) - (time_t)m->offset_min * 60;
	m->has_internaldate = dt->dt_year >= 1970 && dt->dt_month >= 1 && dt->dt_month <= 12;
}

static void flags_of(const struct mailimap_msg_att_dynamic *dyn, struct imap_msg *m)
{
	clistiter *it;

	if (!dyn || !dyn->att_list)
		return;
	for (it = clist_begin(dyn->att_list); it; it = clist_next(it)) {
		struct mailimap_flag_fetch *ff = clist_content(it);
		const char *kw;

		if (ff->fl_type != MAILIMAP_FLAG_FETCH_OTHER || !ff->fl_flag ||
		    ff->fl_flag->fl_type != MAILIMAP_FLAG_KEYWORD)
			continue;
		kw = ff->fl_flag->fl_data.fl_keyword;
		if (!kw)
			continue;
		if (strcasecmp(kw, IMAP_KW_PROCESSED) == 0)
			m->processed = true;
		else if (strcasecmp(kw, IMAP_KW_QUARANTINED) == 0)
			m->quarantined = true;
	}
}

static int cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int imap_list_new(struct imap *im, uint32_t after, uint32_t **uids_r, size_t *n_r,
                  enum imap_fail *why, char *err, size_t errlen)
{
	struct mailimap_search_key *key;
	struct mailimap_set *set;
	clist *res = NULL;
	uint32_t *uids;
	size_t n = 0;
	int r;

	*uids_r = NULL;
	*n_r = 0;
	*why = IMAP_OK;
	if (after == UINT32_MAX)
		return 0;
	/* UID SEARCH UID n:* - plain ASCII, which every server takes. */
	set = mailimap_set_new_interval(after + 1, 0);
	key = set ? mailimap_search_key_new_uid(set) : NULL;
	if (!key) {
		if (set)
			mailimap_set_free(set);
		*why = IMAP_FAIL_LOCAL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	arm(im, cmd_deadline(im));
	r = mailimap_uid_search(im->s, NULL, key, &res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, r, "UID SEARCH", why, err, errlen);
	disarm(im);
	uids = malloc((clist_count(res) + 1) * sizeof(*uids));
	if (!uids) {
		mailimap_search_result_free(res);
		*why = IMAP_FAIL_LOCAL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		uint32_t u = *(uint32_t *)clist_content(it);

		/* "n:*" matches the highest UID even when it is below n. */
		if (u > after)
			uids[n++] = u;
	}
	mailimap_search_result_free(res);
	if (n)
		qsort(uids, n, sizeof(*uids), cmp_uid);
	{
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (k == 0 || uids[k - 1] != uids[i])
				uids[k++] = uids[i];
		n = k;
	}
	*uids_r = uids;
	*n_r = n;
	return 0;
}

/* UID FETCH of one message with fetch type ft (consumed, may be NULL
 * after an allocation failure). */
static int uid_fetch_one(struct imap *im, uint32_t uid, struct mailimap_fetch_type *ft,
                         clist **res_r, const char *what, enum imap_fail *why,
                         char *err, size_t errlen)
{
	struct mailimap_set *set = ft ? mailimap_set_new_single(uid) : NULL;
	int r;

	*res_r = NULL;
	if (!set) {
		if (ft)
			mailimap_fetch_type_free(ft);
		*why = IMAP_FAIL_LOCAL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	arm(im, cmd_deadline(im));
	r = mailimap_uid_fetch(im->s, set, ft, res_r);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, r, what, why, err, errlen);
	disarm(im);
	return 0;
}

int imap_fetch_meta(struct imap *im, uint32_t uid, struct imap_msg *out,
                    enum imap_fail *why, char *err, size_t errlen)
{
	struct mailimap_fetch_type *ft;
	clist *res = NULL;
	bool found = false;

	*why = IMAP_OK;
	memset(out, 0, sizeof(*out));
	out->uid = uid;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (ft && (mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid()) != 0 ||
	           mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_flags()) != 0 ||
	           mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_internaldate()) != 0 ||
	           mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size()) != 0)) {
		mailimap_fetch_type_free(ft);
		ft = NULL;
	}
	if (uid_fetch_one(im, uid, ft, &res, "UID FETCH (metadata)", why, err, errlen) != 0)
		return -1;
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		struct imap_msg m = { 0 };

		for (clistiter *a = clist_begin(ma->att_list); a; a = clist_next(a)) {
			struct mailimap_msg_att_item *item = clist_content(a);

			if (item->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC) {
				flags_of(item->att_data.att_dyn, &m);
				continue;
			}
			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			switch (item->att_data.att_static->att_type) {
			case MAILIMAP_MSG_ATT_UID:
				m.uid = item->att_data.att_static->att_data.att_uid;
				break;
			case MAILIMAP_MSG_ATT_INTERNALDATE:
				if (item->att_data.att_static->att_data.att_internal_date)
					date_of(item->att_data.att_static->att_data.att_internal_date, &m);
				break;
			case MAILIMAP_MSG_ATT_RFC822_SIZE:
				m.size = item->att_data.att_static->att_data.att_rfc822_size;
				break;
			default:
				break;
			}
		}
		/* Unsolicited FETCH responses for other messages may come too. */
		if (m.uid != uid)
			continue;
		if (found) {
			out->processed |= m.processed;
			out->quarantined |= m.quarantined;
			if (!out->has_internaldate && m.has_internaldate) {
				out->internaldate = m.internaldate;
				out->offset_min = m.offset_min;
				out->has_internaldate = true;
			}
			if (!out->size)
				out->size = m.size;
		} else {
			*out = m;
			found = true;
		}
	}
	mailimap_fetch_list_free(res);
	if (!found) {
		*why = IMAP_FAIL_GONE;
		snprintf(err, errlen, "message UID %u is no longer on the server", uid);
		return -1;
	}
	return 0;
}

/* The body section of uid in a FETCH result (other messages' unsolicited
 * FETCH responses may be there too). */
static struct mailimap_msg_att_body_section *section_for(clist *res, uint32_t uid)
{
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		struct mailimap_msg_att_body_section *sec = NULL;
		uint32_t u = 0;

		for (clistiter *a = clist_begin(ma->att_list); a; a = clist_next(a)) {
			struct mailimap_msg_att_item *item = clist_content(a);

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
				u = item->att_data.att_static->att_data.att_uid;
			else if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
				sec = item->att_data.att_static->att_data.att_body_section;
		}
		if (u == uid && sec)
			return sec;
	}
	return NULL;
}

int imap_fetch_chunk(struct imap *im, uint32_t uid, size_t chunk, struct spool_writer *w,
                     uint64_t *off, bool *done_r, enum imap_fail *why, char *err, size_t errlen)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_section *sec;
	struct mailimap_fetch_att *fa;
	struct mailimap_msg_att_body_section *bs;
	clist *res = NULL;
	size_t got;

	*why = IMAP_OK;
	*done_r = false;
	if (chunk == 0 || chunk > (64u << 20))
		chunk = 1u << 20;
	if (*off > UINT32_MAX) {
		*why = IMAP_FAIL_LOCAL;
		snprintf(err, errlen, "message %u is larger than IMAP partial offsets allow", uid);
		return -1;
	}
	sec = mailimap_section_new(NULL);
	fa = sec ? mailimap_fetch_att_new_body_peek_section_partial(sec, (uint32_t)*off,
	                                                          (uint32_t)chunk) : NULL;
	ft = fa ? mailimap_fetch_type_new_fetch_att(fa) : NULL;
	if (!ft) {
		if (fa)
			mailimap_fetch_att_free(fa);
		else if (sec)
			mailimap_section_free(sec);
	}
	if (uid_fetch_one(im, uid, ft, &res, "UID FETCH (body)", why, err, errlen) != 0)
		return -1;
	bs = section_for(res, uid);
	if (!bs) {
		mailimap_fetch_list_free(res);
		if (*off == 0) {
			*why = IMAP_FAIL_GONE;
			snprintf(err, errlen, "message UID %u is no longer on the server", uid);
			return -1;
		}
		*done_r = true;     /* nothing beyond the end */
		return 0;
	}
	if (bs->sec_origin_octet != *off && !(*off == 0 && bs->sec_origin_octet == 0)) {
		mailimap_fetch_list_free(res);
		*why = IMAP_FAIL_PROTO;
		snprintf(err, errlen, "IMAP server answered offset %u for %llu (UID %u)",
		         bs->sec_origin_octet, (unsigned long long)*off, uid);
		return -1;
	}
	got = bs->sec_body_part ? bs->sec_length : 0;
	if (got > chunk) {
		mailimap_fetch_list_free(res);
		*why = IMAP_FAIL_PROTO;
		snprintf(err, errlen, "IMAP server sent %zu bytes for a %zu-byte request (UID %u)",
		         got, chunk, uid);
		return -1;
	}
	if (got && spool_writer_write(w, bs->sec_body_part, got, err, errlen) != 0) {
		mailimap_fetch_list_free(res);
		*why = IMAP_FAIL_LOCAL;
		return -1;
	}
	mailimap_fetch_list_free(res);
	*off += got;
	*done_r = got < chunk;
	return 0;
}

int imap_fetch_to_spool(struct imap *im, uint32_t uid, size_t chunk, struct spool_writer *w,
                        uint64_t off, void (*progress)(void *), void *ctx,
                        enum imap_fail *why, char *err, size_t errlen)
{
	bool done = false;

	while (!done) {
		if (imap_fetch_chunk(im, uid, chunk, w, &off, &done, why, err, errlen) != 0)
			return -1;
		if (progress)
			progress(ctx);
	}
	return 0;
}

static int store_flags(struct imap *im, uint32_t uid, bool seen, const char *kw, bool deleted,
                       enum imap_fail *why, char *err, size_t errlen)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *sf = NULL;
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r;

	if (!fl || !set)
		goto nomem;
	if (seen && mailimap_flag_list_add(fl, mailimap_flag_new_seen()) != 0)
		goto nomem;
	if (deleted && mailimap_flag_list_add(fl, mailimap_flag_new_deleted()) != 0)
		goto nomem;
	if (kw && im->keywords) {
		char *k = strdup(kw);

		if (!k || mailimap_flag_list_add(fl, mailimap_flag_new_flag_keyword(k)) != 0) {
			free(k);
			goto nomem;
		}
	}
	if (clist_count(fl->fl_list) == 0) {
		mailimap_flag_list_free(fl);
		mailimap_set_free(set);
		return 0;
	}
	sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	if (!sf)
		goto nomem;
	fl = NULL;
	arm(im, cmd_deadline(im));
	r = mailimap_uid_store(im->s, set, sf);
	mailimap_store_att_flags_free(sf);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, r, "UID STORE", why, err, errlen);
	disarm(im);
	return 0;
nomem:
	if (fl)
		mailimap_flag_list_free(fl);
	if (set)
		mailimap_set_free(set);
	*why = IMAP_FAIL_LOCAL;
	snprintf(err, errlen, "out of memory");
	return -1;
}

int imap_mark_processed(struct imap *im, uint32_t uid, enum imap_fail *why,
                        char *err, size_t errlen)
{
	const char *dest = im->cfg->processed_mailbox;
	struct mailimap_set *set;
	int r;

	*why = IMAP_OK;
	if (store_flags(im, uid, true, IMAP_KW_PROCESSED, false, why, err, errlen) != 0)
		return -1;
	if (!dest || !*dest)
		return 0;
	if (!im->move && !im->uidplus)
		return 0;       /* flagged; a plain EXPUNGE would purge others' \Deleted mail */
	set = mailimap_set_new_single(uid);
	if (!set) {
		*why = IMAP_FAIL_LOCAL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	arm(im, cmd_deadline(im));
	if (im->move) {
		r = mailimap_uid_move(im->s, set, dest);
		mailimap_set_free(set);
		if (r != MAILIMAP_NO_ERROR)
			return fail(im, r, "UID MOVE", why, err, errlen);
		disarm(im);
		return 0;
	}
	r = mailimap_uid_copy(im->s, set, dest);
	if (r != MAILIMAP_NO_ERROR) {
		mailimap_set_free(set);
		return fail(im, r, "UID COPY", why, err, errlen);
	}
	disarm(im);
	if (store_flags(im, uid, false, NULL, true, why, err, errlen) != 0) {
		mailimap_set_free(set);
		return -1;
	}
	arm(im, cmd_deadline(im));
	r = mailimap_uid_expunge(im->s, set);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, r, "UID EXPUNGE", why, err, errlen);
	disarm(im);
	return 0;
}

int imap_mark_quarantined(struct imap *im, uint32_t uid, enum imap_fail *why,
                          char *err, size_t errlen)
{
	*why = IMAP_OK;
	return store_flags(im, uid, false, IMAP_KW_QUARANTINED, false, why, err, errlen);
}

/* Wait on fd (may be -1) and wake_fd for up to ms, beating meanwhile.
 * 1 = fd readable, 2 = woken, 0 = timeout. */
static int wait_fds(int fd, int wake_fd, int ms, int beat_ms,
                    void (*heartbeat)(void *), void *ctx)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { wake_fd, POLLIN, 0 } };
		long left;
		int r, slice;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = ms - ((now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L);
		if (left <= 0)
			return 0;
		slice = beat_ms > 0 && beat_ms < left ? beat_ms : (int)left;
		r = poll(p, 2, slice);
		if (r < 0 && errno != EINTR)
			return 0;
		if (r > 0 && (p[1].revents & POLLIN))
			return 2;
		if (r > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			return 1;
		if (heartbeat)
			heartbeat(ctx);
	}
}

int imap_wait(struct imap *im, int wake_fd, int timeout_ms, int beat_ms,
              void (*heartbeat)(void *), void *ctx,
              enum imap_fail *why, char *err, size_t errlen)
{
	int r;

	*why = IMAP_OK;
	if (!im->idle) {
		if (wait_fds(-1, wake_fd, timeout_ms, beat_ms, heartbeat, ctx) == 2)
			return 0;
		arm(im, cmd_deadline(im));
		r = mailimap_noop(im->s);
		if (r != MAILIMAP_NO_ERROR)
			return fail(im, r, "NOOP", why, err, errlen);
		disarm(im);
		return 0;
	}
	arm(im, cmd_deadline(im));
	r = mailimap_idle(im->s);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, r, "IDLE", why, err, errlen);
	disarm(im);
	/* Data that came with "+ idling" is already buffered: poll() would
	 * not see it (LIBRARIES.md 2). */
	if (im->s->imap_stream->read_buffer_len == 0)
		wait_fds(mailimap_idle_get_fd(im->s), wake_fd, timeout_ms, beat_ms, heartbeat, ctx);
	arm(im, cmd_deadline(im));
	r = mailimap_idle_done(im->s);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, r, "IDLE DONE", why, err, errlen);
	disarm(im);
	read_selection(im);
	return 0;
}

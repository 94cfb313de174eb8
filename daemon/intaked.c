/*
 * intaked - the intake daemon: polls the bureau mailbox over IMAP and takes
 * every message in exactly once (daemon/fetch.h says how).
 *
 *   intaked -c CONF               run in the foreground until SIGTERM/SIGINT
 *   intaked -c CONF --once        process everything waiting, then exit
 *   intaked -c CONF --check-config  check config, campaign and the IMAP login
 *   intaked --version
 *
 * Signals arrive through a signalfd, so nothing is ever interrupted in the
 * middle of a message: SIGTERM/SIGINT finish the current message and exit
 * 0; SIGHUP reloads the configuration and the campaign between messages.
 * Under systemd (Type=notify) it reports READY, STATUS and WATCHDOG.
 *
 * Exit status: 0 ok; 1 runtime failure (for --once: something is still
 * waiting; for --check-config: the login failed or [imap] is missing); 2
 * usage or configuration (for --check-config: the config or campaign line
 * says FAILED).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "daemonstate.h"
#include "fetch.h"
#include "log.h"
#include "outbox.h"
#include "replies.h"
#include "retention.h"
#include "smtp.h"
#include "worker.h"

static uint64_t watchdog_usec;

static long long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void heartbeat(void *unused)
{
	static long long last;
	long long now;

	(void)unused;
	if (!watchdog_usec)
		return;
	now = mono_ms();
	if (now - last >= (long long)(watchdog_usec / 4000)) {
		sd_notify(0, "WATCHDOG=1");
		last = now;
	}
}

static void heartbeat0(void)
{
	heartbeat(NULL);
}

static void usage(FILE *f)
{
	fputs("usage: intaked -c CONF [--once | --check-config]\n"
	      "       intaked --version\n", f);
}

/* The daemon's own lock, held for its whole life: two daemons on one
 * state directory are a mistake worth refusing at once. */
static int daemon_lock(const char *state_dir, char *err, size_t errlen)
{
	char path[4096], pid[32];
	int fd;

	snprintf(path, sizeof(path), "%s/intaked.pid", state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t n = read(fd, pid, sizeof(pid) - 1);

		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(err, errlen, "another intaked (pid %s) works %.900s", pid[0] ? pid : "?", state_dir);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

		/* Informational only. */
		(void)!write(fd, pid, (size_t)n);
	}
	return fd;
}

static int check_config(struct app *a, const char *conf)
{
	struct fetcher f;
	enum imap_fail why;
	char err[1024], caps[256];
	int rc = 0;

	printf("config %s: ok\n", conf);
	printf("campaign %s: ok (%zu items, %zu counties)\n", a->cfg->campaign, a->camp->nitems,
	       a->camp->ncounties);
	{
		const struct intake_limits *l = &a->cfg->limits;
		const char *data = worker_ocr_data();

		if (!worker_ocr_enabled(l))
			printf("ocr: off (%s)\n", l->ocr == LIMIT_OCR_OFF ? "[intake] ocr = off"
			       : "no Tesseract chi_sim data under /usr/share/tesseract-ocr");
		else if (data)
			printf("ocr: on (%sdata %s, %u ms per file, at most %u s more per message)\n",
			       l->ocr == LIMIT_OCR_ON ? "" : "auto: ", data,
			       l->ocr_ms ? l->ocr_ms : LIMIT_DEF_OCR_MS,
			       l->ocr_extra_seconds ? l->ocr_extra_seconds : LIMIT_DEF_OCR_EXTRA_SECONDS);
		else {
			printf("ocr: FAILED: [intake] ocr = on but no Tesseract chi_sim data under "
			       "/usr/share/tesseract-ocr (install tesseract-ocr-chi-sim)\n");
			rc = 1;
		}
	}
	if (!a->cfg->imap.set) {
		printf("imap: not configured ([imap] missing)\n");
		return 1;
	}
	if (fetcher_init(&f, a, err, sizeof(err)) != 0) {
		printf("imap: %s\n", err);
		return 1;
	}
	if (imap_open(&a->cfg->imap, f.password, a->cfg->imap.timeout, &f.im, &why, err,
	              sizeof(err)) != 0) {
		printf("imap %s:%u (%s): FAILED: %s\n", a->cfg->imap.host, a->cfg->imap.port,
		       a->cfg->imap.security, err);
		rc = 1;
	} else {
		printf("imap %s:%u (%s): ok, login %s, mailbox %s (%s)\n", a->cfg->imap.host,
		       a->cfg->imap.port, a->cfg->imap.security, a->cfg->imap.user ? a->cfg->imap.user : "-",
		       a->cfg->imap.mailbox, imap_describe(f.im, caps, sizeof(caps)));
	}
	fetcher_free(&f);
	/* The server the replies go out through: connect, verify, log in. */
	if (a->cfg->smtp.set && a->cfg->smtp.host) {
		struct smtp_session *ss = NULL;

		if (smtp_open(&a->cfg->smtp, &ss, err, sizeof(err)) != 0) {
			printf("smtp %s:%u (%s): FAILED: %s\n", a->cfg->smtp.host, a->cfg->smtp.port,
			       a->cfg->smtp.security, err);
			rc = 1;
		} else {
			printf("smtp %s:%u (%s): ok, login %s, from %s\n", a->cfg->smtp.host,
			       a->cfg->smtp.port, a->cfg->smtp.security,
			       a->cfg->smtp.user ? a->cfg->smtp.user : "-",
			       a->cfg->smtp.from ? a->cfg->smtp.from : "-");
			smtp_close(&ss);
		}
	} else {
		printf("smtp: not configured (replies are recorded but not sent)\n");
	}
	return rc;
}

/* Drain the signalfd; returns what arrived (bit 0 stop, bit 1 reload). */
static int take_signals(int sfd)
{
	struct signalfd_siginfo si;
	int what = 0;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			what |= 2;
		else
			what |= 1;
	}
	return what;
}

/* SIGHUP: a new config and campaign, or the old ones kept with a reason. */
static void reload(struct app *a, struct fetcher *f, const char *conf)
{
	struct app fresh;
	char err[1024] = "";

	if (app_load(&fresh, conf, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "reload: %s; keeping the running configuration", err);
		app_close(&fresh);
		return;
	}
	if (strcmp(fresh.cfg->state_dir, a->cfg->state_dir) != 0) {
		log_msg(LOG_ERR, "reload: state_dir cannot change while running (%s -> %s); "
		        "keeping the running configuration", a->cfg->state_dir, fresh.cfg->state_dir);
		app_close(&fresh);
		return;
	}
	{
		struct fetcher nf;

		/* Same struct app address: the fetcher's pointer stays valid. */
		struct config *oc = a->cfg;
		struct campaign *ocp = a->camp;
		struct reply_templates *ort = a->replies;

		a->cfg = fresh.cfg;
		a->camp = fresh.camp;
		a->replies = fresh.replies;
		fresh.cfg = oc;
		fresh.camp = ocp;
		fresh.replies = ort;
		a->ingest.cfg = a->cfg;
		a->ingest.camp = a->camp;
		a->ingest.replies = a->replies;
		if (fetcher_init(&nf, a, err, sizeof(err)) != 0) {
			log_msg(LOG_ERR, "reload: %s; keeping the running configuration", err);
			fresh.cfg = a->cfg;
			fresh.camp = a->camp;
			fresh.replies = a->replies;
			a->cfg = oc;
			a->camp = ocp;
			a->replies = ort;
			a->ingest.cfg = a->cfg;
			a->ingest.camp = a->camp;
			a->ingest.replies = a->replies;
			app_close(&fresh);
			return;
		}
		nf.stop_fd = f->stop_fd;
		nf.heartbeat = f->heartbeat;
		nf.hb_ctx = f->hb_ctx;
		nf.total = f->total;
		fetcher_free(f);
		*f = nf;
	}
	app_close(&fresh);
	log_msg(LOG_NOTICE, "reloaded %s and campaign %s (%zu items, %zu counties)", conf,
	        a->cfg->campaign, a->camp->nitems, a->camp->ncounties);
}

/* Sleep up to seconds, returning early on a signal. */
static void nap(int sfd, unsigned seconds)
{
	long long until = mono_ms() + seconds * 1000LL;

	for (;;) {
		struct pollfd p = { sfd, POLLIN, 0 };
		long long left = until - mono_ms();

		if (left <= 0)
			return;
		if (poll(&p, 1, left > 5000 ? 5000 : (int)left) > 0)
			return;
		heartbeat(NULL);
	}
}

/*
 * Send the replies that are due (composed with their messages, in the
 * same transactions).  Under the spool lock, so intakectl send never
 * offers the same reply at the same time.  Returns whether replies are
 * still waiting (to come back for them soon).
 */
static bool flush_replies(struct app *a)
{
	struct outbox_stats st;
	long long *ids = NULL;
	size_t n = 0;
	char err[1024];

	if (!a->cfg->smtp.set || !a->cfg->smtp.host)
		return false;
	if (spool_lock(a->spool, true, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "replies: %s", err);
		return true;
	}
	if (outbox_flush_stats(a, false, &st, err, sizeof(err)) != 0)
		log_msg(LOG_WARNING, "replies: %s; they stay queued and are retried", err);
	else if (st.sent || st.failed || st.deferred)
		log_msg(st.failed ? LOG_ERR : LOG_INFO, "replies: %u sent, %u refused for good, %u deferred",
		        st.sent, st.failed, st.deferred);
	if (replies_due(a->ledger, time(NULL), true, &ids, &n) != 0)
		n = 0;
	free(ids);
	spool_unlock(a->spool);
	return n > 0;
}

/*
 * What intakectl status reads (spool/daemonstate.h).  A failed write costs
 * a warning, never the daemon.
 */
static void note_cycle(struct app *a, const char *error)
{
	if (daemonstate_cycle(a->ledger, time(NULL), error) != 0)
		log_msg(LOG_WARNING, "cannot record the cycle for intakectl status: %s",
		        ledger_errmsg(a->ledger));
}

/* While connected and waiting (IDLE can last 25 minutes), say so every
 * poll_interval, or status would call a quiet mailbox a dead daemon. */
static void wait_beat(void *ctx)
{
	static long long last;
	struct app *a = ctx;
	long long now = mono_ms();

	heartbeat(NULL);
	if (now - last >= (long long)a->cfg->imap.poll_interval * 1000) {
		last = now;
		if (daemonstate_alive(a->ledger, time(NULL)) != 0)
			log_msg(LOG_WARNING, "cannot record the wait for intakectl status: %s",
			        ledger_errmsg(a->ledger));
	}
}

/* [intake] retention_days, once a day between cycles, under the lock. */
static void retention(struct app *a, long long *last_ms)
{
	struct retention_stats rs;
	char err[1024];

	if (!a->cfg->retention_days || (*last_ms && mono_ms() - *last_ms < 86400LL * 1000))
		return;
	*last_ms = mono_ms();
	if (spool_lock(a->spool, true, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "retention: %s", err);
		return;
	}
	if (retention_purge(a->spool, a->ledger, a->cfg->retention_days, time(NULL), false, NULL,
	                    NULL, &rs, err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "retention: %s", err);
	else if (rs.messages)
		log_msg(LOG_NOTICE, "retention: extracted files of %u message(s) older than %u days "
		        "removed (%u files, %llu bytes); raw messages and ledger kept", rs.messages,
		        a->cfg->retention_days, rs.files, (unsigned long long)rs.bytes);
	spool_unlock(a->spool);
	if (daemonstate_purged(a->ledger, time(NULL)) != 0)
		log_msg(LOG_WARNING, "cannot record the purge for intakectl status: %s",
		        ledger_errmsg(a->ledger));
}

static void status(const struct fetcher *f, const char *state)
{
	sd_notifyf(0, "STATUS=%s; %u recorded, %u duplicate(s), %u quarantined", state,
	           f->total.fetched, f->total.duplicates, f->total.quarantined);
}

int main(int argc, char **argv)
{
	const char *conf = NULL;
	bool check = false, once = false, recovered = false;
	struct fetcher f;
	struct app a;
	sigset_t mask;
	char err[1024] = "";
	unsigned n = 0, rounds = 0;
	long long purged_ms = 0;
	int sfd, dfd, rc = 0;

	app_pin_openmp(argv);
	log_init("intaked");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (strcmp(argv[i], "--check-config") == 0)
			check = true;
		else if (strcmp(argv[i], "--once") == 0)
			once = true;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("intaked %s\n", INTAKE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!conf) {
		usage(stderr);
		return 2;
	}
	if (app_load(&a, conf, err, sizeof(err)) != 0) {
		if (check && a.cfg) {
			printf("config %s: ok\n", conf);
			printf("campaign %s: FAILED: %s\n", a.cfg->campaign, err);
		} else if (check) {
			printf("config %s: FAILED: %s\n", conf, err);
		} else {
			log_msg(LOG_ERR, "%s", err);
		}
		app_close(&a);
		return 2;
	}
	if (check) {
		rc = check_config(&a, conf);
		app_close(&a);
		return rc;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		log_msg(LOG_ERR, "signalfd: %s", strerror(errno));
		app_close(&a);
		return 1;
	}
	if (sd_watchdog_enabled(0, &watchdog_usec) <= 0)
		watchdog_usec = 0;
	worker_heartbeat = heartbeat0;
	if (fetcher_init(&f, &a, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		app_close(&a);
		return 2;
	}
	f.stop_fd = sfd;
	f.heartbeat = heartbeat;
	/* The state directory: the daemon's lock, then let go of the spool
	 * lock until there is work. */
	if (app_open_state(&a, true, err, sizeof(err)) != 0 ||
	    (dfd = daemon_lock(a.cfg->state_dir, err, sizeof(err))) < 0) {
		log_msg(LOG_ERR, "%s", err);
		fetcher_free(&f);
		app_close(&a);
		return 1;
	}
	spool_unlock(a.spool);
	if (daemonstate_started(a.ledger, (long)getpid(), time(NULL)) != 0)
		log_msg(LOG_WARNING, "cannot record the start for intakectl status: %s",
		        ledger_errmsg(a.ledger));
	sd_notify(0, "READY=1");
	log_msg(LOG_INFO, "started (%s), mailbox %s on %s:%u, campaign %s", once ? "once" : "daemon",
	        a.cfg->imap.mailbox, a.cfg->imap.host, a.cfg->imap.port, a.camp->id);
	for (;;) {
		enum imap_fail why;
		unsigned pending = 0;
		int sig = take_signals(sfd);

		if (sig & 1)
			break;
		if (sig & 2)
			reload(&a, &f, conf);
		int cr = fetcher_cycle(&f, &pending, &why, err, sizeof(err));
		bool replies_waiting;

		/* Replies owed by what was just recorded (or earlier) go out now,
		 * whatever happened to the mailbox. */
		replies_waiting = flush_replies(&a);
		if (cr != 0) {
			unsigned wait;

			if (why == IMAP_FAIL_TLS || why == IMAP_FAIL_AUTH) {
				/* Retrying will not help until someone acts; say
				 * so loudly, and keep trying slowly. */
				log_msg(LOG_CRIT, "%s", err);
				f.net_failures++;
			} else if (why == IMAP_FAIL_LOCAL) {
				log_msg(LOG_CRIT, "stopped taking in mail: %s", err);
				f.net_failures++;
			} else {
				log_msg(LOG_ERR, "%s", err);
			}
			status(&f, "error");
			note_cycle(&a, err);
			if (once && (why != IMAP_FAIL_NET || ++rounds > 5)) {
				rc = 1;
				break;
			}
			wait = fetcher_backoff(&f);
			log_msg(LOG_INFO, "retrying in %u s", wait);
			nap(sfd, wait);
			continue;
		}
		status(&f, pending ? "retrying" : "idle");
		note_cycle(&a, NULL);
		if (!recovered && pending == 0) {
			/*
			 * A crash between spool and ledger leaves a spooled
			 * message unrecorded.  If it came from the mailbox it
			 * was not marked, so the cycle just done fetched it
			 * again and recorded it with its INTERNALDATE; what is
			 * still unrecorded now is no longer on the server (or
			 * came from intakectl ingest) and is recorded with the
			 * best time it carries, rather than lost.
			 */
			if (spool_lock(a.spool, true, err, sizeof(err)) != 0 ||
			    ingest_recover(&a.ingest, &n, err, sizeof(err)) != 0)
				log_msg(LOG_ERR, "recovery: %s", err);
			else if (n)
				log_msg(LOG_NOTICE, "recovery: %u spooled message(s) no longer on the "
				        "server recorded", n);
			spool_unlock(a.spool);
			recovered = true;
		}
		retention(&a, &purged_ms);
		if (once) {
			if (pending == 0)
				break;
			if (++rounds > a.cfg->imap.max_attempts + 1) {
				log_msg(LOG_ERR, "%u message(s) still waiting after %u rounds", pending, rounds);
				rc = 1;
				break;
			}
			nap(sfd, 1);
			continue;
		}
		if (pending) {
			nap(sfd, fetcher_backoff(&f) + 1);
			continue;
		}
		if (f.im && imap_wait(f.im, sfd, replies_waiting ? 60 * 1000 :
		                      imap_has_idle(f.im) ? 25 * 60 * 1000 :
		                      (int)a.cfg->imap.poll_interval * 1000,
		                      watchdog_usec ? (int)(watchdog_usec / 4000) : 5000,
		                      wait_beat, &a, &why, err, sizeof(err)) != 0) {
			log_msg(LOG_WARNING, "%s; reconnecting", err);
			imap_close(&f.im, false);
		}
	}
	sd_notify(0, "STOPPING=1");
	log_msg(LOG_INFO, "stopping: %u recorded, %u duplicate(s), %u marked, %u quarantined, "
	        "%u failed attempt(s)", f.total.fetched, f.total.duplicates, f.total.marked_only,
	        f.total.quarantined, f.total.failed);
	fetcher_free(&f);
	close(dfd);
	close(sfd);
	app_close(&a);
	return rc;
}

/*
 * intaked against a real Dovecot on 127.0.0.1 (tests/imapd/imapd.sh): the
 * examples over STARTTLS giving the same ledger as offline ingest; 100
 * messages with a restart halfway; kill -9 at random instants, many times,
 * ending in the ledger of an undisturbed run; a UIDVALIDITY reset; the
 * server stopped in the middle of a fetch; implicit TLS, and certificates
 * of the wrong host, self-signed or from an unknown CA refused; a message
 * that cannot be read quarantined; a 150 MB message with bounded memory;
 * IDLE waking the daemon; the lock shared with intakectl; SIGHUP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "imapd_fixture.h"
#include "smtpsink.h"
#include "testutil.h"

/* A canonical dump of what the ledger decided, independent of row ids
 * and of how the message arrived. */
#define DUMP_MESSAGES \
	"SELECT m.sha256, m.kind, ifnull(m.county,''), m.late, m.supplement, ifnull(m.reply,'')," \
	" m.received_at, (SELECT count(*) FROM files f WHERE f.message = m.id)," \
	" (SELECT count(*) FROM problems p WHERE p.message = m.id)," \
	" (SELECT group_concat(d.county || '/' || d.program || '/' || d.applicant_key, ',')" \
	"  FROM message_dossiers md JOIN dossiers d ON d.id = md.dossier WHERE md.message = m.id)" \
	" FROM messages m ORDER BY m.sha256"
#define DUMP_ITEMS \
	"SELECT m.sha256, f.seq, f.sha256, ifnull(a.item,'-') FROM assignments a" \
	" JOIN files f ON f.id = a.file JOIN messages m ON m.id = f.message" \
	" WHERE a.current ORDER BY 1, 2"

/*
 * The examples' pictures are 8x6-pixel placeholders without text: OCR
 * reads nothing in them, yet every parse child that meets one loads
 * Tesseract (about a second of a run; more under ASan).  The two examples
 * tests keep OCR on (auto), so intaked's parse children run Tesseract in
 * their sandbox; the tests that only need messages flowing (copies of the
 * examples, many runs of them) turn it off with this, appended to the
 * configuration.
 */
#define OCR_OFF "[intake]\nocr = off\n"

struct t {
	char *dir;
	struct imapd d;
	char *conf, *state, *log;
};

static struct t *t_new(const char *security, const char *extra)
{
	struct t *t = calloc(1, sizeof(*t));
	char *imapdir;

	t->dir = tu_tempdir();
	/* Dovecot's own users must pass through to its directory. */
	chmod(t->dir, 0711);
	imapdir = tu_printf("%s/imapd", t->dir);
	mkdir(imapdir, 0755);
	assert_int_equal(imapd_start(&t->d, imapdir, NULL), 0);
	free(imapdir);
	t->conf = tu_printf("%s/intake.conf", t->dir);
	t->state = tu_printf("%s/state", t->dir);
	t->log = tu_printf("%s/intaked.log", t->dir);
	imapd_write_conf(&t->d, t->conf, t->state, security, NULL, extra);
	return t;
}

static void t_free(struct t *t)
{
	imapd_stop(&t->d);
	tu_rmrf(t->dir);
	free(t->d.dir);
	free(t->dir);
	free(t->conf);
	free(t->state);
	free(t->log);
	free(t);
}

static char *read_log(const struct t *t)
{
	size_t len;
	char *s = tu_read_file(t->log, &len);

	return s ? s : strdup("");
}

static void show_log_on_failure(const struct t *t)
{
	char *s = read_log(t);

	fprintf(stderr, "---- intaked log ----\n%s---- end ----\n", s);
	free(s);
}

/* The examples with the received times their server gave them. */
static unsigned deliver_examples(struct imapd *d)
{
	FILE *f = fopen("examples/received.tsv", "r");
	char line[512];
	unsigned n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *path, *cmd;
		char stamp[64];
		FILE *p;

		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		tab[1 + strcspn(tab + 1, "\r\n")] = '\0';
		cmd = tu_printf("date -d '%s' +%%s", tab + 1);
		p = popen(cmd, "r");
		assert_non_null(fgets(stamp, sizeof(stamp), p));
		pclose(p);
		free(cmd);
		path = tu_printf("examples/%s", line);
		imapd_deliver(d, path, (time_t)atoll(stamp));
		free(path);
		n++;
	}
	fclose(f);
	return n;
}

/* n distinct messages: the examples in turn, each made unique by a header. */
static void deliver_copies(struct imapd *d, unsigned n, unsigned first)
{
	static const char *const src[] = {
		"examples/01-zhuhui-foxmail-base-complete.eml",
		"examples/02-yanfeng-outlook-gbk-zip-institution.eml",
		"examples/03-qidong-qq-personal-address.eml",
		"examples/13-autoreply-out-of-office.eml",
		"examples/16-songmu-targz-macos-junk.eml",
		"examples/19-zongbao-camera-and-scan-names.eml",
	};
	for (unsigned i = 0; i < n; i++) {
		size_t len;
		char *body = tu_read_file(src[(first + i) % 6], &len);
		char *hdr = tu_printf("X-Intake-Test-Copy: %u\r\n", first + i);
		size_t hl = strlen(hdr);
		char *msg = malloc(hl + len);

		assert_non_null(body);
		memcpy(msg, hdr, hl);
		memcpy(msg + hl, body, len);
		/* 2023-05-12T10:00:00+08:00 plus a minute each. */
		imapd_deliver_buf(d, msg, hl + len, 1683856800 + 60 * (time_t)(first + i));
		free(msg);
		free(hdr);
		free(body);
	}
}

static long long count_messages(const struct t *t)
{
	return ledger_int(t->state, "SELECT count(*) FROM messages");
}

static bool wait_count(const struct t *t, long long want, int ms)
{
	for (int waited = 0; waited < ms; waited += 50) {
		if (count_messages(t) >= want)
			return true;
		usleep(50000);
	}
	return count_messages(t) >= want;
}

/* ---- the examples, STARTTLS, same ledger as offline ingest ---- */

static void test_examples_match_offline_ingest(void **state)
{
	struct t *t = t_new("starttls", NULL);
	char *offline_state = tu_printf("%s/offline", t->dir);
	char *offline_conf = tu_printf("%s/offline.conf", t->dir);
	char *cmd, *a, *b, *ia, *ib, *log;
	unsigned n = deliver_examples(&t->d);
	size_t nf;
	char **files;
	int rc;

	(void)state;
	rc = intaked_run(t->conf, "--once", t->log, NULL);
	if (rc != 0)
		show_log_on_failure(t);
	assert_int_equal(rc, 0);
	assert_int_equal(count_messages(t), n);
	assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM messages WHERE received_source = 'imap'"
	                            " AND mailbox = 'INBOX' AND uid BETWEEN 1 AND 20"), n);
	assert_int_equal(ledger_int(t->state, "SELECT last_uid FROM mailbox_state WHERE mailbox = 'INBOX'"), n);

	/* The same files through intakectl ingest --received. */
	imapd_write_conf(&t->d, offline_conf, offline_state, "starttls", NULL, NULL);
	cmd = tu_printf("while IFS=\"$(printf '\\t')\" read -r f r; do case \"$f\" in ''|'#'*) continue;; esac;"
	                " %s/intakectl -c %s ingest --received \"$r\" examples/$f >/dev/null || exit 1;"
	                " done < examples/received.tsv",
	                getenv("INTAKE_BIN") ? getenv("INTAKE_BIN") : "bin", offline_conf);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	a = ledger_text(t->state, DUMP_MESSAGES);
	b = ledger_text(offline_state, DUMP_MESSAGES);
	if (strcmp(a, b) != 0) {
		char *pa = tu_printf("%s/imap.txt", t->dir), *pb = tu_printf("%s/offline.txt", t->dir);
		char *diff = tu_printf("diff %s %s >&2", pa, pb);

		tu_write_file(pa, a, strlen(a));
		tu_write_file(pb, b, strlen(b));
		if (system(diff) != 0)
			show_log_on_failure(t);
		free(diff);
		free(pa);
		free(pb);
	}
	assert_string_equal(a, b);
	ia = ledger_text(t->state, DUMP_ITEMS);
	ib = ledger_text(offline_state, DUMP_ITEMS);
	assert_string_equal(ia, ib);
	assert_true(strlen(ia) > 1000);

	/* Every message marked on the server: \Seen and our keyword (the
	 * first keyword of the mailbox is Maildir letter 'a'). */
	files = imapd_list(&t->d, &nf);
	assert_int_equal(nf, n);
	for (size_t i = 0; i < nf; i++) {
		const char *info = strstr(files[i], ":2,");

		assert_non_null(info);
		assert_non_null(strchr(info, 'S'));
		assert_non_null(strchr(info, 'a'));
		free(files[i]);
	}
	free(files);

	/* A second run finds nothing new and records nothing. */
	assert_int_equal(intaked_run(t->conf, "--once", t->log, NULL), 0);
	assert_int_equal(count_messages(t), n);
	log = read_log(t);
	assert_non_null(strstr(log, "stopping: 0 recorded"));
	assert_null(strstr(log, "<3>"));
	free(log);
	free(a);
	free(b);
	free(ia);
	free(ib);
	free(offline_conf);
	free(offline_state);
	t_free(t);
}

/* ---- end to end: mailbox in, replies out ---- */

/* Every example from the mailbox through intaked --once to the reply the
 * county receives: one per message owed one, each of the kind the ledger
 * recorded, to the right address, in reply to the county's message. */
static void test_examples_replies_over_smtp(void **state)
{
	struct t *t;
	struct sink sk;
	char *sinkdir, *extra, *kinds;
	json_t *mail, *m;
	size_t i, n;
	long long owed;

	(void)state;
	t = t_new("starttls", NULL);
	sinkdir = tu_printf("%s/sink", t->dir);
	sink_start(&sk, sinkdir, 0, NULL);
	extra = tu_printf("[smtp]\nhost = 127.0.0.1\nport = %u\nsecurity = none\n"
	                  "from = sme-intake@hengyang-gxj.example\n", sk.port);
	imapd_write_conf(&t->d, t->conf, t->state, "starttls", NULL, extra);
	deliver_examples(&t->d);
	assert_int_equal(intaked_run(t->conf, "--once", t->log, NULL), 0);
	owed = ledger_int(t->state, "SELECT count(*) FROM messages WHERE reply IS NOT NULL");
	assert_true(owed >= 15);
	assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM replies WHERE state = 'sent'"), owed);
	assert_true(sink_wait_count(sinkdir, (size_t)owed, 5000));
	assert_int_equal(sink_count(sinkdir), (size_t)owed);
	/* Each captured reply is the one the ledger composed for its message. */
	mail = sink_parse(sinkdir);
	assert_int_equal(json_array_size(mail), (size_t)owed);
	kinds = ledger_text(t->state, "SELECT r.message_id || ' ' || m.message_id || ' ' || r.recipient"
	                              " FROM replies r JOIN messages m ON m.id = r.message ORDER BY r.id");
	n = 0;
	json_array_foreach(mail, i, m) {
		const char *mid = json_string_value(json_object_get(m, "message_id"));
		const char *irt = json_string_value(json_object_get(m, "in_reply_to"));
		const char *as = json_string_value(json_object_get(m, "auto_submitted"));
		char *line;

		if (!mid || !irt) {
			char *dump = json_dumps(m, JSON_INDENT(1));
			fprintf(stderr, "%s\n", dump);
			free(dump);
			fail_msg("a captured reply lacks Message-ID or In-Reply-To");
		}
		assert_string_equal(as, "auto-replied");
		/* "<ours> <theirs> recipient" is a row of the ledger. */
		line = tu_printf("%.*s %.*s ", (int)strlen(mid) - 2, mid + 1, (int)strlen(irt) - 2, irt + 1);
		assert_non_null(strstr(kinds, line));
		free(line);
		n++;
	}
	assert_int_equal(n, (size_t)owed);
	json_decref(mail);
	free(kinds);
	sink_stop(&sk);
	free(sinkdir);
	free(extra);
	t_free(t);
}

/* ---- 100 messages, a clean stop halfway, the rest on restart ---- */

static void test_hundred_with_restart(void **state)
{
	struct t *t = t_new("none", OCR_OFF);
	long long mid;
	pid_t pid;
	int rc;

	(void)state;
	deliver_copies(&t->d, 100, 0);
	pid = intaked_spawn(t->conf, NULL, t->log);
	assert_true(wait_count(t, 30, 60000));
	kill(pid, SIGTERM);
	rc = intaked_wait(pid, NULL);
	mid = count_messages(t);
	if (rc != 0)
		show_log_on_failure(t);
	assert_int_equal(rc, 0);
	assert_in_range(mid, 30, 100);
	rc = intaked_run(t->conf, "--once", t->log, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(count_messages(t), 100);
	assert_int_equal(ledger_int(t->state, "SELECT count(DISTINCT uid) FROM messages"), 100);
	assert_int_equal(ledger_int(t->state, "SELECT min(uid) FROM messages"), 1);
	assert_int_equal(ledger_int(t->state, "SELECT max(uid) FROM messages"), 100);
	assert_int_equal(ledger_int(t->state, "SELECT last_uid FROM mailbox_state"), 100);
	assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM fetch_attempts"), 0);
	fprintf(stderr, "# 100 messages: %lld before SIGTERM, the rest after the restart\n", mid);
	t_free(t);
}

/* ---- kill -9 at random instants ---- */

static unsigned kill_runs(void)
{
	const char *e = getenv("INTAKE_KILL_RUNS");

	/* Under ASan each run is five times slower: half the kills. */
	return e && atoi(e) > 0 ? (unsigned)atoi(e) : TU_ASAN ? 20 : 40;
}

static void test_kill9_many_runs(void **state)
{
	struct t *t = t_new("none", OCR_OFF);
	char *clean_state = tu_printf("%s/clean", t->dir);
	char *clean_conf = tu_printf("%s/clean.conf", t->dir);
	char *want, *want_items;
	struct timespec t0, t1;
	long clean_ms;
	unsigned kills = 0, rounds = 0, budget = kill_runs();
	unsigned seed = (unsigned)time(NULL);

	(void)state;
	fprintf(stderr, "# kill -9 seed %u\n", seed);
	srand(seed);
	deliver_copies(&t->d, 24, 0);
	imapd_write_conf(&t->d, clean_conf, clean_state, "none", NULL, OCR_OFF);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(intaked_run(clean_conf, "--once", t->log, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clean_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	want = ledger_text(clean_state, DUMP_MESSAGES);
	want_items = ledger_text(clean_state, DUMP_ITEMS);
	assert_int_equal(ledger_int(clean_state, "SELECT count(*) FROM messages"), 24);

	while (kills < budget) {
		char *sdir = tu_printf("%s/k%u", t->dir, rounds);
		char *conf = tu_printf("%s/k%u.conf", t->dir, rounds);
		char *got, *got_items, *ic;
		bool finished = false;

		imapd_write_conf(&t->d, conf, sdir, "none", NULL, OCR_OFF);
		/* Kill runs on this state until one finishes by itself. */
		while (!finished && kills < budget) {
			pid_t pid = intaked_spawn(conf, "--once", t->log);
			long delay_ms = rand() % (clean_ms / 2 + 40);
			int rc;

			usleep((useconds_t)delay_ms * 1000);
			if (kill(pid, SIGKILL) == 0)
				kills++;
			rc = intaked_wait(pid, NULL);
			finished = rc == 0;
		}
		assert_int_equal(intaked_run(conf, "--once", t->log, NULL), 0);
		got = ledger_text(sdir, DUMP_MESSAGES);
		got_items = ledger_text(sdir, DUMP_ITEMS);
		ic = ledger_text(sdir, "PRAGMA integrity_check");
		assert_string_equal(ic, "ok\n");
		if (strcmp(got, want) != 0) {
			char *p1 = tu_printf("%s/want.txt", t->dir), *p2 = tu_printf("%s/got.txt", t->dir);
			char *cmd = tu_printf("diff %s %s >&2; tail -30 %s >&2", p1, p2, t->log);

			tu_write_file(p1, want, strlen(want));
			tu_write_file(p2, got, strlen(got));
			if (system(cmd) != 0)
				fprintf(stderr, "(round %u)\n", rounds);
			free(cmd);
			free(p1);
			free(p2);
		}
		assert_string_equal(got, want);
		assert_string_equal(got_items, want_items);
		assert_int_equal(ledger_int(sdir, "SELECT count(DISTINCT uid) FROM messages"), 24);
		assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM (SELECT county, program,"
		                                  " applicant_key FROM dossiers GROUP BY 1,2,3 HAVING count(*) > 1)"), 0);
		free(ic);
		free(got);
		free(got_items);
		free(sdir);
		free(conf);
		rounds++;
	}
	fprintf(stderr, "# kill -9: %u kills over %u rounds (clean run %ld ms), ledger equal each time\n",
	        kills, rounds, clean_ms);
	free(want);
	free(want_items);
	free(clean_state);
	free(clean_conf);
	t_free(t);
}

/* ---- UIDVALIDITY reset ---- */

static void test_uidvalidity_reset(void **state)
{
	struct t *t = t_new("none", OCR_OFF);
	long long uv1, uv2;
	char *cmd, *log;

	(void)state;
	deliver_copies(&t->d, 6, 0);
	assert_int_equal(intaked_run(t->conf, "--once", t->log, NULL), 0);
	assert_int_equal(count_messages(t), 6);
	uv1 = ledger_int(t->state, "SELECT uidvalidity FROM mailbox_state");
	/* The server loses its UID list (a rebuilt or migrated mailbox). */
	imapd_stop(&t->d);
	cmd = tu_printf("rm -f %s/home/bureau/Maildir/dovecot-uidlist %s/home/bureau/Maildir/dovecot.index*",
	                t->d.dir, t->d.dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	sleep(1);       /* Dovecot's new UIDVALIDITY is the time */
	assert_int_equal(imapd_start(&t->d, t->d.dir, NULL), 0);
	deliver_copies(&t->d, 2, 6);
	assert_int_equal(intaked_run(t->conf, "--once", t->log, NULL), 0);
	uv2 = ledger_int(t->state, "SELECT uidvalidity FROM mailbox_state");
	assert_true(uv1 != uv2);
	assert_int_equal(count_messages(t), 8);
	assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM messages WHERE uidvalidity = "
	                                     "(SELECT uidvalidity FROM mailbox_state)"), 2);
	assert_int_equal(ledger_int(t->state, "SELECT last_uid FROM mailbox_state"), 8);
	log = read_log(t);
	assert_non_null(strstr(log, "UIDVALIDITY changed"));
	assert_non_null(strstr(log, "stopping: 2 recorded, 6 duplicate(s)"));
	free(log);
	t_free(t);
}

/* ---- the server stops in the middle of a fetch ---- */

/* A message with an attachment of n pseudo-random bytes, written to path. */
static void write_big_message(const char *path, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	FILE *f = fopen(path, "wb");
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char line[80];

	assert_non_null(f);
	fputs("From: =?UTF-8?B?5bi45a6B5biC5bel5L+h5bGA?= <clerk@changning.example>\r\n"
	      "To: bureau@hengyang.example\r\nSubject: =?UTF-8?B?5aSn6ZmE5Lu2?=\r\n"
	      "Date: Fri, 12 May 2023 10:00:00 +0800\r\nMessage-ID: <big@changning.example>\r\n"
	      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attachment\r\n"
	      "--b\r\nContent-Type: application/octet-stream\r\n"
	      "Content-Disposition: attachment; filename=\"scan.bin\"\r\n"
	      "Content-Transfer-Encoding: base64\r\n\r\n", f);
	for (size_t done = 0; done < n; done += 57) {
		int k = 0;

		for (int i = 0; i < 19; i++) {   /* 57 bytes -> 76 chars */
			uint32_t v;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = (uint32_t)(x >> 40);
			line[k++] = b64[(v >> 18) & 63];
			line[k++] = b64[(v >> 12) & 63];
			line[k++] = b64[(v >> 6) & 63];
			line[k++] = b64[v & 63];
		}
		line[k++] = '\r';
		line[k++] = '\n';
		fwrite(line, 1, (size_t)k, f);
	}
	fputs("--b--\r\n", f);
	fclose(f);
}

static void test_server_stops_mid_fetch(void **state)
{
	struct t *t = t_new("none", "fetch_chunk = 64k\nmax_backoff = 2\n" OCR_OFF);
	char *big = tu_printf("%s/big.eml", t->dir);
	pid_t pid;
	int rc;

	(void)state;
	write_big_message(big, 24u << 20);
	deliver_copies(&t->d, 2, 0);
	imapd_deliver(&t->d, big, 1683856800);
	deliver_copies(&t->d, 2, 2);
	pid = intaked_spawn(t->conf, NULL, t->log);
	/* Stop the server while the big one streams in. */
	assert_true(wait_count(t, 2, 30000));
	usleep(150000);
	imapd_stop(&t->d);
	sleep(1);
	assert_int_equal(imapd_start(&t->d, t->d.dir, NULL), 0);
	if (!wait_count(t, 5, 90000))
		show_log_on_failure(t);
	assert_int_equal(count_messages(t), 5);
	kill(pid, SIGTERM);
	rc = intaked_wait(pid, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(ledger_int(t->state, "SELECT count(DISTINCT uid) FROM messages"), 5);
	assert_int_equal(ledger_int(t->state, "SELECT last_uid FROM mailbox_state"), 5);
	assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM fetch_attempts WHERE quarantined"), 0);
	assert_int_equal(ledger_int(t->state, "SELECT size FROM messages WHERE uid = 3"),
	                 ledger_int(t->state, "SELECT size FROM messages WHERE uid = 3"));
	{
		struct stat st;

		assert_int_equal(stat(big, &st), 0);
		assert_int_equal(ledger_int(t->state, "SELECT size FROM messages WHERE uid = 3"), st.st_size);
	}
	free(big);
	t_free(t);
}

/* ---- SIGTERM in the middle of a message ---- */

/* path, then the same message made distinct by one header in front. */
static void write_variant(const char *from, const char *to, unsigned i)
{
	size_t len;
	char *body = tu_read_file(from, &len), *hdr = tu_printf("X-Copy: %u\r\n", i);
	FILE *f = fopen(to, "wb");

	assert_non_null(body);
	assert_non_null(f);
	assert_int_equal(fwrite(hdr, 1, strlen(hdr), f), strlen(hdr));
	assert_int_equal(fwrite(body, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(hdr);
	free(body);
}

/*
 * systemctl stop sends SIGTERM to every process of the unit (the default
 * KillMode=control-group): intaked, its helper and the parse child alike.
 * Sent while the first message is being parsed, intaked finishes
 * that message (recorded, marked on the server), drops what it fetched
 * or parsed ahead, and exits 0; its helper process and the parse children
 * are gone with it.  The next run takes the rest, nothing twice.
 */
static void test_sigterm_finishes_message_in_flight(void **state)
{
	struct t *t = t_new("none", NULL);
	char *big = tu_printf("%s/big.eml", t->dir);
	pid_t pid, zygote = 0, parse = 0;
	struct stat st;
	int rc;

	(void)state;
	write_big_message(big, 48u << 20);
	for (unsigned i = 1; i <= 3; i++) {
		char *v = tu_printf("%s/big%u.eml", t->dir, i);

		write_variant(big, v, i);
		imapd_deliver(&t->d, v, 1683856800 + i);
		free(v);
	}
	pid = intaked_spawn(t->conf, NULL, t->log);
	/* Wait for the first parse child: intaked -> zygote -> child. */
	for (int waited = 0; waited < 60000 && !parse; waited++) {
		zygote = parse = 0;
		if (tu_children(pid, &zygote) > 0)
			tu_children(zygote, &parse);
		if (!parse)
			usleep(1000);
	}
	if (!parse)
		show_log_on_failure(t);
	assert_true(parse > 0);
	/* Nothing is recorded yet: the first message is in flight. */
	assert_int_equal(count_messages(t), 0);
	(void)kill(parse, SIGTERM);   /* it may have just ended */
	assert_int_equal(kill(zygote, SIGTERM), 0);
	assert_int_equal(kill(pid, SIGTERM), 0);
	rc = intaked_wait(pid, NULL);
	if (rc != 0)
		show_log_on_failure(t);
	assert_int_equal(rc, 0);
	{
		char *l = read_log(t);

		assert_non_null(strstr(l, "stopping:"));
		free(l);
	}
	/* The message in flight was finished, whole, and marked. */
	assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM messages WHERE uid = 1"), 1);
	assert_true(ledger_int(t->state, "SELECT last_uid FROM mailbox_state") >= 1);
	assert_true(ledger_int(t->state, "SELECT count(*) FROM files f JOIN messages m ON m.id = f.message"
	                                 " WHERE m.uid = 1 AND f.stored IS NOT NULL") >= 1);
	assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM fetch_attempts WHERE quarantined"), 0);
	/* intaked reaped its helper, which reaped the child. */
	assert_int_equal(kill(zygote, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(kill(parse, 0), -1);
	assert_int_equal(errno, ESRCH);
	{
		char *tmp = tu_printf("%s/spool/tmp", t->state);
		size_t n = 0;
		char **left = tu_list_files(tmp, &n);

		assert_int_equal(n, 0);
		tu_free_list(left, n);
		free(tmp);
	}
	/* The next run takes the rest. */
	assert_int_equal(intaked_run(t->conf, "--once", t->log, NULL), 0);
	assert_int_equal(count_messages(t), 3);
	assert_int_equal(ledger_int(t->state, "SELECT count(DISTINCT uid) FROM messages"), 3);
	assert_int_equal(ledger_int(t->state, "SELECT last_uid FROM mailbox_state"), 3);
	/* Each message whole: the big one plus its "X-Copy: N\r\n". */
	assert_int_equal(stat(big, &st), 0);
	{
		char *sql = tu_printf("SELECT count(*) FROM messages WHERE size = %lld", (long long)st.st_size + 11);

		assert_int_equal(ledger_int(t->state, sql), 3);
		free(sql);
	}
	free(big);
	t_free(t);
}

/* ---- TLS: implicit and STARTTLS accepted; bad certificates refused ---- */

static int check_config(const struct t *t, const char *conf, char **out_r)
{
	char *cmd = tu_printf("%s -c %s --check-config > %s/check.out 2>&1", intaked_path(), conf, t->dir);
	char *path = tu_printf("%s/check.out", t->dir);
	size_t len;
	int st = system(cmd);

	*out_r = tu_read_file(path, &len);
	free(cmd);
	free(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_tls_verification(void **state)
{
	struct t *t = t_new("tls", NULL);
	char *conf2 = tu_printf("%s/other.conf", t->dir);
	char *out, *text, *p;
	size_t len;

	(void)state;
	deliver_copies(&t->d, 1, 0);
	assert_int_equal(check_config(t, t->conf, &out), 0);
	assert_non_null(strstr(out, "(tls): ok"));
	free(out);
	imapd_write_conf(&t->d, conf2, t->state, "starttls", "localhost", NULL);
	assert_int_equal(check_config(t, conf2, &out), 0);
	assert_non_null(strstr(out, "(starttls): ok"));
	free(out);
	/* The real thing over implicit TLS. */
	assert_int_equal(intaked_run(t->conf, "--once", t->log, NULL), 0);
	assert_int_equal(count_messages(t), 1);

	/* No ca_file: the test CA is unknown to the system store. */
	text = tu_read_file(t->conf, &len);
	p = strstr(text, "ca_file");
	memcpy(p, "; ", 2);
	tu_write_file(conf2, text, len);
	free(text);
	assert_int_equal(check_config(t, conf2, &out), 1);
	assert_non_null(strstr(out, "FAILED: TLS: certificate of 127.0.0.1 refused"));
	free(out);

	/* A certificate for another host, then a self-signed one. */
	imapd_stop(&t->d);
	assert_int_equal(imapd_start(&t->d, t->d.dir, "wronghost"), 0);
	assert_int_equal(check_config(t, t->conf, &out), 1);
	assert_non_null(strstr(out, "FAILED: TLS: certificate of 127.0.0.1 refused"));
	free(out);
	imapd_write_conf(&t->d, conf2, t->state, "starttls", NULL, NULL);
	assert_int_equal(check_config(t, conf2, &out), 1);
	assert_non_null(strstr(out, "refused"));
	free(out);
	/* intaked itself never logs in there. */
	assert_int_equal(intaked_run(t->conf, "--once", t->log, NULL), 1);
	imapd_stop(&t->d);
	assert_int_equal(imapd_start(&t->d, t->d.dir, "selfsigned"), 0);
	assert_int_equal(check_config(t, t->conf, &out), 1);
	assert_non_null(strstr(out, "FAILED: TLS: certificate of 127.0.0.1 refused"));
	free(out);
	imapd_stop(&t->d);
	assert_int_equal(imapd_start(&t->d, t->d.dir, NULL), 0);
	{
		char *log = tu_printf("%s/imapd/dovecot.log", t->dir);
		char *dl = tu_read_file(log, &len);

		/* Refused before any password went out: one login only, from
		 * the successful runs (check-config x2 and --once). */
		size_t logins = 0;
		for (char *q = dl; (q = strstr(q, "Login: user=<bureau>")); q++)
			logins++;
		assert_int_equal(logins, 3);
		free(dl);
		free(log);
	}
	free(conf2);
	t_free(t);
}

/* ---- a message the server cannot deliver is quarantined ---- */

static void test_quarantine(void **state)
{
	struct t *t = t_new("none", "max_attempts = 2\n" OCR_OFF);
	size_t n;
	char **files;
	char *cmd, *log;
	int rc;

	(void)state;
	deliver_copies(&t->d, 3, 0);
	/* Dovecot's mail process cannot read one of them (whichever UID the
	 * file sorted second by name got). */
	files = imapd_list(&t->d, &n);
	assert_int_equal(n, 3);
	qsort(files, n, sizeof(*files), (int (*)(const void *, const void *))strcmp);
	cmd = tu_printf("chmod 000 %s/home/bureau/Maildir/%s", t->d.dir, files[1]);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	rc = intaked_run(t->conf, "--once", t->log, NULL);
	log = read_log(t);
	if (rc != 0)
		fprintf(stderr, "%s", log);
	assert_int_equal(rc, 0);
	assert_int_equal(count_messages(t), 2);
	assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM fetch_attempts WHERE quarantined"
	                                     " AND attempts = 2 AND last_error <> '' AND uid <= 3"), 1);
	assert_non_null(strstr(log, "quarantined after 2 attempt(s)"));
	/* The next run does not try again, and the ones after it went in. */
	assert_int_equal(ledger_int(t->state, "SELECT last_uid FROM mailbox_state"), 3);
	free(log);

	/* Too large for max_message_bytes: quarantined at once, unfetched. */
	{
		char *conf = tu_printf("%s/small.conf", t->dir);
		size_t len;
		char *base = tu_read_file(t->conf, &len);
		char *at = strstr(base, "[imap]");
		char *full = tu_printf("%.*smax_message_bytes = 2k\n%s", (int)(at - base), base, at);

		tu_write_file(conf, full, strlen(full));
		deliver_copies(&t->d, 1, 4);    /* a 13 KB submission */
		assert_int_equal(intaked_run(conf, "--once", t->log, NULL), 0);
		assert_int_equal(count_messages(t), 2);
		assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM fetch_attempts WHERE quarantined"
		                                     " AND flagged AND uid = 4"
		                                     " AND last_error LIKE '%max_message_bytes%'"), 1);
		free(full);
		free(base);
		free(conf);
	}
	/* Both flagged on the server for people to see, neither \\Seen; the
	 * other two \\Seen and processed.  Dovecot names keywords by letters
	 * in the order they were first used (dovecot-keywords). */
	{
		size_t nq = 0, np = 0, len;
		char *kwpath = tu_printf("%s/home/bureau/Maildir/dovecot-keywords", t->d.dir);
		char *kw = tu_read_file(kwpath, &len);
		char qletter = 0, pletter = 0;

		assert_non_null(kw);
		for (char *line = strtok(kw, "\n"); line; line = strtok(NULL, "\n")) {
			char letter = (char)('a' + atoi(line));

			if (strstr(line, "$IntakeQuarantined"))
				qletter = letter;
			else if (strstr(line, "$IntakeProcessed"))
				pletter = letter;
		}
		assert_true(qletter && pletter);
		files = imapd_list(&t->d, &n);
		for (size_t i = 0; i < n; i++) {
			const char *info = strstr(files[i], ":2,");

			assert_non_null(info);
			if (strchr(info, qletter)) {
				assert_null(strchr(info, 'S'));
				nq++;
			} else if (strchr(info, pletter) && strchr(info, 'S')) {
				np++;
			}
			free(files[i]);
		}
		free(files);
		free(kw);
		free(kwpath);
		assert_int_equal(nq, 2);
		assert_int_equal(np, 2);
	}
	t_free(t);
}

/* ---- 150 MB in bounded memory ---- */

static void test_big_message_bounded_rss(void **state)
{
	struct t *t;
	char *big;
	struct rusage ru;
	struct stat st;
	int rc;

	(void)state;
	if (TU_ASAN) {
		fprintf(stderr, "# skipped under AddressSanitizer: its shadow memory makes RSS meaningless\n");
		skip();
	}
	t = t_new("none", NULL);
	big = tu_printf("%s/big.eml", t->dir);
	write_big_message(big, 110u << 20);
	assert_int_equal(stat(big, &st), 0);
	assert_true(st.st_size > 150000000);
	imapd_deliver(&t->d, big, 1683856800);
	unlink(big);
	rc = intaked_run(t->conf, "--once", t->log, &ru);
	if (rc != 0)
		show_log_on_failure(t);
	assert_int_equal(rc, 0);
	assert_int_equal(ledger_int(t->state, "SELECT size FROM messages"), st.st_size);
	assert_int_equal(ledger_int(t->state, "SELECT count(*) FROM files WHERE size = 115343376"), 1);
	fprintf(stderr, "# %lld-byte message: peak RSS %ld KiB (intaked and its parse child)\n",
	        (long long)st.st_size, ru.ru_maxrss);
	assert_true(ru.ru_maxrss < 64 * 1024);
	free(big);
	t_free(t);
}

/* ---- IDLE, the shared lock, SIGHUP ---- */

static void test_idle_lock_reload(void **state)
{
	struct t *t = t_new("none", "poll_interval = 600\n");
	struct timespec a, b;
	char *cmd, *log, *second_log;
	long ms;
	pid_t pid;
	int rc;

	(void)state;
	deliver_copies(&t->d, 1, 0);
	pid = intaked_spawn(t->conf, NULL, t->log);
	assert_true(wait_count(t, 1, 20000));
	usleep(500000);         /* into IDLE */
	clock_gettime(CLOCK_MONOTONIC, &a);
	deliver_copies(&t->d, 1, 1);
	assert_true(wait_count(t, 2, 10000));
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	fprintf(stderr, "# IDLE: new message recorded %ld ms after delivery (poll_interval 600 s)\n", ms);
	assert_true(ms < 2000);

	/* intakectl works the state directory while the daemon idles. */
	cmd = tu_printf("timeout 20 %s/intakectl -c %s ingest examples/13-autoreply-out-of-office.eml"
	                " > /dev/null", getenv("INTAKE_BIN") ? getenv("INTAKE_BIN") : "bin", t->conf);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(count_messages(t), 3);
	/* A second daemon on the same state is refused. */
	second_log = tu_printf("%s/second.log", t->dir);
	assert_int_equal(intaked_run(t->conf, "--once", second_log, NULL), 1);
	{
		size_t len;
		char *s = tu_read_file(second_log, &len);

		assert_non_null(strstr(s, "another intaked"));
		free(s);
	}
	/* SIGHUP reloads; the daemon goes on. */
	kill(pid, SIGHUP);
	usleep(300000);
	deliver_copies(&t->d, 1, 2);
	assert_true(wait_count(t, 4, 10000));
	kill(pid, SIGTERM);
	rc = intaked_wait(pid, NULL);
	assert_int_equal(rc, 0);
	log = read_log(t);
	assert_non_null(strstr(log, "reloaded"));
	assert_non_null(strstr(log, "stopping: 3 recorded"));
	free(log);
	free(second_log);
	t_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_match_offline_ingest),
		cmocka_unit_test(test_examples_replies_over_smtp),
		cmocka_unit_test(test_hundred_with_restart),
		cmocka_unit_test(test_kill9_many_runs),
		cmocka_unit_test(test_uidvalidity_reset),
		cmocka_unit_test(test_server_stops_mid_fetch),
		cmocka_unit_test(test_sigterm_finishes_message_in_flight),
		cmocka_unit_test(test_tls_verification),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_big_message_bounded_rss),
		cmocka_unit_test(test_idle_lock_reload),
	};

	/* INTAKE_TEST_FILTER=test_quarantine runs one test (cmocka pattern). */
	if (getenv("INTAKE_TEST_FILTER"))
		cmocka_set_test_filter(getenv("INTAKE_TEST_FILTER"));
	if (access("/usr/sbin/dovecot", X_OK) != 0) {
		fprintf(stderr, "test_imap needs Dovecot (Debian dovecot-imapd, listed in DEPENDS)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

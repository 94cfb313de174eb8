/*
 * Crash consistency (issue 7, item 4): SIGKILL at random instants, over
 * many runs, of `intaked --once` against a loopback Dovecot and of
 * `intakectl ingest` (their parse children die with them).  After every
 * round of kills, a run to completion must leave: PRAGMA integrity_check
 * ok, every message in the ledger exactly once (by sha256, and by UID for
 * intaked), every message marked on the server, no dossier twice (county,
 * program, applicant_key), and the very ledger an undisturbed run made.
 *
 * INTAKE_KILL_RUNS sets the total number of kills, split evenly between
 * the two programs (default 200; 40 under ASan, where each run is about
 * five times slower).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
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

/* As in test_imap.c: what the ledger decided, independent of row ids. */
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

#define NMSG 8U
/*
 * The examples' pictures are 8x6-pixel placeholders without text, yet with
 * OCR on each parse child that meets one loads Tesseract (about a second,
 * most of a run): the runs took four times as long and most kill instants
 * fell into Tesseract's start-up.  What is killed here is the ledger's and
 * the spool's writing, so OCR is off in every run, the clean one too.
 * OCR in the parse child is test_textract's, test_worker's, test_ingest's
 * and test_content's; test_imap's examples run keeps it in intaked.
 */
#define OCR_OFF "ocr = off\n"
/* Kills on one state directory before it is run to completion. */
#define KILLS_PER_ROUND 8U

static const char *const src[] = {
	"examples/01-zhuhui-foxmail-base-complete.eml",
	"examples/02-yanfeng-outlook-gbk-zip-institution.eml",
	"examples/03-qidong-qq-personal-address.eml",
	"examples/05-leiyang-thunderbird-7z-nested-zips.eml",
	"examples/16-songmu-targz-macos-junk.eml",
	"examples/18-hengyangxian-two-units-one-zip.eml",
};

static unsigned total_kills(void)
{
	const char *e = getenv("INTAKE_KILL_RUNS");

	return e && atoi(e) > 0 ? (unsigned)atoi(e) : TU_ASAN ? 20 : 200;
}

/* Message i: an example made unique by a header. */
static char *copy_msg(unsigned i, size_t *len_r)
{
	size_t len;
	char *body = tu_read_file(src[i % 6], &len);
	char *hdr = tu_printf("X-Intake-Test-Copy: %u\r\n", i);
	size_t hl = strlen(hdr);
	char *msg = malloc(hl + len);

	assert_non_null(body);
	memcpy(msg, hdr, hl);
	memcpy(msg + hl, body, len);
	free(hdr);
	free(body);
	*len_r = hl + len;
	return msg;
}

/*
 * TODO(outbox): "no reply lost".  Replies are composed in the message's
 * transaction and sent from an outbox, which lives on another branch.  Once
 * it is merged, check here that every message with a reply owed has exactly
 * one outbox row (sent or pending, with its fixed Message-ID), whatever the
 * kills interrupted.  Until then this only checks that the owed reply kinds
 * are part of the ledger compared with the clean run (DUMP_MESSAGES has
 * m.reply).
 */
static void check_no_reply_lost(const char *sdir)
{
	/* Every message owed a reply has exactly one original reply in the
	 * outbox, and no other message has one: the reply commits with the
	 * message or not at all. */
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages m WHERE (m.reply IS NOT NULL) <>"
	                                  " ((SELECT count(*) FROM replies r WHERE r.message = m.id"
	                                  " AND r.update_of IS NULL) = 1)"), 0);
	assert_true(ledger_int(sdir, "SELECT count(*) FROM replies") > 0);
	/* And none is lost in flight: each is queued, being sent or sent. */
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM replies WHERE state = 'failed'"), 0);
}

/* Replies are composed (from is set) and offered to an SMTP port nothing
 * listens on: they stay queued, as during an outage.  OCR is off (see
 * OCR_OFF), here and in the clean run alike. */
static char *smtp_extra(void)
{
	return tu_printf("[smtp]\nhost = 127.0.0.1\nport = %u\nsecurity = none\n"
	                 "from = sme-intake@hengyang-gxj.example\n[intake]\n" OCR_OFF, sink_free_port());
}

static void check_ledger(const char *sdir, const char *want, const char *want_items, bool imap,
                         const char *log)
{
	char *got = ledger_text(sdir, DUMP_MESSAGES);
	char *got_items = ledger_text(sdir, DUMP_ITEMS);
	char *ic = ledger_text(sdir, "PRAGMA integrity_check");

	assert_string_equal(ic, "ok\n");
	if (strcmp(got, want) != 0) {
		char *cmd = tu_printf("tail -30 %s >&2", log);

		fprintf(stderr, "want:\n%s\ngot:\n%s\n", want, got);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
		free(cmd);
	}
	assert_string_equal(got, want);
	assert_string_equal(got_items, want_items);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), NMSG);
	assert_int_equal(ledger_int(sdir, "SELECT count(DISTINCT sha256) FROM messages"), NMSG);
	if (imap) {
		assert_int_equal(ledger_int(sdir, "SELECT count(DISTINCT uid) FROM messages"), NMSG);
		assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages WHERE uid IS NULL"), 0);
		assert_int_equal(ledger_int(sdir, "SELECT last_uid FROM mailbox_state"), NMSG);
		assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM fetch_attempts"), 0);
	}
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM (SELECT county, program, applicant_key"
	                                  " FROM dossiers GROUP BY 1, 2, 3 HAVING count(*) > 1)"), 0);
	check_no_reply_lost(sdir);
	free(ic);
	free(got);
	free(got_items);
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000LL + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- intaked --once ---- */

static void test_kill_intaked(void **state)
{
	char *dir = tu_tempdir(), *imapdir, *clean_conf, *clean_state, *log, *want, *want_items, *smtp;
	unsigned budget = total_kills() / 2, kills = 0, rounds = 0, seed = (unsigned)time(NULL);
	struct imapd im = { 0 };
	struct timespec t0;
	long long clean_ms;

	(void)state;
	fprintf(stderr, "# intaked kill seed %u\n", seed);
	srand(seed);
	chmod(dir, 0711);
	imapdir = tu_printf("%s/imapd", dir);
	mkdir(imapdir, 0755);
	assert_int_equal(imapd_start(&im, imapdir, NULL), 0);
	for (unsigned i = 0; i < NMSG; i++) {
		size_t len;
		char *m = copy_msg(i, &len);

		imapd_deliver_buf(&im, m, len, 1683856800 + 60 * (time_t)i);
		free(m);
	}
	log = tu_printf("%s/intaked.log", dir);
	clean_conf = tu_printf("%s/clean.conf", dir);
	clean_state = tu_printf("%s/clean", dir);
	smtp = smtp_extra();
	imapd_write_conf(&im, clean_conf, clean_state, "none", NULL, smtp);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(intaked_run(clean_conf, "--once", log, NULL), 0);
	clean_ms = ms_since(&t0);
	want = ledger_text(clean_state, DUMP_MESSAGES);
	want_items = ledger_text(clean_state, DUMP_ITEMS);
	assert_int_equal(ledger_int(clean_state, "SELECT count(*) FROM messages"), NMSG);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (kills < budget) {
		char *sdir = tu_printf("%s/k%u", dir, rounds), *conf = tu_printf("%s/k%u.conf", dir, rounds);
		unsigned here = 0;
		bool finished = false;

		imapd_write_conf(&im, conf, sdir, "none", NULL, smtp);
		while (!finished && here < KILLS_PER_ROUND && kills < budget) {
			pid_t pid = intaked_spawn(conf, "--once", log);

			usleep((useconds_t)(rand() % (clean_ms + 40)) * 1000);
			if (kill(pid, SIGKILL) == 0) {
				kills++;
				here++;
			}
			finished = intaked_wait(pid, NULL) == 0;
		}
		assert_int_equal(intaked_run(conf, "--once", log, NULL), 0);
		check_ledger(sdir, want, want_items, true, log);
		tu_rmrf(sdir);
		free(sdir);
		free(conf);
		rounds++;
	}
	/* One mailbox for every round, so marks are checked at the end: each
	 * message recorded in some round was marked, and nothing else. */
	{
		size_t n;
		char **files = imapd_list(&im, &n);

		assert_int_equal(n, NMSG);
		for (size_t i = 0; i < n; i++) {
			const char *info = strstr(files[i], ":2,");

			assert_non_null(info);
			assert_non_null(strchr(info, 'S'));
			free(files[i]);
		}
		free(files);
	}
	fprintf(stderr, "# intaked --once: %u SIGKILLs over %u rounds in %lld ms (clean run %lld ms),"
	        " ledger equal to the clean run's each time\n", kills, rounds, ms_since(&t0), clean_ms);
	imapd_stop(&im);
	free(im.dir);
	free(want);
	free(want_items);
	free(clean_conf);
	free(smtp);
	free(clean_state);
	free(imapdir);
	free(log);
	tu_rmrf(dir);
	free(dir);
}

/* ---- intakectl ingest ---- */

static pid_t ingest_spawn(char *conf, char **files, const char *log)
{
	const char *b = getenv("INTAKE_BIN");
	char *exe = tu_printf("%s/intakectl", b && *b ? b : "bin");
	char *argv[8 + NMSG];
	unsigned k = 0;
	pid_t pid;
	char a0[] = "intakectl", a1[] = "-c", a3[] = "ingest", a4[] = "--received";
	char a5[] = "2023-05-12T10:00:00+08:00";

	argv[k++] = a0;
	argv[k++] = a1;
	argv[k++] = conf;
	argv[k++] = a3;
	argv[k++] = a4;
	argv[k++] = a5;
	for (unsigned i = 0; i < NMSG; i++)
		argv[k++] = files[i];
	argv[k] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(exe, argv);
		_exit(127);
	}
	free(exe);
	return pid;
}

static void write_conf(const char *conf, const char *sdir)
{
	char *cwd = getcwd(NULL, 0);
	char *text = tu_printf("[intake]\nstate_dir = %s\ncampaign = %s/campaigns/hengyang-2023.conf\n" OCR_OFF
	                       "[smtp]\nhost = 127.0.0.1\nsecurity = none\n"
	                       "from = sme-intake@hengyang-gxj.example\n",
	                       sdir, cwd);

	assert_int_equal(tu_write_file(conf, text, strlen(text)), 0);
	free(text);
	free(cwd);
}

static void test_kill_intakectl(void **state)
{
	char *dir = tu_tempdir(), *files[NMSG], *clean_conf, *clean_state, *log, *want, *want_items;
	unsigned budget = total_kills() - total_kills() / 2, kills = 0, rounds = 0;
	unsigned seed = (unsigned)time(NULL) ^ 0x5a5a;
	struct timespec t0;
	long long clean_ms;

	(void)state;
	fprintf(stderr, "# intakectl kill seed %u\n", seed);
	srand(seed);
	for (unsigned i = 0; i < NMSG; i++) {
		size_t len;
		char *m = copy_msg(i, &len);

		files[i] = tu_printf("%s/m%02u.eml", dir, i);
		assert_int_equal(tu_write_file(files[i], m, len), 0);
		free(m);
	}
	log = tu_printf("%s/ingest.log", dir);
	clean_conf = tu_printf("%s/clean.conf", dir);
	clean_state = tu_printf("%s/clean", dir);
	write_conf(clean_conf, clean_state);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(intaked_wait(ingest_spawn(clean_conf, files, log), NULL), 0);
	clean_ms = ms_since(&t0);
	want = ledger_text(clean_state, DUMP_MESSAGES);
	want_items = ledger_text(clean_state, DUMP_ITEMS);
	assert_int_equal(ledger_int(clean_state, "SELECT count(*) FROM messages"), NMSG);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (kills < budget) {
		char *sdir = tu_printf("%s/k%u", dir, rounds), *conf = tu_printf("%s/k%u.conf", dir, rounds);
		unsigned here = 0;
		bool finished = false;

		write_conf(conf, sdir);
		while (!finished && here < KILLS_PER_ROUND && kills < budget) {
			pid_t pid = ingest_spawn(conf, files, log);

			usleep((useconds_t)(rand() % (clean_ms + 20)) * 1000);
			if (kill(pid, SIGKILL) == 0) {
				kills++;
				here++;
			}
			finished = intaked_wait(pid, NULL) == 0;
		}
		assert_int_equal(intaked_wait(ingest_spawn(conf, files, log), NULL), 0);
		check_ledger(sdir, want, want_items, false, log);
		/* Every message is kept exactly once in the spool. */
		{
			char *sp = tu_printf("%s/spool", sdir);
			size_t n;
			char **l = tu_list_files(sp, &n);

			assert_int_equal(n, NMSG);
			tu_free_list(l, n);
			free(sp);
		}
		tu_rmrf(sdir);
		free(sdir);
		free(conf);
		rounds++;
	}
	fprintf(stderr, "# intakectl ingest: %u SIGKILLs over %u rounds in %lld ms (clean run %lld ms),"
	        " ledger equal to the clean run's each time\n", kills, rounds, ms_since(&t0), clean_ms);
	for (unsigned i = 0; i < NMSG; i++)
		free(files[i]);
	free(want);
	free(want_items);
	free(clean_conf);
	free(clean_state);
	free(log);
	tu_rmrf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_intaked),
		cmocka_unit_test(test_kill_intakectl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

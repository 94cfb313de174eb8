/*
 * A full disk (issue 7, item 5).  The state directory lives on a small
 * tmpfs mounted by the test (root only; skipped otherwise), filled with a
 * ballast file so that a chosen step hits ENOSPC:
 *   - writing the raw message into the spool,
 *   - the parse child writing an extracted file into its work directory.
 * Each time intake stops with a clear reason, the message is neither
 * recorded nor marked on the IMAP server, the ledger is intact and nothing
 * half-written stays in spool/tmp; once the ballast is gone the same run
 * takes everything in.  Both for intaked --once and intakectl ingest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "imapd_fixture.h"
#include "testutil.h"

#define FS_MB 32

struct df {
	char *dir, *fs, *ballast, *log;
	bool mounted;
};

/* Unmounted by the test's teardown too: a failed assertion skips the
 * test's own end. */
static struct df *current;

static bool df_setup(struct df *d)
{
	memset(d, 0, sizeof(*d));
	if (geteuid() != 0) {
		fprintf(stderr, "# SKIP disk full: needs root to mount a small tmpfs\n");
		return false;
	}
	d->dir = tu_tempdir();
	chmod(d->dir, 0711);
	d->fs = tu_printf("%s/fs", d->dir);
	d->ballast = tu_printf("%s/fs/ballast", d->dir);
	d->log = tu_printf("%s/run.log", d->dir);
	mkdir(d->fs, 0755);
	if (mount("tmpfs", d->fs, "tmpfs", MS_NOSUID | MS_NODEV, "size=" "32" "m,mode=0755") != 0) {
		fprintf(stderr, "# SKIP disk full: mount tmpfs on %s: %s\n", d->fs, strerror(errno));
		return false;
	}
	d->mounted = true;
	return true;
}

static void df_teardown(struct df *d)
{
	if (d->mounted && umount2(d->fs, MNT_DETACH) != 0)
		fprintf(stderr, "umount %s: %s\n", d->fs, strerror(errno));
	d->mounted = false;
	current = NULL;
	if (d->dir)
		tu_rmrf(d->dir);
	free(d->dir);
	free(d->fs);
	free(d->ballast);
	free(d->log);
}

/* Fill the file system up to `left` free bytes (0 = remove the ballast). */
static void ballast(struct df *d, unsigned long long left)
{
	struct statvfs sv;
	unsigned long long avail, have = 0;
	struct stat st;
	int fd;

	if (left == 0) {
		unlink(d->ballast);
		return;
	}
	if (stat(d->ballast, &st) == 0)
		have = (unsigned long long)st.st_size;
	assert_int_equal(statvfs(d->fs, &sv), 0);
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize + have;
	assert_true(avail > left);
	fd = open(d->ballast, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	if (have > avail - left)
		assert_int_equal(ftruncate(fd, (off_t)(avail - left)), 0);
	else
		assert_int_equal(posix_fallocate(fd, 0, (off_t)(avail - left)), 0);
	close(fd);
}

static char *slurp(const char *path)
{
	char *s = tu_read_file(path, NULL);

	return s ? s : strdup("");
}

static unsigned count_dir(const char *path)
{
	DIR *dd = opendir(path);
	struct dirent *e;
	unsigned n = 0;

	if (!dd)
		return 0;
	while ((e = readdir(dd)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dd);
	return n;
}

/* Messages of the mailbox flagged \Seen by us. */
static unsigned marked(struct imapd *im)
{
	size_t n;
	char **files = imapd_list(im, &n);
	unsigned k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *info = strstr(files[i], ":2,");

		if (info && strchr(info, 'S') && strchr(info, 'a'))
			k++;
		free(files[i]);
	}
	free(files);
	return k;
}

static void assert_consistent(const char *sdir)
{
	char *ic = ledger_text(sdir, "PRAGMA integrity_check");
	char *tmp = tu_printf("%s/spool/tmp", sdir);

	assert_string_equal(ic, "ok\n");
	/* Nothing half-written left behind. */
	assert_int_equal(count_dir(tmp), 0);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages m JOIN files f"
	                                  " ON f.message = m.id WHERE f.size > 0 AND f.stored IS NULL AND f.container = 0"), 0);
	free(ic);
	free(tmp);
}

/* big.eml, big2.eml (3 MB of random bytes attached), expander.eml (a 7 KB
 * zip that holds 6 MB of zeros: small to spool, big to extract). */
static void make_messages(const char *dir)
{
	char *cmd = tu_printf(
		"/usr/bin/python3 - %s <<'EOF'\n"
		"import base64, io, random, sys, zipfile\n"
		"d = sys.argv[1]\n"
		"def mail(mid, name, data, ctype):\n"
		"    b = base64.encodebytes(data).replace(b'\\n', b'\\r\\n')\n"
		"    return (b'From: qidong-gxj@hengyang.gov.example\\r\\nTo: sme-intake@hengyang-gxj.example\\r\\n'\n"
		"            b'Subject: =?UTF-8?B?' + base64.b64encode('祁东县申报材料'.encode()) + b'?=\\r\\n'\n"
		"            b'Message-ID: <' + mid + b'@hengyang.gov.example>\\r\\nMIME-Version: 1.0\\r\\n'\n"
		"            b'Content-Type: multipart/mixed; boundary=\"b\"\\r\\n\\r\\n--b\\r\\n'\n"
		"            b'Content-Type: text/plain; charset=utf-8\\r\\n\\r\\nx\\r\\n--b\\r\\n'\n"
		"            b'Content-Type: ' + ctype + b'; name=\"' + name + b'\"\\r\\n'\n"
		"            b'Content-Disposition: attachment; filename=\"' + name + b'\"\\r\\n'\n"
		"            b'Content-Transfer-Encoding: base64\\r\\n\\r\\n' + b + b'--b--\\r\\n')\n"
		"for n, seed in (('big', 1), ('big2', 2)):\n"
		"    r = random.Random(seed)\n"
		"    open(d + '/' + n + '.eml', 'wb').write(mail(n.encode(), b'scan.pdf',\n"
		"        bytes(r.getrandbits(8) for _ in range(3 << 20)), b'application/pdf'))\n"
		"z = io.BytesIO()\n"
		"with zipfile.ZipFile(z, 'w', zipfile.ZIP_DEFLATED) as f:\n"
		"    f.writestr('scan.pdf', bytes(6 << 20))\n"
		"open(d + '/expander.eml', 'wb').write(mail(b'expander', b'cl.zip', z.getvalue(), b'application/zip'))\n"
		"EOF", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static int unmount_left(void **state)
{
	(void)state;
	if (current && current->mounted && umount2(current->fs, MNT_DETACH) == 0)
		current->mounted = false;
	current = NULL;
	return 0;
}

static void test_intaked_disk_full(void **state)
{
	static struct df d;
	struct imapd im = { 0 };
	char *imapdir, *conf, *sdir, *big, *exp, *log;

	(void)state;
	current = &d;
	if (!df_setup(&d)) {
		df_teardown(&d);
		skip();
	}
	imapdir = tu_printf("%s/imapd", d.dir);
	mkdir(imapdir, 0755);
	assert_int_equal(imapd_start(&im, imapdir, NULL), 0);
	conf = tu_printf("%s/intake.conf", d.dir);
	sdir = tu_printf("%s/state", d.fs);
	imapd_write_conf(&im, conf, sdir, "none", NULL, NULL);
	make_messages(d.dir);
	big = tu_printf("%s/big.eml", d.dir);
	exp = tu_printf("%s/expander.eml", d.dir);

	imapd_deliver(&im, "examples/01-zhuhui-foxmail-base-complete.eml", 1683856800);
	assert_int_equal(intaked_run(conf, "--once", d.log, NULL), 0);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), 1);
	imapd_deliver(&im, big, 1683856860);                 /* uid 2 */
	imapd_deliver(&im, exp, 1683856920);                 /* uid 3 */
	imapd_deliver(&im, "examples/02-yanfeng-outlook-gbk-zip-institution.eml", 1683856980);

	/* 1 MiB left: uid 2 (3 MB) cannot be spooled. */
	ballast(&d, 1 << 20);
	assert_int_equal(truncate(d.log, 0), 0);
	assert_int_equal(intaked_run(conf, "--once", d.log, NULL), 1);
	log = slurp(d.log);
	if (!strstr(log, "stopped taking in mail") || !strstr(log, "No space left on device"))
		fail_msg("no clear reason logged:\n%s", log);
	fprintf(stderr, "# spool full: %s", strstr(log, "stopped taking in mail"));
	free(log);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), 1);
	assert_int_equal(ledger_int(sdir, "SELECT last_uid FROM mailbox_state"), 1);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM fetch_attempts"), 0);
	assert_int_equal(marked(&im), 1);
	assert_consistent(sdir);

	/* 9 MiB left: uid 2 goes in (3 MB spooled, 2.2 MB extracted); uid 3's
	 * 6 MB of zeros fill the disk in the parse child.  (With so little
	 * space uid 3 is not parsed ahead: it would fill the disk under
	 * uid 2.)  Before the fix the
	 * child dropped the file and the message was recorded without it, and
	 * marked on the server. */
	ballast(&d, 9 << 20);
	assert_int_equal(truncate(d.log, 0), 0);
	assert_int_equal(intaked_run(conf, "--once", d.log, NULL), 1);
	log = slurp(d.log);
	if (!strstr(log, "stopped taking in mail") || !strstr(log, "cannot write the work directory"))
		fail_msg("no clear reason logged:\n%s", log);
	fprintf(stderr, "# work directory full: %s", strstr(log, "stopped taking in mail"));
	free(log);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), 2);
	assert_int_equal(ledger_int(sdir, "SELECT max(uid) FROM messages"), 2);
	assert_int_equal(ledger_int(sdir, "SELECT last_uid FROM mailbox_state"), 2);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM fetch_attempts"), 0);
	assert_int_equal(marked(&im), 2);
	assert_consistent(sdir);

	/* Space again: everything in, once. */
	ballast(&d, 0);
	assert_int_equal(intaked_run(conf, "--once", d.log, NULL), 0);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), 4);
	assert_int_equal(ledger_int(sdir, "SELECT count(DISTINCT uid) FROM messages"), 4);
	assert_int_equal(ledger_int(sdir, "SELECT last_uid FROM mailbox_state"), 4);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM fetch_attempts"), 0);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM problems WHERE kind LIKE 'worker-%'"), 0);
	/* The 6 MB file is there in full. */
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM files WHERE size = 6291456"), 1);
	assert_int_equal(marked(&im), 4);
	assert_consistent(sdir);

	imapd_stop(&im);
	free(im.dir);
	free(imapdir);
	free(conf);
	free(sdir);
	free(big);
	free(exp);
	df_teardown(&d);
}

static int intakectl(const char *conf, const char *file, const char *errlog)
{
	const char *b = getenv("INTAKE_BIN");
	char *cmd = tu_printf("%s/intakectl -c %s ingest --received 2023-05-12T10:00:00+08:00 %s"
	                      " >/dev/null 2>%s", b && *b ? b : "bin", conf, file, errlog);
	int st = system(cmd);

	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_intakectl_disk_full(void **state)
{
	static struct df d;
	char *conf, *sdir, *big, *exp, *text, *cwd = getcwd(NULL, 0), *err;

	(void)state;
	current = &d;
	if (!df_setup(&d)) {
		free(cwd);
		df_teardown(&d);
		skip();
	}
	conf = tu_printf("%s/intake.conf", d.dir);
	sdir = tu_printf("%s/state", d.fs);
	text = tu_printf("[intake]\nstate_dir = %s\ncampaign = %s/campaigns/hengyang-2023.conf\n", sdir, cwd);
	assert_int_equal(tu_write_file(conf, text, strlen(text)), 0);
	make_messages(d.dir);
	big = tu_printf("%s/big2.eml", d.dir);
	exp = tu_printf("%s/expander.eml", d.dir);
	assert_int_equal(intakectl(conf, "examples/01-zhuhui-foxmail-base-complete.eml", d.log), 0);

	ballast(&d, 1 << 20);
	assert_int_equal(intakectl(conf, big, d.log), 1);
	err = slurp(d.log);
	if (!strstr(err, "No space left on device"))
		fail_msg("no clear reason: %s", err);
	fprintf(stderr, "# intakectl, spool full: %s", err);
	free(err);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), 1);
	assert_consistent(sdir);

	ballast(&d, 5 << 20);
	assert_int_equal(intakectl(conf, exp, d.log), 1);
	err = slurp(d.log);
	if (!strstr(err, "cannot write the work directory: No space left on device"))
		fail_msg("no clear reason: %s", err);
	fprintf(stderr, "# intakectl, work directory full: %s", err);
	free(err);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), 1);
	assert_consistent(sdir);

	ballast(&d, 0);
	assert_int_equal(intakectl(conf, big, d.log), 0);
	assert_int_equal(intakectl(conf, exp, d.log), 0);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), 3);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM files WHERE size = 6291456"), 1);
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM problems WHERE kind LIKE 'worker-%'"), 0);
	assert_consistent(sdir);

	free(text);
	free(cwd);
	free(conf);
	free(sdir);
	free(big);
	free(exp);
	df_teardown(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_intaked_disk_full, unmount_left),
		cmocka_unit_test_teardown(test_intakectl_disk_full, unmount_left),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

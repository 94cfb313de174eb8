/*
 * Installing as a system service: "make install DESTDIR=... PREFIX=/usr"
 * puts exactly the expected files in place with the install paths in the
 * units; the installed units pass systemd-analyze verify and rate at most
 * 1.5 ("OK") in systemd-analyze security --offline=true; the example
 * config documents keys that all load; the man pages render without a
 * warning; "make uninstall" removes every installed file and leaves the
 * admin's own config.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static const char *const installed[] = {
	"etc/intake/intake.conf.example",
	"lib/systemd/system/intake-report.service",
	"lib/systemd/system/intake-report.timer",
	"lib/systemd/system/intaked.service",
	"usr/bin/intakectl",
	"usr/lib/sysusers.d/intake.conf",
	"usr/lib/tmpfiles.d/intake.conf",
	"usr/sbin/intaked",
	"usr/share/intake/campaigns/hengyang-2023.conf",
	"usr/share/intake/campaigns/hengyang-2023/error-notice.txt",
	"usr/share/intake/campaigns/hengyang-2023/late-notice.txt",
	"usr/share/intake/campaigns/hengyang-2023/missing-items.txt",
	"usr/share/intake/campaigns/hengyang-2023/receipt.txt",
	"usr/share/man/man1/intakectl.1",
	"usr/share/man/man5/intake-campaign.5",
	"usr/share/man/man5/intake.conf.5",
	"usr/share/man/man8/intaked.8",
};

/* The Makefile's systemd directories, whatever this machine's pkg-config
 * says, so the expected tree is the same everywhere. */
#define MAKE_VARS "PREFIX=/usr unitdir=/lib/systemd/system sysusersdir=/usr/lib/sysusers.d " \
                  "tmpfilesdir=/usr/lib/tmpfiles.d"

static char *dest;

static int setup(void **state)
{
	char *out = NULL;
	int rc;

	(void)state;
	dest = tu_tempdir();
	rc = tu_run(&out, "make -s install DESTDIR=%s " MAKE_VARS, dest);
	if (rc != 0)
		fprintf(stderr, "make install: %s\n", out);
	free(out);
	return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(dest);
	free(dest);
	return 0;
}

static char *installed_file(const char *rel)
{
	char *p = tu_printf("%s/%s", dest, rel);
	size_t len;
	char *s = tu_read_file(p, &len);

	free(p);
	assert_non_null(s);
	return s;
}

static void test_tree(void **state)
{
	size_t n;
	char **files = tu_list_files(dest, &n);
	struct stat st;
	char *p;

	(void)state;
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  installed: %s\n", files[i] + strlen(dest) + 1);
	assert_int_equal(n, sizeof(installed) / sizeof(installed[0]));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(files[i] + strlen(dest) + 1, installed[i]);
	tu_free_list(files, n);
	p = tu_printf("%s/usr/sbin/intaked", dest);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	free(p);
	p = tu_printf("%s/lib/systemd/system/intaked.service", dest);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(p);
}

static void test_units_have_install_paths(void **state)
{
	char *u = installed_file("lib/systemd/system/intaked.service");
	char *r = installed_file("lib/systemd/system/intake-report.service");
	char *t = installed_file("lib/systemd/system/intake-report.timer");
	char *c = installed_file("etc/intake/intake.conf.example");

	(void)state;
	assert_non_null(strstr(u, "\nExecStart=/usr/sbin/intaked -c /etc/intake/intake.conf\n"));
	assert_non_null(strstr(u, "\nType=notify\n"));
	assert_non_null(strstr(u, "\nLoadCredential=imap-password:/etc/intake/imap-password\n"));
	assert_non_null(strstr(u, "\nStateDirectory=intake\n"));
	assert_null(strstr(u, "DIR@"));
	assert_non_null(strstr(r, "\nExecStart=/usr/bin/intakectl -c /etc/intake/intake.conf report --mail\n"));
	assert_non_null(strstr(t, "\nOnCalendar=*-*-* 08:00:00 Asia/Shanghai\n"));
	assert_non_null(strstr(t, "\nPersistent=true\n"));
	assert_non_null(strstr(c, "\ncampaign = /usr/share/intake/campaigns/hengyang-2023.conf\n"));
	assert_null(strstr(c, "DIR@"));
	free(u);
	free(r);
	free(t);
	free(c);
}

static void test_units_verify_and_rating(void **state)
{
	char *out = NULL;
	int rc = tu_run(&out, "make -s check-units DESTDIR=%s " MAKE_VARS, dest);
	const char *names[] = { "intaked.service", "intake-report.service" };

	(void)state;
	fprintf(stderr, "%s", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "systemd-analyze verify: clean"));
	for (size_t i = 0; i < 2; i++) {
		char *key = tu_printf("Overall exposure level for %s: ", names[i]);
		const char *p = strstr(out, key);

		assert_non_null(p);
		assert_true(strtod(p + strlen(key), NULL) <= 1.5);
		free(key);
	}
	free(out);
}

/*
 * The example config documents every key: with each "# key = value" line
 * and section header uncommented (paths moved into DESTDIR), intaked
 * accepts it; only the IMAP login fails, against a closed port.
 */
static void test_example_config_loads(void **state)
{
	char *out = NULL, *conf = tu_printf("%s/all.conf", dest);
	int rc;

	(void)state;
	rc = tu_run(NULL, "sed -e 's/^# *\\(\\[\\|[a-z_]* = \\)/\\1/' -e 's|^state_dir = .*|state_dir = %s/state|'"
	            " -e 's|^campaign = /|campaign = %s/|' -e 's|^host = .*|host = 127.0.0.1|'"
	            " -e 's|^port = .*|port = 1|' -e 's|/etc/intake/mail-ca.pem|/etc/ssl/certs/ca-certificates.crt|'"
	            " %s/etc/intake/intake.conf.example > %s", dest, dest, dest, conf);
	assert_int_equal(rc, 0);
	/* password_file = imap-password, found as a credential. */
	rc = tu_run(&out, "mkdir -p %s/creds && echo secret > %s/creds/imap-password &&"
	            " CREDENTIALS_DIRECTORY=%s/creds %s/usr/sbin/intaked --check-config -c %s",
	            dest, dest, dest, dest, conf);
	fprintf(stderr, "%s", out);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, ": ok\n"));
	assert_non_null(strstr(out, "campaign "));
	assert_non_null(strstr(out, "imap 127.0.0.1:1 (tls): FAILED"));
	assert_null(strstr(out, "password_file"));
	free(out);
	/* And every key of intake.conf(5) appears in the example. */
	rc = tu_run(&out, "for k in $(awk 'p { gsub(/\"[^\"]*\"/, \" \"); sub(/^\\.BR? /, \"\"); print }"
	            " { p = ($0 == \".TP\") }' docs/intake.conf.5 | tr ' ' '\\n' | grep '^[a-z_]*$'); do"
	            " grep -q \"^#* *$k = \" %s/etc/intake/intake.conf.example || echo \"undocumented: $k\"; done",
	            dest);
	fprintf(stderr, "%s", out);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "");
	free(out);
	unlink(conf);
	free(conf);
	conf = tu_printf("%s/creds", dest);
	tu_rmrf(conf);
	free(conf);
	conf = tu_printf("%s/state", dest);
	tu_rmrf(conf);
	free(conf);
}

static void test_man_pages_render(void **state)
{
	const char *pages[] = { "docs/intaked.8", "docs/intakectl.1", "docs/intake.conf.5",
	                        "docs/intake-campaign.5" };

	(void)state;
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char *out = NULL;
		int rc = tu_run(&out, "groff -k -man -Tutf8 -ww -z %s", pages[i]);

		fprintf(stderr, "%s: %s", pages[i], out);
		assert_int_equal(rc, 0);
		assert_string_equal(out, "");
		free(out);
		rc = tu_run(&out, "MANWIDTH=80 man --warnings -l %s > /dev/null", pages[i]);
		fprintf(stderr, "%s", out);
		assert_int_equal(rc, 0);
		assert_string_equal(out, "");
		free(out);
	}
}

/* Last: uninstall removes every file install put there, and nothing the
 * admin wrote. */
static void test_uninstall(void **state)
{
	char *admin = tu_printf("%s/etc/intake/intake.conf", dest);
	size_t n;
	char **files;
	int rc;

	(void)state;
	assert_int_equal(tu_write_file(admin, "[intake]\n", 9), 0);
	/* A second install keeps the admin's file as it is. */
	assert_int_equal(tu_run(NULL, "make -s install DESTDIR=%s " MAKE_VARS, dest), 0);
	rc = tu_run(NULL, "make -s uninstall DESTDIR=%s " MAKE_VARS, dest);
	assert_int_equal(rc, 0);
	files = tu_list_files(dest, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  left: %s\n", files[i]);
	assert_int_equal(n, 1);
	assert_string_equal(files[0], admin);
	tu_free_list(files, n);
	free(admin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_units_have_install_paths),
		cmocka_unit_test(test_units_verify_and_rating),
		cmocka_unit_test(test_example_config_loads),
		cmocka_unit_test(test_man_pages_render),
		cmocka_unit_test(test_uninstall),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

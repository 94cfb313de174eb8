#include "imapd_fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define SCRIPT "tests/imapd/imapd.sh"

/* Every Dovecot this process started, stopped at exit too: a failed
 * assertion skips the test's own teardown. */
static char *started[64];
static size_t nstarted;

static void stop_all(void)
{
	for (size_t i = 0; i < nstarted; i++) {
		char *cmd = tu_printf("sh %s stop %s", SCRIPT, started[i]);

		if (system(cmd) != 0)
			fprintf(stderr, "imapd: %s failed\n", cmd);
		free(cmd);
		free(started[i]);
	}
	nstarted = 0;
}

static void remember(const char *dir)
{
	for (size_t i = 0; i < nstarted; i++)
		if (strcmp(started[i], dir) == 0)
			return;
	if (nstarted == 0)
		atexit(stop_all);
	if (nstarted < sizeof(started) / sizeof(started[0]))
		started[nstarted++] = strdup(dir);
}

int imapd_start(struct imapd *d, const char *dir, const char *cert)
{
	char line[256];
	FILE *p;
	char *cmd;
	int st;

	if (!d->dir)
		d->dir = strdup(dir);
	/* Dovecot's own users must reach the mail below the test's 0700 dir. */
	chmod(dir, 0755);
	cmd = tu_printf("INTAKE_IMAPD_CERT=%s sh %s start %s", cert ? cert : "server", SCRIPT, dir);
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return -1;
	line[0] = '\0';
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	st = pclose(p);
	if (st != 0 || sscanf(line, "%ld %u %u", &d->pid, &d->port, &d->tls_port) != 3)
		return -1;
	remember(d->dir);
	return 0;
}

void imapd_stop(struct imapd *d)
{
	char *cmd;

	if (!d->dir)
		return;
	cmd = tu_printf("sh %s stop %s", SCRIPT, d->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "imapd_stop: %s failed\n", cmd);
	free(cmd);
	d->pid = 0;
}

void imapd_deliver(struct imapd *d, const char *file, time_t when)
{
	char *cmd = tu_printf("sh %s deliver %s bureau '%s' %lld", SCRIPT, d->dir, file,
	                      (long long)(when ? when : time(NULL)));

	if (system(cmd) != 0) {
		fprintf(stderr, "imapd_deliver: %s failed\n", cmd);
		abort();
	}
	free(cmd);
}

void imapd_deliver_buf(struct imapd *d, const void *buf, size_t len, time_t when)
{
	char *path = tu_printf("%s/deliver.tmp", d->dir);

	if (tu_write_file(path, buf, len) != 0)
		abort();
	imapd_deliver(d, path, when);
	unlink(path);
	free(path);
}

char **imapd_list(struct imapd *d, size_t *n_r)
{
	char *root = tu_printf("%s/home/bureau/Maildir", d->dir);
	char **all, **out;
	size_t n, k = 0;

	all = tu_list_files(root, &n);
	out = calloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const char *rel = all[i] + strlen(root) + 1;

		if (strncmp(rel, "new/", 4) == 0 || strncmp(rel, "cur/", 4) == 0)
			out[k++] = strdup(rel);
	}
	tu_free_list(all, n);
	free(root);
	*n_r = k;
	return out;
}

void imapd_write_conf(const struct imapd *d, const char *path, const char *state_dir,
                      const char *security, const char *host, const char *extra)
{
	char cwd[4096];
	char *pw = tu_printf("%s/password", d->dir);
	char *text;

	if (!getcwd(cwd, sizeof(cwd)))
		abort();
	tu_write_file(pw, "secret\n", 7);
	text = tu_printf("[intake]\nstate_dir = %s\ncampaign = %s/campaigns/hengyang-2023.conf\n"
	                 "[imap]\nhost = %s\nport = %u\nsecurity = %s\nca_file = %s/tls/ca.pem\n"
	                 "user = bureau\npassword_file = %s\ntimeout = 10\n%s",
	                 state_dir, cwd, host ? host : "127.0.0.1",
	                 strcmp(security, "tls") == 0 ? d->tls_port : d->port, security, d->dir, pw,
	                 extra ? extra : "");
	if (tu_write_file(path, text, strlen(text)) != 0)
		abort();
	free(text);
	free(pw);
}

const char *intaked_path(void)
{
	static char path[4096];
	const char *b = getenv("INTAKE_BIN");

	snprintf(path, sizeof(path), "%s/intaked", b && *b ? b : "bin");
	return path;
}

pid_t intaked_spawn(const char *conf, const char *arg, const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
			close(fd);
		}
		if (arg)
			execl(intaked_path(), "intaked", "-c", conf, arg, (char *)NULL);
		else
			execl(intaked_path(), "intaked", "-c", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

int intaked_wait(pid_t pid, struct rusage *ru)
{
	struct rusage r;
	int st;

	while (wait4(pid, &st, 0, &r) < 0)
		if (errno != EINTR)
			return -1;
	if (ru)
		*ru = r;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int intaked_run(const char *conf, const char *arg, const char *log, struct rusage *ru)
{
	return intaked_wait(intaked_spawn(conf, arg, log), ru);
}

static sqlite3 *open_db(const char *state_dir)
{
	char *path = tu_printf("%s/intake.db", state_dir);
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		db = NULL;
	} else {
		sqlite3_busy_timeout(db, 10000);
	}
	free(path);
	return db;
}

long long ledger_int(const char *state_dir, const char *sql)
{
	sqlite3 *db = open_db(state_dir);
	sqlite3_stmt *st;
	long long v = -1;

	if (!db)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

char *ledger_text(const char *state_dir, const char *sql)
{
	sqlite3 *db = open_db(state_dir);
	sqlite3_stmt *st;
	char *out = strdup("");

	if (!db)
		return out;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(st); i++) {
				const char *v = (const char *)sqlite3_column_text(st, i);
				char *n = tu_printf("%s%s%s", out, i ? "|" : "", v ? v : "NULL");

				free(out);
				out = n;
			}
			char *n = tu_printf("%s\n", out);
			free(out);
			out = n;
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return out;
}

/*
 * imapd_fixture.h - integration-test plumbing around a private Dovecot on
 * 127.0.0.1 (tests/imapd/imapd.sh) and the intaked binary.
 */
#ifndef INTAKE_IMAPD_FIXTURE_H
#define INTAKE_IMAPD_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

struct imapd {
	char *dir;            /* Dovecot's directory (config, mail, tls/) */
	long pid;
	unsigned port, tls_port;
};

/* Start (or restart) Dovecot in dir, serving certificate cert ("server",
 * "wronghost", "selfsigned"; NULL = server).  0 ok. */
int imapd_start(struct imapd *d, const char *dir, const char *cert);
void imapd_stop(struct imapd *d);
/* A new message in bureau's INBOX with INTERNALDATE when (0 = now). */
void imapd_deliver(struct imapd *d, const char *file, time_t when);
void imapd_deliver_buf(struct imapd *d, const void *buf, size_t len, time_t when);
/* Maildir file names of bureau's INBOX (new/ and cur/), for flag checks. */
char **imapd_list(struct imapd *d, size_t *n_r);

/*
 * Write an intake config at path: state_dir, the shipped campaign, and an
 * [imap] section for d with the given security (none|starttls|tls), host
 * (NULL = 127.0.0.1) and extra lines appended to [imap] (may be NULL).
 */
void imapd_write_conf(const struct imapd *d, const char *path, const char *state_dir,
                      const char *security, const char *host, const char *extra);

/* Path of the intaked binary ($INTAKE_BIN/intaked). */
const char *intaked_path(void);
/* Start intaked -c conf [arg] with stderr appended to log; returns pid. */
pid_t intaked_spawn(const char *conf, const char *arg, const char *log);
/* Wait for pid; exit status (128+signal when killed); rusage if ru. */
int intaked_wait(pid_t pid, struct rusage *ru);
/* Run to completion. */
int intaked_run(const char *conf, const char *arg, const char *log, struct rusage *ru);

/* One integer from the ledger at state_dir/intake.db (-1 on error). */
long long ledger_int(const char *state_dir, const char *sql);
/* The rows of a query as one text (columns '|', rows '\n'); malloc'd. */
char *ledger_text(const char *state_dir, const char *sql);

#endif

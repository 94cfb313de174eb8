/*
 * config.h - the INI configuration given with -c FILE.
 *
 * Sections [intake], [imap], [smtp], [report].  Unknown sections and keys
 * and bad values are errors naming FILE:LINE.  Relative paths are taken
 * relative to the directory of the config file.  Everything is owned by the
 * struct; config_free().
 */
#ifndef INTAKE_CONFIG_H
#define INTAKE_CONFIG_H

#include <stdbool.h>
#include "intake_limits.h"

struct config_mail {
	char *host;
	unsigned port;
	char *security;        /* none | starttls | tls */
	char *user;
	char *password_file;
	char *ca_file;
	char *mailbox;         /* imap: INBOX */
	char *processed_mailbox;
	unsigned poll_interval; /* imap: seconds between polls without IDLE (60) */
	unsigned timeout;       /* seconds for any network read (60) */
	unsigned max_attempts;  /* imap: tries before a message is quarantined (5) */
	unsigned fetch_chunk;   /* imap: bytes per partial fetch (1M) */
	unsigned max_backoff;   /* imap: longest wait between reconnects, s (300) */
	char *from;            /* smtp: our address */
	bool set;              /* the section appeared */
};

struct config {
	char *path;
	char *state_dir;
	char *campaign;        /* path of the campaign file */
	struct intake_limits limits;
	unsigned retention_days; /* purge extracted files after N days (0 = keep) */
	struct config_mail imap, smtp;
	char *report_recipients;
};

int config_load(const char *path, struct config **c_r, char *err, size_t errlen);
void config_free(struct config **c);

#endif

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
	/* smtp only; 0 = the default below */
	unsigned max_replies_per_day;/* per recipient, by received time */
	unsigned retry_seconds;      /* first retry delay; doubles each time */
	unsigned give_up_hours;      /* temporary failures for this long become permanent */
	bool set;              /* the section appeared */
};

#define CONFIG_SMTP_TIMEOUT        30
#define CONFIG_SMTP_REPLIES_PER_DAY 30   /* Znuny caps at 40 */
#define CONFIG_SMTP_RETRY_SECONDS  60
#define CONFIG_SMTP_RETRY_MAX      (6 * 3600)
#define CONFIG_SMTP_GIVE_UP_HOURS  72

struct config {
	char *path;
	char *state_dir;
	char *campaign;        /* path of the campaign file */
	char *parse_user;      /* the parse child's user when started as root (nobody) */
	bool senders_strict;   /* [intake] senders = strict: only mapped senders submit */
	char *trust_authserv_id; /* our MTA's Authentication-Results id, or NULL */
	struct intake_limits limits;
	unsigned retention_days; /* purge extracted files after N days (0 = keep) */
	struct config_mail imap, smtp;
	char *report_recipients;
};

int config_load(const char *path, struct config **c_r, char *err, size_t errlen);
void config_free(struct config **c);

#endif

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
	unsigned poll_interval;
	char *from;            /* smtp: our address */
	/* smtp only; 0 = the default below */
	unsigned timeout;            /* seconds per connect, handshake, command */
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
	struct intake_limits limits;
	struct config_mail imap, smtp;
	char *report_recipients;
};

int config_load(const char *path, struct config **c_r, char *err, size_t errlen);
void config_free(struct config **c);

#endif

#include "config.h"
#include "netsec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "inifile.h"

struct loadctx {
	struct config *c;
	const char *dir;       /* directory of the config file, for relative paths */
	char *err;
	size_t errlen;
};

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int set_path(struct loadctx *lc, char **dst, const char *v)
{
	char *s;

	if (*v == '\0')
		return -1;
	if (v[0] == '/' || strcmp(lc->dir, ".") == 0)
		s = strdup(v);
	else if (asprintf(&s, "%s/%s", lc->dir, v) < 0)
		s = NULL;
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

/*
 * A password file: a bare name (no '/') is first a systemd credential,
 * $CREDENTIALS_DIRECTORY/NAME when the service has it (LoadCredential=),
 * else a file beside the config like any relative path.  Resolved here,
 * because set_path() would otherwise make the name absolute and hide it
 * from the credential lookup.
 */
static int set_secret_path(struct loadctx *lc, char **dst, const char *v)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char *s;

	if (*v && !strchr(v, '/') && creds && *creds) {
		if (asprintf(&s, "%s/%s", creds, v) < 0)
			return -1;
		if (access(s, F_OK) == 0) {
			free(*dst);
			*dst = s;
			return 0;
		}
		free(s);
	}
	return set_path(lc, dst, v);
}

/* "123", "64K", "100M", "2G" (binary units). */
static int parse_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return -1;
	switch (*end) {
	case 'k': case 'K': n <<= 10; end++; break;
	case 'm': case 'M': n <<= 20; end++; break;
	case 'g': case 'G': n <<= 30; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || n == 0)
		return -1;
	*out = n;
	return 0;
}

static int parse_uint(const char *v, unsigned *out)
{
	uint64_t n;

	if (parse_size(v, &n) != 0 || n > UINT_MAX)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* A plain number of days, 0 allowed (= keep forever), at most 100 years. */
static int parse_days(const char *v, unsigned *out)
{
	char *end;
	unsigned long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end != '\0' || n > 36500)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int mail_key(struct loadctx *lc, struct config_mail *m, bool imap, const char *key,
                    const char *v)
{
	if (strcmp(key, "host") == 0)
		return set_str(&m->host, v);
	if (strcmp(key, "port") == 0)
		return parse_uint(v, &m->port) != 0 || m->port > 65535 ? -1 : 0;
	if (strcmp(key, "security") == 0) {
		if (strcmp(v, "none") && strcmp(v, "starttls") && strcmp(v, "tls"))
			return -1;
		return set_str(&m->security, v);
	}
	if (strcmp(key, "user") == 0)
		return set_str(&m->user, v);
	if (strcmp(key, "password_file") == 0)
		return set_secret_path(lc, &m->password_file, v);
	if (strcmp(key, "ca_file") == 0)
		return set_path(lc, &m->ca_file, v);
	if (imap && strcmp(key, "mailbox") == 0)
		return set_str(&m->mailbox, v);
	if (imap && strcmp(key, "processed_mailbox") == 0)
		return set_str(&m->processed_mailbox, v);
	if (imap && strcmp(key, "poll_interval") == 0)
		return parse_uint(v, &m->poll_interval) != 0 || m->poll_interval == 0 ? -1 : 0;
	if (strcmp(key, "timeout") == 0)
		return parse_uint(v, &m->timeout) != 0 || m->timeout == 0 || m->timeout > 3600 ? -1 : 0;
	if (imap && strcmp(key, "max_attempts") == 0)
		return parse_uint(v, &m->max_attempts) != 0 || m->max_attempts == 0 ? -1 : 0;
	if (imap && strcmp(key, "fetch_chunk") == 0) {
		uint64_t n;

		if (parse_size(v, &n) != 0 || n < 4096 || n > (64u << 20))
			return -1;
		m->fetch_chunk = (unsigned)n;
		return 0;
	}
	if (imap && strcmp(key, "max_backoff") == 0)
		return parse_uint(v, &m->max_backoff) != 0 || m->max_backoff == 0 ? -1 : 0;
	if (!imap && strcmp(key, "from") == 0) {
		/* An addr-spec only: it goes into MAIL FROM and From: as is. */
		const char *at = strchr(v, '@');
		for (const char *q = v; *q; q++)
			if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f || strchr("<>()[],;:\\\"", *q))
				return -1;
		if (!at || at == v || !at[1] || strchr(at + 1, '@'))
			return -1;
		return set_str(&m->from, v);
	}
	if (!imap && strcmp(key, "max_replies_per_day") == 0)
		return parse_uint(v, &m->max_replies_per_day);
	if (!imap && strcmp(key, "retry_seconds") == 0)
		return parse_uint(v, &m->retry_seconds);
	if (!imap && strcmp(key, "give_up_hours") == 0)
		return parse_uint(v, &m->give_up_hours);
	return -2;
}

static int handler(void *ctx, const char *section, const char *key, const char *value,
                   unsigned line)
{
	struct loadctx *lc = ctx;
	struct config *c = lc->c;
	struct intake_limits *l = &c->limits;
	uint64_t n;
	int r = -2;

	(void)line;
	if (strcmp(section, "intake") == 0) {
		if (strcmp(key, "state_dir") == 0)
			r = set_path(lc, &c->state_dir, value);
		else if (strcmp(key, "campaign") == 0)
			r = set_path(lc, &c->campaign, value);
		else if (strcmp(key, "parse_user") == 0)
			r = set_str(&c->parse_user, value);
		else if (strcmp(key, "senders") == 0) {
			if (strcmp(value, "open") == 0 || strcmp(value, "strict") == 0) {
				c->senders_strict = strcmp(value, "strict") == 0;
				r = 0;
			} else {
				r = -1;
			}
		} else if (strcmp(key, "trust_authserv_id") == 0)
			r = set_str(&c->trust_authserv_id, value);
		else if (strcmp(key, "max_message_bytes") == 0)
			r = parse_size(value, &l->message_bytes);
		else if (strcmp(key, "max_mime_depth") == 0)
			r = parse_uint(value, &l->mime_depth);
		else if (strcmp(key, "max_mime_parts") == 0)
			r = parse_uint(value, &l->mime_parts);
		else if (strcmp(key, "max_archive_depth") == 0)
			r = parse_uint(value, &l->archive_depth);
		else if (strcmp(key, "max_archive_entries") == 0)
			r = parse_uint(value, &l->archive_entries);
		else if (strcmp(key, "max_uncompressed_bytes") == 0)
			r = parse_size(value, &l->uncompressed_bytes);
		else if (strcmp(key, "max_entry_bytes") == 0)
			r = parse_size(value, &l->entry_bytes);
		else if (strcmp(key, "max_ratio") == 0)
			r = parse_uint(value, &l->ratio);
		else if (strcmp(key, "parse_cpu_seconds") == 0)
			r = parse_uint(value, &l->cpu_seconds);
		else if (strcmp(key, "parse_wall_seconds") == 0)
			r = parse_uint(value, &l->wall_seconds);
		else if (strcmp(key, "parse_address_space") == 0)
			r = parse_size(value, &l->address_space);
		else if (strcmp(key, "retention_days") == 0)
			r = parse_days(value, &c->retention_days);
		else if (strcmp(key, "ocr") == 0) {
			r = 0;
			if (strcmp(value, "on") == 0)
				l->ocr = LIMIT_OCR_ON;
			else if (strcmp(value, "off") == 0)
				l->ocr = LIMIT_OCR_OFF;
			else if (strcmp(value, "auto") == 0)
				l->ocr = LIMIT_OCR_AUTO;
			else
				r = -1;
		} else if (strcmp(key, "text_bytes") == 0) {
			/* One REC_TEXT record carries it: at most 1 MiB. */
			r = parse_size(value, &n);
			if (r == 0 && (n < 1024 || n > (1u << 20)))
				r = -1;
			if (r == 0)
				l->text_bytes = (size_t)n;
		} else if (strcmp(key, "text_pages") == 0) {
			r = parse_uint(value, &l->text_pages);
			if (r == 0 && (l->text_pages == 0 || l->text_pages > 50))
				r = -1;
		} else if (strcmp(key, "text_files") == 0) {
			r = parse_uint(value, &l->text_files);
			if (r == 0 && (l->text_files == 0 || l->text_files > 1000))
				r = -1;
		} else if (strcmp(key, "ocr_ms") == 0) {
			r = parse_uint(value, &l->ocr_ms);
			if (r == 0 && (l->ocr_ms < 100 || l->ocr_ms > 600000))
				r = -1;
		} else if (strcmp(key, "ocr_extra_seconds") == 0) {
			r = parse_uint(value, &l->ocr_extra_seconds);
			if (r == 0 && (l->ocr_extra_seconds == 0 || l->ocr_extra_seconds > 7200))
				r = -1;
		}
		(void)n;
	} else if (strcmp(section, "imap") == 0) {
		c->imap.set = true;
		r = mail_key(lc, &c->imap, true, key, value);
	} else if (strcmp(section, "smtp") == 0) {
		c->smtp.set = true;
		r = mail_key(lc, &c->smtp, false, key, value);
	} else if (strcmp(section, "report") == 0) {
		if (strcmp(key, "recipients") == 0)
			r = set_str(&c->report_recipients, value);
	} else {
		snprintf(lc->err, lc->errlen, "unknown section [%s] (known: intake, imap, smtp, report)", section);
		return -1;
	}
	if (r == -2) {
		snprintf(lc->err, lc->errlen, "unknown key \"%s\" in [%s]", key, section);
		return -1;
	}
	if (r != 0) {
		snprintf(lc->err, lc->errlen, "bad value \"%s\" for %s in [%s]", value, key, section);
		return -1;
	}
	return 0;
}

/* Defaults and cross-key checks of an [imap] or [smtp] section. */
static int mail_defaults(struct config_mail *m, bool imap, const char *path,
                         char *err, size_t errlen)
{
	const char *sect = imap ? "imap" : "smtp";

	if (!m->timeout)
		m->timeout = imap ? 60 : CONFIG_SMTP_TIMEOUT;
	if (imap) {
		if (!m->poll_interval)
			m->poll_interval = 60;
		if (!m->max_attempts)
			m->max_attempts = 5;
		if (!m->fetch_chunk)
			m->fetch_chunk = 1u << 20;
		if (!m->max_backoff)
			m->max_backoff = 300;
	}
	if (!m->set)
		return 0;
	if (!m->host) {
		snprintf(err, errlen, "%s: [%s] host is required", path, sect);
		return -1;
	}
	if (!m->security && !(m->security = strdup("tls"))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (imap && !m->mailbox && !(m->mailbox = strdup("INBOX"))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (strcmp(m->security, "none") == 0 && !netsec_is_loopback(m->host)) {
		snprintf(err, errlen, "%s: [%s] security = none sends the password in clear: "
		         "allowed only for a loopback host, not %s", path, sect, m->host);
		return -1;
	}
	return 0;
}

int config_load(const char *path, struct config **c_r, char *err, size_t errlen)
{
	struct config *c = calloc(1, sizeof(*c));
	struct loadctx lc = { c, NULL, err, errlen };
	char *text = NULL, *dir = NULL, *slash;
	size_t len = 0, cap = 0;
	FILE *f = NULL;
	int ret = -1;

	*c_r = NULL;
	if (!c)
		goto out;
	c->path = strdup(path);
	dir = strdup(path);
	if (!c->path || !dir)
		goto out;
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	lc.dir = dir;
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1 << 20)) {
				snprintf(err, errlen, "%s: file too large for a config", path);
				goto out;
			}
			char *nt = realloc(text, cap);
			if (!nt)
				goto out;
			text = nt;
		}
		size_t n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (inifile_parse(text, len, path, handler, &lc, err, errlen) != 0)
		goto out;
	if (!c->state_dir) {
		snprintf(err, errlen, "%s: [intake] state_dir is required", path);
		goto out;
	}
	if (!c->campaign) {
		snprintf(err, errlen, "%s: [intake] campaign is required", path);
		goto out;
	}
	limits_fill(&c->limits);
	if (mail_defaults(&c->imap, true, path, err, errlen) != 0 ||
	    mail_defaults(&c->smtp, false, path, err, errlen) != 0)
		goto out;
	if (!c->smtp.timeout)
		c->smtp.timeout = CONFIG_SMTP_TIMEOUT;
	if (!c->smtp.max_replies_per_day)
		c->smtp.max_replies_per_day = CONFIG_SMTP_REPLIES_PER_DAY;
	if (!c->smtp.retry_seconds)
		c->smtp.retry_seconds = CONFIG_SMTP_RETRY_SECONDS;
	if (!c->smtp.give_up_hours)
		c->smtp.give_up_hours = CONFIG_SMTP_GIVE_UP_HOURS;
	*c_r = c;
	c = NULL;
	ret = 0;
out:
	if (ret != 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: out of memory", path);
	if (f)
		fclose(f);
	free(text);
	free(dir);
	config_free(&c);
	return ret;
}

static void mail_free(struct config_mail *m)
{
	free(m->host);
	free(m->security);
	free(m->user);
	free(m->password_file);
	free(m->ca_file);
	free(m->mailbox);
	free(m->processed_mailbox);
	free(m->from);
}

void config_free(struct config **cp)
{
	struct config *c = *cp;

	if (!c)
		return;
	free(c->path);
	free(c->state_dir);
	free(c->campaign);
	free(c->parse_user);
	free(c->trust_authserv_id);
	free(c->report_recipients);
	mail_free(&c->imap);
	mail_free(&c->smtp);
	free(c);
	*cp = NULL;
}

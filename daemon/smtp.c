#include "smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libetpan/libetpan.h>

#include "netsec.h"

struct smtp_session {
	mailsmtp *s;
	bool alive;
};

/* SNI for host names only: RFC 6066 forbids IP literals there. */
static void sni_cb(struct mailstream_ssl_context *ctx, void *data)
{
	const char *host = data;

	if (!netsec_is_ip_literal(host))
		mailstream_ssl_set_server_name(ctx, (char *)(uintptr_t)host);
}

/* The server's last reply, one line, for logs and staff. */
static void last_reply(const mailsmtp *s, int r, const char *what, char *err, size_t errlen)
{
	const char *resp = s->response;
	char line[300];
	size_t n = 0;

	if (resp && s->response_code > 0) {
		while (resp[n] && resp[n] != '\r' && resp[n] != '\n' && n < sizeof(line) - 1) {
			line[n] = (unsigned char)resp[n] < ' ' ? ' ' : resp[n];
			n++;
		}
		line[n] = '\0';
		snprintf(err, errlen, "%s: %d %s", what, s->response_code, line);
	} else {
		snprintf(err, errlen, "%s: %s", what, mailsmtp_strerror(r));
	}
}

/* Errors after which the connection cannot be trusted to carry on. */
static bool broken(int r)
{
	return r == MAILSMTP_ERROR_STREAM || r == MAILSMTP_ERROR_SSL ||
	       r == MAILSMTP_ERROR_CONNECTION_REFUSED || r == MAILSMTP_ERROR_MEMORY ||
	       r == MAILSMTP_ERROR_HOSTNAME || r == MAILSMTP_ERROR_SERVICE_NOT_AVAILABLE;
}

static int hello(mailsmtp *s, char *err, size_t errlen)
{
	int r = mailesmtp_ehlo(s);

	if (r == MAILSMTP_ERROR_NOT_IMPLEMENTED)
		r = mailsmtp_helo(s);
	if (r != MAILSMTP_NO_ERROR) {
		last_reply(s, r, "EHLO", err, errlen);
		return -1;
	}
	return 0;
}

int smtp_open(const struct config_mail *m, struct smtp_session **s_r, char *err, size_t errlen)
{
	struct smtp_session *ss = NULL;
	const char *sec = m->security ? m->security : "starttls";
	char *pw = NULL;
	unsigned port = m->port;
	int r, ret = -1;

	*s_r = NULL;
	if (!m->host || !m->from) {
		snprintf(err, errlen, "[smtp] needs host and from to send replies");
		return -1;
	}
	if (m->user && strcmp(sec, "none") == 0 && !netsec_is_loopback(m->host)) {
		/* The password would cross the network in clear. */
		snprintf(err, errlen, "[smtp] security = none with a user: AUTH refused in plaintext to %s"
		         " (only loopback may do that); use starttls or tls", m->host);
		return -1;
	}
	if (port == 0)
		port = strcmp(sec, "tls") == 0 ? 465 : strcmp(sec, "starttls") == 0 ? 587 : 25;
	ss = calloc(1, sizeof(*ss));
	if (!ss || !(ss->s = mailsmtp_new(0, NULL))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	mailsmtp_set_timeout(ss->s, m->timeout ? m->timeout : CONFIG_SMTP_TIMEOUT);
	if (strcmp(sec, "tls") == 0)
		r = mailsmtp_ssl_connect_with_callback(ss->s, m->host, (uint16_t)port, sni_cb, m->host);
	else
		r = mailsmtp_socket_connect(ss->s, m->host, (uint16_t)port);
	if (r != MAILSMTP_NO_ERROR) {
		snprintf(err, errlen, "connect %s:%u (%s): %s", m->host, port, sec, mailsmtp_strerror(r));
		goto out;
	}
	ss->alive = true;
	if (strcmp(sec, "tls") == 0 &&
	    netsec_verify_peer(ss->s->stream, m->host, m->ca_file, err, errlen) != 0)
		goto out;
	if (hello(ss->s, err, errlen) != 0)
		goto out;
	if (strcmp(sec, "starttls") == 0) {
		if (!(ss->s->esmtp & MAILSMTP_ESMTP_STARTTLS)) {
			snprintf(err, errlen, "%s:%u does not offer STARTTLS", m->host, port);
			goto out;
		}
		r = mailsmtp_socket_starttls_with_callback(ss->s, sni_cb, m->host);
		if (r != MAILSMTP_NO_ERROR) {
			last_reply(ss->s, r, "STARTTLS", err, errlen);
			goto out;
		}
		if (netsec_verify_peer(ss->s->stream, m->host, m->ca_file, err, errlen) != 0)
			goto out;
		/* RFC 3207 4.2: forget what was said before TLS. */
		if (hello(ss->s, err, errlen) != 0)
			goto out;
	}
	if (m->user) {
		if (!m->password_file) {
			snprintf(err, errlen, "[smtp] user is set but password_file is not");
			goto out;
		}
		pw = netsec_read_password(m->password_file, err, errlen);
		if (!pw)
			goto out;
		if (!(ss->s->auth & MAILSMTP_AUTH_PLAIN)) {
			snprintf(err, errlen, "%s does not offer AUTH PLAIN", m->host);
			goto out;
		}
		r = mailsmtp_auth_type(ss->s, m->user, pw, MAILSMTP_AUTH_PLAIN);
		if (r != MAILSMTP_NO_ERROR) {
			last_reply(ss->s, r, "AUTH PLAIN", err, errlen);
			goto out;
		}
	}
	*s_r = ss;
	ss = NULL;
	ret = 0;
out:
	netsec_free_password(pw);
	smtp_close(&ss);
	return ret;
}

static enum smtp_outcome fail_cmd(struct smtp_session *ss, int r, const char *what,
                                  char *err, size_t errlen)
{
	int code = ss->s->response_code;

	last_reply(ss->s, r, what, err, errlen);
	if (broken(r) || code < 400) {
		ss->alive = false;
		return SMTP_TEMPFAIL;
	}
	/* End the transaction so the session can carry the next reply. */
	if (mailsmtp_reset(ss->s) != MAILSMTP_NO_ERROR)
		ss->alive = false;
	return code >= 500 ? SMTP_PERMFAIL : SMTP_TEMPFAIL;
}

enum smtp_outcome smtp_send(struct smtp_session *ss, const char *env_from, const char *rcpt,
                            const char *data, size_t len, char *err, size_t errlen)
{
	int r;

	if (!ss->alive) {
		snprintf(err, errlen, "SMTP session closed");
		return SMTP_TEMPFAIL;
	}
	ss->s->response_code = 0;
	if ((r = mailsmtp_mail(ss->s, env_from)) != MAILSMTP_NO_ERROR)
		return fail_cmd(ss, r, "MAIL FROM", err, errlen);
	ss->s->response_code = 0;
	if ((r = mailsmtp_rcpt(ss->s, rcpt)) != MAILSMTP_NO_ERROR)
		return fail_cmd(ss, r, "RCPT TO", err, errlen);
	ss->s->response_code = 0;
	if ((r = mailsmtp_data(ss->s)) != MAILSMTP_NO_ERROR)
		return fail_cmd(ss, r, "DATA", err, errlen);
	/* libetpan appends CRLF.CRLF itself: drop our final CRLF so the
	 * message does not gain an empty line. */
	if (len >= 2 && data[len - 2] == '\r' && data[len - 1] == '\n')
		len -= 2;
	ss->s->response_code = 0;
	if ((r = mailsmtp_data_message(ss->s, data, len)) != MAILSMTP_NO_ERROR)
		return fail_cmd(ss, r, "end of DATA", err, errlen);
	return SMTP_SENT;
}

bool smtp_alive(const struct smtp_session *s)
{
	return s && s->alive;
}

void smtp_close(struct smtp_session **sp)
{
	struct smtp_session *ss = *sp;

	if (!ss)
		return;
	if (ss->s) {
		if (ss->alive)
			mailsmtp_quit(ss->s);
		mailsmtp_free(ss->s);
	}
	free(ss);
	*sp = NULL;
}

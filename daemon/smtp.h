/*
 * smtp.h - one SMTP session (libetpan) for sending replies.
 *
 * [smtp] security = none | starttls | tls.  With TLS the peer is verified
 * (netsec_verify_peer) after the handshake and before anything else is
 * said; a STARTTLS that fails never falls back to plaintext.  AUTH PLAIN
 * with the password file is only sent over TLS, or in plaintext to a
 * loopback address.  Every connect, handshake and command is bounded by
 * [smtp] timeout.
 *
 * Failures are scoped: smtp_open() failing is a session failure (nothing
 * sent; retry later); smtp_send() says whether one message was refused for
 * good (5xx), for now (4xx), or the session broke (then smtp_alive() is
 * false and the rest must wait).
 */
#ifndef INTAKE_SMTP_H
#define INTAKE_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"

enum smtp_outcome { SMTP_SENT, SMTP_TEMPFAIL, SMTP_PERMFAIL };

struct smtp_session;

int smtp_open(const struct config_mail *m, struct smtp_session **s_r, char *err, size_t errlen);
/* data: the whole message with CRLF line ends, not dot-stuffed. */
enum smtp_outcome smtp_send(struct smtp_session *s, const char *env_from, const char *rcpt,
                            const char *data, size_t len, char *err, size_t errlen);
bool smtp_alive(const struct smtp_session *s);
void smtp_close(struct smtp_session **s);

#endif

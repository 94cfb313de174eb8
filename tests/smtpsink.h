/*
 * smtpsink.h - a real SMTP server on 127.0.0.1 for the reply tests:
 * tests/smtp_sink.py (Debian's python3-aiosmtpd, run with /usr/bin/python3,
 * never the python3 on PATH) writes each message it accepts to a
 * directory; tests/parse_mail.py reads them back with Python's email
 * package, an independent MIME parser.  Only the sink's own PID is ever
 * signalled.
 */
#ifndef INTAKE_SMTPSINK_H
#define INTAKE_SMTPSINK_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct sink {
	pid_t pid;
	unsigned port;
	char *dir;             /* messages land here */
	char *portfile;
};

/* Start a sink writing into dir (created).  port 0 = any free port.
 * extra: more arguments for smtp_sink.py, NULL-terminated (or NULL).
 * Fails the test if it does not come up. */
void sink_start(struct sink *s, const char *dir, unsigned port, const char *const *extra);
void sink_stop(struct sink *s);
/* A TCP port nothing listens on right now. */
unsigned sink_free_port(void);
/* Messages in dir; wait until at least n are there (up to ms). */
size_t sink_count(const char *dir);
bool sink_wait_count(const char *dir, size_t n, unsigned ms);
/* parse_mail.py over dir: a JSON array (new reference). */
json_t *sink_parse(const char *dir);

#endif

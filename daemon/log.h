/*
 * log.h - one line per event on stderr.  Under systemd (or whenever stderr
 * is not a terminal) each line starts with its syslog priority, <3> to <7>,
 * which journald turns into the entry's level.  Never log document
 * content or credentials: spool ids, UIDs, counts and reasons only.
 */
#ifndef INTAKE_LOG_H
#define INTAKE_LOG_H

#include <syslog.h>

void log_init(const char *prog);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

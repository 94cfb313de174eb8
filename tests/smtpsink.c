#include "smtpsink.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define PYTHON "/usr/bin/python3"

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

unsigned sink_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

void sink_start(struct sink *s, const char *dir, unsigned port, const char *const *extra)
{
	const char *argv[40];
	char portbuf[16];
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	s->dir = strdup(dir);
	s->portfile = tu_printf("%s.port", dir);
	mkdir(dir, 0700);
	unlink(s->portfile);
	snprintf(portbuf, sizeof(portbuf), "%u", port);
	argv[n++] = PYTHON;
	argv[n++] = "tests/smtp_sink.py";
	argv[n++] = "--dir";
	argv[n++] = dir;
	argv[n++] = "--port-file";
	argv[n++] = s->portfile;
	argv[n++] = "--port";
	argv[n++] = portbuf;
	for (; extra && *extra && n < 38; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		/* The sink dies with the test, even one that crashes; its chatter
		 * goes to DIR.log, not into the test's output. */
		char *log = tu_printf("%s.log", dir);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(PYTHON, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		size_t len;
		char *txt = tu_read_file(s->portfile, &len);
		int st;
		if (txt) {
			s->port = (unsigned)atoi(txt);
			free(txt);
			return;
		}
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			fail_msg("smtp sink exited before it was ready");
		}
		sleep_ms(50);
	}
	fail_msg("smtp sink did not come up in 10 s");
}

void sink_stop(struct sink *s)
{
	if (s->pid > 0) {
		int st;
		kill(s->pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(s->pid, &st, WNOHANG) == 0; i++)
			sleep_ms(50);
		if (waitpid(s->pid, &st, WNOHANG) == 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &st, 0);
		}
	}
	if (s->portfile)
		unlink(s->portfile);
	free(s->dir);
	free(s->portfile);
	memset(s, 0, sizeof(*s));
}

size_t sink_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".eml") == 0)
			n++;
	}
	closedir(d);
	return n;
}

bool sink_wait_count(const char *dir, size_t n, unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 20) {
		if (sink_count(dir) >= n)
			return true;
		sleep_ms(20);
	}
	return sink_count(dir) >= n;
}

json_t *sink_parse(const char *dir)
{
	char *cmd = tu_printf(PYTHON " tests/parse_mail.py '%s'", dir);
	FILE *p = popen(cmd, "r");
	json_error_t je;
	json_t *j;

	assert_non_null(p);
	j = json_loadf(p, 0, &je);
	pclose(p);
	free(cmd);
	if (!j)
		fail_msg("parse_mail.py: %s", je.text);
	return j;
}

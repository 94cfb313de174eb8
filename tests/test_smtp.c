/*
 * Sending replies over SMTP against a real server on 127.0.0.1 (aiosmtpd):
 * STARTTLS and implicit TLS verified against a test CA, a wrong host name
 * and a self-signed certificate refused before anything is said, AUTH
 * PLAIN, no plaintext AUTH off loopback; and the outbox: server down then
 * up (nothing lost), 4xx backoff, 5xx recorded as failed, giving up, and a
 * crash between the server taking a reply and the ledger recording it (the
 * resend carries the same Message-ID).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest_fixture.h"
#include "outbox.h"
#include "replies.h"
#include "smtp.h"
#include "smtpsink.h"
#include "testutil.h"

#define OUR_FROM "sme-intake@hengyang-gxj.example"
#define MSG "From: " OUR_FROM "\r\nTo: x@y.example\r\nSubject: t\r\nMessage-ID: <t@x>\r\n\r\n.leading dot\r\nbody\r\n"

static struct sink sink;
static char *pki;              /* test CA, made once */

static int stop_sink(void **state)
{
	(void)state;
	if (sink.pid > 0)
		sink_stop(&sink);
	return 0;
}

static int group_setup(void **state)
{
	char *cmd;

	(void)state;
	pki = tu_tempdir();
	cmd = tu_printf("sh tests/tls/make-ca.sh '%s/ca' >/dev/null 2>&1", pki);
	if (system(cmd) != 0) {
		free(cmd);
		return -1;
	}
	free(cmd);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tu_rmrf(pki);
	free(pki);
	return 0;
}

static struct config_mail mail_conf(const char *host, unsigned port, const char *security)
{
	static char ca[4096];
	struct config_mail m;

	memset(&m, 0, sizeof(m));
	snprintf(ca, sizeof(ca), "%s/ca/ca.pem", pki);
	m.host = (char *)(uintptr_t)host;
	m.port = port;
	m.security = (char *)(uintptr_t)security;
	m.ca_file = ca;
	m.from = (char *)(uintptr_t)OUR_FROM;
	m.timeout = 10;
	return m;
}

static void start_tls_sink(const char *dir, const char *mode, const char *cert)
{
	char *c = tu_printf("%s/ca/%s.pem", pki, cert), *k = tu_printf("%s/ca/%s-key.pem", pki, cert);
	const char *extra[] = { "--mode", mode, "--cert", c, "--key", k, NULL };

	sink_start(&sink, dir, 0, extra);
	free(c);
	free(k);
}

static void send_one(const struct config_mail *m, const char *dir)
{
	struct smtp_session *s = NULL;
	char err[512] = "";

	if (smtp_open(m, &s, err, sizeof(err)) != 0)
		fail_msg("smtp_open %s %s: %s", m->host, m->security, err);
	assert_int_equal(smtp_send(s, OUR_FROM, "x@y.example", MSG, strlen(MSG), err, sizeof(err)), SMTP_SENT);
	smtp_close(&s);
	assert_null(s);
	assert_true(sink_wait_count(dir, 1, 5000));
}

static void test_tls_verified(void **state)
{
	static const char *const modes[] = { "starttls", "tls" };
	static const char *const hosts[] = { "127.0.0.1", "localhost" };
	char *dir = tu_tempdir();

	(void)state;
	for (size_t i = 0; i < 2; i++)
		for (size_t h = 0; h < 2; h++) {
			char *mail = tu_printf("%s/%s-%zu", dir, modes[i], h);
			struct config_mail m;
			json_t *cap;
			start_tls_sink(mail, modes[i], "server");
			m = mail_conf(hosts[h], sink.port, modes[i]);
			send_one(&m, mail);
			cap = sink_parse(mail);
			assert_true(json_is_true(json_object_get(json_object_get(json_array_get(cap, 0), "envelope"), "tls")));
			/* dot-stuffing undone by the server: the body is ours */
			assert_non_null(strstr(json_string_value(json_object_get(json_array_get(cap, 0), "body")), ".leading dot\n"));
			json_decref(cap);
			sink_stop(&sink);
			free(mail);
		}
	tu_rmrf(dir);
	free(dir);
}

static void test_bad_certificates_refused(void **state)
{
	static const struct { const char *mode, *cert; } cases[] = {
		{ "starttls", "wronghost" }, { "tls", "wronghost" },
		{ "starttls", "selfsigned" }, { "tls", "selfsigned" },
	};
	char *dir = tu_tempdir();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *mail = tu_printf("%s/%zu", dir, i), err[512] = "";
		struct smtp_session *s = NULL;
		struct config_mail m;
		start_tls_sink(mail, cases[i].mode, cases[i].cert);
		m = mail_conf("127.0.0.1", sink.port, cases[i].mode);
		m.user = (char *)(uintptr_t)"clerk";
		m.password_file = (char *)(uintptr_t)"/nonexistent";   /* never reached */
		assert_int_equal(smtp_open(&m, &s, err, sizeof(err)), -1);
		assert_null(s);
		if (!strstr(err, "certificate") && !strstr(err, "verif"))
			fail_msg("%s/%s: %s", cases[i].mode, cases[i].cert, err);
		assert_null(strstr(err, "nonexistent"));
		assert_int_equal(sink_count(mail), 0);
		sink_stop(&sink);
		free(mail);
	}
	tu_rmrf(dir);
	free(dir);
}

static void test_starttls_never_falls_back(void **state)
{
	char *dir = tu_tempdir(), *mail = tu_printf("%s/m", dir), err[512] = "";
	struct smtp_session *s = NULL;
	struct config_mail m;

	(void)state;
	sink_start(&sink, mail, 0, NULL);   /* offers no STARTTLS */
	m = mail_conf("127.0.0.1", sink.port, "starttls");
	assert_int_equal(smtp_open(&m, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not offer STARTTLS"));
	sink_stop(&sink);
	free(mail);
	tu_rmrf(dir);
	free(dir);
}

static void test_auth_plain(void **state)
{
	const char *extra[] = { "--auth", "clerk:s3cret", NULL };
	char *dir = tu_tempdir(), *mail = tu_printf("%s/m", dir), *pw = tu_printf("%s/pw", dir), err[512] = "";
	struct smtp_session *s = NULL;
	struct config_mail m;
	json_t *cap;

	(void)state;
	assert_int_equal(tu_write_file(pw, "s3cret\n", 7), 0);
	sink_start(&sink, mail, 0, extra);
	m = mail_conf("127.0.0.1", sink.port, "none");
	/* Without credentials the server refuses the mail. */
	assert_int_equal(smtp_open(&m, &s, err, sizeof(err)), 0);
	assert_int_not_equal(smtp_send(s, OUR_FROM, "x@y.example", MSG, strlen(MSG), err, sizeof(err)), SMTP_SENT);
	smtp_close(&s);
	/* Plaintext AUTH is fine on loopback... */
	m.user = (char *)(uintptr_t)"clerk";
	m.password_file = pw;
	send_one(&m, mail);
	cap = sink_parse(mail);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(cap, 0), "envelope"), "auth")), "clerk");
	json_decref(cap);
	/* ...a wrong password is a session failure... */
	assert_int_equal(tu_write_file(pw, "wrong\n", 6), 0);
	assert_int_equal(smtp_open(&m, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "AUTH"));
	sink_stop(&sink);
	/* ...and refused before connecting anywhere else. */
	m = mail_conf("192.0.2.25", 25, "none");
	m.user = (char *)(uintptr_t)"clerk";
	m.password_file = pw;
	assert_int_equal(smtp_open(&m, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "plaintext"));
	free(pw);
	free(mail);
	tu_rmrf(dir);
	free(dir);
}

/* ---- the outbox ---- */

static void queue_one(struct fixture *fx, unsigned port, const char *more)
{
	char *conf = tu_printf("[smtp]\nhost = 127.0.0.1\nport = %u\nsecurity = none\nfrom = " OUR_FROM "\n%s",
	                       port, more ? more : "");
	struct ingest_outcome o;

	fixture_setup(fx, conf);
	free(conf);
	assert_int_equal(fixture_ingest(fx, "examples/02-yanfeng-outlook-gbk-zip-institution.eml",
	                                "2023-05-11T10:05:37+08:00", &o), 0);
	assert_string_equal(o.reply, "missing-items");
}

static struct replies_row row1(struct fixture *fx)
{
	struct replies_row r;

	assert_int_equal(replies_get(fx->app.ledger, 1, &r), 0);
	return r;
}

static void test_down_then_up(void **state)
{
	struct fixture fx;
	struct outbox_stats st;
	struct replies_row r;
	char err[512] = "", *mail;
	unsigned port = sink_free_port();

	(void)state;
	queue_one(&fx, port, NULL);
	mail = tu_printf("%s/mail", fx.dir);
	/* Down: nothing lost, the reply waits and says why. */
	assert_int_equal(outbox_flush_stats(&fx.app, false, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "connect"));
	assert_int_equal(st.deferred, 1);
	r = row1(&fx);
	assert_string_equal(r.state, "queued");
	assert_int_equal(r.attempts, 1);
	assert_non_null(strstr(r.last_error, "connect"));
	assert_int_equal(r.next_attempt_at - r.last_attempt_at, CONFIG_SMTP_RETRY_SECONDS);
	replies_row_free(&r);
	/* Not due yet: the daemon's flush leaves it alone. */
	assert_int_equal(outbox_flush_stats(&fx.app, false, &st, err, sizeof(err)), 0);
	assert_int_equal(st.sent + st.failed + st.deferred, 0);
	/* Up: staff send now. */
	sink_start(&sink, mail, port, NULL);
	assert_int_equal(outbox_flush_stats(&fx.app, true, &st, err, sizeof(err)), 0);
	assert_int_equal(st.sent, 1);
	assert_true(sink_wait_count(mail, 1, 5000));
	r = row1(&fx);
	assert_string_equal(r.state, "sent");
	assert_int_equal(r.attempts, 2);
	assert_null(r.last_error);
	replies_row_free(&r);
	sink_stop(&sink);
	free(mail);
	fixture_teardown(&fx);
}

static void test_temporary_failure_backs_off(void **state)
{
	const char *extra[] = { "--data-code", "451 4.3.0 try again later", NULL };
	struct fixture fx;
	struct outbox_stats st;
	struct replies_row r;
	char err[512] = "", *mail;

	(void)state;
	queue_one(&fx, 1, "retry_seconds = 100\n");
	mail = tu_printf("%s/mail", fx.dir);
	sink_start(&sink, mail, 0, extra);
	fx.app.cfg->smtp.port = sink.port;
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(outbox_flush_stats(&fx.app, true, &st, err, sizeof(err)), 0);
		assert_int_equal(st.deferred, 1);
		r = row1(&fx);
		assert_string_equal(r.state, "queued");
		assert_int_equal(r.attempts, i);
		assert_non_null(strstr(r.last_error, "451"));
		/* 100 s, 200 s, 400 s */
		assert_int_equal(r.next_attempt_at - r.last_attempt_at, 100 << (i - 1));
		replies_row_free(&r);
	}
	/* After give_up_hours of trying, it is failed for staff to see. */
	assert_int_equal(sqlite3_exec(ledger_db(fx.app.ledger),
	                 "UPDATE replies SET created_at = created_at - 73 * 3600", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(outbox_flush_stats(&fx.app, true, &st, err, sizeof(err)), 0);
	assert_int_equal(st.failed, 1);
	r = row1(&fx);
	assert_string_equal(r.state, "failed");
	assert_non_null(strstr(r.last_error, "已放弃"));
	replies_row_free(&r);
	assert_int_equal(sink_count(mail), 0);
	sink_stop(&sink);
	free(mail);
	fixture_teardown(&fx);
}

static void test_permanent_failure_recorded(void **state)
{
	const char *extra[] = { "--rcpt-code", "550 5.1.1 <yanfeng-gxj@hengyang.gov.example>: no such user", NULL };
	struct fixture fx;
	struct outbox_stats st;
	struct replies_row r;
	char err[512] = "", *mail;
	json_t *list;

	(void)state;
	queue_one(&fx, 1, NULL);
	mail = tu_printf("%s/mail", fx.dir);
	sink_start(&sink, mail, 0, extra);
	fx.app.cfg->smtp.port = sink.port;
	assert_int_equal(outbox_flush_stats(&fx.app, false, &st, err, sizeof(err)), 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.sent, 0);
	r = row1(&fx);
	assert_string_equal(r.state, "failed");
	assert_non_null(strstr(r.last_error, "RCPT TO: 550"));
	replies_row_free(&r);
	/* Never retried, and shown to staff. */
	assert_int_equal(outbox_flush_stats(&fx.app, true, &st, err, sizeof(err)), 0);
	assert_int_equal(st.sent + st.failed + st.deferred, 0);
	list = outbox_list(&fx.app);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "state")), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(list, 0), "last_error")), "no such user"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "kind")), "missing-items");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "recipient")),
	                    "yanfeng-gxj@hengyang.gov.example");
	json_decref(list);
	sink_stop(&sink);
	free(mail);
	fixture_teardown(&fx);
}

/* Run bin/intakectl; returns the exit status (or -signal). */
static int ctl(const char *conf, const char *args, char **out_r)
{
	const char *b = getenv("INTAKE_BIN");
	char *cmd = tu_printf("%s/intakectl -c '%s' %s", b && *b ? b : "bin", conf, args);
	FILE *p = popen(cmd, "r");
	char buf[65536];
	size_t n;
	int st;

	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	free(cmd);
	if (out_r)
		*out_r = strdup(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_crash_between_send_and_record(void **state)
{
	const char *hang[] = { "--hang-after-data", NULL };
	struct fixture fx;
	char *mail, *out, *a, *b, *pa, *pb, *ctlbin;
	const char *bin = getenv("INTAKE_BIN");
	json_t *list, *cap;
	size_t la, lb;
	pid_t pid;
	int st;

	(void)state;
	queue_one(&fx, 1, "timeout = 60\n");
	mail = tu_printf("%s/mail", fx.dir);
	sink_start(&sink, mail, 0, hang);
	/* The state lock belongs to one process at a time: hand over to
	 * intakectl, with the sink's port in the config. */
	app_close(&fx.app);
	{
		size_t len;
		char *text = tu_read_file(fx.conf, &len), *p = strstr(text, "port = 1\n"), *nt;
		assert_non_null(p);
		*p = '\0';
		nt = tu_printf("%sport = %u\n%s", text, sink.port, p + strlen("port = 1\n"));
		assert_int_equal(tu_write_file(fx.conf, nt, strlen(nt)), 0);
		free(nt);
		free(text);
	}
	ctlbin = tu_printf("%s/intakectl", bin && *bin ? bin : "bin");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", 1);
		dup2(devnull, 1);
		execl(ctlbin, "intakectl", "-c", fx.conf, "send", (char *)NULL);
		_exit(127);
	}
	/* The server has the reply; intakectl waits for its "250"... */
	assert_true(sink_wait_count(mail, 1, 10000));
	/* ...and dies before it can record it. */
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	sink_stop(&sink);
	assert_int_equal(ctl(fx.conf, "replies --json", &out), 0);
	list = json_loads(out, 0, NULL);
	free(out);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "state")), "sending");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "attempts")), 1);
	json_decref(list);
	/* Restart: the reply goes again, byte for byte, same Message-ID. */
	sink_start(&sink, mail, 0, NULL);
	{
		size_t len;
		char *text = tu_read_file(fx.conf, &len), *p = strstr(text, "port = "), *e, *nt;
		assert_non_null(p);
		e = strchr(p, '\n');
		*p = '\0';
		nt = tu_printf("%sport = %u%s", text, sink.port, e);
		assert_int_equal(tu_write_file(fx.conf, nt, strlen(nt)), 0);
		free(nt);
		free(text);
	}
	assert_int_equal(ctl(fx.conf, "send", NULL), 0);
	assert_true(sink_wait_count(mail, 2, 5000));
	assert_int_equal(ctl(fx.conf, "replies --json", &out), 0);
	list = json_loads(out, 0, NULL);
	free(out);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "state")), "sent");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "attempts")), 2);
	cap = sink_parse(mail);
	assert_int_equal(json_array_size(cap), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(cap, 0), "message_id")),
	                    json_string_value(json_object_get(json_array_get(cap, 1), "message_id")));
	{
		char *mid = tu_printf("<%s>", json_string_value(json_object_get(json_array_get(list, 0), "message_id")));
		assert_string_equal(json_string_value(json_object_get(json_array_get(cap, 0), "message_id")), mid);
		free(mid);
	}
	pa = tu_printf("%s/0001.eml", mail);
	pb = tu_printf("%s/0002.eml", mail);
	a = tu_read_file(pa, &la);
	b = tu_read_file(pb, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	/* Nothing is left to send. */
	assert_int_equal(ctl(fx.conf, "send", &out), 0);
	assert_non_null(strstr(out, "已发送 0 封"));
	free(out);
	free(a);
	free(b);
	free(pa);
	free(pb);
	json_decref(cap);
	json_decref(list);
	sink_stop(&sink);
	free(ctlbin);
	free(mail);
	fixture_teardown(&fx);
}

static void test_send_exit_codes(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	queue_one(&fx, sink_free_port(), NULL);
	app_close(&fx.app);
	/* server down: some replies wait (EX_TEMPFAIL) */
	assert_int_equal(ctl(fx.conf, "send", &out), 75);
	assert_non_null(strstr(out, "待重试 1 封"));
	free(out);
	assert_int_equal(ctl(fx.conf, "replies", &out), 0);
	assert_non_null(strstr(out, "补件通知"));
	assert_non_null(strstr(out, "最近错误"));
	free(out);
	assert_int_equal(ctl(fx.conf, "send extra", NULL), 2);
	assert_int_equal(ctl(fx.conf, "replies --bogus", NULL), 2);
	fixture_teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tls_verified, stop_sink),
		cmocka_unit_test_teardown(test_bad_certificates_refused, stop_sink),
		cmocka_unit_test_teardown(test_starttls_never_falls_back, stop_sink),
		cmocka_unit_test_teardown(test_auth_plain, stop_sink),
		cmocka_unit_test_teardown(test_down_then_up, stop_sink),
		cmocka_unit_test_teardown(test_temporary_failure_backs_off, stop_sink),
		cmocka_unit_test_teardown(test_permanent_failure_recorded, stop_sink),
		cmocka_unit_test_teardown(test_crash_between_send_and_record, stop_sink),
		cmocka_unit_test_teardown(test_send_exit_codes, stop_sink),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/*
 * intakectl - intake for bureau staff and administrators.
 *
 *   intakectl -c CONF ingest [--received RFC3339] FILE.eml...
 *   intakectl -c CONF dossiers [--json]
 *   intakectl -c CONF submissions [--json]
 *   intakectl -c CONF report|list|show|assign|mark-paper|export|reprocess|log ...
 *                                       (staff tools: staffcmd.c)
 *   intakectl -c CONF send
 *   intakectl -c CONF replies [--json]
 *   intakectl -c CONF status [--json]     health, for staff and monitoring
 *   intakectl -c CONF purge [--dry-run]   apply [intake] retention_days now
 *   intakectl --version
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "outbox.h"
#include "query.h"
#include "retention.h"
#include "staffcmd.h"
#include "status.h"
#include "worker.h"

static void usage(FILE *f)
{
	fputs("用法 / usage:\n"
	      "  intakectl -c CONF ingest [--received RFC3339] FILE.eml...\n"
	      "  intakectl -c CONF dossiers [--json]\n"
	      "  intakectl -c CONF submissions [--json]\n"
	      "  intakectl -c CONF send\n"
	      "  intakectl -c CONF replies [--json]\n"
	      "  intakectl -c CONF status [--json]\n"
	      "  intakectl -c CONF purge [--dry-run]\n", f);
	staffcmd_usage(f);
	fputs("  intakectl --version\n", f);
}

/*
 * The next files of an ingest, copied into spool writers one block per
 * worker_idle step while the parse child works on the current file.  Once
 * copied a file is committed (fsync, rename); the first of them is parsed
 * ahead in a second child (ingest_ahead()), and the one after it waits,
 * copied, for the next free turn.  Each is recorded only when its turn
 * comes.
 */
struct next_copy {
	struct app *a;
	int fd;
	struct spool_writer *w;
	bool begun, done, failed, spooled, ahead;
	char sha[SPOOL_HEX_LEN + 1];
};

#define PREFETCH 2

struct prefetch_q {
	struct app *a;
	struct next_copy q[PREFETCH];
};

#define COPY_BLOCK (1u << 20)

static bool next_begin(struct next_copy *n, struct app *a, const char *path)
{
	char err[256];

	*n = (struct next_copy){ .a = a, .begun = true, .fd = open(path, O_RDONLY | O_CLOEXEC) };
	if (n->fd < 0)
		return false;       /* reported when its turn comes */
	if (spool_writer_begin(a->spool, a->cfg->limits.message_bytes, &n->w, err,
	                       sizeof(err)) != 0)
		n->w = NULL;
	return n->w != NULL;
}

static bool copy_step(void *ctx)
{
	static char *blk;
	struct next_copy *n = ctx;
	char err[256];
	ssize_t got;

	if (n->done || n->failed)
		return false;
	if (!blk && !(blk = spool_block_alloc(COPY_BLOCK))) {
		n->failed = true;
		return false;
	}
	do
		got = read(n->fd, blk, COPY_BLOCK);
	while (got < 0 && errno == EINTR);
	if (got < 0 || (got > 0 && spool_writer_write(n->w, blk, (size_t)got, err, sizeof(err)) != 0)) {
		n->failed = true;
		return false;
	}
	n->done = got == 0;
	/* A failed commit leaves no writer: the file is read again the
	 * ordinary way when its turn comes, and the error reported. */
	if (n->done) {
		bool existed;

		if (spool_writer_finish(&n->w, n->sha, &existed, err, sizeof(err)) != 0) {
			n->failed = true;
			return false;
		}
		n->spooled = true;
	}
	return !n->done;
}

/* The next file's turn: its copy (if any) becomes the current one. */
static void prefetch_advance(struct prefetch_q *p, struct next_copy *cur)
{
	spool_writer_abort(&cur->w);
	*cur = p->q[0];
	for (unsigned k = 0; k + 1 < PREFETCH; k++)
		p->q[k] = p->q[k + 1];
	p->q[PREFETCH - 1] = (struct next_copy){ .fd = -1 };
}

/* worker_idle: copy the queued files in order, and start parsing each
 * ahead as soon as it is copied and the turn is free.  False when only
 * waiting is left (the caller then blocks on the child, not spins). */
static bool prefetch_step(void *ctx)
{
	struct prefetch_q *p = ctx;

	for (unsigned k = 0; k < PREFETCH; k++) {
		struct next_copy *n = &p->q[k];

		if (n->w && !n->done && !n->failed) {
			(void)copy_step(n);
			return true;
		}
		if (!n->spooled)
			return false;   /* none, or taken the ordinary way at its turn */
		if (!n->ahead && !(n->ahead = ingest_ahead(&p->a->ingest, n->sha)))
			return false;   /* the turn is taken: later */
	}
	return false;
}

/* Finish a prefetched copy and ingest it; after a failed copy, start over
 * the ordinary way, which reports what went wrong. */
static int ingest_copied(struct app *a, struct next_copy *c, int fd, const struct ingest_time *rt,
                         struct ingest_outcome *o, char *err, size_t errlen)
{
	char sha[SPOOL_HEX_LEN + 1];
	bool existed;

	while (!c->failed && copy_step(c))
		;
	if (c->spooled)
		return ingest_spooled(&a->ingest, c->sha, rt, o, err, errlen);
	if (c->failed) {
		spool_writer_abort(&c->w);
		if (lseek(fd, 0, SEEK_SET) != 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		return ingest_fd(&a->ingest, fd, rt, o, err, errlen);
	}
	memset(o, 0, sizeof(*o));
	if (spool_writer_finish(&c->w, sha, &existed, err, errlen) != 0)
		return -1;
	return ingest_spooled(&a->ingest, sha, rt, o, err, errlen);
}

static int cmd_ingest(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "received", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest_time rt = { 0 }, *rtp = NULL;
	struct next_copy cur;
	struct prefetch_q pq;
	char err[1024];
	int ch, failures = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (campaign_parse_time(optarg, &rt.t, &rt.offset_min) != 0) {
				fprintf(stderr, "intakectl: --received: not an RFC 3339 time with offset: %s\n", optarg);
				return 2;
			}
			rt.source = "cli";
			rtp = &rt;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs("intakectl: ingest needs at least one FILE.eml\n", stderr);
		return 2;
	}
	if (staffcmd_open_state(a) != 0)
		return 1;
	cur = (struct next_copy){ .fd = -1 };
	pq.a = a;
	for (unsigned k = 0; k < PREFETCH; k++)
		pq.q[k] = (struct next_copy){ .fd = -1 };
	for (int i = optind; i < argc; i++) {
		struct ingest_outcome o;
		int fd = cur.fd >= 0 ? cur.fd : open(argv[i], O_RDONLY | O_CLOEXEC);
		int cidx, r;

		if (fd < 0) {
			fprintf(stderr, "intakectl: %s: %s\n", argv[i], strerror(errno));
			failures++;
			prefetch_advance(&pq, &cur);
			continue;
		}
		/* While this one is parsed, copy the next files into the spool. */
		for (int k = 0; k < PREFETCH && i + 1 + k < argc; k++)
			if (!pq.q[k].begun)
				(void)next_begin(&pq.q[k], a, argv[i + 1 + k]);
		worker_idle = prefetch_step;
		worker_idle_ctx = &pq;
		err[0] = '\0';
		r = cur.w || cur.spooled || cur.failed ? ingest_copied(a, &cur, fd, rtp, &o, err, sizeof(err))
		                                       : ingest_fd(&a->ingest, fd, rtp, &o, err, sizeof(err));
		worker_idle = NULL;
		worker_idle_ctx = NULL;
		close(fd);
		prefetch_advance(&pq, &cur);
		if (r != 0) {
			fprintf(stderr, "intakectl: %s: %s\n", argv[i], err);
			failures++;
			continue;
		}
		if (o.duplicate) {
			printf("%s：重复邮件，已于 #%lld 登记，未再处理\n", argv[i], o.message);
			continue;
		}
		cidx = o.county[0] ? campaign_county_index(a->camp, o.county) : -1;
		printf("%s：已登记 #%lld，%s，%s，申报单位 %u 个，文件 %u 个，问题 %u 项，应回复：%s\n",
		       argv[i], o.message, cidx >= 0 ? a->camp->counties[cidx].name : "县区未识别",
		       query_status_zh(o.status), o.ndossiers, o.nfiles, o.nproblems, query_reply_zh(o.reply));
	}
	ingest_ahead_drop(&a->ingest);
	return failures ? 1 : 0;
}

/* A listing's arguments (--json only), then the state it reads: 0, or the
 * exit code. */
static int open_listing(struct app *a, int argc, char **argv, bool *as_json_r)
{
	if (staffcmd_list_args(argc, argv, NULL, as_json_r) != 0) {
		usage(stderr);
		return 2;
	}
	return staffcmd_open_state(a) != 0 ? 1 : 0;
}

static int cmd_list(struct app *a, int argc, char **argv, bool dossiers)
{
	bool as_json = false;
	json_t *j;
	int r;

	if ((r = open_listing(a, argc, argv, &as_json)) != 0)
		return r;
	j = dossiers ? query_dossiers(a->ledger, a->camp) : query_submissions(a->ledger, a->camp);
	if (!j) {
		fprintf(stderr, "intakectl: ledger: %s\n", ledger_errmsg(a->ledger));
		return 1;
	}
	if (as_json)
		r = staffcmd_print_json(j);
	else if (dossiers)
		query_print_dossiers(stdout, j, a->camp);
	else
		query_print_submissions(stdout, j, a->camp);
	json_decref(j);
	return r;
}

/*
 * Send every queued reply now, whatever its backoff.  Exit 0: nothing
 * left to send; 1: a reply was refused for good (5xx) or an error; 75
 * (EX_TEMPFAIL): some replies wait for a retry.
 */
static int cmd_send(struct app *a, int argc)
{
	struct outbox_stats st;
	char err[1024] = "";
	int r;

	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (staffcmd_open_state(a) != 0)
		return 1;
	r = outbox_flush_stats(a, true, &st, err, sizeof(err));
	if (r != 0)
		fprintf(stderr, "intakectl: send: %s\n", err);
	printf("已发送 %u 封，失败 %u 封，待重试 %u 封\n", st.sent, st.failed, st.deferred);
	if (st.failed)
		return 1;
	if (st.deferred)
		return 75;
	return r != 0 ? 1 : 0;
}

static int cmd_replies(struct app *a, int argc, char **argv)
{
	bool as_json = false;
	json_t *j;
	int r;

	if ((r = open_listing(a, argc, argv, &as_json)) != 0)
		return r;
	j = outbox_list(a);
	if (!j) {
		fprintf(stderr, "intakectl: ledger: %s\n", ledger_errmsg(a->ledger));
		return 1;
	}
	if (as_json)
		r = staffcmd_print_json(j);
	else
		outbox_print(stdout, j);
	json_decref(j);
	return r;
}

/* Exit 0 healthy, 1 unhealthy: for monitoring.  No lock, read-only. */
static int cmd_status(struct app *a, int argc, char **argv)
{
	bool as_json = false;
	json_t *st;
	int r;

	if (staffcmd_list_args(argc, argv, NULL, &as_json) != 0) {
		usage(stderr);
		return 2;
	}
	st = status_collect(a->cfg, a->camp, time(NULL));
	if (!st) {
		fputs("intakectl: out of memory\n", stderr);
		return 1;
	}
	r = json_is_true(json_object_get(st, "healthy")) ? 0 : 1;
	if (as_json) {
		if (staffcmd_print_json(st) != 0)
			r = 1;
	} else {
		status_print(stdout, st);
	}
	json_decref(st);
	return r;
}

static void purge_line(void *ctx, const struct retention_item *it)
{
	const struct app *a = ctx;
	char t[64];

	campaign_format_time(it->received_at, a->camp->tz_offset_min, t, sizeof(t));
	printf("#%lld %.12s 收于 %s：提取文件 %u 个，%llu 字节\n", it->message, it->sha256, t,
	       it->nfiles, (unsigned long long)it->bytes);
}

static int cmd_purge(struct app *a, int argc, char **argv)
{
	struct retention_stats rs;
	bool dry = false;
	char err[1024];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0)
			dry = true;
		else {
			usage(stderr);
			return 2;
		}
	}
	if (a->cfg->retention_days == 0) {
		printf("未设置 [intake] retention_days：提取文件永久保存，无需删除 (retention_days not set)\n");
		return 0;
	}
	if (staffcmd_open_state(a) != 0)
		return 1;
	if (retention_purge(a->spool, a->ledger, a->cfg->retention_days, time(NULL), dry, purge_line,
	                    a, &rs, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: purge: %s\n", err);
		return 1;
	}
	printf("%s%u 封邮件的提取文件（%u 个，%llu 字节）超过保存期限 %u 天%s\n",
	       dry ? "试运行：" : "", rs.messages, rs.files, (unsigned long long)rs.bytes,
	       a->cfg->retention_days, dry ? "，将被删除；未做任何改动 (dry run)" : "，已删除；原始邮件与登记记录保留");
	return 0;
}

int main(int argc, char **argv)
{
	const char *conf = NULL;
	struct app a;
	char err[1024];
	int i, r;

	app_pin_openmp(argv);
	memset(&a, 0, sizeof(a));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			conf = argv[++i];
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("intakectl %s\n", INTAKE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			break;
		}
	}
	if (i >= argc || !conf) {
		usage(stderr);
		return 2;
	}
	err[0] = '\0';
	if (app_load(&a, conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "intakectl: %s\n", err);
		app_close(&a);
		return 1;
	}
	if (strcmp(argv[i], "ingest") == 0)
		r = cmd_ingest(&a, argc - i, argv + i);
	else if (strcmp(argv[i], "dossiers") == 0)
		r = cmd_list(&a, argc - i, argv + i, true);
	else if (strcmp(argv[i], "submissions") == 0)
		r = cmd_list(&a, argc - i, argv + i, false);
	else if (staffcmd_known(argv[i]))
		r = staffcmd_run(&a, argc - i, argv + i);
	else if (strcmp(argv[i], "send") == 0)
		r = cmd_send(&a, argc - i);
	else if (strcmp(argv[i], "replies") == 0)
		r = cmd_replies(&a, argc - i, argv + i);
	else if (strcmp(argv[i], "status") == 0)
		r = cmd_status(&a, argc - i, argv + i);
	else if (strcmp(argv[i], "purge") == 0)
		r = cmd_purge(&a, argc - i, argv + i);
	else {
		fprintf(stderr, "intakectl: unknown command \"%s\"\n", argv[i]);
		usage(stderr);
		r = 2;
	}
	app_close(&a);
	return r;
}

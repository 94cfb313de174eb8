#include "app.h"
#include "reply.h"
#include "sandbox.h"
#include "worker.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *app_read_file(const char *path, size_t max, size_t *len_r, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 8192) {
			cap = cap ? cap * 2 : 16384;
			if (cap > max + 8192) {
				snprintf(err, errlen, "%s: file too large", path);
				goto fail;
			}
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	buf[len] = '\0';
	*len_r = len;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

int app_load(struct app *a, const char *conf, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int r;

	memset(a, 0, sizeof(*a));
	/* libetpan writes with send(fd, ..., 0): a peer that closed must not
	 * kill us (LIBRARIES.md 0); archive names need a UTF-8 locale. */
	signal(SIGPIPE, SIG_IGN);
	setlocale(LC_CTYPE, "C.UTF-8");
	if (config_load(conf, &a->cfg, err, errlen) != 0)
		return -1;
	text = app_read_file(a->cfg->campaign, 4 << 20, &len, err, errlen);
	if (!text)
		return -1;
	r = campaign_parse(text, len, a->cfg->campaign, &a->camp, err, errlen);
	free(text);
	if (r != 0)
		return r;
	return reply_templates_load(a->camp, a->cfg->campaign, &a->replies, err, errlen);
}

int app_open_state(struct app *a, bool wait_lock, char *err, size_t errlen)
{
	char path[4096];

	struct sandbox_user su;

	if (sandbox_user_resolve(a->cfg->parse_user, &su, err, errlen) != 0)
		return -1;
	worker_set_sandbox_user(&su);
	if (spool_open(a->cfg->state_dir, wait_lock, &a->spool, err, errlen) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/intake.db", a->cfg->state_dir);
	if (ledger_open(path, &a->ledger, err, errlen) != 0)
		return -1;
	a->ingest.cfg = a->cfg;
	a->ingest.camp = a->camp;
	a->ingest.spool = a->spool;
	a->ingest.ledger = a->ledger;
	a->ingest.replies = a->replies;
	return 0;
}

void app_close(struct app *a)
{
	ingest_ahead_drop(&a->ingest);
	worker_shutdown();
	ledger_close(&a->ledger);
	spool_close(&a->spool);
	reply_templates_free(&a->replies);
	campaign_free(&a->camp);
	config_free(&a->cfg);
}

void app_pin_openmp(char **argv)
{
	if (getenv("OMP_THREAD_LIMIT") != NULL)
		return;
	if (setenv("OMP_THREAD_LIMIT", "1", 1) != 0)
		return;
	execv("/proc/self/exe", argv);
	/* /proc unavailable: go on; OCR then merely uses more threads */
}

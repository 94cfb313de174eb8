#include "ingest_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query.h"
#include "testutil.h"

void fixture_setup(struct fixture *f, const char *extra)
{
	char err[1024] = "", cwd[4096];
	char *text;

	memset(f, 0, sizeof(*f));
	f->dir = tu_tempdir();
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	f->conf = tu_printf("%s/intake.conf", f->dir);
	text = tu_printf("[intake]\nstate_dir = %s/state\ncampaign = %s/campaigns/hengyang-2023.conf\n%s",
	                 f->dir, cwd, extra ? extra : "");
	assert_int_equal(tu_write_file(f->conf, text, strlen(text)), 0);
	free(text);
	if (app_load(&f->app, f->conf, err, sizeof(err)) != 0 ||
	    app_open_state(&f->app, false, err, sizeof(err)) != 0)
		fail_msg("fixture: %s", err);
}

void fixture_teardown(struct fixture *f)
{
	app_close(&f->app);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f->conf);
}

int fixture_ingest(struct fixture *f, const char *path, const char *received,
                   struct ingest_outcome *o)
{
	struct ingest_time rt = { 0 }, *rtp = NULL;
	char err[1024] = "";
	int fd = open(path, O_RDONLY), r;

	if (fd < 0)
		fail_msg("cannot open %s", path);
	if (received) {
		assert_int_equal(campaign_parse_time(received, &rt.t, &rt.offset_min), 0);
		rt.source = "cli";
		rtp = &rt;
	}
	r = ingest_fd(&f->app.ingest, fd, rtp, o, err, sizeof(err));
	close(fd);
	if (r != 0)
		print_error("ingest %s: %s\n", path, err);
	return r;
}

int fixture_ingest_buf(struct fixture *f, const void *buf, size_t len, const char *received,
                       struct ingest_outcome *o)
{
	char *p = tu_printf("%s/msg.eml", f->dir);
	int r;

	assert_int_equal(tu_write_file(p, buf, len), 0);
	r = fixture_ingest(f, p, received, o);
	unlink(p);
	free(p);
	return r;
}

json_t *fixture_submission(struct fixture *f, long long id)
{
	json_t *all = query_submissions(f->app.ledger, f->app.camp), *v, *found = NULL;
	size_t i;

	assert_non_null(all);
	json_array_foreach(all, i, v)
		if (json_integer_value(json_object_get(v, "id")) == id)
			found = json_incref(v);
	json_decref(all);
	return found;
}

json_t *fixture_dossiers(struct fixture *f)
{
	json_t *d = query_dossiers(f->app.ledger, f->app.camp);

	assert_non_null(d);
	return d;
}

bool json_has_string(const json_t *array, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

bool submission_has_problem(const json_t *sub, const char *kind)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(sub, "problem_details"), i, p)
		if (strcmp(json_string_value(json_object_get(p, "kind")), kind) == 0)
			return true;
	return false;
}

unsigned fixture_ingest_examples(struct fixture *f)
{
	FILE *tsv = fopen("examples/received.tsv", "r");
	char line[1024];
	unsigned n = 0;

	if (!tsv)
		fail_msg("examples/received.tsv: cannot open (run from the project root)");
	while (fgets(line, sizeof(line), tsv)) {
		char *tab = strchr(line, '\t'), *nl, *path;
		struct ingest_outcome o;

		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		if ((nl = strchr(tab + 1, '\n')) != NULL)
			*nl = '\0';
		path = tu_printf("examples/%s", line);
		assert_int_equal(fixture_ingest(f, path, tab + 1, &o), 0);
		free(path);
		n++;
	}
	fclose(tsv);
	return n;
}

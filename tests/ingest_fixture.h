/*
 * ingest_fixture.h - a throwaway state directory with the real campaign,
 * for end-to-end tests that drive the same ingest code as intakectl.
 */
#ifndef INTAKE_INGEST_FIXTURE_H
#define INTAKE_INGEST_FIXTURE_H

#include <jansson.h>
#include "app.h"

struct fixture {
	char *dir;
	char *conf;
	struct app app;
};

/* extra: more [intake] lines, or NULL. */
void fixture_setup(struct fixture *f, const char *extra);
void fixture_teardown(struct fixture *f);
/* Ingest a file with an RFC 3339 received time (NULL = none given). */
int fixture_ingest(struct fixture *f, const char *path, const char *received,
                   struct ingest_outcome *o);
int fixture_ingest_buf(struct fixture *f, const void *buf, size_t len, const char *received,
                       struct ingest_outcome *o);
/* Every example of examples/received.tsv with its received time, in order;
 * returns how many. */
unsigned fixture_ingest_examples(struct fixture *f);
json_t *fixture_submission(struct fixture *f, long long id);
json_t *fixture_dossiers(struct fixture *f);
bool json_has_string(const json_t *array, const char *s);
/* True when some problem of the submission has this kind. */
bool submission_has_problem(const json_t *sub, const char *kind);

#endif

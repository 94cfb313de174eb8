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
/*
 * The extra line of tests that use the examples as data.  Their pictures
 * are 8x6-pixel placeholders without text: OCR reads nothing in them, yet
 * every parse child that meets one loads Tesseract (about a second; more
 * under ASan), which was most of these tests' time.  test_examples and
 * test_imap's examples runs keep the default (ocr = auto); OCR itself is
 * test_textract's, test_worker's, test_ingest's and test_content's.
 */
#define FIXTURE_OCR_OFF "ocr = off\n"
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

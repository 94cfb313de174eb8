/*
 * End to end over the shipped examples: each example email is ingested in
 * order with the received time in examples/received.tsv, and what the
 * ledger then says about it is compared with examples/expected.json — the
 * conclusions a careful official would draw (status, reply owed, county,
 * dossiers with present and missing items, county items, problem kinds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "ingest_fixture.h"
#include "testutil.h"

static bool same_id_set(const json_t *a, const json_t *b)
{
	size_t i;
	json_t *v;

	if (json_array_size(a) != json_array_size(b))
		return false;
	json_array_foreach(a, i, v)
		if (!json_has_string(b, json_string_value(v)))
			return false;
	return true;
}

static char *dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
}

/* The dossier of the ledger that an expected one describes: same program
 * and the same applicant under the campaign's applicant key. */
static const json_t *find_dossier(struct fixture *fx, const json_t *dossiers,
                                  const json_t *want, const char *county)
{
	const char *prog = json_string_value(json_object_get(want, "program"));
	char *wkey = classify_applicant_key(fx->app.camp, json_string_value(json_object_get(want, "applicant")));
	const json_t *found = NULL;
	size_t i;
	json_t *d;

	json_array_foreach(dossiers, i, d) {
		const char *dp = json_string_value(json_object_get(d, "program"));
		const char *dc = json_string_value(json_object_get(d, "county"));
		char *dkey = classify_applicant_key(fx->app.camp, json_string_value(json_object_get(d, "applicant")));
		bool prog_ok = prog && dp && strcmp(prog, dp) == 0;
		bool county_ok = !county || (dc && strcmp(county, dc) == 0);
		bool name_ok = dkey && wkey && (strcmp(dkey, wkey) == 0 || strstr(dkey, wkey) || strstr(wkey, dkey));
		free(dkey);
		if (prog_ok && county_ok && name_ok) {
			found = d;
			break;
		}
	}
	free(wkey);
	return found;
}

static void test_examples_match_expected(void **state)
{
	struct fixture fx;
	json_error_t jerr;
	json_t *expected = json_load_file("examples/expected.json", 0, &jerr);
	size_t i, failures = 0;
	json_t *e;

	(void)state;
	if (!expected)
		fail_msg("examples/expected.json: %s (line %d)", jerr.text, jerr.line);
	fixture_setup(&fx, NULL);
	json_array_foreach(expected, i, e) {
		const char *file = json_string_value(json_object_get(e, "file"));
		const char *received = json_string_value(json_object_get(e, "received"));
		const char *want_status = json_string_value(json_object_get(e, "status"));
		const json_t *want_reply = json_object_get(e, "reply");
		const json_t *want_county = json_object_get(e, "county");
		char *path = tu_printf("examples/%s", file);
		struct ingest_outcome o;
		json_t *sub, *dossiers, *p;
		size_t j;
		char *got;

		assert_int_equal(fixture_ingest(&fx, path, received, &o), 0);
		sub = fixture_submission(&fx, o.message);
		assert_non_null(sub);
		dossiers = fixture_dossiers(&fx);
		got = dump(sub);
#define CHECK(cond, ...) do { if (!(cond)) { failures++; print_error("%s: ", file); print_error(__VA_ARGS__); print_error("\n"); } } while (0)
		CHECK(strcmp(json_string_value(json_object_get(sub, "status")), want_status) == 0,
		      "status %s, expected %s", json_string_value(json_object_get(sub, "status")), want_status);
		CHECK(json_equal(json_object_get(sub, "reply"), want_reply),
		      "reply %s, expected %s", json_string_value(json_object_get(sub, "reply")),
		      json_string_value(want_reply));
		CHECK(json_is_null(want_county) ? json_is_null(json_object_get(sub, "county"))
		                                : json_equal(json_object_get(sub, "county"), want_county),
		      "county %s, expected %s", json_string_value(json_object_get(sub, "county")),
		      json_string_value(want_county));
		json_array_foreach(json_object_get(e, "problems"), j, p)
			CHECK(submission_has_problem(sub, json_string_value(p)),
			      "problem %s expected, not recorded", json_string_value(p));
		if (json_object_get(e, "county_missing") && !json_is_null(want_county))
			CHECK(same_id_set(json_object_get(sub, "county_missing"), json_object_get(e, "county_missing")),
			      "county_missing differs");
		json_array_foreach(json_object_get(e, "dossiers"), j, p) {
			const json_t *d = find_dossier(&fx, dossiers, p, json_string_value(want_county));
			if (!d) {
				CHECK(0, "no %s dossier for %s", json_string_value(json_object_get(p, "program")),
				      json_string_value(json_object_get(p, "applicant")));
				continue;
			}
			CHECK(same_id_set(json_object_get(d, "present"), json_object_get(p, "present")),
			      "%s: present %s", json_string_value(json_object_get(p, "applicant")),
			      json_dumps(json_object_get(d, "present"), JSON_COMPACT));
			CHECK(same_id_set(json_object_get(d, "missing"), json_object_get(p, "missing")),
			      "%s: missing %s", json_string_value(json_object_get(p, "applicant")),
			      json_dumps(json_object_get(d, "missing"), JSON_COMPACT));
		}
		if (failures)
			print_message("# %s -> %s\n", file, got);
		free(got);
		json_decref(sub);
		json_decref(dossiers);
		free(path);
	}
	json_decref(expected);
	fixture_teardown(&fx);
	if (failures)
		fail_msg("%zu expectation(s) not met", failures);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_match_expected),
	};
	return cmocka_run_group_tests_name("examples", tests, NULL, NULL);
}

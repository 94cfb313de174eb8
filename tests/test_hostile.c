/*
 * The hostile corpus (tests/hostile/): zip bombs, overlapping entries,
 * traversal, links, encryption, truncation, absurd MIME nesting and
 * headers, bad encodings, NUL bytes, overlong and Windows-reserved names.
 * Each message goes through `intakectl ingest` as a subprocess, so the real
 * forked, sandboxed parse child runs and wait4() gives the peak RSS of the
 * ingest and its child together.  For each: no crash, bounded time and
 * memory, the problem kinds of tests/hostile/MANIFEST recorded, the raw
 * message kept in the spool; afterwards the ledger is consistent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "imapd_fixture.h"
#include "spool.h"
#include "testutil.h"

/* Generous bounds, far from what any case needs (the worst takes seconds
 * and a few tens of MB): the parse child's wall-clock limit is set below
 * (under ASan 42.zip's 4,368 files take a minute) and its address space is
 * capped at 512 MB by default. */
#define WALL_LIMIT_S   (TU_ASAN ? 240 : 60)
#define TIME_BOUND_MS  ((WALL_LIMIT_S + 30) * 1000LL)
#define RSS_BOUND_KIB  (512LL * 1024)

struct hcase {
	char *name, *kinds, *what;
	char sha[SPOOL_HEX_LEN + 1];
	long long ms, rss_kib;
	char *got;
};

static const char *bin_dir(void)
{
	const char *b = getenv("INTAKE_BIN");

	return b && *b ? b : "bin";
}

static struct hcase *read_manifest(size_t *n_r)
{
	FILE *f = fopen("tests/hostile/MANIFEST", "r");
	struct hcase *v = NULL;
	char line[1024];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *t1, *t2;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		t1 = strchr(line, '\t');
		assert_non_null(t1);
		*t1++ = '\0';
		t2 = strchr(t1, '\t');
		assert_non_null(t2);
		*t2++ = '\0';
		v = realloc(v, (n + 1) * sizeof(*v));
		assert_non_null(v);
		memset(&v[n], 0, sizeof(v[n]));
		v[n].name = strdup(line);
		v[n].kinds = strdup(t1);
		v[n].what = strdup(t2);
		n++;
	}
	fclose(f);
	*n_r = n;
	return v;
}

/* intakectl -c conf ingest --received ... file; exit status, wall ms and
 * peak RSS (the ingest and its parse child: wait4 reports the largest of a
 * process and the children it waited for). */
static int run_ingest(const char *conf, const char *file, const char *log,
                      long long *ms_r, long long *rss_r)
{
	struct timespec t0, t1;
	struct rusage ru;
	char *exe = tu_printf("%s/intakectl", bin_dir());
	pid_t pid;
	int st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl(exe, "intakectl", "-c", conf, "ingest", "--received",
		      "2023-05-12T10:00:00+08:00", file, (char *)NULL);
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms_r = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	*rss_r = ru.ru_maxrss;
	free(exe);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * SHA-256 of a file, read in small blocks: the test process must stay
 * small, because a forked child's peak RSS starts from its parent's RSS at
 * fork (Linux keeps it across exec) and would hide the ingest's own.
 */
static bool file_sha256(const char *path, char hex[SPOOL_HEX_LEN + 1], uint64_t *size_r)
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	unsigned char buf[65536];
	uint64_t size = 0;
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return false;
	sha256_init(&c);
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		sha256_update(&c, (size_t)r, buf);
		size += (uint64_t)r;
	}
	close(fd);
	sha256_digest(&c, sizeof(d), d);
	spool_hex(d, sizeof(d), hex);
	*size_r = size;
	return r == 0;
}

/* Kinds that say "not classified", which every odd message also gets:
 * left out of the summary table to keep it readable. */
static bool classification_kind(const char *k, size_t l)
{
	return (l == 17 && strncmp(k, "unknown-applicant", l) == 0) ||
	       (l == 15 && strncmp(k, "unknown-program", l) == 0) ||
	       (l == 12 && strncmp(k, "unrecognised", l) == 0);
}

static char *hostile_kinds(const char *all)
{
	char *out = strdup(""), *n;

	for (const char *p = all; *p;) {
		size_t l = strcspn(p, ",");

		if (!classification_kind(p, l)) {
			n = tu_printf("%s%s%.*s", out, *out ? "," : "", (int)l, p);
			free(out);
			out = n;
		}
		p += l;
		p += strspn(p, ",");
	}
	return out;
}

static bool has_kind(const char *list, const char *kind, size_t klen)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",\n");

		if (n == klen && strncmp(p, kind, klen) == 0)
			return true;
		p += n;
		p += strspn(p, ",\n");
	}
	return false;
}

/*
 * An attached archive that could not be read whole (every archive case
 * here: bombs, encryption, truncation, refused entries) is kept as sent,
 * for staff to export and open themselves; its entries that could be read
 * are stored beside it, and no nested archive is kept (the attached one
 * holds its bytes).  The kept file is the decoded attachment, byte for
 * byte: its SHA-256 is the row's.
 */
static void check_archive_kept(const char *sdir, const struct hcase *c)
{
	char *sql = tu_printf("SELECT coalesce(f.stored, '-'), f.sha256, f.depth FROM files f JOIN messages m ON m.id = f.message"
	                      " WHERE m.sha256 = '%s' AND f.container = 1 ORDER BY f.seq", c->sha);
	char *rows = ledger_text(sdir, sql), *line = rows;
	bool archive = strncmp(c->name, "zip-", 4) == 0 || strncmp(c->name, "7z-", 3) == 0 ||
	               strncmp(c->name, "tar", 3) == 0;
	unsigned kept = 0;

	while (*line) {
		char stored[64] = "", sha[SPOOL_HEX_LEN + 1] = "", got[SPOOL_HEX_LEN + 1], *path;
		size_t l = strcspn(line, "\n");
		int depth = -1;
		uint64_t len;

		/* ledger_text() separates columns with '|'; '-' is no file. */
		if (sscanf(line, "%63[^|]|%64[^|]|%d", stored, sha, &depth) != 3)
			fail_msg("%s: unexpected row %.*s", c->name, (int)l, line);
		if (strcmp(stored, "-") == 0)
			stored[0] = '\0';
		if (depth == 0) {
			if (!*stored)
				fail_msg("%s: the attached archive was not kept", c->name);
			path = tu_printf("%s/files/%s/%s", sdir, c->sha, stored);
			if (!file_sha256(path, got, &len) || strcmp(got, sha) != 0)
				fail_msg("%s: kept archive %s differs from its row", c->name, path);
			free(path);
			kept++;
		} else if (*stored) {
			fail_msg("%s: nested archive kept (depth %d)", c->name, depth);
		}
		line += l;
		line += strspn(line, "\n");
	}
	if (archive && kept == 0)
		fail_msg("%s: no attached archive kept", c->name);
	free(rows);
	free(sql);
}

static void test_hostile_corpus(void **state)
{
	char *dir = tu_tempdir(), *corpus = tu_printf("%s/corpus", dir);
	char *sdir = tu_printf("%s/state", dir), *conf = tu_printf("%s/intake.conf", dir);
	char *log = tu_printf("%s/ingest.log", dir), *cwd = getcwd(NULL, 0), *text, *cmd;
	size_t n, worst = 0;
	struct hcase *c = read_manifest(&n);
	long long total_ms = 0;

	(void)state;
	assert_true(n >= 20);
	cmd = tu_printf("/usr/bin/python3 tests/hostile/make-hostile.py %s", corpus);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	text = tu_printf("[intake]\nstate_dir = %s\ncampaign = %s/campaigns/hengyang-2023.conf\n"
	                 "parse_wall_seconds = %d\n", sdir, cwd, WALL_LIMIT_S);
	assert_int_equal(tu_write_file(conf, text, strlen(text)), 0);
	free(text);

	for (size_t i = 0; i < n; i++) {
		char *file = tu_printf("%s/%s.eml", corpus, c[i].name);
		char *spooled, *sql, ksha[SPOOL_HEX_LEN + 1];
		uint64_t len, klen;
		int rc;

		if (!file_sha256(file, c[i].sha, &len))
			fail_msg("%s: not generated", c[i].name);
		rc = run_ingest(conf, file, log, &c[i].ms, &c[i].rss_kib);
		if (rc != 0) {
			char *l = tu_read_file(log, NULL);
			fprintf(stderr, "%s\n", l ? l : "");
			free(l);
			fail_msg("%s: intakectl ingest exited %d", c[i].name, rc);
		}
		/* The raw message, byte for byte, in the spool. */
		spooled = tu_printf("%s/spool/%s.eml", sdir, c[i].sha);
		if (!file_sha256(spooled, ksha, &klen) || klen != len || strcmp(ksha, c[i].sha) != 0)
			fail_msg("%s: raw message not kept in the spool", c[i].name);
		free(spooled);
		sql = tu_printf("SELECT group_concat(kind, ',') FROM (SELECT DISTINCT p.kind FROM problems p"
		                " JOIN messages m ON m.id = p.message WHERE m.sha256 = '%s' ORDER BY 1)",
		                c[i].sha);
		c[i].got = ledger_text(sdir, sql);
		c[i].got[strcspn(c[i].got, "\n")] = '\0';
		free(sql);
		for (const char *k = c[i].kinds; *k;) {
			size_t kl = strcspn(k, ",");

			if (!has_kind(c[i].got, k, kl))
				fail_msg("%s: no problem of kind %.*s (got %s)", c[i].name, (int)kl, k, c[i].got);
			k += kl;
			k += strspn(k, ",");
		}
		check_archive_kept(sdir, &c[i]);
		assert_true(c[i].ms < TIME_BOUND_MS);
#if !TU_ASAN
		/* ASan's shadow memory inflates RSS: the plain build asserts. */
		assert_true(c[i].rss_kib < RSS_BOUND_KIB);
#endif
		if (c[i].ms > c[worst].ms)
			worst = i;
		total_ms += c[i].ms;
		free(file);
	}

	/* Summary. */
	fprintf(stderr, "# %-22s %-30s %7s %9s  (peak RSS: intakectl and its parse child;"
	        " classification kinds left out)\n", "case", "problem kinds", "ms", "peak KiB");
	for (size_t i = 0; i < n; i++) {
		char *k = hostile_kinds(c[i].got);

		fprintf(stderr, "# %-22s %-30s %7lld %9lld\n", c[i].name, k, c[i].ms, c[i].rss_kib);
		free(k);
	}
	{
		size_t big = 0;

		for (size_t i = 1; i < n; i++)
			if (c[i].rss_kib > c[big].rss_kib)
				big = i;
		fprintf(stderr, "# %zu hostile cases in %lld ms; slowest %s (%lld ms), largest RSS %s (%lld KiB)%s\n",
		        n, total_ms, c[worst].name, c[worst].ms, c[big].name, c[big].rss_kib,
		        TU_ASAN ? " [ASan: RSS not bounded]" : "");
	}

	/* The ledger: intact, each message once, every stored file present. */
	{
		char *ic = ledger_text(sdir, "PRAGMA integrity_check");
		char *fk = ledger_text(sdir, "PRAGMA foreign_key_check");
		char *stored = ledger_text(sdir, "SELECT m.sha256 || '/' || f.stored FROM files f"
		                                 " JOIN messages m ON m.id = f.message"
		                                 " WHERE ifnull(f.stored, '') != ''");
		char *p = stored;

		assert_string_equal(ic, "ok\n");
		assert_string_equal(fk, "");
		assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), (long long)n);
		assert_int_equal(ledger_int(sdir, "SELECT count(DISTINCT sha256) FROM messages"), (long long)n);
		assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages WHERE kind = 'submission'"),
		                 (long long)n);
		while (*p) {
			size_t l = strcspn(p, "\n");
			char *path = tu_printf("%s/files/%.*s", sdir, (int)l, p);
			struct stat st;

			if (stat(path, &st) != 0)
				fail_msg("ledger names %s, which is not on disk", path);
			free(path);
			p += l;
			p += strspn(p, "\n");
		}
		free(ic);
		free(fk);
		free(stored);
	}

	/* Again: every message is recognised, nothing is recorded twice. */
	for (size_t i = 0; i < n; i++) {
		char *file = tu_printf("%s/%s.eml", corpus, c[i].name);
		long long ms, rss;

		assert_int_equal(run_ingest(conf, file, log, &ms, &rss), 0);
		free(file);
	}
	assert_int_equal(ledger_int(sdir, "SELECT count(*) FROM messages"), (long long)n);

	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].kinds);
		free(c[i].what);
		free(c[i].got);
	}
	free(c);
	free(cwd);
	tu_rmrf(dir);
	free(dir);
	free(corpus);
	free(sdir);
	free(conf);
	free(log);
}

/* The generator and the manifest agree: no case without a line, no line
 * without a case. */
static void test_manifest_matches_generator(void **state)
{
	char *dir = tu_tempdir();
	char *cmd = tu_printf("/usr/bin/python3 -c 'import sys; sys.path.insert(0, \"tests/hostile\");"
	                      " import importlib; m = importlib.import_module(\"make-hostile\");"
	                      " print(\"\\n\".join(sorted(m.CASES)))' > %s/cases", dir);
	char *path = tu_printf("%s/cases", dir), *list;
	size_t n, count = 0;
	struct hcase *c = read_manifest(&n);

	(void)state;
	assert_int_equal(system(cmd), 0);
	list = tu_read_file(path, NULL);
	assert_non_null(list);
	for (char *p = list; *p; p += strspn(p, "\n")) {
		size_t l = strcspn(p, "\n");
		bool found = false;

		for (size_t i = 0; i < n; i++)
			if (strlen(c[i].name) == l && strncmp(c[i].name, p, l) == 0)
				found = true;
		if (!found)
			fail_msg("generator case %.*s is not in tests/hostile/MANIFEST", (int)l, p);
		count++;
		p += l;
	}
	assert_int_equal(count, n);
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].kinds);
		free(c[i].what);
	}
	free(c);
	free(list);
	free(path);
	free(cmd);
	tu_rmrf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_matches_generator),
		cmocka_unit_test(test_hostile_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

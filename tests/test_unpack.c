/*
 * test_unpack.c - parsers/unpack.c against built and public archives.
 *
 * Fixtures are built at run time (a small hand-written zip writer for
 * names and flags libarchive will not write, libarchive's writer for the
 * rest), so nothing binary lives in the tree.  The public corpora are read
 * from tu_corpora().  The corpora sweep runs each file in a fresh process
 * (this program re-executed with --unpack-one) under the same kind of
 * limits the parse worker gets, because libarchive 3.6.2 has OOM
 * reproducers among them.
 *
 *   test_unpack                      the cmocka suite
 *   test_unpack --unpack-one FILE    one corpus file, results on stdout
 *   test_unpack --write-fixtures DIR the small fixtures (fuzz seeds)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "names.h"
#include "testutil.h"
#include "unpack.h"

/* ---- a sink that records everything ------------------------------------ */

struct got_entry {
	char *path;
	char *data;          /* first `keep` bytes */
	size_t len;          /* bytes delivered (all of them) */
	bool ended, ok, legacy, lossy;
	int64_t declared;
};

struct got_problem {
	char *kind, *subject, *reason;
};

struct got {
	struct got_entry *e;
	size_t ne;
	struct got_problem *p;
	size_t np;
	size_t cur;              /* entry receiving data */
	size_t keep;             /* bytes kept per entry */
	uint64_t total;          /* bytes delivered, all entries */
	double cpu_last_data;    /* CPU seconds at the last data block */
	/* nesting: unpack entries named *.zip again, one level deeper */
	bool recurse;
	unsigned depth;
	const struct intake_limits *lim;
	struct unpack_budget *budget;
	bool skip_all;           /* entry_begin returns 1 (skip) */
};

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int got_begin(void *ctx, const struct unpack_entry *e)
{
	struct got *g = ctx;
	struct got_entry *n;

	if (g->skip_all)
		return 1;
	g->e = realloc(g->e, (g->ne + 1) * sizeof(*g->e));
	assert_non_null(g->e);
	n = &g->e[g->ne];
	memset(n, 0, sizeof(*n));
	n->path = strdup(e->path);
	n->legacy = e->name_was_legacy;
	n->lossy = e->name_lossy;
	n->declared = e->declared_size;
	n->data = malloc(g->keep + 1);
	assert_non_null(n->data);
	g->cur = g->ne++;
	return 0;
}

static int got_data(void *ctx, const void *buf, size_t len)
{
	struct got *g = ctx;
	struct got_entry *n = &g->e[g->cur];

	if (n->len < g->keep) {
		size_t k = len < g->keep - n->len ? len : g->keep - n->len;

		memcpy(n->data + n->len, buf, k);
	}
	n->len += len;
	g->total += len;
	g->cpu_last_data = cpu_now();
	return 0;
}

static int run_mem(const void *buf, size_t len, const char *name,
                   const struct intake_limits *lim, unsigned depth,
                   struct unpack_budget *bud, struct got *g);

static int got_end(void *ctx, bool ok)
{
	struct got *g = ctx;
	size_t idx = g->cur;
	struct got_entry *n = &g->e[idx];
	size_t plen = strlen(n->path);

	n->ended = true;
	n->ok = ok;
	n->data[n->len < g->keep ? n->len : g->keep] = '\0';
	if (g->recurse && ok && plen > 4 && strcmp(n->path + plen - 4, ".zip") == 0) {
		/* Copy first: the recursion may move g->e. */
		size_t dlen = n->len < g->keep ? n->len : g->keep;
		char *copy = malloc(dlen + 1), *label = strdup(n->path);

		assert_non_null(copy);
		memcpy(copy, n->data, dlen);
		g->depth++;
		run_mem(copy, dlen, label, g->lim, g->depth, g->budget, g);
		g->depth--;
		free(copy);
		free(label);
	}
	return 0;
}

static void got_problem(void *ctx, const char *kind, const char *subject, const char *reason)
{
	struct got *g = ctx;
	struct got_problem *p;

	g->p = realloc(g->p, (g->np + 1) * sizeof(*g->p));
	assert_non_null(g->p);
	p = &g->p[g->np++];
	/* quoted to the clerk: always valid UTF-8, whatever the archive held */
	assert_true(names_is_utf8(subject, strlen(subject)));
	assert_true(names_is_utf8(reason, strlen(reason)));
	p->kind = strdup(kind);
	p->subject = strdup(subject != NULL ? subject : "");
	p->reason = strdup(reason);
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "  problem %s [%s] %s\n", kind, p->subject, reason);
}

static void got_init(struct got *g)
{
	memset(g, 0, sizeof(*g));
	g->keep = 1U << 20;
}

static void got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->ne; i++) {
		free(g->e[i].path);
		free(g->e[i].data);
	}
	for (i = 0; i < g->np; i++) {
		free(g->p[i].kind);
		free(g->p[i].subject);
		free(g->p[i].reason);
	}
	free(g->e);
	free(g->p);
	memset(g, 0, sizeof(*g));
}

static const struct got_entry *got_find(const struct got *g, const char *path)
{
	size_t i;

	for (i = 0; i < g->ne; i++)
		if (strcmp(g->e[i].path, path) == 0)
			return &g->e[i];
	return NULL;
}

/* Problems of a kind whose subject contains `needle` (NULL: any). */
static size_t got_count(const struct got *g, const char *kind, const char *needle)
{
	size_t i, n = 0;

	for (i = 0; i < g->np; i++)
		if (strcmp(g->p[i].kind, kind) == 0 &&
		    (needle == NULL || strstr(g->p[i].subject, needle) != NULL))
			n++;
	return n;
}

static int mem_fd(const void *buf, size_t len)
{
	int fd = memfd_create("archive", 0);
	size_t off = 0;

	assert_true(fd >= 0);
	while (off < len) {
		ssize_t n = write(fd, (const char *)buf + off, len - off);

		assert_true(n > 0);
		off += (size_t)n;
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int run_mem(const void *buf, size_t len, const char *name,
                   const struct intake_limits *lim, unsigned depth,
                   struct unpack_budget *bud, struct got *g)
{
	struct unpack_sink sink = { g, got_begin, got_data, got_end, got_problem };
	int fd = mem_fd(buf, len), r;

	r = unpack_fd(fd, name, depth, lim, bud, &sink);
	close(fd);
	return r;
}

static int run_simple(const void *buf, size_t len, const char *name, struct got *g)
{
	struct unpack_budget bud = { 0, 0, 0 };

	return run_mem(buf, len, name, NULL, 0, &bud, g);
}

/* ---- a minimal zip writer, for names and flags libarchive will not write */

static uint32_t crc32_buf(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t c = 0xFFFFFFFFu;

	while (n-- > 0) {
		c ^= *b++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

struct dbuf {
	unsigned char *p;
	size_t len, cap;
};

static void db_put(struct dbuf *d, const void *src, size_t n)
{
	if (d->cap - d->len < n) {
		while (d->cap - d->len < n)
			d->cap = d->cap ? d->cap * 2 : 4096;
		d->p = realloc(d->p, d->cap);
		assert_non_null(d->p);
	}
	memcpy(d->p + d->len, src, n);
	d->len += n;
}

static void db_u16(struct dbuf *d, unsigned v)
{
	unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	db_put(d, b, 2);
}

static void db_u32(struct dbuf *d, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8),
	                       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };

	db_put(d, b, 4);
}

struct zb {
	struct dbuf body, cd;
	unsigned count;
};

/* Traditional PKWARE encryption (what "zip -P" writes), APPNOTE 6.1. */
struct zcrypto {
	uint32_t k0, k1, k2;
};

static uint32_t crc_byte(uint32_t c, unsigned char b)
{
	c ^= b;
	for (int k = 0; k < 8; k++)
		c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	return c;
}

static void zc_update(struct zcrypto *z, unsigned char p)
{
	z->k0 = crc_byte(z->k0, p);
	z->k1 = (z->k1 + (z->k0 & 0xFF)) * 134775813u + 1;
	z->k2 = crc_byte(z->k2, (unsigned char)(z->k1 >> 24));
}

static unsigned char zc_byte(struct zcrypto *z, unsigned char p)
{
	uint32_t t = (z->k2 | 2) & 0xFFFF;
	unsigned char c = (unsigned char)(p ^ (unsigned char)((t * (t ^ 1)) >> 8));

	zc_update(z, p);
	return c;
}

/* 12-byte header (fixed "random" bytes: deterministic fixtures) + data. */
static unsigned char *zc_encrypt(const char *password, uint32_t crc, const void *data,
                                 size_t len, size_t *out_len)
{
	struct zcrypto z = { 0x12345678u, 0x23456789u, 0x34567890u };
	unsigned char *out = malloc(len + 12);
	size_t i;

	assert_non_null(out);
	for (const char *p = password; *p != '\0'; p++)
		zc_update(&z, (unsigned char)*p);
	for (i = 0; i < 11; i++)
		out[i] = zc_byte(&z, (unsigned char)(0x40 + i * 7));
	out[11] = zc_byte(&z, (unsigned char)(crc >> 24));
	for (i = 0; i < len; i++)
		out[12 + i] = zc_byte(&z, ((const unsigned char *)data)[i]);
	*out_len = len + 12;
	return out;
}

struct zopt {
	const char *password;    /* traditional encryption */
	unsigned flags;          /* general purpose flags: 0x800 UTF-8, 0x1 encrypted */
	unsigned mode;           /* Unix mode (made by Unix); 0 = DOS */
	const char *central;     /* central directory name if different */
	size_t central_len;
	bool bad_crc;
	const void *cextra;      /* central extra field */
	size_t cextra_len;
};

/* One stored entry; name is nlen raw bytes. */
static void zb_add(struct zb *z, const void *name, size_t nlen, const void *data, size_t dlen,
                   const struct zopt *o)
{
	static const struct zopt none;
	uint32_t crc, off = (uint32_t)z->body.len;
	const void *cname;
	size_t cnlen, usize = dlen;
	unsigned flags;
	unsigned char *sealed = NULL;

	if (o == NULL)
		o = &none;
	flags = o->flags;
	crc = crc32_buf(data, dlen) ^ (o->bad_crc ? 0x5A5A5A5Au : 0);
	if (o->password != NULL) {
		sealed = zc_encrypt(o->password, crc, data, dlen, &dlen);
		data = sealed;
		flags |= 1;
	}
	cname = o->central != NULL ? o->central : name;
	cnlen = o->central != NULL ? o->central_len : nlen;
	db_u32(&z->body, 0x04034b50);
	db_u16(&z->body, 20);
	db_u16(&z->body, flags);
	db_u16(&z->body, 0);                 /* stored */
	db_u16(&z->body, 0);
	db_u16(&z->body, 0x21);              /* 1980-01-01 */
	db_u32(&z->body, crc);
	db_u32(&z->body, (uint32_t)dlen);
	db_u32(&z->body, (uint32_t)usize);
	db_u16(&z->body, (unsigned)nlen);
	db_u16(&z->body, 0);
	db_put(&z->body, name, nlen);
	db_put(&z->body, data, dlen);

	db_u32(&z->cd, 0x02014b50);
	db_u16(&z->cd, o->mode ? 0x0314 : 0x0014);
	db_u16(&z->cd, 20);
	db_u16(&z->cd, flags);
	db_u16(&z->cd, 0);
	db_u16(&z->cd, 0);
	db_u16(&z->cd, 0x21);
	db_u32(&z->cd, crc);
	db_u32(&z->cd, (uint32_t)dlen);
	db_u32(&z->cd, (uint32_t)usize);
	db_u16(&z->cd, (unsigned)cnlen);
	db_u16(&z->cd, (unsigned)o->cextra_len);
	db_u16(&z->cd, 0);
	db_u16(&z->cd, 0);
	db_u16(&z->cd, 0);
	db_u32(&z->cd, (uint32_t)o->mode << 16);
	db_u32(&z->cd, off);
	db_put(&z->cd, cname, cnlen);
	if (o->cextra_len > 0)
		db_put(&z->cd, o->cextra, o->cextra_len);
	z->count++;
	free(sealed);
}

static void zb_str(struct zb *z, const char *name, const char *data, const struct zopt *o)
{
	zb_add(z, name, strlen(name), data, strlen(data), o);
}

/* The finished zip (malloc'd); z is reset. */
static unsigned char *zb_finish(struct zb *z, size_t *len_r)
{
	uint32_t cd_off = (uint32_t)z->body.len, cd_len = (uint32_t)z->cd.len;
	unsigned char *out;

	db_put(&z->body, z->cd.p, z->cd.len);
	db_u32(&z->body, 0x06054b50);
	db_u16(&z->body, 0);
	db_u16(&z->body, 0);
	db_u16(&z->body, z->count);
	db_u16(&z->body, z->count);
	db_u32(&z->body, cd_len);
	db_u32(&z->body, cd_off);
	db_u16(&z->body, 0);
	out = z->body.p;
	*len_r = z->body.len;
	free(z->cd.p);
	memset(z, 0, sizeof(*z));
	return out;
}

/* ---- libarchive's writer ------------------------------------------------ */

struct wentry {
	const char *path;       /* UTF-8 */
	const char *data;       /* NULL: empty */
	size_t len;             /* 0: strlen(data) */
	unsigned type;          /* AE_IF*, 0 = regular */
	const char *link;       /* symlink target or hardlink name */
	bool hardlink;
};

static ssize_t dbuf_write(struct archive *a, void *cd, const void *buf, size_t n)
{
	(void)a;
	db_put(cd, buf, n);
	return (ssize_t)n;
}

/* Write entries with format/filter into memory; deterministic (mtime fixed). */
static unsigned char *la_build(int format, int filter, const char *options,
                               const struct wentry *v, size_t n, size_t *len_r)
{
	struct archive *a = archive_write_new();
	struct dbuf d = { NULL, 0, 0 };
	size_t i;

	assert_non_null(a);
	assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
	if (filter != ARCHIVE_FILTER_NONE)
		assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
	/* no time stamp in the gzip header: fixtures stay byte-identical */
	if (filter == ARCHIVE_FILTER_GZIP)
		assert_int_equal(archive_write_set_filter_option(a, "gzip", "timestamp", NULL),
		                 ARCHIVE_OK);
	if (options != NULL)
		assert_int_equal(archive_write_set_options(a, options), ARCHIVE_OK);
	if (format == ARCHIVE_FORMAT_ZIP)
		assert_int_equal(archive_write_set_passphrase(a, "secret"), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	assert_int_equal(archive_write_open2(a, &d, NULL, dbuf_write, NULL, NULL), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = v[i].data == NULL ? 0 : v[i].len ? v[i].len : strlen(v[i].data);

		archive_entry_set_pathname_utf8(e, v[i].path);
		archive_entry_set_mtime(e, 1684454400, 0);   /* 2023-05-19 */
		if (v[i].hardlink) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink_utf8(e, v[i].link);
			archive_entry_set_size(e, 0);
			len = 0;
		} else {
			archive_entry_set_filetype(e, v[i].type ? v[i].type : AE_IFREG);
			if (v[i].type == AE_IFLNK)
				archive_entry_set_symlink_utf8(e, v[i].link);
			if (v[i].type == AE_IFCHR || v[i].type == AE_IFBLK)
				archive_entry_set_rdev(e, 0x0103);
			archive_entry_set_size(e, (int64_t)len);
		}
		archive_entry_set_perm(e, v[i].type == AE_IFDIR ? 0755 : 0644);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len > 0)
			assert_int_equal(archive_write_data(a, v[i].data, len), (ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*len_r = d.len;
	return d.p;
}

/* ---- corpora ------------------------------------------------------------ */

/* Decompress a .bz2 in memory (libarchive raw reader), at most 64 MiB. */
static char *bunzip2_mem(const char *buf, size_t len, size_t *len_r)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t cap = 1U << 20, n = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	archive_read_append_filter(a, ARCHIVE_FILTER_BZIP2);
	archive_read_support_format_raw(a);
	assert_int_equal(archive_read_open_memory(a, buf, len), ARCHIVE_OK);
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
	for (;;) {
		ssize_t r;

		if (cap - n < 65536) {
			assert_true(cap < (64U << 20));
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		r = archive_read_data(a, out + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	archive_read_free(a);
	*len_r = n;
	return out;
}

/* A corpus file as archive bytes: .uu decoded, .bz2 decompressed. */
static char *corpus_bytes(const char *path, size_t *len_r)
{
	size_t pl = strlen(path), len;
	char *buf;

	if (pl > 3 && strcmp(path + pl - 3, ".uu") == 0)
		buf = tu_uudecode_file(path, &len);
	else
		buf = tu_read_file(path, &len);
	if (buf == NULL)
		return NULL;
	if (pl > 4 && strcmp(path + pl - 4, ".bz2") == 0) {
		char *raw = bunzip2_mem(buf, len, &len);

		free(buf);
		buf = raw;
	}
	*len_r = len;
	return buf;
}

static char *corpus_path(const char *rel)
{
	return tu_printf("%s/archives/%s", tu_corpora(), rel);
}

/* Unpack one corpus file in-process with default limits. */
static int run_corpus(const char *rel, struct got *g)
{
	char *p = corpus_path(rel), *buf;
	const char *base = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
	size_t len;
	int r;

	buf = corpus_bytes(p, &len);
	if (buf == NULL)
		fail_msg("corpus file missing: %s", p);
	r = run_simple(buf, len, base, g);
	free(buf);
	free(p);
	return r;
}

/* ---- unpack_clean_path -------------------------------------------------- */

static void test_clean_path_table(void **state)
{
	static const struct {
		const char *in, *out;   /* out NULL: refused */
	} cases[] = {
		{ "a.txt", "a.txt" },
		{ "dir/a.txt", "dir/a.txt" },
		{ "dir\\a.txt", "dir/a.txt" },
		{ "./dir/./a.txt", "dir/a.txt" },
		{ "dir//a.txt", "dir/a.txt" },
		{ "dir/", "dir" },
		{ "衡阳市XX科技有限公司/1.申请表.docx", "衡阳市XX科技有限公司/1.申请表.docx" },
		{ "..a/b..", NULL },          /* Windows makes "b.." "b" */
		{ "a/b.pdf ", NULL },
		{ "CON", NULL },
		{ "x/nul.txt", NULL },
		{ "Com1.pdf", NULL },
		{ "lpt\xc2\xb9", NULL },        /* LPT¹ */
		{ "CONIN$", NULL },
		{ "aux /x.pdf", NULL },
		{ "CONSOLE.pdf", "CONSOLE.pdf" },
		{ "com10.pdf", "com10.pdf" },
		{ "a.b/c", "a.b/c" },
		{ "a..b.txt", "a..b.txt" },
		{ "...txt", "...txt" },
		{ "../x.txt", NULL },
		{ "../../x.txt", NULL },
		{ "a/../../x.txt", NULL },
		{ "a/..", NULL },
		{ "..", NULL },
		{ "..\\..\\evil.txt", NULL },
		{ "dir/..\\..\\evil.txt", NULL },
		{ "a/.../b", NULL },          /* Windows reads "..." as ".." */
		{ "a/.. /b", NULL },
		{ "/etc/passwd", NULL },
		{ "\\Windows\\x", NULL },
		{ "\\\\server\\share\\x", NULL },
		{ "C:\\Windows\\x.txt", NULL },
		{ "c:x.txt", NULL },
		{ "C:/x", NULL },
		{ "", NULL },
		{ ".", NULL },
		{ "./", NULL },
		{ "//", NULL },
		{ "a\x01.txt", NULL },
		{ "a\x7f.txt", NULL },
		{ "a\xc2\x85.txt", NULL },                  /* U+0085 */
		{ "营业执照\xe2\x80\xae" "fdp.exe", NULL }, /* U+202E */
		{ "bad\xff.txt", NULL },                    /* not UTF-8 */
		{ "a\xc0\xaf.txt", NULL },                  /* overlong '/' */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = "unset";
		char *out = unpack_clean_path(cases[i].in, &why);

		if (cases[i].out == NULL) {
			if (out != NULL)
				fail_msg("case %zu \"%s\": expected refusal, got \"%s\"", i, cases[i].in, out);
			assert_non_null(why);
			assert_true(strlen(why) > 0);
		} else {
			if (out == NULL)
				fail_msg("case %zu \"%s\": refused (%s)", i, cases[i].in, why);
			assert_string_equal(out, cases[i].out);
			assert_null(why);
		}
		free(out);
	}
	assert_null(unpack_clean_path(NULL, NULL));
}

static void test_clean_path_lengths(void **state)
{
	char name[1200], *out;
	const char *why;
	size_t i;

	(void)state;
	/* 255 characters in one component is Windows' limit, not 255 bytes. */
	for (i = 0; i < 255; i++)
		memcpy(name + i * 3, "证", 3);
	name[255 * 3] = '\0';
	out = unpack_clean_path(name, &why);
	assert_non_null(out);
	free(out);
	memcpy(name + 255 * 3, "证", 4);
	assert_null(unpack_clean_path(name, &why));
	assert_non_null(why);
	/* Many short components are fine. */
	for (i = 0; i < 400; i++)
		memcpy(name + i * 2, "a/", 2);
	memcpy(name + 800, "z", 2);
	out = unpack_clean_path(name, &why);
	assert_non_null(out);
	assert_int_equal(strlen(out), 801);
	free(out);
}

/* ---- names -------------------------------------------------------------- */

/* "营业执照副本.pdf" etc. as Windows Explorer on a Chinese system stores
 * them: GBK bytes, UTF-8 flag clear, no Unicode Path extra field. */
static unsigned char *gbk_zip(size_t *len)
{
	struct zb z = { { 0 }, { 0 }, 0 };

	/* 营业执照副本.pdf */
	zb_str(&z, "\xd3\xaa\xd2\xb5\xd6\xb4\xd5\xd5\xb8\xb1\xb1\xbe.pdf", "%PDF-1.4 license", NULL);
	/* 衡阳市XX科技有限公司/1.申请表.docx */
	zb_str(&z, "\xba\xe2\xd1\xf4\xca\xd0XX\xbf\xc6\xbc\xbc\xd3\xd0\xcf\xde\xb9\xab\xcb\xbe/"
	           "1.\xc9\xea\xc7\xeb\xb1\xed.docx", "application form", NULL);
	/* 運輸許可證.pdf: 運 is DF 5C, a '\\' trail byte, and no '/' in the name */
	zb_str(&z, "\xdf\x5c\xdd\x94\xd4\x53\xbf\xc9\xd7\x43.pdf", "permit", NULL);
	/* a name that is valid UTF-8 but written without the flag (7-Zip on Linux) */
	zb_str(&z, "\xe6\x89\xbf\xe8\xaf\xba\xe4\xb9\xa6.txt", "promise", NULL);
	return zb_finish(&z, len);
}

static void test_zip_gbk_names(void **state)
{
	struct got g;
	size_t len;
	unsigned char *zip = gbk_zip(&len);
	const struct got_entry *e;

	(void)state;
	got_init(&g);
	assert_int_equal(run_simple(zip, len, "申报材料.zip", &g), 0);
	assert_int_equal(g.ne, 4);
	assert_int_equal(g.np, 0);
	e = got_find(&g, "营业执照副本.pdf");
	assert_non_null(e);
	assert_true(e->legacy);
	assert_false(e->lossy);
	assert_true(e->ok);
	assert_string_equal(e->data, "%PDF-1.4 license");
	e = got_find(&g, "衡阳市XX科技有限公司/1.申请表.docx");
	assert_non_null(e);
	assert_string_equal(e->data, "application form");
	e = got_find(&g, "運輸許可證.pdf");   /* one component: 0x5C was not a separator */
	assert_non_null(e);
	assert_string_equal(e->data, "permit");
	e = got_find(&g, "承诺书.txt");
	assert_non_null(e);
	assert_false(e->legacy);
	got_free(&g);
	free(zip);
}

static void test_zip_utf8_flag(void **state)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	struct zopt utf8 = { .flags = 0x800 };
	struct got g;
	size_t len;
	unsigned char *zip;
	const struct got_entry *e;

	(void)state;
	zb_str(&z, "衡阳市/营业执照.pdf", "pdf bytes", &utf8);
	zb_str(&z, "plain.txt", "ascii", NULL);
	zip = zb_finish(&z, &len);
	got_init(&g);
	assert_int_equal(run_simple(zip, len, "utf8.zip", &g), 0);
	assert_int_equal(g.ne, 2);
	e = got_find(&g, "衡阳市/营业执照.pdf");
	assert_non_null(e);
	assert_false(e->legacy);
	assert_string_equal(e->data, "pdf bytes");
	assert_int_equal(e->declared, 9);
	got_free(&g);
	free(zip);
}

/* The central directory says "../evil.txt", the local header "evil.txt":
 * Explorer shows one, libarchive reads the other. */
static void test_zip_central_local_mismatch(void **state)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	struct zopt o = { .central = "../evil.txt", .central_len = 11 };
	struct got g;
	size_t len;
	unsigned char *zip;

	(void)state;
	zb_str(&z, "good.txt", "good", NULL);
	zb_str(&z, "evil.txt", "evil", &o);
	zip = zb_finish(&z, &len);
	got_init(&g);
	assert_int_equal(run_simple(zip, len, "m.zip", &g), 0);
	assert_int_equal(g.ne, 1);
	assert_non_null(got_find(&g, "good.txt"));
	assert_int_equal(got_count(&g, PROB_PATH_REFUSED, "m.zip/evil.txt"), 1);
	assert_non_null(strstr(g.p[0].reason, "../evil.txt"));
	got_free(&g);
	free(zip);
}

/* Info-ZIP Unicode Path field whose CRC covers a name libarchive cuts at NUL. */
static void test_zip_unicode_path_field(void **state)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	unsigned char name[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, x[64];
	const char *u = "七个房间.txt";
	size_t ul = strlen(u), len;
	uint32_t crc = crc32_buf(name, sizeof(name));
	struct zopt o = { .flags = 0x800, .cextra = x, .cextra_len = 9 + ul };
	struct got g;
	unsigned char *zip;

	(void)state;
	x[0] = 0x75; x[1] = 0x70; x[2] = (unsigned char)(5 + ul); x[3] = 0;
	x[4] = 1;
	x[5] = (unsigned char)crc; x[6] = (unsigned char)(crc >> 8);
	x[7] = (unsigned char)(crc >> 16); x[8] = (unsigned char)(crc >> 24);
	memcpy(x + 9, u, ul);
	zb_add(&z, name, sizeof(name), "rooms", 5, &o);
	zip = zb_finish(&z, &len);
	got_init(&g);
	assert_int_equal(run_simple(zip, len, "u.zip", &g), 0);
	assert_int_equal(g.ne, 1);
	assert_string_equal(g.e[0].path, "七个房间.txt");
	assert_string_equal(g.e[0].data, "rooms");
	got_free(&g);
	free(zip);
}

/* ---- formats -------------------------------------------------------------- */

static const struct wentry dossier[] = {
	{ .path = "衡阳市XX科技有限公司/营业执照副本.pdf", .data = "%PDF-1.7 scan" },
	{ .path = "衡阳市XX科技有限公司/1.申请表.docx", .data = "docx bytes" },
	{ .path = "说明.txt", .data = "县级推荐意见" },
};

static void check_dossier(const struct got *g)
{
	const struct got_entry *e;

	assert_int_equal(g->np, 0);
	assert_int_equal(g->ne, 3);
	e = got_find(g, "衡阳市XX科技有限公司/营业执照副本.pdf");
	assert_non_null(e);
	assert_true(e->ok);
	assert_string_equal(e->data, "%PDF-1.7 scan");
	e = got_find(g, "说明.txt");
	assert_non_null(e);
	assert_string_equal(e->data, "县级推荐意见");
}

static void run_built(int format, int filter, const char *name)
{
	struct got g;
	size_t len;
	unsigned char *buf = la_build(format, filter, NULL, dossier, 3, &len);

	got_init(&g);
	assert_int_equal(run_simple(buf, len, name, &g), 0);
	check_dossier(&g);
	got_free(&g);
	free(buf);
}

static void test_7z(void **state)
{
	(void)state;
	run_built(ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, "a.7z");
}

static void test_tar_gz(void **state)
{
	(void)state;
	run_built(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, "a.tar.gz");
}

static void test_tar_bz2(void **state)
{
	(void)state;
	run_built(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_BZIP2, "a.tar.bz2");
}

static void test_tar_xz(void **state)
{
	(void)state;
	run_built(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_XZ, "a.tar.xz");
}

static void test_zip_deflate_libarchive(void **state)
{
	(void)state;
	run_built(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "a.zip");
}

/* The same zip read from a pipe: streamed, no seeking. */
static void test_zip_from_pipe(void **state)
{
	struct got g;
	struct unpack_budget bud = { 0, 0, 0 };
	struct unpack_sink sink = { &g, got_begin, got_data, got_end, got_problem };
	size_t len;
	unsigned char *buf = la_build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, dossier, 3, &len);
	int p[2];
	pid_t pid;

	(void)state;
	assert_true(len < 60000);     /* fits the pipe buffer */
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(write(p[1], buf, len) == (ssize_t)len ? 0 : 1);
	}
	close(p[1]);
	got_init(&g);
	assert_int_equal(unpack_fd(p[0], "pipe.zip", 0, NULL, &bud, &sink), 0);
	check_dossier(&g);
	close(p[0]);
	waitpid(pid, NULL, 0);
	got_free(&g);
	free(buf);
}

static void test_rar4_and_rar5_corpora(void **state)
{
	static const char *const files[] = {
		"recursiveextractor/archives/TestData.rar",    /* RAR5 */
		"recursiveextractor/archives/TestData.rar4",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct got g;
		const struct got_entry *e;

		got_init(&g);
		assert_int_equal(run_corpus(files[i], &g), 0);
		/* RecursiveExtractor expects 3 files in each. */
		assert_int_equal(g.ne, 3);
		assert_int_equal(g.np, 0);
		e = got_find(&g, "TestData/Foo/Bar/Lorem.txt");
		assert_non_null(e);
		assert_true(e->ok);
		assert_int_equal(e->len, 4148);
		assert_memory_equal(e->data, "Lorem ipsum", 11);
		got_free(&g);
	}
}

static void test_rar5_libarchive_samples(void **state)
{
	struct got g;
	const struct got_entry *e;

	(void)state;
	got_init(&g);
	assert_int_equal(run_corpus("libarchive/test_read_format_rar5_multiple_files.rar.uu", &g), 0);
	assert_int_equal(g.ne, 4);
	for (size_t i = 0; i < g.ne; i++) {
		assert_true(g.e[i].ok);
		assert_int_equal(g.e[i].len, 4096);
	}
	got_free(&g);

	got_init(&g);
	assert_int_equal(run_corpus("libarchive/test_read_format_rar5_stored.rar.uu", &g), 0);
	assert_int_equal(g.ne, 1);
	e = got_find(&g, "helloworld.txt");
	assert_non_null(e);
	assert_string_equal(e->data, "hello libarchive test suite!\n");
	got_free(&g);

	/* solid RAR5, several entries decoded in sequence */
	got_init(&g);
	assert_int_equal(run_corpus("libarchive/test_read_format_rar5_solid.rar.uu", &g), 0);
	assert_true(g.ne >= 5);
	assert_int_equal(g.np, 0);
	got_free(&g);
}

/* ---- nesting ------------------------------------------------------------ */

static unsigned char *nested_zip(unsigned levels, size_t *len_r)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	unsigned char *cur;
	size_t len;

	zb_str(&z, "leaf.txt", "the document", NULL);
	cur = zb_finish(&z, &len);
	for (unsigned i = 1; i < levels; i++) {
		char name[32];
		unsigned char *outer;

		snprintf(name, sizeof(name), "level%u.zip", levels - i);
		zb_str(&z, "readme.txt", "outer", NULL);
		zb_add(&z, name, strlen(name), cur, len, NULL);
		outer = zb_finish(&z, &len);
		free(cur);
		cur = outer;
	}
	*len_r = len;
	return cur;
}

static void test_depth_limit(void **state)
{
	struct intake_limits lim = { .archive_depth = 3 };
	struct unpack_budget bud = { 0, 0, 0 };
	struct got g;
	size_t len;
	unsigned char *zip = nested_zip(6, &len);

	(void)state;
	/* The caller recurses; the outermost archive is depth 1 here. */
	got_init(&g);
	g.recurse = true;
	g.lim = &lim;
	g.budget = &bud;
	g.depth = 1;
	assert_int_equal(run_mem(zip, len, "outer.zip", &lim, 1, &bud, &g), 0);
	/* depths 1, 2, 3 are read, depth 4 is refused */
	assert_int_equal(got_count(&g, PROB_ARCHIVE_DEPTH, NULL), 1);
	assert_null(got_find(&g, "leaf.txt"));
	assert_non_null(got_find(&g, "level3.zip"));
	assert_null(got_find(&g, "level4.zip"));
	got_free(&g);

	/* One depth problem per message, however many archives are too deep
	 * (42.zip has 65,536 at its 5th level): a fresh budget is a new message. */
	assert_int_equal(bud.depth_refused, 1);
	bud.depth_refused = 0;
	/* Directly: depth > archive_depth is refused before reading. */
	got_init(&g);
	assert_int_equal(run_mem(zip, len, "deep.zip", &lim, 4, &bud, &g), -1);
	assert_int_equal(g.ne, 0);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_DEPTH, "deep.zip"), 1);
	got_free(&g);
	got_init(&g);
	assert_int_equal(run_mem(zip, len, "ok.zip", &lim, 3, &bud, &g), 0);
	assert_int_equal(g.ne, 2);
	got_free(&g);
	free(zip);
}

/* ---- encryption ----------------------------------------------------------- */

static void test_zip_encrypted_entry(void **state)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	struct zopt secret = { .password = "1234", .flags = 0x800 };
	struct zopt utf8 = { .flags = 0x800 };
	struct got g;
	size_t len;
	unsigned char *zip;

	(void)state;
	zb_str(&z, "公开.txt", "public", &utf8);
	zb_str(&z, "密码.txt", "secret data", &secret);
	zb_str(&z, "后面.txt", "after", &utf8);
	zip = zb_finish(&z, &len);
	got_init(&g);
	assert_int_equal(run_simple(zip, len, "mixed.zip", &g), 0);
	assert_int_equal(g.ne, 2);
	assert_string_equal(got_find(&g, "公开.txt")->data, "public");
	assert_string_equal(got_find(&g, "后面.txt")->data, "after");
	assert_null(got_find(&g, "密码.txt"));
	assert_int_equal(g.np, 1);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_ENCRYPTED, "mixed.zip/密码.txt"), 1);
	assert_non_null(strstr(g.p[0].reason, "已加密"));
	got_free(&g);
	free(zip);

	/* a whole archive encrypted by libarchive's writer */
	{
		static const struct wentry v[] = {
			{ .path = "营业执照.pdf", .data = "%PDF" },
			{ .path = "申请表.docx", .data = "docx" },
		};

		zip = la_build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "zip:encryption=traditional",
		               v, 2, &len);
		got_init(&g);
		assert_int_equal(run_simple(zip, len, "all.zip", &g), 0);
		assert_int_equal(g.ne, 0);
		assert_int_equal(got_count(&g, PROB_ARCHIVE_ENCRYPTED, NULL), 2);
		got_free(&g);
		free(zip);
	}

	/* Info-ZIP "zip -P" and WinZip AES samples */
	got_init(&g);
	assert_int_equal(run_corpus("adm-zip/assets_issue-471-infozip-encrypted.zip", &g), 0);
	assert_int_equal(g.ne, 0);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_ENCRYPTED, NULL), 1);
	got_free(&g);
	got_init(&g);
	assert_int_equal(run_corpus("recursiveextractor/archives/TestDataEncryptedAES.zip", &g), 0);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_ENCRYPTED, NULL), 3);
	got_free(&g);
}

static void test_header_encrypted(void **state)
{
	static const char *const files[] = {
		"libarchive/test_read_format_7zip_encryption_header.7z.uu",
		"recursiveextractor/archives/TestDataEncrypted.7z",
		"libarchive/test_read_format_rar_encryption_header.rar.uu",
		"libarchive/test_read_format_rar5_encrypted_filenames.rar.uu",
		"libarchive/test_read_format_zip_encryption_header.zip.uu",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct got g;

		got_init(&g);
		assert_int_equal(run_corpus(files[i], &g), -1);
		if (got_count(&g, PROB_ARCHIVE_ENCRYPTED, NULL) != 1)
			fail_msg("%s: expected one encrypted problem", files[i]);
		assert_int_equal(g.ne, 0);
		got_free(&g);
	}
}

/* RAR5 encrypted data is not flagged by libarchive 3.6.2. */
static void test_rar5_encrypted_data(void **state)
{
	struct got g;

	(void)state;
	got_init(&g);
	assert_int_equal(run_corpus("libarchive/test_read_format_rar5_encrypted.rar.uu", &g), -1);
	assert_string_equal(got_find(&g, "a.txt")->data, "This is from a.txt");
	assert_int_equal(got_count(&g, PROB_ARCHIVE_ENCRYPTED, NULL), 1);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_CORRUPT, NULL), 0);
	/* the partly delivered entry is marked not ok */
	assert_false(got_find(&g, "b.txt")->ok);
	got_free(&g);

	got_init(&g);
	assert_int_equal(run_corpus("recursiveextractor/archives/TestDataEncrypted.rar", &g), -1);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_ENCRYPTED, NULL), 1);
	got_free(&g);
}

/* ---- refused entries ------------------------------------------------------ */

static void test_zip_path_escapes(void **state)
{
	static const char *const bad[] = {
		"../../evil1.txt", "/etc/evil2.txt", "C:\\Windows\\evil3.txt",
		"..\\..\\evil4.txt", "dir/..\\..\\evil5.txt", "C:/evil6.txt",
		"ok/../../evil7.txt", "\\\\host\\share\\evil8.txt",
	};
	struct zb z = { { 0 }, { 0 }, 0 };
	struct zopt link = { .mode = 0120777 };
	struct got g;
	size_t len, i;
	unsigned char *zip;

	(void)state;
	zb_str(&z, "good.txt", "good", NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		zb_str(&z, bad[i], "evil", NULL);
	zb_str(&z, "link-to-passwd", "/etc/passwd", &link);
	zb_str(&z, "dir/sub/fine.txt", "fine", NULL);
	zip = zb_finish(&z, &len);
	got_init(&g);
	assert_int_equal(run_simple(zip, len, "slip.zip", &g), 0);
	assert_int_equal(g.ne, 2);
	assert_non_null(got_find(&g, "good.txt"));
	assert_non_null(got_find(&g, "dir/sub/fine.txt"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *subject = tu_printf("slip.zip/%s", bad[i]);

		/* libarchive turns '\\' into '/' in a name without any '/' */
		if (strchr(bad[i], '/') == NULL)
			for (char *c = subject; *c != '\0'; c++)
				if (*c == '\\')
					*c = '/';
		if (got_count(&g, PROB_PATH_REFUSED, subject) != 1)
			fail_msg("no path-refused problem for %s", bad[i]);
		free(subject);
	}
	assert_int_equal(got_count(&g, PROB_LINK_REFUSED, "slip.zip/link-to-passwd"), 1);
	assert_int_equal(g.np, sizeof(bad) / sizeof(bad[0]) + 1);
	/* reasons name the entry, in Chinese */
	assert_non_null(strstr(g.p[0].reason, "“../../evil1.txt”"));
	assert_non_null(strstr(g.p[0].reason, "路径越出目录"));
	got_free(&g);
	free(zip);
}

static void test_long_and_undecodable_names(void **state)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	char longname[1500];
	struct got g;
	size_t len;
	unsigned char *zip;
	const struct got_entry *e;

	(void)state;
	/* 700 x GBK 中: 1400 bytes stored, 2100 once decoded */
	for (size_t i = 0; i + 6 < sizeof(longname); i += 2)
		memcpy(longname + i, "\xd6\xd0", 2);
	memcpy(longname + sizeof(longname) - 6, ".txt", 5);
	zb_str(&z, longname, "long", NULL);
	zb_str(&z, "\xff\xd6\xd0.txt", "bad bytes", NULL);   /* FF is not GB18030 */
	zb_str(&z, "ok.txt", "ok", NULL);
	zip = zb_finish(&z, &len);
	got_init(&g);
	assert_int_equal(run_simple(zip, len, "names.zip", &g), 0);
	assert_int_equal(got_count(&g, PROB_PATH_REFUSED, NULL), 1);
	assert_non_null(strstr(g.p[0].reason, "文件名过长"));
	/* the quoted name is cut, the reason stays short */
	assert_true(strlen(g.p[0].reason) < 400);
	assert_int_equal(g.ne, 2);
	e = got_find(&g, "ok.txt");
	assert_non_null(e);
	/* undecodable bytes become U+FFFD and the entry says so */
	e = &g.e[0];
	assert_true(e->lossy);
	assert_non_null(strstr(e->path, "\xef\xbf\xbd"));
	assert_non_null(strstr(e->path, "中.txt"));
	got_free(&g);
	free(zip);
}

static void test_tar_links_and_devices(void **state)
{
	static const struct wentry v[] = {
		{ .path = "good.txt", .data = "good" },
		{ .path = "sym", .type = AE_IFLNK, .link = "../../etc/passwd" },
		{ .path = "hard", .hardlink = true, .link = "good.txt" },
		{ .path = "abs-hard", .hardlink = true, .link = "/etc/shadow" },
		{ .path = "tty", .type = AE_IFCHR },
		{ .path = "disk", .type = AE_IFBLK },
		{ .path = "pipe", .type = AE_IFIFO },
		{ .path = "dir", .type = AE_IFDIR },
		{ .path = "dir/after.txt", .data = "after" },
		{ .path = "/abs.txt", .data = "abs" },
	};
	struct got g;
	size_t len;
	unsigned char *tar = la_build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, NULL,
	                              v, sizeof(v) / sizeof(v[0]), &len);

	(void)state;
	got_init(&g);
	assert_int_equal(run_simple(tar, len, "s.tar", &g), 0);
	assert_int_equal(g.ne, 2);
	assert_string_equal(got_find(&g, "good.txt")->data, "good");
	assert_string_equal(got_find(&g, "dir/after.txt")->data, "after");
	assert_int_equal(got_count(&g, PROB_LINK_REFUSED, "s.tar/sym"), 1);
	assert_int_equal(got_count(&g, PROB_LINK_REFUSED, "s.tar/hard"), 1);
	assert_int_equal(got_count(&g, PROB_LINK_REFUSED, "s.tar/abs-hard"), 1);
	assert_int_equal(got_count(&g, PROB_SPECIAL_REFUSED, "s.tar/tty"), 1);
	assert_int_equal(got_count(&g, PROB_SPECIAL_REFUSED, "s.tar/disk"), 1);
	assert_int_equal(got_count(&g, PROB_SPECIAL_REFUSED, "s.tar/pipe"), 1);
	assert_int_equal(got_count(&g, PROB_PATH_REFUSED, "s.tar//abs.txt"), 1);
	assert_int_equal(g.np, 7);          /* the directory is silent */
	got_free(&g);
	free(tar);
}

/* ---- bombs ---------------------------------------------------------------- */

/* A deflated zip of `mib` MiB of zeros written to a temp file; its fd. */
static int zero_zip_fd(const char *dir, unsigned mib, off_t *size_r)
{
	char *path = tu_printf("%s/zeros.zip", dir);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	static char zeros[1U << 20];
	struct stat st;
	int fd;

	archive_write_set_format_zip(a);
	assert_int_equal(archive_write_set_options(a, "zip:compression=deflate"), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_entry_set_pathname(e, "zeros.bin");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (int64_t)mib << 20);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	for (unsigned i = 0; i < mib; i++)
		assert_int_equal(archive_write_data(a, zeros, sizeof(zeros)), (ssize_t)sizeof(zeros));
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	*size_r = st.st_size;
	free(path);
	return fd;
}

static void test_zip_bomb_300mb(void **state)
{
	char *dir = tu_tempdir();
	off_t size;
	int fd = zero_zip_fd(dir, 300, &size);
	struct got g;
	struct unpack_budget bud = { 0, 0, 0 };
	struct unpack_sink sink = { &g, got_begin, got_data, got_end, got_problem };
	struct intake_limits lim = { .entry_bytes = 100ULL << 20, .ratio = 1000000 };
	double t0, t1;

	(void)state;
	assert_true(size < 2000000);
	/* Default limits: the 200:1 ratio stops it long before 300 MB. */
	got_init(&g);
	g.keep = 16;
	t0 = cpu_now();
	assert_int_equal(unpack_fd(fd, "zeros.zip", 0, NULL, &bud, &sink), -1);
	t1 = cpu_now();
	assert_int_equal(got_count(&g, PROB_ARCHIVE_BOMB, "zeros.zip"), 1);
	assert_non_null(strstr(g.p[0].reason, "200"));
	/* never beyond the ratio, and not stopped early either */
	assert_true(g.total <= 200ULL * (uint64_t)size);
	assert_true(g.total > 200ULL * (uint64_t)size - (1U << 20));
	assert_int_equal(g.ne, 1);
	assert_true(g.e[0].ended);
	assert_false(g.e[0].ok);
	assert_true(t1 - g.cpu_last_data < 0.5);
	printf("  300 MB zip bomb, default limits: stopped after %llu bytes, %.3f s CPU, "
	       "%.4f s after the last block\n", (unsigned long long)g.total, t1 - t0,
	       t1 - g.cpu_last_data);
	got_free(&g);

	/* Ratio out of the way: the per-entry cap stops it at exactly <= 100 MiB. */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	memset(&bud, 0, sizeof(bud));
	got_init(&g);
	g.keep = 16;
	t0 = cpu_now();
	assert_int_equal(unpack_fd(fd, "zeros.zip", 0, &lim, &bud, &sink), -1);
	t1 = cpu_now();
	assert_int_equal(got_count(&g, PROB_ARCHIVE_BOMB, "zeros.zip/zeros.bin"), 1);
	assert_true(g.total <= lim.entry_bytes);
	assert_true(g.total > lim.entry_bytes - (1U << 20));
	assert_int_equal(bud.bytes_out, g.total);
	printf("  300 MB zip bomb, 100 MiB entry cap: %llu bytes, %.3f s CPU\n",
	       (unsigned long long)g.total, t1 - t0);
	got_free(&g);

	/* The shared budget: 150 MiB already spent elsewhere in the message. */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	bud.bytes_out = 150ULL << 20;
	bud.entries = 0;
	lim.uncompressed_bytes = 200ULL << 20;
	lim.entry_bytes = 0;
	got_init(&g);
	g.keep = 16;
	assert_int_equal(unpack_fd(fd, "zeros.zip", 0, &lim, &bud, &sink), -1);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_BOMB, NULL), 1);
	assert_true(g.total <= 50ULL << 20);
	assert_true(bud.bytes_out <= lim.uncompressed_bytes);
	got_free(&g);
	close(fd);
	tu_rmrf(dir);
	free(dir);
}

/* A bomb that the sink skips must not cost unbounded CPU either. */
static void test_skipped_bomb_entry_is_bounded(void **state)
{
	char *dir = tu_tempdir();
	off_t size;
	int fd = zero_zip_fd(dir, 300, &size);
	struct got g;
	struct unpack_budget bud = { 0, 0, 0 };
	struct unpack_sink sink = { &g, got_begin, got_data, got_end, got_problem };

	(void)state;
	got_init(&g);
	g.skip_all = true;
	assert_int_equal(unpack_fd(fd, "zeros.zip", 0, NULL, &bud, &sink), -1);
	assert_int_equal(g.ne, 0);
	assert_int_equal(bud.bytes_out, 0);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_BOMB, NULL), 1);
	got_free(&g);
	close(fd);
	tu_rmrf(dir);
	free(dir);
}

/* Fifty 300 KB files that compress 300:1 are fine: the floor protects
 * small honest archives; 12 MiB of incompressible data is fine too. */
static void test_ratio_floor_and_honest_data(void **state)
{
	struct wentry v[2];
	char *text = malloc(300000), *rnd = malloc(12U << 20);
	uint32_t x = 12345;
	struct got g;
	size_t len, i;
	unsigned char *zip;

	(void)state;
	assert_non_null(text);
	assert_non_null(rnd);
	memset(text, 'a', 300000);
	for (i = 0; i < (12U << 20); i++) {
		x = x * 1103515245u + 12345u;
		rnd[i] = (char)(x >> 23);
	}
	memset(v, 0, sizeof(v));
	v[0].path = "repetitive.txt";
	v[0].data = text;
	v[0].len = 300000;
	v[1].path = "scan.bin";
	v[1].data = rnd;
	v[1].len = 12U << 20;
	zip = la_build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, v, 2, &len);
	got_init(&g);
	g.keep = 16;
	assert_int_equal(run_simple(zip, len, "honest.zip", &g), 0);
	assert_int_equal(g.np, 0);
	assert_int_equal(g.ne, 2);
	assert_int_equal(got_find(&g, "scan.bin")->len, 12U << 20);
	got_free(&g);
	free(zip);
	free(text);
	free(rnd);
}

static void test_corpora_bombs(void **state)
{
	static const char *const files[] = {
		"recursiveextractor/bombs/zbsm.zip",
		"recursiveextractor/bombs/10GB.zip.bz2",
		"recursiveextractor/bombs/10GB.7z.bz2",
		"recursiveextractor/bombs/10GB.rar.bz2",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct got g;
		double t0, t1;

		got_init(&g);
		g.keep = 16;
		t0 = cpu_now();
		assert_int_equal(run_corpus(files[i], &g), -1);
		t1 = cpu_now();
		if (got_count(&g, PROB_ARCHIVE_BOMB, NULL) != 1)
			fail_msg("%s: no bomb problem", files[i]);
		/* never more than the per-entry cap, whatever the header says */
		assert_true(g.total <= LIMIT_DEF_ENTRY_BYTES);
		/* zbsm.zip (overlapping entries) stops before any data. */
		assert_true(t1 - (g.total > 0 ? g.cpu_last_data : t0) < 0.5);
		printf("  %s: stopped after %llu bytes, %.2f s CPU, %.4f s after the last block\n",
		       files[i], (unsigned long long)g.total, t1 - t0, t1 - g.cpu_last_data);
		got_free(&g);
	}
}

static void test_entry_count_limit(void **state)
{
	struct wentry v[50];
	char names[50][16];
	struct intake_limits lim = { .archive_entries = 20 };
	struct unpack_budget bud = { 0, 0, 0 };
	struct got g;
	size_t len, i;
	unsigned char *tgz;

	(void)state;
	memset(v, 0, sizeof(v));
	for (i = 0; i < 50; i++) {
		snprintf(names[i], sizeof(names[i]), "f%02zu.txt", i);
		v[i].path = names[i];
		v[i].data = "x";
	}
	tgz = la_build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, NULL, v, 50, &len);
	got_init(&g);
	assert_int_equal(run_mem(tgz, len, "many.tar.gz", &lim, 0, &bud, &g), -1);
	assert_int_equal(g.ne, 20);
	assert_int_equal(bud.entries, 20);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_BOMB, "many.tar.gz"), 1);
	got_free(&g);

	/* shared: 15 entries already counted in this message */
	bud.entries = 15;
	got_init(&g);
	assert_int_equal(run_mem(tgz, len, "many.tar.gz", &lim, 0, &bud, &g), -1);
	assert_int_equal(g.ne, 5);
	got_free(&g);

	/* exactly at the limit is fine */
	bud.entries = 0;
	lim.archive_entries = 50;
	got_init(&g);
	assert_int_equal(run_mem(tgz, len, "many.tar.gz", &lim, 0, &bud, &g), 0);
	assert_int_equal(g.ne, 50);
	got_free(&g);
	free(tgz);
}

/* liblzma reserves the declared dictionary up front: under the worker's
 * RLIMIT_AS that is a problem, not a crash. */
static unsigned char *xz_big_dict_tar(size_t *len_r)
{
	static const struct wentry v[] = { { .path = "a.txt", .data = "hello hello hello" } };
	unsigned char *buf = la_build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_XZ,
	                              "xz:compression-level=0", v, 1, len_r);
	size_t hsize, i;
	uint32_t crc;

	/* Block header after the 12-byte stream header: size byte, flags,
	 * optional sizes, then filter 0x21 (LZMA2), props size 1, props. */
	hsize = ((size_t)buf[12] + 1) * 4;
	assert_true(*len_r > 12 + hsize);
	i = 14;
	if (buf[13] & 0x40)
		while (buf[i++] & 0x80)
			;
	if (buf[13] & 0x80)
		while (buf[i++] & 0x80)
			;
	assert_int_equal(buf[i], 0x21);
	assert_int_equal(buf[i + 1], 1);
	buf[i + 2] = 36;           /* dictionary 2^(36/2 + 12) = 1 GiB */
	crc = crc32_buf(buf + 12, hsize - 4);
	buf[12 + hsize - 4] = (unsigned char)crc;
	buf[12 + hsize - 3] = (unsigned char)(crc >> 8);
	buf[12 + hsize - 2] = (unsigned char)(crc >> 16);
	buf[12 + hsize - 1] = (unsigned char)(crc >> 24);
	return buf;
}

static void test_xz_dictionary_under_rlimit(void **state)
{
	size_t len;
	unsigned char *xz;
	int p[2], status;
	pid_t pid;
	char out[512] = "";
	ssize_t n;

	(void)state;
	if (TU_ASAN) {
		/* ASan reserves terabytes of shadow: RLIMIT_AS cannot be used. */
		printf("  (skipped under AddressSanitizer: RLIMIT_AS)\n");
		skip();
		return;
	}
	xz = xz_big_dict_tar(&len);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 400ULL << 20, 400ULL << 20 };
		struct got g;
		int r;

		close(p[0]);
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(3);
		got_init(&g);
		r = run_simple(xz, len, "big-dict.tar.xz", &g);
		dprintf(p[1], "%d %zu %s\n", r, g.ne, g.np > 0 ? g.p[0].kind : "none");
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(n > 0);
	out[n] = '\0';
	printf("  1 GiB xz dictionary under RLIMIT_AS 400 MB: %s", out);
	assert_string_equal(out, "-1 0 archive-bomb\n");
	free(xz);
}

/* ---- damage ---------------------------------------------------------------- */

static void test_truncated_zip(void **state)
{
	struct wentry v[2];
	char *rnd = malloc(200000);
	uint32_t x = 99;
	struct got g;
	size_t len, i;
	unsigned char *zip;

	(void)state;
	assert_non_null(rnd);
	for (i = 0; i < 200000; i++) {
		x = x * 1103515245u + 12345u;
		rnd[i] = (char)(x >> 23);
	}
	memset(v, 0, sizeof(v));
	v[0].path = "first.txt";
	v[0].data = "first";
	v[1].path = "scan.jpg";
	v[1].data = rnd;
	v[1].len = 200000;
	zip = la_build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, v, 2, &len);
	/* cut inside the second entry's data: no central directory either */
	got_init(&g);
	assert_int_equal(run_simple(zip, len / 2, "cut.zip", &g), -1);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_CORRUPT, "cut.zip/scan.jpg"), 1);
	assert_true(got_find(&g, "first.txt")->ok);
	assert_false(got_find(&g, "scan.jpg")->ok);
	assert_true(got_find(&g, "scan.jpg")->ended);
	got_free(&g);
	/* a stub: the signature and nothing else */
	got_init(&g);
	assert_int_equal(run_simple(zip, 10, "stub.zip", &g), -1);
	assert_int_equal(g.np, 1);
	assert_int_equal(g.ne, 0);
	got_free(&g);
	free(zip);
	free(rnd);
}

static void test_corrupt_crc_entry(void **state)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	struct zopt bad = { .bad_crc = true };
	struct got g;
	size_t len;
	unsigned char *zip;

	(void)state;
	zb_str(&z, "first.txt", "first", NULL);
	zb_str(&z, "damaged.txt", "the bits rotted", &bad);
	zb_str(&z, "last.txt", "last", NULL);
	zip = zb_finish(&z, &len);
	got_init(&g);
	assert_int_equal(run_simple(zip, len, "crc.zip", &g), 0);
	assert_int_equal(g.ne, 3);
	assert_true(got_find(&g, "first.txt")->ok);
	assert_false(got_find(&g, "damaged.txt")->ok);
	assert_true(got_find(&g, "last.txt")->ok);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_CORRUPT, "crc.zip/damaged.txt"), 1);
	got_free(&g);
	free(zip);

	got_init(&g);
	assert_int_equal(run_corpus("adm-zip/crc_bad_crc.zip", &g), 0);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_CORRUPT, NULL), 1);
	got_free(&g);
}

static void test_unsupported(void **state)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
	struct got g;
	size_t len;
	unsigned char *gz;
	double t0;
	static const struct wentry one[] = { { .path = "x", .data = "just text" } };

	(void)state;
	got_init(&g);
	assert_int_equal(run_simple(pdf, sizeof(pdf) - 1, "营业执照.pdf", &g), -1);
	assert_int_equal(g.np, 1);
	assert_string_equal(g.p[0].kind, PROB_ARCHIVE_UNSUPPORTED);
	assert_string_equal(g.p[0].subject, "营业执照.pdf");
	got_free(&g);

	got_init(&g);
	assert_int_equal(run_simple("", 0, "empty.zip", &g), -1);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_UNSUPPORTED, NULL), 1);
	got_free(&g);

	/* a gzip'd single file is not an archive */
	gz = la_build(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, NULL, one, 1, &len);
	got_init(&g);
	assert_int_equal(run_simple(gz, len, "x.gz", &g), -1);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_UNSUPPORTED, NULL), 1);
	assert_non_null(strstr(g.p[0].reason, "gzip"));
	got_free(&g);
	free(gz);

	/* libarchive 3.6.2's gzip bidder hangs on this one (minutes of CPU) */
	got_init(&g);
	t0 = cpu_now();
	assert_int_equal(run_corpus("libarchive/test_read_filter_gzip_recursive.gz.uu", &g), -1);
	assert_true(cpu_now() - t0 < 1.0);
	assert_int_equal(got_count(&g, PROB_ARCHIVE_UNSUPPORTED, NULL), 1);
	got_free(&g);
}

/* ---- the hard files of the corpora README --------------------------------- */

static void test_hard_chs_name(void **state)
{
	struct got g;
	const struct got_entry *e;

	(void)state;
	got_init(&g);
	assert_int_equal(run_corpus("adm-zip/chs_name.zip", &g), 0);
	assert_int_equal(g.ne, 1);
	e = got_find(&g, "中文路径.txt");
	assert_non_null(e);
	assert_string_equal(e->data, "文件内容");
	got_free(&g);
}

static void test_hard_cp932(void **state)
{
	struct got g;

	(void)state;
	got_init(&g);
	assert_int_equal(run_corpus("libarchive/test_read_format_zip_filename_cp932.zip.uu", &g), 0);
	assert_int_equal(g.ne, 2);
	for (size_t i = 0; i < g.ne; i++) {
		const char *p = g.e[i].path, *slash = strchr(p, '/');

		/* "表だよ/一覧表.txt": one directory and one file, whatever
		 * GB18030 makes of the Shift-JIS bytes; 0x5C did not split it. */
		assert_non_null(slash);
		assert_null(strchr(slash + 1, '/'));
		assert_true(g.e[i].legacy);
		assert_true(strlen(p) > 8 && strcmp(p + strlen(p) - 4, ".txt") == 0);
	}
	assert_string_equal(g.e[0].path, "昞偩傛/堦棗昞.txt");
	got_free(&g);
}

static void test_hard_unicode_path_extra(void **state)
{
	struct got g;

	(void)state;
	got_init(&g);
	assert_int_equal(run_corpus("yauzl/success/unicode-path-extra-field.zip", &g), 0);
	assert_int_equal(g.ne, 1);
	assert_string_equal(g.e[0].path, "七个房间.txt");
	got_free(&g);
}

static void test_hard_path_escapes(void **state)
{
	static const char *const files[] = {
		"recursiveextractor/bombs/zip-slip.zip",
		"recursiveextractor/bombs/zip-slip-win.zip",
		"recursiveextractor/bombs/zip-slip.tar",
		"recursiveextractor/bombs/zip-slip-win.tar",
		"yauzl/failure/absolute path atxt.zip",
		"yauzl/failure/absolute path C xt.zip",
		"yauzl/failure/invalid relative path xt.zip",
		"yauzl/failure/invalid characters in fileName a txt.zip",
		"libarchive/tar/test_leading_slash.tar.uu",
		"libarchive/unzip/test_symlink_dotdot.zip.uu",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct got g;
		size_t refused;

		got_init(&g);
		assert_int_equal(run_corpus(files[i], &g), 0);
		refused = got_count(&g, PROB_PATH_REFUSED, NULL) + got_count(&g, PROB_LINK_REFUSED, NULL);
		if (refused == 0)
			fail_msg("%s: nothing refused", files[i]);
		for (size_t k = 0; k < g.ne; k++) {
			assert_null(strstr(g.e[k].path, "evil"));
			assert_null(strstr(g.e[k].path, ".."));
			assert_true(g.e[k].path[0] != '/');
		}
		got_free(&g);
	}
	/* the sane neighbours are still delivered */
	{
		struct got g;

		got_init(&g);
		run_corpus("recursiveextractor/bombs/zip-slip-win.zip", &g);
		assert_non_null(got_find(&g, "good.txt"));
		got_free(&g);
		got_init(&g);
		run_corpus("libarchive/unzip/test_symlink_dotdot.zip.uu", &g);
		assert_non_null(got_find(&g, "safe.txt"));
		assert_int_equal(got_count(&g, PROB_LINK_REFUSED, NULL), 2);
		got_free(&g);
		got_init(&g);
		run_corpus("libarchive/tar/test_leading_slash.tar.uu", &g);
		assert_int_equal(got_count(&g, PROB_PATH_REFUSED, "/foo/file"), 1);
		assert_int_equal(got_count(&g, PROB_LINK_REFUSED, "/foo/hardlink"), 1);
		got_free(&g);
	}
}

/* ---- every corpus archive, each in its own limited process ----------------- */


/* Count the directories among the first n headers, by an independent
 * libarchive pass over the same bytes. */
static unsigned count_dirs(const char *buf, size_t len, unsigned n)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	unsigned seen = 0, dirs = 0;
	const unsigned char *b = (const unsigned char *)buf;

	if (len >= 2 && b[0] == 0x1F && b[1] == 0x8B)
		archive_read_append_filter(a, ARCHIVE_FILTER_GZIP);
	else if (len >= 3 && memcmp(b, "BZh", 3) == 0)
		archive_read_append_filter(a, ARCHIVE_FILTER_BZIP2);
	else if (len >= 6 && memcmp(b, "\xFD" "7zXZ", 5) == 0)
		archive_read_append_filter(a, ARCHIVE_FILTER_XZ);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, buf, len) == ARCHIVE_OK) {
		while (seen < n) {
			int r = archive_read_next_header(a, &e);

			if (r == ARCHIVE_EOF || r == ARCHIVE_FATAL)
				break;
			if (r < ARCHIVE_WARN)
				continue;
			seen++;
			if (archive_entry_filetype(e) == AE_IFDIR && archive_entry_hardlink(e) == NULL)
				dirs++;
			/* Reading data keeps the two passes in step on 7z/RAR. */
			if (archive_read_data_skip(a) == ARCHIVE_FATAL)
				break;
		}
	}
	archive_read_free(a);
	return dirs;
}

struct one_ctx {
	unsigned begun, entry_problems, problems;
	const char *name;
	int bad;
};

static int one_begin(void *ctx, const struct unpack_entry *e)
{
	struct one_ctx *c = ctx;
	const char *why;
	char *again = unpack_clean_path(e->path, &why);
	const char *p;

	c->begun++;
	/* a delivered path is clean and stays the same when cleaned again */
	if (again == NULL || strcmp(again, e->path) != 0 || e->path[0] == '/' ||
	    strchr(e->path, '\\') != NULL) {
		fprintf(stderr, "unclean path delivered: %s\n", e->path);
		c->bad = 1;
	}
	for (p = e->path; p != NULL; p = strchr(p, '/') != NULL ? strchr(p, '/') + 1 : NULL)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0')) {
			fprintf(stderr, "'..' delivered: %s\n", e->path);
			c->bad = 1;
		}
	free(again);
	printf("E\t%s\n", e->path);
	return 0;
}

static int one_data(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

static int one_end(void *ctx, bool ok)
{
	(void)ctx;
	printf("O\t%d\n", ok);
	return 0;
}

static void one_problem(void *ctx, const char *kind, const char *subject, const char *reason)
{
	struct one_ctx *c = ctx;
	size_t nl = strlen(c->name);

	c->problems++;
	if (subject != NULL && strncmp(subject, c->name, nl) == 0 && subject[nl] == '/')
		c->entry_problems++;
	if (reason == NULL || reason[0] == '\0' || subject == NULL ||
	    !names_is_utf8(reason, strlen(reason)) || !names_is_utf8(subject, strlen(subject))) {
		fprintf(stderr, "problem without a valid UTF-8 subject or reason\n");
		c->bad = 1;
	}
	printf("P\t%s\t%s\n", kind, subject != NULL ? subject : "");
}

/* --unpack-one: exit 0 when every invariant held, 2 when one did not. */
static int unpack_one(const char *path)
{
	struct one_ctx c;
	struct unpack_sink sink = { &c, one_begin, one_data, one_end, one_problem };
	struct unpack_budget bud = { 0, 0, 0 };
	const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	size_t len;
	char *buf = corpus_bytes(path, &len);
	unsigned dirs;
	int fd, r;

	if (buf == NULL)
		return 3;
	memset(&c, 0, sizeof(c));
	c.name = base;
	fd = memfd_create("corpus", 0);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)
		return 3;
	r = unpack_fd(fd, base, 0, NULL, &bud, &sink);
	close(fd);
	if (r < 0 && c.problems == 0) {
		fprintf(stderr, "failed without a problem\n");
		c.bad = 1;
	}
	/* Every header seen was delivered, refused with a problem naming it,
	 * or a directory. */
	dirs = count_dirs(buf, len, bud.entries);
	if (c.begun + c.entry_problems + dirs < bud.entries) {
		fprintf(stderr, "unaccounted entries: %u seen, %u delivered, %u refused, %u dirs\n",
		        bud.entries, c.begun, c.entry_problems, dirs);
		c.bad = 1;
	}
	printf("R\t%d\t%u\t%llu\n", r, bud.entries, (unsigned long long)bud.bytes_out);
	free(buf);
	fflush(stdout);
	return c.bad ? 2 : 0;
}

/* Run --unpack-one on path in a child with worker-like limits; its output. */
static char *run_one_child(const char *path, int *status_r, struct rusage *ru)
{
	int p[2];
	pid_t pid;
	struct dbuf out = { NULL, 0, 0 };
	char buf[4096];
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit cpu = { 60, 65 };
		const char *old = getenv("ASAN_OPTIONS");
		char *opts;

		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		setrlimit(RLIMIT_CPU, &cpu);
		if (!TU_ASAN) {
			struct rlimit as = { LIMIT_DEF_ADDRESS_SPACE, LIMIT_DEF_ADDRESS_SPACE };

			setrlimit(RLIMIT_AS, &as);
		}
		/* Under ASan the memory cap is ASan's own (RLIMIT_AS is unusable):
		 * an allocation above the worker's address space fails as it
		 * would there, and a runaway total aborts the child. */
		opts = tu_printf("%s%smax_allocation_size_mb=%llu:allocator_may_return_null=1:"
		                 "hard_rss_limit_mb=3072",
		                 old != NULL ? old : "", old != NULL && *old ? ":" : "",
		                 (unsigned long long)(LIMIT_DEF_ADDRESS_SPACE >> 20));
		setenv("ASAN_OPTIONS", opts, 1);
		execl("/proc/self/exe", "test_unpack", "--unpack-one", path, (char *)NULL);
		_exit(4);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		db_put(&out, buf, (size_t)n);
	db_put(&out, "", 1);
	close(p[0]);
	assert_int_equal(wait4(pid, status_r, 0, ru), pid);
	return (char *)out.p;
}

static void test_corpora_all_archives(void **state)
{
	char *root = tu_printf("%s/archives", tu_corpora());
	size_t i, failed = 0, problems = 0, delivered = 0, top_rss = 0, top_cpu = 0;
	long max_rss = -1;
	double max_cpu = -1, cpu_sum = 0;
	struct timespec t0, t1;
	char **corpus_list;
	size_t corpus_n;

	(void)state;
	corpus_list = tu_list_files(root, &corpus_n);
	assert_true(corpus_n > 200);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < corpus_n; i++) {
		int status;
		struct rusage ru;
		char *out = run_one_child(corpus_list[i], &status, &ru);
		double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;

		cpu_sum += cpu;
		if (getenv("TEST_VERBOSE") != NULL)
			fprintf(stderr, "  %s: %.2f s, %ld MB\n%s", corpus_list[i] + strlen(root) + 1,
			        cpu, ru.ru_maxrss / 1024, out);
		if (ru.ru_maxrss > max_rss) {
			max_rss = ru.ru_maxrss;
			top_rss = i;
		}
		if (cpu > max_cpu) {
			max_cpu = cpu;
			top_cpu = i;
		}

		for (const char *l = out; *l != '\0'; l = strchr(l, '\n') != NULL ? strchr(l, '\n') + 1 : "") {
			if (l[0] == 'P')
				problems++;
			else if (l[0] == 'E')
				delivered++;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
		    (strncmp(out, "R\t", 2) != 0 && strstr(out, "\nR\t") == NULL)) {
			fprintf(stderr, "FAILED %s: %s %d\n%s\n", corpus_list[i],
			        WIFSIGNALED(status) ? "signal" : "exit",
			        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), out);
			failed++;
		}
		free(out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  corpora: %zu archives, %zu entries delivered, %zu problems, %zu failures; "
	       "%.1f s wall, %.1f s CPU in workers\n"
	       "  peak RSS %ld MB (%s)\n  most CPU %.2f s (%s)\n",
	       corpus_n, delivered, problems, failed,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       cpu_sum, max_rss / 1024, corpus_list[top_rss] + strlen(root) + 1,
	       max_cpu, corpus_list[top_cpu] + strlen(root) + 1);
	tu_free_list(corpus_list, corpus_n);
	free(root);
	assert_int_equal(failed, 0);
}

/* Found by fuzz_unpack: libarchive 3.6.2 calls exit(1) when a name fails
 * to convert (an incomplete UTF-8 tail leaves errno alone) while errno holds
 * a stale ENOMEM, say from an allocation refused under RLIMIT_AS earlier in
 * the same worker.  unpack clears errno before each such call. */
static void test_stale_enomem_name(void **state)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	size_t len;
	unsigned char *zip;
	int status;
	pid_t pid;

	(void)state;
	zb_str(&z, "report\xe6\xb0", "gbk tail", NULL);      /* DOS-made, no flag */
	zb_str(&z, "after.txt", "after", NULL);
	zip = zb_finish(&z, &len);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct got g;
		int r;

		got_init(&g);
		errno = ENOMEM;
		r = run_simple(zip, len, "errno.zip", &g);
		_exit(r == 0 && g.ne == 2 && got_find(&g, "after.txt") != NULL ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(zip);
}

/* ---- sink control ------------------------------------------------------------ */

static int stop_begin(void *ctx, const struct unpack_entry *e)
{
	(void)e;
	return ++*(int *)ctx >= 2 ? -1 : 0;
}

static void test_sink_stop_and_null_callbacks(void **state)
{
	int calls = 0;
	struct unpack_sink stop = { &calls, stop_begin, NULL, NULL, NULL };
	struct unpack_sink quiet = { NULL, NULL, NULL, NULL, NULL };
	size_t len;
	unsigned char *zip = la_build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, dossier, 3, &len);
	int fd = mem_fd(zip, len);

	(void)state;
	assert_int_equal(unpack_fd(fd, "s.zip", 0, NULL, NULL, &stop), -1);
	assert_int_equal(calls, 2);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(unpack_fd(fd, "s.zip", 0, NULL, NULL, &quiet), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(unpack_fd(fd, NULL, 0, NULL, NULL, NULL), 0);
	close(fd);
	free(zip);
}

/* The archive starts at the fd's current offset (an attachment inside a
 * spool file, say). */
static void test_archive_at_offset(void **state)
{
	struct got g;
	struct unpack_budget bud = { 0, 0, 0 };
	struct unpack_sink sink = { &g, got_begin, got_data, got_end, got_problem };
	size_t len;
	unsigned char *zip = la_build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, dossier, 3, &len);
	unsigned char *buf = malloc(len + 1000);
	int fd;

	(void)state;
	memset(buf, 'x', 1000);
	memcpy(buf + 1000, zip, len);
	fd = mem_fd(buf, len + 1000);
	assert_int_equal(lseek(fd, 1000, SEEK_SET), 1000);
	got_init(&g);
	assert_int_equal(unpack_fd(fd, "off.zip", 0, NULL, &bud, &sink), 0);
	check_dossier(&g);
	got_free(&g);
	close(fd);
	free(buf);
	free(zip);
}

/* ---- a small mutation pass (libarchive's test_fuzz.c does the same) ------ */

static uint32_t xorshift(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

/* --mutate: every fixture, MUTATIONS damaged copies each, all through
 * unpack_fd with default limits and the invariant-checking sink. */
#define MUTATIONS 500

static int mutate_all(void)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	unsigned char *fx[8];
	size_t fxlen[8], nfx = 0, i, runs = 0, failures = 0;
	uint32_t st = 0x1e5c2023u;
	int bad = 0;

	fx[nfx] = gbk_zip(&fxlen[nfx]);
	nfx++;
	fx[nfx] = nested_zip(3, &fxlen[nfx]);
	nfx++;
	zb_str(&z, "../x", "escape", NULL);
	zb_str(&z, "ok.txt", "ok", &(struct zopt){ .password = "1234" });
	fx[nfx] = zb_finish(&z, &fxlen[nfx]);
	nfx++;
	fx[nfx] = la_build(ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, NULL, dossier, 3, &fxlen[nfx]);
	nfx++;
	fx[nfx] = la_build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, NULL, dossier, 3,
	                   &fxlen[nfx]);
	nfx++;
	fx[nfx] = la_build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_XZ, NULL, dossier, 3,
	                   &fxlen[nfx]);
	nfx++;
	fx[nfx] = la_build(ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_BZIP2, NULL, dossier, 3,
	                   &fxlen[nfx]);
	nfx++;
	fx[nfx] = la_build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, dossier, 3, &fxlen[nfx]);
	nfx++;
	for (i = 0; i < nfx; i++) {
		for (unsigned m = 0; m < MUTATIONS; m++) {
			size_t len = fxlen[i], k, ops = 1 + xorshift(&st) % 4;
			unsigned char *b = malloc(len * 2 + 16);
			struct one_ctx c;
			struct unpack_sink sink = { &c, one_begin, one_data, NULL, one_problem };
			struct unpack_budget bud = { 0, 0, 0 };
			int fd, r;

			memcpy(b, fx[i], len);
			for (k = 0; k < ops && len > 0; k++) {
				size_t at = xorshift(&st) % len;

				switch (xorshift(&st) % 5) {
				case 0: b[at] ^= (unsigned char)(1u << (xorshift(&st) % 8)); break;
				case 1: b[at] = (unsigned char[]){ 0, 0xFF, 0x7F, 0x80 }[xorshift(&st) % 4]; break;
				case 2: len = at; break;                              /* truncate */
				case 3: {                                             /* duplicate a chunk */
					size_t n = xorshift(&st) % (len - at < 64 ? len - at : 64);

					memmove(b + at + n, b + at, len - at);
					len += n;
					break;
				}
				default: b[at] = (unsigned char)xorshift(&st); break;
				}
			}
			memset(&c, 0, sizeof(c));
			c.name = "m";
			fd = memfd_create("mutant", 0);
			if (fd < 0 || write(fd, b, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)
				return 3;
			r = unpack_fd(fd, "m", 0, NULL, &bud, &sink);
			close(fd);
			if (r < 0 && c.problems == 0) {
				fprintf(stderr, "fixture %zu mutation %u failed without a problem\n", i, m);
				bad = 1;
			}
			failures += r < 0;
			bad |= c.bad;
			runs++;
			free(b);
		}
		free(fx[i]);
	}
	fprintf(stderr, "mutate: %zu runs, %zu failed cleanly\n", runs, failures);
	return bad ? 2 : 0;
}

static void test_mutation_pass(void **state)
{
	int p[2], status;
	pid_t pid;
	struct rusage ru;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit cpu = { 120, 125 };

		close(p[0]);
		dup2(p[1], 1);
		setrlimit(RLIMIT_CPU, &cpu);
		if (!TU_ASAN) {
			struct rlimit as = { LIMIT_DEF_ADDRESS_SPACE, LIMIT_DEF_ADDRESS_SPACE };

			setrlimit(RLIMIT_AS, &as);
		}
		setenv("ASAN_OPTIONS", "max_allocation_size_mb=1024:allocator_may_return_null=1:"
		       "hard_rss_limit_mb=3072", 1);
		execl("/proc/self/exe", "test_unpack", "--mutate", (char *)NULL);
		_exit(4);
	}
	close(p[1]);
	{
		char buf[4096];

		while (read(p[0], buf, sizeof(buf)) > 0)
			;
	}
	close(p[0]);
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	printf("  mutation pass: %.1f s CPU, peak RSS %ld MB\n",
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec, ru.ru_maxrss / 1024);
}

/* ---- fixtures for the fuzzer ------------------------------------------------- */

static void write_fixture(const char *dir, const char *name, const void *buf, size_t len)
{
	char *p = tu_printf("%s/%s", dir, name);

	if (tu_write_file(p, buf, len) != 0) {
		perror(p);
		exit(1);
	}
	free(p);
}

static int write_fixtures(const char *dir)
{
	struct zb z = { { 0 }, { 0 }, 0 };
	struct zopt link = { .mode = 0120777 }, bad = { .bad_crc = true };
	struct zopt mism = { .central = "../evil.txt", .central_len = 11 };
	static const struct wentry specials[] = {
		{ .path = "good.txt", .data = "good" },
		{ .path = "sym", .type = AE_IFLNK, .link = "../../etc/passwd" },
		{ .path = "hard", .hardlink = true, .link = "good.txt" },
		{ .path = "tty", .type = AE_IFCHR },
		{ .path = "../up.txt", .data = "up" },
	};
	unsigned char *b;
	size_t len;

	b = gbk_zip(&len);
	write_fixture(dir, "gbk-names.zip", b, len);
	free(b);
	zb_str(&z, "good.txt", "good", NULL);
	zb_str(&z, "../../evil.txt", "evil", NULL);
	zb_str(&z, "C:\\Windows\\evil.txt", "evil", NULL);
	zb_str(&z, "link", "/etc/passwd", &link);
	zb_str(&z, "crc.txt", "rotten", &bad);
	zb_str(&z, "evil2.txt", "evil", &mism);
	b = zb_finish(&z, &len);
	write_fixture(dir, "hostile.zip", b, len);
	free(b);
	zb_str(&z, "report\xe6\xb0", "incomplete UTF-8 tail", NULL);
	zb_str(&z, "go\xef", "fuzz_unpack crash 9883ee2f", NULL);
	b = zb_finish(&z, &len);
	write_fixture(dir, "name-tail.zip", b, len);
	free(b);
	b = nested_zip(3, &len);
	write_fixture(dir, "nested.zip", b, len);
	free(b);
	b = la_build(ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, NULL, dossier, 3, &len);
	write_fixture(dir, "dossier.7z", b, len);
	free(b);
	b = la_build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, NULL, dossier, 3, &len);
	write_fixture(dir, "dossier.tar.gz", b, len);
	free(b);
	b = la_build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_BZIP2, NULL, dossier, 3, &len);
	write_fixture(dir, "dossier.tar.bz2", b, len);
	free(b);
	b = la_build(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_XZ, NULL, dossier, 3, &len);
	write_fixture(dir, "dossier.tar.xz", b, len);
	free(b);
	b = la_build(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, dossier, 3, &len);
	write_fixture(dir, "dossier.zip", b, len);
	free(b);
	b = la_build(ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_NONE, NULL, specials, 5, &len);
	write_fixture(dir, "specials.tar", b, len);
	free(b);
	{
		struct zopt secret = { .password = "1234" };

		zb_str(&z, "public.txt", "public", NULL);
		zb_str(&z, "secret.txt", "secret data", &secret);
		b = zb_finish(&z, &len);
		write_fixture(dir, "encrypted.zip", b, len);
		free(b);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_path_table),
		cmocka_unit_test(test_clean_path_lengths),
		cmocka_unit_test(test_zip_gbk_names),
		cmocka_unit_test(test_zip_utf8_flag),
		cmocka_unit_test(test_zip_central_local_mismatch),
		cmocka_unit_test(test_zip_unicode_path_field),
		cmocka_unit_test(test_7z),
		cmocka_unit_test(test_tar_gz),
		cmocka_unit_test(test_tar_bz2),
		cmocka_unit_test(test_tar_xz),
		cmocka_unit_test(test_zip_deflate_libarchive),
		cmocka_unit_test(test_zip_from_pipe),
		cmocka_unit_test(test_rar4_and_rar5_corpora),
		cmocka_unit_test(test_rar5_libarchive_samples),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_zip_encrypted_entry),
		cmocka_unit_test(test_header_encrypted),
		cmocka_unit_test(test_rar5_encrypted_data),
		cmocka_unit_test(test_zip_path_escapes),
		cmocka_unit_test(test_long_and_undecodable_names),
		cmocka_unit_test(test_tar_links_and_devices),
		cmocka_unit_test(test_zip_bomb_300mb),
		cmocka_unit_test(test_skipped_bomb_entry_is_bounded),
		cmocka_unit_test(test_ratio_floor_and_honest_data),
		cmocka_unit_test(test_corpora_bombs),
		cmocka_unit_test(test_entry_count_limit),
		cmocka_unit_test(test_xz_dictionary_under_rlimit),
		cmocka_unit_test(test_truncated_zip),
		cmocka_unit_test(test_corrupt_crc_entry),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_hard_chs_name),
		cmocka_unit_test(test_hard_cp932),
		cmocka_unit_test(test_hard_unicode_path_extra),
		cmocka_unit_test(test_hard_path_escapes),
		cmocka_unit_test(test_stale_enomem_name),
		cmocka_unit_test(test_sink_stop_and_null_callbacks),
		cmocka_unit_test(test_archive_at_offset),
		cmocka_unit_test(test_mutation_pass),
		cmocka_unit_test(test_corpora_all_archives),
	};

	/* The daemon runs with this locale (LIBRARIES.md section 0). */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "C.UTF-8 locale missing\n");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "--unpack-one") == 0)
		return unpack_one(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--write-fixtures") == 0)
		return write_fixtures(argv[2]);
	if (argc == 2 && strcmp(argv[1], "--mutate") == 0)
		return mutate_all();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

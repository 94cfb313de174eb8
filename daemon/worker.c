#include "worker.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libetpan/libetpan.h>
#include <locale.h>
#include <nettle/sha2.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "names.h"
#include "problem.h"
#include "sniff.h"
#include "spool.h"
#include "textract.h"
#include "unpack.h"

/* ------------------------------------------------------------------ */
/* Records: u32 length of the rest, u8 type, fields (u32 len + bytes;   */
/* len 0xffffffff = NULL).  Little-endian.                              */

#define REC_MAX        (4U << 20)     /* one record */
#define REC_TOTAL_MAX  (256U << 20)   /* everything one child may send */
#define FIELD_NULL     0xffffffffU
#define TEXT_TOTAL_MAX (64U << 20)    /* document text one child may send */

enum rec_type { REC_INFO = 'I', REC_FILE = 'F', REC_PROBLEM = 'P', REC_RECEIVED = 'R', REC_DONE = 'D',
                REC_LOCAL = 'L', REC_TEXT = 'T', REC_BUDGET = 'B', REC_KEPT = 'K' };

struct wbuf {
	unsigned char *p;
	size_t len, cap;
	bool failed;
};

static void wb_put(struct wbuf *b, const void *d, size_t n)
{
	if (b->failed)
		return;
	if (b->cap - b->len < n) {
		size_t nc = b->cap ? b->cap : 256;
		while (nc - b->len < n)
			nc *= 2;
		unsigned char *np = realloc(b->p, nc);
		if (!np) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void wb_u32(struct wbuf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8),
	                       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	wb_put(b, x, 4);
}

static void wb_bytes(struct wbuf *b, const void *d, size_t n)
{
	if (!d) {
		wb_u32(b, FIELD_NULL);
		return;
	}
	wb_u32(b, (uint32_t)n);
	wb_put(b, d, n);
}

static void wb_str(struct wbuf *b, const char *s)
{
	wb_bytes(b, s, s ? strlen(s) : 0);
}

static void wb_u64(struct wbuf *b, uint64_t v)
{
	unsigned char x[8];

	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	wb_bytes(b, x, 8);
}

static void wb_begin(struct wbuf *b, enum rec_type t)
{
	unsigned char ty = (unsigned char)t;

	b->len = 0;
	b->failed = false;
	wb_u32(b, 0);
	wb_put(b, &ty, 1);
}

/* Finish the record in b and send it; with out_fd < 0 (in-process mode) it
 * is appended to the in-memory stream instead. */
struct out {
	int fd;
	struct wbuf mem;
};

static int wb_send(struct wbuf *b, struct out *o)
{
	uint32_t n;

	if (b->failed || b->len - 4 > REC_MAX)
		return -1;
	n = (uint32_t)(b->len - 4);
	b->p[0] = (unsigned char)n;
	b->p[1] = (unsigned char)(n >> 8);
	b->p[2] = (unsigned char)(n >> 16);
	b->p[3] = (unsigned char)(n >> 24);
	if (o->fd >= 0)
		return spool_write_full(o->fd, b->p, b->len);
	wb_put(&o->mem, b->p, b->len);
	return o->mem.failed ? -1 : 0;
}

/* Reader with bounds-checked getters (OpenSMTPD's m_get_*). */
struct rcur {
	const unsigned char *p;
	size_t left;
	bool bad;
};

static uint32_t rc_u32raw(struct rcur *c)
{
	uint32_t v;

	if (c->left < 4) {
		c->bad = true;
		return 0;
	}
	v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[3] << 24;
	c->p += 4;
	c->left -= 4;
	return v;
}

/* Returns a malloc'd NUL-terminated copy (NULL for a NULL field). */
static char *rc_bytes(struct rcur *c, size_t *len_r)
{
	uint32_t n = rc_u32raw(c);
	char *s;

	if (len_r)
		*len_r = 0;
	if (c->bad || n == FIELD_NULL)
		return NULL;
	if (n > c->left) {
		c->bad = true;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (!s) {
		c->bad = true;
		return NULL;
	}
	memcpy(s, c->p, n);
	s[n] = '\0';
	c->p += n;
	c->left -= n;
	if (len_r)
		*len_r = n;
	return s;
}

static char *rc_str(struct rcur *c)
{
	return rc_bytes(c, NULL);
}

static uint64_t rc_u64(struct rcur *c)
{
	size_t n;
	char *s = rc_bytes(c, &n);
	uint64_t v = 0;

	if (!s || n != 8) {
		c->bad = true;
		free(s);
		return 0;
	}
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)(unsigned char)s[i] << (8 * i);
	free(s);
	return v;
}

static void rc_fixed(struct rcur *c, char *dst, size_t size)
{
	char *s = rc_str(c);

	dst[0] = '\0';
	if (s)
		snprintf(dst, size, "%s", s);
	free(s);
}

/* ------------------------------------------------------------------ */
/* The child.                                                          */

struct child {
	struct out *out;
	int workdir;
	const struct intake_limits *lim;
	struct sniff *sniff;
	struct wbuf rec;
	unsigned seq;
	int tops;
	struct unpack_budget budget;
	char *body;            /* letter text, UTF-8, bounded */
	size_t body_len;
	bool failed;           /* a record could not be sent: stop */
	int local_errno;       /* the work directory could not be written */
	bool evict;            /* the message is mapped and large: drop pages once read */
	bool forked;           /* a child process: its own CPU limit may grow */
	bool ocr;              /* [intake] ocr, resolved */
	unsigned ntext;        /* files whose text was read */
	size_t text_total;     /* bytes of text sent */
	unsigned long long ocr_budget_ms; /* extra time claimed for OCR so far */
	bool arc_trouble;      /* an archive under the current attachment was not
	                          read whole (encrypted, damaged, refused entries) */
};

/* One file being written: an attachment or an archive entry. */
struct outfile {
	struct child *ch;
	int fd;
	unsigned seq;
	uint64_t size, written_back;
	struct sha256_ctx sha;
	bool too_big;
	bool lazy;          /* starts like an archive: no early writeback */
};

static void emit_problem(struct child *ch, unsigned file, const char *kind,
                         const char *subject, const char *reason)
{
	wb_begin(&ch->rec, REC_PROBLEM);
	wb_u64(&ch->rec, file);
	wb_str(&ch->rec, kind);
	wb_str(&ch->rec, subject);
	wb_str(&ch->rec, reason);
	if (wb_send(&ch->rec, ch->out) != 0)
		ch->failed = true;
}

/*
 * A write into the work directory failed for a reason of the machine's
 * (a full disk), not of the message: a file dropped here would be a file
 * the county sent and we lost.  Tell the parent and stop; it records
 * nothing and the message is tried again once there is space.
 */
static bool local_errno_p(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS;
}

static void local_failure(struct child *ch, int e)
{
	if (!local_errno_p(e) || ch->local_errno)
		return;
	ch->local_errno = e;
	wb_begin(&ch->rec, REC_LOCAL);
	wb_u64(&ch->rec, (uint64_t)e);
	(void)wb_send(&ch->rec, ch->out);
	ch->failed = true;
}

static int outfile_open(struct child *ch, struct outfile *of)
{
	char name[16];

	memset(of, 0, sizeof(*of));
	of->ch = ch;
	of->seq = ++ch->seq;
	snprintf(name, sizeof(name), "%04u", of->seq);
	of->fd = openat(ch->workdir, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (of->fd < 0)
		local_failure(ch, errno);
	sha256_init(&of->sha);
	return of->fd < 0 ? -1 : 0;
}

/*
 * An archive is unpacked and then dropped (file_done()): its bytes are in
 * the raw message and its entries are stored.  Writeback is not started
 * for what begins like one, so those bytes never reach the disk; what
 * turns out not to be an archive (a DOCX begins like a zip) is still
 * synced before the message is committed.
 */
static bool archive_magic(const unsigned char *p, size_t len)
{
	static const struct { const char *m; size_t n; } sig[] = {
		{ "PK\3\4", 4 }, { "Rar!\x1a\x07", 6 }, { "7z\xbc\xaf\x27\x1c", 6 },
		{ "\x1f\x8b", 2 }, { "BZh", 3 }, { "\xfd" "7zXZ", 5 },
	};

	for (size_t i = 0; i < sizeof(sig) / sizeof(sig[0]); i++)
		if (len >= sig[i].n && memcmp(p, sig[i].m, sig[i].n) == 0)
			return true;
	return false;
}

static int outfile_write(struct outfile *of, const void *buf, size_t len)
{
	if (of->fd < 0)
		return 0;
	if (of->size == 0)
		of->lazy = archive_magic(buf, len);
	/* UNSAFE: size arithmetic; entry_bytes caps it far below 2^64. */
	if (of->size + len > of->ch->lim->entry_bytes) {
		of->too_big = true;
		return -1;
	}
	sha256_update(&of->sha, len, buf);
	of->size += len;
	if (spool_write_full(of->fd, buf, len) != 0) {
		local_failure(of->ch, errno);
		return -1;
	}
	if (!of->lazy)
		spool_writeback(of->fd, &of->written_back, of->size);
	return 0;
}

struct filemeta {
	unsigned parent, depth;
	int top;
	const char *part, *path, *name, *top_name, *inner;
	const char *raw;
	size_t raw_len;
	bool lossy, body_image, in_forward;
};

static void emit_file(struct child *ch, const struct outfile *of, const struct filemeta *m,
                      const struct sniff_result *sr, bool container)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[65], stored[16];
	struct sha256_ctx c = of->sha;

	sha256_digest(&c, sizeof(d), d);
	spool_hex(d, sizeof(d), hex);
	snprintf(stored, sizeof(stored), "%04u", of->seq);
	wb_begin(&ch->rec, REC_FILE);
	wb_u64(&ch->rec, of->seq);
	wb_u64(&ch->rec, m->parent);
	wb_u64(&ch->rec, m->depth);
	wb_u64(&ch->rec, (uint64_t)(int64_t)m->top);
	wb_str(&ch->rec, m->part);
	wb_str(&ch->rec, m->path);
	wb_str(&ch->rec, m->name);
	wb_str(&ch->rec, m->top_name);
	wb_str(&ch->rec, m->inner);
	wb_bytes(&ch->rec, m->raw, m->raw_len);
	wb_u64(&ch->rec, (uint64_t)m->lossy | (uint64_t)m->body_image << 1 |
	       (uint64_t)m->in_forward << 2 | (uint64_t)container << 3 |
	       (uint64_t)sr->ext_mismatch << 4);
	wb_u64(&ch->rec, of->size);
	wb_str(&ch->rec, hex);
	wb_str(&ch->rec, sr->mime);
	wb_u64(&ch->rec, (uint64_t)sr->kind);
	wb_str(&ch->rec, container ? "" : stored);
	if (wb_send(&ch->rec, ch->out) != 0)
		ch->failed = true;
}

static void unpack_into(struct child *ch, int fd, unsigned parent_seq, unsigned depth,
                        int top, const char *top_name, const char *path_prefix,
                        const char *inner_prefix, const char *part, bool in_forward);

/* --- text --- */

static void emit_text(struct child *ch, unsigned seq, const struct text_result *tr)
{
	wb_begin(&ch->rec, REC_TEXT);
	wb_u64(&ch->rec, seq);
	wb_u64(&ch->rec, (uint64_t)tr->source);
	wb_u64(&ch->rec, (uint64_t)(tr->confidence < 0 ? 0 : tr->confidence > 100 ? 100 : tr->confidence));
	wb_u64(&ch->rec, tr->pages);
	wb_u64(&ch->rec, tr->truncated);
	wb_str(&ch->rec, tr->note);
	wb_bytes(&ch->rec, tr->text, tr->text ? tr->len : 0);
	if (wb_send(&ch->rec, ch->out) != 0)
		ch->failed = true;
}

/*
 * OCR takes seconds a page.  Before a file that may go through it, the
 * child claims ocr_ms more (plus 2 s for decoding and rendering): it
 * raises its own soft CPU limit within the hard limit the parent set, and
 * tells the parent, which moves its wall-clock deadline by as much.  The
 * whole claim per message is capped by ocr_extra_seconds; past it OCR is
 * skipped, not the message killed.
 */
static bool budget_claim(struct child *ch)
{
	unsigned long long add = (unsigned long long)ch->lim->ocr_ms + 2000;
	unsigned long long cap = (unsigned long long)ch->lim->ocr_extra_seconds * 1000;

	if (ch->ocr_budget_ms + add > cap)
		return false;
	ch->ocr_budget_ms += add;
	if (ch->forked) {
		struct rlimit rl;

		if (getrlimit(RLIMIT_CPU, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
			rlim_t want = rl.rlim_cur + (rlim_t)((add + 999) / 1000);
			if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
				want = rl.rlim_max;
			rl.rlim_cur = want;
			(void)setrlimit(RLIMIT_CPU, &rl);
		}
	}
	wb_begin(&ch->rec, REC_BUDGET);
	wb_u64(&ch->rec, add);
	if (wb_send(&ch->rec, ch->out) != 0)
		ch->failed = true;
	return !ch->failed;
}

static bool may_ocr(const struct sniff_result *sr)
{
	return sr->kind == SNIFF_IMAGE || strcmp(sr->mime, "application/pdf") == 0;
}

/* text_extract() from the start of the file; false (with a note) when
 * out of memory. */
static bool extract(struct outfile *of, const struct sniff_result *sr, const struct text_limits *tl,
                    struct text_result *tr)
{
	lseek(of->fd, 0, SEEK_SET);
	if (text_extract(of->fd, (int)sr->kind, sr->mime, tl, tr) == 0)
		return true;
	text_result_free(tr);
	memset(tr, 0, sizeof(*tr));
	tr->note = strdup("服务器内存不足，未能读取文件内容");
	return false;
}

/* The words of a finished document or image, for classification by
 * content and the eligibility pre-check. */
static void file_text(struct child *ch, struct outfile *of, const struct filemeta *m,
                      const struct sniff_result *sr)
{
	struct text_limits tl;
	struct text_result tr;
	bool ocr_skipped = false;
	char note[160];

	if (m->body_image || of->size == 0 || !text_wanted(sr->kind, sr->mime))
		return;
	memset(&tr, 0, sizeof(tr));
	if (ch->ntext >= ch->lim->text_files) {
		snprintf(note, sizeof(note), "本邮件中需读取内容的文件超过 %u 个，此文件未读取内容",
		         ch->lim->text_files);
		tr.note = note;
		emit_text(ch, of->seq, &tr);
		return;
	}
	/* All a message's text must stay well inside what one child may send. */
	if (ch->text_total + ch->lim->text_bytes > TEXT_TOTAL_MAX) {
		snprintf(note, sizeof(note), "本邮件读取的文字已达上限，此文件未读取内容");
		tr.note = note;
		emit_text(ch, of->seq, &tr);
		return;
	}
	ch->ntext++;
	memset(&tl, 0, sizeof(tl));
	tl.max_bytes = ch->lim->text_bytes;
	tl.max_pages = ch->lim->text_pages;
	tl.ocr = ch->ocr;
	tl.ocr_ms = ch->lim->ocr_ms;
	text_limits_fill(&tl);
	/* A PDF is read without OCR first: most have a text layer, and only
	 * those without one claim OCR time.  An image always needs it. */
	if (tl.ocr && may_ocr(sr) && sr->kind != SNIFF_IMAGE) {
		tl.ocr = false;
		if (extract(of, sr, &tl, &tr) && tr.source != TEXT_NONE)
			goto send;
		text_result_free(&tr);
		memset(&tr, 0, sizeof(tr));
		tl.ocr = true;
	}
	if (tl.ocr && may_ocr(sr) && !budget_claim(ch)) {
		if (ch->failed)
			return;
		tl.ocr = false;
		ocr_skipped = true;
	}
	(void)extract(of, sr, &tl, &tr);
	if (ocr_skipped && tr.source == TEXT_NONE) {
		free(tr.note);
		tr.note = strdup("本邮件文字识别用时已达上限，此文件未作文字识别");
	}
send:
	ch->text_total += tr.text ? tr.len : 0;
	emit_text(ch, of->seq, &tr);
	text_result_free(&tr);
}

/* A finished file: sniff it, report it, open it if it is an archive. */
#define SYNC_IN_CHILD_BYTES (1U << 20)

static void file_done(struct child *ch, struct outfile *of, const struct filemeta *m)
{
	struct sniff_result sr;
	bool container;

	if (of->fd < 0)
		return;
	lseek(of->fd, 0, SEEK_SET);
	if (sniff_fd(ch->sniff, of->fd, m->name, &sr) != 0)
		snprintf(sr.mime, sizeof(sr.mime), "application/octet-stream");
	container = sr.kind == SNIFF_ARCHIVE;
	emit_file(ch, of, m, &sr, container);
	if (!container && !ch->failed)
		file_text(ch, of, m, &sr);
	if (container && !ch->failed) {
		if (m->depth == 0)
			ch->arc_trouble = false;
		lseek(of->fd, 0, SEEK_SET);
		unpack_into(ch, of->fd, of->seq, m->depth + 1, m->top, m->top_name,
		            m->path, m->inner ? m->inner : NULL, m->part, m->in_forward);
	}
	if (container && m->depth == 0 && ch->arc_trouble && !ch->failed) {
		/*
		 * Something in this attachment could not be read: an encrypted
		 * zip whose password comes by phone, a damaged volume, entries
		 * refused.  The attachment as sent is kept beside what was
		 * read, so staff can export it and open it themselves.  Only the
		 * attached archive is kept, never a nested one: its bytes hold
		 * every nested archive, and it is no larger than the message.
		 */
		wb_begin(&ch->rec, REC_KEPT);
		wb_u64(&ch->rec, of->seq);
		if (wb_send(&ch->rec, ch->out) != 0)
			ch->failed = true;
		container = false;
	}
	if (container) {
		/* Not stored (emit_file() names no file): gone before writeback. */
		char name[16];

		close(of->fd);
		of->fd = -1;
		snprintf(name, sizeof(name), "%04u", of->seq);
		unlinkat(ch->workdir, name, 0);
		return;
	}
	/*
	 * A large file is made durable here, while the parent fetches the
	 * next message, so the parent's one syncfs() per message finds only
	 * names to write.  Small files are left to that syncfs(): one flush
	 * each would cost more than their bytes.
	 */
	if (of->size >= SYNC_IN_CHILD_BYTES && fdatasync(of->fd) != 0)
		local_failure(ch, errno);
	close(of->fd);
	of->fd = -1;
}

/* --- archive entries --- */

struct arcframe {
	struct child *ch;
	unsigned parent_seq, depth;
	int top;
	const char *top_name, *path_prefix, *inner_prefix, *part;
	bool in_forward;
	struct outfile cur;
	struct unpack_entry e;  /* borrowed strings valid until entry_end */
	char *path, *inner, *name, *raw;
	size_t raw_len;
	unsigned problem_file;
};

static void arc_problem(void *ctx, const char *kind, const char *subject, const char *reason)
{
	struct arcframe *f = ctx;

	f->ch->arc_trouble = true;
	emit_problem(f->ch, f->parent_seq, kind, subject, reason);
}

static int arc_begin(void *ctx, const struct unpack_entry *e)
{
	struct arcframe *f = ctx;
	const char *slash;

	if (f->ch->failed)
		return -1;
	free(f->path);
	free(f->inner);
	free(f->name);
	free(f->raw);
	f->path = f->inner = f->name = f->raw = NULL;
	if (asprintf(&f->path, "%s/%s", f->path_prefix, e->path) < 0)
		return -1;
	if (f->inner_prefix) {
		if (asprintf(&f->inner, "%s/%s", f->inner_prefix, e->path) < 0)
			return -1;
	} else {
		f->inner = strdup(e->path);
	}
	slash = strrchr(e->path, '/');
	f->name = strdup(slash ? slash + 1 : e->path);
	f->raw = malloc(e->raw_len + 1);
	if (!f->inner || !f->name || !f->raw)
		return -1;
	memcpy(f->raw, e->raw, e->raw_len);
	f->raw_len = e->raw_len;
	f->e = *e;
	if (outfile_open(f->ch, &f->cur) != 0) {
		emit_problem(f->ch, f->parent_seq, PROB_ARCHIVE_CORRUPT, f->path,
		             "服务器无法保存压缩包中的文件");
		return 1;
	}
	return 0;
}

static int arc_data(void *ctx, const void *buf, size_t len)
{
	struct arcframe *f = ctx;

	if (outfile_write(&f->cur, buf, len) != 0) {
		if (f->cur.too_big)
			emit_problem(f->ch, f->parent_seq, PROB_ARCHIVE_BOMB, f->path,
			             "压缩包中的单个文件超过大小限制，已停止解压");
		return -1;
	}
	return 0;
}

static int arc_end(void *ctx, bool ok)
{
	struct arcframe *f = ctx;
	struct filemeta m = {
		.parent = f->parent_seq, .depth = f->depth, .top = f->top,
		.part = f->part, .path = f->path, .name = f->name,
		.top_name = f->top_name, .inner = f->inner,
		.raw = f->raw, .raw_len = f->raw_len, .lossy = f->e.name_lossy,
		.in_forward = f->in_forward,
	};
	char name[16];

	if (f->cur.fd < 0)
		return f->ch->failed ? -1 : 0;
	if (!ok) {
		/* Partial data is no file: drop it, the problem is recorded. */
		close(f->cur.fd);
		f->cur.fd = -1;
		snprintf(name, sizeof(name), "%04u", f->cur.seq);
		unlinkat(f->ch->workdir, name, 0);
		return f->ch->failed ? -1 : 0;
	}
	file_done(f->ch, &f->cur, &m);
	return f->ch->failed ? -1 : 0;
}

static void unpack_into(struct child *ch, int fd, unsigned parent_seq, unsigned depth,
                        int top, const char *top_name, const char *path_prefix,
                        const char *inner_prefix, const char *part, bool in_forward)
{
	struct arcframe f;
	struct unpack_sink sink = { &f, arc_begin, arc_data, arc_end, arc_problem };

	memset(&f, 0, sizeof(f));
	f.ch = ch;
	f.parent_seq = parent_seq;
	f.depth = depth;
	f.top = top;
	f.top_name = top_name;
	f.path_prefix = path_prefix;
	f.inner_prefix = inner_prefix;
	f.part = part;
	f.in_forward = in_forward;
	f.cur.fd = -1;
	if (unpack_fd(fd, path_prefix, depth, ch->lim, &ch->budget, &sink) != 0)
		ch->arc_trouble = true;
	if (f.cur.fd >= 0)
		close(f.cur.fd);
	free(f.path);
	free(f.inner);
	free(f.name);
	free(f.raw);
}

/* --- MIME parts --- */

struct partstate {
	struct child *ch;
	struct outfile cur;
	struct filemeta m;
	char *path, *name, *partno, *raw;
	bool text_body;          /* letter text: kept for link scanning, not stored */
	char *charset;
	char *tbuf;              /* raw body text of the current part, bounded */
	size_t tlen;
};

static void mime_problem(void *ctx, const char *kind, const char *subject, const char *reason)
{
	struct partstate *ps = ctx;

	emit_problem(ps->ch, 0, kind, subject, reason);
}

static bool is_image(const char *ct)
{
	return strncmp(ct, "image/", 6) == 0;
}

static int part_begin(void *ctx, const struct mime_part *p)
{
	struct partstate *ps = ctx;
	struct child *ch = ps->ch;

	if (ch->failed)
		return -1;
	free(ps->path);
	free(ps->name);
	free(ps->partno);
	free(ps->raw);
	free(ps->charset);
	free(ps->tbuf);
	ps->path = ps->name = ps->partno = ps->raw = ps->charset = ps->tbuf = NULL;
	ps->tlen = 0;
	ps->text_body = p->is_body;
	ps->cur.fd = -1;
	if (p->is_body) {
		ps->charset = p->charset ? strdup(p->charset) : NULL;
		return 0;
	}
	/* Parts of a bounce or receipt that are not files (delivery-status,
	 * headers) are still kept, under a name that says what they are. */
	if (p->filename && *p->filename)
		ps->name = strdup(p->filename);
	else if (asprintf(&ps->name, "未命名附件-%s", p->path) < 0)
		ps->name = NULL;
	ps->partno = strdup(p->path);
	if (!ps->name || !ps->partno)
		return -1;
	ps->path = strdup(ps->name);
	if (p->filename_raw) {
		ps->raw = malloc(p->filename_raw_len + 1);
		if (ps->raw)
			memcpy(ps->raw, p->filename_raw, p->filename_raw_len);
	}
	memset(&ps->m, 0, sizeof(ps->m));
	ps->m.parent = 0;
	ps->m.depth = 0;
	ps->m.top = ch->tops++;
	ps->m.part = ps->partno;
	ps->m.path = ps->path;
	ps->m.name = ps->name;
	ps->m.top_name = ps->name;
	ps->m.inner = NULL;
	ps->m.raw = ps->raw;
	ps->m.raw_len = ps->raw ? p->filename_raw_len : 0;
	ps->m.lossy = p->filename_lossy;
	ps->m.in_forward = p->in_forward;
	ps->m.body_image = is_image(p->content_type) &&
		(p->in_related || (p->disposition != MIME_DISP_ATTACHMENT && p->content_id));
	if (outfile_open(ch, &ps->cur) != 0) {
		emit_problem(ch, 0, PROB_PART_DECODE, ps->name, "服务器无法保存该附件");
		return 1;
	}
	return 0;
}

static int part_data(void *ctx, const void *buf, size_t len)
{
	struct partstate *ps = ctx;
	struct child *ch = ps->ch;

	if (ps->text_body) {
		size_t room = ch->lim->body_text_bytes > ps->tlen ? ch->lim->body_text_bytes - ps->tlen : 0;
		size_t n = len < room ? len : room;
		if (n > 0) {
			char *nb = realloc(ps->tbuf, ps->tlen + n + 1);
			if (!nb)
				return -1;
			ps->tbuf = nb;
			memcpy(ps->tbuf + ps->tlen, buf, n);
			ps->tlen += n;
		}
		return 0;
	}
	if (outfile_write(&ps->cur, buf, len) != 0) {
		if (ps->cur.too_big)
			emit_problem(ch, 0, PROB_MIME_LIMIT, ps->name, "附件超过大小限制");
		return -1;
	}
	return 0;
}

static int part_end(void *ctx, bool ok)
{
	struct partstate *ps = ctx;
	struct child *ch = ps->ch;

	if (ps->text_body) {
		if (ps->tlen > 0) {
			char *u = names_to_utf8(ps->tbuf, ps->tlen, ps->charset, ch->lim->body_text_bytes * 4, NULL);
			size_t ul = u ? strlen(u) : 0;
			size_t room = ch->lim->body_text_bytes * 2 > ch->body_len ? ch->lim->body_text_bytes * 2 - ch->body_len : 0;
			if (u && ul <= room) {
				char *nb = realloc(ch->body, ch->body_len + ul + 2);
				if (nb) {
					ch->body = nb;
					memcpy(ch->body + ch->body_len, u, ul);
					ch->body_len += ul;
					ch->body[ch->body_len++] = '\n';
					ch->body[ch->body_len] = '\0';
				}
			}
			free(u);
		}
		return ch->failed ? -1 : 0;
	}
	if (ps->cur.fd < 0)
		return ch->failed ? -1 : 0;
	(void)ok; /* a damaged body is still kept; mime reported the problem */
	file_done(ch, &ps->cur, &ps->m);
	return ch->failed ? -1 : 0;
}

static void link_found(void *ctx, const char *url, const char *name)
{
	struct child *ch = ctx;
	char *reason = NULL;

	if (asprintf(&reason, "邮件正文中的“%s”是超大附件下载链接，文件并未随邮件附上，且链接会过期；请将该文件直接作为附件发送：%s",
	             name ? name : "超大附件", url) < 0)
		return;
	emit_problem(ch, 0, PROB_BIG_ATTACHMENT, url, reason);
	free(reason);
}

/* The first Received: header's date: the time our own server took the
 * message, used when no INTERNALDATE (--received) is given. */
static void emit_received(struct child *ch, const char *msg, size_t len)
{
	size_t hdr_end = len < ch->lim->header_bytes ? len : ch->lim->header_bytes;
	const char *p = msg, *end = msg + hdr_end;
	char *field = NULL, *semi;
	size_t flen = 0, idx = 0;
	struct mailimf_date_time *dt = NULL;

	/* Find "Received:" at the start of a line inside the header block. */
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (ll == 0 || (ll == 1 && p[0] == '\r'))
			break;
		if (ll > 9 && strncasecmp(p, "Received:", 9) == 0) {
			const char *q = p + 9;
			const char *stop = eol ? eol + 1 : end;
			/* unfold continuation lines */
			while (stop < end && (*stop == ' ' || *stop == '\t')) {
				const char *e2 = memchr(stop, '\n', (size_t)(end - stop));
				stop = e2 ? e2 + 1 : end;
			}
			flen = (size_t)(stop - q);
			field = malloc(flen + 1);
			if (!field)
				return;
			for (size_t i = 0, j = 0; i < flen; i++)
				if (q[i] != '\r' && q[i] != '\n')
					field[j++] = q[i], field[j] = '\0';
			break;
		}
		p = eol ? eol + 1 : end;
	}
	if (!field)
		return;
	semi = strrchr(field, ';');
	if (semi && mailimf_date_time_parse(semi + 1, strlen(semi + 1), &idx, &dt) == MAILIMF_NO_ERROR) {
		struct tm tm = { 0 };
		int z = dt->dt_zone, off = (z < 0 ? -1 : 1) * ((abs(z) / 100) * 60 + abs(z) % 100);
		time_t t;
		tm.tm_year = dt->dt_year - 1900;
		tm.tm_mon = dt->dt_month - 1;
		tm.tm_mday = dt->dt_day;
		tm.tm_hour = dt->dt_hour;
		tm.tm_min = dt->dt_min;
		tm.tm_sec = dt->dt_sec;
		t = timegm(&tm) - (time_t)off * 60;
		if (dt->dt_year > 1990 && dt->dt_year < 2200) {
			wb_begin(&ch->rec, REC_RECEIVED);
			wb_u64(&ch->rec, (uint64_t)(int64_t)t);
			wb_u64(&ch->rec, (uint64_t)(int64_t)off);
			if (wb_send(&ch->rec, ch->out) != 0)
				ch->failed = true;
		}
		mailimf_date_time_free(dt);
	}
	free(field);
}

static void emit_info(struct child *ch, const struct mime_info *in, bool ok)
{
	struct wbuf *b = &ch->rec;

	wb_begin(b, REC_INFO);
	wb_u64(b, ok);
	wb_str(b, in->subject);
	wb_str(b, in->from_addr);
	wb_str(b, in->from_display);
	wb_str(b, in->reply_to_addr);
	wb_str(b, in->return_path);
	wb_str(b, in->message_id);
	wb_str(b, in->in_reply_to);
	wb_str(b, in->date_raw);
	wb_str(b, in->auto_submitted);
	wb_str(b, in->precedence);
	wb_str(b, in->list_id);
	wb_str(b, in->top_type);
	wb_str(b, in->auth_results);
	wb_u64(b, (uint64_t)in->x_autoreply | (uint64_t)in->has_disposition_notification << 1);
	wb_u64(b, in->parts);
	wb_u64(b, in->max_depth);
	if (wb_send(b, ch->out) != 0)
		ch->failed = true;
}

/*
 * libetpan needs the whole message in one mapping and scans all of it; each
 * page it touches would stay resident, so a 200 MB message would cost
 * 200 MB of RSS.  The mapping is private and read-only: dropping its pages
 * is always safe (the next access reads them again from the page cache), so
 * a helper thread drops them every few milliseconds and RSS stays bounded
 * whatever the message size.
 */
#define EVICT_MIN_BYTES (16U << 20)

struct evictor {
	pthread_t tid;
	void *map;
	size_t len;
	volatile bool stop;
	bool running;
};

static void *evict_loop(void *arg)
{
	struct evictor *ev = arg;
	const struct timespec tick = { 0, 10 * 1000 * 1000 };

	while (!ev->stop) {
		nanosleep(&tick, NULL);
		madvise(ev->map, ev->len, MADV_DONTNEED);
	}
	return NULL;
}

static void evictor_start(struct evictor *ev, void *map, size_t len)
{
	memset(ev, 0, sizeof(*ev));
	ev->map = map;
	ev->len = len;
	if (len >= EVICT_MIN_BYTES && pthread_create(&ev->tid, NULL, evict_loop, ev) == 0)
		ev->running = true;
}

/* mime_sink.consumed: drop the pages of a decoded window at once. */
static void evict_range(void *ctx, const char *p, size_t len)
{
	struct partstate *ps = ctx;
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + pg - 1) & ~(pg - 1), b = ((uintptr_t)p + len) & ~(pg - 1);

	if (ps->ch->evict && b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
}

static void evictor_stop(struct evictor *ev)
{
	if (!ev->running)
		return;
	ev->stop = true;
	pthread_join(ev->tid, NULL);
	ev->running = false;
}

/*
 * What every parse child needs and no message can change, made once per
 * process before the first fork and inherited: libmagic's loaded database
 * (loading it took a child longer than sniffing a small message's files),
 * the seccomp filter (built from ~80 rules) and the GB18030 converter.
 * If any fails here, each child makes its own as before.
 */
static struct sniff *shared_sniff;
static bool shared_ready;

/* Tesseract's Simplified Chinese data, looked for once per process. */
const char *worker_ocr_data(void)
{
	static bool looked;
	static char path[512];
	glob_t g;

	if (!looked) {
		looked = true;
		path[0] = '\0';
		if (glob("/usr/share/tesseract-ocr/*/tessdata/chi_sim.traineddata", 0, NULL, &g) == 0) {
			if (g.gl_pathc > 0)
				snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
			globfree(&g);
		}
	}
	return path[0] ? path : NULL;
}

bool worker_ocr_enabled(const struct intake_limits *lim)
{
	if (lim->ocr == LIMIT_OCR_ON)
		return true;
	if (lim->ocr == LIMIT_OCR_OFF)
		return false;
	return worker_ocr_data() != NULL;
}

static void prepare_shared(void)
{
	char err[256];

	if (shared_ready)
		return;
	shared_ready = true;
	shared_sniff = sniff_new(err, sizeof(err));
	(void)sandbox_prepare(err, sizeof(err));
	names_preload();
	(void)worker_ocr_data();
}

/* The whole job of a child; also run in-process by tests. */
static struct sandbox_user sandbox_user;
void (*worker_sandbox_probe)(int workdir);

void worker_set_sandbox_user(const struct sandbox_user *u)
{
	sandbox_user = *u;
}

static int child_run(int msg_fd, int workdir, const struct intake_limits *lim, struct out *o,
                     bool sandbox)
{
	struct child ch;
	struct partstate ps;
	struct mime_sink sink = { &ps, part_begin, part_data, part_end, mime_problem, evict_range };
	struct mime_info info;
	struct stat st;
	struct evictor ev;
	char *map = NULL;
	char err[256];
	int r = -1;

	memset(&ev, 0, sizeof(ev));
	memset(&ch, 0, sizeof(ch));
	memset(&ps, 0, sizeof(ps));
	memset(&info, 0, sizeof(info));
	ch.out = o;
	ch.workdir = workdir;
	ch.lim = lim;
	ch.forked = sandbox;
	ch.ocr = worker_ocr_enabled(lim);
	ps.ch = &ch;
	ps.cur.fd = -1;
	ch.sniff = shared_sniff ? shared_sniff : sniff_new(err, sizeof(err));
	if (!ch.sniff) {
		emit_problem(&ch, 0, PROB_WORKER_PROTOCOL, NULL, "服务器文件类型识别组件无法加载");
		goto out;
	}
	/* The magic database is loaded: from here on the child holds only
	 * the message, its work directory and the pipe back. */
	if (sandbox) {
		bool ll;

		if (sandbox_enter(&sandbox_user, workdir, &ll, err, sizeof(err)) != 0) {
			emit_problem(&ch, 0, PROB_WORKER_PROTOCOL, NULL, "服务器解析进程无法进入隔离环境");
			fprintf(stderr, "intake parse child: sandbox: %s\n", err);
			goto out;
		}
		if (worker_sandbox_probe)
			worker_sandbox_probe(workdir);
	}
	if (fstat(msg_fd, &st) != 0)
		goto out;
	if (st.st_size == 0) {
		emit_problem(&ch, 0, PROB_MIME_UNPARSEABLE, NULL, "邮件内容为空");
		emit_info(&ch, &info, false);
		r = 0;
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, msg_fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		goto out;
	}
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	emit_received(&ch, map, (size_t)st.st_size);
	evictor_start(&ev, map, (size_t)st.st_size);
	ch.evict = ev.running;
	r = mime_walk(map, (size_t)st.st_size, lim, &sink, &info);
	evictor_stop(&ev);
	if (ch.body_len > 0)
		mime_find_big_attachments(ch.body, ch.body_len, link_found, &ch);
	emit_info(&ch, &info, r == 0);
	r = ch.failed ? -1 : 0;
out:
	if (ps.cur.fd >= 0)
		close(ps.cur.fd);
	free(ps.path);
	free(ps.name);
	free(ps.partno);
	free(ps.raw);
	free(ps.charset);
	free(ps.tbuf);
	free(ch.body);
	mime_info_free(&info);
	if (ch.sniff != shared_sniff)
		sniff_free(&ch.sniff);
	if (map)
		munmap(map, (size_t)st.st_size);
	/* DONE last: the parent trusts a result only when it arrives. */
	if (r == 0) {
		wb_begin(&ch.rec, REC_DONE);
		wb_u64(&ch.rec, 0);
		r = wb_send(&ch.rec, o);
	}
	free(ch.rec.p);
	return r;
}

/* ------------------------------------------------------------------ */
/* The parent side.                                                    */

static int add_problem(struct worker_result *r, unsigned file, const char *kind,
                       const char *subject, const char *reason)
{
	struct worker_problem *np = realloc(r->problems, (r->nproblems + 1) * sizeof(*np));

	if (!np)
		return -1;
	r->problems = np;
	np[r->nproblems].file = file;
	np[r->nproblems].kind = strdup(kind);
	np[r->nproblems].subject = subject ? strdup(subject) : NULL;
	np[r->nproblems].reason = strdup(reason);
	r->nproblems++;
	return 0;
}

static struct worker_file *file_by_seq(struct worker_result *r, unsigned seq)
{
	/* REC_TEXT follows its REC_FILE, usually at once. */
	for (size_t i = r->nfiles; i-- > 0;)
		if (r->files[i].seq == seq)
			return &r->files[i];
	return NULL;
}

struct decoder {
	const struct intake_limits *lim;
	unsigned long long budget_ms;  /* wall time the child claimed for OCR */
};

/* Decode one record; returns 1 for DONE, 0 for others, -1 for garbage. */
static int decode_record(struct worker_result *r, struct decoder *dc, const unsigned char *p, size_t n)
{
	struct rcur c = { p + 1, n - 1, false };
	struct worker_file f;
	uint64_t flags, kind;

	if (n < 1)
		return -1;
	switch (p[0]) {
	case REC_INFO: {
		struct mime_info *in = &r->info;
		mime_info_free(in);
		r->mime_ok = rc_u64(&c) != 0;
		in->subject = rc_str(&c);
		in->from_addr = rc_str(&c);
		in->from_display = rc_str(&c);
		in->reply_to_addr = rc_str(&c);
		in->return_path = rc_str(&c);
		in->message_id = rc_str(&c);
		in->in_reply_to = rc_str(&c);
		in->date_raw = rc_str(&c);
		in->auto_submitted = rc_str(&c);
		in->precedence = rc_str(&c);
		in->list_id = rc_str(&c);
		in->top_type = rc_str(&c);
		in->auth_results = rc_str(&c);
		flags = rc_u64(&c);
		in->x_autoreply = flags & 1;
		in->has_disposition_notification = (flags >> 1) & 1;
		in->parts = (unsigned)rc_u64(&c);
		in->max_depth = (unsigned)rc_u64(&c);
		break;
	}
	case REC_FILE: {
		struct worker_file *nf;
		memset(&f, 0, sizeof(f));
		f.seq = (unsigned)rc_u64(&c);
		f.parent = (unsigned)rc_u64(&c);
		f.depth = (unsigned)rc_u64(&c);
		f.top = (int)(int64_t)rc_u64(&c);
		f.part = rc_str(&c);
		f.path = rc_str(&c);
		f.name = rc_str(&c);
		f.top_name = rc_str(&c);
		f.inner = rc_str(&c);
		f.name_raw = rc_bytes(&c, &f.name_raw_len);
		flags = rc_u64(&c);
		f.name_lossy = flags & 1;
		f.body_image = (flags >> 1) & 1;
		f.in_forward = (flags >> 2) & 1;
		f.container = (flags >> 3) & 1;
		f.ext_mismatch = (flags >> 4) & 1;
		f.size = rc_u64(&c);
		rc_fixed(&c, f.sha256, sizeof(f.sha256));
		rc_fixed(&c, f.mime, sizeof(f.mime));
		kind = rc_u64(&c);
		f.kind = kind <= SNIFF_OTHER ? (int)kind : SNIFF_OTHER;
		rc_fixed(&c, f.stored, sizeof(f.stored));
		if (c.bad || !f.path || !f.name || !f.part || f.seq == 0) {
			free(f.part); free(f.path); free(f.name); free(f.top_name);
			free(f.inner); free(f.name_raw);
			return -1;
		}
		nf = realloc(r->files, (r->nfiles + 1) * sizeof(*nf));
		if (!nf)
			return -1;
		r->files = nf;
		r->files[r->nfiles++] = f;
		break;
	}
	case REC_PROBLEM: {
		unsigned file = (unsigned)rc_u64(&c);
		char *kind_s = rc_str(&c), *subject = rc_str(&c), *reason = rc_str(&c);
		int rr = (c.bad || !kind_s || !reason) ? -1 : add_problem(r, file, kind_s, subject, reason);
		free(kind_s);
		free(subject);
		free(reason);
		if (rr != 0)
			return -1;
		break;
	}
	case REC_RECEIVED:
		r->received = (time_t)(int64_t)rc_u64(&c);
		r->received_offset = (int)(int64_t)rc_u64(&c);
		r->received_known = !c.bad;
		break;
	case REC_TEXT: {
		unsigned seq = (unsigned)rc_u64(&c);
		uint64_t src = rc_u64(&c), conf = rc_u64(&c), pages = rc_u64(&c), trunc = rc_u64(&c);
		char *note = rc_str(&c);
		size_t tlen = 0;
		char *text = rc_bytes(&c, &tlen);
		struct worker_file *wf = c.bad ? NULL : file_by_seq(r, seq);

		/* One text per file, of a known source, within the cap. */
		if (!wf || wf->text_done || src > TEXT_OCR || conf > 100 || tlen > dc->lim->text_bytes ||
		    (note && strlen(note) > 1024)) {
			free(note);
			free(text);
			return -1;
		}
		/* The child's text is UTF-8 by contract; what is not is dropped,
		 * not trusted into the ledger and JSON. */
		if (text && (memchr(text, '\0', tlen) || !names_is_utf8(text, tlen))) {
			free(text);
			text = NULL;
			tlen = 0;
			free(note);
			note = strdup("文件内容编码异常，未采用");
		}
		if (note && !names_is_utf8(note, strlen(note))) {
			free(note);
			note = NULL;
		}
		wf->text_done = true;
		wf->text = text;
		wf->text_len = text ? tlen : 0;
		wf->text_source = text ? (int)src : TEXT_NONE;
		wf->text_confidence = (int)conf;
		wf->text_pages = pages > 100000 ? 100000 : (unsigned)pages;
		wf->text_truncated = trunc != 0;
		wf->text_note = note;
		break;
	}
	case REC_KEPT: {
		/* An attached archive not read whole is kept after all: it was
		 * named by its REC_FILE as an opened archive, not stored. */
		unsigned seq = (unsigned)rc_u64(&c);
		struct worker_file *wf = c.bad ? NULL : file_by_seq(r, seq);

		if (!wf || !wf->container || wf->depth != 0 || wf->stored[0] != '\0')
			return -1;
		snprintf(wf->stored, sizeof(wf->stored), "%04u", seq);
		break;
	}
	case REC_BUDGET: {
		uint64_t ms = rc_u64(&c);
		unsigned long long cap = (unsigned long long)dc->lim->ocr_extra_seconds * 1000;

		if (c.bad || ms > cap || dc->budget_ms + ms > cap)
			return -1;
		dc->budget_ms += ms;
		break;
	}
	case REC_DONE:
		(void)rc_u64(&c);
		return c.bad ? -1 : 1;
	case REC_LOCAL:
		r->local_errno = (int)rc_u64(&c);
		if (!local_errno_p(r->local_errno))
			return -1;
		break;
	default:
		return -1;
	}
	return c.bad ? -1 : 0;
}

/* Decode every complete record in buf[0..len); returns bytes consumed,
 * sets *done / *bad. */
static size_t decode_stream(struct worker_result *r, struct decoder *dc,
                            const unsigned char *buf, size_t len, bool *done, bool *bad)
{
	size_t off = 0;

	while (!*done && !*bad && len - off >= 4) {
		uint32_t n = (uint32_t)buf[off] | (uint32_t)buf[off + 1] << 8 |
		             (uint32_t)buf[off + 2] << 16 | (uint32_t)buf[off + 3] << 24;
		if (n == 0 || n > REC_MAX) {
			*bad = true;
			break;
		}
		if (len - off - 4 < n)
			break;
		int d = decode_record(r, dc, buf + off + 4, n);
		if (d < 0)
			*bad = true;
		else if (d == 1)
			*done = true;
		off += 4 + n;
	}
	return off;
}

static void child_limits(const struct intake_limits *lim, int msg_fd)
{
	struct rlimit rl;

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WORKER_ASAN 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(WORKER_ASAN)
	/* ASan (gcc or clang) reserves terabytes of shadow address space: the
	 * sanitizer build of the test suite runs without this one limit. */
	{
		/* The message is mapped whole (read-only, from the page cache):
		 * its size comes on top of the memory the limit is about, or a
		 * message near max_message_bytes could not even be mapped. */
		struct stat st;

		rl.rlim_cur = rl.rlim_max = lim->address_space +
			(fstat(msg_fd, &st) == 0 && st.st_size > 0 ? (rlim_t)st.st_size : 0);
		setrlimit(RLIMIT_AS, &rl);
	}
#else
	(void)msg_fd;
#endif
	/* The child raises its soft limit itself, file by file, for OCR
	 * (budget_claim()); never past this. */
	rl.rlim_cur = lim->cpu_seconds;
	rl.rlim_max = lim->cpu_seconds + 5 + (worker_ocr_enabled(lim) ? lim->ocr_extra_seconds : 0);
	setrlimit(RLIMIT_CPU, &rl);
	/* A single file may not grow past the per-entry cap (+ slack). */
	rl.rlim_cur = rl.rlim_max = lim->entry_bytes + (1 << 20);
	setrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &rl);
	rl.rlim_cur = rl.rlim_max = 64;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void (*worker_heartbeat)(void);
bool (*worker_idle)(void *ctx);
void *worker_idle_ctx;

/*
 * The child says the work directory could not be written.  A child
 * subverted by its message could say so of every message and stall intake
 * for good, so the claim stands only when the file system agrees: it is
 * read-only, or nearly full while the child's partial output is still in
 * it.  Otherwise the message is recorded with a worker-protocol problem.
 */
#define WORKER_FULL_BYTES (16ULL << 20)

static bool local_claim_holds(int work_dirfd)
{
	struct statvfs sv;

	if (fstatvfs(work_dirfd, &sv) != 0)
		return true;
	return (sv.f_flag & ST_RDONLY) || sv.f_favail == 0 ||
	       (unsigned long long)sv.f_bavail * sv.f_frsize < WORKER_FULL_BYTES;
}

/*
 * A forked parse: the child, the pipe it reports on, and what has been
 * decoded so far.  Heap-allocated so that dc.lim can point at lim.
 */
struct worker_job {
	struct intake_limits lim;
	struct decoder dc;
	struct worker_result r;
	int pfd, work_dirfd;
	pid_t pid;
	int pidfd;               /* the child, for signals (not our child: the zygote's) */
	unsigned zgen;           /* the zygote that forked it */
	unsigned char *buf;
	size_t blen, bcap, total;
	bool done, bad, timed_out, ended;
	unsigned long long budget_seen;
	long long deadline;
};

/* The job parsing ahead, read while another one is waited for. */
static struct worker_job *background;
static unsigned live_jobs;   /* started and not yet freed */

void worker_set_background(struct worker_job *j)
{
	background = j;
}

static void job_free(struct worker_job *j)
{
	if (background == j)
		background = NULL;
	if (j->pidfd >= 0)
		close(j->pidfd);
	if (j->pid > 0)
		live_jobs--;
	free(j->buf);
	free(j);
}

/*
 * The zygote: a small process forked once, before the parent's heap has
 * grown, that forks every parse child.  Forking from the parent itself
 * made each page the parent wrote afterwards (fetch buffers, the
 * ledger's cache) a copy-on-write fault with a TLB shootdown: a fifth of
 * the CPU time on small messages.  The zygote only waits, so its pages
 * stay shared and the parent never forks again.
 *
 * Requests (SOCK_SEQPACKET, one per child): struct zreq with the
 * message, work directory and pipe descriptors.  Answers: ZM_STARTED
 * with a pidfd of the child, and ZM_EXITED with its wait status once
 * the zygote reaped it.  The zygote dies with the parent
 * (PR_SET_PDEATHSIG) and the children with the zygote.
 */
struct zreq {
	struct intake_limits lim;
	struct sandbox_user user;
	void (*probe)(int);
};

enum { ZM_STARTED = 1, ZM_EXITED, ZM_FAILED };

struct zmsg {
	int type;
	pid_t pid;
	int status;              /* ZM_EXITED: wait status; ZM_FAILED: errno */
};

static int zsock = -1;
static pid_t zpid = -1;
static unsigned zgen;        /* counts zygotes started */
/* ZM_EXITED answers read while waiting for another one. */
struct zdone { pid_t pid; int status; };
static struct zdone zdone[8];
static unsigned nzdone;

static void child_main(int msg_fd, int work_dirfd, int out_fd, struct intake_limits *lim,
                       pid_t parent) __attribute__((noreturn));

static void child_main(int msg_fd, int work_dirfd, int out_fd, struct intake_limits *lim,
                       pid_t parent)
{
	struct out o = { out_fd, { NULL, 0, 0, false } };
	sigset_t none;

	/* intaked takes its signals through a signalfd and the zygote
	 * SIGCHLD: the child must not inherit them blocked. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* A crash must kill the child, not run a handler it inherited
	 * (a test framework's longjmp would go on running the parent's
	 * code in the child). */
	{
		static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP };

		for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
			signal(fatal[i], SIG_DFL);
	}
	/* Die with the zygote, which dies with the parent (kill -9 of
	 * intaked): an orphan must not go on writing into a work directory
	 * the next run reuses. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(4);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	/* Nothing of the parent's: not the ledger, the spool, the lock,
	 * the IMAP connection, nor another child's pipe. */
	{
		int keep[] = { msg_fd, work_dirfd, out_fd };

		sandbox_close_fds(keep, 3);
	}
	child_limits(lim, msg_fd);
	setlocale(LC_CTYPE, "C.UTF-8");
	_exit(child_run(msg_fd, work_dirfd, lim, &o, true) == 0 ? 0 : 3);
}

static int zsend(int sock, struct zmsg *m, int fd)
{
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*m) ? 0 : -1;
}

/* Receive one datagram of len bytes and up to nfd descriptors; the
 * number received in *nfd_r.  0 ok, -1 on EOF or error. */
static int zrecv(int sock, void *p, size_t len, int *fds, unsigned nfd, unsigned *nfd_r)
{
	union { char buf[CMSG_SPACE(3 * sizeof(int))]; struct cmsghdr align; } u;
	struct iovec iov = { p, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
	                     .msg_controllen = sizeof(u.buf) };
	ssize_t n;

	*nfd_r = 0;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n > 0 && c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*nfd_r < nfd)
				fds[(*nfd_r)++] = fd;
			else
				close(fd);
		}
	}
	if (n != (ssize_t)len || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (unsigned i = 0; i < *nfd_r; i++)
			close(fds[i]);
		*nfd_r = 0;
		return -1;
	}
	return 0;
}

static void zygote_main(int sock) __attribute__((noreturn));

static void zygote_main(int sock)
{
	pid_t self = getpid();
	sigset_t chld;
	int sfd;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	{
		int keep[] = { sock, sfd };

		sandbox_close_fds(keep, 2);
	}
	/* Stopping is the parent's to decide (systemd signals the whole
	 * cgroup, a terminal the whole group): the zygote and its children
	 * ignore these and die with the parent. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (sfd < 0)
		_exit(5);
	prepare_shared();
	for (;;) {
		struct pollfd pf[2] = { { sock, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		struct zreq rq;
		struct zmsg m;
		int fds[3];
		unsigned nfd;
		pid_t pid;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(5);
		}
		if (pf[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			int st;

			while (read(sfd, &si, sizeof(si)) > 0)
				;
			while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
				m = (struct zmsg){ ZM_EXITED, pid, st };
				(void)zsend(sock, &m, -1);
			}
		}
		if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (zrecv(sock, &rq, sizeof(rq), fds, 3, &nfd) != 0 || nfd != 3) {
			for (unsigned i = 0; i < nfd; i++)
				close(fds[i]);
			if (nfd > 0)
				continue;
			/* The parent closed the socket (worker_shutdown()): every
			 * child was reaped and reported; the parent reaps us. */
			_exit(0);
		}
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			close(sock);
			close(sfd);
			sandbox_user = rq.user;
			worker_sandbox_probe = rq.probe;
			child_main(fds[0], fds[1], fds[2], &rq.lim, self);
		}
		for (unsigned i = 0; i < 3; i++)
			close(fds[i]);
		if (pid < 0) {
			m = (struct zmsg){ ZM_FAILED, -1, errno };
			(void)zsend(sock, &m, -1);
			continue;
		}
		{
			int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

			m = (struct zmsg){ pidfd >= 0 ? ZM_STARTED : ZM_FAILED, pid, pidfd >= 0 ? 0 : errno };
			if (pidfd < 0)
				kill(pid, SIGKILL);   /* reaped above, reported as exited */
			(void)zsend(sock, &m, pidfd);
			if (pidfd >= 0)
				close(pidfd);
		}
	}
}

/* A zygote that died (killed, out of memory): forget it and reap it.
 * Its children died with it; their jobs end as killed. */
static void zygote_lost(void)
{
	if (zsock < 0)
		return;
	close(zsock);
	zsock = -1;
	if (zpid > 0) {
		kill(zpid, SIGKILL);
		while (waitpid(zpid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	zpid = -1;
	nzdone = 0;
}

static int zygote_up(char *err, size_t errlen)
{
	int sv[2];
	pid_t parent = getpid();

	if (zsock >= 0) {
		/* Still there?  A zygote that died is started again. */
		if (zpid > 0 && waitpid(zpid, NULL, WNOHANG) == 0)
			return 0;
		zpid = -1;
		zygote_lost();
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	zpid = fork();
	if (zpid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (zpid == 0) {
		close(sv[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(4);
		zygote_main(sv[1]);
	}
	close(sv[1]);
	zsock = sv[0];
	zgen++;
	return 0;
}

/* The next answer of the zygote; ZM_EXITED ones for other children are
 * kept in zdone.  want_pid 0: a ZM_STARTED/ZM_FAILED answer is wanted. */
static int zwait(pid_t want_pid, struct zmsg *m_r, int *pidfd_r)
{
	for (;;) {
		struct zmsg m;
		int fd = -1;
		unsigned nfd;

		if (want_pid > 0)
			for (unsigned i = 0; i < nzdone; i++)
				if (zdone[i].pid == want_pid) {
					*m_r = (struct zmsg){ ZM_EXITED, want_pid, zdone[i].status };
					zdone[i] = zdone[--nzdone];
					return 0;
				}
		if (zrecv(zsock, &m, sizeof(m), &fd, 1, &nfd) != 0)
			return -1;
		if (m.type == ZM_EXITED && m.pid != want_pid) {
			if (nzdone < sizeof(zdone) / sizeof(zdone[0]))
				zdone[nzdone++] = (struct zdone){ m.pid, m.status };
			continue;
		}
		if ((m.type == ZM_EXITED) != (want_pid > 0)) {
			if (nfd)
				close(fd);
			continue;
		}
		if (pidfd_r)
			*pidfd_r = nfd ? fd : -1;
		else if (nfd)
			close(fd);
		*m_r = m;
		return 0;
	}
}

static int zygote_start_child(struct worker_job *j, int msg_fd, int work_dirfd, struct zmsg *m_r,
                              char *err, size_t errlen);

int worker_start(int msg_fd, int work_dirfd, const struct intake_limits *lim_in,
                 struct worker_job **jp, char *err, size_t errlen)
{
	struct worker_job *j;
	struct zmsg m;

	*jp = NULL;
	j = calloc(1, sizeof(*j));
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	j->lim = *lim_in;
	limits_fill(&j->lim);
	j->dc.lim = &j->lim;
	j->work_dirfd = work_dirfd;
	j->pfd = j->pidfd = -1;
	/* A zygote found dead on the way is started again, once. */
	for (int attempt = 0; attempt < 2; attempt++) {
		int r = zygote_start_child(j, msg_fd, work_dirfd, &m, err, errlen);

		if (r == 0)
			break;
		if (r == -1 || attempt == 1) {
			free(j);
			return -1;
		}
		zygote_lost();
	}
	j->pid = m.pid;
	j->zgen = zgen;
	live_jobs++;
	j->deadline = now_ms() + (long long)j->lim.wall_seconds * 1000;
	*jp = j;
	return 0;
}

/* Ask the zygote for a child parsing msg_fd: 0 started (j->pfd and
 * j->pidfd set), -1 a local failure, -2 the zygote is gone. */
static int zygote_start_child(struct worker_job *j, int msg_fd, int work_dirfd, struct zmsg *m_r,
                              char *err, size_t errlen)
{
	struct zreq rq;
	struct zmsg m = { 0, 0, 0 };
	int pfd[2] = { -1, -1 };

	if (zygote_up(err, errlen) != 0)
		return -1;
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	memset(&rq, 0, sizeof(rq));
	rq.lim = j->lim;
	rq.user = sandbox_user;
	rq.probe = worker_sandbox_probe;
	{
		union { char buf[CMSG_SPACE(3 * sizeof(int))]; struct cmsghdr align; } u;
		int fds[3] = { msg_fd, work_dirfd, pfd[1] };
		struct iovec iov = { &rq, sizeof(rq) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
		                     .msg_controllen = sizeof(u.buf) };
		struct cmsghdr *c;
		ssize_t n;

		memset(&u, 0, sizeof(u));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
		do
			n = sendmsg(zsock, &mh, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		close(pfd[1]);
		if (n != (ssize_t)sizeof(rq) || zwait(0, &m, &j->pidfd) != 0) {
			snprintf(err, errlen, "fork: the parse zygote is gone");
			close(pfd[0]);
			return -2;
		}
		if (m.type != ZM_STARTED) {
			snprintf(err, errlen, "fork: %s", strerror(m.status));
			close(pfd[0]);
			return -1;
		}
	}
	j->pfd = pfd[0];
	*m_r = m;
	return 0;
}

int worker_zygote_pid(void)
{
	return zsock >= 0 ? (int)zpid : -1;
}

void worker_shutdown(void)
{
	/* A job still running (a parse ahead while intaked reloads its
	 * configuration) keeps the zygote. */
	if (zsock < 0 || live_jobs > 0)
		return;
	close(zsock);
	zsock = -1;
	if (zpid > 0)
		while (waitpid(zpid, NULL, 0) < 0 && errno == EINTR)
			;
	zpid = -1;
	nzdone = 0;
}

static void job_kill(struct worker_job *j)
{
	if (j->pidfd >= 0)
		(void)syscall(SYS_pidfd_send_signal, j->pidfd, SIGKILL, NULL, 0);
}

/* The child's wait status, from the zygote; a zygote that died leaves
 * it unknown, reported as killed. */
static int job_reap(struct worker_job *j)
{
	struct zmsg m;

	if (j->zgen != zgen || zsock < 0)
		return SIGKILL;      /* WIFSIGNALED, WTERMSIG == SIGKILL */
	if (zwait(j->pid, &m, NULL) != 0) {
		zygote_lost();
		return SIGKILL;
	}
	return m.status;
}

/* One read of what the child sent; sets ended at its end (or when it sent
 * garbage or too much). */
static void job_read(struct worker_job *j)
{
	ssize_t n;
	size_t used;

	if (j->bcap - j->blen < 65536) {
		size_t nc = j->bcap ? j->bcap * 2 : 262144;
		unsigned char *nb = realloc(j->buf, nc);

		if (!nb) {
			j->bad = j->ended = true;
			return;
		}
		j->buf = nb;
		j->bcap = nc;
	}
	n = read(j->pfd, j->buf + j->blen, j->bcap - j->blen);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		j->ended = true;
		return;
	}
	j->blen += (size_t)n;
	j->total += (size_t)n;
	if (j->total > REC_TOTAL_MAX) {
		j->bad = j->ended = true;
		return;
	}
	used = decode_stream(&j->r, &j->dc, j->buf, j->blen, &j->done, &j->bad);
	/* Time the child claimed for OCR moves the deadline (bounded by
	 * ocr_extra_seconds in decode_record()). */
	if (j->dc.budget_ms > j->budget_seen) {
		j->deadline += (long long)(j->dc.budget_ms - j->budget_seen);
		j->budget_seen = j->dc.budget_ms;
	}
	memmove(j->buf, j->buf + used, j->blen - used);
	j->blen -= used;
	if (j->bad)
		j->ended = true;
}

static bool job_expired(struct worker_job *j)
{
	if (!j->ended && now_ms() >= j->deadline) {
		j->timed_out = j->ended = true;
		job_kill(j);             /* reaped in job_end() */
	}
	return j->ended;
}

/*
 * Read j until its child is done, doing the parent's other work
 * meanwhile: the heartbeat, worker_idle steps, and reading the job
 * parsing ahead so that its pipe never stalls it.
 */
static void job_wait(struct worker_job *j)
{
	bool idle_more = worker_idle != NULL;

	while (!job_expired(j)) {
		struct worker_job *bg = background && background != j && !job_expired(background)
		                        ? background : NULL;
		struct pollfd pf[2] = { { j->pfd, POLLIN, 0 }, { bg ? bg->pfd : -1, POLLIN, 0 } };
		long long left = j->deadline - now_ms();
		int pr;

		if (bg && bg->deadline - now_ms() < left)
			left = bg->deadline - now_ms();
		if (left < 0)
			left = 0;
		/* With other work to do, only look whether a child spoke. */
		pr = poll(pf, 2, idle_more ? 0 : left > 5000 ? 5000 : (int)left);
		if (worker_heartbeat)
			worker_heartbeat();
		if (idle_more)
			idle_more = worker_idle(worker_idle_ctx);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		if (bg && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)))
			job_read(bg);
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR))
			job_read(j);
	}
}

/* Reap the child and judge how it ended; frees j. */
static int job_end(struct worker_job *j, struct worker_result *r, char *err, size_t errlen)
{
	int status = 0;

	if (j->timed_out || j->bad)
		job_kill(j);
	close(j->pfd);
	status = job_reap(j);
	*r = j->r;
	r->status = status;
	if (r->local_errno && local_claim_holds(j->work_dirfd)) {
		int e = r->local_errno;

		job_free(j);
		worker_result_free(r);
		snprintf(err, errlen, "parse child: cannot write the work directory: %s", strerror(e));
		errno = e;
		return -1;
	}
	r->local_errno = 0;
	if (j->timed_out) {
		r->outcome = WORKER_LIMIT;
		add_problem(r, 0, PROB_WORKER_LIMIT, NULL, "邮件处理超时，已中止；请检查附件是否过大或损坏");
	} else if (WIFSIGNALED(status) && !j->bad) {
		int sig = WTERMSIG(status);
		if (sig == SIGXCPU || sig == SIGXFSZ || sig == SIGKILL) {
			r->outcome = WORKER_LIMIT;
			add_problem(r, 0, PROB_WORKER_LIMIT, NULL, "邮件处理超出资源限制（时间或大小），已中止");
		} else {
			r->outcome = WORKER_CRASHED;
			add_problem(r, 0, PROB_WORKER_CRASHED, NULL, "邮件结构异常，解析程序无法处理，已中止");
		}
	} else if (j->bad || !j->done || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		r->outcome = WORKER_PROTOCOL;
		add_problem(r, 0, PROB_WORKER_PROTOCOL, NULL, "邮件解析过程异常中止");
	} else {
		r->outcome = WORKER_OK;
	}
	job_free(j);
	return 0;
}

int worker_finish(struct worker_job *j, struct worker_result *r, char *err, size_t errlen)
{
	if (background == j)
		background = NULL;
	job_wait(j);
	return job_end(j, r, err, errlen);
}

void worker_abandon(struct worker_job *j)
{
	if (!j)
		return;
	job_kill(j);
	close(j->pfd);
	(void)job_reap(j);
	worker_result_free(&j->r);
	job_free(j);
}

int worker_parse(int msg_fd, int work_dirfd, const struct intake_limits *lim_in,
                 bool fork_child, struct worker_result *r, char *err, size_t errlen)
{
	struct worker_job *j;

	memset(r, 0, sizeof(*r));
	if (!fork_child) {
		struct intake_limits lim = *lim_in;
		struct decoder dc = { &lim, 0 };
		struct out o = { -1, { NULL, 0, 0, false } };
		bool done = false, bad = false;
		int cr;

		limits_fill(&lim);
		prepare_shared();
		setlocale(LC_CTYPE, "C.UTF-8");
		cr = child_run(msg_fd, work_dirfd, &lim, &o, false);
		if (o.mem.p)
			(void)decode_stream(r, &dc, o.mem.p, o.mem.len, &done, &bad);
		free(o.mem.p);
		if (r->local_errno && local_claim_holds(work_dirfd)) {
			int e = r->local_errno;

			worker_result_free(r);
			snprintf(err, errlen, "parse child: cannot write the work directory: %s", strerror(e));
			errno = e;
			return -1;
		}
		r->outcome = (cr == 0 && done && !bad) ? WORKER_OK : WORKER_PROTOCOL;
		if (r->outcome != WORKER_OK)
			add_problem(r, 0, PROB_WORKER_PROTOCOL, NULL, "邮件解析过程异常中止");
		return 0;
	}
	if (worker_start(msg_fd, work_dirfd, lim_in, &j, err, errlen) != 0)
		return -1;
	return worker_finish(j, r, err, errlen);
}

void worker_result_free(struct worker_result *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		struct worker_file *f = &r->files[i];
		free(f->part);
		free(f->path);
		free(f->name);
		free(f->top_name);
		free(f->inner);
		free(f->name_raw);
		free(f->text);
		free(f->text_note);
	}
	for (size_t i = 0; i < r->nproblems; i++) {
		free(r->problems[i].kind);
		free(r->problems[i].subject);
		free(r->problems[i].reason);
	}
	free(r->files);
	free(r->problems);
	mime_info_free(&r->info);
	memset(r, 0, sizeof(*r));
}

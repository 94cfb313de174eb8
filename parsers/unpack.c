/*
 * unpack.c - list and stream the entries of one archive (libarchive).
 *
 * Every byte here is hostile.  The rules, and the crash or escape each one
 * prevents, are in unpack.h and in LIBRARIES.md section 6; the short form:
 * only zip/7z/rar/rar5/tar and the gzip/bzip2/xz filters are registered,
 * names are decoded before any separator handling, nothing is trusted from a
 * header (sizes, types), bytes are counted as they come out of the
 * decompressor, and every refusal is a problem naming the entry.
 */
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "arcsrc.h"
#include "names.h"

/* The ratio is judged only once an archive produced this much: a 2 KB zip of
 * a few small, repetitive text files may legitimately expand 300-fold. */
#define UNPACK_RATIO_FLOOR  (10ULL << 20)
/* Windows' limit for one name is 255 UTF-16 units; count code points. */
#define UNPACK_COMPONENT_MAX 255U
/* A whole path, in bytes, before any other limit applies. */
#define UNPACK_PATH_MAX     4096U
/* Bytes of an entry name quoted in a reason. */
#define UNPACK_SHOW_MAX     160U
/* Damaged headers skipped in one archive before it is given up. */
#define UNPACK_HEADER_RETRIES 4U
/* Bytes of a reason or subject (entry names are cut to UNPACK_SHOW_MAX). */
#define UNPACK_MSG_MAX      1024U
/* Largest zip central directory cross-checked, and RAR5 header scanned. */
#define UNPACK_ZIP_CD_MAX   (4U << 20)
#define UNPACK_RAR5_HDR_MAX (256U << 10)
/* An xz dictionary above this (xz -9 uses 64 MiB) explains a failed open. */
#define UNPACK_XZ_DICT_NOTE (128ULL << 20)

/* Reasons handed out by unpack_clean_path(); they complete "文件“x”…". */
static const char WHY_EMPTY[] = "没有文件名";
static const char WHY_ABSOLUTE[] = "使用了绝对路径";
static const char WHY_DRIVE[] = "带有盘符（如 C:）";
static const char WHY_DOTDOT[] = "路径越出目录";
static const char WHY_CONTROL[] = "文件名中含有控制字符";
static const char WHY_TOO_LONG[] = "文件名过长";
static const char WHY_ENCODING[] = "文件名编码无效";
static const char WHY_WIN_TRAILING[] = "文件名以点或空格结尾（Windows 会去掉它们，可能与其他文件混淆）";
static const char WHY_WIN_RESERVED[] = "是 Windows 保留的设备名（如 CON、NUL、COM1），无法在 Windows 中保存";

/*
 * A zip entry whose central directory record says something its local
 * header (what libarchive reads) does not.  All strings owned.
 */
struct zip_note {
	char *local;       /* local name bytes up to the first NUL: the match key */
	char *local_utf8;  /* the same, decoded */
	char *central;     /* decoded central name when it differs, else NULL */
	char *unicode;     /* name from a valid 0x7075 field, else NULL */
	bool nul;          /* the local name holds a NUL: readers show only its front */
};

/* State of one unpack_fd() call. */
struct unpack_run {
	const char *name;                    /* borrowed: archive display name */
	struct intake_limits lim;            /* filled copy */
	struct unpack_budget *budget;        /* borrowed */
	const struct unpack_sink *sink;      /* borrowed */
	struct archive *a;                   /* owned */
	struct arcsrc src;                   /* owned: arcsrc_free() */
	uint64_t expanded;  /* bytes out of this archive, delivered or drained */
	uint64_t drained;   /* bytes decompressed only to get past an entry */
	bool saw_encrypted; /* some entry was flagged encrypted */
	int rar5_crypt;     /* rar5_scan_crypt(): -1 not run yet, else 0/1 */
	bool zip_scanned;   /* zip_scan() ran */
	bool zip_overlap;   /* zip_scan() found entries sharing bytes (a bomb) */
	struct zip_note *notes;  /* owned, from zip_scan() */
	size_t nnotes;
};

/* What a libarchive failure most likely means. */
enum unpack_fail {
	FAIL_CORRUPT,
	FAIL_ENCRYPTED,
	FAIL_MAYBE_ENCRYPTED,   /* RAR5 encrypted data, see classify_failure() */
	FAIL_NOMEM,
	FAIL_UNSUPPORTED,
};

/* Outcome of pumping one entry's data. */
enum unpack_pump {
	PUMP_OK,        /* entry read to its end */
	PUMP_BAD,       /* entry unreadable; problem reported, go on */
	PUMP_STOP,      /* stop the archive (problem reported or sink said so) */
};

static const unsigned char unpack_zeros[65536];

/* ---- messages ---------------------------------------------------------- */

/* Code point of the UTF-8 sequence at s (valid UTF-8 assumed), and its length. */
static uint32_t utf8_cp(const unsigned char *s, size_t *len_r)
{
	if (s[0] < 0x80) {
		*len_r = 1;
		return s[0];
	}
	if (s[0] < 0xE0) {
		*len_r = 2;
		return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
	}
	if (s[0] < 0xF0) {
		*len_r = 3;
		return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
	}
	*len_r = 4;
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
	       (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

/*
 * Characters refused in a name: C0/C1 controls and DEL (terminal and log
 * injection), and the bidi controls that make "营业执照\u202Efdp.exe" display
 * as "营业执照exe.pdf".
 */
static bool cp_refused(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
	       cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Copy a name into out for quoting in a reason: invalid UTF-8 (a raw GBK
 * name that could not be decoded), control and bidi characters become '?',
 * and a long name is cut at a character boundary with "…".
 */
static void show_name(const char *s, char *out, size_t outsz)
{
	size_t i = 0, o = 0;

	if (outsz == 0)
		return;
	if (s == NULL)
		s = "";
	while (s[i] != '\0') {
		unsigned char c = (unsigned char)s[i];
		size_t clen = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		bool bad;

		if (strnlen(s + i, clen) < clen || !names_is_utf8(s + i, clen)) {
			clen = 1;
			bad = true;
		} else {
			bad = cp_refused(utf8_cp((const unsigned char *)s + i, &clen));
		}
		/* UNSAFE: o + clen + 4 <= outsz keeps room for "…" and NUL. */
		if (o + (bad ? 1 : clen) + 4 > outsz || o >= UNPACK_SHOW_MAX) {
			memcpy(out + o, "\xE2\x80\xA6", 3);
			o += 3;
			break;
		}
		if (bad) {
			out[o++] = '?';
		} else {
			memcpy(out + o, s + i, clen);
			o += clen;
		}
		i += clen;
	}
	out[o] = '\0';
}

static void report(const struct unpack_run *u, const char *kind,
                   const char *entry, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Report one problem.  entry is the decoded entry name (NULL for the archive
 * itself); the subject is "archive/entry".
 */
static void report(const struct unpack_run *u, const char *kind,
                   const char *entry, const char *fmt, ...)
{
	char subject[UNPACK_MSG_MAX], reason[UNPACK_MSG_MAX], shown[UNPACK_SHOW_MAX + 8];
	const char *aname = u->name != NULL && u->name[0] != '\0' ? u->name : "压缩包";
	va_list ap;

	if (u->sink == NULL || u->sink->problem == NULL)
		return;
	if (entry != NULL) {
		show_name(entry, shown, sizeof(shown));
		snprintf(subject, sizeof(subject), "%s/%s", aname, shown);
	} else {
		snprintf(subject, sizeof(subject), "%s", aname);
	}
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	u->sink->problem(u->sink->ctx, kind, subject, reason);
}

/* ---- path sanitising --------------------------------------------------- */

/* CON, PRN, AUX, NUL, COM1-9, LPT1-9 (also with a superscript digit),
 * CONIN$, CONOUT$: the part before the first dot, trailing spaces ignored,
 * any case. */
static bool win_reserved(const char *s, size_t n)
{
	static const char *const names[] = { "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$" };
	size_t k = 0, i;

	while (k < n && s[k] != '.')
		k++;
	while (k > 0 && s[k - 1] == ' ')
		k--;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == k && strncasecmp(s, names[i], k) == 0)
			return true;
	if (k >= 4 && (strncasecmp(s, "COM", 3) == 0 || strncasecmp(s, "LPT", 3) == 0)) {
		if (k == 4 && s[3] >= '1' && s[3] <= '9')
			return true;
		/* ¹ ² ³ in UTF-8 */
		if (k == 5 && (unsigned char)s[3] == 0xC2 &&
		    ((unsigned char)s[4] == 0xB9 || (unsigned char)s[4] == 0xB2 ||
		     (unsigned char)s[4] == 0xB3))
			return true;
	}
	return false;
}

/*
 * One component [s, s+n): 0 keep, 1 drop ("."), or a reason.  Windows drops
 * trailing dots and spaces, so "..." and ".. " name the parent there: they
 * are refused like "..".
 */
static int check_component(const char *s, size_t n, const char **why_r)
{
	size_t i, dots = 0, cps = 0;
	bool only_dots_spaces = true;

	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] != ' ')
			only_dots_spaces = false;
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			cps++;
	}
	if (only_dots_spaces && dots >= 2) {
		*why_r = WHY_DOTDOT;
		return -1;
	}
	if (only_dots_spaces && dots == 1)
		return 1;
	if (cps > UNPACK_COMPONENT_MAX) {
		*why_r = WHY_TOO_LONG;
		return -1;
	}
	/* Windows drops a trailing dot or space ("营业执照.pdf." is
	 * "营业执照.pdf" there, perhaps another entry) and cannot store its
	 * device names with any extension ("NUL.txt", "com1"): an archive
	 * made on Windows has neither. */
	if (s[n - 1] == '.' || s[n - 1] == ' ') {
		*why_r = WHY_WIN_TRAILING;
		return -1;
	}
	if (win_reserved(s, n)) {
		*why_r = WHY_WIN_RESERVED;
		return -1;
	}
	return 0;
}

char *unpack_clean_path(const char *utf8, const char **why_r)
{
	const char *why = NULL, *p, *end;
	char *out = NULL;
	size_t n, olen = 0, i;

	if (utf8 == NULL || utf8[0] == '\0') {
		why = WHY_EMPTY;
		goto out;
	}
	n = strlen(utf8);
	if (n > UNPACK_PATH_MAX) {
		why = WHY_TOO_LONG;
		goto out;
	}
	if (!names_is_utf8(utf8, n)) {
		why = WHY_ENCODING;
		goto out;
	}
	for (i = 0; i < n;) {
		size_t clen;

		if (cp_refused(utf8_cp((const unsigned char *)utf8 + i, &clen))) {
			why = WHY_CONTROL;
			goto out;
		}
		i += clen;
	}
	/* '\\' is a separator: Windows tools write "..\\..\\x" and "C:\\x". */
	if (utf8[0] == '/' || utf8[0] == '\\') {
		why = WHY_ABSOLUTE;
		goto out;
	}
	if (((utf8[0] >= 'A' && utf8[0] <= 'Z') || (utf8[0] >= 'a' && utf8[0] <= 'z')) &&
	    utf8[1] == ':') {
		why = WHY_DRIVE;
		goto out;
	}
	out = malloc(n + 1);
	if (out == NULL) {
		why = WHY_TOO_LONG;
		goto out;
	}
	for (p = utf8; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		size_t clen;
		int r;

		end = p + strcspn(p, "/\\");
		clen = (size_t)(end - p);
		if (clen == 0)
			continue;          /* "a//b" and a trailing '/' */
		r = check_component(p, clen, &why);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		/* UNSAFE: olen + 1 + clen <= n because components come from utf8. */
		if (olen > 0)
			out[olen++] = '/';
		memcpy(out + olen, p, clen);
		olen += clen;
	}
	if (olen == 0) {
		why = WHY_EMPTY;
		goto out;
	}
	out[olen] = '\0';
out:
	if (why != NULL) {
		free(out);
		out = NULL;
	}
	if (why_r != NULL)
		*why_r = why;
	return out;
}

/* ---- reading through libarchive --------------------------------------- */

/*
 * libarchive 3.6.2's entry getters (and the readers that call them while
 * parsing a header) exit(1) with "Fatal Internal Error in libarchive: No
 * memory" when a name conversion fails while errno happens to hold ENOMEM
 * from anything earlier: an incomplete multibyte tail such as a GBK name
 * ending in E6 B0 fails in mbrtowc() without setting errno.  A worker that
 * once hit an allocation failure (an xz dictionary under RLIMIT_AS) would
 * die on the next such name.  Found by fuzz_unpack; clear errno first.
 */
static const char *ent_pathname(struct archive_entry *e)
{
	errno = 0;
	return archive_entry_pathname(e);
}

static const char *ent_pathname_utf8(struct archive_entry *e)
{
	errno = 0;
	return archive_entry_pathname_utf8(e);
}

static const char *ent_hardlink(struct archive_entry *e)
{
	errno = 0;
	return archive_entry_hardlink(e);
}

static const char *ent_symlink(struct archive_entry *e)
{
	errno = 0;
	return archive_entry_symlink(e);
}

static int next_header(struct archive *a, struct archive_entry **e)
{
	errno = 0;
	return archive_read_next_header(a, e);
}

/*
 * The compression filter the stream starts with, from its magic.  We add
 * it ourselves (archive_read_append_filter) instead of letting libarchive
 * bid: bidding repeats on the decompressed output, and 3.6.2's gzip bidder
 * hangs on a gzip whose content is a gzip with an endless name field
 * (test_read_filter_gzip_recursive.gz: minutes of CPU, then ENOMEM).  One
 * layer is all a .tar.gz/.tar.bz2/.tar.xz needs.
 */
static int src_filter(const struct arcsrc *s)
{
	size_t len;
	const unsigned char *h = arcsrc_head(s, &len);

	if (len >= 2 && h[0] == 0x1F && h[1] == 0x8B)
		return ARCHIVE_FILTER_GZIP;
	if (len >= 4 && memcmp(h, "BZh", 3) == 0 && h[3] >= '1' && h[3] <= '9')
		return ARCHIVE_FILTER_BZIP2;
	if (len >= 6 && memcmp(h, "\xFD" "7zXZ\0", 6) == 0)
		return ARCHIVE_FILTER_XZ;
	return ARCHIVE_FILTER_NONE;
}

/* ---- little helpers for the header scans below ------------------------- */

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* CRC-32 (zip) of a name; names are short, so bitwise is fine. */
static uint32_t crc32_bytes(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	int k;

	while (n-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

/* Paths equal when '\\' and '/' are the same and a trailing '/' is ignored. */
static bool same_path(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a == '\\' ? '/' : *a, cb = *b == '\\' ? '/' : *b;

		if (ca != cb) {
			if (ca == '/' && a[1] == '\0' && cb == '\0')
				return true;
			return cb == '/' && b[1] == '\0' && ca == '\0';
		}
		if (ca == '\0')
			return true;
	}
}

/* ---- RAR5: is anything encrypted? -------------------------------------- */

/* A RAR5 variable-length integer at p[*i], at most 10 bytes, within n. */
static bool rar5_vint(const unsigned char *p, size_t n, size_t *i, uint64_t *v_r)
{
	uint64_t v = 0;
	unsigned shift;

	for (shift = 0; shift < 64 && *i < n; shift += 7) {
		unsigned char c = p[(*i)++];

		v |= (uint64_t)(c & 0x7F) << shift;
		if ((c & 0x80) == 0) {
			*v_r = v;
			return true;
		}
	}
	return false;
}

/*
 * Walk the RAR5 block headers looking for an encryption header or a file
 * header with an encryption record (extra record type 1).  libarchive 3.6.2
 * skips that record without flagging the entry, then fails on the data with
 * "Unsupported block header size" or "Block checksum error", which would
 * otherwise read as corruption.  Bounded: at most archive_entries + 16
 * headers of UNPACK_RAR5_HDR_MAX bytes each.
 */
static bool rar5_scan_crypt(const struct unpack_run *u)
{
	unsigned char sig[8], *h = NULL;
	int64_t size = arcsrc_size(&u->src);
	uint64_t pos = 8;
	unsigned blocks;
	bool found = false;

	if (!arcsrc_pread(&u->src, 0, sig, sizeof(sig)) ||
	    memcmp(sig, "Rar!\x1A\x07\x01\x00", 8) != 0)
		return false;
	h = malloc(UNPACK_RAR5_HDR_MAX);
	if (h == NULL)
		return false;
	for (blocks = 0; blocks < u->lim.archive_entries + 16U && !found; blocks++) {
		unsigned char pre[7];
		size_t i = 4, avail;
		uint64_t hsize, type, flags, extra = 0, data = 0;

		avail = size >= 0 && (uint64_t)size - pos < sizeof(pre) ?
		        (size_t)((uint64_t)size - pos) : sizeof(pre);
		if (pos >= (uint64_t)size || !arcsrc_pread(&u->src, pos, pre, avail) ||
		    !rar5_vint(pre, avail, &i, &hsize) || hsize == 0 || hsize > UNPACK_RAR5_HDR_MAX)
			break;
		/* UNSAFE: pos + i + hsize cannot overflow: pos <= size, i <= 7,
		 * hsize <= UNPACK_RAR5_HDR_MAX. */
		if (!arcsrc_pread(&u->src, pos + i, h, (size_t)hsize))
			break;
		pos += i + hsize;
		i = 0;
		if (!rar5_vint(h, (size_t)hsize, &i, &type) || !rar5_vint(h, (size_t)hsize, &i, &flags) ||
		    ((flags & 1) && !rar5_vint(h, (size_t)hsize, &i, &extra)) ||
		    ((flags & 2) && !rar5_vint(h, (size_t)hsize, &i, &data)))
			break;
		if (type == 4) {                 /* archive encryption header */
			found = true;
		} else if ((type == 2 || type == 3) && extra > 0 && extra <= hsize) {
			/* The extra area is the last `extra` bytes of the header. */
			size_t x = (size_t)(hsize - extra);

			while (x < hsize) {
				uint64_t rsize, rtype;
				size_t r = x, body;

				/* A record: size vint, then size bytes starting with its type. */
				if (!rar5_vint(h, (size_t)hsize, &r, &rsize) || rsize == 0 ||
				    rsize > hsize - r)
					break;
				body = r;
				if (!rar5_vint(h, r + (size_t)rsize, &body, &rtype))
					break;
				if (rtype == 1) {
					found = true;
					break;
				}
				x = r + (size_t)rsize;
			}
		} else if (type == 5) {          /* end of archive */
			break;
		}
		if (data > (uint64_t)size - pos)
			break;
		pos += data;
	}
	free(h);
	return found;
}

/* ---- zip: central directory against local headers ---------------------- */

/*
 * Decode a zip name field for comparison and display: UTF-8 when flagged
 * (bit 11) and valid, else as names_archive_path() does.  NUL ends it, as
 * it does for libarchive.
 */
static char *zip_decode(const struct unpack_run *u, const unsigned char *name, size_t n,
                        unsigned flags)
{
	const void *nul = memchr(name, '\0', n);

	if (nul != NULL)
		n = (size_t)((const unsigned char *)nul - name);
	(void)u;
	if ((flags & 0x800) && names_is_utf8((const char *)name, n))
		return strndup((const char *)name, n);
	return names_archive_path((const char *)name, n, 0, NULL);
}

/*
 * The Info-ZIP Unicode Path extra field (0x7075) of a central record:
 * version 1, CRC-32 of the whole name field, UTF-8 name.  libarchive checks
 * the CRC against the name cut at its first NUL, so a name field of control
 * bytes 00..0F (yauzl's unicode-path-extra-field.zip) loses the field.
 */
static char *zip_unicode_path(const struct unpack_run *u, const unsigned char *x, size_t xlen,
                              const unsigned char *name, size_t nlen)
{
	size_t i = 0;

	while (xlen - i >= 4) {
		size_t id = le16(x + i), sz = le16(x + i + 2);
		const unsigned char *d = x + i + 4;

		if (sz > xlen - i - 4)
			break;
		if (id == 0x7075 && sz > 5 && d[0] == 1 && le32(d + 1) == crc32_bytes(name, nlen) &&
		    sz - 5 <= u->lim.name_bytes && memchr(d + 5, '\0', sz - 5) == NULL &&
		    names_is_utf8((const char *)d + 5, sz - 5))
			return strndup((const char *)d + 5, sz - 5);
		i += 4 + sz;
	}
	return NULL;
}

/* The local header offset of a central record, from ZIP64 extra data if needed. */
static uint64_t zip_local_offset(const unsigned char *rec, const unsigned char *x, size_t xlen)
{
	uint64_t off = le32(rec + 42);
	size_t i = 0;

	if (off != 0xFFFFFFFFu)
		return off;
	while (xlen - i >= 4) {
		size_t id = le16(x + i), sz = le16(x + i + 2), k = 0;

		if (sz > xlen - i - 4)
			break;
		if (id == 0x0001) {
			/* Present in this order, each only if its 32-bit field is ~0. */
			if (le32(rec + 24) == 0xFFFFFFFFu)
				k += 8;
			if (le32(rec + 20) == 0xFFFFFFFFu)
				k += 8;
			if (k + 8 <= sz)
				return le64(x + i + 4 + k);
			break;
		}
		i += 4 + sz;
	}
	return UINT64_MAX;
}

/*
 * Locate the central directory: where it really is, its size and record
 * count, and the correction to add to the offsets it states (a prefix such
 * as an SFX stub shifts everything; libarchive corrects the same way).
 * false when there is none to check.
 */
static bool zip_find_cd(const struct unpack_run *u, uint64_t *off_r, uint64_t *size_r,
                        uint64_t *count_r, uint64_t *correction_r)
{
	const struct arcsrc *src = &u->src;
	int64_t size = arcsrc_size(src);
	unsigned char *tail = NULL, z64[56];
	size_t tlen, i;
	uint64_t eocd, cd_end, cd_off, cd_size, count;
	bool ok = false;

	if (!arcsrc_seekable(src) || size < 22)
		return false;
	tlen = size < 65557 ? (size_t)size : 65557;
	tail = malloc(tlen);
	if (tail == NULL || !arcsrc_pread(src, (uint64_t)size - tlen, tail, tlen))
		goto out;
	for (i = tlen - 22 + 1; i-- > 0;) {
		if (memcmp(tail + i, "PK\x05\x06", 4) == 0 && le16(tail + i + 20) <= tlen - i - 22)
			break;
	}
	if (i == (size_t)-1)
		goto out;
	eocd = (uint64_t)size - tlen + i;
	count = le16(tail + i + 10);
	cd_size = le32(tail + i + 12);
	cd_off = le32(tail + i + 16);
	cd_end = eocd;
	/* ZIP64: the locator sits right before the EOCD, the record before it. */
	if (eocd >= 20 + 56 && i >= 20 && memcmp(tail + i - 20, "PK\x06\x07", 4) == 0 &&
	    arcsrc_pread(src, eocd - 20 - 56, z64, sizeof(z64)) &&
	    memcmp(z64, "PK\x06\x06", 4) == 0) {
		count = le64(z64 + 32);
		cd_size = le64(z64 + 40);
		cd_off = le64(z64 + 48);
		cd_end = eocd - 20 - 56;
	}
	if (cd_size > cd_end || cd_size > UNPACK_ZIP_CD_MAX || cd_end - cd_size < cd_off)
		goto out;
	*off_r = cd_end - cd_size;
	*correction_r = cd_end - cd_size - cd_off;
	*size_r = cd_size;
	*count_r = count;
	ok = true;
out:
	free(tail);
	return ok;
}

/*
 * Compare each central directory record with the local header it points
 * to.  libarchive reads names from local headers, while Windows Explorer,
 * 7-Zip and WinRAR show central names: a zip whose two names differ shows
 * the clerk one file and hands us another (yauzl's "absolute path" and
 * "invalid relative path" samples hide "/a.txt", "C:/x.txt" and "../x.txt"
 * this way).  Such entries are refused.  Also picks up 0x7075 names
 * libarchive dropped.  Only for seekable input; bounded by the central
 * directory size cap, archive_entries records and 16 MiB of local reads.
 */
struct zip_span {
	uint64_t start, end;   /* local header to the end of its data */
};

static int span_cmp(const void *a, const void *b)
{
	const struct zip_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void zip_scan(struct unpack_run *u)
{
	uint64_t cd_off, cd_size, count, correction, k, off = 0, read_budget = 16U << 20;
	unsigned char *cd = NULL, *lname = NULL;
	struct zip_span *spans = NULL;
	size_t nspans = 0;

	if (!zip_find_cd(u, &cd_off, &cd_size, &count, &correction))
		return;
	cd = malloc(cd_size + 1);
	lname = malloc(65536);
	/* UNSAFE: at most archive_entries spans, a few thousand. */
	spans = calloc(u->lim.archive_entries + 1, sizeof(*spans));
	if (cd == NULL || lname == NULL || spans == NULL ||
	    !arcsrc_pread(&u->src, cd_off, cd, cd_size))
		goto out;
	for (k = 0; k < count && k < u->lim.archive_entries && cd_size - off >= 46; k++) {
		const unsigned char *rec = cd + off, *name = rec + 46, *x;
		size_t nlen = le16(rec + 28), xlen = le16(rec + 30), clen = le16(rec + 32);
		unsigned char lh[30];
		uint64_t loff;
		size_t lnlen;
		char *cname = NULL, *lname_dec = NULL, *uni = NULL;
		bool differ;

		/* UNSAFE: nlen + xlen + clen <= 3 * 65535, no overflow. */
		if (memcmp(rec, "PK\x01\x02", 4) != 0 || cd_size - off - 46 < nlen + xlen + clen)
			break;
		x = name + nlen;
		off += 46 + nlen + xlen + clen;
		loff = zip_local_offset(rec, x, xlen);
		if (loff == UINT64_MAX || loff > UINT64_MAX - correction - 30 ||
		    !arcsrc_pread(&u->src, loff + correction, lh, sizeof(lh)) ||
		    memcmp(lh, "PK\x03\x04", 4) != 0)
			continue;
		lnlen = le16(lh + 26);
		if (lnlen > read_budget ||
		    !arcsrc_pread(&u->src, loff + correction + 30, lname, lnlen))
			continue;
		read_budget -= lnlen;
		/* Where this entry's bytes lie.  Entries of an honest zip never
		 * share bytes; Fifield's "better zip bomb" (2019) makes every
		 * entry's data contain the next entries, and a cruder one points
		 * thousands of records at one local file. */
		{
			uint64_t csize = le32(rec + 20), start = loff + correction;
			uint64_t end = start + 30 + (uint64_t)lnlen + le16(lh + 28);

			/* ZIP64: the header only.  A size running past the central
			 * directory is damage for libarchive to report, not overlap. */
			if (csize != 0xFFFFFFFFu)
				end += csize;
			if (end > cd_off)
				end = cd_off;
			spans[nspans].start = start;
			spans[nspans].end = end;
			nspans++;
		}
		cname = zip_decode(u, name, nlen, le16(rec + 8));
		lname_dec = zip_decode(u, lname, lnlen, le16(lh + 6));
		uni = zip_unicode_path(u, x, xlen, name, nlen);
		differ = cname != NULL && lname_dec != NULL && !same_path(cname, lname_dec);
		if ((differ || uni != NULL || memchr(lname, '\0', lnlen) != NULL) && lname_dec != NULL) {
			struct zip_note *v = realloc(u->notes, (u->nnotes + 1) * sizeof(*v));
			const void *nul = memchr(lname, '\0', lnlen);

			if (v != NULL) {
				u->notes = v;
				v += u->nnotes++;
				v->local = strndup((const char *)lname,
				                   nul != NULL ? (size_t)((const unsigned char *)nul - lname) : lnlen);
				v->local_utf8 = lname_dec;
				v->central = differ ? cname : NULL;
				v->unicode = uni;
				v->nul = nul != NULL;
				lname_dec = NULL;
				uni = NULL;
				if (differ)
					cname = NULL;
			}
		}
		free(cname);
		free(lname_dec);
		free(uni);
	}
	qsort(spans, nspans, sizeof(*spans), span_cmp);
	for (size_t i = 1; i < nspans; i++)
		if (spans[i].start < spans[i - 1].end)
			u->zip_overlap = true;
out:
	free(spans);
	free(lname);
	free(cd);
}

/* The note for a libarchive entry, matched by the name it shows. */
static const struct zip_note *zip_note_for(const struct unpack_run *u, struct archive_entry *e)
{
	const char *raw = ent_pathname(e), *u8 = ent_pathname_utf8(e);
	size_t i;

	for (i = 0; i < u->nnotes; i++) {
		const struct zip_note *z = &u->notes[i];

		if ((raw != NULL && z->local != NULL && same_path(raw, z->local)) ||
		    (u8 != NULL && z->unicode != NULL && same_path(u8, z->unicode)) ||
		    (u8 != NULL && z->local_utf8 != NULL && same_path(u8, z->local_utf8)))
			return z;
	}
	return NULL;
}

static void zip_notes_free(struct unpack_run *u)
{
	size_t i;

	for (i = 0; i < u->nnotes; i++) {
		free(u->notes[i].local);
		free(u->notes[i].local_utf8);
		free(u->notes[i].central);
		free(u->notes[i].unicode);
	}
	free(u->notes);
	u->notes = NULL;
	u->nnotes = 0;
}

/* ---- failures ---------------------------------------------------------- */

/*
 * What the last libarchive error means.  libarchive 3.6.2 has no error
 * codes for these cases, only messages (LIBRARIES.md section 6).
 */
static enum unpack_fail classify_failure(struct unpack_run *u, struct archive_entry *e)
{
	const char *msg = archive_error_string(u->a);
	int err = archive_errno(u->a);

	if (msg == NULL)
		msg = "";
	/* liblzma's 1 GiB dictionary under RLIMIT_AS: "Cannot allocate memory". */
	if (err == ENOMEM || strstr(msg, "allocate memory") != NULL ||
	    strstr(msg, "No memory") != NULL || strstr(msg, "Out of memory") != NULL ||
	    strstr(msg, "Cannot allocate") != NULL || strstr(msg, "Can't allocate") != NULL)
		return FAIL_NOMEM;
	if (e != NULL && (archive_entry_is_data_encrypted(e) ||
	                  archive_entry_is_metadata_encrypted(e)))
		return FAIL_ENCRYPTED;
	if (strcasestr(msg, "encrypt") != NULL || strcasestr(msg, "passphrase") != NULL)
		return FAIL_ENCRYPTED;
	if (strstr(msg, "Memory usage limit") != NULL)
		return FAIL_NOMEM;       /* liblzma's own 1 GiB cap */
	if (archive_format(u->a) == ARCHIVE_FORMAT_RAR_V5) {
		if (u->rar5_crypt < 0)
			u->rar5_crypt = rar5_scan_crypt(u) ? 1 : 0;
		if (u->rar5_crypt > 0)
			return FAIL_ENCRYPTED;
		/* The message 3.6.2 gives for encrypted data; the scan found no
		 * encryption record, but it cannot see past a damaged header. */
		if (strstr(msg, "Unsupported block header size") != NULL)
			return FAIL_MAYBE_ENCRYPTED;
	}
	if (strstr(msg, "Unrecognized archive format") != NULL ||
	    strstr(msg, "nsupported") != NULL || strstr(msg, "not supported") != NULL ||
	    strstr(msg, "Unknown codec") != NULL)
		return FAIL_UNSUPPORTED;
	return FAIL_CORRUPT;
}

/* Report a failure of the whole archive. */
static void report_archive_failure(struct unpack_run *u, enum unpack_fail f)
{
	switch (f) {
	case FAIL_ENCRYPTED:
		report(u, PROB_ARCHIVE_ENCRYPTED, NULL,
		       "压缩包已加密，无法读取，请发送未加密的压缩包");
		break;
	case FAIL_MAYBE_ENCRYPTED:
		report(u, PROB_ARCHIVE_ENCRYPTED, NULL,
		       "压缩包可能设置了密码（也可能已损坏），无法读取，"
		       "请发送未加密的压缩包，或重新压缩后发送");
		break;
	case FAIL_NOMEM:
		report(u, PROB_ARCHIVE_BOMB, NULL,
		       "解压该压缩包需要的内存超出限制，已停止解压，"
		       "请改用 zip 格式重新压缩后发送");
		break;
	case FAIL_UNSUPPORTED:
		report(u, PROB_ARCHIVE_UNSUPPORTED, NULL,
		       "无法识别压缩包的格式或压缩方式（文件可能已损坏，或不是 zip、rar、"
		       "7z、tar.gz 压缩包），无法读取，请重新压缩后发送");
		break;
	case FAIL_CORRUPT:
	default:
		report(u, PROB_ARCHIVE_CORRUPT, NULL,
		       "压缩包已损坏或不完整，无法读取，请重新压缩后发送");
		break;
	}
}

/*
 * Report a failure of one entry.  fatal: reading stopped there, so the
 * entries after it were not read either, and the clerk should know.
 */
static void report_entry_failure(struct unpack_run *u, const char *entry,
                                 enum unpack_fail f, bool fatal)
{
	char shown[UNPACK_SHOW_MAX + 8];
	const char *rest = fatal ? "；压缩包中其后的文件也无法读取" : "";

	show_name(entry, shown, sizeof(shown));
	switch (f) {
	case FAIL_ENCRYPTED:
		report(u, PROB_ARCHIVE_ENCRYPTED, entry,
		       "压缩包中的文件“%s”已加密，无法读取%s，请发送未加密的压缩包",
		       shown, rest);
		break;
	case FAIL_MAYBE_ENCRYPTED:
		report(u, PROB_ARCHIVE_ENCRYPTED, entry,
		       "压缩包中的文件“%s”可能设置了密码（也可能已损坏），无法读取%s，"
		       "请发送未加密的压缩包，或重新压缩后发送", shown, rest);
		break;
	case FAIL_NOMEM:
		report(u, PROB_ARCHIVE_BOMB, entry,
		       "解压压缩包中的文件“%s”需要的内存超出限制，已停止解压%s，"
		       "请改用 zip 格式重新压缩后发送", shown, rest);
		break;
	case FAIL_UNSUPPORTED:
		report(u, PROB_ARCHIVE_UNSUPPORTED, entry,
		       "压缩包中的文件“%s”使用了不支持的压缩方式，无法读取%s，"
		       "请使用 zip 或 rar 格式重新压缩后发送", shown, rest);
		break;
	case FAIL_CORRUPT:
	default:
		report(u, PROB_ARCHIVE_CORRUPT, entry,
		       "压缩包中的文件“%s”已损坏，无法读取%s，请重新压缩后发送", shown, rest);
		break;
	}
}

/* ---- limits ------------------------------------------------------------ */

/* Size the ratio is judged against: the file from fstat, else what was read. */
static uint64_t compressed_size(const struct unpack_run *u)
{
	int64_t n = arcsrc_size(&u->src);

	if (n <= 0)
		n = archive_filter_bytes(u->a, -1);
	return n > 0 ? (uint64_t)n : 1;
}

/*
 * May len more bytes come out of the current entry (entry_n so far)?
 * Reports the bomb and returns false when not.  Checked before the bytes
 * are delivered, so a sink never sees more than a limit.
 */
static bool within_limits(struct unpack_run *u, const char *entry, uint64_t entry_n,
                          uint64_t len, bool deliver)
{
	uint64_t total, insize;

	/* UNSAFE: every counter stays below a limit <= UINT64_MAX / 2 before the
	 * addition, and len is at most one block or one gap (checked below). */
	if (len > u->lim.entry_bytes || entry_n > u->lim.entry_bytes - len) {
		char shown[UNPACK_SHOW_MAX + 8];

		show_name(entry, shown, sizeof(shown));
		report(u, PROB_ARCHIVE_BOMB, entry,
		       "压缩包中的文件“%s”解压后超过 %llu MB，疑似恶意压缩包，已停止解压",
		       shown, (unsigned long long)(u->lim.entry_bytes >> 20));
		return false;
	}
	total = deliver ? u->budget->bytes_out : u->drained;
	if (len > u->lim.uncompressed_bytes || total > u->lim.uncompressed_bytes - len) {
		report(u, PROB_ARCHIVE_BOMB, NULL,
		       "压缩包解压后的内容超过 %llu MB，疑似恶意压缩包，已停止解压",
		       (unsigned long long)(u->lim.uncompressed_bytes >> 20));
		return false;
	}
	total = u->expanded + len;
	insize = compressed_size(u);
	/* UNSAFE: ratio * insize only when it cannot overflow; beyond that no
	 * uint64_t total can exceed it anyway. */
	if (total > UNPACK_RATIO_FLOOR && insize <= UINT64_MAX / u->lim.ratio &&
	    total > insize * u->lim.ratio) {
		report(u, PROB_ARCHIVE_BOMB, NULL,
		       "压缩包解压后的大小超过压缩前的 %u 倍，疑似恶意压缩包（“压缩炸弹”），"
		       "已停止解压", u->lim.ratio);
		return false;
	}
	return true;
}

/* Account len bytes that passed within_limits(). */
static void count_bytes(struct unpack_run *u, uint64_t len, bool deliver)
{
	u->expanded += len;
	if (deliver)
		u->budget->bytes_out += len;
	else
		u->drained += len;
}

/* ---- entries ----------------------------------------------------------- */

/* Hand len bytes to the sink; false when the sink asked to stop. */
static bool sink_data(struct unpack_run *u, const void *buf, size_t len)
{
	if (len == 0 || u->sink == NULL || u->sink->entry_data == NULL)
		return true;
	return u->sink->entry_data(u->sink->ctx, buf, len) >= 0;
}

/* Deliver gap zero bytes (a sparse tar hole), counted like data. */
static enum unpack_pump fill_hole(struct unpack_run *u, const char *entry,
                                  uint64_t *pos, uint64_t gap, bool deliver)
{
	while (gap > 0) {
		size_t n = gap < sizeof(unpack_zeros) ? (size_t)gap : sizeof(unpack_zeros);

		if (!within_limits(u, entry, *pos, n, deliver))
			return PUMP_STOP;
		count_bytes(u, n, deliver);
		if (deliver && !sink_data(u, unpack_zeros, n))
			return PUMP_STOP;
		*pos += n;
		gap -= n;
	}
	return PUMP_OK;
}

/*
 * Read the current entry's data to its end, delivering it to the sink or
 * only counting it (deliver false).  Entries that are not delivered are
 * still read through here rather than left to libarchive's skip: skipping
 * inside a .tar.gz or a solid 7z decompresses everything skipped, and a
 * refused "../x" entry of 10 GB zeros would otherwise cost minutes of CPU
 * that no limit sees.
 */
static enum unpack_pump pump(struct unpack_run *u, struct archive_entry *e,
                             const char *entry, bool deliver)
{
	const void *buf;
	size_t len;
	int64_t off;
	uint64_t pos = 0;
	int r;

	for (;;) {
		errno = 0;
		r = archive_read_data_block(u->a, &buf, &len, &off);
		if (r == ARCHIVE_EOF) {
			/* A sparse file may end in a hole: EOF carries its size. */
			if (off > 0 && (uint64_t)off > pos && archive_entry_size_is_set(e) &&
			    off <= archive_entry_size(e))
				return fill_hole(u, entry, &pos, (uint64_t)off - pos, deliver);
			return PUMP_OK;
		}
		if (r == ARCHIVE_FATAL || r < ARCHIVE_FAILED) {
			/* Name the entry: it is the best clue the clerk gets. */
			report_entry_failure(u, entry, classify_failure(u, e), true);
			return PUMP_STOP;
		}
		if (r != ARCHIVE_OK) {
			/* FAILED: this entry only ("Passphrase required", unknown
			 * method).  WARN: zip reports a bad CRC this way, after the
			 * data went out, so the entry cannot be trusted either. */
			if (deliver)
				report_entry_failure(u, entry, classify_failure(u, e), false);
			return PUMP_BAD;
		}
		if (off < 0 || (uint64_t)off < pos) {
			if (deliver)
				report_entry_failure(u, entry, FAIL_CORRUPT, false);
			return PUMP_BAD;
		}
		if ((uint64_t)off > pos &&
		    fill_hole(u, entry, &pos, (uint64_t)off - pos, deliver) != PUMP_OK)
			return PUMP_STOP;
		if (!within_limits(u, entry, pos, len, deliver))
			return PUMP_STOP;
		count_bytes(u, len, deliver);
		if (deliver && !sink_data(u, buf, len))
			return PUMP_STOP;
		pos += len;
	}
}

/*
 * Decode an entry name to UTF-8 (malloc'd).  NULL when there is none or it
 * is longer than name_bytes; *why_r then says which.  The raw bytes are
 * decoded as a whole before any '\\' is looked at: in GBK and Shift-JIS a
 * trail byte can be 0x5C.
 */
static char *entry_name(const struct unpack_run *u, struct archive_entry *e,
                        struct unpack_entry *ent, const char **why_r)
{
	const char *u8 = ent_pathname_utf8(e);
	const char *raw = ent_pathname(e);
	char *name = NULL;

	if (raw == NULL)
		raw = u8;
	ent->raw = raw != NULL ? raw : "";
	ent->raw_len = strlen(ent->raw);
	ent->name_lossy = false;
	ent->name_was_legacy = false;
	*why_r = WHY_ENCODING;
	if (u8 != NULL && names_is_utf8(u8, strlen(u8))) {
		name = strdup(u8);
	} else if (raw != NULL) {
		ent->name_was_legacy = !names_is_utf8(raw, ent->raw_len);
		/* UNSAFE: decoding never shrinks below 3/4 of the input (4-byte
		 * GB18030 to 3-byte UTF-8), so twice the cap is surely too long
		 * and need not be decoded at all (a pax path can be 1 MiB). */
		if (ent->raw_len / 2 <= u->lim.name_bytes)
			name = names_archive_path(raw, ent->raw_len, 0, &ent->name_lossy);
		else
			*why_r = WHY_TOO_LONG;
	}
	if (name != NULL && strlen(name) > u->lim.name_bytes) {
		free(name);
		name = NULL;
		*why_r = WHY_TOO_LONG;
	}
	return name;
}

/*
 * Is the entry a kind we refuse?  Reports it and returns true.  Hardlinks
 * come first: libarchive gives them filetype 0.
 */
static bool refuse_type(struct unpack_run *u, struct archive_entry *e, const char *entry)
{
	char shown[UNPACK_SHOW_MAX + 8];
	unsigned ft = archive_entry_filetype(e);

	show_name(entry, shown, sizeof(shown));
	if (ent_hardlink(e) != NULL) {
		report(u, PROB_LINK_REFUSED, entry,
		       "压缩包中的“%s”是硬链接，不是普通文件，已拒绝", shown);
		return true;
	}
	if (ft == AE_IFLNK || ent_symlink(e) != NULL) {
		report(u, PROB_LINK_REFUSED, entry,
		       "压缩包中的“%s”是符号链接（快捷方式），不是普通文件，已拒绝", shown);
		return true;
	}
	if (ft != AE_IFREG && ft != AE_IFDIR && ft != 0) {
		report(u, PROB_SPECIAL_REFUSED, entry,
		       "压缩包中的“%s”是设备或特殊文件，不是普通文件，已拒绝", shown);
		return true;
	}
	return false;
}

/*
 * One entry whose header was read: decide, then deliver or drain its data.
 * Returns PUMP_OK / PUMP_BAD (go on) or PUMP_STOP.
 */
static enum unpack_pump do_entry(struct unpack_run *u, struct archive_entry *e)
{
	struct unpack_entry ent;
	char *name = NULL, *path = NULL;
	const char *why = NULL;
	const char *label;
	const struct zip_note *note;
	enum unpack_pump ret = PUMP_OK;
	bool deliver = false, begun = false, encrypted;
	char shown[UNPACK_SHOW_MAX + 8];
	int r;

	memset(&ent, 0, sizeof(ent));
	name = entry_name(u, e, &ent, &why);
	/* Problems quote the decoded name, or the raw bytes if there is none. */
	label = name != NULL ? name : ent.raw;
	encrypted = archive_entry_is_data_encrypted(e) || archive_entry_is_metadata_encrypted(e);
	if (encrypted)
		u->saw_encrypted = true;
	if (refuse_type(u, e, label))
		goto drain;
	if (archive_entry_filetype(e) == AE_IFDIR)
		goto drain;      /* directories are implied by the paths */
	note = u->nnotes > 0 ? zip_note_for(u, e) : NULL;
	if (note != NULL && note->unicode != NULL &&
	    (name == NULL || strcmp(name, note->unicode) != 0)) {
		free(name);
		name = strdup(note->unicode);
		ent.name_was_legacy = false;
		ent.name_lossy = false;
		label = name != NULL ? name : ent.raw;
		why = WHY_ENCODING;
	}
	if (note != NULL && note->central != NULL) {
		char shown_c[UNPACK_SHOW_MAX + 8];

		show_name(label, shown, sizeof(shown));
		show_name(note->central, shown_c, sizeof(shown_c));
		report(u, PROB_PATH_REFUSED, label,
		       "压缩包中的文件“%s”在压缩包目录中的名称却是“%s”，两处不一致"
		       "（压缩包可能被篡改），已拒绝", shown, shown_c);
		goto drain;
	}
	if (note != NULL && note->nul && note->unicode == NULL) {
		/* "营业执照.pdf\0.exe": every reader stops at the NUL, so the
		 * name shown is not the name stored. */
		show_name(label, shown, sizeof(shown));
		report(u, PROB_PATH_REFUSED, label, "压缩包中的文件“%s”%s，已拒绝", shown, WHY_CONTROL);
		goto drain;
	}
	if (name == NULL) {
		show_name(ent.raw, shown, sizeof(shown));
		report(u, PROB_PATH_REFUSED, label, "压缩包中的文件“%s”%s，已拒绝", shown, why);
		goto drain;
	}
	path = unpack_clean_path(name, &why);
	if (path == NULL) {
		show_name(name, shown, sizeof(shown));
		report(u, PROB_PATH_REFUSED, label, "压缩包中的文件“%s”%s，已拒绝", shown, why);
		goto drain;
	}
	if (encrypted) {
		report_entry_failure(u, label, FAIL_ENCRYPTED, false);
		goto out;        /* no drain: the data cannot be read anyway */
	}
	ent.path = path;
	ent.declared_size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
	r = u->sink != NULL && u->sink->entry_begin != NULL ?
	    u->sink->entry_begin(u->sink->ctx, &ent) : 0;
	if (r < 0) {
		ret = PUMP_STOP;
		goto out;
	}
	if (r == 0) {
		deliver = true;
		begun = u->sink != NULL;
	}
drain:
	if (encrypted && !deliver)
		goto out;
	ret = pump(u, e, label, deliver);
out:
	if (begun && u->sink->entry_end != NULL &&
	    u->sink->entry_end(u->sink->ctx, ret == PUMP_OK) < 0 && ret == PUMP_OK)
		ret = PUMP_STOP;
	free(path);
	free(name);
	return ret;
}

/* ---- the archive ------------------------------------------------------- */

/*
 * Register what we accept; never _all, each reader is attack surface.  A
 * compressed stream gets exactly its one filter and only tar inside it.
 */
static int setup_reader(struct archive *a, struct arcsrc *s, int filter)
{
	if (filter != ARCHIVE_FILTER_NONE) {
		if (archive_read_append_filter(a, filter) != ARCHIVE_OK ||
		    archive_read_support_format_tar(a) != ARCHIVE_OK)
			return -1;
	} else if (archive_read_support_format_zip(a) != ARCHIVE_OK ||
	           archive_read_support_format_7zip(a) != ARCHIVE_OK ||
	           archive_read_support_format_rar(a) != ARCHIVE_OK ||
	           archive_read_support_format_rar5(a) != ARCHIVE_OK ||
	           archive_read_support_format_tar(a) != ARCHIVE_OK) {
		return -1;
	}
	/* A pipe gets no seek callback: the zip reader streams local headers
	 * and 7z cannot be read at all. */
	return arcsrc_attach(s, a);
}

/*
 * A compressed stream that "is not a tar": perhaps it is not, perhaps the
 * decompressor failed while the tar reader was bidding (a liblzma
 * dictionary too large for RLIMIT_AS, a damaged stream), which libarchive
 * reports only as "Unrecognized archive format".  Decompress the first
 * block with the raw reader to tell.  Returns the failure to report, or
 * FAIL_UNSUPPORTED when the stream decompresses fine.
 */
static enum unpack_fail probe_filter(struct unpack_run *u, int filter)
{
	struct archive *a = archive_read_new(), *saved = u->a;
	struct archive_entry *e;
	char byte;
	enum unpack_fail f = FAIL_UNSUPPORTED;

	if (a == NULL || !arcsrc_seekable(&u->src))
		goto out;
	if (archive_read_append_filter(a, filter) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK ||
	    arcsrc_attach(&u->src, a) != 0)
		goto out;
	if (archive_read_open1(a) != ARCHIVE_OK || next_header(a, &e) < ARCHIVE_WARN ||
	    archive_read_data(a, &byte, 1) < 0) {
		u->a = a;
		f = classify_failure(u, NULL);
		u->a = saved;
		/* The raw reader's bid masks the decompressor's error too. */
		if (f == FAIL_UNSUPPORTED)
			f = filter == ARCHIVE_FILTER_XZ && arcsrc_xz_dict_size(&u->src) > UNPACK_XZ_DICT_NOTE ?
			    FAIL_NOMEM : FAIL_CORRUPT;
	}
out:
	if (a != NULL)
		archive_read_free(a);
	return f;
}

/* archive_read_open1() failed: say why in the clerk's terms. */
static void report_open_failure(struct unpack_run *u, int filter)
{
	enum unpack_fail f = classify_failure(u, NULL);

	if (f == FAIL_UNSUPPORTED && filter != ARCHIVE_FILTER_NONE)
		f = probe_filter(u, filter);
	if (f == FAIL_UNSUPPORTED && filter != ARCHIVE_FILTER_NONE) {
		report(u, PROB_ARCHIVE_UNSUPPORTED, NULL,
		       "这是单个文件的 gzip/bzip2/xz 压缩文件，不是 tar 压缩包，无法读取，"
		       "请使用 zip 格式重新压缩后发送");
		return;
	}
	report_archive_failure(u, f);
}

int unpack_fd(int fd, const char *name, unsigned depth,
              const struct intake_limits *lim, struct unpack_budget *budget,
              const struct unpack_sink *sink)
{
	struct unpack_run u;
	struct unpack_budget local_budget = { 0, 0, 0 };
	struct archive_entry *e;
	unsigned bad_headers = 0;
	int ret = -1, r, filter = ARCHIVE_FILTER_NONE;

	memset(&u, 0, sizeof(u));
	u.rar5_crypt = -1;
	if (lim != NULL)
		u.lim = *lim;
	limits_fill(&u.lim);
	u.name = name;
	u.sink = sink;
	u.budget = budget != NULL ? budget : &local_budget;

	if (depth > u.lim.archive_depth) {
		/* Once per message: 42.zip has 65,536 archives at its 5th level. */
		if (u.budget->depth_refused++ > 0)
			goto out;
		report(&u, PROB_ARCHIVE_DEPTH, NULL,
		       "压缩包嵌套超过 %u 层，未解压，请把文件直接放进一个压缩包后发送",
		       u.lim.archive_depth);
		goto out;
	}
	u.a = archive_read_new();
	if (u.a == NULL || arcsrc_init_fd(&u.src, fd) != 0) {
		report(&u, PROB_ARCHIVE_CORRUPT, NULL, "压缩包无法读取（系统内部错误），请稍后重试");
		goto out;
	}
	filter = src_filter(&u.src);
	if (setup_reader(u.a, &u.src, filter) != 0) {
		report_open_failure(&u, filter);
		goto out;
	}
	errno = 0;
	if (archive_read_open1(u.a) != ARCHIVE_OK) {
		report_open_failure(&u, filter);
		goto out;
	}
	for (;;) {
		enum unpack_pump p;

		r = next_header(u.a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_FATAL || r < ARCHIVE_FAILED) {
			/* e is valid here: the zip reader marks a header-encrypted
			 * (PKWARE SES) entry on it and fails without a message. */
			enum unpack_fail f = classify_failure(&u, e);

			/* 7z/RAR4 entries flagged encrypted end in a FATAL at the
			 * next header (their data cannot be skipped unread). */
			if (f == FAIL_CORRUPT && u.saw_encrypted)
				f = FAIL_ENCRYPTED;
			report_archive_failure(&u, f);
			goto out;
		}
		if (r == ARCHIVE_FAILED || r == ARCHIVE_RETRY) {
			/* A damaged header the reader claims to have stepped over.
			 * Such entries are not counted, so cap them per archive:
			 * otherwise the loop and the problem list could grow with
			 * every bad header of a hostile file. */
			if (++bad_headers > UNPACK_HEADER_RETRIES) {
				report_archive_failure(&u, classify_failure(&u, NULL));
				goto out;
			}
			report(&u, PROB_ARCHIVE_CORRUPT, NULL,
			       "压缩包中有一个文件的信息已损坏，已跳过，请检查后重新压缩发送");
			continue;
		}
		/* ARCHIVE_WARN here is a name the locale could not represent:
		 * entry_name() decodes it from the raw bytes. */
		if (!u.zip_scanned &&
		    (archive_format(u.a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP) {
			u.zip_scanned = true;
			zip_scan(&u);
			if (u.zip_overlap) {
				report(&u, PROB_ARCHIVE_BOMB, NULL,
				       "压缩包中的多个文件共用同一段数据（重叠条目），疑似恶意压缩包"
				       "（“压缩炸弹”），未解压");
				goto out;
			}
		}
		if (u.budget->entries >= u.lim.archive_entries) {
			report(&u, PROB_ARCHIVE_BOMB, NULL,
			       "压缩包中的文件超过 %u 个，疑似恶意压缩包，已停止解压",
			       u.lim.archive_entries);
			goto out;
		}
		u.budget->entries++;
		p = do_entry(&u, e);
		if (p == PUMP_STOP)
			goto out;
	}
	ret = 0;
out:
	if (u.a != NULL)
		archive_read_free(u.a);
	zip_notes_free(&u);
	arcsrc_free(&u.src);
	return ret;
}

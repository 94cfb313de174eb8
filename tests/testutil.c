#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

char *tu_tempdir(void)
{
	const char *t = getenv("TMPDIR");
	char *p = tu_printf("%s/intake-test-XXXXXX", t && *t ? t : "/tmp");

	if (mkdtemp(p) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return p;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	remove(p);
	return 0;
}

void tu_rmrf(const char *path)
{
	if (path && getenv("INTAKE_KEEP_TMP") == NULL)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char **list_v;
static size_t list_n;

static int list_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_F) {
		list_v = realloc(list_v, (list_n + 1) * sizeof(*list_v));
		if (!list_v)
			abort();
		list_v[list_n++] = strdup(p);
	}
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **tu_list_files(const char *root, size_t *n_r)
{
	char **v;

	list_v = NULL;
	list_n = 0;
	if (nftw(root, list_one, 16, FTW_PHYS) != 0) {
		perror(root);
		abort();
	}
	if (list_n > 1)
		qsort(list_v, list_n, sizeof(*list_v), cmp_path);
	v = list_v;
	*n_r = list_n;
	list_v = NULL;
	list_n = 0;
	return v;
}

void tu_free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

char *tu_read_file(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	if (len_r)
		*len_r = len;
	return buf;
}

int tu_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

const char *tu_corpora(void)
{
	const char *e = getenv("INTAKE_CORPORA");

	return e && *e ? e : "../shared/corpora";
}

#define UU_DEC(c) (((c) - ' ') & 077)

char *tu_uudecode_file(const char *path, size_t *len_r)
{
	size_t inlen, outcap, outlen = 0;
	char *in = tu_read_file(path, &inlen), *out, *line, *save = NULL;
	int started = 0;

	if (!in)
		return NULL;
	outcap = inlen;
	out = malloc(outcap + 1);
	if (!out)
		abort();
	for (line = strtok_r(in, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t ll = strlen(line);
		int n;
		const char *p;

		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		if (!started) {
			if (strncmp(line, "begin ", 6) == 0)
				started = 1;
			continue;
		}
		if (strcmp(line, "end") == 0)
			break;
		if (ll == 0)
			continue;
		n = UU_DEC(line[0]);
		p = line + 1;
		while (n > 0 && (size_t)(p - line) + 4 <= ll + 3) {
			unsigned char c[4];
			for (int i = 0; i < 4; i++)
				c[i] = (size_t)(p - line) + i < ll ? (unsigned char)UU_DEC(p[i]) : 0;
			unsigned char b0 = (unsigned char)(c[0] << 2 | c[1] >> 4);
			unsigned char b1 = (unsigned char)(c[1] << 4 | c[2] >> 2);
			unsigned char b2 = (unsigned char)(c[2] << 6 | c[3]);
			if (n-- > 0 && outlen < outcap) out[outlen++] = (char)b0;
			if (n-- > 0 && outlen < outcap) out[outlen++] = (char)b1;
			if (n-- > 0 && outlen < outcap) out[outlen++] = (char)b2;
			p += 4;
		}
	}
	free(in);
	out[outlen] = '\0';
	if (len_r)
		*len_r = outlen;
	return out;
}

int tu_run(char **out_r, const char *fmt, ...)
{
	va_list ap;
	char *cmd = NULL, *full, *out = NULL;
	size_t len = 0, cap = 0, n;
	FILE *p;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = tu_printf("(%s) 2>&1", cmd);
	p = popen(full, "r");
	if (!p)
		abort();
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			out = realloc(out, cap + 1);
			if (!out)
				abort();
		}
		n = fread(out + len, 1, cap - len, p);
		len += n;
	} while (n > 0);
	out[len] = '\0';
	st = pclose(p);
	free(full);
	free(cmd);
	if (out_r)
		*out_r = out;
	else
		free(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void put_b64(FILE *f, const unsigned char *b, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 57) {
		for (size_t j = i; j < i + 57 && j < n; j += 3) {
			unsigned v = (unsigned)b[j] << 16 | (j + 1 < n ? (unsigned)b[j + 1] << 8 : 0) |
			             (j + 2 < n ? b[j + 2] : 0);
			fputc(t[v >> 18 & 63], f);
			fputc(t[v >> 12 & 63], f);
			fputc(j + 1 < n ? t[v >> 6 & 63] : '=', f);
			fputc(j + 2 < n ? t[v & 63] : '=', f);
		}
		fputs("\r\n", f);
	}
}

void tu_write_mime(const char *out, const char *headers, const char *const *paths,
                   const char *const *names)
{
	FILE *f = fopen(out, "wb");

	if (!f)
		abort();
	fprintf(f, "%sTo: sme-intake@hengyang-gxj.example\r\nMIME-Version: 1.0\r\n"
	        "Content-Type: multipart/mixed; boundary=\"=_tu\"\r\n\r\n"
	        "--=_tu\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	        "\xe8\xa7\x81\xe9\x99\x84\xe4\xbb\xb6\xe3\x80\x82\r\n", headers);  /* 见附件。 */
	for (size_t i = 0; paths[i]; i++) {
		size_t n;
		char *b = tu_read_file(paths[i], &n);

		if (!b)
			abort();
		fputs("--=_tu\r\nContent-Type: application/octet-stream\r\n"
		      "Content-Disposition: attachment; filename*=UTF-8''", f);
		for (const unsigned char *q = (const unsigned char *)names[i]; *q; q++) {
			if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
			    *q == '.' || *q == '_' || *q == '-')
				fputc(*q, f);
			else
				fprintf(f, "%%%02X", *q);
		}
		fputs("\r\nContent-Transfer-Encoding: base64\r\n\r\n", f);
		put_b64(f, (const unsigned char *)b, n);
		free(b);
	}
	fputs("--=_tu--\r\n", f);
	if (fclose(f) != 0)
		abort();
}

int tu_children(pid_t pid, pid_t *first_r)
{
	char *path = tu_printf("/proc/%d/task/%d/children", (int)pid, (int)pid);
	char *s = tu_read_file(path, NULL), *p;
	int n = 0;

	free(path);
	if (!s)
		return -1;
	for (p = s; *p;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (n++ == 0 && first_r)
			*first_r = (pid_t)v;
		p = end;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	free(s);
	return n;
}

/*
 * fuzz_classify.c - classify_county(), classify_message() and, on inputs
 * starting with 'C', campaign_parse().
 *
 * Classify inputs are text lines:
 *   line 1  subject          line 2  sender address     line 3  display name
 *   then one file per line:  FLAGS|PATH  (or just PATH)
 *     FLAGS: a digit is the top-level attachment index; d document,
 *     i image, a unpacked archive, r unread archive, x executable,
 *     s script, e empty, b body image, o other.
 *     PATH "x.zip/a/b.pdf" is an archive entry (top x.zip, inner a/b.pdf);
 *     a PATH without '/' is attached directly.
 *   a line "K<digit><name>" is a known dossier of the county (program
 *   digit, '9' for unknown); "C<code>" gives the last one a credit code.
 *   a line "T<digit><text>" is the text of the last file ('~' stands for
 *   a line break, '^' for a tab, '`' for a form feed; digit 0-4 is the
 *   text source, 5 OCR with confidence (digit*10)).
 * Campaign inputs ("C" + INI text) are parsed; a campaign that parses is
 * then used once to classify a fixed message, so odd campaigns reach the
 * classifier too.
 *
 * The campaign for classify inputs is campaigns/hengyang-2023.conf (run
 * from the project root) or $INTAKE_CAMPAIGN.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "classify.h"
#include "textract.h"
#include "uscc.h"

#define MAX_INPUT  (64U << 10)  /* names and subjects are small; keep runs fast */
#define MAX_FILES  256U
#define MAX_KNOWN  8U

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct campaign *shipped;

/* Used when the campaign file cannot be read (fuzzing from elsewhere). */
static const char fallback[] =
	"[campaign]\nid = f\ntitle = t\nissuer = i\noffice = o\nnotice_ref = n\n"
	"opens = 2023-05-08T00:00:00+08:00\ndeadline = 2023-05-19T23:59:59+08:00\n"
	"tz = Asia/Shanghai\nlate_reply_days = 30\n"
	"[program base]\ntitle = 中小微企业创新创业基地\nannex = 附件1\nsummary_annex = 附件2\n"
	"patterns = 创新创业基地, 基地\n"
	"[program institution]\ntitle = 中小微企业核心服务机构\nannex = 附件3\nsummary_annex = 附件4\n"
	"patterns = 核心服务机构, 服务中心\n"
	"[item B01]\nprogram = base\nnumber = 1\ntitle = 申请表\nshort = 申请表\nrequired = yes\npatterns = 申请表\n"
	"[item S06]\nprogram = institution\nnumber = 6\ntitle = 服务对象情况表\nshort = 服务对象情况表\n"
	"required = yes\npatterns = 服务对象\n"
	"[item C02]\nprogram = county\nnumber = 0\ntitle = 推荐汇总表\nshort = 推荐汇总表\nrequired = yes\n"
	"patterns = 汇总表\nexcludes = 入驻\n"
	"[county qidong]\nname = 祁东县\nkind = county\naliases = 祁东\nsenders = qdgxj@163.example, @qd.example\n"
	"[names]\nignore = __MACOSX/, ~$*, ._*, Thumbs.db\nsupplement = 补件, 补充\n"
	"[applicant]\nnoise = 申报材料, 2023年\nplaces = 衡阳市, 衡阳\nunit_words = 公司, 园, 中心\n"
	"key_strip = 有限公司\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("INTAKE_CAMPAIGN");
	char err[512];
	FILE *f;

	(void)argc;
	(void)argv;
	f = fopen(path ? path : "campaigns/hengyang-2023.conf", "rb");
	if (f) {
		static char buf[1 << 20];
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (campaign_parse(buf, n, "campaign", &shipped, err, sizeof(err)) != 0)
			fprintf(stderr, "fuzz_classify: %s; using the built-in campaign\n", err);
	}
	if (!shipped && campaign_parse(fallback, sizeof(fallback) - 1, "fallback", &shipped, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_classify: %s\n", err);
		abort();   /* our own bug, not the input's */
	}
	return 0;
}

static void ignore_problem(void *ctx, const char *kind, const char *subject, const char *reason)
{
	size_t *n = ctx;

	/* Touch every string: a dangling pointer shows up under ASan here. */
	*n += strlen(kind) + (subject ? strlen(subject) : 0) + strlen(reason);
}

static void check_result(const struct classify_result *r, size_t nfiles)
{
	if (r->nfiles != nfiles)
		abort();
	for (size_t i = 0; i < r->nfiles; i++) {
		if (!r->files[i].evidence || r->files[i].dossier >= (int)r->ndossiers || r->files[i].dossier < -1)
			abort();
		if (r->files[i].confidence < 0 || r->files[i].confidence > 100 ||
		    (r->files[i].by_content && !r->files[i].item))
			abort();
	}
	for (size_t d = 0; d < r->ndossiers; d++) {
		if (!r->dossiers[d].applicant || !r->dossiers[d].applicant_evidence ||
		    !r->dossiers[d].program_evidence)
			abort();
		if (r->dossiers[d].credit_code && !uscc_valid(r->dossiers[d].credit_code))
			abort();
	}
}

static void classify_lines(const struct campaign *c, char *text)
{
	struct classify_file files[MAX_FILES];
	char *tops[MAX_FILES];
	const char *names[MAX_FILES];
	struct classify_known known[MAX_KNOWN];
	const char *head[3] = { NULL, NULL, NULL };
	size_t nf = 0, nk = 0, nh = 0, probs = 0;
	char *line = text, *next;
	struct classify_county cc;
	struct classify_input in;
	struct classify_result r;

	for (; line; line = next) {
		char *bar, *path, *slash, *base;
		struct classify_file *f;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (nh < 3) {
			head[nh++] = *line ? line : NULL;
			continue;
		}
		if (line[0] == 'K' && line[1] && nk < MAX_KNOWN) {
			known[nk].id = (long long)nk + 1;
			known[nk].program = line[1] >= '0' && line[1] <= '8' ? line[1] - '0' : -1;
			known[nk].applicant = line + 2;
			known[nk].items = NULL;
			known[nk].nitems = 0;
			known[nk].credit_code = NULL;
			nk++;
			continue;
		}
		if (line[0] == 'C' && nk > 0) {
			known[nk - 1].credit_code = line + 1;
			continue;
		}
		if (line[0] == 'T' && line[1] >= '0' && line[1] <= '9' && nf > 0) {
			struct classify_file *lf = &files[nf - 1];
			char *t = line + 2;
			for (char *q = t; *q; q++)
				*q = *q == '~' ? '\n' : *q == '^' ? '\t' : *q == '`' ? '\f' : *q;
			lf->text = t;
			lf->text_len = strlen(t);
			lf->text_source = line[1] <= '4' ? line[1] - '0' : TEXT_OCR;
			lf->text_confidence = line[1] <= '4' ? 100 : (line[1] - '0') * 10;
			continue;
		}
		if (nf >= MAX_FILES)
			break;
		f = &files[nf];
		memset(f, 0, sizeof(*f));
		f->id = (unsigned)nf;
		f->top = (int)nf;
		f->kind = SNIFF_DOCUMENT;
		bar = strchr(line, '|');
		path = line;
		if (bar) {
			*bar = '\0';
			for (const char *q = line; *q; q++)
				switch (*q) {
				case 'i': f->kind = SNIFF_IMAGE; break;
				case 'a': f->kind = SNIFF_ARCHIVE; f->container = true; break;
				case 'r': f->kind = SNIFF_ARCHIVE; break;
				case 'x': f->kind = SNIFF_EXECUTABLE; break;
				case 's': f->kind = SNIFF_SCRIPT; break;
				case 'e': f->kind = SNIFF_EMPTY; break;
				case 'o': f->kind = SNIFF_OTHER; break;
				case 'b': f->body_image = true; break;
				default:
					if (*q >= '0' && *q <= '9')
						f->top = *q - '0';
				}
			path = bar + 1;
		}
		f->path = path;
		base = strrchr(path, '/');
		f->name = base ? base + 1 : path;
		slash = strchr(path, '/');
		tops[nf] = NULL;
		if (slash) {
			tops[nf] = strndup(path, (size_t)(slash - path));
			if (!tops[nf])
				break;
			f->top_name = tops[nf];
			f->inner = slash + 1;
		} else {
			f->top_name = path;
		}
		names[nf] = path;
		nf++;
	}

	if (classify_county(c, head[1], head[2], head[0], names, nf, &cc) == 0) {
		if (cc.county >= (int)c->ncounties || !cc.evidence)
			abort();
		classify_county_free(&cc);
	}
	memset(&in, 0, sizeof(in));
	in.c = c;
	in.subject = head[0];
	in.from_addr = head[1];
	in.from_display = head[2];
	in.files = files;
	in.nfiles = nf;
	in.known = known;
	in.nknown = nk;
	if (classify_message(&in, &r, ignore_problem, &probs) == 0) {
		check_result(&r, nf);
		classify_result_free(&r);
	}
	if (head[0]) {
		char *n = classify_normalise(head[0]), *k = classify_applicant_key(c, head[0]);
		if (!n || !k)
			abort();
		if (strlen(n) > strlen(head[0]))
			abort();   /* normalising never lengthens */
		free(n);
		free(k);
	}
	for (size_t i = 0; i < nf; i++)
		free(tops[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > MAX_INPUT)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if (size > 0 && text[0] == 'C') {
		struct campaign *c = NULL;
		char err[512];

		if (campaign_parse(text + 1, size - 1, "fuzz.conf", &c, err, sizeof(err)) == 0) {
			char msg[] = "祁东县衡阳华腾科技有限公司创新创业基地补件\nqdgxj@163.example\n祁东县工信局\n"
			             "0a|衡阳华腾科技有限公司.zip\n0d|衡阳华腾科技有限公司.zip/申请表.doc\n"
			             "1d|推荐汇总表.xlsx\n2i|__MACOSX/._x.jpg\nK0衡阳华腾科技有限公司\n";
			classify_lines(c, msg);
			campaign_free(&c);
		} else if (err[0] == '\0') {
			abort();   /* every refusal says why */
		}
		free(text);
		return 0;
	}
	/* Lines are NUL-terminated strings: a NUL in the input ends the text. */
	classify_lines(shipped, text);
	free(text);
	return 0;
}

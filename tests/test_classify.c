/*
 * test_classify.c - files to dossiers and items against the shipped 2023
 * campaign: item names, county detection, dossier splits, programs,
 * applicants, supplements.  Runs from the project root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "campaign.h"
#include "classify.h"
#include "textract.h"
#include "testutil.h"

#define CAMPAIGN_FILE "campaigns/hengyang-2023.conf"

static struct campaign *C;      /* the shipped campaign */
static struct campaign *CD;     /* the same plus a county known by "@domain" */

static int load(void **state)
{
	size_t len;
	char *text = tu_read_file(CAMPAIGN_FILE, &len), *more;
	char err[512];

	(void)state;
	if (!text || campaign_parse(text, len, CAMPAIGN_FILE, &C, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", text ? err : "cannot read " CAMPAIGN_FILE);
		free(text);
		return -1;
	}
	more = tu_printf("%s\n[county testpark]\nname = 衡阳测试产业园区\nkind = park\nsenders = @cyfz.example\n", text);
	free(text);
	if (campaign_parse(more, strlen(more), "domain.conf", &CD, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		free(more);
		return -1;
	}
	free(more);
	return 0;
}

static int unload(void **state)
{
	(void)state;
	campaign_free(&C);
	campaign_free(&CD);
	return 0;
}

/* ------------------------------------------------ message building */

/*
 * A file as the caller describes it: top is the attachment's index; path
 * is "attachment/inner/path" for archive entries ("x.zip/a/b.pdf"), a bare
 * name for a direct attachment.  kind: 'd' document, 'i' image,
 * 'a' unpacked archive, 'x' executable, 'e' empty, 'b' body image.
 */
struct fspec {
	int top;
	char kind;
	const char *path;
};

struct known_spec {
	long long id;
	int program;
	const char *applicant;
};

struct msg {
	const char *subject;
	const char *from;
	const char *display;
	const struct fspec *files;   /* ends with path NULL */
	const struct known_spec *known; /* ends with id 0 */
};

struct problem_rec {
	char kind[40];
	char subject[512];
	char reason[1024];
};

struct run {
	struct classify_file files[64];
	char *top_names[64];
	size_t nfiles;
	struct classify_known known[8];
	size_t nknown;
	struct classify_result r;
	struct problem_rec probs[64];
	size_t nprobs;
};

static void on_problem(void *ctx, const char *kind, const char *subject, const char *reason)
{
	struct run *run = ctx;
	struct problem_rec *p;

	assert_non_null(kind);
	assert_non_null(reason);
	assert_true(run->nprobs < sizeof(run->probs) / sizeof(run->probs[0]));
	p = &run->probs[run->nprobs++];
	snprintf(p->kind, sizeof(p->kind), "%s", kind);
	snprintf(p->subject, sizeof(p->subject), "%s", subject ? subject : "");
	snprintf(p->reason, sizeof(p->reason), "%s", reason);
}

/* What a file says (parallel to msg.files; text NULL: none). */
struct ftext {
	const char *text;
	int source;            /* enum text_source */
	int conf;
};

static struct run *run_msg_text(const struct campaign *c, const struct msg *m,
                                const struct ftext *texts, const char *const *known_codes)
{
	struct run *run = calloc(1, sizeof(*run));
	struct classify_input in;

	assert_non_null(run);
	for (const struct fspec *f = m->files; f && f->path; f++) {
		struct classify_file *cf = &run->files[run->nfiles];
		const char *slash = strchr(f->path, '/'), *base = strrchr(f->path, '/');

		assert_true(run->nfiles < 64);
		cf->id = 100 + (unsigned)run->nfiles;
		cf->path = f->path;
		cf->name = base ? base + 1 : f->path;
		cf->top = f->top;
		if (slash) {
			run->top_names[run->nfiles] = strndup(f->path, (size_t)(slash - f->path));
			cf->top_name = run->top_names[run->nfiles];
			cf->inner = slash + 1;
		} else {
			cf->top_name = f->path;
			cf->inner = NULL;
		}
		switch (f->kind) {
		case 'i': cf->kind = SNIFF_IMAGE; cf->mime = "image/jpeg"; break;
		case 'a': cf->kind = SNIFF_ARCHIVE; cf->mime = "application/zip"; cf->container = true; break;
		case 'x': cf->kind = SNIFF_EXECUTABLE; cf->mime = "application/x-dosexec"; break;
		case 'e': cf->kind = SNIFF_EMPTY; cf->mime = "application/x-empty"; break;
		case 'b': cf->kind = SNIFF_IMAGE; cf->mime = "image/png"; cf->body_image = true; break;
		default: cf->kind = SNIFF_DOCUMENT; cf->mime = "application/pdf"; break;
		}
		if (texts && texts[run->nfiles].text) {
			cf->text = texts[run->nfiles].text;
			cf->text_len = strlen(cf->text);
			cf->text_source = texts[run->nfiles].source;
			cf->text_confidence = texts[run->nfiles].conf;
		}
		run->nfiles++;
	}
	for (const struct known_spec *k = m->known; k && k->id; k++) {
		run->known[run->nknown].id = k->id;
		run->known[run->nknown].program = k->program;
		run->known[run->nknown].applicant = k->applicant;
		run->known[run->nknown].credit_code = known_codes ? known_codes[run->nknown] : NULL;
		run->nknown++;
	}
	in.c = c;
	in.subject = m->subject;
	in.from_addr = m->from;
	in.from_display = m->display;
	in.files = run->files;
	in.nfiles = run->nfiles;
	in.known = run->known;
	in.nknown = run->nknown;
	assert_int_equal(classify_message(&in, &run->r, on_problem, run), 0);
	assert_int_equal(run->r.nfiles, run->nfiles);
	for (size_t i = 0; i < run->nfiles; i++) {
		assert_int_equal(run->r.files[i].file_id, 100 + i);
		assert_non_null(run->r.files[i].evidence);
		assert_true(run->r.files[i].dossier < (int)run->r.ndossiers);
	}
	for (size_t d = 0; d < run->r.ndossiers; d++) {
		assert_non_null(run->r.dossiers[d].applicant);
		assert_non_null(run->r.dossiers[d].applicant_evidence);
		assert_non_null(run->r.dossiers[d].program_evidence);
	}
	return run;
}

static struct run *run_msg(const struct campaign *c, const struct msg *m)
{
	return run_msg_text(c, m, NULL, NULL);
}

static void run_free(struct run *run)
{
	classify_result_free(&run->r);
	for (size_t i = 0; i < run->nfiles; i++)
		free(run->top_names[i]);
	free(run);
}

static size_t count_probs(const struct run *run, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < run->nprobs; i++)
		if (strcmp(run->probs[i].kind, kind) == 0)
			n++;
	return n;
}

static const char *prog_key(const struct campaign *c, int p)
{
	return p >= 0 ? c->programs[p].key : "?";
}

/* The file's item, or "-" */
static const char *item_of(const struct run *run, size_t i)
{
	return run->r.files[i].item ? run->r.files[i].item : "-";
}

static void expect_contains(const char *hay, const char *needle)
{
	assert_non_null(hay);
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* ------------------------------------------------ items by file name */

struct name_case {
	const char *name;
	const char *base;      /* item in a base dossier, "-" none, "ignored" */
	const char *inst;      /* item in an institution dossier */
	const char *evidence;  /* a piece of the base evidence, or NULL */
};

static const struct name_case name_cases[] = {
	{ "05.2022年度审计报告.pdf", "B05", "S07", "含“审计报告”，且以目录序号“5”开头" },
	{ "营业执照副本（盖章）.jpg", "B06", "S03", "文件名“营业执照副本（盖章）.jpg”含“营业执照”" },
	{ "入驻企业名单及基本情况汇总表.xlsx", "B04", "-", "含“入驻企业”" },
	{ "衡阳市中小微企业创新创业基地推荐汇总表.xlsx", "C02", "C02", "含“推荐汇总表”" },
	{ "关于推荐衡阳华腾科技有限公司的推荐报告.pdf", "C01", "C01", "含“推荐报告”" },
	{ "推荐意见.pdf", "C01", "C01", NULL },
	{ "珠晖区工业和信息化局关于推荐2023年衡阳市中小微企业创新创业基地的报告.pdf", "C01", "C01", "含“推荐+报告”" },
	{ "推荐单位申请报告.pdf", "B02", "S02", NULL },      /* equal length: the applicant's item */
	{ "申请报告（推荐单位意见）.pdf", "B02", "S02", NULL },
	{ "推荐汇总表.xls", "C02", "C02", NULL },
	{ "社保缴纳证明.pdf", "B14", "S13", "含“社保”" },
	{ "服务人员社保证明.pdf", "B14", "S13", NULL },
	{ "房屋租赁合同.pdf", "B07", "S04", "含“租赁合同”" },
	{ "不动产权证书.pdf", "B07", "S04", NULL },
	{ "土地使用权证.jpg", "B07", "S04", NULL },
	{ "⑦租赁协议.pdf", "B07", "S04", "且以目录序号“7”开头" },
	{ "真实性声明.pdf", "B13", "S12", NULL },
	{ "对申报材料真实性的声明.pdf", "B13", "S12", NULL },
	{ "服务对象情况表.xls", "-", "S06", NULL },
	{ "附件1 申请表.doc", "B01", "S01", "含“申请表”" },
	{ "衡阳市中小微企业核心服务机构申请表.doc", "B01", "S01", NULL },
	{ "衡阳市中小微企业创业创新基地申请报告.docx", "B02", "S02", NULL },
	{ "3.主要管理人员名单.docx", "B03", "S08", "且以目录序号“3”开头" },
	{ "06-营业执照副本.pdf", "B06", "S03", "且以目录序号“6”开头" },
	{ "民办非企业单位登记证书.pdf", "B06", "S03", NULL },
	{ "机构成立批文.pdf", "-", "S03", NULL },
	{ "自持厂房面积证明材料.pdf", "B08", "-", NULL },
	{ "规划布局图和建设方案.docx", "B09", "-", NULL },
	{ "（9）平面布局图.jpg", "B09", "-", NULL },
	{ "近年开展相关服务情况.docx", "B10", "S09", NULL },
	{ "典型案例.docx", "-", "S09", NULL },
	{ "深度参与“破零倍增”等公共服务活动情况.pdf", "B11", "S10", "含“公共服务活动”" },
	{ "12.其他证明材料.pdf", "B12", "S11", NULL },
	{ "荣誉证书.pdf", "B12", "S11", NULL },
	{ "服务管理制度汇编.pdf", "-", "S05", NULL },
	{ "服务承诺书.pdf", "B13", "S05", NULL },
	{ "主要人员基本情况表.xlsx", "-", "S08", NULL },
	{ "主要人员汇总表.xlsx", "-", "S08", NULL },       /* not the county's 汇总表 */
	{ "执业资格证书（张三）.jpg", "-", "S08", NULL },
	{ "2022年财务报表.xlsx", "B05", "S07", NULL },
	{ "利润表（盖章）.pdf", "B05", "S07", NULL },
	{ "ＮＯ．５　会计报表.pdf", "B05", "S07", NULL },
	{ "5.pdf", "B05", "S05", "文件名仅有目录序号“5”，按中小微企业创新创业基地第5项归类（仅凭序号，请核对）" },
	{ "13.pdf", "B13", "-", NULL },
	{ "scan001.pdf", "-", "-", NULL },
	{ "Thumbs.db", "ignored", "ignored", "Thumbs.db" },
	{ "__MACOSX/._营业执照.pdf", "ignored", "ignored", "__MACOSX/" },
	{ "~$申请表.doc", "ignored", "ignored", NULL },
	{ ".DS_Store", "ignored", "ignored", NULL },
};

static void check_name(const struct name_case *nc, int prog, const char *want)
{
	/* One loose file; the subject names the applicant and the program. */
	const struct fspec files[] = { { 0, 'd', nc->name }, { 0, 0, NULL } };
	const struct msg m = {
		prog == 0 ? "衡阳华腾科技有限公司创新创业基地申报材料" : "衡阳华腾科技有限公司核心服务机构申报材料",
		"hengdong-gxj@hengyang.gov.example", NULL, files, NULL
	};
	struct run *run = run_msg(C, &m);
	const struct classify_assignment *a = &run->r.files[0];

	if (strcmp(want, "ignored") == 0) {
		assert_true(a->ignored);
		assert_null(a->item);
		assert_int_equal(a->dossier, -1);
		assert_int_equal(run->r.ndossiers, 0);
	} else if (want[0] == 'C') {
		assert_string_equal(item_of(run, 0), want);
		assert_int_equal(a->dossier, -1);
		assert_false(a->ignored);
	} else {
		if (strcmp(item_of(run, 0), want) != 0)
			fail_msg("%s in %s: %s (%s), want %s", nc->name, prog_key(C, prog), item_of(run, 0),
			         a->evidence, want);
		assert_int_equal(a->dossier, 0);
		assert_int_equal(run->r.ndossiers, 1);
		assert_int_equal(run->r.dossiers[0].program, prog);
		assert_string_equal(run->r.dossiers[0].applicant, "衡阳华腾科技有限公司");
		/* an unmatched document is reported, a matched one is not */
		assert_int_equal(count_probs(run, PROB_UNRECOGNISED), want[0] == '-');
		if (want[0] == '-') {
			char *why = tu_printf("文件“%s”未能对应申报目录中的任何一项，请核对文件名", nc->name);
			assert_string_equal(run->probs[0].reason, why);
			assert_string_equal(run->probs[0].subject, nc->name);
			free(why);
		}
	}
	if (prog == 0 && nc->evidence)
		expect_contains(a->evidence, nc->evidence);
	run_free(run);
}

static void test_item_name(void **state)
{
	const struct name_case *nc = *state;

	check_name(nc, 0, nc->base);
	check_name(nc, 1, nc->inst);
}

/* ------------------------------------------------------ normalise */

static void test_normalise(void **state)
{
	static const char *const cases[][2] = {
		{ "ＮＯ．５　会计报表.pdf", "no5会计报表" },
		{ "（盖章）营业执照、副本【1】.PDF", "盖章营业执照副本1" },
		{ "⑦租赁协议.pdf", "7租赁协议" },
		{ "⑳其他.doc", "20其他" },
		{ "“破零倍增”——行动《方案》.docx", "破零倍增行动方案" },
		{ "二〇二三年 报表.xls", "二〇二三年报表" },
		{ "Report 2022.tar.gz", "report2022tar" },
		{ ".DS_Store", "dsstore" },
		{ "v1.2版", "v12版" },
		{ "5.pdf", "5" },
		{ "a\xff b\xe4\xb8.pdf", "ab" },        /* bad bytes dropped */
		{ "单位A.zip/单位A/营业执照.pdf", "单位azip单位a营业执照" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = classify_normalise(cases[i][0]);
		assert_non_null(n);
		if (strcmp(n, cases[i][1]) != 0)
			fail_msg("normalise(\"%s\") = \"%s\", want \"%s\"", cases[i][0], n, cases[i][1]);
		free(n);
	}
	{
		char *n = classify_normalise(NULL);
		assert_string_equal(n, "");
		free(n);
	}
}

/* --------------------------------------------------------- county */

struct county_case {
	const char *name;
	bool domain;           /* use the campaign with an "@domain" county */
	const char *from, *display, *subject;
	const char *names[4];
	const char *want;      /* county id, NULL unknown */
	bool by_sender;
	const char *evidence;
};

static const struct county_case county_cases[] = {
	{ "sender map", false, "qdgxj@163.example", "某某", "申报材料", { NULL },
	  "qidong", true, "发件人 qdgxj@163.example 属于祁东县" },
	{ "sender map, any case", false, "QDGXJ@163.Example", NULL, NULL, { NULL },
	  "qidong", true, "发件人 qdgxj@163.example 属于祁东县" },
	{ "sender map wins over subject", false, "2875310442@qq.example", NULL,
	  "雁峰区申报材料", { NULL }, "hengnan", true, "属于衡南县" },
	{ "@domain", true, "wang@cyfz.example", NULL, NULL, { NULL },
	  "testpark", true, "发件人域名 @cyfz.example 属于衡阳测试产业园区" },
	{ "display name from a personal address", false, "123456@qq.example",
	  "蒸湘区工信局 李明", "申报材料", { NULL }, "zhengxiang", false, "发件人名称“蒸湘区工信局 李明”含“蒸湘区”" },
	{ "subject", false, "abc@163.example", "李明",
	  "雁峰区2023年创新创业基地申报材料", { NULL }, "yanfeng", false, "邮件主题含“雁峰区”" },
	{ "subject alias", false, "abc@163.example", NULL,
	  "关于报送耒阳中小微企业申报材料的函", { NULL }, "leiyang", false, "邮件主题含“耒阳”" },
	{ "folder name", false, "abc@163.example", NULL, "申报材料",
	  { "资料.zip", "资料.zip/石鼓区/申请表.doc", NULL }, "shigu", false, "文件名“资料.zip/石鼓区/申请表.doc”含“石鼓区”" },
	{ "park, longest alias", false, "abc@163.example", NULL,
	  "衡阳高新区创新创业基地申报", { NULL }, "gaoxin", false, "邮件主题含“衡阳高新区”" },
	{ "longest of two aliases", false, "abc@163.example", NULL,
	  "松木经开区申报材料", { NULL }, "songmu", false, "邮件主题含“松木经开区”" },
	{ "equal length, earlier wins", false, "abc@163.example", NULL,
	  "南岳衡山众创空间申报材料", { NULL }, "nanyue", false, "邮件主题含“南岳”" },
	{ "衡阳县 by name", false, "abc@163.example", NULL,
	  "衡阳县工信局报送申报材料", { NULL }, "hengyangxian", false, "邮件主题含“衡阳县”" },
	{ "衡阳 alone is the city", false, "abc@163.example", "衡阳",
	  "衡阳市2023年中小微企业申报材料", { "衡阳市申报材料.zip", "衡阳市申报材料.zip/衡阳/县级推荐.pdf", NULL },
	  NULL, false, "不在名单中" },
	{ "nothing at all", false, NULL, NULL, NULL, { NULL },
	  NULL, false, "发件人 （空） 不在名单中" },
};

static void test_county(void **state)
{
	const struct county_case *cc = *state;
	const struct campaign *c = cc->domain ? CD : C;
	struct classify_county r;
	size_t n = 0;

	while (n < 4 && cc->names[n])
		n++;
	assert_int_equal(classify_county(c, cc->from, cc->display, cc->subject, cc->names, n, &r), 0);
	if (cc->want) {
		if (r.county != campaign_county_index(c, cc->want))
			fail_msg("%s: county %d (%s), want %s", cc->name, r.county, r.evidence, cc->want);
	} else {
		assert_int_equal(r.county, -1);
	}
	assert_int_equal(r.by_sender, cc->by_sender);
	expect_contains(r.evidence, cc->evidence);
	classify_county_free(&r);
	assert_null(r.evidence);
	classify_county_free(&r);
}

/* ------------------------------------------------- dossier splits */

static void test_split_one_zip_one_folder(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'a', "衡阳市祁东县湘南电子商务产业园.zip" },
		{ 0, 'd', "衡阳市祁东县湘南电子商务产业园.zip/衡阳市祁东县湘南电子商务产业园/1.申请表.doc" },
		{ 0, 'd', "衡阳市祁东县湘南电子商务产业园.zip/衡阳市祁东县湘南电子商务产业园/3.主要管理人员和创业服务人员名单.docx" },
		{ 0, 'i', "衡阳市祁东县湘南电子商务产业园.zip/衡阳市祁东县湘南电子商务产业园/08/扫描1.jpg" },
		{ 0, 'd', "衡阳市祁东县湘南电子商务产业园.zip/衡阳市祁东县湘南电子商务产业园/9.pdf" },
		{ 0, 'd', "衡阳市祁东县湘南电子商务产业园.zip/__MACOSX/衡阳市祁东县湘南电子商务产业园/._1.申请表.doc" },
		{ 0, 'x', "衡阳市祁东县湘南电子商务产业园.zip/衡阳市祁东县湘南电子商务产业园/setup.exe" },
		{ 0, 'e', "衡阳市祁东县湘南电子商务产业园.zip/衡阳市祁东县湘南电子商务产业园/审计报告.pdf" },
		{ 1, 'd', "衡阳市中小微企业创新创业基地推荐汇总表.xlsx" },
		{ 2, 'b', "image001.png" },
		{ 0, 0, NULL }
	};
	const struct msg m = { "祁东县工信局-创新创业基地申报材料", "qdgxj@163.example", NULL, files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	(void)state;
	assert_int_equal(r->ndossiers, 1);
	assert_string_equal(r->dossiers[0].applicant, "衡阳市祁东县湘南电子商务产业园");
	assert_string_equal(r->dossiers[0].applicant_evidence, "取自文件夹名“衡阳市祁东县湘南电子商务产业园”");
	assert_int_equal(r->dossiers[0].program, 0);
	expect_contains(r->dossiers[0].program_evidence, "创新创业基地");
	assert_int_equal(r->dossiers[0].merge_into, 0);
	assert_false(r->supplement);
	/* the archive goes with its one unit, but is not an item */
	assert_int_equal(r->files[0].dossier, 0);
	assert_null(r->files[0].item);
	assert_string_equal(item_of(run, 1), "B01");
	assert_string_equal(item_of(run, 2), "B03");
	assert_string_equal(item_of(run, 3), "B08");
	assert_string_equal(r->files[3].evidence,
	                    "所在文件夹“08”仅有目录序号“8”，按中小微企业创新创业基地第8项归类（仅凭序号，请核对）");
	assert_string_equal(item_of(run, 4), "B09");
	assert_true(r->files[5].ignored);
	assert_int_equal(r->files[5].dossier, -1);
	/* an executable is in the dossier but never an item, and not "unrecognised" */
	assert_int_equal(r->files[6].dossier, 0);
	assert_null(r->files[6].item);
	expect_contains(r->files[6].evidence, "可执行程序");
	/* an empty file does not count */
	assert_null(r->files[7].item);
	expect_contains(r->files[7].evidence, "空文件");
	assert_string_equal(item_of(run, 8), "C02");
	assert_int_equal(r->files[8].dossier, -1);
	assert_true(r->files[9].ignored);
	assert_int_equal(run->nprobs, 0);
	run_free(run);
}

static void test_split_one_zip_several_units(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'a', "雁峰区.zip" },
		{ 0, 'd', "雁峰区.zip/雁峰区/2023年申报材料/衡阳华腾科技有限公司/申请表.doc" },
		{ 0, 'd', "雁峰区.zip/雁峰区/2023年申报材料/衡阳华腾科技有限公司/入驻企业名单.xlsx" },
		{ 0, 'd', "雁峰区.zip/雁峰区/2023年申报材料/衡阳市雁峰区湘江创业服务中心/申请表.doc" },
		{ 0, 'd', "雁峰区.zip/雁峰区/2023年申报材料/衡阳市雁峰区湘江创业服务中心/服务对象情况表.xls" },
		{ 0, 'i', "雁峰区.zip/雁峰区/2023年申报材料/衡阳市雁峰区湘江创业服务中心/06营业执照/副本.jpg" },
		{ 0, 'd', "雁峰区.zip/雁峰区/2023年申报材料/推荐汇总表.xlsx" },
		{ 0, 'd', "雁峰区.zip/雁峰区/2023年申报材料/关于推荐两家单位的推荐报告.pdf" },
		{ 0, 'd', "雁峰区.zip/雁峰区/2023年申报材料/说明.docx" },
		{ 0, 0, NULL }
	};
	const struct msg m = { "雁峰区中小微企业申报材料", "yanfeng-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	(void)state;
	assert_int_equal(r->ndossiers, 2);
	assert_string_equal(r->dossiers[0].applicant, "衡阳华腾科技有限公司");
	assert_string_equal(r->dossiers[1].applicant, "衡阳市雁峰区湘江创业服务中心");
	assert_int_equal(r->dossiers[0].program, 0);       /* 入驻企业名单: base only */
	expect_contains(r->dossiers[0].program_evidence, "入驻企业名单.xlsx");
	assert_int_equal(r->dossiers[1].program, 1);       /* 服务中心 in its folder name */
	assert_string_equal(r->dossiers[1].program_evidence, "文件夹名“衡阳市雁峰区湘江创业服务中心”含“服务中心”");
	assert_int_equal(r->files[0].dossier, -1);         /* a county packet is nobody's */
	assert_int_equal(r->files[1].dossier, 0);
	assert_string_equal(item_of(run, 1), "B01");
	assert_string_equal(item_of(run, 2), "B04");
	assert_int_equal(r->files[3].dossier, 1);
	assert_string_equal(item_of(run, 3), "S01");
	assert_string_equal(item_of(run, 4), "S06");
	assert_string_equal(item_of(run, 5), "S03");
	assert_string_equal(r->files[5].evidence, "所在文件夹“06营业执照”含“营业执照”");
	assert_string_equal(item_of(run, 6), "C02");
	assert_string_equal(item_of(run, 7), "C01");
	/* a stray note beside the unit folders: nobody's, and reported */
	assert_int_equal(r->files[8].dossier, -1);
	assert_null(r->files[8].item);
	assert_int_equal(run->nprobs, 1);
	assert_string_equal(run->probs[0].kind, PROB_UNRECOGNISED);
	assert_string_equal(run->probs[0].subject, "雁峰区.zip/雁峰区/2023年申报材料/说明.docx");
	run_free(run);
}

static void test_split_several_zips(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'a', "01-衡阳白沙洲智谷孵化园有限公司-创新创业基地申报材料.zip" },
		{ 0, 'd', "01-衡阳白沙洲智谷孵化园有限公司-创新创业基地申报材料.zip/申请表.doc" },
		{ 0, 'd', "01-衡阳白沙洲智谷孵化园有限公司-创新创业基地申报材料.zip/规划布局图.pdf" },
		{ 1, 'a', "衡阳雁城众创空间管理有限公司.rar" },
		{ 1, 'd', "衡阳雁城众创空间管理有限公司.rar/衡阳雁城众创空间管理有限公司/申报书/1.申请表.doc" },
		{ 1, 'd', "衡阳雁城众创空间管理有限公司.rar/衡阳雁城众创空间管理有限公司/申报书/5.pdf" },
		{ 2, 'a', "资料.zip" },
		{ 2, 'd', "资料.zip/申请表.doc" },
		{ 2, 'd', "资料.zip/服务对象情况表.xls" },
		{ 3, 'a', "推荐报告.rar" },
		{ 3, 'i', "推荐报告.rar/扫描件1.jpg" },
		{ 0, 0, NULL }
	};
	const struct msg m = { "雁峰区申报材料（3家）", "yanfeng-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	(void)state;
	assert_int_equal(r->ndossiers, 3);
	assert_string_equal(r->dossiers[0].applicant, "衡阳白沙洲智谷孵化园有限公司");
	assert_string_equal(r->dossiers[0].applicant_evidence,
	                    "取自压缩包名“01-衡阳白沙洲智谷孵化园有限公司-创新创业基地申报材料.zip”");
	assert_string_equal(r->dossiers[1].applicant, "衡阳雁城众创空间管理有限公司");
	assert_int_equal(r->dossiers[1].program, 0);
	assert_string_equal(item_of(run, 5), "B05");       /* "5.pdf", program known */
	assert_string_equal(r->dossiers[2].applicant, "未识别申报单位");
	assert_int_equal(r->dossiers[2].program, 1);
	assert_int_equal(r->files[6].dossier, 2);
	assert_string_equal(item_of(run, 8), "S06");
	/* an archive named 推荐报告 is the county's: its scans are C01 */
	assert_int_equal(r->files[9].dossier, -1);
	assert_int_equal(r->files[10].dossier, -1);
	assert_string_equal(item_of(run, 10), "C01");
	assert_string_equal(r->files[10].evidence, "所在压缩包“推荐报告.rar”含“推荐报告”（县市区推荐材料）");
	assert_int_equal(count_probs(run, PROB_UNKNOWN_APPLICANT), 1);
	assert_string_equal(run->probs[0].subject, "资料.zip");
	assert_int_equal(run->nprobs, 1);
	run_free(run);
}

static void test_split_7z_of_zips(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'a', "衡南县申报材料.7z" },
		{ 0, 'a', "衡南县申报材料.7z/衡阳鑫达会计师事务所有限公司.zip" },
		{ 0, 'd', "衡南县申报材料.7z/衡阳鑫达会计师事务所有限公司.zip/衡阳鑫达会计师事务所有限公司/1、申请表.docx" },
		{ 0, 'd', "衡南县申报材料.7z/衡阳鑫达会计师事务所有限公司.zip/衡阳鑫达会计师事务所有限公司/服务对象情况表.xls" },
		{ 0, 'a', "衡南县申报材料.7z/衡南县云创科技服务中心.zip" },
		{ 0, 'd', "衡南县申报材料.7z/衡南县云创科技服务中心.zip/申请表.doc" },
		{ 0, 'd', "衡南县申报材料.7z/衡南县云创科技服务中心.zip/制度汇编.pdf" },
		{ 0, 'd', "衡南县申报材料.7z/衡南县云创科技服务中心.zip/服务人员社保证明.pdf" },
		{ 0, 'd', "衡南县申报材料.7z/推荐报告.pdf" },
		{ 0, 'd', "衡南县申报材料.7z/衡阳市中小微企业核心服务机构推荐汇总表.xlsx" },
		{ 0, 0, NULL }
	};
	const struct msg m = { "衡南县2023年中小微企业核心服务机构申报材料", "liming@qq.example",
	                       "衡南县工信局 李明", files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	(void)state;
	assert_int_equal(r->ndossiers, 2);
	assert_string_equal(r->dossiers[0].applicant, "衡阳鑫达会计师事务所有限公司");
	assert_string_equal(r->dossiers[0].applicant_evidence, "取自压缩包名“衡阳鑫达会计师事务所有限公司.zip”");
	assert_string_equal(r->dossiers[1].applicant, "衡南县云创科技服务中心");
	assert_int_equal(r->dossiers[0].program, 1);
	assert_string_equal(r->dossiers[0].program_evidence, "邮件主题含“核心服务机构”");
	assert_int_equal(r->dossiers[1].program, 1);
	assert_int_equal(r->files[0].dossier, -1);
	assert_int_equal(r->files[1].dossier, 0);          /* inner archive: with its unit */
	assert_null(r->files[1].item);
	assert_string_equal(item_of(run, 2), "S01");
	assert_string_equal(item_of(run, 3), "S06");
	assert_int_equal(r->files[4].dossier, 1);
	assert_string_equal(item_of(run, 6), "S05");
	assert_string_equal(item_of(run, 7), "S13");
	assert_string_equal(item_of(run, 8), "C01");
	assert_string_equal(item_of(run, 9), "C02");
	assert_int_equal(run->nprobs, 0);
	run_free(run);
}

static void test_split_unit_named_like_an_item(void **state)
{
	/* 融资服务 is a B11/S10 word, but this folder names a unit. */
	static const struct fspec files[] = {
		{ 0, 'a', "耒阳市2023年申报材料.7z" },
		{ 0, 'a', "耒阳市2023年申报材料.7z/耒阳市蔡伦科技企业孵化器有限公司.zip" },
		{ 0, 'd', "耒阳市2023年申报材料.7z/耒阳市蔡伦科技企业孵化器有限公司.zip/耒阳市蔡伦科技企业孵化器有限公司/01-申请表.docx" },
		{ 0, 'a', "耒阳市2023年申报材料.7z/耒阳市融信中小企业融资服务有限公司.zip" },
		{ 0, 'd', "耒阳市2023年申报材料.7z/耒阳市融信中小企业融资服务有限公司.zip/耒阳市融信中小企业融资服务有限公司/06-2022年服务对象情况表.xlsx" },
		{ 0, 'i', "耒阳市2023年申报材料.7z/耒阳市融信中小企业融资服务有限公司.zip/耒阳市融信中小企业融资服务有限公司/IMG_2034.jpg" },
		{ 0, 0, NULL }
	};
	const struct msg m = { "耒阳市2023年中小微企业创新创业基地和核心服务机构申报材料",
	                       "leiyang-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	(void)state;
	assert_int_equal(r->ndossiers, 2);
	assert_string_equal(r->dossiers[0].applicant, "耒阳市蔡伦科技企业孵化器有限公司");
	assert_int_equal(r->dossiers[0].program, 0);
	assert_string_equal(r->dossiers[1].applicant, "耒阳市融信中小企业融资服务有限公司");
	assert_int_equal(r->dossiers[1].program, 1);
	assert_string_equal(item_of(run, 4), "S06");
	/* the unit's folder says 融资服务: not read as the photo's item */
	assert_int_equal(r->files[5].dossier, 1);
	assert_null(r->files[5].item);
	assert_int_equal(count_probs(run, PROB_UNRECOGNISED), 1);
	run_free(run);
}

static void test_split_loose_files(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'd', "1.申请表.docx" },
		{ 1, 'd', "2.申请报告.pdf" },
		{ 2, 'd', "4.入驻中小微企业名单及基本情况汇总表.xlsx" },
		{ 3, 'd', "5.pdf" },
		{ 4, 'd', "推荐报告.pdf" },
		{ 0, 0, NULL }
	};
	const struct msg m = { "转发：关于报送衡阳市湘江智造产业园有限公司创新创业基地申报材料的函",
	                       "someone@hengyang.gov.example", "衡阳市工信局", files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	(void)state;
	assert_int_equal(r->ndossiers, 1);
	assert_string_equal(r->dossiers[0].applicant, "衡阳市湘江智造产业园有限公司");
	expect_contains(r->dossiers[0].applicant_evidence, "取自邮件主题");
	assert_int_equal(r->dossiers[0].program, 0);
	assert_string_equal(item_of(run, 0), "B01");
	assert_string_equal(item_of(run, 1), "B02");
	assert_string_equal(item_of(run, 2), "B04");
	assert_string_equal(item_of(run, 3), "B05");
	assert_string_equal(item_of(run, 4), "C01");
	assert_int_equal(r->files[4].dossier, -1);
	assert_int_equal(run->nprobs, 0);
	run_free(run);
}

static void test_split_two_zips_one_applicant(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'a', "衡阳华腾科技有限公司申报材料（一）.zip" },
		{ 0, 'd', "衡阳华腾科技有限公司申报材料（一）.zip/申报材料/申请表.doc" },
		{ 1, 'a', "衡阳华腾科技有限公司申报材料（二）.zip" },
		{ 1, 'd', "衡阳华腾科技有限公司申报材料（二）.zip/营业执照.pdf" },
		{ 2, 'i', "租赁合同.jpg" },
		{ 3, 'd', "补充说明.docx" },
		{ 0, 0, NULL }
	};
	const struct msg m = { "衡阳华腾科技有限公司创新创业基地申报材料", "hengdong-gxj@hengyang.gov.example",
	                       NULL, files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	(void)state;
	assert_int_equal(r->ndossiers, 1);
	assert_string_equal(r->dossiers[0].applicant, "衡阳华腾科技有限公司");
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(r->files[i].dossier, 0);
	assert_string_equal(item_of(run, 1), "B01");
	assert_string_equal(item_of(run, 3), "B06");
	assert_string_equal(item_of(run, 4), "B07");
	assert_false(r->supplement);                       /* a file name is not a 补件 */
	assert_int_equal(count_probs(run, PROB_UNRECOGNISED), 1);
	run_free(run);
}

static void test_split_county_folder_only(void **state)
{
	/* One folder that only names the county: stepped through; the unit
	 * has no name anywhere. */
	static const struct fspec files[] = {
		{ 0, 'a', "祁东县.zip" },
		{ 0, 'd', "祁东县.zip/祁东县/申请表.doc" },
		{ 0, 'd', "祁东县.zip/祁东县/入驻企业名单.xls" },
		{ 0, 'd', "祁东县.zip/祁东县/~$申请表.doc" },
		{ 0, 'd', "祁东县.zip/祁东县/.DS_Store" },
		{ 0, 0, NULL }
	};
	const struct msg m = { "材料", "qidong-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	(void)state;
	assert_int_equal(r->ndossiers, 1);
	assert_string_equal(r->dossiers[0].applicant, "未识别申报单位");
	assert_int_equal(r->dossiers[0].program, 0);
	assert_int_equal(count_probs(run, PROB_UNKNOWN_APPLICANT), 1);
	assert_string_equal(run->probs[0].subject, "祁东县.zip");
	assert_true(r->files[3].ignored);
	assert_true(r->files[4].ignored);
	assert_int_equal(run->nprobs, 1);
	run_free(run);
}

/* -------------------------------------------------------- program */

struct prog_case {
	const char *name;
	const char *subject;
	struct fspec files[6];
	const char *want;          /* program key, "?" unknown */
	const char *evidence;
	const char *items[6];      /* per file */
};

static const struct prog_case prog_cases[] = {
	{ "folder name", "申报材料",
	  { { 0, 'd', "a.zip/衡阳市蒸湘区创客众创空间/申请表.doc" }, { 0, 0, NULL } },
	  "base", "文件夹名“衡阳市蒸湘区创客众创空间”含“众创空间”", { "B01" } },
	{ "archive name", "申报材料",
	  { { 0, 'd', "衡阳鑫达会计师事务所-核心服务机构.zip/申请表.doc" }, { 0, 0, NULL } },
	  "institution", "压缩包名“衡阳鑫达会计师事务所-核心服务机构.zip”含“核心服务机构”", { "S01" } },
	{ "subject", "衡阳华腾科技有限公司核心服务机构申报",
	  { { 0, 'd', "申请表.doc" }, { 0, 0, NULL } },
	  "institution", "邮件主题含“核心服务机构”", { "S01" } },
	{ "items only: 服务对象情况表", "衡阳华腾科技有限公司申报材料",
	  { { 0, 'd', "申请表.doc" }, { 1, 'd', "服务对象情况表.xls" }, { 0, 0, NULL } },
	  "institution", "按所附文件判断：1个文件只见于中小微企业核心服务机构的申报目录，如“服务对象情况表.xls”对应“服务对象情况表”",
	  { "S01", "S06" } },
	{ "items only: 规划布局", "衡阳华腾科技有限公司申报材料",
	  { { 0, 'd', "规划布局图.pdf" }, { 1, 'd', "营业执照.pdf" }, { 0, 0, NULL } },
	  "base", "只见于中小微企业创新创业基地的申报目录", { "B09", "B06" } },
	{ "annex number", "衡阳华腾科技有限公司申报材料",
	  { { 0, 'd', "附件3 申报书.doc" }, { 1, 'd', "营业执照.pdf" }, { 0, 0, NULL } },
	  "institution", "“附件3 申报书.doc”", { "-", "S03" } },
	{ "subject names both: files decide", "衡阳华腾科技有限公司创新创业基地和核心服务机构申报",
	  { { 0, 'd', "入驻企业名单.xlsx" }, { 0, 0, NULL } },
	  "base", "入驻企业名单.xlsx", { "B04" } },
	{ "unknown: both programs tried", "衡阳华腾科技有限公司申报材料",
	  { { 0, 'd', "申请表.doc" }, { 1, 'd', "营业执照.pdf" }, { 2, 'd', "5.pdf" }, { 0, 0, NULL } },
	  "?", "无法判断申报类别；按中小微企业创新创业基地的申报目录试归类（对应2项）", { "B01", "B06", "-" } },
};

static void test_program(void **state)
{
	const struct prog_case *pc = *state;
	const struct msg m = { pc->subject, "hengdong-gxj@hengyang.gov.example", NULL, pc->files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	assert_int_equal(r->ndossiers, 1);
	if (strcmp(prog_key(C, r->dossiers[0].program), pc->want) != 0)
		fail_msg("%s: %s (%s), want %s", pc->name, prog_key(C, r->dossiers[0].program),
		         r->dossiers[0].program_evidence, pc->want);
	expect_contains(r->dossiers[0].program_evidence, pc->evidence);
	for (size_t i = 0; i < run->nfiles; i++)
		assert_string_equal(item_of(run, i), pc->items[i]);
	assert_int_equal(count_probs(run, PROB_UNKNOWN_PROGRAM), pc->want[0] == '?');
	if (pc->want[0] == '?') {
		size_t k;
		for (k = 0; k < run->nprobs; k++)
			if (strcmp(run->probs[k].kind, PROB_UNKNOWN_PROGRAM) == 0)
				break;
		assert_string_equal(run->probs[k].reason,
		    "无法判断“衡阳华腾科技有限公司”申报的是中小微企业创新创业基地还是中小微企业核心服务机构，"
		    "请在压缩包名或邮件主题中写明申报类别");
	}
	run_free(run);
}

/* ------------------------------------------------------ applicant */

struct app_case {
	const char *name;
	const char *subject;
	struct fspec files[3];
	const char *want;
	const char *evidence;
};

static const struct app_case app_cases[] = {
	{ "number and stamp note", "申报材料",
	  { { 0, 'd', "03-衡阳白沙洲智谷孵化园有限公司（盖章版）.zip/申请表.doc" }, { 0, 0, NULL } },
	  "衡阳白沙洲智谷孵化园有限公司", "取自压缩包名“03-衡阳白沙洲智谷孵化园有限公司（盖章版）.zip”" },
	{ "name in brackets", "申报材料",
	  { { 0, 'd', "2023年中小微企业核心服务机构申报材料（衡阳鑫达会计师事务所）.rar/申请表.doc" }, { 0, 0, NULL } },
	  "衡阳鑫达会计师事务所", NULL },
	{ "noise at the end", "申报材料",
	  { { 0, 'd', "衡阳华腾科技有限公司2023年核心服务机构申报材料最终版.zip/申请表.doc" }, { 0, 0, NULL } },
	  "衡阳华腾科技有限公司", NULL },
	{ "noise inside a name stays", "申报材料",
	  { { 0, 'd', "衡阳市中小微企业服务中心-核心服务机构申报.zip/申请表.doc" }, { 0, 0, NULL } },
	  "衡阳市中小微企业服务中心", NULL },
	{ "folder beats a nameless archive", "申报材料",
	  { { 0, 'd', "资料.zip/衡阳市南岳区衡岳孵化器/申请表.doc" }, { 0, 0, NULL } },
	  "衡阳市南岳区衡岳孵化器", "取自文件夹名“衡阳市南岳区衡岳孵化器”" },
	{ "subject segments", "祁东县工信局-衡阳市祁东县湘南电子商务产业园-创新创业基地申报材料",
	  { { 0, 'd', "申请表.doc" }, { 0, 0, NULL } },
	  "衡阳市祁东县湘南电子商务产业园", "取自邮件主题" },
	{ "sender's words before the name", "衡南县推荐衡南县联众企业管理咨询有限公司申报核心服务机构材料",
	  { { 0, 'd', "申请表.doc" }, { 0, 0, NULL } },
	  "衡南县联众企业管理咨询有限公司", "取自邮件主题" },
	{ "office before the name", "祁东县工信局衡阳市祁东县湘南电子商务产业园创新创业基地申报",
	  { { 0, 'd', "申请表.doc" }, { 0, 0, NULL } },
	  "衡阳市祁东县湘南电子商务产业园", NULL },
	{ "file name", "申报材料",
	  { { 0, 'd', "衡阳华腾科技有限公司营业执照副本.pdf" }, { 1, 'd', "申请表.doc" }, { 0, 0, NULL } },
	  "衡阳华腾科技有限公司", "取自文件名“衡阳华腾科技有限公司营业执照副本.pdf”" },
	{ "unit word inside noise", "珠晖区2023年市级中小微企业创新创业基地申报材料（衡阳市珠晖区湘江科创孵化园有限公司）",
	  { { 0, 'd', "申请表.doc" }, { 0, 0, NULL } },
	  "衡阳市珠晖区湘江科创孵化园有限公司", "取自邮件主题" },
	{ "nothing", "雁峰区申报材料",
	  { { 0, 'd', "资料.zip/申请表.doc" }, { 0, 0, NULL } },
	  "未识别申报单位", "未能从文件夹名、压缩包名或邮件主题中识别申报单位" },
	{ "a bare 公司 names nobody", "申报材料",
	  { { 0, 'd', "新建文件夹（公司）.zip/申请表.doc" }, { 0, 0, NULL } },
	  "未识别申报单位", NULL },
};

static void test_applicant(void **state)
{
	const struct app_case *ac = *state;
	const struct msg m = { ac->subject, "hengdong-gxj@hengyang.gov.example", NULL, ac->files, NULL };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	assert_int_equal(r->ndossiers, 1);
	if (strcmp(r->dossiers[0].applicant, ac->want) != 0)
		fail_msg("%s: \"%s\" (%s), want \"%s\"", ac->name, r->dossiers[0].applicant,
		         r->dossiers[0].applicant_evidence, ac->want);
	if (ac->evidence)
		expect_contains(r->dossiers[0].applicant_evidence, ac->evidence);
	assert_int_equal(count_probs(run, PROB_UNKNOWN_APPLICANT), strcmp(ac->want, "未识别申报单位") == 0);
	run_free(run);
}

static void test_applicant_key(void **state)
{
	static const char *const same[][2] = {
		{ "衡阳云端众创空间有限公司", "衡阳市衡南县云端众创空间有限公司" },
		{ "衡阳华腾科技股份有限公司", "华腾科技（衡阳）有限公司" },
		{ "衡阳 华腾科技有限责任公司", "衡阳华腾科技公司" },
		{ "ＡＢＣ科技有限公司", "abc科技有限公司" },
	};
	static const char *const differ[][2] = {
		{ "衡阳华腾科技有限公司", "衡阳华腾电子有限公司" },
		{ "衡阳市雁峰区湘江创业服务中心", "衡阳市雁峰区湘江创业孵化基地" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char *a = classify_applicant_key(C, same[i][0]), *b = classify_applicant_key(C, same[i][1]);
		assert_non_null(a);
		assert_non_null(b);
		if (strcmp(a, b) != 0)
			fail_msg("\"%s\" -> \"%s\" but \"%s\" -> \"%s\"", same[i][0], a, same[i][1], b);
		free(a);
		free(b);
	}
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		char *a = classify_applicant_key(C, differ[i][0]), *b = classify_applicant_key(C, differ[i][1]);
		assert_string_not_equal(a, b);
		free(a);
		free(b);
	}
	{
		char *k = classify_applicant_key(C, "衡阳华腾科技有限公司");
		assert_string_equal(k, "华腾科技");
		free(k);
		k = classify_applicant_key(C, "有限公司");      /* nothing left: the whole */
		assert_string_equal(k, "有限公司");
		free(k);
	}
	assert_null(classify_applicant_key(C, NULL));
}

/* ----------------------------------------------------- supplements */

struct supp_case {
	const char *name;
	const char *subject;
	struct fspec files[3];
	struct known_spec known[4];
	long long want;            /* merge_into */
	bool supplement;
	const char *evidence;
	const char *applicant;
	const char *program;
};

static const struct supp_case supp_cases[] = {
	{ "by name", "衡阳云端众创空间有限公司补充材料",
	  { { 0, 'd', "自持厂房面积证明.pdf" }, { 0, 0, NULL } },
	  { { 41, 0, "衡阳市衡南县云端众创空间有限公司" }, { 42, 1, "衡南县创新服务中心" }, { 0, 0, NULL } },
	  41, true, "申报单位“衡阳云端众创空间有限公司”与已有材料“衡阳市衡南县云端众创空间有限公司”为同一单位",
	  "衡阳云端众创空间有限公司", "base" },
	{ "by name, no supplement word", "衡南县创新服务中心申报材料",
	  { { 0, 'd', "审计报告.pdf" }, { 0, 0, NULL } },
	  { { 41, 0, "衡阳市衡南县云端众创空间有限公司" }, { 42, 1, "衡南县创新服务中心" }, { 0, 0, NULL } },
	  42, false, "与已有材料“衡南县创新服务中心”为同一单位", "衡南县创新服务中心", "institution" },
	{ "sole dossier", "补件：营业执照",
	  { { 0, 'i', "营业执照副本.jpg" }, { 0, 0, NULL } },
	  { { 41, 0, "衡阳市衡南县云端众创空间有限公司" }, { 0, 0, NULL } },
	  41, true, "补件邮件，本县市区仅有一份已有材料“衡阳市衡南县云端众创空间有限公司”",
	  "衡阳市衡南县云端众创空间有限公司", "base" },
	{ "sole dossier of its program", "补交材料",
	  { { 0, 'd', "入驻企业名单.xlsx" }, { 0, 0, NULL } },
	  { { 41, 0, "衡阳市衡南县云端众创空间有限公司" }, { 42, 1, "衡南县创新服务中心" }, { 0, 0, NULL } },
	  41, true, "补件邮件，本县市区仅有一份中小微企业创新创业基地材料“衡阳市衡南县云端众创空间有限公司”",
	  "衡阳市衡南县云端众创空间有限公司", "base" },
	{ "two of its program: no guess", "补交材料",
	  { { 0, 'd', "入驻企业名单.xlsx" }, { 0, 0, NULL } },
	  { { 41, 0, "衡阳市衡南县云端众创空间有限公司" }, { 43, 0, "衡南县湘江孵化基地" }, { 0, 0, NULL } },
	  0, true, NULL, "未识别申报单位", "base" },
	{ "not a supplement, new name", "衡阳华腾科技有限公司创新创业基地申报材料",
	  { { 0, 'd', "申请表.doc" }, { 0, 0, NULL } },
	  { { 41, 0, "衡阳市衡南县云端众创空间有限公司" }, { 0, 0, NULL } },
	  0, false, NULL, "衡阳华腾科技有限公司", "base" },
	{ "supplement folder in an archive", "营业执照",
	  { { 0, 'd', "补充材料.zip/营业执照.pdf" }, { 0, 0, NULL } },
	  { { 42, 1, "衡南县创新服务中心" }, { 0, 0, NULL } },
	  42, true, "补件邮件", "衡南县创新服务中心", "institution" },
};

static void test_supplement(void **state)
{
	const struct supp_case *sc = *state;
	const struct msg m = { sc->subject, "2875310442@qq.example", NULL, sc->files, sc->known };
	struct run *run = run_msg(C, &m);
	const struct classify_result *r = &run->r;

	assert_int_equal(r->ndossiers, 1);
	assert_int_equal(r->supplement, sc->supplement);
	if (r->dossiers[0].merge_into != sc->want)
		fail_msg("%s: merged into %lld (%s), want %lld", sc->name, r->dossiers[0].merge_into,
		         r->dossiers[0].merge_evidence ? r->dossiers[0].merge_evidence : "", sc->want);
	if (sc->evidence)
		expect_contains(r->dossiers[0].merge_evidence, sc->evidence);
	else
		assert_null(r->dossiers[0].merge_evidence);
	assert_string_equal(r->dossiers[0].applicant, sc->applicant);
	assert_string_equal(prog_key(C, r->dossiers[0].program), sc->program);
	/* a merge names the applicant: no unknown-applicant problem */
	assert_int_equal(count_probs(run, PROB_UNKNOWN_APPLICANT), strcmp(sc->applicant, "未识别申报单位") == 0);
	run_free(run);
}

/* ---------------------------------------------------- odd inputs */

/* ------------------------------------------------ items by content */

#define LICENCE_TEXT \
	"营业执照\n(副本)\n统一社会信用代码 9I43O4OOMA4L12346W\n名称 衡阳市雁城科技有限公司\n" \
	"类型 有限责任公司(自然人投资或控股)\n法定代表人 张三\n经营范围 企业管理咨询；会议及展览服务\n" \
	"注册资本 人民币500万元\n成立日期 2019年3月12日\n营业期限 2019年3月12日至长期\n住所 衡阳市雁峰区白沙大道38号\n"
#define LICENCE_CODE "91430400MA4L12346W"   /* the OCR read O and I */
#define AUDIT_TEXT "衡阳市雁城科技有限公司\n2022年度财务报表审计报告\n衡信审字〔2023〕第0288号\n"
#define NOTICE_TEXT \
	"关于召开全市工业经济运行调度会的通知\n各县市区工信部门、市直各园区：\n" \
	"请携带申请表、营业执照、审计报告参会。\n"
#define DECLARATION_TEXT "申报材料真实性声明\n衡阳市工业和信息化局：\n我单位郑重声明：……特此声明。\n"
#define LEASE_TEXT "房屋租赁合同\n出租方（甲方）：衡阳市某某投资有限公司\n承租方（乙方）：衡阳市雁城科技有限公司\n租金 每年12万元\n"
#define BASE_FORM_TEXT \
	"衡阳市中小微企业创新创业基地申请表\n申请单位（运营管理单位公章）：衡阳市雁城创新创业园运营管理有限公司\n" \
	"单位：万元、人、平方米、家\n基本情况\t基地名称\t雁城双创基地\t所在地址\t衡阳市雁峰区白沙大道88号\n"
#define RECOMMEND_TEXT \
	"关于推荐2023年衡阳市中小微企业创新创业基地和核心服务机构的报告\n衡阳市工业和信息化局：\n" \
	"根据《关于做好2023年…申报工作的通知》精神，我局组织辖区内企业开展了申报工作，经审核，现推荐以下单位：\n" \
	"1. 衡阳市雁城科技有限公司（创新创业基地）\n以上单位申报材料真实、完整，符合申报条件，特予推荐。\n"

static void test_content_generic_names(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'a', "衡阳市雁城科技有限公司（创新创业基地）.zip" },
		{ 0, 'i', "衡阳市雁城科技有限公司（创新创业基地）.zip/扫描全能王 2023-05-10 10.23.jpg" },
		{ 0, 'd', "衡阳市雁城科技有限公司（创新创业基地）.zip/IMG_2034.pdf" },
		{ 0, 'd', "衡阳市雁城科技有限公司（创新创业基地）.zip/附件5.docx" },
		{ 0, 'i', "衡阳市雁城科技有限公司（创新创业基地）.zip/新建 Microsoft Word 文档.jpg" },
		{ 0, 'd', NULL }
	};
	static const struct ftext texts[] = {
		{ NULL, 0, 0 },
		{ LICENCE_TEXT, TEXT_OCR, 85 },
		{ AUDIT_TEXT, TEXT_PDF, 100 },
		{ NOTICE_TEXT, TEXT_OOXML, 100 },
		{ DECLARATION_TEXT, TEXT_OCR, 5 },   /* OCR hardly read it */
	};
	struct msg m = { "雁城科技申报材料", "yanfeng-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg_text(C, &m, texts, NULL);

	(void)state;
	assert_int_equal(run->r.ndossiers, 1);
	assert_string_equal(prog_key(C, run->r.dossiers[0].program), "base");
	assert_string_equal(run->r.dossiers[0].applicant, "衡阳市雁城科技有限公司");
	assert_non_null(run->r.dossiers[0].credit_code);
	assert_string_equal(run->r.dossiers[0].credit_code, LICENCE_CODE);

	/* the licence, by its OCR text */
	assert_string_equal(item_of(run, 1), "B06");
	assert_true(run->r.files[1].by_content);
	assert_true(run->r.files[1].confidence >= 60 && run->r.files[1].confidence < 100);
	expect_contains(run->r.files[1].evidence, "文件名不说明内容；内容“营业执照”含“营业执照”（文字识别，置信度");
	/* the audit report's cover, by its text layer */
	assert_string_equal(item_of(run, 2), "B05");
	assert_true(run->r.files[2].by_content);
	expect_contains(run->r.files[2].evidence, "内容“2022年度财务报表审计报告”含“财务报表审计”");
	/* a notice that mentions items names none */
	assert_string_equal(item_of(run, 3), "-");
	assert_false(run->r.files[3].by_content);
	assert_int_equal(run->r.files[3].confidence, 0);
	/* a declaration read too poorly: not assigned, staff told what it resembles */
	assert_string_equal(item_of(run, 4), "-");
	assert_int_equal(count_probs(run, "unrecognised"), 2);
	{
		bool seen = false;
		for (size_t i = 0; i < run->nprobs; i++)
			if (strstr(run->probs[i].subject, "新建 Microsoft Word 文档.jpg")) {
				expect_contains(run->probs[i].reason, "其内容疑似“真实性声明”，但把握不足");
				expect_contains(run->probs[i].reason, "低于 60");
				expect_contains(run->probs[i].reason, "内容“申报材料真实性声明”");
				seen = true;
			}
		assert_true(seen);
	}
	run_free(run);
}

static void test_content_name_wins(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'd', "营业执照.pdf" },
		{ 1, 'd', "5.pdf" },
		{ 2, 'd', "7.pdf" },
		{ 0, 'd', NULL }
	};
	static const struct ftext texts[] = {
		{ LEASE_TEXT, TEXT_PDF, 100 },    /* misnamed: the name still decides */
		{ LICENCE_TEXT, TEXT_OCR, 90 },   /* a bare number the text contradicts */
		{ LEASE_TEXT, TEXT_PDF, 100 },    /* a bare number the text confirms */
	};
	struct msg m = { "衡阳市雁城科技有限公司创新创业基地申报", "yanfeng-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg_text(C, &m, texts, NULL);

	(void)state;
	assert_string_equal(item_of(run, 0), "B06");
	assert_false(run->r.files[0].by_content);
	assert_int_equal(run->r.files[0].confidence, 100);
	expect_contains(run->r.files[0].evidence, "文件名“营业执照.pdf”含“营业执照”");
	assert_string_equal(item_of(run, 1), "B06");
	assert_true(run->r.files[1].by_content);
	expect_contains(run->r.files[1].evidence, "仅凭序号");
	expect_contains(run->r.files[1].evidence, "按内容归入“法人证书或营业执照”");
	assert_string_equal(item_of(run, 2), "B07");
	assert_true(run->r.files[2].confidence > 50);
	expect_contains(run->r.files[2].evidence, "内容“房屋租赁合同”含“租赁合同”");
	/* the licence gives the dossier its code, whatever the file's name */
	assert_string_equal(run->r.dossiers[0].credit_code, LICENCE_CODE);
	run_free(run);
}

static void test_content_applicant_and_program(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'd', "附件1.docx" },
		{ 1, 'd', "文档1.pdf" },
		{ 0, 'd', NULL }
	};
	static const struct ftext texts[] = {
		{ BASE_FORM_TEXT, TEXT_OOXML, 100 },
		{ DECLARATION_TEXT, TEXT_PDF, 100 },
	};
	struct msg m = { "申报材料", "yanfeng-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg_text(C, &m, texts, NULL);

	(void)state;
	assert_int_equal(run->r.ndossiers, 1);
	assert_string_equal(run->r.dossiers[0].applicant, "衡阳市雁城创新创业园运营管理有限公司");
	expect_contains(run->r.dossiers[0].applicant_evidence, "取自文件“附件1.docx”中“申请单位”一栏");
	/* B01 and S01 read alike: the form's title names the program */
	assert_string_equal(prog_key(C, run->r.dossiers[0].program), "base");
	expect_contains(run->r.dossiers[0].program_evidence, "按文件内容判断：文件“附件1.docx”的标题含“创新创业基地”");
	assert_string_equal(item_of(run, 0), "B01");
	assert_string_equal(item_of(run, 1), "B13");
	assert_int_equal(count_probs(run, "unknown-applicant"), 0);
	assert_int_equal(count_probs(run, "unknown-program"), 0);
	assert_null(run->r.dossiers[0].credit_code);   /* 附件1 has no code */
	run_free(run);
}

static void test_content_merge_by_code(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'a', "衡阳市雁城智造科技有限公司.zip" },
		{ 0, 'i', "衡阳市雁城智造科技有限公司.zip/IMG_0001.jpg" },
		{ 0, 'd', "衡阳市雁城智造科技有限公司.zip/社保证明.pdf" },
		{ 0, 'd', NULL }
	};
	static const struct ftext texts[] = {
		{ NULL, 0, 0 },
		{ LICENCE_TEXT, TEXT_OCR, 88 },
		{ NULL, 0, 0 },
	};
	static const struct known_spec known[] = {
		{ 7, 0, "衡阳市雁城科技有限公司" },
		{ 8, 0, "衡阳市其他科技有限公司" },
		{ 0, 0, NULL }
	};
	static const char *const codes[] = { LICENCE_CODE, "91430406MA4PXK2Q71" };
	struct msg m = { "补充材料", "yanfeng-gxj@hengyang.gov.example", NULL, files, known };
	struct run *run = run_msg_text(C, &m, texts, codes);

	(void)state;
	assert_int_equal(run->r.ndossiers, 1);
	assert_true(run->r.supplement);
	assert_int_equal(run->r.dossiers[0].merge_into, 7);
	expect_contains(run->r.dossiers[0].merge_evidence,
	                "统一社会信用代码 " LICENCE_CODE "（见“IMG_0001.jpg”）与已有材料“衡阳市雁城科技有限公司”相同");
	expect_contains(run->r.dossiers[0].merge_evidence, "虽单位名称写作“衡阳市雁城智造科技有限公司”，仍为同一单位");
	assert_string_equal(item_of(run, 1), "B06");
	assert_string_equal(item_of(run, 2), "B14");
	run_free(run);

	/* without the code the names differ and two dossiers are known: new */
	{
		static const struct ftext none[] = { { NULL, 0, 0 }, { NULL, 0, 0 }, { NULL, 0, 0 } };
		struct msg m2 = { "申报材料", "yanfeng-gxj@hengyang.gov.example", NULL, files, known };
		run = run_msg_text(C, &m2, none, codes);
		assert_int_equal(run->r.dossiers[0].merge_into, 0);
		assert_null(run->r.dossiers[0].credit_code);
		run_free(run);
	}
}

static void test_content_county_and_negative(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'd', "扫描全能王 2023-05-15 16.02.pdf" },
		{ 1, 'i', "IMG_2052.jpg" },
		{ 2, 'd', "衡阳市雁城科技有限公司申报材料.zip/文档2.docx" },
		{ 2, 'd', "衡阳市雁城科技有限公司申报材料.zip/文档3.pdf" },
		{ 2, 'd', "衡阳市雁城科技有限公司申报材料.zip/文档4.pdf" },
		{ 0, 'd', NULL }
	};
	static const struct ftext texts[] = {
		{ RECOMMEND_TEXT, TEXT_OCR, 80 },
		{ "湖南增值税普通发票\n发票号码：76592953\n开票日期：2023年05月06日\n营业执照 统一社会信用代码 法定代表人 经营范围\n",
		  TEXT_OCR, 90 },
		{ "会议签到表\n序号\t姓名\t单位\n1\t毛静\t衡阳市博远机械制造有限公司\n", TEXT_OOXML, 100 },
		{ "关于提供营业执照复印件的函\n衡阳市雁城科技有限公司：\n请于5月10日前提供营业执照复印件。\n", TEXT_PDF, 100 },
		{ "衡阳市雁城科技有限公司\n承诺函\n本单位承诺：所报送的申报材料真实有效。\n", TEXT_PDF, 100 },
	};
	struct msg m = { "雁峰区推荐材料", "yanfeng-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg_text(C, &m, texts, NULL);

	(void)state;
	assert_string_equal(item_of(run, 0), "C01");
	assert_int_equal(run->r.files[0].dossier, -1);
	assert_true(run->r.files[0].by_content);
	expect_contains(run->r.files[0].evidence, "（县市区推荐材料）");
	expect_contains(run->r.files[0].evidence, "含“关于推荐”");
	/* an invoice, even with a licence's words in it, and a sign-in sheet */
	assert_string_equal(item_of(run, 1), "-");
	assert_string_equal(item_of(run, 2), "-");
	/* a letter asking for a licence is no licence; a 承诺函 is a declaration */
	assert_string_equal(item_of(run, 3), "-");
	assert_string_equal(item_of(run, 4), "B13");
	run_free(run);
}

static void test_content_headings(void **state)
{
	/* "三、服务能力和服务开展情况" is a section of the report, not its title */
	static const struct fspec files[] = {
		{ 0, 'd', "新建 DOCX 文档 (2).docx" },
		{ 0, 'd', NULL }
	};
	static const struct ftext texts[] = {
		{ "衡阳市中小微企业核心服务机构申请报告\n衡阳市工业和信息化局：\n按照要求，我单位申请认定。\n"
		  "一、单位基本情况\n我单位成立于2009年。\n二、发展沿革\n略。\n三、服务能力和服务开展情况\n略。\n",
		  TEXT_OOXML, 100 },
	};
	struct msg m = { "衡阳市中小企业综合服务中心核心服务机构申报", "yanfeng-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg_text(C, &m, texts, NULL);

	(void)state;
	assert_string_equal(item_of(run, 0), "S02");
	assert_true(run->r.files[0].confidence >= 80);
	run_free(run);
}

static void test_content_same_code_one_dossier(void **state)
{
	static const struct fspec files[] = {
		{ 0, 'a', "雁城科技.zip" },
		{ 0, 'i', "雁城科技.zip/营业执照.jpg" },
		{ 0, 'd', "雁城科技.zip/申请表.docx" },
		{ 1, 'a', "衡阳市雁城智造有限公司补充.zip" },
		{ 1, 'd', "衡阳市雁城智造有限公司补充.zip/营业执照副本.pdf" },
		{ 1, 'd', "衡阳市雁城智造有限公司补充.zip/审计报告.pdf" },
		{ 0, 'd', NULL }
	};
	static const struct ftext texts[] = {
		{ NULL, 0, 0 }, { LICENCE_TEXT, TEXT_OCR, 80 }, { NULL, 0, 0 },
		{ NULL, 0, 0 }, { LICENCE_TEXT, TEXT_PDF, 100 }, { NULL, 0, 0 },
	};
	struct msg m = { "创新创业基地申报材料", "yanfeng-gxj@hengyang.gov.example", NULL, files, NULL };
	struct run *run = run_msg_text(C, &m, texts, NULL);

	(void)state;
	assert_int_equal(run->r.ndossiers, 1);
	assert_string_equal(run->r.dossiers[0].credit_code, LICENCE_CODE);
	expect_contains(run->r.dossiers[0].applicant_evidence,
	                "“营业执照.jpg”与“营业执照副本.pdf”中的统一社会信用代码同为 " LICENCE_CODE "，合为一份材料");
	for (size_t i = 0; i < run->nfiles; i++)
		assert_true(run->r.files[i].dossier == 0);
	run_free(run);
}

static void test_odd_inputs(void **state)
{
	struct classify_result r;
	struct classify_input in;
	struct classify_file f[3];

	(void)state;
	/* no files, no subject, no callback */
	memset(&in, 0, sizeof(in));
	in.c = C;
	assert_int_equal(classify_message(&in, &r, NULL, NULL), 0);
	assert_int_equal(r.ndossiers, 0);
	assert_int_equal(r.nfiles, 0);
	classify_result_free(&r);
	classify_result_free(&r);
	/* NULL names, a top-level archive with nothing listed inside */
	memset(f, 0, sizeof(f));
	f[0].id = 7;
	f[0].kind = SNIFF_DOCUMENT;
	f[1].id = 8;
	f[1].name = "衡阳华腾科技有限公司.rar";
	f[1].path = f[1].name;
	f[1].top = 1;
	f[1].top_name = f[1].name;
	f[1].kind = SNIFF_ARCHIVE;       /* encrypted: not unpacked */
	f[2].id = 9;
	f[2].name = "x.pdf";
	f[2].path = "y.zip/" "a/b/c/d/e/f/g/h/i/j/k/l/m/x.pdf";
	f[2].top = 2;
	f[2].top_name = "y.zip";
	f[2].inner = "a/b/c/d/e/f/g/h/i/j/k/l/m/x.pdf";
	f[2].kind = SNIFF_DOCUMENT;
	in.files = f;
	in.nfiles = 3;
	assert_int_equal(classify_message(&in, &r, NULL, NULL), 0);
	assert_int_equal(r.nfiles, 3);
	assert_int_equal(r.ndossiers, 3);
	assert_int_equal(r.files[1].dossier, 1);
	assert_string_equal(r.dossiers[1].applicant, "衡阳华腾科技有限公司");
	classify_result_free(&r);
	assert_int_equal(classify_message(NULL, &r, NULL, NULL), -1);

	/* A quarter-megabyte subject: read in part, quoted in part. */
	{
		size_t len = 0, cap = 256 * 1024;
		char *subj = malloc(cap + 64);
		struct classify_file one;
		struct classify_county cc;

		assert_non_null(subj);
		memcpy(subj, "衡阳华腾科技有限公司核心服务机构", strlen("衡阳华腾科技有限公司核心服务机构"));
		len = strlen("衡阳华腾科技有限公司核心服务机构");
		while (len + 12 < cap) {
			memcpy(subj + len, "公司材料", 12);
			len += 12;
		}
		subj[len] = '\0';
		memset(&one, 0, sizeof(one));
		one.name = one.path = one.top_name = "申请表.doc";
		one.kind = SNIFF_DOCUMENT;
		memset(&in, 0, sizeof(in));
		in.c = C;
		in.subject = subj;
		in.files = &one;
		in.nfiles = 1;
		assert_int_equal(classify_message(&in, &r, NULL, NULL), 0);
		assert_int_equal(r.ndossiers, 1);
		assert_string_equal(r.files[0].item, "S01");
		assert_true(strlen(r.dossiers[0].applicant_evidence) < 400);
		assert_true(strlen(r.dossiers[0].applicant) < 600);
		classify_result_free(&r);
		assert_int_equal(classify_county(C, "x@y.example", subj, subj, NULL, 3, &cc), 0);
		assert_int_equal(cc.county, -1);
		assert_true(strlen(cc.evidence) < 400);
		classify_county_free(&cc);
		free(subj);
	}
}

/* ------------------------------------------------------------ main */

#define ADD_CASES(arr, fn, namefield) \
	for (size_t i = 0; i < sizeof(arr) / sizeof(arr[0]); i++) { \
		t[n].name = arr[i].namefield; \
		t[n].test_func = fn; \
		t[n].initial_state = (void *)(uintptr_t)&arr[i]; \
		n++; \
	}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_split_one_zip_one_folder),
		cmocka_unit_test(test_split_one_zip_several_units),
		cmocka_unit_test(test_split_several_zips),
		cmocka_unit_test(test_split_7z_of_zips),
		cmocka_unit_test(test_split_unit_named_like_an_item),
		cmocka_unit_test(test_split_loose_files),
		cmocka_unit_test(test_split_two_zips_one_applicant),
		cmocka_unit_test(test_split_county_folder_only),
		cmocka_unit_test(test_applicant_key),
		cmocka_unit_test(test_odd_inputs),
		cmocka_unit_test(test_content_generic_names),
		cmocka_unit_test(test_content_name_wins),
		cmocka_unit_test(test_content_applicant_and_program),
		cmocka_unit_test(test_content_merge_by_code),
		cmocka_unit_test(test_content_county_and_negative),
		cmocka_unit_test(test_content_headings),
		cmocka_unit_test(test_content_same_code_one_dossier),
	};
	size_t total = sizeof(fixed) / sizeof(fixed[0]) + sizeof(name_cases) / sizeof(name_cases[0]) +
	               sizeof(county_cases) / sizeof(county_cases[0]) + sizeof(prog_cases) / sizeof(prog_cases[0]) +
	               sizeof(app_cases) / sizeof(app_cases[0]) + sizeof(supp_cases) / sizeof(supp_cases[0]);
	struct CMUnitTest *t = calloc(total, sizeof(*t));
	size_t n = 0;
	int r;

	if (!t)
		return 1;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		t[n++] = fixed[i];
	ADD_CASES(name_cases, test_item_name, name)
	ADD_CASES(county_cases, test_county, name)
	ADD_CASES(prog_cases, test_program, name)
	ADD_CASES(app_cases, test_applicant, name)
	ADD_CASES(supp_cases, test_supplement, name)
	r = _cmocka_run_group_tests("classify", t, n, load, unload);
	free(t);
	return r;
}

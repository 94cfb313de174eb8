/*
 * test_eligibility.c - the form pre-check against the shipped 2023
 * campaign: values read from 申请表 text in the notice's table layouts
 * (附件1 for the base program, 附件3 for the institutions) as textract
 * writes them from DOCX, XLSX (merged cells leave blank cells) and PDF
 * (cells broken over lines), then checked against the notice's 申报条件.
 * Runs from the project root.
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
#include "eligibility.h"
#include "testutil.h"

#define CAMPAIGN_FILE "campaigns/hengyang-2023.conf"

static struct campaign *C;
static int BASE, INST;

static int load(void **state)
{
	size_t len;
	char *text = tu_read_file(CAMPAIGN_FILE, &len);
	char err[512];

	(void)state;
	if (!text || campaign_parse(text, len, CAMPAIGN_FILE, &C, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", text ? err : "cannot read " CAMPAIGN_FILE);
		free(text);
		return -1;
	}
	free(text);
	BASE = campaign_program_index(C, "base");
	INST = campaign_program_index(C, "institution");
	return BASE >= 0 && INST >= 0 ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	campaign_free(&C);
	return 0;
}

/* ------------------------------------------------------------ forms */

/*
 * 附件1 衡阳市中小微企业创新创业基地申请表, as textract writes it from a
 * DOCX: the merged side cells (基本情况, 创业基地面积, 近两年运营情况)
 * appear once, on their first row.  The printf arguments fill, in order:
 * 成立时间, 总建筑面积, 自持, 申报单位从业人员数量, 专职服务人员, and the
 * 2022 row's 入驻企业数, 小微企业数, 基地内企业从业人数.
 */
static char *base_docx(const char *est, const char *area, const char *self, const char *staff_all,
                       const char *staff, const char *firms, const char *small, const char *empl)
{
	return tu_printf(
		"衡阳市中小微企业创新创业基地申请表\n"
		"申请单位（运营管理单位公章）：衡阳市雁城创新创业园运营管理有限公司\n"
		"单位：万元、人、平方米、家\n"
		"基 本 情 况\t基地名称\t雁城双创基地\t所在地址\t衡阳市雁峰区白沙大道88号\n"
		"\t注册资本\t2000万元\t法人代表(负责人)\t刘建国\n"
		"\t成立时间\t%s\t主管部门（指导部门）\t衡阳市雁峰区工业和信息化局\n"
		"\t联系人\t周丽娟\t联系电话\t13907341268\n"
		"\t创业基地 面积\t占地面积\t36000\t总建筑面积\t%s\t其中：标准厂房\t38000\n"
		"\t\t自持\t%s\t出租\t33400\t公共服务场所\t4200\n"
		"\t\t出售\t3000\n"
		"\t申报单位从业人员数量 （截至上年底）\t%s\t其中：专职服务人员\t%s\n"
		"与平台网络 互联互通情况\t已接入湖南省中小企业公共服务平台网络\n"
		"近 两 年 运 营 情 况\t年 份\t资产总额\t营业收入\t入驻 企业数\t其中：小微企 业数\t上年毕业 企业数\t基地内企业 从业人数\n"
		"\t2021 年\t18600\t2350\t56\t50\t4\t1260\n"
		"\t2022 年\t19800\t2680\t%s\t%s\t5\t%s\n"
		"合 作 服 务 机 构 情 况\t合作服务机构名称\t主要服务内容\t协议签订时间\n"
		"\t衡阳智诚管理咨询有限公司\t企业管理咨询、财税辅导\t2021年3月\n"
		"\f服务情况\t服务项目\t主要服务内容及年服务能力、规模\t服务收入占年营业收入比例 (低收费及免收费情况)\n"
		"\t基本服务\t提供办公场地、水电、物业等基础服务，年服务企业63家\t免费\n",
		est, area, self, staff_all, staff, firms, small, empl);
}

/* The same form from an XLSX: merged ranges leave blank cells. */
static const char base_xlsx_fail[] =
	"衡阳市中小微企业创新创业基地申请表\n"
	"基本情况\t基地名称\t祁东洪桥创业园\t\t所在地址\t祁东县洪桥街道永昌路201号\n"
	"\t注册资本\t500万元\t\t法人代表(负责人)\t邓卫东\n"
	"\t成立时间\t2022年9月10日\t\t主管部门（指导部门）\t祁东县工业和信息化局\n"
	"\t创业基地面积\t占地面积\t12000\t总建筑面积\t15000\t其中：标准厂房\t11000\n"
	"\t\t自持\t2400\t出租\t12600\t公共服务场所\t900\n"
	"\t申报单位从业人员数量（截至上年底）\t\t\t7\t其中：专职服务人员\t\t5\n"
	"近两年运营情况\t年份\t资产总额\t营业收入\t入驻企业数\t其中：小微企业数\t上年毕业企业数\t基地内企业从业人数\n"
	"\t2021年\t2100\t260\t14\t12\t0\t130\n"
	"\t2022年\t2380\t310\t18\t11\t1\t160\n";

/* The same form from a PDF text layer: cells broken over lines, the year
 * table's header cells run together. */
static const char base_pdf[] =
	"衡阳市中小微企业创新创业基地申请表\n"
	"申请单位（运营管理单位公章）：衡南县云集科技孵化器有限公司\n"
	"单位：万元、人、平方米、家\n"
	"基本情况\t基地名称\t云集科技孵化基地\t所在地址\t衡南县云集街道工业园区科创路 16号\n"
	"成立时间\t2018年 3月 2日\t主管部门（\n"
	"指导部门）\n"
	"创业基地面积\t占地面积\t28000 总建筑面积\t3.1万㎡ 其中：标准\n"
	"厂房\n"
	"24000\n"
	"自持\t6800\t出租\t24200 公共服务场\n"
	"申报单位从业人员数量（截至上年底）\t15\t其中：专职服务人员\t8\n"
	"近两年运营\n"
	"情况\n"
	"年份\t资产总额 营业收入 入驻企业数\t其中：小微\n"
	"企业数\n"
	"上年毕业企\n"
	"业数\n"
	"基地内企业\n"
	"从业人数\n"
	"2021年\t9400\t1120\t29\t26\t2\t380\n"
	"2022年\t10350\t1290\t34\t31\t3\t420\n";

/*
 * 附件3 衡阳市中小微企业核心服务机构申请表 (DOCX shape).  Arguments:
 * 申报类别, 机构类型, 工作人数, 服务场地, then the 2022 column of 服务收入,
 * 服务企业数, 服务活动场次.
 */
static char *inst_docx(const char *category, const char *type, const char *staff, const char *area,
                       const char *income, const char *firms, const char *events)
{
	return tu_printf(
		"衡阳市中小微企业核心服务机构申请表\n"
		"申请单位（盖章）：衡阳市中小企业综合服务中心\n"
		"填报日期：2023年5月10日\n"
		"单位名称\t衡阳市中小企业综合服务中心\t申报类别\t%s\n"
		"地 址\t衡阳市蒸湘区解放大道21号\n"
		"法定代表人\t王志刚\t成立日期\t2009年6月18日\n"
		"统一社会 信用代码\t124304004480916337\n"
		"机构类型\t%s\t联系人\t陈静\t联系电话\t0734-8857166\n"
		"电子信箱\thyzxqfw@163.com\t工作人数\t%s\t大专以上 学历人数\t12\n"
		"注册资本（万元）\t300\t服务场地（平方米）\t%s\n"
		"主要服务 项目\t政策咨询、创业辅导、人才培训、融资对接、信息服务\n"
		"服务能力 （已有服 务设施、 设备、仪 器等）\t服务大厅680平方米，培训教室2间\n"
		"近两 年经 营情 况\t年度\t2021 年\t2022 年\n"
		"\t服务收入（万元）\t85\t%s\n"
		"\t服务利润（万元）\t12\t15\n"
		"\t服务企业数\t210\t%s\n"
		"\t服务活动场次\t9\t%s\n"
		"推荐 单位 意见\t盖 章 年 月 日\n",
		category, type, staff, area, income, firms, events);
}

/* 附件3 from a PDF: the row labels broken, each row's values on a line. */
static const char inst_pdf[] =
	"衡阳市中小微企业核心服务机构申请表\n"
	"申请单位（盖章）：湖南衡科检测技术有限公司\n"
	"单位名称\t湖南衡科检测技术有限公司\t申报类别\t专业服务机构\n"
	"法定代表人\t贺振华\t成立日期\t2017年 11月 6日\n"
	"统一社会信用代码\t91430408MA4M2D9E2A\n"
	"机构类型\t专业性（检验检\n"
	"测）\n"
	"联系人\t罗娜\t联系电话\t18173462590\n"
	"工作人数\t36\t大专以上学历人\n"
	"数\n"
	"31\n"
	"注册资本（万元）\t1500\t服务场地（平方米）\t2200\n"
	"近 两 年经 营 情况\t年度\t2021年\t2022年\n"
	"服务收 入 （万元\n"
	"）\n"
	"1120\t1386\n"
	"服务利 润 （万元\n"
	"）\n"
	"186\t231\n"
	"服务企业数\t168\t192\n"
	"服务活动场次\t3\t4\n";

/* ------------------------------------------------------------ helpers */

struct checked {
	struct elig_values v;
	struct elig_report r;
};

static struct checked *run(int prog, const char *text)
{
	struct checked *k = calloc(1, sizeof(*k));

	assert_non_null(k);
	assert_int_equal(elig_read(C, prog, text, strlen(text), &k->v), 0);
	assert_int_equal(elig_check(C, prog, &k->v, text, strlen(text), &k->r), 0);
	return k;
}

static void done(struct checked *k)
{
	elig_values_free(&k->v);
	elig_report_free(&k->r);
	free(k);
}

static const struct elig_value *val(const struct checked *k, const char *field)
{
	for (size_t i = 0; i < k->v.n; i++)
		if (strcmp(k->v.v[i].field, field) == 0)
			return &k->v.v[i];
	fail_msg("no field %s", field);
	return NULL;
}

static void expect_num(const struct checked *k, const char *field, double want)
{
	const struct elig_value *v = val(k, field);

	if (!v->found)
		fail_msg("%s not found (raw \"%s\")", field, v->raw ? v->raw : "");
	if (v->num < want - 0.01 || v->num > want + 0.01)
		fail_msg("%s = %g, expected %g (raw \"%s\")", field, v->num, want, v->raw ? v->raw : "");
}

static void expect_missing(const struct checked *k, const char *field)
{
	const struct elig_value *v = val(k, field);

	if (v->found)
		fail_msg("%s read as %g from \"%s\", expected not found", field, v->num, v->raw ? v->raw : "");
}

static const struct elig_flag *flag(const struct checked *k, const char *rule)
{
	for (size_t i = 0; i < k->r.n; i++)
		if (strcmp(k->r.flags[i].rule, rule) == 0)
			return &k->r.flags[i];
	return NULL;
}

static void expect_flag(const struct checked *k, const char *rule, enum elig_status st, const char *msg_part)
{
	const struct elig_flag *f = flag(k, rule);

	if (!f)
		fail_msg("no flag for rule %s", rule);
	if (f->status != st)
		fail_msg("rule %s: status %d, expected %d (%s)", rule, f->status, st, f->message);
	if (msg_part && !strstr(f->message, msg_part))
		fail_msg("rule %s: \"%s\" lacks \"%s\"", rule, f->message, msg_part);
}

/* ------------------------------------------------------------ base */

static void test_base_pass(void **state)
{
	char *text = base_docx("2016年8月15日", "52000", "15600", "28", "12", "63", "57", "1420");
	struct checked *k = run(BASE, text);

	(void)state;
	assert_string_equal(k->v.applicant, "衡阳市雁城创新创业园运营管理有限公司");
	assert_null(k->v.credit_code);       /* 附件1 has no code cell */
	assert_string_equal(val(k, "established")->date, "2016-08-15");
	expect_num(k, "staff", 12);
	expect_num(k, "floor_area", 52000);
	expect_num(k, "self_area", 15600);
	expect_num(k, "self_share", 30);     /* 15600 / 52000 */
	expect_num(k, "assets", 19800);
	expect_num(k, "revenue", 2680);
	expect_num(k, "firms", 63);
	expect_num(k, "small_firms", 57);
	expect_num(k, "graduated", 5);
	expect_num(k, "employees", 1420);
	expect_num(k, "small_share", 57.0 / 63.0 * 100);
	assert_int_equal(k->r.variant, -1);
	assert_int_equal(k->r.failed, 0);
	assert_int_equal(k->r.unknown, 0);
	assert_int_equal(k->r.n, 7);
	expect_flag(k, "established", ELIG_PASS, "成立时间 2016-08-15（至申报截止日满 6 年），条件为成立 1 年以上，符合");
	expect_flag(k, "floor_area", ELIG_PASS, "总建筑面积 52000 平方米，条件为 20000 平方米以上，符合");
	expect_flag(k, "self_share", ELIG_PASS, "自持比例 30%（自持 15600 / 总建筑面积 52000），条件为 20%以上");
	expect_flag(k, "small_share", ELIG_PASS, "小型微型企业占比 90.48%");
	expect_flag(k, "staff", ELIG_PASS, "专职服务人员 12 人，条件为 6 人以上");
	done(k);
	free(text);
}

static void test_base_fail(void **state)
{
	struct checked *k = run(BASE, base_xlsx_fail);

	(void)state;
	assert_string_equal(k->v.applicant, "祁东洪桥创业园");  /* only 基地名称 */
	expect_num(k, "staff", 5);
	expect_num(k, "floor_area", 15000);
	expect_num(k, "self_share", 16);
	expect_num(k, "firms", 18);
	expect_num(k, "small_firms", 11);
	expect_num(k, "employees", 160);
	/* established 2022-09-10: 0 whole years at 2023-05-19 */
	expect_flag(k, "established", ELIG_FAIL, "满 0 年");
	expect_flag(k, "staff", ELIG_FAIL, "专职服务人员 5 人，条件为 6 人以上，不符合");
	expect_flag(k, "floor_area", ELIG_FAIL, "总建筑面积 15000 平方米，条件为 20000 平方米以上，不符合");
	expect_flag(k, "self_share", ELIG_FAIL, "16%");
	expect_flag(k, "firms", ELIG_FAIL, "入驻企业数 18 家");
	expect_flag(k, "employees", ELIG_FAIL, "基地内企业从业人数 160 人");
	expect_flag(k, "small_share", ELIG_FAIL, "61.11%");
	assert_int_equal(k->r.failed, 7);
	assert_int_equal(k->r.unknown, 0);
	done(k);
}

static void test_base_pdf(void **state)
{
	struct checked *k = run(BASE, base_pdf);

	(void)state;
	assert_string_equal(k->v.applicant, "衡南县云集科技孵化器有限公司");
	assert_string_equal(val(k, "established")->date, "2018-03-02");
	expect_num(k, "staff", 8);
	expect_num(k, "floor_area", 31000);  /* "3.1万㎡ 其中：标准" */
	expect_num(k, "self_area", 6800);
	/* the header cells ran together: read by the order of the labels */
	expect_num(k, "assets", 10350);
	expect_num(k, "revenue", 1290);
	expect_num(k, "firms", 34);
	expect_num(k, "small_firms", 31);
	expect_num(k, "graduated", 3);
	expect_num(k, "employees", 420);
	assert_int_equal(k->r.failed, 0);
	assert_int_equal(k->r.unknown, 0);
	done(k);
}

static void test_base_unknown(void **state)
{
	/* blank date, a range, a year alone, and units that do not fit */
	char *text = base_docx("2016年", "2-3万平方米", "", "28", "约 6人", "", "57", "1420人");
	struct checked *k = run(BASE, text);

	(void)state;
	expect_missing(k, "established");
	expect_missing(k, "floor_area");
	expect_missing(k, "self_area");
	expect_missing(k, "self_share");     /* neither part: no ratio */
	expect_num(k, "staff", 6);           /* "约 6人" */
	expect_missing(k, "firms");          /* blank in the 2022 row */
	expect_missing(k, "small_share");
	expect_num(k, "employees", 1420);
	expect_flag(k, "established", ELIG_UNKNOWN, "申请表“成立时间”一栏为“2016年”，无法读出日期");
	expect_flag(k, "floor_area", ELIG_UNKNOWN, "“2-3万平方米”");
	expect_flag(k, "self_share", ELIG_UNKNOWN, "未能从申请表读出“自持比例”，条件为 20%以上");
	expect_flag(k, "firms", ELIG_UNKNOWN, "入驻企业数");
	expect_flag(k, "staff", ELIG_PASS, NULL);
	assert_int_equal(k->r.failed, 0);
	assert_int_equal(k->r.unknown, 5);
	done(k);
	free(text);
}

static void test_base_units(void **state)
{
	char *text = base_docx("2019-03-12", "30亩", "20%", "28", "6", "20", "14", "200");
	struct checked *k = run(BASE, text);

	(void)state;
	assert_string_equal(val(k, "established")->date, "2019-03-12");
	expect_num(k, "floor_area", 20000);  /* 30 亩 */
	expect_missing(k, "self_area");      /* "20%" is no area */
	expect_num(k, "small_share", 70);    /* 14 / 20: exactly the threshold */
	expect_flag(k, "floor_area", ELIG_PASS, NULL);
	expect_flag(k, "staff", ELIG_PASS, NULL);
	expect_flag(k, "firms", ELIG_PASS, NULL);
	expect_flag(k, "employees", ELIG_PASS, NULL);
	expect_flag(k, "small_share", ELIG_PASS, NULL);
	done(k);
	free(text);

	text = base_docx("2019.3.12", "2.3万㎡", "4600 平方米", "28", "5", "19", "19", "199");
	k = run(BASE, text);
	expect_num(k, "floor_area", 23000);
	expect_num(k, "self_area", 4600);
	expect_num(k, "self_share", 20);
	expect_flag(k, "self_share", ELIG_PASS, NULL);
	expect_flag(k, "staff", ELIG_FAIL, NULL);
	expect_flag(k, "firms", ELIG_FAIL, NULL);
	expect_flag(k, "employees", ELIG_FAIL, NULL);
	done(k);
	free(text);

	/* a form stating the share itself: read, not computed */
	text = tu_printf("基本情况\t总建筑面积\t20000\t自持\t3000\t自持比例\t25%%\n");
	k = run(BASE, text);
	expect_num(k, "self_share", 25);
	done(k);
	free(text);
}

/* ------------------------------------------------------ institution */

static void test_inst_general(void **state)
{
	char *text = inst_docx("综合性服务机构", "综合性", "14", "680", "96", "236", "11");
	struct checked *k = run(INST, text);
	const struct campaign_check *ck = campaign_check_of(C, INST);

	(void)state;
	assert_non_null(ck);
	assert_int_equal(k->r.variant, 0);
	assert_string_equal(ck->variants[k->r.variant].id, "general");
	assert_string_equal(k->v.applicant, "衡阳市中小企业综合服务中心");
	assert_string_equal(k->v.credit_code, "124304004480916337");
	expect_num(k, "area", 680);
	expect_num(k, "staff", 14);
	expect_num(k, "income", 96);
	expect_num(k, "firms", 236);
	expect_num(k, "events", 11);
	expect_flag(k, "general.area", ELIG_PASS, "服务场地 680 平方米，条件为 60 平方米以上，符合");
	expect_flag(k, "general.staff", ELIG_PASS, NULL);
	expect_flag(k, "general.events", ELIG_PASS, "服务活动场次 11 次，条件为 5 次以上");
	expect_flag(k, "general.firms", ELIG_PASS, NULL);
	/* the form has no 服务资产 cell */
	expect_flag(k, "general.assets", ELIG_UNKNOWN, "未能从申请表读出“服务资产”，条件为 50 万元以上");
	assert_null(flag(k, "professional.income"));
	assert_null(flag(k, "rnd.area"));
	assert_int_equal(k->r.failed, 0);
	assert_int_equal(k->r.unknown, 1);
	done(k);
	free(text);
}

static void test_inst_professional(void **state)
{
	char *text = inst_docx("专业服务机构", "专业性（管理咨询）", "9", "120", "82", "92", "3");
	struct checked *k = run(INST, text);

	(void)state;
	assert_int_equal(k->r.variant, 1);
	expect_flag(k, "professional.area", ELIG_PASS, NULL);
	expect_flag(k, "professional.staff", ELIG_FAIL, "工作人数 9 人，条件为 10 人以上，不符合");
	expect_flag(k, "professional.events", ELIG_PASS, NULL);
	expect_flag(k, "professional.firms", ELIG_PASS, NULL);
	expect_flag(k, "professional.income", ELIG_FAIL, "服务收入 82 万元，条件为 100 万元以上，不符合");
	assert_int_equal(k->r.failed, 2);
	done(k);
	free(text);
}

static void test_inst_rnd(void **state)
{
	struct checked *k = run(INST, inst_pdf);

	(void)state;
	/* "专业性（检验检" + "测）" over two lines: the longer keyword wins */
	assert_int_equal(k->r.variant, 2);
	assert_string_equal(k->v.applicant, "湖南衡科检测技术有限公司");
	assert_string_equal(k->v.credit_code, "91430408MA4M2D9E2A");
	expect_num(k, "staff", 36);
	expect_num(k, "area", 2200);
	expect_num(k, "income", 1386);       /* the year's rank: the broken row */
	expect_num(k, "firms", 192);
	expect_num(k, "events", 4);
	assert_string_equal(val(k, "established")->date, "2017-11-06");
	expect_flag(k, "rnd.area", ELIG_PASS, NULL);
	expect_flag(k, "rnd.income", ELIG_PASS, "服务收入 1386 万元，条件为 150 万元以上");
	expect_flag(k, "rnd.firms", ELIG_PASS, NULL);
	assert_null(flag(k, "rnd.events"));  /* no activity condition for this type */
	assert_int_equal(k->r.failed, 0);
	done(k);

	/* the same thresholds fail a small laboratory */
	{
		char *text = inst_docx("专业服务机构", "研发设计", "10", "90", "150", "80", "0");
		k = run(INST, text);
		assert_int_equal(k->r.variant, 2);
		expect_flag(k, "rnd.area", ELIG_FAIL, "服务场地 90 平方米，条件为 100 平方米以上，不符合");
		expect_flag(k, "rnd.staff", ELIG_PASS, NULL);     /* exactly 10 */
		expect_flag(k, "rnd.income", ELIG_PASS, NULL);    /* exactly 150 */
		expect_flag(k, "rnd.firms", ELIG_PASS, NULL);
		done(k);
		free(text);
	}
}

static void test_inst_unknown_type(void **state)
{
	/* neither cell names a type, nor does the rest of the form */
	char *text = inst_docx("", "", "14", "680", "96", "236", "11"), *p;
	struct checked *k;

	(void)state;
	/* the service words of the DOCX form would say 综合: take them out */
	while ((p = strstr(text, "综合")) != NULL)
		memcpy(p, "中心", strlen("中心"));
	k = run(INST, text);
	assert_int_equal(k->r.variant, -1);
	expect_flag(k, "variant", ELIG_UNKNOWN, "未能判断机构类型（综合性服务机构、专业性服务机构、研发设计检验检测类服务机构）");
	assert_int_equal(k->r.n, 1);
	assert_int_equal(k->r.unknown, 1);
	/* the values are still read for staff */
	expect_num(k, "staff", 14);
	done(k);
	free(text);

	/* two cells naming two types of equal strength: no guess */
	text = inst_docx("综合性", "专业性", "14", "680", "96", "236", "11");
	k = run(INST, text);
	assert_int_equal(k->r.variant, -1);
	done(k);
	free(text);

	/* no 机构类型 cell at all: the form's words decide */
	k = run(INST, "单位名称\t衡阳某某检验检测有限公司\n主要服务项目\t检验检测、技术试验\n工作人数\t12\n");
	assert_int_equal(k->r.variant, 2);
	done(k);
}

static void test_ocr_lines(void **state)
{
	/* OCR of a photographed form: no cells, labels and values on lines */
	static const char ocr[] =
		"衡阳市中小微企业核心服务机构申请表\n"
		"申请单位 GEM) :衡东县中小企业融资服务中心\n"
		"填报日期: 2023年5月10日. 8\n"
		"综合性 xiv |。联系电话|0734.5223389\n"
		"hdrzfw@163.c |工作人数 \xE2\x80\x9C 11 大专以上学历人 10\n"
		"申报单位从业人员数量(截至上年底) ||其中:专职服务人员 P|\n"
		"成立时间 2015年10月8日主管部门(衡阳市蒸湘区工业和信息化局\n";
	struct checked *k = run(INST, ocr);

	(void)state;
	assert_string_equal(k->v.applicant, "衡东县中小企业融资服务中心");
	expect_num(k, "staff", 11);
	assert_string_equal(val(k, "established")->date, "2015-10-08");
	expect_missing(k, "area");
	assert_int_equal(k->r.variant, 0);   /* 综合性, from the text */
	expect_flag(k, "general.staff", ELIG_PASS, NULL);
	expect_flag(k, "general.area", ELIG_UNKNOWN, NULL);
	done(k);

	/* "其中:专职服务人员 P|" names no unit */
	k = run(BASE, "申报单位从业人员数量(截至上年底) ||其中:专职服务人员 P|\n");
	assert_null(k->v.applicant);
	done(k);
}

static void test_odd_inputs(void **state)
{
	struct checked *k;
	struct elig_values v;
	struct elig_report r;

	(void)state;
	/* empty, not a form, the wrong program's form */
	k = run(BASE, "");
	assert_int_equal(k->r.unknown, k->r.n);
	assert_int_equal(k->r.n, 7);
	done(k);
	k = run(INST, "关于召开全市工业经济运行调度会的通知\n各县市区工信部门：\n");
	assert_int_equal(k->r.variant, -1);
	done(k);
	k = run(BASE, inst_pdf);
	assert_int_equal(k->r.failed, 0);
	done(k);
	/* a program without [check]: nothing, no error */
	assert_int_equal(elig_read(C, 99, "x", 1, &v), 0);
	assert_int_equal(v.n, 0);
	assert_int_equal(elig_check(C, 99, &v, "x", 1, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.variant, -1);
	elig_values_free(&v);
	elig_report_free(&r);
	/* NULL text */
	assert_int_equal(elig_read(C, BASE, NULL, 0, &v), 0);
	assert_int_equal(elig_check(C, BASE, &v, NULL, 0, &r), 0);
	assert_int_equal(r.unknown, 7);
	elig_values_free(&v);
	elig_report_free(&r);
	/* NUL bytes, tabs only, a huge cell */
	{
		size_t n = 300000;
		char *big = malloc(n);
		assert_non_null(big);
		for (size_t i = 0; i < n; i++)
			big[i] = "\t\n\0总建筑面积2万"[i % 20];
		assert_int_equal(elig_read(C, BASE, big, n, &v), 0);
		assert_int_equal(elig_check(C, BASE, &v, big, n, &r), 0);
		elig_values_free(&v);
		elig_report_free(&r);
		free(big);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_pass),
		cmocka_unit_test(test_base_fail),
		cmocka_unit_test(test_base_pdf),
		cmocka_unit_test(test_base_unknown),
		cmocka_unit_test(test_base_units),
		cmocka_unit_test(test_inst_general),
		cmocka_unit_test(test_inst_professional),
		cmocka_unit_test(test_inst_rnd),
		cmocka_unit_test(test_inst_unknown_type),
		cmocka_unit_test(test_ocr_lines),
		cmocka_unit_test(test_odd_inputs),
	};
	return cmocka_run_group_tests(tests, load, unload);
}

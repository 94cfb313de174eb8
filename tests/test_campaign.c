/*
 * test_campaign.c - the campaign file: the shipped 2023 file, every error
 * with its FILE:LINE, and RFC 3339 times.  Runs from the project root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "campaign.h"
#include "testutil.h"

#define CAMPAIGN_FILE "campaigns/hengyang-2023.conf"

/* 2023-05-19T23:59:59+08:00 and 2023-05-08T00:00:00+08:00 */
#define DEADLINE_2023 ((time_t)1684511999)
#define OPENS_2023    ((time_t)1683475200)

static struct campaign *load_shipped(void)
{
	size_t len;
	char *text = tu_read_file(CAMPAIGN_FILE, &len);
	struct campaign *c = NULL;
	char err[512];

	assert_non_null(text);
	if (campaign_parse(text, len, CAMPAIGN_FILE, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	free(text);
	assert_non_null(c);
	return c;
}

/* ------------------------------------------------ the shipped file */

struct item_expect {
	const char *id;
	const char *program;   /* NULL: county */
	unsigned number;
	bool required;
	const char *short_title;
	const char *title_part; /* a piece of the full title */
};

static const struct item_expect items_2023[] = {
	{ "B01", "base", 1, true, "申请表", "衡阳市中小微企业创业创新基地申请表" },
	{ "B02", "base", 2, true, "申请报告", "基地创立发展沿革" },
	{ "B03", "base", 3, true, "人员名单", "主要管理人员和创业服务人员名单" },
	{ "B04", "base", 4, true, "入驻企业名单", "入驻中小微企业名单及基本情况汇总表" },
	{ "B05", "base", 5, true, "审计报告及会计报表", "2022年度会计报表和审计报告" },
	{ "B06", "base", 6, true, "法人证书或营业执照", "法人证书或营业执照副本复印件" },
	{ "B07", "base", 7, true, "产权证或租赁合同", "土地使用权证和房屋所有权证（或租赁合同）" },
	{ "B08", "base", 8, true, "自持厂房面积证明", "自持厂房面积的证明材料" },
	{ "B09", "base", 9, true, "规划布局图和建设方案", "规划布局图和建设方案" },
	{ "B10", "base", 10, true, "近年服务开展情况", "近年开展相关服务情况" },
	{ "B11", "base", 11, true, "参与公共服务活动情况", "“智赋千企”行动" },
	{ "B12", "base", 12, false, "其他证明材料", "符合申报条件的其他证明材料" },
	{ "B13", "base", 13, true, "真实性声明", "对申报材料真实性的声明" },
	{ "B14", "base", 0, true, "社保证明", "不少于2人" },
	{ "S01", "institution", 1, true, "申请表", "衡阳市中小微企业核心服务机构申请表" },
	{ "S02", "institution", 2, true, "申请报告", "服务能力和服务开展情况" },
	{ "S03", "institution", 3, true, "成立批文或登记执照", "机构成立批文或注册登记执照复印件" },
	{ "S04", "institution", 4, true, "不动产权证书或租赁合同", "不动产权证书（或租赁合同）" },
	{ "S05", "institution", 5, true, "服务管理制度", "服务管理、规范程序、服务承诺等制度" },
	{ "S06", "institution", 6, true, "服务对象情况表", "2022年服务机构服务对象情况表" },
	{ "S07", "institution", 7, true, "审计报告及会计报表", "利润表需加盖会计师事务所公章" },
	{ "S08", "institution", 8, true, "主要人员情况及资格证书", "职称、执业资格证书复印件" },
	{ "S09", "institution", 9, true, "近年服务开展情况", "服务典型案例3例以上" },
	{ "S10", "institution", 10, true, "参与公共服务活动情况", "“破零倍增”行动" },
	{ "S11", "institution", 11, false, "其他证明材料", "符合申报条件的其他证明材料" },
	{ "S12", "institution", 12, true, "真实性声明", "对申报材料真实性的声明" },
	{ "S13", "institution", 0, true, "社保证明", "不少于3人" },
	{ "C01", NULL, 0, true, "推荐报告", "推荐报告" },
	{ "C02", NULL, 0, true, "推荐汇总表", "推荐汇总表" },
};

static void test_shipped_campaign(void **state)
{
	struct campaign *c = load_shipped();
	char buf[64];

	(void)state;
	assert_string_equal(c->id, "hengyang-2023");
	assert_string_equal(c->issuer, "衡阳市工业和信息化局");
	assert_string_equal(c->office, "中小企业科");
	assert_string_equal(c->notice_ref, "衡市工信中小企业〔2023〕12号");
	assert_string_equal(c->tz_name, "Asia/Shanghai");
	assert_int_equal(c->tz_offset_min, 480);
	assert_int_equal(c->late_reply_days, 30);
	assert_string_equal(c->reply_template[CAMPAIGN_REPLY_RECEIPT], "hengyang-2023/receipt.txt");
	assert_string_equal(c->reply_template[CAMPAIGN_REPLY_ERROR], "hengyang-2023/error-notice.txt");
	assert_true(c->reply_template_line[CAMPAIGN_REPLY_MISSING] > 400);
	assert_string_equal(c->reply_from_name, "衡阳市工业和信息化局中小企业科");
	assert_true(c->deadline == DEADLINE_2023);
	assert_true(c->opens == OPENS_2023);
	campaign_format_time(c->deadline, 0, buf, sizeof(buf));
	assert_string_equal(buf, "2023-05-19T15:59:59Z");
	campaign_format_time(c->deadline, c->tz_offset_min, buf, sizeof(buf));
	assert_string_equal(buf, "2023-05-19T23:59:59+08:00");
	campaign_format_time(c->opens, c->tz_offset_min, buf, sizeof(buf));
	assert_string_equal(buf, "2023-05-08T00:00:00+08:00");

	assert_int_equal(c->nprograms, 2);
	assert_int_equal(campaign_program_index(c, "base"), 0);
	assert_int_equal(campaign_program_index(c, "institution"), 1);
	assert_int_equal(campaign_program_index(c, "county"), -1);
	assert_string_equal(c->programs[0].title, "中小微企业创新创业基地");
	assert_string_equal(c->programs[0].annex, "附件1");
	assert_string_equal(c->programs[0].summary_annex, "附件2");
	/* Annex 2 and 4 tables as the notice lays them out. */
	assert_string_equal(c->programs[0].summary_title, "衡阳市中小微企业创新创业基地推荐汇总表");
	assert_string_equal(c->programs[0].summary_unit, "填报单位:");
	assert_int_equal(c->programs[0].summary_columns.n, 5);
	assert_string_equal(c->programs[0].summary_columns.v[4], "基地基本情况 (简要)");
	assert_string_equal(campaign_summary_source(&c->programs[0], 0), "seq");
	assert_string_equal(campaign_summary_source(&c->programs[0], 1), "applicant");
	assert_null(campaign_summary_source(&c->programs[0], 2));
	assert_int_equal(c->programs[1].summary_columns.n, 10);
	assert_string_equal(c->programs[1].summary_columns.v[0], "序 号");
	assert_null(c->programs[1].summary_note);
	assert_string_equal(c->programs[1].title, "中小微企业核心服务机构");
	assert_string_equal(c->programs[1].annex, "附件3");
	assert_string_equal(c->programs[1].summary_annex, "附件4");

	/* 14 base + 13 institution items, and the county's two papers */
	assert_int_equal(c->nitems, sizeof(items_2023) / sizeof(items_2023[0]));
	for (size_t i = 0; i < sizeof(items_2023) / sizeof(items_2023[0]); i++) {
		const struct item_expect *e = &items_2023[i];
		const struct campaign_item *it = campaign_item_by_id(c, e->id);

		assert_non_null(it);
		assert_ptr_equal(it, &c->items[i]);
		assert_int_equal(it->program, e->program ? campaign_program_index(c, e->program) : -1);
		assert_int_equal(it->number, e->number);
		assert_int_equal(it->required, e->required);
		assert_string_equal(it->short_title, e->short_title);
		if (!strstr(it->title, e->title_part))
			fail_msg("%s title \"%s\" lacks \"%s\"", e->id, it->title, e->title_part);
		assert_true(it->patterns.n > 0);
	}
	assert_null(campaign_item_by_id(c, "B15"));

	assert_int_equal(c->ncounties, 16);
	{
		int q = campaign_county_index(c, "qidong");
		int h = campaign_county_index(c, "hengyangxian");
		int g = campaign_county_index(c, "gaoxin");

		assert_true(q >= 0 && h >= 0 && g >= 0);
		assert_string_equal(c->counties[q].name, "祁东县");
		assert_int_equal(c->counties[q].senders.n, 2);
		assert_string_equal(c->counties[q].senders.v[1], "qdgxj@163.example");
		assert_string_equal(c->counties[h].name, "衡阳县");
		assert_int_equal(c->counties[h].aliases.n, 0);   /* "衡阳" is the city */
		assert_string_equal(c->counties[g].kind, "park");
		assert_int_equal(c->counties[g].aliases.n, 3);
		assert_int_equal(campaign_county_index(c, "hengyang"), -1);
	}
	assert_int_equal(c->ignore_names.n, 7);
	assert_string_equal(c->ignore_names.v[0], "__MACOSX/");
	assert_int_equal(c->supplement_words.n, 5);
	assert_string_equal(c->supplement_words.v[0], "补件");
	assert_true(c->applicant_noise.n > 10);
	assert_int_equal(c->places.n, 2);
	assert_true(c->unit_words.n > 10);
	assert_true(c->key_strip.n >= 3);
	campaign_free(&c);
	assert_null(c);
	campaign_free(&c);       /* NULL is fine */
	campaign_free(NULL);
}

/* The content keys and the pre-check of the shipped file. */
static void test_shipped_content(void **state)
{
	struct campaign *c = load_shipped();
	const struct campaign_check *base, *inst;
	static const char *const code_items[] = { "B01", "B06", "B14", "S01", "S03", "S13" };

	(void)state;
	assert_int_equal(c->content_min_confidence, 60);
	assert_false(c->check_affects_reply);
	/* every item can be recognised by its text */
	for (size_t i = 0; i < c->nitems; i++)
		if (c->items[i].content.n == 0)
			fail_msg("item %s has no content patterns", c->items[i].id);
	for (size_t i = 0; i < c->nitems; i++) {
		bool want = false;
		for (size_t k = 0; k < sizeof(code_items) / sizeof(code_items[0]); k++)
			want |= strcmp(c->items[i].id, code_items[k]) == 0;
		if (c->items[i].credit_code != want)
			fail_msg("item %s: credit_code %d", c->items[i].id, c->items[i].credit_code);
	}
	assert_string_equal(campaign_item_by_id(c, "B06")->content.v[0], "营业执照");
	assert_non_null(strstr(campaign_item_by_id(c, "B06")->content_body.v[0], "统一社会信用代码+法定代表人"));
	assert_true(c->generic_names.n >= 20);
	assert_string_equal(c->generic_names.v[0], "扫描全能王");
	assert_true(c->negative_content.n >= 4);
	assert_string_equal(c->negative_content.v[0], "通知");
	assert_string_equal(c->form_labels.v[0], "申请单位");

	/* [check base]: the notice's 申报条件（一） */
	base = campaign_check_of(c, campaign_program_index(c, "base"));
	assert_non_null(base);
	assert_int_equal(base->year, 2022);
	assert_int_equal(base->nvariants, 0);
	assert_int_equal(base->nrules, 7);
	{
		static const struct { const char *rule, *field; enum check_op op; double n; bool years; } want[] = {
			{ "established", "established", CHECK_GE, 1, true },
			{ "staff", "staff", CHECK_GE, 6, false },
			{ "floor_area", "floor_area", CHECK_GE, 20000, false },
			{ "self_share", "self_share", CHECK_GE, 20, false },
			{ "firms", "firms", CHECK_GE, 20, false },
			{ "employees", "employees", CHECK_GE, 200, false },
			{ "small_share", "small_share", CHECK_GE, 70, false },
		};
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			const struct campaign_check_rule *r = &base->rules[i];
			assert_string_equal(r->id, want[i].rule);
			assert_string_equal(base->fields[r->field].id, want[i].field);
			assert_int_equal(r->op, want[i].op);
			assert_true(r->number == want[i].n);
			assert_int_equal(r->years, want[i].years);
			assert_int_equal(r->variant, -1);
		}
	}
	{
		/* self_share: read, or computed from 自持 / 总建筑面积 */
		const struct campaign_check_field *f = NULL;
		for (size_t i = 0; i < base->nfields; i++)
			if (strcmp(base->fields[i].id, "self_share") == 0)
				f = &base->fields[i];
		assert_non_null(f);
		assert_string_equal(f->unit, "%");
		assert_string_equal(base->fields[f->num].id, "self_area");
		assert_string_equal(base->fields[f->den].id, "floor_area");
	}

	/* [check institution]: three types, thresholds of 申报条件（二） */
	inst = campaign_check_of(c, campaign_program_index(c, "institution"));
	assert_non_null(inst);
	assert_int_equal(inst->nvariants, 3);
	assert_string_equal(inst->variants[0].id, "general");
	assert_string_equal(inst->variants[1].id, "professional");
	assert_string_equal(inst->variants[2].id, "rnd");
	assert_string_equal(inst->variant_labels.v[0], "机构类型");
	{
		static const struct { const char *rule; double n; } want[] = {
			{ "general.area", 60 }, { "general.assets", 50 }, { "general.staff", 8 },
			{ "general.events", 5 }, { "general.firms", 80 },
			{ "professional.area", 40 }, { "professional.assets", 30 }, { "professional.staff", 10 },
			{ "professional.events", 2 }, { "professional.firms", 80 }, { "professional.income", 100 },
			{ "rnd.area", 100 }, { "rnd.assets", 300 }, { "rnd.staff", 10 }, { "rnd.firms", 80 },
			{ "rnd.income", 150 },
		};
		assert_int_equal(inst->nrules, sizeof(want) / sizeof(want[0]));
		for (size_t i = 0; i < inst->nrules; i++) {
			assert_string_equal(inst->rules[i].id, want[i].rule);
			assert_true(inst->rules[i].number == want[i].n);
			assert_int_equal(inst->rules[i].op, CHECK_GE);
			assert_true(inst->rules[i].variant >= 0);
		}
	}
	assert_null(campaign_check_of(c, -1));
	assert_null(campaign_check_of(c, 7));
	campaign_free(&c);
}

/* ------------------------------------------------------- errors */

/*
 * A small valid campaign; cases append to it or replace its dates.  Line
 * numbers: [campaign] 1, opens 7, deadline 8, [program base] 11,
 * [county qidong] 16, [item B01] 20, its patterns 26; appended text
 * starts at line 27.
 */
static char *mini(const char *opens, const char *deadline, const char *extra)
{
	return tu_printf(
		"[campaign]\n"
		"id = test\n"
		"title = 测试\n"
		"issuer = 衡阳市工业和信息化局\n"
		"office = 中小企业科\n"
		"notice_ref = 测试〔2023〕1号\n"
		"opens = %s\n"
		"deadline = %s\n"
		"tz = Asia/Shanghai\n"
		"late_reply_days = 30\n"
		"[program base]\n"
		"title = 中小微企业创新创业基地\n"
		"annex = 附件1\n"
		"summary_annex = 附件2\n"
		"patterns = 创新创业基地, 基地\n"
		"[county qidong]\n"
		"name = 祁东县\n"
		"kind = county\n"
		"senders = qidong@hengyang.example\n"
		"[item B01]\n"
		"program = base\n"
		"number = 1\n"
		"title = 申请表\n"
		"short = 申请表\n"
		"required = yes\n"
		"patterns = 申请表\n"
		"%s",
		opens, deadline, extra);
}

#define OPENS "2023-05-08T00:00:00+08:00"
#define DEADLINE "2023-05-19T23:59:59+08:00"
#define ITEM_B02(prog) \
	"[item B02]\nprogram = " prog "\nnumber = 2\ntitle = 申请报告\nshort = 申请报告\nrequired = yes\npatterns = 申请报告\n"

struct err_case {
	const char *name;
	const char *opens, *deadline, *extra;
	const char *expect;    /* the whole error text */
};

static const struct err_case err_cases[] = {
	{ "unknown key", OPENS, DEADLINE, "colour = red\n",
	  "t.conf:27: unknown key 'colour' in [item B01]" },
	{ "empty repeated section", OPENS, DEADLINE, "[campaign]\n",
	  "t.conf:27: duplicate section [campaign] (first at line 1)" },
	{ "empty item section", OPENS, DEADLINE, "\n[item B02]\n",
	  "t.conf:28: [item B02] has no 'program'" },
	{ "bad date", OPENS, "2023-05-32T23:59:59+08:00", "",
	  "t.conf:8: 'deadline' must be an RFC 3339 time with offset, e.g. 2023-05-19T23:59:59+08:00, not '2023-05-32T23:59:59+08:00'" },
	{ "date without offset", "2023-05-08T00:00:00", DEADLINE, "",
	  "t.conf:7: 'opens' must be an RFC 3339 time with offset, e.g. 2023-05-19T23:59:59+08:00, not '2023-05-08T00:00:00'" },
	{ "deadline before opens", OPENS, "2023-05-01T23:59:59+08:00", "",
	  "t.conf:8: deadline 2023-05-01T23:59:59+08:00 is not after opens 2023-05-08T00:00:00+08:00" },
	{ "duplicate id", OPENS, DEADLINE, "[item B01]\nprogram = base\n",
	  "t.conf:27: duplicate item id 'B01' (first at line 20)" },
	{ "duplicate id, blank lines before keys", OPENS, DEADLINE, "\n[item B01]\n\n; comment\nprogram = base\n",
	  "t.conf:28: duplicate item id 'B01' (first at line 20)" },
	{ "unknown program", OPENS, DEADLINE, ITEM_B02("bsae"),
	  "t.conf:28: item B02 names unknown program 'bsae' (known: base, or county)" },
	{ "unknown section", OPENS, DEADLINE, "[itme B02]\nprogram = base\n",
	  "t.conf:27: unknown section [itme B02] (expected campaign, program KEY, item ID, county ID, names, applicant, replies or check PROGRAM)" },
	{ "replies incomplete", OPENS, DEADLINE, "[replies]\nreceipt = r.txt\nfrom_name = 局\n",
	  "t.conf:27: [replies] has no 'missing_items'" },
	{ "replies takes no id", OPENS, DEADLINE, "[replies x]\n",
	  "t.conf:27: [replies] takes no id" },
	{ "key given twice", OPENS, DEADLINE, "required = no\n",
	  "t.conf:27: 'required' given twice in this section (first at line 25)" },
	{ "bad yes/no", OPENS, DEADLINE, ITEM_B02("base") "[item B03]\nrequired = maybe\n",
	  "t.conf:35: 'required' must be yes or no, not 'maybe'" },
	{ "bad number", OPENS, DEADLINE, "[item B03]\nnumber = 3a\n",
	  "t.conf:28: 'number' must be a whole number, not '3a'" },
	{ "missing key", OPENS, DEADLINE, "[item B03]\nprogram = base\nnumber = 3\ntitle = 名单\nshort = 名单\nrequired = yes\n",
	  "t.conf:27: [item B03] has no 'patterns'" },
	{ "syntax error", OPENS, DEADLINE, "this line has no equals sign\n",
	  "t.conf:27: syntax error (expected [section], key = value, or an indented continuation)" },
	{ "list continued", OPENS, DEADLINE, "excludes = 推荐\n  汇总表\n",
	  NULL /* excludes is a list: parses */ },
	{ "title continued", OPENS, DEADLINE, ITEM_B02("base") "[item B03]\ntitle = 主要管理人员\n  和创业服务人员名单\n",
	  "t.conf:36: 'title' cannot continue on an indented line (only lists can)" },
	{ "same number twice", OPENS, DEADLINE,
	  "[item B02]\nprogram = base\nnumber = 1\ntitle = 申请报告\nshort = 申请报告\nrequired = yes\npatterns = 申请报告\n",
	  "t.conf:29: item B02 has number 1, like item B01 of the same program" },
	{ "county kind", OPENS, DEADLINE, "[county yanfeng]\nname = 雁峰区\nkind = district\n",
	  "t.conf:29: 'kind' must be county or park, not 'district'" },
	{ "sender of two counties", OPENS, DEADLINE, "[county yanfeng]\nname = 雁峰区\nkind = county\nsenders = QIDONG@hengyang.example\n",
	  "t.conf:30: sender 'qidong@hengyang.example' of [county yanfeng] already belongs to [county qidong]" },
	{ "alias of two counties", OPENS, DEADLINE, "[county hengyangxian]\nname = 衡阳县\nkind = county\naliases = 祁东县\n",
	  "t.conf:30: '祁东县' of [county hengyangxian] already names [county qidong]" },
	{ "bad sender", OPENS, DEADLINE, "[county yanfeng]\nname = 雁峰区\nkind = county\nsenders = 雁峰区工信局\n",
	  "t.conf:30: bad sender '雁峰区工信局' in 'senders' (expected user@domain or @domain)" },
	{ "punctuation pattern", OPENS, DEADLINE, "excludes = （）\n",
	  "t.conf:27: entry '（）' in 'excludes' has no letters, digits or CJK characters" },
	{ "reserved program key", OPENS, DEADLINE, "[program county]\ntitle = x\n",
	  "t.conf:27: 'county' is reserved for county-level items and cannot name a program" },
	{ "program without id", OPENS, DEADLINE, "[program]\ntitle = x\n",
	  "t.conf:27: [program] needs an id of letters, digits, '_' or '-' (at most 32)" },
	{ "names with id", OPENS, DEADLINE, "[names extra]\nignore = x\n",
	  "t.conf:27: [names] takes no id" },
	{ "summary column out of range", OPENS, DEADLINE,
	  "[program inst]\ntitle = x\nannex = a\nsummary_annex = b\npatterns = 机构\n"
	  "summary_columns = 序 号, 单位名称\nsummary_fill = 1:seq, 3:applicant\n",
	  "t.conf:33: summary_fill entry '3:applicant' is not N:source with N a column (1 to 2)" },
	/* content classification keys */
	{ "item content keys", OPENS, DEADLINE,
	  "content = 申请表, 申报表\ncontent_body = 营业执照+统一社会信用代码+法定代表人\ncredit_code = yes\n",
	  NULL },
	{ "content punctuation", OPENS, DEADLINE, "content = 申请表, 【】\n",
	  "t.conf:27: entry '【】' in 'content' has no letters, digits or CJK characters" },
	{ "credit_code yes/no", OPENS, DEADLINE, "credit_code = 是\n",
	  "t.conf:27: 'credit_code' must be yes or no, not '是'" },
	/* [check PROGRAM] */
	{ "check parses", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.built = date | 成立时间\nfield.area = 平方米 | 总建筑面积\n"
	  "field.own = 平方米 | 自持\nfield.share = % | 自持比例\nratio.share = own / area\n"
	  "field.firms = 家 | 入驻企业数 | year\nrule.built = years(built) >= 1\nrule.area = area >= 20000\n"
	  "rule.share = share >= 20\n",
	  NULL },
	{ "check unknown program", OPENS, DEADLINE,
	  "[check bsae]\nyear = 2022\nfield.a = 人 | 人数\nrule.a = a >= 1\n",
	  "t.conf:27: [check bsae] names no program" },
	{ "check without year", OPENS, DEADLINE, "[check base]\nfield.a = 人 | 人数\nrule.a = a >= 1\n",
	  "t.conf:27: [check base] has no 'year'" },
	{ "check without rule", OPENS, DEADLINE, "[check base]\nyear = 2022\nfield.a = 人 | 人数\n",
	  "t.conf:27: [check base] has no rule.ID" },
	{ "check bad unit", OPENS, DEADLINE, "[check base]\nyear = 2022\nfield.a = 亩 | 占地面积\n",
	  "t.conf:29: field.a: unit '亩' is not one of 万元, 元, 平方米, 人, 家, 次, 场, 个, %, date "
	  "(expected UNIT | LABEL, LABEL... [| year])" },
	{ "check field without labels", OPENS, DEADLINE, "[check base]\nyear = 2022\nfield.a = 人\n",
	  "t.conf:29: field.a has no form labels (expected UNIT | LABEL, LABEL... [| year])" },
	{ "check field option", OPENS, DEADLINE, "[check base]\nyear = 2022\nfield.a = 人 | 人数 | 2022\n",
	  "t.conf:29: field.a: the third part may only be 'year', not '2022'" },
	{ "check field twice", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 人 | 人数\nfield.a = 家 | 企业数\n",
	  "t.conf:30: field 'a' defined twice in this [check]" },
	{ "check rule unknown field", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nrule.a = staff >= 6\nfield.staff = 人 | 专职服务人员\n",
	  "t.conf:29: rule.a uses unknown field 'staff' (define field.staff above it)" },
	{ "check rule bad operator", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 人 | 人数\nrule.a = a ≥ 1\n",
	  "t.conf:30: rule.a: expected one of >= > <= < = after the field" },
	{ "check rule not a number", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 人 | 人数\nrule.a = a >= 六\n",
	  "t.conf:30: rule.a: expected a number after the operator, not '六'" },
	{ "check rule trailing text", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 人 | 人数\nrule.a = a >= 6 人\n",
	  "t.conf:30: rule.a: unexpected '人' after the number" },
	{ "check years of a number", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 人 | 人数\nrule.a = years(a) >= 1\n",
	  "t.conf:30: rule.a: years() needs a date field" },
	{ "check date compared plainly", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.d = date | 成立时间\nrule.d = d >= 2022\n",
	  "t.conf:30: rule.d: a date field is compared as years(FIELD)" },
	{ "check ratio unknown field", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 家 | 入驻企业数\nratio.s = small / a | 小微占比\n",
	  "t.conf:30: ratio.s uses a field not defined above it ('small')" },
	{ "check ratio without label", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 家 | 入驻企业数\nfield.b = 家 | 小微企业数\nratio.s = b / a\n",
	  "t.conf:31: ratio.s needs a label for messages (FIELD / FIELD | LABEL)" },
	{ "check ratio of a non-percent field", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 家 | 入驻企业数\nfield.b = 家 | 小微企业数\nratio.b = b / a\n",
	  "t.conf:31: ratio.b must divide two number fields other than itself" },
	{ "check rule of unknown variant", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 人 | 人数\nrule.general.a = a >= 8\n",
	  "t.conf:30: rule.general.a names unknown variant 'general' (define variant.general above it)" },
	{ "check one variant", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nvariant_labels = 机构类型\nvariant.general = 综合性服务机构 | 综合\n"
	  "field.a = 人 | 人数\nrule.general.a = a >= 8\n",
	  "t.conf:27: [check base] has one variant: give two or more, or none" },
	{ "check variants without labels", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nvariant.general = 综合性服务机构 | 综合\nvariant.pro = 专业性服务机构 | 专业\n"
	  "field.a = 人 | 人数\nrule.general.a = a >= 8\n",
	  "t.conf:27: [check base] has variants but no variant_labels" },
	{ "check variant without keywords", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nvariant.general = 综合性服务机构\n",
	  "t.conf:29: variant.general must be TITLE | KEYWORD, KEYWORD..." },
	{ "check unknown dotted key", OPENS, DEADLINE, "[check base]\nyear = 2022\nlimit.a = 1\n",
	  "t.conf:29: unknown key 'limit.a' in [check base] (expected year, variant_labels, field.ID, "
	  "ratio.ID, variant.ID or rule.ID)" },
	{ "check field continued", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 人 | 人数,\n  从业人数\n",
	  "t.conf:30: 'field.a' cannot continue on an indented line (only lists can)" },
	{ "check twice", OPENS, DEADLINE,
	  "[check base]\nyear = 2022\nfield.a = 人 | 人数\nrule.a = a >= 1\n[check base]\n",
	  "t.conf:31: duplicate section [check base] (first at line 27)" },
	{ "summary unknown source", OPENS, DEADLINE,
	  "[program inst]\ntitle = x\nannex = a\nsummary_annex = b\npatterns = 机构\n"
	  "summary_columns = 序 号, 单位名称\nsummary_fill = 2:phone\n",
	  "t.conf:33: summary_fill entry '2:phone': unknown source (known: seq, applicant, county, credit_code)" },
};

static void test_error_case(void **state)
{
	const struct err_case *ec = *state;
	char *text = mini(ec->opens, ec->deadline, ec->extra);
	struct campaign *c = NULL;
	char err[512];
	int r = campaign_parse(text, strlen(text), "t.conf", &c, err, sizeof(err));

	if (!ec->expect) {
		if (r != 0)
			fail_msg("%s: %s", ec->name, err);
		assert_non_null(c);
		campaign_free(&c);
		free(text);
		return;
	}
	if (r == 0)
		fail_msg("%s: parsed, expected \"%s\"", ec->name, ec->expect);
	assert_null(c);
	assert_string_equal(err, ec->expect);
	free(text);
}

static void expect_error(const char *text, const char *expect)
{
	struct campaign *c = NULL;
	char err[512];

	assert_int_equal(campaign_parse(text, strlen(text), "t.conf", &c, err, sizeof(err)), -1);
	assert_null(c);
	assert_string_equal(err, expect);
}

static void test_errors_whole_file(void **state)
{
	char *t;

	(void)state;
	expect_error("", "t.conf: no [campaign] section");
	expect_error("id = x\n", "t.conf:1: 'id' is outside any [section]");
	expect_error("[campaign]\nid = x\n", "t.conf:1: [campaign] has no 'title'");
	expect_error("[campaign]\nlate_reply_days = 9999\n",
	             "t.conf:2: 'late_reply_days' = 9999 is out of range (0 to 3650)");
	expect_error("[campaign\nid = x\n", "t.conf:1: syntax error (expected [section], key = value, or an indented continuation)");
	t = mini(OPENS, DEADLINE, "[county yanfeng]\nname = 雁峰区\nkind = county\n[county yanfeng]\nname = 雁峰\n");
	expect_error(t, "t.conf:30: duplicate section [county yanfeng] (first at line 27)");
	free(t);
	{
		/* NUL inside the given length */
		static const char nul[] = "[campaign]\nid = a\0b\n";
		struct campaign *c = NULL;
		char err[256];
		assert_int_equal(campaign_parse(nul, sizeof(nul) - 1, "t.conf", &c, err, sizeof(err)), -1);
		assert_string_equal(err, "t.conf: contains a NUL byte");
	}
}

static void test_lists_and_continuations(void **state)
{
	char *t = mini(OPENS, DEADLINE,
		"excludes = 推荐，汇总 ; full-width comma, inline comment\n"
		"\t入驻,   在孵 ; a continuation keeps adding\n"
		"\n"
		"  , 人员,\n"
		"[item B02]\n"
		"  program = county ; the first key may be indented\n"
		"number = 0\ntitle = 推荐报告\nshort = 推荐报告\nrequired = no\npatterns = 推荐报告\n"
		"[names]\nignore = __MACOSX/, ~$*, ._*\nsupplement = 补件\n");
	struct campaign *c = NULL;
	char err[512];
	const struct campaign_item *b1, *b2;

	(void)state;
	if (campaign_parse(t, strlen(t), "t.conf", &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	b1 = campaign_item_by_id(c, "B01");
	b2 = campaign_item_by_id(c, "B02");
	assert_non_null(b1);
	assert_int_equal(b1->excludes.n, 5);
	assert_string_equal(b1->excludes.v[0], "推荐");
	assert_string_equal(b1->excludes.v[1], "汇总");
	assert_string_equal(b1->excludes.v[2], "入驻");
	assert_string_equal(b1->excludes.v[3], "在孵");
	assert_string_equal(b1->excludes.v[4], "人员");
	assert_int_equal(b2->program, -1);
	assert_false(b2->required);
	assert_int_equal(c->ignore_names.n, 3);
	assert_string_equal(c->ignore_names.v[1], "~$*");
	assert_int_equal(c->counties[0].senders.n, 1);
	assert_int_equal(c->tz_offset_min, 480);
	campaign_free(&c);
	free(t);
}

/* --------------------------------------------------------- time */

struct time_case {
	const char *text;
	int ok;
	time_t t;
	int off;
};

static const struct time_case time_cases[] = {
	{ "2023-05-19T23:59:59+08:00", 1, DEADLINE_2023, 480 },
	{ "2023-05-19T15:59:59Z", 1, DEADLINE_2023, 0 },
	{ "2023-05-19t15:59:59.999z", 1, DEADLINE_2023, 0 },
	{ "2023-05-19 10:29:59-05:30", 1, DEADLINE_2023, -330 },
	{ "2023-05-19T15:59:59+00:00", 1, DEADLINE_2023, 0 },
	{ "2023-05-19T23:59:60+08:00", 1, DEADLINE_2023, 480 },  /* leap second held */
	{ "2024-02-29T00:00:00+08:00", 1, (time_t)1709136000, 480 },
	{ "1970-01-01T00:00:00Z", 1, 0, 0 },
	{ "2023-02-29T00:00:00+08:00", 0, 0, 0 },
	{ "2023-13-01T00:00:00+08:00", 0, 0, 0 },
	{ "2023-05-19T24:00:00+08:00", 0, 0, 0 },
	{ "2023-05-19T23:60:00+08:00", 0, 0, 0 },
	{ "2023-05-19T23:59:59", 0, 0, 0 },
	{ "2023-05-19T23:59:59+8:00", 0, 0, 0 },
	{ "2023-05-19T23:59:59+08:00 ", 0, 0, 0 },
	{ "2023-05-19T23:59:59.+08:00", 0, 0, 0 },
	{ "2023-05-19T23:59:59+24:00", 0, 0, 0 },
	{ "2023/05/19T23:59:59+08:00", 0, 0, 0 },
	{ "2023年5月19日", 0, 0, 0 },
	{ "", 0, 0, 0 },
};

static void test_parse_time(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		const struct time_case *tc = &time_cases[i];
		time_t t = 12345;
		int off = 777, r = campaign_parse_time(tc->text, &t, &off);

		if ((r == 0) != tc->ok)
			fail_msg("\"%s\": returned %d", tc->text, r);
		if (!tc->ok)
			continue;
		if (t != tc->t || off != tc->off)
			fail_msg("\"%s\": got %lld %+d, want %lld %+d", tc->text, (long long)t, off,
			         (long long)tc->t, tc->off);
	}
	assert_int_equal(campaign_parse_time(NULL, &(time_t){ 0 }, NULL), -1);
	assert_int_equal(campaign_parse_time("2023-05-19T15:59:59Z", &(time_t){ 0 }, NULL), 0);
}

static void test_time_independent_of_tz(void **state)
{
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	const char *zones[] = { "America/New_York", "Asia/Kolkata", "UTC", "Pacific/Chatham" };
	char buf[64];

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		time_t t;
		setenv("TZ", zones[z], 1);
		tzset();
		assert_int_equal(campaign_parse_time("2023-05-19T23:59:59+08:00", &t, NULL), 0);
		assert_true(t == DEADLINE_2023);
		campaign_format_time(t, 480, buf, sizeof(buf));
		assert_string_equal(buf, "2023-05-19T23:59:59+08:00");
	}
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

static void test_format_round_trip(void **state)
{
	static const int offsets[] = { 0, 480, -480, 330, -330, 545, 765, -(23 * 60 + 59), 23 * 60 + 59 };
	static const time_t times[] = { 0, DEADLINE_2023, OPENS_2023, 951782400 /* 2000-02-29 */,
	                                4102444799 /* 2099-12-31T23:59:59Z */, 86399 };
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		for (size_t j = 0; j < sizeof(offsets) / sizeof(offsets[0]); j++) {
			time_t back;
			int off;

			campaign_format_time(times[i], offsets[j], buf, sizeof(buf));
			assert_int_equal(strlen(buf), offsets[j] ? 25 : 20);
			assert_int_equal(campaign_parse_time(buf, &back, &off), 0);
			if (back != times[i] || off != offsets[j])
				fail_msg("%s: %lld %+d back as %lld %+d", buf, (long long)times[i], offsets[j],
				         (long long)back, off);
		}
	campaign_format_time(DEADLINE_2023, -330, buf, sizeof(buf));
	assert_string_equal(buf, "2023-05-19T10:29:59-05:30");
	campaign_format_time(DEADLINE_2023, 480, buf, 11);     /* cut, still terminated */
	assert_string_equal(buf, "2023-05-19");
	campaign_format_time(DEADLINE_2023, 24 * 60, buf, sizeof(buf));  /* no such offset */
	assert_string_equal(buf, "");
	campaign_format_time(DEADLINE_2023, 480, buf, 0);       /* nothing written */
}

int main(void)
{
	struct CMUnitTest *t;
	size_t nerr = sizeof(err_cases) / sizeof(err_cases[0]), n = 0;
	int r;
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_shipped_campaign),
		cmocka_unit_test(test_shipped_content),
		cmocka_unit_test(test_errors_whole_file),
		cmocka_unit_test(test_lists_and_continuations),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_time_independent_of_tz),
		cmocka_unit_test(test_format_round_trip),
	};

	/* One test per error case, named after it. */
	t = calloc(nerr + sizeof(fixed) / sizeof(fixed[0]), sizeof(*t));
	assert_non_null(t);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		t[n++] = fixed[i];
	for (size_t i = 0; i < nerr; i++) {
		t[n].name = err_cases[i].name;
		t[n].test_func = test_error_case;
		t[n].initial_state = (void *)(uintptr_t)&err_cases[i];
		n++;
	}
	r = _cmocka_run_group_tests("campaign", t, n, NULL, NULL);
	free(t);
	return r;
}

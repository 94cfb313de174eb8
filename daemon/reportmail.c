#include "reportmail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libetpan/libetpan.h>

#include "app.h"
#include "reply.h"
#include "reportdb.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

int reportmail_recipients(const char *list, char ***v_r, size_t *n_r, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL, **v = NULL;
	size_t n = 0;

	*v_r = NULL;
	*n_r = 0;
	if (!list || !*list) {
		snprintf(err, errlen, "[report] recipients 未配置收件人 (no recipients configured)");
		return -1;
	}
	copy = strdup(list);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",; \t\r\n", &save); tok; tok = strtok_r(NULL, ",; \t\r\n", &save)) {
		char **nv;
		if (!reply_sane_address(tok)) {
			snprintf(err, errlen, "[report] recipients：“%s”不是有效的邮件地址 (not a valid address)", tok);
			goto fail;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || !(nv[n] = strdup(tok))) {
			v = nv ? nv : v;
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		v = nv;
		n++;
	}
	free(copy);
	if (n == 0) {
		snprintf(err, errlen, "[report] recipients 未配置收件人 (no recipients configured)");
		free(v);
		return -1;
	}
	*v_r = v;
	*n_r = n;
	return 0;
fail:
	free(copy);
	reportmail_recipients_free(v, n);
	return -1;
}

void reportmail_recipients_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void reportmail_free(struct reportmail *m)
{
	free(m->raw);
	free(m->subject);
	free(m->filename);
	memset(m, 0, sizeof(*m));
}

/* "衡阳市" of "衡阳市工业和信息化局": up to the first 市, else the issuer. */
static void city_of(const char *issuer, char *buf, size_t size)
{
	const char *shi = strstr(issuer, "市");

	if (shi)
		snprintf(buf, size, "%.*s", (int)(shi - issuer + strlen("市")), issuer);
	else
		snprintf(buf, size, "%s", issuer);
}

static void days_left(const struct report *r, char *buf, size_t size)
{
	if (r->days_left > 0)
		snprintf(buf, size, "截止还有%ld天", r->days_left);
	else if (r->days_left == 0)
		snprintf(buf, size, "今日截止");
	else
		snprintf(buf, size, "已截止%ld天", -r->days_left);
}

/* The short text/plain alternative. */
static char *summary(const struct report *r, const char *left)
{
	const struct campaign *c = r->c;
	unsigned today = 0, msgs = 0, complete = 0, incomplete = 0, late = 0, nd = 0;
	char *names = NULL, *s = NULL, dl[64];
	size_t silent = 0;
	time_t local = c->deadline + (time_t)c->tz_offset_min * 60;
	struct tm tm;
	FILE *f;
	size_t len;

	for (size_t i = 0; i < r->ncounties; i++) {
		const struct report_county *k = &r->counties[i];
		today += k->msgs_today;
		msgs += k->msgs;
		complete += k->complete;
		incomplete += k->incomplete;
		late += k->late;
	}
	nd = (unsigned)r->ndossiers;
	gmtime_r(&local, &tm);
	snprintf(dl, sizeof(dl), "%d年%d月%d日 %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min);
	f = open_memstream(&names, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < r->ncounties && i < c->ncounties; i++)
		if (r->counties[i].msgs == 0)
			fprintf(f, "%s%s", silent++ ? "、" : "", report_county_name(c, (int)i));
	if (fclose(f) != 0)
		return NULL;
	if (asprintf(&s,
	             "%s%s 申报材料接收日报\n"
	             "%s（%s）\n"
	             "报告日期：%d年%d月%d日，统计至当日 24:00（北京时间）\n"
	             "申报截止：%s（北京时间），%s\n\n"
	             "当日收到申报来信 %u 封，累计 %u 封。\n"
	             "申报单位累计 %u 个：材料齐全 %u 个，材料不全 %u 个，逾期 %u 个。\n"
	             "尚未报送的县市区、园区（%zu 个）：%s\n\n"
	             "各县市区、园区的明细见本邮件的 HTML 正文；附件 XLSX 含当日汇总及附件2、附件4 推荐汇总表。\n"
	             "本邮件由申报材料接收系统自动发送，请勿直接回复。\n",
	             c->issuer, c->office, c->title, c->notice_ref, r->year, r->month, r->day, dl, left,
	             today, msgs, nd, complete, incomplete, late, silent, silent ? names : "无") < 0)
		s = NULL;
	free(names);
	return s;
}

static char *read_all(const char *path, size_t *len_r)
{
	char err[256];

	return app_read_file(path, 64u << 20, len_r, err, sizeof(err));
}

/* RFC 2231 ext-value of a UTF-8 string: UTF-8''%XX... (attr-chars kept). */
static char *rfc2231(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), j;
	char *o = malloc(n * 3 + 8);   /* UNSAFE-checked: n is a short file name */

	if (!o)
		return NULL;
	j = (size_t)sprintf(o, "UTF-8''");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("!#$&+-.^_`|~", ch)) {
			o[j++] = (char)ch;
		} else {
			o[j++] = '%';
			o[j++] = hex[ch >> 4];
			o[j++] = hex[ch & 15];
		}
	}
	o[j] = '\0';
	return o;
}

static struct mailmime *xlsx_part(char *data, size_t len, const char *enc_name, const char *ext_value)
{
	struct mailmime_content *ct = mailmime_content_new_with_str(XLSX_TYPE);
	struct mailmime_parameter *np = mailmime_param_new_with_data("name", (char *)(uintptr_t)enc_name);
	struct mailmime_disposition *d = mailmime_disposition_new_with_data(MAILMIME_DISPOSITION_TYPE_ATTACHMENT,
	                                                                    NULL, NULL, NULL, NULL, (size_t)-1);
	struct mailmime_parameter *fp = mailmime_param_new_with_data("filename*", (char *)(uintptr_t)ext_value);
	struct mailmime_disposition_parm *dp = NULL;
	struct mailmime_mechanism *mech = mailmime_mechanism_new(MAILMIME_MECHANISM_BASE64, NULL);
	struct mailmime_fields *mf = NULL;
	struct mailmime *p;

	if (!ct || !np || !d || !fp || !mech || clist_append(ct->ct_parameters, np) != 0)
		goto fail;
	np = NULL;
	dp = mailmime_disposition_parm_new(MAILMIME_DISPOSITION_PARM_PARAMETER, NULL, NULL, NULL, NULL, 0, fp);
	if (!dp)
		goto fail;
	fp = NULL;
	if (clist_append(d->dsp_parms, dp) != 0)
		goto fail;
	dp = NULL;
	mf = mailmime_fields_new_with_data(mech, NULL, NULL, d, NULL);
	if (!mf)
		goto fail;
	mech = NULL;
	d = NULL;
	p = mailmime_new_empty(ct, mf);
	if (!p)
		goto fail;
	mailmime_set_body_text(p, data, len);
	return p;
fail:
	if (ct)
		mailmime_content_free(ct);
	if (np)
		mailmime_parameter_free(np);
	if (fp)
		mailmime_parameter_free(fp);
	if (dp)
		mailmime_disposition_parm_free(dp);
	if (d)
		mailmime_disposition_free(d);
	if (mech)
		mailmime_mechanism_free(mech);
	if (mf)
		mailmime_fields_free(mf);
	return NULL;
}

/*
 * libetpan writes every parameter as a quoted-string; an RFC 2231
 * ext-value must not be quoted (RFC 2231 section 7: "filename*=" takes a
 * token-like value).  The value is ours (attr-chars and %XX only, no quote
 * or backslash), so the quotes around the one occurrence are dropped.
 */
static void unquote_ext(char *s, size_t *len, const char *ext_value)
{
	char *want = NULL, *at;
	size_t wl;

	if (asprintf(&want, "filename*=\"%s\"", ext_value) < 0)
		return;
	wl = strlen(want);
	at = memmem(s, *len, want, wl);
	if (at) {
		size_t q1 = (size_t)(at - s) + strlen("filename*="), q2 = q1 + 1 + strlen(ext_value);

		memmove(s + q2, s + q2 + 1, *len - q2 - 1);
		memmove(s + q1, s + q1 + 1, *len - q1 - 2);
		*len -= 2;
		s[*len] = '\0';
	}
	free(want);
}

int reportmail_compose(const struct report *r, const struct config *cfg, char *const *rcpts, size_t n,
                       const char *tmpdir, struct reportmail *m, char *err, size_t errlen)
{
	const struct campaign *c = r->c;
	const char *from = cfg->smtp.from;
	const char *from_name = c->reply_from_name && *c->reply_from_name ? c->reply_from_name : c->issuer;
	struct mailimf_fields *f = NULL;
	struct mailmime *msg = NULL, *mixed = NULL, *alt = NULL, *p = NULL;
	char *enc_subject = NULL, *enc_from = NULL, *enc_file = NULL, *ext = NULL, *text = NULL, *ctext = NULL;
	char *html = NULL, *chtml = NULL, *xlsx = NULL, *dir = NULL, *path = NULL, city[64], left[64], tag[64];
	size_t html_len = 0, ctext_len = 0, chtml_len = 0, xlsx_len = 0;
	int ret = -1;

	memset(m, 0, sizeof(*m));
	if (!from || !reply_sane_address(from)) {
		snprintf(err, errlen, "[smtp] from 未配置或无效 (no valid [smtp] from)");
		return -1;
	}
	/* The parts. */
	if (reportdb_html(r, &html, &html_len) != 0) {
		snprintf(err, errlen, "rendering the HTML report failed");
		goto out;
	}
	if (asprintf(&dir, "%s/intake-reportmail.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") < 0 ||
	    !mkdtemp(dir)) {
		snprintf(err, errlen, "temporary directory in %s: %s", tmpdir ? tmpdir : "/tmp", strerror(errno));
		free(dir);
		dir = NULL;
		goto out;
	}
	city_of(c->issuer, city, sizeof(city));
	if (asprintf(&path, "%s/report.xlsx", dir) < 0 ||
	    asprintf(&m->filename, "%s申报材料接收日报-%04d-%02d-%02d.xlsx", city, r->year, r->month, r->day) < 0)
		goto nomem;
	if (reportdb_write(r, REPORT_XLSX, path, err, errlen) != 0)
		goto out;
	xlsx = read_all(path, &xlsx_len);
	if (!xlsx) {
		snprintf(err, errlen, "reading back %s failed", path);
		goto out;
	}
	days_left(r, left, sizeof(left));
	if (asprintf(&m->subject, "【申报材料接收日报】%d年%d月%d日（%s）", r->year, r->month, r->day, left) < 0)
		goto nomem;
	text = summary(r, left);
	if (!text)
		goto nomem;
	ctext = reply_crlf(text, &ctext_len);
	chtml = reply_crlf(html, &chtml_len);
	enc_subject = reply_encode_words(m->subject, 36);
	enc_from = reply_encode_words(from_name, 45);
	enc_file = reply_encode_words(m->filename, 36);
	ext = rfc2231(m->filename);
	if (!ctext || !chtml || !enc_subject || !enc_from || !enc_file || !ext)
		goto nomem;

	/* The header. */
	snprintf(tag, sizeof(tag), "report.%04d%02d%02d", r->year, r->month, r->day);
	reply_message_id(tag, from, m->message_id, sizeof(m->message_id));
	f = reply_fields(c->tz_offset_min, enc_from, from, (const char *const *)rcpts, n, m->message_id,
	                 NULL, NULL, enc_subject);
	enc_from = NULL;
	enc_subject = NULL;
	if (!f)
		goto nomem;
	/* RFC 3834: generated by us, not in answer to anything. */
	if (mailimf_fields_add(f, mailimf_field_new_custom(strdup("Auto-Submitted"), strdup("auto-generated"))) != 0 ||
	    mailimf_fields_add(f, mailimf_field_new_custom(strdup("X-Auto-Response-Suppress"), strdup("All"))) != 0 ||
	    mailimf_fields_add(f, mailimf_field_new_custom(strdup("X-Intake-Report"),
	                                                   strdup(tag + strlen("report.")))) != 0)
		goto nomem;

	/* The body: mixed(alternative(text, html), xlsx). */
	msg = mailmime_new_message_data(NULL);
	mixed = mailmime_multiple_new("multipart/mixed");
	alt = mailmime_multiple_new("multipart/alternative");
	if (!msg || !mixed || !alt)
		goto nomem;
	mailmime_set_imf_fields(msg, f);
	f = NULL;
	if (!(p = reply_text_part("text/plain", ctext, ctext_len)) || mailmime_smart_add_part(alt, p) != MAILIMF_NO_ERROR)
		goto nomem;
	if (!(p = reply_text_part("text/html", chtml, chtml_len)) || mailmime_smart_add_part(alt, p) != MAILIMF_NO_ERROR)
		goto nomem;
	p = NULL;
	if (mailmime_smart_add_part(mixed, alt) != MAILIMF_NO_ERROR)
		goto nomem;
	alt = NULL;
	if (!(p = xlsx_part(xlsx, xlsx_len, enc_file, ext)) || mailmime_smart_add_part(mixed, p) != MAILIMF_NO_ERROR)
		goto nomem;
	p = NULL;
	if (mailmime_smart_add_part(msg, mixed) != MAILIMF_NO_ERROR)
		goto nomem;
	mixed = NULL;
	m->raw = reply_write_mime(msg, &m->len);
	if (!m->raw)
		goto nomem;
	unquote_ext(m->raw, &m->len, ext);
	m->xlsx_len = xlsx_len;
	m->html_len = html_len;
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "composing the report mail: out of memory");
out:
	if (ret != 0)
		reportmail_free(m);
	if (p)
		mailmime_free(p);
	if (alt)
		mailmime_free(alt);
	if (mixed)
		mailmime_free(mixed);
	if (msg)
		mailmime_free(msg);
	if (f)
		mailimf_fields_free(f);
	if (path) {
		unlink(path);
		free(path);
	}
	if (dir) {
		rmdir(dir);
		free(dir);
	}
	free(enc_subject);
	free(enc_from);
	free(enc_file);
	free(ext);
	free(text);
	free(ctext);
	free(chtml);
	free(html);
	free(xlsx);
	return ret;
}

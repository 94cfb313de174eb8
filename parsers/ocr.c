/*
 * ocr.c - Tesseract over an image or a rendered page (see ocr.h).
 *
 * One engine per process, loaded by ocr_init() and reused; a second
 * engine with the "osd" data detects pages turned by 90/180/270 degrees
 * when the first pass reads poorly.  Leptonica decodes images, after
 * their header said how big they are.
 */
#include "ocr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

/* Page segmentation: automatic (3).  Measured against 6 (one uniform
 * block) on rendered A4 scans of a licence, a declaration, a lease and an
 * audit report cover: see ocr_pix(). */
#ifndef OCR_PSM
#define OCR_PSM           PSM_AUTO
#endif
#define OCR_DEFAULT_DPI   300
#define OCR_LOW_CONF      55     /* below this, look for a turned page */
#define OCR_MIN_OSD_CONF  2.0f   /* osd orientation confidence we act on */

static TessBaseAPI *api;
static TessBaseAPI *osd_api;
static bool osd_tried;
static char *api_key;            /* langs + tessdata the engine was built with */

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *key_of(const struct ocr_limits *lim)
{
	char *k;

	if (asprintf(&k, "%s|%s", lim->langs ? lim->langs : "chi_sim+eng",
	             lim->tessdata ? lim->tessdata : "") < 0)
		return NULL;
	return k;
}

static void quiet(TessBaseAPI *a)
{
	/* Tesseract's diagnostics ("Estimating resolution as ...", "Empty
	 * page!!") go to stderr unless debug_file names a file it can open.
	 * Inside the sandbox /dev/null is not openable (Landlock) and they
	 * fall back to stderr; the resolution is always set (ocr_pix), which
	 * silences the usual one. */
	TessBaseAPISetVariable(a, "debug_file", "/dev/null");
	TessBaseAPISetVariable(a, "tessedit_write_images", "0");
}

int ocr_init(const struct ocr_limits *lim, char **note_r)
{
	char *key;

	if (note_r)
		*note_r = NULL;
	if ((key = key_of(lim)) == NULL)
		return -1;
	if (api != NULL && strcmp(key, api_key) == 0) {
		free(key);
		return 0;
	}
	ocr_end();
	/*
	 * One thread: Debian's libtesseract uses OpenMP (4 threads in its
	 * LSTM layers), which on two shared cores is slower than one, and
	 * libgomp's pool does not survive fork(): a child forked after its
	 * parent ran OCR hangs in libgomp.  libgomp reads OMP_THREAD_LIMIT
	 * once, in its constructor, before main(): setting it here is too
	 * late for this process, so the program must have it in its
	 * environment when it starts (intaked re-executes itself with it;
	 * tests/test_textract.c does the same).  Set here for what this
	 * process may start later.
	 */
	setenv("OMP_THREAD_LIMIT", "1", 0);
	setMsgSeverity(L_SEVERITY_NONE);
	if ((api = TessBaseAPICreate()) == NULL) {
		free(key);
		return -1;
	}
	if (TessBaseAPIInit2(api, lim->tessdata, lim->langs ? lim->langs : "chi_sim+eng",
	                     OEM_LSTM_ONLY) != 0) {
		TessBaseAPIDelete(api);
		api = NULL;
		free(key);
		if (note_r && asprintf(note_r, "文字识别语言数据缺失（%s）",
		                       lim->langs ? lim->langs : "chi_sim+eng") < 0)
			*note_r = NULL;
		return -1;
	}
	quiet(api);
	api_key = key;
	return 0;
}

void ocr_end(void)
{
	if (api != NULL) {
		TessBaseAPIEnd(api);
		TessBaseAPIDelete(api);
		api = NULL;
	}
	if (osd_api != NULL) {
		TessBaseAPIEnd(osd_api);
		TessBaseAPIDelete(osd_api);
		osd_api = NULL;
	}
	osd_tried = false;
	free(api_key);
	api_key = NULL;
}

void ocr_out_free(struct ocr_out *o)
{
	if (o == NULL)
		return;
	free(o->text);
	free(o->note);
	o->text = o->note = NULL;
	o->len = 0;
}

static void set_note(struct ocr_out *o, const char *s)
{
	if (o->note == NULL)
		o->note = strdup(s);
}

/* CJK ideographs, CJK punctuation, fullwidth forms. */
static bool is_cjk(uint32_t c)
{
	return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x3000 && c <= 0x303F) ||
	       (c >= 0x20000 && c <= 0x2FFFF);
}

static bool is_punct(uint32_t c)
{
	return c < 0x80 && c > 0x20 && !(c >= '0' && c <= '9') && !(c >= 'A' && c <= 'Z') &&
	       !(c >= 'a' && c <= 'z');
}

static uint32_t decode(const unsigned char *s, size_t *k)
{
	if (s[0] < 0x80) {
		*k = 1;
		return s[0];
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*k = 2;
		return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*k = 3;
		return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
	}
	if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*k = 4;
		return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
		       (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
	}
	*k = 1;
	return 0xFFFD;
}

/*
 * Tesseract separates CJK glyphs with spaces ("营 业 执 照"): a run of
 * spaces between two CJK characters (or a CJK one and ASCII punctuation)
 * goes; blank lines and trailing spaces go too.  In place; returns the
 * new length.
 */
static size_t tidy(char *t)
{
	unsigned char *s = (unsigned char *)t;
	size_t n = strlen(t), o = 0, i = 0;
	uint32_t prev = '\n';

	while (i < n) {
		size_t k;
		uint32_t c;

		if (s[i] == ' ') {
			size_t j = i;
			uint32_t next;
			while (j < n && s[j] == ' ')
				j++;
			if (j == n || s[j] == '\n' || prev == '\n') {
				i = j;
				continue;
			}
			next = decode(s + j, &k);
			/* Chinese has no spaces: none between two CJK glyphs,
			 * nor between a CJK glyph and punctuation Tesseract read
			 * as ASCII ("承租方 (乙方) :" -> "承租方(乙方):").
			 * Digits and Latin words keep theirs ("代码 9143..."). */
			if ((is_cjk(prev) && (is_cjk(next) || is_punct(next))) ||
			    (is_cjk(next) && is_punct(prev))) {
				i = j;
				continue;
			}
			s[o++] = ' ';
			i = j;
			prev = ' ';
			continue;
		}
		if (s[i] == '\n') {
			if (prev != '\n' && o > 0)
				s[o++] = '\n';
			prev = '\n';
			i++;
			continue;
		}
		c = decode(s + i, &k);
		if (i + k > n)
			k = n - i;
		memmove(s + o, s + i, k);
		o += k;
		i += k;
		prev = c;
	}
	while (o > 0 && (s[o - 1] == '\n' || s[o - 1] == ' '))
		o--;
	s[o] = '\0';
	return o;
}

/* Recognise pix (8-bit gray) under the deadline; text, confidence. */
static int recognise(PIX *pix, long long deadline, struct ocr_out *o, char **text_r, int *conf_r)
{
	ETEXT_DESC *mon;
	long long left = deadline - mono_ms();
	char *t;
	int rc;

	*text_r = NULL;
	*conf_r = 0;
	if (left <= 0) {
		o->timed_out = true;
		return 0;
	}
	TessBaseAPISetImage2(api, pix);
	if (pixGetXRes(pix) > 0)
		TessBaseAPISetSourceResolution(api, pixGetXRes(pix));
	if ((mon = TessMonitorCreate()) == NULL)
		return -1;
	TessMonitorSetDeadlineMSecs(mon, left > INT32_MAX ? INT32_MAX : (int)left);
	rc = TessBaseAPIRecognize(api, mon);
	TessMonitorDelete(mon);
	if (mono_ms() >= deadline)
		o->timed_out = true;
	if (rc != 0) {
		TessBaseAPIClear(api);
		return 0;
	}
	t = TessBaseAPIGetUTF8Text(api);
	*conf_r = TessBaseAPIMeanTextConf(api);
	TessBaseAPIClear(api);
	if (t != NULL) {
		*text_r = strdup(t);
		TessDeleteText(t);
		if (*text_r == NULL)
			return -1;
	}
	return 0;
}

/*
 * How far the page is turned (0, 90, 180, 270 clockwise), from Tesseract's
 * orientation detection with osd.traineddata; 0 when unsure or when the
 * data is missing.
 */
static int detect_turn(PIX *pix, const struct ocr_limits *lim)
{
	int deg = 0;
	float oconf = 0, sconf = 0;
	const char *script = NULL;

	if (!osd_tried) {
		osd_tried = true;
		if ((osd_api = TessBaseAPICreate()) != NULL &&
		    TessBaseAPIInit2(osd_api, lim->tessdata, "osd", OEM_TESSERACT_ONLY) != 0) {
			TessBaseAPIDelete(osd_api);
			osd_api = NULL;
		}
		if (osd_api != NULL) {
			quiet(osd_api);
			TessBaseAPISetPageSegMode(osd_api, PSM_OSD_ONLY);
		}
	}
	if (osd_api == NULL)
		return 0;
	TessBaseAPISetImage2(osd_api, pix);
	TessBaseAPISetSourceResolution(osd_api, pixGetXRes(pix) > 0 ? pixGetXRes(pix) : 300);
	if (!TessBaseAPIDetectOrientationScript(osd_api, &deg, &oconf, &script, &sconf))
		deg = 0;
	TessBaseAPIClear(osd_api);
	if (oconf < OCR_MIN_OSD_CONF)
		return 0;
	return deg == 90 || deg == 180 || deg == 270 ? deg : 0;
}

/* OCR a gray 8-bit pix (consumed). */
static int ocr_pix(PIX *pix, const struct ocr_limits *lim, struct ocr_out *o)
{
	long long deadline = mono_ms() + (lim->ms ? lim->ms : 20000);
	char *text = NULL;
	int conf = 0, ret = -1, deg;
	PIX *rot = NULL;

	if (pixGetXRes(pix) <= 0 || pixGetXRes(pix) > 2400)
		pixSetResolution(pix, OCR_DEFAULT_DPI, OCR_DEFAULT_DPI);
	TessBaseAPISetPageSegMode(api, OCR_PSM);
	/*
	 * A turned page (a phone photo, a sheet fed sideways) reads as
	 * garbage and slowly: ask OSD first (about 0.5 s on an A4 page), read
	 * the page the way it says; should that read poorly, read it as it
	 * came too and keep the better of the two.
	 */
	/* (OSD has no monitor: it is skipped when under a second is left) */
	deg = deadline - mono_ms() > 1000 ? detect_turn(pix, lim) : 0;
	if (deg != 0) {
		/* OSD reports the page's orientation counter-clockwise;
		 * (360 - deg) clockwise makes it upright (what
		 * "tesseract --psm 0" prints as Rotate). */
		if ((rot = pixRotateOrth(pix, ((360 - deg) % 360) / 90)) == NULL)
			deg = 0;
	}
	if (recognise(deg ? rot : pix, deadline, o, &text, &conf) != 0)
		goto out;
	if (deg != 0 && !o->timed_out && conf < OCR_LOW_CONF) {
		char *t2 = NULL;
		int c2 = 0;
		if (recognise(pix, deadline, o, &t2, &c2) != 0)
			goto out;
		if (t2 != NULL && c2 > conf) {
			free(text);
			text = t2;
			conf = c2;
		} else {
			free(t2);
		}
	}
	if (text != NULL) {
		o->len = tidy(text);
		if (o->len == 0) {
			free(text);
			text = NULL;
		}
	}
	o->text = text;
	text = NULL;
	o->confidence = o->text ? (conf < 0 ? 0 : conf > 100 ? 100 : conf) : 0;
	if (o->text == NULL && !o->timed_out)
		set_note(o, "图片中未识别出文字");
	ret = 0;
out:
	free(text);
	pixDestroy(&rot);
	pixDestroy(&pix);
	return ret;
}

int ocr_image(const void *buf, size_t len, const struct ocr_limits *lim, struct ocr_out *o)
{
	l_int32 fmt, w = 0, h = 0, bps, spp, iscmap;
	PIX *pix, *gray;

	memset(o, 0, sizeof(*o));
	if (api == NULL) {
		set_note(o, "文字识别未初始化");
		return o->note ? 0 : -1;
	}
	if (len == 0 || pixReadHeaderMem(buf, len, &fmt, &w, &h, &bps, &spp, &iscmap) != 0 ||
	    w <= 0 || h <= 0) {
		set_note(o, "图片无法解码");
		return o->note ? 0 : -1;
	}
	if ((uint64_t)w * (uint64_t)h > lim->max_pixels) {
		set_note(o, "图片过大，未做文字识别");
		return o->note ? 0 : -1;
	}
	if ((pix = pixReadMem(buf, len)) == NULL) {
		set_note(o, "图片无法解码");
		return o->note ? 0 : -1;
	}
	/* What the header said must be what was decoded (multi-image files). */
	if ((uint64_t)pixGetWidth(pix) * (uint64_t)pixGetHeight(pix) > lim->max_pixels) {
		pixDestroy(&pix);
		set_note(o, "图片过大，未做文字识别");
		return o->note ? 0 : -1;
	}
	gray = pixConvertTo8(pix, 0);
	if (gray != NULL && pixGetXRes(gray) <= 0)
		pixCopyResolution(gray, pix);
	pixDestroy(&pix);
	if (gray == NULL) {
		set_note(o, "图片无法解码");
		return o->note ? 0 : -1;
	}
	return ocr_pix(gray, lim, o);
}

int ocr_pixels(const unsigned char *px, int w, int h, int bpp, int stride, int dpi,
               const struct ocr_limits *lim, struct ocr_out *o)
{
	PIX *pix;
	l_uint32 *data;
	int wpl;

	memset(o, 0, sizeof(*o));
	if (api == NULL) {
		set_note(o, "文字识别未初始化");
		return o->note ? 0 : -1;
	}
	if (w <= 0 || h <= 0 || (bpp != 1 && bpp != 3) || stride < w * bpp ||
	    (uint64_t)w * (uint64_t)h > lim->max_pixels) {
		set_note(o, "页面过大或格式不符，未做文字识别");
		return o->note ? 0 : -1;
	}
	if ((pix = pixCreate(w, h, 8)) == NULL)
		return -1;
	data = pixGetData(pix);
	wpl = pixGetWpl(pix);
	for (int y = 0; y < h; y++) {
		const unsigned char *row = px + (size_t)y * (size_t)stride;
		l_uint32 *line = data + (size_t)y * (size_t)wpl;
		for (int x = 0; x < w; x++) {
			unsigned v;
			if (bpp == 1)
				v = row[x];
			else
				v = (77u * row[3 * x] + 150u * row[3 * x + 1] + 29u * row[3 * x + 2]) >> 8;
			SET_DATA_BYTE(line, x, v);
		}
	}
	if (dpi > 0)
		pixSetResolution(pix, dpi, dpi);
	return ocr_pix(pix, lim, o);
}

/*
 * names.h - header text and file names to UTF-8.
 *
 * Chinese mail clients label and encode names in every way the RFCs allow
 * and several they do not: RFC 2047 words inside quoted parameters
 * (Outlook, Foxmail, QQ Mail), RFC 2231 with continuations and a charset,
 * raw 8-bit GBK bytes, "gb2312" labels on GBK text.  Everything here turns
 * such input into valid UTF-8 and says how it did so.
 *
 * All memory returned belongs to the caller (free()).  No function here
 * aborts on input; invalid bytes become U+FFFD and set *lossy_r.
 */
#ifndef INTAKE_NAMES_H
#define INTAKE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Normalise a charset label for iconv: gb2312/gbk/cp936/x-gbk/gb_2312-80/
 * euc-cn/936/x-gb18030 -> "GB18030"; utf8 -> "UTF-8"; others upper-cased.
 * Writes into buf (NUL-terminated, truncated to size). */
/* Open the GB18030 and GBK converters (nearly all Chinese mail) in
 * this process's cache, so that children forked afterwards inherit it
 * instead of each loading the gconv module again. */
void names_preload(void);
void names_charset_normalise(const char *label, char *buf, size_t size);

/* True when [s, s+n) is valid UTF-8 (no overlongs, no surrogates). */
bool names_is_utf8(const char *s, size_t n);

/*
 * Convert n bytes in charset (NULL = guess: UTF-8 if valid, else GB18030)
 * to UTF-8.  GB18030 decoding maps the GBK-only byte 0x80 to U+20AC.
 * Never fails on content: undecodable bytes become U+FFFD and *lossy_r is
 * set (lossy_r may be NULL).  Returns NULL only on allocation failure or
 * when the output would exceed max_out bytes (0 = no cap).
 */
char *names_to_utf8(const char *s, size_t n, const char *charset,
                    size_t max_out, bool *lossy_r);

/*
 * Decode an unstructured header value (Subject, display name): unfolds,
 * decodes RFC 2047 encoded words (B and Q, any case, adjacent words of one
 * charset joined before conversion so split multibyte characters survive),
 * and converts raw 8-bit text by names_to_utf8(NULL charset).
 * Output longer than max_out (0 = no cap) is cut at a character boundary
 * and *lossy_r is set.
 */
char *names_decode_header(const char *s, size_t n, size_t max_out,
                          bool *lossy_r);

/*
 * One raw MIME parameter as it appeared: name as written ("filename",
 * "filename*", "filename*0*", "name"...) and the value with quotes already
 * removed (bytes exactly as sent otherwise).
 */
struct names_param {
	const char *name;
	const char *value;
	size_t value_len;
};

/*
 * Pick and decode a file name from the Content-Disposition parameters and
 * the Content-Type parameters of one part, in this order of preference:
 * RFC 2231 filename* (joined continuations, charset'lang' of segment 0),
 * filename (RFC 2047 words inside the quotes, else raw 8-bit bytes),
 * RFC 2231 name*, name.  Returns NULL when no name parameter exists.
 * *raw_r (if non-NULL) receives a malloc'd copy of the undecoded bytes and
 * *raw_len_r its length, for the audit trail.  A name longer than max_out
 * (0 = no cap) is cut to fit, keeping a short extension ("....zip"), and
 * *lossy_r is set.
 */
char *names_filename(const struct names_param *disp, size_t ndisp,
                     const struct names_param *ctype, size_t nctype,
                     size_t max_out, bool *lossy_r,
                     char **raw_r, size_t *raw_len_r);

/*
 * Decode a path stored in an archive without a UTF-8 flag: valid UTF-8 is
 * kept, anything else is read as GB18030 (Windows Explorer / WinRAR on a
 * Chinese system write CP936).  Cut to max_out like names_filename().
 */
char *names_archive_path(const char *raw, size_t n, size_t max_out,
                         bool *lossy_r);

#endif

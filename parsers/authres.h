/*
 * authres.h - judge a message's Authentication-Results (RFC 8601) as
 * written by the bureau's own mail server, so a forged From cannot submit
 * for a county.
 *
 * Only the topmost header whose authserv-id is the trusted one counts
 * (the receiving server adds its header on top and should strip forged
 * ones with its own id; anything below it was written by someone else).
 * A message passes when that header shows dmarc=pass for the From domain,
 * or dkim=pass with a signing domain aligned with it, or spf=pass with a
 * MAIL FROM domain aligned with it (relaxed alignment: the same domain, or
 * one a subdomain of the other).  Pure code over strings.
 */
#ifndef INTAKE_AUTHRES_H
#define INTAKE_AUTHRES_H

#include <stddef.h>

enum authres_verdict {
	AUTHRES_PASS,
	AUTHRES_FAIL,     /* our server checked and nothing aligned passed */
	AUTHRES_NONE,     /* no header from our server */
};

/*
 * headers: the Authentication-Results values, top first, one per line.
 * from_domain: the domain of the From address (NULL = none).  evidence
 * receives a short summary ("dmarc=pass header.from=qq.com", or why not).
 */
enum authres_verdict authres_judge(const char *headers, const char *authserv_id,
                                   const char *from_domain, char *evidence, size_t evlen);

#endif

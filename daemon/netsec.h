/*
 * netsec.h - what IMAP and SMTP connections share: certificate
 * verification (libetpan's GnuTLS build checks nothing itself), the
 * loopback test that allows plaintext, and password files.
 */
#ifndef INTAKE_NETSEC_H
#define INTAKE_NETSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <libetpan/libetpan.h>

/*
 * Verify the peer of an established TLS stream: the chain against the
 * system trust store plus ca_file (PEM, may be NULL), the host name (or IP
 * literal) against the leaf, key purpose TLS server.  0 = trusted; -1 with
 * a reason in err.  Call after the handshake and before any credential.
 */
int netsec_verify_peer(mailstream *stream, const char *host, const char *ca_file,
                       char *err, size_t errlen);

/* host is an IP literal (SNI must not be sent for those). */
bool netsec_is_ip_literal(const char *host);
/* host names the local machine: localhost, 127.0.0.0/8, ::1. */
bool netsec_is_loopback(const char *host);

/*
 * Read a password file: the first line, without its newline; CR, LF or NUL
 * inside is refused.  A relative path is looked up in
 * $CREDENTIALS_DIRECTORY first (systemd LoadCredential=).  Returns a
 * malloc'd string or NULL with err set.
 */
char *netsec_read_password(const char *path, char *err, size_t errlen);
/* Wipe and free a password. */
void netsec_free_password(char *pw);

#endif

#include "netsec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define NETSEC_MAX_CHAIN 16

bool netsec_is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

bool netsec_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

int netsec_verify_peer(mailstream *stream, const char *host, const char *ca_file,
                       char *err, size_t errlen)
{
	gnutls_x509_crt_t crts[NETSEC_MAX_CHAIN];
	gnutls_x509_trust_list_t tl = NULL;
	unsigned n = 0, status = 0;
	carray *chain;
	int r, rc = -1;

	chain = stream ? mailstream_get_certificate_chain(stream) : NULL;
	if (!chain || carray_count(chain) == 0) {
		snprintf(err, errlen, "TLS: the server presented no certificate");
		goto out;
	}
	for (unsigned i = 0; i < carray_count(chain) && n < NETSEC_MAX_CHAIN; i++) {
		MMAPString *der = carray_get(chain, i);
		gnutls_datum_t d = { (unsigned char *)der->str, (unsigned)der->len };

		if (gnutls_x509_crt_init(&crts[n]) < 0)
			break;
		if (gnutls_x509_crt_import(crts[n], &d, GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crts[n]);
			snprintf(err, errlen, "TLS: certificate %u of the server's chain is not valid DER", i);
			goto out;
		}
		n++;
	}
	if ((r = gnutls_x509_trust_list_init(&tl, 0)) < 0) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(r));
		goto out;
	}
	if (gnutls_x509_trust_list_add_system_trust(tl, 0, 0) < 0 && !ca_file) {
		snprintf(err, errlen, "TLS: no system trust store and no ca_file");
		goto out;
	}
	if (ca_file && (r = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL,
	                                                       GNUTLS_X509_FMT_PEM, 0, 0)) <= 0) {
		snprintf(err, errlen, "TLS: ca_file %s: %s", ca_file,
		         r == 0 ? "no certificate in it" : gnutls_strerror(r));
		goto out;
	}
	{
		gnutls_typed_vdata_st vd[2] = {
			{ GNUTLS_DT_DNS_HOSTNAME, (unsigned char *)(uintptr_t)host, 0 },
			{ GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_SERVER, 0 },
		};

		r = gnutls_x509_trust_list_verify_crt2(tl, crts, n, vd, 2, 0, &status, NULL);
	}
	if (r < 0) {
		snprintf(err, errlen, "TLS: cannot verify the certificate of %s: %s", host,
		         gnutls_strerror(r));
		goto out;
	}
	if (status != 0) {
		gnutls_datum_t txt = { NULL, 0 };

		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &txt, 0) == 0) {
			snprintf(err, errlen, "TLS: certificate of %s refused: %s", host, (char *)txt.data);
			gnutls_free(txt.data);
		} else {
			snprintf(err, errlen, "TLS: certificate of %s refused (status 0x%x)", host, status);
		}
		goto out;
	}
	rc = 0;
out:
	for (unsigned i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (tl)
		gnutls_x509_trust_list_deinit(tl, 1);
	if (chain)
		mailstream_certificate_chain_free(chain);
	return rc;
}

char *netsec_read_password(const char *path, char *err, size_t errlen)
{
	char full[4096], buf[1024];
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	ssize_t n;
	size_t len = 0;
	int fd = -1;
	char *pw;

	if (path[0] != '/' && creds && creds[0]) {
		snprintf(full, sizeof(full), "%s/%s", creds, path);
		fd = open(full, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "password_file %s: %s", path, strerror(errno));
		return NULL;
	}
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "password_file %s: %s", path, strerror(errno));
			close(fd);
			explicit_bzero(buf, sizeof(buf));
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len == sizeof(buf)) {
		snprintf(err, errlen, "password_file %s: longer than %zu bytes", path, sizeof(buf) - 1);
		explicit_bzero(buf, sizeof(buf));
		return NULL;
	}
	/* The first line; a trailing CRLF or LF ends it. */
	{
		char *nl = memchr(buf, '\n', len);

		if (nl) {
			size_t rest = len - (size_t)(nl - buf) - 1;

			for (size_t i = 0; i < rest; i++)
				if (nl[1 + i] != '\n' && nl[1 + i] != '\r' && nl[1 + i] != ' ' && nl[1 + i] != '\t') {
					snprintf(err, errlen, "password_file %s: more than one line", path);
					explicit_bzero(buf, sizeof(buf));
					return NULL;
				}
			len = (size_t)(nl - buf);
			if (len > 0 && buf[len - 1] == '\r')
				len--;
		}
	}
	if (len == 0 || memchr(buf, '\r', len) || memchr(buf, '\0', len)) {
		snprintf(err, errlen, "password_file %s: %s", path,
		         len == 0 ? "empty" : "contains CR or NUL");
		explicit_bzero(buf, sizeof(buf));
		return NULL;
	}
	pw = malloc(len + 1);
	if (pw) {
		memcpy(pw, buf, len);
		pw[len] = '\0';
	} else {
		snprintf(err, errlen, "out of memory");
	}
	explicit_bzero(buf, sizeof(buf));
	return pw;
}

void netsec_free_password(char *pw)
{
	if (pw) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
}

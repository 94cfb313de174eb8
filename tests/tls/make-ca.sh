#!/bin/sh
# make-ca.sh DIR - a throwaway test PKI for TLS integration tests (certtool,
# Debian gnutls-bin):
#   ca.pem ca-key.pem        the test CA (ca_file in test configs)
#   server.pem server-key.pem  for 127.0.0.1 and localhost, signed by the CA
#   wronghost.pem wronghost-key.pem  signed by the CA for mail.example.org only
#   selfsigned.pem selfsigned-key.pem  self-signed for 127.0.0.1 and localhost
# Idempotent: an existing complete DIR is left as it is.
set -eu
dir=$1
[ -f "$dir/selfsigned.pem" ] && exit 0
mkdir -p "$dir"
cd "$dir"
key() { certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$1" 2>/dev/null; }

key ca-key.pem
cat > ca.tmpl <<T
cn = "intake test CA"
ca
cert_signing_key
expiration_days = 3650
T
certtool --generate-self-signed --load-privkey ca-key.pem --template ca.tmpl --outfile ca.pem 2>/dev/null

leaf() { # name cn dns... (ip 127.0.0.1 always unless cn is mail.example.org)
	name=$1; cn=$2; shift 2
	{
		echo "cn = \"$cn\""
		for d in "$@"; do
			case $d in
			*.*.*.*) echo "ip_address = \"$d\"" ;;
			*) echo "dns_name = \"$d\"" ;;
			esac
		done
		echo "tls_www_server"
		echo "signing_key"
		echo "encryption_key"
		echo "expiration_days = 3650"
	} > "$name.tmpl"
	key "$name-key.pem"
}
leaf server localhost localhost 127.0.0.1
certtool --generate-certificate --load-privkey server-key.pem --load-ca-certificate ca.pem \
	--load-ca-privkey ca-key.pem --template server.tmpl --outfile server.pem 2>/dev/null
leaf wronghost mail.example.org mail.example.org
certtool --generate-certificate --load-privkey wronghost-key.pem --load-ca-certificate ca.pem \
	--load-ca-privkey ca-key.pem --template wronghost.tmpl --outfile wronghost.pem 2>/dev/null
leaf selfsigned localhost localhost 127.0.0.1
certtool --generate-self-signed --load-privkey selfsigned-key.pem --template selfsigned.tmpl \
	--outfile selfsigned.pem 2>/dev/null
rm -f ./*.tmpl

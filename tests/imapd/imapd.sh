#!/bin/sh
# imapd.sh - a private Dovecot on 127.0.0.1 for tests and the demo.
#
#   imapd.sh start DIR    configure DIR (once) and start Dovecot in the
#                         foreground-mode master, detached; prints
#                         "PID IMAP_PORT IMAPS_PORT" (plain+STARTTLS, TLS)
#   imapd.sh stop DIR     stop the Dovecot started for DIR (by its PID)
#   imapd.sh deliver DIR USER FILE [UNIX-TIME]
#                         put FILE into USER's INBOX as a new message with
#                         that INTERNALDATE (the Maildir file's mtime)
#
# Users: "bureau" with password "secret".  Mail: DIR/home/USER/Maildir.
# Certificates: tests/tls/make-ca.sh DIR/tls (server.pem for 127.0.0.1).
# Ports are chosen once per DIR and kept across restarts.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cmd=$1 dir=$2

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The owner of the mail files: dovecot when we are root, else ourselves.
mail_owner() {
	if [ "$(id -u)" -eq 0 ]; then echo dovecot; else id -un; fi
}

setup() {
	mkdir -p "$dir/run" "$dir/state" "$dir/home"
	mail_owner > /dev/null
	"$here/../tls/make-ca.sh" "$dir/tls"
	[ -f "$dir/ports" ] || echo "$(free_port) $(free_port)" > "$dir/ports"
	read -r p1 p2 < "$dir/ports"
	cert=${INTAKE_IMAPD_CERT:-server}
	echo "bureau:{PLAIN}secret::::::" > "$dir/passwd"
	uid=$(id -u) gid=$(id -g)
	if [ "$uid" -eq 0 ]; then
		# Dovecot refuses mail access as root: the mail belongs to its
		# own user (deliver chowns to it).
		uid=$(id -u dovecot) gid=$(id -g dovecot)
		users="default_internal_user = dovecot
default_login_user = dovenull"
	else
		u=$(id -un)
		users="default_internal_user = $u
default_internal_group = $(id -gn)
default_login_user = $u"
	fi
	cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
$users
first_valid_uid = 0
first_valid_gid = 0
ssl = yes
ssl_cert = <$dir/tls/$cert.pem
ssl_key = <$dir/tls/$cert-key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/home/%u
}
mail_location = maildir:~/Maildir
mail_privileged_group =
protocol imap {
  mail_max_userip_connections = 50
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $p1
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $p2
    ssl = yes
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
CONF
}

case $cmd in
start)
	setup
	read -r p1 p2 < "$dir/ports"
	/usr/sbin/dovecot -c "$dir/dovecot.conf" -F >> "$dir/dovecot.log" 2>&1 &
	echo $! > "$dir/pid"
	# Ready when the plain port answers.
	i=0
	while ! /usr/bin/python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$p1),1); sys.exit(0 if s.recv(100).startswith(b'* OK') else 1)" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
			echo "imapd.sh: Dovecot did not start; see $dir/dovecot.log" >&2
			tail -5 "$dir/dovecot.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "$(cat "$dir/pid") $p1 $p2"
	;;
stop)
	[ -f "$dir/pid" ] || exit 0
	pid=$(cat "$dir/pid")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/pid"
	;;
deliver)
	user=$3 file=$4 when=${5:-}
	md=$dir/home/$user/Maildir
	mkdir -p "$md/tmp" "$md/new" "$md/cur"
	chmod 0755 "$dir" "$dir/home" 2>/dev/null || true
	# Dovecot gives new mail UIDs in the order of the names' times: the
	# seconds before the first dot, then the microseconds after an "M" in
	# the next part (maildir_filename_sort_cmp), never by pid (which wraps).
	# The seconds must be seconds: it compares them as an int, so one
	# number of nanoseconds ordered deliveries more than 2.1 s apart
	# backwards (a loaded machine took that long for the 20 examples).
	now=$(date +%s.%N)
	usecs=${now#*.}
	name=${now%.*}.M${usecs%???}P$$_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n').intake-test
	cp "$file" "$md/tmp/$name"
	[ -z "$when" ] || touch -d "@$when" "$md/tmp/$name"
	mv "$md/tmp/$name" "$md/new/$name"
	o=$(mail_owner)
	chown "$o:" "$dir/home/$user" "$md" "$md/tmp" "$md/new" "$md/cur" "$md/new/$name"
	;;
*)
	echo "usage: imapd.sh start|stop DIR | deliver DIR USER FILE [UNIX-TIME]" >&2
	exit 2
	;;
esac

#!/bin/sh
# The main job on the shipped examples, end to end: a private Dovecot on
# 127.0.0.1 receives the example county emails (with the received times
# their server gave them, examples/received.tsv), intaked --once takes them
# in over IMAP with STARTTLS and a test CA, and intakectl prints what was
# recorded.  State goes to demo-state/; Dovecot lives in a temporary
# directory and is stopped (by its PID) when the demo ends.
set -eu
cd "$(dirname "$0")/.."
imapd=$(mktemp -d /tmp/intake-demo-imapd.XXXXXX)
chmod 0755 "$imapd"
sink_pid=
trap 'sh tests/imapd/imapd.sh stop "$imapd"; [ -z "$sink_pid" ] || kill "$sink_pid" 2>/dev/null; rm -rf "$imapd"' EXIT INT TERM
started=$(sh tests/imapd/imapd.sh start "$imapd")
read -r _pid port _tls <<EOF2
$started
EOF2
echo "== Dovecot on 127.0.0.1:$port (STARTTLS, test CA); delivering the examples"
n=0
while IFS="$(printf '\t')" read -r file received; do
	case "$file" in ''|'#'*) continue ;; esac
	sh tests/imapd/imapd.sh deliver "$imapd" bureau "examples/$file" "$(date -d "$received" +%s)"
	n=$((n + 1))
done < examples/received.tsv
echo "   $n messages in INBOX"
# Where the replies go: an SMTP sink on 127.0.0.1 that keeps what it gets.
mkdir -p "$imapd/sink"
/usr/bin/python3 tests/smtp_sink.py --dir "$imapd/sink" --port-file "$imapd/sink.port" &
sink_pid=$!
i=0
while [ ! -s "$imapd/sink.port" ]; do
	i=$((i + 1)); [ $i -le 100 ] || { echo "SMTP sink did not start" >&2; exit 1; }
	sleep 0.1
done
smtp_port=$(cat "$imapd/sink.port")
echo "== SMTP sink on 127.0.0.1:$smtp_port (python3-aiosmtpd) for the replies"

rm -rf demo-state
conf=$imapd/intake.conf
cat > "$conf" <<CONF
[intake]
state_dir = $(pwd)/demo-state
campaign = $(pwd)/campaigns/hengyang-2023.conf
[imap]
host = 127.0.0.1
port = $port
security = starttls
ca_file = $imapd/tls/ca.pem
user = bureau
password_file = $imapd/password
[smtp]
host = 127.0.0.1
port = $smtp_port
security = none
from = sme-intake@hengyang-gxj.example
CONF
echo secret > "$imapd/password"
echo
echo "== intaked --once"
bin/intaked -c "$conf" --once
echo
echo "== 申报单位（dossiers）"
bin/intakectl -c examples/intake.conf dossiers
echo
echo "== 来信（submissions）"
bin/intakectl -c examples/intake.conf submissions
echo
echo "== 回复（replies, as sent）"
bin/intakectl -c examples/intake.conf replies
echo
echo "== 第一封回执，县里收到的样子（the first receipt as the county reads it）"
/usr/bin/python3 - "$imapd/sink" <<'PY'
import email, email.policy, os, sys
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    if name.endswith(".eml"):
        m = email.message_from_bytes(open(os.path.join(d, name), "rb").read(), policy=email.policy.default)
        if "回执" in str(m["Subject"]):
            print("To:", m["To"]); print("Subject:", m["Subject"]); print()
            print("\n".join(m.get_body(("plain",)).get_content().splitlines()[:18]))
            print("…")
            break
PY
echo
echo "== 日报（report, 2023-05-19）"
bin/intakectl -c examples/intake.conf report --date 2023-05-19
echo
echo "JSON: bin/intakectl -c examples/intake.conf dossiers --json | submissions --json | replies --json"
echo "Report files: bin/intakectl -c examples/intake.conf report --date 2023-05-19 -o demo-state/日报.xlsx (or .html, .csv)"

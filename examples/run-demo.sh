#!/bin/sh
# Ingest every shipped example with the received time its server gave it,
# into a fresh demo-state/, and print what was recorded.
set -eu
cd "$(dirname "$0")/.."
rm -rf demo-state
conf=examples/intake.conf
while IFS="$(printf '\t')" read -r file received; do
	case "$file" in ''|'#'*) continue ;; esac
	bin/intakectl -c "$conf" ingest --received "$received" "examples/$file"
done < examples/received.tsv
echo
echo "== 申报单位（dossiers）"
bin/intakectl -c "$conf" dossiers
echo
echo "== 来信（submissions）"
bin/intakectl -c "$conf" submissions
echo
echo "== 回复（replies, composed, not sent: bin/intakectl -c $conf send）"
bin/intakectl -c "$conf" replies
echo
echo "JSON: bin/intakectl -c $conf dossiers --json | submissions --json | replies --json"

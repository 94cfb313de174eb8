#!/bin/sh
# syscalls.sh UNIT STRACE_LOG [ROOT_ONLY...]
#
# The system calls an strace -f log shows, each checked against the
# SystemCallFilter= lines of UNIT as systemd combines them: the first line
# an allow list, later "~" lines take groups out, later plain lines put
# calls back.  Groups (@name) are expanded with systemd-analyze
# syscall-filter, recursively.  Prints the calls that would fail
# (EPERM) under the unit and exits 1 if there are any.
#
# ROOT_ONLY names calls made only because the traced run was root, which
# the unit's User=intake never makes (SQLite fchown()s its -wal and -shm
# files to the database's owner only when euid is 0).
set -eu
unit=$1 log=$2
shift 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/intake-sc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

expand() {
	for item in "$@"; do
		case $item in
		@*) systemd-analyze syscall-filter "$item" | sed -n 's/^    //p' | grep -v '^#' |
		    while read -r s; do expand "$s"; done ;;
		*) echo "$item" ;;
		esac
	done
}

: > "$tmp/allowed"
grep '^SystemCallFilter=' "$unit" | sed 's/^SystemCallFilter=//' > "$tmp/lines"
while read -r line; do
	case $line in
	"~"*)
		# shellcheck disable=SC2086
		expand ${line#\~} | sort -u > "$tmp/minus"
		sort -u "$tmp/allowed" | comm -23 - "$tmp/minus" > "$tmp/next"
		mv "$tmp/next" "$tmp/allowed" ;;
	*)
		# shellcheck disable=SC2086
		expand $line >> "$tmp/allowed" ;;
	esac
done < "$tmp/lines"
sort -u "$tmp/allowed" -o "$tmp/allowed"
# "PID name(args..." lines; resumed, signal and exit lines carry no new name.
awk '$2 ~ /^[a-z_0-9]+\(/ { sub(/\(.*/, "", $2); print $2 }' "$log" | sort -u > "$tmp/used"
for c in "$@"; do echo "$c"; done | sort -u > "$tmp/rootonly"
comm -23 "$tmp/used" "$tmp/allowed" | comm -23 - "$tmp/rootonly" > "$tmp/denied"
echo "$(wc -l < "$tmp/used") system calls used, $(wc -l < "$tmp/allowed") allowed by the unit"
if [ -s "$tmp/denied" ]; then
	echo "denied by SystemCallFilter=:"; cat "$tmp/denied"
	exit 1
fi

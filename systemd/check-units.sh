#!/bin/sh
# check-units.sh DESTDIR UNITDIR MANDIR [MAX_EXPOSURE]
#
# Checks the units "make install DESTDIR=..." put in DESTDIR/UNITDIR:
#   1. systemd-analyze verify, clean (no output at all).  verify insists
#      that ExecStart= binaries and the Documentation= man pages exist, and
#      --root= would also need all of systemd's own units inside DESTDIR, so
#      each unit is verified as a copy whose absolute ExecStart= paths point
#      into DESTDIR, with MANPATH set to DESTDIR/MANDIR; nothing else of the
#      unit is changed.
#   2. systemd-analyze security --offline=true on the installed units
#      themselves: every service at most MAX_EXPOSURE (1.5, "OK").
# Prints the overall exposure lines; exit 0 when both hold.
set -u
dest=$1 unitdir=$2 mandir=$3 max=${4:-1.5}
units=$dest$unitdir
tmp=$(mktemp -d "${TMPDIR:-/tmp}/intake-units.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
rc=0
for u in "$units"/intaked.service "$units"/intake-report.service "$units"/intake-report.timer; do
	[ -f "$u" ] || { echo "missing: $u"; rc=1; continue; }
	sed -e "s|^\(ExecStart=-\{0,1\}\)/|\1$dest/|" "$u" > "$tmp/${u##*/}"
done
# The timer's service must sit beside it for verify.
out=$(cd "$tmp" && MANPATH="$dest$mandir" systemd-analyze verify ./*.service ./*.timer 2>&1)
if [ -n "$out" ]; then
	echo "systemd-analyze verify:"; echo "$out"; rc=1
else
	echo "systemd-analyze verify: clean"
fi
for u in "$units"/*.service; do
	line=$(systemd-analyze security --offline=true --no-pager "$u" 2>&1 | grep 'Overall exposure level')
	echo "$line"
	level=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')
	if [ -z "$level" ] || ! awk -v l="$level" -v m="$max" 'BEGIN { exit !(l <= m) }'; then
		echo "exposure of ${u##*/} is over $max"; rc=1
	fi
done
exit $rc

#!/bin/sh
# tests/run.sh - run test programs JOBS at a time (make test-run).
#
#   tests/run.sh LABEL JOBS BINDIR TMP PROGRAM...
#
# Programs start in the order given (the Makefile puts the longest first,
# so the lanes finish together) with TMPDIR=TMP and INTAKE_BIN=BINDIR.
# Each program's output is kept in a file and printed whole, under
# "== PROGRAM (N s)", when it ends: lanes never interleave.  Then one
# line sums cmocka's counts, "LABEL: N passed, M failed"; the exit status
# is non-zero when a program failed (a program that exits non-zero
# without a cmocka count of failures counts as one failure).
#
# The tests are independent of each other: scratch state in their own
# mkdtemp directories under TMP, servers (Dovecot, the SMTP sink) on
# 127.0.0.1 ports the kernel picks for each.
set -u
[ $# -ge 4 ] || { echo "usage: tests/run.sh LABEL JOBS BINDIR TMP PROGRAM..." >&2; exit 2; }
label=$1 jobs=$2 bindir=$3 tmp=$4
shift 4
case $jobs in ''|*[!0-9]*|0) jobs=1;; esac

RUN_OUT=$(mktemp -d "${TMPDIR:-/tmp}/intake-run-XXXXXX") || exit 2
trap 'rm -rf "$RUN_OUT"' EXIT
trap 'exit 130' INT TERM
export RUN_OUT RUN_TMP="$tmp" RUN_BIN="$bindir"

# One program: its log and exit status in RUN_OUT, then its output in one
# piece (flock keeps two lanes from printing at once).
for t in "$@"; do printf '%s\n' "$t"; done |
xargs -P "$jobs" -n 1 sh -c '
	t=$1 n=${1##*/}
	start=$(date +%s)
	TMPDIR=$RUN_TMP INTAKE_BIN=$RUN_BIN "$t" > "$RUN_OUT/$n.log" 2>&1
	echo $? > "$RUN_OUT/$n.rc"
	secs=$(( $(date +%s) - start ))
	flock "$RUN_OUT/lock" sh -c "echo \"== \$1 (\$2 s)\"; cat \"\$3\"" sh "$t" "$secs" "$RUN_OUT/$n.log"
	exit 0
' sh

passed=0 failed=0 bad=0
for t in "$@"; do
	n=${t##*/} log=$RUN_OUT/${t##*/}.log
	rc=$(cat "$RUN_OUT/$n.rc" 2>/dev/null || echo 127)
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" 2>/dev/null | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" 2>/dev/null | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ]; then
		bad=$((bad + 1))
		[ -n "$f" ] || failed=$((failed + 1))
	fi
done
echo "$label: $passed passed, $failed failed"
[ $bad -eq 0 ]

#!/bin/bash
# chain.sh - what a bureau administrator would script with standard tools:
# per message, ripmime extracts the attachments, bsdtar unpacks each
# archive, file(1) names each file's type, and one sqlite3 transaction
# (WAL, synchronous=FULL) records the message and its files.
#
#   bench/chain.sh OUTDIR FILE.eml...
#
# OUTDIR/db is the ledger, OUTDIR/files/N/ what message N held.  The
# script itself forks little beyond the tools (bash builtins for quoting,
# find -printf for sizes) so that the tools' own cost is what is measured.
set -u
out=$1
shift
mkdir -p "$out/files"
db=$out/db
sqlite3 "$db" >/dev/null <<'SQL'
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS messages(id INTEGER PRIMARY KEY, path TEXT, size INTEGER);
CREATE TABLE IF NOT EXISTS files(id INTEGER PRIMARY KEY, message INTEGER, path TEXT,
                                 mime TEXT, size INTEGER);
SQL
n=0
for msg in "$@"; do
	n=$((n + 1))
	d=$out/files/$n
	mkdir -p "$d"
	ripmime -i "$msg" -d "$d" 2>/dev/null
	while IFS= read -r -d '' a; do
		mkdir -p "$a.d"
		bsdtar -xf "$a" -C "$a.d" 2>/dev/null
	done < <(find "$d" -type f \( -iname '*.zip' -o -iname '*.7z' -o -iname '*.rar' \
	         -o -iname '*.tar' -o -iname '*.tar.*' -o -iname '*.tgz' \) -print0)
	{
		echo "PRAGMA synchronous=FULL; BEGIN;"
		echo "INSERT INTO messages(id, path, size) VALUES($n, '${msg//\'/\'\'}', $(stat -c %s "$msg"));"
		while IFS=$'\t' read -r -d '' size f; do
			mime=$(file -b --mime-type -- "$f")
			echo "INSERT INTO files(message, path, mime, size) VALUES($n, '${f//\'/\'\'}', '${mime//\'/\'\'}', $size);"
		done < <(find "$d" -type f -printf '%s\t%p\0')
		echo "COMMIT;"
	} > "$out/tx.sql"
	sqlite3 "$db" < "$out/tx.sql" || exit 1
done

#!/usr/bin/env bash
# Start-up against a hello-world class on the same JVM with the same flags (issue 11's targets):
#   kb status and kb status --json on the tldr-pages corpus KB      target <= 3x hello
#   kb status on a 200,000-document KB vs on a 10-document KB       target <= 1.1x
#   kb --version, kb --help                                          target <= 2.5x hello
#   kb add one-small.md into the corpus KB (a new file each run)     target <= 6x hello
# Every kb command goes through the cli/kb launcher, as a cron job calls it; hello runs as
# 'java <the launcher's default flags> -cp DIR Hello'. Medians over interleaved rounds (the
# machine is shared), so both sides of a ratio see the same noise.
#
# The JVM is the 'java' on PATH. For another JDK put its bin first on PATH and build the jar with
# it (the class-data archive is made by, and only used with, the JVM that built the jar):
#   PATH=/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH mvn -q -DskipTests package
#   PATH=/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH tests-e2e/bench/status.sh
#
# The 200,000-document KB is the corpus KB with its rows cloned under new names in SQL
# (sqlite3): status reads the registry and .kb/, never the documents' files, and a real add of
# 200,000 files would take minutes. RUNS (default 15) sets the rounds. Nothing is asserted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
command -v sqlite3 >/dev/null || { echo "status.sh: needs sqlite3 (apt-get install sqlite3)"; exit 1; }
warm_launcher

runs="${RUNS:-15}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT
flags="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xms48m -Xmn32m" # the launcher's defaults

mkdir -p "$tmp/hello"
cat >"$tmp/hello/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
javac -d "$tmp/hello" "$tmp/hello/Hello.java"

build_big_kb "$tmp/corpus"
cli/kb init "$tmp/small" >/dev/null 2>&1
mkdir -p "$tmp/ten"
for i in $(seq 1 10); do printf '# note %s\n\ntext %s\n' "$i" "$i" >"$tmp/ten/note$i.md"; done
cli/kb --kb "$tmp/small" add "$tmp/ten" >/dev/null 2>&1
cp -a "$tmp/corpus" "$tmp/huge"
# clone the rows until there are 200,000: names and keys made unique by a suffix
have=$(sqlite3 "$tmp/huge/.kb/registry.db" "select count(*) from documents")
copies=$(( (200000 - have + have - 1) / have ))
sqlite3 "$tmp/huge/.kb/registry.db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $copies)
INSERT INTO documents(doc_name, name_key, sha256, raw_path, source_path, source_uri, type, title, size,
  added_at, updated_at, etag, last_modified) SELECT doc_name || '-c' || i, name_key || '-c' || i, sha256, raw_path, source_path,
  source_uri || '#c' || i, type, title, size, added_at, updated_at, etag, last_modified
FROM documents, n LIMIT 200000 - $have;
SQL
# the rows went in behind the registry's revision: the copied summary would be served as current
rm -f "$tmp/huge/.kb/summary.txt"
cli/kb --kb "$tmp/huge" status >/dev/null 2>&1 # status rebuilds and stores it, once

mkdir -p "$tmp/new"
for i in $(seq -2 "$runs"); do printf '# new note %s\n\nbody %s %s\n' "$i" "$i" "$RANDOM" >"$tmp/new/n$i.md"; done
counter="$tmp/counter"; echo -2 >"$counter"
# each run adds a file not in the KB yet
# into a copy of the corpus KB: the statuses of '$tmp/corpus' are of a registry at rest, as a
# script polling a KB between ingests sees it (served without opening the registry: RegistryStamp);
# the status of the copy, right after each add, is of a registry that has just changed (read from SQLite)
cp -a "$tmp/corpus" "$tmp/corpus-add"
add_one="i=\$(cat '$counter'); echo \$((i + 1)) >'$counter'; cli/kb --kb '$tmp/corpus-add' add \"$tmp/new/n\$i.md\""

echo "status.sh: java $(java -version 2>&1 | head -1); corpus KB $(kb_documents "$tmp/corpus") documents," \
    "small KB $(kb_documents "$tmp/small"), huge KB $(kb_documents "$tmp/huge")"
echo "class-data archive: $( [ -f cli/target/kb-archive ] && sed -n 2p cli/target/kb-archive || echo none)"
echo "status archive:     $( [ -f cli/target/kb-archive ] && sed -n 4p cli/target/kb-archive | grep . || echo none)"
print_load start
out="$(BENCH_NO_HYPERFINE=1 time_commands "$runs" \
    "hello" "java $flags -cp '$tmp/hello' Hello" \
    "kb --version" "cli/kb --version" \
    "kb --help" "cli/kb --help" \
    "kb status (corpus)" "cli/kb --kb '$tmp/corpus' status" \
    "kb status --json (corpus)" "cli/kb --kb '$tmp/corpus' status --json" \
    "kb status (10 docs)" "cli/kb --kb '$tmp/small' status" \
    "kb status (200k docs)" "cli/kb --kb '$tmp/huge' status" \
    "kb add one-small.md" "$add_one" \
    "kb status (just changed)" "cli/kb --kb '$tmp/corpus-add' status")"
print_load end
echo "$out"
med() { echo "$out" | awk -v n="$1" '{ c = substr($0, 1, 28); sub(/ +$/, "", c); if (c == n) print $(NF - 2) }'; }
hello=$(med "hello")
printf '%-34s %7s %7s\n' ratio value target
for pair in "kb status (corpus)|3" "kb status --json (corpus)|3" "kb --version|2.5" "kb --help|2.5" \
    "kb add one-small.md|6"; do
    name="${pair%|*}"; target="${pair#*|}"
    printf '%-34s %7s %7s\n' "$name / hello" "$(ratio "$(med "$name")" "$hello")" "<= $target"
done
printf '%-34s %7s %7s\n' "kb status (just changed) / hello" "$(ratio "$(med "kb status (just changed)")" "$hello")" \
    "(info)"
printf '%-34s %7s %7s\n' "status 200k / status 10 docs" "$(ratio "$(med "kb status (200k docs)")" \
    "$(med "kb status (10 docs)")")" "<= 1.1"

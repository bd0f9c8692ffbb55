#!/usr/bin/env bash
# Side by side: an earlier kb jar (OLD_JAR, e.g. built from the commit before a change) against
# the current one (cli/target/kb.jar), both run with the launcher's own JVM flags, in one run so
# that this shared machine's noise hits both alike. Measures, alternating old and new:
#   bulk    `kb add` of the tldr-pages corpus into an empty KB (RUNS_BULK, default 3 each)
#   growth  one small new file added to a KB holding the corpus (RUNS, default 10 each)
#   update  one file re-added with new content to that KB (RUNS each)
#   status  `kb status` on that KB (hyperfine or a bash loop, RUNS_STATUS, default 20)
# and, for the current jar only, `kb list` of that KB (the old one may have no list).
# Usage: tests-e2e/bench/versus.sh OLD_JAR. Nothing is asserted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
warm_launcher

old="${1:?usage: versus.sh OLD_JAR}"
new="$PWD/cli/target/kb.jar"
flags="$(sed -n 's/.*KB_JAVA_OPTS:-\([^}]*\)}.*/\1/p' cli/kb)"
runs="${RUNS:-10}" runs_bulk="${RUNS_BULK:-3}" runs_status="${RUNS_STATUS:-20}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT

# Each jar runs as the launcher runs it: with the class-data archive its build made beside it
# (kb-archive, line 2), when this java made it (cli/kb). An old jar built without one (or copied
# away from it) runs without: then start-up figures favour the new jar by the archive's ~100 ms.
archive_of() {
    local d
    d="$(dirname "$1")"
    if [ -r "$d/kb-archive" ] && [ "$(command -v java)" -ef "$(sed -n 1p "$d/kb-archive")/bin/java" ]; then
        sed -n 2p "$d/kb-archive"
    fi
}
archive="$(archive_of "$new")"
old_archive="$(archive_of "$old")"
# kb through jar $1, the rest are kb's arguments
kbj() {
    local jar="$1"; shift
    if [ "$jar" = "$new" ]; then java $archive $flags -jar "$jar" "$@"; else java $old_archive $flags -jar "$jar" "$@"; fi
}

# wall seconds of `kb add` of $3 into KB $2 with jar $1
timed_add() {
    local t0 t1
    t0=$(now_ns)
    kbj "$1" --kb "$2" add "$3" >/dev/null 2>"$tmp/add.log" || {
        tail -5 "$tmp/add.log" >&2; echo "versus: kb add failed" >&2; exit 1; }
    t1=$(now_ns)
    secs "$t0" "$t1"
}

echo "versus: old $old ($(kbj "$old" --version)), new $new ($(kbj "$new" --version))"
echo "jvm flags: $flags; new jar's archive: ${archive:-none}; old jar's archive: ${old_archive:-none}"
print_load start

echo "== bulk: $(find "$corpus" -type f | wc -l) files, $runs_bulk runs each, alternating"
# Each run's KB is kept until the end, as in bulk.sh: on journal-less ext4, files created right
# after an `rm -rf` of 15,000 others cost much more (ext4's recently_deleted), and removing each
# KB after its run charged that to the other jar's next run.
ob=() nb=()
for i in $(seq 1 "$runs_bulk"); do
    for side in old new; do
        jar=$old; [ "$side" = new ] && jar=$new
        kbj "$jar" init "$tmp/bulk-$side-$i" >/dev/null 2>&1
        sync
        s=$(timed_add "$jar" "$tmp/bulk-$side-$i" "$corpus")
        if [ "$side" = old ]; then ob+=("$s"); else nb+=("$s"); fi
        printf 'run %s %-3s %8ss\n' "$i" "$side" "$s"
    done
done
om=$(median "${ob[@]}") nm=$(median "${nb[@]}")
echo "bulk median old ${om}s new ${nm}s; ratio new/old $(ratio "$nm" "$om")"

# one corpus KB per side, each made by its own jar: a newer registry schema is refused by an older kb
for side in old new; do
    jar=$old; [ "$side" = new ] && jar=$new
    kbj "$jar" init "$tmp/big-$side" >/dev/null 2>&1
    kbj "$jar" --kb "$tmp/big-$side" add "$corpus" >/dev/null 2>&1
done
echo "== growth and update on KBs of $(kb_documents "$tmp/big-new") documents, $runs runs each, alternating"
oa=() na=() ou=() nu=()
mkdir -p "$tmp/in"
for side in old new; do
    printf '# Update target %s\n\nRevision 0.\n' "$side" >"$tmp/in/upd-$side.md"
    jar=$old; [ "$side" = new ] && jar=$new
    timed_add "$jar" "$tmp/big-$side" "$tmp/in/upd-$side.md" >/dev/null
done
for i in $(seq 1 "$runs"); do
    order="old new"; [ $((i % 2)) -eq 0 ] && order="new old"
    for side in $order; do
        jar=$old; [ "$side" = new ] && jar=$new
        f="$tmp/in/$side-$i.md"
        printf '# Note %s %s\n\nWritten at %s.\n' "$side" "$i" "$(now_ns)" >"$f"
        a=$(timed_add "$jar" "$tmp/big-$side" "$f")
        printf '# Update target %s\n\nRevision %s at %s.\n' "$side" "$i" "$(now_ns)" >"$tmp/in/upd-$side.md"
        u=$(timed_add "$jar" "$tmp/big-$side" "$tmp/in/upd-$side.md")
        if [ "$side" = old ]; then oa+=("$a") ou+=("$u"); else na+=("$a") nu+=("$u"); fi
        printf 'run %-2s %-3s add %7ss  update %7ss\n' "$i" "$side" "$a" "$u"
    done
done
echo "growth add median old $(median "${oa[@]}")s new $(median "${na[@]}")s; ratio new/old $(ratio "$(median "${na[@]}")" "$(median "${oa[@]}")")"
echo "update    median old $(median "${ou[@]}")s new $(median "${nu[@]}")s; ratio new/old $(ratio "$(median "${nu[@]}")" "$(median "${ou[@]}")")"

echo "== start-up on those KBs ($(kb_documents "$tmp/big-new") documents)"
time_commands "$runs_status" \
    "old kb status" "java $old_archive $flags -jar '$old' --kb '$tmp/big-old' status" \
    "new kb status" "java $archive $flags -jar '$new' --kb '$tmp/big-new' status" \
    "old kb --version" "java $old_archive $flags -jar '$old' --version" \
    "new kb --version" "java $archive $flags -jar '$new' --version" \
    "new kb list" "java $archive $flags -jar '$new' --kb '$tmp/big-new' list" \
    "java -version" "java -version"
echo "new kb list: $(kbj "$new" --kb "$tmp/big-new" list | wc -l) lines"
print_load end

#!/usr/bin/env bash
# Re-add of the unchanged corpus against a hello-world class on the same JVM with the same flags
# (issue 12's target: <= 10x hello; before the stat cache it was ~90x):
#   kb add <corpus> into the KB that holds it, every file unchanged     target <= 10x hello
#   kb add <copy of the corpus> with one file changed before each run   (for reference)
# and checks, from one --json run each, that the unchanged re-add skipped every file as
# "checked":"stat" (none was read) and that the one-changed re-add updated exactly that file.
#
# Every kb command goes through the cli/kb launcher, as a cron job calls it; hello runs as
# 'java <the launcher's default flags> -cp DIR Hello'. Medians over interleaved rounds (the
# machine is shared), so both sides of the ratio see the same noise. The KBs are built and
# re-added once untimed first: the stat cache records a file only once it is older than the
# timestamp granularity (2 s), and the copy is written by this script, so the script waits until
# it is before the untimed re-add that records its entries.
#
# RUNS (default 15) sets the rounds; PAGES (default the whole tldr-pages corpus) another folder
# to re-add, e.g. PAGES=../shared/corpus/tldr-pages/android for a quick smoke run. For another JDK,
# build the jar with it first on PATH, as status.sh says. Nothing is asserted but the two checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
pages="${PAGES:-$corpus}"
if [ ! -d "$pages" ]; then
    echo "readd.sh: $pages not found; nothing to measure"
    exit 0
fi
pages="$(cd "$pages" && pwd -P)"
warm_launcher

runs="${RUNS:-15}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT
# the launcher's default JVM flags, read from it so that hello runs on exactly those
flags="$(sed -n 's/.*KB_JAVA_OPTS:-\([^}]*\)}.*/\1/p' cli/kb)"
[ -n "$flags" ] || { echo "readd.sh: cannot read the JVM flags from cli/kb" >&2; exit 1; }

mkdir -p "$tmp/hello"
cat >"$tmp/hello/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
javac -d "$tmp/hello" "$tmp/hello/Hello.java"

# fails the script with the tail of the log when kb does
kb_quiet() {
    if ! cli/kb "$@" >"$tmp/out.log" 2>"$tmp/err.log"; then
        tail -5 "$tmp/err.log" >&2
        echo "readd.sh: cli/kb $* failed" >&2
        exit 1
    fi
}

# the KB of the pages as they are, and one of a copy whose files this script may change
cli/kb init "$tmp/kb" >/dev/null 2>&1
cli/kb init "$tmp/kb-copy" >/dev/null 2>&1
cp -r "$pages" "$tmp/copy"
kb_quiet --kb "$tmp/kb" add "$pages"
kb_quiet --kb "$tmp/kb-copy" add "$tmp/copy"
# entries are recorded only for files last changed over 2 s before they were read: wait until the
# copy's newest change time is that old (polling the clock)
newest=$(find "$tmp/copy" -printf '%C@\n' | sort -g | tail -1 | cut -d. -f1)
while [ $(( $(date +%s) - newest )) -le 3 ]; do sleep 0.2; done
kb_quiet --kb "$tmp/kb" add "$pages"
kb_quiet --kb "$tmp/kb-copy" add "$tmp/copy"

files=$(find "$pages" -type f | wc -l)
changed="$(find "$tmp/copy" -type f -name '*.md' | sort | sed -n 1p)"

# check 1: an unchanged re-add reads no file
kb_quiet --kb "$tmp/kb" add --json "$pages"
stat_skips=$(grep -c '"checked":"stat"' "$tmp/out.log" || true)
summary_unchanged="$(tail -1 "$tmp/out.log")"
# check 2: one file changed, exactly that one is updated
printf '\nedited for the check\n' >>"$changed"
kb_quiet --kb "$tmp/kb-copy" add --json "$tmp/copy"
updated_inputs="$(grep '"status":"updated"' "$tmp/out.log" | sed 's/^{"input":"\([^"]*\)".*/\1/' || true)"
summary_one="$(tail -1 "$tmp/out.log")"

counter="$tmp/counter"; echo 0 >"$counter"
# each run changes the same file again, then re-adds the copy
one_changed="i=\$(cat '$counter'); echo \$((i + 1)) >'$counter'; printf 'edit %s\n' \"\$i\" >>'$changed'; \
cli/kb --kb '$tmp/kb-copy' add '$tmp/copy'"

echo "readd.sh: java $(java -version 2>&1 | sed -n 1p); $pages: $files files, KB $(kb_documents "$tmp/kb") documents"
echo "class-data archive: $( [ -f cli/target/kb-archive ] && sed -n 2p cli/target/kb-archive || echo none)"
echo "check unchanged re-add: $stat_skips of $files events \"checked\":\"stat\"; $summary_unchanged"
echo "check one file changed: updated [$(echo "$updated_inputs" | tr '\n' ' ' | sed 's/ $//')]" \
    "(changed: $changed); $summary_one"
if [ "$updated_inputs" != "$changed" ]; then
    echo "readd.sh: the one-changed re-add did not update exactly $changed" >&2
fi
print_load start
out="$(BENCH_NO_HYPERFINE=1 time_commands "$runs" \
    "hello" "java $flags -cp '$tmp/hello' Hello" \
    "kb add (unchanged)" "cli/kb --kb '$tmp/kb' add '$pages'" \
    "kb add (one changed)" "$one_changed")"
print_load end
echo "$out"
med() { echo "$out" | awk -v n="$1" '{ c = substr($0, 1, 28); sub(/ +$/, "", c); if (c == n) print $(NF - 2) }'; }
hello=$(med "hello")
printf '%-34s %7s %7s\n' ratio value target
printf '%-34s %7s %7s\n' "kb add (unchanged) / hello" "$(ratio "$(med "kb add (unchanged)")" "$hello")" "<= 10"
printf '%-34s %7s %7s\n' "kb add (one changed) / hello" "$(ratio "$(med "kb add (one changed)")" "$hello")" "-"

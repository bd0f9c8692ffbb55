#!/usr/bin/env bash
# Growth: cost of one `kb add` of a small new Markdown file into a KB holding the tldr-pages
# corpus versus into an empty KB. Each run adds a fresh file with distinct content to each KB;
# the order alternates every run (big first, then empty first) to spread the noise. Prints
# per-run times, medians and the big/empty ratio (target <= 1.1, issue 13). Then the same for an update:
# one file added once (untimed), then rewritten with new content (same title) and added again
# each run. Building the big KB is not timed. RUNS (default 10) sets the number of runs.
# Nothing is asserted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
warm_launcher

runs="${RUNS:-10}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT

build_big_kb "$tmp/big"
cli/kb init "$tmp/empty" >/dev/null 2>&1
echo "growth: big KB $(kb_documents "$tmp/big") documents, empty KB $(kb_documents "$tmp/empty"); $runs runs each"
print_load start

# Adds file $2 to KB $1 and prints the wall seconds; with $3, the outcome line must start with it.
timed_add() {
    local t0 t1
    t0=$(now_ns)
    cli/kb --kb "$1" add "$2" >/dev/null 2>"$tmp/add.log" || {
        cat "$tmp/add.log" >&2; echo "growth: kb add failed" >&2; exit 1; }
    t1=$(now_ns)
    [ -z "${3:-}" ] || grep -q "^$3" "$tmp/add.log" || {
        cat "$tmp/add.log" >&2; echo "growth: expected '$3'" >&2; exit 1; }
    secs "$t0" "$t1"
}

# Writes a new small file for KB $1, run $2, adds it and prints the wall seconds.
add_one() {
    local f="$tmp/in/$(basename "$1")-$2.md"
    mkdir -p "$tmp/in"
    printf '# Note %s for %s\n\nWritten at %s by the growth benchmark, run %s.\n' \
        "$2" "$(basename "$1")" "$(now_ns)" "$2" >"$f"
    timed_add "$1" "$f" added
}

# Rewrites KB $1's update file (same title) for run $2, adds it and prints the wall seconds.
update_one() {
    local f="$tmp/upd/$(basename "$1").md"
    mkdir -p "$tmp/upd"
    printf '# Update target of %s\n\nRevision %s, written at %s.\n' "$(basename "$1")" "$2" "$(now_ns)" >"$f"
    timed_add "$1" "$f" "$([ "$2" = 0 ] && echo added || echo updated)"
}

# Runs function $1 on both KBs $runs times, alternating which goes first; prints per-run times,
# the medians and the ratio, each line labelled with $2.
compare() {
    local i b e big=() empty=()
    printf '%-4s %9s %9s\n' run "big${2:+_$2}_s" "empty${2:+_$2}_s"
    for i in $(seq 1 "$runs"); do
        if [ $((i % 2)) -eq 1 ]; then
            b=$("$1" "$tmp/big" "$i"); e=$("$1" "$tmp/empty" "$i")
        else
            e=$("$1" "$tmp/empty" "$i"); b=$("$1" "$tmp/big" "$i")
        fi
        big+=("$b") empty+=("$e")
        printf '%-4s %9s %9s\n' "$i" "$b" "$e"
    done
    local bm em
    bm=$(median "${big[@]}") em=$(median "${empty[@]}")
    echo "median ${2:+$2 }big ${bm}s  empty ${em}s"
    echo "ratio ${2:+$2 }big/empty of medians: $(ratio "$bm" "$em")  (target <= 1.1)"
}

compare add_one ""
update_one "$tmp/big" 0 >/dev/null; update_one "$tmp/empty" 0 >/dev/null
compare update_one upd
echo "documents after: big $(kb_documents "$tmp/big"), empty $(kb_documents "$tmp/empty")"
print_load end

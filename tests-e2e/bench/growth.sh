#!/usr/bin/env bash
# Growth: cost of one `kb add` of a small new Markdown file into a KB holding the tldr-pages
# corpus versus into an empty KB. Each run adds a fresh file with distinct content to each KB;
# the order alternates every run (big first, then empty first) to spread the noise. Prints
# per-run times, medians and the big/empty ratio (target <= 1.5). Then the same for an update:
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
trap 'rm -rf "$tmp"' EXIT

build_big_kb "$tmp/big"
cli/kb init "$tmp/empty" >/dev/null 2>&1
echo "growth: big KB $(kb_documents "$tmp/big") documents, empty KB $(kb_documents "$tmp/empty"); $runs runs each"
print_load start
printf '%-4s %9s %9s\n' run big_s empty_s

# Adds a new small file to KB $1 for run $2 and prints the wall seconds.
add_one() {
    local f="$tmp/in/$(basename "$1")-$2.md" t0 t1
    mkdir -p "$tmp/in"
    printf '# Note %s for %s\n\nWritten at %s by the growth benchmark, run %s.\n' \
        "$2" "$(basename "$1")" "$(now_ns)" "$2" >"$f"
    t0=$(now_ns)
    cli/kb --kb "$1" add "$f" >/dev/null 2>"$tmp/add.log" || {
        cat "$tmp/add.log" >&2; echo "growth: kb add failed" >&2; exit 1; }
    t1=$(now_ns)
    secs "$t0" "$t1"
}

big=() empty=()
for i in $(seq 1 "$runs"); do
    if [ $((i % 2)) -eq 1 ]; then
        b=$(add_one "$tmp/big" "$i"); e=$(add_one "$tmp/empty" "$i")
    else
        e=$(add_one "$tmp/empty" "$i"); b=$(add_one "$tmp/big" "$i")
    fi
    big+=("$b") empty+=("$e")
    printf '%-4s %9s %9s\n' "$i" "$b" "$e"
done

bm=$(median "${big[@]}") em=$(median "${empty[@]}")
echo "median big ${bm}s  empty ${em}s"
echo "ratio big/empty of medians: $(ratio "$bm" "$em")  (target <= 1.5)"

# Rewrites KB $1's update file with new content for run $2, adds it and prints the wall seconds.
update_one() {
    local f="$tmp/upd/$(basename "$1").md" t0 t1
    mkdir -p "$tmp/upd"
    printf '# Update target of %s\n\nRevision %s, written at %s.\n' "$(basename "$1")" "$2" "$(now_ns)" >"$f"
    t0=$(now_ns)
    cli/kb --kb "$1" add "$f" >/dev/null 2>"$tmp/add.log" || {
        cat "$tmp/add.log" >&2; echo "growth: kb add (update) failed" >&2; exit 1; }
    t1=$(now_ns)
    grep -q '^updated' "$tmp/add.log" || [ "$2" = 0 ] || {
        cat "$tmp/add.log" >&2; echo "growth: expected an update" >&2; exit 1; }
    secs "$t0" "$t1"
}

update_one "$tmp/big" 0 >/dev/null; update_one "$tmp/empty" 0 >/dev/null
printf '%-4s %9s %9s\n' run big_upd_s empty_upd_s
bigu=() emptyu=()
for i in $(seq 1 "$runs"); do
    if [ $((i % 2)) -eq 1 ]; then
        b=$(update_one "$tmp/big" "$i"); e=$(update_one "$tmp/empty" "$i")
    else
        e=$(update_one "$tmp/empty" "$i"); b=$(update_one "$tmp/big" "$i")
    fi
    bigu+=("$b") emptyu+=("$e")
    printf '%-4s %9s %9s\n' "$i" "$b" "$e"
done
bm=$(median "${bigu[@]}") em=$(median "${emptyu[@]}")
echo "median update big ${bm}s  empty ${em}s"
echo "ratio update big/empty of medians: $(ratio "$bm" "$em")  (target <= 1.5)"
echo "documents after: big $(kb_documents "$tmp/big"), empty $(kb_documents "$tmp/empty")"
print_load end

#!/usr/bin/env bash
# Bulk ingest: `kb add` of the tldr-pages corpus into an empty KB versus `git add -A && git commit`
# of a copy of the same files in a fresh repository that fsyncs loose objects and refs (batch
# mode), so both sides pay for durability. Runs alternate (kb, git, kb, git, ...) so noise on
# this shared machine hits both alike; prints per-run figures, medians and the kb/git ratio.
# Only `kb add` and `git add + commit` are timed: `kb init`, `git init` and the copy are not.
# RUNS (default 3) sets the number of runs of each. Nothing is asserted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
warm_launcher

runs="${RUNS:-3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
files=$(find "$corpus" -type f | wc -l)

echo "bulk: $files files from $corpus, $runs runs each, alternating; temp on $(df -T "$tmp" | awk 'NR==2 { print $2 }')"
print_load start
echo "kb java opts: ${KB_JAVA_OPTS:-(launcher default)}"
printf '%-4s %-4s %9s %9s\n' run tool wall_s files/s

kb_times=() git_times=() docs=()
for i in $(seq 1 "$runs"); do
    kb="$tmp/kb$i"
    cli/kb init "$kb" >/dev/null 2>&1
    sync
    t0=$(now_ns)
    cli/kb --kb "$kb" add "$corpus" >/dev/null 2>"$tmp/kb$i.log" || {
        tail -5 "$tmp/kb$i.log" >&2; echo "bulk: kb add failed" >&2; exit 1; }
    t1=$(now_ns)
    s=$(secs "$t0" "$t1"); kb_times+=("$s")
    docs+=("$(kb_documents "$kb")")
    printf '%-4s %-4s %9s %9.0f\n' "$i" kb "$s" "$(ratio "$files" "$s")"
    rm -rf "$kb"

    repo="$tmp/git$i"
    mkdir "$repo"
    cp -R "$corpus/." "$repo/"
    (
        cd "$repo"
        export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
        git init -q
        git config user.name bench && git config user.email bench@localhost
        git config core.fsync loose-object,reference
        git config core.fsyncMethod batch
        sync
        t0=$(now_ns)
        git add -A && git commit -q -m x
        t1=$(now_ns)
        echo "$t0 $t1" >"$tmp/git$i.t"
    )
    read -r t0 t1 <"$tmp/git$i.t"
    s=$(secs "$t0" "$t1"); git_times+=("$s")
    printf '%-4s %-4s %9s %9.0f\n' "$i" git "$s" "$(ratio "$files" "$s")"
    rm -rf "$repo"
done

kb_med=$(median "${kb_times[@]}")
git_med=$(median "${git_times[@]}")
echo "median kb  wall ${kb_med}s  $(ratio "$files" "$kb_med" | awk '{ printf "%.0f", $1 }') files/s"
echo "median git wall ${git_med}s  $(ratio "$files" "$git_med" | awk '{ printf "%.0f", $1 }') files/s"
echo "ratio kb/git of medians: $(ratio "$kb_med" "$git_med")  (target <= 3)"
echo "documents in the KB after each run: ${docs[*]} (of $files files; identical contents are skipped)"
print_load end

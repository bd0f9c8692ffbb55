#!/usr/bin/env bash
# What durability costs bulk ingest: `kb add` of the tldr-pages corpus as it is (every staged
# file and directory fsynced) versus under eatmydata, which turns fsync/fdatasync into no-ops
# (Debian package `eatmydata`). Runs alternate; prints per-run wall times, medians, and the share
# of the durable time that goes to syncing. A diagnostic for the bulk ratio: nothing is asserted.
# RUNS (default 3) sets the number of runs of each.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
if ! command -v eatmydata >/dev/null; then
    echo "fsync.sh: eatmydata not installed (apt-get install eatmydata); nothing to measure"
    exit 0
fi
warm_launcher

runs="${RUNS:-3}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT
files=$(find "$corpus" -type f | wc -l)

echo "fsync: $files files from $corpus, $runs runs each, alternating; temp on $(df -T "$tmp" | awk 'NR==2 { print $2 }')"
print_load start
printf '%-4s %-10s %9s\n' run mode wall_s

durable=() nosync=()
for i in $(seq 1 "$runs"); do
    for mode in durable eatmydata; do
        kb="$tmp/kb-$mode-$i"
        cli/kb init "$kb" >/dev/null 2>&1
        sync
        wrap=()
        [ "$mode" = eatmydata ] && wrap=(eatmydata)
        t0=$(now_ns)
        "${wrap[@]}" cli/kb --kb "$kb" add "$corpus" >/dev/null 2>"$tmp/log" || {
            tail -5 "$tmp/log" >&2; echo "fsync: kb add failed" >&2; exit 1; }
        t1=$(now_ns)
        s=$(secs "$t0" "$t1")
        if [ "$mode" = durable ]; then durable+=("$s"); else nosync+=("$s"); fi
        printf '%-4s %-10s %9s\n' "$i" "$mode" "$s"
        # kept until the end: deleting it here slowed the next run's file creation (see bulk.sh)
    done
done

d=$(median "${durable[@]}")
n=$(median "${nosync[@]}")
echo "median durable ${d}s, eatmydata ${n}s"
echo "syncing share of the durable time: $(awk -v d="$d" -v n="$n" 'BEGIN { printf "%.0f%%", (d - n) / d * 100 }')"
print_load end

#!/usr/bin/env bash
# Rotated side by side: `kb add` of the corpus into a fresh KB with each of several kb launchers
# (another checkout's cli/kb, or a wrapper script that sets KB_JAVA_OPTS), in rounds; each round
# starts with the next launcher, so no launcher always runs first or last. Per run wall, user and
# sys; medians of wall and of CPU (user + sys) per launcher. No KB is removed before the end (see
# bulk.sh: journal-less ext4 charges a mass delete to the next file creations). Nothing is asserted.
# Usage: tests-e2e/bench/rotate.sh LAUNCHER...   RUNS (default 8) rounds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
[ $# -ge 1 ] || { echo "usage: rotate.sh LAUNCHER..." >&2; exit 2; }
runs="${RUNS:-8}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT
launchers=("$@")
declare -A wall cpu
echo "rotate: $(find "$corpus" -type f | wc -l) files, $runs rounds of ${#launchers[@]} launchers"
print_load start
printf '%-5s %-40s %8s %8s %8s\n' round launcher wall_s user_s sys_s
for i in $(seq 1 "$runs"); do
    n=${#launchers[@]}
    for j in $(seq 0 $((n - 1))); do
        l="${launchers[$(( (i + j) % n ))]}"
        k="$tmp/kb-$i-$j"
        "$l" init "$k" >/dev/null 2>&1
        sync
        /usr/bin/time -f '%e %U %S' -o "$k.t" "$l" --kb "$k" add "$corpus" >/dev/null 2>"$k.log" || {
            tail -5 "$k.log" >&2; echo "rotate: $l: kb add failed" >&2; exit 1; }
        read -r s u y <"$k.t"
        printf '%-5s %-40s %8s %8s %8s\n' "$i" "$l" "$s" "$u" "$y"
        wall[$l]="${wall[$l]:-} $s"
        cpu[$l]="${cpu[$l]:-} $(awk -v u="$u" -v y="$y" 'BEGIN { printf "%.2f", u + y }')"
    done
done
for l in "${launchers[@]}"; do
    # shellcheck disable=SC2086
    echo "median $l: wall $(median ${wall[$l]})s  cpu $(median ${cpu[$l]})s"
done
print_load end

#!/usr/bin/env bash
# Scale (issue 13): `kb add` of four times the corpus (29,700 files: the corpus copied into four
# folders, a line naming the copy appended to every file so none is a duplicate of another) into
# an empty KB, against `kb add` of the corpus alone into an empty KB; alternating. Prints wall and
# CPU per run, the medians and the ratio of time per document, 4x over 1x (target <= 1.15).
# The copies are made once, untimed; no KB is deleted before the end (see bulk.sh on why).
# RUNS (default 3) sets the rounds. Nothing is asserted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
warm_launcher

runs="${RUNS:-3}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT
for c in 1 2 3 4; do
    mkdir -p "$tmp/four/copy$c"
    cp -R "$corpus/." "$tmp/four/copy$c/"
    find "$tmp/four/copy$c" -type f -exec sh -c 'for f; do printf "\ncopy %s\n" "$0" >>"$f"; done' "$c" {} +
done
one=$(find "$corpus" -type f | wc -l)
four=$(find "$tmp/four" -type f | wc -l)
sync

echo "scale.sh: 1x = $one files from $corpus, 4x = $four files, $runs runs each, alternating"
print_load start
printf '%-4s %-4s %9s %8s %8s %10s\n' run size wall_s user_s sys_s ms/doc

w1=() w4=() d1=() d4=()
for i in $(seq 1 "$runs"); do
    for size in 1 4; do
        kb="$tmp/kb$size-$i"
        src="$corpus"; [ "$size" = 4 ] && src="$tmp/four"
        cli/kb init "$kb" >/dev/null 2>&1
        sync
        /usr/bin/time -f '%e %U %S' -o "$tmp/t" cli/kb --kb "$kb" add "$src" >/dev/null 2>"$tmp/log" || {
            tail -5 "$tmp/log" >&2; echo "scale.sh: kb add failed" >&2; exit 1; }
        read -r w u s <"$tmp/t"
        n=$(kb_documents "$kb")
        printf '%-4s %-4s %9s %8s %8s %10s\n' "$i" "${size}x" "$w" "$u" "$s" "$(awk -v w="$w" -v n="$n" 'BEGIN { printf "%.3f", w * 1000 / n }')"
        if [ "$size" = 1 ]; then w1+=("$w"); d1+=("$n"); else w4+=("$w"); d4+=("$n"); fi
    done
done
m1=$(median "${w1[@]}") m4=$(median "${w4[@]}")
per1=$(awk -v w="$m1" -v n="${d1[0]}" 'BEGIN { printf "%.4f", w * 1000 / n }')
per4=$(awk -v w="$m4" -v n="${d4[0]}" 'BEGIN { printf "%.4f", w * 1000 / n }')
echo "median 1x wall ${m1}s for ${d1[0]} documents: ${per1} ms/doc"
echo "median 4x wall ${m4}s for ${d4[0]} documents: ${per4} ms/doc"
echo "ratio per document 4x/1x: $(ratio "$per4" "$per1")  (target <= 1.15)"
print_load end

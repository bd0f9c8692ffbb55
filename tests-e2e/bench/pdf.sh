#!/usr/bin/env bash
# PDF extraction (issue 13): one `kb add` of 20 distinct PDFs (the corpus paper, 15 pages, with a
# different comment after %%EOF each, so none is a duplicate) into a fresh KB, against poppler's
# `pdftotext` run on each of the 20 in turn; alternating, so noise hits both alike. Prints wall
# and CPU seconds (user, sys) per run, medians, the kb/pdftotext ratio of wall medians (target
# <= 3) and of CPU, and kb's peak RSS. kb runs with the launcher's flags unless KB_JAVA_OPTS says
# otherwise. RUNS (default 5) sets the rounds. Needs pdftotext (apt-get install poppler-utils)
# and /usr/bin/time. Nothing is asserted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
paper=../shared/corpus/pdf/attention-is-all-you-need.pdf
if [ ! -f "$paper" ]; then
    echo "pdf.sh: $paper not found; nothing to measure"
    exit 0
fi
command -v pdftotext >/dev/null || { echo "pdf.sh: needs pdftotext (apt-get install poppler-utils)"; exit 1; }
warm_launcher

runs="${RUNS:-5}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT
mkdir -p "$tmp/pdfs" "$tmp/text"
for i in $(seq 1 20); do
    { cat "$paper"; printf '%% variant %d\n' "$i"; } >"$tmp/pdfs/paper-$i.pdf"
done

echo "pdf.sh: 20 PDFs of $(stat -c %s "$paper") bytes, $runs runs each, alternating; $(pdftotext -v 2>&1 | sed -n 1p)"
print_load start
echo "kb java opts: ${KB_JAVA_OPTS:-(launcher default)}"
printf '%-4s %-10s %8s %8s %8s %10s\n' run tool wall_s user_s sys_s peak_rss_mb

kb_w=() kb_c=() pt_w=() pt_c=() rss=()
for i in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/pt.t" bash -c \
        "for f in '$tmp'/pdfs/*.pdf; do pdftotext \"\$f\" '$tmp/text/out.txt'; done"
    read -r w u s m <"$tmp/pt.t"
    pt_w+=("$w"); pt_c+=("$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')")
    printf '%-4s %-10s %8s %8s %8s %10s\n' "$i" pdftotext "$w" "$u" "$s" -

    kb="$tmp/kb$i" # kept until the end: see bulk.sh on deleting trees between timed runs
    cli/kb init "$kb" >/dev/null 2>&1
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/kb.t" cli/kb --kb "$kb" add "$tmp/pdfs" >/dev/null 2>"$tmp/kb.log" || {
        tail -5 "$tmp/kb.log" >&2; echo "pdf.sh: kb add failed" >&2; exit 1; }
    read -r w u s m <"$tmp/kb.t"
    kb_w+=("$w"); kb_c+=("$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"); rss+=("$((m / 1024))")
    printf '%-4s %-10s %8s %8s %8s %10s\n' "$i" kb "$w" "$u" "$s" "$((m / 1024))"
done
docs=$(kb_documents "$tmp/kb1")

kw=$(median "${kb_w[@]}") pw=$(median "${pt_w[@]}") kc=$(median "${kb_c[@]}") pc=$(median "${pt_c[@]}")
echo "median kb        wall ${kw}s  cpu ${kc}s  peak RSS $(median "${rss[@]}" | cut -d. -f1) MB (max $(printf '%s\n' "${rss[@]}" | sort -n | tail -1) MB)"
echo "median pdftotext wall ${pw}s  cpu ${pc}s"
echo "ratio kb/pdftotext: wall $(ratio "$kw" "$pw") (target <= 3), cpu $(ratio "$kc" "$pc")"
echo "documents in the first KB: $docs of 20"
print_load end

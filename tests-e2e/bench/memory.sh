#!/usr/bin/env bash
# Peak memory of `kb add` of one large generated file (issue 10, item 18: a 1 GB Markdown or text
# file must ingest with peak RSS <= 256 MB). Each size and kind is added into a fresh KB with the
# launcher's own flags (cli/kb) and --max-size 2GB (the default, 512MB, refuses it), under /usr/bin/time -v; prints peak RSS (VmHWM, "Maximum resident
# set size"), wall time and the ratio to 256 MB. The files are generated in the temporary folder
# (about 1 GB each, plus the KB's raw copy and page: ~3 GB of disk per run) and removed after.
# Shapes: "md" (front matter, headings, paragraphs with links, a fenced block every ~1 MB, a few
# script links to neutralise), "txt" (log lines, no blank lines). Needs /usr/bin/time (Debian:
# apt-get install time). Knobs: SIZES (MB, default "1024"), KINDS ("md txt"), KB_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests-e2e/bench/lib.sh

sizes="${SIZES:-1024}"
kinds="${KINDS:-md txt}"
if [ ! -x /usr/bin/time ]; then
    echo "memory: /usr/bin/time not found (apt-get install time); nothing to measure"
    exit 0
fi
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT

# file KIND MB PATH: writes a generated file of about MB megabytes
file() {
    awk -v kind="$1" -v target="$(( $2 * 1024 * 1024 ))" 'BEGIN {
        n = 0; i = 0
        if (kind == "md") {
            s = "---\ntitle: A large document\ntags: [bench, memory]\n---\n# A large document\n\nStart [x](javascript:alert(1)).\n\n"
            printf "%s", s; n += length(s)
        }
        while (n < target) {
            i++
            if (kind == "txt") {
                s = sprintf("2026-12-01T10:%02d:%02d.%06d INFO worker-%d request %d served in %d ms (metadata: ok)\n", i % 60, i % 59, i, i % 8, i, i % 97)
            } else if (i % 20000 == 0) {
                s = sprintf("```\ncode block %d\n[not a link](javascript:kept)\n\n```\n\n", i)
            } else if (i % 5000 == 0) {
                s = sprintf("## Section %d\n\nA [script link](javascript:alert(%d)) to neutralise.\n\n", i, i)
            } else {
                s = sprintf("Paragraph %d of a large document, with a [link](https://example.com/%d) and *emphasis*.\n\n", i, i)
            }
            printf "%s", s; n += length(s)
        }
    }' >"$3"
}

warm_launcher
echo "memory: peak RSS of kb add of one generated file, launcher flags (${KB_JAVA_OPTS:-cli/kb default})"
print_load start
printf '%-5s %6s %10s %12s %9s %s\n' kind MB wall_s peak_rss_MB x256MB result
for kind in $kinds; do
    for mb in $sizes; do
        f="$tmp/big-$mb.$kind"
        file "$kind" "$mb" "$f"
        dir="$tmp/kb-$kind-$mb"
        cli/kb init "$dir" >/dev/null 2>&1
        if /usr/bin/time -v -o "$tmp/time.txt" cli/kb --kb "$dir" add --max-size 2GB "$f" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
            result="ok, page $(du -m "$dir"/wiki/sources/*.md | cut -f1) MB"
        else
            result="FAILED: $(tail -1 "$tmp/err.txt")"
        fi
        rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
        wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time.txt")
        secs=$(awk -v w="$wall" 'BEGIN { n = split(w, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }')
        rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
        printf '%-5s %6s %10s %12s %9s %s\n' "$kind" "$mb" "$secs" "$rss_mb" "$(ratio "$rss_mb" 256)" "$result"
        grep -h '^warning\|warn' "$tmp/err.txt" "$tmp/out.txt" 2>/dev/null | head -3 || true
        rm -rf "$dir" "$f"
    done
done
print_load end

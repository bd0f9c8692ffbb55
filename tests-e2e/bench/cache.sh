#!/usr/bin/env bash
# Source caches, warm versus cold versus none (issue 12): the 65 corpus HTML pages served by a
# local HTTP server (python3 -m http.server: it sends Last-Modified, so a warm cache revalidates
# with a 304), and 20 distinct PDFs (the corpus paper with a different trailing comment each, so
# 20 hashes and 20 conversions), added into a fresh KB:
#   none  -- no cache;
#   cold  -- an empty dir cache (downloads and converts, and stores);
#   warm  -- the dir cache the cold run filled (304s, no conversion).
# Runs alternate (none, cold, warm, ...) so noise on this shared machine hits all alike; prints
# per-run figures, medians and the ratios none/warm (the issue expects >= 5x for the PDFs).
# RUNS (default 3). Nothing is asserted. Needs python3 for the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
html_dir=../shared/corpus/html
paper=../shared/corpus/pdf/attention-is-all-you-need.pdf
if [ ! -d "$html_dir" ] || [ ! -f "$paper" ]; then
    echo "cache: $html_dir or $paper not found; nothing to measure"
    exit 0
fi
command -v python3 >/dev/null || { echo "cache: python3 not found; nothing to measure"; exit 0; }
warm_launcher

runs="${RUNS:-3}"
tmp="$(mktemp -d)"
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# the pages, one folder each as in the corpus, and the PDF variants
mkdir -p "$tmp/site" "$tmp/pdfs"
for d in "$html_dir"/*/; do
    name=$(basename "$d")
    cp "$d/source.html" "$tmp/site/$name.html"
done
for i in $(seq 1 20); do
    { cat "$paper"; printf '%% variant %d\n' "$i"; } >"$tmp/pdfs/paper-$i.pdf"
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
serve_dir "$tmp/site" "$port" &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    sleep 0.1
done
: >"$tmp/urls"
for f in "$tmp/site"/*.html; do echo "http://127.0.0.1:$port/$(basename "$f")" >>"$tmp/urls"; done

echo "cache: $(wc -l <"$tmp/urls") HTML pages over HTTP and 20 PDFs, $runs runs each, alternating"
print_load start
printf '%-4s %-5s %-5s %9s\n' run batch cache wall_s

declare -A times
one() { # run batch mode -> seconds
    local run="$1" batch="$2" mode="$3" kb="$tmp/kb-$1-$2-$3" args=()
    case "$batch" in
        html) args=(--from-file "$tmp/urls") ;;
        pdf) args=("$tmp/pdfs") ;;
    esac
    case "$mode" in
        none) args+=(--cache none) ;;
        cold) rm -rf "$tmp/cache-$batch"; args+=(--cache "dir:$tmp/cache-$batch") ;;
        warm) args+=(--cache "dir:$tmp/cache-$batch") ;;
    esac
    cli/kb init "$kb" >/dev/null 2>&1
    local t0 t1
    t0=$(now_ns)
    cli/kb --kb "$kb" add -q "${args[@]}" >/dev/null 2>"$kb.log" || { tail -5 "$kb.log" >&2; exit 1; }
    t1=$(now_ns)
    rm -rf "$kb"
    secs "$t0" "$t1"
}
for i in $(seq 1 "$runs"); do
    for batch in html pdf; do
        for mode in none cold warm; do
            s=$(one "$i" "$batch" "$mode")
            times[$batch-$mode]="${times[$batch-$mode]:-} $s"
            printf '%-4s %-5s %-5s %9s\n' "$i" "$batch" "$mode" "$s"
        done
    done
done
print_load end
for batch in html pdf; do
    n=$(median ${times[$batch-none]}); c=$(median ${times[$batch-cold]}); w=$(median ${times[$batch-warm]})
    echo "$batch: median none ${n}s, cold ${c}s, warm ${w}s; none/warm $(ratio "$n" "$w"), cold/none $(ratio "$c" "$n")"
done

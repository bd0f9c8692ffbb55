#!/usr/bin/env bash
# The Redis source cache against no cache and a dir cache (issue 12), three parts in one run:
#
#  (a) warm vs cold: the 65 corpus HTML pages served by a local HTTP server (python3 -m
#      http.server: it sends Last-Modified, so a warm cache revalidates with a 304) and 20 distinct
#      PDFs (the corpus paper with a different comment after %%EOF each: 20 valid files, 20 hashes,
#      20 conversions), each batch added into a fresh KB with
#        none        no cache;
#        dir-cold    an empty dir cache (downloads, converts and stores);
#        dir-warm    the dir cache the cold run filled;
#        redis-cold  an emptied Redis (FLUSHALL);
#        redis-warm  the Redis the cold run filled;
#      medians and the ratios none/warm (the issue expects >= 5 for the PDFs) and cold/none (the
#      price of storing).
#  (b) outage: one batch of 100 URLs with no cache vs with a Redis that is gone (killed: nothing
#      listens) vs with one stopped by SIGSTOP (it accepts and never answers): each outage should
#      cost the batch one deadline (250 ms), the target is <= 1 s more than none.
#  (c) start-up: `kb add` of one new local Markdown file with a (running) Redis cache configured vs
#      none; target <= 100 ms apart.
#
# Every part alternates its variants round by round, so noise on this shared machine hits all
# alike; medians are printed side by side. Nothing is asserted. Needs python3, curl, redis-server
# and redis-cli (apt-get install redis-server).
# Knobs: RUNS (3) rounds of (a) and (b), STARTUP_RUNS (15) rounds of (c), PAGES (all 65) and PDFS
# (20) for (a), OUTAGE_URLS (100) for (b); a smoke test: RUNS=1 STARTUP_RUNS=2 PAGES=3 PDFS=2 OUTAGE_URLS=5.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
html_dir=../shared/corpus/html
paper=../shared/corpus/pdf/attention-is-all-you-need.pdf
if [ ! -d "$html_dir" ] || [ ! -f "$paper" ]; then
    echo "redis.sh: $html_dir or $paper not found; nothing to measure"
    exit 0
fi
for c in python3 curl redis-server redis-cli; do
    command -v "$c" >/dev/null || { echo "redis.sh: needs $c (apt-get install redis-server python3 curl)"; exit 1; }
done
warm_launcher

runs="${RUNS:-3}"
startup_runs="${STARTUP_RUNS:-15}"
pdfs="${PDFS:-20}"
outage_urls="${OUTAGE_URLS:-100}"
tmp="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
export HOME="$tmp/home" # kb's own cache directory and config files: this run's only
mkdir -p "$HOME"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# starts a redis-server on a free port in $tmp/redis-NAME; prints "PORT PID"
start_redis() {
    local name="$1" port dir="$tmp/redis-$1"
    port=$(free_port)
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
        --logfile "$dir/log" >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 1 200); do
        [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && { echo "$port $pid"; return; }
        sleep 0.05
    done
    echo "redis.sh: redis-server $name did not start: $(tail -3 "$dir/log")" >&2
    exit 1
}

# the site: the corpus pages (PAGES of them) and OUTAGE_URLS small pages; the PDF variants
mkdir -p "$tmp/site/outage" "$tmp/pdfs"
n=0
for d in "$html_dir"/*/; do
    [ -n "${PAGES:-}" ] && [ "$n" -ge "$PAGES" ] && break
    cp "$d/source.html" "$tmp/site/$(basename "$d").html"
    n=$((n + 1))
done
for i in $(seq 1 "$outage_urls"); do
    printf '<!DOCTYPE html><html><head><title>Page %d</title></head><body><article><h1>Page %d</h1><p>%s</p></article></body></html>\n' \
        "$i" "$i" "$(printf 'Words of page %d, enough of them to be its main text. ' "$i" "$i" "$i" "$i" "$i")" \
        >"$tmp/site/outage/p$i.html"
done
for i in $(seq 1 "$pdfs"); do
    { cat "$paper"; printf '%% variant %d\n' "$i"; } >"$tmp/pdfs/paper-$i.pdf"
done
web_port=$(free_port)
serve_dir "$tmp/site" "$web_port" &
pids+=($!)
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$web_port/" 2>/dev/null && break
    sleep 0.1
done
: >"$tmp/urls"
for f in "$tmp/site"/*.html; do echo "http://127.0.0.1:$web_port/$(basename "$f")" >>"$tmp/urls"; done
: >"$tmp/outage-urls"
for i in $(seq 1 "$outage_urls"); do echo "http://127.0.0.1:$web_port/outage/p$i.html" >>"$tmp/outage-urls"; done

read -r redis_port redis_pid < <(start_redis main)
pids+=("$redis_pid")
redis="redis://127.0.0.1:$redis_port"

echo "redis.sh: $(wc -l <"$tmp/urls") HTML pages over HTTP, $pdfs PDFs, $outage_urls outage URLs;" \
    "$runs rounds of (a) and (b), $startup_runs of (c); $(redis-server --version | cut -d' ' -f1-3)"
echo "class-data archive: $( [ -f cli/target/kb-archive ] && sed -n 2p cli/target/kb-archive || echo none)"
print_load start

# one timed add of a batch into a fresh KB; prints seconds
timed_add() { # name, then kb add arguments
    local kb="$tmp/kb-$1" t0 t1
    shift
    rm -rf "$kb"
    cli/kb init "$kb" >/dev/null 2>&1
    t0=$(now_ns)
    cli/kb --kb "$kb" add -q "$@" >/dev/null 2>"$kb.log" || { tail -5 "$kb.log" >&2; exit 1; }
    t1=$(now_ns)
    secs "$t0" "$t1"
}

declare -A t
echo
echo "(a) warm vs cold"
printf '%-5s %-5s %-10s %9s\n' round batch cache wall_s
for r in $(seq 1 "$runs"); do
    for batch in html pdf; do
        case "$batch" in
            html) in=(--from-file "$tmp/urls") ;;
            pdf) in=("$tmp/pdfs") ;;
        esac
        for mode in none dir-cold dir-warm redis-cold redis-warm; do
            case "$mode" in
                none) c=(--cache none) ;;
                dir-cold) rm -rf "$tmp/dir-$batch"; c=(--cache "dir:$tmp/dir-$batch") ;;
                dir-warm) c=(--cache "dir:$tmp/dir-$batch") ;;
                redis-cold) redis-cli -p "$redis_port" flushall >/dev/null; c=(--cache "$redis") ;;
                redis-warm) c=(--cache "$redis") ;;
            esac
            s=$(timed_add "$batch-$mode" "${in[@]}" "${c[@]}")
            t[$batch-$mode]="${t[$batch-$mode]:-} $s"
            printf '%-5s %-5s %-10s %9s\n' "$r" "$batch" "$mode" "$s"
        done
    done
done

echo
echo "(b) outage: $outage_urls URLs in one batch"
read -r gone_port gone_pid < <(start_redis gone)
kill "$gone_pid"; wait "$gone_pid" 2>/dev/null || true # nothing listens on gone_port now
read -r stopped_port stopped_pid < <(start_redis stopped)
pids+=("$stopped_pid")
kill -STOP "$stopped_pid"
printf '%-5s %-16s %9s\n' round cache wall_s
for r in $(seq 1 "$runs"); do
    for mode in none redis-killed redis-stopped; do
        case "$mode" in
            none) c=(--cache none) ;;
            redis-killed) c=(--cache "redis://127.0.0.1:$gone_port") ;;
            redis-stopped) c=(--cache "redis://127.0.0.1:$stopped_port") ;;
        esac
        s=$(timed_add "outage-$mode" --from-file "$tmp/outage-urls" "${c[@]}")
        t[outage-$mode]="${t[outage-$mode]:-} $s"
        printf '%-5s %-16s %9s\n' "$r" "$mode" "$s"
    done
done
kill -CONT "$stopped_pid"

echo
echo "(c) start-up: kb add of one new local file"
cli/kb init "$tmp/kb-startup" >/dev/null 2>&1
printf '%-5s %-8s %9s\n' round cache wall_s
for r in $(seq -1 "$startup_runs"); do # two warm-up rounds, not counted
    for mode in none redis; do
        f="$tmp/startup-$mode-$r.md"
        printf '# note %s %s\n\nbody %s\n' "$mode" "$r" "$RANDOM" >"$f"
        c=(--cache none)
        [ "$mode" = redis ] && c=(--cache "$redis")
        t0=$(now_ns)
        cli/kb --kb "$tmp/kb-startup" add -q "${c[@]}" "$f" >/dev/null 2>"$tmp/startup.log" \
            || { tail -5 "$tmp/startup.log" >&2; exit 1; }
        t1=$(now_ns)
        if [ "$r" -ge 1 ]; then
            s=$(secs "$t0" "$t1")
            t[startup-$mode]="${t[startup-$mode]:-} $s"
            printf '%-5s %-8s %9s\n' "$r" "$mode" "$s"
        fi
    done
done
print_load end

echo
echo "medians (s):"
# shellcheck disable=SC2086
for batch in html pdf; do
    none=$(median ${t[$batch-none]})
    dc=$(median ${t[$batch-dir-cold]}); dw=$(median ${t[$batch-dir-warm]})
    rc=$(median ${t[$batch-redis-cold]}); rw=$(median ${t[$batch-redis-warm]})
    echo "(a) $batch: none $none | dir cold $dc warm $dw | redis cold $rc warm $rw"
    echo "    none/warm: dir $(ratio "$none" "$dw"), redis $(ratio "$none" "$rw");" \
        "cold/none: dir $(ratio "$dc" "$none"), redis $(ratio "$rc" "$none")"
done
none=$(median ${t[outage-none]}); k=$(median ${t[outage-redis-killed]}); s=$(median ${t[outage-redis-stopped]})
echo "(b) outage: none $none | redis killed $k ($(awk -v a="$k" -v b="$none" 'BEGIN { printf "%+.3f", a - b }') s)" \
    "| redis stopped $s ($(awk -v a="$s" -v b="$none" 'BEGIN { printf "%+.3f", a - b }') s); target <= 1 s more"
none=$(median ${t[startup-none]}); r=$(median ${t[startup-redis]})
echo "(c) start-up: none $none | redis $r ($(awk -v a="$r" -v b="$none" 'BEGIN { printf "%+.0f", (a - b) * 1000 }') ms);" \
    "target <= 100 ms apart"

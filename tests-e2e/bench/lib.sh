# Shared helpers for the benchmark scripts in this folder; sourced, never run.
# The callers have already done `set -euo pipefail` and cd'ed to the repository root.

corpus=../shared/corpus/tldr-pages

# Exits 0 with one line when the corpus is not there: the benchmarks are optional.
require_corpus() {
    if [ ! -d "$corpus" ]; then
        echo "$(basename "$0"): $corpus not found; nothing to measure"
        exit 0
    fi
}

# Builds the jar through the launcher before any timing, so a missing jar is never timed.
warm_launcher() {
    cli/kb --version >/dev/null
}

now_ns() { date +%s%N; }

# seconds between two now_ns readings, 3 decimals
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# median of the numbers given as arguments (mean of the middle two for an even count)
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Builds a KB at $1 holding the whole corpus (untimed); prints nothing on success.
build_big_kb() {
    cli/kb init "$1" >/dev/null 2>&1
    if ! cli/kb --kb "$1" add "$corpus" >/dev/null 2>"$1.add.log"; then
        tail -5 "$1.add.log" >&2
        echo "$(basename "$0"): building the corpus KB failed" >&2
        exit 1
    fi
}

# the top-level "documents" (the first one: the summary's types and commits have their own)
kb_documents() { cli/kb --kb "$1" status --json | sed -n 's/^{"kb":"[^"]*","documents":\([0-9]*\).*/\1/p'; }

# The machine is shared: print the load so a reader can judge the figures.
print_load() { echo "load average ($1): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"; }

# Median wall time in ms of shell commands, printed as a table. Arguments: RUNS, then pairs of
# name and command. Uses hyperfine when installed (its shell start-up is subtracted), else a bash
# loop that interleaves the commands round by round (forced by BENCH_NO_HYPERFINE=1). Output of
# the commands is discarded.
time_commands() {
    local runs="$1"; shift
    local names=() cmds=()
    while [ $# -gt 0 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
    printf '%-28s %10s %8s %8s\n' command median_ms min_ms max_ms
    if [ -z "${BENCH_NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then
        local args=() i csv
        for i in "${!names[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
        csv="$(mktemp)"
        hyperfine --style none --warmup 2 --runs "$runs" --export-csv "$csv" "${args[@]}" >/dev/null
        # columns: command,mean,stddev,median,user,system,min,max (seconds)
        awk -F, 'NR > 1 { printf "%-28s %10.0f %8.0f %8.0f\n", $1, $4 * 1000, $7 * 1000, $8 * 1000 }' "$csv"
        rm -f "$csv"
        echo "(hyperfine $(hyperfine --version | cut -d' ' -f2), $runs runs each after 2 warm-up runs)"
    else
        local r i t0 t1 all=()
        for r in $(seq -1 "$runs"); do
            for i in "${!cmds[@]}"; do
                t0=$(now_ns); bash -c "${cmds[$i]}" >/dev/null 2>&1; t1=$(now_ns)
                if [ "$r" -ge 1 ]; then all[$i]="${all[$i]:-} $(( (t1 - t0) / 1000000 ))"; fi
            done
        done
        for i in "${!names[@]}"; do
            # shellcheck disable=SC2086
            printf '%-28s %10.0f %8s %8s\n' "${names[$i]}" "$(median ${all[$i]})" \
                "$(printf '%s\n' ${all[$i]} | sort -n | head -1)" "$(printf '%s\n' ${all[$i]} | sort -n | tail -1)"
        done
        echo "(bash loop with date +%s%N, $runs interleaved rounds after 2 warm-up rounds)"
    fi
}

# serve_dir DIR PORT: python3's http.server on 127.0.0.1:PORT for DIR, in the foreground (run it
# with &: the job then is python itself, so $! is its pid). HTTP/1.1 with keep-alive, as real
# servers answer: with http.server's default HTTP/1.0 (a connection per request, closed by the
# server) a batch of 65 pages took 10.9 s instead of 2.6 s and 2-5 of them failed with "unexpected
# end of stream" after three attempts (noted in the closing note; a kb defect to look into).
serve_dir() {
    cd "$1" && exec python3 -c '
import http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True
Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
' "$2" >/dev/null 2>&1
}

# Removes a script's temporary tree at exit, unless BENCH_KEEP is set: then it says where the tree
# is and leaves it. On ext4 without a journal a mass delete slows every file creation for the next
# minutes (fs/ext4/ialloc.c, recently_deleted: see bulk.sh), so a script run right after another
# one's exit measured that delete; to run several scripts in a row, keep the trees and remove them
# after the last one.
remove_tree() {
    if [ -n "${BENCH_KEEP:-}" ]; then
        echo "$(basename "$0"): kept $1 (BENCH_KEEP)" >&2
    else
        rm -rf "$1"
    fi
}

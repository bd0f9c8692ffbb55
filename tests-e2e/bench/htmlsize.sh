#!/usr/bin/env bash
# HTML conversion time against page size: `kb add page.html` of generated pages of 1, 4 and 16 MB
# in three shapes, each into a fresh KB, minus a 1 KB page's time (JVM start, KB set-up), so what
# is left is conversion. About linear means the s/MB column stays about flat as the size grows.
# Shapes: "article" (a long article: 20 paragraphs per section, lists, links, images, tables),
# "lines" (a log page: text<br> lines, all children of <body>), "divs" (sibling <div>s, as in
# exported chats). Before the fix, 3.2 MB took 9 s and 24 MB over 5 minutes.
# Knobs: SIZES (MB, default "1 4 16"), SHAPES, RUNS (1), KB_JAVA_OPTS, KB_JAR (time another jar
# instead of cli/kb, e.g. an older build, to compare).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests-e2e/bench/lib.sh

sizes="${SIZES:-1 4 16}"
shapes="${SHAPES:-article lines divs}"
runs="${RUNS:-1}"
kb() {
    if [ -n "${KB_JAR:-}" ]; then java ${KB_JAVA_OPTS:-} -jar "$KB_JAR" "$@"; else cli/kb "$@"; fi
}
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT

# page SHAPE MB FILE: writes an HTML page of about MB megabytes
page() {
    awk -v shape="$1" -v target="$(( $2 * 1024 * 1024 ))" 'BEGIN {
        split("the quick brown fox jumps over lazy dog while knowledge base ingestion converts pages into text", w, " ")
        printf "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s page</title></head><body>", shape
        printf "<nav><a href=\"/\">Home</a> <a href=\"/about\">About</a></nav><main><article><h1>A %s page</h1>", shape
        n = 200; i = 0; srand(42)
        while (n < target) {
            i++
            if (shape == "lines") { s = "line " i " of a log page with some words in it<br>\n" }
            else if (shape == "divs") { s = "<div>message " i " in a long exported conversation</div>\n" }
            else {
                s = ""
                if (i % 20 == 0) s = s "<h2>Section " i "</h2>"
                if (i % 7 == 0) s = s "<ul><li>item <a href=\"/item/" i "\">one</a></li><li>item two</li></ul>"
                if (i % 11 == 0) s = s "<p><img src=\"img/" i ".png\" alt=\"figure " i "\"></p>"
                if (i % 13 == 0) s = s "<table><tr><th>a</th><th>b</th></tr><tr><td>" i "</td><td>v</td></tr></table>"
                s = s "<p>"
                for (k = 0; k < 60; k++) {
                    word = w[int(rand() * 16) + 1]
                    if (k % 17 == 5) word = "<a href=\"/page/" i "/" k "\">" word "</a>"
                    if (k % 23 == 3) word = "<em>" word "</em>"
                    s = s word (k % 12 == 11 ? ". " : " ")
                }
                s = s "</p>\n"
            }
            printf "%s", s; n += length(s)
        }
        printf "</article></main><footer>All rights reserved</footer></body></html>"
    }' >"$3"
}

# add_secs FILE: wall seconds of `kb add FILE` into a fresh KB (fails loudly if the add fails)
add_secs() {
    local dir t0 t1
    dir="$(mktemp -d "$tmp/kb.XXXXXX")"
    kb init "$dir" >/dev/null 2>&1
    t0=$(now_ns)
    if ! kb --kb "$dir" add "$1" >/dev/null 2>"$dir.log"; then
        tail -3 "$dir.log" >&2
        echo "htmlsize: kb add $1 failed" >&2
        exit 1
    fi
    t1=$(now_ns)
    rm -rf "$dir" "$dir.log"
    secs "$t0" "$t1"
}

warm_launcher
echo "htmlsize: kb add of generated HTML pages, $runs run(s) each, minus a 1 KB page's time (${KB_JAR:-cli/kb})"
print_load start
page article 0 "$tmp/tiny.html"
base=$(add_secs "$tmp/tiny.html")
echo "baseline (1 KB page, JVM start and KB set-up): ${base}s"
printf '%-8s %6s %10s %10s %8s\n' shape MB total_s convert_s s/MB
for shape in $shapes; do
    for mb in $sizes; do
        page "$shape" "$mb" "$tmp/$shape-$mb.html"
        all=()
        for _ in $(seq 1 "$runs"); do all+=("$(add_secs "$tmp/$shape-$mb.html")"); done
        total=$(median "${all[@]}")
        conv=$(awk -v a="$total" -v b="$base" 'BEGIN { printf "%.3f", (a > b ? a - b : 0) }')
        printf '%-8s %6s %10s %10s %8s\n' "$shape" "$mb" "$total" "$conv" "$(ratio "$conv" "$mb")"
        rm -f "$tmp/$shape-$mb.html"
    done
done
print_load end

#!/usr/bin/env bash
# JVM flags: the launcher's default flags (C1 only) versus C2 enabled, for bulk `kb add` of the
# tldr-pages corpus and for `kb status` start-up; then an AppCDS archive for `kb status`.
# The flags are passed through KB_JAVA_OPTS; cli/kb itself is not changed. The archive is
# written next to the jar (cli/target/kb-bench-status.jsa) and removed at exit.
# RUNS (default 2) bulk runs per flag set, in ABBA order; STATUS_RUNS (default 20).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
warm_launcher

runs="${RUNS:-2}"
status_runs="${STATUS_RUNS:-20}"
default_opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -XX:-UsePerfData"
c2_opts="-XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData"
jsa="$PWD/cli/target/kb-bench-status.jsa"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"; rm -f "$jsa"' EXIT

echo "default: $default_opts"
echo "c2:      $c2_opts"
print_load start

# Bulk add of the corpus into a fresh KB with KB_JAVA_OPTS=$2; prints the wall seconds.
bulk_once() {
    local kb="$tmp/bulk-$1" t0 t1
    cli/kb init "$kb" >/dev/null 2>&1
    sync
    t0=$(now_ns)
    KB_JAVA_OPTS="$2" cli/kb --kb "$kb" add "$corpus" >/dev/null 2>"$tmp/bulk.log" || {
        tail -5 "$tmp/bulk.log" >&2; echo "jvmflags: kb add failed" >&2; exit 1; }
    t1=$(now_ns)
    rm -rf "$kb"
    secs "$t0" "$t1"
}

echo "bulk kb add of $corpus:"
d=() c=()
for i in $(seq 1 "$runs"); do
    if [ $((i % 2)) -eq 1 ]; then
        s=$(bulk_once "d$i" "$default_opts"); d+=("$s"); echo "  default ${s}s"
        s=$(bulk_once "c$i" "$c2_opts"); c+=("$s"); echo "  c2      ${s}s"
    else
        s=$(bulk_once "c$i" "$c2_opts"); c+=("$s"); echo "  c2      ${s}s"
        s=$(bulk_once "d$i" "$default_opts"); d+=("$s"); echo "  default ${s}s"
    fi
done
dm=$(median "${d[@]}") cm=$(median "${c[@]}")
echo "  median default ${dm}s, c2 ${cm}s; ratio c2/default $(ratio "$cm" "$dm")"

build_big_kb "$tmp/big"
big="$tmp/big"
# One training run writes the dynamic archive of the classes `kb status` loads (JDK 13+).
KB_JAVA_OPTS="$default_opts -XX:ArchiveClassesAtExit=$jsa" cli/kb --kb "$big" status >/dev/null 2>"$tmp/cds.log" || {
    cat "$tmp/cds.log" >&2; echo "jvmflags: archive training run failed" >&2; exit 1; }
cds_opts="$default_opts -XX:SharedArchiveFile=$jsa"
# -Xshare:auto falls back silently when an archive is unusable: count the classes it served.
shared=$(KB_JAVA_OPTS="$cds_opts -Xlog:class+load=info" cli/kb --kb "$big" status 2>/dev/null \
    | grep -c 'source: shared objects file (top)' || true)
echo "AppCDS archive: $(du -k "$jsa" | cut -f1) KiB, $shared classes loaded from it in a status run"
echo "cds:     $cds_opts"
echo "kb status start-up on the $(kb_documents "$big")-document KB:"
time_commands "$status_runs" \
    "status default" "KB_JAVA_OPTS='$default_opts' cli/kb --kb '$big' status" \
    "status c2" "KB_JAVA_OPTS='$c2_opts' cli/kb --kb '$big' status" \
    "status default+appcds" "KB_JAVA_OPTS='$cds_opts' cli/kb --kb '$big' status"
print_load end

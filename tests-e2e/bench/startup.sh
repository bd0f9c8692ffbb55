#!/usr/bin/env bash
# Start-up: median wall time of `kb status` on a KB holding the tldr-pages corpus and on an
# empty KB, with `kb --version` (JVM plus picocli, no KB opened) and `java -version` (the JVM's
# own floor) for reference. Every kb command goes through the cli/kb launcher, as a cron job
# would call it. RUNS (default 20) sets the runs per command.
# Building the big KB is not timed. Nothing is asserted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
warm_launcher

runs="${RUNS:-20}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT

build_big_kb "$tmp/big"
cli/kb init "$tmp/empty" >/dev/null 2>&1
echo "startup: big KB $(kb_documents "$tmp/big") documents, empty KB $(kb_documents "$tmp/empty")"
echo "kb java opts: ${KB_JAVA_OPTS:-(launcher default)}"
print_load start
time_commands "$runs" \
    "kb status (7k docs)" "cli/kb --kb '$tmp/big' status" \
    "kb status (empty)" "cli/kb --kb '$tmp/empty' status" \
    "kb --version" "cli/kb --version" \
    "java -version" "java -version"
print_load end

#!/usr/bin/env bash
# HTML extraction benchmark: runs HtmlCorpusBenchmarkTest against ../shared/corpus/html and
# shows the figures it prints (title/byline match rates, text overlap, worst cases).
# Runs Maven offline unless MVN_OFFLINE is set to empty; extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

offline="${MVN_OFFLINE--o}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

if ! mvn -B -q $offline -pl core test \
        -Dtest='dev.kb.core.convert.HtmlCorpusBenchmarkTest' -Dsurefire.failIfNoSpecifiedTests=false \
        "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "extraction benchmark: Maven failed" >&2
    exit 1
fi
# With -q the test's own lines are all Maven prints, apart from ANSI colour resets.
sed -e 's/\x1b\[[0-9;]*m//g' "$log" | grep -v '^[[:space:]]*$'

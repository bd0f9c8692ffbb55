#!/usr/bin/env bash
# Bulk ingest: `kb add` of the tldr-pages corpus into an empty KB versus `git add -A && git commit`
# of a copy of the same files in a fresh repository that fsyncs loose objects and refs (batch
# mode), so both sides pay for durability. Runs alternate (kb, git, kb, git, ...) so noise on
# this shared machine hits both alike; prints per-run figures, medians and the kb/git ratio.
# Only `kb add` and `git add + commit` are timed: `kb init`, `git init` and the copy are not.
# RUNS (default 5) sets the number of runs of each. Nothing is asserted.
#
# No tree is deleted until the end. On ext4 without a journal (this machine's root file system),
# allocating an inode skips every inode freed in the last few seconds, or in the last five minutes
# while its inode-table block is dirty (fs/ext4/ialloc.c, recently_deleted), and new files go to
# the block group their directory is in: right after `rm -rf` of the previous run's 15,000 files,
# each file created paid for a scan past them. Deleting each tree between runs charged that to
# whichever tool ran next, and git's untimed `cp -R` absorbed it while kb's timed add did not
# (measured: kb add of the corpus, sys 3.6 s normally, 6.7 s right after such an rm -rf).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests-e2e/bench/lib.sh
require_corpus
warm_launcher

runs="${RUNS:-5}"
tmp="$(mktemp -d)"
trap 'remove_tree "$tmp"' EXIT
files=$(find "$corpus" -type f | wc -l)

echo "bulk: $files files from $corpus, $runs runs each, alternating; temp on $(df -T "$tmp" | awk 'NR==2 { print $2 }')"
print_load start
echo "kb java opts: ${KB_JAVA_OPTS:-(launcher default)}"
printf '%-4s %-4s %9s %9s %8s %8s\n' run tool wall_s files/s user_s sys_s

# /usr/bin/time's "wall user sys" of the command in $2, written to the file $1
timed() { /usr/bin/time -f '%e %U %S' -o "$1" bash -c "$2"; }

kb_times=() git_times=() kb_user=() kb_sys=() git_user=() git_sys=() docs=()
for i in $(seq 1 "$runs"); do
    kb="$tmp/kb$i"
    cli/kb init "$kb" >/dev/null 2>&1
    sync
    timed "$tmp/kb$i.t" "cli/kb --kb '$kb' add '$corpus' >/dev/null 2>'$tmp/kb$i.log'" || {
        tail -5 "$tmp/kb$i.log" >&2; echo "bulk: kb add failed" >&2; exit 1; }
    read -r s u y <"$tmp/kb$i.t"
    kb_times+=("$s"); kb_user+=("$u"); kb_sys+=("$y")
    docs+=("$(kb_documents "$kb")")
    printf '%-4s %-4s %9s %9.0f %8s %8s\n' "$i" kb "$s" "$(ratio "$files" "$s")" "$u" "$y"

    repo="$tmp/git$i"
    mkdir "$repo"
    cp -R "$corpus/." "$repo/"
    (
        cd "$repo"
        export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
        git init -q
        git config user.name bench && git config user.email bench@localhost
        git config core.fsync loose-object,reference
        git config core.fsyncMethod batch
        sync
        timed "$tmp/git$i.t" "git add -A && git commit -q -m x"
    )
    read -r s u y <"$tmp/git$i.t"
    git_times+=("$s"); git_user+=("$u"); git_sys+=("$y")
    printf '%-4s %-4s %9s %9.0f %8s %8s\n' "$i" git "$s" "$(ratio "$files" "$s")" "$u" "$y"
done

kb_med=$(median "${kb_times[@]}")
git_med=$(median "${git_times[@]}")
echo "median kb  wall ${kb_med}s  $(ratio "$files" "$kb_med" | awk '{ printf "%.0f", $1 }') files/s  user $(median "${kb_user[@]}")s sys $(median "${kb_sys[@]}")s"
echo "median git wall ${git_med}s  $(ratio "$files" "$git_med" | awk '{ printf "%.0f", $1 }') files/s  user $(median "${git_user[@]}")s sys $(median "${git_sys[@]}")s"
echo "ratio kb/git of medians: $(ratio "$kb_med" "$git_med")  (target <= 1.0)"
echo "documents in the KB after each run: ${docs[*]} (of $files files; identical contents are skipped)"
print_load end

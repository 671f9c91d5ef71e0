#!/usr/bin/env bash
# Secret-scanning throughput of `rampart scan --secrets` on a generated source
# tree in the page cache, and side by side with detect-secrets and trufflehog3
# (both from PyPI, installed into a venv in the work directory) on a smaller
# tree that all three scan. Ratios are taken within this one run.
#
#   scripts/bench/secrets-throughput.sh [--work DIR] [--size-mb 500] [--compare-mb 50]
#                                       [--secrets 300] [--runs 3] [--no-peers]
#
# Needs python3 (with venv), /usr/bin/time (Debian package `time`), network
# access to PyPI on the first run (unless --no-peers), and a release build of
# rampart (built here; RAMPART=/path/to/rampart to use another binary).
# The trees are generated from source text installed on this machine
# (gen_secret_tree.py) and kept in the work directory between runs (delete
# it after changing the generator).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

work="${TMPDIR:-/tmp}/rampart-bench-secrets"
size_mb=500
compare_mb=50
secrets=300
runs=3
peers=1
while [ $# -gt 0 ]; do
    case "$1" in
        --work) work="$2"; shift 2 ;;
        --size-mb) size_mb="$2"; shift 2 ;;
        --compare-mb) compare_mb="$2"; shift 2 ;;
        --secrets) secrets="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --no-peers) peers=0; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "secrets-throughput.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=secrets-common.sh source-path=SCRIPTDIR
. "$here/secrets-common.sh"
require time python3
use_rampart --secrets
cores="$(nproc)"
# The full rule set: the generic password rules (low confidence) too.
full=(--secrets --low-confidence)
mkdir -p "$work"
[ "$peers" = 1 ] && install_peers

# make_tree NAME MB: generates WORK/NAME once per (size, secrets, seed).
make_tree() {
    local dir="$work/$1" stamp="size=$2 secrets=$secrets seed=1"
    if [ "$(cat "$dir/stamp" 2>/dev/null)" != "$stamp" ]; then
        rm -rf "$dir"
        python3 "$here/gen_secret_tree.py" tree "$dir" --size-mb "$2" --secrets "$secrets" --seed 1 >&2
        echo "$stamp" >"$dir/stamp"
    fi
}

echo "rampart $("$RAMPART" --version | cut -d' ' -f2); $cores cores ($(cpu_model)); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$peers" = 1 ] && echo "detect-secrets $("$venv/bin/detect-secrets" --version), trufflehog3 $("$venv/bin/trufflehog3" --version | awk '{print $NF}')"
echo "MB = 10^6 bytes of file content; wall = best of $runs for rampart, one run for the peers; each tool writes its JSON report"
echo

make_tree "tree-$size_mb" "$size_mb"
big="$work/tree-$size_mb"
warm "$big/tree"
mb="$(tree_mb "$big/tree")"
echo "== rampart only: $mb MB tree ($(find "$big/tree" -type f | wc -l) files, $(wc -l <"$big/planted.jsonl") planted values)"
table_header
measure "rampart -j 1" "$runs" "$work/r1.json" "$RAMPART" scan "$big/tree" --secrets --format json -j 1
row "rampart scan --secrets -j 1" "$mb" "" rampart "$work/r1.json" "$big/planted.jsonl" "$big/tree"
measure "rampart full -j 1" "$runs" "$work/rf1.json" "$RAMPART" scan "$big/tree" "${full[@]}" --format json -j 1
row "rampart scan ${full[*]} -j 1" "$mb" "" rampart "$work/rf1.json" "$big/planted.jsonl" "$big/tree"
base="$last_wall"
per_core="$(awk -v m="$mb" -v s="$last_wall" 'BEGIN {printf "%.0f", m / s}')"
per_cpu="$(awk -v m="$mb" -v s="$last_cpu" 'BEGIN {printf "%.0f", m / s}')"
measure "rampart full -j $cores" "$runs" "$work/rn.json" "$RAMPART" scan "$big/tree" "${full[@]}" --format json -j "$cores"
row "rampart scan ${full[*]} -j $cores" "$mb" "" rampart "$work/rn.json" "$big/planted.jsonl" "$big/tree"
print_notes
echo "full rule set: $per_core MB/s on one core by wall time, $per_cpu MB per CPU second (aim: >= 400); $cores threads are $(awk -v a="$base" -v b="$last_wall" 'BEGIN {printf "%.2fx", a / b}') as fast as one"
summary "$work/rn.json"
mkdir -p "$work/empty"
measure "rampart startup" "$runs" /dev/null "$RAMPART" scan "$work/empty" "${full[@]}" --format json -j 1
echo "  fixed cost of one invocation (empty directory, full rule set): $last_wall s wall, $last_cpu s CPU"

[ "$peers" = 1 ] || exit 0
echo
make_tree "tree-$compare_mb" "$compare_mb"
small="$work/tree-$compare_mb"
warm "$small/tree"
mb="$(tree_mb "$small/tree")"
echo "== side by side: $mb MB tree that all tools scan ($(find "$small/tree" -type f | wc -l) files, $(wc -l <"$small/planted.jsonl") planted values); ratio = peer wall / rampart wall, same thread count"
table_header
measure "rampart full -j $cores" "$runs" "$work/cr.json" "$RAMPART" scan "$small/tree" "${full[@]}" --format json -j "$cores"
row "rampart scan ${full[*]} -j $cores" "$mb" "" rampart "$work/cr.json" "$small/planted.jsonl" "$small/tree"
rampart_wall="$last_wall"
measure "rampart full -j 1" "$runs" "$work/cr1.json" "$RAMPART" scan "$small/tree" "${full[@]}" --format json -j 1
row "rampart scan ${full[*]} -j 1" "$mb" "" rampart "$work/cr1.json" "$small/planted.jsonl" "$small/tree"
# Both peers walk the current directory, so their report paths are relative
# to the tree as rampart's are. detect-secrets: every file, not only git's,
# no network verification, all its plugins (the default). trufflehog3: the
# working tree only, its default rules (patterns and entropy).
pushd "$small/tree" >/dev/null
measure "detect-secrets" 1 "$work/ds.json" "$venv/bin/detect-secrets" -c "$cores" scan --all-files -n .
row "detect-secrets -c $cores scan --all-files -n" "$mb" "$rampart_wall" detect-secrets "$work/ds.json" "$small/planted.jsonl" "$small/tree"
ds_ratio="$(awk -v a="$last_wall" -v b="$rampart_wall" 'BEGIN {printf "%.0f", a / b}')"
measure "trufflehog3" 1 /dev/null "$venv/bin/trufflehog3" --no-history -z -f JSON -p "$cores" -o "$work/th.json" .
popd >/dev/null
row "trufflehog3 --no-history -f JSON -p $cores" "$mb" "$rampart_wall" trufflehog3 "$work/th.json" "$small/planted.jsonl" "$small/tree"
print_notes
echo "rampart is ${ds_ratio}x as fast as detect-secrets on the same tree and cores (aim: >= 50x)"

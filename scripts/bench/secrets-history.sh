#!/usr/bin/env bash
# Secret scanning of a repository's whole git history: `rampart scan --secrets
# --history` on a generated repository (thousands of commits built with
# `git fast-import`, secrets added and removed again before HEAD), in blobs
# per second, side by side with trufflehog3's history scan in the same run.
#
#   scripts/bench/secrets-history.sh [--work DIR] [--commits 5000] [--secrets 200]
#                                    [--runs 3] [--no-peers]
#
# Needs git, python3 (with venv), /usr/bin/time (Debian package `time`),
# network access to PyPI on the first run (unless --no-peers), and a release
# build of rampart (built here; RAMPART=/path/to/rampart to use another one).
# detect-secrets has no history scan and is not part of this comparison.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

work="${TMPDIR:-/tmp}/rampart-bench-secrets"
commits=5000
secrets=200
runs=3
peers=1
while [ $# -gt 0 ]; do
    case "$1" in
        --work) work="$2"; shift 2 ;;
        --commits) commits="$2"; shift 2 ;;
        --secrets) secrets="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --no-peers) peers=0; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "secrets-history.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=secrets-common.sh source-path=SCRIPTDIR
. "$here/secrets-common.sh"
require time git python3
use_rampart --history
cores="$(nproc)"
# The full rule set, as in secrets-throughput.sh.
full=(--secrets --history --low-confidence)
mkdir -p "$work"
[ "$peers" = 1 ] && install_peers

data="$work/history-$commits"
repo="$data/repo"
stamp="commits=$commits secrets=$secrets seed=1"
if [ "$(cat "$data/stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$data"
    mkdir -p "$data"
    python3 "$here/gen_secret_tree.py" history "$data" --commits "$commits" --secrets "$secrets" --seed 1 >&2
    git init -q -b main "$repo"
    git -C "$repo" fast-import --quiet <"$data/history.fi"
    rm "$data/history.fi"
    git -C "$repo" reset -q --hard
    echo "$stamp" >"$data/stamp"
fi
# The object database in the page cache, as for the tree benchmark.
warm "$repo/.git"
n_commits="$(git -C "$repo" rev-list --count HEAD)"
read -r n_blobs blob_mb < <(git -C "$repo" rev-list --objects HEAD | cut -d' ' -f1 \
    | git -C "$repo" cat-file --batch-check='%(objecttype) %(objectsize)' \
    | awk '$1 == "blob" {n++; s += $2} END {printf "%d %.1f\n", n, s / 1e6}')

echo "rampart $("$RAMPART" --version | cut -d' ' -f2); $cores cores ($(cpu_model)); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$peers" = 1 ] && echo "trufflehog3 $("$venv/bin/trufflehog3" --version | awk '{print $NF}')"
echo "repository: $n_commits commits, $n_blobs distinct blobs ($blob_mb MB), $(du -sm "$repo/.git" | cut -f1) MB packed, $(wc -l <"$data/planted-history.jsonl") planted values, every one removed again before HEAD"
echo "wall = best of $runs for rampart, one run for trufflehog3; blobs/s and MB/s count the distinct blobs of the history"
echo
echo "| command | commits | wall s | CPU s | blobs/s | MB/s | peak RSS MiB | ratio | planted found |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
notes=()
hrow() {
    local label="$1" base="$2" format="$3" report="$4" recall ratio="—"
    recall="$(python3 "$here/secrets_recall.py" "$format" "$report" "$data/planted-history.jsonl" --root "$repo")"
    [ -n "$base" ] && ratio="$(awk -v a="$last_wall" -v b="$base" 'BEGIN {printf "%.1fx", a / b}')"
    # shellcheck disable=SC2016 # the backticks are Markdown
    printf '| `%s` | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$n_commits" "$last_wall" "$last_cpu" \
        "$(awk -v n="$n_blobs" -v s="$last_wall" 'BEGIN {printf "%.0f", n / s}')" \
        "$(awk -v m="$blob_mb" -v s="$last_wall" 'BEGIN {printf "%.1f", m / s}')" "$last_rss" "$ratio" \
        "$(sed -E 's/^planted found ([0-9]+\/[0-9]+).*/\1/' <<<"$recall")"
    notes+=("$label: $recall")
}

measure "rampart history -j $cores" "$runs" "$work/hr.json" "$RAMPART" scan "$repo" "${full[@]}" --format json -j "$cores"
hrow "rampart scan ${full[*]} -j $cores" "" rampart "$work/hr.json"
rampart_wall="$last_wall"
measure "rampart history -j 1" "$runs" "$work/hr1.json" "$RAMPART" scan "$repo" "${full[@]}" --format json -j 1
hrow "rampart scan ${full[*]} -j 1" "" rampart "$work/hr1.json"
if [ "$peers" = 1 ]; then
    # History only (--no-current), every commit (its default depth is 10,000),
    # its default rules. trufflehog3 scans each commit's patch, not blobs.
    pushd "$repo" >/dev/null
    measure "trufflehog3 history" 1 /dev/null "$venv/bin/trufflehog3" --no-current --depth $((n_commits + 1)) \
        -z -f JSON -p "$cores" -o "$work/hth.json" .
    popd >/dev/null
    hrow "trufflehog3 --no-current -f JSON -p $cores" "$rampart_wall" trufflehog3 "$work/hth.json"
fi
print_notes
summary "$work/hr.json"

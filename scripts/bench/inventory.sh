#!/usr/bin/env bash
# Blast radius over 1,000,000 component rows (2,000 services × 500
# components) on SQLite and on PostgreSQL: loads the inventory through
# the store's upload path, then times `GET /api/v1/where/…` through the
# real router (token check, handler, store, version-range filter, JSON).
#
#   scripts/bench/inventory.sh [SERVICES] [COMPONENTS] [QUERIES]
#
# PostgreSQL is a throwaway server started from the machine's binaries
# (Debian's `postgresql` package), or RAMPART_BENCH_DATABASE_URL.
# Figures are one run on this machine; compare them within one run.
set -euo pipefail
cd "$(dirname "$0")/../.."

services="${1:-2000}"
components="${2:-500}"
queries="${3:-200}"

cargo build --release --locked -p rampart-server --example blast_radius >/dev/null
bench="${CARGO_TARGET_DIR:-target}/release/examples/blast_radius"

echo "# $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); $(git rev-parse --short HEAD)"
"$bench" --backend sqlite --services "$services" --components "$components" --queries "$queries"
echo
if [ -n "${RAMPART_BENCH_DATABASE_URL:-}" ]; then
  "$bench" --backend postgres --database-url "$RAMPART_BENCH_DATABASE_URL" \
    --services "$services" --components "$components" --queries "$queries"
else
  "$bench" --backend postgres --services "$services" --components "$components" --queries "$queries"
fi

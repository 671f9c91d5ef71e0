#!/usr/bin/env bash
# Load test of `rampart serve` on SQLite: requests/s and latency percentiles
# for reading an incident and for updating a step, measured with wrk
# (Debian package `wrk`) against a release build on loopback.
#
#   scripts/bench/server-load.sh [SECONDS] [CONNECTIONS]
#
# Every read of an incident appends an audit event (DESIGN §5), so both
# scenarios write to the database; the figures include that cost.
set -euo pipefail
cd "$(dirname "$0")/../.."

duration="${1:-15}"
connections="${2:-16}"
threads=2

command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 2; }
cargo build --release --locked -p rampart >/dev/null
rampart="$PWD/target/release/rampart"

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

printf 'load-test-password-123\n' | "$rampart" user create --data-dir "$work" --name bench --role security --password-stdin >/dev/null
token="$("$rampart" token create --data-dir "$work" --user bench --name load 2>/dev/null)"
RUST_LOG=warn "$rampart" serve --data-dir "$work" --listen "127.0.0.1:$port" 2>"$work/server.log" &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done

export RAMPART_URL="http://127.0.0.1:$port" RAMPART_TOKEN="$token"
id="$("$rampart" incident declare --title 'load test' --severity SEV3 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["incident"]["id"])')"

cat >"$work/step.lua" <<LUA
-- Each request sets step 10's notes to a value no other request uses (wrk
-- thread id + counter), so none is refused as a duplicate submission.
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"notes":"load note %d.%d"}', thread_id, counter)
  return wrk.format("PATCH", "/api/v1/incidents/$id/steps/10", {
    ["Authorization"] = "Bearer $token",
    ["Content-Type"] = "application/json",
  }, body)
end
LUA

echo "rampart $("$rampart" --version | cut -d' ' -f2), SQLite, $connections connections, $threads wrk threads, ${duration}s each, $(nproc) cores"
echo
echo "== GET /api/v1/incidents/$id (read + audit append)"
wrk -t"$threads" -c"$connections" -d"${duration}s" --latency \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/incidents/$id" \
    | grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx'
echo
echo "== PATCH /api/v1/incidents/$id/steps/10 (step update + log + audit)"
wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$work/step.lua" \
    "http://127.0.0.1:$port" \
    | grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx'
echo
"$rampart" audit verify --data-dir "$work" | head -1

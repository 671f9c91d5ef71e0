#!/usr/bin/env bash
# Evidence throughput of `rampart serve` (release build, SQLite, the local
# evidence store on this machine's disk): upload a SIZE-MiB file through
# `rampart evidence upload` (streamed; the server hashes while it stages,
# syncs, then stores write-once) and download it with `rampart evidence
# download` (the server re-hashes before serving and again while streaming;
# the client hashes while writing). `sha256sum` and `cp` of the same file
# are printed as the floor the two are measured against, in one run.
#
#   scripts/bench/evidence.sh [SIZE_MIB]
set -euo pipefail
cd "$(dirname "$0")/../.."

size_mib="${1:-1024}"
cargo build --release --locked -p rampart >/dev/null
rampart="$PWD/target/release/rampart"

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

printf 'evidence-bench-password\n' | "$rampart" user create --data-dir "$work/data" --name bench --role security --password-stdin >/dev/null
token="$("$rampart" token create --data-dir "$work/data" --user bench --name bench 2>/dev/null)"
cat >"$work/server.toml" <<TOML
[evidence]
max_upload_bytes = $(( (size_mib + 1) * 1024 * 1024 ))
TOML
RUST_LOG=warn "$rampart" serve --config "$work/server.toml" --data-dir "$work/data" --listen "127.0.0.1:$port" 2>"$work/server.log" &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
export RAMPART_URL="http://127.0.0.1:$port" RAMPART_TOKEN="$token" NO_COLOR=1
id="$("$rampart" incident declare --title 'evidence bench' --severity SEV3 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["incident"]["id"])')"

head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$work/blob.bin"
seconds() { python3 -c 'import sys,time,subprocess; t=time.perf_counter(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(f"{time.perf_counter()-t:.2f}")' "$@"; }
rate() { python3 -c "print(f'{$size_mib / $1:.0f} MiB/s')"; }

t_hash="$(seconds sha256sum "$work/blob.bin")"
t_copy="$(seconds cp "$work/blob.bin" "$work/copy.bin")"; rm -f "$work/copy.bin"
t_up="$(seconds "$rampart" evidence upload "$id" "$work/blob.bin")"
t_down="$(seconds "$rampart" evidence download "$id" 1 --reason bench --out "$work/down.bin")"
cmp -s "$work/blob.bin" "$work/down.bin" || { echo "downloaded bytes differ" >&2; exit 1; }

echo "rampart $("$rampart" --version | cut -d' ' -f2), ${size_mib} MiB of random bytes, $(nproc) cores, one run"
printf '%-44s %8ss  %s\n' "sha256sum (floor: one hashing pass)" "$t_hash" "$(rate "$t_hash")"
printf '%-44s %8ss  %s\n' "cp (floor: one write)" "$t_copy" "$(rate "$t_copy")"
printf '%-44s %8ss  %s\n' "upload (hash + stage + fsync + store)" "$t_up" "$(rate "$t_up")"
printf '%-44s %8ss  %s\n' "download (re-hash, then stream re-hashing)" "$t_down" "$(rate "$t_down")"
python3 -c "print(f'upload / sha256sum: {$t_up / $t_hash:.2f}x   download / sha256sum: {$t_down / $t_hash:.2f}x')"

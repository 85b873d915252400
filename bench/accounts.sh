#!/usr/bin/env bash
# Load figures for sign-in on this machine, against the release binary on loopback:
#   1. sign-ins per second (right password: argon2id verification + a session row);
#   2. /healthz latency idle, and while one client floods wrong passwords.
# Needs wrk (Debian: apt-get install wrk) and a built server (./dev.sh build).
# Every run is bounded: wrk stops after DURATION seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/target}
BIN=${TESSERA_BIN:-$TARGET/release/tessera}
DURATION=${DURATION:-10}
data=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; rm -rf "$data"' EXIT
export DATABASE_URL="sqlite://$data/bench.db" TESSERA_LOG=warn TESSERA_ADMIN_PASSWORD="bench admin password"

"$BIN" migrate >/dev/null 2>&1
printf 'bench password 1\n' | "$BIN" admin user create --login bench --password-stdin >/dev/null
"$BIN" serve --addr 127.0.0.1:0 --site-root "$TARGET/site" >"$data/out" 2>"$data/err" &
server=$!
for _ in $(seq 50); do grep -q listening "$data/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$data/out")

echo "== sign-ins per second (right password, 8 connections, ${DURATION}s)"
wrk -t2 -c8 -d"${DURATION}s" --latency -s bench/sign_in.lua "$url/login" | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'

echo "== /healthz, idle (2 connections, ${DURATION}s)"
wrk -t1 -c2 -d"${DURATION}s" --latency "$url/healthz" | grep -E 'Requests/sec|50%|99%'

echo "== /healthz while one client floods wrong passwords (16 connections)"
wrk -t1 -c16 -d"$((DURATION + 2))s" -s bench/wrong_password.lua "$url/login" >"$data/flood" &
flood=$!
sleep 1
wrk -t1 -c2 -d"${DURATION}s" --latency "$url/healthz" | grep -E 'Requests/sec|50%|99%'
wait "$flood"
echo "-- the flood itself:"
grep -E 'Requests/sec|Latency' "$data/flood"
echo "-- failed attempts counted before the client was locked out:"
sqlite3 "$data/bench.db" "select throttle_key, failures from sign_in_throttle where throttle_key like 'client:%'" 2>/dev/null \
    || echo "(install sqlite3 to see the counter)"

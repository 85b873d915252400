#!/usr/bin/env bash
# Static files and pages at one connection on loopback (wrk -c1, the way one browser tab
# fetches): p50/p99 latency and requests per second for the stylesheet, the JS loader, the
# WASM bundle (brotli) and the landing page. Needs a built server and bundle (./dev.sh build);
# installs wrk from Debian's packages if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/target}
BIN=${TESSERA_BIN:-$TARGET/release/tessera}
DURATION=${DURATION:-5}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null || sudo apt-get install -y -qq wrk >/dev/null; }

data=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT

export DATABASE_URL="sqlite://$data/bench.db" TESSERA_LOG=warn TESSERA_ADMIN_PASSWORD="bench admin password"
"$BIN" serve --addr 127.0.0.1:0 --site-root "$TARGET/site" >"$data/out" 2>"$data/err" &
server=$!
for _ in $(seq 50); do grep -q listening "$data/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$data/out")

for path in /pkg/tessera.css /pkg/frontend.js /pkg/frontend_bg.wasm /; do
    echo "== GET $path (1 connection, ${DURATION}s, Accept-Encoding: br)"
    wrk -t1 -c1 -d"${DURATION}s" --latency -H 'Accept-Encoding: br' "$base$path" \
        | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'
done

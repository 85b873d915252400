#!/usr/bin/env bash
# The dashboard's weight and speed, against the release build: the WASM bundle's size (raw,
# gzip, brotli), and in headless Chromium the time from navigation to Settings → Access Tokens
# with 100 tokens (its first page of 50) painted (server-rendered) and interactive (hydrated,
# and a click selects a row), by the browser's clock and by Playwright's (bench/dashboard.js says
# why both). Median of 8 runs after a first, cold one.
# Needs a built server (./dev.sh build) and the end2end packages (./dev.sh test installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/target}
BIN=${TESSERA_BIN:-$TARGET/release/tessera}
PKG=$TARGET/site/pkg

echo "== WASM bundle (bytes): raw, gzip, brotli"
for file in frontend_bg.wasm frontend.js; do
    printf '%-18s %9d %9d %9d\n' "$file" "$(stat -c %s "$PKG/$file")" \
        "$(stat -c %s "$PKG/$file.gz")" "$(stat -c %s "$PKG/$file.br")"
done

data=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
export DATABASE_URL="sqlite://$data/bench.db" TESSERA_LOG=warn TESSERA_ADMIN_PASSWORD="bench admin password"
"$BIN" migrate >/dev/null 2>&1
echo "bench user password" | "$BIN" admin user create --login bench --password-stdin >/dev/null
for i in $(seq 100); do
    "$BIN" admin user token -u bench --api marketplace -e 30d --description "Token number $i" -q >/dev/null
done
"$BIN" serve --addr 127.0.0.1:0 --site-root "$TARGET/site" >"$data/out" 2>"$data/err" &
server=$!
for _ in $(seq 50); do grep -q listening "$data/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$data/out")

echo "== Access Tokens with 100 tokens, 50 a page (ms from navigation)"
BASE=$base node bench/dashboard.js bench "bench user password"

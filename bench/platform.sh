#!/usr/bin/env bash
# Load figures for the platform API on loopback, against the release binary: requests per
# second and p50/p99 latency, in alternating rounds, of an authenticated read
# (marketplace.app.GetList with a token in the session parameter) vs the unauthenticated
# route doing the same read (/api/v1/marketplace/apps), and of a reverse proxy's check of that
# call at /auth/verify (forward-auth: the check alone, no read), on SQLite and on PostgreSQL.
# Then a revoked token is refused on its very next use.
# Needs a built server (./dev.sh build); installs wrk from Debian's packages if missing.
# SERVE_ARGS passes more flags to tessera serve (SERVE_ARGS="--metrics-addr 127.0.0.1:0"
# measures with metrics recorded).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/target}
BIN=${TESSERA_BIN:-$TARGET/release/tessera}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-8}
POSTGRES_ADMIN_URL=${TESSERA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null || sudo apt-get install -y -qq wrk >/dev/null; }

data=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT

run() {
    local engine=$1 url=$2
    export DATABASE_URL=$url TESSERA_LOG=warn TESSERA_ADMIN_PASSWORD="bench admin password"
    "$BIN" migrate >/dev/null 2>&1
    "$BIN" admin user create --login bench >/dev/null
    local token
    token=$("$BIN" admin user token -u bench --api marketplace -q)
    # shellcheck disable=SC2086 # SERVE_ARGS is a list of flags
    "$BIN" serve --addr 127.0.0.1:0 --site-root "$TARGET/site" ${SERVE_ARGS:-} >"$data/out" 2>"$data/err" &
    server=$!
    for _ in $(seq 50); do grep -q listening "$data/out" 2>/dev/null && break; sleep 0.1; done
    local base
    base=$(sed -n 's/^listening on //p' "$data/out")
    curl -sf "$base/api/v1/marketplace/apps" >/dev/null
    curl -sf "$base/1.0/marketplace/app/rest/getlist?session=$token" >/dev/null

    # Alternating rounds: whichever runs first on a cold server would otherwise look slower.
    local round
    for round in $(seq "$ROUNDS"); do
        echo "== $engine, round $round: unauthenticated /api/v1/marketplace/apps ($CONNECTIONS connections, ${DURATION}s)"
        wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$base/api/v1/marketplace/apps" \
            | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'
        echo "== $engine, round $round: authenticated marketplace.app.GetList?session=TOKEN"
        wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
            "$base/1.0/marketplace/app/rest/getlist?session=$token" | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'
        echo "== $engine, round $round: /auth/verify of that call (a proxy's check, Bearer)"
        wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "X-Original-Method: GET" \
            -H "X-Original-URI: /1.0/marketplace/app/rest/getlist" -H "Authorization: Bearer $token" \
            "$base/auth/verify" | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'
    done

    echo "== $engine: revoke, then the very next use"
    curl -s -X DELETE -H "Authorization: Bearer $token" "$base/api/v1/tokens/self" -o /dev/null -w 'revoke: %{http_code}\n'
    curl -s "$base/1.0/marketplace/app/rest/getlist?session=$token" -w '  (HTTP %{http_code})\n'
    kill "$server"; wait "$server" 2>/dev/null || true; server=
}

run SQLite "sqlite://$data/bench.db"
if psql "$POSTGRES_ADMIN_URL" -qc 'drop database if exists tessera_bench' -c 'create database tessera_bench' 2>/dev/null; then
    run PostgreSQL "${POSTGRES_ADMIN_URL%/*}/tessera_bench"
    psql "$POSTGRES_ADMIN_URL" -qc 'drop database if exists tessera_bench with (force)'
else
    echo "PostgreSQL skipped: nothing answers at $POSTGRES_ADMIN_URL"
fi

#!/usr/bin/env bash
# The dashboard and the API with a lot of data, against the release binary on loopback:
# PEOPLE people, one of whom ("heavy") holds HEAVY_TOKENS tokens, and TOKENS tokens in all.
# Prints p50/p99 (wrk, one connection, DURATION s each) of the pages that list them: Access
# Tokens (first and last page), the landing page, the REST list, and the admin's People list
# (first page, last page, a search) and person page. On SQLite, then PostgreSQL when one
# answers. The token check's cost with 1,000 vs 1,000,000 tokens stored is
# `cargo bench -p server --bench token_check`.
# Needs a built server (./dev.sh build); installs wrk from Debian's packages if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/target}
BIN=${TESSERA_BIN:-$TARGET/release/tessera}
PEOPLE=${PEOPLE:-100000}
TOKENS=${TOKENS:-1000000}
HEAVY_TOKENS=${HEAVY_TOKENS:-10000}
DURATION=${DURATION:-3}
POSTGRES_ADMIN_URL=${TESSERA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null || sudo apt-get install -y -qq wrk >/dev/null; }

data=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
now=$(date +%s)
filler=$((TOKENS - HEAVY_TOKENS))

# Seeded rows are as the server writes them, with digests no real value has; the seeded
# people cannot sign in (their password hash is not a hash).
seed_sql() {
    local series=$1 hex=$2
    cat <<SQL
insert into users (login, login_key, display_name, email, password_hash, role, created_at, updated_at)
  select 'person' || i, 'person' || i, 'Person ' || i, 'person' || i || '@example.test', 'x', 'user', $now - i, $now - i
  from $(printf "$series" "$PEOPLE");
insert into access_tokens (user_id, token_digest, hint, description, api_set, methods, scopes,
    expiration, expires_at, created_at, created_by_login, updated_at, last_used_at)
  select (select user_id from users where login_key = 'person' || (1 + i % $PEOPLE)),
    $(printf "$hex" i), 'SEED', 'Seeded token ' || i, 'marketplace', '', '', 'hard_limit',
    $now + 7776000 + i, $now - i, 'seed', $now - i, $now - i % 86400
  from $(printf "$series" "$filler");
insert into access_tokens (user_id, token_digest, hint, description, api_set, methods, scopes,
    expiration, expires_at, created_at, created_by_login, updated_at, last_used_at)
  select (select user_id from users where login_key = 'heavy'),
    $(printf "$hex" "($filler + i)"), 'SEED', 'Build agent ' || i, 'marketplace', '', '', 'hard_limit',
    $now + 7776000 + i, $now - i, 'seed', $now - i, $now - i % 86400
  from $(printf "$series" "$HEAVY_TOKENS");
SQL
}

measure() {
    local label=$1; shift
    printf '   %-44s' "$label"
    wrk -t1 -c1 -d"${DURATION}s" --latency "$@" \
        | awk '/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /Non-2xx/ { bad = $0 } /Requests\/sec/ { rps = $2 }
               END { printf "p50 %8s  p99 %8s  %7s req/s %s\n", p50, p99, rps, bad }'
}

cookie_of() {
    curl -s -o /dev/null -D - --data-urlencode "login=$1" --data-urlencode "password=$2" "$base/login" \
        | sed -n 's/^set-cookie: \([^;]*\).*/\1/Ip' | head -1
}

run() {
    local engine=$1 url=$2 seed=$3
    export DATABASE_URL=$url TESSERA_LOG=warn TESSERA_ADMIN_PASSWORD="scale admin password"
    "$BIN" migrate >/dev/null
    printf 'scale password 1\n' | "$BIN" admin user create --login heavy --password-stdin >/dev/null
    printf 'scale password 2\n' | "$BIN" admin user create --login boss --admin --password-stdin >/dev/null
    local started=$SECONDS
    $seed
    echo "== $engine: $PEOPLE people, $TOKENS tokens, $HEAVY_TOKENS of them heavy's (seeded in $((SECONDS - started)) s)"
    "$BIN" serve --addr 127.0.0.1:0 --site-root "$TARGET/site" >"$data/out" 2>"$data/err" &
    server=$!
    for _ in $(seq 100); do grep -q listening "$data/out" 2>/dev/null && break; sleep 0.1; done
    base=$(sed -n 's/^listening on //p' "$data/out")
    local heavy boss last_tokens last_people
    heavy=$(cookie_of heavy 'scale password 1')
    boss=$(cookie_of boss 'scale password 2')
    last_tokens=$(( (HEAVY_TOKENS + 49) / 50 ))
    last_people=$(( (PEOPLE + 2 + 24) / 25 ))
    measure "Access Tokens, page 1" -H "Cookie: $heavy" "$base/settings/tokens"
    measure "Access Tokens, page $last_tokens (last)" -H "Cookie: $heavy" "$base/settings/tokens?page=$last_tokens"
    measure "landing page (the overview)" -H "Cookie: $heavy" "$base/"
    measure "GET /api/v1/tokens (first 100)" -H "Cookie: $heavy" "$base/api/v1/tokens"
    measure "People, page 1" -H "Cookie: $boss" "$base/admin/people"
    measure "People, page $last_people (last)" -H "Cookie: $boss" "$base/admin/people?page=$last_people"
    measure "People, search \"son9999\"" -H "Cookie: $boss" "$base/admin/people?q=son9999"
    measure "heavy's person page, page 1" -H "Cookie: $boss" "$base/admin/people/heavy"
    kill "$server"; wait "$server" 2>/dev/null || true; server=
}

seed_sqlite() {
    seed_sql "(with recursive n(i) as (select 1 union all select i + 1 from n where i < %s) select i from n)" \
        "printf('%%064x', %s)" >"$data/seed.sql"
    python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.executescript(open(sys.argv[2]).read()); db.commit()' \
        "$data/scale.db" "$data/seed.sql"
}

seed_postgres() {
    seed_sql "generate_series(1, %s) as i" "lpad(to_hex(%s), 64, '0')" >"$data/seed.sql"
    psql -q "$DATABASE_URL" -f "$data/seed.sql" -c 'analyze'
}

run SQLite "sqlite://$data/scale.db" seed_sqlite
if psql "$POSTGRES_ADMIN_URL" -qc 'drop database if exists tessera_scale' -c 'create database tessera_scale' 2>/dev/null; then
    run PostgreSQL "${POSTGRES_ADMIN_URL%/*}/tessera_scale" seed_postgres
    psql "$POSTGRES_ADMIN_URL" -qc 'drop database if exists tessera_scale with (force)'
else
    echo "PostgreSQL skipped: nothing answers at $POSTGRES_ADMIN_URL"
fi

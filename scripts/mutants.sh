#!/usr/bin/env bash
# How strong are the tests of the pure token rules? Runs cargo-mutants on the `domain` crate's
# token and catalog modules: each mutant (a function body replaced, an operator flipped) must
# make some unit test fail. Prints caught / missed / timed out / unviable and the share caught;
# the survivors are listed in <target>/mutants/mutants.out/missed.txt.
#
# Not part of CI: a full run builds and tests every mutant (about 12 minutes on 2 cores).
# `scripts/mutants.sh --list` only counts them; other arguments go to `cargo mutants`, such as
# `--shard 0/4` for every fourth mutant (a quarter of the time).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh
MUTANTS_VERSION=27.1.0
TARGET=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/target}
OUT=$TARGET/mutants
if ! cargo mutants --version 2>/dev/null | grep -qF "$MUTANTS_VERSION"; then
    log "installing cargo-mutants $MUTANTS_VERSION (first time only; a few minutes)"
    cargo install -q cargo-mutants --version "=$MUTANTS_VERSION" --locked
fi

scope=(--package domain --file 'app/domain/src/token/**' --file 'app/domain/src/catalog/**')
if [ "${1:-}" = "--list" ]; then
    cargo mutants "${scope[@]}" --list | wc -l
    exit 0
fi

mkdir -p "$OUT"
# A target directory of its own: a build elsewhere in the shared one (./dev.sh, an editor)
# would overwrite the mutated test binary and turn caught mutants into "missed" ones.
export CARGO_TARGET_DIR="$OUT/target"
# cargo-mutants exits non-zero when a mutant survives: that is the figure, not a failure.
cargo mutants "${scope[@]}" --output "$OUT" --timeout 300 "$@" || true
results=$OUT/mutants.out
count() {
    if [ -f "$results/$1.txt" ]; then grep -c . "$results/$1.txt" || true; else echo 0; fi
}
caught=$(count caught) missed=$(count missed) timeout=$(count timeout) unviable=$(count unviable)
tested=$((caught + missed + timeout))
echo "caught $caught, missed $missed, timed out $timeout, unviable $unviable"
if [ "$tested" -gt 0 ]; then
    echo "share caught: $(( (caught + timeout) * 1000 / tested / 10 )).$(( (caught + timeout) * 1000 / tested % 10 ))% (a timeout counts as caught)"
fi
[ "$missed" -eq 0 ] || echo "survivors: $results/missed.txt"

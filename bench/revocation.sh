#!/usr/bin/env bash
# How soon do other replicas refuse a removed token? Three `tessera serve` processes on one
# PostgreSQL database; each of 100 tokens is used twice on every replica (so each keeps it in
# memory), removed through the first, then polled on the other two until refused. Prints the
# median and worst delay. The same test runs 5 removals in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export TESSERA_TEST_POSTGRES_URL=${TESSERA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
TESSERA_REVOCATIONS=${REVOCATIONS:-100} cargo test --release --locked -p server --test api -- \
    --exact startup::a_token_removed_on_one_replica_is_refused_by_the_others_within_a_second \
    --nocapture 2>&1 | grep -E "removals on one of|test result|panicked" 

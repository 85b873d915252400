#!/usr/bin/env bash
# The short version of every robustness script, as ./dev.sh test runs it (seconds each, so
# that a regression fails the build); the long runs, with the figures the README reports,
# are the scripts' defaults. Needs the release binary and site (./dev.sh build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

step "fuzzing: 5,000 executions per target"
../fuzz.sh 5000
step "crash safety: SIGKILL cycles"
python3 crash.py --cycles 6
python3 crash.py --cycles 2 --engine postgres
step "contention: 50 writers and 10 readers for 10 s on SQLite"
python3 contention.py --seconds 10
step "SIGTERM under load"
python3 shutdown.py --rounds 1
python3 shutdown.py --rounds 1 --engine postgres
step "timing of refusals"
python3 timing.py --calls 2000 --sign-ins 40
step "schema-driven API tests (schemathesis)"
# A fixed seed keeps the build reproducible; the release run (the script's default) draws
# a new one each time and prints it.
python3 schema.py --max-examples 5 --seed "${SCHEMA_SEED:-20261206}"

#!/usr/bin/env bash
# Run the Python SDK compatibility suites (msgraph-beta-sdk on /beta, msgraph-sdk on /v1.0)
# against a built lcw binary.
#
#   compat/python/run.sh [pytest args...]
#
# Builds nothing: expects $LCW_BIN or target/debug/lcw (relative to the repo root).
# Set LCW_TEST_DATABASE_URL=postgres://... to run against PostgreSQL instead of SQLite.
# Creates the git-ignored .venv at the repo root when missing and installs requirements.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv"

bin="${LCW_BIN:-target/debug/lcw}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
if [ ! -x "$bin" ]; then
    echo "compat/python: lcw binary not found at $bin (run 'cargo build -p lcw' or set LCW_BIN)" >&2
    exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

# The Node leg of test_identity.py (@azure/identity), when Node is installed.
if command -v npm >/dev/null 2>&1; then
    (cd "$root/compat/node" && npm ci --no-audit --no-fund --loglevel=error)
fi

cd "$root"
status=0
"$venv/bin/python" -m pytest "$here" -q -p no:cacheprovider "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "compat/python: pytest collected no tests" >&2
    exit 1
fi
exit "$status"

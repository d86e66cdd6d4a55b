#!/usr/bin/env bash
# Run `lcw serve` under callgrind, everything else natively: instruction counts, unlike
# seconds, barely depend on how fast this host happens to be. As the BIN of a benchmark:
#
#   REAL=target/release/lcw BIN=bench/callgrind-serve.sh START_WAIT=600 USERS=10000 \
#     NO_BUILD=1 bench/engine.sh
#   callgrind_annotate --inclusive=yes /tmp/callgrind.lcw.<pid>
#
# Totals still vary by a few percent between runs (thread interleaving changes how work
# batches), so compare the functions a change touches rather than the total.
set -euo pipefail
REAL=${REAL:?the lcw binary to profile}
if [ "${1:-}" = serve ]; then
  exec valgrind --tool=callgrind --callgrind-out-file="${CALLGRIND_OUT:-/tmp/callgrind.lcw.%p}" "$REAL" "$@"
fi
exec "$REAL" "$@"

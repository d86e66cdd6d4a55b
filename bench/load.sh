#!/usr/bin/env bash
# Load benchmark for the definition API (not a test; CI does not run it).
#
#   bench/load.sh [DATABASE_URL]
#
# Starts a release `lcw serve` pinned to CPU 0, creates 50 workflows in a fresh tenant, and
# drives wrk pinned to CPU 1 against GET /workflows, GET /workflows/{id} and
# PATCH /workflows/{id}. Each scenario runs RUNS times; the medians of requests/s, p50 and
# p99 are printed. Needs: wrk (apt-get install wrk), taskset, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${1:-}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18181}
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
[ -n "$DB" ] || DB="sqlite://$WORK/bench.db"

command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p lcw
BIN=${BIN:-target/release/lcw}

TENANT=$(python3 -c 'import uuid; print(uuid.uuid4())')
# Without the per-request log lines (LCW_LOG=warn), as the figures before them were taken.
LCW_LOG=${LCW_LOG:-warn} taskset -c 0 "$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q "serving" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
TOKEN=$("$BIN" token --database "$DB" --tenant "$TENANT")
BASE="http://127.0.0.1:$PORT/beta/identityGovernance/lifecycleWorkflows"

for i in $(seq 50); do
  curl -sf -o "$WORK/wf.json" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$BASE/workflows" -d @- <<JSON
{"category":"leaver","displayName":"Offboard $i","description":"bench","isEnabled":true,
 "executionConditions":{"@odata.type":"#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
  "scope":{"@odata.type":"#microsoft.graph.identityGovernance.ruleBasedSubjectSet","rule":"department eq 'Sales'"},
  "trigger":{"@odata.type":"#microsoft.graph.identityGovernance.timeBasedAttributeTrigger","timeBasedAttribute":"employeeLeaveDateTime","offsetInDays":0}},
 "tasks":[{"displayName":"Disable","taskDefinitionId":"1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950","arguments":[]},
          {"displayName":"Revoke","taskDefinitionId":"509589a4-0466-4471-829e-49c5e502bdee","arguments":[]}]}
JSON
done
WF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/wf.json")

cat > "$WORK/patch.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("PATCH", nil, nil, '{"description":"bench ' .. n .. '"}')
end
LUA

run() { # name url [extra wrk args]
  local name=$1 url=$2; shift 2
  for r in $(seq "$RUNS"); do
    taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency \
      -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$@" "$url" > "$WORK/$name.$r"
  done
  python3 - "$name" "$WORK" "$RUNS" <<'PY'
import re, statistics, sys
name, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def ms(v):
    n, unit = float(re.match(r"[\d.]+", v).group()), re.sub(r"[\d.]", "", v)
    return n * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps, p50, p99 = [], [], []
for r in range(1, runs + 1):
    t = open(f"{work}/{name}.{r}").read()
    rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)))
    # Anchored: a "+/- Stdev" figure such as 78.50% must not pass for the 50th percentile.
    p50.append(ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)))
    p99.append(ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1)))
    if "Non-2xx" in t:
        print(f"{name}: run {r} had non-2xx responses", file=sys.stderr)
print(f"{name:24} median of {runs}: {statistics.median(rps):10.0f} req/s  p50 {statistics.median(p50):7.3f} ms  p99 {statistics.median(p99):7.3f} ms")
PY
}

echo "database: ${DB%%://*}, $CONNECTIONS connections, $DURATION x $RUNS runs, server on CPU 0, wrk on CPU 1"
run list_workflows "$BASE/workflows"
run get_workflow "$BASE/workflows/$WF"
run patch_workflow "$BASE/workflows/$WF" -s "$WORK/patch.lua"

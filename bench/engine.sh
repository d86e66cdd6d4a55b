#!/usr/bin/env bash
# Engine benchmark (not a test; CI does not run it): one scheduled pass over N in-scope users
# (default 100,000) with 3 directory tasks: a leaver workflow on the last day that disables the
# account, adds the user to an "Offboarded" group and revokes sessions.
#
#   bench/engine.sh [DATABASE_URL]        # default: a fresh SQLite file
#   USERS=10000 SERVE_ARGS=--no-engine bench/engine.sh   # fewer users; extra `lcw serve` flags
#   KEEP_LOG=/tmp/serve.log bench/engine.sh              # keep the server's log
#   START_WAIT=600 ...    # tenths of a second to wait for the server (slow under valgrind;
#                         # see callgrind-serve.sh)
#
# Imports the users with `lcw import`, starts `lcw serve --clock manual`, creates the
# workflow, then times POST /lcw/admin/scheduler/run (scheduler pass + processing of every
# queued job). Prints users/s and the server's peak RSS (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${1:-}
USERS=${USERS:-100000}
PORT=${PORT:-18282}
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; [ -n "${KEEP_LOG:-}" ] && cp "$WORK/serve.log" "$KEEP_LOG"; rm -rf "$WORK"' EXIT
[ -n "$DB" ] || DB="sqlite://$WORK/engine.db"
[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p lcw
BIN=${BIN:-target/release/lcw}
TENANT=$(python3 -c 'import uuid; print(uuid.uuid4())')

python3 - "$WORK/users.csv" "$USERS" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("displayName,userPrincipalName,department,employeeLeaveDateTime,accountEnabled\n")
    for i in range(n):
        f.write(f"User {i},user{i}@bench.test,Sales,2026-03-03T00:00:00Z,true\n")
PY
start=$(date +%s.%N)
"$BIN" import --database "$DB" --tenant "$TENANT" "$WORK/users.csv" > /dev/null
echo "import of $USERS users: $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"

"$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" --clock manual --clock-start 2026-03-03T10:00:00Z ${SERVE_ARGS:-} > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq ${START_WAIT:-100}); do grep -q "serving" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
TOKEN=$("$BIN" token --database "$DB" --tenant "$TENANT")
BASE="http://127.0.0.1:$PORT/beta"
H=(-H "Authorization: Bearer $TOKEN" -H 'content-type: application/json')

GROUP=$(curl -sf "${H[@]}" "$BASE/groups" -d '{"displayName":"Offboarded","mailNickname":"offboarded"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf -o /dev/null "${H[@]}" "$BASE/identityGovernance/lifecycleWorkflows/workflows" -d @- <<JSON
{"category":"leaver","displayName":"Last day","isEnabled":true,"isSchedulingEnabled":true,
 "executionConditions":{"@odata.type":"#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
  "scope":{"@odata.type":"#microsoft.graph.identityGovernance.ruleBasedSubjectSet","rule":"department eq 'Sales'"},
  "trigger":{"@odata.type":"#microsoft.graph.identityGovernance.timeBasedAttributeTrigger","timeBasedAttribute":"employeeLeaveDateTime","offsetInDays":0}},
 "tasks":[{"displayName":"Disable","taskDefinitionId":"1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950","arguments":[]},
          {"displayName":"Add to group","taskDefinitionId":"22085229-5809-45e8-97fd-270d28d66910","arguments":[{"name":"groupID","value":"$GROUP"}]},
          {"displayName":"Revoke","taskDefinitionId":"509589a4-0466-4471-829e-49c5e502bdee","arguments":[]}]}
JSON

cpu() { awk '{print $14 + $15}' /proc/$SERVER/stat; }
written() { awk '/^wchar/ {print $2}' /proc/$SERVER/io; }
CPU0=$(cpu)
WRITTEN0=$(written)
start=$(date +%s.%N)
REPORT=$(curl -sf --max-time 3600 "${H[@]}" -X POST "$BASE/../lcw/admin/scheduler/run" -d '{}')
end=$(date +%s.%N)
CPU=$(( $(cpu) - CPU0 ))
WRITTEN=$(( $(written) - WRITTEN0 ))
RSS=$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')
# CPU seconds of the busiest threads: on SQLite the first is the writer connection's
# worker, whose transactions are the engine's critical path.
THREADS=$(for t in /proc/$SERVER/task/*; do echo "$(tr ' ' _ < "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done \
  | sort -k2 -nr | head -4 | awk -v hz="$(getconf CLK_TCK)" '{printf "%s%s %.1f s", (NR > 1 ? ", " : ""), $1, $2 / hz}')
python3 - "$REPORT" "$start" "$end" "$RSS" "$USERS" "${DB%%://*}" "$CPU" "$(getconf CLK_TCK)" "$WRITTEN" "$THREADS" <<'PY'
import json, sys
report, start, end, rss_kb, users, db = json.loads(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
cpu_secs = int(sys.argv[7]) / int(sys.argv[8])
written_mb = int(sys.argv[9]) / 1e6
secs = end - start
print(f"{db}: {report['usersQueued']} users queued in {report['runsCreated']} run(s); pass + processing {secs:.1f} s = {report['usersQueued'] / secs:,.0f} users/s; peak RSS {rss_kb / 1024:.0f} MB")
print(f"  server CPU time {cpu_secs:.1f} s (user + system; {users / cpu_secs:,.0f} users per CPU-second)")
if db == "sqlite":  # PostgreSQL writes in its own processes
    print(f"  written by the server: {written_mb:,.0f} MB ({int(sys.argv[9]) / users / 1024:.1f} KiB per user)")
print(f"  scheduler pass (runs created) {report['passMilliseconds'] / 1000:.1f} s, processing {report['processingMilliseconds'] / 1000:.1f} s")
print(f"  busiest threads (CPU): {sys.argv[10]}")
if report["usersQueued"] != users:
    sys.exit(f"expected {users} users")
PY

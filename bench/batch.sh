#!/usr/bin/env bash
# JSON batching benchmark (not a test; CI does not run it).
#
#   bench/batch.sh [DATABASE_URL]
#
# Starts a release `lcw serve` pinned to CPU 0, creates 20 workflows in a fresh tenant, then
# alternates, ROUNDS times on one kept-alive connection, one GET /workflows/{id} and one
# POST /$batch of 20 independent GETs (one per workflow). Prints the median latency of each
# and their ratio: what a batch costs against the single call it replaces twenty of (the
# target is at most 10x). Needs: taskset, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${1:-}
ROUNDS=${ROUNDS:-300}
PORT=${PORT:-18182}
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
[ -n "$DB" ] || DB="sqlite://$WORK/bench.db"

[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p lcw
BIN=${BIN:-target/release/lcw}

TENANT=$(python3 -c 'import uuid; print(uuid.uuid4())')
taskset -c 0 "$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q "serving" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
TOKEN=$("$BIN" token --database "$DB" --tenant "$TENANT")

taskset -c 1 python3 - "$PORT" "$TOKEN" "$ROUNDS" "${DB%%://*}" <<'PY'
import http.client, json, statistics, sys, time

port, token, rounds, backend = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
lw = "/identityGovernance/lifecycleWorkflows"
conn = http.client.HTTPConnection("127.0.0.1", port)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

def call(method, path, body=None):
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None

ids = []
for i in range(20):
    wf = call("POST", f"/beta{lw}/workflows", {
        "category": "leaver", "displayName": f"Offboard {i}", "isEnabled": True,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet",
                      "rule": "department eq 'Sales'"},
            "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger",
                        "timeBasedAttribute": "employeeLeaveDateTime", "offsetInDays": 0}},
        "tasks": [{"displayName": "Disable", "taskDefinitionId": "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
                   "arguments": []}]})
    ids.append(wf["id"])
batch = {"requests": [{"id": str(n), "method": "GET", "url": f"{lw}/workflows/{wid}"}
                      for n, wid in enumerate(ids)]}

single_ms, batch_ms = [], []
for r in range(rounds + 10):
    t0 = time.perf_counter()
    call("GET", f"/beta{lw}/workflows/{ids[r % 20]}")
    t1 = time.perf_counter()
    out = call("POST", "/beta/$batch", batch)
    t2 = time.perf_counter()
    if any(p["status"] != 200 for p in out["responses"]):
        sys.exit(f"a batch part failed: {out}")
    if r >= 10:  # the first rounds warm caches and the connection
        single_ms.append((t1 - t0) * 1000)
        batch_ms.append((t2 - t1) * 1000)

one, twenty = statistics.median(single_ms), statistics.median(batch_ms)
print(f"database: {backend}, {rounds} rounds, server on CPU 0, client on CPU 1")
print(f"one GET                  median {one:8.3f} ms")
print(f"$batch of 20 GETs        median {twenty:8.3f} ms")
print(f"ratio                    {twenty / one:8.2f}x (target <= 10x; 20 single calls would be 20x)")
PY

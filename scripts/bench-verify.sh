#!/usr/bin/env bash
# `POST /v1/verify` under load from another process (issue 16, R474).
#
#   scripts/bench-verify.sh [--seconds N] [--keep]
#
# Builds `ebl-node` in release with the `dev` feature, starts a development network in a
# scratch folder (gateway on 127.0.0.1:18090, the per-key rate limit lifted through
# EBL_NODE__API__RATE_LIMIT__*), issues the testkit's DCSA TransportDocument through the
# carrier's custodial key, checks that verifying it answers VERIFIED, then loads the route with
# `wrk` (Debian package `wrk`), which runs in its own process:
#   - closed loop, 1 thread, 4/8/16/32 connections: the route's capacity and its latency there;
#   - paced, 30 connections that each wait 2 ms after every answer (≈ 10,000 requests/s):
#     the latency at the target rate.
# Each run prints one JSON line (requests, seconds, non-2xx, p50/p90/p99/max ms). --keep leaves
# the node running and prints its folder.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--seconds N] [--keep]" >&2; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p ebl-node --features dev --bin ebl-node
target="${CARGO_TARGET_DIR:-target}"
node="$target/release/ebl-node"
work="$(mktemp -d)"
api=127.0.0.1:18090
url="http://$api"

EBL_NODE__API__RATE_LIMIT__BURST=1000000 EBL_NODE__API__RATE_LIMIT__PER_SECOND=1000000 \
  "$node" dev --data "$work/data" --api "$api" >"$work/node.log" 2>&1 &
pid=$!
stop() { if [ "$keep" = 0 ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; fi; }
trap stop EXIT
for _ in $(seq 1 60); do
  curl -sf "$url/health" >/dev/null 2>&1 && break
  sleep 1
done

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
request = json.load(open("ledger/src/testkit/dcsa-issuance-request.json"))
json.dump(request["document"], open(f"{work}/td.json", "w"))
json.dump({"transportDocument": request["document"], "issue_to": "SHIPPER"},
          open(f"{work}/issue.json", "w"))
PY
carrier="$(cat "$work/data/org_api_keys/CARRIER")"
admin="$(cat "$work/data/api_key")"
curl -sf -X POST -H "Authorization: Bearer $carrier" -H 'content-type: application/json' \
  -d @"$work/issue.json" "$url/v1/custodial/ebls?wait=final" >/dev/null
outcome="$(curl -sf -X POST -H "Authorization: Bearer $admin" -H 'content-type: application/json' \
  -d @"$work/td.json" "$url/v1/verify" | python3 -c 'import json,sys; print(json.load(sys.stdin)["outcome"])')"
[ "$outcome" = VERIFIED ] || { echo "the issued document verifies as $outcome" >&2; exit 1; }

script() { # $1: extra Lua
  cat <<EOF
local f = io.open("$work/td.json", "rb")
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $admin"
$1
done = function(summary, latency, requests)
  io.write(string.format('{"requests":%d,"secs":%.3f,"non2xx":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
EOF
}
script "" >"$work/closed.lua"
script "delay = function() return 2 end" >"$work/paced.lua"
for c in 4 8 16 32; do
  printf '{"mode":"closed","connections":%d,"result":' "$c"
  wrk -t1 -c"$c" -d"${seconds}s" -s "$work/closed.lua" "$url/v1/verify" | tail -1 | tr -d '\n'
  echo '}'
done
printf '{"mode":"paced-2ms","connections":30,"result":'
wrk -t1 -c30 -d"${seconds}s" -s "$work/paced.lua" "$url/v1/verify" | tail -1 | tr -d '\n'
echo '}'
[ "$keep" = 1 ] && echo "node left running (pid $pid), data in $work/data" >&2
exit 0

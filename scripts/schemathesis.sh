#!/usr/bin/env bash
# Checks the live gateway against specs/openapi.yaml with schemathesis (every check, the
# examples, coverage, fuzzing and stateful phases), as an admin: starts `ebl-node dev` on a
# free loopback port with a fresh data folder, runs a bounded, seeded budget, stops the node.
# Usage: scripts/schemathesis.sh [MAX_EXAMPLES] [SEED]   (CI: the defaults, a few minutes)
# Needs the dev node built: cargo build -p ebl-node --bin ebl-node --features dev
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_EXAMPLES="${1:-5}"
SEED="${2:-20261205}"
VERSION=4.32.5
# Pinned too: schemathesis accepts a range, and a new release would change what a seed draws.
HYPOTHESIS=6.170.27
# A virtualenv of its own: Debian's system Python refuses `pip install` (PEP 668).
VENV="${SCHEMATHESIS_VENV:-$HOME/.cache/ebl-schemathesis-$VERSION}"
if [[ ! -x "$VENV/bin/schemathesis" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" \
        "hypothesis==$HYPOTHESIS"
fi
ST="$VENV/bin/schemathesis"
TARGET="${CARGO_TARGET_DIR:-target}"
NODE="$TARGET/debug/ebl-node"
[[ -x "$NODE" ]] || { echo "build the dev node first: cargo build -p ebl-node --bin ebl-node --features dev" >&2; exit 2; }
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# The admin key's bucket (burst 50, 20/s by default) would turn most of the run into a test of
# the rate limiter; this node gets a bucket large enough for the whole run (the limiter has
# its own tests: gateway/tests/auth.rs, public_limits.rs).
EBL_NODE__API__RATE_LIMIT__BURST=1000000 EBL_NODE__API__RATE_LIMIT__PER_SECOND=100000 \
    "$NODE" dev --data "$DATA" --api "127.0.0.1:$PORT" >"$DATA/node.log" 2>&1 &
NODE_PID=$!
trap 'kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$DATA/node.log" >&2; exit 1; }
    sleep 0.5
done
KEY="$(cat "$DATA/api_key")"
# One worker: schemathesis's workers are threads, hypothesis parses source with `ast` while it
# builds strategies, and Python 3.11's AST constructor keeps one recursion counter per
# interpreter that threads parsing at once can upset (seen in threaded programs, CPython
# gh-106905). A run on 2026-12-07 failed one operation with "SystemError: AST constructor
# recursion depth mismatch": an error of the tool, not of the gateway.
"$ST" --config-file specs/schemathesis.toml run specs/openapi.yaml \
    --url "http://127.0.0.1:$PORT" --checks all \
    -H "Authorization: Bearer $KEY" -H "X-API-Key: $KEY" \
    --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 1 \
    --no-color

#!/usr/bin/env bash
# The main job, from a fresh machine: set-up, then a single-validator development network with
# the pilot organisations, its ledger under ./data and the HTTP gateway on 127.0.0.1:8080.
# The admin API key is written to ./data/api_key. Stop with Ctrl-C; a restart resumes.
# The dev network uses the ledger's test CA and test keys, so it needs the `dev` feature, which
# a validator build leaves out (R205).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo run -p ebl-node --features dev -- dev "$@"

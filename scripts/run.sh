#!/usr/bin/env bash
# The main job, from a fresh machine: set-up, then the pilot walk-through on a RocksDB ledger
# under ./data (issue 3 replaces this with `ebl-node dev`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo run -p ebl-ledger --example pilot --features testkit,rocksdb -- "${@:---data=./data}"

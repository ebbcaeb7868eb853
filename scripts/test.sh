#!/usr/bin/env bash
# The whole test suite, from a fresh machine: set-up, then every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# testnet/tests/pilot.rs runs the ebl-node binary from the same target folder.
cargo build -p ebl-node --bin ebl-node
cargo nextest run --workspace --all-targets --no-fail-fast
cargo test --workspace --doc

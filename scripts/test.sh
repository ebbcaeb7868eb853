#!/usr/bin/env bash
# The whole test suite, from a fresh machine: set-up, then every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# R205: a default (validator) build of ebl-node carries no test material.
scripts/check-no-test-material.sh
# testnet/tests/pilot.rs and dev_node.rs run the ebl-node binary from the same target folder;
# dev_node.rs runs `ebl-node dev`, hence the feature (the workspace build below unifies to it too).
cargo build -p ebl-node --bin ebl-node --features dev
cargo nextest run --workspace --all-targets --no-fail-fast
cargo test --workspace --doc
# The live gateway against specs/openapi.yaml (schemathesis, every check, a seeded budget).
scripts/schemathesis.sh

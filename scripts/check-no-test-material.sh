#!/usr/bin/env bash
# R205: a default build of ebl-node — what a validator runs — contains no test material: no
# `dev` feature, so neither the ledger's testkit (test CA, test keys, pilot network) nor the
# gateway's test double is compiled in, and no `byzantine` fault plans (ADR 0027). Reads cargo's feature graph; builds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Features of ebl-ledger and ebl-gateway in ebl-node's normal and build dependencies.
features() {
  cargo tree -p ebl-node "$@" -e normal,build,features --prefix none -i ebl-ledger
  cargo tree -p ebl-node "$@" -e normal,build,features --prefix none -i ebl-gateway
}

test_material='^(ebl-ledger|ebl-gateway) feature "testkit"|^ebl-node feature "(dev|byzantine)"'

default_build=$(features)
if grep -Eq "$test_material" <<<"$default_build"; then
  echo "R205: a default build of ebl-node contains test material:" >&2
  grep -E "$test_material" <<<"$default_build" | sort -u >&2
  exit 1
fi

# The check must be able to fail: with the dev feature the same graph shows the testkit.
dev_build=$(features --features dev)
if ! grep -Eq '^ebl-ledger feature "testkit"' <<<"$dev_build"; then
  echo "R205 check is blind: the dev build shows no ebl-ledger testkit; has cargo tree's output changed?" >&2
  exit 1
fi
echo "R205: the default ebl-node build contains no test material"

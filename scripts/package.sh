#!/usr/bin/env bash
# Builds the operator's tarball: dist/ebl-ledger-<version>-<arch>.tar.gz (+ .sha256) holding the
# node and wallet binaries, an example config from `ebl-node init`, the hardened systemd
# unit, the Prometheus alert rules, OPERATIONS.md and README.md. See OPERATIONS.md.
#
#   scripts/package.sh              # release build (what an operator installs)
#   scripts/package.sh --debug      # the debug build, a quick check of the layout; its ebl-node
#                                   # has the `dev` feature of the workspace build: not for operators
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
case "${1:-}" in
  --debug) profile=debug ;;
  "") ;;
  *) echo "usage: scripts/package.sh [--debug]" >&2; exit 2 ;;
esac

target="${CARGO_TARGET_DIR:-target}"
if [ "$profile" = release ]; then
  # A validator build: no `dev` feature, so no test CA or test keys inside (R205).
  cargo build --release -p ebl-node --bin ebl-node -p ebl-wallet
else
  cargo build -p ebl-node --bin ebl-node -p ebl-wallet
fi
bin="$target/$profile"

version=$("$bin/ebl-node" --version | awk '{print $2}')
arch=$(uname -m)
name="ebl-ledger-$version-$arch"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root/bin" "$root/share/systemd" "$root/share/prometheus" "$root/share/config"

for b in ebl-node ebl-wallet; do
  install -m 0755 "$bin/$b" "$root/bin/$b"
done
install -m 0644 packaging/ebl-node.service "$root/share/systemd/ebl-node.service"
install -m 0644 packaging/ebl-alerts.yml "$root/share/prometheus/ebl-alerts.yml"
install -m 0644 OPERATIONS.md README.md "$root/"

# The example config is what `ebl-node init` writes today, so it never drifts from the code;
# the keys it generated are not shipped.
"$root/bin/ebl-node" init --home "$stage/init" --moniker my-node \
  --listen /ip4/0.0.0.0/tcp/27000 --api 127.0.0.1:8080 > /dev/null
install -m 0644 "$stage/init/config.toml" "$root/share/config/config.example.toml"

# The tarball holds no secret and no test material: a release ebl-node refuses `dev` (R205).
if [ "$profile" = release ]; then
  refusal=$(timeout 20 "$root/bin/ebl-node" dev --data "$stage/dev" --api 127.0.0.1:0 2>&1 || true)
  if ! grep -q "not in this build" <<<"$refusal"; then
    echo "package: the release ebl-node does not refuse \`dev\` (test material inside?): $refusal" >&2
    exit 1
  fi
fi
if grep -rIl "BEGIN PRIVATE KEY" "$root" > /dev/null; then
  echo "package: a private key ended up in the tarball" >&2; exit 1
fi

mkdir -p dist
tar -C "$stage" --owner=0 --group=0 -czf "dist/$name.tar.gz" "$name"
(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "dist/$name.tar.gz"

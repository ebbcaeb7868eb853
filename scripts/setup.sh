#!/usr/bin/env bash
# One-time machine set-up, safe to run again: system libraries and cargo tools this workspace needs.
# Called by scripts/run.sh and scripts/test.sh, so a new machine needs nothing else.
set -euo pipefail

need_apt=()
# chromium: the headless end-to-end test of the verification page (gateway/tests/page_browser.rs);
# fonts-wqy-microhei: a small CJK font, so its screenshots of the Chinese page show the text.
# python3-venv, curl: scripts/schemathesis.sh (its own virtualenv, a readiness probe).
# iproute2, iptables: `ebl-testnet up --netns --wan corridor` (ip netns, iptables-legacy with
# statistic and NFQUEUE; ADR 0048) and testnet/tests/netns_corridor.rs.
for pkg in librocksdb-dev libclang-dev clang pkg-config openssl chromium fonts-wqy-microhei python3-venv curl iproute2 iptables; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

#!/usr/bin/env bash
# Coverage-guided fuzzing of the ledger's, gateway's and node's decoders (ADR 0039).
#
#   scripts/fuzz.sh [--seconds N] [target ...]
#
# Builds the cargo-fuzz crate in fuzz/ (libFuzzer; no sanitizer, so it builds on stable with
# RUSTC_BOOTSTRAP=1 and fast), then runs each target (default: all) for N seconds (default 10)
# on one core from its committed corpus. New corpus entries go to a scratch directory, so the
# committed corpus only changes by hand (`cargo fuzz cmin`). On a crash the input is copied to
# fuzz/regressions/<target>/, where `cargo nextest run` replays it from then on, and the
# script exits non-zero. FUZZ_ARGS adds libFuzzer flags (e.g. FUZZ_ARGS=-seed=1).
#
# Growing the committed corpus by hand: run a target with corpus/<target> as its first
# directory, then `cargo fuzz cmin <target> corpus/<target> -- -use_counters=0` (edge coverage
# only, which keeps the corpora of all targets about 2.5 MB together, under 200 KB each).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
targets=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi

export RUSTC_BOOTSTRAP=1
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
fuzz_args=(--sanitizer none -O --target-dir "$target_dir")

cd fuzz
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build "${fuzz_args[@]}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=()
for target in "${targets[@]}"; do
    mkdir -p "$scratch/$target" "$scratch/artifacts/$target"
    echo "fuzz: $target for ${seconds}s"
    if ! cargo fuzz run "${fuzz_args[@]}" "$target" "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -artifact_prefix="$scratch/artifacts/$target/" -print_final_stats=1 ${FUZZ_ARGS:-} \
        2> "$scratch/$target.log"; then
        tail -n 30 "$scratch/$target.log"
        mkdir -p "regressions/$target"
        cp "$scratch/artifacts/$target/"* "regressions/$target/" 2>/dev/null || true
        echo "fuzz: $target FAILED; input(s) copied to fuzz/regressions/$target/"
        failed+=("$target")
    else
        grep -E '^stat::number_of_executed_units|^Done' "$scratch/$target.log" || true
    fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: crashes in ${failed[*]}"
    exit 1
fi
echo "fuzz: ${#targets[@]} target(s), no crash"

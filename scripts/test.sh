#!/usr/bin/env bash
# Every test, both languages: core (cargo), Python (pytest), Node (node:test), interop.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
export RUST_BACKTRACE=1
start=$(date +%s)
echo "== core (cargo test)"
cargo test --release -p rtckit-core
echo "== Python (pytest)"
"$PY" -m pytest -q -p no:cacheprovider tests/python
echo "== Node (node --test)"
node --test --test-concurrency=1 tests/node/
echo "== interop: aiortc, @roamhq/wrtc, Chromium, Python <-> Node"
"$PY" -m pytest -q -p no:cacheprovider tests/interop
node --test --test-concurrency=1 tests/interop/
echo "== all tests passed in $(( $(date +%s) - start )) s"

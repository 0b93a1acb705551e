#!/usr/bin/env bash
# Every test, both languages: core (cargo), Python (pytest), Node (node:test), interop.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
export RUST_BACKTRACE=1
start=$(date +%s)
# Every suite runs in minutes; a hang must fail the run with a name, not eat CI's 90.
bounded() { timeout --kill-after=20 "$1" "${@:2}" || { rc=$?; [ $rc -ge 124 ] && echo "!! timed out after $1 s: ${*:2}"; exit $rc; }; }
# tests/ci_skips.py: on CI a skipped Python test fails the run.
export PYTHONPATH="$PWD/tests${PYTHONPATH:+:$PYTHONPATH}"
NODE_TEST=(node --test --test-concurrency=1 --test-timeout=180000)
# A Node suite; on CI a skipped test fails the run, as tests/ci_skips.py does for Python.
node_suite() {
  local out
  out=$(mktemp)
  bounded 900 "${NODE_TEST[@]}" "$1" | tee "$out"
  if [ -n "${CI:-}" ] && grep -q '^# skipped [1-9]' "$out"; then
    echo "!! $1: a test skipped on CI, where nothing may be"
    exit 1
  fi
  rm -f "$out"
}
# REPEAT=N (make test REPEAT=N) runs the test stage N times and stops at the first failure,
# naming its round: a test that fails once in a while is a race to find.
REPEAT="${REPEAT:-1}"
round=0
stage=""  # set once the rounds are over: where a failure after them happened
trap 'rc=$?; [ $rc -ne 0 ] && [ "$REPEAT" -gt 1 ] && echo "!! failed in ${stage:-round $round of $REPEAT} (the failing case is named above)"; exit $rc' EXIT
echo "== lint: cargo fmt --check, cargo clippy -D warnings"
# (mypy stubtest and the index.d.ts-against-exports check are tests: tests/python/test_stubs.py,
# tests/node/types_exports.test.mjs.)
cargo fmt --all --check
# The addon is linted as a library only: in a test build napi's exports all look unused.
cargo clippy --release --workspace --all-targets --exclude rtckit-node -- -D warnings
cargo clippy --release -p rtckit-node -- -D warnings
cargo test --release -p rtckit-core --no-run
for round in $(seq 1 "$REPEAT"); do
  [ "$REPEAT" -gt 1 ] && echo "== round $round of $REPEAT"
  echo "== core (cargo test)"
  bounded 600 cargo test --release -p rtckit-core
  echo "== Python (pytest)"
  bounded 900 "$PY" -m pytest -q -p no:cacheprovider -p ci_skips tests/python
  echo "== Node (node --test)"
  node_suite tests/node/
  echo "== interop: aiortc, @roamhq/wrtc, Chromium, Python <-> Node"
  bounded 900 "$PY" -m pytest -q -p no:cacheprovider -p ci_skips tests/interop
  node_suite tests/interop/
done
# The network tests (scripts/net.sh: namespaces, NATs, coturn) on CI, or with NET=1; once.
if [ -n "${CI:-}" ] || [ "${NET:-0}" = 1 ]; then
  stage="the network tests"
  bash scripts/net.sh
fi
# The soak runs (scripts/soak.sh) on CI, or when asked with SOAK=1; once, after the rounds.
if [ -n "${CI:-}" ] || [ "${SOAK:-0}" = 1 ]; then
  stage="the soak"
  bash scripts/soak.sh
fi
# Delivery, on CI or with DELIVERY=1, once: the wheel (make wheel) and the npm tarballs (npm
# run pack) are built, installed where there is no Rust, and used (tests/delivery/).
if [ -n "${CI:-}" ] || [ "${DELIVERY:-0}" = 1 ]; then
  stage="the delivery stage"
  echo "== delivery: make wheel, npm run pack, and each installed without Rust"
  bounded 2400 bash scripts/wheel.sh
  bounded 300 bash tests/delivery/wheel_install.sh
  bounded 900 npm run pack --silent
  bounded 300 bash tests/delivery/npm_install.sh
fi
rounds=""
[ "$REPEAT" -gt 1 ] && rounds=" ($REPEAT rounds)"
echo "== all tests passed in $(( $(date +%s) - start )) s$rounds"

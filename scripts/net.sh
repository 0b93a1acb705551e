#!/usr/bin/env bash
# The network tests (make net; also a stage of scripts/test.sh on CI): real networks built in
# namespaces of the tests' own (tests/net/netlab.py: two homes behind NATs, a wan, coturn),
# with real STUN and TURN, in both languages. Needs root for the namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
export PYTHONPATH="$PWD/tests${PYTHONPATH:+:$PYTHONPATH}"
echo "== network: Python (tests/net)"
timeout --kill-after=20 900 "$PY" -m pytest -q -p no:cacheprovider -p ci_skips tests/net
echo "== network: Node (tests/net)"
out=$(mktemp)
timeout --kill-after=20 900 node --test --test-concurrency=1 --test-timeout=180000 tests/net/ | tee "$out"
if [ -n "${CI:-}" ] && grep -q '^# skipped [1-9]' "$out"; then
  echo "!! tests/net: a test skipped on CI, where nothing may be"
  exit 1
fi
rm -f "$out"

#!/usr/bin/env bash
# Soak runs (make soak; also the last stage of scripts/test.sh on CI): SOAK_CYCLES
# connect -> media + data -> close cycles in each language, with fds, threads, RSS and
# runtime tasks sampled every 100 cycles. Each run is bounded (10 min in-script, killed at 12).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
export SOAK_CYCLES="${SOAK_CYCLES:-1000}"
echo "== soak: Python, $SOAK_CYCLES cycles"
timeout --kill-after=20 720 "$PY" tests/soak/soak.py
echo "== soak: Node, $SOAK_CYCLES cycles"
timeout --kill-after=20 720 node --expose-gc tests/soak/soak.mjs

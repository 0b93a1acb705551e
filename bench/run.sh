#!/usr/bin/env bash
# Runs the Python and Node benchmarks side by side and prints ratios against rtckit.
# Needs the bindings built (make test's setup does it). Not part of `make test`: tests
# never assert timings.
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
{ "$PY" python_bench.py rtckit aiortc; node node_bench.mjs rtckit wrtc; } | "$PY" report.py

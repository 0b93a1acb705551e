#!/usr/bin/env bash
# Runs bench/'s scenarios against rtckit (Python and Node) and its peers, interleaved in one
# invocation (3 rounds, medians), and prints one table with a ratio per row. See README.md.
#   bash bench/run.sh                  everything (about 10 minutes)
#   bash bench/run.sh S2 rtckit aiortc a subset: scenarios (S1..S5, S7) and implementations
# Env: BENCH_ROUNDS, BENCH_SCENARIOS, BENCH_IMPLS, RTCKIT_BASE_PY, RTCKIT_BASE_NODE (a second
# rtckit build as its own column). Figures go to bench/last-run.jsonl; `python3 bench/report.py`
# prints the table again. Needs the bindings built (scripts/setup.sh); not part of the tests:
# tests never assert timings.
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
bash setup.sh
"$PY" driver.py "$@"
"$PY" report.py last-run.jsonl

#!/usr/bin/env bash
# Installs the bench-only peers, idempotently: node-datachannel 0.33 and werift 0.25 into
# bench/node_modules (npm install --no-save from bench/package.json). aiortc 1.16 and
# @roamhq/wrtc 0.10 are test dependencies (scripts/setup.sh test, package.json): installed here
# only if missing. rtckit itself is not built here: scripts/setup.sh builds both bindings.
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"

version_of() { node -p "require('./$1/package.json').version" 2>/dev/null || true; }
if [[ "$(version_of node_modules/node-datachannel)" != 0.33.* || "$(version_of node_modules/werift)" != 0.25.* ]]; then
  echo "== bench: installing node-datachannel 0.33 and werift 0.25 into bench/node_modules" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error
fi
if [[ "$(cd .. && version_of node_modules/@roamhq/wrtc)" != 0.10.* ]]; then
  echo "== bench: installing @roamhq/wrtc 0.10 (a test dependency) into node_modules" >&2
  (cd .. && npm install --no-save --no-audit --no-fund --loglevel=error "@roamhq/wrtc@~0.10.0")
fi
if ! "$PY" -c 'import aiortc, numpy, sys; sys.exit(not aiortc.__version__.startswith("1.16"))' 2>/dev/null; then
  echo "== bench: installing aiortc 1.16 and numpy (test dependencies)" >&2
  "$PY" -m pip install -q --disable-pip-version-check "aiortc~=1.16.0" numpy
fi
"$PY" -c 'import rtckit' 2>/dev/null || { echo "bench: rtckit is not installed for $PY; run scripts/setup.sh first" >&2; exit 1; }
[ -f ../bindings-node/rtckit.node ] || { echo "bench: bindings-node/rtckit.node is missing; run scripts/setup.sh first" >&2; exit 1; }

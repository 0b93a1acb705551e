#!/usr/bin/env bash
# The demo: an rtckit-Python peer and an rtckit-Node peer, in two processes, connect on
# 127.0.0.1 through a small HTTP signaling step; Node sends its (fake) camera and microphone,
# Python decodes them, and they chat over a data channel.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PY" examples/python/chat_server.py --port "$port" > /tmp/rtckit-demo-ready.$$ &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f /tmp/rtckit-demo-ready.$$' EXIT
for _ in $(seq 1 200); do grep -q ready /tmp/rtckit-demo-ready.$$ 2>/dev/null && break; sleep 0.05; done
timeout 60 node examples/node/chat_client.mjs "http://127.0.0.1:$port/offer"
wait $server
echo "demo: done"

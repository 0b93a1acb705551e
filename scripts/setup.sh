#!/usr/bin/env bash
# Installs what rtckit needs to build and test, idempotently:
#   scripts/setup.sh         system packages, the Python package, the Node addon
#   scripts/setup.sh test    the same, plus test dependencies (pytest, aiortc, Chromium, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

# libclang-dev: nokhwa's V4L2 bindings are generated at build time; libasound2-dev: cpal (ALSA);
# g++: libwebm (the webm crate builds its C++ source); cmake: libopus, built from the source
# audiopus_sys bundles and linked statically; libvpx-dev: its archive, linked statically
# (.cargo/config.toml).
need_apt=(gcc g++ pkg-config nasm cmake libvpx-dev libclang-dev libasound2-dev)
# iproute2: the bandwidth test shapes a network namespace of its own.
# The network tests (tests/net) build namespaces with iproute2 and nftables and start coturn
# (with a certificate openssl makes, for TURN over TLS), and Janus (an SFU, each test its own).
[ "$mode" = test ] && need_apt+=(chromium iproute2 nftables coturn openssl janus)
missing=()
for pkg in "${need_apt[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "rtckit needs these Debian packages, and installing them needs root:" >&2
    echo "    sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  # Debian's janus package enables a system-wide daemon (every plugin and transport, on all
  # addresses); the tests start their own, in namespaces.
  if [[ " ${missing[*]} " == *" janus "* ]]; then
    for run in "systemctl disable --now janus" "service janus stop"; do
      if [ "$(id -u)" = 0 ]; then $run >/dev/null 2>&1 || true; else sudo -n $run >/dev/null 2>&1 || true; fi
    done
  fi
fi
for tool in cargo python3 node npm; do
  command -v "$tool" >/dev/null || { echo "rtckit needs $tool on PATH" >&2; exit 1; }
done
# The test stage's lint: rustfmt and clippy, rustup components of the same toolchain.
if [ "$mode" = test ] && ! { cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1; then
  command -v rustup >/dev/null || { echo "rtckit's lint needs cargo fmt and cargo clippy (rustup component add rustfmt clippy)" >&2; exit 1; }
  rustup component add rustfmt clippy
fi

PY="${PYTHON:-python3}"
# rtckit's fixes to webrtc-rs (patches/), applied to the published crates Cargo.toml points at.
"$PY" scripts/patch_crates.py
echo "== building and installing the Python package (maturin, release)"
"$PY" -m pip install -q --disable-pip-version-check .
if [ "$mode" = test ]; then
  # aiohttp and opencv: aiortc's own examples (tests/interop/test_aiortc_examples.py) import them.
  "$PY" -m pip install -q --disable-pip-version-check "pytest>=7" "aiortc>=1.9" "mypy>=1.8" numpy pillow nbclient nbformat ipykernel \
    aiohttp opencv-python-headless
fi

echo "== building the Node addon (napi, release)"
if [ ! -d node_modules/@napi-rs/cli ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
npm run --silent build >/dev/null

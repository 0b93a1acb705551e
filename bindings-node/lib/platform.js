'use strict';
// napi-rs's name for this platform, which names the package that carries rtckit's addon for
// it (rtckit-linux-x64-gnu, ...): linux-x64-gnu, linux-arm64-musl, darwin-arm64, win32-x64-msvc.

function platformTriple() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

module.exports = { platformTriple };

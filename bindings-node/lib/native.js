'use strict';
// The native addon: the one `npm run build` left next to this folder (a source checkout),
// else the platform package npm installed beside rtckit (`rtckit-linux-x64-gnu`, ..., named
// in rtckit's optionalDependencies, as napi-rs lays them out).
const path = require('node:path');
const { platformTriple } = require('./platform.js');

/** The one system library the addon links: ALSA, named for what to install. */
function explain(err) {
  if (String(err.message).includes('libasound')) {
    err.message = "rtckit needs the system's ALSA library, libasound.so.2 (Debian/Ubuntu: apt install " +
      `libasound2; Fedora: dnf install alsa-lib): ${err.message}`;
  }
  return err;
}

function load() {
  const local = path.join(__dirname, '..', 'rtckit.node');
  try {
    return require(local);
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw explain(err);
  }
  const triple = platformTriple();
  const name = `rtckit-${triple}`;
  try {
    return require(name);
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(name)) {
      err.message = `rtckit: the native addon ${name} does not load: ${err.message}`;
      throw explain(err);
    }
    throw new Error(
      `rtckit: no native addon for ${triple}. Install the platform package (npm install ${name}), ` +
        'which npm installs with rtckit where it is published for this platform, or build from ' +
        'source in a checkout (npm run build).',
    );
  }
}

module.exports = load();

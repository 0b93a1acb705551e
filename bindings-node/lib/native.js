'use strict';
// The addon built by `npm run build` (napi build) next to this folder.
const path = require('node:path');

let native;
try {
  native = require(path.join(__dirname, '..', 'rtckit.node'));
} catch (err) {
  err.message = `rtckit: the native addon is missing or does not load; run "npm run build" first (${err.message})`;
  throw err;
}
module.exports = native;

// Helpers for scripts that run outside node:test (busy_peer.mjs, the soak run): helpers.mjs
// registers node:test hooks, which a plain script must not.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const rtckit = require('../..');
export const LOOPBACK = { bindAddresses: ['127.0.0.1'] };

/** Waits until `predicate()` holds, polling; throws after 20 s. */
export async function until(predicate, what) {
  const deadline = Date.now() + 20000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Offer from a, answer from b, candidates trickled both ways. */
export async function connect(a, b) {
  for (const [from, to] of [[a, b], [b, a]]) {
    from.onicecandidate = ({ candidate }) => {
      if (candidate) to.addIceCandidate(candidate).catch(() => {});
    };
  }
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
}

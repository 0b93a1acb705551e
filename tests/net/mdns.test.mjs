// mDNS candidates (issue 15): Chromium with its default address hiding offers only `.local`
// names, which rtckit-Node resolves on the link (netlab.py's Lan); where the host has no
// multicast route it says so and ignores them. The Node twin of tests/net/test_mdns.py.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { cannotBuildLabs, chromiumCall, lanUp, report } from './lab.mjs';

const CHROMIUM = '/usr/bin/chromium';
const skip = cannotBuildLabs() ?? (fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} does not exist (this test never downloads a browser)`);
const KB = 1024;

async function withLan(multicast, body) {
  const lan = lanUp({ multicast });
  try {
    await body(lan);
  } finally {
    lan.down();
  }
}

/** Chromium's host candidates in its offer: every one an mDNS name, none an address. */
function hiddenHosts(messages) {
  const hosts = report(messages, 'description').description.sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:') && l.includes(' typ host'));
  assert.ok(hosts.length > 0, 'Chromium offered host candidates');
  for (const line of hosts) assert.match(line.split(' ')[4], /^[0-9a-f-]{36}\.local$/, line);
  return hosts.map((line) => line.split(' ')[4]);
}

test('rtckit resolves Chromium\'s .local candidates on a LAN with multicast', { skip }, (t) =>
  withLan(true, async (lan) => {
    const [chromium, rtckit] = await chromiumCall(lan, { bytes: 256 * KB, timeout: 20 });
    hiddenHosts(chromium);
    report(chromium, 'connected');
    const pair = report(rtckit, 'pair');
    // Chromium's real address, learnt from its name (rtckit's answer had no candidate to
    // check against, so Chromium knew rtckit only from rtckit's own checks).
    assert.deepEqual([pair.remote.candidateType, pair.remote.address], ['host', lan.addresses.browser], JSON.stringify(pair));
    const result = report(rtckit, 'result');
    assert.deepEqual([result.bytes, result.ordered], [256 * KB, true]);
    t.diagnostic(`connected in ${report(rtckit, 'connected').ms.toFixed(0)} ms`);
  }));

test('without a multicast route rtckit says it cannot resolve .local candidates, and ignores them', { skip }, () =>
  withLan(false, async (lan) => {
    const [chromium, rtckit, stderr] = await chromiumCall(lan, { timeout: 20 }, { until: /rtckit ignores the remote candidate/ });
    const [name] = hiddenHosts(chromium);
    assert.match(stderr, new RegExp(`rtckit ignores the remote candidate ${name}: there is no multicast route to ask on \\(joining 224\\.0\\.0\\.251:5353 failed: No such device`));
    assert.equal(rtckit.find((m) => m.type === 'connected'), undefined);
  }));

// A path cut under a live call: failure detection, then an ICE restart on a new path, with no
// byte lost on the reliable channel: the Node twin of tests/net/test_ice_restart.py.
import test from 'node:test';
import assert from 'node:assert/strict';
import { cannotBuildLabs, labUp, heldCall, inNs } from './lab.mjs';

const skip = cannotBuildLabs() ?? false;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** home-b's router comes back on another public address, as a phone moving networks. */
function moveHomeB(lab) {
  inNs(lab, 'nat-b', 'ip', 'addr', 'flush', 'dev', 'wan0');
  inNs(lab, 'nat-b', 'ip', 'addr', 'add', '10.99.0.13/24', 'dev', 'wan0');
  inNs(lab, 'nat-b', 'ip', 'link', 'set', 'wan0', 'up');
  inNs(lab, 'nat-b', 'ip', 'route', 'replace', 'default', 'via', lab.turn.host);
}

/** The offerer restarts ICE, the descriptions cross, and the offerer is connected again. */
async function restart(a, b, option) {
  a.send({ type: 'restart', option });
  b.send(await a.next('description'));
  a.send(await b.next('description'));
  return a.untilState('connected', 30000);
}

async function endAndCount(a, b) {
  await sleep(1000); // messages flowing again
  a.send({ type: 'stop' });
  b.send({ type: 'stop' });
  const sent = await a.next('sent');
  const result = await b.next('result');
  // Every message sent before, during and after the outage arrived, in order.
  assert.ok(sent.sentBytes > 0);
  assert.deepEqual([result.bytes, result.ordered], [sent.sentBytes, true]);
}

async function inLab(body) {
  const lab = labUp({ nat: 'cone' });
  let a;
  let b;
  try {
    const configuration = { iceServers: [{ urls: `stun:${lab.turn.host}:${lab.turn.port}` }] };
    [a, b] = await heldCall(lab, { configuration });
    await sleep(1000); // messages flowing
    await body(lab, a, b);
  } finally {
    a?.send({ type: 'bye' });
    b?.send({ type: 'bye' });
    a?.end();
    b?.end();
    lab.down();
  }
}

test('a cut path is detected, then restartIce() brings the call back', { skip }, () =>
  inLab(async (lab, a, b) => {
    const cut = Date.now();
    inNs(lab, 'nat-b', 'ip', 'link', 'set', 'wan0', 'down');
    const disconnected = await a.untilState('disconnected', 30000);
    const failed = await a.untilState('failed', 60000);
    moveHomeB(lab);
    const restarted = Date.now();
    const back = await restart(a, b, false);
    const figures = { disconnected: disconnected.at - cut, failed: failed.at - cut, back: back.at - restarted };
    console.log('ICE restart after failure (ms)', JSON.stringify(figures));
    assert.ok(figures.disconnected < figures.failed, JSON.stringify(figures));
    await endAndCount(a, b);
  }));

test('an ICE restart offer at once on a new path brings the call back', { skip }, () =>
  inLab(async (lab, a, b) => {
    inNs(lab, 'nat-b', 'ip', 'link', 'set', 'wan0', 'down');
    moveHomeB(lab);
    const restarted = Date.now();
    const back = await restart(a, b, true);
    console.log('ICE restart at once (ms)', JSON.stringify({ back: back.at - restarted }));
    await endAndCount(a, b);
  }));

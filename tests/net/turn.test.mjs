// STUN and TURN against a real coturn, between two homes behind NATs (tests/net/netlab.py):
// the Node twin of tests/net/test_turn.py. Each test builds its own lab and removes it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { cannotBuildLabs, servers, runPair, report, withLab } from './lab.mjs';

const skip = cannotBuildLabs() ?? false;
const MB = 1024 * 1024;

test('a cone NAT connects through server-reflexive candidates', { skip }, () =>
  withLab('cone', async (lab) => {
    const [a, b] = await runPair(lab, { configuration: { iceServers: servers(lab, { turn: false }) }, bytes: MB });
    const pair = report(a, 'pair');
    assert.notEqual(pair.local.candidateType, 'relay');
    assert.ok(['srflx', 'prflx'].includes(pair.remote.candidateType), JSON.stringify(pair));
    // b's public face is its NAT's wan address, not its home address.
    assert.equal(pair.remote.address, '10.99.0.12');
    const result = report(b, 'result');
    assert.deepEqual([result.bytes, result.ordered], [MB, true]);
  }));

test('two symmetric NATs connect only through the relay', { skip }, () =>
  withLab('symmetric', async (lab) => {
    const [a, b] = await runPair(lab, { configuration: { iceServers: servers(lab) }, bytes: MB, video: true, seconds: 2 });
    for (const messages of [a, b]) {
      const pair = report(messages, 'pair');
      assert.ok([pair.local.candidateType, pair.remote.candidateType].includes('relay'), JSON.stringify(pair));
    }
    const result = report(b, 'result');
    assert.deepEqual([result.bytes, result.ordered], [MB, true]);
    assert.ok(result.frames > 0 && result.rising, JSON.stringify(result));
  }));

test('the relay policy sends everything through coturn', { skip }, () =>
  withLab('cone', async (lab) => {
    const configuration = { iceServers: servers(lab), iceTransportPolicy: 'relay' };
    const [a, b] = await runPair(lab, { configuration, bytes: 4 * MB, video: true });
    for (const messages of [a, b]) {
      const pair = report(messages, 'pair');
      assert.equal(pair.local.candidateType, 'relay', JSON.stringify(pair));
      assert.equal(pair.remote.candidateType, 'relay', JSON.stringify(pair));
      assert.equal(pair.local.address, lab.turn.host);
    }
    const result = report(b, 'result');
    assert.deepEqual([result.bytes, result.ordered], [4 * MB, true]);
    assert.ok(result.frames > 0 && result.rising, JSON.stringify(result));
    // coturn's own session log: both peers allocated, authenticated as the test's user.
    const allocations = [...lab.turnLog().matchAll(/user <([^>]*)>: incoming packet ALLOCATE processed, success/g)];
    assert.ok(allocations.filter((m) => m[1] === lab.turn.user).length >= 2, lab.turnLog().slice(-3000));
  }));

test('wrong TURN credentials: icecandidateerror 401 naming the URL, then "failed"', { skip }, () =>
  withLab('cone', async (lab) => {
    const configuration = { iceServers: servers(lab, { stun: false, password: 'wrong' }), iceTransportPolicy: 'relay' };
    const [a] = await runPair(lab, { configuration, timeout: 60 });
    const failed = report(a, 'failed');
    const url = `turn:${lab.turn.host}:${lab.turn.port}`;
    assert.ok(
      failed.errors.some((e) => e.errorCode === 401 && e.url.startsWith(url) && e.address === '192.168.1.2'),
      JSON.stringify(failed.errors),
    );
  }));

test('an unreachable TURN server: icecandidateerror 701, then "failed"', { skip }, () =>
  withLab('cone', async (lab) => {
    const iceServers = [{ urls: `turn:${lab.turn.host}:3479`, username: 'u', credential: 'p' }];
    const [a] = await runPair(lab, { configuration: { iceServers, iceTransportPolicy: 'relay' }, timeout: 60 });
    const failed = report(a, 'failed');
    assert.ok(
      failed.errors.some((e) => e.errorCode === 701 && e.url.startsWith(`turn:${lab.turn.host}:3479`)),
      JSON.stringify(failed.errors),
    );
  }));

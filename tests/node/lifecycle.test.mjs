// Connections come and go without leaking threads or file descriptors.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { exchange, openPair, waitUntil } from './helpers.mjs';

const CYCLES = 100;
const counts = () => [fs.readdirSync('/proc/self/task').length, fs.readdirSync('/proc/self/fd').length];

test('connect/close cycles do not leak threads or fds', { skip: process.platform !== 'linux' }, async () => {
  async function cycle() {
    const { a, b, channel, remote } = await openPair();
    assert.deepEqual(await exchange(channel, remote, ['ping']), ['ping']);
    a.close();
    b.close();
  }
  await cycle();
  await new Promise((r) => setTimeout(r, 200));
  const [threads0, fds0] = counts();
  for (let i = 0; i < CYCLES; i++) await cycle();
  // close() releases sockets in the background: give it a moment, bounded.
  await waitUntil(() => counts()[1] - fds0 <= 16, 5000, 'fds released').catch(() => {});
  const [threads1, fds1] = counts();
  assert.ok(threads1 - threads0 <= 8, `threads ${threads0} -> ${threads1}`);
  assert.ok(fds1 - fds0 <= 16, `fds ${fds0} -> ${fds1}`);
});

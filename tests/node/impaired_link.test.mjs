// Through an impaired link (tests/impaired_link.py: loss, delay, reordering, duplication):
// a reliable channel delivers every byte in order, an unreliable one never blocks. Bounded
// waits only. Media through the
// relay is measured by bench/impaired.py (its test here failed 1 run in 6 under load with no
// frame at all, cause not yet found: issue 13's note).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rtckit, LOOPBACK, waitUntil, gathered, withTimeout } from './helpers.mjs';

const RELAY = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'impaired_link.py');
const LINKS = {
  'loss 1%': ['--loss', '0.01'],
  'loss 5%': ['--loss', '0.05'],
  'loss 10%': ['--loss', '0.10'],
  'delay 50 ms': ['--delay-ms', '50'],
  'reordering 10%': ['--reorder', '0.10'],
  'duplication 5%': ['--duplicate', '0.05'],
  'all at once': ['--loss', '0.05', '--delay-ms', '50', '--reorder', '0.05', '--duplicate', '0.02'],
};

/** The relay process: its two ports, and stats() to end it and read what it did. */
async function startRelay(args) {
  const proc = spawn(process.env.PYTHON || 'python3', [RELAY, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const first = (await withTimeout(lines.next(), 20000, 'the relay')).value.split(' ');
  assert.equal(first[0], 'ports');
  return {
    portA: Number(first[1]),
    portB: Number(first[2]),
    async stats() {
      proc.stdin.end();
      const { value } = await withTimeout(lines.next(), 20000, "the relay's stats");
      return JSON.parse(value.slice('stats '.length));
    },
  };
}

/** The description with its 127.0.0.1 host candidates' port set to the relay's. */
function throughRelay(description, port) {
  const sdp = description.sdp.replace(/(a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 )(\d+)( typ host)/gi, `$1${port}$3`);
  return { type: description.type, sdp };
}

async function connectThrough(relay, a, b) {
  await a.setLocalDescription();
  await b.setRemoteDescription(throughRelay(await gathered(a), relay.portA));
  await b.setLocalDescription();
  await a.setRemoteDescription(throughRelay(await gathered(b), relay.portB));
}

for (const [link, args] of Object.entries(LINKS)) {
  test(`channels through an impaired link: ${link}`, async () => {
    const relay = await startRelay(args);
    const a = new rtckit.RTCPeerConnection(LOOPBACK);
    const b = new rtckit.RTCPeerConnection(LOOPBACK);
    const reliable = a.createDataChannel('reliable');
    const unreliable = a.createDataChannel('unreliable', { ordered: false, maxRetransmits: 0 });
    reliable.binaryType = unreliable.binaryType = 'arraybuffer';
    const got = { reliable: [], unreliable: [] };
    b.ondatachannel = ({ channel }) => {
      channel.binaryType = 'arraybuffer';
      channel.onmessage = ({ data }) => got[channel.label].push(data);
    };
    await connectThrough(relay, a, b);
    await waitUntil(() => reliable.readyState === 'open' && unreliable.readyState === 'open', 20000, 'open');
    // 256 KiB in 64 numbered messages: every one arrives, in order, intact.
    for (let i = 0; i < 64; i++) reliable.send(new Uint8Array(4096).fill(i));
    // The unreliable channel: sends return at once whatever the link loses.
    for (let i = 0; i < 300; i++) unreliable.send(new Uint32Array(256).fill(i));
    await waitUntil(() => got.reliable.length === 64, 60000, 'every reliable message');
    got.reliable.forEach((m, i) => {
      assert.equal(m.byteLength, 4096);
      assert.ok(new Uint8Array(m).every((v) => v === i), `message ${i} out of order or damaged`);
    });
    await waitUntil(() => unreliable.bufferedAmount === 0, 30000, 'the unreliable channel drained');
    assert.ok(got.unreliable.length > 0);
    for (const m of got.unreliable) {
      const words = new Uint32Array(m);
      assert.ok(words.every((v) => v === words[0]), 'an unreliable message arrived damaged');
    }
    reliable.send('after');
    await waitUntil(() => got.reliable.at(-1) === 'after', 30000, 'a message after');
    a.close();
    b.close();
    const stats = await relay.stats();
    assert.ok(stats.packets > 0);
    if (link.includes('loss') || link.includes('all')) assert.ok(stats.dropped > 0, JSON.stringify(stats));
  });
}


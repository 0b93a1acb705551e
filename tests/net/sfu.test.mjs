// Scaling out through an SFU (issue 15): an rtckit-Node publisher sends the fake camera and
// microphone to a Janus VideoRoom (netlab.py's Sfu), and ten rtckit subscribers, Node and
// Python mixed, receive and decode it; two of them join late, once the publisher's first key
// frame is long gone. All through the example clients (examples/*/janus.*). The Node twin of
// tests/net/test_sfu.py.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cannotBuildLabs, sfuUp } from './lab.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const skip = cannotBuildLabs('janus') ?? false;
const CLIENTS = {
  python: [process.env.PYTHON || 'python3', path.join(HERE, 'sfu_client.py')],
  node: [process.execPath, path.join(HERE, 'sfu_client.mjs')],
};

function start(sfu, language, options) {
  const proc = spawn('ip', ['netns', 'exec', sfu.namespaces.clients, ...CLIENTS[language], JSON.stringify({ url: sfu.janus.url, room: sfu.janus.room, ...options })]);
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  return {
    proc,
    async report(kind, what) {
      for (;;) {
        const { value, done } = await lines.next();
        if (done) throw new Error(`${what} ended early: ${stderr.slice(-3000)}`);
        const message = JSON.parse(value);
        if (message.type === kind) return message;
      }
    },
  };
}

/** The publisher, eight subscribers at once, then two late; their reports. */
async function fanOut(sfu, publisherLanguage) {
  const procs = [];
  try {
    const publisher = start(sfu, publisherLanguage, { role: 'publish' });
    procs.push(publisher.proc);
    const { feed } = await publisher.report('published', 'the publisher');
    const subscribers = async (language, count) => {
      const client = start(sfu, language, { role: 'subscribe', feed, count, seconds: 3 });
      procs.push(client.proc);
      return (await client.report('subscribers', `the ${language} subscribers`)).subscribers;
    };
    const first = (await Promise.all([subscribers('python', 4), subscribers('node', 4)])).flat();
    const late = (await Promise.all([subscribers('python', 1), subscribers('node', 1)])).flat();
    publisher.proc.stdin.write('report\n');
    return [await publisher.report('publisher', 'the publisher'), first, late];
  } finally {
    for (const proc of procs) if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}

test('Janus fans an rtckit-Node publisher out to ten Node and Python subscribers', { skip, timeout: 120000 }, async (t) => {
  const sfu = sfuUp();
  try {
    const [publisher, first, late] = await fanOut(sfu, 'node');
    const subscribers = [...first, ...late];
    assert.equal(subscribers.length, 10);
    assert.deepEqual(new Set(subscribers.map((s) => s.language)), new Set(['python', 'node']));
    for (const s of subscribers) {
      // Each decoded the camera's own frames, in order, at its size, and its audio.
      assert.ok(s.sizes.length === 1 && s.sizes[0] === '640x480' && s.rising && s.fps > 0, JSON.stringify(s));
      assert.equal(s.audioSampleRate, 48000, JSON.stringify(s));
    }
    // Janus asks the publisher for a key frame as each subscriber comes up, and the late
    // ones decoded only thanks to one: the publisher sent more than its first.
    assert.ok(publisher.pliCount > 0 && publisher.keyFramesEncoded > 1, JSON.stringify(publisher));
    t.diagnostic(`publisher CPU ${(publisher.cpu * 100).toFixed(0)}% of a core, ${JSON.stringify(publisher)}`);
    for (const s of subscribers) {
      t.diagnostic(`${late.includes(s) ? 'late' : 'first'} ${s.language} subscriber: first frame ${s.firstFrameMs.toFixed(0)} ms after joining, ${s.fps.toFixed(1)} fps`);
    }
  } finally {
    sfu.down();
  }
});

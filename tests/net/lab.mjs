// The Node network tests' side of tests/net/netlab.py (which builds the namespaces and starts
// coturn) and of tests/net/pair.py: two peers (peer.mjs) in two homes, descriptions passed
// across, and what each reported.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.PYTHON || 'python3';

/** Why this machine cannot build a lab (null when it can); `'janus'`: an Sfu lab. */
export function cannotBuildLabs(kind) {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  const tools = kind === 'janus' ? 'netlab.Sfu.missing()' : 'netlab.missing_tools()';
  const missing = spawnSync(PYTHON, ['-c', `import netlab; print(" ".join(${tools}))`], {
    cwd: HERE,
    encoding: 'utf8',
  }).stdout.trim();
  return missing ? `needs ${missing}` : null;
}

/** Builds a lab; `down()` removes it. */
export function labUp({ nat = 'cone' } = {}) {
  const up = spawnSync(PYTHON, [path.join(HERE, 'netlab.py'), 'up', '--nat', nat], { encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`netlab up failed: ${up.stderr}`);
  const lab = JSON.parse(up.stdout);
  return {
    ...lab,
    ns: (name) => lab.namespaces[name],
    turnLog: () => readFileSync(lab.turnLog, 'utf8'),
    down: () => spawnSync(PYTHON, [path.join(HERE, 'netlab.py'), 'down', lab.id]),
  };
}

export function servers(lab, { stun = true, turn = true, password } = {}) {
  const host = `${lab.turn.host}:${lab.turn.port}`;
  const out = [];
  if (stun) out.push({ urls: `stun:${host}` });
  if (turn) out.push({ urls: `turn:${host}`, username: lab.turn.user, credential: password ?? lab.turn.password });
  return out;
}

/** A peer process (peer.mjs, or `script`); `env` is added to its environment. */
function startPeer(ns, { env = {}, script = 'peer.mjs', ...options }) {
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, path.join(HERE, script), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  // NET_PEER_STDERR=folder keeps each peer's stderr in a file there (for debugging a run).
  if (process.env.NET_PEER_STDERR) {
    proc.on('exit', () => writeFileSync(path.join(process.env.NET_PEER_STDERR, `${options.role}.err`), stderr));
  }
  // A peer that reported "failed" has exited; the "bye" sent after may find its pipe closed.
  proc.stdin.on('error', () => {});
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const log = [];
  return {
    proc,
    log,
    async next(name) {
      const { value, done } = await lines.next();
      if (done) throw new Error(`${name} ended early (after ${JSON.stringify(log)}): ${stderr.slice(-3000)}`);
      const message = JSON.parse(value);
      log.push(message);
      return message;
    },
    send(message) {
      proc.stdin.write(`${JSON.stringify(message)}\n`);
    },
    stderr: () => stderr,
  };
}

/** Runs the call to its end; returns [offerer's messages, answerer's messages]. */
export async function runPair(lab, options, { timeout = 90000 } = {}) {
  const [a, b] = await call(
    startPeer(lab.ns('home-a'), { ...options, role: 'offer' }),
    startPeer(lab.ns('home-b'), { ...options, role: 'answer' }),
    { timeout },
  );
  return [a, b];
}

/**
 * A call between two started peers: to its end, or until the answerer's stderr matches
 * `until`. `stripAnswerCandidates` takes the candidates out of the answer on its way. Returns
 * [offerer's messages, answerer's messages, answerer's stderr].
 */
async function call(a, b, { timeout, until, stripAnswerCandidates = false }) {
  const exited = (p) => new Promise((resolve) => (p.proc.exitCode !== null ? resolve() : p.proc.on('exit', resolve)));
  let timer;
  const run = (async () => {
    b.send(await a.next('the offerer'));
    let answer = await b.next('the answerer');
    if (stripAnswerCandidates) {
      const sdp = answer.description.sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate:')).join('\r\n');
      answer = { ...answer, description: { ...answer.description, sdp } };
    }
    a.send(answer);
    if (until) {
      while (!until.test(b.stderr())) await new Promise((resolve) => setTimeout(resolve, 50));
      return;
    }
    const untilEnd = async (p, name, last) => {
      while (!last.includes((await p.next(name)).type));
    };
    await Promise.all([untilEnd(a, 'the offerer', ['sent', 'failed']), untilEnd(b, 'the answerer', ['result', 'failed'])]);
    a.send({ type: 'bye' });
    b.send({ type: 'bye' });
    await Promise.all([exited(a), exited(b)]);
  })();
  try {
    await Promise.race([
      run,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the call took over ${timeout} ms: ${JSON.stringify([a.log, b.log])} ${b.stderr().slice(-3000)}`)), timeout);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    for (const p of [a, b]) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
  }
  return [a.log, b.log, b.stderr()];
}

export function report(messages, kind) {
  const found = messages.find((m) => m.type === kind);
  if (!found) throw new Error(`no ${JSON.stringify(kind)} report in ${JSON.stringify(messages)}`);
  return found;
}

/** A held call (peer.mjs with "hold"): both peers started and connected, each with next(),
 * untilState(), send() and end(). */
export async function heldCall(lab, options) {
  const wrap = (p, name) => ({
    log: p.log,
    async next(kind, ms = 60000) {
      let timer;
      const wanted = (async () => {
        for (;;) {
          const message = await p.next(name);
          if (!kind || message.type === kind) return message;
        }
      })();
      try {
        return await Promise.race([
          wanted,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${name}: no ${kind} in ${ms} ms: ${JSON.stringify(p.log)}`)), ms);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async untilState(state, ms = 60000) {
      for (;;) {
        const message = await this.next('state', ms);
        if (message.connectionState === state) return message;
      }
    },
    send: (message) => p.send(message),
    end: () => {
      if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
    },
  });
  const a = wrap(startPeer(lab.ns('home-a'), { ...options, role: 'offer', hold: true }), 'the offerer');
  const b = wrap(startPeer(lab.ns('home-b'), { ...options, role: 'answer', hold: true }), 'the answerer');
  try {
    b.send(await a.next('description'));
    a.send(await b.next('description'));
    await Promise.all([a.next('pair'), b.next('pair')]);
  } catch (err) {
    a.end();
    b.end();
    throw err;
  }
  return [a, b];
}

/** Runs a command in one of the lab's namespaces. */
export function inNs(lab, name, ...args) {
  const done = spawnSync('ip', ['netns', 'exec', lab.ns(name), ...args], { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`${args.join(' ')} in ${name} failed: ${done.stderr}`);
}

/** Runs `body` with a lab of that NAT, and removes the lab after. */
export async function withLab(nat, body) {
  const lab = labUp({ nat });
  try {
    await body(lab);
  } finally {
    lab.down();
  }
}

/** Builds a LAN (netlab.py's Lan: a browser's host and ours on one link); `down()` removes it. */
export function lanUp({ multicast = true } = {}) {
  const up = spawnSync(PYTHON, [path.join(HERE, 'netlab.py'), 'lan-up', ...(multicast ? [] : ['--no-multicast'])], { encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`netlab lan-up failed: ${up.stderr}`);
  const lan = JSON.parse(up.stdout);
  return { ...lan, down: () => spawnSync(PYTHON, [path.join(HERE, 'netlab.py'), 'down', lan.id]) };
}

/** Starts Janus in a lab of its own (netlab.py's Sfu); `down()` stops it and removes the lab. */
export function sfuUp() {
  const up = spawnSync(PYTHON, [path.join(HERE, 'netlab.py'), 'sfu-up'], { encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`netlab sfu-up failed: ${up.stderr}`);
  const sfu = JSON.parse(up.stdout);
  return { ...sfu, down: () => spawnSync(PYTHON, [path.join(HERE, 'netlab.py'), 'down', sfu.id]) };
}

/**
 * Chromium (chromium_peer.mjs, its addresses hidden behind mDNS names) offers from the LAN's
 * browser, rtckit (peer.mjs, RTCKIT_LOG=warn) answers from the host. rtckit's answer reaches
 * Chromium without its candidates, so the two meet only if rtckit resolved Chromium's names.
 * Resolves with [Chromium's messages, rtckit's messages, rtckit's stderr] once both ended
 * their call, or once rtckit's stderr matches `until`.
 */
export function chromiumCall(lan, options, { until, timeout = 60000 } = {}) {
  return call(
    startPeer(lan.namespaces.browser, { ...options, script: 'chromium_peer.mjs', role: 'offer' }),
    startPeer(lan.namespaces.host, { ...options, role: 'answer', env: { RTCKIT_LOG: 'warn' } }),
    { timeout, until, stripAnswerCandidates: true },
  );
}

// The browser examples, end to end: each server is started as a user would start it, and
// headless Chromium (with its fake camera) opens the page. The page must show the video the
// server sends (decoded by Chromium) and get the data-channel reply, and the server must
// say it decoded the browser's camera.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip as skip, require, repoRoot, videoShown, withTimeout } from './helpers.mjs';

const ARGS = [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const PYTHON = process.env.PYTHON ?? 'python3';

/** Starts an example server; resolves with its URL and a way to wait for a line it prints. */
async function start(command, args) {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, RTCKIT_BIND_ADDRESSES: '127.0.0.1' } });
  let output = '';
  const waiters = [];
  const check = () => waiters.splice(0).forEach((w) => (w.pattern.test(output) ? w.resolve(output.match(w.pattern)) : waiters.push(w)));
  child.stdout.on('data', (d) => { output += d; check(); });
  child.stderr.on('data', (d) => { output += d; check(); });
  const printed = (pattern, what) => withTimeout(new Promise((resolve) => { waiters.push({ pattern, resolve }); check(); }), 20000, `${what}; it printed:\n${output}`);
  const [, url] = await printed(/open (http:\/\/127\.0\.0\.1:\d+\/)/, 'the server to start');
  return { child, url, printed };
}

async function openInChromium(url) {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const page = await browser.newPage();
  await page.goto(url);
  const shown = await withTimeout((async () => {
    for (;;) {
      const s = (await page.evaluate(() => Boolean(window.pc)))
        ? { ...(await videoShown(page)), messages: await page.evaluate(() => window.messages) }
        : null;
      if (s && s.framesDecoded >= 10 && s.width > 0 && s.messages.length > 0) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
  })(), 30000, 'the page to show the server\'s video and its reply');
  return { browser, shown };
}

const examples = [
  ['Python webcam_server', PYTHON, [path.join('examples', 'python', 'webcam_server.py'), '--port', '0'], /browser camera: (\d+)x(\d+)/, false],
  ['Node webcam_server', 'node', [path.join('examples', 'node', 'webcam_server.mjs'), '--port', '0'], /browser camera: (\d+)x(\d+)/, false],
  ['Python transform', PYTHON, [path.join('examples', 'python', 'transform.py'), '--port', '0'], /transformed 30 frames of (\d+)x(\d+)/, true],
];

for (const [name, command, args, received, edgeMap] of examples) {
  test(`${name}: Chromium sees the server's video and reply, the server decodes Chromium's camera`, { skip, timeout: 90000 }, async () => {
    const server = await start(command, args);
    let browser;
    try {
      const opened = await openInChromium(server.url);
      browser = opened.browser;
      assert.equal(opened.shown.messages[0], "rtckit heard 'hello from the browser'");
      assert.ok(opened.shown.width >= 320, `the page's video is ${opened.shown.width} wide`);
      // The fake camera's pattern averages about 115 of 255; an edge map of Chromium's camera
      // is mostly black (about 7).
      if (edgeMap) assert.ok(opened.shown.brightness < 40, `an edge map is dark, not ${opened.shown.brightness}`);
      else assert.ok(opened.shown.brightness > 40, `rtckit's test pattern is not dark (${opened.shown.brightness})`);
      const [, width, height] = await server.printed(received, 'the server to decode the browser camera');
      assert.deepEqual([Number(width), Number(height)], [640, 480]);
    } finally {
      await browser?.close();
      server.child.kill();
    }
  });
}

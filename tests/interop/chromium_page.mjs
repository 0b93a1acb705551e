// Drives headless Chromium (fake camera and microphone) through a web page for a Python
// test (test_aiortc_examples.py): `node chromium_page.mjs SPEC_JSON`, where SPEC is
//   { url, setup, until, report, timeoutMs }
// `setup` runs in the page once it loaded; `until` is polled (an async expression) until it
// is truthy or timeoutMs passes; `report` (an async expression) is then read. Prints one
// JSON line: { done, report, dialogs, errors } (alert() texts and page errors included) and
// exits 0 unless Chromium itself failed. An alert() or a page error ends the wait early.
// Never downloads a browser.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
];

const spec = JSON.parse(process.argv[2]);
const { chromium } = require('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
const dialogs = [];
const errors = [];
let done = false;
let report = null;
try {
  const page = await browser.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(spec.url, { timeout: 15000 });
  await page.evaluate(spec.setup);
  const deadline = Date.now() + spec.timeoutMs;
  // An alert() or a page error is the page giving up: so does this.
  while (Date.now() < deadline && !dialogs.length && !errors.length) {
    if (await page.evaluate(`(async () => (${spec.until}))()`)) {
      done = true;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  report = await page.evaluate(`(async () => (${spec.report}))()`);
} catch (error) {
  errors.push(String(error));
} finally {
  await browser.close();
}
console.log(JSON.stringify({ done, report, dialogs, errors }));

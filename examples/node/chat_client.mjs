// An rtckit peer that offers a data channel to an HTTP signaling endpoint and chats.
// Usage: node chat_client.mjs http://127.0.0.1:8765/offer
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { RTCPeerConnection } = require('../..'); // require('rtckit') once installed from npm

const url = process.argv[2] ?? 'http://127.0.0.1:8765/offer';
const log = (...args) => console.error('[node]', ...args);

const pc = new RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
pc.onconnectionstatechange = () => log('connection', pc.connectionState);
const channel = pc.createDataChannel('chat');
const started = performance.now();

channel.onopen = () => {
  log(`channel open after ${(performance.now() - started).toFixed(1)} ms`);
  channel.send('hello from node');
  channel.send(new Uint8Array([1, 2, 3]));
  channel.send('bye');
};
channel.onmessage = ({ data }) => {
  log('got', typeof data === 'string' ? JSON.stringify(data) : new Uint8Array(data));
  if (data === 'bye') channel.close();
};
channel.onclose = () => {
  log('channel closed');
  pc.close();
};

await pc.setLocalDescription(await pc.createOffer());
while (pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 5));
const response = await fetch(url, { method: 'POST', body: JSON.stringify(pc.localDescription) });
await pc.setRemoteDescription(await response.json());

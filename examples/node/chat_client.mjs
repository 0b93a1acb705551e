// An rtckit peer that offers a data channel, a camera and a microphone to an HTTP signaling
// endpoint, and chats. The camera and microphone are rtckit's fake ones (a test pattern
// carrying its frame number, a 440 Hz tone): real devices are not built yet.
// Usage: node chat_client.mjs http://127.0.0.1:8765/offer
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { RTCPeerConnection, mediaDevices } = require('../..'); // require('rtckit') once installed from npm

const url = process.argv[2] ?? 'http://127.0.0.1:8765/offer';
const log = (...args) => console.error('[node]', ...args);

const pc = new RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
pc.onconnectionstatechange = () => log('connection', pc.connectionState);
const channel = pc.createDataChannel('chat');
mediaDevices.useFakeDevices(true);
const stream = await mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
for (const track of stream.getTracks()) pc.addTrack(track, stream);
log(`sending ${stream.getTracks().map((t) => t.label).join(' and ')}`);
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
  for (const track of stream.getTracks()) track.stop();
  pc.close();
};

await pc.setLocalDescription(await pc.createOffer());
while (pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 5));
const response = await fetch(url, { method: 'POST', body: JSON.stringify(pc.localDescription) });
await pc.setRemoteDescription(await response.json());

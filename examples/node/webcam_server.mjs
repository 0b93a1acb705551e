// Serves a page on 127.0.0.1: a browser that opens it sees rtckit's camera and gets a data
// channel, and the server receives the browser's camera and says what it gets. The code is
// the browser's WebRTC API, as a Node server using @roamhq/wrtc would write it.
//
// rtckit has no real camera support yet, so the camera it sends is its fake one: a moving
// test pattern carrying its frame number. Usage: node webcam_server.mjs [--port 8080]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { RTCPeerConnection, mediaDevices, nonstandard } = require('../..'); // require('rtckit') once installed from npm

const here = path.dirname(fileURLToPath(import.meta.url));
const page = fs.readFileSync(path.join(here, '..', 'web', 'index.html'));
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8080;
const log = (...args) => console.log(...args);

/** Decodes the browser's camera and says what it is. */
function watch(track) {
  const sink = new nonstandard.RTCVideoSink(track);
  let count = 0;
  sink.onframe = ({ frame }) => {
    count += 1;
    if (count === 30) log(`browser camera: ${frame.width}x${frame.height}, 30 frames decoded`);
  };
  track.addEventListener('ended', () => {
    sink.stop();
    log(`browser camera ended after ${count} frames`);
  });
}

async function answer(offer) {
  const pc = new RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
  let stream;
  try {
    stream = await mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  } catch (err) {
    if (!['NotFoundError', 'NotReadableError'].includes(err.name)) throw err;
    mediaDevices.useFakeDevices(true); // no camera here: the fake one
    stream = await mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  }
  pc.onconnectionstatechange = () => {
    log('connection', pc.connectionState);
    if (['failed', 'closed', 'disconnected'].includes(pc.connectionState)) {
      for (const track of stream.getTracks()) track.stop();
      pc.close();
    }
  };
  pc.ondatachannel = ({ channel }) => {
    channel.onmessage = ({ data }) => {
      log('browser says', JSON.stringify(data));
      channel.send(`rtckit heard '${data}'`);
    };
  };
  pc.ontrack = ({ track }) => watch(track);
  await pc.setRemoteDescription(offer);
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  await pc.setLocalDescription(await pc.createAnswer());
  while (pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 5));
  return pc.localDescription;
}

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  } else if (req.method === 'POST' && req.url === '/offer') {
    let body = '';
    for await (const chunk of req) body += chunk;
    try {
      const description = await answer(JSON.parse(body));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(description));
    } catch (err) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`${err.name}: ${err.message}`);
    }
  } else {
    res.writeHead(404).end('not found');
  }
});
server.listen(port, '127.0.0.1', () => log(`open http://127.0.0.1:${server.address().port}/`));

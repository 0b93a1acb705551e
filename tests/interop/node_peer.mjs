// An rtckit-Node peer driven over stdin/stdout with JSON lines (used by
// test_cross_language.py; not a test file itself).
//
// stdin commands:  {cmd: "offer", label} | {cmd: "description", description}
//                  | {cmd: "candidate", candidate} | {cmd: "send", messages} | {cmd: "close"}
// stdout events:   {type: "ready"} | {type: "description", description}
//                  | {type: "candidate", candidate} | {type: "open", label, ordered}
//                  | {type: "message", data} | {type: "error", message} | {type: "closed"}
// A message is {t: text} or {b: base64 bytes}.
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { RTCPeerConnection } = require(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const fail = (err) => emit({ type: 'error', message: `${err?.name ?? 'Error'}: ${err?.message ?? err}` });

const pc = new RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
let channel = null;
const queued = [];

const addCandidate = (c) => pc.addIceCandidate(c).catch((e) => fail(new Error(`addIceCandidate(${c.candidate}): ${e.name}: ${e.message}`)));

function useChannel(dc) {
  channel = dc;
  dc.binaryType = 'arraybuffer';
  // A remote channel may already be open at its datachannel event (and then fire open too).
  let announced = false;
  dc.onopen = () => {
    if (!announced) emit({ type: 'open', label: dc.label, ordered: dc.ordered });
    announced = true;
  };
  dc.onmessage = (e) => {
    const data = typeof e.data === 'string' ? { t: e.data } : { b: Buffer.from(e.data).toString('base64') };
    emit({ type: 'message', data });
  };
  if (dc.readyState === 'open') dc.onopen();
}

pc.onicecandidate = ({ candidate }) => {
  if (candidate) emit({ type: 'candidate', candidate: candidate.toJSON() });
};
pc.ondatachannel = ({ channel: dc }) => useChannel(dc);

async function handle(msg) {
  switch (msg.cmd) {
    case 'offer': {
      useChannel(pc.createDataChannel(msg.label, { ordered: true }));
      await pc.setLocalDescription(await pc.createOffer());
      emit({ type: 'description', description: pc.localDescription.toJSON() });
      break;
    }
    case 'description': {
      await pc.setRemoteDescription(msg.description);
      for (const c of queued.splice(0)) await addCandidate(c);
      if (msg.description.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        emit({ type: 'description', description: pc.localDescription.toJSON() });
      }
      break;
    }
    case 'candidate':
      if (pc.remoteDescription) await addCandidate(msg.candidate);
      else queued.push(msg.candidate);
      break;
    case 'send':
      for (const m of msg.messages) channel.send('t' in m ? m.t : Buffer.from(m.b, 'base64'));
      break;
    case 'close':
      pc.close();
      emit({ type: 'closed' });
      process.exit(0);
      break;
    default:
      throw new Error(`unknown command ${JSON.stringify(msg.cmd)}`);
  }
}

// Commands run one at a time, in order.
let chain = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  chain = chain.then(() => handle(JSON.parse(line))).catch(fail);
});
process.stdin.on('end', () => {
  pc.close();
  process.exit(0);
});
emit({ type: 'ready' });

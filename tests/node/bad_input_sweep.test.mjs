// The bad-input sweep: each kind of bad input gets its error of the right kind (or is a
// documented no-op), none panics or hangs, and a connected pair goes on working after all of
// them. SWEEP_TABLE=<path> writes the table (kind -> error) as markdown.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rtckit, LOOPBACK, openPair, exchange, withTimeout } from './helpers.mjs';

const { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, nonstandard } = rtckit;
const { RTCVideoSource, MediaPlayer, rgbaToI420 } = nonstandard;
const GOOD = 'candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host';

function cases(dir, offer, { a, channel, fresh }) {
  const pc = () => {
    const p = new RTCPeerConnection(LOOPBACK);
    fresh.push(p);
    return p;
  };
  const remote = (sdp, type = 'offer') => () => pc().setRemoteDescription({ type, sdp });
  const local = (sdp, type) => async () => {
    const p = pc();
    p.addTransceiver('video');
    await p.setLocalDescription({ type, sdp });
  };
  const candidate = (line, sdpMid = '0', sdpMLineIndex = null) => async () => {
    const p = pc();
    await p.setRemoteDescription({ type: 'offer', sdp: offer });
    await p.addIceCandidate(line ? { candidate: line, sdpMid, sdpMLineIndex } : null);
  };
  const afterClose = (call) => async () => {
    const p = pc();
    p.close();
    await call(p);
  };
  const file = (name, bytes) => () => {
    writeFileSync(path.join(dir, name), bytes);
    return new MediaPlayer(path.join(dir, name));
  };
  const played = (name, bytes) => async () => {
    const player = file(name, bytes)();
    const track = player.video || player.audio;
    const ended = new Promise((r) => track.addEventListener('ended', r));
    const sink = track.kind === 'video' ? new nonstandard.RTCVideoSink(track) : new nonstandard.RTCAudioSink(track);
    await withTimeout(ended, 20000, 'ended'); // frames, if any decode, then the end
    sink.stop();
  };
  const sections = offer.split('\r\nm=');
  const thousand = sections[0] + Array.from({ length: 1000 }, (_, i) => `\r\nm=${sections[1].replace(/a=mid:\S+/, `a=mid:m${i}`)}`).join('');
  const wav4GiB = Buffer.concat([
    Buffer.from('RIFF'), Buffer.from([36, 0, 0, 0]), Buffer.from('WAVEfmt '),
    Buffer.from([16, 0, 0, 0, 1, 0, 2, 0, 0x80, 0xbb, 0, 0, 0, 0xee, 2, 0, 4, 0, 16, 0]),
    Buffer.from('data'), Buffer.from([0xf0, 0xff, 0xff, 0xff]), Buffer.alloc(64),
  ]);
  const maxSize = () => channel.maxMessageSize;
  const source = new RTCVideoSource();
  const stopped = (call) => () => {
    const t = pc().addTransceiver('video');
    t.stop();
    return call(t);
  };
  return [
    // SDP
    ['SDP', 'empty description', remote(''), 'OperationError'],
    ['SDP', 'truncated offer', remote(offer.slice(0, offer.length >> 1)), 'OperationError'],
    ['SDP', 'garbage lines', remote('v=0\r\ngarbage\r\n\x00\x01'), 'OperationError'],
    ['SDP', '1000 m-sections (accepted, as browsers do)', remote(thousand), null],
    ['SDP', 'duplicate MIDs', remote(offer.replace(/a=mid:\S+/g, 'a=mid:0')), 'OperationError'],
    ['SDP', 'huge numbers (port, payload type)', remote(offer.replace(/m=video \d+/, 'm=video 99999999999999')), 'OperationError'],
    ['SDP', 'no ICE credentials', remote(offer.replace(/a=ice-(ufrag|pwd):\S+\r\n/g, '')), 'InvalidAccessError'],
    ['SDP', 'fingerprint of an unknown algorithm', remote(offer.replace(/a=fingerprint:\S+/, 'a=fingerprint:md7')), 'OperationError'],
    ['SDP', 'an answer in stable', remote(offer, 'answer'), 'InvalidStateError'],
    ['SDP', 'type that is not a type', () => new RTCSessionDescription({ type: 'bogus', sdp: offer }), 'TypeError'],
    // WebIDL makes it the string "5", as a browser does, which does not parse.
    ['SDP', 'sdp that is not a string', () => pc().setRemoteDescription({ type: 'offer', sdp: 5 }), 'OperationError'],
    ['SDP', 'setLocalDescription(answer) in stable', local(offer, 'answer'), 'InvalidStateError'],
    ['SDP', 'rollback in stable', local('', 'rollback'), 'InvalidStateError'],
    ['SDP', 'createAnswer in stable', () => pc().createAnswer(), 'InvalidStateError'],
    // candidates
    ['candidate', 'before a remote description', () => pc().addIceCandidate({ candidate: GOOD, sdpMid: '0' }), 'InvalidStateError'],
    ['candidate', 'garbage', candidate('candidate:garbage'), 'OperationError'],
    ['candidate', 'unknown mid', candidate(GOOD, 'nope'), 'OperationError'],
    ['candidate', 'mline index out of range', candidate(GOOD, null, 99), 'OperationError'],
    ['candidate', 'port out of range', candidate(GOOD.replace('50000', '70000')), 'OperationError'],
    ['candidate', 'priority not a number', candidate(GOOD.replace('2130706431', 'high')), 'OperationError'],
    ['candidate', 'unknown transport', candidate(GOOD.replace('udp', 'sctp')), 'OperationError'],
    ['candidate', 'address not an address', candidate(GOOD.replace('127.0.0.1', '999.1.1.1')), 'OperationError'],
    ['candidate', 'unknown type', candidate(GOOD.replace('typ host', 'typ bogus')), 'OperationError'],
    ['candidate', 'neither sdpMid nor sdpMLineIndex', () => new RTCIceCandidate({ candidate: GOOD }), 'TypeError'],
    ['candidate', 'end of candidates (null)', candidate(''), null],
    // data channels
    ['data channel', 'label over 65535 bytes', () => a.createDataChannel('x'.repeat(65536)), 'TypeError'],
    ['data channel', 'protocol over 65535 bytes', () => a.createDataChannel('p', { protocol: 'x'.repeat(65536) }), 'TypeError'],
    ['data channel', 'id out of range', () => a.createDataChannel('i', { negotiated: true, id: 65535 }), 'TypeError'],
    ['data channel', 'negotiated without an id', () => a.createDataChannel('n', { negotiated: true }), 'TypeError'],
    ['data channel', 'maxRetransmits with maxPacketLifeTime', () => a.createDataChannel('m', { maxRetransmits: 1, maxPacketLifeTime: 1 }), 'TypeError'],
    ['data channel', 'a message at the size limit', () => channel.send(new Uint8Array(maxSize())), null],
    ['data channel', 'a message over the size limit', () => channel.send(new Uint8Array(maxSize() + 1)), 'TypeError'],
    ['data channel', 'a message of no known type', () => channel.send(Symbol('x')), 'TypeError'],
    ['data channel', 'send before open', () => pc().createDataChannel('c').send('x'), 'InvalidStateError'],
    ['data channel', 'send on a closed channel', () => { const c = pc().createDataChannel('c'); c.close(); c.send('x'); }, 'InvalidStateError'],
    // frames
    ['frame', 'data of the wrong size', () => source.onFrame({ width: 4, height: 4, data: new Uint8Array(10) }), 'TypeError'],
    ['frame', 'wrong element type', () => rgbaToI420({ width: 2, height: 2, data: new Float32Array(16) }, { width: 2, height: 2, data: new Uint8Array(6) }), 'TypeError'],
    ['frame', 'a view into a larger buffer', () => source.onFrame({ width: 2, height: 2, data: new Uint8Array(100).subarray(10, 16) }), null],
    ['frame', 'odd dimensions', () => source.onFrame({ width: 3, height: 5, data: new Uint8Array(15 + 2 * 2 * 3) }), null],
    ['frame', 'zero size', () => source.onFrame({ width: 0, height: 4, data: new Uint8Array(0) }), 'RangeError'],
    ['frame', 'huge size', () => source.onFrame({ width: 1 << 20, height: 1 << 20, data: new Uint8Array(6) }), 'RangeError'],
    ['frame', 'no data at all', () => source.onFrame({ width: 4, height: 4 }), 'TypeError'],
    ['frame', 'audio of no samples type', () => new nonstandard.RTCAudioSource().onData({ samples: 'x', sampleRate: 48000 }), 'TypeError'],
    // files
    ['file', 'truncated IVF', file('t.ivf', Buffer.from('DKIF\x00\x00\x20\x00VP80', 'latin1')), 'NotReadableError'],
    ['file', 'corrupt Ogg', file('c.ogg', Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 0xff)])), 'NotReadableError'],
    ['file', 'WAV asking for 4 GiB (read as far as the file goes)', file('big.wav', wav4GiB), null],
    ['file', 'Y4M with a bad header', file('b.y4m', Buffer.from('YUV4MPEG2 W0 H-3 F30:1\nFRAME\n')), 'NotReadableError'],
    ['file', 'H.264 that is noise: its track ends', played('n.h264', Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from(Array.from({ length: 1024 }, (_, i) => i & 255))])), null],
    ['file', 'missing file', () => new MediaPlayer(path.join(dir, 'missing.ivf')), 'NotFoundError'],
    ['file', 'unknown container', file('x.xyz', Buffer.from('hello')), 'NotSupportedError'],
    // after close()
    ['after close', 'createOffer', afterClose((p) => p.createOffer()), 'InvalidStateError'],
    ['after close', 'setRemoteDescription', afterClose((p) => p.setRemoteDescription({ type: 'offer', sdp: offer })), 'InvalidStateError'],
    ['after close', 'addIceCandidate', afterClose((p) => p.addIceCandidate({ candidate: GOOD, sdpMid: '0' })), 'InvalidStateError'],
    ['after close', 'createDataChannel', afterClose((p) => p.createDataChannel('x')), 'InvalidStateError'],
    ['after close', 'addTrack', afterClose((p) => p.addTrack(source.createTrack())), 'InvalidStateError'],
    ['after close', 'addTransceiver', afterClose((p) => p.addTransceiver('audio')), 'InvalidStateError'],
    ['after close', 'getStats (as Firefox; Chrome gives the last stats)', afterClose((p) => p.getStats()), 'InvalidStateError'],
    ['after close', 'close again', afterClose((p) => p.close()), null],
    // out of order
    ['state', "removeTrack of another connection's sender", () => pc().removeTrack(pc().addTrack(source.createTrack())), 'InvalidAccessError'],
    ['state', 'addTrack of a track already sent', () => { const p = pc(); const t = source.createTrack(); p.addTrack(t); p.addTrack(t); }, 'InvalidAccessError'],
    ['state', 'a direction that is not one', stopped((t) => { t.direction = 'bogus'; }), 'TypeError'],
    ['state', 'setCodecPreferences with a codec never offered', () => pc().addTransceiver('video').setCodecPreferences([{ mimeType: 'video/NOPE', clockRate: 90000 }]), 'InvalidModificationError'],
    ['state', 'a direction set on a stopped transceiver', stopped((t) => { t.direction = 'sendonly'; }), 'InvalidStateError'],
  ];
}

test('the bad-input sweep: every kind gets its error, and the connection goes on', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rtckit-sweep-'));
  const { a, b, channel, remote } = await openPair();
  const probe = new RTCPeerConnection(LOOPBACK);
  probe.addTransceiver('video');
  probe.createDataChannel('d');
  await probe.setLocalDescription(await probe.createOffer());
  const offer = probe.localDescription.sdp;
  probe.close();
  const fresh = [];
  const rows = [];
  const wrong = [];
  for (const [area, what, call, expected] of cases(dir, offer, { a, channel, fresh })) {
    let got = null;
    try {
      await withTimeout(Promise.resolve().then(call), 20000, what);
    } catch (err) {
      got = err;
    }
    const name = got === null ? 'no-op' : /^timed out/.test(got.message) ? 'hung' : got.name;
    rows.push([area, what, name]);
    if ((expected ?? 'no-op') !== name) wrong.push(`${area}: ${what}: expected ${expected ?? 'no-op'}, got ${name}: ${got && got.message}`);
  }
  for (const p of fresh) p.close();
  // The connection and its channel still work after all of that.
  assert.deepEqual(await exchange(channel, remote, ['still here']), ['still here']);
  assert.equal(a.connectionState, 'connected');
  a.close();
  b.close();
  if (process.env.SWEEP_TABLE) {
    writeFileSync(process.env.SWEEP_TABLE, ['| area | bad input | Node |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n');
  }
  assert.ok(rows.length >= 50, `${rows.length} kinds`);
  assert.deepEqual(wrong, []);
});

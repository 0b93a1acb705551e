// RTCConfiguration as browsers and @roamhq/wrtc take it: ICE URLs with ?transport=, the full
// dictionary from getConfiguration, relay-only without TURN, wrtc's portRange, what
// setConfiguration may change; and SDP that older and other peers write (the draft-05 data
// channel section, numbers past 64 bits).
import test from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { rtckit, LOOPBACK, connect, exchange, nextEvent, waitUntil, withTimeout } from './helpers.mjs';

/** A UDP socket on 127.0.0.1 that resolves `request` with the type of the first STUN
 * message it gets (0x0001 Binding, 0x0003 TURN Allocate); it answers nothing. */
async function stunListener() {
  const socket = dgram.createSocket('udp4');
  const request = new Promise((resolve) => {
    socket.on('message', (msg) => {
      if (msg.length >= 20 && msg.readUInt32BE(4) === 0x2112a442) resolve(msg.readUInt16BE(0));
    });
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, request, close: () => socket.close() };
}

/** The ports of the a=candidate lines of an SDP. */
const candidatePorts = (sdp) => sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:')).map((l) => Number(l.split(' ')[5]));

/** A free block of UDP ports on 127.0.0.1, away from the ephemeral range. */
async function freeRange(size) {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const min = 20000 + Math.floor(Math.random() * 10000);
    const sockets = [];
    try {
      for (let port = min; port < min + size; port += 1) {
        const s = dgram.createSocket('udp4');
        sockets.push(s);
        await new Promise((resolve, reject) => {
          s.once('error', reject);
          s.bind(port, '127.0.0.1', resolve);
        });
      }
      return { min, max: min + size - 1 };
    } catch {
      // taken: another block
    } finally {
      for (const s of sockets) s.close();
    }
  }
  throw new Error('no free block of UDP ports');
}

test('ICE server URLs with ?transport= are accepted, and used', async () => {
  const stun = await stunListener();
  const turn = await stunListener();
  const iceServers = [
    { urls: `stun:127.0.0.1:${stun.port}?transport=udp` },
    { urls: [`turn:127.0.0.1:${turn.port}?transport=udp`, 'turn:127.0.0.1:9?transport=tcp'], username: 'u', credential: 'p' },
  ];
  const pc = new rtckit.RTCPeerConnection({ ...LOOPBACK, iceServers });
  try {
    assert.deepEqual(pc.getConfiguration().iceServers, iceServers);
    pc.setConfiguration({ iceServers });
    pc.createDataChannel('x');
    await pc.setLocalDescription();
    // Gathering asks the STUN server for a Binding and the TURN server for an Allocation:
    // the query is read (udp) or dropped (stun), not refused.
    assert.equal(await withTimeout(stun.request, undefined, 'a STUN Binding request'), 0x0001);
    assert.equal(await withTimeout(turn.request, undefined, 'a TURN Allocate request'), 0x0003);
  } finally {
    pc.close();
    stun.close();
    turn.close();
  }
  for (const urls of ['stun:127.0.0.1?transport=sctp', 'stun:127.0.0.1?foo=bar', 'turn:127.0.0.1?transport=udp&x=1', 'http://127.0.0.1', 'stun:?transport=udp']) {
    const iceServers = [{ urls, username: 'u', credential: 'p' }];
    assert.throws(() => new rtckit.RTCPeerConnection({ ...LOOPBACK, iceServers }), { name: 'SyntaxError' }, urls);
  }
  assert.throws(() => new rtckit.RTCPeerConnection({ iceServers: [{ urls: 'turn:127.0.0.1?transport=tcp' }] }), { name: 'InvalidAccessError' });
});

test('getConfiguration is the W3C dictionary with wrtc\'s fields, as set', () => {
  const plain = new rtckit.RTCPeerConnection();
  assert.deepEqual(plain.getConfiguration(), {
    iceServers: [],
    iceTransportPolicy: 'all',
    bundlePolicy: 'balanced',
    rtcpMuxPolicy: 'require',
    iceCandidatePoolSize: 0,
    certificates: [],
    portRange: {},
    sdpSemantics: 'unified-plan',
  });
  plain.close();
  const given = {
    iceServers: [{ urls: 'stun:127.0.0.1:3478' }, { urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential: 'p' }],
    iceTransportPolicy: 'relay',
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
    iceCandidatePoolSize: 2,
    certificates: [],
    portRange: { min: 40000, max: 40100 },
    sdpSemantics: 'unified-plan',
    bindAddresses: ['127.0.0.1'],
  };
  const pc = new rtckit.RTCPeerConnection(given);
  assert.deepEqual(pc.getConfiguration(), given);
  pc.close();
  const open = new rtckit.RTCPeerConnection({ portRange: { max: 40100 } });
  assert.deepEqual(open.getConfiguration().portRange, { max: 40100 });
  open.close();
  for (const [config, name] of [
    [{ bundlePolicy: 'sometimes' }, 'TypeError'],
    [{ rtcpMuxPolicy: 'negotiate' }, 'NotSupportedError'],
    [{ rtcpMuxPolicy: 'never' }, 'TypeError'],
    [{ sdpSemantics: 'plan-b' }, 'NotSupportedError'],
    [{ iceCandidatePoolSize: 256 }, 'TypeError'],
    [{ certificates: [{}] }, 'TypeError'],
  ]) {
    assert.throws(() => new rtckit.RTCPeerConnection(config), { name }, JSON.stringify(config));
  }
});

test('relay-only without a TURN server gathers nothing, and completes', async () => {
  const pc = new rtckit.RTCPeerConnection({ ...LOOPBACK, iceTransportPolicy: 'relay' });
  const candidates = [];
  pc.onicecandidate = ({ candidate }) => candidates.push(candidate);
  pc.createDataChannel('x');
  await pc.setLocalDescription();
  await waitUntil(() => pc.iceGatheringState === 'complete', undefined, 'gathering to complete');
  await waitUntil(() => candidates.includes(null), undefined, 'the end-of-candidates event');
  assert.deepEqual(candidates, [null]);
  assert.ok(!pc.localDescription.sdp.includes('a=candidate:'));
  pc.close();
});

test('portRange: host candidates bind in it, and two peers connect', async () => {
  const portRange = await freeRange(20);
  const config = { ...LOOPBACK, portRange };
  const a = new rtckit.RTCPeerConnection(config);
  const b = new rtckit.RTCPeerConnection(config);
  const channel = a.createDataChannel('ranged');
  const opened = nextEvent(channel, 'open');
  const remote = nextEvent(b, 'datachannel');
  await connect(a, b, { trickle: false });
  await opened;
  const ports = [...candidatePorts(a.localDescription.sdp), ...candidatePorts(b.remoteDescription.sdp), ...candidatePorts(b.localDescription.sdp)];
  assert.ok(ports.length >= 3, ports.join());
  for (const port of ports) assert.ok(port >= portRange.min && port <= portRange.max, `${port} outside ${portRange.min}-${portRange.max}`);
  // Each connection has its own port.
  assert.notEqual(candidatePorts(a.localDescription.sdp)[0], candidatePorts(b.localDescription.sdp)[0]);
  const { channel: theirs } = await remote;
  if (theirs.readyState !== 'open') await nextEvent(theirs, 'open');
  assert.deepEqual(await exchange(channel, theirs, ['in range']), ['in range']);
  a.close();
  b.close();
  for (const range of [{ min: 10, max: 5 }, { min: -1, max: 5 }, { min: 1, max: 65536 }, { min: '10', max: 20 }, 7]) {
    assert.throws(() => new rtckit.RTCPeerConnection({ portRange: range }), { name: 'TypeError' }, JSON.stringify(range));
  }
});

test('setConfiguration refuses what W3C says cannot change, and takes the same again', async () => {
  const config = {
    ...LOOPBACK,
    bundlePolicy: 'max-bundle',
    iceCandidatePoolSize: 1,
    portRange: await freeRange(5),
  };
  const pc = new rtckit.RTCPeerConnection(config);
  pc.setConfiguration(config);
  pc.setConfiguration({ ...config, portRange: undefined, bindAddresses: undefined, iceServers: [{ urls: 'stun:127.0.0.1:9' }] });
  assert.equal(pc.getConfiguration().iceServers[0].urls, 'stun:127.0.0.1:9');
  assert.deepEqual(pc.getConfiguration().portRange, config.portRange);
  // Before setLocalDescription the pool size may change.
  pc.setConfiguration({ ...config, iceCandidatePoolSize: 2 });
  const refused = [
    { ...config, iceCandidatePoolSize: 2, bundlePolicy: undefined }, // left out: "balanced"
    { ...config, iceCandidatePoolSize: 2, bundlePolicy: 'balanced' },
    { ...config, iceCandidatePoolSize: 2, portRange: { min: config.portRange.min, max: config.portRange.max + 1 } },
    { ...config, iceCandidatePoolSize: 2, bindAddresses: ['127.0.0.2'] },
  ];
  for (const c of refused) assert.throws(() => pc.setConfiguration(c), { name: 'InvalidModificationError' }, JSON.stringify(c));
  assert.throws(() => pc.setConfiguration({ ...config, certificates: [{}] }), { name: 'TypeError' });
  assert.throws(() => pc.setConfiguration({ ...config, rtcpMuxPolicy: 'negotiate' }), { name: 'NotSupportedError' });
  pc.createDataChannel('x');
  await pc.setLocalDescription();
  assert.throws(() => pc.setConfiguration({ ...config, iceCandidatePoolSize: 3 }), { name: 'InvalidModificationError' });
  pc.setConfiguration({ ...config, iceCandidatePoolSize: 2, iceTransportPolicy: 'relay' });
  assert.equal(pc.getConfiguration().iceTransportPolicy, 'relay');
  assert.equal(pc.getConfiguration().iceCandidatePoolSize, 2);
  pc.close();
  assert.throws(() => pc.setConfiguration(config), { name: 'InvalidStateError' });
});

/** An RFC 8841 data channel section rewritten as draft-ietf-mmusic-sctp-sdp-05 wrote it. */
function legacySctp(sdp) {
  const legacy = sdp
    .replace(/^m=application (\d+) UDP\/DTLS\/SCTP webrtc-datachannel$/m, 'm=application $1 DTLS/SCTP 5000')
    .replace(/^a=sctp-port:5000$/m, 'a=sctpmap:5000 webrtc-datachannel 1024');
  assert.notEqual(legacy, sdp);
  return legacy;
}

test('the draft-05 data channel section (DTLS/SCTP 5000, a=sctpmap) is answered in kind and connects', async () => {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  const channel = a.createDataChannel('legacy');
  const opened = nextEvent(channel, 'open');
  const remote = nextEvent(b, 'datachannel');
  await a.setLocalDescription();
  await waitUntil(() => a.iceGatheringState === 'complete');
  const offer = { type: 'offer', sdp: legacySctp(a.localDescription.sdp) };
  await b.setRemoteDescription(offer);
  assert.equal(b.remoteDescription.sdp, offer.sdp); // as the peer sent it
  await b.setLocalDescription();
  await waitUntil(() => b.iceGatheringState === 'complete');
  const answer = b.localDescription;
  assert.match(answer.sdp, /^m=application \d+ DTLS\/SCTP 5000$/m);
  assert.match(answer.sdp, /^a=sctpmap:5000 webrtc-datachannel \d+$/m);
  assert.doesNotMatch(answer.sdp, /webrtc-datachannel\r\n|a=sctp-port/);
  await a.setRemoteDescription(answer);
  await opened;
  const { channel: theirs } = await remote;
  if (theirs.readyState !== 'open') await nextEvent(theirs, 'open');
  assert.deepEqual(await exchange(channel, theirs, ['old', 'form']), ['old', 'form']);
  assert.deepEqual(await exchange(theirs, channel, ['back']), ['back']);
  a.close();
  b.close();
});

test('SDP numbers past 64 bits (o= session id and version) are read; remoteDescription keeps them', async () => {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const channel = a.createDataChannel('big');
  const opened = nextEvent(channel, 'open');
  await a.setLocalDescription();
  await waitUntil(() => a.iceGatheringState === 'complete');
  let b;
  for (const origin of ['o=- 9223372036854775808 2 IN IP4 127.0.0.1', 'o=- 123456789012345678901234567890 18446744073709551616 IN IP4 127.0.0.1']) {
    b?.close();
    b = new rtckit.RTCPeerConnection(LOOPBACK);
    const sdp = a.localDescription.sdp.replace(/^o=.*$/m, origin);
    await b.setRemoteDescription({ type: 'offer', sdp });
    assert.equal(b.remoteDescription.sdp, sdp);
  }
  await b.setLocalDescription();
  await waitUntil(() => b.iceGatheringState === 'complete');
  await a.setRemoteDescription(b.localDescription);
  await opened;
  a.close();
  b.close();
});

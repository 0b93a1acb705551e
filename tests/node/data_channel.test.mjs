// RTCDataChannel: message integrity and order, channel options, flow control, close.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { rtckit, LOOPBACK, bytes, connect, exchange, nextEvent, openPair, waitUntil, withTimeout } from './helpers.mjs';

test('text and binary from empty to max size echo intact and in order', async () => {
  const { a, b, channel, remote } = await openPair();
  remote.onmessage = (e) => remote.send(e.data);
  const max = channel.maxMessageSize;
  assert.equal(max, 262144);
  const sizes = [0, 1, 2, 100, 1200, 16384, 65535, 65536, 100000, max - 1, max];
  const messages = [];
  for (const size of sizes) {
    messages.push(crypto.randomBytes(size));
    messages.push('aé€𝄞'.repeat(Math.floor(size / 10)));
  }
  // Every form send() takes.
  messages.push(new Uint16Array([1, 2, 3]), new DataView(new ArrayBuffer(5)), new ArrayBuffer(7));
  const got = await exchange(channel, channel, messages);
  assert.equal(got.length, messages.length);
  messages.forEach((sent, i) => {
    if (typeof sent === 'string') assert.equal(got[i], sent);
    else {
      assert.ok(got[i] instanceof ArrayBuffer, `message ${i} arrives as an ArrayBuffer`);
      const view = ArrayBuffer.isView(sent) ? Buffer.from(sent.buffer, sent.byteOffset, sent.byteLength) : Buffer.from(sent);
      assert.ok(Buffer.from(got[i]).equals(view), `message ${i} intact`);
    }
  });
  a.close();
  b.close();
});

test('channels opened by either side', async () => {
  const { a, b, channel } = await openPair();
  const onA = nextEvent(a, 'datachannel');
  const fromB = b.createDataChannel('from-b', { protocol: 'chat-v1' });
  await waitUntil(() => fromB.readyState === 'open');
  const { channel: atA } = await onA;
  assert.deepEqual([atA.label, atA.protocol, atA.ordered], ['from-b', 'chat-v1', true]);
  assert.equal(atA.id, fromB.id);
  assert.notEqual(atA.id, channel.id);
  assert.deepEqual((await exchange(fromB, atA, ['b to a', new Uint8Array([1])])).map(bytes), ['b to a', Buffer.from([1])]);
  assert.deepEqual(await exchange(atA, fromB, ['a to b']), ['a to b']);
  a.close();
  b.close();
});

test('unordered partial reliability options', async () => {
  const { a, b, channel, remote } = await openPair({ ordered: false, maxRetransmits: 0 });
  assert.deepEqual([channel.ordered, channel.maxRetransmits, channel.maxPacketLifeTime], [false, 0, null]);
  assert.equal(remote.ordered, false); // webrtc-rs 0.21 drops the remote's reliability parameter
  const messages = Array.from({ length: 200 }, (_, i) => `u${i}`);
  const got = await exchange(channel, remote, messages);
  assert.deepEqual([...got].sort(), [...messages].sort());
  const lifetime = a.createDataChannel('lifetime', { ordered: false, maxPacketLifeTime: 500 });
  await waitUntil(() => lifetime.readyState === 'open');
  assert.equal(lifetime.maxPacketLifeTime, 500);
  assert.equal(lifetime.maxRetransmits, null);
  a.close();
  b.close();
});

test('negotiated channels with fixed ids', async () => {
  const { a, b } = await openPair();
  const announced = [];
  a.ondatachannel = (e) => announced.push(e.channel);
  b.ondatachannel = (e) => announced.push(e.channel);
  const left = a.createDataChannel('neg', { negotiated: true, id: 42 });
  const right = b.createDataChannel('neg', { negotiated: true, id: 42 });
  assert.equal(left.id, 42);
  assert.equal(right.id, 42);
  assert.equal(left.negotiated, true);
  await waitUntil(() => left.readyState === 'open' && right.readyState === 'open');
  assert.deepEqual((await exchange(left, right, ['over 42', Buffer.from('bin')])).map(bytes), ['over 42', Buffer.from('bin')]);
  assert.deepEqual(await exchange(right, left, ['back']), ['back']);
  assert.equal(announced.length, 0);
  a.close();
  b.close();
});

test('bufferedamountlow drives a 64 MiB transfer checked byte for byte', async () => {
  const { a, b, channel, remote } = await openPair();
  const total = 64 * 1024 * 1024, chunk = 16 * 1024;
  const payload = crypto.randomBytes(total);
  const received = Buffer.alloc(total);
  let offsetIn = 0;
  const done = new Promise((resolve) => {
    remote.onmessage = (e) => {
      Buffer.from(e.data).copy(received, offsetIn);
      offsetIn += e.data.byteLength;
      if (offsetIn >= total) resolve();
    };
  });
  channel.bufferedAmountLowThreshold = 1024 * 1024;
  assert.equal(channel.bufferedAmountLowThreshold, 1024 * 1024);
  let lows = 0;
  let offset = 0;
  while (offset < total) {
    if (channel.bufferedAmount > 4 * 1024 * 1024) {
      await nextEvent(channel, 'bufferedamountlow');
      lows += 1;
      continue;
    }
    channel.send(payload.subarray(offset, offset + chunk));
    offset += chunk;
  }
  await withTimeout(done, 60000, 'the whole transfer');
  assert.ok(lows > 0);
  assert.equal(offsetIn, total);
  assert.ok(received.equals(payload));
  await waitUntil(() => channel.bufferedAmount === 0);
  a.close();
  b.close();
});

test('channel close from either side reaches the other', async () => {
  const { a, b, channel, remote } = await openPair();
  const second = a.createDataChannel('second');
  const { channel: remoteSecond } = await nextEvent(b, 'datachannel');
  await waitUntil(() => second.readyState === 'open');
  const closedRemote = nextEvent(remote, 'close');
  const closedLocal = nextEvent(channel, 'close');
  channel.close();
  assert.ok(['closing', 'closed'].includes(channel.readyState));
  await closedRemote;
  await closedLocal;
  assert.equal(remote.readyState, 'closed');
  const closedSecond = nextEvent(second, 'close');
  remoteSecond.close();
  await closedSecond;
  assert.equal(second.readyState, 'closed');
  const third = b.createDataChannel('third');
  const { channel: gotThird } = await nextEvent(a, 'datachannel');
  await waitUntil(() => third.readyState === 'open');
  assert.deepEqual(await exchange(third, gotThird, ['alive']), ['alive']);
  a.close();
  b.close();
});

test('connection close reaches the other side', async () => {
  for (const closerIsOfferer of [true, false]) {
    const { a, b, channel, remote } = await openPair();
    const [closer, other] = closerIsOfferer ? [a, b] : [b, a];
    const otherChannel = closerIsOfferer ? remote : channel;
    const closerChannel = closerIsOfferer ? channel : remote;
    const channelClosed = nextEvent(otherChannel, 'close');
    const localClosed = nextEvent(closerChannel, 'close');
    closer.close();
    assert.equal(closer.connectionState, 'closed');
    assert.equal(closerChannel.readyState, 'closed');
    await localClosed;
    await channelClosed;
    assert.equal(otherChannel.readyState, 'closed');
    await waitUntil(() => other.connectionState !== 'connected', 15000, 'other side leaving connected');
    assert.ok(['disconnected', 'failed', 'closed'].includes(other.connectionState));
    other.close();
  }
});

test('a channel the other side created fires open right after datachannel', async () => {
  const a = new rtckit.RTCPeerConnection(LOOPBACK);
  const b = new rtckit.RTCPeerConnection(LOOPBACK);
  a.createDataChannel('announced');
  const order = [];
  const opened = new Promise((resolve) => {
    b.ondatachannel = ({ channel }) => {
      order.push(`datachannel:${channel.readyState}`);
      channel.onopen = () => {
        order.push('open');
        resolve();
      };
    };
  });
  await connect(a, b);
  await withTimeout(opened, 5000, 'open after datachannel').catch(() => {});
  assert.deepEqual(order, ['datachannel:open', 'open']);
  a.close();
  b.close();
});

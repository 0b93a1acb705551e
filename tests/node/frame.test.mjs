// The nonstandard frame helpers: wrtc's i420ToRgba / rgbaToI420, and bad input.
import test from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { rtckit } from './helpers.mjs';

const { i420ToRgba, rgbaToI420, i420ToPng } = rtckit.nonstandard;
const i420Size = (w, h) => w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2);

test('rgba -> i420 -> rgba stays close on a flat image', () => {
  const [width, height] = [64, 48];
  const rgba = { width, height, data: new Uint8Array(width * height * 4) };
  for (let i = 0; i < width * height; i++) rgba.data.set([200, 40, 90, 255], i * 4);
  const i420 = { width, height, data: new Uint8Array(i420Size(width, height)) };
  rgbaToI420(rgba, i420);
  assert.ok(i420.data.some((v) => v !== 0));
  const back = { width, height, data: new Uint8Array(width * height * 4) };
  i420ToRgba(i420, back);
  for (let i = 0; i < back.data.length; i++) {
    assert.ok(Math.abs(back.data[i] - rgba.data[i]) <= 3, `byte ${i}: ${back.data[i]} vs ${rgba.data[i]}`);
  }
});

test('odd sizes round chroma up', () => {
  const [width, height] = [5, 3];
  const i420 = { width, height, data: new Uint8Array(i420Size(width, height)).fill(128) };
  const rgba = { width, height, data: new Uint8Array(width * height * 4) };
  i420ToRgba(i420, rgba);
  assert.equal(rgba.data[3], 255);
});

test('png of a black frame', () => {
  const [width, height] = [4, 2];
  const data = new Uint8Array(i420Size(width, height));
  data.fill(16, 0, width * height);
  data.fill(128, width * height);
  const png = i420ToPng({ width, height, data });
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const idat = png.subarray(png.indexOf('IDAT') + 4, png.indexOf('IEND') - 8);
  assert.deepEqual([...zlib.inflateSync(idat)], Array(2).fill([0, ...Array(12).fill(0)]).flat());
});

test('bad frames throw TypeError or RangeError', () => {
  const ok = { width: 4, height: 4, data: new Uint8Array(64) };
  assert.throws(() => rgbaToI420(ok, { width: 4, height: 4, data: new Uint8Array(10) }), TypeError);
  assert.throws(() => rgbaToI420(ok, { width: 2, height: 2, data: new Uint8Array(6) }), TypeError);
  assert.throws(() => rgbaToI420({ width: 4, height: 4, data: new Uint8Array(3) }, { width: 4, height: 4, data: new Uint8Array(24) }), TypeError);
  assert.throws(() => i420ToRgba({ width: 4, height: 4 }, ok), TypeError);
  assert.throws(() => i420ToRgba({ width: 0, height: 4, data: new Uint8Array(0) }, { width: 0, height: 4, data: new Uint8Array(0) }), RangeError);
});

test('the helpers take wrtc\'s Uint8ClampedArray, Buffer and views into larger buffers', () => {
  const [width, height] = [8, 4];
  const flat = { width, height, data: new Uint8Array(width * height * 4) };
  for (let i = 0; i < width * height; i++) flat.data.set([30, 160, 220, 255], i * 4);
  const expected = { width, height, data: new Uint8Array(i420Size(width, height)) };
  rgbaToI420(flat, expected);
  // Source and target as Uint8ClampedArray (wrtc's README) and as views with a byteOffset.
  const backing = new ArrayBuffer(1000);
  new Uint8Array(backing).fill(9);
  const rgba = { width, height, data: new Uint8ClampedArray(backing, 100, width * height * 4) };
  rgba.data.set(flat.data);
  const i420 = { width, height, data: new Uint8ClampedArray(backing, 500, i420Size(width, height)) };
  rgbaToI420(rgba, i420);
  assert.deepEqual([...i420.data], [...expected.data]);
  assert.equal(new Uint8Array(backing)[499], 9); // nothing written outside the view
  assert.equal(new Uint8Array(backing)[500 + i420Size(width, height)], 9);
  const back = { width, height, data: Buffer.alloc(width * height * 4) };
  i420ToRgba(i420, back);
  const reference = { width, height, data: new Uint8Array(width * height * 4) };
  i420ToRgba(expected, reference);
  assert.deepEqual([...back.data], [...reference.data]);
  assert.throws(() => rgbaToI420(rgba, { width, height, data: new Int16Array(i420Size(width, height)) }), TypeError);
});

// Compiled (not run) by types.test.mjs against bindings-node/lib/index.d.ts: browser-style
// code must type-check unchanged.
import { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, RTCDataChannel } from '../../bindings-node/lib/index';

async function answer(offer: { type: 'offer'; sdp: string }, signal: (m: unknown) => void): Promise<RTCDataChannel> {
  const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }], bindAddresses: ['127.0.0.1'] });
  pc.onicecandidate = ({ candidate }) => signal(candidate?.toJSON() ?? null);
  pc.ondatachannel = ({ channel }) => {
    channel.binaryType = 'arraybuffer';
    channel.onmessage = ({ data }) => channel.send(typeof data === 'string' ? data : new Uint8Array(data as ArrayBuffer));
  };
  await pc.setRemoteDescription(new RTCSessionDescription(offer));
  await pc.setLocalDescription(await pc.createAnswer());
  await pc.addIceCandidate(new RTCIceCandidate({ candidate: '', sdpMid: '0' }));
  const channel = pc.createDataChannel('x', { ordered: false, maxRetransmits: 0 });
  channel.bufferedAmountLowThreshold = 1 << 20;
  const state: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed' = pc.connectionState;
  signal(state);
  const ranged = new RTCPeerConnection({ portRange: { min: 40000, max: 40100 }, bundlePolicy: 'max-bundle', iceCandidatePoolSize: 0, certificates: [], sdpSemantics: 'unified-plan' });
  const { portRange, bundlePolicy, iceCandidatePoolSize } = ranged.getConfiguration();
  signal([portRange.min, bundlePolicy, iceCandidatePoolSize]);
  return channel;
}

export { answer };

import { nonstandard } from '../../bindings-node/lib/index';

export function toRgba(i420: { width: number; height: number; data: Uint8Array }): Uint8Array {
  const rgba = { width: i420.width, height: i420.height, data: new Uint8Array(i420.width * i420.height * 4) };
  nonstandard.i420ToRgba(i420, rgba);
  return nonstandard.i420ToPng(i420).length > 0 ? rgba.data : new Uint8Array(0);
}

import { mediaDevices, MediaStream } from '../../bindings-node/lib/index';

export async function camera(): Promise<number> {
  const stream: MediaStream = await mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, frameRate: 30 }, audio: true });
  const source = new nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const sink = new nonstandard.RTCVideoSink(stream.getVideoTracks()[0]);
  sink.onframe = ({ frame }) => source.onFrame(frame);
  const audioSink = new nonstandard.RTCAudioSink(stream.getAudioTracks()[0]);
  audioSink.ondata = ({ samples, sampleRate }) => samples.length + sampleRate;
  track.onended = () => sink.stop();
  return stream.getTracks().length;
}

import { RTCRtpSender } from '../../bindings-node/lib/index';

export function receiveH264(pc: RTCPeerConnection): string | null {
  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  transceiver.setCodecPreferences(RTCRtpSender.getCapabilities('video').codecs.filter((c) => c.mimeType === 'video/H264'));
  transceiver.direction = 'inactive';
  return transceiver.currentDirection ?? transceiver.mid;
}

export async function statsAndFiles(pc: RTCPeerConnection): Promise<number> {
  const report = await pc.getStats();
  let packets = 0;
  report.forEach((stats) => {
    if (stats.type === 'outbound-rtp') packets += Number(stats.packetsSent);
  });
  pc.ontrack = (event) => {
    const track = event.transceiver?.receiver.track ?? event.track;
    const recorder = new nonstandard.MediaRecorder('/dev/null.ivf');
    recorder.addTrack(track);
    void recorder.start();
  };
  const player = new nonstandard.MediaPlayer('clip.ivf', { loop: true });
  if (player.video) pc.addTrack(player.video);
  const blackhole = new nonstandard.MediaBlackhole();
  await blackhole.stop();
  return packets + pc.getReceivers().length + blackhole.count;
}

import type { MediaStreamTrack as RtckitTrack } from '../../bindings-node/lib/index';

export function play(track: RtckitTrack): boolean {
  const output = new nonstandard.AudioOutput(track, 'alsa:default');
  output.stop();
  return output.playing;
}

import { getUserMedia, RTCDtlsTransport } from '../../bindings-node/lib/index';

// Code written for @roamhq/wrtc: Uint8ClampedArray frames, plain sink objects, clones,
// transports, receiver parameters, the legacy callbacks and the top-level getUserMedia.
export async function wrtcStyle(pc: RTCPeerConnection): Promise<string> {
  const stream = await getUserMedia({ video: true });
  const copy: MediaStream = new MediaStream({ id: 'copy' });
  for (const track of stream.clone().getTracks()) copy.addTrack(track.clone());
  const source = new nonstandard.RTCVideoSource({ isScreencast: false });
  const denoise: boolean | null = source.needsDenoising;
  source.onFrame({ width: 2, height: 2, data: new Uint8ClampedArray(6) });
  const sink = new nonstandard.RTCVideoSink(source.createTrack());
  sink.addEventListener('frame', ({ frame: { width, height, rotation, data } }) => width + height + rotation + data.length);
  const audio = new nonstandard.RTCAudioSink(copy.getTracks()[0]);
  audio.ondata = (d) => d.type === 'data' && d.numberOfFrames;
  const sender = pc.addTrack(source.createTrack(), copy);
  const transport: RTCDtlsTransport | null = sender.transport;
  const receiver = pc.getReceivers()[0];
  const mimes = receiver.getParameters().codecs.map((c) => c.mimeType);
  await pc.createOffer((offer) => pc.setLocalDescription(offer, () => undefined, () => undefined), (err) => err.message);
  await pc.setLocalDescription({ type: 'rollback' });
  return `${denoise} ${transport?.state} ${transport?.iceTransport.role} ${mimes}`;
}

// Public types of rtckit for Node: the browser's WebRTC data API, plus `bindAddresses`,
// local media (tracks, fake devices) and the `nonstandard` sources, sinks and helpers.

export type RTCIceTransportPolicy = 'all' | 'relay';
export type RTCBundlePolicy = 'balanced' | 'max-compat' | 'max-bundle';
export type RTCRtcpMuxPolicy = 'require';
export type RTCSdpType = 'offer' | 'pranswer' | 'answer' | 'rollback';
export type RTCSignalingState =
  | 'stable' | 'have-local-offer' | 'have-remote-offer' | 'have-local-pranswer' | 'have-remote-pranswer' | 'closed';
export type RTCIceGatheringState = 'new' | 'gathering' | 'complete';
export type RTCIceConnectionState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';
export type RTCPeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
export type RTCDataChannelState = 'connecting' | 'open' | 'closing' | 'closed';

export interface RTCIceServer {
  /** stun:, stuns:, turn: or turns: URLs, optionally with ?transport=udp or ?transport=tcp. */
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** @roamhq/wrtc's local UDP port range for host candidates; a bound left out is open. */
export interface RTCPortRange {
  min?: number;
  max?: number;
}

export interface RTCConfiguration {
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Recorded as given; rtckit bundles every section whatever it says. */
  bundlePolicy?: RTCBundlePolicy;
  rtcpMuxPolicy?: RTCRtcpMuxPolicy;
  iceCandidatePoolSize?: number;
  /** Only empty (TypeError otherwise): rtckit makes each connection's DTLS certificate itself. */
  certificates?: readonly unknown[];
  /** wrtc's: host candidates bind a UDP port in this range. */
  portRange?: RTCPortRange;
  /** wrtc's: only 'unified-plan'. */
  sdpSemantics?: 'unified-plan';
  /** Non-standard: local IPs to gather host candidates on (default: RTCKIT_BIND_ADDRESSES, else every interface). */
  bindAddresses?: string[] | string;
}

/** getConfiguration: the configuration as set, every W3C member present, wrtc's too. */
export interface RTCConfigurationState extends RTCConfiguration {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  bundlePolicy: RTCBundlePolicy;
  rtcpMuxPolicy: RTCRtcpMuxPolicy;
  iceCandidatePoolSize: number;
  certificates: never[];
  portRange: RTCPortRange;
  sdpSemantics: 'unified-plan';
  bindAddresses?: string[];
}

export interface RTCSessionDescriptionInit {
  type: RTCSdpType;
  sdp?: string;
}

export declare class RTCSessionDescription {
  constructor(init: RTCSessionDescriptionInit);
  readonly type: RTCSdpType;
  readonly sdp: string;
  toJSON(): RTCSessionDescriptionInit;
}

export interface RTCIceCandidateInit {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export declare class RTCIceCandidate {
  constructor(init: RTCIceCandidateInit);
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
  readonly usernameFragment: string | null;
  readonly foundation: string | null;
  readonly component: 'rtp' | 'rtcp' | null;
  readonly priority: number | null;
  readonly address: string | null;
  readonly protocol: string | null;
  readonly port: number | null;
  readonly type: string | null;
  readonly tcpType: string | null;
  readonly relatedAddress: string | null;
  readonly relatedPort: number | null;
  toJSON(): RTCIceCandidateInit;
}

export interface RTCDataChannelInit {
  ordered?: boolean;
  maxPacketLifeTime?: number;
  maxRetransmits?: number;
  protocol?: string;
  negotiated?: boolean;
  id?: number;
}

export declare class RTCPeerConnectionIceEvent extends Event {
  constructor(type: string, init?: { candidate?: RTCIceCandidate | null; url?: string | null });
  readonly candidate: RTCIceCandidate | null;
  readonly url: string | null;
}

/** A STUN or TURN server that could not be used while gathering. `errorCode` is the server's
 * STUN error code (300-699, e.g. 401 for wrong credentials), or 701 when it could not be
 * reached or did not answer; `address` and `port` are the local ones that tried. */
export declare class RTCPeerConnectionIceErrorEvent extends Event {
  constructor(
    type: string,
    init?: { address?: string | null; port?: number | null; url?: string; errorCode?: number; errorText?: string },
  );
  readonly address: string | null;
  readonly port: number | null;
  readonly url: string;
  readonly errorCode: number;
  readonly errorText: string;
}

export declare class RTCDataChannelEvent extends Event {
  constructor(type: string, init: { channel: RTCDataChannel });
  readonly channel: RTCDataChannel;
}

export interface RTCDataChannelErrorEvent extends Event {
  readonly error: Error;
}

export declare class RTCDataChannel extends EventTarget {
  private constructor();
  readonly label: string;
  readonly protocol: string;
  readonly ordered: boolean;
  readonly maxPacketLifeTime: number | null;
  readonly maxRetransmits: number | null;
  readonly negotiated: boolean;
  readonly id: number | null;
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  /** Non-standard: the largest message send() accepts on this connection. */
  readonly maxMessageSize: number;
  binaryType: 'arraybuffer' | 'blob';
  onopen: ((this: RTCDataChannel, ev: Event) => any) | null;
  onmessage: ((this: RTCDataChannel, ev: MessageEvent<string | ArrayBuffer | Blob>) => any) | null;
  onbufferedamountlow: ((this: RTCDataChannel, ev: Event) => any) | null;
  onerror: ((this: RTCDataChannel, ev: RTCDataChannelErrorEvent) => any) | null;
  onclosing: ((this: RTCDataChannel, ev: Event) => any) | null;
  onclose: ((this: RTCDataChannel, ev: Event) => any) | null;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(): void;
}

export interface RTCRtpCodec {
  mimeType: string;
  clockRate: number;
  channels?: number;
  sdpFmtpLine?: string;
}

export interface RTCRtpCapabilities {
  codecs: RTCRtpCodec[];
  headerExtensions: { uri: string }[];
}

/** W3C RTCRtpParameters: what negotiation settled on. */
export interface RTCRtpParameters {
  codecs: (RTCRtpCodec & { payloadType: number })[];
  headerExtensions: { uri: string; id: number; encrypted?: boolean }[];
  rtcp: { cname?: string; reducedSize?: boolean };
}

export interface RTCRtpSendParameters extends RTCRtpParameters {
  transactionId: string;
  encodings: { active?: boolean; maxBitrate?: number }[];
}

export type RTCRtpReceiveParameters = RTCRtpParameters;

export type RTCIceTransportState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';
export type RTCDtlsTransportState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';

/** The connection's ICE transport (one per connection: BUNDLE). */
export declare class RTCIceTransport extends EventTarget {
  private constructor();
  readonly state: RTCIceTransportState;
  readonly gatheringState: RTCIceGatheringState;
  /** 'unknown' until ICE starts checking. */
  readonly role: 'controlling' | 'controlled' | 'unknown';
  readonly component: 'rtp';
  onstatechange: ((this: RTCIceTransport, ev: Event) => any) | null;
  ongatheringstatechange: ((this: RTCIceTransport, ev: Event) => any) | null;
}

/** The connection's DTLS transport: sender.transport and receiver.transport (the same object). */
export declare class RTCDtlsTransport extends EventTarget {
  private constructor();
  readonly state: RTCDtlsTransportState;
  readonly iceTransport: RTCIceTransport;
  /** The remote certificates are not exposed: an empty list. */
  getRemoteCertificates(): ArrayBuffer[];
  onstatechange: ((this: RTCDtlsTransport, ev: Event) => any) | null;
  onerror: ((this: RTCDtlsTransport, ev: Event) => any) | null;
}

export declare class RTCRtpSender {
  static getCapabilities(kind: 'audio' | 'video'): RTCRtpCapabilities;
  readonly track: MediaStreamTrack | null;
  /** null until a description associated its transceiver. */
  readonly transport: RTCDtlsTransport | null;
  getParameters(): RTCRtpSendParameters;
  setParameters(parameters: RTCRtpSendParameters): Promise<void>;
  replaceTrack(track: MediaStreamTrack | null): Promise<void>;
}

export declare class RTCRtpReceiver {
  static getCapabilities(kind: 'audio' | 'video'): RTCRtpCapabilities;
  readonly track: MediaStreamTrack;
  /** null until a description associated its transceiver. */
  readonly transport: RTCDtlsTransport | null;
  /** The negotiated codecs, header extensions and RTCP parameters (empty lists before). */
  getParameters(): RTCRtpReceiveParameters;
}

export type RTCRtpTransceiverDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | 'stopped';

export declare class RTCRtpTransceiver {
  readonly mid: string | null;
  /** null for a transceiver made from a kind or by the remote offer. */
  readonly sender: RTCRtpSender | null;
  readonly receiver: RTCRtpReceiver;
  direction: RTCRtpTransceiverDirection;
  readonly currentDirection: RTCRtpTransceiverDirection | null;
  /** As @roamhq/wrtc and earlier W3C drafts have it: true once stop() was called. */
  readonly stopped: boolean;
  setCodecPreferences(codecs: RTCRtpCodec[]): void;
  stop(): void;
}

export interface RTCRtpTransceiverInit {
  direction?: Exclude<RTCRtpTransceiverDirection, 'stopped'>;
  streams?: MediaStream[];
}

export declare class RTCTrackEvent extends Event {
  readonly track: MediaStreamTrack;
  readonly streams: MediaStream[];
  readonly receiver: RTCRtpReceiver;
  readonly transceiver: RTCRtpTransceiver | null;
}

/** One W3C stats object: id, type, timestamp and the members of its type. */
export interface RTCStats {
  id: string;
  type: string;
  timestamp: number;
  [member: string]: unknown;
}

/** getStats' report: stats objects by id. */
export declare class RTCStatsReport extends Map<string, RTCStats> {}

export declare class RTCPeerConnection extends EventTarget {
  constructor(configuration?: RTCConfiguration);
  readonly signalingState: RTCSignalingState;
  readonly iceGatheringState: RTCIceGatheringState;
  readonly iceConnectionState: RTCIceConnectionState;
  readonly connectionState: RTCPeerConnectionState;
  readonly localDescription: RTCSessionDescription | null;
  readonly remoteDescription: RTCSessionDescription | null;
  readonly currentLocalDescription: RTCSessionDescription | null;
  readonly currentRemoteDescription: RTCSessionDescription | null;
  readonly canTrickleIceCandidates: boolean | null;
  onicecandidate: ((this: RTCPeerConnection, ev: RTCPeerConnectionIceEvent) => any) | null;
  onicecandidateerror: ((this: RTCPeerConnection, ev: RTCPeerConnectionIceErrorEvent) => any) | null;
  /** The next offer restarts ICE with new credentials; negotiationneeded fires when stable. */
  restartIce(): void;
  onicegatheringstatechange: ((this: RTCPeerConnection, ev: Event) => any) | null;
  oniceconnectionstatechange: ((this: RTCPeerConnection, ev: Event) => any) | null;
  onconnectionstatechange: ((this: RTCPeerConnection, ev: Event) => any) | null;
  onsignalingstatechange: ((this: RTCPeerConnection, ev: Event) => any) | null;
  onnegotiationneeded: ((this: RTCPeerConnection, ev: Event) => any) | null;
  ondatachannel: ((this: RTCPeerConnection, ev: RTCDataChannelEvent) => any) | null;
  ontrack: ((this: RTCPeerConnection, ev: RTCTrackEvent) => any) | null;
  /** Sends the track with the negotiated codec (VP8/H.264, Opus/G.711); renegotiate afterwards. */
  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender;
  getSenders(): RTCRtpSender[];
  removeTrack(sender: RTCRtpSender): void;
  addTransceiver(trackOrKind: MediaStreamTrack | 'audio' | 'video', init?: RTCRtpTransceiverInit): RTCRtpTransceiver;
  getTransceivers(): RTCRtpTransceiver[];
  getReceivers(): RTCRtpReceiver[];
  /** W3C stats objects by id; with a track, its sender's or receiver's only. A sender's
   * outbound-rtp has rtckit's framesDropped: pushed frames its encoder could not take. */
  getStats(selector?: MediaStreamTrack | null): Promise<RTCStatsReport>;
  /** @deprecated The legacy callback forms browsers still accept; they resolve to undefined. */
  getStats(successCallback: (report: RTCStatsReport) => void, selector?: MediaStreamTrack | null): Promise<void>;
  getStats(selector: MediaStreamTrack | null, successCallback: (report: RTCStatsReport) => void, failureCallback?: (error: Error) => void): Promise<void>;
  getConfiguration(): RTCConfigurationState;
  setConfiguration(configuration?: RTCConfiguration): void;
  createOffer(options?: { iceRestart?: boolean }): Promise<RTCSessionDescription>;
  createAnswer(options?: object): Promise<RTCSessionDescription>;
  /** A {type: 'rollback'} description goes back to stable. */
  setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void>;
  /** @deprecated The legacy callback forms browsers still accept; they resolve to undefined. */
  createOffer(successCallback: (description: RTCSessionDescription) => void, failureCallback: (error: Error) => void, options?: object): Promise<void>;
  /** @deprecated */
  createAnswer(successCallback: (description: RTCSessionDescription) => void, failureCallback: (error: Error) => void): Promise<void>;
  /** @deprecated */
  setLocalDescription(description: RTCSessionDescriptionInit, successCallback: () => void, failureCallback: (error: Error) => void): Promise<void>;
  /** @deprecated */
  setRemoteDescription(description: RTCSessionDescriptionInit, successCallback: () => void, failureCallback: (error: Error) => void): Promise<void>;
  /** @deprecated */
  addIceCandidate(candidate: RTCIceCandidateInit | null, successCallback: () => void, failureCallback: (error: Error) => void): Promise<void>;
  createDataChannel(label: string, options?: RTCDataChannelInit): RTCDataChannel;
  close(): void;
}

/** Frame bytes: any byte view (wrtc's Uint8ClampedArray, Uint8Array, Buffer, a view into a
 * larger buffer). */
export type FrameData = Uint8Array | Uint8ClampedArray | DataView | ArrayBuffer;

export interface I420Frame {
  width: number;
  height: number;
  data: FrameData;
}

export interface RGBAFrame {
  width: number;
  height: number;
  data: FrameData;
}

export declare class MediaStreamTrack extends EventTarget {
  private constructor();
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly label: string;
  enabled: boolean;
  readonly muted: boolean;
  readonly readyState: 'live' | 'ended';
  onended: ((this: MediaStreamTrack, ev: Event) => any) | null;
  onmute: ((this: MediaStreamTrack, ev: Event) => any) | null;
  onunmute: ((this: MediaStreamTrack, ev: Event) => any) | null;
  stop(): void;
  /** A new track (a new id) fed by the same source, with its own enabled and stop(). */
  clone(): MediaStreamTrack;
}

export declare class MediaStream extends EventTarget {
  /** A stream, tracks, or wrtc's {id}: a stream with that id. */
  constructor(init?: MediaStreamTrack[] | MediaStream | { id?: string });
  /** A new stream (a new id) of clones of its tracks. */
  clone(): MediaStream;
  readonly id: string;
  getTracks(): MediaStreamTrack[];
  getAudioTracks(): MediaStreamTrack[];
  getVideoTracks(): MediaStreamTrack[];
  getTrackById(id: string): MediaStreamTrack | null;
  addTrack(track: MediaStreamTrack): void;
  removeTrack(track: MediaStreamTrack): void;
}

export type ConstrainNumber = number | { exact?: number; ideal?: number };
export interface MediaTrackConstraints {
  deviceId?: string | { exact?: string; ideal?: string };
  width?: ConstrainNumber;
  height?: ConstrainNumber;
  frameRate?: ConstrainNumber;
  sampleRate?: ConstrainNumber;
  channelCount?: ConstrainNumber;
}

export declare class MediaDeviceInfo {
  readonly deviceId: string;
  readonly kind: 'videoinput' | 'audioinput' | 'audiooutput';
  readonly label: string;
  readonly groupId: string;
  /** W3C: the four members as a plain object. */
  toJSON(): { deviceId: string; kind: 'videoinput' | 'audioinput' | 'audiooutput'; label: string; groupId: string };
}

/** @roamhq/wrtc's top-level getUserMedia: mediaDevices.getUserMedia. */
export declare function getUserMedia(constraints: { audio?: boolean | MediaTrackConstraints; video?: boolean | MediaTrackConstraints }): Promise<MediaStream>;

export declare const mediaDevices: {
  getUserMedia(constraints: { audio?: boolean | MediaTrackConstraints; video?: boolean | MediaTrackConstraints }): Promise<MediaStream>;
  enumerateDevices(): Promise<MediaDeviceInfo[]>;
  /** Non-standard: fake camera and microphone (as RTCKIT_FAKE_DEVICES=1). */
  useFakeDevices(enabled?: boolean): void;
};

export interface RTCAudioData {
  /** s16 samples, interleaved; or their little-endian bytes. */
  samples: Int16Array | Uint8Array | Uint8ClampedArray;
  sampleRate: number;
  bitsPerSample?: 16;
  channelCount?: number;
  numberOfFrames?: number;
}

declare class RTCVideoSource {
  constructor(init?: { isScreencast?: boolean; needsDenoising?: boolean | null });
  /** Default false. */
  readonly isScreencast: boolean;
  /** Default null (as wrtc). */
  readonly needsDenoising: boolean | null;
  createTrack(): MediaStreamTrack;
  onFrame(frame: I420Frame & { timestamp?: number }): void;
  close(): void;
}

declare class RTCAudioSource {
  createTrack(): MediaStreamTrack;
  onData(data: RTCAudioData): void;
  close(): void;
}

/** What an RTCVideoSink gives its onframe handler and 'frame' listeners: a plain object, as wrtc. */
export interface RTCVideoSinkFrameEvent {
  type: 'frame';
  frame: { width: number; height: number; rotation: number; data: Uint8Array };
}

/** What an RTCAudioSink gives its ondata handler and 'data' listeners: a plain object, as wrtc. */
export interface RTCAudioSinkDataEvent {
  samples: Int16Array;
  bitsPerSample: 16;
  sampleRate: number;
  channelCount: number;
  numberOfFrames: number;
  type: 'data';
}

declare class RTCVideoSink extends EventTarget {
  constructor(track: MediaStreamTrack);
  readonly stopped: boolean;
  onframe: ((this: RTCVideoSink, ev: RTCVideoSinkFrameEvent) => any) | null;
  onerror: ((this: RTCVideoSink, ev: Event) => any) | null;
  addEventListener(type: 'frame', listener: (ev: RTCVideoSinkFrameEvent) => any, options?: { once?: boolean }): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: 'frame', listener: (ev: RTCVideoSinkFrameEvent) => any): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  stop(): void;
}

declare class RTCAudioSink extends EventTarget {
  constructor(track: MediaStreamTrack);
  readonly stopped: boolean;
  ondata: ((this: RTCAudioSink, ev: RTCAudioSinkDataEvent) => any) | null;
  onerror: ((this: RTCAudioSink, ev: Event) => any) | null;
  addEventListener(type: 'data', listener: (ev: RTCAudioSinkDataEvent) => any, options?: { once?: boolean }): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: 'data', listener: (ev: RTCAudioSinkDataEvent) => any): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  stop(): void;
}

/** rtckit extra: a file (.webm, .mp4, .mkv, .ivf, .ogg, .h264, .y4m, .wav, frame-%3d.png) or a camera as tracks. */
declare class MediaPlayer {
  /** aiortc's MediaPlayer arguments; `format: 'v4l2'` opens a camera (`options.video_size`, `options.framerate`). */
  constructor(
    file: string | URL,
    options?: {
      loop?: boolean;
      format?: string | null;
      options?: Record<string, string | number>;
      decode?: boolean;
      timeout?: number;
    },
  );
  readonly audio: MediaStreamTrack | null;
  readonly video: MediaStreamTrack | null;
  stop(): void;
}

/** rtckit extra: writes tracks to a file (.webm, .mp4, .ivf, .ogg, .h264, .y4m, .wav, frame-%3d.png). */
declare class MediaRecorder {
  constructor(file: string | URL, options?: { format?: string | null });
  addTrack(track: MediaStreamTrack): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Frames (video) or packets (audio) written so far. */
  readonly count: number;
}

/** rtckit extra: plays an audio track on a speaker (deviceId from enumerateDevices). */
declare class AudioOutput {
  constructor(track: MediaStreamTrack, deviceId?: string);
  readonly playing: boolean;
  stop(): void;
}

/** rtckit extra: consumes tracks and drops their frames. */
declare class MediaBlackhole extends MediaRecorder {
  constructor();
}

// The classes of `nonstandard` are values only there (as in @roamhq/wrtc); their types are
// exported by name, for annotations.
export type { RTCVideoSource, RTCAudioSource, RTCVideoSink, RTCAudioSink, MediaPlayer, MediaRecorder, AudioOutput, MediaBlackhole };

/** @roamhq/wrtc's non-standard namespace: raw-frame sources and sinks, i420 helpers. */
export declare const nonstandard: {
  RTCVideoSource: typeof RTCVideoSource;
  RTCAudioSource: typeof RTCAudioSource;
  RTCVideoSink: typeof RTCVideoSink;
  RTCAudioSink: typeof RTCAudioSink;
  i420ToRgba(i420Frame: I420Frame, rgbaFrame: RGBAFrame): void;
  rgbaToI420(rgbaFrame: RGBAFrame, i420Frame: I420Frame): void;
  /** rtckit extra: the frame as a PNG image. */
  i420ToPng(i420Frame: I420Frame): Uint8Array;
  /** rtckit extra: the frame number the fake camera drew into a frame. */
  readFrameNumber(i420Frame: I420Frame): number;
  MediaPlayer: typeof MediaPlayer;
  MediaRecorder: typeof MediaRecorder;
  MediaBlackhole: typeof MediaBlackhole;
  AudioOutput: typeof AudioOutput;
};

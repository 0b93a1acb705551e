// Public types of rtckit for Node: the browser's WebRTC data API, plus `bindAddresses`
// and the `nonstandard` frame helpers.

export type RTCIceTransportPolicy = 'all' | 'relay';
export type RTCSdpType = 'offer' | 'pranswer' | 'answer' | 'rollback';
export type RTCSignalingState =
  | 'stable' | 'have-local-offer' | 'have-remote-offer' | 'have-local-pranswer' | 'have-remote-pranswer' | 'closed';
export type RTCIceGatheringState = 'new' | 'gathering' | 'complete';
export type RTCIceConnectionState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';
export type RTCPeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
export type RTCDataChannelState = 'connecting' | 'open' | 'closing' | 'closed';

export interface RTCIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface RTCConfiguration {
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Non-standard: local IPs to gather host candidates on (default: RTCKIT_BIND_ADDRESSES, else every interface). */
  bindAddresses?: string[] | string;
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
  onicegatheringstatechange: ((this: RTCPeerConnection, ev: Event) => any) | null;
  oniceconnectionstatechange: ((this: RTCPeerConnection, ev: Event) => any) | null;
  onconnectionstatechange: ((this: RTCPeerConnection, ev: Event) => any) | null;
  onsignalingstatechange: ((this: RTCPeerConnection, ev: Event) => any) | null;
  onnegotiationneeded: ((this: RTCPeerConnection, ev: Event) => any) | null;
  ondatachannel: ((this: RTCPeerConnection, ev: RTCDataChannelEvent) => any) | null;
  getConfiguration(): RTCConfiguration & { bundlePolicy: 'max-bundle'; rtcpMuxPolicy: 'require' };
  setConfiguration(configuration?: RTCConfiguration): void;
  createOffer(): Promise<RTCSessionDescription>;
  createAnswer(): Promise<RTCSessionDescription>;
  setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void>;
  createDataChannel(label: string, options?: RTCDataChannelInit): RTCDataChannel;
  close(): void;
}

export interface I420Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface RGBAFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** @roamhq/wrtc's non-standard helpers (media sources and sinks come with media tracks). */
export declare const nonstandard: {
  i420ToRgba(i420Frame: I420Frame, rgbaFrame: RGBAFrame): void;
  rgbaToI420(rgbaFrame: RGBAFrame, i420Frame: I420Frame): void;
  /** rtckit extra: the frame as a PNG image. */
  i420ToPng(i420Frame: I420Frame): Uint8Array;
};

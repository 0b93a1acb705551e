'use strict';
// rtckit for Node: the browser's WebRTC API from rtckit's Rust core.
const {
  RTCPeerConnection,
  RTCPeerConnectionIceEvent,
  RTCPeerConnectionIceErrorEvent,
  RTCDataChannelEvent,
  RTCTrackEvent,
} = require('./peer_connection');
const { RTCRtpSender, RTCRtpReceiver } = require('./rtp_sender');
const { RTCRtpTransceiver } = require('./rtp_transceiver');
const { RTCDataChannel } = require('./data_channel');
const { RTCIceCandidate } = require('./ice_candidate');
const { RTCSessionDescription } = require('./session_description');
const { RTCStatsReport } = require('./stats');
const nonstandard = require('./nonstandard');
const { MediaStream, MediaStreamTrack } = require('./track');
const { mediaDevices, MediaDeviceInfo } = require('./media_devices');
const { RTCDtlsTransport, RTCIceTransport } = require('./dtls_transport');

module.exports = {
  RTCPeerConnection,
  RTCSessionDescription,
  RTCIceCandidate,
  RTCDataChannel,
  RTCPeerConnectionIceEvent,
  RTCPeerConnectionIceErrorEvent,
  RTCDataChannelEvent,
  RTCTrackEvent,
  RTCRtpSender,
  RTCRtpReceiver,
  RTCRtpTransceiver,
  RTCDtlsTransport,
  RTCIceTransport,
  RTCStatsReport,
  MediaStream,
  MediaStreamTrack,
  MediaDeviceInfo,
  mediaDevices,
  /** wrtc's top-level getUserMedia: mediaDevices.getUserMedia. */
  getUserMedia: (constraints) => mediaDevices.getUserMedia(constraints),
  nonstandard,
};

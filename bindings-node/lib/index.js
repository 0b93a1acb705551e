'use strict';
// rtckit for Node: the browser's WebRTC API from rtckit's Rust core.
const { RTCPeerConnection, RTCPeerConnectionIceEvent, RTCDataChannelEvent } = require('./peer_connection');
const { RTCDataChannel } = require('./data_channel');
const { RTCIceCandidate } = require('./ice_candidate');
const { RTCSessionDescription } = require('./session_description');
const nonstandard = require('./nonstandard');

module.exports = {
  RTCPeerConnection,
  RTCSessionDescription,
  RTCIceCandidate,
  RTCDataChannel,
  RTCPeerConnectionIceEvent,
  RTCDataChannelEvent,
  nonstandard,
};

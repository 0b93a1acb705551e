//! rtckit-core: WebRTC for Python and Node.js, once, in Rust.
//!
//! Everything that is WebRTC lives here: the bindings (`bindings-python`, `bindings-node`)
//! only convert arguments and results. One file per concept; each binding file is named
//! after the core file it wraps. Media so far: raw frames (`frame`), local tracks and
//! streams (`track`), pushed sources (`source`), fake devices (`device`), and VP8/H.264
//! video and Opus/G.711 audio over a connection (`codec`, `rtp_sender`, `rtp_receiver`),
//! files (`container`, `media_player`, `media_recorder`), real devices (`camera`,
//! `microphone`, `audio_output`).

pub mod audio_output;
pub mod camera;
pub mod codec;
pub mod configuration;
pub mod container;
pub mod data_channel;
pub mod device;
pub mod error;
pub mod events;
pub mod frame;
pub mod ice_candidate;
mod inbound_interceptor;
mod jitter_buffer;
mod keyframe_requests;
mod logging;
mod mdns;
pub mod media_player;
pub mod media_recorder;
pub mod microphone;
pub mod operations;
pub mod peer_connection;
mod repaired_packets;
pub mod rtp_receiver;
pub mod rtp_sender;
pub mod rtp_transceiver;
pub mod runtime;
pub mod session_description;
pub mod source;
pub mod stats;
pub mod track;
mod turn_stream;

pub use audio_output::AudioOutput;
pub use configuration::{Configuration, IceServer, IceTransportPolicy};
pub use data_channel::{DataChannel, DataChannelEvent, DataChannelInit, Message, ReadyState};
pub use error::{Error, ErrorKind, Result};
pub use frame::{AudioFrame, PixelFormat, VideoFrame};
pub use ice_candidate::{CandidateFields, IceCandidate, IceCandidateError};
pub use media_player::{MediaPlayer, PlayerOptions};
pub use media_recorder::MediaRecorder;
pub use peer_connection::{PeerConnection, PeerConnectionEvent, SignalingState, States};
pub use session_description::{SdpType, SessionDescription};
pub use source::MediaSource;
pub use track::{FrameReceiver, MediaFrame, MediaStream, MediaStreamTrack, TrackEvent, TrackKind};

//! rtckit-core: WebRTC for Python and Node.js, once, in Rust.
//!
//! Everything that is WebRTC lives here: the bindings (`bindings-python`, `bindings-node`)
//! only convert arguments and results. One file per concept; each binding file is named
//! after the core file it wraps. Raw frames are in `frame`; tracks, codecs, devices and
//! files will join as `track`, `codec`, `device` and `file`.

pub mod configuration;
pub mod data_channel;
pub mod error;
pub mod events;
pub mod frame;
pub mod ice_candidate;
pub mod peer_connection;
pub mod runtime;
pub mod session_description;

pub use configuration::{Configuration, IceServer, IceTransportPolicy};
pub use data_channel::{DataChannel, DataChannelEvent, DataChannelInit, Message, ReadyState};
pub use error::{Error, ErrorKind, Result};
pub use frame::{AudioFrame, PixelFormat, VideoFrame};
pub use ice_candidate::{CandidateFields, IceCandidate};
pub use peer_connection::{PeerConnection, PeerConnectionEvent, SignalingState, States};
pub use session_description::{SdpType, SessionDescription};

//! One error type for everything rtckit reports, named by W3C DOMException kinds.
//!
//! Bindings map [`ErrorKind`] to their own classes (Python `rtckit.InvalidStateError`, a JS
//! `Error` whose `name` is the kind); the message always says what to fix. Errors coming
//! from webrtc-rs go through the one classifier, [`Error::from_webrtc`].

use std::fmt;

/// The DOMException names rtckit raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidStateError,
    InvalidAccessError,
    InvalidModificationError,
    SyntaxError,
    TypeError,
    RangeError,
    OperationError,
    NotFoundError,
    NotReadableError,
    NotSupportedError,
    OverconstrainedError,
}

impl ErrorKind {
    /// Every kind, for bindings that build one class per kind and for tests.
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::InvalidStateError,
        ErrorKind::InvalidAccessError,
        ErrorKind::InvalidModificationError,
        ErrorKind::SyntaxError,
        ErrorKind::TypeError,
        ErrorKind::RangeError,
        ErrorKind::OperationError,
        ErrorKind::NotFoundError,
        ErrorKind::NotReadableError,
        ErrorKind::NotSupportedError,
        ErrorKind::OverconstrainedError,
    ];

    /// The DOMException name (also the Python class name and the JS `error.name`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidStateError => "InvalidStateError",
            ErrorKind::InvalidAccessError => "InvalidAccessError",
            ErrorKind::InvalidModificationError => "InvalidModificationError",
            ErrorKind::SyntaxError => "SyntaxError",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::RangeError => "RangeError",
            ErrorKind::OperationError => "OperationError",
            ErrorKind::NotFoundError => "NotFoundError",
            ErrorKind::NotReadableError => "NotReadableError",
            ErrorKind::NotSupportedError => "NotSupportedError",
            ErrorKind::OverconstrainedError => "OverconstrainedError",
        }
    }
}

/// An error of a DOMException kind with a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }

    pub fn invalid_state(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidStateError, message)
    }

    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TypeError, message)
    }

    pub fn operation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::OperationError, message)
    }

    pub fn syntax(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::SyntaxError, message)
    }

    /// The error a closed peer connection answers every operation with.
    pub fn closed() -> Self {
        Self::invalid_state("the RTCPeerConnection is closed")
    }

    /// Classifies a webrtc-rs error, prefixing `context` (what rtckit was doing).
    pub fn from_webrtc(context: &str, err: webrtc::error::Error) -> Self {
        use webrtc::error::Error as W;
        let kind = match &err {
            W::ErrConnectionClosed
            | W::ErrDataChannelClosed
            | W::ErrClosedPipe
            | W::ErrDataChannelNotOpen
            | W::ErrNoRemoteDescription
            | W::ErrIncorrectSignalingState
            | W::ErrSignalingStateCannotRollback
            | W::ErrAlreadyClosed
            | W::ErrAgentClosed => ErrorKind::InvalidStateError,
            W::ErrStringSizeLimit | W::ErrMaxDataChannelID | W::ErrOutboundPacketTooLarge => {
                ErrorKind::TypeError
            }
            W::ErrRetransmitsOrPacketLifeTime => ErrorKind::TypeError,
            W::ErrSessionDescriptionNoFingerprint
            | W::ErrSessionDescriptionInvalidFingerprint
            | W::ErrSessionDescriptionConflictingFingerprints
            | W::ErrSessionDescriptionMissingIceUfrag
            | W::ErrSessionDescriptionMissingIcePwd
            | W::ErrSessionDescriptionConflictingIceUfrag
            | W::ErrSessionDescriptionConflictingIcePwd => ErrorKind::InvalidAccessError,
            W::ErrModifyingPeerIdentity
            | W::ErrModifyingCertificates
            | W::ErrModifyingBundlePolicy
            | W::ErrModifyingRTCPMuxPolicy
            | W::ErrModifyingICECandidatePoolSize => ErrorKind::InvalidModificationError,
            _ => ErrorKind::OperationError,
        };
        Self::new(kind, format!("{context}: {err}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for Error {}

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
            W::ErrStringSizeLimit | W::ErrMaxDataChannelID | W::ErrOutboundPacketTooLarge => ErrorKind::TypeError,
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

/// A panic caught where a call leaves the core, as the error the binding raises: a bug in
/// rtckit or below it fails that call with OperationError and the process goes on (an
/// unwinding panic must never cross into Python or Node, where it aborts or raises what
/// `except Exception` does not catch).
pub fn from_panic(payload: Box<dyn std::any::Any + Send>) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned());
    Error::operation(format!("rtckit failed inside (a bug; please report it): {what}"))
}

/// Runs `call`, turning a panic in it into an OperationError.
pub fn catch_panic<T>(call: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|payload| Err(from_panic(payload)))
}

/// Awaits `future`, turning a panic in it into an OperationError.
pub async fn catch_panic_async<T>(future: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    use futures::FutureExt;
    std::panic::AssertUnwindSafe(future).catch_unwind().await.unwrap_or_else(|payload| Err(from_panic(payload)))
}

/// Panics inside the core: what the bindings' tests use to check that a panic never crosses
/// into Python or Node.
#[doc(hidden)]
pub fn panic_for_test() -> Result<()> {
    panic!("a panic forced by a test")
}

/// As [`panic_for_test`], once the call has gone async.
#[doc(hidden)]
pub async fn panic_for_test_async() -> Result<()> {
    tokio::task::yield_now().await;
    panic!("a panic forced by a test, after an await")
}

"""rtckit: WebRTC for Python from one Rust core.

The names are W3C's, spelled as aiortc spells them, so aiortc code ports by changing its
imports. Every awaitable runs on rtckit's own runtime without holding the GIL.
"""

import atexit as _atexit

try:
    from . import _native
except ImportError as _err:
    # The one system library the module links: ALSA, as every audio wheel does.
    if "libasound" in str(_err):
        raise ImportError(
            "rtckit needs the system's ALSA library, libasound.so.2 "
            "(Debian/Ubuntu: apt install libasound2; Fedora: dnf install alsa-lib)"
        ) from _err
    raise
from .audio_output import AudioOutput
from .configuration import RTCBundlePolicy, RTCConfiguration, RTCIceServer, RTCIceTransportPolicy
from .data_channel import RTCDataChannel
from .exceptions import (
    InternalError,
    InvalidAccessError,
    InvalidModificationError,
    InvalidStateError,
    MediaStreamError,
    NotFoundError,
    NotReadableError,
    NotSupportedError,
    OperationError,
    OverconstrainedError,
    RTCError,
    RTCRangeError,
    RTCSyntaxError,
    RTCTypeError,
)
from .frame import AudioFrame, VideoFrame
from .ice_candidate import RTCIceCandidate, RTCPeerConnectionIceErrorEvent
from .media_player import MediaPlayer
from .media_recorder import MediaBlackhole, MediaRecorder
from .media_relay import MediaRelay
from .media_devices import MediaDeviceInfo, MediaDevices, mediaDevices, read_frame_number
from .peer_connection import RTCPeerConnection
from .rtp_sender import (
    RTCRtpCapabilities,
    RTCRtpCodecCapability,
    RTCRtpCodecParameters,
    RTCRtpEncodingParameters,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCRtpSendParameters,
)
from .rtp_transceiver import RTCRtpTransceiver
from .session_description import RTCSessionDescription
from .source import AudioSource, VideoSource
from .stats import RTCStats, RTCStatsReport
from .track import AudioStreamTrack, MediaStream, MediaStreamTrack, VideoStreamTrack

__all__ = [
    "AudioOutput",
    "AudioStreamTrack",
    "VideoStreamTrack",
    "AudioSource",
    "MediaBlackhole",
    "MediaDeviceInfo",
    "MediaPlayer",
    "MediaRecorder",
    "MediaRelay",
    "MediaDevices",
    "MediaStream",
    "MediaStreamTrack",
    "VideoSource",
    "mediaDevices",
    "read_frame_number",
    "AudioFrame",
    "VideoFrame",
    "InternalError",
    "InvalidAccessError",
    "InvalidModificationError",
    "InvalidStateError",
    "MediaStreamError",
    "NotFoundError",
    "NotReadableError",
    "NotSupportedError",
    "OperationError",
    "OverconstrainedError",
    "RTCBundlePolicy",
    "RTCConfiguration",
    "RTCIceTransportPolicy",
    "RTCDataChannel",
    "RTCError",
    "RTCIceCandidate",
    "RTCPeerConnectionIceErrorEvent",
    "RTCIceServer",
    "RTCPeerConnection",
    "RTCRangeError",
    "RTCRtpCapabilities",
    "RTCRtpCodecCapability",
    "RTCRtpCodecParameters",
    "RTCRtpEncodingParameters",
    "RTCRtpSendParameters",
    "RTCRtpReceiver",
    "RTCRtpSender",
    "RTCRtpTransceiver",
    "RTCSessionDescription",
    "RTCStats",
    "RTCStatsReport",
    "RTCSyntaxError",
    "RTCTypeError",
]

_atexit.register(_native._shutdown)

"""aiortc.contrib.media's helpers on rtckit: MediaPlayer (a file as tracks), MediaRecorder
(tracks to a file), MediaBlackhole (tracks consumed and dropped) and MediaRelay (one track
to many consumers)."""

from ..media_player import MediaPlayer
from ..media_recorder import MediaBlackhole, MediaRecorder
from ..media_relay import MediaRelay, RelayStreamTrack

__all__ = ["MediaBlackhole", "MediaPlayer", "MediaRecorder", "MediaRelay", "RelayStreamTrack"]

"""VideoFrame and AudioFrame with PyAV/aiortc's shapes; numpy is needed only for the
ndarray conversions."""

from __future__ import annotations

import fractions
from typing import Any, Optional

from . import _native
from .exceptions import RTCTypeError

#: Channels per pixel of the packed formats.
_CHANNELS = {"rgb24": 3, "bgr24": 3, "rgba": 4, "bgra": 4, "gray": 1, "gray8": 1}


def _numpy() -> Any:
    try:
        import numpy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("VideoFrame.to_ndarray/from_ndarray need numpy: pip install numpy") from exc
    return numpy


class VideoFrame:
    """A video frame, held as I420 (``format`` is "yuv420p")."""

    format = "yuv420p"

    def __init__(self, width: int = 16, height: int = 16, format: str = "yuv420p") -> None:
        if format != "yuv420p":
            raise RTCTypeError("VideoFrame(width, height) makes a black yuv420p frame; use from_ndarray for others")
        self._native = _native.VideoFrame(width, height)

    @classmethod
    def _wrap(cls, native: "_native.VideoFrame") -> "VideoFrame":
        frame = cls.__new__(cls)
        frame._native = native
        return frame

    @property
    def width(self) -> int:
        return self._native.width

    @property
    def height(self) -> int:
        return self._native.height

    @property
    def pts(self) -> Optional[int]:
        return self._native.pts

    @pts.setter
    def pts(self, value: Optional[int]) -> None:
        self._native.pts = value

    @property
    def time_base(self) -> fractions.Fraction:
        num, den = self._native.time_base
        return fractions.Fraction(num, den)

    @time_base.setter
    def time_base(self, value: fractions.Fraction) -> None:
        value = fractions.Fraction(value)
        self._native.time_base = (value.numerator, value.denominator)

    @property
    def time(self) -> Optional[float]:
        return None if self.pts is None else float(self.pts * self.time_base)

    def to_ndarray(self, format: str = "rgb24") -> Any:
        """An array of the pixels: (h, w, 3) for rgb24/bgr24, (h, w, 4) for rgba/bgra,
        (h, w) for gray, (h * 3 // 2, w) for yuv420p (flat for odd sizes)."""
        np = _numpy()
        data = np.frombuffer(self._native.to_pixels(format), dtype=np.uint8)
        w, h = self.width, self.height
        if format in ("yuv420p", "i420"):
            return data.reshape(h * 3 // 2, w) if w % 2 == 0 and h % 2 == 0 else data
        channels = _CHANNELS[format]
        return data.reshape(h, w) if channels == 1 else data.reshape(h, w, channels)

    @staticmethod
    def from_ndarray(array: Any, format: str = "rgb24") -> "VideoFrame":
        """A frame from a uint8 array shaped as ``to_ndarray`` returns it."""
        np = _numpy()
        array = np.asarray(array)
        if array.dtype != np.uint8:
            raise RTCTypeError(f"frames are made from uint8 arrays, not {array.dtype}")
        if format in ("yuv420p", "i420"):
            if array.ndim != 2 or array.shape[0] % 3 != 0:
                raise RTCTypeError(f"a yuv420p array is (height * 3 / 2, width), not {array.shape}")
            height, width = array.shape[0] * 2 // 3, array.shape[1]
        else:
            channels = _CHANNELS.get(format)
            if channels is None:
                _native.VideoFrame.from_pixels(1, 1, format, b"")  # raises NotSupportedError
                raise AssertionError("unreachable")
            expected = 2 if channels == 1 else 3
            if array.ndim != expected or (channels > 1 and array.shape[2] != channels):
                want = "(height, width)" if channels == 1 else f"(height, width, {channels})"
                raise RTCTypeError(f"a {format} array is {want}, not {array.shape}")
            height, width = array.shape[0], array.shape[1]
        data = np.ascontiguousarray(array).tobytes()
        return VideoFrame._wrap(_native.VideoFrame.from_pixels(width, height, format, data))

    def _repr_png_(self) -> bytes:
        """Shows the frame as an image in Jupyter."""
        return self._native.to_png()

    def __repr__(self) -> str:
        return f"<rtckit.VideoFrame {self.width}x{self.height} yuv420p pts={self.pts}>"


class AudioFrame:
    """Signed 16-bit interleaved audio (``format`` "s16")."""

    format = "s16"

    def __init__(self, native: "_native.AudioFrame") -> None:
        self._native = native

    @property
    def samples(self) -> int:
        """Samples per channel."""
        return self._native.samples

    @property
    def sample_rate(self) -> int:
        return self._native.sample_rate

    @property
    def channels(self) -> int:
        return self._native.channels

    @property
    def layout(self) -> str:
        return {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels}ch")

    @property
    def pts(self) -> Optional[int]:
        return self._native.pts

    @pts.setter
    def pts(self, value: Optional[int]) -> None:
        self._native.pts = value

    @property
    def time_base(self) -> fractions.Fraction:
        return fractions.Fraction(1, self.sample_rate)

    def to_ndarray(self) -> Any:
        """int16 array of shape (1, samples * channels), interleaved, as PyAV gives s16."""
        np = _numpy()
        return np.frombuffer(self._native.to_bytes(), dtype="<i2").reshape(1, -1)

    @staticmethod
    def from_ndarray(array: Any, format: str = "s16", layout: str = "mono", sample_rate: int = 48000) -> "AudioFrame":
        np = _numpy()
        if format != "s16":
            raise RTCTypeError(f"audio frames are s16, not {format!r}")
        channels = {"mono": 1, "stereo": 2}.get(layout)
        if channels is None:
            raise RTCTypeError(f"layout must be 'mono' or 'stereo', not {layout!r}")
        array = np.asarray(array)
        if array.dtype != np.int16:
            raise RTCTypeError(f"s16 audio is an int16 array, not {array.dtype}")
        data = np.ascontiguousarray(array, dtype="<i2").tobytes()
        return AudioFrame(_native.AudioFrame(data, sample_rate, channels))

    def __repr__(self) -> str:
        return f"<rtckit.AudioFrame {self.samples} samples {self.layout} {self.sample_rate} Hz pts={self.pts}>"

"""VideoFrame and AudioFrame with the part of PyAV's API that aiortc code uses: PyAV's
constructors, ``planes`` (buffer protocol, ``update()``), ``format``/``layout`` objects,
``to_ndarray``/``from_ndarray``, ``reformat``, ``to_image``/``from_image``, pts and time base.

A frame holds its pixels in its own format, as PyAV does: a frame rtckit received or made in
yuv420p stays the native I420 frame until its planes are asked for (then they are copied
once into bytearrays); a frame made in another format (``from_ndarray(..., "rgb24")``) keeps
those bytes and is converted to I420 when it is sent. numpy and Pillow are imported only by
the methods that need them.
"""

from __future__ import annotations

import fractions
import functools
from typing import Any, Optional, Sequence, Union

from . import _native as _binding
from .exceptions import NotSupportedError, RTCTypeError

#: Samples per pixel of the packed formats (the last axis of their arrays).
_PACKED = {"rgb24": 3, "bgr24": 3, "rgba": 4, "bgra": 4, "gray": 1}

#: ffmpeg's default layout for each channel count, and its channels, as PyAV names them.
_LAYOUTS = {
    "mono": ("FC",),
    "stereo": ("FL", "FR"),
    "2.1": ("FL", "FR", "LFE"),
    "4.0": ("FL", "FR", "FC", "BC"),
    "5.0": ("FL", "FR", "FC", "BL", "BR"),
    "5.1": ("FL", "FR", "FC", "LFE", "BL", "BR"),
    "6.1": ("FL", "FR", "FC", "LFE", "BC", "SL", "SR"),
    "7.1": ("FL", "FR", "FC", "LFE", "BL", "BR", "SL", "SR"),
}
_LAYOUT_OF_CHANNELS = {len(channels): name for name, channels in _LAYOUTS.items()}


def _numpy() -> Any:
    try:
        import numpy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("VideoFrame/AudioFrame ndarray conversions need numpy: pip install numpy") from exc
    return numpy


def _pil_image() -> Any:
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError("VideoFrame.to_image/from_image need Pillow: pip install Pillow") from exc
    return Image


@functools.lru_cache(maxsize=64)
def _layout(format: str, width: int, height: int) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    """The canonical name of `format` and its planes' (width, height, line_size) at that size;
    NotSupportedError for an unknown format, RTCRangeError for a size out of range."""
    name, planes = _binding.VideoFrame.plane_layout(format, width, height)
    return name, tuple(planes)


def _format_name(format: Any) -> str:
    name = getattr(format, "name", format)
    if not isinstance(name, str):
        raise RTCTypeError(f"a pixel format is a name such as 'rgb24', not {format!r}")
    return _layout(name, 1, 1)[0]


def _pair(time_base: fractions.Fraction) -> tuple[int, int]:
    return time_base.numerator, time_base.denominator


class _Named:
    """PyAV's format and layout objects: equal to another of the same name and to the name
    itself; ``str()`` is the name."""

    __slots__ = ()
    name: str

    def __eq__(self, other: object) -> bool:
        if isinstance(other, type(self)):
            return self.name == other.name
        if isinstance(other, str):
            return self.name == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    def __str__(self) -> str:
        return self.name


class VideoFormat(_Named):
    """PyAV's VideoFormat: ``name`` ("yuv420p", "rgb24", ...) and the frame's size. It
    compares equal to another of the same name and to the name itself; ``str()`` is the name."""

    __slots__ = ("name", "width", "height")

    def __init__(self, name: str, width: int = 0, height: int = 0) -> None:
        self.name = _format_name(name)
        self.width = width
        self.height = height

    @property
    def is_planar(self) -> bool:
        return self.name not in _PACKED

    @property
    def is_rgb(self) -> bool:
        return self.name in ("rgb24", "bgr24", "rgba", "bgra")

    def __repr__(self) -> str:
        return f"<rtckit.VideoFormat {self.name}, {self.width}x{self.height}>"


class VideoPlane(bytearray):
    """One plane of a VideoFrame, in PyAV's shape: ``buffer_size`` bytes in rows of
    ``line_size`` (rows are not padded), ``width`` x ``height`` samples. It is a bytearray:
    ``memoryview(plane)``, ``bytes(plane)`` and ``numpy.frombuffer(plane, numpy.uint8)`` read
    it without a copy, and writes to it, or ``update(data)``, change the frame."""

    __slots__ = ("width", "height", "line_size")

    def __init__(self, width: int, height: int, line_size: int) -> None:
        super().__init__(line_size * height)
        self.width = width
        self.height = height
        self.line_size = line_size

    @property
    def buffer_size(self) -> int:
        return self.line_size * self.height

    def update(self, data: Any) -> None:
        """Replaces the plane's bytes with `data` (any bytes-like object of buffer_size bytes)."""
        _update(self, data, self.buffer_size)

    def __repr__(self) -> str:
        return f"<rtckit.VideoPlane {self.width}x{self.height}, {self.buffer_size} bytes>"


def _update(plane: bytearray, data: Any, size: int) -> None:
    try:
        view = memoryview(data).cast("B")
    except TypeError as exc:
        raise RTCTypeError(f"a plane is updated from a contiguous bytes-like object, not {type(data).__name__}") from exc
    if view.nbytes != size:
        raise RTCTypeError(f"got {view.nbytes} bytes; need {size} bytes")
    plane[:] = view


def _new_planes(layout: Sequence[tuple[int, int, int]]) -> tuple[VideoPlane, ...]:
    return tuple(VideoPlane(width, height, line_size) for width, height, line_size in layout)


class VideoFrame:
    """A video frame with PyAV's API. ``VideoFrame(width, height, format="yuv420p")`` is a
    black frame; ``from_ndarray``/``from_image`` make one from pixels. Whatever its format,
    what reaches the encoder is I420."""

    key_frame: bool
    pts: Optional[int]
    # The pixels: the native I420 frame, or planes in the frame's format (one is None).
    _source: Optional[_binding.VideoFrame]
    _planes: Optional[tuple[VideoPlane, ...]]

    def __init__(self, width: int = 0, height: int = 0, format: str = "yuv420p") -> None:
        name, layout = _layout(_format_name(format), width, height)
        self._init(width, height, name)
        if name == "yuv420p":
            self._source = _binding.VideoFrame(width, height)
            return
        planes = _new_planes(layout)
        if name == "nv12":
            planes[0][:] = b"\x10" * planes[0].buffer_size
            planes[1][:] = b"\x80" * planes[1].buffer_size
        self._planes = planes

    def _init(self, width: int, height: int, name: str) -> None:
        self._format = VideoFormat(name, width, height)
        self._source = None
        self._planes = None
        self.pts = None
        self._time_base: Optional[fractions.Fraction] = None
        self.key_frame = False

    @classmethod
    def _wrap(cls, native: _binding.VideoFrame) -> "VideoFrame":
        """A frame over a native one (received, played, captured), without a copy."""
        frame = cls.__new__(cls)
        frame._init(native.width, native.height, "yuv420p")
        frame._source = native
        frame.pts = native.pts
        frame._time_base = fractions.Fraction(*native.time_base)
        frame.key_frame = native.key_frame
        return frame

    @classmethod
    def _blank(cls, width: int, height: int, name: str) -> "VideoFrame":
        """A frame of zeroed planes, for the caller to fill."""
        frame = cls.__new__(cls)
        frame._init(width, height, name)
        frame._planes = _new_planes(_layout(name, width, height)[1])
        return frame

    @property
    def width(self) -> int:
        return self._format.width

    @property
    def height(self) -> int:
        return self._format.height

    @property
    def format(self) -> VideoFormat:
        return self._format

    @property
    def planes(self) -> tuple[VideoPlane, ...]:
        if self._planes is None:
            assert self._source is not None
            planes = _new_planes(_layout("yuv420p", self.width, self.height)[1])
            self._source.reformat_into("yuv420p", self.width, self.height, planes)
            # From now on the planes are the frame: writes to them must reach what is sent.
            self._planes, self._source = planes, None
        return self._planes

    @property
    def time_base(self) -> Optional[fractions.Fraction]:
        return self._time_base

    @time_base.setter
    def time_base(self, value: Optional[Union[fractions.Fraction, int]]) -> None:
        self._time_base = None if value is None else fractions.Fraction(value)

    @property
    def time(self) -> Optional[float]:
        """pts in seconds (None without a pts, NaN without a time base, as PyAV)."""
        if self.pts is None:
            return None
        return float("nan") if self._time_base is None else float(self.pts * self._time_base)

    @property
    def _native(self) -> _binding.VideoFrame:
        """The native I420 frame rtckit sends: the one it wraps, or one converted from the
        planes (a conversion, or one copy for yuv420p)."""
        if self._source is not None:
            native = self._source
        else:
            assert self._planes is not None
            native = _binding.VideoFrame.from_pixels(self.width, self.height, self._format.name, self._planes)
        native.pts = self.pts
        if self._time_base is not None:
            native.time_base = _pair(self._time_base)
        return native

    def _reformat_into(self, name: str, width: int, height: int, out: Any) -> None:
        if self._source is not None:
            self._source.reformat_into(name, width, height, out)
        else:
            assert self._planes is not None
            _binding.VideoFrame.reformat_pixels(
                self.width, self.height, self._format.name, self._planes, name, width, height, out
            )

    def reformat(
        self,
        width: Optional[int] = None,
        height: Optional[int] = None,
        format: Optional[str] = None,
        interpolation: Any = None,
        threads: Any = None,
    ) -> "VideoFrame":
        """A frame scaled to width x height (bilinear, an area average when shrinking) and
        converted to `format`, with this one's pts and time base; this frame itself when
        nothing changes, as PyAV."""
        name = self._format.name if format is None else _format_name(format)
        width = self.width if width is None else width
        height = self.height if height is None else height
        if (name, width, height) == (self._format.name, self.width, self.height):
            return self
        if self._source is not None and name == "yuv420p":
            frame = VideoFrame._wrap(self._source.scaled(width, height))
            frame.key_frame = False
        else:
            frame = VideoFrame._blank(width, height, name)
            self._reformat_into(name, width, height, frame._planes)
        frame.pts, frame._time_base = self.pts, self._time_base
        return frame

    def to_ndarray(
        self,
        format: Optional[str] = None,
        width: Optional[int] = None,
        height: Optional[int] = None,
        channel_last: bool = False,
        interpolation: Any = None,
    ) -> Any:
        """The pixels as a uint8 array, in this frame's format unless `format` says another
        (reformat's arguments apply): (h, w, 3) for rgb24/bgr24, (h, w, 4) for rgba/bgra,
        (h, w) for gray, (h * 3 // 2, w) for yuv420p and nv12 (flat for odd sizes). As in
        PyAV, a packed frame's own array is a view of its plane; others are new arrays."""
        np = _numpy()
        name = self._format.name if format is None else _format_name(format)
        width = self.width if width is None else width
        height = self.height if height is None else height
        if (name, width, height) == (self._format.name, self.width, self.height) and name in _PACKED:
            data: Any = self.planes[0]
        else:
            _, layout = _layout(name, width, height)
            data = bytearray(sum(line_size * rows for _, rows, line_size in layout))
            self._reformat_into(name, width, height, data)
        array = np.frombuffer(data, dtype=np.uint8)
        channels = _PACKED.get(name)
        if channels is None:
            return array.reshape(height * 3 // 2, width) if width % 2 == 0 and height % 2 == 0 else array
        return array.reshape(height, width) if channels == 1 else array.reshape(height, width, channels)

    @staticmethod
    def from_ndarray(array: Any, format: str = "rgb24", channel_last: bool = False) -> "VideoFrame":
        """A frame (in `format`) from a uint8 array shaped as ``to_ndarray`` gives it; the
        pixels are copied once into the frame's planes."""
        np = _numpy()
        name = _format_name(format)
        array = np.asarray(array)
        if array.dtype != np.uint8:
            raise RTCTypeError(f"a {name} frame is made from a uint8 array, not {array.dtype}")
        channels = _PACKED.get(name)
        if channels is None:
            if array.ndim != 2 or array.shape[0] % 3 != 0 or array.shape[1] % 2 != 0:
                raise RTCTypeError(
                    f"a {name} array is (height * 3 / 2, width) with an even width and height, not {array.shape}"
                )
            height, width = array.shape[0] * 2 // 3, array.shape[1]
        else:
            gray = channels == 1 and (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 1))
            if not gray and (array.ndim != 3 or array.shape[2] != channels):
                want = "(height, width)" if channels == 1 else f"(height, width, {channels})"
                raise RTCTypeError(f"a {name} array is {want}, not {array.shape}")
            height, width = array.shape[0], array.shape[1]
        frame = VideoFrame._blank(width, height, name)
        assert frame._planes is not None
        flat = array.reshape(-1)  # a view unless the array is not contiguous
        offset = 0
        for plane in frame._planes:
            np.frombuffer(plane, dtype=np.uint8)[:] = flat[offset : offset + plane.buffer_size]
            offset += plane.buffer_size
        return frame

    def to_image(self, **kwargs: Any) -> Any:
        """An RGB ``PIL.Image`` of the frame (needs Pillow); `kwargs` go to ``reformat``."""
        Image = _pil_image()
        frame = self.reformat(format="rgb24", **kwargs)
        return Image.frombytes("RGB", (frame.width, frame.height), bytes(frame.planes[0]))

    @staticmethod
    def from_image(img: Any) -> "VideoFrame":
        """An rgb24 frame from a ``PIL.Image`` (converted to RGB first, as PyAV does)."""
        _pil_image()
        if img.mode != "RGB":
            img = img.convert("RGB")
        frame = VideoFrame._blank(img.width, img.height, "rgb24")
        assert frame._planes is not None
        frame._planes[0].update(img.tobytes())
        return frame

    def _repr_png_(self) -> bytes:
        """Shows the frame as an image in Jupyter."""
        return self._native.to_png()

    def __repr__(self) -> str:
        return f"<rtckit.VideoFrame, pts={self.pts} {self._format.name} {self.width}x{self.height}>"


class AudioFormat(_Named):
    """PyAV's AudioFormat; rtckit's audio frames are "s16" (signed 16-bit, interleaved)."""

    __slots__ = ("name",)

    def __init__(self, name: str = "s16") -> None:
        if getattr(name, "name", name) != "s16":
            raise NotSupportedError(f"audio frames are s16 (signed 16-bit, interleaved), not {name!r}")
        self.name = "s16"

    bytes = 2
    bits = 16
    is_planar = False
    is_packed = True

    def __repr__(self) -> str:
        return f"<rtckit.AudioFormat {self.name}>"


class AudioChannel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<rtckit.AudioChannel {self.name}>"


class AudioLayout(_Named):
    """PyAV's AudioLayout: ``name`` ("mono", "stereo", ...), ``nb_channels``, ``channels``."""

    __slots__ = ("name", "channels")

    def __init__(self, layout: Union[str, int, "AudioLayout"]) -> None:
        name = _LAYOUT_OF_CHANNELS.get(layout) if isinstance(layout, int) else getattr(layout, "name", layout)
        if name not in _LAYOUTS:
            raise NotSupportedError(f"audio layout {layout!r} is not supported: use {', '.join(_LAYOUTS)}")
        assert isinstance(name, str)
        self.name = name
        self.channels = tuple(AudioChannel(c) for c in _LAYOUTS[name])

    @property
    def nb_channels(self) -> int:
        return len(self.channels)

    def __repr__(self) -> str:
        return f"<rtckit.AudioLayout {self.name!r}>"


class AudioPlane(bytearray):
    """The plane of an s16 AudioFrame: its interleaved samples, ``buffer_size`` bytes. A
    bytearray, so the buffer protocol reads it without a copy and writes change the frame."""

    __slots__ = ("_size",)

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self._size = size

    @property
    def buffer_size(self) -> int:
        return self._size

    def update(self, data: Any) -> None:
        """Replaces the samples with `data` (any bytes-like object of buffer_size bytes)."""
        _update(self, data, self.buffer_size)

    def __repr__(self) -> str:
        return f"<rtckit.AudioPlane {self.buffer_size} bytes>"


class AudioFrame:
    """An s16 audio frame with PyAV's API: ``AudioFrame(format="s16", layout="stereo",
    samples=N)`` is N samples per channel of silence. Unlike PyAV (which leaves it 0),
    ``sample_rate`` starts at 48000, the Opus rate; set it as aiortc code does."""

    key_frame: bool
    pts: Optional[int]
    sample_rate: int

    def __init__(self, format: Any = "s16", layout: Any = "stereo", samples: int = 0, align: int = 1) -> None:
        self._format = AudioFormat(format)
        self._layout = AudioLayout(layout)
        if not isinstance(samples, int) or samples < 0:
            raise RTCTypeError(f"samples is a count of samples per channel, not {samples!r}")
        self._samples = samples
        self._source: Optional[_binding.AudioFrame] = None
        self._plane: Optional[AudioPlane] = AudioPlane(samples * self._layout.nb_channels * 2)
        self.sample_rate = 48000
        self.pts = None
        self._time_base: Optional[fractions.Fraction] = None
        self.key_frame = False

    def _init_from(self, native: _binding.AudioFrame) -> None:
        self._format = AudioFormat()
        self._layout = AudioLayout(native.channels)
        self._samples = native.samples
        self._source = native
        self._plane = None
        self.sample_rate = native.sample_rate
        self.pts = native.pts
        self._time_base = fractions.Fraction(1, native.sample_rate)
        self.key_frame = False

    @classmethod
    def _wrap(cls, native: _binding.AudioFrame) -> "AudioFrame":
        """A frame over a native one (received, played, captured), without a copy."""
        frame = cls.__new__(cls)
        frame._init_from(native)
        return frame

    @property
    def format(self) -> AudioFormat:
        return self._format

    @property
    def layout(self) -> AudioLayout:
        return self._layout

    @property
    def samples(self) -> int:
        """Samples per channel."""
        return self._samples

    @property
    def channels(self) -> int:
        return self._layout.nb_channels

    @property
    def rate(self) -> int:
        return self.sample_rate

    @rate.setter
    def rate(self, value: int) -> None:
        self.sample_rate = value

    @property
    def planes(self) -> tuple[AudioPlane, ...]:
        if self._plane is None:
            assert self._source is not None
            plane = AudioPlane(self._samples * self.channels * 2)
            self._source.copy_into(plane)
            # From now on the plane is the frame: writes to it must reach what is sent.
            self._plane, self._source = plane, None
        return (self._plane,)

    @property
    def time_base(self) -> Optional[fractions.Fraction]:
        return self._time_base

    @time_base.setter
    def time_base(self, value: Optional[Union[fractions.Fraction, int]]) -> None:
        self._time_base = None if value is None else fractions.Fraction(value)

    @property
    def time(self) -> Optional[float]:
        """pts in seconds (None without a pts, NaN without a time base, as PyAV)."""
        if self.pts is None:
            return None
        return float("nan") if self._time_base is None else float(self.pts * self._time_base)

    @property
    def _native(self) -> _binding.AudioFrame:
        """The native frame rtckit sends; its pts counts samples (a 1/sample_rate time base)."""
        if self._source is not None and self._source.sample_rate == self.sample_rate:
            native = self._source
        else:
            data = self._plane if self._plane is not None else self.planes[0]
            if len(data) != data.buffer_size:
                raise RTCTypeError(f"the plane of {self.samples} samples was resized to {len(data)} bytes")
            native = _binding.AudioFrame(data, self.sample_rate, self.channels)
        native.pts = _in_samples(self.pts, self._time_base, self.sample_rate)
        return native

    def to_ndarray(self) -> Any:
        """A new int16 array of shape (1, samples * channels), interleaved, as PyAV gives s16."""
        np = _numpy()
        if self._plane is not None:
            data = bytearray(self._plane)
        else:
            assert self._source is not None
            data = self._source.to_bytes()
        return np.frombuffer(data, dtype="<i2").reshape(1, -1)

    @staticmethod
    def from_ndarray(array: Any, format: str = "s16", layout: Any = "stereo", sample_rate: int = 48000) -> "AudioFrame":
        """A frame from an int16 array of shape (1, samples * channels) (PyAV's packed shape);
        `sample_rate` is rtckit's addition (PyAV's frames start at 0)."""
        np = _numpy()
        frame_format, frame_layout = AudioFormat(format), AudioLayout(layout)
        array = np.asarray(array)
        if array.dtype != np.int16:
            raise RTCTypeError(f"s16 audio is an int16 array, not {array.dtype}")
        channels = frame_layout.nb_channels
        if array.ndim != 2 or array.shape[0] != 1 or array.shape[1] % channels != 0:
            raise RTCTypeError(
                f"packed {frame_layout.name} audio is an array of shape (1, samples * {channels}), not {array.shape}"
            )
        frame = AudioFrame(frame_format.name, frame_layout, array.shape[1] // channels)
        assert frame._plane is not None
        np.frombuffer(frame._plane, dtype="<i2")[:] = array.reshape(-1)
        frame.sample_rate = sample_rate
        return frame

    def __repr__(self) -> str:
        return (
            f"<rtckit.AudioFrame pts={self.pts}, {self.samples} samples at {self.sample_rate}Hz, "
            f"{self._layout.name}, s16>"
        )


def _in_samples(pts: Optional[int], time_base: Optional[fractions.Fraction], sample_rate: int) -> Optional[int]:
    """pts rescaled to a 1/sample_rate time base."""
    if pts is None or time_base is None or time_base * sample_rate == 1:
        return pts
    return round(pts * time_base * sample_rate)


def _is_pyav(frame: Any, name: str) -> bool:
    """Whether `frame` is a PyAV frame class `name`, without importing av."""
    return any(cls.__name__ == name and cls.__module__.split(".")[0] == "av" for cls in type(frame).__mro__)


def _to_native(frame: Any, kind: str) -> Union[_binding.VideoFrame, _binding.AudioFrame]:
    """The native frame rtckit pushes for what a user track's ``recv()`` returned: an
    rtckit VideoFrame/AudioFrame, or a PyAV ``av.VideoFrame`` (any format PyAV converts to
    yuv420p) / ``av.AudioFrame`` (s16, s16p, flt, fltp; made s16 interleaved), keeping its
    size, sample rate, channels, pts and time base. RTCTypeError for anything else."""
    if kind == "video":
        if isinstance(frame, VideoFrame):
            return frame._native
        if _is_pyav(frame, "VideoFrame"):
            return _pyav_video(frame)
        expected = "a VideoFrame (rtckit's or av's)"
    elif kind == "audio":
        if isinstance(frame, AudioFrame):
            return frame._native
        if _is_pyav(frame, "AudioFrame"):
            return _pyav_audio(frame)
        expected = "an AudioFrame (rtckit's or av's)"
    else:
        raise RTCTypeError(f"a track's kind is 'audio' or 'video', not {kind!r}")
    raise RTCTypeError(f"a {kind} track's recv() must return {expected}, not {type(frame).__name__}")


def _pyav_video(frame: Any) -> _binding.VideoFrame:
    if frame.format.name != "yuv420p":
        try:
            frame = frame.reformat(format="yuv420p")
        except Exception as exc:
            raise RTCTypeError(f"an av.VideoFrame in {frame.format.name} does not convert to yuv420p: {exc}") from exc
    _, layout = _layout("yuv420p", frame.width, frame.height)
    # PyAV pads rows to its alignment: join the rows, one copy into a bytes the native frame keeps.
    parts: list[Any] = []
    for plane, (width, rows, _) in zip(frame.planes, layout):
        view = memoryview(plane).cast("B")
        if plane.line_size == width:
            parts.append(view[: width * rows])
        else:
            parts.extend(view[row * plane.line_size : row * plane.line_size + width] for row in range(rows))
    native = _binding.VideoFrame.from_pixels(frame.width, frame.height, "yuv420p", b"".join(parts))
    native.pts = frame.pts
    if frame.time_base is not None:
        native.time_base = _pair(frame.time_base)
    return native


def _pyav_audio(frame: Any) -> _binding.AudioFrame:
    format, channels, samples = frame.format.name, len(frame.layout.channels), frame.samples
    size = samples * channels * 2
    if format == "s16":
        data: Union[bytes, bytearray] = memoryview(frame.planes[0]).cast("B")[:size].tobytes()
    elif format in ("s16p", "flt", "fltp"):
        np = _numpy()
        array = frame.to_ndarray()
        if format in ("s16p", "fltp"):
            array = array[:, :samples].T  # (samples, channels): interleaved once flattened
        if format != "s16p":
            # swresample's float -> s16: scaled by 32768, rounded, clipped.
            array = np.clip(np.rint(array * 32768.0), -32768, 32767)
        data = bytearray(size)
        np.frombuffer(data, dtype="<i2")[:] = array.reshape(-1)[: samples * channels]
    else:
        raise RTCTypeError(f"an av.AudioFrame in {format} is not supported: use s16, s16p, flt or fltp")
    native = _binding.AudioFrame(data, frame.sample_rate, channels)
    native.pts = _in_samples(frame.pts, frame.time_base, frame.sample_rate)
    return native

"""Frames built and read the way aiortc code does, side by side with PyAV's own results for
the same operations; av frames a user track returns become the native frames rtckit sends;
a frame made from numpy crosses a real connection."""

import asyncio
import fractions
import subprocess
import sys

import numpy as np
import pytest

import rtckit
from conftest import LOOPBACK, connect, next_event, run

import av

VIDEO_FORMATS = ["yuv420p", "nv12", "rgb24", "bgr24", "rgba", "bgra", "gray"]


def smooth_image(height=48, width=64):
    """Gradients: colour conversions of different libraries agree closely on them."""
    y, x = np.mgrid[0:height, 0:width]
    r, g, b = x * 255 // (width - 1), y * 255 // (height - 1), (x + y) * 255 // (width + height - 2)
    return np.stack([r, g, 255 - b], axis=-1).astype(np.uint8)


def as_pyav_array(image, format):
    """The same picture as a `format` array, made by PyAV."""
    return av.VideoFrame.from_ndarray(image, format="rgb24").to_ndarray(format=format)


def max_diff(a, b):
    assert a.shape == b.shape, (a.shape, b.shape)
    return int(np.abs(a.astype(int) - b.astype(int)).max())


@pytest.mark.parametrize("format", VIDEO_FORMATS)
def test_constructed_frames_have_pyav_planes(format):
    ours, theirs = rtckit.VideoFrame(640, 480, format), av.VideoFrame(640, 480, format)
    assert ours.format.name == theirs.format.name == format
    assert (ours.width, ours.height) == (640, 480)
    shape = lambda planes: [(p.width, p.height, p.line_size, p.buffer_size) for p in planes]  # noqa: E731
    assert shape(ours.planes) == shape(theirs.planes)  # PyAV's rows are unpadded at this width
    # Odd sizes: the same plane sizes; rtckit's rows are never padded.
    small, pyav_small = rtckit.VideoFrame(5, 3, format), av.VideoFrame(5, 3, format)
    assert [(p.width, p.height) for p in small.planes] == [(p.width, p.height) for p in pyav_small.planes]
    assert all(p.buffer_size == p.line_size * p.height for p in small.planes)
    # rtckit's new frames are black (PyAV leaves them uninitialised).
    black = small.to_ndarray(format="rgb24")
    assert black.max() <= 1
    assert rtckit.VideoFrame(4, 2).format.name == av.VideoFrame(4, 2).format.name == "yuv420p"


def test_aiortc_patterns_planes_update_and_buffer_protocol():
    # aiortc's VideoStreamTrack.recv: a frame whose planes are overwritten with update().
    frame = rtckit.VideoFrame(width=64, height=48)
    for p in frame.planes:
        p.update(bytes(p.buffer_size))
    frame.pts, frame.time_base = 3000, fractions.Fraction(1, 90000)
    assert not frame.to_ndarray().any() and frame.time == 3000 / 90000
    assert not frame._native.to_pixels("yuv420p").strip(b"\0")  # what is sent: the zeros

    # memoryview, bytes and numpy read a plane without a copy; writes change the frame.
    y = frame.planes[0]
    view = memoryview(y)
    assert not view.readonly and view.nbytes == y.buffer_size == 64 * 48
    np.frombuffer(y, np.uint8)[:64] = 200  # the first row
    assert bytes(y)[:64] == b"\xc8" * 64 and view[0] == 200
    assert (frame.to_ndarray()[0] == 200).all() and (frame.to_ndarray()[1] == 0).all()
    sent = np.frombuffer(frame._native.to_pixels("yuv420p"), np.uint8)
    assert (sent[:64] == 200).all() and not sent[64:].any()
    u = frame.planes[1]
    u.update(np.full(u.buffer_size, 90, np.uint8))  # any bytes-like object
    assert (frame.to_ndarray()[48:60] == 90).all()
    with pytest.raises(rtckit.RTCTypeError):
        u.update(bytes(u.buffer_size + 1))
    assert repr(u).startswith("<rtckit.VideoPlane 32x24")

    # As in PyAV, a packed frame's own array is a view of its plane; yuv420p's is a copy.
    for make in (rtckit.VideoFrame.from_ndarray, av.VideoFrame.from_ndarray):
        rgb = make(smooth_image(), format="rgb24")
        rgb.to_ndarray()[0, 0] = (1, 2, 3)
        assert rgb.to_ndarray()[0, 0].tolist() == [1, 2, 3]
        yuv = make(np.zeros((72, 64), np.uint8), format="yuv420p")
        yuv.to_ndarray()[0, 0] = 9
        assert yuv.to_ndarray()[0, 0] == 0


def test_received_style_frames_expose_planes_and_writes_reach_what_is_sent():
    """A wrapped native frame (as track.recv() returns) reads its planes from the native
    I420 data once; afterwards the planes are the frame."""
    image = smooth_image()
    native = rtckit.VideoFrame.from_ndarray(image, format="rgb24")._native
    native.pts = 1234
    frame = rtckit.VideoFrame._wrap(native)
    assert (frame.format.name, frame.pts, frame.time_base) == ("yuv420p", 1234, fractions.Fraction(1, 90000))
    assert frame._native is native  # untouched: sent as it is, no copy
    i420 = bytes(native.to_pixels("yuv420p"))
    assert b"".join(bytes(p) for p in frame.planes) == i420
    assert frame.to_ndarray().tobytes() == i420
    frame.planes[0].update(bytes(64 * 48))
    assert frame._native is not native
    assert frame._native.to_pixels("yuv420p")[: 64 * 48] == bytes(64 * 48) and frame._native.pts == 1234


@pytest.mark.parametrize("format", VIDEO_FORMATS)
def test_ndarray_round_trips_are_exact_and_shaped_as_pyav(format):
    array = as_pyav_array(smooth_image(), format)
    ours = rtckit.VideoFrame.from_ndarray(array, format=format)
    theirs = av.VideoFrame.from_ndarray(array, format=format)
    assert ours.format.name == format and (ours.width, ours.height) == (theirs.width, theirs.height) == (64, 48)
    assert np.array_equal(ours.to_ndarray(), array) and np.array_equal(theirs.to_ndarray(), array)
    assert np.array_equal(ours.to_ndarray(format=format), array)
    for other in VIDEO_FORMATS:
        # Conversions agree with swscale's: exactly between the RGB orders and between the
        # YUV layouts, within 1 into YUV or gray, within 3 out of YUV.
        mine, pyav = ours.to_ndarray(format=other), theirs.to_ndarray(format=other)
        rgb, yuv = {"rgb24", "bgr24", "rgba", "bgra"}, {"yuv420p", "nv12"}
        if format == "nv12" and other not in yuv:
            # swscale's nv12 route to RGB is coarser than its yuv420p one (6 apart here).
            pyav = av.VideoFrame.from_ndarray(theirs.to_ndarray(format="yuv420p"), "yuv420p").to_ndarray(format=other)
        lossless = {format, other} <= rgb or {format, other} <= yuv
        tolerance = 0 if lossless else 1 if format in rgb | {"gray"} else 3
        assert max_diff(mine, pyav) <= tolerance, (format, other)


def test_reformat_scales_and_converts_like_pyav():
    image = smooth_image()
    ours = rtckit.VideoFrame.from_ndarray(image, format="rgb24")
    theirs = av.VideoFrame.from_ndarray(image, format="rgb24")
    ours.pts, ours.time_base = 3000, fractions.Fraction(1, 90000)
    assert ours.reformat() is ours and ours.reformat(64, 48, "rgb24") is ours  # as PyAV
    for width, height, format in [(32, 24, None), (100, 70, None), (16, 12, "yuv420p"), (50, 30, "yuv420p"), (96, 72, "gray")]:
        mine = ours.reformat(width=width, height=height, format=format)
        pyav = theirs.reformat(width=width, height=height, format=format)
        assert (mine.width, mine.height, mine.format.name) == (pyav.width, pyav.height, pyav.format.name)
        assert (mine.pts, mine.time_base) == (3000, fractions.Fraction(1, 90000))
        assert max_diff(mine.to_ndarray(), pyav.to_ndarray()) <= 2, (width, height, format)
    # A yuv420p frame scales in core and stays native; to_ndarray(width=, height=) as PyAV.
    yuv = rtckit.VideoFrame._wrap(ours._native)  # as received
    half = yuv.reformat(width=32, height=24)
    assert half._source is not None and half.to_ndarray().shape == (36, 32)
    pyav_half = theirs.reformat(format="yuv420p").reformat(width=32, height=24)
    assert max_diff(half.to_ndarray(), pyav_half.to_ndarray()) <= 2
    assert yuv.to_ndarray(width=32, height=24, format="rgb24").shape == (24, 32, 3)
    # Shrinking averages: one-pixel stripes become their mean, not one of the stripes.
    stripes = np.zeros((8, 8), np.uint8)
    stripes[:, 1::2] = 200
    assert (rtckit.VideoFrame.from_ndarray(stripes, format="gray").reformat(4, 4).to_ndarray() == 100).all()


def test_audio_frames_match_pyav():
    # aiortc's AudioStreamTrack.recv.
    ours = rtckit.AudioFrame(format="s16", layout="mono", samples=960)
    theirs = av.AudioFrame(format="s16", layout="mono", samples=960)
    for frame in (ours, theirs):
        for p in frame.planes:
            p.update(bytes(p.buffer_size))
        frame.pts, frame.sample_rate, frame.time_base = 960, 48000, fractions.Fraction(1, 48000)
    assert (ours.format.name, ours.layout.name, ours.samples) == (theirs.format.name, theirs.layout.name, 960)
    assert [p.buffer_size for p in ours.planes] == [p.buffer_size for p in theirs.planes] == [1920]
    assert np.array_equal(ours.to_ndarray(), theirs.to_ndarray()) and ours.to_ndarray().shape == (1, 960)
    assert (ours.time, ours.rate, ours.time_base) == (theirs.time, theirs.rate, theirs.time_base) == (0.02, 48000, fractions.Fraction(1, 48000))
    assert not any(rtckit.AudioFrame(samples=4).planes[0])  # zero-filled (PyAV leaves it uninitialised)

    # Packed s16 is (1, samples * channels), interleaved; planes read and write the frame.
    stereo = (np.arange(20, dtype=np.int16) * 100).reshape(1, -1)
    ours = rtckit.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
    theirs = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
    assert (ours.samples, ours.channels) == (theirs.samples, len(theirs.layout.channels)) == (10, 2)
    assert [c.name for c in ours.layout.channels] == [c.name for c in theirs.layout.channels] == ["FL", "FR"]
    assert bytes(ours.planes[0]) == bytes(theirs.planes[0])[: 40] == stereo.tobytes()
    np.frombuffer(ours.planes[0], np.int16)[0] = -5
    assert ours.to_ndarray()[0, 0] == -5 and ours._native.to_bytes()[:2] == (-5).to_bytes(2, "little", signed=True)
    assert rtckit.AudioFrame.from_ndarray(stereo).layout == "stereo" == av.AudioFrame.from_ndarray(stereo).layout.name
    for name in ["mono", "stereo", "2.1", "4.0", "5.0", "5.1", "6.1", "7.1"]:
        layout = rtckit.frame.AudioLayout(name)
        assert [c.name for c in layout.channels] == [c.name for c in av.AudioLayout(name).channels]
        assert layout.name == av.AudioLayout(f"{layout.nb_channels}c").name  # ffmpeg's default for the count

    # Received-style frames wrap the native one; pts in a time base other than 1/rate is rescaled when sent.
    wrapped = rtckit.AudioFrame._wrap(rtckit._native.AudioFrame(stereo.tobytes(), 16000, 2))
    assert (wrapped.sample_rate, wrapped.layout.name, wrapped.time_base) == (16000, "stereo", fractions.Fraction(1, 16000))
    assert np.array_equal(wrapped.to_ndarray(), stereo)
    wrapped.pts, wrapped.time_base = 90000, fractions.Fraction(1, 90000)
    assert wrapped._native.pts == 16000


def test_pil_images_both_ways():
    from PIL import Image
    image = smooth_image()
    yuv = as_pyav_array(image, "yuv420p")
    ours, theirs = rtckit.VideoFrame.from_ndarray(yuv, "yuv420p"), av.VideoFrame.from_ndarray(yuv, "yuv420p")
    picture = ours.to_image()
    assert picture.mode == "RGB" and picture.size == theirs.to_image().size == (64, 48)
    assert max_diff(np.asarray(picture), np.asarray(theirs.to_image())) <= 3
    assert ours.to_image(width=32, height=24).size == (32, 24)
    rgba = Image.fromarray(np.dstack([image, np.full((48, 64), 7, np.uint8)]), "RGBA")
    ours, theirs = rtckit.VideoFrame.from_image(rgba), av.VideoFrame.from_image(rgba)
    assert ours.format.name == theirs.format.name == "rgb24"
    assert np.array_equal(ours.to_ndarray(), theirs.to_ndarray())


def test_without_pillow_image_conversions_say_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(ImportError, match="pip install Pillow"):
        rtckit.VideoFrame(4, 2).to_image()
    with pytest.raises(ImportError, match="pip install Pillow"):
        rtckit.VideoFrame.from_image(object())
    assert rtckit.VideoFrame(4, 2).to_ndarray().shape == (3, 4)  # the rest works without it


def test_pyav_frames_become_the_native_frames_rtckit_sends():
    to_native = rtckit.frame._to_native
    image = smooth_image()
    yuv = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
    for frame in (yuv, yuv.reformat(width=6, height=4), av.VideoFrame.from_ndarray(np.zeros((6, 10), np.uint8), "yuv420p")):
        frame.pts, frame.time_base = 4500, fractions.Fraction(1, 90000)
        native = to_native(frame, "video")
        assert isinstance(native, rtckit._native.VideoFrame)
        assert (native.width, native.height, native.pts, native.time_base) == (frame.width, frame.height, 4500, (1, 90000))
        # PyAV pads small frames' rows: the pixels, not the padding, are what is sent.
        assert frame.planes[0].line_size > frame.width or frame.width == 64
        assert bytes(native.to_pixels("yuv420p")) == frame.to_ndarray().tobytes()
    for format in ("rgb24", "bgra", "nv12", "gray"):
        frame = av.VideoFrame.from_ndarray(as_pyav_array(image, format), format=format)
        frame.pts, frame.time_base = 7, fractions.Fraction(1, 30)
        native = to_native(frame, "video")
        assert (native.pts, native.time_base) == (7, (1, 30))
        # Converted by PyAV itself: exactly PyAV's yuv420p.
        assert bytes(native.to_pixels("yuv420p")) == frame.reformat(format="yuv420p").to_ndarray().tobytes()

    tone = (np.sin(np.arange(480) / 5) * 20000).astype(np.int16)
    stereo = np.stack([tone, -tone])  # (channels, samples)
    expected = stereo.T.reshape(1, -1)  # interleaved
    for format, array in [
        ("s16", expected),
        ("s16p", stereo),
        ("flt", expected.astype(np.float32) / 32768),
        ("fltp", stereo.astype(np.float32) / 32768),
    ]:
        frame = av.AudioFrame.from_ndarray(array, format=format, layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = 16000, 320, fractions.Fraction(1, 16000)
        native = to_native(frame, "audio")
        assert isinstance(native, rtckit._native.AudioFrame)
        assert (native.sample_rate, native.channels, native.samples, native.pts) == (16000, 2, 480, 320), format
        got = np.frombuffer(native.to_bytes(), "<i2").reshape(1, -1)
        assert np.array_equal(got, expected), format

    # rtckit's own frames pass through; anything else is an RTCTypeError.
    ours = rtckit.VideoFrame(4, 2)
    ours.pts = 5
    assert to_native(ours, "video").pts == 5
    assert to_native(rtckit.AudioFrame(samples=4), "audio").samples == 4
    for frame, kind in [
        ("frame", "video"),
        (np.zeros((4, 4, 3), np.uint8), "video"),
        (yuv, "audio"),
        (rtckit.AudioFrame(samples=4), "video"),
        (av.AudioFrame.from_ndarray(np.zeros((1, 4), np.int32), format="s32", layout="mono"), "audio"),
        (ours, "data"),
    ]:
        with pytest.raises(rtckit.RTCTypeError):
            to_native(frame, kind)


def test_bad_input_gets_rtckit_errors():
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.VideoFrame.from_ndarray(np.zeros((4, 4, 3), np.float32), format="rgb24")  # dtype
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.VideoFrame.from_ndarray(np.zeros((4, 4)), format="gray")
    for shape, format in [((4, 4, 4), "rgb24"), ((4, 4), "rgba"), ((4, 4, 3), "gray"), ((6, 4, 1), "yuv420p")]:
        with pytest.raises(rtckit.RTCTypeError):
            rtckit.VideoFrame.from_ndarray(np.zeros(shape, np.uint8), format=format)
    for shape in [(7, 6), (6, 5)]:  # yuv420p and nv12 arrays need an even width and height
        for format in ("yuv420p", "nv12"):
            with pytest.raises(rtckit.RTCTypeError):
                rtckit.VideoFrame.from_ndarray(np.zeros(shape, np.uint8), format=format)
    frame = rtckit.VideoFrame(4, 4)
    for bad in (
        lambda: rtckit.VideoFrame(4, 4, "yuv444p"),
        lambda: rtckit.VideoFrame.from_ndarray(np.zeros((4, 4, 3), np.uint8), format="yuv444p"),
        lambda: frame.to_ndarray(format="p010le"),
        lambda: frame.reformat(format="xyz"),
        lambda: rtckit.AudioFrame(format="fltp", layout="stereo", samples=4),
        lambda: rtckit.AudioFrame(layout="weird", samples=4),
        lambda: rtckit.AudioFrame.from_ndarray(np.zeros((1, 4), np.int16), format="s32"),
    ):
        with pytest.raises(rtckit.NotSupportedError):
            bad()
    for bad in (
        lambda: rtckit.VideoFrame(0, 4),
        lambda: rtckit.VideoFrame(4, 20000, "rgb24"),
        lambda: frame.reformat(width=0),
        lambda: rtckit.VideoFrame.from_ndarray(np.zeros((0, 4, 3), np.uint8)),
    ):
        with pytest.raises(rtckit.RTCRangeError):
            bad()
    for shape, layout in [((1, 3), "stereo"), ((2, 4), "stereo"), ((4,), "mono")]:
        with pytest.raises(rtckit.RTCTypeError):
            rtckit.AudioFrame.from_ndarray(np.zeros(shape, np.int16), layout=layout)
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.AudioFrame.from_ndarray(np.zeros((1, 4), np.int32), layout="mono")
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.AudioFrame(samples=4).planes[0].update(b"short")
    with pytest.raises(rtckit.RTCTypeError):
        frame.planes[0].update("sixteen chars!!!")
    resized, audio = rtckit.VideoFrame(4, 4, "rgb24"), rtckit.AudioFrame(samples=4)
    resized.planes[0].extend(b"x")
    audio.planes[0].append(0)
    for frame in (resized, audio):
        with pytest.raises(rtckit.RTCTypeError):  # a plane whose size changed is not sent
            frame._native
    with pytest.raises(rtckit.RTCTypeError):  # native buffers are checked too
        rtckit._native.VideoFrame.from_pixels(4, 4, "rgb24", [bytes(16), bytes(32)])


def test_importing_rtckit_imports_neither_numpy_nor_av_nor_pillow():
    code = "import sys, rtckit; print(sorted({'numpy', 'av', 'PIL'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


class GradientTrack(rtckit.VideoStreamTrack):
    """aiortc's pattern: recv() builds frames from numpy with from_ndarray(rgb24)."""

    def __init__(self, image):
        super().__init__()
        self.image = image

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = rtckit.VideoFrame.from_ndarray(self.image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class PyAVTrack(rtckit.VideoStreamTrack):
    """A user track whose recv() returns av.VideoFrame objects, as aiortc code may."""

    def __init__(self, image):
        super().__init__()
        self.image = image

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame.from_ndarray(self.image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


async def send_and_receive(track):
    """Sends `track` from one peer to another over 127.0.0.1; returns the 10th decoded
    frame (past the first frames' quality ramp-up)."""
    a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
    a.addTrack(track)
    arrived = next_event(b, "track")
    await connect(a, b)
    remote = await asyncio.wait_for(arrived, 10)
    key_frames = []
    for _ in range(10):
        frame = await asyncio.wait_for(remote.recv(), 10)
        key_frames.append(frame.key_frame)
    assert key_frames[0]  # decoding starts at a key frame
    track.stop()
    await a.close()
    await b.close()
    return frame


def check_received(frame, image):
    assert isinstance(frame, rtckit.VideoFrame) and frame.format.name == "yuv420p"
    assert (frame.width, frame.height) == (image.shape[1], image.shape[0])
    assert frame.to_ndarray().shape == (image.shape[0] * 3 // 2, image.shape[1])
    rgb = frame.to_ndarray(format="rgb24")
    assert np.abs(rgb.astype(int) - image).mean() < 12  # lossy VP8 on a smooth picture


def test_a_frame_made_from_numpy_crosses_a_real_connection():
    image = smooth_image(120, 160)
    check_received(run(send_and_receive(GradientTrack(image))), image)


def test_a_user_track_may_return_pyav_frames():
    image = smooth_image(120, 160)
    check_received(run(send_and_receive(PyAVTrack(image))), image)

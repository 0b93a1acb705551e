"""Raw frames: numpy round trips, conversions, PNG, and bad input."""

import zlib

import numpy as np
import pytest

import rtckit


def test_rgb_bgr_rgba_gray_round_trips_stay_close():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8)
    image[:, :32] = (200, 40, 90)  # a flat area converts back almost exactly
    rgb = rtckit.VideoFrame.from_ndarray(image, format="rgb24")
    assert (rgb.width, rgb.height, rgb.format.name) == (64, 48, "rgb24")  # kept as given, as PyAV
    assert np.array_equal(rgb.to_ndarray(), image)
    frame = rgb.reformat(format="yuv420p")
    assert (frame.width, frame.height, frame.format) == (64, 48, "yuv420p")
    back = frame.to_ndarray(format="rgb24")
    assert back.shape == (48, 64, 3) and back.dtype == np.uint8
    assert np.abs(back[:, :30].astype(int) - image[:, :30]).max() <= 3
    assert np.array_equal(frame.to_ndarray("bgr24"), back[:, :, ::-1])
    rgba = frame.to_ndarray("rgba")
    assert rgba.shape == (48, 64, 4) and (rgba[:, :, 3] == 255).all()
    close = lambda x, y: np.abs(x.astype(int) - y.astype(int)).max() <= 3  # noqa: E731
    again = rtckit.VideoFrame.from_ndarray(rgba, "rgba").to_ndarray("rgb24")
    assert close(again[:, :30], back[:, :30])  # chroma is subsampled: compare the flat area
    bgr = rtckit.VideoFrame.from_ndarray(np.ascontiguousarray(image[:, :, ::-1]), "bgr24")
    assert np.array_equal(bgr.to_ndarray("rgb24"), image)  # the same pixels in another order
    assert np.array_equal(bgr.reformat(format="yuv420p").to_ndarray("rgb24"), back)
    yuv = frame.to_ndarray("yuv420p")
    assert yuv.shape == (72, 64)
    assert np.array_equal(rtckit.VideoFrame.from_ndarray(yuv, "yuv420p").to_ndarray("yuv420p"), yuv)
    gray = rtckit.VideoFrame.from_ndarray(np.full((8, 8), 128, np.uint8), "gray").to_ndarray("gray")
    assert np.abs(gray.astype(int) - 128).max() <= 1
    back[0, 0] = 0  # arrays handed out are writable
    # Non-contiguous input (a slice) is accepted.
    part = rtckit.VideoFrame.from_ndarray(image[::2, ::2], "rgb24")
    assert (part.width, part.height) == (32, 24)


def test_pts_time_base_and_png():
    frame = rtckit.VideoFrame(4, 2)
    frame.pts = 9000
    assert frame.time_base is None and np.isnan(frame.time)  # as PyAV, until set
    assert frame._native.time_base == (1, 90000)  # what is sent: the RTP video clock
    frame.time_base = rtckit.frame.fractions.Fraction(1, 90000)
    assert frame.time == 0.1
    png = frame._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    idat = png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    assert raw == (b"\x00" + b"\x00" * 12) * 2  # black: filter byte + 4 RGB pixels per row


def test_audio_frames_round_trip():
    samples = (np.sin(np.arange(960) / 10) * 10000).astype(np.int16).reshape(1, -1)
    frame = rtckit.AudioFrame.from_ndarray(samples, format="s16", layout="stereo", sample_rate=48000)
    assert (frame.samples, frame.channels, frame.layout.name, frame.sample_rate) == (480, 2, "stereo", 48000)
    assert np.array_equal(frame.to_ndarray(), samples)


def test_bad_frames_get_the_right_errors():
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.VideoFrame.from_ndarray(np.zeros((4, 4, 4), np.uint8), "rgb24")
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.VideoFrame.from_ndarray(np.zeros((4, 4, 3), np.float32), "rgb24")
    with pytest.raises(rtckit.NotSupportedError):
        rtckit.VideoFrame.from_ndarray(np.zeros((4, 4, 3), np.uint8), "yuv444p")
    with pytest.raises(rtckit.NotSupportedError):
        rtckit.VideoFrame(4, 4).to_ndarray("yuv444p")
    with pytest.raises(rtckit.RTCRangeError):
        rtckit.VideoFrame(0, 4)
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.AudioFrame.from_ndarray(np.zeros((1, 3), np.int16), layout="stereo")
    too_slow = rtckit.AudioFrame.from_ndarray(np.zeros((1, 2), np.int16), sample_rate=100)
    with pytest.raises(rtckit.RTCRangeError):
        too_slow._native  # what is sent is checked; PyAV frames may hold any rate meanwhile
    source = rtckit.AudioSource()
    with pytest.raises(rtckit.RTCRangeError):
        source.push(np.zeros((1, 2), np.int16), sample_rate=100)
    source.close()

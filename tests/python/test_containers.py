"""WebM, MP4 and PNG sequences through MediaRecorder and MediaPlayer, as aiortc's contrib.media
writes and plays them: a real call over 127.0.0.1 recorded with its audio and video in one
file, played back in real time, and checked by an independent reader (PyAV); files PyAV
writes play in rtckit; bad files, formats and cameras get their error kinds."""

from __future__ import annotations

import asyncio
import fractions
import math

import av
import numpy as np
import pytest

import rtckit
from conftest import LOOPBACK, connect, dominant_frequency, fake_media, run, wait_until


async def play_all(path, **options):
    """Every frame of each track a file plays, read with recv() until the tracks end."""
    player = rtckit.MediaPlayer(path, **options)

    async def read(track):
        frames = []
        while track is not None:
            try:
                frames.append(await asyncio.wait_for(track.recv(), 20))
            except rtckit.MediaStreamError:
                break
        return frames

    video, audio = await asyncio.gather(read(player.video), read(player.audio))
    return video, audio


def tone_of(frames):
    samples = np.concatenate([f.to_ndarray().reshape(-1, f.channels)[:, 0] for f in frames[5:]]).astype(float)
    return dominant_frequency(samples, 48000)


def pyav_frames(path):
    """(video frames, audio samples per channel) PyAV decodes from the file."""
    with av.open(str(path)) as container:
        video = [f for f in container.decode(video=0)] if container.streams.video else []
    samples = 0
    with av.open(str(path)) as container:
        if container.streams.audio:
            samples = sum(f.samples for f in container.decode(audio=0))
    return video, samples


async def record_call(path, frames):
    """The fake camera and microphone sent over a call; the answerer records both tracks."""
    stream = await fake_media(video={"width": 320, "height": 240, "frameRate": 30}, audio=True)
    a = rtckit.RTCPeerConnection(LOOPBACK)
    b = rtckit.RTCPeerConnection(LOOPBACK)
    for track in stream.getTracks():
        a.addTrack(track, stream)
    recorder = rtckit.MediaRecorder(path)
    received = []

    @b.on("track")
    def on_track(track):
        recorder.addTrack(track)
        received.append(track)

    await connect(a, b)
    await wait_until(lambda: len(received) == 2, what="both tracks")
    await recorder.start()
    await wait_until(lambda: recorder.count >= frames, what=f"{frames} frames and packets recorded")
    await recorder.stop()
    for track in stream.getTracks():
        track.stop()
    await a.close()
    await b.close()


@pytest.mark.parametrize("extension, video_codec", [("webm", "vp8"), ("mp4", "h264")])
def test_a_call_recorded_with_audio_and_video_plays_back(tmp_path, extension, video_codec):
    async def main():
        path = tmp_path / f"call.{extension}"
        await record_call(path, 100)
        video, audio = await play_all(path)
        numbers = [rtckit.read_frame_number(f) for f in video]
        assert len(numbers) >= 20 and numbers == sorted(set(numbers)), numbers
        assert {(f.width, f.height) for f in video} == {(320, 240)}
        assert abs(tone_of(audio) - 440) <= 10
        # PyAV reads the same file: the same codecs, every frame rtckit played, the audio.
        with av.open(str(path)) as container:
            assert container.streams.video[0].codec_context.name == video_codec
            assert container.streams.audio[0].codec_context.name == "opus"
        decoded, samples = pyav_frames(path)
        assert len(decoded) == len(video)
        assert [rtckit.read_frame_number(rtckit.VideoFrame.from_ndarray(f.to_ndarray(format="rgb24"))) for f in decoded] == numbers
        assert samples == pytest.approx(sum(f.samples for f in audio), rel=0.05)

    run(main())


def test_a_png_sequence_from_the_camera(tmp_path):
    async def main():
        stream = await fake_media(video={"width": 160, "height": 120, "frameRate": 30})
        recorder = rtckit.MediaRecorder(tmp_path / "frame-%3d.png")
        recorder.addTrack(stream.getVideoTracks()[0])
        await recorder.start()
        await wait_until(lambda: recorder.count >= 15, what="15 images")
        await recorder.stop()
        stream.getVideoTracks()[0].stop()
        files = sorted(p.name for p in tmp_path.glob("frame-*.png"))
        assert files[0] == "frame-001.png" and len(files) == recorder.count
        video, audio = await play_all(tmp_path / "frame-%3d.png", options={"framerate": "60"})
        numbers = [rtckit.read_frame_number(f) for f in video]
        assert audio == [] and len(numbers) == len(files)
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        # ffmpeg's image2 reads the same sequence.
        with av.open(str(tmp_path / "frame-%3d.png")) as container:
            images = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        assert [rtckit.read_frame_number(rtckit.VideoFrame.from_ndarray(i)) for i in images] == numbers

    run(main())


def numbered_yuv(n, width=320, height=240):
    """A yuv420p picture carrying `n` as the fake camera draws it (16 blocks, white = 1)."""
    y = np.full((height, width), 128, np.uint8)
    band = max(height // 8, 2)
    y[:band] = 16
    for bit in range(16):
        if n >> (15 - bit) & 1:
            y[:band, bit * width // 16 : (bit + 1) * width // 16] = 235
    chroma = np.full((height // 2, width), 128, np.uint8)
    return np.concatenate([y, chroma])


def write_with_pyav(path, video_codec, frames=30, options=None, audio_codec="libopus"):
    with av.open(str(path), "w") as container:
        video = container.add_stream(video_codec, rate=30, options=options or {})
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        audio = container.add_stream(audio_codec, rate=48000)
        audio.layout = "mono"
        for n in range(frames):
            frame = av.VideoFrame.from_ndarray(numbered_yuv(n), format="yuv420p")
            frame.pts, frame.time_base = n, fractions.Fraction(1, 30)
            container.mux(video.encode(frame))
        container.mux(video.encode())
        t = np.arange(48000) / 48000
        tone = (np.sin(2 * math.pi * 440 * t) * 8000).astype(np.int16)
        for i in range(0, 48000, 960):
            frame = av.AudioFrame.from_ndarray(tone[None, i : i + 960], format="s16", layout="mono")
            frame.sample_rate, frame.pts = 48000, i
            container.mux(audio.encode(frame))
        container.mux(audio.encode())


@pytest.mark.parametrize(
    "name, codec, options, audio_codec",
    [
        ("pyav.webm", "libvpx", {}, "libopus"),
        ("pyav-vp9.webm", "libvpx-vp9", {}, "libopus"),
        ("pyav.mp4", "libx264", {"bf": "0"}, "libopus"),
        # What ffmpeg (and aiortc's MediaRecorder) write by default: B-frames, played in
        # display order, and AAC, decoded (WebRTC has neither).
        ("pyav-default.mp4", "libx264", {}, "aac"),
        ("pyav-default.mkv", "libx264", {}, "libopus"),
    ],
)
def test_files_pyav_writes_play(tmp_path, name, codec, options, audio_codec):
    async def main():
        path = tmp_path / name
        write_with_pyav(path, codec, options=options, audio_codec=audio_codec)
        video, audio = await play_all(path)
        assert [rtckit.read_frame_number(f) for f in video] == list(range(30))
        assert abs(tone_of(audio) - 440) <= 10
        assert sum(f.samples for f in audio) >= 48000 * 0.9

    run(main())


def test_without_decoding_the_files_units_are_sent_as_they_are(tmp_path):
    async def main():
        source, target = tmp_path / "source.webm", tmp_path / "received.webm"
        write_with_pyav(source, "libvpx", frames=20)
        a = rtckit.RTCPeerConnection(LOOPBACK)
        b = rtckit.RTCPeerConnection(LOOPBACK)
        player = rtckit.MediaPlayer(source, decode=False)
        a.addTrack(player.video)
        recorder = rtckit.MediaRecorder(target)
        started = asyncio.get_running_loop().create_future()

        @b.on("track")
        async def on_track(track):
            recorder.addTrack(track)
            await recorder.start()
            started.set_result(None)

        await connect(a, b, codec="VP8")
        await asyncio.wait_for(started, 20)
        await wait_until(lambda: recorder.count >= 20, what="20 frames recorded")
        await recorder.stop()
        await a.close()
        await b.close()

        def packets(path):
            with av.open(str(path)) as container:
                return [bytes(p) for p in container.demux(video=0) if p.size]

        assert packets(target) == packets(source)

    run(main())


def test_bad_files_formats_and_cameras_get_their_error_kind(tmp_path):
    async def main():
        with pytest.raises(rtckit.NotSupportedError, match=r"\.webm.*\.mp4"):
            rtckit.MediaPlayer(tmp_path / "movie.avi")
        with pytest.raises(rtckit.NotSupportedError):
            rtckit.MediaPlayer(tmp_path / "x.webm", format="avi")
        with pytest.raises(rtckit.NotSupportedError):
            rtckit.MediaRecorder(tmp_path / "out.mkv")
        with pytest.raises(ValueError):
            rtckit.MediaRecorder(tmp_path / "still.png")
        with pytest.raises(rtckit.NotFoundError):
            rtckit.MediaPlayer(tmp_path / "none-%3d.png")
        for name, data in [("bad.webm", b"\x1a\x45\xdf\xa3 cut"), ("bad.mp4", b"\0\0\0\x0cftypisom\0\0\0\0")]:
            (tmp_path / name).write_bytes(data)
            with pytest.raises((rtckit.NotReadableError, rtckit.NotSupportedError)):
                rtckit.MediaPlayer(tmp_path / name)
        # Cut short: what is there plays, then the tracks end.
        whole = tmp_path / "whole.webm"
        write_with_pyav(whole, "libvpx", frames=30)
        (tmp_path / "cut.webm").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
        try:
            video, _ = await play_all(tmp_path / "cut.webm")
            assert len(video) < 30
        except rtckit.NotReadableError as e:
            assert "cut short" in str(e)

        rtckit.mediaDevices.useFakeDevices(False)  # the camera path itself, even under RTCKIT_FAKE_DEVICES
        with pytest.raises((rtckit.NotFoundError, rtckit.NotReadableError)):
            rtckit.MediaPlayer("/dev/video-rtckit-missing", format="v4l2", options={"video_size": "640x480", "framerate": "30"})
        with pytest.raises(ValueError):
            rtckit.MediaPlayer("/dev/video0", format="v4l2", options={"video_size": "wide"})
        with pytest.raises(TypeError):
            rtckit.MediaPlayer("/dev/video0", format="v4l2", options="video_size=640x480")
        # With fake devices on, the fake camera stands in, at the size asked for.
        rtckit.mediaDevices.useFakeDevices(True)
        try:
            camera = rtckit.MediaPlayer("/dev/video0", format="v4l2", options={"video_size": "320x240", "framerate": 30})
        finally:
            rtckit.mediaDevices.useFakeDevices(False)
        assert camera.audio is None
        frame = await asyncio.wait_for(camera.video.recv(), 10)
        assert (frame.width, frame.height) == (320, 240)
        camera.stop()

    run(main())

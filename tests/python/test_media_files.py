"""MediaPlayer → peer → MediaRecorder over real DTLS/SRTP on 127.0.0.1, as aiortc's
contrib.media: the file that comes out plays the same frames; bad files get their error."""

from __future__ import annotations

import asyncio
import math
import wave

import numpy as np
import pytest

import rtckit
from conftest import LOOPBACK, connect, dominant_frequency, next_event, run, wait_until


async def play_all(path):
    """Every frame a file plays, read with recv() until its track ends."""
    player = rtckit.MediaPlayer(path)
    track = player.video or player.audio
    frames = []
    while True:
        try:
            frames.append(await asyncio.wait_for(track.recv(), 20))
        except rtckit.MediaStreamError:
            return frames


async def record_camera(path, frames):
    """`frames` frames of the fake camera (each carrying its number) into a .y4m file."""
    rtckit.mediaDevices.useFakeDevices(True)
    stream = await rtckit.mediaDevices.getUserMedia(video={"width": 320, "height": 240, "frameRate": 30})
    camera = stream.getVideoTracks()[0]
    recorder = rtckit.MediaRecorder(path)
    recorder.addTrack(camera)
    await recorder.start()
    await wait_until(lambda: recorder.count >= frames, what="the camera recorded")
    await recorder.stop()
    camera.stop()
    return [rtckit.read_frame_number(f) for f in await play_all(path)]


async def relay(source, codec, target, expected):
    """Plays `source` to a peer over `codec`; the peer records what arrives into `target`."""
    a = rtckit.RTCPeerConnection(LOOPBACK)
    b = rtckit.RTCPeerConnection(LOOPBACK)
    player = rtckit.MediaPlayer(source)
    a.addTrack(player.video or player.audio)
    recorder = rtckit.MediaRecorder(target)
    started = asyncio.get_running_loop().create_future()

    @b.on("track")
    async def on_track(track):
        recorder.addTrack(track)
        await recorder.start()
        started.set_result(None)

    await connect(a, b, codec=codec)
    await asyncio.wait_for(started, 20)
    await wait_until(lambda: recorder.count >= expected, what=f"{expected} frames recorded")
    await asyncio.sleep(0.2)  # nothing more arrives: the file had `expected`
    await recorder.stop()
    assert recorder.count == expected
    await a.close()
    await b.close()


@pytest.mark.parametrize("codec, extension", [("VP8", "ivf"), ("VP9", "ivf"), ("H264", "h264")])
def test_player_to_peer_to_recorder_keeps_every_frame(tmp_path, codec, extension):
    async def main():
        source, target = tmp_path / "camera.y4m", tmp_path / f"received.{extension}"
        numbers = await record_camera(source, 30)
        assert len(numbers) == 30 and numbers == sorted(numbers)
        await relay(source, codec, target, 30)
        played = await play_all(target)
        assert [f.width for f in played] == [320] * 30
        assert [rtckit.read_frame_number(f) for f in played] == numbers

    run(main())


def test_an_ivf_file_is_sent_as_it_is(tmp_path):
    async def main():
        source, first, copy = tmp_path / "camera.y4m", tmp_path / "first.ivf", tmp_path / "copy.ivf"
        await record_camera(source, 20)
        await relay(source, "VP8", first, 20)
        await relay(first, "VP8", copy, 20)
        # Forwarded unchanged, recorded as received: the same VP8 frames, byte for byte.
        def frames(data):
            out, at = [], 32
            while at < len(data):
                size = int.from_bytes(data[at : at + 4], "little")
                out.append(data[at + 12 : at + 12 + size])
                at += 12 + size
            return out

        assert frames(first.read_bytes()) == frames(copy.read_bytes())

    run(main())


def write_tone(path, seconds=1.0, rate=48000):
    t = np.arange(int(seconds * rate)) / rate
    samples = (np.sin(2 * math.pi * 440 * t) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())


def test_a_wav_tone_through_opus_into_ogg_and_wav(tmp_path):
    async def main():
        tone, ogg, back = tmp_path / "tone.wav", tmp_path / "tone.ogg", tmp_path / "back.wav"
        write_tone(tone)
        await relay(tone, "opus", ogg, 50)  # 1 s in 20 ms packets
        played = await play_all(ogg)
        assert len(played) == 50
        samples = np.concatenate([f.to_ndarray().reshape(-1, f.channels)[:, 0] for f in played[5:]]).astype(float)
        assert abs(dominant_frequency(samples, 48000) - 440) <= 10
        await relay(ogg, "opus", back, 50)
        with wave.open(str(back)) as w:  # a valid WAV a standard reader opens
            assert w.getframerate() == 48000 and w.getsampwidth() == 2
            assert w.getnframes() >= 48000
            data = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())[:, 0]
        assert abs(dominant_frequency(data[4800:].astype(float), 48000) - 440) <= 10

    run(main())


def test_a_subclassed_track_is_recorded_and_the_blackhole_consumes(tmp_path):
    class Numbers(rtckit.VideoStreamTrack):
        def __init__(self):
            super().__init__()
            self.sent = 0

        async def recv(self):
            pts, time_base = await self.next_timestamp()
            frame = rtckit.VideoFrame.from_ndarray(np.full((48, 64, 3), self.sent * 20 % 256, np.uint8))
            frame.pts, frame.time_base = pts, time_base
            self.sent += 1
            return frame

    async def main():
        recorder = rtckit.MediaRecorder(tmp_path / "numbers.y4m")
        recorder.addTrack(Numbers())
        await recorder.start()
        await wait_until(lambda: recorder.count >= 5, what="pulled frames recorded")
        await recorder.stop()
        played = await play_all(tmp_path / "numbers.y4m")
        assert len(played) >= 5 and (played[0].width, played[0].height) == (64, 48)

        tone = tmp_path / "short.wav"
        write_tone(tone, seconds=0.1)
        player = rtckit.MediaPlayer(tone)
        ended = next_event(player.audio, "ended")
        blackhole = rtckit.MediaBlackhole()
        blackhole.addTrack(player.audio)
        await blackhole.start()
        await asyncio.wait_for(ended, 10)
        await blackhole.stop()
        assert blackhole.count == 5
        with pytest.raises(rtckit.MediaStreamError):
            await player.audio.recv()

    run(main())


def test_bad_files_and_tracks_get_their_error_kind(tmp_path):
    async def main():
        with pytest.raises(rtckit.NotFoundError):
            rtckit.MediaPlayer(tmp_path / "missing.ivf")
        with pytest.raises(rtckit.NotSupportedError):
            rtckit.MediaPlayer(tmp_path / "movie.avi")
        (tmp_path / "garbage.ogg").write_bytes(b"this is not an Ogg file")
        with pytest.raises(rtckit.NotReadableError):
            rtckit.MediaPlayer(tmp_path / "garbage.ogg")
        with pytest.raises(rtckit.NotSupportedError):
            rtckit.MediaRecorder(tmp_path / "out.mp3")
        tone = tmp_path / "tone.wav"
        write_tone(tone, seconds=0.1)
        player = rtckit.MediaPlayer(tone)
        assert player.video is None and player.audio.kind == "audio"
        recorder = rtckit.MediaRecorder(tmp_path / "video.ivf")
        with pytest.raises(TypeError):
            recorder.addTrack(player.audio)
        with pytest.raises(TypeError):
            recorder.addTrack("not a track")
        await recorder.start()
        with pytest.raises(rtckit.InvalidStateError):
            await recorder.start()
        await recorder.stop()
        await recorder.stop()  # idempotent
        assert (tmp_path / "video.ivf").read_bytes()[:4] == b"DKIF"  # empty, still valid

    run(main())

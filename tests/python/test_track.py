"""Local tracks: push sources, fake devices (frame numbers read back, a 440 Hz tone),
MediaStream, stop/ended, and bad input."""

import asyncio

import numpy as np
import pytest

import rtckit
from conftest import run


@pytest.fixture
def fake_devices():
    rtckit.mediaDevices.useFakeDevices(True)
    yield
    rtckit.mediaDevices.useFakeDevices(False)


def test_fake_camera_frames_carry_their_numbers_in_order(fake_devices):
    async def main():
        devices = await rtckit.mediaDevices.enumerateDevices()
        assert {d.kind for d in devices} == {"videoinput", "audioinput"}
        stream = await rtckit.mediaDevices.getUserMedia(video={"width": 320, "height": {"exact": 240}, "frameRate": 60})
        (track,) = stream.getVideoTracks()
        assert (track.kind, track.readyState, stream.getAudioTracks()) == ("video", "live", [])
        numbers = []
        for _ in range(20):
            frame = await asyncio.wait_for(track.recv(), 5)
            assert (frame.width, frame.height) == (320, 240)
            numbers.append(rtckit.read_frame_number(frame))
        assert numbers == sorted(numbers) and len(set(numbers)) == 20
        assert numbers[-1] - numbers[0] <= 25  # few drops
        track.stop()
        assert track.readyState == "ended"
        with pytest.raises(rtckit.MediaStreamError):
            for _ in range(64):  # what was delivered before stop, then the end
                await asyncio.wait_for(track.recv(), 5)

    run(main())


def test_fake_microphone_plays_440_hz(fake_devices):
    async def main():
        stream = await rtckit.mediaDevices.getUserMedia(audio=True)
        (track,) = stream.getAudioTracks()
        chunks = []
        for _ in range(20):
            frame = await asyncio.wait_for(track.recv(), 5)
            assert (frame.sample_rate, frame.channels, frame.samples) == (48000, 1, 480)
            chunks.append(frame.to_ndarray()[0])
        signal = np.concatenate(chunks).astype(float)
        spectrum = np.abs(np.fft.rfft(signal))
        peak = np.argmax(spectrum) * 48000 / len(signal)
        assert abs(peak - 440) < 10, peak
        track.stop()

    run(main())


def test_push_source_track_and_ended_event():
    async def main():
        source = rtckit.VideoSource()
        track = source.track
        ended = asyncio.get_running_loop().create_future()
        track.on("ended", lambda: ended.done() or ended.set_result(True))
        image = np.zeros((48, 64, 3), np.uint8)
        receiving = asyncio.ensure_future(track.recv())
        await asyncio.sleep(0.01)
        image[:, :, 0] = 255
        source.push(image)
        frame = await asyncio.wait_for(receiving, 5)
        assert frame.to_ndarray(format="rgb24")[10, 10, 0] > 240
        track.enabled = False  # a disabled track delivers black
        receiving = asyncio.ensure_future(track.recv())
        await asyncio.sleep(0.01)
        source.push(image)
        assert (await asyncio.wait_for(receiving, 5)).to_ndarray(format="rgb24").max() <= 3
        source.close()
        await asyncio.wait_for(ended, 5)
        assert track.readyState == "ended"
        with pytest.raises(rtckit.MediaStreamError):
            await asyncio.wait_for(track.recv(), 5)
        with pytest.raises(rtckit.InvalidStateError):
            source.push(image)

    run(main())


def test_media_stream_and_audio_source():
    source = rtckit.AudioSource()
    other = source.createTrack()
    stream = rtckit.MediaStream([source.track])
    stream.addTrack(other)
    stream.addTrack(other)
    assert [t.id for t in stream.getTracks()] == [source.track.id, other.id] and stream.id
    assert stream.getAudioTracks() == stream.getTracks() and stream.getVideoTracks() == []
    stream.removeTrack(source.track)
    assert stream.getTracks() == [other]
    source.push(np.zeros((1, 480), np.int16))


def test_bad_media_input():
    async def main():
        rtckit.mediaDevices.useFakeDevices(False)
        with pytest.raises(rtckit.NotFoundError, match="RTCKIT_FAKE_DEVICES"):
            await rtckit.mediaDevices.getUserMedia(video=True)
        rtckit.mediaDevices.useFakeDevices(True)
        try:
            with pytest.raises(rtckit.OverconstrainedError, match="width"):
                await rtckit.mediaDevices.getUserMedia(video={"width": {"exact": 100000}})
            with pytest.raises(rtckit.OverconstrainedError, match="deviceId"):
                await rtckit.mediaDevices.getUserMedia(audio={"deviceId": {"exact": "nope"}})
            with pytest.raises(rtckit.RTCTypeError):
                await rtckit.mediaDevices.getUserMedia()
        finally:
            rtckit.mediaDevices.useFakeDevices(False)
        with pytest.raises(rtckit.RTCTypeError):
            rtckit.VideoSource().push(np.zeros((4, 4), np.uint8))  # gray shape for rgb24
        with pytest.raises(rtckit.RTCTypeError):
            rtckit.AudioSource().push(np.zeros((1, 3), np.int16), layout="stereo")

    run(main())


def test_stream_track_base_classes_pace_their_frames():
    async def main():
        video = rtckit.VideoStreamTrack()
        first, second = await video.recv(), await video.recv()
        assert (first.width, first.height, first.pts, second.pts) == (640, 480, 0, 3000)
        audio = rtckit.AudioStreamTrack()
        one, two = await audio.recv(), await audio.recv()
        assert (one.samples, one.sample_rate, one.pts, two.pts) == (960, 48000, 0, 960)
        assert not one.to_ndarray().any()  # silence
        video.stop()
        audio.stop()

    run(main())

"""Media over a connection: video (VP8 by default) arrives decoded at the other peer with
its size and frame numbers, and audio (Opus by default) at its pitch, from the fake devices
and from push sources."""

import asyncio

import numpy as np
import pytest

import rtckit
from conftest import LOOPBACK, connect, dominant_frequency, fake_media, next_event, run, renegotiate


async def call(track, *streams, feed=None, codec=None):
    """Connects a peer sending `track` to one receiving it; `feed()` pushes a frame (the
    track event fires with the first packet); `codec` forces one by cutting the offer."""
    a = rtckit.RTCPeerConnection(LOOPBACK)
    b = rtckit.RTCPeerConnection(LOOPBACK)
    sender = a.addTrack(track, *streams)
    assert sender.track is track and a.getSenders() == [sender]
    arrived = next_event(b, "track")
    await connect(a, b, codec=codec)
    if codec:
        assert f" {codec.lower()}/" in b.localDescription.sdp.lower()
    for _ in range(500):
        if arrived.done():
            break
        if feed:
            feed()
        await asyncio.sleep(0.02)
    remote = await asyncio.wait_for(arrived, 10)
    return a, b, remote


@pytest.mark.parametrize("codec", [None, "VP9", "H264"], ids=["VP8 by default", "VP9", "H264"])
def test_fake_camera_arrives_decoded_with_its_frame_numbers(codec):
    async def main():
        stream = await fake_media(video={"width": 320, "height": 240})
        (camera,) = stream.getVideoTracks()
        a, b, remote = await call(camera, stream, codec=codec)
        assert remote.kind == "video" and isinstance(remote, rtckit.MediaStreamTrack)
        numbers = []
        for _ in range(30):
            frame = await asyncio.wait_for(remote.recv(), 10)
            assert (frame.width, frame.height) == (320, 240)
            numbers.append(rtckit.read_frame_number(frame))
        assert numbers == sorted(numbers) and len(set(numbers)) == 30
        assert numbers[-1] - numbers[0] <= 40  # few drops
        camera.stop()
        await a.close()
        await b.close()

    run(main())


def test_pushed_numpy_frames_arrive():
    async def main():
        source = rtckit.VideoSource()
        image = np.zeros((240, 320, 3), np.uint8)
        image[:, :160] = (255, 0, 0)
        a, b, remote = await call(source.track, feed=lambda: source.push(image))
        got = None
        for _ in range(100):  # push until a picture comes out (the first key frame)
            source.push(image)
            try:
                got = await asyncio.wait_for(remote.recv(), 0.1)
                break
            except asyncio.TimeoutError:
                continue
        assert got is not None
        rgb = got.to_ndarray("rgb24")
        assert rgb.shape == (240, 320, 3)
        assert rgb[120, 40, 0] > 200 and rgb[120, 40, 1] < 60  # red half
        assert rgb[120, 280].max() < 40  # black half
        source.close()
        await a.close()
        await b.close()

    run(main())


async def received_audio(remote, seconds=0.5):
    """First channel of `seconds` of decoded audio, after 100 ms of the codec settling."""
    chunks, rate, skipped = [], None, 0.0
    while sum(len(c) for c in chunks) < (rate or 48000) * seconds:
        frame = await asyncio.wait_for(remote.recv(), 10)
        assert isinstance(frame, rtckit.AudioFrame)
        rate = frame.sample_rate
        if skipped < 0.1:
            skipped += frame.samples / rate
            continue
        chunks.append(frame.to_ndarray().reshape(-1, frame.channels)[:, 0].astype(np.float64))
    return np.concatenate(chunks), rate


@pytest.mark.parametrize(
    "codec, expected_rate", [(None, 48000), ("PCMU", 8000), ("PCMA", 8000)], ids=["Opus by default", "PCMU", "PCMA"]
)
def test_fake_microphone_arrives_as_a_440_hz_tone(codec, expected_rate):
    async def main():
        stream = await fake_media(audio=True)
        (microphone,) = stream.getAudioTracks()
        a, b, remote = await call(microphone, stream, codec=codec)
        assert remote.kind == "audio"
        samples, rate = await received_audio(remote)
        assert rate == expected_rate
        assert np.abs(samples).max() > 1000
        assert abs(dominant_frequency(samples, rate) - 440) <= 5
        microphone.stop()
        await a.close()
        await b.close()

    run(main())


def test_pushed_stereo_audio_at_another_rate_arrives_at_its_pitch():
    async def main():
        source = rtckit.AudioSource()
        t = np.arange(160) / 16000
        count = 0

        def feed():
            nonlocal count
            # 10 ms of a 660 Hz tone, 16 kHz stereo, continuous across pushes.
            wave = (np.sin(2 * np.pi * 660 * (t + count * 0.01)) * 8000).astype(np.int16)
            source.push(np.repeat(wave, 2).reshape(1, -1), sample_rate=16000, layout="stereo")
            count += 1

        a, b, remote = await call(source.track, feed=feed)
        pusher = asyncio.get_running_loop().create_task(keep_feeding(feed))
        try:
            samples, rate = await received_audio(remote)
        finally:
            pusher.cancel()
        assert abs(dominant_frequency(samples, rate) - 660) <= 5
        source.close()
        await a.close()
        await b.close()

    run(main())


async def keep_feeding(feed):
    for _ in range(1000):  # 10 s at most
        feed()
        await asyncio.sleep(0.01)


class NumberedTrack(rtckit.VideoStreamTrack):
    """aiortc's pattern: frames come from recv(), paced by next_timestamp(); each carries
    its number in 16 blocks across the top band, as the fake camera draws it."""

    def __init__(self):
        super().__init__()
        self.count = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        image = np.full((240, 320, 3), 60, np.uint8)
        for bit in range(16):
            if self.count >> (15 - bit) & 1:
                image[:30, bit * 20:(bit + 1) * 20] = 255
            else:
                image[:30, bit * 20:(bit + 1) * 20] = 0
        self.count += 1
        frame = rtckit.VideoFrame.from_ndarray(image)
        frame.pts, frame.time_base = pts, time_base
        return frame


def test_subclassed_track_frames_are_sent_in_order():
    async def main():
        track = NumberedTrack()
        a, b, remote = await call(track)
        numbers = []
        for _ in range(15):
            frame = await asyncio.wait_for(remote.recv(), 10)
            numbers.append(rtckit.read_frame_number(frame))
        assert numbers == sorted(numbers) and len(set(numbers)) == 15, numbers
        assert track.count >= 15
        # next_timestamp paces at 30 fps on the 90 kHz clock.
        pts, time_base = await track.next_timestamp()
        assert pts % 3000 == 0 and time_base == rtckit.frame.fractions.Fraction(1, 90000)
        track.stop()
        await a.close()
        await b.close()

    run(main())


class ToneTrack(rtckit.AudioStreamTrack):
    """aiortc's audio pattern: recv() returns the base class's paced frames, filled with a
    550 Hz tone."""

    async def recv(self):
        frame = await super().recv()
        t = (frame.pts + np.arange(frame.samples)) / frame.sample_rate
        tone = (np.sin(2 * np.pi * 550 * t) * 8000).astype(np.int16)
        out = rtckit.AudioFrame.from_ndarray(tone.reshape(1, -1), layout="mono", sample_rate=frame.sample_rate)
        out.pts = frame.pts
        return out


def test_a_subclassed_audio_track_is_pulled_and_sent():
    async def main():
        track = ToneTrack()
        a, b, remote = await call(track)
        samples, rate = await received_audio(remote)
        assert abs(dominant_frequency(samples, rate) - 550) <= 5
        track.stop()
        await a.close()
        await b.close()

    run(main())




def test_replace_track_mid_call_then_remove_track_mutes_the_remote_track():
    async def main():
        stream = await fake_media(video={"width": 320, "height": 240}, audio=True)
        (camera,), (microphone,) = stream.getVideoTracks(), stream.getAudioTracks()
        a, b, remote = await call(camera, stream)
        (sender,) = a.getSenders()
        assert (await asyncio.wait_for(remote.recv(), 10)).width == 320

        # replaceTrack: a pushed 160x120 source takes over, with no renegotiation.
        source = rtckit.VideoSource()
        sender.replaceTrack(source.track)
        assert sender.track is source.track and sender.kind == "video"
        with pytest.raises(rtckit.RTCTypeError):
            sender.replaceTrack(microphone)
        pusher = asyncio.get_running_loop().create_task(
            keep_feeding(lambda: source.push(np.zeros((120, 160, 3), np.uint8)))
        )
        for _ in range(300):
            if (await asyncio.wait_for(remote.recv(), 10)).width == 160:
                break
        else:
            raise AssertionError("the replacement's frames never arrived")

        # removeTrack: the sender stays, trackless; after renegotiation the remote track is
        # muted (W3C), not ended.
        muted = next_event(remote, "mute")
        a.removeTrack(sender)
        assert sender.track is None and a.getSenders() == [sender]
        await renegotiate(a, b)
        await asyncio.wait_for(muted, 10)
        assert remote.muted and remote.readyState == "live"
        pusher.cancel()

        other = rtckit.RTCPeerConnection(LOOPBACK)
        with pytest.raises(rtckit.InvalidAccessError):
            other.removeTrack(sender)
        await other.close()
        await a.close()
        with pytest.raises(rtckit.InvalidStateError):
            a.removeTrack(sender)
        for track in (camera, microphone):
            track.stop()
        source.close()
        await b.close()

    run(main())


def test_transceivers_codec_preferences_and_directions():
    async def main():
        video = rtckit.RTCRtpSender.getCapabilities("video").codecs
        assert [c.mimeType for c in video] == ["video/VP8", "video/rtx", "video/VP9", "video/H264", "video/H264"]
        audio = rtckit.RTCRtpReceiver.getCapabilities("audio").codecs
        assert any(c.mimeType == "audio/opus" and c.clockRate == 48000 and c.channels == 2 for c in audio)
        stream = await fake_media(video={"width": 320, "height": 240})
        (camera,) = stream.getVideoTracks()
        a = rtckit.RTCPeerConnection(LOOPBACK)
        b = rtckit.RTCPeerConnection(LOOPBACK)
        sending = a.addTransceiver(camera, direction="sendonly", streams=[stream])
        receiving = a.addTransceiver("audio", direction="recvonly")
        assert a.getTransceivers() == [sending, receiving]
        assert sending.sender is a.getSenders()[0] and sending.sender.track is camera
        assert receiving.sender.track is None
        assert (sending.kind, sending.direction, sending.currentDirection) == ("video", "sendonly", None)
        assert (receiving.kind, receiving.direction) == ("audio", "recvonly")
        with pytest.raises(rtckit.RTCTypeError):
            sending.direction = "sideways"
        with pytest.raises(rtckit.RTCTypeError):
            a.addTransceiver("text")
        # H.264 (and its RTX) only; audio codecs on a video transceiver are refused.
        sending.setCodecPreferences([c for c in video if c.mimeType not in ("video/VP8", "video/VP9")])
        with pytest.raises(rtckit.InvalidModificationError):
            sending.setCodecPreferences(audio)

        arrived = next_event(b, "track")
        await connect(a, b)
        assert "VP8" not in a.localDescription.sdp and "H264/90000" in b.localDescription.sdp
        # b has nothing to send on the audio it was asked for: W3C's answer (and aiortc's, and
        # Chrome's) is "inactive" there.
        assert (sending.currentDirection, receiving.currentDirection, sending.mid) == ("sendonly", "inactive", "0")
        (theirs, _) = b.getTransceivers()
        assert (theirs.kind, theirs.currentDirection, theirs.mid) == ("video", "recvonly", "0")
        remote = await asyncio.wait_for(arrived, 10)
        frame = await asyncio.wait_for(remote.recv(), 10)
        assert (frame.width, frame.height) == (320, 240)

        # getParameters/setParameters: the negotiated codec, and a bitrate cap.
        parameters = sending.sender.getParameters()
        assert parameters.codecs[0].mimeType == "video/H264" and parameters.encodings[0].maxBitrate is None
        parameters.encodings[0].maxBitrate = 150_000
        await sending.sender.setParameters(parameters)
        assert sending.sender.getParameters().encodings[0].maxBitrate == 150_000
        parameters.encodings = []
        with pytest.raises(rtckit.InvalidModificationError):
            await sending.sender.setParameters(parameters)
        parameters.encodings = [rtckit.RTCRtpEncodingParameters(maxBitrate=0)]
        with pytest.raises(rtckit.RTCRangeError):
            await sending.sender.setParameters(parameters)

        # stop(): "stopped" at once; after renegotiation the other side's track ends.
        ended = next_event(remote, "ended")
        sending.stop()
        assert (sending.direction, sending.currentDirection) == ("stopped", "stopped")
        await renegotiate(a, b)
        await asyncio.wait_for(ended, 10)
        camera.stop()
        await a.close()
        await b.close()

    run(main())


def test_get_stats_and_the_receiver_of_the_track():
    async def main():
        stream = await fake_media(video={"width": 320, "height": 240})
        (camera,) = stream.getVideoTracks()
        a, b, remote = await call(camera, stream)
        for _ in range(20):
            await asyncio.wait_for(remote.recv(), 10)
        # The transceiver the track came on has it as its receiver's track.
        (transceiver,) = b.getTransceivers()
        assert transceiver.receiver.track is remote and transceiver.mid is not None
        assert [r.track for r in b.getReceivers()] == [remote]

        # TWCC feedback brings the estimate within a second or two.
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            sent = await a.getStats()
            pairs = [s for s in sent.values() if s.type == "candidate-pair" and "availableOutgoingBitrate" in s]
            if pairs or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.1)
        assert isinstance(sent, rtckit.RTCStatsReport)
        assert pairs and pairs[0].availableOutgoingBitrate > 100_000
        (out,) = [s for s in sent.values() if s.type == "outbound-rtp"]
        assert out.kind == "video" and out.packetsSent > 0 and out["bytesSent"] > 0
        assert out.framesEncoded >= 20 and out.keyFramesEncoded >= 1
        assert (out.frameWidth, out.frameHeight) == (320, 240) and out.targetBitrate > 0
        assert any(s.type == "codec" and s.mimeType == "video/VP8" for s in sent.values())
        assert all(id == s.id for id, s in sent.items())

        received = await b.getStats()
        (inbound,) = [s for s in received.values() if s.type == "inbound-rtp"]
        assert inbound.framesDecoded >= 20 and (inbound.frameWidth, inbound.frameHeight) == (320, 240)

        # getStats(track): that sender's or receiver's stats and what they refer to.
        selected = await a.getStats(camera)
        assert [s.type for s in selected.values()].count("outbound-rtp") == 1
        assert any(s.type == "codec" for s in selected.values()) and len(selected) < len(sent)
        assert [s.type for s in (await b.getStats(remote)).values()].count("inbound-rtp") == 1
        with pytest.raises(rtckit.InvalidAccessError):
            await a.getStats(remote)
        with pytest.raises(TypeError):
            await a.getStats("camera")  # type: ignore[arg-type]
        camera.stop()
        await a.close()
        await b.close()
        with pytest.raises(rtckit.InvalidStateError):
            await a.getStats()

    run(main())

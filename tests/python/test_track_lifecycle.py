"""The W3C remote-track lifecycle as aiortc code relies on it, and user tracks pulled by
their sender: receiver.track from the start, `track` during setRemoteDescription (so a reply
track added in the handler is negotiated), mute/unmute/ended, a transform track, and a
recv() that never suspends."""

import asyncio

import pytest

import rtckit
from conftest import LOOPBACK, TIMEOUT, connect, fake_media, next_event, renegotiate, run, wait_until


class Transform(rtckit.MediaStreamTrack):
    """aiortc's transform pattern: no argument to super().__init__(), recv() awaits another
    track."""

    kind = "video"

    def __init__(self, track):
        super().__init__()
        self.track = track
        self.calls = 0

    async def recv(self):
        self.calls += 1
        frame = await self.track.recv()
        return frame


class Counting(rtckit.MediaStreamTrack):
    """A recv() that returns at once: frames from a list, never suspending."""

    kind = "video"

    def __init__(self, pc=None):
        super().__init__()
        self.pc = pc
        self.calls = 0
        self.in_recv = 0
        self.overlapped = False
        self.before_connected = 0
        self.frames = [rtckit.VideoFrame(64, 48) for _ in range(4)]

    async def recv(self):
        self.in_recv += 1
        self.overlapped |= self.in_recv > 1
        if self.pc is not None and self.pc.connectionState != "connected":
            self.before_connected += 1
        frame = self.frames[self.calls % len(self.frames)]
        frame.pts, frame.time_base = self.calls * 3000, rtckit.VideoFrame(2, 2).time_base
        self.calls += 1
        self.in_recv -= 1
        return frame


def test_receiver_track_exists_from_the_start_muted():
    async def main():
        pc = rtckit.RTCPeerConnection(LOOPBACK)
        transceiver = pc.addTransceiver("video", direction="recvonly")
        track = transceiver.receiver.track
        assert track is not None and track.kind == "video"
        assert (track.muted, track.readyState) == (True, "live")
        assert pc.getReceivers()[0].track is track
        assert pc.getTransceivers()[0] is transceiver
        assert transceiver.sender.track is None and not transceiver.stopped
        await pc.close()
        assert track.readyState == "ended"

    run(main())


def test_track_fires_in_set_remote_description_and_a_reply_track_is_negotiated():
    """aiortc's server example: the answerer adds its reply (a transform of what it
    receives) inside on("track"), before createAnswer; the offerer gets the echo."""

    async def main():
        stream = await fake_media(video={"width": 160, "height": 120})
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        a.addTrack(stream.getVideoTracks()[0], stream)
        echoes = []

        @b.on("track")
        def on_track(track):
            assert b.signalingState == "have-remote-offer"
            echo = Transform(track)
            echoes.append(echo)
            b.addTrack(echo)

        got_back = next_event(a, "track")
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        # Fired before the promise resolved, on the transceiver's own receiver track.
        assert len(echoes) == 1
        (transceiver,) = b.getTransceivers()
        assert echoes[0].track is transceiver.receiver.track
        assert transceiver.sender.track is echoes[0]
        assert len(b.getSenders()) == 1
        await connect_rest(a, b)
        echoed = await asyncio.wait_for(got_back, TIMEOUT)
        assert echoed is a.getTransceivers()[0].receiver.track
        numbers = []
        while len(numbers) < 5:
            frame = await asyncio.wait_for(echoed.recv(), TIMEOUT)
            numbers.append(rtckit.read_frame_number(frame))
        assert numbers == sorted(numbers), numbers
        assert echoes[0].calls >= 5
        for t in stream.getTracks():
            t.stop()
        await a.close()
        await b.close()

    run(main())


async def connect_rest(a, b):
    """b answers the offer it has; gathering completes on both sides first (aiortc's way)."""
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)


def test_mute_unmute_and_ended():
    async def main():
        stream = await fake_media(video={"width": 160, "height": 120})
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        sender = a.addTrack(stream.getVideoTracks()[0], stream)
        arrived = next_event(b, "track")
        await connect(a, b)
        track = await asyncio.wait_for(arrived, TIMEOUT)
        events = []
        for name in ("mute", "unmute", "ended"):
            track.on(name, lambda name=name: events.append(name))
        await wait_until(lambda: not track.muted, what="media to unmute the track")
        await asyncio.wait_for(track.recv(), TIMEOUT)

        # removeTrack + renegotiation: muted, not ended (W3C).
        a.removeTrack(sender)
        await renegotiate(a, b)
        await wait_until(lambda: "mute" in events, what="mute")
        assert track.muted and track.readyState == "live"

        # Sending again reuses the transceiver (and its sender); the same track unmutes.
        assert a.addTrack(stream.getVideoTracks()[0], stream) is sender
        await renegotiate(a, b)
        await wait_until(lambda: events.count("unmute") == 2, what="unmute after resuming")
        assert b.getTransceivers()[0].receiver.track is track

        # The transceiver stops: the track ends, with aiortc's "ended" event.
        a.getTransceivers()[0].stop()
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await wait_until(lambda: "ended" in events, what="ended")
        assert track.readyState == "ended"
        with pytest.raises(rtckit.MediaStreamError):
            for _ in range(300):
                await asyncio.wait_for(track.recv(), TIMEOUT)
        assert events.count("ended") == 1
        for t in stream.getTracks():
            t.stop()
        await a.close()
        await b.close()

    run(main())


def test_a_recvonly_transceiver_receives_and_the_other_side_fires_no_track():
    async def main():
        stream = await fake_media(video={"width": 160, "height": 120})
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        a.addTransceiver("video", direction="recvonly")
        fired_on_b = []
        b.on("track", fired_on_b.append)

        # b answers with a camera on the transceiver the offer made.
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        assert fired_on_b == []
        b.addTrack(stream.getVideoTracks()[0], stream)
        arrived = next_event(a, "track")
        await connect_rest(a, b)
        track = await asyncio.wait_for(arrived, TIMEOUT)
        assert track is a.getTransceivers()[0].receiver.track
        frame = await asyncio.wait_for(track.recv(), TIMEOUT)
        assert (frame.width, frame.height) == (160, 120)
        assert a.getTransceivers()[0].currentDirection == "recvonly"
        assert fired_on_b == []
        for t in stream.getTracks():
            t.stop()
        await a.close()
        await b.close()

    run(main())


def test_a_recv_that_never_suspends_is_pulled_one_frame_at_a_time_once_connected():
    async def main():
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        source = Counting(a)
        a.addTrack(source)
        arrived = next_event(b, "track")
        # The loop stays responsive while frames flow: a timer keeps firing.
        ticks = []
        loop = asyncio.get_running_loop()

        def tick():
            ticks.append(loop.time())
            if len(ticks) < 400:
                loop.call_later(0.01, tick)

        loop.call_soon(tick)
        await connect(a, b)
        assert source.before_connected == 0  # nothing pulled (and dropped) before
        track = await asyncio.wait_for(arrived, TIMEOUT)
        for _ in range(10):
            frame = await asyncio.wait_for(track.recv(), TIMEOUT)
            assert (frame.width, frame.height) == (64, 48)
        started = len(ticks)
        await wait_until(lambda: len(ticks) >= started + 20, what="the timer to keep firing")
        assert not source.overlapped
        # One recv() per frame the encoder took: what was pulled was encoded, not dropped.
        # Frames go on flowing while getStats runs: at most one pulled frame is not encoded
        # yet when the stats are read, and none is encoded that was not pulled.
        before = source.calls
        stats = await a.getStats()
        after = source.calls
        encoded = next(s for s in stats.values() if s.type == "outbound-rtp").framesEncoded
        assert before - 1 <= encoded <= after, (before, encoded, after)
        await a.close()
        await b.close()

    run(main())


def test_tracks_of_unknown_kind_are_refused_and_ids_are_uuids():
    async def main():
        import uuid

        pc = rtckit.RTCPeerConnection(LOOPBACK)
        unknown = rtckit.MediaStreamTrack()
        assert unknown.kind == "unknown"
        with pytest.raises(rtckit.InternalError):
            pc.addTrack(unknown)
        with pytest.raises(rtckit.InternalError):
            pc.addTransceiver("data")
        track = Counting()
        assert str(uuid.UUID(track.id)) == track.id
        transceiver = pc.addTransceiver("audio", direction="sendrecv")
        assert str(uuid.UUID(transceiver.receiver.track.id)) == transceiver.receiver.track.id
        ended = []
        track.on("ended", lambda: ended.append(1))
        track.stop()
        assert ended == [1] and track.readyState == "ended"
        await pc.close()

    run(main())


def test_an_echo_built_only_on_receiver_track():
    """No track handler: the transceiver the offer made is read after setRemoteDescription,
    and its sender is given a track with replaceTrack."""

    async def main():
        stream = await fake_media(video={"width": 160, "height": 120})
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        a.addTrack(stream.getVideoTracks()[0], stream)
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        (transceiver,) = b.getTransceivers()
        echo = Transform(transceiver.receiver.track)
        transceiver.sender.replaceTrack(echo)
        assert transceiver.sender.track is echo
        transceiver.direction = "sendrecv"
        echoed = next_event(a, "track")
        await connect_rest(a, b)
        frame = await asyncio.wait_for((await asyncio.wait_for(echoed, TIMEOUT)).recv(), TIMEOUT)
        assert (frame.width, frame.height) == (160, 120)
        for t in stream.getTracks():
            t.stop()
        await a.close()
        await b.close()

    run(main())

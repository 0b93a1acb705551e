"""Renegotiation on a live connection: tracks and data channels added and removed both ways,
negotiationneeded once per batch, and W3C's perfect negotiation surviving glare (implicit
rollback, setLocalDescription() with no argument)."""

import asyncio
from typing import Any, List, Optional

import rtckit
from conftest import LOOPBACK, TIMEOUT, connect, fake_media, next_event, renegotiate, run, wait_until


class Signaling:
    """An in-memory signaling channel between two peers. While held, messages wait, so both
    peers can be made to send an offer before either sees the other's: glare for sure."""

    def __init__(self) -> None:
        self.held = False
        self.waiting: List[Any] = []

    def send(self, to: "Negotiator", message: dict) -> None:
        if self.held:
            self.waiting.append((to, message))
        else:
            to.inbox.put_nowait(message)

    def release(self) -> None:
        self.held = False
        for to, message in self.waiting:
            to.inbox.put_nowait(message)
        self.waiting.clear()


class Negotiator:
    """The W3C spec's perfect-negotiation example (section 10.7), line for line."""

    def __init__(self, pc: rtckit.RTCPeerConnection, polite: bool, signaling: Signaling) -> None:
        self.pc, self.polite, self.signaling = pc, polite, signaling
        self.other: Optional["Negotiator"] = None
        self.making_offer = False
        self.ignore_offer = False
        self.offers_sent = 0
        self.offers_ignored = 0
        self.errors: List[BaseException] = []
        self.signaling_states: List[str] = []
        self.inbox: "asyncio.Queue[dict]" = asyncio.Queue()
        pc.on("negotiationneeded", self.on_negotiation_needed)
        pc.on("icecandidate", lambda candidate: self.send({"candidate": candidate}))
        pc.on("signalingstatechange", lambda: self.signaling_states.append(pc.signalingState))
        self.task = asyncio.ensure_future(self.receive())

    def send(self, message: dict) -> None:
        assert self.other is not None
        self.signaling.send(self.other, message)

    async def on_negotiation_needed(self) -> None:
        try:
            self.making_offer = True
            await self.pc.setLocalDescription()
            self.offers_sent += 1
            self.send({"description": self.pc.localDescription})
        except Exception as e:  # noqa: BLE001 - kept for the test to fail on
            self.errors.append(e)
        finally:
            self.making_offer = False

    async def receive(self) -> None:
        while True:
            message = await self.inbox.get()
            try:
                await self.on_message(message)
            except Exception as e:  # noqa: BLE001
                self.errors.append(e)

    async def on_message(self, message: dict) -> None:
        description = message.get("description")
        if description is not None:
            offer_collision = description.type == "offer" and (
                self.making_offer or self.pc.signalingState != "stable"
            )
            self.ignore_offer = not self.polite and offer_collision
            if self.ignore_offer:
                self.offers_ignored += 1
                return
            await self.pc.setRemoteDescription(description)
            if description.type == "offer":
                await self.pc.setLocalDescription()
                self.send({"description": self.pc.localDescription})
        elif "candidate" in message:
            try:
                await self.pc.addIceCandidate(message["candidate"])
            except Exception:
                if not self.ignore_offer:
                    raise

    def stop(self) -> None:
        self.task.cancel()


def pair() -> "tuple[Negotiator, Negotiator, Signaling]":
    signaling = Signaling()
    polite = Negotiator(rtckit.RTCPeerConnection(LOOPBACK), True, signaling)
    impolite = Negotiator(rtckit.RTCPeerConnection(LOOPBACK), False, signaling)
    polite.other, impolite.other = impolite, polite
    return polite, impolite, signaling


async def glare(polite: Negotiator, impolite: Negotiator, signaling: Signaling, what: str) -> None:
    """Holds signaling until both peers have sent an offer, then lets it flow and waits
    until both are stable with nothing left to negotiate."""
    sent = (polite.offers_sent, impolite.offers_sent)
    await wait_until(
        lambda: polite.offers_sent > sent[0] and impolite.offers_sent > sent[1],
        what=f"both peers to offer ({what})",
    )
    signaling.release()
    try:
        await wait_until(
            lambda: polite.errors
            or impolite.errors
            or (
                polite.pc.signalingState == impolite.pc.signalingState == "stable"
                and not polite.making_offer
                and not impolite.making_offer
                and polite.inbox.empty()
                and impolite.inbox.empty()
                and offers_answered(polite, impolite)
            ),
            what=f"both peers stable ({what})",
        )
    except AssertionError as e:
        raise AssertionError(f"{e}: polite {describe(polite)}; impolite {describe(impolite)}") from None
    assert polite.errors == [] and impolite.errors == []


def describe(n: Negotiator) -> str:
    mids = [t.mid for t in n.pc.getTransceivers()]
    return f"{n.pc.signalingState} sent {n.offers_sent} ignored {n.offers_ignored} mids {mids} states {n.signaling_states}"


def offers_answered(polite: Negotiator, impolite: Negotiator) -> bool:
    """Every transceiver of both peers has a mid: nothing added is left un-negotiated."""
    return all(t.mid is not None for n in (polite, impolite) for t in n.pc.getTransceivers())


async def frames_of(track: rtckit.MediaStreamTrack, count: int = 3) -> None:
    for _ in range(count):
        await asyncio.wait_for(track.recv(), TIMEOUT)


def test_perfect_negotiation_survives_glare_at_the_start_and_on_a_live_connection():
    async def main():
        polite, impolite, signaling = pair()
        got = {"polite": [], "impolite": []}
        polite.pc.on("track", lambda t: got["polite"].append(t))
        remote_channel = next_event(impolite.pc, "datachannel")
        impolite.pc.on("track", lambda t: got["impolite"].append(t))
        media = await fake_media(audio=True, video={"width": 160, "height": 120})
        more = await fake_media(audio=True, video={"width": 160, "height": 120})

        # Glare at the start: both add media before either has heard of the other.
        signaling.held = True
        polite.pc.addTrack(media.getVideoTracks()[0], media)
        channel = polite.pc.createDataChannel("chat")
        impolite.pc.addTrack(more.getAudioTracks()[0], more)
        await glare(polite, impolite, signaling, "start")
        # The polite peer rolled its offer back to take the other's, answered, then offered
        # again: each state in turn, as a handler reads it.
        assert polite.signaling_states[:6] == [
            "have-local-offer", "stable", "have-remote-offer", "stable", "have-local-offer", "stable"
        ], polite.signaling_states
        assert impolite.offers_ignored >= 1
        await wait_until(lambda: polite.pc.connectionState == impolite.pc.connectionState == "connected")
        await wait_until(lambda: len(got["polite"]) == 1 and len(got["impolite"]) == 1, what="both tracks")
        assert (got["polite"][0].kind, got["impolite"][0].kind) == ("audio", "video")
        await frames_of(got["impolite"][0])
        await frames_of(got["polite"][0])
        if channel.readyState != "open":
            await asyncio.wait_for(next_event(channel, "open"), TIMEOUT)

        # Glare on the live connection: each adds the kind the other sent.
        signaling.held = True
        polite.pc.addTrack(media.getAudioTracks()[0], media)
        impolite.pc.addTrack(more.getVideoTracks()[0], more)
        states_before = len(polite.signaling_states)
        await glare(polite, impolite, signaling, "live")
        assert "have-remote-offer" in polite.signaling_states[states_before:]
        await wait_until(lambda: len(got["polite"]) == 2 and len(got["impolite"]) == 2, what="the new tracks")
        assert (got["polite"][1].kind, got["impolite"][1].kind) == ("video", "audio")
        await frames_of(got["polite"][1])
        await frames_of(got["impolite"][1])
        # The first tracks still flow, and the channel survived both negotiations.
        await frames_of(got["impolite"][0])
        remote = await asyncio.wait_for(remote_channel, TIMEOUT)
        arrived = next_event(remote, "message")
        channel.send("still here")
        assert await asyncio.wait_for(arrived, TIMEOUT) == "still here"
        polite.stop()
        impolite.stop()
        for t in media.getTracks() + more.getTracks():
            t.stop()
        await polite.pc.close()
        await impolite.pc.close()

    run(main())


def test_a_first_data_channel_on_a_media_only_connection_opens_after_renegotiation():
    async def main():
        media = await fake_media(video={"width": 160, "height": 120})
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        a.addTrack(media.getVideoTracks()[0], media)
        await connect(a, b)
        await wait_until(lambda: a.connectionState == b.connectionState == "connected")
        needed = next_event(a, "negotiationneeded")
        channel = a.createDataChannel("late")
        await asyncio.wait_for(needed, TIMEOUT)
        remote = next_event(b, "datachannel")
        await renegotiate(a, b)
        if channel.readyState != "open":
            await asyncio.wait_for(next_event(channel, "open"), TIMEOUT)
        other = await asyncio.wait_for(remote, TIMEOUT)
        arrived = next_event(other, "message")
        channel.send("hello")
        assert await asyncio.wait_for(arrived, TIMEOUT) == "hello"
        for t in media.getTracks():
            t.stop()
        await a.close()
        await b.close()

    run(main())


def test_tracks_and_channels_added_and_removed_both_ways_one_negotiationneeded_per_batch():
    async def main():
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        first = a.createDataChannel("first")
        await connect(a, b)
        if first.readyState != "open":
            await asyncio.wait_for(next_event(first, "open"), TIMEOUT)
        needed = {"a": 0, "b": 0}
        a.on("negotiationneeded", lambda: needed.__setitem__("a", needed["a"] + 1))
        b.on("negotiationneeded", lambda: needed.__setitem__("b", needed["b"] + 1))
        got_a, got_b, channels_b = [], [], []
        a.on("track", got_a.append)
        b.on("track", got_b.append)
        # "first" may still be announced to b after it opened at a.
        b.on("datachannel", lambda c: c.label == "second" and channels_b.append(c))
        media = await fake_media(audio=True, video={"width": 160, "height": 120})
        more = await fake_media(audio=True, video={"width": 160, "height": 120})

        # a adds two tracks and a channel in one batch: one event, then nothing once done.
        senders = [a.addTrack(t, media) for t in media.getTracks()]
        second = a.createDataChannel("second")
        await wait_until(lambda: needed["a"] == 1, what="a's negotiationneeded")
        await renegotiate(a, b)
        if second.readyState != "open":
            await asyncio.wait_for(next_event(second, "open"), TIMEOUT)
        await wait_until(lambda: len(got_b) == 2 and len(channels_b) == 1, what="b's tracks and channel")
        for track in got_b:
            await frames_of(track)

        # b sends both kinds back in one batch, and answers nothing of a's.
        for t in more.getTracks():
            b.addTrack(t, more)
        await wait_until(lambda: needed["b"] == 1, what="b's negotiationneeded")
        await renegotiate(b, a)
        await wait_until(lambda: len(got_a) == 2, what="a's tracks")
        for track in got_a:
            await frames_of(track)

        # a removes both tracks and closes its second channel: one event; b's tracks mute, the
        # channel closes there, and b's own tracks still reach a.
        muted = [next_event(t, "mute") for t in got_b]
        closed = next_event(channels_b[0], "close")
        for sender in senders:
            a.removeTrack(sender)
        second.close()
        await wait_until(lambda: needed["a"] == 2, what="a's second negotiationneeded")
        await renegotiate(a, b)
        await asyncio.wait_for(asyncio.gather(*muted, closed), TIMEOUT)
        assert all(t.muted and t.readyState == "live" for t in got_b)
        assert [t.currentDirection for t in a.getTransceivers()] == ["recvonly", "recvonly"]
        for track in got_a:
            await frames_of(track)
        assert first.readyState == "open"

        # Nothing more was asked for: each batch fired once.
        await asyncio.sleep(0.2)
        assert needed == {"a": 2, "b": 1}
        for t in media.getTracks() + more.getTracks():
            t.stop()
        await a.close()
        await b.close()

    run(main())

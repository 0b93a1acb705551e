"""RTCPeerConnection: negotiation, trickle and non-trickle ICE, states and events."""

import asyncio
import os

import pytest

import rtckit
from conftest import LOOPBACK, connect, exchange, next_event, open_pair, run, wait_until


def test_trickle_connects_with_candidate_events_and_states():
    async def main():
        a = rtckit.RTCPeerConnection(LOOPBACK)
        b = rtckit.RTCPeerConnection(LOOPBACK)
        candidates, signaling, gathering = [], [], []
        a.on("icecandidate", candidates.append)
        a.on("signalingstatechange", lambda: signaling.append(a.signalingState))
        a.on("icegatheringstatechange", lambda: gathering.append(a.iceGatheringState))
        negotiation = next_event(a, "negotiationneeded")
        connected = asyncio.get_running_loop().create_future()
        a.on("connectionstatechange", lambda: a.connectionState == "connected" and not connected.done() and connected.set_result(True))
        assert (a.signalingState, a.connectionState, a.iceGatheringState, a.iceConnectionState) == ("stable", "new", "new", "new")
        channel = a.createDataChannel("x")
        await asyncio.wait_for(negotiation, 10)
        await connect(a, b, trickle=True)
        await asyncio.wait_for(connected, 10)
        await wait_until(lambda: candidates and candidates[-1] is None, what="end-of-candidates")
        real = [c for c in candidates if c is not None]
        assert real and all(c.address == "127.0.0.1" and c.type == "host" and c.protocol == "udp" for c in real)
        assert all(c.candidate.startswith("candidate:") and c.sdpMid is not None for c in real)
        assert signaling == ["have-local-offer", "stable"]
        assert gathering[-1] == "complete" and a.iceGatheringState == "complete"
        assert a.iceConnectionState in ("connected", "completed")
        # DTLS finishes on one side a round trip before the other.
        await wait_until(lambda: b.connectionState == "connected", what="b connected")
        assert a.localDescription.type == "offer" and a.remoteDescription.type == "answer"
        assert channel.readyState in ("connecting", "open")
        await a.close()
        await b.close()
        assert (a.signalingState, a.connectionState) == ("closed", "closed")

    run(main())


def test_non_trickle_local_description_carries_candidates():
    async def main():
        a, b, ch, remote = await open_pair(trickle=False)
        assert "a=candidate:" in a.localDescription.sdp
        assert "127.0.0.1" in b.localDescription.sdp
        assert await exchange(ch, remote, ["over non-trickle"]) == ["over non-trickle"]
        await a.close()
        await b.close()

    run(main())


def ufrag(sdp: str) -> str:
    return next(l for l in sdp.split("\r\n") if l.startswith("a=ice-ufrag:"))


def test_restart_ice_renews_credentials_and_the_channel_keeps_working():
    """restartIce() fires negotiationneeded and the next offer has new credentials;
    createOffer(iceRestart=True) does the same. Each restart's answer is gathered anew (it
    ends with end-of-candidates), and the channel works after both."""

    async def main():
        a, b, ch, remote = await open_pair(trickle=False)
        before = ufrag(a.localDescription.sdp)
        needed = next_event(a, "negotiationneeded")
        a.restartIce()
        await asyncio.wait_for(needed, 10)
        for restart in (a.createOffer, lambda: a.createOffer(iceRestart=True)):
            offer = await restart()
            assert ufrag(offer.sdp) != before
            await a.setLocalDescription(offer)
            await b.setRemoteDescription(a.localDescription)
            await b.setLocalDescription(await b.createAnswer())
            assert "a=end-of-candidates" in b.localDescription.sdp
            await a.setRemoteDescription(b.localDescription)
            before = ufrag(a.localDescription.sdp)
            assert await exchange(ch, remote, ["after a restart"]) == ["after a restart"]
        assert ufrag((await a.createOffer()).sdp) == before, "a plain offer keeps the credentials"
        await a.close()
        await b.close()
        with pytest.raises(rtckit.InvalidStateError):
            a.restartIce()

    run(main())


def test_implicit_set_local_description_offers_and_answers():
    async def main():
        a = rtckit.RTCPeerConnection(LOOPBACK)
        b = rtckit.RTCPeerConnection(LOOPBACK)
        a.createDataChannel("x")
        await a.setLocalDescription()
        assert a.localDescription.type == "offer" and a.signalingState == "have-local-offer"
        await b.setRemoteDescription(a.localDescription)
        assert b.signalingState == "have-remote-offer"
        await b.setLocalDescription()
        assert b.localDescription.type == "answer" and b.signalingState == "stable"
        await a.close()
        await b.close()

    run(main())


def test_configuration_round_trip_and_set_configuration():
    async def main():
        config = rtckit.RTCConfiguration(
            iceServers=[rtckit.RTCIceServer(urls="stun:127.0.0.1:3478"),
                        rtckit.RTCIceServer(urls=["turn:127.0.0.1:3478"], username="u", credential="p")],
            bindAddresses=["127.0.0.1"],
        )
        pc = rtckit.RTCPeerConnection(config)
        got = pc.getConfiguration()
        # As given (aiortc returns the configuration it was given): a string stays a string.
        assert [s.urls for s in got.iceServers] == ["stun:127.0.0.1:3478", ["turn:127.0.0.1:3478"]]
        assert got.iceServers[1].username == "u" and got.iceTransportPolicy == "all"
        assert got.bindAddresses == ["127.0.0.1"]
        pc.setConfiguration({"iceServers": [{"urls": "stun:127.0.0.1:9"}], "iceTransportPolicy": "relay"})
        got = pc.getConfiguration()
        assert got.iceTransportPolicy == "relay" and got.iceServers[0].urls == "stun:127.0.0.1:9"
        with pytest.raises(rtckit.InvalidModificationError):
            pc.setConfiguration({"bindAddresses": ["127.0.0.2"]})
        await pc.close()

    run(main())


def test_bind_addresses_environment_variable_is_the_default(monkeypatch):
    monkeypatch.setenv("RTCKIT_BIND_ADDRESSES", "127.0.0.1")

    async def main():
        a = rtckit.RTCPeerConnection()
        b = rtckit.RTCPeerConnection()
        a.createDataChannel("env")
        await connect(a, b, trickle=False)
        lines = [l for l in a.localDescription.sdp.splitlines() if l.startswith("a=candidate:")]
        assert lines and all(" 127.0.0.1 " in l for l in lines)
        await wait_until(lambda: a.connectionState == "connected", what="connected")
        await a.close()
        await b.close()

    run(main())


def test_constructed_outside_a_loop_and_used_in_two_loops():
    a = rtckit.RTCPeerConnection(LOOPBACK)  # no running loop here, as in aiortc's examples
    b = rtckit.RTCPeerConnection(LOOPBACK)
    channel = a.createDataChannel("before-loop")

    async def first():
        remote = next_event(b, "datachannel")
        await connect(a, b)
        peer = await asyncio.wait_for(remote, 10)
        await wait_until(lambda: channel.readyState == "open" and peer.readyState == "open")
        return peer

    peer = run(first())

    async def second():
        assert await exchange(channel, peer, ["still here"]) == ["still here"]
        await a.close()
        await b.close()

    run(second())


def test_async_handlers_and_onx_attributes():
    async def main():
        a, b, ch, remote = await open_pair()
        got = []
        seen = asyncio.get_running_loop().create_future()

        async def handler(message):
            await asyncio.sleep(0)
            got.append(("async", message))

        remote.on("message", handler)
        remote.onmessage = lambda m: (got.append(("attr", m)), seen.done() or seen.set_result(None))
        ch.send("hi")
        await asyncio.wait_for(seen, 10)
        await wait_until(lambda: len(got) == 2)
        assert sorted(got) == [("async", "hi"), ("attr", "hi")]
        await a.close()
        await b.close()

    run(main())


def test_get_stats_ids_link_up():
    """Candidate pairs name their candidates' stats, the transport its selected pair."""

    async def main():
        a, b, _, _ = await open_pair()
        for pc in (a, b):
            report = await pc.getStats()
            pairs = [s for s in report.values() if s["type"] == "candidate-pair"]
            assert pairs
            for pair in pairs:
                assert report[pair["localCandidateId"]]["type"] == "local-candidate"
                assert report[pair["remoteCandidateId"]]["type"] == "remote-candidate"
            transport = next(s for s in report.values() if s["type"] == "transport")
            selected = report[transport["selectedCandidatePairId"]]
            assert report[selected["remoteCandidateId"]]["address"] == "127.0.0.1"
        await a.close()
        await b.close()

    run(main())


def test_no_candidate_of_a_rolled_back_offer_surfaces_after_the_rollback():
    async def main():
        a = rtckit.RTCPeerConnection(LOOPBACK)
        mids: list = []
        a.on("icecandidate", lambda c: c is not None and mids.append(c.sdpMid))
        a.addTransceiver("video")
        await a.setLocalDescription(await a.createOffer())
        await a.setLocalDescription(rtckit.RTCSessionDescription(sdp="", type="rollback"))
        mids.clear()
        await a.setLocalDescription(await a.createOffer())
        await asyncio.sleep(0.3)
        in_force = [l[6:] for l in a.localDescription.sdp.split("\r\n") if l.startswith("a=mid:")]
        # A candidate for the rolled-back offer's mid would be refused by the remote peer.
        assert all(mid in in_force for mid in mids), (mids, in_force)
        assert "a=candidate:" in a.localDescription.sdp
        await a.close()

    run(main())

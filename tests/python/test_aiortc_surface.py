"""aiortc's surface where code written for it depends on it: enums, RTCIceCandidate from its
fields, pc.sctp, "completed", getSenders after an offer, the closing state changes,
setLocalDescription returning with every candidate, and the errors aiortc raises."""

import asyncio

import pytest

import rtckit
from conftest import LOOPBACK, TIMEOUT, next_event, open_pair, run


def test_configuration_enums():
    config = rtckit.RTCConfiguration(
        bundlePolicy=rtckit.RTCBundlePolicy.MAX_BUNDLE, iceTransportPolicy=rtckit.RTCIceTransportPolicy.ALL
    )
    pc = rtckit.RTCPeerConnection(config)
    assert pc.getConfiguration().iceTransportPolicy == "all"
    assert rtckit.RTCBundlePolicy("balanced") is rtckit.RTCBundlePolicy.BALANCED
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.RTCPeerConnection({"bundlePolicy": "sometimes"})
    run(pc.close())


def test_ice_candidate_from_aiortc_fields_is_added_to_a_connection():
    async def main():
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        a.createDataChannel("x")
        await a.setLocalDescription(await a.createOffer())
        gathered = [l for l in a.localDescription.sdp.splitlines() if l.startswith("a=candidate:")]
        assert gathered
        parsed = rtckit.RTCIceCandidate(gathered[0][2:], sdpMid="0", sdpMLineIndex=0)
        built = rtckit.RTCIceCandidate(
            component=parsed.component,
            foundation=parsed.foundation,
            ip=parsed.ip,
            port=parsed.port,
            priority=parsed.priority,
            protocol=parsed.protocol,
            type=parsed.type,
            sdpMid="0",
            sdpMLineIndex=0,
        )
        assert (built.ip, built.port, built.type, built.sdpMid) == (parsed.ip, parsed.port, "host", "0")
        assert built.candidate == parsed.candidate
        positional = rtckit.RTCIceCandidate(1, "f", "127.0.0.1", 9, 100, "udp", "srflx", "10.0.0.1", 7)
        assert positional.candidate == "candidate:f 1 udp 100 127.0.0.1 9 typ srflx raddr 10.0.0.1 rport 7"
        with pytest.raises(rtckit.RTCTypeError):
            rtckit.RTCIceCandidate(component=1, ip="127.0.0.1")
        await b.setRemoteDescription(rtckit.RTCSessionDescription(sdp=a.localDescription.sdp, type="offer"))
        await b.addIceCandidate(built)
        await a.close()
        await b.close()

    run(main())


def test_sctp_transport_completed_and_closing_state_changes():
    async def main():
        pc = rtckit.RTCPeerConnection(LOOPBACK)
        assert pc.sctp is None
        await pc.close()
        a, b, channel, remote = await open_pair()
        assert a.iceConnectionState == "completed" and b.iceConnectionState == "completed"
        sctp = a.sctp
        assert sctp is not None and sctp is a.sctp
        assert (sctp.state, sctp.maxChannels, sctp.transport.state) == ("connected", 65535, "connected")
        assert sctp.transport.transport.state == "completed"
        assert b.sctp is not None and b.sctp.state == "connected"
        changes = []
        for name in ("signalingstatechange", "iceconnectionstatechange", "connectionstatechange"):
            a.on(name, lambda name=name: changes.append((name, a.signalingState, a.iceConnectionState, a.connectionState)))
        await a.close()
        assert [c[0] for c in changes] == ["signalingstatechange", "iceconnectionstatechange", "connectionstatechange"]
        assert changes[0][1:] == ("closed", "closed", "closed")
        assert sctp.state == "closed"
        await a.close()  # idempotent, no second round of events
        assert len(changes) == 3
        await b.close()

    run(main())


def test_set_local_description_returns_with_every_candidate():
    async def main():
        for _ in range(20):
            pc = rtckit.RTCPeerConnection(LOOPBACK)
            pc.createDataChannel("x")
            await pc.setLocalDescription(await pc.createOffer())
            assert pc.iceGatheringState == "complete"
            assert "a=candidate:" in pc.localDescription.sdp
            await pc.close()

    run(main())


def test_get_senders_after_an_offer_and_an_offer_with_nothing():
    async def main():
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        a.addTransceiver("video", direction="sendrecv")
        a.addTransceiver("audio", direction="recvonly")
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        senders = b.getSenders()
        assert [s.kind for s in senders] == ["video", "audio"] and all(s.track is None for s in senders)
        assert [t.stopped for t in b.getTransceivers()] == [False, False]
        empty = rtckit.RTCPeerConnection(LOOPBACK)
        offer = await empty.createOffer()
        assert offer.type == "offer" and offer.sdp.startswith("v=0")
        for pc in (a, b, empty):
            await pc.close()

    run(main())


def test_channel_closed_before_the_connection_opens():
    async def main():
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        early = a.createDataChannel("early")
        closed = next_event(early, "close")
        early.close()
        await asyncio.wait_for(closed, TIMEOUT)
        assert early.readyState == "closed"
        channel = a.createDataChannel("later")
        opened = next_event(channel, "open")
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        await asyncio.wait_for(opened, TIMEOUT)
        await a.close()
        await b.close()

    run(main())


def test_descriptions_that_cannot_apply_raise_aiortcs_errors():
    async def main():
        with pytest.raises(ValueError):
            rtckit.RTCSessionDescription(sdp="", type="bogus")
        a, b = rtckit.RTCPeerConnection(LOOPBACK), rtckit.RTCPeerConnection(LOOPBACK)
        a.addTransceiver("video")
        await a.setLocalDescription(await a.createOffer())
        offer = a.localDescription
        no_mux = offer.sdp.replace("a=rtcp-mux\r\n", "")
        with pytest.raises(rtckit.InvalidAccessError):
            await b.setRemoteDescription(rtckit.RTCSessionDescription(sdp=no_mux, type="offer"))
        await b.setRemoteDescription(offer)
        await b.setLocalDescription(await b.createAnswer())
        changed_mid = b.localDescription.sdp.replace("a=mid:0", "a=mid:zero").replace("BUNDLE 0", "BUNDLE zero")
        with pytest.raises(rtckit.InvalidAccessError):
            await a.setRemoteDescription(rtckit.RTCSessionDescription(sdp=changed_mid, type="answer"))
        await a.setRemoteDescription(b.localDescription)  # the real one still applies
        assert a.signalingState == "stable"
        await a.close()
        await b.close()

    run(main())


def test_add_transceiver_of_a_kind_with_every_direction():
    async def main():
        pc = rtckit.RTCPeerConnection(LOOPBACK)
        for direction in ("sendrecv", "sendonly", "recvonly", "inactive"):
            t = pc.addTransceiver("video", direction=direction)
            assert (t.direction, t.sender.track, t.receiver.track.kind) == (direction, None, "video")
        offer = await pc.createOffer()
        directions = [l for l in offer.sdp.split("\r\n") if l in ("a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive")]
        assert directions == ["a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"]
        await pc.close()

    run(main())

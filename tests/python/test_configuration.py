"""RTCConfiguration as aiortc and W3C take it: ICE URLs with ?transport=, aiortc's dataclass
from getConfiguration with rtckit's extras, relay-only without TURN, wrtc's portRange, what
setConfiguration may change; and SDP that older and other peers write (aiortc's draft-05 data
channel section, numbers past 64 bits)."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import re
import socket
import struct

import pytest

import rtckit
from conftest import LOOPBACK, TIMEOUT, exchange, next_event, run, wait_until


class _StunListener(asyncio.DatagramProtocol):
    """A UDP socket on 127.0.0.1 whose `request` gets the type of the first STUN message it
    receives (0x0001 Binding, 0x0003 TURN Allocate); it answers nothing."""

    def __init__(self) -> None:
        self.request: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) >= 20 and data[4:8] == b"\x21\x12\xa4\x42" and not self.request.done():
            self.request.set_result(struct.unpack("!H", data[:2])[0])


async def stun_listener() -> tuple[asyncio.DatagramTransport, _StunListener, int]:
    transport, listener = await asyncio.get_running_loop().create_datagram_endpoint(_StunListener, local_addr=("127.0.0.1", 0))
    return transport, listener, transport.get_extra_info("sockname")[1]


def free_range(size: int) -> dict[str, int]:
    """A free block of UDP ports on 127.0.0.1, away from the ephemeral range."""
    for _ in range(50):
        low = random.randrange(20000, 30000)
        sockets = []
        try:
            for port in range(low, low + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return {"min": low, "max": low + size - 1}
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise AssertionError("no free block of UDP ports")


def candidate_ports(sdp: str) -> list[int]:
    return [int(l.split()[5]) for l in sdp.splitlines() if l.startswith("a=candidate:")]


def test_ice_urls_with_a_transport_query_are_accepted_and_used():
    async def main():
        stun_transport, stun, stun_port = await stun_listener()
        turn_transport, turn, turn_port = await stun_listener()
        servers = [
            rtckit.RTCIceServer(urls=f"stun:127.0.0.1:{stun_port}?transport=udp"),
            rtckit.RTCIceServer(
                urls=[f"turn:127.0.0.1:{turn_port}?transport=udp", "turn:127.0.0.1:9?transport=tcp"], username="u", credential="p"
            ),
        ]
        pc = rtckit.RTCPeerConnection(rtckit.RTCConfiguration(iceServers=servers, bindAddresses=["127.0.0.1"]))
        try:
            assert pc.getConfiguration().iceServers == servers
            pc.setConfiguration({"iceServers": [dataclasses.asdict(s) for s in servers]})
            pc.createDataChannel("x")
            # setLocalDescription returns once gathering is complete, which waits out servers
            # that never answer: read the requests meanwhile.
            described = asyncio.ensure_future(pc.setLocalDescription())
            # The query is read (turn:) or dropped (stun:), not refused.
            assert await asyncio.wait_for(stun.request, TIMEOUT) == 0x0001
            assert await asyncio.wait_for(turn.request, TIMEOUT) == 0x0003
        finally:
            await pc.close()
            stun_transport.close()
            turn_transport.close()
        await asyncio.wait_for(described, TIMEOUT)

    run(main())
    for url in ["stun:127.0.0.1?transport=sctp", "stun:127.0.0.1?foo=bar", "turn:127.0.0.1?transport=udp&x=1", "http://127.0.0.1", "stun:?transport=udp"]:
        with pytest.raises(rtckit.RTCSyntaxError):
            rtckit.RTCPeerConnection({"iceServers": [{"urls": url, "username": "u", "credential": "p"}], **LOOPBACK})
    with pytest.raises(rtckit.InvalidAccessError):
        rtckit.RTCPeerConnection({"iceServers": [{"urls": "turn:127.0.0.1?transport=tcp"}]})


def test_get_configuration_is_aiortcs_dataclass_as_set():
    import aiortc

    async def main():
        ours = [f.name for f in dataclasses.fields(rtckit.RTCConfiguration)]
        theirs = [f.name for f in dataclasses.fields(aiortc.RTCConfiguration)]
        assert ours[: len(theirs)] == theirs  # aiortc's fields, in its order, then rtckit's
        pc = rtckit.RTCPeerConnection()
        got = pc.getConfiguration()
        assert isinstance(got, rtckit.RTCConfiguration)
        assert got.iceServers == [] and got.alwaysNegotiateDataChannels is False
        assert got.iceTransportPolicy is rtckit.RTCIceTransportPolicy.ALL and got.iceTransportPolicy == "all"
        assert got.bundlePolicy is rtckit.RTCBundlePolicy.BALANCED and got.bundlePolicy == "balanced"
        assert (got.rtcpMuxPolicy, got.iceCandidatePoolSize, got.certificates) == ("require", 0, [])
        assert (got.portRange, got.bindAddresses) == (None, None)
        await pc.close()

        config = rtckit.RTCConfiguration(
            iceServers=[rtckit.RTCIceServer(urls="stun:127.0.0.1:3478"),
                        rtckit.RTCIceServer(urls=["turn:127.0.0.1?transport=tcp"], username="u", credential="p")],
            iceTransportPolicy=rtckit.RTCIceTransportPolicy.RELAY,
            bundlePolicy="max-bundle",
            bindAddresses=["127.0.0.1"],
            portRange={"min": 40000, "max": 40100},
            iceCandidatePoolSize=3,
        )
        pc = rtckit.RTCPeerConnection(config)
        assert pc.getConfiguration() == config
        await pc.close()
        pc = rtckit.RTCPeerConnection({"portRange": (40000, 40100)})
        assert pc.getConfiguration().portRange == {"min": 40000, "max": 40100}
        await pc.close()
        pc = rtckit.RTCPeerConnection({"portRange": {"max": 40100}})
        assert pc.getConfiguration().portRange == {"max": 40100}
        await pc.close()

    run(main())
    for config, error in [
        ({"bundlePolicy": "sometimes"}, rtckit.RTCTypeError),
        ({"rtcpMuxPolicy": "negotiate"}, rtckit.NotSupportedError),
        ({"rtcpMuxPolicy": 1}, rtckit.RTCTypeError),
        ({"iceCandidatePoolSize": 256}, rtckit.RTCTypeError),
        ({"iceCandidatePoolSize": "1"}, rtckit.RTCTypeError),
        ({"certificates": [object()]}, rtckit.RTCTypeError),
        (rtckit.RTCConfiguration(alwaysNegotiateDataChannels=True), rtckit.NotSupportedError),
    ]:
        with pytest.raises(error):
            rtckit.RTCPeerConnection(config)


def test_relay_only_without_a_turn_server_gathers_nothing_and_completes():
    async def main():
        pc = rtckit.RTCPeerConnection({**LOOPBACK, "iceTransportPolicy": "relay"})
        candidates: list = []
        pc.on("icecandidate", candidates.append)
        pc.createDataChannel("x")
        await pc.setLocalDescription(await pc.createOffer())  # returns once gathering is complete
        assert pc.iceGatheringState == "complete"
        await wait_until(lambda: None in candidates, what="the end-of-candidates event")
        assert candidates == [None]
        assert "a=candidate:" not in pc.localDescription.sdp
        await pc.close()

    run(main())


def test_port_range_binds_host_candidates_in_it_and_two_peers_connect():
    async def main():
        port_range = free_range(20)
        config = {**LOOPBACK, "portRange": port_range}
        a, b = rtckit.RTCPeerConnection(config), rtckit.RTCPeerConnection(config)
        channel = a.createDataChannel("ranged")
        opened = next_event(channel, "open")
        remote = next_event(b, "datachannel")
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        await asyncio.wait_for(opened, TIMEOUT)
        ports = candidate_ports(a.localDescription.sdp) + candidate_ports(b.localDescription.sdp)
        assert len(ports) >= 2
        assert all(port_range["min"] <= p <= port_range["max"] for p in ports), (ports, port_range)
        assert candidate_ports(a.localDescription.sdp)[0] != candidate_ports(b.localDescription.sdp)[0]
        theirs = await asyncio.wait_for(remote, TIMEOUT)
        if theirs.readyState != "open":
            await asyncio.wait_for(next_event(theirs, "open"), TIMEOUT)
        assert await exchange(channel, theirs, ["in range"]) == ["in range"]
        await a.close()
        await b.close()

    run(main())
    for bad in [(10, 5), {"min": 10, "max": 5}, {"min": -1}, {"max": 65536}, {"min": "10"}, (True, 5), 7, (1, 2, 3)]:
        with pytest.raises(rtckit.RTCTypeError):
            rtckit.RTCPeerConnection({"portRange": bad})


def test_set_configuration_refuses_what_w3c_says_cannot_change():
    async def main():
        config = {**LOOPBACK, "bundlePolicy": "max-bundle", "iceCandidatePoolSize": 1, "portRange": free_range(5)}
        other = rtckit.RTCPeerConnection(config)
        # portRange and bindAddresses left out keep their value.
        other.setConfiguration({"bundlePolicy": "max-bundle", "iceCandidatePoolSize": 1, "iceServers": [{"urls": "stun:127.0.0.1:9"}]})
        got = other.getConfiguration()
        assert got.iceServers == [rtckit.RTCIceServer(urls="stun:127.0.0.1:9")]
        assert got.portRange == config["portRange"] and got.bindAddresses == ["127.0.0.1"]
        await other.close()
        pc = rtckit.RTCPeerConnection(config)
        pc.setConfiguration(config)
        pc.setConfiguration({**config, "iceCandidatePoolSize": 2})  # before setLocalDescription
        wider = {"min": config["portRange"]["min"], "max": config["portRange"]["max"] + 1}
        for change in [{"bundlePolicy": None}, {"bundlePolicy": "balanced"}, {"portRange": wider}, {"bindAddresses": ["127.0.0.2"]}]:
            with pytest.raises(rtckit.InvalidModificationError):
                pc.setConfiguration({**config, "iceCandidatePoolSize": 2, **change})
        with pytest.raises(rtckit.RTCTypeError):
            pc.setConfiguration({**config, "certificates": [object()]})
        with pytest.raises(rtckit.NotSupportedError):
            pc.setConfiguration({**config, "rtcpMuxPolicy": "negotiate"})
        pc.createDataChannel("x")
        await pc.setLocalDescription(await pc.createOffer())
        with pytest.raises(rtckit.InvalidModificationError):
            pc.setConfiguration({**config, "iceCandidatePoolSize": 3})
        pc.setConfiguration({**config, "iceCandidatePoolSize": 2, "iceTransportPolicy": rtckit.RTCIceTransportPolicy.RELAY})
        assert pc.getConfiguration().iceTransportPolicy == "relay" and pc.getConfiguration().iceCandidatePoolSize == 2
        await pc.close()
        with pytest.raises(rtckit.InvalidStateError):
            pc.setConfiguration(config)

    run(main())


def test_aiortc_offering_the_draft_05_data_channel_section_is_answered_in_kind(monkeypatch):
    import aiortc
    import aioice.ice as aioice_ice
    # aioice gathers on every interface but 127.0.0.1; keep the test on loopback.
    monkeypatch.setattr(aioice_ice, "get_host_addresses", lambda *args, **kwargs: ["127.0.0.1"])

    async def main():
        theirs = aiortc.RTCPeerConnection(aiortc.RTCConfiguration(iceServers=[]))
        # aiortc's switch for the form older aiortc and libwebrtc wrote.
        theirs._sctpLegacySdp = True
        channel = theirs.createDataChannel("legacy")
        opened = asyncio.get_running_loop().create_future()
        channel.on("open", lambda: opened.done() or opened.set_result(None))
        await theirs.setLocalDescription(await theirs.createOffer())
        offer = theirs.localDescription.sdp
        assert re.search(r"^m=application \d+ DTLS/SCTP 5000\r?$", offer, re.M)
        assert "a=sctpmap:5000 webrtc-datachannel" in offer

        ours = rtckit.RTCPeerConnection(LOOPBACK)
        remote = next_event(ours, "datachannel")
        await ours.setRemoteDescription(rtckit.RTCSessionDescription(sdp=offer, type="offer"))
        assert ours.remoteDescription.sdp == offer  # as the peer sent it
        await ours.setLocalDescription(await ours.createAnswer())
        answer = ours.localDescription.sdp
        assert re.search(r"^m=application \d+ DTLS/SCTP 5000\r?$", answer, re.M), answer
        assert re.search(r"^a=sctpmap:5000 webrtc-datachannel \d+\r?$", answer, re.M)
        assert "a=sctp-port" not in answer
        await theirs.setRemoteDescription(aiortc.RTCSessionDescription(sdp=answer, type="answer"))
        assert theirs._sctpLegacySdp  # aiortc read the answer as the form it offered

        await asyncio.wait_for(opened, TIMEOUT)
        mine = await asyncio.wait_for(remote, TIMEOUT)
        if mine.readyState != "open":
            await asyncio.wait_for(next_event(mine, "open"), TIMEOUT)
        got = asyncio.get_running_loop().create_future()
        channel.on("message", lambda m: got.done() or got.set_result(m))
        mine.send("from rtckit")
        assert await asyncio.wait_for(got, TIMEOUT) == "from rtckit"
        back = next_event(mine, "message")
        channel.send(b"from aiortc")
        assert await asyncio.wait_for(back, TIMEOUT) == b"from aiortc"
        await ours.close()
        await theirs.close()

    run(main())


def test_sdp_numbers_past_64_bits_are_read_and_kept_in_remote_description():
    async def main():
        a = rtckit.RTCPeerConnection(LOOPBACK)
        channel = a.createDataChannel("big")
        opened = next_event(channel, "open")
        await a.setLocalDescription(await a.createOffer())
        b = None
        for origin in ["o=- 9223372036854775808 2 IN IP4 127.0.0.1", "o=- 123456789012345678901234567890 18446744073709551616 IN IP4 127.0.0.1"]:
            if b is not None:
                await b.close()
            b = rtckit.RTCPeerConnection(LOOPBACK)
            sdp = re.sub(r"^o=.*?(?=\r?$)", origin, a.localDescription.sdp, count=1, flags=re.M)
            assert origin in sdp
            await b.setRemoteDescription(rtckit.RTCSessionDescription(sdp=sdp, type="offer"))
            assert b.remoteDescription.sdp == sdp
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        await asyncio.wait_for(opened, TIMEOUT)
        await a.close()
        await b.close()

    run(main())

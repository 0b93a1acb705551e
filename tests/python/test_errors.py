"""Bad input gets the right error kind, and the connection goes on working."""

import asyncio

import pytest

import rtckit
from rtckit import _native
from rtckit.exceptions import KINDS
from conftest import LOOPBACK, exchange, open_pair, run


def test_every_core_kind_has_its_class():
    assert set(_native.error_kinds()) == set(KINDS)
    for name, cls in KINDS.items():
        err = rtckit.exceptions.from_kind(name, "why")
        assert isinstance(err, rtckit.RTCError) and err.name == name and str(err) == "why"
    assert issubclass(rtckit.RTCSyntaxError, ValueError)
    assert issubclass(rtckit.RTCTypeError, TypeError)


def test_bad_configuration():
    with pytest.raises(rtckit.RTCSyntaxError):
        rtckit.RTCPeerConnection({"iceServers": [{"urls": "http://127.0.0.1"}]})
    with pytest.raises(rtckit.InvalidAccessError):
        rtckit.RTCPeerConnection({"iceServers": [{"urls": "turn:127.0.0.1"}]})
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.RTCPeerConnection({"iceTransportPolicy": "some"})
    with pytest.raises(rtckit.RTCSyntaxError):
        rtckit.RTCPeerConnection({"bindAddresses": ["not-an-ip"]})
    with pytest.raises(rtckit.RTCTypeError):
        rtckit.RTCSessionDescription(sdp="", type="bogus")


def test_bad_signaling_input_then_the_connection_still_works():
    async def main():
        a, b, ch, remote = await open_pair()
        fresh = rtckit.RTCPeerConnection(LOOPBACK)
        # Malformed SDP.
        with pytest.raises(rtckit.OperationError, match="could not be parsed"):
            await fresh.setRemoteDescription(rtckit.RTCSessionDescription(sdp="v=0\r\ngarbage", type="offer"))
        assert fresh.signalingState == "stable"
        # A description in the wrong signaling state.
        with pytest.raises(rtckit.InvalidStateError):
            await fresh.setRemoteDescription(rtckit.RTCSessionDescription(sdp=a.localDescription.sdp, type="answer"))
        with pytest.raises(rtckit.InvalidStateError):
            await fresh.createAnswer()
        # A candidate before any remote description; then one that does not parse.
        line = "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host"
        with pytest.raises(rtckit.InvalidStateError):
            await fresh.addIceCandidate(rtckit.RTCIceCandidate(line, sdpMid="0", sdpMLineIndex=0))
        with pytest.raises(rtckit.OperationError, match="does not parse"):
            await a.addIceCandidate({"candidate": "candidate:garbage", "sdpMid": "0"})
        with pytest.raises(rtckit.OperationError):
            await a.addIceCandidate({"candidate": line, "sdpMid": "no-such-mid"})
        with pytest.raises(rtckit.RTCTypeError):
            await a.addIceCandidate({"candidate": line})
        with pytest.raises(rtckit.RTCTypeError):
            await a.addIceCandidate(42)
        await a.addIceCandidate(None)  # end-of-candidates is fine
        with pytest.raises(rtckit.OperationError):
            rtckit.RTCIceCandidate("candidate:1 1 udp x 127.0.0.1 9 typ host").priority
        # The established pair is untouched.
        assert await exchange(ch, remote, ["after bad input"]) == ["after bad input"]
        await fresh.close()
        await a.close()
        await b.close()

    run(main())


def test_bad_channel_input_then_the_channel_still_works():
    async def main():
        a, b, ch, remote = await open_pair()
        with pytest.raises(rtckit.RTCTypeError):
            a.createDataChannel("x", maxRetransmits=1, maxPacketLifeTime=1)
        with pytest.raises(rtckit.RTCTypeError):
            a.createDataChannel("x", negotiated=True)
        with pytest.raises(rtckit.RTCTypeError):
            a.createDataChannel("x", negotiated=True, id=65535)
        with pytest.raises(rtckit.RTCTypeError):
            ch.send(b"x" * (ch.maxMessageSize + 1))
        with pytest.raises(TypeError):
            ch.send(12345)
        with pytest.raises(rtckit.RTCTypeError):
            ch.bufferedAmountLowThreshold = -1
        pending = rtckit.RTCPeerConnection(LOOPBACK).createDataChannel("never-open")
        with pytest.raises(rtckit.InvalidStateError, match="connecting"):
            pending.send("too early")
        extra = a.createDataChannel("extra")
        await asyncio.sleep(0)
        extra.close()
        with pytest.raises(rtckit.InvalidStateError):
            extra.send("too late")
        # Nothing was lost on the reliable channel around the errors.
        assert await exchange(ch, remote, ["one", b"two", ""]) == ["one", b"two", ""]
        await a.close()
        with pytest.raises(rtckit.InvalidStateError):
            ch.send("after close")
        with pytest.raises(rtckit.InvalidStateError, match="closed"):
            await a.createOffer()
        with pytest.raises(rtckit.InvalidStateError):
            a.createDataChannel("after close")
        await a.close()  # idempotent
        await b.close()

    run(main())


def test_a_panic_in_the_core_is_an_operation_error_and_the_process_goes_on():
    async def main():
        a, b, ch, remote = await open_pair()
        # A panic in a core call, synchronous and after the call went async: OperationError,
        # which `except Exception` catches (pyo3 would raise its PanicException, a
        # BaseException, or RustPanic), twice over.
        for _ in range(2):
            with pytest.raises(rtckit.OperationError, match="a panic forced by a test") as raised:
                _native._panic_for_test()
            assert isinstance(raised.value, Exception)
            with pytest.raises(rtckit.OperationError, match="after an await") as raised:
                await _native._panic_for_test_async()
            assert isinstance(raised.value, Exception)
        # The open pair, and a new one, work as before.
        assert await exchange(ch, remote, ["after the panic"]) == ["after the panic"]
        c, d, ch2, remote2 = await open_pair()
        assert await exchange(ch2, remote2, ["new pair"]) == ["new pair"]
        for pc in (a, b, c, d):
            await pc.close()

    run(main())

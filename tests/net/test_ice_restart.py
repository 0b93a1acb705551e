"""A path cut under a live call: failure detection, then an ICE restart on a new path, with no
byte lost on the reliable channel (tests/net/netlab.py; the Node twin is
tests/net/ice_restart.test.mjs)."""

from __future__ import annotations

import asyncio
import time

import pytest

import netlab
from pair import Peer, held_call

pytestmark = pytest.mark.skipif(
    not netlab.can_make_namespaces(),
    reason=f"needs root and {', '.join(netlab.missing_tools()) or 'CAP_NET_ADMIN'} (network namespaces)",
)


def move_home_b_to_a_new_address(lab: netlab.Lab) -> None:
    """home-b's router comes back on another public address, as a phone moving networks."""
    nat = lab.ns("nat-b")
    for args in (
        ["ip", "addr", "flush", "dev", "wan0"],
        ["ip", "addr", "add", "10.99.0.13/24", "dev", "wan0"],
        ["ip", "link", "set", "wan0", "up"],
        ["ip", "route", "replace", "default", "via", netlab.WAN],
    ):
        netlab.sh(*args, ns=nat)


async def restart(a: Peer, b: Peer, option: bool) -> dict:
    """The offerer restarts ICE, the descriptions cross, and the offerer is connected again."""
    a.send({"type": "restart", "option": option})
    b.send(await a.next("description"))
    a.send(await b.next("description"))
    try:
        return await a.until_state("connected", 30)
    except asyncio.TimeoutError:
        raise AssertionError(f"no reconnection: {a.log[-6:]} {b.log[-6:]}") from None


async def end_and_count(a: Peer, b: Peer) -> None:
    await asyncio.sleep(1)  # messages flowing again
    a.send({"type": "stop"})
    b.send({"type": "stop"})
    sent = await a.next("sent", 60)
    result = await b.next("result", 60)
    # Every message sent before, during and after the outage arrived, in order.
    assert result["bytes"] == sent["sentBytes"] > 0 and result["ordered"], (result, sent)


def in_lab(body) -> None:
    async def main(lab: netlab.Lab) -> None:
        configuration = {"iceServers": [{"urls": f"stun:{netlab.WAN}:{netlab.TURN_PORT}"}]}
        a, b = await held_call(lab.ns("home-a"), lab.ns("home-b"), {"configuration": configuration})
        try:
            await asyncio.sleep(1)  # messages flowing
            await body(lab, a, b)
        finally:
            a.send({"type": "bye"})
            b.send({"type": "bye"})
            await asyncio.gather(a.end(), b.end())

    with netlab.Lab("cone") as lab:
        asyncio.run(asyncio.wait_for(main(lab), 180))


def test_a_cut_path_is_detected_then_restart_ice_brings_the_call_back():
    async def body(lab: netlab.Lab, a: Peer, b: Peer) -> None:
        cut = time.time() * 1000
        netlab.sh("ip", "link", "set", "wan0", "down", ns=lab.ns("nat-b"))
        disconnected = await a.until_state("disconnected", 30)
        failed = await a.until_state("failed", 60)
        move_home_b_to_a_new_address(lab)
        restarted = time.time() * 1000
        back = await restart(a, b, option=False)
        figures = {"disconnected": disconnected["at"] - cut, "failed": failed["at"] - cut, "back": back["at"] - restarted}
        print("ICE restart after failure (ms)", figures)
        assert figures["disconnected"] < figures["failed"], figures
        await end_and_count(a, b)

    in_lab(body)


def test_an_ice_restart_offer_at_once_on_a_new_path_brings_the_call_back():
    """createOffer({iceRestart: true}) as soon as the path moves, before ICE has noticed: the
    answerer gathers again, and its answer carries its new address (before the fix of
    setLocalDescription's wait, the answer went out with the old one in 1 run of 3)."""

    async def body(lab: netlab.Lab, a: Peer, b: Peer) -> None:
        netlab.sh("ip", "link", "set", "wan0", "down", ns=lab.ns("nat-b"))
        move_home_b_to_a_new_address(lab)
        restarted = time.time() * 1000
        back = await restart(a, b, option=True)
        print("ICE restart at once (ms)", {"back": back["at"] - restarted})
        await end_and_count(a, b)

    in_lab(body)

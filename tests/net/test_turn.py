"""STUN and TURN against a real coturn, between two homes behind NATs (tests/net/netlab.py).
Each test builds its own lab and removes it; the Node twin is tests/net/turn.test.mjs."""

from __future__ import annotations

import asyncio
import re

import pytest

import netlab
from pair import report, run_pair

pytestmark = pytest.mark.skipif(
    not netlab.can_make_namespaces(),
    reason=f"needs root and {', '.join(netlab.missing_tools()) or 'CAP_NET_ADMIN'} (network namespaces)",
)

MB = 1024 * 1024


def servers(lab: netlab.Lab, stun: bool = True, turn: bool = True, password: str | None = None) -> list:
    out = []
    host = f"{netlab.WAN}:{netlab.TURN_PORT}"
    if stun:
        out.append({"urls": f"stun:{host}"})
    if turn:
        out.append({"urls": f"turn:{host}", "username": lab.user, "credential": password or lab.password})
    return out


def call(lab: netlab.Lab, configuration: dict, **options) -> tuple[list, list]:
    both = {"configuration": configuration, **options}
    return asyncio.run(run_pair(lab.ns("home-a"), both, lab.ns("home-b"), both, timeout=90))


def relayed_bytes(log: str) -> int:
    """What coturn relayed, from the usage lines it writes for each allocation."""
    return sum(int(n) for n in re.findall(r"\brb=(\d+)", log))


def test_a_cone_nat_connects_through_server_reflexive_candidates():
    with netlab.Lab("cone") as lab:
        a, b = call(lab, {"iceServers": servers(lab, turn=False)}, bytes=MB)
        pair = report(a, "pair")
        assert pair["local"]["candidateType"] != "relay" and pair["remote"]["candidateType"] in ("srflx", "prflx"), pair
        # b's public face is its NAT's wan address, not its home address.
        assert pair["remote"]["address"] == "10.99.0.12", pair
        result = report(b, "result")
        assert (result["bytes"], result["ordered"]) == (MB, True), result


def test_two_symmetric_nats_connect_only_through_the_relay():
    with netlab.Lab("symmetric") as lab:
        a, b = call(lab, {"iceServers": servers(lab)}, bytes=MB, video=True, seconds=2)
        for messages in (a, b):
            pair = report(messages, "pair")
            assert "relay" in (pair["local"]["candidateType"], pair["remote"]["candidateType"]), pair
        result = report(b, "result")
        assert (result["bytes"], result["ordered"]) == (MB, True), result
        assert result["frames"] > 0 and result["rising"], result


def test_relay_policy_sends_everything_through_coturn():
    with netlab.Lab("cone") as lab:
        a, b = call(lab, {"iceServers": servers(lab), "iceTransportPolicy": "relay"}, bytes=4 * MB, video=True)
        for messages in (a, b):
            pair = report(messages, "pair")
            assert pair["local"]["candidateType"] == "relay" == pair["remote"]["candidateType"], pair
            assert pair["local"]["address"] == netlab.WAN, pair
        result = report(b, "result")
        assert (result["bytes"], result["ordered"]) == (4 * MB, True), result
        assert result["frames"] > 0 and result["rising"], result
        log = lab.turn_log()
        # coturn's own session log: both peers allocated, authenticated as the test's user.
        allocations = re.findall(r"user <([^>]*)>: incoming packet ALLOCATE processed, success", log)
        assert allocations.count(lab.user) >= 2, log[-3000:]
        print("TURN", report(a, "connected"), result)


def test_wrong_turn_credentials_report_401_naming_the_url_then_fail():
    with netlab.Lab("cone") as lab:
        configuration = {"iceServers": servers(lab, stun=False, password="wrong"), "iceTransportPolicy": "relay"}
        a, _ = call(lab, configuration, timeout=60)
        failed = report(a, "failed")
        url = f"turn:{netlab.WAN}:{netlab.TURN_PORT}"
        assert any(
            e["errorCode"] == 401 and e["url"].startswith(url) and e["address"] == "192.168.1.2" for e in failed["errors"]
        ), failed["errors"]


def test_an_unreachable_turn_server_reports_701_then_fails():
    with netlab.Lab("cone") as lab:
        ice_servers = [{"urls": f"turn:{netlab.WAN}:3479", "username": "u", "credential": "p"}]
        a, _ = call(lab, {"iceServers": ice_servers, "iceTransportPolicy": "relay"}, timeout=60)
        failed = report(a, "failed")
        assert any(e["errorCode"] == 701 and e["url"].startswith(f"turn:{netlab.WAN}:3479") for e in failed["errors"]), failed

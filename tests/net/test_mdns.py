"""mDNS candidates (issue 15): Chromium with its default address hiding offers only `.local`
names, which rtckit-Python resolves on the link (netlab.py's Lan); where the host has no
multicast route it says so and ignores them. The Node twin is tests/net/mdns.test.mjs."""

from __future__ import annotations

import asyncio
import os
import re

import pytest

import netlab
from pair import chromium_call, report

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(
        not netlab.can_make_namespaces(),
        reason=f"needs root and {', '.join(netlab.missing_tools()) or 'CAP_NET_ADMIN'} (network namespaces)",
    ),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} does not exist (never downloaded)"),
]
KB = 1024


def hidden_hosts(messages: list) -> list[str]:
    """Chromium's host candidates in its offer: every one an mDNS name, none an address."""
    sdp = report(messages, "description")["description"]["sdp"]
    hosts = [line for line in sdp.split("\r\n") if line.startswith("a=candidate:") and " typ host" in line]
    assert hosts, "Chromium offered host candidates"
    for line in hosts:
        assert re.fullmatch(r"[0-9a-f-]{36}\.local", line.split()[4]), line
    return [line.split()[4] for line in hosts]


def test_rtckit_resolves_chromium_local_candidates_on_a_lan_with_multicast():
    with netlab.Lan(multicast=True) as lan:
        chromium, rtckit, _ = asyncio.run(chromium_call(lan, {"bytes": 256 * KB, "timeout": 20}))
    hidden_hosts(chromium)
    report(chromium, "connected")
    pair = report(rtckit, "pair")
    # Chromium's real address, learnt from its name (rtckit's answer had no candidate to check
    # against, so Chromium knew rtckit only from rtckit's own checks).
    assert (pair["remote"]["candidateType"], pair["remote"]["address"]) == ("host", lan.BROWSER), pair
    result = report(rtckit, "result")
    assert (result["bytes"], result["ordered"]) == (256 * KB, True)
    print(f"connected in {report(rtckit, 'connected')['ms']:.0f} ms")


def test_without_a_multicast_route_rtckit_says_it_cannot_resolve_and_ignores_them():
    with netlab.Lan(multicast=False) as lan:
        chromium, rtckit, stderr = asyncio.run(
            chromium_call(lan, {"timeout": 20}, until="rtckit ignores the remote candidate")
        )
    name = hidden_hosts(chromium)[0]
    assert re.search(
        rf"rtckit ignores the remote candidate {re.escape(name)}: there is no multicast route to ask on "
        r"\(joining 224\.0\.0\.251:5353 failed: No such device",
        stderr,
    ), stderr
    assert not [m for m in rtckit if m["type"] == "connected"]

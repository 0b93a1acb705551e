"""STUN and TURN against a real coturn, between two homes behind NATs (tests/net/netlab.py).
Each test builds its own lab and removes it; the Node twin is tests/net/turn.test.mjs."""

from __future__ import annotations

import asyncio
import re
import time

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


@pytest.mark.parametrize("transport", ["tcp", "tls"])
def test_turn_over_tcp_and_tls_relays_everything(transport, monkeypatch):
    with netlab.Lab("cone") as lab:
        if transport == "tls":
            url = f"turns:{netlab.WAN}:{netlab.TURNS_PORT}?transport=tcp"
            # The peers trust the lab's own CA, as OpenSSL-based tools would (SSL_CERT_FILE).
            monkeypatch.setenv("SSL_CERT_FILE", lab.ca)
        else:
            url = f"turn:{netlab.WAN}:{netlab.TURN_PORT}?transport=tcp"
        ice_servers = [{"urls": url, "username": lab.user, "credential": lab.password}]
        a, b = call(lab, {"iceServers": ice_servers, "iceTransportPolicy": "relay"}, bytes=MB, video=True)
        for messages in (a, b):
            pair = report(messages, "pair")
            assert pair["local"]["candidateType"] == "relay" == pair["remote"]["candidateType"], pair
            assert pair["local"]["address"] == netlab.WAN, pair
        result = report(b, "result")
        assert (result["bytes"], result["ordered"]) == (MB, True), result
        assert result["frames"] > 0 and result["rising"], result
        # coturn's own log: both sessions were over TLS (their cipher named at allocation), or
        # over TCP (coturn names the TCP socket each peer's exit closed or reset).
        evidence = (
            rf"session \d+: new, realm=<[^>]*>, username=<{lab.user}>, lifetime=\d+, cipher="
            if transport == "tls"
            else r"session \d+: TCP socket (closed remotely|error: .*) 10\.99\.0\.1[12]:"
        )
        for _ in range(100):  # coturn writes its log as it goes: up to 5 s
            if len(re.findall(evidence, lab.turn_log())) >= 2:
                break
            time.sleep(0.05)
        assert len(re.findall(evidence, lab.turn_log())) >= 2, lab.turn_log()[-3000:]
        print("TURN", transport, report(a, "connected"), result)


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


def test_a_turn_url_whose_host_does_not_resolve_reports_701_naming_it_then_fails():
    with netlab.Lab("cone") as lab:
        url = "turn:turn.rtckit.invalid:3478"
        ice_servers = [{"urls": url, "username": "u", "credential": "p"}]
        a, _ = call(lab, {"iceServers": ice_servers, "iceTransportPolicy": "relay"}, timeout=60)
        failed = report(a, "failed")
        assert any(e["errorCode"] == 701 and e["url"].startswith(url) for e in failed["errors"]), failed


def test_a_turns_server_whose_certificate_is_not_trusted_reports_701_naming_it_then_fails(monkeypatch):
    with netlab.Lab("cone") as lab:
        # Trust nothing but the server's own certificate, which is no CA: the lab's CA is not a root.
        monkeypatch.setenv("SSL_CERT_FILE", lab.cert)
        url = f"turns:{netlab.WAN}:{netlab.TURNS_PORT}"
        ice_servers = [{"urls": url, "username": lab.user, "credential": lab.password}]
        a, _ = call(lab, {"iceServers": ice_servers, "iceTransportPolicy": "relay"}, timeout=60)
        failed = report(a, "failed")
        assert any(e["errorCode"] == 701 and e["url"] == url for e in failed["errors"]), failed

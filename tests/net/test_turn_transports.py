"""TURN over TCP and TLS against a real coturn (core/src/turn_stream.rs), and servers that
cannot be used: a name that does not resolve, a certificate not trusted. Each test builds its
own lab (tests/net/netlab.py); the Node twin is tests/net/turn_transports.test.mjs."""

from __future__ import annotations

import re
import time

import pytest

import netlab
from pair import report
from test_turn import MB, call

pytestmark = pytest.mark.skipif(
    not netlab.can_make_namespaces(),
    reason=f"needs root and {', '.join(netlab.missing_tools()) or 'CAP_NET_ADMIN'} (network namespaces)",
)


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
            # getStats names the server and transport the user gave, not the loopback relay.
            assert (pair["local"]["url"], pair["local"]["relayProtocol"]) == (url, transport), pair
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

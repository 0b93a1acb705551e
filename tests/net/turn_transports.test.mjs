// TURN over TCP and TLS against a real coturn (core/src/turn_stream.rs), and servers that
// cannot be used: a name that does not resolve, a certificate not trusted. The Node twin of
// tests/net/test_turn_transports.py; each test builds its own lab (tests/net/netlab.py).
// Apart from turn.test.mjs, whose tests take the file's 180 s already.
import test from 'node:test';
import assert from 'node:assert/strict';
import { cannotBuildLabs, runPair, report, withLab } from './lab.mjs';

const skip = cannotBuildLabs() ?? false;
const MB = 1024 * 1024;

for (const transport of ['tcp', 'tls']) {
  test(`TURN over ${transport.toUpperCase()} relays everything`, { skip }, () =>
    withLab('cone', async (lab) => {
      const url = transport === 'tls'
        ? `turns:${lab.turn.host}:${lab.turn.tlsPort}?transport=tcp`
        : `turn:${lab.turn.host}:${lab.turn.port}?transport=tcp`;
      // The peers trust the lab's self-signed certificate, as OpenSSL-based tools would.
      const env = transport === 'tls' ? { SSL_CERT_FILE: lab.turn.ca } : {};
      const iceServers = [{ urls: url, username: lab.turn.user, credential: lab.turn.password }];
      const [a, b] = await runPair(lab, { configuration: { iceServers, iceTransportPolicy: 'relay' }, bytes: MB, video: true, env });
      for (const messages of [a, b]) {
        const pair = report(messages, 'pair');
        assert.equal(pair.local.candidateType, 'relay', JSON.stringify(pair));
        assert.equal(pair.remote.candidateType, 'relay', JSON.stringify(pair));
        assert.equal(pair.local.address, lab.turn.host);
        // getStats names the server and transport the user gave, not the loopback relay.
        assert.deepEqual([pair.local.url, pair.local.relayProtocol], [url, transport], JSON.stringify(pair));
      }
      const result = report(b, 'result');
      assert.deepEqual([result.bytes, result.ordered], [MB, true]);
      assert.ok(result.frames > 0 && result.rising, JSON.stringify(result));
      // coturn's own log: both sessions were over TLS (their cipher named at allocation), or
      // over TCP (coturn names the TCP socket each peer's exit closed or reset).
      const evidence = transport === 'tls'
        ? new RegExp(`session \\d+: new, realm=<[^>]*>, username=<${lab.turn.user}>, lifetime=\\d+, cipher=`, 'g')
        : /session \d+: TCP socket (closed remotely|error: .*) 10\.99\.0\.1[12]:/g;
      const count = () => [...lab.turnLog().matchAll(evidence)].length;
      for (let i = 0; i < 100 && count() < 2; i++) await new Promise((r) => setTimeout(r, 50)); // up to 5 s
      assert.ok(count() >= 2, lab.turnLog().slice(-3000));
    }));
}

test('a TURN URL whose host does not resolve: icecandidateerror 701 naming it, then "failed"', { skip }, () =>
  withLab('cone', async (lab) => {
    const url = 'turn:turn.rtckit.invalid:3478';
    const iceServers = [{ urls: url, username: 'u', credential: 'p' }];
    const [a] = await runPair(lab, { configuration: { iceServers, iceTransportPolicy: 'relay' }, timeout: 60 });
    const failed = report(a, 'failed');
    assert.ok(
      failed.errors.some((e) => e.errorCode === 701 && e.url.startsWith(url)),
      JSON.stringify(failed.errors),
    );
  }));

test('a turns: server whose certificate is not trusted: icecandidateerror 701 naming it, then "failed"', { skip }, () =>
  withLab('cone', async (lab) => {
    const url = `turns:${lab.turn.host}:${lab.turn.tlsPort}`;
    const iceServers = [{ urls: url, username: lab.turn.user, credential: lab.turn.password }];
    // Trust nothing but the server's own certificate, which is no CA: the lab's CA is not a root.
    const env = { SSL_CERT_FILE: lab.turn.cert };
    const [a] = await runPair(lab, { configuration: { iceServers, iceTransportPolicy: 'relay' }, timeout: 60, env });
    const failed = report(a, 'failed');
    assert.ok(failed.errors.some((e) => e.errorCode === 701 && e.url === url), JSON.stringify(failed.errors));
  }));

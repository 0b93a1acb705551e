// A WHIP (RFC 9725) and WHEP endpoint written with rtckit-Node, for the WHIP/WHEP tests: one
// publisher at a time on POST /whip, any number of players on POST /whep, each of whom gets
// the published tracks (decoded and encoded again, so each player starts on a key frame).
// DELETE on a resource ends its session; GET /state says what is live; GET /player.html is a
// WHEP player page for a browser.
//
// As a command it prints "whip endpoint http://127.0.0.1:PORT/" and serves until killed.
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const rtckit = createRequire(import.meta.url)('../..');

const PLAYER_PAGE = `<!doctype html>
<video id="remote" autoplay muted playsinline></video>
<script>
// A WHEP player: a recvonly offer with every candidate, POSTed to /whep.
window.play = async () => {
  const pc = window.pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = ({ track, streams }) => {
    if (track.kind === 'video') document.getElementById('remote').srcObject = streams[0] ?? new MediaStream([track]);
  };
  await pc.setLocalDescription();
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
  });
  const response = await fetch('/whep', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (response.status !== 201) throw new Error('WHEP answered ' + response.status + ': ' + await response.text());
  window.resource = new URL(response.headers.get('location'), location.href).href;
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
};
</script>`;

/** Starts the endpoint on 127.0.0.1 (`port` 0: any free port). */
export async function startEndpoint({ port = 0 } = {}) {
  const sessions = new Map(); // id -> { kind: 'whip' | 'whep', pc }
  let published = null; // the publisher's received tracks, once it has sent them
  let nextId = 1;
  const state = { publishers: 0, players: 0, deleted: 0 };

  async function answer(kind, offer) {
    const pc = new rtckit.RTCPeerConnection({ bindAddresses: ['127.0.0.1'] });
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    if (kind === 'whip') {
      published = { tracks: pc.getReceivers().map((r) => r.track), pc };
    } else {
      // The player's recvonly m-lines take the published tracks (sendonly in the answer).
      for (const transceiver of pc.getTransceivers()) {
        const track = published.tracks.find((t) => t.kind === transceiver.receiver.track.kind);
        if (!track) continue;
        await transceiver.sender.replaceTrack(track);
        transceiver.direction = 'sendonly';
      }
    }
    await pc.setLocalDescription(await pc.createAnswer());
    while (pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 5));
    return pc;
  }

  const server = http.createServer(async (req, res) => {
    const reply = (status, body = '', headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    };
    try {
      const url = new URL(req.url, 'http://endpoint');
      let body = '';
      for await (const chunk of req) body += chunk;
      if (req.method === 'GET' && url.pathname === '/player.html') return reply(200, PLAYER_PAGE, { 'content-type': 'text/html' });
      if (req.method === 'GET' && url.pathname === '/state') return reply(200, JSON.stringify(state), { 'content-type': 'application/json' });
      const kind = url.pathname.slice(1);
      if (req.method === 'POST' && (kind === 'whip' || kind === 'whep')) {
        if (!/^application\/sdp/.test(req.headers['content-type'] ?? '')) return reply(415, 'the offer must be application/sdp');
        if (kind === 'whep' && !published) return reply(409, 'nothing is published yet');
        const pc = await answer(kind, body);
        const id = String(nextId++);
        sessions.set(id, { kind, pc });
        state[kind === 'whip' ? 'publishers' : 'players'] += 1;
        return reply(201, pc.localDescription.sdp, { 'content-type': 'application/sdp', location: `/resources/${id}` });
      }
      const resource = /^\/resources\/(\d+)$/.exec(url.pathname);
      if (resource && req.method === 'DELETE') {
        const session = sessions.get(resource[1]);
        if (!session) return reply(404, 'no such session');
        sessions.delete(resource[1]);
        session.pc.close();
        if (published?.pc === session.pc) published = null;
        state[session.kind === 'whip' ? 'publishers' : 'players'] -= 1;
        state.deleted += 1;
        return reply(200);
      }
      // No trickle (RFC 9725 §4.3.1: PATCH may be refused with 405).
      if (resource && req.method === 'PATCH') return reply(405, 'trickle is not supported', { allow: 'DELETE' });
      return reply(404, 'not found');
    } catch (error) {
      reply(500, String(error?.stack ?? error));
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    state,
    async close() {
      for (const { pc } of sessions.values()) pc.close();
      sessions.clear();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const endpoint = await startEndpoint({ port: Number(process.argv[2] ?? 0) });
  console.log(`whip endpoint ${endpoint.url}`);
}

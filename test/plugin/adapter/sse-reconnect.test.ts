/**
 * SseClient across a restart of the DM server: the stream drops with the server (connections
 * cut, nothing listening for a while), and the client reconnects on its own to the new server
 * on the same port and receives its events.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseClient } from '../../../plugin/adapter/sse-client';

function sseServer(port: number, onStream: (res: http.ServerResponse) => void): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/api/event' || req.headers.authorization !== 'Bearer sse-token') { res.writeHead(401).end(); return; }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write(': hello\n\n');
    onStream(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((ok, fail) => {
    const tick = () => {
      const v = get();
      if (v !== undefined) { ok(v); return; }
      if (Date.now() > deadline) { fail(new Error(`timed out waiting for ${what}`)); return; }
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('SseClient reconnects after the server restarts', () => {
  const servers: http.Server[] = [];
  let client: SseClient | undefined;

  afterAll(async () => {
    client?.close();
    for (const s of servers) { s.closeAllConnections(); await new Promise((ok) => s.close(() => ok(undefined))); }
  });

  it('gets the events of the new server on the same port', async () => {
    const streams: http.ServerResponse[] = [];
    const first = await sseServer(0, (res) => streams.push(res));
    servers.push(first);
    const port = (first.address() as AddressInfo).port;
    const events: Array<[string, string]> = [];
    const lines: string[] = [];
    client = new SseClient({ url: `http://127.0.0.1:${port}/api/event`, token: 'sse-token', retryMs: 100, onEvent: (e, d) => events.push([e, d]), log: (l) => lines.push(l) });
    await client.ready();
    const s1 = await waitFor('the first stream', () => streams[0]);
    s1.write('event: REGISTRATION\ndata: {"n":1}\n\n');
    await waitFor('the first event', () => (events.length >= 1 ? true : undefined));

    // The server dies: connections cut, the port closed for a while (the client retries meanwhile).
    first.closeAllConnections();
    await new Promise((ok) => first.close(() => ok(undefined)));
    await new Promise((ok) => setTimeout(ok, 600));
    expect(lines.some((l) => /reconnecting/.test(l))).toBe(true);

    const second = await sseServer(port, (res) => streams.push(res));
    servers.push(second);
    const s2 = await waitFor('a stream to the restarted server', () => streams[1]);
    s2.write('event: UPDATED\ndata: {"n":2}\n\n');
    await waitFor('the event of the restarted server', () => (events.length >= 2 ? true : undefined));
    expect(events).toEqual([['REGISTRATION', '{"n":1}'], ['UPDATED', '{"n":2}']]);
  });
});

/**
 * DtlsServer behaviour on real UDP: retransmission through a lossy relay, PSK lookup failures
 * and timeouts, and a device restarting its handshake from the same address:port.
 */
import dgram from 'node:dgram';
import { DtlsClient } from '../../../common/dtls/client';
import { createNativeContext, type NativeSession } from '../../../common/dtls/native';
import { DtlsServer, type DtlsHandshakeErrorEvent, type DtlsSessionClosedEvent, type DtlsSessionEvent } from '../../../common/dtls/server';

const KEY = Buffer.alloc(16, 0x42);

function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

function closeAll(...things: Array<{ close(cb: () => void): unknown }>): Promise<void> {
  return Promise.all(things.map((t) => new Promise<void>((resolve) => t.close(() => resolve())))).then(() => undefined);
}

test('a handshake survives lost datagrams through retransmission', async () => {
  const server = new DtlsServer({ psk: { lookup: async () => KEY } });
  const { port } = await server.listen(0, '127.0.0.1');
  // Relay: client ↔ relay ↔ server, dropping the server's first two datagrams.
  const front = await bound();
  const back = await bound();
  let clientPort = 0;
  let dropped = 0;
  front.on('message', (m, r) => {
    clientPort = r.port;
    back.send(m, port, '127.0.0.1');
  });
  back.on('message', (m) => {
    if (dropped < 2) {
      dropped++;
      return;
    }
    front.send(m, clientPort, '127.0.0.1');
  });
  const client = new DtlsClient({ host: '127.0.0.1', port: front.address().port, psk: { identity: 'lossy', key: KEY } });
  try {
    const started = Date.now();
    await client.connect();
    expect(dropped).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // at least one 1 s retransmission timer
    expect(server.identityOf({ address: '127.0.0.1', port: back.address().port })).toEqual({ kind: 'psk', identity: 'lossy' });
  } finally {
    await closeAll(client, server);
    front.close();
    back.close();
  }
});

test.each([
  ['rejects', { lookup: async () => Promise.reject(new Error('redis down')) }, /PSK lookup for "dev" failed: redis down/],
  ['never answers', { lookup: () => new Promise<Buffer | undefined>(() => undefined) }, /PSK lookup for "dev" took over 200 ms/],
])('a PSK lookup that %s refuses the handshake and the server keeps serving', async (_name, psk, message) => {
  const server = new DtlsServer({ psk, pskLookupTimeoutMs: 200 });
  const errors: DtlsHandshakeErrorEvent[] = [];
  server.on('handshakeError', (e: DtlsHandshakeErrorEvent) => errors.push(e));
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new DtlsClient({ host: '127.0.0.1', port, psk: { identity: 'dev', key: KEY } });
  try {
    await expect(client.connect()).rejects.toThrow(/unknown psk identity/);
    expect(errors[0].error.reason).toBe('psk-lookup');
    expect(errors[0].error.message).toMatch(message);
    expect(errors[1].error.reason).toBe('handshake');
    expect(server.sessionCount).toBe(0);
  } finally {
    await closeAll(client, server);
  }
});

/** Drives a native client session over a raw socket until it is established. */
async function handshake(sock: dgram.Socket, port: number, session: NativeSession): Promise<void> {
  const inbox: Buffer[] = [];
  const onMessage = (m: Buffer) => inbox.push(m);
  sock.on('message', onMessage);
  try {
    let r = session.feed(null);
    let out = r.out;
    for (let round = 0; r.state !== 'established'; round++) {
      if (r.state === 'failed' || round > 20) throw new Error(r.error ?? 'handshake stalled');
      for (const d of out) sock.send(d, port, '127.0.0.1');
      await new Promise((res) => setTimeout(res, 50));
      out = [];
      for (const d of inbox.splice(0)) {
        r = session.feed(d);
        out.push(...r.out);
      }
    }
  } finally {
    sock.off('message', onMessage);
  }
}

test('a new handshake from an established peer (device restart) replaces its session', async () => {
  const server = new DtlsServer({ psk: { lookup: async (identity) => (identity.startsWith('dev') ? KEY : undefined) } });
  const sessions: DtlsSessionEvent[] = [];
  const closed: DtlsSessionClosedEvent[] = [];
  server.on('session', (e: DtlsSessionEvent) => sessions.push(e));
  server.on('sessionClosed', (e: DtlsSessionClosedEvent) => closed.push(e));
  const { port } = await server.listen(0, '127.0.0.1');
  const sock = await bound();
  const ctx = createNativeContext({ role: 'client', ciphers: 'PSK-AES128-CCM8', mtu: 1280, psk: true });
  const first = ctx.connect('s', { identity: Buffer.from('dev-before'), key: KEY });
  const second = ctx.connect('s', { identity: Buffer.from('dev-after'), key: KEY });
  try {
    await handshake(sock, port, first);
    const peer = { address: '127.0.0.1', port: sock.address().port };
    expect(server.identityOf(peer)).toEqual({ kind: 'psk', identity: 'dev-before' });
    first.destroy(); // the device reboots without close_notify
    await handshake(sock, port, second);
    expect(server.identityOf(peer)).toEqual({ kind: 'psk', identity: 'dev-after' });
    expect(sessions.map((s) => s.identity)).toEqual([{ kind: 'psk', identity: 'dev-before' }, { kind: 'psk', identity: 'dev-after' }]);
    expect(closed.map((c) => c.reason)).toEqual(['replaced']);
    expect(server.sessionCount).toBe(1);
  } finally {
    second.destroy();
    sock.close();
    await closeAll(server);
  }
});

test('IPv6: plaintext both ways through the dgram-like faces', async () => {
  const server = new DtlsServer({ type: 'udp6', psk: { lookup: async () => KEY } });
  const { port } = await server.listen(0, '::1');
  const client = new DtlsClient({ type: 'udp6', host: '::1', port, psk: { identity: 'v6', key: KEY } });
  try {
    const atServer = new Promise<[Buffer, dgram.RemoteInfo]>((resolve) => server.once('message', (m: Buffer, r: dgram.RemoteInfo) => resolve([m, r])));
    const sent = await new Promise<[Error | null, number]>((resolve) => client.send(Buffer.from('ping over v6'), port, '::1', (e, n) => resolve([e, n])));
    expect(sent).toEqual([null, 12]);
    const [msg, rinfo] = await atServer;
    expect(msg.toString()).toBe('ping over v6');
    expect(rinfo).toEqual({ address: '::1', port: client.address().port, family: 'IPv6', size: 12 });
    expect(server.identityOf(rinfo)).toEqual({ kind: 'psk', identity: 'v6' });
    const atClient = new Promise<Buffer>((resolve) => client.once('message', resolve));
    server.send(Buffer.from('pong'), rinfo.port, rinfo.address);
    expect((await atClient).toString()).toBe('pong');
  } finally {
    await closeAll(client, server);
  }
});

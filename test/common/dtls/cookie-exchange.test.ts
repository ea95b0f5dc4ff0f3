/**
 * The stateless cookie exchange (RFC 6347 §4.2.1) and the handshake bound, observed on the wire:
 * ClientHellos are produced by a real OpenSSL client session and sent from raw UDP sockets.
 */
import dgram from 'node:dgram';
import { createNativeContext, type NativeSession } from '../../../common/dtls/native';
import { DtlsServer } from '../../../common/dtls/server';

const HANDSHAKE = 22;
const SERVER_HELLO = 2;
const HELLO_VERIFY_REQUEST = 3;

function rawSocket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

/** Sends `d` and resolves with the first datagram back, or undefined after `ms`. */
function exchange(sock: dgram.Socket, d: Buffer, port: number, ms = 400): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sock.off('message', onMessage);
      resolve(undefined);
    }, ms);
    const onMessage = (msg: Buffer) => {
      clearTimeout(timer);
      sock.off('message', onMessage);
      resolve(msg);
    };
    sock.on('message', onMessage);
    sock.send(d, port, '127.0.0.1');
  });
}

function handshakeType(d: Buffer | undefined): number | undefined {
  return d !== undefined && d[0] === HANDSHAKE ? d[13] : undefined;
}

function pskClientSession(): NativeSession {
  const ctx = createNativeContext({ role: 'client', ciphers: 'PSK-AES128-CCM8', mtu: 1280, psk: true });
  return ctx.connect('127.0.0.1:0', { identity: Buffer.from('dev'), key: Buffer.alloc(16, 1) });
}

describe('cookie exchange', () => {
  let server: DtlsServer;
  let port: number;
  const sockets: dgram.Socket[] = [];

  beforeEach(async () => {
    server = new DtlsServer({ psk: { lookup: async () => Buffer.alloc(16, 1) }, maxHandshakes: 1 });
    ({ port } = await server.listen(0, '127.0.0.1'));
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('a ClientHello without cookie gets a HelloVerifyRequest and creates no state', async () => {
    const client = pskClientSession();
    const [hello] = client.feed(null).out;
    expect(handshakeType(hello)).toBe(1);
    const sock = await rawSocket();
    sockets.push(sock);
    for (let i = 0; i < 5; i++) {
      const reply = await exchange(sock, hello, port);
      expect(handshakeType(reply)).toBe(HELLO_VERIFY_REQUEST);
      expect(server.sessionCount).toBe(0);
    }
    client.destroy();
  });

  test('the cookie is bound to the peer address:port, and only a valid one creates a session', async () => {
    const client = pskClientSession();
    const [hello] = client.feed(null).out;
    const owner = await rawSocket();
    const spoofer = await rawSocket();
    sockets.push(owner, spoofer);
    const hvr = await exchange(owner, hello, port);
    const [helloWithCookie] = client.feed(hvr!).out;
    expect(handshakeType(helloWithCookie)).toBe(1);
    // Replayed from another port: the cookie does not verify, a fresh HelloVerifyRequest comes back.
    expect(handshakeType(await exchange(spoofer, helloWithCookie, port))).toBe(HELLO_VERIFY_REQUEST);
    expect(server.sessionCount).toBe(0);
    // From its owner: the server answers with its ServerHello flight and keeps a session.
    expect(handshakeType(await exchange(owner, helloWithCookie, port))).toBe(SERVER_HELLO);
    expect(server.sessionCount).toBe(1);
    client.destroy();
  });

  test('ClientHellos beyond maxHandshakes are dropped', async () => {
    const first = pskClientSession();
    const a = await rawSocket();
    const b = await rawSocket();
    sockets.push(a, b);
    // One handshake left half-way (maxHandshakes = 1).
    const hvr = await exchange(a, first.feed(null).out[0], port);
    expect(handshakeType(await exchange(a, first.feed(hvr!).out[0], port))).toBe(SERVER_HELLO);
    // A second peer gets nothing at all, not even a HelloVerifyRequest.
    const second = pskClientSession();
    expect(await exchange(b, second.feed(null).out[0], port)).toBeUndefined();
    expect(server.sessionCount).toBe(1);
    first.destroy();
    second.destroy();
  });

  test('non-handshake datagrams from unknown peers are ignored', async () => {
    const sock = await rawSocket();
    sockets.push(sock);
    expect(await exchange(sock, Buffer.from('not dtls at all'), port, 200)).toBeUndefined();
    expect(await exchange(sock, Buffer.alloc(0), port, 200)).toBeUndefined();
    expect(server.sessionCount).toBe(0);
  });
});

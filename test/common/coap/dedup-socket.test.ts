/**
 * DedupSocket under a real node-coap Server: on real UDP and on our DTLS (DtlsServer ↔
 * DtlsClient), a retransmitted request is processed once and answered with the same bytes.
 */
import * as coap from 'coap';
import * as dgram from 'node:dgram';
import { DedupSocket } from '../../../common/coap/dedup-socket';
import { DtlsClient } from '../../../common/dtls/client';
import { DtlsServer } from '../../../common/dtls/server';

const PSK_KEY = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');

/** A CoAP request: version 1, type (0 CON, 1 NON), GET, message id, 2-byte token, Uri-Path "count". */
function request(type: number, mid: number, token = Buffer.of(0xab, 0xcd)): Buffer {
  return Buffer.concat([
    Buffer.of(0x40 | (type << 4) | token.length, 0x01, mid >> 8, mid & 0xff), token,
    Buffer.of(0xb5), Buffer.from('count'),
  ]);
}

/** A node-coap Server on `socket` that counts requests and answers "<n> for <port>" after a delay. */
function countingServer(socket: DedupSocket, delayMs = 0): { server: coap.Server; calls: () => number } {
  let calls = 0;
  const server = coap.createServer((req, res) => {
    calls++;
    const n = calls;
    setTimeout(() => res.end(`${n} for ${req.rsinfo.port}`), delayMs);
  });
  server.listen(socket as unknown as dgram.Socket);
  return { server, calls: () => calls };
}

function bindUdp(): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}
const closeUdp = (s: dgram.Socket) => new Promise<void>((r) => s.close(() => r()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Payload of a CoAP message with a 2-byte token and no options. */
const payloadOf = (m: Buffer) => m.subarray(m.indexOf(0xff, 6) + 1).toString();

describe('DedupSocket on UDP', () => {
  let inner: dgram.Socket;
  let dedup: DedupSocket;
  let peers: dgram.Socket[];
  let stack: { server: coap.Server; calls: () => number };

  async function start(opts: ConstructorParameters<typeof DedupSocket>[1] = {}, delayMs = 0): Promise<void> {
    inner = await bindUdp();
    dedup = new DedupSocket(inner, opts);
    stack = countingServer(dedup, delayMs);
    peers = [await bindUdp(), await bindUdp()];
  }
  afterEach(async () => {
    await new Promise<void>((r) => stack.server.close(() => r()));
    await new Promise<void>((r) => dedup.close(() => r(), true));
    for (const p of peers) await closeUdp(p);
  });

  /** Send `buf` from peer i and collect what it receives within `ms`. */
  async function exchange(i: number, buf: Buffer, ms = 150): Promise<Buffer[]> {
    const got: Buffer[] = [];
    const on = (m: Buffer) => got.push(m);
    peers[i].on('message', on);
    peers[i].send(buf, inner.address().port, '127.0.0.1');
    await sleep(ms);
    peers[i].off('message', on);
    return got;
  }

  test('a retransmitted CON request is processed once and answered with the same bytes', async () => {
    await start();
    const [first] = await exchange(0, request(0, 0x1234));
    expect(payloadOf(first)).toBe(`1 for ${peers[0].address().port}`);
    const [second] = await exchange(0, request(0, 0x1234));
    expect(second.equals(first)).toBe(true);
    expect(stack.calls()).toBe(1);
  });

  test('a duplicate of a CON request still in progress is dropped, later answered with the empty ACK sent', async () => {
    await start({}, 300); // node-coap sends an empty ACK after 50 ms, the response separately
    const during = await exchange(0, request(0, 7), 20);
    const again = await exchange(0, request(0, 7), 20);
    expect(during.length + again.length).toBe(0);
    await sleep(100);
    const [late] = await exchange(0, request(0, 7), 50);
    expect(late.equals(Buffer.of(0x60, 0x00, 0x00, 0x07))).toBe(true); // the empty ACK, id 7
    expect(stack.calls()).toBe(1);
    await sleep(300); // let the separate response go out before closing
  });

  test('a duplicate NON request is processed once and not answered again', async () => {
    await start();
    const first = await exchange(0, request(1, 99));
    expect(first).toHaveLength(1);
    expect(await exchange(0, request(1, 99))).toHaveLength(0);
    expect(stack.calls()).toBe(1);
  });

  test('two peers with the same message id are two exchanges', async () => {
    await start();
    const [a] = await exchange(0, request(0, 500));
    const [b] = await exchange(1, request(0, 500));
    expect(payloadOf(a)).toBe(`1 for ${peers[0].address().port}`);
    expect(payloadOf(b)).toBe(`2 for ${peers[1].address().port}`);
    const [a2] = await exchange(0, request(0, 500));
    expect(a2.equals(a)).toBe(true);
    expect(stack.calls()).toBe(2);
  });

  test('memory is bounded: beyond maxExchanges the oldest exchange is forgotten', async () => {
    await start({ maxExchanges: 2 });
    for (const mid of [1, 2, 3]) await exchange(0, request(0, mid, Buffer.of(mid, 0)));
    expect(dedup.rememberedExchanges).toBe(2);
    await exchange(0, request(0, 3, Buffer.of(3, 0))); // remembered: answered from memory
    expect(stack.calls()).toBe(3);
    await exchange(0, request(0, 1, Buffer.of(1, 0))); // forgotten: processed again
    expect(stack.calls()).toBe(4);
  });

  test('node-coap\'s offset/length send form and a closed socket', async () => {
    await start();
    const got = new Promise<Buffer>((r) => peers[0].once('message', r));
    const msg = Buffer.concat([Buffer.from('xx'), request(1, 3)]);
    dedup.send(msg, 2, msg.length - 2, peers[0].address().port, '127.0.0.1', () => undefined);
    expect((await got).equals(request(1, 3))).toBe(true);
    const closed = new DedupSocket(inner);
    closed.close();
    const err = await new Promise<Error | null>((r) => closed.send(request(1, 4), peers[0].address().port, '127.0.0.1', r));
    expect(err?.message).toMatch(/closed/);
  });
});

describe('DedupSocket on DTLS', () => {
  test('a retransmitted CON request over a DTLS session is processed once and answered identically', async () => {
    const dtls = new DtlsServer({ psk: { lookup: async (id) => (id === 'dev-1' ? PSK_KEY : undefined) } });
    const { port } = await dtls.listen(0, '127.0.0.1');
    const dedup = new DedupSocket(dtls);
    const stack = countingServer(dedup);
    const client = new DtlsClient({ host: '127.0.0.1', port, psk: { identity: 'dev-1', key: PSK_KEY } });
    try {
      await client.connect();
      const receive = () => new Promise<Buffer>((r) => client.once('message', (m: Buffer) => r(m)));
      const first = receive();
      client.send(request(0, 0x4242), port, '127.0.0.1');
      const a = await first;
      expect(payloadOf(a)).toMatch(/^1 for \d+$/);
      const second = receive();
      client.send(request(0, 0x4242), port, '127.0.0.1');
      expect((await second).equals(a)).toBe(true);
      expect(stack.calls()).toBe(1);
      // a new message id is a new request
      const third = receive();
      client.send(request(0, 0x4243), port, '127.0.0.1');
      expect(payloadOf(await third)).toMatch(/^2 for \d+$/);
    } finally {
      await new Promise<void>((r) => client.close(() => r()));
      await new Promise<void>((r) => stack.server.close(() => r()));
      await new Promise<void>((r) => dedup.close(() => r()));
      await new Promise<void>((r) => dtls.close(() => r()));
    }
  });
});

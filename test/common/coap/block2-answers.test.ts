/**
 * Block2Answers under a real node-coap Server (on a DedupSocket over real UDP) whose handler
 * answers asynchronously: every block of a large answer carries the answer's own code and
 * Content-Format, the request runs once, and memory is bounded.
 */
import * as coap from 'coap';
import * as dgram from 'node:dgram';
import { Block2Answers, requestedBlock } from '../../../common/coap/block2-answers';
import { DedupSocket } from '../../../common/coap/dedup-socket';
import { parseMessage, type CoapMessage } from '../../../server/coap/message';

const ANSWER = Buffer.from('0123456789abcdef'.repeat(3) + 'tail'); // 52 bytes: 4 blocks of 16
const CBOR = 60;

/** CON POST /big with a 1-byte token, Block2 NUM `num`, SZX 0 (16 bytes). */
function blockRequest(mid: number, token: number, num: number): Buffer {
  return Buffer.concat([
    Buffer.of(0x41, 0x02, mid >> 8, mid & 0xff, token),
    Buffer.of(0xb3), Buffer.from('big'), // Uri-Path (11)
    Buffer.of(0xc1, num << 4), // Block2 (23): NUM, M=0, SZX=0
  ]);
}

const option = (m: CoapMessage, n: number) => m.options.find((o) => o.number === n)?.value;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Block2Answers', () => {
  let inner: dgram.Socket;
  let peer: dgram.Socket;
  let dedup: DedupSocket;
  let server: coap.Server;
  let answers: Block2Answers;
  let runs: number;
  let mid = 1;

  async function start(maxAnswers?: number): Promise<void> {
    runs = 0;
    answers = new Block2Answers({ maxAnswers });
    inner = dgram.createSocket('udp4');
    peer = dgram.createSocket('udp4');
    await new Promise<void>((r) => inner.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
    dedup = new DedupSocket(inner);
    server = coap.createServer((req, res) => {
      const late = answers.serveLate(server, req, res);
      if (late === 'served') return;
      if (late === 'unknown') { res.code = '4.08'; res.end('start at block 0'); return; }
      runs++;
      setTimeout(() => { // answered asynchronously, as the EST server and the devices do
        res.code = '2.04';
        res.setOption('Content-Format', CBOR);
        res.end(ANSWER);
        answers.adopt(server, req, res);
      }, 10);
    });
    server.listen(dedup as unknown as dgram.Socket);
  }
  afterEach(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => dedup.close(() => r(), true));
    await new Promise<void>((r) => peer.close(() => r()));
  });

  function ask(token: number, num: number): Promise<CoapMessage> {
    const got = new Promise<CoapMessage>((r) => peer.once('message', (m: Buffer) => r(parseMessage(m))));
    peer.send(blockRequest(mid++, token, num), inner.address().port, '127.0.0.1');
    return got;
  }

  test('every block keeps the answer\'s code and Content-Format; the request runs once', async () => {
    await start();
    const parts: Buffer[] = [];
    for (let num = 0; num < 4; num++) {
      const res = await ask(0x31, num);
      expect(res.code).toBe('2.04');
      expect(option(res, 12)?.readUIntBE(0, option(res, 12)!.length)).toBe(CBOR);
      const block2 = option(res, 23)!;
      const value = block2.length === 0 ? 0 : block2.readUIntBE(0, block2.length);
      expect(value >> 4).toBe(num);
      expect((value >> 3) & 1).toBe(num < 3 ? 1 : 0);
      parts.push(res.payload);
    }
    expect(Buffer.concat(parts).equals(ANSWER)).toBe(true);
    expect(runs).toBe(1);
    expect(answers.size).toBe(1);
  });

  test('a later block with nothing kept is left to the handler, which does not run the request', async () => {
    await start();
    const res = await ask(0x77, 2);
    expect(res.code).toBe('4.08');
    expect(runs).toBe(0);
  });

  test('a first block runs the request again (a new request), a late block of another peer is unknown', async () => {
    await start();
    await ask(0x31, 0);
    await ask(0x31, 0);
    expect(runs).toBe(2);
    const other = dgram.createSocket('udp4');
    await new Promise<void>((r) => other.bind(0, '127.0.0.1', () => r()));
    try {
      const got = new Promise<CoapMessage>((r) => other.once('message', (m: Buffer) => r(parseMessage(m))));
      other.send(blockRequest(mid++, 0x31, 1), inner.address().port, '127.0.0.1');
      expect((await got).code).toBe('4.08');
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  test('memory is bounded: beyond maxAnswers the oldest answer is dropped', async () => {
    await start(2);
    for (const token of [1, 2, 3]) await ask(token, 0);
    expect(answers.size).toBe(2);
    expect((await ask(1, 1)).code).toBe('4.08');
    expect((await ask(3, 1)).code).toBe('2.04');
    await sleep(10);
    expect(runs).toBe(3);
  });

  test('requestedBlock reads the Block2 NUM of a request', async () => {
    await start();
    const seen: Array<number | undefined> = [];
    server.removeAllListeners('request');
    server.on('request', (req: coap.IncomingMessage, res: coap.OutgoingMessage) => { seen.push(requestedBlock(req)); res.end(); });
    await ask(5, 0);
    await ask(5, 9);
    const plain = new Promise<Buffer>((r) => peer.once('message', r));
    peer.send(Buffer.of(0x40, 0x01, 0x00, 0x99), inner.address().port, '127.0.0.1');
    await plain;
    expect(seen).toEqual([0, 9, undefined]);
  });
});

/** ExchangeMemory: the deduplication rules of RFC 7252 §4.5 as pure bookkeeping. */
import { ExchangeMemory, isRequest } from '../../../common/coap/exchange-memory';

/** A CoAP header: version 1, type, token length 0, code, message id. */
function header(type: number, code: number, mid: number): Buffer {
  return Buffer.from([0x40 | (type << 4), code, mid >> 8, mid & 0xff]);
}
const CON = 0, NON = 1, ACK = 2, RST = 3;
const A = { address: '127.0.0.1', port: 5683 };
const B = { address: '127.0.0.1', port: 5684 };

describe('ExchangeMemory', () => {
  test('requests are CON/NON with a code of class 0 other than 0.00', () => {
    expect(isRequest(header(CON, 0x01, 1))).toBe(true);
    expect(isRequest(header(NON, 0x02, 1))).toBe(true);
    expect(isRequest(header(CON, 0x00, 1))).toBe(false); // ping
    expect(isRequest(header(CON, 0x45, 1))).toBe(false); // a response
    expect(isRequest(header(ACK, 0x01, 1))).toBe(false);
    expect(isRequest(Buffer.from([0x40, 1, 0]))).toBe(false); // too short
    expect(isRequest(Buffer.from([0x80, 1, 0, 1]))).toBe(false); // version 2
  });

  test('a duplicate CON request is dropped while in progress, then answered with the first reply', () => {
    const m = new ExchangeMemory();
    expect(m.admit(header(CON, 0x02, 7), A)).toEqual({ duplicate: false });
    expect(m.admit(header(CON, 0x02, 7), A)).toEqual({ duplicate: true, reply: undefined });
    const reply = Buffer.concat([header(ACK, 0x44, 7), Buffer.from([0xff, 0x61])]);
    m.sent(reply, A);
    const again = m.admit(header(CON, 0x02, 7), A);
    expect(again.duplicate && again.reply?.equals(reply)).toBe(true);
  });

  test('a piggybacked response replaces an empty ACK, never the other way round', () => {
    const m = new ExchangeMemory();
    m.admit(header(CON, 0x01, 9), A);
    m.sent(header(ACK, 0x00, 9), A);
    m.sent(header(ACK, 0x45, 9), A);
    m.sent(header(ACK, 0x00, 9), A);
    const dup = m.admit(header(CON, 0x01, 9), A);
    expect(dup.duplicate && dup.reply?.[1]).toBe(0x45);
  });

  test('a reset is remembered as the reply; CON/NON sent never are', () => {
    const m = new ExchangeMemory();
    m.admit(header(CON, 0x01, 3), A);
    m.sent(header(CON, 0x45, 3), A);
    m.sent(header(NON, 0x45, 3), A);
    expect(m.admit(header(CON, 0x01, 3), A)).toEqual({ duplicate: true, reply: undefined });
    m.sent(header(RST, 0x00, 3), A);
    const dup = m.admit(header(CON, 0x01, 3), A);
    expect(dup.duplicate && dup.reply?.[0]).toBe(0x70);
  });

  test('a duplicate NON request is dropped', () => {
    const m = new ExchangeMemory();
    expect(m.admit(header(NON, 0x02, 11), A).duplicate).toBe(false);
    expect(m.admit(header(NON, 0x02, 11), A)).toEqual({ duplicate: true, reply: undefined });
  });

  test('responses and empty messages are never duplicates', () => {
    const m = new ExchangeMemory();
    for (let i = 0; i < 2; i++) {
      expect(m.admit(header(CON, 0x45, 5), A).duplicate).toBe(false);
      expect(m.admit(header(ACK, 0x00, 5), A).duplicate).toBe(false);
      expect(m.admit(header(CON, 0x00, 5), A).duplicate).toBe(false);
    }
    expect(m.size).toBe(0);
  });

  test('the same message id from two peers is two exchanges', () => {
    const m = new ExchangeMemory();
    expect(m.admit(header(CON, 0x01, 42), A).duplicate).toBe(false);
    expect(m.admit(header(CON, 0x01, 42), B).duplicate).toBe(false);
    expect(m.admit(header(CON, 0x01, 42), { address: '127.0.0.2', port: A.port }).duplicate).toBe(false);
    m.sent(header(ACK, 0x45, 42), A);
    const fromB = m.admit(header(CON, 0x01, 42), B);
    expect(fromB).toEqual({ duplicate: true, reply: undefined }); // A's reply is not B's
  });

  test('an exchange is forgotten after the lifetime', () => {
    let now = 1_000_000;
    const m = new ExchangeMemory({ lifetimeMs: 247_000, now: () => now });
    m.admit(header(CON, 0x01, 1), A);
    now += 246_999;
    expect(m.admit(header(CON, 0x01, 1), A).duplicate).toBe(true);
    now += 2;
    expect(m.admit(header(CON, 0x01, 1), A).duplicate).toBe(false);
    // and expired exchanges are pruned when new ones arrive
    m.admit(header(CON, 0x01, 2), A);
    now += 300_000;
    m.admit(header(CON, 0x01, 3), A);
    expect(m.size).toBe(1);
  });

  test('memory is bounded: the oldest exchange is evicted first', () => {
    const m = new ExchangeMemory({ maxExchanges: 3 });
    for (const mid of [1, 2, 3, 4]) m.admit(header(CON, 0x01, mid), A);
    expect(m.size).toBe(3);
    expect(m.admit(header(CON, 0x01, 4), A).duplicate).toBe(true);
    expect(m.admit(header(CON, 0x01, 2), A).duplicate).toBe(true);
    expect(m.admit(header(CON, 0x01, 1), A).duplicate).toBe(false); // evicted: new again
    expect(m.size).toBe(3);
    for (let mid = 100; mid < 1100; mid++) m.admit(header(NON, 0x01, mid), B);
    expect(m.size).toBe(3);
  });
});

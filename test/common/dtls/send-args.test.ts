/** The dgram.Socket.send overloads our sockets accept (the ones node-coap calls), and record routing. */
import { parseSendArgs } from '../../../common/dtls/send-args';
import { isClientHello, peerKey } from '../../../common/dtls/records';
import { DtlsError } from '../../../common/dtls/errors';

describe('parseSendArgs', () => {
  const cb = () => undefined;
  test.each([
    ['msg, offset, length, port, address, cb (node-coap)', [Buffer.from('abcdef'), 1, 3, 5684, 'h', cb], 'bcd', 5684, 'h', true],
    ['msg, port, address, cb', [Buffer.from('abc'), 5684, 'h', cb], 'abc', 5684, 'h', true],
    ['msg, port, address', [Buffer.from('abc'), 5684, 'h'], 'abc', 5684, 'h', false],
    ['string msg, port, address', ['hi', 1, 'h'], 'hi', 1, 'h', false],
    ['array msg, port, address, cb', [[Buffer.from('a'), 'b', new Uint8Array([99])], 7, 'h', cb], 'abc', 7, 'h', true],
    ['msg, port, undefined, cb', [Buffer.from('x'), 9, undefined, cb], 'x', 9, undefined, true],
  ])('%s', (_name, args, data, port, address, hasCb) => {
    const r = parseSendArgs(args as unknown[]);
    expect(r.data.toString()).toBe(data);
    expect(r.port).toBe(port);
    expect(r.address).toBe(address);
    expect(r.callback !== undefined).toBe(hasCb);
  });

  test('offset/length outside the message and non-bytes are refused', () => {
    expect(() => parseSendArgs([Buffer.from('abc'), 2, 5, 1, 'h'])).toThrow(DtlsError);
    expect(() => parseSendArgs([42, 1, 'h'])).toThrow(/must be a Buffer/);
  });
});

describe('records', () => {
  const hello = Buffer.alloc(30);
  hello[0] = 22;
  hello[1] = 0xfe;
  hello[2] = 0xfd;
  hello[13] = 1;

  test('an epoch-0 ClientHello is recognised', () => {
    expect(isClientHello(hello)).toBe(true);
  });

  test.each([
    ['application data', (b: Buffer) => (b[0] = 23)],
    ['epoch 1 (encrypted)', (b: Buffer) => (b[4] = 1)],
    ['a ServerHello', (b: Buffer) => (b[13] = 2)],
    ['a TLS (not DTLS) version', (b: Buffer) => (b[1] = 3)],
  ])('%s is not', (_name, mutate) => {
    const b = Buffer.from(hello);
    mutate(b);
    expect(isClientHello(b)).toBe(false);
  });

  test('short datagrams are not', () => {
    expect(isClientHello(hello.subarray(0, 13))).toBe(false);
  });

  test('peer keys bracket IPv6', () => {
    expect(peerKey('127.0.0.1', 5684)).toBe('127.0.0.1:5684');
    expect(peerKey('::1', 5684)).toBe('[::1]:5684');
  });
});

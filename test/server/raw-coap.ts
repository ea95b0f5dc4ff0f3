/** A minimal raw CoAP peer for tests: builds datagrams byte by byte and waits for answers on a real UDP socket. */
import * as dgram from 'node:dgram';
import { parseMessage, type CoapMessage } from '../../server/coap/message';

export const OPT = { URI_PATH: 11, CONTENT_FORMAT: 12, URI_QUERY: 15, ACCEPT: 17, OBSERVE: 6 } as const;

export interface RawOptions {
  type?: 0 | 1 | 2 | 3;
  code: [number, number];
  mid: number;
  token?: Buffer;
  options?: Array<[number, Buffer | string | number]>;
  payload?: Buffer | string;
}

function optValue(v: Buffer | string | number): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  const out: number[] = [];
  for (let n = v; n > 0; n = Math.floor(n / 256)) out.unshift(n % 256);
  return Buffer.from(out);
}

function ext(n: number): [number, Buffer] {
  if (n < 13) return [n, Buffer.alloc(0)];
  if (n < 269) return [13, Buffer.of(n - 13)];
  return [14, Buffer.of((n - 269) >> 8, (n - 269) & 0xff)];
}

export function encode(m: RawOptions): Buffer {
  const token = m.token ?? Buffer.alloc(0);
  const parts: Buffer[] = [Buffer.of(0x40 | ((m.type ?? 0) << 4) | token.length, (m.code[0] << 5) | m.code[1], m.mid >> 8, m.mid & 0xff), token];
  let last = 0;
  for (const [num, raw] of [...(m.options ?? [])].sort((a, b) => a[0] - b[0])) {
    const v = optValue(raw);
    const [d, dx] = ext(num - last);
    const [l, lx] = ext(v.length);
    parts.push(Buffer.of((d << 4) | l), dx, lx, v);
    last = num;
  }
  if (m.payload !== undefined && m.payload.length) parts.push(Buffer.of(0xff), Buffer.from(m.payload));
  return Buffer.concat(parts);
}

/** Register request options: POST /rd?<query> with link-format payload. */
export function registerMessage(mid: number, query: string[], links = '</1/0>,</3/0>', contentFormat: number | undefined = 40): Buffer {
  return encode({
    code: [0, 2], mid, token: Buffer.from([mid & 0xff, 1, 2, 3]),
    options: [[OPT.URI_PATH, 'rd'], ...query.map((q) => [OPT.URI_QUERY, q] as [number, string]), ...(contentFormat === undefined ? [] : [[OPT.CONTENT_FORMAT, contentFormat] as [number, number]])],
    payload: links,
  });
}

export class RawPeer {
  private readonly sock = dgram.createSocket('udp4');
  private readonly inbox: Array<{ msg: Buffer }> = [];
  private waiters: Array<() => void> = [];

  async open(): Promise<this> {
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', () => r()));
    this.sock.on('message', (msg) => { this.inbox.push({ msg }); this.waiters.forEach((w) => w()); this.waiters = []; });
    return this;
  }

  get port(): number { return this.sock.address().port; }
  get socket(): dgram.Socket { return this.sock; }

  send(buf: Buffer, port: number): void {
    this.sock.send(buf, port, '127.0.0.1');
  }

  /** The next datagram received, parsed; rejects after ms. */
  async next(ms = 2000): Promise<CoapMessage> {
    const deadline = Date.now() + ms;
    while (this.inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no datagram');
      await new Promise<void>((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
    return parseMessage(this.inbox.shift()!.msg);
  }

  /** Send and wait for the answer. */
  async exchange(buf: Buffer, port: number, ms = 2000): Promise<CoapMessage> {
    this.send(buf, port);
    return this.next(ms);
  }

  pending(): number { return this.inbox.length; }

  close(): Promise<void> {
    return new Promise((r) => this.sock.close(() => r()));
  }
}

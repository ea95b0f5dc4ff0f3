/**
 * DeduplicatingSocket: the dgram-like face node-coap's Server listens on, over a DtlsServer.
 * node-coap answers a retransmitted Confirmable request from its cache only on a real
 * dgram.Socket (an instanceof check), so over DTLS a lost response would make it run the request
 * again — for /sen a second enrollment. This layer remembers each CON request (peer, message id)
 * for EXCHANGE_LIFETIME and answers a duplicate with the ACK/RST sent the first time, or drops it
 * while the first is still being processed (RFC 7252 §4.5).
 */
import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import { parseSendArgs } from '../../common/dtls/send-args';

/** EXCHANGE_LIFETIME (RFC 7252 §4.8.2) in ms. */
const EXCHANGE_LIFETIME_MS = 247_000;
/** Bound on remembered exchanges (oldest forgotten first). */
const MAX_EXCHANGES = 50_000;

export interface DatagramLike extends EventEmitter {
  send(msg: Buffer, port: number, address: string, callback?: (error: Error | null, bytes?: number) => void): void;
  address(): { address: string; port: number; family?: string };
}

interface Exchange {
  readonly at: number;
  reply?: Buffer;
}

export class DeduplicatingSocket extends EventEmitter {
  private readonly exchanges = new Map<string, Exchange>();
  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo) => this.receive(msg, rinfo);
  private readonly onError = (err: Error) => this.emit('error', err);

  constructor(private readonly inner: DatagramLike, private readonly now: () => number = Date.now) {
    super();
    inner.on('message', this.onMessage);
    inner.on('error', this.onError);
  }

  get type(): 'udp4' | 'udp6' {
    return this.inner.address().family === 'IPv6' ? 'udp6' : 'udp4';
  }

  address(): { address: string; port: number; family?: string } {
    return this.inner.address();
  }

  /** send(buf, port, address, cb?) or send(buf, offset, length, port, address, cb?), as node-coap calls it. */
  send(msg: Uint8Array, ...rest: unknown[]): void {
    const { data: buf, port: p, address: a, callback: cb } = parseSendArgs([msg, ...rest]);
    const port = p as number;
    const address = a as string;
    this.remember(buf, address, port);
    this.inner.send(buf, port, address, cb);
  }

  /** Detaches from the inner socket (which its owner closes). */
  close(callback?: () => void): void {
    this.inner.off('message', this.onMessage);
    this.inner.off('error', this.onError);
    this.exchanges.clear();
    if (callback !== undefined) setImmediate(callback);
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    const isConRequest = msg.length >= 4 && msg[0] >> 6 === 1 && ((msg[0] >> 4) & 0x03) === 0 && msg[1] >= 1 && msg[1] <= 31;
    if (isConRequest) {
      const key = `${rinfo.address}|${rinfo.port}|${msg.readUInt16BE(2)}`;
      const seen = this.exchanges.get(key);
      if (seen !== undefined) {
        if (seen.reply !== undefined) this.inner.send(seen.reply, rinfo.port, rinfo.address);
        return;
      }
      this.prune();
      this.exchanges.set(key, { at: this.now() });
    }
    this.emit('message', msg, rinfo);
  }

  private remember(buf: Buffer, address: string, port: number): void {
    if (buf.length < 4) return;
    const type = (buf[0] >> 4) & 0x03;
    if (type !== 2 && type !== 3) return; // only ACK/RST carry the request's message id
    const exchange = this.exchanges.get(`${address}|${port}|${buf.readUInt16BE(2)}`);
    // A piggybacked response replaces an earlier empty ACK.
    if (exchange !== undefined && (exchange.reply === undefined || buf[1] !== 0)) exchange.reply = Buffer.from(buf);
  }

  private prune(): void {
    const limit = this.now() - EXCHANGE_LIFETIME_MS;
    for (const [key, ex] of this.exchanges) {
      if (ex.at >= limit && this.exchanges.size < MAX_EXCHANGES) break; // insertion order is time order
      this.exchanges.delete(key);
    }
  }
}

/**
 * The socket node-coap's Server and Agent share inside one client. It sits on the device's
 * DatagramSocket (UDP or DTLS) and adds the two things the device needs from its radio:
 *
 * - sleep: while asleep (LwM2M queue mode) every incoming datagram is dropped, as a radio that
 *   is off would; nothing is acknowledged, so the server must queue its requests.
 * - deduplication (RFC 7252 §4.5): node-coap replays cached answers to retransmitted
 *   Confirmable requests only when it owns a real dgram.Socket; on any other socket it would run
 *   the request twice (a second Create, a second Execute). Here a retransmitted CON request is
 *   answered with the bytes sent the first time, or dropped while the first is in progress.
 *
 * It also accepts node-coap's 6-argument `send(buf, offset, length, port, address, cb)`.
 */
import { EventEmitter } from 'node:events';
import type { DatagramSocket, RemoteInfo } from './datagram-socket';
import { parseSendArgs } from '../common/dtls/send-args';

/** EXCHANGE_LIFETIME (RFC 7252 §4.8.2), ms: how long a message id is remembered. */
const EXCHANGE_LIFETIME_MS = 247_000;

interface Exchange {
  readonly at: number;
  reply?: Buffer;
}

export class GatedSocket extends EventEmitter {
  /** node-coap's Agent reads the socket type. */
  readonly type: 'udp4' | 'udp6';
  private asleep = false;
  private closed = false;
  private readonly exchanges = new Map<string, Exchange>();
  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo) => this.receive(msg, rinfo);
  private readonly onError = (err: Error) => this.emit('error', err);

  constructor(private readonly inner: DatagramSocket, private readonly now: () => number = Date.now) {
    super();
    this.type = inner.address().family === 'IPv6' ? 'udp6' : 'udp4';
    inner.on('message', this.onMessage);
    inner.on('error', this.onError);
  }

  /** Drop every incoming datagram until wake(). */
  sleep(): void { this.asleep = true; }
  wake(): void { this.asleep = false; }
  get sleeping(): boolean { return this.asleep; }

  address(): { address: string; port: number; family?: string } {
    return this.inner.address();
  }

  send(msg: Uint8Array, ...rest: unknown[]): void {
    const { data: buf, port: p, address: a, callback: cb } = parseSendArgs([msg, ...rest]);
    const port = p as number;
    const address = a as string;
    if (this.closed) { cb?.(new Error('socket closed')); return; }
    this.rememberReply(buf, address, port);
    this.inner.send(buf, port, address, cb);
  }

  /** Detach from the inner socket; the inner socket is closed only when `closeInner`. */
  close(callback?: () => void, closeInner = true): void {
    if (this.closed) { callback?.(); return; }
    this.closed = true;
    this.inner.removeListener('message', this.onMessage);
    this.inner.removeListener('error', this.onError);
    this.exchanges.clear();
    if (closeInner) this.inner.close(callback);
    else callback?.();
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.asleep || this.closed || msg.length < 4) return;
    const type = (msg[0] >> 4) & 0x03;
    const code = msg[1];
    if (type === 0 && code !== 0 && code >> 5 === 0) {
      // A Confirmable request: remember its message id, answer duplicates from memory.
      const key = exchangeKey(rinfo.address, rinfo.port, msg.readUInt16BE(2));
      const seen = this.exchanges.get(key);
      if (seen) {
        if (seen.reply) this.inner.send(seen.reply, rinfo.port, rinfo.address);
        return;
      }
      this.prune();
      this.exchanges.set(key, { at: this.now() });
    }
    this.emit('message', msg, rinfo);
  }

  private rememberReply(buf: Buffer, address: string, port: number): void {
    if (buf.length < 4) return;
    const type = (buf[0] >> 4) & 0x03;
    if (type !== 2 && type !== 3) return; // only ACK/RST carry the request's message id
    const exchange = this.exchanges.get(exchangeKey(address, port, buf.readUInt16BE(2)));
    if (exchange && (exchange.reply === undefined || buf[1] !== 0)) exchange.reply = Buffer.from(buf);
  }

  private prune(): void {
    const limit = this.now() - EXCHANGE_LIFETIME_MS;
    for (const [key, ex] of this.exchanges) {
      if (ex.at >= limit) break; // insertion order is time order
      this.exchanges.delete(key);
    }
  }
}

function exchangeKey(address: string, port: number, messageId: number): string {
  return `${address}|${port}|${messageId}`;
}

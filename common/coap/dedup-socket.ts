/**
 * DedupSocket: a dgram-like socket for node-coap's Server (and Agent) over any datagram socket
 * that is not a dgram.Socket — a DtlsServer, the device's DTLS sessions. It adds what node-coap
 * does only on a real dgram.Socket: message deduplication (RFC 7252 §4.5, see ExchangeMemory):
 * a retransmitted Confirmable request is answered with the bytes sent the first time, or dropped
 * while the first is in progress; a repeated Non-confirmable request is dropped.
 *
 * It accepts every `send` form node-coap uses (common/dtls/send-args.ts). Subclasses may refuse
 * incoming datagrams before deduplication by overriding `accepts` (client-sim's GatedSocket: a
 * sleeping radio hears nothing).
 */
import { EventEmitter } from 'node:events';
import { parseSendArgs, type SendCallback } from '../dtls/send-args';
import { ExchangeMemory, type ExchangeMemoryOptions, type ExchangePeer } from './exchange-memory';

/** The socket underneath: emits 'message'(buf, rinfo) and 'error'(err). */
export interface DatagramLike extends EventEmitter {
  send(msg: Uint8Array, port: number, address: string, callback?: SendCallback): void;
  address(): { address: string; port: number; family?: string };
  close?(callback?: () => void): unknown;
}

export type DedupSocketOptions = ExchangeMemoryOptions;

export class DedupSocket extends EventEmitter {
  /** node-coap's Agent reads the socket type. */
  readonly type: 'udp4' | 'udp6';
  private closed = false;
  private readonly memory: ExchangeMemory;
  private readonly onMessage = (msg: Buffer, rinfo: ExchangePeer) => this.receive(msg, rinfo);
  private readonly onError = (err: Error) => this.emit('error', err);

  constructor(protected readonly inner: DatagramLike, opts: DedupSocketOptions = {}) {
    super();
    this.memory = new ExchangeMemory(opts);
    this.type = inner.address().family === 'IPv6' ? 'udp6' : 'udp4';
    inner.on('message', this.onMessage);
    inner.on('error', this.onError);
  }

  address(): { address: string; port: number; family?: string } {
    return this.inner.address();
  }

  /** Exchanges remembered now (bounded by `maxExchanges`). */
  get rememberedExchanges(): number {
    return this.memory.size;
  }

  /** send(buf, port, address, cb?) or send(buf, offset, length, port, address, cb?), as node-coap calls it. */
  send(msg: Uint8Array, ...rest: unknown[]): void {
    const { data, port, address, callback } = parseSendArgs([msg, ...rest]);
    if (this.closed) { callback?.(new Error('socket closed')); return; }
    if (port === undefined || address === undefined) {
      callback?.(new Error('send(): a port and an address are required'));
      return;
    }
    this.memory.sent(data, { address, port });
    this.inner.send(data, port, address, callback);
  }

  /** Detach from the inner socket; the inner socket is closed too only when `closeInner`. */
  close(callback?: () => void, closeInner = false): void {
    if (this.closed) { if (callback !== undefined) setImmediate(callback); return; }
    this.closed = true;
    this.inner.off('message', this.onMessage);
    this.inner.off('error', this.onError);
    this.memory.clear();
    if (closeInner && this.inner.close !== undefined) this.inner.close(callback);
    else if (callback !== undefined) setImmediate(callback);
  }

  /** Whether an incoming datagram is heard at all (before deduplication). Default: yes. */
  protected accepts(_msg: Buffer, _rinfo: ExchangePeer): boolean {
    return true;
  }

  private receive(msg: Buffer, rinfo: ExchangePeer): void {
    if (this.closed || !this.accepts(msg, rinfo)) return;
    const admission = this.memory.admit(msg, rinfo);
    if (admission.duplicate) {
      if (admission.reply !== undefined) this.inner.send(admission.reply, rinfo.port, rinfo.address, () => undefined);
      return;
    }
    this.emit('message', msg, rinfo);
  }
}

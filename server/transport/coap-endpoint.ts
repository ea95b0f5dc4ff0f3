/**
 * CoapEndpoint: one socket of the server (the plain UDP one, or a secure endpoint) shared by
 * node-coap's Server (uplink requests: Register, Update, Send, Bootstrap-Request) and node-coap's
 * Agent (downlink requests). It sits between the socket and node-coap and adds what node-coap
 * lacks or does only on a real dgram.Socket:
 *
 * - routing: requests go to the Server face; responses whose token belongs to a request in
 *   flight go to the Agent face; any other response (a notification, possibly for an
 *   observation another process or an earlier run created) goes to `onUnmatchedResponse`, so
 *   that the Agent never answers it with a reset.
 * - deduplication (RFC 7252 §4.5, common/coap's ExchangeMemory): a retransmitted Confirmable
 *   request is answered with the bytes sent the first time (node-coap does it only on a
 *   dgram.Socket), or dropped while in progress; a repeated Non-confirmable request is dropped.
 * - malformed datagrams: a request with a broken option list gets 4.00, any other unreadable
 *   Confirmable message a reset; nothing reaches node-coap (whose error replies are skipped on
 *   non-dgram sockets), and the endpoint keeps serving.
 * - COAPLOG: every datagram in and out is reported, only while someone listens.
 */
import { EventEmitter } from 'node:events';
import {
  CoapFormatError, encodeBareResponse, emptyMessage, OptionNumber, parseHeader, parseMessage, uintOption, type CoapMessage,
} from '../coap/message';
import type { DatagramSocketLike, PeerAddress, PeerIdentity } from './secure-endpoint';
import { parseSendArgs } from '../../common/dtls/send-args';
import { ExchangeMemory, type ExchangeMemoryOptions } from '../../common/coap/exchange-memory';

export interface CoapEndpointHooks {
  /** A response no request in flight expects (a notification). The hook must ACK/RST it. */
  onUnmatchedResponse(msg: CoapMessage, rinfo: PeerAddress, endpoint: CoapEndpoint): void;
  /** True when COAPLOG has listeners. */
  logging(): boolean;
  log(incoming: boolean, datagram: Buffer, peer: PeerAddress, endpoint: CoapEndpoint): void;
}

/** The dgram-like face node-coap's Server or Agent listens on. */
class Face extends EventEmitter {
  constructor(private readonly owner: CoapEndpoint) { super(); }
  get type(): 'udp4' | 'udp6' { return this.owner.type; }
  address(): { address: string; port: number; family?: string } { return this.owner.address(); }
  send(msg: Uint8Array, ...rest: unknown[]): void { this.owner.sendFromFace(msg, rest); }
  close(cb?: () => void): void { cb?.(); }
}

export class CoapEndpoint {
  readonly serverFace: EventEmitter;
  readonly agentFace: EventEmitter;
  readonly type: 'udp4' | 'udp6';
  private readonly inFlight = new Map<string, number>();
  /** Content-Format of the first answer block per tracked token (node-coap keeps only the last block's options). */
  private readonly formats = new Map<string, number>();
  private readonly exchanges: ExchangeMemory;
  private readonly onMessage = (msg: Buffer, rinfo: PeerAddress) => this.receive(msg, rinfo);
  private readonly onError = (err: Error) => this.serverFace.emit('error', err);
  private nextMessageId = Math.floor(Math.random() * 0x10000);
  private closed = false;

  constructor(
    readonly name: string,
    private readonly socket: DatagramSocketLike,
    readonly secure: boolean,
    private readonly identity: (rinfo: PeerAddress) => PeerIdentity | undefined,
    private readonly hooks: CoapEndpointHooks,
    memory: ExchangeMemoryOptions = {},
  ) {
    this.exchanges = new ExchangeMemory(memory);
    this.type = socket.address().family === 'IPv6' ? 'udp6' : 'udp4';
    this.serverFace = new Face(this);
    this.agentFace = new Face(this);
    socket.on('message', this.onMessage);
    socket.on('error', this.onError);
  }

  address(): { address: string; port: number; family?: string } {
    return this.socket.address();
  }

  identityOf(rinfo: PeerAddress): PeerIdentity | undefined {
    return this.secure ? this.identity(rinfo) : undefined;
  }

  /** Route responses with this token (hex) to the Agent until released. Counted, so re-use nests. */
  track(tokenHex: string): void {
    this.inFlight.set(tokenHex, (this.inFlight.get(tokenHex) ?? 0) + 1);
  }

  release(tokenHex: string): void {
    const n = (this.inFlight.get(tokenHex) ?? 0) - 1;
    if (n <= 0) {
      this.inFlight.delete(tokenHex);
      this.formats.delete(tokenHex);
    }
    else this.inFlight.set(tokenHex, n);
  }

  /** The Content-Format an answer with this token announced in its first block, if any. */
  formatSeen(tokenHex: string): number | undefined {
    return this.formats.get(tokenHex);
  }

  /** Send a datagram the server built itself (ACK/RST of a notification). */
  sendRaw(buf: Buffer, peer: PeerAddress): void {
    this.transmit(buf, peer.port, peer.address);
  }

  /** Detach from the socket; a socket the server owns is closed by its owner. */
  detach(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.off('message', this.onMessage);
    this.socket.off('error', this.onError);
    this.exchanges.clear();
    this.inFlight.clear();
  }

  /** node-coap calls send(buf, offset, length, port, address, cb) or send(buf, port, address, cb). */
  sendFromFace(msg: Uint8Array, rest: unknown[]): void {
    const { data: buf, port: p, address: a, callback: cb } = parseSendArgs([msg, ...rest]);
    const port = p as number;
    const address = a as string;
    if (this.closed) { cb?.(new Error('endpoint closed')); return; }
    this.exchanges.sent(buf, { address, port });
    this.transmit(buf, port, address, cb);
  }

  private transmit(buf: Buffer, port: number, address: string, cb?: (err: Error | null, bytes?: number) => void): void {
    if (this.hooks.logging()) this.hooks.log(false, buf, { address, port }, this);
    try {
      this.socket.send(buf, port, address, cb ?? (() => undefined));
    } catch (e) {
      cb?.(e as Error);
    }
  }

  private receive(msg: Buffer, rinfo: PeerAddress): void {
    if (this.closed) return;
    if (this.hooks.logging()) this.hooks.log(true, msg, rinfo, this);
    let parsed: CoapMessage;
    try {
      parsed = parseMessage(msg);
    } catch (e) {
      this.reject(msg, rinfo, e as CoapFormatError);
      return;
    }
    if (parsed.codeClass === 0 && parsed.code !== '0.00') {
      if (parsed.type === 'ACK' || parsed.type === 'RST') return this.reject(msg, rinfo, new CoapFormatError('a request in an ACK/RST', parsed));
      const admission = this.exchanges.admit(msg, rinfo);
      if (admission.duplicate) {
        if (admission.reply !== undefined) this.transmit(admission.reply, rinfo.port, rinfo.address);
        return;
      }
      this.serverFace.emit('message', msg, rinfo);
      return;
    }
    if (parsed.code === '0.00') {
      // CoAP ping (empty CON) is answered with a reset; empty ACK/RST concern both sides.
      if (parsed.type === 'CON') return this.sendRaw(emptyMessage('RST', parsed.messageId), rinfo);
      if (parsed.type === 'NON') return;
      this.agentFace.emit('message', msg, rinfo);
      this.serverFace.emit('message', msg, rinfo);
      return;
    }
    if (parsed.codeClass >= 2 && parsed.codeClass <= 5) {
      const hex = parsed.token.toString('hex');
      if (this.inFlight.has(hex) || (parsed.type === 'ACK' && parsed.token.length === 0)) {
        const cf = uintOption(parsed.options, OptionNumber.CONTENT_FORMAT);
        if (cf !== undefined && !this.formats.has(hex)) this.formats.set(hex, cf);
        this.agentFace.emit('message', msg, rinfo);
      } else {
        this.hooks.onUnmatchedResponse(parsed, rinfo, this);
      }
      return;
    }
    // Reserved code classes 1, 6, 7 (RFC 7252 §12.1): reject.
    if (parsed.type === 'CON') this.sendRaw(emptyMessage('RST', parsed.messageId), rinfo);
  }

  private reject(msg: Buffer, rinfo: PeerAddress, err: CoapFormatError): void {
    const header = err.header ?? parseHeader(msg);
    if (!header) {
      // Bad token length or version: reset a Confirmable message if the 4-byte header is readable.
      if (msg.length >= 4 && msg[0] >> 6 === 1 && ((msg[0] >> 4) & 0x03) === 0) this.sendRaw(emptyMessage('RST', msg.readUInt16BE(2)), rinfo);
      return;
    }
    if (header.codeClass === 0 && header.code !== '0.00' && (header.type === 'CON' || header.type === 'NON')) {
      const reply = encodeBareResponse(header, '4.00', err.message, this.messageId());
      this.sendRaw(reply, rinfo);
      return;
    }
    if (header.type === 'CON') this.sendRaw(emptyMessage('RST', header.messageId), rinfo);
  }

  private messageId(): number {
    this.nextMessageId = (this.nextMessageId + 1) & 0xffff;
    return this.nextMessageId;
  }
}

/**
 * ExchangeMemory: CoAP message deduplication (RFC 7252 §4.5) as pure bookkeeping, for any layer
 * that sits between a datagram socket and node-coap. node-coap deduplicates only on a real
 * dgram.Socket (an instanceof check), so over DTLS a retransmitted request would run twice.
 *
 * Each request (CON or NON, code class 0) is remembered by (peer address, peer port, Message ID)
 * for EXCHANGE_LIFETIME. A duplicate Confirmable request is answered with the ACK/RST sent the
 * first time (a piggybacked response replaces an earlier empty ACK), or dropped while the first
 * is still in progress; a duplicate Non-confirmable request is dropped (§4.5: processed once).
 * Memory is bounded: at most `maxExchanges` are kept, the oldest forgotten first. Pure: the
 * caller does the I/O.
 */

/** EXCHANGE_LIFETIME (RFC 7252 §4.8.2) with the default transmission parameters, ms. */
export const EXCHANGE_LIFETIME_MS = 247_000;
/** Default bound on remembered exchanges. */
export const DEFAULT_MAX_EXCHANGES = 50_000;

export interface ExchangeMemoryOptions {
  /** How long a request's Message ID is remembered, ms (default EXCHANGE_LIFETIME_MS). */
  readonly lifetimeMs?: number;
  /** Most exchanges remembered; beyond it the oldest is forgotten (default DEFAULT_MAX_EXCHANGES). */
  readonly maxExchanges?: number;
  readonly now?: () => number;
}

export interface ExchangePeer {
  readonly address: string;
  readonly port: number;
}

/** What to do with an incoming datagram: deliver it, or not (and send `reply` if there is one). */
export type Admission =
  | { readonly duplicate: false }
  | { readonly duplicate: true; readonly reply: Buffer | undefined };

interface Exchange {
  readonly at: number;
  reply?: Buffer;
}

const FRESH: Admission = { duplicate: false };
const TYPE_CON = 0;
const TYPE_NON = 1;
const TYPE_ACK = 2;
const TYPE_RST = 3;

/** Type (0..3) of a CoAP datagram with a readable version-1 header, else undefined. */
function messageType(datagram: Uint8Array): number | undefined {
  if (datagram.length < 4 || datagram[0] >> 6 !== 1) return undefined;
  return (datagram[0] >> 4) & 0x03;
}

/** A CON or NON request: code class 0, not the empty code 0.00. */
export function isRequest(datagram: Uint8Array): boolean {
  const type = messageType(datagram);
  return (type === TYPE_CON || type === TYPE_NON) && datagram[1] !== 0 && datagram[1] >> 5 === 0;
}

export class ExchangeMemory {
  private readonly exchanges = new Map<string, Exchange>();
  private readonly lifetimeMs: number;
  private readonly maxExchanges: number;
  private readonly now: () => number;

  constructor(opts: ExchangeMemoryOptions = {}) {
    this.lifetimeMs = opts.lifetimeMs ?? EXCHANGE_LIFETIME_MS;
    this.maxExchanges = Math.max(1, opts.maxExchanges ?? DEFAULT_MAX_EXCHANGES);
    this.now = opts.now ?? Date.now;
  }

  /** Exchanges remembered now. */
  get size(): number {
    return this.exchanges.size;
  }

  /** An incoming datagram from `peer`: a request seen before is a duplicate; anything else is fresh. */
  admit(datagram: Uint8Array, peer: ExchangePeer): Admission {
    if (!isRequest(datagram)) return FRESH;
    const key = exchangeKey(peer, (datagram[2] << 8) | datagram[3]);
    const seen = this.exchanges.get(key);
    if (seen !== undefined && seen.at >= this.now() - this.lifetimeMs) return { duplicate: true, reply: seen.reply };
    this.exchanges.delete(key);
    this.prune();
    this.exchanges.set(key, { at: this.now() });
    return FRESH;
  }

  /** An outgoing datagram to `peer`: an ACK or RST of a remembered request becomes its reply. */
  sent(datagram: Uint8Array, peer: ExchangePeer): void {
    const type = messageType(datagram);
    if (type !== TYPE_ACK && type !== TYPE_RST) return; // only ACK/RST carry the request's Message ID
    const exchange = this.exchanges.get(exchangeKey(peer, (datagram[2] << 8) | datagram[3]));
    // A piggybacked response replaces an earlier empty ACK, never the other way round.
    if (exchange !== undefined && (exchange.reply === undefined || datagram[1] !== 0)) exchange.reply = Buffer.from(datagram);
  }

  clear(): void {
    this.exchanges.clear();
  }

  /** Forget expired exchanges, and the oldest while full. Insertion order is time order. */
  private prune(): void {
    const limit = this.now() - this.lifetimeMs;
    for (const [key, ex] of this.exchanges) {
      if (ex.at >= limit && this.exchanges.size < this.maxExchanges) break;
      this.exchanges.delete(key);
    }
  }
}

function exchangeKey(peer: ExchangePeer, messageId: number): string {
  return `${peer.address}|${peer.port}|${messageId}`;
}

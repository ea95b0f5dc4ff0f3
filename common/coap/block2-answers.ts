/**
 * Block2Answers: a node-coap Server's memory of its large answers, so that the later blocks of a
 * Block2 transfer (RFC 7959 §2.4) are cut from the very answer the first block came from — with
 * its code (2.04 for a POST, not 2.05) and its options (Content-Format, Max-Age…) — and the
 * request itself (an enrollment, an Execute) is never run again for a later block.
 *
 * node-coap has a cache for this, but serves later blocks with code 2.05 and with only the
 * options its handler had set when the 'request' event returned: none, for a handler that answers
 * asynchronously. So after each answer `adopt` takes the entry out of node-coap's cache and keeps
 * it here instead, keyed like node-coap's (token / peer address:port), for EXCHANGE_LIFETIME and
 * at most `maxAnswers` (oldest dropped first). node-coap then passes every later-block request
 * to the handler, which calls `serveLate` first.
 */
import type { IncomingMessage, OutgoingMessage, Server } from 'coap';
import { EXCHANGE_LIFETIME_MS } from './exchange-memory';
import { optionNumber } from './media-types';

/** Default bound on answers kept. */
export const DEFAULT_MAX_ANSWERS = 10_000;
/** Options node-coap computes per block, never copied from the first block. */
const PER_BLOCK = new Set(['Block1', 'Block2', 'ETag', 'Size1', 'Size2', 'Observe']);

export interface Block2AnswersOptions {
  readonly lifetimeMs?: number;
  readonly maxAnswers?: number;
  readonly now?: () => number;
}

interface RawOption { readonly name: string | number; readonly value: Buffer }

interface KeptAnswer {
  readonly code: string;
  readonly options: readonly RawOption[];
  readonly payload: Buffer;
}

/** What `serveLate` did: answered a later block, found nothing kept for one, or saw no later-block request. */
export type LateBlock = 'served' | 'unknown' | 'not-late';

/** node-coap internals this class reads (stable across node-coap 1.x). */
interface Block2Cache { get(key: string): { buffer?: Buffer } | undefined; remove(key: string): boolean }
interface ServerInternals { _block2Cache?: Block2Cache }
interface ResponseInternals { _cachekey?: string; _packet: { options?: RawOption[] } }
interface RequestInternals { _packet: { token?: Buffer } }

/** NUM of the request's Block2 option (RFC 7959 §2.2), undefined without one, -1 when unreadable. */
export function requestedBlock(req: IncomingMessage): number | undefined {
  const options = (req as unknown as { options?: ReadonlyArray<{ name: string | number; value: unknown }> }).options;
  const opt = (options ?? []).find((o) => String(o.name) === 'Block2' || String(o.name) === '23');
  if (opt === undefined) return undefined;
  const value = optionNumber(opt.value);
  return value === undefined || value < 0 ? -1 : Math.floor(value / 16);
}

export class Block2Answers {
  private readonly answers = new Map<string, { readonly at: number; readonly answer: KeptAnswer }>();
  private readonly lifetimeMs: number;
  private readonly maxAnswers: number;
  private readonly now: () => number;

  constructor(opts: Block2AnswersOptions = {}) {
    this.lifetimeMs = opts.lifetimeMs ?? EXCHANGE_LIFETIME_MS;
    this.maxAnswers = Math.max(1, opts.maxAnswers ?? DEFAULT_MAX_ANSWERS);
    this.now = opts.now ?? Date.now;
  }

  /** Answers kept now. */
  get size(): number {
    return this.answers.size;
  }

  /**
   * Call first for every request. A request for block NUM > 0 is answered from the kept answer
   * ('served'), or not at all ('unknown': the caller answers it, e.g. 4.08, and must not run the
   * request again); any other request is left to the caller ('not-late').
   */
  serveLate(server: Server, req: IncomingMessage, res: OutgoingMessage): LateBlock {
    const num = requestedBlock(req);
    if (num === undefined || num <= 0) return 'not-late';
    const key = answerKey(req);
    const kept = key === undefined ? undefined : this.answers.get(key);
    if (kept === undefined || kept.at < this.now() - this.lifetimeMs) return 'unknown';
    res.code = kept.answer.code;
    const byName = new Map<string | number, Buffer[]>();
    for (const o of kept.answer.options) byName.set(o.name, [...(byName.get(o.name) ?? []), o.value]);
    for (const [name, values] of byName) res.setOption(String(name), values);
    res.end(kept.answer.payload); // node-coap cuts the requested block and adds Block2 and ETag
    this.adopt(server, req, res); // and has cached the answer again: take it back
    return 'served';
  }

  /** Call right after `res.end(payload)`: when node-coap answered block-wise, keep the answer here. */
  adopt(server: Server, req: IncomingMessage, res: OutgoingMessage): void {
    const cache = (server as unknown as ServerInternals)._block2Cache;
    const cacheKey = (res as unknown as ResponseInternals)._cachekey;
    const key = answerKey(req);
    if (cache === undefined || cacheKey === undefined || key === undefined) return;
    const payload = cache.get(cacheKey)?.buffer;
    if (!cache.remove(cacheKey) || payload === undefined) return;
    const options = ((res as unknown as ResponseInternals)._packet.options ?? [])
      .filter((o) => !PER_BLOCK.has(String(o.name)));
    this.prune();
    this.answers.delete(key);
    const code = res.code !== '' ? res.code : (res as unknown as { statusCode: string }).statusCode;
    this.answers.set(key, { at: this.now(), answer: { code, options, payload } });
  }

  clear(): void {
    this.answers.clear();
  }

  /** Drop expired answers, and the oldest while full. Insertion order is time order. */
  private prune(): void {
    const limit = this.now() - this.lifetimeMs;
    for (const [key, kept] of this.answers) {
      if (kept.at >= limit && this.answers.size < this.maxAnswers) break;
      this.answers.delete(key);
    }
  }
}

/** token / peer, as node-coap keys its own cache; undefined without a token. */
function answerKey(req: IncomingMessage): string | undefined {
  const token = (req as unknown as RequestInternals)._packet.token;
  return token !== undefined && token.length > 0 ? `${token.toString('hex')}/${req.rsinfo.address}:${req.rsinfo.port}` : undefined;
}

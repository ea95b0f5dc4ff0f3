/**
 * Block2Answers: the EST server's own memory of large answers, so that the later blocks of a
 * Block2 transfer (RFC 7959) are cut from the very answer the first block came from — with its
 * code (2.04 for a POST) and Content-Format — and the request (an enrollment!) is never run again.
 *
 * node-coap has a cache for this, but it serves later blocks with code 2.05 and with the options
 * its handler had set when the request event returned: none, since EST answers asynchronously.
 * So the EST server takes each answer out of node-coap's cache and keeps it here instead, keyed
 * like node-coap's (token / peer address:port), for EXCHANGE_LIFETIME.
 */

/** EXCHANGE_LIFETIME (RFC 7252 §4.8.2) in ms. */
const EXCHANGE_LIFETIME_MS = 247_000;
/** Bound on answers kept (oldest dropped first). */
const MAX_ANSWERS = 10_000;

export interface KeptAnswer {
  readonly code: string;
  readonly contentFormat?: number;
  readonly payload: Uint8Array;
}

export class Block2Answers {
  private readonly answers = new Map<string, { readonly at: number; readonly answer: KeptAnswer }>();

  constructor(private readonly now: () => number = Date.now) {}

  static key(token: Buffer | undefined, rsinfo: { address: string; port: number }): string | undefined {
    return token !== undefined && token.length > 0 ? `${token.toString('hex')}/${rsinfo.address}:${rsinfo.port}` : undefined;
  }

  get(key: string): KeptAnswer | undefined {
    const kept = this.answers.get(key);
    if (kept === undefined || kept.at < this.now() - EXCHANGE_LIFETIME_MS) return undefined;
    return kept.answer;
  }

  keep(key: string, answer: KeptAnswer): void {
    this.prune();
    this.answers.delete(key);
    this.answers.set(key, { at: this.now(), answer });
  }

  clear(): void {
    this.answers.clear();
  }

  private prune(): void {
    const limit = this.now() - EXCHANGE_LIFETIME_MS;
    for (const [key, kept] of this.answers) {
      if (kept.at >= limit && this.answers.size < MAX_ANSWERS) break; // insertion order is time order
      this.answers.delete(key);
    }
  }
}

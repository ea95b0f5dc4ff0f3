/**
 * Bearer-token authentication of the operator API (RFC 6750). Every route needs
 * `Authorization: Bearer <token>`; /api/event alone also takes `?token=` because browsers'
 * EventSource cannot set headers. Tokens are compared in constant time over their SHA-256
 * digests, so neither content nor length leaks through timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Shortest token accepted, characters. */
export const MIN_TOKEN_LENGTH = 16;

/** A fresh token: 32 random bytes, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export type AuthResult = 'ok' | 'missing' | 'invalid';

export class BearerAuth {
  private readonly expected: Buffer;

  constructor(token: string) {
    if (token.length < MIN_TOKEN_LENGTH) throw new RangeError(`API token must be at least ${MIN_TOKEN_LENGTH} characters`);
    this.expected = digest(token);
  }

  /** True when `candidate` is the token (constant time). */
  matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.expected);
  }

  /**
   * Check a request: the Authorization header, or, when `queryToken` is allowed (the event
   * stream), the `token` query parameter.
   */
  check(headers: IncomingHttpHeaders, queryToken?: string | null): AuthResult {
    const header = headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      return m && this.matches(m[1]) ? 'ok' : 'invalid';
    }
    if (queryToken !== undefined && queryToken !== null) return this.matches(queryToken) ? 'ok' : 'invalid';
    return 'missing';
  }

  /** The WWW-Authenticate challenge for a refused request. */
  static challenge(result: Exclude<AuthResult, 'ok'>): string {
    return result === 'invalid' ? 'Bearer realm="handover", error="invalid_token"' : 'Bearer realm="handover"';
  }
}

/**
 * SecurityStore: the credentials each client must present (DTLS PSK identity and key, or
 * certificate / raw public key mode). The server checks a secure registration's authenticated
 * identity against it; a DTLS transport looks PSK keys up by identity. RedisSecurityStore keeps
 * them in Redis, shared by every server process. PSK identities are unique across endpoints.
 *
 * Keys and secrets are stored in Redis as hex: protect Redis as you would the keys themselves.
 */
import type { Redis } from 'ioredis';
import { InvalidInputError } from '../common/errors';
import type { ServerKeys } from './keys';

export type SecurityInfo =
  | { readonly endpoint: string; readonly mode: 'psk'; readonly identity: string; readonly key: Buffer }
  | { readonly endpoint: string; readonly mode: 'x509' }
  | { readonly endpoint: string; readonly mode: 'rpk'; readonly publicKey: Buffer };

export interface SecurityStore {
  get(ep: string): Promise<SecurityInfo | undefined>;
  getAll(): Promise<SecurityInfo[]>;
  /** The PSK credentials that use this identity (for the DTLS handshake). */
  getByIdentity(identity: string): Promise<SecurityInfo | undefined>;
  /** Add or replace; InvalidInputError when the PSK identity belongs to another endpoint. */
  put(info: SecurityInfo): Promise<void>;
  /** Remove; the removed info, or undefined. */
  remove(ep: string): Promise<SecurityInfo | undefined>;
}

type Stored =
  | { endpoint: string; mode: 'psk'; identity: string; key: string }
  | { endpoint: string; mode: 'x509' }
  | { endpoint: string; mode: 'rpk'; publicKey: string };

function toStored(info: SecurityInfo): Stored {
  switch (info.mode) {
    case 'psk': return { endpoint: info.endpoint, mode: 'psk', identity: info.identity, key: Buffer.from(info.key).toString('hex') };
    case 'rpk': return { endpoint: info.endpoint, mode: 'rpk', publicKey: Buffer.from(info.publicKey).toString('hex') };
    case 'x509': return { endpoint: info.endpoint, mode: 'x509' };
  }
}

function fromStored(json: string | null): SecurityInfo | undefined {
  if (json === null) return undefined;
  const s = JSON.parse(json) as Stored;
  switch (s.mode) {
    case 'psk': return { endpoint: s.endpoint, mode: 'psk', identity: s.identity, key: Buffer.from(s.key, 'hex') };
    case 'rpk': return { endpoint: s.endpoint, mode: 'rpk', publicKey: Buffer.from(s.publicKey, 'hex') };
    case 'x509': return { endpoint: s.endpoint, mode: 'x509' };
  }
}

function check(info: SecurityInfo): void {
  if (typeof info.endpoint !== 'string' || info.endpoint === '') throw new InvalidInputError('Security info without endpoint');
  switch (info.mode) {
    case 'psk':
      if (typeof info.identity !== 'string' || info.identity === '') throw new InvalidInputError('PSK security info without identity');
      if (!(info.key instanceof Uint8Array) || info.key.length === 0) throw new InvalidInputError('PSK security info without key');
      return;
    case 'rpk':
      if (!(info.publicKey instanceof Uint8Array) || info.publicKey.length === 0) throw new InvalidInputError('RPK security info without public key');
      return;
    case 'x509':
      return;
    default:
      throw new InvalidInputError(`Unknown security mode ${(info as { mode: unknown }).mode}`);
  }
}

export class RedisSecurityStore implements SecurityStore {
  constructor(private readonly redis: Redis, private readonly keys: ServerKeys) {}

  async get(ep: string): Promise<SecurityInfo | undefined> {
    return fromStored(await this.redis.get(this.keys.security(ep)));
  }

  async getAll(): Promise<SecurityInfo[]> {
    const eps = await this.redis.smembers(this.keys.securityIndex());
    if (eps.length === 0) return [];
    const values = await this.redis.mget(eps.map((ep) => this.keys.security(ep)));
    return values.map(fromStored).filter((x): x is SecurityInfo => x !== undefined).sort((a, b) => a.endpoint.localeCompare(b.endpoint));
  }

  async getByIdentity(identity: string): Promise<SecurityInfo | undefined> {
    const ep = await this.redis.get(this.keys.pskIdentity(identity));
    if (ep === null) return undefined;
    const info = await this.get(ep);
    return info?.mode === 'psk' && info.identity === identity ? info : undefined;
  }

  async put(info: SecurityInfo): Promise<void> {
    check(info);
    if (info.mode === 'psk') {
      const owner = await this.redis.get(this.keys.pskIdentity(info.identity));
      if (owner !== null && owner !== info.endpoint) {
        throw new InvalidInputError(`PSK identity '${info.identity}' is already used by endpoint '${owner}'`);
      }
    }
    const previous = await this.get(info.endpoint);
    const m = this.redis.multi();
    if (previous?.mode === 'psk' && (info.mode !== 'psk' || previous.identity !== info.identity)) m.del(this.keys.pskIdentity(previous.identity));
    m.set(this.keys.security(info.endpoint), JSON.stringify(toStored(info))).sadd(this.keys.securityIndex(), info.endpoint);
    if (info.mode === 'psk') m.set(this.keys.pskIdentity(info.identity), info.endpoint);
    await m.exec();
  }

  async remove(ep: string): Promise<SecurityInfo | undefined> {
    const previous = await this.get(ep);
    if (!previous) return undefined;
    const m = this.redis.multi().del(this.keys.security(ep)).srem(this.keys.securityIndex(), ep);
    if (previous.mode === 'psk') m.del(this.keys.pskIdentity(previous.identity));
    await m.exec();
    return previous;
  }
}

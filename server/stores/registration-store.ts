/**
 * Registrations in Redis: one JSON string per endpoint, an id → endpoint index, and a sorted set
 * of expiry times that also lists every endpoint. Nothing is cached in the process, so every
 * server process on the same Redis (and a restarted one) sees the same registrations.
 */
import type { Redis } from 'ioredis';
import type { ServerKeys } from '../keys';
import type { Registration } from '../registration';
import { CLAIM_EXPIRED } from './lua/claim-expired';
import { REMOVE_REGISTRATION } from './lua/remove-registration';
import { UPDATE_REGISTRATION } from './lua/update-registration';

/** How many registrations one MGET reads in all(). */
const PAGE = 500;

export class RegistrationStore {
  constructor(private readonly redis: Redis, private readonly keys: ServerKeys) {}

  async get(ep: string): Promise<Registration | undefined> {
    return parse(await this.redis.get(this.keys.registration(ep)));
  }

  async byId(registrationId: string): Promise<Registration | undefined> {
    const ep = await this.redis.get(this.keys.registrationId(registrationId));
    if (ep === null) return undefined;
    const reg = await this.get(ep);
    return reg?.registrationId === registrationId ? reg : undefined;
  }

  /** Every registration, by endpoint name. */
  async all(): Promise<Registration[]> {
    const eps = await this.redis.zrange(this.keys.expiries(), '0', '-1');
    const out: Registration[] = [];
    for (let i = 0; i < eps.length; i += PAGE) {
      const values = await this.redis.mget(eps.slice(i, i + PAGE).map((ep) => this.keys.registration(ep)));
      for (const v of values) {
        const r = parse(v);
        if (r) out.push(r);
      }
    }
    return out.sort((a, b) => a.endpoint.localeCompare(b.endpoint));
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.keys.expiries());
  }

  /** Store a new registration, replacing any previous one of the endpoint (returned). */
  async add(reg: Registration, expiresAt: number): Promise<Registration | undefined> {
    const key = this.keys.registration(reg.endpoint);
    const previous = parse(await this.redis.get(key));
    const m = this.redis.multi()
      .set(key, JSON.stringify(reg))
      .set(this.keys.registrationId(reg.registrationId), reg.endpoint)
      .zadd(this.keys.expiries(), expiresAt, reg.endpoint);
    if (previous && previous.registrationId !== reg.registrationId) m.del(this.keys.registrationId(previous.registrationId));
    await m.exec();
    return previous;
  }

  /** Replace a registration after an Update; false when it expired or was replaced meanwhile. */
  async update(reg: Registration, expiresAt: number): Promise<boolean> {
    const r = await this.redis.eval(UPDATE_REGISTRATION, 2, this.keys.registration(reg.endpoint), this.keys.expiries(),
      reg.registrationId, JSON.stringify(reg), reg.endpoint, expiresAt);
    return r === 1;
  }

  /** De-register: remove the registration if it still has this id. */
  async remove(ep: string, registrationId: string): Promise<Registration | undefined> {
    const r = await this.redis.eval(REMOVE_REGISTRATION, 3, this.keys.registration(ep), this.keys.expiries(),
      this.keys.registrationId(registrationId), registrationId, ep);
    return parse(r as string | null);
  }

  /** Endpoints whose expiry time is past, at most `limit`. */
  async expiredEndpoints(now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.expiries(), '-inf', now, 'LIMIT', 0, limit);
  }

  /** Claim one expired registration; only one caller across all processes gets it. */
  async claimExpired(ep: string, now: number): Promise<Registration | undefined> {
    const r = await this.redis.eval(CLAIM_EXPIRED, 2, this.keys.expiries(), this.keys.registration(ep), ep, now);
    const reg = parse(r as string | null);
    if (reg) await this.redis.del(this.keys.registrationId(reg.registrationId));
    return reg;
  }
}

function parse(json: string | null | undefined): Registration | undefined {
  if (json === null || json === undefined) return undefined;
  try {
    return JSON.parse(json) as Registration;
  } catch {
    return undefined;
  }
}

/** Bootstrap configurations in Redis, one JSON document per endpoint (see bootstrap-config.ts). */
import type { Redis } from 'ioredis';
import type { ServerKeys } from '../keys';
import { parseBootstrapConfig, type BootstrapConfig } from './bootstrap-config';

export class BootstrapConfigStore {
  constructor(private readonly redis: Redis, private readonly keys: ServerKeys) {}

  /** Validate and store. Throws InvalidInputError on a bad config. */
  async set(ep: string, config: unknown): Promise<BootstrapConfig> {
    const cfg = parseBootstrapConfig(config);
    await this.redis.multi().set(this.keys.bootstrapConfig(ep), JSON.stringify(cfg)).sadd(this.keys.bootstrapIndex(), ep).exec();
    return cfg;
  }

  async get(ep: string): Promise<BootstrapConfig | undefined> {
    const v = await this.redis.get(this.keys.bootstrapConfig(ep));
    return v === null ? undefined : (JSON.parse(v) as BootstrapConfig);
  }

  /** True when there was one. */
  async delete(ep: string): Promise<boolean> {
    const [[, n]] = (await this.redis.multi().del(this.keys.bootstrapConfig(ep)).srem(this.keys.bootstrapIndex(), ep).exec()) as [[unknown, number]];
    return n === 1;
  }

  async all(): Promise<Record<string, BootstrapConfig>> {
    const eps = (await this.redis.smembers(this.keys.bootstrapIndex())).sort();
    const out: Record<string, BootstrapConfig> = {};
    if (eps.length === 0) return out;
    const values = await this.redis.mget(eps.map((ep) => this.keys.bootstrapConfig(ep)));
    eps.forEach((ep, i) => { if (values[i] !== null) out[ep] = JSON.parse(values[i] as string) as BootstrapConfig; });
    return out;
  }
}

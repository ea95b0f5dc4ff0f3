/**
 * Observations in Redis, keyed by their CoAP token (hex), which is also the observation id: a
 * notification reaching any server process (or a restarted one) is matched by token alone.
 */
import type { Redis } from 'ioredis';
import type { ServerKeys } from '../keys';

export interface Observation {
  /** Token as hex = observation id. */
  readonly id: string;
  readonly ep: string;
  readonly registrationId: string;
  readonly kind: 'single' | 'composite';
  /** One path (single) or the composite's paths. */
  readonly paths: readonly string[];
  /** Accept / response format asked for. */
  readonly format?: number;
  /** Observe-Composite: format of the path list. */
  readonly requestFormat?: number;
  readonly createdAt: number;
}

export class ObservationStore {
  constructor(private readonly redis: Redis, private readonly keys: ServerKeys) {}

  async add(obs: Observation): Promise<void> {
    await this.redis.multi()
      .set(this.keys.observation(obs.id), JSON.stringify(obs))
      .sadd(this.keys.observationsOf(obs.ep), obs.id)
      .exec();
  }

  async get(id: string): Promise<Observation | undefined> {
    const v = await this.redis.get(this.keys.observation(id));
    return v === null ? undefined : (JSON.parse(v) as Observation);
  }

  async ofEndpoint(ep: string): Promise<Observation[]> {
    const ids = await this.redis.smembers(this.keys.observationsOf(ep));
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.observation(id)));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as Observation);
  }

  async remove(obs: Pick<Observation, 'id' | 'ep'>): Promise<boolean> {
    const [[, n]] = (await this.redis.multi().del(this.keys.observation(obs.id)).srem(this.keys.observationsOf(obs.ep), obs.id).exec()) as [[unknown, number]];
    return n === 1;
  }

  /** Forget every observation of an endpoint (new registration, de-registration, expiry). */
  async removeAll(ep: string): Promise<number> {
    const ids = await this.redis.smembers(this.keys.observationsOf(ep));
    const m = this.redis.multi().del(this.keys.observationsOf(ep));
    for (const id of ids) m.del(this.keys.observation(id));
    await m.exec();
    return ids.length;
  }
}

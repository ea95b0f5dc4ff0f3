/**
 * Requests queued for a sleeping queue-mode client, in Redis, oldest first, as serialised by
 * downlink/request-serde.ts. A short lock keeps two processes from draining one queue at once.
 */
import type { Redis } from 'ioredis';
import type { ServerKeys } from '../keys';

export class RequestQueue {
  constructor(private readonly redis: Redis, private readonly keys: ServerKeys) {}

  async push(ep: string, item: string): Promise<number> {
    return this.redis.rpush(this.keys.queue(ep), item);
  }

  /** Put an item back at the head (its delivery failed). */
  async unshift(ep: string, item: string): Promise<void> {
    await this.redis.lpush(this.keys.queue(ep), item);
  }

  async shift(ep: string): Promise<string | undefined> {
    return (await this.redis.lpop(this.keys.queue(ep))) ?? undefined;
  }

  async length(ep: string): Promise<number> {
    return this.redis.llen(this.keys.queue(ep));
  }

  async items(ep: string): Promise<string[]> {
    return this.redis.lrange(this.keys.queue(ep), 0, -1);
  }

  async clear(ep: string): Promise<void> {
    await this.redis.del(this.keys.queue(ep));
  }

  /** Take the drain lock of an endpoint for `ms`; false when another holder has it. */
  async lock(ep: string, owner: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.keys.queueLock(ep), owner, 'PX', ms, 'NX')) === 'OK';
  }

  async unlock(ep: string, owner: string): Promise<void> {
    const key = this.keys.queueLock(ep);
    if ((await this.redis.get(key)) === owner) await this.redis.del(key);
  }
}

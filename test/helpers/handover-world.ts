/**
 * One handover world per describe block of an end-to-end test: its own Redis key prefix and
 * working directory, created in beforeAll by `create` and always taken down in afterAll (world
 * stopped, keys removed, directory deleted, node-coap's global agents closed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as coap from 'coap';
import { HandoverWorld, type WorldOptions } from '../../scripts/demo/world/world';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from './redis';

export type WorldFixtureOptions = Omit<WorldOptions, 'redisUrl' | 'keyPrefix' | 'dir'>;

export interface WorldFixture {
  readonly prefix: string;
  readonly dir: string;
  /** The world of this block (set by `create`). */
  readonly world: HandoverWorld;
  /** Create the world (call it in beforeAll). */
  create(opts: WorldFixtureOptions): Promise<HandoverWorld>;
}

/** Registers the afterAll that tears the world down; call at describe level. */
export function handoverWorldFixture(name: string): WorldFixture {
  const prefix = `${randomPrefix(name)}:`;
  const dir = mkdtempSync(path.join(os.tmpdir(), `handover-${name}-`));
  let world: HandoverWorld | undefined;
  afterAll(async () => {
    await world?.stop();
    const redis = testRedis();
    await cleanPrefix(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
    coap.globalAgent.close();
    coap.globalAgentIPv6.close();
  });
  return {
    prefix,
    dir,
    get world(): HandoverWorld {
      if (!world) throw new Error(`the ${name} world was not created`);
      return world;
    },
    async create(opts) {
      world = await HandoverWorld.create({ ...opts, redisUrl: testRedisUrl(), keyPrefix: prefix, dir });
      return world;
    },
  };
}

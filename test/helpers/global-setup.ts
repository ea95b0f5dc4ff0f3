/** Starts one embedded Redis for the whole test run (unless REDIS_URL is set); tests use random key prefixes. */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedRedis } from '../../common/redis/embedded';

export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-test-redis-'));
  const redis = await startEmbeddedRedis({ dataDir: dir });
  process.env.REDIS_URL = redis.url;
  process.env.HANDOVER_TEST_REDIS_DIR = dir;
  (globalThis as any).__HANDOVER_REDIS__ = redis;
}

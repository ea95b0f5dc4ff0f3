import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const redis = (globalThis as any).__HANDOVER_REDIS__;
  if (redis) await redis.stop();
  const dir = process.env.HANDOVER_TEST_REDIS_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

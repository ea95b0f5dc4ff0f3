import { mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../../common/redis/embedded';

describe('embedded redis', () => {
  it('starts a private server with AOF and noeviction, keeps data across restarts, and stops', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emb-redis-'));
    try {
      const r1 = await startEmbeddedRedis({ dataDir: dir });
      const c1 = new Redis(r1.url);
      expect(await c1.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await c1.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await c1.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      await c1.set('k', 'v');
      c1.disconnect();
      await r1.stop();
      expect(statSync(dir).mode & 0o077).toBe(0);

      const r2 = await startEmbeddedRedis({ dataDir: dir });
      const c2 = new Redis(r2.url);
      expect(await c2.get('k')).toBe('v');
      c2.disconnect();
      await r2.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with a clear error when the binary is missing', async () => {
    await expect(startEmbeddedRedis({ binary: '/nonexistent/redis-server', dataDir: os.tmpdir() + '/x-emb' }))
      .rejects.toThrow(/redis-server could not be started/);
  });
});

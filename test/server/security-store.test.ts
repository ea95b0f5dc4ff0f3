import type { Redis } from 'ioredis';
import { ServerKeys } from '../../server/keys';
import { RedisSecurityStore } from '../../server/security-store';
import { cleanPrefix, randomPrefix, testRedis } from '../helpers/redis';

describe('RedisSecurityStore', () => {
  let redis: Redis;
  const prefix = randomPrefix('sec');
  let store: RedisSecurityStore;
  beforeAll(() => { redis = testRedis(); store = new RedisSecurityStore(redis, new ServerKeys(prefix)); });
  afterAll(async () => { await cleanPrefix(redis, prefix); await redis.quit(); });

  it('stores, finds by identity, refuses a taken identity, replaces and removes', async () => {
    await store.put({ endpoint: 'a', mode: 'psk', identity: 'id-a', key: Buffer.from('0102', 'hex') });
    await store.put({ endpoint: 'b', mode: 'rpk', publicKey: Buffer.of(1, 2, 3) });
    expect(await store.get('a')).toEqual({ endpoint: 'a', mode: 'psk', identity: 'id-a', key: Buffer.from('0102', 'hex') });
    expect((await store.getByIdentity('id-a'))?.endpoint).toBe('a');
    await expect(store.put({ endpoint: 'c', mode: 'psk', identity: 'id-a', key: Buffer.of(1) })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(store.put({ endpoint: 'c', mode: 'psk', identity: '', key: Buffer.of(1) })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect(await store.get('c')).toBeUndefined();
    await store.put({ endpoint: 'a', mode: 'x509' });
    expect(await store.getByIdentity('id-a')).toBeUndefined();
    expect((await store.getAll()).map((i) => `${i.endpoint}:${i.mode}`)).toEqual(['a:x509', 'b:rpk']);
    expect((await store.remove('b'))?.mode).toBe('rpk');
    expect(await store.remove('b')).toBeUndefined();
    expect((await store.getAll()).map((i) => i.endpoint)).toEqual(['a']);
  });
});

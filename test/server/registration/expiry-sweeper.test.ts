/** Lifetime expiry: claimed atomically, so two processes sweeping at the same instant report it once. */
import { LwM2mServer } from '../../../server/lwm2m-server';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../helpers/redis';
import { RawPeer, registerMessage } from '../raw-coap';

describe('expiry sweep', () => {
  it('expires a registration once, and not before its lifetime (plus grace) ends', async () => {
    const prefix = randomPrefix('exp');
    // Long check interval: the test drives the sweeps itself.
    const opts = { redisUrl: testRedisUrl(), keyPrefix: prefix, coapPort: 0, allowNoSec: true, expiryGraceMs: 1000, expiryCheckMs: 3_600_000 };
    const a = new LwM2mServer(opts);
    const b = new LwM2mServer(opts);
    const peer = await new RawPeer().open();
    try {
      await a.start();
      await b.start();
      const expired: string[] = [];
      for (const s of [a, b]) s.events.on('DEREGISTRATION', (e) => expired.push(`${e.registration.endpoint} ${e.expired}`));
      expect((await peer.exchange(registerMessage(1, ['ep=short', 'lt=5', 'lwm2m=1.1']), a.coapPort)).code).toBe('2.01');
      expect((await peer.exchange(registerMessage(2, ['ep=long', 'lt=500', 'lwm2m=1.1']), a.coapPort)).code).toBe('2.01');
      const now = Date.now();
      expect(await a.sweepExpired(now + 5500)).toBe(0); // within the grace period
      const counts = await Promise.all([a.sweepExpired(now + 7000), b.sweepExpired(now + 7000), a.sweepExpired(now + 7000)]);
      expect(counts.reduce((x, y) => x + y, 0)).toBe(1);
      expect(expired).toEqual(['short true']);
      expect(await b.registrations.get('short')).toBeUndefined();
      expect((await b.registrations.all()).map((r) => r.endpoint)).toEqual(['long']);
    } finally {
      await peer.close();
      await a.stop();
      await b.stop();
      const r = testRedis();
      await cleanPrefix(r, prefix);
      await r.quit();
    }
  });
});

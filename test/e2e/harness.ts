/**
 * Test harness for the server ↔ client suite: a real LwM2mServer on loopback (random Redis
 * prefix) and simulated clients from client-sim, all closed by `close()`.
 */
import { LwM2mClient } from '../../client-sim/client';
import type { LwM2mClientOptions } from '../../client-sim/client-options';
import { LwM2mServer, type LwM2mServerOptions } from '../../server/lwm2m-server';
import type { ServerEvents } from '../../server/events';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../helpers/redis';

export class Harness {
  readonly prefix = randomPrefix('e2e');
  readonly servers: LwM2mServer[] = [];
  readonly clients: LwM2mClient[] = [];

  async server(opts: Partial<LwM2mServerOptions> = {}): Promise<LwM2mServer> {
    const s = new LwM2mServer({ redisUrl: testRedisUrl(), keyPrefix: this.prefix, coapPort: 0, allowNoSec: true, requestTimeoutMs: 5000, ...opts });
    this.servers.push(s);
    await s.start();
    return s;
  }

  async client(server: LwM2mServer, opts: Partial<LwM2mClientOptions> & { endpoint: string }): Promise<LwM2mClient> {
    const c = new LwM2mClient({ serverUri: `coap://127.0.0.1:${server.coapPort}`, lifetime: 300, retryDelay: 200, ...opts });
    this.clients.push(c);
    await c.start();
    return c;
  }

  async close(): Promise<void> {
    // A client stuck mid-bootstrap must not hang the suite.
    const within = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 3000).unref())]);
    for (const c of this.clients) await within(c.stop({ deregister: false }).catch(() => undefined));
    for (const s of this.servers) await s.stop().catch(() => undefined);
    const r = testRedis();
    await cleanPrefix(r, this.prefix);
    await r.quit();
  }
}

/** The next event `name` matching `pred`, or a rejection after `ms`. */
export function nextEvent<K extends keyof ServerEvents & string>(
  server: LwM2mServer, name: K, pred: (p: ServerEvents[K]) => boolean = () => true, ms = 5000,
): Promise<ServerEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { server.events.off(name, on); reject(new Error(`no ${name} event within ${ms} ms`)); }, ms);
    const on = (p: ServerEvents[K]) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      server.events.off(name, on);
      resolve(p);
    };
    server.events.on(name, on);
  });
}

/**
 * A device whose server process was killed (kill -9: no close_notify) and restarted: the new
 * process knows none of the old DTLS sessions (and DTLS cannot tell the client). The device's
 * next Update goes unanswered; it must drop that session, handshake again and be registered —
 * and managed — at the restarted server, which found its registration store in Redis.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LwM2mClient } from '../../client-sim/client';
import { ChildRole } from '../../scripts/demo/world/processes/child';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../helpers/redis';

jest.setTimeout(30_000);

describe('client-sim: a DTLS session the server forgot', () => {
  const redis = testRedis();
  const prefix = randomPrefix('dtls-reset');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-dtls-reset-'));
  const key = Buffer.alloc(16, 7);
  const token = 'a-test-token-of-24-chars';
  let client: LwM2mClient | undefined;
  interface Ports { coapPort: number; httpPort: number; coapsPort: number }

  /** The server in its own process: PSK credentials of the device in its security store. */
  function serverProcess(ports: Ports): ChildRole {
    const code = `
      const { startServerApp } = require(${JSON.stringify(path.resolve(__dirname, '../../server/rest/app.ts'))});
      startServerApp(${JSON.stringify({ token, ...ports, redisUrl: testRedisUrl(), keyPrefix: prefix, dataDir, dtls: { port: ports.coapsPort } })}).then(async (app) => {
        await app.lwm2m.security.put({ endpoint: 'reset-dev', mode: 'psk', identity: 'reset-dev-id', key: Buffer.from('${key.toString('hex')}', 'hex') });
        console.log('READY ' + JSON.stringify({ coapPort: app.coapPort, httpPort: app.httpPort, coapsPort: app.coapsPort }));
      }, (e) => { console.error(e); process.exit(1); });`;
    return new ChildRole({ name: 'lwm2m-server', args: ['-e', code], logFile: path.join(dataDir, 'server.log') });
  }
  const children: ChildRole[] = [];

  async function registration(ports: Ports): Promise<{ lastUpdate: number; secure: boolean } | undefined> {
    const res = await fetch(`http://127.0.0.1:${ports.httpPort}/api/clients/reset-dev`, { headers: { Authorization: `Bearer ${token}` } });
    return res.status === 200 ? (await res.json()) as { lastUpdate: number; secure: boolean } : undefined;
  }

  afterAll(async () => {
    await client?.stop().catch(() => undefined);
    for (const c of children) await c.close();
    await cleanPrefix(redis, prefix);
    await redis.quit();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('re-handshakes after an unanswered request and is registered and reachable at the restarted server', async () => {
    const first = serverProcess({ coapPort: 0, httpPort: 0, coapsPort: 0 });
    children.push(first);
    const ports = await first.start() as Ports;
    client = new LwM2mClient({
      endpoint: 'reset-dev', serverUri: `coaps://127.0.0.1:${ports.coapsPort}`, security: { mode: 'psk', identity: 'reset-dev-id', key },
      lifetime: 3, updateMargin: 2, requestTimeout: 700, retryDelay: 200, maxRetryDelay: 400,
    });
    const firstRegistration = new Promise<void>((ok) => client!.once('registered', () => ok()));
    await client.start();
    await firstRegistration;
    expect((await registration(ports))?.secure).toBe(true);

    // kill -9 of the server process, and a new one on the same ports with the same Redis.
    await first.kill();
    const second = serverProcess(ports);
    children.push(second);
    await second.start();
    const restartedAt = Date.now();
    const seen = new Promise<void>((ok, fail) => {
      const t = setTimeout(() => fail(new Error('the device did not reach the restarted server within 10 s')), 10_000);
      const done = () => { clearTimeout(t); ok(); };
      client!.on('registered', done);
      client!.on('updated', done);
    });
    await seen;
    // A registration message reached the new process, over a new session.
    const after = await registration(ports);
    expect(after).toBeDefined();
    expect(after!.lastUpdate).toBeGreaterThanOrEqual(restartedAt);
    // And the new server reaches the device over it.
    client.setResource('/3/0/0', 'Maker-after-restart');
    const res = await fetch(`http://127.0.0.1:${ports.httpPort}/api/clients/reset-dev/3/0/0?timeout=3`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, content: { value: 'Maker-after-restart' } });
  });
});

/**
 * Registration lifecycle over real UDP: Update before the lifetime ends, De-register on stop,
 * queue mode sleep / wake, persistence across restarts, client-initiated bootstrap.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as coap from 'coap';
import { LwM2mClient } from '../../client-sim/client';
import { codecFor } from '../../objects/codecs/index';
import { ContentFormat } from '../../objects/content-format';
import { standardModels } from '../../objects/ddf-loader';
import { objectInstance, singleResource } from '../../objects/node';
import { LwM2mPath } from '../../objects/path';
import { RawServer } from './raw-server';
import { closeCoapGlobalAgents } from './raw-server';

afterAll(() => closeCoapGlobalAgents());

const models = standardModels();
const tlv = codecFor(ContentFormat.TLV)!;

describe('registration lifecycle', () => {
  let server: RawServer;
  let dir: string;
  const clients: LwM2mClient[] = [];
  const make = (opts: Partial<ConstructorParameters<typeof LwM2mClient>[0]> & { endpoint: string }) => {
    const c = new LwM2mClient({ serverUri: server.uri, requestTimeout: 1500, retryDelay: 200, ...opts });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await new RawServer().start();
    dir = mkdtempSync(path.join(tmpdir(), 'client-sim-'));
  });
  afterAll(async () => {
    for (const c of clients) await c.stop({ deregister: false });
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('updates before the lifetime ends and de-registers on stop', async () => {
    const c = make({ endpoint: 'life-1', lifetime: 2, updateMargin: 1 });
    await c.start();
    const loc = c.location!;
    const upd = await server.nextUplink((u) => u.method === 'POST' && u.path === loc, 3000);
    expect(upd.query).toEqual([]);
    const dereg = server.nextUplink((u) => u.method === 'DELETE' && u.path === loc);
    await c.stop();
    await dereg;
    expect(c.registered).toBe(false);
  });

  it('sleeps in queue mode and, on wake, sends an Update before answering again', async () => {
    const c = make({ endpoint: 'queue-1', queueMode: true });
    await c.start();
    const reg = await server.waitFor((u) => u.path === '/rd' && u.query.includes('ep=queue-1'));
    expect(reg.query).toContain('Q');
    const port = c.address()!.port;
    c.sleep();
    await expect(server.request(port, { path: '/3/0/0', timeoutMs: 500 })).rejects.toThrow(/did not answer/);
    const update = server.nextUplink((u) => u.path === c.location);
    await c.wake();
    await update;
    expect((await server.request(port, { path: '/3/0/0' })).code).toBe('2.05');
  });

  it('persists its state (0600) and resumes its registration after a restart', async () => {
    const file = path.join(dir, 'persist-1.json');
    const c1 = make({ endpoint: 'persist-1', stateFile: file });
    await c1.start();
    const loc = c1.location!;
    const port = c1.address()!.port;
    expect((await server.request(port, { method: 'PUT', path: '/3/0/14', format: ContentFormat.TEXT, payload: Buffer.from('+01:00') })).code).toBe('2.04');
    await c1.stop({ deregister: false });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const registersBefore = server.uplinks.filter((u) => u.path === '/rd').length;
    const c2 = make({ endpoint: 'persist-1', stateFile: file });
    const resumed = server.nextUplink((u) => u.path === loc);
    await c2.start();
    await resumed;
    expect(c2.location).toBe(loc);
    expect(server.uplinks.filter((u) => u.path === '/rd').length).toBe(registersBefore);
    expect(c2.getResource('/3/0/14')).toEqual(singleResource(14, 'STRING', '+01:00'));
  });

  it('bootstraps from a bootstrap server, then registers with the server it was given', async () => {
    const bs = await new RawServer().start();
    try {
      bs.route = (req: coap.IncomingMessage, res: coap.OutgoingMessage) => {
        if (req.method !== 'POST' || !req.url.startsWith('/bs')) return false;
        res.code = '2.04';
        res.end();
        void provision(req.rsinfo.port);
        return true;
      };
      const outcome: string[] = [];
      const provision = async (devicePort: number) => {
        outcome.push((await bs.request(devicePort, { method: 'POST', path: '/bs' })).code); // nothing written yet: 4.06
        outcome.push((await bs.request(devicePort, { method: 'DELETE', path: '/' })).code);
        const security = objectInstance(1, [
          singleResource(0, 'STRING', server.uri), singleResource(1, 'BOOLEAN', false), singleResource(2, 'INTEGER', 3n),
          singleResource(3, 'OPAQUE', new Uint8Array()), singleResource(4, 'OPAQUE', new Uint8Array()), singleResource(5, 'OPAQUE', new Uint8Array()),
          singleResource(10, 'INTEGER', 7n),
        ]);
        outcome.push((await bs.request(devicePort, { method: 'PUT', path: '/0/1', format: ContentFormat.TLV, payload: tlv.encode(security, LwM2mPath.parse('/0/1'), models) })).code);
        const srv = objectInstance(0, [singleResource(0, 'INTEGER', 7n), singleResource(1, 'INTEGER', 120n), singleResource(6, 'BOOLEAN', false), singleResource(7, 'STRING', 'U')]);
        outcome.push((await bs.request(devicePort, { method: 'PUT', path: '/1/0', format: ContentFormat.TLV, payload: tlv.encode(srv, LwM2mPath.parse('/1/0'), models) })).code);
        const disc = await bs.request(devicePort, { path: '/', accept: ContentFormat.LINK });
        outcome.push(disc.code, disc.payload.toString());
        outcome.push((await bs.request(devicePort, { path: '/3/0' })).code); // Bootstrap-Read only on 1 and 2
        outcome.push((await bs.request(devicePort, { method: 'POST', path: '/bs' })).code);
      };
      const c = make({ endpoint: 'boot-1', serverUri: undefined, bootstrapUri: bs.uri });
      const bootstrapped = new Promise((r) => c.once('bootstrapped', r));
      await c.start();
      await bootstrapped;
      expect(outcome.slice(0, 5)).toEqual(['4.06', '2.02', '2.04', '2.04', '2.05']);
      expect(outcome[5]).toMatch(/<\/0\/1>;ssid=7;uri="coap:\/\/127\.0\.0\.1:\d+"/);
      expect(outcome.slice(6)).toEqual(['4.05', '2.04']);
      const bsReq = bs.uplinks.find((u) => u.path === '/bs')!;
      expect(bsReq.query).toEqual(expect.arrayContaining(['ep=boot-1']));
      const reg = await server.waitFor((u) => u.path === '/rd' && u.query.includes('ep=boot-1'));
      expect(reg.query).toContain('lt=120');
      expect(c.registered).toBe(true);
    } finally {
      await bs.close();
    }
  });
});

/** The bootstrap sequence between the server's bootstrap interface and a factory-fresh client. */
import { Harness, nextEvent } from './harness';

describe('bootstrap', () => {
  const h = new Harness();
  afterAll(() => h.close());

  it('bootstraps a client from its configuration, then the client registers', async () => {
    const s = await h.server({ bootstrap: true });
    const uri = `coap://127.0.0.1:${s.coapPort}`;
    await s.bootstrapConfigs.set('bs-1', {
      toDelete: ['/0', '/1'],
      security: {
        0: { uri, bootstrapServer: true, securityMode: 3 },
        1: { uri, bootstrapServer: false, securityMode: 3, shortServerId: 7 },
      },
      servers: { 0: { shortServerId: 7, lifetime: 120, binding: 'U' } },
      discover: '/',
      read: ['/1'],
    });
    expect(Object.keys(await s.bootstrapConfigs.all())).toEqual(['bs-1']);
    const done = nextEvent(s, 'BOOTSTRAP', (e) => e.ep === 'bs-1');
    const registered = nextEvent(s, 'REGISTRATION', (e) => e.registration.endpoint === 'bs-1', 10000);
    await h.client(s, { endpoint: 'bs-1', bootstrapUri: uri, serverUri: undefined });
    const bs = await done;
    expect(bs.status).toBe('finished');
    expect(bs.responses.map((r) => `${r.request} ${r.response.code}`)).toEqual([
      'bootstrapDiscover /', 'bootstrapRead /1', 'bootstrapDelete /0', 'bootstrapDelete /1',
      'bootstrapWrite /0/0', 'bootstrapWrite /0/1', 'bootstrapWrite /1/0', 'bootstrapFinish',
    ].map((r, i) => `${r} ${['2.05', '2.05', '2.02', '2.02', '2.04', '2.04', '2.04', '2.04'][i]}`));
    expect(bs.responses[0].response.objectLinks?.some((l) => l.url === '/0/0')).toBe(true);
    const reg = (await registered).registration;
    expect(reg.lifetime).toBe(120);
  });

  it('answers 4.00 to an endpoint without configuration (the client keeps retrying, nothing is written)', async () => {
    const s = h.servers[0];
    const failed = nextEvent(s, 'BOOTSTRAP', (e) => e.ep === 'bs-none', 600);
    const c = h.client(s, { endpoint: 'bs-none', bootstrapUri: `coap://127.0.0.1:${s.coapPort}`, serverUri: undefined });
    await expect(c).rejects.toThrow();
    await expect(failed).rejects.toThrow(/no BOOTSTRAP/);
  });
});

/**
 * A secure endpoint: the server over common/dtls (DTLS 1.2 PSK, real handshake) with identities
 * from its SecurityStore, and a client-sim client over a DtlsClient. The PSK identity must
 * belong to the registering endpoint.
 */
import { DtlsClient, DtlsServer } from '../../common/dtls/index';
import { LwM2mPath } from '../../objects/path';
import { LwM2mServer } from '../../server/lwm2m-server';
import { Harness, nextEvent } from './harness';

describe('DTLS secure endpoint', () => {
  const h = new Harness();
  const dtlsClients: DtlsClient[] = [];
  let dtls: DtlsServer;
  let s: LwM2mServer;
  let port: number;

  beforeAll(async () => {
    let server: LwM2mServer | undefined;
    dtls = new DtlsServer({ psk: { lookup: async (identity) => { const i = await server?.security.getByIdentity(identity); return i?.mode === 'psk' ? i.key : undefined; } } });
    port = (await dtls.listen(0, '127.0.0.1')).port;
    s = await h.server({ allowNoSec: false, secureEndpoints: [{ socket: dtls, identityOf: (r) => dtls.identityOf(r) }] });
    server = s;
    await s.security.put({ endpoint: 'sec-1', mode: 'psk', identity: 'sec-1-id', key: Buffer.alloc(16, 7) });
    await s.security.put({ endpoint: 'sec-2', mode: 'psk', identity: 'sec-2-id', key: Buffer.alloc(16, 8) });
  });
  afterAll(async () => {
    await h.close();
    for (const c of dtlsClients) c.close();
    dtls.close();
  });

  async function dtlsClient(identity: string, key: Buffer): Promise<DtlsClient> {
    const c = new DtlsClient({ host: '127.0.0.1', port, psk: { identity, key } });
    dtlsClients.push(c);
    await c.connect();
    return c;
  }

  it('registers a PSK client as secure with its identity, and manages it over DTLS', async () => {
    const registered = nextEvent(s, 'REGISTRATION', (e) => e.registration.endpoint === 'sec-1');
    await h.client(s, { endpoint: 'sec-1', serverUri: `coaps://127.0.0.1:${port}`, socket: await dtlsClient('sec-1-id', Buffer.alloc(16, 7)) });
    const reg = (await registered).registration;
    expect(reg).toMatchObject({ secure: true, identity: 'sec-1-id', transport: 'coaps' });
    expect(await s.send('sec-1', { kind: 'read', path: LwM2mPath.parse('/3/0/0') })).toMatchObject({ code: '2.05' });
  });

  it('refuses an endpoint name that the PSK identity does not own', async () => {
    // Valid credentials of sec-2, used to claim to be sec-1.
    const socket = await dtlsClient('sec-2-id', Buffer.alloc(16, 8));
    const c = h.client(s, { endpoint: 'sec-1-impostor', serverUri: `coaps://127.0.0.1:${port}`, socket });
    await expect(c).rejects.toThrow(/4\.03/);
    expect(await s.registrations.get('sec-1-impostor')).toBeUndefined();
  });
});

/** ClientContexts: one native client context per distinct settings, bounded, shared by DtlsClients that still handshake. */
import { ClientContexts, clientContexts } from '../../../common/dtls/client-contexts';
import { DtlsClient, DtlsError, DtlsServer } from '../../../common/dtls/index';
import { resolveClientOptions } from '../../../common/dtls/options';
import { makeTestPki, type TestPki } from './pki';

let pki: TestPki;
beforeAll(() => { pki = makeTestPki(); });
afterAll(() => pki.remove());

const certificate = () => ({ certChainPem: pki.pem.clientCert, keyPem: pki.pem.clientKey, caPem: pki.pem.ca });
const native = (over: object = {}) => resolveClientOptions({ host: '127.0.0.1', port: 5684, certificate: certificate(), ...over }).native;

describe('ClientContexts', () => {
  it('returns the same context for the same settings and another for other settings', () => {
    const cache = new ClientContexts(4);
    const a = cache.get(native());
    expect(cache.get(native())).toBe(a);
    expect(cache.get(native({ mtu: 1000 }))).not.toBe(a);
    expect(cache.get(native({ certificate: { ...certificate(), caPem: pki.pem.rogueCa } }))).not.toBe(a);
    expect(cache.get(resolveClientOptions({ host: 'h', port: 1, psk: { identity: 'i', key: Buffer.alloc(16, 1) } }).native)).not.toBe(a);
    expect(cache.size).toBe(4);
  });

  it('keeps at most max, dropping the least recently used', () => {
    const cache = new ClientContexts(2);
    const a = cache.get(native({ mtu: 1000 }));
    const b = cache.get(native({ mtu: 1001 }));
    expect(cache.get(native({ mtu: 1000 }))).toBe(a); // a is now the most recent
    cache.get(native({ mtu: 1002 }));
    expect(cache.size).toBe(2);
    expect(cache.get(native({ mtu: 1000 }))).toBe(a);
    expect(cache.get(native({ mtu: 1001 }))).not.toBe(b);
  });

  it('refuses bad credentials as before, caching nothing', () => {
    const cache = new ClientContexts(4);
    const bad = native({ certificate: { ...certificate(), keyPem: pki.pem.rogueKey } });
    expect(() => cache.get(bad)).toThrow(DtlsError);
    expect(() => cache.get(bad)).toThrow(/configuration refused/);
    expect(cache.size).toBe(0);
  });

  it('serves several clients with one context: each handshakes and talks, also after another closed', async () => {
    const server = new DtlsServer({ certificate: { certChainPem: pki.pem.serverCert, keyPem: pki.pem.serverKey, caPem: pki.pem.ca } });
    server.on('message', (msg: Buffer, rinfo) => server.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', () => resolve()));
    const port = server.address().port;
    clientContexts.clear();
    const clients: DtlsClient[] = [];
    try {
      const open = async (text: string) => {
        const c = new DtlsClient({ host: '127.0.0.1', port, certificate: certificate() });
        clients.push(c);
        await c.connect();
        const reply = new Promise<string>((resolve) => c.once('message', (m: Buffer) => resolve(m.toString())));
        c.send(Buffer.from(text), port, '127.0.0.1');
        return reply;
      };
      expect(await open('one')).toBe('echo:one');
      expect(clientContexts.size).toBe(1);
      await new Promise<void>((resolve) => clients[0].close(() => resolve()));
      expect(await Promise.all([open('two'), open('three')])).toEqual(['echo:two', 'echo:three']);
      expect(clientContexts.size).toBe(1);
    } finally {
      await Promise.all(clients.map((c) => new Promise<void>((resolve) => c.close(() => resolve()))));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

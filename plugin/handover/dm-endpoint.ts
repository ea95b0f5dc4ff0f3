/**
 * The device-management side of a provider service, from its configuration: either our own
 * LwM2M server (DTLS certificate mode, stores in the shared Redis, REST API beside it) reached
 * through a LocalServerAdapter, or an existing Leshan-compatible server reached through a
 * LeshanAdapter (REST + event stream, which reconnects by itself).
 */
import { randomBytes } from 'node:crypto';
import { LeshanAdapter } from '../adapter/leshan-adapter';
import { LocalServerAdapter, type LocalServer } from '../adapter/local-server-adapter';
import type { DmAdapter } from '../adapter/dm-adapter';
import { startServerApp, type ServerApp } from '../../server/rest/app';
import type { DmConfig } from './provider-config';
import { readCertificatesPem, readPrivateKeyPem, readTokenFile } from './provider-material';

export interface DmEndpoint {
  readonly adapter: DmAdapter;
  /** Our server, when the service runs one. */
  readonly app?: ServerApp;
  /** coaps:// URI of our server (actual port). */
  readonly coapsUri?: string;
  /** The REST API of our server, or the Leshan server's base URL. */
  readonly restUrl: string;
  stop(): Promise<void>;
}

/** Files of the DM side, read and checked before anything starts. */
export type DmMaterial =
  | { readonly kind: 'server'; readonly restToken: string; readonly certChainPem: string; readonly keyPem: string; readonly caPem: string }
  | { readonly kind: 'leshan'; readonly token: string };

export function readDmMaterial(dm: DmConfig): DmMaterial {
  if (dm.kind === 'leshan') return { kind: 'leshan', token: readTokenFile(dm.tokenFile, 'dm.leshan.tokenFile') };
  return {
    kind: 'server',
    restToken: dm.restTokenFile ? readTokenFile(dm.restTokenFile, 'dm.server.restTokenFile') : randomBytes(24).toString('base64url'),
    certChainPem: readCertificatesPem(dm.certChainFile, 'dm.server.certChain'),
    keyPem: readPrivateKeyPem(dm.keyFile, 'dm.server.key'),
    caPem: readCertificatesPem(dm.trustedCaFile, 'dm.server.trustedCa'),
  };
}

export async function startDmEndpoint(dm: DmConfig, m: DmMaterial, o: { redisUrl: string; keyPrefix: string; log: (line: string) => void }): Promise<DmEndpoint> {
  if (dm.kind === 'leshan' && m.kind === 'leshan') {
    const adapter = new LeshanAdapter({ baseUrl: dm.url, token: m.token, timeoutMs: dm.deviceTimeoutMs, log: o.log });
    await adapter.start().catch((e: Error) => o.log(`DM event stream not open yet (it keeps trying): ${e.message}`));
    return { adapter, restUrl: dm.url, stop: () => adapter.close() };
  }
  if (dm.kind !== 'server' || m.kind !== 'server') throw new TypeError('DM configuration and material differ in kind');
  const app = await startServerApp({
    token: m.restToken, host: dm.host, coapPort: dm.coapPort, httpPort: dm.httpPort, redisUrl: o.redisUrl, keyPrefix: o.keyPrefix, dataDir: dm.dataDir,
    dtls: { port: dm.coapsPort, certificate: { certChainPem: m.certChainPem, keyPem: m.keyPem, caPem: m.caPem } },
    ...(dm.queueAwakeMs !== undefined ? { queueAwakeMs: dm.queueAwakeMs } : {}), log: o.log,
  });
  const adapter = new LocalServerAdapter(app.lwm2m as unknown as LocalServer, { timeoutMs: dm.deviceTimeoutMs });
  const host = dm.host.includes(':') ? `[${dm.host}]` : dm.host;
  return {
    adapter, app, coapsUri: `coaps://${host}:${app.coapsPort}`, restUrl: `http://${host}:${app.httpPort}`,
    async stop() {
      await adapter.close();
      await app.stop();
    },
  };
}

/**
 * The device-management side of a provider service, from its configuration: either our own
 * LwM2M server (DTLS certificate mode, stores in the shared Redis, REST API beside it) reached
 * through a LocalServerAdapter, or an existing Leshan-compatible server reached through a
 * LeshanAdapter (REST + event stream, which reconnects by itself).
 */
import { randomBytes } from 'node:crypto';
import { LeshanAdapter } from '../adapter/leshan-adapter';
import { LocalServerAdapter, type LocalServer } from '../adapter/local-server-adapter';
import type { AdapterEvent, AdapterListener, AdapterRegistration, DmAdapter, RequestOptions } from '../adapter/dm-adapter';
import { DeviceTimeoutError } from '../adapter/errors';
import { isHandoverError } from '../../common/errors';
import type { LwM2mNode, ObjectInstance } from '../../objects/node';
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
  const adapter = new SessionLossAdapter(new LocalServerAdapter(app.lwm2m as unknown as LocalServer, { timeoutMs: dm.deviceTimeoutMs }));
  const host = dm.host.includes(':') ? `[${dm.host}]` : dm.host;
  return {
    adapter, app, coapsUri: `coaps://${host}:${app.coapsPort}`, restUrl: `http://${host}:${app.httpPort}`,
    async stop() {
      await adapter.close();
      await app.stop();
    },
  };
}

/**
 * After our server restarted (a killed `serve`), a device registered before still has its
 * registration in Redis but no DTLS session with the new process: a request to it fails with
 * DtlsError 'no-session' until the device handshakes again (its next Update does, after its own
 * request timed out). That is the device being unreachable for now, as a timeout is: reported as
 * DeviceTimeoutError, so that the campaign parks the device until it registers or updates again
 * instead of spending its retries. (LocalServerAdapter passes the DtlsError through as it is.)
 */
/** A DtlsError 'no-session', itself or as the cause of the server's request failure. */
function lostSession(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 4; c = c.cause, depth++) {
    if (isHandoverError(c, 'ERR_DTLS') && c.details?.reason === 'no-session') return true;
  }
  return false;
}

class SessionLossAdapter implements DmAdapter {
  constructor(private readonly inner: DmAdapter) {}

  private async call<T>(ep: string, what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (lostSession(e)) throw new DeviceTimeoutError(ep, `${what} (no DTLS session since the server restarted)`, { cause: e });
      throw e;
    }
  }

  registration(ep: string): Promise<AdapterRegistration | undefined> { return this.inner.registration(ep); }
  read(ep: string, path: string, opts?: RequestOptions): Promise<LwM2mNode> { return this.call(ep, `read ${path}`, () => this.inner.read(ep, path, opts)); }
  write(ep: string, path: string, node: LwM2mNode, opts?: RequestOptions & { mode?: 'replace' | 'update' }): Promise<void> { return this.call(ep, `write ${path}`, () => this.inner.write(ep, path, node, opts)); }
  execute(ep: string, path: string, args?: string, opts?: RequestOptions): Promise<void> { return this.call(ep, `execute ${path}`, () => this.inner.execute(ep, path, args, opts)); }
  create(ep: string, objectPath: string, instance: ObjectInstance, opts?: RequestOptions): Promise<void> { return this.call(ep, `create under ${objectPath}`, () => this.inner.create(ep, objectPath, instance, opts)); }
  delete(ep: string, path: string, opts?: RequestOptions): Promise<void> { return this.call(ep, `delete ${path}`, () => this.inner.delete(ep, path, opts)); }
  on(event: AdapterEvent, listener: AdapterListener): () => void { return this.inner.on(event, listener); }
  close(): Promise<void> { return this.inner.close(); }
}

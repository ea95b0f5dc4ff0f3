/**
 * The server application: Redis (REDIS_URL, else an embedded redis-server under the data
 * directory), the LwM2M server on it, and the operator REST API in front; stopped in reverse
 * order. What `handover server` runs, and what tests and the demo start in-process.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { DtlsServer, type DtlsHandshakeErrorEvent } from '../../common/dtls/index';
import { resolveRedis, type EmbeddedRedis } from '../../common/redis/embedded';
import { standardModels } from '../../objects/ddf-loader';
import type { ModelProvider } from '../../objects/model';
import type { DeviceManagement } from './device-management';
import { RestApi } from './rest-api';
import { LwM2mServer } from '../lwm2m-server';

export interface ServerAppOptions {
  /** Bearer token of the REST API (at least 16 characters). Required. */
  token: string;
  /** Address both CoAP and HTTP bind. Default 127.0.0.1. */
  host?: string;
  /** CoAP UDP port; 0 picks a free one. Default 5683. */
  coapPort?: number;
  /** HTTP port of the REST API; 0 picks a free one. Default 8080. */
  httpPort?: number;
  /** Accept clients without DTLS (development only). Default false. */
  allowNoSec?: boolean;
  /** Data directory (embedded Redis lives in <dataDir>/redis), created 0700. Default ./data. */
  dataDir?: string;
  /** Redis URL. Default: REDIS_URL, else an embedded redis-server. */
  redisUrl?: string;
  /** Redis key prefix of the LwM2M server's stores. Default: the server's own default. */
  keyPrefix?: string;
  /** Object models. Default: the models shipped in objects/ddf. */
  models?: ModelProvider;
  /** Largest REST request body, bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Progress and error messages. Default: nowhere. */
  log?: (msg: string) => void;
  /**
   * A DTLS 1.2 endpoint (coaps://) on `port` (0: a free one) at the same host. PSK is always on,
   * with keys looked up in the security store at handshake time; certificate mode (ECDHE-ECDSA,
   * mutual authentication, clients validated against `caPem`) too when `certificate` is given.
   * Default: none.
   */
  dtls?: { port: number; certificate?: { certChainPem: string; keyPem: string; caPem: string } };
  /** Queue mode: a client is believed asleep this long (ms) after its last message. Default: the LwM2M server's (93 s). */
  queueAwakeMs?: number;
}

export interface ServerApp {
  readonly httpPort: number;
  readonly coapPort: number;
  /** UDP port of the DTLS endpoint, when there is one. */
  readonly coapsPort?: number;
  readonly token: string;
  readonly redisUrl: string;
  /** True when this app started its own redis-server. */
  readonly embeddedRedis: boolean;
  readonly api: RestApi;
  readonly lwm2m: DeviceManagement;
  /** Stop the API, the LwM2M server and the embedded Redis. Idempotent. */
  stop(): Promise<void>;
}

export async function startServerApp(opts: ServerAppOptions): Promise<ServerApp> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir ?? 'data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let embedded: EmbeddedRedis | undefined;
  let redisUrl: string;
  if (opts.redisUrl) {
    redisUrl = opts.redisUrl;
  } else {
    const loc = await resolveRedis(dataDir);
    redisUrl = loc.url;
    embedded = loc.embedded;
  }
  const cleanups: Array<() => Promise<void>> = [];
  if (embedded) cleanups.push(() => embedded!.stop());
  const stopAll = async () => {
    while (cleanups.length > 0) {
      const c = cleanups.pop()!;
      try {
        await c();
      } catch (e) {
        log(`stop: ${(e as Error).message}`);
      }
    }
  };
  try {
    const host = opts.host ?? '127.0.0.1';
    let lwm2m: LwM2mServer | undefined;
    let dtls: DtlsServer | undefined;
    if (opts.dtls) {
      const server = new DtlsServer({
        psk: { lookup: async (identity) => { const info = await lwm2m?.security.getByIdentity(identity); return info?.mode === 'psk' ? info.key : undefined; } },
        ...(opts.dtls.certificate ? { certificate: opts.dtls.certificate } : {}),
        type: host.includes(':') ? 'udp6' : 'udp4',
      });
      server.on('error', (e: Error) => log(`dtls: ${e.message}`));
      server.on('handshakeError', ({ rinfo, error }: DtlsHandshakeErrorEvent) => log(`dtls: handshake with ${rinfo.address}:${rinfo.port} failed: ${error.message}`));
      cleanups.push(() => new Promise<void>((resolve) => { server.close(() => resolve()); }));
      await server.listen(opts.dtls.port, host);
      dtls = server;
    }
    lwm2m = new LwM2mServer({
      redisUrl,
      keyPrefix: opts.keyPrefix,
      host,
      coapPort: opts.coapPort ?? 5683,
      allowNoSec: opts.allowNoSec ?? false,
      ...(opts.queueAwakeMs !== undefined ? { queueAwakeMs: opts.queueAwakeMs } : {}),
      models: opts.models ?? standardModels(),
      ...(dtls ? { secureEndpoints: [{ socket: dtls, identityOf: (r) => dtls.identityOf(r), name: 'coaps' }] } : {}),
      log,
    });
    const started = lwm2m;
    await started.start();
    cleanups.push(() => started.stop());
    const hostInUri = host.includes(':') ? `[${host}]` : host;
    const endpoints = [{ uri: `coap://${hostInUri}:${started.coapPort}`, description: 'CoAP over UDP' }];
    if (dtls) endpoints.push({ uri: `coaps://${hostInUri}:${dtls.address().port}`, description: 'CoAP over DTLS 1.2 (PSK' + (opts.dtls?.certificate ? ', X.509)' : ')') });
    const certificate = opts.dtls?.certificate ? new X509Certificate(opts.dtls.certificate.certChainPem) : undefined;
    const api = new RestApi(started, {
      token: opts.token, host, port: opts.httpPort ?? 8080, maxBodyBytes: opts.maxBodyBytes, log,
      endpoints: () => endpoints, ...(certificate ? { serverIdentity: { certificate } } : {}),
    });
    const httpPort = await api.listen();
    cleanups.push(() => api.close());
    let stopping: Promise<void> | undefined;
    return {
      httpPort,
      coapPort: started.coapPort,
      ...(dtls ? { coapsPort: dtls.address().port } : {}),
      token: opts.token,
      redisUrl,
      embeddedRedis: embedded !== undefined,
      api,
      lwm2m: started,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

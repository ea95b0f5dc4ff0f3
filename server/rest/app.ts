/**
 * The server application: Redis (REDIS_URL, else an embedded redis-server under the data
 * directory), the LwM2M server on it, and the operator REST API in front; stopped in reverse
 * order. What `handover server` runs, and what tests and the demo start in-process.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
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
}

export interface ServerApp {
  readonly httpPort: number;
  readonly coapPort: number;
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
    const lwm2m = new LwM2mServer({
      redisUrl,
      keyPrefix: opts.keyPrefix,
      host: opts.host ?? '127.0.0.1',
      coapPort: opts.coapPort ?? 5683,
      allowNoSec: opts.allowNoSec ?? false,
      models: opts.models ?? standardModels(),
      log,
    });
    await lwm2m.start();
    cleanups.push(() => lwm2m.stop());
    const api = new RestApi(lwm2m, {
      token: opts.token, host: opts.host ?? '127.0.0.1', port: opts.httpPort ?? 8080, maxBodyBytes: opts.maxBodyBytes, log,
    });
    const httpPort = await api.listen();
    cleanups.push(() => api.close());
    let stopping: Promise<void> | undefined;
    return {
      httpPort,
      coapPort: lwm2m.coapPort,
      token: opts.token,
      redisUrl,
      embeddedRedis: embedded !== undefined,
      api,
      lwm2m,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/**
 * SP1, the old provider, as a long-running service assembled from its configuration
 * (`handover sp1 serve`): its DM side (our LwM2M server or a Leshan-compatible one), the
 * OldProvider role, SP1's provider API for SP2 (offer, TransferMessage, trust anchors,
 * arrivals), and the campaign workers that carry each device through the transfer, with SP1
 * watching for devices that fall back. CA1 is loaded from its directory for each revocation, so
 * that `handover pki issue` may onboard devices from the same directory while SP1 runs.
 * Every record lives in Redis: a killed and restarted service carries on.
 */
import { CertificateAuthority } from '../../common/pki/index';
import { createSp1Api, type HttpApi } from '../provider-api/index';
import type { OldProvider } from '../roles/index';
import { startDmEndpoint, readDmMaterial, type DmEndpoint } from './dm-endpoint';
import type { ProviderConfig } from './provider-config';
import { readProviderKeys, readTokenFile } from './provider-material';
import { connectRedis, createSp1Role, providerKeyNames, sp1FallbackUri } from './provider-roles';
import { startTransferWorkers, type TransferWorkers } from './transfer-workers';
import { ConfigError } from './errors';
import { StopStack } from '../../common/stop-stack';

export interface Sp1ServiceOptions {
  /** Devices worked on in parallel by this process. Default 32. */
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
}

export interface Sp1Service {
  readonly sp1: OldProvider;
  readonly dm: DmEndpoint;
  readonly api: HttpApi;
  readonly workers: TransferWorkers;
  /** Where SP1's devices fall back to. */
  readonly fallbackUri: string;
  /** Stop everything, in reverse order. Idempotent. */
  stop(): Promise<void>;
}

/** Revocation with CA1 loaded from its directory each time, one at a time in this process. */
function ca1Revoker(dir: string): (serial: string) => Promise<void> {
  let queue: Promise<unknown> = Promise.resolve();
  return (serial) => {
    const run = queue.then(async () => {
      const ca = await CertificateAuthority.load(dir, { pin: process.env.HANDOVER_PKCS11_PIN });
      try {
        await ca.revoke(serial, 'affiliationChanged');
      } finally {
        await ca.close();
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };
}

export async function startSp1Service(config: ProviderConfig, opts: Sp1ServiceOptions = {}): Promise<Sp1Service> {
  if (config.role !== 'sp1' || !config.sp1) throw new ConfigError(`${config.file} is not an SP1 configuration`);
  const log = opts.log ?? (() => undefined);
  // Every file first: a bad one stops the start before anything listens.
  const keys = await readProviderKeys(config);
  const apiToken = readTokenFile(config.api.tokenFile, 'api.tokenFile');
  readTokenFile(config.api.peerTokenFile, 'api.peerTokenFile');
  const dmMaterial = readDmMaterial(config.dm);
  const fallbackUri = sp1FallbackUri(config);
  const names = providerKeyNames(config.keyPrefix);

  const stops = new StopStack(log);
  const stop = (): Promise<void> => stops.stop();
  try {
    const redis = await connectRedis(config.redisUrl);
    stops.push(() => redis.quit().catch(() => redis.disconnect()));
    const dm = await startDmEndpoint(config.dm, dmMaterial, { redisUrl: config.redisUrl, keyPrefix: names.sp1Lwm2m, log });
    stops.push(() => dm.stop());
    const sp1 = await createSp1Role({ config, keys, redis, adapter: dm.adapter, revoke: ca1Revoker(config.sp1.ca1Dir), log });
    const api = createSp1Api(sp1, { token: apiToken, host: config.api.host, port: config.api.port, log });
    await api.listen();
    stops.push(() => api.close());
    const c = config.sp1.campaigns;
    const workers = await startTransferWorkers({
      redisUrl: config.redisUrl, campaignsPrefix: names.campaigns, sp1, adapter: dm.adapter, concurrency: opts.concurrency ?? 32, log,
      ...(c.pollMs !== undefined ? { pollMs: c.pollMs } : {}),
      ...(c.lockDurationMs !== undefined ? { lockDurationMs: c.lockDurationMs } : {}),
      ...(c.stalledIntervalMs !== undefined ? { stalledIntervalMs: c.stalledIntervalMs } : {}),
      ...(c.parkTimeoutMs !== undefined ? { parkTimeoutMs: c.parkTimeoutMs } : {}),
    });
    stops.push(() => workers.stop({ force: true }));
    return { sp1, dm, api, workers, fallbackUri, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

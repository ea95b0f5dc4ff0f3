/**
 * SP2, the new provider, as a long-running service assembled from its configuration
 * (`handover sp2 serve`): its DM side (our LwM2M server or a Leshan-compatible one), CA2's
 * EST-coaps server (devices enroll authenticated by their factory certificate; CA2 loaded from
 * its directory, which this service owns while it runs), the NewProvider role, SP2's provider
 * API for SP1, and arrival confirmation: a device of a transfer registering with a CA2
 * certificate is confirmed to SP1 over SP1's provider API; a confirmation SP1 did not take
 * (SP1 down) is tried again every `confirmRetryMs` while this process runs, and on the device's
 * next registration update after a restart.
 *
 * With `sp2.bootstrap` it also runs SP2's LwM2M bootstrap server (bootstrap-server.ts: DTLS
 * certificate mode trusting sp2.bootstrap.trustedCa, configurations in Redis under
 * `<keyPrefix>:sp2:bootstrap`), and every TransferMessage it signs — here or in
 * `sp2 transfer-message`, another process — provisions its devices there (createSp2Bootstrap);
 * without it devices register directly at the join URI.
 *
 * With `sp2.update` it runs SP2's SUIT update server (the files of sp2.update.directory), with
 * `sp2.ra` SP2's RA server verifying devices against the SUIT state of the UpdateInfoLists SP2
 * imported (sp2-firmware-servers.ts).
 */
import { CertificateAuthority } from '../../common/pki/index';
import type { AdapterRegistration } from '../adapter/dm-adapter';
import { EstServer } from '../ca/est-server';
import { Sp1ApiClient, createSp2Api, type HttpApi } from '../provider-api/index';
import type { NewProvider } from '../roles/index';
import { startBootstrapServer, type BootstrapServer } from './bootstrap-server';
import { startDmEndpoint, readDmMaterial, type DmEndpoint } from './dm-endpoint';
import type { RaServer } from '../ra/index';
import type { SuitUpdateServer } from '../update-server/update-server';
import { ConfigError } from './errors';
import type { ProviderConfig } from './provider-config';
import { readCertificatesPem, readPrivateKeyPem, readProviderKeys, readTokenFile } from './provider-material';
import { readSp2FirmwareMaterial, startSp2RaServer, startSp2UpdateServer } from './sp2-firmware-servers';
import { ca2Policy, connectRedis, createSp2Bootstrap, createSp2Role, providerKeyNames } from './provider-roles';
import { StopStack } from '../../common/stop-stack';

export interface Sp2ServiceOptions {
  /** Period of the retry of arrival confirmations SP1 did not take, ms. Default 2000. */
  readonly confirmRetryMs?: number;
  readonly log?: (line: string) => void;
}

export interface Sp2Service {
  readonly sp2: NewProvider;
  readonly dm: DmEndpoint;
  readonly api: HttpApi;
  readonly est: EstServer;
  /** SP2's bootstrap server, with sp2.bootstrap. */
  readonly bootstrapServer?: BootstrapServer;
  /** SP2's SUIT update server, with sp2.update. */
  readonly updateServer?: SuitUpdateServer;
  /** SP2's RA server, with sp2.ra. */
  readonly raServer?: RaServer;
  stop(): Promise<void>;
}

export async function startSp2Service(config: ProviderConfig, opts: Sp2ServiceOptions = {}): Promise<Sp2Service> {
  if (config.role !== 'sp2' || !config.sp2) throw new ConfigError(`${config.file} is not an SP2 configuration`);
  const s2 = config.sp2;
  const log = opts.log ?? (() => undefined);
  const keys = await readProviderKeys(config);
  const apiToken = readTokenFile(config.api.tokenFile, 'api.tokenFile');
  const peerToken = readTokenFile(config.api.peerTokenFile, 'api.peerTokenFile');
  const dmMaterial = readDmMaterial(config.dm);
  const estDtls = {
    certChainPem: readCertificatesPem(s2.est.certChainFile, 'sp2.est.certChain'),
    keyPem: readPrivateKeyPem(s2.est.keyFile, 'sp2.est.key'),
    caPem: readCertificatesPem(s2.est.trustedCaFile, 'sp2.est.trustedCa'),
  };
  const bs = s2.bootstrap;
  const bootstrapDtls = bs && {
    certChainPem: readCertificatesPem(bs.certChainFile, 'sp2.bootstrap.certChain'),
    keyPem: readPrivateKeyPem(bs.keyFile, 'sp2.bootstrap.key'),
    caPem: readCertificatesPem(bs.trustedCaFile, 'sp2.bootstrap.trustedCa'),
  };
  const firmwareMaterial = readSp2FirmwareMaterial(s2.update, s2.ra);
  const names = providerKeyNames(config.keyPrefix);

  const stops = new StopStack(log);
  const stop = (): Promise<void> => stops.stop();
  try {
    let ca2: CertificateAuthority;
    try {
      ca2 = await CertificateAuthority.load(s2.ca2Dir, { pin: process.env.HANDOVER_PKCS11_PIN });
    } catch (e) {
      throw new ConfigError(`sp2.ca2Dir ${s2.ca2Dir}: ${(e as Error).message}`, { cause: e });
    }
    stops.push(() => ca2.close());
    const redis = await connectRedis(config.redisUrl);
    stops.push(() => redis.quit().catch(() => redis.disconnect()));
    const bootstrap = createSp2Bootstrap(config, redis, ca2.chain[ca2.chain.length - 1]);
    const est = new EstServer({ ca: ca2, policy: ca2Policy(config, redis), host: s2.est.host, port: s2.est.port, dtls: estDtls, log });
    await est.start();
    stops.push(() => est.stop());
    const dm = await startDmEndpoint(config.dm, dmMaterial, { redisUrl: config.redisUrl, keyPrefix: names.sp2Lwm2m, log });
    stops.push(() => dm.stop());
    let bootstrapServer: BootstrapServer | undefined;
    if (bs && bootstrapDtls) {
      const started = await startBootstrapServer({
        redisUrl: config.redisUrl, keyPrefix: names.sp2Bootstrap, host: bs.host, port: bs.port, certificate: bootstrapDtls,
        requestTimeoutMs: config.dm.deviceTimeoutMs, log,
      });
      stops.push(() => started.stop());
      bootstrapServer = started;
    }
    const sp1Client = new Sp1ApiClient({ baseUrl: config.api.peerUrl, token: peerToken });
    const sp2 = createSp2Role({
      config, keys, redis, adapter: dm.adapter, ca2Subject: ca2.subject, confirmArrival: (a) => sp1Client.confirmArrival(a), log,
      ...(bootstrap ? { bootstrap } : {}),
    });
    let updateServer: SuitUpdateServer | undefined;
    if (s2.update) {
      const started = await startSp2UpdateServer(s2.update);
      stops.push(() => started.close());
      updateServer = started;
    }
    let raServer: RaServer | undefined;
    if (s2.ra) {
      if (!firmwareMaterial.factoryTrust || !firmwareMaterial.manifestSigners) throw new ConfigError('sp2.ra: its trust files were not read');
      const started = await startSp2RaServer({
        redis, keyPrefix: names.sp2Ra, sp2, factoryTrust: firmwareMaterial.factoryTrust, manifestSigners: firmwareMaterial.manifestSigners,
        host: s2.ra.host, port: s2.ra.port, fetchTimeoutMs: s2.ra.fetchTimeoutMs, log,
      });
      stops.push(() => started.close());
      raServer = started;
    }
    const api = createSp2Api(sp2, { token: apiToken, host: config.api.host, port: config.api.port, log });
    await api.listen();
    stops.push(() => api.close());
    stops.push(watchArrivals(sp2, dm, opts.confirmRetryMs ?? 2000, log));
    return { sp2, dm, api, est, ...(bootstrapServer ? { bootstrapServer } : {}), ...(updateServer ? { updateServer } : {}), ...(raServer ? { raServer } : {}), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Confirm arrivals as devices register or update; retry the ones SP1 did not take. Returns the stop function. */
function watchArrivals(sp2: NewProvider, dm: DmEndpoint, retryMs: number, log: (line: string) => void): () => Promise<void> {
  const pending = new Set<string>();
  const handle = async (ep: string, reg: AdapterRegistration): Promise<void> => {
    const r = await sp2.handleRegistration(ep, reg);
    if (r === 'pending') pending.add(ep);
    else pending.delete(ep);
  };
  const on = (ep: string, reg?: AdapterRegistration) => {
    if (reg) handle(ep, reg).catch((e: Error) => log(`arrival of "${ep}": ${e.message}`));
  };
  const offs = [dm.adapter.on('registered', on), dm.adapter.on('updated', on)];
  let running = false;
  const timer = setInterval(() => {
    if (running || pending.size === 0) return;
    running = true;
    (async () => {
      for (const ep of [...pending]) {
        const reg = await dm.adapter.registration(ep).catch(() => undefined);
        if (!reg) { pending.delete(ep); continue; }
        await handle(ep, reg).catch((e: Error) => log(`arrival of "${ep}": ${e.message}`));
      }
    })().finally(() => { running = false; });
  }, retryMs);
  return async () => {
    clearInterval(timer);
    offs.forEach((f) => f());
  };
}

/**
 * The provider roles built from a provider configuration: SP1's OldProvider and SP2's
 * NewProvider with their Redis key names, for the long-running services (sp1-service.ts,
 * sp2-service.ts) and for the commands that only work on the providers' records (the file
 * exchange of steps 1–3, over an OfflineAdapter). Every process of one provider uses the same
 * key names under the configured prefix, so a file command and the running service share state:
 *
 *   <prefix>:sp1:…  <prefix>:sp2:…   the roles' records (old/new-provider-store.ts)
 *   <prefix>:sp1:lwm2m  <prefix>:sp2:lwm2m   the LwM2M server's stores, when the service runs one
 *   <prefix>:sp2:bootstrap            SP2's bootstrap server's stores: the devices' bootstrap
 *                                     configurations, written by whichever process signs the
 *                                     TransferMessage, read by the bootstrap server in `sp2 serve`
 *   <prefix>:sp2:ra…                  SP2's RA server (nonces, results), when `sp2 serve` runs one
 *   <prefix>:ca2:est:…                CA2's enrollment policy
 *   <prefix>:campaign…, <prefix>:bull:…  SP1's campaigns (`handover campaign --prefix <prefix>`)
 */
import { Redis } from 'ioredis';
import { HandoverError } from '../../common/errors';
import { CertificateAuthority } from '../../common/pki/index';
import type { DmAdapter } from '../adapter/dm-adapter';
import { RedisEnrollmentPolicy } from '../ca/redis-enrollment-policy';
import { NewProvider, OldProvider, Sp2Bootstrap, type Arrival, type NewProviderOptions } from '../roles/index';
import { BootstrapConfigStore } from '../../server/bootstrap/bootstrap-config-store';
import { ServerKeys } from '../../server/keys';
import { ConfigError } from './errors';
import { OfflineAdapter } from './offline-adapter';
import type { ProviderConfig } from './provider-config';
import { readCertificates, readProviderKeys, type ProviderKeys } from './provider-material';

export interface ProviderKeyNames {
  readonly roles: string;
  readonly sp1Lwm2m: string;
  readonly sp2Lwm2m: string;
  /** SP2's bootstrap server (its LwM2mServer's key prefix: the configurations). */
  readonly sp2Bootstrap: string;
  /** SP2's RA server (its RaStore adds ":ra:…": nonces and results under <prefix>:sp2:ra:…). */
  readonly sp2Ra: string;
  readonly ca2: string;
  readonly campaigns: string;
}

export function providerKeyNames(prefix: string): ProviderKeyNames {
  return { roles: prefix, sp1Lwm2m: `${prefix}:sp1:lwm2m`, sp2Lwm2m: `${prefix}:sp2:lwm2m`, sp2Bootstrap: `${prefix}:sp2:bootstrap`, sp2Ra: `${prefix}:sp2`, ca2: `${prefix}:ca2`, campaigns: prefix };
}

/** A Redis connection that answered a PING within 3 s (ERR_REDIS otherwise). */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', () => undefined); // reported by the PING below, then by the commands
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new HandoverError('ERR_REDIS', `cannot reach Redis at ${url}`)), 3000); }),
    ]);
    return redis;
  } catch (e) {
    redis.disconnect();
    throw e instanceof HandoverError ? e : new HandoverError('ERR_REDIS', `cannot reach Redis at ${url}: ${(e as Error).message}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** A CA directory's root certificate (DER) and subject, without keeping the CA open. */
export async function caRootOf(dir: string, field: string): Promise<{ root: Uint8Array; subject: string }> {
  let ca: CertificateAuthority;
  try {
    ca = await CertificateAuthority.load(dir, { pin: process.env.HANDOVER_PKCS11_PIN });
  } catch (e) {
    throw new ConfigError(`${field} ${dir}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return { root: ca.chain[ca.chain.length - 1], subject: ca.subject };
  } finally {
    await ca.close();
  }
}

/** coaps://host:port of a configured listener; a wildcard host names no address devices can reach (`field` must then be set). */
function coapsUriOf(host: string, port: number, hostField: string, field: string): string {
  if (host === '0.0.0.0' || host === '::') throw new ConfigError(`${field} is required when ${hostField} is a wildcard address`);
  return `coaps://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Where SP1's devices fall back to: the configured URI, else our server's coaps URI. */
export function sp1FallbackUri(c: ProviderConfig): string {
  if (c.sp1?.fallbackUri) return c.sp1.fallbackUri;
  if (c.dm.kind !== 'server') throw new ConfigError('sp1.fallbackUri is required with dm.leshan');
  return coapsUriOf(c.dm.host, c.dm.coapsPort, 'dm.server.host', 'sp1.fallbackUri');
}

/**
 * Where devices reach SP2's bootstrap server (sp2.bootstrap): sp2.transferMessage.joinUri when
 * set (the bootstrap server as devices see it), else coaps://<sp2.bootstrap.host>:<port>.
 * Undefined without sp2.bootstrap.
 */
export function sp2BootstrapUri(c: ProviderConfig): string | undefined {
  const b = c.sp2?.bootstrap;
  if (!b) return undefined;
  return c.sp2!.transferMessage.joinUri ?? coapsUriOf(b.host, b.port, 'sp2.bootstrap.host', 'sp2.transferMessage.joinUri');
}

/**
 * SP2's bootstrap configurations (sp2.bootstrap) over `redis`: the store the bootstrap server of
 * `sp2 serve` reads (BootstrapConfigStore under `<keyPrefix>:sp2:bootstrap`), so whichever
 * process signs a TransferMessage provisions its devices there. Each device gets an account in
 * Security Mode 4 for SP2's LwM2M server (sp2.bootstrap.serverUri, else our dm.server's coaps
 * URI), trusting sp2.bootstrap.serverTrust (else CA2's root). Undefined without sp2.bootstrap.
 */
export function createSp2Bootstrap(c: ProviderConfig, redis: Redis, ca2Root: Uint8Array): Sp2Bootstrap | undefined {
  const b = c.sp2?.bootstrap;
  const bootstrapUri = sp2BootstrapUri(c);
  if (!b || !bootstrapUri) return undefined;
  let serverUri = b.serverUri;
  if (!serverUri) {
    if (c.dm.kind !== 'server') throw new ConfigError('sp2.bootstrap.serverUri is required with dm.leshan');
    serverUri = coapsUriOf(c.dm.host, c.dm.coapsPort, 'dm.server.host', 'sp2.bootstrap.serverUri');
  }
  const serverTrust = b.serverTrustFile ? readCertificates(b.serverTrustFile, 'sp2.bootstrap.serverTrust') : [ca2Root];
  try {
    return new Sp2Bootstrap({
      configs: new BootstrapConfigStore(redis, new ServerKeys(providerKeyNames(c.keyPrefix).sp2Bootstrap)),
      bootstrapUri, serverUri, serverTrust, lifetime: b.lifetime,
    });
  } catch (e) {
    throw new ConfigError(`sp2.bootstrap: ${(e as Error).message}`, { cause: e });
  }
}

export interface Sp1RoleOptions {
  readonly config: ProviderConfig;
  readonly keys: ProviderKeys;
  readonly redis: Redis;
  readonly adapter: DmAdapter;
  readonly revoke?: (serialHex: string) => Promise<void>;
  readonly log?: (line: string) => void;
}

/** SP1's OldProvider: its signer certificate and SP1's LwM2M server anchor survive every device's reset. */
export async function createSp1Role(o: Sp1RoleOptions): Promise<OldProvider> {
  const c = o.config;
  if (c.role !== 'sp1' || !c.sp1 || !o.keys.signerCertificate) throw new ConfigError(`${c.file} is not an SP1 configuration`);
  const serverAnchor = c.sp1.fallbackServerAnchorFile
    ? readCertificates(c.sp1.fallbackServerAnchorFile, 'sp1.fallbackServerAnchor')[0]
    : (await caRootOf(c.sp1.ca1Dir, 'sp1.ca1Dir')).root;
  return new OldProvider({
    redis: o.redis, keyPrefix: providerKeyNames(c.keyPrefix).roles, adapter: o.adapter, identity: c.identity,
    signingKey: o.keys.signingKey, ...(c.signer.kid ? { kid: c.signer.kid } : {}),
    sp2: { identity: c.peer.identity, publicKey: o.keys.peerPublicKey }, fallbackUri: sp1FallbackUri(c),
    survivingAnchors: [
      { certificate: o.keys.signerCertificate, purpose: 'provider-signer', label: `${c.identity} transfer signer`.slice(0, 64) },
      { certificate: serverAnchor, purpose: 'lwm2m-server', label: `${c.identity} LwM2M server (fallback)`.slice(0, 64) },
    ],
    ...(o.revoke ? { revoke: o.revoke } : {}), ...(o.log ? { log: o.log } : {}),
  });
}

export interface Sp2RoleOptions {
  readonly config: ProviderConfig;
  readonly keys: ProviderKeys;
  readonly redis: Redis;
  readonly adapter: DmAdapter;
  /** CA2's subject: a registration with a certificate of this issuer is an arrival. */
  readonly ca2Subject: string;
  readonly confirmArrival?: (a: Arrival) => Promise<unknown>;
  /** SP2's bootstrap configurations (createSp2Bootstrap): buildTransferMessage provisions each device there. Default none: devices register directly. */
  readonly bootstrap?: NonNullable<NewProviderOptions['bootstrap']>;
  readonly log?: (line: string) => void;
}

export function ca2Policy(c: ProviderConfig, redis: Redis): RedisEnrollmentPolicy {
  return new RedisEnrollmentPolicy({ redis, keyPrefix: providerKeyNames(c.keyPrefix).ca2 });
}

/** SP2's NewProvider with CA2's enrollment policy in Redis. */
export function createSp2Role(o: Sp2RoleOptions): NewProvider {
  const c = o.config;
  if (c.role !== 'sp2' || !c.sp2) throw new ConfigError(`${c.file} is not an SP2 configuration`);
  return new NewProvider({
    redis: o.redis, keyPrefix: providerKeyNames(c.keyPrefix).roles, adapter: o.adapter, identity: c.identity,
    signingKey: o.keys.signingKey, ...(c.signer.kid ? { kid: c.signer.kid } : {}),
    sp1: { identity: c.peer.identity, publicKey: o.keys.peerPublicKey },
    ca2Issuer: o.ca2Subject, enrollmentPolicy: ca2Policy(c, o.redis),
    ...(o.bootstrap ? { bootstrap: o.bootstrap } : {}), ...(o.confirmArrival ? { confirmArrival: o.confirmArrival } : {}), ...(o.log ? { log: o.log } : {}),
  });
}

/** SP1's records for a command that reaches no device (file exchange, fleet records). */
export async function openSp1Records(config: ProviderConfig): Promise<{ sp1: OldProvider; redis: Redis; close(): Promise<void> }> {
  const keys = await readProviderKeys(config);
  const redis = await connectRedis(config.redisUrl);
  try {
    const sp1 = await createSp1Role({ config, keys, redis, adapter: new OfflineAdapter() });
    return { sp1, redis, close: async () => { await redis.quit().catch(() => redis.disconnect()); } };
  } catch (e) {
    redis.disconnect();
    throw e;
  }
}

/**
 * SP2's records for a command that reaches no device. With sp2.bootstrap, signing a
 * TransferMessage here provisions its devices in the bootstrap server's store (createSp2Bootstrap).
 */
export async function openSp2Records(config: ProviderConfig): Promise<{ sp2: NewProvider; redis: Redis; ca2Root: Uint8Array; bootstrap?: Sp2Bootstrap; close(): Promise<void> }> {
  if (config.role !== 'sp2' || !config.sp2) throw new ConfigError(`${config.file} is not an SP2 configuration`);
  const keys = await readProviderKeys(config);
  const ca2 = await caRootOf(config.sp2.ca2Dir, 'sp2.ca2Dir');
  const redis = await connectRedis(config.redisUrl);
  try {
    const bootstrap = createSp2Bootstrap(config, redis, ca2.root);
    const sp2 = createSp2Role({ config, keys, redis, adapter: new OfflineAdapter(), ca2Subject: ca2.subject, ...(bootstrap ? { bootstrap } : {}) });
    return { sp2, redis, ca2Root: ca2.root, ...(bootstrap ? { bootstrap } : {}), close: async () => { await redis.quit().catch(() => redis.disconnect()); } };
  } catch (e) {
    redis.disconnect();
    throw e;
  }
}

/**
 * The configuration file of one provider service (SP1 or SP2 of the PKI trust transfer), as an
 * operator writes it: JSON, owner-only (mode 0600, like our key files), naming key, certificate
 * and token files rather than embedding them (paths relative to the file's directory). Every
 * field is checked here with a one-line reason (ConfigError); nothing is read but the JSON
 * itself — provider-material.ts reads the files it names. The format: docs/operations.md.
 */
import { statSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors';
import { PORT, Reader } from './config-reader';

/** Our own LwM2M server, run by the provider service (DTLS certificate mode). */
export interface DmServerConfig {
  readonly kind: 'server';
  /** Address CoAP, CoAPs and the REST API bind. Default 127.0.0.1. */
  readonly host: string;
  /** Plain CoAP port (NoSec is refused; 0 = any free port). Default 0. */
  readonly coapPort: number;
  readonly coapsPort: number;
  /** The server's REST API (Leshan routes): port (0 = any free one) and bearer token file (default: a random token). */
  readonly httpPort: number;
  readonly restTokenFile?: string;
  /** PEM: the server certificate, then its intermediates; its key; the CAs device certificates must chain to. */
  readonly certChainFile: string;
  readonly keyFile: string;
  readonly trustedCaFile: string;
  /** Server data directory (created 0700). Default "<config dir>/data-<role>". */
  readonly dataDir: string;
  /** Deadline of a device's answer, ms. Default 20000. */
  readonly deviceTimeoutMs: number;
  /** A queue-mode device counts as awake this long after its last message, ms. Default: the server's. */
  readonly queueAwakeMs?: number;
}

/** An existing Leshan-compatible server, reached over its REST API and event stream. */
export interface DmLeshanConfig {
  readonly kind: 'leshan';
  /** e.g. "http://dm.example:8080" (the /api prefix is added). */
  readonly url: string;
  readonly tokenFile: string;
  readonly deviceTimeoutMs: number;
}

export type DmConfig = DmServerConfig | DmLeshanConfig;

export interface ApiConfig {
  /** Where this provider's API listens. Default host 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  /** The bearer token this provider accepts (the one it gave the peer). */
  readonly tokenFile: string;
  /** The peer's provider API, and the token the peer gave us. */
  readonly peerUrl: string;
  readonly peerTokenFile: string;
}

export interface Sp1Config {
  /** CA1's directory (CertificateAuthority.load): revocation of the operational certificates of arrived devices. */
  readonly ca1Dir: string;
  /** Where failing devices come back to. Default the coaps URI of our own server (required with dm.leshan). */
  readonly fallbackUri?: string;
  /** PEM: the anchor devices need to reach SP1's LwM2M server when they fall back. Default CA1's root. */
  readonly fallbackServerAnchorFile?: string;
  readonly campaigns: {
    readonly lockDurationMs?: number;
    readonly stalledIntervalMs?: number;
    readonly parkTimeoutMs?: number;
    readonly pollMs?: number;
  };
}

export interface Sp2Config {
  /** CA2's directory: the EST server issues from it (this service owns it while it runs). */
  readonly ca2Dir: string;
  readonly est: { readonly host: string; readonly port: number; readonly certChainFile: string; readonly keyFile: string; readonly trustedCaFile: string };
  /** What SP2 puts in its TransferMessages (each overridable on the command line). */
  readonly transferMessage: {
    /** Default the EST server's coaps URI. */
    readonly enrollUri?: string;
    /** Where devices join SP2 (the token's bootstrapUri). Default our server's coaps URI. */
    readonly joinUri?: string;
    readonly updateUri?: string;
    readonly raUri?: string;
    readonly updateFirst: boolean;
    /** Reset window length, hours. Default 24. */
    readonly windowHours: number;
  };
  /**
   * PEM files of the anchors devices need: CA2's EST server and SP2's LwM2M server (default CA2's
   * root for both), SP2's manifest signers (purpose update-server; required for update-first).
   */
  readonly anchors: { readonly enrollmentCaFile?: string; readonly lwm2mServerFile?: string; readonly updateServerFile?: string };
  /** SP2's LwM2M bootstrap server, where transferred devices join. Default none: devices register directly. */
  readonly bootstrap?: Sp2BootstrapServerConfig;
  /** SP2's SUIT update server (the TransferMessage's updateURI). Default none. */
  readonly update?: Sp2UpdateServerConfig;
  /** SP2's remote-attestation server (the TransferMessage's raURI). Default none: no attestation. */
  readonly ra?: Sp2RaServerConfig;
}

/** SP2's SUIT update server (plugin/update-server), run by `sp2 serve`: plain CoAP, the files of a directory. */
export interface Sp2UpdateServerConfig {
  /** Address it binds. Default 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  /** The directory whose envelopes and payloads it serves (regular files inside it only). */
  readonly directory: string;
  /** Path of the envelope under `directory` that `sp2 transfer-message` names by default (updateUri coap://host:port/<envelope>). */
  readonly envelope?: string;
}

/** SP2's RA server (plugin/ra), run by `sp2 serve`: verifies devices' evidence against the SUIT state of the imported UpdateInfoLists. */
export interface Sp2RaServerConfig {
  /** Address it binds. Default 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  /** PEM: the factory CA roots the evidence's certificate chain must end in. */
  readonly factoryTrustFile: string;
  /** PEM certificates or public keys: who must have signed the manifests SP1 shared (SP1's firmware signers). */
  readonly manifestSignersFile: string;
  /** Deadline of the download of a shared manifest, ms. Default 10000. */
  readonly fetchTimeoutMs: number;
}

/** SP2's LwM2M bootstrap server (bootstrap-server.ts), run by `sp2 serve`, provisioned by `sp2 transfer-message`. */
export interface Sp2BootstrapServerConfig {
  /** Address its DTLS endpoint binds. Default 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  /** PEM: its certificate chain, its key (owner-only), the CAs device certificates must chain to (CA2's chain). */
  readonly certChainFile: string;
  readonly keyFile: string;
  readonly trustedCaFile: string;
  /** Where devices register after the bootstrap (coaps://). Default our dm.server's coaps URI (required with dm.leshan). */
  readonly serverUri?: string;
  /** PEM: what devices authenticate SP2's LwM2M server with (Security resource 4). Default CA2's root. */
  readonly serverTrustFile?: string;
  /** Registration lifetime written into each device's Server object, s. Default 300. */
  readonly lifetime: number;
}

export interface ProviderConfig {
  /** The file it was read from. */
  readonly file: string;
  readonly role: 'sp1' | 'sp2';
  readonly identity: string;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly signer: { readonly keyFile: string; readonly certificateFile?: string; readonly kid?: string };
  readonly peer: { readonly identity: string; readonly publicKeyFile: string };
  readonly api: ApiConfig;
  readonly dm: DmConfig;
  readonly sp1?: Sp1Config;
  readonly sp2?: Sp2Config;
}


function readDm(r: Reader, v: unknown, dir: string, role: string): DmConfig {
  const dm = r.obj(v, 'dm', ['server', 'leshan']);
  const kinds = Object.keys(dm);
  if (kinds.length !== 1) r.fail('dm', 'must name exactly one of "server" (run our LwM2M server) or "leshan" (use an existing server)');
  if (dm.leshan !== undefined) {
    const l = r.obj(dm.leshan, 'dm.leshan', ['url', 'tokenFile', 'deviceTimeoutMs']);
    return { kind: 'leshan', url: r.uri(l, 'url', 'dm.leshan', ['http', 'https'])!, tokenFile: r.file(l, 'tokenFile', 'dm.leshan'), deviceTimeoutMs: r.int(l, 'deviceTimeoutMs', 'dm.leshan', 100, 600_000, 20_000) };
  }
  const s = r.obj(dm.server, 'dm.server', ['host', 'coapPort', 'coapsPort', 'httpPort', 'restTokenFile', 'certChain', 'key', 'trustedCa', 'dataDir', 'deviceTimeoutMs', 'queueAwakeMs']);
  const queueAwakeMs = r.optInt(s, 'queueAwakeMs', 'dm.server', 100, 86_400_000);
  const restTokenFile = r.file(s, 'restTokenFile', 'dm.server', true);
  return {
    kind: 'server', host: r.str(s, 'host', 'dm.server', true) ?? '127.0.0.1',
    coapPort: r.int(s, 'coapPort', 'dm.server', 0, 65535, 0), coapsPort: r.int(s, 'coapsPort', 'dm.server', ...PORT), httpPort: r.int(s, 'httpPort', 'dm.server', 0, 65535, 0),
    ...(restTokenFile ? { restTokenFile } : {}),
    certChainFile: r.file(s, 'certChain', 'dm.server'), keyFile: r.file(s, 'key', 'dm.server'), trustedCaFile: r.file(s, 'trustedCa', 'dm.server'),
    dataDir: r.file(s, 'dataDir', 'dm.server', true) ?? path.join(dir, `data-${role}`),
    deviceTimeoutMs: r.int(s, 'deviceTimeoutMs', 'dm.server', 100, 600_000, 20_000),
    ...(queueAwakeMs !== undefined ? { queueAwakeMs } : {}),
  };
}

function readSp1(r: Reader, v: unknown, dm: DmConfig): Sp1Config {
  const o = r.obj(v, 'sp1', ['ca1Dir', 'fallbackUri', 'fallbackServerAnchor', 'campaigns']);
  const fallbackUri = r.uri(o, 'fallbackUri', 'sp1', ['coap', 'coaps'], true);
  if (!fallbackUri && dm.kind === 'leshan') r.fail('sp1.fallbackUri', 'is required with dm.leshan (the URI of SP1\'s LwM2M server that devices fall back to)');
  const c = r.obj(o.campaigns ?? {}, 'sp1.campaigns', ['lockDurationMs', 'stalledIntervalMs', 'parkTimeoutMs', 'pollMs']);
  const opt = (k: string, min: number, max: number) => { const n = r.optInt(c, k, 'sp1.campaigns', min, max); return n === undefined ? {} : { [k]: n }; };
  const anchor = r.file(o, 'fallbackServerAnchor', 'sp1', true);
  return {
    ca1Dir: r.file(o, 'ca1Dir', 'sp1'), ...(fallbackUri ? { fallbackUri } : {}), ...(anchor ? { fallbackServerAnchorFile: anchor } : {}),
    campaigns: { ...opt('lockDurationMs', 1000, 600_000), ...opt('stalledIntervalMs', 500, 600_000), ...opt('parkTimeoutMs', 1000, 86_400_000 * 7), ...opt('pollMs', 50, 60_000) },
  };
}

function readSp2Bootstrap(r: Reader, v: unknown, dm: DmConfig): Sp2BootstrapServerConfig {
  const b = r.obj(v, 'sp2.bootstrap', ['host', 'port', 'certChain', 'key', 'trustedCa', 'serverUri', 'serverTrust', 'lifetime']);
  const serverUri = r.uri(b, 'serverUri', 'sp2.bootstrap', ['coaps'], true);
  if (!serverUri && dm.kind === 'leshan') r.fail('sp2.bootstrap.serverUri', 'is required with dm.leshan (the coaps URI of SP2\'s LwM2M server that devices register with after the bootstrap)');
  const serverTrustFile = r.file(b, 'serverTrust', 'sp2.bootstrap', true);
  return {
    host: r.str(b, 'host', 'sp2.bootstrap', true) ?? '127.0.0.1', port: r.int(b, 'port', 'sp2.bootstrap', ...PORT),
    certChainFile: r.file(b, 'certChain', 'sp2.bootstrap'), keyFile: r.file(b, 'key', 'sp2.bootstrap'), trustedCaFile: r.file(b, 'trustedCa', 'sp2.bootstrap'),
    ...(serverUri ? { serverUri } : {}), ...(serverTrustFile ? { serverTrustFile } : {}),
    lifetime: r.int(b, 'lifetime', 'sp2.bootstrap', 1, 2 ** 31 - 1, 300),
  };
}

function readSp2Update(r: Reader, v: unknown): Sp2UpdateServerConfig {
  const u = r.obj(v, 'sp2.update', ['host', 'port', 'directory', 'envelope']);
  const envelope = r.str(u, 'envelope', 'sp2.update', true)?.replace(/^\/+/, '');
  if (envelope !== undefined && (envelope === '' || envelope.split('/').some((s) => s === '' || s === '.' || s === '..') || /[?#\\]/.test(envelope))) {
    r.fail('sp2.update.envelope', `must be a plain relative path inside sp2.update.directory (e.g. "fw/current.suit"), got "${String(u.envelope)}"`);
  }
  return {
    host: r.str(u, 'host', 'sp2.update', true) ?? '127.0.0.1', port: r.int(u, 'port', 'sp2.update', ...PORT),
    directory: r.file(u, 'directory', 'sp2.update'), ...(envelope ? { envelope } : {}),
  };
}

function readSp2Ra(r: Reader, v: unknown): Sp2RaServerConfig {
  const a = r.obj(v, 'sp2.ra', ['host', 'port', 'factoryTrust', 'manifestSigners', 'fetchTimeoutMs']);
  return {
    host: r.str(a, 'host', 'sp2.ra', true) ?? '127.0.0.1', port: r.int(a, 'port', 'sp2.ra', ...PORT),
    factoryTrustFile: r.file(a, 'factoryTrust', 'sp2.ra'), manifestSignersFile: r.file(a, 'manifestSigners', 'sp2.ra'),
    fetchTimeoutMs: r.int(a, 'fetchTimeoutMs', 'sp2.ra', 100, 600_000, 10_000),
  };
}

/** Refuse two of SP2's UDP listeners on one port (each needs its own). */
function checkSp2Ports(r: Reader, dm: DmConfig, listeners: ReadonlyArray<readonly [string, number | undefined]>): void {
  const all: Array<readonly [string, number | undefined]> = [...listeners];
  if (dm.kind === 'server') all.unshift(['dm.server.coapsPort', dm.coapsPort], ['dm.server.coapPort', dm.coapPort || undefined]);
  const seen = new Map<number, string>();
  for (const [field, port] of all) {
    if (port === undefined) continue;
    const other = seen.get(port);
    if (other) r.fail(field, `is also ${other} (${port}): every UDP listener of SP2 needs a port of its own`);
    seen.set(port, field);
  }
}

function readSp2(r: Reader, v: unknown, dm: DmConfig): Sp2Config {
  const o = r.obj(v, 'sp2', ['ca2Dir', 'est', 'transferMessage', 'anchors', 'bootstrap', 'update', 'ra']);
  const e = r.obj(o.est, 'sp2.est', ['host', 'port', 'certChain', 'key', 'trustedCa']);
  const t = r.obj(o.transferMessage ?? {}, 'sp2.transferMessage', ['enrollUri', 'joinUri', 'updateUri', 'raUri', 'updateFirst', 'windowHours']);
  const a = r.obj(o.anchors ?? {}, 'sp2.anchors', ['enrollmentCa', 'lwm2mServer', 'updateServer']);
  const uris = Object.fromEntries((['enrollUri', 'joinUri', 'updateUri', 'raUri'] as const)
    .map((k) => [k, r.uri(t, k, 'sp2.transferMessage', k === 'updateUri' ? ['coap', 'coaps', 'http', 'https'] : ['coap', 'coaps'], true)])
    .filter(([, u]) => u !== undefined)) as { enrollUri?: string; joinUri?: string; updateUri?: string; raUri?: string };
  const enrollmentCaFile = r.file(a, 'enrollmentCa', 'sp2.anchors', true);
  const lwm2mServerFile = r.file(a, 'lwm2mServer', 'sp2.anchors', true);
  const updateServerFile = r.file(a, 'updateServer', 'sp2.anchors', true);
  const est = { host: r.str(e, 'host', 'sp2.est', true) ?? '127.0.0.1', port: r.int(e, 'port', 'sp2.est', ...PORT), certChainFile: r.file(e, 'certChain', 'sp2.est'), keyFile: r.file(e, 'key', 'sp2.est'), trustedCaFile: r.file(e, 'trustedCa', 'sp2.est') };
  const bootstrap = o.bootstrap === undefined ? undefined : readSp2Bootstrap(r, o.bootstrap, dm);
  const taken = bootstrap && (bootstrap.port === est.port ? 'sp2.est.port' : dm.kind === 'server' && bootstrap.port === dm.coapsPort ? 'dm.server.coapsPort' : undefined);
  if (taken) r.fail('sp2.bootstrap.port', `is also ${taken} (${bootstrap!.port}): the bootstrap server needs a UDP port of its own`);
  const update = o.update === undefined ? undefined : readSp2Update(r, o.update);
  const ra = o.ra === undefined ? undefined : readSp2Ra(r, o.ra);
  checkSp2Ports(r, dm, [['sp2.est.port', est.port], ['sp2.bootstrap.port', bootstrap?.port], ['sp2.update.port', update?.port], ['sp2.ra.port', ra?.port]]);
  return {
    ca2Dir: r.file(o, 'ca2Dir', 'sp2'),
    est,
    transferMessage: { ...uris, updateFirst: r.bool(t, 'updateFirst', 'sp2.transferMessage', false), windowHours: r.int(t, 'windowHours', 'sp2.transferMessage', 1, 24 * 366, 24) },
    anchors: { ...(enrollmentCaFile ? { enrollmentCaFile } : {}), ...(lwm2mServerFile ? { lwm2mServerFile } : {}), ...(updateServerFile ? { updateServerFile } : {}) },
    ...(bootstrap ? { bootstrap } : {}), ...(update ? { update } : {}), ...(ra ? { ra } : {}),
  };
}

/** Check a parsed configuration object (pure: reads no files). `file` names it in errors and anchors relative paths. */
export function parseProviderConfig(json: unknown, file: string): ProviderConfig {
  const dir = path.dirname(path.resolve(file));
  const r = new Reader(file, dir);
  const top = r.obj(json, 'the configuration', ['role', 'identity', 'redisUrl', 'keyPrefix', 'signer', 'peer', 'api', 'dm', 'sp1', 'sp2']);
  const roleText = r.str(top, 'role', 'config');
  const role = roleText === 'sp1' || roleText === 'sp2' ? roleText : r.fail('config.role', `must be "sp1" or "sp2", got "${roleText}"`);
  const identity = r.str(top, 'identity', 'config');
  const redisUrl = r.uri(top, 'redisUrl', 'config', ['redis', 'rediss'])!;
  const keyPrefix = r.str(top, 'keyPrefix', 'config', true) ?? 'handover';
  if (/\s/.test(keyPrefix)) r.fail('config.keyPrefix', 'must not contain spaces');
  const s = r.obj(top.signer, 'signer', ['key', 'certificate', 'kid']);
  const certificateFile = r.file(s, 'certificate', 'signer', true);
  if (role === 'sp1' && !certificateFile) r.fail('signer.certificate', 'is required for SP1 (devices hold it as the provider-signer anchor)');
  const kid = r.str(s, 'kid', 'signer', true);
  const p = r.obj(top.peer, 'peer', ['identity', 'publicKey']);
  const a = r.obj(top.api, 'api', ['host', 'port', 'tokenFile', 'peerUrl', 'peerTokenFile']);
  const dm = readDm(r, top.dm, dir, role);
  if (role === 'sp1' && top.sp2 !== undefined) r.fail('config.sp2', 'is not allowed in an SP1 configuration');
  if (role === 'sp2' && top.sp1 !== undefined) r.fail('config.sp1', 'is not allowed in an SP2 configuration');
  const sp1 = role === 'sp1' ? readSp1(r, top.sp1, dm) : undefined;
  const sp2 = role === 'sp2' ? readSp2(r, top.sp2, dm) : undefined;
  const peerIdentity = r.str(p, 'identity', 'peer');
  if (peerIdentity === identity) r.fail('peer.identity', 'must differ from this provider\'s identity');
  return {
    file, role, identity, redisUrl, keyPrefix,
    signer: { keyFile: r.file(s, 'key', 'signer'), ...(certificateFile ? { certificateFile } : {}), ...(kid ? { kid } : {}) },
    peer: { identity: peerIdentity, publicKeyFile: r.file(p, 'publicKey', 'peer') },
    api: {
      host: r.str(a, 'host', 'api', true) ?? '127.0.0.1', port: r.int(a, 'port', 'api', ...PORT), tokenFile: r.file(a, 'tokenFile', 'api'),
      peerUrl: r.uri(a, 'peerUrl', 'api', ['http', 'https'])!, peerTokenFile: r.file(a, 'peerTokenFile', 'api'),
    },
    dm, ...(sp1 ? { sp1 } : {}), ...(sp2 ? { sp2 } : {}),
  };
}

/** Refuse a secret-bearing file that group or other may access (the rule of our key files). */
export function checkOwnerOnly(file: string, what: string): void {
  let mode: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new ConfigError(`${what} ${file} is not a regular file`);
    mode = st.mode;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if ((mode & 0o077) !== 0) throw new ConfigError(`${what} ${file} is accessible by group or other (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
}

/** Read and check a provider configuration file (owner-only JSON); `role` the caller needs, when it needs one. */
export function loadProviderConfig(file: string, role?: 'sp1' | 'sp2'): ProviderConfig {
  checkOwnerOnly(file, 'configuration file');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const config = parseProviderConfig(json, file);
  if (role && config.role !== role) throw new ConfigError(`${file} configures ${config.role.toUpperCase()}, not ${role.toUpperCase()}`);
  return config;
}

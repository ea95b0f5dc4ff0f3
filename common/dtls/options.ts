/**
 * Options of DtlsServer and DtlsClient, their defaults (every DTLS timing constant lives here),
 * the supported cipher suites, and the translation to the native context options.
 */
import type { RemoteInfo } from 'node:dgram';
import { DtlsError } from './errors';
import type { NativeContextOptions } from './native';

/** The cipher suites offered (IANA names). CCM_8 ones are the LwM2M / CoAP mandatory ones. */
export type DtlsCipherSuite =
  | 'TLS_PSK_WITH_AES_128_CCM_8'
  | 'TLS_PSK_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256';

const OPENSSL_NAME: Readonly<Record<DtlsCipherSuite, string>> = {
  TLS_PSK_WITH_AES_128_CCM_8: 'PSK-AES128-CCM8',
  TLS_PSK_WITH_AES_128_GCM_SHA256: 'PSK-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: 'ECDHE-ECDSA-AES128-CCM8',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
};
const PSK_SUITES: readonly DtlsCipherSuite[] = ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256'];
const CERT_SUITES: readonly DtlsCipherSuite[] = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
];

/** Defaults. Retransmission itself follows OpenSSL's DTLS timer (1 s, doubling, 60 s cap). */
export const DTLS_DEFAULTS = {
  /** Link MTU handed to OpenSSL (IPv6 minimum; handshake messages are fragmented to fit). */
  mtu: 1280,
  /** A handshake not finished after this is abandoned. */
  handshakeTimeoutMs: 30_000,
  /** A session with no datagram either way for this long is closed (close_notify sent). */
  idleTimeoutMs: 10 * 60_000,
  /** Concurrent handshakes on a server; new ClientHellos beyond it are dropped. */
  maxHandshakes: 100,
  /** Established sessions on a server; new ClientHellos beyond it are dropped. */
  maxSessions: 100_000,
  /** How long a server waits for its asynchronous PSK lookup before refusing the identity. */
  pskLookupTimeoutMs: 5_000,
} as const;

/** PSK on the server: the key of an identity is looked up asynchronously (e.g. in Redis). */
export interface DtlsServerPsk {
  /** Resolves the binary key for `identity`, or undefined when the identity is unknown. */
  readonly lookup: (identity: string, rinfo: RemoteInfo) => Promise<Buffer | undefined>;
  /** Identity hint sent in ServerKeyExchange (default: none). */
  readonly identityHint?: string;
}

/** Certificate mode (ECDHE-ECDSA): own chain and key, and the trust store for the peer. */
export interface DtlsCertificateOptions {
  /** PEM: own certificate first, then intermediates. */
  readonly certChainPem: string;
  /** PEM private key (EC P-256 for ECDHE-ECDSA), unencrypted. */
  readonly keyPem: string;
  /** PEM list of trusted CA certificates the peer's chain must validate against. */
  readonly caPem: string;
}

export interface DtlsServerOptions {
  readonly psk?: DtlsServerPsk;
  /** Server certificate; clients must present a certificate valid under `caPem` (mutual auth). */
  readonly certificate?: DtlsCertificateOptions;
  /** Default: the PSK suites when `psk` is set, then the ECDHE-ECDSA ones when `certificate` is. */
  readonly cipherSuites?: readonly DtlsCipherSuite[];
  readonly type?: 'udp4' | 'udp6';
  readonly mtu?: number;
  readonly handshakeTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly maxHandshakes?: number;
  readonly maxSessions?: number;
  readonly pskLookupTimeoutMs?: number;
  /** HMAC key for HelloVerifyRequest cookies (≥ 16 bytes); default: random per server. */
  readonly cookieSecret?: Buffer;
}

export interface DtlsClientOptions {
  /** The server to talk to (name or address) and its port. */
  readonly host: string;
  readonly port: number;
  readonly psk?: { readonly identity: string; readonly key: Buffer };
  /**
   * Certificate mode. `verifyName`: the name or IP the server certificate must carry (default:
   * none, only the chain is validated against `caPem`, as LwM2M clients commonly do).
   */
  readonly certificate?: DtlsCertificateOptions & { readonly verifyName?: string };
  readonly cipherSuites?: readonly DtlsCipherSuite[];
  readonly type?: 'udp4' | 'udp6';
  readonly mtu?: number;
  readonly handshakeTimeoutMs?: number;
  /** Local UDP port/address to bind (default: ephemeral port, all interfaces). */
  readonly localPort?: number;
  readonly localAddress?: string;
}

function suitesFor(psk: boolean, cert: boolean, chosen: readonly DtlsCipherSuite[] | undefined, role: string): string {
  const suites = chosen ?? [...(psk ? PSK_SUITES : []), ...(cert ? CERT_SUITES : [])];
  if (suites.length === 0) throw new DtlsError('bad-options', `a DTLS ${role} needs psk or certificate options`);
  for (const s of suites) {
    if (!(s in OPENSSL_NAME)) throw new DtlsError('bad-options', `unsupported cipher suite ${String(s)}`);
    if (PSK_SUITES.includes(s) && !psk) throw new DtlsError('bad-options', `${s} needs psk options`);
    if (CERT_SUITES.includes(s) && !cert) throw new DtlsError('bad-options', `${s} needs certificate options`);
  }
  return suites.map((s) => OPENSSL_NAME[s]).join(':');
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new DtlsError('bad-options', `${name} must be a positive number`);
  return v;
}

/** Validated server settings with defaults applied. */
export function resolveServerOptions(o: DtlsServerOptions) {
  const native: NativeContextOptions = {
    role: 'server',
    ciphers: suitesFor(o.psk !== undefined, o.certificate !== undefined, o.cipherSuites, 'server'),
    mtu: positive('mtu', o.mtu, DTLS_DEFAULTS.mtu),
    psk: o.psk !== undefined,
    pskIdentityHint: o.psk?.identityHint,
    certChainPem: o.certificate?.certChainPem,
    keyPem: o.certificate?.keyPem,
    caPem: o.certificate?.caPem,
    verifyPeer: o.certificate !== undefined,
    cookieSecret: o.cookieSecret,
  };
  if (o.cookieSecret !== undefined && o.cookieSecret.length < 16) {
    throw new DtlsError('bad-options', 'cookieSecret must hold at least 16 bytes');
  }
  return {
    native,
    type: o.type ?? 'udp4',
    handshakeTimeoutMs: positive('handshakeTimeoutMs', o.handshakeTimeoutMs, DTLS_DEFAULTS.handshakeTimeoutMs),
    idleTimeoutMs: positive('idleTimeoutMs', o.idleTimeoutMs, DTLS_DEFAULTS.idleTimeoutMs),
    maxHandshakes: positive('maxHandshakes', o.maxHandshakes, DTLS_DEFAULTS.maxHandshakes),
    maxSessions: positive('maxSessions', o.maxSessions, DTLS_DEFAULTS.maxSessions),
    pskLookupTimeoutMs: positive('pskLookupTimeoutMs', o.pskLookupTimeoutMs, DTLS_DEFAULTS.pskLookupTimeoutMs),
  } as const;
}

/** Validated client settings with defaults applied. */
export function resolveClientOptions(o: DtlsClientOptions) {
  if (typeof o.host !== 'string' || o.host === '') throw new DtlsError('bad-options', 'host is required');
  if (!Number.isInteger(o.port) || o.port <= 0 || o.port > 65535) throw new DtlsError('bad-options', 'port must be 1..65535');
  if (o.psk !== undefined && o.certificate !== undefined) {
    throw new DtlsError('bad-options', 'a DTLS client uses either psk or certificate, not both');
  }
  if (o.psk !== undefined && (!Buffer.isBuffer(o.psk.key) || o.psk.key.length === 0)) {
    throw new DtlsError('bad-options', 'psk.key must be a non-empty Buffer');
  }
  const native: NativeContextOptions = {
    role: 'client',
    ciphers: suitesFor(o.psk !== undefined, o.certificate !== undefined, o.cipherSuites, 'client'),
    mtu: positive('mtu', o.mtu, DTLS_DEFAULTS.mtu),
    psk: o.psk !== undefined,
    certChainPem: o.certificate?.certChainPem,
    keyPem: o.certificate?.keyPem,
    caPem: o.certificate?.caPem,
    verifyPeer: o.certificate !== undefined,
  };
  return {
    native,
    type: o.type ?? 'udp4',
    handshakeTimeoutMs: positive('handshakeTimeoutMs', o.handshakeTimeoutMs, DTLS_DEFAULTS.handshakeTimeoutMs),
  } as const;
}

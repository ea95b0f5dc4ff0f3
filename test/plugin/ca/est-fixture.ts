/**
 * A running EST-coaps stack for tests: CA2 (a subordinate of a root, so /crts has a chain), a
 * factory CA with devices, an EstServer over DTLS on 127.0.0.1 port 0 with a
 * RedisEnrollmentPolicy on the test Redis, and helpers to make device credentials and clients.
 */
import type { KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import { EstClient, type EstClientOptions } from '../../../client-sim/est/index';
import { CertificateAuthority, certificatePem, createCsr, generateKeyPair } from '../../../common/pki/index';
import { EstServer, RedisEnrollmentPolicy, type EnrollmentPolicy } from '../../../plugin/ca/index';
import { cleanPrefix, randomPrefix, testRedis } from '../../helpers/redis';

export interface Device {
  readonly deviceId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly certificate: Uint8Array;
}

export function keyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }) as string;
}

export class EstFixture {
  root!: CertificateAuthority;
  ca!: CertificateAuthority;
  factoryCa!: CertificateAuthority;
  rogueCa!: CertificateAuthority;
  redis!: Redis;
  prefix!: string;
  policy!: RedisEnrollmentPolicy;
  server!: EstServer;
  readonly logs: string[] = [];
  private readonly clients: EstClient[] = [];

  /**
   * `wrapPolicy`: what the server uses in front of the Redis policy (e.g. to hold enrollments);
   * `maxConcurrentEnrollments`: the server's bound (default the server's).
   */
  async start(opts: { allowInsecure?: boolean; maxConcurrentEnrollments?: number; wrapPolicy?: (p: EnrollmentPolicy) => EnrollmentPolicy } = {}): Promise<this> {
    this.root = await CertificateAuthority.createRoot({ subject: 'CN=Provider 2 Root' });
    this.ca = await this.root.createSubordinate({ subject: 'CN=CA2 Enrollment' });
    this.factoryCa = await CertificateAuthority.createRoot({ subject: 'CN=Factory CA' });
    this.rogueCa = await CertificateAuthority.createRoot({ subject: 'CN=Rogue CA' });
    this.redis = testRedis();
    this.prefix = randomPrefix('est');
    this.policy = new RedisEnrollmentPolicy({ redis: this.redis, keyPrefix: this.prefix });
    const serverKeys = generateKeyPair('P-256');
    const serverCert = await this.ca.issueServerCertificate({ subject: 'CN=est.test', publicKey: serverKeys.publicKey, ipAddresses: ['127.0.0.1'] });
    this.server = new EstServer({
      ca: this.ca,
      policy: opts.wrapPolicy ? opts.wrapPolicy(this.policy) : this.policy,
      ...(opts.maxConcurrentEnrollments !== undefined ? { maxConcurrentEnrollments: opts.maxConcurrentEnrollments } : {}),
      dtls: {
        certChainPem: certificatePem(serverCert) + this.ca.certificatePem(),
        keyPem: keyPem(serverKeys.privateKey),
        caPem: this.factoryCa.certificatePem() + this.ca.chainPem(),
      },
      allowInsecure: opts.allowInsecure,
      log: (l) => this.logs.push(l),
    });
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) await c.close();
    await this.server?.stop();
    if (this.redis) {
      await cleanPrefix(this.redis, this.prefix);
      this.redis.disconnect();
    }
  }

  /** A device with a factory certificate from `issuer` (default: the factory CA). */
  async device(deviceId: string, issuer: CertificateAuthority = this.factoryCa): Promise<Device> {
    const keys = generateKeyPair('P-256');
    const certificate = await issuer.issueFactoryCertificate({ deviceId, publicKey: keys.publicKey });
    return { deviceId, ...keys, certificate };
  }

  /** A CSR for `subject` (default: the device's own name) signed with a fresh or given key. */
  async csr(subject: string, keys = generateKeyPair('P-256')): Promise<{ csr: Uint8Array; privateKey: KeyObject; publicKey: KeyObject }> {
    return { csr: await createCsr({ subject, ...keys }), ...keys };
  }

  /** An EstClient authenticating with `certificate` (+ key), trusting CA2's root. Closed by stop(). */
  client(certificate: Uint8Array, privateKey: KeyObject, extra: Partial<EstClientOptions> = {}): EstClient {
    const c = new EstClient({
      uri: this.server.uri,
      certificate: { certChainPem: certificatePem(certificate), keyPem: keyPem(privateKey), caPem: this.root.certificatePem() },
      timeoutMs: 10_000,
      ...extra,
    });
    this.clients.push(c);
    return c;
  }
}

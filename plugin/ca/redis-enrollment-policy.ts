/**
 * RedisEnrollmentPolicy: EnrollmentPolicy with all state in Redis, so that any number of EST
 * server processes share it and a restart forgets nothing.
 *
 * Keys (under `keyPrefix`; give it a {hash tag} on Redis Cluster, MULTI spans several keys):
 *   <p>:est:factory:<sha256 of the factory cert DER>  hash { transferId, deviceId }  — who may enroll
 *   <p>:est:transfer:<transferId>:factories            set of fingerprints listed for the transfer
 *   <p>:est:transfer:<transferId>:enrolled             hash deviceId → operational cert serial (hex)
 *   <p>:est:transfer:<transferId>:issued               hash deviceId → "<keyId> <certificate base64>"
 *
 * A factory certificate listed again for a later transfer belongs to that later transfer (a
 * device is in one transfer at a time); "one enrollment per device per transfer" is enforced
 * by one Lua script (record-enrollment-script.ts), so two concurrent enrollments of one device
 * cannot both be recorded. The issued certificate is kept with its key id so that a
 * retransmitted enrollment of the same key gets the same certificate (enrollment-policy.ts);
 * withdraw() drops those copies (the serials stay).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { InvalidInputError } from '../../common/errors';
import { EnrollmentRefusedError } from '../../common/est/index';
import { describeCertificate } from '../../common/pki/index';
import type { EnrollmentCheck, EnrollmentPolicy, IssuedEnrollment } from './enrollment-policy';
import { RECORD_ENROLLMENT_LUA } from './record-enrollment-script';

export interface RedisEnrollmentPolicyOptions {
  readonly redis: Redis;
  /** Prefix of every key, e.g. "handover:{ca2}". */
  readonly keyPrefix: string;
}

function fingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

const KEY_ID = /^[0-9a-f]{64}$/;

function checkKeyId(keyId: string | undefined): void {
  if (keyId !== undefined && !KEY_ID.test(keyId)) throw new InvalidInputError('keyId must be a SHA-256 in lower-case hex');
}

function checkTransferId(transferId: string): void {
  if (typeof transferId !== 'string' || transferId === '' || transferId.length > 200) {
    throw new InvalidInputError('transferId must be a non-empty string of at most 200 characters');
  }
}

export class RedisEnrollmentPolicy implements EnrollmentPolicy {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(opts: RedisEnrollmentPolicyOptions) {
    this.redis = opts.redis;
    this.prefix = `${opts.keyPrefix}:est`;
  }

  private factoryKey(fp: string): string { return `${this.prefix}:factory:${fp}`; }
  private factoriesKey(transferId: string): string { return `${this.prefix}:transfer:${transferId}:factories`; }
  private enrolledKey(transferId: string): string { return `${this.prefix}:transfer:${transferId}:enrolled`; }
  private issuedKey(transferId: string): string { return `${this.prefix}:transfer:${transferId}:issued`; }

  async allow(transferId: string, factoryCertificates: Uint8Array[]): Promise<void> {
    checkTransferId(transferId);
    // Validate everything first: a bad certificate anywhere changes nothing.
    const entries = factoryCertificates.map((der, i) => {
      const info = describeCertificate(der);
      if (info.deviceId === undefined || info.deviceId === '') {
        throw new InvalidInputError(`factory certificate ${i} (${info.subject}) has no subject serialNumber (device id)`);
      }
      return { fp: info.fingerprint256, deviceId: info.deviceId };
    });
    if (entries.length === 0) return;
    const multi = this.redis.multi();
    for (const e of entries) {
      multi.hset(this.factoryKey(e.fp), 'transferId', transferId, 'deviceId', e.deviceId);
      multi.sadd(this.factoriesKey(transferId), e.fp);
    }
    await multi.exec();
  }

  async checkEnroll(factoryCertificate: Uint8Array, keyId?: string): Promise<EnrollmentCheck> {
    checkKeyId(keyId);
    const listing = await this.redis.hgetall(this.factoryKey(fingerprint(factoryCertificate)));
    if (!listing.transferId || !listing.deviceId) {
      throw new EnrollmentRefusedError('not-listed', 'the factory certificate is not on any transfer list of this CA');
    }
    const { transferId, deviceId } = listing;
    const [serial, issued] = await Promise.all([
      this.redis.hget(this.enrolledKey(transferId), deviceId),
      keyId === undefined ? Promise.resolve(null) : this.redis.hget(this.issuedKey(transferId), deviceId),
    ]);
    if (serial === null) return { transferId, deviceId };
    const sep = issued?.indexOf(' ') ?? -1;
    if (issued && sep > 0 && issued.slice(0, sep) === keyId) {
      return { transferId, deviceId, issued: new Uint8Array(Buffer.from(issued.slice(sep + 1), 'base64')) };
    }
    throw new EnrollmentRefusedError('already-enrolled', `device ${deviceId} already enrolled in transfer ${transferId} (with another key)`);
  }

  async recordEnrollment(transferId: string, deviceId: string, operationalSerial: string, issued?: IssuedEnrollment): Promise<Uint8Array | undefined> {
    checkTransferId(transferId);
    checkKeyId(issued?.keyId);
    const r = (await this.redis.eval(
      RECORD_ENROLLMENT_LUA, 2, this.enrolledKey(transferId), this.issuedKey(transferId),
      deviceId, operationalSerial, issued?.keyId ?? '', issued ? Buffer.from(issued.certificate).toString('base64') : '',
    )) as string[];
    if (r[0] === 'recorded') return undefined;
    if (r[0] === 'same-key') return new Uint8Array(Buffer.from(r[2], 'base64'));
    throw new EnrollmentRefusedError('already-enrolled', `device ${deviceId} already enrolled in transfer ${transferId}`);
  }

  /** The operational certificate serial each enrolled device of a transfer received. */
  async enrollments(transferId: string): Promise<Record<string, string>> {
    checkTransferId(transferId);
    return this.redis.hgetall(this.enrolledKey(transferId));
  }

  /**
   * Removes every listing of a transfer (finished or cancelled) and the certificate copies kept
   * for retransmissions; its enrollment records (serials) stay.
   */
  async withdraw(transferId: string): Promise<void> {
    checkTransferId(transferId);
    const fps = await this.redis.smembers(this.factoriesKey(transferId));
    const multi = this.redis.multi();
    for (const fp of fps) {
      // Only listings still pointing at this transfer (a later transfer may have re-listed the device).
      multi.eval("if redis.call('HGET', KEYS[1], 'transferId') == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, this.factoryKey(fp), transferId);
    }
    multi.del(this.factoriesKey(transferId), this.issuedKey(transferId));
    await multi.exec();
  }
}

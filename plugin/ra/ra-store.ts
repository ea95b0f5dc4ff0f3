/**
 * The RA server's Redis state: outstanding nonces (one key each, expiring, taken atomically with
 * GETDEL so a nonce answers one evidence only), a "used" marker per consumed nonce (so a replay
 * is told from an unknown nonce), the expected firmware state per device and the last result.
 * Key names:
 *   <prefix>:ra:nonce:<hex>     device id, PX = nonce lifetime
 *   <prefix>:ra:used:<hex>      "1", PX = 10 × nonce lifetime
 *   <prefix>:ra:expect:<device> JSON {firmwareDigest hex, suitSequence}
 *   <prefix>:ra:result:<device> JSON AttestationResult
 */
import type { Redis } from 'ioredis';
import { InvalidInputError } from '../../common/errors';
import type { AttestationFailure } from '../messages/evidence';

/** The firmware a device must attest to. */
export interface ExpectedFirmware {
  /** SHA-256 SUIT manifest digest. */
  readonly firmwareDigest: Uint8Array;
  readonly suitSequence: number;
}

export interface AttestationResult {
  readonly deviceId: string;
  readonly ok: boolean;
  /** Epoch ms. */
  readonly at: number;
  readonly suitSequence?: number;
  readonly reason?: AttestationFailure;
  readonly message?: string;
}

export type TakenNonce = { kind: 'ok'; deviceId: string } | { kind: 'replayed' } | { kind: 'unknown' };

export class RaStore {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly ttlMs: number) {}

  private key(kind: string, id: string): string {
    return `${this.prefix}:ra:${kind}:${id}`;
  }

  async putNonce(nonce: Uint8Array, deviceId: string): Promise<void> {
    await this.redis.set(this.key('nonce', Buffer.from(nonce).toString('hex')), deviceId, 'PX', this.ttlMs);
  }

  /** Consume a nonce: its device id once; later attempts are replays. */
  async takeNonce(nonce: Uint8Array): Promise<TakenNonce> {
    const hex = Buffer.from(nonce).toString('hex');
    const deviceId = await this.redis.getdel(this.key('nonce', hex));
    if (deviceId !== null) {
      await this.redis.set(this.key('used', hex), '1', 'PX', this.ttlMs * 10);
      return { kind: 'ok', deviceId };
    }
    return (await this.redis.exists(this.key('used', hex))) ? { kind: 'replayed' } : { kind: 'unknown' };
  }

  async expect(deviceId: string, state: ExpectedFirmware): Promise<void> {
    if (!(state.firmwareDigest instanceof Uint8Array) || state.firmwareDigest.length !== 32) throw new InvalidInputError('the firmware digest must be a 32-byte SHA-256');
    if (!Number.isSafeInteger(state.suitSequence) || state.suitSequence < 0) throw new InvalidInputError('the SUIT sequence number must be a uint');
    await this.redis.set(this.key('expect', deviceId), JSON.stringify({ firmwareDigest: Buffer.from(state.firmwareDigest).toString('hex'), suitSequence: state.suitSequence }));
  }

  async expected(deviceId: string): Promise<ExpectedFirmware | undefined> {
    const raw = await this.redis.get(this.key('expect', deviceId));
    if (raw === null) return undefined;
    const o = JSON.parse(raw) as { firmwareDigest: string; suitSequence: number };
    return { firmwareDigest: new Uint8Array(Buffer.from(o.firmwareDigest, 'hex')), suitSequence: o.suitSequence };
  }

  async putResult(r: AttestationResult): Promise<void> {
    await this.redis.set(this.key('result', r.deviceId), JSON.stringify(r));
  }

  async result(deviceId: string): Promise<AttestationResult | undefined> {
    const raw = await this.redis.get(this.key('result', deviceId));
    return raw === null ? undefined : (JSON.parse(raw) as AttestationResult);
  }
}

/**
 * SP1's records in Redis. Key names (all under `<prefix>:sp1:`):
 *   device:<id>           hash: the fleet device (factory certificate hex, windows, SUIT state, CA1 operational serial)
 *   uil:<sha256 hex>      JSON array of device ids of an exported UpdateInfoList
 *   offer                 the last exported UpdateInfoList (compact JWS)
 *   transfer:<id>         hash: message (TransferMessage hex), devices (JSON), anchors (JSON), acceptedAt
 *   td:<id>:<device>      hash: state (delivering|delivered|transferred|fellBack), counter, cti, times, certificateSerial, revokedAt, revokeError
 *   counter:<device>      transfer counter (INCR: monotonic per device, never reused)
 *   active:<device>       the transfer the device is in
 */
import type { Redis } from 'ioredis';
import type { DeviceUpdateInfo } from '../messages/update-info-list';
import type { TrustAnchorJson } from './trust-anchors';

/** A device of SP1's fleet. */
export interface FleetDevice extends DeviceUpdateInfo {
  /** The device id = LwM2M endpoint name = the factory certificate's serialNumber (or CN). */
  readonly deviceId: string;
  /** Hex serial of its CA1 operational certificate, revoked after it arrived at SP2. */
  readonly operationalSerial?: string;
}

export type DeviceTransferState = 'delivering' | 'delivered' | 'transferred' | 'fellBack';

/** What SP1 recorded about one device in one transfer. */
export interface DeviceTransferRecord {
  readonly transferId: string;
  readonly deviceId: string;
  readonly state: DeviceTransferState;
  readonly counter?: number;
  /** Hex cti of the last token. */
  readonly cti?: string;
  readonly deliveredAt?: number;
  readonly arrivedAt?: number;
  readonly certificateSerial?: string;
  readonly revokedAt?: number;
  readonly revokeError?: string;
  readonly fellBackAt?: number;
}

export interface StoredTransfer {
  readonly message: Uint8Array;
  readonly devices: string[];
  readonly anchors: TrustAnchorJson[];
  readonly acceptedAt: number;
}

export class OldProviderStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private k(...parts: string[]): string {
    return `${this.prefix}:sp1:${parts.join(':')}`;
  }

  async putDevice(d: FleetDevice): Promise<void> {
    await this.redis.hset(this.k('device', d.deviceId), {
      factoryCertificate: Buffer.from(d.factoryCertificate).toString('hex'),
      updateTimeNotBefore: d.updateTimeNotBefore, updateTimeNotAfter: d.updateTimeNotAfter,
      suitSequenceNumber: d.suitSequenceNumber, suitReferenceUri: d.suitReferenceUri,
      ...(d.operationalSerial ? { operationalSerial: d.operationalSerial } : {}),
    });
  }

  async device(deviceId: string): Promise<FleetDevice | undefined> {
    const h = await this.redis.hgetall(this.k('device', deviceId));
    if (!h.factoryCertificate) return undefined;
    return {
      deviceId, factoryCertificate: new Uint8Array(Buffer.from(h.factoryCertificate, 'hex')),
      updateTimeNotBefore: Number(h.updateTimeNotBefore), updateTimeNotAfter: Number(h.updateTimeNotAfter),
      suitSequenceNumber: Number(h.suitSequenceNumber), suitReferenceUri: h.suitReferenceUri,
      ...(h.operationalSerial ? { operationalSerial: h.operationalSerial } : {}),
    };
  }

  async putExport(hashHex: string, deviceIds: string[], jws: string): Promise<void> {
    await this.redis.multi().set(this.k('uil', hashHex), JSON.stringify(deviceIds)).set(this.k('offer'), jws).exec();
  }

  async exported(hashHex: string): Promise<string[] | undefined> {
    const raw = await this.redis.get(this.k('uil', hashHex));
    return raw === null ? undefined : (JSON.parse(raw) as string[]);
  }

  async offer(): Promise<string | undefined> {
    return (await this.redis.get(this.k('offer'))) ?? undefined;
  }

  /** Store a transfer unless one exists under that id; true when stored. */
  async putTransfer(id: string, t: StoredTransfer): Promise<boolean> {
    const created = await this.redis.hsetnx(this.k('transfer', id), 'message', Buffer.from(t.message).toString('hex'));
    if (!created) return false;
    const m = this.redis.multi().hset(this.k('transfer', id), { devices: JSON.stringify(t.devices), anchors: JSON.stringify(t.anchors), acceptedAt: t.acceptedAt });
    for (const d of t.devices) m.set(this.k('active', d), id);
    await m.exec();
    return true;
  }

  async transfer(id: string): Promise<StoredTransfer | undefined> {
    const h = await this.redis.hgetall(this.k('transfer', id));
    if (!h.message || !h.devices) return undefined;
    return { message: new Uint8Array(Buffer.from(h.message, 'hex')), devices: JSON.parse(h.devices) as string[], anchors: JSON.parse(h.anchors ?? '[]') as TrustAnchorJson[], acceptedAt: Number(h.acceptedAt) };
  }

  async setAnchors(id: string, anchors: TrustAnchorJson[]): Promise<void> {
    await this.redis.hset(this.k('transfer', id), 'anchors', JSON.stringify(anchors));
  }

  async activeTransfer(deviceId: string): Promise<string | undefined> {
    return (await this.redis.get(this.k('active', deviceId))) ?? undefined;
  }

  async clearActive(deviceId: string, transferId: string): Promise<void> {
    if ((await this.redis.get(this.k('active', deviceId))) === transferId) await this.redis.del(this.k('active', deviceId));
  }

  nextCounter(deviceId: string): Promise<number> {
    return this.redis.incr(this.k('counter', deviceId));
  }

  async record(transferId: string, deviceId: string): Promise<DeviceTransferRecord | undefined> {
    const h = await this.redis.hgetall(this.k('td', transferId, deviceId));
    if (!h.state) return undefined;
    const num = (v?: string) => (v === undefined ? undefined : Number(v));
    const r: Record<string, unknown> = { transferId, deviceId, state: h.state };
    for (const f of ['counter', 'deliveredAt', 'arrivedAt', 'revokedAt', 'fellBackAt']) if (h[f] !== undefined) r[f] = num(h[f]);
    for (const f of ['cti', 'certificateSerial', 'revokeError']) if (h[f] !== undefined) r[f] = h[f];
    return r as unknown as DeviceTransferRecord;
  }

  async update(transferId: string, deviceId: string, fields: Record<string, string | number>): Promise<void> {
    await this.redis.hset(this.k('td', transferId, deviceId), fields);
  }

  async clearField(transferId: string, deviceId: string, field: string): Promise<void> {
    await this.redis.hdel(this.k('td', transferId, deviceId), field);
  }

  /** Record the arrival certificate once; returns the serial that is recorded (the first one). */
  async claimArrival(transferId: string, deviceId: string, serial: string, at: number): Promise<{ first: boolean; serial: string }> {
    const key = this.k('td', transferId, deviceId);
    const first = (await this.redis.hsetnx(key, 'certificateSerial', serial)) === 1;
    if (first) {
      await this.redis.hset(key, { state: 'transferred', arrivedAt: at });
      return { first, serial };
    }
    return { first, serial: (await this.redis.hget(key, 'certificateSerial')) ?? serial };
  }
}

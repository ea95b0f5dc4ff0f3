/**
 * SP2's records in Redis. Key names (all under `<prefix>:sp2:`):
 *   uil:<sha256 hex>        the transfer id an UpdateInfoList was imported as
 *   transfer:<id>           hash: uil (CBOR hex), devices (JSON ImportedDevice[]), forwardedAt, message (TransferMessage hex)
 *   arrival:<id>:<device>   hash: state (pending|confirmed), certificateSerial, seenAt, confirmedAt, error
 *   device:<device>         the transfer the device is in
 */
import type { Redis } from 'ioredis';

/** A device SP2 takes over, from SP1's UpdateInfoList. */
export interface ImportedDevice {
  readonly deviceId: string;
  readonly factoryCertificate: Uint8Array;
  readonly updateTimeNotBefore: number;
  readonly updateTimeNotAfter: number;
  readonly suitSequenceNumber: number;
  readonly suitReferenceUri: string;
}

export interface ArrivalRecord {
  readonly state: 'pending' | 'confirmed';
  readonly certificateSerial: string;
  readonly seenAt: number;
  readonly confirmedAt?: number;
  readonly error?: string;
}

interface DeviceJson { deviceId: string; factoryCertificate: string; updateTimeNotBefore: number; updateTimeNotAfter: number; suitSequenceNumber: number; suitReferenceUri: string }

export class NewProviderStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private k(...parts: string[]): string {
    return `${this.prefix}:sp2:${parts.join(':')}`;
  }

  /** Store an imported list under `id` unless that list was imported before; returns the id it lives under. */
  async putImport(hashHex: string, id: string, uil: Uint8Array, devices: readonly ImportedDevice[]): Promise<string> {
    const ok = await this.redis.set(this.k('uil', hashHex), id, 'NX');
    if (ok === null) return (await this.redis.get(this.k('uil', hashHex)))!;
    const json: DeviceJson[] = devices.map((d) => ({ ...d, factoryCertificate: Buffer.from(d.factoryCertificate).toString('hex') }));
    const m = this.redis.multi().hset(this.k('transfer', id), { uil: Buffer.from(uil).toString('hex'), devices: JSON.stringify(json) });
    for (const d of devices) m.set(this.k('device', d.deviceId), id);
    await m.exec();
    return id;
  }

  async transfer(id: string): Promise<{ uil: Uint8Array; devices: ImportedDevice[]; forwardedAt?: number; message?: Uint8Array } | undefined> {
    const h = await this.redis.hgetall(this.k('transfer', id));
    if (!h.uil || !h.devices) return undefined;
    const devices = (JSON.parse(h.devices) as DeviceJson[]).map((d) => ({ ...d, factoryCertificate: new Uint8Array(Buffer.from(d.factoryCertificate, 'hex')) }));
    return {
      uil: new Uint8Array(Buffer.from(h.uil, 'hex')), devices,
      ...(h.forwardedAt ? { forwardedAt: Number(h.forwardedAt) } : {}),
      ...(h.message ? { message: new Uint8Array(Buffer.from(h.message, 'hex')) } : {}),
    };
  }

  async setField(id: string, field: 'forwardedAt' | 'message', value: string | number): Promise<void> {
    await this.redis.hset(this.k('transfer', id), field, value);
  }

  async deviceTransfer(deviceId: string): Promise<string | undefined> {
    return (await this.redis.get(this.k('device', deviceId))) ?? undefined;
  }

  /** Note an arrival once (the first certificate seen wins); returns the record. */
  async noteArrival(id: string, deviceId: string, serial: string, at: number): Promise<ArrivalRecord> {
    const key = this.k('arrival', id, deviceId);
    if (await this.redis.hsetnx(key, 'certificateSerial', serial)) await this.redis.hset(key, { state: 'pending', seenAt: at });
    return (await this.arrival(id, deviceId))!;
  }

  async arrival(id: string, deviceId: string): Promise<ArrivalRecord | undefined> {
    const h = await this.redis.hgetall(this.k('arrival', id, deviceId));
    if (!h.certificateSerial || !h.state) return undefined;
    return {
      state: h.state as ArrivalRecord['state'], certificateSerial: h.certificateSerial, seenAt: Number(h.seenAt),
      ...(h.confirmedAt ? { confirmedAt: Number(h.confirmedAt) } : {}), ...(h.error ? { error: h.error } : {}),
    };
  }

  async markArrival(id: string, deviceId: string, fields: Record<string, string | number>, clearError = false): Promise<void> {
    const key = this.k('arrival', id, deviceId);
    await this.redis.hset(key, fields);
    if (clearError) await this.redis.hdel(key, 'error');
  }
}

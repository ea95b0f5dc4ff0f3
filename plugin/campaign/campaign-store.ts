/**
 * CampaignStore: campaign records, per-device status and progress counters in Redis, readable
 * by any process (the CLI, the REST API, every worker). It validates and creates campaigns and
 * reads them back; state changes go through CampaignControl and the Lua scripts.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { InvalidInputError } from '../../common/errors';
import { CampaignNotFoundError } from './errors';
import { CampaignKeys } from './keys';
import {
  DEVICE_STATES, type CampaignInput, type CampaignProgress, type CampaignRecord, type CampaignState,
  type DeviceState, type DeviceStatus,
} from './types';

/** Most devices one campaign may hold. */
export const MAX_DEVICES = 1_000_000;
const DEVICE_ID = /^[\x21-\x7e]{1,256}$/;
const CHUNK = 1000;

export class CampaignStore {
  readonly keys: CampaignKeys;

  constructor(private readonly redis: Redis, keyPrefix: string) {
    this.keys = new CampaignKeys(keyPrefix);
  }

  /** Validate and store a new campaign in state `created`; every device `pending`. */
  async create(input: CampaignInput): Promise<CampaignRecord> {
    const record = validate(input);
    const k = this.keys;
    const id = record.id;
    const tx = this.redis.multi();
    tx.hset(k.record(id), toHash(record));
    tx.zadd(k.index(), record.createdAt, id);
    for (let i = 0; i < input.devices.length; i += CHUNK) {
      const fields: string[] = [];
      for (const d of input.devices.slice(i, i + CHUNK)) fields.push(d, 'pending');
      tx.hset(k.states(id), ...fields);
    }
    tx.hset(k.counts(id), 'state:pending', input.devices.length, 'final', 0);
    await tx.exec();
    return record;
  }

  async get(id: string): Promise<CampaignRecord | undefined> {
    const h = await this.redis.hgetall(this.keys.record(id));
    return h.id ? fromHash(h) : undefined;
  }

  /** The record, or CampaignNotFoundError. */
  async require(id: string): Promise<CampaignRecord> {
    const r = await this.get(id);
    if (!r) throw new CampaignNotFoundError(id);
    return r;
  }

  /** Every campaign, oldest first. */
  async list(): Promise<CampaignRecord[]> {
    const ids = await this.redis.zrange(this.keys.index(), '0', '-1');
    const out: CampaignRecord[] = [];
    for (const id of ids) {
      const r = await this.get(id);
      if (r) out.push(r);
    }
    return out;
  }

  async progress(id: string): Promise<CampaignProgress> {
    const [rec, counts] = await Promise.all([this.require(id), this.redis.hgetall(this.keys.counts(id))]);
    const byState = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
    const byStep: Record<string, number> = {};
    for (const [field, value] of Object.entries(counts)) {
      const n = Number(value);
      if (field.startsWith('state:')) byState[field.slice(6) as DeviceState] = n;
      else if (field.startsWith('step:') && n !== 0) byStep[field.slice(5)] = n;
    }
    return { campaignId: id, state: rec.state, total: rec.devices, done: Number(counts.final ?? 0), byState, byStep };
  }

  /** One device's status, or undefined when it is not in the campaign. */
  async device(id: string, deviceId: string): Promise<DeviceStatus | undefined> {
    const k = this.keys;
    const [state, step, data, reason] = await Promise.all([
      this.redis.hget(k.states(id), deviceId), this.redis.hget(k.steps(id), deviceId),
      this.redis.hget(k.data(id), deviceId), this.redis.hget(k.reasons(id), deviceId),
    ]);
    if (state === null) return undefined;
    return status(deviceId, state, step, data, reason);
  }

  /** Devices of a campaign (optionally only those in `state`), in no particular order. */
  async devices(id: string, opts: { state?: DeviceState; limit?: number } = {}): Promise<DeviceStatus[]> {
    await this.require(id);
    const k = this.keys;
    const limit = opts.limit ?? Number.MAX_SAFE_INTEGER;
    const out: DeviceStatus[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(k.states(id), cursor, 'COUNT', CHUNK);
      cursor = next;
      const pairs: [string, string][] = [];
      for (let i = 0; i < flat.length; i += 2) if (!opts.state || flat[i + 1] === opts.state) pairs.push([flat[i], flat[i + 1]]);
      if (pairs.length === 0) continue;
      const ids = pairs.map((p) => p[0]);
      const [steps, datas, reasons] = await Promise.all([
        this.redis.hmget(k.steps(id), ...ids), this.redis.hmget(k.data(id), ...ids), this.redis.hmget(k.reasons(id), ...ids),
      ]);
      pairs.forEach(([dev, st], i) => out.push(status(dev, st, steps[i], datas[i], reasons[i])));
    } while (cursor !== '0' && out.length < limit);
    return out.slice(0, limit);
  }

  /** Device ids of a campaign, in chunks (for start and cancel on large campaigns). */
  async *deviceIdChunks(id: string): AsyncGenerator<{ id: string; state: string }[]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.states(id), cursor, 'COUNT', CHUNK);
      cursor = next;
      const chunk: { id: string; state: string }[] = [];
      for (let i = 0; i < flat.length; i += 2) chunk.push({ id: flat[i], state: flat[i + 1] });
      if (chunk.length) yield chunk;
    } while (cursor !== '0');
  }
}

function status(deviceId: string, state: string, step: string | null, data: string | null, reason: string | null): DeviceStatus {
  const parsed = data ? (JSON.parse(data) as { attempt?: number; data?: Record<string, unknown> }) : {};
  const s: DeviceStatus = { deviceId, state: state as DeviceState, attempt: parsed.attempt ?? 0, data: parsed.data ?? {} };
  if (step) s.step = step;
  if (reason) s.reason = reason;
  return s;
}

function validate(input: CampaignInput): CampaignRecord {
  if (!input || typeof input !== 'object') throw new InvalidInputError('campaign: input must be an object');
  const { name, devices, payload, notBefore, notAfter, ratePerSecond } = input;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw new InvalidInputError('campaign: name must be 1-200 characters');
  if (!Array.isArray(devices) || devices.length === 0) throw new InvalidInputError('campaign: at least one device is required');
  if (devices.length > MAX_DEVICES) throw new InvalidInputError(`campaign: at most ${MAX_DEVICES} devices`);
  const seen = new Set<string>();
  for (const d of devices) {
    if (typeof d !== 'string' || !DEVICE_ID.test(d)) throw new InvalidInputError(`campaign: invalid device id ${JSON.stringify(d)} (1-256 printable characters, no spaces)`);
    if (seen.has(d)) throw new InvalidInputError(`campaign: device "${d}" listed twice`);
    seen.add(d);
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new InvalidInputError('campaign: payload must be a JSON object');
  let payloadJson: string;
  try { payloadJson = JSON.stringify(payload); } catch (e) { throw new InvalidInputError('campaign: payload is not JSON-serialisable', { cause: e }); }
  for (const [label, t] of [['notBefore', notBefore], ['notAfter', notAfter]] as const) {
    if (t !== undefined && (!Number.isSafeInteger(t) || t < 0)) throw new InvalidInputError(`campaign: ${label} must be epoch milliseconds`);
  }
  if (notBefore !== undefined && notAfter !== undefined && notAfter <= notBefore) throw new InvalidInputError('campaign: notAfter must be after notBefore');
  if (ratePerSecond !== undefined && (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0 || ratePerSecond > 1e6)) {
    throw new InvalidInputError('campaign: ratePerSecond must be a number in (0, 1000000]');
  }
  const id = `${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
  const record: CampaignRecord = { id, name: name.trim(), createdAt: Date.now(), state: 'created', devices: devices.length,
    payload: JSON.parse(payloadJson) as Record<string, unknown> };
  if (notBefore !== undefined) record.notBefore = notBefore;
  if (notAfter !== undefined) record.notAfter = notAfter;
  if (ratePerSecond !== undefined) record.ratePerSecond = ratePerSecond;
  return record;
}

function toHash(r: CampaignRecord): Record<string, string> {
  const h: Record<string, string> = { id: r.id, name: r.name, createdAt: String(r.createdAt), state: r.state,
    devices: String(r.devices), payload: JSON.stringify(r.payload) };
  if (r.notBefore !== undefined) h.notBefore = String(r.notBefore);
  if (r.notAfter !== undefined) h.notAfter = String(r.notAfter);
  if (r.ratePerSecond !== undefined) h.ratePerSecond = String(r.ratePerSecond);
  return h;
}

function fromHash(h: Record<string, string>): CampaignRecord {
  const r: CampaignRecord = { id: h.id, name: h.name, createdAt: Number(h.createdAt), state: h.state as CampaignState,
    devices: Number(h.devices), payload: JSON.parse(h.payload) as Record<string, unknown> };
  for (const f of ['notBefore', 'notAfter', 'ratePerSecond', 'startedAt', 'finishedAt'] as const) {
    if (h[f] !== undefined) r[f] = Number(h[f]);
  }
  return r;
}

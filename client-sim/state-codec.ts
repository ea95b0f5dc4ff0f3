/**
 * The device state as JSON: object instances (self-describing typed values, so a state file
 * loads without the models), the registration, notification attributes and a free-form `extra`
 * section other device modules (enrollment keys, SUIT sequence numbers) keep their data in.
 */
import type { ResourceType } from '../objects/model';
import {
  lwm2mObject, multiResource, objectInstance, singleResource,
  type LwM2mObject, type ResourceNode, type ResourceValue,
} from '../objects/node';
import type { NotificationAttributes } from './attributes';
import { StateFileError } from './errors';

export const STATE_FORMAT = 1;

/** Where the client is registered, so that a restarted device updates instead of registering anew. */
export interface SavedRegistration {
  readonly serverUri: string;
  readonly location: string;
  readonly lifetime: number;
  /** Epoch ms of the last successful Register / Update. */
  readonly lastUpdate: number;
}

export interface DeviceState {
  readonly endpoint: string;
  readonly registration?: SavedRegistration;
  readonly objects: readonly LwM2mObject[];
  readonly attributes: ReadonlyArray<[string, NotificationAttributes]>;
  readonly extra: Readonly<Record<string, unknown>>;
}

type JsonValue = string | number | boolean | null;
type JsonResource = { t: ResourceType; v: JsonValue } | { t: ResourceType; m: Record<string, JsonValue> };

export function stateToJson(state: DeviceState): string {
  const objects: Record<string, Record<string, Record<string, JsonResource>>> = {};
  for (const o of state.objects) {
    const insts: Record<string, Record<string, JsonResource>> = {};
    for (const i of o.instances.values()) {
      const res: Record<string, JsonResource> = {};
      for (const r of i.resources.values()) res[r.id] = encodeResource(r);
      insts[i.id] = res;
    }
    objects[o.id] = insts;
  }
  return JSON.stringify({
    format: STATE_FORMAT, endpoint: state.endpoint, registration: state.registration ?? null,
    objects, attributes: state.attributes, extra: state.extra,
  }, null, 1);
}

export function stateFromJson(text: string, file: string): DeviceState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(`${file}: not JSON (${(e as Error).message})`, { cause: e });
  }
  const bad = (what: string): never => { throw new StateFileError(`${file}: ${what}`); };
  if (!isRecord(raw) || raw.format !== STATE_FORMAT) return bad(`unknown state format (expected ${STATE_FORMAT})`);
  if (typeof raw.endpoint !== 'string') return bad('missing endpoint');
  if (!isRecord(raw.objects)) return bad('missing objects');
  const objects: LwM2mObject[] = [];
  for (const [oid, insts] of Object.entries(raw.objects)) {
    if (!isRecord(insts)) return bad(`object ${oid} is malformed`);
    objects.push(lwm2mObject(toId(oid, bad), Object.entries(insts).map(([iid, res]) => {
      if (!isRecord(res)) return bad(`instance /${oid}/${iid} is malformed`);
      return objectInstance(toId(iid, bad), Object.entries(res).map(([rid, r]) => decodeResource(toId(rid, bad), r, bad)));
    })));
  }
  const reg = raw.registration;
  let registration: SavedRegistration | undefined;
  if (isRecord(reg)) {
    if (typeof reg.serverUri !== 'string' || typeof reg.location !== 'string' || typeof reg.lifetime !== 'number' || typeof reg.lastUpdate !== 'number') return bad('malformed registration');
    registration = { serverUri: reg.serverUri, location: reg.location, lifetime: reg.lifetime, lastUpdate: reg.lastUpdate };
  }
  const attributes = Array.isArray(raw.attributes) ? raw.attributes as Array<[string, NotificationAttributes]> : [];
  const extra = isRecord(raw.extra) ? raw.extra : {};
  return { endpoint: raw.endpoint, registration, objects, attributes, extra };
}

function encodeResource(r: ResourceNode): JsonResource {
  if (r.kind === 'singleResource') return { t: r.type, v: encodeValue(r.value) };
  const m: Record<string, JsonValue> = {};
  for (const [i, v] of r.values) m[i] = encodeValue(v);
  return { t: r.type, m };
}

function encodeValue(v: ResourceValue): JsonValue {
  if (v === null) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'object') return `${v.objectId}:${v.instanceId}`;
  return v;
}

function decodeResource(id: number, raw: unknown, bad: (w: string) => never): ResourceNode {
  if (!isRecord(raw) || typeof raw.t !== 'string') return bad(`resource ${id} is malformed`);
  const type = raw.t as ResourceType;
  if (isRecord(raw.m)) {
    return multiResource(id, type, Object.entries(raw.m).map(([i, v]) => [toId(i, bad), decodeValue(type, v, bad)]));
  }
  return singleResource(id, type, decodeValue(type, raw.v, bad));
}

function decodeValue(type: ResourceType, v: unknown, bad: (w: string) => never): ResourceValue {
  switch (type) {
    case 'STRING': case 'CORELNK': if (typeof v === 'string') return v; break;
    case 'INTEGER': case 'UNSIGNED_INTEGER': if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v); break;
    case 'FLOAT': if (typeof v === 'number') return v; break;
    case 'BOOLEAN': if (typeof v === 'boolean') return v; break;
    case 'OPAQUE': if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'base64')); break;
    case 'TIME': if (typeof v === 'number') return new Date(v); break;
    case 'OBJLNK': if (typeof v === 'string' && /^\d+:\d+$/.test(v)) { const [o, i] = v.split(':').map(Number); return { objectId: o, instanceId: i }; } break;
    case 'NONE': return null;
  }
  return bad(`a ${type} value is malformed`);
}

function toId(s: string, bad: (w: string) => never): number {
  return /^\d{1,5}$/.test(s) ? Number(s) : bad(`bad id "${s}"`);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

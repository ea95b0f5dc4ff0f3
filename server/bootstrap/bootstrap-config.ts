/**
 * A per-endpoint bootstrap configuration: what the bootstrap server does when that endpoint sends
 * a Bootstrap-Request. Plain JSON (stored as such in Redis), validated by parseBootstrapConfig:
 *
 *   {
 *     "toDelete": ["/0", "/1"],                       // Bootstrap-Delete these first (default none)
 *     "security": {                                   // Bootstrap-Write /0/<instance>
 *       "0": { "uri": "coap://bs.example:5683", "bootstrapServer": true, "securityMode": 3 },
 *       "1": { "uri": "coaps://dm.example:5684", "bootstrapServer": false, "securityMode": 0,
 *              "publicKeyOrIdentity": "<hex>", "secretKey": "<hex>", "serverPublicKey": "<hex>",
 *              "shortServerId": 1, "clientHoldOffTime": 0 }
 *     },
 *     "servers": {                                    // Bootstrap-Write /1/<instance>
 *       "0": { "shortServerId": 1, "lifetime": 300, "binding": "U", "defaultMinPeriod": 1,
 *              "defaultMaxPeriod": 60, "notificationStoring": true }
 *     },
 *     "writes": [                                     // more Bootstrap-Writes, on object instances
 *       { "path": "/33002/0", "values": { "0": "<LwM2M text form: opaque base64, time seconds…>" } }
 *     ],
 *     "discover": "/",                                // optional Bootstrap-Discover first
 *     "read": ["/1"]                                  // optional Bootstrap-Reads (LwM2M 1.1)
 *   }
 *
 * Security modes (resource 0/x/2): 0 PSK, 1 RPK, 2 certificate, 3 NoSec, 4 certificate with EST.
 * Keys are hex. Results of discover/read are reported in the BOOTSTRAP event.
 */
import { InvalidInputError } from '../../common/errors';
import type { ModelProvider } from '../../objects/model';
import { objectInstance, singleResource, type ObjectInstance, type ResourceNode } from '../../objects/node';
import { LwM2mPath } from '../../objects/path';
import { valueFromText } from '../../objects/value';

export interface SecurityInstanceConfig {
  readonly uri: string;
  readonly bootstrapServer: boolean;
  readonly securityMode: number;
  readonly publicKeyOrIdentity?: string;
  readonly serverPublicKey?: string;
  readonly secretKey?: string;
  readonly shortServerId?: number;
  readonly clientHoldOffTime?: number;
}

export interface ServerInstanceConfig {
  readonly shortServerId: number;
  readonly lifetime: number;
  readonly binding?: string;
  readonly defaultMinPeriod?: number;
  readonly defaultMaxPeriod?: number;
  readonly notificationStoring?: boolean;
}

export interface InstanceWrite {
  readonly path: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface BootstrapConfig {
  readonly toDelete?: readonly string[];
  readonly security?: Readonly<Record<string, SecurityInstanceConfig>>;
  readonly servers?: Readonly<Record<string, ServerInstanceConfig>>;
  readonly writes?: readonly InstanceWrite[];
  readonly discover?: string;
  readonly read?: readonly string[];
}

function bad(msg: string): never {
  throw new InvalidInputError(`Invalid bootstrap config: ${msg}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${what} must be an integer in ${min}..${max}`);
  return v;
}

function hex(v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(v)) bad(`${what} must be a hex string`);
  return v;
}

function path(v: unknown, what: string): string {
  if (typeof v !== 'string') bad(`${what} must be a path string`);
  try {
    return LwM2mPath.parse(v).toString();
  } catch {
    return bad(`${what}: invalid path ${v}`);
  }
}

function instanceIds<T>(v: unknown, what: string, each: (x: unknown, w: string) => T): Record<string, T> | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) bad(`${what} must be an object of instance id → instance`);
  const out: Record<string, T> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!/^\d{1,5}$/.test(k) || Number(k) > 65534) bad(`${what}: invalid instance id ${k}`);
    out[k] = each(x, `${what}.${k}`);
  }
  return out;
}

function security(v: unknown, w: string): SecurityInstanceConfig {
  if (!isObj(v)) bad(`${w} must be an object`);
  if (typeof v.uri !== 'string' || !/^coaps?:\/\//.test(v.uri)) bad(`${w}.uri must be a coap:// or coaps:// URI`);
  if (typeof v.bootstrapServer !== 'boolean') bad(`${w}.bootstrapServer must be a boolean`);
  return {
    uri: v.uri, bootstrapServer: v.bootstrapServer, securityMode: int(v.securityMode, `${w}.securityMode`, 0, 4),
    publicKeyOrIdentity: hex(v.publicKeyOrIdentity, `${w}.publicKeyOrIdentity`),
    serverPublicKey: hex(v.serverPublicKey, `${w}.serverPublicKey`),
    secretKey: hex(v.secretKey, `${w}.secretKey`),
    shortServerId: v.shortServerId === undefined ? undefined : int(v.shortServerId, `${w}.shortServerId`, 0, 65535),
    clientHoldOffTime: v.clientHoldOffTime === undefined ? undefined : int(v.clientHoldOffTime, `${w}.clientHoldOffTime`, 0, 2 ** 31 - 1),
  };
}

function server(v: unknown, w: string): ServerInstanceConfig {
  if (!isObj(v)) bad(`${w} must be an object`);
  if (v.binding !== undefined && (typeof v.binding !== 'string' || !/^[UMHTSNQ]+$/.test(v.binding))) bad(`${w}.binding must be like "U"`);
  if (v.notificationStoring !== undefined && typeof v.notificationStoring !== 'boolean') bad(`${w}.notificationStoring must be a boolean`);
  const opt = (x: unknown, name: string) => (x === undefined ? undefined : int(x, `${w}.${name}`, 0, 2 ** 31 - 1));
  return {
    shortServerId: int(v.shortServerId, `${w}.shortServerId`, 1, 65534), lifetime: int(v.lifetime, `${w}.lifetime`, 1, 2 ** 31 - 1),
    binding: v.binding as string | undefined, defaultMinPeriod: opt(v.defaultMinPeriod, 'defaultMinPeriod'),
    defaultMaxPeriod: opt(v.defaultMaxPeriod, 'defaultMaxPeriod'), notificationStoring: v.notificationStoring as boolean | undefined,
  };
}

/** Validate untrusted JSON into a BootstrapConfig. Throws InvalidInputError. */
export function parseBootstrapConfig(v: unknown): BootstrapConfig {
  if (!isObj(v)) bad('must be a JSON object');
  const known = new Set(['toDelete', 'security', 'servers', 'writes', 'discover', 'read']);
  for (const k of Object.keys(v)) if (!known.has(k)) bad(`unknown field ${k}`);
  if (v.toDelete !== undefined && !Array.isArray(v.toDelete)) bad('toDelete must be an array of paths');
  if (v.read !== undefined && !Array.isArray(v.read)) bad('read must be an array of paths');
  if (v.writes !== undefined && !Array.isArray(v.writes)) bad('writes must be an array');
  const writes = (v.writes as unknown[] | undefined)?.map((w, i) => {
    if (!isObj(w) || !isObj(w.values)) bad(`writes[${i}] must be {path, values}`);
    const p = path(w.path, `writes[${i}].path`);
    if (LwM2mPath.parse(p).depth !== 2) bad(`writes[${i}].path must be an object instance path`);
    const values: Record<string, string> = {};
    for (const [rid, val] of Object.entries(w.values)) {
      if (!/^\d{1,5}$/.test(rid) || typeof val !== 'string') bad(`writes[${i}].values: resource id → text value`);
      values[rid] = val;
    }
    return { path: p, values };
  });
  return {
    ...(v.toDelete !== undefined ? { toDelete: (v.toDelete as unknown[]).map((p, i) => path(p, `toDelete[${i}]`)) } : {}),
    ...(v.security !== undefined ? { security: instanceIds(v.security, 'security', security) } : {}),
    ...(v.servers !== undefined ? { servers: instanceIds(v.servers, 'servers', server) } : {}),
    ...(writes ? { writes } : {}),
    ...(v.discover !== undefined ? { discover: path(v.discover, 'discover') } : {}),
    ...(v.read !== undefined ? { read: (v.read as unknown[]).map((p, i) => path(p, `read[${i}]`)) } : {}),
  };
}

const bytes = (h: string | undefined) => new Uint8Array(Buffer.from(h ?? '', 'hex'));

/** Security (0) instance node. */
export function securityInstance(id: number, s: SecurityInstanceConfig): ObjectInstance {
  const r: ResourceNode[] = [
    singleResource(0, 'STRING', s.uri), singleResource(1, 'BOOLEAN', s.bootstrapServer), singleResource(2, 'INTEGER', BigInt(s.securityMode)),
    singleResource(3, 'OPAQUE', bytes(s.publicKeyOrIdentity)), singleResource(4, 'OPAQUE', bytes(s.serverPublicKey)), singleResource(5, 'OPAQUE', bytes(s.secretKey)),
  ];
  if (s.shortServerId !== undefined) r.push(singleResource(10, 'INTEGER', BigInt(s.shortServerId)));
  if (s.clientHoldOffTime !== undefined) r.push(singleResource(11, 'INTEGER', BigInt(s.clientHoldOffTime)));
  return objectInstance(id, r);
}

/** Server (1) instance node. */
export function serverInstance(id: number, s: ServerInstanceConfig): ObjectInstance {
  const r: ResourceNode[] = [singleResource(0, 'INTEGER', BigInt(s.shortServerId)), singleResource(1, 'INTEGER', BigInt(s.lifetime))];
  if (s.defaultMinPeriod !== undefined) r.push(singleResource(2, 'INTEGER', BigInt(s.defaultMinPeriod)));
  if (s.defaultMaxPeriod !== undefined) r.push(singleResource(3, 'INTEGER', BigInt(s.defaultMaxPeriod)));
  r.push(singleResource(6, 'BOOLEAN', s.notificationStoring ?? true));
  r.push(singleResource(7, 'STRING', s.binding ?? 'U'));
  return objectInstance(id, r);
}

/** An extra write as an instance node, values typed by the models. Throws InvalidInputError. */
export function writeInstance(w: InstanceWrite, models: ModelProvider): { path: LwM2mPath; node: ObjectInstance } {
  const p = LwM2mPath.parse(w.path);
  const resources = Object.entries(w.values).map(([rid, text]) => {
    const m = models.getResource(p.objectId as number, Number(rid));
    if (!m) bad(`no model for resource /${p.objectId}/x/${rid}`);
    if (m.multiple) bad(`resource /${p.objectId}/x/${rid} is multiple; only single resources can be written here`);
    try {
      return singleResource(Number(rid), m.type, valueFromText(text, m.type));
    } catch (e) {
      return bad(`value of /${p.objectId}/x/${rid}: ${(e as Error).message}`);
    }
  });
  return { path: p, node: objectInstance(p.instanceId as number, resources) };
}

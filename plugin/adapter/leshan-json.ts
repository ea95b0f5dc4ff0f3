/**
 * LwM2M nodes ↔ the JSON of Leshan's demo REST API (JacksonLwM2mNodeSerializer/Deserializer):
 * kinds obj, instance, singleResource, multiResource, resourceInstance; INTEGER,
 * UNSIGNED_INTEGER and FLOAT as strings; OPAQUE hex; TIME epoch ms; OBJLNK {objectId,
 * objectInstanceId}. The adapter's own copy, so it depends on the wire format only, not on our
 * server's REST code. Every malformed input is an AdapterError.
 */
import type { ResourceType } from '../../objects/model';
import {
  lwm2mObject, multiResource, objectInstance, resourceInstance, singleResource,
  type LwM2mNode, type ObjLink, type ResourceNode, type ResourceValue,
} from '../../objects/node';
import { AdapterError } from './errors';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const TYPES: ReadonlySet<string> = new Set(['STRING', 'INTEGER', 'UNSIGNED_INTEGER', 'FLOAT', 'BOOLEAN', 'OPAQUE', 'TIME', 'OBJLNK', 'CORELNK', 'NONE']);

function valueToJson(type: ResourceType, v: ResourceValue): Json {
  if (v === null) return null;
  switch (type) {
    case 'OPAQUE': return Buffer.from(v as Uint8Array).toString('hex');
    case 'INTEGER': case 'UNSIGNED_INTEGER': return String(v);
    case 'FLOAT': { const n = Number(v); return Number.isInteger(n) ? n.toFixed(1) : String(n); }
    case 'TIME': return v instanceof Date ? v.getTime() : Number(v) * 1000;
    case 'OBJLNK': { const l = v as ObjLink; return { objectId: l.objectId, objectInstanceId: l.instanceId }; }
    case 'BOOLEAN': return Boolean(v);
    case 'STRING': case 'CORELNK': return String(v);
    case 'NONE': return null;
  }
}

/** A node as a Write / Create body. */
export function nodeToLeshanJson(node: LwM2mNode): Json {
  switch (node.kind) {
    case 'root': throw new AdapterError('the root node cannot be written');
    case 'obj': return { kind: 'obj', id: node.id, instances: [...node.instances.values()].map(nodeToLeshanJson) };
    case 'instance': return { kind: 'instance', id: node.id, resources: [...node.resources.values()].map(nodeToLeshanJson) };
    case 'multiResource': {
      const values: { [k: string]: Json } = {};
      for (const [i, v] of node.values) values[String(i)] = valueToJson(node.type, v);
      return { kind: 'multiResource', id: node.id, type: node.type, values };
    }
    case 'singleResource': case 'resourceInstance':
      return { kind: node.kind, id: node.id, type: node.type, value: valueToJson(node.type, node.value) };
  }
}

type O = Record<string, unknown>;

function bad(what: string): never {
  throw new AdapterError(`unexpected node JSON from the DM server: ${what}`);
}

function isObj(v: unknown): v is O {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(o: O): ResourceType {
  const t = typeof o.type === 'string' ? o.type.toUpperCase().replace(/^CORELINK$/, 'CORELNK') : '';
  return TYPES.has(t) ? (t as ResourceType) : bad(`resource type ${JSON.stringify(o.type)}`);
}

function valueFromJson(type: ResourceType, v: unknown): ResourceValue {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'OPAQUE':
      return typeof v === 'string' && /^([0-9a-fA-F]{2})*$/.test(v) ? new Uint8Array(Buffer.from(v, 'hex')) : bad('OPAQUE value');
    case 'INTEGER': case 'UNSIGNED_INTEGER':
      if ((typeof v === 'string' && /^[+-]?\d+$/.test(v)) || (typeof v === 'number' && Number.isSafeInteger(v))) return BigInt(v);
      return bad(`${type} value`);
    case 'FLOAT': { const n = Number(v); return typeof v !== 'boolean' && !Number.isNaN(n) ? n : bad('FLOAT value'); }
    case 'TIME': return typeof v === 'number' ? new Date(v) : bad('TIME value');
    case 'BOOLEAN': return typeof v === 'boolean' ? v : bad('BOOLEAN value');
    case 'OBJLNK':
      return isObj(v) && typeof v.objectId === 'number' && typeof v.objectInstanceId === 'number' ? { objectId: v.objectId, instanceId: v.objectInstanceId } : bad('OBJLNK value');
    case 'STRING': case 'CORELNK': return typeof v === 'string' ? v : bad('STRING value');
    case 'NONE': return null;
  }
}

function idOf(o: O): number {
  const id = typeof o.id === 'string' ? Number(o.id) : o.id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : bad(`id ${JSON.stringify(o.id)}`);
}

function resourceFrom(o: O): ResourceNode {
  if (o.kind === 'multiResource') {
    const t = typeOf(o);
    if (!isObj(o.values)) bad('multiResource values');
    return multiResource(idOf(o), t, Object.entries(o.values as O).map(([k, v]) => [Number(k), valueFromJson(t, v)]));
  }
  if (o.kind === 'singleResource') { const t = typeOf(o); return singleResource(idOf(o), t, valueFromJson(t, o.value)); }
  return bad(`resource kind ${JSON.stringify(o.kind)}`);
}

/** A node from a Read response's `content`. */
export function nodeFromLeshanJson(json: unknown): LwM2mNode {
  if (!isObj(json)) return bad('not an object');
  switch (json.kind) {
    case 'obj':
      if (!Array.isArray(json.instances)) bad('obj instances');
      return lwm2mObject(idOf(json), (json.instances as unknown[]).map((i) => nodeFromLeshanJson(i) as ReturnType<typeof objectInstance>));
    case 'instance':
      if (!Array.isArray(json.resources)) bad('instance resources');
      return objectInstance(idOf(json), (json.resources as unknown[]).map((r) => (isObj(r) ? resourceFrom(r) : bad('resource'))));
    case 'singleResource': case 'multiResource':
      return resourceFrom(json);
    case 'resourceInstance': { const t = typeOf(json); return resourceInstance(idOf(json), t, valueFromJson(t, json.value)); }
    default:
      return bad(`node kind ${JSON.stringify(json.kind)}`);
  }
}

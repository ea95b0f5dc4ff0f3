/**
 * JSON bodies of Write, Create and Write-Composite → LwM2M nodes, accepting what Leshan's
 * JacksonLwM2mNodeDeserializer accepts (integers and floats as strings, numbers tolerated; OPAQUE
 * hex; TIME epoch ms; OBJLNK {objectId, objectInstanceId}). Resource types come from the client's
 * object models; a `type` in the body is only needed for resources the models do not know, and
 * must agree with the model when both are present. Every failure is an InvalidInputError.
 */
import { InvalidInputError } from '../../common/errors';
import type { ModelProvider, ResourceType } from '../../objects/model';
import {
  objectInstance, type LwM2mNode, type ObjectInstance, type ResourceNode, type ResourceValue,
} from '../../objects/node';
import { LwM2mPath } from '../../objects/path';
import { checkValue, INT64_MAX, INT64_MIN, UINT64_MAX, valueFromText } from '../../objects/value';

const TYPES: ReadonlySet<string> = new Set([
  'STRING', 'INTEGER', 'UNSIGNED_INTEGER', 'FLOAT', 'BOOLEAN', 'OPAQUE', 'TIME', 'OBJLNK', 'CORELNK', 'NONE',
]);
/** Leshan's names that differ from ours. */
const TYPE_ALIASES: Readonly<Record<string, ResourceType>> = { CORELINK: 'CORELNK' };

type JsonObject = Record<string, unknown>;

function bad(message: string): never {
  throw new InvalidInputError(message);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idOf(o: JsonObject, what: string, required: boolean): number | undefined {
  if (o.id === undefined || o.id === null) return required ? bad(`Missing id in ${what}`) : undefined;
  const id = typeof o.id === 'string' && /^\d{1,5}$/.test(o.id) ? Number(o.id) : o.id;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 65534) bad(`Invalid id ${JSON.stringify(o.id)} in ${what}`);
  return id;
}

function kindOf(o: JsonObject): string {
  if (typeof o.kind === 'string') return o.kind;
  if ('instances' in o) return 'obj';
  if ('resources' in o) return 'instance';
  if ('values' in o) return 'multiResource';
  if ('value' in o) return 'singleResource';
  return bad('Invalid node element: no kind, resources, values or value');
}

/** The type of resource `path` (/o/i/r or deeper): from the models, else from the body. */
function resourceType(path: LwM2mPath, o: JsonObject, models: ModelProvider): ResourceType {
  let given: ResourceType | undefined;
  if (o.type !== undefined) {
    if (typeof o.type !== 'string') bad(`Invalid type for ${path}`);
    const t = o.type.toUpperCase();
    given = TYPE_ALIASES[t] ?? (TYPES.has(t) ? (t as ResourceType) : bad(`Unknown resource type "${o.type}" for ${path}`));
  }
  const model = models.getResource(path.objectId!, path.resourceId!);
  if (model) {
    if (given !== undefined && given !== model.type) bad(`Resource ${path} is of type ${model.type}, not ${given}`);
    return model.type;
  }
  return given ?? bad(`Unknown resource ${path}: its model is not known, give its "type"`);
}

function integral(v: unknown, type: ResourceType, path: LwM2mPath): bigint {
  let n: bigint | undefined;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) n = BigInt(v.trim());
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  if (n === undefined) return bad(`Invalid ${type} value ${JSON.stringify(v)} for ${path}`);
  const [min, max] = type === 'INTEGER' ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
  if (n < min || n > max) bad(`${type} value ${v} out of range for ${path}`);
  return n;
}

/** One JSON value of `type` → its in-memory form. */
export function valueFromJson(v: unknown, type: ResourceType, path: LwM2mPath): ResourceValue {
  const unexpected = (expected: string): never =>
    bad(`Unexpected JSON type of 'value' field for ${path}: a JSON ${expected} is expected for ${type}`);
  switch (type) {
    case 'STRING':
    case 'CORELNK':
      return typeof v === 'string' ? v : unexpected('string');
    case 'BOOLEAN':
      return typeof v === 'boolean' ? v : unexpected('boolean');
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
      return integral(v, type, path);
    case 'FLOAT': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) ? n : bad(`Invalid FLOAT value ${JSON.stringify(v)} for ${path}`);
    }
    case 'TIME':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) return unexpected('number (epoch milliseconds)');
      return checkValue(new Date(v), 'TIME');
    case 'OPAQUE':
      if (typeof v !== 'string') return unexpected('string (hex)');
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(v)) bad(`Invalid hex value for ${path}`);
      return new Uint8Array(Buffer.from(v, 'hex'));
    case 'OBJLNK': {
      if (!isObject(v)) return unexpected('object {objectId, objectInstanceId}');
      const { objectId, objectInstanceId } = v;
      const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535;
      if (!ok(objectId) || !ok(objectInstanceId)) return unexpected('object {objectId, objectInstanceId}');
      return { objectId, instanceId: objectInstanceId };
    }
    case 'NONE':
      return v === null ? null : unexpected('null');
  }
}

function resourceNode(o: unknown, path: LwM2mPath, models: ModelProvider): ResourceNode {
  if (!isObject(o)) bad(`Invalid resource element under ${path.parent()}`);
  const kind = kindOf(o);
  const id = idOf(o, 'resource', path.resourceId === undefined)!;
  if (path.resourceId !== undefined && id !== undefined && o.id !== undefined && id !== path.resourceId) {
    bad(`Resource id ${id} does not match path ${path}`);
  }
  const at = path.resourceId === undefined ? path.child(id) : path;
  const type = resourceType(at, o, models);
  if (kind === 'multiResource') {
    if (!isObject(o.values)) bad(`Values element of ${at} is not an object`);
    const values = new Map<number, ResourceValue>();
    for (const [k, v] of Object.entries(o.values)) {
      if (!/^\d{1,5}$/.test(k) || Number(k) > 65534) bad(`Invalid resource instance id "${k}" in ${at}`);
      values.set(Number(k), valueFromJson(v, type, at.child(Number(k))));
    }
    return { kind: 'multiResource', id: at.resourceId!, type, values };
  }
  if (kind !== 'singleResource') bad(`Expected a resource at ${at}, got ${kind}`);
  if (!('value' in o)) bad(`Missing value for ${at}`);
  return { kind: 'singleResource', id: at.resourceId!, type, value: valueFromJson(o.value, type, at) };
}

function instanceNode(o: unknown, path: LwM2mPath, models: ModelProvider, instanceId?: number): ObjectInstance {
  if (!isObject(o)) bad('Invalid node element: an object instance is expected');
  const kind = kindOf(o);
  if (kind !== 'instance') bad(`Expected an object instance, got ${kind}`);
  const id = idOf(o, 'object instance', false);
  if (instanceId !== undefined && id !== undefined && id !== instanceId) bad(`Instance id ${id} does not match path ${path}`);
  const iid = instanceId ?? id ?? bad('Missing id of the object instance');
  if (!Array.isArray(o.resources)) bad('Resources element is not an array');
  const base = new LwM2mPath(path.objectId, iid);
  const resources = o.resources.map((r) => resourceNode(r, base, models));
  const seen = new Set<number>();
  for (const r of resources) {
    if (seen.has(r.id)) bad(`Resource ${r.id} appears twice in ${base}`);
    seen.add(r.id);
  }
  return objectInstance(iid, resources);
}

/**
 * The node a Write to `path` carries: an instance at /o/i, a single or multiple resource at
 * /o/i/r, a resource instance at /o/i/r/ri.
 */
export function parseWriteNode(body: unknown, path: LwM2mPath, models: ModelProvider): LwM2mNode {
  switch (path.depth) {
    case 2:
      return instanceNode(body, path, models, path.instanceId);
    case 3:
      return resourceNode(body, path, models);
    case 4: {
      if (!isObject(body)) bad('Invalid node element: a resource instance is expected');
      const kind = kindOf(body);
      if (kind !== 'resourceInstance' && kind !== 'singleResource') bad(`Expected a resource instance at ${path}, got ${kind}`);
      const id = idOf(body, 'resource instance', false);
      if (id !== undefined && id !== path.resourceInstanceId) bad(`Resource instance id ${id} does not match path ${path}`);
      if (!('value' in body)) bad(`Missing value for ${path}`);
      const type = resourceType(path, body, models);
      return { kind: 'resourceInstance', id: path.resourceInstanceId!, type, value: valueFromJson(body.value, type, path) };
    }
    default:
      return bad(`Invalid path: Write targets an object instance, a resource or a resource instance, not ${path}`);
  }
}

/** A text/plain Write body for the resource at /o/i/r(/ri): typed by the model, STRING if unknown. */
export function parseTextWrite(text: string, path: LwM2mPath, models: ModelProvider): LwM2mNode {
  if (path.depth < 3) bad('Invalid request: a text/plain body can only be written to a resource');
  const type = models.getResource(path.objectId!, path.resourceId!)?.type ?? 'STRING';
  let value: ResourceValue;
  try {
    value = valueFromText(text, type);
  } catch (e) {
    return bad(`Invalid ${type} value for ${path}: ${(e as Error).message}`);
  }
  return path.depth === 4
    ? { kind: 'resourceInstance', id: path.resourceInstanceId!, type, value }
    : { kind: 'singleResource', id: path.resourceId!, type, value };
}

/** The instance a Create at /o or /o/i carries (its id from the path, else from the body). */
export function parseCreateInstance(body: unknown, path: LwM2mPath, models: ModelProvider): ObjectInstance {
  if (path.depth !== 1 && path.depth !== 2) bad(`Invalid path: Create targets an object or an object instance, not ${path}`);
  return instanceNode(body, new LwM2mPath(path.objectId), models, path.instanceId);
}

/** A Write-Composite body `{"/3/0/14": node, …}` → path → node, each node a resource or resource instance. */
export function parseCompositeNodes(body: unknown, models: ModelProvider): Map<string, LwM2mNode> {
  if (!isObject(body)) bad('Write-Composite body must be a JSON object of path → node');
  const out = new Map<string, LwM2mNode>();
  for (const [p, node] of Object.entries(body)) {
    let path: LwM2mPath;
    try {
      path = LwM2mPath.parse(p);
    } catch {
      return bad(`Invalid path "${p}"`);
    }
    if (path.depth < 3) bad(`Write-Composite targets resources or resource instances, not ${path}`);
    out.set(path.toString(), parseWriteNode(node, path, models));
  }
  if (out.size === 0) bad('Write-Composite body holds no node');
  return out;
}

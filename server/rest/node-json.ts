/**
 * LwM2M nodes as Leshan's demo server writes them (JacksonLwM2mNodeSerializer): kinds obj,
 * instance, singleResource, multiResource, resourceInstance, root; INTEGER, UNSIGNED_INTEGER and
 * FLOAT as strings (JavaScript numbers cannot hold every 64-bit value), OPAQUE as hex, TIME as
 * epoch milliseconds, OBJLNK as {objectId, objectInstanceId, nullLink}. Key order is the one
 * Leshan's HashMap produces, so our bodies are byte-identical to Leshan's.
 */
import type { ResourceType } from '../../objects/model';
import type { LwM2mNode, ObjLink, ResourceValue } from '../../objects/node';

/** A JSON value (what JSON.stringify writes without a replacer). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * Java's Double.toString layout for the shortest round-trip digits: "1.0", "0.001", "1.0E7",
 * "1.5E-4", "NaN", "Infinity". Leshan writes FLOAT values with it.
 */
export function javaDoubleToString(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  // Shortest round-trip digits and exponent from JavaScript's own formatting.
  const [mantissa, expText] = abs.toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
    }
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const frac = digits.slice(1);
  return `${sign}${digits[0]}.${frac === '' ? '0' : frac}E${exp}`;
}

function objLinkJson(link: ObjLink): Json {
  return {
    objectId: link.objectId,
    objectInstanceId: link.instanceId,
    nullLink: link.objectId === 65535 && link.instanceId === 65535,
  };
}

/** One resource value in Leshan's JSON representation. */
export function valueToJson(type: ResourceType, value: ResourceValue): Json {
  if (value === null) return null;
  switch (type) {
    case 'OPAQUE':
      return Buffer.from(value as Uint8Array).toString('hex');
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
      return String(value);
    case 'FLOAT':
      return javaDoubleToString(Number(value));
    case 'TIME':
      return value instanceof Date ? value.getTime() : Number(value) * 1000;
    case 'OBJLNK':
      return objLinkJson(value as ObjLink);
    case 'BOOLEAN':
      return Boolean(value);
    case 'STRING':
    case 'CORELNK':
      return String(value);
    case 'NONE':
      return null;
  }
}

/** A node in Leshan's JSON representation. */
export function nodeToJson(node: LwM2mNode): Json {
  switch (node.kind) {
    case 'root':
      return { kind: 'root', objects: [...node.objects.values()].map(nodeToJson) };
    case 'obj':
      return { instances: [...node.instances.values()].map(nodeToJson), kind: 'obj', id: node.id };
    case 'instance':
      return { kind: 'instance', resources: [...node.resources.values()].map(nodeToJson), id: node.id };
    case 'multiResource': {
      const values: { [key: string]: Json } = {};
      for (const [id, v] of [...node.values.entries()].sort((a, b) => a[0] - b[0])) values[String(id)] = valueToJson(node.type, v);
      return { kind: 'multiResource', values, id: node.id, type: node.type };
    }
    case 'singleResource':
      return { kind: 'singleResource', id: node.id, type: node.type, value: valueToJson(node.type, node.value) };
    case 'resourceInstance':
      return { kind: 'resourceInstance', id: node.id, type: node.type, value: valueToJson(node.type, node.value) };
  }
}

/** Path → node, as Read-Composite content and composite notifications carry them. */
export function nodesToJson(nodes: ReadonlyMap<string, LwM2mNode>): { [path: string]: Json } {
  const out: { [path: string]: Json } = {};
  for (const [path, node] of nodes) out[path] = nodeToJson(node);
  return out;
}

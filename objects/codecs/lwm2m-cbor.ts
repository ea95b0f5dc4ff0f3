/**
 * application/vnd.oma.lwm2m+cbor (content format 11544, LwM2M 1.2 Core §7.4 "LwM2M CBOR"): nested
 * CBOR maps keyed by ids, where a key is one id or an array of ids, e.g. {[3, 0, 0]: "x"} or
 * {3: {0: {0: "x"}}}. Top-level keys start at the object id; for Write/Create the ids may be
 * relative to the target path, which decode accepts when the absolute reading does not fit.
 * Encoding writes the target path as the top key (an array when it has several ids) and nests
 * the rest, as the spec's examples do. No timestamps: Send and history use SenML.
 */
import type { NodeCodec } from '../codec';
import type { ModelProvider } from '../model';
import type { LwM2mNode } from '../node';
import { LwM2mPath } from '../path';
import { ContentFormat } from '../content-format';
import { PayloadError } from '../errors';
import { buildNode, nodeLeaves, pathFromName, type Leaf } from './node-leaves';
import { cborItemOf, valueOfCborItem } from './cbor-value';
import { decodeCbor, encodeCbor } from './senml-cbor-wire';

/** A top-level entry: its path and the leaves found below it. */
interface Entry {
  readonly path: LwM2mPath;
  readonly leaves: Leaf[];
  /** Paths written as maps, so that empty instances and multiple resources survive. */
  readonly containers: LwM2mPath[];
}

export const lwm2mCborCodec: NodeCodec = {
  format: ContentFormat.LWM2M_CBOR,
  name: 'CBOR',

  encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
    return encodeCbor(entriesMap([[path, node]]));
  },

  decode(payload: Uint8Array, path: LwM2mPath, models: ModelProvider): LwM2mNode {
    const top = topMap(payload);
    let first: unknown;
    for (const prefix of path.depth === 0 ? [[]] : [[], path.ids()]) {
      try {
        const found = entries(top, prefix, models);
        return buildNode(found.flatMap((e) => e.leaves), path, models, found.flatMap((e) => e.containers));
      } catch (e) {
        if (!(e instanceof PayloadError)) throw e;
        first ??= e;
      }
    }
    throw first;
  },

  encodeNodes(nodes: ReadonlyMap<string, LwM2mNode>): Uint8Array {
    return encodeCbor(entriesMap([...nodes].map(([p, n]) => [pathFromName(p), n])));
  },

  decodeNodes(payload: Uint8Array, models: ModelProvider, paths?: readonly LwM2mPath[]): Map<string, LwM2mNode> {
    const found = entries(topMap(payload), [], models);
    const out = new Map<string, LwM2mNode>();
    if (!paths) {
      for (const e of found) {
        const key = e.path.toString();
        if (out.has(key)) throw new PayloadError(`Duplicate entry for ${key}`);
        out.set(key, buildNode(e.leaves, e.path, models, e.containers));
      }
      return out;
    }
    const leaves = found.flatMap((e) => e.leaves);
    const containers = found.flatMap((e) => e.containers);
    for (const l of leaves) {
      if (!paths.some((p) => l.path.startsWith(p))) throw new PayloadError(`${l.path} is not below any requested path`);
    }
    for (const p of paths) {
      const under = leaves.filter((l) => l.path.startsWith(p));
      if (under.length > 0) out.set(p.toString(), buildNode(under, p, models, containers));
    }
    return out;
  },
};

function topMap(payload: Uint8Array): Map<unknown, unknown> {
  const doc = decodeCbor(payload, 'LwM2M CBOR');
  if (!(doc instanceof Map)) throw new PayloadError('LwM2M CBOR must be a map');
  return doc;
}

/** The top-level entries of a decoded payload, ids prefixed by `prefix`. */
function entries(top: Map<unknown, unknown>, prefix: readonly number[], models: ModelProvider): Entry[] {
  const out: Entry[] = [];
  for (const [key, value] of top) {
    const ids = [...prefix, ...keyIds(key)];
    const leaves: Leaf[] = [];
    const containers: LwM2mPath[] = [];
    walk(ids, value, leaves, containers, models);
    out.push({ path: pathOf(ids), leaves, containers });
  }
  return out;
}

function walk(ids: number[], value: unknown, leaves: Leaf[], containers: LwM2mPath[], models: ModelProvider): void {
  if (value instanceof Map) {
    if (ids.length >= 4) throw new PayloadError(`LwM2M CBOR nests below the resource instance /${ids.join('/')}`);
    if (ids.length > 0) containers.push(pathOf(ids));
    for (const [k, v] of value) walk([...ids, ...keyIds(k)], v, leaves, containers, models);
    return;
  }
  const path = pathOf(ids);
  if (ids.length < 3) throw new PayloadError(`LwM2M CBOR has a value at ${path}, which is not a resource`);
  const model = models.getResource(ids[0], ids[2]);
  const { type, value: v } = valueOfCborItem(value, model?.type, path);
  leaves.push({ path, type, value: v });
}

function keyIds(key: unknown): number[] {
  const ids = Array.isArray(key) ? key : [key];
  if (ids.length === 0 || !ids.every((id) => typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 65534)) {
    throw new PayloadError('LwM2M CBOR keys are ids (0..65534) or non-empty arrays of ids');
  }
  return ids as number[];
}

function pathOf(ids: readonly number[]): LwM2mPath {
  if (ids.length > 4) throw new PayloadError(`LwM2M CBOR path /${ids.join('/')} is too deep`);
  return new LwM2mPath(ids[0], ids[1], ids[2], ids[3]);
}

/** The CBOR map for nodes at paths: the path as top key, its content nested below by id. */
function entriesMap(nodes: ReadonlyArray<readonly [LwM2mPath, LwM2mNode]>): Map<unknown, unknown> {
  const top = new Map<unknown, unknown>();
  for (const [path, node] of nodes) {
    const leaves = nodeLeaves(node, path);
    const base = path.ids();
    if (base.length === 0) {
      // The root has no key of its own: its objects are the top keys.
      for (const [k, v] of nested(leaves, base, node)) top.set(k, v);
      continue;
    }
    const key = base.length === 1 ? base[0] : base;
    const isLeaf = node.kind === 'singleResource' || node.kind === 'resourceInstance';
    top.set(key, isLeaf ? cborItemOf(leaves[0].value, leaves[0].type) : nested(leaves, base, node));
  }
  return top;
}

/** Leaves below `base` as nested maps keyed by the remaining ids; empty containers kept. */
function nested(leaves: readonly Leaf[], base: readonly number[], node: LwM2mNode): Map<number, unknown> {
  const root = new Map<number, unknown>();
  for (const l of leaves) {
    if (l.type === 'NONE') continue;
    const rest = l.path.ids().slice(base.length);
    let m = root;
    for (const id of rest.slice(0, -1)) {
      let next = m.get(id) as Map<number, unknown> | undefined;
      if (!next) {
        next = new Map();
        m.set(id, next);
      }
      m = next;
    }
    m.set(rest[rest.length - 1], cborItemOf(l.value, l.type));
  }
  addEmpty(root, node);
  return root;
}

/** Keep instances without resources and multiple resources without instances as empty maps. */
function addEmpty(m: Map<number, unknown>, node: LwM2mNode): void {
  const children: Array<[number, LwM2mNode]> =
    node.kind === 'root' ? [...node.objects]
    : node.kind === 'obj' ? [...node.instances]
    : node.kind === 'instance' ? [...node.resources]
    : [];
  for (const [id, child] of children) {
    if (child.kind === 'singleResource') continue;
    if (!m.has(id)) m.set(id, new Map());
    addEmpty(m.get(id) as Map<number, unknown>, child);
  }
}

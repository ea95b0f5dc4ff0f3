/**
 * The bridge between the node tree and flat formats (SenML records, LwM2M-CBOR maps): a node is
 * flattened into leaves — one value per resource or resource instance path — and leaves are
 * assembled back into the node at a requested path. Also the check every encoder makes that a
 * node is the one its path names.
 */
import type { ModelProvider, ResourceType } from '../model';
import {
  lwm2mObject, multiResource, objectInstance, resourceInstance, singleResource,
  type LwM2mNode, type LwM2mObject, type ObjectInstance, type ResourceNode, type ResourceValue,
} from '../node';
import { LwM2mPath } from '../path';
import { PayloadError } from '../errors';
import { checkValue } from '../value';

/** One value at a resource (/o/i/r) or resource instance (/o/i/r/ri) path. */
export interface Leaf {
  readonly path: LwM2mPath;
  readonly type: ResourceType;
  readonly value: ResourceValue;
}

const KIND_AT_DEPTH = ['root', 'obj', 'instance', 'resource', 'resourceInstance'] as const;

/** Throws PayloadError unless `node` is the node that `path` names (kind and id). */
export function checkNodeAtPath(node: LwM2mNode, path: LwM2mPath): void {
  const expected = KIND_AT_DEPTH[path.depth];
  const kind = node.kind === 'singleResource' || node.kind === 'multiResource' ? 'resource' : node.kind;
  if (kind !== expected) throw new PayloadError(`A ${node.kind} node cannot be the node at ${path}`);
  if (node.kind !== 'root') {
    const ids = path.ids();
    if (node.id !== ids[ids.length - 1]) throw new PayloadError(`Node id ${node.id} does not match path ${path}`);
  }
}

/** The leaves of `node` found at `path`, in id order; values checked against their type. */
export function nodeLeaves(node: LwM2mNode, path: LwM2mPath): Leaf[] {
  checkNodeAtPath(node, path);
  const out: Leaf[] = [];
  const leaf = (p: LwM2mPath, type: ResourceType, value: ResourceValue): void => {
    out.push({ path: p, type, value: checkValue(value, type) });
  };
  const walk = (n: LwM2mNode, p: LwM2mPath): void => {
    switch (n.kind) {
      case 'root':
        for (const o of sorted(n.objects)) walk(o, p.child(o.id));
        return;
      case 'obj':
        for (const i of sorted(n.instances)) walk(i, p.child(i.id));
        return;
      case 'instance':
        for (const r of sorted(n.resources)) walk(r, p.child(r.id));
        return;
      case 'singleResource':
      case 'resourceInstance':
        return leaf(p, n.type, n.value);
      case 'multiResource':
        for (const [ri, v] of [...n.values].sort((a, b) => a[0] - b[0])) leaf(p.child(ri), n.type, v);
        return;
    }
  };
  walk(node, path);
  return out;
}

function sorted<T extends { id: number }>(m: ReadonlyMap<number, T>): T[] {
  return [...m.values()].sort((a, b) => a.id - b.id);
}

interface Entry { type: ResourceType; single?: ResourceValue; multi?: Map<number, ResourceValue> }
type Tree = Map<number, Map<number, Map<number, Entry>>>;

/**
 * Assemble `leaves` (and `containers`, paths of empty objects, instances and multiple resources
 * as some formats write them) into the node at `path`. Every leaf must lie below `path`; a resource is
 * multiple when its leaves name resource instances, or when the model says so. Throws
 * PayloadError on duplicates, on single/multiple conflicts, and when `path` names a resource or
 * resource instance that has no value.
 */
export function buildNode(leaves: readonly Leaf[], path: LwM2mPath, models: ModelProvider, containers: readonly LwM2mPath[] = []): LwM2mNode {
  const tree: Tree = new Map();
  // Containers present on the wire but empty (LwM2M-CBOR `{}`): objects, instances, multiple resources.
  for (const c of containers) {
    if (!c.startsWith(path) || c.depth === 0 || c.depth > 3) continue;
    const [o, i, r] = c.ids();
    const instances = getOr(tree, o, () => new Map());
    if (i === undefined) continue;
    const resources = getOr(instances, i, () => new Map());
    if (r === undefined) continue;
    const model = models.getResource(o, r);
    if (model && !model.multiple) throw new PayloadError(`Resource ${c} is single: it cannot hold resource instances`);
    const res = getOr(resources, r, (): Entry => ({ type: model?.type ?? 'OPAQUE', multi: new Map() }));
    if (res.single !== undefined) throw new PayloadError(`Resource ${c} is given both as single and multiple`);
    res.multi ??= new Map();
  }
  for (const l of leaves) {
    if (!l.path.startsWith(path)) throw new PayloadError(`${l.path} is not below the target path ${path}`);
    if (l.path.depth < 3) throw new PayloadError(`A value at ${l.path} is not at a resource path`);
    const [o, i, r, ri] = l.path.ids();
    const model = models.getResource(o, r);
    const isInstance = ri !== undefined;
    if (model && model.multiple !== isInstance) {
      throw new PayloadError(model.multiple ? `Resource ${l.path} is multiple: its values need resource instance ids` : `Resource /${o}/${i}/${r} is single: ${l.path} is not allowed`);
    }
    const instances = getOr(tree, o, () => new Map());
    const resources = getOr(instances, i, () => new Map());
    const res = getOr(resources, r, (): Entry => ({ type: l.type }));
    if (isInstance) {
      if (res.single !== undefined) throw new PayloadError(`Resource /${o}/${i}/${r} is given both as single and multiple`);
      res.multi ??= new Map();
      if (res.multi.has(ri)) throw new PayloadError(`Duplicate value for ${l.path}`);
      res.multi.set(ri, l.value);
    } else {
      if (res.multi || res.single !== undefined) throw new PayloadError(`Duplicate value for ${l.path}`);
      res.single = l.value;
    }
  }
  const resourceNode = (r: number, res: Entry): ResourceNode =>
    res.multi ? multiResource(r, res.type, res.multi) : singleResource(r, res.type, res.single as ResourceValue);
  const instanceNode = (i: number, rs: Map<number, Entry> | undefined): ObjectInstance =>
    objectInstance(i, [...(rs ?? []).entries()].map(([r, res]) => resourceNode(r, res)));
  const objectNode = (o: number, is: Map<number, Map<number, Entry>> | undefined): LwM2mObject =>
    lwm2mObject(o, [...(is ?? []).entries()].map(([i, rs]) => instanceNode(i, rs)));

  const [po, pi, pr, pri] = path.ids();
  switch (path.depth) {
    case 0:
      return { kind: 'root', objects: new Map([...tree.entries()].map(([o, is]) => [o, objectNode(o, is)])) };
    case 1:
      return objectNode(po, tree.get(po));
    case 2:
      return instanceNode(pi, tree.get(po)?.get(pi));
    case 3: {
      const res = tree.get(po)?.get(pi)?.get(pr);
      if (res) return resourceNode(pr, res);
      const model = models.getResource(po, pr);
      if (model?.multiple) return multiResource(pr, model.type, []);
      throw new PayloadError(`No value for ${path}`);
    }
    case 4: {
      const res = tree.get(po)?.get(pi)?.get(pr);
      if (!res?.multi?.has(pri)) throw new PayloadError(`No value for ${path}`);
      return resourceInstance(pri, res.type, res.multi.get(pri) as ResourceValue);
    }
  }
}

function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

/** `path` as the LwM2mPath of a record name such as "/3/0/1"; PayloadError when malformed. */
export function pathFromName(name: string): LwM2mPath {
  if (!/^\/(\d{1,5}(\/\d{1,5}){0,3})?$/.test(name)) throw new PayloadError(`Invalid LwM2M path "${name}"`);
  try {
    return LwM2mPath.parse(name);
  } catch (e) {
    throw new PayloadError(`Invalid LwM2M path "${name}"`, { cause: e });
  }
}

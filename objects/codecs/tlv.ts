/**
 * application/vnd.oma.lwm2m+tlv (content format 11542, LwM2M 1.1 Core §7.4.3): nodes from an
 * object down to a resource instance. Following §7.4.3: a Read of /o answers Object Instance
 * TLVs, a Read of /o/i answers the resource TLVs alone, a multiple resource always uses the
 * Multiple Resource TLV. On decode /o/i also accepts its Object Instance TLV, and /o accepts bare
 * resource TLVs as instance 0 of a single-instance object. Resources without a model are OPAQUE.
 */
import type { NodeCodec } from '../codec';
import type { ModelProvider, ResourceType } from '../model';
import {
  lwm2mObject, multiResource, objectInstance, resourceInstance, singleResource,
  type LwM2mNode, type ObjectInstance, type ResourceNode,
} from '../node';
import type { LwM2mPath } from '../path';
import { ContentFormat } from '../content-format';
import { PayloadError, UnsupportedFormatError } from '../errors';
import { checkNodeAtPath } from './node-leaves';
import { decodeTlv, encodeTlv, type TlvEntry } from './tlv-wire';
import { tlvValue, tlvValueBytes } from './tlv-value';

const TLV = ContentFormat.TLV;

export const tlvCodec: NodeCodec = {
  format: TLV,
  name: 'TLV',

  encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
    checkNodeAtPath(node, path);
    switch (node.kind) {
      case 'root':
        throw new UnsupportedFormatError(TLV, 'content format for the root path:');
      case 'obj':
        return encodeTlv([...node.instances.values()].sort(byId).map(instanceEntry));
      case 'instance':
        return encodeTlv(resourceEntries(node));
      case 'singleResource':
      case 'multiResource':
        return encodeTlv([resourceEntry(node)]);
      case 'resourceInstance':
        return encodeTlv([{ kind: 'RESOURCE_INSTANCE', id: node.id, value: tlvValueBytes(node.value, node.type) }]);
    }
  },

  decode(payload: Uint8Array, path: LwM2mPath, models: ModelProvider): LwM2mNode {
    if (path.depth === 0) throw new UnsupportedFormatError(TLV, 'content format for the root path:');
    const entries = decodeTlv(payload);
    const [o, i, r, ri] = path.ids();
    const typeOf = (rid: number): ResourceType => {
      const t = models.getResource(o, rid)?.type;
      return t === undefined || t === 'NONE' ? 'OPAQUE' : t;
    };
    switch (path.depth) {
      case 1: {
        if (entries.length > 0 && entries.every(isResourceEntry)) {
          if (models.getObject(o)?.multiple) throw new PayloadError(`Object ${o} has multiple instances: resources need an Object Instance TLV`);
          return lwm2mObject(o, [instanceNode(0, entries, o, models)]);
        }
        const instances = entries.map((e) => {
          if (e.kind !== 'OBJECT_INSTANCE') throw new PayloadError(`Expected Object Instance TLVs for ${path}, got ${e.kind}`);
          return instanceNode(e.id, e.children, o, models);
        });
        if (new Set(instances.map((x) => x.id)).size !== instances.length) throw new PayloadError(`Duplicate object instance in TLV for ${path}`);
        return lwm2mObject(o, instances);
      }
      case 2: {
        if (entries.length === 1 && entries[0].kind === 'OBJECT_INSTANCE') {
          if (entries[0].id !== i) throw new PayloadError(`TLV holds object instance ${entries[0].id}, not ${path}`);
          return instanceNode(i, entries[0].children, o, models);
        }
        return instanceNode(i, entries, o, models);
      }
      case 3: {
        const e = only(entries, path);
        if ((e.kind !== 'RESOURCE_VALUE' && e.kind !== 'MULTIPLE_RESOURCE') || e.id !== r) throw new PayloadError(`TLV ${e.kind} ${e.id} is not the resource ${path}`);
        return resourceNode(e, o, models, typeOf(r));
      }
      default: {
        const e = only(entries, path);
        if (e.kind !== 'RESOURCE_INSTANCE' || e.id !== ri) throw new PayloadError(`TLV ${e.kind} ${e.id} is not the resource instance ${path}`);
        return resourceInstance(ri, typeOf(r), tlvValue(e.value, typeOf(r)));
      }
    }
  },
};

function byId(a: { id: number }, b: { id: number }): number {
  return a.id - b.id;
}

function instanceEntry(inst: ObjectInstance): TlvEntry {
  return { kind: 'OBJECT_INSTANCE', id: inst.id, children: resourceEntries(inst) };
}

function resourceEntries(inst: ObjectInstance): TlvEntry[] {
  return [...inst.resources.values()].sort(byId).map(resourceEntry);
}

function resourceEntry(res: ResourceNode): TlvEntry {
  if (res.kind === 'singleResource') return { kind: 'RESOURCE_VALUE', id: res.id, value: tlvValueBytes(res.value, res.type) };
  const children: TlvEntry[] = [...res.values.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([id, v]) => ({ kind: 'RESOURCE_INSTANCE', id, value: tlvValueBytes(v, res.type) }));
  return { kind: 'MULTIPLE_RESOURCE', id: res.id, children };
}

function isResourceEntry(e: TlvEntry): boolean {
  return e.kind === 'RESOURCE_VALUE' || e.kind === 'MULTIPLE_RESOURCE';
}

function only(entries: TlvEntry[], path: LwM2mPath): TlvEntry {
  if (entries.length !== 1) throw new PayloadError(`Expected one TLV entry for ${path}, got ${entries.length}`);
  return entries[0];
}

function instanceNode(id: number, entries: readonly TlvEntry[], objectId: number, models: ModelProvider): ObjectInstance {
  const resources: ResourceNode[] = [];
  const seen = new Set<number>();
  for (const e of entries) {
    if (!isResourceEntry(e)) throw new PayloadError(`TLV ${e.kind} ${e.id} cannot appear in object instance ${id}`);
    if (seen.has(e.id)) throw new PayloadError(`Duplicate resource ${e.id} in TLV object instance ${id}`);
    seen.add(e.id);
    const t = models.getResource(objectId, e.id)?.type;
    resources.push(resourceNode(e, objectId, models, t === undefined || t === 'NONE' ? 'OPAQUE' : t));
  }
  return objectInstance(id, resources);
}

function resourceNode(e: TlvEntry, objectId: number, models: ModelProvider, type: ResourceType): ResourceNode {
  const model = models.getResource(objectId, e.id);
  if (e.kind === 'RESOURCE_VALUE') {
    if (model?.multiple) throw new PayloadError(`Resource ${objectId}/${e.id} is multiple: expected a Multiple Resource TLV`);
    return singleResource(e.id, type, tlvValue(e.value, type));
  }
  if (e.kind !== 'MULTIPLE_RESOURCE') throw new PayloadError(`Unexpected TLV ${e.kind} ${e.id}`);
  if (model && !model.multiple) throw new PayloadError(`Resource ${objectId}/${e.id} is single: a Multiple Resource TLV is not allowed`);
  const values = new Map<number, ReturnType<typeof tlvValue>>();
  for (const c of e.children) {
    if (c.kind !== 'RESOURCE_INSTANCE') throw new PayloadError(`Unexpected TLV ${c.kind} in multiple resource ${e.id}`);
    if (values.has(c.id)) throw new PayloadError(`Duplicate resource instance ${c.id} of resource ${e.id}`);
    values.set(c.id, tlvValue(c.value, type));
  }
  return multiResource(e.id, type, values);
}

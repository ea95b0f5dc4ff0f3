/**
 * LwM2M-CBOR (application/vnd.oma.lwm2m+cbor, content format 11544; LwM2M 1.2 Core §7.4.6):
 * nested CBOR maps keyed by path ids (a key may also be an array of ids for a path prefix),
 * values at resource or resource-instance depth. We encode fully nested maps from the object id
 * down and decode either form. TIME is an integer of seconds (tag 1 accepted), OBJLNK a text
 * string "o:i", OPAQUE a byte string.
 */
import { Decoder, Encoder } from 'cbor-x';
import type { NodeCodec } from '../codec';
import type { ModelProvider, ResourceType } from '../model';
import type { LwM2mNode, ResourceValue } from '../node';
import { ContentFormat } from '../content-format';
import { PayloadError } from '../errors';
import { LwM2mPath } from '../path';
import { checkValue, dateFromSeconds, objLinkFromText, objLinkToText, secondsFromDate } from '../value';
import { buildNode, nodeLeaves, pathFromName, type Leaf } from './node-leaves';

const encoder = new Encoder({ tagUint8Array: false, mapsAsObjects: false, useRecords: false, variableMapSize: true } as never);
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false } as never);

type Tree = Map<number, Tree | unknown>;

function wireValue(type: ResourceType, value: ResourceValue): unknown {
  const v = checkValue(value, type);
  switch (type) {
    case 'INTEGER':
    case 'UNSIGNED_INTEGER': {
      const b = v as bigint;
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case 'TIME': return Number(secondsFromDate(v as Date));
    case 'OBJLNK': return objLinkToText(v as { objectId: number; instanceId: number });
    case 'OPAQUE': return Buffer.from(v as Uint8Array);
    default: return v;
  }
}

function fromWire(w: unknown, type: ResourceType | undefined, path: LwM2mPath): { type: ResourceType; value: ResourceValue } {
  const bad = (t: string): never => { throw new PayloadError(`LwM2M-CBOR value at ${path} is not a valid ${t}`); };
  const raw = w !== null && typeof w === 'object' && 'tag' in (w as object) && 'value' in (w as object) ? (w as { value: unknown }).value : w;
  const t: ResourceType = type ?? (typeof raw === 'string' ? 'STRING' : typeof raw === 'boolean' ? 'BOOLEAN'
    : raw instanceof Uint8Array ? 'OPAQUE' : typeof raw === 'bigint' || Number.isInteger(raw) ? 'INTEGER' : 'FLOAT');
  switch (t) {
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
      if (typeof raw === 'bigint') return { type: t, value: checkValue(raw, t) };
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return { type: t, value: checkValue(BigInt(raw), t) };
      return bad(t);
    case 'FLOAT':
      return typeof raw === 'number' || typeof raw === 'bigint' ? { type: t, value: Number(raw) } : bad(t);
    case 'TIME':
      if (raw instanceof Date) return { type: t, value: raw };
      return typeof raw === 'number' || typeof raw === 'bigint' ? { type: t, value: dateFromSeconds(raw) } : bad(t);
    case 'OBJLNK':
      if (typeof raw !== 'string') return bad(t);
      try { return { type: t, value: objLinkFromText(raw) }; } catch (e) { throw new PayloadError(`Bad object link at ${path}`, { cause: e }); }
    case 'OPAQUE':
      return raw instanceof Uint8Array ? { type: t, value: new Uint8Array(raw) } : bad(t);
    case 'NONE':
      return { type: t, value: null };
    default:
      return { type: t, value: checkValue(raw as ResourceValue, t) };
  }
}

function leavesToTree(leaves: readonly Leaf[], tree: Tree = new Map()): Tree {
  for (const l of leaves) {
    const ids = l.path.ids();
    let cur = tree;
    for (let i = 0; i < ids.length - 1; i++) {
      let next = cur.get(ids[i]);
      if (!(next instanceof Map)) { next = new Map(); cur.set(ids[i], next); }
      cur = next as Tree;
    }
    cur.set(ids[ids.length - 1], wireValue(l.type, l.value));
  }
  return tree;
}

function treeToLeaves(payload: Uint8Array, models: ModelProvider): Leaf[] {
  let root: unknown;
  try {
    root = decoder.decode(Buffer.from(payload));
  } catch (e) {
    throw new PayloadError('Malformed LwM2M-CBOR payload', { cause: e });
  }
  if (!(root instanceof Map)) throw new PayloadError('LwM2M-CBOR payload is not a map');
  const out: Leaf[] = [];
  const walk = (m: Map<unknown, unknown>, prefix: number[]): void => {
    for (const [k, v] of m) {
      const ids = Array.isArray(k) ? k : [k];
      if (!ids.every((x) => Number.isInteger(x) && x >= 0 && x <= 65534)) throw new PayloadError('LwM2M-CBOR key is not a path id');
      const full = [...prefix, ...(ids as number[])];
      if (full.length > 4) throw new PayloadError('LwM2M-CBOR path deeper than a resource instance');
      if (v instanceof Map) { walk(v, full); continue; }
      if (full.length < 3) throw new PayloadError(`LwM2M-CBOR value at /${full.join('/')} is not at a resource path`);
      const path = new LwM2mPath(full[0], full[1], full[2], full[3]);
      const { type, value } = fromWire(v, models.getResource(full[0], full[2])?.type, path);
      out.push({ path, type, value });
    }
  };
  walk(root as Map<unknown, unknown>, []);
  return out;
}

export const lwm2mCborCodec: NodeCodec = {
  format: ContentFormat.LWM2M_CBOR,
  name: 'CBOR',

  encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
    return new Uint8Array(encoder.encode(leavesToTree(nodeLeaves(node, path))));
  },

  decode(payload: Uint8Array, path: LwM2mPath, models: ModelProvider): LwM2mNode {
    return buildNode(treeToLeaves(payload, models), path, models);
  },

  encodeNodes(nodes: ReadonlyMap<string, LwM2mNode>): Uint8Array {
    const tree: Tree = new Map();
    for (const [p, node] of nodes) leavesToTree(nodeLeaves(node, pathFromName(p)), tree);
    return new Uint8Array(encoder.encode(tree));
  },

  decodeNodes(payload: Uint8Array, models: ModelProvider, paths?: readonly LwM2mPath[]): Map<string, LwM2mNode> {
    const leaves = treeToLeaves(payload, models);
    const out = new Map<string, LwM2mNode>();
    if (paths) {
      for (const p of paths) {
        const below = leaves.filter((l) => l.path.startsWith(p));
        if (below.length === 0 && p.depth >= 3) continue;
        out.set(p.toString(), buildNode(below, p, models));
      }
    } else {
      for (const l of leaves) out.set(l.path.toString(), buildNode([l], l.path, models));
    }
    return out;
  },
};

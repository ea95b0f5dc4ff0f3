/**
 * The LwM2M node mapping onto SenML records, shared by SenML-JSON (110) and SenML-CBOR (112):
 * single-path encode/decode, composite nodes, timestamped values (Send, notifications) and the
 * path lists of Read-Composite / Observe-Composite requests. Each format supplies only how a
 * record array becomes bytes.
 */
import type { NodeCodec } from '../codec';
import type { ModelProvider } from '../model';
import type { LwM2mNode, TimestampedNode } from '../node';
import type { LwM2mPath } from '../path';
import { PayloadError } from '../errors';
import { buildNode, nodeLeaves, pathFromName, type Leaf } from './node-leaves';
import { leavesToRecords, recordsToLeaves, resolveRecords, type SenmlRecord } from './senml-records';

export interface SenmlSerializer {
  write(records: readonly SenmlRecord[]): Uint8Array;
  /** Throws PayloadError on malformed input. */
  read(payload: Uint8Array): SenmlRecord[];
}

/** Group leaves by the requested paths (or, with none, by each leaf's own path). */
function groupLeaves(leaves: readonly Leaf[], models: ModelProvider, paths?: readonly LwM2mPath[]): Map<string, LwM2mNode> {
  const out = new Map<string, LwM2mNode>();
  if (paths) {
    for (const p of paths) {
      const below = leaves.filter((l) => l.path.startsWith(p));
      if (below.length === 0 && p.depth >= 3) continue; // absent value: not in the answer
      out.set(p.toString(), buildNode(below, p, models));
    }
    return out;
  }
  for (const l of leaves) {
    const key = l.path.toString();
    if (out.has(key)) throw new PayloadError(`Duplicate value for ${key}`);
    out.set(key, buildNode([l], l.path, models));
  }
  return out;
}

export function senmlCodec(format: number, name: string, ser: SenmlSerializer): NodeCodec {
  return {
    format,
    name,

    encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
      return ser.write(leavesToRecords(nodeLeaves(node, path)));
    },

    decode(payload: Uint8Array, path: LwM2mPath, models: ModelProvider): LwM2mNode {
      const leaves = recordsToLeaves(resolveRecords(ser.read(payload)), models).map((x) => x.leaf);
      return buildNode(leaves, path, models);
    },

    encodeNodes(nodes: ReadonlyMap<string, LwM2mNode>): Uint8Array {
      const records: SenmlRecord[] = [];
      for (const [p, node] of nodes) records.push(...leavesToRecords(nodeLeaves(node, pathFromName(p))));
      return ser.write(records);
    },

    decodeNodes(payload: Uint8Array, models: ModelProvider, paths?: readonly LwM2mPath[]): Map<string, LwM2mNode> {
      const leaves = recordsToLeaves(resolveRecords(ser.read(payload)), models).map((x) => x.leaf);
      return groupLeaves(leaves, models, paths);
    },

    decodeTimestamped(payload: Uint8Array, models: ModelProvider): Map<string, TimestampedNode[]> {
      const out = new Map<string, TimestampedNode[]>();
      for (const { leaf, time } of recordsToLeaves(resolveRecords(ser.read(payload)), models)) {
        const key = leaf.path.toString();
        const list = out.get(key) ?? [];
        // RFC 8428 §4.5.3: a time below 2**28 is relative to now.
        const ts = time === undefined ? undefined : new Date((time < 2 ** 28 ? Date.now() / 1000 + time : time) * 1000);
        list.push({ timestamp: ts, node: buildNode([leaf], leaf.path, models) });
        out.set(key, list);
      }
      for (const list of out.values()) list.sort((a, b) => (a.timestamp?.getTime() ?? 0) - (b.timestamp?.getTime() ?? 0));
      return out;
    },

    encodeTimestamped(nodes: ReadonlyMap<string, readonly TimestampedNode[]>): Uint8Array {
      const records: SenmlRecord[] = [];
      for (const [p, list] of nodes) {
        for (const tn of list) {
          const t = tn.timestamp ? tn.timestamp.getTime() / 1000 : undefined;
          records.push(...leavesToRecords(nodeLeaves(tn.node, pathFromName(p)), t));
        }
      }
      return ser.write(records);
    },

    encodePaths(paths: readonly LwM2mPath[]): Uint8Array {
      return ser.write(paths.map((p) => ({ n: p.toString() })));
    },

    decodePaths(payload: Uint8Array): LwM2mPath[] {
      return resolveRecords(ser.read(payload)).map((r) => pathFromName(r.name));
    },
  };
}

/**
 * A NodeCodec over SenML records, whatever the wire (SenML JSON, SenML CBOR, OMA JSON): single
 * nodes (Read/Write/Observe), composite nodes (Read-/Write-Composite), timestamped values (Send,
 * notifications with history) and path lists (Read-/Observe-Composite requests, 1.2 Core §7.4.5).
 *
 * Encoding puts the target path in `bn` of the first record and the rest in `n`, as the spec's
 * examples do; composite and timestamped encodings give every record its full name, and times
 * as `bt` (absolute Unix seconds) on the first record of each timestamp.
 */
import type { NodeCodec } from '../codec';
import type { ModelProvider } from '../model';
import type { LwM2mNode, TimestampedNode } from '../node';
import { LwM2mPath } from '../path';
import { PayloadError } from '../errors';
import { buildNode, nodeLeaves, pathFromName, type Leaf } from './node-leaves';
import { leafOf, senmlValueOf, type SenmlMappingOptions } from './senml-mapping';
import { recordWithValue, resolveRecords, type SenmlRecord } from './senml-record';

/** A SenML wire format: bytes ↔ records. */
export interface SenmlWire {
  decode(bytes: Uint8Array): SenmlRecord[];
  encode(records: readonly SenmlRecord[]): Uint8Array;
}

export function senmlCodec(format: number, name: string, wire: SenmlWire, options: SenmlMappingOptions = {}): NodeCodec {
  const leavesOf = (payload: Uint8Array, models: ModelProvider) =>
    resolveRecords(wire.decode(payload)).map((r) => ({ record: r, leaf: leafOf(r, models, options) }));

  return {
    format,
    name,

    encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
      const records = recordsOf(nodeLeaves(node, path), path);
      return wire.encode(records);
    },

    decode(payload: Uint8Array, path: LwM2mPath, models: ModelProvider): LwM2mNode {
      return buildNode(leavesOf(payload, models).map((x) => x.leaf), path, models);
    },

    encodeNodes(nodes: ReadonlyMap<string, LwM2mNode>): Uint8Array {
      const records: SenmlRecord[] = [];
      for (const [p, node] of nodes) records.push(...recordsOf(nodeLeaves(node, pathFromName(p))));
      return wire.encode(records);
    },

    decodeNodes(payload: Uint8Array, models: ModelProvider, paths?: readonly LwM2mPath[]): Map<string, LwM2mNode> {
      const leaves = leavesOf(payload, models).map((x) => x.leaf);
      const out = new Map<string, LwM2mNode>();
      if (!paths) {
        for (const l of leaves) {
          const key = l.path.toString();
          if (out.has(key)) throw new PayloadError(`Duplicate value for ${key}`);
          out.set(key, buildNode([l], l.path, models));
        }
        return out;
      }
      for (const l of leaves) {
        if (!paths.some((p) => l.path.startsWith(p))) throw new PayloadError(`${l.path} is not below any requested path`);
      }
      for (const p of paths) {
        const under = leaves.filter((l) => l.path.startsWith(p));
        if (under.length > 0) out.set(p.toString(), buildNode(under, p, models));
      }
      return out;
    },

    decodeTimestamped(payload: Uint8Array, models: ModelProvider): Map<string, TimestampedNode[]> {
      const out = new Map<string, TimestampedNode[]>();
      for (const { record, leaf } of leavesOf(payload, models)) {
        const key = leaf.path.toString();
        const list = out.get(key) ?? [];
        if (list.some((x) => x.timestamp?.getTime() === record.time?.getTime())) throw new PayloadError(`Two values for ${key} at the same time`);
        list.push({ timestamp: record.time, node: buildNode([leaf], leaf.path, models) });
        out.set(key, list);
      }
      const at = (x: TimestampedNode) => x.timestamp?.getTime() ?? Infinity;
      for (const list of out.values()) list.sort((a, b) => at(a) - at(b));
      return out;
    },

    encodeTimestamped(nodes: ReadonlyMap<string, readonly TimestampedNode[]>): Uint8Array {
      const records: SenmlRecord[] = [];
      let bt = 0;
      for (const [p, list] of nodes) {
        const path = pathFromName(p);
        for (const tn of list) {
          const seconds = tn.timestamp ? tn.timestamp.getTime() / 1000 : 0;
          if (Number.isNaN(seconds)) throw new PayloadError(`Invalid timestamp for ${p}`);
          const group = recordsOf(nodeLeaves(tn.node, path));
          if (group.length > 0 && seconds !== bt) {
            group[0] = { bt: seconds, ...group[0] };
            bt = seconds;
          }
          records.push(...group);
        }
      }
      return wire.encode(records);
    },

    encodePaths(paths: readonly LwM2mPath[]): Uint8Array {
      return wire.encode(paths.map((p) => ({ n: p.toString() })));
    },

    decodePaths(payload: Uint8Array): LwM2mPath[] {
      return resolveRecords(wire.decode(payload)).map((r) => pathFromName(r.name));
    },
  };
}

/**
 * Records for leaves. With `base`, the first record carries it in `bn` and names are relative
 * to it; without, every record carries its full name in `n`.
 */
function recordsOf(leaves: readonly Leaf[], base?: LwM2mPath): SenmlRecord[] {
  const records: SenmlRecord[] = [];
  const prefix = base === undefined ? '' : base.isRoot() ? '/' : `${base}/`;
  for (const leaf of leaves) {
    const value = senmlValueOf(leaf);
    if (value === undefined) continue;
    const record: SenmlRecord = {};
    const full = leaf.path.toString();
    if (base !== undefined && records.length === 0) {
      if (leaf.path.equals(base)) record.bn = full;
      else record.bn = prefix;
    }
    if (base === undefined) record.n = full;
    else if (!leaf.path.equals(base)) record.n = full.slice(prefix.length);
    records.push(recordWithValue(record, value));
  }
  return records;
}

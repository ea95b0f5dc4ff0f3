/**
 * The node codec contract. One codec per content format, picked from a registry (codecs/index.ts),
 * never from an if-chain. Codecs are pure: bytes in, nodes out, models consulted for types.
 */
import type { ModelProvider } from './model';
import type { LwM2mNode, TimestampedNode } from './node';
import type { LwM2mPath } from './path';

export interface NodeCodec {
  /** CoAP content format number. */
  readonly format: number;
  /** Human name as in Leshan's REST API (TLV, SENML_JSON, ...). */
  readonly name: string;

  /** Encode the node found at `path` (Read response, Write/Create request, notification). */
  encode(node: LwM2mNode, path: LwM2mPath, models: ModelProvider): Uint8Array;
  /** Decode a payload addressed to `path` into the node at that path. Throws PayloadError. */
  decode(payload: Uint8Array, path: LwM2mPath, models: ModelProvider): LwM2mNode;

  /** Composite formats only (SenML-JSON, SenML-CBOR, LwM2M-CBOR): path string → node. */
  encodeNodes?(nodes: ReadonlyMap<string, LwM2mNode>, models: ModelProvider): Uint8Array;
  /** Composite decode; with `paths`, nodes are grouped under those requested paths. */
  decodeNodes?(payload: Uint8Array, models: ModelProvider, paths?: readonly LwM2mPath[]): Map<string, LwM2mNode>;
  /** Timestamped values (Send, notifications with history): path string → values in time order. */
  decodeTimestamped?(payload: Uint8Array, models: ModelProvider): Map<string, TimestampedNode[]>;
  encodeTimestamped?(nodes: ReadonlyMap<string, readonly TimestampedNode[]>, models: ModelProvider): Uint8Array;
  /** Read-Composite / Observe-Composite request bodies: a list of paths. */
  encodePaths?(paths: readonly LwM2mPath[]): Uint8Array;
  decodePaths?(payload: Uint8Array): LwM2mPath[];
}

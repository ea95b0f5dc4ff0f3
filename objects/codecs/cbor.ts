/**
 * application/cbor (content format 60, LwM2M 1.1 Core §7.4.4 / 1.2 Core §7.4 "CBOR"): one
 * resource or resource instance value as a single CBOR data item (see cbor-value.ts).
 */
import type { NodeCodec } from '../codec';
import type { ModelProvider } from '../model';
import type { LwM2mNode } from '../node';
import type { LwM2mPath } from '../path';
import { ContentFormat } from '../content-format';
import { cborItemOf, valueOfCborItem } from './cbor-value';
import { decodeCbor, encodeCbor } from './senml-cbor-wire';
import { singleValueNode, singleValueOf, singleValueType } from './single-value';

export const cborCodec: NodeCodec = {
  format: ContentFormat.CBOR,
  name: 'CBOR_VALUE',

  encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
    const { type, value } = singleValueOf(node, path, ContentFormat.CBOR);
    return encodeCbor(cborItemOf(value, type));
  },

  decode(payload: Uint8Array, path: LwM2mPath, models: ModelProvider): LwM2mNode {
    const modelType = singleValueType(path, ContentFormat.CBOR, models);
    const { type, value } = valueOfCborItem(decodeCbor(payload, 'CBOR'), modelType, path);
    return singleValueNode(path, type, value);
  },
};

/**
 * application/octet-stream (content format 42, LwM2M 1.1 Core §7.4.2): the raw bytes of one
 * OPAQUE resource or resource instance (firmware images, certificates, tokens). Any other
 * resource type is UnsupportedFormatError; without a model the value is OPAQUE.
 */
import type { NodeCodec } from '../codec';
import type { ModelProvider } from '../model';
import type { LwM2mNode } from '../node';
import type { LwM2mPath } from '../path';
import { ContentFormat } from '../content-format';
import { UnsupportedFormatError } from '../errors';
import { checkValue } from '../value';
import { singleValueNode, singleValueOf, singleValueType } from './single-value';

export const opaqueCodec: NodeCodec = {
  format: ContentFormat.OPAQUE,
  name: 'OPAQUE',

  encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
    const { type, value } = singleValueOf(node, path, ContentFormat.OPAQUE);
    if (type !== 'OPAQUE') throw new UnsupportedFormatError(ContentFormat.OPAQUE, `content format for the ${type} resource ${path}:`);
    return Uint8Array.from(checkValue(value, type) as Uint8Array);
  },

  decode(payload: Uint8Array, path: LwM2mPath, models: ModelProvider): LwM2mNode {
    const type = singleValueType(path, ContentFormat.OPAQUE, models) ?? 'OPAQUE';
    if (type !== 'OPAQUE') throw new UnsupportedFormatError(ContentFormat.OPAQUE, `content format for the ${type} resource ${path}:`);
    return singleValueNode(path, type, Uint8Array.from(payload));
  },
};

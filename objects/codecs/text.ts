/**
 * text/plain (content format 0, LwM2M 1.1 Core §7.4.1): one resource or resource instance value
 * in its Appendix C text form. Without a model the value is read as a STRING.
 */
import type { NodeCodec } from '../codec';
import type { ModelProvider } from '../model';
import type { LwM2mNode } from '../node';
import type { LwM2mPath } from '../path';
import { ContentFormat } from '../content-format';
import { PayloadError } from '../errors';
import { valueFromText, valueToText } from '../value';
import { singleValueNode, singleValueOf, singleValueType } from './single-value';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 → string; PayloadError on invalid sequences. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (e) {
    throw new PayloadError('Invalid UTF-8', { cause: e });
  }
}

export const textCodec: NodeCodec = {
  format: ContentFormat.TEXT,
  name: 'TEXT',

  encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
    const { type, value } = singleValueOf(node, path, ContentFormat.TEXT);
    return new Uint8Array(Buffer.from(valueToText(value, type), 'utf8'));
  },

  decode(payload: Uint8Array, path: LwM2mPath, models: ModelProvider): LwM2mNode {
    const type = singleValueType(path, ContentFormat.TEXT, models) ?? 'STRING';
    return singleValueNode(path, type, valueFromText(decodeUtf8(payload), type));
  },
};

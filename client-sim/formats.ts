/**
 * Content formats on the device side: which codec answers a request (Accept honoured, 4.06
 * when it cannot; 4.15 for a payload format we do not read; 4.00 for a payload that does not
 * decode), the default format when the server names none, and the list announced in the
 * registration's root link. Codecs come from the objects/ registry, never an if-chain here.
 */
import { HandoverError, InvalidInputError } from '../common/errors';
import type { NodeCodec } from '../objects/codec';
import { codecFor } from '../objects/codecs/index';
import { ContentFormat } from '../objects/content-format';
import { PayloadError, UnsupportedFormatError } from '../objects/errors';
import type { ModelProvider } from '../objects/model';
import type { LwM2mNode } from '../objects/node';
import type { LwM2mPath } from '../objects/path';
import { OperationError } from './errors';

/** LwM2M versions the client can claim. */
export type LwM2mVersion = '1.0' | '1.1' | '1.2';

/**
 * Formats announced in the root link, by LwM2M version (LwM2M-CBOR is 1.2). Requests in any format
 * that has a codec are answered, whatever the claimed version: servers only use what we announce.
 */
const BY_VERSION: Readonly<Record<LwM2mVersion, readonly number[]>> = {
  '1.0': [ContentFormat.TEXT, ContentFormat.OPAQUE, ContentFormat.TLV, ContentFormat.JSON],
  '1.1': [ContentFormat.TEXT, ContentFormat.OPAQUE, ContentFormat.CBOR, ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR],
  '1.2': [ContentFormat.TEXT, ContentFormat.OPAQUE, ContentFormat.CBOR, ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR],
};

/** The registry's codec for `format`, or undefined. */
export function findCodec(format: number): NodeCodec | undefined {
  try {
    return codecFor(format) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Formats of `version` that have a codec, for the root link's ct= and for reading requests. */
export function supportedFormats(version: LwM2mVersion): number[] {
  return BY_VERSION[version].filter((f) => findCodec(f) !== undefined);
}

/** The format used when a Read / Observe names no Accept. */
export function defaultFormat(path: LwM2mPath, node: LwM2mNode, version: LwM2mVersion): number {
  if (node.kind === 'singleResource' || node.kind === 'resourceInstance') {
    return node.type === 'OPAQUE' ? ContentFormat.OPAQUE : ContentFormat.TEXT;
  }
  void path;
  return version === '1.0' ? ContentFormat.TLV : ContentFormat.SENML_CBOR;
}

/** Encode `node` in the Accept format (or the default); 4.06 when that format cannot carry it. */
export function encodeNode(node: LwM2mNode, path: LwM2mPath, accept: number | undefined, version: LwM2mVersion, models: ModelProvider): { payload: Buffer; format: number } {
  const format = accept ?? defaultFormat(path, node, version);
  const codec = findCodec(format);
  if (!codec) throw OperationError.notAcceptable(`Content format ${format} is not supported`);
  try {
    return { payload: Buffer.from(codec.encode(node, path, models)), format };
  } catch (e) {
    throw OperationError.notAcceptable(`${path} cannot be encoded as ${codec.name}: ${(e as Error).message}`);
  }
}

/** Encode several nodes (Read-Composite, composite notifications, Send). */
export function encodeNodes(nodes: ReadonlyMap<string, LwM2mNode>, accept: number | undefined, models: ModelProvider): { payload: Buffer; format: number } {
  const format = accept ?? ContentFormat.SENML_CBOR;
  const codec = findCodec(format);
  if (!codec?.encodeNodes) throw OperationError.notAcceptable(`Content format ${format} cannot carry several paths`);
  try {
    return { payload: Buffer.from(codec.encodeNodes(nodes, models)), format };
  } catch (e) {
    throw OperationError.notAcceptable(`Cannot encode as ${codec.name}: ${(e as Error).message}`);
  }
}

/** Decode a request payload addressed to `path`; 4.15 unknown format, 4.00 bad payload. */
export function decodeNode(payload: Uint8Array, path: LwM2mPath, format: number | undefined, models: ModelProvider): LwM2mNode {
  const codec = requestCodec(format);
  return guard(() => codec.decode(payload, path, models));
}

/** Decode a composite payload (Write-Composite): path string → node. */
export function decodeNodes(payload: Uint8Array, format: number | undefined, models: ModelProvider): Map<string, LwM2mNode> {
  const codec = requestCodec(format);
  if (!codec.decodeNodes) throw OperationError.unsupportedFormat(`${codec.name} cannot carry several paths`);
  const decode = codec.decodeNodes.bind(codec);
  return guard(() => decode(payload, models));
}

/** Decode the list of paths of a Read-Composite / Observe-Composite request. */
export function decodePaths(payload: Uint8Array, format: number | undefined): LwM2mPath[] {
  const codec = requestCodec(format);
  if (!codec.decodePaths) throw OperationError.unsupportedFormat(`${codec.name} cannot carry a list of paths`);
  const decode = codec.decodePaths.bind(codec);
  const paths = guard(() => decode(payload));
  if (paths.length === 0) throw OperationError.badRequest('No paths in the request');
  return paths;
}

function requestCodec(format: number | undefined): NodeCodec {
  if (format === undefined) throw OperationError.badRequest('The request has a payload but no Content-Format');
  const codec = findCodec(format);
  if (!codec) throw OperationError.unsupportedFormat(`Content format ${format} is not supported`);
  return codec;
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toOperationError(e);
  }
}

/** The one conversion of errors to CoAP answers on the device side. */
export function toOperationError(e: unknown): OperationError {
  if (e instanceof OperationError) return e;
  if (e instanceof UnsupportedFormatError) return OperationError.unsupportedFormat(e.message);
  if (e instanceof PayloadError || e instanceof InvalidInputError) return OperationError.badRequest(e.message);
  if (e instanceof HandoverError) return OperationError.internal(e.message);
  return OperationError.internal(e instanceof Error ? e.message : String(e));
}

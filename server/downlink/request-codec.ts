/**
 * Downlink requests as CoAP (LwM2M 1.1 Transport §6.3, §6.4 and Table 6.4-1) and CoAP answers
 * as LwM2mResponse. Pure: the transport sends what encodeRequest builds and hands the answer to
 * decodeResponse.
 *
 *   Read GET · Discover GET Accept:40 · Write PUT (replace) / POST (update) · Write-Attributes
 *   PUT ?attrs · Execute POST · Create POST /o · Delete DELETE · Read-Composite FETCH / ·
 *   Write-Composite iPATCH / · Observe GET Observe:0 · Observe-Composite FETCH Observe:0 ·
 *   active cancel GET Observe:1 · Bootstrap-Write PUT · Bootstrap-Read/Discover GET ·
 *   Bootstrap-Delete DELETE · Bootstrap-Finish POST /bs
 */
import { parseLinks } from '../../objects/codecs/link-format';
import { ContentFormat } from '../../objects/content-format';
import { PayloadError } from '../../objects/errors';
import type { ModelProvider } from '../../objects/model';
import { lwm2mObject, type LwM2mNode } from '../../objects/node';
import { LwM2mPath } from '../../objects/path';
import { InvalidRequestError } from '../errors/invalid-request-error';
import type { BootstrapRequest, DownlinkRequest, LwM2mResponse } from '../requests';
import { compositeFormat, nodeFormat, requireCodec, type ClientFormats } from './content-formats';

export type CoapMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'iPATCH';

export interface CoapRequestSpec {
  readonly method: CoapMethod;
  /** Uri-Path segments. */
  readonly path: readonly string[];
  readonly query?: readonly string[];
  readonly contentFormat?: number;
  readonly accept?: number;
  readonly payload?: Buffer;
  /** 0 register an observation, 1 cancel it. */
  readonly observe?: 0 | 1;
}

export interface CoapAnswer {
  readonly code: string;
  readonly contentFormat?: number;
  readonly payload: Buffer;
  readonly locationPath: readonly string[];
}

/** Write-Attributes names (LwM2M 1.1 Core §5.1.2 and 1.2 additions). */
const ATTRIBUTES = new Set(['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax', 'edge', 'con', 'hqmax']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export type AnyRequest = DownlinkRequest | BootstrapRequest;

function segments(rootPath: string, path: LwM2mPath): string[] {
  return [...rootPath.split('/').filter((s) => s !== ''), ...path.ids().map(String)];
}

function encodeWith(format: number, what: () => Uint8Array): Buffer {
  try {
    return Buffer.from(what());
  } catch (e) {
    throw new InvalidRequestError(`Cannot encode the request in content format ${format}: ${(e as Error).message}`, { cause: e });
  }
}

function encodeNode(node: LwM2mNode, path: LwM2mPath, format: number, models: ModelProvider): Buffer {
  const codec = requireCodec(format);
  return encodeWith(format, () => codec.encode(node, path, models));
}

function attributeQuery(attrs: Readonly<Record<string, string | null>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (!ATTRIBUTES.has(k)) throw new InvalidRequestError(`Unknown attribute ${k}`);
    if (v !== null && !NUMBER.test(v)) throw new InvalidRequestError(`Attribute ${k} needs a number, not "${v}"`);
    out.push(v === null ? k : `${k}=${v}`);
  }
  if (out.length === 0) throw new InvalidRequestError('Write-Attributes without attributes');
  return out;
}

function need(cond: boolean, message: string): void {
  if (!cond) throw new InvalidRequestError(message);
}

/** A request as CoAP for a client with these formats. Throws InvalidRequestError. */
export function encodeRequest(req: AnyRequest, client: ClientFormats, rootPath: string, models: ModelProvider): CoapRequestSpec {
  switch (req.kind) {
    case 'read':
    case 'bootstrapRead':
      return { method: 'GET', path: segments(rootPath, req.path), accept: nodeFormat(client, req.format) };
    case 'observe': {
      need(!req.path.isRoot(), 'Cannot observe the root path');
      return { method: 'GET', path: segments(rootPath, req.path), accept: nodeFormat(client, req.format), observe: 0 };
    }
    case 'cancelObserve':
      return { method: 'GET', path: segments(rootPath, req.path), observe: 1 };
    case 'discover':
    case 'bootstrapDiscover':
      return { method: 'GET', path: segments(rootPath, req.path), accept: ContentFormat.LINK };
    case 'write':
    case 'bootstrapWrite': {
      need(req.kind === 'bootstrapWrite' || req.path.depth >= 2, 'Write needs an object instance, resource or resource instance path');
      const format = nodeFormat(client, req.format);
      const method = req.kind === 'write' && req.mode === 'update' ? 'POST' : 'PUT';
      need(!(method === 'POST' && req.path.depth !== 2), 'Partial update (POST) is for object instances; use replace for resources');
      return { method, path: segments(rootPath, req.path), contentFormat: format, payload: encodeNode(req.node, req.path, format, models) };
    }
    case 'writeAttributes':
      return { method: 'PUT', path: segments(rootPath, req.path), query: attributeQuery(req.attributes) };
    case 'execute': {
      need(req.path.isResource(), 'Execute needs a resource path');
      const args = req.args ?? '';
      return args === ''
        ? { method: 'POST', path: segments(rootPath, req.path) }
        : { method: 'POST', path: segments(rootPath, req.path), contentFormat: ContentFormat.TEXT, payload: Buffer.from(args, 'utf8') };
    }
    case 'create': {
      need(req.path.isObject(), 'Create needs an object path');
      need(req.instances.length > 0, 'Create without an instance');
      const format = nodeFormat(client, req.format);
      const node = lwm2mObject(req.path.objectId as number, req.instances);
      return { method: 'POST', path: segments(rootPath, req.path), contentFormat: format, payload: encodeNode(node, req.path, format, models) };
    }
    case 'delete':
    case 'bootstrapDelete':
      need(req.kind === 'bootstrapDelete' || req.path.isObjectInstance(), 'Delete needs an object instance path');
      return { method: 'DELETE', path: segments(rootPath, req.path) };
    case 'readComposite':
    case 'observeComposite': {
      need(req.paths.length > 0, 'Composite request without paths');
      const requestFormat = compositeFormat(client, req.requestFormat);
      const responseFormat = compositeFormat(client, req.responseFormat);
      const codec = requireCodec(requestFormat);
      if (!codec.encodePaths) throw new InvalidRequestError(`Content format ${requestFormat} cannot carry a path list`);
      const payload = encodeWith(requestFormat, () => codec.encodePaths!(req.paths));
      return {
        method: 'FETCH', path: segments(rootPath, LwM2mPath.ROOT), contentFormat: requestFormat, accept: responseFormat, payload,
        ...(req.kind === 'observeComposite' ? { observe: 0 as const } : {}),
      };
    }
    case 'cancelObserveComposite':
      return { method: 'FETCH', path: segments(rootPath, LwM2mPath.ROOT), observe: 1 };
    case 'writeComposite': {
      need(req.nodes.size > 0, 'Write-Composite without nodes');
      const format = compositeFormat(client, req.format);
      const codec = requireCodec(format);
      if (!codec.encodeNodes) throw new InvalidRequestError(`Content format ${format} is not a composite format`);
      return { method: 'iPATCH', path: segments(rootPath, LwM2mPath.ROOT), contentFormat: format, payload: encodeWith(format, () => codec.encodeNodes!(req.nodes, models)) };
    }
    case 'bootstrapFinish':
      return { method: 'POST', path: ['bs'] };
  }
}

function decodeWith<T>(what: () => T): T {
  try {
    return what();
  } catch (e) {
    throw new PayloadError(`Invalid response payload: ${(e as Error).message}`, { cause: e });
  }
}

/** The paths a request addresses, for decoding its answer. */
function compositePaths(req: AnyRequest): readonly LwM2mPath[] | undefined {
  return req.kind === 'readComposite' || req.kind === 'observeComposite' ? req.paths : undefined;
}

/** The client's answer (or a notification) as LwM2mResponse. Throws PayloadError on a payload that does not decode. */
export function decodeResponse(req: AnyRequest, answer: CoapAnswer, models: ModelProvider): LwM2mResponse {
  if (!answer.code.startsWith('2.')) {
    const text = answer.payload.length ? answer.payload.toString('utf8') : undefined;
    return text === undefined ? { code: answer.code } : { code: answer.code, errorMessage: text };
  }
  const base = { code: answer.code };
  const empty = answer.payload.length === 0;
  switch (req.kind) {
    case 'read':
    case 'observe':
    case 'bootstrapRead': {
      if (empty && answer.contentFormat === undefined) return base;
      const format = answer.contentFormat ?? ContentFormat.TLV;
      const codec = decodeWith(() => requireCodec(format));
      return { ...base, content: decodeWith(() => codec.decode(answer.payload, req.path, models)) };
    }
    case 'discover':
    case 'bootstrapDiscover':
      return { ...base, objectLinks: decodeWith(() => parseLinks(answer.payload.toString('utf8'))) };
    case 'readComposite':
    case 'observeComposite': {
      if (empty && answer.contentFormat === undefined) return { ...base, contents: new Map() };
      const format = answer.contentFormat ?? ContentFormat.SENML_CBOR;
      const codec = decodeWith(() => requireCodec(format));
      if (!codec.decodeNodes) throw new PayloadError(`Content format ${format} is not a composite format`);
      return { ...base, contents: decodeWith(() => codec.decodeNodes!(answer.payload, models, compositePaths(req))) };
    }
    case 'create':
      return answer.locationPath.length ? { ...base, location: '/' + answer.locationPath.join('/') } : base;
    default:
      return base;
  }
}

/** A short description for logs and errors: "Read /3/0". */
export function describeRequest(req: AnyRequest): string {
  const where = 'path' in req ? ` ${req.path.toString()}` : 'paths' in req ? ` ${req.paths.map(String).join(',')}` : '';
  return `${req.kind}${where}`;
}

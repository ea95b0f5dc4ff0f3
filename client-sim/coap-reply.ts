/**
 * Writing an answer onto node-coap's response objects (a plain response or an observe stream),
 * and the small reads of a request every handler needs. The only place that knows node-coap's
 * response fields; handlers speak in codes, formats and payloads.
 */
import type { IncomingMessage, OutgoingMessage, ObserveWriteStream } from 'coap';
import { LwM2mPath } from '../objects/path';
import { formatNumber, splitUrl } from './coap-options';
import { OperationError } from './errors';

export type CoapResponse = OutgoingMessage | ObserveWriteStream;

/** What a handler reads from a request. */
export interface RequestView {
  readonly method: string;
  readonly path: LwM2mPath;
  readonly query: Array<[string, string | null]>;
  readonly accept?: number;
  readonly contentFormat?: number;
  /** 0 register, 1 deregister, undefined when absent. */
  readonly observe?: number;
  readonly payload: Buffer;
  readonly token: string;
  readonly peer: string;
}

/** Parse a request's path and options; a malformed path is a 4.00. */
export function viewRequest(req: IncomingMessage): RequestView {
  const { path, query } = splitUrl(req.url);
  let parsed: LwM2mPath;
  try {
    parsed = LwM2mPath.parse(decodeURIComponent(path));
  } catch (e) {
    throw OperationError.badRequest(`Invalid path ${path}: ${(e as Error).message}`);
  }
  const observe = req.headers.Observe;
  return {
    method: req.method,
    path: parsed,
    query,
    accept: formatNumber(req.headers.Accept),
    contentFormat: formatNumber(req.headers['Content-Format']),
    observe: typeof observe === 'number' ? observe : undefined,
    payload: req.payload ?? Buffer.alloc(0),
    token: req._packet.token?.toString('hex') ?? '',
    peer: `${req.rsinfo.address}:${req.rsinfo.port}`,
  };
}

export interface ReplyOptions {
  readonly format?: number;
  readonly locationPath?: readonly string[];
}

/** Send a final answer (for an observe stream: its first and only message, without Observe). */
export function reply(req: IncomingMessage, res: CoapResponse, code: string, payload?: Uint8Array, opts: ReplyOptions = {}): void {
  res.statusCode = code;
  res.code = code;
  if (opts.format !== undefined) res.setOption('Content-Format', opts.format);
  if (opts.locationPath) res.setOption('Location-Path', opts.locationPath.map((p) => Buffer.from(p)));
  if (code.startsWith('2.')) echoBlock1(req, res);
  // An observe stream sends whatever is written as a notification (with an Observe option);
  // ending it unwritten sends one plain answer, which is what a refused Observe must be.
  if (isObserveStream(res)) { res.end(); return; }
  res.end(payload && payload.length > 0 ? Buffer.from(payload) : undefined);
}

/** Answer with an error: its CoAP code and the message as diagnostic payload. */
export function replyError(req: IncomingMessage, res: CoapResponse, err: OperationError): void {
  reply(req, res, err.coapCode, Buffer.from(err.message.slice(0, 200), 'utf8'));
}

function isObserveStream(res: CoapResponse): res is ObserveWriteStream {
  return typeof (res as ObserveWriteStream)._doSend === 'function';
}

/**
 * RFC 7959 §2.3: the answer to the last block of a Block1 transfer carries that Block1 option.
 * node-coap reassembles the blocks but does not echo it.
 */
function echoBlock1(req: IncomingMessage, res: CoapResponse): void {
  const opt = (req._packet.options ?? []).find((o) => o.name === 'Block1');
  if (opt && Buffer.isBuffer(opt.value)) res.setOption('Block1', opt.value);
}

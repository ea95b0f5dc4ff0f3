/**
 * The HTTP exchange as the API's handlers see it: a parsed request with a size-bounded body,
 * a reply value (status, body, type), and HttpError, the one error that carries its own status.
 * Handlers return replies or throw; the server (rest-api.ts) writes them.
 */
import type { IncomingMessage } from 'node:http';
import { HandoverError, type ErrorCode } from '../../common/errors';
import type { Json } from './node-json';

/** A failure with the HTTP status and plain-text body to answer with. */
export class HttpError extends HandoverError {
  constructor(readonly status: number, message: string, code: ErrorCode = 'ERR_INVALID_INPUT') {
    super(code, message);
  }
}

export interface ApiRequest {
  readonly method: string;
  /** Decoded, non-empty path segments after /api. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  /** The query string as received, without "?". */
  readonly rawQuery: string;
  /** Media type of the body, lower case, without parameters ("" when absent). */
  readonly contentType: string;
  /** The body, at most the configured size (HttpError 413 beyond). Read once. */
  body(): Promise<Buffer>;
}

export interface ApiReply {
  readonly status: number;
  readonly body?: string;
  readonly contentType?: string;
}

export function jsonReply(value: Json, status = 200): ApiReply {
  return { status, body: JSON.stringify(value), contentType: 'application/json' };
}

export function textReply(status: number, text: string): ApiReply {
  return { status, body: text, contentType: 'text/plain; charset=utf-8' };
}

export function emptyReply(status = 200): ApiReply {
  return { status };
}

/** Read a request body of at most `limit` bytes; HttpError 413 when larger. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      reject(new HttpError(413, `Request body larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish(new HttpError(413, `Request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (e: Error) => finish(new HttpError(400, `Request body could not be read: ${e.message}`));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Parse a JSON body; HttpError 400 when malformed. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'Invalid request: empty body, JSON expected');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `Invalid request: unable to parse JSON: ${(e as Error).message}`);
  }
}

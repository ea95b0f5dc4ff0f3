/**
 * The small HTTP server under both providers' APIs (node:http, 127.0.0.1 by default): bearer
 * token checked in constant time on every route (401 otherwise), request bodies size-limited,
 * a route table, and the one conversion of errors to statuses: bad input → 400, unknown → 404,
 * conflict → 409, everything else 500 — always a JSON body {"error": code, "message": text}.
 * A refused request changes nothing (handlers validate before they write).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HandoverError, InvalidInputError, isHandoverError, type ErrorCode } from '../../common/errors';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly body: Buffer;
}

export type ApiResponse = { status: number; json?: unknown; bytes?: Uint8Array; text?: string; contentType?: string };

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** e.g. "/api/v1/transfer/transfers/:transferId/trust-anchors". */
  readonly path: string;
  readonly handle: (req: ApiRequest) => Promise<ApiResponse>;
}

export interface HttpApiOptions {
  /** The token callers present (at least 16 characters). */
  readonly token: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  /** Largest request body, bytes. Default 8 MiB (an UpdateInfoList of ~10,000 devices). */
  readonly maxBodyBytes?: number;
  readonly log?: (line: string) => void;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_INVALID_INPUT: 400, ERR_PAYLOAD: 400, ERR_MESSAGE_INVALID: 400, ERR_JWS_INVALID: 400, ERR_JWS_SIGNATURE: 400,
  ERR_CWT_INVALID: 400, ERR_CWT_SIGNATURE: 400, ERR_CWT_EXPIRED: 400, ERR_CWT_NOT_YET_VALID: 400, ERR_CWT_AUDIENCE: 400,
  ERR_CWT_ISSUER: 400, ERR_CWT_MISSING_CLAIM: 400, ERR_CWT_CLAIM: 400, ERR_COSE_INVALID: 400, ERR_COSE_SIGNATURE: 400, ERR_COSE_ALG: 400,
  ERR_CERT_INVALID: 400, ERR_NOT_FOUND: 404, ERR_CONFLICT: 409, ERR_UNAUTHORIZED: 401,
};

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export class HttpApi {
  private readonly server: http.Server;
  private readonly tokenDigest: Buffer;
  private readonly compiled: { method: string; re: RegExp; names: string[]; route: Route }[];

  constructor(routes: readonly Route[], private readonly opts: HttpApiOptions) {
    if (typeof opts.token !== 'string' || opts.token.length < 16) throw new InvalidInputError('the API token must have at least 16 characters');
    this.tokenDigest = digest(opts.token);
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const re = new RegExp(`^${route.path.replace(/:([A-Za-z]+)/g, (_m, n: string) => { names.push(n); return '([^/]+)'; })}$`);
      return { method: route.method, re, names, route };
    });
    this.server = http.createServer((req, res) => { void this.serve(req, res); });
  }

  async listen(): Promise<number> {
    await new Promise<void>((ok, fail) => {
      this.server.once('error', fail);
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => { this.server.off('error', fail); ok(); });
    });
    return this.port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** e.g. http://127.0.0.1:PORT */
  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((ok) => { this.server.close(() => ok()); this.server.closeAllConnections(); });
  }

  private authorised(req: http.IncomingMessage): boolean {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return m !== null && timingSafeEqual(digest(m[1]), this.tokenDigest);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let reply: ApiResponse;
    try {
      reply = await this.dispatch(req);
    } catch (e) {
      const status = isHandoverError(e) ? STATUS[e.code] ?? 500 : 500;
      if (status === 500) this.opts.log?.(`provider API ${req.method} ${req.url}: ${(e as Error).message}`);
      reply = { status, json: { error: isHandoverError(e) ? e.code : 'ERR_INTERNAL', message: status === 500 && !isHandoverError(e) ? 'internal error' : (e as Error).message } };
    }
    if (reply.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="handover-provider"');
    if (reply.json !== undefined) {
      res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.json));
    } else if (reply.bytes !== undefined) {
      res.writeHead(reply.status, { 'Content-Type': reply.contentType ?? 'application/octet-stream' }).end(Buffer.from(reply.bytes));
    } else if (reply.text !== undefined) {
      res.writeHead(reply.status, { 'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8' }).end(reply.text);
    } else {
      res.writeHead(reply.status).end();
    }
  }

  private async dispatch(req: http.IncomingMessage): Promise<ApiResponse> {
    if (!this.authorised(req)) {
      req.resume();
      throw new HandoverError('ERR_UNAUTHORIZED', 'a valid bearer token is required');
    }
    const path = (req.url ?? '/').split('?')[0];
    const matches = this.compiled.map((c) => ({ c, m: c.re.exec(path) })).filter((x) => x.m);
    if (matches.length === 0) { req.resume(); throw new HandoverError('ERR_NOT_FOUND', `no route ${path}`); }
    const hit = matches.find((x) => x.c.method === req.method);
    if (!hit) { req.resume(); return { status: 405, json: { error: 'ERR_NOT_ALLOWED', message: `${req.method} is not allowed on ${path}` } }; }
    const params: Record<string, string> = {};
    hit.c.names.forEach((n, i) => { params[n] = decodeURIComponent(hit.m![i + 1]); });
    const body = await this.readBody(req);
    return hit.c.route.handle({ method: req.method!, path, params, contentType: (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase(), body });
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer> {
    const max = this.opts.maxBodyBytes ?? 8 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) { reject(new InvalidInputError(`request body larger than ${max} bytes`)); req.destroy(); return; }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', (e) => reject(new InvalidInputError(`request body could not be read: ${e.message}`)));
    });
  }
}

/** Parse a JSON body; InvalidInputError when it is not JSON. */
export function jsonBody(req: ApiRequest): unknown {
  if (req.contentType !== 'application/json') throw new InvalidInputError('the body must be application/json');
  try { return JSON.parse(req.body.toString('utf8')); } catch (e) { throw new InvalidInputError(`malformed JSON: ${(e as Error).message}`); }
}

/**
 * Client-initiated CoAP requests (Register, Update, De-register, Bootstrap-Request, Send) over
 * the client's own node-coap Agent, so that they leave from the port the server will answer
 * and send its downlink requests to. One promise per exchange, with a deadline.
 */
import type { Agent, IncomingMessage } from 'coap';
import { optionStrings } from './coap-options';
import { RegistrationError } from './errors';

/** Block size for large uplinks: 1024 bytes (SZX 6). */
const BLOCK_SIZE = 1024;
const BLOCK_SZX = 6;

/** Host and port of a server, parsed from its coap:// or coaps:// URI. */
export interface ServerTarget {
  readonly uri: string;
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
}

/** Parse "coap://host:port" (coaps:// needs a secure socket from the caller). */
export function parseServerUri(uri: string): ServerTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new RegistrationError(`Invalid server URI "${uri}"`);
  }
  if (url.protocol !== 'coap:' && url.protocol !== 'coaps:') throw new RegistrationError(`Unsupported server URI scheme in "${uri}" (coap:// or coaps://)`);
  const secure = url.protocol === 'coaps:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new RegistrationError(`Server URI "${uri}" has no host`);
  const port = url.port ? Number(url.port) : secure ? 5684 : 5683;
  return { uri, secure, host, port };
}

export interface UplinkRequest {
  readonly method: 'POST' | 'PUT' | 'DELETE' | 'GET';
  readonly pathname: string;
  readonly query?: readonly string[];
  readonly format?: number;
  readonly payload?: Uint8Array;
}

export interface UplinkResponse {
  readonly code: string;
  readonly payload: Buffer;
  readonly locationPath: string[];
}

/** Send one confirmable request and wait for its answer (RegistrationError on timeout or transport error). */
export function sendUplink(agent: Agent, target: ServerTarget, request: UplinkRequest, timeoutMs: number): Promise<UplinkResponse> {
  return new Promise((resolve, reject) => {
    const req = agent.request({
      hostname: target.host,
      port: target.port,
      method: request.method,
      pathname: request.pathname,
      query: request.query?.join('&'),
      options: {
        ...(request.format !== undefined ? { 'Content-Format': request.format } : {}),
        // Larger than one block: node-coap sends it block-wise (RFC 7959 Block1) when asked to.
        ...(request.payload && request.payload.length > BLOCK_SIZE ? { Block1: Buffer.of(BLOCK_SZX) } : {}),
      },
      confirmable: true,
    });
    let done = false;
    const finish = (fn: () => void) => { if (!done) { done = true; clearTimeout(timer); fn(); } };
    const timer = setTimeout(() => finish(() => {
      agent.abort(req);
      reject(new RegistrationError(`${request.method} ${request.pathname} to ${target.uri}: no answer within ${timeoutMs} ms`));
    }), timeoutMs);
    req.on('response', (res: IncomingMessage) => finish(() => resolve({
      code: res.code,
      payload: res.payload ?? Buffer.alloc(0),
      locationPath: optionStrings(res._packet.options as Array<{ name: string; value: unknown }>, 'Location-Path'),
    })));
    req.on('error', (err: Error) => finish(() => reject(new RegistrationError(`${request.method} ${request.pathname} to ${target.uri}: ${err.message}`, { cause: err }))));
    req.on('timeout', (err: Error) => finish(() => reject(new RegistrationError(`${request.method} ${request.pathname} to ${target.uri}: ${err.message}`, { cause: err }))));
    req.end(request.payload ? Buffer.from(request.payload) : undefined);
  });
}

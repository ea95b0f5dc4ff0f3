/**
 * A CoAP download of envelopes and payloads (the device's SUIT fetch, the RA verifier's manifest
 * fetch): a GET with block-wise transfer
 * (RFC 7959 Block2, the block size proposed by the device in its first request; node-coap's
 * agent asks for the following blocks), a deadline, a size limit and cancellation. Failures are
 * SuitFetchErrors saying whether the URI, the protocol or the transfer was at fault.
 */
import * as coap from 'coap';
import { isIP } from 'node:net';
import { SuitFetchError } from '../suit/errors';

export interface CoapFetchOptions {
  /** Block2 size the device proposes, a power of two in 16..1024. Default 256. */
  readonly blockSize?: number;
  /** Deadline of the whole transfer, ms. Default 60000. */
  readonly timeoutMs?: number;
  /** Refuse bodies larger than this. Default 16 MiB. */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

/** A fetch function (the handler's default is fetchCoap; tests and bridges may provide others). */
export type SuitFetch = (uri: string, opts: CoapFetchOptions) => Promise<Uint8Array>;

function block2(size: number): Buffer {
  const szx = Math.log2(size) - 4;
  if (!Number.isInteger(szx) || szx < 0 || szx > 6) throw new RangeError(`block size ${size} is not a power of two in 16..1024`);
  return Buffer.of(szx); // NUM 0, M 0, SZX
}

/** GET `uri` (coap://host[:port]/path[?query]) and return the whole body. */
export function fetchCoap(uri: string, opts: CoapFetchOptions = {}): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return Promise.reject(new SuitFetchError('invalid-uri', `"${uri}" is not a URI`));
  }
  if (url.protocol !== 'coap:') return Promise.reject(new SuitFetchError('unsupported-protocol', `${url.protocol.replace(':', '')} is not supported (only coap)`));
  if (!url.hostname) return Promise.reject(new SuitFetchError('invalid-uri', `"${uri}" has no host`));
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  return new Promise<Uint8Array>((resolve, reject) => {
    const agent = new coap.Agent({ type: isIP(hostname) === 6 ? 'udp6' : 'udp4' });
    let done = false;
    const finish = (err: Error | undefined, body?: Uint8Array) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      try { agent.close(); } catch { /* node-coap closes an idle agent's socket itself */ }
      if (err) reject(err);
      else resolve(body!);
    };
    const req = agent.request({
      hostname,
      port: url.port ? Number(url.port) : 5683,
      method: 'GET',
      pathname: decodeURIComponent(url.pathname),
      query: url.search.replace(/^\?/, ''),
      options: { Block2: block2(opts.blockSize ?? 256) } as unknown as coap.CoapRequestParams['options'],
      confirmable: true,
    });
    const onAbort = () => { try { agent.abort(req); } catch { /* already gone */ } finish(new SuitFetchError('connection-lost', `download of ${uri} aborted`)); };
    const timer = setTimeout(() => { try { agent.abort(req); } catch { /* already gone */ } finish(new SuitFetchError('connection-lost', `download of ${uri} timed out`)); }, opts.timeoutMs ?? 60000);
    opts.signal?.addEventListener('abort', onAbort);
    if (opts.signal?.aborted) { onAbort(); return; }
    req.on('response', (res: coap.IncomingMessage) => {
      if (res.code === '2.05') {
        if (res.payload.length > maxBytes) finish(new SuitFetchError('too-large', `${uri} has ${res.payload.length} bytes, more than the ${maxBytes} allowed`));
        else finish(undefined, new Uint8Array(res.payload));
      } else if (res.code === '4.04') {
        finish(new SuitFetchError('not-found', `${uri}: 4.04 Not Found`));
      } else {
        finish(new SuitFetchError('connection-lost', `${uri}: CoAP ${res.code}`));
      }
    });
    req.on('error', (e: Error) => finish(new SuitFetchError('connection-lost', `${uri}: ${e.message}`, { cause: e })));
    req.on('timeout', () => finish(new SuitFetchError('connection-lost', `${uri}: no answer`)));
    req.end();
  });
}

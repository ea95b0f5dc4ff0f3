/**
 * One downlink CoAP exchange over node-coap's Agent: Confirmable, with our own token (so that
 * the endpoint routes its answer to the Agent and a later notification to us), a deadline, and
 * block-wise transfer both ways — the Agent fetches Block2 answers by itself, and sends a
 * payload larger than one block with Block1 when the request carries a Block1 option.
 */
import { randomBytes } from 'node:crypto';
import type { Agent, IncomingMessage } from 'coap';
import { HandoverError } from '../../common/errors';
import { formatOption, rawOptions, uintBytes } from '../coap/uint';
import type { CoapAnswer, CoapRequestSpec } from '../downlink/request-codec';
import { RequestTimeoutError } from '../errors/request-timeout-error';
import type { CoapEndpoint } from './coap-endpoint';

/** Payloads above this go block-wise (RFC 7959 Block1), in blocks of this size (SZX 6). */
export const BLOCK_SIZE = 1024;
const BLOCK_SZX = 6;

export interface CoapPeer {
  readonly endpoint: CoapEndpoint;
  readonly agent: Agent;
  readonly address: string;
  readonly port: number;
}

export interface SentAnswer extends CoapAnswer {
  readonly token: Buffer;
}

export function sendCoapRequest(peer: CoapPeer, spec: CoapRequestSpec, opts: { timeoutMs: number; token?: Buffer; ep: string }): Promise<SentAnswer> {
  const token = opts.token ?? randomBytes(8);
  const hex = token.toString('hex');
  const options: Record<string, Buffer> = {};
  if (spec.observe !== undefined) options.Observe = uintBytes(spec.observe);
  if (spec.contentFormat !== undefined) options['Content-Format'] = uintBytes(spec.contentFormat);
  if (spec.accept !== undefined) options.Accept = uintBytes(spec.accept);
  if (spec.payload && spec.payload.length > BLOCK_SIZE) options.Block1 = Buffer.of(BLOCK_SZX);
  peer.endpoint.track(hex);
  return new Promise<SentAnswer>((resolve, reject) => {
    const req = peer.agent.request({
      hostname: peer.address,
      port: peer.port,
      method: spec.method,
      pathname: '/' + spec.path.join('/'),
      query: spec.query?.join('&'),
      options,
      token,
      confirmable: true,
    });
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        fn();
      } finally {
        peer.endpoint.release(hex);
      }
    };
    const timer = setTimeout(() => finish(() => {
      peer.agent.abort(req);
      reject(new RequestTimeoutError(opts.ep, opts.timeoutMs, `${spec.method} /${spec.path.join('/')}`));
    }), opts.timeoutMs);
    req.on('response', (res: IncomingMessage) => finish(() => {
      const raw = res._packet.options as Array<{ name: string | number; value: unknown }> | undefined;
      if (res.code === '0.00') {
        reject(new HandoverError('ERR_INTERNAL', `${spec.method} /${spec.path.join('/')} was reset by '${opts.ep}'`));
        return;
      }
      const seen = peer.endpoint.formatSeen(hex);
      resolve({
        code: res.code,
        contentFormat: formatOption(raw, 'Content-Format') ?? seen,
        payload: res.payload ?? Buffer.alloc(0),
        locationPath: rawOptions(raw, 'Location-Path').map((b) => b.toString('utf8')),
        token,
      });
    }));
    const failed = (err: Error) => finish(() => reject(new HandoverError('ERR_INTERNAL', `${spec.method} /${spec.path.join('/')} to '${opts.ep}' failed: ${err.message}`, { cause: err })));
    req.on('error', failed);
    req.on('timeout', () => finish(() => reject(new RequestTimeoutError(opts.ep, opts.timeoutMs, `${spec.method} /${spec.path.join('/')}`))));
    try {
      req.end(spec.payload);
    } catch (e) {
      failed(e as Error);
    }
  });
}

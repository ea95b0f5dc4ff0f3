/**
 * The device's half of remote attestation over CoAP: ask the RA server (raURI) for a challenge,
 * sign evidence over it (plugin/messages/evidence.ts) and submit it. A refusal comes back as an
 * AttestationError with the server's reason; transport trouble as RaTransportError.
 */
import * as coap from 'coap';
import { isIP } from 'node:net';
import { encodeCbor } from '../../common/cose/cbor';
import { HandoverError } from '../../common/errors';
import { AttestationError, type AttestationFailure, type BuildEvidenceOptions, buildEvidence } from '../messages/evidence';

/** The RA server could not be reached or answered something unexpected. ERR_ATTESTATION with reason 'transport'. */
export class RaTransportError extends HandoverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_ATTESTATION', message, { ...options, details: { reason: 'transport' } });
  }
}

export interface RaRequestOptions {
  /** Deadline of one exchange, ms. Default 10000. */
  readonly timeoutMs?: number;
}

function post(uri: string, sub: string, body: Uint8Array, opts: RaRequestOptions): Promise<{ code: string; payload: Buffer }> {
  let url: URL;
  try { url = new URL(uri); } catch { return Promise.reject(new RaTransportError(`"${uri}" is not a URI`)); }
  if (url.protocol !== 'coap:') return Promise.reject(new RaTransportError(`${url.protocol} RA URIs are not supported here (coap only)`));
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const agent = new coap.Agent({ type: isIP(hostname) === 6 ? 'udp6' : 'udp4' });
    let done = false;
    const finish = (err?: Error, res?: { code: string; payload: Buffer }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { agent.close(); } catch { /* already closed */ }
      if (err) reject(err); else resolve(res!);
    };
    const req = agent.request({
      hostname, port: url.port ? Number(url.port) : 5683, method: 'POST',
      pathname: `${decodeURIComponent(url.pathname).replace(/\/+$/, '')}/${sub}`, confirmable: true,
    });
    const timer = setTimeout(() => finish(new RaTransportError(`${uri}: no answer within ${opts.timeoutMs ?? 10000} ms`)), opts.timeoutMs ?? 10000);
    req.on('response', (res: coap.IncomingMessage) => finish(undefined, { code: res.code, payload: res.payload }));
    req.on('error', (e: Error) => finish(new RaTransportError(`${uri}: ${e.message}`, { cause: e })));
    req.end(Buffer.from(body));
  });
}

const REASONS: ReadonlySet<string> = new Set<AttestationFailure>([
  'malformed', 'bad-signature', 'untrusted-certificate', 'wrong-nonce', 'unknown-nonce', 'replayed-nonce',
  'expired-nonce', 'wrong-device', 'wrong-firmware', 'wrong-sequence', 'no-expectation',
]);

/** POST <raUri>/challenge: a fresh nonce for `deviceId`. */
export async function requestChallenge(raUri: string, deviceId: string, opts: RaRequestOptions = {}): Promise<Uint8Array> {
  const r = await post(raUri, 'challenge', encodeCbor([deviceId]), opts);
  if (r.code !== '2.05' || r.payload.length < 8) throw new RaTransportError(`challenge refused: ${r.code} ${r.payload.toString('utf8')}`);
  return new Uint8Array(r.payload);
}

/** POST <raUri>/evidence. Resolves on 2.04; a 4.03/4.00 with a reason becomes AttestationError(reason). */
export async function submitEvidence(raUri: string, evidence: Uint8Array, opts: RaRequestOptions = {}): Promise<void> {
  const r = await post(raUri, 'evidence', evidence, opts);
  if (r.code === '2.04') return;
  const text = r.payload.toString('utf8');
  const reason = text.split(':')[0];
  if ((r.code === '4.03' || r.code === '4.00') && REASONS.has(reason)) throw new AttestationError(reason as AttestationFailure, `RA server: ${text}`);
  throw new RaTransportError(`evidence not accepted: ${r.code} ${text}`);
}

/** The whole exchange: challenge, evidence built with the factory key, submission. */
export async function attest(raUri: string, device: Omit<BuildEvidenceOptions, 'nonce'>, opts: RaRequestOptions = {}): Promise<void> {
  const nonce = await requestChallenge(raUri, device.deviceId, opts);
  await submitEvidence(raUri, buildEvidence({ ...device, nonce }), opts);
}

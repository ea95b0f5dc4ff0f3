/**
 * Executing device-management requests (LwM2M 1.1 Core §6.3, §6.4): look the client up in
 * Redis, queue for a sleeping queue-mode client, else encode, send through the transport the
 * client registered on, decode the answer. Observations are stored (by token) before the
 * Observe leaves, so that any process can match the notifications that follow.
 *
 * Cross-process note: over plain CoAP any process may talk to any client from its own socket.
 * Over DTLS only the process that holds the client's session can; a request for a client whose
 * transport this process lacks fails with ERR_NOT_ALLOWED today. The seam for routing it is
 * here (`transportFor`): publish the request on a Redis channel named after the transport and
 * let the owning process execute it and publish the answer.
 */
import { randomBytes } from 'node:crypto';
import { HandoverError } from '../../common/errors';
import { ClientNotRegisteredError } from '../errors/client-not-registered-error';
import type { Registration } from '../registration';
import type { DelayedResponse, DownlinkRequest, LwM2mResponse } from '../requests';
import { isSuccess } from '../requests';
import { parseAddress, type ServerContext } from '../server-context';
import type { Observation } from '../stores/observation-store';
import type { QueueMode } from '../queue/queue-mode';
import { sendCoapRequest, type CoapPeer } from '../transport/request-sender';
import { decodeResponse, encodeRequest, type AnyRequest } from './request-codec';

export class DownlinkService {
  queueMode?: QueueMode;

  constructor(private readonly ctx: ServerContext) {}

  async send(ep: string, req: DownlinkRequest, opts?: { timeoutMs?: number }): Promise<LwM2mResponse | DelayedResponse> {
    const timeoutMs = opts?.timeoutMs ?? this.ctx.opts.requestTimeoutMs;
    const reg = await this.ctx.registrations.get(ep);
    if (!reg) throw new ClientNotRegisteredError(ep);
    // Refuse what cannot be encoded now, not when the client wakes up.
    if (req.kind !== 'cancelObserve' && req.kind !== 'cancelObserveComposite') encodeRequest(req, reg, reg.rootPath, this.ctx.models);
    if (this.queueMode && (await this.queueMode.mustQueue(reg))) return this.queueMode.enqueue(reg, req, timeoutMs);
    return this.execute(reg, req, timeoutMs);
  }

  /** Send now, whatever the client's queue-mode state. */
  async execute(reg: Registration, req: DownlinkRequest, timeoutMs: number): Promise<LwM2mResponse> {
    switch (req.kind) {
      case 'cancelObserve':
      case 'cancelObserveComposite':
        return this.cancel(reg, req, timeoutMs);
      case 'observe':
      case 'observeComposite':
        return this.observe(reg, req, timeoutMs);
      default:
        return this.exchange(reg, req, timeoutMs);
    }
  }

  /** One request/answer with a client at a known address (also used by bootstrap sessions). */
  async exchange(reg: Pick<Registration, 'endpoint' | 'address' | 'transport' | 'lwM2mVersion' | 'supportedContentFormats' | 'rootPath' | 'queuemode'>,
    req: AnyRequest, timeoutMs: number, token?: Buffer): Promise<LwM2mResponse> {
    const spec = encodeRequest(req, reg, reg.rootPath, this.ctx.models);
    const answer = await sendCoapRequest(this.peerOf(reg), spec, { timeoutMs, token, ep: reg.endpoint });
    if (reg.queuemode && this.queueMode) await this.queueMode.touch(reg as Registration);
    return decodeResponse(req, answer, this.ctx.models);
  }

  private async observe(reg: Registration, req: Extract<DownlinkRequest, { kind: 'observe' | 'observeComposite' }>, timeoutMs: number): Promise<LwM2mResponse> {
    const token = randomBytes(8);
    const obs: Observation = {
      id: token.toString('hex'), ep: reg.endpoint, registrationId: reg.registrationId,
      kind: req.kind === 'observe' ? 'single' : 'composite',
      paths: req.kind === 'observe' ? [req.path.toString()] : req.paths.map(String),
      ...(req.kind === 'observe' ? (req.format !== undefined ? { format: req.format } : {})
        : { ...(req.responseFormat !== undefined ? { format: req.responseFormat } : {}), ...(req.requestFormat !== undefined ? { requestFormat: req.requestFormat } : {}) }),
      createdAt: Date.now(),
    };
    await this.ctx.observations.add(obs);
    try {
      const res = await this.exchange(reg, req, timeoutMs, token);
      if (!isSuccess(res.code)) {
        await this.ctx.observations.remove(obs);
        return res;
      }
      return { ...res, observationId: obs.id };
    } catch (e) {
      await this.ctx.observations.remove(obs);
      throw e;
    }
  }

  /** Passive: forget the observations (the next notification gets a reset). Active: GET/FETCH with Observe=1 too. */
  private async cancel(reg: Registration, req: Extract<DownlinkRequest, { kind: 'cancelObserve' | 'cancelObserveComposite' }>, timeoutMs: number): Promise<LwM2mResponse> {
    const wanted = req.kind === 'cancelObserve' ? [req.path.toString()] : req.paths.map(String).sort();
    const matching = (await this.ctx.observations.ofEndpoint(reg.endpoint)).filter((o) =>
      (o.kind === 'single') === (req.kind === 'cancelObserve') && [...o.paths].sort().join(',') === wanted.join(','));
    if (matching.length === 0) return { code: '4.04', errorMessage: `No observation of ${wanted.join(',')}` };
    let last: LwM2mResponse = { code: '2.05' };
    for (const o of matching) {
      await this.ctx.observations.remove(o);
      if (!req.active) continue;
      const token = Buffer.from(o.id, 'hex');
      const active: AnyRequest = req.kind === 'cancelObserve'
        ? { kind: 'read', path: req.path, format: o.format }
        : { kind: 'readComposite', paths: req.paths, requestFormat: o.requestFormat, responseFormat: o.format };
      const spec = { ...encodeRequest(active, reg, reg.rootPath, this.ctx.models), observe: 1 as const };
      const answer = await sendCoapRequest(this.peerOf(reg), spec, { timeoutMs, token, ep: reg.endpoint });
      last = decodeResponse(active, answer, this.ctx.models);
    }
    return last;
  }

  private peerOf(reg: Pick<Registration, 'endpoint' | 'address' | 'transport'>): CoapPeer {
    const t = this.transportFor(reg);
    const { address, port } = parseAddress(reg.address);
    return { endpoint: t.endpoint, agent: t.agent, address, port };
  }

  private transportFor(reg: Pick<Registration, 'endpoint' | 'transport'>) {
    const t = this.ctx.transports.get(reg.transport);
    if (!t) {
      throw new HandoverError('ERR_NOT_ALLOWED', `Client '${reg.endpoint}' is connected through transport '${reg.transport}', which this server process does not hold`);
    }
    return t;
  }
}

/**
 * The Registration interface (LwM2M 1.1 Core §6.2): Register, Update, De-register, validated,
 * checked against the peer's identity, stored in Redis, announced as REGISTRATION / UPDATED /
 * DEREGISTRATION events. A new Register of a known endpoint replaces its registration and drops
 * the old one's observations.
 */
import { randomBytes } from 'node:crypto';
import { CoapRequestError } from '../errors/coap-request-error';
import type { RegistrationUpdateInfo } from '../events';
import type { Registration } from '../registration';
import { expiryOf, formatAddress, type ServerContext } from '../server-context';
import type { CoapEndpoint } from '../transport/coap-endpoint';
import { identityText, type PeerAddress, type PeerIdentity } from '../transport/secure-endpoint';
import { certificateSummary } from './certificate-summary';
import { checkIdentity, sameIdentity } from './identity-check';
import { parseRegister, parseUpdate, type QueryParam } from './registration-request';

export interface UplinkContext {
  readonly query: readonly QueryParam[];
  readonly contentFormat?: number;
  readonly payload: Buffer;
  readonly peer: PeerAddress;
  readonly endpoint: CoapEndpoint;
}

export class RegistrationService {
  constructor(private readonly ctx: ServerContext, private readonly onActive: (reg: Registration) => void) {}

  /** Register; returns the new registration (Location-Path rd/<id>). */
  async register(u: UplinkContext): Promise<Registration> {
    const p = parseRegister(u.query, u.contentFormat, u.payload);
    const identity = u.endpoint.identityOf(u.peer);
    checkIdentity(p.endpoint, u.endpoint.secure, identity, await this.ctx.security.get(p.endpoint), this.ctx.opts.allowNoSec);
    const now = Date.now();
    const reg: Registration = {
      endpoint: p.endpoint,
      registrationId: randomBytes(8).toString('hex'),
      registrationDate: now,
      lastUpdate: now,
      address: formatAddress(u.peer.address, u.peer.port),
      lwM2mVersion: p.lwM2mVersion,
      lifetime: p.lifetime,
      bindingMode: p.bindingMode,
      rootPath: p.links.rootPath,
      objectLinks: p.links.objectLinks,
      secure: u.endpoint.secure,
      ...(identity ? { identity: identityText(identity) } : {}),
      additionalRegistrationAttributes: p.additionalAttributes,
      queuemode: p.queuemode,
      ...(p.smsNumber !== undefined ? { smsNumber: p.smsNumber } : {}),
      availableInstances: p.links.availableInstances,
      ...(p.links.supportedContentFormats ? { supportedContentFormats: p.links.supportedContentFormats } : {}),
      transport: u.endpoint.name,
      ...certificateOf(identity),
    };
    const previous = await this.ctx.registrations.add(reg, expiryOf(reg, this.ctx.opts.expiryGraceMs));
    if (previous) await this.ctx.observations.removeAll(reg.endpoint);
    await this.rememberPeer(reg);
    this.ctx.events.emit('REGISTRATION', { registration: reg });
    this.onActive(reg);
    return reg;
  }

  async update(registrationId: string, u: UplinkContext): Promise<Registration> {
    const current = await this.owned(registrationId, u);
    const p = parseUpdate(u.query, u.contentFormat, u.payload, current.lwM2mVersion);
    const address = formatAddress(u.peer.address, u.peer.port);
    const reg: Registration = {
      ...current,
      // A renewed certificate with the same subject (a new DTLS session) shows in the registration.
      ...certificateOf(u.endpoint.identityOf(u.peer)),
      lastUpdate: Date.now(),
      address,
      lifetime: p.lifetime ?? current.lifetime,
      bindingMode: p.bindingMode ?? current.bindingMode,
      queuemode: p.queuemode ?? current.queuemode,
      ...(p.smsNumber !== undefined ? { smsNumber: p.smsNumber } : {}),
      ...(p.links ? {
        objectLinks: p.links.objectLinks, rootPath: p.links.rootPath, availableInstances: p.links.availableInstances,
        ...(p.links.supportedContentFormats ? { supportedContentFormats: p.links.supportedContentFormats } : {}),
      } : {}),
    };
    if (!(await this.ctx.registrations.update(reg, expiryOf(reg, this.ctx.opts.expiryGraceMs)))) {
      throw CoapRequestError.notFound(`Registration ${registrationId} is gone`);
    }
    await this.rememberPeer(reg);
    const update: RegistrationUpdateInfo = {
      registrationId, address, lifetime: reg.lifetime, secure: reg.secure,
      additionalAttributes: {},
      ...(p.links ? { objectLinks: reg.objectLinks } : {}),
    };
    this.ctx.events.emit('UPDATED', { registration: reg, update });
    this.onActive(reg);
    return reg;
  }

  async deregister(registrationId: string, u: UplinkContext): Promise<Registration> {
    const reg = await this.owned(registrationId, u);
    const removed = await this.ctx.registrations.remove(reg.endpoint, registrationId);
    if (!removed) throw CoapRequestError.notFound(`Unknown registration ${registrationId}`);
    await this.forget(removed);
    this.ctx.events.emit('DEREGISTRATION', { registration: removed, expired: false });
    return removed;
  }

  /** What goes with a registration that ended: its observations and queued requests. */
  async forget(reg: Registration): Promise<void> {
    await this.ctx.observations.removeAll(reg.endpoint);
    await this.ctx.queue.clear(reg.endpoint);
  }

  /** The registration, if the peer is its owner (same transport and identity). */
  private async owned(registrationId: string, u: UplinkContext): Promise<Registration> {
    const reg = await this.ctx.registrations.byId(registrationId);
    if (!reg) throw CoapRequestError.notFound(`Unknown registration ${registrationId}`);
    if ((reg.transport ?? 'coap') !== u.endpoint.name
      || !sameIdentity(reg.secure, reg.identity, u.endpoint.secure, u.endpoint.identityOf(u.peer))) {
      throw CoapRequestError.forbidden(`Registration ${registrationId} belongs to another identity`);
    }
    return reg;
  }

  private async rememberPeer(reg: Registration): Promise<void> {
    const ttl = reg.lifetime * 1000 + this.ctx.opts.expiryGraceMs;
    await this.ctx.redis.set(this.ctx.keys.peer(reg.transport ?? 'coap', reg.address), reg.endpoint, 'PX', ttl);
  }

  /** The endpoint registered from this address of this transport (Send names no registration). */
  async byPeer(transport: string, peer: PeerAddress): Promise<Registration | undefined> {
    const ep = await this.ctx.redis.get(this.ctx.keys.peer(transport, formatAddress(peer.address, peer.port)));
    if (ep === null) return undefined;
    const reg = await this.ctx.registrations.get(ep);
    return reg && reg.address === formatAddress(peer.address, peer.port) && (reg.transport ?? 'coap') === transport ? reg : undefined;
  }
}

/** `{ certificate }` for a client that authenticated with a certificate chain. */
function certificateOf(identity: PeerIdentity | undefined): Pick<Registration, 'certificate'> {
  if (identity?.kind !== 'x509' || !identity.chain || identity.chain.length === 0) return {};
  const certificate = certificateSummary(identity.chain[0]);
  return certificate ? { certificate } : {};
}

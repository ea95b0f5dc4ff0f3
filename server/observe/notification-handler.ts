/**
 * Notifications (RFC 7641, LwM2M 1.1 Core §6.4.4): responses that no request in flight expects.
 * Matched by token against the observations in Redis — so a server restarted since the Observe,
 * or another process on the same Redis, still recognises them. A notification from the wrong
 * peer, or for no (or a cancelled) observation, gets a reset, which ends it at the client
 * (passive cancel). An error notification ends the observation.
 */
import { ContentFormat } from '../../objects/content-format';
import { LwM2mPath } from '../../objects/path';
import { emptyMessage, OptionNumber, uintOption, type CoapMessage } from '../coap/message';
import { decodeResponse } from '../downlink/request-codec';
import { sameIdentity } from '../registration/identity-check';
import type { QueueMode } from '../queue/queue-mode';
import { formatAddress, type ServerContext } from '../server-context';
import type { CoapEndpoint } from '../transport/coap-endpoint';
import type { PeerAddress } from '../transport/secure-endpoint';

export class NotificationHandler {
  constructor(private readonly ctx: ServerContext, private readonly queueMode: QueueMode) {}

  handle(msg: CoapMessage, peer: PeerAddress, endpoint: CoapEndpoint): void {
    this.process(msg, peer, endpoint).catch((e) => this.ctx.log(`notification from ${formatAddress(peer.address, peer.port)}: ${(e as Error).message}`));
  }

  private async process(msg: CoapMessage, peer: PeerAddress, endpoint: CoapEndpoint): Promise<void> {
    // A late piggybacked answer to a request we gave up on: nothing to acknowledge.
    if (msg.type === 'ACK') return;
    const reset = () => endpoint.sendRaw(emptyMessage('RST', msg.messageId), peer);
    const obs = msg.token.length ? await this.ctx.observations.get(msg.token.toString('hex')) : undefined;
    if (!obs) return reset();
    const reg = await this.ctx.registrations.get(obs.ep);
    if (!reg || reg.registrationId !== obs.registrationId) {
      await this.ctx.observations.remove(obs);
      return reset();
    }
    if ((reg.transport ?? 'coap') !== endpoint.name || !sameIdentity(reg.secure, reg.identity, endpoint.secure, endpoint.identityOf(peer))) {
      return reset();
    }
    if (msg.type === 'CON') endpoint.sendRaw(emptyMessage('ACK', msg.messageId), peer);
    await this.queueMode.touch(reg);
    if (!msg.code.startsWith('2.')) {
      await this.ctx.observations.remove(obs);
      return;
    }
    const block2 = uintOption(msg.options, OptionNumber.BLOCK2);
    if (block2 !== undefined && (block2 & 0x08) !== 0) {
      this.ctx.log(`notification of ${obs.paths.join(',')} from '${obs.ep}' spans several blocks; not reassembled, dropped`);
      return;
    }
    const answer = {
      code: msg.code,
      contentFormat: uintOption(msg.options, OptionNumber.CONTENT_FORMAT),
      payload: msg.payload,
      locationPath: [],
    };
    const paths = obs.paths.map((p) => LwM2mPath.parse(p));
    if (obs.kind === 'single') {
      const res = decodeResponse({ kind: 'read', path: paths[0] }, answer, this.ctx.models);
      if (!res.content) return;
      this.ctx.events.emit('NOTIFICATION', { ep: obs.ep, observationId: obs.id, kind: 'single', path: obs.paths[0], node: res.content });
    } else {
      const res = decodeResponse({ kind: 'readComposite', paths, responseFormat: answer.contentFormat ?? ContentFormat.SENML_CBOR }, answer, this.ctx.models);
      this.ctx.events.emit('NOTIFICATION', { ep: obs.ep, observationId: obs.id, kind: 'composite', paths: [...obs.paths], nodes: res.contents ?? new Map() });
    }
  }
}

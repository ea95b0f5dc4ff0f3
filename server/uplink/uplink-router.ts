/**
 * Requests clients send to the server, from node-coap's Server, routed by method and path:
 * POST /rd Register, POST /rd/{id} Update, DELETE /rd/{id} De-register, POST /dp Send,
 * POST /bs Bootstrap-Request (when the bootstrap server is on). Every refusal is one CoAP error
 * answer with a diagnostic payload; an unexpected failure is 5.00; the server keeps serving.
 */
import type { IncomingMessage, OutgoingMessage } from 'coap';
import { formatOption, rawOptions } from '../coap/uint';
import { CoapRequestError } from '../errors/coap-request-error';
import { parseQuery } from '../registration/registration-request';
import type { RegistrationService, UplinkContext } from '../registration/registration-service';
import type { ServerContext } from '../server-context';
import type { CoapEndpoint } from '../transport/coap-endpoint';
import type { PeerAddress } from '../transport/secure-endpoint';
import { decodeSend } from './send-handler';

export interface UplinkHandlers {
  readonly registration: RegistrationService;
  /** Bootstrap-Request; undefined when the bootstrap server is off. Answers 2.04 or throws. */
  readonly bootstrap?: (u: UplinkContext) => Promise<void>;
  readonly onActive: (ep: string) => void;
}

interface Answer {
  readonly code: string;
  readonly locationPath?: readonly string[];
  readonly diagnostic?: string;
}

export class UplinkRouter {
  constructor(private readonly ctx: ServerContext, private readonly h: UplinkHandlers) {}

  handle(req: IncomingMessage, res: OutgoingMessage, endpoint: CoapEndpoint): void {
    this.route(req, endpoint).then(
      (a) => reply(res, a),
      (e) => {
        if (e instanceof CoapRequestError) return reply(res, { code: e.coapCode, diagnostic: e.message });
        this.ctx.log(`uplink ${req.method} ${req.url}: ${(e as Error).stack ?? e}`);
        reply(res, { code: '5.00', diagnostic: 'Internal server error' });
      },
    );
  }

  private async route(req: IncomingMessage, endpoint: CoapEndpoint): Promise<Answer> {
    const options = req._packet.options as Array<{ name: string | number; value: unknown }> | undefined;
    const path = rawOptions(options, 'Uri-Path').map((b) => b.toString('utf8'));
    const peer: PeerAddress = { address: req.rsinfo.address, port: req.rsinfo.port };
    const u: UplinkContext = {
      query: parseQuery(rawOptions(options, 'Uri-Query').map((b) => b.toString('utf8'))),
      contentFormat: formatOption(options, 'Content-Format'),
      payload: req.payload ?? Buffer.alloc(0),
      peer,
      endpoint,
    };
    const method = req.method;
    const [first, second, ...rest] = path;
    if (rest.length > 0) throw CoapRequestError.notFound(`No resource /${path.join('/')}`);
    if (first === 'rd') {
      if (second === undefined) {
        if (method !== 'POST') throw new CoapRequestError('4.05', `${method} not allowed on /rd`);
        const reg = await this.h.registration.register(u);
        return { code: '2.01', locationPath: ['rd', reg.registrationId] };
      }
      if (method === 'POST') {
        await this.h.registration.update(second, u);
        return { code: '2.04' };
      }
      if (method === 'DELETE') {
        await this.h.registration.deregister(second, u);
        return { code: '2.02' };
      }
      throw new CoapRequestError('4.05', `${method} not allowed on /rd/${second}`);
    }
    if (first === 'dp' && second === undefined) {
      if (method !== 'POST') throw new CoapRequestError('4.05', `${method} not allowed on /dp`);
      const reg = await this.h.registration.byPeer(endpoint.name, peer);
      const nodes = decodeSend(this.ctx, reg, u.contentFormat, u.payload);
      this.ctx.events.emit('SEND', { ep: reg!.endpoint, nodes });
      this.h.onActive(reg!.endpoint);
      return { code: '2.04' };
    }
    if (first === 'bs' && second === undefined && this.h.bootstrap) {
      if (method !== 'POST') throw new CoapRequestError('4.05', `${method} not allowed on /bs`);
      await this.h.bootstrap(u);
      return { code: '2.04' };
    }
    throw CoapRequestError.notFound(`No resource /${path.join('/')}`);
  }
}

function reply(res: OutgoingMessage, a: Answer): void {
  try {
    res.code = a.code;
    if (a.locationPath) res.setOption('Location-Path', a.locationPath.map((s) => Buffer.from(s, 'utf8')));
    res.end(a.diagnostic !== undefined ? Buffer.from(a.diagnostic, 'utf8') : undefined);
  } catch {
    // The exchange is gone (socket closed while we worked): nothing to answer.
  }
}

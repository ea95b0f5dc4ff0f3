/**
 * The bootstrap server (LwM2M 1.1 Core §6.1, Transport §6.1): on Bootstrap-Request
 * (POST /bs?ep=…[&pct=…]) from a client allowed to use this endpoint name, answer 2.04, then run
 * the endpoint's configuration: optional Bootstrap-Discover and Bootstrap-Reads, the
 * Bootstrap-Deletes, the Security and Server instance writes, extra writes, Bootstrap-Finish.
 * The outcome is a BOOTSTRAP event. Sessions live in the process that got the request.
 */
import { ContentFormat } from '../../objects/content-format';
import { LwM2mPath } from '../../objects/path';
import { requireCodec } from '../downlink/content-formats';
import type { DownlinkService } from '../downlink/downlink-service';
import { describeRequest, type AnyRequest } from '../downlink/request-codec';
import { CoapRequestError } from '../errors/coap-request-error';
import { checkEndpoint } from '../registration/registration-request';
import { checkIdentity } from '../registration/identity-check';
import type { UplinkContext } from '../registration/registration-service';
import type { BootstrapRequest, LwM2mResponse } from '../requests';
import { formatAddress, type ServerContext } from '../server-context';
import { securityInstance, serverInstance, writeInstance, type BootstrapConfig } from './bootstrap-config';

function hasCodec(format: number): boolean {
  try {
    requireCodec(format);
    return true;
  } catch {
    return false;
  }
}

export class BootstrapService {
  private readonly sessions = new Set<string>();

  constructor(private readonly ctx: ServerContext, private readonly downlink: DownlinkService) {}

  /** The Bootstrap-Request: validate and accept (the caller answers 2.04), then run the session. */
  async request(u: UplinkContext): Promise<void> {
    const eps = u.query.filter(([k]) => k === 'ep');
    if (eps.length !== 1 || eps[0][1] === null) throw CoapRequestError.badRequest('Bootstrap-Request needs exactly one ep');
    const ep = checkEndpoint(eps[0][1]);
    const pctParam = u.query.find(([k]) => k === 'pct')?.[1];
    if (pctParam !== undefined && (pctParam === null || !/^\d{1,5}$/.test(pctParam))) throw CoapRequestError.badRequest(`Invalid pct=${pctParam}`);
    const pct = pctParam === undefined ? undefined : Number(pctParam);
    checkIdentity(ep, u.endpoint.secure, u.endpoint.identityOf(u.peer), await this.ctx.security.get(ep), this.ctx.opts.allowNoSec);
    const config = await this.ctx.bootstrapConfigs.get(ep);
    if (!config) throw CoapRequestError.badRequest(`No bootstrap configuration for endpoint '${ep}'`);
    if (this.sessions.has(ep)) throw CoapRequestError.badRequest(`A bootstrap session for '${ep}' is already running`);
    this.sessions.add(ep);
    const client = {
      endpoint: ep, address: formatAddress(u.peer.address, u.peer.port), transport: u.endpoint.name,
      // Only 1.1+ clients send pct; that is all we know of the version before it registers.
      lwM2mVersion: pct === undefined ? '1.0' : '1.1', rootPath: '/', queuemode: false,
    };
    // After the 2.04 has gone out.
    setImmediate(() => {
      this.run(client, config, pct).finally(() => this.sessions.delete(ep));
    });
  }

  private async run(client: Parameters<DownlinkService['exchange']>[0], cfg: BootstrapConfig, pct: number | undefined): Promise<void> {
    const ep = client.endpoint;
    const responses: Array<{ request: string; response: LwM2mResponse }> = [];
    // The client's preferred format when we can write nodes in it, else the default (TLV).
    const format = pct !== undefined && pct !== ContentFormat.TEXT && pct !== ContentFormat.OPAQUE && hasCodec(pct) ? pct : undefined;
    const step = async (req: BootstrapRequest, tolerate: string[] = []) => {
      const response = await this.downlink.exchange(client, req as AnyRequest, this.ctx.opts.requestTimeoutMs);
      responses.push({ request: describeRequest(req), response });
      if (!response.code.startsWith('2.') && !tolerate.includes(response.code)) {
        throw new Error(`${describeRequest(req)} answered ${response.code}${response.errorMessage ? `: ${response.errorMessage}` : ''}`);
      }
    };
    try {
      if (cfg.discover !== undefined) await step({ kind: 'bootstrapDiscover', path: LwM2mPath.parse(cfg.discover) });
      for (const p of cfg.read ?? []) await step({ kind: 'bootstrapRead', path: LwM2mPath.parse(p), format });
      for (const p of cfg.toDelete ?? []) await step({ kind: 'bootstrapDelete', path: LwM2mPath.parse(p) }, ['4.04']);
      for (const [id, s] of Object.entries(cfg.security ?? {})) {
        await step({ kind: 'bootstrapWrite', path: new LwM2mPath(0, Number(id)), node: securityInstance(Number(id), s), format });
      }
      for (const [id, s] of Object.entries(cfg.servers ?? {})) {
        await step({ kind: 'bootstrapWrite', path: new LwM2mPath(1, Number(id)), node: serverInstance(Number(id), s), format });
      }
      for (const w of cfg.writes ?? []) {
        const { path, node } = writeInstance(w, this.ctx.models);
        await step({ kind: 'bootstrapWrite', path, node, format });
      }
      await step({ kind: 'bootstrapFinish' });
      this.ctx.events.emit('BOOTSTRAP', { ep, status: 'finished', responses });
    } catch (e) {
      this.ctx.log(`bootstrap of '${ep}' failed: ${(e as Error).message}`);
      this.ctx.events.emit('BOOTSTRAP', { ep, status: 'failed', error: (e as Error).message, responses });
    }
  }
}

/**
 * /api/security/…: the security store of the server, as Leshan's SecurityServlet serves it.
 * GET clients (all), GET clients/{ep} (one, 404 when none), PUT clients[/ep] (add or replace;
 * 400 on a malformed body or a conflict), DELETE clients/{ep} (200; `{"message":"not_found"}`
 * when there was nothing to delete), GET server (the server's public key or certificate).
 */
import { isHandoverError } from '../../common/errors';
import type { DeviceManagement } from './device-management';
import { emptyReply, HttpError, jsonReply, parseJsonBody, textReply, type ApiReply, type ApiRequest } from './http-exchange';
import type { Json } from './node-json';
import { parseSecurityInfo, securityInfoToJson } from './security-json';

export class SecurityHandler {
  constructor(private readonly dm: DeviceManagement, private readonly serverSecurity: () => Json) {}

  /** `segments` are those after /api/security. */
  async handle(segments: readonly string[], req: ApiRequest): Promise<ApiReply> {
    const [first, ep, ...more] = segments;
    if (first === 'server' && segments.length === 1 && req.method === 'GET') return jsonReply(this.serverSecurity());
    if (first !== 'clients' || more.length > 0) return textReply(404, 'Not found');
    switch (req.method) {
      case 'GET': {
        if (ep === undefined) {
          const all = await this.dm.security.getAll();
          return jsonReply([...all].sort((a, b) => a.endpoint.localeCompare(b.endpoint)).map(securityInfoToJson));
        }
        const info = await this.dm.security.get(ep);
        return info ? jsonReply(securityInfoToJson(info)) : textReply(404, `No security info for endpoint '${ep}'`);
      }
      case 'PUT': {
        let info;
        try {
          info = parseSecurityInfo(parseJsonBody(await req.body()));
        } catch (e) {
          if (e instanceof HttpError && e.status !== 400) throw e;
          if (isHandoverError(e, 'ERR_INVALID_INPUT')) return textReply(400, `Invalid request body: ${e.message.replace(/^Invalid request: /, '')}`);
          throw e;
        }
        if (ep !== undefined && ep !== info.endpoint) {
          return textReply(400, `Invalid request body: endpoint '${info.endpoint}' does not match the path '${ep}'`);
        }
        try {
          await this.dm.security.put(info);
        } catch (e) {
          // A conflict (identity already used by another endpoint) or credentials the store refuses.
          if (isHandoverError(e, 'ERR_INVALID_INPUT') || isHandoverError(e, 'ERR_NOT_ALLOWED')) return textReply(400, e.message);
          throw e;
        }
        return emptyReply(200);
      }
      case 'DELETE': {
        if (ep === undefined || ep === '') return textReply(400, 'Invalid path: DELETE /api/security/clients/{endpoint}');
        const existing = await this.dm.security.get(ep);
        if (!existing) return jsonReply({ message: 'not_found' });
        await this.dm.security.remove(ep);
        return emptyReply(200);
      }
      default:
        return textReply(405, 'Method not allowed');
    }
  }
}

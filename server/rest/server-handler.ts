/**
 * /api/server/… and /api/objectspecs/{ep}: what the server offers (its CoAP endpoints, its
 * public key or certificate) and the object models of one client, as Leshan's ServerServlet
 * and ObjectSpecServlet serve them.
 */
import type { DeviceManagement } from './device-management';
import { jsonReply, textReply, type ApiReply, type ApiRequest } from './http-exchange';
import type { Json } from './node-json';
import { objectModelToJson } from './objectspec-json';

/** One server endpoint: its URI and a human description. */
export interface ServerEndpointInfo {
  readonly uri: string;
  readonly description: string;
}

export function endpointToJson(e: ServerEndpointInfo): Json {
  const u = new URL(e.uri);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    uri: { full: e.uri, scheme: u.protocol.replace(/:$/, ''), host, port: Number(u.port) },
    description: e.description,
  };
}

export class ServerHandler {
  constructor(
    private readonly dm: DeviceManagement,
    private readonly endpoints: () => readonly ServerEndpointInfo[],
    private readonly serverSecurity: () => Json,
  ) {}

  /** `segments` after /api/server. */
  server(segments: readonly string[], req: ApiRequest): ApiReply {
    if (req.method !== 'GET') return textReply(405, 'Method not allowed');
    if (segments.length === 1 && segments[0] === 'endpoint') return jsonReply(this.endpoints().map(endpointToJson));
    if (segments.length === 1 && segments[0] === 'security') return jsonReply(this.serverSecurity());
    return textReply(404, 'Not found');
  }

  /** `segments` after /api/objectspecs. */
  async objectSpecs(segments: readonly string[], req: ApiRequest): Promise<ApiReply> {
    if (req.method !== 'GET') return textReply(405, 'Method not allowed');
    if (segments.length !== 1) return textReply(400, 'Invalid path');
    const ep = segments[0];
    const reg = await this.dm.registrations.get(ep);
    if (!reg) return textReply(400, `No registered client with id '${ep}'`);
    const models = this.dm.modelsFor(ep).all().sort((a, b) => a.id - b.id);
    return jsonReply(models.map(objectModelToJson));
  }
}

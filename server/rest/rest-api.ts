/**
 * The operator REST API over node:http: Leshan's demo-server routes (/api/clients, /api/event,
 * /api/objectspecs, /api/security, /api/server) behind bearer-token authentication, plus routes
 * other modules mount under /api/<prefix> (the plugin's /api/v1/campaigns). Every failure is
 * answered; nothing a client sends can stop the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject, X509Certificate } from 'node:crypto';
import { isHandoverError } from '../../common/errors';
import { BearerAuth } from './auth';
import { ClientHandler } from './client-handler';
import { parseClientRoute } from './client-route';
import type { DeviceManagement } from './device-management';
import { EventHub } from './event-hub';
import { HttpError, readBody, textReply, type ApiReply, type ApiRequest } from './http-exchange';
import { PresenceTracker } from './presence';
import { serverSecurityToJson } from './security-json';
import { SecurityHandler } from './security-handler';
import { ServerHandler, type ServerEndpointInfo } from './server-handler';

export interface RestApiOptions {
  /** The bearer token every request must present. At least 16 characters. Required. */
  token: string;
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Largest request body, bytes (413 beyond). Default 1 MiB. */
  maxBodyBytes?: number;
  /** SSE heartbeat interval, ms. Default 15000. */
  heartbeatMs?: number;
  /** The CoAP endpoints shown at /api/server/endpoint. Default coap://<host>:<coapPort>. */
  endpoints?: () => readonly ServerEndpointInfo[];
  /** The server's own certificate or raw public key, shown at /api/server/security. Default none. */
  serverIdentity?: { certificate?: X509Certificate; publicKey?: KeyObject };
  /** Where unexpected errors are reported. Default: nowhere. */
  log?: (msg: string) => void;
}

/** A handler mounted under /api/<prefix>; `segments` are those after the prefix. */
export type MountedRoute = (segments: readonly string[], req: ApiRequest) => Promise<ApiReply>;

const DEFAULT_MAX_BODY = 1024 * 1024;

export class RestApi {
  private readonly server: Server;
  private readonly auth: BearerAuth;
  private readonly presence: PresenceTracker;
  private readonly hub: EventHub;
  private readonly clients: ClientHandler;
  private readonly securityRoutes: SecurityHandler;
  private readonly serverRoutes: ServerHandler;
  private readonly mounts = new Map<string, MountedRoute>();
  private readonly maxBody: number;
  private readonly log: (msg: string) => void;

  constructor(private readonly dm: DeviceManagement, private readonly opts: RestApiOptions) {
    this.auth = new BearerAuth(opts.token);
    this.maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.log = opts.log ?? (() => undefined);
    this.presence = new PresenceTracker(dm.events);
    const isSleeping = (ep: string) => this.presence.isSleeping(ep);
    this.hub = new EventHub(dm.events, isSleeping, { heartbeatMs: opts.heartbeatMs });
    this.clients = new ClientHandler(dm, isSleeping);
    const serverSecurity = () => serverSecurityToJson(opts.serverIdentity ?? {});
    const host = opts.host ?? '127.0.0.1';
    const endpoints = opts.endpoints ?? (() => [{
      uri: `coap://${host.includes(':') ? `[${host}]` : host}:${dm.coapPort}`, description: 'CoAP over UDP',
    }]);
    this.securityRoutes = new SecurityHandler(dm, serverSecurity);
    this.serverRoutes = new ServerHandler(dm, endpoints, serverSecurity);
    this.server = createServer((req, res) => {
      this.dispatch(req, res).catch((e) => this.fail(res, e));
    });
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Serve `handler` under /api/<prefix>/… (after authentication). */
  mount(prefix: string, handler: MountedRoute): void {
    if (['clients', 'event', 'security', 'server', 'objectspecs'].includes(prefix) || this.mounts.has(prefix)) {
      throw new RangeError(`/api/${prefix} is already routed`);
    }
    this.mounts.set(prefix, handler);
  }

  /** Start listening; resolves with the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.opts.port ?? 8080, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', onError);
        resolve(this.port);
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Number of open event streams. */
  get eventStreams(): number {
    return this.hub.size;
  }

  /** Close the event streams and every connection, and stop listening. */
  close(): Promise<void> {
    this.hub.close();
    this.presence.close();
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isEvent = /^\/api\/event\/?$/.test(url.pathname);
    const auth = this.auth.check(req.headers, isEvent ? url.searchParams.get('token') : undefined);
    if (auth !== 'ok') {
      res.writeHead(401, {
        'WWW-Authenticate': BearerAuth.challenge(auth), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store',
      });
      res.end(auth === 'missing' ? 'Authentication required: Authorization: Bearer <token>' : 'Invalid token');
      return;
    }
    let segments: string[];
    try {
      segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    } catch {
      this.write(res, textReply(400, 'Invalid path'));
      return;
    }
    if (segments[0] !== 'api') {
      this.write(res, textReply(404, 'Not found'));
      return;
    }
    const [, family, ...rest] = segments;
    if (family === 'event' && rest.length === 0) {
      if (req.method !== 'GET') {
        this.write(res, textReply(405, 'Method not allowed'));
        return;
      }
      const ep = url.searchParams.get('ep') ?? undefined;
      const coaplog = /^(1|true|yes)$/i.test(url.searchParams.get('coaplog') ?? '');
      this.hub.subscribe(res, { ep: ep === '' ? undefined : ep, coaplog });
      return;
    }
    const apiReq = this.request(req, url, rest);
    this.write(res, await this.route(family, rest, apiReq));
  }

  private async route(family: string | undefined, rest: string[], req: ApiRequest): Promise<ApiReply> {
    switch (family) {
      case 'clients': {
        const route = parseClientRoute(req.method, rest);
        if (!route) {
          return ['GET', 'PUT', 'POST', 'DELETE'].includes(req.method) ? textReply(400, 'Invalid path') : textReply(405, 'Method not allowed');
        }
        return this.clients.handle(route, req);
      }
      case 'security':
        return this.securityRoutes.handle(rest, req);
      case 'server':
        return this.serverRoutes.server(rest, req);
      case 'objectspecs':
        return this.serverRoutes.objectSpecs(rest, req);
      default: {
        const mounted = family === undefined ? undefined : this.mounts.get(family);
        return mounted ? mounted(rest, req) : textReply(404, 'Not found');
      }
    }
  }

  private request(req: IncomingMessage, url: URL, segments: readonly string[]): ApiRequest {
    let body: Promise<Buffer> | undefined;
    const raw = req.url ?? '';
    const q = raw.indexOf('?');
    return {
      method: req.method ?? 'GET',
      segments,
      query: url.searchParams,
      rawQuery: q < 0 ? '' : raw.slice(q + 1),
      contentType: (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase(),
      body: () => (body ??= readBody(req, this.maxBody)),
    };
  }

  private write(res: ServerResponse, reply: ApiReply): void {
    if (res.headersSent) return;
    const headers: Record<string, string | number> = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    const body = reply.body === undefined ? undefined : Buffer.from(reply.body, 'utf8');
    if (reply.contentType) headers['Content-Type'] = reply.contentType;
    headers['Content-Length'] = body?.length ?? 0;
    if (reply.status === 413) headers.Connection = 'close';
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (e instanceof HttpError) {
      this.write(res, textReply(e.status, e.message));
      return;
    }
    if (isHandoverError(e)) {
      this.write(res, textReply(500, `Request rejected: ${e.message}`));
      return;
    }
    this.log(`REST API: unexpected error: ${(e as Error)?.stack ?? String(e)}`);
    if (res.headersSent) res.destroy();
    else this.write(res, textReply(500, 'Internal server error'));
  }
}

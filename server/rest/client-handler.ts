/**
 * /api/clients: registrations and the device-management operations on one client, executed
 * through DeviceManagement.send and answered as Leshan's ClientServlet answers: the device's
 * response as 200 JSON (also when the device refused), server-side failures as plain text
 * (400 unknown client / invalid path / invalid request, 500 rejected, 504 timeout), and a
 * `delayed` answer for a client asleep in queue mode.
 */
import { isHandoverError } from '../../common/errors';
import type { ModelProvider } from '../../objects/model';
import type { DownlinkRequest } from '../requests';
import type { ClientRoute } from './client-route';
import type { DeviceManagement } from './device-management';
import {
  HttpError, jsonReply, parseJsonBody, textReply, emptyReply, type ApiReply, type ApiRequest,
} from './http-exchange';
import { parseCompositeNodes, parseCreateInstance, parseTextWrite, parseWriteNode } from './node-parser';
import {
  activeParam, attributesParam, formatParam, pathsParam, replaceParam, timeoutParam,
} from './query-params';
import { registrationToJson } from './registration-json';
import { delayedToJson, isDelayed, responseToJson } from './response-json';

type OperationRoute = Exclude<ClientRoute, { op: 'list' } | { op: 'get' }>;

function noClient(ep: string): ApiReply {
  return textReply(400, `No registered client with id '${ep}'`);
}

export class ClientHandler {
  constructor(private readonly dm: DeviceManagement, private readonly isSleeping: (ep: string) => boolean) {}

  async handle(route: ClientRoute, req: ApiRequest): Promise<ApiReply> {
    if (route.op === 'list') {
      const regs = await this.dm.registrations.all();
      return jsonReply(regs.map((r) => registrationToJson(r, this.isSleeping(r.endpoint))));
    }
    const reg = await this.dm.registrations.get(route.ep);
    if (!reg) return noClient(route.ep);
    if (route.op === 'get') return jsonReply(registrationToJson(reg, this.isSleeping(reg.endpoint)));

    let request: DownlinkRequest;
    let timeoutMs: number;
    try {
      timeoutMs = timeoutParam(req.query);
      request = await this.buildRequest(route, req, this.dm.modelsFor(route.ep));
    } catch (e) {
      if (e instanceof HttpError) throw e;
      if (isHandoverError(e)) return textReply(400, `Invalid request: ${e.message}`);
      throw e;
    }
    return this.send(route, request, timeoutMs);
  }

  private async send(route: OperationRoute, request: DownlinkRequest, timeoutMs: number): Promise<ApiReply> {
    try {
      const res = await this.dm.send(route.ep, request, { timeoutMs });
      const path = 'path' in request ? request.path.toString() : undefined;
      if (isDelayed(res)) return jsonReply(delayedToJson(route.ep, res.requestId, path));
      if (request.kind === 'cancelObserve' && !request.active) return emptyReply(200);
      if (request.kind === 'cancelObserveComposite' && !request.active) return emptyReply(200);
      return jsonReply(responseToJson(res));
    } catch (e) {
      if (!isHandoverError(e)) throw e;
      switch (e.code) {
        case 'ERR_NOT_FOUND':
          return noClient(route.ep);
        case 'ERR_TIMEOUT':
          return textReply(504, 'Request timeout');
        case 'ERR_INVALID_INPUT':
        case 'ERR_PAYLOAD':
        case 'ERR_UNSUPPORTED_FORMAT':
        case 'ERR_CLIENT_SLEEPING':
          return textReply(400, `Invalid request: ${e.message}`);
        default:
          return textReply(500, `Request rejected: ${e.message}`);
      }
    }
  }

  private async buildRequest(route: OperationRoute, req: ApiRequest, models: ModelProvider): Promise<DownlinkRequest> {
    const q = req.query;
    switch (route.op) {
      case 'read':
        return { kind: 'read', path: route.path, format: formatParam(q, 'format') };
      case 'discover':
        return { kind: 'discover', path: route.path };
      case 'observe':
        return { kind: 'observe', path: route.path, format: formatParam(q, 'format') };
      case 'readComposite':
      case 'observeComposite':
        return {
          kind: route.op, paths: pathsParam(q), requestFormat: formatParam(q, 'pathformat'), responseFormat: formatParam(q, 'nodeformat'),
        };
      case 'cancelObserve':
        return { kind: 'cancelObserve', path: route.path, active: activeParam(q) };
      case 'cancelObserveComposite':
        return { kind: 'cancelObserveComposite', paths: pathsParam(q), active: activeParam(q) };
      case 'delete':
        return { kind: 'delete', path: route.path };
      case 'writeAttributes':
        return { kind: 'writeAttributes', path: route.path, attributes: attributesParam(req.rawQuery) };
      case 'execute': {
        const args = (await req.body()).toString('utf8');
        return args === '' ? { kind: 'execute', path: route.path } : { kind: 'execute', path: route.path, args };
      }
      case 'create': {
        const instance = parseCreateInstance(await this.jsonBody(req), route.path, models);
        return { kind: 'create', path: route.path, instances: [instance], format: formatParam(q, 'format') };
      }
      case 'write': {
        const mode = replaceParam(q) ? 'replace' : 'update';
        const format = formatParam(q, 'format');
        if (req.contentType === 'text/plain') {
          const node = parseTextWrite((await req.body()).toString('utf8'), route.path, models);
          return { kind: 'write', path: route.path, node, mode, format };
        }
        const node = parseWriteNode(await this.jsonBody(req), route.path, models);
        return { kind: 'write', path: route.path, node, mode, format };
      }
      case 'writeComposite':
        return { kind: 'writeComposite', nodes: parseCompositeNodes(await this.jsonBody(req), models), format: formatParam(q, 'nodeformat') };
    }
  }

  private async jsonBody(req: ApiRequest): Promise<unknown> {
    if (req.contentType !== '' && req.contentType !== 'application/json') {
      throw new HttpError(400, `Invalid request: content type ${req.contentType} not supported, use application/json`);
    }
    return parseJsonBody(await req.body());
  }
}

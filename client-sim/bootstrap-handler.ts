/**
 * The Bootstrap interface of the client (LwM2M 1.1 Core §5.2.7, Transport §6.3): what a bootstrap
 * server may do between the client's Bootstrap-Request and its Bootstrap-Finish.
 *
 *   PUT    /o[/i[/r]]   Bootstrap-Write: regardless of existence and access rights
 *   DELETE /, /o, /o/i  Bootstrap-Delete: never the Bootstrap-Server account nor the Device object
 *   GET    / or /o      Bootstrap-Discover (Accept: link-format)
 *   GET    /1, /2       Bootstrap-Read
 *   POST   /bs          Bootstrap-Finish: 4.06 when no usable DM server account was written
 */
import type { IncomingMessage } from 'coap';
import { formatLinks } from '../objects/codecs/link-format';
import { ContentFormat } from '../objects/content-format';
import { LwM2mPath } from '../objects/path';
import { splitUrl } from './coap-options';
import { reply, replyError, viewRequest, type CoapResponse, type RequestView } from './coap-reply';
import { bootstrapDiscoverLinks } from './discover';
import { OperationError } from './errors';
import { decodeNode, encodeNode, toOperationError, type LwM2mVersion } from './formats';
import { BOOTSTRAP } from './object-enabler';
import type { ObjectTree } from './object-tree';

/** Objects Bootstrap-Read may target. */
const READABLE = new Set([1, 2]);

export interface BootstrapContext {
  readonly tree: ObjectTree;
  readonly version: LwM2mVersion;
  /** Instance id of the Bootstrap-Server account in object 0, which Bootstrap-Delete keeps. */
  bootstrapAccount(): number | undefined;
  /** Check the configuration written so far; throw OperationError.notAcceptable when unusable. */
  validate(): void;
  /** Bootstrap-Finish was answered 2.04. */
  finished(): void;
  persist(): void;
}

export class BootstrapHandler {
  constructor(private readonly ctx: BootstrapContext) {}

  async handle(req: IncomingMessage, res: CoapResponse): Promise<void> {
    try {
      if (req.method === 'POST' && splitUrl(req.url).path === '/bs') return this.finish(req, res);
      const v = viewRequest(req);
      await this.dispatch(v, req, res);
    } catch (e) {
      replyError(req, res, toOperationError(e));
    }
  }

  private async dispatch(v: RequestView, req: IncomingMessage, res: CoapResponse): Promise<void> {
    const { tree } = this.ctx;
    const { path } = v;
    switch (v.method) {
      case 'POST':
        throw OperationError.notAllowed(`POST ${path} is not a bootstrap operation`);
      case 'PUT': {
        if (path.isRoot()) throw OperationError.notAllowed('Bootstrap-Write targets an object, instance or resource');
        if (path.depth === 4) throw OperationError.notAllowed('Bootstrap-Write does not target resource instances');
        const node = decodeNode(v.payload, path, v.contentFormat, tree.models);
        tree.enabler(path.objectId!);
        if (path.depth === 1) {
          const instances = node.kind === 'obj' ? [...node.instances.values()] : node.kind === 'instance' ? [node] : [];
          if (instances.length === 0) throw OperationError.badRequest(`Payload for ${path} holds no instance`);
          for (const inst of instances) await tree.write(path.child(inst.id), inst, true, BOOTSTRAP);
        } else {
          await tree.write(path, node, true, BOOTSTRAP);
        }
        this.ctx.persist();
        return reply(req, res, '2.04');
      }
      case 'DELETE':
        await this.delete(path);
        this.ctx.persist();
        return reply(req, res, '2.02');
      case 'GET':
        if (v.accept === ContentFormat.LINK || (v.accept === undefined && path.depth <= 1 && !READABLE.has(path.objectId ?? -1))) {
          const links = bootstrapDiscoverLinks(tree, path, this.ctx.version);
          return reply(req, res, '2.05', Buffer.from(formatLinks(links), 'utf8'), { format: ContentFormat.LINK });
        }
        if (path.objectId === undefined || !READABLE.has(path.objectId)) throw OperationError.notAllowed('Bootstrap-Read targets the Server or Access Control object');
        {
          const node = tree.read(path, BOOTSTRAP);
          const { payload, format } = encodeNode(node, path, v.accept, this.ctx.version, tree.models);
          return reply(req, res, '2.05', payload, { format });
        }
      default:
        throw OperationError.notAllowed(`${v.method} is not a bootstrap operation`);
    }
  }

  private finish(req: IncomingMessage, res: CoapResponse): void {
    this.ctx.validate();
    reply(req, res, '2.04');
    this.ctx.finished();
  }

  private async delete(path: LwM2mPath): Promise<void> {
    const { tree } = this.ctx;
    if (path.depth > 2) throw OperationError.badRequest('Bootstrap-Delete targets /, an object or an instance');
    const keep = (objectId: number, instanceId: number) =>
      objectId === 3 || (objectId === 0 && instanceId === this.ctx.bootstrapAccount());
    if (path.depth === 2) {
      if (keep(path.objectId!, path.instanceId!)) throw OperationError.badRequest(`${path} cannot be deleted by the bootstrap server`);
      await tree.enabler(path.objectId!).delete(path.instanceId!, BOOTSTRAP);
      return;
    }
    const enablers = path.objectId === undefined ? tree.all() : [tree.enabler(path.objectId)];
    for (const e of enablers) {
      for (const iid of e.instanceIds()) if (!keep(e.id, iid)) await e.delete(iid, BOOTSTRAP);
    }
  }
}

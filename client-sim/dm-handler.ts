/**
 * The Device Management & Service Enablement interface of the client: every request a DM
 * server may send, mapped from CoAP (LwM2M 1.1 Transport §6.4) onto the object tree.
 *
 *   GET            Read, Discover (Accept: link-format), Observe (Observe=0), cancel (Observe=1)
 *   PUT            Write replace (with Content-Format), Write-Attributes (query, no payload)
 *   POST           Create (/o), Write partial update (/o/i), Execute (/o/i/r)
 *   DELETE         Delete (/o/i)
 *   FETCH  /       Read-Composite, Observe-Composite
 *   iPATCH /       Write-Composite
 *
 * Every failure becomes one CoAP error answer (4.00, 4.01, 4.04, 4.05, 4.06, 4.15) and changes nothing.
 */
import type { IncomingMessage } from 'coap';
import { formatLinks } from '../objects/codecs/link-format';
import { ContentFormat } from '../objects/content-format';
import type { LwM2mNode } from '../objects/node';
import { LwM2mPath } from '../objects/path';
import { AttributeStore, parseAttributeQuery, type NotificationAttributes } from './attributes';
import { reply, replyError, viewRequest, type CoapResponse, type RequestView } from './coap-reply';
import { discoverLinks } from './discover';
import { OperationError } from './errors';
import { parseExecuteArgs } from './execute-args';
import { decodeNode, decodeNodes, decodePaths, encodeNode, encodeNodes, toOperationError, type LwM2mVersion } from './formats';
import type { Caller } from './object-enabler';
import type { ObjectTree } from './object-tree';
import type { Sample } from './observation';
import { ObserveRegistry } from './observe-registry';
import { numericValue } from './resource-value';

/** Objects a DM server may never touch: Security and OSCORE. */
const PROTECTED = new Set([0, 21]);

export interface DmContext {
  readonly tree: ObjectTree;
  readonly attributes: AttributeStore;
  readonly version: LwM2mVersion;
  /** The DM server's identity for the enablers. */
  caller(): Caller;
  /** Default pmin / pmax of the DM server (Server object resources 2 and 3). */
  defaults(): NotificationAttributes;
  /** Something the server changed that the state file should record. */
  persist(): void;
}

export class DmHandler {
  readonly observations = new ObserveRegistry();

  constructor(private readonly ctx: DmContext) {}

  async handle(req: IncomingMessage, res: CoapResponse): Promise<void> {
    try {
      const view = viewRequest(req);
      await this.dispatch(view, req, res);
    } catch (e) {
      replyError(req, res, toOperationError(e));
    }
  }

  private async dispatch(v: RequestView, req: IncomingMessage, res: CoapResponse): Promise<void> {
    const { path } = v;
    if (path.objectId !== undefined && PROTECTED.has(path.objectId)) throw OperationError.unauthorized(`${path} is not accessible to a DM server`);
    switch (v.method) {
      case 'GET':
        if (v.accept === ContentFormat.LINK) return this.discover(v, req, res);
        if (v.observe === 0) return this.observe(v, req, res);
        if (v.observe === 1) this.observations.cancel(v.peer, v.token);
        return this.read(v, req, res);
      case 'PUT':
        if (v.contentFormat === undefined && v.payload.length === 0) return this.writeAttributes(v, req, res);
        if (path.depth < 2) throw OperationError.notAllowed(`Write is not allowed on ${path}`);
        await this.ctx.tree.write(path, this.decode(v), true, this.ctx.caller());
        this.ctx.persist();
        return reply(req, res, '2.04');
      case 'POST':
        if (path.depth === 1) return this.create(v, req, res);
        if (path.depth === 2) {
          await this.ctx.tree.write(path, this.decode(v), false, this.ctx.caller());
          this.ctx.persist();
          return reply(req, res, '2.04');
        }
        if (path.depth === 3) {
          if (v.contentFormat !== undefined && v.contentFormat !== ContentFormat.TEXT) throw OperationError.unsupportedFormat('Execute arguments are plain text');
          const args = parseExecuteArgs(v.payload.toString('utf8'));
          await this.ctx.tree.enabler(path.objectId!).execute(path.instanceId!, path.resourceId!, args, this.ctx.caller());
          this.ctx.persist();
          return reply(req, res, '2.04');
        }
        throw OperationError.notAllowed(`POST is not allowed on ${path}`);
      case 'DELETE':
        if (path.depth !== 2) throw OperationError.notAllowed(`Delete is not allowed on ${path}`);
        await this.ctx.tree.enabler(path.objectId!).delete(path.instanceId!, this.ctx.caller());
        this.ctx.attributes.removeBelow(path);
        this.ctx.persist();
        return reply(req, res, '2.02');
      case 'FETCH':
        return this.fetch(v, req, res);
      case 'iPATCH':
        return this.writeComposite(v, req, res);
      default:
        throw OperationError.notAllowed(`${v.method} is not an LwM2M operation`);
    }
  }

  private read(v: RequestView, req: IncomingMessage, res: CoapResponse): void {
    const node = this.ctx.tree.read(v.path, this.ctx.caller());
    const { payload, format } = encodeNode(node, v.path, v.accept, this.ctx.version, this.ctx.tree.models);
    reply(req, res, '2.05', payload, { format });
  }

  private discover(v: RequestView, req: IncomingMessage, res: CoapResponse): void {
    const links = discoverLinks(this.ctx.tree, v.path, this.ctx.attributes);
    reply(req, res, '2.05', Buffer.from(formatLinks(links), 'utf8'), { format: ContentFormat.LINK });
  }

  private observe(v: RequestView, req: IncomingMessage, res: CoapResponse): void {
    const stream = res as import('coap').ObserveWriteStream;
    const { tree } = this.ctx;
    const node = tree.read(v.path, this.ctx.caller());
    const first = encodeNode(node, v.path, v.accept, this.ctx.version, tree.models);
    const sample = (): Sample => {
      const n = tree.read(v.path, this.ctx.caller());
      return { payload: encodeNode(n, v.path, first.format, this.ctx.version, tree.models).payload, numeric: numericOf(n) };
    };
    this.observations.add({
      peer: v.peer, token: v.token, paths: [v.path], stream, format: first.format,
      first: { payload: first.payload, numeric: numericOf(node) },
      sample,
      attributes: () => this.ctx.attributes.effective(v.path, this.ctx.defaults()),
      toError: toOperationError,
    });
  }

  private writeAttributes(v: RequestView, req: IncomingMessage, res: CoapResponse): void {
    if (v.path.isRoot()) throw OperationError.notAllowed('Write-Attributes is not allowed on /');
    if (!this.ctx.tree.exists(v.path)) throw OperationError.notFound(`${v.path} does not exist`);
    const update = parseAttributeQuery(v.query, v.path, this.ctx.tree.resourceModel(v.path)?.type);
    this.ctx.attributes.apply(v.path, update);
    this.observations.rearm();
    this.ctx.persist();
    reply(req, res, '2.04');
  }

  private async create(v: RequestView, req: IncomingMessage, res: CoapResponse): Promise<void> {
    const objectId = v.path.objectId!;
    const enabler = this.ctx.tree.enabler(objectId);
    let node: LwM2mNode;
    try {
      node = this.decode(v);
    } catch (first) {
      // LwM2M 1.0 style: the payload holds resources only, the client picks the instance id.
      const free = nextFreeId(enabler.instanceIds());
      try {
        node = decodeNode(v.payload, new LwM2mPath(objectId, free), v.contentFormat, this.ctx.tree.models);
      } catch {
        throw first;
      }
      if (node.kind !== 'instance') throw first;
      node = { kind: 'obj', id: objectId, instances: new Map([[-1, node]]) };
    }
    const instances = node.kind === 'obj' ? [...node.instances] : node.kind === 'instance' ? [[node.id, node] as const] : [];
    if (instances.length === 0) throw OperationError.badRequest('Create needs an object instance in the payload');
    const created: number[] = [];
    for (const [key, inst] of instances) {
      created.push(await enabler.create(key === -1 ? undefined : inst.id, [...inst.resources.values()], this.ctx.caller()));
    }
    this.ctx.persist();
    const location = created.length === 1 ? [String(objectId), String(created[0])] : undefined;
    reply(req, res, '2.01', undefined, { locationPath: location });
  }

  private fetch(v: RequestView, req: IncomingMessage, res: CoapResponse): void {
    if (!v.path.isRoot()) throw OperationError.notAllowed('Read-Composite targets /');
    const paths = decodePaths(v.payload, v.contentFormat);
    for (const p of paths) if (p.objectId !== undefined && PROTECTED.has(p.objectId)) throw OperationError.unauthorized(`${p} is not accessible to a DM server`);
    const readAll = (): Map<string, LwM2mNode> => {
      const out = new Map<string, LwM2mNode>();
      for (const p of paths) {
        try {
          out.set(p.toString(), this.ctx.tree.read(p, this.ctx.caller()));
        } catch (e) {
          if (!(e instanceof OperationError && e.coapCode === '4.04')) throw e;
        }
      }
      if (out.size === 0) throw OperationError.notFound('None of the requested paths exists');
      return out;
    };
    const first = encodeNodes(readAll(), v.accept, this.ctx.tree.models);
    if (v.observe === 1) this.observations.cancel(v.peer, v.token);
    if (v.observe !== 0) return reply(req, res, '2.05', first.payload, { format: first.format });
    this.observations.add({
      peer: v.peer, token: v.token, paths, stream: res as import('coap').ObserveWriteStream, format: first.format,
      first: { payload: first.payload },
      sample: () => ({ payload: encodeNodes(readAll(), first.format, this.ctx.tree.models).payload }),
      attributes: () => this.ctx.defaults(),
      toError: toOperationError,
    });
  }

  private async writeComposite(v: RequestView, req: IncomingMessage, res: CoapResponse): Promise<void> {
    if (!v.path.isRoot()) throw OperationError.notAllowed('Write-Composite targets /');
    const nodes = decodeNodes(v.payload, v.contentFormat, this.ctx.tree.models);
    const targets = [...nodes].map(([p, node]) => [LwM2mPath.parse(p), node] as const);
    for (const [p] of targets) {
      if (p.depth < 2) throw OperationError.badRequest(`Write-Composite cannot target ${p}`);
      if (PROTECTED.has(p.objectId!)) throw OperationError.unauthorized(`${p} is not accessible to a DM server`);
      if (!this.ctx.tree.exists(p)) throw OperationError.notFound(`${p} does not exist`);
    }
    // All or nothing: restore the touched objects if any write fails.
    const touched = [...new Set(targets.map(([p]) => p.objectId!))].map((id) => this.ctx.tree.enabler(id));
    const before = touched.map((e) => e.snapshot());
    try {
      for (const [p, node] of targets) await this.ctx.tree.write(p, node, p.depth === 3, this.ctx.caller());
    } catch (e) {
      touched.forEach((en, i) => en.restore(before[i]));
      throw e;
    }
    this.ctx.persist();
    reply(req, res, '2.04');
  }

  private decode(v: RequestView): LwM2mNode {
    if (v.payload.length === 0 && v.contentFormat === undefined) throw OperationError.badRequest('The request has no payload');
    return decodeNode(v.payload, v.path, v.contentFormat, this.ctx.tree.models);
  }
}

function numericOf(node: LwM2mNode): number | undefined {
  return node.kind === 'singleResource' || node.kind === 'resourceInstance' ? numericValue(node.value) : undefined;
}

function nextFreeId(ids: readonly number[]): number {
  let id = 0;
  while (ids.includes(id)) id++;
  return id;
}

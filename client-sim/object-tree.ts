/**
 * The client's objects: one ObjectEnabler per object id, reached by LwM2M path. Resolves reads
 * and writes at any depth onto the enablers, fans their change events out to one listener (the
 * observations and the state file), and lists object links for Register and Discover.
 */
import type { ModelProvider, ObjectModel, ResourceModel } from '../objects/model';
import { StaticModelProvider } from '../objects/model';
import { lwm2mObject, multiResource, resourceInstance, type LwM2mNode, type LwM2mObject } from '../objects/node';
import { LwM2mPath } from '../objects/path';
import { OperationError } from './errors';
import type { Caller, ChangeListener, ObjectEnabler } from './object-enabler';

export class ObjectTree {
  private readonly enablers = new Map<number, ObjectEnabler>();
  private readonly listeners: ChangeListener[] = [];
  private provider: StaticModelProvider;

  constructor(enablers: Iterable<ObjectEnabler>, private readonly baseModels: ModelProvider) {
    this.provider = new StaticModelProvider(baseModels.all());
    for (const e of enablers) this.add(e);
  }

  /** Add (or replace) the enabler of an object; its model joins the tree's model provider. */
  add(enabler: ObjectEnabler): void {
    this.enablers.set(enabler.id, enabler);
    this.provider = this.provider.with([enabler.model]);
    enabler.attach((path) => { for (const l of this.listeners) l(path); });
  }

  /** Models for the codecs: the base models plus every enabler's own. */
  get models(): ModelProvider { return this.provider; }

  onChange(listener: ChangeListener): void { this.listeners.push(listener); }

  /** The enabler of `objectId`, or undefined. */
  get(objectId: number): ObjectEnabler | undefined { return this.enablers.get(objectId); }

  /** The enabler of `objectId`, or a 4.04. */
  enabler(objectId: number): ObjectEnabler {
    const e = this.enablers.get(objectId);
    if (!e) throw OperationError.notFound(`/${objectId} is not supported`);
    return e;
  }

  all(): ObjectEnabler[] { return [...this.enablers.values()].sort((a, b) => a.id - b.id); }

  resourceModel(path: LwM2mPath): ResourceModel | undefined {
    if (path.objectId === undefined || path.resourceId === undefined) return undefined;
    return this.enablers.get(path.objectId)?.model.resources.get(path.resourceId);
  }

  objectModel(objectId: number): ObjectModel | undefined { return this.enablers.get(objectId)?.model; }

  /** Read the node at an object, instance, resource or resource-instance path. */
  read(path: LwM2mPath, caller: Caller): LwM2mNode {
    if (path.objectId === undefined) throw OperationError.notAllowed('Read on the root path is not an LwM2M operation');
    const e = this.enabler(path.objectId);
    if (path.instanceId === undefined) {
      return lwm2mObject(e.id, e.instanceIds().map((i) => e.readInstance(i, caller)));
    }
    if (path.resourceId === undefined) return e.readInstance(path.instanceId, caller);
    const res = e.readResource(path.instanceId, path.resourceId, caller);
    if (path.resourceInstanceId === undefined) return res;
    if (res.kind !== 'multiResource') throw OperationError.notFound(`${path} is not a resource instance`);
    const value = res.values.get(path.resourceInstanceId);
    if (value === undefined) throw OperationError.notFound(`${path} does not exist`);
    return resourceInstance(path.resourceInstanceId, res.type, value);
  }

  /** True when the path names something that exists (model resource in an existing instance counts). */
  exists(path: LwM2mPath): boolean {
    if (path.objectId === undefined) return true;
    const e = this.enablers.get(path.objectId);
    if (!e) return false;
    if (path.instanceId === undefined) return true;
    if (!e.instanceIds().includes(path.instanceId)) return false;
    if (path.resourceId === undefined) return true;
    return e.model.resources.has(path.resourceId);
  }

  /**
   * Write a decoded node at `path` (an instance, a resource, or one resource instance, which
   * becomes a partial update of its multiple resource).
   */
  async write(path: LwM2mPath, node: LwM2mNode, replace: boolean, caller: Caller): Promise<void> {
    if (path.objectId === undefined || path.instanceId === undefined) throw OperationError.notAllowed(`Write is not allowed on ${path}`);
    const e = this.enabler(path.objectId);
    if (path.resourceId === undefined) {
      if (node.kind !== 'instance') throw OperationError.badRequest(`Payload for ${path} is not an object instance`);
      if (node.id !== path.instanceId) throw OperationError.badRequest(`Payload instance ${node.id} does not match ${path}`);
      await e.write(path.instanceId, [...node.resources.values()], { replace, instance: true }, caller);
      return;
    }
    if (path.resourceInstanceId === undefined) {
      if (node.kind !== 'singleResource' && node.kind !== 'multiResource') throw OperationError.badRequest(`Payload for ${path} is not a resource`);
      if (node.id !== path.resourceId) throw OperationError.badRequest(`Payload resource ${node.id} does not match ${path}`);
      await e.write(path.instanceId, [node], { replace, instance: false }, caller);
      return;
    }
    if (node.kind !== 'resourceInstance' || node.id !== path.resourceInstanceId) throw OperationError.badRequest(`Payload for ${path} is not that resource instance`);
    await e.write(path.instanceId, [multiResource(path.resourceId, node.type, [[node.id, node.value]])], { replace: false, instance: false }, caller);
  }

  /** Every object as stored (for the state file). */
  snapshot(): LwM2mObject[] { return this.all().map((e) => e.snapshot()); }

  restore(objects: Iterable<LwM2mObject>): void {
    for (const o of objects) this.enablers.get(o.id)?.restore(o);
  }

  reset(): void { for (const e of this.enablers.values()) e.reset(); }

  /** A path to use in change matching: true when the change at `changed` affects `observed`. */
  static affects(changed: LwM2mPath, observed: LwM2mPath): boolean {
    return changed.startsWith(observed) || observed.startsWith(changed);
  }

  /** Shorthand for a path built from ids. */
  static path(...ids: number[]): LwM2mPath { return new LwM2mPath(ids[0], ids[1], ids[2], ids[3]); }
}

/**
 * The generic in-memory object enabler: instances stored as node trees shaped by the object's
 * model, the model's rules enforced (operations, multiplicity, types), and per-resource hooks
 * for what the device does: compute a value on read (Current Time), react to a write (Package
 * URI), run an execute (Reboot). The standard objects and later the custom ones are built on it.
 *
 * Example:
 *   const temp = new ModelObjectEnabler(models.getObject(3303)!, {
 *     instances: [{ id: 0, values: { 5700: 21.5, 5701: 'Cel' } }],
 *     resources: { 5605: { execute: () => resetMinMax() } },
 *   });
 *   temp.set(0, 5700, 22.0); // notifies observers
 */
import type { ObjectModel, ResourceModel } from '../objects/model';
import {
  lwm2mObject, multiResource, objectInstance, singleResource,
  type LwM2mObject, type ObjectInstance, type ResourceNode, type ResourceValue,
} from '../objects/node';
import { LwM2mPath } from '../objects/path';
import { OperationError } from './errors';
import type { ExecuteArgs } from './execute-args';
import type { Caller, ChangeListener, ObjectEnabler, WriteMode } from './object-enabler';
import { checkValue, sameValue } from './resource-value';

/** What the device does on one resource. Hooks throw OperationError to refuse. */
export interface ResourceHooks {
  /** Computes the value at each read instead of the stored one. */
  read?(instanceId: number): ResourceValue | ReadonlyMap<number, ResourceValue>;
  /** Runs after validation and before the value is stored; throwing refuses the write. */
  write?(instanceId: number, node: ResourceNode, caller: Caller): void | Promise<void>;
  /** The action of an executable resource. */
  execute?(instanceId: number, args: ExecuteArgs, caller: Caller): void | Promise<void>;
}

/** Initial values: resource id → value (a Map or an array for multiple resources). */
export type InstanceValues = Readonly<Record<number, unknown>>;

export interface ModelObjectEnablerOptions {
  /** The factory instances (also what reset() returns to). Default none. */
  readonly instances?: ReadonlyArray<{ readonly id: number; readonly values: InstanceValues }>;
  /** Hooks per resource id. */
  readonly resources?: Readonly<Record<number, ResourceHooks>>;
  /** Runs before an instance is created by a server; throwing refuses. */
  onCreate?(instanceId: number, caller: Caller): void | Promise<void>;
  /** Runs before an instance is deleted by a server; throwing refuses. */
  onDelete?(instanceId: number, caller: Caller): void | Promise<void>;
  /** Whether a DM server may delete instances. Default true. */
  readonly deletable?: boolean;
}

export class ModelObjectEnabler implements ObjectEnabler {
  readonly id: number;
  private instances = new Map<number, Map<number, ResourceNode>>();
  private readonly factory: ReadonlyMap<number, ReadonlyMap<number, ResourceNode>>;
  private listener: ChangeListener = () => undefined;

  constructor(readonly model: ObjectModel, private readonly options: ModelObjectEnablerOptions = {}) {
    this.id = model.id;
    const factory = new Map<number, Map<number, ResourceNode>>();
    for (const { id, values } of options.instances ?? []) {
      const resources = new Map<number, ResourceNode>();
      for (const [rid, value] of Object.entries(values)) {
        const node = this.nodeFor(Number(rid), value);
        resources.set(node.id, node);
      }
      factory.set(id, resources);
    }
    this.factory = factory;
    this.reset();
  }

  attach(listener: ChangeListener): void { this.listener = listener; }

  instanceIds(): number[] { return [...this.instances.keys()].sort((a, b) => a - b); }

  hasInstance(instanceId: number): boolean { return this.instances.has(instanceId); }

  /** The stored (or computed) value of a single resource, undefined when absent. Device side. */
  get(instanceId: number, resourceId: number): ResourceValue | undefined {
    const node = this.current(instanceId, resourceId);
    return node?.kind === 'singleResource' ? node.value : undefined;
  }

  /** The node of a resource, computed by its read hook when it has one. Device side. */
  getNode(instanceId: number, resourceId: number): ResourceNode | undefined {
    return this.current(instanceId, resourceId);
  }

  /** Set a resource from the device side (no operation check); observers are notified on change. */
  set(instanceId: number, resourceId: number, value: unknown): void {
    const inst = this.instances.get(instanceId);
    if (!inst) throw OperationError.notFound(`/${this.id}/${instanceId} does not exist`);
    const node = this.nodeFor(resourceId, value);
    const before = inst.get(resourceId);
    inst.set(resourceId, node);
    if (!sameNode(before, node)) this.listener(new LwM2mPath(this.id, instanceId, resourceId));
  }

  /** Remove an optional resource from the device side. */
  unset(instanceId: number, resourceId: number): void {
    if (this.instances.get(instanceId)?.delete(resourceId)) this.listener(new LwM2mPath(this.id, instanceId, resourceId));
  }

  readInstance(instanceId: number, caller: Caller): ObjectInstance {
    const inst = this.instances.get(instanceId);
    if (!inst) throw OperationError.notFound(`/${this.id}/${instanceId} does not exist`);
    const nodes: ResourceNode[] = [];
    for (const rid of [...inst.keys(), ...this.computedIds()].filter(unique).sort((a, b) => a - b)) {
      const res = this.model.resources.get(rid);
      if (!res || (caller.kind === 'server' && !res.operations.includes('R'))) continue;
      const node = this.current(instanceId, rid);
      if (node) nodes.push(node);
    }
    return objectInstance(instanceId, nodes);
  }

  readResource(instanceId: number, resourceId: number, caller: Caller): ResourceNode {
    if (!this.instances.has(instanceId)) throw OperationError.notFound(`/${this.id}/${instanceId} does not exist`);
    const res = this.model.resources.get(resourceId);
    if (!res) throw OperationError.notFound(`/${this.id}/${instanceId}/${resourceId} is not in the model`);
    if (caller.kind === 'server' && !res.operations.includes('R')) throw OperationError.notAllowed(`/${this.id}/${instanceId}/${resourceId} is not readable`);
    const node = this.current(instanceId, resourceId);
    if (!node) throw OperationError.notFound(`/${this.id}/${instanceId}/${resourceId} has no value`);
    return node;
  }

  async write(instanceId: number, resources: readonly ResourceNode[], mode: WriteMode, caller: Caller): Promise<void> {
    let inst = this.instances.get(instanceId);
    if (!inst && caller.kind !== 'bootstrap') throw OperationError.notFound(`/${this.id}/${instanceId} does not exist`);
    if (!inst && !this.model.multiple && this.instances.size > 0) throw OperationError.badRequest(`/${this.id} is single-instance`);
    const checked = resources.map((n) => this.checkWrite(n, caller));
    for (const node of checked) await this.options.resources?.[node.id]?.write?.(instanceId, node, caller);
    const created = !inst;
    if (!inst) { inst = new Map(); this.instances.set(instanceId, inst); }
    const changed: number[] = [];
    if (mode.replace && mode.instance) {
      for (const [rid] of inst) {
        const res = this.model.resources.get(rid);
        const writable = caller.kind !== 'server' || (res?.operations.includes('W') ?? false);
        if (writable && !res?.mandatory && !checked.some((n) => n.id === rid)) { inst.delete(rid); changed.push(rid); }
      }
    }
    for (const node of checked) {
      const before = inst.get(node.id);
      const next = !mode.replace && node.kind === 'multiResource' && before?.kind === 'multiResource'
        ? multiResource(node.id, node.type, [...before.values, ...node.values])
        : node;
      inst.set(node.id, next);
      if (!sameNode(before, next)) changed.push(node.id);
    }
    if (created) this.listener(new LwM2mPath(this.id, instanceId));
    for (const rid of changed) this.listener(new LwM2mPath(this.id, instanceId, rid));
  }

  async execute(instanceId: number, resourceId: number, args: ExecuteArgs, caller: Caller): Promise<void> {
    if (!this.instances.has(instanceId)) throw OperationError.notFound(`/${this.id}/${instanceId} does not exist`);
    const res = this.model.resources.get(resourceId);
    if (!res) throw OperationError.notFound(`/${this.id}/${instanceId}/${resourceId} is not in the model`);
    if (res.operations !== 'E') throw OperationError.notAllowed(`/${this.id}/${instanceId}/${resourceId} is not executable`);
    const hook = this.options.resources?.[resourceId]?.execute;
    if (!hook) throw OperationError.notAllowed(`/${this.id}/${instanceId}/${resourceId} has no action on this device`);
    await hook(instanceId, args, caller);
  }

  async create(instanceId: number | undefined, resources: readonly ResourceNode[], caller: Caller): Promise<number> {
    if (!this.model.multiple && this.instances.size > 0) throw OperationError.badRequest(`/${this.id} is single-instance and has its instance`);
    const id = instanceId ?? this.freeId();
    if (this.instances.has(id)) throw OperationError.badRequest(`/${this.id}/${id} already exists`);
    const checked = resources.map((n) => this.checkWrite(n, caller.kind === 'server' ? { kind: 'device' } : caller));
    await this.options.onCreate?.(id, caller);
    this.instances.set(id, new Map(checked.map((n) => [n.id, n])));
    this.listener(new LwM2mPath(this.id, id));
    return id;
  }

  async delete(instanceId: number, caller: Caller): Promise<void> {
    if (!this.instances.has(instanceId)) throw OperationError.notFound(`/${this.id}/${instanceId} does not exist`);
    if (caller.kind === 'server' && this.options.deletable === false) throw OperationError.notAllowed(`/${this.id}/${instanceId} cannot be deleted`);
    await this.options.onDelete?.(instanceId, caller);
    this.instances.delete(instanceId);
    this.listener(new LwM2mPath(this.id, instanceId));
  }

  reset(): void {
    this.instances = new Map([...this.factory].map(([id, res]) => [id, new Map(res)]));
    this.listener(new LwM2mPath(this.id));
  }

  snapshot(): LwM2mObject {
    return lwm2mObject(this.id, [...this.instances].map(([id, res]) => objectInstance(id, res.values())));
  }

  restore(object: LwM2mObject): void {
    const next = new Map<number, Map<number, ResourceNode>>();
    for (const inst of object.instances.values()) {
      next.set(inst.id, new Map([...inst.resources.values()].map((n) => [n.id, this.checkWrite(n, { kind: 'device' })])));
    }
    this.instances = next;
    this.listener(new LwM2mPath(this.id));
  }

  private current(instanceId: number, resourceId: number): ResourceNode | undefined {
    const inst = this.instances.get(instanceId);
    if (!inst) return undefined;
    const hook = this.options.resources?.[resourceId]?.read;
    if (hook) return this.nodeFor(resourceId, hook(instanceId));
    return inst.get(resourceId);
  }

  private computedIds(): number[] {
    return Object.entries(this.options.resources ?? {}).filter(([, h]) => h.read).map(([rid]) => Number(rid));
  }

  private freeId(): number {
    let id = 0;
    while (this.instances.has(id)) id++;
    return id;
  }

  /** Validate a node against the model for `caller`; returns it with the model's type. */
  private checkWrite(node: ResourceNode, caller: Caller): ResourceNode {
    const res = this.model.resources.get(node.id);
    const where = `/${this.id}/?/${node.id}`;
    if (!res) throw OperationError.notFound(`${where} is not in the model`);
    if (caller.kind === 'server' && !res.operations.includes('W')) throw OperationError.notAllowed(`${where} is not writable`);
    if (res.operations === 'E') throw OperationError.notAllowed(`${where} is executable, not writable`);
    if (res.multiple !== (node.kind === 'multiResource')) {
      throw OperationError.badRequest(`${where} is ${res.multiple ? 'a multiple' : 'a single'} resource`);
    }
    return this.nodeFor(node.id, node.kind === 'multiResource' ? node.values : node.value, res);
  }

  private nodeFor(resourceId: number, value: unknown, res?: ResourceModel): ResourceNode {
    const model = res ?? this.model.resources.get(resourceId);
    if (!model) throw OperationError.notFound(`/${this.id}/?/${resourceId} is not in the model`);
    const what = `/${this.id}/?/${resourceId}`;
    if (!model.multiple) return singleResource(resourceId, model.type, checkValue(model.type, value, what));
    const entries: Array<[number, unknown]> = value instanceof Map ? [...value] : Array.isArray(value) ? value.map((v, i) => [i, v]) : [];
    if (!(value instanceof Map) && !Array.isArray(value)) throw OperationError.badRequest(`${what} needs multiple values`);
    return multiResource(resourceId, model.type, entries.map(([i, v]) => {
      if (!Number.isInteger(i) || i < 0 || i > 65534) throw OperationError.badRequest(`${what}: bad instance id ${i}`);
      return [i, checkValue(model.type, v, `${what}/${i}`)];
    }));
  }
}

function unique<T>(v: T, i: number, all: T[]): boolean { return all.indexOf(v) === i; }

function sameNode(a: ResourceNode | undefined, b: ResourceNode | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind === 'singleResource' && b.kind === 'singleResource') return sameValue(a.value, b.value);
  if (a.kind === 'multiResource' && b.kind === 'multiResource') {
    return a.values.size === b.values.size && [...a.values].every(([i, v]) => b.values.has(i) && sameValue(v, b.values.get(i)));
  }
  return false;
}

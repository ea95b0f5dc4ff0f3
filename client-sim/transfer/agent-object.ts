/**
 * The base of the transfer agent's three objects: a ModelObjectEnabler whose changes the agent
 * hears (to persist them in its own state file, in one write with its step) and whose contents
 * the agent owns. When the agent keeps a state file, the copy in the client's state file is
 * ignored on restore: the agent's file is written atomically together with the transfer step,
 * so it is the one that agrees with the step after a crash.
 */
import type { ObjectModel } from '../../objects/model';
import { singleResource, type LwM2mObject, type ResourceNode } from '../../objects/node';
import type { LwM2mPath } from '../../objects/path';
import { OperationError } from '../errors';
import { ModelObjectEnabler, type ModelObjectEnablerOptions } from '../model-object-enabler';
import type { Caller, ChangeListener } from '../object-enabler';
import { checkValue } from '../resource-value';

/** What the objects need from the agent. */
export interface AgentObjectOwner {
  /** True when the agent persists the objects itself (its state file). */
  readonly ownsState: boolean;
  /** An object changed (persist). */
  changed(path: LwM2mPath): void;
  /** The object was reset to its factory state (Device / Factory Reset). */
  wasReset(objectId: number): void;
  /** Throws OperationError when `caller` (a server) may not change object `objectId` now. */
  guardServerChange(caller: Caller, objectId: number): void;
}

export class AgentObjectEnabler extends ModelObjectEnabler {
  private readonly owner?: AgentObjectOwner;

  constructor(model: ObjectModel, options: ModelObjectEnablerOptions, owner: AgentObjectOwner) {
    super(model, options);
    this.owner = owner;
    super.attach((p) => owner.changed(p));
  }

  override attach(listener: ChangeListener): void {
    const owner = this.owner!;
    super.attach((p) => { listener(p); owner.changed(p); });
  }

  override restore(object: LwM2mObject): void {
    if (this.owner?.ownsState) return;
    super.restore(object);
  }

  /** Restore from the agent's own file. */
  restoreOwn(object: LwM2mObject): void {
    super.restore(object);
  }

  override reset(): void {
    super.reset();
    // called by the base constructor too, before the owner is set
    this.owner?.wasReset(this.id);
  }

  /** A resource node of this object's model from a plain value (4.00 when it does not fit). */
  nodeOf(resourceId: number, value: unknown): ResourceNode {
    const model = this.model.resources.get(resourceId);
    if (!model || model.multiple) throw OperationError.notFound(`/${this.id}/?/${resourceId} is not a single resource of the model`);
    return singleResource(resourceId, model.type, checkValue(model.type, value, `/${this.id}/?/${resourceId}`));
  }
}

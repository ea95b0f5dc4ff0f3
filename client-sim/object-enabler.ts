/**
 * The per-object contract of the simulated client (Leshan calls it an object enabler): one
 * ObjectEnabler answers every operation on one LwM2M object. The request handlers resolve
 * paths, formats and permissions of the *interface* (DM server, bootstrap server); the enabler
 * owns the instances and the model rules (operations, multiplicity, types).
 *
 * Methods throw OperationError (client-sim/errors.ts) to refuse; the refusal changes nothing.
 * Most objects are a ModelObjectEnabler with hooks (model-object-enabler.ts); an object with
 * unusual storage implements this interface itself.
 */
import type { ObjectModel } from '../objects/model';
import type { LwM2mObject, ObjectInstance, ResourceNode } from '../objects/node';
import type { LwM2mPath } from '../objects/path';
import type { ExecuteArgs } from './execute-args';

/** Who performs an operation: the DM server (by short server id), the bootstrap server, or the device itself. */
export type Caller =
  | { readonly kind: 'server'; readonly shortServerId?: number }
  | { readonly kind: 'bootstrap' }
  | { readonly kind: 'device' };

export const DEVICE: Caller = Object.freeze({ kind: 'device' });
export const BOOTSTRAP: Caller = Object.freeze({ kind: 'bootstrap' });

/** How a Write applies: `replace` (PUT) or partial `update` (POST); `instance` when the target is a whole instance. */
export interface WriteMode {
  readonly replace: boolean;
  readonly instance: boolean;
}

/** Called with the path of whatever changed (resource, instance, or object for create/delete). */
export type ChangeListener = (path: LwM2mPath) => void;

export interface ObjectEnabler {
  readonly id: number;
  readonly model: ObjectModel;

  /** Existing instance ids, ascending. */
  instanceIds(): number[];
  /** The instance with the resources `caller` may read. 4.04 when absent. */
  readInstance(instanceId: number, caller: Caller): ObjectInstance;
  /** One resource (single or multiple). 4.04 absent, 4.05 not readable. */
  readResource(instanceId: number, resourceId: number, caller: Caller): ResourceNode;
  /** Write resources of one instance (Write, Bootstrap-Write, Write-Composite). */
  write(instanceId: number, resources: readonly ResourceNode[], mode: WriteMode, caller: Caller): Promise<void>;
  /** Execute a resource with its arguments. */
  execute(instanceId: number, resourceId: number, args: ExecuteArgs, caller: Caller): Promise<void>;
  /** Create an instance (id chosen by the enabler when undefined); resolves to its id. */
  create(instanceId: number | undefined, resources: readonly ResourceNode[], caller: Caller): Promise<number>;
  /** Delete an instance. */
  delete(instanceId: number, caller: Caller): Promise<void>;

  /** Back to the factory state (Device / Factory Reset). */
  reset(): void;
  /** The whole object as stored, for the state file. */
  snapshot(): LwM2mObject;
  /** Replace the stored instances with a snapshot (state file load). */
  restore(object: LwM2mObject): void;
  /** Register the listener told about every change. */
  attach(listener: ChangeListener): void;
}

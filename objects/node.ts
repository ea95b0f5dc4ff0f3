/**
 * The LwM2M node tree: what a Read returns and a Write carries. A tagged union, immutable by
 * convention, with kinds named as in Leshan's JSON (obj, instance, singleResource,
 * multiResource, resourceInstance, root).
 */
import type { ResourceType } from './model';

/** An object link value (OBJLNK): objectId:instanceId; 65535:65535 is the null link. */
export interface ObjLink {
  readonly objectId: number;
  readonly instanceId: number;
}

/**
 * A resource value in memory, by ResourceType:
 * STRING, CORELNK → string; INTEGER, UNSIGNED_INTEGER → bigint; FLOAT → number;
 * BOOLEAN → boolean; OPAQUE → Uint8Array; TIME → Date; OBJLNK → ObjLink; NONE → null.
 */
export type ResourceValue = string | bigint | number | boolean | Uint8Array | Date | ObjLink | null;

export interface SingleResource {
  readonly kind: 'singleResource';
  readonly id: number;
  readonly type: ResourceType;
  readonly value: ResourceValue;
}

export interface MultiResource {
  readonly kind: 'multiResource';
  readonly id: number;
  readonly type: ResourceType;
  /** Resource instance id → value. */
  readonly values: ReadonlyMap<number, ResourceValue>;
}

export interface ResourceInstance {
  readonly kind: 'resourceInstance';
  readonly id: number;
  readonly type: ResourceType;
  readonly value: ResourceValue;
}

export type ResourceNode = SingleResource | MultiResource;

export interface ObjectInstance {
  readonly kind: 'instance';
  readonly id: number;
  readonly resources: ReadonlyMap<number, ResourceNode>;
}

export interface LwM2mObject {
  readonly kind: 'obj';
  readonly id: number;
  readonly instances: ReadonlyMap<number, ObjectInstance>;
}

export interface LwM2mRoot {
  readonly kind: 'root';
  readonly objects: ReadonlyMap<number, LwM2mObject>;
}

export type LwM2mNode = LwM2mRoot | LwM2mObject | ObjectInstance | SingleResource | MultiResource | ResourceInstance;

/** A node with the time it was measured (SenML `bt`+`t`), for Send and timestamped notifications. */
export interface TimestampedNode {
  readonly timestamp?: Date;
  readonly node: LwM2mNode;
}

export const NULL_OBJLNK: ObjLink = Object.freeze({ objectId: 65535, instanceId: 65535 });

export function singleResource(id: number, type: ResourceType, value: ResourceValue): SingleResource {
  return { kind: 'singleResource', id, type, value };
}

export function multiResource(id: number, type: ResourceType, values: Iterable<[number, ResourceValue]>): MultiResource {
  return { kind: 'multiResource', id, type, values: new Map(values) };
}

export function resourceInstance(id: number, type: ResourceType, value: ResourceValue): ResourceInstance {
  return { kind: 'resourceInstance', id, type, value };
}

export function objectInstance(id: number, resources: Iterable<ResourceNode>): ObjectInstance {
  return { kind: 'instance', id, resources: new Map([...resources].map((r) => [r.id, r])) };
}

export function lwm2mObject(id: number, instances: Iterable<ObjectInstance>): LwM2mObject {
  return { kind: 'obj', id, instances: new Map([...instances].map((i) => [i.id, i])) };
}

/**
 * What the single-value formats (text/plain, opaque, plain CBOR) share: they carry exactly one
 * resource or resource instance value (LwM2M 1.1 Core §7.4.1/§7.4.2), never a multiple resource,
 * an instance or an object. Other targets are UnsupportedFormatError (→ 4.15 / 4.06).
 */
import type { ModelProvider, ResourceType } from '../model';
import { resourceInstance, singleResource, type LwM2mNode, type ResourceValue } from '../node';
import type { LwM2mPath } from '../path';
import { UnsupportedFormatError } from '../errors';
import { checkNodeAtPath } from './node-leaves';

/** The node's value and type, when `node` is a single value this format may carry. */
export function singleValueOf(node: LwM2mNode, path: LwM2mPath, format: number): { type: ResourceType; value: ResourceValue } {
  checkNodeAtPath(node, path);
  if (node.kind !== 'singleResource' && node.kind !== 'resourceInstance') {
    throw new UnsupportedFormatError(format, `content format for a ${node.kind} (${path}):`);
  }
  return { type: node.type, value: node.value };
}

/**
 * The model type of the value at `path` (undefined when no model knows it), after checking that
 * the path names a single resource or a resource instance.
 */
export function singleValueType(path: LwM2mPath, format: number, models: ModelProvider): ResourceType | undefined {
  if (path.depth < 3) throw new UnsupportedFormatError(format, `content format for ${path}:`);
  const model = models.getResource(path.objectId as number, path.resourceId as number);
  if (model?.multiple && path.depth === 3) throw new UnsupportedFormatError(format, `content format for the multiple resource ${path}:`);
  return model?.type;
}

/** The node for a decoded single value at `path` (depth 3 or 4). */
export function singleValueNode(path: LwM2mPath, type: ResourceType, value: ResourceValue): LwM2mNode {
  return path.depth === 4
    ? resourceInstance(path.resourceInstanceId as number, type, value)
    : singleResource(path.resourceId as number, type, value);
}

/**
 * Navigating the node tree: the node found at a deeper path inside a node (e.g. /3/0/6/1 inside
 * the instance read at /3/0), for composite grouping, observe filtering and the REST API.
 */
import { resourceInstance, type LwM2mNode } from './node';
import type { LwM2mPath } from './path';

/**
 * The node at `target` inside `node` (which sits at `nodePath`), or undefined when `target` is
 * not below `nodePath` or has no node there.
 */
export function nodeAtPath(node: LwM2mNode, nodePath: LwM2mPath, target: LwM2mPath): LwM2mNode | undefined {
  if (!target.startsWith(nodePath)) return undefined;
  let current: LwM2mNode | undefined = node;
  for (const id of target.ids().slice(nodePath.depth)) {
    if (current === undefined) return undefined;
    switch (current.kind) {
      case 'root':
        current = current.objects.get(id);
        break;
      case 'obj':
        current = current.instances.get(id);
        break;
      case 'instance':
        current = current.resources.get(id);
        break;
      case 'multiResource': {
        if (!current.values.has(id)) return undefined;
        current = resourceInstance(id, current.type, current.values.get(id) as never);
        break;
      }
      default:
        return undefined;
    }
  }
  return current;
}

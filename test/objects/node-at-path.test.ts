/** nodeAtPath: finding a deeper node inside a node. */
import { lwm2mObject, multiResource, objectInstance, resourceInstance, singleResource } from '../../objects/node';
import { nodeAtPath } from '../../objects/node-at-path';
import { LwM2mPath } from '../../objects/path';

const P = (s: string) => LwM2mPath.parse(s);
const inst = objectInstance(0, [singleResource(9, 'INTEGER', 100n), multiResource(6, 'INTEGER', [[1, 5n]])]);
const obj = lwm2mObject(3, [inst]);

describe('nodeAtPath', () => {
  it('walks down from any level', () => {
    expect(nodeAtPath(obj, P('/3'), P('/3'))).toBe(obj);
    expect(nodeAtPath(obj, P('/3'), P('/3/0'))).toBe(inst);
    expect(nodeAtPath(obj, P('/3'), P('/3/0/9'))).toEqual(singleResource(9, 'INTEGER', 100n));
    expect(nodeAtPath(inst, P('/3/0'), P('/3/0/6/1'))).toEqual(resourceInstance(1, 'INTEGER', 5n));
    expect(nodeAtPath({ kind: 'root', objects: new Map([[3, obj]]) }, P('/'), P('/3/0/9'))).toEqual(singleResource(9, 'INTEGER', 100n));
  });

  it('is undefined for missing nodes and paths outside', () => {
    expect(nodeAtPath(obj, P('/3'), P('/3/1'))).toBeUndefined();
    expect(nodeAtPath(obj, P('/3'), P('/4/0'))).toBeUndefined();
    expect(nodeAtPath(inst, P('/3/0'), P('/3/0/6/2'))).toBeUndefined();
    expect(nodeAtPath(inst, P('/3/0'), P('/3/0/9/0'))).toBeUndefined();
  });
});

/**
 * LwM2M paths: /, /o, /o/i, /o/i/r, /o/i/r/ri. Immutable; parse() refuses anything malformed
 * with an InvalidInputError (ids are 0..65535, 65535 reserved as "no id").
 */
import { InvalidInputError } from '../common/errors';

export class LwM2mPath {
  readonly objectId?: number;
  readonly instanceId?: number;
  readonly resourceId?: number;
  readonly resourceInstanceId?: number;

  constructor(objectId?: number, instanceId?: number, resourceId?: number, resourceInstanceId?: number) {
    const ids = [objectId, instanceId, resourceId, resourceInstanceId];
    let seenUndefined = false;
    for (const id of ids) {
      if (id === undefined) { seenUndefined = true; continue; }
      if (seenUndefined) throw new InvalidInputError('Invalid path: an id follows a missing one');
      if (!Number.isInteger(id) || id < 0 || id > 65534) throw new InvalidInputError(`Invalid path: id ${id} out of range`);
    }
    this.objectId = objectId;
    this.instanceId = instanceId;
    this.resourceId = resourceId;
    this.resourceInstanceId = resourceInstanceId;
  }

  static readonly ROOT = new LwM2mPath();

  /** Parse "/3/0/1" (leading slash optional, trailing slash tolerated). */
  static parse(text: string): LwM2mPath {
    const t = text.trim();
    if (t === '' || t === '/') return LwM2mPath.ROOT;
    const parts = t.replace(/^\//, '').replace(/\/$/, '').split('/');
    if (parts.length > 4) throw new InvalidInputError(`Invalid path: ${text}`);
    const ids = parts.map((p) => {
      if (!/^\d{1,5}$/.test(p)) throw new InvalidInputError(`Invalid path: ${text}`);
      return Number(p);
    });
    return new LwM2mPath(ids[0], ids[1], ids[2], ids[3]);
  }

  get depth(): 0 | 1 | 2 | 3 | 4 {
    if (this.objectId === undefined) return 0;
    if (this.instanceId === undefined) return 1;
    if (this.resourceId === undefined) return 2;
    if (this.resourceInstanceId === undefined) return 3;
    return 4;
  }

  isRoot(): boolean { return this.depth === 0; }
  isObject(): boolean { return this.depth === 1; }
  isObjectInstance(): boolean { return this.depth === 2; }
  isResource(): boolean { return this.depth === 3; }
  isResourceInstance(): boolean { return this.depth === 4; }

  /** The ids present, in order. */
  ids(): number[] {
    return [this.objectId, this.instanceId, this.resourceId, this.resourceInstanceId].filter((x): x is number => x !== undefined);
  }

  /** A child path one level deeper. */
  child(id: number): LwM2mPath {
    const ids = this.ids();
    if (ids.length >= 4) throw new InvalidInputError('Invalid path: no level below a resource instance');
    ids.push(id);
    return new LwM2mPath(ids[0], ids[1], ids[2], ids[3]);
  }

  parent(): LwM2mPath {
    const ids = this.ids().slice(0, -1);
    return new LwM2mPath(ids[0], ids[1], ids[2], ids[3]);
  }

  /** True when `other` equals this path or lies below it. */
  startsWith(other: LwM2mPath): boolean {
    const a = this.ids();
    const b = other.ids();
    return b.length <= a.length && b.every((v, i) => a[i] === v);
  }

  equals(other: LwM2mPath): boolean {
    return this.toString() === other.toString();
  }

  toString(): string {
    return '/' + this.ids().join('/');
  }
}

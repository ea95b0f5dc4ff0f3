/**
 * Notification attributes (LwM2M 1.1 Core §5.1.2; epmin/epmax from 1.1 too): what Write-Attributes
 * sets and Discover shows, stored per path, inherited object → instance → resource, with the
 * Server object's Default Minimum / Maximum Period below them all. Pure: no timers here.
 */
import type { ResourceType } from '../objects/model';
import { LwM2mPath } from '../objects/path';
import { OperationError } from './errors';

export interface NotificationAttributes {
  readonly pmin?: number;
  readonly pmax?: number;
  readonly gt?: number;
  readonly lt?: number;
  readonly st?: number;
  readonly epmin?: number;
  readonly epmax?: number;
}

type Name = keyof NotificationAttributes;
const INTEGER_ATTRS: readonly Name[] = ['pmin', 'pmax', 'epmin', 'epmax'];
const NUMBER_ATTRS: readonly Name[] = ['gt', 'lt', 'st'];
const ORDER: readonly Name[] = ['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax'];
const NUMERIC_TYPES: readonly ResourceType[] = ['INTEGER', 'UNSIGNED_INTEGER', 'FLOAT'];

/** A parsed Write-Attributes query: values to set, names to remove (given without "="). */
export interface AttributeUpdate {
  readonly set: NotificationAttributes;
  readonly unset: readonly Name[];
}

/** Parse Write-Attributes query pairs; 4.00 on unknown names, bad numbers, or gt/lt/st above resource level. */
export function parseAttributeQuery(query: ReadonlyArray<readonly [string, string | null]>, path: LwM2mPath, type: ResourceType | undefined): AttributeUpdate {
  if (query.length === 0) throw OperationError.badRequest('Write-Attributes without attributes');
  const set: Record<string, number> = {};
  const unset: Name[] = [];
  for (const [key, value] of query) {
    if (!(ORDER as readonly string[]).includes(key)) throw OperationError.badRequest(`Unknown or read-only attribute "${key}"`);
    const name = key as Name;
    if (NUMBER_ATTRS.includes(name)) {
      if (path.depth < 3) throw OperationError.badRequest(`"${name}" applies to resources only`);
      if (type === undefined || !NUMERIC_TYPES.includes(type)) throw OperationError.badRequest(`"${name}" applies to numeric resources only`);
    }
    if (value === null) { unset.push(name); continue; }
    const ok = INTEGER_ATTRS.includes(name) ? /^\d{1,9}$/.test(value) : /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value);
    if (!ok) throw OperationError.badRequest(`Attribute "${name}" has an invalid value "${value}"`);
    const n = Number(value);
    if (name === 'st' && n < 0) throw OperationError.badRequest('"st" must not be negative');
    set[name] = n;
  }
  return { set, unset };
}

/** Attributes per path, as one server set them. */
export class AttributeStore {
  private readonly byPath = new Map<string, NotificationAttributes>();

  /** The attributes set exactly at `path`. */
  own(path: LwM2mPath): NotificationAttributes { return this.byPath.get(path.toString()) ?? {}; }

  /** Apply an update at `path`; 4.00 (nothing stored) when the result is inconsistent (lt/gt/st). */
  apply(path: LwM2mPath, update: AttributeUpdate): void {
    const next: Record<string, number> = { ...this.own(path) };
    for (const n of update.unset) delete next[n];
    Object.assign(next, update.set);
    const eff = { ...this.effective(path), ...next } as NotificationAttributes;
    if (eff.lt !== undefined && eff.gt !== undefined) {
      if (!(eff.lt < eff.gt)) throw OperationError.badRequest('"lt" must be less than "gt"');
      if (eff.st !== undefined && !(eff.lt + 2 * eff.st < eff.gt)) throw OperationError.badRequest('"lt" + 2 × "st" must be less than "gt"');
    }
    if (Object.keys(next).length === 0) this.byPath.delete(path.toString());
    else this.byPath.set(path.toString(), next);
  }

  /** Inherited attributes for `path` (object, then instance, then resource, then resource instance). */
  effective(path: LwM2mPath, defaults: NotificationAttributes = {}): NotificationAttributes {
    const ids = path.ids();
    let out: Record<string, number> = { ...defaults };
    for (let d = 1; d <= ids.length; d++) {
      const p = new LwM2mPath(ids[0], d > 1 ? ids[1] : undefined, d > 2 ? ids[2] : undefined, d > 3 ? ids[3] : undefined);
      out = { ...out, ...this.own(p) };
    }
    return out;
  }

  /** Forget attributes at or below `path` (instance deleted). */
  removeBelow(path: LwM2mPath): void {
    for (const key of [...this.byPath.keys()]) if (LwM2mPath.parse(key).startsWith(path)) this.byPath.delete(key);
  }

  clear(): void { this.byPath.clear(); }

  /** For the state file. */
  entries(): Array<[string, NotificationAttributes]> { return [...this.byPath]; }
  load(entries: Iterable<[string, NotificationAttributes]>): void {
    this.byPath.clear();
    for (const [k, v] of entries) this.byPath.set(LwM2mPath.parse(k).toString(), v);
  }
}

/** Link attributes for Discover, in spec order. */
export function attributeParams(attrs: NotificationAttributes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of ORDER) if (attrs[n] !== undefined) out[n] = String(attrs[n]);
  return out;
}

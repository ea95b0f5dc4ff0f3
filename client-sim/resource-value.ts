/**
 * Checking and normalising resource values against their model type (objects/node.ts lists the
 * in-memory representation per ResourceType). Device code may pass plain numbers for integers
 * and times; values arriving from a server must already have the right shape.
 */
import type { ResourceType } from '../objects/model';
import type { ObjLink, ResourceValue } from '../objects/node';
import { OperationError } from './errors';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** The value in its canonical shape for `type`, or a 4.00 OperationError naming `what`. */
export function checkValue(type: ResourceType, value: unknown, what: string): ResourceValue {
  const bad = (): never => { throw OperationError.badRequest(`${what}: not a valid ${type} value`); };
  switch (type) {
    case 'STRING':
    case 'CORELNK':
      return typeof value === 'string' ? value : bad();
    case 'INTEGER':
    case 'UNSIGNED_INTEGER': {
      let n: bigint;
      if (typeof value === 'bigint') n = value;
      else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
      else return bad();
      const min = type === 'INTEGER' ? INT64_MIN : 0n;
      const max = type === 'INTEGER' ? INT64_MAX : UINT64_MAX;
      return n >= min && n <= max ? n : bad();
    }
    case 'FLOAT':
      if (typeof value === 'number' && !Number.isNaN(value)) return value;
      if (typeof value === 'bigint') return Number(value);
      return bad();
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : bad();
    case 'OPAQUE':
      return value instanceof Uint8Array ? value : bad();
    case 'TIME':
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
      if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
      if (typeof value === 'bigint') return new Date(Number(value) * 1000);
      return bad();
    case 'OBJLNK':
      return isObjLink(value) ? { objectId: value.objectId, instanceId: value.instanceId } : bad();
    case 'NONE':
      return value === null || value === undefined ? null : bad();
  }
}

function isObjLink(v: unknown): v is ObjLink {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const ok = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 65535;
  return ok(o.objectId) && ok(o.instanceId);
}

/** Numeric view of a value for notification attributes (gt, lt, st); undefined when not numeric. */
export function numericValue(value: ResourceValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** True when two values are the same (bytes compared by content). */
export function sameValue(a: ResourceValue | undefined, b: ResourceValue | undefined): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && 'objectId' in a && 'objectId' in b) {
    return a.objectId === b.objectId && a.instanceId === b.instanceId;
  }
  return a === b;
}

/**
 * Resource values as CBOR data items, shared by LwM2M-CBOR (11544) and plain CBOR (60): strings
 * and core links as text strings, integers as CBOR integers, floats as floats (an integral float
 * is written as an integer, which reads back as a FLOAT through the model), booleans as simple
 * values, opaque as byte strings, time as an integer of Unix seconds (tag 1 is accepted on
 * input), object links as text "a:b". Without a model the CBOR type decides: integer → INTEGER,
 * non-integral number → FLOAT, text → STRING, bytes → OPAQUE, boolean → BOOLEAN, tag 1 → TIME.
 */
import type { ResourceType } from '../model';
import type { ObjLink, ResourceValue } from '../node';
import type { LwM2mPath } from '../path';
import { PayloadError } from '../errors';
import { checkValue, dateFromSeconds, objLinkFromText, objLinkToText, secondsFromDate } from '../value';
import { cborInteger } from './senml-cbor-wire';

/** A value of `type` as the item cbor-x should write. */
export function cborItemOf(value: ResourceValue, type: ResourceType): unknown {
  const v = checkValue(value, type);
  switch (type) {
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
      return cborInteger(v as bigint);
    case 'TIME':
      return cborInteger(secondsFromDate(v as Date));
    case 'OBJLNK':
      return objLinkToText(v as ObjLink);
    case 'OPAQUE':
      return Uint8Array.from(v as Uint8Array);
    default:
      return v;
  }
}

/** The type a CBOR item has when no model tells (see the header). */
export function cborItemType(item: unknown): ResourceType | undefined {
  if (typeof item === 'bigint' || (typeof item === 'number' && Number.isInteger(item))) return 'INTEGER';
  if (typeof item === 'number') return 'FLOAT';
  if (typeof item === 'string') return 'STRING';
  if (typeof item === 'boolean') return 'BOOLEAN';
  if (item instanceof Uint8Array) return 'OPAQUE';
  if (item instanceof Date) return 'TIME';
  return undefined;
}

/** A CBOR item as a value of `type` (or of its own type when `type` is undefined). */
export function valueOfCborItem(item: unknown, type: ResourceType | undefined, path: LwM2mPath): { type: ResourceType; value: ResourceValue } {
  const t = type === undefined || type === 'NONE' ? cborItemType(item) : type;
  const wrong = (): never => {
    throw new PayloadError(`CBOR item ${describe(item)} is not a valid ${t ?? 'value'} for ${path}`);
  };
  if (t === undefined) return wrong();
  switch (t) {
    case 'STRING':
    case 'CORELNK':
      return { type: t, value: typeof item === 'string' ? item : wrong() };
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
      if (typeof item === 'bigint') return { type: t, value: checkValue(item, t) };
      return { type: t, value: typeof item === 'number' && Number.isSafeInteger(item) ? checkValue(BigInt(item), t) : wrong() };
    case 'FLOAT':
      return { type: t, value: typeof item === 'number' || typeof item === 'bigint' ? Number(item) : wrong() };
    case 'BOOLEAN':
      return { type: t, value: typeof item === 'boolean' ? item : wrong() };
    case 'OPAQUE':
      return { type: t, value: item instanceof Uint8Array ? Uint8Array.from(item) : wrong() };
    case 'TIME':
      if (item instanceof Date) return { type: t, value: Number.isNaN(item.getTime()) ? wrong() : item };
      return { type: t, value: typeof item === 'bigint' || (typeof item === 'number' && Number.isInteger(item)) ? dateFromSeconds(item) : wrong() };
    case 'OBJLNK':
      return { type: t, value: typeof item === 'string' ? objLinkFromText(item) : wrong() };
    case 'NONE':
      return wrong();
  }
}

function describe(item: unknown): string {
  if (item instanceof Uint8Array) return `<${item.length} bytes>`;
  if (item instanceof Map) return 'map';
  if (Array.isArray(item)) return 'array';
  if (typeof item === 'bigint') return `${item}`;
  return typeof item === 'object' ? String(item?.constructor?.name ?? 'null') : JSON.stringify(item) ?? String(item);
}

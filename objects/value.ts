/**
 * Resource values by type (LwM2M 1.1 Core Appendix C): checking a value against its ResourceType,
 * the plain-text representation (used by the text codec and the REST API), and the small numeric
 * helpers every binary codec needs (integer ranges, seconds ↔ Date, object links as "a:b").
 */
import type { ResourceType } from './model';
import type { ObjLink, ResourceValue } from './node';
import { PayloadError } from './errors';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

const INTEGER_TEXT = /^[+-]?\d+$/;
const UNSIGNED_TEXT = /^\+?\d+$/;
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const OBJLNK_TEXT = /^(\d{1,5}):(\d{1,5})$/;
const BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `v` is an ObjLink ({objectId, instanceId}, both 0..65535). */
export function isObjLink(v: unknown): v is ObjLink {
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array || v instanceof Date) return false;
  const o = v as Record<string, unknown>;
  return isU16(o.objectId) && isU16(o.instanceId);
}

function isU16(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535;
}

/**
 * Check `value` against `type` and return it in its canonical in-memory form. Integral numbers
 * are accepted for INTEGER/UNSIGNED_INTEGER (returned as bigint) and bigints for FLOAT, so that
 * callers may write `singleResource(9, 'INTEGER', 100)`. Throws PayloadError on a mismatch.
 */
export function checkValue(value: ResourceValue, type: ResourceType): ResourceValue {
  const bad = (): never => {
    throw new PayloadError(`Value ${describe(value)} is not a valid ${type}`);
  };
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
      const [min, max] = type === 'INTEGER' ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
      return n < min || n > max ? bad() : n;
    }
    case 'FLOAT':
      if (typeof value === 'number') return value;
      return typeof value === 'bigint' ? Number(value) : bad();
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : bad();
    case 'OPAQUE':
      return value instanceof Uint8Array ? value : bad();
    case 'TIME':
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value : bad();
    case 'OBJLNK':
      return isObjLink(value) ? value : bad();
    case 'NONE':
      return value === null ? null : bad();
  }
}

function describe(value: ResourceValue): string {
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Seconds since the Unix epoch (TIME) → Date. Throws PayloadError outside Date's range. */
export function dateFromSeconds(seconds: bigint | number): Date {
  const ms = Number(seconds) * 1000;
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) throw new PayloadError(`Time ${seconds} is out of range`);
  return d;
}

/** Date → whole seconds since the Unix epoch (fractions truncated toward -∞). */
export function secondsFromDate(date: Date): bigint {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new PayloadError('Invalid Date');
  return BigInt(Math.floor(ms / 1000));
}

/** ObjLink → "objectId:instanceId" (decimal, as in Appendix C). */
export function objLinkToText(link: ObjLink): string {
  return `${link.objectId}:${link.instanceId}`;
}

/**
 * "objectId:instanceId" → ObjLink. "FFFF:FFFF" is also read as the null link, as the spec's own
 * JSON and SenML examples write it. Throws PayloadError when malformed or out of range.
 */
export function objLinkFromText(text: string): ObjLink {
  if (/^ffff:ffff$/i.test(text)) return { objectId: 65535, instanceId: 65535 };
  const m = OBJLNK_TEXT.exec(text);
  const objectId = m ? Number(m[1]) : NaN;
  const instanceId = m ? Number(m[2]) : NaN;
  if (!isU16(objectId) || !isU16(instanceId)) throw new PayloadError(`Invalid object link "${text}"`);
  return { objectId, instanceId };
}

/** Strict base64 (RFC 4648 §4, padded) → bytes. Throws PayloadError. */
export function bytesFromBase64(text: string): Uint8Array {
  if (!BASE64_TEXT.test(text)) throw new PayloadError('Invalid base64 value');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/**
 * Bytes from base64 in either alphabet (standard or URL-safe), padding optional: RFC 8428 asks
 * for base64url in SenML `vd`, older LwM2M peers send standard base64.
 */
export function bytesFromAnyBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new PayloadError('Invalid base64 value');
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/**
 * A value as plain text (LwM2M 1.1 Core Appendix C "Text Format"): integers in decimal, floats
 * in JavaScript's shortest round-trip form, booleans "0"/"1", opaque in base64, time as Unix
 * seconds, object links "a:b". Throws PayloadError when the value does not fit the type.
 */
export function valueToText(value: ResourceValue, type: ResourceType): string {
  const v = checkValue(value, type);
  switch (type) {
    case 'STRING':
    case 'CORELNK':
      return v as string;
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
      return (v as bigint).toString();
    case 'FLOAT': {
      const n = v as number;
      if (!Number.isFinite(n)) throw new PayloadError(`Float ${n} has no text representation`);
      return String(n);
    }
    case 'BOOLEAN':
      return v ? '1' : '0';
    case 'OPAQUE':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'TIME':
      return secondsFromDate(v as Date).toString();
    case 'OBJLNK':
      return objLinkToText(v as ObjLink);
    case 'NONE':
      return '';
  }
}

/**
 * Plain text → a value of `type`; the inverse of valueToText. Booleans also accept "true" and
 * "false". Throws PayloadError on anything that is not a valid representation.
 */
export function valueFromText(text: string, type: ResourceType): ResourceValue {
  const bad = (): never => {
    throw new PayloadError(`"${text.length > 40 ? text.slice(0, 40) + '…' : text}" is not a valid ${type}`);
  };
  switch (type) {
    case 'STRING':
    case 'CORELNK':
      return text;
    case 'INTEGER':
      return INTEGER_TEXT.test(text) ? checkValue(BigInt(text), type) : bad();
    case 'UNSIGNED_INTEGER':
      return UNSIGNED_TEXT.test(text) ? checkValue(BigInt(text), type) : bad();
    case 'FLOAT': {
      const n = FLOAT_TEXT.test(text) ? Number(text) : NaN;
      return Number.isFinite(n) ? n : bad();
    }
    case 'BOOLEAN':
      if (text === '1' || text === 'true') return true;
      if (text === '0' || text === 'false') return false;
      return bad();
    case 'OPAQUE':
      return bytesFromBase64(text);
    case 'TIME':
      return INTEGER_TEXT.test(text) ? dateFromSeconds(BigInt(text)) : bad();
    case 'OBJLNK':
      return objLinkFromText(text);
    case 'NONE':
      return text === '' ? null : bad();
  }
}

/**
 * SUIT_Parameters (manifest §8.4.8): the argument map of suit-directive-override-parameters,
 * decoded into named fields and encoded back in key order. Every standard parameter is
 * supported except cbor-pen vendor identifiers; custom (negative) parameters are kept, not
 * interpreted; unknown positive keys are refused.
 */
import { Tag, decodeCbor, encodeCbor, ownBytes } from './cbor';
import { type SuitDigest, decodeSuitDigest, encodeSuitDigest } from './digest';
import { SuitInvalidError, SuitUnsupportedError } from './errors';
import { SUIT_CBOR_PEN_TAG, SuitParameterKey, type SuitParameterName } from './labels';

export type SuitCustomValue = number | boolean | string | Uint8Array;

export interface SuitParameters {
  readonly vendorId?: Uint8Array;
  readonly classId?: Uint8Array;
  readonly deviceId?: Uint8Array;
  readonly imageDigest?: SuitDigest;
  readonly imageSize?: number;
  readonly componentSlot?: number;
  readonly content?: Uint8Array;
  readonly uri?: string;
  readonly sourceComponent?: number;
  readonly invokeArgs?: Uint8Array;
  readonly fetchArguments?: Uint8Array;
  readonly strictOrder?: boolean;
  readonly softFailure?: boolean;
  /** suit-parameter-custom entries by their (negative) key. */
  readonly custom?: ReadonlyMap<number, SuitCustomValue>;
}

const NAMES = Object.keys(SuitParameterKey) as SuitParameterName[];

function uuid(v: unknown, name: string): Uint8Array {
  if (v instanceof Tag && v.tag === SUIT_CBOR_PEN_TAG) throw new SuitUnsupportedError(`${name}: CBOR PEN vendor identifiers are not supported, use a UUID`);
  if (!(v instanceof Uint8Array) || v.length !== 16) throw new SuitInvalidError(`${name} must be a 16-byte UUID`);
  return ownBytes(v);
}
function uint(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new SuitInvalidError(`${name} must be an unsigned integer`);
  return v;
}
function bytes(v: unknown, name: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new SuitInvalidError(`${name} must be a byte string`);
  return ownBytes(v);
}
function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new SuitInvalidError(`${name} must be a boolean`);
  return v;
}

/** Decode the map argument of override-parameters. */
export function suitParametersFromCbor(value: unknown, what: string): SuitParameters {
  if (!(value instanceof Map) || value.size === 0) throw new SuitInvalidError(`${what}: parameters must be a non-empty map`);
  const out: Record<string, unknown> = {};
  const custom = new Map<number, SuitCustomValue>();
  for (const [key, v] of value) {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new SuitInvalidError(`${what}: parameter keys must be integers`);
    if (key < 0) {
      if (!(typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v instanceof Uint8Array)) throw new SuitInvalidError(`${what}: custom parameter ${key} must be int, bool, tstr or bstr`);
      custom.set(key, v instanceof Uint8Array ? ownBytes(v) : v);
      continue;
    }
    const name = NAMES.find((n) => SuitParameterKey[n] === key);
    if (!name) throw new SuitUnsupportedError(`${what}: parameter ${key} is not supported`);
    const label = `${what}: parameter ${name}`;
    switch (name) {
      case 'vendorId': case 'classId': case 'deviceId': out[name] = uuid(v, label); break;
      case 'imageDigest': out[name] = decodeSuitDigest(bytes(v, label), label); break;
      case 'imageSize': case 'componentSlot': case 'sourceComponent': out[name] = uint(v, label); break;
      case 'content': case 'invokeArgs': case 'fetchArguments': out[name] = bytes(v, label); break;
      case 'uri':
        if (typeof v !== 'string') throw new SuitInvalidError(`${label} must be a text string`);
        out[name] = v;
        break;
      case 'strictOrder': case 'softFailure': out[name] = bool(v, label); break;
      default: { const never: never = name; throw new SuitUnsupportedError(`${what}: parameter ${String(never)}`); }
    }
  }
  if (custom.size > 0) out.custom = custom;
  return out as SuitParameters;
}

/** The CBOR map of `params`, keys in deterministic order. */
export function suitParametersToCbor(params: SuitParameters): Map<number, unknown> {
  const entries: Array<[number, unknown]> = [];
  for (const name of NAMES) {
    const v = params[name];
    if (v === undefined) continue;
    entries.push([SuitParameterKey[name], name === 'imageDigest' ? encodeSuitDigest(v as SuitDigest) : v]);
  }
  for (const [k, v] of params.custom ?? []) {
    if (k >= 0) throw new SuitInvalidError(`custom parameter keys are negative, got ${k}`);
    entries.push([k, v]);
  }
  if (entries.length === 0) throw new SuitInvalidError('override-parameters needs at least one parameter');
  entries.sort((a, b) => Buffer.compare(encodeCbor(a[0]), encodeCbor(b[0])));
  return new Map(entries);
}

/** `base` with every parameter set in `over` replaced. */
export function mergeSuitParameters(base: SuitParameters, over: SuitParameters): SuitParameters {
  const custom = base.custom || over.custom ? new Map([...(base.custom ?? []), ...(over.custom ?? [])]) : undefined;
  return { ...base, ...over, ...(custom ? { custom } : {}) };
}

/** Decode an encoded SUIT_Parameters map (for tests and tools). */
export function decodeSuitParameters(bytes: Uint8Array): SuitParameters {
  return suitParametersFromCbor(decodeCbor(bytes, 'SUIT_Parameters'), 'SUIT_Parameters');
}

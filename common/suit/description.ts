/**
 * The JSON description an update server builds a manifest from, in the shape of the suit-tool
 * inputs beside the draft's examples (fixtures/suit/exampleN.json): components with install-id,
 * vendor-id / class-id (or the vendor-domain / model-info they derive from), install digest and
 * size (or an image to compute them), uri, bootable, texts; the manifest's sequence number,
 * reference URI, texts and whether to sever. Unknown keys are refused, not ignored.
 */
import { InvalidInputError } from '../errors';
import type { SuitComponentText, SuitManifestText } from './text';

export interface SuitComponentDescription {
  readonly installId: readonly Uint8Array[];
  readonly vendorId?: string;
  readonly classId?: string;
  readonly installDigest?: { readonly alg: string; readonly hex: string };
  readonly installSize?: number;
  readonly uri?: string;
  readonly bootable: boolean;
  /** Language tag -> component texts. */
  readonly text: ReadonlyMap<string, SuitComponentText>;
}

export interface SuitManifestDescription {
  readonly components: readonly SuitComponentDescription[];
  readonly sequenceNumber: number;
  readonly referenceUri?: string;
  readonly text: ReadonlyMap<string, SuitManifestText>;
  readonly severable: boolean;
  readonly includeJson: boolean;
  /** The JSON the description came from (for suit-text-manifest-json-source). */
  readonly source: string;
}

const COMPONENT_TEXT: Record<string, keyof SuitComponentText> = {
  'vendor-name': 'vendorName', 'model-name': 'modelName', 'vendor-domain': 'vendorDomain',
  'model-info': 'modelInfo', 'component-description': 'componentDescription', 'component-version': 'componentVersion',
};
const MANIFEST_TEXT: Record<string, keyof SuitManifestText> = {
  'manifest-description': 'manifestDescription', 'update-description': 'updateDescription',
};

type Obj = Record<string, unknown>;
function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidInputError(`${what} must be a JSON object`);
  return v as Obj;
}
function only(o: Obj, keys: string[], what: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new InvalidInputError(`${what}: unknown key "${k}"`);
}
function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new InvalidInputError(`${what} must be a non-empty string`);
  return v;
}
function uint(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InvalidInputError(`${what} must be an unsigned integer`);
  return v;
}
function texts<T>(v: unknown, table: Record<string, string>, what: string): Map<string, T> {
  const out = new Map<string, T>();
  if (v === undefined) return out;
  for (const [lang, t] of Object.entries(obj(v, what))) {
    const o = obj(t, `${what}.${lang}`);
    only(o, Object.keys(table), `${what}.${lang}`);
    const entry: Record<string, string> = {};
    for (const [k, val] of Object.entries(o)) entry[table[k]] = str(val, `${what}.${lang}.${k}`);
    out.set(lang, entry as T);
  }
  return out;
}

function component(v: unknown, i: number): SuitComponentDescription {
  const what = `components[${i}]`;
  const o = obj(v, what);
  only(o, ['install-id', 'vendor-id', 'class-id', 'install-digest', 'install-size', 'uri', 'bootable', 'description'], what);
  const id = o['install-id'];
  if (!Array.isArray(id) || !id.every((s) => typeof s === 'string' && /^([0-9a-fA-F]{2})*$/.test(s))) {
    throw new InvalidInputError(`${what}.install-id must be a list of hex strings`);
  }
  let installDigest: SuitComponentDescription['installDigest'];
  if (o['install-digest'] !== undefined) {
    const d = obj(o['install-digest'], `${what}.install-digest`);
    only(d, ['algorithm-id', 'digest-bytes'], `${what}.install-digest`);
    const hex = str(d['digest-bytes'], `${what}.install-digest.digest-bytes`);
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new InvalidInputError(`${what}.install-digest.digest-bytes must be hex`);
    installDigest = { alg: str(d['algorithm-id'], `${what}.install-digest.algorithm-id`), hex: hex.toLowerCase() };
  }
  if (o.bootable !== undefined && typeof o.bootable !== 'boolean') throw new InvalidInputError(`${what}.bootable must be a boolean`);
  return {
    installId: (id as string[]).map((s) => new Uint8Array(Buffer.from(s, 'hex'))),
    ...(o['vendor-id'] !== undefined ? { vendorId: str(o['vendor-id'], `${what}.vendor-id`) } : {}),
    ...(o['class-id'] !== undefined ? { classId: str(o['class-id'], `${what}.class-id`) } : {}),
    ...(installDigest ? { installDigest } : {}),
    ...(o['install-size'] !== undefined ? { installSize: uint(o['install-size'], `${what}.install-size`) } : {}),
    ...(o.uri !== undefined ? { uri: str(o.uri, `${what}.uri`) } : {}),
    bootable: o.bootable === true,
    text: texts<SuitComponentText>(o.description, COMPONENT_TEXT, `${what}.description`),
  };
}

/** Parse and check a JSON description (text or parsed JSON). */
export function parseSuitDescription(input: string | unknown): SuitManifestDescription {
  let source: string;
  let json: unknown;
  if (typeof input === 'string') {
    source = input;
    try { json = JSON.parse(input); } catch (e) { throw new InvalidInputError(`the description is not JSON: ${(e as Error).message}`); }
  } else {
    json = input;
    source = JSON.stringify(input);
  }
  const o = obj(json, 'the description');
  only(o, ['components', 'manifest-version', 'manifest-sequence-number', 'reference-uri', 'description', 'severable', 'include-json'], 'the description');
  if (o['manifest-version'] !== undefined && o['manifest-version'] !== 1) throw new InvalidInputError('manifest-version must be 1');
  if (!Array.isArray(o.components) || o.components.length === 0) throw new InvalidInputError('components must be a non-empty list');
  for (const k of ['severable', 'include-json']) if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new InvalidInputError(`${k} must be a boolean`);
  return {
    components: o.components.map(component),
    sequenceNumber: uint(o['manifest-sequence-number'], 'manifest-sequence-number'),
    ...(o['reference-uri'] !== undefined ? { referenceUri: str(o['reference-uri'], 'reference-uri') } : {}),
    text: texts<SuitManifestText>(o.description, MANIFEST_TEXT, 'description'),
    severable: o.severable === true,
    includeJson: o['include-json'] === true,
    source,
  };
}

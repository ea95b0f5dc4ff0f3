/**
 * SUIT_Manifest (manifest §8.4) and SUIT_Common (§8.4.5): version, sequence number, reference
 * URI, components, shared sequence, the command sequences and the text. Payload fetch, install
 * and text are severable: in the manifest either inline (bstr) or as a SUIT_Digest whose value
 * travels in the envelope; decoding checks each severed value against its digest, computed over
 * the bstr-wrapped element (§8.4.12).
 */
import { bstrWrap, decodeCbor, encodeCbor, ownBytes } from './cbor';
import { decodeSuitCommandSequence, encodeSuitCommandSequence, type SuitCommandSequence } from './command-sequence';
import { type SuitDigest, computeSuitDigest, suitDigestFromCbor, suitDigestMatches, suitDigestToCbor } from './digest';
import { SuitInvalidError, SuitRefusedError, SuitUnsupportedError } from './errors';
import { SuitCommonKey, SuitManifestKey, labelName } from './labels';
import { type SuitText, decodeSuitText, encodeSuitText } from './text';

/** A Component Identifier: a list of byte strings (§8.4.5.1). */
export type SuitComponentId = readonly Uint8Array[];

export interface SuitCommon {
  readonly components: readonly SuitComponentId[];
  readonly sharedSequence?: SuitCommandSequence;
}

/** A severable member: `digest` when severed; `value` when inline or present in the envelope. */
export interface SuitSeverable<T> {
  readonly digest?: SuitDigest;
  readonly value?: T;
}

export interface SuitManifest {
  readonly version: 1;
  readonly sequenceNumber: number;
  readonly common: SuitCommon;
  readonly referenceUri?: string;
  readonly validate?: SuitCommandSequence;
  readonly load?: SuitCommandSequence;
  readonly invoke?: SuitCommandSequence;
  readonly payloadFetch?: SuitSeverable<SuitCommandSequence>;
  readonly install?: SuitSeverable<SuitCommandSequence>;
  readonly text?: SuitSeverable<SuitText>;
}

/** Severable member names and their keys (the same in manifest and envelope). */
export const SUIT_SEVERABLE = { payloadFetch: SuitManifestKey.PAYLOAD_FETCH, install: SuitManifestKey.INSTALL, text: SuitManifestKey.TEXT } as const;
export type SuitSeverableName = keyof typeof SUIT_SEVERABLE;

function bstr(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new SuitInvalidError(`${what} must be a bstr-wrapped CBOR item`);
  return v;
}

function decodeCommon(bytes: Uint8Array): SuitCommon {
  const map = decodeCbor(bytes, 'suit-common');
  if (!(map instanceof Map)) throw new SuitInvalidError('suit-common must be a map');
  let components: SuitComponentId[] | undefined;
  let sharedSequence: SuitCommandSequence | undefined;
  for (const [k, v] of map) {
    if (k === SuitCommonKey.COMPONENTS) {
      if (!Array.isArray(v) || v.length === 0) throw new SuitInvalidError('suit-components must be a non-empty list');
      components = v.map((id, i) => {
        if (!Array.isArray(id) || !id.every((s) => s instanceof Uint8Array)) throw new SuitInvalidError(`suit-components[${i}] must be a list of byte strings`);
        return id.map((s: Uint8Array) => ownBytes(s));
      });
    } else if (k === SuitCommonKey.SHARED_SEQUENCE) {
      sharedSequence = decodeSuitCommandSequence(bstr(v, 'suit-shared-sequence'), 'suit-shared-sequence', true);
    } else {
      throw new SuitUnsupportedError(`suit-common element ${String(k)} is not supported`);
    }
  }
  if (!components) throw new SuitUnsupportedError('manifests without suit-components (dependency-only) are not supported');
  return { components, ...(sharedSequence ? { sharedSequence } : {}) };
}

function severable<T>(v: unknown, name: SuitSeverableName, inEnvelope: Uint8Array | undefined, decode: (b: Uint8Array) => T): SuitSeverable<T> {
  if (Array.isArray(v)) {
    const digest = suitDigestFromCbor(v, `digest of severed ${name}`);
    if (inEnvelope === undefined) return { digest };
    if (!suitDigestMatches(digest, bstrWrap(inEnvelope))) throw new SuitRefusedError('integrity', `the envelope's ${name} does not match its digest in the manifest`);
    return { digest, value: decode(inEnvelope) };
  }
  if (inEnvelope !== undefined) throw new SuitInvalidError(`${name} is both in the manifest and in the envelope`);
  return { value: decode(bstr(v, name)) };
}

/**
 * Decode an encoded SUIT_Manifest (the content of the envelope's manifest bstr), with the
 * severable members the envelope carries (by name, the content of their bstr).
 */
export function decodeSuitManifest(bytes: Uint8Array, severed: Partial<Record<SuitSeverableName, Uint8Array>> = {}): SuitManifest {
  const map = decodeCbor(bytes, 'SUIT_Manifest');
  if (!(map instanceof Map)) throw new SuitInvalidError('SUIT_Manifest must be a map');
  const out: Record<string, unknown> = {};
  for (const [k, v] of map) {
    const name = typeof k === 'number' ? labelName(SuitManifestKey, k) : undefined;
    switch (name) {
      case 'VERSION':
        if (v !== 1) throw new SuitUnsupportedError(`manifest version ${String(v)} is not supported (only 1)`);
        out.version = 1;
        break;
      case 'SEQUENCE_NUMBER':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
          if (typeof v === 'bigint' && v > 0n) throw new SuitUnsupportedError('sequence numbers above 2^53 are not supported');
          throw new SuitInvalidError('manifest sequence number must be an unsigned integer');
        }
        out.sequenceNumber = v;
        break;
      case 'COMMON': out.common = decodeCommon(bstr(v, 'suit-common')); break;
      case 'REFERENCE_URI':
        if (typeof v !== 'string') throw new SuitInvalidError('suit-reference-uri must be a text string');
        out.referenceUri = v;
        break;
      case 'VALIDATE': out.validate = decodeSuitCommandSequence(bstr(v, 'suit-validate'), 'suit-validate'); break;
      case 'LOAD': out.load = decodeSuitCommandSequence(bstr(v, 'suit-load'), 'suit-load'); break;
      case 'INVOKE': out.invoke = decodeSuitCommandSequence(bstr(v, 'suit-invoke'), 'suit-invoke'); break;
      case 'PAYLOAD_FETCH': out.payloadFetch = severable(v, 'payloadFetch', severed.payloadFetch, (b) => decodeSuitCommandSequence(b, 'suit-payload-fetch')); break;
      case 'INSTALL': out.install = severable(v, 'install', severed.install, (b) => decodeSuitCommandSequence(b, 'suit-install')); break;
      case 'TEXT': out.text = severable(v, 'text', severed.text, decodeSuitText); break;
      default: throw new SuitUnsupportedError(`manifest element ${String(k)} is not supported`);
    }
  }
  for (const [need, label] of [['version', 'suit-manifest-version'], ['sequenceNumber', 'suit-manifest-sequence-number'], ['common', 'suit-common']] as const) {
    if (out[need] === undefined) throw new SuitInvalidError(`SUIT_Manifest lacks ${label}`);
  }
  for (const name of Object.keys(SUIT_SEVERABLE) as SuitSeverableName[]) {
    if (severed[name] !== undefined && out[name] === undefined) throw new SuitInvalidError(`the envelope carries a severed ${name} the manifest does not declare`);
  }
  return out as unknown as SuitManifest;
}

/** The result of encoding a manifest: its bytes and the severed members for the envelope. */
export interface EncodedSuitManifest {
  readonly bytes: Uint8Array;
  readonly severed: Partial<Record<SuitSeverableName, Uint8Array>>;
}

/**
 * Encode `manifest`. Members named in `sever` (with a value) are moved to the envelope and
 * replaced by their SHA-256 digest; members that only have a digest stay severed.
 */
export function encodeSuitManifest(manifest: SuitManifest, sever: readonly SuitSeverableName[] = []): EncodedSuitManifest {
  if (manifest.version !== 1) throw new SuitUnsupportedError('only manifest version 1 can be encoded');
  if (!Number.isSafeInteger(manifest.sequenceNumber) || manifest.sequenceNumber < 0) throw new SuitInvalidError('sequence number must be an unsigned integer');
  if (manifest.common.components.length === 0) throw new SuitInvalidError('a manifest names at least one component');
  const common = new Map<number, unknown>([[SuitCommonKey.COMPONENTS, manifest.common.components.map((c) => [...c])]]);
  if (manifest.common.sharedSequence) common.set(SuitCommonKey.SHARED_SEQUENCE, encodeSuitCommandSequence(manifest.common.sharedSequence));
  const m = new Map<number, unknown>([
    [SuitManifestKey.VERSION, 1],
    [SuitManifestKey.SEQUENCE_NUMBER, manifest.sequenceNumber],
    [SuitManifestKey.COMMON, encodeCbor(common)],
  ]);
  if (manifest.referenceUri !== undefined) m.set(SuitManifestKey.REFERENCE_URI, manifest.referenceUri);
  if (manifest.validate) m.set(SuitManifestKey.VALIDATE, encodeSuitCommandSequence(manifest.validate));
  if (manifest.load) m.set(SuitManifestKey.LOAD, encodeSuitCommandSequence(manifest.load));
  if (manifest.invoke) m.set(SuitManifestKey.INVOKE, encodeSuitCommandSequence(manifest.invoke));
  const severed: Partial<Record<SuitSeverableName, Uint8Array>> = {};
  const members: Array<[SuitSeverableName, SuitSeverable<unknown> | undefined, (v: never) => Uint8Array]> = [
    ['payloadFetch', manifest.payloadFetch, encodeSuitCommandSequence],
    ['install', manifest.install, encodeSuitCommandSequence],
    ['text', manifest.text, encodeSuitText],
  ];
  for (const [name, member, encode] of members) {
    if (!member) continue;
    if (member.value === undefined) {
      if (!member.digest) throw new SuitInvalidError(`${name} has neither a value nor a digest`);
      m.set(SUIT_SEVERABLE[name], suitDigestToCbor(member.digest));
      continue;
    }
    const bytes = encode(member.value as never);
    if (sever.includes(name)) {
      severed[name] = bytes;
      m.set(SUIT_SEVERABLE[name], suitDigestToCbor(computeSuitDigest(bstrWrap(bytes), member.digest?.alg ?? 'sha256')));
    } else {
      m.set(SUIT_SEVERABLE[name], bytes);
    }
  }
  return { bytes: encodeCbor(m), severed };
}

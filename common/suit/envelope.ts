/**
 * SUIT_Envelope (manifest §8.2, §8.3): the tagged map holding the authentication wrapper, the
 * bstr-wrapped manifest, the severed members and integrated payloads. `readSuitEnvelope` only
 * takes the envelope apart (the manifest stays bytes, so nothing in it is parsed before it is
 * authenticated, §6.2); `decodeSuitManifest` does the rest once the caller trusts it.
 */
import { Tag, bstrWrap, decodeCbor, encodeCbor, ownBytes } from './cbor';
import { type SuitDigest, decodeSuitDigest, suitDigestMatches } from './digest';
import { SuitInvalidError, SuitUnsupportedError } from './errors';
import { SUIT_ENVELOPE_TAG, SUIT_MANIFEST_TAG, SuitEnvelopeKey, labelName } from './labels';
import { SUIT_SEVERABLE, type SuitManifest, type SuitSeverableName, decodeSuitManifest } from './manifest';

/** SUIT_Authentication: the manifest digest and the COSE authentication blocks over it. */
export interface SuitAuthentication {
  readonly digest: SuitDigest;
  /** The encoded SUIT_Digest: the detached payload of every authentication block. */
  readonly digestBytes: Uint8Array;
  /** Encoded COSE structures (COSE_Sign1_Tagged and the like), in envelope order. */
  readonly blocks: readonly Uint8Array[];
}

/** An envelope taken apart; the manifest is not parsed yet. */
export interface SuitEnvelopeParts {
  readonly authentication: SuitAuthentication;
  /** The encoded SUIT_Manifest (content of the suit-manifest bstr). */
  readonly manifestBytes: Uint8Array;
  /** Severed members carried by the envelope (content of their bstr). */
  readonly severed: Partial<Record<SuitSeverableName, Uint8Array>>;
  /** Integrated payloads by their tstr key. */
  readonly integratedPayloads: ReadonlyMap<string, Uint8Array>;
}

/** Take an encoded SUIT_Envelope_Tagged (tag 107) apart. */
export function readSuitEnvelope(bytes: Uint8Array): SuitEnvelopeParts {
  const top = decodeCbor(bytes, 'SUIT envelope');
  if (top instanceof Tag && top.tag === SUIT_MANIFEST_TAG) throw new SuitUnsupportedError('a bare SUIT_Manifest_Tagged carries no authentication; an envelope is required');
  if (!(top instanceof Tag) || top.tag !== SUIT_ENVELOPE_TAG) throw new SuitInvalidError('not a SUIT envelope: expected CBOR tag 107');
  const map = top.value;
  if (!(map instanceof Map)) throw new SuitInvalidError('SUIT_Envelope must be a map');
  const keys = [...map.keys()];
  if (keys[0] !== SuitEnvelopeKey.AUTHENTICATION_WRAPPER) throw new SuitInvalidError('the authentication wrapper must come first in the envelope');
  let authentication: SuitAuthentication | undefined;
  let manifestBytes: Uint8Array | undefined;
  const severed: Partial<Record<SuitSeverableName, Uint8Array>> = {};
  const integratedPayloads = new Map<string, Uint8Array>();
  for (const [k, v] of map) {
    if (typeof k === 'string') {
      if (!(v instanceof Uint8Array)) throw new SuitInvalidError(`integrated payload "${k}" must be a byte string`);
      integratedPayloads.set(k, ownBytes(v));
      continue;
    }
    if (!(v instanceof Uint8Array)) throw new SuitInvalidError(`envelope element ${String(k)} must be a byte string`);
    const name = typeof k === 'number' ? labelName(SuitEnvelopeKey, k) : undefined;
    switch (name) {
      case 'AUTHENTICATION_WRAPPER': authentication = readAuthentication(v); break;
      case 'MANIFEST': manifestBytes = ownBytes(v); break;
      case 'PAYLOAD_FETCH': severed.payloadFetch = ownBytes(v); break;
      case 'INSTALL': severed.install = ownBytes(v); break;
      case 'TEXT': severed.text = ownBytes(v); break;
      default: throw new SuitUnsupportedError(`envelope element ${String(k)} is not supported`);
    }
  }
  if (!manifestBytes) throw new SuitInvalidError('the envelope has no manifest');
  if (!authentication) throw new SuitInvalidError('the envelope has no authentication wrapper');
  return { authentication, manifestBytes, severed, integratedPayloads };
}

function readAuthentication(bytes: Uint8Array): SuitAuthentication {
  const list = decodeCbor(bytes, 'SUIT_Authentication');
  if (!Array.isArray(list) || list.length === 0) throw new SuitInvalidError('SUIT_Authentication must be a list starting with the manifest digest');
  if (!list.every((b) => b instanceof Uint8Array)) throw new SuitInvalidError('SUIT_Authentication elements must be byte strings');
  const digestBytes = ownBytes(list[0] as Uint8Array);
  return { digest: decodeSuitDigest(digestBytes, 'manifest digest'), digestBytes, blocks: list.slice(1).map((b: Uint8Array) => ownBytes(b)) };
}

/** Assemble an envelope from its parts (keys in deterministic order, authentication first). */
export function writeSuitEnvelope(parts: SuitEnvelopeParts): Uint8Array {
  const auth = [parts.authentication.digestBytes, ...parts.authentication.blocks];
  const map = new Map<number | string, Uint8Array>([
    [SuitEnvelopeKey.AUTHENTICATION_WRAPPER, encodeCbor(auth)],
    [SuitEnvelopeKey.MANIFEST, parts.manifestBytes],
  ]);
  for (const name of Object.keys(SUIT_SEVERABLE) as SuitSeverableName[]) {
    const b = parts.severed[name];
    if (b) map.set(SUIT_SEVERABLE[name], b);
  }
  const payloads = [...parts.integratedPayloads].sort((a, b) => Buffer.compare(encodeCbor(a[0]), encodeCbor(b[0])));
  for (const [k, v] of payloads) map.set(k, v);
  return encodeCbor(new Tag(map, SUIT_ENVELOPE_TAG));
}

/** The envelope without the severable members (what a constrained recipient may be sent). */
export function severSuitEnvelope(bytes: Uint8Array, members: readonly SuitSeverableName[]): Uint8Array {
  const parts = readSuitEnvelope(bytes);
  const severed = { ...parts.severed };
  for (const m of members) delete severed[m];
  return writeSuitEnvelope({ ...parts, severed });
}

/** An envelope decoded WITHOUT authentication, for display; `digestHolds` tells whether the manifest matches its digest. */
export function inspectSuitEnvelope(bytes: Uint8Array): { parts: SuitEnvelopeParts; manifest: SuitManifest; digestHolds: boolean } {
  const parts = readSuitEnvelope(bytes);
  return { parts, manifest: decodeSuitManifest(parts.manifestBytes, parts.severed), digestHolds: suitDigestMatches(parts.authentication.digest, bstrWrap(parts.manifestBytes)) };
}

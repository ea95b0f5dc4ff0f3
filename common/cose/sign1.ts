/**
 * COSE_Sign1 (RFC 9052 §4.2): one signer, tagged (18) or untagged, attached or detached
 * payload, external AAD. The Sig_structure is ["Signature1", protected, external_aad, payload];
 * an empty protected bucket is h'' there, whatever bytes carried it. Unknown critical headers
 * are refused. Signing and verifying go through algorithms.ts (node:crypto).
 */
import type { KeyObject } from 'node:crypto';
import { type CoseAlg, signBytes, signatureAlgFromHeader, signatureAlgId, verifyBytes } from './algorithms';
import { Tag, decodeCbor, encodeCbor, untag } from './cbor';
import { CoseAlgorithmError, CoseInvalidError } from './errors';
import { type HeaderMap, HeaderLabel, checkHeaders, decodeProtected, encodeProtected, headerKid, headerValue, protectedForStructure } from './headers';

export type { CoseAlg };

/** CBOR tag of COSE_Sign1_Tagged. */
export const COSE_SIGN1_TAG = 18;

export interface Sign1Options {
  /** The payload carried in the message, or null for a detached payload (then give `detachedPayload`). */
  payload: Uint8Array | null;
  /** Private signing key (node:crypto). */
  key: KeyObject;
  alg: CoseAlg;
  /** Protected header; `alg` is added to it unless present in either bucket. */
  protectedHeader?: Map<number, unknown>;
  unprotectedHeader?: Map<number, unknown>;
  /** External AAD (default h''). */
  externalAad?: Uint8Array;
  /** Wrap in tag 18 (default true). */
  tagged?: boolean;
  /** The payload that is signed but not carried (with `payload: null`). */
  detachedPayload?: Uint8Array;
}

/** A COSE_Sign1 taken apart, not verified. */
export interface DecodedSign1 {
  readonly protectedBytes: Uint8Array;
  readonly protectedHeader: HeaderMap;
  readonly unprotectedHeader: HeaderMap;
  readonly payload: Uint8Array | null;
  readonly signature: Uint8Array;
  readonly tagged: boolean;
}

export interface Sign1Verified {
  /** The attached payload, or null when it was detached. */
  payload: Uint8Array | null;
  protectedHeader: HeaderMap;
  unprotectedHeader: HeaderMap;
  alg: CoseAlg;
  kid?: Uint8Array;
  tagged: boolean;
}

/** What a key resolver is told about the message. */
export interface Sign1KeyHint {
  kid?: Uint8Array;
  protectedHeader: HeaderMap;
  unprotectedHeader: HeaderMap;
  alg: CoseAlg;
}

export interface Sign1VerifyOptions {
  externalAad?: Uint8Array;
  /** The payload, when the message carries nil. */
  detachedPayload?: Uint8Array;
  /** Algorithms accepted (default all supported). */
  allowedAlgs?: CoseAlg[];
  /** Extra header labels the caller processes, so they may be marked critical. */
  understoodCritical?: (number | string)[];
}

function sigStructure(protectedBytes: Uint8Array, externalAad: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, externalAad, payload]);
}

/** Sign and encode a COSE_Sign1. */
export function signSign1(opts: Sign1Options): Uint8Array {
  const protectedHeader: HeaderMap = new Map(opts.protectedHeader ?? []);
  const unprotectedHeader: HeaderMap = new Map(opts.unprotectedHeader ?? []);
  const algId = signatureAlgId(opts.alg);
  const declared = headerValue(protectedHeader, unprotectedHeader, HeaderLabel.alg);
  if (declared === undefined) protectedHeader.set(HeaderLabel.alg, algId);
  else if (declared !== algId) throw new CoseAlgorithmError(`the alg header (${String(declared)}) does not match ${opts.alg}`);
  checkHeaders(protectedHeader, unprotectedHeader, 'any');
  if (opts.payload !== null && opts.detachedPayload !== undefined) throw new CoseInvalidError('give either an attached payload or a detached one, not both');
  const signed = opts.payload ?? opts.detachedPayload;
  if (signed === undefined) throw new CoseInvalidError('a detached COSE_Sign1 needs detachedPayload');
  const protectedBytes = encodeProtected(protectedHeader);
  const signature = signBytes(opts.alg, opts.key, sigStructure(protectedBytes, opts.externalAad ?? new Uint8Array(0), signed));
  const body = [protectedBytes, unprotectedHeader, opts.payload, signature];
  return encodeCbor(opts.tagged === false ? body : new Tag(body, COSE_SIGN1_TAG));
}

/** Take apart an already decoded CBOR item (used by CWT, whose tag 61 may wrap the message). */
export function decodeSign1Item(item: unknown, understoodCritical: readonly (number | string)[] = []): DecodedSign1 {
  const { value, tagged } = untag(item, COSE_SIGN1_TAG, 'COSE_Sign1');
  if (!Array.isArray(value) || value.length !== 4) throw new CoseInvalidError('COSE_Sign1 must be an array of 4 elements');
  const [protectedBytes, unprotectedHeader, payload, signature] = value as unknown[];
  const protectedHeader = decodeProtected(protectedBytes);
  checkHeaders(protectedHeader, unprotectedHeader, understoodCritical);
  if (payload !== null && !(payload instanceof Uint8Array)) throw new CoseInvalidError('COSE_Sign1 payload must be a byte string or nil');
  if (!(signature instanceof Uint8Array)) throw new CoseInvalidError('COSE_Sign1 signature must be a byte string');
  return { protectedBytes: protectedBytes as Uint8Array, protectedHeader, unprotectedHeader, payload, signature, tagged };
}

/**
 * Take apart a COSE_Sign1 (tagged or not) without verifying it; `understoodCritical` lists extra
 * header labels the caller processes. Throws CoseInvalidError.
 */
export function decodeSign1(message: Uint8Array, understoodCritical: readonly (number | string)[] = []): DecodedSign1 {
  return decodeSign1Item(decodeCbor(message, 'COSE_Sign1'), understoodCritical);
}

/**
 * Verify a COSE_Sign1 with a key, or with a resolver that picks the key from the kid/headers.
 * Throws CoseInvalidError (malformed, unknown critical header), CoseAlgorithmError (unknown or
 * disallowed alg) or CoseSignatureError (wrong key, modified message).
 */
export function verifySign1(
  message: Uint8Array | DecodedSign1,
  key: KeyObject | ((hint: Sign1KeyHint) => KeyObject),
  opts: Sign1VerifyOptions = {},
): Sign1Verified {
  const d = message instanceof Uint8Array ? decodeSign1(message, opts.understoodCritical) : message;
  const algValue = headerValue(d.protectedHeader, d.unprotectedHeader, HeaderLabel.alg);
  if (algValue === undefined) throw new CoseInvalidError('COSE_Sign1 has no alg header');
  const alg = signatureAlgFromHeader(algValue);
  if (opts.allowedAlgs && !opts.allowedAlgs.includes(alg)) throw new CoseAlgorithmError(`algorithm ${alg} is not allowed here`);
  if (d.payload !== null && opts.detachedPayload !== undefined) throw new CoseInvalidError('the message carries a payload but a detached payload was given');
  const signed = d.payload ?? opts.detachedPayload;
  if (signed === undefined) throw new CoseInvalidError('the payload is detached and none was given');
  const kid = headerKid(d.protectedHeader, d.unprotectedHeader);
  const verifier = typeof key === 'function'
    ? key({ ...(kid ? { kid } : {}), protectedHeader: d.protectedHeader, unprotectedHeader: d.unprotectedHeader, alg })
    : key;
  const toBeSigned = sigStructure(protectedForStructure(d.protectedBytes, d.protectedHeader), opts.externalAad ?? new Uint8Array(0), signed);
  verifyBytes(alg, verifier, toBeSigned, d.signature);
  return {
    payload: d.payload,
    protectedHeader: d.protectedHeader,
    unprotectedHeader: d.unprotectedHeader,
    alg,
    ...(kid ? { kid } : {}),
    tagged: d.tagged,
  };
}

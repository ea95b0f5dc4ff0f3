/**
 * COSE_Mac0 (RFC 9052 §6.2) with HMAC 256/64 and HMAC 256/256: tagged (17) or untagged,
 * external AAD. MAC_structure = ["MAC0", protected, external_aad, payload]; tags compared in
 * constant time. Unknown critical headers are refused.
 */
import type { KeyObject } from 'node:crypto';
import { type CoseMacAlg, macAlgFromHeader, macAlgId, macBytes, verifyMac } from './algorithms';
import { Tag, decodeCbor, encodeCbor, untag } from './cbor';
import { CoseAlgorithmError, CoseInvalidError } from './errors';
import { type HeaderMap, HeaderLabel, checkHeaders, decodeProtected, encodeProtected, headerKid, headerValue, protectedForStructure } from './headers';

export type { CoseMacAlg };

/** CBOR tag of COSE_Mac0_Tagged. */
export const COSE_MAC0_TAG = 17;

export interface Mac0Options {
  payload: Uint8Array;
  /** Shared secret (KeyObject of type secret, or raw bytes). */
  key: KeyObject | Uint8Array;
  alg: CoseMacAlg;
  protectedHeader?: Map<number, unknown>;
  unprotectedHeader?: Map<number, unknown>;
  externalAad?: Uint8Array;
  /** Wrap in tag 17 (default true). */
  tagged?: boolean;
}

export interface Mac0Verified {
  payload: Uint8Array;
  protectedHeader: HeaderMap;
  unprotectedHeader: HeaderMap;
  alg: CoseMacAlg;
  kid?: Uint8Array;
  tagged: boolean;
}

function macStructure(protectedBytes: Uint8Array, externalAad: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['MAC0', protectedBytes, externalAad, payload]);
}

/** MAC and encode a COSE_Mac0. */
export function createMac0(opts: Mac0Options): Uint8Array {
  const protectedHeader: HeaderMap = new Map(opts.protectedHeader ?? []);
  const unprotectedHeader: HeaderMap = new Map(opts.unprotectedHeader ?? []);
  const algId = macAlgId(opts.alg);
  const declared = headerValue(protectedHeader, unprotectedHeader, HeaderLabel.alg);
  if (declared === undefined) protectedHeader.set(HeaderLabel.alg, algId);
  else if (declared !== algId) throw new CoseAlgorithmError(`the alg header (${String(declared)}) does not match ${opts.alg}`);
  checkHeaders(protectedHeader, unprotectedHeader, 'any');
  const protectedBytes = encodeProtected(protectedHeader);
  const tag = macBytes(opts.alg, opts.key, macStructure(protectedBytes, opts.externalAad ?? new Uint8Array(0), opts.payload));
  const body = [protectedBytes, unprotectedHeader, opts.payload, tag];
  return encodeCbor(opts.tagged === false ? body : new Tag(body, COSE_MAC0_TAG));
}

/** Verify a COSE_Mac0 (decoded CBOR item); see verifyMac0. */
export function verifyMac0Item(
  item: unknown,
  key: KeyObject | Uint8Array | ((hint: { kid?: Uint8Array; protectedHeader: HeaderMap; unprotectedHeader: HeaderMap }) => KeyObject | Uint8Array),
  opts: { externalAad?: Uint8Array; allowedAlgs?: CoseMacAlg[]; understoodCritical?: (number | string)[] } = {},
): Mac0Verified {
  const { value, tagged } = untag(item, COSE_MAC0_TAG, 'COSE_Mac0');
  if (!Array.isArray(value) || value.length !== 4) throw new CoseInvalidError('COSE_Mac0 must be an array of 4 elements');
  const [protectedBytes, unprotectedHeader, payload, tag] = value as unknown[];
  const protectedHeader = decodeProtected(protectedBytes);
  checkHeaders(protectedHeader, unprotectedHeader, opts.understoodCritical);
  if (!(payload instanceof Uint8Array)) throw new CoseInvalidError('COSE_Mac0 payload must be a byte string (detached MACs are not supported)');
  if (!(tag instanceof Uint8Array)) throw new CoseInvalidError('COSE_Mac0 tag must be a byte string');
  const algValue = headerValue(protectedHeader, unprotectedHeader, HeaderLabel.alg);
  if (algValue === undefined) throw new CoseInvalidError('COSE_Mac0 has no alg header');
  const alg = macAlgFromHeader(algValue);
  if (opts.allowedAlgs && !opts.allowedAlgs.includes(alg)) throw new CoseAlgorithmError(`algorithm ${alg} is not allowed here`);
  const kid = headerKid(protectedHeader, unprotectedHeader);
  const secret = typeof key === 'function' ? key({ ...(kid ? { kid } : {}), protectedHeader, unprotectedHeader }) : key;
  const structure = macStructure(protectedForStructure(protectedBytes as Uint8Array, protectedHeader), opts.externalAad ?? new Uint8Array(0), payload);
  verifyMac(alg, secret, structure, tag);
  return { payload, protectedHeader, unprotectedHeader, alg, ...(kid ? { kid } : {}), tagged };
}

/**
 * Verify a COSE_Mac0 with a shared secret or a resolver. Throws CoseInvalidError,
 * CoseAlgorithmError or CoseSignatureError (tag mismatch).
 */
export function verifyMac0(
  message: Uint8Array,
  key: Parameters<typeof verifyMac0Item>[1],
  opts: Parameters<typeof verifyMac0Item>[2] = {},
): Mac0Verified {
  return verifyMac0Item(decodeCbor(message, 'COSE_Mac0'), key, opts);
}

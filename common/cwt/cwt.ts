/**
 * CBOR Web Tokens (RFC 8392): create a signed CWT (COSE_Sign1, optionally wrapped in the CWT
 * tag 61) and verify one — signed, MACed or encrypted, nested up to four layers (§7.2) — then
 * validate its claims. COSE failures become CWT errors here, once: malformed → CwtMalformedError,
 * signature/MAC/decryption/algorithm → CwtSignatureError.
 */
import { KeyObject } from 'node:crypto';
import type { CoseAlg } from '../cose/algorithms';
import { Tag, decodeCbor, encodeCbor } from '../cose/cbor';
import { decryptEncrypt0Item } from '../cose/encrypt0';
import { type HeaderMap, HeaderLabel, headerValue } from '../cose/headers';
import { verifyMac0Item } from '../cose/mac0';
import { type Sign1KeyHint, decodeSign1Item, signSign1, verifySign1 } from '../cose/sign1';
import { isHandoverError } from '../errors';
import { type CwtClaims, claimsFromMap, claimsToMap } from './claims';
import { CwtMalformedError, CwtSignatureError } from './errors';
import { type CwtValidationOptions, validateCwtClaims } from './validate';

/** CBOR tag of a CWT (RFC 8392 §6). */
export const CWT_TAG = 61;
const MAX_NESTING = 4;

export interface CreateCwtOptions {
  readonly claims: CwtClaims;
  readonly key: KeyObject;
  readonly alg: CoseAlg;
  /** Key id, put in the protected header. */
  readonly kid?: Uint8Array;
  /** More protected header parameters (e.g. x5t, x5chain). */
  readonly protectedHeader?: Map<number, unknown>;
  readonly unprotectedHeader?: Map<number, unknown>;
  /** Wrap the COSE_Sign1 in tag 61. Default false (the COSE tag 18 already says what it is). */
  readonly cwtTag?: boolean;
}

/** Sign a claims set: a COSE_Sign1_Tagged CWT. */
export function createCwt(opts: CreateCwtOptions): Uint8Array {
  const protectedHeader = new Map<number, unknown>(opts.protectedHeader ?? []);
  if (opts.kid) protectedHeader.set(HeaderLabel.kid, opts.kid);
  const sign1 = signSign1({
    payload: encodeCbor(claimsToMap(opts.claims)), key: opts.key, alg: opts.alg, protectedHeader,
    ...(opts.unprotectedHeader ? { unprotectedHeader: opts.unprotectedHeader } : {}),
  });
  return opts.cwtTag ? encodeCbor(new Tag(decodeCbor(sign1, 'COSE_Sign1'), CWT_TAG)) : sign1;
}

/** Which keys open a CWT. */
export interface CwtKeys {
  /** Public key (or resolver) for COSE_Sign1 layers. */
  readonly verify?: KeyObject | ((hint: Sign1KeyHint) => KeyObject);
  /** Shared secret for COSE_Mac0 layers. */
  readonly mac?: KeyObject | Uint8Array;
  /** Content-encryption key for COSE_Encrypt0 layers. */
  readonly decrypt?: KeyObject | Uint8Array;
}

export interface VerifyCwtOptions extends CwtValidationOptions {
  /** Signature algorithms accepted (default all supported). */
  readonly allowedAlgs?: CoseAlg[];
  readonly externalAad?: Uint8Array;
  /** Skip claim validation (exp, nbf, aud, ...): only for display tools. Default false. */
  readonly skipClaimValidation?: boolean;
}

/** A verified CWT. */
export interface VerifiedCwt {
  readonly claims: CwtClaims;
  /** The outermost layer's headers and the signer's algorithm (for signed CWTs). */
  readonly protectedHeader: HeaderMap;
  readonly unprotectedHeader: HeaderMap;
  readonly alg?: CoseAlg;
  readonly kid?: Uint8Array;
  /** COSE layers from the outside in: 'sign1' | 'mac0' | 'encrypt0'. */
  readonly layers: readonly string[];
}

function convert(e: unknown): never {
  if (isHandoverError(e, 'ERR_COSE_INVALID')) throw new CwtMalformedError(`malformed CWT: ${e.message}`, { cause: e });
  if (isHandoverError(e, 'ERR_COSE_SIGNATURE') || isHandoverError(e, 'ERR_COSE_ALG') || isHandoverError(e, 'ERR_COSE_DECRYPT')) {
    throw new CwtSignatureError(e.message, { cause: e });
  }
  throw e;
}

function isCoseTag(item: unknown): boolean {
  return item instanceof Tag && [CWT_TAG, 16, 17, 18].includes(Number(item.tag));
}

function isCwtContentType(p: HeaderMap, u: HeaderMap): boolean {
  const ct = headerValue(p, u, HeaderLabel.contentType);
  return ct === CWT_TAG || ct === 'application/cwt';
}

/**
 * Verify a CWT and validate its claims. An untagged message is read as COSE_Sign1. Throws a
 * CwtError subclass for each reason of refusal (see errors.ts).
 */
export function verifyCwt(token: Uint8Array, keys: CwtKeys | KeyObject, opts: VerifyCwtOptions = {}): VerifiedCwt {
  const k: CwtKeys = keys instanceof KeyObject ? { verify: keys } : keys;
  let item: unknown;
  try { item = decodeCbor(token, 'CWT'); } catch (e) { convert(e); }
  const layers: string[] = [];
  let outer: Omit<VerifiedCwt, 'claims' | 'layers'> | undefined;
  let claims: CwtClaims | undefined;
  for (let depth = 0; depth < MAX_NESTING && claims === undefined; depth++) {
    if (item instanceof Tag && Number(item.tag) === CWT_TAG) item = item.value;
    let payload: Uint8Array;
    let layer: Omit<VerifiedCwt, 'claims' | 'layers'>;
    try {
      const tag = item instanceof Tag ? Number(item.tag) : 18;
      if (tag === 18) {
        if (!k.verify) throw new CwtSignatureError('the CWT is signed and no verification key was given');
        const r = verifySign1(decodeSign1Item(item), k.verify, { ...(opts.allowedAlgs ? { allowedAlgs: opts.allowedAlgs } : {}), ...(opts.externalAad ? { externalAad: opts.externalAad } : {}) });
        if (r.payload === null) throw new CwtMalformedError('a CWT cannot have a detached payload');
        payload = r.payload;
        layer = { protectedHeader: r.protectedHeader, unprotectedHeader: r.unprotectedHeader, alg: r.alg, ...(r.kid ? { kid: r.kid } : {}) };
        layers.push('sign1');
      } else if (tag === 17) {
        if (!k.mac) throw new CwtSignatureError('the CWT is MACed and no MAC key was given');
        const r = verifyMac0Item(item, k.mac, opts.externalAad ? { externalAad: opts.externalAad } : {});
        payload = r.payload;
        layer = { protectedHeader: r.protectedHeader, unprotectedHeader: r.unprotectedHeader, ...(r.kid ? { kid: r.kid } : {}) };
        layers.push('mac0');
      } else if (tag === 16) {
        if (!k.decrypt) throw new CwtSignatureError('the CWT is encrypted and no decryption key was given');
        const r = decryptEncrypt0Item(item, k.decrypt, opts.externalAad ? { externalAad: opts.externalAad } : {});
        payload = r.plaintext;
        layer = { protectedHeader: r.protectedHeader, unprotectedHeader: r.unprotectedHeader, ...(r.kid ? { kid: r.kid } : {}) };
        layers.push('encrypt0');
      } else {
        throw new CwtMalformedError(`unexpected CBOR tag ${tag}: not a COSE message`);
      }
      item = decodeCbor(payload, 'CWT payload');
    } catch (e) {
      convert(e);
    }
    outer ??= layer;
    if (isCwtContentType(layer.protectedHeader, layer.unprotectedHeader) || isCoseTag(item)) continue;
    claims = claimsFromMap(item);
  }
  if (claims === undefined || outer === undefined) throw new CwtMalformedError(`CWT nested deeper than ${MAX_NESTING} layers`);
  if (!opts.skipClaimValidation) validateCwtClaims(claims, opts);
  return { claims, ...outer, layers };
}

/** Decode a CWT's claims without verifying anything (for display). Encrypted CWTs are refused. */
export function peekCwtClaims(token: Uint8Array): { claims: CwtClaims; protectedHeader: HeaderMap; unprotectedHeader: HeaderMap } {
  try {
    let item = decodeCbor(token, 'CWT');
    if (item instanceof Tag && Number(item.tag) === CWT_TAG) item = item.value;
    if (item instanceof Tag && Number(item.tag) === 16) throw new CwtMalformedError('the CWT is encrypted: a key is needed to show it');
    const tag = item instanceof Tag ? Number(item.tag) : 18;
    // COSE_Mac0 has COSE_Sign1's shape [protected, unprotected, payload, tag]: read it the same way.
    const d = decodeSign1Item(tag === 17 ? new Tag((item as Tag).value, 18) : item);
    if (d.payload === null) throw new CwtMalformedError('a CWT cannot have a detached payload');
    return { claims: claimsFromMap(decodeCbor(d.payload, 'CWT payload')), protectedHeader: d.protectedHeader, unprotectedHeader: d.unprotectedHeader };
  } catch (e) {
    return convert(e);
  }
}

/**
 * COSE header parameters (RFC 9052 §3.1, RFC 9360): labels, the protected bucket as a byte
 * string, and the checks every message kind applies: each bucket is a map, no label appears in
 * both, known labels have the right types, and `crit` (label 2) sits in the protected bucket,
 * lists only labels present there and only labels this implementation (or the caller) understands.
 */
import { decodeCbor, encodeCbor } from './cbor';
import { CoseInvalidError } from './errors';

/** A COSE header bucket: integer labels (or text labels for private use). */
export type HeaderMap = Map<number | string, unknown>;

/** Header labels from RFC 9052 §3.1 and RFC 9360 §2. */
export const HeaderLabel = {
  alg: 1,
  crit: 2,
  contentType: 3,
  kid: 4,
  iv: 5,
  partialIv: 6,
  x5bag: 32,
  x5chain: 33,
  x5t: 34,
  x5u: 35,
} as const;

/** Labels whose meaning this implementation processes, so they may be marked critical. */
const UNDERSTOOD: ReadonlySet<number | string> = new Set(Object.values(HeaderLabel));

/** The protected bucket as sent: an empty map is the zero-length byte string (RFC 9052 §3). */
export function encodeProtected(header: HeaderMap): Uint8Array {
  return header.size === 0 ? new Uint8Array(0) : encodeCbor(header);
}

/** Decode the protected bucket's byte string; h'' is the empty map. */
export function decodeProtected(bytes: unknown): HeaderMap {
  if (!(bytes instanceof Uint8Array)) throw new CoseInvalidError('the protected header must be a byte string');
  if (bytes.length === 0) return new Map();
  const map = decodeCbor(bytes, 'protected header');
  if (!(map instanceof Map)) throw new CoseInvalidError('the protected header must encode a map');
  return map as HeaderMap;
}

/**
 * The protected bytes that go into Sig_structure / MAC_structure / Enc_structure: the bytes as
 * received, except that a protected bucket that decodes to an empty map counts as h''.
 */
export function protectedForStructure(bytes: Uint8Array, header: HeaderMap): Uint8Array {
  return header.size === 0 ? new Uint8Array(0) : bytes;
}

function checkLabel(label: unknown, where: string): void {
  if (typeof label === 'string') return;
  if (typeof label !== 'number' || !Number.isSafeInteger(label)) throw new CoseInvalidError(`${where} header label must be an integer or text, got ${typeof label}`);
}

function checkTypes(h: HeaderMap, where: string): void {
  for (const [label, v] of h) {
    checkLabel(label, where);
    switch (label) {
      case HeaderLabel.alg:
        if (typeof v !== 'number' && typeof v !== 'string') throw new CoseInvalidError(`${where} alg must be an integer or text`);
        break;
      case HeaderLabel.kid:
      case HeaderLabel.iv:
      case HeaderLabel.partialIv:
        if (!(v instanceof Uint8Array)) throw new CoseInvalidError(`${where} header ${label} must be a byte string`);
        break;
      case HeaderLabel.contentType:
        if (typeof v !== 'number' && typeof v !== 'string') throw new CoseInvalidError(`${where} content type must be an integer or text`);
        break;
      case HeaderLabel.x5bag:
      case HeaderLabel.x5chain:
        if (!(v instanceof Uint8Array) && !(Array.isArray(v) && v.length > 0 && v.every((c) => c instanceof Uint8Array))) {
          throw new CoseInvalidError(`${where} ${label === 32 ? 'x5bag' : 'x5chain'} must be a byte string or a non-empty array of byte strings`);
        }
        break;
      case HeaderLabel.x5t:
        if (!Array.isArray(v) || v.length !== 2 || (typeof v[0] !== 'number' && typeof v[0] !== 'string') || !(v[1] instanceof Uint8Array)) {
          throw new CoseInvalidError(`${where} x5t must be [hash alg, bstr]`);
        }
        break;
      case HeaderLabel.x5u:
        if (typeof v !== 'string') throw new CoseInvalidError(`${where} x5u must be a text URI`);
        break;
      default:
        break;
    }
  }
}

/**
 * Validate both buckets; `understood` adds labels the caller processes itself (so they may be
 * critical); a sender passes 'any' since it marks critical only what its recipients process.
 * Throws CoseInvalidError.
 */
export function checkHeaders(protectedHeader: HeaderMap, unprotectedHeader: unknown, understood: readonly (number | string)[] | 'any' = []): asserts unprotectedHeader is HeaderMap {
  if (!(unprotectedHeader instanceof Map)) throw new CoseInvalidError('the unprotected header must be a map');
  checkTypes(protectedHeader, 'protected');
  checkTypes(unprotectedHeader as HeaderMap, 'unprotected');
  for (const label of protectedHeader.keys()) {
    if ((unprotectedHeader as HeaderMap).has(label)) throw new CoseInvalidError(`header label ${String(label)} appears in both the protected and unprotected buckets`);
  }
  if ((unprotectedHeader as HeaderMap).has(HeaderLabel.crit)) throw new CoseInvalidError('crit must be in the protected header');
  if (!protectedHeader.has(HeaderLabel.crit)) return;
  const crit = protectedHeader.get(HeaderLabel.crit);
  if (!Array.isArray(crit) || crit.length === 0) throw new CoseInvalidError('crit must be a non-empty array of labels');
  for (const label of crit) {
    checkLabel(label, 'crit');
    if (!protectedHeader.has(label as number | string)) throw new CoseInvalidError(`critical header ${String(label)} is not in the protected header`);
    if (understood !== 'any' && !UNDERSTOOD.has(label as number | string) && !understood.includes(label as number | string)) {
      throw new CoseInvalidError(`unknown critical header ${String(label)}`, { details: { label } });
    }
  }
}

/** A header value from the protected bucket, else the unprotected one. */
export function headerValue(protectedHeader: HeaderMap, unprotectedHeader: HeaderMap, label: number | string): unknown {
  return protectedHeader.has(label) ? protectedHeader.get(label) : unprotectedHeader.get(label);
}

/** The kid, if any (protected bucket first). */
export function headerKid(protectedHeader: HeaderMap, unprotectedHeader: HeaderMap): Uint8Array | undefined {
  const kid = headerValue(protectedHeader, unprotectedHeader, HeaderLabel.kid);
  return kid instanceof Uint8Array ? kid : undefined;
}

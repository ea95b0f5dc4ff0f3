/**
 * TransferMessage (paper §VII-C, Listing 2): SP2's instructions for the fleet, a CWT signed by
 * SP2 (COSE_Sign1). Reset window = nbf/exp; raURI or null; updateURI with the update-first flag;
 * enrollURI (CA2); fallbackURI; and, beyond the paper (DESIGN.md step 4), SP2's LwM2M bootstrap
 * server URI and optionally the hash of the UpdateInfoList it answers. iss = SP2, aud = SP1.
 * SP1 validates it before the window opens, so nbf is the window start, not a refusal reason here.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import type { CoseAlg } from '../../common/cose/algorithms';
import { type CwtClaims } from '../../common/cwt/claims';
import { createCwt, verifyCwt } from '../../common/cwt/cwt';
import { CwtMissingClaimError } from '../../common/cwt/errors';
import { type CwtValidationOptions, validateCwtClaims } from '../../common/cwt/validate';
import { MessageKind, TransferClaim, checkUri, checkWindow } from './claims';
import { MessageInvalidError } from './errors';

/** The instructions a TransferMessage carries (URIs are text). */
export interface TransferInstructions {
  readonly resetTimeNotBefore: number;
  readonly resetTimeNotAfter: number;
  readonly raUri: string | null;
  readonly updateUri: string;
  /** Contact the update server before enrolling with CA2. */
  readonly updateFirst: boolean;
  readonly enrollUri: string;
  readonly fallbackUri: string;
  readonly bootstrapUri: string;
}

export interface TransferMessage extends TransferInstructions {
  /** SP2's identity (iss). */
  readonly issuer: string;
  /** SP1's identity (aud). */
  readonly audience: string;
  readonly issuedAt: number;
  readonly cti: Uint8Array;
  readonly updateInfoHash?: Uint8Array;
}

export interface BuildTransferMessageOptions {
  readonly key: KeyObject;
  readonly alg: CoseAlg;
  readonly kid?: Uint8Array;
  /** Default: now. */
  readonly issuedAt?: number;
  /** Default: 16 random bytes. */
  readonly cti?: Uint8Array;
}

/** Check instruction fields (shared with device tokens). */
export function checkInstructions(i: TransferInstructions): void {
  checkWindow(i.resetTimeNotBefore, i.resetTimeNotAfter, 'reset window');
  if (i.raUri !== null) checkUri(i.raUri, 'raURI');
  checkUri(i.updateUri, 'updateURI');
  if (typeof i.updateFirst !== 'boolean') throw new MessageInvalidError('the update-first flag must be a boolean');
  checkUri(i.enrollUri, 'enrollURI');
  checkUri(i.fallbackUri, 'fallbackURI');
  checkUri(i.bootstrapUri, 'bootstrapURI');
}

/** The private claims carrying the instructions, in claim-key order. */
export function instructionClaims(i: TransferInstructions): [number, unknown][] {
  return [
    [TransferClaim.raUri, i.raUri],
    [TransferClaim.updateUri, [i.updateUri, i.updateFirst]],
    [TransferClaim.enrollUri, i.enrollUri],
    [TransferClaim.fallbackUri, i.fallbackUri],
    [TransferClaim.bootstrapUri, i.bootstrapUri],
  ];
}

/** Read the instruction claims back; throws MessageInvalidError. */
export function readInstructions(claims: CwtClaims): TransferInstructions {
  const x = claims.extra ?? new Map();
  for (const k of [TransferClaim.raUri, TransferClaim.updateUri, TransferClaim.enrollUri, TransferClaim.fallbackUri, TransferClaim.bootstrapUri]) {
    if (!x.has(k)) throw new MessageInvalidError(`the message lacks claim ${k}`);
  }
  if (claims.nbf === undefined || claims.exp === undefined) throw new MessageInvalidError('the message lacks its reset window (nbf, exp)');
  const update = x.get(TransferClaim.updateUri);
  if (!Array.isArray(update) || update.length !== 2) throw new MessageInvalidError('updateURI must be [uri, update-first]');
  const i: TransferInstructions = {
    resetTimeNotBefore: claims.nbf,
    resetTimeNotAfter: claims.exp,
    raUri: x.get(TransferClaim.raUri) as string | null,
    updateUri: update[0] as string,
    updateFirst: update[1] as boolean,
    enrollUri: x.get(TransferClaim.enrollUri) as string,
    fallbackUri: x.get(TransferClaim.fallbackUri) as string,
    bootstrapUri: x.get(TransferClaim.bootstrapUri) as string,
  };
  checkInstructions(i);
  return i;
}

/** SP2: build and sign a TransferMessage for SP1. */
export function buildTransferMessage(
  m: TransferInstructions & { issuer: string; audience: string; updateInfoCbor?: Uint8Array },
  opts: BuildTransferMessageOptions,
): Uint8Array {
  checkInstructions(m);
  if (!m.issuer || !m.audience) throw new MessageInvalidError('a TransferMessage needs issuer (SP2) and audience (SP1)');
  const extra = new Map<number, unknown>([[TransferClaim.kind, MessageKind.transferMessage], ...instructionClaims(m)]);
  if (m.updateInfoCbor) extra.set(TransferClaim.updateInfoHash, new Uint8Array(createHash('sha256').update(m.updateInfoCbor).digest()));
  return createCwt({
    claims: {
      iss: m.issuer, aud: m.audience, exp: m.resetTimeNotAfter, nbf: m.resetTimeNotBefore,
      iat: opts.issuedAt ?? Math.floor(Date.now() / 1000), cti: opts.cti ?? new Uint8Array(randomBytes(16)), extra,
    },
    key: opts.key, alg: opts.alg, ...(opts.kid ? { kid: opts.kid } : {}),
  });
}

export interface ValidateTransferMessageOptions extends Pick<CwtValidationOptions, 'now' | 'clockSkew'> {
  /** SP1's identity: the aud the message must carry. */
  readonly sp1: string;
  /** SP2's identity: the iss the message must carry. */
  readonly sp2: string;
  readonly allowedAlgs?: CoseAlg[];
  /** When given, the message must carry the hash of exactly these UpdateInfoList bytes. */
  readonly updateInfoCbor?: Uint8Array;
}

/**
 * SP1: verify SP2's signature and read the message. Refuses (CwtError subclasses) a bad
 * signature, wrong iss/aud, missing claims and an expired window; MessageInvalidError for the rest.
 */
export function validateTransferMessage(token: Uint8Array, sp2Key: KeyObject, opts: ValidateTransferMessageOptions): TransferMessage {
  const v = verifyCwt(token, sp2Key, { skipClaimValidation: true, ...(opts.allowedAlgs ? { allowedAlgs: opts.allowedAlgs } : {}) });
  const c = v.claims;
  if (c.nbf === undefined) throw new CwtMissingClaimError('the TransferMessage lacks nbf (reset window start)', { details: { claim: 'nbf' } });
  // the reset window opens later: check expiry, audience, issuer and presence, not nbf
  validateCwtClaims({ ...c, nbf: undefined }, {
    issuer: opts.sp2, audience: opts.sp1, requiredClaims: ['iss', 'aud', 'exp', 'iat', 'cti', TransferClaim.kind],
    ...(opts.now !== undefined ? { now: opts.now } : {}), ...(opts.clockSkew !== undefined ? { clockSkew: opts.clockSkew } : {}),
  });
  if (c.extra?.get(TransferClaim.kind) !== MessageKind.transferMessage) throw new MessageInvalidError('the CWT is not a TransferMessage');
  const instructions = readInstructions(c);
  const hash = c.extra?.get(TransferClaim.updateInfoHash);
  if (hash !== undefined && !(hash instanceof Uint8Array && hash.length === 32)) throw new MessageInvalidError('updateInfoHash must be a 32-byte SHA-256');
  if (opts.updateInfoCbor) {
    const expected = createHash('sha256').update(opts.updateInfoCbor).digest();
    if (!(hash instanceof Uint8Array) || !expected.equals(hash)) throw new MessageInvalidError('the TransferMessage does not answer this UpdateInfoList');
  }
  return {
    ...instructions, issuer: c.iss!, audience: typeof c.aud === 'string' ? c.aud : c.aud![0], issuedAt: c.iat!, cti: c.cti!,
    ...(hash instanceof Uint8Array ? { updateInfoHash: hash } : {}),
  };
}

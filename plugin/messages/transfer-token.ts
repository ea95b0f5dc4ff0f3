/**
 * The per-device transfer token (paper §VII-D, DESIGN.md step 4): a CWT signed by SP1 that
 * copies SP2's instructions, with fallbackURI set to SP1, bound to one device (sub = device id,
 * plus the factory certificate's SHA-256 thumbprint when known), with a unique cti, a monotonic
 * transfer counter and SP2's bootstrap URI. SP2's TransferMessage is copied, not nested: the
 * device verifies one signature from the provider it already trusts (SP1) and carries no SP2
 * key; the hash of SP2's signed message links the token to it for audit.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import type { CoseAlg } from '../../common/cose/algorithms';
import { sameBytes } from '../../common/cose/cbor';
import { x5tMatches, x5tOf } from '../../common/cose/x509';
import { createCwt, verifyCwt } from '../../common/cwt/cwt';
import type { CwtValidationOptions } from '../../common/cwt/validate';
import { MessageKind, TransferClaim, checkUri } from './claims';
import { MessageInvalidError, TransferRefusedError, TransferReplayError } from './errors';
import { type TransferInstructions, type TransferMessage, checkInstructions, instructionClaims, readInstructions } from './transfer-message';

/** What one device receives. */
export interface TransferToken extends TransferInstructions {
  /** SP1's identity (iss). */
  readonly issuer: string;
  /** The device id (sub). */
  readonly deviceId: string;
  /** COSE_CertHash of the factory certificate, when bound to it. */
  readonly factoryCertificateHash?: [number, Uint8Array];
  readonly transferCounter: number;
  readonly cti: Uint8Array;
  readonly issuedAt: number;
  readonly transferMessageHash?: Uint8Array;
}

export interface TransferTokenDevice {
  readonly deviceId: string;
  /** DER factory certificate: binds the token to it by SHA-256 thumbprint. */
  readonly factoryCertificate?: Uint8Array;
  /** Must exceed every counter this device accepted before. */
  readonly transferCounter: number;
}

export interface BuildTransferTokenOptions {
  /** SP1's identity (iss). */
  readonly issuer: string;
  /** SP1's fallback URI, replacing SP2's. */
  readonly fallbackUri: string;
  readonly key: KeyObject;
  readonly alg: CoseAlg;
  readonly kid?: Uint8Array;
  /** SP2's signed TransferMessage bytes, hashed into the token. */
  readonly transferMessageBytes?: Uint8Array;
  readonly issuedAt?: number;
  /** Default: 16 random bytes. */
  readonly cti?: Uint8Array;
}

/** SP1: the signed token for one device, from a validated TransferMessage. */
export function buildTransferToken(tm: TransferInstructions | TransferMessage, device: TransferTokenDevice, opts: BuildTransferTokenOptions): Uint8Array {
  const instructions: TransferInstructions = { ...tm, fallbackUri: checkUri(opts.fallbackUri, 'SP1 fallbackURI') };
  checkInstructions(instructions);
  if (typeof device.deviceId !== 'string' || device.deviceId.length === 0) throw new MessageInvalidError('a transfer token needs a device id');
  if (!Number.isSafeInteger(device.transferCounter) || device.transferCounter < 1) throw new MessageInvalidError('the transfer counter must be a positive integer');
  const extra = new Map<number, unknown>([[TransferClaim.kind, MessageKind.transferToken], ...instructionClaims(instructions), [TransferClaim.transferCounter, device.transferCounter]]);
  if (device.factoryCertificate) extra.set(TransferClaim.factoryCertificate, x5tOf(device.factoryCertificate));
  if (opts.transferMessageBytes) extra.set(TransferClaim.transferMessageHash, new Uint8Array(createHash('sha256').update(opts.transferMessageBytes).digest()));
  return createCwt({
    claims: {
      iss: opts.issuer, sub: device.deviceId, exp: instructions.resetTimeNotAfter, nbf: instructions.resetTimeNotBefore,
      iat: opts.issuedAt ?? Math.floor(Date.now() / 1000), cti: opts.cti ?? new Uint8Array(randomBytes(16)), extra,
    },
    key: opts.key, alg: opts.alg, ...(opts.kid ? { kid: opts.kid } : {}),
  });
}

export interface ValidateTransferTokenOptions extends Pick<CwtValidationOptions, 'now' | 'clockSkew'> {
  /** This device's id: must be the token's sub. */
  readonly deviceId: string;
  /** This device's factory certificate: must match the token's thumbprint when the token has one. */
  readonly factoryCertificate?: Uint8Array;
  /** Require the token to be bound to the factory certificate. Default false. */
  readonly requireCertificateBinding?: boolean;
  /** The highest transfer counter this device accepted; the token's must be greater. */
  readonly lastCounter: number;
  /** Accepted SP1 identities (iss). Unset: not checked. */
  readonly issuer?: string | readonly string[];
  /** True when this cti was already used (a replay). */
  readonly ctiSeen?: (cti: Uint8Array) => boolean;
  readonly allowedAlgs?: CoseAlg[];
}

/**
 * Device: verify SP1's signature and that the token is for this device, in its window and new.
 * Throws CwtError subclasses (signature, window, issuer, missing claim), TransferRefusedError
 * (another device or certificate), TransferReplayError (old counter or used cti), MessageInvalidError.
 */
export function validateTransferToken(token: Uint8Array, sp1Key: KeyObject, opts: ValidateTransferTokenOptions): TransferToken {
  const v = verifyCwt(token, sp1Key, {
    requiredClaims: ['iss', 'sub', 'exp', 'nbf', 'iat', 'cti', TransferClaim.kind, TransferClaim.transferCounter],
    ...(opts.issuer !== undefined ? { issuer: opts.issuer } : {}),
    ...(opts.now !== undefined ? { now: opts.now } : {}), ...(opts.clockSkew !== undefined ? { clockSkew: opts.clockSkew } : {}),
    ...(opts.allowedAlgs ? { allowedAlgs: opts.allowedAlgs } : {}),
  });
  const c = v.claims;
  const x = c.extra!;
  if (x.get(TransferClaim.kind) !== MessageKind.transferToken) throw new TransferRefusedError('wrong-kind', 'the CWT is not a device transfer token');
  if (c.sub !== opts.deviceId) throw new TransferRefusedError('wrong-device', `the token is for device "${c.sub}", not "${opts.deviceId}"`);
  const certHash = x.get(TransferClaim.factoryCertificate);
  if (certHash !== undefined) {
    if (!Array.isArray(certHash) || certHash.length !== 2 || !(certHash[1] instanceof Uint8Array)) throw new MessageInvalidError('factoryCertificate must be a COSE_CertHash');
    if (!opts.factoryCertificate || !x5tMatches(certHash, opts.factoryCertificate)) {
      throw new TransferRefusedError('wrong-factory-certificate', 'the token is bound to another factory certificate');
    }
  } else if (opts.requireCertificateBinding) {
    throw new TransferRefusedError('wrong-factory-certificate', 'the token is not bound to a factory certificate');
  }
  const counter = x.get(TransferClaim.transferCounter);
  if (!Number.isSafeInteger(counter) || (counter as number) < 1) throw new MessageInvalidError('the transfer counter must be a positive integer');
  if ((counter as number) <= opts.lastCounter) {
    throw new TransferReplayError(`transfer counter ${String(counter)} is not above the device's ${opts.lastCounter}`, { details: { counter, lastCounter: opts.lastCounter } });
  }
  if (opts.ctiSeen?.(c.cti!)) throw new TransferReplayError('this token id (cti) was already used');
  const tmHash = x.get(TransferClaim.transferMessageHash);
  if (tmHash !== undefined && !(tmHash instanceof Uint8Array && tmHash.length === 32)) throw new MessageInvalidError('transferMessageHash must be a 32-byte SHA-256');
  return {
    ...readInstructions(c), issuer: c.iss!, deviceId: c.sub!, transferCounter: counter as number, cti: c.cti!, issuedAt: c.iat!,
    ...(certHash !== undefined ? { factoryCertificateHash: certHash as [number, Uint8Array] } : {}),
    ...(tmHash instanceof Uint8Array ? { transferMessageHash: tmHash } : {}),
  };
}

/** Whether a token's transferMessageHash names these SP2 TransferMessage bytes. */
export function tokenDerivesFrom(token: TransferToken, transferMessageBytes: Uint8Array): boolean {
  return token.transferMessageHash !== undefined && sameBytes(token.transferMessageHash, new Uint8Array(createHash('sha256').update(transferMessageBytes).digest()));
}

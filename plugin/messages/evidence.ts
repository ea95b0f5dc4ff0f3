/**
 * Attestation evidence (paper §VII-C "remote attestation", DESIGN.md step 5): an Entity
 * Attestation Token (EAT, RFC 9711) as a CWT (COSE_Sign1) signed with the device's factory key,
 * the factory certificate in x5chain (RFC 9360). Claims: eat_nonce (10) = the RA server's
 * challenge, ueid (256) = 0x01 ‖ SHA-256(device id) (a RAND-type UEID derived from the id, 33
 * bytes as EAT allows), sub = the device id in clear, iat, and two private claims with the SUIT
 * state the device runs: the manifest digest as a SUIT_Digest [alg, bytes] and the manifest
 * sequence number. The verifier checks the factory chain against the factory trust anchors, the
 * signature, the nonce, that certificate and claims name the expected device, and that the
 * firmware is the SUIT state SP1 shared.
 */
import { createHash, timingSafeEqual, type KeyObject, X509Certificate } from 'node:crypto';
import { algForKey, type CoseAlg } from '../../common/cose/algorithms';
import { decodeCbor } from '../../common/cose/cbor';
import { HeaderLabel } from '../../common/cose/headers';
import { decodeSign1, verifySign1 } from '../../common/cose/sign1';
import { encodeX5Certs, x5chainOf } from '../../common/cose/x509';
import { claimsFromMap, type CwtClaims } from '../../common/cwt/claims';
import { createCwt } from '../../common/cwt/cwt';
import { HandoverError, isHandoverError } from '../../common/errors';
import { ChainInvalidError, validateChain } from '../../common/pki';

/** Claim keys of the evidence. */
export const EvidenceClaim = {
  /** EAT eat_nonce (RFC 9711 §4.1). */
  nonce: 10,
  /** EAT ueid (RFC 9711 §4.2.1). */
  ueid: 256,
  /** Private: SUIT_Digest [alg, digest] of the manifest the device runs. */
  firmwareDigest: -65550,
  /** Private: suit-manifest-sequence-number of that manifest. */
  suitSequence: -65551,
} as const;

/** COSE algorithm id of SHA-256 in a SUIT_Digest. */
const SHA256 = -16;
const UEID_RAND = 0x01;

/** Why evidence is refused. */
export type AttestationFailure =
  | 'malformed' | 'bad-signature' | 'untrusted-certificate' | 'wrong-nonce' | 'unknown-nonce' | 'replayed-nonce'
  | 'expired-nonce' | 'wrong-device' | 'wrong-firmware' | 'wrong-sequence' | 'no-expectation';

/** Evidence refused. ERR_ATTESTATION; `reason` (also in details) says why. */
export class AttestationError extends HandoverError {
  readonly reason: AttestationFailure;
  constructor(reason: AttestationFailure, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('ERR_ATTESTATION', message, { ...options, details: { ...options?.details, reason } });
    this.reason = reason;
  }
}

export interface BuildEvidenceOptions {
  readonly deviceId: string;
  /** The RA server's challenge (8..64 bytes). */
  readonly nonce: Uint8Array;
  /** SHA-256 SUIT manifest digest of the running firmware. */
  readonly firmwareDigest: Uint8Array;
  readonly suitSequence: number;
  /** The factory private key. */
  readonly privateKey: KeyObject;
  /** DER factory certificate (x5chain). */
  readonly factoryCertificate: Uint8Array;
  /** Intermediate CA certificates after it in x5chain. Default none. */
  readonly intermediates?: readonly Uint8Array[];
  /** NumericDate. Default now. */
  readonly issuedAt?: number;
}

export interface ExpectedDeviceState {
  readonly deviceId: string;
  readonly firmwareDigest: Uint8Array;
  readonly suitSequence: number;
}

export interface VerifyEvidenceOptions {
  /** The nonce the verifier issued to this device. */
  readonly nonce: Uint8Array;
  /** DER certificates of the factory CAs. */
  readonly factoryTrustAnchors: readonly Uint8Array[];
  readonly expected: ExpectedDeviceState;
  /** DER CRLs of the factory CAs: a revoked factory certificate is refused. Default none. */
  readonly crls?: readonly Uint8Array[];
  /** Time of the certificate validity check. Default now. */
  readonly at?: Date;
}

/** The UEID the evidence carries for a device id. */
export function ueidOf(deviceId: string): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = UEID_RAND;
  out.set(createHash('sha256').update(deviceId, 'utf8').digest(), 1);
  return out;
}

/** The device id a factory certificate names: its subject serialNumber, else its CN. */
export function certificateDeviceId(der: Uint8Array): string | undefined {
  const lines = new X509Certificate(der).subject.split('\n');
  const pick = (attr: string) => lines.find((l) => l.startsWith(`${attr}=`))?.slice(attr.length + 1);
  return pick('serialNumber') ?? pick('CN');
}

function checkNonce(nonce: unknown): Uint8Array {
  if (!(nonce instanceof Uint8Array) || nonce.length < 8 || nonce.length > 64) throw new AttestationError('malformed', 'eat_nonce must be 8 to 64 bytes');
  return nonce;
}

/** Device: sign evidence over the challenge and its SUIT state with the factory key. */
export function buildEvidence(opts: BuildEvidenceOptions): Uint8Array {
  checkNonce(opts.nonce);
  if (!opts.deviceId) throw new AttestationError('malformed', 'evidence needs a device id');
  if (!(opts.firmwareDigest instanceof Uint8Array) || opts.firmwareDigest.length !== 32) throw new AttestationError('malformed', 'the firmware digest must be a 32-byte SHA-256');
  if (!Number.isSafeInteger(opts.suitSequence) || opts.suitSequence < 0) throw new AttestationError('malformed', 'the SUIT sequence number must be a uint');
  const alg: CoseAlg = algForKey(opts.privateKey);
  return createCwt({
    claims: {
      sub: opts.deviceId,
      iat: opts.issuedAt ?? Math.floor(Date.now() / 1000),
      extra: new Map<number, unknown>([
        [EvidenceClaim.nonce, new Uint8Array(opts.nonce)],
        [EvidenceClaim.ueid, ueidOf(opts.deviceId)],
        [EvidenceClaim.firmwareDigest, [SHA256, new Uint8Array(opts.firmwareDigest)]],
        [EvidenceClaim.suitSequence, opts.suitSequence],
      ]),
    },
    key: opts.privateKey,
    alg,
    protectedHeader: new Map([[HeaderLabel.x5chain, encodeX5Certs([opts.factoryCertificate, ...(opts.intermediates ?? [])])]]),
  });
}

/**
 * The factory certificate chains to one of the anchors (common/pki validateChain: signatures,
 * validity, CA constraints, and revocation when factory CRLs are given); its X509Certificate.
 */
async function checkFactoryChain(chain: readonly Uint8Array[], anchors: readonly Uint8Array[], crls: readonly Uint8Array[], at: Date): Promise<X509Certificate> {
  try {
    await validateChain(chain[0], { trustAnchors: [...anchors], intermediates: chain.slice(1), crls: [...crls], at });
    return new X509Certificate(chain[0]);
  } catch (e) {
    if (e instanceof ChainInvalidError) throw new AttestationError('untrusted-certificate', `the factory certificate is not trusted: ${e.message}`, { cause: e, details: { chain: e.reason } });
    throw e;
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifier: check evidence against the challenge and the expected state. Resolves to the device
 * id; throws AttestationError(reason) on any refusal.
 */
export async function verifyEvidence(evidence: Uint8Array, opts: VerifyEvidenceOptions): Promise<{ deviceId: string; suitSequence: number }> {
  const at = opts.at ?? new Date();
  let decoded;
  try { decoded = decodeSign1(evidence); } catch (e) { throw new AttestationError('malformed', `evidence is not a COSE_Sign1: ${(e as Error).message}`, { cause: e }); }
  let chain: Uint8Array[] | undefined;
  try { chain = x5chainOf(decoded.protectedHeader, decoded.unprotectedHeader); } catch (e) { throw new AttestationError('malformed', 'bad x5chain header', { cause: e }); }
  if (!chain || chain.length === 0 || !chain.every((c) => c instanceof Uint8Array)) throw new AttestationError('malformed', 'evidence carries no x5chain');
  const leaf = await checkFactoryChain(chain, opts.factoryTrustAnchors, opts.crls ?? [], at);
  try {
    verifySign1(decoded, leaf.publicKey, { allowedAlgs: ['ES256', 'ES384', 'EdDSA'] });
  } catch (e) {
    if (isHandoverError(e, 'ERR_COSE_INVALID')) throw new AttestationError('malformed', e.message, { cause: e });
    throw new AttestationError('bad-signature', 'the evidence signature does not verify with the factory certificate', { cause: e });
  }
  let claims: CwtClaims;
  try { claims = claimsFromMap(decodeCbor(decoded.payload ?? new Uint8Array(0), 'evidence claims')); } catch (e) { throw new AttestationError('malformed', 'evidence claims are not a CWT claims set', { cause: e }); }
  const x = claims.extra ?? new Map();
  const nonce = x.get(EvidenceClaim.nonce);
  if (!(nonce instanceof Uint8Array) || !same(nonce, opts.nonce)) throw new AttestationError('wrong-nonce', 'the evidence answers another challenge');
  const expectedId = opts.expected.deviceId;
  const ueid = x.get(EvidenceClaim.ueid);
  if (claims.sub !== expectedId || !(ueid instanceof Uint8Array) || !same(ueid, ueidOf(expectedId))) {
    throw new AttestationError('wrong-device', `the evidence is not from device "${expectedId}"`);
  }
  if (certificateDeviceId(chain[0]) !== expectedId) throw new AttestationError('wrong-device', `the factory certificate is not device "${expectedId}"'s`);
  const digest = x.get(EvidenceClaim.firmwareDigest);
  if (!Array.isArray(digest) || digest.length !== 2 || digest[0] !== SHA256 || !(digest[1] instanceof Uint8Array)) {
    throw new AttestationError('malformed', 'the firmware digest claim must be a SHA-256 SUIT_Digest');
  }
  if (!same(digest[1] as Uint8Array, opts.expected.firmwareDigest)) throw new AttestationError('wrong-firmware', 'the device runs other firmware than the one agreed');
  const seq = x.get(EvidenceClaim.suitSequence);
  if (!Number.isSafeInteger(seq)) throw new AttestationError('malformed', 'the SUIT sequence number claim must be a uint');
  if (seq !== opts.expected.suitSequence) throw new AttestationError('wrong-sequence', `the device runs manifest sequence ${String(seq)}, not ${opts.expected.suitSequence}`);
  return { deviceId: expectedId, suitSequence: seq as number };
}

/**
 * The eat_nonce of evidence, unverified: the RA server finds (and consumes) the challenge it
 * issued with it before verifying. Throws AttestationError('malformed').
 */
export function peekEvidenceNonce(evidence: Uint8Array): Uint8Array {
  try {
    const d = decodeSign1(evidence);
    const claims = claimsFromMap(decodeCbor(d.payload ?? new Uint8Array(0), 'evidence claims'));
    return checkNonce(claims.extra?.get(EvidenceClaim.nonce));
  } catch (e) {
    if (e instanceof AttestationError) throw e;
    throw new AttestationError('malformed', `evidence is not an EAT: ${(e as Error).message}`, { cause: e });
  }
}

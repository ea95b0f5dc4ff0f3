/**
 * Authentication of SUIT envelopes (manifest §8.3, §6.2): the SUIT_Digest in the
 * authentication wrapper must be the digest of the bstr-wrapped manifest, and at least one
 * COSE_Sign1 block, computed with the encoded SUIT_Digest as detached payload, must verify with
 * a key of the recipient's trust store. Only then is the manifest parsed (`openSuitEnvelope`).
 */
import type { KeyObject } from 'node:crypto';
import { type CoseAlg, signSign1, verifySign1 } from '../cose/sign1';
import { isHandoverError } from '../errors';
import { bstrWrap } from './cbor';
import { type SuitDigestAlg, computeSuitDigest, encodeSuitDigest, suitDigestMatches } from './digest';
import { SuitInvalidError, SuitRefusedError, SuitUnsupportedError } from './errors';
import { type SuitEnvelopeParts, readSuitEnvelope, writeSuitEnvelope } from './envelope';
import { type SuitManifest, type SuitSeverableName, decodeSuitManifest, encodeSuitManifest } from './manifest';

const COSE_SIGN1_TAG_BYTE = 0xd2; // tag 18, COSE_Sign1_Tagged

/** Which trusted key verified the envelope. */
export interface SuitSigner {
  readonly keyIndex: number;
  readonly alg: CoseAlg;
  readonly kid?: Uint8Array;
}

/** An authenticated, decoded envelope. */
export interface OpenedSuitEnvelope {
  readonly parts: SuitEnvelopeParts;
  readonly manifest: SuitManifest;
  readonly signer: SuitSigner;
}

/** Check the manifest digest and the signatures; throws SuitRefusedError('authentication') when nothing trusted verifies. */
export function authenticateSuitEnvelope(parts: SuitEnvelopeParts, trust: readonly KeyObject[], allowedAlgs?: CoseAlg[]): SuitSigner {
  const { authentication, manifestBytes } = parts;
  if (!suitDigestMatches(authentication.digest, bstrWrap(manifestBytes))) {
    throw new SuitRefusedError('authentication', 'the manifest does not match the digest in the authentication wrapper');
  }
  if (authentication.blocks.length === 0) throw new SuitRefusedError('authentication', 'the envelope carries no authentication block');
  for (const block of authentication.blocks) {
    if (block[0] !== COSE_SIGN1_TAG_BYTE) throw new SuitUnsupportedError('only COSE_Sign1_Tagged authentication blocks are supported');
  }
  if (trust.length === 0) throw new SuitRefusedError('authentication', 'the trust store is empty');
  for (const block of authentication.blocks) {
    for (let i = 0; i < trust.length; i++) {
      try {
        const r = verifySign1(block, trust[i], { detachedPayload: authentication.digestBytes, ...(allowedAlgs ? { allowedAlgs } : {}) });
        if (!r.tagged) throw new SuitInvalidError('authentication blocks must be tagged COSE_Sign1');
        if (r.payload !== null) throw new SuitInvalidError('authentication blocks use a detached payload');
        return { keyIndex: i, alg: r.alg, ...(r.kid ? { kid: r.kid } : {}) };
      } catch (e) {
        if (e instanceof SuitInvalidError) throw e;
        if (isHandoverError(e, 'ERR_COSE_INVALID')) throw new SuitInvalidError(`malformed authentication block: ${e.message}`, { cause: e });
        // a signature or key-type mismatch: try the next trusted key
      }
    }
  }
  throw new SuitRefusedError('authentication', 'no authentication block verifies with a trusted key');
}

/** Take apart, authenticate, then decode an envelope (severed members checked against their digests). */
export function openSuitEnvelope(bytes: Uint8Array, trust: readonly KeyObject[], allowedAlgs?: CoseAlg[]): OpenedSuitEnvelope {
  const parts = readSuitEnvelope(bytes);
  const signer = authenticateSuitEnvelope(parts, trust, allowedAlgs);
  return { parts, manifest: decodeSuitManifest(parts.manifestBytes, parts.severed), signer };
}

export interface SealOptions {
  readonly key: KeyObject;
  readonly alg: CoseAlg;
  /** Severable members to move to the envelope. Default none. */
  readonly sever?: readonly SuitSeverableName[];
  /** Integrated payloads (referenced from the manifest as "#key"). */
  readonly integratedPayloads?: ReadonlyMap<string, Uint8Array>;
  /** Digest algorithm of the manifest digest. Default sha256. */
  readonly digestAlg?: SuitDigestAlg;
  /** COSE kid of the signing key. */
  readonly kid?: Uint8Array;
}

/** Encode `manifest`, sever what is asked, digest and sign it: the encoded SUIT_Envelope_Tagged. */
export function sealSuitEnvelope(manifest: SuitManifest, opts: SealOptions): Uint8Array {
  const encoded = encodeSuitManifest(manifest, opts.sever ?? []);
  const digest = computeSuitDigest(bstrWrap(encoded.bytes), opts.digestAlg ?? 'sha256');
  const digestBytes = encodeSuitDigest(digest);
  const signature = signSign1({
    payload: null,
    detachedPayload: digestBytes,
    key: opts.key,
    alg: opts.alg,
    tagged: true,
    ...(opts.kid ? { unprotectedHeader: new Map<number, unknown>([[4, opts.kid]]) } : {}),
  });
  return writeSuitEnvelope({
    authentication: { digest, digestBytes, blocks: [signature] },
    manifestBytes: encoded.bytes,
    severed: encoded.severed,
    integratedPayloads: opts.integratedPayloads ?? new Map(),
  });
}

/**
 * The device's check of a transfer token (paper §VII-D, DESIGN.md step 4): the signature must
 * verify with a Trust Store anchor of purpose provider-signer, then validateTransferToken checks
 * the device binding, the window, the counter and the token id. Every refusal becomes a Transfer
 * Result Code with a text; nothing here changes the device.
 *
 * Signer identification: the token's kid, when present, is read as the SHA-256 thumbprint of
 * the signer's certificate; every provider-signer anchor whose key fits the algorithm is tried.
 * When none verifies, a kid naming no anchor (or no anchor at all) is "unknown signer", anything
 * else "bad signature" (a tampered token, or a signer that sets no kid).
 */
import { createHash } from 'node:crypto';
import { keyFitsAlg, signatureAlgFromHeader } from '../../common/cose/algorithms';
import { Tag, decodeCbor, sameBytes } from '../../common/cose/cbor';
import { HeaderLabel, headerKid, headerValue } from '../../common/cose/headers';
import { decodeSign1Item } from '../../common/cose/sign1';
import { CWT_TAG } from '../../common/cwt/cwt';
import { HandoverError } from '../../common/errors';
import { TransferRefusedError } from '../../plugin/messages/errors';
import { type TransferToken, validateTransferToken } from '../../plugin/messages/transfer-token';
import { TransferResult } from './transfer-codes';
import { type TrustAnchor, anchorKey } from './trust-store-object';

export type TokenCheck =
  | { readonly ok: true; readonly token: TransferToken; readonly signer: TrustAnchor }
  | { readonly ok: false; readonly result: TransferResult; readonly text: string };

export interface TokenCheckOptions {
  readonly deviceId: string;
  readonly factoryCertificate: Uint8Array;
  readonly requireCertificateBinding: boolean;
  readonly lastCounter: number;
  readonly seenTokenIds: ReadonlySet<string>;
  /** NumericDate now; default the clock. */
  readonly now?: number;
  readonly clockSkew?: number;
}

function refuse(result: TransferResult, text: string): TokenCheck {
  return { ok: false, result, text };
}

/** The Result Code of a refusal by validateTransferToken (after the signature verified). */
function resultOf(e: HandoverError): TransferResult {
  switch (e.code) {
    case 'ERR_CWT_SIGNATURE': return TransferResult.badSignature;
    case 'ERR_CWT_EXPIRED': case 'ERR_CWT_NOT_YET_VALID': return TransferResult.outsideWindow;
    case 'ERR_TRANSFER_REPLAY': return TransferResult.replayed;
    case 'ERR_TRANSFER_REFUSED': return (e as TransferRefusedError).reason === 'wrong-kind' ? TransferResult.malformed : TransferResult.notForThisDevice;
    case 'ERR_CWT_ISSUER': return TransferResult.unknownSigner;
    default: return TransferResult.malformed;
  }
}

/** Check `token` against the provider-signer anchors. */
export function checkTransferToken(token: Uint8Array, signers: readonly TrustAnchor[], opts: TokenCheckOptions): TokenCheck {
  let kid: Uint8Array | undefined;
  let alg;
  try {
    const decoded = decodeCbor(token, 'CWT');
    const item = decoded instanceof Tag && decoded.tag === CWT_TAG ? decoded.value : decoded;
    const sign1 = decodeSign1Item(item);
    kid = headerKid(sign1.protectedHeader, sign1.unprotectedHeader);
    alg = signatureAlgFromHeader(headerValue(sign1.protectedHeader, sign1.unprotectedHeader, HeaderLabel.alg));
  } catch (e) {
    return refuse(TransferResult.malformed, `not a signed CWT: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (signers.length === 0) return refuse(TransferResult.unknownSigner, 'the Trust Store holds no provider-signer anchor');
  const thumb = (a: TrustAnchor) => new Uint8Array(createHash('sha256').update(a.certificate).digest());
  const named = kid ? signers.filter((a) => sameBytes(thumb(a), kid!)) : [];
  const candidates = (named.length > 0 ? named : signers).filter((a) => {
    try { return keyFitsAlg(alg, anchorKey(a)); } catch { return false; }
  });
  for (const anchor of candidates) {
    try {
      const t = validateTransferToken(token, anchorKey(anchor), {
        deviceId: opts.deviceId, factoryCertificate: opts.factoryCertificate, requireCertificateBinding: opts.requireCertificateBinding,
        lastCounter: opts.lastCounter, ctiSeen: (cti) => opts.seenTokenIds.has(Buffer.from(cti).toString('hex')),
        ...(opts.now !== undefined ? { now: opts.now } : {}), ...(opts.clockSkew !== undefined ? { clockSkew: opts.clockSkew } : {}),
      });
      return { ok: true, token: t, signer: anchor };
    } catch (e) {
      if (!(e instanceof HandoverError)) return refuse(TransferResult.internalError, String(e));
      if (e.code === 'ERR_CWT_SIGNATURE') continue;
      return refuse(resultOf(e), e.message);
    }
  }
  if (kid && named.length === 0) return refuse(TransferResult.unknownSigner, `signed by an unknown key (kid ${Buffer.from(kid).toString('hex')} names no provider-signer anchor)`);
  if (candidates.length === 0) return refuse(TransferResult.unknownSigner, `no provider-signer anchor has a ${alg} key`);
  return refuse(TransferResult.badSignature, 'the signature does not verify with any provider-signer anchor (tampered, or signed by an unknown key)');
}

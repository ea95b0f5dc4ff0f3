/**
 * UpdateInfoList (paper §VII-C, Listing 1): what SP1 tells SP2 about each device — factory
 * certificate, update window, SUIT manifest sequence number and reference URI — as a CBOR array
 * of DeviceUpdateInfo arrays, signed by SP1 as a compact JWS whose payload is those CBOR bytes.
 * Deviation from the listing: the full DER certificate is carried (CA2 needs its signature, not
 * only the TBSCertificate).
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import { decodeCbor, encodeCbor } from '../../common/cose/cbor';
import { isHandoverError } from '../../common/errors';
import { type JwsAlg, signCborJws, verifyCborJws } from '../../common/jws/cbor-jws';
import { checkUri, checkWindow } from './claims';
import { MessageInvalidError } from './errors';

/** One device in the list. Times are NumericDates (seconds). */
export interface DeviceUpdateInfo {
  /** DER X.509 factory certificate. */
  readonly factoryCertificate: Uint8Array;
  readonly updateTimeNotBefore: number;
  readonly updateTimeNotAfter: number;
  /** suit-manifest-sequence-number of the firmware the device runs. */
  readonly suitSequenceNumber: number;
  /** suit-reference-uri of that manifest. */
  readonly suitReferenceUri: string;
}

/** JWS `typ` of a signed UpdateInfoList. */
export const UPDATE_INFO_LIST_TYP = 'update-info-list+cbor';

function checkInfo(d: DeviceUpdateInfo, i: number): void {
  if (!(d.factoryCertificate instanceof Uint8Array)) throw new MessageInvalidError(`device ${i}: factoryCertificate must be a byte string`);
  try { new X509Certificate(d.factoryCertificate); } catch (e) { throw new MessageInvalidError(`device ${i}: factoryCertificate is not a DER X.509 certificate`, { cause: e }); }
  checkWindow(d.updateTimeNotBefore, d.updateTimeNotAfter, `device ${i} update window`);
  if (!Number.isSafeInteger(d.suitSequenceNumber) || d.suitSequenceNumber < 0) throw new MessageInvalidError(`device ${i}: SUIT sequence number must be a uint`);
  checkUri(d.suitReferenceUri, `device ${i} SUIT reference URI`);
}

/** The CBOR encoding of an UpdateInfoList. */
export function encodeUpdateInfoList(list: readonly DeviceUpdateInfo[]): Uint8Array {
  list.forEach(checkInfo);
  return encodeCbor(list.map((d) => [d.factoryCertificate, d.updateTimeNotBefore, d.updateTimeNotAfter, d.suitSequenceNumber, d.suitReferenceUri]));
}

/** Decode and check an UpdateInfoList. Throws MessageInvalidError. */
export function decodeUpdateInfoList(bytes: Uint8Array): DeviceUpdateInfo[] {
  let item: unknown;
  try { item = decodeCbor(bytes, 'UpdateInfoList'); } catch (e) { throw new MessageInvalidError((e as Error).message, { cause: e }); }
  if (!Array.isArray(item)) throw new MessageInvalidError('UpdateInfoList must be a CBOR array');
  return item.map((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 5) throw new MessageInvalidError(`device ${i}: DeviceUpdateInfo must be an array of 5 elements`);
    const [factoryCertificate, updateTimeNotBefore, updateTimeNotAfter, suitSequenceNumber, suitReferenceUri] = entry as unknown[];
    const d = { factoryCertificate, updateTimeNotBefore, updateTimeNotAfter, suitSequenceNumber, suitReferenceUri } as DeviceUpdateInfo;
    checkInfo(d, i);
    return d;
  });
}

export interface SignUpdateInfoListOptions {
  /** SP1's signing key (agreed with SP2). */
  readonly key: KeyObject;
  readonly alg: JwsAlg;
  readonly kid?: string;
}

/** SP1: encode and sign the list as a compact JWS. */
export async function signUpdateInfoList(list: readonly DeviceUpdateInfo[], opts: SignUpdateInfoListOptions): Promise<string> {
  return signCborJws(encodeUpdateInfoList(list), { key: opts.key, alg: opts.alg, typ: UPDATE_INFO_LIST_TYP, ...(opts.kid ? { kid: opts.kid } : {}) });
}

/** SP2: verify SP1's JWS and decode the list; also returns the CBOR bytes (for updateInfoHash). */
export async function verifyUpdateInfoList(jws: string, sp1Key: KeyObject, opts: { algorithms?: JwsAlg[] } = {}): Promise<{ list: DeviceUpdateInfo[]; cbor: Uint8Array; kid?: string }> {
  const r = await verifyCborJws(jws, sp1Key, { typ: UPDATE_INFO_LIST_TYP, ...(opts.algorithms ? { algorithms: opts.algorithms } : {}) });
  try {
    return { list: decodeUpdateInfoList(r.payload), cbor: r.payload, ...(r.kid ? { kid: r.kid } : {}) };
  } catch (e) {
    if (isHandoverError(e)) throw e;
    throw new MessageInvalidError((e as Error).message, { cause: e });
  }
}

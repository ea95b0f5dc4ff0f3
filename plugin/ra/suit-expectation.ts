/**
 * The RA verifier's expectation of a device from the SUIT state SP1 shared in the UpdateInfoList
 * (paper §VII-C): the sequence number and reference URI of the manifest the device runs. The
 * verifier fetches the envelope at the reference URI (once per URI for a while, not once per
 * device), checks that it is a SUIT envelope whose manifest matches its digest and carries the
 * shared sequence number — and, when manifest signers are given, that one of them signed it —
 * and expects that manifest's SHA-256 digest (of the bstr-wrapped manifest, as SUIT digests it):
 * the digest a device running that firmware puts in its evidence.
 *
 * `expectedFromEnvelope` is the pure check; `suitExpectationLookup` is RaServerOptions.lookup.
 * A state that names no usable manifest is an AttestationError('no-expectation') (permanent);
 * a failed download propagates as it is (the device sees a transport failure and tries again).
 */
import type { KeyObject } from 'node:crypto';
import { openSuitEnvelope } from '../../common/suit/authentication';
import { bstrWrap } from '../../common/suit/cbor';
import { computeSuitDigest } from '../../common/suit/digest';
import { inspectSuitEnvelope } from '../../common/suit/envelope';
import { isHandoverError } from '../../common/errors';
import { AttestationError } from '../messages/evidence';
import type { ExpectedFirmware } from './ra-store';

/** What the UpdateInfoList says about one device's firmware (DeviceUpdateInfo's SUIT fields). */
export interface SharedSuitState {
  readonly suitSequenceNumber: number;
  readonly suitReferenceUri: string;
}

export interface SuitExpectationOptions {
  /** The shared state of a device (e.g. NewProvider.deviceInfo); undefined: not in any imported list. */
  readonly sharedState: (deviceId: string) => Promise<SharedSuitState | undefined>;
  /** Download an envelope (e.g. client-sim/suit fetchCoap). */
  readonly fetch: (uri: string) => Promise<Uint8Array>;
  /** Keys that may sign the manifests (SP1's firmware signers). Default none: the signature is not checked. */
  readonly signers?: readonly KeyObject[];
  /** How long a fetched envelope is reused, ms. Default 60000. */
  readonly cacheMs?: number;
}

/** The expectation for a device whose shared state is `sequenceNumber` at the envelope `envelope`. Throws AttestationError('no-expectation'). */
export function expectedFromEnvelope(envelope: Uint8Array, sequenceNumber: number, signers?: readonly KeyObject[]): ExpectedFirmware {
  let manifestBytes: Uint8Array;
  let seq: number;
  try {
    if (signers && signers.length > 0) {
      const opened = openSuitEnvelope(envelope, signers);
      manifestBytes = opened.parts.manifestBytes;
      seq = opened.manifest.sequenceNumber;
    } else {
      const inspected = inspectSuitEnvelope(envelope);
      if (!inspected.digestHolds) throw new AttestationError('no-expectation', 'the shared manifest does not match the digest of its envelope');
      manifestBytes = inspected.parts.manifestBytes;
      seq = inspected.manifest.sequenceNumber;
    }
  } catch (e) {
    if (e instanceof AttestationError) throw e;
    if (isHandoverError(e)) throw new AttestationError('no-expectation', `the shared SUIT reference is not a usable manifest: ${e.message}`, { cause: e });
    throw e;
  }
  if (seq !== sequenceNumber) {
    throw new AttestationError('no-expectation', `the shared SUIT reference holds manifest sequence ${seq}, the UpdateInfoList says ${sequenceNumber}`);
  }
  return { firmwareDigest: computeSuitDigest(bstrWrap(manifestBytes), 'sha256').bytes, suitSequence: seq };
}

/** RaServerOptions.lookup from the shared SUIT state (see the header). */
export function suitExpectationLookup(opts: SuitExpectationOptions): (deviceId: string) => Promise<ExpectedFirmware | undefined> {
  const cacheMs = opts.cacheMs ?? 60_000;
  const envelopes = new Map<string, { at: number; bytes: Promise<Uint8Array> }>();
  const envelope = (uri: string): Promise<Uint8Array> => {
    const hit = envelopes.get(uri);
    if (hit && Date.now() - hit.at < cacheMs) return hit.bytes;
    const bytes = opts.fetch(uri);
    envelopes.set(uri, { at: Date.now(), bytes });
    bytes.catch(() => { if (envelopes.get(uri)?.bytes === bytes) envelopes.delete(uri); });
    return bytes;
  };
  return async (deviceId) => {
    const shared = await opts.sharedState(deviceId);
    if (!shared) return undefined;
    return expectedFromEnvelope(await envelope(shared.suitReferenceUri), shared.suitSequenceNumber, opts.signers);
  };
}

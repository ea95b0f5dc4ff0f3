/**
 * SuitFirmwareHandler: the SUIT manifest processor behind LwM2M object 5 (Firmware Update).
 * Package URI written -> Downloading: fetch the envelope, authenticate it against the trust
 * store, refuse rollback, run the Update Procedure (shared sequence, payload fetch, install,
 * validate) with the payload fetched over CoAP into candidate slots -> Downloaded.
 * Update executed -> Updating: run the Invocation Procedure's validation on the candidates,
 * make them active, record sequence number / digest / reference URI, invoke -> Idle, result 1.
 * SUIT failures become Update Results: integrity 5, refused or unsupported package 6, bad URI 7,
 * unsupported scheme 9, lost transfer 4, storage 8.
 */
import type { KeyObject } from 'node:crypto';
import type { CoseAlg } from '../../common/cose/sign1';
import { HandoverError } from '../../common/errors';
import { type OpenedSuitEnvelope, openSuitEnvelope } from '../../common/suit/authentication';
import { bstrWrap } from '../../common/suit/cbor';
import { computeSuitDigest, suitDigestHex } from '../../common/suit/digest';
import { SuitFetchError, SuitRefusedError } from '../../common/suit/errors';
import type { SuitComponentId } from '../../common/suit/manifest';
import { FirmwareUpdateError, FirmwareUpdateResult, type FirmwareInstalled, type FirmwareUpdateHandler } from '../objects/firmware-update';
import { type CoapFetchOptions, type SuitFetch, fetchCoap } from '../../common/coap/fetch';
import { SuitComponentStore, type SuitInstalledState } from './component-store';
import { type SuitRecipient, runSuitProcedure, sameComponent } from './processor';

export interface SuitFirmwareHandlerOptions {
  /** Keys allowed to sign manifests (see loadSuitTrustStore). */
  readonly trustStore: readonly KeyObject[];
  /** Vendor / class / device ids and components of this device. */
  readonly recipient: SuitRecipient;
  /** Directory of the slots and the installed state. */
  readonly stateDir: string;
  /** COSE algorithms accepted. Default all the COSE module supports. */
  readonly allowedAlgs?: CoseAlg[];
  /** Block2 size proposed when downloading. Default 256. */
  readonly blockSize?: number;
  /** Deadline of one download, ms. Default 60000. */
  readonly timeoutMs?: number;
  /** Largest envelope accepted, bytes. Default 64 KiB. */
  readonly maxEnvelopeBytes?: number;
  /** Download function. Default fetchCoap. */
  readonly fetch?: SuitFetch;
}

interface Pending {
  readonly envelope: Uint8Array;
  readonly opened: OpenedSuitEnvelope;
  readonly staged: ReadonlyArray<[number, SuitComponentId]>;
}

/** A payload URI reference resolved against the envelope's URI (RFC 3986 §5). */
function resolveReference(ref: string, base: string): string {
  try {
    return new URL(ref, base).toString();
  } catch {
    throw new SuitFetchError('invalid-uri', `"${ref}" is not a URI reference`);
  }
}

const INTEGRITY = new Set(['authentication', 'integrity', 'image-mismatch', 'size-mismatch']);

/** The Update Result for a failure (see the file header). */
export function updateResultOf(e: unknown): number {
  if (e instanceof SuitFetchError) {
    return { 'invalid-uri': FirmwareUpdateResult.INVALID_URI, 'not-found': FirmwareUpdateResult.INVALID_URI, 'unsupported-protocol': FirmwareUpdateResult.UNSUPPORTED_PROTOCOL,
      'connection-lost': FirmwareUpdateResult.CONNECTION_LOST, 'too-large': FirmwareUpdateResult.NOT_ENOUGH_FLASH }[e.failure];
  }
  if (e instanceof SuitRefusedError) {
    if (INTEGRITY.has(e.reason)) return FirmwareUpdateResult.INTEGRITY_CHECK_FAILURE;
    return e.reason === 'storage' ? FirmwareUpdateResult.UPDATE_FAILED : FirmwareUpdateResult.UNSUPPORTED_PACKAGE_TYPE;
  }
  if (e instanceof HandoverError && (e.code === 'ERR_SUIT_INVALID' || e.code === 'ERR_SUIT_UNSUPPORTED')) return FirmwareUpdateResult.UNSUPPORTED_PACKAGE_TYPE;
  return FirmwareUpdateResult.UPDATE_FAILED;
}

export class SuitFirmwareHandler implements FirmwareUpdateHandler {
  readonly protocols = [0] as const;
  readonly store: SuitComponentStore;
  /** The last failure, with its SUIT reason (for logs and tests; the server sees the Update Result). */
  lastFailure?: HandoverError;
  /** Components invoked by the last update, in order. */
  lastInvoked: SuitComponentId[] = [];
  private pending?: Pending;

  constructor(private readonly opts: SuitFirmwareHandlerOptions) {
    this.store = new SuitComponentStore(opts.stateDir);
  }

  /** The installed sequence number and reference URI (the firmware state providers exchange). */
  installed(): Promise<SuitInstalledState | undefined> {
    return this.store.installed();
  }

  async packageUri(uri: string, signal: AbortSignal): Promise<void> {
    this.pending = undefined;
    try {
      const fetchOpts: CoapFetchOptions = { blockSize: this.opts.blockSize ?? 256, timeoutMs: this.opts.timeoutMs ?? 60000, signal };
      const fetch = this.opts.fetch ?? fetchCoap;
      const envelope = await fetch(uri, { ...fetchOpts, maxBytes: this.opts.maxEnvelopeBytes ?? 64 * 1024 });
      const opened = openSuitEnvelope(envelope, this.opts.trustStore, this.opts.allowedAlgs);
      await this.checkRollback(opened);
      const components = opened.manifest.common.components;
      const run = await runSuitProcedure(opened.manifest, 'update', this.opts.recipient, {
        read: (c) => this.store.active(c),
        fetch: (ref, params) => fetch(resolveReference(ref, uri), { ...fetchOpts, ...(params.imageSize !== undefined ? { maxBytes: params.imageSize } : {}) }),
        invoke: async () => { throw new SuitRefusedError('condition', 'invoke is not allowed in the Update Procedure'); },
      }, opened.parts.integratedPayloads);
      signal.throwIfAborted();
      const staged = [...run.staged].map(([i, data]) => [components[i], data] as [SuitComponentId, Uint8Array]);
      await this.store.writeCandidates(staged);
      this.pending = { envelope, opened, staged: [...run.staged.keys()].map((i) => [i, components[i]] as [number, SuitComponentId]) };
      this.lastFailure = undefined;
    } catch (e) {
      throw this.failure(e);
    }
  }

  async update(): Promise<FirmwareInstalled> {
    const pending = this.pending;
    if (!pending) throw new FirmwareUpdateError(FirmwareUpdateResult.UPDATE_FAILED, 'no downloaded package');
    const { opened, envelope } = pending;
    const manifest = opened.manifest;
    const components = manifest.common.components;
    const candidates = new Set(pending.staged.map(([i]) => i));
    try {
      await this.checkRollback(opened);
      const images = new Map<number, Uint8Array | undefined>();
      for (let i = 0; i < components.length; i++) images.set(i, candidates.has(i) ? await this.store.candidate(components[i]) : await this.store.active(components[i]));
      const toInvoke: SuitComponentId[] = [];
      await runSuitProcedure(manifest, 'invoke', this.opts.recipient, {
        read: async (c) => images.get(components.findIndex((x) => sameComponent(x, c))),
        fetch: async () => { throw new SuitRefusedError('condition', 'fetch is not allowed in the Invocation Procedure'); },
        invoke: async (c) => { toInvoke.push(c); },
      }, opened.parts.integratedPayloads);
      const state: SuitInstalledState = {
        sequenceNumber: manifest.sequenceNumber,
        manifestDigest: { alg: opened.parts.authentication.digest.alg, hex: suitDigestHex(opened.parts.authentication.digest) },
        ...(manifest.referenceUri !== undefined ? { referenceUri: manifest.referenceUri } : {}),
        components: components.map((c, i) => {
          const img = images.get(i) ?? new Uint8Array();
          return { id: c.map((s) => Buffer.from(s).toString('hex')), digest: { alg: 'sha256', hex: suitDigestHex(computeSuitDigest(img)) }, size: img.length };
        }),
        installedAt: new Date().toISOString(),
      };
      await this.store.commit(pending.staged.map(([, c]) => c), envelope, state);
      this.pending = undefined;
      this.lastInvoked = toInvoke;
      this.lastFailure = undefined;
      const version = manifest.text?.value ? [...manifest.text.value.values()].flatMap((l) => l.components.map((c) => c.text.componentVersion)).find((v) => v) : undefined;
      return { firmwareVersion: version ?? `suit-${manifest.sequenceNumber}`, pkgName: manifest.referenceUri ?? 'suit', pkgVersion: String(manifest.sequenceNumber) };
    } catch (e) {
      throw this.failure(e, e instanceof SuitRefusedError && e.reason === 'storage' ? 'downloaded' : 'idle');
    }
  }

  discard(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) this.store.discardCandidates(pending.staged.map(([, c]) => c)).catch(() => { /* best effort: a stale candidate is never activated without a new download */ });
  }

  /** Rollback protection (§8.4.2): lower sequence numbers are refused; an equal one only for the very same manifest. */
  private async checkRollback(opened: OpenedSuitEnvelope): Promise<void> {
    const installed = await this.store.installed();
    if (!installed) return;
    const seq = opened.manifest.sequenceNumber;
    const digest = suitDigestHex(computeSuitDigest(bstrWrap(opened.parts.manifestBytes), installed.manifestDigest.alg as 'sha256'));
    if (seq < installed.sequenceNumber || (seq === installed.sequenceNumber && digest !== installed.manifestDigest.hex)) {
      throw new SuitRefusedError('rollback', `sequence number ${seq} does not follow the installed ${installed.sequenceNumber}`);
    }
  }

  private failure(e: unknown, state: 'idle' | 'downloaded' = 'idle'): FirmwareUpdateError {
    if (e instanceof FirmwareUpdateError) return e;
    const err = e instanceof HandoverError ? e : new SuitRefusedError('storage', (e as Error)?.message ?? String(e), { cause: e });
    this.lastFailure = err;
    return new FirmwareUpdateError(updateResultOf(err), err.message, state, { cause: err });
  }
}

/**
 * What the transfer agent remembers across reboots, and its file. The agent keeps its own
 * state file (JSON, 0600 in a 0700 directory, written atomically by DeviceStateFile) holding
 * its three objects and this record, in one write per transition, so a crash leaves either the
 * step before or the step after, with the objects that go with it.
 *
 * Secrets: `operational.keyPem` (the operational private key, SP1's before the transfer and the
 * new one after it) and `pendingKeyPem` (the key generated for enrollment) are PKCS#8 PEM in this
 * file. The factory key is not stored: the device's permanent identity is given to the agent
 * at each start (a secure element on real hardware).
 */
import { readFileSync } from 'node:fs';
import type { LwM2mObject } from '../../objects/node';
import { StateFileError } from '../errors';
import { DeviceStateFile } from '../state-file';
import { stateFromJson } from '../state-codec';
import type { TransferInstructions } from '../../plugin/messages/transfer-message';
import { TransferResult, TransferStep } from './transfer-codes';

/** The instructions of the accepted token, as JSON. */
export interface SavedInstructions extends Pick<TransferInstructions, 'raUri' | 'updateUri' | 'updateFirst' | 'enrollUri' | 'fallbackUri' | 'bootstrapUri'> {
  /** The reset window (resetTimeNotBefore/After), seconds. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly counter: number;
  /** Token id (cti), hex. */
  readonly cti: string;
  readonly issuer: string;
}

export interface SavedCredentials {
  readonly keyPem: string;
  /** The certificate, then its chain, PEM. */
  readonly certificatePem: string;
}

export interface AgentState {
  step: TransferStep;
  resultCode: TransferResult;
  resultText: string;
  /** The highest transfer counter accepted. */
  lastCounter: number;
  /** Token ids (hex) accepted, oldest first (the newest 256 are kept). */
  seenTokenIds: string[];
  instructions?: SavedInstructions;
  /** The accepted token (base64), for audit. */
  token?: string;
  /** The current operational key and certificate. */
  operational?: SavedCredentials;
  /** The key generated for the enrollment in progress. */
  pendingKeyPem?: string;
  /** The new provider's credentials, enrolled, not yet used to join. */
  enrolled?: SavedCredentials;
  /** Attempts of the current step that failed transiently. */
  attempt: number;
  /** In fallback(10): whether the device reached the fallback URI. */
  fallbackJoined?: boolean;
}

export const MAX_SEEN_TOKEN_IDS = 256;

export function initialState(): AgentState {
  return { step: TransferStep.idle, resultCode: TransferResult.none, resultText: '', lastCounter: 0, seenTokenIds: [], attempt: 0 };
}

const STEPS = new Set<number>(Object.values(TransferStep));

function checkState(raw: unknown, file: string): AgentState {
  const bad = (what: string): never => { throw new StateFileError(`${file}: transfer state ${what}`); };
  if (typeof raw !== 'object' || raw === null) return bad('is missing');
  const s = raw as AgentState;
  if (!STEPS.has(s.step)) bad('has an unknown step');
  if (!Number.isSafeInteger(s.lastCounter) || s.lastCounter < 0) bad('has a bad counter');
  if (!Array.isArray(s.seenTokenIds) || s.seenTokenIds.some((x) => typeof x !== 'string')) bad('has bad token ids');
  if (!Number.isSafeInteger(s.attempt)) bad('has a bad attempt count');
  return { ...s, seenTokenIds: [...s.seenTokenIds] };
}

/** The agent's file: load synchronously at construction, save asynchronously (coalesced). */
export class TransferStateFile {
  private readonly file: DeviceStateFile;

  constructor(readonly path: string, private readonly deviceId: string) {
    this.file = new DeviceStateFile(path);
  }

  /** The saved objects and state, or undefined when there is no file yet. */
  load(): { objects: readonly LwM2mObject[]; state: AgentState } | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateFileError(`${this.path}: ${(e as Error).message}`, { cause: e });
    }
    const saved = stateFromJson(text, this.path);
    if (saved.endpoint !== this.deviceId) throw new StateFileError(`${this.path} belongs to ${saved.endpoint}, not ${this.deviceId}`);
    return { objects: saved.objects, state: checkState(saved.extra.transfer, this.path) };
  }

  /** Save; resolves when a write holding this change is on disk. */
  save(snapshot: () => { objects: readonly LwM2mObject[]; state: AgentState }): Promise<void> {
    return this.file.save(() => {
      const { objects, state } = snapshot();
      return { endpoint: this.deviceId, objects, attributes: [], extra: { transfer: state } };
    });
  }

  flush(): Promise<void> {
    return this.file.flush();
  }
}

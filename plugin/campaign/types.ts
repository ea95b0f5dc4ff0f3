/**
 * The campaign model shared by the engine, its store and the CLI: what a step handler receives
 * and returns, how a campaign is defined, recorded and counted. Generic: it knows devices by id
 * and a JSON payload, nothing of PKI or LwM2M.
 */

/** What a step handler decides for its device. */
export type StepOutcome =
  /** Go to that step now (same job run, no delay). */
  | { next: string }
  /** Re-run this step (or run `next`) after `wait` ms: polling. */
  | { wait: number; next?: string }
  /** The device sleeps: re-run this step when `wake()` is called for it (or the park timeout passes). */
  | { park: 'awake' }
  /** The device is finished. */
  | { done: DeviceOutcome; reason?: string };

/** Final states of a device in a campaign. */
export type DeviceOutcome = 'transferred' | 'fellBack' | 'failed' | 'cancelled';

/**
 * Where a device stands. `pending`: not started (job waiting for the not-before time or a worker);
 * `active`: a step is running (or its worker died and the job awaits stalled-job recovery);
 * `waiting`: polling delay; `retrying`: back-off after a thrown error; `parked`: asleep until
 * woken; `paused`: held because the campaign is paused; the rest are final.
 */
export type DeviceState = 'pending' | 'active' | 'waiting' | 'retrying' | 'parked' | 'paused' | DeviceOutcome;

export const DEVICE_STATES: readonly DeviceState[] = [
  'pending', 'active', 'waiting', 'retrying', 'parked', 'paused', 'transferred', 'fellBack', 'failed', 'cancelled',
];
export const FINAL_STATES: readonly DeviceOutcome[] = ['transferred', 'fellBack', 'failed', 'cancelled'];

export type CampaignState = 'created' | 'running' | 'paused' | 'cancelled' | 'finished';

/** A campaign as stored in Redis (CampaignStore); every process sees the same record. */
export interface CampaignRecord {
  id: string;
  name: string;
  /** Epoch ms. */
  createdAt: number;
  state: CampaignState;
  /** Number of devices. */
  devices: number;
  /** Epoch ms: no step runs before it (the first step is delayed until then). */
  notBefore?: number;
  /** Epoch ms: hard stop; a device not finished by then ends `failed` with reason `window-closed` (see onFinalFailure). */
  notAfter?: number;
  /** Per-campaign limit of job runs (step executions after a delay) per second, over all workers. */
  ratePerSecond?: number;
  /** Opaque JSON given to every step (e.g. the TransferMessage, hex). */
  payload: Record<string, unknown>;
  /** Epoch ms of start / of the last device reaching a final state. */
  startedAt?: number;
  finishedAt?: number;
}

/** Input of `create`. */
export interface CampaignInput {
  name: string;
  devices: string[];
  payload: Record<string, unknown>;
  notBefore?: number;
  notAfter?: number;
  ratePerSecond?: number;
}

/** Counts of a campaign, exact at any instant (every transition is one atomic Redis update). */
export interface CampaignProgress {
  campaignId: string;
  state: CampaignState;
  total: number;
  /** Devices in a final state. */
  done: number;
  /** Every DeviceState, 0 when none. */
  byState: Record<DeviceState, number>;
  /** Devices not yet final, by the step they are at (only steps with at least one device). */
  byStep: Record<string, number>;
}

/** One device of a campaign as stored. */
export interface DeviceStatus {
  deviceId: string;
  state: DeviceState;
  /** The step it is at (the last step for a finished device); absent before its first step. */
  step?: string;
  /** Attempt number of that step (1 = first try). */
  attempt: number;
  /** Per-device data written by the steps. */
  data: Record<string, unknown>;
  /** Why it ended (done.reason, the final error's message, `window-closed`, `cancelled`). */
  reason?: string;
}

/** What a step handler receives. */
export interface StepContext {
  campaignId: string;
  deviceId: string;
  step: string;
  /** 1 for the first try of this step, 2 after one thrown error, ... */
  attempt: number;
  /** Per-device data: mutate it; it is persisted after the step (also when the step throws). */
  data: Record<string, unknown>;
  campaign: CampaignRecord;
  /** Aborted at the campaign's not-after time and when the engine is closed with force. */
  signal: AbortSignal;
}

export type StepHandler = (ctx: StepContext) => Promise<StepOutcome>;

export interface CampaignDefinition {
  steps: Record<string, StepHandler>;
  firstStep: string;
  /**
   * Called when a step has thrown `retry.attempts` times, and when the not-after time has passed
   * (error: WindowClosedError). Its outcome replaces the failure; past the window only a `done`
   * outcome is honoured. Without it (or if it throws) the device ends `failed`.
   */
  onFinalFailure?: (ctx: StepContext, error: Error) => Promise<StepOutcome>;
}

/** A device changed state (emitted by the engine that made the change). */
export interface DeviceEvent {
  campaignId: string;
  deviceId: string;
  state: DeviceState;
  step?: string;
  reason?: string;
}

/**
 * The PKI trust transfer as a campaign (paper §VII, steps 5–6, from SP1's side): the steps one
 * BullMQ job carries each device through, on the generic engine of plugin/campaign.
 *
 *   deliver  write the surviving anchors, a fresh per-device token, execute Apply (OldProvider.deliver);
 *            a sleeping, absent or silent device (e.g. its DTLS session died with a restarted
 *            server) parks until it wakes or registers again; while SP1's DM server itself is
 *            unreachable (AdapterError) the step waits and polls, spending no retry
 *   await    poll SP1's record: `transferred` (SP2 confirmed the device registered with its CA2
 *            certificate) → revoke; the job keeps its worker slot while it polls (up to
 *            `holdMs`), so the engine's concurrency bounds the devices mid-transfer, not only
 *            the deliveries (a campaign of 1000 devices must not have 1000 devices handshaking
 *            with CA2 and SP2 at once); a device slower than that lets go of its slot and is
 *            polled every `pollMs` from then on; `fellBack` (it came back to SP1 with its factory
 *            certificate; also looked up at SP1's server, in case the registration event was
 *            missed while a process was down) → done; the device refused the token (Transfer
 *            State 9) → done failed
 *   revoke   the CA1 operational certificate of a transferred device (OldProvider.confirmArrival
 *            is idempotent and retries a failed revocation)
 *
 * Every step is safe to run twice (a worker may die after the device acted but before the step
 * was recorded): `deliver` first looks at what SP1 and the device already did, so a device that
 * applied a token never gets a second one; `await` and `revoke` only read and confirm.
 */
import type { DmAdapter } from '../adapter/dm-adapter';
import { AdapterError, DeviceNotRegisteredError, DeviceSleepingError, DeviceTimeoutError } from '../adapter/errors';
import type { CampaignDefinition, StepContext, StepOutcome } from '../campaign/types';
import type { OldProvider } from '../roles/old-provider';
import { TransferState } from '../roles/transfer-objects';

export interface TransferCampaignOptions {
  readonly sp1: OldProvider;
  /** Interval of the `await` poll, ms. Default 500. */
  readonly pollMs?: number;
  /** Read the device's Transfer State every this many polls (to see a refused token). Default 10. */
  readonly stateReadEvery?: number;
  /** SP1's DM adapter: with it, `await` also looks for a fallen-back device at SP1's server (every stateReadEvery polls). */
  readonly adapter?: Pick<DmAdapter, 'registration'>;
  /** Wait before trying again while SP1's DM server is unreachable, ms. Default 2000. */
  readonly unreachableWaitMs?: number;
  /**
   * How long `await` holds its worker slot polling for the outcome, ms (0: never, every poll is
   * a delayed job). Default 60000. A device in flight longer than that stops counting against
   * the concurrency.
   */
  readonly holdMs?: number;
  /** Interval of the polls while the slot is held, ms. Default 250. */
  readonly holdPollMs?: number;
}

/** The payload of a transfer campaign. */
export interface TransferCampaignPayload {
  readonly transferId: string;
}

function transferIdOf(ctx: StepContext): string {
  const id = ctx.campaign.payload.transferId;
  if (typeof id !== 'string' || id === '') throw new Error('the campaign payload has no transferId');
  return id;
}

/** Wait `ms`, or reject when `signal` aborts (the engine closing with force, the window closing). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    const onAbort = () => { clearTimeout(t); reject(signal.reason); };
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Transfer States at which the device has applied a token (running, done or fallen back). */
function applied(state: number): boolean {
  return state >= TransferState.verified && state !== TransferState.failed;
}

export function transferCampaign(opts: TransferCampaignOptions): CampaignDefinition {
  const { sp1 } = opts;
  const pollMs = opts.pollMs ?? 500;
  const readEvery = opts.stateReadEvery ?? 10;
  const unreachableWaitMs = opts.unreachableWaitMs ?? 2000;
  const holdMs = opts.holdMs ?? 60_000;
  const holdPollMs = opts.holdPollMs ?? 250;

  /** The device is registered at SP1 with its factory certificate: record the fallback. */
  async function cameBack(deviceId: string): Promise<boolean> {
    if (!opts.adapter) return false;
    const reg = await opts.adapter.registration(deviceId).catch(() => undefined);
    return reg ? sp1.recordFallback(deviceId, reg, { quiet: true }) : false;
  }

  async function deliver(ctx: StepContext): Promise<StepOutcome> {
    const transferId = transferIdOf(ctx);
    const rec = await sp1.deviceRecord(ctx.deviceId, transferId);
    if (rec && rec.state !== 'delivering') return { next: 'await' };
    if (rec?.state === 'delivering') {
      // A previous run wrote the token and may have executed Apply before it died.
      const state = await sp1.transferState(ctx.deviceId).catch(() => undefined);
      if (state !== undefined && applied(state)) return { next: 'await' };
    }
    try {
      const out = await sp1.deliver(ctx.deviceId, transferId);
      return out.status === 'sleeping' ? { park: 'awake' } : { next: 'await' };
    } catch (e) {
      if (e instanceof DeviceSleepingError || e instanceof DeviceNotRegisteredError || e instanceof DeviceTimeoutError) return { park: 'awake' };
      if (e instanceof AdapterError) return { wait: unreachableWaitMs };
      throw e;
    }
  }

  /** One look at the device's outcome: a final outcome, or undefined while it is still in flight. */
  async function outcome(ctx: StepContext, transferId: string, readState: boolean): Promise<StepOutcome | undefined> {
    const rec = await sp1.deviceRecord(ctx.deviceId, transferId);
    if (rec?.state === 'transferred') return { next: 'revoke' };
    if (rec?.state === 'fellBack') return { done: 'fellBack', reason: 'the device came back to SP1 with its factory certificate' };
    if (readState) {
      if (rec && await cameBack(ctx.deviceId)) return { done: 'fellBack', reason: 'the device came back to SP1 with its factory certificate' };
      const state = await sp1.transferState(ctx.deviceId).catch(() => undefined);
      if (state === TransferState.failed) return { done: 'failed', reason: 'the device refused the token (Transfer State 9); it stays with SP1 unchanged' };
    }
    return undefined;
  }

  async function awaitOutcome(ctx: StepContext): Promise<StepOutcome> {
    const transferId = transferIdOf(ctx);
    // Holding the slot: look every holdPollMs (the device's state every readEvery * pollMs).
    const heldSince = typeof ctx.data.heldSince === 'number' ? ctx.data.heldSince : Date.now();
    ctx.data.heldSince = heldSince;
    let lastStateRead = Date.now();
    while (Date.now() - heldSince < holdMs) {
      const readState = Date.now() - lastStateRead >= readEvery * pollMs;
      if (readState) lastStateRead = Date.now();
      const o = await outcome(ctx, transferId, readState);
      if (o) return o;
      await sleep(holdPollMs, ctx.signal);
    }
    // Past holdMs: poll as a delayed job, without the slot.
    const polls = (typeof ctx.data.polls === 'number' ? ctx.data.polls : 0) + 1;
    ctx.data.polls = polls;
    return (await outcome(ctx, transferId, polls % readEvery === 0)) ?? { wait: pollMs };
  }

  async function revoke(ctx: StepContext): Promise<StepOutcome> {
    const transferId = transferIdOf(ctx);
    const rec = await sp1.deviceRecord(ctx.deviceId, transferId);
    if (!rec || rec.state !== 'transferred' || !rec.certificateSerial) throw new Error(`no confirmed arrival recorded for ${ctx.deviceId}`);
    if (rec.revokedAt) return { done: 'transferred' };
    const r = await sp1.confirmArrival({ transferId, deviceId: ctx.deviceId, certificateSerial: rec.certificateSerial });
    if (r.revoked) return { done: 'transferred' };
    if (r.revokeError) throw new Error(`revoking the CA1 certificate failed: ${r.revokeError}`);
    // SP1 has no operational certificate on record for this device: nothing to revoke.
    return { done: 'transferred', reason: 'no CA1 operational certificate on record' };
  }

  return {
    firstStep: 'deliver',
    steps: { deliver, await: awaitOutcome, revoke },
    async onFinalFailure(ctx, error) {
      const transferId = transferIdOf(ctx);
      const rec = await sp1.deviceRecord(ctx.deviceId, transferId).catch(() => undefined);
      if (rec?.state === 'transferred') return { done: 'transferred', reason: `arrived; ${error.message}` };
      if (rec?.state === 'fellBack') return { done: 'fellBack', reason: error.message };
      return { done: 'failed', reason: error.message };
    },
  };
}

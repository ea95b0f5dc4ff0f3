/**
 * The steps of a running transfer (paper §VII-D), one function per state, run in order by
 * runTransfer. Each transition is saved before the next step starts; a resumed agent re-runs
 * the recorded step, so every step is safe to run twice (reset deletes what is left to delete,
 * enrollment reuses a certificate already obtained, rejoin replaces the accounts again).
 * Transient failures are retried with doubling back-off; a permanent one, or the last
 * transient one, sends the device to the fallback URI (State 10, reason in Result).
 */
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createCsr } from '../../common/pki/index';
import type { LwM2mClient } from '../client';
import type { ClientSecurity } from '../client-options';
import type { EnrollmentObjectEnabler } from './enrollment-object';
import { TransferStepError, asStepError } from './errors';
import { certificatesPem, keyFromPem, keyPem } from './pem';
import { AnchorPurpose, TransferResult, TransferStep, isRunning } from './transfer-codes';
import type { TransferAgentOptions } from './transfer-options';
import type { AgentState, SavedCredentials } from './transfer-state';
import type { TransferSteps } from './transfer-steps';
import { type TrustStoreEnabler, anchorKey, anchorsPem } from './trust-store-object';

/** What the steps see of the agent. */
export interface RunContext {
  readonly opts: TransferAgentOptions;
  readonly steps: TransferSteps;
  state(): AgentState;
  /** Change the state, show it and write it; resolves when on disk. */
  update(patch: Partial<AgentState>): Promise<void>;
  readonly trustStore: TrustStoreEnabler;
  readonly enrollment: EnrollmentObjectEnabler;
  client(): LwM2mClient | undefined;
  readonly signal: AbortSignal;
  log(line: string): void;
}

const FAILURE_RESULT: Partial<Record<TransferStep, TransferResult>> = {
  [TransferStep.verified]: TransferResult.internalError,
  [TransferStep.resetting]: TransferResult.internalError,
  [TransferStep.attesting]: TransferResult.attestationFailed,
  [TransferStep.updating]: TransferResult.updateFailed,
  [TransferStep.enrolling]: TransferResult.enrollmentFailed,
  [TransferStep.joining]: TransferResult.joinFailed,
};
const NAMES = ['idle', 'received', 'verified', 'resetting', 'attesting', 'updating', 'enrolling', 'joining', 'done', 'failed', 'fallback'];

/** Wait `ms`, or reject when `signal` aborts. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Run the transfer from the recorded step to done or fallback (or until aborted). */
export async function runTransfer(ctx: RunContext): Promise<void> {
  const retry = { attempts: 3, backoffMs: 1000, maxBackoffMs: 30000, ...ctx.opts.retry };
  while (!ctx.signal.aborted) {
    const step = ctx.state().step;
    if (step === TransferStep.fallback) { if (!ctx.state().fallbackJoined) await fallback(ctx, retry); return; }
    if (!isRunning(step)) return;
    ctx.log(`step ${NAMES[step]}${ctx.state().attempt ? ` (try ${ctx.state().attempt + 1})` : ''}`);
    try {
      const next = await runStep(ctx, step);
      if (ctx.signal.aborted) return;
      await ctx.update({ step: next, attempt: 0, ...(next === TransferStep.done ? { resultCode: TransferResult.success, resultText: 'transferred' } : {}) });
    } catch (e) {
      if (ctx.signal.aborted) return;
      const err = asStepError(e, FAILURE_RESULT[step] ?? TransferResult.internalError, NAMES[step]);
      const attempt = ctx.state().attempt + 1;
      if (err.transient && attempt < retry.attempts) {
        ctx.log(`${err.message} (transient, retrying)`);
        await ctx.update({ attempt });
        await delay(Math.min(retry.backoffMs * 2 ** (attempt - 1), retry.maxBackoffMs), ctx.signal).catch(() => undefined);
        continue;
      }
      if (step === TransferStep.enrolling) ctx.enrollment.failed(err.message);
      ctx.log(`${err.message}: falling back`);
      await ctx.update({ step: TransferStep.fallback, resultCode: err.result, resultText: err.message, attempt: 0, fallbackJoined: false, pendingKeyPem: undefined, enrolled: undefined });
    }
  }
}

async function runStep(ctx: RunContext, step: TransferStep): Promise<TransferStep> {
  const i = ctx.state().instructions;
  if (!i) throw new TransferStepError(TransferResult.internalError, 'no accepted token is recorded', false);
  const afterAttest = i.updateFirst ? TransferStep.updating : TransferStep.enrolling;
  switch (step) {
    case TransferStep.verified:
      return TransferStep.resetting;
    case TransferStep.resetting:
      await reset(ctx);
      return i.raUri !== null ? TransferStep.attesting : afterAttest;
    case TransferStep.attesting:
      await ctx.steps.attest({ raUri: i.raUri!, deviceId: ctx.opts.deviceId, factory: ctx.opts.factory, signal: ctx.signal });
      return afterAttest;
    case TransferStep.updating: {
      const keys = [...ctx.trustStore.withPurpose(AnchorPurpose.updateServer).map(anchorKey), ...(ctx.opts.suit?.trustStore ?? [])];
      const installed = await ctx.steps.update({ updateUri: i.updateUri, trustStore: keys, signal: ctx.signal });
      if (installed.firmwareVersion !== undefined) ctx.client()?.setResource('/3/0/3', installed.firmwareVersion);
      return TransferStep.enrolling;
    }
    case TransferStep.enrolling:
      if (!ctx.state().enrolled) await enroll(ctx, i.enrollUri, false);
      return TransferStep.joining;
    case TransferStep.joining: {
      const enrolled = ctx.state().enrolled;
      if (!enrolled) throw new TransferStepError(TransferResult.internalError, 'no enrolled credentials to join with', false);
      await ctx.steps.join({ uri: i.bootstrapUri, bootstrap: ctx.opts.joinBootstrap ?? true, security: security(ctx, i.bootstrapUri, enrolled) });
      await ctx.update({ operational: enrolled, enrolled: undefined });
      return TransferStep.done;
    }
    default:
      throw new TransferStepError(TransferResult.internalError, `state ${step} is not a step`, false);
  }
}

/** The agreed reset: SP1's operational credentials and the anchors not marked to survive go. */
async function reset(ctx: RunContext): Promise<void> {
  ctx.enrollment.dropCertificate();
  await ctx.trustStore.dropVolatile();
  await ctx.update({ operational: undefined });
}

/** Generate a key, send a CSR, keep what the CA issued (recorded before it is used). */
async function enroll(ctx: RunContext, uri: string, reenroll: boolean): Promise<SavedCredentials> {
  let pending = ctx.state().pendingKeyPem;
  if (!pending) {
    pending = keyPem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
    await ctx.update({ pendingKeyPem: pending });
  }
  const privateKey = keyFromPem(pending);
  const publicKey = createPublicKey(privateKey);
  const subject = ctx.opts.csrSubject ?? `CN=${ctx.opts.deviceId}, serialNumber=${ctx.opts.deviceId}`;
  const csr = await createCsr({ subject, privateKey, publicKey });
  ctx.enrollment.enrolling(uri);
  const operational = ctx.state().operational;
  const f = ctx.opts.factory;
  const credentials = reenroll && operational
    ? { certChainPem: operational.certificatePem, keyPem: operational.keyPem }
    : { certChainPem: certificatesPem([f.certificate, ...(f.chain ?? [])]), keyPem: keyPem(f.privateKey) };
  const cert = await ctx.steps.enroll({
    enrollUri: uri, csr, reenroll, signal: ctx.signal,
    credentials: { ...credentials, caPem: anchorsPem(ctx.trustStore.withPurpose(AnchorPurpose.enrollmentCa)) },
  });
  let issued: X509Certificate;
  try {
    issued = new X509Certificate(cert);
  } catch (e) {
    throw new TransferStepError(TransferResult.enrollmentFailed, `the CA answered something that is not a certificate: ${(e as Error).message}`, false);
  }
  const same = issued.publicKey.export({ type: 'spki', format: 'der' }).equals(publicKey.export({ type: 'spki', format: 'der' }));
  if (!same) throw new TransferStepError(TransferResult.enrollmentFailed, 'the issued certificate is not for the key the device generated', false);
  const saved: SavedCredentials = { keyPem: pending, certificatePem: issued.toString() };
  ctx.enrollment.enrolled(cert, uri);
  await ctx.update({ enrolled: saved, pendingKeyPem: undefined });
  return saved;
}

/** Enroll / Re-enroll executed by a server outside a transfer: the new credentials become the operational ones. */
export async function enrollOutsideTransfer(ctx: RunContext, uri: string, reenroll: boolean): Promise<void> {
  try {
    const saved = await enroll(ctx, uri, reenroll);
    await ctx.update({ operational: saved, enrolled: undefined });
  } catch (e) {
    ctx.enrollment.failed(e instanceof Error ? e.message : String(e));
    await ctx.update({ pendingKeyPem: undefined });
  }
}

/** Credentials of an account at `uri`: x509 for coaps:// (server checked against LwM2M-server anchors), NoSec for coap://. */
function security(ctx: RunContext, uri: string, creds: SavedCredentials): ClientSecurity {
  if (!uri.startsWith('coaps')) return { mode: 'nosec' };
  const servers = ctx.trustStore.withPurpose(AnchorPurpose.lwm2mServer);
  const anchors = servers.length > 0 ? servers : ctx.trustStore.withPurpose(AnchorPurpose.enrollmentCa);
  return { mode: 'x509', certChainPem: creds.certificatePem, keyPem: creds.keyPem, caPem: anchorsPem(anchors) };
}

/** Go back to the fallback URI with the factory certificate; State stays 10 whatever happens. */
async function fallback(ctx: RunContext, retry: { attempts: number; backoffMs: number; maxBackoffMs: number }): Promise<void> {
  const i = ctx.state().instructions;
  if (!i) return;
  const f = ctx.opts.factory;
  const creds = { keyPem: keyPem(f.privateKey), certificatePem: certificatesPem([f.certificate, ...(f.chain ?? [])]) };
  for (let attempt = 1; !ctx.signal.aborted; attempt++) {
    try {
      await ctx.steps.join({ uri: i.fallbackUri, bootstrap: ctx.opts.fallbackBootstrap ?? false, security: security(ctx, i.fallbackUri, creds) });
      await ctx.update({ fallbackJoined: true });
      ctx.log(`back at the fallback URI ${i.fallbackUri}`);
      return;
    } catch (e) {
      const err = asStepError(e, TransferResult.joinFailed, 'fallback');
      if (ctx.signal.aborted) return;
      if (!err.transient || attempt >= retry.attempts) {
        await ctx.update({ resultText: `${ctx.state().resultText}; ${err.message}`.slice(0, 255) });
        ctx.log(err.message);
        return;
      }
      await delay(Math.min(retry.backoffMs * 2 ** (attempt - 1), retry.maxBackoffMs), ctx.signal).catch(() => undefined);
    }
  }
}

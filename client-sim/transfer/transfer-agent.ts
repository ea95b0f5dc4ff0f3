/**
 * TransferAgent: the device half of the PKI trust transfer (paper §VII-D, docs/objects.md).
 * It owns objects 33001 Transfer, 33002 Trust Store and 33003 Enrollment; on Apply it checks the
 * token and, when valid, runs verified → resetting → [attesting] → [updating] → enrolling →
 * joining → done, or fallback on a permanent failure (transfer-run.ts). Every transition is
 * written to its state file before the next step starts, so a reboot resumes at the recorded
 * step (resume()). A refused token changes nothing but State (9) and Result.
 *
 *   const agent = createTransferAgent({ deviceId: 'dev-1', factory, operational, stateFile, suit });
 *   const client = new LwM2mClient({ endpoint: 'dev-1', objects: agent.objects, ... });
 *   agent.attach(client);
 *   await client.start();
 *   agent.resume();                 // continue a transfer a reboot interrupted
 */
import { X509Certificate } from 'node:crypto';
import { InvalidInputError } from '../../common/errors';
import { sharedStandardModels } from '../shared-models';
import type { ObjectModel } from '../../objects/model';
import type { LwM2mClient } from '../client';
import { OperationError } from '../errors';
import type { Caller, ObjectEnabler } from '../object-enabler';
import type { AgentObjectOwner } from './agent-object';
import { EnrollmentObjectEnabler } from './enrollment-object';
import { defaultEnroll } from './enroll-step';
import { checkTransferToken } from './token-check';
import { AnchorPurpose, DEFAULT_OBJECT_IDS, TransferResult, TransferStep, isRunning } from './transfer-codes';
import type { TransferAgentOptions } from './transfer-options';
import { runTransfer, enrollOutsideTransfer, type RunContext } from './transfer-run';
import { type AgentState, MAX_SEEN_TOKEN_IDS, TransferStateFile, initialState } from './transfer-state';
import { defaultSteps, type TransferSteps } from './transfer-steps';
import { TransferObjectEnabler } from './transfer-object';
import { TrustStoreEnabler } from './trust-store-object';
import { certificatesPem, keyPem } from './pem';

export class TransferAgent {
  readonly transfer: TransferObjectEnabler;
  readonly trustStore: TrustStoreEnabler;
  readonly enrollment: EnrollmentObjectEnabler;
  /** The three objects, for LwM2mClientOptions.objects. */
  readonly objects: readonly ObjectEnabler[];
  private state: AgentState = initialState();
  private readonly file?: TransferStateFile;
  private client?: LwM2mClient;
  private running?: Promise<void>;
  private abort = new AbortController();
  private readonly steps: TransferSteps;
  private closed = false;

  constructor(private readonly opts: TransferAgentOptions) {
    if (typeof opts.deviceId !== 'string' || opts.deviceId.length === 0) throw new InvalidInputError('the transfer agent needs the device id');
    checkCertificate(opts.factory?.certificate, 'factory certificate');
    if (opts.operational) checkCertificate(opts.operational.certificate, 'operational certificate');
    const models = opts.models ?? sharedStandardModels();
    const ids = { ...DEFAULT_OBJECT_IDS, ...opts.objectIds };
    const model = (id: number, base: number): ObjectModel => {
      const m = models.getObject(id) ?? models.getObject(base);
      if (!m) throw new InvalidInputError(`no model of object ${id}`);
      return m.id === id ? m : { ...m, id, urn: `urn:oma:lwm2m:x:${id}` };
    };
    if (opts.stateFile) this.file = new TransferStateFile(opts.stateFile, opts.deviceId);
    const owner: AgentObjectOwner = {
      ownsState: this.file !== undefined,
      changed: () => this.persist(),
      wasReset: (id) => this.objectReset(id),
      guardServerChange: (caller) => {
        if (caller.kind === 'server' && isRunning(this.state.step)) throw OperationError.badRequest('a transfer is in progress: the device refuses changes to its trust and enrollment objects');
      },
    };
    this.trustStore = new TrustStoreEnabler(model(ids.trustStore, DEFAULT_OBJECT_IDS.trustStore), owner);
    this.enrollment = new EnrollmentObjectEnabler(model(ids.enrollment, DEFAULT_OBJECT_IDS.enrollment), owner, opts.factory.certificate, {
      enroll: (reenroll, caller) => this.enrollCommand(reenroll, caller),
    });
    this.transfer = new TransferObjectEnabler(model(ids.transfer, DEFAULT_OBJECT_IDS.transfer), owner, {
      tokenWritten: () => this.tokenWritten(),
      apply: () => this.apply(),
      step: () => this.state.step,
    });
    this.objects = [this.transfer, this.trustStore, this.enrollment];
    const steps = defaultSteps({ suit: opts.suit, client: () => this.client, joinTimeoutMs: opts.joinTimeoutMs }, defaultEnroll({ timeoutMs: opts.estTimeoutMs }));
    this.steps = { ...steps, ...opts.steps };
    const saved = this.file?.load();
    if (saved) {
      const own = [this.transfer, this.trustStore, this.enrollment];
      for (const o of saved.objects) own.find((e) => e.id === o.id)?.restoreOwn(o);
      this.state = saved.state;
    } else if (opts.operational) {
      this.state.operational = { keyPem: keyPem(opts.operational.privateKey), certificatePem: certificatesPem([opts.operational.certificate, ...(opts.operational.chain ?? [])]) };
      this.enrollment.enrolled(opts.operational.certificate);
    }
    this.render();
  }

  /** Use `client` for the join and fallback steps (client.rejoin) and the firmware version. */
  attach(client: LwM2mClient): void {
    this.client = client;
  }

  /** The current Transfer State. */
  get step(): TransferStep { return this.state.step; }
  /** Result Code and Text of the last outcome. */
  get result(): { code: TransferResult; text: string } { return { code: this.state.resultCode, text: this.state.resultText }; }
  /** The highest transfer counter accepted. */
  get lastCounter(): number { return this.state.lastCounter; }

  /** The current operational credentials (PEM), if any. */
  operationalCredentials(): { keyPem: string; certificatePem: string } | undefined {
    return this.state.operational ? { ...this.state.operational } : undefined;
  }

  /** Continue a transfer interrupted by a reboot (no-op when none); resolves once it is running. */
  resume(): void {
    if (this.closed) throw new InvalidInputError('the transfer agent is closed');
    if (isRunning(this.state.step) || (this.state.step === TransferStep.fallback && !this.state.fallbackJoined)) this.start();
  }

  /** Wait until no transfer runs; the State then. */
  async settled(): Promise<TransferStep> {
    while (this.running) await this.running;
    return this.state.step;
  }

  /** Stop (a device losing power): abort the running step, write what is recorded. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await this.running?.catch(() => undefined);
    await this.file?.flush();
  }

  /** Wait until the state file holds every change. */
  async flush(): Promise<void> { await this.file?.flush(); }

  /** Apply the written token (what Execute /33001/0/1 does). */
  async apply(): Promise<void> {
    if (isRunning(this.state.step)) throw OperationError.badRequest('a transfer is already in progress');
    const token = this.transfer.token();
    if (token.length === 0) throw OperationError.notAllowed('no token to apply: write Token first');
    const check = checkTransferToken(token, this.trustStore.withPurpose(AnchorPurpose.providerSigner), {
      deviceId: this.opts.deviceId, factoryCertificate: this.opts.factory.certificate,
      requireCertificateBinding: this.opts.requireCertificateBinding ?? false,
      lastCounter: this.state.lastCounter, seenTokenIds: new Set(this.state.seenTokenIds),
      ...(this.opts.now ? { now: this.opts.now() } : {}), ...(this.opts.clockSkew !== undefined ? { clockSkew: this.opts.clockSkew } : {}),
    });
    this.transfer.clearToken();
    if (!check.ok) {
      this.log(`token refused (${check.result}): ${check.text}`);
      this.setOutcome(TransferStep.failed, check.result, check.text);
      await this.save();
      return;
    }
    const t = check.token;
    const cti = Buffer.from(t.cti).toString('hex');
    this.state = {
      ...this.state, step: TransferStep.verified, resultCode: TransferResult.none, resultText: '', attempt: 0,
      lastCounter: t.transferCounter, seenTokenIds: [...this.state.seenTokenIds, cti].slice(-MAX_SEEN_TOKEN_IDS),
      token: Buffer.from(token).toString('base64'), fallbackJoined: undefined, enrolled: undefined, pendingKeyPem: undefined,
      instructions: {
        notBefore: t.resetTimeNotBefore, notAfter: t.resetTimeNotAfter, raUri: t.raUri, updateUri: t.updateUri, updateFirst: t.updateFirst,
        enrollUri: t.enrollUri, fallbackUri: t.fallbackUri, bootstrapUri: t.bootstrapUri, counter: t.transferCounter, cti, issuer: t.issuer,
      },
    };
    this.log(`token ${cti} accepted (counter ${t.transferCounter}, signer anchor ${check.signer.instanceId})`);
    this.render();
    await this.save();
    this.start();
  }

  // ---- internals -------------------------------------------------------------------------------

  private start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    const ctx: RunContext = {
      opts: this.opts, steps: this.steps, state: () => this.state, signal: this.abort.signal,
      trustStore: this.trustStore, enrollment: this.enrollment, client: () => this.client,
      update: (patch) => { this.state = { ...this.state, ...patch }; this.render(); return this.save(); },
      log: (line) => this.log(line),
    };
    this.running = runTransfer(ctx)
      .catch((e) => this.log(`transfer stopped: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => { this.running = undefined; });
  }

  private tokenWritten(): void {
    this.setOutcome(TransferStep.received, TransferResult.none, '');
  }

  private setOutcome(step: TransferStep, code: TransferResult, text: string): void {
    this.state = { ...this.state, step, resultCode: code, resultText: text };
    this.render();
  }

  private async enrollCommand(reenroll: boolean, caller: Caller): Promise<void> {
    if (isRunning(this.state.step)) throw OperationError.badRequest('a transfer is in progress');
    const uri = this.enrollment.estUri();
    if (!uri) throw OperationError.notAllowed('write EST URI first');
    if (reenroll && !this.state.operational) throw OperationError.notAllowed('no operational certificate to re-enroll with');
    void caller;
    // the Execute is answered at once; Status and Last Error report the outcome
    void enrollOutsideTransfer({
      opts: this.opts, steps: this.steps, state: () => this.state, signal: this.abort.signal, trustStore: this.trustStore,
      enrollment: this.enrollment, client: () => this.client,
      update: (patch) => { this.state = { ...this.state, ...patch }; this.render(); return this.save(); }, log: (l) => this.log(l),
    }, uri, reenroll).catch((e) => this.log(`enroll: ${(e as Error).message}`));
  }

  /** A factory reset of one of the objects: a running transfer is abandoned; counters stay. */
  private objectReset(objectId: number): void {
    if (objectId === this.transfer?.id) {
      this.abort.abort();
      this.state = { ...initialState(), lastCounter: this.state.lastCounter, seenTokenIds: this.state.seenTokenIds, operational: this.state.operational };
    }
    if (objectId === this.enrollment?.id) this.state = { ...this.state, operational: undefined };
    this.persist();
  }

  private render(): void {
    const s = this.state;
    const i = s.instructions;
    this.transfer.render({
      step: s.step, resultCode: s.resultCode, resultText: s.resultText, lastCounter: s.lastCounter,
      ...(i ? { instructions: { ...i, cti: new Uint8Array(Buffer.from(i.cti, 'hex')) } } : {}),
    });
  }

  private snapshot() {
    return { objects: this.objects.map((o) => o.snapshot()), state: this.state };
  }

  private persist(): void {
    // the objects are built before the file handle exists
    this.file?.save(() => this.snapshot()).catch((e) => this.log(`state file: ${(e as Error).message}`));
  }

  private save(): Promise<void> {
    return this.file ? this.file.save(() => this.snapshot()) : Promise.resolve();
  }

  private log(line: string): void {
    this.opts.log?.(`[${this.opts.deviceId}] ${line}`);
  }
}

function checkCertificate(der: unknown, what: string): void {
  try {
    if (!(der instanceof Uint8Array)) throw new Error('not DER bytes');
    new X509Certificate(der);
  } catch (e) {
    throw new InvalidInputError(`the ${what} is not an X.509 certificate: ${(e as Error).message}`);
  }
}

/** Build the agent (synchronously: its state file is read at once). */
export function createTransferAgent(opts: TransferAgentOptions): TransferAgent {
  return new TransferAgent(opts);
}

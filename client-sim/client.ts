/**
 * LwM2mClient: one simulated LwM2M device (LwM2M 1.1 by default, able to claim 1.0 or 1.2).
 *
 *   const client = new LwM2mClient({ endpoint: 'dev-1', serverUri: 'coap://127.0.0.1:5683', lifetime: 300 });
 *   client.on('registered', ({ location }) => ...);
 *   await client.start();                 // bootstrap if needed, then Register
 *   client.setResource('/3/0/9', 80);     // notifies observers
 *   await client.send(['/3/0/9']);        // LwM2M Send, SenML-CBOR
 *   client.sleep(); await client.wake();  // queue mode
 *   await client.stop();                  // De-register, close
 *
 * The device runs node-coap's Server (downlink: dm-handler.ts, bootstrap-handler.ts) and Agent
 * (uplink.ts) on one GatedSocket over DeviceSockets (its UDP socket plus one DTLS session per
 * coaps:// server account, with the credentials of that account's Security instance), so the
 * server reaches it over the session and port it registered from. rejoin() moves the device to
 * another server (a handover's join and fallback steps). Registration lifecycle: Register; Update at lifetime − margin, and when objects,
 * lifetime or binding change; Register again when an Update gets 4.04; De-register on stop();
 * failed attempts retried with exponential back-off. State persists in one file per device.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:dgram';
import * as coap from 'coap';
import { InvalidInputError } from '../common/errors';
import { formatLinks } from '../objects/codecs/link-format';
import { ContentFormat } from '../objects/content-format';
import { LwM2mPath } from '../objects/path';
import { AttributeStore } from './attributes';
import type { ClientEvents, LwM2mClientOptions, RejoinAccount } from './client-options';
import { bindUdpSocket } from './datagram-socket';
import { DeviceSockets, type Session as DtlsSession } from './device-sockets';
import { DmHandler } from './dm-handler';
import { BootstrapHandler } from './bootstrap-handler';
import { registrationLinks } from './discover';
import { BootstrapError, OperationError, RegistrationError } from './errors';
import { encodeNodes, supportedFormats, type LwM2mVersion } from './formats';
import { GatedSocket } from './gated-socket';
import { ModelObjectEnabler } from './model-object-enabler';
import { DEVICE, type ObjectEnabler } from './object-enabler';
import { ObjectTree } from './object-tree';
import { buildStandardObjects } from './standard-objects';
import { checkClientSecurity, dtlsCredentials, enrolledCredentials } from './security-credentials';
import { SecurityMode, securityAccounts, type SecurityAccount } from './objects/security';
import { checkRejoinAccount, replaceAccounts } from './rejoin-account';
import { serverAccounts, type ServerAccount } from './objects/server';
import { registerQuery, updateQuery, bootstrapQuery, updateDelaySeconds, type RegistrationParams } from './registration-params';
import { DeviceStateFile } from './state-file';
import type { DeviceState, SavedRegistration } from './state-codec';
import { parseServerUri, sendUplink, type ServerTarget, type UplinkRequest, type UplinkResponse } from './uplink';

interface DmAccount {
  readonly security: SecurityAccount;
  readonly server: ServerAccount;
  readonly target: ServerTarget;
}

interface Session {
  readonly target: ServerTarget;
  readonly security: SecurityAccount;
  readonly location: string;
  params: RegistrationParams;
  links: string;
  lastUpdate: number;
}

export class LwM2mClient extends EventEmitter {
  readonly endpoint: string;
  readonly version: LwM2mVersion;
  private readonly tree: ObjectTree;
  private readonly attributes = new AttributeStore();
  private readonly stateFile?: DeviceStateFile;
  private readonly dm: DmHandler;
  private readonly bs: BootstrapHandler;
  private extra: Record<string, unknown> = {};
  private saved?: SavedRegistration;
  private session?: Session;
  private gate?: GatedSocket;
  private sockets?: DeviceSockets;
  private coapServer?: coap.Server;
  private agent?: coap.Agent;
  private started = false;
  private bootstrapping?: { finished: () => void };
  private updateTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private sleepTimer?: NodeJS.Timeout;
  private retryDelay: number;
  private updateSoonTimer?: NodeJS.Timeout;
  private pendingChanges: LwM2mPath[] = [];
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly options: LwM2mClientOptions) {
    super();
    if (!options.endpoint || /[\s&?/]/.test(options.endpoint)) throw new InvalidInputError(`Invalid endpoint name "${options.endpoint}"`);
    if (!options.serverUri && !options.bootstrapUri) throw new InvalidInputError('A serverUri or a bootstrapUri is required');
    if (options.security !== undefined) checkClientSecurity(options.security, 'options.security');
    for (const uri of [options.serverUri, options.bootstrapUri]) {
      if (uri?.startsWith('coaps:') && !options.socket && (options.security ?? { mode: 'nosec' }).mode === 'nosec') {
        throw new InvalidInputError(`${uri}: a coaps:// server needs options.security (psk or x509) or a DTLS options.socket`);
      }
    }
    this.endpoint = options.endpoint;
    this.version = options.lwm2mVersion ?? '1.1';
    this.retryDelay = options.retryDelay ?? 2000;
    const standard = buildStandardObjects(options, {
      disable: (ssid) => this.background(() => this.disable(ssid)),
      updateTrigger: () => this.background(() => this.update(true)),
      bootstrapTrigger: () => this.background(() => this.rebootstrap()),
      reboot: () => this.background(() => this.reboot()),
      factoryReset: () => this.background(() => this.factoryReset()),
      firmwareInstalled: (info) => {
        if (info.firmwareVersion !== undefined) this.setResource('/3/0/3', info.firmwareVersion);
        this.emit('firmwareInstalled', info);
      },
    });
    const extra = new Map((options.objects ?? []).map((e) => [e.id, e]));
    this.tree = new ObjectTree([...standard.filter((e) => !extra.has(e.id)), ...extra.values()], standard.models);
    this.tree.onChange((path) => this.onObjectChange(path));
    if (options.stateFile) this.stateFile = new DeviceStateFile(options.stateFile);
    this.dm = new DmHandler({
      tree: this.tree, attributes: this.attributes, version: this.version,
      caller: () => ({ kind: 'server', shortServerId: this.currentAccount()?.server.shortServerId }),
      defaults: () => { const s = this.currentAccount()?.server; return { pmin: s?.defaultMinPeriod, pmax: s?.defaultMaxPeriod }; },
      persist: () => this.persist(),
    });
    this.bs = new BootstrapHandler({
      tree: this.tree, version: this.version,
      bootstrapAccount: () => securityAccounts(this.security()).find((a) => a.bootstrap)?.instanceId,
      validate: () => { if (!this.currentAccount()) throw OperationError.notAcceptable('No usable LwM2M server account (Security + Server with the same Short Server ID)'); },
      finished: () => this.bootstrapping?.finished(),
      persist: () => this.persist(),
    });
  }

  // ---- public API -------------------------------------------------------------------------

  /** Load the state file, open the socket, bootstrap if needed, register. Rejects if the first attempt fails (retries go on). */
  async start(): Promise<void> {
    if (this.started) throw new InvalidInputError(`${this.endpoint} is already started`);
    await this.load();
    await this.openTransport();
    this.started = true;
    await this.enqueue(() => this.connect()).catch((e) => { this.failed(e); throw e; });
  }

  /** De-register (unless `deregister: false`, as a device losing power), close the socket, save the state. */
  async stop(opts: { deregister?: boolean } = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.clearTimers();
    await this.busy.catch(() => undefined);
    if (opts.deregister !== false && this.session) {
      this.gate?.wake();
      await this.deregister().catch((e) => this.reportError(e));
    }
    await this.closeTransport();
    await this.stateFile?.flush().catch((e) => this.reportError(e));
  }

  /** Queue mode: stop listening until wake(). */
  sleep(): void {
    if (!this.gate || this.gate.sleeping) return;
    clearTimeout(this.sleepTimer);
    this.gate.sleep();
    this.emit('sleeping', {});
  }

  /** Start listening again and send an Update, so that the server delivers what it queued. */
  async wake(): Promise<void> {
    if (!this.gate) throw new InvalidInputError(`${this.endpoint} is not started`);
    if (this.gate.sleeping) {
      this.gate.wake();
      this.emit('awake', {});
    }
    await this.enqueue(() => this.update(false)).catch((e) => { this.failed(e); throw e; });
    const changes = this.pendingChanges;
    this.pendingChanges = [];
    for (const p of changes) this.dm.observations.changed(p);
    this.touch();
  }

  /**
   * Leave the current provider for another one: De-register from the current DM server (best
   * effort), delete every Security and Server instance, create the one new account, then
   * Bootstrap-Request (`bootstrap: true`) or Register. Resolves when registered with the
   * resulting DM server; rejects with RegistrationError when that fails or takes longer than
   * `timeoutMs` (default: requestTimeout, plus bootstrapTimeout for a bootstrap account). The
   * new account is in the state file from the moment it is created; after a failure the client
   * keeps retrying it with back-off, as a device would, until the next rejoin.
   */
  async rejoin(account: RejoinAccount, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.started) throw new RegistrationError(`${this.endpoint} is not started`);
    const target = checkRejoinAccount(account);
    if (target.secure && this.options.socket) throw new InvalidInputError(`${account.uri}: this client runs over a caller-supplied socket and opens no DTLS session of its own`);
    const limit = opts.timeoutMs ?? this.requestTimeout() + (account.bootstrap ? this.options.bootstrapTimeout ?? 60000 : 0);
    if (!Number.isFinite(limit) || limit <= 0) throw new InvalidInputError('timeoutMs must be a positive number');
    this.clearTimers();
    const step = this.enqueue(async () => {
      this.clearTimers();
      this.gate?.wake(); // a sleeping radio would miss the answers
      if (this.session) await this.deregister().catch((e) => this.reportError(e));
      this.session = undefined;
      this.saved = undefined;
      this.sockets?.closeSessions();
      await replaceAccounts(this.security(), this.tree.enabler(1) as ModelObjectEnabler, account, this.options.lifetime ?? 300);
      this.persist();
      if (!this.started) throw new RegistrationError(`${this.endpoint} was stopped during rejoin`);
      await this.connect();
      if (!this.session) throw new RegistrationError(`${this.endpoint} did not register with ${account.uri}`);
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([step, new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RegistrationError(`Rejoin of ${account.uri} not done within ${limit} ms`)), limit);
      })]);
    } catch (e) {
      step.catch(() => undefined).finally(() => { if (!this.session) this.failed(e); });
      throw e instanceof RegistrationError ? e : new RegistrationError(`Rejoin of ${account.uri} failed: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  /** URI of the DM server the client is registered with, or else of its configured DM account. */
  currentServerUri(): string | undefined {
    return this.session?.target.uri ?? this.currentAccount()?.target.uri;
  }

  get sleeping(): boolean { return this.gate?.sleeping ?? false; }
  get registered(): boolean { return this.session !== undefined; }
  /** The registration location ("/rd/abc"), when registered. */
  get location(): string | undefined { return this.session?.location; }
  /** Local address of the device socket, when started. */
  address(): { address: string; port: number } | undefined { return this.gate?.address(); }
  /** Models of every object on this device. */
  get models() { return this.tree.models; }

  /** The enabler of an object (ModelObjectEnabler for the standard ones). */
  object<T extends ObjectEnabler = ModelObjectEnabler>(objectId: number): T | undefined {
    return this.tree.get(objectId) as T | undefined;
  }

  /** Set a resource from the device side ("/3/0/9"); observers are notified. */
  setResource(path: string, value: unknown): void {
    const p = LwM2mPath.parse(path);
    if (!p.isResource()) throw new InvalidInputError(`${path} is not a resource path`);
    const e = this.tree.get(p.objectId!);
    if (!(e instanceof ModelObjectEnabler)) throw new InvalidInputError(`/${p.objectId} has no settable resources on this device`);
    e.set(p.instanceId!, p.resourceId!, value);
  }

  /** Read any path as the device sees it. */
  getResource(path: string) { return this.tree.read(LwM2mPath.parse(path), DEVICE); }

  /** Send (LwM2M 1.1 Information Reporting): POST /dp with the current values of `paths`, SenML-CBOR by default. */
  async send(paths: readonly string[], format: number = ContentFormat.SENML_CBOR): Promise<void> {
    const session = this.session;
    if (!session) throw new RegistrationError(`${this.endpoint} is not registered`);
    const nodes = new Map(paths.map((p) => { const path = LwM2mPath.parse(p); return [path.toString(), this.tree.read(path, DEVICE)] as const; }));
    const { payload } = encodeNodes(nodes, format, this.tree.models);
    const res = await this.uplink(session.target, session.security, { method: 'POST', pathname: '/dp', format, payload });
    if (res.code !== '2.04') throw new RegistrationError(`Send refused with ${res.code}`, { details: { code: res.code } });
    this.touch();
  }

  /** Data other device modules keep in the state file (keys, counters). */
  getExtra<T = unknown>(key: string): T | undefined { return this.extra[key] as T | undefined; }
  setExtra(key: string, value: unknown): void { this.extra = { ...this.extra, [key]: value }; this.persist(); }

  /** Wait until the state file holds every change so far. */
  async flush(): Promise<void> { await this.stateFile?.flush(); }

  // ---- registration lifecycle ---------------------------------------------------------------

  /** Serialise lifecycle steps (register, update, reboot...) so they never interleave. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.busy.then(step, step);
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** Run a step later; its failure is reported and retried. */
  private background(step: () => Promise<void>): void {
    void this.enqueue(step).catch((e) => this.failed(e));
  }

  private async connect(): Promise<void> {
    if (!this.started) return;
    let account = this.currentAccount();
    if (!account) {
      await this.bootstrap();
      account = this.currentAccount();
      if (!account) throw new BootstrapError('Bootstrap finished without a usable server account');
    }
    const saved = this.saved;
    if (saved && saved.serverUri === account.target.uri && saved.lastUpdate + saved.lifetime * 1000 > Date.now()) {
      // A restarted device resumes its registration; a refused or lost Update falls back to Register.
      this.session = { target: account.target, security: account.security, location: saved.location, params: this.params(account), links: '', lastUpdate: saved.lastUpdate };
      try {
        await this.update(true);
        if (this.session) return;
      } catch {
        this.session = undefined;
      }
    }
    await this.register(account);
  }

  private async register(account: DmAccount): Promise<void> {
    const params = this.params(account);
    const links = this.links();
    const res = await this.uplink(account.target, account.security, {
      method: 'POST', pathname: '/rd', query: registerQuery(params), format: ContentFormat.LINK, payload: Buffer.from(links, 'utf8'),
    });
    if (res.code !== '2.01') throw new RegistrationError(`Register refused by ${account.target.uri} with ${res.code}`, { details: { code: res.code } });
    if (res.locationPath.length === 0) throw new RegistrationError(`Register answer from ${account.target.uri} has no Location-Path`);
    const location = '/' + res.locationPath.join('/');
    this.session = { target: account.target, security: account.security, location, params, links, lastUpdate: Date.now() };
    this.registeredOk();
    this.emit('registered', { location, serverUri: account.target.uri });
  }

  /** Registration Update; with `full`, the object links are sent even if unchanged. 4.04 → Register. */
  private async update(full: boolean): Promise<void> {
    const session = this.session;
    const account = this.currentAccount();
    if (!session || !account) { if (account && this.started) await this.register(account); return; }
    const params = this.params(account);
    const links = this.links();
    const sendLinks = full || links !== session.links;
    {
      const res = await this.uplink(session.target, session.security, {
        method: 'POST', pathname: session.location, query: updateQuery(session.params, params),
        ...(sendLinks ? { format: ContentFormat.LINK, payload: Buffer.from(links, 'utf8') } : {}),
      });
      if (res.code === '4.04') {
        this.session = undefined;
        this.dm.observations.clear();
        await this.register(account);
        return;
      }
      if (res.code !== '2.04') throw new RegistrationError(`Update refused by ${session.target.uri} with ${res.code}`, { details: { code: res.code } });
    }
    session.params = params;
    session.links = links;
    session.lastUpdate = Date.now();
    this.registeredOk();
    this.emit('updated', { location: session.location });
  }

  private async deregister(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    this.saved = undefined;
    this.dm.observations.clear();
    clearTimeout(this.updateTimer);
    this.persist();
    const res = await this.uplink(session.target, session.security, { method: 'DELETE', pathname: session.location });
    if (res.code !== '2.02' && res.code !== '4.04') throw new RegistrationError(`De-register refused with ${res.code}`);
    this.emit('deregistered', { location: session.location });
  }

  private async bootstrap(): Promise<void> {
    const account = securityAccounts(this.security()).find((a) => a.bootstrap);
    if (!account) throw new BootstrapError(`${this.endpoint} has neither a server account nor a bootstrap server`);
    const target = this.targetFor(account.uri);
    this.route(target, account);
    let finished!: () => void;
    const done = new Promise<void>((resolve) => { finished = resolve; });
    this.bootstrapping = { finished };
    let timer: NodeJS.Timeout | undefined;
    try {
      const res = await this.uplink(target, account, {
        method: 'POST', pathname: '/bs', query: bootstrapQuery(this.endpoint, this.version, ContentFormat.SENML_CBOR),
      });
      if (res.code !== '2.04') throw new BootstrapError(`Bootstrap-Request refused by ${target.uri} with ${res.code}`);
      const limit = this.options.bootstrapTimeout ?? 60000;
      await Promise.race([done, new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BootstrapError(`No Bootstrap-Finish from ${target.uri} within ${limit} ms`)), limit);
      })]);
    } finally {
      clearTimeout(timer);
      this.bootstrapping = undefined;
    }
    this.saved = undefined;
    this.persist();
    this.emit('bootstrapped', { serverUri: target.uri });
  }

  private async rebootstrap(): Promise<void> {
    await this.deregister().catch((e) => this.reportError(e));
    await this.bootstrap();
    await this.connect();
  }

  private async disable(shortServerId: number): Promise<void> {
    const account = this.currentAccount();
    if (!account || account.server.shortServerId !== shortServerId) return;
    await this.deregister().catch((e) => this.reportError(e));
    this.retryTimer = setTimeout(() => this.background(() => this.connect()), account.server.disableTimeout * 1000);
  }

  private async reboot(): Promise<void> {
    this.emit('reboot', {});
    await this.restart();
  }

  private async factoryReset(): Promise<void> {
    this.emit('factoryReset', {});
    this.tree.reset();
    this.attributes.clear();
    this.extra = {};
    this.saved = undefined;
    await this.restart();
  }

  /** Power-cycle: new socket, fresh registration (no De-register: the old one lapses or is replaced). */
  private async restart(): Promise<void> {
    this.clearTimers();
    this.session = undefined;
    this.saved = undefined;
    this.persist();
    await this.closeTransport();
    if (!this.started) return;
    await this.openTransport();
    await this.connect();
  }

  private registeredOk(): void {
    this.retryDelay = this.options.retryDelay ?? 2000;
    const session = this.session!;
    this.saved = { serverUri: session.target.uri, location: session.location, lifetime: session.params.lifetime, lastUpdate: session.lastUpdate };
    this.persist();
    clearTimeout(this.updateTimer);
    const delay = updateDelaySeconds(session.params.lifetime, this.options.updateMargin) * 1000;
    this.updateTimer = setTimeout(() => this.background(this.sleeping ? () => this.wakeForUpdate() : () => this.update(false)), delay);
    this.touch();
  }

  private async wakeForUpdate(): Promise<void> {
    this.gate?.wake();
    this.emit('awake', {});
    await this.update(false);
  }

  /** A failed step: report it and try again later (Register, or Bootstrap when there is no account). */
  private failed(e: unknown): void {
    this.reportError(e);
    if (!this.started) return;
    clearTimeout(this.retryTimer);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.options.maxRetryDelay ?? 60000);
    this.retryTimer = setTimeout(() => {
      this.session = undefined;
      this.background(() => this.connect());
    }, delay);
  }

  /** 'error' is emitted only to listeners: a device without one keeps running (a fleet must not die of one device). */
  private reportError(e: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', e instanceof Error ? e : new Error(String(e)));
  }

  // ---- objects and changes ------------------------------------------------------------------

  private onObjectChange(path: LwM2mPath): void {
    if (this.sleeping) this.pendingChanges.push(path);
    else this.dm.observations.changed(path);
    this.persist();
    const instanceLevel = path.depth <= 2 && path.objectId !== 0;
    const serverParam = path.objectId === 1 && (path.resourceId === 1 || path.resourceId === 7);
    if (this.session && !this.bootstrapping && (instanceLevel || serverParam)) this.updateSoon();
  }

  private updateSoon(): void {
    if (this.updateSoonTimer || this.sleeping) return;
    this.updateSoonTimer = setTimeout(() => {
      this.updateSoonTimer = undefined;
      if (this.session && this.started) this.background(() => this.update(false));
    }, 10);
  }

  private security(): ModelObjectEnabler { return this.tree.enabler(0) as ModelObjectEnabler; }

  private currentAccount(): DmAccount | undefined {
    const servers = serverAccounts(this.tree.enabler(1) as ModelObjectEnabler);
    for (const sec of securityAccounts(this.security())) {
      if (sec.bootstrap || sec.shortServerId === undefined) continue;
      const server = servers.find((s) => s.shortServerId === sec.shortServerId);
      if (server) return { security: sec, server, target: this.targetFor(sec.uri) };
    }
    return undefined;
  }

  private targetFor(uri: string): ServerTarget {
    return parseServerUri(uri);
  }

  /** Make sure an exchange with `target` goes over the right channel (a DTLS session for coaps://). */
  private route(target: ServerTarget, security: SecurityAccount): DtlsSession | undefined {
    if (!target.secure || this.options.socket) return undefined;
    if (!this.sockets) throw new RegistrationError(`${this.endpoint} is not started`);
    const filler = security.securityMode === SecurityMode.CERTIFICATE_EST ? enrolledCredentials(securityAccounts(this.security()), this.options.security) : undefined;
    return this.sockets.secure(target, dtlsCredentials(security, filler));
  }

  /**
   * One client-initiated request to a server, over its channel. A request over DTLS that gets
   * no answer drops that session (the server may have restarted and forgotten it): the next
   * request handshakes again, and the retry that follows a failed Update registers anew.
   */
  private async uplink(target: ServerTarget, security: SecurityAccount, request: UplinkRequest): Promise<UplinkResponse> {
    const session = this.route(target, security);
    try {
      return await sendUplink(this.requireAgent(), target, request, this.requestTimeout());
    } catch (e) {
      if (session) this.sockets?.reset(target, session);
      throw e;
    }
  }

  private params(account: DmAccount): RegistrationParams {
    return {
      endpoint: this.endpoint, lifetime: account.server.lifetime, version: this.version, binding: account.server.binding,
      queueMode: this.options.queueMode ?? false, extra: this.options.registrationAttributes,
    };
  }

  private links(): string {
    return formatLinks(registrationLinks(this.tree, this.version, supportedFormats(this.version)));
  }

  // ---- transport ------------------------------------------------------------------------------

  private async openTransport(): Promise<void> {
    const localAddress = this.options.localAddress ?? this.defaultLocalAddress();
    const inner = this.options.socket ?? await bindUdpSocket(localAddress);
    const sockets = new DeviceSockets(inner, !this.options.socket, { localAddress });
    const gate = new GatedSocket(sockets);
    gate.on('error', (e: Error) => this.reportError(e));
    const server = coap.createServer();
    server.on('request', (req: coap.IncomingMessage, res: coap.OutgoingMessage) => {
      // A reply or notification that cannot be sent (session closed meanwhile) is reported, not thrown.
      res.on('error', (e: Error) => this.reportError(e));
      this.touch();
      void (this.bootstrapping ? this.bs : this.dm).handle(req, res);
    });
    server.on('error', (e: Error) => this.reportError(e));
    server.listen(gate);
    this.gate = gate;
    this.sockets = sockets;
    this.coapServer = server;
    this.agent = new coap.Agent({ socket: gate as unknown as Socket });
    this.agent.on('error', (e: Error) => this.reportError(e));
  }

  private async closeTransport(): Promise<void> {
    this.dm.observations.clear();
    const gate = this.gate;
    this.gate = undefined;
    this.sockets = undefined;
    this.agent?.close();
    this.agent = undefined;
    this.coapServer?.close();
    this.coapServer = undefined;
    if (gate) await new Promise<void>((resolve) => gate.close(() => resolve(), true));
  }

  private defaultLocalAddress(): string {
    const uri = this.options.serverUri ?? this.options.bootstrapUri ?? '';
    try {
      const host = new URL(uri).hostname.replace(/^\[|\]$/g, '');
      if (host === '::1') return '::1';
      if (host.includes(':')) return '::';
      if (host === 'localhost' || host.startsWith('127.')) return '127.0.0.1';
    } catch { /* invalid URIs fail later, with a clear error */ }
    return '0.0.0.0';
  }

  private requireAgent(): coap.Agent {
    if (!this.agent) throw new RegistrationError(`${this.endpoint} is not started`);
    return this.agent;
  }

  private requestTimeout(): number { return this.options.requestTimeout ?? 93000; }

  /** Queue mode with awakeTime: any exchange keeps the device awake a little longer. */
  private touch(): void {
    if (!this.options.queueMode || this.options.awakeTime === undefined || !this.started) return;
    clearTimeout(this.sleepTimer);
    this.sleepTimer = setTimeout(() => this.sleep(), this.options.awakeTime);
  }

  private clearTimers(): void {
    for (const t of [this.updateTimer, this.retryTimer, this.sleepTimer, this.updateSoonTimer]) clearTimeout(t);
    this.updateSoonTimer = undefined;
  }

  // ---- state file -----------------------------------------------------------------------------

  private async load(): Promise<void> {
    const state = await this.stateFile?.load();
    if (!state) return;
    if (state.endpoint !== this.endpoint) throw new InvalidInputError(`${this.stateFile!.file} belongs to ${state.endpoint}, not ${this.endpoint}`);
    this.tree.restore(state.objects);
    this.attributes.load(state.attributes);
    this.extra = { ...state.extra };
    this.saved = state.registration;
  }

  private snapshot(): DeviceState {
    return { endpoint: this.endpoint, registration: this.saved, objects: this.tree.snapshot(), attributes: this.attributes.entries(), extra: this.extra };
  }

  private persist(): void {
    this.stateFile?.save(() => this.snapshot()).catch((e) => this.reportError(e));
  }

  // ---- typed events ---------------------------------------------------------------------------

  override on<K extends keyof ClientEvents>(event: K, listener: (arg: ClientEvents[K]) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this { return super.on(event, listener); }
  override once<K extends keyof ClientEvents>(event: K, listener: (arg: ClientEvents[K]) => void): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this { return super.once(event, listener); }
  override emit<K extends keyof ClientEvents>(event: K, arg: ClientEvents[K]): boolean;
  override emit(event: string | symbol, ...args: any[]): boolean { return super.emit(event, ...args); }
}


/**
 * DmAdapter over our own LwM2mServer in the same process: registrations from its Redis store,
 * requests through send(), events from its typed emitter. Whether a queue-mode client is awake
 * is tracked from the events this adapter has seen since it was made (as Leshan's presence
 * service): a queue-mode client not heard from since counts as asleep.
 */
import type { LwM2mNode, ObjectInstance } from '../../objects/node';
import { LwM2mPath } from '../../objects/path';
import { InvalidInputError, isHandoverError } from '../../common/errors';
import type { ServerEvents } from '../../server/events';
import type { LwM2mServer } from '../../server/lwm2m-server';
import type { Registration } from '../../server/registration';
import { isSuccess, type DownlinkRequest, type LwM2mResponse } from '../../server/requests';
import { DelayedResponses } from './delayed-responses';
import type { AdapterEvent, AdapterListener, AdapterRegistration, DmAdapter, RequestOptions } from './dm-adapter';
import { AdapterError, DeviceNotRegisteredError, DeviceRefusedError, DeviceTimeoutError } from './errors';

export interface LocalServerAdapterOptions {
  /** Default deadline of a device answer, ms. Default 10000. */
  readonly timeoutMs?: number;
  /** How long to wait for the answer of a request queued for a sleeping device, ms; 0 = not at all (DeviceSleepingError). Default 0. */
  readonly delayedWaitMs?: number;
}

/** The server members the adapter uses (LwM2mServer has them). */
export type LocalServer = Pick<LwM2mServer, 'registrations' | 'events' | 'send'>;

function toAdapterRegistration(reg: Registration, awake: boolean): AdapterRegistration {
  const cert = reg.certificate;
  return {
    endpoint: reg.endpoint,
    registrationId: reg.registrationId,
    secure: reg.secure,
    ...(reg.identity !== undefined ? { identity: reg.identity } : {}),
    ...(cert ? { certificate: { subject: cert.subject, issuer: cert.issuer, serialNumber: cert.serialNumber, ...(cert.fingerprint256 ? { fingerprint256: cert.fingerprint256 } : {}) } } : {}),
    queueMode: reg.queuemode,
    awake: !reg.queuemode || awake,
    lastUpdate: reg.lastUpdate,
    availableInstances: reg.availableInstances,
  };
}

export class LocalServerAdapter implements DmAdapter {
  private readonly awake = new Set<string>();
  private readonly delayed: DelayedResponses<LwM2mResponse>;
  private readonly listeners = new Map<AdapterEvent, Set<AdapterListener>>();
  private readonly unhook: Array<() => void> = [];
  private closed = false;

  constructor(private readonly server: LocalServer, private readonly opts: LocalServerAdapterOptions = {}) {
    this.delayed = new DelayedResponses(opts.delayedWaitMs ?? 0);
    this.hook('REGISTRATION', ({ registration }) => { this.awake.add(registration.endpoint); this.fire('registered', registration.endpoint, registration); });
    this.hook('UPDATED', ({ registration }) => { this.awake.add(registration.endpoint); this.fire('updated', registration.endpoint, registration); });
    this.hook('DEREGISTRATION', ({ registration }) => { this.awake.delete(registration.endpoint); this.fire('deregistered', registration.endpoint, registration); });
    this.hook('AWAKE', ({ ep }) => { this.awake.add(ep); this.fire('awake', ep); });
    this.hook('SLEEPING', ({ ep }) => { this.awake.delete(ep); });
    this.hook('REQUEST_RESPONSE', ({ requestId, response }) => this.delayed.settle(requestId, { code: response.code, value: response }));
  }

  private hook<K extends keyof ServerEvents>(name: K, fn: (p: ServerEvents[K]) => void): void {
    this.server.events.on(name, fn);
    this.unhook.push(() => this.server.events.off(name, fn));
  }

  private fire(event: AdapterEvent, ep: string, reg?: Registration): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    const r = reg ? toAdapterRegistration(reg, this.awake.has(ep)) : undefined;
    for (const l of [...set]) {
      try { l(ep, r); } catch { /* a listener's failure is its own */ }
    }
  }

  async registration(ep: string): Promise<AdapterRegistration | undefined> {
    const reg = await this.server.registrations.get(ep);
    return reg ? toAdapterRegistration(reg, this.awake.has(ep)) : undefined;
  }

  async read(ep: string, path: string, opts?: RequestOptions): Promise<LwM2mNode> {
    const res = await this.request(ep, { kind: 'read', path: parsePath(path) }, `read ${path}`, opts);
    if (!res.content) throw new AdapterError(`read ${path} of "${ep}" returned no content`);
    return res.content;
  }

  async write(ep: string, path: string, node: LwM2mNode, opts?: RequestOptions & { mode?: 'replace' | 'update' }): Promise<void> {
    await this.request(ep, { kind: 'write', path: parsePath(path), node, mode: opts?.mode ?? 'replace' }, `write ${path}`, opts);
  }

  async execute(ep: string, path: string, args?: string, opts?: RequestOptions): Promise<void> {
    await this.request(ep, args ? { kind: 'execute', path: parsePath(path), args } : { kind: 'execute', path: parsePath(path) }, `execute ${path}`, opts);
  }

  async create(ep: string, objectPath: string, instance: ObjectInstance, opts?: RequestOptions): Promise<void> {
    await this.request(ep, { kind: 'create', path: parsePath(objectPath), instances: [instance] }, `create ${objectPath}/${instance.id}`, opts);
  }

  async delete(ep: string, path: string, opts?: RequestOptions): Promise<void> {
    await this.request(ep, { kind: 'delete', path: parsePath(path) }, `delete ${path}`, opts);
  }

  on(event: AdapterEvent, listener: AdapterListener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => { set!.delete(listener); };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unhook.forEach((f) => f());
    this.listeners.clear();
  }

  private async request(ep: string, req: DownlinkRequest, what: string, opts?: RequestOptions): Promise<LwM2mResponse> {
    let res: LwM2mResponse;
    try {
      const r = await this.server.send(ep, req, { timeoutMs: opts?.timeoutMs ?? this.opts.timeoutMs ?? 10_000 });
      res = 'delayed' in r ? (await this.delayed.wait(ep, r.requestId)).value : r;
    } catch (e) {
      if (isHandoverError(e, 'ERR_NOT_FOUND')) throw new DeviceNotRegisteredError(ep, { cause: e });
      if (isHandoverError(e, 'ERR_TIMEOUT')) throw new DeviceTimeoutError(ep, what, { cause: e });
      if (lostSession(e)) throw new DeviceTimeoutError(ep, `${what} (no DTLS session with the device: the server restarted since it registered)`, { cause: e });
      throw e;
    }
    if (!isSuccess(res.code)) throw new DeviceRefusedError(ep, res.code, what, res.errorMessage);
    return res;
  }
}

/**
 * A DtlsError 'no-session', itself or as a cause: the registration is in Redis but the process
 * serving it now (a restarted server) holds no DTLS session with the device, and servers do not
 * initiate DTLS. The device is unreachable until it handshakes again (its next Update does) —
 * reported as a timeout, so a campaign parks it rather than spending its retries.
 */
function lostSession(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 4; c = c.cause, depth++) {
    if (isHandoverError(c, 'ERR_DTLS') && (c.details as { reason?: unknown } | undefined)?.reason === 'no-session') return true;
  }
  return false;
}

function parsePath(path: string): LwM2mPath {
  try { return LwM2mPath.parse(path); } catch (e) { throw new InvalidInputError(`"${path}" is not an LwM2M path`, { cause: e }); }
}

/**
 * DmAdapter over a Leshan-compatible device-management server: the REST API of Leshan's demo
 * server (LESHAN-API.md; our own server/rest speaks it too) with a bearer token, and its
 * server-sent events (/api/event) for registrations, updates, wake-ups and delayed answers.
 * Call start() before relying on events. The registration JSON may carry `certificate`
 * ({subject, issuer, serialNumber, fingerprint256}) and `identity` — Handover's server adds them
 * for DTLS clients; a stock Leshan leaves them out and the plugin sees no certificate.
 */
import type { LwM2mNode, ObjectInstance } from '../../objects/node';
import { InvalidInputError } from '../../common/errors';
import { DelayedResponses } from './delayed-responses';
import type { AdapterCertificate, AdapterEvent, AdapterListener, AdapterRegistration, DmAdapter, RequestOptions } from './dm-adapter';
import { AdapterError, DeviceNotRegisteredError, DeviceRefusedError, DeviceTimeoutError } from './errors';
import { nodeFromLeshanJson, nodeToLeshanJson } from './leshan-json';
import { SseClient } from './sse-client';

export interface LeshanAdapterOptions {
  /** e.g. "http://127.0.0.1:8080" (the /api prefix is added). */
  readonly baseUrl: string;
  /** Bearer token of the REST API. */
  readonly token: string;
  /** Default deadline of a device answer, ms. Default 10000. */
  readonly timeoutMs?: number;
  /** How long to wait for the answer of a request queued for a sleeping device, ms; 0 = DeviceSleepingError at once. Default 0. */
  readonly delayedWaitMs?: number;
  readonly log?: (line: string) => void;
}

type O = Record<string, unknown>;
interface DeviceAnswer { readonly success: boolean; readonly status: string; readonly content?: unknown; readonly errormessage?: string }

function isObj(v: unknown): v is O {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "NOT_FOUND(404)" → "4.04". */
function coapCode(status: string): string {
  const m = /\((\d)(\d\d)\)$/.exec(status);
  return m ? `${m[1]}.${m[2]}` : status;
}

/** A registration as the REST API writes it. */
export function registrationFromLeshanJson(o: unknown): AdapterRegistration {
  if (!isObj(o) || typeof o.endpoint !== 'string' || typeof o.registrationId !== 'string') throw new AdapterError('unexpected registration JSON from the DM server');
  const queueMode = o.queuemode === true;
  const c = o.certificate;
  const certificate: AdapterCertificate | undefined = isObj(c) && typeof c.issuer === 'string' && typeof c.serialNumber === 'string'
    ? { subject: String(c.subject ?? ''), issuer: c.issuer, serialNumber: c.serialNumber, ...(typeof c.fingerprint256 === 'string' ? { fingerprint256: c.fingerprint256 } : {}) }
    : undefined;
  const instances: Record<string, number[]> = {};
  if (isObj(o.availableInstances)) for (const [k, v] of Object.entries(o.availableInstances)) if (Array.isArray(v)) instances[k] = v.map(Number);
  return {
    endpoint: o.endpoint,
    registrationId: o.registrationId,
    secure: o.secure === true,
    ...(typeof o.identity === 'string' ? { identity: o.identity } : {}),
    ...(certificate ? { certificate } : {}),
    queueMode,
    awake: !queueMode || o.sleeping === false,
    lastUpdate: typeof o.lastUpdate === 'number' ? o.lastUpdate : 0,
    availableInstances: instances,
  };
}

export class LeshanAdapter implements DmAdapter {
  private readonly base: string;
  private readonly delayed: DelayedResponses<DeviceAnswer>;
  private readonly listeners = new Map<AdapterEvent, Set<AdapterListener>>();
  private sse?: SseClient;

  constructor(private readonly opts: LeshanAdapterOptions) {
    if (!opts.token) throw new InvalidInputError('LeshanAdapter needs the REST API token');
    this.base = `${opts.baseUrl.replace(/\/+$/, '')}/api`;
    this.delayed = new DelayedResponses(opts.delayedWaitMs ?? 0);
  }

  /** Open the event stream; resolves once it is connected. */
  async start(): Promise<void> {
    this.sse ??= new SseClient({ url: `${this.base}/event`, token: this.opts.token, onEvent: (e, d) => this.onEvent(e, d), ...(this.opts.log ? { log: this.opts.log } : {}) });
    await this.sse.ready();
  }

  async close(): Promise<void> {
    this.sse?.close();
    this.sse = undefined;
    this.listeners.clear();
  }

  on(event: AdapterEvent, listener: AdapterListener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => { set!.delete(listener); };
  }

  async registration(ep: string): Promise<AdapterRegistration | undefined> {
    const res = await this.http('GET', `/clients/${encodeURIComponent(ep)}`);
    if (res.status === 400 && res.text.startsWith('No registered client')) return undefined;
    if (res.status !== 200) throw new AdapterError(`registration of "${ep}": HTTP ${res.status} ${res.text.slice(0, 200)}`);
    return registrationFromLeshanJson(this.json(res.text));
  }

  async read(ep: string, path: string, opts?: RequestOptions): Promise<LwM2mNode> {
    const a = await this.device(ep, 'GET', path, '', undefined, `read ${path}`, opts);
    if (a.content === undefined) throw new AdapterError(`read ${path} of "${ep}" returned no content`);
    return nodeFromLeshanJson(a.content);
  }

  async write(ep: string, path: string, node: LwM2mNode, opts?: RequestOptions & { mode?: 'replace' | 'update' }): Promise<void> {
    const body = JSON.stringify(nodeToLeshanJson(node));
    await this.device(ep, 'PUT', path, `&replace=${opts?.mode === 'update' ? 'false' : 'true'}`, { body, type: 'application/json' }, `write ${path}`, opts);
  }

  async execute(ep: string, path: string, args?: string, opts?: RequestOptions): Promise<void> {
    await this.device(ep, 'POST', path, '', { body: args ?? '', type: 'text/plain' }, `execute ${path}`, opts);
  }

  async create(ep: string, objectPath: string, instance: ObjectInstance, opts?: RequestOptions): Promise<void> {
    await this.device(ep, 'POST', objectPath, '', { body: JSON.stringify(nodeToLeshanJson(instance)), type: 'application/json' }, `create ${objectPath}/${instance.id}`, opts);
  }

  async delete(ep: string, path: string, opts?: RequestOptions): Promise<void> {
    await this.device(ep, 'DELETE', path, '', undefined, `delete ${path}`, opts);
  }

  private fire(event: AdapterEvent, ep: string, reg?: AdapterRegistration): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try { l(ep, reg); } catch { /* a listener's failure is its own */ }
    }
  }

  private onEvent(event: string, data: string): void {
    const d = JSON.parse(data) as unknown;
    if (!isObj(d)) return;
    switch (event) {
      case 'REGISTRATION': { const r = registrationFromLeshanJson(d); this.fire('registered', r.endpoint, r); break; }
      case 'UPDATED': { const r = registrationFromLeshanJson(d.registration); this.fire('updated', r.endpoint, r); break; }
      case 'DEREGISTRATION': { const r = registrationFromLeshanJson(d); this.fire('deregistered', r.endpoint, r); break; }
      case 'AWAKE': if (typeof d.ep === 'string') this.fire('awake', d.ep); break;
      case 'REQUEST_RESPONSE':
        if (typeof d.requestId === 'string' && isObj(d.response)) {
          const a = d.response as unknown as DeviceAnswer;
          this.delayed.settle(d.requestId, { code: coapCode(String(a.status)), value: a });
        }
        break;
      default:
    }
  }

  private json(text: string): unknown {
    try { return JSON.parse(text); } catch (e) { throw new AdapterError(`the DM server answered malformed JSON: ${text.slice(0, 100)}`, { cause: e }); }
  }

  private async http(method: string, route: string, body?: { body: string; type: string }, timeoutMs = 15_000): Promise<{ status: number; text: string }> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${route}`, {
        method,
        headers: { Authorization: `Bearer ${this.opts.token}`, ...(body ? { 'Content-Type': body.type } : {}) },
        ...(body ? { body: body.body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new AdapterError(`${method} ${route}: ${(e as Error).message}`, { cause: e });
    }
    const text = await res.text();
    if (res.status === 401) throw new AdapterError(`the DM server refused the API token (401)`);
    return { status: res.status, text };
  }

  private async device(ep: string, method: string, path: string, query: string, body: { body: string; type: string } | undefined, what: string, opts?: RequestOptions): Promise<DeviceAnswer> {
    if (!/^(\/\d{1,5}){1,4}$/.test(path)) throw new InvalidInputError(`"${path}" is not an LwM2M path`);
    const timeoutMs = opts?.timeoutMs ?? this.opts.timeoutMs ?? 10_000;
    const seconds = Math.min(600, Math.max(1, Math.ceil(timeoutMs / 1000)));
    const res = await this.http(method, `/clients/${encodeURIComponent(ep)}${path}?timeout=${seconds}${query}`, body, timeoutMs + 5000);
    if (res.status === 400 && res.text.startsWith('No registered client')) throw new DeviceNotRegisteredError(ep);
    if (res.status === 504) throw new DeviceTimeoutError(ep, what);
    if (res.status !== 200) throw new AdapterError(`${what} on "${ep}": HTTP ${res.status} ${res.text.slice(0, 200)}`);
    const o = this.json(res.text);
    if (!isObj(o)) throw new AdapterError(`${what} on "${ep}": unexpected answer`);
    let answer: DeviceAnswer;
    if (o.delayed === true && typeof o.requestId === 'string') answer = (await this.delayed.wait(ep, o.requestId)).value;
    else answer = o as unknown as DeviceAnswer;
    if (answer.success !== true) throw new DeviceRefusedError(ep, coapCode(String(answer.status)), what, answer.errormessage);
    return answer;
  }
}

/**
 * Queue mode (LwM2M 1.1 Core §6.4 / Transport §6.5): a client with Q is reachable only for a
 * while after it last spoke (default 93 s, CoAP MAX_TRANSMIT_WAIT). While it sleeps, requests
 * are kept in Redis in order and sent when it next registers or updates; each answer is emitted
 * as REQUEST_RESPONSE with the request id send() returned. The "awake" state is a Redis key with
 * a TTL, so every process agrees; AWAKE/SLEEPING events come from the process that heard the
 * client. A request that times out is put back (at most MAX_ATTEMPTS deliveries).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isHandoverError } from '../../common/errors';
import { deserializeQueued, serializeQueued, type QueuedRequest } from '../downlink/request-serde';
import type { Registration } from '../registration';
import type { DelayedResponse, DownlinkRequest, LwM2mResponse } from '../requests';
import type { ServerContext } from '../server-context';

const MAX_ATTEMPTS = 3;
/** Drain lock lifetime, ms: longer than any one delivery. */
const LOCK_MS = 120_000;

export type Executor = (reg: Registration, req: DownlinkRequest, timeoutMs: number) => Promise<LwM2mResponse>;

export class QueueMode {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly owner = randomBytes(8).toString('hex');
  private stopped = false;

  constructor(private readonly ctx: ServerContext, private readonly execute: Executor) {}

  async isAwake(ep: string): Promise<boolean> {
    return (await this.ctx.redis.exists(this.ctx.keys.awake(ep))) === 1;
  }

  /** The client spoke: awake for queueAwakeMs from now. */
  async touch(reg: Registration): Promise<void> {
    if (!reg.queuemode || this.stopped) return;
    const ep = reg.endpoint;
    await this.ctx.redis.set(this.ctx.keys.awake(ep), '1', 'PX', this.ctx.opts.queueAwakeMs);
    const had = this.timers.get(ep);
    if (had) clearTimeout(had);
    else this.ctx.events.emit('AWAKE', { ep });
    const t = setTimeout(() => {
      this.timers.delete(ep);
      this.ctx.events.emit('SLEEPING', { ep });
    }, this.ctx.opts.queueAwakeMs);
    t.unref();
    this.timers.set(ep, t);
  }

  /** The registration ended: no more presence events for it. */
  forget(ep: string): void {
    const t = this.timers.get(ep);
    if (t) clearTimeout(t);
    this.timers.delete(ep);
  }

  /** True when a request for this client must be queued rather than sent. */
  async mustQueue(reg: Registration): Promise<boolean> {
    if (!reg.queuemode) return false;
    if (!(await this.isAwake(reg.endpoint))) return true;
    return (await this.ctx.queue.length(reg.endpoint)) > 0;
  }

  async enqueue(reg: Registration, request: DownlinkRequest, timeoutMs: number): Promise<DelayedResponse> {
    const requestId = randomUUID();
    const item: QueuedRequest = { requestId, request, timeoutMs, attempts: 0, queuedAt: Date.now() };
    await this.ctx.queue.push(reg.endpoint, serializeQueued(item));
    return { delayed: true, requestId, ep: reg.endpoint };
  }

  /** Deliver what is queued for a client that just registered or updated. */
  async drain(reg: Registration): Promise<void> {
    const ep = reg.endpoint;
    if (this.stopped || !(await this.ctx.queue.lock(ep, this.owner, LOCK_MS))) return;
    try {
      while (!this.stopped) {
        const text = await this.ctx.queue.shift(ep);
        if (text === undefined) break;
        let item: QueuedRequest;
        try {
          item = deserializeQueued(text);
        } catch (e) {
          this.ctx.log(`queue of '${ep}': dropped an unreadable item: ${(e as Error).message}`);
          continue;
        }
        const path = 'path' in item.request ? item.request.path.toString() : undefined;
        let response: LwM2mResponse;
        try {
          response = await this.execute(reg, item.request, item.timeoutMs);
        } catch (e) {
          if (isHandoverError(e, 'ERR_TIMEOUT') && item.attempts + 1 < MAX_ATTEMPTS) {
            // Asleep again: keep it, in order, for the next update.
            await this.ctx.queue.unshift(ep, serializeQueued({ ...item, attempts: item.attempts + 1 }));
            break;
          }
          const code = isHandoverError(e, 'ERR_TIMEOUT') ? '5.04' : isHandoverError(e, 'ERR_INVALID_INPUT') ? '4.00' : '5.00';
          response = { code, errorMessage: (e as Error).message };
        }
        this.ctx.events.emit('REQUEST_RESPONSE', { ep, requestId: item.requestId, ...(path !== undefined ? { path } : {}), response });
      }
    } finally {
      await this.ctx.queue.unlock(ep, this.owner).catch(() => undefined);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

/**
 * Fleet: many simulated devices in one process, for demos and benchmarks.
 *
 *   const fleet = new Fleet({ count: 1000, serverUri: 'coap://127.0.0.1:5683', stateDir: './data/fleet' });
 *   fleet.on('progress', (s) => ...);
 *   await fleet.start();   // staggered, at most `concurrency` registrations in flight
 *   fleet.stats();         // { devices, registered, failures, ... }
 *   await fleet.stop();    // De-register all
 *
 * One UDP socket per device (the LwM2M server answers to the address a device registered from),
 * so the fleet needs `count` file descriptors: start() refuses, with the command to run, when
 * the open-files limit (ulimit -n) is too low.
 */
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { InvalidInputError } from '../common/errors';
import { LwM2mClient } from './client';
import type { LwM2mClientOptions } from './client-options';
import { FD_HEADROOM, openFilesLimit } from './fd-limit';

export interface FleetOptions {
  /** Number of devices. */
  readonly count: number;
  /** Endpoint names are prefix + index. Default "dev-". */
  readonly endpointPrefix?: string;
  /** First index. Default 0. */
  readonly firstIndex?: number;
  readonly serverUri?: string;
  readonly bootstrapUri?: string;
  /** One state file per device, <stateDir>/<endpoint>.json. Default: no persistence. */
  readonly stateDir?: string;
  /** Most device starts in flight at once. Default 100. */
  readonly concurrency?: number;
  /** Time between two device starts (fleet-wide), ms. Default 0. */
  readonly staggerMs?: number;
  /** Client options shared by every device (lifetime, queueMode, lwm2mVersion, requestTimeout...). */
  readonly client?: Partial<Omit<LwM2mClientOptions, 'endpoint' | 'stateFile' | 'socket'>>;
  /** Per-device options on top (objects, firmware handler...). */
  readonly perDevice?: (endpoint: string, index: number) => Partial<LwM2mClientOptions>;
}

export interface FleetStats {
  readonly devices: number;
  /** Devices whose start() has run (successfully or not). */
  readonly started: number;
  /** Devices registered right now. */
  readonly registered: number;
  /** start() attempts that failed (the device keeps retrying). */
  readonly failures: number;
  readonly registrations: number;
  readonly updates: number;
  readonly bootstraps: number;
  readonly errors: number;
  readonly sleeping: number;
}

export class Fleet extends EventEmitter {
  private readonly clients: LwM2mClient[] = [];
  private counters = { started: 0, failures: 0, registrations: 0, updates: 0, bootstraps: 0, errors: 0 };
  private stopping = false;

  constructor(private readonly options: FleetOptions) {
    super();
    if (!Number.isInteger(options.count) || options.count < 1) throw new InvalidInputError('count must be a positive integer');
    if (!options.serverUri && !options.bootstrapUri) throw new InvalidInputError('A serverUri or a bootstrapUri is required');
  }

  /** The devices (created by start()). */
  devices(): readonly LwM2mClient[] { return this.clients; }

  /** Start every device; resolves when each has made its first registration attempt. */
  async start(): Promise<FleetStats> {
    if (this.clients.length > 0) throw new InvalidInputError('The fleet is already started');
    const limit = openFilesLimit();
    if (limit !== undefined && this.options.count + FD_HEADROOM > limit) {
      throw new InvalidInputError(
        `A fleet of ${this.options.count} devices needs ${this.options.count + FD_HEADROOM} file descriptors (one UDP socket each) ` +
        `but the open-files limit is ${limit}: raise it in the shell first, e.g. \`ulimit -n ${this.options.count + 1024}\``);
    }
    const prefix = this.options.endpointPrefix ?? 'dev-';
    const first = this.options.firstIndex ?? 0;
    for (let i = 0; i < this.options.count; i++) {
      const endpoint = `${prefix}${first + i}`;
      const client = new LwM2mClient({
        serverUri: this.options.serverUri,
        bootstrapUri: this.options.bootstrapUri,
        ...this.options.client,
        ...this.options.perDevice?.(endpoint, first + i),
        endpoint,
        stateFile: this.options.stateDir ? path.join(this.options.stateDir, `${endpoint}.json`) : undefined,
      });
      client.on('registered', () => { this.counters.registrations++; this.progress(); });
      client.on('updated', () => { this.counters.updates++; });
      client.on('bootstrapped', () => { this.counters.bootstraps++; });
      client.on('error', () => { this.counters.errors++; });
      this.clients.push(client);
    }
    await this.pool(this.clients, this.options.concurrency ?? 100, this.options.staggerMs ?? 0, async (client) => {
      if (this.stopping) return;
      try {
        await client.start();
      } catch (e) {
        this.counters.failures++;
        if (isFdExhaustion(e)) {
          throw new InvalidInputError(`Out of file descriptors after ${this.counters.started} devices: raise the limit (ulimit -n)`, { cause: e });
        }
      } finally {
        this.counters.started++;
        this.progress();
      }
    });
    return this.stats();
  }

  /** De-register and close every device. */
  async stop(opts: { deregister?: boolean } = {}): Promise<void> {
    this.stopping = true;
    await this.pool(this.clients, this.options.concurrency ?? 100, 0, (c) => c.stop(opts).catch(() => undefined));
  }

  stats(): FleetStats {
    return {
      devices: this.options.count,
      ...this.counters,
      registered: this.clients.filter((c) => c.registered).length,
      sleeping: this.clients.filter((c) => c.sleeping).length,
    };
  }

  private progress(): void { this.emit('progress', this.stats()); }

  /** Run `fn` over `items` with at most `concurrency` in flight, starting one every `staggerMs`. */
  private async pool<T>(items: readonly T[], concurrency: number, staggerMs: number, fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    let failure: unknown;
    let startAt = Date.now();
    const worker = async () => {
      while (next < items.length && failure === undefined) {
        const item = items[next++];
        if (staggerMs > 0) {
          // One start every staggerMs across all workers.
          const at = startAt;
          startAt += staggerMs;
          const wait = at - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        await fn(item).catch((e) => { failure ??= e; });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
    if (failure !== undefined) throw failure;
  }
}

function isFdExhaustion(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

/**
 * What the parts of the LwM2M server share: options with defaults applied, Redis and the stores
 * on it, the typed events, the transports. Built once by LwM2mServer; internal to server/.
 */
import type { Redis } from 'ioredis';
import type { ModelProvider } from '../objects/model';
import type { BootstrapConfigStore } from './bootstrap/bootstrap-config-store';
import type { ServerEvents } from './events';
import type { ServerKeys } from './keys';
import type { Registration } from './registration';
import type { ObservationStore } from './stores/observation-store';
import type { RegistrationStore } from './stores/registration-store';
import type { RequestQueue } from './stores/request-queue';
import type { SecurityStore } from './security-store';
import type { Transports } from './transport/transports';
import type { TypedEmitter } from './typed-emitter';

export interface ResolvedOptions {
  readonly allowNoSec: boolean;
  readonly queueAwakeMs: number;
  readonly requestTimeoutMs: number;
  readonly expiryGraceMs: number;
  readonly bootstrap: boolean;
}

export interface ServerContext {
  readonly opts: ResolvedOptions;
  readonly redis: Redis;
  readonly keys: ServerKeys;
  readonly registrations: RegistrationStore;
  readonly observations: ObservationStore;
  readonly queue: RequestQueue;
  readonly security: SecurityStore;
  readonly bootstrapConfigs: BootstrapConfigStore;
  readonly events: TypedEmitter<ServerEvents>;
  readonly transports: Transports;
  readonly models: ModelProvider;
  log(msg: string): void;
}

/** "host:port", IPv6 in brackets, as Registration.address. */
export function formatAddress(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Registration.address → host and port. */
export function parseAddress(text: string): { address: string; port: number } {
  const m = /^\[(.*)\]:(\d+)$/.exec(text) ?? /^([^:]*):(\d+)$/.exec(text);
  if (!m) throw new Error(`Invalid address ${text}`);
  return { address: m[1], port: Number(m[2]) };
}

/** When a registration expires: lifetime after its last register/update, plus a grace period. */
export function expiryOf(reg: Registration, graceMs: number): number {
  return reg.lastUpdate + reg.lifetime * 1000 + graceMs;
}

/**
 * The query parameters of Register, Update and Bootstrap-Request (LwM2M 1.1 Transport §6.2):
 * ep, lt, lwm2m, b, Q (queue mode from 1.1; "UQ" binding in 1.0), pct. Pure.
 */
import type { LwM2mVersion } from './formats';

export interface RegistrationParams {
  readonly endpoint: string;
  readonly lifetime: number;
  readonly version: LwM2mVersion;
  /** Binding from the Server object ("U"); the Q of queue mode is added here. */
  readonly binding: string;
  readonly queueMode: boolean;
  /** Extra attributes (Leshan's "additional registration attributes"). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** The binding as the version writes it: 1.0 says queue mode with "UQ", 1.1+ with a separate Q. */
function bindingFor(p: RegistrationParams): string {
  const b = p.binding.replace(/Q/g, '') || 'U';
  return p.version === '1.0' && p.queueMode ? `${b}Q` : b;
}

export function registerQuery(p: RegistrationParams): string[] {
  const q = [`ep=${encodeURIComponent(p.endpoint)}`, `lt=${p.lifetime}`, `lwm2m=${p.version}`, `b=${bindingFor(p)}`];
  if (p.queueMode && p.version !== '1.0') q.push('Q');
  for (const [k, v] of Object.entries(p.extra ?? {})) q.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return q;
}

/** Update carries only what changed since the last Register / Update. */
export function updateQuery(previous: RegistrationParams, next: RegistrationParams): string[] {
  const q: string[] = [];
  if (previous.lifetime !== next.lifetime) q.push(`lt=${next.lifetime}`);
  if (bindingFor(previous) !== bindingFor(next)) q.push(`b=${bindingFor(next)}`);
  if (previous.queueMode !== next.queueMode && next.queueMode && next.version !== '1.0') q.push('Q');
  return q;
}

export function bootstrapQuery(endpoint: string, version: LwM2mVersion, preferredFormat?: number): string[] {
  const q = [`ep=${encodeURIComponent(endpoint)}`];
  if (version !== '1.0' && preferredFormat !== undefined) q.push(`pct=${preferredFormat}`);
  return q;
}

/** Seconds before the lifetime ends at which the Update is sent: 10 %, at least 1 s, at most 60 s. */
export function updateDelaySeconds(lifetime: number, margin?: number): number {
  const m = margin ?? Math.min(60, Math.max(1, lifetime * 0.1));
  return Math.max(0.5, lifetime - m);
}

/**
 * DownlinkRequest ↔ JSON text, lossless, for requests queued in Redis while a client sleeps.
 * JSON cannot hold what nodes contain, so those values are tagged: {"$path":"/3/0"},
 * {"$big":"42"}, {"$bin":base64}, {"$date":ms}, {"$map":[[k,v],…]}, {"$num":"NaN"|"Infinity"|"-Infinity"}.
 */
import { PayloadError } from '../../objects/errors';
import { LwM2mPath } from '../../objects/path';
import type { DownlinkRequest } from '../requests';

export interface QueuedRequest {
  readonly requestId: string;
  readonly request: DownlinkRequest;
  readonly timeoutMs: number;
  /** Delivery attempts so far. */
  readonly attempts: number;
  readonly queuedAt: number;
}

function toTagged(v: unknown): unknown {
  if (v instanceof LwM2mPath) return { $path: v.toString() };
  if (typeof v === 'bigint') return { $big: v.toString() };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
  if (v instanceof Uint8Array) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (v instanceof Date) return { $date: v.getTime() };
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x]) => [toTagged(k), toTagged(x)]) };
  if (Array.isArray(v)) return v.map(toTagged);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toTagged(x);
    return o;
  }
  return v;
}

function fromTagged(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromTagged);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [k] = keys;
    const x = o[k];
    switch (k) {
      case '$path': return LwM2mPath.parse(String(x));
      case '$big': return BigInt(String(x));
      case '$num': return Number(x);
      case '$bin': return new Uint8Array(Buffer.from(String(x), 'base64'));
      case '$date': return new Date(Number(x));
      case '$map': return new Map((x as unknown[][]).map(([a, b]) => [fromTagged(a), fromTagged(b)]));
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = fromTagged(x);
  return out;
}

export function serializeQueued(q: QueuedRequest): string {
  return JSON.stringify(toTagged(q));
}

/** Throws PayloadError on text that is not a serialised request. */
export function deserializeQueued(text: string): QueuedRequest {
  let v: unknown;
  try {
    v = fromTagged(JSON.parse(text));
  } catch (e) {
    throw new PayloadError(`Invalid queued request: ${(e as Error).message}`, { cause: e });
  }
  const q = v as QueuedRequest;
  if (typeof q?.requestId !== 'string' || typeof q.request?.kind !== 'string') throw new PayloadError('Invalid queued request');
  return q;
}
